"""Where work runs: the one door for threads and workers.

Every thread the library starts is sized here, and nowhere else:

* a kernel that loops with ``prange`` over a stacked batch uses Numba's thread
  pool; :func:`limit_threads` sizes that pool from ``n_jobs`` for the duration
  of one call, and with it, when asked, BLAS's pool (a kernel that calls BLAS
  from inside ``prange`` needs BLAS on one thread, or every Numba thread
  starts its own BLAS threads) and the chunk of iterations a Numba thread
  takes at a time;
* Python-level work (decoding files, per-image code that is not a kernel, an
  OpenCV call per image) goes through :func:`map_batches` (batches, results
  as a list) or :func:`map_items` (single items, results streamed in order),
  on joblib workers or threads. The two are never nested: inside a worker
  the Numba pool is limited to one thread, so two cores never run four
  threads.

``n_jobs`` means what it means in scikit-learn (:func:`resolve_n_jobs`), and
no result depends on it.

Dask plugs in here: a ``dask.distributed.Client`` given to (or active around)
:func:`map_batches` will spread the batches over its workers instead of
joblib's, each worker running :func:`limit_threads` for its own cores, so the
estimators above need no change.
"""

from contextlib import ExitStack, contextmanager
from functools import lru_cache, partial

import numba
from joblib import Parallel, delayed, effective_n_jobs
from tqdm.auto import tqdm

__all__ = ["limit_threads", "resolve_n_jobs", "map_batches", "map_items"]


def resolve_n_jobs(n_jobs):
    """Turn a scikit-learn style ``n_jobs`` into a positive thread count.

    Parameters
    ----------
    n_jobs : int or None
        ``None`` means one job unless a :func:`joblib.parallel_config` says
        otherwise; ``-1`` means all cores, ``-2`` all but one, and so on.

    Returns
    -------
    n_threads : int
        At least 1, and never more than the threads Numba was started with
        (``NUMBA_NUM_THREADS``).
    """
    n = effective_n_jobs(n_jobs)
    return max(1, min(int(n), numba.config.NUMBA_NUM_THREADS))


@lru_cache(maxsize=1)
def _blas_controller():
    """One threadpoolctl controller, made once (finding the libraries is slow)."""
    # Numba's np.dot calls SciPy's BLAS: load it before looking for libraries
    import scipy.linalg.cython_blas  # noqa: F401
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def limit_threads(n_jobs, *, blas=None, chunksize=None):
    """Run the enclosed kernels on ``n_jobs`` Numba threads, then restore.

    Parameters
    ----------
    n_jobs : int or None
        Numba threads, as :func:`resolve_n_jobs` reads it.
    blas : int or None, default=None
        Threads of every BLAS library (OpenBLAS, MKL, ...) while inside; None
        leaves BLAS as it is. Use 1 around kernels that call BLAS inside
        ``prange``, and around loops of many small matrix operations, where
        threaded BLAS only adds wake-up costs.
    chunksize : int or None, default=None
        Iterations of a ``prange`` loop a Numba thread takes at a time; None
        keeps Numba's default (an equal share per thread, fixed in advance).
        Small chunks let the threads not slowed by other processes on the
        machine take more of the work.

    Yields
    ------
    None
        The limits hold until the ``with`` block ends.

    Examples
    --------
    >>> import numba
    >>> from classical.parallel import limit_threads
    >>> with limit_threads(1, blas=1):
    ...     numba.get_num_threads()
    1
    """
    previous = numba.get_num_threads()
    numba.set_num_threads(resolve_n_jobs(n_jobs))
    try:
        with ExitStack() as stack:
            if blas is not None:
                stack.enter_context(
                    _blas_controller().limit(limits=blas, user_api="blas"))
            if chunksize is not None:
                stack.enter_context(numba.parallel_chunksize(chunksize))
            yield
    finally:
        numba.set_num_threads(previous)


def _single_threaded(function, batch):
    with limit_threads(1):
        return function(batch)


def map_batches(function, batches, *, n_jobs=None, prefer=None, progress=False,
                desc=None, total=None):
    """Apply ``function`` to each batch, in order, and return the results.

    Parameters
    ----------
    function : callable
        Takes one batch and returns one result.
    batches : iterable
        The batches; only consumed as workers become free.
    n_jobs : int or None, default=None
        Number of joblib workers; ``None`` or 1 runs in this process.
    prefer : {'processes', 'threads'} or None, default=None
        joblib's worker kind; ``'threads'`` for work that releases the GIL
        (OpenCV calls), None for joblib's default (processes).
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
    return list(map_items(partial(_single_threaded, function), batches,
                          n_jobs=n_jobs, prefer=prefer))


def map_items(function, items, *, n_jobs=None, prefer="threads"):
    """Apply ``function`` to each item, yielding the results in input order.

    For per-item Python work that releases the GIL (decoding image files, an
    OpenCV call): the results are produced as workers finish and handed out
    in order, so a caller can show progress or stop early.

    Parameters
    ----------
    function : callable
        Takes one item and returns one result.
    items : iterable
        The items; only consumed as workers become free.
    n_jobs : int or None, default=None
        Number of joblib workers; ``None`` or 1 runs in this process.
    prefer : {'threads', 'processes'}, default='threads'
        joblib's worker kind.

    Yields
    ------
    result : object
        ``function(item)`` for each item, in the order of ``items``.
    """
    if resolve_n_jobs(n_jobs) == 1:
        yield from map(function, items)
        return
    parallel = Parallel(n_jobs=n_jobs, prefer=prefer, return_as="generator")
    yield from parallel(delayed(function)(item) for item in items)
