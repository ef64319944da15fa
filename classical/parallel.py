"""Where work runs: Numba threads inside a batch, joblib across batches.

A kernel that loops with ``prange`` over a stacked batch uses Numba's thread
pool; :func:`numba_threads` sizes that pool from ``n_jobs`` for the duration of
one call. Python-level work (decoding files, per-image code that is not a
kernel) goes through joblib. The two are never nested: inside a joblib worker
the Numba pool is limited to one thread, so two cores never run four threads.
"""

from contextlib import contextmanager

import numba
from joblib import Parallel, delayed, effective_n_jobs
from tqdm.auto import tqdm

__all__ = ["numba_threads", "resolve_n_jobs", "map_batches"]


def resolve_n_jobs(n_jobs):
    """Turn a scikit-learn style ``n_jobs`` into a positive thread count.

    ``None`` means one job unless a joblib ``parallel_config`` says otherwise;
    ``-1`` means all cores, ``-2`` all but one, and so on. The count never
    exceeds the threads Numba was started with (``NUMBA_NUM_THREADS``).
    """
    n = effective_n_jobs(n_jobs)
    return max(1, min(int(n), numba.config.NUMBA_NUM_THREADS))


@contextmanager
def numba_threads(n_jobs):
    """Run the enclosed Numba kernels on ``n_jobs`` threads, then restore."""
    previous = numba.get_num_threads()
    numba.set_num_threads(resolve_n_jobs(n_jobs))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _single_threaded(function, batch):
    with numba_threads(1):
        return function(batch)


def map_batches(function, batches, *, n_jobs=None, progress=False, desc=None,
                total=None):
    """Apply ``function`` to each batch, in order, and return the results.

    Parameters
    ----------
    function : callable
        Takes one batch and returns one result.
    batches : iterable
        The batches; only consumed as workers become free.
    n_jobs : int or None, default=None
        Number of joblib workers; ``None`` or 1 runs in this process.
    progress : bool, default=False
        Show a progress bar counting batches.
    desc : str or None, default=None
        Label of the progress bar.
    total : int or None, default=None
        Number of batches, for the progress bar.

    Returns
    -------
    results : list
        ``function(batch)`` for each batch, in the order of ``batches``.
    """
    batches = tqdm(batches, desc=desc, total=total, disable=not progress,
                   leave=False)
    if resolve_n_jobs(n_jobs) == 1:
        return [function(batch) for batch in batches]
    parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    return list(parallel(delayed(_single_threaded)(function, b) for b in batches))
