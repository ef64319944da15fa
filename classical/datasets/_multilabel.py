"""Loading images that carry several labels each, listed in a CSV file."""

import csv
import os

import numpy as np
from sklearn_compat.utils._param_validation import validate_params

from ..utils._docstring import N_JOBS_DOC, VERBOSE_DOC, Substitution
from ._folder import _LOAD_OPTIONS, _listing, _load
from ._read import IMAGE_EXTENSIONS

__all__ = ["MultiLabelDataset", "load_multilabel"]

_COLUMNS = ("image", "labels")
_SEPARATOR = ";"
_CSV_LAYOUT = (
    "Expected a header line 'image,labels', then one row per image: the file "
    "stem or the path relative to image_root, and its labels joined by ';' "
    "(e.g. 'beach01,sand;sea')."
)


class MultiLabelDataset:
    """Images with a set of labels each.

    Parameters
    ----------
    images : list of ndarray of shape (H, W) or (H, W, 3)
        The images; sizes may differ.
    paths : list of str of shape (n_images,)
        The file each image was read from.
    label_sets : list of tuple of str of shape (n_images,)
        The labels of each image.
    label_names : list of str or None, default=None
        All label names, sorted; ``None`` takes those in ``label_sets``.

    Attributes
    ----------
    images : list of ndarray
        The images, in order.
    paths : list of str
        The file of each image.
    label_names : list of str
        The sorted label names: the columns of ``Y``.
    label_sets : list of tuple of str
        The labels of each image, in ``label_names`` order.
    Y : ndarray of int64 of shape (n_images, n_labels)
        The indicator matrix: ``Y[i, j]`` is 1 when image ``i`` carries
        ``label_names[j]``, else 0.
    """

    def __init__(self, images, paths, label_sets, label_names=None):
        self.images = list(images)
        self.paths = [str(p) for p in paths]
        if label_names is None:
            label_names = sorted({name for names in label_sets for name in names})
        self.label_names = list(label_names)
        column = {name: j for j, name in enumerate(self.label_names)}
        self.Y = np.zeros((len(self.images), len(self.label_names)), dtype=np.int64)
        for i, names in enumerate(label_sets):
            self.Y[i, [column[name] for name in names]] = 1
        self.label_sets = [tuple(np.asarray(self.label_names, dtype=object)[row == 1])
                           for row in self.Y]

    def __len__(self):
        return len(self.images)

    def __repr__(self):
        return (f"MultiLabelDataset({len(self)} images, {len(self.label_names)} "
                "labels)")

    def subset(self, index):
        """Take some of the images, keeping all label names.

        Parameters
        ----------
        index : array-like of int of shape (n_kept,)
            Positions of the images to keep.

        Returns
        -------
        subset : MultiLabelDataset
            The selected images, paths and label sets, in the order of ``index``.
        """
        index = np.asarray(index, dtype=np.intp)
        return MultiLabelDataset([self.images[i] for i in index],
                                 [self.paths[i] for i in index],
                                 [self.label_sets[i] for i in index],
                                 self.label_names)


def _read_rows(labels_csv):
    """``(image, label tuple)`` for every row of the CSV file."""
    with open(labels_csv, newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        header = reader.fieldnames or []
        missing = [name for name in _COLUMNS if name not in header]
        if missing:
            raise ValueError(f"labels_csv {labels_csv!r} lacks the column(s) "
                             f"{missing}; its header is {header}. {_CSV_LAYOUT}")
        rows = []
        for line, row in enumerate(reader, start=2):
            image = (row["image"] or "").strip()
            if not image:
                raise ValueError(f"labels_csv {labels_csv!r}, line {line}: the "
                                 f"'image' cell is empty. {_CSV_LAYOUT}")
            names = (row["labels"] or "").split(_SEPARATOR)
            rows.append((image, tuple(sorted({n.strip() for n in names} - {""}))))
    if not rows:
        raise ValueError(f"labels_csv {labels_csv!r} lists no images. {_CSV_LAYOUT}")
    images, counts = np.unique([image for image, _ in rows], return_counts=True)
    if counts.max() > 1:
        raise ValueError(f"labels_csv {labels_csv!r} lists some images more than "
                         f"once: {_listing(images[counts > 1].tolist())}. Give each "
                         "image one row with all its labels joined by ';'.")
    return rows


def _index_images(root):
    """Map every image file under ``root`` by relative path, with and without
    extension, and by file stem, to the files so named."""
    found = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            stem, extension = os.path.splitext(name)
            if name.startswith(".") or extension.lower() not in IMAGE_EXTENSIONS:
                continue
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            for key in {relative, os.path.splitext(relative)[0], stem}:
                found.setdefault(key, []).append(path)
    return found


def _resolve(image, found, root):
    """The file of one CSV ``image`` entry; a path under root when not found
    (reading it then reports it as missing, as any unreadable file)."""
    key = image.replace("\\", "/").removeprefix("./")
    candidates = found.get(key, [])
    if len(candidates) > 1:
        raise ValueError(
            f"The image {image!r} of labels_csv matches {len(candidates)} files "
            f"under {root!r}: {_listing(candidates)}. Give its path relative to "
            "image_root instead of the file stem.")
    return candidates[0] if candidates else os.path.join(root, key)


@validate_params({"image_root": [str, os.PathLike],
                  "labels_csv": [str, os.PathLike], **_LOAD_OPTIONS},
                 prefer_skip_nested_validation=True)
@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC)
def load_multilabel(image_root, labels_csv, *, size=None, color="rgb",
                    on_error="warn", n_jobs=None, verbose=False):
    """Load images and their label sets from a folder and a CSV file.

    Parameters
    ----------
    image_root : str or path-like
        The folder holding the images, at any depth.
    labels_csv : str or path-like
        A CSV file with a header line and the columns ``image`` and
        ``labels`` (others are ignored). ``image`` is the file's stem (e.g.
        ``beach01``) or its path relative to ``image_root``, with or without
        extension (e.g. ``beach/beach01.tif``); ``labels`` are the image's
        labels joined by ``;`` (e.g. ``sand;sea``), possibly none.
    size : int or tuple of (int, int) or None, default=None
        As in :func:`load_folder`.
    color : {'rgb', 'gray'}, default='rgb'
        As in :func:`load_folder`.
    on_error : {'warn', 'raise', 'ignore'}, default='warn'
        As in :func:`load_folder`; an image listed in the CSV but not found
        under ``image_root`` is reported the same way, by the path it was
        looked for at.
    {n_jobs}
    {verbose}

    Returns
    -------
    dataset : MultiLabelDataset
        The images that loaded, in CSV order, with ``paths``,
        ``label_names`` (sorted; every label of the CSV, even one whose
        images all failed), ``label_sets`` and the indicator matrix ``Y``.

    Raises
    ------
    ValueError
        If ``image_root`` is not a folder, the CSV lacks a column, lists an
        image twice or gives a stem that names several files, or if no image
        could be loaded.
    ImageLoadError
        If ``on_error='raise'`` and some images are missing or could not be
        decoded.

    Warns
    -----
    ImageLoadWarning
        If ``on_error='warn'`` and some images are missing or could not be
        decoded.

    See Also
    --------
    load_folder : Images with one label each, a folder per class.
    classical.evaluation.evaluate_multilabel : Scores of predicted label sets.

    Notes
    -----
    Files are found as :func:`load_folder` finds them (``.jpg``, ``.jpeg``,
    ``.png``, ``.tif``, ``.tiff``, ``.bmp``; hidden files and folders
    skipped), in every sub-folder of ``image_root``. Label names are
    stripped of surrounding spaces and a label repeated in one row counts
    once.
    """
    root = os.fspath(image_root)
    if not os.path.isdir(root):
        raise ValueError(f"image_root {root!r} is not a folder. Pass the folder "
                         "that holds the images listed in labels_csv.")
    rows = _read_rows(os.fspath(labels_csv))
    found = _index_images(root)
    files = [_resolve(image, found, root) for image, _ in rows]
    paths, counts = np.unique(files, return_counts=True)
    if counts.max() > 1:
        raise ValueError(f"labels_csv {os.fspath(labels_csv)!r} names some files "
                         f"in more than one row: {_listing(paths[counts > 1].tolist())}"
                         ". Give each image one row with all its labels.")
    loaded = _load(files, None, f"listed in {os.fspath(labels_csv)!r}", size=size,
                   color=color, on_error=on_error, n_jobs=n_jobs, verbose=verbose)
    row_of = {path: i for i, path in enumerate(files)}
    kept = [row_of[path] for path in loaded.paths]
    label_names = sorted({name for _, names in rows for name in names})
    return MultiLabelDataset(loaded.images, loaded.paths,
                             [rows[i][1] for i in kept], label_names)
