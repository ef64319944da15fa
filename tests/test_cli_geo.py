"""The raster commands of `classical` (train-raster, classify-raster, assess,
sample-points), run in-process with click's CliRunner on the packaged Landsat 7
sample, against the Python functions they wrap."""

import csv
import json
import shutil

import numpy as np
import pytest

import classical
from classical.cli import main
from classical.datasets import sample_path
from classical.geo import assess_map, classify_raster, load_sample, open_raster

from .test_cli import run

rasterio = pytest.importorskip("rasterio")

NAMES = ["forest", "water", "herbaceous", "barren", "urban"]


def _assert_clean_failure(result, match):
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("classical: error:")
    assert "Traceback" not in result.stderr
    assert match in result.stderr


def _read(path):
    with rasterio.open(path) as dataset:
        return dataset.read(1), dataset.tags(), dataset.transform, dataset.crs


@pytest.fixture(scope="module")
def landsat():
    sample = load_sample("landsat7")
    return {"image": sample.image.path, "labels": sample.labels.path,
            "vector": sample.vector_path, "transform": sample.image.transform,
            "crs": sample.image.crs}


@pytest.fixture(scope="module")
def trained(landsat, tmp_path_factory):
    folder = tmp_path_factory.mktemp("raster-model")
    model = folder / "model.skops"
    result = run("--quiet", "train-raster", landsat["image"], landsat["labels"],
                 "--out", model, "--class-names", ",".join(NAMES),
                 "--max-per-class", 100, "--seed", 0)
    assert result.exit_code == 0, result.stderr
    classified = folder / "map.tif"
    result = run("--quiet", "classify-raster", model, landsat["image"], classified,
                 "--probabilities", "--reject", 0.4)
    assert result.exit_code == 0, result.stderr
    return {"model": model, "map": classified, "folder": folder}


def test_train_and_classify_match_the_python_functions(landsat, trained, tmp_path):
    model = classical.load(trained["model"])
    assert list(model.classes_) == [1, 2, 3, 4, 5]
    assert list(model.class_names_) == NAMES
    expected = classify_raster(model, landsat["image"], tmp_path / "api.tif",
                               probabilities=True, reject=0.4, class_names=NAMES,
                               verbose=False)
    codes, tags, transform, crs = _read(trained["map"])
    np.testing.assert_array_equal(codes, _read(expected)[0])
    assert json.loads(tags["class_names"]) == NAMES
    assert transform == landsat["transform"] and crs == landsat["crs"]
    assert (trained["folder"] / "map_proba.tif").is_file()
    assert (trained["folder"] / "map_proba.tif").read_bytes() == (
        tmp_path / "api_proba.tif").read_bytes()


def test_train_from_the_polygons_and_block_size(landsat, trained, tmp_path):
    model = tmp_path / "vector.skops"
    result = run("train-raster", landsat["image"], landsat["vector"], "--out", model,
                 "--attribute", "id", "--pipeline", "pixel-mlc", "--balance",
                 "--max-per-class", 30, "--bands", "1,2,3,4,5,6,7")
    assert result.exit_code == 0, result.stderr
    assert "Model written to" in result.stdout
    assert "Reading training pixels" in result.stderr  # the progress bar
    fitted = classical.load(model)
    assert list(fitted.classes_) == [1, 2, 3, 4, 5]
    assert list(fitted.source_bands_) == [1, 2, 3, 4, 5, 6, 7]
    result = run("--quiet", "classify-raster", model, landsat["image"],
                 tmp_path / "mlc.tif")
    assert result.exit_code == 0, result.stderr
    np.testing.assert_array_equal(
        _read(tmp_path / "mlc.tif")[0],
        classify_raster(fitted, landsat["image"], None, verbose=False))
    small = tmp_path / "small-blocks.tif"
    result = run("classify-raster", trained["model"], landsat["image"], small,
                 "--probabilities", "--reject", 0.4, "--block-size", 64)
    assert result.exit_code == 0, result.stderr
    assert "classify_raster" in result.stderr  # the progress bar
    assert small.read_bytes() == trained["map"].read_bytes()


def test_classify_on_a_dask_scheduler(landsat, trained, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                                  dashboard_address=":0") as cluster:
        result = run("--quiet", "classify-raster", trained["model"], landsat["image"],
                     tmp_path / "dask.tif", "--probabilities", "--reject", 0.4,
                     "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "dask.tif").read_bytes() == trained["map"].read_bytes()


def test_tile_mode_with_an_rgb_patch_model(landsat, tmp_path):
    folder = tmp_path / "patches"
    for name in ("Forest", "SeaLake", "Highway"):
        (folder / name).mkdir(parents=True)
        for path in sorted((sample_path("eurosat") / name).glob("*.jpg"))[:6]:
            shutil.copy(path, folder / name / path.name)
    model = tmp_path / "patches.skops"
    assert main(["--quiet", "train", str(folder), "--pipeline", "color-rf",
                 "--model", str(model), "--test-size", "0"]) == 0
    tiles = tmp_path / "tiles.geojson"
    result = run("--quiet", "classify-raster", model, landsat["image"],
                 tmp_path / "tiles.tif", "--tile", 64, "--bands", "3,2,1",
                 "--scale", "percentile", "--tiles-out", tiles)
    assert result.exit_code == 0, result.stderr
    codes, tags, transform, _ = _read(tmp_path / "tiles.tif")
    assert codes.shape == (4, 4)  # ceil(250 / 64): edge tiles classified
    assert transform.a == 64 * landsat["transform"].a
    assert json.loads(tags["class_names"]) == ["Forest", "Highway", "SeaLake"]
    assert len(json.loads(tiles.read_text())["features"]) == 16
    chosen = tmp_path / "forest.csv"
    result = run("--quiet", "classify-raster", model, landsat["image"],
                 tmp_path / "tiles2.tif", "--tile", 64, "--bands", "3,2,1",
                 "--scale", "percentile", "--tiles-out", chosen,
                 "--tile-classes", "Forest")
    assert result.exit_code == 0, result.stderr
    listed = list(csv.DictReader(chosen.open()))
    assert len(listed) == int(np.sum(codes == 1)) and len(listed) > 0
    assert main(["classify-raster", str(model), str(landsat["image"]),
                 str(tmp_path / "t3.tif"), "--tile", "64", "--tiles-out",
                 str(chosen), "--tile-classes", "Desert"]) == 2


def test_sample_points_then_assess(landsat, trained, tmp_path):
    points = tmp_path / "points.csv"
    result = run("sample-points", trained["map"], "--per-class", 12, "--out", points,
                 "--seed", 3)
    assert result.exit_code == 0, result.stderr
    assert "fill in their label" in result.stdout
    rows = list(csv.DictReader(points.open()))
    codes = _read(trained["map"])[0]
    pixels = np.bincount(codes[(codes > 0) & (codes != 255)], minlength=6)[1:]
    assert len(rows) == np.minimum(12, pixels).sum()
    labels = open_raster(landsat["labels"]).read()[:, :, 0]
    for row in rows:  # the reference: the label raster, else the map's class
        value = labels[int(row["row"]), int(row["col"])]
        row["label"] = NAMES[value - 1] if value else row["map_class"]
    with points.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run("assess", trained["map"], points, "--json", tmp_path / "a.json",
                 "--report", tmp_path / "a.md")
    assert result.exit_code == 0, result.stderr
    expected = assess_map(trained["map"], points)
    written = json.loads((tmp_path / "a.json").read_text())
    assert written["error_matrix"] == expected["error_matrix"].tolist()
    assert written["area_estimates"]["area"] == pytest.approx(
        expected["area_estimates"]["area"].tolist())
    assert (tmp_path / "a.md").read_text() in result.stdout + "\n"
    assert "## Area estimates (Olofsson et al. 2014)" in result.stdout


def test_assess_against_the_label_raster(landsat, trained):
    result = run("assess", trained["map"], landsat["labels"])
    assert result.exit_code == 0, result.stderr
    expected = assess_map(trained["map"], landsat["labels"])
    assert f"| Overall accuracy | {expected['overall_accuracy']:.4f} |" in result.stdout


def test_quiet_hides_progress(landsat, trained, tmp_path):
    result = run("--quiet", "classify-raster", trained["model"], landsat["image"],
                 tmp_path / "q.tif")
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""


# ------------------------------------------------------------------- errors
def _write_tif(path, array, transform=None, crs=None):
    array = array[np.newaxis] if array.ndim == 2 else np.moveaxis(array, -1, 0)
    profile = {"driver": "GTiff", "height": array.shape[1], "width": array.shape[2],
               "count": array.shape[0], "dtype": array.dtype.name}
    if transform is not None:
        profile.update(transform=transform, crs=crs)
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(array)
    return path


def test_labels_on_another_grid(landsat, tmp_path):
    labels = _write_tif(tmp_path / "labels.tif", np.ones((10, 10), np.uint8),
                        landsat["transform"], landsat["crs"])
    result = run("train-raster", landsat["image"], labels, "--out",
                 tmp_path / "m.skops")
    _assert_clean_failure(result, "not on the image's grid")
    assert not (tmp_path / "m.skops").exists()


def test_band_count_differs_from_the_model(landsat, trained, tmp_path):
    image = _write_tif(tmp_path / "rgb.tif",
                       np.full((20, 20, 3), 500, np.int16), landsat["transform"],
                       landsat["crs"])
    result = run("classify-raster", trained["model"], image, tmp_path / "out.tif")
    _assert_clean_failure(result, "has 3 bands but the model was fitted on 8")
    assert not (tmp_path / "out.tif").exists()


def test_unwritable_destination(landsat, trained, tmp_path):
    result = run("classify-raster", trained["model"], landsat["image"],
                 tmp_path / "missing" / "map.tif")
    _assert_clean_failure(result, "does not exist")


def test_stride_without_tile(landsat, trained, tmp_path):
    result = run("classify-raster", trained["model"], landsat["image"],
                 tmp_path / "map.tif", "--stride", 8)
    _assert_clean_failure(result, "mode='tile'")


def test_assess_and_sample_errors(trained, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("x,y,label\n462420,1741800,cloud\n")
    _assert_clean_failure(run("assess", trained["map"], points),
                          "['cloud'] name no class of the map")
    _assert_clean_failure(run("sample-points", trained["map"], "--per-class", 3,
                              "--out", tmp_path / "points.shp"), "must end in .geojson")
    _assert_clean_failure(run("train-raster", trained["map"], trained["map"],
                              "--out", tmp_path / "m.skops", "--pipeline", "nope"),
                          "Unknown pipeline 'nope'")


def test_sample_points_per_class_pairs(trained, tmp_path):
    points = tmp_path / "points.csv"
    result = run("--quiet", "sample-points", trained["map"], "--per-class",
                 "forest=5,water=3", "--out", points, "--seed", 0)
    assert result.exit_code == 0, result.stderr
    counts = {}
    for row in csv.DictReader(points.open()):
        counts[row["map_class"]] = counts.get(row["map_class"], 0) + 1
    assert counts == {"forest": 5, "water": 3}
    for bad in ("0", "forest=0", "forest=x", "many"):
        assert main(["sample-points", str(trained["map"]), "--per-class", bad,
                     "--out", str(points)]) == 2


def test_missing_source_is_a_clean_error(trained, tmp_path):
    _assert_clean_failure(run("classify-raster", trained["model"], tmp_path / "no.tif",
                              tmp_path / "m.tif"), "does not exist")
    assert not (tmp_path / "m.tif").exists()


@pytest.mark.parametrize("option, value", [("--scale", "1,2,3"), ("--scale", "low"),
                                           ("--bands", "red"), ("--reject", "1.5")])
def test_bad_option_values_are_usage_errors(landsat, trained, tmp_path, option, value):
    assert main(["classify-raster", str(trained["model"]), str(landsat["image"]),
                 str(tmp_path / "m.tif"), option, value]) == 2
    assert main(["sample-points", str(trained["map"]), "--out", "p.csv"]) == 2
