"""Base classes of the descriptors of a batch of images.

:class:`BaseImageInput` holds what every image descriptor shares: the checks
of the images and parameters, the ``fit`` template and the tags.

:class:`BaseImageExtractor`, the base of every estimator that turns an image
into a vector, is a template method (as in imbalanced-learn's
``SamplerMixin``): it validates the batch, groups images that share a shape
and dtype, stacks each group into one contiguous array, runs the subclass's
``_extract_batch`` on it chunk by chunk (with a progress bar and the requested
threads) and reassembles the rows in input order. A subclass writes only
``_extract_batch`` and, where it has them, ``_check_params`` and
``_feature_names``. The local extractors' base, built on the same
:class:`BaseImageInput`, is in ``_local_base.py``.
"""

from abc import abstractmethod
from collections import defaultdict
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from tqdm.auto import tqdm

from ..parallel import limit_threads, map_batches
from ..utils._validation import check_image_batch

__all__ = ["BaseImageInput", "BaseImageExtractor"]


class BaseImageInput(TransformerMixin, BaseEstimator):
    """What every transformer of a batch of images shares.

    ``fit`` checks the parameters (``_check_params``) and the images (of at
    least ``_min_shape()`` pixels, of the ``_color`` kind: ``'rgb'``,
    ``'gray'`` or None for either), then hands the validated images to the
    subclass's :meth:`_fit_images`.
    """

    _parameter_constraints = {"n_jobs": [Integral, None]}
    _color = None

    @abstractmethod
    def _fit_images(self, images):
        """Record, from the validated images, the shape of what ``transform`` returns.

        Parameters
        ----------
        images : ndarray of shape (n_images, H, W[, C]) or list of ndarray
            The validated images.
        """

    def _check_params(self):
        """Check parameters that the declarative constraints cannot express."""

    def _min_shape(self):
        """Smallest ``(rows, cols)`` for which the descriptor is defined."""
        return None

    def _validate_images(self, X):
        return check_image_batch(X, min_shape=self._min_shape(), color=self._color)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the images, and record the output's size.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            The images.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted extractor.
        """
        self._check_params()
        self._fit_images(self._validate_images(X))
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


class BaseImageExtractor(BaseImageInput):
    """Template for transformers from a batch of images to a 2-D feature array.

    Subclasses set ``_color`` (``'rgb'``, ``'gray'`` or ``None`` for either),
    ``_uses_numba`` (True when ``_extract_batch`` runs a ``prange`` kernel, so
    ``n_jobs`` sizes Numba's thread pool; False to spread chunks over joblib
    workers) and implement :meth:`_extract_batch`.
    """

    _parameter_constraints = {
        **BaseImageInput._parameter_constraints,
        "verbose": ["boolean"],
    }
    _uses_numba = True
    _chunk_size = 512

    @abstractmethod
    def _extract_batch(self, stack):
        """Describe a stack of validated images of one shape and dtype.

        Parameters
        ----------
        stack : ndarray of shape (n_images, H, W) or (n_images, H, W, C)
            C-contiguous.

        Returns
        -------
        features : ndarray of shape (n_images, n_features)
        """

    def _feature_names(self):
        """Names of the output columns; generic numbered names by default."""
        prefix = type(self).__name__.lower()
        return [f"{prefix}{i}" for i in range(self.n_features_out_)]

    def _fit_images(self, images):
        """Record the output width, that of the first image's features."""
        first = self._extract_batch(np.ascontiguousarray(images[0][np.newaxis]))
        self.n_features_out_ = first.shape[1]

    def transform(self, X):
        """Describe each image.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            The images; sizes may differ when the descriptor's length does not
            depend on the size.

        Returns
        -------
        features : ndarray of shape (n_images, n_features_out_)
            One row per image, in input order.
        """
        check_is_fitted(self, "n_features_out_")
        images = self._validate_images(X)
        return self._describe(images)

    def _describe(self, images):
        if isinstance(images, np.ndarray):  # already one stack: slice, never copy
            stack = np.ascontiguousarray(images)
            groups = {None: list(range(len(stack)))}

            def describe_chunk(indices):
                return self._extract_batch(stack[indices[0]:indices[-1] + 1])
        else:
            groups = defaultdict(list)
            for index, image in enumerate(images):
                groups[(image.shape, image.dtype.str)].append(index)

            def describe_chunk(indices):
                return self._extract_batch(
                    np.ascontiguousarray(np.stack([images[i] for i in indices])))
        chunks = [
            indices[start:start + self._chunk_size]
            for indices in groups.values()
            for start in range(0, len(indices), self._chunk_size)
        ]

        desc = type(self).__name__
        if self._uses_numba:
            with limit_threads(self.n_jobs):
                results = [
                    describe_chunk(c)
                    for c in tqdm(chunks, desc=desc, disable=not self.verbose,
                                  leave=False)
                ]
        else:
            results = map_batches(describe_chunk, chunks, n_jobs=self.n_jobs,
                                  progress=self.verbose, desc=desc,
                                  total=len(chunks))
        features = np.empty((len(images), self.n_features_out_), dtype=np.float64)
        for indices, result in zip(chunks, results):
            if result.shape[1] != self.n_features_out_:
                first = images[indices[0]]
                raise ValueError(
                    f"X[{indices[0]}] of shape {first.shape} gives {result.shape[1]} "
                    f"features, but {type(self).__name__} was fitted on images "
                    f"giving {self.n_features_out_}. Resize all images to one size "
                    "first, e.g. with classical.preprocess.Resize."
                )
            features[indices] = result
        return features

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Parameters
        ----------
        input_features : None
            Ignored; images have no input feature names.

        Returns
        -------
        names : ndarray of str
            One name per output column.
        """
        check_is_fitted(self, "n_features_out_")
        return np.asarray(self._feature_names(), dtype=object)
