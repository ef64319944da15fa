"""VLAD: assignment and residual accumulation fused, one image per thread.

``vlad_batch`` walks the images of a ragged batch (all descriptors in one
``(N, d)`` array, image ``i`` in rows ``offsets[i]:offsets[i + 1]``) with
``prange``. For each image it takes its descriptors ``BLOCK`` at a time, gets
their cross terms with the words from one BLAS product and assigns them with
the vectorised search of :mod:`.assign` (so no ``(N, K)`` matrix is formed
for the batch; the caller limits BLAS to one thread), and adds each residual
``x - c_k`` straight into the image's output row, which is laid out word by
word: ``out[i, k * d:(k + 1) * d]`` is the sum of the residuals of the
descriptors assigned to word ``k``, accumulated in float64. With soft
assignment each descriptor adds ``w_j (x - c_j)`` to each of its k nearest
words, with the kernel-codebook weights ``w_j`` of :mod:`.assign`.

The row is then normalised in this order, each step optional (only the
blocks of words that received a descriptor are read, in two passes; see
:func:`normalize_used`):

1. intra-normalisation: each word's block divided by its L2 norm;
2. signed square root: ``sign(v) * sqrt(|v|)`` entry by entry;
3. global L2: the row divided by its L2 norm.

A zero block (an empty word) or a zero row (an image with no descriptors)
stays zero. Ties and weights follow the conventions of :mod:`.assign`.
"""

import math

import numpy as np
from numba import njit, prange

from . import config
from .assign import (
    BLOCK,
    best_words,
    cross_terms,
    half_norms,
    k_best_words,
    soft_weights,
)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def normalize_row(out, i, n_words, dim, intra, power, l2):
    """Normalise row ``out[i]`` in place: intra, then signed sqrt, then L2.

    The first two steps are done word block by word block in one pass, which
    also sums the squares the L2 step needs.
    """
    total = 0.0
    for k in range(n_words):
        lo = k * dim
        scale = 1.0
        if intra:
            block = 0.0
            for t in range(lo, lo + dim):
                block += out[i, t] * out[i, t]
            if block > 0.0:
                scale = 1.0 / math.sqrt(block)
        if power:
            for t in range(lo, lo + dim):
                root = math.sqrt(abs(out[i, t]) * scale)
                value = root if out[i, t] >= 0.0 else -root
                out[i, t] = value
                total += value * value
        else:
            for t in range(lo, lo + dim):
                value = out[i, t] * scale
                out[i, t] = value
                total += value * value
    if l2 and total > 0.0:
        scale = 1.0 / math.sqrt(total)
        for t in range(n_words * dim):
            out[i, t] *= scale


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def normalize_used(row, used, dim, intra, power, l2):
    """Normalise a VLAD row in place, reading only the blocks of used words.

    Same result as :func:`normalize_row` when every block ``k`` with
    ``used[k]`` False is zero, in two passes over the used blocks instead of
    three over the row: the first sums each block's squares and absolute
    values, from which the scale of the block (intra) and the squared norm
    of the whole row after the signed square root are known (a block scaled
    by ``s`` then square-rooted has squared norm ``s * sum |v|``); the second
    writes the final values.
    """
    n_words = used.shape[0]
    scales = np.ones(n_words)
    total = 0.0
    for k in range(n_words):
        if used[k]:
            squares = 0.0
            absolute = 0.0
            for t in range(k * dim, (k + 1) * dim):
                squares += row[t] * row[t]
                absolute += abs(row[t])
            if intra and squares > 0.0:
                scales[k] = 1.0 / math.sqrt(squares)
            total += absolute * scales[k] if power else squares * scales[k] ** 2
    final = 1.0 / math.sqrt(total) if l2 and total > 0.0 else 1.0
    for k in range(n_words):
        if used[k]:
            scale = scales[k]
            if power:
                for t in range(k * dim, (k + 1) * dim):
                    root = math.sqrt(abs(row[t]) * scale) * final
                    row[t] = root if row[t] >= 0.0 else -root
            else:
                scale *= final
                for t in range(k * dim, (k + 1) * dim):
                    row[t] *= scale


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def add_residual(descriptors, i, words, k, weight, row, used):
    """``row[k * d:(k + 1) * d] += weight * (descriptors[i] - words[k])``."""
    dim = words.shape[1]
    base = k * dim
    used[k] = True
    for t in range(dim):
        row[base + t] += weight * (np.float64(descriptors[i, t])
                                   - np.float64(words[k, t]))


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _hard_image(descriptors, start, stop, words, half, row, used):
    labels = np.empty(BLOCK, np.intp)
    for s in range(start, stop, BLOCK):
        e = min(s + BLOCK, stop)
        best_words(cross_terms(descriptors, s, e, words), half, labels)
        for r in range(e - s):
            add_residual(descriptors, s + r, words, labels[r], 1.0, row, used)


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def _soft_image(descriptors, start, stop, words, word_norms, n_nearest, sigma, row,
                used):
    labels = np.empty(n_nearest, np.intp)
    values = np.empty(n_nearest)
    weights = np.empty(n_nearest)
    for s in range(start, stop, BLOCK):
        e = min(s + BLOCK, stop)
        scores = cross_terms(descriptors, s, e, words)
        for r in range(e - s):
            k_best_words(scores, r, word_norms, labels, values)
            soft_weights(values, sigma, weights)
            for j in range(n_nearest):
                add_residual(descriptors, s + r, words, labels[j], weights[j], row,
                             used)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def vlad_batch(descriptors, offsets, words, word_norms, intra, power, l2, out):
    """Write the VLAD vector of each image of a ragged batch into ``out``.

    Each residual goes to the nearest word.

    Parameters
    ----------
    descriptors : ndarray of shape (N, d), C-contiguous float32 or float64
    offsets : ndarray of shape (n_images + 1,), int64, non-decreasing
    words : ndarray of shape (K, d), dtype of ``descriptors``, C-contiguous
    word_norms : ndarray of shape (K,), float64, ``squared_norms(words)``
    intra, power, l2 : bool
        The normalisation steps, applied in that order.
    out : ndarray of shape (n_images, K * d), float64, overwritten
    """
    half = half_norms(word_norms, descriptors)
    for i in prange(offsets.shape[0] - 1):
        row = out[i]
        row[:] = 0.0
        used = np.zeros(words.shape[0], np.bool_)
        _hard_image(descriptors, offsets[i], offsets[i + 1], words, half, row, used)
        normalize_used(row, used, words.shape[1], intra, power, l2)


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def soft_vlad_batch(descriptors, offsets, words, word_norms, n_nearest, sigma, intra,
                    power, l2, out):
    """:func:`vlad_batch` with soft assignment to the ``n_nearest`` nearest words.

    Each descriptor adds ``w_j (x - c_j)`` to each of its ``n_nearest``
    nearest words ``c_j``, ``w_j`` its kernel-codebook weights of width
    ``sigma`` (``1 <= n_nearest <= K``, ``sigma >= 0``); the other
    parameters are those of :func:`vlad_batch`.
    """
    for i in prange(offsets.shape[0] - 1):
        row = out[i]
        row[:] = 0.0
        used = np.zeros(words.shape[0], np.bool_)
        _soft_image(descriptors, offsets[i], offsets[i + 1], words, word_norms,
                    n_nearest, sigma, row, used)
        normalize_used(row, used, words.shape[1], intra, power, l2)
