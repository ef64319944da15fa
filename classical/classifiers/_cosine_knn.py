"""k nearest neighbours by cosine similarity, with temperature-weighted votes."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import normalize
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

__all__ = ["CosineKNNClassifier"]

_CHUNK_ROWS = 1024  # test rows scored at a time: bounds the similarity matrix


class CosineKNNClassifier(ClassifierMixin, BaseEstimator):
    """Weighted k-NN vote on cosine similarity, as used to evaluate deep features.

    Each test sample's ``k`` most similar training samples (cosine
    similarity :math:`s`) vote for their class with weight
    :math:`\\exp(s / T)`; the class probabilities are the normalised sums of
    the votes. This is the k-NN protocol of Wu et al. [1]_ that DINO [2]_
    uses to evaluate frozen features (``k = 20``, ``T = 0.07``).

    Parameters
    ----------
    n_neighbors : int, default=20
        ``k``; when the training set is smaller, all of it votes
        (``k = min(n_neighbors, n_samples)``, stored as ``n_neighbors_``).
    temperature : float, default=0.07
        ``T``; smaller values give the most similar neighbours more say
        (``T -> 0`` is 1-NN, large ``T`` an unweighted vote).
    class_weight : 'balanced', dict or None, default=None
        Multiplies the votes of each class's neighbours, in scikit-learn's
        sense (``'balanced'`` weighs class ``k`` by ``n_samples / (n_classes *
        n_k)``, so a large class does not win by its numbers alone); None
        gives every vote its similarity weight only, as in [1]_ and [2]_.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_neighbors_ : int
        The number of neighbours that vote.
    unit_samples_ : ndarray of shape (n_samples, n_features)
        The training samples scaled to unit norm (an all-zero row stays zero
        and is similar to nothing).
    sample_classes_ : ndarray of shape (n_samples,)
        Each training sample's index into ``classes_``.
    class_weight_ : ndarray of shape (n_classes,)
        The factor of each class's votes (ones without ``class_weight``).
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    sklearn.neighbors.KNeighborsClassifier : Its ``n_neighbors`` may not exceed
        the training set, and its weights are functions of distances.

    Notes
    -----
    Votes are computed as :math:`\\exp((s - s_1) / T)`, with :math:`s_1` the
    query's largest similarity: the same weights up to a factor that cancels
    in the probabilities, and the nearest neighbour's vote is 1 however small
    ``T`` is (no overflow, no all-zero votes). Neighbours tied in similarity
    at the ``k``-th place are broken by training order (a stable sort).

    References
    ----------
    .. [1] Z. Wu, Y. Xiong, S. X. Yu and D. Lin, "Unsupervised Feature
       Learning via Non-Parametric Instance Discrimination", CVPR 2018,
       pp. 3733-3742. :DOI:`10.1109/CVPR.2018.00393`
    .. [2] M. Caron, H. Touvron, I. Misra, H. Jégou, J. Mairal, P. Bojanowski
       and A. Joulin, "Emerging Properties in Self-Supervised Vision
       Transformers", ICCV 2021, pp. 9630-9640.
       :DOI:`10.1109/ICCV48922.2021.00951`

    Examples
    --------
    >>> from classical.classifiers import CosineKNNClassifier
    >>> X = [[1.0, 0.1], [0.9, 0.0], [0.0, 1.0], [0.1, 0.8]]
    >>> CosineKNNClassifier(n_neighbors=3).fit(X, [0, 0, 1, 1]).predict([[1.0, 0.2]])
    array([0])
    """

    _parameter_constraints = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(self, *, n_neighbors=20, temperature=0.07, class_weight=None):
        self.n_neighbors = n_neighbors
        self.temperature = temperature
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Store the unit-norm training samples and their classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, self.sample_classes_ = np.unique(y, return_inverse=True)
        self.class_weight_ = (np.ones(len(self.classes_)) if self.class_weight is None
                              else compute_class_weight(self.class_weight,
                                                        classes=self.classes_, y=y))
        if not (self.class_weight_ > 0).all():
            raise ValueError(
                "class_weight must give every class a positive weight (a vote "
                f"weighted 0 leaves no class to choose); got {self.class_weight!r}.")
        self.unit_samples_ = normalize(X)
        self.n_neighbors_ = min(self.n_neighbors, len(X))
        return self

    def predict_proba(self, X):
        """Normalised sums of the neighbours' votes.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            Test features.

        Returns
        -------
        proba : ndarray of shape (n_queries, n_classes)
            Class probabilities, in ``classes_`` order; each row sums to 1.
        """
        check_is_fitted(self, "unit_samples_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        k = self.n_neighbors_
        proba = np.zeros((len(X), len(self.classes_)))
        for start in range(0, len(X), _CHUNK_ROWS):
            queries = normalize(X[start:start + _CHUNK_ROWS])
            similarity = queries @ self.unit_samples_.T
            nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
            top = np.take_along_axis(similarity, nearest, axis=1)
            voters = self.sample_classes_[nearest]
            votes = np.exp((top - top[:, :1]) / self.temperature) \
                * self.class_weight_[voters]
            rows = np.arange(len(queries))[:, None]
            block = proba[start:start + len(queries)]
            np.add.at(block, (rows, voters), votes)
            block /= block.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X):
        """The class with the largest vote.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            Test features.

        Returns
        -------
        y : ndarray of shape (n_queries,)
            Predicted labels.
        """
        proba = self.predict_proba(X)
        return self.classes_.take(np.argmax(proba, axis=1))
