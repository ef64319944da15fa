"""RejectOption: probability, conformal-distance and conformal-Gaussian rejection."""

import warnings

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.covariance import LedoitWolf
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from classical.classifiers import RejectOption

try:
    from sklearn_compat.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover - older sklearn-compat
    from sklearn.utils.estimator_checks import parametrize_with_checks


# The common checks require predict to agree with argmax(predict_proba) and
# to answer only classes of y, which a rejection breaks by design: the
# distance instance rejects nothing (every confidence is above 0) but runs the
# whole neighbour search; rejection itself is tested below.
@parametrize_with_checks([
    RejectOption(LogisticRegression(), threshold=0.3),
    RejectOption(LogisticRegression(), method="distance", threshold=0.0),
    RejectOption(LogisticRegression(), method="gaussian", threshold=0.0),
])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def blobs(n_per_class=60, centres=((0, 0, 0), (6, 0, 0), (0, 6, 0)), seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, 1.0, (n_per_class, len(c))) for c in centres])
    y = np.repeat(np.array(["a", "b", "c"][:len(centres)]), n_per_class)
    return X, y


def naive_distance_confidence(X_train, y_train, X, y_pred, k):
    """Conformal p-value of the k-th neighbour distance, by brute force."""
    confidence = np.empty(len(X))
    for i, (x, label) in enumerate(zip(X, y_pred)):
        members = X_train[y_train == label]
        kk = min(k, len(members) - 1)
        pairwise = np.linalg.norm(members[:, None] - members[None], axis=2)
        # leave-one-out: the sorted row's entry 0 is the sample itself
        reference = np.sort(pairwise, axis=1)[:, kk]
        score = np.sort(np.linalg.norm(members - x, axis=1))[kk - 1]
        confidence[i] = (1 + np.sum(reference >= score)) / (len(members) + 1)
    return confidence


def naive_gaussian_scores(X_fit, y_fit, X, labels, n_components):
    """Squared Mahalanobis distance of each row of X to its label's Gaussian."""
    pca = PCA(min(n_components, X_fit.shape[1]), svd_solver="full").fit(X_fit)
    ridge = 1e-6 * pca.explained_variance_.mean()
    scores = np.empty(len(X))
    for label in np.unique(labels):
        members = pca.transform(X_fit[y_fit == label])
        mean = members.mean(axis=0)
        covariance = (LedoitWolf(assume_centered=True).fit(members - mean).covariance_
                      if len(members) > 1 else np.zeros((len(mean), len(mean))))
        precision = np.linalg.inv(covariance + ridge * np.eye(len(mean)))
        rows = labels == label
        offsets = pca.transform(X[rows]) - mean
        scores[rows] = np.einsum("ij,jk,ik->i", offsets, precision, offsets)
    return scores


def naive_gaussian_confidence(X_train, y_train, X, y_pred, n_components):
    """Conformal p-value of the Gaussian score among cross-fitted class scores."""
    reference = np.empty(len(X_train))
    n_splits = min(5, np.unique(y_train, return_counts=True)[1].min())
    for fit, held in StratifiedKFold(n_splits, shuffle=True, random_state=0).split(
            X_train, y_train):
        reference[held] = naive_gaussian_scores(X_train[fit], y_train[fit],
                                                X_train[held], y_train[held],
                                                n_components)
    scores = naive_gaussian_scores(X_train, y_train, X, y_pred, n_components)
    return np.array([(1 + np.sum(reference[y_train == label] >= score))
                     / (np.sum(y_train == label) + 1)
                     for score, label in zip(scores, y_pred)])


def test_probability_rule_matches_twin():
    X, y = blobs()
    X_test, _ = blobs(seed=1)
    X_test = X_test * 0.5 + 1.0  # pulled between the blobs: some unsure
    model = RejectOption(LogisticRegression(), threshold=0.8).fit(X, y)
    proba = LogisticRegression().fit(X, y).predict_proba(X_test)
    expected = np.where(proba.max(axis=1) < 0.8, "unknown",
                        np.array(["a", "b", "c"])[proba.argmax(axis=1)])
    assert 0 < np.sum(expected == "unknown") < len(expected)
    np.testing.assert_array_equal(model.predict(X_test), expected)
    np.testing.assert_allclose(model.predict_proba(X_test), proba)
    np.testing.assert_allclose(model.confidence(X_test), proba.max(axis=1))


@pytest.mark.parametrize("n_neighbors", [1, 5, 200])
def test_distance_confidence_matches_twin(n_neighbors):
    X, y = blobs()
    X_test, _ = blobs(seed=1)
    X_test[::7] += 5.0
    model = RejectOption(LogisticRegression(), method="distance",
                         n_neighbors=n_neighbors).fit(X, y)
    y_pred = LogisticRegression().fit(X, y).predict(X_test)
    np.testing.assert_allclose(
        model.confidence(X_test),
        naive_distance_confidence(X, y, X_test, y_pred, n_neighbors))


@pytest.mark.parametrize("n_components, n_per_class", [(1, 60), (2, 60),
                                                      (50, 60), (3, 4)])
def test_gaussian_confidence_matches_twin(n_components, n_per_class):
    rng = np.random.default_rng(3)
    X, y = blobs(n_per_class=n_per_class, centres=((0,) * 5, (6,) + (0,) * 4,
                                                   (0, 6) + (0,) * 3))
    X = X @ rng.normal(size=(5, 5))  # correlated features
    X_test = X[::3] + rng.normal(0, 2.0, (len(X[::3]), 5))
    model = RejectOption(LogisticRegression(), method="gaussian",
                         n_components=n_components).fit(X, y)
    y_pred = LogisticRegression().fit(X, y).predict(X_test)
    expected = naive_gaussian_confidence(X, y, X_test, y_pred, n_components)
    assert np.ptp(expected) > 0.3  # the confidences are not all alike
    np.testing.assert_allclose(model.confidence(X_test), expected)


def test_gaussian_with_two_samples_a_class():
    # two folds: each fold's Gaussian of a class is fitted on one sample
    X, y = blobs(n_per_class=2)
    X_test, _ = blobs(n_per_class=20, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = RejectOption(LogisticRegression(), method="gaussian").fit(X, y)
        confidence = model.confidence(X_test)
    y_pred = LogisticRegression().fit(X, y).predict(X_test)
    np.testing.assert_allclose(confidence,
                               naive_gaussian_confidence(X, y, X_test, y_pred, 10))


@pytest.mark.parametrize("method", ["distance", "gaussian"])
def test_known_samples_rejected_at_about_the_threshold(method):
    # exchangeable held-out samples of the known classes: the conformal
    # p-value is uniform, so about `threshold` of them are rejected
    centres = [np.eye(8)[i] * 8 for i in range(3)]
    X, y = blobs(n_per_class=300, centres=centres, seed=4)
    held_out, y_held_out = blobs(n_per_class=1000, centres=centres, seed=5)
    model = RejectOption(LogisticRegression(), method=method).fit(X, y)
    assert model.score(held_out[:30], y_held_out[:30]) > 0  # sanity: answers
    for threshold in (0.05, 0.1, 0.2):
        model.set_params(threshold=threshold)
        rejected = np.mean(model.predict(held_out) == "unknown")
        assert threshold * 0.75 < rejected < threshold * 1.25


def test_distance_on_pipeline_features():
    X, y = blobs()
    X = X * [1.0, 100.0, 0.01]
    X_test, _ = blobs(seed=1)
    X_test = X_test * [1.0, 100.0, 0.01]
    pipeline = make_pipeline(StandardScaler(), LogisticRegression())
    model = RejectOption(pipeline, method="distance").fit(X, y)
    scaler = StandardScaler().fit(X)
    y_pred = pipeline.fit(X, y).predict(X_test)
    expected = naive_distance_confidence(
        scaler.transform(X), y, scaler.transform(X_test), y_pred, 5)
    np.testing.assert_allclose(model.confidence(X_test), expected)


@pytest.mark.parametrize("method", ["distance", "gaussian"])
def test_novelty_rejects_a_novel_class_at_the_chosen_rate(method):
    X, y = blobs(n_per_class=200)
    known, _ = blobs(n_per_class=200, seed=1)
    rng = np.random.default_rng(2)
    novel = rng.normal((3, 3, 6), 1.0, (300, 3))  # a class never trained on
    model = RejectOption(LogisticRegression(), method=method,
                         threshold=0.1).fit(X, y)
    known_rejected = np.mean(model.predict(known) == "unknown")
    novel_rejected = np.mean(model.predict(novel) == "unknown")
    assert 0.04 < known_rejected < 0.2
    assert novel_rejected > 0.9
    # the top probability hardly notices it
    by_probability = RejectOption(LogisticRegression(), threshold=0.7).fit(X, y)
    assert np.mean(by_probability.predict(novel) == "unknown") < novel_rejected


def test_threshold_read_at_predict_time():
    X, y = blobs()
    model = RejectOption(LogisticRegression(), method="distance",
                         threshold=0.0).fit(X, y)
    assert not np.any(model.predict(X) == "unknown")
    model.set_params(threshold=0.5)
    rejected = model.predict(X) == "unknown"
    np.testing.assert_array_equal(rejected, model.confidence(X) < 0.5)
    assert 0.3 < rejected.mean() < 0.7


def test_numeric_classes_and_labels():
    X, y = blobs()
    y = np.searchsorted(["a", "b", "c"], y)
    far = np.array([[50.0, 50.0, 50.0], [0.0, 0.0, 0.0]])
    model = RejectOption(LogisticRegression(), method="distance", threshold=0.05,
                         unknown_label=-1).fit(X, y)
    assert model.predict(far).tolist() == [-1, 0]
    text = model.set_params(unknown_label="unknown").predict(far)
    assert text.dtype == object and text.tolist() == ["unknown", 0]


def test_decision_function_only_is_calibrated():
    X, y = blobs()
    model = RejectOption(LinearSVC(), threshold=0.9).fit(X, y)
    assert hasattr(model.estimator_, "predict_proba")
    assert model.predict_proba(X).shape == (len(X), 3)
    with pytest.raises(AttributeError):
        RejectOption(LinearSVC(), method="distance").fit(X, y).predict_proba(X)
    # in a pipeline only the final step is calibrated
    pipeline = make_pipeline(StandardScaler(), LinearSVC())
    model = RejectOption(pipeline, threshold=0.9).fit(X, y)
    assert isinstance(model.estimator_[-1], CalibratedClassifierCV)
    assert isinstance(model.estimator_[0], StandardScaler)
    assert not hasattr(pipeline, "predict_proba")  # the given pipeline untouched


@pytest.mark.parametrize("params, match", [
    ({"threshold": 1.5}, "threshold"),
    ({"threshold": -0.1}, "threshold"),
    ({"method": "margin"}, "method"),
    ({"method": "gaussian", "n_components": 0}, "n_components"),
    ({"unknown_label": "a"}, "unknown_label 'a' is also a class"),
])
def test_bad_parameters(params, match):
    X, y = blobs()
    with pytest.raises(ValueError, match=match):
        RejectOption(LogisticRegression(), **params).fit(X, y)


@pytest.mark.parametrize("method", ["distance", "gaussian"])
def test_single_sample_class_with_a_novelty_method(method):
    X, y = blobs()
    y = y.astype(object)
    y[0] = "lonely"
    with pytest.raises(ValueError, match=f"Class 'lonely' has 1 training sample; "
                                         f"the '{method}' method needs at least 2"):
        RejectOption(LogisticRegression(), method=method).fit(X, y)


def test_preset_on_eurosat_rejects_an_unseen_class(eurosat_dir):
    from classical import make_pipeline as make_preset
    from classical.datasets import load_images

    classes = ["Forest", "Industrial", "SeaLake", "AnnualCrop"]
    paths, labels = [], []
    for name in classes:
        files = sorted((eurosat_dir / name).glob("*.jpg"))[:40]
        paths += [str(p) for p in files]
        labels += [name] * len(files)
    images = load_images(paths).images
    labels = np.array(labels)
    train = np.arange(len(labels)) % 2 == 0
    known = labels != "AnnualCrop"
    fit = train & known
    fit_images = [images[i] for i in np.flatnonzero(fit)]
    test = np.flatnonzero(~train)
    test_images = [images[i] for i in test]
    model = RejectOption(make_preset("lbp-knn"), method="distance",
                         threshold=0.1).fit(fit_images, labels[fit])
    plain = make_preset("lbp-knn").fit(fit_images, labels[fit])
    np.testing.assert_allclose(model.predict_proba(test_images),
                               plain.predict_proba(test_images))
    answer = model.predict(test_images)
    unseen = labels[test] == "AnnualCrop"
    known_answers = answer[~unseen]
    np.testing.assert_array_equal(known_answers != "unknown",
                                  known_answers == plain.predict(test_images)[~unseen])
    assert np.mean(answer[unseen] == "unknown") > np.mean(answer[~unseen] == "unknown")
