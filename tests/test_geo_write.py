"""The class map GeoTIFF read back with rasterio: contract, blocks, atomicity."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from classical.geo import open_raster
from classical.geo._write import (
    ClassMapWriter,
    class_colours,
    class_map_dtype,
)

rasterio = pytest.importorskip("rasterio")
pytestmark = pytest.mark.filterwarnings(
    "ignore::rasterio.errors.NotGeoreferencedWarning")

STACK = "LE70220491999322EDC01_stack.gtif"
NAMES = ["forest", "water", "herbaceous", "barren", "urban"]


def _random_map(shape, n_classes, reject, seed=0):
    """Codes with every value: nodata, each class and the reject value."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_classes + 1, size=shape)
    codes[rng.random(shape) < 0.05] = reject
    proba = rng.random(shape + (n_classes,)).astype(np.float32)
    proba /= proba.sum(axis=-1, keepdims=True)
    proba[codes == 0] = np.nan
    return codes, proba, proba.max(axis=-1)


def _write_by_blocks(path, source, codes, proba, confidence, block_size):
    raster = open_raster(source)
    with ClassMapWriter(path, height=raster.height, width=raster.width,
                        transform=raster.transform, crs=raster.crs,
                        classes=[1, 2, 3, 4, 5], class_names=NAMES,
                        probabilities=True, confidence=True) as writer:
        for w in raster.windows(block_size):
            part = (slice(w.row, w.row + w.height), slice(w.col, w.col + w.width))
            writer.write(w, codes[part], proba[part], confidence[part])
    return raster


def test_class_map_dtype():
    assert class_map_dtype(1) == (np.uint8, 255)
    assert class_map_dtype(254) == (np.uint8, 255)
    assert class_map_dtype(255) == (np.uint16, 65535)
    assert class_map_dtype(65534) == (np.uint16, 65535)
    for bad in (0, 65535, 2.0):
        with pytest.raises(ValueError, match="n_classes must be an int in 1..65534"):
            class_map_dtype(bad)


def test_written_map_follows_the_contract(landsat7_dir, tmp_path):
    source = landsat7_dir / STACK
    codes, proba, confidence = _random_map((250, 250), 5, 255)
    path = tmp_path / "map.tif"
    raster = _write_by_blocks(path, source, codes, proba, confidence, 96)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "map.tif", "map_confidence.tif", "map_proba.tif"]
    with rasterio.open(source) as src, rasterio.open(path) as out:
        assert out.dtypes == ("uint8",) and out.nodata == 0 and out.count == 1
        assert out.crs == src.crs and out.transform == src.transform
        assert out.profile["tiled"] and out.block_shapes == [(256, 256)]
        assert out.compression.name.lower() == "deflate"
        tags = out.tags()
        assert json.loads(tags["class_names"]) == NAMES
        assert json.loads(tags["class_values"]) == [1, 2, 3, 4, 5]
        assert int(tags["reject_value"]) == 255
        colours = out.colormap(1)
        assert colours[0][:3] == (0, 0, 0)
        assert [colours[v] for v in range(1, 6)] == class_colours(NAMES)
        np.testing.assert_array_equal(out.read(1), codes)
    assert raster.crs is not None
    with rasterio.open(tmp_path / "map_proba.tif") as out:
        assert out.count == 5 and out.dtypes == ("float32",) * 5
        assert np.isnan(out.nodata) and out.descriptions == tuple(NAMES)
        assert out.crs == raster.crs and out.transform == raster.transform
        np.testing.assert_array_equal(np.moveaxis(out.read(), 0, -1), proba)
    with rasterio.open(tmp_path / "map_confidence.tif") as out:
        np.testing.assert_array_equal(out.read(1), confidence)


def test_block_size_does_not_change_the_bytes(landsat7_dir, tmp_path):
    codes, proba, confidence = _random_map((250, 250), 5, 255, seed=1)
    for size in (64, 250):
        _write_by_blocks(tmp_path / f"m{size}.tif", landsat7_dir / STACK,
                         codes, proba, confidence, size)
    for suffix in ("", "_proba", "_confidence"):
        assert (tmp_path / f"m64{suffix}.tif").read_bytes() == \
            (tmp_path / f"m250{suffix}.tif").read_bytes()


def test_block_order_does_not_change_the_bytes(tmp_path):
    """Several rows of tiles, blocks written shuffled vs in order, two block sizes."""
    shape = (600, 530)
    codes, proba, _ = _random_map(shape, 3, 255, seed=2)
    raster = open_raster(codes)
    rng = np.random.default_rng(0)
    outputs = []
    for block_size, shuffle in ((100, True), (512, False), (37, True)):
        windows = raster.windows(block_size)
        if shuffle:
            windows = [windows[i] for i in rng.permutation(len(windows))]
        path = tmp_path / f"m{block_size}.tif"
        with ClassMapWriter(path, height=600, width=530, classes=[1, 2, 3],
                            transform=(0.0, 10.0, 0.0, 0.0, 0.0, -10.0),
                            crs="EPSG:3857", probabilities=True) as writer:
            for w in windows:
                part = (slice(w.row, w.row + w.height), slice(w.col, w.col + w.width))
                writer.write(w, codes[part], proba[part])
        proba_path = path.with_name(path.stem + "_proba.tif")
        outputs.append((path.read_bytes(), proba_path.read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]
    with rasterio.open(tmp_path / "m37.tif") as out:
        np.testing.assert_array_equal(out.read(1), codes)


def test_unwritten_pixels_are_nodata(tmp_path):
    path = tmp_path / "part.tif"
    with ClassMapWriter(path, height=300, width=20, transform=None, crs=None,
                        classes=[1, 2], confidence=True) as writer:
        writer.write((0, 0, 10, 20), np.full((10, 20), 2),
                     confidence=np.ones((10, 20)))
        writer.write((280, 0, 20, 20), np.full((20, 20), 1),
                     confidence=np.ones((20, 20)))
    expected = np.zeros((300, 20), int)
    expected[:10], expected[280:] = 2, 1
    with rasterio.open(path) as out:
        np.testing.assert_array_equal(out.read(1), expected)
    with rasterio.open(tmp_path / "part_confidence.tif") as out:
        np.testing.assert_array_equal(np.isnan(out.read(1)), expected == 0)


def test_uint16_map_and_array_without_georeferencing(tmp_path):
    classes = [f"c{i}" for i in range(300)]
    codes, _, _ = _random_map((20, 30), 300, 65535)
    path = tmp_path / "big.tif"
    with ClassMapWriter(path, height=20, width=30, transform=None, crs=None,
                        classes=classes) as writer:
        writer.write(None, codes)
    with rasterio.open(path) as out:
        assert out.dtypes == ("uint16",) and out.crs is None
        np.testing.assert_array_equal(out.read(1), codes)
        assert out.colormap(1)[65535][:3] == (128, 128, 128)
        assert json.loads(out.tags()["class_names"]) == classes
        assert out.tags()["reject_value"] == "65535"
    assert path.stat().st_mode & 0o044  # usual permissions, not mkstemp's 0600


def test_class_colours_named_then_palette():
    colours = class_colours(["Water body", "x", "Forest", "y", "lake"])
    assert colours[0][:3] == (31, 120, 180)   # blue
    assert colours[2][:3] == (27, 120, 55)    # green
    assert len(set(colours)) == 5             # the second water class differs
    many = class_colours([str(i) for i in range(100)])
    assert len(set(many)) == 100 and all(c[3] == 255 for c in many)


def _left_over(folder):
    return sorted(p.name for p in Path(folder).iterdir())


def test_exception_inside_with_leaves_nothing(tmp_path):
    path = tmp_path / "map.tif"
    with pytest.raises(RuntimeError, match="boom"):
        with ClassMapWriter(path, height=10, width=10, transform=None, crs=None,
                            classes=[1, 2], probabilities=True) as writer:
            writer.write((0, 0, 5, 10), np.ones((5, 10), int), np.ones((5, 10, 2)))
            raise RuntimeError("boom")
    assert _left_over(tmp_path) == []


def test_bad_block_leaves_nothing_and_keeps_old_file(tmp_path):
    path = tmp_path / "map.tif"
    path.write_bytes(b"previous map")
    with pytest.raises(ValueError, match="codes must be 0 \\(nodata\\), 1..2"):
        with ClassMapWriter(path, height=4, width=4, transform=None, crs=None,
                            classes=[1, 2]) as writer:
            writer.write(None, np.full((4, 4), 7))
    assert _left_over(tmp_path) == ["map.tif"]
    assert path.read_bytes() == b"previous map"


def test_unwritable_destination_fails_in_constructor(tmp_path):
    kwargs = dict(height=4, width=4, transform=None, crs=None, classes=[1, 2])
    with pytest.raises(ValueError, match="directory .*missing.* does not exist"):
        ClassMapWriter(tmp_path / "missing" / "map.tif", **kwargs)
    with pytest.raises(ValueError, match="is a directory"):
        ClassMapWriter(tmp_path, **kwargs)
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    if os.access(readonly, os.W_OK):  # root ignores permissions: use /proc instead
        readonly = Path("/proc")
    try:
        with pytest.raises(ValueError, match="is not writable"):
            ClassMapWriter(readonly / "map.tif", **kwargs)
    finally:
        (tmp_path / "readonly").chmod(0o755)
    assert _left_over(tmp_path / "readonly") == []


def test_argument_errors(tmp_path):
    kwargs = dict(height=4, width=4, transform=None, crs=None)
    path = tmp_path / "map.tif"
    with pytest.raises(ValueError, match="classes must be distinct.*\\[2\\]"):
        ClassMapWriter(path, classes=[1, 2, 2], **kwargs)
    with pytest.raises(ValueError, match="classes must be a non-empty 1-D"):
        ClassMapWriter(path, classes=[], **kwargs)
    with pytest.raises(ValueError, match="one name per class \\(2"):
        ClassMapWriter(path, classes=[1, 2], class_names=["a"], **kwargs)
    with pytest.raises(ValueError, match="height must be an int >= 1"):
        ClassMapWriter(path, classes=[1], height=0, width=4, transform=None, crs=None)
    writer = ClassMapWriter(path, classes=[1, 2], confidence=True, **kwargs)
    with pytest.raises(ValueError, match="outside its with-block"):
        writer.write(None, np.ones((4, 4), int))
    with writer:
        with pytest.raises(ValueError, match="codes must have shape \\(2, 4\\)"):
            writer.write((0, 0, 2, 4), np.ones((4, 4), int), confidence=np.ones((2, 4)))
        with pytest.raises(ValueError,
                           match="confidence must be given to write\\(\\) exactly"):
            writer.write(None, np.ones((4, 4), int))
        with pytest.raises(ValueError, match="probabilities must be given"):
            writer.write(None, np.ones((4, 4), int), np.ones((4, 4, 2)),
                         np.ones((4, 4)))
        with pytest.raises(ValueError, match="codes must be integers"):
            writer.write(None, np.ones((4, 4)), confidence=np.ones((4, 4)))
        with pytest.raises(ValueError, match="not inside the 4 x 4"):
            writer.write((3, 0, 2, 4), np.ones((2, 4), int), confidence=np.ones((2, 4)))
        writer.write(None, np.ones((4, 4), int), confidence=np.ones((4, 4)))
