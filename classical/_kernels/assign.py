"""Nearest visual word of each descriptor (hard assignment to a vocabulary).

The squared Euclidean distance is expanded as ``||x||^2 - 2 x.c + ||c||^2``.
The cross terms ``x.c`` are computed by hand-written loops, four descriptors
at a time against every word (each word is loaded once for the four); only a
``(4, K)`` block of them exists at a time, never an ``(n, K)`` matrix. The
loops do not call BLAS: a BLAS library with its own thread pool called from
inside ``prange`` fights Numba's threads for the cores.

Conventions (the NumPy twins in ``tests/naive/encoders.py`` spell them out):

* The word of smallest ``||c||^2 - 2 x.c`` wins; on an exact tie, the lowest
  index (NumPy's ``argmin``).
* The squared distance returned is ``||x||^2 - 2 x.c + ||c||^2`` clipped at
  zero, in float64; the cross term ``x.c`` is accumulated in the input's
  dtype. For finite input it is never NaN nor negative.
"""

import numpy as np
from numba import njit, prange

from . import config

BLOCK = 256
"""Descriptors per ``prange`` iteration of :func:`nearest_words`."""

GROUP = 4
"""Descriptors whose cross terms are computed together (one pass over the words)."""


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
def cross_terms(descriptors, start, stop, words, scores):
    """``scores[r, k] = descriptors[start + r] . words[k]`` for ``r < GROUP``.

    Rows past ``stop - 1`` repeat row ``stop - 1``, so a short last group
    needs no separate loop; their scores are ignored by the caller. Each word
    is read once for the four descriptors, and the four sums over the
    descriptor's entries vectorise (``reassoc``).
    """
    last = stop - 1
    i0 = start
    i1 = min(start + 1, last)
    i2 = min(start + 2, last)
    i3 = min(start + 3, last)
    zero = descriptors.dtype.type(0)
    for k in range(words.shape[0]):
        s0 = zero
        s1 = zero
        s2 = zero
        s3 = zero
        for t in range(words.shape[1]):
            w = words[k, t]
            s0 += descriptors[i0, t] * w
            s1 += descriptors[i1, t] * w
            s2 += descriptors[i2, t] * w
            s3 += descriptors[i3, t] * w
        scores[0, k] = s0
        scores[1, k] = s1
        scores[2, k] = s2
        scores[3, k] = s3


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def best_word(scores, r, word_norms):
    """Index of the smallest ``word_norms[k] - 2 * scores[r, k]`` and that value."""
    best = np.inf
    found = 0
    for k in range(word_norms.shape[0]):
        value = word_norms[k] - 2.0 * np.float64(scores[r, k])
        if value < best:
            best = value
            found = k
    return found, best


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _assign_block(descriptors, start, stop, words, word_norms, labels, distances):
    scores = np.empty((GROUP, words.shape[0]), descriptors.dtype)
    for s in range(start, stop, GROUP):
        cross_terms(descriptors, s, stop, words, scores)
        for r in range(min(GROUP, stop - s)):
            found, best = best_word(scores, r, word_norms)
            total = 0.0
            for t in range(descriptors.shape[1]):
                value = np.float64(descriptors[s + r, t])
                total += value * value
            labels[s + r] = found
            distances[s + r] = max(total + best, 0.0)


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
