"""``classical inspect`` on the four shared image sets: what it finds, how fast,
and the same files through CleanVision, the peer a user would otherwise pick.

Run ``NUMBA_NUM_THREADS=2 python -m benchmarks.inspect [--output FOLDER]
[--sets eurosat_rgb,ucmerced,...] [--n-jobs 2]`` from the repository root.

Each set of ``../shared/data`` (EuroSAT RGB, UC Merced, the 10-class
Caltech-101 subset, Brodatz tiles; about 9,500 images) is inspected once with
:func:`classical.datasets.inspect`, as ``classical inspect`` does, after one
warm-up run on the bundled EuroSAT sample (1,000 images) whose time, JIT
compilation included, is printed on its own line: a command-line user pays
it once, the first time. The first table gives the count of each finding
(groups for duplicates and label conflicts, files otherwise), the files a
clean copy keeps (:func:`classical.datasets.kept_paths`) and the wall
seconds of each set. Each set's Markdown report and contact sheets are
written under ``--output``/<set>/report.md, to look at the findings.

The peer is CleanVision (``pip install cleanvision``; its rows are left out
with a note when it is absent), run on the same list of files with its
default checks and ``n_jobs`` worker processes. Its second table gives its
counts (duplicate sets; images for the other checks, named as CleanVision
names them) and the ratio of its seconds to ours. Ours and the peer run in
turn, the first alternating from set to set, one run each (a set takes
seconds, so the JIT is the only warm-up that matters).

Results (inspect at 2129a11, 2 cores shared with other jobs, load ~8, so the
seconds are noisy; warm-up 0.9 s):

=================== ====== ====== ======== ===== ===== ======== ======= ======
set                 images blurry exposure exact near conflict seconds CV / us
=================== ====== ====== ======== ===== ===== ======== ======= ======
eurosat_rgb         5,000  3      0        0     0     0        8.3     4.2
ucmerced            2,100  11     0        1     1     0        14.4    2.2
caltech101_subset10 600    2      6        0     4     0        3.6     2.5
textures_brodatz    1,792  18     0        0     0     0        2.8     3.6
all                 9,492  34     6        1     5     0        29.1
=================== ====== ====== ======== ===== ===== ======== ======= ======

No unreadable, too small or leaked files. The groups, checked by eye on the
contact sheets and at full size: UC Merced ``airplane01``/``airplane02`` are
byte-identical; ``beach74``/``beach75`` are two acquisitions of the same
shore and groyne (another glint and swell: the same place, not the same
photograph); Caltech ``hawksbill`` 0028/0040 and ``ketch`` 0035/0041 are one
photograph cropped twice; the two ``Motorbikes`` pairs (0014/0053,
0521/0573) are different bikes in the same studio pose (false positives).
The Caltech "exposure" images are product shots on pure white or black
backgrounds (over 75 % clipped), not badly exposed photographs. CleanVision
finds the airplane pair, not the beach or Caltech pairs, and links EuroSAT
``River_1476`` with ``SeaLake_2323`` (a river bank and open water: a false
positive of flat images); it calls 743 EuroSAT images dark and 44 UC Merced
images odd-sized.
"""

import argparse
import contextlib
import os
import platform
import time
from functools import partial
from pathlib import Path

from ._timing import SHARED_DATA, first_call_seconds, markdown_table

SETS = ("eurosat_rgb", "ucmerced", "caltech101_subset10", "textures_brodatz")
COLUMNS = ["set", "images", "classes", "unreadable", "too small", "blurry",
           "exposure", "exact dup.", "near dup.", "label conflicts", "kept",
           "seconds"]
PEER_CHECKS = ["exact_duplicates", "near_duplicates", "blurry", "dark", "light",
               "low_information", "odd_size", "odd_aspect_ratio", "grayscale"]
PEER_COLUMNS = ["set", *PEER_CHECKS, "seconds", "ours seconds", "peer / ours"]


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


def _timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def _peer(paths, n_jobs):
    """CleanVision's counts on ``paths`` (its progress bars silenced)."""
    from cleanvision import Imagelab

    with open(os.devnull, "w") as null, contextlib.redirect_stderr(null), \
            contextlib.redirect_stdout(null):
        lab = Imagelab(filepaths=paths, verbose=False)
        lab.find_issues(n_jobs=n_jobs, verbose=False)
    counts = dict(zip(lab.issue_summary["issue_type"],
                      lab.issue_summary["num_images"].astype(int), strict=True))
    for kind in ("exact_duplicates", "near_duplicates"):
        counts[kind] = len(lab.info[kind]["sets"])
    return counts


def _has_peer():
    try:
        import cleanvision  # noqa: F401
    except ImportError:
        print("note: cleanvision is not installed, so its rows are left out "
              "(pip install cleanvision)")
        return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("inspect-output"),
                        help="folder for each set's report and contact sheets")
    parser.add_argument("--sets", default=",".join(SETS),
                        help="comma-separated folders of the shared data")
    parser.add_argument("--n-jobs", type=int, default=2,
                        help="threads (ours) and processes (CleanVision)")
    args = parser.parse_args(argv)

    import numba

    from classical.datasets import (
        inspect,
        list_image_files,
        sample_path,
        save_inspect_report,
    )

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Numba threads {numba.config.NUMBA_NUM_THREADS}, "
          f"n_jobs {args.n_jobs}, Python {platform.python_version()}")
    warm = first_call_seconds(lambda: inspect(sample_path("eurosat"),
                                              n_jobs=args.n_jobs))
    print(f"warm-up on the bundled sample (1,000 images, JIT compile included): "
          f"{warm:.1f} s", flush=True)
    with_peer = _has_peer()
    rows, peer_rows = [], []
    for index, name in enumerate(args.sets.split(",")):
        folder = SHARED_DATA / name
        paths = list_image_files(sorted(p for p in folder.iterdir() if p.is_dir()))
        peer = partial(_peer, paths, args.n_jobs)
        if with_peer and index % 2:  # the peer first on every other set
            counts, peer_seconds = _timed(peer)
        report, seconds = _timed(partial(inspect, folder, n_jobs=args.n_jobs))
        if with_peer and not index % 2:
            counts, peer_seconds = _timed(peer)
        assert sorted(paths) == report["paths"]  # both saw the same files
        rows.append(_row(name, report, seconds))
        message = f"{name}: {report['n_images']:,} images in {seconds:.1f} s"
        if with_peer:
            peer_rows.append({"set": name, **counts, "seconds": peer_seconds,
                              "ours seconds": seconds,
                              "peer / ours": peer_seconds / seconds})
            message += f" (CleanVision {peer_seconds:.1f} s)"
        print(message, flush=True)
        (args.output / name).mkdir(parents=True, exist_ok=True)
        save_inspect_report(report, args.output / name / "report.md",
                            title=f"Inspection of {name}")
    total = {"set": "all", "seconds": sum(row["seconds"] for row in rows)}
    total.update({column: sum(row[column] for row in rows)
                  for column in COLUMNS[1:-1]})
    print()
    print(markdown_table([*rows, total], COLUMNS))
    if peer_rows:
        print()
        print("CleanVision on the same files:")
        print(markdown_table(peer_rows, PEER_COLUMNS))


if __name__ == "__main__":
    main()
