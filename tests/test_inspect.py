"""Tests for classical.datasets.inspect: a planted data set built from real images."""

import io
import os
import shutil

import cv2
import numpy as np
import pytest
import scipy.fft
from PIL import Image

from classical.datasets import _image_hash as image_hash
from classical.datasets import _inspect, inspect, kept_paths, read_image, sample_path
from tests.naive import image_hash as naive

SAMPLE = sample_path("eurosat")
CLASSES = ["Forest", "Highway", "Residential", "SeaLake"]
N_ORIGINALS = 14  # per class, so each class has enough images for its blur statistics


def _sample_files(label):
    return sorted(p for p in os.listdir(SAMPLE / label) if p.endswith(".jpg"))


def _jpeg(image, quality):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _png(image):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def _resize(image, factor):
    height, width = image.shape[:2]
    return cv2.resize(image, (round(width * factor), round(height * factor)),
                      interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)


def _brighten(image, shift):
    return np.clip(image.astype(np.int16) + shift, 0, 255).astype(np.uint8)


def _flat_water(level, seed):
    """A calm-water tile: one grey level, a faint glint shared by the scene, noise."""
    rng = np.random.default_rng(0)  # the glint: the same for every tile
    block = np.zeros((32, 32))
    block[:8, :8] = rng.normal(size=(8, 8))
    block[0, 0] = 0
    glint = scipy.fft.idctn(block, norm="ortho")
    glint *= 0.8 / glint.std()  # under the 1.2 grey levels of 'flat_energy'
    glint = cv2.resize(glint, (256, 256), interpolation=cv2.INTER_LINEAR)
    noise = np.random.default_rng(seed).normal(0.0, 0.6, glint.shape)
    grey = np.clip(np.rint(level + glint + noise), 0, 255).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


class Planted:
    """Writes a train folder and a test folder, and remembers what it planted."""

    def __init__(self, root):
        self.root = root
        self.spare = {label: _sample_files(label)[N_ORIGINALS:] for label in CLASSES}
        self.copies = []  # (source path, copy path), every planted copy pair
        self.expected = {key: [] for key in
                         ("unreadable", "too_small", "blurry", "exposure")}

    def path(self, split, label, name):
        os.makedirs(os.path.join(self.root, split, label), exist_ok=True)
        return os.path.join(self.root, split, label, name)

    def original(self, label, index):
        return self.path("train", label, _sample_files(label)[index])

    def spare_image(self, label):
        return read_image(SAMPLE / label / self.spare[label].pop())

    def write(self, split, label, name, data):
        path = self.path(split, label, name)
        with open(path, "wb") as file:
            file.write(data)
        return path

    def copy(self, source, split, label, name, data=None):
        if data is None:
            with open(source, "rb") as file:
                data = file.read()
        path = self.write(split, label, name, data)
        self.copies.append((source, path))
        return path


def _plant(root):
    planted = Planted(root)
    for label in CLASSES:
        for name in _sample_files(label)[:N_ORIGINALS]:
            shutil.copy(SAMPLE / label / name, planted.path("train", label, name))
    forest = [planted.original("Forest", i) for i in range(N_ORIGINALS)]
    highway = [planted.original("Highway", i) for i in range(N_ORIGINALS)]
    planted.copy(forest[0], "train", "Forest", "exact.jpg")
    planted.copy(forest[1], "train", "Forest", "requality.jpg",
                 _jpeg(read_image(forest[1]), 60))
    planted.copy(forest[2], "train", "Forest", "smaller.png",
                 _png(_resize(read_image(forest[2]), 0.75)))
    planted.copy(forest[3], "train", "Forest", "larger.jpg",
                 _jpeg(_resize(read_image(forest[3]), 1.5), 90))
    planted.copy(forest[4], "train", "Forest", "cropped.png",
                 _png(read_image(forest[4])[1:-1, 1:-1]))
    planted.copy(highway[0], "train", "Highway", "brighter.png",
                 _png(_brighten(read_image(highway[0]), 25)))
    planted.copy(highway[0], "train", "Highway", "darker.jpg",
                 _jpeg(_brighten(read_image(highway[0]), -20), 85))
    # the same images under another class: label conflicts
    planted.copy(forest[5], "train", "Highway", "from_forest.jpg")
    planted.copy(highway[1], "train", "Residential", "from_highway.jpg",
                 _jpeg(read_image(highway[1]), 70))
    # per-image findings, from images not otherwise in the set
    planted.expected["blurry"].append(planted.write(
        "train", "Highway", "blurred.png",
        _png(cv2.GaussianBlur(planted.spare_image("Highway"), (0, 0), 3.0))))
    planted.expected["too_small"].append(planted.write(
        "train", "Residential", "tiny.png",
        _png(_resize(planted.spare_image("Residential"), 0.25))))
    planted.expected["exposure"].append(planted.write(
        "train", "Residential", "overexposed.png",
        _png(np.clip(planted.spare_image("Residential").astype(int) * 4, 0, 255)
             .astype(np.uint8))))
    planted.expected["exposure"].append(planted.write(
        "train", "Forest", "constant.png", _png(np.full((64, 64, 3), 90, np.uint8))))
    with open(SAMPLE / "Highway" / planted.spare["Highway"].pop(), "rb") as file:
        data = file.read()
    planted.expected["unreadable"] += [
        planted.write("train", "Highway", "truncated.jpg", data[:len(data) // 2]),
        planted.write("train", "SeaLake", "empty.jpg", b""),
    ]
    # two calm-water tiles from one scene: same glint, different water
    planted.write("train", "SeaLake", "calm_a.png", _png(_flat_water(60, 1)))
    planted.write("train", "SeaLake", "calm_b.png", _png(_flat_water(64, 2)))
    # the test split: leaked copies and images of its own
    planted.copy(highway[2], "test", "Highway", "leaked.jpg")
    planted.copy(forest[6], "test", "Forest", "leaked.jpg",
                 _jpeg(read_image(forest[6]), 50))
    for label in ("Forest", "Highway"):
        planted.write("test", label, "own.jpg", _jpeg(planted.spare_image(label), 95))
    return planted


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return _plant(str(tmp_path_factory.mktemp("planted")))


@pytest.fixture(scope="module")
def report(planted):
    return inspect(os.path.join(planted.root, "train"),
                   against=os.path.join(planted.root, "test"))


def _groups_of(pairs):
    """Connected groups of the planted copy pairs, each a sorted list of paths."""
    paths = sorted({path for pair in pairs for path in pair})
    index = {path: i for i, path in enumerate(paths)}
    groups = naive.connected_groups(len(paths),
                                    [(index[a], index[b]) for a, b in pairs])
    return sorted(sorted(paths[i] for i in group) for group in groups)


def test_report_has_the_issue_shape(report, planted):
    keys = {"n_images", "class_counts", "unreadable", "too_small", "blurry",
            "exposure", "duplicates", "label_conflicts", "leakage", "paths",
            "thresholds", "seconds"}
    assert set(report) == keys
    train = os.path.join(planted.root, "train")
    files = sorted(os.path.join(train, label, name) for label in os.listdir(train)
                   for name in os.listdir(os.path.join(train, label)))
    assert report["paths"] == files
    assert report["n_images"] == len(files)
    assert report["class_counts"] == {
        label: len(os.listdir(os.path.join(train, label))) for label in CLASSES}


@pytest.mark.parametrize("finding", ["unreadable", "too_small", "blurry", "exposure"])
def test_per_image_findings_are_exactly_the_planted(report, planted, finding):
    assert report[finding] == sorted(planted.expected[finding])


def test_copy_groups_are_exactly_the_planted(report, planted):
    train = [(a, b) for a, b in planted.copies if "test" not in (a + b).split(os.sep)]
    expected = _groups_of(train)
    found = sorted([g["paths"] for g in report["duplicates"]]
                   + [g["paths"] for g in report["label_conflicts"]])
    assert found == expected
    for group in report["duplicates"] + report["label_conflicts"]:
        assert group["labels"] == [p.split(os.sep)[-2] for p in group["paths"]]


def test_each_group_is_listed_once(report):
    for group in report["duplicates"]:
        assert len(set(group["labels"])) == 1
    for group in report["label_conflicts"]:
        assert len(set(group["labels"])) == 2
    kinds = {os.path.basename(g["paths"][-1]): g["kind"] for g in report["duplicates"]}
    assert kinds["exact.jpg"] == "exact"
    assert kinds["requality.jpg"] == "near"


def test_leakage_is_the_copies_across_folders(report, planted):
    test = os.sep + "test" + os.sep
    leaked = [sorted((a, b)) for a, b in planted.copies if test in b]
    assert sorted(g["paths"] for g in report["leakage"]) == sorted(leaked)


def test_near_uniform_pair_needs_the_strict_check(planted):
    calm = [os.path.join(planted.root, "train", "SeaLake", f"calm_{c}.png")
            for c in "ab"]
    records = [_inspect._describe(p) for p in calm]
    assert max(r["energy"] for r in records) < _inspect.THRESHOLDS["flat_energy"]
    # the hash and the loose check take them for copies; the strict check does not
    assert len(_inspect._similar_pairs(records, flat_energy=0.0)) == 1
    flat_energy = _inspect.THRESHOLDS["flat_energy"]
    assert len(_inspect._similar_pairs(records, flat_energy=flat_energy)) == 0


def test_kept_paths_follows_the_write_clean_rule(report):
    dropped = set(report["unreadable"])
    for group in report["duplicates"]:
        dropped |= set(group["paths"][1:])
    for group in report["label_conflicts"]:
        dropped |= set(group["paths"])
    kept = kept_paths(report)
    assert kept == [p for p in report["paths"] if p not in dropped]
    assert report["duplicates"][0]["paths"][0] in kept
    assert len(kept) == report["n_images"] - len(dropped)


def test_paths_stay_relative(planted, monkeypatch):
    monkeypatch.chdir(planted.root)
    report = inspect("train")
    assert all(p.startswith("train" + os.sep) for p in report["paths"])
    assert report["unreadable"] == [os.path.relpath(p, planted.root)
                                    for p in sorted(planted.expected["unreadable"])]


def _transformed(image, kind, rng):
    if kind == "jpeg":
        return _jpeg(image, int(rng.integers(40, 95)))
    if kind == "resize":
        return _png(_resize(image, rng.choice([0.6, 0.75, 1.25, 1.5])))
    if kind == "crop":
        return _png(image[1:, 1:] if rng.random() < 0.5 else image[1:-1, 1:-1])
    if kind == "brightness":
        return _png(_brighten(image, int(rng.choice([-30, -15, 15, 30]))))
    return _jpeg(_brighten(_resize(image, 0.8), 10), 80)


def test_near_duplicate_precision_and_recall(tmp_path):
    """Plant 60 copies among 300 distinct real images; count what is found."""
    rng = np.random.default_rng(0)
    kinds = ["jpeg", "resize", "crop", "brightness", "combined"]
    truth = set()
    for label in ["AnnualCrop", "Industrial", "Pasture", "PermanentCrop", "River",
                  "HerbaceousVegetation"]:
        os.makedirs(tmp_path / label)
        files = _sample_files(label)[:50]
        for name in files:
            shutil.copy(SAMPLE / label / name, tmp_path / label / name)
        for k, name in enumerate(rng.choice(files, 10, replace=False)):
            kind = kinds[k % len(kinds)]
            suffix = "jpg" if kind in ("jpeg", "combined") else "png"
            copy = f"copy_{kind}_{name}.{suffix}"
            (tmp_path / label / copy).write_bytes(
                _transformed(read_image(SAMPLE / label / name), kind, rng))
            truth.add((str(tmp_path / label / name), str(tmp_path / label / copy)))
    report = inspect(str(tmp_path))
    found = set()
    for group in report["duplicates"] + report["label_conflicts"]:
        paths = group["paths"]
        found |= {(a, b) for a in paths for b in paths if a < b}
    truth = {tuple(sorted(pair)) for pair in truth}
    precision = len(found & truth) / max(len(found), 1)
    recall = len(found & truth) / len(truth)
    print(f"near duplicates: precision {precision:.3f}, recall {recall:.3f} "
          f"({len(found & truth)} of {len(truth)} planted, {len(found)} found)")
    assert precision >= 0.95
    assert recall >= 0.9


# ---- the hash and the search against their NumPy twins --------------------------

def test_dct_hash_matches_naive_twin(planted):
    rng = np.random.default_rng(3)
    thumbnails = [rng.uniform(0, 255, (32, 32)), np.full((32, 32), 7.0),
                  np.zeros((32, 32))]
    for label in CLASSES:
        for i in range(3):
            grey = read_image(planted.original(label, i), color="gray")
            thumbnails.append(image_hash.grey_thumbnail(grey))
    for thumbnail in thumbnails:
        value, energy = image_hash.dct_hash(thumbnail)
        twin_value, twin_energy = naive.dct_hash(thumbnail)
        assert value == twin_value
        assert energy == pytest.approx(twin_energy, rel=1e-9, abs=1e-9)
        assert bin(value).count("1") <= 31


def test_dct_hash_ignores_brightness_and_contrast(planted):
    grey = read_image(planted.original("Highway", 3), color="gray").astype(float)
    value, _ = image_hash.dct_hash(image_hash.grey_thumbnail(grey))
    for changed in (grey + 40, grey * 0.7 + 5):
        assert image_hash.dct_hash(image_hash.grey_thumbnail(changed))[0] == value


@pytest.mark.parametrize("max_distance", [0, 3, 7, 10, 13])
@pytest.mark.parametrize("n_bands", [4, 8, 16])
def test_near_pairs_matches_all_pairs_twin(max_distance, n_bands):
    rng = np.random.default_rng(max_distance)
    hashes = rng.integers(0, 2**63, 300, dtype=np.uint64)
    for k in range(100):  # near copies: flip up to 12 bits
        flips = rng.choice(63, rng.integers(0, 13), replace=False)
        hashes[200 + k] = hashes[k] ^ np.uint64(sum(1 << int(b) for b in flips))
    hashes[5] = hashes[6] = hashes[7]  # equal hashes
    pairs, distances = image_hash.near_pairs(hashes, max_distance, n_bands)
    twin_pairs, twin_distances = naive.near_pairs(hashes, max_distance)
    np.testing.assert_array_equal(pairs, twin_pairs)
    np.testing.assert_array_equal(distances, twin_distances)


def test_near_pairs_edge_cases():
    for hashes in ([], [5], [5, 5]):
        pairs, _ = image_hash.near_pairs(np.array(hashes, dtype=np.uint64), 4)
        np.testing.assert_array_equal(pairs, naive.near_pairs(hashes, 4)[0])


def test_connected_groups_matches_union_find_twin():
    rng = np.random.default_rng(1)
    pairs = rng.integers(0, 60, (40, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    assert image_hash.connected_groups(60, pairs) == naive.connected_groups(60, pairs)
    assert image_hash.connected_groups(3, np.empty((0, 2), int)) == []


# ---- errors ------------------------------------------------------------------------

def test_path_must_be_a_folder(tmp_path, planted):
    with pytest.raises(ValueError, match="does not exist"):
        inspect(tmp_path / "missing")
    a_file = planted.expected["unreadable"][0]
    with pytest.raises(ValueError, match="is not a folder"):
        inspect(a_file)
    with pytest.raises(ValueError, match="No images found in folder"):
        inspect(tmp_path)


def test_against_must_be_another_folder(planted):
    train = os.path.join(planted.root, "train")
    with pytest.raises(ValueError, match="is the inspected folder itself"):
        inspect(train, against=os.path.join(planted.root, ".", "train"))
    with pytest.raises(ValueError, match="against folder .* does not exist"):
        inspect(train, against=os.path.join(planted.root, "nothing"))


def test_parameters_are_validated(planted):
    with pytest.raises(ValueError, match="'n_jobs' parameter"):
        inspect(planted.root, n_jobs="two")
    with pytest.raises(TypeError, match="path"):
        inspect(3)
