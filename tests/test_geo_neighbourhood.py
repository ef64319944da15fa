"""NeighbourhoodFeatures, its kernels and the spatial-step protocol of classical.geo."""

import pickle

import numpy as np
import pytest
from scipy import ndimage
from skimage.feature import graycomatrix, graycoprops
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from classical._kernels import neighbourhood as kernels
from classical.geo import NeighbourhoodFeatures
from classical.geo._spatial import pixel_rows, spatial_parts
from tests.naive import neighbourhood as naive

ALL_STATISTICS = ("mean", "std", "min", "max", "range")


def _scene(shape=(37, 41, 3), seed=0):
    """Smooth-plus-noise test scene with bands on different scales."""
    rng = np.random.default_rng(seed)
    rows, cols = np.indices(shape[:2])
    base = np.sin(rows / 5.0)[..., None] + np.cos(cols / 7.0)[..., None]
    scales = 10.0 ** np.arange(shape[2])
    return (base + rng.random(shape)) * scales


@pytest.fixture
def landsat7_stack(landsat7_dir):
    rasterio = pytest.importorskip("rasterio")
    with rasterio.open(landsat7_dir / "LE70220491999322EDC01_stack.gtif") as src:
        return np.moveaxis(src.read(), 0, -1)


# ---- kernels against their NumPy twins -------------------------------------------

@pytest.mark.parametrize("size", [3, 5, 7])
def test_window_statistics_matches_twin(size):
    halo = size // 2
    padded = np.pad(_scene(), ((halo, halo), (halo, halo), (0, 0)), mode="reflect")
    codes = np.arange(5, dtype=np.int64)
    out = np.empty((37, 41, 15), np.float32)
    kernels.window_statistics(padded, size, codes, out)
    np.testing.assert_allclose(out, naive.window_statistics(padded, size, codes),
                               rtol=1e-5, atol=1e-4)


def test_window_statistics_constant_and_nan():
    padded = np.full((9, 9, 2), 1234.5)
    padded[0, 0, 1] = np.nan
    codes = np.array([kernels.STD, kernels.MEAN], dtype=np.int64)
    out = np.empty((5, 5, 4), np.float32)
    kernels.window_statistics(padded, 5, codes, out)
    twin = naive.window_statistics(padded, 5, codes)
    # std exactly 0, not rounding noise
    np.testing.assert_array_equal(out[..., 0], twin[..., 0])
    np.testing.assert_array_equal(np.isnan(out), np.isnan(twin))


def _with_holes(image, seed=2):
    """``image`` (float) with NaN pixels: scattered, a nodata block and a lone pixel."""
    rng = np.random.default_rng(seed)
    holed = np.array(image, dtype=np.float64)
    missing = rng.random(holed.shape[:2]) < 0.3
    missing[2:12, 3:14] = True  # windows with no value at all
    missing[6, 8] = False  # ... but one, alone in its 3 x 3 and 5 x 5 windows
    holed[missing] = np.nan
    return holed, ~missing


@pytest.mark.parametrize("size", [3, 5])
def test_window_statistics_skip_nan_as_twin(size):
    halo = size // 2
    image, _ = _with_holes(_scene())
    image[20, 20, 1] = np.nan  # one band only: the kernel skips per value
    padded = np.pad(image, ((halo, halo), (halo, halo), (0, 0)), mode="reflect")
    codes = np.arange(5, dtype=np.int64)
    out = np.empty((37, 41, 15), np.float32)
    kernels.window_statistics(padded, size, codes, out)
    twin = naive.window_statistics(padded, size, codes)
    assert np.isnan(twin).any() and not np.isnan(twin).all()
    np.testing.assert_allclose(out, twin, rtol=1e-5, atol=1e-4)  # NaN where twin's
    lone = out[6, 8].reshape(5, 3)  # mean, std, min, max, range of one value
    value = image[6, 8].astype(np.float32)
    np.testing.assert_array_equal(lone, [value, [0] * 3, value, value, [0] * 3])


@pytest.mark.parametrize("size", [3, 5])
def test_glcm_texture_skips_missing_as_twin(size):
    rng = np.random.default_rng(5)
    grey = rng.integers(0, 8, (16, 19)).astype(np.int64)
    grey[rng.random(grey.shape) < 0.4] = kernels.MISSING
    grey[3:10, 4:12] = kernels.MISSING
    grey[6, 7] = 3  # a lone valid pixel: no pair in its window
    codes = np.array([kernels.CONTRAST, kernels.HOMOGENEITY], dtype=np.int64)
    out = np.empty((16 - size + 1, 19 - size + 1, 2), np.float32)
    kernels.glcm_texture(grey, size, codes, out)
    twin = naive.glcm_texture(grey, size, codes, 8)
    np.testing.assert_allclose(out, twin, rtol=1e-6)
    halo = size // 2
    assert out[6 - halo, 7 - halo].tolist() == [0.0, 1.0]  # as a flat window


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("levels", [2, 8])
def test_glcm_texture_matches_twin(size, levels):
    grey = np.random.default_rng(1).integers(0, levels, (14, 17)).astype(np.int64)
    codes = np.array([kernels.HOMOGENEITY, kernels.CONTRAST], dtype=np.int64)
    out = np.empty((14 - size + 1, 17 - size + 1, 2), np.float32)
    kernels.glcm_texture(grey, size, codes, out)
    np.testing.assert_allclose(out, naive.glcm_texture(grey, size, codes, levels),
                               rtol=1e-6)


# ---- the transformer against peers (SciPy, scikit-image) ---------------------------

def test_statistics_match_scipy_mirror():
    """NumPy's 'reflect' padding is SciPy's 'mirror' mode."""
    image = _scene()
    step = NeighbourhoodFeatures(size=5, statistics=ALL_STATISTICS, texture=None)
    features = step.fit(image).transform(image)
    np.testing.assert_array_equal(features[..., :3], image.astype(np.float32))
    for band in range(3):
        x = image[..., band]
        peers = [ndimage.uniform_filter(x, 5, mode="mirror"),
                 ndimage.generic_filter(x, np.std, 5, mode="mirror"),
                 ndimage.minimum_filter(x, 5, mode="mirror"),
                 ndimage.maximum_filter(x, 5, mode="mirror")]
        peers.append(peers[3] - peers[2])
        for s, peer in enumerate(peers):
            np.testing.assert_allclose(features[..., 3 + 3 * s + band], peer,
                                       rtol=1e-5, atol=1e-3 * 10.0 ** band)


def test_texture_matches_skimage_graycoprops():
    image = _scene((16, 19, 2))
    step = NeighbourhoodFeatures(size=5, statistics=None, levels=8).fit(image)
    features = step.transform(image)
    grey = np.pad(step._grey_levels(image), 2, mode="reflect").astype(np.uint8)
    angles = [0, np.pi / 4, np.pi / 2, 3 * np.pi / 4]
    for r in range(0, 16, 3):
        for c in range(0, 19, 4):
            matrix = graycomatrix(grey[r:r + 5, c:c + 5], [1], angles, levels=8,
                                  symmetric=True, normed=True)
            for k, prop in enumerate(("contrast", "homogeneity")):
                np.testing.assert_allclose(features[r, c, 2 + k],
                                           graycoprops(matrix, prop).mean(), rtol=1e-6)


def test_statistics_with_nodata_match_scipy_nan_filters():
    """Nodata (NaN) pixels are left out, as SciPy's filters of NumPy's nan* give."""
    image, valid = _with_holes(_scene())
    step = NeighbourhoodFeatures(size=5, statistics=ALL_STATISTICS, texture=None)
    features = step.fit(image).transform(image)
    assert np.isfinite(features[valid]).all()
    assert np.isnan(features[~valid, :3]).all()
    reductions = [np.nanmean, np.nanstd, np.nanmin, np.nanmax,
                  lambda w: np.nanmax(w) - np.nanmin(w)]
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        for band in range(3):
            for s, reduce in enumerate(reductions):
                peer = ndimage.generic_filter(image[..., band], reduce, 5,
                                              mode="mirror")
                np.testing.assert_allclose(features[..., 3 + 3 * s + band][valid],
                                           peer[valid], rtol=1e-5,
                                           atol=1e-3 * 10.0 ** band)


def test_texture_with_nodata_matches_skimage_graycoprops():
    """The nodata pixels' pairs are dropped from each direction's matrix."""
    image, valid = _with_holes(_scene((16, 19, 2)), seed=3)
    step = NeighbourhoodFeatures(size=5, statistics=None, levels=8).fit(image)
    features = step.transform(image)
    grey = np.pad(step._grey_levels(image), 2, mode="reflect")
    assert (grey[2:-2, 2:-2][~valid] == kernels.MISSING).all()
    grey = np.where(grey == kernels.MISSING, 8, grey).astype(np.uint8)  # level 8
    angles = [0, np.pi / 4, np.pi / 2, 3 * np.pi / 4]
    for r, c in zip(*np.nonzero(valid)):
        counts = graycomatrix(grey[r:r + 5, c:c + 5], [1], angles, levels=9,
                              symmetric=True)[:8, :8].astype(float)
        paired = counts.sum(axis=(0, 1))[0] > 0
        for k, prop in enumerate(("contrast", "homogeneity")):
            expected = 1.0 if prop == "homogeneity" else 0.0  # no pair: flat
            if paired.any():
                normed = counts[..., paired] / counts[..., paired].sum(axis=(0, 1))
                expected = graycoprops(normed, prop).mean()
            np.testing.assert_allclose(features[r, c, 2 + k], expected, rtol=1e-6)


def test_a_nan_band_makes_the_pixel_nodata_in_every_band():
    image = _scene()
    step = NeighbourhoodFeatures(size=3, statistics=ALL_STATISTICS).fit(image)
    one_band, all_bands = image.copy(), image.copy()
    one_band[5, 6, 2] = np.nan
    all_bands[5, 6] = np.nan
    np.testing.assert_array_equal(step.transform(one_band), step.transform(all_bands))


def test_grey_levels_span_the_fitted_range():
    image = _scene()
    step = NeighbourhoodFeatures(levels=16).fit(image)
    grey = step._grey_levels(image)
    assert grey.min() == 0 and grey.max() == 15
    low = np.percentile(image.reshape(-1, 3), 1, axis=0)
    np.testing.assert_allclose(step.band_low_, low)


# ---- the block-seam guarantee ----------------------------------------------------

@pytest.mark.parametrize("size", [3, 7])
@pytest.mark.parametrize("block", [(8, 9), (13, 41), (37, 5)])
def test_halo_blocks_equal_the_whole_scene(size, block):
    image = _scene()
    step = NeighbourhoodFeatures(size=size, statistics=ALL_STATISTICS).fit(image)
    whole = step.transform(image)
    halo = step.halo
    padded = np.pad(image, ((halo, halo), (halo, halo), (0, 0)), mode="reflect")
    stitched = np.empty_like(whole)
    for r in range(0, 37, block[0]):
        for c in range(0, 41, block[1]):
            h, w = min(block[0], 37 - r), min(block[1], 41 - c)
            if min(h, w) <= halo:  # numpy 'reflect' needs more than the margin
                h, w = whole[r:r + h, c:c + w].shape[:2]
            tile = step.transform(padded[r:r + h + 2 * halo, c:c + w + 2 * halo])
            stitched[r:r + h, c:c + w] = tile[halo:halo + h, halo:halo + w]
    np.testing.assert_array_equal(stitched, whole)


@pytest.mark.parametrize("block", [(8, 9), (13, 41)])
def test_halo_blocks_with_nodata_equal_the_whole_scene(block):
    image, _ = _with_holes(_scene())
    step = NeighbourhoodFeatures(size=5, statistics=ALL_STATISTICS).fit(image)
    whole = step.transform(image)
    padded = np.pad(image, ((2, 2), (2, 2), (0, 0)), mode="reflect")
    for r in range(0, 37 - 2, block[0]):
        for c in range(0, 41 - 2, block[1]):
            h, w = min(block[0], 37 - r), min(block[1], 41 - c)
            tile = step.transform(padded[r:r + h + 4, c:c + w + 4])[2:-2, 2:-2]
            np.testing.assert_array_equal(tile, whole[r:r + h, c:c + w])


def test_pixel_rows_of_a_spatial_model_equal_whole_scene_rows():
    image = _scene()
    model = make_pipeline(NeighbourhoodFeatures(size=5), StandardScaler())
    model[0].fit(image)
    whole = model[0].transform(image)
    padded = np.pad(image, ((4, 4), (4, 4), (0, 0)), mode="reflect")
    rows = pixel_rows(model, padded[10:10 + 11 + 8, 3:3 + 20 + 8], 4)  # halo 4 >= 2
    np.testing.assert_array_equal(rows, whole[10:21, 3:23].reshape(-1, whole.shape[2]))


def test_pixel_rows_with_a_mask_same_for_integer_and_float_nodata():
    """A valid mask turns nodata into NaN for the spatial step, whatever the dtype."""
    scene = (_scene((30, 34, 3), seed=4) / 10.0).astype(np.int16)
    nodata, valid = _with_holes(scene, seed=6)
    model = make_pipeline(NeighbourhoodFeatures(size=5), StandardScaler())
    model[0].fit(nodata)
    expected = model[0].transform(nodata)[2:-2, 2:-2].reshape(26 * 30, -1)
    as_integer = np.where(valid[..., None], scene, -9999).astype(np.int16)
    for block in (as_integer, nodata.astype(np.float32), nodata):
        rows = pixel_rows(model, block, 2, valid)
        np.testing.assert_array_equal(rows, expected)
        assert np.isfinite(rows[valid[2:-2, 2:-2].ravel()]).all()
    bands = pixel_rows(StandardScaler(), as_integer, 2, valid)  # a pixel model
    np.testing.assert_array_equal(bands, as_integer[2:-2, 2:-2].reshape(-1, 3))


def test_read_block_mirrors_the_mask_as_the_pixels():
    from classical.geo import open_raster
    from classical.geo._raster import Window
    from classical.geo._spatial import read_block

    scene, valid = _with_holes(_scene((20, 23, 3)), seed=7)
    integer = np.where(valid[..., None], scene, -1).astype(np.int32)
    raster = open_raster(integer, nodata=-1)
    padded = np.pad(integer, ((3, 3), (3, 3), (0, 0)), mode="reflect")
    padded_valid = np.pad(valid, 3, mode="reflect")
    for window in (Window(0, 0, 20, 23), Window(0, 0, 5, 6), Window(8, 9, 12, 14),
                   Window(4, 17, 7, 6)):
        rows = slice(window.row, window.row + window.height + 6)
        cols = slice(window.col, window.col + window.width + 6)
        block, mask = read_block(raster, window, halo=3, bands=[1, 2, 3])
        np.testing.assert_array_equal(block, padded[rows, cols])
        np.testing.assert_array_equal(mask, padded_valid[rows, cols])
    block, mask = read_block(raster, Window(4, 17, 7, 6))
    np.testing.assert_array_equal(mask, valid[4:11, 17:23])


def test_pixel_rows_of_a_pixel_model_crop_the_block():
    block = _scene((10, 12, 3))
    rows = pixel_rows(StandardScaler(), block, 2)
    np.testing.assert_array_equal(rows, block[2:8, 2:10].reshape(-1, 3))


def test_spatial_parts():
    forest = RandomForestClassifier()
    model = make_pipeline(NeighbourhoodFeatures(size=7), StandardScaler(), forest)
    spatial, rest, halo = spatial_parts(model)
    assert spatial is model[0] and halo == 3
    assert [name for name, _ in rest.steps] == ["standardscaler",
                                                "randomforestclassifier"]
    assert spatial_parts(forest) == (None, forest, 0)
    assert spatial_parts(make_pipeline(StandardScaler(), forest))[0] is None
    step = NeighbourhoodFeatures(size=3)
    assert spatial_parts(step) == (step, None, 1)
    assert spatial_parts(make_pipeline(step))[1:] == (None, 1)


@pytest.mark.parametrize("block, halo, match", [
    (np.zeros((10, 10)), 2, r"block must be an array of shape \(H, W, B\)"),
    (np.zeros((10, 10, 2)), 1, "halo must be at least 2"),
    (np.zeros((4, 10, 2)), 2, "has no pixel inside a halo of 2"),
])
def test_pixel_rows_errors(block, halo, match):
    model = make_pipeline(NeighbourhoodFeatures(size=5).fit(np.ones((6, 6, 2))))
    with pytest.raises(ValueError, match=match):
        pixel_rows(model, block, halo)
    with pytest.raises(ValueError, match=r"valid must be the mask of the block's "
                                         r"pixels, of shape \(10, 10\); got shape "
                                         r"\(10, 9\)"):
        pixel_rows(model, np.zeros((10, 10, 2)), 2, np.ones((10, 9), bool))


# ---- the estimator contract ------------------------------------------------------

def test_feature_names_and_order():
    image = _scene()
    step = NeighbourhoodFeatures(size=3, statistics=("max", "mean"), bands=[3, 1])
    features = step.fit(image).transform(image)
    names = step.get_feature_names_out(["b", "g", "r"])
    assert list(names) == ["b", "g", "r", "max(r)", "max(b)", "mean(r)", "mean(b)",
                           "glcm_contrast", "glcm_homogeneity"]
    assert features.shape == (37, 41, 9) and features.dtype == np.float32
    np.testing.assert_allclose(features[..., 5],
                               ndimage.uniform_filter(image[..., 2], 3, mode="mirror"),
                               rtol=1e-5)
    assert step.get_feature_names_out()[3] == "max(band3)"


def test_bands_as_a_role_mapping_select_the_role_bands():
    image = _scene((12, 13, 4))
    by_role = NeighbourhoodFeatures(size=3, bands={"nir": 4, "red": 2}).fit(image)
    by_number = NeighbourhoodFeatures(size=3, bands=[2, 4]).fit(image)
    np.testing.assert_array_equal(by_role.transform(image), by_number.transform(image))


def test_one_band_image_and_clone_pickle():
    image = _scene((12, 13, 1))[..., 0]
    step = NeighbourhoodFeatures(size=3).fit(image)
    features = step.transform(image)
    assert features.shape == (12, 13, 5)
    restored = pickle.loads(pickle.dumps(step))
    np.testing.assert_array_equal(restored.transform(image), features)
    assert clone(step).get_params() == step.get_params()
    with pytest.raises(NotFittedError):
        clone(step).transform(image)


@pytest.mark.parametrize("params, match", [
    ({"size": 4}, "size must be odd"),
    ({"size": 1}, "'size' parameter"),
    ({"statistics": ("mean", "median")}, "statistics must be distinct names among"),
    ({"statistics": ("mean", "mean")}, "statistics must be distinct names among"),
    ({"texture": "entropy"}, "texture must be distinct names among"),
    ({"levels": 1}, "'levels' parameter"),
    ({"bands": [0, 1]}, "bands are 1-based band numbers between 1 and 3"),
    ({"bands": [4]}, "bands are 1-based band numbers between 1 and 3"),
    ({"bands": [1.5]}, "bands must be a non-empty sequence"),
])
def test_parameter_errors(params, match):
    with pytest.raises(ValueError, match=match):
        NeighbourhoodFeatures(**params).fit(_scene())


def test_input_errors():
    step = NeighbourhoodFeatures().fit(_scene())
    with pytest.raises(ValueError, match="X has 2 bands, but NeighbourhoodFeatures"):
        step.transform(_scene((9, 9, 2)))
    with pytest.raises(ValueError, match=r"must be an image of shape \(H, W, B\)"):
        step.transform(np.zeros((100, 3)).ravel())
    with pytest.raises(TypeError, match="X must be numeric"):
        step.transform(np.full((5, 5, 3), "a"))
    with pytest.raises(ValueError, match="no pixel with finite values"):
        NeighbourhoodFeatures().fit(np.full((5, 5, 3), np.nan))
    with pytest.raises(ValueError, match="input_features has 2 names"):
        step.get_feature_names_out(["a", "b"])


def test_real_landsat7_block_seams(landsat7_stack):
    """The seam guarantee on the real Landsat 7 stack with uint8 bands."""
    image = landsat7_stack[:120, :100]
    step = NeighbourhoodFeatures(size=5, statistics=ALL_STATISTICS).fit(image)
    whole = step.transform(image)
    padded = np.pad(image, ((2, 2), (2, 2), (0, 0)), mode="reflect")
    top = step.transform(padded[:64 + 4])[2:-2, 2:-2]
    bottom = step.transform(padded[64:])[2:-2, 2:-2]
    np.testing.assert_array_equal(np.concatenate([top, bottom]), whole)


def test_pipeline_fit_on_rows_points_to_fit_raster():
    import classical

    rows, y = np.random.default_rng(0).random((100, 4)), np.arange(100) % 2
    with pytest.raises(ValueError, match=r"fitted on an image.*fit_raster"):
        classical.make_pipeline("pixel-texture-rf").fit(rows, y)
