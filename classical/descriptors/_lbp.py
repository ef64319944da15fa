"""Local binary patterns: codes of one image, their histogram, and a transformer."""

from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._kernels import lbp as kernels
from ..preprocess import convert_color
from ..utils._color import GRAY_WEIGHTS
from ..utils._docstring import N_JOBS_DOC, VERBOSE_DOC, Substitution
from ..utils._validation import check_image
from ._base import BaseImageExtractor

__all__ = ["local_binary_pattern", "lbp_histogram", "LBPExtractor"]

_METHOD_NUMBERS = {
    "default": kernels.DEFAULT,
    "ror": kernels.ROR,
    "uniform": kernels.UNIFORM,
    "riu2": kernels.UNIFORM,
    "nri_uniform": kernels.NRI_UNIFORM,
    "var": kernels.VAR,
}
_CODE_METHODS = ("default", "ror", "uniform", "riu2", "nri_uniform")
# Largest P whose 'default'/'ror' codes fit scikit-image's 32-bit integers.
_MAX_P_CODES = 31
# Largest P for which 'default'/'ror' histograms (up to 2**P bins) are offered.
_MAX_P_HISTOGRAM = 16
_PER_CHANNEL = np.zeros(0)
_NATIVE_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float64))
# Colour spaces LBPExtractor converts to, and those that need RGB(A) input
_COLOR_SPACES = ("rgb", "hsv", "lab", "opponent")
_RGB_SPACES = ("hsv", "lab", "opponent")
# Images converted and described at a time (64 float64 RGB images of 256 x 256
# pixels take 100 MB)
_CONVERT_CHUNK = 64

_P_CONSTRAINT = Interval(Integral, 1, None, closed="left")
_R_CONSTRAINT = Interval(Real, 0, None, closed="neither")
_FUNCTION_CONSTRAINTS = {
    "image": ["array-like"],
    "P": [_P_CONSTRAINT],
    "R": [_R_CONSTRAINT],
    "method": [StrOptions(set(_METHOD_NUMBERS))],
}

_REFERENCES = """
    .. [1] T. Ojala, M. Pietikainen and T. Maenpaa, "Multiresolution gray-scale
           and rotation invariant texture classification with local binary
           patterns", IEEE Transactions on Pattern Analysis and Machine
           Intelligence, vol. 24, no. 7, pp. 971-987, 2002.
           :DOI:`10.1109/TPAMI.2002.1017623`
    .. [2] T. Ahonen, A. Hadid and M. Pietikainen, "Face description with local
           binary patterns: application to face recognition", IEEE Transactions
           on Pattern Analysis and Machine Intelligence, vol. 28, no. 12,
           pp. 2037-2041, 2006. :DOI:`10.1109/TPAMI.2006.244`"""


def _radius_as_used(R, name="R"):
    """``R`` as scikit-image uses it: passed through a C float (float32)."""
    with np.errstate(over="ignore"):
        radius = float(np.float32(R))
    if not np.isfinite(radius):
        raise ValueError(
            f"{name} must be a finite radius in pixels (at most about 3.4e38); "
            f"got {R!r}."
        )
    return radius


@lru_cache(maxsize=64)
def _sampling_geometry(P, radius):
    """Row offsets, column offsets and corners ``(r0, c0, r1, c1)`` of each point.

    Point ``i`` is at row offset ``-R sin(2 pi i / P)`` and column offset
    ``R cos(2 pi i / P)``, both rounded to 5 decimals as in scikit-image, so
    offsets within 5e-6 of an integer become that integer.
    """
    angles = 2 * np.pi * np.arange(P, dtype=np.float64) / P
    rows = np.round(-radius * np.sin(angles), 5)
    cols = np.round(radius * np.cos(angles), 5)
    corners = np.stack([np.floor(rows), np.floor(cols), np.ceil(rows), np.ceil(cols)],
                       axis=1).astype(np.int64)
    return rows, cols, corners


def _axis_weights(offsets, length):
    """Bilinear weights ``(1 - d, d)`` of each point at each of ``length`` rows
    (or columns), shape (length, P, 2).

    ``d`` is the fraction of ``index + offset`` computed in float64, exactly as
    scikit-image computes it per pixel; it differs from the fraction of the
    offset alone in the last bit, which decides exact ties.
    """
    positions = np.arange(length, dtype=np.float64)[:, np.newaxis] + offsets
    fraction = positions - np.floor(positions)
    return np.stack([1 - fraction, fraction], axis=2)


@lru_cache(maxsize=64)
def _weights_for_shape(pairs, n_rows, n_cols):
    """Row weights (H, n_points, 2) and column weights (n_points, 2, W) of the
    concatenated points of ``pairs``."""
    geometry = [_sampling_geometry(P, radius) for P, radius in pairs]
    rows = np.concatenate([g[0] for g in geometry])
    cols = np.concatenate([g[1] for g in geometry])
    col_weights = np.ascontiguousarray(_axis_weights(cols, n_cols).transpose(1, 2, 0))
    return _axis_weights(rows, n_rows), col_weights


@lru_cache(maxsize=8)
def _ror_table(P):
    """Rotation-invariant codes (smallest rotation) and each code's bin."""
    patterns = np.arange(2**P, dtype=np.int64)
    smallest = patterns.copy()
    rotated = patterns.copy()
    for _ in range(P - 1):
        rotated = (rotated >> 1) | ((rotated & 1) << (P - 1))
        np.minimum(smallest, rotated, out=smallest)
    codes = np.unique(smallest)
    code_to_bin = np.full(2**P, -1, dtype=np.int64)
    code_to_bin[codes] = np.arange(codes.size)
    return codes, code_to_bin


def _bin_codes(P, method):
    """The code counted by each histogram bin, and the code-to-bin table or None."""
    if method == "ror":
        return _ror_table(P)
    n_bins = {
        "default": 2**P,
        "uniform": P + 2,
        "nri_uniform": P * (P - 1) + 3,
    }[method]
    return np.arange(n_bins), None


def _canonical_method(method):
    return "uniform" if method == "riu2" else method


def _check_code_range(P, method, *, name="P"):
    if method in ("default", "ror") and P > _MAX_P_CODES:
        raise ValueError(
            f"{name} must be at most {_MAX_P_CODES} for method={method!r} (its codes "
            f"are {name}-bit integers, 32-bit as in scikit-image); got {name}={P}. "
            "Use method='uniform' or 'nri_uniform' for more points."
        )


def _check_histogram_method(P, method, *, name="P"):
    if method == "var":
        raise ValueError(
            "method='var' gives real-valued local variances, not codes, so it has "
            "no histogram bins. Use a code method ('default', 'ror', 'uniform', "
            "'riu2', 'nri_uniform'), or compute local_binary_pattern(image, P, R, "
            "'var') and bin it with np.histogram."
        )
    if method in ("default", "ror") and P > _MAX_P_HISTOGRAM:
        raise ValueError(
            f"{name} must be at most {_MAX_P_HISTOGRAM} for a method={method!r} "
            f"histogram (it has up to 2**{name} bins); got {name}={P}. Use "
            "method='uniform' (P + 2 bins) or 'nri_uniform' (P(P-1) + 3 bins) for "
            "larger P."
        )


def _kernel_stack(stack):
    """``(n, H, W[, C])`` as a C-contiguous 4-D array of a dtype the kernels take."""
    if stack.dtype == np.bool_:
        stack = stack.view(np.uint8)
    elif stack.dtype not in _NATIVE_DTYPES:
        stack = stack.astype(np.float64)
    if stack.ndim == 3:
        stack = stack[..., np.newaxis]
    return np.ascontiguousarray(stack)


@lru_cache(maxsize=32)
def _histogram_plan(pairs, method):
    """Concatenated geometry and bin layout of several ``(P, radius)`` pairs."""
    bins = [_bin_codes(P, method) for P, _ in pairs]
    tables = [table for _, table in bins if table is not None]
    lut_first, offset = [], 0
    for _, table in bins:
        lut_first.append(-1 if table is None else offset)
        offset += 0 if table is None else table.size
    return {
        "corners": np.concatenate([_sampling_geometry(P, radius)[2]
                                   for P, radius in pairs]),
        "point_first": np.cumsum([0] + [P for P, _ in pairs], dtype=np.int64),
        "bin_first": np.cumsum([0] + [codes.size for codes, _ in bins],
                               dtype=np.int64),
        "code_to_bin": (np.concatenate(tables) if tables
                        else np.zeros(0, dtype=np.int64)),
        "lut_first": np.array(lut_first, dtype=np.int64),
    }


def _histograms(stack, pairs, method, luma, normalize):
    """Run the fused kernel on a 4-D stack; one row of histograms per image."""
    plan = _histogram_plan(pairs, method)
    row_weights, col_weights = _weights_for_shape(pairs, *stack.shape[1:3])
    n_blocks = 1 if luma.size else stack.shape[3]
    out = np.zeros((stack.shape[0], n_blocks * int(plan["bin_first"][-1])))
    kernels.lbp_histograms(stack, plan["corners"], row_weights, col_weights,
                           plan["point_first"], plan["bin_first"],
                           plan["code_to_bin"], plan["lut_first"],
                           _METHOD_NUMBERS[method], luma, bool(normalize), out)
    return out


@Substitution(references=_REFERENCES)
@validate_params(_FUNCTION_CONSTRAINTS, prefer_skip_nested_validation=True)
def local_binary_pattern(image, P, R, method="default"):
    """Local binary pattern code of every pixel of a grayscale image.

    Each pixel is compared with ``P`` neighbours sampled on a circle of radius
    ``R`` around it; the comparisons form a ``P``-bit pattern that ``method``
    turns into a code [1]_. The codes equal those of
    :func:`skimage.feature.local_binary_pattern`.

    Parameters
    ----------
    image : array-like of shape (H, W)
        Grayscale image: uint8, uint16, float or bool, converted to float64 as
        scikit-image does. Any size, even 1x1 (see Notes for the border).
    P : int
        Number of neighbours (sampling points on the circle), at least 1; at
        most 31 for 'default' and 'ror'.
    R : float
        Radius of the circle in pixels, greater than 0.
    method : {'default', 'ror', 'uniform', 'riu2', 'nri_uniform', 'var'}, \
default='default'
        How a pattern becomes a code:

        - ``'default'``: the pattern read as a binary number, bit ``i`` for
          neighbour ``i`` (``2**P`` codes; grayscale invariant).
        - ``'ror'``: the smallest value over the ``P`` circular rotations of
          the pattern (rotation invariant; Ojala's LBP^ri).
        - ``'uniform'``: rotation-invariant uniform patterns, Ojala's LBP^riu2
          [1]_: the number of set bits for patterns with at most two 0/1
          transitions around the circle, ``P + 1`` otherwise (``P + 2``
          codes). ``'riu2'`` is an alias of ``'uniform'``.
        - ``'nri_uniform'``: non rotation-invariant uniform patterns [2]_:
          each of the ``P(P-1) + 2`` uniform patterns has its own code,
          ``P(P-1) + 2`` stands for all others (``P(P-1) + 3`` codes).
        - ``'var'``: local variance of the ``P`` sampled values (biased,
          ``ddof=0``), NaN where it is exactly zero; rotation invariant but not
          grayscale invariant.

    Returns
    -------
    codes : ndarray of shape (H, W), dtype float64
        The codes (whole numbers stored as float64, as scikit-image returns
        them), or the variances for ``'var'``.

    See Also
    --------
    lbp_histogram : Histogram of the codes, without storing them.
    LBPExtractor : Histograms of a batch of images, for a pipeline.

    Notes
    -----
    Neighbour ``i`` of the pixel at ``(r, c)`` (row, column; row down) is
    sampled at ``(r - R sin(2 pi i / P), c + R cos(2 pi i / P))``: ``i = 0`` is
    to the right and the points turn counter-clockwise on screen. As in
    scikit-image, ``R`` is first rounded to float32 and both offsets to 5
    decimals (so offsets within 5e-6 of an integer sample a pixel exactly),
    values between pixels are interpolated bilinearly, pixels outside the
    image count as 0, and a bit is set when the neighbour is greater than or
    equal to the centre.

    Flat regions make exact ties between a neighbour and the centre, where an
    interpolated value one unit in the last place lower clears the bit. The
    interpolation therefore rounds each product and each sum on its own, in
    scikit-image's order, with the weights scikit-image computes at each row
    and column, so the codes are identical even on float images (for which
    scikit-image warns that such ties may surprise). 'var' agrees to
    rounding error; it is NaN where ``P * sum(x**2) == sum(x)**2``.

    References
    ----------{references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import local_binary_pattern
    >>> image = np.array([[5, 5, 5], [5, 9, 5], [5, 5, 5]], dtype=np.uint8)
    >>> local_binary_pattern(image, 8, 1, method="uniform")[1, 1]
    np.float64(0.0)
    """
    image = check_image(image, name="image", color="gray")
    _check_code_range(P, _canonical_method(method))
    pairs = ((int(P), _radius_as_used(R)),)
    row_weights, col_weights = _weights_for_shape(pairs, *image.shape)
    out = np.empty(image.shape, dtype=np.float64)
    corners = _sampling_geometry(*pairs[0])[2]
    kernels.lbp_codes(_kernel_stack(image[np.newaxis]), corners, row_weights,
                      col_weights, _METHOD_NUMBERS[method], out)
    return out


@Substitution(references=_REFERENCES)
@validate_params({**_FUNCTION_CONSTRAINTS, "normalize": ["boolean"]},
                 prefer_skip_nested_validation=True)
def lbp_histogram(image, P, R, method="uniform", normalize=True):
    """Histogram of the local binary pattern codes of a grayscale image.

    The codes are counted as they are computed, in the same pass, so no code
    image is stored.

    Parameters
    ----------
    image : array-like of shape (H, W)
        Grayscale image, as for :func:`local_binary_pattern`.
    P : int
        Number of neighbours, at least 1; at most 16 for 'default' and 'ror'.
    R : float
        Radius of the circle in pixels, greater than 0.
    method : {'default', 'ror', 'uniform', 'riu2', 'nri_uniform'}, \
default='uniform'
        The codes to count (see :func:`local_binary_pattern`). ``'var'`` is
        rejected: its values are real, not codes.
    normalize : bool, default=True
        Divide the counts by the number of pixels, so the bins sum to 1.

    Returns
    -------
    histogram : ndarray of shape (n_bins,), dtype float64
        ``n_bins`` is ``P + 2`` for 'uniform'/'riu2', ``P(P-1) + 3`` for
        'nri_uniform', ``2**P`` for 'default' (bin = code), and the number
        of distinct rotation-invariant codes for 'ror' (36 for ``P=8``), in
        increasing order of code.

    Raises
    ------
    ValueError
        If ``method='var'``, or ``P > 16`` with 'default' or 'ror'.

    See Also
    --------
    local_binary_pattern : The codes themselves.
    LBPExtractor : The same histograms for a batch of images.

    Notes
    -----
    For 'default', 'uniform' and 'nri_uniform' the result equals
    ``np.bincount(codes, minlength=n_bins)`` of the codes of
    :func:`local_binary_pattern` (or of scikit-image), divided by ``H * W``
    when ``normalize``. For 'ror' only the ``P``-bit patterns that are their
    own smallest rotation can occur, so the bins are those codes alone.

    References
    ----------{references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import lbp_histogram
    >>> lbp_histogram(np.zeros((4, 4), np.uint8), 8, 1).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    """
    image = check_image(image, name="image", color="gray")
    method = _canonical_method(method)
    _check_histogram_method(P, method)
    pairs = ((int(P), _radius_as_used(R)),)
    return _histograms(_kernel_stack(image[np.newaxis]), pairs, method,
                       _PER_CHANNEL, normalize)[0]



def _as_list(value):
    """The values of an int/float or of a flat sequence, as Python objects."""
    if isinstance(value, np.ndarray):
        return value.ravel().tolist()
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return [value]
    return list(value)


def _check_pairs(P, R):
    """``(P, R)`` pairs from ints/floats or equal-length sequences of them."""
    Ps, Rs = _as_list(P), _as_list(R)
    if len(Ps) == 0 or len(Rs) == 0:
        raise ValueError(f"P and R must not be empty; got P={P!r}, R={R!r}.")
    if len(Ps) == 1:
        Ps = Ps * len(Rs)
    if len(Rs) == 1:
        Rs = Rs * len(Ps)
    if len(Ps) != len(Rs):
        raise ValueError(
            f"P and R must have the same length (one radius per number of "
            f"points); got {len(Ps)} values of P and {len(Rs)} of R. Pass e.g. "
            "P=(8, 16, 24), R=(1, 2, 3)."
        )
    pairs = []
    for p, r in zip(Ps, Rs):
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, Integral) or p < 1:
            raise ValueError(f"Each P must be an int >= 1; got {p!r} in P={P!r}.")
        if isinstance(r, (bool, np.bool_)) or not isinstance(r, Real) or not r > 0:
            raise ValueError(f"Each R must be a number > 0; got {r!r} in R={R!r}.")
        pairs.append((int(p), float(r)))
    return pairs


def _converted(stack, color_space):
    """A stack of images converted by :func:`~classical.preprocess.convert_color`."""
    first = convert_color(stack[0], color_space)
    out = np.empty((len(stack),) + first.shape, dtype=first.dtype)
    out[0] = first
    for index in range(1, len(stack)):
        out[index] = convert_color(stack[index], color_space)
    return out


def _method_tag(method):
    return {"default": "d", "ror": "r", "uniform": "u", "nri_uniform": "n"}[method]


@Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC)
class LBPExtractor(BaseImageExtractor):
    """Histograms of local binary patterns, one row per image.

    Wraps :func:`lbp_histogram` for a batch: the codes of each image are
    counted as they are computed, by one parallel kernel over the batch.

    Parameters
    ----------
    P : int or sequence of int, default=8
        Number of neighbours. A sequence (with ``R`` a sequence of the same
        length, or one number) describes several circles; their histograms
        are concatenated in order.
    R : float or sequence of float, default=1
        Radius of each circle in pixels, greater than 0.
    method : {'default', 'ror', 'uniform', 'riu2', 'nri_uniform'}, \
default='uniform'
        The codes to count, as in :func:`local_binary_pattern`; ``'riu2'`` is
        an alias of ``'uniform'``. 'default' and 'ror' need ``P <= 16``.
    per_channel : bool, default=False
        Colour images: one histogram per channel, concatenated, instead of one
        histogram of the luminance.
    normalize : bool, default=True
        Divide counts by the number of pixels, so each histogram sums to 1.
    color_space : {None, 'rgb', 'hsv', 'lab', 'opponent'}, default=None
        Convert each image to this space (as
        :func:`classical.preprocess.convert_color`) before describing it;
        None describes the images as given. 'hsv', 'lab' and 'opponent' need
        RGB(A) images; 'rgb' drops alpha and repeats a grey image into three
        channels. Usually combined with ``per_channel=True``; without it the
        luminance weights are applied to the converted channels. See Notes.
    {n_jobs}
    {verbose}

    Attributes
    ----------
    n_features_out_ : int
        Length of the output rows.
    pairs_ : list of (int, float)
        The ``(P, R)`` pairs described, in output order.

    See Also
    --------
    lbp_histogram : The histogram of one image.
    local_binary_pattern : The codes of one image.

    Notes
    -----
    Colour images (3 or 4 channels; alpha ignored) are reduced to the
    luminance ``0.2125 R + 0.7154 G + 0.0721 B`` (ITU-R BT.709, the weights of
    :func:`skimage.color.rgb2gray`), computed in float64 in the image's own
    scale and never rounded: codes depend only on comparisons, so scaling
    by 1/255 as ``rgb2gray`` does would not change them but for rounding.
    Two-channel images need ``per_channel=True``.

    With ``color_space``, the images are converted while the batch is
    described, 64 images at a time, never as a whole batch, so memory stays
    bounded whatever the number of images. Each image is converted by
    :func:`classical.preprocess.convert_color` (float64 for 'hsv', 'lab' and
    'opponent', the input's dtype for 'rgb'), so the histograms are exactly
    those of ``ConvertColor(color_space)`` followed by this extractor. The
    converted values are kept in float64 on purpose: rounding them to
    float32 moves interpolated neighbours that tie with their centre in flat
    regions to the other side of it, which moved up to 7% of the pixels of
    one EuroSAT scene into another bin of a Lab histogram.

    Output columns are ordered by channel (when ``per_channel``), then by
    ``(P, R)`` pair, then by bin; :meth:`get_feature_names_out` gives names
    such as ``lbp_P8_R1_u3`` (``u``: uniform code 3), ``lbp_P8_R1_nonuniform``
    and, per channel, ``ch2_lbp_P8_R1_u3``.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import LBPExtractor
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(4, 32, 32), dtype=np.uint8)
    >>> LBPExtractor(P=(8, 16), R=(1, 2)).fit_transform(images).shape
    (4, 28)
    """

    _parameter_constraints = {
        **BaseImageExtractor._parameter_constraints,
        "P": [_P_CONSTRAINT, "array-like"],
        "R": [_R_CONSTRAINT, "array-like"],
        "method": [StrOptions(set(_CODE_METHODS))],
        "per_channel": ["boolean"],
        "normalize": ["boolean"],
        "color_space": [StrOptions(set(_COLOR_SPACES)), None],
    }

    def __init__(self, *, P=8, R=1, method="uniform", per_channel=False,
                 normalize=True, color_space=None, n_jobs=None, verbose=False):
        self.P = P
        self.R = R
        self.method = method
        self.per_channel = per_channel
        self.normalize = normalize
        self.color_space = color_space
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self):
        pairs = _check_pairs(self.P, self.R)
        method = _canonical_method(self.method)
        for P, R in pairs:
            _check_histogram_method(P, method)
            _radius_as_used(R)
        self.pairs_ = pairs

    def _validate_images(self, X):
        images = super()._validate_images(X)
        if self.color_space in _RGB_SPACES:
            for index, image in enumerate(images[:1] if isinstance(images, np.ndarray)
                                          else images):
                if image.ndim != 3 or image.shape[2] < 3:
                    raise ValueError(
                        f"color_space={self.color_space!r} converts RGB(A) images, "
                        f"but X[{index}] has shape {image.shape}. Pass "
                        "color_space=None for grayscale images, or load them "
                        "with color='rgb'."
                    )
        return images

    def _extract_batch(self, stack):
        if self.color_space is None:
            return self._describe_stack(stack)
        return np.vstack([
            self._describe_stack(_converted(stack[start:start + _CONVERT_CHUNK],
                                            self.color_space))
            for start in range(0, len(stack), _CONVERT_CHUNK)
        ])

    def _describe_stack(self, stack):
        stack = _kernel_stack(stack)
        luma = _PER_CHANNEL
        if stack.shape[3] > 1 and not self.per_channel:
            if stack.shape[3] == 2:
                raise ValueError(
                    "X holds 2-channel images; LBPExtractor reduces only RGB or "
                    "RGBA images to their luminance. Pass per_channel=True, or "
                    "convert the images to grayscale first."
                )
            luma = GRAY_WEIGHTS
        pairs = tuple((P, _radius_as_used(R)) for P, R in self.pairs_)
        return _histograms(stack, pairs, _canonical_method(self.method), luma,
                           self.normalize)

    def _feature_names(self):
        method = _canonical_method(self.method)
        tag = _method_tag(method)
        names = []
        for P, R in self.pairs_:
            codes = _bin_codes(P, method)[0]
            stem = f"lbp_P{P}_R{R:g}_"
            names.extend(f"{stem}{tag}{code}" for code in codes)
            if method in ("uniform", "nri_uniform"):
                names[-1] = f"{stem}nonuniform"
        n_blocks = self.n_features_out_ // len(names)
        if not self.per_channel:
            return names
        return [f"ch{b}_{name}" for b in range(n_blocks) for name in names]
