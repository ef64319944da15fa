"""Fisher vectors: GMM posteriors and both gradients in one pass, one image per thread.

``fisher_batch`` walks the images of a ragged batch (all descriptors in one
``(N, d)`` array, image ``i`` in rows ``offsets[i]:offsets[i + 1]``) with
``prange``. It takes an image's descriptors ``BLOCK`` at a time and, in
float64,

* writes each descriptor ``x`` (less ``centre``, see below) as one row
  ``[x ** 2, x]`` of a design matrix;
* gets the log-likelihood of every diagonal Gaussian plus its log weight,
  ``log_norms[k] - 0.5 * sum_j ((x_j - mu_kj) * inv_sigmas[k, j]) ** 2``, with
  ``log_norms[k] = log w_k - 0.5 * sum_j log(2 pi sigma_kj ** 2)``, from one
  BLAS product of the design matrix with the ``(2 d, K)`` projection
  ``[sigma_k ** -2; -2 mu_k sigma_k ** -2]`` (the square expanded);
* turns these into posteriors ``gamma_k`` by a stable log-sum-exp (the
  largest term is subtracted before ``exp``, so no posterior underflows to a
  0/0), with the vectorised :func:`exp_below`;
* and adds the posterior-weighted sums ``S2_k = sum gamma_k x ** 2`` and
  ``S1_k = sum gamma_k x`` into the image's statistics with one more BLAS
  product (``gamma.T`` times the design matrix), and ``S0_k = sum gamma_k``
  in the posterior loop.

From these, ``sum gamma_k z = (S1_k - S0_k mu_k) / sigma_k`` and
``sum gamma_k (z ** 2 - 1) = (S2_k - 2 mu_k S1_k + mu_k ** 2 S0_k) /
sigma_k ** 2 - S0_k``, with ``z = (x - mu_k) / sigma_k``.

Descriptors and means are taken about the mixture's mean ``sum_k w_k mu_k``
first (the gradients do not change), so that the expanded squares keep their
precision when descriptors lie far from the origin. All of this stays in
float64: in float32 the expanded second-order sums cancel catastrophically for
a component whose variance is small beside its distance from the centre (a
component fitted to many equal descriptors has variances near the mixture's
``reg_covar``), which real dense-SIFT mixtures have.

The kernels call BLAS from inside ``prange``: run them with BLAS held at one
thread (:func:`classical.parallel.limit_threads`).

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

BLOCK = 256
"""Descriptors handled per BLAS call; bounds each thread's scratch memory."""

_LOG2_E = 1.4426950408889634
_LN2_HIGH = 6.93147180369123816490e-01
_LN2_LOW = 1.90821492927058770002e-10
_TAYLOR = tuple(1.0 / math.factorial(j) for j in range(13, -1, -1))
"""Coefficients of the degree-13 Taylor polynomial of ``exp``, highest first."""

UNDERFLOW = -700.0
"""Gaps below this give a zero posterior (``exp(-700)`` is about 1e-304)."""


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def exp_below(row, top, bits):
    """Replace ``row`` by ``exp(row - top)`` (all ``row <= top``); return its sum.

    ``math.exp`` is a library call that stops the loop from vectorising, and
    with 64 components it took a third of the kernel's time. Here each gap
    ``g = row[k] - top`` is split as ``g = m ln 2 + r`` with integer ``m`` and
    ``|r| <= ln(2) / 2`` (Cody and Waite's reduction, ``ln 2`` in two parts),
    ``exp(r)`` is the degree-13 Taylor polynomial (truncation under 5e-18
    relative) and ``2 ** m`` is built from its exponent bits in ``bits``
    (scratch of ``len(row)`` int64). Every operation is plain arithmetic, so
    the loops run on SIMD lanes. The relative error, from rounding in the
    reduction, is under ``4e-17 * |g| + 2.3e-16`` (5e-16 for the gaps above
    -10 that carry the posteriors, 2.4e-14 at the cut-off, where the values
    are about 1e-304). Gaps below ``UNDERFLOW`` give 0.
    """
    for k in range(row.shape[0]):
        gap = max(row[k] - top, UNDERFLOW)
        m = np.floor(gap * _LOG2_E + 0.5)
        r = (gap - m * _LN2_HIGH) - m * _LN2_LOW
        poly = 0.0
        for coefficient in _TAYLOR:
            poly = poly * r + coefficient
        row[k] = poly if gap > UNDERFLOW else 0.0
        bits[k] = (np.int64(m) + 1023) << 52
    powers = bits.view(np.float64)
    total = 0.0
    for k in range(row.shape[0]):
        row[k] *= powers[k]
        total += row[k]
    return total


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _image_statistics(descriptors, start, stop, centre, projection, shifts, s0,
                      sums):
    """Zeroth, second and first order posterior-weighted sums of one image.

    ``s0[k] = sum_s gamma_sk``; ``sums[k, :d] = sum_s gamma_sk x_s ** 2`` and
    ``sums[k, d:] = sum_s gamma_sk x_s``, for the descriptors ``x_s`` less
    ``centre``. ``projection`` is ``(2 d, K)``: the inverse variances over
    ``-2`` times the means scaled by them, so that a row ``[x ** 2, x]``
    times it is the quadratic part of every log-density.
    """
    n_components = s0.shape[0]
    dim = descriptors.shape[1]
    design = np.empty((BLOCK, 2 * dim))
    gamma = np.empty((BLOCK, n_components))
    block_sums = np.empty((n_components, 2 * dim))
    bits = np.empty(n_components, np.int64)
    s0[:] = 0.0
    sums[:] = 0.0
    for first in range(start, stop, BLOCK):
        rows = min(BLOCK, stop - first)
        x = design[:rows]
        for r in range(rows):
            for t in range(dim):
                value = np.float64(descriptors[first + r, t]) - centre[t]
                x[r, t] = value * value
                x[r, dim + t] = value
        g = gamma[:rows]
        np.dot(x, projection, g)
        for r in range(rows):
            row = g[r]
            top = -np.inf
            for k in range(n_components):
                row[k] = shifts[k] - 0.5 * row[k]
                top = max(top, row[k])
            scale = 1.0 / exp_below(row, top, bits)
            for k in range(n_components):
                row[k] *= scale
                s0[k] += row[k]
        np.dot(g.T, x, block_sums)
        sums += block_sums


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
    projection = np.empty((2 * dim, n_components))
    projection[:dim] = inv_var.T
    projection[dim:] = -2.0 * (centred * inv_var).T
    shifts = log_norms - 0.5 * (centred * centred * inv_var).sum(axis=1)
    for i in prange(offsets.shape[0] - 1):
        start = offsets[i]
        stop = offsets[i + 1]
        if stop == start:
            out[i, :] = 0.0
            continue
        s0 = np.empty(n_components)
        sums = np.empty((n_components, 2 * dim))
        _image_statistics(descriptors, start, stop, centre, projection, shifts, s0,
                          sums)
        n = np.float64(stop - start)
        for k in range(n_components):
            scale_mean = 1.0 / (n * math.sqrt(weights[k]))
            scale_var = 1.0 / (n * math.sqrt(2.0 * weights[k]))
            base = k * dim
            var_base = (n_components + k) * dim
            for t in range(dim):
                mu = centred[k, t]
                s1 = sums[k, dim + t]
                first_order = s1 - s0[k] * mu
                out[i, base + t] = scale_mean * first_order * inv_sigmas[k, t]
                squares = sums[k, t] - 2.0 * mu * s1 + mu * mu * s0[k]
                out[i, var_base + t] = scale_var * (squares * inv_var[k, t] - s0[k])
        normalize_row(out, i, 2 * n_components, dim, False, power, l2)
