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
    check_confusion_matrix,
    cohen_kappa,
    confusion_from_labels,
    divide,
    normalized_confusion,
    per_class_scores,
)

__all__ = ["Report", "evaluate"]


def evaluate(y_true, y_pred, *, labels=None):
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

    Returns
    -------
    report : Report
        Accuracy, balanced accuracy, Cohen's kappa, macro and weighted
        precision/recall/F1, per-class scores, producer's and user's
        accuracies and the confusion matrix.

    Raises
    ------
    ValueError
        If the inputs are empty, not 1-D, of different lengths, contain NaN,
        mix numbers with strings that spell the same numbers, or if
        ``labels`` has duplicates or misses a value found in the inputs.

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

    Examples
    --------
    >>> from classical.evaluation import evaluate
    >>> report = evaluate(["cat", "dog", "dog"], ["cat", "dog", "cat"])
    >>> report.accuracy
    0.6666666666666666
    >>> report.confusion_matrix
    array([[1, 0],
           [1, 1]])
    """
    return Report(*confusion_from_labels(y_true, y_pred, labels))


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

    See Also
    --------
    evaluate : Build a report from labels.
    """

    def __init__(self, confusion_matrix, labels):
        self.confusion_matrix, self.labels = check_confusion_matrix(
            confusion_matrix, labels)

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
            value) and ``n_samples``. Labels are converted to ``str`` where
            they are dictionary keys; undefined values (NaN) become ``None``.
        """
        keys = [str(label) for label in self.labels]
        return {
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
        }

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
        """Return a Markdown report: summary, per-class table, confusion matrix.

        Parameters
        ----------
        digits : int, default=4
            Decimal places of the scores.

        Returns
        -------
        text : str
            Three GitHub-flavoured Markdown tables. Undefined values are
            shown as ``n/a``.
        """
        def fmt(value):
            return "n/a" if np.isnan(value) else f"{value:.{digits}f}"

        names = [_markdown_cell(label) for label in self.labels]
        summary = [
            ("Samples", str(self.n_samples)),
            ("Overall accuracy", fmt(self.accuracy)),
            ("Balanced accuracy", fmt(self.balanced_accuracy)),
            ("Cohen's kappa", fmt(self.kappa)),
            ("Macro precision", fmt(self.macro_precision)),
            ("Macro recall", fmt(self.macro_recall)),
            ("Macro F1", fmt(self.macro_f1)),
            ("Weighted precision", fmt(self.weighted_precision)),
            ("Weighted recall", fmt(self.weighted_recall)),
            ("Weighted F1", fmt(self.weighted_f1)),
        ]
        lines = ["## Summary", "", *_table(["Metric", "Value"], summary)]

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

