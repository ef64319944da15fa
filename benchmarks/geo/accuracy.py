"""Per-pixel accuracy of the pixel presets beside SPy's GaussianClassifier and QDA.

Every model is scored on the splits of :mod:`.data`: overall accuracy (OA),
Cohen's kappa, and producer's / user's accuracy (PA / UA) of each class, from
:func:`classical.evaluate`. On the Landsat 7 folds OA and kappa are the mean
and standard deviation over the 5 folds, and PA / UA come from the 5 test
confusion matrices summed (each labelled pixel is tested exactly once; a
per-fold PA of urban is undefined in the three folds that test no urban pixel).

Models
------
``pixel-mlc``, ``pixel-svm``, ``pixel-rf``
    ``classical.make_pipeline(name)`` fitted on the training pixels' rows,
    predicting the test pixels' rows.
``pixel-texture-rf``
    Spatial: ``classical.geo.fit_raster`` on the whole image with only the
    training pixels labelled, ``classical.geo.classify_raster(model, image,
    None)`` on the whole image, scored on the test pixels. Its predict time is
    the whole image's. Not run on Statlog, whose rows are 3 x 3
    neighbourhoods of scattered pixels, not an image (the row presets see the
    36 values, neighbourhood included, as the StatLog project's methods did).
SPy GaussianClassifier, SPy PCA + GaussianClassifier
    :class:`.peers.SpyGaussian` on the raw bands, and on SPy's principal
    components holding 99.9% of the training rows' variance.
QDA
    :func:`.peers.tuned_qda`: scaled, its regularisation (``reg_param`` or
    covariance shrinkage) chosen by 3-fold CV on the training rows of each split.

Times are wall seconds of the second fit and predict on the first split (the
first, untimed, pays for imports and Numba compilation), then of every split;
the mean over splits is reported.
"""

import statistics
import sys
import time
import traceback

import numpy as np

import classical
from classical.evaluation import Report

from . import data, peers

PRESETS = ("pixel-mlc", "pixel-svm", "pixel-rf")
SPATIAL = "pixel-texture-rf"
# StatLog project test accuracies on this split (Michie, Spiegelhalter and Taylor
# 1994, "Machine Learning, Neural and Statistical Classification", Ellis Horwood),
# as tabulated in the UCI file satimage.names (G. John, 1994):
# https://webdocs.cs.ualberta.ca/~rgreiner/RESEARCH/PAPERS/accurate/UCIData/satimage.names
STATLOG_PUBLISHED = {"k-NN": 0.906, "Radial basis functions": 0.879,
                     "CART": 0.862, "Backprop neural net": 0.861, "C4.5": 0.850,
                     "Quadisc (QDA)": 0.845, "Logdisc": 0.837, "Discrim (LDA)": 0.829,
                     "Naive Bayes": 0.713}
NOT_FOUND = {
    "Salinas-A": "no published Salinas-A figure with 5% training pixels per class "
                 "was found (searched); none is shown",
    "Landsat 7": "no published figure with polygon-grouped folds on this stack was "
                 "found; none is shown",
}
TEXTURE_ON_ROWS = ("not applicable: Statlog rows are 3 x 3 neighbourhoods of scattered "
                   "pixels, not an image a spatial pipeline can slide over")


def _row_model(name):
    factories = {
        "SPy GaussianClassifier": peers.SpyGaussian,
        "SPy PCA(99.9%) + GaussianClassifier": lambda: peers.SpyGaussian(
            pca_fraction=0.999),
        "QDA (scaled, regularisation by CV)": peers.tuned_qda,
    }
    return factories[name]() if name in factories else classical.make_pipeline(name)


ROW_MODELS = (*PRESETS, "SPy GaussianClassifier", "SPy PCA(99.9%) + GaussianClassifier",
              "QDA (scaled, regularisation by CV)")


def _rows_of(scene, split):
    """``X_train, y_train, X_test, y_test`` of one split."""
    if scene.rows is not None:
        return scene.rows
    train, test = split
    image, labels = scene.image, scene.labels
    return image[train], labels[train], image[test], labels[test]


def _fit_predict_rows(name, scene, split):
    X_train, y_train, X_test, y_test = _rows_of(scene, split)
    model = _row_model(name)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fitted = time.perf_counter()
    predicted = model.predict(X_test)
    return model, y_test, predicted, fitted - start, time.perf_counter() - fitted


def _fit_predict_raster(name, scene, split):
    from classical.geo import classify_raster, fit_raster

    train, test = split
    start = time.perf_counter()
    model = fit_raster(classical.make_pipeline(name), scene.image,
                       np.where(train, scene.labels, 0), random_state=0)
    fitted = time.perf_counter()
    codes = np.asarray(classify_raster(model, scene.image, None, verbose=False))
    predict_s = time.perf_counter() - fitted
    classes = np.asarray(model.classes_)
    codes = codes[test].astype(np.int64)
    known = (codes >= 1) & (codes <= len(classes))  # not nodata (0) nor reject
    predicted = np.zeros(len(codes), dtype=classes.dtype)
    predicted[known] = classes[codes[known] - 1]
    return model, scene.labels[test], predicted, fitted - start, predict_s


def score(name, scene):
    """Fit and score ``name`` on every split of ``scene``; one result row."""
    run = _fit_predict_raster if name == SPATIAL else _fit_predict_rows
    labels = [*scene.class_names, 0]  # 0: unclassified (reject or nodata)
    run(name, scene, scene.splits[0])  # untimed: imports and compilation
    reports, fit_s, predict_s, notes = [], [], [], []
    for split in scene.splits:
        model, y_test, predicted, fit, predict = run(name, scene, split)
        reports.append(classical.evaluate(y_test, predicted, labels=labels))
        fit_s.append(fit)
        predict_s.append(predict)
        if hasattr(model, "best_params_"):
            notes.append(peers.chosen_regularisation(model))
    pooled = Report(sum(r.confusion_matrix for r in reports), labels)
    oa = [r.accuracy for r in reports]
    kappa = [r.kappa for r in reports]
    spread = statistics.stdev if len(reports) > 1 else (lambda values: None)
    per_class = {scene.class_names[c]: [float(pa), float(ua)] for c, pa, ua in zip(
        labels, pooled.producers_accuracy, pooled.users_accuracy) if c}
    return {"dataset": scene.name, "pipeline": name,
            "OA": statistics.fmean(oa), "OA sd": spread(oa),
            "kappa": statistics.fmean(kappa), "kappa sd": spread(kappa),
            "fit s": statistics.fmean(fit_s), "predict s": statistics.fmean(predict_s),
            "folds": len(reports), "per class PA/UA": per_class,
            "protocol": scene.note,
            "note": ("chosen per split: " + "; ".join(dict.fromkeys(notes))
                     if notes else "")}


def failed(scene, name, error):
    """A row recording why ``name`` could not run on ``scene``."""
    return {"dataset": scene.name, "pipeline": name, "OA": None, "kappa": None,
            "note": f"failed: {type(error).__name__}: {' '.join(str(error).split())}"}


def published(scene):
    """Rows of the published figures for ``scene``, or one saying none was found."""
    if scene.name in NOT_FOUND:
        return [{"dataset": scene.name, "pipeline": "published", "OA": None,
                 "note": NOT_FOUND[scene.name]}]
    return [{"dataset": scene.name, "pipeline": f"published: {method}", "OA": accuracy,
             "note": "StatLog project, Michie et al. 1994 (test accuracy)"}
            for method, accuracy in STATLOG_PUBLISHED.items()]


def run(datasets=tuple(data.DATASETS)):
    """Yield one result row per model and dataset, as each finishes."""
    for key in datasets:
        try:
            scene = data.DATASETS[key]()
        except Exception as error:  # e.g. the data folder is absent
            traceback.print_exc(file=sys.stderr)
            yield failed(data.Scene(key, None, None, {}, []), "(loading the data)",
                         error)
            continue
        if scene.image is None:
            yield {"dataset": scene.name, "pipeline": SPATIAL, "OA": None,
                   "note": TEXTURE_ON_ROWS}
        for name in ROW_MODELS if scene.image is None else (*ROW_MODELS, SPATIAL):
            try:
                yield score(name, scene)
            except Exception as error:  # one failing model must not stop the run
                traceback.print_exc(file=sys.stderr)
                yield failed(scene, name, error)
        yield from published(scene)
