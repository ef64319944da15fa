"""Fisher vectors: GMM posteriors and both gradients in one pass, one image per thread.

``fisher_batch`` walks the images of a ragged batch (all descriptors in one
``(N, d)`` array, image ``i`` in rows ``offsets[i]:offsets[i + 1]``) with
``prange``. For each descriptor ``x`` of an image it computes, in float64,

* the log-likelihood of every diagonal Gaussian plus its log weight,
  ``log_norms[k] - 0.5 * sum_j ((x_j - mu_kj) * inv_sigmas[k, j]) ** 2``,
  with ``log_norms[k] = log w_k - 0.5 * sum_j log(2 pi sigma_kj ** 2)``; the
  square is expanded so that the terms in ``x`` and ``x ** 2`` of a block of
  descriptors come from two BLAS products;
* the posteriors ``gamma_k`` by a stable log-sum-exp (the largest term is
  subtracted before ``exp``, so no posterior underflows to a 0/0);
* and the image's posterior-weighted sums ``S0_k = sum gamma_k``,
  ``S1_k = sum gamma_k x`` and ``S2_k = sum gamma_k x ** 2`` (two more BLAS
  products), from which ``sum gamma_k z = (S1_k - S0_k mu_k) / sigma_k`` and
  ``sum gamma_k (z ** 2 - 1) = (S2_k - 2 mu_k S1_k + mu_k ** 2 S0_k) /
  sigma_k ** 2 - S0_k``, with ``z = (x - mu_k) / sigma_k``.

Descriptors and means are taken about the mixture's mean ``sum_k w_k mu_k``
first (the gradients do not change), so that the expanded squares keep their
precision when descriptors lie far from the origin. The kernels call BLAS from
inside ``prange``: run them with BLAS held at one
thread (``classical.encoders._vocabulary.kernel_threads``).

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

BLOCK = 512
"""Descriptors handled per BLAS call; bounds each thread's scratch memory."""


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _image_statistics(descriptors, start, stop, centre, inv_var_t, scaled_means_t,
                      shifts, s0, s1, s2):
    """Zeroth, first and second order posterior-weighted sums of one image.

    ``s0[k] = sum_s gamma_sk``, ``s1[k] = sum_s gamma_sk x_s`` and
    ``s2[k] = sum_s gamma_sk x_s ** 2`` of the descriptors ``x_s`` less
    ``centre``, block by block: the quadratic terms
    of all log-densities come from two BLAS products, and so do ``s1`` and
    ``s2``.
    """
    n_components = s0.shape[0]
    dim = descriptors.shape[1]
    s0[:] = 0.0
    s1[:] = 0.0
    s2[:] = 0.0
    for first in range(start, stop, BLOCK):
        rows = min(BLOCK, stop - first)
        x = np.empty((rows, dim))
        x2 = np.empty((rows, dim))
        for r in range(rows):
            for t in range(dim):
                value = np.float64(descriptors[first + r, t]) - centre[t]
                x[r, t] = value
                x2[r, t] = value * value
        # log p_k(x) + log w_k = shifts[k] - 0.5 * (x^2 . a_k - 2 x . b_k)
        gamma = np.dot(x2, inv_var_t) - 2.0 * np.dot(x, scaled_means_t)
        for r in range(rows):
            top = -np.inf
            for k in range(n_components):
                gamma[r, k] = shifts[k] - 0.5 * gamma[r, k]
                if gamma[r, k] > top:
                    top = gamma[r, k]
            total = 0.0
            for k in range(n_components):
                gamma[r, k] = math.exp(gamma[r, k] - top)
                total += gamma[r, k]
            for k in range(n_components):
                gamma[r, k] /= total
                s0[k] += gamma[r, k]
        s1 += np.dot(gamma.T, x)
        s2 += np.dot(gamma.T, x2)


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
    # everything is computed about the mixture's mean, so that the expanded
    # squares do not cancel when descriptors lie far from the origin
    centre = np.dot(weights / weights.sum(), means)
    centred = means - centre
    inv_var = inv_sigmas * inv_sigmas
    inv_var_t = np.ascontiguousarray(inv_var.T)
    scaled_means_t = np.ascontiguousarray((centred * inv_var).T)
    shifts = log_norms - 0.5 * (centred * centred * inv_var).sum(axis=1)
    for i in prange(offsets.shape[0] - 1):
        start = offsets[i]
        stop = offsets[i + 1]
        if stop == start:
            out[i, :] = 0.0
            continue
        s0 = np.empty(n_components)
        s1 = np.empty((n_components, dim))
        s2 = np.empty((n_components, dim))
        _image_statistics(descriptors, start, stop, centre, inv_var_t, scaled_means_t,
                          shifts, s0, s1, s2)
        n = np.float64(stop - start)
        for k in range(n_components):
            scale_mean = 1.0 / (n * math.sqrt(weights[k]))
            scale_var = 1.0 / (n * math.sqrt(2.0 * weights[k]))
            base = k * dim
            var_base = (n_components + k) * dim
            for t in range(dim):
                mu = centred[k, t]
                first_order = s1[k, t] - s0[k] * mu
                out[i, base + t] = scale_mean * first_order * inv_sigmas[k, t]
                squares = s2[k, t] - 2.0 * mu * s1[k, t] + mu * mu * s0[k]
                out[i, var_base + t] = scale_var * (squares * inv_var[k, t] - s0[k])
        normalize_row(out, i, 2 * n_components, dim, False, power, l2)
