"""Selective classification: what answering only the confident samples costs.

A classifier with a reject option answers a sample only when its confidence
clears a threshold. Lowering the threshold answers more samples (the
*coverage* grows) and usually lets in more errors (the *risk*, the error rate
among the answered, grows). The risk-coverage curve of El-Yaniv and Wiener
[1]_, used for deep networks by Geifman and El-Yaniv [2]_, traces that trade
for every threshold at once; the area under it (AURC) is one number for the
whole curve, lower being better.

References
----------
.. [1] R. El-Yaniv and Y. Wiener, "On the foundations of noise-free selective
   classification", Journal of Machine Learning Research, 11, 1605-1641,
   2010. https://jmlr.org/papers/v11/el-yaniv10a.html
.. [2] Y. Geifman and R. El-Yaniv, "Selective classification for deep neural
   networks", Advances in Neural Information Processing Systems 30 (NeurIPS),
   2017. :arXiv:`1705.08500`
"""

import numpy as np

from ._metrics import _as_label_vector

__all__ = ["plot_risk_coverage", "risk_coverage_curve"]


def risk_coverage_curve(y_true, y_pred, confidence):
    """Risk (error rate among the answered) against coverage, per threshold.

    The samples are answered from the most confident down. At each distinct
    confidence ``t``, from the highest, the samples with ``confidence >= t``
    are answered: samples of equal confidence enter together, because no
    threshold separates them.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Reference labels.
    y_pred : array-like of shape (n_samples,)
        The classifier's answers without rejection (its top class).
    confidence : array-like of shape (n_samples,)
        How sure the classifier is of each answer (for example its top
        probability); higher means answered sooner. Any finite real values.

    Returns
    -------
    coverage : ndarray of shape (n_thresholds,)
        Share of the samples answered at each threshold, increasing, the
        last being 1.
    risk : ndarray of shape (n_thresholds,)
        Share of wrong answers among those answered.
    thresholds : ndarray of shape (n_thresholds,)
        The distinct confidences, decreasing: a reject option with threshold
        ``thresholds[k]`` that answers when ``confidence >= thresholds[k]``
        has coverage ``coverage[k]`` and risk ``risk[k]``.

    Raises
    ------
    ValueError
        If the arguments are empty, not 1-D or of different lengths, or
        ``confidence`` is not finite numbers.

    See Also
    --------
    plot_risk_coverage : Draw the curve with its area.
    classical.classifiers.RejectOption : A classifier that answers only above
        a threshold.

    Notes
    -----
    Labels are compared with Python ``==``, so integer classes and a string
    label mix safely. A reject option whose confidence is its top
    probability, at threshold ``t``, has exactly the ``coverage`` and
    ``risk`` of the first threshold ``<= t``.

    Examples
    --------
    >>> from classical.evaluation import risk_coverage_curve
    >>> coverage, risk, thresholds = risk_coverage_curve(
    ...     ["a", "b", "b", "a"], ["a", "b", "a", "a"], [0.9, 0.8, 0.8, 0.6])
    >>> coverage
    array([0.25, 0.75, 1.  ])
    >>> risk
    array([0.        , 0.33333333, 0.25      ])
    >>> thresholds
    array([0.9, 0.8, 0.6])
    """
    y_true = _as_label_vector(y_true, "y_true")
    y_pred = _as_label_vector(y_pred, "y_pred")
    confidence = _as_confidence(confidence)
    lengths = {y_true.shape[0], y_pred.shape[0], confidence.shape[0]}
    if len(lengths) != 1:
        raise ValueError(
            "y_true, y_pred and confidence must have the same length; got "
            f"{y_true.shape[0]}, {y_pred.shape[0]} and {confidence.shape[0]}. "
            "Pass one answer and one confidence per reference label.")
    if y_true.shape[0] == 0:
        raise ValueError(
            "y_true, y_pred and confidence are empty; the curve needs at least "
            "one sample.")
    wrong = y_true.astype(object) != y_pred.astype(object)
    order = np.argsort(-confidence, kind="stable")
    ranked = confidence[order]
    # the last sample of each run of equal confidence closes a threshold
    closes = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))
    answered = closes + 1
    errors = np.cumsum(wrong[order])[closes]
    coverage = answered / confidence.shape[0]
    return coverage, errors / answered, ranked[closes]


def plot_risk_coverage(y_true, y_pred, confidence, *, ax=None, label=None):
    """Draw the risk-coverage curve, its area in the legend.

    The curve is a step: the risk of threshold ``k`` holds from the
    coverage of threshold ``k - 1`` (0 for the first) to its own, and the area
    under the curve (AURC) is the area under that step,
    ``sum_k risk[k] * (coverage[k] - coverage[k - 1])``; without ties in
    confidence it is the mean risk over the coverages ``1/n, 2/n, ..., 1``
    [2]_. The dashed line is the risk of answering everything.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Reference labels.
    y_pred : array-like of shape (n_samples,)
        The classifier's answers without rejection.
    confidence : array-like of shape (n_samples,)
        How sure it is of each answer; see :func:`risk_coverage_curve`.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; ``None`` makes a new figure. Draw several models on
        one ``ax`` to compare them.
    label : str, default=None
        The curve's name in the legend, followed by its AURC.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` is the figure).

    See Also
    --------
    risk_coverage_curve : The numbers drawn.
    """
    coverage, risk, _ = risk_coverage_curve(y_true, y_pred, confidence)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5.0, 4.0))
    area = float(np.sum(risk * np.diff(coverage, prepend=0.0)))
    text = f"AURC {area:.3f}" if label is None else f"{label} (AURC {area:.3f})"
    line, = ax.step(np.append(0.0, coverage), np.append(risk[0], risk), where="pre",
                    label=text)
    ax.axhline(risk[-1], linestyle="--", color=line.get_color(), linewidth=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    ax.set(xlabel="Coverage (share answered)",
           ylabel="Risk (error rate among answered)")
    ax.legend(loc="upper left")
    return ax


def _as_confidence(confidence):
    array = np.asarray(confidence)
    if array.ndim != 1:
        raise ValueError(
            "confidence must be a 1-D array of shape (n_samples,); got shape "
            f"{array.shape}. For class probabilities pass proba.max(axis=1).")
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"confidence must hold real numbers; got dtype {array.dtype}. Pass "
            "the scores themselves (e.g. predict_proba(X).max(axis=1)).")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(
            "confidence contains NaN or infinite values; give every sample a "
            "finite confidence (replace infinities with a large finite score).")
    return array
