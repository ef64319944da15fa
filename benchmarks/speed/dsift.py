"""Dense SIFT: ours versus OpenCV's SIFT descriptor on the same dense grid.

Images: 100 real 256 x 256 grey aerial scenes from UC Merced
(``SHARED_DATA / "ucmerced"``, read with ``read_image(color="gray")``, taken
class after class in turn, only files of 256 x 256; ``--quick``: 20). Without
the shared data the run falls back to random uint8 images and says so.

* Default call: one descriptor every 8 pixels from 16 x 16-pixel patches
  (``bin_size=4``), 31 x 31 = 961 per image. Ours is
  ``DenseSIFTExtractor(n_jobs=...).transform(batch)``: the call a user makes,
  validation, stacking and building the ``LocalFeatures`` included; rows for
  all Numba threads (2 on the reference machine) and for one thread.
* OpenCV is ``cv2.SIFT_create().compute(image, keypoints)`` per image with
  keypoints at our patch centres. OpenCV's spatial bin is ``3 * size / 2``
  pixels wide (``SIFT_DESCR_SCL_FCTR * size / 2``), so keypoint size ``2 *
  bin_size / 3`` (8/3 for 4-pixel bins) describes the same 4 x 4 bins of 4
  pixels; its Gaussian-weighted, rotatable window then reaches about 14 pixels
  from the centre, against our 8. OpenCV's threads are set with
  ``cv2.setNumThreads`` to match ours in each row. OpenCV also builds its
  Gaussian scale space on every call (under 1 ms per image here).
* Content: the default call again on random-noise images, for both.
* Earlier peer: keypoint size 16, as this benchmark used before. That gives
  OpenCV bins of 24 pixels (a window about 36 times larger in area), which is
  why its throughput looked so low; kept for continuity only.
* VLFeat: the default call on one thread (``n_jobs=1``) against
  ``cyvlfeat.sift.dsift(image, step=8, size=4, fast=True,
  float_descriptors=True)`` per image (the image converted to float32 in the
  call), VLFeat's OpenMP held at one thread; the same 31 x 31 grid of
  16 x 16-pixel patches (VLFeat's centres sit 1.5 pixels up and left of
  ours, and its ``fast`` mode weights each patch with a piecewise-flat
  window rather than a Gaussian). Left out, with a note, when cyvlfeat is
  not installed.
* PHOW: ``bin_size=(4, 6, 8, 10)``, ``step=4``, ``magnification=6`` (the
  sizes and magnification of VLFeat's ``vl_phow``, with a step of 4 rather
  than its 2), 55 x 55 centres x 4 sizes = 12,100 descriptors per image; the
  peer computes keypoints of sizes ``2 s / 3`` for each bin size ``s`` at the
  same centres in one call.

Ours and OpenCV are warmed once, then timed in turn (``alternating_medians``)
so that load from other processes falls on both; OpenCV, being slower, runs
on a part of the batch. Throughput is descriptors per second. The first-call
column is the first ``fit_transform`` in a new process with an empty Numba
cache (compilation included).
Run ``python -m benchmarks.speed.dsift [--quick]``.
"""

import argparse

import cv2
import numba
import numpy as np

from classical.datasets._read import read_image
from classical.descriptors._dense_sift import DenseSIFTExtractor, dense_sift

from .._timing import (
    SHARED_DATA,
    SPEED_COLUMNS,
    alternating_medians,
    cold_process_seconds,
    markdown_table,
    random_uint8_images,
)
from ._vlfeat import import_vlfeat, vlfeat_threads

REPEAT = 5
SIDE = 256
DEFAULT = {"step": 8, "bin_size": 4}
PHOW = {"step": 4, "bin_size": (4, 6, 8, 10), "magnification": 6}
_COMPILE_SCRIPT = """
import time
import numpy as np
from classical.descriptors._dense_sift import DenseSIFTExtractor
images = np.zeros((2, {side}, {side}), np.uint8)
start = time.perf_counter()
DenseSIFTExtractor(n_jobs=-1, **{params}).fit_transform(images)
print(time.perf_counter() - start)
"""


def compile_seconds(params):
    """First ``fit_transform`` in a new process whose Numba cache is empty."""
    return cold_process_seconds(_COMPILE_SCRIPT.format(side=SIDE, params=params))


def ucmerced_gray(n, folder=SHARED_DATA / "ucmerced"):
    """``n`` grey 256 x 256 UC Merced images as a stack, or None without the data.

    Files are taken class after class in turn (the first file of every
    class, then the second, ...), skipping the few that are not 256 x 256.
    """
    if not folder.is_dir():
        return None
    classes = [sorted(c.iterdir()) for c in sorted(folder.iterdir()) if c.is_dir()]
    images = []
    for index in range(max(map(len, classes), default=0)):
        for files in classes:
            if index < len(files) and len(images) < n:
                image = read_image(files[index], color="gray")
                if image.shape == (SIDE, SIDE):
                    images.append(image)
    return np.stack(images) if len(images) == n else None


def _keypoints(positions, scales):
    """OpenCV keypoints whose spatial bins are ``scales`` pixels wide."""
    return [cv2.KeyPoint(float(x), float(y), 2.0 * float(s) / 3.0)
            for (x, y), s in zip(positions, scales)]


def _compare(images, params, n_jobs, cv2_threads, few, keypoint_size=None):
    """Descriptors per second of ours and of OpenCV on ``images``."""
    _, positions, scales = dense_sift(images[0], **params)
    if keypoint_size is None:
        keypoints = _keypoints(positions, scales)
    else:
        keypoints = [cv2.KeyPoint(float(x), float(y), keypoint_size)
                     for x, y in positions]
    extractor = DenseSIFTExtractor(n_jobs=n_jobs, **params).fit(images[:1])
    sift = cv2.SIFT_create()
    subset = images[:few]
    default_threads = cv2.getNumThreads()
    cv2.setNumThreads(cv2_threads)
    try:
        ours, peer = alternating_medians(
            [lambda: extractor.transform(images),
             lambda: [sift.compute(image, keypoints) for image in subset]],
            repeat=REPEAT)
    finally:
        cv2.setNumThreads(default_threads)
    return len(images) * len(positions) / ours, len(subset) * len(positions) / peer


def _compare_vlfeat(images, vlfeat):
    """Descriptors per second of ours and of VLFeat's fast dsift, one thread each."""
    extractor = DenseSIFTExtractor(n_jobs=1, **DEFAULT).fit(images[:1])

    def peer():
        return [vlfeat.dsift(image.astype(np.float32), step=DEFAULT["step"],
                             size=DEFAULT["bin_size"], fast=True,
                             float_descriptors=True)[1] for image in images]

    per_image = len(peer()[0])
    with vlfeat_threads(1):
        ours, theirs = alternating_medians(
            [lambda: extractor.transform(images), peer], repeat=REPEAT)
    return len(images) * per_image / ours, len(images) * per_image / theirs


def run(quick=False):
    """Time ours and OpenCV; return rows with SPEED_COLUMNS keys."""
    n = 20 if quick else 100
    images = ucmerced_gray(n)
    source = f"UC Merced grey {SIDE}x{SIDE}"
    if images is None:
        print(f"note: {SHARED_DATA / 'ucmerced'} not found; timing random uint8 "
              "images instead")
        images = random_uint8_images(n, (SIDE, SIDE))
        source = f"random uint8 {SIDE}x{SIDE}"
    noise = random_uint8_images(n, (SIDE, SIDE))
    threads = numba.config.NUMBA_NUM_THREADS
    per_image = len(dense_sift(images[0], **DEFAULT)[1])
    phow_per_image = len(dense_sift(images[0], **PHOW)[1])
    first = compile_seconds(DEFAULT)
    phow_first = compile_seconds(PHOW)
    few = max(n // 10, 2)
    cases = [
        (f"dense SIFT step 8, 16x16 patches, {n} x {source} ({per_image} per image),"
         f" n_jobs=-1 ({threads} threads)", images, DEFAULT, -1, threads, few, None,
         first),
        ("same, n_jobs=1 (1 thread)", images, DEFAULT, 1, 1, few, None, float("nan")),
        (f"same, {n} x random-noise uint8 images, n_jobs=-1", noise, DEFAULT, -1,
         threads, few, None, float("nan")),
        ("same as the first row, peer with the earlier keypoint size 16 (24-pixel "
         "bins)", images, DEFAULT, -1, threads, 2, 16.0, float("nan")),
        (f"PHOW: bin sizes 4, 6, 8, 10, step 4, magnification 6, grey, "
         f"{max(n // 5, 2)} x {source} ({phow_per_image} per image), n_jobs=-1",
         images[:max(n // 5, 2)], PHOW, -1, threads, 2, None, phow_first),
    ]
    rows = []
    for work, batch, params, n_jobs, cv2_threads, subset, size, first_call in cases:
        ours, peer = _compare(batch, params, n_jobs, cv2_threads, subset, size)
        bins = "bins of 3 * size / 2 = our bin size" if size is None else (
            f"size {size:g}")
        rows.append({
            "work": work, "unit": "descriptors/s", "ours": ours,
            "peer": (f"cv2.SIFT_create().compute per image, same centres, {bins} "
                     f"(OpenCV {cv2.__version__}, cv2 threads: {cv2_threads})"),
            "peer throughput": peer, "ratio": ours / peer,
            "ours first call s": first_call,
        })
    vlfeat = import_vlfeat("sift", "dense SIFT")
    if vlfeat is not None:
        ours, peer = _compare_vlfeat(images, vlfeat)
        rows.append({
            "work": (f"dense SIFT step 8, 16x16 patches, {n} x {source} "
                     f"({per_image} per image), n_jobs=1 (1 thread)"),
            "unit": "descriptors/s", "ours": ours,
            "peer": ("VLFeat dsift (cyvlfeat, fast=True, float descriptors), "
                     "1 OpenMP thread"),
            "peer throughput": peer, "ratio": ours / peer,
            "ours first call s": float("nan"),
        })
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batches")
    print(markdown_table(run(quick=parser.parse_args().quick), SPEED_COLUMNS))
