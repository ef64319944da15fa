"""OpenCV SIFT keypoints: :func:`sift` and :class:`SIFTExtractor`."""

from numbers import Integral, Real

import cv2
import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils._param_validation import validate_params

from .._local_features import LocalFeatures
from ..parallel import resolve_n_jobs
from ..utils._color import rgb_to_gray
from ..utils._docstring import N_JOBS_DOC, Substitution
from ..utils._validation import check_image, check_images, intensity_range

__all__ = ["sift", "SIFTExtractor"]

DIMS = 128
"""Length of one SIFT descriptor."""

_SIFT_CONSTRAINTS = {
    "max_keypoints": [Interval(Integral, 1, None, closed="left"), None],
    "root_sift": ["boolean"],
    "contrast_threshold": [Interval(Real, 0, None, closed="left")],
}

_NOTES = """Keypoints and descriptors are OpenCV's ``cv2.SIFT_create`` with
    its defaults apart from ``contrastThreshold`` (3 layers per octave,
    ``edgeThreshold=10``, ``sigma=1.6``) [1]_, run on the grey ``uint8``
    image: ``uint8`` images are used as they are, other integer images are
    scaled by ``255 / max`` of their type, float images (taken to be in
    ``[0, 1]``) by 255, then rounded and clipped to ``[0, 255]``; colour
    images are reduced to the library's grey ``0.2125 R + 0.7154 G +
    0.0721 B`` (that of :func:`classical.preprocess.to_grayscale`; a fourth
    channel is ignored).

    ``max_keypoints`` keeps the keypoints of highest ``response`` (ties
    broken by OpenCV's order) and returns them in OpenCV's order; this is
    done after detection rather than through OpenCV's ``nfeatures``, which
    may return more keypoints than asked. A keypoint that OpenCV reports at
    several orientations counts once per orientation.

    ``positions`` holds ``KeyPoint.pt`` as ``(x, y)``, with OpenCV's
    convention that pixel ``(x, y)`` is centred at integer coordinates
    (``x`` the column, ``y`` the row); ``scales`` holds ``KeyPoint.size``,
    the diameter of the described neighbourhood in pixels.

    RootSIFT [2]_ divides each descriptor by its L1 norm and takes the
    element-wise square root, so that Euclidean distances between the
    results compare the original descriptors with the Hellinger kernel; the
    rows then have unit L2 norm (an all-zero descriptor stays zero)."""

_REFERENCES = """.. [1] D. G. Lowe, "Distinctive image features from scale-invariant
           keypoints", International Journal of Computer Vision, 60(2),
           2004, pp. 91-110. :DOI:`10.1023/B:VISI.0000029664.99615.94`
    .. [2] R. Arandjelović and A. Zisserman, "Three things everyone should
           know to improve object retrieval", CVPR 2012, pp. 2911-2918.
           :DOI:`10.1109/CVPR.2012.6248018`"""


def _grey_uint8(image):
    """The validated ``image`` as a grey ``uint8`` array for OpenCV."""
    if image.dtype != np.uint8:
        scaled = image.astype(np.float64) * (255.0 / intensity_range(image.dtype))
        image = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    if image.ndim == 3:
        if image.shape[2] == 2:  # grey + alpha
            return np.ascontiguousarray(image[:, :, 0])
        return np.ascontiguousarray(rgb_to_gray(image))
    return np.ascontiguousarray(image)


def _root_sift(descriptors):
    """L1-normalise each row, then take the square root (RootSIFT)."""
    lengths = np.abs(descriptors).sum(axis=1, keepdims=True)
    return np.sqrt(descriptors / np.where(lengths > 0, lengths, 1.0))


def _sift(image, max_keypoints, root_sift, contrast_threshold):
    """SIFT of one validated image: (descriptors, positions, scales)."""
    detector = cv2.SIFT_create(contrastThreshold=float(contrast_threshold))
    keypoints, descriptors = detector.detectAndCompute(_grey_uint8(image), None)
    if descriptors is None or not keypoints:
        return (np.zeros((0, DIMS), np.float32), np.zeros((0, 2), np.float32),
                np.zeros(0, np.float32))
    keep = np.arange(len(keypoints))
    if max_keypoints is not None and len(keypoints) > max_keypoints:
        responses = np.array([k.response for k in keypoints])
        keep = np.sort(np.argsort(-responses, kind="stable")[:max_keypoints])
    descriptors = np.ascontiguousarray(descriptors[keep], dtype=np.float32)
    if root_sift:
        descriptors = _root_sift(descriptors).astype(np.float32)
    positions = np.array([keypoints[i].pt for i in keep], np.float32).reshape(-1, 2)
    scales = np.array([keypoints[i].size for i in keep], np.float32)
    return descriptors, positions, scales


@validate_params(
    {"image": ["array-like"], **_SIFT_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def sift(image, *, max_keypoints=None, root_sift=False, contrast_threshold=0.04):
    """SIFT keypoints and descriptors of one image, from OpenCV.

    Detects scale-space extrema of the difference of Gaussians and describes
    each with a 4 x 4 x 8 histogram of gradient orientations (128 values)
    [1]_, optionally as RootSIFT [2]_.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        Grey or RGB(A) image, any real dtype (see Notes for the conversion
        to grey ``uint8``).
    max_keypoints : int or None, default=None
        Keep at most this many keypoints, those of highest response; None
        keeps all.
    root_sift : bool, default=False
        Return RootSIFT descriptors instead of OpenCV's.
    contrast_threshold : float, default=0.04
        OpenCV's ``contrastThreshold``: extrema of lower contrast are
        discarded; larger values give fewer keypoints.

    Returns
    -------
    descriptors : ndarray of shape (n_keypoints, 128), dtype float32
        One descriptor per keypoint; ``n_keypoints`` may be 0.
    positions : ndarray of shape (n_keypoints, 2), dtype float32
        Keypoint centres ``(x, y)`` in pixels.
    scales : ndarray of shape (n_keypoints,), dtype float32
        Keypoint sizes (neighbourhood diameters) in pixels.

    Raises
    ------
    ValueError
        If the image is not 2-D or 3-D with 1 to 4 channels, is empty or
        holds NaN or infinity; if a parameter is out of range.

    See Also
    --------
    SIFTExtractor : The same for a batch of images.
    dense_sift : SIFT-like descriptors on a regular grid.

    Notes
    -----
    {notes}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import sift
    >>> image = np.zeros((64, 64), np.uint8)
    >>> image[16:48, 16:48] = 255
    >>> descriptors, positions, scales = sift(image, max_keypoints=3)
    >>> descriptors.shape[1], len(positions) <= 3
    (128, True)
    """
    image = check_image(image, name="image")
    return _sift(image, max_keypoints, root_sift, contrast_threshold)


sift.__doc__ = sift.__doc__.replace("{notes}", _NOTES).replace(
    "{references}", _REFERENCES)


@Substitution(n_jobs=N_JOBS_DOC, notes=_NOTES, references=_REFERENCES)
class SIFTExtractor(TransformerMixin, BaseEstimator):
    """SIFT keypoints and descriptors of each image, as a transformer.

    Runs :func:`sift` on every image and returns all descriptors, with
    their keypoint positions and sizes, in one :class:`LocalFeatures`.

    Parameters
    ----------
    max_keypoints : int or None, default=None
        Keep at most this many keypoints per image, those of highest
        response; None keeps all.
    root_sift : bool, default=False
        Return RootSIFT descriptors [2]_ instead of OpenCV's.
    contrast_threshold : float, default=0.04
        OpenCV's ``contrastThreshold``; larger values give fewer keypoints.
    {n_jobs}

    Attributes
    ----------
    n_dims_ : int
        Length of one descriptor, 128.

    See Also
    --------
    sift : The keypoints of one image.
    DenseSIFTExtractor : Descriptors on a regular grid instead of keypoints.
    LocalFeatures : The container ``transform`` returns.

    Notes
    -----
    {notes}

    An image without keypoints (e.g. a constant one) owns no rows of the
    result. Images are processed on ``n_jobs`` threads (OpenCV releases the
    GIL).

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import SIFTExtractor
    >>> square = np.zeros((64, 64), np.uint8)
    >>> square[16:48, 16:48] = 255
    >>> features = SIFTExtractor(max_keypoints=2).fit_transform(
    ...     [square, np.zeros((32, 32), np.uint8)])
    >>> len(features), features.n_dims, features.counts.tolist()[1]
    (2, 128, 0)
    """

    _parameter_constraints = {
        **_SIFT_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, max_keypoints=None, root_sift=False,
                 contrast_threshold=0.04, n_jobs=None):
        self.max_keypoints = max_keypoints
        self.root_sift = root_sift
        self.contrast_threshold = contrast_threshold
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the images; nothing is learnt.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            Grey or colour images.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted extractor.
        """
        check_images(X)
        self.n_dims_ = DIMS
        return self

    def transform(self, X):
        """Detect and describe the keypoints of each image.

        Parameters
        ----------
        X : sequence of ndarray of shape (H, W) or (H, W, C)
            Grey or colour images; sizes may differ.

        Returns
        -------
        features : LocalFeatures
            One image per input image, in input order, with ``n_dims == 128``.
        """
        check_is_fitted(self, "n_dims_")
        images = check_images(X)
        params = (self.max_keypoints, self.root_sift, self.contrast_threshold)
        n_jobs = resolve_n_jobs(self.n_jobs)
        if n_jobs == 1:
            results = [_sift(image, *params) for image in images]
        else:
            results = Parallel(n_jobs=n_jobs, prefer="threads")(
                delayed(_sift)(image, *params) for image in images)
        descriptors, positions, scales = zip(*results)
        return LocalFeatures.from_list(descriptors, positions, scales,
                                       [image.shape[:2] for image in images])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags
