"""Bag of visual words: a histogram of nearest words per image."""

import numpy as np
from sklearn.preprocessing import normalize
from sklearn.utils._param_validation import StrOptions

from .._kernels import assign
from ..utils._docstring import N_JOBS_DOC, RANDOM_STATE_DOC, Substitution
from ._base import kernel_threads
from ._power import power_normalize
from ._vocabulary import (
    ENCODER_ATTRIBUTES_DOC,
    ENCODER_PARAMS_DOC,
    SOFT_ATTRIBUTES_DOC,
    SOFT_NOTES_DOC,
    SOFT_PARAMS_DOC,
    SOFT_REFERENCES_DOC,
    _VocabularyEncoder,
    nearest_words,
)

__all__ = ["BagOfVisualWords"]


def _normalize_rows(X, norm):
    if norm is None:
        return X
    if norm == "power+l2":
        return power_normalize(X, norm="l2")
    return normalize(X, norm=norm, copy=False)


@Substitution(random_state=RANDOM_STATE_DOC, n_jobs=N_JOBS_DOC,
              encoder_params=ENCODER_PARAMS_DOC,
              encoder_attributes=ENCODER_ATTRIBUTES_DOC, soft_params=SOFT_PARAMS_DOC,
              soft_attributes=SOFT_ATTRIBUTES_DOC, soft_notes=SOFT_NOTES_DOC,
              soft_references=SOFT_REFERENCES_DOC)
class BagOfVisualWords(_VocabularyEncoder):
    """Histogram of visual words per image (bag of visual words).

    Each descriptor of an image votes for its nearest word [1]_ [2]_, or
    spreads one vote over its nearest words (soft assignment [3]_ [4]_); the
    image is the normalised count of votes per word, optionally weighted by
    inverse document frequency [1]_.

    Parameters
    ----------
    n_words : int, default=256
        Number of visual words learnt by ``fit`` (ignored with
        ``vocabulary``).
    assignment : {'hard', 'soft'}, default='hard'
        How descriptors vote: ``'hard'`` gives one vote to the nearest word,
        ``'soft'`` splits one vote over the ``n_nearest`` nearest words by a
        Gaussian kernel of their distances (see Notes).
    {soft_params}
    tfidf : bool, default=False
        Multiply the counts of word ``k`` by
        ``idf_k = log(n_images / (1 + df_k)) + 1`` before normalisation,
        where ``n_images`` is the number of images given to ``fit`` and
        ``df_k`` the number of them in which word ``k`` has a non-zero count.
    normalize : {'l2', 'l1', 'power+l2'} or None, default='l2'
        Row normalisation of the (weighted) counts: ``'l1'`` gives
        frequencies, ``'power+l2'`` the signed square root then L2
        (Hellinger geometry), None raw counts.
    {encoder_params}
    {random_state}
    {n_jobs}

    Attributes
    ----------
    {encoder_attributes}
    {soft_attributes}
    idf_ : ndarray of shape (n_words,)
        The inverse document frequencies; only with ``tfidf=True``.
    n_features_in_ : int
        Descriptor length.

    See Also
    --------
    VisualVocabulary : The words.
    VLADEncoder : Residual encoding over the same words.

    Notes
    -----
    An image without descriptors is encoded as a zero row.

    {soft_notes}

    The idf is always positive (at least ``1 - log 2``); the ``1 +`` in the
    denominator keeps it finite for a word that no training image uses.
    scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfTransformer`
    (``smooth_idf=True``) adds 1 to ``n_images`` as well; Sivic and
    Zisserman [1]_ use ``log(n_images / df_k)``. With soft assignment a word
    counts in ``df_k`` as soon as it gets any weight in the image.

    References
    ----------
    .. [1] J. Sivic and A. Zisserman, "Video Google: a text retrieval approach
       to object matching in videos," ICCV 2003,
       :DOI:`10.1109/ICCV.2003.1238663`.
    .. [2] G. Csurka, C. Dance, L. Fan, J. Willamowski and C. Bray, "Visual
       categorization with bags of keypoints," ECCV Workshop on Statistical
       Learning in Computer Vision, 2004.
    {soft_references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.encoders import BagOfVisualWords
    >>> rng = np.random.default_rng(0)
    >>> images = [rng.random((30, 8), dtype=np.float32) for _ in range(4)]
    >>> BagOfVisualWords(n_words=5, random_state=0).fit_transform(images).shape
    (4, 5)
    """

    _parameter_constraints = {
        **_VocabularyEncoder._parameter_constraints,
        "tfidf": ["boolean"],
        "normalize": [StrOptions({"l1", "l2", "power+l2"}), None],
    }

    def __init__(self, *, n_words=256, assignment="hard", n_nearest=5, sigma=None,
                 tfidf=False, normalize="l2", vocabulary=None, sample_size=100_000,
                 max_iter=100, random_state=None, n_jobs=None):
        self.n_words = n_words
        self.assignment = assignment
        self.n_nearest = n_nearest
        self.sigma = sigma
        self.tfidf = tfidf
        self.normalize = normalize
        self.vocabulary = vocabulary
        self.sample_size = sample_size
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _counts(self, descriptors, offsets, words):
        """Hard or soft word counts per image, float64."""
        n_images = len(offsets) - 1
        n_words = len(words)
        soft, n_nearest, sigma = self._soft_arguments(words)
        if soft:
            counts = np.empty((n_images, n_words))
            with kernel_threads(self.n_jobs):
                assign.soft_counts(descriptors, offsets, words,
                                   assign.squared_norms(words), n_nearest, sigma,
                                   counts)
            return counts
        labels = nearest_words(descriptors, words, n_jobs=self.n_jobs)
        images = np.repeat(np.arange(n_images), np.diff(offsets))
        counts = np.bincount(images * n_words + labels, minlength=n_images * n_words)
        return counts.reshape(n_images, n_words).astype(np.float64)

    def _fit_encoding(self, descriptors, offsets, words):
        if self.tfidf:
            document_frequency = (self._counts(descriptors, offsets, words) > 0).sum(0)
            self.idf_ = np.log((len(offsets) - 1) / (1.0 + document_frequency)) + 1.0

    def _encode(self, descriptors, offsets):
        counts = self._counts(descriptors, offsets, self._words(descriptors.dtype))
        if self.tfidf:
            counts *= self.idf_
        return _normalize_rows(counts, self.normalize)

    def _feature_names(self):
        """``word0``, ``word1``, ...: one column per word."""
        return [f"word{k}" for k in range(len(self.vocabulary_.words_))]
