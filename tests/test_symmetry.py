"""The 8 square symmetries of dense features: permuting against describing again."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from classical._kernels import symmetry as kernels
from classical.datasets import load_sample
from classical.descriptors import (
    DenseColorExtractor,
    DenseLBPExtractor,
    DenseSIFTExtractor,
    HOGExtractor,
    LocalFeatures,
    d4_is_exact,
    d4_local_features,
)
from classical.preprocess import d4, to_grayscale
from tests.naive import symmetry as naive

SYMMETRIES = range(8)

EXTRACTORS = {
    "sift": DenseSIFTExtractor(step=8, bin_size=4),
    "phow": DenseSIFTExtractor(step=6, bin_size=(4, 6), magnification=6),
    "opponent": DenseSIFTExtractor(step=8, bin_size=4, color_space="opponent"),
    "lbp-default": DenseLBPExtractor(step=8, patch_size=16, P=4, R=1,
                                     method="default"),
    "lbp-nri": DenseLBPExtractor(step=8, patch_size=16, P=8, R=1,
                                 method="nri_uniform", per_channel=True),
    "lbp-ror": DenseLBPExtractor(step=8, patch_size=16, P=8, R=2, method="ror"),
    "lbp-uniform": DenseLBPExtractor(step=8, patch_size=16, P=16, R=2),
    "moments": DenseColorExtractor(step=8, patch_size=16, moments=3),
}
BETWEEN_PIXELS = {"lbp-nri", "lbp-ror", "lbp-uniform"}
"""LBP extractors with neighbours between pixels (interpolated)."""
SIFT_TOLERANCE = 1e-5
"""Largest difference of a dense SIFT value, permuted against described
(float32 rounding; measured below 2e-6 on real images)."""


def symmetry(image, k):
    """The k-th symmetry as d4_local_features numbers them, with NumPy."""
    return np.ascontiguousarray(np.rot90(image if k < 4 else np.fliplr(image), k % 4))


def _real_valued(shape, seed=0):
    """Float RGB image whose LBP neighbours never tie with their centre."""
    return np.random.default_rng(seed).random(shape)


def _features(name, images):
    extractor = EXTRACTORS[name]
    return extractor, extractor.fit(images).transform(images)


def _assert_same_grid(moved, direct):
    assert_array_equal(moved.offsets, direct.offsets)
    assert_array_equal(moved.positions, direct.positions)
    assert_array_equal(moved.scales, direct.scales)
    assert_array_equal(moved.image_shapes, direct.image_shapes)


# --- the kernel against its twin ----------------------------------------------------


@pytest.mark.parametrize("n, d", [(0, 8), (1, 1), (1, 128), (37, 10), (200, 384)])
def test_permute_descriptors_equals_twin(n, d):
    rng = np.random.default_rng(n + d)
    src = rng.standard_normal((n, d)).astype(np.float32)
    src[:n // 2, :d // 2] = 0.0
    rows = rng.permutation(n).astype(np.int64)
    columns = rng.permutation(d).astype(np.int64)
    out = np.empty((n, d), np.float32)
    kernels.permute_descriptors(src, rows, columns, out)
    assert_array_equal(out, naive.permute_descriptors(src, rows, columns))


# --- permuting against describing the transformed image ------------------------------


@pytest.mark.parametrize("k", SYMMETRIES)
@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_permuted_equals_described_on_mapping_grid(name, k):
    # 40 x 56 with step 8 and 16-pixel patches: both axes map onto themselves
    # (phow: 24-pixel patches, step 6, so 42 x 54)
    images = [_real_valued((40, 56, 3), seed) for seed in range(2)]
    if name == "phow":
        images = [_real_valued((42, 54, 3), seed) for seed in range(2)]
    extractor, features = _features(name, images)
    # exact but for ties of interpolated neighbours, which real values never make
    assert d4_is_exact(extractor, images[0].shape, k) == (
        k == 0 or name not in BETWEEN_PIXELS)
    moved = d4_local_features(features, k, extractor=extractor)
    direct = extractor.transform([symmetry(image, k) for image in images])
    _assert_same_grid(moved, direct)
    if name.startswith("lbp"):
        assert_array_equal(moved.descriptors, direct.descriptors)
    else:
        assert_allclose(moved.descriptors, direct.descriptors, rtol=0,
                        atol=SIFT_TOLERANCE)


@pytest.mark.parametrize("name", ["lbp-default", "lbp-nri", "lbp-ror"])
def test_lbp_permutation_moves_bins(name):
    """The permuted histograms differ from the originals: bins really move."""
    images = [_real_valued((40, 40, 3))]
    extractor, features = _features(name, images)
    symmetries = (4, 6) if name == "lbp-ror" else (1, 4)  # ror: only mirrors move
    for k in symmetries:
        features_k = d4_local_features(features, k, extractor=extractor)
        assert not np.array_equal(np.sort(features_k.descriptors, axis=0),
                                  np.sort(features.descriptors, axis=0))


@pytest.mark.parametrize("k", SYMMETRIES)
def test_real_images_sift_and_exact_lbp(k):
    """The bundled EuroSAT images: SIFT to rounding, LBP on pixels bit for bit."""
    images = load_sample("eurosat").images[:6]
    grey = [to_grayscale(image) for image in images]
    for extractor, batch in [(DenseSIFTExtractor(step=4, bin_size=4), grey),
                             (DenseSIFTExtractor(step=4, bin_size=4,
                                                 color_space="opponent"), images),
                             (DenseLBPExtractor(step=4, P=4, R=1, method="default",
                                                per_channel=True), images)]:
        features = extractor.fit(batch).transform(batch)
        moved = d4_local_features(features, k, extractor=extractor)
        direct = extractor.transform([symmetry(image, k) for image in batch])
        _assert_same_grid(moved, direct)
        assert d4_is_exact(extractor, batch[0].shape, k)
        assert_allclose(moved.descriptors, direct.descriptors, rtol=0,
                        atol=SIFT_TOLERANCE if k else 0)


@pytest.mark.parametrize("k", range(1, 8))
def test_real_images_interpolated_lbp_within_tolerance(k):
    """LBP neighbours between pixels: ties in flat regions flip a few codes.

    The documented tolerance: a histogram moves by a few pixels' codes (at
    most 4 of the patch's 256 here), most histograms not at all.
    """
    images = load_sample("eurosat").images[:6]
    extractor = DenseLBPExtractor(step=4, P=16, R=2, method="uniform",
                                  per_channel=True)
    features = extractor.fit(images).transform(images)
    assert not d4_is_exact(extractor, images[0].shape, k)
    moved = d4_local_features(features, k, extractor=extractor)
    direct = extractor.transform([symmetry(image, k) for image in images])
    _assert_same_grid(moved, direct)
    difference = np.abs(moved.descriptors - direct.descriptors)
    assert difference.max() <= 4 / 256
    assert np.mean(np.all(difference == 0, axis=1)) > 0.8


@pytest.mark.parametrize("name", ["sift", "lbp-default"])
def test_off_grid_holds_the_transformed_image_at_moved_positions(name):
    """45 columns, step 8, 16-pixel patches: the mirrored grid is 5 pixels off.

    The moved features are the mirrored image's features on its grid shifted
    by 5 columns, i.e. those of the mirrored image without its first 5
    columns, away from that crop's new border (its first column of patches).
    """
    image = _real_valued((40, 45, 3))
    extractor, features = _features(name, [image])
    assert not d4_is_exact(extractor, image.shape, 4)
    assert d4_is_exact(extractor, image.shape, 6)  # rows map: (40 - 16) % 8 == 0
    moved = d4_local_features(features, 4, extractor=extractor)
    cropped = extractor.transform([symmetry(image, 4)[:, 5:]])
    inside = moved.positions[:, 0] > 5 + 7.5 + 1
    assert_array_equal(moved.positions, cropped.positions + [5, 0])
    assert_allclose(moved.descriptors[inside], cropped.descriptors[inside], rtol=0,
                    atol=SIFT_TOLERANCE)
    direct = extractor.transform([symmetry(image, 4)])
    assert not np.isin(moved.positions[:, 0], direct.positions[:, 0]).any()


@pytest.mark.parametrize("shape", [(40, 56), (40, 45), (43, 56), (47, 45), (50, 41)])
@pytest.mark.parametrize("k", SYMMETRIES)
def test_is_exact_tells_when_the_grids_agree(shape, k):
    extractor = DenseSIFTExtractor(step=8, bin_size=4)
    image = _real_valued(shape)
    features = extractor.fit([image]).transform([image])
    moved = d4_local_features(features, k, extractor=extractor)
    direct = extractor.transform([symmetry(image, k)])
    same = (moved.positions.shape == direct.positions.shape
            and np.array_equal(moved.positions, direct.positions))
    assert d4_is_exact(extractor, shape, k) == same
    if same:
        assert_allclose(moved.descriptors, direct.descriptors, atol=SIFT_TOLERANCE)


def test_is_exact_lbp_neighbours():
    on_pixels = DenseLBPExtractor(P=4, R=1)
    between = DenseLBPExtractor(P=8, R=1)
    six = DenseLBPExtractor(P=6, R=1)
    assert d4_is_exact(on_pixels, (32, 32), 1)
    assert d4_is_exact(between, (32, 32), 0)
    assert not d4_is_exact(between, (32, 32), 1)
    assert not d4_is_exact(six, (32, 32), 1)


def test_mixed_shapes_and_several_sizes():
    images = [_real_valued((42, 54, 3)), _real_valued((54, 48, 3), 1),
              _real_valued((42, 54, 3), 2)]
    extractor, features = _features("phow", images)
    for k in SYMMETRIES:
        moved = d4_local_features(features, k, extractor=extractor)
        direct = extractor.transform([symmetry(image, k) for image in images])
        _assert_same_grid(moved, direct)
        assert_allclose(moved.descriptors, direct.descriptors, atol=SIFT_TOLERANCE)


# --- group properties -------------------------------------------------------------


@pytest.mark.parametrize("name", ["opponent", "lbp-nri", "lbp-ror", "lbp-default"])
def test_four_rotations_are_the_identity(name):
    image = _real_valued((40, 45, 3))  # off-grid on columns: positions still exact
    extractor, features = _features(name, [image])
    moved = features
    for _ in range(4):
        moved = d4_local_features(moved, 1, extractor=extractor)
    _assert_same_grid(moved, features)
    assert_array_equal(moved.descriptors, features.descriptors)


def _composition_table():
    """``table[a][b] = c`` with symmetry a of symmetry b equal to symmetry c."""
    image = np.arange(12).reshape(3, 4)
    images = [symmetry(image, k) for k in SYMMETRIES]
    table = np.empty((8, 8), int)
    for a in SYMMETRIES:
        for b in SYMMETRIES:
            both = symmetry(images[b], a)
            table[a, b] = next(c for c in SYMMETRIES
                               if both.shape == images[c].shape
                               and np.array_equal(both, images[c]))
    return table


def test_composition_table_of_the_square():
    table = _composition_table()
    for row in table:  # a group: every row and column is a permutation
        assert sorted(row) == list(SYMMETRIES)
    assert sorted(table[:, 0]) == list(SYMMETRIES)
    image = _real_valued((40, 56, 3))
    for name in ["sift", "lbp-nri"]:
        extractor, features = _features(name, [image])
        moved = [d4_local_features(features, k, extractor=extractor)
                 for k in SYMMETRIES]
        for a in SYMMETRIES:
            for b in SYMMETRIES:
                both = d4_local_features(moved[b], a, extractor=extractor)
                expected = moved[table[a, b]]
                _assert_same_grid(both, expected)
                assert_array_equal(both.descriptors, expected.descriptors)


def test_order_matches_preprocess_d4():
    """The numbering is that of ``classical.preprocess.d4``."""
    image = np.arange(30).reshape(5, 6)
    for k, transformed in enumerate(d4(image)):
        assert_array_equal(transformed, symmetry(image, k))


# --- errors ------------------------------------------------------------------------


@pytest.fixture
def sift_features():
    image = _real_valued((32, 32))
    extractor = DenseSIFTExtractor().fit([image])
    return extractor, extractor.transform([image])


@pytest.mark.parametrize("k", [8, -1, 1.0, True, "1"])
def test_k_out_of_range(sift_features, k):
    extractor, features = sift_features
    with pytest.raises(ValueError, match="k must be an int from 0 to 7"):
        d4_local_features(features, k, extractor=extractor)
    with pytest.raises(ValueError, match="k must be an int from 0 to 7"):
        d4_is_exact(extractor, (32, 32), k)


def test_unsupported_extractor(sift_features):
    _, features = sift_features
    with pytest.raises(TypeError, match="extractor must be one of DenseSIFTExtractor"):
        d4_local_features(features, 1, extractor=HOGExtractor())
    with pytest.raises(TypeError, match="extractor must be one of"):
        d4_is_exact(HOGExtractor(), (32, 32), 1)


def test_features_checked(sift_features):
    extractor, features = sift_features
    with pytest.raises(TypeError, match="features must be a LocalFeatures"):
        d4_local_features([features.descriptors], 1, extractor=extractor)
    no_shapes = LocalFeatures(features.descriptors, features.offsets,
                              features.positions, features.scales)
    with pytest.raises(ValueError, match="image_shapes is None"):
        d4_local_features(no_shapes, 1, extractor=extractor)
    no_positions = LocalFeatures(features.descriptors, features.offsets,
                                 image_shapes=features.image_shapes)
    with pytest.raises(ValueError, match="positions hold NaN"):
        d4_local_features(no_positions, 1, extractor=extractor)
    lbp = DenseLBPExtractor(method="nri_uniform")  # 59 bins; 128 is not a multiple
    with pytest.raises(ValueError, match="not a multiple of 59"):
        d4_local_features(features, 1, extractor=lbp)


def test_lbp_neighbours_that_do_not_map():
    image = _real_valued((32, 32))
    extractor = DenseLBPExtractor(P=6, R=1, method="nri_uniform").fit([image])
    features = extractor.transform([image])
    with pytest.raises(ValueError, match="P=6 neighbours on the circle do not map"):
        d4_local_features(features, 1, extractor=extractor)
    for k in (4, 6):  # mirrors of the axes need only an even P
        moved = d4_local_features(features, k, extractor=extractor)
        direct = extractor.transform([symmetry(image, k)])
        assert_array_equal(moved.descriptors, direct.descriptors)
    too_many = DenseLBPExtractor(P=63, method="nri_uniform")
    with pytest.raises(ValueError, match="too many neighbours"):
        d4_local_features(features, 1, extractor=too_many)


@pytest.mark.parametrize("shape", [(32,), (32, 32, 3, 1), (0, 32), (32.0, 32.0)])
def test_is_exact_image_shape(shape):
    with pytest.raises(ValueError, match="image_shape must be"):
        d4_is_exact(DenseSIFTExtractor(), shape, 1)
