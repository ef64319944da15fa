"""Dense SIFT: ours versus OpenCV's SIFT descriptor on the same dense grid.

100 random uint8 grey images of 256 x 256 (``random_uint8_images``;
``--quick``: 20), one descriptor every 8 pixels from 16 x 16-pixel patches
(``bin_size=4``): 31 x 31 = 961 descriptors per image.

* Ours is ``DenseSIFTExtractor(n_jobs=-1).transform(batch)``: the call a user
  makes, validation, stacking and building the ``LocalFeatures`` included, on
  all Numba threads (2 on the reference machine). A second row gives
  ``n_jobs=1`` for a per-thread comparison.
* OpenCV is ``cv2.SIFT_create().compute(image, keypoints)`` per image, with
  keypoints of size 16 at our patch centres; OpenCV may use its own threads
  (``cv2.getNumThreads()`` is printed in the row). Its descriptor differs
  (Gaussian window about 3 times wider, trilinear votes over a rotated grid,
  Gaussian scale space built for every call), so it is a speed peer only.
  Being slow, it is timed on a tenth of the batch.

Each is warmed once, then timed as the median of 5 runs (OpenCV: 3). The
first-call column is the compile time: the first ``fit_transform`` in a new
process with an empty Numba cache.
Run ``python -m benchmarks.speed.dsift [--quick]``.
"""

import argparse

import cv2
import numba

from classical.descriptors._dense_sift import DenseSIFTExtractor, dense_sift

from .._timing import (
    SPEED_COLUMNS,
    cold_process_seconds,
    markdown_table,
    median_seconds,
    random_uint8_images,
)

REPEAT = 5
PEER_REPEAT = 3
STEP = 8
BIN_SIZE = 4
_COMPILE_SCRIPT = """
import time
import numpy as np
from classical.descriptors._dense_sift import DenseSIFTExtractor
images = np.zeros((2, {size}, {size}), np.uint8)
start = time.perf_counter()
DenseSIFTExtractor(n_jobs=-1).fit_transform(images)
print(time.perf_counter() - start)
"""


def compile_seconds(size):
    """First ``fit_transform`` in a new process whose Numba cache is empty."""
    return cold_process_seconds(_COMPILE_SCRIPT.format(size=size))


def run(quick=False):
    """Time ours and OpenCV; return rows with SPEED_COLUMNS keys."""
    n, size = (20, 256) if quick else (100, 256)
    images = random_uint8_images(n, (size, size))
    _, positions, _ = dense_sift(images[0], step=STEP, bin_size=BIN_SIZE)
    per_image = len(positions)
    first = compile_seconds(size)
    ours = {}
    for n_jobs in (-1, 1):
        extractor = DenseSIFTExtractor(step=STEP, bin_size=BIN_SIZE,
                                       n_jobs=n_jobs).fit(images[:1])
        seconds = median_seconds(lambda e=extractor: e.transform(images),
                                 repeat=REPEAT)
        ours[n_jobs] = n * per_image / seconds

    keypoints = [cv2.KeyPoint(float(x), float(y), 4 * BIN_SIZE) for x, y in positions]
    sift = cv2.SIFT_create()
    few = images[:max(n // 10, 2)]
    seconds = median_seconds(lambda: [sift.compute(im, keypoints) for im in few],
                             repeat=PEER_REPEAT)
    peer = len(few) * per_image / seconds
    peer_name = (f"cv2.SIFT_create().compute per image, same keypoints, size 16 "
                 f"(OpenCV {cv2.__version__}, cv2 threads {cv2.getNumThreads()})")
    threads = numba.config.NUMBA_NUM_THREADS
    work = (f"dense SIFT step {STEP}, 16x16 patches, {n} x {size}x{size} uint8 grey "
            f"({per_image} per image), DenseSIFTExtractor, ")
    rows = []
    for n_jobs, label in ((-1, f"n_jobs=-1 ({threads} threads)"),
                          (1, "n_jobs=1 (1 thread)")):
        rows.append({
            "work": work + label, "unit": "descriptors/s", "ours": ours[n_jobs],
            "peer": peer_name, "peer throughput": peer,
            "ratio": ours[n_jobs] / peer,
            "ours first call s": first if n_jobs == -1 else float("nan"),
        })
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batches")
    print(markdown_table(run(quick=parser.parse_args().quick), SPEED_COLUMNS))
