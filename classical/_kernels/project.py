"""Affine projection of rows: ``X @ weights + offset``, one pass, row-parallel.

A standardisation followed by a PCA is one affine map; applied to millions of
pixel rows with few bands, NumPy's ``(X - mean) @ components.T`` makes
temporaries and calls a BLAS routine that is slow on a matrix only a few
columns wide. This kernel reads each row once and writes its projection,
threads taking rows with ``prange``. Input float32 or float64, output of the
same type; arithmetic float64.
"""

import numpy as np
from numba import njit, prange

from . import config

__all__ = ["project_rows"]


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def project_rows(X, weights, offset):
    """Return ``X @ weights + offset`` in ``X``'s dtype.

    Parameters
    ----------
    X : ndarray of shape (n, d), float32 or float64, C-contiguous
    weights : ndarray of shape (d, k), float64
    offset : ndarray of shape (k,), float64

    Returns
    -------
    out : ndarray of shape (n, k), X's dtype
    """
    n, d = X.shape
    k = weights.shape[1]
    out = np.empty((n, k), dtype=X.dtype)
    for i in prange(n):
        for j in range(k):
            total = offset[j]
            for f in range(d):
                total += np.float64(X[i, f]) * weights[f, j]
            out[i, j] = total
    return out
