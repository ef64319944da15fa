"""Nearest visual word of each descriptor (hard assignment to a vocabulary).

The squared Euclidean distance is expanded as
``||x||^2 - 2 x.c + ||c||^2``: the cross terms of a block of descriptors
against every word are one matrix product (``np.dot``, a BLAS GEMM), so no
distance matrix larger than ``BLOCK`` descriptors by ``K`` words is ever held.

Conventions (the NumPy twins in ``tests/naive/encoders.py`` spell them out):

* The word of smallest ``||c||^2 - 2 x.c`` wins; on an exact tie, the lowest
  index (NumPy's ``argmin``).
* The squared distance returned is ``||x||^2 - 2 x.c + ||c||^2`` clipped at
  zero, in float64; the cross term ``x.c`` is computed in the input's dtype.
  For finite input it is never NaN nor negative.
"""

import numpy as np
from numba import njit, prange

from . import config

BLOCK = 256
"""Descriptors per matrix product: the ``(BLOCK, K)`` cross terms stay in cache."""


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def squared_norms(x):
    """Squared L2 norm of each row of ``x``, accumulated in float64."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        total = 0.0
        for j in range(x.shape[1]):
            value = np.float64(x[i, j])
            total += value * value
        out[i] = total
    return out


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def best_word(dots, j, word_norms):
    """Index of the smallest ``word_norms[k] - 2 * dots[j, k]`` and that value."""
    best = np.inf
    found = 0
    for k in range(word_norms.shape[0]):
        value = word_norms[k] - 2.0 * np.float64(dots[j, k])
        if value < best:
            best = value
            found = k
    return found, best


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _assign_block(descriptors, start, stop, words, word_norms, labels, distances):
    dots = np.dot(descriptors[start:stop], words.T)
    for j in range(stop - start):
        found, best = best_word(dots, j, word_norms)
        total = 0.0
        for t in range(descriptors.shape[1]):
            value = np.float64(descriptors[start + j, t])
            total += value * value
        labels[start + j] = found
        distances[start + j] = max(total + best, 0.0)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def nearest_words(descriptors, words, word_norms):
    """Nearest word of each descriptor and its squared distance.

    Parameters
    ----------
    descriptors : ndarray of shape (n, d), C-contiguous float32 or float64
    words : ndarray of shape (K, d), same dtype, C-contiguous, K >= 1
    word_norms : ndarray of shape (K,), float64
        ``squared_norms(words)``.

    Returns
    -------
    labels : ndarray of shape (n,), intp
    distances : ndarray of shape (n,), float64
    """
    n = descriptors.shape[0]
    labels = np.empty(n, np.intp)
    distances = np.empty(n)
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        start = b * BLOCK
        _assign_block(descriptors, start, min(start + BLOCK, n), words, word_norms,
                      labels, distances)
    return labels, distances
