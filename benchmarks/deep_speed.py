"""What the deep plug-in costs: ms/image, first call, installed size.

Times :class:`classical.deep.DeepFeatureExtractor` (EfficientNet-Lite0
through ONNX Runtime) on ``--batch`` uint8 images of 224 x 224 pixels (no
resize: the network alone, plus normalisation) with ``n_jobs`` = 1 and 2,
warmed, the thread counts timed in turn (median of ``--repeat`` rounds);
and, when the other helper (``--torch-python``) is given, the same network
in PyTorch in another interpreter. The first call, in a new process, is
split into importing onnx and onnxruntime, reading the weights, building
the graph and creating the session. The installed size of the ``deep``
extra is the sum of the installed files (``importlib.metadata``) of every
distribution the extra requires that the base install does not.

Run ``python -m benchmarks.deep_speed [--batch 32] [--repeat 7]`` and note
the machine's load (``uptime``) next to the figures.
"""

import argparse
import importlib.metadata
import json
import os
import re
import statistics
import subprocess
import sys
import time

from packaging.requirements import Requirement

from ._timing import alternating_medians, markdown_table, random_uint8_images

DIST = "classical-vision"

_FIRST_CALL = r"""
import json, time
t_lib = time.perf_counter()
import numpy as np
from classical.deep import DeepFeatureExtractor
from classical.deep._backbones import named_weights
from classical.deep._torch_legacy import read_legacy_state_dict
from classical.deep._efficientnet import efficientnet_lite_onnx
t0 = time.perf_counter()
import onnx, onnxruntime
t1 = time.perf_counter()
state = read_legacy_state_dict(named_weights("efficientnet-lite0")[0])
t2 = time.perf_counter()
model = efficientnet_lite_onnx(state).SerializeToString()
t3 = time.perf_counter()
options = onnxruntime.SessionOptions()
options.intra_op_num_threads = 1
onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
t4 = time.perf_counter()
DeepFeatureExtractor().fit(np.zeros((1, 224, 224, 3), np.uint8))
t6 = time.perf_counter()
print(json.dumps({"import classical.deep (scikit-learn, OpenCV...)": t0 - t_lib,
                  "import onnx + onnxruntime": t1 - t0, "read weights": t2 - t1,
                  "build graph": t3 - t2, "create session": t4 - t3,
                  "first fit, one image (reads, builds, creates again)": t6 - t4}))
"""


def _requirement_names(dist, extra=None):
    """Names of what ``dist`` requires here; with ``extra``, only that extra's."""
    names = []
    for text in importlib.metadata.distribution(dist).requires or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if extra is None:
            wanted = marker is None or marker.evaluate({"extra": ""})
        else:
            wanted = (marker is not None and marker.evaluate({"extra": extra})
                      and not marker.evaluate({"extra": ""}))
        if wanted:
            names.append(requirement.name)
    return names


def _closure(names):
    """The installed distributions ``names`` need, transitively."""
    seen, todo = set(), list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo.extend(_requirement_names(name))
    return seen


def _installed_bytes(name):
    files = importlib.metadata.distribution(name).files or []
    return sum(os.path.getsize(f.locate()) for f in files if f.locate().is_file())


def deep_extra_size():
    """Rows: each distribution the deep extra adds to the base, with its size."""
    base = _closure(_requirement_names(DIST))
    extra = _closure(_requirement_names(DIST, "deep")) - base
    rows = [{"distribution": f"{n} {importlib.metadata.version(n)}",
             "MB": _installed_bytes(n) / 1e6} for n in sorted(extra)]
    rows.append({"distribution": "total", "MB": sum(r["MB"] for r in rows)})
    return rows


def first_call():
    """Seconds of each part of a first call, measured in a new process."""
    out = subprocess.run([sys.executable, "-c", _FIRST_CALL], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def _cpu_ms_per_image(extractor, images, repeat):
    """Median CPU (process) time per image: less sensitive to other load."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        extractor.transform(images)
        times.append(time.process_time() - start)
    return 1e3 * statistics.median(times) / len(images)


def speed(batch, repeat):
    """Median ms/image at 1 and 2 threads, the threads timed in turn."""
    from classical.deep import DeepFeatureExtractor

    images = random_uint8_images(batch, (224, 224, 3))
    extractors = [DeepFeatureExtractor(n_jobs=n, batch_size=batch).fit(images[:1])
                  for n in (1, 2)]
    prep = extractors[0]
    medians = alternating_medians(
        [lambda e=e: e.transform(images) for e in extractors]
        + [lambda: prep._batch(list(images))], repeat=repeat)
    return {"1 thread, wall": 1e3 * medians[0] / batch,
            "2 threads, wall": 1e3 * medians[1] / batch,
            "preprocessing alone (part of the above), wall": 1e3 * medians[2] / batch,
            "1 thread, CPU time": _cpu_ms_per_image(extractors[0], images, repeat)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    ms = speed(args.batch, args.repeat)
    print(f"\n## DeepFeatureExtractor, 224 px uint8, batch {args.batch}, "
          f"median of {args.repeat}\n")
    print(markdown_table([{"work": k, "ms/image": v} for k, v in ms.items()],
                         ["work", "ms/image"]))
    print("\n## First call (new process)\n")
    print(markdown_table([{"step": k, "s": v} for k, v in first_call().items()],
                         ["step", "s"]))
    print("\n## Installed size of the deep extra (beyond the base install)\n")
    print(markdown_table(deep_extra_size(), ["distribution", "MB"]))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
