"""Learning curves in images per class: how a model's score grows with labels.

A learning curve plots a model's score on a fixed test set against the size of
its training set [1]_. For the question "how many labelled images do I need?"
the size that matters is the number *per class*, so the training sets here
are drawn class by class: ``k`` images of every class (all of a class's
images when it has fewer), several times at random, and the model is fitted
on each draw and scored on the same test images. The spread over the draws
says how much the score depends on *which* few images were labelled, which
at one or five images a class is often as large as the gap between two
models.

References
----------
.. [1] T. Viering and M. Loog, "The shape of learning curves: a review",
   IEEE Transactions on Pattern Analysis and Machine Intelligence, 45(6),
   7799-7819, 2023. :DOI:`10.1109/TPAMI.2022.3220744`
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import accuracy_score, balanced_accuracy_score, cohen_kappa_score
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _num_samples

from ..utils._docstring import RANDOM_STATE_DOC, Substitution
from ._metrics import _as_label_vector

__all__ = ["learning_curve_per_class", "plot_learning_curves"]

_SCORERS = {"accuracy": accuracy_score, "balanced_accuracy": balanced_accuracy_score,
            "kappa": cohen_kappa_score}


def _check_sizes(sizes):
    """``sizes`` as a 1-D array of positive ints, or a ValueError saying why not."""
    array = np.asarray(sizes)
    if array.ndim != 1 or array.size == 0 or array.dtype.kind not in "iu" \
            or np.any(array < 1):
        raise ValueError(
            f"sizes must be a non-empty 1-D sequence of ints >= 1 (images per "
            f"class); got {sizes!r}. Pass e.g. sizes=(1, 5, 10, 20, 50).")
    return array.astype(np.intp)


def _check_pair(X, y, name):
    """The labels of ``X`` as a vector of the same length, or a ValueError."""
    y = _as_label_vector(y, f"y_{name}")
    n_samples = _num_samples(X)
    if n_samples != y.shape[0]:
        raise ValueError(
            f"X_{name} and y_{name} must have the same length; got {n_samples} "
            f"images and {y.shape[0]} labels. Pass one label per image.")
    if n_samples == 0:
        raise ValueError(f"X_{name} is empty; pass at least one image.")
    return y


def _score(scoring, y_true, y_pred):
    if callable(scoring):
        return float(scoring(y_true, y_pred))
    return float(_SCORERS[scoring](y_true, y_pred))


@Substitution(random_state=RANDOM_STATE_DOC)
@validate_params(
    {"estimator": [HasMethods(["fit", "predict"])], "X_train": ["array-like"],
     "y_train": ["array-like"], "X_test": ["array-like"], "y_test": ["array-like"],
     "sizes": ["array-like"], "n_draws": [Interval(Integral, 1, None, closed="left")],
     "scoring": [StrOptions(set(_SCORERS)), callable], "random_state": ["random_state"],
     "error_score": [StrOptions({"raise"}), Real]},
    prefer_skip_nested_validation=False)
def learning_curve_per_class(estimator, X_train, y_train, X_test, y_test, *,
                             sizes=(1, 5, 10, 20, 50), n_draws=5, scoring="accuracy",
                             random_state=None, error_score="raise"):
    """Score a model trained on ``k`` images per class, for several ``k`` and draws.

    For each draw, every class's training images are put in a random order
    once; the training set of size ``k`` is then the first ``min(k, n_c)``
    images of every class ``c`` (so within a draw the sets are nested: the
    5-image set holds the 1-image set). A clone of ``estimator`` is fitted on
    each set and scored on ``(X_test, y_test)``, which never changes.

    Parameters
    ----------
    estimator : estimator object
        Anything with ``fit`` and ``predict``: a preset of
        :func:`classical.make_pipeline`, or only its classifier when
        ``X_train`` and ``X_test`` already hold features (see Notes).
    X_train : array-like of shape (n_train, ...) or list of images
        The pool the training sets are drawn from: images of shape
        ``(H, W[, C])`` (a list when their sizes differ) or feature rows.
    y_train : array-like of shape (n_train,)
        Class of each training image.
    X_test : array-like of shape (n_test, ...) or list of images
        The fixed test set, in the same form as ``X_train``.
    y_test : array-like of shape (n_test,)
        Reference class of each test image.
    sizes : array-like of int, default=(1, 5, 10, 20, 50)
        Training images per class. A size above the largest class is lowered
        to it; sizes that become equal are kept once.
    n_draws : int, default=5
        Random training sets per size. A size that takes every training image
        of every class has only one possible set and is fitted once.
    scoring : {'accuracy', 'balanced_accuracy', 'kappa'} or callable, \
default='accuracy'
        The score on the test set; a callable is called as
        ``scoring(y_test, y_pred)`` and returns a float. ``'kappa'`` is
        Cohen's kappa.
    {random_state}
    error_score : 'raise' or float, default='raise'
        What to record when a fit or prediction raises (some models need more
        than one image per class): ``'raise'`` lets the error through; a
        number is recorded as the score and a
        :class:`~sklearn.exceptions.FitFailedWarning` names the size and the
        error.

    Returns
    -------
    curve : dict
        ``'sizes'``: ndarray of int of shape (n_sizes,), the images per class
        asked for after capping, increasing; ``'n_train'``: ndarray of int of
        shape (n_sizes,), the training images each set holds;
        ``'scores'``: ndarray of shape (n_sizes, n_draws), the test score of
        every fit, NaN for the draws a full set does not need;
        ``'fit_seconds'``: ndarray of the same shape, wall seconds of each
        ``fit``; ``'n_draws'``: ndarray of int of shape (n_sizes,), the draws
        fitted; ``'mean'`` and ``'std'``: ndarrays of shape (n_sizes,), the
        mean and sample standard deviation (``ddof=1``; 0 for one draw) of
        the scores fitted; ``'scoring'``: the scoring's name.

    Raises
    ------
    ValueError
        If ``sizes`` is not a sequence of positive ints, or an ``X`` and its
        ``y`` differ in length or are empty.

    See Also
    --------
    plot_learning_curves : Draw one or more of these curves.
    sklearn.model_selection.learning_curve : The same idea with training
        sizes as shares of the whole set and cross-validated scores.

    Notes
    -----
    The random numbers are drawn in this order: for each draw, for each class
    in sorted label order, one ``permutation`` of that class's positions in
    ``X_train`` (a :class:`numpy.random.RandomState` from
    :func:`sklearn.utils.check_random_state`). A training set lists its
    images in their order in ``X_train``.

    Fitting a whole pipeline on every draw repeats the feature extraction of
    the test images each time. When the first steps learn nothing from the
    training images (a frozen deep network, or histogram and LBP
    descriptors, as opposed to a visual vocabulary, a PCA or a scaler),
    compute their features once and pass the features with only the
    remaining steps as ``estimator``: the scores are the same and the cost is
    that of the classifier alone.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from classical.evaluation import learning_curve_per_class
    >>> X, y = load_digits(return_X_y=True)
    >>> curve = learning_curve_per_class(
    ...     LogisticRegression(max_iter=2000), X[:1000], y[:1000], X[1000:],
    ...     y[1000:], sizes=(1, 10), n_draws=3, random_state=0)
    >>> curve["n_train"].tolist()
    [10, 100]
    >>> bool(curve["mean"][1] > curve["mean"][0])
    True
    """
    y_train = _check_pair(X_train, y_train, "train")
    y_test = _check_pair(X_test, y_test, "test")
    classes, counts = np.unique(y_train, return_counts=True)
    sizes = np.unique(np.minimum(_check_sizes(sizes), counts.max()))
    rng = check_random_state(random_state)
    orders = [[rng.permutation(np.flatnonzero(y_train == label)) for label in classes]
              for _ in range(n_draws)]

    shape = (sizes.size, n_draws)
    scores, seconds = np.full(shape, np.nan), np.full(shape, np.nan)
    fitted_draws = np.where(sizes >= counts.max(), 1, n_draws)
    for i, size in enumerate(sizes):
        for draw in range(fitted_draws[i]):
            rows = np.sort(np.concatenate([order[:size] for order in orders[draw]]))
            scores[i, draw], seconds[i, draw] = _fit_and_score(
                estimator, _safe_indexing(X_train, rows), y_train[rows], X_test,
                y_test, scoring, error_score, f"{size} images per class, draw {draw}")
    fitted = [row[:n] for row, n in zip(scores, fitted_draws)]
    return {"sizes": sizes, "n_train": np.minimum(sizes[:, None], counts).sum(axis=1),
            "scores": scores, "fit_seconds": seconds, "n_draws": fitted_draws,
            "mean": np.array([np.mean(row) for row in fitted]),
            "std": np.array([np.std(row, ddof=1) if row.size > 1 else 0.0
                             for row in fitted]),
            "scoring": getattr(scoring, "__name__", str(scoring))}


def _fit_and_score(estimator, X, y, X_test, y_test, scoring, error_score, where):
    """Test score and fit seconds of a clone of ``estimator`` fitted on ``X, y``."""
    model = clone(estimator)
    start = time.perf_counter()
    try:
        model.fit(X, y)
        seconds = time.perf_counter() - start
        return _score(scoring, y_test, model.predict(X_test)), seconds
    except Exception as error:
        if error_score == "raise":
            raise
        warnings.warn(f"Fitting or scoring at {where} failed and is recorded as "
                      f"{error_score}: {type(error).__name__}: {error}",
                      FitFailedWarning, stacklevel=4)
        return float(error_score), time.perf_counter() - start


def plot_learning_curves(curves, *, ax=None, band=True):
    """Draw learning curves: mean score against images per class, with spread.

    Parameters
    ----------
    curves : dict of str to dict, or dict
        Results of :func:`learning_curve_per_class` by legend label (one line
        each), or one result (drawn without a legend).
    ax : matplotlib.axes.Axes, default=None
        Where to draw; ``None`` makes a new figure. Draw each dataset on its
        own ``ax`` to compare several.
    band : bool, default=True
        Shade one standard deviation of the draws either side of the mean
        (sizes fitted once have none).

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` is the figure).

    Raises
    ------
    ValueError
        If ``curves`` is empty or a value is not a learning-curve result.

    Notes
    -----
    The horizontal axis is logarithmic (images per class), with a tick at
    every size drawn; the vertical axis is the curves' scoring.
    """
    single = isinstance(curves, dict) and "mean" in curves
    named = {"": curves} if single else curves
    if not isinstance(named, dict) or not named:
        raise ValueError("curves must be a learning_curve_per_class result or a "
                         "non-empty dict of them by label; got "
                         f"{type(curves).__name__} {curves!r:.60}.")
    for label, curve in named.items():
        if not isinstance(curve, dict) or not {"sizes", "mean", "std"} <= set(curve):
            raise ValueError(f"curves[{label!r}] is not a learning_curve_per_class "
                             "result (a dict with 'sizes', 'mean' and 'std'); pass "
                             "what that function returned.")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5.0, 4.0))
    ticks = set()
    for label, curve in named.items():
        sizes, mean, std = (np.asarray(curve[key], dtype=float)
                            for key in ("sizes", "mean", "std"))
        line, = ax.plot(sizes, mean, marker="o", label=label or None)
        if band:
            ax.fill_between(sizes, mean - std, mean + std, color=line.get_color(),
                            alpha=0.2, linewidth=0)
        ticks.update(sizes.tolist())
    ax.set_xscale("log")
    ax.set_xticks(sorted(ticks), [f"{t:g}" for t in sorted(ticks)])
    ax.minorticks_off()
    scoring = next(iter(named.values())).get("scoring", "score")
    ax.set(xlabel="Training images per class", ylabel=str(scoring).replace("_", " "))
    if not single:
        ax.legend(loc="lower right")
    return ax
