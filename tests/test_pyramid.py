"""SpatialPyramid: level 1 is the plain encoder, cells follow the grid, errors."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classical.descriptors import LocalFeatures
from classical.encoders._bovw import BagOfVisualWords
from classical.encoders._pyramid import SpatialPyramid
from classical.encoders._vlad import VLADEncoder
from classical.encoders._vocabulary import VisualVocabulary
from classical.utils.estimator_checks import image_estimator_checks

WORDS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]], dtype=np.float32)


def _features(n_images=5, seed=0, size=32, dims=4):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 40, n_images)
    counts[0] = 30
    return LocalFeatures.from_list(
        [rng.random((c, dims), dtype=np.float32) for c in counts],
        positions=[rng.random((c, 2)) * (size - 1) for c in counts],
        scales=[np.ones(c) for c in counts])


def _vocabulary():
    return VisualVocabulary(n_words=3, random_state=0).fit(WORDS)


def _in_vocabulary_order(counts, vocabulary):
    """Reorder per-cell counts indexed by row of WORDS into the vocabulary's order."""
    labels = vocabulary.predict(WORDS)
    counts = np.asarray(counts, dtype=np.float64).reshape(-1, len(WORDS))
    out = np.empty_like(counts)
    out[:, labels] = counts
    return out.ravel()


@pytest.mark.parametrize("encoder", [BagOfVisualWords(n_words=3, random_state=0),
                                     VLADEncoder(n_words=3, random_state=0)])
def test_level_one_equals_plain_encoder(encoder):
    features = _features()
    plain = encoder.fit(features).transform(features)
    pyramid = SpatialPyramid(encoder=encoder, levels=(1,)).fit(features)
    assert_allclose(pyramid.transform(features), plain, rtol=1e-12)
    assert pyramid.n_cell_features_ == plain.shape[1]


def _quadrant_features():
    """Two 20 x 10 (height x width) images with descriptors at chosen points."""
    # image 0: word 0 top-left, word 1 top-right (twice), word 2 bottom-right
    descriptors0 = WORDS[[0, 1, 1, 2]]
    positions0 = [(1.0, 2.0), (7.0, 0.0), (5.0, 9.4), (9.0, 19.0)]
    # image 1: word 2 bottom-left only; image 2: no descriptors
    descriptors1 = WORDS[[2]]
    positions1 = [(0.0, 15.0)]
    return LocalFeatures.from_list(
        [descriptors0, descriptors1, np.zeros((0, 2), np.float32)],
        positions=[positions0, positions1, np.zeros((0, 2))])


def _expected_counts(features, vocabulary, levels, height, width):
    """Count words per cell directly from the grid definition."""
    rows = []
    for i in range(len(features)):
        row = []
        positions = features.positions[features.offsets[i]:features.offsets[i + 1]]
        words = [int(np.flatnonzero((WORDS == d).all(axis=1))[0])
                 for d in features[i]]
        for level in levels:
            for r in range(level):
                for c in range(level):
                    counts = np.zeros(len(WORDS))
                    for (x, y), word in zip(positions, words):
                        col = min(int((x + 0.5) / (width / level)), level - 1)
                        row_ = min(int((y + 0.5) / (height / level)), level - 1)
                        if (row_, col) == (r, c):
                            counts[word] += 1
                    row.extend(_in_vocabulary_order(counts, vocabulary))
        rows.append(row)
    return np.asarray(rows)


def test_quadrants_give_expected_blocks():
    features = _quadrant_features()
    vocabulary = _vocabulary()
    pyramid = SpatialPyramid(
        encoder=BagOfVisualWords(vocabulary=vocabulary, normalize=None),
        levels=(1, 2), image_shape=(20, 10)).fit(features)
    got = pyramid.transform(features)
    assert got.shape == (3, 3 * 5)
    assert_allclose(got, _expected_counts(features, vocabulary, (1, 2), 20, 10))
    # spelled out for image 0: whole image, then TL, TR, BL, BR
    assert_allclose(got[0], _in_vocabulary_order(
        [1, 2, 1, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1], vocabulary))
    names = pyramid.get_feature_names_out()
    assert names[3] == "level2_cell0_0_word0" and len(names) == got.shape[1]


def test_image_shapes_attribute_and_max_position_rule():
    features = _quadrant_features()
    encoder = BagOfVisualWords(vocabulary=_vocabulary(), normalize=None)
    fixed = SpatialPyramid(encoder=encoder, levels=(2, 3), image_shape=(20, 10))
    expected = fixed.fit(features).transform(features)
    features.image_shapes = np.array([[20, 10]] * 3)
    wrong = SpatialPyramid(encoder=encoder, levels=(2, 3), image_shape=(5, 5))
    assert_allclose(wrong.fit(features).transform(features), expected)
    features.image_shapes = None
    # without sizes: image 0 spans floor(max x) + 1 = 10 by floor(max y) + 1 = 20
    derived = SpatialPyramid(encoder=encoder, levels=(2, 3)).fit(features)
    assert_allclose(derived.transform(features[:1]), expected[:1])


def test_level_weights_scale_blocks():
    features = _quadrant_features()
    encoder = BagOfVisualWords(vocabulary=_vocabulary(), normalize=None)
    plain = SpatialPyramid(encoder=encoder, image_shape=(20, 10)).fit(features)
    weighted = SpatialPyramid(encoder=encoder, image_shape=(20, 10),
                              level_weights=[0.5, 2.0]).fit(features)
    factor = np.repeat([0.5, 2.0], [3, 12])
    assert_allclose(weighted.transform(features), plain.transform(features) * factor)


def test_fit_leaves_encoder_unchanged():
    encoder = BagOfVisualWords(n_words=3, random_state=0)
    SpatialPyramid(encoder=encoder).fit(_features())
    assert not hasattr(encoder, "vocabulary_")


# check_clone_and_params compares get_params() with ==, which a cloned
# nested encoder (a new object) cannot pass; test_clone covers it instead
@pytest.mark.parametrize(
    "estimator, check, images, y",
    [case for case in image_estimator_checks(
        SpatialPyramid(encoder=VLADEncoder(n_words=3, random_state=0),
                       levels=(1, 2)),
        _features(6)) if case[1].__name__ != "check_clone_and_params"])
def test_pyramid_image_checks(estimator, check, images, y):
    check(estimator, images, y)


def test_clone():
    pyramid = SpatialPyramid(encoder=VLADEncoder(n_words=3), levels=(1, 4),
                             level_weights=[1.0, 0.5], image_shape=(8, 9))
    twin = clone(pyramid)
    assert twin.encoder is not pyramid.encoder
    assert twin.encoder.get_params() == pyramid.encoder.get_params()
    for name in ("levels", "level_weights", "image_shape"):
        assert twin.get_params()[name] == pyramid.get_params()[name]


@pytest.mark.parametrize("params, match", [
    ({"levels": (1, 0)}, "levels must be a non-empty sequence of positive ints"),
    ({"levels": ()}, "levels must be a non-empty sequence"),
    ({"levels": (1.5,)}, "levels must be"),
    ({"level_weights": [1.0]}, "level_weights must hold one finite number per "
                               r"level \(2\)"),
    ({"image_shape": (10, 0)}, r"image_shape must be \(height, width\)"),
    ({"image_shape": (10, 10, 3)}, r"image_shape must be \(height, width\)"),
])
def test_parameter_errors(params, match):
    pyramid = SpatialPyramid(encoder=BagOfVisualWords(n_words=2), **params)
    with pytest.raises(ValueError, match=match):
        pyramid.fit(_features())


def test_input_errors():
    pyramid = SpatialPyramid(encoder=BagOfVisualWords(n_words=2, random_state=0))
    with pytest.raises(NotFittedError):
        pyramid.transform(_features())
    with pytest.raises(TypeError, match="X must be a LocalFeatures"):
        pyramid.fit([np.ones((3, 4))])
    no_positions = LocalFeatures.from_list([np.ones((3, 4))])
    with pytest.raises(ValueError, match="X.positions contain NaN"):
        pyramid.fit(no_positions)
    pyramid.fit(_features())
    features = _features()
    features.image_shapes = np.ones((2, 2))
    with pytest.raises(ValueError, match=r"X.image_shapes must be an \(5, 2\)"):
        pyramid.transform(features)
    with pytest.raises(ValueError, match="The 'encoder' parameter"):
        SpatialPyramid(encoder="bovw").fit(_features())


def test_sift_output_feeds_the_pyramid():
    from classical.datasets import load_sample
    from classical.descriptors._sift import SIFTExtractor

    images = [np.asarray(image) for image in load_sample("eurosat").images[:6]]
    features = SIFTExtractor(max_keypoints=30).fit_transform(images)
    encoder = BagOfVisualWords(n_words=4, normalize=None, random_state=0)
    pyramid = SpatialPyramid(encoder=encoder, levels=(1, 2), image_shape=(64, 64))
    encoded = pyramid.fit_transform(features)
    assert encoded.shape == (6, 4 * 5)
    # with raw counts, the four quadrants add up to the whole image
    assert_allclose(encoded[:, 4:].reshape(6, 4, 4).sum(axis=1), encoded[:, :4])
    assert_allclose(encoded[:, :4].sum(axis=1), features.counts)
