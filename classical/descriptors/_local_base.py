"""Shared plumbing of the local descriptor extractors."""

import numpy as np

from .._local_features import DESCRIPTOR_DTYPE, LocalFeatures


def _describe_on_grids(images, grid, describe, n_dims):
    """Describe validated images on per-shape grids into one :class:`LocalFeatures`.

    Parameters
    ----------
    images : ndarray of shape (n, H, W[, C]) or list of ndarray
        Validated images: one stack, or a list whose images may differ in
        shape and dtype.
    grid : callable
        ``grid(shape)`` returns the ``(n_patches, 2)`` positions and the
        ``(n_patches,)`` scales of an image of ``shape`` (called once per
        distinct ``(H, W)``).
    describe : callable
        ``describe(stack, out)`` describes an ``(m, H, W[, C])`` stack of
        images of one shape and dtype and returns an ``(m, n_patches,
        n_dims)`` array; ``out`` is either None or a float32 array of that
        shape to write into (returning it saves a copy).
    n_dims : int
        Length of one descriptor.

    Returns
    -------
    features : LocalFeatures
        One image per input image, in input order, with each image's ``(H,
        W)`` in ``image_shapes``. Images of one shape and dtype are described
        together, a stack in one call straight into place.
    """
    grids = {}
    for image in images:
        if image.shape[:2] not in grids:
            grids[image.shape[:2]] = grid(image.shape)
    counts = [len(grids[image.shape[:2]][1]) for image in images]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    descriptors = np.empty((offsets[-1], n_dims), DESCRIPTOR_DTYPE)
    if isinstance(images, np.ndarray):
        out = descriptors.reshape(len(images), counts[0], n_dims)
        result = describe(images, out)
        if result is not out:
            out[...] = result
    else:
        groups = {}
        for index, image in enumerate(images):
            groups.setdefault((image.shape, image.dtype.str), []).append(index)
        for indices in groups.values():
            result = describe(np.stack([images[i] for i in indices]), None)
            for i, rows in zip(indices, result):
                descriptors[offsets[i]:offsets[i + 1]] = rows
    return LocalFeatures(
        descriptors, offsets,
        np.concatenate([grids[image.shape[:2]][0] for image in images]),
        np.concatenate([grids[image.shape[:2]][1] for image in images]),
        [image.shape[:2] for image in images])
