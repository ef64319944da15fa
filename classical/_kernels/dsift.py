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
  (offsets[k] + step * i, offsets[k] + step * j)`` (see below). Pixel ``o``
  of the patch (counted from its first row or column) lies at ``u = (o +
  0.5) / bin_size - 0.5`` in bin units (bin ``b`` is centred at ``u = b``)
  and votes into bin ``b`` with the triangular weight ``max(0, 1 - |u -
  b|)``, separably along rows and columns.
* Several bin sizes share one grid of ``n_down x n_across`` patch centres.
  Size ``k`` has patches ``sides[k]`` pixels square (``4 * bin_size``) whose
  top-left corners are at ``offsets[k] + step * i`` (rows) and ``offsets[k] +
  step * j`` (columns); patch ``(i, j)`` of size ``k`` lands at row ``row0 + k
  * n_down * n_across + i * n_across + j`` of ``out``. A colour image is
  described one channel plane at a time, channel ``c`` into columns ``128 *
  c`` to ``128 * c + 127``.
* The spatial weights are separable, so histograms are built in two passes
  per size: ``row_sums`` sums each image row once per patch column with the
  column weights (an 8-orientation vector per column bin), then
  ``describe_patch`` sums a patch's rows with the row weights. Vertically
  overlapping patches share the row sums; the arithmetic is that of the
  direct 2-D sum, in another order.

``spatial_tables`` precomputes, per size and patch offset, the lower of the two
bins a pixel votes into (shifted by one, so that bins ``-1`` and ``4`` land in a
padded border that is discarded) and the two weights; the per-patch loop is
then branch-free.
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


def spatial_tables(bin_sizes):
    """Per size and patch offset: padded lower bin and the two bins' weights.

    Returns a ``(len(bin_sizes), 3, 4 * max(bin_sizes))`` float32 array:
    for size ``k``, row 0 holds the lower bin plus one (in ``[0, 4]``) and
    rows 1 and 2 the weights of that bin and the next, for the first ``4 *
    bin_sizes[k]`` offsets (the rest is zero padding, never read).
    """
    tables = np.zeros((len(bin_sizes), 3, N_SPATIAL * max(bin_sizes)), np.float32)
    for k, bin_size in enumerate(bin_sizes):
        u = (np.arange(N_SPATIAL * bin_size) + 0.5) / bin_size - 0.5
        lower = np.floor(u)
        frac = u - lower
        tables[k, :, :len(u)] = np.stack([lower + 1, 1.0 - frac, frac])
    return tables


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
def row_sums(low, high, lower_bin, r, left0, step, table, side, n_across, rx,
             totals):
    """Along row ``r``, the column-weighted votes of every patch column.

    For patch column ``j`` (starting at column ``left0 + j * step``) writes
    ``rx[r, j, b, k]``, the sum over the row's ``side`` pixels of the patch of
    the column weight of spatial bin ``b - 1`` times the pixel's vote for
    orientation ``k`` (``b`` in ``[0, 6)``: bins -1 and 4 are padding), and
    ``totals[r, j]``, the sum of their gradient magnitudes.
    """
    for j in range(n_across):
        acc = rx[r, j]
        acc[:] = 0.0
        total = 0.0
        left = left0 + j * step
        for o in range(side):
            c = left + o
            bx = int(table[0, o])
            wx0 = table[1, o]
            wx1 = table[2, o]
            m0 = low[r, c]
            m1 = high[r, c]
            total += m0 + m1
            k0 = lower_bin[r, c]
            k1 = k0 + 1 if k0 < N_ORIENTATIONS - 1 else 0
            acc[bx, k0] += wx0 * m0
            acc[bx, k1] += wx0 * m1
            acc[bx + 1, k0] += wx1 * m0
            acc[bx + 1, k1] += wx1 * m1
        totals[r, j] = total


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def describe_patch(rx, totals, top, j, table, side, threshold, hist, out, col0):
    """Histogram, threshold and normalise patch column ``j`` from row ``top``.

    Sums the row sums of :func:`row_sums` over the patch's ``side`` rows with
    the row weights of ``table``. ``hist`` is a ``(6, 6, 8)`` float32
    scratch array (the 4 x 4 bins with a one-bin border); the 128 values,
    ordered ``(bin row, bin column, orientation)``, go to ``out[col0:col0 +
    128]``.
    """
    hist[:] = 0.0
    total = 0.0
    for o in range(side):
        r = top + o
        by = int(table[0, o])
        wy0 = table[1, o]
        wy1 = table[2, o]
        total += totals[r, j]
        row = rx[r, j]
        for bx in range(1, N_SPATIAL + 1):
            for k in range(N_ORIENTATIONS):
                value = row[bx, k]
                hist[by, bx, k] += wy0 * value
                hist[by + 1, bx, k] += wy1 * value
    if total < threshold * side * side:
        out[col0:col0 + DIMS] = 0.0
        return
    n = col0
    norm = 0.0
    for y in range(1, N_SPATIAL + 1):
        for x in range(1, N_SPATIAL + 1):
            for k in range(N_ORIENTATIONS):
                value = hist[y, x, k]
                out[n] = value
                norm += value * value
                n += 1
    if norm <= 0.0:
        out[col0:col0 + DIMS] = 0.0
        return
    inverse = 1.0 / math.sqrt(norm)
    norm = 0.0
    for n in range(col0, col0 + DIMS):
        value = min(out[n] * inverse, CLAMP)
        out[n] = value
        norm += value * value
    inverse = 1.0 / math.sqrt(norm)
    for n in range(col0, col0 + DIMS):
        out[n] *= inverse


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _vote_arrays(src):
    shape = src.shape
    return (np.empty(shape, np.float32), np.empty(shape, np.float32),
            np.empty(shape, np.int32))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _sum_arrays(n_rows, n_across):
    return (np.empty((n_rows, n_across, N_SPATIAL + 2, N_ORIENTATIONS), np.float32),
            np.empty((n_rows, n_across), np.float32))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _hist():
    return np.empty((N_SPATIAL + 2, N_SPATIAL + 2, N_ORIENTATIONS), np.float32)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _patch_row(rx, totals, row, k, step, offsets, tables, sides, n_across, threshold,
               hist, row0, col0, out):
    """Describe the ``n_across`` patches of patch row ``row`` of size ``k``.

    They go to rows ``row0 + row * n_across`` onwards of ``out``.
    """
    top = offsets[k] + row * step
    first = row0 + row * n_across
    for j in range(n_across):
        describe_patch(rx, totals, top, j, tables[k], sides[k], threshold, hist,
                       out[first + j], col0)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _rows_used(offsets, k, step, n_down, sides):
    """First and one-past-last image row that the patches of size ``k`` cover."""
    return offsets[k], offsets[k] + step * (n_down - 1) + sides[k]


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def dense_sift_image(src, scale, step, offsets, tables, sides, n_down, n_across,
                     threshold, row0, col0, out):
    """Dense SIFT of one ``(H, W)`` plane into ``out`` of shape (n_rows, D).

    Every size ``k`` describes the same ``n_down x n_across`` grid, size
    after size from row ``row0``, patch row after patch row, into columns
    ``col0:col0 + 128``.
    """
    low, high, lower_bin = _vote_arrays(src)
    orientation_votes(src, scale, low, high, lower_bin)
    rx, totals = _sum_arrays(src.shape[0], n_across)
    hist = _hist()
    n_grid = n_down * n_across
    for k in range(sides.shape[0]):
        first, last = _rows_used(offsets, k, step, n_down, sides)
        for r in range(first, last):
            row_sums(low, high, lower_bin, r, offsets[k], step, tables[k], sides[k],
                     n_across, rx, totals)
        for i in range(n_down):
            _patch_row(rx, totals, i, k, step, offsets, tables, sides, n_across,
                       threshold, hist, row0 + k * n_grid, col0, out)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def dense_sift_image_parallel(src, scale, step, offsets, tables, sides, n_down,
                              n_across, threshold, row0, col0, out):
    """:func:`dense_sift_image` in parallel over image rows, then patch rows."""
    low, high, lower_bin = _vote_arrays(src)
    for r in prange(src.shape[0]):
        _votes_row(src, r, scale, low, high, lower_bin)
    rx, totals = _sum_arrays(src.shape[0], n_across)
    n_grid = n_down * n_across
    for k in range(sides.shape[0]):
        first, last = _rows_used(offsets, k, step, n_down, sides)
        for r in prange(first, last):
            row_sums(low, high, lower_bin, r, offsets[k], step, tables[k], sides[k],
                     n_across, rx, totals)
        for i in prange(n_down):
            _patch_row(rx, totals, i, k, step, offsets, tables, sides, n_across,
                       threshold, _hist(), row0 + k * n_grid, col0, out)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def dense_sift_batch(planes, n_channels, scale, step, offsets, tables, sides, n_down,
                     n_across, threshold, row0, out):
    """Dense SIFT of each plane of an ``(n * n_channels, H, W)`` stack.

    Plane ``q`` is channel ``q % n_channels`` of image ``q // n_channels``;
    ``out`` has shape (n, n_rows, 128 * n_channels). In parallel over planes.
    """
    for q in prange(planes.shape[0]):
        image = q // n_channels
        dense_sift_image(planes[q], scale, step, offsets, tables, sides, n_down,
                         n_across, threshold, row0,
                         DIMS * (q - image * n_channels), out[image])
