"""The peers a remote-sensing user would otherwise pick, driven from pixel rows.

:class:`SpyGaussian` is Spectral Python's ``GaussianClassifier`` (Gaussian
maximum likelihood, equal priors, ``min_samples`` = bands by default) trained
from a ``TrainingClassSet`` built by ``spectral.create_training_classes`` on
the rows laid out as an ``(n, 1, B)`` image. With ``pca_fraction`` it first
projects on SPy's ``principal_components`` of the training rows, keeping the
components that hold that fraction of the variance (``reduce(fraction=...)``,
the recipe of SPy's user guide for hyperspectral cubes).

:func:`tuned_qda` is scikit-learn's ``QuadraticDiscriminantAnalysis`` behind a
``StandardScaler`` (so the regularisation treats every band alike), its
regularisation chosen by 3-fold stratified cross-validation on the training
rows only, among ``solver='svd'`` with ``reg_param`` in :data:`REG_PARAMS` and
``solver='eigen'`` with ``shrinkage`` in :data:`SHRINKAGES` (``'auto'``:
Ledoit-Wolf). The svd solver refuses a class with fewer pixels than bands, so
on Salinas-A only the shrunk eigen solver can be chosen.
"""

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

REG_PARAMS = (0.0, 1e-4, 1e-3, 1e-2, 0.1, 0.3, 0.6, 0.9)
SHRINKAGES = ("auto", 1e-3, 1e-2, 0.1, 0.3, 0.6, 0.9)
_STEP = "quadraticdiscriminantanalysis__"
logging.getLogger("spectral").setLevel(logging.ERROR)  # one warning per omitted class


class SpyGaussian(ClassifierMixin, BaseEstimator):
    """Spectral Python's GaussianClassifier with a fit/predict face."""

    def __init__(self, *, pca_fraction=None):
        self.pca_fraction = pca_fraction

    def fit(self, X, y):
        import spectral

        X = np.asarray(X, dtype=np.float64)
        self.classes_, index = np.unique(y, return_inverse=True)
        self.pca_ = None
        if self.pca_fraction is not None:
            self.pca_ = spectral.principal_components(X[:, None, :]).reduce(
                fraction=self.pca_fraction)
            X = self._project(X)
        training = spectral.create_training_classes(X[:, None, :], index[:, None] + 1)
        self.model_ = spectral.GaussianClassifier(training)
        if not self.model_.classes:
            raise ValueError(
                f"SPy's GaussianClassifier omitted every class: each has fewer than "
                f"{training.nbands} training pixels (its default min_samples = bands)")
        return self

    def _project(self, X):
        """``X`` (rows or an image) on the kept principal components, if any."""
        if self.pca_ is None:
            return np.asarray(X)
        return self.pca_.transform(np.asarray(X, dtype=np.float64))

    def classify_image(self, image):
        """SPy's own image path on an ``(H, W, B)`` array: class indices + 1."""
        return self.model_.classify_image(self._project(image))

    def predict(self, X):
        codes = self.model_.classify_image(self._project(X)[:, None, :])[:, 0]
        return self.classes_[codes - 1]


def tuned_qda():
    """StandardScaler + QDA, regularisation chosen by CV on the training rows."""
    grid = [{_STEP + "solver": ["svd"], _STEP + "reg_param": list(REG_PARAMS)},
            {_STEP + "solver": ["eigen"], _STEP + "shrinkage": list(SHRINKAGES)}]
    return GridSearchCV(
        make_pipeline(StandardScaler(), QuadraticDiscriminantAnalysis()), grid,
        cv=StratifiedKFold(3, shuffle=True, random_state=0), error_score=0.0)


def chosen_regularisation(model):
    """The QDA settings the search kept, e.g. ``'eigen, shrinkage=auto'``."""
    params = {key.removeprefix(_STEP): value
              for key, value in model.best_params_.items()}
    solver = params.pop("solver")
    return f"{solver}, " + ", ".join(f"{key}={value}" for key, value in params.items())
