"""Base class of the local descriptor extractors: images in, LocalFeatures out.

The template method (as in imbalanced-learn's ``SamplerMixin``): the base class
checks the parameters and the images, records the descriptor length in
``fit``, checks it in ``transform``, sizes the threads and returns what the
subclass's ``_extract`` makes of the validated images. Extractors that
describe patches on a regular grid implement ``_extract`` with
:func:`describe_on_grids`, which describes each group of images of one shape
in one kernel call, straight into the batch's descriptor array.
"""

from abc import abstractmethod

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._local_features import DESCRIPTOR_DTYPE, LocalFeatures
from ..parallel import limit_threads
from ._base import BaseImageInput

__all__ = ["BaseLocalExtractor", "describe_on_grids"]


def _n_channels(image):
    return 1 if image.ndim == 2 else image.shape[2]


class BaseLocalExtractor(BaseImageInput):
    """Template for transformers from a batch of images to a LocalFeatures.

    Subclasses implement :meth:`_extract` and :meth:`_n_dims`, and where they
    need them ``_check_params``, ``_min_shape``, ``_color`` (see
    :class:`BaseImageInput`) and ``_prange_chunk`` (the ``chunksize`` of
    :func:`classical.parallel.limit_threads` around ``_extract``).
    """

    _prange_chunk = None

    @abstractmethod
    def _extract(self, images):
        """Describe validated images.

        Runs with ``n_jobs`` Numba threads.

        Parameters
        ----------
        images : ndarray of shape (n_images, H, W[, C]) or list of ndarray
            Validated images: one stack, or a list whose images may differ
            in shape and dtype.

        Returns
        -------
        features : LocalFeatures
            One image per input image, in input order, with ``n_dims_``-long
            descriptors and each image's ``(H, W)`` in ``image_shapes``.
        """

    @abstractmethod
    def _n_dims(self, n_channels):
        """Length of one descriptor of an image with ``n_channels`` channels.

        Raises ValueError for a number of channels the extractor cannot
        describe.
        """

    def _check_dims(self, images):
        """Check that every image gives descriptors of length ``n_dims_``."""
        first_with = {}  # number of channels -> first image that has it
        for i, image in enumerate(images[:1] if isinstance(images, np.ndarray)
                                  else images):
            first_with.setdefault(_n_channels(image), i)
        for n_channels, i in first_with.items():
            length = self._n_dims(n_channels)
            if length != self.n_dims_:
                raise ValueError(
                    f"X[{i}] of shape {images[i].shape} gives descriptors of length "
                    f"{length}, but X[0] gives (or the extractor was fitted on) "
                    f"length {self.n_dims_}. Give every image the same number of "
                    "channels.")

    def _fit_images(self, images):
        """Record the descriptor length ``n_dims_``; nothing is learnt."""
        self.n_dims_ = self._n_dims(_n_channels(images[0]))
        self._check_dims(images)

    def transform(self, X):
        """Describe each image.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            The images; sizes may differ.

        Returns
        -------
        features : LocalFeatures
            One image per input image, in input order, with ``n_dims`` equal
            to ``n_dims_``, and each image's ``(H, W)`` in ``image_shapes``.
        """
        check_is_fitted(self, "n_dims_")
        self._check_params()
        images = self._validate_images(X)
        self._check_dims(images)
        with limit_threads(self.n_jobs, chunksize=self._prange_chunk):
            return self._extract(images)


def describe_on_grids(images, grid, describe, n_dims):
    """Describe validated images on per-shape grids into one :class:`LocalFeatures`.

    Parameters
    ----------
    images : ndarray of shape (n, H, W[, C]) or list of ndarray
        Validated images: one stack, or a list whose images may differ in
        shape and dtype.
    grid : callable
        ``grid(shape)`` returns the ``(n_patches, 2)`` positions and the
        ``(n_patches,)`` scales of an image of ``shape`` (called once per
        distinct ``(H, W)``).
    describe : callable
        ``describe(stack, out)`` describes an ``(m, H, W[, C])`` stack of
        images of one shape and dtype and returns an ``(m, n_patches,
        n_dims)`` array; ``out`` is either None or a ``DESCRIPTOR_DTYPE``
        array of that shape to write into (returning it saves a copy).
    n_dims : int
        Length of one descriptor.

    Returns
    -------
    features : LocalFeatures
        One image per input image, in input order, with each image's ``(H,
        W)`` in ``image_shapes``. Images of one shape and dtype are described
        together, a stack in one call straight into place.
    """
    grids = {}
    for image in images:
        if image.shape[:2] not in grids:
            grids[image.shape[:2]] = grid(image.shape)
    counts = [len(grids[image.shape[:2]][1]) for image in images]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    descriptors = np.empty((offsets[-1], n_dims), DESCRIPTOR_DTYPE)
    if isinstance(images, np.ndarray):
        out = descriptors.reshape(len(images), counts[0], n_dims)
        result = describe(images, out)
        if result is not out:
            out[...] = result
    else:
        groups = {}
        for index, image in enumerate(images):
            groups.setdefault((image.shape, image.dtype.str), []).append(index)
        for indices in groups.values():
            result = describe(np.stack([images[i] for i in indices]), None)
            for i, rows in zip(indices, result):
                descriptors[offsets[i]:offsets[i + 1]] = rows
    return LocalFeatures(
        descriptors, offsets,
        np.concatenate([grids[image.shape[:2]][0] for image in images]),
        np.concatenate([grids[image.shape[:2]][1] for image in images]),
        [image.shape[:2] for image in images])
