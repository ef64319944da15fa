"""Plain NumPy twins of :mod:`classical._kernels.assign` and ``.vlad``.

They compute distances directly as ``((x - c) ** 2).sum()`` over the full
descriptor-by-word matrix, pick words with ``argmin``, and build VLAD one image
and one word at a time with boolean masks, so they share no code or trick
with the kernels.
"""

import numpy as np

__all__ = ["squared_norms", "nearest_words", "vlad_batch"]


def squared_norms(x):
    return (np.asarray(x, dtype=np.float64) ** 2).sum(axis=1)


def nearest_words(descriptors, words, word_norms=None):
    x = np.asarray(descriptors, dtype=np.float64)
    c = np.asarray(words, dtype=np.float64)
    distances = ((x[:, np.newaxis, :] - c[np.newaxis, :, :]) ** 2).sum(axis=2)
    labels = distances.argmin(axis=1)
    return labels, distances[np.arange(len(x)), labels]


def _vlad_one(x, words, intra, power, l2):
    c = np.asarray(words, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    blocks = np.zeros_like(c)
    if len(x):
        labels = nearest_words(x, c)[0]
        for k in range(len(c)):
            members = x[labels == k]
            if len(members):
                blocks[k] = (members - c[k]).sum(axis=0)
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
        out[i] = _vlad_one(descriptors[offsets[i]:offsets[i + 1]], words, intra,
                           power, l2)
