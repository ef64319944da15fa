"""The accuracy benchmark's calibration figures and README tables."""

import numpy as np
import pytest

from benchmarks.accuracy import report


def _naive_ece(y_true, proba, classes, n_bins):
    """Guo et al.'s expected calibration error, bin by bin."""
    top = proba.max(axis=1)
    correct = classes[proba.argmax(axis=1)] == y_true
    total = 0.0
    for b in range(n_bins):
        lower, upper = b / n_bins, (b + 1) / n_bins
        members = (top > lower) & (top <= upper) if b else top <= upper
        if members.any():
            total += members.mean() * abs(correct[members].mean()
                                          - top[members].mean())
    return total


@pytest.mark.parametrize("n_bins", [1, 15])
def test_calibration_figures_match_the_bin_by_bin_definition(n_bins):
    rng = np.random.default_rng(0)
    classes = np.array(["a", "b", "c"])
    proba = rng.dirichlet([0.3, 0.3, 0.3], size=500)
    proba[:5] = [1.0, 0.0, 0.0]  # a top probability on a bin's upper edge
    y_true = classes[rng.integers(0, 3, 500)]
    ece, confident = report.calibration_figures(y_true, proba, classes,
                                                n_bins=n_bins)
    assert ece == pytest.approx(_naive_ece(y_true, proba, classes, n_bins))
    assert confident == np.mean(proba.max(axis=1) >= 0.9)


def test_merged_results_replace_the_same_run_and_render(tmp_path):
    path = tmp_path / "results.json"
    row = {"dataset": "EuroSAT", "pipeline": "hog-svm", "accuracy": 0.5,
           "kappa": float("nan")}
    report.merge_results([row, {**row, "pipeline": "lbp-knn", "accuracy": 0.7}],
                         "abc", path)
    stored = report.merge_results([{**row, "accuracy": 0.6}], "def", path)
    assert sorted((r["pipeline"], r["accuracy"]) for r in stored) == [
        ("hog-svm", 0.6), ("lbp-knn", 0.7)]
    assert {r["pipeline"]: r["commit"] for r in stored} == {"hog-svm": "def",
                                                            "lbp-knn": "abc"}
    text = report.readme_region(stored, {"hog-svm": "HOG", "lbp-knn": "LBP"},
                                ["EuroSAT"])
    assert "| `lbp-knn` | LBP | **0.700** |" in text
    assert "| EuroSAT | hog-svm | 0.600 | – |" in text and "| def |" in text


def test_write_readme_replaces_only_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.START}\nold\n{report.END}\nafter\n")
    report.write_readme("new", readme)
    assert readme.read_text() == f"intro\n{report.START}\nnew\n{report.END}\nafter\n"
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="must contain '<!-- accuracy-table:start"):
        report.write_readme("new", readme)
