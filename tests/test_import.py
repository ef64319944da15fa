"""``import classical`` is cheap and reaches every subpackage on first use."""

import subprocess
import sys
import textwrap

import pytest

import classical

SUBPACKAGES = ["classifiers", "datasets", "deep", "descriptors", "encoders",
               "evaluation", "geo", "preprocess", "utils"]
SHORTCUTS = {"make_pipeline": "presets", "list_pipelines": "presets",
             "evaluate": "evaluation", "Report": "evaluation",
             "save": "persistence", "load": "persistence"}


def _run_fresh(code):
    """Run ``code`` in a new interpreter, so no earlier import helps it."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_subpackage_function_works_after_plain_import(tmp_path):
    from PIL import Image

    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        Image.new("RGB", (8, 6), (10, 20, 30)).save(tmp_path / label / "x.png")
    out = _run_fresh(f"""
        import sys
        import classical
        assert "classical.datasets" not in sys.modules
        dataset = classical.datasets.load_folder({str(tmp_path)!r})
        print(len(dataset.images), sorted(map(str, set(dataset.labels))),
              dataset.images[0].shape)
    """)
    assert out.split() == ["2", "['a',", "'b']", "(6,", "8,", "3)"]


def test_plain_import_loads_no_subpackage_nor_scikit_learn():
    out = _run_fresh("""
        import sys
        import classical
        loaded = sorted(name for name in sys.modules
                        if name.startswith("classical.") or name == "sklearn")
        print(loaded)
    """)
    assert out.strip() == "['classical._version']"


@pytest.mark.parametrize("name, module", sorted(SHORTCUTS.items()))
def test_shortcuts_are_the_submodule_objects(name, module):
    submodule = getattr(classical, module)
    assert getattr(classical, name) is getattr(submodule, name)
    assert name in classical.__all__


def test_from_import_of_shortcuts_in_a_fresh_interpreter():
    out = _run_fresh("""
        from classical import Report, evaluate, make_pipeline
        print(evaluate([0, 1], [0, 1]).accuracy, Report.__name__,
              callable(make_pipeline))
    """)
    assert out.split() == ["1.0", "Report", "True"]


def test_dir_lists_subpackages_and_shortcuts():
    names = dir(classical)
    for name in [*SUBPACKAGES, *SHORTCUTS, "__version__"]:
        assert name in names
    assert set(classical.__all__) <= set(names)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_subpackage_is_reachable(name):
    assert getattr(classical, name).__name__ == f"classical.{name}"


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError,
                       match=r"module 'classical' has no attribute 'datasetz'; "
                             r"its public names are .*datasets"):
        _ = classical.datasetz
    assert not hasattr(classical, "no_such_thing")
