"""Fisher vectors: the fused kernel against its twin, scikit-image and VLFeat;
fisher_vector and the encoder."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.feature import fisher_vector as skimage_fisher_vector
from sklearn.mixture import GaussianMixture

from classical._kernels.fisher import exp_below
from classical._local_features import as_ragged
from classical.encoders._fisher import FisherVectorEncoder, _fisher, fisher_vector
from classical.encoders._vocabulary import VisualVocabulary
from classical.utils.estimator_checks import image_estimator_checks
from tests.naive import fisher as naive

STEPS = {"power+l2": (True, True), "power": (True, False), "l2": (False, True),
         None: (False, False)}
TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}


def _gmm(seed, k, dim):
    rng = np.random.default_rng(seed)
    weights = rng.random(k) + 0.1
    return (rng.normal(size=(k, dim)), rng.random((k, dim)) + 0.2,
            weights / weights.sum())


def _sets(seed, sizes, dim, dtype):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, dim)).astype(dtype) for n in sizes]


def _both(sets, gmm, normalize):
    """Kernel and twin on the same ragged batch."""
    descriptors, offsets = as_ragged(sets)
    ours = _fisher(descriptors, offsets, *gmm, normalize, None)
    twin = np.full_like(ours, np.nan)
    naive.fisher_batch(descriptors, offsets, *gmm, *STEPS[normalize], twin)
    return ours, twin


@pytest.mark.parametrize("normalize", list(STEPS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sizes, k, dim", [((40, 300, 7), 6, 5), ((1,), 3, 4),
                                           ((0, 2, 0), 4, 3), ((200,), 16, 32)])
def test_kernel_matches_twin(normalize, dtype, sizes, k, dim):
    sets = _sets([len(sizes), k, dim], sizes, dim, dtype)
    ours, twin = _both(sets, _gmm(k, k, dim), normalize)
    tol = TOLERANCE[dtype]
    assert_allclose(ours, twin, rtol=tol, atol=tol)
    for i, x in enumerate(sets):
        if len(x) == 0:
            assert_array_equal(ours[i], 0)


def test_far_descriptors_keep_finite_posteriors():
    # log-densities near -1e6: a naive exp would underflow to 0 / 0
    gmm = _gmm(1, 3, 4)
    sets = [np.full((3, 4), 1000.0), np.full((1, 4), -800.0)]
    ours, twin = _both(sets, gmm, "power+l2")
    assert np.isfinite(ours).all()
    assert_allclose(ours, twin, rtol=1e-10, atol=1e-10)


def test_unnormalised_values_follow_sklearn_posteriors():
    # the raw gradients, eqs. (16)-(17) of Sánchez et al., from sklearn's posteriors
    sets = _sets(2, (60,), 3, np.float64)
    gmm = GaussianMixture(3, covariance_type="diag", random_state=0).fit(sets[0])
    x, n = sets[0], len(sets[0])
    gamma = gmm.predict_proba(x)
    z = (x[:, None] - gmm.means_) / np.sqrt(gmm.covariances_)
    g_mean = np.einsum("nk,nkd->kd", gamma, z) / (n * np.sqrt(gmm.weights_))[:, None]
    g_var = (np.einsum("nk,nkd->kd", gamma, z ** 2 - 1)
             / (n * np.sqrt(2 * gmm.weights_))[:, None])
    ours = fisher_vector(x, gmm.means_, gmm.covariances_, gmm.weights_,
                         normalize=None)
    assert_allclose(ours, np.concatenate([g_mean.ravel(), g_var.ravel()]),
                    rtol=1e-8, atol=1e-12)
    unit = fisher_vector(x, gmm.means_, gmm.covariances_, gmm.weights_)
    assert_allclose(np.linalg.norm(unit), 1.0)
    assert_allclose(unit, np.sign(ours) * np.sqrt(np.abs(ours))
                    / np.linalg.norm(np.sqrt(np.abs(ours))))


def test_fisher_vector_dtypes_and_views():
    means, variances, weights = _gmm(3, 4, 6)
    x = np.random.default_rng(4).normal(size=(20, 12))[:, ::2]  # not contiguous
    expected = fisher_vector(np.ascontiguousarray(x), means, variances, weights)
    assert_allclose(fisher_vector(x, means, variances, weights), expected)
    single = fisher_vector(x.astype(np.float32), means, variances, weights)
    assert single.dtype == np.float64
    assert_allclose(single, expected, atol=1e-5)
    ints = np.random.default_rng(5).integers(0, 4, size=(10, 6)).astype(np.uint8)
    assert_allclose(fisher_vector(ints, means, variances, weights),
                    fisher_vector(ints.astype(float), means, variances, weights))
    assert_array_equal(fisher_vector(np.zeros((0, 6)), means, variances, weights),
                       np.zeros(48))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"normalize": "intra+l2"}, ValueError, "normalize"),
    ({"means": np.zeros((0, 3))}, ValueError, "non-empty 2-D"),
    ({"variances": np.ones((2, 3))}, ValueError, "shape of means"),
    ({"weights": np.ones(2) / 2}, ValueError, "shape of means"),
    ({"means": np.zeros((1, 4)), "variances": np.ones((1, 4))}, ValueError,
     "same space"),
    ({"means": np.array([[np.nan, 0, 0]])}, ValueError, "means contain NaN"),
    ({"variances": np.array([[1.0, 0.0, 1.0]])}, ValueError, "strictly positive"),
    ({"weights": np.array([0.5])}, ValueError, "sum to 1"),
    ({"descriptors": np.zeros(3)}, ValueError, "2-D"),
    ({"descriptors": np.full((2, 3), np.inf)}, ValueError, "NaN or infinity"),
])
def test_fisher_vector_errors(kwargs, error, match):
    arguments = {"descriptors": np.zeros((2, 3)), "means": np.zeros((1, 3)),
                 "variances": np.ones((1, 3)), "weights": np.ones(1), **kwargs}
    with pytest.raises(error, match=match):
        gmm = [arguments.pop(name) for name in ("means", "variances", "weights")]
        fisher_vector(arguments.pop("descriptors"), *gmm, **arguments)


def test_encoder_matches_fisher_vector_on_lists_and_duck_input():
    sets = _sets(6, (30, 0, 45, 1), 8, np.float32)

    class Duck:
        descriptors, offsets = as_ragged(sets)

    encoder = FisherVectorEncoder(n_components=3, random_state=0).fit(sets)
    encoded = encoder.transform(sets)
    assert encoded.shape == (4, 48) and encoded.dtype == np.float64
    for i, x in enumerate(sets):
        assert_allclose(encoded[i], fisher_vector(x, encoder.means_,
                                                  encoder.variances_,
                                                  encoder.weights_),
                        rtol=1e-12, atol=1e-15)
    assert_array_equal(encoder.transform(Duck()), encoded)
    names = encoder.get_feature_names_out()
    assert names[9] == "mean1_dim1" and names[24] == "variance0_dim0"


def test_gmm_is_deterministic_and_matches_sklearn():
    sets = _sets(7, (50, 70), 4, np.float64)
    first = FisherVectorEncoder(n_components=2, random_state=3).fit(sets)
    second = FisherVectorEncoder(n_components=2, random_state=3).fit(sets)
    for name in ("means_", "variances_", "weights_"):
        assert_array_equal(getattr(first, name), getattr(second, name))
    assert_allclose(first.weights_.sum(), 1.0)
    # all descriptors used when sample_size exceeds them: sklearn's EM started
    # from the k-means clusters of a VisualVocabulary fitted with the same seed
    X = np.concatenate(sets)
    rng = np.random.RandomState(3)
    words = VisualVocabulary(n_words=2, sample_size=len(X), random_state=rng).fit(X)
    labels = words.predict(X)
    start = {
        "weights_init": np.bincount(labels) / len(X),
        "means_init": np.stack([X[labels == k].mean(axis=0) for k in range(2)]),
        "precisions_init": np.stack([1 / (X[labels == k].var(axis=0) + 1e-6)
                                     for k in range(2)]),
    }
    gmm = GaussianMixture(2, covariance_type="diag", random_state=rng,
                          init_params="random_from_data", **start).fit(X)
    assert_allclose(first.means_, gmm.means_)
    assert_allclose(first.variances_, gmm.covariances_)
    assert_allclose(first.weights_, gmm.weights_)
    sampled = FisherVectorEncoder(n_components=2, sample_size=40,
                                  random_state=3).fit(sets)
    assert sampled.means_.shape == (2, 4)


def test_encoder_errors():
    sets = _sets(8, (10, 10), 4, np.float64)
    with pytest.raises(ValueError, match="normalize"):
        FisherVectorEncoder(normalize="intra").fit(sets)
    with pytest.raises(ValueError, match="at least n_components=30"):
        FisherVectorEncoder(n_components=30).fit(sets)
    encoder = FisherVectorEncoder(n_components=2, random_state=0).fit(sets)
    with pytest.raises(ValueError, match="fitted on length 4"):
        encoder.transform([np.zeros((3, 2))])
    with pytest.raises(TypeError, match="list of per-image"):
        encoder.transform(np.zeros((3, 4)))


@pytest.mark.parametrize(
    "estimator, check, images, y",
    list(image_estimator_checks(FisherVectorEncoder(n_components=3, random_state=0),
                                _sets(9, (30, 12, 0, 20, 9, 300), 6, np.float32))))
def test_encoder_image_checks(estimator, check, images, y):
    check(estimator, images, y)


def test_far_from_origin_keeps_precision():
    # descriptors and means offset by 1e5 standard deviations: the expanded
    # squares are taken about the mixture's mean, so nothing cancels
    k, dim = 4, 6
    sets = _sets(3, (50, 80, 30), dim, np.float64)
    means, variances, weights = _gmm(k, k, dim)
    shift = 1e5 * np.sqrt(variances.max())
    near = _fisher(*as_ragged(sets), means, variances, weights, None, None)
    far = _fisher(*as_ragged([x + shift for x in sets]), means + shift, variances,
                  weights, None, None)
    assert_allclose(far, near, rtol=1e-6, atol=1e-8)


def test_exp_below_matches_numpy():
    # the vectorised exp of the posteriors: gaps from 0 down past the underflow
    # cut-off, reduction boundaries (+-ln(2) / 2) and an odd length
    rng = np.random.default_rng(10)
    gaps = np.concatenate([-rng.random(997) * 750, [0.0, -1e-300, -np.log(2) / 2,
                                                    -np.log(2) / 2 - 1e-12, -699.99,
                                                    -700.0, -700.01, -1e5]])
    for top in (0.0, 3.5, -120.25):
        row = gaps + top
        expected, expected_total = naive.exp_below(row, top)
        bits = np.empty(len(row), np.int64)
        total = exp_below(row, top, bits)  # row is overwritten
        # the reduction's rounding grows with the gap: 2e-16 relative near the
        # largest term, 2.4e-14 at the cut-off, where the values are ~1e-304
        near = gaps > -10
        assert_allclose(row[near], expected[near], rtol=1e-15, atol=0)
        assert_allclose(row, expected, rtol=5e-14, atol=0)
        assert_allclose(total, expected_total, rtol=1e-15)


def _diagonal_mixture(seed, n, k, dim):
    """Descriptors with uneven scales and a diagonal GMM fitted to them."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim)) * (0.1 + 3 * rng.random(dim)) + rng.normal(size=dim)
    return x, GaussianMixture(k, covariance_type="diag", random_state=seed).fit(x)


def test_matches_skimage_fisher_vector():
    # scikit-image's vector is [weight gradients (K), mean block, variance
    # block]; its variance block is the negative of ours (see fisher_vector's
    # Notes), and improved=True would L2-normalise the weight block with the rest
    x, gmm = _diagonal_mixture(11, 400, 6, 8)
    k, dim = gmm.means_.shape
    for descriptors in (x[:150], x[150:151]):
        ours = fisher_vector(descriptors, gmm.means_, gmm.covariances_, gmm.weights_,
                             normalize=None)
        theirs = skimage_fisher_vector(descriptors, gmm)
        scale = np.abs(ours).max()
        assert_allclose(ours[:k * dim], theirs[k:k + k * dim], rtol=0,
                        atol=1e-13 * scale)
        assert_allclose(ours[k * dim:], -theirs[k + k * dim:], rtol=0,
                        atol=1e-13 * scale)


@pytest.mark.parametrize("normalize, flags", [
    (None, {}), ("power", {"square_root": True}), ("l2", {"normalized": True}),
    ("power+l2", {"improved": True})])
def test_matches_vlfeat_vl_fisher(normalize, flags):
    # VLFeat's vl_fisher through cyvlfeat (float32 only): same block layout,
    # signs and normalisation order; float32 rounding bounds the difference
    vl_fisher = pytest.importorskip("cyvlfeat.fisher").fisher
    x, gmm = _diagonal_mixture(12, 400, 6, 8)
    gmm32 = [np.asarray(a, np.float32)
             for a in (gmm.means_, gmm.covariances_, gmm.weights_)]
    for descriptors in (x[:150], x[150:151]):
        ours = fisher_vector(descriptors, gmm.means_, gmm.covariances_, gmm.weights_,
                             normalize=normalize)
        theirs = vl_fisher(descriptors.astype(np.float32), *gmm32, **flags)
        assert_allclose(ours, theirs, rtol=0, atol=3e-5 * np.abs(ours).max())
        relative = np.abs(ours - theirs) / np.abs(ours)
        assert np.median(relative) < 1e-5
