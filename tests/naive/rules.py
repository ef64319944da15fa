"""Plain NumPy twin of :mod:`classical._kernels.rules`, written for clarity.

It computes every per-pixel quantity as a whole array, evaluates conditions
given as ``{name: [(quantity, op, quantity_or_number), ...]}`` with the
``operator`` module, and averages. It takes the conditions as written by a
user, not the kernel's compiled arrays, so it shares no code with the library.
"""

import operator

import numpy as np

__all__ = ["pixel_quantities", "pixel_rule_batch"]

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def _full_scale(dtype):
    return float(np.iinfo(dtype).max) if np.issubdtype(dtype, np.integer) else 1.0


def _divide_or_zero(numerator, denominator):
    safe = np.where(denominator != 0, denominator, 1.0)
    return np.where(denominator != 0, numerator / safe, 0.0)


def pixel_quantities(image):
    """Dict of quantity name to an (H * W,) array for an (H, W, C) RGB(A) image."""
    image = np.asarray(image)
    inv_top = 1.0 / _full_scale(image.dtype)
    raw = image[..., :3].reshape(-1, 3).astype(np.float64)
    r, g, b = raw[:, 0], raw[:, 1], raw[:, 2]
    high = raw.max(axis=1)
    delta = high - raw.min(axis=1)
    numerator = g - b
    numerator = np.where(numerator < 0, numerator + 6.0 * delta, numerator)
    numerator = np.where(g == high, 2.0 * delta + (b - r), numerator)
    numerator = np.where(b == high, 4.0 * delta + (r - g), numerator)
    total = r + g + b
    return {
        "red": r * inv_top,
        "green": g * inv_top,
        "blue": b * inv_top,
        "brightness": total * (inv_top / 3.0),
        "saturation": _divide_or_zero(delta, high),
        "hue": 360.0 * _divide_or_zero(numerator, 6.0 * delta),
        "exg": _divide_or_zero(2.0 * g - r - b, total),
        "vari": _divide_or_zero(g - r, g + r - b),
    }


def pixel_rule_batch(stack, conditions):
    """Fractions of pixels meeting each condition (in dict order), then the means."""
    rows = []
    for image in stack:
        q = pixel_quantities(image)
        row = []
        for clauses in conditions.values():
            holds = np.ones(len(q["red"]), dtype=bool)
            for left, op, right in clauses:
                right_values = q[right] if isinstance(right, str) else right
                holds &= _OPS[op](q[left], right_values)
            row.append(holds.mean())
        row += [q["brightness"].mean(), q["saturation"].mean()]
        rows.append(row)
    return np.array(rows)
