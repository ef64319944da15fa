"""Dense SIFT on a regular grid: :func:`dense_sift` and :class:`DenseSIFTExtractor`."""

from collections import defaultdict
from numbers import Integral, Real

import numba
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils._param_validation import validate_params

from .._kernels import dsift as _kernels
from ..parallel import numba_threads
from ..utils._docstring import N_JOBS_DOC, Substitution
from ..utils._validation import check_image, check_image_batch, intensity_range
from ._local_features import LocalFeatures

__all__ = ["dense_sift", "DenseSIFTExtractor"]

_DSIFT_CONSTRAINTS = {
    "step": [Interval(Integral, 1, None, closed="left")],
    "bin_size": [Interval(Integral, 1, None, closed="left")],
    "contrast_threshold": [Interval(Real, 0, None, closed="left")],
}

_PARALLEL_PIXELS = 512 * 512
"""Images with at least this many pixels are described on all Numba threads."""

_DIRECT_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
"""Dtypes the kernels read as they are (one compiled version each)."""

_NOTES = """Geometry (``x`` is the column, ``y`` the row, both in pixels, pixel
    ``(x, y)`` covering ``[x - 0.5, x + 0.5] x [y - 0.5, y + 0.5]``):

    * a patch is ``P = 4 * bin_size`` pixels square; patch ``(i, j)`` covers
      rows ``step * i`` to ``step * i + P - 1`` and columns ``step * j`` to
      ``step * j + P - 1``, for every ``i, j`` for which it lies wholly inside
      the image. The first patch touches the top-left corner; its centre is
      ``x = y = (P - 1) / 2`` (7.5 for ``bin_size=4``). Patches are ordered
      row of patches after row of patches (``x`` fastest);
    * ``positions`` holds each patch centre as ``(x, y)``; ``scales`` holds
      ``bin_size`` (the width of a spatial bin, VLFeat's frame scale);
    * descriptor entries are ordered ``(bin row, bin column, orientation)``,
      as in VLFeat and OpenCV; orientation bin ``k`` is centred at ``k * 45``
      degrees measured from the ``+x`` axis towards ``+y`` (downwards, i.e.
      clockwise on screen). OpenCV measures towards ``-y``: its bin ``k`` is
      our bin ``(8 - k) % 8``.

    Computation: values are scaled to ``[0, 1]`` (divided by 255 for
    ``uint8``, 65535 for ``uint16``; float images are taken as they are);
    gradients are those of :func:`numpy.gradient` (central differences
    halved, one-sided on the border); each pixel's gradient magnitude is
    split linearly between the two orientation bins nearest its angle, and
    between the (up to) 2 x 2 nearest spatial bins with the triangular
    weight ``max(0, 1 - |u - k|)``, ``u`` the pixel centre's distance from
    the first bin centre in bins. A patch whose mean gradient magnitude is
    below ``contrast_threshold`` (or exactly zero) gets an all-zero
    descriptor; the others are L2 normalised, clamped at 0.2 and normalised
    again [2]_.

    Compared with VLFeat's ``vl_dsift`` [1]_ (flat window): votes come only
    from the ``P x P`` pixels of the patch (VLFeat's triangular kernels
    reach half a bin further on each side), there is no Gaussian
    pre-smoothing (smooth the image first if wanted) and the contrast
    threshold applies to the mean gradient magnitude rather than the norm
    of the unnormalised descriptor. Compared with Lowe's SIFT [2]_: no
    Gaussian window over the patch, no rotation to a dominant orientation
    and no scale space (one fixed scale)."""

_REFERENCES = """.. [1] A. Vedaldi and B. Fulkerson, "VLFeat: an open and portable
           library of computer vision algorithms", ACM International Conference on
           Multimedia, 2010, pp. 1469-1472. :DOI:`10.1145/1873951.1874249`
    .. [2] D. G. Lowe, "Distinctive image features from scale-invariant
           keypoints", International Journal of Computer Vision, 60(2),
           2004, pp. 91-110. :DOI:`10.1023/B:VISI.0000029664.99615.94`"""


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


def _grid(shape, step, bin_size):
    """Patch centres ``(x, y)`` as an (n, 2) float32 array, and the scales."""
    size = 4 * bin_size
    offset = (size - 1) / 2.0
    ys = np.arange(0, shape[0] - size + 1, step) + offset
    xs = np.arange(0, shape[1] - size + 1, step) + offset
    grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")
    positions = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32)
    return positions, np.full(len(positions), bin_size, np.float32)


def _is_large(shape):
    """Whether one image of ``shape`` is worth describing on several threads."""
    return shape[0] * shape[1] >= _PARALLEL_PIXELS and numba.get_num_threads() > 1


def _describe(stack, step, bin_size, contrast_threshold, out=None):
    """Describe an (n, H, W) stack into ``out`` of shape (n, n_patches, 128).

    ``out`` is allocated when not given. A stack of one large image is
    described in parallel over rows, any other in parallel over images.
    """
    src, scale = _kernel_input(stack)
    src = np.ascontiguousarray(src)
    if out is None:
        n_patches = len(_grid(src.shape[1:], step, bin_size)[0])
        out = np.empty((src.shape[0], n_patches, _kernels.DIMS), np.float32)
    params = (scale, step, _kernels.spatial_table(bin_size), float(contrast_threshold))
    if src.shape[0] == 1 and _is_large(src.shape[1:]):
        _kernels.dense_sift_image_parallel(src[0], *params, out[0])
    else:
        _kernels.dense_sift_batch(src, *params, out)
    return out


@validate_params(
    {"image": ["array-like"], **_DSIFT_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def dense_sift(image, *, step=8, bin_size=4, contrast_threshold=0.005):
    """Dense SIFT descriptors of one grey image on a regular grid.

    Every ``step`` pixels, a square patch of 4 x 4 spatial bins of
    ``bin_size`` pixels is described by a histogram of gradient orientations
    in 8 bins per spatial bin (128 values), as in VLFeat's dense SIFT [1]_
    with Lowe's normalisation [2]_.

    Parameters
    ----------
    image : array-like of shape (H, W)
        Grey image, any real dtype; integer images are scaled to ``[0, 1]``
        by their type's maximum, float images are used as they are.
    step : int, default=8
        Distance in pixels between neighbouring patches, along rows and
        columns.
    bin_size : int, default=4
        Side of a spatial bin in pixels; a patch is ``4 * bin_size`` pixels
        square.
    contrast_threshold : float, default=0.005
        Patches whose mean gradient magnitude (in intensity per pixel, on the
        ``[0, 1]`` scale) is below this get an all-zero descriptor.

    Returns
    -------
    descriptors : ndarray of shape (n_patches, 128), dtype float32
        One descriptor per patch; unit L2 norm, or all zeros.
    positions : ndarray of shape (n_patches, 2), dtype float32
        Patch centres ``(x, y)`` in pixels.
    scales : ndarray of shape (n_patches,), dtype float32
        ``bin_size`` for every patch.

    Raises
    ------
    ValueError
        If the image is not 2-D, is smaller than one patch or holds NaN or
        infinity; if a parameter is out of range.

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
    """
    image = check_image(image, name="image", color="gray")
    size = 4 * bin_size
    if image.shape[0] < size or image.shape[1] < size:
        raise ValueError(
            f"image of shape {image.shape} is smaller than one patch of 4 * bin_size "
            f"= {size} pixels per side. Use a larger image or a smaller bin_size."
        )
    positions, scales = _grid(image.shape, step, bin_size)
    descriptors = _describe(image[np.newaxis], step, bin_size, contrast_threshold)[0]
    return descriptors, positions, scales


dense_sift.__doc__ = dense_sift.__doc__.replace("{notes}", _NOTES).replace(
    "{references}", _REFERENCES)


@Substitution(n_jobs=N_JOBS_DOC, notes=_NOTES, references=_REFERENCES)
class DenseSIFTExtractor(TransformerMixin, BaseEstimator):
    """Dense SIFT descriptors of each image, as a transformer.

    Describes every image with :func:`dense_sift` and returns all descriptors
    in one :class:`LocalFeatures` (a ragged batch: images of different sizes
    have different numbers of patches). Images of one shape and dtype are
    described by one kernel, in parallel over images.

    Parameters
    ----------
    step : int, default=8
        Distance in pixels between neighbouring patches.
    bin_size : int, default=4
        Side of a spatial bin in pixels; a patch is ``4 * bin_size`` pixels
        square.
    contrast_threshold : float, default=0.005
        Patches whose mean gradient magnitude (on the ``[0, 1]`` intensity
        scale) is below this get an all-zero descriptor.
    {n_jobs}

    Attributes
    ----------
    n_dims_ : int
        Length of one descriptor, 128.

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
    """

    _parameter_constraints = {
        **_DSIFT_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, step=8, bin_size=4, contrast_threshold=0.005, n_jobs=None):
        self.step = step
        self.bin_size = bin_size
        self.contrast_threshold = contrast_threshold
        self.n_jobs = n_jobs

    def _validate_images(self, X):
        size = 4 * self.bin_size
        return check_image_batch(X, min_shape=(size, size), color="gray")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the images; nothing is learnt.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W)
            Grey images, each at least ``4 * bin_size`` pixels per side.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted extractor.
        """
        self._validate_images(X)
        self.n_dims_ = _kernels.DIMS
        return self

    def transform(self, X):
        """Describe each image.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W)
            Grey images, each at least ``4 * bin_size`` pixels per side; sizes
            may differ.

        Returns
        -------
        features : LocalFeatures
            One image per input image, in input order, with ``n_dims == 128``.
        """
        check_is_fitted(self, "n_dims_")
        images = self._validate_images(X)
        grids = {}
        for image in images:
            if image.shape not in grids:
                grids[image.shape] = _grid(image.shape, self.step, self.bin_size)
        counts = [len(grids[image.shape][1]) for image in images]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        descriptors = np.empty((offsets[-1], _kernels.DIMS), np.float32)
        params = (self.step, self.bin_size, self.contrast_threshold)
        with numba_threads(self.n_jobs):
            if isinstance(images, np.ndarray):  # one stack: straight into place
                _describe(images, *params,
                          out=descriptors.reshape(len(images), counts[0], -1))
            else:
                groups = defaultdict(list)
                for index, image in enumerate(images):
                    groups[(image.shape, image.dtype.str)].append(index)
                for indices in groups.values():
                    out = _describe(np.stack([images[i] for i in indices]), *params)
                    for i, rows in zip(indices, out):
                        descriptors[offsets[i]:offsets[i + 1]] = rows
        return LocalFeatures(
            descriptors, offsets,
            np.concatenate([grids[image.shape][0] for image in images]),
            np.concatenate([grids[image.shape][1] for image in images]),
            [image.shape[:2] for image in images])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags
