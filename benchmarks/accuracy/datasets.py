"""The shared image datasets of the accuracy benchmark and their train/test splits.

Each ``load_<dataset>(root=None, *, limit=None)`` returns ``(train, test)``,
two :class:`classical.datasets.ImageDataset` objects of RGB uint8 images at
their native sizes (grey files are replicated to three channels). Files are
listed class by class, classes sorted by folder name and files sorted by name
(plain string order, as :func:`classical.datasets.load_folder` does); a split
function turns those labels or paths into positions, and only the chosen
images are decoded. The protocols themselves are documented in
:mod:`benchmarks.accuracy` (``__main__.py``).

``limit`` keeps at most that many images per class on each side, the first
ones in split order: it is for smoke runs only and changes every figure.
"""

import re
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from classical.datasets import ImageDataset, load_images

from .._timing import SHARED_DATA

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp")
TILE_NAME = re.compile(r"^D(?P<plate>\d+)_r(?P<row>\d+)c(?P<col>\d+)\.png$")
BRODATZ_TRAIN_ROWS = (0, 1)
BRODATZ_TEST_ROWS = (3,)
CALTECH_TRAIN, CALTECH_TEST = 30, 30


def list_class_files(root):
    """Paths and labels of ``root/<class>/<image>``, classes and files sorted.

    Parameters
    ----------
    root : str or path-like
        A folder-per-class tree.

    Returns
    -------
    paths : list of str
        The image files (by extension, any case), class by class.
    labels : ndarray of str of shape (n_files,)
        The class folder of each file.
    """
    paths, labels = [], []
    for folder in sorted(p for p in Path(root).iterdir()
                         if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in folder.iterdir()
                       if p.suffix.lower() in IMAGE_SUFFIXES
                       and not p.name.startswith("."))
        paths += [str(p) for p in files]
        labels += [folder.name] * len(files)
    if not paths:
        raise ValueError(f"No class folders with images under {str(root)!r}; "
                         "expected root/<class>/<image>.jpg.")
    return paths, np.asarray(labels, dtype=str)


def stratified_split(labels, *, test_size=0.2, random_state=0):
    """Positions of a stratified split, as :meth:`ImageDataset.split` draws it.

    Parameters
    ----------
    labels : array-like of str of shape (n_images,)
        The class of each image, in listing order.
    test_size : float, default=0.2
        Share of each class in the test set.
    random_state : int, default=0
        Seed of :func:`sklearn.model_selection.train_test_split`.

    Returns
    -------
    train, test : ndarray of int
        Positions into ``labels``, in the order ``train_test_split`` returns.
    """
    labels = np.asarray(labels)
    return train_test_split(np.arange(len(labels)), test_size=test_size,
                            random_state=random_state, stratify=labels)


def per_class_split(labels, *, n_train=CALTECH_TRAIN, n_test=CALTECH_TEST,
                    random_state=0):
    """A fixed number of training and test images drawn from every class.

    Each class's positions (in listing order) are shuffled by its own
    ``np.random.RandomState(random_state).permutation``, so a class's draw does
    not depend on the other classes. The first ``n_train`` go to training, the
    next ``n_test`` (or all remaining, when fewer) to test; the rest are unused.

    Parameters
    ----------
    labels : array-like of str of shape (n_images,)
        The class of each image, in listing order.
    n_train : int, default=30
        Training images per class.
    n_test : int, default=30
        Test images per class, at most.
    random_state : int, default=0
        Seed of each class's permutation.

    Returns
    -------
    train, test : ndarray of int
        Positions into ``labels``, class by class in sorted class order.

    Raises
    ------
    ValueError
        If a class has ``n_train`` images or fewer (nothing would be left to
        test).
    """
    labels = np.asarray(labels)
    train, test = [], []
    for name in np.unique(labels).tolist():
        members = np.flatnonzero(labels == name)
        if len(members) <= n_train:
            raise ValueError(
                f"Class {name!r} has {len(members)} images; the per-class split needs "
                f"more than n_train={n_train} to leave any for testing. Add images "
                "or lower n_train.")
        order = members[np.random.RandomState(random_state).permutation(len(members))]
        train.append(order[:n_train])
        test.append(order[n_train:n_train + n_test])
    return np.concatenate(train), np.concatenate(test)


def tile_split(paths, *, train_rows=BRODATZ_TRAIN_ROWS, test_rows=BRODATZ_TEST_ROWS):
    """Split Brodatz tiles ``D<n>_r<row>c<col>.png`` by their grid row.

    Parameters
    ----------
    paths : list of str
        Tile files; only the file name is read.
    train_rows : tuple of int, default=(0, 1)
        Grid rows whose tiles are for training.
    test_rows : tuple of int, default=(3,)
        Grid rows whose tiles are for testing; rows in neither are unused.

    Returns
    -------
    train, test : ndarray of int
        Positions into ``paths``, in listing order.

    Raises
    ------
    ValueError
        If a file name is not ``D<n>_r<row>c<col>.png``, or a row is on both
        sides.
    """
    if set(train_rows) & set(test_rows):
        raise ValueError(f"Rows {sorted(set(train_rows) & set(test_rows))} are in both "
                         "train_rows and test_rows; give each row one side.")
    rows = []
    for path in paths:
        match = TILE_NAME.match(Path(path).name)
        if match is None:
            raise ValueError(f"Tile file {path!r} is not named D<n>_r<row>c<col>.png; "
                             "use the textures_brodatz folder as shipped.")
        rows.append(int(match["row"]))
    rows = np.asarray(rows)
    return (np.flatnonzero(np.isin(rows, train_rows)),
            np.flatnonzero(np.isin(rows, test_rows)))


def limit_per_class(index, labels, limit):
    """Keep the first ``limit`` positions of each class in ``index`` (None: all)."""
    if limit is None:
        return np.asarray(index)
    index = np.asarray(index)
    seen = {}
    keep = []
    for position in index:
        label = labels[position]
        seen[label] = seen.get(label, 0) + 1
        keep.append(seen[label] <= limit)
    return index[np.asarray(keep, dtype=bool)]


def _load(folder, root, split, limit):
    """List ``root`` (default: the shared ``folder``), split it, decode both sides.

    ``split(paths, labels)`` gives the training and test positions; only those
    images (after ``limit``) are read, into two ImageDatasets.
    """
    paths, labels = list_class_files(SHARED_DATA / folder if root is None else root)
    class_names = np.unique(labels).tolist()
    sides = []
    for index in split(paths, labels):
        index = limit_per_class(index, labels, limit)
        files = [paths[i] for i in index]
        images = load_images(files, color="rgb", on_error="raise", n_jobs=-1).images
        sides.append(ImageDataset(images, labels[index], files, class_names))
    return tuple(sides)


def load_eurosat(root=None, *, limit=None):
    """EuroSAT RGB: stratified 80/20 split, ``random_state=0``."""
    return _load("eurosat_rgb", root, lambda _, labels: stratified_split(labels),
                 limit)


def load_ucmerced(root=None, *, limit=None):
    """UC Merced: stratified 80/20 split, ``random_state=0``, native sizes."""
    return _load("ucmerced", root, lambda _, labels: stratified_split(labels), limit)


def load_caltech(root=None, *, limit=None):
    """Caltech-101 subset: 30 training and 30 test images per class."""
    return _load("caltech101_subset10", root,
                 lambda _, labels: per_class_split(labels), limit)


def load_brodatz(root=None, *, limit=None):
    """Brodatz tiles: rows 0-1 train, row 3 test, row 2 unused; grey as RGB."""
    return _load("textures_brodatz", root, lambda paths, _: tile_split(paths), limit)


DATASETS = {
    "eurosat": ("EuroSAT", load_eurosat),
    "ucmerced": ("UC Merced", load_ucmerced),
    "caltech": ("Caltech-101 (10 classes)", load_caltech),
    "brodatz": ("Brodatz", load_brodatz),
}
"""Command-line name to (table name, loader) of every image dataset."""
