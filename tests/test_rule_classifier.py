"""RuleClassifier: the rule language, given rules, learned rules and error paths."""

import re

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

from classical.classifiers import RuleClassifier, parse_rule
from classical.classifiers._rule_syntax import Condition, Feature, Rule, format_rule

PIXEL_FEATURES = ["green_fraction", "exg_fraction", "bright_fraction",
                  "dark_fraction", "blue_fraction", "mean_brightness",
                  "mean_saturation"]
LAND_RULES = [
    "green_fraction > 0.6 -> vegetation",
    "blue_fraction > 0.3 and mean_brightness < 0.4 -> water",
    "bright_fraction >= 0.5 -> built-up",
]


def land_table():
    """A tiny table of pixel statistics, one row per image tile."""
    rng = np.random.default_rng(0)
    table = rng.uniform(0.0, 1.0, size=(200, len(PIXEL_FEATURES)))
    table[:4] = [
        [0.9, 0.5, 0.1, 0.1, 0.1, 0.3, 0.4],  # green
        [0.1, 0.0, 0.0, 0.6, 0.7, 0.2, 0.3],  # dark and blue
        [0.1, 0.0, 0.8, 0.0, 0.1, 0.8, 0.1],  # bright
        [0.1, 0.0, 0.2, 0.1, 0.1, 0.5, 0.2],  # none of them
    ]
    return table


def land_cover_by_hand(row):
    """The LAND_RULES written as plain Python, to check the classifier against."""
    values = dict(zip(PIXEL_FEATURES, row))
    if values["green_fraction"] > 0.6:
        return "vegetation"
    if values["blue_fraction"] > 0.3 and values["mean_brightness"] < 0.4:
        return "water"
    if values["bright_fraction"] >= 0.5:
        return "built-up"
    return "unknown"


# --------------------------------------------------------------------------
# Given rules.


def test_given_rules_classify_a_small_table():
    table = land_table()
    clf = RuleClassifier(rules=LAND_RULES, feature_names=PIXEL_FEATURES).fit(table)
    expected = [land_cover_by_hand(row) for row in table]
    np.testing.assert_array_equal(clf.predict(table), expected)
    assert clf.predict(table[:4]).tolist() == ["vegetation", "water", "built-up",
                                                "unknown"]
    np.testing.assert_array_equal(clf.classes_,
                                  ["built-up", "unknown", "vegetation", "water"])
    assert clf.default_ == "unknown"
    assert clf.rules_ == LAND_RULES


def test_first_matching_rule_wins():
    table = land_table()
    overlapping = ["green_fraction > 0.6 -> vegetation",
                   "green_fraction > 0.3 -> mixed"]
    predicted = RuleClassifier(rules=overlapping, default="bare",
                               feature_names=PIXEL_FEATURES).fit(table).predict(table)
    green = table[:, 0]
    expected = np.where(green > 0.6, "vegetation",
                        np.where(green > 0.3, "mixed", "bare"))
    np.testing.assert_array_equal(predicted, expected)


def test_structured_rules_equal_text_rules():
    table = land_table()
    structured = [
        ([("green_fraction", ">", 0.6)], "vegetation"),
        ([("blue_fraction", ">", 0.3), ("mean_brightness", "<", 0.4)], "water"),
        ((("bright_fraction", ">=", 0.5),), "built-up"),
    ]
    text = RuleClassifier(rules=LAND_RULES, feature_names=PIXEL_FEATURES).fit(table)
    tuples = RuleClassifier(rules=structured, feature_names=PIXEL_FEATURES).fit(table)
    np.testing.assert_array_equal(tuples.predict(table), text.predict(table))
    assert tuples.rules_ == text.rules_


def test_catch_all_rule_replaces_the_default():
    table = land_table()
    rules = LAND_RULES + ["other"]
    clf = RuleClassifier(rules=rules, feature_names=PIXEL_FEATURES).fit(table)
    assert clf.default_ == "other"
    assert "unknown" not in clf.classes_  # the default can no longer happen
    expected = [land_cover_by_hand(row).replace("unknown", "other") for row in table]
    np.testing.assert_array_equal(clf.predict(table), expected)
    arrow = RuleClassifier(rules=LAND_RULES + ["-> other"],
                           feature_names=PIXEL_FEATURES).fit(table)
    np.testing.assert_array_equal(arrow.predict(table), clf.predict(table))


def test_rules_in_a_pipeline_on_numpy_arrays():
    table = land_table()
    pipeline = make_pipeline(
        FunctionTransformer(),  # stands in for a feature extractor
        RuleClassifier(rules=LAND_RULES + ["other"], feature_names=PIXEL_FEATURES))
    predicted = pipeline.fit(table).predict(table)
    assert set(predicted) <= {"vegetation", "water", "built-up", "other"}
    np.testing.assert_array_equal(
        predicted, [land_cover_by_hand(r).replace("unknown", "other") for r in table])


def test_feature_comparisons_numbers_and_quoted_names():
    X = np.array([[0.1, 0.5, -2.0], [0.6, 0.2, 3e-3], [0.3, 0.3, -0.5]])
    rules = [
        "`near infrared` > red and red < 0.25 -> vegetation",  # feature vs feature
        "1e-3 < `x 2` -> bright",  # number on the left, scientific notation
        "`x 2` <= -1.5 -> shadow",
        "red == 0.3 and `near infrared` != 0.2 -> equal",
    ]
    clf = RuleClassifier(rules=rules, default="none",
                         feature_names=["red", "near infrared", "x 2"]).fit(X)
    red, nir, x2 = X.T
    expected = []
    for r, n, z in zip(red, nir, x2):
        if n > r and r < 0.25:
            expected.append("vegetation")
        elif 1e-3 < z:
            expected.append("bright")
        elif z <= -1.5:
            expected.append("shadow")
        elif r == 0.3 and n != 0.2:
            expected.append("equal")
        else:
            expected.append("none")
    np.testing.assert_array_equal(clf.predict(X), expected)
    assert clf.rules_[0] == "`near infrared` > red and red < 0.25 -> vegetation"


def test_default_feature_names_and_dataframe_columns():
    X = land_table()[:, :3]
    clf = RuleClassifier(rules=["x1 > 0.5 -> high"], default="low").fit(X)
    np.testing.assert_array_equal(clf.feature_names_, ["x0", "x1", "x2"])
    np.testing.assert_array_equal(clf.predict(X), np.where(X[:, 1] > 0.5, "high",
                                                           "low"))
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["green", "blue", "red"])
    clf = RuleClassifier(rules=["blue > 0.5 -> high"], default="low").fit(frame)
    np.testing.assert_array_equal(clf.feature_names_in_, ["green", "blue", "red"])
    np.testing.assert_array_equal(clf.predict(frame), np.where(X[:, 1] > 0.5, "high",
                                                               "low"))
    with pytest.raises(ValueError, match=r"feature_names \['a', 'b', 'c'\] differ "
                                         r"from the DataFrame's columns"):
        RuleClassifier(rules=["a > 0 -> x"], feature_names=["a", "b", "c"]).fit(frame)


def test_text_targets_stand_for_integer_classes_of_y():
    X = land_table()[:, :2]
    y = np.where(X[:, 0] > 0.5, 3, 1)
    clf = RuleClassifier(rules=["x0 > 0.5 -> 3", "1"]).fit(X, y)
    assert clf.classes_.dtype == y.dtype
    np.testing.assert_array_equal(clf.classes_, [1, 3])
    np.testing.assert_array_equal(clf.predict(X), y)
    assert clf.score(X, y) == 1.0


def test_classes_are_the_union_of_y_targets_and_default():
    X = land_table()[:, :2]
    y = np.where(X[:, 0] > 0.5, "a", "b")
    clf = RuleClassifier(rules=["x1 > 0.9 -> c"], default="d").fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c", "d"])
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 4)
    np.testing.assert_array_equal(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


def test_apply_gives_the_deciding_rule():
    table = land_table()
    clf = RuleClassifier(rules=LAND_RULES, feature_names=PIXEL_FEATURES).fit(table)
    np.testing.assert_array_equal(clf.apply(table[:4]), [0, 1, 2, 3])


# --------------------------------------------------------------------------
# The rule language.


@pytest.mark.parametrize("text", [
    "green_fraction > 0.6 -> vegetation",
    "blue_fraction > 0.3 and mean_brightness < 0.4 -> open water",
    "`band 4` >= -1.25 and x0 != 2 -> a",
    "0.5 < ndvi -> 3",
    "other",
    "-> x > y",
])
def test_canonical_text_parses_back_to_the_same_rule(text):
    rule = parse_rule(text)
    assert parse_rule(format_rule(rule)) == rule


def test_parse_rule_builds_the_structure():
    rule = parse_rule("blue_fraction>0.3 and mean_brightness<=4e-1->water")
    assert rule == Rule((Condition(Feature("blue_fraction"), ">", 0.3),
                         Condition(Feature("mean_brightness"), "<=", 0.4)), "water")


def caret_column(message):
    """Column the ``^`` points at, relative to the quoted rule above it."""
    lines = message.splitlines()
    return lines[-1].index("^") - 4, lines[-2][4:]


@pytest.mark.parametrize("text, token, match", [
    ("green_fraction >> 0.6 -> v", ">", "expected a feature name or a number"),
    ("green_fraction 0.6 -> v", "0.6", "expected a comparison"),
    ("a > 1 or b > 2 -> v", "or", "To say 'or', write one rule per alternative"),
    ("a > 1 and -> v", "->", "expected a feature name or a number, found the end"),
    ("a $ 1 -> v", "$", "unexpected character '\\$'"),
    ("__import__('os').system('ls') -> pwned", "(", "unexpected character"),
])
def test_syntax_errors_point_at_the_offending_token(text, token, match):
    with pytest.raises(ValueError, match=match) as error:
        parse_rule(text)
    column, shown = caret_column(str(error.value))
    assert shown == text
    assert text[column:].startswith(token)


@pytest.mark.parametrize("text, match", [
    ("a > 1 vegetation", "missing '-> <class>'"),
    ("a > 1 ->  ", "expected a class name after '->'"),
    ("", "missing '-> <class>'"),
    ("1 > 0.5 -> x", r"compares two numbers \(1 > 0.5\)"),
    ("`` > 1 -> x", "empty feature name"),
])
def test_malformed_rules_raise(text, match):
    with pytest.raises(ValueError, match=match):
        parse_rule(text)


@pytest.mark.parametrize("rule, error, match", [
    (([("a", "=>", 1)], "x"), ValueError, "unknown comparison '=>'"),
    (([("a", ">")], "x"), TypeError, "each condition must be a .left, op, right."),
    (("a > 1", "x"), TypeError, "conditions of a structured rule must be a sequ"),
    (([("a", ">", None)], "x"), TypeError, "a feature name .str. or a number; got N"),
    (([("a", ">", float("inf"))], "x"), ValueError, "use finite numbers"),
    (([(1, "<", 2)], "x"), ValueError, "compares two numbers"),
    (42, TypeError, "must be a string such as"),
])
def test_malformed_structured_rules_raise(rule, error, match):
    with pytest.raises(error, match=match):
        parse_rule(rule)


# --------------------------------------------------------------------------
# Learned rules.


def test_learned_rules_reproduce_the_tree_and_read_back():
    X, y = load_iris(return_X_y=True)
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    clf = RuleClassifier(feature_names=names, max_depth=3, random_state=0).fit(X, y)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), tree.predict(X))
    assert all(" -> " in rule for rule in clf.rules_)
    numbers = re.findall(r"[<>]=? (-?[\d.]+)", " ".join(clf.rules_))
    assert numbers and all(len(n.split(".")[-1]) <= 2 for n in numbers)  # short
    rewritten = RuleClassifier(rules=clf.rules_ + [str(clf.default_)],
                               feature_names=names).fit(X, y)
    np.testing.assert_array_equal(rewritten.predict(X), clf.predict(X))
    np.testing.assert_array_equal(rewritten.classes_, clf.classes_)


def test_learned_rules_with_one_class_are_only_the_default():
    X = land_table()[:, :3]
    clf = RuleClassifier().fit(X, ["water"] * len(X))
    assert clf.rules_ == []
    assert clf.default_ == "water"
    assert (clf.predict(X) == "water").all()


def test_learned_rule_count_grows_with_depth():
    X, y = load_iris(return_X_y=True)
    shallow = RuleClassifier(max_depth=1, random_state=0).fit(X, y)
    deep = RuleClassifier(max_depth=4, random_state=0).fit(X, y)
    assert len(shallow.rules_) == 1  # two leaves, one becomes the default
    assert len(deep.rules_) > len(shallow.rules_)
    assert deep.score(X, y) >= shallow.score(X, y)


# --------------------------------------------------------------------------
# Error paths of fit.


def test_unknown_feature_names_the_known_ones():
    table = land_table()
    with pytest.raises(ValueError, match=(
            r"rules\[1\] .* uses unknown feature 'gren_fraction'\. Did you mean "
            r"'green_fraction'\? Known features: \['green_fraction', 'exg_fraction'")):
        RuleClassifier(rules=["blue_fraction > 0.5 -> water",
                              "gren_fraction > 0.6 -> vegetation"],
                       feature_names=PIXEL_FEATURES).fit(table)


def test_syntax_error_in_fit_names_the_rule():
    with pytest.raises(ValueError, match=r"rules\[0\] .* has a syntax error"):
        RuleClassifier(rules=["x0 >> 1 -> a"]).fit(land_table())


def test_catch_all_before_the_end_raises():
    with pytest.raises(ValueError, match=r"rules\[0\] \('other'\) is a catch-all.*"
                                         r"Put the catch-all last"):
        RuleClassifier(rules=["other", "x0 > 0.5 -> a"]).fit(land_table())


def test_mixed_text_and_number_labels_raise():
    X = land_table()[:, :2]
    with pytest.raises(TypeError, match=(
            "must all be text or all numbers.*mix them: 'unknown', 0, 1.*default=-1")):
        RuleClassifier(rules=["x0 > 0.5 -> 1"]).fit(X, np.where(X[:, 0] > 0.5, 1, 0))


@pytest.mark.parametrize("names, error, match", [
    (["a", "b"], ValueError, "feature_names has 2 names but X has 7 features"),
    (["a"] * 7, ValueError, r"feature_names must be unique; repeated: \['a'\]"),
    ([1, 2, 3, 4, 5, 6, 7], TypeError, "feature_names must be non-empty strings"),
])
def test_bad_feature_names_raise(names, error, match):
    with pytest.raises(error, match=match):
        RuleClassifier(rules=["a > 1 -> x"], feature_names=names).fit(land_table())


def test_learning_without_y_raises():
    with pytest.raises(ValueError, match="requires y to be passed"):
        RuleClassifier().fit(land_table())


@pytest.mark.parametrize("params, match", [
    ({"rules": "x0 > 1 -> a"}, "'rules' parameter"),
    ({"max_depth": 0}, "'max_depth' parameter"),
    ({"default": None}, "'default' parameter"),
])
def test_invalid_parameters_raise(params, match):
    X = land_table()
    with pytest.raises(InvalidParameterError, match=match):
        RuleClassifier(**params).fit(X, X[:, 0] > 0.5)


def test_learned_rules_merge_sibling_leaves_of_one_class():
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(400, 2))
    y = np.where(X[:, 0] > 0.3, "b", "a")
    # a few "b" in the corner x1 > 0.9 make the tree split the "a" region in two
    # leaves that both still predict "a"
    corner = (X[:, 0] <= 0.3) & (X[:, 1] > 0.9)
    y[np.flatnonzero(corner)[::3]] = "b"
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    assert tree.get_n_leaves() == 3  # the "a" region was split in two leaves
    model = RuleClassifier(max_depth=2, random_state=0,
                           feature_names=["x0", "x1"]).fit(X, y)
    assert model.default_ == "b"
    assert len(model.rules_) == 1 and model.rules_[0].endswith("-> a")
    assert " and " not in model.rules_[0]
    np.testing.assert_array_equal(model.predict(X), tree.predict(X))
