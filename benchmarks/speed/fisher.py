"""Fisher vectors: ours versus VLFeat's ``vl_fisher`` and scikit-image, one thread.

Descriptors: dense grey SIFT of 300 UC Merced scenes (step 8, 4-pixel bins,
961 per image; ``DenseSIFTExtractor``), RootSIFT + PCA to 64 dimensions
(``LocalPCA(root=True)``, as in the presets), then 500 drawn at random from
each image (``--quick``: 60 images). A diagonal mixture of K = 64 Gaussians
is fitted once with ``FisherVectorEncoder(n_components=64,
sample_size=20_000)``. Without the shared data the run falls back to
descriptors drawn from a random 64-component mixture and says so.

* Ours is ``FisherVectorEncoder(n_jobs=1).transform(sets)`` with the fitted
  mixture on a list of float32 ``(500, 64)`` arrays: the call a user makes,
  validation included; one Numba thread, BLAS held at one thread; improved
  Fisher vector (signed square root, then L2).
* VLFeat is ``cyvlfeat.fisher.fisher(x, means, covariances, priors,
  improved=True)`` per image, float32 (cyvlfeat's only type), on one OpenMP
  thread (``vl_set_num_threads(1)``). The row gives the largest absolute and
  the median relative difference between the two encodings.
* scikit-image is ``skimage.feature.fisher_vector(x, gmm, improved=True)`` per
  image, float64, BLAS on one thread, with a ``GaussianMixture`` holding the
  same parameters (its vector also has the K weight gradients).

Ours and each peer are warmed once, then timed in turn
(``alternating_medians``) so that load from other processes falls on both.
Throughput is descriptors per second. The first-call column is ours on a tiny
batch in a new process with an empty Numba cache (compilation included).
Run ``python -m benchmarks.speed.fisher [--quick]``.
"""

import argparse

import numpy as np
from skimage.feature import fisher_vector as skimage_fisher_vector
from sklearn.mixture import GaussianMixture

from classical.descriptors import DenseSIFTExtractor, LocalPCA
from classical.encoders import FisherVectorEncoder
from classical.parallel import limit_threads

from .._timing import (
    SHARED_DATA,
    SPEED_COLUMNS,
    alternating_medians,
    markdown_table,
)
from ._vlfeat import import_vlfeat, vlfeat_threads
from .dsift import ucmerced_gray
from .vlad import encoder_first_call_seconds

REPEAT = 5
N_COMPONENTS = 64
DIM = 64
PER_IMAGE = 500


def _synthetic_sets(n_images, rng):
    """Descriptors drawn from a random diagonal mixture, when there is no data."""
    means = rng.normal(size=(N_COMPONENTS, DIM))
    sigmas = np.sqrt(rng.random((N_COMPONENTS, DIM)) + 0.2)
    picks = rng.integers(0, N_COMPONENTS, (n_images, PER_IMAGE))
    noise = rng.normal(size=(n_images, PER_IMAGE, DIM))
    return list((means[picks] + noise * sigmas[picks]).astype(np.float32))


def descriptor_sets(n_images, *, seed=0):
    """``n_images`` float32 sets of 500 RootSIFT-PCA descriptors, and their source."""
    rng = np.random.default_rng(seed)
    images = ucmerced_gray(n_images)
    if images is None:
        print(f"note: {SHARED_DATA / 'ucmerced'} not found; timing descriptors "
              "drawn from a random mixture instead")
        return _synthetic_sets(n_images, rng), "random mixture"
    features = DenseSIFTExtractor(n_jobs=-1).fit_transform(images)
    reduced = LocalPCA(n_components=DIM, root=True, random_state=seed).fit_transform(
        features)
    sets = []
    for start, stop in zip(reduced.offsets[:-1], reduced.offsets[1:]):
        rows = np.sort(rng.choice(np.arange(start, stop), PER_IMAGE, replace=False))
        sets.append(np.ascontiguousarray(reduced.descriptors[rows], dtype=np.float32))
    return sets, "UC Merced grey dense SIFT, RootSIFT + PCA"


def _skimage_mixture(encoder):
    """A scikit-learn ``GaussianMixture`` holding the encoder's parameters."""
    gmm = GaussianMixture(n_components=N_COMPONENTS, covariance_type="diag")
    gmm.weights_ = encoder.weights_
    gmm.means_ = encoder.means_
    gmm.covariances_ = encoder.variances_
    gmm.precisions_cholesky_ = 1.0 / np.sqrt(encoder.variances_)
    return gmm


def run(quick=False):
    """Time ours and the peers; return rows with SPEED_COLUMNS keys."""
    n_images = 60 if quick else 300
    sets, source = descriptor_sets(n_images)
    n = len(sets) * PER_IMAGE
    encoder = FisherVectorEncoder(n_components=N_COMPONENTS, sample_size=20_000,
                                  random_state=0, n_jobs=-1).fit(sets)
    ours = encoder.set_params(n_jobs=1)  # keeps the fitted mixture
    first = encoder_first_call_seconds(
        "from classical.encoders import FisherVectorEncoder",
        "encoder = FisherVectorEncoder(n_components=2, random_state=0).fit(sets)")
    work = (f"Fisher vectors, K={N_COMPONENTS}, d={DIM}, {len(sets)} images x "
            f"{PER_IMAGE} descriptors ({source}), power+l2, n_jobs=1 (1 thread)")
    gmm32 = [np.asarray(a, np.float32)
             for a in (encoder.means_, encoder.variances_, encoder.weights_)]
    rows = []
    vlfeat = import_vlfeat("fisher", "Fisher vector")
    if vlfeat is not None:
        def vl_fisher():
            return np.stack([vlfeat.fisher(x, *gmm32, improved=True) for x in sets])

        with vlfeat_threads(1):
            ours_seconds, peer_seconds = alternating_medians(
                [lambda: ours.transform(sets), vl_fisher], repeat=REPEAT)
            difference = np.abs(ours.transform(sets) - vl_fisher())
        encoded = np.abs(ours.transform(sets))
        median = np.median(difference[encoded > 0] / encoded[encoded > 0])
        rows.append({
            "work": (f"{work}; largest difference {difference.max():.1e}, median "
                     f"relative {median:.1e}"),
            "unit": "descriptors/s", "ours": n / ours_seconds,
            "peer": ("VLFeat vl_fisher (cyvlfeat fisher, improved=True), float32, "
                     "1 OpenMP thread"),
            "peer throughput": n / peer_seconds, "ratio": peer_seconds / ours_seconds,
            "ours first call s": first})
    gmm = _skimage_mixture(encoder)

    def skimage_fisher():
        with limit_threads(1, blas=1):
            return [skimage_fisher_vector(x.astype(np.float64), gmm, improved=True)
                    for x in sets]

    ours_seconds, peer_seconds = alternating_medians(
        [lambda: ours.transform(sets), skimage_fisher], repeat=REPEAT)
    rows.append({
        "work": work, "unit": "descriptors/s", "ours": n / ours_seconds,
        "peer": "skimage.feature.fisher_vector(improved=True), float64, BLAS 1 thread",
        "peer throughput": n / peer_seconds, "ratio": peer_seconds / ours_seconds,
        "ours first call s": first})
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batches")
    print(markdown_table(run(quick=parser.parse_args().quick), SPEED_COLUMNS))
