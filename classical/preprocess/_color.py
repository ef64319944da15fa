"""Colour-space conversion and grayscale.

One grey convention for the whole library: the luminance ``0.2125 R + 0.7154 G
+ 0.0721 B`` (ITU-R BT.709 primaries), the weights of
:func:`skimage.color.rgb2gray`, computed in the image's own scale. It is the
convention of scikit-image, the peer most of our tests compare against (LBP,
HOG and dense SIFT of colour images agree with it to rounding only when the
grey image is the same). OpenCV's ``COLOR_RGB2GRAY`` uses ITU-R BT.601
weights (0.299, 0.587, 0.114) instead: every grey image the library makes
(:func:`to_grayscale`, the luminance of :class:`~classical.descriptors.
LBPExtractor` and of the dense extractors, SIFT's input, ``load_folder(...,
color='gray')``) uses the BT.709 weights, held once in
``classical.utils._color.GRAY_WEIGHTS``.
"""

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from .._kernels import color as kernels
from ..utils._color import SPACE_CODES, conversion_args, rgb_to_gray
from ..utils._validation import check_image, intensity_range
from ._base import BaseImageTransformer

__all__ = ["convert_color", "to_grayscale", "ConvertColor", "Grayscale"]


@validate_params({"image": ["array-like"]}, prefer_skip_nested_validation=True)
def to_grayscale(image):
    """Luminance of an RGB(A) image, in the input's dtype and range.

    Parameters
    ----------
    image : array-like of shape (H, W), (H, W, 3) or (H, W, 4)
        The image. A grayscale image is returned unchanged; the alpha channel
        of an RGBA image is ignored.

    Returns
    -------
    gray : ndarray of shape (H, W)
        ``0.2125 R + 0.7154 G + 0.0721 B`` (the weights of
        :func:`skimage.color.rgb2gray`, the library's one grey convention;
        see the module notes). Float input gives the same float
        dtype; integer input gives the same integer dtype, rounded to the
        nearest integer; boolean input gives float64.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.preprocess import to_grayscale
    >>> to_grayscale(np.full((2, 2, 3), 200, np.uint8))
    array([[200, 200],
           [200, 200]], dtype=uint8)
    """
    return _grayscale_checked(check_image(image))


def _grayscale_checked(image):
    if image.ndim == 2:
        return image
    if image.shape[2] < 3:
        raise ValueError(
            f"image must be grayscale (H, W) or colour (H, W, 3 or 4) to convert "
            f"to grayscale; got shape {image.shape}."
        )
    return rgb_to_gray(image)


def _convert_checked(image, color_space):
    if color_space == "gray":
        return _grayscale_checked(image)
    if color_space == "rgb":
        if image.ndim == 2:
            return np.repeat(image[..., np.newaxis], 3, axis=2)
        if image.shape[2] < 3:
            raise ValueError(
                f"image must be grayscale (H, W) or colour (H, W, 3 or 4) to convert "
                f"to 'rgb'; got shape {image.shape}."
            )
        return image[..., :3]
    check_image(image, color="rgb")
    if color_space == "opponent":
        return _opponent(image)
    inv_top, lut, use_lut = conversion_args(image.dtype)
    pixels = np.ascontiguousarray(image).reshape(-1, image.shape[2])
    out = kernels.convert_pixels(pixels, SPACE_CODES[color_space], inv_top, lut,
                                 use_lut)
    return out.reshape(image.shape[0], image.shape[1], 3)


def _opponent(image):
    """Opponent channels of an RGB(A) image, each mapped onto ``[0, 1]``."""
    rgb = image[..., :3].astype(np.float64) * (1.0 / intensity_range(image.dtype))
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return np.stack([(red - green + 1.0) / 2.0,
                     (red + green - 2.0 * blue + 2.0) / 4.0,
                     (red + green + blue) / 3.0], axis=-1)


_COLOR_SPACES = StrOptions({"hsv", "lab", "gray", "rgb", "opponent"})


@validate_params(
    {"image": ["array-like"], "color_space": [_COLOR_SPACES]},
    prefer_skip_nested_validation=True,
)
def convert_color(image, color_space):
    """Convert an RGB image to another colour space.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image: uint8, uint16 or float in ``[0, 1]`` (the full-scale value
        of the dtype is :func:`classical.utils.intensity_range`). ``'hsv'``,
        ``'lab'`` and ``'opponent'`` need three or four channels (alpha is
        ignored).
    color_space : {'hsv', 'lab', 'gray', 'rgb', 'opponent'}
        Target space:

        - ``'hsv'``: float64 H, S, V in ``[0, 1]``, equal to
          :func:`skimage.color.rgb2hsv` to rounding. Where ``max == min``
          (grays, black) H and S are 0, scikit-image's convention.
        - ``'lab'``: float64 CIE L*a*b* (D65 white, 2 degree observer, sRGB
          gamma), equal to :func:`skimage.color.rgb2lab` to rounding; L in
          ``[0, 100]``, a and b within ``[-87, 99]`` and ``[-108, 95]`` for
          sRGB colours.
        - ``'gray'``: :func:`to_grayscale` (same dtype).
        - ``'rgb'``: same dtype; a grayscale image is repeated into three
          channels and alpha is dropped.
        - ``'opponent'``: float64 opponent colour channels [1]_ ``O1 = (R -
          G) / sqrt(2)``, ``O2 = (R + G - 2 B) / sqrt(6)`` and ``O3 = (R + G
          + B) / sqrt(3)`` of R, G, B in ``[0, 1]``, each mapped affinely
          onto ``[0, 1]`` (its range over all RGB colours): ``(R - G + 1) /
          2``, ``(R + G - 2 B + 2) / 4`` and ``(R + G + B) / 3``. No gamma
          is undone.

    Returns
    -------
    converted : ndarray of shape (H, W, 3) or (H, W)
        The converted image: float64 for ``'hsv'``, ``'lab'`` and
        ``'opponent'``, else the input's dtype.

    Notes
    -----
    HSV is computed from the raw values, ``V = max / top``,
    ``S = (max - min) / max`` and ``H = P / (6 (max - min))`` with ``P`` the
    hue numerator of the sextant the maximum lies in; for integer images
    each is one rounding away from the exact value. scikit-image scales the
    channels first, so results differ by a few units in the last place.

    The opponent channels are shifted and rescaled, each by its own factor,
    so that every channel shares the ``[0, 1]`` range of the other spaces.

    References
    ----------
    .. [1] K. E. A. van de Sande, T. Gevers and C. G. M. Snoek, "Evaluating
           color descriptors for object and scene recognition", IEEE
           Transactions on Pattern Analysis and Machine Intelligence, 32(9),
           2010, pp. 1582-1596. :DOI:`10.1109/TPAMI.2009.154`

    Examples
    --------
    >>> import numpy as np
    >>> from classical.preprocess import convert_color
    >>> convert_color(np.array([[[255, 0, 0]]], np.uint8), "hsv")
    array([[[0., 1., 1.]]])
    """
    return _convert_checked(check_image(image), color_space)


class ConvertColor(BaseImageTransformer):
    """Convert every image to another colour space.

    Stateless; ``fit`` only validates. See :func:`convert_color`.

    Parameters
    ----------
    color_space : {'hsv', 'lab', 'gray', 'rgb', 'opponent'}, default='hsv'
        Target space; see :func:`convert_color`.

    See Also
    --------
    convert_color : The function applied to each image.
    Grayscale : The same as ``color_space='gray'``.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.preprocess import ConvertColor
    >>> ConvertColor(color_space="lab").fit_transform(
    ...     [np.zeros((4, 4, 3), np.uint8)]).shape
    (1, 4, 4, 3)
    """

    _parameter_constraints = {"color_space": [_COLOR_SPACES]}

    def __init__(self, *, color_space="hsv"):
        self.color_space = color_space

    def _transform_image(self, image):
        return _convert_checked(image, self.color_space)


class Grayscale(BaseImageTransformer):
    """Convert every image to grayscale, keeping its dtype.

    Stateless; ``fit`` only validates. See :func:`to_grayscale`.

    See Also
    --------
    to_grayscale : The function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.preprocess import Grayscale
    >>> Grayscale().fit_transform([np.zeros((4, 4, 3), np.uint8)]).shape
    (1, 4, 4)
    """

    def _transform_image(self, image):
        return _grayscale_checked(image)
