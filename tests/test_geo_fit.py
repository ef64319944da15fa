"""fit_raster: the model fitted block by block equals the model fitted on the
whole scene in memory (the twin), for any block size, for pixel and spatial
pipelines; classes are validated first and image nodata is never trained on."""

import numpy as np
import pytest
from scipy import ndimage
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from classical.classifiers import GaussianMLClassifier
from classical.geo import (
    ClassValidationError,
    NeighbourhoodFeatures,
    SpectralIndices,
    fit_raster,
    open_raster,
    read_labels,
)

NAMES = {1: "forest", 2: "water", 3: "herbaceous", 4: "barren", 5: "urban"}


class MeanOfThree(TransformerMixin, BaseEstimator):
    """A spatial step: the bands and their 3 x 3 mean (mirrored at the border)."""

    halo = 1

    def fit(self, X, y=None):
        self.n_features_in_ = X.shape[-1]
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = np.asarray(X, dtype=np.float64)
        mean = ndimage.uniform_filter(X, size=(3, 3, 1), mode="mirror")
        return np.concatenate([X, mean], axis=2)


class CountingReads:
    """Wrap a raster's ``read`` to record the size of every block read."""

    def __init__(self, raster):
        self.areas = []
        original = raster.read

        def read(window=None, **kwargs):
            block = original(window, **kwargs)
            self.areas.append(block.shape[0] * block.shape[1])
            return block

        raster.read = read


@pytest.fixture
def landsat(landsat7_dir):
    pytest.importorskip("rasterio")
    image = landsat7_dir / "LE70220491999322EDC01_stack.gtif"
    labels = landsat7_dir / "training_data.gtif"
    with open_raster(image) as raster:
        pixels = raster.read()
    return {"image": image, "labels": labels,
            "vector": landsat7_dir / "training_data.shp", "pixels": pixels,
            "y": read_labels(labels, image)}


def forest():
    return RandomForestClassifier(n_estimators=30, random_state=0)


@pytest.mark.parametrize("block_size", [32, 100, 512])
def test_pixel_model_equals_the_in_memory_fit(landsat, block_size):
    labels = landsat["y"]
    twin = forest().fit(landsat["pixels"][labels > 0], labels[labels > 0])
    model = fit_raster(forest(), landsat["image"], landsat["labels"],
                       block_size=block_size, random_state=0)
    rows = landsat["pixels"].reshape(-1, landsat["pixels"].shape[2])
    np.testing.assert_array_equal(model.classes_, np.arange(1, 6))
    np.testing.assert_array_equal(model.predict_proba(rows), twin.predict_proba(rows))


def test_labels_from_the_polygons(landsat):
    from_raster = fit_raster(forest(), landsat["image"], landsat["labels"],
                             random_state=0)
    from_polygons = fit_raster(forest(), landsat["image"], landsat["vector"],
                               random_state=0)
    rows = landsat["pixels"].reshape(-1, landsat["pixels"].shape[2])
    np.testing.assert_array_equal(from_raster.predict(rows),
                                  from_polygons.predict(rows))


def test_gaussian_means_and_caps(landsat):
    labels = landsat["y"]
    model = fit_raster(GaussianMLClassifier(), landsat["image"], labels, random_state=0)
    for k, value in enumerate(model.classes_):
        np.testing.assert_allclose(model.means_[k],
                                   landsat["pixels"][labels == value].mean(axis=0))
    counts = np.bincount(labels.ravel())[1:]
    capped = fit_raster(GaussianMLClassifier(), landsat["image"], labels,
                        max_per_class=100, random_state=0)
    np.testing.assert_array_equal(capped.class_count_, np.minimum(counts, 100))
    balanced = fit_raster(GaussianMLClassifier(), landsat["image"], labels,
                          balance=True, random_state=0)
    np.testing.assert_array_equal(balanced.class_count_, [counts.min()] * 5)


@pytest.mark.parametrize("block_size", [16, 50, 256])
def test_spatial_pipeline_equals_the_whole_scene_features(landsat, block_size):
    labels = landsat["y"]
    features = MeanOfThree().fit(landsat["pixels"]).transform(landsat["pixels"])
    twin = forest().fit(features[labels > 0], labels[labels > 0])
    raster = open_raster(landsat["image"])
    reads = CountingReads(raster)
    model = fit_raster(make_pipeline(MeanOfThree(), forest()), raster, labels,
                       block_size=block_size, random_state=0)
    rows = features.reshape(-1, features.shape[2])
    np.testing.assert_array_equal(model[-1].predict_proba(rows),
                                  twin.predict_proba(rows))
    check_is_fitted(model[0])
    # memory: no read is larger than a block with its halo
    assert max(reads.areas) <= (min(block_size, raster.height) + 2) ** 2


def test_neighbourhood_step_is_fitted_on_the_training_pixels(landsat):
    labels = landsat["y"]
    model = fit_raster(make_pipeline(NeighbourhoodFeatures(size=3), forest()),
                       landsat["image"], labels, block_size=64, random_state=0)
    twin = NeighbourhoodFeatures(size=3).fit(landsat["pixels"][labels > 0][:, None, :])
    np.testing.assert_array_equal(model[0].band_low_, twin.band_low_)
    np.testing.assert_array_equal(model[0].band_high_, twin.band_high_)


def test_band_roles_from_the_band_names(landsat):
    model = fit_raster(make_pipeline(SpectralIndices(), GaussianMLClassifier()),
                       landsat["image"], landsat["labels"], sensor="landsat7")
    # the sample's sixth layer is ETM+ band 7 (SWIR 2), as its name says
    assert model[0].bands["swir2"] == 6 and model[0].bands["nir"] == 4
    assert model[0].indices_ == ("ndvi", "ndwi", "ndbi", "savi", "evi")
    given = {"red": 1, "nir": 2}
    model = fit_raster(make_pipeline(SpectralIndices(bands=given), forest()),
                       landsat["image"], landsat["labels"])
    assert model[0].bands is given


def test_class_names_are_validated_and_kept(landsat):
    model = fit_raster(forest(), landsat["image"], landsat["labels"], class_names=NAMES)
    assert model.class_names_ == tuple(NAMES[k] for k in model.classes_)
    unnamed = fit_raster(forest(), landsat["image"], landsat["labels"])
    assert unnamed.class_names_ is None
    with pytest.raises(ClassValidationError, match="'forest': \\[1, 2\\]"):
        fit_raster(forest(), landsat["image"], landsat["labels"],
                   class_names={**NAMES, 2: "forest"})


def synthetic_scene(seed=0):
    rng = np.random.default_rng(seed)
    pixels = rng.normal(size=(30, 40, 4)) + np.repeat(np.arange(4), 10)[None, :, None]
    labels = np.zeros((30, 40), dtype=np.int32)
    labels[5:25, 0:8] = 1
    labels[5:25, 10:18] = 2
    labels[5:7, 20:22] = 3          # 4 pixels: fewer than 4 bands + 1
    return pixels, labels


def test_small_class_is_an_error_only_for_a_plain_gaussian():
    pixels, labels = synthetic_scene()
    with pytest.raises(ClassValidationError, match="3 has 4.*covariance is singular"):
        fit_raster(GaussianMLClassifier(reg_param=0.0), pixels, labels)
    fit_raster(GaussianMLClassifier(), pixels, labels)      # regularised: fine
    fit_raster(forest(), pixels, labels)
    with pytest.raises(ClassValidationError, match="fewer than 50 pixels"):
        fit_raster(forest(), pixels, labels, min_pixels=50)
    with pytest.warns(UserWarning, match="fewer than 5 pixels"):
        fit_raster(forest(), pixels, labels, on_invalid="warn", min_pixels="bands+1")


def test_nodata_pixels_are_never_trained_on():
    pixels, labels = synthetic_scene()
    pixels[5:15, 0:8] = np.nan           # half of class 1 on nodata
    model = fit_raster(GaussianMLClassifier(), pixels, labels, block_size=8)
    np.testing.assert_array_equal(model.class_count_, [80, 160, 4])
    np.testing.assert_allclose(model.means_[0], pixels[15:25, 0:8].mean(axis=(0, 1)))


def test_progress_bars_name_both_passes(capsys):
    pixels, labels = synthetic_scene()
    fit_raster(make_pipeline(MeanOfThree(), forest()), pixels, labels, block_size=16,
               verbose=True)
    err = capsys.readouterr().err
    assert "Reading training pixels" in err and "Computing training features" in err


def test_fit_raster_errors():
    pixels, labels = synthetic_scene()
    with pytest.raises(ValueError, match="on_invalid must be 'raise' or 'warn'"):
        fit_raster(forest(), pixels, labels, on_invalid="ignore")
    with pytest.raises(ValueError, match="size is 30 x 39 pixels"):
        fit_raster(forest(), pixels, labels[:, :39])
    with pytest.raises(ClassValidationError, match="1 class with labelled pixels"):
        fit_raster(forest(), pixels, np.where(labels == 1, 1, 0))


def test_bands_select_layers_and_are_kept():
    image = np.random.default_rng(0).normal(size=(40, 30, 4))
    labels = np.zeros((40, 30), dtype=np.uint8)
    labels[:20, :10], labels[20:, 10:] = 1, 2
    labelled = labels > 0
    subset = GaussianMLClassifier().fit(image[labelled][:, [3, 1]], labels[labelled])
    model = fit_raster(GaussianMLClassifier(), image, labels, bands=[4, 2],
                       block_size=16)
    assert model.source_bands_ == (4, 2)
    np.testing.assert_allclose(model.means_, subset.means_)
    with pytest.raises(ValueError, match="1-based band indices in 1..4"):
        fit_raster(GaussianMLClassifier(), image, labels, bands=[0, 1])


def test_text_class_field_keeps_names_and_ids_together(tmp_path):
    from affine import Affine

    from .test_geo_labels import square, write_geojson

    pixels = np.zeros((20, 20, 3))
    pixels[:10] += 5.0  # top half: water
    pixels += np.random.default_rng(1).normal(size=pixels.shape)
    transform = Affine(10.0, 0.0, 1000.0, 0.0, -10.0, 2000.0)
    image = open_raster(pixels, transform=transform, crs="EPSG:32615")
    path = write_geojson(tmp_path / "classes.geojson", [
        (square(1000, 1900, 1200, 2000), {"cls": "water"}),    # top rows
        (square(1000, 1800, 1200, 1900), {"cls": "forest"})])  # bottom rows
    named = fit_raster(forest(), image, path, attribute="cls",
                       class_names={1: "water", 2: "forest"})
    assert named.class_names_ == ("water", "forest")
    assert named.predict(pixels[:10].reshape(-1, 3)).tolist() == [1] * 200
    unnamed = fit_raster(forest(), image, path, attribute="cls")  # sorted names
    assert unnamed.class_names_ == ("forest", "water")
    assert unnamed.predict(pixels[:10].reshape(-1, 3)).tolist() == [2] * 200


def test_unnamed_class_is_named_by_its_id_with_warn():
    pixels, labels = synthetic_scene()
    with pytest.warns(UserWarning, match="3"):
        model = fit_raster(forest(), pixels, labels, class_names={1: "a", 2: "b"},
                           on_invalid="warn")
    assert model.class_names_ == ("a", "b", "3")


def test_bands_plus_one_counts_the_selected_bands():
    pixels, labels = synthetic_scene()  # class 3 has 4 pixels
    with pytest.raises(ClassValidationError, match="3 has 4"):
        fit_raster(GaussianMLClassifier(reg_param=0.0), pixels, labels)  # 4 bands
    model = fit_raster(GaussianMLClassifier(reg_param=0.0), pixels, labels,
                       bands=[1, 2, 3], on_invalid="warn")  # 3 bands + 1 = 4: enough
    assert model.n_features_in_ == 3


def test_spatial_features_leave_nodata_neighbours_out():
    rng = np.random.default_rng(2)
    scene = rng.normal(size=(40, 50, 3)) + 10
    scene[:4] = -9999.0  # a nodata collar
    labels = np.zeros((40, 50), dtype=np.uint8)
    labels[4:6, :25], labels[4:6, 25:] = 1, 2  # right beside the collar
    labels[30:, :] = 2
    with_nan = np.where(scene == -9999.0, np.nan, scene)
    step = NeighbourhoodFeatures(size=3).fit(with_nan[labels > 0][:, None, :])
    features = step.transform(with_nan)
    twin = forest().fit(features[labels > 0], labels[labels > 0])
    model = fit_raster(make_pipeline(NeighbourhoodFeatures(size=3), forest()),
                       open_raster(scene, nodata=-9999.0), labels, block_size=16,
                       random_state=0)
    rows = features[labels > 0]
    assert np.isfinite(rows).all()
    np.testing.assert_array_equal(model[-1].predict_proba(rows),
                                  twin.predict_proba(rows))
