"""Several labels per sample: scikit-learn's one-vs-rest or classifier chain,
with one decision threshold per label."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    MultiOutputMixin,
    clone,
)
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import ClassifierChain
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

__all__ = ["MultiLabelClassifier", "best_f1_threshold"]


def best_f1_threshold(y, scores):
    """The threshold on ``scores`` that maximises the F1 score of ``y``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Binary reference labels (0/1 or booleans).
    scores : array-like of shape (n_samples,)
        A score per sample, larger for the positive class (e.g. held-out
        probabilities).

    Returns
    -------
    threshold : float
        Predicting ``scores >= threshold`` gives the largest F1 over all
        thresholds: the midpoint between the lowest score kept positive and
        the next lower score, or the largest score plus one when ``y`` has no
        positive sample (nothing predicted positive).

    Notes
    -----
    Every cut of the sorted scores is tried at once: with the ``k`` highest
    scores predicted positive, ``F1 = 2 TP_k / (k + P)``, ``P`` the number of
    positives. Tied scores are cut together. Among equal F1 values the
    lowest threshold wins (the larger recall).
    """
    y = np.asarray(y).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    if not y.any():
        return float(scores.max()) + 1.0
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    true_positives = np.cumsum(y[order])
    # a cut may only fall after the last of a run of tied scores
    ends = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))
    f1 = 2 * true_positives[ends] / (ends + 1 + y.sum())
    best = ends[len(f1) - 1 - np.argmax(f1[::-1])]
    below = ranked[best + 1] if best + 1 < len(ranked) else ranked[best] - 1.0
    return float((ranked[best] + below) / 2)


class MultiLabelClassifier(MultiOutputMixin, ClassifierMixin, MetaEstimatorMixin,
                           BaseEstimator):
    """Any probabilistic classifier made multi-label, with per-label thresholds.

    Fits scikit-learn's :class:`~sklearn.multiclass.OneVsRestClassifier`
    (one independent binary classifier per label, "binary relevance") or
    :class:`~sklearn.multioutput.ClassifierChain` (each label's classifier
    also sees the labels before it in the chain [1]_) around a clone of
    ``estimator``, and answers label ``j`` where its probability reaches
    ``thresholds_[j]``.

    Parameters
    ----------
    estimator : classifier with predict_proba
        The binary classifier cloned for each label, e.g. a preset's
        :class:`~sklearn.calibration.CalibratedClassifierCV` SVM.
    method : {'one-vs-rest', 'chain'}, default='one-vs-rest'
        How the labels are combined. ``'chain'`` follows the label order.
    threshold : float in [0, 1], array-like of shape (n_labels,) or 'tune', \
default=0.5
        The probability a label needs. ``'tune'`` picks each label's threshold
        to maximise its F1 score on out-of-fold probabilities of the
        training set (``cv`` folds), then fits on all of it.
    at_least_one : bool, default=False
        Give a sample that reaches no threshold the label whose probability
        is closest to (or furthest above) its threshold, for data where
        every sample has a label.
    cv : int, default=3
        Folds for ``threshold='tune'`` (shuffled :class:`KFold`).
    random_state : int, RandomState instance or None, default=None
        Seed of the folds' shuffle. Pass an int for reproducible thresholds.

    Attributes
    ----------
    estimator_ : OneVsRestClassifier or ClassifierChain
        The fitted combination.
    thresholds_ : ndarray of shape (n_labels,)
        The probability each label needs.
    classes_ : ndarray of shape (n_labels,)
        The column numbers ``0 .. n_labels - 1`` of ``Y``.
    n_features_in_ : int
        Number of features seen in fit, where the estimator records it.

    See Also
    --------
    classical.make_pipeline : ``multilabel=True`` wraps a preset's classifier.
    classical.evaluation.evaluate_multilabel : Scores of the predictions.

    Notes
    -----
    Tuning a threshold per label to its F1 is the plug-in rule studied by
    Fan and Lin [2]_ ("SCut"); it costs ``cv`` more fits of the combination.

    References
    ----------
    .. [1] J. Read, B. Pfahringer, G. Holmes, E. Frank, "Classifier chains for
       multi-label classification", Machine Learning 85(3), 333-359, 2011.
       :DOI:`10.1007/s10994-011-5256-5`
    .. [2] R.-E. Fan, C.-J. Lin, "A study on threshold selection for
       multi-label classification", National Taiwan University, 2007.
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "method": [StrOptions({"one-vs-rest", "chain"})],
        "threshold": [Interval(Real, 0, 1, closed="both"), "array-like",
                      StrOptions({"tune"})],
        "at_least_one": ["boolean"],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, *, method="one-vs-rest", threshold=0.5,
                 at_least_one=False, cv=3, random_state=None):
        self.estimator = estimator
        self.method = method
        self.threshold = threshold
        self.at_least_one = at_least_one
        self.cv = cv
        self.random_state = random_state

    def _combination(self):
        if self.method == "chain":
            return ClassifierChain(clone(self.estimator))
        return OneVsRestClassifier(clone(self.estimator))

    def _check_threshold(self, n_labels):
        thresholds = np.asarray(self.threshold, dtype=np.float64)
        if thresholds.ndim > 1 or thresholds.size not in (1, n_labels) or (
                not np.all((thresholds >= 0) & (thresholds <= 1))):
            raise ValueError(
                f"threshold must be 'tune', a probability in [0, 1] or one per "
                f"label ({n_labels} values in [0, 1]); got {self.threshold!r}.")
        return np.broadcast_to(thresholds, (n_labels,)).copy()

    def _tuned_thresholds(self, X, Y):
        scores = np.empty(Y.shape, dtype=np.float64)
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(Y):
            rows = _take(X, train)
            scores[test] = self._combination().fit(rows, Y[train]).predict_proba(
                _take(X, test))
        return np.array([best_f1_threshold(Y[:, j], scores[:, j])
                         for j in range(Y.shape[1])])

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, Y):
        """Fit one classifier per label (and tune the thresholds if asked).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training input, in whatever form ``estimator`` takes.
        Y : array-like of shape (n_samples, n_labels)
            Indicator matrix: ``Y[i, j]`` is 1 when sample ``i`` carries label
            ``j``, else 0. Every column must hold both values.

        Returns
        -------
        self : MultiLabelClassifier
            The fitted classifier.
        """
        Y = _check_indicator(Y)
        if isinstance(self.threshold, str):  # 'tune'
            self.thresholds_ = self._tuned_thresholds(X, Y)
        else:
            self.thresholds_ = self._check_threshold(Y.shape[1])
        self.estimator_ = self._combination().fit(X, Y)
        self.classes_ = np.arange(Y.shape[1])
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def predict_proba(self, X):
        """Probability of each label.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input, as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels)
            ``proba[i, j]`` is the probability that sample ``i`` carries label
            ``j`` (the labels' probabilities need not sum to 1).
        """
        check_is_fitted(self)
        return np.asarray(self.estimator_.predict_proba(X), dtype=np.float64)

    def predict(self, X):
        """Predict the label set of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input, as in :meth:`fit`.

        Returns
        -------
        Y : ndarray of int64 of shape (n_samples, n_labels)
            The predicted indicator matrix.
        """
        margin = self.predict_proba(X) - self.thresholds_
        Y = (margin >= 0).astype(np.int64)
        if self.at_least_one:
            empty = np.flatnonzero(Y.sum(axis=1) == 0)
            Y[empty, margin[empty].argmax(axis=1)] = 1
        return Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = False
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        return tags


def _take(X, index):
    """Rows ``index`` of an array or of a list of images."""
    return X[index] if hasattr(X, "shape") else [X[i] for i in index]


def _check_indicator(Y):
    kind = type_of_target(Y)
    if kind != "multilabel-indicator":
        raise ValueError(
            "Y must be an indicator matrix of shape (n_samples, n_labels) of 0 "
            f"and 1 with at least two columns; got a target of type {kind!r}. "
            "Turn label sets into one with sklearn.preprocessing."
            "MultiLabelBinarizer, or use the Y of classical.datasets."
            "load_multilabel; for one label per sample use a classifier without "
            "MultiLabelClassifier.")
    Y = np.asarray(Y).astype(np.int64)
    constant = np.flatnonzero(Y.min(axis=0) == Y.max(axis=0))
    if constant.size:
        raise ValueError(
            f"Every label needs samples with and without it; the column(s) "
            f"{constant.tolist()} of Y hold a single value. Drop these columns "
            "(a label always or never present needs no classifier) or add "
            "samples.")
    return Y
