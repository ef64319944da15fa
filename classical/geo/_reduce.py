"""PCA with as many components as the smallest class can support."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

from .._kernels.project import project_rows

__all__ = ["ClassSizePCA"]


class ClassSizePCA(TransformerMixin, BaseEstimator):
    """PCA capped by the smallest class, so that every class covariance is full rank.

    A Gaussian maximum likelihood classifier estimates a full covariance per
    class. From ``n`` samples (and their estimated mean) that matrix has rank
    at most ``n - 1``, so with more features than that it is singular, and
    well before that it is poorly estimated: a hyperspectral cube has 224
    bands, while 5% of Salinas-A's smallest class is 20 pixels. This PCA keeps
    at most ``(n_min - 1) / samples_per_component`` components, ``n_min``
    being the size of the smallest class in ``y``.

    Parameters
    ----------
    n_components : int, float in (0, 1) or None, default=None
        Components wanted before the cap: a number, a fraction of variance
        to explain (as :class:`~sklearn.decomposition.PCA`), or None for as
        many as the cap allows.
    samples_per_component : float, default=3.0
        Training samples the smallest class needs per component, at least 1
        (1 is the hard limit ``n_min - 1``). See Notes for the default.
    whiten : bool, default=False
        Scale the components to unit variance.
    standardize : bool, default=False
        Centre and scale every feature to unit variance before the PCA (a
        PCA of the correlation matrix), so that features in different units
        (reflectances and spectral indices) weigh alike. A feature constant
        in training is centred and left unscaled, as
        :class:`~sklearn.preprocessing.StandardScaler` does.

    Attributes
    ----------
    n_components_ : int
        Components kept.
    max_components_ : int
        The cap the smallest class allowed.
    pca_ : sklearn.decomposition.PCA
        The fitted PCA (full SVD, so deterministic), of the standardised
        features with ``standardize=True``.
    weights_ : ndarray of shape (n_features_in_, n_components_)
        With ``offset_``, the whole transform as one affine map:
        ``transform(X) == X @ weights_ + offset_``.
    offset_ : ndarray of shape (n_components_,)
    n_features_in_ : int
        Features seen in fit.

    See Also
    --------
    classical.classifiers.GaussianMLClassifier : The classifier it serves.

    Notes
    -----
    The rule of thumb of the remote sensing literature asks for 10 to 100
    training pixels per class and dimension for a maximum likelihood
    classifier (Swain and Davis 1978; Hughes 1968 for the peaking of
    accuracy with dimension at a fixed training size). With shrinkage of the
    covariance towards its mean variance (``GaussianMLClassifier(reg_param=...)``)
    fewer suffice: with ``pixel-mlc`` (``reg_param=0.05``), 5-fold
    cross-validation on the training pixels of Salinas-A (5% of each class,
    16 pixels in the smallest class per fold) gave 0.978, 0.981, 0.985, 0.974
    and 0.761 for 1, 2, 3, 5 and 10 samples per component, hence the default
    3. On Statlog the cap does not bind (415 pixels, 36 features).

    References
    ----------
    .. [1] G. F. Hughes, "On the mean accuracy of statistical pattern
       recognizers", IEEE Transactions on Information Theory 14(1), 55-63,
       1968. :DOI:`10.1109/TIT.1968.1054102`
    .. [2] P. H. Swain and S. M. Davis (eds.), Remote Sensing: The
       Quantitative Approach, McGraw-Hill, 1978.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 224))
    >>> y = np.repeat([0, 1, 2], [20, 20, 20])
    >>> ClassSizePCA(samples_per_component=1).fit(X, y).n_components_
    19
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left"),
                         Interval(Real, 0, 1, closed="neither"), None],
        "samples_per_component": [Interval(Real, 1, None, closed="left")],
        "whiten": ["boolean"],
        "standardize": ["boolean"],
    }

    def __init__(self, *, n_components=None, samples_per_component=3.0, whiten=False,
                 standardize=False):
        self.n_components = n_components
        self.samples_per_component = samples_per_component
        self.whiten = whiten
        self.standardize = standardize

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the PCA with the number of components the smallest class allows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,) or None, default=None
            Class labels; None treats all samples as one class.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        if y is None:
            X = validate_data(self, X, dtype=[np.float64, np.float32])
            n_min = X.shape[0]
        else:
            X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
            n_min = int(np.unique(y, return_counts=True)[1].min())
        self.max_components_ = max(
            1, min(int((n_min - 1) // self.samples_per_component), *X.shape))
        center = np.zeros(X.shape[1])
        scale = np.ones(X.shape[1])
        if self.standardize:
            center = X.mean(axis=0, dtype=np.float64)
            spread = X.std(axis=0, dtype=np.float64)
            scale = np.where(spread > 10 * np.finfo(np.float64).eps * np.abs(center),
                             spread, 1.0)
            X = (X - center) / scale
        pca = PCA(n_components=self._wanted(), whiten=self.whiten,
                  svd_solver="full")
        pca.fit(X)
        if pca.n_components_ > self.max_components_:  # a variance fraction above it
            pca = PCA(n_components=self.max_components_, whiten=self.whiten,
                      svd_solver="full").fit(X)
        self.pca_ = pca
        self.n_components_ = pca.n_components_
        projection = pca.components_.T.copy()
        if self.whiten:
            projection /= np.maximum(np.sqrt(pca.explained_variance_),
                                     np.finfo(np.float64).eps)
        self.weights_ = projection / scale[:, np.newaxis]
        self.offset_ = -(center / scale + pca.mean_) @ projection
        return self

    def _wanted(self):
        """What ``n_components`` asks PCA for, within the cap."""
        if self.n_components is None:
            return self.max_components_
        if isinstance(self.n_components, Integral):
            return min(self.n_components, self.max_components_)
        return self.n_components

    def transform(self, X):
        """Project on the kept components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_)
            The projections, float32 for float32 input and float64
            otherwise.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False,
                          order="C")
        return project_rows(X, self.weights_, self.offset_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def get_feature_names_out(self, input_features=None):
        """``classsizepca0``, ``classsizepca1``, ...

        Parameters
        ----------
        input_features : ignored
            Present for the scikit-learn API.

        Returns
        -------
        names : ndarray of str
            One name per kept component.
        """
        check_is_fitted(self)
        return np.asarray([f"classsizepca{i}" for i in range(self.n_components_)],
                          dtype=object)
