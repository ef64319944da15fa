"""GaussianMLClassifier: kernel versus its NumPy twin, model versus scipy and QDA,
priors, the reject option, error paths and the Statlog Landsat accuracy."""

import inspect

import numpy as np
import pytest
from scipy import stats
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.utils._param_validation import InvalidParameterError

from classical._kernels import gaussian as kernels
from classical.classifiers import GaussianMLClassifier
from tests.naive import gaussian as naive

LOG_2PI = np.log(2.0 * np.pi)


# --------------------------------------------------------------------------
# Helpers computed independently of the estimator.


def make_blobs(rng, n_per_class=(40, 30, 50), n_features=4, spread=3.0):
    """Gaussian blobs with random (non-spherical) covariances."""
    X, y = [], []
    for k, n in enumerate(n_per_class):
        mixing = rng.normal(size=(n_features, n_features))
        X.append(rng.normal(size=(n, n_features)) @ mixing + spread * k)
        y.append(np.full(n, k))
    return np.vstack(X), np.concatenate(y)


def random_model(rng, n_classes, n_features):
    """Means, inverse Cholesky factors and offsets of a random Gaussian model."""
    means = rng.normal(scale=3.0, size=(n_classes, n_features))
    inv_chol = np.tril(rng.normal(size=(n_classes, n_features, n_features)))
    diagonal = np.arange(n_features)
    inv_chol[:, diagonal, diagonal] = rng.uniform(0.5, 2.0, size=(n_classes,
                                                                   n_features))
    offsets = rng.normal(size=n_classes)
    return means, inv_chol, offsets


def bound_between(values):
    """A bound in the widest gap between ``values``, far from all of them, so
    that rounding cannot decide which side a value is on."""
    values = np.sort(values)
    if len(values) == 1:
        return 0.5 * values[0]
    widest = np.argmax(np.diff(values))
    return 0.5 * (values[widest] + values[widest + 1])


def qda_supports(parameter):
    return parameter in inspect.signature(QuadraticDiscriminantAnalysis).parameters


# --------------------------------------------------------------------------
# Kernels against their twins.


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_samples, n_classes, n_features, block_size", [
    (1, 1, 1, 512),
    (13, 3, 4, 5),
    (300, 5, 6, 64),
    (257, 2, 3, 1),
])
def test_kernels_match_twins(dtype, n_samples, n_classes, n_features, block_size):
    rng = np.random.default_rng(n_samples)
    means, inv_chol, offsets = random_model(rng, n_classes, n_features)
    X = rng.normal(scale=4.0, size=(n_samples, n_features)).astype(dtype)
    rtol = 1e-6 if dtype == np.float32 else 1e-10

    got = kernels.joint_log_likelihood(X, means, inv_chol, offsets, block_size)
    want = naive.joint_log_likelihood(X, means, inv_chol, offsets, block_size)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-9)

    distances = np.empty((n_classes, n_samples))
    kernels.mahalanobis_block(X, 0, n_samples, means, inv_chol, True, distances)
    expected = np.empty_like(distances)
    naive.mahalanobis_block(X, 0, n_samples, means, inv_chol, True, expected)
    np.testing.assert_allclose(distances, expected, rtol=rtol, atol=1e-9)

    winner_distance = distances[np.argmax(want, axis=1), np.arange(n_samples)]
    posterior_sum = np.exp(want - want.max(axis=1, keepdims=True)).sum(axis=1)
    for mode, bound in [(kernels.REJECT_NONE, 0.0),
                        (kernels.REJECT_DISTANCE, bound_between(winner_distance)),
                        (kernels.REJECT_POSTERIOR, bound_between(posterior_sum))]:
        args = (X, means, inv_chol, offsets, mode, bound, block_size)
        np.testing.assert_array_equal(kernels.classify_gaussian(*args),
                                      naive.classify_gaussian(*args))


@pytest.mark.parametrize("fill", [0.0, 7.5])
def test_kernels_on_constant_input(fill):
    rng = np.random.default_rng(1)
    means, inv_chol, offsets = random_model(rng, 3, 4)
    X = np.full((50, 4), fill)
    got = kernels.joint_log_likelihood(X, means, inv_chol, offsets, 16)
    np.testing.assert_allclose(
        got, naive.joint_log_likelihood(X, means, inv_chol, offsets, 16), rtol=1e-12)
    assert (got == got[0]).all()  # identical rows score identically
    labels = kernels.classify_gaussian(X, means, inv_chol, offsets, 0, 0.0, 16)
    np.testing.assert_array_equal(
        labels, naive.classify_gaussian(X, means, inv_chol, offsets, 0, 0.0, 16))


def test_kernels_handle_zero_samples():
    rng = np.random.default_rng(2)
    means, inv_chol, offsets = random_model(rng, 2, 3)
    X = np.empty((0, 3))
    assert kernels.joint_log_likelihood(X, means, inv_chol, offsets, 8).shape == (0, 2)
    labels = kernels.classify_gaussian(X, means, inv_chol, offsets, 0, 0.0, 8)
    assert labels.shape == (0,)


# --------------------------------------------------------------------------
# The model against scipy and scikit-learn's QDA.


@pytest.mark.parametrize("reg_param", [0.0, 0.2])
@pytest.mark.parametrize("priors", ["equal", "empirical"])
def test_scores_equal_scipy_multivariate_normal(reg_param, priors):
    rng = np.random.default_rng(3)
    X, y = make_blobs(rng)
    clf = GaussianMLClassifier(priors=priors, reg_param=reg_param).fit(X, y)
    counts = np.bincount(y)
    prior = np.full(3, 1 / 3) if priors == "equal" else counts / counts.sum()
    want = naive.log_joint_densities(X, X, y, reg_param, prior)
    np.testing.assert_allclose(clf.decision_function(X), want, rtol=1e-9)
    np.testing.assert_allclose(clf.priors_, prior)
    log_proba = want - np.log(np.exp(want).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(clf.predict_log_proba(X), log_proba, atol=1e-9)
    np.testing.assert_allclose(clf.predict_proba(X), np.exp(log_proba), atol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), np.argmax(want, axis=1))


def test_binary_decision_function_is_the_log_posterior_odds():
    rng = np.random.default_rng(4)
    X, y = make_blobs(rng, n_per_class=(30, 30))
    labels = np.where(y == 0, "soil", "water")
    clf = GaussianMLClassifier(priors="empirical").fit(X, labels)
    want = naive.log_joint_densities(X, X, labels, 0.01, [0.5, 0.5])
    decision = clf.decision_function(X)
    assert decision.shape == (len(X),)
    np.testing.assert_allclose(decision, want[:, 1] - want[:, 0], rtol=1e-9)
    np.testing.assert_array_equal(clf.predict(X),
                                  np.where(decision > 0, "water", "soil"))


def test_posteriors_are_stable_far_from_every_class():
    rng = np.random.default_rng(5)
    X, y = make_blobs(rng)
    clf = GaussianMLClassifier().fit(X, y)
    far = np.full((3, X.shape[1]), 1e4)  # every density underflows to 0
    proba = clf.predict_proba(far)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def _prior_case(priors):
    """Our ``priors`` argument and the same priors as an array in class order
    (None: the class frequencies)."""
    if priors == "equal":
        return "equal", np.full(3, 1 / 3)
    if priors == "empirical":
        return "empirical", None
    return {0: 2.0, 1: 1.0, 2: 1.0}, np.array([0.5, 0.25, 0.25])


def _qda_case(rng):
    X, y = make_blobs(rng, n_per_class=(60, 25, 40), n_features=5, spread=1.5)
    return X, y, rng.normal(scale=4.0, size=(500, 5)) + 1.5


@pytest.mark.parametrize("reg_param", [0.0, 0.05, 0.5])
@pytest.mark.parametrize("priors", ["equal", "empirical", "dict"])
def test_decisions_equal_the_scipy_reference(priors, reg_param):
    # Runs with every supported scikit-learn; test_decisions_equal_qda below
    # adds QDA where it has the same shrinkage.
    X, y, X_test = _qda_case(np.random.default_rng(6))
    ours, theirs = _prior_case(priors)
    clf = GaussianMLClassifier(priors=ours, reg_param=reg_param).fit(X, y)
    if theirs is None:
        theirs = np.bincount(y) / len(y)
    want = naive.log_joint_densities(X_test, X, y, reg_param, theirs)
    np.testing.assert_array_equal(clf.predict(X_test), np.argmax(want, axis=1))
    np.testing.assert_allclose(clf.decision_function(X_test), want, rtol=1e-9)
    proba = np.exp(want - want.max(axis=1, keepdims=True))
    np.testing.assert_allclose(clf.predict_proba(X_test),
                               proba / proba.sum(axis=1, keepdims=True), atol=1e-9)


qda_eigen = pytest.mark.skipif(
    not qda_supports("solver") or not qda_supports("shrinkage"),
    reason="this scikit-learn's QDA has no eigen solver with shrinkage (1.8+); "
           "test_decisions_equal_the_scipy_reference checks the same decisions")


@qda_eigen
@pytest.mark.parametrize("reg_param", [0.0, 0.05, 0.5])
@pytest.mark.parametrize("priors", ["equal", "empirical", "dict"])
def test_decisions_equal_qda(priors, reg_param):
    X, y, X_test = _qda_case(np.random.default_rng(6))
    ours, theirs = _prior_case(priors)
    clf = GaussianMLClassifier(priors=ours, reg_param=reg_param).fit(X, y)
    qda = QuadraticDiscriminantAnalysis(priors=theirs, solver="eigen",
                                        shrinkage=reg_param, tol=1e-12).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X_test), qda.predict(X_test))
    # Same scores up to QDA's missing constant -p/2 log(2 pi).
    np.testing.assert_allclose(clf.decision_function(X_test),
                               qda.decision_function(X_test) - 2.5 * LOG_2PI,
                               rtol=1e-9)
    np.testing.assert_allclose(clf.predict_proba(X_test), qda.predict_proba(X_test),
                               atol=1e-9)


def test_unregularised_decisions_equal_default_qda():
    rng = np.random.default_rng(7)
    X, y = make_blobs(rng, n_features=3, spread=1.0)
    X_test = rng.normal(scale=3.0, size=(400, 3)) + 1.0
    clf = GaussianMLClassifier(priors="empirical", reg_param=0.0).fit(X, y)
    qda = QuadraticDiscriminantAnalysis().fit(X, y)
    np.testing.assert_array_equal(clf.predict(X_test), qda.predict(X_test))


def _few_samples_case(rng):
    X, y = make_blobs(rng, n_per_class=(4, 5, 3), n_features=6, spread=4.0)
    return X, y, rng.normal(scale=5.0, size=(200, 6)) + 4.0


def test_fewer_samples_than_features_works_with_regularisation():
    X, y, X_test = _few_samples_case(np.random.default_rng(8))
    clf = GaussianMLClassifier(reg_param=0.1).fit(X, y)
    want = naive.log_joint_densities(X_test, X, y, 0.1, np.full(3, 1 / 3))
    np.testing.assert_allclose(clf.decision_function(X_test), want, rtol=1e-9)
    np.testing.assert_array_equal(clf.predict(X_test), np.argmax(want, axis=1))
    assert (clf.predict(X) == y).all()  # well separated: training set recovered


@qda_eigen
def test_fewer_samples_than_features_equal_qda():
    X, y, X_test = _few_samples_case(np.random.default_rng(8))
    clf = GaussianMLClassifier(reg_param=0.1).fit(X, y)
    qda = QuadraticDiscriminantAnalysis(priors=np.full(3, 1 / 3), solver="eigen",
                                        shrinkage=0.1).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X_test), qda.predict(X_test))


# --------------------------------------------------------------------------
# Priors.


def test_dict_priors_are_normalised_and_move_decisions():
    rng = np.random.default_rng(9)
    X, y = make_blobs(rng, spread=1.0)
    labels = np.array(["a", "b", "c"])[y]
    clf = GaussianMLClassifier(priors={"a": 1, "b": 1, "c": 2}).fit(X, labels)
    np.testing.assert_allclose(clf.priors_, [0.25, 0.25, 0.5])
    X_test = rng.normal(scale=3.0, size=(1000, 4)) + 1.0
    equal = GaussianMLClassifier().fit(X, labels).predict(X_test)
    favour_c = GaussianMLClassifier(priors={"a": 1, "b": 1, "c": 1000}).fit(
        X, labels).predict(X_test)
    assert (favour_c == "c").sum() > (equal == "c").sum()
    assert set(np.flatnonzero(equal == "c")) <= set(np.flatnonzero(favour_c == "c"))


@pytest.mark.parametrize("priors, match", [
    ({0: 0.5, 1: 0.5}, r"Missing classes: \[2\]"),
    ({0: 1, 1: 1, 2: 1, 7: 1}, r"keys that are not classes: \[7\]"),
    ({0: 1, 1: 0, 2: 1}, r"priors\[1\] must be a positive finite number; got 0"),
    ({0: 1, 1: -2.0, 2: 1}, r"priors\[1\] must be a positive"),
    ({0: 1, 1: "x", 2: 1}, r"priors\[1\] must be a positive"),
    ({0: 1, 1: float("nan"), 2: 1}, r"priors\[1\] must be a positive"),
])
def test_bad_dict_priors_raise(priors, match):
    rng = np.random.default_rng(10)
    X, y = make_blobs(rng)
    with pytest.raises(ValueError, match=match):
        GaussianMLClassifier(priors=priors).fit(X, y)


# --------------------------------------------------------------------------
# The reject option.


def test_chi2_reject_matches_an_independent_computation():
    rng = np.random.default_rng(11)
    X, y = make_blobs(rng)
    X_test = rng.normal(scale=6.0, size=(600, 4)) + 3.0
    alpha = 0.05
    clf = GaussianMLClassifier(reject_threshold=alpha).fit(X, y)
    scores = naive.log_joint_densities(X_test, X, y, 0.01, np.full(3, 1 / 3))
    winner = np.argmax(scores, axis=1)
    limit = stats.chi2.ppf(1 - alpha, df=4)
    expected = winner.copy()
    for i, k in enumerate(winner):
        members = X[y == k]
        inverse = np.linalg.inv(naive.shrunk_covariance(members, 0.01))
        diff = X_test[i] - members.mean(axis=0)
        if diff @ inverse @ diff > limit:
            expected[i] = -1
    predicted = clf.predict(X_test)
    np.testing.assert_array_equal(predicted, expected)
    assert 0 < (predicted == -1).sum() < len(X_test)


def test_chi2_reject_keeps_about_one_minus_alpha_of_a_gaussian():
    rng = np.random.default_rng(12)
    X = rng.normal(size=(20000, 3))
    clf = GaussianMLClassifier(reject_threshold=0.1, reg_param=0.0).fit(
        X, np.zeros(len(X), dtype=int))  # one class: a typicality detector
    rejected = np.mean(clf.predict(rng.normal(size=(20000, 3))) == -1)
    assert abs(rejected - 0.1) < 0.01


def test_posterior_reject_matches_predict_proba():
    rng = np.random.default_rng(13)
    X, y = make_blobs(rng, spread=1.0)
    labels = np.array(["crop", "soil", "water"])[y]
    clf = GaussianMLClassifier(reject_threshold=0.8, reject_method="posterior")
    clf.fit(X, labels)
    proba = clf.predict_proba(X)
    expected = np.where(proba.max(axis=1) < 0.8, "unknown",
                        clf.classes_[np.argmax(proba, axis=1)])
    predicted = clf.predict(X)
    np.testing.assert_array_equal(predicted, expected)
    assert 0 < (predicted == "unknown").sum() < len(X)


def test_reject_parameters_can_change_after_fit():
    rng = np.random.default_rng(14)
    X, y = make_blobs(rng)
    clf = GaussianMLClassifier().fit(X, y)
    far = np.full((1, 4), 1e3)
    assert clf.predict(far)[0] in clf.classes_
    clf.set_params(reject_threshold=0.01, unknown_label=99)
    assert clf.predict(far)[0] == 99
    clf.set_params(unknown_label=1)
    with pytest.raises(ValueError, match="unknown_label 1 is also a class of y"):
        clf.predict(far)


@pytest.mark.parametrize("labels, unknown, expected", [
    (np.array([3, 5, 7], dtype=np.uint8), None, -1),
    (np.array([1.0, 2.0, 4.0]), None, -1),
    (np.array(["a", "b", "c"]), None, "unknown"),
    (np.array(["a", "b", "c"], dtype=object), None, "unknown"),
    (np.array(["a", "b", "c"]), "cloud", "cloud"),
    (np.array([1, 2, 3]), 0, 0),
    (np.array([1, 2, 3]), "none", "none"),
])
def test_unknown_label(labels, unknown, expected):
    rng = np.random.default_rng(15)
    X, y = make_blobs(rng)
    clf = GaussianMLClassifier(reject_threshold=1e-3, unknown_label=unknown)
    predicted = clf.fit(X, labels[y]).predict(np.vstack([X[:5], [[1e3] * 4]]))
    assert predicted[-1] == expected
    np.testing.assert_array_equal(predicted[:5], labels[y[:5]])


@pytest.mark.parametrize("labels, unknown, match", [
    (np.array([-1, 0, 1]), None, "default unknown_label -1 is also a class"),
    (np.array(["unknown", "b", "c"]), None,
     "default unknown_label 'unknown' is also a class"),
    (np.array(["a", "b", "c"]), "b", "unknown_label 'b' is also a class"),
])
def test_unknown_label_colliding_with_a_class_raises(labels, unknown, match):
    rng = np.random.default_rng(16)
    X, y = make_blobs(rng)
    clf = GaussianMLClassifier(reject_threshold=0.01, unknown_label=unknown)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, labels[y])
    # Without the reject option the unknown label is never used.
    GaussianMLClassifier(unknown_label=unknown).fit(X, labels[y])


# --------------------------------------------------------------------------
# Input handling and parameters.


def test_float32_is_read_without_a_copy_and_gives_float64_results():
    rng = np.random.default_rng(17)
    X, y = make_blobs(rng)
    X32 = X.astype(np.float32)
    clf = GaussianMLClassifier().fit(X32, y)
    assert np.shares_memory(clf._validated(X32), X32)
    assert clf.decision_function(X32).dtype == np.float64
    reference = GaussianMLClassifier().fit(X32.astype(np.float64), y)
    np.testing.assert_allclose(clf.decision_function(X32),
                               reference.decision_function(X32.astype(np.float64)),
                               rtol=1e-9)


def test_views_integers_block_size_and_threads_do_not_change_results():
    rng = np.random.default_rng(18)
    X, y = make_blobs(rng)
    X = np.round(X * 10)
    clf = GaussianMLClassifier().fit(X, y)
    want = clf.decision_function(X)
    wide = np.zeros((len(X), 8))
    wide[:, ::2] = X
    np.testing.assert_allclose(clf.decision_function(wide[:, ::2]), want, rtol=1e-12)
    np.testing.assert_allclose(clf.decision_function(np.asfortranarray(X)), want,
                               rtol=1e-12)
    np.testing.assert_allclose(clf.decision_function(X.astype(np.int16)), want,
                               rtol=1e-12)
    for params in ({"block_size": 1}, {"block_size": 7, "n_jobs": 2},
                   {"n_jobs": -1}):
        other = GaussianMLClassifier(**params).fit(X, y)
        np.testing.assert_allclose(other.decision_function(X), want, rtol=1e-12)
        np.testing.assert_array_equal(other.predict(X), clf.predict(X))


def test_fitted_attributes():
    rng = np.random.default_rng(19)
    X, y = make_blobs(rng)
    clf = GaussianMLClassifier(reg_param=0.3).fit(X, y)
    np.testing.assert_array_equal(clf.class_count_, [40, 30, 50])
    for k in range(3):
        np.testing.assert_allclose(clf.means_[k], X[y == k].mean(axis=0))
        np.testing.assert_allclose(clf.covariances_[k],
                                   naive.shrunk_covariance(X[y == k], 0.3))


# --------------------------------------------------------------------------
# Error paths.


def test_single_sample_class_raises():
    X = np.array([[0.0, 0.0], [1.0, 0.5], [0.3, 2.0], [5.0, 5.0]])
    with pytest.raises(ValueError, match="Class 'b' has only 1 sample"):
        GaussianMLClassifier().fit(X, ["a", "a", "a", "b"])


def test_too_few_samples_without_regularisation_raises():
    rng = np.random.default_rng(20)
    X, y = make_blobs(rng, n_per_class=(10, 3), n_features=4)
    with pytest.raises(ValueError, match=(
            r"class 1 is singular: class 1 has 3 samples for 4 features.*"
            r"Raise reg_param")):
        GaussianMLClassifier(reg_param=0.0).fit(X, y)
    GaussianMLClassifier(reg_param=0.01).fit(X, y)  # the advertised fix works


def test_collinear_features_without_regularisation_raise():
    rng = np.random.default_rng(21)
    X, y = make_blobs(rng, n_features=3)
    X = np.column_stack([X, X[:, 0]])  # a duplicated band
    with pytest.raises(ValueError, match="linearly dependent.*Raise reg_param"):
        GaussianMLClassifier(reg_param=0.0).fit(X, y)
    GaussianMLClassifier().fit(X, y)


def test_constant_class_raises_even_with_regularisation():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [3.0, 3.0], [3.0, 3.0]])
    with pytest.raises(ValueError, match="every feature is constant within class 1"):
        GaussianMLClassifier(reg_param=0.5).fit(X, [0, 0, 0, 1, 1])


@pytest.mark.parametrize("params, match", [
    ({"priors": "uniform"}, "'priors' parameter(?=.*'empirical')(?=.*'equal')"),
    ({"reg_param": 1.5}, "'reg_param' parameter"),
    ({"reject_threshold": 0.0}, "'reject_threshold' parameter"),
    ({"reject_method": "distance"},
     "'reject_method' parameter(?=.*'chi2')(?=.*'posterior')"),
    ({"block_size": 0}, "'block_size' parameter"),
    ({"unknown_label": [1]}, "'unknown_label' parameter"),
])
def test_invalid_parameters_raise(params, match):
    rng = np.random.default_rng(22)
    X, y = make_blobs(rng)
    with pytest.raises(InvalidParameterError, match=match):
        GaussianMLClassifier(**params).fit(X, y)


def test_invalid_reject_parameters_set_after_fit_raise_at_predict():
    rng = np.random.default_rng(23)
    X, y = make_blobs(rng)
    clf = GaussianMLClassifier().fit(X, y).set_params(reject_method="typical")
    with pytest.raises(InvalidParameterError, match="'reject_method' parameter"):
        clf.predict(X)


def test_wrong_number_of_features_raises():
    rng = np.random.default_rng(24)
    X, y = make_blobs(rng)
    clf = GaussianMLClassifier().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMLClassifier "
                                         "is expecting 4 features"):
        clf.predict(X[:, :3])


# --------------------------------------------------------------------------
# Real data.


@pytest.mark.shared_data
def test_statlog_landsat_accuracy(statlog_dir):
    data = np.load(statlog_dir / "statlog_landsat.npz")
    clf = GaussianMLClassifier().fit(data["X_train"], data["y_train"])
    accuracy = np.mean(clf.predict(data["X_test"]) == data["y_test"])
    assert accuracy >= 0.845  # StatLog's quadratic discriminant: 0.845


@pytest.mark.parametrize("n_inputs, n_features", [(4, 4), (7, 3), (5, 1)])
def test_dense_maps_match_twin(n_inputs, n_features):
    rng = np.random.default_rng(n_inputs)
    means = rng.normal(size=(3, n_inputs))
    maps = rng.normal(size=(3, n_features, n_inputs))  # dense, maybe wide
    offsets = rng.normal(size=3)
    X = rng.integers(0, 255, size=(40, n_inputs)).astype(np.uint8)
    distances = np.empty((3, 40))
    kernels.mahalanobis_block(X, 0, 40, means, maps, False, distances)
    expected = np.empty_like(distances)
    naive.mahalanobis_block(X, 0, 40, means, maps, False, expected)
    np.testing.assert_allclose(distances, expected, rtol=1e-10)
    args = (X, means, maps, offsets, 0, 0.0, 7, False)
    np.testing.assert_array_equal(kernels.classify_gaussian(*args),
                                  naive.classify_gaussian(*args))


@pytest.mark.parametrize("n_kept", [3, 6])  # reduced (dense maps), square (QL)
@pytest.mark.parametrize("reject_threshold", [None, 0.01])
def test_predict_projected_equals_predict_on_projection(reject_threshold, n_kept):
    rng = np.random.default_rng(5)
    y = rng.integers(0, 4, 600)
    pixels = (rng.normal(size=(600, 6)) * 20 + 40 * y[:, None]).clip(0, 255)
    pixels = pixels.astype(np.uint8)
    weights, offset = rng.normal(size=(6, n_kept)), rng.normal(size=n_kept)
    projected = pixels @ weights + offset
    model = GaussianMLClassifier(reg_param=0.05,
                                 reject_threshold=reject_threshold).fit(projected, y)
    np.testing.assert_array_equal(model.predict_projected(pixels, weights, offset),
                                  model.predict(projected))
    with pytest.raises(ValueError, match=r"weights must have shape \(n_inputs"):
        model.predict_projected(pixels, weights[:5], offset)
