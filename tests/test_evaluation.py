"""Tests for classical.evaluation: every number against sklearn.metrics."""

import json
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn import metrics  # noqa: E402
from sklearn.utils.multiclass import unique_labels  # noqa: E402

from classical.evaluation import Report, evaluate  # noqa: E402

TO_DICT_KEYS = {
    "accuracy", "balanced_accuracy", "kappa", "macro_precision", "macro_recall",
    "macro_f1", "weighted_precision", "weighted_recall", "weighted_f1", "per_class",
    "confusion_matrix", "labels", "producers_accuracy", "users_accuracy", "n_samples",
    "majority_class", "majority_baseline", "warnings",
}


def _noisy_predictions(rng, y_true, classes, error_rate):
    y_pred = y_true.copy()
    wrong = rng.random(y_true.shape[0]) < error_rate
    y_pred[wrong] = rng.choice(classes, size=wrong.sum())
    return y_pred


def _random_case(kind, seed=0):
    rng = np.random.default_rng(seed)
    n = 300
    if kind == "int":
        classes = np.array([3, 7, 11, 20, 42])
        y_true = rng.choice(classes, size=n)
        return y_true, _noisy_predictions(rng, y_true, classes, 0.4)
    if kind == "str":
        classes = np.array(["forest", "river", "urban", "crop"])
        y_true = rng.choice(classes, size=n)
        return y_true, _noisy_predictions(rng, y_true, classes, 0.3)
    if kind == "imbalanced":
        classes = np.arange(6)
        y_true = rng.choice(classes, size=n, p=[0.6, 0.25, 0.08, 0.04, 0.02, 0.01])
        return y_true, _noisy_predictions(rng, y_true, classes, 0.25)
    if kind == "absent_from_pred":
        # Classes 4 and 5 are never predicted: precision 0/0 -> 0.
        classes = np.arange(6)
        y_true = rng.choice(classes, size=n)
        return y_true, _noisy_predictions(rng, y_true, classes[:4], 0.5) % 4
    if kind == "binary":
        y_true = rng.integers(0, 2, size=n)
        return y_true, _noisy_predictions(rng, y_true, np.arange(2), 0.3)
    raise AssertionError(kind)


def assert_matches_sklearn(report, y_true, y_pred):
    labels = report.labels
    assessed = report.assessed_labels
    prfs = metrics.precision_recall_fscore_support
    close = np.testing.assert_allclose

    assert report.n_samples == len(y_true)
    np.testing.assert_array_equal(
        report.confusion_matrix, metrics.confusion_matrix(y_true, y_pred, labels=labels)
    )
    for normalize in ("true", "pred", "all"):
        close(report.confusion(normalize),
              metrics.confusion_matrix(y_true, y_pred, labels=labels,
                                       normalize=normalize),
              rtol=1e-12)
    close(report.accuracy, metrics.accuracy_score(y_true, y_pred), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
        close(report.balanced_accuracy,
              metrics.balanced_accuracy_score(y_true, y_pred), rtol=1e-12)
    close(report.kappa, metrics.cohen_kappa_score(y_true, y_pred, labels=labels),
          rtol=1e-12)

    precision, recall, f1, support = prfs(y_true, y_pred, labels=labels,
                                          zero_division=0)
    close(report.precision, precision, rtol=1e-12)
    close(report.recall, recall, rtol=1e-12)
    close(report.f1, f1, rtol=1e-12)
    np.testing.assert_array_equal(report.support, support)

    macro = prfs(y_true, y_pred, labels=assessed, average="macro", zero_division=0)
    close([report.macro_precision, report.macro_recall, report.macro_f1], macro[:3],
          rtol=1e-12)
    weighted = prfs(y_true, y_pred, labels=labels, average="weighted", zero_division=0)
    close([report.weighted_precision, report.weighted_recall, report.weighted_f1],
          weighted[:3], rtol=1e-12)

    defined = support > 0
    close(report.producers_accuracy[defined], recall[defined], rtol=1e-12)
    assert np.isnan(report.producers_accuracy[~defined]).all()
    predicted = report.confusion_matrix.sum(axis=0) > 0
    close(report.users_accuracy[predicted], precision[predicted], rtol=1e-12)
    assert np.isnan(report.users_accuracy[~predicted]).all()


@pytest.mark.parametrize("kind", ["int", "str", "imbalanced", "absent_from_pred",
                                  "binary"])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_sklearn_on_random_labels(kind, seed):
    y_true, y_pred = _random_case(kind, seed)
    report = evaluate(y_true, y_pred)
    assert report.labels == unique_labels(y_true, y_pred).tolist()
    # In the normal case every label has reference samples, so the macro
    # scores are sklearn's with the full label list.
    assert report.assessed_labels == report.labels
    macro = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=report.labels, average="macro", zero_division=0)
    np.testing.assert_allclose(
        [report.macro_precision, report.macro_recall, report.macro_f1], macro[:3],
        rtol=1e-12)
    assert_matches_sklearn(report, y_true, y_pred)


def test_accepts_lists_and_explicit_label_order():
    y_true, y_pred = _random_case("str")
    order = ["urban", "crop", "river", "forest"]
    report = evaluate(list(y_true), list(y_pred), labels=order)
    assert report.labels == order
    assert_matches_sklearn(report, y_true, y_pred)


def test_label_absent_from_both_inputs_is_a_row_but_not_averaged():
    y_true, y_pred = _random_case("int")
    labels = [3, 7, 11, 20, 42, 99]
    report = evaluate(y_true, y_pred, labels=labels)
    assert report.confusion_matrix.shape == (6, 6)
    assert not report.confusion_matrix[-1].any()
    assert not report.confusion_matrix[:, -1].any()
    assert report.assessed_labels == labels[:-1]
    assert_matches_sklearn(report, y_true, y_pred)


@pytest.mark.parametrize("reject", [-1, "unknown"])
def test_reject_label_counts_as_error_but_is_not_a_class(reject):
    rng = np.random.default_rng(3)
    if isinstance(reject, str):
        y_true = rng.choice(np.array(["a", "b", "c"], dtype="<U7"), size=200)
    else:
        y_true = rng.choice(np.array([0, 1, 2]), size=200)
    y_pred = y_true.copy()
    rejected = rng.random(200) < 0.2
    y_pred[rejected] = reject
    report = evaluate(y_true, y_pred)

    assert reject in report.labels
    assert reject not in report.assessed_labels
    column = report.labels.index(reject)
    assert report.confusion_matrix[:, column].sum() == rejected.sum()
    assert not report.confusion_matrix[column].any()
    assert report.accuracy == pytest.approx(1 - rejected.mean())
    # Every non-rejected prediction is right, so each class's recall is its
    # share of non-rejected samples and the macro recall averages only those.
    classes = [label for label in report.labels if label != reject]
    expected = [np.mean(~rejected[y_true == c]) for c in classes]
    assert report.macro_recall == pytest.approx(np.mean(expected))
    assert report.balanced_accuracy == report.macro_recall
    assert report.users_accuracy[column] == 0.0
    assert np.isnan(report.producers_accuracy[column])
    with pytest.warns(UserWarning, match="y_pred contains classes not in y_true"):
        sklearn_balanced = metrics.balanced_accuracy_score(y_true, y_pred)
    assert report.balanced_accuracy == pytest.approx(sklearn_balanced, rel=1e-12)
    assert_matches_sklearn(report, y_true, y_pred)


def test_string_reject_label_with_integer_classes():
    y_true = np.array([0, 1, 2, 2, 1, 0], dtype=object)
    y_pred = np.array([0, "unknown", 2, 1, 1, "unknown"], dtype=object)
    report = evaluate(y_true, y_pred)
    assert report.labels == [0, 1, 2, "unknown"]
    assert report.assessed_labels == [0, 1, 2]
    assert report.accuracy == pytest.approx(3 / 6)
    np.testing.assert_array_equal(report.confusion_matrix[:, 3], [1, 1, 0, 0])
    assert report.macro_recall == pytest.approx(np.mean([1 / 2, 1 / 2, 1 / 2]))
    json.dumps(report.to_dict())


def test_kappa_undefined_is_nan_like_sklearn():
    y = np.zeros(5, dtype=int)
    report = evaluate(y, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns that kappa is undefined
        expected = metrics.cohen_kappa_score(y, y)
    assert np.isnan(expected) and np.isnan(report.kappa)
    assert report.accuracy == 1.0
    assert report.to_dict()["kappa"] is None


def test_report_from_confusion_matrix_equals_evaluate():
    y_true, y_pred = _random_case("imbalanced")
    report = evaluate(y_true, y_pred)
    rebuilt = Report(report.confusion_matrix.tolist(), report.labels)
    assert rebuilt.to_dict() == report.to_dict()
    assert Report(report.confusion_matrix.astype(float), report.labels).kappa == \
        report.kappa


def test_to_dict_is_plain_json_and_round_trips(tmp_path):
    y_true, y_pred = _random_case("int")
    report = evaluate(y_true.astype(np.int32), y_pred.astype(np.int32))
    data = report.to_dict()
    assert set(data) == TO_DICT_KEYS
    assert json.loads(json.dumps(data)) == data
    assert json.loads(report.to_json()) == data
    assert report.to_json(tmp_path / "report.json") is None
    assert json.loads((tmp_path / "report.json").read_text()) == data

    assert data["labels"] == [3, 7, 11, 20, 42]
    assert all(type(label) is int for label in data["labels"])
    assert list(data["per_class"]) == ["3", "7", "11", "20", "42"]
    assert set(data["per_class"]["7"]) == {"precision", "recall", "f1", "support"}
    assert type(data["per_class"]["7"]["support"]) is int
    assert type(data["n_samples"]) is int and type(data["accuracy"]) is float
    assert data["confusion_matrix"] == report.confusion_matrix.tolist()
    assert data["producers_accuracy"]["7"] == report.recall[1]
    assert data["users_accuracy"]["7"] == report.precision[1]


def test_markdown_has_summary_per_class_rows_and_matrix():
    y_true, y_pred = _random_case("str")
    y_pred = y_pred.astype(object)
    y_pred[:5] = "unknown"
    report = evaluate(y_true, y_pred)
    text = report.to_markdown()
    assert report._repr_markdown_() == text
    for heading in ("## Summary", "## Per class", "## Confusion matrix"):
        assert heading in text
    assert f"| Overall accuracy | {report.accuracy:.4f} |" in text
    lines = text.splitlines()
    for i, label in enumerate(report.labels):
        row = [line for line in lines if line.startswith(f"| {label} |")]
        assert len(row) == 1
        assert row[0].endswith(f"| {report.support[i]} |")
        assert f"| **{label}** |" in text
    assert "Producer's accuracy" in text and "User's accuracy" in text
    assert "not in macro averages): unknown." in text
    assert "| **Total** |" in text
    assert "n/a" in text  # producer's accuracy of the reject label


def test_markdown_escapes_pipes_in_labels():
    report = evaluate(["a|b", "c"], ["a|b", "c"])
    assert "| a\\|b |" in report.to_markdown()


def test_repr_is_short():
    report = evaluate([0, 1, 1], [0, 1, 0])
    text = repr(report)
    assert text.startswith("Report(n_samples=3, n_labels=2, accuracy=0.6667")
    assert "\n" not in text and len(text) < 120


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_plot_confusion_draws_one_cell_and_text_per_entry(normalize):
    y_true, y_pred = _random_case("str")
    report = evaluate(y_true, y_pred)
    k = len(report.labels)
    ax = report.plot_confusion(normalize=normalize)
    try:
        assert len(ax.images) == 1
        np.testing.assert_allclose(ax.images[0].get_array(),
                                   report.confusion(normalize))
        assert len(ax.texts) == k * k
        first = ax.texts[0].get_text()
        if normalize is None:
            assert first == str(report.confusion_matrix[0, 0])
        else:
            assert first == f"{report.confusion(normalize)[0, 0]:.2f}"
        assert [t.get_text() for t in ax.get_xticklabels()] == report.labels
        assert ax.get_xlabel() == "Predicted label"
    finally:
        plt.close(ax.figure)


def test_plot_confusion_on_given_axes_without_values():
    report = evaluate([0, 1, 2, 2], [0, 2, 2, 1])
    figure, ax = plt.subplots()
    try:
        assert report.plot_confusion(ax=ax, values=False, cmap="viridis") is ax
        assert len(ax.texts) == 0
        assert ax.images[0].get_cmap().name == "viridis"
    finally:
        plt.close(figure)


def test_save_confusion_writes_png(tmp_path):
    report = evaluate(*_random_case("int"))
    before = plt.get_fignums()
    path = report.save_confusion(tmp_path / "cm.png", normalize="true")
    assert path == tmp_path / "cm.png"
    content = path.read_bytes()
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) > 1000
    assert plt.get_fignums() == before  # no pyplot figure left open


def test_save_confusion_rejects_ax(tmp_path):
    report = evaluate([0, 1], [0, 1])
    with pytest.raises(TypeError, match="takes no 'ax'"):
        report.save_confusion(tmp_path / "cm.png", ax=None)


@pytest.mark.parametrize(
    "y_true, y_pred, kwargs, match",
    [
        ([0, 1, 2], [0, 1], {}, "same length; got 3 and 2"),
        ([], [], {}, "empty"),
        (np.zeros((3, 2)), np.zeros((3, 2)), {}, r"y_true must be a 1-D.*\(3, 2\)"),
        ([0, 1], 1, {}, r"y_pred must be a 1-D.*got shape \(\)"),
        ([0.0, np.nan], [0.0, 1.0], {}, "y_true contains NaN"),
        ([0, 1], [0, 2], {"labels": [0, 1]}, r"missing \[2\]"),
        ([0, 1], [0, 1], {"labels": [0, 1, 1]}, r"repeated: \[1\]"),
        ([0, 1], [0, 1], {"labels": []}, "labels must be a non-empty 1-D"),
        (np.array([1, 2]), np.array(["1", "2"]), {},
         "mix the string '1' with the number 1"),
    ],
)
def test_invalid_inputs(y_true, y_pred, kwargs, match):
    with pytest.raises(ValueError, match=match):
        evaluate(y_true, y_pred, **kwargs)


def test_invalid_normalize_lists_options():
    report = evaluate([0, 1], [0, 1])
    with pytest.raises(ValueError, match=r"normalize must be one of \[None, 'true'"):
        report.confusion("rows")
    with pytest.raises(ValueError, match="got 'rows'"):
        report.plot_confusion(normalize="rows")


@pytest.mark.parametrize(
    "matrix, labels, error, match",
    [
        ([[1, 2, 3]], [0], ValueError, r"square 2-D array; got shape \(1, 3\)"),
        ([[1, -1], [0, 1]], [0, 1], ValueError, "negative counts"),
        ([[1.5, 0], [0, 1]], [0, 1], TypeError, "whole-number counts"),
        ([["a", "b"], ["c", "d"]], [0, 1], TypeError, "whole-number counts"),
        ([[1, 0], [0, 1]], [0, 1, 2], ValueError, "one entry per row"),
        ([[0, 0], [0, 0]], [0, 1], ValueError, "all zeros"),
    ],
)
def test_invalid_report_matrix(matrix, labels, error, match):
    with pytest.raises(error, match=match):
        Report(matrix, labels)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_report_from_matrix_matches_sklearn_on_the_expanded_samples(seed):
    # Report(matrix) hands scikit-learn one weighted sample per cell; the
    # numbers must equal scikit-learn's on the samples the matrix counts.
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, 400, size=(6, 6)) * (rng.random((6, 6)) < 0.7)
    matrix[4] = 0  # a label without reference samples
    matrix[:, 5] = 0  # a label never predicted
    matrix[0, 0] += 1
    rows, columns = np.nonzero(matrix)
    counts = matrix[rows, columns]
    y_true, y_pred = np.repeat(rows, counts), np.repeat(columns, counts)
    report = Report(matrix, list(range(6)))
    assert_matches_sklearn(report, y_true, y_pred)


@pytest.mark.parametrize(
    "y_true, y_pred",
    [([0, 0, 0], [1, 1, 1]),  # disjoint labels: kappa 0, defined
     ([0, 0, 1], [0, 0, 0]),
     ([2, 2], [2, 2])],  # one label throughout: undefined
)
def test_kappa_edge_cases_match_sklearn(y_true, y_pred):
    report = evaluate(y_true, y_pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = metrics.cohen_kappa_score(y_true, y_pred, labels=report.labels)
    np.testing.assert_allclose(report.kappa, expected, rtol=1e-12)


def test_plot_confusion_matches_confusion_matrix_display():
    y_true, y_pred = _random_case("int")
    report = evaluate(y_true, y_pred)
    ax = report.plot_confusion(normalize="true", cmap="viridis")
    display = metrics.ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=report.labels, normalize="true", cmap="viridis",
        values_format=".2f")
    try:
        np.testing.assert_allclose(ax.images[0].get_array(),
                                   display.im_.get_array(), rtol=1e-12)
        assert [t.get_text() for t in ax.texts] == \
            [t.get_text() for t in display.text_.ravel()]
        assert ax.images[0].get_clim() == (0, 1.0)
        assert ax.get_ylabel() == "Reference label"
    finally:
        plt.close(ax.figure)
        plt.close(display.figure_)


# ------------------------------------------------- majority baseline, warning
def test_majority_baseline_is_the_most_frequent_dummy_accuracy():
    from sklearn.dummy import DummyClassifier

    y_true, y_pred = _random_case("imbalanced", seed=2)
    report = evaluate(y_true, y_pred)
    X = np.zeros((len(y_true), 1))
    dummy = DummyClassifier(strategy="most_frequent").fit(X, y_true)
    assert report.majority_class == dummy.predict(X[:1])[0]
    assert report.majority_baseline == pytest.approx(dummy.score(X, y_true),
                                                     rel=1e-12)
    data = report.to_dict()
    assert data["majority_class"] == report.majority_class
    assert data["majority_baseline"] == report.majority_baseline


def test_majority_class_tie_takes_the_first_in_label_order():
    report = evaluate(["b", "a", "b", "a"], ["a", "a", "b", "b"], labels=["b", "a"])
    assert report.majority_class == "b" and report.majority_baseline == 0.5


def test_warning_fires_on_a_majority_only_predictor():
    y_true, _ = _random_case("imbalanced", seed=0)
    majority = np.bincount(y_true).argmax()
    report = evaluate(y_true, np.full_like(y_true, majority))
    assert report.accuracy == report.majority_baseline > 0.5
    assert report.balanced_accuracy == pytest.approx(1 / 6)
    assert len(report.warnings) == 1
    message = report.warnings[0]
    assert message.startswith(f"accuracy {report.accuracy:.4f} is no better than "
                              f"always answering the majority class '{majority}' "
                              f"({report.majority_baseline:.4f})")
    assert "balanced accuracy" in message
    assert report.to_dict()["warnings"] == [message]
    assert f"**Warning: {message}.**" in report.to_markdown()


def test_warning_fires_at_equality_and_not_above():
    at_baseline = evaluate([0, 0, 0, 1], [0, 0, 1, 1])
    assert at_baseline.accuracy == at_baseline.majority_baseline == 0.75
    assert len(at_baseline.warnings) == 1
    above = evaluate([0, 0, 0, 1], [0, 0, 0, 1])
    assert above.warnings == []


def test_no_warning_for_a_good_predictor_on_imbalanced_data():
    rng = np.random.default_rng(1)
    y_true = rng.choice(np.arange(6), size=300, p=[0.6, 0.25, 0.08, 0.04, 0.02, 0.01])
    y_pred = _noisy_predictions(rng, y_true, np.arange(6), 0.1)
    report = evaluate(y_true, y_pred)
    assert report.accuracy > report.majority_baseline
    assert report.warnings == []
    assert report.to_dict()["warnings"] == []
    assert "**Warning" not in report.to_markdown()


def test_markdown_summary_shows_balanced_accuracy_and_baseline_beside_accuracy():
    y_true, y_pred = _random_case("str", seed=1)
    report = evaluate(y_true, y_pred)
    lines = report.to_markdown().splitlines()
    start = lines.index(f"| Overall accuracy | {report.accuracy:.4f} |")
    assert lines[start + 1] == \
        f"| Balanced accuracy | {report.balanced_accuracy:.4f} |"
    assert lines[start + 2] == (f"| Majority baseline | {report.majority_baseline:.4f}"
                                f" (always {report.majority_class}) |")


# ------------------------------------------------------------------ rejection
def _rejected_case(kind, seed):
    """Random labels, noisy predictions, about a fifth of them rejected."""
    rng = np.random.default_rng(seed)
    if kind == "str":
        classes, unknown = np.array(["crop", "forest", "river", "urban"]), "unknown"
        y_pred = np.empty(400, dtype=object)
    elif kind == "mixed":
        classes, unknown = np.array([0, 1, 2]), "unknown"
        y_pred = np.empty(400, dtype=object)
    else:
        classes, unknown = np.array([3, 7, 11, 20, 42]), -1
        y_pred = np.empty(400, dtype=np.int64)
    y_true = rng.choice(classes, size=400, p=np.linspace(1, 3, len(classes)) /
                        np.linspace(1, 3, len(classes)).sum())
    y_pred[:] = _noisy_predictions(rng, y_true, classes, 0.3)
    # rejections are likelier for the first class, so the rates differ
    rejected = rng.random(400) < np.where(y_true == classes[0], 0.5, 0.15)
    y_pred[rejected] = unknown
    return y_true, y_pred, unknown


@pytest.mark.parametrize("kind", ["int", "str", "mixed"])
@pytest.mark.parametrize("seed", [0, 1])
def test_rejection_figures_match_label_arithmetic(kind, seed):
    y_true, y_pred, unknown = _rejected_case(kind, seed)
    report = evaluate(y_true, y_pred, unknown_label=unknown)
    answered = np.array([p != unknown for p in y_pred])
    right = np.array([t == p for t, p in zip(y_true, y_pred)])
    assert report.unknown_label == unknown
    assert report.coverage == pytest.approx(answered.mean(), rel=1e-12)
    assert report.answered_accuracy == pytest.approx(right[answered].mean(),
                                                     rel=1e-12)
    classes = sorted(set(y_true.tolist()), key=str)
    assert sorted(report.unknown_rate, key=str) == classes
    assert list(report.unknown_rate) == report.assessed_labels
    for label, rate in report.unknown_rate.items():
        of_class = y_true == label
        assert rate == pytest.approx(np.mean(~answered[of_class]), rel=1e-12)
    # the rejected still count as errors in the ordinary figures
    assert report.accuracy == pytest.approx(right.mean(), rel=1e-12)
    assert unknown not in report.assessed_labels


def test_rejection_in_json_and_markdown():
    y_true, y_pred, unknown = _rejected_case("str", 3)
    report = evaluate(y_true, y_pred, unknown_label=unknown)
    data = json.loads(report.to_json())
    assert set(data) == TO_DICT_KEYS | {"rejection"}
    assert data["rejection"] == {
        "unknown_label": "unknown",
        "coverage": report.coverage,
        "answered_accuracy": report.answered_accuracy,
        "unknown_rate": {str(k): v for k, v in report.unknown_rate.items()},
    }
    text = report.to_markdown()
    assert "## Rejection" in text
    assert text.index("## Summary") < text.index("## Rejection") < \
        text.index("## Per class")
    assert f"| Coverage (share answered) | {report.coverage:.4f} |" in text
    assert f"| Accuracy on answered | {report.answered_accuracy:.4f} |" in text
    for label, rate in report.unknown_rate.items():
        support = report.support[report.labels.index(label)]
        assert f"| {label} | {rate:.4f} | {support} |" in text


def test_without_unknown_label_nothing_about_rejection():
    y_true, y_pred, _ = _rejected_case("str", 4)
    report = evaluate(y_true, y_pred)
    assert report.unknown_label is None
    assert report.coverage is None and report.answered_accuracy is None
    assert report.unknown_rate is None
    assert "rejection" not in report.to_dict()
    assert "Rejection" not in report.to_markdown()


def test_unknown_label_never_predicted_means_full_coverage():
    y_true, y_pred = _random_case("str", seed=2)
    report = evaluate(y_true, y_pred, unknown_label="unknown")
    assert "unknown" not in report.labels
    assert report.coverage == 1.0
    assert report.answered_accuracy == report.accuracy
    assert set(report.unknown_rate.values()) == {0.0}
    assert report.to_dict()["rejection"]["coverage"] == 1.0


def test_everything_rejected_leaves_answered_accuracy_undefined():
    report = evaluate([0, 1, 1], [-1, -1, -1], unknown_label=np.int64(-1))
    assert report.unknown_label == -1 and type(report.unknown_label) is int
    assert report.coverage == 0.0
    assert np.isnan(report.answered_accuracy)
    assert report.unknown_rate == {0: 1.0, 1: 1.0}
    assert report.to_dict()["rejection"]["answered_accuracy"] is None
    assert "| Accuracy on answered | n/a |" in report.to_markdown()


def test_report_from_matrix_with_unknown_label_equals_evaluate():
    y_true, y_pred, unknown = _rejected_case("int", 5)
    report = evaluate(y_true, y_pred, unknown_label=unknown)
    rebuilt = Report(report.confusion_matrix, report.labels, unknown_label=unknown)
    assert rebuilt.to_dict() == report.to_dict()


def test_unknown_label_in_y_true_is_an_error():
    with pytest.raises(ValueError, match=r"unknown_label 'unknown' occurs 1 times "
                                         r"in y_true.*not a class"):
        evaluate(["a", "unknown", "b"], ["a", "unknown", "a"], unknown_label="unknown")
    with pytest.raises(ValueError, match=r"unknown_label -1 occurs 4 times"):
        Report([[3, 1], [0, 2]], [-1, 0], unknown_label=-1)


def test_unknown_label_of_another_type_than_the_labels_is_an_error():
    with pytest.raises(ValueError, match=r"unknown_label '-1' is not among the "
                                         r"labels, but -1 is.*unknown_label=-1\)"):
        evaluate([0, 1, 1], [0, -1, 1], unknown_label="-1")
