"""The teaching notebooks: each one converts (jupytext) and runs to the end (nbclient).

The notebooks are jupytext "percent" scripts in ``examples/notebooks/``. Each
is converted to a notebook in memory and executed in a fresh kernel that runs
on *this* interpreter (a kernelspec written to a temporary ``JUPYTER_PATH``,
so an installed ``python3`` kernel of another environment is never picked);
any cell error fails the test. They need the ``notebooks`` extra (jupytext,
nbclient, nbformat, ipykernel) and, for the raster and deep notebooks, the
``geo`` and ``deep`` extras; only the missing notebook tools make them skip.
"""

import json
import os
import sys
import time
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "examples" / "notebooks"
SCRIPTS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
IDS = [path.stem for path in SCRIPTS]
KERNEL = "classical-notebook-test"
CELL_TIMEOUT = 600  # seconds; a cell that hangs fails instead of blocking CI
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS")


def test_notebooks_are_found():
    # Guards the parametrisation below: an empty glob would skip every run.
    assert len(SCRIPTS) >= 6, f"expected the six numbered notebooks, found {IDS}"
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    unlisted = [path.name for path in SCRIPTS if path.name not in readme]
    assert not unlisted, f"notebooks missing from examples/notebooks/README.md: " \
        f"{unlisted}"


@pytest.mark.parametrize("path", SCRIPTS, ids=IDS)
def test_notebook_is_plain_percent_script(path):
    """A jupytext percent header, Markdown between the code, no stored outputs."""
    source = path.read_text(encoding="utf-8")
    assert "format_name: percent" in source, f"{path.name}: no jupytext header"
    assert source.count("# %% [markdown]") >= 3, (
        f"{path.name}: explain the code in Markdown cells between the code cells")
    assert "\n# %%\n" in source, f"{path.name}: no code cell"
    lines = source.splitlines()
    title = lines[lines.index("# %% [markdown]") + 1]
    assert title.startswith("# # "), f"{path.name}: the first Markdown cell must " \
        f"open with a '# ' title, got {title!r}"


def _kernel_spec(folder):
    """A kernelspec running this interpreter; returns the JUPYTER_PATH to use."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": f"Python ({sys.executable})",
        "language": "python",
    }), encoding="utf-8")
    return str(folder)


@pytest.mark.slow
@pytest.mark.parametrize("path", SCRIPTS, ids=IDS)
def test_notebook_runs(path, tmp_path, monkeypatch):
    reason = ('the notebook tests need the notebooks extra: '
              'pip install "classical-vision[notebooks]"')
    jupytext = pytest.importorskip("jupytext", reason=reason)
    nbclient = pytest.importorskip("nbclient", reason=reason)
    pytest.importorskip("ipykernel", reason=reason)

    monkeypatch.setenv("JUPYTER_PATH", _kernel_spec(tmp_path / "jupyter"))
    # Under pytest-xdist several kernels run at once: share the cores between
    # them, or BLAS and OpenMP threads oversubscribe them (OpenBLAS then spins
    # and a logistic regression of 0.3 s took 5 s on 2 cores).
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    for variable in THREAD_VARIABLES:
        monkeypatch.setenv(variable, threads)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONWARNINGS", "ignore::DeprecationWarning")
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(
        notebook, kernel_name=KERNEL, timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}})  # files land in tmp_path
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - started
    print(f"{path.name}: {seconds:.1f} s on {os.cpu_count()} cores")
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors, f"{path.name}: cells raised {errors}"
