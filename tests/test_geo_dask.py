"""Dask: blocks as tasks of a LocalCluster (byte-identical maps), and classify_array.

The cluster's workers are threads of this process (``processes=False``); the
tests check that the blocks ran on them, not in the calling thread.
"""

import threading

import dask.array as da
import numpy as np
import pytest
import rasterio
import xarray as xr
from distributed import Client, LocalCluster, get_task_stream, get_worker
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC

import classical
from classical.geo import (
    NeighbourhoodFeatures,
    classify_array,
    classify_raster,
    fit_raster,
    open_raster,
)
from classical.geo._dask import client_results

from .conftest import shared_dataset

STACK = "LE70220491999322EDC01_stack.gtif"
SEVEN = [1, 2, 3, 4, 5, 6, 7]
RAN_ON = []


class RecordingBayes(GaussianNB):
    """Naive Bayes noting the thread and Dask worker of every call."""

    @staticmethod
    def _record():
        try:
            worker = get_worker().address
        except ValueError:  # not inside a Dask task
            worker = None
        RAN_ON.append((threading.current_thread().name, worker))

    def predict(self, X):
        self._record()
        return super().predict(X)

    def predict_proba(self, X):
        self._record()
        return super().predict_proba(X)


@pytest.fixture(scope="module")
def client():
    with LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                      dashboard_address=":0") as cluster, Client(cluster) as connected:
        yield connected


@pytest.fixture(scope="module")
def landsat():
    path = shared_dataset("landsat7_training_geotiff") / STACK
    with rasterio.open(path) as dataset:
        image = np.moveaxis(dataset.read(), 0, -1)[..., :7]
    with rasterio.open(path.with_name("training_data.gtif")) as dataset:
        labels = dataset.read(1)
    return path, image, labels


@pytest.fixture(scope="module")
def spatial_model(landsat):
    _, image, labels = landsat
    step = NeighbourhoodFeatures(size=5, texture=()).fit(image)
    mask = labels > 0
    bayes = RecordingBayes().fit(step.transform(image)[mask], labels[mask])
    return Pipeline([("neighbourhood", step), ("bayes", bayes)])


def _outputs(path):
    return [path.read_bytes(), path.with_name(path.stem + "_proba.tif").read_bytes()]


# -- classify_raster with a client ------------------------------------------

def test_cluster_map_is_byte_identical_and_ran_on_workers(tmp_path, client, landsat,
                                                          spatial_model):
    path = landsat[0]
    local = classify_raster(spatial_model, path, tmp_path / "local.tif", bands=SEVEN,
                            block_size=100, probabilities=True, verbose=False)
    RAN_ON.clear()
    with get_task_stream(client) as stream:
        remote = classify_raster(spatial_model, path, tmp_path / "dask.tif",
                                 bands=SEVEN, block_size=64, probabilities=True,
                                 client=client, verbose=False)
    assert _outputs(remote) == _outputs(local)
    n_blocks = len(open_raster(path).windows(64))
    tasks = [t for t in stream.data if t["key"].startswith("_block_task")]
    assert len(tasks) == n_blocks == 16
    assert len({t["worker"] for t in tasks}) == 2  # both workers took blocks
    assert len(RAN_ON) == n_blocks
    workers = set(client.scheduler_info()["workers"])
    main = threading.current_thread().name
    assert all(thread != main and worker in workers for thread, worker in RAN_ON)


def test_scheduler_address_and_tile_mode(tmp_path, client):
    root = shared_dataset("eurosat_rgb")
    names = ["Forest", "SeaLake"]
    files = [p for n in names for p in sorted((root / n).glob("*.jpg"))[:12]]
    images = classical.datasets.load_images(files).images
    model = classical.make_pipeline("color-rf", forest__n_estimators=20)
    model.fit(images, np.repeat(names, 12))
    scene = np.concatenate([np.concatenate(list(images[i:i + 6]), axis=1)
                            for i in range(0, 24, 6)])[:230, :350]
    address = client.scheduler.address
    kwargs = {"mode": "tile", "tile_size": 64, "stride": 32, "probabilities": True,
              "verbose": False}
    local = classify_raster(model, scene, tmp_path / "local.tif", block_size=128,
                            **kwargs)
    remote = classify_raster(model, scene, tmp_path / "dask.tif", block_size=64,
                             client=address, **kwargs)
    assert _outputs(remote) == _outputs(local)


def test_blocks_in_flight_are_bounded(client, landsat):
    path, image, labels = landsat
    mask = labels > 0
    model = GaussianNB().fit(image[mask], labels[mask])
    raster = open_raster(path)
    from classical.geo._classify import _plan

    plan, windows = _plan(model, raster, SEVEN, 32, mode="pixel", reject=None,
                          probabilities=False, confidence=False)
    taken = []

    def handed_out():
        for window in windows:
            taken.append(window)
            yield window

    results = client_results(client, plan, model, raster, handed_out(), in_flight=3)
    for count, result in enumerate(results, 1):
        assert len(taken) <= count + 3  # never more than 3 blocks ahead
        assert result.window == windows[count - 1]  # in order
    assert count == len(windows) == 64


def test_error_in_a_task_leaves_no_file(tmp_path, client, landsat):
    path, image, labels = landsat
    source = tmp_path / "in" / "truncated.tif"
    source.parent.mkdir()
    data = path.read_bytes()
    source.write_bytes(data[:len(data) // 2])
    mask = labels > 0
    model = GaussianNB().fit(image[mask], labels[mask])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValueError, match="truncated or corrupt"):
        classify_raster(model, source, out / "map.tif", bands=SEVEN, block_size=64,
                        client=client, verbose=False)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("preset", ["pixel-mlc", "pixel-texture-rf"])
def test_presets_fitted_on_the_raster(tmp_path, client, landsat, preset):
    path = landsat[0]
    model = fit_raster(classical.make_pipeline(preset), path,
                       path.with_name("training_data.gtif"), random_state=0)
    written = []
    for name, block_size, on in (("a", 48, None), ("b", 250, None), ("c", 100, client)):
        target = classify_raster(model, path, tmp_path / f"{name}.tif",
                                 block_size=block_size, probabilities=True, client=on,
                                 verbose=False)
        written.append(_outputs(target))
    assert written[0] == written[1] == written[2]


def test_bad_client():
    with pytest.raises(TypeError, match="client must be a dask.distributed.Client or a "
                                        "scheduler address"):
        classify_raster(GaussianNB().fit([[0], [1]], [0, 1]), np.zeros((4, 4, 1)), None,
                        client=42, verbose=False)


# -- classify_array -------------------------------------------------------------

@pytest.mark.parametrize("chunks", [(60, 70), (250, 250), (17, 250)])
def test_array_equals_local_run(landsat, spatial_model, chunks):
    _, image, _ = landsat
    image = image.astype(np.float32)
    image[:3, :40] = np.nan  # nodata
    expected_codes, expected_proba = classify_raster(
        spatial_model, image, None, probabilities=True, reject=0.9, verbose=False)
    chunked = da.from_array(image, chunks=(*chunks, 3))
    codes, proba = classify_array(spatial_model, chunked, probabilities=True,
                                  reject=0.9)
    assert isinstance(codes, da.Array) and isinstance(proba, da.Array)
    codes, proba = da.compute(codes, proba)
    assert_array_equal(codes, expected_codes)
    assert_allclose(proba, expected_proba, rtol=1e-6, atol=1e-7)
    assert (codes[:3, :40] == 0).all() and (codes == 255).any()


def test_array_runs_on_the_cluster(client, landsat, spatial_model):
    _, image, _ = landsat
    RAN_ON.clear()
    codes = classify_array(spatial_model, da.from_array(image, chunks=(125, 125, 7)))
    result = client.compute(codes).result()
    assert result.shape == (250, 250) and len(RAN_ON) == 4
    main = threading.current_thread().name
    assert all(thread != main and worker is not None for thread, worker in RAN_ON)


def test_xarray_in_xarray_out(landsat, spatial_model):
    _, image, _ = landsat
    cube = xr.DataArray(np.moveaxis(image, -1, 0), dims=("band", "y", "x"),
                        coords={"y": np.arange(250) * -30.0, "x": np.arange(250) * 30.0,
                                "band": SEVEN},
                        attrs={"_FillValue": 0}).chunk({"y": 100, "x": 100})
    cube[:, 5, 5] = 0  # every band at the fill value: nodata
    codes, proba = classify_array(spatial_model, cube, probabilities=True)
    assert codes.dims == ("y", "x") and proba.dims == ("y", "x", "class")
    assert_array_equal(codes.x, cube.x)
    assert_array_equal(proba["class"], spatial_model.classes_)
    scene = open_raster(cube.transpose("y", "x", "band").values, nodata=0)
    expected = classify_raster(spatial_model, scene, None, verbose=False)
    assert expected[5, 5] == 0
    assert_array_equal(codes.values, expected)
    assert np.isnan(proba.values[5, 5]).all()


def test_pixel_model_without_halo(landsat):
    _, image, labels = landsat
    mask = labels > 0
    model = SVC(kernel="linear").fit(image[mask][::4], labels[mask][::4])
    codes = classify_array(model, image).compute()
    assert_array_equal(codes, model.predict(image.reshape(-1, 7)).reshape(250, 250))


@pytest.mark.parametrize("array, error, message", [
    ([[1, 2]], TypeError, "array must be a dask.array.Array, a numpy.ndarray or an "
                          "xarray.DataArray; got list"),
    (da.zeros((4, 4)), ValueError, r"array must have shape \(H, W, B\)"),
    (xr.DataArray(np.zeros((4, 4, 7)), dims=("y", "x", "bands")), ValueError,
     "needs 3 dimensions, one of them 'band'"),
])
def test_classify_array_bad_input(landsat, array, error, message):
    _, image, labels = landsat
    model = GaussianNB().fit(image[labels > 0], labels[labels > 0])
    with pytest.raises(error, match=message):
        classify_array(model, array)


def test_classify_array_bad_reject(landsat):
    _, image, labels = landsat
    model = GaussianNB().fit(image[labels > 0], labels[labels > 0])
    with pytest.raises(ValueError, match=r"reject must be a probability threshold in "
                                         r"\(0, 1\) or None; got 2"):
        classify_array(model, image, reject=2)


def test_array_options_need_predict_proba():
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(0)
    model = LinearSVC().fit(rng.normal(size=(40, 3)), np.repeat([1, 2], 20))
    scene = da.from_array(rng.normal(size=(20, 20, 3)), chunks=(10, 10, 3))
    with pytest.raises(ValueError, match="need a model with predict_proba"):
        classify_array(model, scene, reject=0.5)
