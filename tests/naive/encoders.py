"""Plain NumPy twins of :mod:`classical._kernels.assign` and ``.vlad``.

They compute distances directly as ``((x - c) ** 2).sum()`` over the full
descriptor-by-word matrix, pick words with ``argmin`` or a stable
``argsort``, and build VLAD and soft counts one image and one word at a time,
so they share no code or trick with the kernels.
"""

import numpy as np

__all__ = ["squared_norms", "nearest_words", "nearest_k_words", "soft_counts",
           "vlad_batch", "soft_vlad_batch"]


def squared_norms(x):
    return (np.asarray(x, dtype=np.float64) ** 2).sum(axis=1)


def _distances(descriptors, words):
    x = np.asarray(descriptors, dtype=np.float64)
    c = np.asarray(words, dtype=np.float64)
    return ((x[:, np.newaxis, :] - c[np.newaxis, :, :]) ** 2).sum(axis=2)


def nearest_words(descriptors, words, word_norms=None):
    distances = _distances(descriptors, words)
    labels = distances.argmin(axis=1)
    return labels, distances[np.arange(len(distances)), labels]


def nearest_k_words(descriptors, words, word_norms, n_nearest):
    distances = _distances(descriptors, words)
    labels = np.argsort(distances, axis=1, kind="stable")[:, :n_nearest]
    return labels, np.take_along_axis(distances, labels, axis=1)


def _soft_assignment(x, words, n_nearest, sigma):
    """Per descriptor: its ``n_nearest`` words and their kernel weights."""
    labels, distances = nearest_k_words(x, words, None, n_nearest)
    if sigma > 0:
        weights = np.exp(-(distances - distances[:, :1]) / (2 * sigma ** 2))
    else:  # the sigma -> 0 limit: the nearest word(s) share the weight
        weights = (distances == distances[:, :1]).astype(np.float64)
    return labels, weights / weights.sum(axis=1, keepdims=True)


def soft_counts(descriptors, offsets, words, word_norms, n_nearest, sigma, out):
    for i in range(len(offsets) - 1):
        counts = np.zeros(len(words))
        x = descriptors[offsets[i]:offsets[i + 1]]
        if len(x):
            labels, weights = _soft_assignment(x, words, n_nearest, sigma)
            for k in range(len(words)):
                counts[k] = weights[labels == k].sum()
        out[i] = counts


def _vlad_one(x, words, soft, n_nearest, sigma, intra, power, l2):
    c = np.asarray(words, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    blocks = np.zeros_like(c)
    if len(x):
        if soft:
            labels, weights = _soft_assignment(x, c, n_nearest, sigma)
        else:
            labels, weights = nearest_words(x, c)[0][:, None], np.ones((len(x), 1))
        for k in range(len(c)):
            rows, columns = np.nonzero(labels == k)
            if len(rows):
                blocks[k] = (weights[rows, columns, None] * (x[rows] - c[k])).sum(0)
    if intra:
        norms = np.linalg.norm(blocks, axis=1, keepdims=True)
        blocks = np.where(norms > 0, blocks / np.where(norms > 0, norms, 1), 0.0)
    vector = blocks.ravel()
    if power:
        vector = np.sign(vector) * np.sqrt(np.abs(vector))
    if l2:
        norm = np.linalg.norm(vector)
        if norm > 0:
            vector = vector / norm
    return vector


def vlad_batch(descriptors, offsets, words, word_norms, intra, power, l2, out):
    for i in range(len(offsets) - 1):
        out[i] = _vlad_one(descriptors[offsets[i]:offsets[i + 1]], words, False, 1,
                           0.0, intra, power, l2)


def soft_vlad_batch(descriptors, offsets, words, word_norms, n_nearest, sigma, intra,
                    power, l2, out):
    for i in range(len(offsets) - 1):
        out[i] = _vlad_one(descriptors[offsets[i]:offsets[i + 1]], words, True,
                           n_nearest, sigma, intra, power, l2)
