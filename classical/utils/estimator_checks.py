"""Checks for estimators that take images rather than a 2-D array.

scikit-learn's common checks feed 2-D arrays, so they skip estimators tagged
``two_d_array=False``. These checks cover the same contract for image-level
extractors, in the spirit of imbalanced-learn's sampler checks: cloning,
parameter round trip, ``fit`` returning ``self``, the not-fitted error,
pickling, batch-versus-parts equality, ``n_jobs`` independence and determinism.
"""

import pickle

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

__all__ = ["image_estimator_checks", "make_check_images"]


def make_check_images(n_images=6, shape=(32, 32, 3), *, seed=0):
    """Return a small batch of smooth random uint8 images for the checks."""
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(n_images):
        noise = rng.integers(0, 256, size=shape).astype(np.float64)
        ramp = np.linspace(0, 255, shape[1])[np.newaxis, :]
        if len(shape) == 3:
            ramp = ramp[..., np.newaxis]
        images.append(np.clip(0.5 * noise + 0.5 * ramp, 0, 255).astype(np.uint8))
    return images


def _fit_transform(estimator, images, y):
    return clone(estimator).fit(images, y).transform(images)


def _comparable(params):
    """Deep parameters with nested estimators replaced by their type.

    Their own parameters are compared through the flattened ``step__param``
    keys; the objects themselves differ after cloning.
    """
    return {key: type(value) if hasattr(value, "get_params") else value
            for key, value in params.items()}


def check_clone_and_params(estimator, images, y):
    params = _comparable(estimator.get_params())
    twin = clone(estimator)
    assert _comparable(twin.get_params()) == params
    twin.set_params(**estimator.get_params(deep=False))
    assert _comparable(twin.get_params()) == params


def check_fit_returns_self(estimator, images, y):
    fresh = clone(estimator)
    assert fresh.fit(images, y) is fresh


def check_not_fitted(estimator, images, y):
    fresh = clone(estimator)
    try:
        fresh.transform(images)
    except NotFittedError:
        return
    raise AssertionError(f"{type(estimator).__name__}.transform ran before fit")


def check_pickle_round_trip(estimator, images, y):
    fitted = clone(estimator).fit(images, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(restored.transform(images), fitted.transform(images))


def check_batch_equals_parts(estimator, images, y):
    fitted = clone(estimator).fit(images, y)
    whole = fitted.transform(images)
    half = len(images) // 2
    parts = np.vstack([fitted.transform(images[:half]),
                       fitted.transform(images[half:])])
    np.testing.assert_allclose(whole, parts, rtol=1e-10, atol=1e-12)
    assert whole.shape[0] == len(images)
    assert np.isfinite(whole).all()


def check_n_jobs_invariance(estimator, images, y):
    if "n_jobs" not in estimator.get_params():
        return
    one = _fit_transform(clone(estimator).set_params(n_jobs=1), images, y)
    two = _fit_transform(clone(estimator).set_params(n_jobs=2), images, y)
    np.testing.assert_allclose(one, two, rtol=1e-10, atol=1e-12)


def check_deterministic(estimator, images, y):
    np.testing.assert_array_equal(
        _fit_transform(estimator, images, y), _fit_transform(estimator, images, y)
    )


def check_feature_names(estimator, images, y):
    fitted = clone(estimator).fit(images, y)
    names = fitted.get_feature_names_out()
    assert len(names) == fitted.transform(images[:1]).shape[1]
    assert len(set(names)) == len(names)


_CHECKS = (
    check_clone_and_params,
    check_fit_returns_self,
    check_not_fitted,
    check_pickle_round_trip,
    check_batch_equals_parts,
    check_n_jobs_invariance,
    check_deterministic,
    check_feature_names,
)


def image_estimator_checks(estimator, images=None, y=None):
    """Yield ``(estimator, check)`` pairs for pytest parametrisation.

    Parameters
    ----------
    estimator : estimator instance
        An unfitted image-level estimator.
    images : list of ndarray or None, default=None
        The batch to check on; :func:`make_check_images` when None.
    y : array-like or None, default=None
        Labels, for estimators whose ``fit`` uses them.

    Yields
    ------
    estimator, check : estimator, callable
        Call ``check(estimator, images, y)``; it raises ``AssertionError`` on
        failure.
    """
    images = make_check_images() if images is None else images
    for check in _CHECKS:
        yield estimator, check, images, y
