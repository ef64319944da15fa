"""Dense SIFT: orientation votes row by row, streamed into 4 x 4 x 8 histograms.

The kernels read a grey image as a C-contiguous ``(H, W)`` array of raw values
(any real dtype) multiplied by ``scale`` (``1 / intensity_range``), and follow
the conventions that ``classical.descriptors._dense_sift`` documents and the
NumPy twins in ``tests/naive/dsift.py`` spell out:

* Gradients are those of :func:`numpy.gradient`: ``(v[i + 1] - v[i - 1]) / 2``
  inside, one-sided differences on the first and last row and column.
* The orientation ``theta = atan2(g_y, g_x)`` in ``[0, 2 pi)`` (``y`` points
  down the rows) sits at ``t = 8 theta / (2 pi)`` bins; orientation bin ``k``
  receives the magnitude times ``max(0, 1 - d)``, ``d`` the circular distance
  from ``t`` to ``k`` (so the two nearest bins share it linearly).
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

Computation, all in float32, in one pass over the image rows per size
(:func:`describe_patch_rows`): for each row, :func:`orientation_row` writes
the magnitude and the orientation ``t`` of every pixel; :func:`vote_row`
spreads them over 8 orientation votes, reordering the pixels by phase
(column modulo ``step``) so that every patch column finds the pixel at a
given patch offset at consecutive positions; :func:`row_sums` sums that row
with the column weights into every patch column's 6 x 8 row histogram
(spatial bins -1 to 4; -1 and 4 are padding), all patch columns at once;
:func:`accumulate_row` adds the row histograms with the row weights into the
patch rows that the image row crosses (at most ``ceil(side / step)`` are
open at once, kept in a ring of slots); :func:`finish_patches` thresholds
and normalises a patch row at its last image row. Patch columns are the
innermost (vectorised) axis throughout, padded to whole vectors. Nothing
the size of the image is written besides ``out``; the arithmetic is that of
the direct sum over the patch, in another order.

Orientation: ``atan2`` is replaced by an octant decision (the signs of
``g_x`` and ``g_y`` and whether ``|g_y| > |g_x|``) and an odd minimax
polynomial of degree 11 for ``(4 / pi) atan(x)`` on ``[0, 1]``
(:data:`ATAN_BINS`, fitted by linear programming on 8,001 points, constrained
so that ``p(1) = 1`` exactly in float32). Its largest error, measured on
10**6 points in float32, is ``2.42e-6`` orientation bins (``1.1e-4``
degrees); float32 rounding of the division ``min / max`` and of the octant
arithmetic (``8 - t``: half an ulp of 8 is ``2.4e-7``) adds a few ``1e-7``
bins, so ``t`` is within ``3e-6`` bins of the exact angle (the tests check
this bound). Angles on a bin centre (multiples of 45 degrees with ``|g_x| = |g_y|``
or a zero component) are exact. Plain loops over pixels, with no calls to
``atan2``, let LLVM vectorise them.

``spatial_tables`` precomputes, per size and patch offset, the lower of the two
bins a pixel votes into (shifted by one, so that bins ``-1`` and ``4`` land in a
padded border that is discarded) and the two weights; the per-patch loop is
then branch-free.
"""

import numpy as np
from numba import njit, prange

from . import config

N_ORIENTATIONS = 8
N_SPATIAL = 4
DIMS = N_SPATIAL * N_SPATIAL * N_ORIENTATIONS
CLAMP = 0.2
"""Lowe's rule: normalised values are clamped here before renormalising."""

ATAN_BINS = (1.2732087, -0.4234609, 0.24610265, -0.14739367, 0.06608142,
             -0.014538197)
"""``(4 / pi) atan(x) ~ x * sum(ATAN_BINS[i] * x**(2 i))`` on ``[0, 1]``."""

_A0, _A1, _A2, _A3, _A4, _A5 = (np.float32(a) for a in ATAN_BINS)
_TINY = np.float32(1e-30)
_ROW_BINS = N_SPATIAL + 2  # spatial bins -1 to 4 of a row histogram
_PATCH_VALUES = N_SPATIAL * N_ORIENTATIONS  # one row of spatial bins, 32 values
_LANES = 16
"""Patch columns are padded to a multiple of this many (16 float32 values: one
AVX-512 or two AVX2 vectors)."""
_BAND = 8
"""Patch rows per task of :func:`dense_sift_image_parallel`."""


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
def orientation(g_x, g_y):
    """Magnitude and orientation ``t`` in ``[0, 8]`` bins of one float32 gradient."""
    a_x = abs(g_x)
    a_y = abs(g_y)
    steep = a_y > a_x
    small = min(a_x, a_y)
    large = max(a_x, a_y)
    x = small / max(large, _TINY)
    x2 = x * x
    p = x * (_A0 + x2 * (_A1 + x2 * (_A2 + x2 * (_A3 + x2 * (_A4 + x2 * _A5)))))
    t = np.float32(2.0) - p if steep else p
    t = np.float32(4.0) - t if g_x < 0 else t
    t = np.float32(8.0) - t if g_y < 0 else t
    return np.sqrt(g_x * g_x + g_y * g_y), t


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def orientation_row(src, r, scale, magnitude, t):
    """Gradient magnitude and orientation (in bins) of every pixel of row ``r``."""
    n_rows, n_cols = src.shape
    up = r - 1 if r > 0 else 0
    down = r + 1 if r < n_rows - 1 else n_rows - 1
    row_factor = np.float32(scale / (down - up))
    half = np.float32(scale / 2.0)
    whole = np.float32(scale)
    for c in range(1, n_cols - 1):
        g_x = (np.float32(src[r, c + 1]) - np.float32(src[r, c - 1])) * half
        g_y = (np.float32(src[down, c]) - np.float32(src[up, c])) * row_factor
        magnitude[c], t[c] = orientation(g_x, g_y)
    for c in (0, n_cols - 1):  # one-sided differences (images are >= 4 wide)
        left = c - 1 if c > 0 else 0
        right = c + 1 if c < n_cols - 1 else n_cols - 1
        g_x = (np.float32(src[r, right]) - np.float32(src[r, left])) * whole
        g_y = (np.float32(src[down, c]) - np.float32(src[up, c])) * row_factor
        magnitude[c], t[c] = orientation(g_x, g_y)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def vote_row(magnitude, t, left0, step, n_phases, n_columns, phase_magnitude, votes):
    """Spread a row's magnitudes over 8 orientation bins, in phase order.

    Pixel ``c = left0 + m * step + p`` (phase ``p < n_phases``, ``m <
    n_columns``) goes to position ``p * n_columns + m``: its magnitude to
    ``phase_magnitude`` and its vote for orientation ``k`` to ``votes[k]``
    (zero beyond the image). Patch column ``j`` then finds its pixel of
    offset ``o = m * step + p`` at position ``p * n_columns + m + j``, so that
    all patch columns are summed together, contiguously.
    """
    n_cols = magnitude.shape[0]
    for p in range(n_phases):
        for m in range(n_columns):
            c = left0 + m * step + p
            inside = c < n_cols
            c = c if inside else 0
            phase_magnitude[p * n_columns + m] = magnitude[c] if inside else 0.0
            votes[0, p * n_columns + m] = t[c]
    n = n_phases * n_columns
    for k in range(N_ORIENTATIONS - 1, -1, -1):  # row 0 holds t until the end
        for q in range(n):
            d = abs(votes[0, q] - np.float32(k))
            d = min(d, np.float32(N_ORIENTATIONS) - d)
            votes[k, q] = phase_magnitude[q] * max(np.float32(0.0),
                                                   np.float32(1.0) - d)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def row_sums(votes, phase_magnitude, step, n_columns, table, side, n_lanes, rx,
             totals):
    """The column-weighted votes of one row in every patch column.

    ``rx[b, k * n_lanes + j]`` is the sum over the row's ``side`` pixels of
    patch column ``j`` of the column weight of spatial bin ``b - 1`` times
    the pixel's vote for orientation ``k`` (``b`` in ``[0, 6)``: bins -1 and
    4 are padding); ``totals[j]`` is the sum of their gradient magnitudes.
    Inputs are in the phase order of :func:`vote_row`. ``n_lanes`` is the
    number of patch columns rounded up to a multiple of :data:`_LANES` (the
    extra columns are computed and ignored), so that the loops over ``j``
    run in whole vectors.
    """
    rx[:] = 0.0
    totals[:] = 0.0
    for o in range(side):
        base = (o % step) * n_columns + o // step
        bx = int(table[0, o])
        wx0 = table[1, o]
        wx1 = table[2, o]
        for j in range(n_lanes):
            totals[j] += phase_magnitude[base + j]
        for k in range(N_ORIENTATIONS):
            first = rx[bx, k * n_lanes:(k + 1) * n_lanes]
            second = rx[bx + 1, k * n_lanes:(k + 1) * n_lanes]
            source = votes[k, base:base + n_lanes]
            for j in range(n_lanes):
                value = source[j]
                first[j] += wx0 * value
                second[j] += wx1 * value


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def accumulate_row(rx, totals, o, table, hist, hist_totals):
    """Add a row's histograms, at row ``o`` of the patches, into ``hist``.

    ``hist[y, b, k * n_lanes + j]`` is spatial bin row ``y - 1`` (-1 to 4,
    padded), bin column ``b`` (0 to 3) and orientation ``k`` of patch column
    ``j``; ``hist_totals`` sums the magnitudes.
    """
    by = int(table[0, o])
    wy0 = table[1, o]
    wy1 = table[2, o]
    n = rx.shape[1]
    for b in range(N_SPATIAL):
        source = rx[b + 1]
        upper = hist[by, b]
        lower = hist[by + 1, b]
        for q in range(n):
            value = source[q]
            upper[q] += wy0 * value
            lower[q] += wy1 * value
    for j in range(totals.shape[0]):
        hist_totals[j] += totals[j]


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def finish_patches(hist, totals, n_across, threshold, side, norms, out, row0, col0):
    """Threshold and normalise a row of patch histograms into ``out``.

    ``hist`` is a slot of :func:`accumulate_row`; patch column ``j`` goes to
    ``out[row0 + j, col0:col0 + 128]``, its 128 values ordered ``(bin row,
    bin column, orientation)``. Normalising runs over all columns at once
    (``norms`` is scratch of ``n_lanes`` values); ``hist`` is overwritten.
    """
    n_lanes = norms.shape[0]
    values = hist[1:N_SPATIAL + 1].reshape((DIMS, n_lanes))
    norms[:] = 0.0
    for n in range(DIMS):
        for j in range(n_lanes):
            norms[j] += values[n, j] * values[n, j]
    for j in range(n_lanes):
        norms[j] = np.float32(1.0) / np.sqrt(max(norms[j], _TINY))
    for n in range(DIMS):
        for j in range(n_lanes):
            values[n, j] = min(values[n, j] * norms[j], np.float32(CLAMP))
    norms[:] = 0.0
    for n in range(DIMS):
        for j in range(n_lanes):
            norms[j] += values[n, j] * values[n, j]
    for j in range(n_across):
        row = out[row0 + j]
        if totals[j] < threshold * side * side or norms[j] <= 0.0:
            row[col0:col0 + DIMS] = 0.0
            continue
        inverse = np.float32(1.0) / np.sqrt(norms[j])
        for n in range(DIMS):
            row[col0 + n] = values[n, j] * inverse


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def describe_patch_rows(src, scale, step, offset, table, side, first, last, n_across,
                        threshold, row0, col0, out):
    """Describe patch rows ``first`` to ``last - 1`` of one size in one pass.

    Patches are ``side`` pixels square with top-left corners at ``offset +
    step * (i, j)``; patch ``(i, j)`` goes to ``out[row0 + i * n_across + j,
    col0:col0 + 128]``. Image rows are visited once, from the first patch
    row's top to the last one's bottom.
    """
    n_cols = src.shape[1]
    magnitude = np.empty(n_cols, np.float32)
    t = np.empty(n_cols, np.float32)
    n_lanes = (n_across + _LANES - 1) // _LANES * _LANES
    n_phases = min(step, side)
    n_columns = n_lanes + (side - 1) // step
    phase_magnitude = np.empty(n_phases * n_columns, np.float32)
    votes = np.empty((N_ORIENTATIONS, n_phases * n_columns), np.float32)
    rx = np.empty((_ROW_BINS, N_ORIENTATIONS * n_lanes), np.float32)
    totals = np.empty(n_lanes, np.float32)
    n_slots = (side - 1) // step + 1
    hist = np.empty((n_slots, _ROW_BINS, N_SPATIAL, N_ORIENTATIONS * n_lanes),
                    np.float32)
    hist_totals = np.empty((n_slots, n_lanes), np.float32)
    norms = np.empty(n_lanes, np.float32)
    top = offset + first * step
    bottom = offset + (last - 1) * step + side
    for r in range(top, bottom):
        orientation_row(src, r, scale, magnitude, t)
        vote_row(magnitude, t, offset, step, n_phases, n_columns, phase_magnitude,
                 votes)
        row_sums(votes, phase_magnitude, step, n_columns, table, side, n_lanes, rx,
                 totals)
        # open patch rows: offset + i * step <= r < offset + i * step + side
        i_low = max(first, (r - offset - side) // step + 1)
        i_high = min(last - 1, (r - offset) // step)
        for i in range(i_low, i_high + 1):
            slot = i % n_slots
            o = r - offset - i * step
            if o == 0:
                hist[slot] = 0.0
                hist_totals[slot] = 0.0
            accumulate_row(rx, totals, o, table, hist[slot], hist_totals[slot])
            if o == side - 1:
                finish_patches(hist[slot], hist_totals[slot], n_across, threshold,
                               side, norms, out, row0 + i * n_across, col0)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def dense_sift_image(src, scale, step, offsets, tables, sides, n_down, n_across,
                     threshold, row0, col0, out):
    """Dense SIFT of one ``(H, W)`` plane into ``out`` of shape (n_rows, D).

    Every size ``k`` describes the same ``n_down x n_across`` grid, size
    after size from row ``row0``, patch row after patch row, into columns
    ``col0:col0 + 128``.
    """
    n_grid = n_down * n_across
    for k in range(sides.shape[0]):
        describe_patch_rows(src, scale, step, offsets[k], tables[k], sides[k], 0,
                            n_down, n_across, threshold, row0 + k * n_grid, col0, out)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def dense_sift_image_parallel(src, scale, step, offsets, tables, sides, n_down,
                              n_across, threshold, row0, col0, out):
    """:func:`dense_sift_image` in parallel over bands of patch rows.

    Each size's patch rows are cut into bands of about ``_BAND`` consecutive
    patch rows; image rows that two bands share are read by both.
    """
    n_grid = n_down * n_across
    n_bands = (n_down + _BAND - 1) // _BAND
    for k in range(sides.shape[0]):
        for band in prange(n_bands):
            first = band * n_down // n_bands
            last = (band + 1) * n_down // n_bands
            describe_patch_rows(src, scale, step, offsets[k], tables[k], sides[k],
                                first, last, n_across, threshold, row0 + k * n_grid,
                                col0, out)


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
