"""``classical inspect`` on the four shared image sets: what it finds, how fast.

Run ``NUMBA_NUM_THREADS=2 python -m benchmarks.inspect [--output FOLDER]
[--sets eurosat_rgb,ucmerced,...] [--n-jobs 2]`` from the repository root.

Each set of ``../shared/data`` (EuroSAT RGB, UC Merced, the 10-class
Caltech-101 subset, Brodatz tiles; about 9,500 images) is inspected once with
:func:`classical.datasets.inspect`, as ``classical inspect`` does, after one
warm-up run on the bundled EuroSAT sample (1,000 images) whose time, JIT
compilation included, is printed on its own line: a command-line user pays
it once, the first time. The table gives the count of each finding (groups
for duplicates and label conflicts, files otherwise), the files a clean copy
keeps (:func:`classical.datasets.kept_paths`) and the wall seconds of each
set. Each set's Markdown report and contact sheets are written under
``--output``/<set>/report.md, to look at the findings.
"""

import argparse
import os
import platform
import time
from pathlib import Path

from ._timing import SHARED_DATA, first_call_seconds, markdown_table

SETS = ("eurosat_rgb", "ucmerced", "caltech101_subset10", "textures_brodatz")
COLUMNS = ["set", "images", "classes", "unreadable", "too small", "blurry",
           "exposure", "exact dup.", "near dup.", "label conflicts", "kept",
           "seconds"]


def _row(name, report, seconds):
    """One table row: the counts of each finding of ``report``."""
    from classical.datasets import kept_paths

    kinds = [group["kind"] for group in report["duplicates"]]
    return {"set": name, "images": report["n_images"],
            "classes": len(report["class_counts"]),
            "unreadable": len(report["unreadable"]),
            "too small": len(report["too_small"]), "blurry": len(report["blurry"]),
            "exposure": len(report["exposure"]), "exact dup.": kinds.count("exact"),
            "near dup.": kinds.count("near"),
            "label conflicts": len(report["label_conflicts"]),
            "kept": len(kept_paths(report)), "seconds": seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("inspect-output"),
                        help="folder for each set's report and contact sheets")
    parser.add_argument("--sets", default=",".join(SETS),
                        help="comma-separated folders of the shared data")
    parser.add_argument("--n-jobs", type=int, default=2,
                        help="threads for reading images")
    args = parser.parse_args(argv)

    import numba

    from classical.datasets import inspect, sample_path, save_inspect_report

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Numba threads {numba.config.NUMBA_NUM_THREADS}, "
          f"n_jobs {args.n_jobs}, Python {platform.python_version()}")
    warm = first_call_seconds(lambda: inspect(sample_path("eurosat"),
                                              n_jobs=args.n_jobs))
    print(f"warm-up on the bundled sample (1,000 images, JIT compile included): "
          f"{warm:.1f} s", flush=True)
    rows = []
    for name in args.sets.split(","):
        start = time.perf_counter()
        report = inspect(SHARED_DATA / name, n_jobs=args.n_jobs)
        seconds = time.perf_counter() - start
        rows.append(_row(name, report, seconds))
        (args.output / name).mkdir(parents=True, exist_ok=True)
        save_inspect_report(report, args.output / name / "report.md",
                            title=f"Inspection of {name}")
        print(f"{name}: {report['n_images']:,} images in {seconds:.1f} s", flush=True)
    total = {"set": "all", "seconds": sum(row["seconds"] for row in rows)}
    total.update({column: sum(row[column] for row in rows)
                  for column in COLUMNS[1:-1]})
    print()
    print(markdown_table([*rows, total], COLUMNS))


if __name__ == "__main__":
    main()
