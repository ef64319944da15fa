"""VLFeat as a speed peer, through ``cyvlfeat``: found when installed, one thread.

``cyvlfeat`` builds against Debian's VLFeat::

    apt-get install -y libvlfeat-dev
    pip install Cython numpy wheel
    pip install --no-build-isolation cyvlfeat

Without it the VLFeat rows are left out with a printed note. VLFeat's
OpenMP loops take ``vl_get_max_threads()`` threads; :func:`vlfeat_threads`
sets that through ``vl_set_num_threads``, looked up in the very library the
``cyvlfeat`` extension is linked to.
"""

import ctypes
import importlib
from contextlib import contextmanager

INSTALL = ("apt-get install -y libvlfeat-dev; pip install Cython numpy wheel; "
           "pip install --no-build-isolation cyvlfeat")


def import_vlfeat(module, topic):
    """``cyvlfeat.<module>``, or None (with a note) when cyvlfeat is absent."""
    try:
        return importlib.import_module(f"cyvlfeat.{module}")
    except ImportError:
        print(f"note: cyvlfeat is not installed, so the VLFeat {topic} row is "
              f"left out ({INSTALL})")
        return None


@contextmanager
def vlfeat_threads(n_threads):
    """Run the enclosed VLFeat calls on ``n_threads`` OpenMP threads, then restore."""
    extension = importlib.import_module("cyvlfeat.fisher.cyfisher")
    library = ctypes.CDLL(extension.__file__)  # symbols resolve in its libvl
    previous = library.vl_get_max_threads()
    library.vl_set_num_threads(n_threads)
    try:
        yield
    finally:
        library.vl_set_num_threads(previous)
