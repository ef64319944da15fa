"""Classifiers: Gaussian maximum likelihood and readable rules."""

from ._gaussian_ml import GaussianMLClassifier
from ._rules import RuleClassifier, parse_rule

__all__ = ["GaussianMLClassifier", "RuleClassifier", "parse_rule"]
