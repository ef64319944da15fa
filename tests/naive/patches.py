"""Plain NumPy twins of :mod:`classical._kernels.patches`, written for clarity.

Each patch is cut out of the whole-image code (or converted colour) array with
slicing and described with ``np.bincount`` or ``np.mean``/``np.std``; the grid
is enumerated row of patches after row of patches. The twins take the
algorithm's parameters, not the kernels' precomputed tables.
"""

import numpy as np

from . import color as naive_color
from . import lbp as naive_lbp

__all__ = ["patch_histograms", "dense_lbp_batch", "dense_color_moments_batch"]

# the luminance of skimage.color.rgb2gray
_LUMA = np.array([0.2125, 0.7154, 0.0721])


def _corners(shape, step, size):
    """Top-left ``(row, col)`` of every patch, in output order."""
    return [(r, c) for r in range(0, shape[0] - size + 1, step)
            for c in range(0, shape[1] - size + 1, step)]


def patch_histograms(bins, n_bins, step, size):
    """Histogram of ``bins`` in every patch, divided by ``size ** 2``."""
    return np.array([
        np.bincount(bins[r:r + size, c:c + size].ravel(), minlength=n_bins)
        / size ** 2
        for r, c in _corners(bins.shape, step, size)])


def dense_lbp_batch(images, P, R, method, n_bins, step, size, per_channel=False,
                    code_to_bin=None):
    """LBP patch histograms of each image, shape (n_images, n_patches, d)."""
    out = []
    for image in images:
        image = np.asarray(image)
        if image.ndim == 2:
            planes = [image]
        elif per_channel:
            planes = [image[..., c] for c in range(image.shape[2])]
        else:
            planes = [image[..., :3].astype(np.float64) @ _LUMA]
        blocks = []
        for plane in planes:
            codes = naive_lbp.lbp_codes(plane, P, R, method).astype(np.int64)
            if code_to_bin is not None:
                codes = np.asarray(code_to_bin)[codes]
            blocks.append(patch_histograms(codes, n_bins, step, size))
        out.append(np.concatenate(blocks, axis=1))
    return np.array(out)


def _converted(image, color_space):
    if color_space != "opponent":
        return naive_color.convert_pixels(image, color_space)
    rgb = naive_color.convert_pixels(image, "rgb")
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    return np.stack([(r - g + 1) / 2, (r + g - 2 * b + 2) / 4, (r + g + b) / 3],
                    axis=1)


def dense_color_moments_batch(images, color_space, moments, step, size):
    """Colour moments of every patch of each image, (n_images, n_patches, 3m)."""
    out = []
    for image in images:
        image = np.asarray(image)
        values = _converted(image, color_space).reshape(image.shape[0],
                                                        image.shape[1], 3)
        rows = []
        for r, c in _corners(image.shape, step, size):
            patch = values[r:r + size, c:c + size].reshape(-1, 3)
            mean = patch.mean(axis=0)
            features = np.stack([mean, patch.std(axis=0),
                                 np.cbrt(((patch - mean) ** 3).mean(axis=0))],
                                axis=1)
            rows.append(features[:, :moments].ravel())
        out.append(rows)
    return np.array(out)
