"""The one door for threads: limit_threads, resolve_n_jobs, map_batches."""

import time

import numba
import pytest
from joblib import cpu_count, parallel_config
from threadpoolctl import threadpool_info

from classical.parallel import limit_threads, map_batches, map_items, resolve_n_jobs


def _blas_threads():
    return [lib["num_threads"] for lib in threadpool_info()
            if lib["user_api"] == "blas"]


def test_resolve_n_jobs_follows_scikit_learn():
    ceiling = numba.config.NUMBA_NUM_THREADS
    assert resolve_n_jobs(None) == 1
    assert resolve_n_jobs(1) == 1
    assert resolve_n_jobs(-1) == min(cpu_count(), ceiling)
    assert resolve_n_jobs(10 ** 6) == ceiling
    with parallel_config(n_jobs=2):
        assert resolve_n_jobs(None) == min(2, ceiling)


def test_limit_threads_sets_and_restores_numba():
    before = numba.get_num_threads()
    with limit_threads(1):
        assert numba.get_num_threads() == 1
        assert numba.get_parallel_chunksize() == 0  # Numba's default schedule
    with limit_threads(-1, chunksize=3):
        assert numba.get_num_threads() == resolve_n_jobs(-1)
        assert numba.get_parallel_chunksize() == 3
    assert numba.get_num_threads() == before
    assert numba.get_parallel_chunksize() == 0


def test_limit_threads_sets_and_restores_blas():
    with limit_threads(None, blas=1):  # loads SciPy's BLAS, as the kernels do
        pass
    before = _blas_threads()
    assert before, "no BLAS library found"
    with limit_threads(None, blas=1):
        assert set(_blas_threads()) == {1}
    assert _blas_threads() == before
    with limit_threads(None):
        assert _blas_threads() == before  # blas=None leaves BLAS alone


def test_limit_threads_restores_after_an_error():
    before = numba.get_num_threads()
    with pytest.raises(RuntimeError, match="inside"):
        with limit_threads(1, chunksize=2):
            raise RuntimeError("inside")
    assert numba.get_num_threads() == before
    assert numba.get_parallel_chunksize() == 0


def _square_and_threads(x):
    return x * x, numba.get_num_threads()


@pytest.mark.parametrize("n_jobs, prefer", [(None, None), (2, "threads"),
                                            (2, None)])
def test_map_batches_keeps_order_and_runs_workers_on_one_thread(n_jobs, prefer):
    results = map_batches(_square_and_threads, range(7), n_jobs=n_jobs,
                          prefer=prefer)
    assert [r[0] for r in results] == [x * x for x in range(7)]
    if resolve_n_jobs(n_jobs) > 1:
        assert {r[1] for r in results} == {1}


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_map_items_streams_results_in_input_order(n_jobs):
    def slow_for_small(x):
        # early items finish last on threads; the order must still hold
        time.sleep(0.002 * (10 - x))
        return x * x

    results = map_items(slow_for_small, iter(range(10)), n_jobs=n_jobs)
    assert not isinstance(results, list)  # a generator, consumed lazily
    assert list(results) == [x * x for x in range(10)]
