"""Gaussian maximum likelihood on a raster: ours versus scikit-learn's QDA.

A 2000 x 2000 six-band float32 raster (flattened to 4,000,000 x 6 pixels) is
classified into 8 classes by a model fitted on 4,000 labelled pixels. Ours is
``GaussianMLClassifier(n_jobs=-1).predict``; the peer is
``QuadraticDiscriminantAnalysis.predict`` with the same priors and the same
(unregularised) covariances, so both make the same decisions. QDA is timed
with BLAS on one thread and on all threads, and the faster is kept (on a busy
machine threaded BLAS can be much slower on these thin matrices). Both are
warmed once; ours is the median of 7 runs, QDA's of 3 because one run takes
seconds.
Peak extra memory is the resident-set growth during one ``predict``, for an
input of 96 MB. Run ``python -m benchmarks.speed.gaussian_ml [--quick]``.
"""

import argparse

import numpy as np
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from threadpoolctl import threadpool_limits

from classical.classifiers import GaussianMLClassifier

from .._timing import (
    SPEED_COLUMNS,
    first_call_seconds,
    markdown_table,
    median_seconds,
    peak_extra_bytes,
)

N_CLASSES = 8
N_BANDS = 6
TRAIN_PER_CLASS = 500


def make_raster(side, *, seed=0):
    """A float32 (side * side, 6) pixel array from 8 Gaussian classes, and a
    labelled training sample drawn from the same classes."""
    rng = np.random.default_rng(seed)
    means = rng.uniform(20.0, 200.0, size=(N_CLASSES, N_BANDS))  # digital numbers
    mixing = rng.normal(scale=8.0, size=(N_CLASSES, N_BANDS, N_BANDS))
    labels = rng.integers(0, N_CLASSES, size=side * side)
    pixels = np.empty((side * side, N_BANDS), dtype=np.float32)
    step = 1_000_000
    for start in range(0, len(pixels), step):
        chunk = labels[start:start + step]
        noise = rng.standard_normal((len(chunk), N_BANDS))
        pixels[start:start + step] = means[chunk] + np.einsum(
            "nij,nj->ni", mixing[chunk], noise)
    y_train = np.repeat(np.arange(N_CLASSES), TRAIN_PER_CLASS)
    noise = rng.standard_normal((len(y_train), N_BANDS))
    X_train = (means[y_train] + np.einsum("nij,nj->ni", mixing[y_train], noise))
    return pixels, X_train.astype(np.float32), y_train


def run(quick=False):
    """Time and measure both classifiers; return rows with SPEED_COLUMNS keys."""
    side = 500 if quick else 2000
    pixels, X_train, y_train = make_raster(side)
    megapixels = len(pixels) / 1e6
    ours = GaussianMLClassifier(priors="empirical", reg_param=0.0, n_jobs=-1)
    ours.fit(X_train, y_train)
    qda = QuadraticDiscriminantAnalysis().fit(X_train, y_train)

    first = first_call_seconds(lambda: ours.predict(pixels))
    ours_s = median_seconds(lambda: ours.predict(pixels), repeat=7)
    timings = {}
    for blas_threads in (1, None):
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            timings[blas_threads] = median_seconds(lambda: qda.predict(pixels),
                                                   repeat=3)
    qda_threads = min(timings, key=timings.get)
    qda_s = timings[qda_threads]
    labels, ours_bytes = peak_extra_bytes(lambda: ours.predict(pixels))
    with threadpool_limits(limits=qda_threads, user_api="blas"):
        qda_labels, qda_bytes = peak_extra_bytes(lambda: qda.predict(pixels))
    peer = ("sklearn QuadraticDiscriminantAnalysis.predict, BLAS on "
            f"{'1 thread' if qda_threads == 1 else 'all threads'}")
    agreement = np.mean(labels == qda_labels)

    work = (f"predict {side}x{side}x{N_BANDS} float32 raster, {N_CLASSES} classes, "
            f"n_jobs=-1 (labels agree with QDA on {agreement:.4%})")
    ours_mib, qda_mib = ours_bytes / 2**20, qda_bytes / 2**20
    return [
        {"work": work, "unit": "Mpx/s", "ours": megapixels / ours_s,
         "peer": peer, "peer throughput": megapixels / qda_s, "ratio": qda_s / ours_s,
         "ours first call s": first},
        {"work": f"peak extra memory of that predict (input {pixels.nbytes / 1e6:.0f}"
                 " MB; lower is better, ratio = ours / peer)",
         "unit": "MiB", "ours": ours_mib,
         "peer": peer, "peer throughput": qda_mib, "ratio": ours_mib / qda_mib,
         "ours first call s": float("nan")},
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 500 x 500 raster")
    print(markdown_table(run(quick=parser.parse_args().quick), SPEED_COLUMNS))
