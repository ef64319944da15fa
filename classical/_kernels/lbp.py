"""Local binary pattern kernels: codes of one image, fused histograms of a stack.

The caller computes the sampling geometry once per ``(P, R)`` and image size:
for point ``i``, ``corners[i] = (r0, c0, r1, c1)`` are the floor and ceiling
of its row and column offsets; ``row_weights[r, i] = (1 - dr, dr)`` and
``col_weights[i, :, c] = (1 - dc, dc)`` are its bilinear weights at row ``r``
and column ``c``. The weights depend (in the last bit) on the row and column
because scikit-image takes the fraction of ``r + offset``; using them keeps
ties identical. Each image is copied once into a zero-padded float64 buffer,
so every sample is an unconditional read (the zeros stand for scikit-image's
constant border, ``cval=0``). A point's value is interpolated as
scikit-image does it::

    top    = (1 - dc) * I[r0, c0] + dc * I[r0, c1]
    bottom = (1 - dc) * I[r1, c0] + dc * I[r1, c1]
    value  = (1 - dr) * top + dr * bottom

and its bit is ``value >= centre``. Method numbers are the module constants
``DEFAULT``, ``ROR``, ``UNIFORM``, ``NRI_UNIFORM`` and ``VAR``.

Exact ties (a flat region) are common, so the interpolation must round like
scikit-image, each product and sum on its own. ``config.FASTMATH`` allows
LLVM to fuse ``a * b + c`` into one multiply-add with a single rounding,
which moves such values by one ulp and flips bits, so these three lines (and
the luminance of colour images) go through :func:`_weighted_sum`, whose
instructions carry only the ``nsz`` flag: Numba's fastmath pass leaves
flagged instructions alone, and without ``contract`` LLVM may not fuse them.
With ``NUMBA_DISABLE_JIT=1`` both intrinsics are replaced by plain Python.
"""

import numba
import numpy as np
from numba import njit, prange, types
from numba.extending import intrinsic

from . import config

DEFAULT, ROR, UNIFORM, NRI_UNIFORM, VAR = 0, 1, 2, 3, 4
# Patterns of up to this many points are kept as the bits of one int64.
MAX_PATTERN_BITS = 62
# Histograms take codes in bands of about this many pixels.
BAND_PIXELS = 4096


@intrinsic
def _weighted_sum(typingctx, w0, a, w1, b):
    """``w0 * a + w1 * b`` in float64, every operation rounded on its own."""
    signature = types.float64(types.float64, types.float64, types.float64,
                              types.float64)

    def codegen(context, builder, sig, args):
        w0, a, w1, b = args
        only = ("nsz",)  # any flag of its own keeps the fastmath flags off
        return builder.fadd(builder.fmul(w0, a, flags=only),
                            builder.fmul(w1, b, flags=only), flags=only)

    return signature, codegen


@intrinsic
def _popcount(typingctx, x):
    """Number of set bits of an int64 (one ``popcnt`` instruction)."""
    def codegen(context, builder, sig, args):
        return builder.ctpop(args[0])

    return types.int64(types.int64), codegen


if numba.config.DISABLE_JIT:  # plain Python: the same results, uncompiled
    def _weighted_sum(w0, a, w1, b):  # noqa: F811
        return float(w0) * float(a) + float(w1) * float(b)

    def _popcount(x):  # noqa: F811
        return np.int64(bin(int(x) & 0xFFFFFFFFFFFFFFFF).count("1"))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _flat_offsets(corners, n_rows, n_cols):
    """Offsets of each point's four corners in the padded buffer, and the margin.

    A corner further than the image size from every pixel always falls
    outside, so it is clamped to the image size: it still reads a zero, and
    the margin (hence the buffer) stays at most three times the image.
    """
    n_points = corners.shape[0]
    clamped = np.empty((n_points, 4), dtype=np.int64)
    margin = 1
    for i in range(n_points):
        for j in range(4):
            limit = n_rows if j % 2 == 0 else n_cols
            value = min(max(corners[i, j], -limit), limit)
            clamped[i, j] = value
            margin = max(margin, abs(value))
    width = n_cols + 2 * margin
    offsets = np.empty((n_points, 4), dtype=np.int64)
    for i in range(n_points):
        r0, c0, r1, c1 = clamped[i, 0], clamped[i, 1], clamped[i, 2], clamped[i, 3]
        offsets[i, 0] = r0 * width + c0
        offsets[i, 1] = r0 * width + c1
        offsets[i, 2] = r1 * width + c0
        offsets[i, 3] = r1 * width + c1
    return offsets, margin


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _fill_padded(images, k, channel, luma, margin, padded):
    """Copy channel ``channel`` of image ``k`` (luminance when ``channel < 0``)
    into the interior of ``padded``; the border keeps its zeros."""
    n_rows, n_cols = images.shape[1], images.shape[2]
    width = n_cols + 2 * margin
    for r in range(n_rows):
        start = (r + margin) * width + margin
        if channel >= 0:
            for c in range(n_cols):
                padded[start + c] = images[k, r, c, channel]
        else:
            for c in range(n_cols):
                # rounded as NumPy's luma[0] * R + luma[1] * G + luma[2] * B
                red_green = _weighted_sum(luma[0], np.float64(images[k, r, c, 0]),
                                          luma[1], np.float64(images[k, r, c, 1]))
                padded[start + c] = _weighted_sum(1.0, red_green, luma[2],
                                                  np.float64(images[k, r, c, 2]))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _pattern_code(bits, n_points, method):
    """The code of a pixel whose neighbour ``i`` is bit ``i`` of ``bits``."""
    if method == DEFAULT:
        return float(bits)
    if method == ROR:
        smallest = bits
        rotated = bits
        for _ in range(n_points - 1):
            rotated = (rotated >> 1) | ((rotated & 1) << (n_points - 1))
            smallest = min(smallest, rotated)
        return float(smallest)
    # bit i of `before` is bit i-1 of the pattern, around the circle
    before = ((bits << 1) | (bits >> (n_points - 1))) & ((np.int64(1) << n_points) - 1)
    changes = _popcount(bits ^ before)
    if changes > 2:
        return _uniform_code(0, changes, 0, n_points, method)
    rising = bits & ~before
    return _uniform_code(_popcount(bits), changes, _popcount((rising & -rising) - 1),
                         n_points, method)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _uniform_code(n_ones, changes, run_start, n_points, method):
    """'uniform' or 'nri_uniform' code from the pattern's summaries.

    ``changes`` counts 0/1 transitions around the circle; ``run_start`` is the
    index of the rising edge (bit set, previous bit clear), where the run of
    ones of a uniform pattern starts. Only ``changes`` is read when it
    exceeds 2.
    """
    if method == UNIFORM:
        return float(n_ones if changes <= 2 else n_points + 1)
    if changes > 2:
        return float(n_points * (n_points - 1) + 2)
    if n_ones == 0:
        return 0.0
    if n_ones == n_points:
        return float(n_points * (n_points - 1) + 1)
    rotation = (n_points - run_start) % n_points
    return float(1 + (n_ones - 1) * n_points + rotation)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _band_codes(padded, margin, row_first, row_stop, n_cols, corners, offsets,
                row_weights, col_weights, first, n_points, method, counts, sums,
                codes):
    """Codes (or variances) of rows ``row_first:row_stop`` into ``codes``.

    Pixel ``(r, c)`` goes to ``codes[(r - row_first) * n_cols + c]``.
    ``counts`` (int64, shape (5, W)) and ``sums`` (float64, shape (3, W)) are
    scratch for one row. Points are taken one at a time over the whole row, so
    the inner loops run over columns without branches. Up to
    ``MAX_PATTERN_BITS`` points, a pixel's bits are gathered in one integer
    and summarised at the end; beyond (and for ``VAR``) running counts are
    kept instead (``counts`` rows: previous bit, ones, transitions, rising
    edge, first bit; ``sums`` rows: values, sum, sum of squares). A point on
    a pixel row (``r0 == r1``, so ``dr == 0``) or column (``c0 == c1``) skips
    the reads whose weight is 0: ``1 * x + 0 * y`` is ``x`` exactly.

    Everything is inline and indexed from the base arrays with unsigned
    offsets (no negative-index wrap-around): array views and calls with
    array arguments update reference counts atomically, which costs more
    than the work on a short row.
    """
    width = n_cols + 2 * margin
    as_bits = n_points <= MAX_PATTERN_BITS and method != VAR
    values = sums[0]
    for r in range(row_first, row_stop):
        start = (r + margin) * width + margin
        out = (r - row_first) * n_cols
        centre = np.uint64(start)
        for c in range(n_cols):
            counts[0, c] = 0
        for j in range(n_points):
            i = first + j
            wr0 = row_weights[r, i, 0]
            wr1 = row_weights[r, i, 1]
            tl = np.uint64(start + offsets[i, 0])
            tr = np.uint64(start + offsets[i, 1])
            bl = np.uint64(start + offsets[i, 2])
            br = np.uint64(start + offsets[i, 3])
            on_row = corners[i, 0] == corners[i, 2]
            on_col = corners[i, 1] == corners[i, 3]
            if on_row and on_col:
                for c in range(n_cols):
                    values[c] = padded[tl + np.uint64(c)]
            elif on_row:
                for c in range(n_cols):
                    u = np.uint64(c)
                    values[c] = _weighted_sum(col_weights[i, 0, c], padded[tl + u],
                                              col_weights[i, 1, c], padded[tr + u])
            elif on_col:
                for c in range(n_cols):
                    u = np.uint64(c)
                    values[c] = _weighted_sum(wr0, padded[tl + u],
                                              wr1, padded[bl + u])
            else:
                for c in range(n_cols):
                    u = np.uint64(c)
                    top = _weighted_sum(col_weights[i, 0, c], padded[tl + u],
                                        col_weights[i, 1, c], padded[tr + u])
                    bottom = _weighted_sum(col_weights[i, 0, c], padded[bl + u],
                                           col_weights[i, 1, c], padded[br + u])
                    values[c] = _weighted_sum(wr0, top, wr1, bottom)
            if as_bits:
                for c in range(n_cols):
                    bit = np.int64(values[c] >= padded[centre + np.uint64(c)])
                    counts[0, c] |= bit << j
            elif j == 0:
                for c in range(n_cols):
                    bit = np.int64(values[c] >= padded[centre + np.uint64(c)])
                    counts[0, c] = bit  # previous bit
                    counts[4, c] = bit  # first bit
                    counts[1, c] = bit  # number of ones
                    counts[2, c] = 0  # transitions
                    counts[3, c] = 0  # rising edge
                    sums[1, c] = values[c]
                    sums[2, c] = values[c] * values[c]
            else:
                for c in range(n_cols):
                    bit = np.int64(values[c] >= padded[centre + np.uint64(c)])
                    counts[2, c] += bit ^ counts[0, c]
                    # a uniform pattern has one rising edge (0 then 1): its start
                    counts[3, c] = j if bit > counts[0, c] else counts[3, c]
                    counts[1, c] += bit
                    counts[0, c] = bit
                    sums[1, c] += values[c]
                    sums[2, c] += values[c] * values[c]

        if as_bits:
            for c in range(n_cols):
                codes[out + c] = _pattern_code(counts[0, c], n_points, method)
        elif method == VAR:
            for c in range(n_cols):
                # P * sum(x**2) - sum(x)**2 is exact for whole-number samples, so a
                # flat neighbourhood gives exactly 0 (then NaN, as in scikit-image)
                spread = sums[2, c] * n_points - sums[1, c] * sums[1, c]
                codes[out + c] = (spread / (n_points * n_points) if spread != 0
                                  else np.nan)
        else:
            for c in range(n_cols):
                # close the circle: from the last neighbour back to the first
                changes = counts[2, c] + (counts[0, c] ^ counts[4, c])
                codes[out + c] = _uniform_code(counts[1, c], changes, counts[3, c],
                                               n_points, method)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def lbp_codes(images, corners, row_weights, col_weights, method, out):
    """LBP codes of the single-channel image ``images[0, :, :, 0]``.

    Parameters
    ----------
    images : ndarray of shape (1, H, W, 1)
        C-contiguous, any real dtype.
    corners : int64 ndarray of shape (P, 4)
        ``(r0, c0, r1, c1)`` of each sampling point.
    row_weights : float64 ndarray of shape (H, P, 2)
        ``(1 - dr, dr)`` of each point at each row.
    col_weights : float64 ndarray of shape (P, 2, W)
        ``(1 - dc, dc)`` of each point at each column.
    method : int
        One of the module's method numbers.
    out : float64 ndarray of shape (H, W)
        Receives the codes (variances for ``VAR``).
    """
    n_rows, n_cols = images.shape[1], images.shape[2]
    offsets, margin = _flat_offsets(corners, n_rows, n_cols)
    padded = np.zeros((n_rows + 2 * margin) * (n_cols + 2 * margin))
    _fill_padded(images, 0, 0, np.zeros(3), margin, padded)
    _padded_codes(padded, margin, n_rows, n_cols, corners, offsets, row_weights,
                  col_weights, method, out)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _padded_codes(padded, margin, n_rows, n_cols, corners, offsets, row_weights,
                  col_weights, method, out):
    """:func:`lbp_codes` once the image is in ``padded`` (independent of its dtype)."""
    counts = np.empty((5, n_cols), dtype=np.int64)
    sums = np.zeros((3, n_cols))
    _band_codes(padded, margin, 0, n_rows, n_cols, corners, offsets, row_weights,
                col_weights, 0, corners.shape[0], method, counts, sums,
                out.reshape(n_rows * n_cols))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _tally_codes(padded, margin, n_rows, n_cols, corners, offsets, row_weights,
                 col_weights, first, n_points, method, code_to_bin, lut, column,
                 tally):
    """Count the codes of the image in ``padded`` into ``tally[:, column + bin]``.

    Pixel ``q`` (in row-major order) goes to tally ``q % 4``: four interleaved
    tallies keep neighbouring pixels with the same code from waiting on each
    other's increment. ``lut`` is the start of
    the code-to-bin table in ``code_to_bin``, or -1 when the code is the bin.
    """
    band = max(1, BAND_PIXELS // n_cols)
    counts = np.empty((5, n_cols), dtype=np.int64)
    sums = np.zeros((3, n_cols))
    codes = np.empty(band * n_cols)
    for row_first in range(0, n_rows, band):
        row_stop = min(n_rows, row_first + band)
        _band_codes(padded, margin, row_first, row_stop, n_cols, corners, offsets,
                    row_weights, col_weights, first, n_points, method, counts, sums,
                    codes)
        for q in range((row_stop - row_first) * n_cols):
            code = np.int64(codes[q])
            if lut >= 0:
                code = code_to_bin[lut + code]
            tally[q & 3, column + code] += 1


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def lbp_histograms(images, corners, row_weights, col_weights, point_first,
                   bin_first, code_to_bin, lut_first, method, luma, normalize, out):
    """Histograms of LBP codes for a stack, one pass per image, no code image kept.

    Parameters
    ----------
    images : ndarray of shape (n_images, H, W, C)
        C-contiguous, any real dtype.
    corners, row_weights, col_weights : ndarray
        Geometry of all ``(P, R)`` pairs, points concatenated (see
        :func:`lbp_codes`).
    point_first : int64 ndarray of shape (n_pairs + 1,)
        Pair ``p`` uses points ``point_first[p]:point_first[p + 1]``.
    bin_first : int64 ndarray of shape (n_pairs + 1,)
        Pair ``p`` fills bins ``bin_first[p]:bin_first[p + 1]`` of a channel's
        block; blocks of ``bin_first[-1]`` bins follow each other by channel.
    code_to_bin : int64 ndarray
        Concatenated code-to-bin tables (used for 'ror').
    lut_first : int64 ndarray of shape (n_pairs,)
        Start of pair ``p``'s table in ``code_to_bin``, or -1: the code is the bin.
    method : int
        A code method number (not ``VAR``).
    luma : float64 ndarray of shape (3,) or (0,)
        Weights of the first three channels for one luminance histogram;
        empty for one histogram per channel.
    normalize : bool
        Divide counts by the number of pixels.
    out : float64 ndarray of shape (n_images, n_blocks * bin_first[-1])
        Receives the histograms.
    """
    n_images, n_rows, n_cols, n_channels = images.shape
    offsets, margin = _flat_offsets(corners, n_rows, n_cols)
    n_pairs = point_first.shape[0] - 1
    block = bin_first[n_pairs]
    n_blocks = 1 if luma.shape[0] > 0 else n_channels
    scale = 1.0 / (n_rows * n_cols) if normalize else 1.0
    for k in prange(n_images):
        padded = np.zeros((n_rows + 2 * margin) * (n_cols + 2 * margin))
        tally = np.zeros((4, n_blocks * block), dtype=np.int64)
        for b in range(n_blocks):
            _fill_padded(images, k, -1 if luma.shape[0] > 0 else b, luma, margin,
                         padded)
            for p in range(n_pairs):
                _tally_codes(padded, margin, n_rows, n_cols, corners, offsets,
                             row_weights, col_weights, point_first[p],
                             point_first[p + 1] - point_first[p], method, code_to_bin,
                             lut_first[p], b * block + bin_first[p], tally)
        for j in range(n_blocks * block):
            out[k, j] = (tally[0, j] + tally[1, j] + tally[2, j] + tally[3, j]) * scale


@intrinsic
def _weighted_sum4(typingctx, w0, a, w1, b, w2, c, w3, d):
    """``((w0 a + w1 b) + w2 c) + w3 d`` in float32, every operation rounded
    on its own (no fused multiply-add), so a NumPy twin gets the same bits."""
    f32 = types.float32
    signature = f32(f32, f32, f32, f32, f32, f32, f32, f32)

    def codegen(context, builder, sig, args):
        only = ("nsz",)  # any flag of its own keeps the fastmath flags off
        total = builder.fadd(builder.fmul(args[0], args[1], flags=only),
                             builder.fmul(args[2], args[3], flags=only), flags=only)
        total = builder.fadd(total, builder.fmul(args[4], args[5], flags=only),
                             flags=only)
        return builder.fadd(total, builder.fmul(args[6], args[7], flags=only),
                            flags=only)

    return signature, codegen


if numba.config.DISABLE_JIT:
    def _weighted_sum4(w0, a, w1, b, w2, c, w3, d):  # noqa: F811
        f = np.float32
        return (f(f(f(w0) * f(a)) + f(f(w1) * f(b))) + f(f(w2) * f(c))) + f(
            f(w3) * f(d))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def uniform_lbp_counts(padded, width, margin, n_rows, n_cols, offsets, weights,
                       point_first, bits, counts):
    """Add the uniform (riu2) LBP codes of a float32 image to ``counts``.

    The fast variant behind :class:`classical.descriptors.GlobalFeaturesExtractor`:
    it departs from scikit-image's rounding (see :func:`lbp_histograms`) to
    run as plain vector arithmetic over the whole image.

    Parameters
    ----------
    padded : float32 ndarray of shape ((n_rows + 2 margin + 2) * width,)
        The image with a zero border: pixel ``(r, c)`` at ``(r + margin + 1) *
        width + margin + c``, ``width = n_cols + 2 margin``. ``margin`` is at
        least the largest corner offset, so every read falls in the buffer.
    offsets : int64 ndarray of shape (n_points, 4)
        Flat offsets ``r * width + c`` of each point's four corners
        ``(r0, c0), (r0, c1), (r1, c0), (r1, c1)``.
    weights : float32 ndarray of shape (n_points, 4)
        Their bilinear weights ``(1 - dr)(1 - dc), (1 - dr) dc, dr (1 - dc),
        dr dc``, the same at every pixel.
    point_first : int64 ndarray of shape (n_pairs + 1,)
        Pair ``p`` uses points ``point_first[p]:point_first[p + 1]`` (at most
        30 each) and fills ``P + 2`` consecutive bins of ``counts``.
    bits : int32 ndarray of shape (n_rows * width,)
        Scratch for the pattern of each pixel (border columns included).
    counts : int64 ndarray
        The histograms of all pairs, concatenated.

    Notes
    -----
    Bit ``j`` of a pixel with value ``x`` is set when ``sum_k w_k (v_k - x)
    >= 0`` over the four corners ``v_k`` of point ``j``, summed in the order
    of :func:`_weighted_sum4`: where all corners equal the centre the sum is
    exactly 0 and the bit is set, as it is in exact arithmetic.
    """
    start = (margin + 1) * width
    n = n_rows * width
    centre = padded[start:start + n]
    zero = np.float32(0.0)
    bin_start = 0
    for pair in range(point_first.shape[0] - 1):
        first = point_first[pair]
        n_points = point_first[pair + 1] - first
        bits[:] = 0
        for j in range(n_points):
            i = first + j
            bit = np.int32(1 << j)
            v0 = padded[start + offsets[i, 0]:start + offsets[i, 0] + n]
            if weights[i, 0] == 1.0:  # the point is a pixel
                for q in range(n):
                    bits[q] |= bit if v0[q] >= centre[q] else np.int32(0)
                continue
            v1 = padded[start + offsets[i, 1]:start + offsets[i, 1] + n]
            v2 = padded[start + offsets[i, 2]:start + offsets[i, 2] + n]
            v3 = padded[start + offsets[i, 3]:start + offsets[i, 3] + n]
            w0, w1, w2, w3 = weights[i, 0], weights[i, 1], weights[i, 2], weights[i, 3]
            for q in range(n):
                x = centre[q]
                total = _weighted_sum4(w0, v0[q] - x, w1, v1[q] - x, w2, v2[q] - x,
                                       w3, v3[q] - x)
                bits[q] |= bit if total >= zero else np.int32(0)
        mask = (np.int64(1) << n_points) - 1
        for r in range(n_rows):
            row = r * width + margin
            for c in range(n_cols):
                pattern = np.int64(bits[row + c])
                before = ((pattern << 1) | (pattern >> (n_points - 1))) & mask
                if _popcount(pattern ^ before) <= 2:
                    counts[bin_start + _popcount(pattern)] += 1
                else:
                    counts[bin_start + n_points + 1] += 1
        bin_start += n_points + 2
