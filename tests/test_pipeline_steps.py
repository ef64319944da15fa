"""Cutting a pipeline before its classifier, with imbalanced-learn samplers among its
steps (classical.utils._pipeline), and the reject option over such a pipeline."""

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline as ImbPipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from classical.classifiers import RejectOption
from classical.utils._pipeline import (
    feature_steps,
    fit_features,
    is_sampler,
    transform_features,
)


def imbalanced(seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0.0, 1.0, (60, 4)), rng.normal(1.5, 1.0, (8, 4))])
    y = np.array([0] * 60 + [1] * 8)
    return X, y


def pipelines():
    """The sampler first, in the middle and absent; a passthrough step too."""
    return {
        "sampler before the scaler": ImbPipeline([
            ("resample", RandomUnderSampler(random_state=0)),
            ("scale", StandardScaler()),
            ("pca", PCA(n_components=3, random_state=0)),
            ("clf", LogisticRegression())]),
        "sampler between transformers": ImbPipeline([
            ("scale", StandardScaler()),
            ("resample", RandomOverSampler(random_state=0)),
            ("skip", "passthrough"),
            ("pca", PCA(n_components=3, random_state=0)),
            ("clf", LogisticRegression())]),
        "no sampler": Pipeline([
            ("scale", StandardScaler()), ("clf", LogisticRegression())]),
    }


@pytest.mark.parametrize("name", list(pipelines()))
def test_fit_features_fits_as_the_pipeline_does(name):
    """Step-by-step fitting gives the model the pipeline's own fit gives, and the
    features of every training sample (none added or dropped)."""
    X, y = imbalanced()
    stepwise = pipelines()[name]
    features = fit_features(stepwise, X, y)
    whole = clone(pipelines()[name]).fit(X, y)
    np.testing.assert_allclose(stepwise.predict_proba(X), whole.predict_proba(X))
    steps = feature_steps(stepwise)
    assert features.shape[0] == X.shape[0]
    np.testing.assert_allclose(features, transform_features(steps, X))
    assert not any(is_sampler(step) for step in steps)


def test_feature_steps_of_a_plain_classifier_is_empty():
    X, y = imbalanced()
    model = LogisticRegression()
    assert fit_features(model, X, y) is X
    assert feature_steps(model) == []
    assert transform_features([], X) is X


@pytest.mark.parametrize("method", ["distance", "gaussian", "probability"])
def test_reject_option_over_a_resampling_pipeline(method):
    """The reference scores come from every training sample, not the resampled
    rows; predictions agree with the wrapped pipeline where nothing is rejected."""
    X, y = imbalanced(1)
    pipeline = pipelines()["sampler between transformers"]
    options = {"n_components": 2} if method == "gaussian" else {}
    model = RejectOption(pipeline, method=method, threshold=0.0, **options).fit(X, y)
    reference = clone(pipeline).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    if method != "probability":
        assert sum(len(scores) for scores in model.reference_scores_) == len(y)
    predicted, confidence = model.predict_with_confidence(X)
    np.testing.assert_array_equal(predicted, reference.predict(X))
    np.testing.assert_allclose(confidence, model.confidence(X))
