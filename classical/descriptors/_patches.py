"""Local LBP histograms and colour moments of patches on a dense grid.

:func:`dense_lbp` / :class:`DenseLBPExtractor` and :func:`dense_color_moments`
/ :class:`DenseColorExtractor` describe the same patches as dense SIFT, so
their descriptors can be joined patch by patch or encoded like SIFT.
"""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn_compat.utils._param_validation import validate_params

from .._kernels import color as color_kernels
from .._kernels import patches as kernels
from .._local_features import DESCRIPTOR_DTYPE
from ..utils._color import GRAY_WEIGHTS, as_pixel_stack, conversion_args
from ..utils._docstring import N_JOBS_DOC, Substitution
from ..utils._validation import check_image
from ._color import _MOMENTS_REFERENCE
from ._lbp import (
    _CODE_METHODS,
    _METHOD_NUMBERS,
    _P_CONSTRAINT,
    _PER_CHANNEL,
    _R_CONSTRAINT,
    _REFERENCES,
    _bin_codes,
    _canonical_method,
    _check_histogram_method,
    _kernel_stack,
    _radius_as_used,
    _sampling_geometry,
    _weights_for_shape,
)
from ._local_base import BaseLocalExtractor, describe_on_grids

__all__ = ["dense_lbp", "dense_color_moments", "DenseLBPExtractor",
           "DenseColorExtractor"]

_SPACES = {"rgb": color_kernels.RGB, "hsv": color_kernels.HSV,
           "lab": color_kernels.LAB, "opponent": kernels.OPPONENT}
_NO_TABLE = np.zeros(0, dtype=np.int64)

_GRID_CONSTRAINTS = {
    "step": [Interval(Integral, 1, None, closed="left")],
    "patch_size": [Interval(Integral, 1, None, closed="left")],
}
_LBP_CONSTRAINTS = {
    **_GRID_CONSTRAINTS,
    "P": [_P_CONSTRAINT],
    "R": [_R_CONSTRAINT],
    "method": [StrOptions(set(_CODE_METHODS))],
    "per_channel": ["boolean"],
}
_COLOR_CONSTRAINTS = {
    **_GRID_CONSTRAINTS,
    "color_space": [StrOptions(set(_SPACES))],
    "moments": [Interval(Integral, 1, 3, closed="both")],
}

_LBP_PARAMS = """step : int, default=8
        Distance in pixels between neighbouring patches.
    patch_size : int, default=16
        Side of a patch in pixels.
    P : int, default=8
        Number of neighbours on the circle; at most 16 for 'default' and
        'ror'.
    R : float, default=1
        Radius of the circle in pixels, greater than 0.
    method : {'default', 'ror', 'uniform', 'riu2', 'nri_uniform'}, \
default='uniform'
        The codes counted, as in :func:`local_binary_pattern`.
    per_channel : bool, default=False
        Colour images: one histogram per channel, concatenated in channel
        order, instead of one histogram of the luminance."""

_COLOR_PARAMS = """step : int, default=8
        Distance in pixels between neighbouring patches.
    patch_size : int, default=16
        Side of a patch in pixels.
    color_space : {'rgb', 'hsv', 'lab', 'opponent'}, default='rgb'
        Space of the channels (see Notes).
    moments : {1, 2, 3}, default=2
        Moments per channel: the mean, then the standard deviation, then the
        cube root of the third central moment."""

_GRID_NOTE = """Geometry (``x`` the column, ``y`` the row, in pixels): patch ``(i, j)``
    covers rows ``step * i`` to ``step * i + patch_size - 1`` and columns
    ``step * j`` to ``step * j + patch_size - 1``, for every ``i, j`` for
    which it lies wholly inside the image; the first patch touches the
    top-left corner and its centre is ``x = y = (patch_size - 1) / 2``.
    Patches are ordered row of patches after row of patches (``x``
    fastest); ``positions`` holds the centres ``(x, y)`` and ``scales``
    holds ``patch_size``. This is the grid of :class:`DenseSIFTExtractor`
    when ``patch_size = 4 * bin_size``, with the same positions."""

_LBP_NOTE = """The code image is computed once for the whole image, exactly as
    :func:`local_binary_pattern` computes it (neighbours outside the image
    count as 0, so codes near the border see the image edge, not the
    patch edge); each patch's descriptor is the histogram of the codes of
    its pixels, divided by ``patch_size ** 2`` so it sums to 1. Colour
    images are reduced to the luminance ``0.2125 R + 0.7154 G + 0.0721 B``
    (as :class:`LBPExtractor` does) unless ``per_channel``, which
    concatenates one histogram per channel in channel order."""

_COLOR_NOTE = """Moments are those of Stricker and Orengo [1]_ computed over the pixels
    of each patch: per channel the mean, the population standard deviation
    and the signed cube root of the third central moment, ordered channel
    by channel (``[c0_mean, c0_std, c1_mean, ...]`` for ``moments=2``).
    Channels: ``'rgb'`` scaled to ``[0, 1]``; ``'hsv'`` and ``'lab'`` as in
    :func:`classical.preprocess.convert_color`; ``'opponent'`` the opponent
    colours of van de Sande et al. [2]_ mapped onto ``[0, 1]`` as
    :func:`~classical.preprocess.convert_color` maps them:
    ``(R - G + 1) / 2``, ``(R + G - 2 B + 2) / 4`` and ``(R + G + B) / 3``
    of RGB in ``[0, 1]``. Each pixel is converted once per image."""

_COLOR_REFERENCES = _MOMENTS_REFERENCE + """
    .. [2] K. E. A. van de Sande, T. Gevers and C. G. M. Snoek, "Evaluating
       color descriptors for object and scene recognition," IEEE Transactions
       on Pattern Analysis and Machine Intelligence, vol. 32, no. 9,
       pp. 1582-1596, 2010, :DOI:`10.1109/TPAMI.2009.154`."""

_LBP_FRAGMENTS = Substitution(lbp_params=_LBP_PARAMS, n_jobs=N_JOBS_DOC,
                              grid=_GRID_NOTE, lbp=_LBP_NOTE, references=_REFERENCES)
_COLOR_FRAGMENTS = Substitution(color_params=_COLOR_PARAMS, n_jobs=N_JOBS_DOC,
                                grid=_GRID_NOTE, color=_COLOR_NOTE,
                                references=_COLOR_REFERENCES)


def _patch_grid(shape, step, patch_size):
    """Patch centres ``(x, y)`` as an (n, 2) float32 array, and the scales."""
    offset = (patch_size - 1) / 2.0
    ys = np.arange(0, shape[0] - patch_size + 1, step) + offset
    xs = np.arange(0, shape[1] - patch_size + 1, step) + offset
    grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")
    positions = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    return (positions.astype(DESCRIPTOR_DTYPE),
            np.full(len(positions), patch_size, DESCRIPTOR_DTYPE))


def _check_patch_fits(image, patch_size):
    if image.shape[0] < patch_size or image.shape[1] < patch_size:
        raise ValueError(
            f"image of shape {image.shape} is smaller than one patch of "
            f"patch_size={patch_size} pixels per side. Use a larger image or a "
            "smaller patch_size.")


def _lbp_luma(n_channels, per_channel, name):
    """Luminance weights, or none for one histogram per channel."""
    if n_channels == 1 or per_channel:
        return _PER_CHANNEL
    if n_channels == 2:
        raise ValueError(
            f"{name} holds 2-channel images; LBP patches reduce only RGB or RGBA "
            "images to their luminance. Pass per_channel=True, or convert the "
            "images to grayscale first.")
    return GRAY_WEIGHTS


def _lbp_patches(stack, step, patch_size, P, R, method, per_channel, name="X"):
    """LBP patch histograms of a ``(n, H, W[, C])`` stack, (n, n_patches, d)."""
    stack = _kernel_stack(stack)
    method = _canonical_method(method)
    luma = _lbp_luma(stack.shape[3], per_channel, name)
    pairs = ((int(P), _radius_as_used(R)),)
    row_weights, col_weights = _weights_for_shape(pairs, *stack.shape[1:3])
    codes, table = _bin_codes(int(P), method)
    n_blocks = 1 if luma.size else stack.shape[3]
    n_patches = len(_patch_grid(stack.shape[1:3], step, patch_size)[1])
    out = np.empty((stack.shape[0], n_patches, n_blocks * codes.size),
                   DESCRIPTOR_DTYPE)
    kernels.dense_lbp_batch(stack, _sampling_geometry(*pairs[0])[2], row_weights,
                            col_weights, _METHOD_NUMBERS[method],
                            _NO_TABLE if table is None else table, luma, codes.size,
                            step, patch_size, out)
    return out


def _color_patches(stack, step, patch_size, color_space, moments):
    """Colour moments of the patches of a ``(n, H, W, C)`` stack."""
    if stack.dtype == np.bool_:
        stack = stack.astype(np.float64)
    elif stack.dtype == np.float16:
        stack = stack.astype(np.float32)
    pixels = as_pixel_stack(stack)
    inv_top, lut, use_lut = conversion_args(pixels.dtype)
    n_patches = len(_patch_grid(stack.shape[1:3], step, patch_size)[1])
    out = np.empty((stack.shape[0], n_patches, 3 * moments), DESCRIPTOR_DTYPE)
    kernels.dense_color_moments_batch(pixels, stack.shape[2], _SPACES[color_space],
                                      inv_top, lut, use_lut, moments, step,
                                      patch_size, out)
    return out


@validate_params({"image": ["array-like"], **_LBP_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
@_LBP_FRAGMENTS
def dense_lbp(image, *, step=8, patch_size=16, P=8, R=1, method="uniform",
              per_channel=False):
    """Histograms of local binary patterns in patches on a dense grid.

    Every ``step`` pixels, a square patch of ``patch_size`` pixels is
    described by the normalised histogram of the LBP codes [1]_ of its
    pixels, as in the local LBP descriptors of Ahonen et al. [2]_.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        Grey or colour image of any real dtype, at least ``patch_size``
        pixels per side.
    {lbp_params}

    Returns
    -------
    descriptors : ndarray of shape (n_patches, d), dtype float32
        One histogram (or one per channel) per patch, each summing to 1;
        ``d`` is the number of bins of :func:`lbp_histogram`, times the
        number of channels when ``per_channel``.
    positions : ndarray of shape (n_patches, 2), dtype float32
        Patch centres ``(x, y)`` in pixels.
    scales : ndarray of shape (n_patches,), dtype float32
        ``patch_size`` for every patch.

    Raises
    ------
    ValueError
        If the image is smaller than one patch, holds NaN or infinity, or
        has 2 channels without ``per_channel``; if a parameter is out of
        range.

    See Also
    --------
    DenseLBPExtractor : The same descriptors for a batch of images.
    lbp_histogram : One histogram for the whole image.

    Notes
    -----
    {grid}

    {lbp}

    References
    ----------{references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import dense_lbp
    >>> image = np.random.default_rng(0).integers(0, 256, (32, 40), dtype=np.uint8)
    >>> descriptors, positions, scales = dense_lbp(image)
    >>> descriptors.shape, positions[:2].tolist()
    ((12, 10), [[7.5, 7.5], [15.5, 7.5]])
    """
    image = check_image(image, name="image")
    _check_histogram_method(P, _canonical_method(method))
    _check_patch_fits(image, patch_size)
    positions, scales = _patch_grid(image.shape, step, patch_size)
    descriptors = _lbp_patches(image[np.newaxis], step, patch_size, P, R, method,
                               per_channel, name="image")[0]
    return descriptors, positions, scales


@validate_params({"image": ["array-like"], **_COLOR_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
@_COLOR_FRAGMENTS
def dense_color_moments(image, *, step=8, patch_size=16, color_space="rgb",
                        moments=2):
    """Colour moments of patches on a dense grid.

    Every ``step`` pixels, a square patch of ``patch_size`` pixels is
    described by the mean, standard deviation and (optionally) skewness of
    each colour channel over its pixels [1]_.

    Parameters
    ----------
    image : array-like of shape (H, W, 3) or (H, W, 4)
        An RGB image (alpha ignored): uint8, uint16 or float in ``[0, 1]``,
        at least ``patch_size`` pixels per side.
    {color_params}

    Returns
    -------
    descriptors : ndarray of shape (n_patches, 3 * moments), dtype float32
        The moments of each patch, channel by channel.
    positions : ndarray of shape (n_patches, 2), dtype float32
        Patch centres ``(x, y)`` in pixels.
    scales : ndarray of shape (n_patches,), dtype float32
        ``patch_size`` for every patch.

    Raises
    ------
    ValueError
        If the image is not colour, is smaller than one patch or holds NaN
        or infinity; if a parameter is out of range.

    See Also
    --------
    DenseColorExtractor : The same descriptors for a batch of images.
    color_moments : The moments of the whole image.

    Notes
    -----
    {grid}

    {color}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import dense_color_moments
    >>> image = np.zeros((24, 24, 3), np.uint8)
    >>> image[..., 0] = 255
    >>> descriptors, positions, scales = dense_color_moments(image)
    >>> descriptors[0].tolist()
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    image = check_image(image, name="image", color="rgb")
    _check_patch_fits(image, patch_size)
    positions, scales = _patch_grid(image.shape, step, patch_size)
    descriptors = _color_patches(image[np.newaxis], step, patch_size, color_space,
                                 moments)[0]
    return descriptors, positions, scales


class _DensePatchExtractor(BaseLocalExtractor):
    """The grid of the dense patch extractors.

    Subclasses implement ``_n_dims(n_channels)`` and ``_describe(stack)``,
    which returns an (n, n_patches, d) array for a stack of images of one
    shape and dtype.
    """

    def _min_shape(self):
        return self.patch_size, self.patch_size

    def _grid(self, shape):
        return _patch_grid(shape, self.step, self.patch_size)

    def _extract(self, images):
        return describe_on_grids(images, self._grid,
                                 lambda stack, out: self._describe(stack),
                                 self.n_dims_)


@_LBP_FRAGMENTS
class DenseLBPExtractor(_DensePatchExtractor):
    """LBP histograms of patches on a dense grid, as a transformer.

    Describes every image with :func:`dense_lbp` and returns all
    descriptors in one :class:`LocalFeatures`. The code image of each image
    is computed once and shared by the patches; images of one shape and
    dtype are described by one kernel, in parallel over images.

    Parameters
    ----------
    {lbp_params}
    {n_jobs}

    Attributes
    ----------
    n_dims_ : int
        Length of one descriptor.

    See Also
    --------
    dense_lbp : The descriptors of one image.
    DenseSIFTExtractor : Gradient descriptors on the same grid.
    LBPExtractor : One histogram per image.

    Notes
    -----
    {grid}

    {lbp}

    References
    ----------{references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import DenseLBPExtractor
    >>> rng = np.random.default_rng(0)
    >>> images = [rng.integers(0, 256, shape, dtype=np.uint8)
    ...           for shape in [(32, 32), (48, 32, 3)]]
    >>> features = DenseLBPExtractor().fit_transform(images)
    >>> len(features), features.counts.tolist(), features.n_dims
    (2, [9, 15], 10)
    """

    _parameter_constraints = {**_LBP_CONSTRAINTS, "n_jobs": [Integral, None]}

    def __init__(self, *, step=8, patch_size=16, P=8, R=1, method="uniform",
                 per_channel=False, n_jobs=None):
        self.step = step
        self.patch_size = patch_size
        self.P = P
        self.R = R
        self.method = method
        self.per_channel = per_channel
        self.n_jobs = n_jobs

    def _check_params(self):
        _check_histogram_method(self.P, _canonical_method(self.method))
        _radius_as_used(self.R)

    def _n_dims(self, n_channels):
        n_bins = _bin_codes(self.P, _canonical_method(self.method))[0].size
        _lbp_luma(n_channels, self.per_channel, "X")
        return n_bins * (n_channels if self.per_channel else 1)

    def _describe(self, stack):
        return _lbp_patches(stack, self.step, self.patch_size, self.P, self.R,
                            self.method, self.per_channel)


@_COLOR_FRAGMENTS
class DenseColorExtractor(_DensePatchExtractor):
    """Colour moments of patches on a dense grid, as a transformer.

    Describes every image with :func:`dense_color_moments` and returns all
    descriptors in one :class:`LocalFeatures`. Each pixel is converted once
    per image; images of one shape and dtype are described by one kernel,
    in parallel over images.

    Parameters
    ----------
    {color_params}
    {n_jobs}

    Attributes
    ----------
    n_dims_ : int
        Length of one descriptor, ``3 * moments``.

    See Also
    --------
    dense_color_moments : The descriptors of one image.
    ColorMomentsExtractor : The moments of whole images.

    Notes
    -----
    {grid}

    {color}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import DenseColorExtractor
    >>> images = np.zeros((2, 32, 48, 3), np.uint8)
    >>> features = DenseColorExtractor(color_space="lab").fit_transform(images)
    >>> features.counts.tolist(), features.n_dims
    ([15, 15], 6)
    """

    _parameter_constraints = {**_COLOR_CONSTRAINTS, "n_jobs": [Integral, None]}
    _color = "rgb"

    def __init__(self, *, step=8, patch_size=16, color_space="rgb", moments=2,
                 n_jobs=None):
        self.step = step
        self.patch_size = patch_size
        self.color_space = color_space
        self.moments = moments
        self.n_jobs = n_jobs

    def _n_dims(self, n_channels):
        return 3 * self.moments

    def _describe(self, stack):
        return _color_patches(stack, self.step, self.patch_size, self.color_space,
                              self.moments)
