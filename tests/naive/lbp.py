"""Plain NumPy twins of :mod:`classical._kernels.lbp`, written for clarity.

They follow scikit-image's arithmetic step by step (sampling positions rounded
to 5 decimals, bilinear interpolation with zeros outside the image, the
``texture >= centre`` threshold) so the tests can compare the kernels, these
twins and scikit-image. They take ``(P, R, method)`` rather than the kernels'
precomputed geometry, so they share no code with the library.
"""

import numpy as np

__all__ = ["lbp_codes", "lbp_histograms", "sampling_offsets"]


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
