"""Pixel-rule statistics: kernel versus its NumPy twin, output names (a contract
with RuleClassifier), user conditions, edge cases, estimator checks, errors."""

import numpy as np
import pytest
from skimage.color import rgb2hsv
from sklearn.utils._param_validation import InvalidParameterError

from classical.descriptors import PixelRuleFeatures, pixel_rule_features
from classical.utils.estimator_checks import image_estimator_checks
from tests.naive import rules as naive

DEFAULT_NAMES = ["green_fraction", "exg_fraction", "bright_fraction", "dark_fraction",
                 "blue_fraction", "mean_brightness", "mean_saturation"]
QUANTITIES = ["red", "green", "blue", "brightness", "saturation", "hue", "exg", "vari"]


def default_conditions(exg=0.1, bright=0.8, dark=0.2):
    """The documented defaults, written out independently of the library."""
    return {
        "green": [("green", ">", "red"), ("green", ">", "blue")],
        "exg": [("exg", ">", exg)],
        "bright": [("brightness", ">", bright)],
        "dark": [("brightness", "<", dark)],
        "blue": [("blue", ">", "red"), ("blue", ">", "green")],
    }


USER_CONDITIONS = {
    "water": [("blue", ">", "green"), ("brightness", "<", 0.5)],
    "reddish": [("hue", "<", 30.0), ("saturation", ">=", 0.25)],
    "vari_high": [("vari", ">=", 0.05)],
    "grayish": [("saturation", "<=", 0.1)],
    "ties": [("red", ">=", "green"), ("green", "<=", "blue")],
    "exg_vs_vari": [("exg", ">", "vari")],
}


def random_stack(dtype, n=3, shape=(15, 19, 3), seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        # few levels, so ties between channels and exact thresholds occur
        levels = np.linspace(0, np.iinfo(dtype).max, 11).round().astype(dtype)
        return levels[rng.integers(0, 11, size=(n, *shape))]
    return rng.random((n, *shape)).astype(dtype)


def assert_equal_to_twin(ours, stack, conditions):
    twin = naive.pixel_rule_batch(stack, conditions)
    n_pixels = stack.shape[1] * stack.shape[2]
    n_fractions = len(conditions)
    # fractions are counts over pixels: the counts must agree exactly
    np.testing.assert_array_equal(np.rint(ours[:, :n_fractions] * n_pixels),
                                  np.rint(twin[:, :n_fractions] * n_pixels))
    np.testing.assert_allclose(ours, twin, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_kernel_equals_twin_with_defaults_and_user_conditions(dtype):
    stack = random_stack(dtype)
    ours = PixelRuleFeatures(conditions=USER_CONDITIONS).fit_transform(stack)
    assert_equal_to_twin(ours, stack, {**default_conditions(), **USER_CONDITIONS})


@pytest.mark.parametrize("op", [">", ">=", "<", "<="])
@pytest.mark.parametrize("quantity", QUANTITIES)
def test_every_quantity_and_operator(quantity, op):
    stack = random_stack(np.uint8, n=2, seed=1)
    thresholds = {"hue": 180.0, "vari": 0.0, "exg": 0.0}
    conditions = {"by_number": [(quantity, op, thresholds.get(quantity, 0.5))],
                  "by_quantity": [(quantity, op, "green")]}
    ours = np.stack([pixel_rule_features(image, conditions=conditions)
                     for image in stack])
    assert_equal_to_twin(ours, stack, {**default_conditions(), **conditions})


def test_thresholds_change_the_default_conditions():
    stack = random_stack(np.float64, seed=2)
    extractor = PixelRuleFeatures(exg_threshold=-0.2, bright_threshold=0.3,
                                  dark_threshold=0.6)
    assert_equal_to_twin(extractor.fit_transform(stack), stack,
                         default_conditions(-0.2, 0.3, 0.6))


def test_quantities_agree_with_their_definitions():
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, size=(12, 9, 3), dtype=np.uint8)
    q = naive.pixel_quantities(image)
    hsv = rgb2hsv(image).reshape(-1, 3)
    rgb = image.reshape(-1, 3) / 255.0
    np.testing.assert_allclose(q["saturation"], hsv[:, 1], atol=1e-12)
    np.testing.assert_allclose(q["hue"], 360 * hsv[:, 0], atol=1e-9)
    np.testing.assert_allclose(q["brightness"], rgb.mean(axis=1), atol=1e-12)
    chromatic = rgb / rgb.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(q["exg"], 2 * chromatic[:, 1] - chromatic[:, 0]
                               - chromatic[:, 2], atol=1e-12)
    features = pixel_rule_features(image)
    np.testing.assert_allclose(features[-2:], [rgb.mean(), hsv[:, 1].mean()],
                               rtol=1e-12)


@pytest.mark.parametrize("name, image", [
    ("black", np.zeros((4, 5, 3), np.uint8)),
    ("white", np.full((4, 5, 3), 255, np.uint8)),
    ("constant", np.full((3, 3, 3), (30, 200, 60), np.uint8)),
    ("one_pixel", np.array([[[0, 0, 255]]], np.uint8)),
    ("rgba", np.dstack([np.full((4, 4, 3), 90, np.uint16),
                        np.zeros((4, 4), np.uint16)])),
    ("strided_view", random_stack(np.uint8, n=1, shape=(20, 30, 3))[0][::3, ::2]),
])
def test_edge_cases_equal_twin(name, image):
    ours = pixel_rule_features(image, conditions=USER_CONDITIONS)[np.newaxis]
    assert_equal_to_twin(ours, image[np.newaxis],
                         {**default_conditions(), **USER_CONDITIONS})


def test_simple_images_give_the_obvious_fractions():
    green = np.zeros((4, 4, 3), np.uint8)
    green[..., 1] = 200
    black = np.zeros((4, 4, 3), np.uint8)
    white = np.full((4, 4, 3), 255, np.uint8)
    f_green = dict(zip(DEFAULT_NAMES, pixel_rule_features(green)))
    f_black = dict(zip(DEFAULT_NAMES, pixel_rule_features(black)))
    f_white = dict(zip(DEFAULT_NAMES, pixel_rule_features(white)))
    assert f_green["green_fraction"] == 1 and f_green["exg_fraction"] == 1
    assert f_green["mean_saturation"] == 1
    # black: every quantity of undefined value is 0, so only "dark" holds
    assert [f_black[n] for n in DEFAULT_NAMES[:5]] == [0, 0, 0, 1, 0]
    assert f_black["mean_brightness"] == 0 and f_black["mean_saturation"] == 0
    assert f_white["bright_fraction"] == 1
    assert f_white["mean_brightness"] == pytest.approx(1, abs=1e-15)


def test_feature_names_are_the_contract():
    names = PixelRuleFeatures().fit([np.zeros((2, 2, 3))]).get_feature_names_out()
    assert list(names) == DEFAULT_NAMES
    extractor = PixelRuleFeatures(conditions={"water": [("blue", ">", "green")],
                                              "soil": [("red", ">", "green")]})
    names = extractor.fit([np.zeros((2, 2, 3))]).get_feature_names_out()
    assert list(names) == (DEFAULT_NAMES[:5] + ["water_fraction", "soil_fraction"]
                           + DEFAULT_NAMES[5:])


def test_a_single_clause_may_be_given_without_its_list():
    image = random_stack(np.uint8, n=1)[0]
    one = pixel_rule_features(image, conditions={"w": ("blue", ">", "green")})
    listed = pixel_rule_features(image, conditions={"w": [("blue", ">", "green")]})
    np.testing.assert_array_equal(one, listed)


@pytest.mark.parametrize(
    "estimator, check, images, y",
    [*image_estimator_checks(PixelRuleFeatures()),
     *image_estimator_checks(PixelRuleFeatures(conditions=USER_CONDITIONS))],
    ids=lambda value: getattr(value, "__name__", None) if callable(value) else None,
)
def test_image_estimator_checks(estimator, check, images, y):
    check(estimator, images, y)


# --------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize("conditions, match", [
    ({"w": [("blu", ">", "green")]}, r"Unknown quantity 'blu'.*'brightness'"),
    ({"w": [("blue", ">", "grn")]}, r"Unknown quantity 'grn'.*'vari'"),
    ({"w": [("blue", "==", "green")]}, r"Unknown operator '=='.*'>='"),
    ({"w": [("blue", ">")]}, r"must be a \(quantity, op, quantity-or-number\)"),
    ({"w": []}, "must be a non-empty list of clauses"),
    ({"w": "blue > green"}, "must be a non-empty list of clauses"),
    ({"w": [("blue", ">", float("nan"))]}, "must be finite"),
    ({"w": [("blue", ">", True)]}, "Unknown quantity True"),
    ({"green": [("blue", ">", "green")]}, "taken by a default condition"),
    ({"": [("blue", ">", "green")]}, "non-empty strings"),
])
def test_bad_conditions(conditions, match):
    image = np.zeros((2, 2, 3), np.uint8)
    with pytest.raises(ValueError, match=match):
        pixel_rule_features(image, conditions=conditions)
    with pytest.raises(ValueError, match=match):
        PixelRuleFeatures(conditions=conditions).fit([image])


def test_conditions_must_be_a_dict():
    with pytest.raises(InvalidParameterError, match="conditions"):
        PixelRuleFeatures(conditions=[("blue", ">", "green")]).fit(
            [np.zeros((2, 2, 3))])


def test_grayscale_image_is_refused():
    with pytest.raises(ValueError, match="must be a colour image"):
        pixel_rule_features(np.zeros((4, 4)))
