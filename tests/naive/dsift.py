"""Plain NumPy twins of :mod:`classical._kernels.dsift`, written for clarity.

They take the public parameters rather than the kernels' precomputed tables:
gradients by :func:`numpy.gradient`, one orientation plane per bin with the
triangular weight ``max(0, 1 - circular distance)``, the spatial weights as a
``(4, patch)`` matrix of triangular weights, and each patch's histogram as one
``einsum``. They share no code with the library.
"""

import numpy as np

__all__ = ["orientation_votes", "dense_sift_image", "dense_sift_batch"]

N_ORIENTATIONS = 8


def orientation_votes(image, scale):
    """Return the (8, H, W) orientation planes and the (H, W) gradient magnitude."""
    g_y, g_x = np.gradient(image.astype(np.float64) * scale)
    magnitude = np.hypot(g_x, g_y)
    t = np.mod(np.arctan2(g_y, g_x), 2 * np.pi) * N_ORIENTATIONS / (2 * np.pi)
    planes = np.empty((N_ORIENTATIONS, *image.shape))
    for k in range(N_ORIENTATIONS):
        distance = np.abs(t - k)
        distance = np.minimum(distance, N_ORIENTATIONS - distance)
        planes[k] = magnitude * np.maximum(0.0, 1.0 - distance)
    return planes, magnitude


def _spatial_weights(bin_size):
    u = (np.arange(4 * bin_size) + 0.5) / bin_size - 0.5
    return np.maximum(0.0, 1.0 - np.abs(u[np.newaxis, :] - np.arange(4)[:, np.newaxis]))


def dense_sift_image(image, scale, step, bin_size, threshold):
    """Dense SIFT of one grey image: (n_patches, 128) float64, rows of patches."""
    planes, magnitude = orientation_votes(image, scale)
    size = 4 * bin_size
    weights = _spatial_weights(bin_size)
    rows = []
    for top in range(0, image.shape[0] - size + 1, step):
        for left in range(0, image.shape[1] - size + 1, step):
            block = planes[:, top:top + size, left:left + size]
            hist = np.einsum("yi,xj,kij->yxk", weights, weights, block).ravel()
            norm = np.linalg.norm(hist)
            if magnitude[top:top + size, left:left + size].mean() < threshold or (
                    norm == 0):
                rows.append(np.zeros(128))
                continue
            hist = np.minimum(hist / norm, 0.2)
            rows.append(hist / np.linalg.norm(hist))
    return np.array(rows)


def dense_sift_batch(stack, scale, step, bin_size, threshold):
    """Dense SIFT of each image of a stack: (n, n_patches, 128)."""
    return np.stack([dense_sift_image(image, scale, step, bin_size, threshold)
                     for image in stack])
