"""Imports run one way: the layering rules of DESIGN.md, checked on the source.

Every module of the package is parsed (nothing is imported) and each of its
imports, lazy ones inside functions included, resolved to an absolute module
name and the names taken from it.
"""

import ast
from pathlib import Path

import pytest

import classical

ROOT = Path(classical.__file__).parent

SHARED = {"utils", "_kernels", "_local_features"}
"""Bottom layers any part may import, private modules and names included."""

APART = ("descriptors", "encoders")
"""Neither of these imports the other: both meet in ``_local_features``."""


def _module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """``(line, module, names)`` for every import of the file at ``path``."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield node.lineno, module, [alias.name for alias in node.names]


def _part(module):
    """The part of the library a module belongs to: its first component."""
    parts = module.split(".")
    return parts[1] if parts[0] == "classical" and len(parts) > 1 else None


def _violations(path, module, names):
    """The rules ``module``'s import of ``names`` breaks, seen from ``path``."""
    own, other = _part(_module_name(path)), _part(module)
    if other is None or other == own or other in SHARED:
        return []
    found = []
    if own in APART and other in APART:
        found.append(f"{own} imports {other} ({module})")
    inner = module.split(".")[2:]
    private = [p for p in inner if p.startswith("_")]
    private += [n for n in names if n.startswith("_") and not n.endswith("__")]
    if private:
        found.append(f"private name(s) {private} of classical.{other} "
                     f"imported from {module}")
    return found


def _all_violations():
    for path in sorted(ROOT.rglob("*.py")):
        for line, module, names in _imports(path):
            for problem in _violations(path, module, names):
                yield f"{path.relative_to(ROOT.parent)}:{line}: {problem}"


def test_layering_rules_hold():
    violations = list(_all_violations())
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("source, module, names, expected", [
    ("descriptors/_x.py", "classical.encoders", ["VLADEncoder"], "imports encoders"),
    ("encoders/_x.py", "classical.descriptors._sift", ["sift"], "imports descriptors"),
    ("encoders/_x.py", "classical.descriptors", ["LocalFeatures"],
     "imports descriptors"),
    ("classifiers/_x.py", "classical.preprocess._color", ["GRAY"], "private name"),
    ("classifiers/_x.py", "classical.preprocess", ["_helper"], "private name"),
])
def test_rules_catch_what_they_forbid(source, module, names, expected):
    assert any(expected in v for v in _violations(ROOT / source, module, names))


@pytest.mark.parametrize("source, module, names", [
    ("descriptors/_x.py", "classical._local_features", ["as_ragged"]),
    ("encoders/_x.py", "classical.utils._docstring", ["Substitution"]),
    ("encoders/_x.py", "classical._kernels.vlad", ["vlad_batch"]),
    ("encoders/_x.py", "classical.encoders._base", ["_private"]),
    ("presets.py", "classical.encoders", ["VLADEncoder"]),
])
def test_rules_allow_the_permitted(source, module, names):
    assert _violations(ROOT / source, module, names) == []


def test_relative_imports_are_resolved():
    imports = {module for _, module, _ in _imports(ROOT / "encoders" / "_vlad.py")}
    assert {"classical._local_features", "classical.encoders._base"} <= imports
