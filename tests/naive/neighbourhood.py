"""Plain NumPy twin of :mod:`classical._kernels.neighbourhood`, written for clarity.

Each output pixel looks at its own window through ``sliding_window_view`` and
applies NumPy's reductions, and the co-occurrence properties build every
direction's actual grey-level co-occurrence matrix, so nothing is shared with
the kernels' column sums and pair loops.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["window_statistics", "glcm_texture"]

_REDUCE = {
    0: lambda w: w.mean(axis=(-2, -1)),
    1: lambda w: w.std(axis=(-2, -1)),
    2: lambda w: w.min(axis=(-2, -1)),
    3: lambda w: w.max(axis=(-2, -1)),
    4: lambda w: w.max(axis=(-2, -1)) - w.min(axis=(-2, -1)),
}
_DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


def window_statistics(padded, size, statistics):
    """(H, W, S * B): statistic ``s`` of band ``b`` at ``[..., s * B + b]``."""
    windows = sliding_window_view(padded, (size, size), axis=(0, 1))  # H, W, B, k, k
    return np.concatenate([_REDUCE[code](windows) for code in statistics], axis=2)


def _cooccurrence(window, levels, step):
    """Symmetric, normalised co-occurrence matrix of one window for one direction."""
    dr, dc = step
    rows, cols = window.shape
    first = window[:rows - dr, max(0, -dc):cols - max(0, dc)]
    second = window[dr:, max(0, dc):cols - max(0, -dc)]
    matrix = np.zeros((levels, levels))
    np.add.at(matrix, (first.ravel(), second.ravel()), 1.0)
    matrix = matrix + matrix.T
    return matrix / matrix.sum()


def glcm_texture(grey, size, properties, levels):
    """(H, W, P): mean over four directions of GLCM contrast / homogeneity."""
    i, j = np.indices((levels, levels))
    weights = {0: (i - j) ** 2, 1: 1.0 / (1.0 + (i - j) ** 2)}
    windows = sliding_window_view(grey, (size, size))
    out = np.zeros(windows.shape[:2] + (len(properties),))
    for r in range(windows.shape[0]):
        for c in range(windows.shape[1]):
            for step in _DIRECTIONS:
                matrix = _cooccurrence(windows[r, c], levels, step)
                for k, code in enumerate(properties):
                    out[r, c, k] += (matrix * weights[code]).sum() / len(_DIRECTIONS)
    return out
