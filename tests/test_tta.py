"""TestTimeAugmentation against the mean over copies computed by hand, and
make_pipeline(tta=)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

import classical
from classical.classifiers import TestTimeAugmentation
from classical.preprocess import RandomAugment, Resize


def _flatten(images):
    return np.asarray(images, dtype=np.float64).reshape(len(images), -1)


def pixel_model():
    """A classifier of raw pixels: its probabilities change with orientation."""
    return Pipeline(
        [
            ("resize", Resize(size=(6, 6))),
            ("flat", FunctionTransformer(_flatten)),
            ("logistic", LogisticRegression(C=0.1, max_iter=500)),
        ]
    )


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    images = rng.random((30, 6, 6, 3))
    labels = np.array(["field", "forest", "river"])[np.arange(30) % 3]
    images[labels == "forest", :3] += 0.5  # an oriented cue: bright top rows
    return images, labels


HAND_TRANSFORMS = {
    "d4": [lambda x, k=k: np.rot90(x, k) for k in range(4)]
    + [lambda x, k=k: np.rot90(np.flip(x, 1), k) for k in range(4)],
    "flips": [
        lambda x: x,
        lambda x: np.flip(x, 1),
        lambda x: np.flip(x, 0),
        lambda x: np.flip(x, (0, 1)),
    ],
}


@pytest.mark.parametrize("transforms", ["d4", "flips"])
def test_predict_proba_is_the_mean_over_copies(data, transforms):
    images, labels = data
    base = pixel_model().fit(images, labels)
    by_hand = np.mean(
        [
            base.predict_proba(np.stack([t(x) for x in images]))
            for t in HAND_TRANSFORMS[transforms]
        ],
        axis=0,
    )
    model = TestTimeAugmentation(
        pixel_model(), transforms=transforms, batch_size=7
    ).fit(images, labels)
    proba = model.predict_proba(images)
    np.testing.assert_allclose(proba, by_hand, atol=1e-12)
    assert not np.allclose(proba, base.predict_proba(images))  # the copies matter
    np.testing.assert_array_equal(model.classes_, base.classes_)
    np.testing.assert_array_equal(
        model.predict(images), base.classes_[np.argmax(by_hand, axis=1)]
    )


def test_identity_gives_the_base_model(data):
    images, labels = data
    base = pixel_model().fit(images, labels)
    model = TestTimeAugmentation(pixel_model(), transforms=[lambda x: x]).fit(
        images, labels
    )
    np.testing.assert_allclose(
        model.predict_proba(images), base.predict_proba(images), atol=1e-12
    )
    assert model.score(images, labels) == base.score(images, labels)


def test_callables_batches_and_ragged_input(data):
    images, labels = data
    ragged = [
        np.pad(x, ((0, i % 3), (0, 0), (0, 0)), mode="edge")
        for i, x in enumerate(images)
    ]
    transforms = [lambda x: x, lambda x: np.rot90(x)]  # a turn swaps the sides
    proba = [
        TestTimeAugmentation(pixel_model(), transforms=transforms, batch_size=size)
        .fit(ragged, labels)
        .predict_proba(ragged)
        for size in (1, 4, 64)
    ]
    np.testing.assert_allclose(proba[0], proba[1], atol=1e-12)
    np.testing.assert_allclose(proba[0], proba[2], atol=1e-12)
    assert proba[0].shape == (30, 3)


def test_fit_params_reach_the_estimator(data):
    images, labels = data
    weights = np.where(labels == "river", 10.0, 1.0)
    model = TestTimeAugmentation(pixel_model()).fit(
        images, labels, logistic__sample_weight=weights
    )
    base = pixel_model().fit(images, labels, logistic__sample_weight=weights)
    np.testing.assert_allclose(
        model.estimator_.named_steps["logistic"].coef_,
        base.named_steps["logistic"].coef_,
    )


def test_errors(data):
    images, labels = data
    with pytest.raises(
        ValueError, match="'transforms' parameter of TestTimeAugmentation"
    ):
        TestTimeAugmentation(pixel_model(), transforms="rot90").fit(images, labels)
    with pytest.raises(ValueError, match="transforms is an empty list"):
        TestTimeAugmentation(pixel_model(), transforms=[]).fit(images, labels)
    with pytest.raises(
        TypeError, match=r"transforms\[1\] must be a function .* got str"
    ):
        TestTimeAugmentation(pixel_model(), transforms=[np.fliplr, "x"]).fit(
            images, labels
        )
    with pytest.raises(
        ValueError, match="'estimator' parameter of TestTimeAugmentation"
    ):
        TestTimeAugmentation(LinearSVC()).fit(_flatten(images), labels)
    with pytest.raises(NotFittedError):
        TestTimeAugmentation(pixel_model()).predict(images)


# ------------------------------------------------------- make_pipeline(tta=)
def test_make_pipeline_wraps_in_tta_with_params():
    model = classical.make_pipeline("hog-svm", tta="flips", svm__estimator__C=2.0)
    assert isinstance(model, TestTimeAugmentation) and model.transforms == "flips"
    assert model.estimator.named_steps["svm"].estimator.C == 2.0
    assert model.get_params()["estimator__svm__estimator__C"] == 2.0


def test_make_pipeline_tta_errors():
    with pytest.raises(
        ValueError, match="Unknown tta 'all'. Choose one of 'd4', 'flips'"
    ):
        classical.make_pipeline("hog-svm", tta="all")
    with pytest.raises(TypeError, match="tta must be None, .* got int"):
        classical.make_pipeline("hog-svm", tta=8)
    with pytest.raises(
        ValueError, match="tta='d4' cannot be used with multilabel=True"
    ):
        classical.make_pipeline("hog-svm", tta="d4", multilabel=True)
    with pytest.raises(ValueError, match="the 'pixel-rf' preset classifies pixel rows"):
        classical.make_pipeline("pixel-rf", tta="d4")


def test_augmented_tta_model_round_trips_through_save_and_load(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (24, 24, 24, 3), dtype=np.uint8)
    labels = np.arange(24) % 2
    images[labels == 1, :8] //= 3  # dark top rows: not symmetric
    augment = RandomAugment(d4=True, brightness=0.1, n_copies=2, random_state=0)
    model = classical.make_pipeline("hog-svm", augment=augment, tta="d4").fit(
        images, labels
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no untrusted type to warn about
        path = classical.save(model, tmp_path / "model.skops")
    loaded = classical.load(path)
    assert isinstance(loaded, TestTimeAugmentation)
    assert loaded.estimator_.named_steps["augment"].get_params() == augment.get_params()
    np.testing.assert_array_equal(
        loaded.predict_proba(images), model.predict_proba(images)
    )
    assert classical.persistence.read_metadata(path)["classes"] == [0, 1]
