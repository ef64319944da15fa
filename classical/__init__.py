"""classical: classical image classification as scikit-learn estimators.

Descriptors (:mod:`classical.descriptors`), encoders (:mod:`classical.encoders`)
and classifiers (:mod:`classical.classifiers`) are scikit-learn estimators, so
any chain of them is a :class:`sklearn.pipeline.Pipeline`. The shortcuts most
users need are :func:`make_pipeline`, :func:`list_pipelines`, :func:`evaluate`
(with its :class:`Report`), :func:`save` and :func:`load`.

``import classical`` is cheap: the subpackages and the shortcuts are loaded on
first use (:pep:`562` module ``__getattr__``, as scikit-image does), so
``classical.datasets.load_folder(...)`` works without importing
``classical.datasets`` first, and a command that only reads images does not
pay for scikit-learn's import.
"""

import importlib

from ._version import __version__

_SUBMODULES = (
    "classifiers",
    "datasets",
    "deep",
    "descriptors",
    "encoders",
    "evaluation",
    "geo",
    "parallel",
    "persistence",
    "preprocess",
    "presets",
    "utils",
)
_SHORTCUTS = {
    "Report": "evaluation",
    "evaluate": "evaluation",
    "list_pipelines": "presets",
    "load": "persistence",
    "make_pipeline": "presets",
    "save": "persistence",
}

__all__ = ["__version__", *_SHORTCUTS, *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name in _SHORTCUTS:
        value = getattr(importlib.import_module(f"{__name__}.{_SHORTCUTS[name]}"),
                        name)
    else:
        raise AttributeError(
            f"module {__name__!r} has no attribute {name!r}; its public names are "
            f"{', '.join(__all__)}.")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
