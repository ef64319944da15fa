"""Bag of visual words: a histogram of nearest words per image."""

import numpy as np
from sklearn.utils._param_validation import StrOptions

from ..utils._docstring import N_JOBS_DOC, RANDOM_STATE_DOC, Substitution
from ._power import power_normalize
from ._vocabulary import (
    ENCODER_ATTRIBUTES_DOC,
    ENCODER_PARAMS_DOC,
    _VocabularyEncoder,
    nearest_words,
)

__all__ = ["BagOfVisualWords"]


def _normalize_rows(X, norm):
    if norm is None:
        return X
    if norm == "power+l2":
        return power_normalize(X, norm="l2")
    lengths = np.linalg.norm(X, ord=1 if norm == "l1" else 2, axis=1, keepdims=True)
    return X / np.where(lengths > 0, lengths, 1.0)


@Substitution(random_state=RANDOM_STATE_DOC, n_jobs=N_JOBS_DOC,
              encoder_params=ENCODER_PARAMS_DOC,
              encoder_attributes=ENCODER_ATTRIBUTES_DOC)
class BagOfVisualWords(_VocabularyEncoder):
    """Histogram of visual words per image (bag of visual words).

    Each descriptor of an image votes for its nearest word [1]_ [2]_; the
    image is the normalised count of votes per word.

    Parameters
    ----------
    n_words : int, default=256
        Number of visual words learnt by ``fit`` (ignored with
        ``vocabulary``).
    assignment : {{'hard'}}, default='hard'
        How descriptors vote: ``'hard'`` gives one vote to the nearest word.
    normalize : {{'l2', 'l1', 'power+l2'}} or None, default='l2'
        Row normalisation of the counts: ``'l1'`` gives frequencies,
        ``'power+l2'`` the signed square root then L2 (Hellinger
        geometry), None raw counts.
    {encoder_params}
    {random_state}
    {n_jobs}

    Attributes
    ----------
    {encoder_attributes}
    n_features_in_ : int
        Descriptor length.

    See Also
    --------
    VisualVocabulary : The words.
    VLADEncoder : Residual encoding over the same words.

    Notes
    -----
    An image without descriptors is encoded as a zero row.

    References
    ----------
    .. [1] J. Sivic and A. Zisserman, "Video Google: a text retrieval approach
       to object matching in videos," ICCV 2003,
       :DOI:`10.1109/ICCV.2003.1238663`.
    .. [2] G. Csurka, C. Dance, L. Fan, J. Willamowski and C. Bray, "Visual
       categorization with bags of keypoints," ECCV Workshop on Statistical
       Learning in Computer Vision, 2004.

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
        "assignment": [StrOptions({"hard"})],
        "normalize": [StrOptions({"l1", "l2", "power+l2"}), None],
    }

    def __init__(self, *, n_words=256, assignment="hard", normalize="l2",
                 vocabulary=None, sample_size=100_000, max_iter=100,
                 random_state=None, n_jobs=None):
        self.n_words = n_words
        self.assignment = assignment
        self.normalize = normalize
        self.vocabulary = vocabulary
        self.sample_size = sample_size
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _encode(self, descriptors, offsets, words):
        n_images = len(offsets) - 1
        n_words = len(words)
        labels = nearest_words(descriptors, words, n_jobs=self.n_jobs)
        images = np.repeat(np.arange(n_images), np.diff(offsets))
        counts = np.bincount(images * n_words + labels, minlength=n_images * n_words)
        return _normalize_rows(counts.reshape(n_images, n_words).astype(np.float64),
                               self.normalize)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: ``word0``, ``word1``, ...

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per word.
        """
        n_words = len(self.vocabulary_.words_)
        return np.asarray([f"word{k}" for k in range(n_words)], dtype=object)
