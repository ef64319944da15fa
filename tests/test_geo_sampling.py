"""sample_pixels, polygon_groups, spatial_block_groups and split_pixels: caps and
balance as OTB's sample.mt / sample.bm, masked pixels never drawn, and splits in
which no pixel, polygon or block is on both sides."""

import numpy as np
import pytest
from skimage.measure import label as skimage_label

from classical.geo import (
    polygon_groups,
    sample_pixels,
    spatial_block_groups,
    split_pixels,
)


def random_labels(seed=0, shape=(60, 80), n_classes=4, n_blobs=40):
    """Rectangles of random classes on an unlabelled background."""
    rng = np.random.default_rng(seed)
    labels = np.zeros(shape, dtype=np.int32)
    for _ in range(n_blobs):
        r, c = rng.integers(0, shape[0] - 6), rng.integers(0, shape[1] - 6)
        h, w = rng.integers(2, 7, size=2)
        labels[r:r + h, c:c + w] = rng.integers(1, n_classes + 1)
    return labels


def same_partition(a, b):
    """Whether two labellings group the pixels identically (up to renumbering)."""
    pairs = np.unique(np.stack([a.ravel(), b.ravel()]), axis=1)
    return len(np.unique(pairs[0])) == len(np.unique(pairs[1])) == pairs.shape[1]


# -- sample_pixels ------------------------------------------------------------
@pytest.mark.parametrize("cap, balance", [(None, False), (25, False), (None, True),
                                          (10, True), (10_000, True)])
def test_caps_and_balance(cap, balance):
    labels = random_labels()
    counts = np.bincount(labels.ravel())[1:]
    rows, cols = sample_pixels(labels, max_per_class=cap, balance=balance,
                               random_state=0)
    drawn = np.bincount(labels[rows, cols], minlength=len(counts) + 1)[1:]
    wanted = counts.min() if balance else counts.max()
    wanted = wanted if cap is None else min(wanted, cap)
    np.testing.assert_array_equal(drawn, np.minimum(counts, wanted))
    flat = np.ravel_multi_index((rows, cols), labels.shape)
    assert np.all(np.diff(flat) > 0)  # distinct, row-major


def test_masked_pixels_are_never_drawn():
    labels = random_labels()
    mask = np.random.default_rng(1).random(labels.shape) > 0.3
    for seed in range(5):
        rows, cols = sample_pixels(labels, max_per_class=30, mask=mask,
                                   random_state=seed)
        assert mask[rows, cols].all() and (labels[rows, cols] > 0).all()


def test_sampling_is_seeded_and_uniform():
    labels = np.zeros((10, 10), dtype=np.int16)
    labels[:5] = 1
    labels[5:] = 2
    first = sample_pixels(labels, max_per_class=10, random_state=3)
    again = sample_pixels(labels, max_per_class=10, random_state=3)
    np.testing.assert_array_equal(np.ravel_multi_index(first, labels.shape),
                                  np.ravel_multi_index(again, labels.shape))
    hits = np.zeros(labels.shape)
    for seed in range(400):
        rows, cols = sample_pixels(labels, max_per_class=10, random_state=seed)
        hits[rows, cols] += 1
    # Each pixel is drawn with probability 10 / 50: 80 times in 400 on average.
    assert 50 < hits.min() and hits.max() < 115


def test_sampling_errors():
    labels = random_labels()
    with pytest.raises(ValueError, match="max_per_class must be an int >= 1"):
        sample_pixels(labels, max_per_class=0)
    with pytest.raises(ValueError, match="no labelled pixel"):
        sample_pixels(labels, mask=np.zeros(labels.shape, bool))
    with pytest.raises(ValueError, match="mask must have the shape of labels"):
        sample_pixels(labels, mask=np.ones((3, 3), bool))
    with pytest.raises(ValueError, match="labels must be an integer array of shape"):
        sample_pixels(labels.astype(float))


# -- groups -----------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_polygon_groups_match_scikit_image(seed):
    labels = random_labels(seed)
    groups = polygon_groups(labels)
    reference = skimage_label(labels, background=0, connectivity=2)
    assert same_partition(groups, reference)
    assert groups.max() == reference.max() and ((groups > 0) == (labels > 0)).all()


def test_spatial_block_groups_match_a_loop():
    groups = spatial_block_groups((23, 17, 4), (5, 4))
    expected = np.zeros((23, 17), dtype=int)
    n_cols = 5  # ceil(17 / 4)
    for r in range(23):
        for c in range(17):
            expected[r, c] = (r // 5) * n_cols + c // 4 + 1
    np.testing.assert_array_equal(groups, expected)
    np.testing.assert_array_equal(spatial_block_groups((9, 9), 3),
                                  spatial_block_groups((9, 9), (3, 3)))


def test_spatial_block_groups_errors():
    with pytest.raises(ValueError, match="block_size must be an int >= 1"):
        spatial_block_groups((9, 9), 0)
    with pytest.raises(ValueError, match="shape must be \\(H, W\\)"):
        spatial_block_groups((9,), 3)


# -- split_pixels ------------------------------------------------------------------
@pytest.mark.parametrize("groups", [None, "polygon", 8, (6, 10)])
@pytest.mark.parametrize("test_size", [0.2, 0.5])
def test_split_has_no_leak_and_covers_the_labels(groups, test_size):
    labels = random_labels(2)
    mask = np.random.default_rng(0).random(labels.shape) > 0.1
    train, test = split_pixels(labels, test_size=test_size, groups=groups, mask=mask,
                               random_state=0)
    usable = (labels > 0) & mask
    assert not (train & test).any()
    np.testing.assert_array_equal(train | test, usable)
    if groups is not None:
        group_of = (polygon_groups(np.where(mask, labels, 0)) if groups == "polygon"
                    else spatial_block_groups(labels.shape, groups))
        assert not set(group_of[train]) & set(group_of[test])


@pytest.mark.parametrize("test_size", [0.1, 0.3, 0.75])
def test_pixel_split_is_stratified(test_size):
    labels = random_labels(3)
    train, test = split_pixels(labels, test_size=test_size, random_state=1)
    for value in range(1, labels.max() + 1):
        n = (labels == value).sum()
        n_test = (test & (labels == value)).sum()
        assert abs(n_test - test_size * n) <= 0.5 and n_test >= 1
        assert (train & (labels == value)).sum() == n - n_test


def test_polygon_split_keeps_every_class_on_both_sides_near_the_share():
    labels = np.zeros((40, 100), dtype=np.uint8)
    for k in range(10):  # ten separate 3 x 4 polygons of each class
        labels[2:5, 10 * k:10 * k + 4] = 1
        labels[20:23, 10 * k:10 * k + 4] = 2
    train, test = split_pixels(labels, test_size=0.3, groups="polygon", random_state=0)
    for value in (1, 2):
        n_test = (test & (labels == value)).sum() // 12
        assert n_test == 3  # of the 10 polygons, 3 go to the test set


def test_polygons_from_read_labels_never_straddle(landsat7_dir):
    pytest.importorskip("rasterio")
    from classical.geo import read_labels
    labels, features = read_labels(landsat7_dir / "training_data.shp",
                                   landsat7_dir / "LE70220491999322EDC01_stack.gtif",
                                   return_groups=True)
    for seed in range(5):
        train, test = split_pixels(labels, groups=features, random_state=seed)
        assert not set(features[train]) & set(features[test])
        for value in np.unique(labels[labels > 0]):
            of_class = labels == value
            assert (train & of_class).any() and (test & of_class).any()


def test_split_is_seeded():
    labels = random_labels(4)
    first = split_pixels(labels, groups="polygon", random_state=7)
    again = split_pixels(labels, groups="polygon", random_state=7)
    other = split_pixels(labels, groups="polygon", random_state=8)
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])


def test_split_errors():
    labels = np.zeros((10, 10), dtype=np.int32)
    labels[:4, :4] = 1
    labels[6:, 6:] = 2
    with pytest.raises(ValueError, match="class 1 has a single group.*smaller blocks"):
        split_pixels(labels, groups="polygon")
    labels[0, 9] = 3
    with pytest.raises(ValueError, match="class 3 has a single pixel"):
        split_pixels(labels)
    with pytest.raises(ValueError, match="test_size must be a float in \\(0, 1\\)"):
        split_pixels(labels, test_size=1.0)
    with pytest.raises(ValueError, match="groups must be None, 'polygon'"):
        split_pixels(labels, groups="polygons")
    with pytest.raises(ValueError, match="groups as an array must have the shape"):
        split_pixels(labels, groups=np.zeros((3, 3), int))
    with pytest.raises(ValueError, match="nothing to split"):
        split_pixels(np.zeros((4, 4), dtype=int))
