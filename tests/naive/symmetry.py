"""NumPy twin of classical._kernels.symmetry."""


def permute_descriptors(src, rows, columns):
    """Rows ``rows`` of ``src``, then its columns ``columns``, by fancy indexing."""
    return src[rows][:, columns]
