"""All speed comparisons in one run: ``python -m benchmarks.speed [--quick]``.

Each topic module times ours and the peer a user would otherwise pick, in the
same process on the same data, warmed, and reports the cold first call apart.
"""

import argparse
import importlib
import os
import platform

import numba

from .._timing import SPEED_COLUMNS, markdown_table

TOPICS = ["hog", "lbp", "color", "gaussian_ml", "global_features", "dsift",
          "vlad", "fisher", "cold_start"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument("--topics", default=",".join(TOPICS))
    args = parser.parse_args(argv)
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Numba threads {numba.config.NUMBA_NUM_THREADS}, "
          f"Python {platform.python_version()}, Numba {numba.__version__}")
    rows = []
    for topic in args.topics.split(","):
        module = importlib.import_module(f"benchmarks.speed.{topic}")
        topic_rows = module.run(quick=args.quick)
        print(markdown_table(topic_rows, SPEED_COLUMNS), flush=True)
        rows.extend(topic_rows)
    print()
    print(markdown_table(rows, SPEED_COLUMNS))


if __name__ == "__main__":
    main()
