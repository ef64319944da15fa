"""Local binary patterns: ours versus scikit-image.

The batch is 1000 random 64 x 64 uint8 images (``--quick``: 200), one stacked
array. Ours is ``LBPExtractor(P, R, method='uniform', n_jobs=-1).transform``,
the call a user makes (validation and stacking included): codes and
histogram in one parallel pass. The peer is what a user would otherwise
write: per image ``skimage.feature.local_binary_pattern(image, P, R,
'uniform')`` then ``np.bincount(codes, minlength=P + 2)``. Both give the same
histograms (tests/test_lbp.py). The last row (informational) is the
single-image function on one 512 x 512 image, codes only, one thread each.

Everything is warmed once, then ours and the peer are timed in turn, 7 rounds
(``--quick``: 5), and the medians compared: on a shared machine both see the
same load. The first-call column is the compile time: the first call in a
new process with an empty Numba cache (later processes load the compiled
kernels from the cache). Run ``python -m benchmarks.speed.lbp [--quick]``.
"""

import argparse

import numba
import numpy as np
from skimage.feature import local_binary_pattern as skimage_lbp

from classical.descriptors import LBPExtractor, local_binary_pattern

from .._timing import (
    SPEED_COLUMNS,
    alternating_medians,
    cold_process_seconds,
    markdown_table,
    random_uint8_images,
)

_FIRST_CALL = """
import time
import numpy as np
from classical.descriptors import LBPExtractor, local_binary_pattern
image = np.zeros((64, 64), np.uint8)
start = time.perf_counter()
{call}
print(time.perf_counter() - start)
"""


def first_call_seconds_cold(call):
    """Seconds of ``call`` (source text) in a new process with an empty cache."""
    return cold_process_seconds(_FIRST_CALL.format(call=call))


def skimage_histograms(images, P, R):
    """The peer: codes with scikit-image, then a bincount, image by image."""
    return [np.bincount(skimage_lbp(image, P, R, "uniform").astype(np.int64).ravel(),
                        minlength=P + 2) for image in images]


def run(quick=False):
    """Time ours and scikit-image; return rows with SPEED_COLUMNS keys."""
    n = 200 if quick else 1000
    rounds = 5 if quick else 7
    images = random_uint8_images(n, (64, 64))
    threads = numba.config.NUMBA_NUM_THREADS
    rows = []
    for P, R in ((8, 1), (24, 3)):
        extractor = LBPExtractor(P=P, R=R, method="uniform", n_jobs=-1).fit(images[:1])
        ours_s, peer_s = alternating_medians(
            [lambda e=extractor: e.transform(images),
             lambda p=P, r=R: skimage_histograms(images, p, r)], repeat=rounds)
        rows.append({
            "work": f"LBP P={P} R={R} uniform + histogram, {n} x 64x64 uint8, "
                    f"LBPExtractor(n_jobs=-1) on {threads} threads",
            "unit": "img/s", "ours": n / ours_s,
            "peer": "skimage local_binary_pattern + np.bincount, per image",
            "peer throughput": n / peer_s, "ratio": peer_s / ours_s,
            "ours first call s": first_call_seconds_cold(
                f"LBPExtractor(P={P}, R={R}, n_jobs=-1).fit_transform([image, image])"),
        })

    big = random_uint8_images(1, (512, 512))[0]
    ours_s, peer_s = alternating_medians(
        [lambda: local_binary_pattern(big, 8, 1, "uniform"),
         lambda: skimage_lbp(big, 8, 1, "uniform")], repeat=rounds)
    rows.append({
        "work": "local_binary_pattern P=8 R=1 uniform, one 512x512 uint8 image, "
                "codes only, 1 thread (informational)",
        "unit": "img/s", "ours": 1 / ours_s,
        "peer": "skimage local_binary_pattern",
        "peer throughput": 1 / peer_s, "ratio": peer_s / ours_s,
        "ours first call s": first_call_seconds_cold(
            "local_binary_pattern(image, 8, 1, 'uniform')"),
    })
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batch")
    print(markdown_table(run(quick=parser.parse_args().quick), SPEED_COLUMNS))
