"""Plain twin of :func:`classical.geo.spectral_indices`: one pixel at a time.

Each index is written out as in its paper, on Python floats, with the zero
denominator tested explicitly.
"""

__all__ = ["spectral_indices"]


def _safe(numerator, denominator):
    return 0.0 if denominator == 0 else numerator / denominator


_FORMULAS = {
    "ndvi": lambda b, g, r, n, s: _safe(n - r, n + r),
    "ndwi": lambda b, g, r, n, s: _safe(g - n, g + n),
    "ndbi": lambda b, g, r, n, s: _safe(s - n, s + n),
    "savi": lambda b, g, r, n, s: _safe((n - r) * (1 + 0.5), n + r + 0.5),
    "evi": lambda b, g, r, n, s: _safe(2.5 * (n - r), n + 6 * r - 7.5 * b + 1),
}


def spectral_indices(rows, bands, names, scale=1.0):
    """List of per-pixel lists of index values; ``bands`` is role -> 1-based column."""
    def value(row, role):
        return float(row[bands[role] - 1]) * scale if role in bands else 0.0

    return [[_FORMULAS[name](*(value(row, role) for role in
                               ("blue", "green", "red", "nir", "swir1")))
             for name in names] for row in rows]
