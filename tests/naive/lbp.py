"""Plain NumPy twins of :mod:`classical._kernels.lbp`, written for clarity.

They follow scikit-image's arithmetic step by step (sampling positions rounded
to 5 decimals, bilinear interpolation with zeros outside the image, the
``texture >= centre`` threshold) so the tests can compare the kernels, these
twins and scikit-image. They take ``(P, R, method)`` rather than the kernels'
precomputed geometry, so they share no code with the library.
"""

import numpy as np

__all__ = ["lbp_codes", "lbp_histograms", "sampling_offsets", "uniform_lbp_counts"]


def sampling_offsets(P, R):
    """Row and column offsets of the ``P`` neighbours on the circle of radius ``R``.

    scikit-image passes ``R`` through a C ``float`` (float32) and rounds the
    offsets to 5 decimals, so near-integer offsets become exact integers.
    """
    R = float(np.float32(R))
    angles = 2 * np.pi * np.arange(P, dtype=np.float64) / P
    return np.round(-R * np.sin(angles), 5), np.round(R * np.cos(angles), 5)


def _pixel_or_zero(image, rows, cols):
    """``image[rows, cols]`` where inside the image, 0 outside."""
    n_rows, n_cols = image.shape
    inside = (rows >= 0) & (rows < n_rows) & (cols >= 0) & (cols < n_cols)
    values = np.zeros(rows.shape, dtype=np.float64)
    values[inside] = image[rows[inside], cols[inside]]
    return values


def _bilinear(image, rows, cols):
    """Bilinear interpolation at real positions, as scikit-image computes it."""
    r0, c0 = np.floor(rows), np.floor(cols)
    r1, c1 = np.ceil(rows), np.ceil(cols)
    dr, dc = rows - r0, cols - c0
    r0, c0, r1, c1 = (a.astype(np.intp) for a in (r0, c0, r1, c1))
    top = (1 - dc) * _pixel_or_zero(image, r0, c0) + dc * _pixel_or_zero(image, r0, c1)
    bottom = ((1 - dc) * _pixel_or_zero(image, r1, c0)
              + dc * _pixel_or_zero(image, r1, c1))
    return (1 - dr) * top + dr * bottom


def _textures(image, P, R):
    """Interpolated neighbour values, shape (P, H, W)."""
    row_offsets, col_offsets = sampling_offsets(P, R)
    rows, cols = np.indices(image.shape, dtype=np.float64)
    return np.stack([_bilinear(image, rows + dr, cols + dc)
                     for dr, dc in zip(row_offsets, col_offsets)])


def _rotate(bits, k):
    """The pattern read starting from neighbour ``k`` (a circular shift)."""
    return np.roll(bits, -k, axis=0)


def _binary_value(bits):
    weights = 2 ** np.arange(bits.shape[0], dtype=np.int64)
    return np.tensordot(weights, bits.astype(np.int64), axes=1)


def lbp_codes(image, P, R, method):
    """LBP code of every pixel of one 2-D image, as float64 (scikit-image's meaning).

    ``method`` is one of 'default', 'ror', 'uniform', 'nri_uniform', 'var'.
    """
    image = np.asarray(image, dtype=np.float64)
    texture = _textures(image, P, R)
    bits = texture >= image
    n_ones = bits.sum(axis=0)
    # transitions between circular neighbours (Ojala et al.'s U)
    transitions = (bits != _rotate(bits, 1)).sum(axis=0)
    uniform = transitions <= 2
    if method == "default":
        codes = _binary_value(bits)
    elif method == "ror":
        codes = np.min([_binary_value(_rotate(bits, k)) for k in range(P)], axis=0)
    elif method == "uniform":
        codes = np.where(uniform, n_ones, P + 1)
    elif method == "nri_uniform":
        # a uniform, non-constant pattern is one run of ones; index it by its
        # length and by where it starts (bit s is 1, bit s-1 is 0)
        run_start = np.argmax(bits & ~_rotate(bits, -1), axis=0)
        rotation = (P - run_start) % P
        codes = np.where(
            ~uniform, P * (P - 1) + 2,
            np.where(n_ones == 0, 0,
                     np.where(n_ones == P, P * (P - 1) + 1,
                              1 + (n_ones - 1) * P + rotation)))
    elif method == "var":
        variance = np.var(texture, axis=0)
        return np.where(variance == 0, np.nan, variance)
    else:
        raise ValueError(f"unknown method {method!r}")
    return codes.astype(np.float64)


def lbp_histograms(images, P, R, method, n_bins, normalize=True, code_to_bin=None):
    """Histogram of the codes of each 2-D image, shape (n_images, n_bins).

    ``code_to_bin`` maps a code to its bin (used for 'ror'); codes are their own
    bins otherwise.
    """
    rows = []
    for image in images:
        codes = lbp_codes(image, P, R, method).astype(np.int64).ravel()
        if code_to_bin is not None:
            codes = np.array([code_to_bin[code] for code in codes], dtype=np.int64)
        counts = np.bincount(codes, minlength=n_bins).astype(np.float64)
        rows.append(counts / codes.size if normalize else counts)
    return np.array(rows)


def uniform_lbp_counts(image, pairs):
    """Uniform LBP counts of a 2-D float32 image, all ``(P, R)`` pairs concatenated.

    The arithmetic of :func:`classical._kernels.lbp.uniform_lbp_counts`:
    corners of each point read with zeros outside, constant float32 weights
    ``(1 - dr)(1 - dc), (1 - dr) dc, dr (1 - dc), dr dc``, bit set when
    ``((w0 (v0 - x) + w1 (v1 - x)) + w2 (v2 - x)) + w3 (v3 - x) >= 0``; a
    point on a pixel compares ``v0 >= x``.
    """
    image = np.asarray(image, dtype=np.float32)
    rows, cols = np.indices(image.shape)
    one = np.float32(1)
    histograms = []
    for P, R in pairs:
        bits = []
        for dr_off, dc_off in zip(*sampling_offsets(P, R)):
            r0, c0 = int(np.floor(dr_off)), int(np.floor(dc_off))
            r1, c1 = int(np.ceil(dr_off)), int(np.ceil(dc_off))
            dr = np.float32(dr_off - r0)
            dc = np.float32(dc_off - c0)
            corners = [_pixel_or_zero(image, rows + a, cols + b).astype(np.float32)
                       for a, b in ((r0, c0), (r0, c1), (r1, c0), (r1, c1))]
            if dr == 0 and dc == 0:
                bits.append(corners[0] >= image)
                continue
            weights = [(one - dr) * (one - dc), (one - dr) * dc, dr * (one - dc),
                       dr * dc]
            total = np.zeros(image.shape, dtype=np.float32)
            for k, (w, v) in enumerate(zip(weights, corners)):
                term = w * (v - image)
                total = term if k == 0 else total + term
            bits.append(total >= 0)
        bits = np.array(bits)
        transitions = (bits != _rotate(bits, 1)).sum(axis=0)
        codes = np.where(transitions <= 2, bits.sum(axis=0), P + 1)
        histograms.append(np.bincount(codes.ravel(), minlength=P + 2))
    return np.concatenate(histograms)
