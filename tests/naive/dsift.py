"""Plain NumPy twins of :mod:`classical._kernels.dsift`, written for clarity.

They take the public parameters rather than the kernels' precomputed tables:
gradients by :func:`numpy.gradient`, one orientation plane per bin with the
triangular weight ``max(0, 1 - circular distance)``, the spatial weights as a
``(4, patch)`` matrix of triangular weights, and each patch's histogram as one
``einsum``. :func:`dense_sift` adds the public function's colour conversion
(scikit-image's HSV, the opponent formulas) and Gaussian smoothing (an explicit
sampled kernel over an edge-padded image). They share no code with the library.
They compute in float64 with exact :func:`numpy.arctan2`, where the kernels use
float32 and a polynomial within 3e-6 orientation bins of it; the tests compare
them with a tolerance that covers both.
"""

import numpy as np
from skimage.color import rgb2hsv

__all__ = ["orientation_votes", "dense_sift_image", "dense_sift_batch",
           "gaussian_smooth", "color_planes", "dense_sift"]

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


def _sizes(bin_sizes):
    return [bin_sizes] if np.ndim(bin_sizes) == 0 else list(bin_sizes)


def _describe_size(planes, magnitude, step, bin_size, largest, threshold):
    """Descriptors of one size on the grid of the largest patch, centres shared."""
    size = 4 * bin_size
    shift = (largest - size) // 2
    weights = _spatial_weights(bin_size)
    rows = []
    for grid_top in range(0, magnitude.shape[0] - largest + 1, step):
        for grid_left in range(0, magnitude.shape[1] - largest + 1, step):
            top, left = grid_top + shift, grid_left + shift
            block = planes[:, top:top + size, left:left + size]
            hist = np.einsum("yi,xj,kij->yxk", weights, weights, block).ravel()
            norm = np.linalg.norm(hist)
            if magnitude[top:top + size, left:left + size].mean() < threshold or (
                    norm == 0):
                rows.append(np.zeros(128))
                continue
            hist = np.minimum(hist / norm, 0.2)
            rows.append(hist / np.linalg.norm(hist))
    return np.array(rows).reshape(-1, 128)


def dense_sift_image(image, scale, step, bin_sizes, threshold):
    """Dense SIFT of one grey image: (n_sizes * n_patches, 128) float64.

    ``bin_sizes`` is an int or a sequence; sizes follow one another, each on
    the grid of the largest patch.
    """
    planes, magnitude = orientation_votes(image, scale)
    sizes = _sizes(bin_sizes)
    return np.concatenate([
        _describe_size(planes, magnitude, step, s, 4 * max(sizes), threshold)
        for s in sizes])


def dense_sift_batch(stack, scale, step, bin_sizes, threshold):
    """Dense SIFT of each image of a stack: (n, n_sizes * n_patches, 128)."""
    return np.stack([dense_sift_image(image, scale, step, bin_sizes, threshold)
                     for image in stack])


def gaussian_smooth(image, sigma):
    """Separable Gaussian of ``sigma`` cut at 4 sigma, border pixels repeated."""
    radius = int(4 * sigma + 0.5)
    x = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 * (x / sigma) ** 2)
    weights /= weights.sum()
    result = image.astype(np.float64)
    for axis in (0, 1):
        padded = np.pad(result, [(radius, radius) if a == axis else (0, 0)
                                 for a in (0, 1)], mode="edge")
        n = result.shape[axis]
        result = sum(w * np.take(padded, np.arange(i, i + n), axis=axis)
                     for i, w in enumerate(weights))
    return result


def color_planes(image, color_space):
    """The channels ``dense_sift`` describes, each scaled to ``[0, 1]``."""
    image = np.asarray(image)
    top = np.iinfo(image.dtype).max if np.issubdtype(image.dtype, np.integer) else 1
    if color_space == "gray":
        if image.ndim == 3:  # BT.709 luminance, rounded for integer images
            gray = image[..., :3].astype(np.float64) @ [0.2125, 0.7154, 0.0721]
            image = np.rint(gray) if top != 1 else gray
        return [image / top]
    rgb = image[..., :3] / top
    if color_space == "rgb":
        return [rgb[..., c] for c in range(3)]
    if color_space == "hsv":
        hsv = rgb2hsv(rgb)
        return [hsv[..., c] for c in range(3)]
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    o1 = (red - green) / np.sqrt(2)
    o2 = (red + green - 2 * blue) / np.sqrt(6)
    o3 = (red + green + blue) / np.sqrt(3)
    return [(o1 + 1 / np.sqrt(2)) / np.sqrt(2),
            (o2 + 2 / np.sqrt(6)) / (4 / np.sqrt(6)),
            o3 / np.sqrt(3)]


def dense_sift(image, step=8, bin_sizes=4, threshold=0.005, magnification=None,
               color_space="gray"):
    """The public ``dense_sift`` descriptors: (n_sizes * n_patches, 128 * C)."""
    sizes = _sizes(bin_sizes)
    blocks = []
    for plane in color_planes(image, color_space):
        per_size = []
        for s in sizes:
            smoothed = plane if magnification is None else gaussian_smooth(
                plane, s / magnification)
            planes, magnitude = orientation_votes(smoothed, 1.0)
            per_size.append(_describe_size(planes, magnitude, step, s, 4 * max(sizes),
                                           threshold))
        blocks.append(np.concatenate(per_size))
    return np.concatenate(blocks, axis=1)
