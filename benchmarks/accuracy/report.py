"""The accuracy benchmark's stored results, calibration figures and README tables.

Every full-size run (not ``--limit`` smoke runs) merges its rows into
``results.json`` beside this module, keyed by dataset and pipeline, with the
commit it measured, and rewrites the README's preset tables from that file
(between ``<!-- accuracy-table:start -->`` and ``<!-- accuracy-table:end -->``),
so the README's figures are always those the benchmark last measured.
"""

import json
import math
import subprocess
from datetime import date
from pathlib import Path

import numpy as np

from classical.evaluation import expected_calibration_error

from .._timing import markdown_table

RESULTS = Path(__file__).with_name("results.json")
README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- accuracy-table:start -->", "<!-- accuracy-table:end -->"
CONFIDENT = 0.9
N_BINS = 15
DETAIL_COLUMNS = ["dataset", "pipeline", "accuracy", "kappa", "fit s", "predict s",
                  "peak MiB", "ECE", "top p >= 0.9", "commit"]


def calibration_figures(y_true, proba, classes, *, n_bins=N_BINS):
    """Expected calibration error of the top probability, and confident share.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Reference labels.
    proba : array-like of shape (n_samples, n_classes)
        Predicted class probabilities, columns in the order of ``classes``.
    classes : array-like of shape (n_classes,)
        The class of each column.
    n_bins : int, default=15
        Equal-width bins of the top probability on ``[0, 1]``.

    Returns
    -------
    ece : float
        :func:`classical.evaluation.expected_calibration_error` of the top
        probability: ``sum_b (n_b / n) |accuracy_b - mean top probability_b|``
        over the bins ``((b - 1) / n_bins, b / n_bins]``.
    confident : float
        Share of samples whose top probability is at least 0.9.
    """
    ece = expected_calibration_error(y_true, proba, classes=classes, n_bins=n_bins)
    top = np.asarray(proba, dtype=np.float64).max(axis=1)
    return ece, float(np.mean(top >= CONFIDENT))


def current_commit():
    """Short hash of HEAD, with ``+`` when the working tree has changes."""
    root = README.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, check=True).stdout
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True,
                               check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.strip() + ("+" if dirty.strip() else "")


def load_results(path=RESULTS):
    """The stored rows (a list of dicts); empty when there is no file yet."""
    path = Path(path)
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def merge_results(rows, commit, path=RESULTS):
    """Store ``rows`` in ``path``, replacing earlier rows of the same runs.

    Rows are keyed by ``(dataset, pipeline)``; each new one is stamped with
    ``commit`` (:func:`current_commit` when the run began) and the date.
    Rows whose accuracy is not a number (failed runs) are stored too, so a
    failure is seen rather than an old figure kept. Returns every stored row.
    """
    stamp = {"commit": commit, "date": date.today().isoformat()}
    stored = {(row["dataset"], row["pipeline"]): row for row in load_results(path)}
    for row in rows:
        clean = {key: (None if isinstance(value, float) and math.isnan(value)
                       else value) for key, value in row.items()}
        stored[(row["dataset"], row["pipeline"])] = {**clean, **stamp}
    merged = list(stored.values())
    Path(path).write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    return merged


def _number(row, key):
    value = row.get(key)
    return float("nan") if value is None else value


def accuracy_grid(rows, presets, datasets):
    """Markdown: one row per preset, its description and accuracy per dataset.

    The best accuracy of each dataset's column is in bold; a run not stored
    shows "–".
    """
    found = {(row["dataset"], row["pipeline"]): row for row in rows}
    best = {}
    for dataset in datasets:
        scores = [row["accuracy"] for (d, _), row in found.items()
                  if d == dataset and isinstance(row["accuracy"], float)]
        best[dataset] = max(scores, default=None)
    table = []
    for name, description in presets.items():
        line = {"preset": f"`{name}`", "what it does": description}
        for dataset in datasets:
            accuracy = found.get((dataset, name), {}).get("accuracy")
            if not isinstance(accuracy, float):
                line[dataset] = "–" if accuracy is None else "failed"
            else:
                text = f"{accuracy:.3f}"
                line[dataset] = f"**{text}**" if accuracy == best[dataset] else text
        table.append(line)
    return markdown_table(table, ["preset", "what it does", *datasets])


def _rounded(key, value):
    """Seconds to 0.1 s below 100 s (whole seconds above), memory to 1 MiB."""
    if value != value:  # NaN: not measured
        return value
    if key == "peak MiB" or (key.endswith(" s") and value >= 100):
        return f"{value:,.0f}"
    if key.endswith(" s"):
        return f"{value:.1f}"
    return value


def detail_table(rows):
    """Markdown: every stored run with its times, memory and calibration."""
    lines = []
    for row in rows:
        line = {key: _rounded(key, _number(row, key)) for key in DETAIL_COLUMNS[2:-1]}
        line.update(dataset=row["dataset"], pipeline=row["pipeline"],
                    commit=row.get("commit", ""))
        if not isinstance(row["accuracy"], float):
            line["accuracy"] = str(row["accuracy"])
        lines.append(line)
    return markdown_table(lines, DETAIL_COLUMNS)


def readme_region(rows, presets, datasets):
    """The text between the README's markers: both tables and their key.

    The detail table lists the datasets in the order of ``datasets`` (others
    after), and within each the presets in the order of ``presets``, then
    the plain scripts.
    """
    order = {name: i for i, name in enumerate([*datasets, *presets])}
    rows = sorted(rows, key=lambda row: (order.get(row["dataset"], len(order)),
                                         order.get(row["pipeline"], len(order)),
                                         row["pipeline"]))
    return "\n".join([
        accuracy_grid(rows, presets, datasets), "",
        "Every run, on its test split: wall seconds of one cold `fit` and one "
        "`predict` (features and compilation included), peak resident memory "
        "above the level before `fit`, and for presets with `predict_proba` "
        f"the expected calibration error of the top probability ({N_BINS} "
        "equal bins) and the share of test images whose top probability is "
        f"at least {CONFIDENT}. `commit` is the code measured (`+`: with "
        "uncommitted changes).", "",
        detail_table(rows),
    ])


def write_readme(text, path=README):
    """Replace the README's text between the accuracy-table markers.

    Raises
    ------
    ValueError
        If the README lacks either marker, or has them out of order.
    """
    path = Path(path)
    content = path.read_text(encoding="utf-8")
    start, end = content.find(START), content.find(END)
    if start < 0 or end < start:
        raise ValueError(
            f"{path} must contain {START!r} followed by {END!r} around the preset "
            "tables; add both lines where the tables belong.")
    content = content[:start + len(START)] + "\n" + text + "\n" + content[end:]
    path.write_text(content, encoding="utf-8")
