"""Expected calibration error, reliability diagram and calibrate()."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.svm import LinearSVC

from classical.evaluation import (
    calibrate,
    expected_calibration_error,
    reliability_curve,
    reliability_diagram,
)


def naive_ece(y_true, y_proba, classes, n_bins):
    """Guo et al.'s ECE, one bin (lo, hi] at a time (the first also holds 0)."""
    top = y_proba.max(axis=1)
    right = classes[y_proba.argmax(axis=1)] == y_true
    total = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        members = (top > lo) & (top <= hi)
        if b == 0:
            members |= top == 0
        if b == n_bins - 1:
            members |= top > 1
        if members.any():
            total += members.sum() * abs(right[members].mean() - top[members].mean())
    return total / len(y_true)


def random_probabilities(n_samples, n_classes, seed):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.full(n_classes, 0.5), size=n_samples)
    classes = np.array([f"c{k}" for k in range(n_classes)])
    return classes[rng.integers(n_classes, size=n_samples)], proba, classes


@pytest.mark.parametrize("n_bins", [1, 5, 10, 15])
@pytest.mark.parametrize("seed", [0, 1])
def test_ece_matches_naive_twin(n_bins, seed):
    y_true, proba, classes = random_probabilities(500, 4, seed)
    assert expected_calibration_error(y_true, proba, n_bins=n_bins) == \
        pytest.approx(naive_ece(y_true, proba, classes, n_bins), abs=1e-12)


def test_ece_on_bin_edges_matches_naive_twin():
    # top probabilities exactly on the edges k / 10, where p * 10 rounds badly
    edges = np.arange(1, 11) / 10
    proba = np.column_stack([edges, 1 - edges])
    y_true = np.array(["a", "b"] * 5)
    classes = np.array(["a", "b"])
    assert expected_calibration_error(y_true, proba, n_bins=10) == \
        pytest.approx(naive_ece(y_true, proba, classes, 10), abs=1e-12)


def test_ece_hand_checked():
    # bin (0.8, 0.9]: one right at 0.9; bin (0.5, 0.6]: one wrong at 0.6
    # ECE = 1/2 * |1 - 0.9| + 1/2 * |0 - 0.6| = 0.35
    assert expected_calibration_error(
        ["a", "b"], [[0.9, 0.1], [0.6, 0.4]]) == pytest.approx(0.35)
    # perfectly calibrated: 4 samples at 0.75, 3 right
    proba = np.tile([0.75, 0.25], (4, 1))
    assert expected_calibration_error(["a", "a", "a", "b"], proba) == \
        pytest.approx(0.0)


def test_classes_give_column_order():
    proba = np.array([[0.2, 0.8], [0.9, 0.1]])
    # columns are (b, a): both predictions right at 0.8 and 0.9
    assert expected_calibration_error(["a", "b"], proba, classes=["b", "a"]) == \
        pytest.approx(naive_ece(np.array(["a", "b"]), proba, np.array(["b", "a"]), 10))
    assert expected_calibration_error(["a", "b"], proba, classes=["b", "a"]) == \
        pytest.approx(0.15)


def test_reliability_curve_counts():
    y_true, proba, classes = random_probabilities(300, 3, 2)
    confidence, accuracy, count = reliability_curve(y_true, proba, n_bins=7)
    assert count.sum() == 300
    filled = count > 0
    assert np.all(np.isnan(confidence[~filled])) and np.all(np.isnan(accuracy[~filled]))
    assert np.all((confidence[filled] >= 1 / 3) & (confidence[filled] <= 1))


def test_bad_shape_is_an_error():
    with pytest.raises(ValueError, match="y_proba must have shape"):
        expected_calibration_error(["a", "b", "c"], [[0.5, 0.5], [0.1, 0.9]])
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error(["a"], [[1.0]], n_bins=0)


def test_reliability_diagram_draws_bins():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    y_true, proba, _ = random_probabilities(200, 3, 3)
    ax = reliability_diagram(y_true, proba, n_bins=5)
    _, _, count = reliability_curve(y_true, proba, n_bins=5)
    assert len(ax.patches) == np.count_nonzero(count)
    ece = expected_calibration_error(y_true, proba, n_bins=5)
    assert f"{ece:.3f}" in ax.get_title()
    ax.figure.clf()


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_calibrate_lowers_ece_and_keeps_model(method):
    X, y = make_classification(n_samples=1500, n_features=10, n_informative=6,
                               n_classes=3, random_state=0)
    fit, val, test = np.split(np.arange(1500), [500, 1000])
    # an overconfident model: a linear SVM's decision values through a
    # sigmoid fitted on its own training data
    model = CalibratedClassifierCV(LinearSVC(C=100.0), cv=2).fit(X[fit], y[fit])
    before = expected_calibration_error(y[test], model.predict_proba(X[test]))
    proba_before = model.predict_proba(X[test])
    calibrated = calibrate(model, X[val], y[val], method=method)
    after = expected_calibration_error(y[test], calibrated.predict_proba(X[test]))
    assert after < before
    np.testing.assert_array_equal(model.predict_proba(X[test]), proba_before)
    np.testing.assert_array_equal(calibrated.classes_, model.classes_)


def test_calibrate_rejects_unknown_method():
    X, y = make_classification(n_samples=60, random_state=0)
    model = LinearSVC().fit(X, y)
    with pytest.raises(ValueError, match="method"):
        calibrate(model, X, y, method="beta")
