"""Gaussian maximum likelihood on Statlog Landsat, beside scikit-learn's QDA.

Protocol: the UCI split (4,435 training and 2,000 test pixels), all 36
features (a 3 x 3 neighbourhood of four Landsat MSS bands), no tuning on the
test set. Our model uses its defaults: equal priors (the remote-sensing
maximum-likelihood classifier) and ``reg_param=0.01`` (shrinkage toward
``trace / n_features * I``). The StatLog project reported 0.845 accuracy for
its quadratic discriminant (Michie, Spiegelhalter and Taylor, 1994).

Run ``python -m benchmarks.accuracy.statlog``; it prints a Markdown table.
"""

import time

import numpy as np
from sklearn.base import clone
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.metrics import accuracy_score, cohen_kappa_score

from classical.classifiers import GaussianMLClassifier

from .._timing import SHARED_DATA, markdown_table

DATA = SHARED_DATA / "statlog_landsat" / "statlog_landsat.npz"
STATLOG_QDA_ACCURACY = 0.845
COLUMNS = ["model", "settings", "accuracy", "kappa", "fit s", "predict s"]


def load():
    """Return ``X_train, y_train, X_test, y_test`` of the UCI split."""
    data = np.load(DATA)
    return data["X_train"], data["y_train"], data["X_test"], data["y_test"]


def score(model, data=None):
    """Fit on the training split, predict the test split and time both (warm:
    a first untimed run pays for imports and kernel compilation)."""
    X_train, y_train, X_test, y_test = load() if data is None else data
    clone(model).fit(X_train, y_train).predict(X_test)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(X_test)
    predict_s = time.perf_counter() - start
    return {"accuracy": accuracy_score(y_test, predicted),
            "kappa": cohen_kappa_score(y_test, predicted),
            "fit_s": fit_s, "predict_s": predict_s}


def run():
    """Score ``GaussianMLClassifier()`` with its defaults.

    Returns
    -------
    row : dict
        ``dataset``, ``model``, ``accuracy``, ``kappa``, ``fit_s`` and
        ``predict_s``.
    """
    row = score(GaussianMLClassifier())
    return {"dataset": "Statlog Landsat", "model": "GaussianMLClassifier()", **row}


def comparison():
    """Ours with its defaults and with QDA's settings, and QDA itself."""
    data = load()
    equal = np.full(6, 1 / 6)
    models = [
        ("GaussianMLClassifier", "defaults: priors='equal', reg_param=0.01",
         GaussianMLClassifier()),
        ("GaussianMLClassifier", "priors='empirical', reg_param=0",
         GaussianMLClassifier(priors="empirical", reg_param=0.0)),
        ("QuadraticDiscriminantAnalysis", "defaults: empirical priors, reg_param=0",
         QuadraticDiscriminantAnalysis()),
        ("QuadraticDiscriminantAnalysis", "equal priors",
         QuadraticDiscriminantAnalysis(priors=equal)),
    ]
    rows = []
    for name, settings, model in models:
        row = score(model, data)
        rows.append({"model": name, "settings": settings, "accuracy": row["accuracy"],
                     "kappa": row["kappa"], "fit s": row["fit_s"],
                     "predict s": row["predict_s"]})
    rows.append({"model": "StatLog project's quadratic discriminant (1994)",
                 "settings": "published", "accuracy": STATLOG_QDA_ACCURACY,
                 "kappa": float("nan"), "fit s": float("nan"),
                 "predict s": float("nan")})
    return rows


if __name__ == "__main__":
    print(markdown_table(comparison(), COLUMNS))
