"""Classifiers: Gaussian maximum likelihood, readable rules and meta-estimators."""

from ._cosine_knn import CosineKNNClassifier
from ._gaussian_ml import GaussianMLClassifier
from ._hierarchy import HierarchicalClassifier
from ._multilabel import MultiLabelClassifier
from ._reject import RejectOption
from ._rule_syntax import parse_rule
from ._rules import RuleClassifier
from ._tta import TestTimeAugmentation

__all__ = ["CosineKNNClassifier", "GaussianMLClassifier", "HierarchicalClassifier",
           "MultiLabelClassifier", "RejectOption", "RuleClassifier",
           "TestTimeAugmentation", "parse_rule"]
