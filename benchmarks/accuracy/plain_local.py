"""The hand-written OpenCV + scikit-learn local-feature baseline (dense SIFT + VLAD).

This is the script a user would write without ``classical`` for UC Merced:
OpenCV dense SIFT at two scales, RootSIFT, PCA to 64 dimensions, VLAD with 64
words and a linear SVM.

- Grey image: ``cv2.cvtColor(RGB2GRAY)`` (uint8, 0.299 R + 0.587 G + 0.114 B).
- Dense SIFT: ``cv2.SIFT_create().compute`` on a grid of upright keypoints
  (``angle=0``) with step 8 pixels, at two keypoint sizes (OpenCV's diameter)
  16 and 24. For size ``s`` the centres run from ``s / 2`` to
  ``W - s / 2`` (and likewise in height) in steps of 8, so each keypoint's
  nominal square lies inside the image (OpenCV's descriptor window reaches a
  little further and is clipped at the border). A 256 x 256 image gives
  31 x 31 + 30 x 30 = 1,861 descriptors; a 64 x 64 one 7 x 7 + 6 x 6 = 85.
- RootSIFT (Arandjelovic and Zisserman, 2012): each descriptor divided by its
  L1 norm (plus 1e-12), then the element-wise square root.
- PCA to 64 dimensions (``sklearn.decomposition.PCA``, no whitening) and
  64-word ``sklearn.cluster.KMeans`` (``n_init=1``), both fitted on 100,000
  RootSIFT descriptors drawn at random (``random_state=0``) from the training
  images only.
- VLAD (Jegou et al., 2010): each descriptor is assigned to its nearest word;
  the residuals to that word are summed per word (64 x 64 = 4,096 values),
  then signed square root and global L2 normalisation (Jegou et al., 2012).
- ``sklearn.svm.LinearSVC()`` with its defaults (C=1).

``fit_s`` is train-descriptor extraction plus PCA, k-means, VLAD and SVM
fitting; ``predict_s`` is test-descriptor extraction plus VLAD and prediction;
``descriptor_s`` is the dense-SIFT extraction of both sides alone. Images are
described on ``n_jobs`` threads (OpenCV releases the GIL).

Run ``python -m benchmarks.accuracy.plain_local [--dataset ucmerced|eurosat]``
from the repository root: the protocol split of :mod:`benchmarks.accuracy`.
"""

import argparse
import time

import cv2
import numpy as np
from joblib import Parallel, delayed
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import accuracy_score, cohen_kappa_score
from sklearn.svm import LinearSVC

from .._timing import markdown_table
from .datasets import load_eurosat, load_ucmerced

STEP = 8
SIZES = (16, 24)
N_COMPONENTS = 64
N_WORDS = 64
N_SAMPLE = 100_000
COLUMNS = ["dataset", "pipeline", "accuracy", "kappa", "descriptor s", "fit s",
           "predict s"]


def grid_keypoints(height, width, *, step=STEP, sizes=SIZES):
    """Upright keypoints on the dense grid of every size (see the module docstring)."""
    keypoints = []
    for size in sizes:
        half = size / 2
        for y in np.arange(half, height - half + 1e-9, step):
            for x in np.arange(half, width - half + 1e-9, step):
                keypoints.append(cv2.KeyPoint(float(x), float(y), float(size), 0.0))
    return keypoints


def dense_sift(image, sift=None):
    """OpenCV SIFT descriptors of one RGB image on the dense grid, as uint8.

    OpenCV's float descriptors hold integers in [0, 255]; uint8 keeps them
    exactly at a quarter of the memory.
    """
    sift = cv2.SIFT_create() if sift is None else sift
    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    keypoints = grid_keypoints(*grey.shape)
    _, descriptors = sift.compute(grey, keypoints)
    return descriptors.astype(np.uint8)


def extract(images, n_jobs=-1):
    """Dense SIFT of every image (a list of (n_i, 128) uint8 arrays)."""
    return Parallel(n_jobs=n_jobs, prefer="threads", batch_size=16)(
        delayed(dense_sift)(image) for image in images)


def root_sift(descriptors):
    """L1-normalise each row, then take the square root (float32)."""
    descriptors = descriptors.astype(np.float32)
    descriptors /= descriptors.sum(axis=1, keepdims=True) + 1e-12
    return np.sqrt(descriptors)


def vlad(descriptors, pca, kmeans):
    """Signed-square-root, L2-normalised VLAD of one image's raw descriptors."""
    projected = pca.transform(root_sift(descriptors))
    words = kmeans.predict(projected)
    centres = kmeans.cluster_centers_
    encoding = np.zeros_like(centres)
    np.add.at(encoding, words, projected - centres[words])
    encoding = np.sign(encoding) * np.sqrt(np.abs(encoding))
    norm = np.linalg.norm(encoding)
    return (encoding / norm if norm > 0 else encoding).ravel()


def fit_encoder(train_descriptors, *, random_state=0):
    """PCA and the k-means vocabulary, fitted on a sample of training descriptors."""
    stacked = np.concatenate(train_descriptors)
    rng = np.random.RandomState(random_state)
    if len(stacked) > N_SAMPLE:
        stacked = stacked[rng.choice(len(stacked), N_SAMPLE, replace=False)]
    sample = root_sift(stacked)
    pca = PCA(n_components=N_COMPONENTS, random_state=random_state).fit(sample)
    kmeans = KMeans(n_clusters=N_WORDS, n_init=1, random_state=random_state)
    kmeans.fit(pca.transform(sample))
    return pca, kmeans


def run(images_train, y_train, images_test, y_test, *, n_jobs=-1):
    """Extract, fit and score the baseline; return accuracy, kappa and timings."""
    start = time.perf_counter()
    train_descriptors = extract(images_train, n_jobs)
    descriptor_s = time.perf_counter() - start
    pca, kmeans = fit_encoder(train_descriptors)
    X_train = np.asarray([vlad(d, pca, kmeans) for d in train_descriptors])
    svm = LinearSVC().fit(X_train, y_train)
    fit_s = time.perf_counter() - start

    start = time.perf_counter()
    test_descriptors = extract(images_test, n_jobs)
    descriptor_s += time.perf_counter() - start
    predicted = svm.predict(np.asarray([vlad(d, pca, kmeans)
                                        for d in test_descriptors]))
    predict_s = time.perf_counter() - start
    return {"accuracy": accuracy_score(y_test, predicted),
            "kappa": cohen_kappa_score(y_test, predicted), "fit_s": fit_s,
            "predict_s": predict_s, "descriptor_s": descriptor_s,
            "n_descriptors": sum(len(d) for d in train_descriptors)
            + sum(len(d) for d in test_descriptors)}


NAME = "plain OpenCV dense SIFT + VLAD + LinearSVC script"
LOADERS = {"ucmerced": ("UC Merced", load_ucmerced),
           "eurosat": ("EuroSAT (grey)", load_eurosat)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(LOADERS), default="ucmerced")
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    dataset, loader = LOADERS[args.dataset]
    train, test = loader(limit=args.limit)
    result = run(train.images, train.labels, test.images, test.labels)
    row = {"dataset": dataset, "pipeline": NAME, "accuracy": result["accuracy"],
           "kappa": result["kappa"], "descriptor s": result["descriptor_s"],
           "fit s": result["fit_s"], "predict s": result["predict_s"]}
    print(markdown_table([row], COLUMNS))
    print(f"\n{result['n_descriptors']:,} descriptors.")


if __name__ == "__main__":
    main()
