"""Gaussian maximum-likelihood classification, the remote-sensing workhorse."""

from numbers import Integral, Real

import numpy as np
from scipy import linalg, stats
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

from .._kernels.gaussian import (
    REJECT_DISTANCE,
    REJECT_NONE,
    REJECT_POSTERIOR,
    classify_gaussian,
    joint_log_likelihood,
)
from ..parallel import limit_threads
from ..utils._docstring import N_JOBS_DOC, Substitution

__all__ = ["GaussianMLClassifier"]

_FLOAT_DTYPES = [np.float64, np.float32]


def _is_positive_number(value):
    """True for a finite real number above 0 (booleans are not numbers here)."""
    return (not isinstance(value, (bool, np.bool_)) and isinstance(value, Real)
            and bool(np.isfinite(value)) and value > 0)


@Substitution(n_jobs=N_JOBS_DOC)
class GaussianMLClassifier(ClassifierMixin, BaseEstimator):
    """Gaussian maximum-likelihood classifier with an optional reject option.

    Each class is modelled by a multivariate normal density with its own mean
    and covariance, estimated from the training samples of that class; a
    sample goes to the class of largest ``log p(x | k) + log prior_k`` [1]_.
    This is the "maximum likelihood classifier" of remote sensing (with equal
    priors, its default) and the same model as quadratic discriminant
    analysis. Prediction runs in a Numba kernel over blocks of samples, so a
    whole raster of pixels is classified without an
    ``(n_samples, n_classes)`` array.

    Parameters
    ----------
    priors : {'equal', 'empirical'} or dict, default='equal'
        Prior probability of each class. ``'equal'`` gives every class
        ``1 / n_classes`` (pure maximum likelihood); ``'empirical'`` uses the
        class proportions of the training labels; a dict maps every class of
        ``y`` to a positive weight, and the weights are divided by their sum
        (so ``{'water': 1, 'forest': 3}`` means priors 0.25 and 0.75).
    class_weight : 'balanced', dict or None, default=None
        Weights of the classes in scikit-learn's sense: each sample of class
        ``k`` counts ``w_k`` times. The mean and covariance of a class do not
        change when all its samples weigh the same, so only the empirical
        priors do: ``priors_`` is proportional to ``class_count_ * w_k``.
        Hence it requires ``priors='empirical'``. A dict maps classes to
        positive weights (classes left out weigh 1); ``'balanced'`` uses
        ``n_samples / (n_classes * class_count_)``, which makes the priors
        equal. ``None`` weighs every sample 1.
    reg_param : float in [0, 1], default=0.01
        Shrinkage of each class covariance toward a multiple of the identity
        with the same trace: ``(1 - reg_param) * S + reg_param * trace(S) /
        n_features * I``, where ``S`` is the maximum-likelihood (divide by
        ``n``) covariance of the class. It keeps the model defined when a
        class has no more samples than features, and it does not depend on
        the units of the features. 0 disables it.
    reject_threshold : float in (0, 1) or None, default=None
        Turns on the reject option: samples that fail the test chosen by
        ``reject_method`` get ``unknown_label`` instead of a class. ``None``
        assigns every sample to a class.
    reject_method : {'chi2', 'posterior'}, default='chi2'
        The reject test. ``'chi2'`` (typicality) treats ``reject_threshold``
        as a significance level ``alpha``: a sample is rejected when its
        squared Mahalanobis distance to the winning class exceeds the
        ``1 - alpha`` quantile of the chi-square distribution with
        ``n_features`` degrees of freedom, i.e. when it lies outside the
        region holding ``1 - alpha`` of that class's Gaussian.
        ``'posterior'`` rejects a sample when its largest posterior
        probability is below ``reject_threshold``.
    unknown_label : str, int, float or None, default=None
        Label of rejected samples. ``None`` means ``'unknown'`` when the
        classes are strings (or other objects) and ``-1`` when they are
        numbers. It must not be one of the classes.
    block_size : int, default=512
        Number of samples scored together in the kernel; each thread holds
        about ``(2 * n_features + n_classes + 3) * block_size`` float64 values
        at a time. Results do not depend on it.
    {n_jobs}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    class_count_ : ndarray of shape (n_classes,)
        Number of training samples in each class.
    priors_ : ndarray of shape (n_classes,)
        Prior probability of each class; sums to 1.
    means_ : ndarray of shape (n_classes, n_features)
        Mean of each class.
    covariances_ : ndarray of shape (n_classes, n_features, n_features)
        Regularised covariance of each class, the one used to score samples.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :term:`fit`. Defined only when `X` has
        feature names that are all strings.

    See Also
    --------
    sklearn.discriminant_analysis.QuadraticDiscriminantAnalysis : The same
        model, scored with an ``(n_samples, n_features)`` temporary per class.
    RuleClassifier : Hand-written or learned readable rules.

    Notes
    -----
    **Scores.** :meth:`decision_function` returns
    ``log p(x | k) + log prior_k``, the log of the joint density of ``x`` and
    class ``k``, with every constant included::

        -0.5 * (x - m_k)' S_k^-1 (x - m_k) - 0.5 * log det S_k
        - 0.5 * n_features * log(2 pi) + log prior_k

    It differs from the log posterior by ``log p(x)``, the same for every
    class, and from scikit-learn's ``QuadraticDiscriminantAnalysis``
    ``decision_function`` by the constant ``-0.5 * n_features * log(2 pi)``.
    With two classes it is the difference of the two columns, as scikit-learn
    requires. :meth:`predict_proba` normalises the scores with ``logsumexp``.

    **Relation to QDA.** ``GaussianMLClassifier(priors=p, reg_param=r)``
    makes the same decisions as ``QuadraticDiscriminantAnalysis(priors=p,
    solver='eigen', shrinkage=r)`` (which also shrinks the divide-by-``n``
    covariance toward ``trace / n_features * I``). It differs from
    ``QuadraticDiscriminantAnalysis(reg_param=r)``, whose target is the plain
    identity ``I`` and so depends on the units of the features; the two agree
    when ``r = 0``. QDA's default priors are the empirical ones; ours are
    equal, the usual choice of the maximum-likelihood classifier in remote
    sensing.

    **Reject option.** The test is applied after the winner is chosen, so
    :meth:`predict` returns either the winning class or ``unknown_label``.
    :meth:`predict_proba` and :meth:`decision_function` ignore it, and
    :meth:`score` counts rejected samples as errors. The reject parameters are
    read when predicting, so they can be changed with ``set_params`` without
    fitting again. With the ``'chi2'`` test a single class is a valid model
    (a typicality detector for that class).

    **Data types.** float32 input (for example a raster) is read as it is,
    without a float64 copy; arithmetic is float64.

    References
    ----------
    .. [1] J. A. Richards, "Remote Sensing Digital Image Analysis", 6th ed.,
       Springer, 2022, ch. 8 (supervised classification: the maximum
       likelihood classifier, its thresholds and priors).
       :DOI:`10.1007/978-3-030-82327-6`

    Examples
    --------
    >>> import numpy as np
    >>> from classical.classifiers import GaussianMLClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (50, 3)), rng.normal(4, 1, (50, 3))])
    >>> y = np.repeat(["soil", "water"], 50)
    >>> clf = GaussianMLClassifier(reject_threshold=0.001).fit(X, y)
    >>> clf.predict([[0, 0, 0], [4, 4, 4], [40, 0, 0]]).tolist()
    ['soil', 'water', 'unknown']
    """

    _parameter_constraints = {
        "priors": [StrOptions({"equal", "empirical"}), dict],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "reg_param": [Interval(Real, 0, 1, closed="both")],
        "reject_threshold": [Interval(Real, 0, 1, closed="neither"), None],
        "reject_method": [StrOptions({"chi2", "posterior"})],
        "unknown_label": [str, Real, None],
        "block_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, priors="equal", class_weight=None, reg_param=0.01,
                 reject_threshold=None, reject_method="chi2", unknown_label=None,
                 block_size=512, n_jobs=None):
        self.priors = priors
        self.class_weight = class_weight
        self.reg_param = reg_param
        self.reject_threshold = reject_threshold
        self.reject_method = reject_method
        self.unknown_label = unknown_label
        self.block_size = block_size
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Estimate the mean, covariance and prior of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples. float32 and float64 are kept; other types become
            float64.
        y : array-like of shape (n_samples,)
            Class labels. Every class needs at least 2 samples, and more than
            ``n_features`` when ``reg_param=0``.

        Returns
        -------
        self : object
            The fitted classifier.

        Raises
        ------
        ValueError
            If a class has a single sample, if a class covariance is singular
            even after regularisation, if ``priors`` does not match the
            classes, if ``class_weight`` is given without
            ``priors='empirical'`` or does not match the classes, or if
            ``unknown_label`` is one of the classes.
        """
        X, y = validate_data(self, X, y, dtype=_FLOAT_DTYPES)
        check_classification_targets(y)
        self.classes_, y_index, self.class_count_ = np.unique(
            y, return_inverse=True, return_counts=True)
        n_samples, n_features = X.shape
        n_classes = len(self.classes_)
        self.priors_ = self._check_priors(n_samples)

        means = np.empty((n_classes, n_features))
        covariances = np.empty((n_classes, n_features, n_features))
        inv_chol = np.empty((n_classes, n_features, n_features))
        log_det = np.empty(n_classes)
        # Many small matrices: threaded BLAS only adds wake-up costs, which
        # grow to tenths of a second on a busy machine.
        with limit_threads(self.n_jobs, blas=1):
            for k, label in enumerate(self.classes_.tolist()):
                members = X[y_index == k].astype(np.float64)
                means[k] = members.mean(axis=0)
                covariances[k] = self._class_covariance(label, members - means[k])
                chol = linalg.cholesky(covariances[k], lower=True)
                inv_chol[k] = linalg.solve_triangular(chol, np.eye(n_features),
                                                      lower=True)
                log_det[k] = 2.0 * np.sum(np.log(np.diag(chol)))
        self.means_ = means
        self.covariances_ = covariances
        self._inv_chol = inv_chol
        self._offsets = (np.log(self.priors_) - 0.5 * log_det
                         - 0.5 * n_features * np.log(2.0 * np.pi))
        self._reject_setup()  # fail now if unknown_label collides with a class
        return self

    def _check_priors(self, n_samples):
        if self.class_weight is not None and not (
                isinstance(self.priors, str) and self.priors == "empirical"):
            raise ValueError(
                f"class_weight={self.class_weight!r} weighs the class counts behind "
                f"the empirical priors, so it needs priors='empirical'; got "
                f"priors={self.priors!r}, which fixes the priors whatever the "
                "counts. Set priors='empirical' or class_weight=None."
            )
        if isinstance(self.priors, str):
            if self.priors == "equal":
                return np.full(len(self.classes_), 1.0 / len(self.classes_))
            if self.class_weight is None:
                return self.class_count_ / n_samples
            weighted = self.class_count_ * self._class_weights()
            return weighted / weighted.sum()
        classes = self.classes_.tolist()
        missing = [c for c in classes if c not in self.priors]
        unknown = [c for c in self.priors if c not in classes]
        if missing or unknown:
            raise ValueError(
                "priors must have one entry per class of y, with the classes as "
                f"keys. Missing classes: {missing}; keys that are not classes: "
                f"{unknown}. The classes are {classes}."
            )
        weights = []
        for c in classes:
            weight = self.priors[c]
            if not _is_positive_number(weight):
                raise ValueError(
                    f"priors[{c!r}] must be a positive finite number; got "
                    f"{weight!r}. Give each class a positive weight (they are "
                    "divided by their sum)."
                )
            weights.append(float(weight))
        weights = np.asarray(weights)
        return weights / weights.sum()

    def _class_weights(self):
        """``class_weight`` as one positive weight per class, in ``classes_`` order."""
        counts = dict(zip(self.classes_.tolist(), self.class_count_.tolist()))
        if self.class_weight == "balanced":
            return sum(counts.values()) / (len(counts) * self.class_count_)
        unknown = [c for c in self.class_weight if c not in counts]
        if unknown:
            raise ValueError(
                f"class_weight has keys that are not classes of y: {unknown}. The "
                f"classes are {list(counts)}."
            )
        weights = {c: self.class_weight.get(c, 1.0) for c in counts}
        bad = {c: w for c, w in weights.items() if not _is_positive_number(w)}
        if bad:
            raise ValueError(
                f"class_weight must map classes to positive finite numbers; got "
                f"{bad}. Give each listed class a weight above 0."
            )
        return np.array(list(weights.values()), dtype=np.float64)

    def _class_covariance(self, label, centred):
        """Regularised covariance of one class, or a ValueError naming it."""
        n_members, n_features = centred.shape
        if n_members < 2:
            raise ValueError(
                f"Class {label!r} has only 1 sample; its covariance is undefined. "
                "Every class needs at least 2 training samples: add samples or "
                "remove the class."
            )
        cov = centred.T @ centred / n_members
        target = np.trace(cov) / n_features
        cov = (1.0 - self.reg_param) * cov
        cov.flat[::n_features + 1] += self.reg_param * target
        eigenvalues = np.linalg.eigvalsh(cov)
        if eigenvalues[-1] > 0 and eigenvalues[0] > (
                eigenvalues[-1] * n_features * np.finfo(np.float64).eps):
            return cov
        if target == 0:
            reason = (f"every feature is constant within class {label!r}, so its "
                      "covariance is zero and no reg_param can help. Check the "
                      "training samples of this class or remove it.")
        elif self.reg_param == 0 and n_members <= n_features:
            reason = (f"class {label!r} has {n_members} samples for {n_features} "
                      f"features (at least {n_features + 1} are needed without "
                      "regularisation). Raise reg_param, e.g. reg_param=0.01.")
        else:
            reason = (f"the features of class {label!r} are linearly dependent "
                      "(for example a constant or duplicated band). Raise "
                      f"reg_param (currently {self.reg_param}), e.g. "
                      "reg_param=0.01.")
        raise ValueError(f"The covariance matrix of class {label!r} is singular: "
                         + reason)

    def _reject_setup(self):
        """Return (labels with the unknown label appended, kernel mode, bound)."""
        classes = self.classes_
        if self.reject_threshold is None:
            return classes, REJECT_NONE, 0.0
        unknown = self.unknown_label
        if unknown is None:
            unknown = "unknown" if classes.dtype.kind in "OUS" else -1
            where = "The default unknown_label"
        else:
            where = "unknown_label"
        if any(c == unknown for c in classes.tolist()):
            raise ValueError(
                f"{where} {unknown!r} is also a class of y, so rejected samples "
                "could not be told apart from it. Pass another unknown_label, "
                "e.g. unknown_label='rejected'."
            )
        unknown_array = np.asarray(unknown)
        both_numeric = (classes.dtype.kind in "iuf"
                        and unknown_array.dtype.kind in "iuf")
        both_text = classes.dtype.kind == "U" and unknown_array.dtype.kind == "U"
        if both_numeric or both_text:
            dtype = np.result_type(classes.dtype, unknown_array.dtype)
        else:
            dtype = object
        labels = np.empty(len(classes) + 1, dtype=dtype)
        labels[:-1] = classes
        labels[-1] = unknown
        if self.reject_method == "chi2":
            bound = stats.chi2.isf(self.reject_threshold, df=self.n_features_in_)
            return labels, REJECT_DISTANCE, float(bound)
        return labels, REJECT_POSTERIOR, 1.0 / self.reject_threshold

    def _validated(self, X):
        check_is_fitted(self)
        return validate_data(self, X, dtype=_FLOAT_DTYPES, order="C", reset=False)

    def _scores(self, X):
        X = self._validated(X)
        with limit_threads(self.n_jobs):
            return joint_log_likelihood(X, self.means_, self._inv_chol,
                                        self._offsets, self.block_size)

    def predict(self, X):
        """Assign each sample to its most likely class, or reject it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples; a float32 array is read without a copy.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            A class of ``classes_`` for each sample, or ``unknown_label`` for
            a rejected sample when ``reject_threshold`` is set.
        """
        X = self._validated(X)
        return self._decide(X, self.means_, self._inv_chol, triangular=True)

    def predict_projected(self, X, weights, offset):
        """Predict the classes of ``X @ weights + offset`` without forming it.

        For a model fitted on a linear projection of the input (a PCA of
        the bands, as in the ``pixel-mlc`` preset), this classifies the
        original rows in one pass: the projection is folded into each
        class's whitening matrix, so neither the projected rows nor a float
        copy of integer pixels are made. The result is that of
        ``predict(X @ weights + offset)``, up to rounding.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_inputs)
            Rows before the projection; integer pixels are read as they are.
        weights : array-like of shape (n_inputs, n_features_in_)
            The projection's matrix; its transpose must have full row rank
            (as the components of a PCA).
        offset : array-like of shape (n_features_in_,)
            The projection's offset.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            As :meth:`predict` returns.

        Raises
        ------
        ValueError
            If the shapes of ``X``, ``weights`` and ``offset`` do not fit
            together and with the model.

        Notes
        -----
        With ``z = W' x + o``, class ``k``'s distance
        ``||L_k (z - m_k)||`` is ``||(L_k W') (x - mu_k)||`` for any
        ``mu_k`` with ``W' mu_k = m_k - o``; the least-squares solution is
        exact when ``W'`` has full row rank. When the projection keeps as
        many features as it reads, ``L_k W'`` is square and is replaced by
        the lower-triangular factor of its QL decomposition (the QR
        decomposition of the matrix with rows and columns reversed), which
        gives the same norms for a little over half the arithmetic.
        """
        check_is_fitted(self)
        X = check_array(X, dtype="numeric", order="C")
        weights = check_array(weights, dtype=np.float64)
        offset = np.asarray(offset, dtype=np.float64)
        if weights.shape != (X.shape[1], self.n_features_in_) \
                or offset.shape != (self.n_features_in_,):
            raise ValueError(
                f"weights must have shape (n_inputs, n_features_in_) = "
                f"({X.shape[1]}, {self.n_features_in_}) for X with {X.shape[1]} "
                f"columns, and offset ({self.n_features_in_},); got "
                f"{weights.shape} and {offset.shape}.")
        means = linalg.lstsq(weights.T, (self.means_ - offset).T)[0].T
        maps = self._inv_chol @ weights.T
        square = maps.shape[1] == maps.shape[2]
        if square:  # a QL decomposition: A = Q L, so ||A v|| = ||L v||, L lower
            maps = np.linalg.qr(maps[:, ::-1, ::-1], mode="r")[:, ::-1, ::-1]
        return self._decide(X, np.ascontiguousarray(means),
                            np.ascontiguousarray(maps), triangular=square)

    def _decide(self, X, means, maps, *, triangular):
        """Labels of the kernel's decisions (with the reject option)."""
        self._validate_params()  # the reject parameters are read here
        labels, mode, bound = self._reject_setup()
        with limit_threads(self.n_jobs):
            index = classify_gaussian(X, means, maps, self._offsets, mode, bound,
                                      self.block_size, triangular)
        return labels.take(index)

    def decision_function(self, X):
        """Log of the joint density of each sample and each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            ``log p(x | k) + log prior_k``; for two classes, the second
            column minus the first (the log posterior odds of
            ``classes_[1]``). See Notes.
        """
        scores = self._scores(X)
        if len(self.classes_) == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict_log_proba(self, X):
        """Log posterior probability of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log p(k | x)``, columns in the order of ``classes_``. The reject
            option does not apply.
        """
        scores = self._scores(X)
        scores -= logsumexp(scores, axis=1, keepdims=True)
        return scores

    def predict_proba(self, X):
        """Posterior probability of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``p(k | x)``; rows sum to 1, columns in the order of ``classes_``.
            The reject option does not apply.
        """
        return np.exp(self.predict_log_proba(X))
