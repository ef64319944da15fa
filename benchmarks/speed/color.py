"""Colour histograms: ours versus OpenCV's cvtColor + calcHist.

The batch is 1000 random 64 x 64 x 3 uint8 images (``--quick``: 200), one
stacked array. Ours is ``ColorHistogramExtractor(n_jobs=-1).transform(batch)``,
the call a user makes (validation and stacking included), and, on rows of
their own, the kernel alone on the already stacked batch and the extractor on
one thread (on a busy shared machine two threads can be slower than one). The
peer is what a user would otherwise write: per image ``cv2.cvtColor`` then
``cv2.calcHist`` with 8 bins per channel (OpenCV's 8-bit hue runs over
[0, 180)). The Lab rows are informational: OpenCV's 8-bit Lab is a scaled,
rounded approximation, ours is float64 and equal to scikit-image.

Each is warmed once, then ours and the peer are timed in alternation, 7 runs
each, and the medians are compared: on a shared machine both see the same
load. The first-call column is the compile time: the first ``transform``
in a new process with an empty Numba cache (a later process loads the
compiled kernels from the cache; see ``benchmarks.speed.cold_start``). Run ``python -m
benchmarks.speed.color [--quick]``.
"""

import argparse

import cv2
import numba
import numpy as np
from sklearn.base import clone

from classical._kernels import color as kernels
from classical.descriptors import ColorHistogramExtractor
from classical.descriptors._color import _hsv_uint8_tables
from classical.parallel import limit_threads

from .._timing import (
    SPEED_COLUMNS,
    alternating_medians,
    cold_process_seconds,
    markdown_table,
    random_uint8_images,
)

BINS = (8, 8, 8)
_COMPILE_SCRIPT = """
import time
import numpy as np
from classical.descriptors import ColorHistogramExtractor
images = np.zeros((2, 64, 64, 3), np.uint8)
start = time.perf_counter()
ColorHistogramExtractor(color_space={space!r}, n_jobs=-1).fit_transform(images)
print(time.perf_counter() - start)
"""


def compile_seconds(color_space):
    """First ``fit_transform`` in a new process whose Numba cache is empty."""
    return cold_process_seconds(_COMPILE_SCRIPT.format(space=color_space))


def opencv_histograms(images, code, ranges):
    """Per image: convert with OpenCV, then an 8x8x8 calcHist."""
    for image in images:
        converted = cv2.cvtColor(image, code)
        cv2.calcHist([converted], [0, 1, 2], None, list(BINS), ranges)


def hsv_kernel(pixels):
    """The HSV kernel alone on an already stacked ``(n, n_pixels, 3)`` batch."""
    tables = _hsv_uint8_tables(BINS, True)
    with limit_threads(-1):
        kernels.hsv_histogram_uint8(pixels, *tables, int(np.prod(BINS)), True, True)


def time_space(images, space, code, ranges):
    """Median seconds of ours, of OpenCV and, for HSV, of the kernel alone and
    of ours on one thread."""
    extractor = ColorHistogramExtractor(color_space=space, bins=BINS, n_jobs=-1)
    extractor.fit(images[:1])
    functions = [lambda: extractor.transform(images),
                 lambda: opencv_histograms(images, code, ranges)]
    if space == "hsv":
        pixels = images.reshape(len(images), -1, 3)
        one_thread = clone(extractor).set_params(n_jobs=1).fit(images[:1])
        functions += [lambda: hsv_kernel(pixels),
                      lambda: one_thread.transform(images)]
    return alternating_medians(functions)


def run(quick=False):
    """Time ours and OpenCV; return rows with SPEED_COLUMNS keys."""
    n = 200 if quick else 1000
    images = random_uint8_images(n, (64, 64, 3))
    threads = numba.config.NUMBA_NUM_THREADS
    rows = []
    cases = [
        ("hsv", cv2.COLOR_RGB2HSV, [0, 180, 0, 256, 0, 256]),
        ("lab", cv2.COLOR_RGB2Lab, [0, 256, 0, 256, 0, 256]),
    ]
    for space, code, ranges in cases:
        first = compile_seconds(space)
        ours_s, peer_s, *more = time_space(images, space, code, ranges)
        peer = f"cv2.cvtColor(RGB2{space.upper()}) + cv2.calcHist, per image"
        note = "" if space == "hsv" else " (informational)"
        rows.append({
            "work": f"{space.upper()} 8x8x8 joint histogram, {n} x 64x64x3 uint8, "
                    f"ColorHistogramExtractor(n_jobs=-1) on {threads} threads{note}",
            "unit": "img/s", "ours": n / ours_s, "peer": peer,
            "peer throughput": n / peer_s, "ratio": peer_s / ours_s,
            "ours first call s": first,
        })
        labels = [f"the same, kernel alone on the stacked batch ({threads} threads)",
                  "the same, ColorHistogramExtractor(n_jobs=1)"]
        for label, seconds in zip(labels, more):
            rows.append({
                "work": label, "unit": "img/s", "ours": n / seconds, "peer": peer,
                "peer throughput": n / peer_s, "ratio": peer_s / seconds,
                "ours first call s": float("nan"),
            })
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 images")
    print(markdown_table(run(quick=parser.parse_args().quick), SPEED_COLUMNS))
