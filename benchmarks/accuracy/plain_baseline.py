"""The hand-written scikit-image + OpenCV + scikit-learn baseline on EuroSAT RGB.

This is the script a user would write without ``classical``: three global
descriptors concatenated, then a standard scaler and an RBF support vector
machine with scikit-learn's defaults.

- HSV colour histogram: ``cv2.cvtColor(RGB2HSV)`` (hue in [0, 180)) and
  ``cv2.calcHist`` with 8 x 8 x 8 bins, divided by its sum (512 values).
- Uniform LBP histogram: ``skimage.feature.local_binary_pattern(grey, P=8, R=1,
  method='uniform')`` counted into its P + 2 = 10 codes, divided by the pixel
  count (10 values).
- HOG: ``skimage.feature.hog(grey)`` with 9 orientations, 8 x 8-pixel cells,
  2 x 2-cell blocks and L2-Hys block normalisation (1764 values on 64 x 64).

``grey`` is ``cv2.cvtColor(RGB2GRAY)`` (uint8, 0.299 R + 0.587 G + 0.114 B).

Protocol: classes sorted by name, files sorted by name within a class, RGB
uint8 via Pillow; ``train_test_split(test_size=0.2, stratify=labels,
random_state=0)`` on those ordered lists.

Run ``python -m benchmarks.accuracy.plain_baseline`` from the repository root.
"""

import time
from pathlib import Path

import cv2
import numpy as np
from joblib import Parallel, delayed
from PIL import Image
from skimage.feature import hog, local_binary_pattern
from sklearn.metrics import accuracy_score, cohen_kappa_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .._timing import SHARED_DATA, markdown_table

COLUMNS = ["pipeline", "features", "accuracy", "kappa", "extract s",
           "fit s (incl. extraction)", "predict s (incl. extraction)"]


def load_eurosat(root=SHARED_DATA / "eurosat_rgb"):
    """Images (list of (64, 64, 3) uint8) and class-name labels, in protocol order."""
    root = Path(root)
    images, labels = [], []
    for class_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(class_dir.glob("*.jpg")):
            with Image.open(path) as image:
                images.append(np.asarray(image.convert("RGB")))
            labels.append(class_dir.name)
    return images, np.asarray(labels)


def protocol_split(images, labels):
    """The fixed 80/20 stratified split of the accuracy benchmarks."""
    return train_test_split(images, labels, test_size=0.2, stratify=labels,
                            random_state=0)


def baseline_features(image):
    """HSV histogram + uniform LBP histogram + HOG of one RGB uint8 image."""
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    color = cv2.calcHist([hsv], [0, 1, 2], None, [8, 8, 8],
                         [0, 180, 0, 256, 0, 256]).ravel()
    color /= color.sum()
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    codes = local_binary_pattern(grey, 8, 1, method="uniform")
    texture = np.bincount(codes.astype(np.intp).ravel(), minlength=10) / codes.size
    shape = hog(grey, orientations=9, pixels_per_cell=(8, 8),
                cells_per_block=(2, 2), block_norm="L2-Hys")
    return np.concatenate([color, texture, shape])


def extract(images, n_jobs=-1):
    """Stack the baseline features of ``images`` into an (n, 2286) array."""
    rows = Parallel(n_jobs=n_jobs, batch_size=64)(
        delayed(baseline_features)(image) for image in images)
    return np.asarray(rows, dtype=np.float64)


def run(images_train, y_train, images_test, y_test, *, n_jobs=-1):
    """Extract, fit and score the baseline; return accuracy, kappa and timings.

    ``fit_s`` is training-feature extraction plus the fit, ``predict_s``
    test-feature extraction plus the prediction (cold, as for the presets);
    ``extract_s`` is the extraction of both sides alone.
    """
    start = time.perf_counter()
    X_train = extract(images_train, n_jobs)
    extract_s = time.perf_counter() - start
    model = make_pipeline(StandardScaler(), SVC(kernel="rbf", gamma="scale"))
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start

    start = time.perf_counter()
    X_test = extract(images_test, n_jobs)
    extract_s += time.perf_counter() - start
    predicted = model.predict(X_test)
    predict_s = time.perf_counter() - start
    return {"accuracy": accuracy_score(y_test, predicted),
            "kappa": cohen_kappa_score(y_test, predicted), "fit_s": fit_s,
            "predict_s": predict_s, "extract_s": extract_s,
            "n_features": X_train.shape[1]}


def main():
    images, labels = load_eurosat()
    images_train, images_test, y_train, y_test = protocol_split(images, labels)
    result = run(images_train, y_train, images_test, y_test)
    row = {"pipeline": "plain skimage+OpenCV+sklearn (HSV hist + LBP + HOG → SVC)",
           "features": result["n_features"],
           "accuracy": result["accuracy"], "kappa": result["kappa"],
           "extract s": result["extract_s"],
           "fit s (incl. extraction)": result["fit_s"],
           "predict s (incl. extraction)": result["predict_s"]}
    print(markdown_table([row], COLUMNS))


if __name__ == "__main__":
    main()
