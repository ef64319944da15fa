"""VLAD and vocabulary fitting: ours versus plain NumPy and scikit-learn.

Synthetic float32 descriptors of length 128, drawn around 512 random centres
(so that k-means has structure to find); 1000 images of 200 descriptors each
(``--quick``: 200 images), encoded into 256 words with intra, signed
square-root and L2 normalisation.

* Ours is ``VLADEncoder(vocabulary=..., n_jobs=-1).transform(sets)`` on a list
  of per-image arrays: the call a user makes, validation and stacking
  included, on all Numba threads. Each thread takes its images 256
  descriptors at a time, gets their cross terms with the words from one
  single-threaded float32 BLAS product (``words @ block.T``), picks the
  nearest words with a loop that vectorises across the block's descriptors
  (``||x||^2`` skipped) and adds the residuals into the image's row.
* The NumPy VLAD peer stacks the batch, computes every squared distance as
  ``||x||^2 - 2 X W^T + ||w||^2`` (one float32 GEMM), takes ``argmin``, adds
  the residuals with ``np.add.at`` and normalises with array operations.
* The assignment-alone peer is that GEMM and ``argmin`` only: the floor a
  NumPy user pays before any residual is summed.
* VLFeat: ours on one thread (``n_jobs=1``) against that NumPy assignment of
  the stacked batch followed by ``cyvlfeat.vlad.vlad(x, words, assignments,
  normalize_components=True, square_root=True)`` (``vl_vlad_encode``, the
  same three normalisations in the same order) per image, given its one-hot
  float32 assignment matrix; BLAS and VLFeat's OpenMP on one thread. The
  row gives the largest difference between the two sets of unnormalised
  residual sums, relative to their largest entry (the signed square root
  magnifies float32 rounding in entries near zero, so the normalised
  encodings differ more). Left out, with a note, when cyvlfeat is not
  installed.
* The vocabulary row fits 256 words on 200,000 descriptors (``--quick``:
  50,000): ``VisualVocabulary(n_words=256)`` (k-means++ seeding on 10,240
  descriptors, then Lloyd's ``KMeans`` on a 100,000-descriptor sample) versus
  ``MiniBatchKMeans(n_clusters=256)`` on all of them, each timed once after
  a warm-up; both quantisation errors (mean squared distance to the nearest
  word over all descriptors) are given in the row.

Throughputs are descriptors per second, median of 5 runs after one warm-up.
The first-call column is ``VLADEncoder.transform`` on a tiny batch in a new
process with an empty Numba cache (JIT compile included).
Run ``python -m benchmarks.speed.vlad [--quick]``.
"""

import argparse

import numba
import numpy as np
from sklearn.cluster import MiniBatchKMeans

from classical._kernels import assign
from classical.encoders._base import kernel_threads
from classical.encoders._vlad import VLADEncoder
from classical.encoders._vocabulary import VisualVocabulary
from classical.parallel import limit_threads

from .._timing import (
    SPEED_COLUMNS,
    alternating_medians,
    cold_process_seconds,
    markdown_table,
    median_seconds,
)
from ._vlfeat import import_vlfeat, vlfeat_threads

REPEAT = 5
DIM = 128
N_WORDS = 256
_COMPILE_SCRIPT = """
import time
import numpy as np
{imports}
rng = np.random.default_rng(0)
sets = [rng.random((20, 8), dtype=np.float32) for _ in range(3)]
{setup}
start = time.perf_counter()
encoder.transform(sets)
print(time.perf_counter() - start)
"""


def encoder_first_call_seconds(imports, setup):
    """First ``encoder.transform`` of three tiny sets, in a process with no cache.

    ``setup`` fits ``encoder`` on ``sets`` with what ``imports`` brings in.
    """
    return cold_process_seconds(_COMPILE_SCRIPT.format(imports=imports, setup=setup))


def synthetic_descriptors(n, *, seed=0):
    """``n`` float32 descriptors of length 128 around 512 random centres."""
    rng = np.random.default_rng(seed)
    centres = rng.random((512, DIM), dtype=np.float32)
    picks = rng.integers(0, len(centres), n)
    noise = rng.normal(scale=0.1, size=(n, DIM)).astype(np.float32)
    return centres[picks] + noise


def assign_numpy(x, words):
    """GEMM + argmin: nearest word of each row of ``x``."""
    scores = (words * words).sum(axis=1) - 2.0 * (x @ words.T)
    return scores.argmin(axis=1)


def vlad_numpy(sets, words):
    """Plain NumPy VLAD with intra, signed square-root and L2 normalisation."""
    x = np.concatenate(sets)
    labels = assign_numpy(x, words)
    images = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    out = np.zeros((len(sets), *words.shape))
    np.add.at(out, (images, labels), (x - words[labels]).astype(np.float64))
    norms = np.linalg.norm(out, axis=2, keepdims=True)
    out = out / np.where(norms > 0, norms, 1.0)
    out = (np.sign(out) * np.sqrt(np.abs(out))).reshape(len(sets), -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def vlad_vlfeat(sets, words, vlfeat, normalized=True):
    """NumPy assignment of the stacked batch, then VLFeat's VLAD per image.

    ``normalized=False`` gives VLFeat's raw residual sums.
    """
    labels = np.split(assign_numpy(np.concatenate(sets), words),
                      np.cumsum([len(x) for x in sets])[:-1])
    one_hot = np.eye(len(words), dtype=np.float32)
    flags = ({"square_root": True, "normalize_components": True} if normalized
             else {"unnormalized": True})
    return np.stack([vlfeat.vlad(x, words, one_hot[assigned], **flags)
                     for x, assigned in zip(sets, labels)])


def _vlfeat_row(sets, vocabulary, work):
    """Ours and NumPy assignment + VLFeat's VLAD, one thread each; or None."""
    vlfeat = import_vlfeat("vlad", "VLAD")
    if vlfeat is None:
        return None
    encoder = VLADEncoder(vocabulary=vocabulary, n_jobs=1).fit(sets[:1])
    words = np.asarray(vocabulary.words_, dtype=np.float32)
    with limit_threads(1, blas=1), vlfeat_threads(1):
        ours, peer = alternating_medians(
            [lambda: encoder.transform(sets), lambda: vlad_vlfeat(sets, words, vlfeat)],
            repeat=REPEAT)
        sums = encoder.set_params(normalize=None).transform(sets)
        difference = np.abs(sums - vlad_vlfeat(sets, words, vlfeat, normalized=False))
    n = sum(len(x) for x in sets)
    return {"work": (f"{work}; residual sums equal to "
                     f"{difference.max() / np.abs(sums).max():.1e} of the largest"),
            "unit": "descriptors/s", "ours": n / ours,
            "peer": ("NumPy GEMM + argmin assignment, then VLFeat vl_vlad_encode "
                     "(cyvlfeat vlad) per image, 1 OpenMP thread, BLAS 1 thread"),
            "peer throughput": n / peer, "ratio": peer / ours,
            "ours first call s": float("nan")}


def quantisation_error(x, words):
    """Mean squared distance of each row of ``x`` to its nearest word."""
    words = np.ascontiguousarray(words, dtype=x.dtype)
    with kernel_threads(-1):
        distances = assign.nearest_words(x, words, assign.squared_norms(words))[1]
    return float(distances.mean())


def run(quick=False):
    """Time ours and the peers; return rows with SPEED_COLUMNS keys."""
    threads = numba.config.NUMBA_NUM_THREADS
    n_images, per_image = (200, 200) if quick else (1000, 200)
    x = synthetic_descriptors(n_images * per_image)
    sets = np.split(x, n_images)
    n = len(x)
    vocabulary = VisualVocabulary(n_words=N_WORDS, sample_size=50_000, max_iter=20,
                                  random_state=0).fit(x)
    words = vocabulary.words_
    encoder = VLADEncoder(vocabulary=vocabulary, n_jobs=-1).fit(sets[:1])
    np.testing.assert_allclose(encoder.transform(sets[:50]),
                               vlad_numpy(sets[:50], words), atol=1e-4)
    first = encoder_first_call_seconds(
        "from classical.encoders import VisualVocabulary, VLADEncoder",
        "vocabulary = VisualVocabulary(n_words=4, random_state=0).fit(sets)\n"
        "encoder = VLADEncoder(vocabulary=vocabulary, n_jobs=-1).fit(sets)")
    ours = n / median_seconds(lambda: encoder.transform(sets), repeat=REPEAT)
    work = (f"VLAD, {n_images} images x {per_image} x {DIM}-d float32 into "
            f"{N_WORDS} words, intra+power+l2, VLADEncoder n_jobs=-1 "
            f"({threads} threads)")
    rows = []
    for peer, function in (
            ("plain NumPy VLAD (GEMM + argmin + np.add.at)",
             lambda: vlad_numpy(sets, words)),
            ("NumPy GEMM + argmin assignment alone",
             lambda: assign_numpy(np.concatenate(sets), words))):
        peer_throughput = n / median_seconds(function, repeat=REPEAT)
        rows.append({"work": work, "unit": "descriptors/s", "ours": ours,
                     "peer": peer, "peer throughput": peer_throughput,
                     "ratio": ours / peer_throughput, "ours first call s": first})
    vlfeat_row = _vlfeat_row(sets, vocabulary, work.replace(
        f"n_jobs=-1 ({threads} threads)", "n_jobs=1 (1 thread)"))
    if vlfeat_row is not None:
        rows.append(vlfeat_row)

    n_fit = 50_000 if quick else 200_000
    x_fit = synthetic_descriptors(n_fit, seed=1)
    ours_vocabulary = VisualVocabulary(n_words=N_WORDS, random_state=0)
    peer_kmeans = MiniBatchKMeans(n_clusters=N_WORDS, random_state=0, n_init=1)
    ours_seconds = median_seconds(lambda: ours_vocabulary.fit(x_fit), repeat=1)
    peer_seconds = median_seconds(lambda: peer_kmeans.fit(x_fit), repeat=1)
    ours_error = quantisation_error(x_fit, ours_vocabulary.words_)
    peer_error = quantisation_error(x_fit, peer_kmeans.cluster_centers_)
    rows.append({
        "work": (f"vocabulary fit, {N_WORDS} words on {n_fit:,} x {DIM}-d float32, "
                 f"VisualVocabulary (k-means++ on 10,240, Lloyd on a 100,000 sample, "
                 f"{ours_vocabulary.n_iter_} iterations); mean squared error ours "
                 f"{ours_error:.4f}, peer {peer_error:.4f}"),
        "unit": "descriptors/s", "ours": n_fit / ours_seconds,
        "peer": "sklearn MiniBatchKMeans(n_clusters=256, n_init=1) on all",
        "peer throughput": n_fit / peer_seconds, "ratio": peer_seconds / ours_seconds,
        "ours first call s": float("nan")})
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batches")
    print(markdown_table(run(quick=parser.parse_args().quick), SPEED_COLUMNS))
