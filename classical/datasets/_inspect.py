"""A health check of a folder-per-class image data set: what to fix before training."""

import hashlib
import os
import time
from numbers import Integral

import cv2
import numpy as np
from sklearn_compat.utils._param_validation import validate_params
from tqdm.auto import tqdm

from ..parallel import map_items
from ..utils._docstring import N_JOBS_DOC, VERBOSE_DOC, Substitution
from ._folder import _LAYOUT, _scan_tree
from ._image_hash import connected_groups, dct_hash, grey_thumbnail, near_pairs
from ._read import _convert, _decode, _read_bytes

__all__ = ["inspect", "kept_paths"]

# Every number the check uses; returned in the report under "thresholds".
THRESHOLDS = {
    "hash_distance": 10,  # bits between the DCT hashes of near copies
    "thumbnail_correlation": 0.9,  # ... and correlation of their 16 x 16 thumbnails
    "flat_energy": 1.2,  # hash energy (grey levels) under which an image is flat
    "flat_correlation": 0.95,  # flat pairs: correlation of 32 x 32 thumbnails
    "flat_difference": 2.0,  # ... and mean absolute difference (grey levels)
    "blur_side": 128,  # side of the square the Laplacian is taken on
    "blur_z": -3.5,  # robust z-score of log Laplacian variance of a blurry image
    "blur_min_class": 8,  # smaller classes are compared with the whole data set
    "constant_std": 0.5,  # grey standard deviation of a nearly constant image
    "dark_level": 5,  # grey levels at or below this are clipped dark
    "bright_level": 250,  # grey levels at or above this are clipped bright
    "clipped_fraction": 0.75,  # share of clipped pixels of a badly exposed image
    "small_side": 0.5,  # too small: sqrt(H W) under this times the median
}
_CHUNK = 32  # images a worker describes per task


def _describe(path):
    """Return the small facts kept about one file, or the reason it is unreadable."""
    try:
        data = _read_bytes(path)
        gray = _convert(_decode(data), "gray", None)
    except Exception as exc:  # any failure is reported by path, never fatal
        return f"{type(exc).__name__}: {exc}"
    if gray.dtype == np.uint16:
        gray = gray / 257.0  # the thresholds are on the 8-bit scale
    gray = gray.astype(np.float32)
    thumbnail = grey_thumbnail(gray)
    hash_value, energy = dct_hash(thumbnail)
    side = THRESHOLDS["blur_side"]
    common = grey_thumbnail(gray, side)
    return {
        "digest": hashlib.sha256(data).digest(),
        "shape": gray.shape,
        "hash": hash_value,
        "energy": energy,
        "thumbnail": thumbnail,
        "sharpness": float(cv2.Laplacian(common, cv2.CV_32F).var()),
        "std": float(gray.std()),
        "dark": float(np.mean(gray <= THRESHOLDS["dark_level"])),
        "bright": float(np.mean(gray >= THRESHOLDS["bright_level"])),
    }


def _describe_all(paths, n_jobs, verbose):
    chunks = [paths[i:i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    described = map_items(lambda chunk: [_describe(p) for p in chunk], chunks,
                          n_jobs=n_jobs)
    records = []
    with tqdm(total=len(paths), desc="Inspecting images", disable=not verbose) as bar:
        for chunk in described:
            records += chunk
            bar.update(len(chunk))
    return records


def _correlation(a, b):
    """Pearson correlation of each row of ``a`` with the same row of ``b``."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    norms = np.sqrt(np.sum(a * a, axis=1) * np.sum(b * b, axis=1))
    return np.divide(np.sum(a * b, axis=1), norms, out=np.zeros(len(a)),
                     where=norms > 0)


def _similar_pairs(records, flat_energy):
    """Pairs of images that are exact or near duplicates of each other."""
    n = len(records)
    digests = {}
    exact = []
    for i, record in enumerate(records):
        first = digests.setdefault(record["digest"], i)
        if first != i:
            exact.append((first, i))
    hashes = np.array([r["hash"] for r in records], dtype=np.uint64)
    pairs, _ = near_pairs(hashes, THRESHOLDS["hash_distance"])
    if len(pairs):
        thumbs = np.stack([r["thumbnail"] for r in records]).reshape(n, -1)
        small = thumbs.reshape(n, 16, 2, 16, 2).mean(axis=(2, 4)).reshape(n, -1)
        first, second = pairs[:, 0], pairs[:, 1]
        energy = np.array([r["energy"] for r in records])
        flat = np.minimum(energy[first], energy[second]) < flat_energy
        loose = _correlation(small[first], small[second]) >= \
            THRESHOLDS["thumbnail_correlation"]
        strict = (
            (_correlation(thumbs[first], thumbs[second])
             >= THRESHOLDS["flat_correlation"])
            & (np.abs(thumbs[first] - thumbs[second]).mean(axis=1)
               <= THRESHOLDS["flat_difference"]))
        pairs = pairs[np.where(flat, strict, loose)]
    return np.concatenate([np.reshape(exact, (-1, 2)), pairs]).astype(np.intp)


def _groups(paths, labels, records, flat_energy, n_main):
    """Duplicate groups, label conflicts (within the first ``n_main``) and leakage."""
    pairs = _similar_pairs(records, flat_energy)
    duplicates, conflicts, leakage = [], [], []
    inside = pairs[pairs.max(axis=1, initial=-1) < n_main]
    for group in connected_groups(n_main, inside):
        members = sorted(group, key=paths.__getitem__)
        entry = {"paths": [paths[i] for i in members],
                 "labels": [labels[i] for i in members]}
        if len(set(entry["labels"])) > 1:
            conflicts.append(entry)
        else:
            same = len({records[i]["digest"] for i in members}) == 1
            duplicates.append({"kind": "exact" if same else "near", **entry})
    if len(paths) > n_main:
        for group in connected_groups(len(paths), pairs):
            if group[0] < n_main <= group[-1]:
                leakage.append({"paths": sorted(paths[i] for i in group)})
    return duplicates, conflicts, leakage


def _robust_z(values):
    """Robust z-scores, 0.6745 (x - median) / MAD (Iglewicz and Hoaglin)."""
    median = np.median(values)
    mad = np.median(np.abs(values - median))
    if mad == 0:
        return np.zeros_like(values)
    return 0.6745 * (values - median) / mad


def _image_findings(paths, labels, records):
    """The per-image findings: too small, badly exposed, blurry."""
    read = [i for i, r in enumerate(records) if isinstance(r, dict)]
    if not read:
        return [], [], []
    sides = np.sqrt([np.prod(records[i]["shape"]) for i in read])
    too_small = [paths[i] for i, side in zip(read, sides, strict=True)
                 if side < THRESHOLDS["small_side"] * np.median(sides)]
    clipped = THRESHOLDS["clipped_fraction"]
    exposure = {i for i in read
                if records[i]["std"] < THRESHOLDS["constant_std"]
                or records[i]["dark"] >= clipped or records[i]["bright"] >= clipped}
    log_sharpness = np.log(np.array([records[i]["sharpness"] for i in read]) + 1e-6)
    read_labels = np.array([labels[i] for i in read])
    z = _robust_z(log_sharpness)
    for label in np.unique(read_labels):
        members = read_labels == label
        if members.sum() >= THRESHOLDS["blur_min_class"]:
            z[members] = _robust_z(log_sharpness[members])
    blurry = [paths[i] for i, score in zip(read, z, strict=True)
              if score < THRESHOLDS["blur_z"] and i not in exposure
              and paths[i] not in too_small]
    return too_small, sorted(paths[i] for i in exposure), blurry


def _scan(root, name):
    root = os.fspath(root)
    if not os.path.isdir(root):
        what = "does not exist" if not os.path.exists(root) else "is not a folder"
        raise ValueError(f"The {name} {root!r} {what}. {_LAYOUT}")
    paths, labels = _scan_tree(root)
    if not paths:
        raise ValueError(f"No images found in {name} {root!r}. {_LAYOUT}")
    return paths, labels


@validate_params(
    {"path": [str, os.PathLike], "against": [str, os.PathLike, None],
     "n_jobs": [Integral, None], "verbose": ["verbose"]},
    prefer_skip_nested_validation=True)
@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC)
def inspect(path, against=None, *, n_jobs=None, verbose=False):
    """Check a folder-per-class image data set for what spoils training and testing.

    Reads every image once (on threads) and keeps, per image, only a few
    numbers and a 32 x 32 grey thumbnail, so memory stays small whatever the
    data set's size. Never changes, moves or deletes a file.

    Parameters
    ----------
    path : str or path-like
        The data set, laid out as ``path/<class>/<image>`` (as for
        :func:`load_folder`).
    against : str or path-like or None, default=None
        A second data set in the same layout, e.g. the test split of
        ``path``; images found in both are reported as leakage.
    {n_jobs}
    {verbose}

    Returns
    -------
    report : dict
        With these keys (every path a string, ``os.path.join(path, class,
        file)``, so relative when ``path`` is relative):

        - ``"n_images"``: int, the image files found under ``path``, readable
          or not;
        - ``"class_counts"``: {class: int}, the files of each class;
        - ``"unreadable"``: [path], files that cannot be decoded (empty,
          truncated, not an image), for which nothing else is reported;
        - ``"too_small"``: [path], images whose side ``sqrt(H W)`` is under
          half the data set's median;
        - ``"blurry"``: [path], images whose variance of the Laplacian is far
          below their class's (see Notes);
        - ``"exposure"``: [path], nearly constant, or mostly clipped dark or
          bright images;
        - ``"duplicates"``: [{"kind": "exact" | "near", "paths": [path],
          "labels": [class]}], groups of copies within one class;
          ``"exact"`` when all the files are byte for byte the same;
        - ``"label_conflicts"``: [{"paths": [path], "labels": [class]}],
          groups of copies that carry two or more classes;
        - ``"leakage"``: [{"paths": [path]}], groups of copies found both
          under ``path`` and under ``against`` (paths from both; empty
          without ``against``);
        - ``"paths"``: [path], every image file found under ``path``, sorted;
        - ``"thresholds"``: {name: number}, the numbers used (Notes);
        - ``"seconds"``: float, the wall time.

        In a group, ``labels[k]`` is the class of ``paths[k]`` and the paths
        are sorted; groups are sorted by their first path. Each group of
        copies is listed once: under ``label_conflicts`` when it spans two
        classes, under ``duplicates`` otherwise. Leakage is a separate view:
        a group spanning both folders is listed there whole, and its members
        under ``path`` are also grouped among themselves as above.

    Raises
    ------
    ValueError
        If ``path`` or ``against`` is not a folder or holds no images, or
        ``against`` is ``path``.

    See Also
    --------
    kept_paths : The files a user would keep after this report.
    load_folder : Load the same tree.

    Notes
    -----
    Files are listed as :func:`load_folder` lists them and decoded as
    :func:`read_image` decodes them (a truncated file fails; it is never
    padded).

    **Copies.** Exact copies have the same SHA-256 of their bytes. Near copies
    have DCT hashes (:func:`classical.datasets._image_hash.dct_hash`, Zauner's
    pHash [1]_) at most ``hash_distance`` = 10 bits apart, found by
    multi-index hashing [2]_ rather than by comparing all pairs, and are then
    verified: the Pearson correlation of their 16 x 16 grey thumbnails must be
    at least ``thumbnail_correlation`` = 0.9. Groups are the connected
    components of the copy relation, so a chain of near copies is one group.
    Measured on 600 real images of the four shared data sets (EuroSAT, UC
    Merced, Caltech-101, Brodatz) with hash energy 4 or more, this finds
    every JPEG re-encoding (quality 50 and 90), resizing (x0.5, x0.75, x1.5)
    and brightness shift (-30), 99 % of contrast gains x1.3, 97 % of crops
    of 1 % per side, 84 % of 2 % crops and half of 3 % crops; wider crops
    are not found. Among the distinct images of those sets, two look-alike
    Caltech-101 Motorbikes pairs (same studio pose) pass the check.

    **Near-uniform images.** Calm water or a flat texture has almost no energy
    at the frequencies the hash reads, so its bits are noise and unrelated
    flat images collide (the energy's median is 0.4 grey levels for EuroSAT
    SeaLake, 2.2 for Forest, 5 or more for the other classes). When either
    image of a pair has a hash energy below ``flat_energy`` = 1.2 grey
    levels, the pair must instead pass a strict pixel check: 32 x 32
    thumbnails correlated at ``flat_correlation`` = 0.95 or more and on
    average at most ``flat_difference`` = 2 grey levels apart. Among the 500
    SeaLake images of the shared EuroSAT, the hash alone links 13 pairs of
    distinct images (3 groups), the hash and this rule 6; the hash and the
    correlation check none, with or without this rule, which guards the
    check where a shared faint pattern (glint, vignetting) would pass it.

    **Blur.** The variance of the Laplacian [3]_ of the grey image resized to
    ``blur_side`` = 128 pixels square, compared in log space with the other
    images of the same class by the robust z-score ``0.6745 (x - median) /
    MAD`` [4]_; below ``blur_z`` = -3.5 is blurry. Classes of fewer than
    ``blur_min_class`` = 8 images are compared with the whole data set.
    Images already listed under exposure or too small (an enlarged small
    image is always blurry) are not listed as blurry.

    **Exposure.** Nearly constant: grey standard deviation under
    ``constant_std`` = 0.5 grey levels (a flat colour saved as JPEG; calm
    water in EuroSAT starts at 0.57). Badly exposed: at least
    ``clipped_fraction`` = 75 % of the pixels at grey level 5 or below, or
    250 or above. Grey is on the 8-bit scale (16-bit images are divided by
    257).

    References
    ----------
    .. [1] C. Zauner, "Implementation and Benchmarking of Perceptual Image
       Hash Functions", Master's thesis, Upper Austria University of Applied
       Sciences, Hagenberg, 2010.
    .. [2] M. Norouzi, A. Punjani and D. J. Fleet, "Fast search in Hamming
       space with multi-index hashing", CVPR 2012.
       :DOI:`10.1109/CVPR.2012.6248043`
    .. [3] J. L. Pech-Pacheco, G. Cristobal, J. Chamorro-Martinez and J.
       Fernandez-Valdivia, "Diatom autofocusing in brightfield microscopy: a
       comparative study", ICPR 2000. :DOI:`10.1109/ICPR.2000.903548`
    .. [4] B. Iglewicz and D. C. Hoaglin, "How to Detect and Handle
       Outliers", ASQC Quality Press, 1993.

    Examples
    --------
    >>> from classical.datasets import inspect, kept_paths, sample_path
    >>> report = inspect(sample_path("eurosat"))
    >>> report["n_images"]
    1000
    """
    start = time.perf_counter()
    paths, labels = _scan(path, "folder")
    extra = []
    if against is not None:
        if os.path.realpath(against) == os.path.realpath(path):
            raise ValueError(
                f"against={os.fspath(against)!r} is the inspected folder itself; "
                "pass another folder (e.g. the test split) or leave it out.")
        extra, _ = _scan(against, "against folder")
    records = _describe_all(paths + extra, n_jobs, verbose)
    unreadable = [i for i, r in enumerate(records) if not isinstance(r, dict)]
    readable = [i for i, r in enumerate(records) if isinstance(r, dict)]
    n_main = sum(1 for i in readable if i < len(paths))
    kept = [paths[i] if i < len(paths) else extra[i - len(paths)] for i in readable]
    duplicates, conflicts, leakage = _groups(
        kept, [labels[i] if i < len(paths) else None for i in readable],
        [records[i] for i in readable], THRESHOLDS["flat_energy"], n_main)
    too_small, exposure, blurry = _image_findings(paths, labels,
                                                  records[:len(paths)])
    classes, counts = np.unique(labels, return_counts=True)
    return {
        "n_images": len(paths),
        "class_counts": dict(zip(classes.tolist(), counts.tolist(), strict=True)),
        "unreadable": sorted(paths[i] for i in unreadable if i < len(paths)),
        "too_small": sorted(too_small),
        "blurry": sorted(blurry),
        "exposure": exposure,
        "duplicates": duplicates,
        "label_conflicts": conflicts,
        "leakage": leakage,
        "paths": sorted(paths),
        "thresholds": dict(THRESHOLDS),
        "seconds": time.perf_counter() - start,
    }


def kept_paths(report):
    """The files a user would keep after an :func:`inspect` report.

    Parameters
    ----------
    report : dict
        The mapping :func:`inspect` returns (or its JSON, read back).

    Returns
    -------
    paths : list of str
        ``report["paths"]`` in order, without the unreadable files, without
        all but the first (sorted) path of each duplicate group, and without
        any member of a label conflict. Blurry, badly exposed, too small and
        leaked images are kept: they are for the user to judge.
    """
    dropped = set(report["unreadable"])
    for group in report["duplicates"]:
        dropped.update(sorted(group["paths"])[1:])
    for group in report["label_conflicts"]:
        dropped.update(group["paths"])
    return [p for p in report["paths"] if p not in dropped]
