"""Turn per-image descriptor sets into one ragged ``(descriptors, offsets)`` pair."""

import numpy as np

__all__ = ["_as_ragged"]


def _float_dtype(arrays):
    """float32 when every set is float32, float64 otherwise."""
    if arrays and all(a.dtype == np.float32 for a in arrays):
        return np.float32
    return np.float64


def _as_ragged(X, *, name="X"):
    """Return ``(descriptors, offsets)`` for a batch of per-image descriptor sets.

    Parameters
    ----------
    X : list of ndarray of shape (n_i, d), ndarray of shape (n_images, n, d), or
        object with ``descriptors`` (N, d) and ``offsets`` (n_images + 1,)
        Descriptor sets, one per image; a set may be empty (``n_i == 0``).
    name : str, default='X'
        Argument name used in error messages.

    Returns
    -------
    descriptors : ndarray of shape (N, d), C-contiguous float32 or float64
        float32 when the input is float32, float64 otherwise.
    offsets : ndarray of shape (n_images + 1,), int64
        Image ``i`` owns rows ``offsets[i]:offsets[i + 1]``.
    """
    if hasattr(X, "descriptors") and hasattr(X, "offsets"):
        descriptors = np.asarray(X.descriptors)
        offsets = np.asarray(X.offsets)
        if descriptors.ndim != 2 or offsets.ndim != 1 or offsets.size < 1:
            raise ValueError(
                f"{name}.descriptors must be 2-D (N, d) and {name}.offsets 1-D "
                f"(n_images + 1,); got shapes {descriptors.shape} and "
                f"{offsets.shape}.")
        offsets = offsets.astype(np.int64)
        if (offsets[0] != 0 or offsets[-1] != len(descriptors)
                or np.any(np.diff(offsets) < 0)):
            raise ValueError(
                f"{name}.offsets must rise from 0 to len({name}.descriptors) = "
                f"{len(descriptors)}; got {offsets[0]} ... {offsets[-1]}.")
        arrays = [descriptors]
    else:
        if isinstance(X, np.ndarray) and X.ndim == 3:
            X = list(X)
        if isinstance(X, np.ndarray) or not isinstance(X, (list, tuple)):
            raise TypeError(
                f"{name} must be a list of per-image (n_i, d) descriptor arrays or "
                f"an object with .descriptors and .offsets; got "
                f"{type(X).__name__}. Wrap a single image's descriptors in a list.")
        if len(X) == 0:
            raise ValueError(f"{name} holds no images; pass at least one descriptor "
                             "set.")
        arrays = [np.asarray(a) for a in X]
        shapes = {a.shape[1:] for a in arrays if a.ndim == 2}
        if any(a.ndim != 2 for a in arrays) or len(shapes) != 1:
            raise ValueError(
                f"Every descriptor set in {name} must be a 2-D (n_i, d) array with "
                f"the same d; got shapes {sorted({a.shape for a in arrays})[:4]}. "
                "Reshape a lone descriptor to (1, d) and an empty set to (0, d).")
        offsets = np.zeros(len(arrays) + 1, np.int64)
        np.cumsum([len(a) for a in arrays], out=offsets[1:])
    for a in arrays:
        if not (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_) \
                or np.iscomplexobj(a):
            raise TypeError(f"Descriptors in {name} must be real numbers; got dtype "
                            f"{a.dtype}. Convert them with .astype(np.float32).")
    dtype = _float_dtype(arrays)
    if len(arrays) == 1:
        descriptors = np.ascontiguousarray(arrays[0], dtype=dtype)
    else:
        descriptors = np.ascontiguousarray(np.concatenate(arrays, axis=0), dtype=dtype)
    if descriptors.shape[1] == 0:
        raise ValueError(f"Descriptors in {name} have 0 dimensions; each needs d >= "
                         "1 values.")
    # min and max propagate NaN and reach any infinity, without a mask array
    if descriptors.size and not (np.isfinite(descriptors.min())
                                 and np.isfinite(descriptors.max())):
        raise ValueError(f"Descriptors in {name} contain NaN or infinity; remove or "
                         "replace them before encoding.")
    return descriptors, offsets
