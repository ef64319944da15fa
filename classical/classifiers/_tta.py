"""Test-time augmentation: average a classifier's probabilities over image copies."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from ..preprocess import d4
from ..utils._docstring import Substitution
from ..utils._validation import check_image_batch, stack_if_same_shape

__all__ = ["TestTimeAugmentation"]


def _flips(image):
    """The image, its left-right and up-down mirrors and its half turn.

    The same images as ``d4(image)[k]`` for ``k = 0, 4, 6, 2``, made
    without the four quarter turns.
    """
    return [np.ascontiguousarray(copy) for copy in
            (image, image[:, ::-1], image[::-1], image[::-1, ::-1])]


_COPIES = {"d4": d4, "flips": _flips}
_IMAGES = Substitution(images=(
    "X : sequence of ndarray of shape (H, W) or (H, W, C), or ndarray of shape "
    "(n_images, H, W[, C])\n            The images."))


class TestTimeAugmentation(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Average a classifier's probabilities over transformed copies of each image.

    ``fit`` fits a clone of ``estimator`` on the images as given (add
    training copies with :class:`~classical.preprocess.RandomAugment`);
    ``predict_proba`` runs every copy of each test image through the whole
    fitted estimator (a pipeline computes each copy's features) and returns
    the mean of their probabilities; ``predict`` takes its most probable
    class.

    Parameters
    ----------
    estimator : estimator
        A classifier of images with ``fit`` and ``predict_proba``, usually a
        pipeline; cloned by ``fit``.
    transforms : {'d4', 'flips'} or list of callable, default='d4'
        The copies: ``'d4'`` the eight symmetries of the square
        (:func:`~classical.preprocess.d4`; aerial images have no "up"),
        ``'flips'`` the image, its two mirrors and its half turn; or
        functions from an image to an image (include the identity,
        ``lambda image: image``, to count the image itself).
    batch_size : int, default=64
        Images whose copies go through ``estimator`` in one call: memory
        holds ``batch_size`` times the number of copies.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        The classes, as ``estimator_.classes_``.

    See Also
    --------
    classical.preprocess.RandomAugment : Training-time augmentation.

    Notes
    -----
    The mean is taken over probabilities, not over decisions, so confident
    copies weigh more. It costs one prediction per copy: eight times the
    feature extraction with ``'d4'``. Chatfield et al. [1]_ report that
    averaging over flipped (and cropped) test copies helps Fisher-vector
    encodings of dense SIFT as well as convolutional networks.

    References
    ----------
    .. [1] Chatfield et al., "Return of the devil in the details: delving deep
       into convolutional nets", BMVC 2014 (also cited by
       :class:`~classical.preprocess.RandomAugment`). :DOI:`10.5244/C.28.6`

    Examples
    --------
    >>> import numpy as np
    >>> import classical
    >>> from classical.classifiers import TestTimeAugmentation
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, (40, 32, 32, 3), dtype=np.uint8)
    >>> labels = np.arange(40) % 2
    >>> model = TestTimeAugmentation(classical.make_pipeline("color-rf"),
    ...                              transforms="flips").fit(images, labels)
    >>> model.predict_proba(images[:3]).shape
    (3, 2)
    """

    __test__ = False  # not a pytest test class, despite its name

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "transforms": [StrOptions(set(_COPIES)), list, tuple],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, estimator, *, transforms="d4", batch_size=64):
        self.estimator = estimator
        self.transforms = transforms
        self.batch_size = batch_size

    def _copier(self):
        """A function from an image to the list of its copies."""
        if isinstance(self.transforms, str):
            return _COPIES[self.transforms]
        transforms = list(self.transforms)
        if not transforms:
            raise ValueError(
                "transforms is an empty list: give at least one function from an "
                "image to an image (lambda image: image for the image itself), or "
                "'d4' or 'flips'."
            )
        for i, transform in enumerate(transforms):
            if not callable(transform):
                raise TypeError(
                    f"transforms[{i}] must be a function from an image to an image; "
                    f"got {type(transform).__name__}."
                )
        return lambda image: [transform(image) for transform in transforms]

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a clone of the estimator on the images as given.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            The training images, in whatever form ``estimator`` takes.
        y : array-like of shape (n_samples,)
            Their labels.
        **fit_params
            Passed to ``estimator.fit``.

        Returns
        -------
        self : object
            The fitted meta-estimator.
        """
        self._copier()
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    @_IMAGES
    def predict_proba(self, X):
        """Mean class probabilities over each image's transformed copies.

        Parameters
        ----------
        {images}

        Returns
        -------
        proba : ndarray of shape (n_images, n_classes)
            Columns in ``classes_`` order.
        """
        check_is_fitted(self)
        copier = self._copier()
        images = check_image_batch(X)
        means = []
        for start in range(0, len(images), self.batch_size):
            chunk = images[start:start + self.batch_size]
            copies = [copy for image in chunk for copy in copier(image)]
            stacked = stack_if_same_shape(copies)
            proba = self.estimator_.predict_proba(
                copies if stacked is None else stacked)
            means.append(proba.reshape(len(chunk), -1, proba.shape[1]).mean(axis=1))
        return np.concatenate(means)

    @_IMAGES
    def predict(self, X):
        """The most probable class of each image, after averaging.

        Parameters
        ----------
        {images}

        Returns
        -------
        y_pred : ndarray of shape (n_images,)
            Classes from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_.take(np.argmax(proba, axis=1))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
