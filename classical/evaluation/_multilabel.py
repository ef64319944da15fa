"""Scores of predicted label sets: :func:`evaluate_multilabel` and its report.

Every score is computed from two indicator matrices (images in rows, labels
in columns) by counting; divisions by zero give 0, as scikit-learn's
``zero_division=0``, so the numbers equal :func:`sklearn.metrics.f1_score`
and its siblings with ``average='micro'``, ``'macro'`` and ``'samples'``.
"""

from functools import cached_property

import numpy as np

from ..utils._markdown import markdown_cell, markdown_table
from ._metrics import divide
from ._report import Report, _json_float

__all__ = ["MultiLabelReport", "evaluate_multilabel"]

_AVERAGES = ("micro", "macro", "samples")


def _indicator(Y, name):
    """``Y`` as a 2-D int8 array of 0 and 1, or a ValueError saying what is wrong."""
    array = np.asarray(Y)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be an indicator matrix of shape (n_samples, n_labels); "
            f"got shape {array.shape}. Turn label sets into one with "
            "sklearn.preprocessing.MultiLabelBinarizer, or use the Y of "
            "classical.datasets.load_multilabel.")
    if array.dtype == bool:
        return array.astype(np.int8)
    if array.dtype.kind not in "iuf" or not np.isin(array, (0, 1)).all():
        raise ValueError(
            f"{name} must hold only 0 and 1 (or booleans); got values such as "
            f"{np.unique(array)[:5].tolist()}. Threshold probabilities first, "
            "e.g. (proba >= 0.5).astype(int).")
    return array.astype(np.int8)


def evaluate_multilabel(Y_true, Y_pred, *, label_names=None):
    """Score predicted label sets against reference label sets.

    Parameters
    ----------
    Y_true, Y_pred : array-like of shape (n_samples, n_labels)
        Reference and predicted indicator matrices (0/1 or booleans):
        ``Y[i, j]`` is 1 when sample ``i`` carries label ``j``.
    label_names : sequence of str of shape (n_labels,) or None, default=None
        The label of each column; ``None`` numbers them ``0 .. n_labels - 1``.

    Returns
    -------
    report : MultiLabelReport
        Subset accuracy, Hamming loss, micro / macro / sample-averaged
        precision, recall and F1, and the per-label table; Markdown and JSON
        with :meth:`MultiLabelReport.to_markdown` and
        :meth:`MultiLabelReport.to_json`.

    Raises
    ------
    ValueError
        If either matrix is not a 0/1 matrix, their shapes differ, or
        ``label_names`` does not name every column once.

    See Also
    --------
    evaluate : The report of single-label predictions.
    classical.datasets.load_multilabel : Images with their indicator matrix.

    Notes
    -----
    Micro averages pool the counts of all labels; macro averages take the
    mean of the per-label scores (every label, even one without reference
    samples, which then scores 0); sample averages take the mean over
    samples of each sample's precision, recall and F1 between its two label
    sets. See Tsoumakas et al. [1]_ for the definitions.

    References
    ----------
    .. [1] G. Tsoumakas, I. Katakis, I. Vlahavas, "Mining multi-label data",
       in Data Mining and Knowledge Discovery Handbook, Springer, 2010,
       pp. 667-685. :DOI:`10.1007/978-0-387-09823-4_34`
    """
    Y_true = _indicator(Y_true, "Y_true")
    Y_pred = _indicator(Y_pred, "Y_pred")
    if Y_true.shape != Y_pred.shape:
        raise ValueError(
            f"Y_true and Y_pred must have the same shape; got {Y_true.shape} and "
            f"{Y_pred.shape}. Predict with the model fitted on these labels, for "
            "every sample of Y_true.")
    n_labels = Y_true.shape[1]
    if label_names is None:
        label_names = [str(j) for j in range(n_labels)]
    label_names = [str(name) for name in label_names]
    if len(label_names) != n_labels or len(set(label_names)) != n_labels:
        raise ValueError(
            f"label_names must name each of the {n_labels} columns once; got "
            f"{len(label_names)} names, {len(set(label_names))} distinct. Pass "
            "the label_names of the data set the matrices come from.")
    return MultiLabelReport(Y_true, Y_pred, label_names)


def _precision_recall_f1(tp, n_pred, n_true):
    """Precision, recall and F1 from counts (arrays), 0 where undefined."""
    return (divide(tp, n_pred, 0.0), divide(tp, n_true, 0.0),
            divide(2 * tp, n_pred + n_true, 0.0))


class MultiLabelReport:
    """The scores of a multi-label prediction, rendered as Markdown or JSON.

    Build it with :func:`evaluate_multilabel`.

    Parameters
    ----------
    Y_true, Y_pred : ndarray of shape (n_samples, n_labels)
        Reference and predicted 0/1 indicator matrices.
    label_names : list of str of shape (n_labels,)
        The label of each column.

    Attributes
    ----------
    subset_accuracy : float
        Share of samples whose predicted label set is exactly the reference.
    hamming_loss : float
        Share of the ``n_samples * n_labels`` cells predicted wrongly.
    precision, recall, f1 : ndarray of shape (n_labels,)
        Per-label scores.
    support : ndarray of int64 of shape (n_labels,)
        Reference samples of each label.
    predicted : ndarray of int64 of shape (n_labels,)
        Samples predicted with each label.
    micro_precision, micro_recall, micro_f1, macro_precision, macro_recall,
    macro_f1, samples_precision, samples_recall, samples_f1 : float
        The averaged scores.
    """

    def __init__(self, Y_true, Y_pred, label_names):
        self.Y_true = Y_true
        self.Y_pred = Y_pred
        self.label_names = list(label_names)

    @property
    def n_samples(self):
        """Number of samples."""
        return self.Y_true.shape[0]

    @property
    def subset_accuracy(self):
        return float(np.mean((self.Y_true == self.Y_pred).all(axis=1)))

    @property
    def hamming_loss(self):
        return float(np.mean(self.Y_true != self.Y_pred))

    @cached_property
    def _per_label(self):
        tp = (self.Y_true & self.Y_pred).sum(axis=0, dtype=np.int64)
        return tp, self.predicted, self.support

    @property
    def support(self):
        return self.Y_true.sum(axis=0, dtype=np.int64)

    @property
    def predicted(self):
        return self.Y_pred.sum(axis=0, dtype=np.int64)

    @cached_property
    def _scores(self):
        """``{average: (precision, recall, f1)}`` and the per-label arrays."""
        per_label = _precision_recall_f1(*self._per_label)
        micro = _precision_recall_f1(*(np.sum(c) for c in self._per_label))
        rows = _precision_recall_f1(
            (self.Y_true & self.Y_pred).sum(axis=1, dtype=np.int64),
            self.Y_pred.sum(axis=1, dtype=np.int64),
            self.Y_true.sum(axis=1, dtype=np.int64))
        return {
            "label": per_label,
            "micro": tuple(float(s) for s in micro),
            "macro": tuple(float(np.mean(s)) for s in per_label),
            "samples": tuple(float(np.mean(s)) for s in rows),
        }

    precision = property(lambda self: self._scores["label"][0])
    recall = property(lambda self: self._scores["label"][1])
    f1 = property(lambda self: self._scores["label"][2])
    micro_precision = property(lambda self: self._scores["micro"][0])
    micro_recall = property(lambda self: self._scores["micro"][1])
    micro_f1 = property(lambda self: self._scores["micro"][2])
    macro_precision = property(lambda self: self._scores["macro"][0])
    macro_recall = property(lambda self: self._scores["macro"][1])
    macro_f1 = property(lambda self: self._scores["macro"][2])
    samples_precision = property(lambda self: self._scores["samples"][0])
    samples_recall = property(lambda self: self._scores["samples"][1])
    samples_f1 = property(lambda self: self._scores["samples"][2])

    def to_dict(self):
        """Return the report as plain Python types, ready for :func:`json.dumps`.

        Returns
        -------
        report : dict
            Keys ``n_samples``, ``subset_accuracy``, ``hamming_loss``,
            ``micro``, ``macro`` and ``samples`` (each ``{precision, recall,
            f1}``), ``per_label`` (label name → ``{precision, recall, f1,
            support, predicted}``) and ``label_names``.
        """
        averages = {
            average: dict(zip(("precision", "recall", "f1"),
                              map(_json_float, self._scores[average]), strict=True))
            for average in _AVERAGES
        }
        per_label = {
            name: {"precision": _json_float(self.precision[j]),
                   "recall": _json_float(self.recall[j]),
                   "f1": _json_float(self.f1[j]),
                   "support": int(self.support[j]),
                   "predicted": int(self.predicted[j])}
            for j, name in enumerate(self.label_names)
        }
        return {"n_samples": self.n_samples,
                "subset_accuracy": self.subset_accuracy,
                "hamming_loss": self.hamming_loss,
                **averages, "per_label": per_label,
                "label_names": list(self.label_names)}

    to_json = Report.to_json  # writes or returns json.dumps(self.to_dict())

    def to_markdown(self, *, digits=4):
        """Return a Markdown report: summary, averaged scores, per-label table.

        Parameters
        ----------
        digits : int, default=4
            Decimal places of the scores.

        Returns
        -------
        text : str
            Three GitHub-flavoured Markdown tables.
        """
        def fmt(value):
            return f"{value:.{digits}f}"

        summary = [("Samples", str(self.n_samples)), ("Labels", str(len(self.f1))),
                   ("Subset accuracy", fmt(self.subset_accuracy)),
                   ("Hamming loss", fmt(self.hamming_loss))]
        averaged = [(average.capitalize(), *map(fmt, self._scores[average]))
                    for average in _AVERAGES]
        per_label = [(markdown_cell(name), fmt(self.precision[j]), fmt(self.recall[j]),
                      fmt(self.f1[j]), str(self.support[j]), str(self.predicted[j]))
                     for j, name in enumerate(self.label_names)]
        lines = ["## Summary", "", *markdown_table(["Metric", "Value"], summary),
                 "", "## Averages", "",
                 *markdown_table(["Average", "Precision", "Recall", "F1"], averaged),
                 "", "## Per label", "",
                 *markdown_table(["Label", "Precision", "Recall", "F1", "Support",
                                  "Predicted"], per_label)]
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self):
        return self.to_markdown()
