"""Dense SIFT on a regular grid: :func:`dense_sift` and :class:`DenseSIFTExtractor`."""

import operator
from numbers import Integral, Real

import numba
import numpy as np
from scipy.ndimage import gaussian_filter
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn_compat.utils._param_validation import validate_params

from .._kernels import dsift as _kernels
from .._local_features import DESCRIPTOR_DTYPE
from ..preprocess import convert_color, to_grayscale
from ..utils._docstring import N_JOBS_DOC, Substitution
from ..utils._validation import check_image, intensity_range
from ._local_base import BaseLocalExtractor, describe_on_grids

__all__ = ["dense_sift", "DenseSIFTExtractor"]

_DSIFT_CONSTRAINTS = {
    "step": [Interval(Integral, 1, None, closed="left")],
    "bin_size": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "contrast_threshold": [Interval(Real, 0, None, closed="left")],
    "magnification": [Interval(Real, 0, None, closed="neither"), None],
    "color_space": [StrOptions({"gray", "rgb", "hsv", "opponent"})],
}

_PARALLEL_PIXELS = 512 * 512
"""Images with at least this many pixels are described on all Numba threads."""

_DIRECT_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
"""Dtypes the kernels read as they are (one compiled version each)."""

_TRUNCATE = 4.0
"""The smoothing Gaussian is cut at this many standard deviations."""

_NOTES = """Geometry (``x`` is the column, ``y`` the row, both in pixels, pixel
    ``(x, y)`` covering ``[x - 0.5, x + 0.5] x [y - 0.5, y + 0.5]``):

    * with ``M = max(bin_size)`` and ``P = 4 * M`` (the largest patch), the
      grid point ``(i, j)`` is ``x = (P - 1) / 2 + step * j``, ``y = (P -
      1) / 2 + step * i``, for every ``i, j`` for which the largest patch
      lies wholly inside the image. Each bin size ``s`` describes every grid
      point with a patch of ``4 * s`` pixels square covering rows ``o + step
      * i`` to ``o + step * i + 4 * s - 1`` and the same columns from ``o +
      step * j``, where ``o = 2 * (M - s)``: the patches of all sizes share
      their centres [3]_. With one bin size ``o = 0``; the first patch
      touches the top-left corner and its centre is ``x = y = (P - 1) / 2``
      (7.5 for ``bin_size=4``);
    * order: size after size, in the order ``bin_size`` lists them; within a
      size, row of patches after row of patches (``x`` fastest). With
      ``n_down x n_across`` grid points (``n_grid`` in all), descriptor ``k *
      n_grid + i * n_across + j`` of an image is grid point ``(i, j)`` at
      size ``bin_size[k]``;
    * ``positions`` holds each patch centre as ``(x, y)``; ``scales`` holds
      the bin size of each descriptor (the width of a spatial bin, VLFeat's
      frame scale);
    * descriptor entries are ordered ``(channel, bin row, bin column,
      orientation)``, as in VLFeat and OpenCV for one channel; orientation
      bin ``k`` is centred at ``k * 45`` degrees measured from the ``+x``
      axis towards ``+y`` (downwards, i.e. clockwise on screen). OpenCV
      measures towards ``-y``: its bin ``k`` is our bin ``(8 - k) % 8``.

    Computation: values are scaled to ``[0, 1]`` (divided by 255 for
    ``uint8``, 65535 for ``uint16``; float images are taken as they are);
    gradients are those of :func:`numpy.gradient` (central differences
    halved, one-sided on the border); each pixel's gradient magnitude is
    split linearly between the two orientation bins nearest its angle
    (computed in float32 with a polynomial in place of ``atan2``, within
    ``3e-6`` of a bin of the exact angle), and
    between the (up to) 2 x 2 nearest spatial bins with the triangular
    weight ``max(0, 1 - |u - k|)``, ``u`` the pixel centre's distance from
    the first bin centre in bins. A patch whose mean gradient magnitude is
    below ``contrast_threshold`` (or exactly zero) gets an all-zero
    descriptor; the others are L2 normalised, clamped at 0.2 and normalised
    again [2]_.

    Smoothing: with ``magnification`` set, each channel is smoothed before
    it is described at bin size ``s`` by a separable Gaussian of standard
    deviation ``s / magnification`` pixels
    (:func:`scipy.ndimage.gaussian_filter` in float32, cut at 4 standard
    deviations, i.e. a radius of ``int(4 sigma + 0.5)`` pixels, the border
    pixel repeated outside the image), as PHOW does [3]_; gradients are then
    computed once per bin size instead of once in all.

    Colour (``color_space``): ``'gray'`` describes a grey image as it is
    and turns a colour (H, W, 3 or 4) image into grey with
    :func:`classical.preprocess.to_grayscale` first; ``'rgb'`` describes R,
    G and B as they are; ``'hsv'`` describes the H, S and V of
    :func:`classical.preprocess.convert_color` (in ``[0, 1]``; hue is
    circular, so the red wrap from 1 to 0 gives a strong gradient);
    ``'opponent'`` describes the opponent channels of van de Sande et al.
    [4]_ ``(R - G) / sqrt(2)``, ``(R + G - 2 B) / sqrt(6)`` and ``(R + G +
    B) / sqrt(3)``, each mapped affinely onto ``[0, 1]`` by
    :func:`classical.preprocess.convert_color` (so ``(R - G + 1) / 2``,
    ``(R + G - 2 B + 2) / 4`` and ``(R + G + B) / 3``). Each channel is
    described as a grey image, with the contrast threshold applied to that
    channel's own gradients on its ``[0, 1]`` scale, and normalised on its
    own; the three 128-value blocks are concatenated (384 values) and not
    normalised together, so a descriptor's norm is 0, 1, sqrt(2) or
    sqrt(3). Alpha is ignored.

    Compared with VLFeat's ``vl_dsift`` and ``vl_phow`` [1]_ (flat window):
    votes come only from the ``4 s x 4 s`` pixels of the patch (VLFeat's
    triangular kernels reach half a bin further on each side), so the shift
    that aligns sizes is ``2 (M - s)`` pixels rather than VLFeat's ``1.5 (M
    - s)``; smaller sizes are not extended to the right and bottom borders
    beyond the grid of the largest (every size has the same number of
    descriptors); the smoothing sigma ``s / magnification`` and the order
    (size after size, channels side by side) are ``vl_phow``'s. The
    contrast threshold applies to the mean gradient magnitude rather than
    the norm of the unnormalised descriptor, and to each channel on its
    own, where ``vl_phow`` zeroes all channels of a descriptor by one
    contrast (intensity, V, or the mean of R, G and B). ``vl_phow`` turns
    colour into grey with BT.601 weights (ours: BT.709) and defines its
    opponent channels with the intensity as the first channel and a small
    multiple of it added to the other two; ours are those of van de Sande
    et al. [4]_. Compared with Lowe's SIFT [2]_: no Gaussian
    window over the patch, no rotation to a dominant orientation and no
    scale space."""

_REFERENCES = """.. [1] A. Vedaldi and B. Fulkerson, "VLFeat: an open and portable
           library of computer vision algorithms", ACM International Conference on
           Multimedia, 2010, pp. 1469-1472. :DOI:`10.1145/1873951.1874249`
    .. [2] D. G. Lowe, "Distinctive image features from scale-invariant
           keypoints", International Journal of Computer Vision, 60(2),
           2004, pp. 91-110. :DOI:`10.1023/B:VISI.0000029664.99615.94`
    .. [3] A. Bosch, A. Zisserman and X. Munoz, "Image classification using
           random forests and ferns", IEEE International Conference on
           Computer Vision, 2007. :DOI:`10.1109/ICCV.2007.4409066`
    .. [4] K. E. A. van de Sande, T. Gevers and C. G. M. Snoek, "Evaluating
           color descriptors for object and scene recognition", IEEE
           Transactions on Pattern Analysis and Machine Intelligence, 32(9),
           2010, pp. 1582-1596. :DOI:`10.1109/TPAMI.2009.154`"""

_PARAMETERS = """step : int, default=8
        Distance in pixels between neighbouring patch centres, along rows and
        columns.
    bin_size : int or sequence of int, default=4
        Side of a spatial bin in pixels; a patch is ``4 * bin_size`` pixels
        square. Several distinct sizes describe every grid point once each,
        with shared patch centres (PHOW [3]_; VLFeat's ``vl_phow`` uses
        ``(4, 6, 8, 10)``).
    contrast_threshold : float, default=0.005
        Patches whose mean gradient magnitude (in intensity per pixel, on the
        ``[0, 1]`` scale, per channel) is below this get an all-zero
        descriptor (block).
    magnification : float or None, default=None
        If set, smooth the image with a Gaussian of ``bin_size /
        magnification`` pixels before describing at each bin size
        (``vl_phow`` uses 6); None describes the image unsmoothed.
    color_space : {'gray', 'rgb', 'hsv', 'opponent'}, default='gray'
        Channels to describe: ``'gray'`` one (colour input is converted to
        grey), the others three, described separately and concatenated
        (384 values) [4]_."""


def _kernel_input(array):
    """Return ``array`` in a dtype the kernels read and the factor to ``[0, 1]``."""
    scale = 1.0 / intensity_range(array.dtype)
    if array.dtype == np.bool_:
        array = array.view(np.uint8)
    elif array.dtype == np.float16:
        array = array.astype(np.float32)
    elif array.dtype.type not in _DIRECT_DTYPES:
        array = array.astype(np.float64)
    return array, scale


def _bin_sizes(bin_size):
    """``bin_size`` as a tuple of distinct positive ints (one for an int)."""
    if isinstance(bin_size, Integral) and not isinstance(bin_size, bool):
        return (int(bin_size),)
    try:
        sizes = tuple(operator.index(v) for v in np.asarray(bin_size).ravel().tolist())
    except TypeError:
        sizes = ()
    if (np.ndim(bin_size) != 1 or not sizes or min(sizes) < 1
            or len(set(sizes)) != len(sizes)):
        raise ValueError(
            f"bin_size must be a positive int or a non-empty sequence of distinct "
            f"positive ints, e.g. (4, 6, 8, 10); got {bin_size!r}."
        )
    return sizes


class _Setup:
    """The parameters of one call, checked, with the kernels' tables."""

    def __init__(self, step, bin_size, contrast_threshold, magnification,
                 color_space):
        self.step = step
        self.sizes = _bin_sizes(bin_size)
        self.threshold = float(contrast_threshold)
        self.magnification = magnification
        self.color_space = color_space
        self.n_channels = _space_channels(color_space)
        self.dims = _kernels.DIMS * self.n_channels
        self.patch = 4 * max(self.sizes)
        self.tables = _kernels.spatial_tables(self.sizes)
        self.offsets = np.array([(self.patch - 4 * s) // 2 for s in self.sizes],
                                np.int64)
        self.sides = np.array([4 * s for s in self.sizes], np.int64)

    def grid_shape(self, shape):
        """Patches down and across the grid of an image of ``shape``."""
        return ((shape[0] - self.patch) // self.step + 1,
                (shape[1] - self.patch) // self.step + 1)

    def grid(self, shape):
        """Patch centres ``(x, y)`` (n, 2) float32 and scales (n,) of ``shape``."""
        n_down, n_across = self.grid_shape(shape)
        centre = (self.patch - 1) / 2.0
        ys = centre + self.step * np.arange(n_down)
        xs = centre + self.step * np.arange(n_across)
        grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")
        one = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
        positions = np.tile(one.astype(DESCRIPTOR_DTYPE), (len(self.sizes), 1))
        scales = np.repeat(np.array(self.sizes, DESCRIPTOR_DTYPE), len(one))
        return positions, scales

    def planes(self, stack):
        """An (n, H, W[, C]) stack as (n * n_channels, H, W) planes to describe."""
        space = self.color_space
        if space == "gray":
            if stack.ndim == 4:
                stack = np.stack([to_grayscale(image) for image in stack])
            return stack
        if space == "rgb":
            channels = stack[..., :3]
        else:
            channels = np.stack([convert_color(image, space) for image in stack])
        return np.moveaxis(channels, -1, 1).reshape(-1, *stack.shape[1:3])

    def describe(self, stack, out=None):
        """Describe an (n, H, W[, C]) stack into ``out`` of shape (n, n_rows, dims).

        ``out`` is allocated when not given. A stack of one large image is
        described in parallel over rows, any other in parallel over planes.
        """
        planes, scale = _kernel_input(self.planes(stack))
        n_down, n_across = self.grid_shape(planes.shape[1:])
        n_grid = n_down * n_across
        if out is None:
            out = np.empty((len(stack), n_grid * len(self.sizes), self.dims),
                           DESCRIPTOR_DTYPE)
        if self.magnification is None:  # one pass describes every size
            calls = [(planes, slice(None), 0)]
        else:  # one smoothed copy and pass per size, made when needed
            calls = ((self.smooth(planes, k), slice(k, k + 1), k * n_grid)
                     for k in range(len(self.sizes)))
        for described, which, row0 in calls:
            described = np.ascontiguousarray(described)
            geometry = (scale, self.step, self.offsets[which], self.tables[which],
                        self.sides[which], n_down, n_across, self.threshold,
                        row0)
            if len(stack) == 1 and _is_large(described.shape[1:]):
                for c, plane in enumerate(described):
                    _kernels.dense_sift_image_parallel(
                        plane, *geometry, _kernels.DIMS * c, out[0])
            else:
                _kernels.dense_sift_batch(described, self.n_channels, *geometry, out)
        return out

    def smooth(self, planes, k):
        """Planes smoothed for size ``k``: float32, Gaussian of ``sigma`` pixels."""
        sigma = self.sizes[k] / self.magnification
        return gaussian_filter(planes, (0.0, sigma, sigma), mode="nearest",
                               truncate=_TRUNCATE, output=np.float32)


def _is_large(shape):
    """Whether one image of ``shape`` is worth describing on several threads."""
    return shape[0] * shape[1] >= _PARALLEL_PIXELS and numba.get_num_threads() > 1


@validate_params(
    {"image": ["array-like"], **_DSIFT_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def dense_sift(image, *, step=8, bin_size=4, contrast_threshold=0.005,
               magnification=None, color_space="gray"):
    """Dense SIFT descriptors of one image on a regular grid.

    Every ``step`` pixels, a square patch of 4 x 4 spatial bins of
    ``bin_size`` pixels is described by a histogram of gradient orientations
    in 8 bins per spatial bin (128 values per channel), as in VLFeat's dense
    SIFT [1]_ with Lowe's normalisation [2]_; optionally at several bin sizes
    with Gaussian smoothing and colour channels, as in PHOW [3]_.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image, any real dtype; integer images are scaled to ``[0, 1]``
        by their type's maximum, float images are used as they are. A grey
        (H, W) image for ``color_space='gray'`` (an RGB(A) image is converted
        to grey), an RGB(A) image (``C`` of 3 or 4) for the other spaces.
    {parameters}

    Returns
    -------
    descriptors : ndarray of shape (n_sizes * n_patches, 128 * n_channels), \
dtype float32
        One descriptor per patch and bin size; each 128-value channel block
        has unit L2 norm or is all zeros.
    positions : ndarray of shape (n_sizes * n_patches, 2), dtype float32
        Patch centres ``(x, y)`` in pixels.
    scales : ndarray of shape (n_sizes * n_patches,), dtype float32
        The bin size of each descriptor.

    Raises
    ------
    ValueError
        If the image has the wrong number of channels, is smaller than the
        largest patch or holds NaN or infinity; if a parameter is out of
        range.

    See Also
    --------
    DenseSIFTExtractor : The same descriptors for a batch of images.

    Notes
    -----
    {notes}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import dense_sift
    >>> image = np.random.default_rng(0).integers(0, 256, (64, 48), dtype=np.uint8)
    >>> descriptors, positions, scales = dense_sift(image)
    >>> descriptors.shape, positions[:2].tolist()
    ((35, 128), [[7.5, 7.5], [15.5, 7.5]])
    >>> descriptors, positions, scales = dense_sift(
    ...     image, bin_size=(4, 6), magnification=6)
    >>> descriptors.shape, positions[0].tolist(), np.unique(scales).tolist()
    ((48, 128), [11.5, 11.5], [4.0, 6.0])
    """
    setup = _Setup(step, bin_size, contrast_threshold, magnification, color_space)
    image = check_image(image, name="image", color=_check_color(color_space))
    if image.shape[0] < setup.patch or image.shape[1] < setup.patch:
        raise ValueError(
            f"image of shape {image.shape} is smaller than one patch of "
            f"{_patch_text(setup)} = {setup.patch} pixels per side. Use a larger "
            "image or a smaller bin_size."
        )
    positions, scales = setup.grid(image.shape)
    descriptors = setup.describe(image[np.newaxis])[0]
    return descriptors, positions, scales


def _space_channels(color_space):
    """Channels described for ``color_space``: 1 for grey, 3 otherwise."""
    return 1 if color_space == "gray" else 3


def _check_color(color_space):
    """The ``color`` to require of images for ``color_space``."""
    return None if color_space == "gray" else "rgb"


def _patch_text(setup):
    return "4 * bin_size" if len(setup.sizes) == 1 else "4 * max(bin_size)"


_FRAGMENTS = Substitution(parameters=_PARAMETERS, notes=_NOTES,
                          references=_REFERENCES, n_jobs=N_JOBS_DOC)
_FRAGMENTS(dense_sift)


@_FRAGMENTS
class DenseSIFTExtractor(BaseLocalExtractor):
    """Dense SIFT descriptors of each image, as a transformer.

    Describes every image with :func:`dense_sift` and returns all descriptors
    in one :class:`LocalFeatures` (a ragged batch: images of different sizes
    have different numbers of patches). Images of one shape and dtype are
    described by one kernel, in parallel over images and channels. With
    several bin sizes, smoothing and colour this is PHOW [3]_.

    Parameters
    ----------
    {parameters}
    {n_jobs}

    Attributes
    ----------
    n_dims_ : int
        Length of one descriptor: 128, or 384 for a colour space.

    See Also
    --------
    dense_sift : The descriptors of one image.
    LocalFeatures : The container ``transform`` returns.

    Notes
    -----
    {notes}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import DenseSIFTExtractor
    >>> rng = np.random.default_rng(0)
    >>> images = [rng.integers(0, 256, shape, dtype=np.uint8)
    ...           for shape in [(32, 32), (48, 32)]]
    >>> features = DenseSIFTExtractor().fit_transform(images)
    >>> len(features), features.counts.tolist(), features[1].shape
    (2, [9, 15], (15, 128))
    >>> colour = [rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)]
    >>> phow = DenseSIFTExtractor(step=4, bin_size=(4, 6, 8, 10), magnification=6,
    ...                           color_space="opponent").fit_transform(colour)
    >>> phow[0].shape, np.unique(phow.scales).tolist()
    ((4, 384), [4.0, 6.0, 8.0, 10.0])
    """

    _parameter_constraints = {
        **_DSIFT_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }
    _prange_chunk = 1  # planes go to threads one at a time, so that a thread
    # slowed down by other processes takes fewer of them

    def __init__(self, *, step=8, bin_size=4, contrast_threshold=0.005,
                 magnification=None, color_space="gray", n_jobs=None):
        self.step = step
        self.bin_size = bin_size
        self.contrast_threshold = contrast_threshold
        self.magnification = magnification
        self.color_space = color_space
        self.n_jobs = n_jobs

    def _setup(self):
        return _Setup(self.step, self.bin_size, self.contrast_threshold,
                      self.magnification, self.color_space)

    def _check_params(self):
        _bin_sizes(self.bin_size)

    def _min_shape(self):
        patch = 4 * max(_bin_sizes(self.bin_size))
        return patch, patch

    @property
    def _color(self):
        return _check_color(self.color_space)

    def _n_dims(self, n_channels):
        return _kernels.DIMS * _space_channels(self.color_space)

    def _extract(self, images):
        setup = self._setup()
        return describe_on_grids(images, setup.grid, setup.describe, setup.dims)
