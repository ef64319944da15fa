"""Band roles, spectral indices and the SpectralIndices transformer."""

import numpy as np
import pandas as pd
import pytest
import spectral
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from classical.geo import SENSOR_BANDS, SpectralIndices, band_roles, spectral_indices
from tests.naive import indices as naive

try:
    from sklearn_compat.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover - older sklearn-compat
    from sklearn.utils.estimator_checks import parametrize_with_checks

LANDSAT7_SAMPLE_NAMES = (*(f"band {b} reflectance" for b in (1, 2, 3, 4, 5, 7)),
                         "band 6 temperature", "")
ALL = ("ndvi", "ndwi", "ndbi", "savi", "evi")
FOUR = {"blue": 1, "green": 2, "red": 3, "nir": 4}


def _pixels(n=200, bands=6, seed=0):
    """Reflectance-like pixels times 10,000, with zeros to hit zero denominators."""
    rows = np.random.default_rng(seed).integers(0, 6000, (n, bands)).astype(np.float64)
    rows[:5] = 0.0
    return rows


@parametrize_with_checks([SpectralIndices(), SpectralIndices(sensor="landsat7"),
                          SpectralIndices(bands={"red": 1}, reflectance_scale=1e-4)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ---- sensor tables and band roles ----------------------------------------------

def test_sensor_tables():
    assert SENSOR_BANDS["landsat7"] == {"blue": 1, "green": 2, "red": 3, "nir": 4,
                                        "swir1": 5, "swir2": 7, "thermal": 6}
    assert SENSOR_BANDS["landsat8"]["nir"] == 5
    assert SENSOR_BANDS["landsat8"]["thermal"] == 10
    # Sentinel-2's B8A is the 9th layer, so B11 and B12 are the 12th and 13th
    assert SENSOR_BANDS["sentinel2"] == {"blue": 2, "green": 3, "red": 4, "nir": 8,
                                         "swir1": 12, "swir2": 13}


def test_landsat7_sample_names_use_the_sensor_numbering():
    roles = band_roles(LANDSAT7_SAMPLE_NAMES, sensor="landsat7")
    assert roles == {"blue": 1, "green": 2, "red": 3, "nir": 4, "swir1": 5, "swir2": 6,
                     "thermal": 7}
    assert band_roles(LANDSAT7_SAMPLE_NAMES, sensor="landsat7", bands={"swir2": 2})[
        "swir2"] == 2


@pytest.mark.parametrize("names, sensor, expected", [
    (["Blue", "Green", "Red", "NIR"], None, FOUR),
    (["B2", "B3", "B4", "B8", "B8A", "B11", "B12"], "sentinel2",
     {"blue": 1, "green": 2, "red": 3, "nir": 4, "swir1": 6, "swir2": 7}),
    (["B04", "B05"], "landsat8", {"red": 1, "nir": 2}),
    (["red_edge_1", "near-infrared", "SWIR-1", "swir_2", "red"], None,
     {"red": 5, "nir": 2, "swir1": 3, "swir2": 4}),
    (["band 4", "band 3"], None, {}),  # numbers mean nothing without a sensor
    (["", "", "", ""], "landsat7", {"blue": 1, "green": 2, "red": 3, "nir": 4}),
    ((), "landsat8", SENSOR_BANDS["landsat8"]),
    (["x", "y"], None, {}),
])
def test_band_roles_from_names(names, sensor, expected):
    assert band_roles(names, sensor=sensor) == expected


@pytest.mark.parametrize("kwargs, error, match", [
    ({"sensor": "modis"}, ValueError, r"sensor must be one of \['landsat7'"),
    ({"bands": {"rededge": 5}}, ValueError, r"unknown role 'rededge'; the roles are"),
    ({"bands": {"red": 0}}, ValueError, "band numbers are 1-based"),
    ({"bands": {"red": 2.0}}, TypeError, r"bands\['red'\] must be an int"),
    ({"bands": [("red", 3)]}, TypeError, "bands must be a mapping of role"),
    ({"band_names": ["red", "Red"]}, ValueError,
     r"give the role 'red' to layers \[1, 2\]"),
])
def test_band_roles_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        band_roles(**kwargs)


def test_duplicate_role_settled_by_bands():
    assert band_roles(["red", "red"], bands={"red": 2}) == {"red": 2}


# ---- the indices -------------------------------------------------------------------

@pytest.mark.parametrize("scale", [1.0, 1e-4])
def test_spectral_indices_match_twin(scale):
    rows = _pixels()
    bands = {"blue": 1, "green": 2, "red": 3, "nir": 4, "swir1": 5}
    ours = spectral_indices(rows, bands, ALL, reflectance_scale=scale)
    np.testing.assert_allclose(ours, naive.spectral_indices(rows, bands, ALL, scale),
                               rtol=1e-12, atol=1e-12)
    assert np.isfinite(ours).all() and (ours[:5] == 0).all()


def test_ndvi_matches_spectral_python():
    rows = _pixels()[5:]
    ours = spectral_indices(rows, {"red": 3, "nir": 4}, ["ndvi"])[:, 0]
    np.testing.assert_allclose(ours, spectral.ndvi(rows[:, None, :], 2, 3)[:, 0],
                               rtol=1e-12)


def test_scale_changes_only_savi_and_evi():
    rows = _pixels()[5:]
    bands = {"blue": 1, "green": 2, "red": 3, "nir": 4, "swir1": 5}
    raw = spectral_indices(rows, bands, ALL)
    scaled = spectral_indices(rows, bands, ALL, reflectance_scale=1e-4)
    np.testing.assert_allclose(raw[:, :3], scaled[:, :3], rtol=1e-12)
    assert not np.allclose(raw[:, 3:], scaled[:, 3:])


@pytest.mark.parametrize("bands, names, match", [
    (FOUR, ["ndmi"], r"unknown spectral indices \['ndmi'\]; the indices are"),
    (FOUR, ["ndbi"], "the index 'ndbi' needs the 'swir1' band"),
    ({"red": 3, "nir": 9}, ["ndvi"],
     "the 'nir' band is band 9, but X has only 6 bands"),
])
def test_spectral_indices_errors(bands, names, match):
    with pytest.raises(ValueError, match=match):
        spectral_indices(_pixels(), bands, names)


# ---- the transformer -------------------------------------------------------------

def test_transformer_auto_appends_known_indices():
    rows = _pixels()
    step = SpectralIndices(bands=FOUR, reflectance_scale=1e-4).fit(rows)
    assert step.indices_ == ("ndvi", "ndwi", "savi", "evi")
    out = step.transform(rows)
    np.testing.assert_array_equal(out[:, :6], rows)
    twin = naive.spectral_indices(rows, FOUR, step.indices_, 1e-4)
    np.testing.assert_allclose(out[:, 6:], twin, rtol=1e-12)
    assert list(step.get_feature_names_out()) == [f"x{i}" for i in range(6)] + [
        "ndvi", "ndwi", "savi", "evi"]


def test_transformer_without_roles_passes_through():
    rows = _pixels(bands=224)
    step = SpectralIndices().fit(rows)
    assert step.indices_ == ()
    np.testing.assert_array_equal(step.transform(rows), rows)


def test_transformer_sensor_roles_past_the_band_count_are_dropped():
    step = SpectralIndices(sensor="landsat8").fit(_pixels(bands=5))
    assert step.band_roles_ == {"blue": 2, "green": 3, "red": 4, "nir": 5}
    assert step.indices_ == ("ndvi", "ndwi", "savi", "evi")


def test_transformer_reads_dataframe_column_names():
    rows = _pixels(bands=4)
    frame = pd.DataFrame(rows, columns=["blue", "green", "red", "nir"])
    model = make_pipeline(SpectralIndices(indices=["ndvi"]), StandardScaler())
    model.fit(frame)
    assert model[0].band_roles_ == FOUR
    assert list(model[:-1].get_feature_names_out()) == ["blue", "green", "red", "nir",
                                                         "ndvi"]


@pytest.mark.parametrize("params, match", [
    ({"indices": ["ndbi"], "bands": FOUR}, "the index 'ndbi' needs the 'swir1' band"),
    ({"indices": ["ndvi"]}, "the index 'ndvi' needs the 'red' band"),
    ({"bands": {"red": 3, "nir": 7}}, r"bands\['nir'\] = 7, but X has only 6 bands"),
    ({"indices": ["ndvi", "foo"], "bands": FOUR},
     r"unknown spectral indices \['foo'\]"),
    ({"sensor": "spot"}, "'sensor' parameter of SpectralIndices must be"),
])
def test_transformer_errors(params, match):
    with pytest.raises(ValueError, match=match):
        SpectralIndices(**params).fit(_pixels())
