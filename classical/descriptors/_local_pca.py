"""PCA of local descriptors, fitted on a sample: :class:`LocalPCA`."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

from .._local_features import (
    LocalFeatures,
    as_ragged,
    check_descriptor_length,
    is_ragged,
    sample_rows,
)
from ..utils._docstring import RANDOM_STATE_DOC, Substitution
from ._sift import root_sift

__all__ = ["LocalPCA"]

_CHUNK_ROWS = 8192
"""Rows projected at a time, so temporaries stay a few megabytes (24 MiB a
float64 copy of 384-value opponent SIFT; 65,536 rows made RootSIFT's
temporaries about 1 GiB)."""


@Substitution(random_state=RANDOM_STATE_DOC)
class LocalPCA(TransformerMixin, BaseEstimator):
    """PCA of local descriptors, learnt from a random sample of them.

    Reduces (and optionally whitens) the descriptors of every image before
    they are encoded: PCA before VLAD and Fisher vectors makes the encoding
    both shorter and more accurate [1]_ [2]_. The projection is learnt by
    :class:`sklearn.decomposition.PCA` on at most ``sample_size``
    descriptors drawn at random from all images, then applied to every
    descriptor as one float32 matrix product.

    Parameters
    ----------
    n_components : int, default=64
        Length of the projected descriptors; at most the input length ``d``
        and the number of descriptors sampled.
    whiten : bool, default=False
        Divide each component by its standard deviation on the sample, so
        the projected sample has unit variance per component (as in [2]_,
        where whitening helps the diagonal Gaussians of a Fisher vector).
    root : bool, default=False
        Apply :func:`root_sift` [3]_ first (in float64): L1-normalise each
        descriptor, then take the square root of the absolute value of each
        entry, keeping its sign. Applied in ``fit`` and ``transform`` alike.
    sample_size : int, default=100_000
        Largest number of descriptors the PCA is fitted on; fewer are all
        used.
    {random_state}

    Attributes
    ----------
    pca_ : sklearn.decomposition.PCA
        The fitted PCA.
    components_ : ndarray of shape (n_components, n_features_in_)
        Principal axes, in decreasing order of explained variance.
    mean_ : ndarray of shape (n_features_in_,)
        Mean of the (rooted) sample.
    explained_variance_ : ndarray of shape (n_components,)
        Variance of the sample along each component.
    explained_variance_ratio_ : ndarray of shape (n_components,)
        Fraction of the sample's total variance along each component.
    n_features_in_ : int
        Length ``d`` of the input descriptors.
    n_samples_seen_ : int
        Number of descriptors the PCA was fitted on.

    See Also
    --------
    LocalFeatures : The ragged batch it takes and returns.
    sklearn.decomposition.PCA : The PCA it composes.

    Notes
    -----
    ``transform`` computes ``(f(x) - mean_) @ W`` in float32, ``f`` the
    RootSIFT map when ``root`` else the identity, ``W`` the components
    (divided by ``sqrt(explained_variance_)`` when whitening), in chunks
    of 65536 descriptors so memory beyond the output stays bounded. It
    equals ``pca_.transform`` up to float32 rounding. A descriptor of all
    zeros stays all zeros under RootSIFT (its L1 norm is 0).

    Input may be a :class:`LocalFeatures` (``transform`` returns one with
    the same positions, scales and image shapes), a list of per-image
    ``(n_i, d)`` arrays (a list is returned) or one stacked
    ``(n_descriptors, d)`` array (an array is returned).

    References
    ----------
    .. [1] H. Jégou, F. Perronnin, M. Douze, J. Sánchez, P. Pérez and
       C. Schmid, "Aggregating local image descriptors into compact codes,"
       IEEE Transactions on Pattern Analysis and Machine Intelligence,
       vol. 34, no. 9, pp. 1704-1716, 2012, :DOI:`10.1109/TPAMI.2011.235`.
    .. [2] J. Sánchez, F. Perronnin, T. Mensink and J. Verbeek, "Image
       classification with the Fisher vector: theory and practice,"
       International Journal of Computer Vision, vol. 105, no. 3,
       pp. 222-245, 2013, :DOI:`10.1007/s11263-013-0636-x`.
    .. [3] R. Arandjelović and A. Zisserman, "Three things everyone should
       know to improve object retrieval," CVPR 2012, pp. 2911-2918,
       :DOI:`10.1109/CVPR.2012.6248018`.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import LocalPCA
    >>> rng = np.random.default_rng(0)
    >>> sets = [rng.random((50, 16)), rng.random((30, 16))]
    >>> reduced = LocalPCA(n_components=4, random_state=0).fit_transform(sets)
    >>> [r.shape for r in reduced]
    [(50, 4), (30, 4)]
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "whiten": ["boolean"],
        "root": ["boolean"],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, n_components=64, whiten=False, root=False,
                 sample_size=100_000, random_state=None):
        self.n_components = n_components
        self.whiten = whiten
        self.root = root
        self.sample_size = sample_size
        self.random_state = random_state

    def _descriptors(self, X, *, reset):
        """Stacked descriptors of ``X`` and its offsets (None for 2-D input)."""
        if is_ragged(X):
            descriptors, offsets = as_ragged(X)
            check_descriptor_length(self, descriptors, reset=reset)
            return descriptors, offsets
        return validate_data(self, X, dtype=[np.float64, np.float32],
                             reset=reset), None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the PCA on a random sample of the descriptors.

        Parameters
        ----------
        X : LocalFeatures, list of ndarray of shape (n_i, d) or array-like of \
shape (n_descriptors, d)
            The descriptors of all images.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        descriptors = self._descriptors(X, reset=True)[0]
        n, d = descriptors.shape
        if self.n_components > d:
            raise ValueError(
                f"n_components={self.n_components} must be at most the descriptor "
                f"length d={d}. Lower n_components.")
        n_sample = min(n, self.sample_size)
        if n_sample < max(self.n_components, 2):
            raise ValueError(
                f"LocalPCA needs at least max(n_components, 2) = "
                f"{max(self.n_components, 2)} descriptors to fit (at most "
                f"sample_size={self.sample_size} are used); got n_samples={n_sample}. "
                "Pass more descriptors, or lower n_components.")
        rng = check_random_state(self.random_state)
        descriptors = sample_rows(descriptors, self.sample_size, rng)
        sample = descriptors.astype(np.float64)
        if self.root:
            sample = root_sift(sample)
        self.pca_ = PCA(n_components=self.n_components, whiten=self.whiten,
                        random_state=rng).fit(sample)
        self.components_ = self.pca_.components_
        self.mean_ = self.pca_.mean_
        self.explained_variance_ = self.pca_.explained_variance_
        self.explained_variance_ratio_ = self.pca_.explained_variance_ratio_
        self.n_samples_seen_ = len(sample)
        projection = self.components_.T
        if self.whiten:
            projection = projection / np.sqrt(self.explained_variance_)
        self._projection = np.ascontiguousarray(projection, dtype=np.float32)
        self._mean32 = self.mean_.astype(np.float32)
        return self

    def _project(self, descriptors):
        """Project (n, d) descriptors chunk by chunk into a float32 array."""
        out = np.empty((len(descriptors), self._projection.shape[1]), np.float32)
        for start in range(0, len(descriptors), _CHUNK_ROWS):
            chunk = descriptors[start:start + _CHUNK_ROWS]
            chunk = root_sift(chunk.astype(np.float64)) if self.root else chunk
            chunk = chunk.astype(np.float32) - self._mean32
            np.matmul(chunk, self._projection, out=out[start:start + _CHUNK_ROWS])
        return out

    def transform(self, X):
        """Project every descriptor.

        Parameters
        ----------
        X : LocalFeatures, list of ndarray of shape (n_i, d) or array-like of \
shape (n_descriptors, d)
            The descriptors of all images, of the length ``d`` seen in fit.

        Returns
        -------
        X_new : LocalFeatures, list of ndarray of shape (n_i, n_components) or \
ndarray of shape (n_descriptors, n_components)
            The projected float32 descriptors, in the container given:
            a LocalFeatures keeps its positions, scales and image shapes.
        """
        check_is_fitted(self, "pca_")
        descriptors, offsets = self._descriptors(X, reset=False)
        out = self._project(descriptors)
        if offsets is None:
            return out
        if isinstance(X, LocalFeatures):
            return X.with_descriptors(out)
        if hasattr(X, "descriptors"):
            return LocalFeatures(out, offsets)
        return np.split(out, offsets[1:-1])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
