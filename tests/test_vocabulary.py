"""Nearest-word kernel against its twin; ragged input; VisualVocabulary."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

from classical._kernels import assign
from classical._local_features import as_ragged
from classical.encoders._base import kernel_threads
from classical.encoders._vocabulary import VisualVocabulary
from tests.naive import encoders as naive

try:
    from sklearn_compat.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover - older sklearn-compat
    from sklearn.utils.estimator_checks import parametrize_with_checks


def _kernel(descriptors, words):
    descriptors = np.ascontiguousarray(descriptors)
    words = np.ascontiguousarray(words, dtype=descriptors.dtype)
    with kernel_threads(None):
        return assign.nearest_words(descriptors, words, assign.squared_norms(words))


def _descriptor_sets(seed=0, sizes=(40, 25, 0, 1, 33), dim=6, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, dim)).astype(dtype) for n in sizes]


class DuckFeatures:
    """Stands in for LocalFeatures: only ``descriptors`` and ``offsets``."""

    def __init__(self, sets):
        self.descriptors, self.offsets = as_ragged(sets)

    def __len__(self):
        return len(self.offsets) - 1


# --- kernel against its twin ------------------------------------------------------


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-9), (np.float32, 1e-4)])
@pytest.mark.parametrize("n, k, dim", [(1, 1, 3), (1, 7, 5), (300, 16, 8),
                                       (513, 5, 128), (40, 64, 2)])
def test_nearest_words_matches_twin(dtype, rtol, n, k, dim):
    rng = np.random.default_rng([n, k, dim])
    x = rng.normal(size=(n, dim)).astype(dtype)
    words = rng.normal(size=(k, dim)).astype(dtype)
    labels, distances = _kernel(x, words)
    twin_labels, twin_distances = naive.nearest_words(x, words)
    assert labels.shape == distances.shape == (n,)
    assert distances.dtype == np.float64
    assert_array_equal(labels, twin_labels)
    assert_allclose(distances, twin_distances, rtol=rtol, atol=rtol)


def test_squared_norms_match_twin():
    x = np.random.default_rng(1).normal(size=(9, 4)).astype(np.float32)
    assert_allclose(assign.squared_norms(x), naive.squared_norms(x), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ties_go_to_the_lowest_index(dtype):
    # integer-valued data: every product is exact whatever the summation order
    words = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [-1, 0]], dtype=dtype)
    x = np.array([[2, 2], [1, 0], [0, 1], [5, 0], [0, 0], [-3, 0]], dtype=dtype)
    labels, _ = _kernel(x, words)
    assert_array_equal(labels, naive.nearest_words(x, words)[0])
    assert_array_equal(labels, [0, 0, 1, 0, 0, 4])


def test_distances_never_negative_nor_nan():
    # descriptors equal to a word: the expanded form cancels to about zero
    rng = np.random.default_rng(2)
    words = (rng.normal(size=(8, 64)) * 1e3).astype(np.float32)
    x = np.repeat(words, 3, axis=0)
    labels, distances = _kernel(x, words)
    assert_array_equal(labels, np.repeat(np.arange(8), 3))
    assert np.isfinite(distances).all() and (distances >= 0).all()


def test_constant_and_zero_descriptors():
    words = np.array([[0.0, 0.0], [1.0, 1.0]])
    for value, expected in ((0.0, 0), (1.0, 1), (7.0, 1)):
        labels, distances = _kernel(np.full((4, 2), value), words)
        assert_array_equal(labels, expected)
        assert_allclose(distances, naive.nearest_words(np.full((4, 2), value),
                                                       words)[1])


# --- ragged input -----------------------------------------------------------------


def test_as_ragged_list_and_duck_agree():
    sets = _descriptor_sets()
    descriptors, offsets = as_ragged(sets)
    assert descriptors.dtype == np.float32 and descriptors.flags.c_contiguous
    assert_array_equal(offsets, np.cumsum([0, 40, 25, 0, 1, 33]))
    duck_descriptors, duck_offsets = as_ragged(DuckFeatures(sets))
    assert_array_equal(duck_descriptors, descriptors)
    assert_array_equal(duck_offsets, offsets)


def test_as_ragged_dtypes_and_views():
    sets = [np.arange(12, dtype=np.uint8).reshape(4, 3),
            np.ones((6, 3), np.float32)[::2]]
    descriptors, offsets = as_ragged(sets)
    assert descriptors.dtype == np.float64
    assert_array_equal(descriptors[:4], sets[0])
    assert_array_equal(offsets, [0, 4, 7])
    stacked = np.zeros((3, 5, 2), np.float32)
    assert_array_equal(as_ragged(stacked)[1], [0, 5, 10, 15])


@pytest.mark.parametrize("bad, error, match", [
    (np.zeros((5, 3)), TypeError, "list of per-image"),
    ([], ValueError, "no images"),
    ([np.zeros((2, 3)), np.zeros((2, 4))], ValueError, "same d"),
    ([np.zeros(3)], ValueError, "2-D"),
    ([np.zeros((2, 0))], ValueError, "0 dimensions"),
    ([np.array([[np.nan, 1.0]])], ValueError, "NaN or infinity"),
    ([np.array([["a", "b"]])], TypeError, "real numbers"),
])
def test_as_ragged_errors(bad, error, match):
    with pytest.raises(error, match=match):
        as_ragged(bad)


def test_as_ragged_bad_offsets():
    duck = DuckFeatures(_descriptor_sets())
    duck.offsets = duck.offsets[:-1]
    with pytest.raises(ValueError, match="offsets must rise"):
        as_ragged(duck)
    duck.offsets = np.zeros((2, 2))
    with pytest.raises(ValueError, match="must be 2-D"):
        as_ragged(duck)


# --- VisualVocabulary -------------------------------------------------------------


@parametrize_with_checks([VisualVocabulary(n_words=3)])
def test_sklearn_compatible_vocabulary(estimator, check):
    check(estimator)


def test_vocabulary_finds_separated_clusters():
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X = np.vstack([c + 0.1 * rng.normal(size=(50, 2)) for c in centres])
    vocabulary = VisualVocabulary(n_words=3, random_state=0).fit(X)
    order = np.argsort(vocabulary.words_[:, 0] + 2 * vocabulary.words_[:, 1])
    assert_allclose(vocabulary.words_[order], centres, atol=0.1)
    labels = vocabulary.predict(X)
    assert_array_equal(labels, naive.nearest_words(X, vocabulary.words_)[0])
    assert len(set(labels[:50])) == len(set(labels[50:100])) == 1


def test_vocabulary_ragged_equals_stacked_and_keeps_float32():
    sets = _descriptor_sets()
    ragged = VisualVocabulary(n_words=4, random_state=0).fit(sets)
    stacked = VisualVocabulary(n_words=4, random_state=0).fit(np.vstack(sets))
    assert ragged.words_.dtype == np.float32
    assert ragged.n_features_in_ == 6
    assert_allclose(ragged.words_, stacked.words_)
    assert_allclose(VisualVocabulary(n_words=4, random_state=0)
                    .fit(DuckFeatures(sets)).words_, ragged.words_)


def test_vocabulary_sample_size_limits_the_fit():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(500, 3))
    a = VisualVocabulary(n_words=4, sample_size=50, random_state=1).fit(X)
    b = VisualVocabulary(n_words=4, sample_size=50, random_state=1).fit(X)
    assert_array_equal(a.words_, b.words_)
    # the inertia is that of the 50 sampled descriptors only
    assert a.inertia_ < VisualVocabulary(n_words=4, random_state=1).fit(X).inertia_


def test_vocabulary_init_size():
    rng = np.random.default_rng(6)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X = np.vstack([c + 0.1 * rng.normal(size=(40, 2)) for c in centres])
    for init_size in (1, 3, 10, 10_000):  # below n_words and above the sample
        words = VisualVocabulary(n_words=3, init_size=init_size,
                                 random_state=0).fit(X).words_
        assert_allclose(np.sort(words.sum(axis=1)), [0, 10, 10], atol=0.1)
    with pytest.raises(ValueError, match="init_size"):
        VisualVocabulary(init_size=0).fit(X)


def test_vocabulary_n_jobs_does_not_change_predict():
    X = np.random.default_rng(5).normal(size=(700, 5))
    vocabulary = VisualVocabulary(n_words=6, random_state=0).fit(X)
    one = vocabulary.predict(X)
    assert_array_equal(one, clone(vocabulary).set_params(n_jobs=2).fit(X).predict(X))


def test_vocabulary_errors():
    with pytest.raises(ValueError, match="n_words=5 descriptors to fit, got "
                                         "n_samples=3"):
        VisualVocabulary(n_words=5).fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="n_words"):
        VisualVocabulary(n_words=0).fit(np.zeros((3, 2)))
    fitted = VisualVocabulary(n_words=2, random_state=0).fit(np.eye(4))
    with pytest.raises(ValueError, match="4 features"):
        fitted.predict(np.zeros((2, 3)))
