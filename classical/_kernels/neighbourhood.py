"""Neighbourhood kernels: window statistics per band and GLCM texture.

Both take an image already padded by ``size // 2`` pixels on each side (the
caller mirrors it), so output pixel ``(r, c)`` is the window
``padded[r:r + size, c:c + size]`` and every read is in bounds. Rows of the
output are independent and run in parallel.

Statistics are built from per-column summaries: for output row ``r`` the
counts, sums, sums of squares, minima and maxima of each padded column over
the ``size`` rows are computed once, and each pixel adds ``size`` of them. A
pixel's value therefore depends only on the values in its window, always
summed in the same order, so the same pixel computed in two differently cut
blocks is bitwise equal. NaN marks a missing (nodata) value: it is left out,
and each statistic is taken over the window's other values (NaN only when the
window has none). Variance is ``E[x^2] - E[x]^2`` over those values in float64,
clipped at 0, and exactly 0 in a flat window; the caller centres each band
first (subtracts a constant per band), which keeps that difference accurate
for data far from zero.

Texture reads an image of grey levels ``0..levels-1`` and returns, per pixel,
the grey-level co-occurrence properties of Haralick et al. (1973) of its
window: for each of the four directions ``(0, 1)``, ``(1, 0)``, ``(1, 1)``,
``(1, -1)`` (a symmetric matrix, so also their opposites) the pairs of pixels
with both ends in the window give the contrast ``mean((i - j)^2)`` and the
homogeneity ``mean(1 / (1 + (i - j)^2))``; the four directions are averaged.
A pixel of level :data:`MISSING` (nodata) is in no pair; a direction with no
pair left is not averaged, and a window with no pair at all (a lone valid
pixel) has contrast 0 and homogeneity 1, as a flat window.
"""

import numpy as np
from numba import njit, prange

from . import config

MEAN, STD, MIN, MAX, RANGE = 0, 1, 2, 3, 4
CONTRAST, HOMOGENEITY = 0, 1
MISSING = -1  # grey level of a nodata pixel


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _column_summaries(padded, row, size, counts, sums, squares, lows, highs):
    """Count, sum, sum of squares, min and max of each column's non-NaN values.

    The sums run without a test first (a NaN never passes ``<`` or ``>``, so
    min and max skip it anyway); only a column whose sum is NaN is summed
    again leaving its NaN out, in the same order.
    """
    for col in range(padded.shape[1]):
        for band in range(padded.shape[2]):
            count = size
            total = 0.0
            total_sq = 0.0
            low = np.inf
            high = -np.inf
            for i in range(row, row + size):
                value = padded[i, col, band]
                total += value
                total_sq += value * value
                if value < low:
                    low = value
                if value > high:
                    high = value
            if total != total:  # NaN in the column: sum its other values
                count = 0
                total = 0.0
                total_sq = 0.0
                for i in range(row, row + size):
                    value = padded[i, col, band]
                    if value == value:
                        count += 1
                        total += value
                        total_sq += value * value
            counts[col, band] = count
            sums[col, band] = total
            squares[col, band] = total_sq
            lows[col, band] = low
            highs[col, band] = high


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def window_statistics(padded, size, statistics, out):
    """Per-band statistics of the non-NaN values of every ``size x size`` window.

    Parameters
    ----------
    padded : float64 array (H + size - 1, W + size - 1, B), NaN where missing
    size : int, odd
    statistics : int64 array (S,) of MEAN, STD, MIN, MAX, RANGE
    out : float array (H, W, S * B), filled with statistic ``s`` of band
        ``b`` at ``out[..., s * B + b]``.
    """
    n_rows, n_cols = out.shape[0], out.shape[1]
    n_padded_cols, n_bands = padded.shape[1], padded.shape[2]
    for row in prange(n_rows):
        counts = np.empty((n_padded_cols, n_bands), dtype=np.int64)
        sums = np.empty((n_padded_cols, n_bands))
        squares = np.empty((n_padded_cols, n_bands))
        lows = np.empty((n_padded_cols, n_bands))
        highs = np.empty((n_padded_cols, n_bands))
        _column_summaries(padded, row, size, counts, sums, squares, lows, highs)
        for col in range(n_cols):
            for band in range(n_bands):
                count = 0
                total = 0.0
                total_sq = 0.0
                low = np.inf
                high = -np.inf
                for j in range(col, col + size):
                    count += counts[j, band]
                    total += sums[j, band]
                    total_sq += squares[j, band]
                    low = min(low, lows[j, band])
                    high = max(high, highs[j, band])
                mean = total / max(count, 1)
                for k in range(statistics.shape[0]):
                    code = statistics[k]
                    if count == 0:  # every value of the window is missing
                        value = np.nan
                    elif code == MEAN:
                        value = mean
                    elif code == STD and high > low:
                        value = np.sqrt(max(total_sq / count - mean * mean, 0.0))
                    elif code == STD:  # flat window: exactly 0, not rounding noise
                        value = 0.0
                    elif code == MIN:
                        value = low
                    elif code == MAX:
                        value = high
                    else:
                        value = high - low
                    out[row, col, k * n_bands + band] = value


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def glcm_texture(grey, size, properties, out):
    """GLCM contrast and homogeneity of every ``size x size`` window.

    Parameters
    ----------
    grey : int64 array (H + size - 1, W + size - 1) of levels ``0..L-1``, or
        :data:`MISSING`
    size : int, odd, at least 2
    properties : int64 array (P,) of CONTRAST, HOMOGENEITY
    out : float32 array (H, W, P)
    """
    n_rows, n_cols = out.shape[0], out.shape[1]
    row_steps = (0, 1, 1, 1)
    col_steps = (1, 0, 1, -1)
    for row in prange(n_rows):
        for col in range(n_cols):
            contrast = 0.0
            homogeneity = 0.0
            n_directions = 0
            for d in range(4):
                dr = row_steps[d]
                dc = col_steps[d]
                first_col = col + max(0, -dc)
                last_col = col + size - max(0, dc)
                squares = 0.0
                inverse = 0.0
                n_pairs = 0
                for i in range(row, row + size - dr):
                    for j in range(first_col, last_col):
                        first = grey[i, j]
                        second = grey[i + dr, j + dc]
                        if first == MISSING or second == MISSING:
                            continue
                        diff = first - second
                        square = float(diff * diff)
                        squares += square
                        inverse += 1.0 / (1.0 + square)
                        n_pairs += 1
                if n_pairs:
                    contrast += squares / n_pairs
                    homogeneity += inverse / n_pairs
                    n_directions += 1
            if n_directions:
                contrast /= n_directions
                homogeneity /= n_directions
            else:  # no pair: a flat window
                homogeneity = 1.0
            for k in range(properties.shape[0]):
                if properties[k] == CONTRAST:
                    out[row, col, k] = contrast
                else:
                    out[row, col, k] = homogeneity
