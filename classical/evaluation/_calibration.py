"""Are the probabilities honest? Calibration error, reliability diagram, calibrate.

A classifier is *calibrated* when, among the samples it gives a top
probability near ``p``, a share ``p`` is classified right. The check here is
the top-label one of Guo et al. [1]_: the samples are grouped by their top
probability (the *confidence*) into ``n_bins`` equal-width bins
``[0, 1/n], (1/n, 2/n], ..., ((n-1)/n, 1]``, and in each bin the mean
confidence is compared with the accuracy. The expected calibration error is
the mean gap weighted by the bins' shares of samples::

    ECE = sum_b |B_b| / n * |accuracy(B_b) - confidence(B_b)|

It is 0 for a calibrated model and grows with the bin count on small samples
(an empty bin contributes nothing), so compare ECEs at the same ``n_bins``.

References
----------
.. [1] C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger, "On calibration of
   modern neural networks", ICML 2017, PMLR 70:1321-1330.
   https://proceedings.mlr.press/v70/guo17a.html
"""

from numbers import Integral

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..utils._docstring import Substitution

__all__ = ["calibrate", "expected_calibration_error", "reliability_curve",
           "reliability_diagram"]

_PROBABILITIES = Substitution(probabilities="""y_true : array-like of shape (n_samples,)
        Reference labels.
    y_proba : array-like of shape (n_samples, n_classes)
        Class probabilities, columns in ``classes`` order.""")


@_PROBABILITIES
@validate_params(
    {"y_true": ["array-like"], "y_proba": ["array-like"],
     "classes": ["array-like", None],
     "n_bins": [Interval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True)
def reliability_curve(y_true, y_proba, *, classes=None, n_bins=10):
    """Per-bin confidence, accuracy and count of the top-label predictions.

    Parameters
    ----------
    {probabilities}
    classes : array-like of shape (n_classes,), default=None
        The label of each column of ``y_proba`` (a model's ``classes_``).
        ``None`` takes the sorted distinct labels of ``y_true``, which is
        right only when every class occurs in it.
    n_bins : int, default=10
        Number of equal-width confidence bins on [0, 1]; bin ``b`` holds the
        confidences in ``(b / n_bins, (b + 1) / n_bins]`` (the first also 0).

    Returns
    -------
    confidence : ndarray of shape (n_bins,)
        Mean top probability in each bin (NaN for an empty bin).
    accuracy : ndarray of shape (n_bins,)
        Share of right top-label predictions in each bin (NaN when empty).
    count : ndarray of int of shape (n_bins,)
        Number of samples in each bin.

    Raises
    ------
    ValueError
        If ``y_proba`` is not 2-D with one row per label, or its columns do
        not match ``classes``.
    """
    y_true = np.asarray(y_true)
    y_proba = np.asarray(y_proba, dtype=np.float64)
    classes = np.unique(y_true) if classes is None else np.asarray(classes)
    if y_proba.ndim != 2 or y_proba.shape != (len(y_true), len(classes)):
        raise ValueError(
            "y_proba must have shape (n_samples, n_classes) = "
            f"({len(y_true)}, {len(classes)}) to match y_true and classes; got "
            f"{y_proba.shape}. Pass classes=model.classes_ when a class is absent "
            "from y_true.")
    top = y_proba.max(axis=1)
    right = classes[y_proba.argmax(axis=1)] == y_true
    # bin b holds (b/n, (b+1)/n], compared with the edges themselves (p * n
    # would round 0.3 * 10 up past 3); 0 and values past 1 go to the ends
    inner_edges = np.arange(1, n_bins) / n_bins
    bins = np.searchsorted(inner_edges, top, side="left")
    count = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.bincount(bins, top, minlength=n_bins) / count
        accuracy = np.bincount(bins, right, minlength=n_bins) / count
    return confidence, accuracy, count


@_PROBABILITIES
def expected_calibration_error(y_true, y_proba, *, classes=None, n_bins=10):
    """Expected calibration error of the top-label probabilities [1]_.

    Parameters
    ----------
    {probabilities}
    classes : array-like of shape (n_classes,), default=None
        The label of each column (a model's ``classes_``); ``None`` takes the
        sorted distinct labels of ``y_true``.
    n_bins : int, default=10
        Number of equal-width confidence bins (see :func:`reliability_curve`).

    Returns
    -------
    ece : float
        ``sum_b |B_b| / n * |accuracy(B_b) - confidence(B_b)|``, in [0, 1].

    Examples
    --------
    >>> from classical.evaluation import expected_calibration_error
    >>> expected_calibration_error(["a", "b"], [[0.9, 0.1], [0.6, 0.4]])
    0.35
    """
    return _ece(*reliability_curve(y_true, y_proba, classes=classes, n_bins=n_bins))


def _ece(confidence, accuracy, count):
    filled = count > 0
    gaps = np.abs(accuracy[filled] - confidence[filled])
    return float(np.sum(count[filled] * gaps) / count.sum())


@_PROBABILITIES
def reliability_diagram(y_true, y_proba, *, classes=None, n_bins=10, ax=None):
    """Draw accuracy against confidence per bin, beside the diagonal.

    Bars are the accuracy of each confidence bin, drawn at the bin's width;
    a calibrated model's bars reach the diagonal. The title gives the
    expected calibration error.

    Parameters
    ----------
    {probabilities}
    classes : array-like of shape (n_classes,), default=None
        The label of each column; ``None`` takes the sorted distinct labels of
        ``y_true``.
    n_bins : int, default=10
        Number of equal-width confidence bins (see :func:`reliability_curve`).
    ax : matplotlib.axes.Axes, default=None
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` is the figure).
    """
    confidence, accuracy, count = reliability_curve(y_true, y_proba,
                                                    classes=classes, n_bins=n_bins)
    filled = count > 0
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(4.5, 4.5))
    edges = np.arange(n_bins) / n_bins
    ax.bar(edges[filled], accuracy[filled], width=1.0 / n_bins, align="edge",
           edgecolor="black", label="accuracy")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="calibrated")
    ax.plot(confidence[filled], accuracy[filled], "o", color="black",
            label="mean confidence")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="Confidence (top probability)",
           ylabel="Accuracy",
           title="Expected calibration error "
                 f"{_ece(confidence, accuracy, count):.3f}")
    ax.legend(loc="upper left")
    return ax


@validate_params(
    {"model": "no_validation", "X_val": "no_validation", "y_val": ["array-like"],
     "method": [StrOptions({"sigmoid", "isotonic"})]},
    prefer_skip_nested_validation=False)
def calibrate(model, X_val, y_val, *, method="sigmoid"):
    """A calibrated copy of a fitted classifier, fitted on held-out data.

    The model is frozen (:class:`sklearn.frozen.FrozenEstimator`: not fitted
    again) and :class:`sklearn.calibration.CalibratedClassifierCV` maps its
    ``decision_function`` (or ``predict_proba``) to probabilities on
    ``X_val``, one-vs-rest, renormalised. Use data the model was not trained
    on, or the map learns the training set's overconfidence.

    Parameters
    ----------
    model : fitted classifier
        Any fitted scikit-learn classifier or pipeline (a preset included).
    X_val : array-like or a batch of images
        Held-out samples, as ``model`` takes them.
    y_val : array-like of shape (n_samples,)
        Their labels.
    method : {'sigmoid', 'isotonic'}, default='sigmoid'
        Platt's sigmoid (2 parameters per class: for a few hundred samples)
        or isotonic regression (monotone, non-parametric: for thousands).

    Returns
    -------
    calibrated : sklearn.calibration.CalibratedClassifierCV
        The fitted calibrated classifier; ``model`` is unchanged.
    """
    return CalibratedClassifierCV(FrozenEstimator(model), method=method).fit(
        X_val, y_val)
