"""Plain NumPy twins of :mod:`classical.datasets._image_hash`, written for clarity.

The DCT is the textbook DCT-II sum with orthonormal scaling (no FFT), the pair
search compares every pair of hashes bit by bit, and the groups come from a
union-find with path halving, so they share no code with the library.
"""

import numpy as np

__all__ = ["connected_groups", "dct_hash", "near_pairs"]


def _dct_matrix(n):
    """Row ``k`` holds the orthonormal DCT-II basis ``c_k cos(pi (2 x + 1) k / 2n)``."""
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    basis = np.cos(np.pi * (2 * x + 1) * k / (2 * n))
    scale = np.full((n, 1), np.sqrt(2.0 / n))
    scale[0] = np.sqrt(1.0 / n)
    return scale * basis


def dct_hash(thumbnail):
    """63 bits: the top-left 8 x 8 DCT coefficients but DC, above their median."""
    thumbnail = np.asarray(thumbnail, dtype=np.float64)
    basis = _dct_matrix(thumbnail.shape[0])
    coefficients = basis @ thumbnail @ basis.T
    low = [round(coefficients[row, col], 6) for row in range(8) for col in range(8)][1:]
    median = np.median(low)
    value = 0
    for bit, coefficient in enumerate(low):
        if coefficient > median:
            value |= 1 << bit
    energy = np.sqrt(np.sum(np.square(low))) / thumbnail.shape[0]
    return value, energy


def near_pairs(hashes, max_distance):
    """Every pair ``(i, j)``, ``i < j``, at most ``max_distance`` bits apart."""
    pairs, distances = [], []
    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            distance = bin(int(hashes[i]) ^ int(hashes[j])).count("1")
            if distance <= max_distance:
                pairs.append((i, j))
                distances.append(distance)
    return np.array(pairs, dtype=np.intp).reshape(-1, 2), np.array(distances)


def connected_groups(n, pairs):
    """Components of two or more positions, by union-find, sorted."""
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[root(i)] = root(j)
    groups = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return sorted(g for g in groups.values() if len(g) > 1)
