"""Colour conversion, histograms and moments: kernels versus their NumPy twins,
versus scikit-image and np.histogramdd, edge cases, estimator checks, errors."""

import numpy as np
import pytest
from skimage.color import rgb2hsv, rgb2lab
from sklearn.utils._param_validation import InvalidParameterError

from classical._kernels import color as kernels
from classical.descriptors import (
    ColorHistogramExtractor,
    ColorMomentsExtractor,
    color_histogram,
    color_moments,
)
from classical.preprocess import convert_color
from classical.utils.estimator_checks import image_estimator_checks
from tests.naive import color as naive

SPACES = ["hsv", "rgb", "lab"]


def random_image(dtype, shape=(13, 17, 3), seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True,
                            dtype=dtype)
    return rng.random(shape).astype(dtype)


def integer_grid(step=3):
    """Every (R, G, B) on a grid of step ``step`` as one uint8 column image:
    all hue sextants, ties between channels, grays, black and white."""
    levels = np.arange(0, 256, step, dtype=np.uint8)
    levels = np.union1d(levels, [255]).astype(np.uint8)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1)
    return grid.reshape(-1, 1, 3)


def edge_images():
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, size=(20, 24, 3), dtype=np.uint8)
    return {
        "constant": np.full((5, 6, 3), (40, 120, 200), np.uint8),
        "black": np.zeros((4, 4, 3), np.uint8),
        "white": np.full((4, 4, 3), 255, np.uint8),
        "gray": np.full((3, 5, 3), 128, np.uint8),
        "one_pixel": np.array([[[10, 250, 30]]], np.uint8),
        "strided_view": base[::2, ::3],
        "reversed_channels": base[:, :, ::-1],
        "rgba": np.dstack([base, np.full(base.shape[:2], 7, np.uint8)]),
    }


# --------------------------------------------------------------------------
# Conversion


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float64])
def test_hsv_matches_skimage(dtype):
    image = random_image(dtype)
    np.testing.assert_allclose(convert_color(image, "hsv"), rgb2hsv(image),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float64])
def test_lab_matches_skimage(dtype):
    image = random_image(dtype)
    np.testing.assert_allclose(convert_color(image, "lab"), rgb2lab(image),
                               rtol=0, atol=1e-4)


def test_hsv_and_lab_match_skimage_on_integer_grid():
    image = integer_grid(step=5)
    np.testing.assert_allclose(convert_color(image, "hsv"), rgb2hsv(image), atol=1e-12)
    np.testing.assert_allclose(convert_color(image, "lab"), rgb2lab(image), atol=1e-4)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_hsv_kernel_equals_twin_bit_for_bit_on_integers(dtype):
    image = integer_grid() if dtype == np.uint8 else random_image(dtype, (50, 40, 3))
    ours = convert_color(image, "hsv").reshape(-1, 3)
    np.testing.assert_array_equal(ours, naive.convert_pixels(image, "hsv"))


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_convert_pixels_equals_twin(space, dtype):
    image = random_image(dtype)
    pixels = np.ascontiguousarray(image).reshape(-1, 3)
    lut = np.zeros(1)
    if dtype in (np.uint8, np.uint16):
        top = np.iinfo(dtype).max
        c = np.arange(top + 1) / top
        lut = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    top = np.iinfo(dtype).max if np.issubdtype(dtype, np.integer) else 1.0
    space_code = {"rgb": kernels.RGB, "hsv": kernels.HSV, "lab": kernels.LAB}[space]
    ours = kernels.convert_pixels(pixels, space_code, 1.0 / top, lut, lut.size > 1)
    np.testing.assert_allclose(ours, naive.convert_pixels(image, space), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("name", ["black", "white", "gray"])
def test_undefined_hue_and_saturation_follow_skimage(name):
    image = edge_images()[name]
    hsv = convert_color(image, "hsv")
    np.testing.assert_array_equal(hsv, rgb2hsv(image))
    assert np.all(hsv[..., :2] == 0)


# --------------------------------------------------------------------------
# Histograms


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("joint", [True, False])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_histogram_counts_equal_twin(space, joint, dtype):
    stack = np.stack([random_image(dtype, seed=s) for s in range(3)])
    for bins in [(8, 8, 8), (5, 7, 10), 3]:
        ours = ColorHistogramExtractor(color_space=space, bins=bins, joint=joint,
                                       normalize=False).fit_transform(stack)
        twin = naive.color_histogram_batch(stack, space, bins, joint, normalize=False)
        np.testing.assert_array_equal(ours, twin)


@pytest.mark.parametrize("bins", [(8, 8, 8), (5, 7, 10), (12, 3, 6), (1, 2, 180)])
@pytest.mark.parametrize("joint", [True, False])
def test_uint8_hsv_fast_path_equals_general_path_and_twin(bins, joint):
    """Every bin edge that integer pixels can hit exactly, for dyadic and
    non-dyadic bin counts: the integer tables must agree to the count."""
    image = integer_grid()
    ours = color_histogram(image, bins=bins, joint=joint, normalize=False)
    general = color_histogram(image.astype(np.uint16) * 257, bins=bins, joint=joint,
                              normalize=False)
    twin = naive.color_histogram_batch(image[np.newaxis], "hsv", bins, joint,
                                       normalize=False)[0]
    np.testing.assert_array_equal(ours, twin)
    pixels = np.ascontiguousarray(image).reshape(1, -1, 3)
    edges = [np.linspace(0, 1, n + 1) for n in np.broadcast_to(bins, 3)]
    slow = kernels.color_histogram_batch(pixels, kernels.HSV, 1.0 / 255, np.zeros(1),
                                         False, *edges, joint, False)[0]
    np.testing.assert_array_equal(ours, slow)
    assert general.sum() == ours.sum()


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("seed", [0, 4, 7])
def test_histogram_equals_histogramdd_of_skimage_pixels(space, seed):
    image = random_image(np.uint8, (40, 50, 3), seed=seed)
    converted = {"hsv": rgb2hsv, "lab": rgb2lab,
                 "rgb": lambda im: im / 255.0}[space](image).reshape(-1, 3)
    bins = (6, 8, 8)
    ranges = naive.RANGES[space]
    expected = np.histogramdd(converted, bins=bins, range=ranges)[0].ravel()
    ours = color_histogram(image, color_space=space, bins=bins, normalize=False)
    # scikit-image scales before dividing, so its values are a few ulp off the
    # correctly rounded ones: only a pixel lying on a bin edge may move
    on_edge = np.zeros(len(converted), dtype=bool)
    for c, ((low, high), n) in enumerate(zip(ranges, bins)):
        inner = np.linspace(low, high, n + 1)[1:-1]
        on_edge |= np.abs(converted[:, c, None] - inner).min(axis=1) < 1e-12
    assert np.abs(ours - expected).sum() <= 2 * on_edge.sum()


def test_upper_edge_goes_to_last_bin_and_out_of_range_is_clipped():
    image = np.array([[[1.0, 1.0, 1.0], [1.5, -0.5, 0.0]]])
    hist = color_histogram(image, color_space="rgb", bins=4, normalize=False)
    assert hist[(3 * 4 + 3) * 4 + 3] == 1  # (1, 1, 1): last bin on every axis
    assert hist[(3 * 4 + 0) * 4 + 0] == 1  # clipped to (1, 0, 0)
    expected = np.histogramdd(np.clip(image.reshape(-1, 3), 0, 1), bins=4,
                              range=[(0, 1)] * 3)[0].ravel()
    np.testing.assert_array_equal(hist, expected)


@pytest.mark.parametrize("name", list(edge_images()))
@pytest.mark.parametrize("space", SPACES)
def test_histogram_edge_cases_equal_twin(name, space):
    image = edge_images()[name]
    for joint in (True, False):
        ours = color_histogram(image, color_space=space, joint=joint)
        twin = naive.color_histogram_batch(image[np.newaxis], space, 8, joint)[0]
        np.testing.assert_allclose(ours, twin, rtol=1e-12, atol=0)
        expected_total = 1.0 if joint else 3.0
        assert ours.sum() == pytest.approx(expected_total)


def test_normalized_histogram_is_counts_over_pixels():
    image = random_image(np.uint8)
    counts = color_histogram(image, normalize=False)
    np.testing.assert_allclose(color_histogram(image), counts / (13 * 17), rtol=1e-15)


def test_black_and_white_land_in_the_expected_hsv_bins():
    black = color_histogram(edge_images()["black"], bins=4, normalize=False)
    white = color_histogram(edge_images()["white"], bins=4, normalize=False)
    assert black[0] == 16                       # H = S = V = 0
    assert white[(0 * 4 + 0) * 4 + 3] == 16     # H = S = 0, V = 1


# --------------------------------------------------------------------------
# Moments


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float64])
def test_moments_equal_twin(space, dtype):
    stack = np.stack([random_image(dtype, seed=s) for s in range(3)])
    for moments in (1, 2, 3):
        ours = ColorMomentsExtractor(color_space=space,
                                     moments=moments).fit_transform(stack)
        twin = naive.color_moments_batch(stack, space, moments)
        np.testing.assert_allclose(ours, twin, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("space", ["hsv", "lab"])
def test_moments_equal_moments_of_skimage_pixels(space):
    image = random_image(np.uint8, (30, 20, 3))
    values = {"hsv": rgb2hsv, "lab": rgb2lab}[space](image).reshape(-1, 3)
    mean = values.mean(axis=0)
    expected = np.stack([mean, values.std(axis=0),
                         np.cbrt(((values - mean) ** 3).mean(axis=0))], axis=1).ravel()
    np.testing.assert_allclose(color_moments(image, color_space=space), expected,
                               rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("name", list(edge_images()))
def test_moments_edge_cases(name):
    image = edge_images()[name]
    for space in SPACES:
        ours = color_moments(image, color_space=space)
        twin = naive.color_moments_batch(image[np.newaxis], space)[0]
        np.testing.assert_allclose(ours, twin, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", ["constant", "black", "white", "one_pixel"])
def test_moments_of_a_constant_image_have_no_spread(name):
    features = color_moments(edge_images()[name], color_space="lab").reshape(3, 3)
    assert np.all(np.abs(features[:, 1:]) < 1e-12)


# --------------------------------------------------------------------------
# Estimators


@pytest.mark.parametrize(
    "estimator, check, images, y",
    [
        *image_estimator_checks(ColorHistogramExtractor()),
        *image_estimator_checks(ColorHistogramExtractor(color_space="lab", bins=4,
                                                        joint=False)),
        *image_estimator_checks(ColorMomentsExtractor()),
        *image_estimator_checks(ColorMomentsExtractor(color_space="lab", moments=2)),
    ],
    ids=lambda value: getattr(value, "__name__", None) if callable(value) else None,
)
def test_image_estimator_checks(estimator, check, images, y):
    check(estimator, images, y)


def test_extractor_rows_equal_the_function_for_mixed_sizes_and_dtypes():
    images = [random_image(np.uint8, (9, 11, 3)), random_image(np.float64, (6, 5, 3)),
              random_image(np.uint8, (9, 11, 3), seed=4), edge_images()["rgba"]]
    hist = ColorHistogramExtractor(bins=(4, 3, 2)).fit_transform(images)
    moments = ColorMomentsExtractor(color_space="rgb").fit_transform(images)
    for row, image in enumerate(images):
        np.testing.assert_array_equal(hist[row], color_histogram(image, bins=(4, 3, 2)))
        np.testing.assert_array_equal(moments[row],
                                      color_moments(image, color_space="rgb"))


def test_feature_names():
    images = [random_image(np.uint8)]
    joint = ColorHistogramExtractor(bins=(2, 3, 4)).fit(images)
    names = joint.get_feature_names_out()
    assert len(names) == 24
    assert names[0] == "hsv_h0_s0_v0" and names[-1] == "hsv_h1_s2_v3"
    split = ColorHistogramExtractor(color_space="lab", bins=(2, 3, 4),
                                    joint=False).fit(images)
    assert list(split.get_feature_names_out()[:3]) == ["lab_l0", "lab_l1", "lab_a0"]
    moments = ColorMomentsExtractor(moments=2).fit(images).get_feature_names_out()
    assert list(moments) == ["hsv_h_mean", "hsv_h_std", "hsv_s_mean", "hsv_s_std",
                             "hsv_v_mean", "hsv_v_std"]


# --------------------------------------------------------------------------
# Errors


def test_grayscale_image_is_refused():
    gray = np.zeros((8, 8), np.uint8)
    with pytest.raises(ValueError, match="must be a colour image"):
        color_histogram(gray)
    with pytest.raises(ValueError, match="must be a colour image"):
        color_moments(gray)
    with pytest.raises(ValueError, match=r"X\[0\] must be a colour image"):
        ColorHistogramExtractor().fit([gray])


@pytest.mark.parametrize("bins", [0, (8, 8), (8, 0, 8), (8, 8, 8, 8), ("a", 2, 2)])
def test_bad_bins(bins):
    image = random_image(np.uint8)
    with pytest.raises((ValueError, InvalidParameterError), match="bins"):
        color_histogram(image, bins=bins)
    with pytest.raises((ValueError, InvalidParameterError), match="bins"):
        ColorHistogramExtractor(bins=bins).fit([image])


def test_unknown_color_space_lists_the_options():
    image = random_image(np.uint8)
    with pytest.raises(InvalidParameterError, match="color_space.*'hsv'"):
        color_histogram(image, color_space="xyz")
    with pytest.raises(InvalidParameterError, match="color_space"):
        ColorMomentsExtractor(color_space="xyz").fit([image])
    with pytest.raises(InvalidParameterError, match="moments"):
        color_moments(image, moments=4)
