"""Image-to-image steps: resize versus cv2.resize, grayscale versus
skimage.color.rgb2gray, colour conversion, the transformers, errors."""

import cv2
import numpy as np
import pytest
from skimage.color import gray2rgb, rgb2gray, rgb2hsv, rgb2lab
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from classical.descriptors import ColorHistogramExtractor
from classical.preprocess import (
    ConvertColor,
    Grayscale,
    Resize,
    convert_color,
    resize,
    to_grayscale,
)
from classical.utils.estimator_checks import image_estimator_checks

CV2_FLAGS = {"area": cv2.INTER_AREA, "linear": cv2.INTER_LINEAR,
             "nearest": cv2.INTER_NEAREST, "cubic": cv2.INTER_CUBIC}
GRAY_WEIGHTS = np.array([0.2125, 0.7154, 0.0721])


def random_image(dtype, shape=(21, 30, 3), seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape,
                            endpoint=True).astype(dtype)
    return rng.random(shape).astype(dtype)


# --------------------------------------------------------------------------
# resize


@pytest.mark.parametrize("interpolation", list(CV2_FLAGS))
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32,
                                   np.float64])
@pytest.mark.parametrize("size", [(10, 12), (40, 35)])
def test_resize_equals_cv2(interpolation, dtype, size):
    image = random_image(dtype)
    expected = cv2.resize(image, (size[1], size[0]),
                          interpolation=CV2_FLAGS[interpolation])
    ours = resize(image, size, interpolation=interpolation)
    assert ours.dtype == image.dtype and ours.shape == (*size, 3)
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("size, chosen", [((10, 12), "area"), ((21, 30), "area"),
                                          ((40, 60), "linear"), ((10, 60), "linear")])
def test_auto_is_area_when_no_side_grows_else_linear(size, chosen):
    image = random_image(np.uint8)
    np.testing.assert_array_equal(resize(image, size),
                                  resize(image, size, interpolation=chosen))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float16, np.int8])
def test_resize_other_dtypes_round_trip_through_float64(dtype):
    image = random_image(dtype)
    ours = resize(image, (10, 12), interpolation="linear")
    via_float = cv2.resize(image.astype(np.float64), (12, 10),
                           interpolation=cv2.INTER_LINEAR)
    if np.issubdtype(dtype, np.integer):
        via_float = np.rint(via_float)
    assert ours.dtype == image.dtype
    np.testing.assert_allclose(ours.astype(np.float64), via_float.astype(dtype),
                               rtol=1e-3)


def test_resize_bool_grayscale_views_and_tiny_images():
    mask = random_image(np.bool_, (20, 20))
    out = resize(mask, 10, interpolation="nearest")
    assert out.dtype == np.bool_ and out.shape == (10, 10)
    base = random_image(np.uint8, (40, 50, 3))
    view = base[::2, ::-3]
    np.testing.assert_array_equal(resize(view, (7, 9)),
                                  resize(np.ascontiguousarray(view), (7, 9)))
    one = np.array([[[10, 20, 30]]], np.uint8)
    np.testing.assert_array_equal(resize(one, (3, 2)), np.broadcast_to(one, (3, 2, 3)))
    gray = random_image(np.float32, (9, 9))
    assert resize(gray, (4, 5)).shape == (4, 5)


# --------------------------------------------------------------------------
# grayscale and colour conversion


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_grayscale_float_equals_skimage(dtype):
    image = random_image(dtype)
    ours = to_grayscale(image)
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours, rgb2gray(image))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_grayscale_integer_is_rounded_luminance_in_the_same_range(dtype):
    image = random_image(dtype)
    ours = to_grayscale(image)
    assert ours.dtype == dtype
    top = np.iinfo(dtype).max
    expected = np.rint(image.astype(np.float64) @ GRAY_WEIGHTS)
    np.testing.assert_array_equal(ours, expected)
    assert np.abs(ours - rgb2gray(image) * top).max() <= 0.5 + 1e-6


def test_grayscale_edge_cases():
    gray = random_image(np.uint8, (5, 5))
    assert to_grayscale(gray) is not None
    np.testing.assert_array_equal(to_grayscale(gray), gray)
    rgba = np.dstack([random_image(np.uint8), np.zeros((21, 30), np.uint8)])
    np.testing.assert_array_equal(to_grayscale(rgba), to_grayscale(rgba[..., :3]))
    white = np.full((2, 3, 3), 255, np.uint8)
    np.testing.assert_array_equal(to_grayscale(white), np.full((2, 3), 255))
    assert to_grayscale(random_image(np.bool_)).dtype == np.float64


def test_convert_color_options():
    image = random_image(np.uint8)
    np.testing.assert_allclose(convert_color(image, "hsv"), rgb2hsv(image), atol=1e-12)
    np.testing.assert_allclose(convert_color(image, "lab"), rgb2lab(image), atol=1e-4)
    np.testing.assert_array_equal(convert_color(image, "gray"), to_grayscale(image))
    np.testing.assert_array_equal(convert_color(image, "rgb"), image)
    gray = random_image(np.uint8, (4, 6))
    np.testing.assert_array_equal(convert_color(gray, "rgb"), gray2rgb(gray))
    rgba = np.dstack([image, image[..., 0]])
    np.testing.assert_array_equal(convert_color(rgba, "rgb"), image)
    np.testing.assert_allclose(convert_color(rgba, "hsv"), rgb2hsv(image), atol=1e-12)


def test_convert_color_opponent():
    image = random_image(np.uint16, (9, 11, 4))
    red, green, blue = np.moveaxis(image[..., :3] / 65535.0, -1, 0)
    opponent = [(red - green) / np.sqrt(2), (red + green - 2 * blue) / np.sqrt(6),
                (red + green + blue) / np.sqrt(3)]
    # each channel is mapped affinely from its range over the RGB cube onto [0, 1]
    ranges = [(-1 / np.sqrt(2), 1 / np.sqrt(2)), (-2 / np.sqrt(6), 2 / np.sqrt(6)),
              (0.0, np.sqrt(3))]
    ours = convert_color(image, "opponent")
    assert ours.dtype == np.float64 and ours.shape == (9, 11, 3)
    for c, (channel, (low, high)) in enumerate(zip(opponent, ranges)):
        np.testing.assert_allclose(ours[..., c], (channel - low) / (high - low),
                                   atol=1e-12)
    corners = np.array(np.meshgrid([0, 255], [0, 255], [0, 255]), np.uint8)
    cube = convert_color(corners.reshape(3, -1).T[np.newaxis], "opponent")[0]
    np.testing.assert_allclose(cube.min(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(cube.max(axis=0), 1, atol=1e-12)
    float_image = image[..., :3] / 65535.0
    np.testing.assert_allclose(convert_color(float_image, "opponent"), ours,
                               atol=1e-12)
    with pytest.raises(ValueError,
                       match=r"must be a colour image of shape \(H, W, 3\)"):
        convert_color(image[..., 0], "opponent")


# --------------------------------------------------------------------------
# Transformers

# Stateless image-to-image transformers: transform works before fit (the
# requires_fit tag is False) and there are no feature names.
NOT_APPLICABLE = {"check_not_fitted", "check_feature_names"}
TRANSFORMERS = [Resize(size=(16, 12)), Resize(size=40, interpolation="cubic"),
                Grayscale(), ConvertColor(), ConvertColor(color_space="lab"),
                ConvertColor(color_space="opponent")]


@pytest.mark.parametrize(
    "estimator, check, images, y",
    [case for transformer in TRANSFORMERS
     for case in image_estimator_checks(transformer)
     if case[1].__name__ not in NOT_APPLICABLE],
    ids=lambda value: getattr(value, "__name__", None) if callable(value) else None,
)
def test_image_estimator_checks(estimator, check, images, y):
    check(estimator, images, y)


def test_transform_works_before_fit_and_equals_the_function():
    images = [random_image(np.uint8, (20, 30, 3)), random_image(np.uint8, (8, 9, 3))]
    out = Resize(size=(10, 11)).transform(images)
    assert isinstance(out, np.ndarray) and out.shape == (2, 10, 11, 3)
    for row, image in zip(out, images):
        np.testing.assert_array_equal(row, resize(image, (10, 11)))
    lab = ConvertColor(color_space="lab").transform(images)
    assert isinstance(lab, list) and len(lab) == 2
    np.testing.assert_array_equal(lab[1], convert_color(images[1], "lab"))
    gray = Grayscale().fit(images).transform(np.stack([images[0]] * 3))
    assert gray.shape == (3, 20, 30) and gray.dtype == np.uint8


def test_resize_feeds_a_descriptor_in_a_pipeline():
    images = [random_image(np.uint8, (20, 30, 3)), random_image(np.uint8, (8, 9, 3))]
    pipe = make_pipeline(Resize(size=16), ColorHistogramExtractor(bins=4))
    features = pipe.fit_transform(images)
    assert features.shape == (2, 64)
    np.testing.assert_allclose(features.sum(axis=1), 1.0)


# --------------------------------------------------------------------------
# Errors


def test_bad_size():
    image = random_image(np.uint8)
    for size in [0, (10,), (10, -1), (1, "x"), (2.5, 3)]:
        with pytest.raises(ValueError, match="size must be a positive int or 2"):
            resize(image, size)
    with pytest.raises(ValueError, match="size must be a positive int or 2"):
        Resize(size=(0, 5)).fit([image])
    with pytest.raises(ValueError, match="size must be a positive int or 2"):
        Resize(size=(0, 5)).transform([image])


def test_unknown_options_list_the_valid_ones():
    image = random_image(np.uint8)
    with pytest.raises(InvalidParameterError, match="interpolation.*'area'"):
        resize(image, 8, interpolation="bicubic")
    with pytest.raises(InvalidParameterError, match="interpolation"):
        Resize(interpolation="bicubic").transform([image])
    with pytest.raises(InvalidParameterError, match="color_space.*'lab'"):
        convert_color(image, "xyz")
    with pytest.raises(InvalidParameterError, match="color_space"):
        ConvertColor(color_space="xyz").fit([image])


def test_conversions_that_need_colour_or_three_channels():
    gray = random_image(np.uint8, (5, 5))
    with pytest.raises(ValueError, match="must be a colour image"):
        convert_color(gray, "hsv")
    two = random_image(np.uint8, (5, 5, 2))
    with pytest.raises(ValueError, match="to convert to grayscale"):
        to_grayscale(two)
    with pytest.raises(ValueError, match="to convert to 'rgb'"):
        convert_color(two, "rgb")
    with pytest.raises(ValueError, match=r"X must be a batch of images"):
        Grayscale().fit(np.zeros((4, 4)))
