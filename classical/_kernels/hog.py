"""Histogram of oriented gradients (HOG), fused from raw pixels to normalised blocks.

The kernels read an image as a C-contiguous ``(H, W, C)`` array of raw values
(any real dtype; a grey image is ``C == 1``) and never store a converted copy:
each image row is read, optionally square-rooted, differentiated, binned and
added to its cell histograms, and the cell histograms of one image are then
normalised block by block straight into the output row.

Conventions, chosen so that the result equals ``skimage.feature.hog`` (the
NumPy twins in ``tests/naive/hog.py`` spell them out):

* Gradients are central differences ``v[r + 1] - v[r - 1]``, zero on the first
  and last row (for the row gradient) and column (for the column gradient).
  When ``single`` is set (float32 input) values and differences are rounded to
  float32 as scikit-image computes them in float32.
* With several channels, each pixel keeps the channel of largest gradient
  magnitude, the first one on ties (NumPy's ``argmax``).
* The orientation ``theta = degrees(atan2(g_row, g_col)) mod 180`` falls in
  bin ``k`` when ``degrees[k] <= theta < degrees[k + 1]`` with
  ``degrees = (180 / orientations) * arange(orientations + 1)``; a pixel whose
  rounded ``theta`` reaches ``degrees[-1]`` counts in no bin, as in
  scikit-image.
* Cells cover the top-left ``(H // cell_rows) * cell_rows`` rows and
  ``(W // cell_cols) * cell_cols`` columns; a cell's histogram is the sum of its
  pixels' magnitudes per bin divided by the number of pixels in a cell.
* The output row is ordered ``(block_row, block_col, cell_row, cell_col,
  orientation)``.

The bin is found without ``atan2``: the gradient is folded into the upper half
plane, mirrored into ``[0, 90]`` degrees (the edges are symmetric about 90)
and compared, in float32 and eight lanes at a time, with the unit vector of
each edge up to 90 degrees by the sign of a cross product. Outside a
relative ``GUARD`` of every edge that verdict is exact; inside it (and just
below 180 degrees, where scikit-image's rounded angle may wrap to 0 or 180,
and for gradients float32 cannot hold) the kernel falls back to the
scikit-image formula with ``atan2``. Bins therefore agree with scikit-image's
bit for bit, except where NumPy's vectorised ``arctan2`` and the C library's
round an angle within a few units in the last place of an edge differently:
never for integer images, whose gradients lie either exactly on an edge (0, 45,
90 or 135 degrees, where both agree) or far from it.

Every per-row helper indexes its 2-D/3-D work arrays instead of slicing rows
out of them: a slice is a new array whose reference count is updated
atomically, which on 64-pixel rows cost more than the arithmetic.
"""

import math

import numpy as np
from numba import njit, prange

from . import config

L1 = 0
L1_SQRT = 1
L2 = 2
L2_HYS = 3
NORMS = {"L1": L1, "L1-sqrt": L1_SQRT, "L2": L2, "L2-Hys": L2_HYS}

EPS = 1e-5
"""Added to block norms, as scikit-image does (``eps**2`` under square roots)."""

HYS_CLIP = 0.2
"""L2-Hys clips normalised values at this level before renormalising."""

GUARD = 1e-6
"""Relative distance to a bin edge (a cross product with the edge's unit vector
divided by the gradient's L1 norm, about radians) below which the exact
``atan2`` path decides. It is several times the worst rounding error of the
float32 comparisons, so outside it their verdict is exact."""

TINY = 1e-30
HUGE = 1e30
"""Gradients whose L1 norm is outside ``[TINY, HUGE]`` (but not zero) are binned
by the exact path: float32 would lose them to underflow or overflow."""

_RAD2DEG = 180.0 / math.pi

# rows of the per-image work array (each of length W)
_GX, _GY, _CX, _CY, _BEST = 0, 1, 2, 3, 4
_MAG = 5
WORK_ROWS = 6
# rows of the float32 work array
_UX, _UY, _COUNT, _MARGIN, _TOL, _BASE = 0, 1, 2, 3, 4, 5
WORK32_ROWS = 6


def orientation_edges(orientations):
    """Return the bin edges as a ``(3, orientations + 1)`` float64 array.

    Row 0 holds scikit-image's thresholds in degrees,
    ``(180 / orientations) * k``, computed in NumPy so that no fast-math
    rewrite can change their rounding; rows 1 and 2 hold the cosine and sine
    of the exact edge angles ``k * pi / orientations``.
    """
    k = np.arange(orientations + 1)
    radians = np.pi * k / orientations
    return np.ascontiguousarray(
        np.stack([(180.0 / orientations) * k, np.cos(radians), np.sin(radians)]))


def glyph_ends(orientations, cell_rows, cell_cols):
    """Return each bin's glyph ends as an ``(orientations, 4)`` int64 array.

    The glyph of bin ``k`` is a line across the cell centre, perpendicular to
    the bin's middle orientation ``phi = pi * (k + 0.5) / orientations``, of
    ``radius = max(min(cell_rows, cell_cols) // 2 - 1, 0)``. Row ``k`` holds
    the offsets from the centre of its two ends, ``(floor(-radius * cos(phi)),
    floor(radius * sin(phi)))`` and ``(floor(radius * cos(phi)),
    floor(-radius * sin(phi)))`` (rows, columns), scikit-image's ends; each
    product is first rounded to 1e-9 so that the float error of ``cos`` and
    ``sin`` moves no end.
    """
    radius = max(min(cell_rows, cell_cols) // 2 - 1, 0)
    middle = np.pi * (np.arange(orientations) + 0.5) / orientations
    along_rows = np.round(radius * np.cos(middle), 9)
    along_cols = np.round(radius * np.sin(middle), 9)
    return np.ascontiguousarray(
        np.floor(np.stack([-along_rows, along_cols, along_rows, -along_cols], axis=1)),
        dtype=np.int64)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def exact_bin(g_col, g_row, edges):
    """Bin of one gradient by scikit-image's formula; -1 when it counts nowhere."""
    n = edges.shape[1] - 1
    # Python's float modulo is NumPy's: the sign of the divisor; a tiny
    # negative angle rounds to 180 and then counts in no bin
    theta = (math.atan2(g_row, g_col) * _RAD2DEG) % 180.0
    if theta >= edges[0, n]:
        return -1
    found = 0
    for k in range(1, n):
        if theta >= edges[0, k]:
            found = k
    return found


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _load_row(src, r, n, sqrt_values, single, window):
    """Copy ``src[r, :n, :]`` into ``window[r % 3, :, :n]`` as float64.

    The only step that depends on the input dtype; everything after it works
    on float64 rows, so it is compiled once whatever the input.
    """
    slot = r % 3
    for ch in range(src.shape[2]):
        if sqrt_values:
            if single:
                for c in range(n):
                    value = math.sqrt(np.float64(src[r, c, ch]))
                    window[slot, ch, c] = np.float32(value)
            else:
                for c in range(n):
                    window[slot, ch, c] = math.sqrt(np.float64(src[r, c, ch]))
        else:
            for c in range(n):
                window[slot, ch, c] = src[r, c, ch]


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _channel_gradient(window, r, ch, interior, n_cols, width, single, work, to_col,
                      to_row):
    """Central differences of channel ``ch`` of row ``r`` for columns ``[0, n_cols)``.

    Written to ``work[to_col]`` (along columns) and ``work[to_row]`` (along
    rows); ``window[r % 3]`` holds row ``r``, and its neighbours are in the
    other two slots when ``interior``.
    """
    above = (r + 2) % 3
    middle = r % 3
    below = (r + 1) % 3
    if interior:
        for c in range(n_cols):
            work[to_row, c] = window[below, ch, c] - window[above, ch, c]
    else:
        for c in range(n_cols):
            work[to_row, c] = 0.0
    inner = min(n_cols, width - 1)  # the column gradient is zero from W - 1 on
    work[to_col, 0] = 0.0
    for c in range(1, inner):
        work[to_col, c] = window[middle, ch, c + 1] - window[middle, ch, c - 1]
    for c in range(max(inner, 1), n_cols):
        work[to_col, c] = 0.0
    if single:
        for c in range(n_cols):
            work[to_col, c] = np.float32(work[to_col, c])
            work[to_row, c] = np.float32(work[to_row, c])


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _strongest_gradient(window, r, n_rows_img, n_cols, width, single, work):
    """Gradient of row ``r`` in ``work[_GX]``/``work[_GY]``, strongest channel."""
    interior = 0 < r < n_rows_img - 1
    _channel_gradient(window, r, 0, interior, n_cols, width, single, work, _GX, _GY)
    n_channels = window.shape[1]
    if n_channels == 1:
        return
    for c in range(n_cols):
        power = work[_GX, c] * work[_GX, c] + work[_GY, c] * work[_GY, c]
        work[_BEST, c] = np.float32(math.sqrt(power)) if single else power
    for ch in range(1, n_channels):
        _channel_gradient(window, r, ch, interior, n_cols, width, single, work,
                          _CX, _CY)
        # branch-free selects, so that the loops vectorise
        if single:
            # scikit-image compares float32 magnitudes: ties are common
            for c in range(n_cols):
                cand_col = work[_CX, c]
                cand_row = work[_CY, c]
                power = np.float64(np.float32(
                    math.sqrt(cand_col * cand_col + cand_row * cand_row)))
                take = power > work[_BEST, c]
                work[_BEST, c] = power if take else work[_BEST, c]
                work[_GX, c] = cand_col if take else work[_GX, c]
                work[_GY, c] = cand_row if take else work[_GY, c]
            continue
        n_close = 0
        for c in range(n_cols):
            cand_col = work[_CX, c]
            cand_row = work[_CY, c]
            best = work[_BEST, c]
            power = cand_col * cand_col + cand_row * cand_row
            same = (cand_col == work[_GX, c]) & (cand_row == work[_GY, c])
            # nearly equal norms, or squares out of range (inf - inf is NaN)
            close = (not abs(power - best) > 1e-14 * power) & (not same)
            take = (power > best) & (not close)
            n_close += 1 if close else 0
            work[_BEST, c] = power if take else best
            work[_GX, c] = cand_col if take else work[_GX, c]
            work[_GY, c] = cand_row if take else work[_GY, c]
        if n_close == 0:
            continue
        # decide close calls as NumPy's argmax over np.hypot does (the C
        # library's hypot, which is not always correctly rounded)
        for c in range(n_cols):
            cand_col = work[_CX, c]
            cand_row = work[_CY, c]
            power = cand_col * cand_col + cand_row * cand_row
            same = cand_col == work[_GX, c] and cand_row == work[_GY, c]
            if same or abs(power - work[_BEST, c]) > 1e-14 * power:
                continue
            if math.hypot(cand_col, cand_row) > math.hypot(work[_GX, c], work[_GY, c]):
                work[_BEST, c] = power
                work[_GX, c] = cand_col
                work[_GY, c] = cand_row


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _bin_row(n_cols, edges, work, work32):
    """Magnitude, provisional bin and distance to the nearest edge of each pixel.

    The gradient is folded into the upper half plane and rounded to float32
    (``work32[_UX]``, ``work32[_UY]``); ``work32[_COUNT]`` is the number of
    edges up to 90 degrees that the gradient mirrored into ``[0, 90]`` is at or
    past, by the sign of its cross product with each edge's unit vector.
    ``work32[_MARGIN]`` is the smallest
    such cross product in absolute value, or -1 just below 180 degrees where
    the exact path must decide anyway; the exact path decides where it is
    below ``work32[_TOL]`` or NaN (a gradient whose L1 norm is outside
    ``[TINY, HUGE]`` is stored as NaN).
    """
    one = np.float32(1.0)
    zero = np.float32(0.0)
    guard = np.float32(GUARD)
    # Short branch-free loops over few arrays: LLVM vectorises a loop only when
    # it can check at run time that its arrays do not overlap, and gives up
    # when there are too many to check.
    for c in range(n_cols):
        x = work[_GX, c]
        y = work[_GY, c]
        work[_MAG, c] = math.sqrt(x * x + y * y)
    for c in range(n_cols):
        x = work[_GX, c]
        y = work[_GY, c]
        flip = (y < 0.0) | ((y == 0.0) & (x < 0.0))
        sign = -1.0 if flip else 1.0
        length = abs(x) + abs(y)
        # float32 cannot hold this gradient faithfully: NaN sends it to the
        # exact path
        lost = ((length > 0.0) & (length < TINY)) | (length > HUGE)
        work32[_UX, c] = np.float32(x * sign)
        work32[_UY, c] = np.float32(np.nan) if lost else np.float32(y * sign)
    for c in range(n_cols):
        ux = work32[_UX, c]
        uy = work32[_UY, c]
        length = abs(ux) + uy
        near_wrap = (ux < zero) & (uy < guard * length)
        work32[_MARGIN, c] = -one if near_wrap else np.float32(np.inf)
        work32[_COUNT, c] = zero
        work32[_TOL, c] = guard * length
    # The edges are symmetric about 90 degrees: compare the gradient mirrored
    # into [0, 90] (|x|, y) with the edges up to 90 only; a gradient past 90
    # degrees (x < 0) then lies in bin n - 1 - count (exact edges are decided
    # by the exact path, their margin being 0).
    for k in range(1, (edges.shape[1] - 1) // 2 + 1):
        cos_k = np.float32(edges[1, k])
        sin_k = np.float32(edges[2, k])
        for c in range(n_cols):
            cross = cos_k * work32[_UY, c] - sin_k * abs(work32[_UX, c])
            work32[_COUNT, c] += one if cross >= zero else zero
            work32[_MARGIN, c] = min(work32[_MARGIN, c], abs(cross))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _vote_row(window, r, n_rows_img, width, cell_cols, single, edges, work, work32,
              hist, i):
    """Add the votes of image row ``r`` to the cell-row histogram ``hist[i]``."""
    n = edges.shape[1] - 1
    n_cell_cols = hist.shape[1] // n
    n_cols = n_cell_cols * cell_cols
    _strongest_gradient(window, r, n_rows_img, n_cols, width, single, work)
    _bin_row(n_cols, edges, work, work32)
    # histogram index of each vote (exact in float32), and how many need the
    # exact path; then the scatter loop has nothing left but the additions
    # (``not >=`` so that NaN, from gradients float32 cannot hold, is exact)
    last = np.float32(n - 1)
    n_exact = 0
    for c in range(n_cols):
        count = work32[_COUNT, c]
        mirrored = work32[_UX, c] < 0.0
        work32[_COUNT, c] = work32[_BASE, c] + (last - count if mirrored else count)
        n_exact += 0 if work32[_MARGIN, c] >= work32[_TOL, c] else 1
    if n_exact > 0:
        for c in range(n_cols):
            if not work32[_MARGIN, c] >= work32[_TOL, c]:
                g_col = work[_GX, c]
                g_row = work[_GY, c]
                b = exact_bin(g_col, g_row, edges)
                # hypot, as its square would overflow or underflow far out
                work[_MAG, c] = math.hypot(g_col, g_row) if b >= 0 else 0.0
                work32[_COUNT, c] = work32[_BASE, c] + max(b, 0)
    for c in range(n_cols):
        hist[i, np.int64(work32[_COUNT, c])] += work[_MAG, c]


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def cell_histograms(src, cell_row_start, cell_row_stop, cell_rows, cell_cols,
                    sqrt_values, single, edges, hist, window, work, work32):
    """Fill ``hist[i]`` for cell rows ``i`` in ``[cell_row_start, cell_row_stop)``.

    Parameters
    ----------
    src : ndarray of shape (H, W, C)
        Raw pixel values, C-contiguous.
    cell_row_start, cell_row_stop : int
        The cell rows to compute.
    cell_rows, cell_cols : int
        Pixels per cell.
    sqrt_values : bool
        Take the square root of every value first.
    single : bool
        Round values and differences to float32 (float32 input).
    edges : ndarray of shape (3, orientations + 1)
        From :func:`orientation_edges`.
    hist : ndarray of shape (n_cell_rows, n_cell_cols * orientations)
        Output, float64; the rows computed are overwritten.
    window : ndarray of shape (3, C, W)
        Work space, float64: three consecutive image rows, row ``r`` in
        ``window[r % 3]``.
    work : ndarray of shape (WORK_ROWS, W)
        Work space, float64.
    work32 : ndarray of shape (WORK32_ROWS, W)
        Work space, float32.
    """
    n_rows_img, width = src.shape[0], src.shape[1]
    n_load = min(hist.shape[1] // (edges.shape[1] - 1) * cell_cols + 1, width)
    first = cell_row_start * cell_rows
    if first > 0:
        _load_row(src, first - 1, n_load, sqrt_values, single, window)
    _load_row(src, first, n_load, sqrt_values, single, window)
    n = edges.shape[1] - 1
    for c in range(hist.shape[1] // n * cell_cols):
        work32[_BASE, c] = (c // cell_cols) * n  # where column c's cell starts
    scale = 1.0 / (cell_rows * cell_cols)
    for i in range(cell_row_start, cell_row_stop):
        for q in range(hist.shape[1]):
            hist[i, q] = 0.0
        for r in range(i * cell_rows, (i + 1) * cell_rows):
            if r + 1 < n_rows_img:
                _load_row(src, r + 1, n_load, sqrt_values, single, window)
            _vote_row(window, r, n_rows_img, width, cell_cols, single, edges, work,
                      work32, hist, i)
        for q in range(hist.shape[1]):
            hist[i, q] *= scale


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def normalize_blocks(hist, block_rows, block_cols, orientations, norm,
                     block_row_start, block_row_stop, out):
    """Write the normalised blocks of rows ``[block_row_start, block_row_stop)``.

    Parameters
    ----------
    hist : ndarray of shape (n_cell_rows, n_cell_cols * orientations)
        Cell histograms.
    block_rows, block_cols : int
        Cells per block.
    orientations : int
        Bins per cell.
    norm : int
        ``L1``, ``L1_SQRT``, ``L2`` or ``L2_HYS``.
    block_row_start, block_row_stop : int
        The block rows to write.
    out : ndarray of shape (n_features,)
        The image's feature row, ordered (block_row, block_col, cell_row,
        cell_col, orientation).
    """
    n_cell_cols = hist.shape[1] // orientations
    n_block_cols = n_cell_cols - block_cols + 1
    width = block_cols * orientations  # contiguous run of one cell row in a block
    length = block_rows * width
    squares = norm == L2 or norm == L2_HYS
    # each cell's sum of |v| or v**2, shared by the blocks that hold the cell
    n_sum_rows = block_row_stop - block_row_start + block_rows - 1
    sums = np.empty((n_sum_rows, n_cell_cols))
    for i in range(n_sum_rows):
        for j in range(n_cell_cols):
            total = 0.0
            if squares:
                for q in range(j * orientations, (j + 1) * orientations):
                    total += hist[block_row_start + i, q] * hist[block_row_start + i, q]
            else:
                for q in range(j * orientations, (j + 1) * orientations):
                    total += abs(hist[block_row_start + i, q])
            sums[i, j] = total
    for br in range(block_row_start, block_row_stop):
        for bc in range(n_block_cols):
            total = 0.0
            for i in range(block_rows):
                for j in range(block_cols):
                    total += sums[br - block_row_start + i, bc + j]
            if squares:
                inv = 1.0 / math.sqrt(total + EPS * EPS)
            else:
                inv = 1.0 / (total + EPS)
            start = (br * n_block_cols + bc) * length
            stop = start + length
            for i in range(block_rows):
                for q in range(width):
                    out[start + i * width + q] = (
                        hist[br + i, bc * orientations + q] * inv)
            if norm == L1_SQRT:
                for q in range(start, stop):
                    out[q] = math.sqrt(out[q])
            elif norm == L2_HYS:
                total = 0.0
                for q in range(start, stop):
                    value = min(out[q], HYS_CLIP)
                    out[q] = value
                    total += value * value
                inv = 1.0 / math.sqrt(total + EPS * EPS)
                for q in range(start, stop):
                    out[q] *= inv


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _work_arrays(src):
    """The ``window``, ``work`` and ``work32`` arrays of :func:`cell_histograms`."""
    width = src.shape[1]
    return (np.empty((3, src.shape[2], width)), np.empty((WORK_ROWS, width)),
            np.empty((WORK32_ROWS, width), dtype=np.float32))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _describe(src, cell_rows, cell_cols, block_rows, block_cols, norm, sqrt_values,
              single, edges, out, hist, window, work, work32):
    """HOG of one image into ``out``, with the given work arrays."""
    n_cell_rows = hist.shape[0]
    first = np.int64(0)  # not a literal: one compiled version serves both callers
    cell_histograms(src, first, n_cell_rows, cell_rows, cell_cols, sqrt_values, single,
                    edges, hist, window, work, work32)
    normalize_blocks(hist, block_rows, block_cols, edges.shape[1] - 1, norm, first,
                     n_cell_rows - block_rows + 1, out)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def hog_descriptor(src, cell_rows, cell_cols, block_rows, block_cols, norm,
                   sqrt_values, single, edges, out):
    """HOG of one ``(H, W, C)`` image into ``out``, on the calling thread."""
    n = edges.shape[1] - 1
    hist = np.empty((src.shape[0] // cell_rows, src.shape[1] // cell_cols * n))
    window, work, work32 = _work_arrays(src)
    _describe(src, cell_rows, cell_cols, block_rows, block_cols, norm, sqrt_values,
              single, edges, out, hist, window, work, work32)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def hog_glyphs(hist, cell_rows, cell_cols, ends, out):
    """Add each cell's orientation histogram to ``out`` as a star of line glyphs.

    Parameters
    ----------
    hist : ndarray of shape (n_cell_rows, n_cell_cols * orientations)
        Cell histograms, as :func:`cell_histograms` writes them.
    cell_rows, cell_cols : int
        Pixels per cell.
    ends : ndarray of int64 of shape (orientations, 4)
        Row and column offsets of the two ends of each bin's glyph from the
        cell centre, from :func:`glyph_ends`.
    out : ndarray of shape (H, W)
        Added to; ``H >= n_cell_rows * cell_rows`` and likewise for ``W``.

    Notes
    -----
    Cell ``(i, j)`` has its centre at pixel ``(i * cell_rows + cell_rows //
    2, j * cell_cols + cell_cols // 2)``. The glyph from ``p`` to ``p + d``
    covers the ``s + 1`` pixels ``p + (q(d_row, t), q(d_col, t))``, ``t = 0
    ... s``, ``s = max(|d_row|, |d_col|)``, where ``q(d, t) = sign(d) *
    floor(|d| * t / s + 1/2)``: one pixel per step along the longer axis and
    the nearest along the other, halves rounded towards the far end. These
    are the pixels of Bresenham's line as :func:`skimage.draw.line` draws it.
    Every pixel of bin ``k``'s glyph receives the cell's value of bin ``k``
    once; glyphs stay within their cell.
    """
    n = ends.shape[0]
    for i in range(hist.shape[0]):
        centre_row = i * cell_rows + cell_rows // 2
        for j in range(hist.shape[1] // n):
            centre_col = j * cell_cols + cell_cols // 2
            for k in range(n):
                value = hist[i, j * n + k]
                row = centre_row + ends[k, 0]
                col = centre_col + ends[k, 1]
                d_row = ends[k, 2] - ends[k, 0]
                d_col = ends[k, 3] - ends[k, 1]
                sign_row = 1 if d_row >= 0 else -1
                sign_col = 1 if d_col >= 0 else -1
                d_row = abs(d_row)
                d_col = abs(d_col)
                steps = max(d_row, d_col, 1)  # 1: a one-pixel glyph
                for t in range(max(d_row, d_col) + 1):
                    # floor(|d| t / s + 1/2) in integers
                    step_row = (2 * d_row * t + steps) // (2 * steps)
                    step_col = (2 * d_col * t + steps) // (2 * steps)
                    out[row + sign_row * step_row, col + sign_col * step_col] += value


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def hog_descriptor_glyphs(src, cell_rows, cell_cols, block_rows, block_cols, norm,
                          sqrt_values, single, edges, ends, out, glyphs):
    """HOG of one ``(H, W, C)`` image into ``out``, its glyphs added to ``glyphs``."""
    n = edges.shape[1] - 1
    hist = np.empty((src.shape[0] // cell_rows, src.shape[1] // cell_cols * n))
    window, work, work32 = _work_arrays(src)
    _describe(src, cell_rows, cell_cols, block_rows, block_cols, norm, sqrt_values,
              single, edges, out, hist, window, work, work32)
    hog_glyphs(hist, cell_rows, cell_cols, ends, glyphs)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def hog_batch(stack, cell_rows, cell_cols, block_rows, block_cols, norm,
              sqrt_values, single, edges, n_shares, out):
    """HOG of each image of an ``(n, H, W, C)`` stack into ``out[i]``, in parallel.

    The images are cut into ``n_shares`` contiguous shares (one per thread,
    at most ``n``), each described with one set of work arrays: allocating
    them per image cost a sixth of the time on 64 x 64 images. (The count is
    an argument because ``numba.get_num_threads`` would stop the kernel from
    being cached.)
    """
    n_images = stack.shape[0]
    n = edges.shape[1] - 1
    for share in prange(n_shares):
        hist = np.empty((stack.shape[1] // cell_rows, stack.shape[2] // cell_cols * n))
        window, work, work32 = _work_arrays(stack[0])
        for i in range(share * n_images // n_shares,
                       (share + 1) * n_images // n_shares):
            _describe(stack[i], cell_rows, cell_cols, block_rows, block_cols, norm,
                      sqrt_values, single, edges, out[i], hist, window, work, work32)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def hog_descriptor_parallel(src, cell_rows, cell_cols, block_rows, block_cols, norm,
                            sqrt_values, single, edges, out):
    """HOG of one large image, in parallel over cell rows then block rows."""
    n = edges.shape[1] - 1
    n_cell_rows = src.shape[0] // cell_rows
    hist = np.empty((n_cell_rows, src.shape[1] // cell_cols * n))
    for i in prange(n_cell_rows):
        window, work, work32 = _work_arrays(src)
        cell_histograms(src, i, i + 1, cell_rows, cell_cols, sqrt_values, single,
                        edges, hist, window, work, work32)
    for b in prange(n_cell_rows - block_rows + 1):
        normalize_blocks(hist, block_rows, block_cols, n, norm, b, b + 1, out)
