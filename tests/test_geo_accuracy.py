"""Accuracy assessment and area estimates of class maps (classical.geo._accuracy).

The stratified estimators are checked twice: against the figures Olofsson et
al. (2014) publish for their worked example, and against a plain-Python twin
of the paper's equations (no NumPy) on random error matrices.
"""

import json
import math

import numpy as np
import pytest

from classical.evaluation import evaluate
from classical.geo import area_estimates

# ---------------------------------------------------------------- the paper
# Olofsson et al. (2014), section 5 and Tables 8-9: the error matrix of sample
# counts (rows = map, columns = reference) and the mapped areas in 30 m pixels.
PAPER_CLASSES = ["Deforestation", "Forest gain", "Stable forest", "Stable non-forest"]
PAPER_COUNTS = [[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]]
PAPER_PIXELS = [200_000, 150_000, 3_200_000, 6_450_000]
HECTARES_PER_PIXEL = 0.09
# The published results, as printed (hectares; accuracies to two decimals;
# Table 9 to four). Transcribed from the paper's section 5 as quoted by the
# test suite of the acc_assessment package, which the paper's own rounding
# also matches in hagc/mapaccuracy's example.
PAPER_AREA_HA = [21_158, 11_686, 285_770, 581_386]
PAPER_AREA_CI95_HA = [6_158, 3_756, 15_510, 16_282]
PAPER_USERS = [0.88, 0.73, 0.93, 0.96]
PAPER_USERS_CI95 = [0.07, 0.10, 0.04, 0.02]
PAPER_PRODUCERS = [0.75, 0.85, 0.93, 0.96]
PAPER_PRODUCERS_CI95 = [0.21, 0.23, 0.03, 0.01]
PAPER_OVERALL, PAPER_OVERALL_CI95 = 0.95, 0.02
PAPER_PROPORTIONS = [[0.0176, 0.0000, 0.0013, 0.0011],
                     [0.0000, 0.0110, 0.0016, 0.0024],
                     [0.0019, 0.0000, 0.2967, 0.0213],
                     [0.0040, 0.0020, 0.0179, 0.6212]]


@pytest.fixture(scope="module")
def paper():
    return area_estimates(PAPER_COUNTS, PAPER_PIXELS, classes=PAPER_CLASSES)


def _close_as_printed(values, printed, decimals):
    """Each value rounds to the printed figure (half a unit of its last digit)."""
    half = 0.5 * 10.0 ** -decimals + 1e-12
    return all(abs(v - p) <= half for v, p in zip(values, printed))


def test_paper_areas_in_hectares(paper):
    assert _close_as_printed(paper["area"] * HECTARES_PER_PIXEL, PAPER_AREA_HA, 0)
    assert _close_as_printed(paper["area_ci95"] * HECTARES_PER_PIXEL,
                             PAPER_AREA_CI95_HA, 0)


def test_paper_proportions_table_9(paper):
    assert _close_as_printed(np.ravel(paper["proportions"]),
                             np.ravel(PAPER_PROPORTIONS), 4)
    assert paper["proportions"].sum() == pytest.approx(1.0)


def test_paper_accuracies(paper):
    assert _close_as_printed(paper["users_accuracy"], PAPER_USERS, 2)
    assert _close_as_printed(paper["users_accuracy_ci95"], PAPER_USERS_CI95, 2)
    assert _close_as_printed(paper["producers_accuracy"], PAPER_PRODUCERS, 2)
    assert _close_as_printed([paper["overall_accuracy"]], [PAPER_OVERALL], 2)
    assert _close_as_printed([paper["overall_accuracy_ci95"]], [PAPER_OVERALL_CI95], 2)


def test_paper_producers_intervals(paper):
    # Deforestation and stable forest match the paper. For forest gain and
    # stable non-forest the paper prints 0.23 and 0.01, which its own eq. 7
    # does not give (0.2546 and 0.0184, by the plain twin below too; other
    # implementations report the same mismatch): we keep the equation.
    ci = paper["producers_accuracy_ci95"]
    assert _close_as_printed(ci[[0, 2]], np.take(PAPER_PRODUCERS_CI95, [0, 2]), 2)
    twin = _twin(PAPER_COUNTS, PAPER_PIXELS)
    assert ci[1] == pytest.approx(1.96 * twin["producers_se"][1], rel=1e-12)
    assert round(ci[1], 2) == 0.25 and round(ci[3], 2) == 0.02


def test_paper_pixel_units_scale(paper):
    in_hectares = area_estimates(PAPER_COUNTS,
                                 [p * HECTARES_PER_PIXEL for p in PAPER_PIXELS])
    np.testing.assert_allclose(in_hectares["area"], paper["area"] * HECTARES_PER_PIXEL)
    np.testing.assert_allclose(in_hectares["producers_accuracy_se"],
                               paper["producers_accuracy_se"])
    assert in_hectares["classes"] == [0, 1, 2, 3]


# ------------------------------------------------------------ the plain twin
def _twin(counts, mapped):
    """Eqs. 1-10 of Olofsson et al. (2014), written out in plain Python."""
    k = len(counts)
    total = sum(mapped)
    w = [a / total for a in mapped]
    n = [sum(row) for row in counts]
    p = [[w[i] * counts[i][j] / n[i] if n[i] else 0.0 for j in range(k)]
         for i in range(k)]
    col = [sum(p[i][j] for i in range(k)) for j in range(k)]
    users = [counts[i][i] / n[i] for i in range(k)]
    users_se = [math.sqrt(users[i] * (1 - users[i]) / (n[i] - 1)) for i in range(k)]
    producers = [p[j][j] / col[j] for j in range(k)]
    overall = sum(p[j][j] for j in range(k))
    overall_se = math.sqrt(sum(
        w[i] ** 2 * users[i] * (1 - users[i]) / (n[i] - 1) for i in range(k)))
    area_se, producers_se = [], []
    for j in range(k):
        area_var = sum(w[i] ** 2 * (counts[i][j] / n[i]) * (1 - counts[i][j] / n[i])
                       / (n[i] - 1) for i in range(k))
        area_se.append(total * math.sqrt(area_var))
        # eq. 7 with pixel counts N_i. and the estimated reference total N_.j
        n_ref = sum(mapped[i] * counts[i][j] / n[i] for i in range(k))
        own = (mapped[j] ** 2 * (1 - producers[j]) ** 2 * users[j] * (1 - users[j])
               / (n[j] - 1))
        others = producers[j] ** 2 * sum(
            mapped[i] ** 2 * (counts[i][j] / n[i]) * (1 - counts[i][j] / n[i])
            / (n[i] - 1) for i in range(k) if i != j)
        producers_se.append(math.sqrt((own + others) / n_ref ** 2))
    return {"proportions": p, "area": [total * c for c in col], "area_se": area_se,
            "users": users, "users_se": users_se, "producers": producers,
            "producers_se": producers_se, "overall": overall, "overall_se": overall_se}


@pytest.mark.parametrize("seed", range(6))
def test_matches_plain_twin_on_random_matrices(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    counts = rng.integers(0, 30, size=(k, k)) + np.diag(rng.integers(5, 80, size=k))
    mapped = rng.uniform(1.0, 1e4, size=k)
    got = area_estimates(counts, mapped)
    want = _twin(counts.tolist(), mapped.tolist())
    np.testing.assert_allclose(got["proportions"], want["proportions"], rtol=1e-12)
    for ours, theirs in [("area", "area"), ("area_se", "area_se"),
                         ("users_accuracy", "users"),
                         ("users_accuracy_se", "users_se"),
                         ("producers_accuracy", "producers"),
                         ("producers_accuracy_se", "producers_se")]:
        np.testing.assert_allclose(got[ours], want[theirs], rtol=1e-10, err_msg=ours)
    assert got["overall_accuracy"] == pytest.approx(want["overall"], rel=1e-12)
    assert got["overall_accuracy_se"] == pytest.approx(want["overall_se"], rel=1e-10)
    np.testing.assert_allclose(got["area_ci95"], 1.96 * np.asarray(want["area_se"]))
    assert got["area"].sum() == pytest.approx(mapped.sum())


def test_report_is_transposed():
    rng = np.random.default_rng(3)
    reference = rng.choice(["crop", "forest", "water"], size=400)
    mapped = np.where(rng.random(400) < 0.8, reference,
                      rng.choice(["crop", "forest", "water"], size=400))
    report = evaluate(reference, mapped)  # rows = reference
    by_map = np.array([[np.sum((mapped == m) & (reference == r))
                        for r in report.labels] for m in report.labels])
    areas = {"crop": 50.0, "forest": 30.0, "water": 20.0}
    from_report = area_estimates(report, areas)
    from_matrix = area_estimates(by_map, [50.0, 30.0, 20.0], classes=report.labels)
    assert from_report["classes"] == ["crop", "forest", "water"]
    np.testing.assert_array_equal(from_report["sample_counts"], by_map)
    np.testing.assert_allclose(from_report["area"], from_matrix["area"])
    np.testing.assert_allclose(from_report["users_accuracy"], report.users_accuracy)


def test_class_absent_from_map_and_single_sample():
    counts = [[40, 2, 0], [3, 30, 0], [0, 0, 0]]
    got = area_estimates(counts, [70.0, 30.0, 0.0])
    assert got["area"][2] == 0.0 and np.isnan(got["users_accuracy"][2])
    assert np.isnan(got["producers_accuracy"][2])
    single = area_estimates([[40, 2], [0, 1]], [90.0, 10.0])
    assert single["users_accuracy"][1] == 1.0
    assert np.isnan(single["users_accuracy_se"][1])
    assert np.isnan(single["overall_accuracy_se"])
    assert not np.isnan(single["users_accuracy_se"][0])


def test_rendering(paper):
    text = paper.to_markdown(unit="pixels")
    assert "| Deforestation | 200,000 | 235,086 | 68,418 | 0.880 ± 0.074 |" in text
    data = json.loads(paper.to_json())
    assert data["classes"] == PAPER_CLASSES
    assert data["area"] == pytest.approx(paper["area"].tolist())
    assert area_estimates([[5, 1], [0, 0]], [1.0, 0.0]).to_dict()[
        "users_accuracy"][1] is None


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("counts, areas, kwargs, error, match", [
    ([[1, 2, 3], [4, 5, 6]], [1, 1], {}, ValueError, "square 2-D array"),
    ([[5, -1], [0, 4]], [1, 1], {}, ValueError, "negative counts"),
    ([[5, 0.5], [0, 4]], [1, 1], {}, TypeError, "whole-number counts"),
    ([[0, 0], [0, 0]], [1, 1], {}, ValueError, "all zeros"),
    ([[5, 1], [0, 0]], [1, 1], {}, ValueError, r"\[1\] cover part of the map"),
    ([[5, 1], [1, 4]], [1, 1, 1], {}, ValueError, "one area per class"),
    ([[5, 1], [1, 4]], [1, -1], {}, ValueError, "non-negative"),
    ([[5, 1], [1, 4]], [0, 0], {}, ValueError, "not all 0"),
    ([[5, 1], [1, 4]], [1, np.nan], {}, ValueError, "finite"),
    ([[5, 1], [1, 4]], ["a", "b"], {}, TypeError, "mapped_area must be numbers"),
    ([[5, 1], [1, 4]], [1, 1], {"classes": ["a"]}, ValueError, "name each of the 2"),
    ([[5, 1], [1, 4]], {"a": 1, "b": 1}, {}, TypeError, "needs classes"),
    ([[5, 1], [1, 4]], {"a": 1, "c": 1}, {"classes": ["a", "b"]}, ValueError,
     r"missing \['b'\], unknown \['c'\]"),
])
def test_errors(counts, areas, kwargs, error, match):
    with pytest.raises(error, match=match):
        area_estimates(counts, areas, **kwargs)
