"""Fall back to the parent class: EuroSAT and UC Merced under a class tree.

Run ``python -m benchmarks.decisions.hierarchy [--thresholds 0.7,0.9]
[--bases vote,logistic] [--limit N] [--report]`` from the repository root
(``--limit`` keeps N images per class on each side: smoke runs only;
``--report`` also prints each dataset's full
:class:`classical.evaluation.HierarchyReport` for the last base at the last
threshold).

Protocol. The accuracy benchmark's splits
(:mod:`benchmarks.accuracy.datasets`: EuroSAT RGB 4,000 training and 1,000
test images, UC Merced 80/20, both stratified with seed 0). Every image is
described once by ``global-svm``'s extractor (its first step), and five
classifiers of those features are wrapped in
:class:`classical.classifiers.HierarchicalClassifier` (``mode='flat'``:
fitted on the leaves, probabilities summed up the tree):

- ``global-svm``: the preset's own scaling and RBF SVM with one Platt sigmoid
  per class (5-fold, ``ensemble=False``);
- ``svm isotonic``: the same SVM calibrated by isotonic regression, an
  ensemble of the five fold models (``CalibratedClassifierCV(method=
  'isotonic', cv=5)``);
- ``logistic``: scaling and a multinomial logistic regression (``C=0.1``);
- ``stacked``: scaling, then a multinomial logistic regression (``C=1``)
  fitted on the 5-fold held-out decision values of the RBF SVM and
  probabilities of ``logistic`` (:class:`sklearn.ensemble.StackingClassifier`);
- ``vote``: the mean of the probabilities of ``svm isotonic`` and ``logistic``
  (:class:`sklearn.ensemble.VotingClassifier`, soft voting).

Columns: ``flat`` the accuracy of the most probable leaf; ``right`` the share
of answered images (root excluded) whose answer is the true leaf or one of its
ancestors; ``leaf`` / ``L2`` / ``L1`` / ``root`` the shares of images whose
answer stopped at a leaf, at an inner node of that level, or at the root
(unknown); ``hF`` the hierarchical F1 of Kiritchenko et al.; ``P1``,
``P2``, ... the precision at that level (1: the top parents) of the answers
that reach it, after the arrow, against the flat classifier's accuracy at
that level before it: how much the fallback raises precision.

The trees (land cover as an RGB image shows it, not land use):

- EuroSAT: Vegetation (Forest, HerbaceousVegetation, Pasture; pasture is
  farmland by use but grassland by cover, and EuroSAT's models confuse it
  with herbaceous vegetation), Agriculture (AnnualCrop, PermanentCrop),
  Built-up (Highway, Industrial, Residential), Water (River, SeaLake).
- UC Merced, three levels where the scenes allow: Urban (Residential: dense,
  medium, sparse, mobile home park; Built-up: buildings, storage tanks,
  tennis court, baseball diamond, parking lot), Transport (airplane,
  freeway, intersection, overpass, runway: leaves at level 2) and Natural
  (Vegetation: agricultural, chaparral, forest, golf course; Water: beach,
  river, harbor).

Results at threshold 0.9 (library at e9a6bcb, ``vote`` at da2ff9b; the goal
on EuroSAT is at least 97.5% of the answers right with at most 20% at the
root):

========== ============ ===== ===== ===== ===== ===== =====
dataset    base         flat  right leaf  root  hF    P1
========== ============ ===== ===== ===== ===== ===== =====
EuroSAT    global-svm   0.938 0.985 0.195 0.521 0.496 0.985
EuroSAT    svm isotonic 0.927 0.982 0.684 0.218 0.835 0.988
EuroSAT    logistic     0.922 0.987 0.757 0.180 0.873 0.991
EuroSAT    stacked      0.929 0.978 0.825 0.124 0.902 0.983
EuroSAT    vote         0.930 0.992 0.721 0.206 0.857 0.995
UC Merced  global-svm   0.876 0.960 0.024 0.519 0.378 0.980
UC Merced  svm isotonic 0.898 0.966 0.555 0.160 0.798 0.983
UC Merced  logistic     0.855 0.984 0.490 0.274 0.743 0.993
UC Merced  stacked      0.881 0.941 0.660 0.148 0.829 0.975
UC Merced  vote         0.898 0.991 0.474 0.229 0.758 1.000
========== ============ ===== ===== ===== ===== ===== =====

``global-svm``'s per-class Platt sigmoids, renormalised, are underconfident:
half the images stop at the root. Two better-calibrated bases meet the goal
on EuroSAT (``logistic`` and ``stacked``; ``stacked`` keeps the most images
at a leaf); ``vote`` keeps the isotonic SVM's flat accuracy and is the most
often right, but sends 21% to the root. On UC Merced, 80 training images a
class, none does both: ``logistic`` and ``vote`` are at least 97.5% right
with 27% and 23% at the root, the stacked model is overconfident there.
Two things tried and left out (EuroSAT, 0.9): ``mode='local'`` with the
logistic base (96.9% right, 19% at the root: worse than summing the flat
model's probabilities), and :class:`sklearn.calibration.CalibratedClassifierCV`
with ``method='temperature'`` on the SVM (58% at the root).
"""

import argparse

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline as make_sklearn_pipeline
from sklearn.preprocessing import StandardScaler

from classical import make_pipeline
from classical.classifiers import HierarchicalClassifier
from classical.evaluation import ClassHierarchy, evaluate_hierarchy

from ..accuracy.datasets import load_eurosat, load_ucmerced

EUROSAT_TREE = {
    "Vegetation": ["Forest", "HerbaceousVegetation", "Pasture"],
    "Agriculture": ["AnnualCrop", "PermanentCrop"],
    "Built-up": ["Highway", "Industrial", "Residential"],
    "Water": ["River", "SeaLake"],
}
UCMERCED_TREE = {
    "Urban": ["Residential", "Built-up"],
    "Transport": ["airplane", "freeway", "intersection", "overpass", "runway"],
    "Natural": ["Vegetation", "Water"],
    "Residential": ["denseresidential", "mediumresidential", "sparseresidential",
                    "mobilehomepark"],
    "Built-up": ["buildings", "storagetanks", "tenniscourt", "baseballdiamond",
                 "parkinglot"],
    "Vegetation": ["agricultural", "chaparral", "forest", "golfcourse"],
    "Water": ["beach", "river", "harbor"],
}
DATASETS = {"EuroSAT": (load_eurosat, EUROSAT_TREE),
            "UC Merced": (load_ucmerced, UCMERCED_TREE)}


def bases():
    """Name -> unfitted classifier of the ``global-svm`` features."""
    preset = make_pipeline("global-svm")[1:]
    logistic = LogisticRegression(C=0.1, max_iter=5000)
    stack = StackingClassifier(
        [("svm", clone(preset.named_steps["svm"].estimator)), ("logistic", logistic)],
        final_estimator=LogisticRegression(C=1.0, max_iter=5000), cv=5)
    isotonic = clone(preset).set_params(svm__method="isotonic", svm__ensemble=True)
    return {
        "global-svm": preset,
        "svm isotonic": isotonic,
        "logistic": make_sklearn_pipeline(StandardScaler(), logistic),
        "stacked": make_sklearn_pipeline(StandardScaler(), stack),
        "vote": make_sklearn_pipeline(StandardScaler(), VotingClassifier(
            [("svm", isotonic.named_steps["svm"]), ("logistic", logistic)],
            voting="soft")),
    }


def header(tree):
    """The two header lines of a dataset's table, for a tree of ``tree``'s depth."""
    depth = max(map(tree.depth, tree.leaves))
    titles = (["base", "threshold", "flat", "right", "leaf"]
              + [f"L{d}" for d in range(depth - 1, 0, -1)] + ["root", "hF"]
              + [f"P{d} flat -> fallback" for d in range(1, depth + 1)])
    return ("| " + " | ".join(titles) + " |\n|---|"
            + "---:|" * (len(titles) - 1))


def row(name, threshold, model, X_test, y_test):
    """One Markdown row: the answers at ``threshold`` against the flat ones."""
    tree = model.hierarchy_
    flat = model.classes_[model.predict_proba(X_test).argmax(axis=1)]
    before = evaluate_hierarchy(y_test, flat, tree)
    after = evaluate_hierarchy(y_test, model.set_params(threshold=threshold)
                               .predict(X_test), tree)
    stops = {a["at"]: a["share"] for a in after.answers}
    inner = [f"level {d}" for d in range(len(before.levels) - 1, 0, -1)]
    cells = [name, f"{threshold:g}", f"{np.mean(flat == y_test):.3f}",
             f"{after.right:.3f}"]
    cells += [f"{stops.get(at, 0):.3f}" for at in ["leaf"] + inner + ["unknown"]]
    cells.append(f"{after.scores['f1']:.3f}")
    cells += [f"{b['precision']:.3f} -> {a['precision']:.3f}"
              for b, a in zip(before.levels, after.levels)]
    return "| " + " | ".join(cells) + " |", after


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", default="0.7,0.9")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--bases", default=None,
                        help="comma-separated subset of the bases (default: all)")
    args = parser.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    for title, (load, tree) in DATASETS.items():
        train, test = load(limit=args.limit)
        extractor = make_pipeline("global-svm", n_jobs=1)[0]
        X_train = extractor.fit_transform(train.images)
        X_test = extractor.transform(test.images)
        print(f"\n### {title}: {len(X_train)} training, {len(X_test)} test images\n")
        print(header(ClassHierarchy(tree)))
        chosen = bases()
        for name in args.bases.split(",") if args.bases else list(chosen):
            base = chosen[name]
            model = HierarchicalClassifier(base, tree).fit(X_train,
                                                           np.asarray(train.labels))
            for threshold in thresholds:
                line, report = row(name, threshold, model, X_test, test.labels)
                print(line, flush=True)
        if args.report:
            print("\n" + report.to_markdown())


if __name__ == "__main__":
    main()
