"""Dense SIFT: kernels against their NumPy twins, geometry, OpenCV, the extractor."""

import pickle

import cv2
import numba
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.ndimage import gaussian_filter
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classical._kernels import dsift as kernels
from classical.descriptors import LocalFeatures
from classical.descriptors import _dense_sift as dense_sift_module
from classical.descriptors._dense_sift import DenseSIFTExtractor, dense_sift
from classical.parallel import limit_threads
from classical.preprocess import to_grayscale
from tests.naive import dsift as naive

# The kernels work in float32 and replace atan2 by a polynomial within
# ORIENTATION_ERROR bins; the twins use float64 and exact arctan2. An angle error
# of d bins moves at most d of a pixel's magnitude between two orientation bins,
# so a normalised value moves by about d (3e-6) plus float32 rounding of the
# sums and norms (~1e-6 relative): 2e-5 leaves a margin of several times both.
ATOL = 2e-5
ORIENTATION_ERROR = 3e-6
"""Bound on the kernels' orientation error in bins: 2.42e-6 for the polynomial,
plus float32 rounding of the division and of ``8 - t`` (half an ulp of 8 is 2.4e-7)."""


def _random_image(rng, shape, dtype):
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.floating):
        return rng.random(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 60000), shape,
                        endpoint=True).astype(dtype)


def _scale(dtype):
    if dtype == np.bool_:
        return 1.0
    return 1.0 / np.iinfo(dtype).max if np.issubdtype(dtype, np.integer) else 1.0


def _assert_twin(image, step=8, bin_size=4, contrast_threshold=0.005):
    ours, positions, scales = dense_sift(image, step=step, bin_size=bin_size,
                                         contrast_threshold=contrast_threshold)
    twin = naive.dense_sift_image(np.asarray(image), _scale(np.asarray(image).dtype),
                                  step, bin_size, contrast_threshold)
    assert ours.dtype == np.float32 and ours.shape == twin.shape
    assert positions.shape == (len(ours), 2) and scales.shape == (len(ours),)
    assert_allclose(ours, twin, atol=ATOL)
    return ours


def _geometry(bin_sizes, shape, step):
    """The kernels' size arguments and grid for ``bin_sizes`` on ``shape``."""
    largest = 4 * max(bin_sizes)
    offsets = np.array([(largest - 4 * b) // 2 for b in bin_sizes], np.int64)
    patches = np.array([4 * b for b in bin_sizes], np.int64)
    n_down = (shape[0] - largest) // step + 1
    n_across = (shape[1] - largest) // step + 1
    return offsets, kernels.spatial_tables(bin_sizes), patches, n_down, n_across


def _ramp(shape, degrees, slope=1.0, centre=0.0):
    """Linear ramp rising along ``degrees`` (from +x towards +y, y down)."""
    y, x = np.mgrid[:shape[0], :shape[1]].astype(np.float64)
    angle = np.deg2rad(degrees)
    return centre + slope * (np.cos(angle) * (x - shape[1] / 2)
                             + np.sin(angle) * (y - shape[0] / 2))


def _orientation_histogram(descriptor):
    return np.asarray(descriptor, np.float64).reshape(4, 4, 8).sum(axis=(0, 1))


# --- agreement with the twin -------------------------------------------------------


def _orientations(g_x, g_y):
    """The kernel's magnitude and orientation (bins) of float32 gradients."""
    return np.array([kernels.orientation(np.float32(x), np.float32(y))
                     for x, y in zip(g_x, g_y)], np.float64).T


def test_orientation_polynomial_within_its_error_bound():
    rng = np.random.default_rng(11)
    angles = np.concatenate([rng.uniform(-np.pi, np.pi, 1500),
                             np.arange(-720, 721) * np.pi / 720])  # quarter degrees
    radius = np.exp(rng.uniform(np.log(1e-6), np.log(2.0), len(angles)))
    g_x = (radius * np.cos(angles)).astype(np.float32)
    g_y = (radius * np.sin(angles)).astype(np.float32)
    magnitude, t = _orientations(g_x, g_y)
    exact = np.mod(np.arctan2(g_y.astype(np.float64), g_x), 2 * np.pi) * 4 / np.pi
    distance = np.abs(t - exact)
    assert (t >= 0).all() and (t <= 8).all()
    assert np.minimum(distance, 8 - distance).max() <= ORIENTATION_ERROR
    assert_allclose(magnitude, np.hypot(g_x.astype(np.float64), g_y), rtol=1e-6)


def test_orientation_exact_on_bin_centres_and_zero_gradient():
    unit = np.array([1, 1, 0, -1, -1, -1, 0, 1], np.float32)  # cos(45 k), rounded
    g_x = np.concatenate([0.25 * unit, [0, -0.0]])
    g_y = np.concatenate([0.25 * np.roll(unit, 2), [-0.0, 0]])  # sin(45 k)
    magnitude, t = _orientations(g_x, g_y)
    assert_array_equal(t[:8] % 8, np.arange(8))
    assert_array_equal(magnitude[8:], 0)
    assert_array_equal(t[8:] % 8, 0)



@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64,
                                   np.int16, np.bool_])
@pytest.mark.parametrize("shape", [(40, 52), (16, 16), (33, 17)])
def test_random_images_every_dtype(dtype, shape):
    rng = np.random.default_rng([np.dtype(dtype).num, *shape])
    descriptors = _assert_twin(_random_image(rng, shape, dtype))
    assert_allclose(np.linalg.norm(descriptors, axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("step, bin_size", [(8, 4), (5, 3), (2, 1), (1, 2), (16, 6)])
def test_steps_and_bin_sizes(step, bin_size):
    rng = np.random.default_rng(step * 10 + bin_size)
    _assert_twin(rng.random((37, 45)), step=step, bin_size=bin_size)


def test_smooth_image_with_low_contrast_patches():
    image = 0.5 + 0.02 * np.sin(_ramp((48, 64), 20, slope=0.3))
    image[:, 30:] = 0.5  # flat on the right: zero descriptors there
    ours = _assert_twin(image, step=4, contrast_threshold=1e-3)
    assert (ours == 0).all(axis=1).any() and (ours != 0).any(axis=1).any()


@pytest.mark.parametrize("value", [0, 7, 255])
@pytest.mark.parametrize("contrast_threshold", [0.005, 0.0])
def test_constant_and_zero_images_give_zero_descriptors(value, contrast_threshold):
    image = np.full((24, 40), value, np.uint8)
    ours = _assert_twin(image, contrast_threshold=contrast_threshold)
    assert_array_equal(ours, 0)


def test_non_contiguous_view():
    rng = np.random.default_rng(3)
    big = rng.integers(0, 256, (70, 90), dtype=np.uint8)
    view = big[::2, 1::3].T
    assert not view.flags.c_contiguous
    ours = _assert_twin(view)
    assert_array_equal(ours, dense_sift(np.ascontiguousarray(view))[0])


def test_uint8_equals_float_scaled():
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (32, 40), dtype=np.uint8)
    assert_allclose(dense_sift(image)[0], dense_sift(image / 255.0)[0], atol=1e-5)


@pytest.mark.parametrize("bin_sizes", [(4,), (3, 2), (2, 3, 1)])
def test_batch_kernel_matches_twin(bin_sizes):
    rng = np.random.default_rng(5)
    stack = rng.integers(0, 256, (3, 24, 32), dtype=np.uint8)
    geometry = _geometry(bin_sizes, stack.shape[1:], 5)
    n_rows = len(bin_sizes) * geometry[3] * geometry[4]
    out = np.empty((3, n_rows, 128), np.float32)
    kernels.dense_sift_batch(stack, 1, 1 / 255, 5, *geometry, 0.005, 0, out)
    assert_allclose(out, naive.dense_sift_batch(stack, 1 / 255, 5, bin_sizes, 0.005),
                    atol=ATOL)


def test_batch_kernel_channels_and_row_offset():
    # planes of 2 images x 3 channels; the 12 patches land in rows 12 to 23 of 36
    planes = np.random.default_rng(6).random((6, 24, 32))
    geometry = _geometry((2,), planes.shape[1:], 8)
    out = np.full((2, 36, 384), -1.0, np.float32)
    kernels.dense_sift_batch(planes, 3, 1.0, 8, *geometry, 0.005, 12, out)
    for q, plane in enumerate(planes):
        block = out[q // 3, 12:24, 128 * (q % 3):128 * (q % 3 + 1)]
        assert_allclose(block, naive.dense_sift_image(plane, 1.0, 8, 2, 0.005),
                        atol=ATOL)
    assert (out[:, :12] == -1).all() and (out[:, 24:] == -1).all()


@pytest.mark.parametrize("shape, step, bin_sizes", [((64, 70), 8, (4,)),
                                                    ((30, 41), 3, (2, 1)),
                                                    ((16, 16), 8, (4,))])
def test_row_parallel_kernel_matches_twin(shape, step, bin_sizes):
    image = np.random.default_rng(8).random(shape)
    geometry = _geometry(bin_sizes, shape, step)
    out = np.empty((len(bin_sizes) * geometry[3] * geometry[4], 256), np.float32)
    kernels.dense_sift_image_parallel(image, 1.0, step, *geometry, 0.005, 0, 128, out)
    assert_allclose(out[:, 128:],
                    naive.dense_sift_image(image, 1.0, step, bin_sizes, 0.005),
                    atol=ATOL)


def test_large_image_path_matches_batch_path(monkeypatch):
    image = np.random.default_rng(9).integers(0, 256, (40, 56), dtype=np.uint8)
    serial = dense_sift(image)[0]
    monkeypatch.setattr(dense_sift_module, "_PARALLEL_PIXELS", 1)
    called = []
    parallel_kernel = kernels.dense_sift_image_parallel
    monkeypatch.setattr(kernels, "dense_sift_image_parallel",
                        lambda *args: called.append(1) or parallel_kernel(*args))
    with limit_threads(2):
        assert_array_equal(dense_sift(image)[0], serial)
        features = DenseSIFTExtractor(n_jobs=2).fit_transform([image])
    assert_array_equal(features[0], serial)
    assert len(called) == (2 if numba.config.NUMBA_NUM_THREADS > 1 else 0)


# --- geometry ----------------------------------------------------------------------


def test_grid_positions_and_scales():
    descriptors, positions, scales = dense_sift(np.zeros((35, 50)), step=6,
                                                bin_size=3)
    xs = np.arange(0, 50 - 12 + 1, 6) + 5.5
    ys = np.arange(0, 35 - 12 + 1, 6) + 5.5
    assert len(descriptors) == len(xs) * len(ys)
    assert_array_equal(positions[:, 0], np.tile(xs, len(ys)))
    assert_array_equal(positions[:, 1], np.repeat(ys, len(xs)))
    assert_array_equal(scales, 3)
    assert positions.dtype == scales.dtype == np.float32


@pytest.mark.parametrize("degrees, expected", [(0, 0), (45, 1), (90, 2), (180, 4),
                                               (270, 6), (300, 7)])
def test_ramp_falls_in_its_orientation_bin(degrees, expected):
    descriptors, _, _ = dense_sift(_ramp((32, 32), degrees, slope=0.01))
    histogram = _orientation_histogram(descriptors[0])
    assert histogram.argmax() == expected
    if degrees % 45 == 0:  # on a bin centre: nothing in any other bin
        assert_allclose(np.delete(histogram, expected), 0, atol=1e-6)


def test_rotation_by_90_degrees_shifts_orientations_by_two_bins():
    # a square image whose patch grid maps onto itself under rotation
    image = np.random.default_rng(6).random((40, 40))
    n = 4  # patches per side: (40 - 16) // 8 + 1
    before = dense_sift(image)[0].reshape(n, n, 4, 4, 8)
    after = dense_sift(np.rot90(image))[0].reshape(n, n, 4, 4, 8)
    # np.rot90 turns (g_x, g_y) into (g_y, -g_x): 90 degrees less, 2 bins back
    expected = np.roll(np.rot90(np.rot90(before), axes=(2, 3)), -2, axis=4)
    assert_allclose(after, expected, atol=1e-5)
    ramp = _ramp((32, 32), 30, slope=0.01)
    histogram = _orientation_histogram(dense_sift(ramp)[0][0])
    rotated = _orientation_histogram(dense_sift(np.rot90(ramp))[0][0])
    assert_allclose(rotated, np.roll(histogram, -2), atol=1e-5)
    assert histogram.argmax() == 1 and rotated.argmax() == 7


@pytest.mark.parametrize("degrees", [0, 30, 75, 100, 135, 200, 250, 320])
def test_dominant_bin_agrees_with_opencv(degrees):
    # OpenCV's window reaches ~85 pixels from a size-16 keypoint: a large image,
    # described only at its centre
    # (a steep ramp, so that rounding to uint8 barely perturbs the angles)
    image = np.clip(np.round(_ramp((200, 200), degrees, slope=1.4, centre=128)),
                    0, 255).astype(np.uint8)
    descriptors, positions, _ = dense_sift(image)
    centre = np.argmin(np.abs(positions - 99.5).sum(axis=1))
    x, y = positions[centre]
    keypoints = [cv2.KeyPoint(float(x), float(y), 16)]
    _, theirs = cv2.SIFT_create().compute(image, keypoints)
    ours_bin = _orientation_histogram(descriptors[centre]).argmax()
    their_bin = _orientation_histogram(theirs[0]).argmax()
    # OpenCV measures angles with y pointing up
    assert their_bin == (8 - ours_bin) % 8
    # every angle tested is at least 7.5 degrees from a bin boundary
    assert ours_bin == round(degrees / 45) % 8


@pytest.mark.parametrize("step, bin_sizes", [(4, 4), (6, (6, 4, 3))])
def test_descriptors_agree_with_opencv_bins_of_the_same_width(step, bin_sizes):
    # OpenCV's spatial bin is 3 * size / 2 pixels wide: keypoints of size
    # 2 * bin_size / 3 at our centres describe nearly the same 4 x 4 bins (its
    # Gaussian window and rotatable grid differ), so the descriptors nearly
    # agree; keypoints half or twice that size agree less
    smooth = gaussian_filter(np.random.default_rng(12).random((64, 64)), 2)
    image = np.clip((smooth - 0.5) * 1000 + 128, 0, 255).astype(np.uint8)
    ours, positions, scales = dense_sift(image, step=step, bin_size=bin_sizes)
    flip = (8 - np.arange(8)) % 8  # OpenCV measures angles with y pointing up
    agreement = {}
    for factor in (0.5, 1.0, 2.0):
        keypoints = [cv2.KeyPoint(float(x), float(y), factor * 2 * float(s) / 3)
                     for (x, y), s in zip(positions, scales)]
        kept, theirs = cv2.SIFT_create().compute(image, keypoints)
        assert len(kept) == len(ours)
        theirs = theirs.reshape(-1, 4, 4, 8)[..., flip].reshape(len(ours), 128)
        theirs /= np.linalg.norm(theirs, axis=1, keepdims=True)
        agreement[factor] = np.sum(ours * theirs, axis=1)
    for s in np.unique(scales):
        assert agreement[1.0][scales == s].mean() > 0.85
    assert agreement[1.0].mean() > max(agreement[0.5].mean(), agreement[2.0].mean())


# --- errors ------------------------------------------------------------------------


def test_image_smaller_than_one_patch():
    with pytest.raises(ValueError, match=r"smaller than one patch of 4 \* bin_size "
                                         r"= 16 pixels"):
        dense_sift(np.zeros((15, 40)))
    with pytest.raises(ValueError, match="= 12 pixels"):
        dense_sift(np.zeros((40, 11)), bin_size=3)


def test_bad_parameters():
    image = np.zeros((32, 32))
    with pytest.raises(ValueError, match="'step' parameter"):
        dense_sift(image, step=0)
    with pytest.raises(ValueError, match="'bin_size' parameter"):
        dense_sift(image, bin_size=1.5)
    with pytest.raises(ValueError, match="'contrast_threshold' parameter"):
        dense_sift(image, contrast_threshold=-1)
    with pytest.raises(ValueError, match="contains NaN or infinity"):
        dense_sift(np.full((32, 32), np.nan))
    for magnification in (0, -1.0, "6"):
        with pytest.raises(ValueError, match="'magnification' parameter"):
            dense_sift(image, magnification=magnification)
    with pytest.raises(ValueError, match="'color_space' parameter") as error:
        dense_sift(image, color_space="lab")
    for option in ("'gray'", "'rgb'", "'hsv'", "'opponent'", "Got 'lab'"):
        assert option in str(error.value)
    with pytest.raises(ValueError, match="'bin_size' parameter .* array-like"):
        dense_sift(image, bin_size="4")


@pytest.mark.parametrize("bin_size", [(4, 4), (), [3, 0], (2.0, 3), [[2, 3]]])
def test_bad_bin_size_sequences(bin_size):
    with pytest.raises(ValueError, match=r"bin_size must be a positive int or a "
                                         r"non-empty sequence of distinct positive "
                                         r"ints, e\.g\. \(4, 6, 8, 10\); got"):
        dense_sift(np.zeros((48, 48)), bin_size=bin_size)


def test_colour_space_needs_a_colour_image():
    with pytest.raises(ValueError, match=r"image must be a colour image of shape "
                                         r"\(H, W, 3\); got shape \(32, 32\)"):
        dense_sift(np.zeros((32, 32)), color_space="opponent")
    with pytest.raises(ValueError, match=r"smaller than one patch of 4 \* "
                                         r"max\(bin_size\) = 40 pixels"):
        dense_sift(np.zeros((39, 60, 3)), bin_size=[4, 10], color_space="rgb")


# --- several bin sizes, smoothing, colour (PHOW) -----------------------------------


@pytest.mark.parametrize("step, bin_sizes", [(4, (4, 6)), (3, (3, 1, 2)), (8, [5]),
                                             (5, np.array([2, 4]))])
def test_several_bin_sizes_match_twin(step, bin_sizes):
    rng = np.random.default_rng(step)
    image = rng.integers(0, 256, (37, 45), dtype=np.uint8)
    ours, positions, scales = dense_sift(image, step=step, bin_size=bin_sizes)
    sizes = list(np.atleast_1d(bin_sizes))
    assert_allclose(ours, naive.dense_sift_image(image, 1 / 255, step, sizes, 0.005),
                    atol=ATOL)
    # size after size on one grid: the largest patch's, centres shared
    n_grid = len(ours) // len(sizes)
    _, grid, _ = dense_sift(image, step=step, bin_size=max(sizes))
    assert n_grid == len(grid)
    assert_array_equal(positions, np.tile(grid, (len(sizes), 1)))
    assert_array_equal(scales, np.repeat(sizes, n_grid))


def test_one_size_in_a_sequence_equals_the_int():
    image = np.random.default_rng(1).random((30, 34))
    for a, b in zip(dense_sift(image, bin_size=3), dense_sift(image, bin_size=(3,))):
        assert_array_equal(a, b)


def test_sizes_share_centres_with_their_own_patches():
    # a blob centred on the first grid point: each size's patch is centred on it,
    # so flipping the image about that point mirrors every size's first histogram
    y, x = np.mgrid[:40, :40]
    blob = np.exp(-((x - 19.5) ** 2 + (y - 19.5) ** 2) / 60.0)
    descriptors, positions, _ = dense_sift(blob, step=50, bin_size=(10, 6, 2))
    assert_array_equal(positions, [[19.5, 19.5]] * 3)
    for row in descriptors.reshape(3, 4, 4, 8):
        # x -> -x: spatial columns reversed, orientation k -> (4 - k) % 8
        assert_allclose(row, row[:, ::-1][..., (4 - np.arange(8)) % 8], atol=1e-5)


@pytest.mark.parametrize("magnification, bin_sizes", [(6, (4, 2)), (1.5, 3)])
def test_smoothing_matches_twin(magnification, bin_sizes):
    image = np.random.default_rng(2).integers(0, 256, (30, 38), dtype=np.uint8)
    ours = dense_sift(image, step=4, bin_size=bin_sizes, magnification=magnification)[0]
    twin = naive.dense_sift(image, 4, bin_sizes, 0.005, magnification)
    assert_allclose(ours, twin, atol=1e-4)


def test_twin_smoothing_agrees_with_scipy_and_opencv():
    image = np.random.default_rng(3).random((25, 31))
    for sigma in (0.5, 4 / 6, 2.3):
        twin = naive.gaussian_smooth(image, sigma)
        assert_allclose(twin, gaussian_filter(image, sigma, mode="nearest"),
                        atol=1e-12)
        side = 2 * int(4 * sigma + 0.5) + 1
        theirs = cv2.GaussianBlur(image, (side, side), sigma,
                                  borderType=cv2.BORDER_REPLICATE)
        assert_allclose(twin, theirs, atol=1e-6)


def test_smoothing_equals_describing_a_smoothed_image():
    image = np.random.default_rng(4).integers(0, 256, (36, 36), dtype=np.uint8)
    ours = dense_sift(image, bin_size=(4, 3), magnification=2.0)[0]
    for k, bin_size in enumerate((4, 3)):
        smoothed = cv2.GaussianBlur(image.astype(np.float64) / 255, (0, 0),
                                    bin_size / 2.0, borderType=cv2.BORDER_REPLICATE)
        rows = slice(k * len(ours) // 2, (k + 1) * len(ours) // 2)
        expected = naive.dense_sift_image(smoothed, 1.0, 8, (4, 3), 0.005)[rows]
        assert_allclose(ours[rows], expected, atol=2e-4)


@pytest.mark.parametrize("color_space", ["rgb", "hsv", "opponent"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_colour_spaces_match_twin(color_space, dtype):
    rng = np.random.default_rng(len(color_space))
    image = _random_image(rng, (27, 33, 4), dtype)  # alpha is ignored
    ours, positions, _ = dense_sift(image, step=5, bin_size=(3, 2),
                                    color_space=color_space)
    twin = naive.dense_sift(image, 5, (3, 2), 0.005, None, color_space)
    assert ours.shape == (len(positions), 384)
    assert_allclose(ours, twin, atol=1e-4)
    norms = np.linalg.norm(ours.reshape(len(ours), 3, 128), axis=2)
    assert np.all((np.abs(norms - 1) < 1e-5) | (norms == 0))


def test_rgb_blocks_are_the_channels_described_alone():
    image = np.random.default_rng(5).integers(0, 256, (32, 40, 3), dtype=np.uint8)
    ours = dense_sift(image, bin_size=(2, 3), magnification=3, color_space="rgb")[0]
    for c in range(3):
        alone = dense_sift(np.ascontiguousarray(image[..., c]), bin_size=(2, 3),
                           magnification=3)[0]
        assert_array_equal(ours[:, 128 * c:128 * (c + 1)], alone)


def test_gray_accepts_colour_through_to_grayscale():
    image = np.random.default_rng(6).integers(0, 256, (32, 40, 3), dtype=np.uint8)
    ours = dense_sift(image, bin_size=(4, 2))[0]
    assert_array_equal(ours, dense_sift(to_grayscale(image), bin_size=(4, 2))[0])
    assert_allclose(ours, naive.dense_sift(image, 8, (4, 2), 0.005), atol=ATOL)


def test_flat_channel_gets_a_zero_block():
    # opponent O1 = (R - G + 1) / 2 is flat where R == G: only that block is zero
    image = np.random.default_rng(7).random((24, 24, 3))
    image[..., 1] = image[..., 0]
    descriptors = dense_sift(image, color_space="opponent")[0]
    blocks = descriptors.reshape(len(descriptors), 3, 128)
    assert_array_equal(blocks[:, 0], 0)
    assert_allclose(np.linalg.norm(blocks[:, 1:], axis=2), 1, rtol=1e-5)


# --- the extractor -----------------------------------------------------------------


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, shape, dtype=np.uint8)
            for shape in [(32, 40), (24, 24), (32, 40), (48, 17)]]


def test_extractor_matches_function_on_mixed_sizes():
    images = _batch()
    features = DenseSIFTExtractor(step=4, bin_size=3).fit_transform(images)
    assert isinstance(features, LocalFeatures) and len(features) == 4
    for i, image in enumerate(images):
        descriptors, positions, scales = dense_sift(image, step=4, bin_size=3)
        assert_array_equal(features[i], descriptors)
        assert_array_equal(features.image(i).positions, positions)
        assert_array_equal(features.image(i).scales, scales)
    assert_array_equal(features.image_shapes, [image.shape for image in images])


def test_extractor_stack_list_and_n_jobs_agree():
    stack = np.stack([_batch(s)[0] for s in range(5)])
    reference = DenseSIFTExtractor().fit_transform(list(stack))
    for n_jobs in (1, 2, -1):
        features = DenseSIFTExtractor(n_jobs=n_jobs).fit(stack).transform(stack)
        assert_array_equal(features.descriptors, reference.descriptors)
        assert_array_equal(features.offsets, reference.offsets)


def test_extractor_contract():
    images = _batch()
    extractor = DenseSIFTExtractor(step=5)
    with pytest.raises(NotFittedError):
        extractor.transform(images)
    twin = clone(extractor)
    assert twin.get_params() == extractor.get_params()
    assert extractor.fit(images) is extractor and extractor.n_dims_ == 128
    restored = pickle.loads(pickle.dumps(extractor))
    assert_array_equal(restored.transform(images).descriptors,
                       extractor.transform(images).descriptors)
    assert extractor.__sklearn_tags__().input_tags.two_d_array is False


def test_extractor_errors():
    with pytest.raises(ValueError, match=r"X\[1\] of shape \(15, 30\) is too small"):
        DenseSIFTExtractor().fit([np.zeros((20, 20)), np.zeros((15, 30))])
    with pytest.raises(ValueError, match="'step' parameter"):
        DenseSIFTExtractor(step=0).fit(_batch())
    with pytest.raises(ValueError, match=r"X\[0\] must be a colour image"):
        DenseSIFTExtractor(color_space="hsv").fit([np.zeros((20, 20))])
    with pytest.raises(ValueError, match=r"bin_size must be a positive int or a "
                                         "non-empty sequence"):
        DenseSIFTExtractor(bin_size=[3, 3]).fit(_batch())
    with pytest.raises(ValueError, match="'color_space' parameter"):
        DenseSIFTExtractor(color_space="HSV").fit(_batch())
    with pytest.raises(ValueError, match=r"X\[0\] of shape \(32, 40\) is too small. "
                                         "It should have at least: 40 rows"):
        DenseSIFTExtractor(bin_size=(4, 10)).fit(_batch())


@pytest.mark.parametrize("color_space", ["gray", "opponent"])
def test_phow_extractor_matches_function(color_space):
    rng = np.random.default_rng(10)
    images = [rng.integers(0, 256, shape, dtype=np.uint8)
              for shape in [(30, 34, 3), (26, 26, 3), (30, 34, 3)]]
    params = dict(step=4, bin_size=(3, 2), magnification=6.0, color_space=color_space)
    extractor = DenseSIFTExtractor(**params).fit(images)
    assert extractor.n_dims_ == (128 if color_space == "gray" else 384)
    features = extractor.transform(images)
    stacked = extractor.transform(np.stack([images[0], images[2]]))
    for i, image in enumerate(images):
        descriptors, positions, scales = dense_sift(image, **params)
        assert_array_equal(features[i], descriptors)
        assert_array_equal(features.image(i).positions, positions)
        assert_array_equal(features.image(i).scales, scales)
    assert_array_equal(stacked.descriptors,
                       np.concatenate([features[0], features[2]]))
    assert_array_equal(features.image_shapes, [im.shape[:2] for im in images])
    assert_array_equal(stacked.image_shapes, [(30, 34), (30, 34)])


def test_large_image_path_with_sizes_smoothing_and_colour(monkeypatch):
    image = np.random.default_rng(11).integers(0, 256, (30, 36, 3), dtype=np.uint8)
    params = dict(step=6, bin_size=(3, 2), magnification=4, color_space="hsv")
    serial = dense_sift(image, **params)[0]
    monkeypatch.setattr(dense_sift_module, "_PARALLEL_PIXELS", 1)
    with limit_threads(2):
        assert_array_equal(dense_sift(image, **params)[0], serial)
