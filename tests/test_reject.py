"""RejectOption: probability and conformal-distance rejection around any classifier."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from classical.classifiers import RejectOption

try:
    from sklearn_compat.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover - older sklearn-compat
    from sklearn.utils.estimator_checks import parametrize_with_checks


# The common checks require predict to agree with argmax(predict_proba) and
# to answer only classes of y, which a rejection breaks by design: the
# distance instance rejects nothing (every confidence is above 0) but runs the
# whole neighbour search; rejection itself is tested below.
@parametrize_with_checks([
    RejectOption(LogisticRegression(), threshold=0.3),
    RejectOption(LogisticRegression(), method="distance", threshold=0.0),
])
def test_sklearn_compatible(estimator, check):
    check(estimator)
