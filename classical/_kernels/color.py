"""Colour conversion fused with histogramming and moments.

Every kernel reads a batch as a C-contiguous ``(n_images, n_pixels, C)`` array
of raw pixel values (any numeric dtype, ``C >= 3``, channels beyond the third
ignored) and converts each pixel on the fly: no converted image is stored.

Per-pixel conventions (the NumPy twins in ``tests/naive/color.py`` spell them
out and the wrappers in ``classical.descriptors._color`` document them):

* ``space`` 0 is RGB scaled to ``[0, 1]``, 1 is HSV with H, S, V in ``[0, 1]``,
  2 is CIE Lab (D65, 2 degree observer, sRGB gamma).
* ``inv_top`` is ``1 / intensity_range(dtype)``.
* HSV is computed from the raw values so that integer input needs one rounding
  per channel: ``V = max * inv_top``, ``S = (max - min) / max`` and
  ``H = P / (6 (max - min))`` with ``P`` the integer hue numerator; H and S are
  0 where ``max == min`` (scikit-image's convention).
* Lab takes linear RGB from ``lut`` (indexed by the raw value) when ``use_lut``
  is set, else from the sRGB formula.
* A histogram bin is found by ``searchsorted(edges, x, side='right') - 1`` on
  the given edges, with values clipped to ``[edges[0], edges[-1]]``; a value on
  the upper edge falls in the last bin, as in ``np.histogramdd``.
"""

import numpy as np
from numba import njit, prange

from . import config

RGB = 0
HSV = 1
LAB = 2

# sRGB primaries to CIE XYZ (D65), divided row-wise by the D65 white point
# (0.95047, 1.0, 1.08883): the constants scikit-image uses.
_WHITE_X = 0.95047
_WHITE_Z = 1.08883


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def hsv_pixel(r, g, b, inv_top):
    """HSV of one pixel given its raw channel values as floats.

    Written with selects rather than branches (random colours defeat branch
    prediction): where ``max == min`` the numerators are 0, so H = S = 0.
    """
    high = max(r, max(g, b))
    delta = high - min(r, min(g, b))
    red = g - b
    red = red + 6.0 * delta if red < 0.0 else red
    green = 2.0 * delta + (b - r)
    blue = 4.0 * delta + (r - g)
    # scikit-image assigns red, then green, then blue: the last maximum wins
    numerator = blue if b == high else (green if g == high else red)
    hue = numerator / (6.0 * delta if delta > 0.0 else 1.0)
    saturation = delta / (high if high > 0.0 else 1.0)
    return hue, saturation, high * inv_top


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def srgb_to_linear(c):
    """Undo the sRGB gamma of one channel value in [0, 1]."""
    if c > 0.04045:
        return ((c + 0.055) / 1.055) ** 2.4
    return c / 12.92


# Starting points for lab_cbrt: cbrt at the middle of each 1/1024 step of t
_CBRT_STEPS = 1200
_CBRT_GUESS = np.cbrt((np.arange(_CBRT_STEPS) + 0.5) / 1024.0)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def lab_cbrt(t):
    """Cube root for ``0 < t``: three Halley steps from a table guess.

    Within 2 units in the last place of ``np.cbrt`` for ``t < 1.17`` (the
    range Lab meets for colours in gamut) and about three times faster than
    Numba's ``np.cbrt``; larger ``t`` falls back to ``np.cbrt``.
    """
    step = int(t * 1024.0)
    if step >= _CBRT_STEPS:
        return np.cbrt(t)
    y = _CBRT_GUESS[step]
    for _ in range(3):
        y3 = y * y * y
        y = y * (y3 + 2.0 * t) / (2.0 * y3 + t)
    return y


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def lab_f(t):
    """The CIE Lab compander: cube root above 0.008856, linear below."""
    if t > 0.008856:
        return lab_cbrt(t)
    return 7.787 * t + 16.0 / 116.0


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def linear_to_lab(lr, lg, lb):
    """CIE Lab of one pixel given its linear RGB."""
    x = (0.412453 * lr + 0.357580 * lg + 0.180423 * lb) / _WHITE_X
    y = 0.212671 * lr + 0.715160 * lg + 0.072169 * lb
    z = (0.019334 * lr + 0.119193 * lg + 0.950227 * lb) / _WHITE_Z
    fx = lab_f(x)
    fy = lab_f(y)
    fz = lab_f(z)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def convert_pixel(pixels, p, space, inv_top, lut, use_lut):
    """The three channels of pixel ``p`` of a ``(n_pixels, C)`` image in ``space``."""
    r = np.float64(pixels[p, 0])
    g = np.float64(pixels[p, 1])
    b = np.float64(pixels[p, 2])
    if space == RGB:
        return r * inv_top, g * inv_top, b * inv_top
    if space == HSV:
        return hsv_pixel(r, g, b, inv_top)
    if use_lut:
        return linear_to_lab(lut[int(r)], lut[int(g)], lut[int(b)])
    return linear_to_lab(srgb_to_linear(r * inv_top), srgb_to_linear(g * inv_top),
                         srgb_to_linear(b * inv_top))


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def convert_pixels(pixels, space, inv_top, lut, use_lut):
    """Convert a ``(n_pixels, C)`` image to a ``(n_pixels, 3)`` float64 array."""
    out = np.empty((pixels.shape[0], 3))
    for p in prange(pixels.shape[0]):
        c0, c1, c2 = convert_pixel(pixels, p, space, inv_top, lut, use_lut)
        out[p, 0] = c0
        out[p, 1] = c1
        out[p, 2] = c2
    return out


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def bin_index(x, edges, scale):
    """Bin of ``x`` among ``edges``: np.histogramdd's rule, values clipped.

    ``scale`` is ``n / (edges[-1] - edges[0])``, computed once by the caller.
    """
    n = edges.shape[0] - 1
    low = edges[0]
    x = min(max(x, low), edges[n])
    b = min(int((x - low) * scale), n - 1)
    # the guess is off by at most one where x is within rounding of an edge
    while b > 0 and x < edges[b]:
        b -= 1
    while b < n - 1 and x >= edges[b + 1]:
        b += 1
    return b


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _finish_histogram(counts, out_row, n_pixels, normalize):
    for k in range(counts.shape[0]):
        if normalize:
            out_row[k] = counts[k] / n_pixels
        else:
            out_row[k] = counts[k]


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _count(counts, b0, b1, b2, n0, n1, n2, joint):
    """Count one pixel with bins ``(b0, b1, b2)`` in a joint or split histogram.

    Unsigned indices spare Numba's negative-index wraparound.
    """
    i0 = np.uintp(b0)
    i1 = np.uintp(b1)
    i2 = np.uintp(b2)
    if joint:
        counts[(i0 * np.uintp(n1) + i1) * np.uintp(n2) + i2] += 1
    else:
        counts[i0] += 1
        counts[np.uintp(n0) + i1] += 1
        counts[np.uintp(n0 + n1) + i2] += 1


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _color_counts(pixels, space, inv_top, lut, use_lut, edges0, edges1, edges2, joint,
                  counts):
    """Add the colour bins of one ``(n_pixels, C)`` image to ``counts``."""
    n0 = edges0.shape[0] - 1
    n1 = edges1.shape[0] - 1
    n2 = edges2.shape[0] - 1
    scale0 = n0 / (edges0[n0] - edges0[0])
    scale1 = n1 / (edges1[n1] - edges1[0])
    scale2 = n2 / (edges2[n2] - edges2[0])
    for p in range(pixels.shape[0]):
        c0, c1, c2 = convert_pixel(pixels, p, space, inv_top, lut, use_lut)
        _count(counts, bin_index(c0, edges0, scale0), bin_index(c1, edges1, scale1),
               bin_index(c2, edges2, scale2), n0, n1, n2, joint)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def color_histogram_batch(stack, space, inv_top, lut, use_lut, edges0, edges1, edges2,
                          joint, normalize):
    """Colour histogram of each image of a ``(n, n_pixels, C)`` stack.

    Returns ``(n, n0 * n1 * n2)`` when ``joint`` (index ``(b0 * n1 + b1) * n2
    + b2``), else ``(n, n0 + n1 + n2)``; counts, or fractions of the pixels
    when ``normalize``.
    """
    n, n_pixels = stack.shape[0], stack.shape[1]
    n0 = edges0.shape[0] - 1
    n1 = edges1.shape[0] - 1
    n2 = edges2.shape[0] - 1
    width = n0 * n1 * n2 if joint else n0 + n1 + n2
    out = np.empty((n, width))
    for i in prange(n):
        counts = np.zeros(width, dtype=np.int64)
        _color_counts(stack[i], space, inv_top, lut, use_lut, edges0, edges1, edges2,
                      joint, counts)
        _finish_histogram(counts, out[i], n_pixels, normalize)
    return out


@njit(cache=config.CACHE, fastmath=config.FASTMATH, inline="always")
def _hsv_cell(stack, i, p):
    """``(max, d, P')`` of pixel ``p`` of image ``i``: the row and column of its
    table cells (``P'`` is the hue numerator shifted by ``d``, see the kernel).

    All three numerators are computed and one selected, which compiles
    without branches; the shift means no sextant wraps: ``0 <= P' <= 6 d``.
    """
    row = np.uintp(p)
    r = np.int32(stack[i, row, np.uintp(0)])
    g = np.int32(stack[i, row, np.uintp(1)])
    b = np.int32(stack[i, row, np.uintp(2)])
    high = max(r, max(g, b))
    delta = high - min(r, min(g, b))
    red = delta + g - b
    green = 3 * delta + b - r
    blue = 5 * delta + r - g
    shifted = blue if b == high else (green if g == high else red)
    return np.uintp(high), np.uintp(delta), np.uintp(shifted)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _hsv_joint_counts(stack, i, hue_offsets, saturation_offsets, counts):
    """Add image ``i``'s pixels to a joint histogram: two reads, one increment."""
    for p in range(stack.shape[1]):
        high, delta, shifted = _hsv_cell(stack, i, p)
        counts[np.uintp(hue_offsets[delta, shifted])
               + np.uintp(saturation_offsets[high, delta])] += 1


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _hsv_split_counts(stack, i, hue_offsets, saturation_offsets, value_offsets,
                      counts):
    """Add image ``i``'s pixels to three one-channel histograms."""
    for p in range(stack.shape[1]):
        high, delta, shifted = _hsv_cell(stack, i, p)
        counts[np.uintp(hue_offsets[delta, shifted])] += 1
        counts[np.uintp(saturation_offsets[high, delta])] += 1
        counts[np.uintp(value_offsets[high])] += 1


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def hsv_histogram_uint8(stack, hue_offsets, saturation_offsets, value_offsets, width,
                        joint, normalize):
    """HSV histogram of a ``(n, n_pixels, C)`` uint8 stack, in integer arithmetic.

    With ``d = max - min`` and ``P`` the hue numerator (``H = P / (6 d)``,
    ``0 <= P < 6 d``), a pixel's hue is looked up at ``hue_offsets[d, (P +
    d) mod 6 d]`` (the column is ``d + G - B``, ``3 d + B - R`` or ``5 d + R -
    G`` for a red, green or blue maximum), its saturation at
    ``saturation_offsets[max, d]`` and its value at ``value_offsets[max]``.
    No pixel is converted to float: the tables hold the bins of the float
    values :func:`hsv_pixel` gives, so the result equals
    :func:`color_histogram_batch` with ``space=HSV``.

    Speed (>= OpenCV's ``cvtColor`` + ``calcHist`` on one thread) comes from
    the tables holding offsets into the counts, not bins: for a joint
    histogram ``hue_offsets`` is ``h * ns * nv`` and ``saturation_offsets``
    is ``s * nv + v`` (value folded in, as it depends on ``max`` only), so a
    pixel is two reads and one increment with no multiplication; for split
    histograms they are ``h``, ``nh + s`` and ``nh + ns + v``. ``width`` is
    the number of bins.
    """
    n, n_pixels = stack.shape[0], stack.shape[1]
    out = np.empty((n, width))
    for i in prange(n):
        counts = np.zeros(width, dtype=np.int32)
        if joint:
            _hsv_joint_counts(stack, i, hue_offsets, saturation_offsets, counts)
        else:
            _hsv_split_counts(stack, i, hue_offsets, saturation_offsets,
                              value_offsets, counts)
        _finish_histogram(counts, out[i], n_pixels, normalize)
    return out


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _image_moments(pixels, space, inv_top, lut, use_lut, moments, out_row):
    """Write the colour moments of one ``(n_pixels, C)`` image to ``out_row``."""
    n_pixels = pixels.shape[0]
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    for p in range(n_pixels):
        c0, c1, c2 = convert_pixel(pixels, p, space, inv_top, lut, use_lut)
        s0 += c0
        s1 += c1
        s2 += c2
    m0 = s0 / n_pixels
    m1 = s1 / n_pixels
    m2 = s2 / n_pixels
    out_row[0] = m0
    out_row[moments] = m1
    out_row[2 * moments] = m2
    if moments == 1:
        return
    # second pass: central sums about the mean (exact for constant images)
    q0 = q1 = q2 = 0.0
    t0 = t1 = t2 = 0.0
    for p in range(n_pixels):
        c0, c1, c2 = convert_pixel(pixels, p, space, inv_top, lut, use_lut)
        d0 = c0 - m0
        d1 = c1 - m1
        d2 = c2 - m2
        q0 += d0 * d0
        q1 += d1 * d1
        q2 += d2 * d2
        t0 += d0 * d0 * d0
        t1 += d1 * d1 * d1
        t2 += d2 * d2 * d2
    out_row[1] = np.sqrt(q0 / n_pixels)
    out_row[moments + 1] = np.sqrt(q1 / n_pixels)
    out_row[2 * moments + 1] = np.sqrt(q2 / n_pixels)
    if moments == 3:
        out_row[2] = np.cbrt(t0 / n_pixels)
        out_row[5] = np.cbrt(t1 / n_pixels)
        out_row[8] = np.cbrt(t2 / n_pixels)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def color_moments_batch(stack, space, inv_top, lut, use_lut, moments):
    """Per-channel mean, standard deviation and cube root of the third moment.

    Two passes over each image (mean, then central sums), converting pixels
    in each; ``moments`` (1 to 3) per channel. Returns ``(n, 3 * moments)``
    ordered channel by channel.
    """
    n = stack.shape[0]
    out = np.empty((n, 3 * moments))
    for i in prange(n):
        _image_moments(stack[i], space, inv_top, lut, use_lut, moments, out[i])
    return out
