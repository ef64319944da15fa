"""Feature extraction of whole presets on the 5,000 EuroSAT images.

Compares, in one run on the same images:

- the hand-written scikit-image + OpenCV script of ``benchmarks.accuracy.
  plain_baseline`` (HSV 8x8x8 histogram + uniform LBP(8, 1) + HOG 8x8 cells),
  parallelised over images with joblib as its author did;
- the same three descriptors computed by ``classical``'s kernels
  (:func:`plain_equivalent_features`), so the ratio is like for like;
- the ``global-svm`` preset's richer features (675 values: colour LBP at three
  scales, three colour spaces of histograms and moments, coarse HOG).

Both sides use the machine's two cores.
"""

import numpy as np
from sklearn.pipeline import FeatureUnion, Pipeline

import classical
from classical.datasets import load_folder
from classical.descriptors import ColorHistogramExtractor, HOGExtractor, LBPExtractor
from classical.preprocess import Grayscale

from .._timing import (
    SHARED_DATA,
    SPEED_COLUMNS,
    first_call_seconds,
    markdown_table,
    median_seconds,
)
from ..accuracy import plain_baseline


def plain_equivalent_features(n_jobs=-1):
    """The plain script's three descriptors, built from the library's extractors."""
    return FeatureUnion([
        ("color", ColorHistogramExtractor(color_space="hsv", bins=(8, 8, 8),
                                          n_jobs=n_jobs)),
        ("texture", Pipeline([("gray", Grayscale()),
                              ("lbp", LBPExtractor(P=8, R=1, method="uniform",
                                                   n_jobs=n_jobs))])),
        ("shape", Pipeline([("gray", Grayscale()),
                            ("hog", HOGExtractor(pixels_per_cell=(8, 8),
                                                 cells_per_block=(2, 2),
                                                 n_jobs=n_jobs))])),
    ])


def global_svm_features(n_jobs=-1):
    """The ``global-svm`` preset's feature union, on ``n_jobs`` threads."""
    return classical.make_pipeline("global-svm", n_jobs=n_jobs).named_steps["features"]


def run(quick=False):
    """Time the three extractions; ratios are against the plain script."""
    images = load_folder(SHARED_DATA / "eurosat_rgb").images
    if quick:
        images = images[:1000]
    images = np.stack(images)
    n = len(images)
    rows = []
    peer = median_seconds(lambda: plain_baseline.extract(list(images)), repeat=3)
    for work, build in [
        ("plain script's features via classical kernels", plain_equivalent_features),
        ("global-svm preset features (675 values)", global_svm_features),
    ]:
        cold = first_call_seconds(lambda b=build: b().fit_transform(images[:8]))
        ours = median_seconds(lambda b=build: b().fit_transform(images), repeat=5)
        rows.append({
            "work": f"{work}, {n} EuroSAT 64x64 RGB",
            "unit": "img/s", "ours": n / ours,
            "peer": "plain skimage+OpenCV script (joblib, 2 workers)",
            "peer throughput": n / peer, "ratio": peer / ours,
            "ours first call s": cold,
        })
    return rows


if __name__ == "__main__":
    print(markdown_table(run(), SPEED_COLUMNS))
