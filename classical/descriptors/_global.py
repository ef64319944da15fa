"""Colour texture, colour distribution and coarse shape in one extractor."""

from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .._kernels import global_features as kernels
from ..preprocess import resize
from ..utils._color import conversion_args, rgb_to_gray
from ..utils._docstring import N_JOBS_DOC, VERBOSE_DOC, Substitution
from ._base import BaseImageExtractor
from ._color import CHANNELS, RANGES
from ._hog import HOGExtractor
from ._lbp import _check_pairs, _radius_as_used, _sampling_geometry

__all__ = ["GlobalFeaturesExtractor"]

_SPACES = ("rgb", "hsv", "lab")
# Largest P of one circle: a pattern is kept in an int32
_MAX_P = 30


def _lbp_geometry(pairs):
    """Margin, flat corner offsets, bilinear weights and point ranges of ``pairs``.

    The offsets index a buffer ``width = n_cols + 2 * margin`` wide; they are
    returned as ``(row, col)`` pairs and made flat by :func:`_flat_offsets`.
    """
    geometry = [_sampling_geometry(P, _radius_as_used(R)) for P, R in pairs]
    rows = np.concatenate([g[0] for g in geometry])
    cols = np.concatenate([g[1] for g in geometry])
    corners = np.concatenate([g[2] for g in geometry])
    dr = (rows - np.floor(rows)).astype(np.float32)
    dc = (cols - np.floor(cols)).astype(np.float32)
    one = np.float32(1)
    weights = np.stack([(one - dr) * (one - dc), (one - dr) * dc, dr * (one - dc),
                        dr * dc], axis=1)
    point_first = np.cumsum([0] + [P for P, _ in pairs]).astype(np.int64)
    return int(np.abs(corners).max()), corners, weights, point_first


@lru_cache(maxsize=16)
def _plan(pairs, n_cols):
    """The kernel's LBP arguments for images ``n_cols`` wide."""
    margin, corners, weights, point_first = _lbp_geometry(pairs)
    width = n_cols + 2 * margin
    row_col = corners[:, [0, 0, 2, 2]] * width + corners[:, [1, 3, 1, 3]]
    return margin, np.ascontiguousarray(row_col), weights, point_first


@lru_cache(maxsize=8)
def _edges(bins):
    return np.array([np.linspace(low, high, bins + 1)
                     for space in _SPACES for low, high in RANGES[space]])


@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC)
class GlobalFeaturesExtractor(BaseImageExtractor):
    """Colour LBP, colour histograms and moments, and coarse HOG of each image.

    The 675 features of the ``global-svm`` preset (with the defaults) from one
    pass per colour space: each chunk of images is converted once to RGB,
    HSV and Lab, in float32 per image, and the LBP, histograms and moments are
    all computed from those conversions by one parallel kernel; nothing the
    size of the batch is converted or held.

    Parameters
    ----------
    P : int or sequence of int, default=(8, 16, 24)
        Neighbours of each LBP circle (at most 30), as in
        :class:`LBPExtractor`.
    R : float or sequence of float, default=(1, 2, 3)
        Radius of each circle in pixels.
    bins : int, default=32
        Bins of each channel's histogram.
    hog_size : int, default=64
        Side of the square grey image HOG describes.
    hog_cell : int, default=32
        Side of a HOG cell in pixels (2 x 2-cell blocks, 9 orientations,
        L2-Hys).
    hellinger : bool, default=True
        Take the square root of the LBP and histogram fractions, so that
        Euclidean distances between them compare distributions with the
        Hellinger kernel (as :class:`~classical.encoders.PowerNormalizer`
        with ``alpha=0.5``).
    {n_jobs}
    {verbose}

    Attributes
    ----------
    n_features_out_ : int
        Length of the output rows (675 with the defaults).
    pairs_ : list of (int, float)
        The LBP ``(P, R)`` pairs, in output order.

    See Also
    --------
    LBPExtractor, ColorHistogramExtractor, ColorMomentsExtractor, HOGExtractor :
        The building blocks, each on its own.

    Notes
    -----
    The columns, in order:

    1. uniform (riu2) LBP histograms of the L, a and b channels, then of the
       raw R, G and B values, each with all ``(P, R)`` pairs
       (``6 * sum(P + 2)``; 324 with the defaults);
    2. ``bins``-bin histograms of R, G, B, H, S, V, L, a and b, ranges and
       binning as in :func:`color_histogram` (``9 * bins``);
    3. mean, standard deviation and cube-rooted third central moment of the
       same nine channels, as in :func:`color_moments` (27);
    4. HOG of the image resized to ``hog_size`` (OpenCV's area or linear
       interpolation, as :func:`classical.preprocess.resize`) and turned grey
       by :func:`classical.preprocess.to_grayscale` (36 with the defaults).

    They equal the blocks' own outputs (the ``global-svm`` preset before this
    extractor: :class:`LBPExtractor` on ``ConvertColor('lab')`` and on the
    raw images, :class:`ColorHistogramExtractor` with ``joint=False`` and
    :class:`ColorMomentsExtractor` in each space, :class:`HOGExtractor`) to
    float32 rounding, with one deliberate departure in the LBP: a
    neighbour's bit is set when ``sum_k w_k (v_k - x) >= 0`` over its four
    bilinear corners ``v_k`` (weights the same at every pixel, float32),
    rather than when its interpolated value, rounded as scikit-image rounds
    it, is at least the centre ``x``. The two differ only where an
    interpolated neighbour is within rounding of its centre, where the sum
    form gives the exact answer (a flat region sets every bit). The Lab LBP
    reads float32 Lab values. The histograms bin the float64 values (so they
    equal :func:`color_histogram`'s); the moments are those of the float32
    planes.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import GlobalFeaturesExtractor
    >>> images = np.random.default_rng(0).integers(0, 256, (2, 64, 64, 3), np.uint8)
    >>> GlobalFeaturesExtractor().fit_transform(images).shape
    (2, 675)
    """

    _parameter_constraints = {
        **BaseImageExtractor._parameter_constraints,
        "P": [Interval(Integral, 1, _MAX_P, closed="both"), "array-like"],
        "R": [Interval(Real, 0, None, closed="neither"), "array-like"],
        "bins": [Interval(Integral, 1, None, closed="left")],
        "hog_size": [Interval(Integral, 2, None, closed="left")],
        "hog_cell": [Interval(Integral, 1, None, closed="left")],
        "hellinger": ["boolean"],
    }
    _color = "rgb"

    def __init__(self, *, P=(8, 16, 24), R=(1, 2, 3), bins=32, hog_size=64,
                 hog_cell=32, hellinger=True, n_jobs=None, verbose=False):
        self.P = P
        self.R = R
        self.bins = bins
        self.hog_size = hog_size
        self.hog_cell = hog_cell
        self.hellinger = hellinger
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self):
        pairs = _check_pairs(self.P, self.R)
        for P, R in pairs:
            if P > _MAX_P:
                raise ValueError(
                    f"Each P must be at most {_MAX_P} (a pattern is kept in 32 "
                    f"bits); got {P} in P={self.P!r}. Use LBPExtractor for more "
                    "points."
                )
            _radius_as_used(R)
        if 2 * self.hog_cell > self.hog_size:
            raise ValueError(
                f"hog_size must hold one 2 x 2-cell HOG block, at least 2 * "
                f"hog_cell = {2 * self.hog_cell} pixels; got hog_size="
                f"{self.hog_size}. Lower hog_cell or raise hog_size."
            )
        self.pairs_ = pairs

    def _hog(self):
        cell = (self.hog_cell, self.hog_cell)
        return HOGExtractor(orientations=9, pixels_per_cell=cell,
                            cells_per_block=(2, 2), block_norm="L2-Hys")

    def _extract_batch(self, stack):
        pairs = tuple(self.pairs_)
        margin, offsets, weights, point_first = _plan(pairs, stack.shape[2])
        n_lbp = int(point_first[-1]) + 2 * len(pairs)
        n_histograms = 6 * n_lbp + 9 * self.bins
        out = np.empty((len(stack), n_histograms + 27))
        inv_top, lut, use_lut = conversion_args(stack.dtype)
        kernels.global_features_batch(np.ascontiguousarray(stack), inv_top, lut,
                                      use_lut, _edges(self.bins), margin, offsets,
                                      weights, point_first, out)
        if self.hellinger:
            np.sqrt(out[:, :n_histograms], out=out[:, :n_histograms])
        size = (self.hog_size, self.hog_size)
        small = (stack if stack.shape[1:3] == size
                 else np.stack([resize(image, size) for image in stack]))
        grey = np.ascontiguousarray(rgb_to_gray(small))
        return np.hstack([out, self._hog()._extract_batch(grey)])

    def _feature_names(self):
        tags = [f"P{P}_R{R:g}_u{code}" for P, R in self.pairs_ for code in range(P + 2)]
        lbp = [f"lbp_{space}_{channel}_{tag}" for space in ("lab", "rgb")
               for channel in CHANNELS[space] for tag in tags]
        histograms = [f"hist_{space}_{channel}{i}" for space in _SPACES
                      for channel in CHANNELS[space] for i in range(self.bins)]
        moments = [f"{space}_{channel}_{moment}" for space in _SPACES
                   for channel in CHANNELS[space] for moment in ("mean", "std", "skew")]
        n_hog = self.n_features_out_ - len(lbp) - len(histograms) - len(moments)
        return lbp + histograms + moments + [f"hog{i}" for i in range(n_hog)]
