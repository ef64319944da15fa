"""Colour histograms and colour moments."""

from functools import lru_cache
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._kernels import color as kernels
from ..utils._color import SPACE_CODES, as_pixel_stack, conversion_args
from ..utils._docstring import N_JOBS_DOC, VERBOSE_DOC, Substitution
from ..utils._validation import check_image, check_positive_ints
from ._base import BaseImageExtractor

__all__ = ["color_histogram", "color_moments", "ColorHistogramExtractor",
           "ColorMomentsExtractor"]

# Range of each channel used for binning (values outside are clipped into it)
RANGES = {
    "rgb": ((0.0, 1.0), (0.0, 1.0), (0.0, 1.0)),
    "hsv": ((0.0, 1.0), (0.0, 1.0), (0.0, 1.0)),
    "lab": ((0.0, 100.0), (-128.0, 127.0), (-128.0, 127.0)),
}
CHANNELS = {"rgb": ("r", "g", "b"), "hsv": ("h", "s", "v"), "lab": ("l", "a", "b")}
_SPACE_OPTIONS = StrOptions(set(SPACE_CODES))
_BINS_CONSTRAINT = [Interval(Integral, 1, None, closed="left"), "array-like"]
_MOMENT_NAMES = ("mean", "std", "skew")

_RANGES_NOTE = """The bins split each channel's range into equal parts: H, S, V and
    R, G, B (scaled to ``[0, 1]``) over ``[0, 1]``; L over ``[0, 100]``; a
    and b over ``[-128, 127]``. A pixel's bin is NumPy's: edges are
    ``np.linspace(low, high, n + 1)``, a value on an inner edge goes to the
    bin above it, and a value equal to ``high`` goes to the last bin, so
    the histogram equals ``np.histogramdd`` (``joint=True``) or
    ``np.histogram`` per channel of the converted pixels with these ranges.
    Values outside the range (only float images outside ``[0, 1]`` give
    them) are clipped into the end bins rather than dropped."""


def check_bins(bins):
    """Return ``bins`` as three positive ints; an int ``n`` means ``(n, n, n)``."""
    return check_positive_ints(bins, 3, "bins", "(8, 8, 8), one per channel")


@lru_cache(maxsize=32)
def _edges(color_space, bins):
    return tuple(np.linspace(low, high, n + 1)
                 for (low, high), n in zip(RANGES[color_space], bins))


def _bins_of(values, edges):
    """np.histogramdd's bin of each value (clipped into range)."""
    n = len(edges) - 1
    clipped = np.clip(values, edges[0], edges[-1])
    return np.minimum(np.searchsorted(edges, clipped, side="right") - 1, n - 1)


@lru_cache(maxsize=16)
def _hsv_uint8_tables(bins, joint):
    """Offset tables for :func:`classical._kernels.color.hsv_histogram_uint8`.

    Bins come from the same float values as ``hsv_pixel``: ``H = P / (6 d)``
    for ``0 <= P < 6 d``, stored at column ``(P + d) mod 6 d`` (and ``6 d``
    for ``P = 5 d``), ``S = d / max`` and ``V = max * (1 / 255)``; they are
    then turned into offsets into the counts (see the kernel).
    """
    edges_h, edges_s, edges_v = _edges("hsv", bins)
    hue = np.zeros((256, 6 * 255 + 1), dtype=np.int64)
    saturation = np.zeros((256, 256), dtype=np.int64)
    for level in range(1, 256):
        numerators = (np.arange(6 * level + 1) - level) % (6 * level)
        hue[level, :6 * level + 1] = _bins_of(numerators / (6.0 * level), edges_h)
        saturation[level, :level + 1] = _bins_of(np.arange(level + 1) / level,
                                                 edges_s)
    value = _bins_of(np.arange(256) * (1.0 / 255), edges_v)
    nh, ns, nv = bins
    if joint:
        hue, saturation = hue * (ns * nv), saturation * nv + value[:, np.newaxis]
    else:
        saturation, value = saturation + nh, value + nh + ns
    dtype = np.uint16 if nh * ns * nv <= 2**16 else np.uint32
    return hue.astype(dtype), saturation.astype(dtype), value.astype(dtype)


def _histogram_stack(stack, color_space, bins, joint, normalize):
    pixels = as_pixel_stack(stack)
    if color_space == "hsv" and pixels.dtype == np.uint8:
        width = bins[0] * bins[1] * bins[2] if joint else sum(bins)
        return kernels.hsv_histogram_uint8(pixels, *_hsv_uint8_tables(bins, joint),
                                           width, joint, normalize)
    inv_top, lut, use_lut = conversion_args(pixels.dtype)
    return kernels.color_histogram_batch(
        pixels, SPACE_CODES[color_space], inv_top, lut, use_lut,
        *_edges(color_space, bins), joint, normalize)


def _moments_stack(stack, color_space, moments):
    pixels = as_pixel_stack(stack)
    inv_top, lut, use_lut = conversion_args(pixels.dtype)
    return kernels.color_moments_batch(pixels, SPACE_CODES[color_space], inv_top,
                                       lut, use_lut, moments)


@Substitution(ranges=_RANGES_NOTE)
@validate_params(
    {
        "image": ["array-like"],
        "color_space": [_SPACE_OPTIONS],
        "bins": _BINS_CONSTRAINT,
        "joint": ["boolean"],
        "normalize": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def color_histogram(image, *, color_space="hsv", bins=(8, 8, 8), joint=True,
                    normalize=True):
    """Histogram of the colours of an image.

    Parameters
    ----------
    image : array-like of shape (H, W, 3) or (H, W, 4)
        An RGB image: uint8, uint16 or float in ``[0, 1]`` (full scale is
        :func:`classical.utils.intensity_range` of the dtype). Alpha is
        ignored. Grayscale images are refused: a colour histogram needs
        colour.
    color_space : {'hsv', 'rgb', 'lab'}, default='hsv'
        Space the pixels are binned in; see
        :func:`classical.preprocess.convert_color`.
    bins : int or tuple of (int, int, int), default=(8, 8, 8)
        Bins per channel; an int ``n`` means ``(n, n, n)``.
    joint : bool, default=True
        True bins the three channels together (``bins[0] * bins[1] *
        bins[2]`` bins, index ``(i * bins[1] + j) * bins[2] + k``); False
        concatenates the three one-channel histograms
        (``bins[0] + bins[1] + bins[2]`` bins).
    normalize : bool, default=True
        Divide the counts by the number of pixels, so the joint histogram,
        and each one-channel histogram, sums to 1.

    Returns
    -------
    histogram : ndarray of shape (n_bins,)
        Float64 fractions (or counts).

    Notes
    -----
    {ranges}

    The pixels are converted and binned in one pass; no converted image is
    stored. HSV histograms of uint8 images are computed in integer
    arithmetic from tables built from the same float values, with the same
    result.

    References
    ----------
    .. [1] M. J. Swain and D. H. Ballard, "Color indexing," International
       Journal of Computer Vision, vol. 7, no. 1, pp. 11-32, 1991,
       :DOI:`10.1007/BF00130487`.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import color_histogram
    >>> red = np.zeros((4, 4, 3), np.uint8)
    >>> red[..., 0] = 255
    >>> h = color_histogram(red, bins=2)
    >>> h.shape, float(h[(0 * 2 + 1) * 2 + 1])
    ((8,), 1.0)
    """
    image = check_image(image, color="rgb")
    bins = check_bins(bins)
    return _histogram_stack(image[np.newaxis], color_space, bins, joint, normalize)[0]


_MOMENTS_REFERENCE = """.. [1] M. A. Stricker and M. Orengo, "Similarity of color
       images," Proc. SPIE 2420, Storage and Retrieval for Image and Video Databases
       III, pp. 381-392, 1995, :DOI:`10.1117/12.205308`."""

_MOMENTS_NOTE = """Moments are those of Stricker and Orengo [1]_: for each channel the
    mean, the standard deviation ``sqrt(mean((x - mean)**2))`` (population,
    divided by the number of pixels) and the signed cube root of the third
    central moment ``cbrt(mean((x - mean)**3))``, each in the channel's
    units. Hue (in ``[0, 1]``) is treated as a linear quantity, as in the
    paper: reds near 0 and near 1 are far apart, so for images dominated by
    red prefer ``color_space='lab'``. H and S are 0 for gray pixels
    (scikit-image's convention). Two passes over the pixels (mean, then
    central sums) keep the result exact for constant images."""


@Substitution(moments=_MOMENTS_NOTE, moments_reference=_MOMENTS_REFERENCE)
@validate_params(
    {
        "image": ["array-like"],
        "color_space": [_SPACE_OPTIONS],
        "moments": [Interval(Integral, 1, 3, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def color_moments(image, *, color_space="hsv", moments=3):
    """Colour moments of an image: per channel mean, spread and skew.

    Parameters
    ----------
    image : array-like of shape (H, W, 3) or (H, W, 4)
        An RGB image: uint8, uint16 or float in ``[0, 1]``. Alpha is ignored.
    color_space : {'hsv', 'rgb', 'lab'}, default='hsv'
        Space of the channels; see :func:`classical.preprocess.convert_color`.
    moments : {1, 2, 3}, default=3
        How many moments per channel: the mean, then the standard deviation,
        then the cube root of the third central moment.

    Returns
    -------
    features : ndarray of shape (3 * moments,)
        Channel by channel: ``[c0_mean, c0_std, c0_skew, c1_mean, ...]``.

    Notes
    -----
    {moments}

    References
    ----------
    {moments_reference}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import color_moments
    >>> color_moments(np.full((4, 4, 3), 255, np.uint8), color_space="rgb")
    array([1., 0., 0., 1., 0., 0., 1., 0., 0.])
    """
    image = check_image(image, color="rgb")
    return _moments_stack(image[np.newaxis], color_space, moments)[0]



@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC, ranges=_RANGES_NOTE)
class ColorHistogramExtractor(BaseImageExtractor):
    """Colour histogram of each image, computed by one parallel kernel.

    See :func:`color_histogram`.

    Parameters
    ----------
    color_space : {'hsv', 'rgb', 'lab'}, default='hsv'
        Space the pixels are binned in.
    bins : int or tuple of (int, int, int), default=(8, 8, 8)
        Bins per channel; an int ``n`` means ``(n, n, n)``.
    joint : bool, default=True
        One joint histogram (``bins[0] * bins[1] * bins[2]`` values) or three
        concatenated one-channel histograms.
    normalize : bool, default=True
        Divide counts by the number of pixels.
    {n_jobs}
    {verbose}

    Attributes
    ----------
    n_features_out_ : int
        Number of bins.

    See Also
    --------
    color_histogram : The function for one image.
    ColorMomentsExtractor : A compact colour summary.

    Notes
    -----
    {ranges}

    Images may differ in size. uint8 images in HSV are binned in integer
    arithmetic directly from the stacked batch.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import ColorHistogramExtractor
    >>> images = np.zeros((2, 8, 8, 3), np.uint8)
    >>> ColorHistogramExtractor(bins=4).fit_transform(images).shape
    (2, 64)
    """

    _parameter_constraints = {
        **BaseImageExtractor._parameter_constraints,
        "color_space": [_SPACE_OPTIONS],
        "bins": _BINS_CONSTRAINT,
        "joint": ["boolean"],
        "normalize": ["boolean"],
    }
    _color = "rgb"

    def __init__(self, *, color_space="hsv", bins=(8, 8, 8), joint=True,
                 normalize=True, n_jobs=None, verbose=False):
        self.color_space = color_space
        self.bins = bins
        self.joint = joint
        self.normalize = normalize
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self):
        check_bins(self.bins)

    def _extract_batch(self, stack):
        return _histogram_stack(stack, self.color_space, check_bins(self.bins),
                                self.joint, self.normalize)

    def _feature_names(self):
        names = CHANNELS[self.color_space]
        bins = check_bins(self.bins)
        prefix = self.color_space
        if self.joint:
            return [f"{prefix}_{names[0]}{i}_{names[1]}{j}_{names[2]}{k}"
                    for i in range(bins[0]) for j in range(bins[1])
                    for k in range(bins[2])]
        return [f"{prefix}_{name}{i}" for name, n in zip(names, bins)
                for i in range(n)]


@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC, moments=_MOMENTS_NOTE,
              moments_reference=_MOMENTS_REFERENCE)
class ColorMomentsExtractor(BaseImageExtractor):
    """Colour moments of each image, computed by one parallel kernel.

    See :func:`color_moments`.

    Parameters
    ----------
    color_space : {'hsv', 'rgb', 'lab'}, default='hsv'
        Space of the channels.
    moments : {1, 2, 3}, default=3
        Moments per channel: mean, then standard deviation, then the cube
        root of the third central moment.
    {n_jobs}
    {verbose}

    Attributes
    ----------
    n_features_out_ : int
        ``3 * moments``.

    See Also
    --------
    color_moments : The function for one image.
    ColorHistogramExtractor : The full colour distribution.

    Notes
    -----
    {moments}

    References
    ----------
    {moments_reference}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import ColorMomentsExtractor
    >>> extractor = ColorMomentsExtractor(color_space="lab")
    >>> extractor.fit_transform(np.zeros((2, 8, 8, 3), np.uint8)).shape
    (2, 9)
    """

    _parameter_constraints = {
        **BaseImageExtractor._parameter_constraints,
        "color_space": [_SPACE_OPTIONS],
        "moments": [Interval(Integral, 1, 3, closed="both")],
    }
    _color = "rgb"

    def __init__(self, *, color_space="hsv", moments=3, n_jobs=None, verbose=False):
        self.color_space = color_space
        self.moments = moments
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _extract_batch(self, stack):
        return _moments_stack(stack, self.color_space, self.moments)

    def _feature_names(self):
        return [f"{self.color_space}_{channel}_{moment}"
                for channel in CHANNELS[self.color_space]
                for moment in _MOMENT_NAMES[:self.moments]]
