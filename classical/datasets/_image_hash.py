"""Perceptual image hashes and their search in Hamming space.

A DCT hash (Zauner's pHash) turns an image into 63 bits that survive
re-encoding, small resizing, slight crops and brightness changes; two images
whose hashes differ in few bits are near duplicates. Finding every such pair
uses multi-index hashing (Norouzi et al.), so the search never loops over all
pairs of images.
"""

import cv2
import numpy as np
import scipy.fft
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

__all__ = ["THUMBNAIL_SIDE", "connected_groups", "dct_hash", "grey_thumbnail",
           "hamming_distance", "near_pairs"]

THUMBNAIL_SIDE = 32  # the hash reads a 32 x 32 grey thumbnail, as pHash does
_HASH_BLOCK = 8  # the top-left 8 x 8 DCT coefficients, DC left out: 63 bits


def grey_thumbnail(gray, side=THUMBNAIL_SIDE):
    """Resize a grey image to ``side`` x ``side`` float32 pixels.

    Parameters
    ----------
    gray : ndarray of shape (H, W)
        The grey image, on the 0-255 scale.
    side : int, default=32
        Side of the thumbnail.

    Returns
    -------
    thumbnail : ndarray of shape (side, side), float32
        Shrunk by pixel-area averaging (``cv2.INTER_AREA``), which is also the
        low-pass filter pHash applies before shrinking; enlarged bilinearly.
    """
    gray = np.ascontiguousarray(gray, dtype=np.float32)
    shrink = gray.shape[0] >= side and gray.shape[1] >= side
    return cv2.resize(gray, (side, side),
                      interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def dct_hash(thumbnail):
    """DCT perceptual hash of a grey thumbnail, and the energy it is read from.

    Parameters
    ----------
    thumbnail : ndarray of shape (32, 32)
        A grey thumbnail from :func:`grey_thumbnail`.

    Returns
    -------
    hash : int
        63 bits (bit 63 is always 0): bit ``k`` is 1 when the ``k``-th of the
        top-left 8 x 8 DCT-II coefficients (row-major, the DC coefficient left
        out) is above their median.
    energy : float
        The norm of those 63 coefficients divided by the side (32): by
        Parseval's identity, the standard deviation, in grey levels, of the
        thumbnail's content at the frequencies the hash reads. Near-uniform images (calm
        water, a flat texture) have little of it, and their bits are noise.

    Notes
    -----
    Follows Zauner's description of pHash [1]_: grey, low-pass and shrink to
    32 x 32, 2-D DCT-II (orthonormal, :func:`scipy.fft.dctn`), keep the lowest
    frequencies, threshold at their median. Departure: pHash's library keeps
    the coefficients of rows and columns 1-8 (dropping the first row and
    column); here the top-left 8 x 8 block without the DC term is kept, as in
    Zauner's text, so that purely horizontal or vertical structure (a road
    across an aerial scene) counts. Adding a constant to the image changes
    only the DC term and scaling it scales all coefficients alike, so the
    bits do not depend on brightness or contrast (up to clipping).

    References
    ----------
    .. [1] C. Zauner, "Implementation and Benchmarking of Perceptual Image Hash
       Functions", Master's thesis, Upper Austria University of Applied
       Sciences, Hagenberg, 2010.
    """
    coefficients = scipy.fft.dctn(np.asarray(thumbnail, dtype=np.float64),
                                  type=2, norm="ortho")
    # rounded, so that a flat image's round-off gives all-zero bits, not noise
    low = np.round(coefficients[:_HASH_BLOCK, :_HASH_BLOCK].ravel()[1:], 6)
    bits = low > np.median(low)
    value = int(np.packbits(np.append(bits, False), bitorder="little")
                .view("<u8")[0])
    energy = float(np.sqrt(np.sum(low * low)) / THUMBNAIL_SIDE)
    return value, energy


def hamming_distance(a, b):
    """Number of differing bits between hashes.

    Parameters
    ----------
    a, b : ndarray of uint64
        Hashes, broadcast against each other.

    Returns
    -------
    distance : ndarray of uint8
        The Hamming distance of each pair.
    """
    return np.bitwise_count(np.bitwise_xor(a, b))


def _equal_key_pairs(keys, masks):
    """Pairs ``(i, j)``, ``i < j``, with ``keys[i] ^ mask == keys[j]`` for some mask."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    found = []
    for mask in masks:
        query = keys ^ mask
        low = np.searchsorted(sorted_keys, query, side="left")
        counts = np.searchsorted(sorted_keys, query, side="right") - low
        firsts = np.repeat(np.arange(len(keys)), counts)
        starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
        seconds = order[starts + np.arange(counts.sum())]
        keep = firsts < seconds  # each pair is met from both ends; i == j is no pair
        found.append(firsts[keep] * len(keys) + seconds[keep])
    return np.concatenate(found)


def near_pairs(hashes, max_distance, n_bands=4):
    """Every pair of hashes within ``max_distance`` bits, without an all-pairs loop.

    Parameters
    ----------
    hashes : ndarray of uint64 of shape (n,)
        The hashes.
    max_distance : int
        Largest Hamming distance of a pair.
    n_bands : {4, 8, 16}, default=4
        Number of bands the 64 bits are cut into.

    Returns
    -------
    pairs : ndarray of int of shape (n_pairs, 2)
        The positions ``(i, j)``, ``i < j``, of each pair, sorted.
    distances : ndarray of uint8 of shape (n_pairs,)
        Their Hamming distances.

    Notes
    -----
    Multi-index hashing [1]_: the 64 bits are cut into ``m = n_bands`` bands.
    Two hashes that differ in ``d`` bits differ in at most ``r = floor(d / m)``
    bits on at least one band (pigeonhole: were every band ``r + 1`` or more
    bits apart, the hashes would be ``m (r + 1) > d`` apart). So, band by
    band, each hash is looked up, in that band's sorted values, under every
    value within ``r`` bits of its own (``r = 2`` and 16-bit bands: 137
    look-ups); the pairs found hold every answer, and only they have their
    full distance checked. For ``d < m`` this is the plain form (``r = 0``:
    the two hashes share one band exactly). The candidates are a small
    fraction of all pairs (for random 16-bit bands and ``r = 2``, about 0.8 %).

    References
    ----------
    .. [1] M. Norouzi, A. Punjani and D. J. Fleet, "Fast search in Hamming
       space with multi-index hashing", IEEE Conference on Computer Vision and
       Pattern Recognition (CVPR), 2012, pp. 3108-3115.
       :DOI:`10.1109/CVPR.2012.6248043`
    """
    hashes = np.asarray(hashes, dtype=np.uint64)
    bits = 64 // n_bands
    radius = max_distance // n_bands
    values = np.arange(1 << bits, dtype=np.uint64)
    masks = values[np.bitwise_count(values) <= radius]
    band = np.uint64((1 << bits) - 1)
    codes = np.unique(np.concatenate([
        _equal_key_pairs((hashes >> np.uint64(bits * b)) & band, masks)
        for b in range(n_bands)]))
    pairs = np.column_stack(np.divmod(codes, len(hashes)))
    distances = hamming_distance(hashes[pairs[:, 0]], hashes[pairs[:, 1]])
    keep = distances <= max_distance
    return pairs[keep], distances[keep]


def connected_groups(n, pairs):
    """Groups of positions linked through ``pairs`` (connected components).

    Parameters
    ----------
    n : int
        Number of positions.
    pairs : ndarray of int of shape (n_pairs, 2)
        The links.

    Returns
    -------
    groups : list of list of int
        Each component of two or more positions, its members sorted; the
        groups in the order of their first member.
    """
    pairs = np.asarray(pairs, dtype=np.intp).reshape(-1, 2)
    graph = coo_array((np.ones(len(pairs), dtype=np.int8),
                       (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    order = np.argsort(component, kind="stable")
    bounds = np.flatnonzero(np.diff(component[order])) + 1
    groups = [g.tolist() for g in np.split(order, bounds) if len(g) > 1]
    return sorted(groups)
