"""The train/test splits and the runner of ``python -m benchmarks.accuracy``."""

import re

import numpy as np
import pytest
from PIL import Image

import classical
from benchmarks.accuracy import __main__ as accuracy
from benchmarks.accuracy import datasets
from classical.datasets import ImageDataset, load_folder


def _labels(counts):
    return np.repeat([f"c{i}" for i in range(len(counts))], counts)


def _per_class(labels, index):
    names, counts = np.unique(np.asarray(labels)[index], return_counts=True)
    return dict(zip(names.tolist(), counts.tolist(), strict=True))


def _tile_names(plates=2):
    return [f"/x/D{p}/D{p}_r{r}c{c}.png" for p in range(1, plates + 1)
            for r in range(4) for c in range(4)]


def _row_col(path):
    match = datasets.TILE_NAME.match(path.rsplit("/", 1)[-1])
    return match["plate"], int(match["row"]), int(match["col"])


# --- split functions on synthetic labels -------------------------------------

def test_stratified_split_keeps_each_class_share_and_is_reproducible():
    labels = _labels([50, 30, 20])
    train, test = datasets.stratified_split(labels)
    assert _per_class(labels, test) == {"c0": 10, "c1": 6, "c2": 4}
    assert not set(train) & set(test)
    assert len(train) + len(test) == len(labels)
    again = datasets.stratified_split(labels)
    np.testing.assert_array_equal(train, again[0])
    np.testing.assert_array_equal(test, again[1])


def test_stratified_split_matches_image_dataset_split():
    labels = _labels([10, 15])
    data = ImageDataset([np.zeros((2, 2))] * 25, labels, [str(i) for i in range(25)])
    train, test = data.split(test_size=0.2, random_state=0)
    index_train, index_test = datasets.stratified_split(labels)
    assert train.paths == [str(i) for i in index_train]
    assert test.paths == [str(i) for i in index_test]


def test_per_class_split_takes_30_and_30_from_each_class():
    labels = _labels([60, 80, 60])
    train, test = datasets.per_class_split(labels)
    assert _per_class(labels, train) == {"c0": 30, "c1": 30, "c2": 30}
    assert _per_class(labels, test) == {"c0": 30, "c1": 30, "c2": 30}
    assert not set(train) & set(test)


def test_per_class_split_draws_each_class_independently():
    # A class's draw depends only on its own size and the seed, not on the
    # classes before it: the same permutation of its own positions.
    first = _labels([60, 60])
    second = _labels([70, 60])
    train_a, test_a = datasets.per_class_split(first)
    train_b, test_b = datasets.per_class_split(second)
    np.testing.assert_array_equal(train_a[30:] - 60, train_b[30:] - 70)
    np.testing.assert_array_equal(test_a[30:] - 60, test_b[30:] - 70)
    expected = np.random.RandomState(0).permutation(60)
    np.testing.assert_array_equal(train_a[:30], expected[:30])
    np.testing.assert_array_equal(test_a[:30], expected[30:])


def test_per_class_split_small_class_tests_on_the_rest():
    labels = _labels([60, 45])
    train, test = datasets.per_class_split(labels)
    assert _per_class(labels, train) == {"c0": 30, "c1": 30}
    assert _per_class(labels, test) == {"c0": 30, "c1": 15}


def test_per_class_split_rejects_a_class_with_nothing_to_test():
    with pytest.raises(ValueError, match=r"Class 'c1' has 30 images.*n_train=30"):
        datasets.per_class_split(_labels([60, 30]))


def test_tile_split_rows_0_1_train_row_3_test_row_2_unused():
    paths = _tile_names(plates=3)
    train, test = datasets.tile_split(paths)
    assert len(train) == 3 * 8 and len(test) == 3 * 4
    assert {_row_col(paths[i])[1] for i in train} == {0, 1}
    assert {_row_col(paths[i])[1] for i in test} == {3}


def test_tile_split_has_no_touching_tiles_across_sides():
    paths = _tile_names()
    train, test = datasets.tile_split(paths)
    for i in train:
        plate, row, col = _row_col(paths[i])
        for j in test:
            other, test_row, test_col = _row_col(paths[j])
            touching = abs(row - test_row) <= 1 and abs(col - test_col) <= 1
            assert plate != other or not touching


def test_tile_split_rejects_other_file_names():
    with pytest.raises(ValueError, match=r"'/x/D1/tile\.png' is not named "
                                         r"D<n>_r<row>c<col>\.png"):
        datasets.tile_split(["/x/D1/tile.png"])


def test_tile_split_rejects_a_row_on_both_sides():
    with pytest.raises(ValueError, match=r"Rows \[1\] are in both train_rows"):
        datasets.tile_split(_tile_names(), train_rows=(0, 1), test_rows=(1,))


def test_limit_per_class_keeps_the_first_of_each_class_in_order():
    labels = np.array(["a", "b", "a", "a", "b", "b", "b"])
    np.testing.assert_array_equal(
        datasets.limit_per_class([6, 0, 5, 2, 3, 4, 1], labels, 2), [6, 0, 5, 2])
    np.testing.assert_array_equal(
        datasets.limit_per_class([3, 1], labels, None), [3, 1])


def test_list_class_files_sorts_and_keeps_only_images(tmp_path):
    for name in ["b/2.png", "b/10.PNG", "a/x.jpg", "a/notes.txt", "a/.hidden.jpg"]:
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"")
    (tmp_path / "README.md").write_text("not a class")
    paths, labels = datasets.list_class_files(tmp_path)
    assert [p[len(str(tmp_path)) + 1:] for p in paths] == ["a/x.jpg", "b/10.PNG",
                                                             "b/2.png"]
    assert labels.tolist() == ["a", "b", "b"]


def test_list_class_files_rejects_a_tree_without_images(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No class folders with images under"):
        datasets.list_class_files(tmp_path)


def test_loader_reads_grey_as_three_equal_channels(tmp_path):
    for plate in (1, 2):
        (tmp_path / f"D{plate}").mkdir()
        for row in range(4):
            for col in range(4):
                grey = np.full((8, 8), 10 * row + col + plate, dtype=np.uint8)
                Image.fromarray(grey).save(tmp_path / f"D{plate}"
                                           / f"D{plate}_r{row}c{col}.png")
    train, test = datasets.load_brodatz(tmp_path, limit=3)
    assert len(train) == 6 and len(test) == 6
    assert train.class_names == ["D1", "D2"]
    for image in train.images + test.images:
        assert image.shape == (8, 8, 3) and image.dtype == np.uint8
        assert (image == image[..., :1]).all()
    assert all("_r3c" in path for path in test.paths)


# --- the shipped datasets (skipped when ../shared/data is absent) -------------

def test_eurosat_split_is_the_previous_protocol(eurosat_dir):
    paths, labels = datasets.list_class_files(eurosat_dir)
    train, test = datasets.stratified_split(labels)
    old_train, old_test = load_folder(eurosat_dir, n_jobs=-1).split(
        test_size=0.2, random_state=0)
    assert [paths[i] for i in train] == old_train.paths
    assert [paths[i] for i in test] == old_test.paths
    assert len(train) == 4000 and set(_per_class(labels, test).values()) == {100}


def test_ucmerced_split_is_80_20_of_every_class(ucmerced_dir):
    paths, labels = datasets.list_class_files(ucmerced_dir)
    assert len(paths) == 2100 and len(set(labels)) == 21
    train, test = datasets.stratified_split(labels)
    assert set(_per_class(labels, train).values()) == {80}
    assert set(_per_class(labels, test).values()) == {20}
    assert not set(train) & set(test)


def test_caltech_classes_have_60_and_split_30_30(caltech_dir):
    paths, labels = datasets.list_class_files(caltech_dir)
    assert set(_per_class(labels, np.arange(len(labels))).values()) == {60}
    train, test = datasets.per_class_split(labels)
    assert set(_per_class(labels, train).values()) == {30}
    assert set(_per_class(labels, test).values()) == {30}
    assert not set(train) & set(test)


def test_brodatz_split_sizes_and_rows(brodatz_dir):
    paths, labels = datasets.list_class_files(brodatz_dir)
    assert len(paths) == 112 * 16
    train, test = datasets.tile_split(paths)
    assert len(train) == 112 * 8 and len(test) == 112 * 4
    assert all(re.search(r"_r[01]c\d\.png$", paths[i]) for i in train)
    assert all(re.search(r"_r3c\d\.png$", paths[i]) for i in test)


def test_caltech_loader_gives_rgb_at_native_size(caltech_dir):
    train, test = datasets.load_caltech(caltech_dir, limit=1)
    assert len(train) == len(test) == 10
    for image in train.images + test.images:
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    assert len({image.shape for image in train.images}) > 1


# --- the runner ---------------------------------------------------------------

@pytest.fixture
def tiny_split():
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (16, 16, 3), dtype=np.uint8) for _ in range(12)]
    labels = np.repeat(["Forest", "SeaLake"], 6)
    data = ImageDataset(images, labels, [str(i) for i in range(12)])
    return data.subset(np.r_[0:4, 6:10]), data.subset(np.r_[4:6, 10:12])


def test_failing_preset_gets_an_error_row_and_the_run_goes_on(tiny_split,
                                                              monkeypatch):
    original = classical.make_pipeline

    def make_pipeline(name, **params):
        if name == "broken":
            raise ValueError("no such step")
        return original(name, **params)

    monkeypatch.setattr(accuracy.classical, "make_pipeline", make_pipeline)
    train, test = tiny_split
    rows = list(accuracy.preset_runs("ucmerced", "UC Merced",
                                     ["broken", "rules-vegetation", "color-rf"],
                                     train, test))
    assert rows[0]["accuracy"] == "failed: ValueError: no such step"
    assert np.isnan(rows[0]["fit s"])
    assert rows[1].startswith("skipped rules-vegetation on UC Merced")
    assert rows[2]["pipeline"] == "color-rf" and 0 <= rows[2]["accuracy"] <= 1
    assert rows[2]["fit s"] > 0 and rows[2]["predict s"] > 0


def test_rules_preset_is_scored_on_mapped_labels_on_eurosat(tiny_split):
    train, test = tiny_split
    (row,) = accuracy.preset_runs("eurosat", "EuroSAT", ["rules-vegetation"],
                                  train, test)
    assert 0 <= row["accuracy"] <= 1


def test_error_rows_stay_on_one_table_line():
    row = accuracy._nan_row("d", "p", "failed: a | b\nc")
    assert row["accuracy"] == "failed: a / b c"


def test_cli_rejects_unknown_names(capsys):
    with pytest.raises(SystemExit):
        accuracy.main(["--datasets", "eurosat,mnist"])
    assert "unknown dataset mnist; valid: eurosat" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        accuracy.main(["--presets", "nope"])
    assert "unknown preset nope; valid:" in capsys.readouterr().err


def test_cli_writes_the_table(statlog_dir, tmp_path, capsys):
    output = tmp_path / "results.md"
    accuracy.main(["--datasets", "statlog", "--output", str(output), "--no-record"])
    table = output.read_text().splitlines()
    assert table[0] == "| " + " | ".join(accuracy.COLUMNS) + " |"
    assert table[2].startswith("| Statlog Landsat | GaussianMLClassifier | 0.")
    assert table[2] in capsys.readouterr().out
