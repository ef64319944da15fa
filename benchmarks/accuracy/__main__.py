"""Accuracy of every preset on the shared real datasets, beside the plain scripts.

Run ``python -m benchmarks.accuracy [--datasets eurosat,ucmerced,caltech,brodatz,
statlog] [--presets a,b] [--no-plain] [--output results.md]`` from the
repository root. Every preset of :func:`classical.list_pipelines` (or those
named) is built with ``classical.make_pipeline(name, n_jobs=-1)``, fitted on
the training split and scored on the test split of every dataset named (all by
default). One Markdown row is printed as each run finishes and the whole table
at the end (also written to ``--output`` when given). A preset that raises on a
dataset gets a row with the error in its accuracy cell; the run goes on.
Unless ``--no-record`` is given, the rows are merged into
``benchmarks/accuracy/results.json`` (replacing earlier rows of the same
dataset and pipeline, stamped with the commit) and the README's preset tables
are rewritten from that file (:mod:`.report`); smoke runs record nothing.
The hidden ``--limit N`` keeps at most N images per class on each side of
every split (the first in split order): for smoke runs only.

Columns: accuracy and Cohen's kappa on the test split
(:func:`classical.evaluate`); ``ECE`` and ``top p >= 0.9``, for pipelines
with ``predict_proba`` (called after the timed runs), are the expected
calibration error of the top probability and the share of test images
given a top probability of at least 0.9
(:func:`.report.calibration_figures`); ``fit s`` and ``predict s`` are wall seconds of
one cold ``fit`` on the training images and one ``predict`` on the test images
(feature extraction and any Numba compilation included); ``peak MiB`` is the
peak resident memory above the level before ``fit`` (measured after garbage
collection and glibc's ``malloc_trim``), sampled during fit and predict
(:func:`benchmarks._timing.peak_extra_bytes`; it sees this process only, so
the plain EuroSAT script's process-pool workers are not counted).

Data: ``../shared/data`` beside the repository (or
``$CLASSICAL_SHARED_DATA``). Images are loaded as RGB uint8 at their native
sizes; grey files are replicated to three channels. In every image dataset,
classes are sorted by folder name and files sorted by name within a class, and
that listing is what the seeds act on.

Protocols
---------
EuroSAT RGB (``eurosat_rgb``; 10 classes x 500, 64 x 64)
    Stratified 80/20 split, ``train_test_split(test_size=0.2,
    stratify=labels, random_state=0)``: 4,000 training and 1,000 test images,
    the same as ``load_folder(...).split(0.2, random_state=0)``.
UC Merced (``ucmerced``; 21 classes x 100)
    The same stratified 80/20 split with ``random_state=0``: 1,680 training and
    420 test images. 2,056 images are 256 x 256; 44 are not (242 to 257
    pixels a side, e.g. 247 x 247). They are **not** resized: every preset is
    given the native sizes (the descriptors accept mixed sizes; the HOG presets
    resize internally), and so is the plain script.
Caltech-101 subset (``caltech101_subset10``; 10 classes x 60, variable sizes)
    30 training and 30 test images per class. Each class's files (sorted) are
    permuted by ``np.random.RandomState(0).permutation(n_class)`` (a fresh
    generator per class); the first 30 train, the next 30 test: 300 + 300.
    Every class here has exactly 60 images. A class with 31 to 59 images
    would keep 30 for training and test on the remaining ``n_class - 30``; one
    with 30 or fewer raises a ValueError naming it. 63 of the 600 files are
    grey JPEGs (all of ``car_side``), replicated to RGB.
Brodatz (``textures_brodatz``; 112 plates x 16 tiles of 160 x 160, grey)
    Split by tile position, so no two tiles on opposite sides touch: each
    plate's 4 x 4 grid ``D<n>_r<row>c<col>.png`` gives rows 0 and 1 for
    training (8 tiles), row 3 for test (4 tiles), and row 2 is unused as a
    guard band: 896 training and 448 test tiles. (A split that used all 16
    tiles would put some neighbours on opposite sides, as the grid is
    connected; giving up row 2 is the nearest we come to "no neighbouring
    tiles on both sides".) The tiles are grey and are given to every preset
    as three equal channels rather than skipping the colour presets: hue and
    saturation are then constant, so the colour presets measure only
    brightness.
Statlog Landsat (``statlog_landsat``)
    :func:`benchmarks.accuracy.statlog.run`: ``GaussianMLClassifier()`` on the
    UCI split (4,435 training and 2,000 test pixels, 36 features); its times
    are warm (a first untimed fit pays for compilation). The image presets do
    not apply.

``rules-vegetation`` predicts vegetation / water / other, so it runs on EuroSAT
only, scored against the reference labels mapped by ``EUROSAT_VEGETATION``
(every other class is "other"); elsewhere it is skipped with a printed reason.

Plain scripts (left out by ``--no-plain``)
    On EuroSAT: :mod:`.plain_baseline` (HSV histogram + LBP + HOG -> RBF SVC,
    scikit-image + OpenCV + scikit-learn), the same three descriptors computed
    by the library's extractors, and :mod:`.plain_local` (OpenCV dense SIFT ->
    RootSIFT -> PCA 64 -> VLAD 64 -> LinearSVC; grey by construction). On
    UC Merced: :mod:`.plain_local`. Their times include feature extraction.
"""

import argparse
import ctypes
import ctypes.util
import gc
import sys
import time
import traceback

from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import classical

from .._timing import markdown_table, peak_extra_bytes
from ..speed.global_features import plain_equivalent_features
from . import plain_baseline, plain_local, report, statlog
from .datasets import DATASETS

COLUMNS = report.DETAIL_COLUMNS[:-1]
DATASET_NAMES = [*DATASETS, "statlog"]
# The rule-based preset predicts vegetation / water / other, not EuroSAT's ten
# classes: it is scored on this mapping of the reference labels.
EUROSAT_VEGETATION = {
    "Forest": "vegetation", "HerbaceousVegetation": "vegetation",
    "Pasture": "vegetation", "AnnualCrop": "vegetation",
    "PermanentCrop": "vegetation", "River": "water", "SeaLake": "water",
}
EUROSAT_ONLY = {"rules-vegetation": "it predicts vegetation / water / other, a "
                                    "mapping defined for EuroSAT's classes only"}


def _nan_row(dataset, pipeline, note):
    """A row whose accuracy cell carries ``note`` (one line, no table pipes)."""
    note = " ".join(str(note).split()).replace("|", "/")
    nan = float("nan")
    return {"dataset": dataset, "pipeline": pipeline, "accuracy": note,
            **dict.fromkeys(COLUMNS[3:], nan)}


def trimmed_peak_bytes(function):
    """:func:`peak_extra_bytes` after handing freed heap back to the system.

    Without the trim, memory an earlier run freed stays in the process and is
    reused, so a later run's peak above the starting level would be understated.
    """
    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc and hasattr(ctypes.CDLL(libc), "malloc_trim"):  # glibc only
        ctypes.CDLL(libc).malloc_trim(0)
    return peak_extra_bytes(function)


def score_pipeline(dataset, name, pipeline, train, test, y_train=None, y_test=None):
    """Fit ``pipeline`` on ``train``, predict ``test``; time and score both."""
    y_train = train.labels if y_train is None else y_train
    y_test = test.labels if y_test is None else y_test
    times = {}

    def fit_predict():
        start = time.perf_counter()
        pipeline.fit(train.images, y_train)
        times["fit s"] = time.perf_counter() - start
        start = time.perf_counter()
        predicted = pipeline.predict(test.images)
        times["predict s"] = time.perf_counter() - start
        return predicted

    predicted, peak = trimmed_peak_bytes(fit_predict)
    scores = classical.evaluate(y_test, predicted).to_dict()
    ece = confident = float("nan")
    if hasattr(pipeline, "predict_proba"):  # untimed, after the peak
        ece, confident = report.calibration_figures(
            y_test, pipeline.predict_proba(test.images), pipeline.classes_)
    return {"dataset": dataset, "pipeline": name, "accuracy": scores["accuracy"],
            "kappa": scores["kappa"], **times, "peak MiB": peak / 2**20,
            "ECE": ece, "top p >= 0.9": confident}


def score_script(dataset, name, run):
    """Row of a plain script: ``run()`` returns accuracy, kappa, fit_s, predict_s."""
    result, peak = trimmed_peak_bytes(run)
    return {"dataset": dataset, "pipeline": name, "accuracy": result["accuracy"],
            "kappa": result["kappa"], "fit s": result["fit_s"],
            "predict s": result["predict_s"], "peak MiB": peak / 2**20}


def guarded(dataset, name, make_row, *args):
    """``make_row(*args)``, or a row naming the error when it raises."""
    try:
        return make_row(*args)
    except Exception as error:  # one failing run must not stop the benchmark
        traceback.print_exc(file=sys.stderr)
        return _nan_row(dataset, name, f"failed: {type(error).__name__}: {error}")


def _score_preset(dataset, name, train, test, y_train, y_test):
    pipeline = classical.make_pipeline(name, n_jobs=-1)
    return score_pipeline(dataset, name, pipeline, train, test, y_train, y_test)


def preset_runs(key, dataset, presets, train, test):
    """Yield a row (or a skip note, as a str) for each preset on one dataset."""
    for name in presets:
        if name in EUROSAT_ONLY and key != "eurosat":
            yield f"skipped {name} on {dataset}: {EUROSAT_ONLY[name]}."
            continue
        y_train = y_test = None
        if name == "rules-vegetation":
            y_train = [EUROSAT_VEGETATION.get(c, "other") for c in train.labels]
            y_test = [EUROSAT_VEGETATION.get(c, "other") for c in test.labels]
        yield guarded(dataset, name, _score_preset, dataset, name, train, test,
                       y_train, y_test)


def plain_runs(key, dataset, train, test):
    """Yield the rows of the plain scripts that belong to this dataset."""
    def local():
        return plain_local.run(train.images, train.labels, test.images, test.labels)

    def global_():
        return plain_baseline.run(train.images, train.labels, test.images,
                                  test.labels)

    if key == "eurosat":
        same_features = Pipeline([("features", plain_equivalent_features()),
                                  ("scale", StandardScaler()), ("svm", SVC())])
        name = "plain script's features via classical kernels"
        yield guarded(dataset, name, score_pipeline, dataset, name, same_features,
                       train, test)
        name = "plain skimage+OpenCV+sklearn script"
        yield guarded(dataset, name, score_script, dataset, name, global_)
        name = plain_local.NAME + " (grey)"
        yield guarded(dataset, name, score_script, dataset, name, local)
    elif key == "ucmerced":
        name = plain_local.NAME
        yield guarded(dataset, name, score_script, dataset, name, local)


def statlog_row():
    """The Statlog Landsat row (Gaussian maximum likelihood, warm times)."""
    row, peak = trimmed_peak_bytes(statlog.run)
    return {"dataset": "Statlog Landsat", "pipeline": "GaussianMLClassifier",
            "accuracy": row["accuracy"], "kappa": row["kappa"],
            "fit s": row["fit_s"], "predict s": row["predict_s"],
            "peak MiB": peak / 2**20}


def dataset_runs(key, presets, *, plain=True, limit=None):
    """Yield every row and skip note of one dataset, as each run finishes."""
    if key == "statlog":
        yield guarded("Statlog Landsat", "GaussianMLClassifier", statlog_row)
        return
    dataset, loader = DATASETS[key]
    try:
        train, test = loader(limit=limit)
    except Exception as error:  # e.g. the data folder is absent
        traceback.print_exc(file=sys.stderr)
        yield f"skipped {dataset}: loading failed: {type(error).__name__}: {error}"
        return
    yield from preset_runs(key, dataset, presets, train, test)
    if plain:
        yield from plain_runs(key, dataset, train, test)


def _names(text, valid, what, parser):
    names = [name for name in text.split(",") if name]
    unknown = [name for name in names if name not in valid]
    if unknown:
        parser.error(f"unknown {what} {', '.join(unknown)}; valid: {', '.join(valid)}")
    return names


def image_presets():
    """The presets that classify images; the pixel ones are ``benchmarks.geo``'s."""
    return {name: description
            for name, description in classical.list_pipelines().items()
            if not name.startswith("pixel-")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    presets = image_presets()
    parser.add_argument("--datasets", default=",".join(DATASET_NAMES),
                        help="comma-separated, from: " + ", ".join(DATASET_NAMES))
    parser.add_argument("--presets", default=",".join(presets),
                        help="comma-separated preset names (default: all)")
    parser.add_argument("--no-plain", dest="plain", action="store_false",
                        help="leave out the plain-script baselines")
    parser.add_argument("--output", help="also write the final table to this file")
    parser.add_argument("--no-record", dest="record", action="store_false",
                        help="do not store the rows in results.json nor rewrite "
                             "the README's tables")
    # Smoke runs only: at most N images per class on each side of every split.
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    datasets = _names(args.datasets, DATASET_NAMES, "dataset", parser)
    presets = _names(args.presets, presets, "preset", parser)

    rows, notes, commit = [], [], report.current_commit()
    if args.limit is not None:
        notes.append(f"smoke run: at most {args.limit} images per class per side.")
    print(markdown_table([], COLUMNS), flush=True)
    for key in datasets:
        for result in dataset_runs(key, presets, plain=args.plain, limit=args.limit):
            if isinstance(result, str):
                notes.append(result)
                print(result, file=sys.stderr, flush=True)
            else:
                rows.append(result)
                print(markdown_table([result], COLUMNS).splitlines()[-1], flush=True)
    table = markdown_table(rows, COLUMNS)
    if notes:
        table += "\n\n" + "\n".join(f"- {note}" for note in notes)
    print("\n" + table)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as output:
            output.write(table + "\n")
    if args.record and args.limit is None:
        stored = report.merge_results(rows, commit)
        datasets = [name for name, _ in DATASETS.values()]
        report.write_readme(report.readme_region(stored, image_presets(), datasets))


if __name__ == "__main__":
    main()
