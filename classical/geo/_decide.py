"""From a model's answer on pixel or tile rows to the codes of a class map.

The class map's codes are written once, here: ``1..K`` in the order of the
model's ``classes_``, ``0`` for nodata and the reject value of
:func:`~classical.geo._write.class_map_dtype` for a rejected pixel or tile.
"""

from numbers import Real

import numpy as np
from sklearn.pipeline import Pipeline

from ..classifiers import GaussianMLClassifier
from ._indices import SpectralIndices

__all__ = ["Decider", "check_decision_options"]


class Decider:
    """Turn rows into class-map codes, probabilities and top probabilities.

    Parameters
    ----------
    model : estimator
        The fitted model (pixel, spatial or image pipeline); its ``classes_``
        fix the codes and its last step decides whether its own reject rule
        applies.
    reject : float in (0, 1) or None
        Reject a row whose top class probability is below this.
    probabilities : bool
        Whether the per-class probabilities are wanted.
    confidence : bool, default=False
        Whether the top probability is wanted.

    Attributes
    ----------
    classes : ndarray of shape (K,)
        The model's ``classes_``.
    dtype : numpy.dtype
        The class map's dtype (uint8, or uint16 beyond 254 classes).
    reject_value : int
        The code of a rejected row.

    Notes
    -----
    When neither probabilities, a confidence nor ``reject`` are asked for,
    the class of a row is the model's own ``predict``, which is also the
    fast path (no probabilities are computed). Otherwise it is the argmax of
    ``predict_proba`` (ties go to the first class of ``classes_``), so that
    the map agrees with the probabilities written beside it; for most models
    the two are the same, for some they differ (an SVC with
    ``probability=True``). A model ending in a
    :class:`~classical.classifiers.GaussianMLClassifier` with a
    ``reject_threshold`` keeps its own reject rule: its ``predict`` decides,
    and ``unknown_label`` becomes the reject value. ``reject`` then applies
    on top of it: a row is rejected when either rule rejects it.

    A pipeline of a :class:`~classical.geo.SpectralIndices` step that adds no
    index, a step with an affine map (``weights_`` and ``offset_``, as
    :class:`~classical.geo.ClassSizePCA`) and a Gaussian maximum-likelihood
    classifier (``pixel-mlc`` on bands without known roles) predicts through
    :meth:`~classical.classifiers.GaussianMLClassifier.predict_projected`:
    one pass over the raw pixels, the same classes up to rounding.

    A row of features that are not all finite is treated as nodata, as no
    classifier can place it. Spatial steps leave nodata neighbours out of a
    valid pixel's window, so this is a safety net for user-written steps.
    """

    def __init__(self, model, *, reject=None, probabilities=False, confidence=False):
        from ._write import class_map_dtype

        self.classes = np.asarray(model.classes_)
        self.dtype, self.reject_value = class_map_dtype(len(self.classes))
        self.dtype = np.dtype(self.dtype)
        self._lookup = _code_lookup(self.classes, self.dtype, self.reject_value)
        self.reject = reject
        self.probabilities = probabilities
        final = model.steps[-1][1] if isinstance(model, Pipeline) else model
        self.own_rule = (isinstance(final, GaussianMLClassifier)
                         and final.reject_threshold is not None)
        self.use_proba = hasattr(model, "predict_proba") and (
            probabilities or confidence or reject is not None)

    def __call__(self, estimator, rows, valid):
        """Codes, probabilities and top probabilities of the rows, nodata included.

        Parameters
        ----------
        estimator : estimator
            What takes the rows: the model, or the part of a spatial model
            after its spatial step.
        rows : ndarray of shape (n_valid, F) or (n_valid, h, w[, B])
            The rows (pixels) or tiles of the valid positions only.
        valid : ndarray of bool of shape (n,)
            Which of the ``n`` positions hold data.

        Returns
        -------
        codes : ndarray of shape (n,)
            Class-map codes; 0 where ``valid`` is False.
        proba : ndarray of shape (n, K) of float32 or None
            Class probabilities (NaN at nodata), when asked for.
        top : ndarray of shape (n,) of float32 or None
            Top probability (NaN at nodata); None when no probabilities
            were computed.
        """
        if rows.ndim == 2 and rows.dtype.kind == "f":
            finite = np.isfinite(rows).all(axis=1)
            if not finite.all():  # features next to NaN nodata in a spatial window
                valid = valid.copy()
                valid[np.flatnonzero(valid)[~finite]] = False
                rows = rows[finite]
        n = valid.shape[0]
        codes = np.zeros(n, dtype=self.dtype)
        proba = top = None
        if self.use_proba:
            proba = np.full((n, len(self.classes)), np.nan, dtype=np.float32)
            top = np.full(n, np.nan)
        if len(rows):
            if self.use_proba:
                answer = estimator.predict_proba(rows)  # argmax before float32
                proba[valid] = answer
                top[valid] = answer.max(axis=1)
                codes[valid] = np.argmax(answer, axis=1) + 1
            if self.own_rule or not self.use_proba:
                codes[valid] = self._codes_of_labels(_predict(estimator, rows))
            if self.reject is not None:
                codes[valid & (top < self.reject)] = self.reject_value
        return (codes, proba if self.probabilities else None,
                None if top is None else top.astype(np.float32))

    def _codes_of_labels(self, labels):
        """Codes of predicted labels; a label not in ``classes_`` is rejected."""
        if self._lookup is not None and labels.dtype.kind in "iu":
            low, table = self._lookup
            offsets = labels.astype(np.int64) - low
            inside = (offsets >= 0) & (offsets < len(table))
            codes = table.take(np.where(inside, offsets, 0))
            codes[~inside] = self.reject_value
            return codes
        position = {label: code for code, label in enumerate(self.classes.tolist(), 1)}
        if labels.dtype == object:  # mixed types (int classes, 'unknown'): no sort
            return np.fromiter((position.get(label, self.reject_value)
                                for label in labels.tolist()),
                               dtype=self.dtype, count=len(labels))
        unique, inverse = np.unique(labels, return_inverse=True)
        table = np.array([position.get(label, self.reject_value)
                          for label in unique.tolist()], dtype=self.dtype)
        return table[inverse.ravel()]


def check_decision_options(model, *, reject=None, probabilities=False,
                           confidence=False):
    """Check ``reject`` and that the options asking for probabilities can have them.

    Parameters
    ----------
    model : estimator
        The fitted model.
    reject : float or None, default=None
        Must be in (0, 1) or None.
    probabilities, confidence : bool, default=False
        Whether the per-class or the top probabilities are asked for.

    Raises
    ------
    ValueError
        If ``reject`` is out of range, or an option needs ``predict_proba``
        and the model has none.
    """
    if reject is not None and (isinstance(reject, bool) or not isinstance(reject, Real)
                               or not 0 < reject < 1):
        raise ValueError(
            f"reject must be a probability threshold in (0, 1) or None; got "
            f"{reject!r}. E.g. reject=0.5 rejects pixels whose top class "
            f"probability is below one half.")
    needs = [name for name, asked in (("reject", reject is not None),
                                      ("probabilities", probabilities),
                                      ("confidence", confidence)) if asked]
    if needs and not hasattr(model, "predict_proba"):
        raise ValueError(
            f"{' and '.join(needs)} need a model with predict_proba; "
            f"{type(model).__name__} has none. Use a probabilistic classifier "
            f"(e.g. SVC(probability=True)) or drop {needs[0]}.")


def _code_lookup(classes, dtype, reject_value):
    """``(low, table)`` with ``table[label - low]`` the code of an integer label.

    Only for integer classes spanning at most 65,536 values (class ids, as
    from a label raster); None otherwise. Values in the span that are not
    classes map to the reject value.
    """
    if classes.dtype.kind not in "iu" or not len(classes):
        return None
    low, high = int(classes.min()), int(classes.max())
    if high - low >= 2**16:
        return None
    table = np.full(high - low + 1, reject_value, dtype=dtype)
    table[classes.astype(np.int64) - low] = np.arange(1, len(classes) + 1)
    return low, table


def _predict(estimator, rows):
    """``estimator.predict(rows)``, in one kernel pass where the pipeline allows."""
    steps = [step for _, step in getattr(estimator, "steps", ())
             if step not in (None, "passthrough")]
    if (len(steps) == 3 and isinstance(steps[0], SpectralIndices)
            and not steps[0].indices_ and hasattr(steps[1], "weights_")
            and isinstance(steps[2], GaussianMLClassifier)):
        return steps[2].predict_projected(rows, steps[1].weights_, steps[1].offset_)
    return estimator.predict(rows)
