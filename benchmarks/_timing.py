"""Timing, memory and table helpers shared by the benchmark scripts.

Every speed figure is a ratio against a peer timed in the same run on the same
data. Kernels are warmed before timing; the first call (JIT compile included)
is timed on its own so its cost is reported, not hidden.
"""

import gc
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

SHARED_DATA = Path(os.environ.get(
    "CLASSICAL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def first_call_seconds(function):
    """Time one call of ``function``: for a Numba kernel, the compile cost."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def cold_process_seconds(script):
    """Run ``script`` in a new process whose Numba cache is empty.

    The script prints the seconds it measured as its last output; that
    figure (typically a first call, compile included) is returned.
    """
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        result = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                                capture_output=True, text=True)
    return float(result.stdout.split()[-1])


def median_seconds(function, *, repeat=5, warmup=1):
    """Median wall time of ``function`` over ``repeat`` calls after ``warmup``."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def alternating_medians(functions, *, repeat=7):
    """Warm each function once, then time them in turn; median seconds of each.

    Timing ours and the peer alternately means a load spike on a shared
    machine falls on both, so their ratio holds even when the times drift.
    """
    for function in functions:
        function()
    times = [[] for _ in functions]
    for _ in range(repeat):
        for function, spent in zip(functions, times):
            gc.collect()
            start = time.perf_counter()
            function()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def _rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_extra_bytes(function, *, interval=0.002):
    """Peak resident memory above the starting level while ``function`` runs.

    Samples the process's resident set size from a thread, so memory allocated
    by NumPy, Numba and OpenCV alike is seen. Returns ``(result, peak_bytes)``.
    """
    gc.collect()
    baseline = _rss_bytes()
    peak = [baseline]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = function()
    finally:
        done.set()
        sampler.join()
    peak[0] = max(peak[0], _rss_bytes())
    return result, peak[0] - baseline


def markdown_table(rows, columns):
    """Render ``rows`` (dicts) as a Markdown table with the given ``columns``."""
    def cell(value):
        if isinstance(value, float):
            if value != value:
                return "–"
            return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
        return str(value)

    lines = ["| " + " | ".join(columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def random_uint8_images(n, shape, *, seed=0):
    """Reproducible uint8 images with smooth structure plus noise."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)
    return base


SPEED_COLUMNS = ["work", "unit", "ours", "peer", "peer throughput", "ratio",
                 "ours first call s"]
"""Columns of every speed table. Each ``benchmarks/speed/<topic>.py`` module has a
``run(quick=False)`` returning a list of row dicts with these keys (throughputs as
numbers, ``ratio`` = ours / peer), and prints ``markdown_table(run(), SPEED_COLUMNS)``
when run as ``python -m benchmarks.speed.<topic>``."""
