"""Classifiers: Gaussian maximum likelihood and readable rules."""

from ._gaussian_ml import GaussianMLClassifier
from ._rule_syntax import parse_rule
from ._rules import RuleClassifier

__all__ = ["GaussianMLClassifier", "RuleClassifier", "parse_rule"]
