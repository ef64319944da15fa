"""Assignment of descriptors to visual words: nearest word, k nearest, soft counts.

The squared Euclidean distance is expanded as ``||x||^2 - 2 x.c + ||c||^2``.
Descriptors are taken ``BLOCK`` rows at a time; the cross terms of a block
come from one BLAS matrix product, ``words @ block.T``, laid out word by
word: ``scores[k, r] = c_k . x_r``, in the input's dtype. Walking that block
word by word with the descriptors in the inner loop makes the running
minimum of every descriptor a vector operation (one lane per descriptor), so
the nearest-word search vectorises; the ``(n, K)`` matrix of a whole batch
never exists. The kernels run the product inside ``prange``: the caller must
limit BLAS to one thread around them (see
``classical.encoders._base.kernel_threads``), or BLAS's own thread
pool fights Numba's for the cores.

Conventions (the NumPy twins in ``tests/naive/encoders.py`` spell them out):

* Hard assignment: the word of smallest ``||c||^2 / 2 - x.c`` wins, computed
  in the input's dtype (``||x||^2`` is the same for every word and skipped);
  on an exact tie, the lowest index (NumPy's ``argmin``). Float32 input thus
  decides in float32: words whose distances differ by about float32
  rounding may be swapped relative to an exact computation.
* The squared distance returned is ``||x||^2 - 2 x.c + ||c||^2`` clipped at
  zero, in float64. For finite input it is never NaN nor negative.
* k nearest words: the ``n`` smallest ``||c||^2 - 2 x.c`` in float64, in
  increasing order; equal values keep increasing word order.
* Soft weights of one descriptor over its k nearest words (localised
  kernel codebook): ``w_j = exp(-(d_j^2 - d_1^2) / (2 sigma^2))`` divided by
  their sum, ``d_1`` the nearest; subtracting ``d_1^2`` keeps the largest
  term at 1, so the sum never underflows. ``||x||^2`` cancels in the
  difference and is never computed. ``sigma == 0`` is the limit: the words
  at the nearest distance share the weight equally.
"""

import math

import numpy as np
from numba import njit, prange

from . import config

BLOCK = 256
"""Descriptors whose cross terms come from one matrix product."""


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
def cross_terms(descriptors, start, stop, words):
    """``scores[k, r] = words[k] . descriptors[start + r]``, shape (K, stop - start).

    One BLAS product (``np.dot``) in the descriptors' dtype.
    """
    return np.dot(words, descriptors[start:stop].T)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def half_norms(word_norms, dtype_of):
    """``word_norms / 2`` in the dtype of the array ``dtype_of``."""
    out = np.empty(word_norms.shape[0], dtype_of.dtype)
    for k in range(word_norms.shape[0]):
        out[k] = 0.5 * word_norms[k]
    return out


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def best_words(scores, half, labels):
    """``labels[r] = argmin_k half[k] - scores[k, r]`` (lowest index on ties).

    The inner loop runs over descriptors, so the comparison and the two
    selects vectorise across them.
    """
    n_words, n = scores.shape
    best = np.empty(n, scores.dtype)
    found = np.zeros(n, np.int32)
    for r in range(n):
        best[r] = np.inf
    for k in range(n_words):
        h = half[k]
        code = np.int32(k)
        for r in range(n):
            value = h - scores[k, r]
            better = value < best[r]
            best[r] = value if better else best[r]
            found[r] = code if better else found[r]
    for r in range(n):
        labels[r] = found[r]


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def k_best_words(scores, r, word_norms, labels, values):
    """The ``len(labels)`` smallest ``word_norms[k] - 2 scores[k, r]``, sorted.

    ``labels`` and ``values`` are overwritten; equal values keep increasing
    word order (a later word enters only when strictly smaller).
    """
    n = labels.shape[0]
    for j in range(n):
        values[j] = np.inf
        labels[j] = 0
    for k in range(word_norms.shape[0]):
        value = word_norms[k] - 2.0 * np.float64(scores[k, r])
        if value < values[n - 1]:
            j = n - 1
            while j > 0 and values[j - 1] > value:
                values[j] = values[j - 1]
                labels[j] = labels[j - 1]
                j -= 1
            values[j] = value
            labels[j] = k


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def soft_weights(values, sigma, weights):
    """Kernel-codebook weights of sorted squared distances ``values``; sum 1."""
    scale = 1.0 / (2.0 * sigma * sigma) if sigma > 0.0 else np.inf
    total = 0.0
    for j in range(values.shape[0]):
        gap = values[j] - values[0]
        weight = 1.0 if gap <= 0.0 else math.exp(-gap * scale)
        weights[j] = weight
        total += weight
    for j in range(values.shape[0]):
        weights[j] /= total


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
    half = half_norms(word_norms, descriptors)
    for b in prange((n + BLOCK - 1) // BLOCK):
        start = b * BLOCK
        stop = min(start + BLOCK, n)
        scores = cross_terms(descriptors, start, stop, words)
        best_words(scores, half, labels[start:stop])
        for r in range(stop - start):
            k = labels[start + r]
            total = 0.0
            for t in range(descriptors.shape[1]):
                value = np.float64(descriptors[start + r, t])
                total += value * value
            distances[start + r] = max(
                total + word_norms[k] - 2.0 * np.float64(scores[k, r]), 0.0)
    return labels, distances


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def nearest_k_words(descriptors, words, word_norms, n_nearest):
    """The ``n_nearest`` nearest words of each descriptor, nearest first.

    Parameters
    ----------
    descriptors : ndarray of shape (n, d), C-contiguous float32 or float64
    words : ndarray of shape (K, d), same dtype, C-contiguous
    word_norms : ndarray of shape (K,), float64
    n_nearest : int, 1 <= n_nearest <= K

    Returns
    -------
    labels : ndarray of shape (n, n_nearest), intp
    distances : ndarray of shape (n, n_nearest), float64
        Squared distances, clipped at zero.
    """
    n = descriptors.shape[0]
    labels = np.empty((n, n_nearest), np.intp)
    distances = np.empty((n, n_nearest))
    for b in prange((n + BLOCK - 1) // BLOCK):
        start = b * BLOCK
        stop = min(start + BLOCK, n)
        scores = cross_terms(descriptors, start, stop, words)
        for r in range(stop - start):
            i = start + r
            k_best_words(scores, r, word_norms, labels[i], distances[i])
            total = 0.0
            for t in range(descriptors.shape[1]):
                value = np.float64(descriptors[i, t])
                total += value * value
            for j in range(n_nearest):
                distances[i, j] = max(distances[i, j] + total, 0.0)
    return labels, distances


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def soft_counts(descriptors, offsets, words, word_norms, n_nearest, sigma, out):
    """Soft word counts of each image of a ragged batch, written into ``out``.

    Each descriptor spreads weight 1 over its ``n_nearest`` nearest words
    (module conventions); ``out[i, k]`` sums the weights image ``i`` gives
    word ``k``, in float64.

    Parameters
    ----------
    descriptors : ndarray of shape (N, d), C-contiguous float32 or float64
    offsets : ndarray of shape (n_images + 1,), int64, non-decreasing
    words : ndarray of shape (K, d), dtype of ``descriptors``, C-contiguous
    word_norms : ndarray of shape (K,), float64, ``squared_norms(words)``
    n_nearest : int, 1 <= n_nearest <= K
    sigma : float, >= 0
    out : ndarray of shape (n_images, K), float64, overwritten
    """
    for i in prange(offsets.shape[0] - 1):
        labels = np.empty(n_nearest, np.intp)
        values = np.empty(n_nearest)
        weights = np.empty(n_nearest)
        out[i, :] = 0.0
        for start in range(offsets[i], offsets[i + 1], BLOCK):
            stop = min(start + BLOCK, offsets[i + 1])
            scores = cross_terms(descriptors, start, stop, words)
            for r in range(stop - start):
                k_best_words(scores, r, word_norms, labels, values)
                soft_weights(values, sigma, weights)
                for j in range(n_nearest):
                    out[i, labels[j]] += weights[j]
