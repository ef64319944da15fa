"""The three labelled rasters of the accuracy benchmark and their splits.

Each loader returns a :class:`Scene`: the image as an ``(H, W, B)`` float32
array (``None`` for Statlog, which comes as rows), the label raster (0 =
unlabelled), the class names, and a list of ``(train_mask, test_mask)``
boolean ``(H, W)`` pairs (for Statlog, index arrays into its own files).

Protocols
---------
Salinas-A (``salinas_a/``: 83 x 86 x 224 AVIRIS radiance, 6 classes, 5,348 labelled)
    All 224 bands. 5% of each class's labelled pixels train, the rest test:
    ``train_test_split(train_size=0.05, stratify=labels, random_state=0)`` on
    the labelled pixels in row-major order (267 training, 5,081 test pixels;
    19 in the smallest class, broccoli).
Landsat 7 (``landsat7_training_geotiff/``: 250 x 250, bands 1-7, 5 classes, 718 px)
    Stratified group 5-fold: ``StratifiedGroupKFold(5, shuffle=True,
    random_state=0)`` with the groups of :func:`classical.geo.polygon_groups`
    (8-connected regions of each class: 31 groups, water 5, urban 2), so no
    polygon is on both sides.
    Urban has two polygons, so three folds test no urban pixel.
Statlog Landsat (``statlog_landsat/``)
    Its own files: 4,435 training and 2,000 test rows of 36 features (a 3 x 3
    neighbourhood of four Landsat MSS bands, :func:`benchmarks.accuracy.statlog.load`).
"""

from typing import NamedTuple

import numpy as np
from scipy.io import loadmat
from sklearn.model_selection import StratifiedGroupKFold, train_test_split

from .._timing import SHARED_DATA
from ..accuracy import statlog

SALINAS_NAMES = {1: "broccoli weeds 1", 10: "corn senesced weeds",
                 11: "lettuce 4 wk", 12: "lettuce 5 wk", 13: "lettuce 6 wk",
                 14: "lettuce 7 wk"}
LANDSAT7_NAMES = {1: "forest", 2: "water", 3: "herbaceous", 4: "barren", 5: "urban"}
STATLOG_NAMES = {1: "red soil", 2: "cotton crop", 3: "grey soil", 4: "damp grey soil",
                 5: "vegetation stubble", 7: "very damp grey soil"}
LANDSAT7 = SHARED_DATA / "landsat7_training_geotiff"


class Scene(NamedTuple):
    """A labelled dataset and the splits it is scored on."""

    name: str
    image: np.ndarray | None
    labels: np.ndarray | None
    class_names: dict
    splits: list
    rows: tuple | None = None  # Statlog: X_train, y_train, X_test, y_test
    note: str = ""


def salinas_a(*, train_size=0.05, random_state=0):
    """Salinas-A with its stratified 5% training split."""
    folder = SHARED_DATA / "salinas_a"
    image = loadmat(folder / "SalinasA.mat")["salinasA"].astype(np.float32)
    labels = loadmat(folder / "SalinasA_gt.mat")["salinasA_gt"].astype(np.int64)
    labelled = np.flatnonzero(labels)
    train, _ = train_test_split(labelled, train_size=train_size,
                                stratify=labels.ravel()[labelled],
                                random_state=random_state)
    train_mask = np.zeros(labels.shape, bool)
    train_mask.flat[train] = True
    return Scene("Salinas-A", image, labels, SALINAS_NAMES,
                 [(train_mask, (labels > 0) & ~train_mask)])


def landsat7(*, n_splits=5, random_state=0):
    """The Landsat 7 stack (bands 1-7) with its polygon-grouped folds."""
    import rasterio

    from classical.geo import polygon_groups

    with rasterio.open(LANDSAT7 / "LE70220491999322EDC01_stack.gtif") as source:
        image = np.moveaxis(source.read(list(range(1, 8))), 0, -1).astype(np.float32)
    with rasterio.open(LANDSAT7 / "training_data.gtif") as source:
        labels = source.read(1).astype(np.int64)
    groups = polygon_groups(labels)
    labelled = np.flatnonzero(labels)
    folds = StratifiedGroupKFold(n_splits, shuffle=True, random_state=random_state)
    splits = []
    for train, test in folds.split(labelled, labels.ravel()[labelled],
                                   groups.ravel()[labelled]):
        masks = np.zeros((2, *labels.shape), bool)
        masks[0].flat[labelled[train]] = True
        masks[1].flat[labelled[test]] = True
        splits.append((masks[0], masks[1]))
    per_class = {LANDSAT7_NAMES[c]: np.unique(groups[labels == c]).size
                 for c in LANDSAT7_NAMES}
    note = f"{groups.max()} polygon groups (8-connected regions): {per_class}"
    return Scene("Landsat 7", image, labels, LANDSAT7_NAMES, splits, note=note)


def statlog_landsat():
    """Statlog Landsat's own training and test rows."""
    return Scene("Statlog Landsat", None, None, STATLOG_NAMES, [None],
                 rows=statlog.load())


DATASETS = {"salinas": salinas_a, "landsat7": landsat7, "statlog": statlog_landsat}

