"""classify_raster per tile on a mosaic of real EuroSAT patches laid on a known grid.

The mosaic is 5 x 7 patches of 64 pixels plus a 40-pixel strip on the right and
at the bottom (360 x 488 pixels), georeferenced in UTM. The twin cuts the tiles
with NumPy (each tile's pixels inside the scene, mirrored with ``'symmetric'``
to a full tile) and gives them to the model directly.
"""

import csv
import json
import math

import numpy as np
import pytest
import rasterio
from numpy.testing import assert_allclose, assert_array_equal
from rasterio.transform import Affine

import classical
from classical.datasets import load_images
from classical.geo import classify_raster

from .conftest import shared_dataset

CLASSES = ["AnnualCrop", "Forest", "Industrial", "SeaLake"]
GRID = (5, 7)
STRIP = 40
TRANSFORM = Affine(10.0, 0.0, 600000.0, 0.0, -10.0, 5200000.0)
CRS = "EPSG:32633"


@pytest.fixture(scope="module")
def mosaic():
    """The model (trained on other patches), the scene and its patches' truth."""
    root = shared_dataset("eurosat_rgb")
    files = {name: sorted((root / name).glob("*.jpg")) for name in CLASSES}
    train = [path for name in CLASSES for path in files[name][:30]]
    model = classical.make_pipeline("color-rf", forest__n_estimators=60)
    model.fit(load_images(train).images, np.repeat(CLASSES, 30))
    rng = np.random.default_rng(0)
    rows, cols = GRID[0] + 1, GRID[1] + 1
    truth = rng.choice(CLASSES, size=(rows, cols))
    taken = {name: iter(files[name][100:]) for name in CLASSES}
    patches = load_images([next(taken[label]) for label in truth.ravel()]).images
    scene = np.zeros((GRID[0] * 64 + STRIP, GRID[1] * 64 + STRIP, 3), dtype=np.uint8)
    for index, patch in enumerate(patches):
        r, c = divmod(index, cols)
        cell = scene[r * 64:(r + 1) * 64, c * 64:(c + 1) * 64]
        cell[...] = patch[:cell.shape[0], :cell.shape[1]]
    return model, scene, truth


def _write(path, scene, nodata=None):
    profile = {"driver": "GTiff", "height": scene.shape[0], "width": scene.shape[1],
               "count": scene.shape[2], "dtype": scene.dtype.name, "crs": CRS,
               "transform": TRANSFORM, "nodata": nodata}
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(np.moveaxis(scene, -1, 0))
    return path


def _twin_tiles(scene, tile_size, stride):
    """Every cell's tile, cut and padded one by one."""
    offset = (tile_size - stride) // 2
    tiles = []
    for r in range(math.ceil(scene.shape[0] / stride)):
        for c in range(math.ceil(scene.shape[1] / stride)):
            top, left = r * stride - offset, c * stride - offset
            part = scene[max(top, 0):top + tile_size, max(left, 0):left + tile_size]
            pad = ((max(-top, 0), tile_size - part.shape[0] - max(-top, 0)),
                   (max(-left, 0), tile_size - part.shape[1] - max(-left, 0)), (0, 0))
            tiles.append(np.pad(part, pad, mode="symmetric"))
    return np.stack(tiles)


def _twin_codes(model, scene, tile_size, stride):
    proba = model.predict_proba(_twin_tiles(scene, tile_size, stride))
    shape = (math.ceil(scene.shape[0] / stride), math.ceil(scene.shape[1] / stride))
    return (np.argmax(proba, axis=1) + 1).reshape(shape), proba.reshape(*shape, -1)


# -- the must-show: tile accuracy equals patch accuracy, edges, georeferencing ---

def test_tile_accuracy_equals_patch_accuracy(tmp_path, mosaic):
    model, scene, truth = mosaic
    source = _write(tmp_path / "mosaic.tif", scene)
    path = classify_raster(model, source, tmp_path / "tiles.tif", mode="tile",
                           tile_size=64, verbose=False)
    with rasterio.open(path) as output:
        codes = output.read(1)
        assert output.crs == CRS
        assert output.transform == TRANSFORM @ Affine.scale(64)
        assert output.transform == Affine(640.0, 0.0, 600000.0, 0.0, -640.0, 5200000.0)
        assert json.loads(output.tags()["class_values"]) == CLASSES
    assert codes.shape == (math.ceil(360 / 64), math.ceil(488 / 64)) == (6, 8)
    full = np.s_[:GRID[0], :GRID[1]]
    patches = scene[:GRID[0] * 64, :GRID[1] * 64].reshape(GRID[0], 64, GRID[1], 64, 3)
    patches = patches.swapaxes(1, 2).reshape(-1, 64, 64, 3)
    patch_accuracy = np.mean(model.predict(patches) == truth[full].ravel())
    tile_accuracy = np.mean(model.classes_[codes[full] - 1] == truth[full])
    assert tile_accuracy == patch_accuracy > 0.6
    assert (codes[GRID[0], :] > 0).all() and (codes[:, GRID[1]] > 0).all()  # edges


@pytest.mark.parametrize("stride", [64, 32])
def test_tiles_equal_numpy_twin(mosaic, stride):
    model, scene, _ = mosaic
    codes, proba = classify_raster(model, scene, None, mode="tile", tile_size=64,
                                   stride=stride, block_size=100, probabilities=True,
                                   verbose=False)
    expected_codes, expected_proba = _twin_codes(model, scene, 64, stride)
    assert codes.shape == (math.ceil(360 / stride), math.ceil(488 / stride))
    assert_array_equal(codes, expected_codes)
    assert_allclose(proba, expected_proba, rtol=1e-6)


def test_tile_files_byte_identical_across_block_sizes(tmp_path, mosaic):
    model, scene, _ = mosaic
    source = _write(tmp_path / "mosaic.tif", scene)
    written = []
    for block_size, n_jobs in ((64, None), (200, 2), (1000, None)):
        path = classify_raster(model, source, tmp_path / f"t{block_size}.tif",
                               mode="tile", tile_size=64, stride=32,
                               block_size=block_size, n_jobs=n_jobs,
                               probabilities=True, reject=0.5, verbose=False)
        written.append([path.read_bytes(),
                        path.with_name(f"t{block_size}_proba.tif").read_bytes()])
    assert written[0] == written[1] == written[2]


# -- bands, scale, nodata -------------------------------------------------------

def test_bands_and_linear_scale_of_a_16_bit_scene(mosaic):
    model, scene, _ = mosaic
    expected = _twin_codes(model, scene, 64, 64)[0]
    nir = np.full(scene.shape[:2] + (1,), 9000, dtype=np.uint16)
    wide = np.concatenate([nir, scene.astype(np.uint16) * 257], axis=-1)  # 0..65535
    for scale in ((0, 65535), ([0, 0, 0], [65535] * 3),
                  lambda block: (block // 257).astype(np.uint8)):
        codes = classify_raster(model, wide, None, mode="tile", tile_size=64,
                                bands=[2, 3, 4], scale=scale, verbose=False)
        assert_array_equal(codes, expected)


def test_percentile_scale_is_computed_once(mosaic):
    model, scene, _ = mosaic
    wide = (scene.astype(np.uint16) * 40 + 300)
    low, high = np.percentile(wide.reshape(-1, 3), [2, 98], axis=0)
    stretched = np.clip((wide - low) / (high - low), 0, 1)
    stretched = np.rint(stretched * 255).astype(np.uint8)
    expected = _twin_codes(model, stretched, 64, 64)[0]
    for block_size in (64, 300):
        codes = classify_raster(model, wide, None, mode="tile", tile_size=64,
                                scale="percentile", block_size=block_size,
                                verbose=False)
        assert_array_equal(codes, expected)


def test_nodata_tiles_are_zero(tmp_path, mosaic):
    model, scene, _ = mosaic
    holed = scene.copy()
    holed[64:128, 128:192] = 0  # one whole cell
    holed[0:10, 0:10] = 0  # part of a cell: still classified
    source = _write(tmp_path / "holed.tif", holed, nodata=0)
    codes = classify_raster(model, source, None, mode="tile", tile_size=64,
                            verbose=False)
    assert codes[1, 2] == 0
    assert (np.delete(codes.ravel(), 1 * 8 + 2) > 0).all()


# -- the list of tiles ------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".geojson", ".csv"])
def test_tiles_out_lists_chosen_classes(tmp_path, mosaic, suffix):
    model, scene, _ = mosaic
    source = _write(tmp_path / "mosaic.tif", scene)
    listing = tmp_path / f"forest{suffix}"
    codes, proba = classify_raster(model, source, None, mode="tile", tile_size=64,
                                   tiles_out=listing, probabilities=True,
                                   tile_classes=["Forest", "SeaLake"], verbose=False)
    wanted = np.isin(codes, [2, 4])
    if suffix == ".csv":
        with open(listing, newline="") as stream:
            sides = ("left", "bottom", "right", "top")
            records = [{**row, "row": int(row["row"]), "col": int(row["col"]),
                        "bounds": [float(row[side]) for side in sides],
                        "probability": float(row["probability"])}
                       for row in csv.DictReader(stream)]
    else:
        collection = json.loads(listing.read_text())
        assert collection["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::32633"
        pyogrio = pytest.importorskip("pyogrio")
        assert pyogrio.read_info(listing)["crs"] == CRS  # GDAL reads the CRS back
        records = []
        for feature in collection["features"]:
            xs, ys = zip(*feature["geometry"]["coordinates"][0])
            records.append({**feature["properties"],
                            "bounds": [min(xs), min(ys), max(xs), max(ys)]})
    assert len(records) == wanted.sum() > 0
    for record in records:
        r, c = record["row"], record["col"]
        assert wanted[r, c]
        assert record["class"] == CLASSES[codes[r, c] - 1]
        assert record["probability"] == pytest.approx(proba[r, c].max(), rel=1e-6)
        bottom_row, right_col = min(360, (r + 1) * 64), min(488, (c + 1) * 64)
        left, top = TRANSFORM @ (c * 64, r * 64)
        right, bottom = TRANSFORM @ (right_col, bottom_row)
        assert record["bounds"] == [left, bottom, right, top]


# -- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({}, "tile_size must be an int >= 1 in mode='tile'"),
    ({"tile_size": 0}, "tile_size must be an int >= 1"),
    ({"tile_size": 64, "stride": 65}, r"stride must be an int in 1..tile_size \(64\)"),
    ({"tile_size": 64, "stride": 0}, "stride must be an int in 1..tile_size"),
    ({"tile_size": 64, "scale": "minmax"}, "must be None, 'percentile', a pair.*it "
                                            "is not a pair"),
    ({"tile_size": 64, "scale": (10, 5)}, "high must be greater than low"),
    ({"tile_size": 64, "scale": (0, [1, np.inf])}, "must be finite numbers"),
    ({"tile_size": 64, "scale": 3}, "it is not a pair"),
    ({"tile_size": 64, "tiles_out": "tiles.shp"}, r"tiles_out must end in \.geojson"),
    ({"tile_size": 64, "tiles_out": "missing/tiles.csv"}, "does not exist"),
    ({"tile_size": 64, "tile_classes": ["Desert"]}, r"tile_classes must be labels of "
                                                    r"the model's classes_"),
])
def test_bad_tile_arguments(tmp_path, monkeypatch, mosaic, kwargs, message):
    model, scene, _ = mosaic
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=message):
        classify_raster(model, scene, tmp_path / "tiles.tif", mode="tile",
                        verbose=False, **kwargs)
    assert list(tmp_path.iterdir()) == []


# -- partly valid tiles: nodata filled from the tile's valid pixels -----------------

def _band_means(tiles):
    return tiles.reshape(len(tiles), -1, tiles.shape[-1]).mean(axis=1)


@pytest.fixture(scope="module")
def mean_model(mosaic):
    """Naive Bayes on the band means of the mosaic's tiles (fails on NaN input)."""
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    _, scene, truth = mosaic
    tiles = _twin_tiles(scene.astype(np.float32), 64, 64)
    return make_pipeline(FunctionTransformer(_band_means), GaussianNB()).fit(
        tiles, truth.ravel())


def _filled_twin_codes(model, scene, valid, tile_size, stride, stretch=None):
    """Codes of the tiles cut one by one, nodata set to the tile's valid mean."""
    offset = (tile_size - stride) // 2
    shape = (math.ceil(scene.shape[0] / stride), math.ceil(scene.shape[1] / stride))
    codes = np.zeros(shape, dtype=np.uint8)
    for r, c in np.ndindex(shape):
        top, left = r * stride - offset, c * stride - offset
        cut = np.s_[max(top, 0):top + tile_size, max(left, 0):left + tile_size]
        part, inside = scene[cut], valid[cut]
        if not inside.any():
            continue
        mean = np.nanmean(np.where(inside[..., None], part, np.nan), axis=(0, 1))
        if scene.dtype.kind in "iu":
            mean = np.rint(mean)
        part = np.where(inside[..., None], part, mean.astype(scene.dtype))
        pad = ((max(-top, 0), tile_size - part.shape[0] - max(-top, 0)),
               (max(-left, 0), tile_size - part.shape[1] - max(-left, 0)), (0, 0))
        tile = np.pad(part, pad, mode="symmetric")
        tile = tile if stretch is None else stretch(tile)
        codes[r, c] = np.argmax(model.predict_proba(tile[np.newaxis])) + 1
    return codes


def _percentile_stretch(scene, valid):
    low, high = np.percentile(scene[valid].astype(np.float64), [2, 98], axis=0)
    return lambda tile: np.rint(np.clip((tile - low) / (high - low), 0, 1)
                                * 255).astype(np.uint8)


@pytest.mark.parametrize("scale", [None, "percentile"])
def test_float_scene_with_a_nan_collar(mosaic, mean_model, scale):
    _, scene, _ = mosaic
    valid = np.ones(scene.shape[:2], dtype=bool)
    valid[:10], valid[:, -50:] = False, False  # the last column of cells: all NaN
    valid[150:170, 200:210] = False
    nan_scene = np.where(valid[..., None], scene, np.nan).astype(np.float32)
    model = mean_model
    if scale == "percentile":
        model, stretch = mosaic[0], _percentile_stretch(nan_scene, valid)
    else:
        stretch = None
    for stride in (64, 32):
        expected = _filled_twin_codes(model, nan_scene, valid, 64, stride, stretch)
        assert (expected[:, -1] == 0).all() and (expected[:, :-1] > 0).all()
        for block_size in (64, 200):
            codes = classify_raster(model, nan_scene, None, mode="tile",
                                    tile_size=64, stride=stride, scale=scale,
                                    block_size=block_size, verbose=False)
            assert_array_equal(codes, expected)


@pytest.mark.parametrize("scale", [None, "percentile"])
def test_rgb_byte_zero_collar(rgb_geotiff_dir, mosaic, scale):
    """RGB.byte.tif: the collar's 0s are filled, tiles wholly in it stay nodata."""
    model = mosaic[0]
    path = rgb_geotiff_dir / "RGB.byte.tif"
    with rasterio.open(path) as dataset:
        scene = np.moveaxis(dataset.read(), 0, -1)
        valid = dataset.dataset_mask() != 0
    stretch = None if scale is None else _percentile_stretch(scene, valid)
    expected = _filled_twin_codes(model, scene, valid, 64, 64, stretch)
    assert (expected == 0).any() and (expected > 0).any()
    for block_size in (128, 512):
        codes = classify_raster(model, path, None, mode="tile", tile_size=64,
                                scale=scale, block_size=block_size, verbose=False)
        assert_array_equal(codes, expected)
