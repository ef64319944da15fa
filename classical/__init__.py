"""classical: classical image classification as scikit-learn estimators.

Descriptors (:mod:`classical.descriptors`), encoders (:mod:`classical.encoders`)
and classifiers (:mod:`classical.classifiers`) are scikit-learn estimators, so
any chain of them is a :class:`sklearn.pipeline.Pipeline`. The names below are
the shortcuts most users need.
"""

from ._version import __version__
from .evaluation import Report, evaluate
from .persistence import load, save
from .presets import list_pipelines, make_pipeline

__all__ = [
    "__version__",
    "Report",
    "evaluate",
    "list_pipelines",
    "load",
    "make_pipeline",
    "save",
]
