"""Plain NumPy twin of :mod:`classical._kernels.project`."""

import numpy as np


def project_rows(X, weights, offset):
    """``X @ weights + offset``, one row at a time, in ``X``'s dtype."""
    out = np.empty((X.shape[0], weights.shape[1]), dtype=X.dtype)
    for i, row in enumerate(np.asarray(X, dtype=np.float64)):
        out[i] = row @ weights + offset
    return out
