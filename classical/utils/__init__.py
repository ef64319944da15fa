"""Helpers shared across the library: validation, docstrings, estimator checks."""

from ._validation import check_image, check_images, intensity_range

__all__ = ["check_image", "check_images", "intensity_range"]
