"""CosineKNNClassifier, the deep-knn preset's classifier.

Checked against a loop-by-loop twin and scikit-learn's common checks.
"""

import numpy as np
import pytest
from sklearn_compat.utils.estimator_checks import parametrize_with_checks

from classical.classifiers import CosineKNNClassifier


def naive_cosine_knn_proba(train, labels, queries, k, temperature, weights=None):
    """One query at a time: cosine similarities, k best, exp(s / T) votes."""
    classes = sorted(set(labels))
    weights = weights or dict.fromkeys(classes, 1.0)
    out = []
    for q in queries:
        sims = []
        for i, x in enumerate(train):
            nx, nq = np.linalg.norm(x), np.linalg.norm(q)
            sims.append((float(x @ q) / (nx * nq) if nx and nq else 0.0, i))
        best = sorted(sims, key=lambda pair: (-pair[0], pair[1]))[:min(k, len(train))]
        scores = dict.fromkeys(classes, 0.0)
        for sim, i in best:
            scores[labels[i]] += np.exp(sim / temperature) * weights[labels[i]]
        total = sum(scores.values())
        out.append([scores[c] / total for c in classes])
    return np.array(out)


@pytest.mark.parametrize("k, temperature", [(20, 0.07), (3, 0.5), (1, 0.07),
                                            (50, 10.0)])
def test_matches_the_naive_twin(k, temperature):
    rng = np.random.default_rng(0)
    train = rng.normal(size=(30, 6))
    train[4] = 0.0  # an all-zero row is similar to nothing
    labels = rng.choice(["a", "b", "c"], size=30)
    queries = rng.normal(size=(7, 6))
    model = CosineKNNClassifier(n_neighbors=k, temperature=temperature)
    proba = model.fit(train, labels).predict_proba(queries)
    expected = naive_cosine_knn_proba(train, labels, queries, k, temperature)
    np.testing.assert_allclose(proba, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(model.predict(queries),
                                  model.classes_[expected.argmax(axis=1)])
    assert model.n_neighbors_ == min(k, 30)


@pytest.mark.parametrize("class_weight", ["balanced", {"a": 3.0, "b": 1.0, "c": 0.5}])
def test_class_weights_multiply_the_votes(class_weight):
    rng = np.random.default_rng(1)
    train = rng.normal(size=(40, 5))
    labels = np.array(["a"] * 5 + ["b"] * 15 + ["c"] * 20)
    queries = rng.normal(size=(6, 5))
    weights = class_weight if isinstance(class_weight, dict) else {
        c: 40 / (3 * n) for c, n in zip("abc", (5, 15, 20))}
    model = CosineKNNClassifier(n_neighbors=10, temperature=0.2,
                                class_weight=class_weight).fit(train, labels)
    expected = naive_cosine_knn_proba(train, labels, queries, 10, 0.2, weights)
    np.testing.assert_allclose(model.predict_proba(queries), expected, rtol=1e-10)


def test_similarity_not_distance_decides():
    # scaled copies of a direction are identical under cosine similarity
    train = np.array([[1.0, 0.0], [100.0, 1.0], [0.0, 1.0], [0.1, 3.0]])
    model = CosineKNNClassifier(n_neighbors=1).fit(train, [0, 0, 1, 1])
    np.testing.assert_array_equal(model.predict([[50.0, 0.2], [0.01, 0.5]]), [0, 1])


def test_tiny_temperature_is_one_nearest_neighbour_without_overflow():
    train = np.array([[1.0, 0.0], [0.9, 0.5], [0.8, 0.6]])
    model = CosineKNNClassifier(n_neighbors=3, temperature=1e-6)
    proba = model.fit(train, ["x", "y", "y"]).predict_proba([[1.0, 0.05]])
    np.testing.assert_allclose(proba, [[1.0, 0.0]])


@pytest.mark.parametrize("params, message", [
    ({"n_neighbors": 0}, "'n_neighbors' parameter of CosineKNNClassifier must be"),
    ({"temperature": 0.0}, "'temperature' parameter of CosineKNNClassifier must be"),
])
def test_parameter_errors(params, message):
    with pytest.raises(ValueError, match=message):
        CosineKNNClassifier(**params).fit([[1.0], [2.0]], [0, 1])


def test_a_zero_class_weight_is_refused():
    with pytest.raises(ValueError, match="class_weight must give every class a "
                                         "positive weight.*'b': 0"):
        CosineKNNClassifier(class_weight={"a": 1.0, "b": 0}).fit(
            [[1.0], [2.0]], ["a", "b"])


def _expected_failed_checks(estimator):
    if estimator.n_neighbors < 10:
        return {"check_class_weight_classifiers":
                "weights multiply votes: a class absent from the few neighbours "
                "cannot win, however heavy"}
    return {}


@parametrize_with_checks([CosineKNNClassifier(), CosineKNNClassifier(n_neighbors=3),
                          CosineKNNClassifier(class_weight="balanced")],
                         expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
