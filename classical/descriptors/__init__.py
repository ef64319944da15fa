"""Image descriptors: one function per algorithm, one transformer per role."""

from .._local_features import LocalFeatures
from ._color import (
    ColorHistogramExtractor,
    ColorMomentsExtractor,
    color_histogram,
    color_moments,
)
from ._dense_sift import DenseSIFTExtractor, dense_sift
from ._global import GlobalFeaturesExtractor
from ._hog import HOGExtractor, hog
from ._lbp import LBPExtractor, lbp_histogram, local_binary_pattern
from ._local_pca import LocalPCA
from ._patches import (
    DenseColorExtractor,
    DenseLBPExtractor,
    dense_color_moments,
    dense_lbp,
)
from ._rules import PixelRuleFeatures, pixel_rule_features
from ._sift import SIFTExtractor, root_sift, sift
from ._symmetry import d4_is_exact, d4_local_features

__all__ = [
    "DenseColorExtractor",
    "DenseLBPExtractor",
    "DenseSIFTExtractor",
    "LocalPCA",
    "dense_color_moments",
    "dense_lbp",
    "LocalFeatures",
    "SIFTExtractor",
    "sift",
    "root_sift",
    "dense_sift",
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
    "GlobalFeaturesExtractor",
    "d4_local_features",
    "d4_is_exact",
]
