"""HierarchicalClassifier and the hierarchical scores, against plain-Python twins."""

import json
import random

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from classical.classifiers import HierarchicalClassifier
from classical.evaluation import ClassHierarchy, evaluate_hierarchy, hierarchical_scores

try:
    from sklearn_compat.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover - older sklearn-compat
    from sklearn.utils.estimator_checks import parametrize_with_checks

TREE = {"A": ["A1", "A2"], "B": ["B1", "B2"], "B1": ["B1a", "B1b"]}
LEAVES = ["A1", "A2", "B1a", "B1b", "B2"]


# --- plain-Python twins -------------------------------------------------------

def naive_path(tree, node):
    """Ancestors of ``node`` from level 1 down, then ``node``, walking the dict."""
    for parent, kids in tree.items():
        if node in kids:
            return naive_path(tree, parent) + [node]
    return [node]


def naive_scores(tree, y_true, y_pred, unknown="unknown"):
    common = given = expected = 0
    for truth, answer in zip(y_true, y_pred):
        t = set(naive_path(tree, truth))
        p = set() if answer == unknown else set(naive_path(tree, answer))
        common, given, expected = common + len(t & p), given + len(p), expected + len(t)
    precision, recall = common / given, common / expected
    return precision, recall, 2 * precision * recall / (precision + recall)


def naive_level(tree, y_true, y_pred, level, unknown="unknown"):
    """(n, answered, correct) at ``level`` for the samples whose leaf reaches it."""
    n = answered = correct = 0
    for truth, answer in zip(y_true, y_pred):
        t = naive_path(tree, truth)
        p = [] if answer == unknown else naive_path(tree, answer)
        if len(t) >= level:
            n += 1
            if len(p) >= level:
                answered += 1
                correct += p[level - 1] == t[level - 1]
    return n, answered, correct


def naive_descend(tree, leaf_proba, threshold, unknown="unknown"):
    """Walk down from the root one sample at a time, summing leaf probabilities."""
    def mass(node):
        kids = tree.get(node)
        return leaf_proba.get(node, 0.0) if kids is None else sum(map(mass, kids))
    children = [n for n in tree if all(n not in kids for kids in tree.values())]
    answer = unknown
    while children:
        best = max(children, key=mass)
        if mass(best) < threshold:
            break
        answer, children = best, tree.get(best, [])
    return answer


def _random_answers(rng, n):
    nodes = list(ClassHierarchy(TREE).nodes) + ["unknown"]
    return ([rng.choice(LEAVES) for _ in range(n)],
            [rng.choice(nodes) for _ in range(n)])


# --- the scores ---------------------------------------------------------------

def test_scores_by_hand():
    y_true = ["A1", "A2", "B1a", "B2"]
    y_pred = ["A1", "A", "B1b", "unknown"]
    # augmented sets: {A,A1}/{A,A1}, {A,A2}/{A}, {B,B1,B1a}/{B,B1,B1b}, {B,B2}/{}
    scores = hierarchical_scores(y_true, y_pred, TREE)
    assert scores["precision"] == pytest.approx(5 / 6)
    assert scores["recall"] == pytest.approx(5 / 9)
    assert scores["f1"] == pytest.approx(2 / 3)
    report = evaluate_hierarchy(y_true, y_pred, TREE)
    levels = [(r["n"], r["answered"], r["correct"]) for r in report.levels]
    assert levels == [(4, 3, 3), (4, 2, 2), (1, 1, 0)]
    answers = {r["at"]: (r["count"], r["right"]) for r in report.answers}
    assert answers["leaf"] == (2, 0.5)
    assert answers["level 1"] == (1, 1.0)
    assert answers["unknown"][0] == 1
    assert report.right == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", range(5))
def test_scores_match_the_twin(seed):
    y_true, y_pred = _random_answers(random.Random(seed), 60)
    scores = hierarchical_scores(y_true, y_pred, TREE)
    assert [scores["precision"], scores["recall"], scores["f1"]] == pytest.approx(
        naive_scores(TREE, y_true, y_pred))
    report = evaluate_hierarchy(y_true, y_pred, TREE)
    for row in report.levels:
        n, answered, correct = naive_level(TREE, y_true, y_pred, row["level"])
        assert (row["n"], row["answered"], row["correct"]) == (n, answered, correct)
        assert row["accuracy"] == pytest.approx(correct / n)
    assert sum(r["count"] for r in report.answers) == len(y_true)


def test_report_renders_markdown_and_json():
    y_true, y_pred = _random_answers(random.Random(0), 30)
    report = evaluate_hierarchy(y_true, y_pred, TREE)
    assert json.loads(report.to_json()) == json.loads(json.dumps(report.as_dict()))
    text = report.to_markdown()
    assert "| Level | Samples | Coverage | Accuracy | Precision |" in text
    assert f"| 1 | 30 | {report.levels[0]['coverage']:.3f}" in text
    assert "| Answered at |" in text


def test_tree_structure():
    tree = ClassHierarchy(TREE)
    assert tree.top == ["A", "B"]
    assert tree.nodes == ["A", "B", "A1", "A2", "B1", "B2", "B1a", "B1b"]
    assert tree.leaves == ["A1", "A2", "B2", "B1a", "B1b"]
    assert tree.path("B1b") == naive_path(TREE, "B1b") == ["B", "B1", "B1b"]
    assert tree.depth("B2") == 2


# --- the classifier -----------------------------------------------------------

def _data(n=300, seed=0):
    rng = np.random.RandomState(seed)
    y = np.asarray(LEAVES)[rng.randint(len(LEAVES), size=n)]
    centres = {"A1": (0, 0), "A2": (1, 0), "B1a": (4, 4), "B1b": (4, 5), "B2": (6, 0)}
    X = np.asarray([centres[label] for label in y]) + rng.normal(scale=0.6, size=(n, 2))
    return X, y


@pytest.mark.parametrize("threshold", [0.0, 0.5, 0.7, 0.9, 1.0])
@pytest.mark.parametrize("mode", ["flat", "local"])
def test_predict_matches_the_twin(threshold, mode):
    X, y = _data()
    model = HierarchicalClassifier(LogisticRegression(), TREE, threshold=threshold,
                                   mode=mode).fit(X, y)
    proba = model.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1)
    expected = [naive_descend(TREE, dict(zip(model.classes_, row)), threshold)
                for row in proba.tolist()]
    assert model.predict(X).tolist() == expected
    depth = [0 if a == "unknown" else len(naive_path(TREE, a)) for a in expected]
    assert model.predict_depth(X).tolist() == depth


def test_flat_mode_sums_the_wrapped_probabilities():
    X, y = _data()
    model = HierarchicalClassifier(LogisticRegression(), TREE, threshold=0.0).fit(X, y)
    plain = LogisticRegression().fit(X, y)
    assert np.allclose(model.predict_proba(X), plain.predict_proba(X))
    assert (model.predict(X) == plain.predict(X)).all()
    nodes = model.node_proba(X)
    b = list(model.nodes_).index("B")
    assert np.allclose(nodes[:, b], plain.predict_proba(X)[:, 2:].sum(axis=1))


def test_local_mode_chains_one_model_per_parent():
    X, y = _data()
    model = HierarchicalClassifier(LogisticRegression(), TREE, mode="local").fit(X, y)
    assert set(model.estimators_) == {"A", "B", "B1"}
    top = model.root_estimator_.predict_proba(X)
    nodes = model.node_proba(X)
    assert np.allclose(nodes[:, :2], top)  # A and B are the first nodes


@pytest.mark.parametrize("mode", ["flat", "local"])
def test_model_file_round_trip(tmp_path, mode):
    from classical import load, save

    X, y = _data()
    model = HierarchicalClassifier(LogisticRegression(), TREE, mode=mode).fit(X, y)
    save(model, tmp_path / "model.skops")
    loaded = load(tmp_path / "model.skops")
    assert loaded.predict(X).tolist() == model.predict(X).tolist()


def test_no_hierarchy_is_a_reject_option():
    X, y = _data()
    model = HierarchicalClassifier(LogisticRegression(), threshold=0.8).fit(X, y)
    proba = model.predict_proba(X)
    expected = np.where(proba.max(axis=1) >= 0.8,
                        model.classes_[proba.argmax(axis=1)], "unknown")
    assert model.predict(X).tolist() == expected.tolist()


def test_integer_classes_keep_their_dtype_when_all_answers_are_leaves():
    X, y = _data()
    codes = np.searchsorted(LEAVES, y)
    tree = {"low": [0, 1], "high": [2, 3, 4]}
    model = HierarchicalClassifier(LogisticRegression(), tree, threshold=0.0)
    assert model.fit(X, codes).predict(X).dtype == codes.dtype
    model.set_params(threshold=0.999)
    assert "unknown" in model.predict(X).tolist()


# --- errors -------------------------------------------------------------------

@pytest.mark.parametrize("hierarchy, match", [
    ({"A": ["A1", "A2"], "B": ["B1", "B2"]},
     r"label\(s\) \['B1a', 'B1b'\] that are not in.*Add each"),
    ({"A": ["A1", "A2", "B2"], "B": ["B1", "B2"], "B1": ["B1a", "B1b"]},
     "'B2' is listed under both 'A' and 'B'"),
    ({"A": ["A1", "A2"], "B": ["B2"], "B1": ["B1a", "B1b", "X"], "X": ["B1"]},
     r"cycle through \['B1', 'B1a', 'B1b', 'X'\]"),
    ({"A": ["A1", "A2"], "B": [], "B1": ["B1a", "B1b", "B2"]},
     r"hierarchy\['B'\] has no"),
])
def test_bad_hierarchy(hierarchy, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        HierarchicalClassifier(LogisticRegression(), hierarchy).fit(X, y)


def test_a_label_of_y_unknown_to_the_hierarchy():
    X, y = _data()
    y[0] = "C"
    with pytest.raises(ValueError,
                       match=r"y has label\(s\) \['C'\] that are not in the"):
        HierarchicalClassifier(LogisticRegression(), TREE).fit(X, y)
    y[0] = "B1"
    with pytest.raises(ValueError, match=r"\['B1'\] that are parents in the hierarchy"):
        HierarchicalClassifier(LogisticRegression(), TREE).fit(X, y)


@pytest.mark.parametrize("threshold", [-0.1, 1.5])
def test_threshold_outside_unit_interval(threshold):
    X, y = _data()
    model = HierarchicalClassifier(LogisticRegression(), TREE, threshold=threshold)
    with pytest.raises(ValueError, match=r"'threshold' parameter .* \[0.0, 1.0\]"):
        model.fit(X, y)


def test_unknown_label_that_is_a_node():
    X, y = _data()
    with pytest.raises(ValueError, match="unknown_label='B' is a node"):
        HierarchicalClassifier(LogisticRegression(), TREE, unknown_label="B").fit(X, y)


@pytest.mark.parametrize("hierarchy, match", [
    (["A", "B"], "hierarchy must be a dict"),
    ({"A": "A1"}, r"hierarchy\['A'\] must be a list"),
])
def test_hierarchy_of_the_wrong_type(hierarchy, match):
    with pytest.raises(TypeError, match=match):
        ClassHierarchy(hierarchy)


def test_evaluation_rejects_labels_outside_the_tree():
    with pytest.raises(ValueError,
                       match=r"y_true has label\(s\) \['A'\] that are parents"):
        evaluate_hierarchy(["A"], ["A"], TREE)
    with pytest.raises(ValueError,
                       match=r"y_pred has label\(s\) \['Z'\] that are not in"):
        hierarchical_scores(["A1"], ["Z"], TREE)
    with pytest.raises(ValueError, match="same length; got 2 and 1"):
        hierarchical_scores(["A1", "A2"], ["A1"], TREE)


# --- scikit-learn's common checks -------------------------------------------

@parametrize_with_checks([HierarchicalClassifier(LogisticRegression(), threshold=0.0),
                          HierarchicalClassifier(LogisticRegression(), threshold=0.0,
                                                 mode="local")])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_wraps_a_preset_on_eurosat_images(eurosat_dir):
    """A preset taking images: summed probabilities, fallback to the parents."""
    from classical import make_pipeline
    from classical.datasets import load_images

    classes = ["Forest", "Pasture", "River", "SeaLake"]
    paths = [str(path) for name in classes
             for path in sorted((eurosat_dir / name).glob("*.jpg"))[:12]]
    images = load_images(paths, color="rgb").images
    labels = np.repeat(classes, 12)
    train = [i for i in range(len(images)) if i % 3]
    test = [image for i, image in enumerate(images) if not i % 3]
    tree = {"Vegetation": ["Forest", "Pasture"], "Water": ["River", "SeaLake"]}
    model = HierarchicalClassifier(make_pipeline("global-svm"), tree, threshold=0.6)
    model.fit([images[i] for i in train], labels[train])
    expected = [naive_descend(tree, dict(zip(model.classes_, row)), 0.6)
                for row in model.predict_proba(test).tolist()]
    assert model.predict(test).tolist() == expected
    assert np.allclose(model.node_proba(test)[:, :2].sum(axis=1), 1)


def test_local_mode_with_one_class_fits_no_model():
    model = HierarchicalClassifier(LogisticRegression(), {"P": ["a"]}, mode="local")
    model.fit(np.zeros((3, 2)), ["a"] * 3)
    assert model.predict(np.ones((2, 2))).tolist() == ["a", "a"]
    with pytest.raises(AttributeError, match="y had one class"):
        model.n_features_in_  # noqa: B018
