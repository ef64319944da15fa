"""A rare class on EuroSAT: one class against the rest at 5% prevalence.

Run ``python -m benchmarks.decisions.rare [--classes Highway,Pasture,SeaLake]
[--preset global-svm] [--prevalence 0.05] [--recall 0.9] [--plot PNG]
[--limit N]`` from the repository root (``--limit`` keeps N images per class
on each side: smoke runs only; ``--plot`` saves the precision-recall curves of
the plain and the tuned model, one row of panels per class).

Protocol. EuroSAT RGB with the accuracy benchmark's split
(:func:`benchmarks.accuracy.datasets.load_eurosat`: 4,000 training and 1,000
test images, stratified, seed 0). Each chosen class is the positive class and
the 9 others are ``rest``. In the training split all negatives are kept and
the positives are subsampled (``np.random.RandomState(0)``) to 5% of the
images; the test split gets the same treatment (``--prevalence``), so that
precision and the majority baseline are those of a world where the
class is rare. The preset's first step (a fixed image-to-vector extractor) is
run once per image and the rest of the pipeline is fitted on its output,
which is the same model as fitting the whole preset.

The classes: ``Highway`` is a realistic rare target (roads are a small share
of any scene) and the hardest of the three (the lowest average precision
below), so the imbalance has room to hurt; ``Pasture`` is a vegetation class
that EuroSAT's models confuse with herbaceous vegetation; ``SeaLake`` is an
easy control, where little should change.

The models: ``majority`` always answers ``rest`` (a 95%-accurate model that
finds nothing: the majority-class warning must fire; the row gives the
numbers of rare training and test images); then the preset with one
option of :func:`classical.make_pipeline` each: ``plain``; ``class_weight``
(``"balanced"``: an error on the rare class costs 19 times more);
``under`` (random undersampling of ``rest`` to parity), ``over`` (random
oversampling of the rare class to parity) and ``smote`` (interpolated rare
samples, Chawla et al. 2002, :DOI:`10.1613/jair.953`), all three at fit time
only; ``threshold`` the plain preset fitted on a stratified 75% of the
training split, its threshold on the rare class's probability chosen on the
other 25% by :func:`classical.evaluation.tune_threshold` for a recall of 0.9
(the row names the threshold).

Columns: recall, precision and F1 of the rare class on the test split at the
model's own decisions; ``AP`` the average precision of its probability of the
rare class (the area under the precision-recall curve: how well it ranks,
whatever the threshold); the balanced accuracy; the accuracy, the majority
baseline (always answering ``rest``) and whether :func:`classical.evaluate`'s
report warns that the accuracy is no better than that baseline.

Results (library at 0b21b41, ``global-svm``; 189 rare training and 47 rare
test images per class; recall / precision of the rare class, then AP):

============ ================= ================= =================
model        Highway           Pasture           SeaLake
============ ================= ================= =================
majority     0.000 0.000 0.050 0.000 0.000 0.050 0.000 0.000 0.050
plain        0.489 0.719 0.709 0.830 0.886 0.939 0.915 0.956 0.985
class_weight 0.489 0.742 0.707 0.851 0.909 0.938 0.915 0.956 0.985
under        0.851 0.274 0.557 0.915 0.506 0.861 0.957 0.849 0.977
over         0.234 0.846 0.714 0.617 0.967 0.941 0.872 1.000 0.985
smote        0.277 0.867 0.722 0.617 0.967 0.941 0.872 1.000 0.985
threshold    0.872 0.398 0.676 0.936 0.638 0.934 0.872 1.000 0.982
============ ================= ================= =================

- The majority-class warning fires on ``majority`` for every class (accuracy
  0.950, balanced accuracy 0.500). It also fires on Highway's ``threshold``
  (accuracy 0.928, below the baseline, at the table's best balanced accuracy
  0.902) and ``under`` (0.881): a prompt to read balanced accuracy and recall,
  not a verdict.
- ``class_weight`` changes almost nothing: the Platt sigmoid is fitted on
  held-out folds without the weights and puts the bias towards ``rest``
  back (see :func:`classical.make_pipeline`'s Notes).
- ``over`` and ``smote`` lower the recall at the same AP (Highway 0.49 to
  0.23 and 0.28): copies and near-copies of a rare image fall on both sides
  of the calibration's folds, so the held-out rare images score as if
  memorised and the sigmoid then asks new ones for more.
- ``under`` buys recall with precision and ranks worse (AP 0.56 against
  0.71 on Highway: 95% of ``rest`` is discarded).
- The tuned threshold (0.074 and 0.081 on the rare probability) reaches
  0.87 and 0.94 of the rare test images for Highway and Pasture, with more
  recall and more precision than ``under``: it moves the operating point
  along the plain model's curve instead of training a worse ranker. On
  SeaLake the validation part's 47 rare images reached recall 0.9 at 0.885
  already, and the test gets 0.87.
"""

import argparse

import numpy as np
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

from classical import evaluate, make_pipeline
from classical.evaluation import plot_precision_recall, tune_threshold

from ..accuracy.datasets import load_eurosat

REST = "rest"
METHODS = {"plain": {}, "class_weight": {"class_weight": "balanced"},
           "under": {"resample": "under"}, "over": {"resample": "over"},
           "smote": {"resample": "smote"}}


def extract(name, train, test):
    """The preset's first step applied to both splits."""
    extractor = clone(make_pipeline(name, n_jobs=1)[0])
    return extractor.fit_transform(train.images, train.labels), extractor.transform(
        test.images)


def rare_subset(labels, positive, prevalence, seed=0):
    """Positions of every negative and of enough positives for ``prevalence``."""
    is_positive = labels == positive
    negatives = np.flatnonzero(~is_positive)
    n_positive = round(prevalence / (1 - prevalence) * len(negatives))
    kept = np.random.RandomState(seed).choice(np.flatnonzero(is_positive),
                                              n_positive, replace=False)
    return np.sort(np.concatenate([negatives, kept]))


def one_against_rest(labels, positive):
    """The labels with every class but ``positive`` renamed ``rest``."""
    return np.where(labels == positive, positive, REST)


def positive_scores(model, X, positive):
    """The model's probability of ``positive``."""
    return model.predict_proba(X)[:, list(model.classes_).index(positive)]


def row(positive, method, model, X_test, y_test):
    """One Markdown row of the rare class's scores on the test split."""
    report = evaluate(y_test, model.predict(X_test))
    k = list(report.labels).index(positive)
    ap = average_precision_score(y_test == positive,
                                 positive_scores(model, X_test, positive))
    warned = "**yes**" if report.warnings else "no"
    return (f"| {positive} | {method} | {report.recall[k]:.3f} | "
            f"{report.precision[k]:.3f} | {report.f1[k]:.3f} | {ap:.3f} | "
            f"{report.balanced_accuracy:.3f} | {report.accuracy:.3f} | "
            f"{report.majority_baseline:.3f} | {warned} |")


def rare_rows(name, positive, features, y_train, y_test, args, axes=None):
    """Markdown rows of one positive class; draws its curves on ``axes``."""
    F_train, F_test = features
    y_train, y_test = (one_against_rest(y, positive) for y in (y_train, y_test))
    train = rare_subset(y_train, positive, args.prevalence)
    test = rare_subset(y_test, positive, args.prevalence)
    F_train, y_train, F_test, y_test = (F_train[train], y_train[train],
                                        F_test[test], y_test[test])
    counts = f"{np.sum(y_train == positive)} / {np.sum(y_test == positive)} rare"
    models = {f"majority ({counts})": DummyClassifier(strategy="most_frequent")}
    models.update((method, make_pipeline(name, n_jobs=1, **options)[1:])
                  for method, options in METHODS.items())
    for method, model in models.items():
        yield row(positive, method, model.fit(F_train, y_train), F_test, y_test)
    fit, val = train_test_split(np.arange(len(y_train)), test_size=0.25,
                                random_state=0, stratify=y_train)
    model = make_pipeline(name, n_jobs=1)[1:].fit(F_train[fit], y_train[fit])
    tuned = tune_threshold(model, F_train[val], y_train[val], recall=args.recall,
                           pos_label=positive)
    yield row(positive, f"threshold {tuned.threshold:.3f}", tuned, F_test, y_test)
    if axes is not None:
        for ax, model, threshold, title in (
                (axes[0], models["plain"], 0.5, "plain (predict at 0.5)"),
                (axes[1], tuned, tuned.threshold,
                 f"threshold tuned for recall {args.recall}")):
            plot_precision_recall(y_test, positive_scores(model, F_test, positive),
                                  pos_label=positive, threshold=threshold, ax=ax)
            ax.set_title(f"{positive}: {title}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", default="Highway,Pasture,SeaLake")
    parser.add_argument("--preset", default="global-svm")
    parser.add_argument("--prevalence", type=float, default=0.05)
    parser.add_argument("--recall", type=float, default=0.9,
                        help="target recall of the tuned threshold")
    parser.add_argument("--plot", default=None, help="PNG of the PR curves")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    train, test = load_eurosat(limit=args.limit)
    y_train, y_test = np.asarray(train.labels), np.asarray(test.labels)
    classes = args.classes.split(",")
    figure = None
    if args.plot:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10, 4.5 * len(classes)), layout="constrained")
        panels = figure.subplots(len(classes), 2, squeeze=False)
    features = extract(args.preset, train, test)
    print(f"{args.preset}, {len(y_train)} training and {len(y_test)} test images; "
          f"rare class at {args.prevalence:.0%} on both sides\n")
    print("| class | method | recall | precision | F1 | AP | balanced accuracy | "
          "accuracy | majority baseline | warning |\n"
          "|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for i, positive in enumerate(classes):
        axes = panels[i] if figure is not None else None
        for line in rare_rows(args.preset, positive, features, y_train, y_test,
                              args, axes):
            print(line, flush=True)
    if figure is not None:
        figure.savefig(args.plot, dpi=120)
        print(f"\nprecision-recall curves saved to {args.plot}")


if __name__ == "__main__":
    main()
