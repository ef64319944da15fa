"""The kernel conventions, and Numba caching on a read-only install."""

import os
import re
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


def test_cache_dir_falls_back_when_package_and_home_are_read_only(monkeypatch, tmp_path):
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


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="needs root to run a child as an unprivileged user")
def test_import_and_compile_as_a_user_who_cannot_write_the_package(tmp_path):
    """As 'nobody', with an unwritable HOME: the package dir is read-only to it."""
    unwritable_home = tmp_path / "home"
    unwritable_home.mkdir(mode=0o555)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NUMBA_", "XDG_"))}
    env.update(HOME=str(unwritable_home),
               PYTHONPATH=str(KERNEL_DIR.parents[1]))

    def become_nobody():
        os.setgid(65534)
        os.setuid(65534)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # preexec_fn and threads
        result = subprocess.run(
            [sys.executable, "-c", _RUN_A_KERNEL], env=env, capture_output=True,
            text=True, preexec_fn=become_nobody, cwd=tmp_path, timeout=300)
    if "Permission denied" in result.stderr and "python" in result.stderr.lower():
        pytest.skip("the interpreter itself is not readable by 'nobody'")
    assert result.returncode == 0, result.stderr
    assert "no locator available" not in result.stderr
    assert result.stdout.strip().startswith("(1, ")
