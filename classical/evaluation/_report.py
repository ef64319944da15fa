"""The :class:`Report` of a classification and its rendering as Markdown and JSON.

:func:`evaluate` counts labels into a confusion matrix and wraps it in a
:class:`Report`; the report draws each score from :mod:`._metrics` on first
access and renders them (:meth:`Report.to_markdown`, :meth:`Report.to_json`);
plots are in :mod:`._plot`.
"""

import json
from functools import cached_property
from pathlib import Path

import numpy as np

from ..utils._markdown import markdown_cell as _markdown_cell
from ..utils._markdown import markdown_table as _table
from . import _plot
from ._metrics import (
    _native,
    check_confusion_matrix,
    cohen_kappa,
    confusion_from_labels,
    divide,
    normalized_confusion,
    per_class_scores,
)

__all__ = ["Report", "evaluate"]


def evaluate(y_true, y_pred, *, labels=None, unknown_label=None):
    """Assess predictions against reference labels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Reference ("ground truth") labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels. May contain a reject label that never occurs in
        ``y_true`` (see Notes).
    labels : array-like of shape (n_labels,) or None, default=None
        The labels, in the order used for the rows and columns of the
        confusion matrix and the per-class tables. It must contain every
        value of ``y_true`` and ``y_pred`` and may add classes that occur in
        neither. ``None`` means the sorted union of ``y_true`` and ``y_pred``
        (numbers before strings when both occur).
    unknown_label : str, int or None, default=None
        The answer of a classifier that declines to decide (a reject
        option's ``unknown_label``). When given, the report also measures the
        rejection: coverage, accuracy on the answered samples and the share
        of each class answered unknown. It need not occur in ``y_pred`` but
        must not occur in ``y_true``.

    Returns
    -------
    report : Report
        Accuracy, balanced accuracy, the majority-class baseline, Cohen's
        kappa, macro and weighted precision/recall/F1, per-class scores,
        producer's and user's accuracies, the confusion matrix, warnings,
        and with ``unknown_label`` the rejection figures.

    Raises
    ------
    ValueError
        If the inputs are empty, not 1-D, of different lengths, contain NaN,
        mix numbers with strings that spell the same numbers, if
        ``labels`` has duplicates or misses a value found in the inputs, or
        if ``unknown_label`` occurs in ``y_true`` or is of another type than
        the label it spells (``"-1"`` for ``-1``).

    See Also
    --------
    sklearn.metrics.classification_report : The per-class scores as text.

    Notes
    -----
    Every number equals scikit-learn's (``sklearn.metrics`` with the same
    ``labels`` and ``zero_division=0``) where scikit-learn computes it, and
    scikit-learn computes the per-class scores, kappa and normalised
    matrices from the confusion matrix. Macro
    averages and the balanced accuracy run over the classes that have
    reference samples, so a reject label that appears only in ``y_pred``
    lowers the accuracy and the user's side of the table but is not averaged
    in as a class of its own; see the module docstring.

    The majority baseline is the accuracy of always answering the largest
    reference class. On imbalanced data a high accuracy can be no better
    than that; the report then carries a warning and the balanced accuracy
    (mean recall over the classes) is the figure to read [4]_.

    With ``unknown_label``, a rejected sample still counts as an error in
    the accuracy and the per-class scores; ``answered_accuracy`` is the
    accuracy on the others, and ``coverage`` their share, the two axes of
    selective classification (see :func:`risk_coverage_curve`).

    Producer's accuracy (the share of a class's reference samples labelled
    correctly; equal to recall) and user's accuracy (the share of the samples
    labelled as a class that really belong to it; equal to precision) follow
    the accuracy-assessment vocabulary of [1]_ and [2]_. Kappa is Cohen's
    [3]_; [2]_ advises reporting the confusion matrix and these accuracies
    rather than kappa alone.

    References
    ----------
    .. [1] R. G. Congalton, "A review of assessing the accuracy of
       classifications of remotely sensed data", Remote Sensing of
       Environment, 37(1), 35-46, 1991. :DOI:`10.1016/0034-4257(91)90048-B`
    .. [2] P. Olofsson, G. M. Foody, M. Herold, S. V. Stehman, C. E. Woodcock
       and M. A. Wulder, "Good practices for estimating area and assessing
       accuracy of land change", Remote Sensing of Environment, 148, 42-57,
       2014. :DOI:`10.1016/j.rse.2014.02.015`
    .. [3] J. Cohen, "A coefficient of agreement for nominal scales",
       Educational and Psychological Measurement, 20(1), 37-46, 1960.
       :DOI:`10.1177/001316446002000104`
    .. [4] K. H. Brodersen, C. S. Ong, K. E. Stephan and J. M. Buhmann, "The
       balanced accuracy and its posterior distribution", 20th International
       Conference on Pattern Recognition, 3121-3124, 2010.
       :DOI:`10.1109/ICPR.2010.764`

    Examples
    --------
    >>> from classical.evaluation import evaluate
    >>> report = evaluate(["cat", "dog", "dog"], ["cat", "dog", "cat"])
    >>> report.accuracy
    0.6666666666666666
    >>> report.confusion_matrix
    array([[1, 0],
           [1, 1]])

    With a reject label:

    >>> report = evaluate(["cat", "dog", "dog", "dog"],
    ...                   ["cat", "dog", "unknown", "cat"], unknown_label="unknown")
    >>> report.coverage, report.answered_accuracy
    (0.75, 0.6666666666666666)
    >>> report.unknown_rate
    {'cat': 0.0, 'dog': 0.3333333333333333}
    """
    return Report(*confusion_from_labels(y_true, y_pred, labels),
                  unknown_label=unknown_label)


class Report:
    """The accuracy assessment of one classification.

    Usually made by :func:`evaluate`. Every score is derived from the
    confusion matrix on first access.

    Parameters
    ----------
    confusion_matrix : array-like of shape (n_labels, n_labels)
        Non-negative integer counts; rows are reference labels, columns are
        predicted labels.
    labels : array-like of shape (n_labels,)
        The label of each row and column.
    unknown_label : str, int or None, default=None
        The reject label, if the classifier could decline; it may label a
        column (its predictions) but no reference sample. ``None`` leaves out
        the rejection figures.

    Attributes
    ----------
    labels : list
        The labels, as plain Python values.
    confusion_matrix : ndarray of shape (n_labels, n_labels)
        The counts (int64), rows = reference, columns = predicted.
    n_samples : int
        Total number of samples.
    support : ndarray of shape (n_labels,)
        Reference samples per label (row sums).
    precision, recall, f1 : ndarray of shape (n_labels,)
        Per-class scores, 0 where undefined (``zero_division=0``).
    producers_accuracy, users_accuracy : ndarray of shape (n_labels,)
        Per-class recall and precision, NaN where undefined.
    assessed_labels : list
        The labels with reference samples, over which macro scores average.
    accuracy, balanced_accuracy, kappa : float
        Overall accuracy, mean producer's accuracy over assessed labels, and
        Cohen's kappa (NaN when undefined, as scikit-learn's default).
    macro_precision, macro_recall, macro_f1 : float
        Unweighted means over the assessed labels.
    weighted_precision, weighted_recall, weighted_f1 : float
        Means weighted by support.
    majority_class : label
        The label with the most reference samples (the first in ``labels``
        order on a tie).
    majority_baseline : float
        Its share of the samples: the accuracy of always answering it.
    warnings : list of str
        Reasons to distrust the headline figures; for now the majority-class
        warning, when ``accuracy <= majority_baseline``.
    unknown_label : label or None
        As given.
    coverage : float or None
        Share of the samples not answered ``unknown_label`` (None without
        ``unknown_label``).
    answered_accuracy : float or None
        Accuracy on the answered samples; NaN when every sample was
        rejected (None without ``unknown_label``).
    unknown_rate : dict or None
        Assessed label -> share of its reference samples answered
        ``unknown_label``, in ``labels`` order (None without
        ``unknown_label``).

    See Also
    --------
    evaluate : Build a report from labels.
    """

    def __init__(self, confusion_matrix, labels, *, unknown_label=None):
        self.confusion_matrix, self.labels = check_confusion_matrix(
            confusion_matrix, labels)
        self.unknown_label = _check_unknown_label(
            unknown_label, self.labels, self.confusion_matrix)

    # ---------------------------------------------------------------- counts
    @property
    def n_samples(self):
        return int(self.confusion_matrix.sum())

    @cached_property
    def _diagonal(self):
        return np.diagonal(self.confusion_matrix).astype(np.float64)

    @cached_property
    def support(self):
        return self.confusion_matrix.sum(axis=1)

    @cached_property
    def _predicted(self):
        return self.confusion_matrix.sum(axis=0)

    @cached_property
    def _assessed(self):
        return self.support > 0

    @property
    def assessed_labels(self):
        return [label for label, keep in zip(self.labels, self._assessed) if keep]

    # ------------------------------------------------------- per-class scores
    @cached_property
    def _per_class(self):
        return per_class_scores(self.confusion_matrix)

    @property
    def precision(self):
        return self._per_class[0]

    @property
    def recall(self):
        return self._per_class[1]

    @property
    def f1(self):
        return self._per_class[2]

    @cached_property
    def producers_accuracy(self):
        return divide(self._diagonal, self.support, np.nan)

    @cached_property
    def users_accuracy(self):
        return divide(self._diagonal, self._predicted, np.nan)

    # ---------------------------------------------------------------- summary
    @cached_property
    def accuracy(self):
        return float(self._diagonal.sum() / self.n_samples)

    @cached_property
    def balanced_accuracy(self):
        return self.macro_recall

    @cached_property
    def kappa(self):
        return cohen_kappa(self.confusion_matrix)

    @cached_property
    def macro_precision(self):
        return float(self.precision[self._assessed].mean())

    @cached_property
    def macro_recall(self):
        return float(self.recall[self._assessed].mean())

    @cached_property
    def macro_f1(self):
        return float(self.f1[self._assessed].mean())

    @cached_property
    def weighted_precision(self):
        return self._weighted(self.precision)

    @cached_property
    def weighted_recall(self):
        return self._weighted(self.recall)

    @cached_property
    def weighted_f1(self):
        return self._weighted(self.f1)

    def _weighted(self, scores):
        return float(np.average(scores, weights=self.support))

    # --------------------------------------------------- majority baseline
    @cached_property
    def _majority(self):
        return int(np.argmax(self.support))

    @property
    def majority_class(self):
        return self.labels[self._majority]

    @cached_property
    def majority_baseline(self):
        return float(self.support[self._majority] / self.n_samples)

    @cached_property
    def warnings(self):
        messages = []
        # compared as counts: both shares have the same denominator
        if self._diagonal.sum() <= self.support[self._majority]:
            messages.append(
                f"accuracy {self.accuracy:.4f} is no better than always answering "
                f"the majority class '{self.majority_class}' "
                f"({self.majority_baseline:.4f}); read balanced accuracy and "
                "per-class recall")
        return messages

    # ------------------------------------------------------------ rejection
    @cached_property
    def _rejected(self):
        """Per row, the samples answered ``unknown_label`` (None without one)."""
        if self.unknown_label is None:
            return None
        if self.unknown_label not in self.labels:
            return np.zeros(len(self.labels), dtype=np.int64)
        return self.confusion_matrix[:, self.labels.index(self.unknown_label)]

    @cached_property
    def coverage(self):
        if self._rejected is None:
            return None
        return float(1.0 - self._rejected.sum() / self.n_samples)

    @cached_property
    def answered_accuracy(self):
        if self._rejected is None:
            return None
        answered = self.n_samples - self._rejected.sum()
        return float(divide(self._diagonal.sum(), answered, np.nan))

    @cached_property
    def unknown_rate(self):
        if self._rejected is None:
            return None
        rates = divide(self._rejected, self.support, np.nan)
        return {label: float(rate) for label, rate, keep
                in zip(self.labels, rates, self._assessed) if keep}

    # ---------------------------------------------------------------- exports
    def confusion(self, normalize=None):
        """Return the confusion matrix, optionally normalised.

        Parameters
        ----------
        normalize : {'true', 'pred', 'all'} or None, default=None
            Divide by the row sums (``'true'``), the column sums (``'pred'``)
            or the total (``'all'``); ``None`` returns the counts. Rows or
            columns without samples become 0, as in
            :func:`sklearn.metrics.confusion_matrix`.

        Returns
        -------
        matrix : ndarray of shape (n_labels, n_labels)
            Counts (int64), or proportions (float64) when normalised.
        """
        return normalized_confusion(self.confusion_matrix, normalize)

    def to_dict(self):
        """Return the report as plain Python types, ready for :func:`json.dumps`.

        Returns
        -------
        report : dict
            Keys ``accuracy``, ``balanced_accuracy``, ``kappa``,
            ``macro_precision``, ``macro_recall``, ``macro_f1``,
            ``weighted_precision``, ``weighted_recall``, ``weighted_f1``,
            ``per_class`` (label → ``{precision, recall, f1, support}``),
            ``confusion_matrix`` (nested lists, rows = reference),
            ``labels``, ``producers_accuracy`` and ``users_accuracy`` (label →
            value), ``n_samples``, ``majority_class``, ``majority_baseline``
            and ``warnings``; with ``unknown_label`` also ``rejection``
            (``{unknown_label, coverage, answered_accuracy, unknown_rate}``,
            the last label → value). Labels are converted to ``str`` where
            they are dictionary keys; undefined values (NaN) become ``None``.
        """
        keys = [str(label) for label in self.labels]
        data = {
            "accuracy": _json_float(self.accuracy),
            "balanced_accuracy": _json_float(self.balanced_accuracy),
            "kappa": _json_float(self.kappa),
            "macro_precision": _json_float(self.macro_precision),
            "macro_recall": _json_float(self.macro_recall),
            "macro_f1": _json_float(self.macro_f1),
            "weighted_precision": _json_float(self.weighted_precision),
            "weighted_recall": _json_float(self.weighted_recall),
            "weighted_f1": _json_float(self.weighted_f1),
            "per_class": {
                key: {
                    "precision": _json_float(self.precision[i]),
                    "recall": _json_float(self.recall[i]),
                    "f1": _json_float(self.f1[i]),
                    "support": int(self.support[i]),
                }
                for i, key in enumerate(keys)
            },
            "confusion_matrix": self.confusion_matrix.tolist(),
            "labels": [_json_label(label) for label in self.labels],
            "producers_accuracy": _by_label(keys, self.producers_accuracy),
            "users_accuracy": _by_label(keys, self.users_accuracy),
            "n_samples": self.n_samples,
            "majority_class": _json_label(self.majority_class),
            "majority_baseline": _json_float(self.majority_baseline),
            "warnings": list(self.warnings),
        }
        if self.unknown_label is not None:
            data["rejection"] = {
                "unknown_label": _json_label(self.unknown_label),
                "coverage": _json_float(self.coverage),
                "answered_accuracy": _json_float(self.answered_accuracy),
                "unknown_rate": {str(label): _json_float(rate)
                                 for label, rate in self.unknown_rate.items()},
            }
        return data

    def to_json(self, path=None, *, indent=2):
        """Write the report as JSON, or return it as a string.

        Parameters
        ----------
        path : str, path-like or None, default=None
            Where to write the file; ``None`` returns the text instead.
        indent : int or None, default=2
            Indentation passed to :func:`json.dumps`.

        Returns
        -------
        text : str or None
            The JSON text when ``path`` is None, otherwise None.
        """
        text = json.dumps(self.to_dict(), indent=indent)
        if path is None:
            return text
        Path(path).write_text(text + "\n", encoding="utf-8")
        return None

    def to_markdown(self, *, digits=4):
        """Return a Markdown report: summary, rejection, per class, confusion matrix.

        Parameters
        ----------
        digits : int, default=4
            Decimal places of the scores.

        Returns
        -------
        text : str
            GitHub-flavoured Markdown: the summary (accuracy beside the
            balanced accuracy and the majority baseline, then any warning in
            bold), with ``unknown_label`` a "Rejection" section (coverage,
            answered accuracy, unknown rate per class), the per-class table
            and the confusion matrix. Undefined values are shown as ``n/a``.
        """
        def fmt(value):
            return "n/a" if np.isnan(value) else f"{value:.{digits}f}"

        names = [_markdown_cell(label) for label in self.labels]
        summary = [
            ("Samples", str(self.n_samples)),
            ("Overall accuracy", fmt(self.accuracy)),
            ("Balanced accuracy", fmt(self.balanced_accuracy)),
            ("Majority baseline",
             f"{fmt(self.majority_baseline)} "
             f"(always {_markdown_cell(self.majority_class)})"),
            ("Cohen's kappa", fmt(self.kappa)),
            ("Macro precision", fmt(self.macro_precision)),
            ("Macro recall", fmt(self.macro_recall)),
            ("Macro F1", fmt(self.macro_f1)),
            ("Weighted precision", fmt(self.weighted_precision)),
            ("Weighted recall", fmt(self.weighted_recall)),
            ("Weighted F1", fmt(self.weighted_f1)),
        ]
        lines = ["## Summary", "", *_table(["Metric", "Value"], summary)]
        for message in self.warnings:
            lines += ["", f"**Warning: {message}.**"]
        if self.unknown_label is not None:
            lines += self._rejection_markdown(fmt)

        per_class = [
            (
                name,
                fmt(self.precision[i]),
                fmt(self.recall[i]),
                fmt(self.f1[i]),
                fmt(self.producers_accuracy[i]),
                fmt(self.users_accuracy[i]),
                str(int(self.support[i])),
            )
            for i, name in enumerate(names)
        ]
        header = ["Class", "Precision", "Recall", "F1", "Producer's accuracy",
                  "User's accuracy", "Support"]
        lines += ["", "## Per class", "", *_table(header, per_class)]
        unassessed = [n for n, keep in zip(names, self._assessed) if not keep]
        if unassessed:
            lines += [
                "",
                "Labels without reference samples (not in macro averages): "
                + ", ".join(unassessed) + ".",
            ]

        counts = self.confusion_matrix
        rows = [
            (f"**{name}**", *map(str, counts[i]), str(int(self.support[i])))
            for i, name in enumerate(names)
        ]
        rows.append(("**Total**", *map(str, self._predicted), str(self.n_samples)))
        lines += [
            "",
            "## Confusion matrix",
            "",
            "Rows: reference labels; columns: predicted labels.",
            "",
            *_table(["Reference \\ Predicted", *names, "Total"], rows),
        ]
        return "\n".join(lines) + "\n"

    def _rejection_markdown(self, fmt):
        rows = [(_markdown_cell(label), fmt(rate),
                 str(int(self.support[self.labels.index(label)])))
                for label, rate in self.unknown_rate.items()]
        return [
            "",
            "## Rejection",
            "",
            f"Answers {_markdown_cell(self.unknown_label)!r} count as rejected "
            "(and as errors in the accuracy above).",
            "",
            *_table(["Metric", "Value"],
                    [("Coverage (share answered)", fmt(self.coverage)),
                     ("Accuracy on answered", fmt(self.answered_accuracy))]),
            "",
            *_table(["Class", "Unknown rate", "Support"], rows),
        ]

    def _repr_markdown_(self):
        return self.to_markdown()

    def plot_confusion(self, *, normalize=None, ax=None, cmap="Blues", values=True):
        """Draw the confusion matrix as a heat map.

        Parameters
        ----------
        normalize : {'true', 'pred', 'all'} or None, default=None
            As in :meth:`confusion`; ``None`` draws counts.
        ax : matplotlib.axes.Axes or None, default=None
            Where to draw; ``None`` makes a new figure with
            :func:`matplotlib.pyplot.subplots`.
        cmap : str or matplotlib.colors.Colormap, default='Blues'
            Colour map of the cells.
        values : bool, default=True
            Write each cell's value in it.

        Returns
        -------
        ax : matplotlib.axes.Axes
            The axes drawn on; the cells are its only image.

        See Also
        --------
        sklearn.metrics.ConfusionMatrixDisplay : Which draws it.
        """
        return _plot.plot_confusion(self, normalize=normalize, ax=ax, cmap=cmap,
                                    values=values)

    def save_confusion(self, path, *, dpi=150, **kwargs):
        """Draw the confusion matrix and save it to an image file.

        Parameters
        ----------
        path : str or path-like
            The file; the format follows the extension (``.png``, ``.svg``,
            ``.pdf``).
        dpi : int, default=150
            Resolution of raster formats.
        **kwargs
            ``normalize``, ``cmap`` and ``values``, as in
            :meth:`plot_confusion`.

        Returns
        -------
        path : pathlib.Path
            The file written.
        """
        return _plot.save_confusion(self, path, dpi=dpi, **kwargs)

    def __repr__(self):
        return (
            f"Report(n_samples={self.n_samples}, n_labels={len(self.labels)}, "
            f"accuracy={self.accuracy:.4f}, macro_f1={self.macro_f1:.4f}, "
            f"kappa={self.kappa:.4f})"
        )


def _check_unknown_label(unknown_label, labels, matrix):
    if unknown_label is None:
        return None
    unknown_label = _native(unknown_label)
    if unknown_label in labels:
        row = matrix[labels.index(unknown_label)].sum()
        if row:
            raise ValueError(
                f"unknown_label {unknown_label!r} occurs {row} times in y_true (the "
                "reference labels, rows of the confusion matrix); a reject label "
                "must be an answer only, never a class. Choose an unknown_label "
                "that is not a class, or drop those samples.")
    else:
        same_text = [label for label in labels if str(label) == str(unknown_label)]
        if same_text:
            raise ValueError(
                f"unknown_label {unknown_label!r} is not among the labels, but "
                f"{same_text[0]!r} is; give unknown_label the labels' type "
                f"(unknown_label={same_text[0]!r}).")
    return unknown_label


# --------------------------------------------------------------- rendering
def _json_float(value):
    value = float(value)
    return None if np.isnan(value) else value


def _by_label(keys, values):
    return {key: _json_float(value) for key, value in zip(keys, values)}


def _json_label(label):
    if isinstance(label, (str, int, float, bool)) or label is None:
        return label
    return str(label)

