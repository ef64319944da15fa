"""Signed power ("square-rooting") normalisation of feature vectors."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

__all__ = ["PowerNormalizer", "power_normalize"]


def power_normalize(X, *, alpha=0.5, norm=None):
    """Apply ``sign(x) * |x| ** alpha`` to every entry, then an optional row norm.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Feature vectors, e.g. histograms or VLAD/Fisher encodings.
    alpha : float, default=0.5
        The power; 0.5 is the signed square root. Applied to a normalised
        histogram, Euclidean distance between the results is the Hellinger
        distance, which suits histograms better than Euclidean distance
        between the histograms themselves [1]_.
    norm : {'l1', 'l2'} or None, default=None
        Row normalisation applied after the power.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_features)
        The normalised vectors.

    References
    ----------
    .. [1] R. Arandjelović and A. Zisserman, "Three things everyone should know
       to improve object retrieval," CVPR 2012,
       :DOI:`10.1109/CVPR.2012.6248018`.
    """
    X_new = np.sign(X) * np.abs(X) ** alpha
    if norm is not None:
        X_new = normalize(X_new, norm=norm, copy=False)
    return X_new


class PowerNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Signed power normalisation, optionally followed by an L1 or L2 row norm.

    Stateless; ``fit`` only validates. See :func:`power_normalize`.

    Parameters
    ----------
    alpha : float, default=0.5
        The power, in (0, 1]; 0.5 is the signed square root.
    norm : {'l1', 'l2'} or None, default=None
        Row normalisation applied after the power.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    sklearn.preprocessing.Normalizer : The row normalisation alone.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.encoders import PowerNormalizer
    >>> PowerNormalizer().fit_transform(np.array([[4.0, -9.0]]))
    array([[ 2., -3.]])
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, 1, closed="right")],
        "norm": [StrOptions({"l1", "l2"}), None],
    }

    def __init__(self, *, alpha=0.5, norm=None):
        self.alpha = alpha
        self.norm = norm

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate ``X`` and record its width.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        validate_data(self, X)
        return self

    def transform(self, X):
        """Power-normalise ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            The normalised vectors.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return power_normalize(X, alpha=self.alpha, norm=self.norm)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
