"""Extract, reduce and encode local features batch by batch, in bounded memory."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted, check_random_state
from sklearn_compat.base import _fit_context
from tqdm.auto import tqdm

from .._local_features import LocalFeatures
from ..utils._docstring import RANDOM_STATE_DOC, VERBOSE_DOC, Substitution

__all__ = ["LocalFeatureEncoder"]

# Encodings are stored as float32: half the memory of float64, and far more
# precision than unit-norm encodings fed to a linear classifier need.
ENCODING_DTYPE = np.float32


def _batches(X, batch_size, indices=None):
    """Consecutive batches of ``X`` (or of ``X[indices]``), as (start, images)."""
    if indices is None:
        for start in range(0, len(X), batch_size):
            yield start, X[start:start + batch_size]
        return
    for start in range(0, len(indices), batch_size):
        yield start, [X[i] for i in indices[start:start + batch_size]]


def _subsample(features, per_image, rng):
    """At most ``per_image`` random descriptors of every image, in image order."""
    counts = features.counts
    if counts.max(initial=0) <= per_image:
        return features
    rows = []
    for start, n in zip(features.offsets[:-1], counts):
        chosen = rng.choice(n, per_image, replace=False) if n > per_image else None
        rows.append(start + (np.arange(n) if chosen is None else np.sort(chosen)))
    kept = np.minimum(counts, per_image)
    rows = np.concatenate(rows)
    offsets = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
    return LocalFeatures(features.descriptors[rows], offsets,
                         features.positions[rows], features.scales[rows],
                         features.image_shapes)


@Substitution(random_state=RANDOM_STATE_DOC, verbose=VERBOSE_DOC)
class LocalFeatureEncoder(TransformerMixin, BaseEstimator):
    """Images to one encoding each, through local features, in bounded memory.

    Chains a local descriptor extractor (e.g. :class:`~classical.descriptors.\
DenseSIFTExtractor`), an optional reduction of the descriptors (e.g.
    :class:`~classical.descriptors.LocalPCA`) and an encoder of descriptor sets
    (:class:`BagOfVisualWords`, :class:`VLADEncoder`,
    :class:`FisherVectorEncoder`, :class:`SpatialPyramid`), running them on
    ``batch_size`` images at a time: memory holds one batch's descriptors and
    the encodings, never every descriptor of the data set. Inside a
    :class:`~sklearn.pipeline.Pipeline` it turns images into an ordinary
    ``(n_images, n_features)`` array for any scikit-learn classifier.

    Parameters
    ----------
    extractor : estimator
        Turns a list of images into a :class:`~classical.descriptors.\
LocalFeatures`; cloned by ``fit``.
    encoder : estimator
        Turns a ``LocalFeatures`` into an ``(n_images, n_features)`` array;
        cloned and fitted on the descriptor sample by ``fit``.
    reducer : estimator or None, default=None
        Turns a ``LocalFeatures`` into another (e.g. PCA of the descriptors);
        cloned and fitted on the descriptor sample before the encoder.
    batch_size : int, default=16
        Images described at a time. A batch's descriptors are what memory
        holds beyond the output: 16 colour 256 x 256 images give 87 MiB of
        dense opponent SIFT at step 4, 16 of 400 x 400 pixels 221 MiB.
    sample_size : int, default=200_000
        Roughly how many descriptors ``fit`` keeps to fit ``reducer`` and
        ``encoder``: at most ``ceil(sample_size / n_fit_images)`` random ones
        per image described, so that every such image is represented.
    max_fit_images : int or None, default=1000
        ``fit`` describes at most this many training images, drawn at random
        (all of them when None or when there are fewer).
    {random_state}
    {verbose}

    Attributes
    ----------
    extractor_ : estimator
        The fitted clone of ``extractor``.
    reducer_ : estimator or None
        The fitted clone of ``reducer``.
    encoder_ : estimator
        The fitted clone of ``encoder``.
    n_descriptors_fit_ : int
        Number of descriptors the reducer and encoder were fitted on.
    n_images_fit_ : int
        Number of training images they were drawn from.

    See Also
    --------
    SpatialPyramid : Encodes the cells of a grid pyramid; use it as ``encoder``.

    Notes
    -----
    ``fit`` describes up to ``max_fit_images`` images (to draw the sample)
    and ``transform`` every image, so ``fit_transform`` describes some images
    twice; the descriptors of the whole set are never held at once. Encoder
    statistics fitted on the sample (words, mixtures, PCA axes, tf-idf
    weights) are therefore estimated from a subsample of images and of their
    descriptors, as VLFeat's ``phow_caltech101`` recipe fits its vocabulary
    on descriptors sampled from a subset of the training images.

    Memory: ``transform`` writes each batch's encodings into one output array
    allocated once, in float32 (a float64 encoder's values are rounded to
    float32, a relative change below 6e-8), so beyond that array it holds
    one batch's images, descriptors and encodings; ``fit`` adds the
    descriptor sample (about ``sample_size`` rows). Neither grows with the
    number of images.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import DenseSIFTExtractor
    >>> from classical.encoders import LocalFeatureEncoder, VLADEncoder
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, (6, 32, 32), dtype=np.uint8)
    >>> encoder = LocalFeatureEncoder(
    ...     extractor=DenseSIFTExtractor(step=4),
    ...     encoder=VLADEncoder(n_words=4, random_state=0),
    ...     batch_size=4, random_state=0)
    >>> encoder.fit_transform(images).shape
    (6, 512)
    """

    _parameter_constraints = {
        "extractor": [HasMethods(["fit", "transform"])],
        "encoder": [HasMethods(["fit", "transform"])],
        "reducer": [HasMethods(["fit", "transform"]), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
        "max_fit_images": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["boolean"],
    }

    def __init__(self, *, extractor, encoder, reducer=None, batch_size=16,
                 sample_size=200_000, max_fit_images=1000, random_state=None,
                 verbose=False):
        self.extractor = extractor
        self.encoder = encoder
        self.reducer = reducer
        self.batch_size = batch_size
        self.sample_size = sample_size
        self.max_fit_images = max_fit_images
        self.random_state = random_state
        self.verbose = verbose

    @staticmethod
    def _check_batch(X):
        if isinstance(X, (str, bytes)) or not hasattr(X, "__len__") \
                or not hasattr(X, "__getitem__"):
            raise TypeError(
                "X must be a sequence of images (a list of arrays or an (n, H, W[, C]) "
                f"array); got {type(X).__name__}.")
        if len(X) == 0:
            raise ValueError("X holds no images; pass at least one image.")
        return X

    def _progress(self, X, desc, indices=None):
        n_images = len(X) if indices is None else len(indices)
        return tqdm(_batches(X, self.batch_size, indices), desc=desc,
                    total=-(-n_images // self.batch_size), disable=not self.verbose,
                    leave=False)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Describe the images, sample descriptors, fit reducer and encoder.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            The training images, as the extractor accepts them.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        X = self._check_batch(X)
        rng = check_random_state(self.random_state)
        indices = np.arange(len(X))
        if self.max_fit_images is not None and len(X) > self.max_fit_images:
            indices = np.sort(rng.choice(len(X), self.max_fit_images, replace=False))
        per_image = -(-self.sample_size // len(indices))
        self.extractor_ = clone(self.extractor)
        samples = []
        for start, images in self._progress(X, "sampling descriptors", indices):
            if start == 0:
                self.extractor_.fit(images)
            samples.append(_subsample(self.extractor_.transform(images), per_image,
                                      rng))
        sample = LocalFeatures.concatenate(samples)
        del samples  # the per-batch pieces: a second copy of the sample
        if sample.n_descriptors == 0:
            raise ValueError(
                "The extractor found no descriptors in any training image; there "
                "is nothing to fit a vocabulary on. The images may be flat or "
                "smaller than one patch: check them, or use a smaller patch "
                "(bin_size, patch_size) or a lower contrast threshold.")
        self.n_descriptors_fit_ = sample.n_descriptors
        self.n_images_fit_ = len(indices)
        self.reducer_ = None
        if self.reducer is not None:
            self.reducer_ = clone(self.reducer)
            sample = self.reducer_.fit(sample).transform(sample)
        self.encoder_ = clone(self.encoder).fit(sample)
        return self

    def transform(self, X):
        """Encode each image.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            The images.

        Returns
        -------
        X_new : ndarray of shape (n_images, n_features)
            One encoding per image, in input order, float32 whatever the
            encoder's dtype (see Notes).
        """
        check_is_fitted(self, "encoder_")
        X = self._check_batch(X)
        encoded = None
        for start, images in self._progress(X, "encoding images"):
            features = self.extractor_.transform(images)
            if self.reducer_ is not None:
                features = self.reducer_.transform(features)
            block = self.encoder_.transform(features)
            if encoded is None:
                encoded = np.empty((len(X), block.shape[1]), ENCODING_DTYPE)
            encoded[start:start + len(block)] = block
        return encoded

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, those of the fitted encoder.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self, "encoder_")
        return self.encoder_.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags
