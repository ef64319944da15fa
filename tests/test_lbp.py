"""Local binary patterns: the kernels against their NumPy twins and scikit-image."""

import warnings

import numpy as np
import pytest
from skimage.feature import local_binary_pattern as skimage_lbp

from classical.descriptors import LBPExtractor, lbp_histogram, local_binary_pattern
from classical.utils.estimator_checks import image_estimator_checks, make_check_images
from tests.naive import lbp as naive

CODE_METHODS = ["default", "ror", "uniform", "nri_uniform"]
PAIRS = [(8, 1), (16, 2), (24, 3), (4, 1.5), (8, 1.1)]
LUMA = (0.2125, 0.7154, 0.0721)


def _skimage(image, P, R, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # its warning on float input
        return skimage_lbp(image, P, R, method)


def _images():
    rng = np.random.default_rng(7)
    ramp = np.add.outer(np.arange(17), np.arange(19))
    return {
        "random uint8": rng.integers(0, 256, (17, 19), dtype=np.uint8),
        # three levels: many exact ties between neighbours and centre
        "few levels": rng.integers(0, 3, (17, 19)).astype(np.uint8),
        "smooth uint16": (ramp // 4 * 700).astype(np.uint16),
        "random float": rng.random((17, 19)),
        "quantised float": rng.integers(0, 4, (17, 19)) / 255.0,
        "constant": np.full((17, 19), 77, np.uint8),
        "all zeros": np.zeros((17, 19), np.uint8),
        "flat float": np.full((17, 19), 0.1),
    }


IMAGES = _images()


def _ror_codes(P):
    """Rotation-invariant codes: every pattern's smallest rotation, sorted."""
    smallest = set()
    for pattern in range(2**P):
        bits = [(pattern >> i) & 1 for i in range(P)]
        smallest.add(min(sum(bits[(i + k) % P] << i for i in range(P))
                         for k in range(P)))
    return np.array(sorted(smallest))


def _luminance(image):
    rgb = image[..., :3].astype(np.float64)
    return LUMA[0] * rgb[..., 0] + LUMA[1] * rgb[..., 1] + LUMA[2] * rgb[..., 2]


# ---------------------------------------------------------------- codes


@pytest.mark.parametrize("P, R", PAIRS)
@pytest.mark.parametrize("name", list(IMAGES))
def test_codes_equal_skimage_and_twin(name, P, R):
    image = IMAGES[name]
    for method in CODE_METHODS:
        ours = local_binary_pattern(image, P, R, method)
        np.testing.assert_array_equal(ours, _skimage(image, P, R, method),
                                      err_msg=f"{method} vs skimage")
        np.testing.assert_array_equal(ours, naive.lbp_codes(image, P, R, method),
                                      err_msg=f"{method} vs twin")
        assert ours.dtype == np.float64 and ours.shape == image.shape


@pytest.mark.parametrize("P, R", [(8, 1), (24, 3), (2, 0.3)])
@pytest.mark.parametrize("name", ["random uint8", "few levels", "constant"])
def test_var_matches_skimage_and_twin_to_rounding(name, P, R):
    image = IMAGES[name]
    ours = local_binary_pattern(image, P, R, "var")
    # NaN marks an exactly zero variance; near zero it is a matter of rounding
    for reference in (_skimage(image, P, R, "var"),
                      naive.lbp_codes(image, P, R, "var")):
        np.testing.assert_allclose(np.nan_to_num(ours), np.nan_to_num(reference),
                                   rtol=1e-9, atol=1e-9)
    if name == "constant":
        assert np.isnan(ours[5:-5, 5:-5]).all()


def test_riu2_is_an_alias_of_uniform():
    image = IMAGES["random uint8"]
    np.testing.assert_array_equal(local_binary_pattern(image, 8, 1, "riu2"),
                                  local_binary_pattern(image, 8, 1, "uniform"))
    np.testing.assert_array_equal(lbp_histogram(image, 8, 1, "riu2"),
                                  lbp_histogram(image, 8, 1, "uniform"))


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (1, 5), (4, 1), (3, 3)])
@pytest.mark.parametrize("value", [0, 9])
def test_tiny_images_behave_as_in_skimage(shape, value):
    image = np.full(shape, value, np.uint8)
    image.flat[0] = 3
    for method in CODE_METHODS:
        np.testing.assert_array_equal(local_binary_pattern(image, 8, 1, method),
                                      _skimage(image, 8, 1, method))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.float32,
                                   np.float64, np.bool_])
def test_dtypes_are_converted_to_float64_like_skimage(dtype):
    rng = np.random.default_rng(3)
    image = rng.integers(0, 2 if dtype == np.bool_ else 200, (15, 16)).astype(dtype)
    for method in ("default", "uniform"):
        np.testing.assert_array_equal(local_binary_pattern(image, 8, 1.5, method),
                                      _skimage(image, 8, 1.5, method))


@pytest.mark.parametrize("view", ["strided", "transposed", "negative step"])
def test_non_contiguous_views(view):
    base = np.random.default_rng(4).integers(0, 256, (30, 40), dtype=np.uint8)
    image = {"strided": base[::2, 1::3], "transposed": base.T,
             "negative step": base[::-1, ::-2]}[view]
    expected = _skimage(np.ascontiguousarray(image), 16, 2, "uniform")
    np.testing.assert_array_equal(local_binary_pattern(image, 16, 2, "uniform"),
                                  expected)
    np.testing.assert_array_equal(
        lbp_histogram(image, 16, 2, normalize=False),
        np.bincount(expected.astype(np.int64).ravel(), minlength=18))


@pytest.mark.parametrize("P, R", [(63, 4), (64, 4), (70, 5.5)])
def test_more_points_than_one_integer_holds(P, R):
    """Beyond 62 points the kernels keep running counts instead of a bit pattern."""
    image = IMAGES["few levels"]
    for method in ("uniform", "nri_uniform"):
        np.testing.assert_array_equal(local_binary_pattern(image, P, R, method),
                                      _skimage(image, P, R, method))


@pytest.mark.parametrize("P, R", [(1, 1), (2, 1), (5, 0.7), (31, 5), (8, 50)])
def test_edge_geometries(P, R):
    """One or two points, a sub-pixel radius, 31-bit codes, a circle wider than
    the image."""
    image = IMAGES["random uint8"][:9, :11]
    for method in CODE_METHODS:
        np.testing.assert_array_equal(local_binary_pattern(image, P, R, method),
                                      _skimage(image, P, R, method))


def test_radius_is_taken_as_float32_like_skimage():
    """R = 1.1 is not a float32; skimage uses float32(1.1), and so do we."""
    image = IMAGES["few levels"]
    np.testing.assert_array_equal(local_binary_pattern(image, 8, 1.1, "default"),
                                  local_binary_pattern(image, 8, np.float32(1.1),
                                                       "default"))


def test_tall_and_wide_images_keep_row_and_column_rounding():
    """skimage's weights change in the last bit with the row and column index."""
    rng = np.random.default_rng(5)
    for image in (rng.integers(0, 3, (600, 5)).astype(np.uint8),
                  rng.integers(0, 3, (4, 700)).astype(np.uint16)):
        np.testing.assert_array_equal(local_binary_pattern(image, 12, 2.7, "default"),
                                      _skimage(image, 12, 2.7, "default"))


# ---------------------------------------------------------------- histograms


@pytest.mark.parametrize("method, P, R", [
    (method, P, R) for method in CODE_METHODS
    for P, R in [(8, 1), (16, 2), (24, 3), (4, 1.5)]
    if not (method in ("default", "ror") and P > 16)  # at most 2**16 bins
])
def test_histogram_is_bincount_of_skimage_codes(method, P, R):
    image = IMAGES["few levels"]
    codes = _skimage(image, P, R, method).astype(np.int64).ravel()
    counts = lbp_histogram(image, P, R, method, normalize=False)
    if method == "ror":
        bins = _ror_codes(P)
        expected = np.array([(codes == code).sum() for code in bins])
    else:
        n_bins = {"default": 2**P, "uniform": P + 2, "nri_uniform": P * (P - 1) + 3}
        expected = np.bincount(codes, minlength=n_bins[method])
    np.testing.assert_array_equal(counts, expected)
    np.testing.assert_allclose(lbp_histogram(image, P, R, method),
                               expected / image.size, rtol=1e-15)


def test_ror_bins_are_ojalas_36_patterns():
    assert lbp_histogram(IMAGES["random uint8"], 8, 1, "ror").shape == (36,)


@pytest.mark.parametrize("name", ["constant", "all zeros", "random float"])
def test_histogram_sums_to_one_or_to_the_pixel_count(name):
    image = IMAGES[name]
    assert lbp_histogram(image, 8, 1).sum() == pytest.approx(1.0)
    assert lbp_histogram(image, 8, 1, normalize=False).sum() == image.size


@pytest.mark.parametrize("method", CODE_METHODS)
def test_extractor_equals_histogram_twin(method):
    stack = np.random.default_rng(6).integers(0, 5, (5, 12, 13)).astype(np.uint8)
    P, R = 8, 1.5
    if method == "ror":
        codes = _ror_codes(P)
        code_to_bin = dict(zip(codes, range(codes.size)))
        n_bins = codes.size
    else:
        code_to_bin = None
        n_bins = {"default": 2**P, "uniform": P + 2,
                  "nri_uniform": P * (P - 1) + 3}[method]
    twin = naive.lbp_histograms(stack, P, R, method, n_bins, normalize=False,
                                code_to_bin=code_to_bin)
    ours = LBPExtractor(P=P, R=R, method=method, normalize=False).fit_transform(stack)
    np.testing.assert_array_equal(ours, twin)


# ---------------------------------------------------------------- extractor


ESTIMATORS = [
    LBPExtractor(),
    LBPExtractor(P=(8, 16), R=(1, 2)),
    LBPExtractor(P=4, R=1.5, per_channel=True, method="nri_uniform"),
    LBPExtractor(P=8, R=1, method="ror", normalize=False),
    LBPExtractor(P=(8, 16), R=(1, 2), per_channel=True, color_space="lab"),
]


@pytest.mark.parametrize(
    "estimator, check, images, y",
    [case for estimator in ESTIMATORS for case in image_estimator_checks(estimator)]
    + list(image_estimator_checks(LBPExtractor(P=(8, 4), R=2),
                                  make_check_images(shape=(20, 24)))),
    ids=lambda value: getattr(value, "__name__", None) if callable(value) else "")
def test_image_estimator_checks(estimator, check, images, y):
    check(estimator, images, y)


def test_extractor_concatenates_pairs_in_order():
    rng = np.random.default_rng(8)
    images = list(rng.integers(0, 256, (3, 20, 21), dtype=np.uint8))
    extractor = LBPExtractor(P=(8, 16, 4), R=(1, 2, 1.5), method="nri_uniform")
    ours = extractor.fit_transform(images)
    expected = np.array([np.concatenate([lbp_histogram(im, P, R, "nri_uniform")
                                         for P, R in ((8, 1), (16, 2), (4, 1.5))])
                         for im in images])
    np.testing.assert_array_equal(ours, expected)


def test_a_scalar_radius_is_shared_by_all_point_counts():
    images = make_check_images(2, (16, 16))
    shared = LBPExtractor(P=(8, 16), R=2).fit_transform(images)
    np.testing.assert_array_equal(
        shared, LBPExtractor(P=(8, 16), R=(2, 2)).fit_transform(images))


@pytest.mark.parametrize("channels", [3, 4])
def test_colour_images_use_the_luminance(channels):
    images = make_check_images(3, (18, 20, channels), seed=2)
    ours = LBPExtractor(P=(8, 12), R=(1, 2)).fit_transform(images)
    expected = [np.concatenate([lbp_histogram(_luminance(im), P, R) for P, R in
                                ((8, 1), (12, 2))]) for im in images]
    np.testing.assert_array_equal(ours, np.array(expected))


def test_per_channel_histograms_follow_channel_order():
    images = make_check_images(2, (16, 17, 3), seed=3)
    ours = LBPExtractor(P=8, R=1, per_channel=True).fit_transform(images)
    expected = [np.concatenate([lbp_histogram(im[..., ch], 8, 1) for ch in range(3)])
                for im in images]
    np.testing.assert_array_equal(ours, np.array(expected))


def test_images_of_different_sizes_and_dtypes():
    rng = np.random.default_rng(9)
    images = [rng.integers(0, 256, (20, 22), dtype=np.uint8),
              rng.random((15, 31)).astype(np.float32),
              rng.integers(0, 4000, (25, 25)).astype(np.uint16)]
    ours = LBPExtractor(P=8, R=1).fit(images).transform(images)
    expected = np.array([lbp_histogram(im, 8, 1) for im in images])
    np.testing.assert_array_equal(ours, expected)


def test_feature_names():
    images = make_check_images(1, (16, 16, 3))
    names = LBPExtractor(P=(8, 4), R=(1, 1.5)).fit(images).get_feature_names_out()
    assert list(names[:2]) == ["lbp_P8_R1_u0", "lbp_P8_R1_u1"]
    assert names[9] == "lbp_P8_R1_nonuniform"
    assert names[10] == "lbp_P4_R1.5_u0" and len(names) == 10 + 6
    names = LBPExtractor(per_channel=True).fit(images).get_feature_names_out()
    assert names[0] == "ch0_lbp_P8_R1_u0" and names[-1] == "ch2_lbp_P8_R1_nonuniform"
    names = LBPExtractor(method="ror").fit(images).get_feature_names_out()
    assert names[0] == "lbp_P8_R1_r0" and names[-1] == "lbp_P8_R1_r255"
    names = LBPExtractor(method="nri_uniform", P=4).fit(images).get_feature_names_out()
    assert names[1] == "lbp_P4_R1_n1" and names[-1] == "lbp_P4_R1_nonuniform"


# ---------------------------------------------------------------- errors


IMAGE = IMAGES["random uint8"]


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "foo"}, r"'method' parameter .* among .*'nri_uniform'"),
    ({"method": "Uniform"}, r"'method' parameter"),
    ({"P": 0}, r"'P' parameter .* range \[1, inf\)"),
    ({"P": 8.0}, r"'P' parameter"),
    ({"R": 0}, r"'R' parameter .* range \(0.0, inf\)"),
    ({"R": -1.5}, r"'R' parameter"),
    ({"R": 1e39}, r"R must be a finite radius"),
    ({"P": 32, "method": "default"}, r"P must be at most 31 for method='default'"),
    ({"P": 40, "method": "ror"}, r"P must be at most 31 for method='ror'"),
])
def test_local_binary_pattern_parameter_errors(kwargs, match):
    arguments = {"P": 8, "R": 1, "method": "default", **kwargs}
    with pytest.raises(ValueError, match=match):
        local_binary_pattern(IMAGE, **arguments)


@pytest.mark.parametrize("image, error, match", [
    (np.zeros((8, 8, 3), np.uint8), ValueError, r"image must be a grayscale image"),
    (np.full((4, 4), np.nan), ValueError, r"image contains NaN"),
    (np.zeros((0, 4)), ValueError, r"empty"),
    (np.array([["a", "b"]]), TypeError, r"image must be a numeric array"),
])
def test_image_errors(image, error, match):
    with pytest.raises(error, match=match):
        local_binary_pattern(image, 8, 1)
    with pytest.raises(error, match=match):
        lbp_histogram(image, 8, 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "var"}, r"method='var' gives real-valued local variances"),
    ({"method": "default", "P": 17}, r"P must be at most 16 for a method='default'"),
    ({"method": "ror", "P": 24}, r"P must be at most 16 for a method='ror'"),
    ({"method": "bogus"}, r"'method' parameter .* among"),
    ({"normalize": "yes"}, r"'normalize' parameter"),
])
def test_lbp_histogram_errors(kwargs, match):
    arguments = {"P": 8, "R": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        lbp_histogram(IMAGE, **arguments)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "var"}, r"'method' parameter of LBPExtractor .* among"),
    ({"P": (8, 16), "R": (1, 2, 3)}, r"P and R must have the same length"),
    ({"P": (), "R": 1}, r"P and R must not be empty"),
    ({"P": (8, 0), "R": (1, 2)}, r"Each P must be an int >= 1; got 0"),
    ({"P": (8, 2.5), "R": 1}, r"Each P must be an int >= 1; got 2.5"),
    ({"P": 8, "R": (1, -2)}, r"Each R must be a number > 0; got -2"),
    ({"P": 8, "R": ("a",)}, r"Each R must be a number > 0"),
    ({"P": 20, "method": "default"}, r"P must be at most 16 .* Use method='uniform'"),
    ({"P": 0}, r"'P' parameter of LBPExtractor"),
    ({"R": 1e39}, r"R must be a finite radius"),
    ({"per_channel": 1.5}, r"'per_channel' parameter"),
    ({"color_space": "xyz"},
     r"'color_space' parameter of LBPExtractor must be a str among .*'lab'.* or None"),
])
def test_extractor_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LBPExtractor(**kwargs).fit(make_check_images(1, (8, 8)))


def test_extractor_rejects_two_channel_images_unless_per_channel():
    images = make_check_images(2, (8, 8, 2))
    with pytest.raises(ValueError, match=r"2-channel images.*per_channel=True"):
        LBPExtractor().fit(images)
    assert LBPExtractor(per_channel=True).fit_transform(images).shape == (2, 20)


# ------------------------------------------------------- colour conversion


@pytest.fixture(scope="module")
def eurosat_sample():
    from classical.datasets import load_sample

    # 100 real images, cropped to 16 x 16 so the test stays quick when the
    # kernels run as plain Python (NUMBA_DISABLE_JIT=1 in CI)
    return [image[:16, :16] for image in load_sample("eurosat").images[:100]]


@pytest.mark.parametrize("color_space", ["lab", "hsv", "opponent", "rgb"])
def test_color_space_equals_convert_color_then_extractor(eurosat_sample, color_space):
    from classical.preprocess import ConvertColor

    # 100 images: the conversion runs in two sub-chunks of 64 and 36
    extractor = LBPExtractor(P=(8, 16), R=(1, 1), per_channel=True,
                             normalize=False)
    converted = ConvertColor(color_space=color_space).fit_transform(eurosat_sample)
    expected = extractor.fit_transform(converted)
    ours = extractor.set_params(color_space=color_space).fit_transform(eurosat_sample)
    np.testing.assert_array_equal(ours, expected)


def test_color_space_with_luminance_and_lists_of_images():
    from classical.preprocess import convert_color

    images = make_check_images(3, (20, 24, 4)) + make_check_images(2, (16, 16, 3))
    ours = LBPExtractor(color_space="hsv").fit_transform(images)
    expected = [lbp_histogram(convert_color(image, "hsv") @ [0.2125, 0.7154, 0.0721],
                              8, 1) for image in images]
    np.testing.assert_array_equal(ours, np.array(expected))


def test_color_space_rejects_grayscale_images():
    images = make_check_images(2, (8, 8))
    with pytest.raises(ValueError, match=r"color_space='lab' converts RGB\(A\) "
                                         r"images, but X\[0\] has shape \(8, 8\)"):
        LBPExtractor(color_space="lab").fit(images)
    rgb = LBPExtractor(color_space="rgb", per_channel=True).fit_transform(images)
    np.testing.assert_array_equal(rgb, np.tile(LBPExtractor().fit_transform(images),
                                               3))
