"""HOG: ours versus OpenCV's HOGDescriptor and scikit-image's hog.

Two batches of random uint8 grey images (``random_uint8_images``): 1000 x
64 x 64 and 100 x 256 x 256 (``--quick``: 200 and 20). Every descriptor uses
8 x 8-pixel cells, 2 x 2-cell blocks sliding by one cell, 9 bins, L2-Hys.

* Ours is ``HOGExtractor(n_jobs=-1).transform(batch)``: the call a user makes,
  validation and stacking included, on all Numba threads (2 on the reference
  machine). A second row gives ``n_jobs=1`` for a per-thread comparison.
* OpenCV is ``cv2.HOGDescriptor(win, (16, 16), (8, 8), (8, 8), 9).compute``
  called per image, with the window the size of the image; OpenCV may use its
  own threads (``cv2.getNumThreads()`` is printed in the row). Its descriptor
  differs in detail (Gaussian block window, trilinear votes, signed-gradient
  input, another block order), so it is a speed peer only. OpenCV 5 moved
  ``HOGDescriptor`` out of the main package; when the installed ``cv2`` lacks
  it the rows say so and show no figures.
* scikit-image is ``skimage.feature.hog`` per image with the same parameters,
  which our output equals.
* A last row per size times the kernel alone on the stacked batch, to show
  what the extractor's validation, stacking and copying cost on small images.

Each is warmed once, then timed as the median of 5 runs (scikit-image, being
slow, on a tenth of the batch). The first-call column is the compile time:
the first ``fit_transform`` in a new process with an empty Numba cache (later
processes load the kernels from the cache, see ``benchmarks.speed.cold_start``).
Run ``python -m benchmarks.speed.hog [--quick]``.
"""

import argparse

import cv2
import numba
import numpy as np
from skimage.feature import hog as skimage_hog

from classical._kernels import hog as kernels
from classical.descriptors import HOGExtractor, hog
from classical.parallel import limit_threads

from .._timing import (
    SPEED_COLUMNS,
    cold_process_seconds,
    markdown_table,
    median_seconds,
    random_uint8_images,
)

REPEAT = 5
_COMPILE_SCRIPT = """
import time
import numpy as np
from classical.descriptors import HOGExtractor
images = np.zeros((2, {size}, {size}), np.uint8)
start = time.perf_counter()
HOGExtractor(n_jobs=-1).fit_transform(images)
print(time.perf_counter() - start)
"""


def compile_seconds(size):
    """First ``fit_transform`` in a new process whose Numba cache is empty."""
    return cold_process_seconds(_COMPILE_SCRIPT.format(size=size))


def opencv_descriptor(size):
    """OpenCV's HOG for a whole ``size`` x ``size`` window, or None if absent."""
    factory = getattr(cv2, "HOGDescriptor", None)
    if factory is None:
        return None
    return factory((size, size), (16, 16), (8, 8), (8, 8), 9)


def kernel_alone(images):
    """``hog_batch`` on the already stacked batch, all threads: no validation,
    stacking or copying into the output, which the extractor adds."""
    stack = images[..., np.newaxis]
    out = np.empty((len(images), hog(images[0]).size))
    with limit_threads(-1):
        kernels.hog_batch(stack, 8, 8, 2, 2, kernels.L2_HYS, False, False,
                          kernels.orientation_edges(9), numba.get_num_threads(), out)


def run(quick=False):
    """Time ours, OpenCV and scikit-image; return rows with SPEED_COLUMNS keys."""
    rows = []
    threads = numba.config.NUMBA_NUM_THREADS
    for n, size in ((200, 64), (20, 256)) if quick else ((1000, 64), (100, 256)):
        images = random_uint8_images(n, (size, size))
        first = compile_seconds(size)
        timings = {}
        for n_jobs in (-1, 1):
            extractor = HOGExtractor(n_jobs=n_jobs).fit(images[:1])
            timings[n_jobs] = median_seconds(
                lambda e=extractor, x=images: e.transform(x), repeat=REPEAT)
        timings["kernel"] = median_seconds(lambda x=images: kernel_alone(x),
                                           repeat=REPEAT)
        peers = []
        descriptor = opencv_descriptor(size)
        if descriptor is None:
            peers.append((f"cv2.HOGDescriptor: absent from OpenCV {cv2.__version__}",
                          float("nan")))
        else:
            seconds = median_seconds(
                lambda d=descriptor, x=images: [d.compute(im) for im in x],
                repeat=REPEAT)
            peers.append((f"cv2.HOGDescriptor.compute per image (OpenCV "
                          f"{cv2.__version__}, cv2 threads {cv2.getNumThreads()})",
                          n / seconds))
        few = images[:max(n // 10, 2)]
        seconds = median_seconds(
            lambda x=few: [skimage_hog(im, 9, (8, 8), (2, 2), "L2-Hys") for im in x],
            repeat=REPEAT)
        peers.append(("skimage.feature.hog per image", len(few) / seconds))
        work = (f"HOG 8x8 cells, 2x2 blocks, 9 bins, {n} x {size}x{size} uint8 grey, "
                "HOGExtractor, ")
        for n_jobs, label in ((-1, f"n_jobs=-1 ({threads} threads)"),
                              (1, "n_jobs=1 (1 thread)"),
                              ("kernel", f"kernel alone on the stacked batch "
                                         f"({threads} threads)")):
            ours = n / timings[n_jobs]
            for peer, peer_throughput in peers:
                if n_jobs != -1 and peer.startswith("skimage"):
                    continue
                rows.append({
                    "work": work + label, "unit": "img/s", "ours": ours,
                    "peer": peer, "peer throughput": peer_throughput,
                    "ratio": ours / peer_throughput,
                    "ours first call s": first if n_jobs == -1 else float("nan"),
                })
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batches")
    print(markdown_table(run(quick=parser.parse_args().quick), SPEED_COLUMNS))
