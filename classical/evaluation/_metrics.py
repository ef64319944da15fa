"""Metric arithmetic: labels to a confusion matrix, a confusion matrix to scores.

Everything here works on plain arrays; :class:`~classical.evaluation.Report`
holds the results and renders them. Where scikit-learn computes a number
with our convention it does the work: its label-based functions are given
one weighted sample per cell of the confusion matrix (reference row, predicted
column, weight = count), which yields the same numbers as the samples
themselves, so a matrix accumulated window by window over a raster is scored
exactly as the labels would be.
"""

import numbers

import numpy as np
from sklearn.metrics import (
    cohen_kappa_score,
    confusion_matrix,
    precision_recall_fscore_support,
)

__all__ = [
    "check_confusion_matrix",
    "cohen_kappa",
    "confusion_from_labels",
    "divide",
    "normalized_confusion",
    "per_class_scores",
]

_NORMALIZE_OPTIONS = (None, "true", "pred", "all")
_MAX_LISTED = 10


# ---------------------------------------------------------- labels -> matrix
def confusion_from_labels(y_true, y_pred, labels=None):
    """Count reference/predicted label pairs.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Reference and predicted labels; any hashable values, numbers and
        strings mixed if need be.
    labels : array-like of shape (n_labels,) or None, default=None
        Row and column order; ``None`` means the sorted union of the values
        present (numbers before strings when both occur).

    Returns
    -------
    matrix : ndarray of int64 of shape (n_labels, n_labels)
        ``matrix[i, j]`` counts the samples of ``labels[i]`` predicted as
        ``labels[j]``.
    labels : list
        The labels as plain Python values.
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

    # Counting codes rather than values keeps mixed label types (integer
    # classes with a string reject label) out of scikit-learn's type checks.
    n_labels = len(labels)
    flat = true_index[true_codes] * n_labels + pred_index[pred_codes]
    matrix = np.bincount(flat, minlength=n_labels * n_labels)
    return matrix.reshape(n_labels, n_labels).astype(np.int64), labels


def check_confusion_matrix(matrix, labels):
    """Validate a confusion matrix and its labels.

    Parameters
    ----------
    matrix : array-like of shape (n_labels, n_labels)
        Non-negative whole-number counts, not all zero.
    labels : array-like of shape (n_labels,)
        The label of each row and column.

    Returns
    -------
    matrix : ndarray of int64 of shape (n_labels, n_labels)
        The counts, read-only.
    labels : list
        The labels as plain Python values.
    """
    matrix = np.asarray(matrix)
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
        raise ValueError("confusion_matrix is all zeros; there is nothing to assess.")
    matrix = matrix.astype(np.int64)
    matrix.flags.writeable = False
    return matrix, labels


# ---------------------------------------------------------- matrix -> scores
def _from_cells(metric, matrix, **kwargs):
    """Call a label-based scikit-learn metric with one weighted sample per cell."""
    rows, columns = np.nonzero(matrix)
    return metric(rows, columns, labels=np.arange(matrix.shape[0]),
                  sample_weight=matrix[rows, columns].astype(np.float64), **kwargs)


def per_class_scores(matrix):
    """Precision, recall and F1 of each label, 0 where undefined.

    Parameters
    ----------
    matrix : ndarray of shape (n_labels, n_labels)
        Counts, rows = reference, columns = predicted.

    Returns
    -------
    precision, recall, f1 : ndarray of shape (n_labels,)
        :func:`sklearn.metrics.precision_recall_fscore_support` with
        ``zero_division=0``.
    """
    precision, recall, f1, _ = _from_cells(precision_recall_fscore_support, matrix,
                                           zero_division=0)
    return precision, recall, f1


def cohen_kappa(matrix):
    """Cohen's kappa of a confusion matrix, NaN when undefined.

    Parameters
    ----------
    matrix : ndarray of shape (n_labels, n_labels)
        Counts, rows = reference, columns = predicted.

    Returns
    -------
    kappa : float
        :func:`sklearn.metrics.cohen_kappa_score`. It is undefined (NaN, as
        scikit-learn's default) when chance predicts no disagreement, that
        is when the reference and the predictions use one and the same label.
    """
    used = matrix.sum(axis=0) + matrix.sum(axis=1)
    if np.count_nonzero(used) == 1:
        return float("nan")
    return float(_from_cells(cohen_kappa_score, matrix))


def normalized_confusion(matrix, normalize):
    """The confusion matrix divided by its row, column or total sums.

    Parameters
    ----------
    matrix : ndarray of shape (n_labels, n_labels)
        Counts, rows = reference, columns = predicted.
    normalize : {'true', 'pred', 'all'} or None
        As :func:`sklearn.metrics.confusion_matrix`, which computes it; rows
        or columns without samples become 0. ``None`` returns a copy of the
        counts.

    Returns
    -------
    matrix : ndarray of shape (n_labels, n_labels)
        Counts (int64), or proportions (float64) when normalised.
    """
    if normalize not in _NORMALIZE_OPTIONS:
        raise ValueError(
            f"normalize must be one of {list(_NORMALIZE_OPTIONS)}; got {normalize!r}."
        )
    if normalize is None:
        return matrix.copy()
    return _from_cells(confusion_matrix, matrix, normalize=normalize)


def divide(numerator, denominator, undefined):
    """Element-wise ``numerator / denominator``, ``undefined`` where it is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), undefined)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


# ------------------------------------------------------------------- labels
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
    """Sort labels; numbers before strings before anything else when mixed.

    Parameters
    ----------
    values : iterable
        Distinct labels.

    Returns
    -------
    labels : list
        ``sorted(values)`` when the values compare with each other, else
        numbers (by value), then strings, then other values by their text,
        so a string reject label such as ``"unknown"`` lands after integer
        classes.
    """
    try:
        return sorted(values)
    except TypeError:
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
