"""Local features, the value that travels from descriptors to encoders.

:class:`LocalFeatures` holds the local descriptors of a batch of images as one
ragged array; :func:`as_ragged`, :func:`is_ragged`,
:func:`check_descriptor_length` and :func:`sample_rows` are the checks and the
sampling that both :mod:`classical.descriptors` (which make and reduce local
features) and :mod:`classical.encoders` (which summarise them) need. This
module sits below both packages and imports neither, so they never import
each other.

Dtype policy: descriptors made by this library are float32
(``DESCRIPTOR_DTYPE``), and so are their positions and scales. Every extractor
writes into ``DESCRIPTOR_DTYPE`` buffers or converts with
:func:`as_descriptors`, and :class:`LocalFeatures` converts whatever it is
given, so a batch is float32 whatever made it (half the memory of float64 for
the largest arrays of a pipeline). Encoders accept descriptor sets from
elsewhere too: :func:`as_ragged` keeps float32 input as float32 and reads
anything else as float64, never rounding a caller's float64 data down.
"""

import operator

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["DESCRIPTOR_DTYPE", "LocalFeatures", "as_descriptors", "as_ragged",
           "check_descriptor_length", "is_ragged", "sample_rows"]

DESCRIPTOR_DTYPE = np.float32
"""The dtype of every descriptor, position and scale this library makes."""


def as_descriptors(array):
    """``array`` as C-contiguous ``DESCRIPTOR_DTYPE`` (no copy if it already is).

    Parameters
    ----------
    array : array-like
        Descriptors, positions or scales.

    Returns
    -------
    array : ndarray
        C-contiguous, of dtype ``DESCRIPTOR_DTYPE``.
    """
    return np.ascontiguousarray(array, dtype=DESCRIPTOR_DTYPE)


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
    image_shapes : array-like of int of shape (n_images, 2) or None, \
default=None
        ``(height, width)`` in pixels of each image the descriptors come from
        (spatial pyramids cut images by it). Stored as int64; None means
        unknown.

    Attributes
    ----------
    descriptors : ndarray of shape (n_descriptors, d), dtype float32
    offsets : ndarray of shape (n_images + 1,), dtype int64
    positions : ndarray of shape (n_descriptors, 2), dtype float32
    scales : ndarray of shape (n_descriptors,), dtype float32
    image_shapes : ndarray of shape (n_images, 2), dtype int64, or None

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

    def __init__(self, descriptors, offsets, positions=None, scales=None,
                 image_shapes=None):
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
        self.descriptors = as_descriptors(descriptors)
        self.offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        self.positions = _per_descriptor(positions, (n, 2), "positions")
        self.scales = _per_descriptor(scales, (n,), "scales")
        self.image_shapes = _image_shapes(image_shapes, offsets.size - 1)

    @classmethod
    def from_list(cls, descriptors, positions=None, scales=None, image_shapes=None):
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
        image_shapes : array-like of shape (n_images, 2) or None, default=None
            ``(height, width)`` of each image.

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
                   _join(scales, counts, "scales"), image_shapes)

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
        shapes = [f.image_shapes for f in features]
        return cls(np.concatenate([f.descriptors for f in features]),
                   np.concatenate(offsets),
                   np.concatenate([f.positions for f in features]),
                   np.concatenate([f.scales for f in features]),
                   None if any(s is None for s in shapes) else np.concatenate(shapes))

    def with_descriptors(self, descriptors):
        """The same images and keypoints with other descriptors.

        Parameters
        ----------
        descriptors : array-like of shape (n_descriptors, d_new)
            One new row per descriptor, in the same order, e.g. the
            descriptors projected by PCA.

        Returns
        -------
        features : LocalFeatures
            New batch sharing ``offsets``, ``positions``, ``scales`` and
            ``image_shapes`` with this one.
        """
        descriptors = np.asarray(descriptors)
        if descriptors.ndim != 2 or descriptors.shape[0] != self.n_descriptors:
            raise ValueError(
                f"descriptors must have shape ({self.n_descriptors}, d_new), one row "
                f"per descriptor of this batch; got shape {descriptors.shape}.")
        return LocalFeatures(descriptors, self.offsets, self.positions, self.scales,
                             self.image_shapes)

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
                                     self.positions[a:b], self.scales[a:b],
                                     self._shapes(slice(start, stop)))
            indices = range(start, stop, step)
            return LocalFeatures.from_list(
                [self[i] for i in indices],
                [self._rows(self.positions, i) for i in indices],
                [self._rows(self.scales, i) for i in indices],
                self._shapes(key),
            ) if len(indices) else self[0:0]
        return self._rows(self.descriptors, self._index(key))

    def _shapes(self, key):
        return None if self.image_shapes is None else self.image_shapes[key]

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
        return np.full(shape, np.nan, dtype=DESCRIPTOR_DTYPE)
    array = np.asarray(values)
    if array.shape != shape:
        raise ValueError(
            f"{name} must have shape {shape} (one entry per descriptor); got shape "
            f"{array.shape}."
        )
    return as_descriptors(array)


def _image_shapes(values, n_images):
    if values is None:
        return None
    array = np.asarray(values)
    if (array.shape != (n_images, 2) or not np.issubdtype(array.dtype, np.integer)
            or (array.size and array.min() < 1)):
        raise ValueError(
            f"image_shapes must be an integer array of shape ({n_images}, 2) holding "
            f"each image's (height, width) >= 1; got shape {array.shape} and dtype "
            f"{array.dtype}.")
    return np.ascontiguousarray(array, dtype=np.int64)


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



def _float_dtype(arrays):
    """float32 when every set is float32, float64 otherwise (see the policy)."""
    if arrays and all(a.dtype == np.float32 for a in arrays):
        return np.float32
    return np.float64


def as_ragged(X, *, name="X"):
    """Return ``(descriptors, offsets)`` for a batch of per-image descriptor sets.

    Parameters
    ----------
    X : list of ndarray of shape (n_i, d), ndarray of shape (n_images, n, d) \
or LocalFeatures
        Descriptor sets, one per image; a set may be empty (``n_i == 0``).
        Any object with ``descriptors`` (N, d) and ``offsets``
        (n_images + 1,) is read as a :class:`LocalFeatures`.
    name : str, default='X'
        Argument name used in error messages.

    Returns
    -------
    descriptors : ndarray of shape (N, d), C-contiguous float32 or float64
        Float32 when the input is float32, float64 otherwise.
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


def is_ragged(X):
    """Whether ``X`` holds per-image descriptor sets rather than one 2-D array.

    Parameters
    ----------
    X : object
        Anything given to ``fit`` or ``transform``.

    Returns
    -------
    ragged : bool
        True for an object with ``descriptors`` and ``offsets`` (such as
        :class:`LocalFeatures`) and for a non-empty list or tuple of 2-D
        arrays.
    """
    if hasattr(X, "descriptors") and hasattr(X, "offsets"):
        return True
    return (isinstance(X, (list, tuple)) and len(X) > 0
            and all(isinstance(a, np.ndarray) and a.ndim == 2 for a in X))


def sample_rows(descriptors, sample_size, random_state):
    """At most ``sample_size`` rows drawn without replacement, in their order.

    Parameters
    ----------
    descriptors : ndarray of shape (n_descriptors, d)
        The rows to draw from.
    sample_size : int
        Largest number of rows to keep.
    random_state : int, RandomState instance or None
        Seed of the draw; no random number is drawn when every row is kept.

    Returns
    -------
    sample : ndarray of shape (min(n_descriptors, sample_size), d)
        ``descriptors`` itself when it has at most ``sample_size`` rows,
        otherwise a copy of the drawn rows in increasing row order.
    """
    if len(descriptors) <= sample_size:
        return descriptors
    rng = check_random_state(random_state)
    return descriptors[np.sort(rng.choice(len(descriptors), sample_size,
                                          replace=False))]


def check_descriptor_length(estimator, descriptors, *, reset):
    """Record or check the descriptor length ``n_features_in_`` of ``estimator``.

    The local-feature counterpart of what scikit-learn's ``validate_data``
    does for 2-D input.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted or applied.
    descriptors : ndarray of shape (n_descriptors, d)
        Validated descriptors, e.g. from :func:`as_ragged`.
    reset : bool
        True in ``fit``: set ``estimator.n_features_in_ = d``. False
        afterwards: check that ``d`` equals it.

    Raises
    ------
    ValueError
        If ``reset`` is False and ``d`` differs from ``n_features_in_``.
    """
    length = descriptors.shape[1]
    if reset:
        estimator.n_features_in_ = length
    elif length != estimator.n_features_in_:
        raise ValueError(
            f"X has descriptors of length {length}, but {type(estimator).__name__} "
            f"was fitted on length {estimator.n_features_in_}. Pass descriptors of "
            "the kind it was fitted on (same extractor and parameters).")
