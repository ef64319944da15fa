"""Per-pixel quantities and the fraction of pixels meeting compiled conditions.

A batch is a C-contiguous ``(n_images, n_pixels, C)`` array of raw values
(``C >= 3``; extra channels ignored). Quantities, in this order (their
indices are what compiled clauses refer to):

0 red, 1 green, 2 blue      channel value times ``inv_top`` (in [0, 1])
3 brightness                mean of the three scaled channels
4 saturation                HSV saturation (:func:`.color.hsv_pixel`); 0 if max == min
5 hue                       HSV hue in degrees, ``360 H``; 0 if max == min
6 exg                       excess green ``(2G - R - B) / (R + G + B)``; 0 if sum is 0
7 vari                      ``(G - R) / (G + R - B)``; 0 if the denominator is 0

A condition is a run of clauses ``lhs op rhs`` joined by AND; clauses of
condition ``k`` are ``starts[k]:starts[k + 1]``. ``op`` is 0 ``>``, 1 ``>=``,
2 ``<``, 3 ``<=``; ``rhs`` is a quantity index, or -1 to compare with
``values[clause]``.
"""

import numpy as np
from numba import njit, prange

from . import config
from .color import hsv_pixel

N_QUANTITIES = 8
BRIGHTNESS = 3
SATURATION = 4


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def pixel_quantities(r, g, b, inv_top, q):
    """Fill ``q`` with the quantities of one pixel given its raw values."""
    q[0] = r * inv_top
    q[1] = g * inv_top
    q[2] = b * inv_top
    total = r + g + b
    q[3] = total * (inv_top / 3.0)
    hue, saturation, _ = hsv_pixel(r, g, b, inv_top)
    q[4] = saturation
    q[5] = 360.0 * hue
    q[6] = (2.0 * g - r - b) / total if total != 0.0 else 0.0
    vari_denominator = g + r - b
    q[7] = (g - r) / vari_denominator if vari_denominator != 0.0 else 0.0


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _clause_holds(left, op, right):
    if op == 0:
        return left > right
    if op == 1:
        return left >= right
    if op == 2:
        return left < right
    return left <= right


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _image_rules(pixels, inv_top, starts, lhs, ops, rhs, values, out_row):
    """Write the condition fractions and the two means of one image to ``out_row``."""
    n_pixels = pixels.shape[0]
    n_conditions = starts.shape[0] - 1
    q = np.empty(N_QUANTITIES)
    counts = np.zeros(n_conditions, dtype=np.int64)
    brightness = 0.0
    saturation = 0.0
    for p in range(n_pixels):
        pixel_quantities(np.float64(pixels[p, 0]), np.float64(pixels[p, 1]),
                         np.float64(pixels[p, 2]), inv_top, q)
        brightness += q[BRIGHTNESS]
        saturation += q[SATURATION]
        for k in range(n_conditions):
            holds = True
            for c in range(starts[k], starts[k + 1]):
                right = q[rhs[c]] if rhs[c] >= 0 else values[c]
                if not _clause_holds(q[lhs[c]], ops[c], right):
                    holds = False
                    break
            if holds:
                counts[k] += 1
    for k in range(n_conditions):
        out_row[k] = counts[k] / n_pixels
    out_row[n_conditions] = brightness / n_pixels
    out_row[n_conditions + 1] = saturation / n_pixels


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def pixel_rule_batch(stack, inv_top, starts, lhs, ops, rhs, values):
    """Fraction of pixels meeting each condition, then mean brightness and saturation.

    Returns ``(n_images, n_conditions + 2)``.
    """
    n = stack.shape[0]
    out = np.empty((n, starts.shape[0] + 1))
    for i in prange(n):
        _image_rules(stack[i], inv_top, starts, lhs, ops, rhs, values, out[i])
    return out
