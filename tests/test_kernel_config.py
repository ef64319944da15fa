"""The kernel conventions, and Numba caching on a read-only install."""

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from classical._kernels import config

KERNEL_DIR = Path(config.__file__).parent
KERNEL_FILES = sorted(p for p in KERNEL_DIR.glob("*.py") if p.name != "config.py")


@pytest.mark.parametrize("path", KERNEL_FILES, ids=lambda p: p.name)
def test_kernels_read_settings_from_config(path):
    source = path.read_text()
    assert not re.search(r"fastmath\s*=\s*(True|\{|\[|\")", source), (
        f"{path.name} hard-codes fastmath; use fastmath=config.FASTMATH")
    assert not re.search(r"cache\s*=\s*True", source), (
        f"{path.name} hard-codes cache=True; use cache=config.CACHE")
    for decorator in re.findall(r"@(?:numba\.)?njit\(([^)]*)\)", source):
        assert "cache=config.CACHE" in decorator
        assert "fastmath=config.FASTMATH" in decorator
    assert "sklearn" not in source, f"{path.name}: kernels must not use scikit-learn"


def test_fastmath_keeps_nan_and_inf_semantics():
    assert "nnan" not in config.FASTMATH and "ninf" not in config.FASTMATH
    assert "fast" not in config.FASTMATH


def test_cache_dir_falls_back_when_package_and_home_are_read_only(monkeypatch,
                                                                 tmp_path):
    writable = tmp_path / "tmp"
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(config.numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(config, "_is_writable_dir",
                        lambda path: str(path).startswith(str(writable)))
    monkeypatch.setattr(config.tempfile, "gettempdir", lambda: str(writable))
    assert config.choose_cache_dir() is True
    assert config.numba.config.CACHE_DIR.startswith(str(writable))


def test_cache_is_disabled_with_a_warning_when_nothing_is_writable(monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(config.numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(config, "_is_writable_dir", lambda path: False)
    with pytest.warns(RuntimeWarning, match="NUMBA_CACHE_DIR"):
        assert config.choose_cache_dir() is False


_RUN_A_KERNEL = """
import numpy as np
from classical.descriptors import HOGExtractor
X = [np.arange(32 * 32, dtype=np.uint8).reshape(32, 32)]
print(HOGExtractor().fit_transform(X).shape)
"""

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1


def _drop_permission_override():
    """In the child: root without CAP_DAC_OVERRIDE obeys the write bits."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _read_only_copy_of_the_package(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(KERNEL_DIR.parents[0], site / "classical",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    for path in [site, *site.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return site


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                    reason="drops a Linux capability of root to make files read-only")
def test_read_only_install_with_unwritable_home(tmp_path):
    """Numba alone fails here with "no locator available"; we cache in TMPDIR.

    (When no folder at all is writable the cache is switched off with a
    warning: see the monkeypatched test above; the system's /tmp cannot be
    made unwritable here.)
    """
    site = _read_only_copy_of_the_package(tmp_path)
    home = tmp_path / "home"
    home.mkdir(mode=0o555)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NUMBA_", "XDG_", "PYTHON"))}
    env.update(HOME=str(home), TMPDIR=str(temp), PYTHONPATH=str(site))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # preexec_fn and threads
        result = subprocess.run(
            [sys.executable, "-c", _RUN_A_KERNEL], env=env, capture_output=True,
            text=True, preexec_fn=_drop_permission_override, cwd=tmp_path,
            timeout=300)
    try:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().startswith("(1, ")
        assert list(temp.rglob("*.nbi")), "kernels were not cached in TMPDIR"
        assert not list(site.rglob("*.nbi"))
    finally:
        for path in [site, *site.rglob("*")]:
            path.chmod(0o755)
