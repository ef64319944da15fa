"""Resizing images with OpenCV."""

from numbers import Integral

import cv2
import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from ..utils._validation import check_image, check_positive_ints
from ._base import BaseImageTransformer

__all__ = ["resize", "Resize"]

_INTERPOLATIONS = {
    "area": cv2.INTER_AREA,
    "linear": cv2.INTER_LINEAR,
    "nearest": cv2.INTER_NEAREST,
    "cubic": cv2.INTER_CUBIC,
}
_INTERPOLATION_OPTIONS = StrOptions({*_INTERPOLATIONS, "auto"})
# dtypes cv2.resize handles with every interpolation; others go through float64
_CV2_DTYPES = {np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32,
                                      np.float64)}


def _check_size(size):
    """Return ``size`` as ``(rows, cols)``; an int ``n`` means ``(n, n)``."""
    return check_positive_ints(size, 2, "size", "(rows, cols) = (64, 64)")


def _cv2_flag(interpolation, old_shape, new_shape):
    if interpolation == "auto":
        grows = new_shape[0] > old_shape[0] or new_shape[1] > old_shape[1]
        interpolation = "linear" if grows else "area"
    return _INTERPOLATIONS[interpolation]


def _resize_checked(image, size, interpolation):
    """Resize a validated image to ``size = (rows, cols)``."""
    flag = _cv2_flag(interpolation, image.shape, size)
    dsize = (size[1], size[0])  # OpenCV wants (width, height)
    if image.dtype in _CV2_DTYPES:
        return cv2.resize(np.ascontiguousarray(image), dsize, interpolation=flag)
    resized = cv2.resize(np.ascontiguousarray(image, dtype=np.float64), dsize,
                         interpolation=flag)
    if image.dtype == np.bool_:
        return resized >= 0.5
    if np.issubdtype(image.dtype, np.integer):
        info = np.iinfo(image.dtype)
        resized = np.clip(np.rint(resized), info.min, info.max)
    return resized.astype(image.dtype)


@validate_params(
    {
        "image": ["array-like"],
        "size": [Integral, "array-like"],
        "interpolation": [_INTERPOLATION_OPTIONS],
    },
    prefer_skip_nested_validation=True,
)
def resize(image, size, *, interpolation="auto"):
    """Resize an image with OpenCV, keeping its dtype and channels.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image; any numeric dtype.
    size : int or tuple of (int, int)
        Output ``(rows, cols)``, NumPy's order (OpenCV's ``dsize`` is
        ``(cols, rows)``); an int ``n`` means ``(n, n)``.
    interpolation : {'auto', 'area', 'linear', 'nearest', 'cubic'}, default='auto'
        OpenCV's ``INTER_AREA``, ``INTER_LINEAR``, ``INTER_NEAREST`` or
        ``INTER_CUBIC``. ``'auto'`` is ``'area'`` when neither side grows
        (area averaging does not alias when shrinking) and ``'linear'``
        otherwise.

    Returns
    -------
    resized : ndarray of shape (rows, cols) or (rows, cols, C)
        Same dtype as ``image``.

    Notes
    -----
    ``uint8``, ``uint16``, ``int16``, ``float32`` and ``float64`` images go to
    :func:`cv2.resize` as they are; OpenCV saturates integer results. Other
    dtypes are resized in float64 and cast back (integers rounded and clipped
    to their range, booleans thresholded at 0.5). Cubic interpolation can
    overshoot: float results may leave ``[0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.preprocess import resize
    >>> resize(np.zeros((100, 80, 3), np.uint8), (32, 16)).shape
    (32, 16, 3)
    """
    size = _check_size(size)
    return _resize_checked(check_image(image), size, interpolation)


class Resize(BaseImageTransformer):
    """Resize every image to one size.

    Stateless; ``fit`` only validates. See :func:`resize`.

    Parameters
    ----------
    size : int or tuple of (int, int), default=(64, 64)
        Output ``(rows, cols)``; an int ``n`` means ``(n, n)``.
    interpolation : {'auto', 'area', 'linear', 'nearest', 'cubic'}, default='auto'
        OpenCV interpolation; ``'auto'`` is ``'area'`` when shrinking and
        ``'linear'`` when enlarging.

    See Also
    --------
    resize : The function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.preprocess import Resize
    >>> images = [np.zeros((100, 80, 3), np.uint8), np.zeros((40, 50, 3), np.uint8)]
    >>> Resize(size=(32, 32)).fit_transform(images).shape
    (2, 32, 32, 3)
    """

    _parameter_constraints = {
        "size": [Integral, "array-like"],
        "interpolation": [_INTERPOLATION_OPTIONS],
    }

    def __init__(self, *, size=(64, 64), interpolation="auto"):
        self.size = size
        self.interpolation = interpolation

    def _check_params(self):
        _check_size(self.size)

    def _transform_image(self, image):
        size = _check_size(self.size)
        return _resize_checked(image, size, self.interpolation)
