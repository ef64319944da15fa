"""Global image descriptors: one function per algorithm, one transformer per role."""

from ._color import (
    ColorHistogramExtractor,
    ColorMomentsExtractor,
    color_histogram,
    color_moments,
)
from ._hog import HOGExtractor, hog
from ._lbp import LBPExtractor, lbp_histogram, local_binary_pattern
from ._rules import PixelRuleFeatures, pixel_rule_features

__all__ = [
    "hog",
    "HOGExtractor",
    "local_binary_pattern",
    "lbp_histogram",
    "LBPExtractor",
    "color_histogram",
    "color_moments",
    "ColorHistogramExtractor",
    "ColorMomentsExtractor",
    "pixel_rule_features",
    "PixelRuleFeatures",
]
