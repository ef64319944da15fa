"""The global colour-texture features of a stack, every colour space converted once.

For each image of a C-contiguous ``(n_images, H, W, C)`` stack of raw values
(``C >= 3``), one pass converts every pixel to RGB in ``[0, 1]``, HSV and Lab
(:func:`classical._kernels.color.convert_pixel`'s float64 arithmetic), bins
the nine channels (from the float64 values) and stores them as float32 planes;
the Lab planes and the raw RGB values are written into zero-bordered float32
buffers for :func:`classical._kernels.lbp.uniform_lbp_counts`. A second pass
over the planes gives the central moments. Only per-image scratch is
allocated (nine planes and six bordered channels), so memory is bounded by
the image size times the number of threads.
"""

import numpy as np
from numba import njit, prange

from . import config
from .color import hsv_pixel, linear_to_lab, srgb_to_linear
from .lbp import uniform_lbp_counts

# Channel planes in output order: R, G, B, H, S, V, L, a, b
N_PLANES = 9


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _bin(x, edges, k, scale):
    """:func:`classical._kernels.color.bin_index` of ``x`` among ``edges[k]``.

    Indexes the 2-D table in place: a row view per pixel would cost two
    atomic reference-count updates.
    """
    n = edges.shape[1] - 1
    low = edges[k, 0]
    x = min(max(x, low), edges[k, n])
    b = min(int((x - low) * scale), n - 1)
    while b > 0 and x < edges[k, b]:
        b -= 1
    while b < n - 1 and x >= edges[k, b + 1]:
        b += 1
    return b


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _convert_image(image, inv_top, lut, use_lut, edges, margin, planes, padded, counts,
                   sums):
    """Convert, bin and sum every pixel of one ``(H, W, C)`` image.

    ``edges`` is ``(9, n_bins + 1)``; ``counts`` ``(9, n_bins)`` and ``sums``
    ``(9,)`` are added to; ``planes`` ``(9, H * W)`` and ``padded`` (Lab, then
    raw R, G, B; see :func:`uniform_lbp_counts`) are written.
    """
    n_rows, n_cols = image.shape[0], image.shape[1]
    width = n_cols + 2 * margin
    n_bins = edges.shape[1] - 1
    scale = n_bins / (edges[:, n_bins] - edges[:, 0])
    values = np.empty(N_PLANES)
    for row in range(n_rows):
        at = (row + margin + 1) * width + margin
        for col in range(n_cols):
            r = np.float64(image[row, col, 0])
            g = np.float64(image[row, col, 1])
            b = np.float64(image[row, col, 2])
            values[0] = r * inv_top
            values[1] = g * inv_top
            values[2] = b * inv_top
            values[3], values[4], values[5] = hsv_pixel(r, g, b, inv_top)
            if use_lut:
                lab = linear_to_lab(lut[int(r)], lut[int(g)], lut[int(b)])
            else:
                lab = linear_to_lab(srgb_to_linear(values[0]),
                                    srgb_to_linear(values[1]),
                                    srgb_to_linear(values[2]))
            values[6], values[7], values[8] = lab
            p = row * n_cols + col
            for k in range(N_PLANES):
                counts[k, _bin(values[k], edges, k, scale[k])] += 1
                stored = np.float32(values[k])
                sums[k] += stored  # the planes' mean: exact moments of flat images
                planes[k, p] = stored
            for k in range(3):
                padded[k, at + col] = values[6 + k]
            padded[3, at + col] = r
            padded[4, at + col] = g
            padded[5, at + col] = b


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _central_moments(plane, mean):
    """Standard deviation and cube root of the third central moment."""
    second = 0.0
    third = 0.0
    for value in plane:
        d = np.float64(value) - mean
        second += d * d
        third += d * d * d
    n = plane.shape[0]
    return np.sqrt(second / n), np.cbrt(third / n)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def global_features_batch(stack, inv_top, lut, use_lut, edges, margin, offsets,
                          weights, point_first, out):
    """LBP histograms, per-channel histograms and moments of every image.

    Parameters
    ----------
    stack : ndarray of shape (n_images, H, W, C)
        C-contiguous raw values, ``C >= 3``.
    inv_top, lut, use_lut
        As for :func:`classical._kernels.color.convert_pixel`.
    edges : float64 ndarray of shape (9, n_bins + 1)
        Bin edges of R, G, B, H, S, V, L, a, b.
    margin, offsets, weights, point_first
        The sampling geometry of :func:`uniform_lbp_counts`.
    out : float64 ndarray of shape (n_images, 6 * n_lbp + 9 * n_bins + 27)
        Receives, per image: the LBP histograms of L, a, b, then of raw R, G,
        B (``n_lbp`` bins each, all pairs); the histograms of the nine
        channels; then mean, standard deviation and cube-rooted third
        central moment of each channel. Fractions of the pixels.
    """
    n_images, n_rows, n_cols = stack.shape[0], stack.shape[1], stack.shape[2]
    n_pixels = n_rows * n_cols
    width = n_cols + 2 * margin
    n_bins = edges.shape[1] - 1
    n_lbp = 0
    for pair in range(point_first.shape[0] - 1):
        n_lbp += point_first[pair + 1] - point_first[pair] + 2
    hist_first = 6 * n_lbp
    moment_first = hist_first + N_PLANES * n_bins
    for i in prange(n_images):
        planes = np.empty((N_PLANES, n_pixels), dtype=np.float32)
        padded = np.zeros((6, (n_rows + 2 * margin + 2) * width), dtype=np.float32)
        counts = np.zeros((N_PLANES, n_bins), dtype=np.int64)
        sums = np.zeros(N_PLANES)
        _convert_image(stack[i], inv_top, lut, use_lut, edges, margin, planes, padded,
                       counts, sums)
        bits = np.empty(n_rows * width, dtype=np.int32)
        lbp_counts = np.zeros(n_lbp, dtype=np.int64)
        for channel in range(6):
            lbp_counts[:] = 0
            uniform_lbp_counts(padded[channel], width, margin, n_rows, n_cols,
                               offsets, weights, point_first, bits, lbp_counts)
            for j in range(n_lbp):
                out[i, channel * n_lbp + j] = lbp_counts[j] / n_pixels
        for k in range(N_PLANES):
            for j in range(n_bins):
                out[i, hist_first + k * n_bins + j] = counts[k, j] / n_pixels
            mean = sums[k] / n_pixels
            spread, skew = _central_moments(planes[k], mean)
            out[i, moment_first + 3 * k] = mean
            out[i, moment_first + 3 * k + 1] = spread
            out[i, moment_first + 3 * k + 2] = skew
