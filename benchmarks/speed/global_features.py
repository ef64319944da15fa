"""Feature extraction of whole presets on the 5,000 EuroSAT images.

Compares, in one run on the same images:

- the hand-written scikit-image + OpenCV script of ``benchmarks.accuracy.
  plain_baseline`` (HSV 8x8x8 histogram + uniform LBP(8, 1) + HOG 8x8 cells),
  parallelised over images with joblib as its author did;
- the same three descriptors computed by ``classical``'s kernels
  (:func:`plain_equivalent_features`), so the ratio is like for like;
- the ``global-svm`` preset's richer features (675 values: colour LBP at three
  scales, three colour spaces of histograms and moments, coarse HOG), against
  the plain script and against the same 675 features written by hand with
  OpenCV and scikit-image (:func:`hand_global_features`, joblib over images).

Both sides use the machine's two cores. Run ``python -m
benchmarks.speed.global_features [--quick]``; ``--memory N`` instead prints
the peak memory of the preset's feature extraction on the first ``N`` UC
Merced images, above the loaded images (run it for 1050 and 2100: it must not
grow with the count beyond the feature matrix).
"""

import argparse
import warnings

import cv2
import numpy as np
from joblib import Parallel, delayed
from skimage.color import rgb2gray
from skimage.feature import hog, local_binary_pattern
from sklearn.pipeline import FeatureUnion, Pipeline

import classical
from classical.datasets import load_folder
from classical.descriptors import ColorHistogramExtractor, HOGExtractor, LBPExtractor
from classical.preprocess import Grayscale

from .._timing import (
    SHARED_DATA,
    SPEED_COLUMNS,
    alternating_medians,
    first_call_seconds,
    markdown_table,
    peak_extra_bytes,
)
from ..accuracy import plain_baseline


def plain_equivalent_features(n_jobs=-1):
    """The plain script's three descriptors, built from the library's extractors."""
    return FeatureUnion([
        ("color", ColorHistogramExtractor(color_space="hsv", bins=(8, 8, 8),
                                          n_jobs=n_jobs)),
        ("texture", Pipeline([("gray", Grayscale()),
                              ("lbp", LBPExtractor(P=8, R=1, method="uniform",
                                                   n_jobs=n_jobs))])),
        ("shape", Pipeline([("gray", Grayscale()),
                            ("hog", HOGExtractor(pixels_per_cell=(8, 8),
                                                 cells_per_block=(2, 2),
                                                 n_jobs=n_jobs))])),
    ])


_LBP_PAIRS = ((8, 1), (16, 2), (24, 3))
_RANGES = {"rgb": [(0, 1)] * 3, "hsv": [(0, 1)] * 3,
           "lab": [(0, 100), (-128, 127), (-128, 127)]}


def _hand_image(image):
    """The 675 global-svm features of one RGB uint8 image, as a user writes them."""
    scaled = image.astype(np.float32) / 255
    hsv = cv2.cvtColor(scaled, cv2.COLOR_RGB2HSV)
    hsv[..., 0] /= 360  # OpenCV's float hue is in degrees
    spaces = {"rgb": scaled, "hsv": hsv, "lab": cv2.cvtColor(scaled, cv2.COLOR_RGB2Lab)}
    lbp = []
    for channels in (spaces["lab"], image):
        for k in range(3):
            for P, R in _LBP_PAIRS:
                with warnings.catch_warnings():  # float Lab: skimage warns of ties
                    warnings.simplefilter("ignore", UserWarning)
                    codes = local_binary_pattern(channels[..., k], P, R, "uniform")
                lbp.append(np.bincount(codes.astype(np.intp).ravel(),
                                       minlength=P + 2) / codes.size)
    histograms, moments = [], []
    for space, values in spaces.items():
        for k, (low, high) in enumerate(_RANGES[space]):
            channel = values[..., k].ravel()
            counts = np.histogram(channel, bins=32, range=(low, high))[0]
            histograms.append(counts / channel.size)
            mean = channel.mean(dtype=np.float64)
            moments.append([mean, channel.std(dtype=np.float64),
                            np.cbrt(((channel - mean) ** 3).mean())])
    grey = rgb2gray(cv2.resize(image, (64, 64), interpolation=cv2.INTER_AREA))
    shape = hog(grey, orientations=9, pixels_per_cell=(32, 32), cells_per_block=(2, 2),
                block_norm="L2-Hys")
    return np.concatenate([np.sqrt(np.concatenate(lbp + histograms)),
                           np.ravel(moments), shape])


def hand_global_features(images, n_jobs=-1):
    """The 675 features by hand: OpenCV colour spaces, scikit-image LBP and HOG,
    NumPy histograms and moments, joblib over images."""
    rows = Parallel(n_jobs=n_jobs, batch_size=64)(
        delayed(_hand_image)(image) for image in images)
    return np.asarray(rows)


def global_svm_features(n_jobs=-1):
    """The ``global-svm`` preset's feature union, on ``n_jobs`` threads."""
    return classical.make_pipeline("global-svm", n_jobs=n_jobs).named_steps["features"]


def run(quick=False):
    """Time the extractions, ours and the peers alternately; ratios are peer / ours."""
    images = load_folder(SHARED_DATA / "eurosat_rgb").images
    if quick:
        images = images[:1000]
    images = np.stack(images)
    n = len(images)
    plain_peer = "plain skimage+OpenCV script (joblib, 2 workers)"
    hand_peer = "same 675 features by hand: cv2 + skimage + joblib (2 workers)"
    cases = [
        ("plain script's features via classical kernels", plain_equivalent_features,
         plain_peer, lambda: plain_baseline.extract(list(images))),
        ("global-svm preset features (675 values)", global_svm_features,
         plain_peer, lambda: plain_baseline.extract(list(images))),
        ("global-svm preset features (675 values)", global_svm_features,
         hand_peer, lambda: hand_global_features(list(images))),
    ]
    rows = []
    for work, build, peer_name, peer in cases:
        cold = first_call_seconds(lambda b=build: b().fit_transform(images[:8]))
        ours_s, peer_s = alternating_medians(
            [lambda b=build: b().fit_transform(images), peer], repeat=3)
        rows.append({
            "work": f"{work}, {n} EuroSAT 64x64 RGB", "unit": "img/s",
            "ours": n / ours_s, "peer": peer_name, "peer throughput": n / peer_s,
            "ratio": peer_s / ours_s, "ours first call s": cold,
        })
    return rows


def peak_memory(n_images):
    """Peak MB above the loaded images while global-svm's features describe
    the first ``n_images`` UC Merced images, and the feature matrix's MB."""
    images = load_folder(SHARED_DATA / "ucmerced").images[:n_images]
    global_svm_features().fit_transform(images[:4])  # compile first
    features, peak = peak_extra_bytes(
        lambda: global_svm_features().fit_transform(images))
    return peak / 2**20, features.nbytes / 2**20


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1000 images")
    parser.add_argument("--memory", type=int, metavar="N",
                        help="peak memory on N UC Merced images instead")
    args = parser.parse_args()
    if args.memory:
        peak_mb, features_mb = peak_memory(args.memory)
        print(f"{args.memory} UC Merced images: peak {peak_mb:.0f} MB above the "
              f"loaded images, of which the features are {features_mb:.0f} MB")
    else:
        print(markdown_table(run(quick=args.quick), SPEED_COLUMNS))
