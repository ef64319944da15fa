"""Bag of visual words: hard and soft counts, tf-idf; soft kernels against twins."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError

from classical._kernels import assign
from classical._local_features import as_ragged
from classical.encoders._base import kernel_threads
from classical.encoders._bovw import BagOfVisualWords
from classical.encoders._vocabulary import VisualVocabulary
from classical.utils.estimator_checks import image_estimator_checks
from tests.naive import encoders as naive

TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}


def _descriptor_sets(seed=0, sizes=(40, 25, 0, 1, 33), dim=6, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, dim)).astype(dtype) for n in sizes]


class DuckFeatures:
    """Stands in for LocalFeatures: only ``descriptors`` and ``offsets``."""

    def __init__(self, sets):
        self.descriptors, self.offsets = as_ragged(sets)


def _soft_both(sets, words, n_nearest, sigma):
    """Soft-count kernel and twin on the same ragged batch."""
    descriptors, offsets = as_ragged(sets)
    words = np.ascontiguousarray(words, dtype=descriptors.dtype)
    ours = np.full((len(sets), len(words)), np.nan)
    with kernel_threads(None):
        assign.soft_counts(descriptors, offsets, words, assign.squared_norms(words),
                           n_nearest, sigma, ours)
    twin = np.full_like(ours, np.nan)
    naive.soft_counts(descriptors, offsets, words, None, n_nearest, sigma, twin)
    return ours, twin


def _hard_counts(sets, words):
    counts = np.zeros((len(sets), len(words)))
    for i, x in enumerate(sets):
        if len(x):
            counts[i] = np.bincount(naive.nearest_words(x, words)[0],
                                    minlength=len(words))
    return counts


# --- kernels against their twins --------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n, k, dim, n_nearest", [(1, 1, 3, 1), (7, 5, 4, 5),
                                                  (300, 16, 8, 3), (513, 40, 32, 5)])
def test_nearest_k_words_matches_twin(dtype, n, k, dim, n_nearest):
    rng = np.random.default_rng([n, k, dim])
    x = rng.normal(size=(n, dim)).astype(dtype)
    words = rng.normal(size=(k, dim)).astype(dtype)
    with kernel_threads(None):
        labels, distances = assign.nearest_k_words(
            x, words, assign.squared_norms(words), n_nearest)
    twin_labels, twin_distances = naive.nearest_k_words(x, words, None, n_nearest)
    assert labels.shape == distances.shape == (n, n_nearest)
    assert_array_equal(labels, twin_labels)
    tol = TOLERANCE[dtype] * 10
    assert_allclose(distances, twin_distances, rtol=tol, atol=tol)
    assert (np.diff(distances, axis=1) >= 0).all()


def test_nearest_k_words_ties_keep_word_order():
    # integer data: exact products, so words 0, 2 and 1, 3 tie exactly
    words = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    x = np.array([[1.0, 1.0], [0.0, 2.0]])
    labels, _ = assign.nearest_k_words(x, words, assign.squared_norms(words), 4)
    assert_array_equal(labels, naive.nearest_k_words(x, words, None, 4)[0])
    assert_array_equal(labels, [[0, 1, 2, 3], [1, 3, 0, 2]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sizes, k, dim", [((40, 300, 7), 6, 5), ((1,), 3, 4),
                                           ((0, 2, 0), 4, 3), ((600,), 16, 32)])
@pytest.mark.parametrize("n_nearest, sigma", [(1, 1.0), (3, 0.5), (5, 2.0), (2, 0.0)])
def test_soft_counts_match_twin(dtype, sizes, k, dim, n_nearest, sigma):
    sets = [np.random.default_rng([len(sizes), k, i]).normal(size=(n, dim))
            .astype(dtype) for i, n in enumerate(sizes)]
    words = np.random.default_rng(k).normal(size=(k, dim))
    n_nearest = min(n_nearest, k)
    ours, twin = _soft_both(sets, words, n_nearest, sigma)
    tol = TOLERANCE[dtype]
    assert_allclose(ours, twin, rtol=tol, atol=tol)
    # every descriptor weighs one in total; an empty image is a zero row
    assert_allclose(ours.sum(axis=1), sizes, rtol=1e-12)
    assert (ours >= 0).all()


def test_soft_counts_with_one_word_are_hard_counts():
    sets = _descriptor_sets(1, sizes=(50, 0, 9), dtype=np.float64)
    words = np.random.default_rng(2).normal(size=(7, 6))
    ours, _ = _soft_both(sets, words, 1, 0.7)
    assert_array_equal(ours, _hard_counts(sets, words))


def test_soft_weights_are_stable_far_from_the_words():
    # squared distances near 1e8 with sigma = 1: exp(-d^2 / 2) alone underflows
    words = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    x = np.array([[1e4, 1e4], [-1e4, 3.0]])
    ours, twin = _soft_both([x], words, 3, 1.0)
    assert np.isfinite(ours).all()
    assert_allclose(ours, twin, rtol=1e-9)
    assert_allclose(ours.sum(), 2.0)


def test_sigma_zero_splits_exact_ties():
    words = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    x = np.array([[1.0, 1.0], [0.9, 0.0]])
    ours, twin = _soft_both([x], words, 3, 0.0)
    assert_allclose(ours, [[1.5, 0.5, 0.0]])
    assert_allclose(ours, twin)


# --- BagOfVisualWords -------------------------------------------------------------


@pytest.mark.parametrize("normalize", ["l1", "l2", "power+l2", None])
def test_bovw_matches_twin(normalize):
    sets = _descriptor_sets(dtype=np.float64)
    encoder = BagOfVisualWords(n_words=5, normalize=normalize, random_state=0)
    histograms = encoder.fit_transform(sets)
    counts = _hard_counts(sets, encoder.vocabulary_.words_)
    if normalize == "l1":
        expected = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    elif normalize == "l2":
        expected = counts / np.maximum(np.linalg.norm(counts, axis=1,
                                                      keepdims=True), 1e-300)
    elif normalize == "power+l2":
        root = np.sqrt(counts)
        expected = root / np.maximum(np.linalg.norm(root, axis=1, keepdims=True),
                                     1e-300)
    else:
        expected = counts
    assert histograms.shape == (5, 5) and histograms.dtype == np.float64
    assert_allclose(histograms, expected, rtol=1e-12, atol=1e-15)
    assert_array_equal(histograms[2], 0)  # the image without descriptors
    assert not hasattr(encoder, "sigma_") and not hasattr(encoder, "idf_")


def test_bovw_uses_a_given_vocabulary_and_duck_input():
    sets = _descriptor_sets()
    vocabulary = VisualVocabulary(n_words=3, random_state=0).fit(sets)
    encoder = BagOfVisualWords(vocabulary=vocabulary, normalize=None).fit(sets[:2])
    assert encoder.vocabulary_ is vocabulary
    counts = encoder.transform(DuckFeatures(sets))
    assert_array_equal(counts.sum(axis=1), [len(x) for x in sets])
    assert_array_equal(encoder.get_feature_names_out(), ["word0", "word1", "word2"])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_soft_bovw_learns_sigma_and_matches_twin(dtype):
    sets = _descriptor_sets(4, sizes=(60, 0, 35, 80), dtype=dtype)
    encoder = BagOfVisualWords(n_words=6, assignment="soft", n_nearest=3,
                               normalize=None, random_state=0).fit(sets)
    words = encoder.vocabulary_.words_
    stacked = np.vstack(sets)
    expected_sigma = np.median(np.sqrt(naive.nearest_words(stacked, words)[1]))
    assert_allclose(encoder.sigma_, expected_sigma, rtol=TOLERANCE[dtype])
    twin = np.empty((len(sets), 6))
    descriptors, offsets = as_ragged(sets)
    naive.soft_counts(descriptors, offsets, words, None, 3, encoder.sigma_, twin)
    counts = encoder.transform(sets)
    assert_allclose(counts, twin, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    assert_allclose(counts.sum(axis=1), [len(x) for x in sets], rtol=1e-12)


def test_soft_bovw_given_sigma_sample_and_n_nearest():
    sets = _descriptor_sets(5, sizes=(300, 200), dtype=np.float64)
    fixed = BagOfVisualWords(n_words=4, assignment="soft", sigma=0.8,
                             random_state=0).fit(sets)
    assert fixed.sigma_ == 0.8
    # n_nearest beyond n_words means every word
    assert_allclose(fixed.set_params(n_nearest=50).transform(sets),
                    fixed.set_params(n_nearest=4).transform(sets))
    # sigma from a sample of 100 descriptors: close to, not equal to, all 500
    sampled = BagOfVisualWords(n_words=4, assignment="soft", sample_size=100,
                               random_state=0).fit(sets)
    full = BagOfVisualWords(n_words=4, assignment="soft", random_state=0,
                            vocabulary=sampled.vocabulary_).fit(sets)
    assert sampled.sigma_ != full.sigma_
    assert_allclose(sampled.sigma_, full.sigma_, rtol=0.2)


def test_soft_bovw_with_one_word_is_hard():
    sets = _descriptor_sets(6)
    hard = BagOfVisualWords(n_words=5, normalize=None, random_state=0).fit(sets)
    soft = BagOfVisualWords(n_words=5, normalize=None, assignment="soft",
                            n_nearest=1, vocabulary=hard.vocabulary_).fit(sets)
    assert_array_equal(soft.transform(sets), hard.transform(sets))


@pytest.mark.parametrize("assignment", ["hard", "soft"])
def test_tfidf_weights_counts_before_normalisation(assignment):
    rng = np.random.default_rng(7)
    # three tight groups; the last group appears in one training image only
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    sets = [np.vstack([centres[g] + 0.1 * rng.normal(size=(8, 2)) for g in groups])
            for groups in ((0, 1), (0,), (0, 1), (0, 2))]
    raw = BagOfVisualWords(n_words=3, assignment=assignment, sigma=0.5,
                           normalize=None, random_state=0).fit(sets)
    counts = raw.transform(sets)
    document_frequency = (counts > 0).sum(axis=0)
    encoder = BagOfVisualWords(n_words=3, assignment=assignment, sigma=0.5,
                               tfidf=True, normalize="l1",
                               vocabulary=raw.vocabulary_).fit(sets)
    idf = np.log(4 / (1 + document_frequency)) + 1
    assert_allclose(encoder.idf_, idf)
    assert encoder.idf_.min() > 0
    weighted = counts * idf
    assert_allclose(encoder.transform(sets),
                    weighted / weighted.sum(axis=1, keepdims=True), rtol=1e-12)
    if assignment == "hard":  # the word seen in one image only weighs the most
        assert_allclose(np.sort(encoder.idf_), [np.log(4 / 5) + 1, np.log(4 / 3) + 1,
                                                np.log(4 / 2) + 1])


def test_bovw_errors():
    sets = _descriptor_sets()
    with pytest.raises(NotFittedError):
        BagOfVisualWords(vocabulary=VisualVocabulary()).fit(sets)
    for params, match in (({"assignment": "fuzzy"}, "'assignment' parameter"),
                          ({"n_nearest": 0}, "'n_nearest' parameter"),
                          ({"sigma": 0.0}, "'sigma' parameter"),
                          ({"sigma": -1.0}, "'sigma' parameter"),
                          ({"tfidf": "yes"}, "'tfidf' parameter")):
        with pytest.raises(ValueError, match=match):
            BagOfVisualWords(n_words=2, **params).fit(sets)
    encoder = BagOfVisualWords(n_words=3, random_state=0).fit(sets)
    with pytest.raises(ValueError, match="fitted on length 6"):
        encoder.transform([np.zeros((2, 5))])
    vocabulary = VisualVocabulary(n_words=2, random_state=0).fit(np.eye(4))
    with pytest.raises(ValueError, match="vocabulary's words have length 4"):
        BagOfVisualWords(vocabulary=vocabulary).fit(sets)
    vocabulary = VisualVocabulary(n_words=2, random_state=0).fit(sets)
    with pytest.raises(ValueError, match="sigma=None learns the kernel width"):
        BagOfVisualWords(vocabulary=vocabulary, assignment="soft").fit(
            [np.zeros((0, 6), np.float32)])


@pytest.mark.parametrize(
    "estimator, check, images, y",
    [*image_estimator_checks(BagOfVisualWords(n_words=4, random_state=0),
                             _descriptor_sets(sizes=(30, 12, 0, 20, 9, 16))),
     *image_estimator_checks(BagOfVisualWords(n_words=4, assignment="soft",
                                              tfidf=True, random_state=0),
                             _descriptor_sets(sizes=(30, 12, 0, 20, 9, 16)))])
def test_bovw_image_checks(estimator, check, images, y):
    check(estimator, images, y)
