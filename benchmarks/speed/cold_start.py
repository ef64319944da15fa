"""Cold start: import plus the first call of each extractor in a new process.

The first process compiles the kernels and fills Numba's cache; a second
process should then load them from the cache. A command-line user pays the
second figure on every run, so it must stay under a second.
"""

import subprocess
import sys
import time

from .._timing import SPEED_COLUMNS, markdown_table

_SCRIPT = """
import numpy as np
from classical.descriptors import (ColorHistogramExtractor, HOGExtractor,
                                   LBPExtractor, PixelRuleFeatures)
images = [np.zeros((64, 64, 3), np.uint8)]
for extractor in (HOGExtractor(), LBPExtractor(), ColorHistogramExtractor(),
                  PixelRuleFeatures()):
    extractor.fit_transform(images)
"""


def _seconds_for_new_process():
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _SCRIPT], check=True)
    return time.perf_counter() - start


def _seconds_for_bare_import():
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy, sklearn, skimage, numba"],
                   check=True)
    return time.perf_counter() - start


def run(quick=False):
    """Time a process that fills the cache, then one that reads it."""
    first = _seconds_for_new_process()
    cached = min(_seconds_for_new_process() for _ in range(3))
    bare = min(_seconds_for_bare_import() for _ in range(3))
    return [{
        "work": "new process: import + first call of 4 extractors (cached kernels)",
        "unit": "s", "ours": cached, "peer": "import numpy+sklearn+skimage+numba",
        "peer throughput": bare, "ratio": bare / cached,
        "ours first call s": first,
    }]


if __name__ == "__main__":
    print(markdown_table(run(), SPEED_COLUMNS))
