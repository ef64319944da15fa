"""Read a PyTorch ``state_dict`` saved in the legacy format, without torch.

Before PyTorch 1.6, :func:`torch.save` wrote a file as a sequence of pickles
followed by raw storage bytes (the zip container came later):

1. the magic number ``0x1950a86a20f9469cfc6c``;
2. the protocol version, ``1001``;
3. a dict of system information (byte order, sizes of C types);
4. the object itself: here an ``OrderedDict`` of tensors, each pickled as
   ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)``,
   its storage a *persistent id* ``('storage', <storage class>, key,
   location, numel)`` rather than data;
5. the list of storage keys, in the order their data follows;
6. for each key: the element count as a little-endian int64, then the
   elements, little-endian.

:func:`read_legacy_state_dict` reads that layout with a restricted
:class:`pickle.Unpickler` whose ``find_class`` resolves only the names of
:data:`_ALLOWED`: ``collections.OrderedDict``, ``torch._utils.
_rebuild_tensor_v2`` and the float32/int64 storage classes, each mapped to a
stand-in that only records numbers. Any other global (``os.system``,
``builtins.eval``, ...) stops the read with :class:`WeightsFileError` before
it is called, so a tampered file cannot run code. Every tensor view is
checked to lie inside its storage before it is copied out.
"""

import collections
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["WeightsFileError", "read_legacy_state_dict"]

_MAGIC = 0x1950A86A20F9469CFC6C
_PROTOCOL = 1001
_STORAGE_DTYPES = {"FloatStorage": np.dtype("<f4"), "LongStorage": np.dtype("<i8")}


class WeightsFileError(ValueError):
    """The file is not a legacy PyTorch ``state_dict`` this reader accepts."""


@dataclass(frozen=True)
class _StorageType:
    dtype: np.dtype


@dataclass(frozen=True)
class _Storage:
    key: str
    dtype: np.dtype
    numel: int


@dataclass(frozen=True)
class _TensorView:
    storage: _Storage
    offset: int
    size: tuple
    stride: tuple


def _rebuild_tensor_v2(storage, offset, size, stride, *_ignored):
    """Stand-in for ``torch._utils._rebuild_tensor_v2``: record the view."""
    if not isinstance(storage, _Storage):
        raise WeightsFileError("a tensor is not backed by a storage record.")
    return _TensorView(storage, int(offset), tuple(map(int, size)),
                       tuple(map(int, stride)))


_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    **{("torch", name): _StorageType(dtype) for name, dtype in _STORAGE_DTYPES.items()},
}


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :data:`_ALLOWED` and storage records."""

    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise WeightsFileError(
                f"the file refers to {module}.{name}, which a weights file does not "
                "need; refusing to load it (only OrderedDict, _rebuild_tensor_v2 and "
                "Float/Long storages are allowed)."
            ) from None

    def persistent_load(self, pid):
        if (not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage"
                or not isinstance(pid[1], _StorageType)):
            raise WeightsFileError(f"unexpected persistent id {pid!r:.80}.")
        return _Storage(str(pid[2]), pid[1].dtype, int(pid[4]))


def _load_one(handle):
    try:
        return _RestrictedUnpickler(handle).load()
    except WeightsFileError:
        raise
    except Exception as error:  # truncated or malformed pickles
        raise WeightsFileError(f"malformed pickle: {error}") from error


def _view(tensor, data):
    """Copy ``tensor``'s elements out of ``data`` (its storage), bounds checked."""
    size, stride = tensor.size, tensor.stride
    if len(size) != len(stride) or min(size + stride, default=0) < 0:
        raise WeightsFileError(f"bad tensor view {size} / {stride}.")
    last = tensor.offset + sum((n - 1) * s for n, s in zip(size, stride) if n > 0)
    if tensor.offset < 0 or (np.prod(size) > 0 and last >= len(data)):
        raise WeightsFileError(
            f"a tensor of size {size} reaches element {last} of a storage of "
            f"{len(data)} elements.")
    item = data.itemsize
    strided = np.lib.stride_tricks.as_strided(
        data[tensor.offset:], shape=size, strides=[s * item for s in stride],
        writeable=False)
    return np.array(strided, dtype=data.dtype.newbyteorder("="), order="C")


def read_legacy_state_dict(path):
    """Read a legacy-format PyTorch ``state_dict`` into NumPy arrays.

    Parameters
    ----------
    path : str or path-like
        The ``.pth`` file.

    Returns
    -------
    state : dict of str to ndarray
        Each entry's array, C-contiguous, in native byte order: float32 for
        ``FloatStorage`` tensors, int64 for ``LongStorage`` ones (BatchNorm's
        ``num_batches_tracked``), in the file's order.

    Raises
    ------
    WeightsFileError
        If the file is not in this layout, names a global outside the
        allow-list, or its data is truncated or inconsistent.
    """
    with Path(path).open("rb") as handle:
        if _load_one(handle) != _MAGIC:
            raise WeightsFileError(
                f"{path} is not a legacy PyTorch file (wrong magic number); files "
                "written by torch >= 1.6 are zip archives and are not supported.")
        if _load_one(handle) != _PROTOCOL:
            raise WeightsFileError(f"{path}: unsupported protocol version.")
        info = _load_one(handle)
        if not isinstance(info, dict) or not info.get("little_endian", False):
            raise WeightsFileError(f"{path}: only little-endian files are supported.")
        state = _load_one(handle)
        keys = _load_one(handle)
        if not isinstance(state, dict) or not isinstance(keys, list):
            raise WeightsFileError(f"{path} does not hold a state_dict.")
        storages = {t.storage.key: t.storage for t in state.values()
                    if isinstance(t, _TensorView)}
        data = {}
        for key in keys:
            record = storages.get(str(key))
            count = np.frombuffer(handle.read(8), dtype="<i8")
            if record is None or count.size != 1 or int(count[0]) != record.numel:
                raise WeightsFileError(f"{path}: storage {key!r} is inconsistent.")
            raw = handle.read(record.numel * record.dtype.itemsize)
            if len(raw) != record.numel * record.dtype.itemsize:
                raise WeightsFileError(f"{path} is truncated (storage {key!r}).")
            data[record.key] = np.frombuffer(raw, dtype=record.dtype)
    missing = set(storages) - set(data)
    if missing:
        raise WeightsFileError(f"{path}: no data for storages {sorted(missing)}.")
    result = {}
    for name, tensor in state.items():
        if not isinstance(tensor, _TensorView):
            raise WeightsFileError(f"{path}: entry {name!r} is not a tensor.")
        result[str(name)] = _view(tensor, data[tensor.storage.key])
    return result
