"""Accuracy of every preset on the shared real datasets, beside the plain peers.

Run ``python -m benchmarks.accuracy [--presets a,b] [--quick]``. Protocol:
EuroSAT RGB (5,000 images), stratified 80/20 split with ``random_state=0`` on
the images in :func:`classical.datasets.load_folder` order (classes sorted,
files sorted), the same split for every row; Statlog Landsat on the UCI
train/test split. Prints Markdown tables.
"""

import argparse
import time

from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import classical
from classical.datasets import load_folder

from .._timing import SHARED_DATA, markdown_table, peak_extra_bytes
from ..speed.global_features import plain_equivalent_features
from . import plain_baseline, statlog

COLUMNS = ["dataset", "pipeline", "accuracy", "kappa", "fit s", "predict s",
           "peak MiB"]
# The rule-based preset predicts vegetation / water / other, not EuroSAT's ten
# classes: it is scored on this mapping of the reference labels.
EUROSAT_VEGETATION = {
    "Forest": "vegetation", "HerbaceousVegetation": "vegetation",
    "Pasture": "vegetation", "AnnualCrop": "vegetation",
    "PermanentCrop": "vegetation", "River": "water", "SeaLake": "water",
}


def _score(name, pipeline, train, test, y_train, y_test, dataset):
    start = time.perf_counter()
    _, peak = peak_extra_bytes(lambda: pipeline.fit(train.images, y_train))
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    predicted = pipeline.predict(test.images)
    predict_s = time.perf_counter() - start
    report = classical.evaluate(y_test, predicted).to_dict()
    return {"dataset": dataset, "pipeline": name, "accuracy": report["accuracy"],
            "kappa": report["kappa"], "fit s": fit_s, "predict s": predict_s,
            "peak MiB": peak / 2**20}


def eurosat_rows(presets):
    """Score each preset and the plain script on the EuroSAT split."""
    data = load_folder(SHARED_DATA / "eurosat_rgb")
    train, test = data.split(test_size=0.2, random_state=0)
    rows = []
    for name in presets:
        y_train, y_test = train.labels, test.labels
        if name == "rules-vegetation":
            y_train = [EUROSAT_VEGETATION.get(c, "other") for c in train.labels]
            y_test = [EUROSAT_VEGETATION.get(c, "other") for c in test.labels]
        rows.append(_score(name, classical.make_pipeline(name, n_jobs=-1), train, test,
                           y_train, y_test, "EuroSAT"))
        print(markdown_table(rows[-1:], COLUMNS).splitlines()[-1], flush=True)
    same_features = Pipeline([("features", plain_equivalent_features()),
                              ("scale", StandardScaler()), ("svm", SVC())])
    rows.append(_score("plain script's features via classical kernels",
                       same_features, train, test, train.labels, test.labels,
                       "EuroSAT"))
    plain = plain_baseline.run(train.images, train.labels, test.images, test.labels)
    rows.append({"dataset": "EuroSAT",
                 "pipeline": "plain skimage+OpenCV+sklearn script",
                 "accuracy": plain["accuracy"], "kappa": plain["kappa"],
                 "fit s": plain["fit_s"], "predict s": plain["predict_s"],
                 "peak MiB": float("nan")})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default=",".join(classical.list_pipelines()),
                        help="comma-separated preset names")
    args = parser.parse_args(argv)
    rows = eurosat_rows([p for p in args.presets.split(",") if p])
    statlog_row = statlog.run()
    rows.append({"dataset": "Statlog Landsat", "pipeline": "GaussianMLClassifier",
                 **{k: statlog_row[k] for k in ("accuracy", "kappa")},
                 "fit s": statlog_row.get("fit_s", float("nan")),
                 "predict s": statlog_row.get("predict_s", float("nan")),
                 "peak MiB": float("nan")})
    print()
    print(markdown_table(rows, COLUMNS))


if __name__ == "__main__":
    main()
