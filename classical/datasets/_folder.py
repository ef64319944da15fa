"""Loading image files, or a folder-per-class tree, into an :class:`ImageDataset`."""

import logging
import os
import warnings
from functools import partial
from numbers import Integral

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import StrOptions
from sklearn_compat.utils._param_validation import validate_params
from tqdm.auto import tqdm

from ..parallel import map_items
from ..utils._docstring import N_JOBS_DOC, VERBOSE_DOC, Substitution
from ..utils._validation import check_positive_pair
from ._read import IMAGE_EXTENSIONS, ImageLoadError, ImageLoadWarning, _try_read

__all__ = ["ImageDataset", "list_image_files", "load_folder", "load_images"]

logger = logging.getLogger("classical.datasets")

_LAYOUT = (
    "Expected one sub-folder per class holding the images: "
    "path/<class>/<image>.jpg (also .jpeg, .png, .tif, .tiff, .bmp)."
)
_MAX_LISTED = 20


class ImageDataset:
    """Images with their class labels and file paths.

    Parameters
    ----------
    images : list of ndarray of shape (H, W) or (H, W, 3)
        The images; sizes may differ.
    labels : array-like of str of shape (n_images,) or None
        The class of each image; None for unlabelled images.
    paths : list of str of shape (n_images,)
        The file each image was read from.
    class_names : list of str or None, default=None
        All class names, sorted; ``None`` takes the distinct ``labels``.

    Attributes
    ----------
    images : list of ndarray
        The images, in order.
    labels : ndarray of str of shape (n_images,) or None
        The class of each image, or None for unlabelled images.
    class_names : list of str
        The sorted class names (empty for unlabelled images).
    paths : list of str
        The file of each image.
    """

    def __init__(self, images, labels, paths, class_names=None):
        self.images = list(images)
        self.labels = None if labels is None else np.asarray(labels, dtype=str)
        self.paths = [str(p) for p in paths]
        if class_names is None:
            class_names = [] if labels is None else np.unique(self.labels).tolist()
        self.class_names = list(class_names)

    def __len__(self):
        return len(self.images)

    def __repr__(self):
        return f"ImageDataset({len(self)} images, {len(self.class_names)} classes)"

    def split(self, test_size=0.2, random_state=None):
        """Split into a stratified training set and test set.

        Parameters
        ----------
        test_size : float or int, default=0.2
            Fraction (float) or number (int) of images in the test set.
        random_state : int, RandomState instance or None, default=None
            Seed of the shuffle. Pass an int for the same split across calls.

        Returns
        -------
        train : ImageDataset
            The training images.
        test : ImageDataset
            The test images; each class keeps its share of the whole
            (unlabelled images are split without stratification).

        Notes
        -----
        This is :func:`sklearn.model_selection.train_test_split` with
        ``stratify=labels``, so ``train_test_split(images, labels,
        test_size=..., random_state=..., stratify=labels)`` gives the same
        images in the same order.
        """
        train, test = train_test_split(
            np.arange(len(self)), test_size=test_size, random_state=random_state,
            stratify=self.labels,
        )
        return self.subset(train), self.subset(test)

    def subset(self, index):
        """Take some of the images, keeping all class names.

        Parameters
        ----------
        index : array-like of int or bool of shape (n_images,)
            Positions of the images to keep, or a boolean mask, e.g.
            ``np.isin(data.labels, ["Forest", "SeaLake"])``.

        Returns
        -------
        subset : ImageDataset
            The selected images, labels and paths, in the order of ``index``.
        """
        index = np.asarray(index)
        if index.dtype == bool:
            if index.shape != (len(self),):
                raise ValueError(
                    f"A boolean mask must have one entry per image ({len(self)}); "
                    f"got shape {index.shape}.")
            index = np.flatnonzero(index)
        labels = None if self.labels is None else self.labels[index]
        return ImageDataset([self.images[i] for i in index], labels,
                            [self.paths[i] for i in index], self.class_names)


def _listing(items):
    shown = ", ".join(items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _note_ignored(caller, ignored, empty=()):
    notes = []
    if ignored:
        notes.append(f"{len(ignored)} entries that are not images: {_listing(ignored)}")
    if empty:
        notes.append(f"{len(empty)} class folders without images: {_listing(empty)}")
    if notes:
        logger.info("%s ignored %s.", caller, "; and ".join(notes))


def _is_image_file(entry):
    name = entry.name
    return (not name.startswith(".") and os.path.splitext(name)[1].lower()
            in IMAGE_EXTENSIONS and entry.is_file())


def _images_in(folder, ignored):
    """Sorted image paths directly in ``folder``; other entries go to ``ignored``."""
    found = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        (found if _is_image_file(entry) else ignored).append(entry.path)
    return found


def _scan_tree(root):
    """Return the image paths and labels of ``root/<class>/<image>``."""
    paths, labels, ignored, empty = [], [], [], []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.is_dir():
            ignored.append(entry.path)
            continue
        found = _images_in(entry.path, ignored)
        paths += found
        labels += [entry.name] * len(found)
        if not found:
            empty.append(entry.path)
    _note_ignored(f"load_folder({root!r})", ignored, empty)
    return paths, labels


def _report(failures, n_files, where, on_error):
    lines = "\n".join(f"  {path}: {reason}" for path, reason in failures)
    head = f"{len(failures)} of {n_files} image files {where} could not be loaded"
    if on_error == "raise":
        raise ImageLoadError(
            f"{head}:\n{lines}\nFix or remove these files, or pass on_error='warn' "
            "to skip them.", failures)
    if on_error == "warn":
        warning = ImageLoadWarning(
            f"{head} and were skipped:\n{lines}\nPass on_error='ignore' to skip "
            "them silently.", failures)
        # stacklevel 5: past _report, _load, the loader and its validation wrapper
        warnings.warn(warning, stacklevel=5)


def _load(files, labels, where, *, size, color, on_error, n_jobs, verbose):
    """Decode ``files`` (on threads), report failures, and keep what loaded."""
    size = None if size is None else check_positive_pair(size, "size")
    results = map_items(partial(_try_read, color=color, size=size), files,
                        n_jobs=n_jobs)
    results = list(tqdm(results, total=len(files), desc="Loading images",
                        disable=not verbose))
    images, reasons = zip(*results, strict=True)
    failures = [(f, why) for f, why in zip(files, reasons, strict=True) if why]
    if failures:
        _report(failures, len(files), where, on_error)
    kept = [i for i, image in enumerate(images) if image is not None]
    if not kept:
        raise ValueError(f"None of the {len(files)} image files {where} could be "
                         "loaded.")
    return ImageDataset([images[i] for i in kept],
                        None if labels is None else [labels[i] for i in kept],
                        [files[i] for i in kept])


_LOAD_OPTIONS = {
    "size": "no_validation",  # checked by check_positive_pair
    "color": [StrOptions({"rgb", "gray"})],
    "on_error": [StrOptions({"warn", "raise", "ignore"})],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
}


@validate_params({"path": [str, os.PathLike], **_LOAD_OPTIONS},
                 prefer_skip_nested_validation=True)
@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC)
def load_folder(path, *, size=None, color="rgb", on_error="warn", n_jobs=None,
                verbose=False):
    """Load a folder-per-class image tree.

    Parameters
    ----------
    path : str or path-like
        The root folder, laid out as ``path/<class>/<image>``. Each sub-folder
        is a class named after the folder.
    size : int or tuple of (int, int) or None, default=None
        Resize every image to ``(height, width)`` on load (an int ``n`` means
        ``(n, n)``); ``None`` keeps each image's own size.
    color : {'rgb', 'gray'}, default='rgb'
        ``'rgb'`` gives (H, W, 3) arrays in red, green, blue order (gray files
        are replicated); ``'gray'`` gives (H, W) arrays (the luminance of
        :func:`classical.preprocess.to_grayscale`).
    on_error : {'warn', 'raise', 'ignore'}, default='warn'
        What to do when some files cannot be decoded, after trying them all:
        ``'warn'`` skips them and emits one :class:`ImageLoadWarning` naming
        each path and reason; ``'raise'`` raises one :class:`ImageLoadError`
        naming them all; ``'ignore'`` skips them silently.
    {n_jobs}
    {verbose}

    Returns
    -------
    dataset : ImageDataset
        The images that loaded, with their labels and paths. Classes are in
        sorted order, and the files of each class sorted by name.

    Raises
    ------
    ValueError
        If ``path`` does not exist, is not a folder, or holds no images.
    ImageLoadError
        If ``on_error='raise'`` and some files could not be decoded.

    Warns
    -----
    ImageLoadWarning
        If ``on_error='warn'`` and some files could not be decoded.

    See Also
    --------
    read_image : Read one file with the same options.
    load_sample : Load the sample shipped with the package.

    Notes
    -----
    Files whose extension is ``.jpg``, ``.jpeg``, ``.png``, ``.tif``,
    ``.tiff`` or ``.bmp`` (any case) are images. Anything else (a README,
    ``.DS_Store``, hidden files, nested folders, files next to the class
    folders) and class folders without images are ignored; one INFO message
    on the ``"classical.datasets"`` logger lists them.

    Formats, bit depths, EXIF orientation and alpha are handled as in
    :func:`read_image`: 8-bit files give ``uint8`` and 16-bit files
    ``uint16``.
    """
    root = os.fspath(path)
    if not os.path.exists(root):
        raise ValueError(f"The folder {root!r} does not exist. {_LAYOUT}")
    if not os.path.isdir(root):
        raise ValueError(f"{root!r} is not a folder. {_LAYOUT}")
    files, labels = _scan_tree(root)
    if not files:
        raise ValueError(f"No images found in {root!r}. {_LAYOUT}")
    return _load(files, labels, f"under {root!r}", size=size, color=color,
                 on_error=on_error, n_jobs=n_jobs, verbose=verbose)


@validate_params({"paths": ["array-like"], **_LOAD_OPTIONS},
                 prefer_skip_nested_validation=True)
@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC)
def load_images(paths, *, size=None, color="rgb", on_error="warn", n_jobs=None,
                verbose=False):
    """Load unlabelled images from files and folders.

    Parameters
    ----------
    paths : list of str or path-like
        Image files, and folders whose image files (directly inside, sorted
        by name) are loaded. A file named here is tried whatever its
        extension.
    size : int or tuple of (int, int) or None, default=None
        Resize every image to ``(height, width)`` on load; ``None`` keeps each
        image's own size.
    color : {'rgb', 'gray'}, default='rgb'
        As in :func:`load_folder`.
    on_error : {'warn', 'raise', 'ignore'}, default='warn'
        As in :func:`load_folder`; a missing file is reported the same way.
    {n_jobs}
    {verbose}

    Returns
    -------
    dataset : ImageDataset
        The images that loaded and their paths, in the order given;
        ``labels`` is None and ``class_names`` is empty.

    Raises
    ------
    ValueError
        If no image could be loaded.
    ImageLoadError
        If ``on_error='raise'`` and some files could not be decoded.

    Warns
    -----
    ImageLoadWarning
        If ``on_error='warn'`` and some files could not be decoded.

    See Also
    --------
    load_folder : Load labelled images, one sub-folder per class.
    """
    files = list_image_files(paths)
    return _load(files, None, "given", size=size, color=color, on_error=on_error,
                 n_jobs=n_jobs, verbose=verbose)


@validate_params({"paths": ["array-like"]}, prefer_skip_nested_validation=True)
def list_image_files(paths):
    """List the image files that :func:`load_images` would read, without reading them.

    Parameters
    ----------
    paths : list of str or path-like
        Image files, and folders whose image files (directly inside, sorted
        by name) are listed. A file named here is kept whatever its extension.

    Returns
    -------
    files : list of str
        The files, in the order given, each folder replaced by its images.

    Raises
    ------
    ValueError
        If the list is empty.

    See Also
    --------
    load_images : Read the same files.
    read_image : Read one of them, e.g. to go through many files in batches.
    """
    files, ignored = [], []
    for path in map(os.fspath, paths):
        files += _images_in(path, ignored) if os.path.isdir(path) else [path]
    _note_ignored("list_image_files", ignored)
    if not files:
        raise ValueError(f"No image files found in {list(paths)!r}. Pass image files "
                         "or folders holding .jpg, .png, .tif or .bmp files.")
    return files
