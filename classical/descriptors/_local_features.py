"""Ragged batches of local descriptors: :class:`LocalFeatures`."""

import operator

import numpy as np

__all__ = ["LocalFeatures"]


class LocalFeatures:
    """Local descriptors of a batch of images, stored as one ragged array.

    Image ``i`` owns the rows ``offsets[i]:offsets[i + 1]`` of
    ``descriptors``, ``positions`` and ``scales``. Every image may have a
    different number of descriptors (possibly none); all have the same length
    ``d``.

    Parameters
    ----------
    descriptors : array-like of shape (n_descriptors, d)
        Descriptors of all images, one row each, image after image. Stored as
        C-contiguous float32.
    offsets : array-like of int of shape (n_images + 1,)
        Where each image's rows start; ``offsets[0] == 0``, non-decreasing,
        ``offsets[-1] == n_descriptors``. Stored as int64.
    positions : array-like of shape (n_descriptors, 2) or None, default=None
        Centre ``(x, y)`` of each descriptor in pixels (``x`` the column,
        ``y`` the row). Stored as float32; None means unknown (NaN).
    scales : array-like of shape (n_descriptors,) or None, default=None
        Scale of each descriptor in pixels, as defined by the extractor that
        made it. Stored as float32; None means unknown (NaN).

    Attributes
    ----------
    descriptors : ndarray of shape (n_descriptors, d), dtype float32
    offsets : ndarray of shape (n_images + 1,), dtype int64
    positions : ndarray of shape (n_descriptors, 2), dtype float32
    scales : ndarray of shape (n_descriptors,), dtype float32

    See Also
    --------
    DenseSIFTExtractor : Produces a LocalFeatures for a batch of images.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import LocalFeatures
    >>> features = LocalFeatures.from_list([np.ones((3, 4)), np.zeros((1, 4))])
    >>> len(features), features.n_descriptors, features.n_dims
    (2, 4, 4)
    >>> features[1].shape
    (1, 4)
    >>> len(features[:1])
    1
    """

    def __init__(self, descriptors, offsets, positions=None, scales=None):
        descriptors = np.asarray(descriptors)
        if descriptors.ndim != 2:
            raise ValueError(
                "descriptors must be a 2-D array of shape (n_descriptors, d); got "
                f"shape {descriptors.shape}. Stack the rows of all images first."
            )
        if not (np.issubdtype(descriptors.dtype, np.number)
                or descriptors.dtype == np.bool_):
            raise TypeError(
                f"descriptors must be numeric; got dtype {descriptors.dtype}.")
        n = descriptors.shape[0]
        offsets = np.asarray(offsets)
        if (offsets.ndim != 1 or offsets.size == 0
                or not np.issubdtype(offsets.dtype, np.integer)):
            raise ValueError(
                "offsets must be a 1-D integer array of length n_images + 1; got "
                f"shape {offsets.shape} and dtype {offsets.dtype}."
            )
        if offsets[0] != 0 or offsets[-1] != n or np.any(np.diff(offsets) < 0):
            raise ValueError(
                "offsets must start at 0, never decrease and end at the number of "
                f"descriptors ({n}); got {offsets.tolist()[:5]}"
                f"{'...' if offsets.size > 5 else ''} ending at {offsets[-1]}."
            )
        self.descriptors = np.ascontiguousarray(descriptors, dtype=np.float32)
        self.offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        self.positions = _per_descriptor(positions, (n, 2), "positions")
        self.scales = _per_descriptor(scales, (n,), "scales")

    @classmethod
    def from_list(cls, descriptors, positions=None, scales=None):
        """Build from one array of descriptors per image.

        Parameters
        ----------
        descriptors : sequence of array-like of shape (n_i, d)
            The descriptors of each image; ``d`` must be the same for all.
        positions : sequence of array-like of shape (n_i, 2) or None, \
default=None
            The ``(x, y)`` centres of each image's descriptors.
        scales : sequence of array-like of shape (n_i,) or None, default=None
            The scales of each image's descriptors.

        Returns
        -------
        features : LocalFeatures
            All images in order.
        """
        arrays = [np.asarray(a) for a in descriptors]
        if not arrays:
            raise ValueError("descriptors is empty: at least one image is required.")
        for i, array in enumerate(arrays):
            if array.ndim != 2 or array.shape[1] != arrays[0].shape[1]:
                first = arrays[0].shape[1] if arrays[0].ndim == 2 else None
                raise ValueError(
                    f"descriptors[{i}] must have shape (n_i, {first}) like "
                    f"descriptors[0]; got shape {array.shape}. Every image's "
                    "descriptors must be a 2-D array of the same width."
                )
        counts = [len(a) for a in arrays]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(np.concatenate(arrays), offsets,
                   _join(positions, counts, "positions"),
                   _join(scales, counts, "scales"))

    @classmethod
    def concatenate(cls, features):
        """Join several batches into one, image after image.

        Parameters
        ----------
        features : sequence of LocalFeatures
            Batches whose descriptors all have the same length ``d``.

        Returns
        -------
        features : LocalFeatures
            The images of every batch, in order.
        """
        features = list(features)
        if not features:
            raise ValueError("features is empty: at least one LocalFeatures is "
                             "required.")
        for i, item in enumerate(features):
            if not isinstance(item, LocalFeatures):
                raise TypeError(
                    f"features[{i}] must be a LocalFeatures; got "
                    f"{type(item).__name__}.")
            if item.n_dims != features[0].n_dims:
                raise ValueError(
                    f"features[{i}] has descriptors of length {item.n_dims} but "
                    f"features[0] has {features[0].n_dims}; only batches of one "
                    "descriptor length can be joined."
                )
        offsets = [np.zeros(1, np.int64)]
        start = 0
        for item in features:
            offsets.append(item.offsets[1:] + start)
            start += item.n_descriptors
        return cls(np.concatenate([f.descriptors for f in features]),
                   np.concatenate(offsets),
                   np.concatenate([f.positions for f in features]),
                   np.concatenate([f.scales for f in features]))

    @property
    def n_descriptors(self):
        """Total number of descriptors over all images."""
        return self.descriptors.shape[0]

    @property
    def n_dims(self):
        """Length ``d`` of one descriptor."""
        return self.descriptors.shape[1]

    @property
    def counts(self):
        """Number of descriptors of each image, shape (n_images,)."""
        return np.diff(self.offsets)

    def __len__(self):
        return self.offsets.shape[0] - 1

    def _index(self, i):
        try:
            i = operator.index(i)
        except TypeError:
            raise TypeError(
                "LocalFeatures indices must be an int (one image's descriptors) or "
                f"a slice (a new LocalFeatures); got {type(i).__name__}."
            ) from None
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"image index {i} is out of range for {n} images.")
        return i + n if i < 0 else i

    def __getitem__(self, key):
        """Descriptors of image ``key`` (a view), or a new batch for a slice."""
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step == 1:
                stop = max(stop, start)
                a, b = self.offsets[start], self.offsets[stop]
                return LocalFeatures(self.descriptors[a:b],
                                     self.offsets[start:stop + 1] - a,
                                     self.positions[a:b], self.scales[a:b])
            return LocalFeatures.from_list(
                [self[i] for i in range(start, stop, step)],
                [self._rows(self.positions, i) for i in range(start, stop, step)],
                [self._rows(self.scales, i) for i in range(start, stop, step)],
            ) if len(range(start, stop, step)) else self[0:0]
        return self._rows(self.descriptors, self._index(key))

    def _rows(self, array, i):
        return array[self.offsets[i]:self.offsets[i + 1]]

    def image(self, i):
        """Image ``i`` alone, as a LocalFeatures of one image.

        Parameters
        ----------
        i : int
            Index of the image; negative counts from the end.

        Returns
        -------
        features : LocalFeatures
            Its descriptors, positions and scales (views).
        """
        i = self._index(i)
        return self[i:i + 1]

    def __iter__(self):
        for i in range(len(self)):
            yield self._rows(self.descriptors, i)

    def __repr__(self):
        return (f"LocalFeatures(n_images={len(self)}, "
                f"n_descriptors={self.n_descriptors}, n_dims={self.n_dims})")


def _per_descriptor(values, shape, name):
    if values is None:
        return np.full(shape, np.nan, dtype=np.float32)
    array = np.asarray(values)
    if array.shape != shape:
        raise ValueError(
            f"{name} must have shape {shape} (one entry per descriptor); got shape "
            f"{array.shape}."
        )
    return np.ascontiguousarray(array, dtype=np.float32)


def _join(parts, counts, name):
    """Concatenate per-image ``parts`` after checking there is one per image."""
    if parts is None:
        return None
    parts = [np.asarray(p) for p in parts]
    if len(parts) != len(counts):
        raise ValueError(
            f"{name} must hold one array per image ({len(counts)}); got "
            f"{len(parts)}."
        )
    for i, (part, count) in enumerate(zip(parts, counts)):
        if len(part) != count:
            raise ValueError(
                f"{name}[{i}] must have {count} rows, one per descriptor of image "
                f"{i}; got shape {part.shape}."
            )
    return np.concatenate(parts)
