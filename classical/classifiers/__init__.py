"""Classifiers: Gaussian maximum likelihood and readable rules."""

from ._gaussian_ml import GaussianMLClassifier
from ._hierarchy import HierarchicalClassifier
from ._multilabel import MultiLabelClassifier
from ._reject import RejectOption
from ._rule_syntax import parse_rule
from ._rules import RuleClassifier

__all__ = ["GaussianMLClassifier", "HierarchicalClassifier", "MultiLabelClassifier",
           "RejectOption", "RuleClassifier", "parse_rule"]
