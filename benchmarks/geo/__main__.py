"""Run the land-cover benchmarks: ``python -m benchmarks.geo --part PARTS``.

``--part accuracy`` prints the accuracy table and one per-class PA / UA table
per dataset (:mod:`.accuracy`); ``--part memory`` and ``--part speed`` the
scene figures (:mod:`.scale`). Rows are merged into
``benchmarks/geo/results.json`` (keyed by dataset and pipeline, stamped with
the commit, as :func:`benchmarks.accuracy.report.merge_results` does) unless
``--no-record`` is given. Measure with ``NUMBA_NUM_THREADS=2``.
"""

import argparse
import os
import platform
from pathlib import Path

import numba

from .._timing import markdown_table
from ..accuracy.report import current_commit, merge_results
from . import accuracy, data, scale

RESULTS = Path(__file__).with_name("results.json")
PARTS = ("accuracy", "memory", "speed")
ACCURACY_COLUMNS = ["dataset", "pipeline", "OA", "kappa", "fit s", "predict s", "note"]


def _mean_sd(row, key):
    value, spread = row.get(key), row.get(f"{key} sd")
    if value is None:
        return "–"
    return f"{value:.3f}" if spread is None else f"{value:.3f} ± {spread:.3f}"


def accuracy_table(rows):
    """Markdown: OA and kappa (mean ± sd over folds), times, notes."""
    shown = [{**row, "OA": _mean_sd(row, "OA"), "kappa": _mean_sd(row, "kappa"),
              "fit s": row.get("fit s", float("nan")),
              "predict s": row.get("predict s", float("nan"))} for row in rows]
    return markdown_table(shown, ACCURACY_COLUMNS)


def per_class_tables(rows):
    """Markdown: per dataset, each model's ``PA / UA`` of every class."""
    tables = []
    for dataset in dict.fromkeys(row["dataset"] for row in rows):
        scored = [row for row in rows
                  if row["dataset"] == dataset and row.get("per class PA/UA")]
        if not scored:
            continue
        classes = list(scored[0]["per class PA/UA"])
        lines = [{"pipeline": row["pipeline"],
                  **{c: f"{pa:.2f} / {ua:.2f}" for c, (pa, ua)
                     in row["per class PA/UA"].items()}} for row in scored]
        protocol = scored[0].get("protocol")
        tables.append(f"{dataset}: producer's / user's accuracy"
                      + (f" ({protocol})" if protocol else "") + "\n\n"
                      + markdown_table(lines, ["pipeline", *classes]))
    return "\n\n".join(tables)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="accuracy",
                        help="comma-separated, from: " + ", ".join(PARTS))
    parser.add_argument("--datasets", default=",".join(data.DATASETS),
                        help="accuracy part: comma-separated, from: "
                             + ", ".join(data.DATASETS))
    parser.add_argument("--side", type=int, default=scale.SIDE,
                        help="memory part: the synthetic scene's side in pixels")
    parser.add_argument("--no-record", dest="record", action="store_false",
                        help=f"do not merge the rows into {RESULTS.name}")
    args = parser.parse_args(argv)
    parts = args.part.split(",")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part {', '.join(unknown)}; valid: {', '.join(PARTS)}")
    print(f"machine: {os.cpu_count()} cores (shared with other jobs), Numba threads "
          f"{numba.config.NUMBA_NUM_THREADS}, Python {platform.python_version()}",
          flush=True)
    commit, rows = current_commit(), []
    if "accuracy" in parts:
        for row in accuracy.run(args.datasets.split(",")):
            rows.append(row)
            print(accuracy_table([row]).splitlines()[-1], flush=True)
        print("\n" + accuracy_table(rows) + "\n\n" + per_class_tables(rows))
    for part in ("memory", "speed"):
        if part in parts:
            part_rows = getattr(scale, part)(side=args.side)
            print("\n" + markdown_table(part_rows, scale.COLUMNS), flush=True)
            rows.extend(part_rows)
    if args.record:
        merge_results(rows, commit, RESULTS)


if __name__ == "__main__":
    main()
