"""Plain NumPy twin of :mod:`classical._kernels.fisher`.

It forms the full ``(n, K)`` log-density matrix by broadcasting, takes
posteriors with ``scipy.special.softmax``, and writes the gradients as
matrix products (Sánchez et al. 2013, eqs. 16-17), one image at a time; the
kernel's vectorised ``exp`` is ``numpy.exp``.
"""

import numpy as np
from scipy.special import softmax

__all__ = ["exp_below", "fisher_vector", "fisher_batch"]

UNDERFLOW = -700.0


def exp_below(row, top):
    """``exp(row - top)``, zero where the gap is below ``UNDERFLOW``; and its sum."""
    gap = np.asarray(row, dtype=np.float64) - top
    values = np.where(gap > UNDERFLOW, np.exp(np.maximum(gap, UNDERFLOW)), 0.0)
    return values, values.sum()


def fisher_vector(x, means, variances, weights, power, l2):
    means = np.asarray(means, dtype=np.float64)
    variances = np.asarray(variances, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    n_components, dim = means.shape
    if len(x) == 0:
        return np.zeros(2 * n_components * dim)
    sigmas = np.sqrt(variances)
    z = (x[:, np.newaxis, :] - means[np.newaxis]) / sigmas[np.newaxis]  # (n, K, d)
    log_density = (-0.5 * (z ** 2).sum(axis=2)
                   - 0.5 * np.log(2 * np.pi * variances).sum(axis=1))
    gamma = softmax(np.log(weights) + log_density, axis=1)  # (n, K)
    n = len(x)
    g_mean = np.einsum("nk,nkd->kd", gamma, z) / (n * np.sqrt(weights))[:, None]
    g_var = (np.einsum("nk,nkd->kd", gamma, z ** 2 - 1)
             / (n * np.sqrt(2 * weights))[:, None])
    vector = np.concatenate([g_mean.ravel(), g_var.ravel()])
    if power:
        vector = np.sign(vector) * np.sqrt(np.abs(vector))
    if l2:
        norm = np.linalg.norm(vector)
        if norm > 0:
            vector = vector / norm
    return vector


def fisher_batch(descriptors, offsets, means, variances, weights, power, l2, out):
    """Twin of the kernel; takes variances instead of its precomputed terms."""
    for i in range(len(offsets) - 1):
        out[i] = fisher_vector(descriptors[offsets[i]:offsets[i + 1]], means,
                               variances, weights, power, l2)
