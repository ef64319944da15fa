"""Validation and conversion of images, shared by every image-level estimator."""

import operator
from numbers import Integral

import numpy as np

__all__ = [
    "check_image",
    "check_image_batch",
    "check_images",
    "check_positive_ints",
    "check_positive_pair",
    "intensity_range",
    "stack_if_same_shape",
]

_MAX_CHANNELS = 4


def intensity_range(dtype):
    """Return the value that stands for full intensity in images of ``dtype``.

    Integer images use their type's maximum (255 for ``uint8``, 65535 for
    ``uint16``); float images are taken to be scaled to ``[0, 1]``.
    """
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return 1.0
    if np.issubdtype(dtype, np.integer):
        return float(np.iinfo(dtype).max)
    return 1.0


def check_image(image, *, name="image", min_shape=None, color=None):
    """Validate one image and return it as an ndarray.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image. ``C`` is 1 to 4 channels.
    name : str, default='image'
        How the image is named in error messages (for example ``"X[12]"``).
    min_shape : tuple of (int, int) or None, default=None
        Smallest allowed ``(rows, cols)``.
    color : {'gray', 'rgb'} or None, default=None
        ``'rgb'`` requires three or four channels, ``'gray'`` requires a 2-D
        image, ``None`` accepts both.

    Returns
    -------
    image : ndarray of shape (H, W) or (H, W, C)
        The same data; a (H, W, 1) image becomes (H, W).

    Raises
    ------
    TypeError
        If the image is not numeric.
    ValueError
        If the shape is wrong, the image is too small or holds NaN or infinity.
    """
    array = np.asarray(image)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    ):
        raise TypeError(
            f"{name} must be a numeric array (uint8, uint16 or float); got dtype "
            f"{array.dtype}. Convert it with np.asarray(image, dtype=np.uint8)."
        )
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real-valued; got dtype {array.dtype}.")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] > _MAX_CHANNELS):
        raise ValueError(
            f"{name} must have shape (H, W) or (H, W, C) with 1 to {_MAX_CHANNELS} "
            f"channels; got shape {array.shape}."
        )
    if color == "rgb" and (array.ndim != 3 or array.shape[2] < 3):
        raise ValueError(
            f"{name} must be a colour image of shape (H, W, 3); got shape "
            f"{array.shape}. Load images with color='rgb'."
        )
    if color == "gray" and array.ndim != 2:
        raise ValueError(
            f"{name} must be a grayscale image of shape (H, W); got shape "
            f"{array.shape}. Convert it first, e.g. with "
            "classical.preprocess.Grayscale."
        )
    if min_shape is not None and (
        array.shape[0] < min_shape[0] or array.shape[1] < min_shape[1]
    ):
        raise ValueError(
            f"{name} of shape {array.shape[:2]} is too small. It should have at "
            f"least: {min_shape[0]} rows and {min_shape[1]} cols."
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}).")
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise ValueError(
            f"{name} contains NaN or infinity. Replace them first, e.g. with "
            "np.nan_to_num(image)."
        )
    return array


def check_images(X, *, min_shape=None, color=None, name="X"):
    """Validate a batch of images and return it as a list of ndarrays.

    Parameters
    ----------
    X : sequence of array-like, or ndarray of shape (n_images, H, W[, C])
        The batch. Images may have different sizes.
    min_shape, color
        As in :func:`check_image`, applied to every image.
    name : str, default='X'
        How the batch is named in error messages.

    Returns
    -------
    images : list of ndarray
        One array per image, in order.
    """
    if isinstance(X, np.ndarray):
        if X.ndim in (3, 4) and X.dtype != object:
            images = list(X)
        elif X.ndim == 1 and X.dtype == object:
            images = list(X)
        else:
            raise ValueError(
                f"{name} must be a batch of images: a list of (H, W[, C]) arrays or "
                f"an array of shape (n_images, H, W[, C]); got an array of shape "
                f"{X.shape}. To pass one image, wrap it in a list: [image]."
            )
    elif isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise TypeError(
            f"{name} must be a sequence of images (a list of arrays); got "
            f"{type(X).__name__}."
        )
    else:
        images = list(X)
    if len(images) == 0:
        raise ValueError(f"{name} is empty: at least one image is required.")
    return [
        check_image(image, name=f"{name}[{i}]", min_shape=min_shape, color=color)
        for i, image in enumerate(images)
    ]


def check_positive_ints(value, count, name, example):
    """Return ``value`` as a tuple of ``count`` positive ints; an int repeats.

    Unlike ``int()``, floats and strings are refused rather than truncated.
    """
    if isinstance(value, Integral) and not isinstance(value, bool):
        value = (value,) * count
    try:
        ints = tuple(operator.index(v) for v in value)
    except TypeError:
        ints = ()
    if len(ints) != count or min(ints) < 1:
        raise ValueError(
            f"{name} must be a positive int or {count} positive ints, e.g. "
            f"{example}; got {value!r}."
        )
    return ints


def check_positive_pair(value, name):
    """Return ``value`` as a pair of positive ints; an int ``n`` means ``(n, n)``."""
    return check_positive_ints(value, 2, name, "(8, 8)")


def check_image_batch(X, *, min_shape=None, color=None, name="X"):
    """Validate a batch, keeping an already stacked array as one array.

    An ndarray of shape (n_images, H, W[, C]) is checked as a whole and
    returned as it is (no per-image copies), which is what batch kernels
    want; any other sequence goes through :func:`check_images`.

    Returns
    -------
    images : ndarray of shape (n_images, H, W[, C]) or list of ndarray
        The validated batch.
    """
    if not (isinstance(X, np.ndarray) and X.ndim in (3, 4) and X.dtype != object
            and X.shape[0] > 0):
        return check_images(X, min_shape=min_shape, color=color, name=name)
    if X.ndim == 4 and X.shape[3] == 1:
        X = X[..., 0]
    check_image(X[0], name=f"{name}[0]", min_shape=min_shape, color=color)
    if np.issubdtype(X.dtype, np.floating) and not np.isfinite(X).all():
        bad = int(np.flatnonzero(~np.isfinite(X.reshape(len(X), -1)).all(axis=1))[0])
        check_image(X[bad], name=f"{name}[{bad}]")  # raises, naming the image
    return X


def stack_if_same_shape(images):
    """Return one C-contiguous stack if all images share shape and dtype, else None."""
    first = images[0]
    if all(im.shape == first.shape and im.dtype == first.dtype for im in images):
        return np.ascontiguousarray(np.stack(images))
    return None
