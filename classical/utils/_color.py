"""Colour plumbing shared by the preprocessing steps and the descriptors.

The bottom layer every package may import: the grey weights (the convention
is stated in :mod:`classical.preprocess._color`), the colour-space codes of
:mod:`classical._kernels.color` and the arguments its kernels take.
"""

from functools import lru_cache

import numpy as np

from .._kernels import color as kernels
from ._validation import intensity_range

__all__ = ["GRAY_WEIGHTS", "SPACE_CODES", "as_pixel_stack", "conversion_args",
           "rgb_to_gray"]

# Luminance weights of ITU-R BT.709, as in skimage.color.rgb2gray: the one grey
# convention of the library (see classical.preprocess._color).
GRAY_WEIGHTS = np.array([0.2125, 0.7154, 0.0721])

SPACE_CODES = {"rgb": kernels.RGB, "hsv": kernels.HSV, "lab": kernels.LAB}
_NO_LUT = np.zeros(1)


def _srgb_to_linear(c):
    return np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)


@lru_cache(maxsize=None)
def _linear_lut(dtype_str):
    dtype = np.dtype(dtype_str)
    top = intensity_range(dtype)
    return _srgb_to_linear(np.arange(int(top) + 1) * (1.0 / top))


def conversion_args(dtype):
    """Return ``(inv_top, lut, use_lut)`` for the colour kernels.

    ``uint8`` and ``uint16`` images take linear RGB from a table indexed by
    the raw value (computed with NumPy's ``power``, like scikit-image), other
    dtypes compute it per pixel.
    """
    dtype = np.dtype(dtype)
    inv_top = 1.0 / intensity_range(dtype)
    if dtype in (np.dtype(np.uint8), np.dtype(np.uint16)):
        return inv_top, _linear_lut(dtype.str), True
    return inv_top, _NO_LUT, False


def as_pixel_stack(stack):
    """View a ``(n, H, W, C)`` stack as a C-contiguous ``(n, H * W, C)`` array."""
    stack = np.ascontiguousarray(stack)
    return stack.reshape(stack.shape[0], -1, stack.shape[-1])


def rgb_to_gray(rgb):
    """Luminance ``GRAY_WEIGHTS @ (R, G, B)`` of an array of shape ``(..., C)``.

    ``C >= 3``; channels beyond the third are ignored. Float input gives the
    same float dtype; integer input the same integer dtype, rounded to the
    nearest integer; boolean input gives float64.
    """
    rgb = rgb[..., :3]
    if np.issubdtype(rgb.dtype, np.floating):
        return rgb @ GRAY_WEIGHTS.astype(rgb.dtype)
    gray = rgb.astype(np.float64) @ GRAY_WEIGHTS
    if rgb.dtype == np.bool_:
        return gray
    info = np.iinfo(rgb.dtype)
    return np.clip(np.rint(gray), info.min, info.max).astype(rgb.dtype)
