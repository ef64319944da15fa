"""LocalPCA: agreement with scikit-learn's PCA, whitening, RootSIFT, containers."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError

from classical.descriptors import LocalFeatures
from classical.descriptors._local_pca import LocalPCA


def _sets(seed=0, counts=(40, 0, 25, 60), d=12):
    """Correlated random descriptor sets (one per image), with an empty one."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d))
    return [(rng.normal(size=(n, d)) @ mixing + 3.0).astype(np.float32)
            for n in counts]


def _root_twin(x):
    """RootSIFT written row by row."""
    out = np.zeros(x.shape)
    for i, row in enumerate(np.asarray(x, np.float64)):
        total = np.sum(np.abs(row))
        if total > 0:
            unit = row / total
            out[i] = np.sign(unit) * np.sqrt(np.abs(unit))
    return out


def _features(sets):
    positions = [np.full((len(s), 2), i, np.float32) for i, s in enumerate(sets)]
    scales = [np.full(len(s), 4.0 + i, np.float32) for i, s in enumerate(sets)]
    return LocalFeatures.from_list(sets, positions, scales,
                                   [(10 + i, 20 + i) for i in range(len(sets))])


@pytest.mark.parametrize("whiten", [False, True])
@pytest.mark.parametrize("sample_size", [50, 100_000])
def test_equals_sklearn_pca_on_the_same_sample(whiten, sample_size):
    sets = _sets()
    stacked = np.concatenate(sets).astype(np.float64)
    local = LocalPCA(n_components=5, whiten=whiten, sample_size=sample_size,
                     random_state=0).fit(sets)
    rng = np.random.RandomState(0)
    sample = stacked
    if len(stacked) > sample_size:
        sample = stacked[np.sort(rng.choice(len(stacked), sample_size,
                                            replace=False))]
    reference = PCA(n_components=5, whiten=whiten, random_state=rng).fit(sample)
    assert local.n_samples_seen_ == len(sample)
    assert_allclose(local.components_, reference.components_, atol=1e-10)
    assert_allclose(local.explained_variance_, reference.explained_variance_)
    ours = np.concatenate(local.transform(sets))
    assert ours.dtype == np.float32
    assert_allclose(ours, reference.transform(stacked), rtol=1e-4, atol=1e-4)


def test_whitening_gives_unit_variance_on_the_sample():
    sets = _sets()
    local = LocalPCA(n_components=6, whiten=True, random_state=1).fit(sets)
    projected = np.concatenate(local.transform(sets)).astype(np.float64)
    assert_allclose(projected.mean(axis=0), 0.0, atol=1e-4)
    assert_allclose(projected.var(axis=0, ddof=1), 1.0, rtol=1e-4)


def test_root_matches_the_twin():
    sets = _sets(seed=3)
    sets[0][0] = 0.0  # an all-zero descriptor stays zero
    local = LocalPCA(n_components=4, root=True, random_state=0).fit(sets)
    rooted = _root_twin(np.concatenate(sets))
    reference = PCA(n_components=4).fit(rooted)
    assert_allclose(local.mean_, rooted.mean(axis=0), atol=1e-12)
    assert_allclose(np.abs(local.components_), np.abs(reference.components_),
                    atol=1e-8)
    expected = (rooted - local.mean_) @ local.components_.T
    assert_allclose(np.concatenate(local.transform(sets)), expected, atol=1e-5)


def test_chunks_join_seamlessly(monkeypatch):
    sets = _sets(counts=(30, 31, 7))
    local = LocalPCA(n_components=3, random_state=0).fit(sets)
    whole = np.concatenate(local.transform(sets))
    monkeypatch.setattr("classical.descriptors._local_pca._CHUNK_ROWS", 8)
    assert_array_equal(np.concatenate(local.transform(sets)), whole)


def test_list_in_list_out():
    sets = _sets()
    out = LocalPCA(n_components=3, random_state=0).fit_transform(sets)
    assert isinstance(out, list)
    assert [o.shape for o in out] == [(len(s), 3) for s in sets]


def test_local_features_in_local_features_out():
    sets = _sets()
    features = _features(sets)
    local = LocalPCA(n_components=3, random_state=0).fit(features)
    out = local.transform(features)
    assert isinstance(out, LocalFeatures)
    assert out.n_dims == 3 and out.descriptors.dtype == np.float32
    assert_array_equal(out.offsets, features.offsets)
    assert_array_equal(out.positions, features.positions)
    assert_array_equal(out.scales, features.scales)
    assert_array_equal(out.image_shapes, features.image_shapes)
    assert_array_equal(out.descriptors, np.concatenate(local.transform(sets)))


def test_stacked_array_in_array_out():
    stacked = np.concatenate(_sets())
    local = LocalPCA(n_components=3, random_state=0).fit(stacked)
    out = local.transform(stacked)
    assert isinstance(out, np.ndarray) and out.shape == (len(stacked), 3)


def test_seeded_fit_is_deterministic_and_pickles():
    sets = _sets()
    a = LocalPCA(n_components=4, sample_size=60, random_state=5).fit(sets)
    b = clone(a).fit(sets)
    assert_array_equal(a.components_, b.components_)
    restored = pickle.loads(pickle.dumps(a))
    assert_array_equal(np.concatenate(restored.transform(sets)),
                       np.concatenate(a.transform(sets)))


def test_n_components_larger_than_d():
    with pytest.raises(ValueError, match=r"n_components=13 must be at most the "
                                         r"descriptor length d=12"):
        LocalPCA(n_components=13).fit(_sets())


def test_too_few_descriptors():
    with pytest.raises(ValueError, match=r"at least max\(n_components, 2\) = 5 "
                                         r"descriptors.*n_samples=4"):
        LocalPCA(n_components=5).fit([np.ones((4, 12))])
    with pytest.raises(ValueError, match=r"n_samples=3"):
        LocalPCA(n_components=4, sample_size=3).fit(_sets())


def test_mismatched_length_in_transform():
    local = LocalPCA(n_components=2, random_state=0).fit(_sets())
    with pytest.raises(ValueError, match=r"descriptors of length 5, but LocalPCA "
                                         r"was fitted on length 12"):
        local.transform([np.ones((3, 5))])
    with pytest.raises(ValueError, match=r"5 features.*expecting 12"):
        local.transform(np.ones((3, 5)))


def test_not_fitted_and_bad_params():
    with pytest.raises(NotFittedError):
        LocalPCA().transform(_sets())
    with pytest.raises(ValueError, match=r"'n_components' parameter"):
        LocalPCA(n_components=0).fit(_sets())
    with pytest.raises(ValueError, match=r"'sample_size' parameter"):
        LocalPCA(sample_size=0).fit(_sets())
