"""Gaussian class scores: Mahalanobis distances, joint log-likelihoods, decisions.

Each class ``k`` is given by its mean ``means[k]``, the inverse of the lower
Cholesky factor of its covariance, ``inv_chol[k]`` (so that
``Sigma_k^-1 = inv_chol[k].T @ inv_chol[k]``), and a constant ``offsets[k]``
(log prior minus half the log-determinant minus ``p/2 log(2 pi)``). The score of
sample ``x`` is ``offsets[k] - 0.5 * ||inv_chol[k] @ (x - means[k])||^2``.

``inv_chol`` has shape ``(n_classes, n_rows, n_features)``. With
``triangular=True`` it is square and lower triangular, and only its lower
triangle is read. With ``triangular=False`` it is any dense matrix, possibly
wider than tall: a model fitted on ``z = W' x + o`` (a PCA of the bands) is
scored on the bands ``x`` themselves with ``inv_chol[k] @ W'`` as the matrix
and a mean ``mu_k`` solving ``W' mu_k = m_k - o``, so the projected rows are
never formed.

Samples are processed in blocks: a block is transposed once into a
``(n_features, block)`` float64 buffer so that every inner loop runs over
samples, contiguous in memory, and vectorises. Blocks are spread over threads
with ``prange``. Input may be float32 or float64; arithmetic is float64.
"""

import numpy as np
from numba import njit, prange

from . import config

__all__ = ["classify_gaussian", "joint_log_likelihood", "mahalanobis_block"]

# Reject modes of classify_gaussian.
REJECT_NONE = 0
REJECT_DISTANCE = 1
REJECT_POSTERIOR = 2


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def mahalanobis_block(X, start, stop, means, inv_chol, triangular, distances):
    """Fill ``distances[k, i]`` with the squared Mahalanobis distance of row
    ``start + i`` of ``X`` to class ``k``, for ``i < stop - start``."""
    n_features = X.shape[1]
    n_rows = inv_chol.shape[1]
    n_classes = means.shape[0]
    size = stop - start
    block = np.empty((n_features, size))
    centred = np.empty((n_features, size))
    whitened = np.empty(size)
    for i in range(size):
        for j in range(n_features):
            block[j, i] = X[start + i, j]
    for k in range(n_classes):
        for j in range(n_features):
            mean = means[k, j]
            for i in range(size):
                centred[j, i] = block[j, i] - mean
        for i in range(size):
            distances[k, i] = 0.0
        for r in range(n_rows):
            weight = inv_chol[k, r, 0]
            for i in range(size):
                whitened[i] = weight * centred[0, i]
            for j in range(1, r + 1 if triangular else n_features):
                weight = inv_chol[k, r, j]
                for i in range(size):
                    whitened[i] += weight * centred[j, i]
            for i in range(size):
                distances[k, i] += whitened[i] * whitened[i]


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def joint_log_likelihood(X, means, inv_chol, offsets, block_size):
    """Return ``scores`` of shape (n_samples, n_classes):
    ``offsets[k] - 0.5 * squared Mahalanobis distance to class k``."""
    n_samples = X.shape[0]
    n_classes = means.shape[0]
    scores = np.empty((n_samples, n_classes))
    n_blocks = (n_samples + block_size - 1) // block_size
    for b in prange(n_blocks):
        start = b * block_size
        stop = min(start + block_size, n_samples)
        distances = np.empty((n_classes, stop - start))
        mahalanobis_block(X, start, stop, means, inv_chol, True, distances)
        for i in range(stop - start):
            for k in range(n_classes):
                scores[start + i, k] = offsets[k] - 0.5 * distances[k, i]
    return scores


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def classify_gaussian(X, means, inv_chol, offsets, reject_mode, reject_bound,
                      block_size, triangular=True):
    """Return the index of the best-scoring class of each sample, or
    ``n_classes`` for a rejected sample.

    ``reject_mode`` 1 rejects when the winner's squared Mahalanobis distance
    exceeds ``reject_bound``; mode 2 rejects when
    ``sum_k exp(score_k - best score)`` (the inverse of the largest posterior)
    exceeds ``reject_bound``; mode 0 rejects nothing. Ties go to the lowest
    class index.
    """
    n_samples = X.shape[0]
    n_classes = means.shape[0]
    labels = np.empty(n_samples, dtype=np.intp)
    n_blocks = (n_samples + block_size - 1) // block_size
    for b in prange(n_blocks):
        start = b * block_size
        stop = min(start + block_size, n_samples)
        size = stop - start
        distances = np.empty((n_classes, size))
        mahalanobis_block(X, start, stop, means, inv_chol, triangular, distances)
        best = np.empty(size)
        winner = np.zeros(size, dtype=np.intp)
        for i in range(size):
            best[i] = offsets[0] - 0.5 * distances[0, i]
        for k in range(1, n_classes):
            for i in range(size):
                score = offsets[k] - 0.5 * distances[k, i]
                if score > best[i]:
                    best[i] = score
                    winner[i] = k
        for i in range(size):
            label = winner[i]
            if reject_mode == REJECT_DISTANCE:
                if distances[label, i] > reject_bound:
                    label = n_classes
            elif reject_mode == REJECT_POSTERIOR:
                total = 0.0
                for k in range(n_classes):
                    total += np.exp(offsets[k] - 0.5 * distances[k, i] - best[i])
                if total > reject_bound:
                    label = n_classes
            labels[start + i] = label
    return labels
