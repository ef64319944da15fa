"""Histogram of oriented gradients: :func:`hog` and :class:`HOGExtractor`."""

from numbers import Integral

import numba
import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn_compat.utils._param_validation import validate_params

from .._kernels import hog as _kernels
from ..utils._docstring import N_JOBS_DOC, VERBOSE_DOC, Substitution
from ..utils._validation import check_image, check_positive_pair
from ._base import BaseImageExtractor

__all__ = ["hog", "HOGExtractor"]

_PARALLEL_PIXELS = 512 * 512
"""Images with at least this many pixels are described on all Numba threads."""

_HOG_CONSTRAINTS = {
    "orientations": [Interval(Integral, 1, None, closed="left")],
    "pixels_per_cell": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "cells_per_block": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "block_norm": [StrOptions(set(_kernels.NORMS))],
    "transform_sqrt": ["boolean"],
}

_NOTES = """The cells, the orientation binning and the block normalisation
    follow :func:`skimage.feature.hog` exactly, and the result equals it (with
    ``channel_axis=-1`` for colour images) to float rounding:

    * gradients are central differences ``I[r + 1] - I[r - 1]`` along rows
      and columns, zero on the first and last row and column; values are
      not rescaled (``uint8`` input stays in ``[0, 255]``);
    * a colour image keeps, per pixel, the channel with the largest gradient
      magnitude (the first on ties);
    * the unsigned orientation ``theta`` in ``[0, 180)`` degrees falls in
      bin ``k`` when ``k * 180 / orientations <= theta < (k + 1) * 180 /
      orientations``; each pixel votes its magnitude into its bin only (no
      interpolation between bins or cells) and a cell histogram is divided by
      the number of pixels in a cell;
    * cells tile the image from the top-left corner; pixels beyond the last
      whole cell cast no votes (the first row and column beyond it still
      enter the gradients of the last ones);
    * blocks of ``cells_per_block`` cells slide by one cell and are normalised
      with ``eps = 1e-5``: ``'L1'`` ``v / (sum|v| + eps)``, ``'L1-sqrt'`` its
      square root, ``'L2'`` ``v / sqrt(sum v**2 + eps**2)`` and ``'L2-Hys'``
      the ``'L2'`` result clipped at 0.2 and normalised again.

    Departures from :func:`skimage.feature.hog`: the result is always float64
    (scikit-image returns float32 for float32 input), cell histograms are summed
    in float64 (scikit-image sums in float32), ``pixels_per_cell`` and
    ``cells_per_block`` may be given as one int, and the default block is
    ``(2, 2)`` cells as in [1]_ (scikit-image uses ``(3, 3)``). The bin of a
    pixel is found by comparing its gradient with each bin edge instead of
    computing ``atan2``; it is the same bin except when a float gradient lies
    within a few units in the last place of an edge, where NumPy's vectorised
    ``arctan2`` may round differently from the C library's. In practice that
    happens only to integer images converted to float, at the 45 and 135
    degree edges (``orientations`` a multiple of 4); integer images themselves
    are never affected.

    Compared with [1]_: no Gaussian window over a block and no interpolation
    of votes between bins or cells."""

_GLYPH_NOTES = """The glyph image (``visualize=True``) is scikit-image's, to float
    rounding, except for the departures below. For cell ``(i, j)`` and bin
    ``k`` it holds a line across the cell centre ``(i * cell_rows + cell_rows
    // 2, j * cell_cols + cell_cols // 2)``, perpendicular to the bin's middle
    orientation ``phi = 180 * (k + 0.5) / orientations`` degrees (so along
    the edges the bin counts), of half-length ``min(pixels_per_cell) // 2 -
    1``, with ends truncated to whole pixels and the pixels between them
    those of Bresenham's line (:func:`skimage.draw.line`). Each such pixel
    gets the bin's cell histogram value added, so the centre of a cell, where
    every line passes, holds the sum of its bins. Departures: an end that is
    exactly a whole pixel (``2 * sin(30)``, ``3 * cos(90)``) is that pixel,
    where scikit-image, computing ends in floats from the cell's absolute
    position, may put it one pixel off in some cells; one-pixel cells get a
    one-pixel glyph (scikit-image's half-length would be -1)."""

_REFERENCES = """.. [1] N. Dalal and B. Triggs, "Histograms of oriented gradients for
           human detection", IEEE Conference on Computer Vision and Pattern
           Recognition (CVPR), 2005, pp. 886-893. :DOI:`10.1109/CVPR.2005.177`"""


_DIRECT_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
"""Dtypes the kernels read as they are (one compiled version each)."""


def _kernel_input(array):
    """Return ``array`` in a dtype the kernels read, and whether it is float32.

    ``uint8``, ``uint16``, ``float32`` and ``float64`` are read as they are and
    booleans are viewed as ``uint8``; ``float16`` becomes ``float32`` and every
    other dtype ``float64``, the types scikit-image computes in.
    """
    if array.dtype == np.bool_:
        array = array.view(np.uint8)
    elif array.dtype == np.float16:
        array = array.astype(np.float32)
    elif array.dtype.type not in _DIRECT_DTYPES:
        array = array.astype(np.float64)
    return array, array.dtype == np.float32


def _check_non_negative(array, name):
    if np.issubdtype(array.dtype, np.unsignedinteger):
        return
    low = array.min()
    if low < 0:
        raise ValueError(
            f"transform_sqrt=True takes the square root of every value, so {name} "
            f"must not be negative; got a minimum of {low}. Shift or clip the "
            "image first, or use transform_sqrt=False."
        )


def _is_large(shape):
    """Whether one image of ``shape`` is worth describing on several threads."""
    return shape[0] * shape[1] >= _PARALLEL_PIXELS and numba.get_num_threads() > 1


def _grid(shape, cell, block):
    """Number of block rows and block columns of an image of ``shape``."""
    return shape[0] // cell[0] - block[0] + 1, shape[1] // cell[1] - block[1] + 1


def _run(kernel, src, cell, block, orientations, block_norm, transform_sqrt, single,
         *arrays):
    """Call a HOG kernel on ``src``, one (H, W, C) image or an (n, H, W, C) stack.

    ``arrays`` are the kernel's arguments after the orientation edges.
    """
    kernel(src, cell[0], cell[1], block[0], block[1], _kernels.NORMS[block_norm],
           bool(transform_sqrt), bool(single),
           _kernels.orientation_edges(orientations), *arrays)


@Substitution(notes=_NOTES, glyph_notes=_GLYPH_NOTES, references=_REFERENCES)
@validate_params(
    {"image": ["array-like"], **_HOG_CONSTRAINTS, "feature_vector": ["boolean"],
     "visualize": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def hog(image, *, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
        block_norm="L2-Hys", transform_sqrt=False, feature_vector=True,
        visualize=False):
    """Histogram of oriented gradients (HOG) of one image.

    The image is divided into cells; each cell gets a histogram of gradient
    orientations weighted by gradient magnitude, and overlapping blocks of
    cells are contrast-normalised and concatenated [1]_.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        Grey or colour image (1 to 4 channels), any real dtype. Values are
        used as they are: ``uint8`` images are not scaled to ``[0, 1]``.
    orientations : int, default=9
        Number of orientation bins over ``[0, 180)`` degrees.
    pixels_per_cell : int or tuple of (int, int), default=(8, 8)
        Cell size in pixels, ``(rows, cols)``; an int means a square cell.
    cells_per_block : int or tuple of (int, int), default=(2, 2)
        Block size in cells, ``(rows, cols)``; an int means a square block.
    block_norm : {'L1', 'L1-sqrt', 'L2', 'L2-Hys'}, default='L2-Hys'
        Block normalisation; see Notes.
    transform_sqrt : bool, default=False
        Take the square root of every value first (power-law compression).
        The image must then have no negative values.
    feature_vector : bool, default=True
        Return a flat vector; if False, keep the block structure.
    visualize : bool, default=False
        Also return the glyph image of the cell histograms, as
        :func:`skimage.feature.hog` does with ``visualize=True``.

    Returns
    -------
    features : ndarray of shape (n_features,) or \
(n_block_rows, n_block_cols, cells_per_block[0], cells_per_block[1], orientations)
        Float64 HOG descriptor; the flat vector is the C-order ravel of the
        5-D array, with ``n_block_rows = H // pixels_per_cell[0] -
        cells_per_block[0] + 1`` and likewise for columns.
    hog_image : ndarray of shape (H, W)
        Only with ``visualize=True``: float64, zero but for one line glyph
        per cell and orientation bin (see Notes), bright in proportion to
        the cell's (not yet block-normalised) histogram value.

    Raises
    ------
    ValueError
        If the image is smaller than one block, holds NaN or infinity, or is
        negative with ``transform_sqrt=True``; if a parameter is out of range.

    See Also
    --------
    HOGExtractor : The same descriptor for a batch of images, as a transformer.
    skimage.feature.hog : The reference implementation this one equals.

    Notes
    -----
    {notes}

    {glyph_notes}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import hog
    >>> image = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    >>> hog(image).shape
    (1764,)
    >>> hog(image, feature_vector=False).shape
    (7, 7, 2, 2, 9)
    >>> features, hog_image = hog(image, visualize=True)
    >>> hog_image.shape
    (64, 64)
    """
    cell = check_positive_pair(pixels_per_cell, "pixels_per_cell")
    block = check_positive_pair(cells_per_block, "cells_per_block")
    image = check_image(image, name="image")
    n_block_rows, n_block_cols = _grid(image.shape, cell, block)
    if n_block_rows < 1 or n_block_cols < 1:
        raise ValueError(
            "The input image is too small given the values of pixels_per_cell and "
            "cells_per_block. It should have at least: "
            f"{cell[0] * block[0]} rows and {cell[1] * block[1]} cols; got "
            f"{image.shape[0]} rows and {image.shape[1]} cols. Resize the image or "
            "use smaller cells or blocks."
        )
    src, single = _kernel_input(image)
    if transform_sqrt:
        _check_non_negative(src, "image")
    src = np.ascontiguousarray(src.reshape(*src.shape[:2], -1))
    shape = (n_block_rows, n_block_cols, block[0], block[1], orientations)
    out = np.empty(int(np.prod(shape)))
    params = (src, cell, block, orientations, block_norm, transform_sqrt, single)
    if visualize:
        hog_image = np.zeros(image.shape[:2])
        _run(_kernels.hog_descriptor_glyphs, *params,
             _kernels.glyph_ends(orientations, *cell), out, hog_image)
    elif _is_large(image.shape):
        _run(_kernels.hog_descriptor_parallel, *params, out)
    else:
        _run(_kernels.hog_descriptor, *params, out)
    features = out if feature_vector else out.reshape(shape)
    return (features, hog_image) if visualize else features


@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC, notes=_NOTES,
              references=_REFERENCES)
class HOGExtractor(BaseImageExtractor):
    """Histogram of oriented gradients (HOG) of each image, as a transformer.

    Describes every image with :func:`hog` and returns one row per image. All
    images of a batch that share a shape are described by one parallel kernel.

    Parameters
    ----------
    orientations : int, default=9
        Number of orientation bins over ``[0, 180)`` degrees.
    pixels_per_cell : int or tuple of (int, int), default=(8, 8)
        Cell size in pixels, ``(rows, cols)``; an int means a square cell.
    cells_per_block : int or tuple of (int, int), default=(2, 2)
        Block size in cells, ``(rows, cols)``; an int means a square block.
    block_norm : {'L1', 'L1-sqrt', 'L2', 'L2-Hys'}, default='L2-Hys'
        Block normalisation; see Notes.
    transform_sqrt : bool, default=False
        Take the square root of every value first (power-law compression).
        Images must then have no negative values.
    {n_jobs}
    {verbose}

    Attributes
    ----------
    n_features_out_ : int
        Length of one descriptor, set by ``fit`` from the first image. All
        images passed to ``transform`` must give the same length (the same
        number of cells).

    See Also
    --------
    hog : The descriptor of one image.

    Notes
    -----
    {notes}

    A batch of images is described in parallel over images; a batch of one
    large image (from 512 x 512 pixels) in parallel over cell rows. ``uint8``,
    ``uint16``, ``float32`` and ``float64`` images are read directly by the
    kernel, without a float copy.

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import HOGExtractor
    >>> images = np.random.default_rng(0).integers(0, 256, (5, 64, 64), dtype=np.uint8)
    >>> HOGExtractor().fit_transform(images).shape
    (5, 1764)
    """

    _parameter_constraints = {
        **BaseImageExtractor._parameter_constraints,
        **_HOG_CONSTRAINTS,
    }

    def __init__(self, *, orientations=9, pixels_per_cell=(8, 8),
                 cells_per_block=(2, 2), block_norm="L2-Hys", transform_sqrt=False,
                 n_jobs=None, verbose=False):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.block_norm = block_norm
        self.transform_sqrt = transform_sqrt
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _pairs(self):
        return (check_positive_pair(self.pixels_per_cell, "pixels_per_cell"),
                check_positive_pair(self.cells_per_block, "cells_per_block"))

    def _check_params(self):
        self._pairs()

    def _min_shape(self):
        cell, block = self._pairs()
        return cell[0] * block[0], cell[1] * block[1]

    def _extract_batch(self, stack):
        cell, block = self._pairs()
        src, single = _kernel_input(stack)
        if self.transform_sqrt:
            _check_non_negative(src, "every image")
        src = src.reshape(*src.shape[:3], -1)
        n_block_rows, n_block_cols = _grid(src.shape[1:3], cell, block)
        per_block = block[0] * block[1] * self.orientations
        out = np.empty((src.shape[0], n_block_rows * n_block_cols * per_block))
        params = (cell, block, self.orientations, self.block_norm,
                  self.transform_sqrt, single)
        if src.shape[0] == 1 and _is_large(src.shape[1:3]):
            _run(_kernels.hog_descriptor_parallel, src[0], *params, out[0])
        else:
            n_shares = min(src.shape[0], numba.get_num_threads())
            _run(_kernels.hog_batch, src, *params, n_shares, out)
        return out

    def _feature_names(self):
        _, block = self._pairs()
        n = self.orientations
        per_block = block[0] * block[1] * n
        return [
            f"hog_b{b}_c{i}_{j}_o{k}"
            for b in range(self.n_features_out_ // per_block)
            for i in range(block[0])
            for j in range(block[1])
            for k in range(n)
        ]
