"""Dense LBP and colour patches: kernels against twins, scikit-image, extractors."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.feature import local_binary_pattern as skimage_lbp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classical._kernels import patches as kernels
from classical.descriptors import LocalFeatures
from classical.descriptors._dense_sift import DenseSIFTExtractor
from classical.descriptors._lbp import _bin_codes
from classical.descriptors._patches import (
    DenseColorExtractor,
    DenseLBPExtractor,
    dense_color_moments,
    dense_lbp,
)
from classical.preprocess import convert_color
from tests.naive import patches as naive

DTYPES = [np.uint8, np.uint16, np.float32, np.float64, np.int16, np.bool_]


def _image(rng, shape, dtype):
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.floating):
        return rng.random(shape).astype(dtype)
    top = min(np.iinfo(dtype).max, 4000)
    return rng.integers(0, top, shape, endpoint=True).astype(dtype)


def _lbp_twin(image, step=8, patch_size=16, P=8, R=1, method="uniform",
              per_channel=False):
    canonical = "uniform" if method == "riu2" else method
    codes, table = _bin_codes(P, canonical)
    return naive.dense_lbp_batch([image], P, R, canonical, codes.size, step,
                                 patch_size, per_channel, table)[0]


def _grid_twin(shape, step, size):
    """Patch centres (x, y) written out one by one."""
    return np.array([[c + (size - 1) / 2, r + (size - 1) / 2]
                     for r in range(0, shape[0] - size + 1, step)
                     for c in range(0, shape[1] - size + 1, step)])


# --- kernels against their twins ----------------------------------------------------


@pytest.mark.parametrize("shape, step, size", [
    ((20, 27), 4, 8), ((16, 16), 8, 16), ((19, 23), 5, 5), ((30, 30), 7, 3),
    ((5, 9), 1, 1), ((12, 40), 3, 12),
])
def test_patch_histograms_equal_twin(shape, step, size):
    rng = np.random.default_rng(size * 100 + step)
    n_bins = 6
    bins = rng.integers(0, n_bins, shape).astype(np.int64)
    n_patches = len(_grid_twin(shape, step, size))
    out = np.full((n_patches, n_bins + 3), -1, np.float32)
    kernels.patch_histograms(bins, n_bins, step, size, 2, out)
    assert_allclose(out[:, 2:2 + n_bins], naive.patch_histograms(bins, n_bins, step,
                                                                 size), rtol=1e-6)
    assert_array_equal(out[:, :2], -1)  # columns outside the block are untouched
    assert_array_equal(out[:, 2 + n_bins:], -1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_lbp_equals_twin_every_dtype(dtype):
    rng = np.random.default_rng(np.dtype(dtype).num)
    image = _image(rng, (27, 34), dtype)
    descriptors, _, _ = dense_lbp(image, step=5, patch_size=10)
    assert descriptors.dtype == np.float32
    assert_allclose(descriptors, _lbp_twin(image, 5, 10), rtol=1e-6)
    assert_allclose(descriptors.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("method, P, R", [
    ("uniform", 8, 1), ("riu2", 8, 2.5), ("ror", 8, 1), ("nri_uniform", 8, 1),
    ("default", 4, 1), ("uniform", 16, 2),
])
def test_dense_lbp_methods_equal_twin(method, P, R):
    rng = np.random.default_rng(P)
    image = rng.integers(0, 256, (24, 21), dtype=np.uint8)
    descriptors = dense_lbp(image, step=4, patch_size=9, P=P, R=R, method=method)[0]
    assert_allclose(descriptors, _lbp_twin(image, 4, 9, P, R, method), rtol=1e-6)


@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("channels", [3, 4])
def test_dense_lbp_colour_equals_twin(per_channel, channels):
    rng = np.random.default_rng(channels)
    image = rng.integers(0, 256, (20, 18, channels), dtype=np.uint8)
    descriptors = dense_lbp(image, step=6, patch_size=8, per_channel=per_channel)[0]
    assert descriptors.shape[1] == 10 * (channels if per_channel else 1)
    assert_allclose(descriptors, _lbp_twin(image, 6, 8, per_channel=per_channel),
                    rtol=1e-6)


@pytest.mark.parametrize("value", [0, 7, 255])
def test_dense_lbp_constant_images(value):
    image = np.full((17, 17), value, np.uint8)
    assert_allclose(dense_lbp(image, step=1, patch_size=17)[0], _lbp_twin(image, 1, 17),
                    rtol=1e-6)


def test_dense_lbp_non_contiguous_views():
    rng = np.random.default_rng(5)
    base = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    for view in (base[::2, ::3, 1], base[:, :, 0].T, base[5:30, 7:50][::-1]):
        assert_allclose(dense_lbp(view, step=4, patch_size=8)[0],
                        _lbp_twin(view, 4, 8), rtol=1e-6)


def test_dense_lbp_patch_equals_skimage_histogram():
    rng = np.random.default_rng(11)
    image = rng.integers(0, 256, (40, 50), dtype=np.uint8)
    descriptors, positions, _ = dense_lbp(image, step=5, patch_size=12, P=8, R=1.5)
    codes = skimage_lbp(image, 8, 1.5, method="uniform")
    for p in (0, 7, len(descriptors) - 1):
        col, row = (positions[p] - 5.5).astype(int)
        patch = codes[row:row + 12, col:col + 12]
        expected = np.histogram(patch, bins=10, range=(0, 10))[0] / patch.size
        assert_allclose(descriptors[p], expected, rtol=1e-6)


@pytest.mark.parametrize("color_space", ["rgb", "hsv", "lab", "opponent"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_dense_color_moments_equal_twin(color_space, dtype):
    rng = np.random.default_rng(np.dtype(dtype).num)
    image = _image(rng, (21, 26, 3), dtype)
    if np.issubdtype(dtype, np.integer):
        image = (image.astype(np.float64) / 4000 * np.iinfo(dtype).max).astype(dtype)
    descriptors = dense_color_moments(image, step=5, patch_size=8,
                                      color_space=color_space, moments=3)[0]
    twin = naive.dense_color_moments_batch([image], color_space, 3, 5, 8)[0]
    assert descriptors.dtype == np.float32
    assert_allclose(descriptors, twin, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("moments", [1, 2, 3])
def test_dense_color_moments_counts_and_constant_patches(moments):
    image = np.zeros((16, 24, 4), np.uint8)
    image[..., :3] = (10, 200, 30)
    descriptors = dense_color_moments(image, step=8, patch_size=16, moments=moments)[0]
    assert descriptors.shape == (2, 3 * moments)
    expected = np.zeros((3, moments))
    expected[:, 0] = np.array([10, 200, 30]) / 255
    assert_allclose(descriptors, np.tile(expected.ravel(), (2, 1)), atol=1e-7)


def test_opponent_matches_convert_color():
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    descriptors = dense_color_moments(image, step=16, patch_size=16,
                                      color_space="opponent")[0]
    converted = convert_color(image, "opponent").reshape(-1, 3)
    expected = np.stack([converted.mean(axis=0), converted.std(axis=0)], axis=1)
    assert_allclose(descriptors[0], expected.ravel(), rtol=1e-5)


def test_dense_color_moments_non_contiguous_and_bool():
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, (30, 40, 4), dtype=np.uint8)
    view = base[::-1, ::2, :3]
    assert_allclose(dense_color_moments(view, step=4, patch_size=6)[0],
                    naive.dense_color_moments_batch([view], "rgb", 2, 4, 6)[0],
                    atol=1e-6)
    flags = base[..., :3] > 127
    assert_allclose(dense_color_moments(flags, step=4, patch_size=6)[0],
                    naive.dense_color_moments_batch([flags.astype(np.float64)], "rgb",
                                                    2, 4, 6)[0], atol=1e-6)


# --- geometry ---------------------------------------------------------------------


@pytest.mark.parametrize("shape, step, size", [((37, 45), 8, 16), ((16, 30), 3, 7),
                                               ((9, 9), 10, 9)])
def test_positions_follow_the_grid(shape, step, size):
    image = np.zeros(shape + (3,), np.uint8)
    for function in (dense_lbp, dense_color_moments):
        descriptors, positions, scales = function(image, step=step, patch_size=size)
        assert_array_equal(positions, _grid_twin(shape, step, size))
        assert_array_equal(scales, size)
        assert len(descriptors) == len(positions)


def test_same_positions_as_dense_sift():
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, shape, dtype=np.uint8)
              for shape in [(40, 56), (33, 17)]]
    sift = DenseSIFTExtractor(step=6, bin_size=4).fit_transform(images)
    lbp = DenseLBPExtractor(step=6, patch_size=16).fit_transform(images)
    assert_array_equal(lbp.offsets, sift.offsets)
    assert_array_equal(lbp.positions, sift.positions)
    assert_array_equal(lbp.image_shapes, sift.image_shapes)


# --- extractors -------------------------------------------------------------------

EXTRACTORS = [
    DenseLBPExtractor(step=6, patch_size=10),
    DenseLBPExtractor(step=6, patch_size=10, per_channel=True, method="ror"),
    DenseColorExtractor(step=6, patch_size=10, color_space="hsv", moments=3),
]


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, shape, dtype=np.uint8)
            for shape in [(24, 30, 3), (16, 16, 3), (24, 30, 3), (31, 20, 3)]]


@pytest.mark.parametrize("extractor", EXTRACTORS, ids=repr)
def test_extractor_equals_function_per_image(extractor):
    images = _batch()
    features = clone(extractor).fit_transform(images)
    assert isinstance(features, LocalFeatures)
    assert_array_equal(features.image_shapes, [im.shape[:2] for im in images])
    params = {k: v for k, v in extractor.get_params().items() if k != "n_jobs"}
    function = dense_lbp if isinstance(extractor, DenseLBPExtractor) else \
        dense_color_moments
    for i, image in enumerate(images):
        descriptors, positions, scales = function(image, **params)
        assert_array_equal(features[i], descriptors)
        assert_array_equal(features.image(i).positions, positions)
        assert_array_equal(features.image(i).scales, scales)
    assert features.n_dims == extractor.fit(images).n_dims_


@pytest.mark.parametrize("extractor", EXTRACTORS, ids=repr)
def test_extractor_contract(extractor):
    images = _batch(1)
    with pytest.raises(NotFittedError):
        clone(extractor).transform(images)
    fitted = clone(extractor)
    assert fitted.fit(images) is fitted
    assert clone(extractor).get_params() == extractor.get_params()
    whole = fitted.transform(images)
    restored = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(restored.transform(images).descriptors, whole.descriptors)
    parts = LocalFeatures.concatenate([fitted.transform(images[:2]),
                                       fitted.transform(images[2:])])
    assert_array_equal(parts.descriptors, whole.descriptors)
    assert_array_equal(parts.offsets, whole.offsets)
    for n_jobs in (1, 2):
        again = clone(extractor).set_params(n_jobs=n_jobs).fit(images)
        assert_array_equal(again.transform(images).descriptors, whole.descriptors)


def test_stack_equals_list():
    stack = np.stack([im for im in _batch(2) if im.shape == (24, 30, 3)])
    for extractor in EXTRACTORS:
        from_stack = clone(extractor).fit_transform(stack)
        from_list = clone(extractor).fit_transform(list(stack))
        assert_array_equal(from_stack.descriptors, from_list.descriptors)
        assert_array_equal(from_stack.positions, from_list.positions)


def test_mixed_dtypes_and_gray_images():
    rng = np.random.default_rng(4)
    images = [rng.integers(0, 256, (20, 20), dtype=np.uint8), rng.random((20, 26))]
    features = DenseLBPExtractor(step=5, patch_size=10).fit_transform(images)
    assert features.counts.tolist() == [9, 12]
    assert_allclose(features[1], _lbp_twin(images[1], 5, 10), rtol=1e-6)


@pytest.mark.shared_data
def test_eurosat_images_sum_to_one(eurosat_dir):
    from classical.datasets import load_images

    images = load_images(sorted((eurosat_dir / "Forest").glob("*.jpg"))[:2]
                         + sorted((eurosat_dir / "Highway").glob("*.jpg"))[:2],
                         on_error="raise").images
    features = DenseLBPExtractor().fit_transform(images)
    assert_allclose(features.descriptors.sum(axis=1), 1.0, rtol=1e-5)
    colour = DenseColorExtractor(color_space="lab").fit_transform(images)
    assert np.isfinite(colour.descriptors).all()
    assert_array_equal(colour.positions, features.positions)


# --- errors -----------------------------------------------------------------------


def test_images_smaller_than_one_patch():
    with pytest.raises(ValueError, match=r"smaller than one patch of patch_size=16"):
        dense_lbp(np.zeros((15, 40)))
    with pytest.raises(ValueError, match=r"smaller than one patch of patch_size=8"):
        dense_color_moments(np.zeros((20, 7, 3)), patch_size=8)
    images = [np.zeros((20, 20)), np.zeros((12, 30))]
    with pytest.raises(ValueError, match=r"X\[1\] of shape \(12, 30\) is too small.*"
                                         r"16 rows and 16 cols"):
        DenseLBPExtractor().fit(images)
    fitted = DenseColorExtractor(patch_size=4).fit([np.zeros((8, 8, 3))])
    with pytest.raises(ValueError, match=r"too small.*4 rows and 4 cols"):
        fitted.transform([np.zeros((3, 9, 3))])


def test_lbp_channel_errors():
    with pytest.raises(ValueError, match=r"2-channel images.*per_channel=True"):
        dense_lbp(np.zeros((16, 16, 2)))
    with pytest.raises(ValueError, match=r"2-channel images"):
        DenseLBPExtractor().fit([np.zeros((16, 16, 2))])
    images = [np.zeros((16, 16, 3)), np.zeros((16, 16))]
    with pytest.raises(ValueError, match=r"X\[1\] of shape \(16, 16\) gives "
                                         r"descriptors of length 10.*length 30"):
        DenseLBPExtractor(per_channel=True).fit(images)


def test_colour_extractor_needs_colour():
    with pytest.raises(ValueError, match=r"must be a colour image"):
        dense_color_moments(np.zeros((16, 16)))
    with pytest.raises(ValueError, match=r"must be a colour image"):
        DenseColorExtractor().fit([np.zeros((16, 16))])


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "var"}, r"'method' parameter.*Got 'var'"),
    ({"method": "default", "P": 17}, r"P must be at most 16"),
    ({"method": "bogus"}, r"'method' parameter.*'uniform'"),
    ({"step": 0}, r"'step' parameter"),
    ({"patch_size": 0}, r"'patch_size' parameter"),
    ({"R": 0}, r"'R' parameter"),
])
def test_lbp_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dense_lbp(np.zeros((20, 20)), **kwargs)
    with pytest.raises(ValueError, match=match):
        DenseLBPExtractor(**kwargs).fit([np.zeros((20, 20))])


@pytest.mark.parametrize("kwargs, match", [
    ({"color_space": "xyz"}, r"'color_space' parameter.*'opponent'"),
    ({"moments": 4}, r"'moments' parameter"),
    ({"step": 0}, r"'step' parameter"),
])
def test_color_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dense_color_moments(np.zeros((20, 20, 3)), **kwargs)
    with pytest.raises(ValueError, match=match):
        DenseColorExtractor(**kwargs).fit([np.zeros((20, 20, 3))])
