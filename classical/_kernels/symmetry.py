"""Dense descriptors moved to a symmetry of their image: one gather of rows, columns.

:func:`classical.descriptors.d4_local_features` computes which row of the
original features each moved row comes from and which bin each moved bin
comes from; this kernel copies them in one pass. It runs on one thread: the
copy is bound by memory, and a parallel loop measured several times slower
(thread start-up against a few milliseconds of copying).
"""

from numba import njit

from . import config


@njit(cache=config.CACHE, fastmath=config.FASTMATH)
def permute_descriptors(src, rows, columns, out):
    """``out[r, c] = src[rows[r], columns[c]]``.

    Parameters
    ----------
    src : ndarray of shape (n, d)
        C-contiguous descriptors.
    rows : int64 ndarray of shape (n_out,)
        Source row of each output row, in ``[0, n)``.
    columns : int64 ndarray of shape (d_out,)
        Source column of each output column, in ``[0, d)``.
    out : ndarray of shape (n_out, d_out)
        Receives the moved descriptors (the dtype of ``src``).
    """
    n_columns = columns.shape[0]
    for r in range(rows.shape[0]):
        source = rows[r]
        for c in range(n_columns):
            out[r, c] = src[source, columns[c]]
