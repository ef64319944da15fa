"""Visual vocabulary: k-means words learnt from a sample of local descriptors."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

from .._kernels import assign
from .._local_features import (
    as_ragged,
    check_descriptor_length,
    is_ragged,
    sample_rows,
)
from ..utils._docstring import N_JOBS_DOC, RANDOM_STATE_DOC, Substitution
from ._base import BaseLocalEncoder, kernel_threads

__all__ = ["VisualVocabulary"]


ENCODER_PARAMS_DOC = """vocabulary : VisualVocabulary or None, default=None
        A fitted vocabulary to use as is; ``fit`` then learns nothing.
    sample_size : int, default=100_000
        Descriptors sampled to learn the vocabulary.
    max_iter : int, default=100
        Maximum k-means iterations."""

ENCODER_ATTRIBUTES_DOC = """vocabulary_ : VisualVocabulary
        The fitted vocabulary (``vocabulary`` itself when given)."""

SOFT_PARAMS_DOC = """n_nearest : int, default=5
        With ``assignment='soft'``: the number of nearest words among which
        each descriptor spreads its weight (all words when larger than
        ``n_words``).
    sigma : float or None, default=None
        With ``assignment='soft'``: the width of the Gaussian kernel, in
        descriptor units. None learns it in ``fit`` as the median distance of
        the sampled training descriptors to their nearest word."""

SOFT_ATTRIBUTES_DOC = """sigma_ : float
        The kernel width used (``sigma``, or the learnt median); only with
        ``assignment='soft'``."""

SOFT_NOTES_DOC = """Soft assignment is the codeword-uncertainty kernel codebook of [3]_
    restricted to the k nearest words (localised soft assignment [4]_): a
    descriptor ``x`` gives word ``c_j``, among its ``n_nearest`` nearest, the
    weight ``exp(-||x - c_j||^2 / (2 sigma^2))`` divided by the sum over
    those words, so each descriptor weighs 1 in total. The weights are
    computed in float64 from the squared distances minus the nearest one
    (which leaves them unchanged and cannot underflow). A learnt
    ``sigma_`` of 0 (every sampled descriptor equal to a word) gives all the
    weight to the nearest word(s). ``n_nearest=1`` is hard assignment."""

SOFT_REFERENCES_DOC = """.. [3] J. C. van Gemert, C. J. Veenman, A. W. M. Smeulders and
       J.-M. Geusebroek, "Visual word ambiguity," IEEE TPAMI 32(7), 2010,
       :DOI:`10.1109/TPAMI.2009.132`.
    .. [4] L. Liu, L. Wang and X. Liu, "In defense of soft-assignment
       coding," ICCV 2011, :DOI:`10.1109/ICCV.2011.6126534`."""


def nearest_words(descriptors, words, *, n_jobs=None):
    """Index of the nearest word of each validated descriptor (kernel call)."""
    words = np.ascontiguousarray(words, dtype=descriptors.dtype)
    with kernel_threads(n_jobs):
        return assign.nearest_words(descriptors, words, assign.squared_norms(words))[0]


@Substitution(random_state=RANDOM_STATE_DOC, n_jobs=N_JOBS_DOC)
class VisualVocabulary(BaseEstimator):
    """Codebook of visual words: k-means centres of a sample of descriptors.

    The vocabulary-trainer role of a bag-of-words pipeline [1]_: ``fit`` draws
    up to ``sample_size`` descriptors at random, seeds the words by k-means++
    on ``init_size`` of them, and refines them by Lloyd iterations on the
    whole sample with scikit-learn's :class:`~sklearn.cluster.KMeans`;
    ``predict`` assigns descriptors to their nearest
    word with a Numba kernel that never holds more than a block of the
    descriptor-by-word distance matrix.

    Parameters
    ----------
    n_words : int, default=256
        Number of visual words (k-means clusters).
    sample_size : int, default=100_000
        Descriptors drawn without replacement to fit the words; all of them
        when fewer are given.
    init_size : int or None, default=None
        Descriptors (drawn from the sample) on which k-means++ chooses the
        initial words; None means ``40 * n_words``. Always at least
        ``n_words`` and at most the sample. Seeding costs
        ``O(init_size * n_words * log(n_words))``, which on the whole sample
        would dominate the fit.
    max_iter : int, default=100
        Maximum number of Lloyd iterations.
    tol : float, default=1e-4
        Relative tolerance of k-means convergence (see
        :class:`~sklearn.cluster.KMeans`).
    {random_state}
    {n_jobs}
        Used by ``predict``; k-means uses scikit-learn's own threads.

    Attributes
    ----------
    words_ : ndarray of shape (n_words, n_features)
        The visual words, in the dtype of the fitted descriptors.
    inertia_ : float
        Sum of squared distances of the sampled descriptors to their word.
    n_iter_ : int
        Lloyd iterations run.
    n_features_in_ : int
        Descriptor length seen during ``fit``.

    See Also
    --------
    BagOfVisualWords : Histogram of words per image.
    VLADEncoder : Residuals to the words per image.

    Notes
    -----
    ``fit`` takes either one ``(n_descriptors, d)`` array of stacked
    descriptors or a batch of per-image sets (a list of ``(n_i, d)`` arrays or
    an object with ``descriptors`` and ``offsets``); the images then only
    pool their descriptors. ``predict`` takes a 2-D array. Ties between
    equidistant words go to the lowest index.

    References
    ----------
    .. [1] J. Sivic and A. Zisserman, "Video Google: a text retrieval approach
       to object matching in videos," ICCV 2003,
       :DOI:`10.1109/ICCV.2003.1238663`.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.encoders import VisualVocabulary
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> vocabulary = VisualVocabulary(n_words=2, random_state=0).fit(X)
    >>> labels = vocabulary.predict(X)
    >>> bool(labels[0] == labels[1] and labels[2] == labels[3] != labels[0])
    True
    """

    _parameter_constraints = {
        "n_words": [Interval(Integral, 1, None, closed="left")],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
        "init_size": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, n_words=256, sample_size=100_000, init_size=None,
                 max_iter=100, tol=1e-4, random_state=None, n_jobs=None):
        self.n_words = n_words
        self.sample_size = sample_size
        self.init_size = init_size
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the words from (a sample of) the descriptors.

        Parameters
        ----------
        X : array-like of shape (n_descriptors, n_features) or list of ndarray of \
shape (n_i, n_features)
            Stacked descriptors, or one descriptor set per image.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted vocabulary.
        """
        if is_ragged(X):
            X = as_ragged(X)[0]
            check_descriptor_length(self, X, reset=True)
        else:
            X = validate_data(self, X, dtype=[np.float64, np.float32])
        n_samples = X.shape[0]
        if n_samples < self.n_words:
            raise ValueError(
                f"VisualVocabulary needs at least n_words={self.n_words} descriptors "
                f"to fit, got n_samples={n_samples}. Pass more descriptors or lower "
                "n_words.")
        rng = check_random_state(self.random_state)
        X = sample_rows(X, self.sample_size, rng)
        init_size = 40 * self.n_words if self.init_size is None else self.init_size
        init_size = min(max(init_size, self.n_words), len(X))
        seeds = X[rng.choice(len(X), init_size, replace=False)]
        init = kmeans_plusplus(seeds, self.n_words, random_state=rng)[0]
        kmeans = KMeans(n_clusters=self.n_words, init=init, n_init=1,
                        max_iter=self.max_iter, tol=self.tol, random_state=rng)
        kmeans.fit(X)
        self.words_ = np.ascontiguousarray(kmeans.cluster_centers_, dtype=X.dtype)
        self.inertia_ = float(kmeans.inertia_)
        self.n_iter_ = int(kmeans.n_iter_)
        return self

    def predict(self, X):
        """Index of the nearest word of each descriptor.

        Parameters
        ----------
        X : array-like of shape (n_descriptors, n_features)
            Descriptors.

        Returns
        -------
        labels : ndarray of shape (n_descriptors,)
            Word index in ``[0, n_words)``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32],
                          order="C")
        return nearest_words(X, self.words_, n_jobs=self.n_jobs)


class _VocabularyEncoder(BaseLocalEncoder):
    """Shared ``fit`` of the encoders built on a visual vocabulary.

    ``_fit`` learns the vocabulary (unless a fitted one was given) and, for
    ``assignment='soft'`` with ``sigma=None``, the kernel width; subclasses
    implement ``_encode`` (reading the words with ``_words``) and may
    implement ``_fit_encoding(descriptors, offsets, words)`` to learn more.
    They have the parameters ``assignment``, ``n_nearest`` and ``sigma``.
    """

    _parameter_constraints = {
        "n_words": [Interval(Integral, 1, None, closed="left")],
        "assignment": [StrOptions({"hard", "soft"})],
        "n_nearest": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "vocabulary": [HasMethods(["fit", "predict"]), None],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def _fit(self, descriptors, offsets):
        if self.vocabulary is None:
            self.vocabulary_ = VisualVocabulary(
                n_words=self.n_words, sample_size=self.sample_size,
                max_iter=self.max_iter, random_state=self.random_state,
                n_jobs=self.n_jobs).fit(descriptors)
        else:
            check_is_fitted(self.vocabulary, "words_")
            self.vocabulary_ = self.vocabulary
        length = self.vocabulary_.words_.shape[1]
        if descriptors.shape[1] != length:
            raise ValueError(
                f"X has descriptors of length {descriptors.shape[1]}, but the "
                f"vocabulary's words have length {length}. Fit the "
                "vocabulary on descriptors of the same kind.")
        words = self._words(descriptors.dtype)
        if self.assignment == "soft":
            if self.sigma is None:
                if len(descriptors) == 0:
                    raise ValueError(
                        "sigma=None learns the kernel width from the descriptors "
                        "given to fit, but X holds none. Pass descriptors or set "
                        "sigma to a positive float.")
                sample = sample_rows(descriptors, self.sample_size,
                                     self.random_state)
                with kernel_threads(self.n_jobs):
                    distances = assign.nearest_words(
                        sample, words, assign.squared_norms(words))[1]
                self.sigma_ = float(np.median(np.sqrt(distances)))
            else:
                self.sigma_ = float(self.sigma)
        self._fit_encoding(descriptors, offsets, words)

    def _fit_encoding(self, descriptors, offsets, words):
        """Learn what the encoding needs beyond the words (nothing here)."""

    def _words(self, dtype):
        """The vocabulary's words, C-contiguous in the descriptors' ``dtype``."""
        return np.ascontiguousarray(self.vocabulary_.words_, dtype=dtype)

    def _soft_arguments(self, words):
        """``(soft, n_nearest, sigma)`` for the kernels; n_nearest <= n_words."""
        if self.assignment == "soft":
            return True, min(self.n_nearest, len(words)), self.sigma_
        return False, 1, 0.0
