"""Accuracy assessment of a classification: metrics, confusion matrix, reports, plots.

:func:`evaluate` compares reference labels with predictions and returns a
:class:`Report`. Everything in the report is computed from one confusion
matrix, so a report can also be built directly from a matrix (for example one
accumulated window by window over a raster): ``Report(matrix, labels)``.

Conventions
-----------
- The confusion matrix has the reference ("true") labels in rows and the
  predicted labels in columns, both in ``labels`` order; ``C[i, j]`` counts the
  samples of class ``labels[i]`` predicted as ``labels[j]``.
- Divisions by zero give 0 in per-class precision, recall and F1, as
  scikit-learn's ``zero_division=0``. Producer's and user's accuracies are
  NaN when undefined (no reference sample, or never predicted), because a
  remote-sensing accuracy table must not show an undefined accuracy as 0.
- Macro averages and balanced accuracy run over the *assessed* classes, the
  labels with at least one reference sample. A label that occurs only in
  ``y_pred`` (a reject label such as ``"unknown"`` or ``-1``) or only in a
  user's ``labels`` is a column of the confusion matrix and its predictions
  count as errors, but it is not averaged in as a class with recall 0. When
  every label occurs in ``y_true`` (the usual case) the macro scores equal
  scikit-learn's with the same ``labels``; otherwise they equal
  scikit-learn's with ``labels`` restricted to the assessed classes, and the
  balanced accuracy equals :func:`sklearn.metrics.balanced_accuracy_score`,
  which drops such labels too.
"""

import json
import numbers
from functools import cached_property
from pathlib import Path

import numpy as np

__all__ = ["Report", "evaluate"]

_NORMALIZE_OPTIONS = (None, "true", "pred", "all")
_MAX_LISTED = 10


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
    ``labels`` and ``zero_division=0``) where scikit-learn computes it. Macro
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
    y_true = _as_label_vector(y_true, "y_true")
    y_pred = _as_label_vector(y_pred, "y_pred")
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            "y_true and y_pred must have the same length; got "
            f"{y_true.shape[0]} and {y_pred.shape[0]} samples. Pass one "
            "prediction per reference label."
        )
    if y_true.shape[0] == 0:
        raise ValueError(
            "y_true and y_pred are empty; evaluate needs at least one sample."
        )
    true_values, true_codes = _encode(y_true)
    pred_values, pred_codes = _encode(y_pred)
    present = list(dict.fromkeys(true_values + pred_values))
    _check_no_stringified_numbers(present)

    if labels is None:
        labels = _sorted_labels(present)
    else:
        labels = _check_labels(labels, present)
    index = {label: i for i, label in enumerate(labels)}
    true_index = np.array([index[v] for v in true_values], dtype=np.intp)
    pred_index = np.array([index[v] for v in pred_values], dtype=np.intp)

    n_labels = len(labels)
    flat = true_index[true_codes] * n_labels + pred_index[pred_codes]
    matrix = np.bincount(flat, minlength=n_labels * n_labels)
    return Report(matrix.reshape(n_labels, n_labels), labels)


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
        matrix = np.asarray(confusion_matrix)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
            raise ValueError(
                "confusion_matrix must be a non-empty square 2-D array; got "
                f"shape {matrix.shape}."
            )
        if not (np.issubdtype(matrix.dtype, np.integer) or matrix.dtype == np.bool_):
            if not np.issubdtype(matrix.dtype, np.floating) or not np.all(
                np.isfinite(matrix) & (matrix == np.round(matrix))
            ):
                raise TypeError(
                    "confusion_matrix must hold whole-number counts; got dtype "
                    f"{matrix.dtype}. Build it with np.bincount or evaluate()."
                )
        if np.any(matrix < 0):
            raise ValueError("confusion_matrix must not contain negative counts.")
        labels = [_native(label) for label in np.asarray(labels, dtype=object).ravel()]
        if len(labels) != matrix.shape[0]:
            raise ValueError(
                f"labels must have one entry per row of confusion_matrix; got "
                f"{len(labels)} labels for a {matrix.shape[0]}x{matrix.shape[1]} "
                "matrix."
            )
        if matrix.sum() == 0:
            raise ValueError(
                "confusion_matrix is all zeros; there is nothing to assess."
            )
        self.labels = labels
        self.confusion_matrix = matrix.astype(np.int64)
        self.confusion_matrix.flags.writeable = False

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
    def precision(self):
        return _divide(self._diagonal, self._predicted, 0.0)

    @cached_property
    def recall(self):
        return _divide(self._diagonal, self.support, 0.0)

    @cached_property
    def f1(self):
        # 2 tp / (2 tp + fp + fn), the form scikit-learn uses.
        return _divide(2.0 * self._diagonal, self.support + self._predicted, 0.0)

    @cached_property
    def producers_accuracy(self):
        return _divide(self._diagonal, self.support, np.nan)

    @cached_property
    def users_accuracy(self):
        return _divide(self._diagonal, self._predicted, np.nan)

    # ---------------------------------------------------------------- summary
    @cached_property
    def accuracy(self):
        return float(self._diagonal.sum() / self.n_samples)

    @cached_property
    def balanced_accuracy(self):
        return self.macro_recall

    @cached_property
    def kappa(self):
        # Cohen's kappa written as scikit-learn's cohen_kappa_score does:
        # 1 - (observed disagreement) / (disagreement expected by chance).
        counts = self.confusion_matrix.astype(np.float64)
        expected = np.outer(self.support, self._predicted) / counts.sum()
        off_diagonal = ~np.eye(len(self.labels), dtype=bool)
        chance = expected[off_diagonal].sum()
        if chance == 0:
            return float("nan")
        return float(1.0 - counts[off_diagonal].sum() / chance)

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
        _check_normalize(normalize)
        counts = self.confusion_matrix
        if normalize is None:
            return counts.copy()
        if normalize == "true":
            totals = counts.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            totals = counts.sum(axis=0, keepdims=True)
        else:
            totals = counts.sum()
        totals = np.broadcast_to(totals, counts.shape)
        return _divide(counts.astype(np.float64), totals, 0.0)

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
        """
        matrix = self.confusion(normalize)
        if ax is None:
            import matplotlib.pyplot as plt

            size = 2.0 + 0.6 * len(self.labels)
            _, ax = plt.subplots(figsize=(size + 1.0, size))
        vmax = 1.0 if normalize is not None else max(int(matrix.max()), 1)
        image = ax.imshow(matrix, cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
        ax.figure.colorbar(image, ax=ax)
        names = [str(label) for label in self.labels]
        ticks = np.arange(len(names))
        ax.set_xticks(ticks, labels=names, rotation=45, ha="right")
        ax.set_yticks(ticks, labels=names)
        ax.set_xlabel("Predicted label")
        ax.set_ylabel("Reference label")
        if values:
            text = "{:d}" if normalize is None else "{:.2f}"
            for (i, j), value in np.ndenumerate(matrix):
                background = image.cmap(image.norm(value))
                ax.text(j, i, text.format(value), ha="center", va="center",
                        color=_contrasting(background))
        return ax

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
        from matplotlib.figure import Figure

        if "ax" in kwargs:
            raise TypeError(
                "save_confusion draws on its own figure and takes no 'ax'; use "
                "plot_confusion(ax=...) and save that figure instead."
            )
        size = 2.0 + 0.6 * len(self.labels)
        figure = Figure(figsize=(size + 1.0, size), layout="constrained")
        self.plot_confusion(ax=figure.add_subplot(), **kwargs)
        path = Path(path)
        figure.savefig(path, dpi=dpi)
        return path

    def __repr__(self):
        return (
            f"Report(n_samples={self.n_samples}, n_labels={len(self.labels)}, "
            f"accuracy={self.accuracy:.4f}, macro_f1={self.macro_f1:.4f}, "
            f"kappa={self.kappa:.4f})"
        )


# --------------------------------------------------------------------- helpers
def _as_label_vector(y, name):
    array = np.asarray(y)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array of labels of shape (n_samples,); got shape "
            f"{array.shape}. Flatten class maps with np.ravel({name})."
        )
    if array.dtype.kind in "fc" and np.isnan(array).any():
        raise ValueError(
            f"{name} contains NaN; every sample needs a label. Drop unlabelled "
            "samples or give them a reject label such as -1."
        )
    return array


def _encode(array):
    """Return the distinct values (plain Python) and each sample's index into them."""
    try:
        values, codes = np.unique(array, return_inverse=True)
    except TypeError:  # object array mixing types that do not sort together
        lookup = {}
        codes = np.fromiter(
            (lookup.setdefault(_native(v), len(lookup)) for v in array),
            dtype=np.intp, count=array.shape[0],
        )
        return list(lookup), codes
    values = [_native(v) for v in values]
    if len(set(values)) != len(values):  # e.g. 1 and 1.0 in one object array
        merged = {}
        remap = np.array([merged.setdefault(v, len(merged)) for v in values],
                         dtype=np.intp)
        return list(merged), remap[codes.ravel()]
    return values, codes.ravel()


def _native(value):
    return value.item() if isinstance(value, np.generic) else value


def _is_number(value):
    return isinstance(value, numbers.Number) and not isinstance(value, complex)


def _sorted_labels(values):
    try:
        return sorted(values)
    except TypeError:
        # Numbers, then strings, then anything else by its text: a string
        # reject label such as "unknown" lands after integer classes.
        def key(value):
            if _is_number(value):
                return (0, value, "")
            if isinstance(value, str):
                return (1, 0, value)
            return (2, 0, str(value))

        return sorted(values, key=key)


def _check_no_stringified_numbers(values):
    numbers_as_text = {
        str(v): v for v in values if _is_number(v) and not isinstance(v, bool)
    }
    clashes = [(s, numbers_as_text[s]) for s in values
               if isinstance(s, str) and s in numbers_as_text]
    if clashes:
        text, number = clashes[0]
        raise ValueError(
            f"y_true and y_pred mix the string {text!r} with the number {number!r}; "
            "one of them was probably converted to strings (np.array mixing numbers "
            "and strings does this). Give both arrays the same label type."
        )


def _check_labels(labels, present):
    given = np.asarray(labels, dtype=object)
    if given.ndim != 1 or given.shape[0] == 0:
        raise ValueError(
            f"labels must be a non-empty 1-D sequence; got shape {given.shape}."
        )
    labels = [_native(v) for v in given]
    if len(set(labels)) != len(labels):
        seen, repeated = set(), []
        for label in labels:
            if label in seen:
                repeated.append(label)
            seen.add(label)
        raise ValueError(f"labels must not repeat a label; repeated: {repeated}.")
    known = set(labels)
    missing = [v for v in present if v not in known]
    if missing:
        shown = _sorted_labels(missing)[:_MAX_LISTED]
        extra = len(missing) - _MAX_LISTED
        more = f" and {extra} more" if extra > 0 else ""
        raise ValueError(
            f"labels must contain every value of y_true and y_pred; missing "
            f"{shown}{more}. Add them to labels (a reject label too), or pass "
            "labels=None to use the sorted union."
        )
    return labels


def _check_normalize(normalize):
    if normalize not in _NORMALIZE_OPTIONS:
        raise ValueError(
            f"normalize must be one of {list(_NORMALIZE_OPTIONS)}; got {normalize!r}."
        )


def _divide(numerator, denominator, undefined):
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), undefined)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _json_float(value):
    value = float(value)
    return None if np.isnan(value) else value


def _by_label(keys, values):
    return {key: _json_float(value) for key, value in zip(keys, values)}


def _json_label(label):
    if isinstance(label, (str, int, float, bool)) or label is None:
        return label
    return str(label)


def _markdown_cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _contrasting(rgba):
    """Black or white, whichever reads better on the colour ``rgba``."""
    red, green, blue = rgba[:3]
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"
