"""The library's version, read by the build backend and by model files."""

__version__ = "0.1.0"
