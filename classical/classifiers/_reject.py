"""A reject option for any classifier: answer "unknown" when unsure or novel."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d
from sklearn_compat.base import _fit_context

from ..utils._docstring import Substitution

__all__ = ["RejectOption"]

_SAMPLES = Substitution(samples=(
    "X : array-like of shape (n_samples, n_features) or a batch of images\n"
    "            Samples, as for ``estimator``."))


def _fitted_has(name):
    """available_if test: the wrapped (fitted, else given) estimator has ``name``."""
    def check(self):
        return hasattr(getattr(self, "estimator_", self.estimator), name)
    return check


class RejectOption(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Wrap a classifier so that it answers ``unknown_label`` when unsure.

    :meth:`predict` gives the wrapped classifier's class, or ``unknown_label``
    when the sample's *confidence* (:meth:`confidence`) is below
    ``threshold``. Two confidences are offered:

    - ``'probability'``: the largest class probability of the wrapped model.
      It says how sure the model is *between the classes it knows*; a
      discriminative model is often sure about images of a class it never saw.
    - ``'distance'``: a novelty test in feature space. The score of a sample
      predicted as class ``k`` is its distance to the ``n_neighbors``-th
      nearest training sample of class ``k``; its confidence is the share of
      class ``k``'s training samples that lie at least as far from their own
      ``n_neighbors``-th nearest class-mate (the conformal p-value of that
      score [1]_, [2]_). The confidence of a new sample of a known class is
      then close to uniform on [0, 1], so ``threshold`` is the share of known
      samples rejected (``threshold=0.05``: about 5%), whatever the units and
      dimension of the features; samples far from every training sample of
      their predicted class (an unseen class, or a misclassified sample) get
      a confidence near 0.

    Parameters
    ----------
    estimator : classifier
        Any scikit-learn classifier or :class:`~sklearn.pipeline.Pipeline`
        (a preset included). It is cloned in :meth:`fit`. With the
        ``'probability'`` method a classifier without ``predict_proba`` (only
        ``decision_function``) is wrapped in
        :class:`~sklearn.calibration.CalibratedClassifierCV` (sigmoid, 5 folds);
        for a pipeline only its final step is, so that the features are
        computed once (as the presets' SVMs are calibrated).
    threshold : float in [0, 1], default=0.7
        A sample whose confidence is below it is rejected; 0 rejects nothing.
        For ``'probability'`` it is a probability (0.7: "route predictions
        below 70% confidence to unknown"); for ``'distance'`` it is the target
        share of known samples rejected, so take a small value (0.05 to 0.1).
        Read when predicting: ``set_params(threshold=...)`` needs no new fit.
    unknown_label : str, int or float, default='unknown'
        Answer of rejected samples; it must not be a class of ``y``.
    method : {'probability', 'distance'}, default='probability'
        The confidence, as described above.
    n_neighbors : int, default=5
        ``k`` of the ``'distance'`` method (capped at a class's size minus 1).
        Ignored by ``'probability'``.

    Attributes
    ----------
    estimator_ : classifier
        The fitted copy of ``estimator`` (calibrated when it had no
        ``predict_proba`` and the method is ``'probability'``).
    classes_ : ndarray of shape (n_classes,)
        The classes of ``estimator_``.
    reference_scores_ : list of ndarray
        For ``'distance'``: for each class, in ``classes_`` order, the sorted
        leave-one-out distances of its training samples to their
        ``n_neighbors``-th nearest class-mate.

    Notes
    -----
    **Feature space.** For a :class:`~sklearn.pipeline.Pipeline` the
    distances are measured on the output of all steps but the last (for the
    presets: the scaled feature vectors the classifier sees); for any other
    estimator, on ``X``. The pipeline's transformers are fitted once, and
    their training output is kept for the neighbour search.

    **Why leave-one-out scores.** The reference distances of a training
    sample leave that sample out, so they are measured the way a new sample's
    are; the fitted transformers have seen the training samples, so with
    transformers that adapt closely to them (not a scaler or a fixed
    extractor) the reference scores are slightly optimistic and a little more
    than ``threshold`` of new known samples is rejected.

    **Errors are rejected too.** A misclassified known sample lies far from
    the class it was wrongly given, so the distance rule also rejects many
    of the model's errors.

    :meth:`predict_proba` and :meth:`decision_function` are the wrapped
    model's; :meth:`score` is the accuracy of :meth:`predict`, so rejected
    samples count as errors (as in
    :class:`~classical.classifiers.GaussianMLClassifier`).

    References
    ----------
    .. [1] V. Vovk, A. Gammerman, G. Shafer, "Algorithmic Learning in a Random
       World", Springer, 2005, ch. 4 (conformal p-values, nearest-neighbour
       nonconformity). :DOI:`10.1007/b106715`
    .. [2] R. Laxhammar, G. Falkman, "Inductive conformal anomaly detection for
       sequential detection of anomalous sub-trajectories", Annals of
       Mathematics and Artificial Intelligence 74, 2015.
       :DOI:`10.1007/s10472-013-9381-7`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from classical.classifiers import RejectOption
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
    >>> y = np.repeat(["soil", "water"], 50)
    >>> clf = RejectOption(LogisticRegression(), method="distance",
    ...                    threshold=0.05).fit(X, y)
    >>> clf.predict([[0, 0], [6, 6], [40, -40]]).tolist()
    ['soil', 'water', 'unknown']
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "unknown_label": [str, Real],
        "method": [StrOptions({"probability", "distance"})],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, estimator, *, threshold=0.7, unknown_label="unknown",
                 method="probability", n_neighbors=5):
        self.estimator = estimator
        self.threshold = threshold
        self.unknown_label = unknown_label
        self.method = method
        self.n_neighbors = n_neighbors

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags = inner.input_tags
        tags.classifier_tags.multi_class = inner.classifier_tags.multi_class
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a copy of ``estimator`` and, for ``'distance'``, the reference.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or a batch of images
            Whatever ``estimator`` takes.
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to ``estimator.fit`` (for ``'distance'`` with a pipeline,
            to its final step).

        Returns
        -------
        self : object
            The fitted meta-estimator.

        Raises
        ------
        ValueError
            If ``unknown_label`` is a class of ``y``, or, for ``'distance'``,
            if a class has a single training sample.
        """
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        estimator = clone(self.estimator)
        if self.method == "probability":
            if not hasattr(estimator, "predict_proba"):
                estimator = self._calibrated(estimator)
            self.estimator_ = estimator.fit(X, y, **fit_params)
        else:
            self.estimator_ = estimator
            features = self._fit_features(X, y, fit_params)
            self._fit_reference(features, y)
        self.classes_ = self.estimator_.classes_
        if any(c == self.unknown_label for c in self.classes_.tolist()):
            raise ValueError(
                f"unknown_label {self.unknown_label!r} is also a class of y, so "
                "rejected samples could not be told apart from it. Pass another "
                "unknown_label, e.g. unknown_label='rejected'.")
        return self

    def _calibrated(self, estimator):
        """Calibrate the classifier (a pipeline's final step: features once)."""
        if self._transformer(estimator) is None:
            return CalibratedClassifierCV(estimator, method="sigmoid")
        name, final = estimator.steps[-1]
        return estimator.set_params(
            **{name: CalibratedClassifierCV(final, method="sigmoid")})

    def _transformer(self, estimator):
        """The steps before the classifier (None when there are none)."""
        if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
            return estimator[:-1]
        return None

    def _fit_features(self, X, y, fit_params):
        """Fit ``estimator_`` transforming X once; return the training features."""
        transformer = self._transformer(self.estimator_)
        if transformer is None:
            self.estimator_.fit(X, y, **fit_params)
            return check_array(X, accept_sparse="csr", dtype=np.float64)
        features = transformer.fit_transform(X, y)
        self.estimator_[-1].fit(features, y, **fit_params)
        return check_array(features, accept_sparse="csr", dtype=np.float64)

    def _features(self, X):
        transformer = self._transformer(self.estimator_)
        features = X if transformer is None else transformer.transform(X)
        return check_array(features, accept_sparse="csr", dtype=np.float64)

    def _fit_reference(self, features, y):
        classes, y_index = np.unique(y, return_inverse=True)
        self._neighbours, self.reference_scores_ = [], []
        for k, label in enumerate(classes.tolist()):
            members = features[y_index == k]
            if members.shape[0] < 2:
                raise ValueError(
                    f"Class {label!r} has 1 training sample; the 'distance' method "
                    "needs at least 2 per class to measure how far a sample lies "
                    "from its class-mates. Add samples, remove the class, or use "
                    "method='probability'.")
            n_neighbors = min(self.n_neighbors, members.shape[0] - 1)
            search = NearestNeighbors(n_neighbors=n_neighbors).fit(members)
            # each training sample is its own nearest neighbour: ask for one more
            distances, _ = search.kneighbors(members, n_neighbors + 1)
            self._neighbours.append(search)
            self.reference_scores_.append(np.sort(distances[:, -1]))

    def _decide(self, X):
        """Predicted classes and their confidences, transforming X once."""
        check_is_fitted(self)
        if self.method == "probability":
            proba = self.estimator_.predict_proba(X)
            return self.classes_[np.argmax(proba, axis=1)], proba.max(axis=1)
        features = self._features(X)
        final = self.estimator_[-1] if self._transformer(self.estimator_) else \
            self.estimator_
        y_pred = final.predict(features)
        index = np.searchsorted(self.classes_, y_pred)
        confidence = np.empty(len(y_pred))
        for k, (search, reference) in enumerate(zip(self._neighbours,
                                                    self.reference_scores_)):
            rows = np.flatnonzero(index == k)
            if rows.size:
                distances, _ = search.kneighbors(features[rows])
                # conformal p-value: (1 + #{reference >= score}) / (n + 1)
                at_least = len(reference) - np.searchsorted(
                    reference, distances[:, -1], side="left")
                confidence[rows] = (1.0 + at_least) / (len(reference) + 1.0)
        return y_pred, confidence

    @_SAMPLES
    def confidence(self, X):
        """The confidence that :meth:`predict` compares with ``threshold``.

        Parameters
        ----------
        {samples}

        Returns
        -------
        confidence : ndarray of shape (n_samples,)
            In [0, 1]: the top probability (``'probability'``) or the conformal
            p-value of the distance to the predicted class (``'distance'``).
        """
        return self._decide(X)[1]

    @_SAMPLES
    def predict(self, X):
        """The wrapped model's class, or ``unknown_label`` where rejected.

        Parameters
        ----------
        {samples}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Classes and ``unknown_label``; the dtype holds both (object when
            one is text and the other a number).
        """
        y_pred, confidence = self._decide(X)
        rejected = confidence < self.threshold
        if not rejected.any():
            return y_pred
        unknown = np.asarray(self.unknown_label)
        if (y_pred.dtype.kind in "iuf") == (unknown.dtype.kind in "iuf"):
            dtype = np.result_type(y_pred.dtype, unknown.dtype)
        else:
            dtype = object
        answer = y_pred.astype(dtype)
        answer[rejected] = self.unknown_label
        return answer

    @property
    def n_features_in_(self):
        """Number of features of ``X`` seen by the wrapped model's first step."""
        return self.estimator_.n_features_in_

    @available_if(_fitted_has("predict_proba"))
    @_SAMPLES
    def predict_proba(self, X):
        """The wrapped model's class probabilities, unchanged by rejection.

        Parameters
        ----------
        {samples}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in ``classes_`` order.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_fitted_has("decision_function"))
    @_SAMPLES
    def decision_function(self, X):
        """The wrapped model's decision values, unchanged by rejection.

        Parameters
        ----------
        {samples}

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            As the wrapped model gives them.
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)
