"""LocalFeatures and the helpers of classical._local_features.

The ragged container's indexing, joining, pickling and errors; is_ragged,
sample_rows, check_descriptor_length; the float32 policy of every extractor.
(as_ragged is tested in test_vocabulary.py beside the encoders' inputs.)
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from classical._local_features import (
    DESCRIPTOR_DTYPE,
    check_descriptor_length,
    is_ragged,
    sample_rows,
)
from classical.descriptors import (
    DenseColorExtractor,
    DenseLBPExtractor,
    DenseSIFTExtractor,
    LocalFeatures,
    LocalPCA,
    SIFTExtractor,
)


def _parts(counts=(3, 0, 2, 4), d=5, seed=0):
    rng = np.random.default_rng(seed)
    descriptors = [rng.random((n, d)).astype(np.float32) for n in counts]
    positions = [rng.random((n, 2)).astype(np.float32) * 50 for n in counts]
    scales = [np.full(n, k + 1.0, np.float32) for k, n in enumerate(counts)]
    return descriptors, positions, scales


@pytest.fixture
def features():
    return LocalFeatures.from_list(*_parts())


def test_from_list_layout(features):
    descriptors, positions, scales = _parts()
    assert len(features) == 4
    assert features.n_descriptors == 9 and features.n_dims == 5
    assert_array_equal(features.offsets, [0, 3, 3, 5, 9])
    assert_array_equal(features.counts, [3, 0, 2, 4])
    assert features.descriptors.dtype == np.float32
    assert features.offsets.dtype == np.int64
    assert features.descriptors.flags.c_contiguous
    for i in range(4):
        assert_array_equal(features[i], descriptors[i])
        assert np.shares_memory(features[i], features.descriptors) or not len(
            descriptors[i])
    assert_array_equal(features[-1], descriptors[-1])
    assert_array_equal(features.positions, np.concatenate(positions))
    assert_array_equal(features.scales, np.concatenate(scales))
    assert [len(a) for a in features] == [3, 0, 2, 4]


def test_unknown_positions_and_scales_are_nan():
    features = LocalFeatures.from_list([np.ones((2, 3))])
    assert features.positions.shape == (2, 2) and np.isnan(features.positions).all()
    assert features.scales.shape == (2,) and np.isnan(features.scales).all()


@pytest.mark.parametrize("key", [slice(1, 3), slice(None, None, 2),
                                 slice(None, None, -1), slice(2, 1), slice(-2, None)])
def test_slicing_matches_from_list(features, key):
    descriptors, positions, scales = _parts()
    part = features[key]
    assert isinstance(part, LocalFeatures)
    indices = range(4)[key]
    assert len(part) == len(indices)
    for j, i in enumerate(indices):
        assert_array_equal(part[j], descriptors[i])
        assert_array_equal(part.image(j).positions, positions[i])
        assert_array_equal(part.image(j).scales, scales[i])
    assert part.offsets[0] == 0 and part.offsets[-1] == part.n_descriptors


def test_image_is_one_image_batch(features):
    one = features.image(2)
    assert len(one) == 1
    assert_array_equal(one[0], features[2])
    assert_array_equal(one.offsets, [0, 2])
    assert_array_equal(features.image(-4)[0], features[0])


def test_concatenate_round_trip(features):
    joined = LocalFeatures.concatenate([features[:1], features[1:3], features[3:]])
    for name in ("descriptors", "offsets", "positions", "scales"):
        assert_array_equal(getattr(joined, name), getattr(features, name))


def test_pickle_round_trip(features):
    restored = pickle.loads(pickle.dumps(features))
    for name in ("descriptors", "offsets", "positions", "scales"):
        assert_array_equal(getattr(restored, name), getattr(features, name))
    assert repr(restored) == repr(features) == (
        "LocalFeatures(n_images=4, n_descriptors=9, n_dims=5)")


def test_constructor_converts():
    features = LocalFeatures(np.ones((3, 2), np.float64), [0, 1, 3],
                             positions=np.zeros((3, 2)), scales=[1, 2, 3])
    assert features.descriptors.dtype == np.float32
    assert features.positions.dtype == features.scales.dtype == np.float32
    assert_array_equal(features[1], np.ones((2, 2)))


@pytest.mark.parametrize("descriptors, offsets, match", [
    (np.ones(4), [0, 4], "descriptors must be a 2-D array"),
    (np.ones((4, 2)), [[0, 4]], "offsets must be a 1-D integer array"),
    (np.ones((4, 2)), [0.0, 4.0], "offsets must be a 1-D integer array"),
    (np.ones((4, 2)), [], "offsets must be a 1-D integer array"),
    (np.ones((4, 2)), [1, 4], "offsets must start at 0"),
    (np.ones((4, 2)), [0, 3], "end at the number of descriptors"),
    (np.ones((4, 2)), [0, 3, 2, 4], "never decrease"),
])
def test_constructor_errors(descriptors, offsets, match):
    with pytest.raises(ValueError, match=match):
        LocalFeatures(descriptors, offsets)


def test_constructor_type_error():
    with pytest.raises(TypeError, match="descriptors must be numeric"):
        LocalFeatures(np.array([["a"]]), [0, 1])


def test_per_descriptor_shape_errors():
    with pytest.raises(ValueError, match=r"positions must have shape \(2, 2\)"):
        LocalFeatures(np.ones((2, 3)), [0, 2], positions=np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"scales must have shape \(2,\)"):
        LocalFeatures(np.ones((2, 3)), [0, 2], scales=np.ones(3))


def test_from_list_errors():
    with pytest.raises(ValueError, match="descriptors is empty"):
        LocalFeatures.from_list([])
    with pytest.raises(ValueError,
                       match=r"descriptors\[1\] must have shape \(n_i, 3\)"):
        LocalFeatures.from_list([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="positions must hold one array per image"):
        LocalFeatures.from_list([np.ones((2, 3))], positions=[])
    with pytest.raises(ValueError, match=r"scales\[0\] must have 2 rows"):
        LocalFeatures.from_list([np.ones((2, 3))], scales=[np.ones(1)])


def test_concatenate_errors(features):
    with pytest.raises(ValueError, match="features is empty"):
        LocalFeatures.concatenate([])
    with pytest.raises(TypeError, match=r"features\[1\] must be a LocalFeatures"):
        LocalFeatures.concatenate([features, np.ones((2, 5))])
    other = LocalFeatures.from_list([np.ones((1, 2))])
    with pytest.raises(ValueError, match="descriptors of length 2"):
        LocalFeatures.concatenate([features, other])


def test_index_errors(features):
    with pytest.raises(IndexError, match="out of range for 4 images"):
        features[4]
    with pytest.raises(IndexError, match="image index -5"):
        features.image(-5)
    with pytest.raises(TypeError, match="indices must be an int"):
        features[1.5]


def _shaped():
    shapes = np.array([[10, 20], [30, 40], [50, 60], [70, 80]])
    return LocalFeatures.from_list(*_parts(), image_shapes=shapes), shapes


@pytest.mark.parametrize("key", [slice(1, 3), slice(None, None, -2), slice(3, 3)])
def test_image_shapes_follow_slices(key):
    features, shapes = _shaped()
    assert_array_equal(features[key].image_shapes, shapes[key])
    assert features[key].image_shapes.dtype == np.int64


def test_image_shapes_survive_concatenate_and_pickle():
    features, shapes = _shaped()
    joined = LocalFeatures.concatenate([features[:1], features[1:]])
    assert_array_equal(joined.image_shapes, shapes)
    assert_array_equal(pickle.loads(pickle.dumps(features)).image_shapes, shapes)
    unknown = LocalFeatures.from_list(*_parts())
    assert unknown.image_shapes is None
    assert LocalFeatures.concatenate([features, unknown]).image_shapes is None


@pytest.mark.parametrize("shapes", [np.ones((3, 2), int), np.ones((4, 2)),
                                    np.zeros((4, 2), int)])
def test_image_shapes_errors(shapes):
    with pytest.raises(ValueError, match=r"image_shapes must be an integer array "
                                         r"of shape \(4, 2\)"):
        LocalFeatures.from_list(*_parts(), image_shapes=shapes)


def test_with_descriptors_keeps_layout():
    features, shapes = _shaped()
    halved = features.with_descriptors(features.descriptors[:, :2] * 0.5)
    assert halved.n_dims == 2
    assert_array_equal(halved.descriptors, features.descriptors[:, :2] * 0.5)
    for name in ("offsets", "positions", "scales", "image_shapes"):
        assert_array_equal(getattr(halved, name), getattr(features, name))
    with pytest.raises(ValueError, match=r"descriptors must have shape \(9, d_new\)"):
        features.with_descriptors(np.ones((8, 2)))


# --- the helpers both stages share ------------------------------------------------


def test_is_ragged(features):
    assert is_ragged(features)
    assert is_ragged([np.zeros((2, 3)), np.zeros((0, 3))])
    assert is_ragged((np.zeros((2, 3)),))
    assert not is_ragged(np.zeros((4, 3)))
    assert not is_ragged([])
    assert not is_ragged([np.zeros(3)])
    assert not is_ragged([[0.0, 1.0]])


def test_sample_rows():
    rows = np.arange(40.0).reshape(20, 2)
    assert sample_rows(rows, 20, 0) is rows  # all kept, no copy, no draw
    sample = sample_rows(rows, 5, 0)
    assert sample.shape == (5, 2)
    kept = sample[:, 0] / 2
    assert np.all(np.diff(kept) > 0) and set(kept) <= set(range(20))
    assert_array_equal(sample_rows(rows, 5, 0), sample)  # seeded
    rng = np.random.RandomState(0)
    assert_array_equal(rows[np.sort(rng.choice(20, 5, replace=False))], sample)


def test_check_descriptor_length():
    class Estimator:
        pass

    estimator = Estimator()
    check_descriptor_length(estimator, np.zeros((3, 7)), reset=True)
    assert estimator.n_features_in_ == 7
    check_descriptor_length(estimator, np.zeros((0, 7)), reset=False)
    with pytest.raises(ValueError, match=r"X has descriptors of length 6, but "
                                         r"Estimator was fitted on length 7"):
        check_descriptor_length(estimator, np.zeros((3, 6)), reset=False)


@pytest.mark.parametrize("extractor", [
    DenseSIFTExtractor(), DenseSIFTExtractor(color_space="rgb"), DenseLBPExtractor(),
    DenseColorExtractor(), SIFTExtractor(root_sift=True),
], ids=lambda e: type(e).__name__)
def test_every_extractor_makes_descriptor_dtype(extractor):
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (48, 40, 3), dtype=np.uint8),
              rng.random((40, 48, 3))]
    features = extractor.fit_transform(images)
    for array in (features.descriptors, features.positions, features.scales):
        assert array.dtype == DESCRIPTOR_DTYPE and array.flags.c_contiguous
    reduced = LocalPCA(n_components=2, random_state=0).fit_transform(features)
    assert reduced.descriptors.dtype == DESCRIPTOR_DTYPE


def test_local_features_stores_descriptor_dtype():
    features = LocalFeatures.from_list([np.ones((2, 3), np.float64)],
                                       positions=[np.ones((2, 2), np.int64)])
    assert features.descriptors.dtype == DESCRIPTOR_DTYPE
    assert features.positions.dtype == DESCRIPTOR_DTYPE
    assert features.scales.dtype == DESCRIPTOR_DTYPE
