"""Training pixels from a label raster: stratified samples and leak-free splits."""

from numbers import Integral, Real

import numpy as np
from scipy import ndimage
from sklearn.utils import check_random_state

from ..utils._docstring import RANDOM_STATE_DOC, Substitution

__all__ = ["polygon_groups", "sample_pixels", "spatial_block_groups", "split_pixels"]

_EIGHT_NEIGHBOURS = np.ones((3, 3), dtype=bool)


def _check_labels(labels, mask=None):
    """Labels as a 2-D integer array with 0 wherever ``mask`` is False."""
    array = np.asarray(labels)
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"labels must be an integer array of shape (H, W) (0 = unlabelled); "
            f"got dtype {array.dtype} and shape {array.shape}. Read them with "
            f"classical.geo.read_labels(source, image).")
    if array.size and array.min() < 0:
        raise ValueError(
            f"labels must be >= 0 (0 = unlabelled); got a minimum of {array.min()}.")
    if mask is None:
        return array
    mask = np.asarray(mask)
    if mask.shape != array.shape:
        raise ValueError(
            f"mask must have the shape of labels {array.shape}, True where a "
            f"pixel may be used; got shape {mask.shape}.")
    return np.where(mask.astype(bool), array, 0)


def _by_class(labels):
    """Flat indices of the labelled pixels, grouped by class.

    Returns the sorted class ids and, for each, its pixels' flat indices in
    increasing order.
    """
    flat = np.flatnonzero(labels)  # labels are >= 0
    values = labels.ravel()[flat]
    order = np.argsort(values, kind="stable")
    classes, starts = np.unique(values[order], return_index=True)
    return classes, np.split(flat[order], starts[1:])


@Substitution(random_state=RANDOM_STATE_DOC)
def sample_pixels(labels, *, max_per_class=None, balance=False, mask=None,
                  random_state=None):
    """Draw a stratified random sample of labelled pixels.

    Parameters
    ----------
    labels : ndarray of int of shape (H, W)
        Class ids, 0 = unlabelled.
    max_per_class : int or None, default=None
        Most pixels taken from a class (Orfeo ToolBox's ``sample.mt``); a
        class with fewer gives all of its pixels. None takes every pixel.
    balance : bool, default=False
        Take the same number from every class: that of the smallest class,
        or ``max_per_class`` if lower (OTB's ``sample.bm``).
    mask : ndarray of bool of shape (H, W) or None, default=None
        Pixels that may be drawn (False on the image's nodata, or outside a
        training split); None allows every labelled pixel.
    {random_state}

    Returns
    -------
    rows, cols : ndarray of intp of shape (n_samples,)
        Pixel coordinates of the sample, in row-major order.

    Raises
    ------
    ValueError
        If ``labels`` or ``mask`` has the wrong shape or type, no pixel is
        labelled, or ``max_per_class`` is not a positive int.

    Notes
    -----
    Each class is sampled without replacement, independently, in increasing
    order of class id from one generator, so the same seed gives the same
    sample.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.array([[1, 1, 1, 0], [2, 2, 0, 0], [1, 1, 2, 0]])
    >>> rows, cols = sample_pixels(labels, max_per_class=2, random_state=0)
    >>> np.bincount(labels[rows, cols])
    array([0, 2, 2])
    """
    labels = _check_labels(labels, mask)
    if max_per_class is not None and not (
            isinstance(max_per_class, Integral) and max_per_class >= 1):
        raise ValueError(f"max_per_class must be an int >= 1 or None; got "
                         f"{max_per_class!r}.")
    classes, members = _by_class(labels)
    if not len(classes):
        raise ValueError("labels has no labelled pixel (all are 0 or masked); "
                         "there is nothing to sample.")
    counts = np.array([len(m) for m in members])
    wanted = counts.min() if balance else counts.max()
    if max_per_class is not None:
        wanted = min(wanted, max_per_class)
    rng = check_random_state(random_state)
    chosen = [m if len(m) <= wanted else np.sort(rng.choice(m, wanted, replace=False))
              for m in members]
    flat = np.sort(np.concatenate(chosen))
    return np.unravel_index(flat, labels.shape)


def polygon_groups(labels):
    """Number the connected regions of each class (8-connectivity).

    Parameters
    ----------
    labels : ndarray of int of shape (H, W)
        Class ids, 0 = unlabelled.

    Returns
    -------
    groups : ndarray of int32 of shape (H, W)
        ``1..n_groups``, one number for each connected region of a single
        class (pixels touching by a side or a corner); 0 where unlabelled.
        Two touching training polygons of the same class form one group; use
        ``read_labels(..., return_groups=True)`` to keep them apart.
    """
    labels = _check_labels(labels)
    groups = np.zeros(labels.shape, dtype=np.int32)
    count = 0
    for value in np.unique(labels[labels > 0]):
        regions, n = ndimage.label(labels == value, structure=_EIGHT_NEIGHBOURS)
        inside = regions > 0
        groups[inside] = regions[inside] + count
        count += n
    return groups


def spatial_block_groups(shape, block_size):
    """Number the square blocks of a grid, for spatially blocked splits.

    Parameters
    ----------
    shape : tuple of int
        ``(H, W)`` (further entries, e.g. bands, are ignored).
    block_size : int or tuple of (int, int)
        Side (or ``(rows, cols)``) of the blocks, in pixels.

    Returns
    -------
    groups : ndarray of int32 of shape (H, W)
        ``1..n_blocks`` in row-major order of the blocks; those at the right
        and bottom edges may be smaller.
    """
    if len(shape) < 2:
        raise ValueError(f"shape must be (H, W); got {shape!r}.")
    sides = (block_size, block_size) if isinstance(block_size, Integral) \
        else tuple(block_size)
    if len(sides) != 2 or not all(isinstance(s, Integral) and s >= 1 for s in sides):
        raise ValueError(f"block_size must be an int >= 1 or a pair (rows, cols) of "
                         f"them; got {block_size!r}.")
    height, width = int(shape[0]), int(shape[1])
    block_rows = np.arange(height) // sides[0]
    block_cols = np.arange(width) // sides[1]
    n_cols = -(-width // sides[1])
    return (block_rows[:, None] * n_cols + block_cols[None, :] + 1).astype(np.int32)


@Substitution(random_state=RANDOM_STATE_DOC)
def split_pixels(labels, *, test_size=0.3, groups=None, mask=None, random_state=None):
    """Split the labelled pixels into a training and a test set.

    Parameters
    ----------
    labels : ndarray of int of shape (H, W)
        Class ids, 0 = unlabelled.
    test_size : float in (0, 1), default=0.3
        Share of each class's pixels to put in the test set.
    groups : None, 'polygon', int, tuple of (int, int) or ndarray of shape (H, W), \
default=None
        Pixels of a group go to the same side, so that neighbouring pixels
        do not leak from training into test. None splits single pixels;
        ``'polygon'`` groups the connected regions of each class
        (:func:`polygon_groups`); an int (or pair) groups square blocks of
        that side (:func:`spatial_block_groups`); an array gives each pixel's
        group (e.g. the polygons of ``read_labels(..., return_groups=True)``).
    mask : ndarray of bool of shape (H, W) or None, default=None
        Pixels that may be used (False on the image's nodata); None allows
        every labelled pixel.
    {random_state}

    Returns
    -------
    train, test : ndarray of bool of shape (H, W)
        The two sides; disjoint, and together every labelled pixel allowed by
        ``mask``. Pass ``train`` as the ``mask`` of :func:`sample_pixels`,
        or fit on ``numpy.where(train, labels, 0)``.

    Raises
    ------
    ValueError
        If a class has a single pixel, or a single group, so it cannot be on
        both sides (merge or drop it, or use smaller blocks); or a parameter
        is invalid.

    Notes
    -----
    The split is stratified: each class is split on its own. Its pixels (or
    groups, in random order) go to the test set while the test set holds
    less than ``test_size`` of the class's pixels, a group going when at
    least half of it fits, and each class keeps at least one pixel or group
    on each side. A group holding several classes (a spatial block) is split
    with the class that has most of its pixels, so the other classes' test
    shares are only approximately ``test_size``.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((6, 6), dtype=int)
    >>> labels[0, :] = 1
    >>> labels[3:, 3:] = 2
    >>> train, test = split_pixels(labels, test_size=0.5, random_state=0)
    >>> int(test.sum()), int(train.sum()), bool((train & test).any())
    (8, 7, False)
    """
    labels = _check_labels(labels, mask)
    if not (isinstance(test_size, Real) and 0 < test_size < 1):
        raise ValueError(f"test_size must be a float in (0, 1); got {test_size!r}.")
    group_of = _pixel_groups(labels, groups)
    labelled = np.flatnonzero(labels.ravel() > 0)
    if not len(labelled):
        raise ValueError("labels has no labelled pixel (all are 0 or masked); "
                         "there is nothing to split.")
    group_ids, group_index = np.unique(group_of.ravel()[labelled], return_inverse=True)
    sizes = np.bincount(group_index)
    owner = _majority_class(labels.ravel()[labelled], group_index, len(group_ids))
    rng = check_random_state(random_state)
    in_test = np.zeros(len(group_ids), dtype=bool)
    for value in np.unique(owner):
        members = rng.permutation(np.flatnonzero(owner == value))
        if len(members) < 2:
            kind = "pixel" if groups is None else "group"
            raise ValueError(
                f"class {value} has a single {kind}, so it cannot be on both "
                f"sides of the split. Drop or merge the class, "
                f"{'use smaller blocks, ' if groups is not None else ''}"
                f"or label more of it.")
        in_test[members] = _fill_test(sizes[members], test_size)
    test = np.zeros(labels.size, dtype=bool)
    test[labelled[in_test[group_index]]] = True
    train = np.zeros(labels.size, dtype=bool)
    train[labelled[~in_test[group_index]]] = True
    return train.reshape(labels.shape), test.reshape(labels.shape)


def _pixel_groups(labels, groups):
    """The group of every pixel, as an (H, W) array."""
    if groups is None:
        return np.arange(labels.size).reshape(labels.shape)
    if isinstance(groups, str):
        if groups != "polygon":
            raise ValueError(f"groups must be None, 'polygon', a block size or an "
                             f"array of shape (H, W); got {groups!r}.")
        return polygon_groups(labels)
    if isinstance(groups, (Integral, tuple)):
        return spatial_block_groups(labels.shape, groups)
    groups = np.asarray(groups)
    if groups.shape != labels.shape:
        raise ValueError(f"groups as an array must have the shape of labels "
                         f"{labels.shape}; got shape {groups.shape}.")
    return groups


def _majority_class(values, group_index, n_groups):
    """The most frequent class of each group (the smallest id on ties)."""
    classes, class_index = np.unique(values, return_inverse=True)
    table = np.zeros((n_groups, len(classes)), dtype=np.intp)
    np.add.at(table, (group_index, class_index), 1)
    return classes[table.argmax(axis=1)]


def _fill_test(sizes, test_size):
    """Which of the (shuffled) groups of one class go to the test set.

    Groups are taken in order while the pixels before a group plus half of
    it fit in ``test_size`` of the class; at least one stays on each side.
    """
    before = np.cumsum(sizes) - sizes
    chosen = before + sizes / 2 <= test_size * sizes.sum()
    chosen[0] = True
    chosen[-1] = False
    return chosen
