"""Reading rasters by windows: files (GeoTIFF, ENVI) and arrays, halos, masks, errors.

The twin is rasterio reading the whole file at once, then NumPy slicing and
``numpy.pad(..., mode='reflect')``.
"""

import pickle

import numpy as np
import pytest

from classical.geo import Raster, Window, open_raster

rasterio = pytest.importorskip("rasterio")
pytestmark = pytest.mark.filterwarnings(
    "ignore::rasterio.errors.NotGeoreferencedWarning")

STACK = "LE70220491999322EDC01_stack.gtif"


def _whole(path):
    """The twin: rasterio's own read of every band, bands last."""
    with rasterio.open(path) as dataset:
        return np.moveaxis(dataset.read(), 0, -1), dataset.profile, dataset.descriptions


def _padded_slice(whole, window, halo):
    padded = np.pad(whole, ((halo, halo), (halo, halo), (0, 0)), mode="reflect")
    return padded[window.row:window.row + window.height + 2 * halo,
                  window.col:window.col + window.width + 2 * halo]


def _coverage(windows, shape):
    count = np.zeros(shape, dtype=int)
    for w in windows:
        count[w.row:w.row + w.height, w.col:w.col + w.width] += 1
    return count


# -- metadata ---------------------------------------------------------------

def test_file_metadata_matches_rasterio(landsat7_dir):
    path = landsat7_dir / STACK
    whole, profile, descriptions = _whole(path)
    with open_raster(path) as raster:
        assert raster.shape == whole.shape
        assert raster.dtype == whole.dtype
        assert raster.crs == profile["crs"]
        assert raster.transform == profile["transform"]
        assert raster.nodata == profile["nodata"]
        assert raster.band_names == tuple(d or "" for d in descriptions)
        assert raster.band_names[5] == "band 7 reflectance"
        assert raster.band_names[7] == ""
        assert raster.block_shape == (profile["blockysize"], profile["blockxsize"])
        np.testing.assert_array_equal(raster.read(), whole)


def test_overrides_replace_file_metadata(landsat7_dir):
    names = [f"b{i}" for i in range(8)]
    raster = open_raster(landsat7_dir / STACK, crs="EPSG:4326", nodata=0,
                         transform=(10.0, 1.0, 0.0, 20.0, 0.0, -1.0), band_names=names)
    assert raster.crs == rasterio.crs.CRS.from_epsg(4326)
    assert raster.transform.to_gdal() == (10.0, 1.0, 0.0, 20.0, 0.0, -1.0)
    assert raster.nodata == 0 and raster.band_names == tuple(names)
    clone = pickle.loads(pickle.dumps(raster))
    assert (clone.crs, clone.transform, clone.nodata, clone.band_names) == (
        raster.crs, raster.transform, raster.nodata, raster.band_names)


def test_array_metadata():
    array = np.arange(5 * 7 * 2, dtype=np.float32).reshape(5, 7, 2)
    raster = open_raster(array, transform=(100.0, 30.0, 0.0, 200.0, 0.0, -30.0),
                         crs="EPSG:32615")
    assert raster.path is None and raster.shape == (5, 7, 2)
    assert raster.transform.c == 100.0 and raster.transform.e == -30.0
    assert raster.crs.to_epsg() == 32615
    assert raster.band_names == ("", "")
    assert open_raster(raster) is raster
    flat = open_raster(array[:, :, 0])
    np.testing.assert_array_equal(flat.read(), array[:, :, :1])


# -- windows and halos ------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (250, 251), (64, 64)])
@pytest.mark.parametrize("block_size", [1, 5, 64, (3, 17), None])
def test_windows_cover_every_pixel_once(shape, block_size):
    raster = open_raster(np.zeros(shape, dtype=np.uint8))
    assert (_coverage(raster.windows(block_size), shape) == 1).all()


def test_windows_align_to_file_blocks(landsat7_dir, rgb_geotiff_dir):
    # the stack is striped with 2-row strips of 250 columns
    raster = open_raster(landsat7_dir / STACK)
    windows = raster.windows(101)
    assert (_coverage(windows, (250, 250)) == 1).all()
    assert all(w.row % 2 == 0 for w in windows)
    assert {w.height for w in windows if w.row + w.height < 250} == {100}
    rgb = open_raster(rgb_geotiff_dir / "RGB.byte.tif")  # 3-row strips
    assert all(w.row % 3 == 0 for w in rgb.windows(128))
    assert (_coverage(rgb.windows(128), (718, 791)) == 1).all()


@pytest.mark.parametrize("halo", [0, 1, 4])
def test_halo_reads_equal_reflect_padding_file(rgb_geotiff_dir, halo):
    path = rgb_geotiff_dir / "RGB.byte.tif"
    whole, _, _ = _whole(path)
    with open_raster(path) as raster:
        for window in raster.windows(97):
            np.testing.assert_array_equal(
                raster.read(window, halo=halo), _padded_slice(whole, window, halo))


@pytest.mark.parametrize("block_size", [1, 3, 6])
def test_halo_reads_equal_reflect_padding_array(block_size):
    rng = np.random.default_rng(0)
    whole = rng.integers(0, 1000, size=(7, 11, 3)).astype(np.int16)
    raster = open_raster(whole)
    for halo in (1, 2, 6):
        for window in raster.windows(block_size):
            np.testing.assert_array_equal(
                raster.read(window, halo=halo, bands=[3, 1]),
                _padded_slice(whole[:, :, [2, 0]], window, halo))


def test_filter_on_halo_blocks_equals_whole_scene(landsat7_dir):
    from scipy.ndimage import uniform_filter
    raster = open_raster(landsat7_dir / STACK)
    whole = raster.read(bands=4).astype(np.float64)[:, :, 0]
    expected = uniform_filter(whole, size=7, mode="mirror")
    result = np.empty_like(expected)
    for w in raster.windows(64):
        block = raster.read(w, halo=3, bands=[4]).astype(np.float64)[:, :, 0]
        result[w.row:w.row + w.height, w.col:w.col + w.width] = \
            uniform_filter(block, size=7, mode="mirror")[3:-3, 3:-3]
    np.testing.assert_allclose(result, expected)


def test_envi_round_trip(landsat7_dir, tmp_path):
    whole, profile, _ = _whole(landsat7_dir / STACK)
    path = tmp_path / "stack.img"
    profile = {**profile, "driver": "ENVI"}
    for key in ("blockxsize", "blockysize", "tiled", "interleave"):
        profile.pop(key, None)
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(np.moveaxis(whole, -1, 0))
        dataset.set_band_description(1, "blue")
    with open_raster(path) as raster:
        assert raster.crs == profile["crs"] and raster.transform == profile["transform"]
        assert raster.band_names[0] == "blue"
        for window in raster.windows(60):
            np.testing.assert_array_equal(
                raster.read(window, halo=2), _padded_slice(whole, window, 2))


# -- masks ------------------------------------------------------------------

def test_valid_mask_file_matches_rasterio(rgb_geotiff_dir):
    path = rgb_geotiff_dir / "RGB.byte.tif"
    with rasterio.open(path) as dataset:
        expected = dataset.dataset_mask() != 0
        whole = np.moveaxis(dataset.read(), 0, -1)
    assert not expected.all()
    np.testing.assert_array_equal(expected, (whole != 0).any(axis=-1))
    raster = open_raster(path)
    np.testing.assert_array_equal(raster.valid_mask(), expected)
    w = Window(100, 50, 40, 300)
    np.testing.assert_array_equal(raster.valid_mask(w), expected[100:140, 50:350])


def test_valid_mask_array_all_nodata_or_any_nan():
    array = np.ones((3, 4, 2), dtype=np.float32)
    array[0, 0] = -1          # all bands nodata
    array[0, 1, 0] = -1       # one band only: still valid
    array[1, 2, 1] = np.nan   # any band NaN
    mask = open_raster(array, nodata=-1).valid_mask()
    expected = np.ones((3, 4), dtype=bool)
    expected[0, 0] = expected[1, 2] = False
    np.testing.assert_array_equal(mask, expected)
    assert open_raster(np.nan_to_num(array).astype(np.int16)).valid_mask().all()


# -- spec and pickling ------------------------------------------------------

def test_spec_reopens_and_reads_same_window(landsat7_dir):
    raster = open_raster(landsat7_dir / STACK, nodata=0)
    spec = pickle.loads(pickle.dumps(raster.spec()))
    assert spec["source"] == str(landsat7_dir / STACK)
    other = Raster.from_spec(spec)
    window = Window(10, 20, 30, 40)
    np.testing.assert_array_equal(other.read(window, halo=2),
                                  raster.read(window, halo=2))
    assert other.nodata == 0
    array = open_raster(np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(Raster.from_spec(array.spec()).read(), array.read())


# -- errors -----------------------------------------------------------------

def test_missing_and_not_raster_files(tmp_path):
    with pytest.raises(ValueError, match="absent.tif' does not exist"):
        open_raster(tmp_path / "absent.tif")
    with pytest.raises(ValueError, match="is a directory; give the path of a raster"):
        open_raster(tmp_path)
    text = tmp_path / "notes.tif"
    text.write_text("not a raster")
    with pytest.raises(ValueError, match="notes.tif.*is not a raster GDAL can read"):
        open_raster(text)


def test_truncated_geotiff(landsat7_dir, tmp_path):
    data = (landsat7_dir / STACK).read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError,
                       match="cut.tif.*IReadBlock failed.*truncated or corrupt"):
        open_raster(cut).read()
    with pytest.raises(ValueError, match="cut.tif.*truncated or corrupt"):
        open_raster(cut).valid_mask()


def test_source_type_and_shape_errors():
    with pytest.raises(TypeError, match="source must be a raster file path or an"):
        open_raster([[1, 2], [3, 4]])
    with pytest.raises(ValueError,
                       match="shape \\(H, W, B\\) or \\(H, W\\); got 4 dimensions"):
        open_raster(np.zeros((2, 3, 4, 5)))
    with pytest.raises(TypeError, match="must hold numbers"):
        open_raster(np.array([["a"]]))
    with pytest.raises(ValueError, match="one name per band \\(2\\); got 1"):
        open_raster(np.zeros((2, 2, 2)), band_names=["x"])
    with pytest.raises(ValueError, match="GDAL geotransform of 6 numbers"):
        open_raster(np.zeros((2, 2)), transform=(1, 2, 3))
    with pytest.raises(ValueError, match="crs 'nowhere' is not a coordinate"):
        open_raster(np.zeros((2, 2)), crs="nowhere")
    raster = open_raster(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="opened Raster together with crs"):
        open_raster(raster, crs="EPSG:4326")


def test_read_argument_errors():
    raster = open_raster(np.zeros((6, 8, 3)))
    with pytest.raises(ValueError, match="1-based band indices in 1..3.*got \\[0\\]"):
        raster.read(bands=[0])
    with pytest.raises(ValueError, match="1-based band indices in 1..3.*got 4"):
        raster.read(bands=4)
    with pytest.raises(ValueError, match="halo=6 is too large for the 6 x 8 scene"):
        raster.read(halo=6)
    with pytest.raises(ValueError, match="halo must be an int >= 0"):
        raster.read(halo=-1)
    with pytest.raises(ValueError, match="not inside the 6 x 8 scene"):
        raster.read(Window(5, 0, 2, 2))
    with pytest.raises(TypeError, match="window must be a Window"):
        raster.read("all")
    with pytest.raises(ValueError, match="block_size must be an int >= 1"):
        raster.windows(0)


# -- more file layouts, threads, and no rasterio ----------------------------

def _write_tif(path, pixels, **profile):
    """Write (H, W, B) pixels as a GeoTIFF with rasterio."""
    height, width, count = pixels.shape
    with rasterio.open(path, "w", driver="GTiff", height=height, width=width,
                       count=count, dtype=pixels.dtype.name, **profile) as dataset:
        dataset.write(np.moveaxis(pixels, -1, 0))


def test_windows_align_to_tiles(tmp_path):
    pixels = np.arange(300 * 200, dtype=np.uint16).reshape(300, 200, 1)
    path = tmp_path / "tiled.tif"
    _write_tif(path, pixels, tiled=True, blockxsize=64, blockysize=32)
    raster = open_raster(path)
    assert raster.block_shape == (32, 64)
    windows = raster.windows(100)
    assert {(w.height, w.width) for w in windows if w.row + w.height < 300
            and w.col + w.width < 200} == {(96, 64)}
    assert (_coverage(windows, (300, 200)) == 1).all()
    # where the file's blocks are larger than asked, the size asked is kept
    assert raster.windows((20, 500))[0] == Window(0, 0, 20, 200)


def test_valid_mask_float_file_nodata_and_nan(tmp_path):
    pixels = np.ones((5, 6, 2), dtype=np.float32)
    pixels[0, 0] = -1                 # all bands nodata
    pixels[1, 1, 0] = -1              # one band only
    pixels[2, 2, 1] = np.nan          # any band NaN
    path = tmp_path / "float.tif"
    _write_tif(path, pixels, nodata=-1)
    expected = np.ones((5, 6), dtype=bool)
    expected[0, 0] = expected[2, 2] = False
    np.testing.assert_array_equal(open_raster(path).valid_mask(), expected)
    np.testing.assert_array_equal(
        open_raster(path).valid_mask(Window(1, 1, 3, 3)), expected[1:4, 1:4])
    overridden = open_raster(path, nodata=1)  # all-ones pixels become nodata
    expected_override = ~(pixels == 1).all(axis=-1) & ~np.isnan(pixels).any(axis=-1)
    np.testing.assert_array_equal(overridden.valid_mask(), expected_override)


def test_tags_and_ungeoreferenced_file(tmp_path):
    path = tmp_path / "plain.tif"
    with pytest.warns(rasterio.errors.NotGeoreferencedWarning):
        _write_tif(path, np.zeros((3, 4, 1), np.uint8))
    with rasterio.open(path, "r+") as dataset:
        dataset.update_tags(answer="42")
    raster = open_raster(path)
    assert raster.transform is None and raster.crs is None
    assert raster.tags()["answer"] == "42"
    assert open_raster(np.zeros((2, 2))).tags() == {}


def test_threads_share_one_raster(rgb_geotiff_dir):
    from concurrent.futures import ThreadPoolExecutor
    path = rgb_geotiff_dir / "RGB.byte.tif"
    whole, _, _ = _whole(path)
    raster = open_raster(path)
    windows = raster.windows(64)
    with ThreadPoolExecutor(4) as pool:
        blocks = list(pool.map(lambda w: raster.read(w, halo=2), windows))
    for window, block in zip(windows, blocks):
        np.testing.assert_array_equal(block, _padded_slice(whole, window, 2))


def test_arrays_need_no_rasterio_and_files_say_how_to_install():
    import subprocess
    import sys
    code = (
        "import sys; sys.modules['rasterio'] = None\n"
        "import numpy as np\n"
        "from classical.geo import open_raster\n"
        "r = open_raster(np.arange(12.0).reshape(3, 4), crs='EPSG:4326',"
        " transform=(0, 1, 0, 0, 0, -1), nodata=0)\n"
        "assert r.read(halo=1).shape == (5, 6, 1) and r.crs == 'EPSG:4326'\n"
        "assert r.valid_mask().sum() == 11 and r.windows(2)\n"
        "try:\n"
        "    open_raster('scene.tif')\n"
        "except ImportError as error:\n"
        "    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, check=True)
    assert 'pip install "classical-vision[geo]"' in result.stdout


def test_relative_path_is_kept_absolute_for_workers(tmp_path, monkeypatch):
    path = tmp_path / "scene.tif"
    _write_tif(path, np.arange(24, dtype=np.uint8).reshape(4, 6, 1))
    monkeypatch.chdir(tmp_path)
    spec = open_raster("scene.tif").spec()
    assert spec["source"] == str(path)
    monkeypatch.chdir("/")  # a worker started elsewhere
    np.testing.assert_array_equal(Raster.from_spec(spec).read()[..., 0],
                                  np.arange(24).reshape(4, 6))
