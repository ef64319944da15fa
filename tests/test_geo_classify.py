"""classify_raster per pixel: maps equal to the model on the whole scene, any block.

The twin is the model itself applied to every pixel of the whole scene at once
(rasterio reads it; the spatial step runs on the whole image), with the codes
made by hand from ``predict_proba``: ``1 + argmax``, 0 at nodata (rasterio's
``dataset_mask``), 255 below the reject threshold.
"""

import json
import shutil

import numpy as np
import pytest
import rasterio
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC

from classical.classifiers import GaussianMLClassifier
from classical.geo import NeighbourhoodFeatures, classify_raster, open_raster

from .conftest import shared_dataset

pytestmark = pytest.mark.filterwarnings(
    "ignore::rasterio.errors.NotGeoreferencedWarning")

STACK = "LE70220491999322EDC01_stack.gtif"
LABELS = "training_data.gtif"
SEVEN = [1, 2, 3, 4, 5, 6, 7]
NAMES = ["forest", "water", "herbaceous", "barren", "urban"]


def _bands_last(path):
    with rasterio.open(path) as dataset:
        return np.moveaxis(dataset.read(), 0, -1), dataset.dataset_mask() != 0


@pytest.fixture(scope="module")
def landsat():
    """The stack's 7 image bands, its labels and the valid pixels' mask."""
    landsat7_dir = shared_dataset("landsat7_training_geotiff")
    image, valid = _bands_last(landsat7_dir / STACK)
    labels = _bands_last(landsat7_dir / LABELS)[0][..., 0]
    return image[..., :7], labels, valid


@pytest.fixture(scope="module")
def pixel_model(landsat):
    image, labels, _ = landsat
    mask = labels > 0
    return GaussianNB().fit(image[mask], labels[mask])


@pytest.fixture(scope="module")
def spatial_model(landsat):
    """Neighbourhood statistics (halo 2) then naive Bayes, fitted by hand."""
    image, labels, _ = landsat
    step = NeighbourhoodFeatures(size=5, texture=()).fit(image)
    features = step.transform(image)
    mask = labels > 0
    return Pipeline([("neighbourhood", step),
                     ("bayes", GaussianNB().fit(features[mask], labels[mask]))])


def _twin(model, image, valid, reject=None):
    """Codes and probabilities from the model on the whole scene."""
    rows = image.reshape(-1, image.shape[-1])
    if isinstance(model, Pipeline):
        rows = model[0].transform(image).reshape(image.shape[0] * image.shape[1], -1)
        model = model[1:]
    proba = model.predict_proba(rows)
    codes = (np.argmax(proba, axis=1) + 1).astype(np.uint8)
    if reject is not None:
        codes[proba.max(axis=1) < reject] = 255
    shape = image.shape[:2]
    codes = codes.reshape(shape)
    codes[~valid] = 0
    proba = proba.reshape(*shape, -1).astype(np.float32)
    proba[~valid] = np.nan
    return codes, proba


# -- the map equals the model on the whole scene ----------------------------

@pytest.mark.parametrize("block_size", [48, 250])
@pytest.mark.parametrize("kind", ["pixel", "spatial"])
def test_map_equals_model_on_whole_scene(landsat7_dir, landsat, pixel_model,
                                         spatial_model, kind, block_size):
    image, _, valid = landsat
    model = pixel_model if kind == "pixel" else spatial_model
    codes, proba = classify_raster(model, landsat7_dir / STACK, None, bands=SEVEN,
                                   block_size=block_size, probabilities=True,
                                   verbose=False)
    expected_codes, expected_proba = _twin(model, image, valid)
    assert codes.dtype == np.uint8 and codes.shape == image.shape[:2]
    assert_array_equal(codes, expected_codes)  # edges and block seams included
    assert_allclose(proba, expected_proba, rtol=1e-6, atol=1e-7)
    assert set(np.unique(codes)) <= {1, 2, 3, 4, 5}


def test_returns_the_map_alone_without_probabilities(landsat7_dir, pixel_model):
    codes = classify_raster(pixel_model, landsat7_dir / STACK, None, bands=SEVEN,
                            verbose=False)
    assert isinstance(codes, np.ndarray) and codes.shape == (250, 250)


def test_array_source_with_n_jobs(landsat, pixel_model):
    image, _, valid = landsat
    codes = classify_raster(pixel_model, image, None, block_size=40, n_jobs=2,
                            verbose=False)
    assert_array_equal(codes, _twin(pixel_model, image, valid)[0])


# -- files: byte-identical for any block size, georeferenced, tagged ---------

def _outputs(path):
    stem = path.with_suffix("")
    return [path, stem.with_name(stem.name + "_proba.tif"),
            stem.with_name(stem.name + "_confidence.tif")]


def test_files_byte_identical_across_block_sizes(tmp_path, landsat7_dir, spatial_model):
    written = []
    for block_size, n_jobs in ((32, None), (100, 2), (512, None)):
        path = classify_raster(spatial_model, landsat7_dir / STACK,
                               tmp_path / f"map_{block_size}.tif", bands=SEVEN,
                               block_size=block_size, n_jobs=n_jobs, probabilities=True,
                               confidence=True, class_names=NAMES, verbose=False)
        assert path == tmp_path / f"map_{block_size}.tif"
        written.append([p.read_bytes() for p in _outputs(path)])
    assert written[0] == written[1] == written[2]


def test_file_contract_and_georeferencing(tmp_path, landsat7_dir, landsat, pixel_model):
    image, _, valid = landsat
    path = classify_raster(pixel_model, landsat7_dir / STACK, tmp_path / "map.tif",
                           bands=SEVEN, probabilities=True, confidence=True,
                           class_names=NAMES, verbose=False)
    codes, proba = _twin(pixel_model, image, valid)
    with rasterio.open(landsat7_dir / STACK) as source, rasterio.open(path) as output:
        assert output.crs == source.crs and output.transform == source.transform
        assert output.dtypes == ("uint8",)
        tags = output.tags()
        assert_array_equal(output.read(1), codes)
    assert json.loads(tags["class_names"]) == NAMES
    assert json.loads(tags["class_values"]) == [1, 2, 3, 4, 5]
    proba_path, confidence_path = _outputs(path)[1:]
    with rasterio.open(proba_path) as output:
        assert_allclose(np.moveaxis(output.read(), 0, -1), proba, rtol=1e-6, atol=1e-7)
    with rasterio.open(confidence_path) as output:
        assert_allclose(output.read(1), proba.max(axis=-1), rtol=1e-6, atol=1e-7)


# -- nodata, reject ------------------------------------------------------------

@pytest.fixture(scope="module")
def rgb_scene():
    """RGB.byte.tif (a nodata collar) and a model of its bright and dark pixels."""
    path = shared_dataset("rgb_byte_geotiff") / "RGB.byte.tif"
    image, valid = _bands_last(path)
    rows = image[valid][::50]
    model = GaussianNB().fit(rows, np.where(rows.mean(axis=1) > 60, "bright", "dark"))
    return path, image, valid, model


def test_nodata_collar_is_zero_and_nan(rgb_scene):
    path, image, valid, model = rgb_scene
    assert (~valid).sum() > 100_000  # the collar is there
    codes, proba = classify_raster(model, path, None, block_size=200,
                                   probabilities=True, verbose=False)
    expected_codes, _ = _twin(model, image, valid)
    assert_array_equal(codes, expected_codes)
    assert_array_equal(codes == 0, ~valid)
    assert np.isnan(proba[~valid]).all() and not np.isnan(proba[valid]).any()


def test_reject_threshold_gives_reject_value(rgb_scene):
    path, image, valid, model = rgb_scene
    codes = classify_raster(model, path, None, reject=0.99, block_size=300,
                            verbose=False)
    expected = _twin(model, image, valid, reject=0.99)[0]
    assert_array_equal(codes, expected)
    assert 0 < (codes == 255).sum() < valid.sum()  # some rejected, not all


def test_gaussian_ml_keeps_its_own_reject_rule(landsat, landsat7_dir):
    image, labels, valid = landsat
    mask = labels > 0
    model = GaussianMLClassifier(reject_threshold=1e-3, unknown_label=0).fit(
        image[mask].astype(float), labels[mask])
    codes = classify_raster(model, landsat7_dir / STACK, None, bands=SEVEN,
                            block_size=64, verbose=False)
    predicted = model.predict(image.reshape(-1, 7).astype(float)).reshape(250, 250)
    expected = np.where(predicted == 0, 255, predicted)
    assert_array_equal(codes, expected)
    assert (codes == 255).any()


def test_model_without_predict_proba_uses_predict(landsat, landsat7_dir):
    image, labels, valid = landsat
    mask = labels > 0
    model = SVC(kernel="linear").fit(image[mask][::4], labels[mask][::4])
    codes = classify_raster(model, landsat7_dir / STACK, None, bands=SEVEN,
                            block_size=100, verbose=False)
    assert_array_equal(codes, model.predict(image.reshape(-1, 7)).reshape(250, 250))


# -- bad input: a clear error before any work, and no file left --------------

def _assert_nothing_written(folder, keep=()):
    assert sorted(p.name for p in folder.iterdir()) == sorted(keep)


def test_truncated_geotiff(tmp_path, landsat7_dir, pixel_model):
    source = tmp_path / "in" / "truncated.tif"
    source.parent.mkdir()
    data = (landsat7_dir / STACK).read_bytes()
    source.write_bytes(data[:len(data) * 2 // 3])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValueError, match="truncated or corrupt"):
        classify_raster(pixel_model, source, out / "map.tif", bands=SEVEN,
                        probabilities=True, block_size=64, verbose=False)
    _assert_nothing_written(out)


def test_band_count_differs_from_model(tmp_path, landsat7_dir, pixel_model):
    with pytest.raises(ValueError, match="raster has 8 bands but the model was fitted "
                                         "on 7 features"):
        classify_raster(pixel_model, landsat7_dir / STACK, tmp_path / "map.tif",
                        verbose=False)
    with pytest.raises(ValueError, match="3 bands selected but .* 7 features"):
        classify_raster(pixel_model, landsat7_dir / STACK, tmp_path / "map.tif",
                        bands=[1, 2, 3], verbose=False)
    _assert_nothing_written(tmp_path)


def test_all_nodata_scene(tmp_path, landsat7_dir, pixel_model):
    source = tmp_path / "empty.tif"
    profile = {"driver": "GTiff", "height": 40, "width": 30, "count": 7,
               "dtype": "int16", "nodata": -9999, "crs": "EPSG:32615",
               "transform": rasterio.Affine(30, 0, 462405, 0, -30, 1741815)}
    with rasterio.open(source, "w", **profile) as dataset:
        dataset.write(np.full((7, 40, 30), -9999, dtype=np.int16))
    with pytest.raises(ValueError, match="Every pixel of .*empty.tif' is nodata"):
        classify_raster(pixel_model, source, tmp_path / "map.tif", verbose=False)
    with pytest.raises(ValueError, match="Every pixel of the array is nodata"):
        classify_raster(pixel_model, np.full((20, 20, 7), np.nan), None, verbose=False)
    _assert_nothing_written(tmp_path, keep=["empty.tif"])


def test_unwritable_destination(tmp_path, landsat7_dir, pixel_model):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    for destination, message in ((tmp_path / "missing" / "map.tif", "does not exist"),
                                 (blocker / "map.tif", "does not exist"),
                                 (tmp_path, "is a directory")):
        with pytest.raises(ValueError, match=message):
            classify_raster(pixel_model, landsat7_dir / STACK, destination,
                            bands=SEVEN, verbose=False)
    _assert_nothing_written(tmp_path, keep=["a_file"])


def test_failure_midway_leaves_no_file(tmp_path, landsat7_dir, landsat):
    image, labels, _ = landsat
    mask = labels > 0

    class Failing(GaussianNB):
        calls = 0

        def predict_proba(self, X):
            Failing.calls += 1
            if Failing.calls == 3:
                raise RuntimeError("worker lost")
            return super().predict_proba(X)

    model = Failing().fit(image[mask], labels[mask])
    with pytest.raises(RuntimeError, match="worker lost"):
        classify_raster(model, landsat7_dir / STACK, tmp_path / "map.tif", bands=SEVEN,
                        block_size=64, probabilities=True, verbose=False)
    _assert_nothing_written(tmp_path)


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "tiles"}, "mode must be one of 'pixel', 'tile'; got 'tiles'"),
    ({"block_size": 0}, "block_size must be an int >= 1"),
    ({"reject": 1.0}, r"reject must be a probability threshold in \(0, 1\)"),
    ({"reject": True}, r"reject must be a probability threshold in \(0, 1\)"),
    ({"tile_size": 64}, "tile_size only apply in mode='tile'"),
    ({"scale": "percentile", "stride": 3}, "stride, scale only apply in mode='tile'"),
    ({"class_names": ["a", "b"]}, "class_names must give one name per class of the "
                                  "model \\(5"),
    ({"bands": [0, 1, 2, 3, 4, 5, 6]}, "bands must be 1-based band indices in 1..8"),
    ({"n_jobs": "two"}, "n_jobs must be None or a non-zero int"),
    ({"n_jobs": 0}, "n_jobs must be None or a non-zero int"),
])
def test_bad_arguments(tmp_path, landsat7_dir, pixel_model, kwargs, message):
    kwargs = {"bands": SEVEN, **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        classify_raster(pixel_model, landsat7_dir / STACK, tmp_path / "map.tif",
                        verbose=False, **kwargs)
    _assert_nothing_written(tmp_path)


def test_unfitted_model_and_missing_predict_proba(landsat, landsat7_dir):
    with pytest.raises(ValueError, match="model must be a fitted classifier with "
                                         "classes_; got an unfitted GaussianNB"):
        classify_raster(GaussianNB(), landsat7_dir / STACK, None, verbose=False)
    image, labels, _ = landsat
    mask = labels > 0
    svc = SVC().fit(image[mask][::4], labels[mask][::4])
    with pytest.raises(ValueError, match="reject and confidence need a model with "
                                         "predict_proba; SVC has none"):
        classify_raster(svc, image, None, reject=0.5, confidence=True, verbose=False)


def test_opened_raster_is_left_open(landsat7_dir, pixel_model):
    with open_raster(landsat7_dir / STACK) as raster:
        first = classify_raster(pixel_model, raster, None, bands=SEVEN, verbose=False)
        second = classify_raster(pixel_model, raster, None, bands=SEVEN, verbose=False)
        assert_array_equal(first, second)
        with pytest.raises(ValueError, match="open_raster was given an opened Raster "
                                             "together with crs"):
            classify_raster(pixel_model, raster, None, crs="EPSG:4326", verbose=False)


def test_copied_geotiff_in_place(tmp_path, landsat7_dir, pixel_model):
    """The destination may sit beside the source; the source is untouched."""
    source = tmp_path / STACK
    shutil.copy(landsat7_dir / STACK, source)
    before = source.read_bytes()
    classify_raster(pixel_model, source, tmp_path / "map.tif", bands=SEVEN,
                    verbose=False)
    assert source.read_bytes() == before
    _assert_nothing_written(tmp_path, keep=[STACK, "map.tif"])


def test_fit_raster_bands_and_names_carry_over(tmp_path):
    from classical.geo import fit_raster, load_sample

    sample = load_sample("landsat7")  # packaged: runs without ../shared
    model = fit_raster(GaussianNB(), sample.image, sample.labels,
                       class_names=sample.class_names, bands=range(1, 8))
    path = classify_raster(model, sample.image, tmp_path / "map.tif", verbose=False)
    with rasterio.open(path) as written:
        codes, tags = written.read(1), written.tags()
    assert json.loads(tags["class_names"]) == list(sample.class_names.values())
    pixels = sample.image.read(bands=range(1, 8)).reshape(-1, 7)
    assert_array_equal(codes.ravel(), model.predict(pixels))  # ids 1..5 = codes


def test_pixel_mlc_one_pass_path_equals_its_predict():
    import classical

    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, (90, 110))
    scene = (rng.normal(size=(90, 110, 4)) * 15 + 60 * truth[..., None] + 20)
    scene = scene.clip(0, 255).astype(np.uint8)
    model = classical.make_pipeline("pixel-mlc").fit(scene.reshape(-1, 4),
                                                     truth.ravel())
    codes = classify_raster(model, scene, None, block_size=32, verbose=False)
    expected = np.searchsorted(model.classes_, model.predict(scene.reshape(-1, 4)))
    # the one-pass path is float64 throughout, predict float32 after the PCA
    assert np.mean(codes.ravel() != expected + 1) <= 1e-3


def test_codes_follow_classes_order_even_unsorted():
    from classical.geo._decide import Decider

    class Fixed:
        classes_ = np.array([30, 10, 20])  # not sorted: codes follow this order

        def predict(self, rows):
            return rows[:, 0]

    rows = np.array([[10], [20], [30], [99]])
    codes, _, _ = Decider(Fixed())(Fixed(), rows, np.ones(4, bool))
    assert_array_equal(codes, [2, 3, 1, 255])
    Fixed.classes_ = np.array([10, 20, 30])
    codes, _, _ = Decider(Fixed())(Fixed(), rows, np.ones(4, bool))
    assert_array_equal(codes, [1, 2, 3, 255])


def test_integer_classes_with_a_text_unknown_label():
    rng = np.random.default_rng(4)
    truth = rng.integers(1, 3, (30, 40))
    scene = rng.normal(size=(30, 40, 3)) + 3 * truth[..., None]
    scene[0, 0] = 50.0  # far from both classes: rejected by the chi-square rule
    model = GaussianMLClassifier(reject_threshold=0.01, unknown_label="unknown")
    model.fit(scene.reshape(-1, 3), truth.ravel())
    codes = classify_raster(model, scene, None, verbose=False)
    expected = model.predict(scene.reshape(-1, 3))
    assert codes[0, 0] == 255 and expected[0] == "unknown"
    known = expected != "unknown"
    assert_array_equal(codes.ravel()[known], expected[known].astype(int))


# -- spatial models next to nodata: every valid pixel classified -----------------

def _spatial_twin(model, image, valid):
    """Codes of a spatial model on the whole scene, its nodata pixels set to NaN."""
    holed = np.where(valid[..., None], image, np.nan)
    features = model[0].transform(holed)[valid]
    assert np.isfinite(features).all()  # valid pixels next to nodata included
    codes = np.zeros(valid.shape, dtype=np.uint8)
    codes[valid] = np.argmax(model[1:].predict_proba(features), axis=1) + 1
    return codes


def _collared(image):
    """``image`` with a nodata collar, a nodata hole and lone nodata pixels."""
    valid = np.ones(image.shape[:2], dtype=bool)
    valid[:9], valid[:, -13:] = False, False
    valid[100:140, 60:75] = False
    valid[200, 30], valid[31, 120] = False, False
    return valid


@pytest.mark.parametrize("dtype", ["float32", "int16"])
def test_spatial_model_classifies_every_valid_pixel_next_to_nodata(
        tmp_path, landsat, spatial_model, dtype):
    """Float NaN and integer nodata alike: equal to the whole scene, any block."""
    image = landsat[0]
    valid = _collared(image)
    expected = _spatial_twin(spatial_model, image, valid)
    nodata = np.nan if dtype == "float32" else -9999
    scene = np.where(valid[..., None], image, nodata).astype(dtype)
    path = tmp_path / "collared.tif"
    profile = {"driver": "GTiff", "height": 250, "width": 250, "count": 7,
               "dtype": dtype, "nodata": nodata, "tiled": True, "blockxsize": 32,
               "blockysize": 32}
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(np.moveaxis(scene, -1, 0))
    for source in (open_raster(scene, nodata=nodata), path):
        for block_size in (32, 70, 256):
            codes = classify_raster(spatial_model, source, None,
                                    block_size=block_size, verbose=False)
            assert_array_equal(codes, expected)
    assert_array_equal(codes > 0, valid)


def test_spatial_model_on_the_rgb_byte_collar(rgb_scene):
    """RGB.byte.tif's 0 collar: texture and statistics from valid neighbours only."""
    path, image, valid, _ = rgb_scene
    step = NeighbourhoodFeatures(size=5, levels=8)
    step.fit(image[valid][::7][:, None, :])
    features = step.transform(np.where(valid[..., None], image, np.nan))[valid][::40]
    labels = np.where(features[:, 3:6].mean(axis=1) > 60, "bright", "dark")
    model = Pipeline([("neighbourhood", step),
                      ("bayes", GaussianNB().fit(features, labels))])
    expected = _spatial_twin(model, image, valid)
    edge = valid & ~ndimage.binary_erosion(valid, np.ones((5, 5)))
    assert edge.sum() > 1000  # valid pixels whose window reaches the collar
    for block_size in (100, 333):
        codes, proba = classify_raster(model, path, None, block_size=block_size,
                                       probabilities=True, verbose=False)
        assert_array_equal(codes, expected)
        assert np.isfinite(proba[valid]).all() and np.isnan(proba[~valid]).all()
