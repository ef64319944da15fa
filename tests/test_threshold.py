"""threshold_for, tune_threshold and plot_precision_recall against a brute force."""

import matplotlib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from classical.evaluation import plot_precision_recall, threshold_for, tune_threshold

matplotlib.use("Agg")


def naive_threshold_for(y_true, scores, *, recall=None, precision=None, pos_label=1):
    """Every distinct score tried as a threshold, scores >= t predicted positive."""
    positive = np.asarray(y_true) == pos_label
    candidates = []
    for t in np.unique(scores):
        predicted = scores >= t
        found = np.sum(predicted & positive)
        candidates.append((t, found / positive.sum(), found / predicted.sum()))
    if recall is not None:
        return max(t for t, r, _ in candidates if r >= recall)
    reaching = [(r, t) for t, r, p in candidates if p >= precision]
    return max(reaching)[1]  # highest recall, then the largest threshold


def rare_scores(seed, n_samples=300, ties=False):
    """Labels with a ~10% positive class and noisy scores, possibly tied."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n_samples) < 0.1).astype(int)
    scores = y * 1.5 + rng.normal(size=n_samples)
    return y, np.round(scores, 1) if ties else scores


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("target", [0.05, 0.5, 0.9, 1.0])
def test_threshold_for_recall_matches_brute_force(seed, target, ties):
    y, scores = rare_scores(seed, ties=ties)
    assert threshold_for(y, scores, recall=target) == \
        naive_threshold_for(y, scores, recall=target)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("target", [0.1, 0.3, 0.6, 0.9, 1.0])
def test_threshold_for_precision_matches_brute_force(seed, target, ties):
    y, scores = rare_scores(seed, ties=ties)
    assert threshold_for(y, scores, precision=target) == \
        naive_threshold_for(y, scores, precision=target)


def test_threshold_for_one_class_against_the_rest():
    y, scores = rare_scores(0)
    names = np.array(["other", "rare"])[y]
    names[:50][names[:50] == "other"] = "third"  # a third label counts as negative
    assert threshold_for(names, scores, recall=0.8, pos_label="rare") == \
        naive_threshold_for(names, scores, recall=0.8, pos_label="rare")


@pytest.mark.parametrize("pos_label", [0, 1])
@pytest.mark.parametrize("estimator", [LogisticRegression(), LinearSVC()])
def test_tune_threshold_predicts_scores_at_least_threshold(estimator, pos_label):
    X, y = make_classification(n_samples=400, weights=[0.85], random_state=0)
    model = estimator.fit(X[:200], y[:200])
    tuned = tune_threshold(model, X[200:300], y[200:300], recall=0.9,
                           pos_label=pos_label)
    if hasattr(model, "predict_proba"):
        val, test = (model.predict_proba(X[a:b])[:, pos_label]
                     for a, b in ((200, 300), (300, 400)))
    else:
        sign = 1 if pos_label == 1 else -1
        val, test = (sign * model.decision_function(X[a:b])
                     for a, b in ((200, 300), (300, 400)))
    assert tuned.threshold == naive_threshold_for(y[200:300], val, recall=0.9,
                                                  pos_label=pos_label)
    expected = np.where(test >= tuned.threshold, pos_label, 1 - pos_label)
    np.testing.assert_array_equal(tuned.predict(X[300:]), expected)
    assert tuned.estimator_.estimator is model  # frozen, not refitted


def test_tune_threshold_on_string_labels_for_precision():
    X, y = make_classification(n_samples=400, weights=[0.85], random_state=1)
    names = np.array(["common", "rare"])[y]
    model = LogisticRegression().fit(X[:200], names[:200])
    tuned = tune_threshold(model, X[200:], names[200:], precision=0.8,
                           pos_label="rare")
    scores = model.predict_proba(X[200:])[:, 1]
    assert tuned.threshold == naive_threshold_for(names[200:], scores,
                                                  precision=0.8, pos_label="rare")
    np.testing.assert_array_equal(
        tuned.predict(X[200:]) == "rare", scores >= tuned.threshold)


def test_plot_precision_recall_marks_the_operating_point():
    y, scores = rare_scores(0)
    t = threshold_for(y, scores, recall=0.9)
    ax = plot_precision_recall(y, scores, threshold=t)
    point = ax.lines[-1]
    found = np.sum((scores >= t) & (y == 1))
    assert point.get_xdata()[0] == pytest.approx(found / np.sum(y == 1))
    assert point.get_ydata()[0] == pytest.approx(found / np.sum(scores >= t))
    assert "threshold" in point.get_label()
    assert plot_precision_recall(y, scores, ax=ax) is ax


@pytest.mark.parametrize(("kwargs", "match"), [
    ({}, "exactly one target"),
    ({"recall": 0.9, "precision": 0.9}, "exactly one target"),
    ({"recall": 0.0}, "'recall' parameter of threshold_for"),
    ({"precision": 1.5}, "'precision' parameter of threshold_for"),
    ({"recall": 0.9, "pos_label": 2}, "no positive sample"),
])
def test_threshold_for_bad_arguments(kwargs, match):
    y, scores = rare_scores(0)
    with pytest.raises(ValueError, match=match):
        threshold_for(y, scores, **kwargs)


def test_threshold_for_unreachable_precision_gives_the_best():
    with pytest.raises(ValueError, match="best precision on these samples is 0.6667"):
        threshold_for([1, 0, 1, 0], [0.9, 0.95, 0.5, 0.1], precision=0.9)


def test_threshold_for_mismatched_shapes():
    with pytest.raises(ValueError, match="one score per sample"):
        threshold_for([0, 1, 1], [[0.2, 0.8]] * 3, recall=0.5)


def test_tune_threshold_needs_a_binary_model_with_pos_label():
    X, y = make_classification(n_samples=150, n_classes=3, n_informative=3,
                               random_state=0)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="needs a binary classifier"):
        tune_threshold(model, X, y == 1, recall=0.9)
    binary = LogisticRegression().fit(X, y == 1)
    with pytest.raises(ValueError, match="pos_label='yes'"):
        tune_threshold(binary, X, y == 1, recall=0.9, pos_label="yes")


class LabelsOnly(ClassifierMixin, BaseEstimator):
    """A classifier with predict only (no score to threshold)."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_tune_threshold_needs_scores():
    X, y = make_classification(n_samples=100, random_state=0)
    with pytest.raises(TypeError, match="predict_proba or decision_function"):
        tune_threshold(LabelsOnly().fit(X, y), X, y, recall=0.9)


def test_plot_precision_recall_threshold_above_every_score():
    y, scores = rare_scores(0)
    with pytest.raises(ValueError, match="above every score"):
        plot_precision_recall(y, scores, threshold=scores.max() + 1)
