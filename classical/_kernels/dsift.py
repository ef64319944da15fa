"""Dense SIFT: gradient orientation planes, then 4 x 4 x 8 histograms on a grid.

The kernels read a grey image as a C-contiguous ``(H, W)`` array of raw values
(any real dtype) multiplied by ``scale`` (``1 / intensity_range``), and follow
the conventions that ``classical.descriptors._dense_sift`` documents and the
NumPy twins in ``tests/naive/dsift.py`` spell out:

* Gradients are those of :func:`numpy.gradient`: ``(v[i + 1] - v[i - 1]) / 2``
  inside, one-sided differences on the first and last row and column.
* The orientation ``theta = atan2(g_y, g_x)`` in ``[0, 2 pi)`` (``y`` points
  down the rows) sits at ``t = 8 theta / (2 pi)`` bins; the magnitude is split
  between bins ``floor(t)`` and ``floor(t) + 1`` (mod 8) with weights
  ``1 - frac(t)`` and ``frac(t)``.
* A patch of ``4 * bin_size`` pixels per side starts at ``(row, col) =
  (step * i, step * j)``. Pixel offset ``o`` in the patch lies at ``u = (o +
  0.5) / bin_size - 0.5`` in bin units (bin ``k`` is centred at ``u = k``)
  and votes into bin ``k`` with the triangular weight ``max(0, 1 - |u - k|)``,
  separably along rows and columns.

``spatial_table`` precomputes, per offset, the lower of the two bins a pixel
votes into (shifted by one, so that bins ``-1`` and ``4`` land in a padded
border that is discarded) and the two weights; the per-patch loop is then
branch-free.
"""

import math

import numpy as np
from numba import njit, prange

from . import config

N_ORIENTATIONS = 8
N_SPATIAL = 4
DIMS = N_SPATIAL * N_SPATIAL * N_ORIENTATIONS
CLAMP = 0.2
"""Lowe's rule: normalised values are clamped here before renormalising."""

_TWO_PI = 2.0 * math.pi


def spatial_table(bin_size):
    """Per patch offset: padded lower bin, its weight and the upper bin's weight.

    Returns a ``(3, 4 * bin_size)`` float32 array: row 0 the lower bin plus
    one (in ``[0, 4]``), rows 1 and 2 the weights of that bin and the next.
    """
    u = (np.arange(N_SPATIAL * bin_size) + 0.5) / bin_size - 0.5
    lower = np.floor(u)
    frac = u - lower
    return np.ascontiguousarray(
        np.stack([lower + 1, 1.0 - frac, frac]).astype(np.float32))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _votes_row(src, r, scale, low, high, lower_bin):
    """Orientation votes of row ``r``; see :func:`orientation_votes`."""
    n_rows, n_cols = src.shape
    per_radian = N_ORIENTATIONS / _TWO_PI
    up = r - 1 if r > 0 else 0
    down = r + 1 if r < n_rows - 1 else n_rows - 1
    row_factor = scale / (down - up)
    for c in range(n_cols):
        left = c - 1 if c > 0 else 0
        right = c + 1 if c < n_cols - 1 else n_cols - 1
        g_x = (np.float32(src[r, right]) - np.float32(src[r, left])) * (
            scale / (right - left))
        g_y = (np.float32(src[down, c]) - np.float32(src[up, c])) * row_factor
        magnitude = math.sqrt(g_x * g_x + g_y * g_y)
        theta = math.atan2(g_y, g_x)
        if theta < 0.0:
            theta += _TWO_PI
        t = theta * per_radian
        k = int(t)
        frac = t - k
        if k >= N_ORIENTATIONS:
            k -= N_ORIENTATIONS
        lower_bin[r, c] = k
        low[r, c] = magnitude * (1.0 - frac)
        high[r, c] = magnitude * frac


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def orientation_votes(src, scale, low, high, lower_bin):
    """Split each pixel's gradient magnitude between two orientation bins.

    Writes ``low`` (the magnitude share of bin ``lower_bin``), ``high`` (the
    share of the next bin) and ``lower_bin``, all of shape ``(H, W)``.
    """
    for r in range(src.shape[0]):
        _votes_row(src, r, scale, low, high, lower_bin)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def describe_patch(low, high, lower_bin, top, left, table, threshold, hist, out):
    """Histogram, threshold and normalise the patch at ``(top, left)`` into ``out``.

    ``hist`` is a ``(6, 6, 8)`` float32 scratch array (the 4 x 4 bins with a
    one-bin border); ``out`` a row of length 128 ordered ``(bin row, bin
    column, orientation)``.
    """
    size = table.shape[1]
    hist[:] = 0.0
    total = 0.0
    for i in range(size):
        by = int(table[0, i])
        wy0 = table[1, i]
        wy1 = table[2, i]
        for j in range(size):
            bx = int(table[0, j])
            wx0 = table[1, j]
            wx1 = table[2, j]
            m0 = low[top + i, left + j]
            m1 = high[top + i, left + j]
            total += m0 + m1
            k0 = lower_bin[top + i, left + j]
            k1 = k0 + 1 if k0 < N_ORIENTATIONS - 1 else 0
            w = wy0 * wx0
            hist[by, bx, k0] += w * m0
            hist[by, bx, k1] += w * m1
            w = wy0 * wx1
            hist[by, bx + 1, k0] += w * m0
            hist[by, bx + 1, k1] += w * m1
            w = wy1 * wx0
            hist[by + 1, bx, k0] += w * m0
            hist[by + 1, bx, k1] += w * m1
            w = wy1 * wx1
            hist[by + 1, bx + 1, k0] += w * m0
            hist[by + 1, bx + 1, k1] += w * m1
    if total < threshold * size * size:
        out[:] = 0.0
        return
    n = 0
    norm = 0.0
    for y in range(1, N_SPATIAL + 1):
        for x in range(1, N_SPATIAL + 1):
            for k in range(N_ORIENTATIONS):
                value = hist[y, x, k]
                out[n] = value
                norm += value * value
                n += 1
    if norm <= 0.0:
        out[:] = 0.0
        return
    inverse = 1.0 / math.sqrt(norm)
    norm = 0.0
    for n in range(DIMS):
        value = min(out[n] * inverse, CLAMP)
        out[n] = value
        norm += value * value
    inverse = 1.0 / math.sqrt(norm)
    for n in range(DIMS):
        out[n] *= inverse


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _vote_arrays(src):
    shape = src.shape
    return (np.empty(shape, np.float32), np.empty(shape, np.float32),
            np.empty(shape, np.int32))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _hist():
    return np.empty((N_SPATIAL + 2, N_SPATIAL + 2, N_ORIENTATIONS), np.float32)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _patch_row(low, high, lower_bin, i, n_across, step, table, threshold, hist,
               out):
    """Describe the ``n_across`` patches of patch row ``i`` into ``out``."""
    for j in range(n_across):
        describe_patch(low, high, lower_bin, i * step, j * step, table, threshold,
                       hist, out[i * n_across + j])


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def dense_sift_image(src, scale, step, table, threshold, out):
    """Dense SIFT of one ``(H, W)`` image into ``out`` of shape (n_patches, 128).

    Patches are ordered row of patches after row of patches.
    """
    low, high, lower_bin = _vote_arrays(src)
    orientation_votes(src, scale, low, high, lower_bin)
    n_across = (src.shape[1] - table.shape[1]) // step + 1
    hist = _hist()
    for i in range(out.shape[0] // n_across):
        _patch_row(low, high, lower_bin, i, n_across, step, table, threshold, hist,
                   out)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def dense_sift_image_parallel(src, scale, step, table, threshold, out):
    """:func:`dense_sift_image` in parallel over image rows, then patch rows."""
    low, high, lower_bin = _vote_arrays(src)
    for r in prange(src.shape[0]):
        _votes_row(src, r, scale, low, high, lower_bin)
    n_across = (src.shape[1] - table.shape[1]) // step + 1
    for i in prange(out.shape[0] // n_across):
        _patch_row(low, high, lower_bin, i, n_across, step, table, threshold,
                   _hist(), out)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def dense_sift_batch(stack, scale, step, table, threshold, out):
    """Dense SIFT of each image of an ``(n, H, W)`` stack, in parallel over images.

    ``out`` has shape (n, n_patches, 128).
    """
    for i in prange(stack.shape[0]):
        dense_sift_image(stack[i], scale, step, table, threshold, out[i])
