"""Multi-label presets on UC Merced's 17-label annotation (Chaudhuri et al., 2018).

Run ``python -m benchmarks.decisions.multilabel [--presets global-svm,global-mlc]
[--variants ovr,tuned,chain] [--seed 0] [--output results.md]`` from the
repository root.

Protocol. The 2,100 UC Merced images (``ucmerced``) with the multi-label
ground truth of ``ucmerced_multilabel/labels.csv``, read by
:func:`classical.datasets.load_multilabel`; an 80/20 split by image,
stratified by scene class (the image's folder), ``train_test_split(...,
test_size=0.2, random_state=seed, stratify=scene)``. Each preset is built with
``make_pipeline(name, multilabel=True)``; its image-to-vector part (the
first step, after a leading colour conversion) is fitted on the training
images and run once per image, presets that share it share the features,
and the rest of the pipeline is fitted on the training features and
indicator matrix. Rows (``--variants``): one-vs-rest at threshold 0.5
(``ovr``), one-vs-rest with each label's threshold tuned for F1 on 3
training folds (``tuned``: the preset as made), a classifier chain at 0.5
(``chain``), and, as the floor, scikit-learn's one-vs-rest logistic
regression (``C = 0.1``) on the standardised ``global-svm`` features.
Scores from :func:`classical.evaluation.evaluate_multilabel`; the per-label
F1 of each row follows the summary table.

Results (seed 0, 420 test images; a machine shared with other jobs, so the
fit seconds are only indicative):

========================================  ======  =====  =====  =======
model                                     sample  micro  macro  Hamming
                                          F1      F1     F1     loss
========================================  ======  =====  =====  =======
global-svm (one-vs-rest, tuned; preset)   0.885   0.873  0.902  0.050
global-svm (one-vs-rest, 0.5)             0.882   0.872  0.899  0.049
global-svm (chain, 0.5)                   0.883   0.872  0.899  0.049
scene-best (one-vs-rest, tuned; preset)   0.881   0.868  0.902  0.052
scene-best (one-vs-rest, 0.5)             0.874   0.863  0.884  0.052
global-mlc (one-vs-rest, tuned; preset)   0.836   0.821  0.838  0.074
global-mlc (one-vs-rest, 0.5)             0.797   0.776  0.798  0.105
floor: logistic C=0.1, global features    0.833   0.827  0.845  0.066
========================================  ======  =====  =====  =======

The hardest labels for every model are ``tanks`` (F1 0.72-0.75 with
``global-svm``), ``bare-soil`` (0.78) and ``court`` (0.82). Chaudhuri et
al. [1]_ built this annotation for image retrieval; no classification
scores of theirs on it are quoted here.

References
----------
.. [1] B. Chaudhuri, B. Demir, S. Chaudhuri, L. Bruzzone, "Multilabel remote
   sensing image retrieval using a semisupervised graph-theoretic method",
   IEEE Trans. Geosci. Remote Sens. 56(2), 1144-1158, 2018.
   :DOI:`10.1109/TGRS.2017.2760909`
"""

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline as sk_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from classical import make_pipeline
from classical.datasets import load_multilabel
from classical.evaluation import evaluate_multilabel

from .._timing import SHARED_DATA


def split(data, seed):
    """Training and test positions: 80/20 by image, stratified by scene class."""
    scene = [Path(path).parent.name for path in data.paths]
    return train_test_split(np.arange(len(data)), test_size=0.2, random_state=seed,
                            stratify=scene)


def features(name, data, train, cache):
    """The preset's image-to-vector steps fitted on the training images and
    applied to all (once per distinct extractor); the remaining steps."""
    pipeline = make_pipeline(name, multilabel=True, n_jobs=-1)
    end = 2 if isinstance(pipeline[0], FunctionTransformer) else 1  # colour first
    key = repr(pipeline[:end])
    if key not in cache:
        start = time.perf_counter()
        extractor = clone(pipeline[:end]).fit([data.images[i] for i in train])
        cache[key] = extractor.transform(data.images)
        print(f"{name}: features of {len(data)} images in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    return cache[key], pipeline[end:]


VARIANTS = {
    "ovr": ("one-vs-rest, 0.5", {}),
    "tuned": ("one-vs-rest, tuned", {"threshold": "tune"}),
    "chain": ("chain, 0.5", {"method": "chain"}),
}


def variants(name, rest, chosen):
    """``(row name, unfitted model)`` of one preset, for the ``chosen`` variants."""
    step = rest.steps[-1][0]
    for variant in chosen:
        row, params = VARIANTS[variant]
        params = {"threshold": 0.5, **params}
        yield (f"{name} ({row})", clone(rest).set_params(
            **{f"{step}__{key}": value for key, value in params.items()}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="global-svm,global-mlc")
    parser.add_argument("--variants", default="ovr,tuned,chain",
                        help=f"any of {', '.join(VARIANTS)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output")
    args = parser.parse_args(argv)

    data = load_multilabel(SHARED_DATA / "ucmerced",
                           SHARED_DATA / "ucmerced_multilabel" / "labels.csv",
                           n_jobs=-1)
    train, test = split(data, args.seed)
    cache, models = {}, []
    for name in args.presets.split(","):
        X, rest = features(name, data, train, cache)
        models += [(row, X, model)
                   for row, model in variants(name, rest, args.variants.split(","))]
        if name == "global-svm":
            floor = sk_pipeline(StandardScaler(), OneVsRestClassifier(
                LogisticRegression(C=0.1, max_iter=2000)))
            models.append(("floor: global-svm features, one-vs-rest logistic C=0.1",
                           X, floor))

    header = ("| Model | sample F1 | micro F1 | macro F1 | Hamming loss | "
              "subset accuracy | fit s |\n|---|---:|---:|---:|---:|---:|---:|")
    rows, per_label = [], []
    print(header, flush=True)
    for row, X, model in models:
        start = time.perf_counter()
        model.fit(X[train], data.Y[train])
        seconds = time.perf_counter() - start
        report = evaluate_multilabel(data.Y[test], model.predict(X[test]),
                                     label_names=data.label_names)
        rows.append(f"| {row} | {report.samples_f1:.3f} | {report.micro_f1:.3f} | "
                    f"{report.macro_f1:.3f} | {report.hamming_loss:.3f} | "
                    f"{report.subset_accuracy:.3f} | {seconds:.0f} |")
        per_label.append(f"| {row} | " + " | ".join(f"{f:.2f}" for f in report.f1)
                         + " |")
        print(rows[-1], flush=True)
    label_header = ("| Model | " + " | ".join(data.label_names) + " |\n|---|"
                    + "---:|" * len(data.label_names))
    text = "\n".join([header, *rows, "", "Per-label F1:", "", label_header,
                      *per_label]) + "\n"
    print("\n" + text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
