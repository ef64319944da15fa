"""Tests for classical.persistence: round trips, trust rule, versions, bad files."""

import json
import pickle
import sys
import warnings
import zipfile
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

import classical
import classical.descriptors._base
from classical import _version, persistence
from classical.persistence import (
    METADATA_MEMBER,
    ModelFileError,
    ModelVersionError,
    UntrustedModelError,
    load,
    read_metadata,
    save,
)

from .test_imbalance import _tiny_images

SETSTATE_CALLS = []
UNPICKLED = []


class Doubler(TransformerMixin, BaseEstimator):
    """A transformer that is not part of any trusted library."""

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def transform(self, X):
        return 2 * np.asarray(X)

    def __setstate__(self, state):
        SETSTATE_CALLS.append(type(self).__name__)
        super().__setstate__(state)


def _record_unpickling():
    UNPICKLED.append(True)
    return "payload"


class _Payload:
    def __reduce__(self):
        return (_record_unpickling, ())


class TinyMeanExtractor(classical.descriptors._base.BaseImageExtractor):
    """Mean intensity of each image: the smallest possible library extractor."""

    _uses_numba = False

    def __init__(self, *, n_jobs=None, verbose=False):
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _extract_batch(self, stack):
        return stack.reshape(stack.shape[0], -1).mean(axis=1, keepdims=True)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.random((60, 4)) + 0.1
    y = np.array(["crop", "forest", "water"])[np.arange(60) % 3]
    X[y == "forest"] += 0.5
    return X, y


@pytest.fixture
def svc_pipeline(data):
    return make_pipeline(StandardScaler(), SVC(C=3.0)).fit(*data)


@pytest.fixture
def library_extractor(monkeypatch):
    """TinyMeanExtractor published as classical.descriptors._base.TinyMeanExtractor."""
    monkeypatch.setattr(TinyMeanExtractor, "__module__", "classical.descriptors._base")
    monkeypatch.setattr(classical.descriptors._base, "TinyMeanExtractor",
                        TinyMeanExtractor, raising=False)
    return TinyMeanExtractor


def _rewrite_member(path, member, edit):
    """Rewrite one member of a zip file with ``edit(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist()}
    contents[member] = edit(contents[member])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)


def _set_stored_version(path, version):
    def edit(content):
        record = json.loads(content)
        record["library_version"] = version
        return json.dumps(record).encode()

    _rewrite_member(path, METADATA_MEMBER, edit)


def _rename_type(path, old, new):
    """Make the schema name ``new`` (module.Class) wherever it names ``old``."""
    old_module, _, old_class = old.rpartition(".")
    new_module, _, new_class = new.rpartition(".")

    def edit(content):
        text = content.decode()
        for key, old_value, new_value in (("__module__", old_module, new_module),
                                          ("__class__", old_class, new_class)):
            text = text.replace(f'"{key}": "{old_value}"', f'"{key}": "{new_value}"')
        return text.encode()

    _rewrite_member(path, "schema.json", edit)


def _qualified(cls):
    return f"{cls.__module__}.{cls.__name__}"


# ------------------------------------------------------------------ round trips
def test_round_trip_scaler_svc(tmp_path, data, svc_pipeline):
    X, _ = data
    path = save(svc_pipeline, tmp_path / "model.skops")
    assert path == tmp_path / "model.skops"
    assert not list(tmp_path.glob("*.partial"))
    loaded = load(path)
    assert type(loaded) is type(svc_pipeline)
    assert loaded.get_params()["svc__C"] == 3.0
    np.testing.assert_array_equal(loaded.predict(X), svc_pipeline.predict(X))
    np.testing.assert_array_equal(loaded.decision_function(X),
                                  svc_pipeline.decision_function(X))


def test_round_trip_function_transformer_with_ufunc(tmp_path, data):
    X, y = data
    model = make_pipeline(FunctionTransformer(np.log1p), SVC()).fit(X, y)
    path = save(model, tmp_path / "model.skops")
    loaded = load(path)
    assert loaded[0].func is np.log1p
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_round_trip_of_a_library_estimator(tmp_path, library_extractor):
    rng = np.random.default_rng(1)
    images = [rng.random((8, 8)) * (i % 2 + 1) for i in range(20)]
    y = np.arange(20) % 2
    model = make_pipeline(library_extractor(), SVC()).fit(images, y)
    found = sio.get_untrusted_types(data=sio.dumps(model))
    # untrusted by skops
    assert found == ["classical.descriptors._base.TinyMeanExtractor"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # save must not warn: load trusts it
        path = save(model, tmp_path / "model.skops")
    loaded = load(path)
    assert type(loaded[0]) is library_extractor
    np.testing.assert_array_equal(loaded.predict(images), model.predict(images))


def test_overwrites_existing_file(tmp_path, data, svc_pipeline):
    path = tmp_path / "model.skops"
    path.write_bytes(b"old content")
    save(svc_pipeline, path)
    np.testing.assert_array_equal(load(path).predict(data[0]),
                                  svc_pipeline.predict(data[0]))


# --------------------------------------------------------------------- metadata
def test_read_metadata(tmp_path, svc_pipeline):
    path = save(svc_pipeline, str(tmp_path / "model.skops"),
                metadata={"pipeline": "hog-svm", "dataset": "eurosat"})
    meta = read_metadata(path)
    assert meta["format"] == "classical-model"
    assert meta["format_version"] == 1
    assert meta["library_version"] == classical.__version__
    assert meta["classes"] == ["crop", "forest", "water"]
    assert meta["pipeline"] == "hog-svm"
    assert meta["dataset"] == "eurosat"
    assert meta["model_class"] == "sklearn.pipeline.Pipeline"
    saved_at = datetime.fromisoformat(meta["saved_at"])
    assert abs(datetime.now(timezone.utc) - saved_at) < timedelta(minutes=5)
    assert set(meta["versions"]) == {"python", "numpy", "scipy", "scikit-learn",
                                     "skops"}


def test_metadata_without_classes_or_preset(tmp_path, data):
    model = StandardScaler().fit(data[0])
    meta = read_metadata(save(model, tmp_path / "scaler.skops"))
    assert meta["classes"] is None
    assert meta["pipeline"] is None


def test_integer_classes_are_plain_json(tmp_path, data):
    X, _ = data
    model = SVC().fit(X, np.arange(60, dtype=np.int64) % 3)
    meta = read_metadata(save(model, tmp_path / "model.skops"))
    assert meta["classes"] == [0, 1, 2]


@pytest.mark.parametrize(
    "metadata, error, match",
    [
        (["pipeline"], TypeError, "metadata must be a dict with string keys; got list"),
        ({1: "x"}, TypeError, "metadata must be a dict with string keys"),
        ({"classes": [1]}, ValueError, r"reserved keys \['classes'\]"),
        ({"when": datetime.now()}, TypeError, "metadata must be JSON-serialisable"),
    ],
)
def test_invalid_metadata(tmp_path, svc_pipeline, metadata, error, match):
    with pytest.raises(error, match=match):
        save(svc_pipeline, tmp_path / "model.skops", metadata=metadata)
    assert not (tmp_path / "model.skops").exists()


# ------------------------------------------------------------------- trust rule
def test_untrusted_custom_type_is_named_and_never_built(tmp_path, data):
    X, y = data
    model = make_pipeline(Doubler(), SVC()).fit(X, y)
    name = _qualified(Doubler)
    with pytest.warns(UserWarning, match="does not trust by default"):
        path = save(model, tmp_path / "model.skops")
    SETSTATE_CALLS.clear()
    with pytest.raises(UntrustedModelError, match=name.replace(".", r"\.")) as info:
        load(path)
    assert info.value.types == [name]
    assert "trusted=" in str(info.value)
    assert SETSTATE_CALLS == []  # nothing was constructed
    loaded = load(path, trusted=[name])
    assert SETSTATE_CALLS == ["Doubler"]
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "forged",
    [
        "classical.descriptors._base.BaseEstimator",  # imported there, not ours
        "classical.no_such_module.Evil",
        "classical.descriptors._base.no_such_name",
        "classical.__main__.Evil",
    ],
)
def test_forged_library_names_are_refused(tmp_path, data, forged):
    X, y = data
    model = make_pipeline(Doubler(), SVC()).fit(X, y)
    with pytest.warns(UserWarning):
        path = save(model, tmp_path / "model.skops")
    _rename_type(path, _qualified(Doubler), forged)
    had_main = "classical.__main__" in sys.modules
    with pytest.raises(UntrustedModelError, match=forged.replace(".", r"\.")):
        load(path)
    assert ("classical.__main__" in sys.modules) == had_main


def test_library_module_that_cannot_import_is_reported(tmp_path, monkeypatch,
                                                      library_extractor):
    images = [np.full((8, 8), i, dtype=float) for i in range(4)]
    model = library_extractor().fit(images)
    path = save(model, tmp_path / "model.skops")

    def missing_dependency(name):
        raise ImportError("No module named 'torch'", name="torch")

    monkeypatch.setattr(persistence, "import_module", missing_dependency)
    with pytest.raises(ModelFileError,
                       match="classical.descriptors._base cannot be imported.*torch"):
        load(path)


def test_trusted_must_be_names(tmp_path, svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops")
    with pytest.raises(TypeError, match="trusted must be a list of fully qualified"):
        load(path, trusted="sklearn.tree._tree.Tree")
    with pytest.raises(TypeError, match="trusted must be a list"):
        load(path, trusted=[Doubler])


# --------------------------------------------------------------------- versions
def _major_minor(version):
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


@pytest.mark.parametrize("change", ["major+1", "minor+1"])
def test_newer_file_version_is_refused(tmp_path, svc_pipeline, change):
    major, minor = _major_minor(classical.__version__)
    written = f"{major + 1}.0.0" if change == "major+1" else f"{major}.{minor + 1}.0"
    path = save(svc_pipeline, tmp_path / "model.skops")
    _set_stored_version(path, written)
    match = (f"written by classical {written}.*classical {classical.__version__} "
             "is installed" if change == "major+1" else
             f"written by classical {written}, which is newer than the installed "
             f"classical {classical.__version__}")
    with pytest.raises(ModelVersionError, match=match):
        load(path)
    assert read_metadata(path)["library_version"] == written


def test_older_major_is_refused_older_minor_accepted(tmp_path, monkeypatch, data,
                                                    svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops")
    _set_stored_version(path, "1.0.3")
    monkeypatch.setattr(_version, "__version__", "2.0.0")
    with pytest.raises(ModelVersionError, match="only readable within one major"):
        load(path)
    monkeypatch.setattr(_version, "__version__", "1.4.0")
    np.testing.assert_array_equal(load(path).predict(data[0]),
                                  svc_pipeline.predict(data[0]))


def test_unparseable_stored_version(tmp_path, svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops")
    _set_stored_version(path, "banana")
    with pytest.raises(ModelFileError, match="'banana' is not a version number"):
        load(path)


# -------------------------------------------------------------------- bad files
def test_truncated_file(tmp_path, svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops")
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(ModelFileError, match="not a readable zip archive"):
        load(path)
    with pytest.raises(ModelFileError, match="not a readable zip archive"):
        read_metadata(path)


def test_random_bytes(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ModelFileError, match="not a model file"):
        load(path)


def test_empty_file(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(b"")
    with pytest.raises(ModelFileError, match="not a model file"):
        load(path)


def test_pickle_file_is_never_unpickled(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(pickle.dumps({"model": _Payload()}))
    UNPICKLED.clear()
    with pytest.raises(ModelFileError, match="pickle files are never loaded"):
        load(path)
    with pytest.raises(ModelFileError, match="not a model file"):
        read_metadata(path)
    assert UNPICKLED == []


def test_plain_skops_file_without_metadata(tmp_path, svc_pipeline):
    path = tmp_path / "model.skops"
    sio.dump(svc_pipeline, path)
    with pytest.raises(ModelFileError, match="without classical-metadata.json"):
        load(path)
    with pytest.raises(ModelFileError, match="without classical-metadata.json"):
        read_metadata(path)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"{not json", "corrupt or truncated"),
        (b"\xff\xfe", "corrupt or truncated"),
        (b'["a list"]', "does not describe a classical model"),
        (b'{"format": "other"}', "does not describe a classical model"),
        (b'{"format": "classical-model"}', "lacks the library version"),
    ],
)
def test_corrupt_metadata(tmp_path, svc_pipeline, content, match):
    path = save(svc_pipeline, tmp_path / "model.skops")
    _rewrite_member(path, METADATA_MEMBER, lambda _: content)
    with pytest.raises(ModelFileError, match=match):
        load(path)


def test_oversized_metadata(tmp_path, svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops",
                metadata={"notes": "x" * (persistence._MAX_METADATA_BYTES + 1)})
    with pytest.raises(ModelFileError, match="more than metadata can be"):
        read_metadata(path)


def test_corrupt_schema(tmp_path, svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops")
    _rewrite_member(path, "schema.json", lambda content: content[:-20])
    with pytest.raises(ModelFileError, match="corrupt or truncated"):
        load(path)


def test_corrupt_array_member(tmp_path, svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops")
    with zipfile.ZipFile(path) as archive:
        arrays = [n for n in archive.namelist() if n.endswith(".npy")]
    _rewrite_member(path, arrays[0], lambda content: content[:20])
    with pytest.raises(ModelFileError, match="Could not rebuild the model"):
        load(path)


def test_flipped_bytes_fail_the_checksum(tmp_path, svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops")
    with zipfile.ZipFile(path) as archive:
        info = max(archive.infolist(), key=lambda i: i.compress_size)
    content = bytearray(path.read_bytes())
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    content[middle] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(ModelFileError):
        load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file at"):
        load(tmp_path / "absent.skops")


def test_zip_member_layout(tmp_path, svc_pipeline):
    path = save(svc_pipeline, tmp_path / "model.skops")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "schema.json" in names and METADATA_MEMBER in names
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
    # The model part is an ordinary skops file that skops itself can load.
    assert sio.get_untrusted_types(data=path.read_bytes()) == []


def test_random_forest_loads_by_default_and_predicts_the_same(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 4)), np.repeat(["a", "b", "c"], 20)
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    path = tmp_path / "forest.skops"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "untrusted type" warning either
        classical.save(forest, path)
    np.testing.assert_array_equal(classical.load(path).predict(X), forest.predict(X))


def test_tampered_tree_is_refused(tmp_path, monkeypatch):
    from sklearn.tree import DecisionTreeClassifier

    from classical import persistence

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
    path = tmp_path / "tree.skops"
    classical.save(DecisionTreeClassifier(random_state=0).fit(X, y), path)
    original = persistence.sio.load

    def load_then_break_a_child(*args, **kwargs):
        model = original(*args, **kwargs)
        state = model.tree_.__getstate__()
        nodes = state["nodes"].copy()
        nodes["left_child"][0] = 10_000
        state["nodes"] = nodes
        model.tree_.__setstate__(state)
        return model

    monkeypatch.setattr(persistence.sio, "load", load_then_break_a_child)
    with pytest.raises(persistence.ModelFileError, match="malformed decision tree"):
        classical.load(path)


def test_calibrated_svm_loads_by_default(tmp_path):
    from sklearn.calibration import CalibratedClassifierCV

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 4)), np.repeat(["a", "b", "c"], 20)
    X[y == "b"] += 2
    model = CalibratedClassifierCV(SVC(), cv=3, ensemble=False).fit(X, y)
    path = tmp_path / "svm.skops"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classical.save(model, path)
    np.testing.assert_allclose(classical.load(path).predict_proba(X),
                               model.predict_proba(X))


@pytest.mark.parametrize("resample", ["over", "under", "smote"])
def test_resampling_preset_loads_by_default_and_predicts_the_same(tmp_path,
                                                                   resample):
    images, labels = _tiny_images({"a": 12, "b": 4, "c": 3})
    params = {"resample__k_neighbors": 2} if resample == "smote" else {}
    model = classical.make_pipeline("color-rf", resample=resample,
                                    forest__n_estimators=5, **params)
    model.fit(images, labels)
    path = tmp_path / "resampled.skops"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "untrusted type" warning
        classical.save(model, path, metadata={"pipeline": "color-rf"})
    loaded = classical.load(path)
    assert type(loaded) is type(model)
    assert type(loaded.named_steps["resample"]) is type(model.named_steps["resample"])
    test_images = _tiny_images({"a": 3, "b": 3, "c": 3}, seed=1)[0]
    np.testing.assert_array_equal(loaded.predict_proba(test_images),
                                  model.predict_proba(test_images))
    assert read_metadata(path)["classes"] == ["a", "b", "c"]


def test_other_samplers_need_trusted(tmp_path):
    from imblearn.under_sampling import NearMiss

    images, labels = _tiny_images({"a": 12, "b": 4})
    model = classical.make_pipeline("color-rf", resample=NearMiss(n_neighbors=2),
                                    forest__n_estimators=5).fit(images, labels)
    name = _qualified(NearMiss)
    with pytest.warns(UserWarning, match=name.replace(".", r"\.")):
        path = save(model, tmp_path / "nearmiss.skops")
    with pytest.raises(UntrustedModelError, match=name.replace(".", r"\.")) as info:
        load(path)
    assert info.value.types == [name]
    np.testing.assert_array_equal(load(path, trusted=[name]).predict(images),
                                  model.predict(images))
