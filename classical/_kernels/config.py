"""One place for the Numba settings every kernel uses.

Kernels are declared as::

    @njit(cache=config.CACHE, fastmath=config.FASTMATH)

``FASTMATH`` allows the LLVM rewrites that do not change the meaning of NaN or
infinity (no ``nnan``/``ninf``), so kernels stay correct on such input.

``CACHE`` is True when a writable cache directory exists. Numba's default is a
``__pycache__`` folder beside the module, then the user's cache folder; on a
read-only install with an unwritable home both fail and Numba raises "no
locator available" while the module is imported. :func:`choose_cache_dir`
detects that case at import and points Numba at a writable folder instead (the
user cache, else the temporary folder). Only when no folder is writable does
``CACHE`` become False: kernels are then compiled in every process, with a
warning that says how to fix it.
"""

import os
import tempfile
import warnings
from pathlib import Path

import numba

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}  # Numba wants a set

_KERNEL_DIR = Path(__file__).resolve().parent


def _is_writable_dir(path):
    """Return True when ``path`` exists (or can be made) and accepts a new file."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):
            pass
    except OSError:
        return False
    return True


def _candidate_cache_dirs():
    """Yield the folders to try, most persistent first."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        yield Path(xdg) / "classical" / "numba"
    try:
        yield Path.home() / ".cache" / "classical" / "numba"
    except RuntimeError:  # no home directory can be determined
        pass
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    yield Path(tempfile.gettempdir()) / f"classical-numba-{uid}"


def choose_cache_dir():
    """Make sure Numba has a writable cache folder and say whether caching is on.

    Returns
    -------
    cache : bool
        True when compiled kernels can be cached on disk.
    """
    if os.environ.get("NUMBA_CACHE_DIR") or numba.config.CACHE_DIR:
        return True
    if _is_writable_dir(_KERNEL_DIR / "__pycache__"):
        return True
    for candidate in _candidate_cache_dirs():
        if _is_writable_dir(candidate):
            numba.config.CACHE_DIR = str(candidate)
            return True
    warnings.warn(
        "classical found no writable folder for Numba's compiled-kernel cache, so "
        "kernels are compiled again in every process. Set NUMBA_CACHE_DIR to a "
        "writable folder to cache them.",
        RuntimeWarning,
        stacklevel=2,
    )
    return False


CACHE = choose_cache_dir()
