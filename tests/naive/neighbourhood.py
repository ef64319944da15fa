"""Plain NumPy twin of :mod:`classical._kernels.neighbourhood`, written for clarity.

Each output pixel looks at its own window through ``sliding_window_view`` and
applies NumPy's NaN-skipping reductions, and the co-occurrence properties
build every direction's actual grey-level co-occurrence matrix from the pairs
whose two pixels are not missing, so nothing is shared with the kernels'
column sums and pair loops.
"""

import warnings

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["window_statistics", "glcm_texture"]

_REDUCE = {
    0: lambda w: np.nanmean(w, axis=(-2, -1)),
    1: lambda w: np.nanstd(w, axis=(-2, -1)),
    2: lambda w: np.nanmin(w, axis=(-2, -1)),
    3: lambda w: np.nanmax(w, axis=(-2, -1)),
    4: lambda w: np.nanmax(w, axis=(-2, -1)) - np.nanmin(w, axis=(-2, -1)),
}
_DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))
_MISSING = -1


def window_statistics(padded, size, statistics):
    """(H, W, S * B): statistic ``s`` of band ``b`` at ``[..., s * B + b]``.

    NaN values are left out; a window of NaN only gives NaN.
    """
    windows = sliding_window_view(padded, (size, size), axis=(0, 1))  # H, W, B, k, k
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows
        return np.concatenate([_REDUCE[code](windows) for code in statistics], axis=2)


def _cooccurrence(window, levels, step):
    """Symmetric, normalised co-occurrence matrix of one window for one direction.

    Pairs with a missing end are left out; None when no pair is left.
    """
    dr, dc = step
    rows, cols = window.shape
    first = window[:rows - dr, max(0, -dc):cols - max(0, dc)].ravel()
    second = window[dr:, max(0, dc):cols - max(0, -dc)].ravel()
    kept = (first != _MISSING) & (second != _MISSING)
    if not kept.any():
        return None
    matrix = np.zeros((levels, levels))
    np.add.at(matrix, (first[kept], second[kept]), 1.0)
    matrix = matrix + matrix.T
    return matrix / matrix.sum()


def glcm_texture(grey, size, properties, levels):
    """(H, W, P): mean over directions of GLCM contrast / homogeneity.

    Directions without a pair of valid pixels are left out of the mean; with
    none at all, contrast is 0 and homogeneity 1 (a flat window).
    """
    i, j = np.indices((levels, levels))
    weights = {0: (i - j) ** 2, 1: 1.0 / (1.0 + (i - j) ** 2)}
    flat = {0: 0.0, 1: 1.0}
    windows = sliding_window_view(grey, (size, size))
    out = np.zeros(windows.shape[:2] + (len(properties),))
    for r in range(windows.shape[0]):
        for c in range(windows.shape[1]):
            matrices = [m for m in (_cooccurrence(windows[r, c], levels, step)
                                    for step in _DIRECTIONS) if m is not None]
            for k, code in enumerate(properties):
                values = [(m * weights[code]).sum() for m in matrices]
                out[r, c, k] = np.mean(values) if values else flat[code]
    return out
