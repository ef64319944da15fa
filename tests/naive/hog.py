"""Plain NumPy twins of :mod:`classical._kernels.hog`, written for clarity.

They compute HOG the way scikit-image describes it, one whole-image array
operation at a time: cast to the float type scikit-image uses (float32 for
float16/float32 input, float64 otherwise), optional square root, central
differences, strongest channel by ``np.hypot``/``argmax``, orientation by
``np.rad2deg(np.arctan2(...)) % 180``, one boolean mask per bin, cell sums by
reshaping, and block norms written out formula by formula. They take the
public parameters rather than the kernels' precomputed edges and scratch
buffers, so they share no code with the library.
"""

import math

import numpy as np

__all__ = [
    "gradients",
    "orientation_bins",
    "cell_histograms",
    "normalize_blocks",
    "hog_descriptor",
    "hog_descriptor_parallel",
    "hog_batch",
    "hog_glyphs",
    "hog_descriptor_glyphs",
]

EPS = 1e-5


def _float_type(dtype):
    return np.float32 if dtype in (np.float16, np.float32) else np.float64


def _central_differences(channel):
    """Row and column gradients of a 2-D array, zero on the border rows/cols."""
    g_row = np.zeros_like(channel)
    g_col = np.zeros_like(channel)
    g_row[1:-1, :] = channel[2:, :] - channel[:-2, :]
    g_col[:, 1:-1] = channel[:, 2:] - channel[:, :-2]
    return g_row, g_col


def gradients(image, transform_sqrt=False):
    """Row and column gradients (float64) of the strongest channel of each pixel.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, C)
    transform_sqrt : bool, default=False

    Returns
    -------
    g_row, g_col : ndarray of shape (H, W)
    """
    values = np.asarray(image).astype(_float_type(np.asarray(image).dtype))
    if transform_sqrt:
        values = np.sqrt(values)
    if values.ndim == 2:
        g_row, g_col = _central_differences(values)
    else:
        pairs = [_central_differences(values[:, :, ch])
                 for ch in range(values.shape[2])]
        rows = np.stack([p[0] for p in pairs], axis=2)
        cols = np.stack([p[1] for p in pairs], axis=2)
        strongest = np.hypot(rows, cols).argmax(axis=2)[:, :, np.newaxis]
        g_row = np.take_along_axis(rows, strongest, axis=2)[:, :, 0]
        g_col = np.take_along_axis(cols, strongest, axis=2)[:, :, 0]
    return g_row.astype(np.float64), g_col.astype(np.float64)


def orientation_bins(g_row, g_col, orientations):
    """Bin index of every pixel, or -1 where the orientation falls in no bin."""
    theta = np.rad2deg(np.arctan2(g_row, g_col)) % 180
    width = 180.0 / orientations
    bins = np.full(theta.shape, -1)
    for k in range(orientations):
        bins[(theta >= width * k) & (theta < width * (k + 1))] = k
    return bins


def cell_histograms(image, orientations=9, pixels_per_cell=(8, 8),
                    transform_sqrt=False):
    """Cell histograms, shape (H // cell_rows, W // cell_cols, orientations)."""
    g_row, g_col = gradients(image, transform_sqrt)
    magnitude = np.hypot(g_row, g_col)
    bins = orientation_bins(g_row, g_col, orientations)
    cell_rows, cell_cols = pixels_per_cell
    n_rows = magnitude.shape[0] // cell_rows
    n_cols = magnitude.shape[1] // cell_cols
    used = (slice(0, n_rows * cell_rows), slice(0, n_cols * cell_cols))
    hist = np.zeros((n_rows, n_cols, orientations))
    for k in range(orientations):
        votes = np.where(bins == k, magnitude, 0.0)[used]
        cells = votes.reshape(n_rows, cell_rows, n_cols, cell_cols).sum(axis=(1, 3))
        hist[:, :, k] = cells / (cell_rows * cell_cols)
    return hist


def _normalize(block, block_norm):
    if block_norm == "L1":
        return block / (np.sum(np.abs(block)) + EPS)
    if block_norm == "L1-sqrt":
        return np.sqrt(block / (np.sum(np.abs(block)) + EPS))
    if block_norm == "L2":
        return block / np.sqrt(np.sum(block ** 2) + EPS ** 2)
    if block_norm == "L2-Hys":
        out = block / np.sqrt(np.sum(block ** 2) + EPS ** 2)
        out = np.minimum(out, 0.2)
        return out / np.sqrt(np.sum(out ** 2) + EPS ** 2)
    raise ValueError(block_norm)


def normalize_blocks(hist, cells_per_block=(2, 2), block_norm="L2-Hys"):
    """Normalised blocks, shape (n_block_rows, n_block_cols, *cells_per_block, n)."""
    block_rows, block_cols = cells_per_block
    n_block_rows = hist.shape[0] - block_rows + 1
    n_block_cols = hist.shape[1] - block_cols + 1
    out = np.zeros((n_block_rows, n_block_cols, block_rows, block_cols, hist.shape[2]))
    for r in range(n_block_rows):
        for c in range(n_block_cols):
            block = hist[r:r + block_rows, c:c + block_cols, :]
            out[r, c] = _normalize(block, block_norm)
    return out


def hog_descriptor(image, orientations=9, pixels_per_cell=(8, 8),
                   cells_per_block=(2, 2), block_norm="L2-Hys", transform_sqrt=False):
    """HOG feature vector of one image."""
    hist = cell_histograms(image, orientations, pixels_per_cell, transform_sqrt)
    return normalize_blocks(hist, cells_per_block, block_norm).ravel()


hog_descriptor_parallel = hog_descriptor
"""The parallel kernel computes the same thing as the serial one."""


def hog_batch(images, **params):
    """HOG feature vectors of a batch, one row per image."""
    return np.stack([hog_descriptor(image, **params) for image in images])


def hog_glyphs(hist, pixels_per_cell, shape):
    """Glyph image of cell histograms ``hist`` (n_cell_rows, n_cell_cols, n).

    Bin ``k`` of a cell is a segment across the cell centre, perpendicular to
    the bin's middle gradient orientation ``phi = pi * (k + 0.5) / n``, from
    ``centre + (-r cos(phi), r sin(phi))`` to ``centre + (r cos(phi), -r
    sin(phi))`` (rows, columns) with ``r = max(min(cell) // 2 - 1, 0)``, each
    end truncated to its pixel. It is sampled once per pixel step along its
    longer axis, each point rounded to its pixel (halves towards the far end),
    and every pixel reached gets the bin's value once.
    """
    cell_rows, cell_cols = pixels_per_cell
    n = hist.shape[2]
    radius = max(min(cell_rows, cell_cols) // 2 - 1, 0)
    image = np.zeros(shape)
    for k in range(n):
        phi = math.pi * (k + 0.5) / n
        # rounded to 1e-9 first: cos(pi / 2) must not put an end one pixel off
        along_rows = round(radius * math.cos(phi), 9)
        along_cols = round(radius * math.sin(phi), 9)
        start = np.array([math.floor(-along_rows), math.floor(along_cols)])
        stop = np.array([math.floor(along_rows), math.floor(-along_cols)])
        steps = max(np.abs(stop - start).max(), 1)
        points = start + np.arange(steps + 1)[:, np.newaxis] * (stop - start) / steps
        towards_stop = np.where(stop >= start, 1, -1)
        pixels = start + towards_stop * np.floor(np.abs(points - start) + 0.5)
        offsets = set(map(tuple, pixels.astype(int).tolist()))
        for i in range(hist.shape[0]):
            for j in range(hist.shape[1]):
                centre = (i * cell_rows + cell_rows // 2,
                          j * cell_cols + cell_cols // 2)
                for row, col in offsets:
                    image[centre[0] + row, centre[1] + col] += hist[i, j, k]
    return image


def hog_descriptor_glyphs(image, orientations=9, pixels_per_cell=(8, 8),
                          cells_per_block=(2, 2), block_norm="L2-Hys",
                          transform_sqrt=False):
    """HOG feature vector of one image and its glyph image."""
    hist = cell_histograms(image, orientations, pixels_per_cell, transform_sqrt)
    features = normalize_blocks(hist, cells_per_block, block_norm).ravel()
    return features, hog_glyphs(hist, pixels_per_cell, np.shape(image)[:2])
