"""Descriptors of square patches on a dense grid: LBP histograms, colour moments.

The grid is dense SIFT's: patch ``(i, j)`` of side ``size`` covers rows
``step * i`` to ``step * i + size - 1`` and columns ``step * j`` to
``step * j + size - 1``, for ``i < n_py = (H - size) // step + 1`` and
``j < n_px = (W - size) // step + 1``; patches are numbered ``i * n_px + j``
(row of patches after row of patches). The caller checks ``H, W >= size``.

Per-pixel work is done once per image (the LBP code image, or the colour
conversion) and reused by every patch that covers the pixel; the kernels
reuse the LBP code and colour conversion routines of :mod:`.lbp` and
:mod:`.color`, so the codes and colours are exactly those of the global
descriptors.
"""

import numpy as np
from numba import njit, prange

from . import color, config, lbp

OPPONENT = 3
"""Space code of the opponent colour space (the others are ``color``'s)."""

@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def patch_histograms(bins, n_bins, step, size, first, out):
    """Normalised histogram of ``bins`` in every patch of the grid.

    Parameters
    ----------
    bins : int64 ndarray of shape (H, W)
        Bin of every pixel, in ``[0, n_bins)``.
    n_bins : int
        Number of bins.
    step, size : int
        Grid step and patch side.
    first : int
        Column of ``out`` where the histogram starts.
    out : float32 ndarray of shape (n_py * n_px, >= first + n_bins)
        Row ``p`` receives patch ``p``'s counts divided by ``size * size``.

    Notes
    -----
    For each row of patches, ``columns[c]`` holds the histogram of column
    ``c`` within the band of ``size`` rows; each patch sums ``size`` of
    these column histograms. When patches overlap (``step < size``) the
    next band drops the ``step`` rows it leaves and adds the ``step`` it
    gains, and likewise the next patch along a row for columns.
    """
    n_rows, n_cols = bins.shape
    n_py = (n_rows - size) // step + 1
    n_px = (n_cols - size) // step + 1
    scale = np.float32(1.0 / (size * size))
    columns = np.zeros((n_cols, n_bins), dtype=np.int32)
    tally = np.zeros(n_bins, dtype=np.int32)
    slide = step < size
    for i in range(n_py):
        top = i * step
        if i > 0 and slide:  # the band moves down by step rows
            for r in range(top - step, top):
                for c in range(n_cols):
                    columns[c, bins[r, c]] -= 1
            new_rows = top + size - step
        else:
            columns[:, :] = 0
            new_rows = top
        for r in range(new_rows, top + size):
            for c in range(n_cols):
                columns[c, bins[r, c]] += 1
        tally[:] = 0
        for c in range(size):
            for b in range(n_bins):
                tally[b] += columns[c, b]
        for j in range(n_px):
            left = j * step
            if j > 0:
                if slide:
                    for c in range(left - step, left):
                        for b in range(n_bins):
                            tally[b] -= columns[c, b]
                    for c in range(left + size - step, left + size):
                        for b in range(n_bins):
                            tally[b] += columns[c, b]
                else:
                    tally[:] = 0
                    for c in range(left, left + size):
                        for b in range(n_bins):
                            tally[b] += columns[c, b]
            p = i * n_px + j
            for b in range(n_bins):
                out[p, first + b] = tally[b] * scale


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def dense_lbp_batch(images, corners, row_weights, col_weights, method, code_to_bin,
                    luma, n_bins, step, size, out):
    """Patch histograms of LBP codes for a stack, in parallel over images.

    Parameters
    ----------
    images : ndarray of shape (n_images, H, W, C)
        C-contiguous, a dtype :mod:`.lbp` reads.
    corners, row_weights, col_weights : ndarray
        Sampling geometry of one ``(P, R)`` pair (see :func:`.lbp.lbp_codes`).
    method : int
        An :mod:`.lbp` code method number (not ``VAR``).
    code_to_bin : int64 ndarray
        Bin of each code ('ror'); empty when the code is the bin.
    luma : float64 ndarray of shape (3,) or (0,)
        Weights of the first three channels for the histogram of the
        luminance; empty for one histogram per channel.
    n_bins : int
        Bins of one histogram.
    step, size : int
        Grid step and patch side.
    out : float32 ndarray of shape (n_images, n_patches, n_blocks * n_bins)
        Receives, per patch, the histograms of each block (the luminance,
        or each channel in order).
    """
    n_images, n_rows, n_cols, n_channels = images.shape
    offsets, margin = lbp._flat_offsets(corners, n_rows, n_cols)
    n_blocks = 1 if luma.shape[0] > 0 else n_channels
    use_table = code_to_bin.shape[0] > 0
    for k in prange(n_images):
        padded = np.zeros((n_rows + 2 * margin) * (n_cols + 2 * margin))
        codes = np.empty((n_rows, n_cols))
        bins = np.empty((n_rows, n_cols), dtype=np.int64)
        for b in range(n_blocks):
            lbp._fill_padded(images, k, -1 if luma.shape[0] > 0 else b, luma, margin,
                             padded)
            lbp._padded_codes(padded, margin, n_rows, n_cols, corners, offsets,
                              row_weights, col_weights, method, codes)
            for r in range(n_rows):
                for c in range(n_cols):
                    code = np.int64(codes[r, c])
                    bins[r, c] = code_to_bin[code] if use_table else code
            patch_histograms(bins, n_bins, step, size, b * n_bins, out[k])


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _convert_image(pixels, space, inv_top, lut, use_lut, converted):
    """Convert every pixel of one ``(n_pixels, C)`` image into ``converted``."""
    for p in range(pixels.shape[0]):
        if space == OPPONENT:
            r, g, b = color.convert_pixel(pixels, p, color.RGB, inv_top, lut, False)
            # convert_color's opponent channels, each mapped onto [0, 1]
            converted[p, 0] = (r - g + 1.0) / 2.0
            converted[p, 1] = (r + g - 2.0 * b + 2.0) / 4.0
            converted[p, 2] = (r + g + b) / 3.0
        else:
            c0, c1, c2 = color.convert_pixel(pixels, p, space, inv_top, lut, use_lut)
            converted[p, 0] = c0
            converted[p, 1] = c1
            converted[p, 2] = c2


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def dense_color_moments_batch(pixels, n_cols, space, inv_top, lut, use_lut, moments,
                              step, size, out):
    """Colour moments of every patch of each image, in parallel over images.

    Parameters
    ----------
    pixels : ndarray of shape (n_images, H * W, C)
        C-contiguous raw pixels, ``C >= 3`` (channels beyond the third
        ignored), rows of ``n_cols`` pixels.
    n_cols : int
        Image width ``W``.
    space : int
        ``color.RGB``, ``color.HSV``, ``color.LAB`` or :data:`OPPONENT`.
    inv_top, lut, use_lut
        As for :func:`.color.convert_pixel`.
    moments : int
        1 to 3 moments per channel, as in :func:`.color.color_moments_batch`.
    step, size : int
        Grid step and patch side.
    out : float32 ndarray of shape (n_images, n_patches, 3 * moments)
        Receives the moments of each patch, channel by channel.
    """
    n_images, n_pixels = pixels.shape[0], pixels.shape[1]
    n_rows = n_pixels // n_cols
    n_py = (n_rows - size) // step + 1
    n_px = (n_cols - size) // step + 1
    for k in prange(n_images):
        converted = np.empty((n_pixels, 3))
        _convert_image(pixels[k], space, inv_top, lut, use_lut, converted)
        patch = np.empty((size * size, 3))
        row = np.empty(3 * moments)
        for i in range(n_py):
            for j in range(n_px):
                q = 0
                for r in range(i * step, i * step + size):
                    start = r * n_cols + j * step
                    for c in range(size):
                        patch[q, 0] = converted[start + c, 0]
                        patch[q, 1] = converted[start + c, 1]
                        patch[q, 2] = converted[start + c, 2]
                        q += 1
                # the converted values are passed through unchanged (RGB, scale 1)
                color._image_moments(patch, color.RGB, 1.0, lut, False, moments, row)
                for m in range(3 * moments):
                    out[k, i * n_px + j, m] = row[m]
