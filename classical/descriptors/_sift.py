"""OpenCV SIFT keypoints: :func:`sift`, :class:`SIFTExtractor` and :func:`root_sift`."""

from functools import partial
from numbers import Integral, Real

import cv2
import numpy as np
from sklearn.preprocessing import normalize
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval
from sklearn_compat.utils._param_validation import validate_params

from .._local_features import DESCRIPTOR_DTYPE, LocalFeatures, as_descriptors
from ..parallel import map_batches
from ..utils._color import rgb_to_gray
from ..utils._docstring import N_JOBS_DOC, Substitution
from ..utils._validation import check_image, intensity_range
from ._local_base import BaseLocalExtractor

__all__ = ["sift", "SIFTExtractor", "root_sift"]

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


@validate_params({"descriptors": ["array-like"]}, prefer_skip_nested_validation=True)
def root_sift(descriptors):
    """RootSIFT: each descriptor divided by its L1 norm, then square-rooted.

    Euclidean distances between the results compare the original
    descriptors with the Hellinger kernel, which suits histograms such as
    SIFT better than Euclidean distance does [1]_.

    Parameters
    ----------
    descriptors : array-like of shape (n_descriptors, d)
        Descriptors, one per row, e.g. from :func:`sift` or
        :func:`dense_sift`; finite.

    Returns
    -------
    rooted : ndarray of shape (n_descriptors, d)
        ``sign(x) * sqrt(|x| / ||x||_1)`` row by row; float32 for float32
        input, float64 otherwise. Rows of non-negative descriptors have unit
        L2 norm; an all-zero row stays zero.

    Notes
    -----
    The L1 norm is :func:`sklearn.preprocessing.normalize`'s. The sign is
    kept so that descriptors with negative entries (e.g. centred ones) map
    to a signed square root; SIFT descriptors are non-negative and simply
    square-rooted.

    References
    ----------
    .. [1] R. Arandjelović and A. Zisserman, "Three things everyone should
           know to improve object retrieval", CVPR 2012, pp. 2911-2918.
           :DOI:`10.1109/CVPR.2012.6248018`

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import root_sift
    >>> root_sift(np.array([[1.0, 3.0], [0.0, 0.0]]))
    array([[0.5      , 0.8660254],
           [0.       , 0.       ]])
    """
    x = check_array(descriptors, dtype=[np.float64, np.float32],
                    input_name="descriptors")
    x = normalize(x, norm="l1")
    return np.sign(x) * np.sqrt(np.abs(x))


def _sift(image, max_keypoints, root, contrast_threshold):
    """SIFT of one validated image: (descriptors, positions, scales)."""
    detector = cv2.SIFT_create(contrastThreshold=float(contrast_threshold))
    keypoints, descriptors = detector.detectAndCompute(_grey_uint8(image), None)
    if descriptors is None or not keypoints:
        return (np.zeros((0, DIMS), DESCRIPTOR_DTYPE),
                np.zeros((0, 2), DESCRIPTOR_DTYPE), np.zeros(0, DESCRIPTOR_DTYPE))
    keep = np.arange(len(keypoints))
    if max_keypoints is not None and len(keypoints) > max_keypoints:
        responses = np.array([k.response for k in keypoints])
        keep = np.sort(np.argsort(-responses, kind="stable")[:max_keypoints])
    descriptors = as_descriptors(descriptors[keep])
    if root:
        descriptors = as_descriptors(root_sift(descriptors))
    positions = as_descriptors([keypoints[i].pt for i in keep]).reshape(-1, 2)
    scales = as_descriptors([keypoints[i].size for i in keep])
    return descriptors, positions, scales


@validate_params(
    {"image": ["array-like"], **_SIFT_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
@Substitution(notes=_NOTES, references=_REFERENCES)
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


@Substitution(n_jobs=N_JOBS_DOC, notes=_NOTES, references=_REFERENCES)
class SIFTExtractor(BaseLocalExtractor):
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

    def _n_dims(self, n_channels):
        return DIMS

    def _extract(self, images):
        describe = partial(_sift, max_keypoints=self.max_keypoints,
                           root=self.root_sift,
                           contrast_threshold=self.contrast_threshold)
        results = map_batches(describe, images, n_jobs=self.n_jobs, prefer="threads")
        descriptors, positions, scales = zip(*results)
        return LocalFeatures.from_list(descriptors, positions, scales,
                                       [image.shape[:2] for image in images])
