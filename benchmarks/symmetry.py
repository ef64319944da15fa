"""The 8 square symmetries of dense features: permuting bins versus describing again.

For the dense extractors of the presets, each symmetry ``k`` (as in
:func:`classical.descriptors.d4_local_features`) of each image is obtained
twice: by ``d4_local_features`` on the features of the original images, and
by describing the images of :func:`classical.preprocess.d4` again. The summary
table has one row per extractor and data set, over the symmetries 1 to 7:

* ``grid``: mean fraction of the moved patch centres that are patch centres
  of the transformed image's grid (1 when the grid maps onto itself);
* ``max |diff|`` and ``equal``: over descriptors at matched centres, the
  largest absolute difference and the mean fraction of descriptors equal
  bit for bit;
* ``enc diff``: the largest over symmetries of ``||e_perm - e_direct|| /
  ||e_direct||`` (mean over images) of the encodings of the two: Fisher
  vectors (RootSIFT or square-rooted LBP, PCA to 32, 16 Gaussians) or, for
  PHOW, a 1 x 1 + 2 x 2 spatial pyramid of 200-word bags of words (positions
  and image shapes count there), fitted once on the original images of the
  data set (the off-size images use the UC Merced 256 fit);
* ``enc diff orig``: the same between the original image's encoding and the
  transformed image's, the scale a symmetry moves an encoding by;
* ``describe ms`` / ``permute ms``: median time of describing the 7
  transformed batches and of permuting 7 times (warmed, timed in turn, 5
  rounds); ``speed-up`` is their ratio.

A second table gives the off-size images symmetry by symmetry.

Measured (2 Numba threads, machine loaded by other jobs, so speed-ups are
ratios of medians timed in turn): on EuroSAT 64 px (200) and UC Merced
256 px (21) every grid maps onto itself; dense SIFT differs by at most
1.8e-6 (float32 rounding) and its encodings by at most 6e-7 relative (PHOW's
bags of words: 0); LBP with neighbours on pixels or no ties is bit for bit
equal (nri_uniform P8 R1 on EuroSAT), while ties of interpolated neighbours in
flat regions move a few codes (UC Merced nri_uniform P8 R1: 0.1% of
histograms, encodings 7e-4; uniform P16 R2: 2-16% of histograms by at most
3/256, encodings 2-4%, as much as the symmetry itself moves them, since riu2
codes are invariant). On the four off-size images only 36% of the moved
centres are on the transformed image's grid and the encodings differ by
5-23% (a symmetry moves them by 45-113%); the transpose (k=5) is exact on
any size. Permuting was 2.6 to 18.5 times faster than describing again.

Data: the first 200 images of the bundled EuroSAT sample (64 x 64) and,
when ``../shared/data/ucmerced`` is present, the first image of each of the
21 UC Merced classes (256 x 256) plus four of its off-size images (253 x
256, 256 x 253, 247 x 247, 256 x 251), where the grid does not map onto
itself. Run ``python -m benchmarks.symmetry [--quick]`` (``--quick``: 50
EuroSAT images, UC Merced classes 0-6).
"""

import argparse

import numpy as np

from classical.datasets import load_sample, read_image
from classical.descriptors import (
    DenseLBPExtractor,
    DenseSIFTExtractor,
    LocalPCA,
    d4_local_features,
)
from classical.encoders import BagOfVisualWords, FisherVectorEncoder, SpatialPyramid
from classical.preprocess import d4, to_grayscale

from ._timing import SHARED_DATA, alternating_medians, markdown_table

COLUMNS = ["extractor", "data", "grid", "max |diff|", "equal", "enc diff",
           "enc diff orig", "describe ms", "permute ms", "speed-up"]
PER_K_COLUMNS = ["extractor", "k", "grid", "max |diff|", "equal", "enc diff",
                 "enc diff orig"]

_OFF_SIZE = ["airplane/airplane55.jpg", "airplane/airplane59.jpg",
             "buildings/buildings96.jpg", "golfcourse/golfcourse04.jpg"]


def extractors():
    """The dense extractors of the presets, by name, and whether they take grey."""
    def lbp(**params):
        return DenseLBPExtractor(step=4, patch_size=16, per_channel=True, **params)

    return {
        "grey SIFT (step 4, bin 4)": (DenseSIFTExtractor(step=4, bin_size=4), True),
        "opponent SIFT": (DenseSIFTExtractor(step=4, bin_size=4,
                                             color_space="opponent"), False),
        "PHOW (step 6, bins 4-10)": (DenseSIFTExtractor(
            step=6, bin_size=(4, 6, 8, 10), magnification=6), True),
        "LBP nri_uniform P8 R1": (lbp(P=8, R=1, method="nri_uniform"), False),
        "LBP uniform P16 R2": (lbp(P=16, R=2, method="uniform"), False),
    }


def datasets(quick):
    """Named lists of RGB uint8 images."""
    sample = load_sample("eurosat").images[:50 if quick else 200]
    found = {"EuroSAT 64": list(sample)}
    root = SHARED_DATA / "ucmerced"
    if root.is_dir():
        classes = sorted(p for p in root.iterdir() if p.is_dir())[:7 if quick else 21]
        found["UC Merced 256"] = [read_image(sorted(c.glob("*.jpg"))[0])
                                  for c in classes]
        found["UC Merced off-size"] = [read_image(root / name) for name in _OFF_SIZE]
    return found


def _keys(features, i):
    """One int per descriptor of image ``i``: its scale and patch centre."""
    rows = slice(features.offsets[i], features.offsets[i + 1])
    x, y = (2 * features.positions[rows]).astype(np.int64).T
    return (features.scales[rows].astype(np.int64) * 4096 + y) * 4096 + x


def matched(moved, direct):
    """Fraction of moved rows at a direct centre; max |diff|; fraction equal."""
    n_match, n_equal, worst = 0, 0, 0.0
    for i in range(len(moved)):
        _, at_moved, at_direct = np.intersect1d(_keys(moved, i), _keys(direct, i),
                                                return_indices=True)
        n_match += at_moved.size
        if at_moved.size:
            diff = np.abs(moved[i][at_moved] - direct[i][at_direct])
            worst = max(worst, float(diff.max()))
            n_equal += int(np.sum(np.all(diff == 0, axis=1)))
    return n_match / moved.n_descriptors, worst, n_equal / max(n_match, 1)


def encoder(name, features):
    """An encoding fitted on ``features`` (the original images' descriptors)."""
    if name.startswith("PHOW"):
        words = BagOfVisualWords(n_words=200, normalize="l1", random_state=0)
        return SpatialPyramid(encoder=words, levels=(1, 2)).fit(features).transform
    reducer = LocalPCA(n_components=32, root=True, random_state=0).fit(features)
    fisher = FisherVectorEncoder(n_components=16, random_state=0)
    fisher.fit(reducer.transform(features))
    return lambda f: fisher.transform(reducer.transform(f))


def relative_difference(a, b):
    """Mean over images of ``||a - b|| / ||b||``."""
    norms = np.maximum(np.linalg.norm(b, axis=1), 1e-12)
    return float(np.mean(np.linalg.norm(a - b, axis=1) / norms))


def compare(name, extractor, batch, encode):
    """Rows of PER_K_COLUMNS for symmetries 1 to 7, and the two timings."""
    features = extractor.fit(batch).transform(batch)
    original = encode(features)
    moved_batches = list(zip(*[d4(image) for image in batch]))[1:]
    rows = []
    for k, moved_images in enumerate(moved_batches, start=1):
        moved = d4_local_features(features, k, extractor=extractor)
        direct = extractor.transform(list(moved_images))
        grid, worst, equal = matched(moved, direct)
        encoded = encode(direct)
        rows.append({"extractor": name, "k": k, "grid": grid, "max |diff|": worst,
                     "equal": equal,
                     "enc diff": relative_difference(encode(moved), encoded),
                     "enc diff orig": relative_difference(original, encoded)})
    describe, permute = alternating_medians([
        lambda: [extractor.transform(list(b)) for b in moved_batches],
        lambda: [d4_local_features(features, k, extractor=extractor)
                 for k in range(1, 8)],
    ], repeat=5)
    return rows, describe, permute


def run(quick=False):
    """Summary rows (COLUMNS) and the per-symmetry rows of the off-size images."""
    summary, detail, encoders = [], [], {}
    for data_name, images in datasets(quick).items():
        family = data_name.split()[0]
        for name, (extractor, gray) in extractors().items():
            batch = [to_grayscale(image) for image in images] if gray else images
            if (family, name) not in encoders:  # fitted on the first set of a family
                encoders[family, name] = encoder(name, extractor.fit(batch)
                                                  .transform(batch))
            rows, describe, permute = compare(name, extractor, batch,
                                              encoders[family, name])
            summary.append({
                "extractor": name, "data": f"{data_name} ({len(batch)})",
                "grid": np.mean([r["grid"] for r in rows]),
                "max |diff|": f"{max(r['max |diff|'] for r in rows):.1e}",
                "equal": np.mean([r["equal"] for r in rows]),
                "enc diff": f"{max(r['enc diff'] for r in rows):.1e}",
                "enc diff orig": np.mean([r["enc diff orig"] for r in rows]),
                "describe ms": 1e3 * describe, "permute ms": 1e3 * permute,
                "speed-up": describe / permute})
            if "off-size" in data_name:
                detail += [{**r, "max |diff|": f"{r['max |diff|']:.1e}",
                            "enc diff": f"{r['enc diff']:.1e}"} for r in rows]
    return summary, detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    summary, detail = run(args.quick)
    print(markdown_table(summary, COLUMNS))
    if detail:
        print("\nUC Merced off-size images, symmetry by symmetry:\n")
        print(markdown_table(detail, PER_K_COLUMNS))


if __name__ == "__main__":
    main()
