"""VLAD: vector of locally aggregated descriptors."""

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from .._kernels import assign, vlad
from .._local_features import as_ragged
from ..utils._docstring import N_JOBS_DOC, RANDOM_STATE_DOC, Substitution
from ._base import kernel_threads
from ._vocabulary import (
    ENCODER_ATTRIBUTES_DOC,
    ENCODER_PARAMS_DOC,
    SOFT_ATTRIBUTES_DOC,
    SOFT_NOTES_DOC,
    SOFT_PARAMS_DOC,
    SOFT_REFERENCES_DOC,
    _VocabularyEncoder,
)

__all__ = ["VLADEncoder", "vlad_encode"]

REFERENCES_DOC = """.. [1] H. Jégou, M. Douze, C. Schmid and P. Pérez, "Aggregating
       local descriptors into a compact image representation," CVPR 2010,
       :DOI:`10.1109/CVPR.2010.5540039`.
    .. [2] R. Arandjelović and A. Zisserman, "All about VLAD," CVPR 2013,
       :DOI:`10.1109/CVPR.2013.207`."""

NORMALIZE = {"intra+power+l2", "intra+l2", "power+l2", "l2"}


def _vlad(descriptors, offsets, words, normalize, n_jobs, soft=(False, 1, 0.0)):
    """Run the fused kernel on a validated ragged batch.

    ``soft`` is ``(soft, n_nearest, sigma)``; the last two go to the soft
    kernel.
    """
    steps = normalize.split("+") if normalize else []
    flags = ("intra" in steps, "power" in steps, "l2" in steps)
    out = np.empty((len(offsets) - 1, words.size))
    word_norms = assign.squared_norms(words)
    with kernel_threads(n_jobs):
        if soft[0]:
            vlad.soft_vlad_batch(descriptors, offsets, words, word_norms, *soft[1:],
                                 *flags, out)
        else:
            vlad.vlad_batch(descriptors, offsets, words, word_norms, *flags, out)
    return out


@validate_params(
    {"descriptors": ["array-like"], "words": ["array-like"],
     "normalize": [StrOptions(NORMALIZE), None]},
    prefer_skip_nested_validation=True,
)
@Substitution(references=REFERENCES_DOC)
def vlad_encode(descriptors, words, *, normalize="intra+power+l2"):
    """VLAD vector of one image's descriptors [1]_.

    Each descriptor is assigned to its nearest word ``c_k``; the vector holds,
    word by word, the sum of the residuals ``x - c_k`` of the descriptors
    assigned to that word, then normalised.

    Parameters
    ----------
    descriptors : array-like of shape (n_descriptors, d)
        One image's descriptors; may be empty (``(0, d)``).
    words : array-like of shape (n_words, d)
        The visual words, e.g. ``VisualVocabulary().fit(...).words_``.
    normalize : {'intra+power+l2', 'intra+l2', 'power+l2', 'l2'} or None, \
default='intra+power+l2'
        The normalisation steps, applied in the order written (see Notes).

    Returns
    -------
    vector : ndarray of shape (n_words * d,)
        The encoding, float64; entries ``k * d`` to ``(k + 1) * d`` belong to
        word ``k``.

    Notes
    -----
    The steps and their order, each present only when named in
    ``normalize``:

    1. ``intra``: each word's residual sum divided by its L2 norm
       (intra-normalisation [2]_, VLFeat's ``NormalizeComponents``);
    2. ``power``: signed square root ``sign(v) * sqrt(|v|)`` of every entry
       (VLFeat's ``SquareRoot``) [3]_;
    3. ``l2``: the whole vector divided by its L2 norm (VLFeat's default;
       ``None`` is VLFeat's ``Unnormalized``).

    VLFeat applies its square root before the component normalisation; here
    intra-normalisation comes first, as in [2]_, so that every word weighs
    the same before the square root. A word with no descriptors gives a zero
    block, and an image with no descriptors a zero vector. Residuals are
    summed in float64 whatever the input dtype. Ties between equidistant
    words go to the lowest index.

    References
    ----------
    {references}
    .. [3] H. Jégou, F. Perronnin, M. Douze, J. Sánchez, P. Pérez and
       C. Schmid, "Aggregating local image descriptors into compact codes,"
       IEEE TPAMI 34(9), 2012, :DOI:`10.1109/TPAMI.2011.235`.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.encoders import vlad_encode
    >>> words = np.array([[0.0, 0.0], [10.0, 10.0]])
    >>> vlad_encode(np.array([[1.0, 0.0], [0.0, 3.0]]), words, normalize=None)
    array([1., 3., 0., 0.])
    """
    words = np.asarray(words)
    if words.ndim != 2 or len(words) == 0:
        raise ValueError(f"words must be a non-empty 2-D (n_words, d) array; got "
                         f"shape {words.shape}.")
    descriptors, offsets = as_ragged([np.asarray(descriptors)], name="descriptors")
    if descriptors.shape[1] != words.shape[1]:
        raise ValueError(
            f"descriptors have length {descriptors.shape[1]} but words have length "
            f"{words.shape[1]}; they must describe the same space.")
    words = np.ascontiguousarray(words, dtype=descriptors.dtype)
    if not np.isfinite(words).all():
        raise ValueError("words contain NaN or infinity; fit the vocabulary on "
                         "finite descriptors.")
    return _vlad(descriptors, offsets, words, normalize, None)[0]


@Substitution(random_state=RANDOM_STATE_DOC, n_jobs=N_JOBS_DOC,
              references=REFERENCES_DOC, encoder_params=ENCODER_PARAMS_DOC,
              encoder_attributes=ENCODER_ATTRIBUTES_DOC, soft_params=SOFT_PARAMS_DOC,
              soft_attributes=SOFT_ATTRIBUTES_DOC, soft_notes=SOFT_NOTES_DOC,
              soft_references=SOFT_REFERENCES_DOC)
class VLADEncoder(_VocabularyEncoder):
    """VLAD encoding of each image's local descriptors.

    ``fit`` learns a :class:`VisualVocabulary` (unless ``vocabulary`` is
    given); ``transform`` runs :func:`vlad_encode` on every image, in one
    fused Numba kernel that assigns and accumulates image by image in
    parallel. With ``assignment='soft'`` each descriptor adds its residual
    to each of its ``n_nearest`` nearest words, weighted (k-nearest soft
    VLAD [5]_ [2]_).

    Parameters
    ----------
    n_words : int, default=256
        Number of visual words learnt by ``fit`` (ignored with
        ``vocabulary``).
    assignment : {'hard', 'soft'}, default='hard'
        ``'hard'`` adds each residual to the nearest word only; ``'soft'``
        adds ``w_j (x - c_j)`` to each of the ``n_nearest`` nearest words
        ``c_j``, with the weights ``w_j`` of
        :class:`BagOfVisualWords` (see Notes).
    {soft_params}
    normalize : {'intra+power+l2', 'intra+l2', 'power+l2', 'l2'} or None, \
default='intra+power+l2'
        Normalisation steps, in the order written; see :func:`vlad_encode`.
    {encoder_params}
    {random_state}
    {n_jobs}

    Attributes
    ----------
    {encoder_attributes}
    {soft_attributes}
    n_features_in_ : int
        Descriptor length ``d``; the output has ``n_words * d`` columns.

    See Also
    --------
    vlad_encode : One image.
    BagOfVisualWords : Counts instead of residuals.

    Notes
    -----
    Normalisation order, empty words and empty images are as in
    :func:`vlad_encode`.

    {soft_notes} The residual sum of word ``k`` is then
    ``sum_x w_k(x) (x - c_k)``, as with VLFeat's ``vl_vlad`` given soft
    assignments; see [5]_ and [2]_ for VLAD with hard and multiple
    assignment.

    The cross terms ``x . c`` of each block of 256 descriptors come from one
    single-threaded BLAS product per Numba thread (BLAS is held at one
    thread during ``transform``); the nearest word is then chosen in the
    descriptors' dtype, so for float32 input two words whose distances agree
    to float32 rounding may be swapped relative to an exact computation.

    References
    ----------
    {references}
    {soft_references}
    .. [5] H. Jégou, F. Perronnin, M. Douze, J. Sánchez, P. Pérez and
       C. Schmid, "Aggregating local image descriptors into compact codes,"
       IEEE TPAMI 34(9), 2012, :DOI:`10.1109/TPAMI.2011.235`.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.encoders import VLADEncoder
    >>> rng = np.random.default_rng(0)
    >>> images = [rng.random((30, 8), dtype=np.float32) for _ in range(4)]
    >>> VLADEncoder(n_words=5, random_state=0).fit_transform(images).shape
    (4, 40)
    """

    _parameter_constraints = {
        **_VocabularyEncoder._parameter_constraints,
        "normalize": [StrOptions(NORMALIZE), None],
    }

    def __init__(self, *, n_words=256, assignment="hard", n_nearest=5, sigma=None,
                 normalize="intra+power+l2", vocabulary=None, sample_size=100_000,
                 max_iter=100, random_state=None, n_jobs=None):
        self.n_words = n_words
        self.assignment = assignment
        self.n_nearest = n_nearest
        self.sigma = sigma
        self.normalize = normalize
        self.vocabulary = vocabulary
        self.sample_size = sample_size
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _encode(self, descriptors, offsets):
        words = self._words(descriptors.dtype)
        return _vlad(descriptors, offsets, words, self.normalize, self.n_jobs,
                     self._soft_arguments(words))

    def _feature_names(self):
        """``word{k}_dim{j}``: word after word, dimension after dimension."""
        n_words, dim = self.vocabulary_.words_.shape
        return [f"word{k}_dim{j}" for k in range(n_words) for j in range(dim)]
