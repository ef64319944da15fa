"""Tests for classical.evaluation's risk-coverage curve, against a plain NumPy twin."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from classical.evaluation import (  # noqa: E402
    evaluate,
    plot_risk_coverage,
    risk_coverage_curve,
)


def naive_risk_coverage(y_true, y_pred, confidence):
    """One threshold per distinct confidence, highest first, by masking."""
    y_true = list(y_true)
    y_pred = list(y_pred)
    confidence = np.asarray(confidence, dtype=np.float64)
    coverage, risk, thresholds = [], [], []
    for threshold in sorted(set(confidence.tolist()), reverse=True):
        answered = np.flatnonzero(confidence >= threshold)
        wrong = sum(y_true[i] != y_pred[i] for i in answered)
        coverage.append(len(answered) / len(y_true))
        risk.append(wrong / len(answered))
        thresholds.append(threshold)
    return np.array(coverage), np.array(risk), np.array(thresholds)


def naive_aurc(y_true, y_pred, confidence):
    """Area under the step curve: each sample's coverage step times its risk."""
    coverage, risk, _ = naive_risk_coverage(y_true, y_pred, confidence)
    previous = np.concatenate([[0.0], coverage[:-1]])
    return float(np.sum(risk * (coverage - previous)))


def _case(kind, seed=0, n=400):
    rng = np.random.default_rng(seed)
    if kind == "str":
        classes = np.array(["forest", "river", "urban"])
    elif kind == "mixed":
        classes = np.array([0, 1, "other"], dtype=object)
    else:
        classes = np.array([3, 7, 11, 20])
    y_true = rng.choice(classes, size=n)
    confidence = rng.random(n)
    # errors are likelier at low confidence, as for a useful classifier
    wrong = rng.random(n) > confidence
    y_pred = y_true.copy()
    y_pred[wrong] = rng.choice(classes, size=wrong.sum())
    if kind == "ties":
        confidence = np.round(confidence, 1)
    return y_true, y_pred, confidence


@pytest.mark.parametrize("kind", ["int", "str", "mixed", "ties"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_naive_twin(kind, seed):
    y_true, y_pred, confidence = _case(kind, seed)
    got = risk_coverage_curve(y_true, y_pred, confidence)
    expected = naive_risk_coverage(y_true, y_pred, confidence)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    coverage, risk, thresholds = got
    assert coverage[-1] == 1.0
    assert np.all(np.diff(coverage) > 0) and np.all(np.diff(thresholds) < 0)
    np.testing.assert_allclose(risk[-1], np.mean(y_true != y_pred), rtol=1e-12)


def test_ties_enter_together_and_order_does_not_matter():
    y_true, y_pred, confidence = _case("ties", seed=4)
    coverage, risk, thresholds = risk_coverage_curve(y_true, y_pred, confidence)
    distinct = np.unique(confidence)
    assert len(thresholds) == len(distinct)
    # each step adds exactly the samples tied at its threshold
    counts = np.diff(np.concatenate([[0], np.rint(coverage * len(y_true))]))
    np.testing.assert_array_equal(
        counts, [np.sum(confidence == t) for t in thresholds])
    order = np.random.default_rng(0).permutation(len(y_true))
    shuffled = risk_coverage_curve(y_true[order], y_pred[order], confidence[order])
    for a, b in zip(shuffled, (coverage, risk, thresholds)):
        np.testing.assert_array_equal(a, b)


def test_one_confidence_throughout_is_one_point():
    coverage, risk, thresholds = risk_coverage_curve(
        [0, 1, 1, 0], [0, 1, 0, 0], np.full(4, 0.5))
    np.testing.assert_array_equal(coverage, [1.0])
    np.testing.assert_array_equal(risk, [0.25])
    np.testing.assert_array_equal(thresholds, [0.5])


def test_each_point_is_what_evaluate_reports_for_that_threshold():
    # Rejecting below thresholds[k] must give coverage[k] and risk[k] as the
    # report's coverage and 1 - answered accuracy.
    y_true, y_pred, confidence = _case("ties", seed=5)
    coverage, risk, thresholds = risk_coverage_curve(y_true, y_pred, confidence)
    for k in range(0, len(thresholds), 3):
        answers = np.where(confidence >= thresholds[k], y_pred, -1)
        report = evaluate(y_true, answers, unknown_label=-1)
        assert report.coverage == pytest.approx(coverage[k], rel=1e-12)
        assert 1 - report.answered_accuracy == pytest.approx(risk[k], abs=1e-12)


@pytest.mark.parametrize(
    "y_true, y_pred, confidence, match",
    [
        ([0, 1, 2], [0, 1], [0.5, 0.6, 0.7],
         r"same length; got 3, 2 and 3"),
        ([0, 1], [0, 1], [0.5, 0.6, 0.7], r"same length; got 2, 2 and 3"),
        ([], [], [], "empty"),
        ([0, 1], [0, 1], [[0.5, 0.5], [0.6, 0.4]],
         r"confidence must be a 1-D.*\(2, 2\).*max\(axis=1\)"),
        ([0, 1], [0, 1], ["high", "low"], "confidence must hold real numbers"),
        ([0, 1], [0, 1], [0.5, np.nan], "confidence contains NaN or infinite"),
        ([0, 1], [0, 1], [0.5, np.inf], "confidence contains NaN or infinite"),
        ([0.0, np.nan], [0, 1], [0.5, 0.6], "y_true contains NaN"),
        (np.zeros((2, 1)), [0, 1], [0.5, 0.6], r"y_true must be a 1-D"),
    ],
)
def test_invalid_inputs(y_true, y_pred, confidence, match):
    with pytest.raises(ValueError, match=match):
        risk_coverage_curve(y_true, y_pred, confidence)
    with pytest.raises(ValueError, match=match):
        plot_risk_coverage(y_true, y_pred, confidence)


@pytest.mark.parametrize("label", [None, "global-svm"])
def test_plot_draws_the_step_curve_with_its_area(label):
    y_true, y_pred, confidence = _case("ties", seed=6)
    coverage, risk, _ = naive_risk_coverage(y_true, y_pred, confidence)
    ax = plot_risk_coverage(y_true, y_pred, confidence, label=label)
    try:
        curve = ax.lines[0]
        np.testing.assert_allclose(curve.get_xdata()[1:], coverage, rtol=1e-12)
        np.testing.assert_allclose(curve.get_ydata()[1:], risk, rtol=1e-12)
        assert curve.get_xdata()[0] == 0.0
        assert curve.get_drawstyle() == "steps-pre"
        area = f"AURC {naive_aurc(y_true, y_pred, confidence):.3f}"
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == [area if label is None else f"{label} ({area})"]
        assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim()[0] == 0.0
        assert "Coverage" in ax.get_xlabel() and "Risk" in ax.get_ylabel()
    finally:
        plt.close(ax.figure)


def test_aurc_without_ties_is_the_mean_risk_over_samples():
    y_true, y_pred, confidence = _case("int", seed=7, n=50)
    coverage, risk, _ = naive_risk_coverage(y_true, y_pred, confidence)
    assert len(coverage) == 50
    ax = plot_risk_coverage(y_true, y_pred, confidence)
    try:
        text = ax.get_legend().get_texts()[0].get_text()
        assert text == f"AURC {np.mean(risk):.3f}"
    finally:
        plt.close(ax.figure)


def test_plot_on_given_axes_compares_two_models():
    y_true, y_pred, confidence = _case("str", seed=8)
    figure, ax = plt.subplots()
    try:
        assert plot_risk_coverage(y_true, y_pred, confidence, ax=ax, label="a") is ax
        assert plot_risk_coverage(y_true, y_true, confidence, ax=ax, label="b") is ax
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == [legend[0], "b (AURC 0.000)"]
        assert legend[0].startswith("a (AURC ")
        assert len(figure.axes) == 1
    finally:
        plt.close(figure)


def test_aurc_counts_the_first_step():
    # half the samples tied at the top, half of those wrong: the first step
    # alone contributes 0.5 * 0.5 to the area
    y_true = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    y_pred = np.array([1, 1, 0, 0, 1, 1, 1, 1])
    confidence = np.array([0.9, 0.9, 0.9, 0.9, 0.2, 0.2, 0.2, 0.2])
    ax = plot_risk_coverage(y_true, y_pred, confidence)
    try:
        area = naive_aurc(y_true, y_pred, confidence)
        assert area == pytest.approx(0.5 * 0.5 + 0.5 * 0.25)
        assert ax.get_legend().get_texts()[0].get_text() == f"AURC {area:.3f}"
    finally:
        plt.close(ax.figure)
