"""A rare positive class: precision-recall curve and a threshold for a target.

With a rare positive class (a defect, a small land cover) the accuracy of a
classifier says little: answering "negative" always scores the negatives'
share. What matters is how many of the positives are found (*recall*) and how
many of the images called positive are (*precision*), and a classifier trades
one for the other through the threshold on its score. The tools here pick
that threshold for a stated target and show where it sits on the
precision-recall curve.

Convention: an image is predicted positive when its score is *at least* the
threshold (``score >= threshold``), as in
:func:`sklearn.metrics.precision_recall_curve` and
:class:`sklearn.model_selection.FixedThresholdClassifier`. Precision and
recall are those of the class ``pos_label`` against all other labels, so
``y_true`` may hold more than two classes (one class against the rest).
Choose the threshold on data the model was not trained on (a validation part
of the training set): on its own training images a model is too sure.

References
----------
.. [1] T. Saito, M. Rehmsmeier, "The precision-recall plot is more
   informative than the ROC plot when evaluating binary classifiers on
   imbalanced datasets", PLoS ONE 10(3): e0118432, 2015.
   :DOI:`10.1371/journal.pone.0118432`
"""

from numbers import Real

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import (
    PrecisionRecallDisplay,
    average_precision_score,
    precision_recall_curve,
)
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import Substitution

__all__ = ["threshold_for", "tune_threshold", "plot_precision_recall"]

_TARGET = [Interval(Real, 0, 1, closed="right"), None]

_TARGETS_DOC = Substitution(targets="""recall : float in (0, 1], default=None
        Target recall: the largest threshold whose recall reaches it, hence
        the best precision among the thresholds that find this share of the
        positives.
    precision : float in (0, 1], default=None
        Target precision: among the thresholds whose precision reaches it,
        the one with the highest recall (the largest such threshold when
        several share that recall).
    pos_label : int, float, bool or str, default=1
        The positive class; every other label is negative.""")


def _positives(y_true, scores, pos_label):
    """``y_true == pos_label`` as booleans and the scores as floats, checked."""
    y_true = np.asarray(y_true)
    scores = np.asarray(scores, dtype=np.float64)
    if y_true.ndim != 1 or scores.shape != y_true.shape:
        raise ValueError(
            "y_true and scores must be 1-D with one score per sample; got shapes "
            f"{y_true.shape} and {scores.shape}. For a classifier's "
            "predict_proba, pass the positive class's column.")
    positive = y_true == pos_label
    if not positive.any():
        raise ValueError(
            f"y_true has no positive sample (pos_label={pos_label!r}); its labels "
            f"are {np.unique(y_true).tolist()[:10]}. Pass pos_label= one of them, "
            "or a sample that contains the positive class.")
    return positive, scores


@_TARGETS_DOC
@validate_params(
    {"y_true": ["array-like"], "scores": ["array-like"], "recall": _TARGET,
     "precision": _TARGET, "pos_label": "no_validation"},
    prefer_skip_nested_validation=True)
def threshold_for(y_true, scores, *, recall=None, precision=None, pos_label=1):
    """The score threshold that reaches a target recall or precision.

    Exactly one of ``recall`` and ``precision`` is given. The candidate
    thresholds are the distinct scores (any threshold between two of them
    gives the same predictions as the next score up), and a sample is
    predicted positive when its score is at least the threshold.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Reference labels; ``pos_label`` against all others.
    scores : array-like of shape (n_samples,)
        Score of each sample for the positive class, larger meaning more
        likely positive (a ``predict_proba`` column or a
        ``decision_function``).
    {targets}

    Returns
    -------
    threshold : float
        One of the ``scores``; ``scores >= threshold`` meets the target on
        these samples.

    Raises
    ------
    ValueError
        If both or neither target is given, if ``y_true`` has no positive
        sample, or if no threshold reaches the target precision (the message
        gives the best reachable one).

    See Also
    --------
    tune_threshold : The same on a fitted model's scores, as a classifier.

    Notes
    -----
    Every target recall is reachable: the smallest score as threshold
    predicts every sample positive (recall 1). A target precision may not be:
    precision is not monotone in the threshold, and the best one reachable
    is that of the most confident positives.

    Examples
    --------
    >>> from classical.evaluation import threshold_for
    >>> y, s = [0, 0, 1, 0, 1, 1], [0.1, 0.35, 0.4, 0.6, 0.8, 0.9]
    >>> threshold_for(y, s, recall=1.0), threshold_for(y, s, precision=1.0)
    (0.4, 0.8)
    """
    if (recall is None) == (precision is None):
        raise ValueError(
            "Give exactly one target, recall= or precision=; got "
            f"recall={recall!r} and precision={precision!r}.")
    positive, scores = _positives(y_true, scores, pos_label)
    curve_precision, curve_recall, thresholds = precision_recall_curve(
        positive, scores, pos_label=True)
    # the last point (precision 1, recall 0) has no threshold
    curve_precision, curve_recall = curve_precision[:-1], curve_recall[:-1]
    if recall is not None:
        # recall falls as the threshold rises: the reaching ones come first
        return float(thresholds[np.flatnonzero(curve_recall >= recall)[-1]])
    reached = curve_precision >= precision
    if not reached.any():
        raise ValueError(
            f"No threshold reaches precision={precision}: the best precision on "
            f"these samples is {curve_precision.max():.4g}. Lower the target, or "
            "improve the model's scores.")
    best = reached & (curve_recall == curve_recall[reached].max())
    return float(thresholds[np.flatnonzero(best)[-1]])


def _response(model, pos_label):
    """The model's score method for ``pos_label`` and its name."""
    check_is_fitted(model)
    classes = np.asarray(model.classes_)
    if len(classes) != 2 or pos_label not in classes.tolist():
        raise ValueError(
            "tune_threshold needs a binary classifier with pos_label among its "
            f"classes; the model has classes {classes.tolist()[:10]} and "
            f"pos_label={pos_label!r}. Fit it on pos_label against the rest.")
    if hasattr(model, "predict_proba"):
        column = int(np.flatnonzero(classes == pos_label)[0])
        return (lambda X: model.predict_proba(X)[:, column]), "predict_proba"
    if hasattr(model, "decision_function"):
        # the decision function is positive for classes_[1], as sklearn reads it
        sign = 1.0 if classes[1] == pos_label else -1.0
        return (lambda X: sign * model.decision_function(X)), "decision_function"
    raise TypeError(
        f"tune_threshold needs a model with predict_proba or decision_function; "
        f"{type(model).__name__} has neither. Wrap it in "
        "sklearn.calibration.CalibratedClassifierCV.")


@_TARGETS_DOC
@validate_params(
    {"model": "no_validation", "X_val": "no_validation", "y_val": ["array-like"],
     "recall": _TARGET, "precision": _TARGET, "pos_label": "no_validation"},
    prefer_skip_nested_validation=False)
def tune_threshold(model, X_val, y_val, *, recall=None, precision=None, pos_label=1):
    """A fitted binary classifier that predicts at a threshold tuned for a target.

    The model's score for ``pos_label`` (its ``predict_proba`` column, or
    else its ``decision_function``, sign-flipped when ``pos_label`` is
    ``classes_[0]``) is computed on held-out data, :func:`threshold_for`
    picks the threshold, and the model is wrapped, frozen
    (:class:`sklearn.frozen.FrozenEstimator`: not fitted again), in
    :class:`sklearn.model_selection.FixedThresholdClassifier` at that
    threshold.

    Parameters
    ----------
    model : fitted classifier
        A fitted binary scikit-learn classifier or pipeline (a preset
        included) whose ``classes_`` hold ``pos_label``.
    X_val : array-like or a batch of images
        Held-out samples, as ``model`` takes them.
    y_val : array-like of shape (n_samples,)
        Their labels, both classes present.
    {targets}

    Returns
    -------
    classifier : sklearn.model_selection.FixedThresholdClassifier
        Fitted; its ``predict`` answers ``pos_label`` when the score is at
        least ``classifier.threshold``. ``model`` is unchanged.

    Raises
    ------
    ValueError
        If ``model`` is not binary or lacks ``pos_label``, or as
        :func:`threshold_for` does.
    TypeError
        If ``model`` has neither ``predict_proba`` nor ``decision_function``.

    See Also
    --------
    threshold_for : The threshold from labels and scores.
    """
    score, response_method = _response(model, pos_label)
    threshold = threshold_for(y_val, score(X_val), recall=recall,
                              precision=precision, pos_label=pos_label)
    return FixedThresholdClassifier(
        FrozenEstimator(model), threshold=threshold, pos_label=pos_label,
        response_method=response_method).fit(X_val, y_val)


@validate_params(
    {"y_true": ["array-like"], "scores": ["array-like"], "pos_label": "no_validation",
     "threshold": [Real, None], "ax": "no_validation"},
    prefer_skip_nested_validation=True)
def plot_precision_recall(y_true, scores, *, pos_label=1, threshold=None, ax=None):
    """Draw the precision-recall curve, with the operating point of a threshold.

    The curve is :class:`sklearn.metrics.PrecisionRecallDisplay`'s, with its
    average precision in the legend and the chance level (the positives'
    share, the precision of a random guess) as a dashed line [1]_.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Reference labels; ``pos_label`` against all others.
    scores : array-like of shape (n_samples,)
        Score of each sample for the positive class.
    pos_label : int, float, bool or str, default=1
        The positive class.
    threshold : float, default=None
        A threshold whose recall and precision (``scores >= threshold``
        predicted positive) are marked on the curve; ``None`` marks nothing.
    ax : matplotlib.axes.Axes, default=None
        Where to draw the curve; ``None`` makes a new figure. Draw several
        models on one ``ax`` to compare them.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes holding the curve, its legend and the marked threshold.

    Raises
    ------
    ValueError
        If ``y_true`` has no positive sample, or ``threshold`` is above every
        score (nothing would be predicted positive: precision undefined).
    """
    positive, scores = _positives(y_true, scores, pos_label)
    precision, recall, _ = precision_recall_curve(positive, scores, pos_label=True)
    display = PrecisionRecallDisplay(
        precision, recall, pos_label=pos_label,
        average_precision=average_precision_score(positive, scores),
        prevalence_pos_label=positive.mean())
    ax = display.plot(ax=ax, plot_chance_level=True).ax_
    if threshold is not None:
        predicted = scores >= threshold
        if not predicted.any():
            raise ValueError(
                f"threshold={threshold} is above every score (largest "
                f"{scores.max():.4g}): no sample is predicted positive and the "
                "precision is undefined. Pass a threshold within the scores.")
        found = np.sum(predicted & positive)
        point_recall, point_precision = found / positive.sum(), found / predicted.sum()
        ax.plot(point_recall, point_precision, "o", color="black",
                label=f"threshold {threshold:.3g}: recall {point_recall:.2f}, "
                      f"precision {point_precision:.2f}")
        ax.legend(loc="best")
    return ax
