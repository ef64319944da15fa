"""Classical against deep features: accuracy, cost and learning curves, measured.

Run from the repository root::

    python -m benchmarks.compare [--datasets eurosat,ucmerced,caltech,brodatz]
        [--parts table,curves] [--draws 5] [--sizes 1,5,10,20,50]
        [--end-to-end] [--quick] [--no-record]

Data and splits are :mod:`benchmarks.accuracy`'s (its ``datasets`` module and
protocols): EuroSAT and UC Merced stratified 80/20 with ``random_state=0``,
Caltech-101 (10 classes) 30 training and 30 test images per class, Brodatz
rows 0-1 of each plate's tile grid for training (8 tiles), row 3 for test.

**Table** (``--parts table``). On each dataset, the best classical preset,
``scene-best``, against the deep presets ``deep-logreg`` (frozen
EfficientNet-Lite0 features + logistic regression), ``deep-knn`` (cosine
k-NN on them) and ``hybrid`` (scene-best's blocks and the deep features,
one logistic regression), each built with
``classical.make_pipeline(name, n_jobs=-1)``: accuracy and Cohen's kappa on
the test split, wall seconds of one ``fit`` and one ``predict`` (feature
extraction included), predict milliseconds per test image, peak resident
memory above the level before ``fit``
(:func:`benchmarks.accuracy.__main__.trimmed_peak_bytes`) and the installed
size of what the preset needs. ``scene-best`` rather than
``scene-best-aug``: the mirrored copies doubled its fit time for no gain on
the seed-0 test splits (UC Merced 0.917 against 0.926, EuroSAT 0.940
against 0.938; see that preset's docstring), so the cheaper one is the
fairer classical entry. A plain :class:`~sklearn.pipeline.Pipeline` is fitted
as its feature steps' ``fit_transform`` and then its last step's ``fit``,
which is what ``Pipeline.fit`` does, so that the features can be kept.

``deep-knn`` and ``hybrid`` are made of features already computed: the
former's are ``deep-logreg``'s (the same extractor, parameters compared on
every run), the latter's are ``scene-best``'s five blocks and that extractor
side by side. Unless ``--end-to-end`` is given, their last step is fitted on
the kept features (column ``timing``: "from ..."): their seconds are the
parts' feature seconds plus their own classifier's, their peak the largest
of the parts' and the classifier's. This halves the run. ``--quick`` runs
both ways and prints whether the predictions agree (on its EuroSAT sample:
100% for both, 2026-12-07). The deep extractor's one-off cost in a process
(weights read, ONNX graph built, session opened) is paid before the first
row and printed on its own line.

**Installed size.** The files listed in ``importlib.metadata`` (each
package's RECORD) of the closure of ``classical-vision``'s core requirements,
and of what the ``deep`` extra adds to it, summed from the files on disk in
the running environment.

**Learning curves** (``--parts curves``). Accuracy on the fixed test split
against training images per class (1, 5, 10, 20, 50, capped by the split:
Brodatz 8, Caltech 30), ``--draws`` random training sets per size
(:func:`classical.evaluation.learning_curve_per_class`, ``random_state=0``,
so every model gets the same training images), mean and sample standard
deviation. Fitting a whole preset per draw would re-describe the test
images every time, so features are computed once and only the steps that
learn from the labelled images are fitted per draw:

- ``deep-logreg`` and ``deep-knn``: the frozen network learns nothing from
  the training images (checked on every run: its features of a few test
  images, fitted on two training images, are those of the full fit), so
  fitting the classifier on cached features is fitting the preset.
- ``global-svc``: ``global-svm``'s features (colour LBP, histograms and
  moments, coarse HOG; nothing learned), scaling and its RBF SVC, without
  the 5-fold Platt scaling of ``global-svm``, which needs five images a
  class. The truly low-data classical model here.
- ``scene-best (unlab. vocab.)`` and ``hybrid (unlab. vocab.)``: the
  preset's logistic regression on its features with the vocabularies (PCA
  + Gaussian mixtures) and scalers fitted on the **whole** training split,
  labels unused: a semi-supervised setting (the unlabelled images are
  known), as the deep network's features come from ImageNet. ``scene-best``
  fitted from scratch at one image per class does run (EuroSAT 10 images:
  fit 43 s; Brodatz 112 images: fit 305 s, on a machine loaded by other
  jobs), but one fit per draw and size, each re-encoding the test split,
  is out of this run's budget.

The Markdown tables are printed; rows are merged into
``benchmarks/compare_results.json`` (keyed by dataset and pipeline, or
dataset, model and size; each stamped with the command, commit and date;
each run's minutes, load and notes kept in ``runs``) and the figure, one
panel per dataset drawn from every curve stored there, is written to
``benchmarks/compare_learning_curves.png``. ``--quick`` (CI smoke run): at
most 3 images per class on each side of each split, sizes 1 and 2, two
draws, EuroSAT only unless ``--datasets`` is given; it records nothing.

Measured (2026-12-07, ``python -m benchmarks.compare``, 64 minutes on 2
cores under a load average of 7.5 to 9.8 from other jobs, so seconds are
several times those of an idle machine: ``scene-best``'s EuroSAT fit took
494 s here and 70 s in ``benchmarks/accuracy``). Test accuracy,
``scene-best`` / ``deep-logreg`` / ``deep-knn`` / ``hybrid``: EuroSAT 0.938
/ 0.924 / 0.893 / 0.956; UC Merced 0.926 / 0.964 / 0.950 / 0.971; Caltech-10
0.933 / 0.997 / 0.997 / 0.993; Brodatz 0.955 / 0.942 / 0.942 / 0.964.
Predict ms per image: ``scene-best`` 32, 221, 187, 72; the deep presets 30,
34, 16, 15. Peak memory: ``scene-best`` 1.0 to 1.2 GiB, deep 90 to 114 MiB
on top of what the extractor's first use holds for the process (420 MiB with
a full batch: session and ONNX Runtime's arena; that run warmed up on one
image, 149 MiB, so EuroSAT's deep rows, the first, show 434 MiB with the
arena's growth). Installed: core 794 MiB, the deep extra 125 MiB more
(onnxruntime 76.5, onnx 25.1, weights 18.0). At one image per class (five
draws) ``deep-logreg`` leads ``global-svc`` / ``scene-best (unlab. vocab.)``
by 0.57 against 0.47 / 0.52 on EuroSAT, 0.60 against 0.25 / 0.31 on UC
Merced and 0.97 against 0.41 / 0.52 on Caltech-10; on Brodatz textures they
tie (0.87 against 0.76 / 0.87). Every figure is in ``compare_results.json``.
"""

import argparse
import gc
import json
import os
import sys
import time
from datetime import date
from importlib import metadata
from pathlib import Path

import numpy as np
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from sklearn.base import clone
from sklearn.pipeline import Pipeline

import classical
from classical.evaluation import learning_curve_per_class, plot_learning_curves

from ._timing import markdown_table
from .accuracy import report
from .accuracy.__main__ import guarded, trimmed_peak_bytes
from .accuracy.datasets import DATASETS

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "compare_results.json"
FIGURE = HERE / "compare_learning_curves.png"
CLASSICAL, DEEP = "scene-best", ("deep-logreg", "deep-knn", "hybrid")
NEEDS_DEEP = set(DEEP)
PARTS = ("table", "curves")
SIZES = (1, 5, 10, 20, 50)
TABLE_COLUMNS = ["dataset", "pipeline", "accuracy", "kappa", "fit s", "predict s",
                 "predict ms/image", "peak MiB", "needs", "installed MiB", "timing"]
# Curve name -> preset whose kept features and last step it uses; a preset's
# own name only where its feature steps learn nothing (checked on each run).
CURVE_PRESETS = {"scene-best (unlab. vocab.)": CLASSICAL, "deep-logreg": "deep-logreg",
                 "deep-knn": "deep-knn", "hybrid (unlab. vocab.)": "hybrid"}
CURVE_MODELS = ("global-svc", *CURVE_PRESETS)
QUICK = {"limit": 3, "sizes": (1, 2), "draws": 2, "datasets": ("eurosat",)}


def _log(message):
    print(time.strftime("%H:%M:%S"), message, file=sys.stderr, flush=True)


# ------------------------------------------------------------ installed size
def _wanted(requirement, extra):
    """Whether ``requirement`` belongs to the core (``extra=None``) or ``extra``."""
    if requirement.marker is None:
        return extra is None
    if extra is None:
        return requirement.marker.evaluate({"extra": ""})
    return "extra" in str(requirement.marker) and requirement.marker.evaluate(
        {"extra": extra})


def _closure(requirements):
    """Installed distributions needed by ``requirements``, transitively.

    Returns ``{canonical name: Distribution}``; requirements not installed
    (or not for this platform) are skipped.
    """
    found, stack = {}, list(requirements)
    while stack:
        requirement = stack.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[name] = distribution
        for text in distribution.requires or []:
            needed = Requirement(text)
            if _wanted(needed, None) or any(_wanted(needed, extra)
                                            for extra in requirement.extras):
                stack.append(needed)
    return found


def _installed_bytes(distribution):
    """Bytes on disk of the files a distribution's RECORD lists."""
    total = 0
    for file in distribution.files or []:
        path = Path(distribution.locate_file(file))
        if path.is_file():
            total += path.stat().st_size
    return total


def installed_sizes(project="classical-vision", extra="deep"):
    """MiB of the core requirements' closure and of what ``extra`` adds to it.

    Returns
    -------
    sizes : dict
        ``core MiB``, ``core packages``, ``<extra> adds MiB``, ``<extra>
        packages`` and ``<extra> by package`` (MiB of each added package).
    """
    requires = [Requirement(text) for text in metadata.distribution(project).requires]
    core = _closure([r for r in requires if _wanted(r, None)])
    added = {name: dist for name, dist in
             _closure([r for r in requires if _wanted(r, extra)]).items()
             if name not in core}
    mib = {name: _installed_bytes(dist) / 2**20 for name, dist in added.items()}
    return {"core MiB": sum(_installed_bytes(d) for d in core.values()) / 2**20,
            "core packages": sorted(core),
            f"{extra} adds MiB": sum(mib.values()),
            f"{extra} packages": sorted(added),
            f"{extra} by package": dict(sorted(mib.items(), key=lambda kv: -kv[1]))}


# ------------------------------------------------------------------- table
def deep_first_call():
    """Seconds and MiB of the deep extractor's first use in a process.

    Reading the weights, building the ONNX graph and opening the session
    happen once per process (the session is cached), and ONNX Runtime keeps
    the memory arena it grew for the largest batch run so far; paying both
    here (one full batch) keeps them out of whichever table row would come
    first, and they are reported on their own line instead.
    """
    from classical.deep import DeepFeatureExtractor

    extractor = DeepFeatureExtractor(n_jobs=-1)
    # One full batch: ONNX Runtime keeps the memory arena it grows for it.
    images = np.zeros((extractor.batch_size, 64, 64, 3), dtype=np.uint8)
    start = time.perf_counter()
    _, peak = trimmed_peak_bytes(lambda: extractor.fit_transform(images))
    return {"deep first call s": time.perf_counter() - start,
            "deep first call MiB": peak / 2**20}


def _fit_predict(pipeline, train, test):
    """Fit on ``train``, predict ``test``; times, and the features when possible.

    A plain Pipeline is fitted as ``Pipeline.fit`` does it (feature steps'
    ``fit_transform``, last step's ``fit``), keeping the features and the
    seconds its feature steps took (``kept``).
    """
    times, kept = {}, {}
    plain = type(pipeline) is Pipeline and len(pipeline.steps) > 1

    def work():
        start = time.perf_counter()
        if plain:
            kept["train"] = pipeline[:-1].fit_transform(train.images, train.labels)
            kept["features fit s"] = time.perf_counter() - start
            pipeline[-1].fit(kept["train"], train.labels)
        else:
            pipeline.fit(train.images, train.labels)
        times["fit s"] = time.perf_counter() - start
        start = time.perf_counter()
        if plain:
            kept["test"] = pipeline[:-1].transform(test.images)
            kept["features predict s"] = time.perf_counter() - start
            predicted = pipeline[-1].predict(kept["test"])
        else:
            predicted = pipeline.predict(test.images)
        times["predict s"] = time.perf_counter() - start
        return predicted

    predicted, peak = trimmed_peak_bytes(work)
    if plain:
        kept["peak"] = peak
    return predicted, times, peak, kept


def _spec(obj):
    """A comparable description of an estimator's parameters, nested ones included."""
    if hasattr(obj, "get_params"):
        return (type(obj).__qualname__,
                tuple((k, _spec(v)) for k, v in sorted(obj.get_params(deep=False)
                                                       .items())))
    if isinstance(obj, (list, tuple)):
        return tuple(_spec(value) for value in obj)
    if callable(obj):
        return getattr(obj, "__qualname__", repr(obj))
    return repr(obj)


def composition(name, pipeline, fitted):
    """How ``pipeline``'s features are made of presets already run, or None.

    Returns ``(parts, rest)``: the names of the presets whose kept features,
    side by side, are the input of ``rest`` (the remaining feature steps,
    which learn nothing, or None), whose output the last step takes. Only
    ``deep-knn`` (``deep-logreg``'s extractor) and ``hybrid`` (``scene-best``'s
    steps with one more union block: ``deep-logreg``'s extractor, then
    stateless steps) are recognised; anything else is run end to end.
    """
    deep = fitted.get("deep-logreg", (None, {}))
    if not deep[1] or type(pipeline) is not Pipeline:
        return None
    extractor = deep[0][:-1]
    if name == "deep-knn" and _spec(pipeline[:-1]) == _spec(extractor):
        return ["deep-logreg"], None
    best = fitted.get(CLASSICAL, (None, {}))
    if name != "hybrid" or not best[1] or len(pipeline) != len(best[0]):
        return None
    union, best_union = pipeline[-2], best[0][-2]
    *blocks, (_, block) = getattr(union, "transformer_list", [(None, None)])
    if (_spec(pipeline[:-2]) == _spec(best[0][:-2])
            and _spec(blocks) == _spec(best_union.transformer_list)
            and _spec(union.get_params(deep=False)["transformer_weights"]) == "None"
            and type(block) is Pipeline and _spec(block[0]) == _spec(extractor[-1])):
        return [CLASSICAL, "deep-logreg"], block[1:]
    return None


def _composed(pipeline, parts, rest, fitted, train, test):
    """Fit and predict the last step on the parts' kept features, side by side.

    The seconds and peak memory are those of the parts' feature steps
    (measured in their own runs) plus this step's: fit and predict seconds
    add up, the peak is the largest. Returns what :func:`_fit_predict` does.
    """
    kept = [fitted[part][1] for part in parts]
    head, times, features = pipeline[-1], {}, {}

    def stack(side):
        blocks = [k[side] for k in kept]
        if rest is not None:  # stateless steps: fit_transform is transform
            blocks[-1] = rest.fit_transform(blocks[-1])
        features[side] = blocks[0] if len(blocks) == 1 else np.hstack(blocks)
        return features[side]

    def work():
        start = time.perf_counter()
        head.fit(stack("train"), train.labels)
        times["fit s"] = time.perf_counter() - start
        start = time.perf_counter()
        predicted = head.predict(stack("test"))
        times["predict s"] = time.perf_counter() - start
        return predicted

    predicted, peak = trimmed_peak_bytes(work)
    times["fit s"] += sum(k["features fit s"] for k in kept)
    times["predict s"] += sum(k["features predict s"] for k in kept)
    return predicted, times, max([peak, *(k["peak"] for k in kept)]), features


def table_row(dataset, name, train, test, install, fitted):
    """One preset's row, and its fitted pipeline and features (or None).

    A preset whose features are those of presets in ``fitted`` (see
    :func:`composition`) is fitted on their kept features, its times and
    memory composed from theirs (``timing`` says so); pass an empty
    ``fitted`` to run it end to end.
    """
    pipeline = classical.make_pipeline(name, n_jobs=-1)
    recipe = composition(name, pipeline, fitted)
    if recipe:
        predicted, times, peak, kept = _composed(pipeline, *recipe, fitted, train,
                                                 test)
    else:
        predicted, times, peak, kept = _fit_predict(pipeline, train, test)
    scores = classical.evaluate(test.labels, predicted).to_dict()
    needs = "core + deep" if name in NEEDS_DEEP else "core"
    size = install["core MiB"] + (install["deep adds MiB"] if name in NEEDS_DEEP
                                  else 0.0)
    row = {"dataset": dataset, "pipeline": name, "accuracy": scores["accuracy"],
           "kappa": scores["kappa"], **times,
           "predict ms/image": 1000 * times["predict s"] / len(test.labels),
           "peak MiB": peak / 2**20, "needs": needs, "installed MiB": size,
           "timing": f"from {' + '.join(recipe[0])}" if recipe else "measured",
           "predicted": np.asarray(predicted).tolist()}
    return row, pipeline, kept


# ------------------------------------------------------------------ curves
def _learns_nothing(steps, features_test, train, test, n=4):
    """Whether ``steps`` refitted on two training images give the same features."""
    fresh = clone(steps).fit(list(train.images[:2]), train.labels[:2])
    again = fresh.transform(list(test.images[:n]))
    return np.allclose(again, features_test[:n], rtol=1e-4, atol=1e-6)


def _global_svc(train, test):
    """``global-svm``'s features of both splits and its unfitted scaler + SVC."""
    preset = classical.make_pipeline("global-svm", n_jobs=-1)
    features = preset.named_steps["features"]
    tail = Pipeline([("scale", clone(preset.named_steps["scale"])),
                     ("svm", clone(preset.named_steps["svm"].estimator))])
    return tail, features.fit_transform(train.images), features.transform(test.images)


def curve_models(fitted, train, test, notes, dataset):
    """``{model: (estimator, train features, test features)}`` for the curves.

    ``fitted`` maps a preset name to ``(pipeline, kept features)`` from the
    table (or from an untimed fit when the table part is not run).
    """
    models = {"global-svc": _global_svc(train, test)}
    for model, name in CURVE_PRESETS.items():
        pipeline, kept = fitted.get(name, (None, {}))
        if not kept:
            notes.append(f"{dataset}: no {model} curve (the preset did not run or "
                         "is not a plain Pipeline).")
            continue
        if model == name and not _learns_nothing(pipeline[:-1], kept["test"], train,
                                                 test):
            notes.append(f"{dataset}: no {model} curve: its feature steps learn from "
                         "the training images, so cached features would not be "
                         "the preset's.")
            continue
        models[model] = (clone(pipeline[-1]), kept["train"], kept["test"])
    return models


def curve_rows(dataset, models, train, test, sizes, draws, notes):
    """Rows of every model's learning curve, one per size."""
    rows = []
    for model, (estimator, features_train, features_test) in models.items():
        _log(f"{dataset}: curve of {model}")
        try:
            curve = learning_curve_per_class(
                estimator, features_train, train.labels, features_test, test.labels,
                sizes=sizes, n_draws=draws, random_state=0, error_score=np.nan)
        except Exception as error:  # one failing model must not stop the run
            notes.append(f"{dataset}: no {model} curve: {type(error).__name__}: "
                         f"{error}")
            _log(notes[-1])
            continue
        for i, size in enumerate(curve["sizes"]):
            fitted = curve["scores"][i, :curve["n_draws"][i]]
            rows.append({"dataset": dataset, "model": model, "size": int(size),
                         "n_train": int(curve["n_train"][i]),
                         "draws": int(curve["n_draws"][i]),
                         "mean": float(curve["mean"][i]),
                         "std": float(curve["std"][i]),
                         "min": float(np.min(fitted)), "max": float(np.max(fitted)),
                         "fit s mean": float(np.nanmean(
                             curve["fit_seconds"][i, :curve["n_draws"][i]])),
                         "scores": [float(s) for s in fitted]})
    return rows


def curve_table(rows):
    """Markdown: one line per dataset and model, ``mean ± std`` per size."""
    sizes = sorted({row["size"] for row in rows})
    lines, order = {}, {}
    for row in rows:
        key = (row["dataset"], row["model"])
        order.setdefault(key, len(order))
        line = lines.setdefault(key, {"dataset": key[0], "model": key[1]})
        line[str(row["size"])] = (f"{row['mean']:.3f} ± {row['std']:.3f}"
                                  if row["draws"] > 1 else f"{row['mean']:.3f}")
    return markdown_table([lines[key] for key in sorted(order, key=order.get)],
                          ["dataset", "model", *map(str, sizes)])


def stored_curves(path=RESULTS):
    """``{dataset: {model: curve}}`` rebuilt from the curve rows stored in ``path``.

    Each curve has the keys :func:`plot_learning_curves` reads (``sizes``,
    ``mean``, ``std``, ``scoring``), sizes in increasing order.
    """
    rows = json.loads(Path(path).read_text())["curves"] if Path(path).exists() else []
    grouped = {}
    for row in sorted(rows, key=lambda row: row["size"]):
        curve = grouped.setdefault(row["dataset"], {}).setdefault(
            row["model"], {"sizes": [], "mean": [], "std": [], "scoring": "accuracy"})
        for key, value in (("sizes", row["size"]), ("mean", row["mean"]),
                           ("std", row["std"])):
            curve[key].append(value)
    order = {name: i for i, (name, _) in enumerate(DATASETS.values())}
    models = {name: i for i, name in enumerate(CURVE_MODELS)}
    return {dataset: dict(sorted(curves.items(), key=lambda kv: models.get(kv[0], 99)))
            for dataset, curves in sorted(grouped.items(),
                                          key=lambda kv: order.get(kv[0], 99))}


def plot_panels(curves_by_dataset, path=FIGURE):
    """One panel per dataset, every model's curve on it; saved to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(curves_by_dataset)
    columns = min(n, 2)
    rows = -(-n // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 4.0 * rows),
                                squeeze=False)
    for ax, (dataset, curves) in zip(axes.flat, curves_by_dataset.items()):
        plot_learning_curves(curves, ax=ax)
        ax.set_title(dataset)
        ax.set_ylim(0, 1.02)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


# ----------------------------------------------------------------- driver
def run_dataset(key, parts, install, *, sizes, draws, limit, compose=True,
                check=False):
    """Table rows, curve rows and notes of one dataset.

    ``check`` also runs every composed preset end to end and notes whether
    its predictions are the same (the ``--quick`` smoke run does).
    """
    dataset, loader = DATASETS[key]
    notes, table, fitted = [], [], {}
    _log(f"{dataset}: loading")
    train, test = loader(limit=limit)
    for name in (CLASSICAL, *DEEP):
        _log(f"{dataset}: {name}")
        if "table" in parts:
            result = guarded(dataset, name, table_row, dataset, name, train, test,
                              install, fitted if compose else {})
        else:  # the curves need the features only: untimed
            result = guarded(dataset, name, _features_only, name, train, test,
                              fitted)
        if isinstance(result, tuple):
            row, pipeline, kept = result
            fitted[name] = (pipeline, kept)
            result = row
        if result is not None:
            if check and result.get("timing", "measured") != "measured":
                notes.append(_check_composed(dataset, name, result, train, test,
                                             install))
            table.append(result)
            print(markdown_table([result], TABLE_COLUMNS).splitlines()[-1], flush=True)
        gc.collect()
    rows = []
    if "curves" in parts:
        models = curve_models(fitted, train, test, notes, dataset)
        rows = curve_rows(dataset, models, train, test, sizes, draws, notes)
    for row in table:
        row.pop("predicted", None)
    return table, rows, notes


def _check_composed(dataset, name, row, train, test, install):
    """A note comparing a composed row's predictions with an end-to-end run."""
    again = table_row(dataset, name, train, test, install, {})[0]
    same = np.mean(np.asarray(again["predicted"]) == np.asarray(row["predicted"]))
    return (f"{dataset}: {name} composed {row['timing']} against end to end: "
            f"{same:.0%} of predictions the same; fit {row['fit s']:.1f} s vs "
            f"{again['fit s']:.1f} s, predict {row['predict s']:.1f} s vs "
            f"{again['predict s']:.1f} s, peak {row['peak MiB']:.0f} vs "
            f"{again['peak MiB']:.0f} MiB.")


def _features_only(name, train, test, fitted):
    """``(None, pipeline, features)``: a preset fitted for its features only."""
    pipeline = classical.make_pipeline(name, n_jobs=-1)
    recipe = composition(name, pipeline, fitted)
    if recipe:
        return None, pipeline, _composed(pipeline, *recipe, fitted, train, test)[3]
    return None, pipeline, _fit_predict(pipeline, train, test)[3]


def _merge(stored, rows, keys, stamp):
    merged = {tuple(row[k] for k in keys): row for row in stored}
    for row in rows:
        clean = {k: (None if isinstance(v, float) and v != v else v)
                 for k, v in row.items()}
        merged[tuple(row[k] for k in keys)] = {**clean, **stamp}
    return list(merged.values())


def record(table, curve_rows_, install, stamp, run=None, path=RESULTS):
    """Merge rows into ``path`` (earlier rows of the same keys replaced).

    ``run`` (the whole run's command, time, load and notes) is appended to the
    file's list of runs.
    """
    stored = json.loads(path.read_text()) if path.exists() else {}
    result = {"runs": stored.get("runs", []) + ([run] if run else []),
              "install": {**install, **stamp},
              "table": _merge(stored.get("table", []), table,
                              ("dataset", "pipeline"), stamp),
              "curves": _merge(stored.get("curves", []), curve_rows_,
                               ("dataset", "model", "size"), stamp)}
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


def _names(text, valid, what, parser):
    names = [name for name in text.split(",") if name]
    unknown = [name for name in names if name not in valid]
    if unknown or not names:
        parser.error(f"unknown or no {what}: {text!r}; valid: {', '.join(valid)}")
    return names


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=None,
                        help="comma-separated, from: " + ", ".join(DATASETS))
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="comma-separated, from: table, curves")
    parser.add_argument("--draws", type=int, default=5,
                        help="random training sets per size (default 5)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="training images per class (default 1,5,10,20,50)")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny smoke run (3 images a class a side); records "
                             "nothing")
    parser.add_argument("--end-to-end", dest="compose", action="store_false",
                        help="run deep-knn and hybrid end to end rather than on the "
                             "features of deep-logreg and scene-best")
    parser.add_argument("--no-record", dest="record", action="store_false",
                        help="print only: no results file, no figure")
    args = parser.parse_args(argv)
    parts = _names(args.parts, PARTS, "parts", parser)
    default_sets = QUICK["datasets"] if args.quick else tuple(DATASETS)
    datasets = _names(args.datasets or ",".join(default_sets), list(DATASETS),
                      "datasets", parser)
    sizes = QUICK["sizes"] if args.quick else tuple(int(s) for s in
                                                    args.sizes.split(","))
    draws = QUICK["draws"] if args.quick else args.draws
    if draws < 1:
        parser.error(f"--draws must be at least 1; got {draws}.")
    limit = QUICK["limit"] if args.quick else None
    stamp = {"command": " ".join(["python -m benchmarks.compare", *argv]),
             "commit": report.current_commit(), "date": date.today().isoformat()}

    start, load = time.perf_counter(), os.getloadavg()[0]
    install = installed_sizes()
    table, rows, notes, first = [], [], [], {}
    if "table" in parts:
        try:
            first = deep_first_call()
        except Exception as error:  # without the deep extra: its rows fail anyway
            notes.append(f"deep first call failed: {type(error).__name__}: {error}")
            _log(notes[-1])
    print(markdown_table([], TABLE_COLUMNS), flush=True)
    for key in datasets:
        try:
            result = run_dataset(key, parts, install, sizes=sizes, draws=draws,
                                 limit=limit, compose=args.compose, check=args.quick)
        except Exception as error:  # e.g. the data folder is absent
            notes.append(f"skipped {key}: {type(error).__name__}: {error}")
            _log(notes[-1])
            continue
        table += result[0]
        rows += result[1]
        notes += result[2]
        if args.record and not args.quick:  # after each dataset: a crash keeps them
            record(result[0], result[1], install, stamp)
            if result[1]:
                plot_panels(stored_curves())
    minutes = (time.perf_counter() - start) / 60
    deep = {k: v for k, v in install.items() if k.startswith("deep")}
    print(f"\nInstalled: core {install['core MiB']:,.0f} MiB "
          f"({len(install['core packages'])} packages); the deep extra adds "
          f"{deep['deep adds MiB']:,.0f} MiB: " + ", ".join(
              f"{name} {mib:,.1f}" for name, mib in deep["deep by package"].items()))
    if "table" in parts:
        print("\n" + markdown_table(table, TABLE_COLUMNS))
    if rows:
        print("\nAccuracy on the test split by training images per class (mean ± "
              f"sample std over {draws} draws; one fit where a size takes the whole "
              "split):\n\n" + curve_table(rows))
    if first:
        print(f"\nThe deep extractor's first call in a process (weights read, ONNX "
              f"graph built, session opened; not in the rows): "
              f"{first['deep first call s']:.1f} s, "
              f"{first['deep first call MiB']:,.0f} MiB held.")
    print(f"\n{minutes:.1f} minutes; load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores.")
    for note in notes:
        print(f"- {note}")
    if args.record and not args.quick:
        run = {**stamp, **first, "minutes": round(minutes, 1),
               "load average at start": load,
               "load average at end": os.getloadavg()[0], "notes": notes}
        record([], [], install, stamp, run)
        _log(f"recorded in {RESULTS.name}" + (f" and {FIGURE.name}" if rows else ""))


if __name__ == "__main__":
    main()
