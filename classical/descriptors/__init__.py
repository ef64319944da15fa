"""Global image descriptors: one function per algorithm, one transformer per role."""

from ._hog import hog, HOGExtractor
from ._lbp import local_binary_pattern, lbp_histogram, LBPExtractor
from ._color import color_histogram, color_moments, ColorHistogramExtractor, ColorMomentsExtractor
from ._rules import pixel_rule_features, PixelRuleFeatures

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
