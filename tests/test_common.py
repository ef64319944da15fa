"""scikit-learn's common estimator checks over every estimator that takes 2-D input.

To cover another estimator, add an instance to ``ESTIMATORS`` and, only for a
check that truly cannot apply to it, an entry in ``EXPECTED_FAILED_CHECKS``
(class name -> {check name: reason}).
"""

from classical.classifiers import GaussianMLClassifier, RuleClassifier
from classical.descriptors import LocalPCA
from classical.encoders import PowerNormalizer, VisualVocabulary

try:
    from sklearn_compat.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover - older sklearn-compat
    from sklearn.utils.estimator_checks import parametrize_with_checks

ESTIMATORS = [
    GaussianMLClassifier(),
    RuleClassifier(),
    PowerNormalizer(),
    PowerNormalizer(alpha=0.3, norm="l2"),
    VisualVocabulary(n_words=3, random_state=0),
    LocalPCA(n_components=2, random_state=0),
]

EXPECTED_FAILED_CHECKS = {
    "GaussianMLClassifier": {
        "check_class_weight_classifiers":
            "class_weight weighs the class counts behind priors='empirical'; with "
            "the default equal priors it is an error (tests/test_imbalance.py)",
    },
    "LocalPCA": {
        "check_methods_sample_order_invariance":
            "float32 projection: BLAS blocking changes rounding by ~1e-7 with row "
            "order",
    },
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
