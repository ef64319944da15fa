"""classical: classical image classification as scikit-learn estimators."""

from ._version import __version__

__all__ = ["__version__"]
