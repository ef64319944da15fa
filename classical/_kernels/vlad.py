"""VLAD: assignment and residual accumulation fused, one image per thread.

``vlad_batch`` walks the images of a ragged batch (all descriptors in one
``(N, d)`` array, image ``i`` in rows ``offsets[i]:offsets[i + 1]``) with
``prange``. For each image it assigns its descriptors to their nearest word
four at a time with the loops of :mod:`.assign` (so no ``(N, K)`` matrix is
formed for the batch, and no BLAS is called from the threads) and adds each
residual ``x - c_k`` straight into the image's output row, which is laid out
word by word: ``out[i, k * d:(k + 1) * d]`` is the sum of the residuals of the
descriptors assigned to word ``k``, accumulated in float64.

The row is then normalised in this order, each step optional:

1. intra-normalisation: each word's block divided by its L2 norm;
2. signed square root: ``sign(v) * sqrt(|v|)`` entry by entry;
3. global L2: the row divided by its L2 norm.

A zero block (an empty word) or a zero row (an image with no descriptors)
stays zero. Ties go to the lowest word index, as in :mod:`.assign`.
"""

import math

import numpy as np
from numba import njit, prange

from . import config
from .assign import GROUP, best_word, cross_terms


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
def _accumulate_image(descriptors, start, stop, words, word_norms, out, i):
    dim = words.shape[1]
    scores = np.empty((GROUP, words.shape[0]), descriptors.dtype)
    for s in range(start, stop, GROUP):
        cross_terms(descriptors, s, stop, words, scores)
        for r in range(min(GROUP, stop - s)):
            k = best_word(scores, r, word_norms)[0]
            base = k * dim
            for t in range(dim):
                out[i, base + t] += (np.float64(descriptors[s + r, t])
                                     - np.float64(words[k, t]))


@njit(cache=config.CACHE, fastmath=config.FASTMATH, parallel=True)
def vlad_batch(descriptors, offsets, words, word_norms, intra, power, l2, out):
    """Write the VLAD vector of each image of a ragged batch into ``out``.

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
    n_words, dim = words.shape
    for i in prange(offsets.shape[0] - 1):
        for t in range(n_words * dim):
            out[i, t] = 0.0
        start = offsets[i]
        stop = offsets[i + 1]
        if stop > start:
            _accumulate_image(descriptors, start, stop, words, word_norms, out, i)
            normalize_row(out, i, n_words, dim, intra, power, l2)
