"""Fisher vectors: GMM posteriors and both gradients in one pass, one image per thread.

``fisher_batch`` walks the images of a ragged batch (all descriptors in one
``(N, d)`` array, image ``i`` in rows ``offsets[i]:offsets[i + 1]``) with
``prange``. For each descriptor ``x`` of an image it computes, in float64,

* the log-likelihood of every diagonal Gaussian plus its log weight,
  ``log_norms[k] - 0.5 * sum_j ((x_j - mu_kj) * inv_sigmas[k, j]) ** 2``,
  with ``log_norms[k] = log w_k - 0.5 * sum_j log(2 pi sigma_kj ** 2)``;
* the posteriors ``gamma_k`` by a stable log-sum-exp (the largest term is
  subtracted before ``exp``, so no posterior underflows to a 0/0);
* and adds ``gamma_k * z`` and ``gamma_k * (z ** 2 - 1)``, with
  ``z = (x - mu_k) / sigma_k``, into the image's output row.

The row holds the mean gradients of all components first, then the variance
gradients: ``out[i, k * d:(k + 1) * d]`` belongs to the mean of component
``k`` and ``out[i, (K + k) * d:(K + k + 1) * d]`` to its variance. The blocks
are then scaled by ``1 / (n_i * sqrt(w_k))`` and ``1 / (n_i * sqrt(2 w_k))``
and the row normalised by :func:`.vlad.normalize_row` (signed square root,
then global L2, each optional). An image with no descriptors gives zeros.
"""

import math

import numpy as np
from numba import njit, prange

from . import config
from .vlad import normalize_row


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _accumulate_image(descriptors, start, stop, means, inv_sigmas, log_norms, out, i,
                      log_p, z):
    n_components, dim = means.shape
    var_base = n_components * dim
    for s in range(start, stop):
        top = -np.inf
        for k in range(n_components):
            quad = 0.0
            for t in range(dim):
                z[k, t] = ((np.float64(descriptors[s, t]) - means[k, t])
                           * inv_sigmas[k, t])
                quad += z[k, t] * z[k, t]
            log_p[k] = log_norms[k] - 0.5 * quad
            if log_p[k] > top:
                top = log_p[k]
        total = 0.0
        for k in range(n_components):
            log_p[k] = math.exp(log_p[k] - top)
            total += log_p[k]
        for k in range(n_components):
            gamma = log_p[k] / total
            base = k * dim
            for t in range(dim):
                out[i, base + t] += gamma * z[k, t]
                out[i, var_base + base + t] += gamma * (z[k, t] * z[k, t] - 1.0)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def fisher_batch(descriptors, offsets, means, inv_sigmas, log_norms, weights, power,
                 l2, out):
    """Write the Fisher vector of each image of a ragged batch into ``out``.

    Parameters
    ----------
    descriptors : ndarray of shape (N, d), C-contiguous float32 or float64
    offsets : ndarray of shape (n_images + 1,), int64, non-decreasing
    means : ndarray of shape (K, d), float64, C-contiguous
    inv_sigmas : ndarray of shape (K, d), float64, ``1 / sqrt(variances)``
    log_norms : ndarray of shape (K,), float64,
        ``log(w_k) - 0.5 * sum_j log(2 * pi * variances[k, j])``
    weights : ndarray of shape (K,), float64, positive mixture weights
    power, l2 : bool
        The normalisation steps, applied in that order.
    out : ndarray of shape (n_images, 2 * K * d), float64, overwritten
    """
    n_components, dim = means.shape
    for i in prange(offsets.shape[0] - 1):
        for t in range(2 * n_components * dim):
            out[i, t] = 0.0
        start = offsets[i]
        stop = offsets[i + 1]
        if stop > start:
            log_p = np.empty(n_components)
            z = np.empty((n_components, dim))
            _accumulate_image(descriptors, start, stop, means, inv_sigmas, log_norms,
                              out, i, log_p, z)
            n = np.float64(stop - start)
            for k in range(n_components):
                scale_mean = 1.0 / (n * math.sqrt(weights[k]))
                scale_var = 1.0 / (n * math.sqrt(2.0 * weights[k]))
                base = k * dim
                var_base = (n_components + k) * dim
                for t in range(dim):
                    out[i, base + t] *= scale_mean
                    out[i, var_base + t] *= scale_var
            normalize_row(out, i, 2 * n_components, dim, False, power, l2)
