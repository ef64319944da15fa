"""Base class of the transformers that turn images into images."""

from abc import abstractmethod

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn_compat.base import _fit_context

from ..utils._validation import check_images, stack_if_same_shape

__all__ = ["BaseImageTransformer"]


class BaseImageTransformer(TransformerMixin, BaseEstimator):
    """Template for stateless transformers from a batch of images to images.

    ``fit`` only checks the parameters and the images; ``transform`` works
    without it (the ``requires_fit`` tag is False). Subclasses set ``_color``
    (``'rgb'``, ``'gray'`` or ``None``) and implement :meth:`_transform_image`.
    """

    _parameter_constraints = {}
    _color = None

    @abstractmethod
    def _transform_image(self, image):
        """Transform one validated image; return an ndarray."""

    def _check_params(self):
        """Check parameters that the declarative constraints cannot express."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the images.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            The images.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        self._check_params()
        check_images(X, color=self._color)
        return self

    def transform(self, X):
        """Transform each image.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            The images; sizes may differ.

        Returns
        -------
        images : ndarray of shape (n_images, H', W'[, C']) or list of ndarray
            One stacked array when every output has the same shape and dtype,
            else a list of arrays, in input order.
        """
        # stateless, so ``transform`` may come first: check parameters here too
        self._validate_params()
        self._check_params()
        images = check_images(X, color=self._color)
        outputs = [self._transform_image(image) for image in images]
        stacked = stack_if_same_shape(outputs)
        return outputs if stacked is None else stacked

    def __sklearn_is_fitted__(self):
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
