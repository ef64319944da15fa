"""GlobalFeaturesExtractor: kernel against its NumPy twin, extractor against the
building blocks it replaces (and through them scikit-image)."""

import numpy as np
import pytest
from sklearn.pipeline import FeatureUnion, Pipeline

from classical._kernels import global_features as kernels
from classical._kernels import lbp as lbp_kernels
from classical.datasets import load_sample
from classical.descriptors import (
    ColorHistogramExtractor,
    ColorMomentsExtractor,
    GlobalFeaturesExtractor,
    HOGExtractor,
    LBPExtractor,
)
from classical.descriptors._global import _edges, _plan
from classical.preprocess import ConvertColor, Grayscale, Resize
from classical.utils._color import conversion_args
from classical.utils.estimator_checks import image_estimator_checks
from tests.naive import global_features as naive_global
from tests.naive import lbp as naive_lbp

PAIRS = ((8, 1.0), (16, 2.0), (24, 3.0))


def _images(n=3, shape=(20, 23, 3), seed=0, dtype=np.uint8):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, *shape)).astype(dtype)
    images[0, :8, :8] = 77  # a flat patch: every neighbour ties with its centre
    return images


def _padded(image, margin):
    n_rows, n_cols = image.shape
    width = n_cols + 2 * margin
    padded = np.zeros((n_rows + 2 * margin + 2, width), np.float32)
    padded[margin + 1:margin + 1 + n_rows, margin:margin + n_cols] = image
    return padded.ravel(), width


@pytest.mark.parametrize("kind", ["random", "constant", "zeros", "float"])
def test_uniform_lbp_counts_equal_twin(kind):
    rng = np.random.default_rng(1)
    image = {
        "random": rng.integers(0, 4, (13, 17)).astype(np.float32),
        "constant": np.full((9, 6), 5, np.float32),
        "zeros": np.zeros((1, 1), np.float32),
        "float": rng.normal(size=(11, 12)).astype(np.float32),
    }[kind]
    margin, offsets, weights, point_first = _plan(PAIRS, image.shape[1])
    padded, width = _padded(image, margin)
    counts = np.zeros(sum(P + 2 for P, _ in PAIRS), np.int64)
    bits = np.empty(image.shape[0] * width, np.int32)
    lbp_kernels.uniform_lbp_counts(padded, width, margin, *image.shape, offsets,
                                   weights, point_first, bits, counts)
    np.testing.assert_array_equal(counts, naive_lbp.uniform_lbp_counts(image, PAIRS))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float64])
def test_kernel_equals_twin(dtype):
    images = _images(dtype=dtype)
    if dtype == np.float64:
        images = images / 255.0
    margin, offsets, weights, point_first = _plan(PAIRS, images.shape[2])
    n_lbp = sum(P + 2 for P, _ in PAIRS)
    out = np.empty((len(images), 6 * n_lbp + 9 * 8 + 27))
    kernels.global_features_batch(images, *conversion_args(images.dtype), _edges(8),
                                  margin, offsets, weights, point_first, out)
    expected = naive_global.global_features_batch(images, PAIRS, 8)
    n_pixels = images.shape[1] * images.shape[2]
    # the Lab LBP may flip a bit where the twin's float64 Lab rounds differently
    np.testing.assert_allclose(out[:, :6 * n_lbp], expected[:, :6 * n_lbp],
                               atol=3 / n_pixels)
    rgb = slice(3 * n_lbp, 6 * n_lbp)  # raw values: the same bits exactly
    np.testing.assert_array_equal(np.rint(out[:, rgb] * n_pixels),
                                  np.rint(expected[:, rgb] * n_pixels))
    np.testing.assert_allclose(out[:, 6 * n_lbp:-27], expected[:, 6 * n_lbp:-27],
                               atol=1 / n_pixels + 1e-12)
    np.testing.assert_allclose(out[:, -27:], expected[:, -27:], rtol=1e-6, atol=1e-7)


def _building_blocks():
    """The global-svm features as the union of the public building blocks."""
    def lbp():
        return LBPExtractor(P=[8, 16, 24], R=[1, 2, 3], per_channel=True)

    spaces = ("rgb", "hsv", "lab")
    return FeatureUnion([
        ("lbp_lab", Pipeline([("lab", ConvertColor(color_space="lab")),
                              ("lbp", lbp())])),
        ("lbp_rgb", lbp()),
        ("hist", FeatureUnion([(s, ColorHistogramExtractor(color_space=s, bins=32,
                                                           joint=False))
                               for s in spaces])),
        ("moments", FeatureUnion([(s, ColorMomentsExtractor(color_space=s))
                                  for s in spaces])),
        ("hog", Pipeline([("resize", Resize(size=(64, 64))), ("gray", Grayscale()),
                          ("hog", HOGExtractor(pixels_per_cell=(32, 32)))])),
    ])


def test_equals_building_blocks_on_eurosat():
    images = np.stack(load_sample("eurosat").images[::25])
    ours = GlobalFeaturesExtractor(hellinger=False).fit_transform(images)
    blocks = _building_blocks().fit_transform(images)
    assert ours.shape == blocks.shape == (len(images), 675)
    lbp = slice(0, 324)
    # the LBP departure (ties decided exactly, float32 Lab) moves few pixels: the
    # L1 distance summed over an image's 18 histograms stays below 0.06, so on
    # average under 0.2% of a histogram's pixels change bin (measured: 0.03)
    assert np.abs(ours[:, lbp] - blocks[:, lbp]).sum(axis=1).max() < 0.06
    np.testing.assert_array_equal(ours[:, 324:612], blocks[:, 324:612])
    np.testing.assert_allclose(ours[:, 612:639], blocks[:, 612:639], rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_array_equal(ours[:, 639:], blocks[:, 639:])


def test_hellinger_is_the_square_root_of_the_histograms():
    images = _images(shape=(40, 30, 3))
    plain = GlobalFeaturesExtractor(hellinger=False).fit_transform(images)
    rooted = GlobalFeaturesExtractor().fit_transform(images)
    np.testing.assert_allclose(rooted[:, :612], np.sqrt(plain[:, :612]))
    np.testing.assert_array_equal(rooted[:, 612:], plain[:, 612:])


def test_rows_do_not_depend_on_batching_or_threads():
    images = list(_images(n=5, shape=(33, 31, 3)))
    images.append(_images(n=1, shape=(20, 25, 3), seed=3)[0])
    extractor = GlobalFeaturesExtractor(n_jobs=2).fit(images)
    together = extractor.transform(images)
    alone = np.vstack([extractor.transform([image]) for image in images])
    np.testing.assert_array_equal(together, alone)


def test_feature_names_and_count():
    extractor = GlobalFeaturesExtractor().fit(_images(n=1))
    names = extractor.get_feature_names_out()
    assert extractor.n_features_out_ == len(names) == 675
    assert names[0] == "lbp_lab_l_P8_R1_u0" and names[162] == "lbp_rgb_r_P8_R1_u0"
    assert names[324] == "hist_rgb_r0" and names[612] == "rgb_r_mean"
    assert names[-1] == "hog35"


@pytest.mark.parametrize(
    "estimator, check, images, y",
    [*image_estimator_checks(GlobalFeaturesExtractor(P=8, R=1, bins=4, hog_size=16,
                                                     hog_cell=4))],
    ids=lambda value: getattr(value, "__name__", None) if callable(value) else None,
)
def test_image_estimator_checks(estimator, check, images, y):
    check(estimator, images, y)


@pytest.mark.parametrize("params, match", [
    ({"P": (8, 31), "R": (1, 2)}, "at most 30"),
    ({"hog_size": 16, "hog_cell": 9}, "hog_size must hold one"),
    ({"P": (8, 16), "R": (1, 2, 3)}, "same length"),
])
def test_parameter_errors(params, match):
    with pytest.raises(ValueError, match=match):
        GlobalFeaturesExtractor(**params).fit(_images(n=1))


def test_grey_images_are_refused():
    with pytest.raises(ValueError, match=r"X\[0\] must be a colour image"):
        GlobalFeaturesExtractor().fit([np.zeros((16, 16), np.uint8)])
