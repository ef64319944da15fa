"""The gallery examples: laid out for sphinx-gallery, and each one runs to the end."""

import ast
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*/plot_*.py"))
IDS = [str(path.relative_to(EXAMPLES)) for path in SCRIPTS]


def test_examples_are_found():
    # Guards the parametrisation below: an empty glob would skip every run.
    assert EXAMPLES.is_dir(), f"no examples folder at {EXAMPLES}"
    assert len(SCRIPTS) >= 4, f"expected at least 4 examples, found {IDS}"


def test_gallery_layout():
    assert (EXAMPLES / "README.txt").is_file()
    missing = sorted({str(path.parent.relative_to(EXAMPLES)) for path in SCRIPTS
                      if not (path.parent / "README.txt").is_file()})
    assert not missing, f"example folders without a README.txt: {missing}"


@pytest.mark.parametrize("path", SCRIPTS, ids=IDS)
def test_example_header(path):
    """A module docstring titled with '=' lines at least as long as the title."""
    source = path.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source), clean=False)
    assert docstring, f"{path.name} has no module docstring"
    lines = [line.rstrip() for line in docstring.strip("\n").splitlines()]
    if set(lines[0]) == {"="}:  # optional overline
        lines = lines[1:]
    title, underline = lines[0], lines[1]
    assert title.strip(), f"{path.name}: the docstring must start with a title"
    assert set(underline) == {"="} and len(underline) >= len(title), (
        f"{path.name}: the title {title!r} must be underlined with at least "
        f"{len(title)} '=' characters"
    )
    assert len(lines) > 3, f"{path.name}: say what is shown and why under the title"
    assert "\n# %%" in source, f"{path.name} has no '# %%' cells"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*non-interactive.*:UserWarning")
@pytest.mark.parametrize("path", SCRIPTS, ids=IDS)
def test_example_runs(path, tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.close("all")
    monkeypatch.chdir(tmp_path)  # anything an example writes stays out of the repo
    try:
        runpy.run_path(str(path), run_name="__main__")
        assert plt.get_fignums(), f"{path.name} made no figure"
    finally:
        plt.close("all")
