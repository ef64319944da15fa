"""Base class of the encoders of local features, and their thread setting.

The template method (as in imbalanced-learn's ``SamplerMixin``): the base
class validates the per-image descriptor sets, records or checks the
descriptor length, and hands the ragged ``(descriptors, offsets)`` pair to the
subclass's ``_fit`` and ``_encode``; it also names the output columns and
declares that the input is not a 2-D array.
"""

from abc import abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from .._local_features import as_ragged, check_descriptor_length
from ..parallel import limit_threads

__all__ = ["BaseLocalEncoder", "kernel_threads"]

PRANGE_CHUNK = 8
"""Iterations (images or blocks of descriptors) a Numba thread takes at a time."""


def kernel_threads(n_jobs):
    """The thread setting of the encoder kernels, for ``n_jobs``.

    The assignment, VLAD and Fisher kernels call BLAS from inside ``prange``,
    so BLAS is held at one thread; Numba threads take ``PRANGE_CHUNK``
    iterations at a time rather than an equal share fixed in advance, so one
    thread slowed by other processes does not hold the others back.

    Parameters
    ----------
    n_jobs : int or None
        Numba threads, as :func:`classical.parallel.resolve_n_jobs` reads it.

    Returns
    -------
    context : context manager
        :func:`classical.parallel.limit_threads` with these settings.
    """
    return limit_threads(n_jobs, blas=1, chunksize=PRANGE_CHUNK)


class BaseLocalEncoder(TransformerMixin, BaseEstimator):
    """Template for transformers from per-image descriptor sets to vectors.

    ``fit`` and ``transform`` take a :class:`~classical.descriptors.\
LocalFeatures`, a list of ``(n_i, d)`` arrays or any object with
    ``descriptors`` and ``offsets``, validate it with
    :func:`~classical._local_features.as_ragged`, record (in ``fit``) or
    check (in ``transform``) the descriptor length ``n_features_in_``, then
    call the subclass's ``_fit`` or ``_encode`` with the validated pieces.
    A subclass implements ``_fit``, ``_encode`` and ``_feature_names``, and
    may extend ``_validate_features`` to hand them more (e.g. positions).
    """

    @abstractmethod
    def _fit(self, descriptors, offsets):
        """Learn the encoding from validated descriptors.

        Parameters
        ----------
        descriptors : ndarray of shape (n_descriptors, d)
            All images' descriptors, C-contiguous float32 or float64.
        offsets : ndarray of shape (n_images + 1,)
            Image ``i`` owns rows ``offsets[i]:offsets[i + 1]``.
        """

    @abstractmethod
    def _encode(self, descriptors, offsets):
        """Encode validated descriptors, one row per image.

        Parameters
        ----------
        descriptors, offsets
            As in :meth:`_fit`.

        Returns
        -------
        X_new : ndarray of shape (n_images, n_features_out)
        """

    @abstractmethod
    def _feature_names(self):
        """Names of the output columns, in order (a list of str)."""

    def _validate_features(self, X, *, reset):
        """The pieces ``_fit`` and ``_encode`` take: ``(descriptors, offsets)``."""
        descriptors, offsets = as_ragged(X)
        check_descriptor_length(self, descriptors, reset=reset)
        return descriptors, offsets

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the encoding from the descriptors of the training images.

        Parameters
        ----------
        X : LocalFeatures or list of ndarray of shape (n_i, n_features)
            One descriptor set per image (or an object with ``descriptors``
            and ``offsets``).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        self._fit(*self._validate_features(X, reset=True))
        return self

    def transform(self, X):
        """Encode each image's descriptor set as one vector.

        Parameters
        ----------
        X : LocalFeatures or list of ndarray of shape (n_i, n_features)
            One descriptor set per image (or an object with ``descriptors``
            and ``offsets``); a set may be empty.

        Returns
        -------
        X_new : ndarray of shape (n_images, n_features_out)
            One encoding per image, float64.
        """
        check_is_fitted(self)
        return self._encode(*self._validate_features(X, reset=False))

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : None
            Ignored; descriptors have no input feature names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self)
        return np.asarray(self._feature_names(), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
