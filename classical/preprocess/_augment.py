"""Training-time augmentation: the square's symmetries and random image edits.

:func:`d4` gives the eight symmetries of the square exactly, by NumPy index
operations. :class:`RandomAugment` makes random copies of each training image
(flips, symmetries, small rotations, crops, brightness / contrast /
saturation jitter, blur, noise) and follows imbalanced-learn's sampler
protocol (``fit_resample``), so an :class:`imblearn.pipeline.Pipeline` runs
it while fitting only, as it runs the resampling step of
``make_pipeline(..., resample=...)``.

Written on OpenCV and NumPy directly rather than on albumentations, the
ecosystem's usual augmentation library, for three reasons:

* its dependencies: albumentations 2.0.8 (the last release under that name,
  2025; work goes on as AlbumentationsX) needs pydantic (with pydantic-core,
  annotated-types and typing-inspection), PyYAML and albucore pinned to
  exactly 0.0.24, which brings stringzilla and simsimd (compiled SIMD
  libraries): nine packages for about ten operations that are each one
  OpenCV or NumPy call on top of what the library already needs (OpenCV
  headless, which albumentations needs too);
* determinism: here every copy's parameters are drawn from one
  ``RandomState`` in image order before any pixel is touched, so the result
  does not depend on ``n_jobs`` and a test can recompute any copy from its
  drawn parameters; albumentations draws inside each transform call from its
  own generator;
* dtypes: albumentations works on ``uint8`` and ``float32`` images in
  ``[0, 1]``; these steps keep any integer or float image as it is (16-bit
  and float64 included).
"""

from itertools import chain
from numbers import Integral, Real
from typing import NamedTuple

import cv2
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn_compat.base import _fit_context
from tqdm.auto import tqdm

from ..parallel import map_items
from ..utils._docstring import N_JOBS_DOC, RANDOM_STATE_DOC, VERBOSE_DOC, Substitution
from ..utils._validation import check_image, check_images, intensity_range

__all__ = ["d4", "RandomAugment"]

# Indices into d4()'s list of the groups the flips generate.
_FLIP_GROUPS = {
    (False, False): (0,),
    (True, False): (0, 4),  # left-right mirror
    (False, True): (0, 6),  # up-down mirror
    (True, True): (0, 4, 6, 2),  # both mirrors and their product, the half turn
}
# ITU-R BT.601 luma weights of R, G, B (as PIL's and torchvision's grey)
_LUMA = np.array([0.299, 0.587, 0.114])
_BATCH = 64  # copies a worker makes at a time


def _symmetry(image, k):
    """The ``k``-th symmetry of the square (see :func:`d4`), C-contiguous."""
    if k >= 4:
        image = image[:, ::-1]
    return np.ascontiguousarray(np.rot90(image, k % 4))


def d4(image):
    """The eight symmetries of the square (the dihedral group D4) of an image.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image; any dtype.

    Returns
    -------
    images : list of 8 ndarray
        C-contiguous copies, in this order: ``k = 0, 1, 2, 3`` are the image
        turned ``k`` quarter turns counter-clockwise (``np.rot90(image, k)``),
        ``k = 4 .. 7`` the image mirrored left-right, then turned ``k - 4``
        quarter turns (``np.rot90(np.fliplr(image), k - 4)``). So ``[0]`` is
        the image, ``[2]`` the half turn, ``[4]`` the left-right mirror,
        ``[6]`` the up-down mirror and ``[5]`` the transpose. A turn swaps
        rows and columns: odd ``k`` give (W, H) images.

    Notes
    -----
    The copies are exact (index operations only, no interpolation). Aerial
    and microscope images have no "up", so each symmetry is as plausible an
    image of the same class as the original.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.preprocess import d4
    >>> image = np.arange(6).reshape(2, 3)
    >>> [copy.shape for copy in d4(image)][:2]
    [(2, 3), (3, 2)]
    >>> bool((d4(image)[5] == image.T).all())
    True
    """
    image = check_image(image)
    return [_symmetry(image, k) for k in range(8)]


class _Edit(NamedTuple):
    """The drawn parameters of one augmented copy; neutral values do nothing."""

    symmetry: int  # index into d4()'s list
    angle: float  # degrees, counter-clockwise
    crop: float  # fraction of each side removed
    crop_top: float  # where the crop sits in the slack, in [0, 1]
    crop_left: float
    brightness: float  # factors, 1 leaves the image unchanged
    contrast: float
    saturation: float
    blur: float  # Gaussian sigma in pixels
    noise: float  # standard deviation, fraction of the intensity range
    noise_seed: int


def _work_dtype(dtype):
    """float32 for images of up to 16 bits, float64 for wider ones."""
    return np.result_type(dtype, np.float32)


def _clip_range(image):
    """``[lo, hi]`` an edited copy of ``image`` is clipped to."""
    if np.issubdtype(image.dtype, np.integer):
        info = np.iinfo(image.dtype)
        return info.min, info.max
    return min(0.0, float(image.min())), max(1.0, float(image.max()))


def _colour(work):
    """The colour channels of a float image, a view: alpha is left alone.

    Three-channel images and the RGB of four-channel ones are colour; a grey
    image (or the grey of a grey + alpha image) has one channel.
    """
    if work.ndim == 2:
        return work
    return work[..., :3] if work.shape[2] >= 3 else work[..., :1]


def _luma(colour):
    """Grey level of each pixel, broadcastable against ``colour``."""
    if colour.ndim == 3 and colour.shape[2] == 3:
        return (colour @ _LUMA.astype(colour.dtype))[..., np.newaxis]
    return colour


def _rotate(work, angle):
    """Turn about the image centre by ``angle`` degrees counter-clockwise."""
    rows, cols = work.shape[:2]
    matrix = cv2.getRotationMatrix2D(((cols - 1) / 2, (rows - 1) / 2), angle, 1.0)
    return cv2.warpAffine(work, matrix, (cols, rows), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT_101)


def _crop_box(shape, crop, top, left):
    """``(row, col, rows, cols)`` of the crop removing ``crop`` of each side."""
    rows = max(1, round((1.0 - crop) * shape[0]))
    cols = max(1, round((1.0 - crop) * shape[1]))
    return round(top * (shape[0] - rows)), round(left * (shape[1] - cols)), rows, cols


def _crop(work, crop, top, left):
    """Cut the box of :func:`_crop_box` and resize it back (bilinear)."""
    row, col, rows, cols = _crop_box(work.shape, crop, top, left)
    patch = np.ascontiguousarray(work[row:row + rows, col:col + cols])
    return cv2.resize(patch, (work.shape[1], work.shape[0]),
                      interpolation=cv2.INTER_LINEAR)


def _blur(work, sigma):
    """Gaussian blur, kernel radius ``ceil(3 sigma)``, mirrored border."""
    size = 2 * int(np.ceil(3 * sigma)) + 1
    return cv2.GaussianBlur(work, (size, size), sigmaX=sigma, sigmaY=sigma,
                            borderType=cv2.BORDER_REFLECT_101)


def _jitter(work, edit):
    """Brightness, contrast, then saturation of the colour channels, in place."""
    colour = _colour(work)
    if edit.brightness != 1.0:
        colour *= edit.brightness
    if edit.contrast != 1.0:
        mean = _luma(colour).mean()
        colour -= mean
        colour *= edit.contrast
        colour += mean
    if edit.saturation != 1.0:
        grey = _luma(colour).copy()
        colour -= grey
        colour *= edit.saturation
        colour += grey


def _add_noise(work, edit, scale):
    """Add Gaussian noise to the colour channels, in place."""
    colour = _colour(work)
    field = np.random.default_rng(edit.noise_seed).standard_normal(
        colour.shape, dtype=work.dtype)
    colour += (edit.noise * scale) * field


def _edits_pixels(edit):
    """True unless ``edit`` is a symmetry alone."""
    return bool(edit.angle or edit.crop or edit.blur or edit.noise
                or (edit.brightness, edit.contrast, edit.saturation) != (1.0, 1.0, 1.0))


def _edit_image(image, edit):
    """Apply ``edit`` to a validated image; the copy keeps shape rules and dtype.

    Geometry first (symmetry, rotation, crop), then the photometric edits,
    blur and noise, all in float; the result is rounded (integer dtypes) and
    clipped once, at the end, to :func:`_clip_range`.
    """
    out = _symmetry(image, edit.symmetry)
    if not _edits_pixels(edit):
        return out  # a symmetry only: exact
    work = out.astype(_work_dtype(image.dtype))
    if edit.angle:
        work = _rotate(work, edit.angle)
    if edit.crop:
        work = _crop(work, edit.crop, edit.crop_top, edit.crop_left)
    _jitter(work, edit)
    if edit.blur:
        work = _blur(work, edit.blur)
    if edit.noise:
        _add_noise(work, edit, intensity_range(image.dtype))
    if image.dtype == np.bool_:
        return work >= 0.5
    if np.issubdtype(image.dtype, np.integer):
        np.rint(work, out=work)
    return np.clip(work, *_clip_range(image), out=work).astype(image.dtype, copy=False)


def _edit_batch(pairs):
    return [_edit_image(image, edit) for image, edit in pairs]


def _factor(amount, u):
    """A jitter factor uniform in ``[max(0, 1 - amount), 1 + amount]``."""
    low = max(0.0, 1.0 - amount)
    return low + (1.0 + amount - low) * u


@Substitution(n_jobs=N_JOBS_DOC, random_state=RANDOM_STATE_DOC, verbose=VERBOSE_DOC)
class RandomAugment(BaseEstimator):
    """Add randomly edited copies of each training image (fit time only).

    A sampler in imbalanced-learn's sense: :meth:`fit_resample` returns the
    images with their copies and the labels repeated, and an
    :class:`imblearn.pipeline.Pipeline` calls it while fitting only, so
    ``predict`` sees each image once. A scikit-learn pipeline cannot change
    the number of samples inside ``transform``; this is the same mechanism as
    ``make_pipeline(..., resample=...)`` (the ``augment=`` option builds it).

    Each copy gets, in this order: a symmetry of the square (``d4``) or a
    flip; a rotation by an angle uniform in ``[-rotation, rotation]``; a crop
    removing a fraction uniform in ``[0, crop]`` of each side, at a uniform
    position, resized back to the input size; brightness, contrast and
    saturation factors uniform in ``[max(0, 1 - a), 1 + a]`` for each amount
    ``a``; a Gaussian blur of sigma uniform in ``[0, blur]`` pixels; and
    Gaussian noise of standard deviation ``noise`` times the intensity range
    (255 for ``uint8``, 1 for float images). A zero amount (or False) leaves
    that edit out.

    Parameters
    ----------
    d4 : bool, default=False
        Apply one of the eight symmetries of the square (:func:`d4`): right
        for aerial and microscope images, which have no "up".
    hflip : bool, default=False
        Mirror left-right (in half of the copies).
    vflip : bool, default=False
        Mirror up-down (in half of the copies).
    rotation : float in [0, 180], default=0.0
        Largest rotation in degrees, either way, about the image centre;
        the corners are filled by mirroring the image (OpenCV's
        ``BORDER_REFLECT_101``), bilinear interpolation.
    crop : float in [0, 1), default=0.0
        Largest fraction of each side cut away (same fraction for rows and
        columns, so the aspect ratio is kept); the crop is resized back to
        the input size (bilinear).
    brightness : float >= 0, default=0.0
        Multiplies the colour channels by a factor.
    contrast : float >= 0, default=0.0
        Scales the colour channels' distance to the image's mean grey level.
    saturation : float >= 0, default=0.0
        Scales each pixel's distance to its own grey level (no effect on grey
        images).
    noise : float >= 0, default=0.0
        Standard deviation of additive Gaussian noise, as a fraction of the
        intensity range.
    blur : float >= 0, default=0.0
        Largest sigma, in pixels, of a Gaussian blur.
    n_copies : int >= 0, default=1
        Edited copies made of each image.
    keep_original : bool, default=True
        Keep the unedited images in front of the copies.
    {random_state}
    {n_jobs}
    {verbose}

    See Also
    --------
    d4 : The eight symmetries of one image.
    classical.classifiers.TestTimeAugmentation : Average the predictions over
        transformed copies of a test image.

    Notes
    -----
    **Determinism.** Every copy's parameters are drawn from one
    ``RandomState`` seeded by ``random_state``, image by image and copy by
    copy, before any copy is made; noise fields come from a seed drawn with
    them. So the result depends on ``random_state`` and the images' order,
    never on ``n_jobs``. Every copy draws the same numbers whatever edits are
    switched on, so switching one on does not change the others' draws
    (only the symmetries' depend on ``d4``, ``hflip`` and ``vflip``).

    **Symmetries without repeats.** The symmetries of one image's copies are
    drawn without replacement from the group the options generate (the eight
    of ``d4``; with ``hflip`` and ``vflip``: identity, either mirror and the
    half turn), leaving the identity out when the original is kept, and
    start over once used up. So ``RandomAugment(d4=True, n_copies=7)`` gives
    each image in all eight orientations exactly once, and
    ``RandomAugment(hflip=True, vflip=True, n_copies=3)`` in all four flips.
    :meth:`augment` (one copy) draws its symmetry uniformly from the group.

    **Values.** The edits run in float (float32 for images of up to 16 bits,
    float64 otherwise) on the colour channels (a fourth, alpha, channel is
    moved but not edited); the copy is rounded and clipped once, at the end,
    to its dtype's range (integers) or to ``[0, 1]`` widened to the image's
    own range (floats), and keeps the input's dtype. A copy made of a
    symmetry alone is exact. Quarter turns of a non-square image swap its
    sides. OpenCV's bilinear rotation rounds its interpolation weights to
    1/32 of a pixel (about 0.002 of the range on a smooth image, against an
    exact bilinear twin).

    Why these edits: Simard et al. [1]_ showed that training on distorted
    copies is a cheap, effective way of teaching a classifier invariances
    it should have; Chatfield et al. [2]_ found that flipped training (and
    test) images improve even Fisher-vector encodings of dense SIFT, the
    classical pipeline this library's scene presets use, by about a point.

    References
    ----------
    .. [1] P. Y. Simard, D. Steinkraus and J. C. Platt, "Best practices for
       convolutional neural networks applied to visual document analysis",
       ICDAR 2003, pp. 958-963. :DOI:`10.1109/ICDAR.2003.1227801`
    .. [2] K. Chatfield, K. Simonyan, A. Vedaldi and A. Zisserman, "Return of
       the devil in the details: delving deep into convolutional nets",
       BMVC 2014. :DOI:`10.5244/C.28.6`

    Examples
    --------
    >>> import numpy as np
    >>> from classical.preprocess import RandomAugment
    >>> images = np.zeros((4, 32, 32, 3), np.uint8)
    >>> augmenter = RandomAugment(d4=True, brightness=0.2, n_copies=2,
    ...                           random_state=0)
    >>> X, y = augmenter.fit_resample(images, [0, 0, 1, 1])
    >>> X.shape, y.tolist()
    ((12, 32, 32, 3), [0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1])
    """

    _parameter_constraints = {
        "d4": ["boolean"],
        "hflip": ["boolean"],
        "vflip": ["boolean"],
        "rotation": [Interval(Real, 0, 180, closed="both")],
        "crop": [Interval(Real, 0, 1, closed="left")],
        "brightness": [Interval(Real, 0, None, closed="left")],
        "contrast": [Interval(Real, 0, None, closed="left")],
        "saturation": [Interval(Real, 0, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "blur": [Interval(Real, 0, None, closed="left")],
        "n_copies": [Interval(Integral, 0, None, closed="left")],
        "keep_original": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["boolean"],
    }

    def __init__(self, *, d4=False, hflip=False, vflip=False, rotation=0.0, crop=0.0,
                 brightness=0.0, contrast=0.0, saturation=0.0, noise=0.0, blur=0.0,
                 n_copies=1, keep_original=True, random_state=None, n_jobs=None,
                 verbose=False):
        self.d4 = d4
        self.hflip = hflip
        self.vflip = vflip
        self.rotation = rotation
        self.crop = crop
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.noise = noise
        self.blur = blur
        self.n_copies = n_copies
        self.keep_original = keep_original
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _group(self):
        """The symmetries (indices into :func:`d4`'s list) copies draw from."""
        return tuple(range(8)) if self.d4 else _FLIP_GROUPS[self.hflip, self.vflip]

    def _draw_symmetries(self, rng):
        """One image's copies' symmetries, without replacement (see Notes)."""
        group = self._group()
        candidates = group[1:] if self.keep_original and len(group) > 1 else group
        if len(candidates) == 1:
            return [candidates[0]] * self.n_copies
        drawn = []
        while len(drawn) < self.n_copies:
            drawn.extend(int(k) for k in rng.permutation(candidates))
        return drawn[:self.n_copies]

    def _draw_edit(self, rng, symmetry):
        """One copy's parameters: eight uniforms and a noise seed, always drawn."""
        u = rng.random_sample(8)
        return _Edit(
            symmetry=symmetry,
            angle=float(self.rotation * (2.0 * u[0] - 1.0)),
            crop=float(self.crop * u[1]), crop_top=float(u[2]), crop_left=float(u[3]),
            brightness=_factor(self.brightness, u[4]),
            contrast=_factor(self.contrast, u[5]),
            saturation=_factor(self.saturation, u[6]),
            blur=float(self.blur * u[7]),
            noise=float(self.noise),
            noise_seed=int(rng.randint(np.iinfo(np.int32).max)),
        )

    def _draw_edits(self, n_images, rng):
        """Every copy's parameters, image by image, from one generator."""
        return [
            [self._draw_edit(rng, k) for k in self._draw_symmetries(rng)]
            for _ in range(n_images)
        ]

    def augment(self, image, random_state=None):
        """Make one randomly edited copy of one image.

        Parameters
        ----------
        image : array-like of shape (H, W) or (H, W, C)
            The image.
        random_state : int, RandomState instance or None, default=None
            Where the copy's parameters are drawn from; its symmetry is drawn
            uniformly from the group the options generate (``n_copies`` and
            ``keep_original`` play no part).

        Returns
        -------
        copy : ndarray
            The edited copy, of the image's dtype (and shape, unless a
            quarter turn swapped its sides).
        """
        self._validate_params()
        rng = check_random_state(random_state)
        group = self._group()
        symmetry = group[rng.randint(len(group))]
        return _edit_image(check_image(image), self._draw_edit(rng, symmetry))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y):
        """Return the images with their edited copies, and the labels repeated.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C), or ndarray of \
shape (n_images, H, W[, C])
            The training images; sizes may differ.
        y : array-like of shape (n_images,) or (n_images, n_outputs)
            Their labels (an indicator matrix for multi-label data).

        Returns
        -------
        X_resampled : ndarray of shape (n_out, H, W[, C]) or list of ndarray
            The originals (when ``keep_original``) in input order, then
            ``n_copies`` copies of the first image, of the second, and so
            on: ``n_out = n_images * (n_copies + keep_original)``. One array
            when ``X`` was one and every copy keeps its shape, else a list.
        y_resampled : ndarray of shape (n_out,) or (n_out, n_outputs)
            The label of each returned image.
        """
        images = check_images(X)
        labels = self._check_labels(y, len(images))
        edits = self._draw_edits(len(images), check_random_state(self.random_state))
        pairs = [(image, edit) for image, image_edits in zip(images, edits)
                 for edit in image_edits]
        y_copies = np.repeat(labels, self.n_copies, axis=0)
        y_resampled = (np.concatenate([labels, y_copies]) if self.keep_original
                       else y_copies)
        return self._collect(X, images, pairs), y_resampled

    def _check_labels(self, y, n_images):
        if self.n_copies == 0 and not self.keep_original:
            raise ValueError(
                "RandomAugment with n_copies=0 and keep_original=False returns no "
                "images. Set n_copies >= 1 or keep_original=True."
            )
        labels = None if y is None else np.asarray(y)
        if labels is None or labels.ndim == 0 or len(labels) != n_images:
            given = "None" if labels is None else f"shape {labels.shape}"
            raise ValueError(
                f"y must hold one label per image ({n_images} images); got {given}."
            )
        return labels

    def _collect(self, X, images, pairs):
        """The originals if kept, then each pair's copy, made on ``n_jobs`` threads.

        Copies are made batch by batch and, when ``X`` was one array and no
        quarter turn swaps the sides of its (non-square) images, written
        straight into one preallocated array, so they are never held twice.
        """
        originals = images if self.keep_original else []
        batches = [pairs[start:start + _BATCH]
                   for start in range(0, len(pairs), _BATCH)]
        batches = tqdm(batches, desc=type(self).__name__, disable=not self.verbose,
                       leave=False)
        made = (copy for batch in map_items(_edit_batch, batches, n_jobs=self.n_jobs,
                                            prefer="threads") for copy in batch)
        shape = images[0].shape
        turned = shape[0] != shape[1] and any(edit.symmetry % 2 for _, edit in pairs)
        if not isinstance(X, np.ndarray) or X.dtype == object or turned:
            return [*originals, *made]
        stacked = np.empty((len(originals) + len(pairs), *shape), dtype=X.dtype)
        for i, image in enumerate(chain(originals, made)):
            stacked[i] = image
        return stacked
