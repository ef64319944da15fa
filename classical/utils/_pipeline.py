"""A pipeline's feature steps apart from its classifier, samplers taken into account.

Meta-estimators that compute a pipeline's features once and reuse them (the
reject option's novelty scores, the command line's batches) cut the pipeline
before its final step. An imbalanced-learn pipeline may hold samplers among
those steps (``make_pipeline(..., resample='over')``): they change the rows
while fitting and pass samples through unchanged when predicting, and they
have no ``transform``, so they must be skipped, not called.
"""

__all__ = ["is_sampler", "feature_steps", "transform_features", "fit_features"]


def is_sampler(step):
    """True for a resampling step (imbalanced-learn's ``fit_resample`` protocol)."""
    return hasattr(step, "fit_resample")


def _is_pipeline(estimator):
    return hasattr(estimator, "steps") and len(estimator.steps) > 1


def _active(steps):
    return [step for _, step in steps if step is not None and step != "passthrough"]


def feature_steps(estimator):
    """The steps a prediction passes through before the final one.

    Parameters
    ----------
    estimator : estimator
        A scikit-learn or imbalanced-learn pipeline, or any other estimator.

    Returns
    -------
    steps : list of estimator
        The pipeline's steps before the final one, in order, without
        ``None``/``'passthrough'`` steps and samplers; empty when
        ``estimator`` is not a pipeline of at least two steps.
    """
    if not _is_pipeline(estimator):
        return []
    return [step for step in _active(estimator.steps[:-1]) if not is_sampler(step)]


def transform_features(steps, X):
    """Pass ``X`` through fitted ``steps`` (from :func:`feature_steps`)."""
    for step in steps:
        X = step.transform(X)
    return X


def fit_features(estimator, X, y, **fit_params):
    """Fit ``estimator`` in place and return the features of every sample of X.

    A pipeline is fitted step by step, so that its features are computed
    once: each transformer is fitted on what reaches it (the resampled rows
    after a sampler) and the final step on the last of them. The features
    returned are those of *all* the samples of ``X`` (a sampler's rows are not
    added or dropped), as :func:`transform_features` would give after the fit.

    Parameters
    ----------
    estimator : estimator
        A pipeline (scikit-learn's or imbalanced-learn's) or a classifier.
    X : array-like or batch of images
        Training samples.
    y : array-like of shape (n_samples,)
        Training labels.
    **fit_params
        Passed to the final step's ``fit``.

    Returns
    -------
    features : array-like
        What the final step sees for each sample of ``X``; ``X`` itself when
        ``estimator`` is not a pipeline.
    """
    if not _is_pipeline(estimator):
        estimator.fit(X, y, **fit_params)
        return X
    features = fitted_on = X
    target = y
    for step in _active(estimator.steps[:-1]):
        if is_sampler(step):
            fitted_on, target = step.fit_resample(fitted_on, target)
        elif fitted_on is features:
            features = fitted_on = step.fit_transform(features, target)
        else:
            fitted_on = step.fit(fitted_on, target).transform(fitted_on)
            features = step.transform(features)
    estimator.steps[-1][1].fit(fitted_on, target, **fit_params)
    return features
