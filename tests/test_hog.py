"""HOG: kernels against their NumPy twins and scikit-image; the extractor's contract."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.feature import hog as skimage_hog

from classical._kernels import hog as kernels
from classical.descriptors import HOGExtractor, hog
from classical.utils.estimator_checks import image_estimator_checks
from tests.naive import hog as naive

NORMS = ["L1", "L1-sqrt", "L2", "L2-Hys"]
# scikit-image sums cells in float32: agreement is to float32 rounding
RTOL, ATOL = 1e-5, 1e-6


def _skimage(image, **params):
    params.setdefault("cells_per_block", (2, 2))
    return skimage_hog(image, channel_axis=-1 if image.ndim == 3 else None, **params)


def _random_image(rng, shape, dtype):
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.floating):
        return rng.random(shape).astype(dtype)
    return rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)


def _smooth_image(shape):
    rows, cols = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    grey = 127.5 + 60 * np.sin(rows / 5.0) * np.cos(cols / 7.0) + 0.5 * rows
    if len(shape) == 3:
        grey = np.stack([np.roll(grey, k, axis=1) for k in range(shape[2])], axis=2)
    return np.clip(grey, 0, 255).astype(np.uint8)


def _assert_three_agree(image, **params):
    ours = hog(image, **params)
    reference = _skimage(image, **params)
    twin = naive.hog_descriptor(image, **params)
    assert ours.shape == reference.shape == twin.shape
    assert ours.dtype == np.float64
    assert_allclose(twin, reference, rtol=RTOL, atol=ATOL)
    assert_allclose(ours, twin, rtol=RTOL, atol=ATOL)


# --- agreement with the twin and scikit-image --------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64,
                                   np.int16, np.bool_])
@pytest.mark.parametrize("shape", [(64, 64), (67, 45), (40, 50, 3), (30, 41, 4),
                                   (33, 35, 2)])
def test_random_images_every_dtype(dtype, shape):
    rng = np.random.default_rng([np.dtype(dtype).num, *shape])
    _assert_three_agree(_random_image(rng, shape, dtype))


@pytest.mark.parametrize("block_norm", NORMS)
@pytest.mark.parametrize("transform_sqrt", [False, True])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_every_norm_and_sqrt(block_norm, transform_sqrt, dtype):
    rng = np.random.default_rng(7)
    for shape in [(48, 56), (41, 38, 3)]:
        _assert_three_agree(_random_image(rng, shape, dtype), block_norm=block_norm,
                            transform_sqrt=transform_sqrt)


@pytest.mark.parametrize("orientations, cell, block", [
    (9, (8, 8), (2, 2)),
    (4, (4, 4), (1, 1)),
    (8, (6, 5), (3, 2)),
    (6, (5, 7), (2, 3)),
    (7, (3, 3), (3, 3)),
    (12, (16, 16), (1, 1)),
    (1, (2, 2), (2, 2)),
    (18, (1, 1), (2, 2)),
])
@pytest.mark.parametrize("channels", [None, 3])
def test_geometry_and_orientations(orientations, cell, block, channels):
    shape = (37, 45) if channels is None else (37, 45, channels)
    rng = np.random.default_rng(orientations)
    for image in (_random_image(rng, shape, np.uint8), _smooth_image(shape)):
        _assert_three_agree(image, orientations=orientations, pixels_per_cell=cell,
                            cells_per_block=block, block_norm="L1")


@pytest.mark.parametrize("shape", [(64, 64), (40, 44, 3)])
@pytest.mark.parametrize("value", [0, 1, 200])
def test_constant_and_zero_images(shape, value):
    image = np.full(shape, value, dtype=np.uint8)
    for block_norm in NORMS:
        _assert_three_agree(image, block_norm=block_norm)
        assert_array_equal(hog(image, block_norm=block_norm), 0.0)


def test_smooth_image_with_structure():
    for shape in [(96, 80), (64, 72, 3)]:
        _assert_three_agree(_smooth_image(shape))
        _assert_three_agree(_smooth_image(shape).astype(np.float32) / 255)


def test_size_not_a_multiple_of_the_cell():
    rng = np.random.default_rng(3)
    image = _random_image(rng, (70, 53), np.uint8)
    _assert_three_agree(image)
    # only the first row and column beyond the last whole cell matter (gradients)
    assert_array_equal(hog(image), hog(image[:65, :49]))
    assert not np.array_equal(hog(image), hog(image[:64, :48]))
    # smallest size: exactly one block; the last row/column gradients are zero
    _assert_three_agree(image[:16, :16])
    _assert_three_agree(image[:17, :19])


def test_non_contiguous_views():
    rng = np.random.default_rng(4)
    base = _random_image(rng, (130, 100, 3), np.uint8)
    views = [base[::2, ::-1], base[:, :, 1], base.transpose(1, 0, 2),
             base[3:67, 5:70, ::2]]
    for view in views:
        assert not view.flags.c_contiguous
        assert_array_equal(hog(view), hog(np.ascontiguousarray(view)))
        _assert_three_agree(view)


def test_feature_vector_false_keeps_block_structure():
    image = _random_image(np.random.default_rng(5), (50, 70), np.uint8)
    params = dict(orientations=6, pixels_per_cell=(5, 7), cells_per_block=(3, 2))
    blocks = hog(image, feature_vector=False, **params)
    assert blocks.shape == (8, 9, 3, 2, 6)
    assert blocks.shape == _skimage(image, feature_vector=False, **params).shape
    assert_array_equal(blocks.ravel(), hog(image, **params))
    assert_allclose(blocks, _skimage(image, feature_vector=False, **params),
                    rtol=RTOL, atol=ATOL)


def test_int_cell_and_block_mean_square():
    image = _random_image(np.random.default_rng(6), (40, 40), np.uint8)
    assert_array_equal(hog(image, pixels_per_cell=5, cells_per_block=3),
                       hog(image, pixels_per_cell=(5, 5), cells_per_block=(3, 3)))


def test_kernel_twins_piecewise():
    """cell_histograms and normalize_blocks against their twins, separately."""
    rng = np.random.default_rng(8)
    image = _random_image(rng, (45, 52, 3), np.uint16)
    edges = kernels.orientation_edges(7)
    hist = np.empty((45 // 5, (52 // 4) * 7))
    window = np.empty((3, 3, 52))
    work = np.empty((kernels.WORK_ROWS, 52))
    work32 = np.empty((kernels.WORK32_ROWS, 52), dtype=np.float32)
    kernels.cell_histograms(image, 0, hist.shape[0], 5, 4, False, False, edges, hist,
                            window, work, work32)
    twin_hist = naive.cell_histograms(image, 7, (5, 4))
    assert_allclose(hist.reshape(twin_hist.shape), twin_hist, rtol=1e-12)
    for block_norm in NORMS:
        out = np.empty((hist.shape[0] - 1) * 11 * 2 * 3 * 7)
        kernels.normalize_blocks(hist, 2, 3, 7, kernels.NORMS[block_norm], 0,
                                 hist.shape[0] - 1, out)
        twin = naive.normalize_blocks(twin_hist, (2, 3), block_norm)
        assert_allclose(out, twin.ravel(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("channels", [1, 3])
def test_parallel_kernel_equals_serial(channels):
    rng = np.random.default_rng(9)
    image = np.ascontiguousarray(_random_image(rng, (131, 75, channels), np.uint8))
    args = (8, 8, 2, 2, kernels.L2_HYS, True, False, kernels.orientation_edges(9))
    serial = np.empty(15 * 8 * 36)
    parallel = np.empty_like(serial)
    kernels.hog_descriptor(image, *args, serial)
    kernels.hog_descriptor_parallel(image, *args, parallel)
    assert_array_equal(serial, parallel)
    stack = np.ascontiguousarray(np.stack([image, image[::-1], image[:, ::-1],
                                           image[::-1, ::-1], image]))
    batch = np.empty((5, serial.size))
    for n_shares in (1, 2, 3, 5):  # shares of uneven sizes too
        batch[:] = np.nan
        kernels.hog_batch(stack, *args, n_shares, batch)
        assert_array_equal(batch[0], serial)
        assert_array_equal(batch[4], serial)
    assert_allclose(batch, naive.hog_batch(stack[..., 0] if channels == 1 else stack,
                                           block_norm="L2-Hys", transform_sqrt=True),
                    rtol=RTOL, atol=ATOL)


def test_large_image_uses_the_parallel_path():
    image = _smooth_image((520, 512))
    assert image.shape[0] * image.shape[1] >= 512 * 512
    ours = hog(image)
    assert_allclose(ours, _skimage(image), rtol=RTOL, atol=ATOL)
    serial = np.empty_like(ours)
    kernels.hog_descriptor(image[:, :, np.newaxis].copy(), 8, 8, 2, 2, kernels.L2_HYS,
                           False, False, kernels.orientation_edges(9), serial)
    assert_array_equal(ours, serial)


# --- the glyph image (visualize=True) ------------------------------------------------


@pytest.mark.parametrize("orientations, cell", [
    (9, (8, 8)), (4, (16, 16)), (8, (6, 5)), (7, (5, 7)), (12, (9, 9)), (1, (4, 4)),
    (9, (3, 3)), (6, (2, 2)), (5, (1, 1)),
])
def test_glyph_kernel_equals_twin(orientations, cell):
    rng = np.random.default_rng([orientations, *cell])
    n_cells = (5, 6)
    hist = rng.random((*n_cells, orientations))
    shape = (n_cells[0] * cell[0] + 3, n_cells[1] * cell[1] + 1)
    glyphs = np.zeros(shape)
    kernels.hog_glyphs(hist.reshape(n_cells[0], -1), *cell,
                       kernels.glyph_ends(orientations, *cell), glyphs)
    assert_allclose(glyphs, naive.hog_glyphs(hist, cell, shape), rtol=1e-12)
    # every bin's glyph stays within its cell: cell sums are the glyph sums
    assert not glyphs[n_cells[0] * cell[0]:].any()
    assert not glyphs[:, n_cells[1] * cell[1]:].any()


@pytest.mark.parametrize("shape, dtype", [
    ((64, 64), np.uint8), ((67, 45), np.float64), ((40, 50, 3), np.uint16),
    ((48, 56), np.bool_)])
@pytest.mark.parametrize("orientations, cell, block", [
    (9, (8, 8), (2, 2)), (8, (6, 5), (3, 2)), (4, (4, 4), (1, 1)),
])
def test_visualize_equals_twin(shape, dtype, orientations, cell, block):
    image = _random_image(np.random.default_rng(10), shape, dtype)
    params = dict(orientations=orientations, pixels_per_cell=cell,
                  cells_per_block=block)
    features, hog_image = hog(image, visualize=True, **params)
    twin_features, twin_image = naive.hog_descriptor_glyphs(image, **params)
    assert hog_image.shape == shape[:2] and hog_image.dtype == np.float64
    assert_allclose(hog_image, twin_image, rtol=RTOL, atol=ATOL)
    assert_allclose(features, twin_features, rtol=RTOL, atol=ATOL)
    assert_array_equal(features, hog(image, **params))


@pytest.mark.parametrize("value", [0, 90])
def test_visualize_constant_image_is_black(value):
    features, hog_image = hog(np.full((32, 40), value, np.uint8), visualize=True)
    assert not hog_image.any() and not features.any()


@pytest.mark.parametrize("orientations, cell, exact", [
    (9, (8, 8), True), (4, (16, 16), True), (8, (6, 5), True), (5, (9, 9), True),
    # scikit-image computes glyph ends in floats from the cell's absolute
    # position, so an end that is exactly a whole pixel (2 sin 30 = 1, 2 cos 90
    # = 0) may move by one in some cells; ours take the exact value
    (9, (6, 6), False), (11, (7, 10), False), (13, (8, 8), False),
])
@pytest.mark.parametrize("colour", [False, True])
def test_visualize_equals_skimage_hog_image(orientations, cell, exact, colour):
    from skimage import data

    image = data.astronaut()[::2, ::2]
    if not colour:
        image = image[:, :, 1]
    params = dict(orientations=orientations, pixels_per_cell=cell)
    features, hog_image = hog(image, visualize=True, **params)
    reference_features, reference = _skimage(image, visualize=True, **params)
    assert hog_image.shape == reference.shape == image.shape[:2]
    assert_allclose(features, reference_features, rtol=RTOL, atol=ATOL)
    assert np.corrcoef(hog_image.ravel(), reference.ravel())[0, 1] > 0.99
    close = np.isclose(hog_image, reference, rtol=1e-5, atol=1e-6 * reference.max())
    assert close.all() if exact else close.mean() > 0.99


def test_visualize_keeps_block_structure_and_large_images():
    image = _smooth_image((520, 512))  # large: the plain call runs in parallel
    blocks, hog_image = hog(image, visualize=True, feature_vector=False)
    assert_array_equal(blocks, hog(image, feature_vector=False))
    assert_allclose(hog_image, _skimage(image, visualize=True)[1], rtol=1e-5,
                    atol=1e-9)


# --- orientation bins: exact, including at the edges ---------------------------------


def _image_with_gradients(g_col, g_row, channels=1):
    """A 3-row image whose middle row has gradient ``(g_col[i], g_row[i])`` at column
    ``2 i + 1`` (per channel when the arrays are 2-D) and zero gradient at even
    columns."""
    g_col = np.asarray(g_col, dtype=np.float64).reshape(-1, channels)
    g_row = np.asarray(g_row, dtype=np.float64).reshape(-1, channels)
    m = g_col.shape[0]
    image = np.zeros((3, 2 * m + 1, channels))
    image[1, 0::2] = np.concatenate([np.zeros((1, channels)), np.cumsum(g_col, axis=0)])
    image[2, 1::2] = g_row
    return image if channels > 1 else image[:, :, 0]


def _kernel_bins(image, orientations):
    """Bin of each odd column of the middle row, read from 1x1-cell L1 blocks."""
    blocks = hog(image, orientations=orientations, pixels_per_cell=1,
                 cells_per_block=1, block_norm="L1", feature_vector=False)
    hist = blocks[1, 1::2, 0, 0, :]
    return np.where(hist.sum(axis=1) > 0, hist.argmax(axis=1), -1)


def _all_integer_gradients(limit):
    g = np.arange(-limit, limit + 1, dtype=np.float64)
    g_col, g_row = (a.ravel() for a in np.meshgrid(g, g))
    nonzero = (g_col != 0) | (g_row != 0)
    return g_col[nonzero], g_row[nonzero]


@pytest.mark.parametrize("orientations", [*range(1, 11), 12, 16, 18, 36])
def test_bins_exact_for_every_uint8_gradient(orientations):
    """Every gradient a uint8 image can have (including those exactly on the
    0, 45, 90 and 135 degree edges) lands in scikit-image's bin."""
    g_col, g_row = _all_integer_gradients(255)
    expected = naive.orientation_bins(g_row, g_col, orientations)
    for chunk in np.array_split(np.arange(g_col.size), 8):
        image = _image_with_gradients(g_col[chunk], g_row[chunk])
        assert_array_equal(_kernel_bins(image, orientations), expected[chunk])


def test_bins_exact_near_irrational_edges_uint16_range():
    """Integer gradients up to 65535 that come closest to the edges."""
    g_col, g_row = [], []
    x = np.arange(1, 65536, dtype=np.float64)
    for n in (9, 7, 5):
        for k in range(1, n):
            slope = abs(np.tan(np.pi * k / n))
            y = np.round(x * slope)
            closest = np.argsort(np.abs(y - x * slope) / x)[:300]
            closest = closest[y[closest] <= 65535]
            sign = -1.0 if 2 * k > n else 1.0
            for dy in (-1, 0, 1):
                g_col.append(sign * x[closest])
                g_row.append(y[closest] + dy)
    g_col, g_row = np.concatenate(g_col), np.concatenate(g_row)
    for n in (9, 7, 5):
        image = _image_with_gradients(g_col, g_row)
        assert_array_equal(_kernel_bins(image, n),
                           naive.orientation_bins(g_row, g_col, n))


def test_bins_at_the_180_degree_wrap_for_float_gradients():
    """Float gradients just below 0 or 180 degrees: scikit-image's rounded angle
    reaches 180 (no bin) or wraps to 0; fast-math must not change that."""
    tiny = np.array([1e-300, 1e-200, 1e-30, 1e-17, 3e-16, 1e-15, 1e-13, 1e-9])
    g_col = np.concatenate([np.ones_like(tiny), -np.ones_like(tiny),
                            np.ones_like(tiny), -np.ones_like(tiny)])
    g_row = np.concatenate([-tiny, tiny, tiny, -tiny])
    image = _image_with_gradients(g_col, g_row)
    for n in (9, 4, 7):
        expected = naive.orientation_bins(g_row, g_col, n)
        assert (expected == -1).any()  # some votes are dropped, as in scikit-image
        assert_array_equal(_kernel_bins(image, n), expected)
        assert_allclose(hog(image, orientations=n, pixels_per_cell=1,
                            cells_per_block=1, block_norm="L1"),
                        _skimage(image, orientations=n, pixels_per_cell=(1, 1),
                                 cells_per_block=(1, 1), block_norm="L1"),
                        rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("scale", [1e-200, 1e-30, 1e30, 1e200])
def test_extreme_gradient_magnitudes(scale):
    """Gradients float32 cannot hold, or whose square overflows float64, are
    binned and weighed exactly (scikit-image itself overflows its float32 cell
    sums beyond 3e38, so the far cases compare with the twin only)."""
    image = _random_image(np.random.default_rng(13), (32, 40, 3), np.float64) * scale
    params = dict(orientations=9, block_norm="L1")
    ours = hog(image, **params)
    assert np.isfinite(ours).all()
    twin = naive.hog_descriptor(image, **params)
    assert_allclose(ours, twin, rtol=1e-10, atol=1e-300)
    if 1e-37 < scale < 1e37:
        assert_allclose(ours, _skimage(image, **params), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("orientations", [4, 8, 9])
def test_exact_edges_in_real_images(orientations):
    """Diagonal and axis-aligned ramps put every gradient on a bin edge."""
    rows, cols = np.meshgrid(np.arange(48), np.arange(48), indexing="ij")
    for image in (rows + cols, rows - cols + 47, 2 * rows, 3 * cols, cols % 5):
        _assert_three_agree(image.astype(np.uint8), orientations=orientations)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
def test_colour_ties_pick_the_first_channel(dtype):
    """Channels whose gradients differ but have equal squared norm: the channel
    is chosen as NumPy's argmax of np.hypot chooses it."""
    pairs = []
    limit = 30
    by_norm = {}
    for x in range(-limit, limit + 1):
        for y in range(-limit, limit + 1):
            by_norm.setdefault(x * x + y * y, []).append((x, y))
    for vectors in by_norm.values():
        for a in vectors[:6]:
            for b in vectors[:6]:
                if a != b and a != (0, 0):
                    pairs.append((a, b))
    pairs = np.array(pairs, dtype=np.float64)  # (m, 2 channels, 2)
    scale = 1 / 255 if np.issubdtype(dtype, np.floating) else 1
    image = _image_with_gradients(pairs[:, :, 0] * scale, pairs[:, :, 1] * scale,
                                  channels=2).astype(dtype)
    params = dict(orientations=9, pixels_per_cell=(1, 1), cells_per_block=(1, 1),
                  block_norm="L1")
    ours = hog(image, **params)
    assert_allclose(ours, _skimage(image, **params), rtol=RTOL, atol=ATOL)
    assert_allclose(ours, naive.hog_descriptor(image, **params), rtol=RTOL, atol=ATOL)


# --- the extractor ------------------------------------------------------------------


EXTRACTORS = [
    HOGExtractor(),
    HOGExtractor(orientations=4, pixels_per_cell=(4, 6), cells_per_block=(1, 2),
                 block_norm="L1"),
    HOGExtractor(pixels_per_cell=5, cells_per_block=3, block_norm="L1-sqrt",
                 transform_sqrt=True),
    HOGExtractor(orientations=12, block_norm="L2", n_jobs=2),
]


@pytest.mark.parametrize(
    "estimator, check, images, y",
    [case for extractor in EXTRACTORS for case in image_estimator_checks(extractor)],
    ids=lambda value: getattr(value, "__name__", None) or (
        repr(value) if hasattr(value, "get_params") else ""),
)
def test_image_estimator_checks(estimator, check, images, y):
    check(estimator, images, y)


# the batch kernel is compiled per dtype: two dtypes keep the suite fast, the
# others are covered through hog(), which shares everything but the prange loop
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_extractor_equals_function_and_skimage(dtype):
    rng = np.random.default_rng(10)
    images = [_random_image(rng, (48, 40, 3), dtype) for _ in range(5)]
    params = dict(orientations=8, pixels_per_cell=(6, 5), cells_per_block=(2, 3),
                  block_norm="L2")
    features = HOGExtractor(**params).fit_transform(images)
    assert features.shape == (5, hog(images[0], **params).size)
    for row, image in zip(features, images, strict=True):
        assert_array_equal(row, hog(image, **params))
        assert_allclose(row, _skimage(image, **params), rtol=RTOL, atol=ATOL)


def test_extractor_mixed_sizes_and_dtypes_in_one_batch():
    rng = np.random.default_rng(11)
    images = [_random_image(rng, (32, 32), np.uint8),
              _random_image(rng, (35, 39), np.float32),
              _random_image(rng, (32, 32, 3), np.uint8),
              _random_image(rng, (33, 38), np.uint8)]
    features = HOGExtractor().fit(images[:1]).transform(images)
    for row, image in zip(features, images, strict=True):
        assert_array_equal(row, hog(image))


@pytest.mark.parametrize("n_images", [1, 3, 600])
def test_extractor_n_jobs_invariance(n_images):
    rng = np.random.default_rng(12)
    size = 512 if n_images == 1 else 24  # one large image: parallel over cell rows
    images = rng.integers(0, 256, (n_images, size, size), dtype=np.uint8)
    one = HOGExtractor(n_jobs=1).fit_transform(images)
    every = HOGExtractor(n_jobs=-1).fit_transform(images)
    assert_array_equal(one, every)
    assert_array_equal(one[-1], hog(images[-1]))


def test_feature_names():
    images = [np.zeros((24, 32), np.uint8)]
    extractor = HOGExtractor(orientations=3, pixels_per_cell=8,
                             cells_per_block=(2, 3)).fit(images)
    names = extractor.get_feature_names_out()
    assert len(names) == extractor.n_features_out_ == 2 * 2 * 2 * 3 * 3
    assert len(set(names)) == len(names)
    assert names[0] == "hog_b0_c0_0_o0"
    assert names[17] == "hog_b0_c1_2_o2"
    assert names[18] == "hog_b1_c0_0_o0"


# --- errors ---------------------------------------------------------------------------


def test_too_small_image_raises():
    image = np.zeros((15, 40), np.uint8)
    with pytest.raises(ValueError, match=r"The input image is too small given the "
                       r"values of pixels_per_cell and cells_per_block\. It should "
                       r"have at least: 16 rows and 16 cols; got 15 rows and 40 cols"):
        hog(image)
    with pytest.raises(ValueError, match=r"at least: 24 rows and 10 cols"):
        hog(np.zeros((23, 9)), pixels_per_cell=(8, 5), cells_per_block=(3, 2))
    with pytest.raises(ValueError, match=r"X\[1\] of shape \(15, 40\) is too small.*"
                       r"16 rows and 16 cols"):
        HOGExtractor().fit([np.zeros((16, 16), np.uint8), image])


@pytest.mark.parametrize("params, match", [
    (dict(block_norm="L3"), r"'block_norm' parameter of hog must be a str among"),
    (dict(orientations=0), r"'orientations' parameter of hog must be an int in the "
                           r"range \[1, inf\)"),
    (dict(orientations=2.5), r"'orientations' parameter of hog must be an int"),
    (dict(transform_sqrt="yes"), r"'transform_sqrt' parameter of hog must be an "
                                 r"instance of 'bool'"),
    (dict(pixels_per_cell=(0, 8)), r"pixels_per_cell must be a positive int or .* "
                                   r"got \(0, 8\)"),
    (dict(pixels_per_cell=(8, 8, 8)), r"pixels_per_cell must be .* got \(8, 8, 8\)"),
    (dict(cells_per_block=[2]), r"cells_per_block must be .* got \[2\]"),
    (dict(cells_per_block=0), r"'cells_per_block' parameter of hog must be"),
])
def test_bad_parameters_raise(params, match):
    with pytest.raises(ValueError, match=match):
        hog(np.zeros((32, 32), np.uint8), **params)


@pytest.mark.parametrize("params, match", [
    (dict(block_norm="l2"), r"'block_norm' parameter of HOGExtractor must be a str "
                            r"among"),
    (dict(orientations=-1), r"'orientations' parameter of HOGExtractor"),
    (dict(pixels_per_cell=(8, -1)), r"pixels_per_cell must be a positive int or .* "
                                    r"got \(8, -1\)"),
    (dict(cells_per_block="22"), r"'cells_per_block' parameter of HOGExtractor must "
                                 r"be an int in the range \[1, inf\) or an array-like"),
    (dict(n_jobs="all"), r"'n_jobs' parameter of HOGExtractor"),
])
def test_extractor_bad_parameters_raise(params, match):
    with pytest.raises(ValueError, match=match):
        HOGExtractor(**params).fit([np.zeros((32, 32), np.uint8)])


def test_bad_images_raise():
    with pytest.raises(ValueError, match=r"transform_sqrt=True .* image must not be "
                       r"negative; got a minimum of -1\.0\. Shift or clip"):
        hog(np.full((16, 16), -1.0), transform_sqrt=True)
    with pytest.raises(ValueError, match=r"every image must not be negative"):
        HOGExtractor(transform_sqrt=True).fit([np.full((16, 16), -3, np.int16)])
    with pytest.raises(ValueError, match=r"image contains NaN or infinity"):
        hog(np.full((16, 16), np.nan))
    with pytest.raises(ValueError, match=r"image must have shape \(H, W\) or "
                       r"\(H, W, C\) with 1 to 4 channels; got shape \(16, 16, 5\)"):
        hog(np.zeros((16, 16, 5)))
    with pytest.raises(TypeError, match=r"image must be a numeric array"):
        hog(np.full((16, 16), "a"))
    extractor = HOGExtractor().fit([np.zeros((32, 32), np.uint8)])
    with pytest.raises(ValueError, match=r"gives 36 features, but HOGExtractor was "
                       r"fitted on images giving 324"):
        extractor.transform([np.zeros((16, 16), np.uint8)])
