"""Decoding one image file into an RGB or grayscale ndarray."""

import io
import os

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError
from sklearn.utils._param_validation import StrOptions
from sklearn_compat.utils._param_validation import validate_params

from ..utils._color import rgb_to_gray
from ..utils._validation import check_positive_pair

__all__ = ["IMAGE_EXTENSIONS", "ImageLoadError", "ImageLoadWarning", "read_image"]

#: File name extensions (lower case) that are read as images.
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp"})

_PIL_FORMATS = ("JPEG", "PNG", "TIFF", "BMP")  # JPEG includes camera MPO files
_ORIENTATION_TAG = 0x0112

# EXIF orientation -> how to turn the stored pixels into the displayed image.
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a.swapaxes(0, 1)[::-1, ::-1],
    8: lambda a: np.rot90(a, 1),
}


class _WithFailures:
    """Keeps the ``(path, reason)`` pairs next to the message."""

    def __init__(self, message, failures=()):
        super().__init__(message)
        self.failures = list(failures)

    def __reduce__(self):  # keep the failures through pickling
        return type(self), (str(self), self.failures)


class ImageLoadError(_WithFailures, ValueError):
    """One or more image files could not be decoded.

    Parameters
    ----------
    message : str
        The error text, naming every failed path and why it failed.
    failures : list of (str, str), default=()
        ``(path, reason)`` for each file that failed.
    """


class ImageLoadWarning(_WithFailures, UserWarning):
    """Some image files could not be decoded and were skipped.

    Parameters
    ----------
    message : str
        The warning text, naming every skipped path and why it failed.
    failures : list of (str, str), default=()
        ``(path, reason)`` for each file that was skipped.
    """


def _read_bytes(path):
    with open(path, "rb") as file:
        return file.read()


def _has_16_bit_channels(im):
    """True when Pillow would cut the 16-bit samples of a colour image to 8 bits."""
    return len(im.getbands()) > 1 and any(";16" in str(t.args) for t in im.tile)


def _decode_with_opencv(data):
    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if array is None:
        raise ValueError("OpenCV could not decode it")
    if array.ndim == 3 and array.shape[2] >= 3:
        array = array[:, :, 2::-1]  # BGR or BGRA -> RGB
    return array


def _pillow_to_array(im):
    if im.mode.startswith("I;16"):
        return np.asarray(im).astype(np.uint16)  # native byte order
    if im.mode in ("I", "F"):
        return np.asarray(im)
    if im.mode in ("1", "L", "LA", "La"):
        return np.asarray(im.convert("L"))
    return np.asarray(im.convert("RGB"))


def _decode(data):
    """Return the pixels of an encoded image, as displayed, in gray or RGB order."""
    if not data:
        raise ValueError("empty file (0 bytes)")
    try:
        with Image.open(io.BytesIO(data), formats=_PIL_FORMATS) as im:
            deep = _has_16_bit_channels(im)
            im.load()  # decodes everything, so truncated files fail here
            orientation = im.getexif().get(_ORIENTATION_TAG, 1)
            array = _decode_with_opencv(data) if deep else _pillow_to_array(im)
    except UnidentifiedImageError:
        raise ValueError("not a JPEG, PNG, TIFF or BMP image") from None
    return _ORIENT.get(orientation, lambda a: a)(array)


def _convert(array, color, size):
    if array.ndim == 3:
        array = array[:, :, 0] if array.shape[2] < 3 else array[:, :, :3]
    if color == "gray" and array.ndim == 3:
        array = rgb_to_gray(array)
    if size is not None and array.shape[:2] != size:
        shrink = size[0] <= array.shape[0] and size[1] <= array.shape[1]
        interpolation = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
        array = cv2.resize(np.ascontiguousarray(array), (size[1], size[0]),
                           interpolation=interpolation)
    if color == "rgb" and array.ndim == 2:
        array = np.repeat(array[:, :, np.newaxis], 3, axis=2)
    return np.ascontiguousarray(array)


def _try_read(path, color, size):
    """Return ``(image, None)``, or ``(None, reason)`` when the file cannot be read."""
    try:
        return _convert(_decode(_read_bytes(path)), color, size), None
    except Exception as exc:  # any failure is reported by path, never fatal
        return None, f"{type(exc).__name__}: {exc}"


@validate_params(
    {
        "path": [str, os.PathLike],
        "size": "no_validation",  # checked by check_positive_pair
        "color": [StrOptions({"rgb", "gray"})],
    },
    prefer_skip_nested_validation=True,
)
def read_image(path, *, size=None, color="rgb"):
    """Read one JPEG, PNG, TIFF or BMP file into an array.

    Parameters
    ----------
    path : str or path-like
        The image file.
    size : int or tuple of (int, int) or None, default=None
        Resize to ``(height, width)`` on load (an int ``n`` means ``(n, n)``);
        ``None`` keeps the stored size.
    color : {'rgb', 'gray'}, default='rgb'
        ``'rgb'`` returns three channels in red, green, blue order (a gray file
        is replicated); ``'gray'`` returns one channel (the luminance of
        :func:`classical.preprocess.to_grayscale`).

    Returns
    -------
    image : ndarray of shape (H, W, 3) or (H, W)
        ``uint8`` for 8-bit files, ``uint16`` for 16-bit files.

    Raises
    ------
    ImageLoadError
        If the file cannot be read or decoded; the message names the path and
        the reason.

    Notes
    -----
    The EXIF orientation tag is applied, so the image is returned as a viewer
    shows it. Alpha channels are dropped (not composited). Shrinking uses
    ``cv2.INTER_AREA`` and enlarging ``cv2.INTER_LINEAR``. Pillow decodes the
    file; 16-bit colour files, which Pillow would cut to 8 bits, are decoded
    by OpenCV instead.
    """
    size = None if size is None else check_positive_pair(size, "size")
    image, reason = _try_read(os.fspath(path), color, size)
    if image is None:
        raise ImageLoadError(f"Could not load image {os.fspath(path)!r}: {reason}",
                             [(os.fspath(path), reason)])
    return image
