"""VLAD: the fused kernel against its twin; vlad_encode and VLADEncoder."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from classical._kernels import assign, vlad
from classical._local_features import as_ragged
from classical.encoders._base import kernel_threads
from classical.encoders._vlad import VLADEncoder, vlad_encode
from classical.encoders._vocabulary import VisualVocabulary
from classical.utils.estimator_checks import image_estimator_checks
from tests.naive import encoders as naive

STEPS = {"intra+power+l2": (True, True, True), "intra+l2": (True, False, True),
         "power+l2": (False, True, True), "l2": (False, False, True),
         None: (False, False, False)}
TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}


def _both(sets, words, normalize, soft=None):
    """Kernel and twin on the same ragged batch; ``soft`` is (n_nearest, sigma)."""
    descriptors, offsets = as_ragged(sets)
    words = np.ascontiguousarray(words, dtype=descriptors.dtype)
    flags = STEPS[normalize]
    name, extra = ("vlad_batch", ()) if soft is None else ("soft_vlad_batch", soft)
    ours = np.full((len(sets), words.size), np.nan)
    with kernel_threads(None):
        getattr(vlad, name)(descriptors, offsets, words, assign.squared_norms(words),
                            *extra, *flags, ours)
    twin = np.full_like(ours, np.nan)
    getattr(naive, name)(descriptors, offsets, words, None, *extra, *flags, twin)
    return ours, twin


def _sets(seed, sizes, dim, dtype):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, dim)).astype(dtype) for n in sizes]


@pytest.mark.parametrize("normalize", list(STEPS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sizes, k, dim", [((40, 300, 7), 6, 5), ((1,), 3, 4),
                                           ((0, 2, 0), 4, 3), ((600,), 16, 32)])
def test_kernel_matches_twin(normalize, dtype, sizes, k, dim):
    sets = _sets([len(sizes), k, dim], sizes, dim, dtype)
    words = np.random.default_rng(k).normal(size=(k, dim))
    ours, twin = _both(sets, words, normalize)
    tol = TOLERANCE[dtype]
    assert_allclose(ours, twin, rtol=tol, atol=tol)
    for i, x in enumerate(sets):
        if len(x) == 0:
            assert_array_equal(ours[i], 0)


@pytest.mark.parametrize("normalize", ["intra+power+l2", None])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sizes, k, dim", [((40, 300, 7), 6, 5), ((0, 2, 0), 4, 3),
                                           ((600,), 16, 32)])
@pytest.mark.parametrize("n_nearest, sigma", [(1, 1.0), (3, 0.5), (4, 2.0), (2, 0.0)])
def test_soft_kernel_matches_twin(normalize, dtype, sizes, k, dim, n_nearest, sigma):
    sets = _sets([len(sizes), k, dim], sizes, dim, dtype)
    words = np.random.default_rng(k).normal(size=(k, dim))
    ours, twin = _both(sets, words, normalize, (n_nearest, sigma))
    tol = TOLERANCE[dtype]
    assert_allclose(ours, twin, rtol=tol, atol=tol)
    if n_nearest == 1:  # one word per descriptor: the hard encoding
        assert_allclose(ours, _both(sets, words, normalize)[0], rtol=tol, atol=tol)


def test_soft_residuals_are_weighted():
    words = np.array([[0.0, 0.0], [2.0, 0.0], [50.0, 50.0]])
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    sigma = 1.0
    # first descriptor: equidistant from words 0 and 1, half each
    # second: squared distances 1 and 5, weights 1 : exp(-2)
    w = np.exp(-2.0) / (1 + np.exp(-2.0))
    expected = [[0.5 * 1 + (1 - w) * 0, 0.5 * 0 + (1 - w) * 1],
                [0.5 * -1 + w * -2, 0.5 * 0 + w * 1], [0, 0]]
    ours, twin = _both([x], words, None, (2, sigma))
    assert_allclose(ours[0], np.ravel(expected), atol=1e-12)
    assert_allclose(ours, twin, atol=1e-12)


def test_empty_word_gives_a_zero_block():
    words = np.array([[0.0, 0.0], [100.0, 100.0], [1.0, 1.0]])
    x = np.array([[0.2, -0.1], [0.9, 1.3], [1.2, 0.8]])
    for normalize in STEPS:
        ours, twin = _both([x], words, normalize)
        assert_array_equal(ours[0, 2:4], 0)
        assert_allclose(ours, twin, rtol=1e-12, atol=1e-15)


def test_unnormalised_values_are_residual_sums():
    words = np.array([[0.0, 0.0], [10.0, 10.0]])
    x = np.array([[1.0, 0.0], [0.0, 3.0], [9.0, 12.0]])
    assert_allclose(vlad_encode(x, words, normalize=None), [1, 3, -1, 2])
    unit = vlad_encode(x, words, normalize="intra+l2")
    assert_allclose(np.linalg.norm(unit), 1.0)
    assert_allclose(unit[:2] / np.linalg.norm(unit[:2]), np.array([1, 3]) / 10 ** .5)


def test_ties_and_constant_descriptors():
    # integer data: exact products, so the tie between words 0 and 1 is exact
    words = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    x = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    for normalize in STEPS:
        ours, twin = _both([x], words, normalize)
        assert_allclose(ours, twin, rtol=1e-12, atol=1e-15)
    assert_allclose(vlad_encode(x, words, normalize=None), [-1, 2, 0, 0, 0, 0])
    # descriptors equal to their word: every residual is zero
    assert_array_equal(vlad_encode(np.repeat(words, 2, axis=0), words), 0)


def test_vlad_encode_dtypes_and_views():
    rng = np.random.default_rng(8)
    words = rng.normal(size=(4, 6))
    x = rng.normal(size=(20, 12))[:, ::2]  # not contiguous
    expected = vlad_encode(np.ascontiguousarray(x), words)
    assert_allclose(vlad_encode(x, words), expected)
    assert_allclose(vlad_encode(x.astype(np.float32), words), expected, atol=1e-5)
    assert vlad_encode(x.astype(np.float32), words).dtype == np.float64
    ints = rng.integers(0, 255, size=(10, 6)).astype(np.uint8)
    assert_allclose(vlad_encode(ints, words), vlad_encode(ints.astype(float), words))
    assert_array_equal(vlad_encode(np.zeros((0, 6)), words), np.zeros(24))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"normalize": "l1"}, ValueError, "normalize"),
    ({"words": np.zeros((0, 3))}, ValueError, "non-empty 2-D"),
    ({"words": np.zeros((2, 4))}, ValueError, "same space"),
    ({"words": np.array([[np.inf, 0, 0]])}, ValueError, "words contain NaN"),
    ({"descriptors": np.zeros(3)}, ValueError, "2-D"),
    ({"descriptors": np.full((2, 3), np.nan)}, ValueError, "NaN or infinity"),
])
def test_vlad_encode_errors(kwargs, error, match):
    arguments = {"descriptors": np.zeros((2, 3)), "words": np.eye(3), **kwargs}
    with pytest.raises(error, match=match):
        vlad_encode(arguments.pop("descriptors"), arguments.pop("words"), **arguments)


def test_encoder_matches_vlad_encode_on_lists_and_duck_input():
    sets = _sets(9, (30, 0, 45, 1), 8, np.float32)

    class Duck:
        descriptors, offsets = as_ragged(sets)

    encoder = VLADEncoder(n_words=5, random_state=0).fit(sets)
    encoded = encoder.transform(sets)
    assert encoded.shape == (4, 40) and encoded.dtype == np.float64
    words = encoder.vocabulary_.words_
    for i, x in enumerate(sets):
        assert_allclose(encoded[i], vlad_encode(x, words), rtol=1e-12, atol=1e-15)
    assert_array_equal(encoder.transform(Duck()), encoded)
    assert encoder.get_feature_names_out()[7] == "word0_dim7"


def test_encoder_with_a_given_vocabulary():
    sets = _sets(10, (20, 20), 3, np.float64)
    vocabulary = VisualVocabulary(n_words=2, random_state=0).fit(sets)
    encoder = VLADEncoder(vocabulary=vocabulary, normalize=None).fit(sets)
    assert encoder.vocabulary_ is vocabulary
    sums = encoder.transform(sets).reshape(2, 2, 3).sum(axis=1)
    # residual sums over all words: each descriptor minus its word
    labels = [vocabulary.predict(x) for x in sets]
    expected = [x.sum(0) - vocabulary.words_[lab].sum(0)
                for x, lab in zip(sets, labels)]
    assert_allclose(sums, expected)


def test_soft_encoder_matches_twin_and_one_word_is_hard():
    sets = _sets(15, (50, 0, 35), 6, np.float32)
    hard = VLADEncoder(n_words=5, normalize=None, random_state=0).fit(sets)
    soft = VLADEncoder(n_words=5, normalize=None, assignment="soft", n_nearest=3,
                       vocabulary=hard.vocabulary_).fit(sets)
    words = hard.vocabulary_.words_
    descriptors, offsets = as_ragged(sets)
    expected_sigma = np.median(np.sqrt(naive.nearest_words(descriptors, words)[1]))
    assert_allclose(soft.sigma_, expected_sigma, rtol=1e-5)
    twin = np.empty((3, words.size))
    naive.soft_vlad_batch(descriptors, offsets, words, None, 3, soft.sigma_, False,
                          False, False, twin)
    assert_allclose(soft.transform(sets), twin, rtol=1e-5, atol=1e-5)
    one = soft.set_params(n_nearest=1, sigma=0.3).fit(sets)
    assert_allclose(one.transform(sets), hard.transform(sets), rtol=1e-12,
                    atol=1e-12)


def test_encoder_errors():
    sets = _sets(11, (10, 10), 4, np.float64)
    with pytest.raises(ValueError, match="normalize"):
        VLADEncoder(normalize="intra").fit(sets)
    for params, match in (({"assignment": "fuzzy"}, "'assignment' parameter"),
                          ({"n_nearest": 0}, "'n_nearest' parameter"),
                          ({"sigma": -0.5}, "'sigma' parameter")):
        with pytest.raises(ValueError, match=match):
            VLADEncoder(n_words=2, **params).fit(sets)
    encoder = VLADEncoder(n_words=2, random_state=0).fit(sets)
    with pytest.raises(ValueError, match="fitted on length 4"):
        encoder.transform([np.zeros((3, 2))])
    with pytest.raises(TypeError, match="list of per-image"):
        encoder.transform(np.zeros((3, 4)))


@pytest.mark.parametrize(
    "estimator, check, images, y",
    [*image_estimator_checks(VLADEncoder(n_words=4, random_state=0),
                             _sets(12, (30, 12, 0, 20, 9, 300), 6, np.float32)),
     *image_estimator_checks(VLADEncoder(n_words=4, assignment="soft", n_nearest=2,
                                         random_state=0),
                             _sets(12, (30, 12, 0, 20, 9, 300), 6, np.float32))])
def test_encoder_image_checks(estimator, check, images, y):
    check(estimator, images, y)


def test_encoders_take_local_features_and_dense_sift_output():
    descriptors_module = pytest.importorskip("classical.descriptors")
    LocalFeatures = getattr(descriptors_module, "LocalFeatures", None)
    if LocalFeatures is None:
        pytest.skip("classical.descriptors.LocalFeatures is not available")
    sets = _sets(13, (25, 0, 40), 6, np.float32)
    features = LocalFeatures.from_list(sets)
    encoder = VLADEncoder(n_words=3, random_state=0).fit(features)
    assert_array_equal(encoder.transform(features), encoder.transform(sets))
    soft = VLADEncoder(n_words=3, assignment="soft", random_state=0).fit(features)
    assert_array_equal(soft.transform(features), soft.transform(sets))
    extractor = getattr(descriptors_module, "DenseSIFTExtractor", None)
    if extractor is not None:
        rng = np.random.default_rng(14)
        images = [rng.integers(0, 256, (48, 48), dtype=np.uint8) for _ in range(3)]
        local = extractor().fit_transform(images)
        encoded = VLADEncoder(n_words=4, random_state=0).fit_transform(local)
        assert encoded.shape == (3, 4 * local.descriptors.shape[1])
        assert_allclose(np.linalg.norm(encoded, axis=1), 1.0)
