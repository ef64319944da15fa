"""SIFT: OpenCV equality, keypoint cap, RootSIFT, conversions, the extractor."""

import cv2
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError

from classical.datasets import load_sample
from classical.descriptors import LocalFeatures
from classical.descriptors._sift import SIFTExtractor, root_sift, sift
from classical.preprocess import to_grayscale


@pytest.fixture(scope="module")
def eurosat_images():
    images = load_sample("eurosat").images
    return [np.asarray(images[i]) for i in (0, 150, 400, 700)]


def _synthetic(seed=0, shape=(96, 80)):
    """Blocks and blobs with many corners, uint8."""
    rng = np.random.default_rng(seed)
    image = np.zeros(shape, np.float64)
    for _ in range(12):
        r, c = rng.integers(0, shape[0] - 16), rng.integers(0, shape[1] - 16)
        h, w = rng.integers(4, 16, 2)
        image[r:r + h, c:c + w] += rng.uniform(60, 200)
    image = cv2.GaussianBlur(image, (0, 0), 1.0)
    return np.clip(image, 0, 255).astype(np.uint8)


def _direct(grey, contrast_threshold=0.04, cap=None):
    """OpenCV called directly, the cap applied by sorting responses."""
    detector = cv2.SIFT_create(contrastThreshold=contrast_threshold)
    keypoints, descriptors = detector.detectAndCompute(grey, None)
    if descriptors is None:
        return np.zeros((0, 128)), np.zeros((0, 2)), np.zeros(0)
    index = list(range(len(keypoints)))
    if cap is not None and len(index) > cap:
        by_response = sorted(index, key=lambda i: -keypoints[i].response)
        index = sorted(by_response[:cap])
    return (descriptors[index], np.array([keypoints[i].pt for i in index]),
            np.array([keypoints[i].size for i in index]))


@pytest.mark.parametrize("cap", [None, 5])
def test_equals_direct_opencv_on_eurosat(eurosat_images, cap):
    for image in eurosat_images:
        grey = to_grayscale(image)  # the library's grey convention (BT.709)
        descriptors, positions, scales = sift(image, max_keypoints=cap)
        expected = _direct(grey, cap=cap)
        assert descriptors.dtype == np.float32 and descriptors.shape[1] == 128
        assert_array_equal(descriptors, expected[0])
        assert_allclose(positions, expected[1].reshape(-1, 2), rtol=1e-6)
        assert_allclose(scales, expected[2], rtol=1e-6)


def test_cap_keeps_strongest_and_bounds_counts():
    image = _synthetic()
    everything = sift(image)[0]
    assert len(everything) > 8
    for cap in (1, 3, 8, 10_000):
        descriptors, positions, _ = sift(image, max_keypoints=cap)
        assert len(descriptors) == min(cap, len(everything))
    features = SIFTExtractor(max_keypoints=4).fit_transform(
        [_synthetic(seed) for seed in range(5)])
    assert (features.counts <= 4).all() and features.counts.sum() > 0


def test_contrast_threshold_reduces_keypoints():
    image = _synthetic(3)
    low = len(sift(image, contrast_threshold=0.01)[0])
    high = len(sift(image, contrast_threshold=0.2)[0])
    assert high <= low
    assert low == len(_direct(image, contrast_threshold=0.01)[0])


def test_root_sift(eurosat_images):
    for image in eurosat_images + [_synthetic()]:
        plain = sift(image)[0].astype(np.float64)
        root = sift(image, root_sift=True)[0]
        assert root.dtype == np.float32
        assert_allclose(np.linalg.norm(root, axis=1), 1.0, rtol=1e-5)
        assert_allclose(root.astype(np.float64) ** 2,
                        plain / plain.sum(axis=1, keepdims=True), atol=1e-6)


def _root_sift_twin(x):
    """RootSIFT written out in float64: L1 rows, then the signed square root."""
    x = np.asarray(x, dtype=np.float64)
    lengths = np.abs(x).sum(axis=1, keepdims=True)
    x = x / np.where(lengths > 0, lengths, 1.0)
    return np.sign(x) * np.sqrt(np.abs(x))


def test_root_sift_function_matches_twin():
    x = np.random.default_rng(0).normal(size=(30, 16))
    x[4] = 0.0
    assert_allclose(root_sift(x), _root_sift_twin(x), rtol=1e-14, atol=0)
    assert_array_equal(root_sift(x)[4], 0.0)
    rooted = root_sift(x.astype(np.float32))
    assert rooted.dtype == np.float32
    assert_allclose(rooted, _root_sift_twin(x.astype(np.float32)), rtol=1e-6)
    counts = np.arange(12).reshape(3, 4)
    assert root_sift(counts).dtype == np.float64
    # the Hellinger kernel of two L1-normalised histograms p, q is sum sqrt(p q)
    p, q = counts[1] / counts[1].sum(), counts[2] / counts[2].sum()
    assert_allclose(root_sift(counts[1:2]) @ root_sift(counts[2:3]).T,
                    [[np.sqrt(p * q).sum()]], rtol=1e-14)


@pytest.mark.parametrize("bad, match", [
    (np.array([[np.nan, 1.0]]), "descriptors contains NaN"),
    (np.ones(3), "Expected 2D array"),
])
def test_root_sift_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        root_sift(bad)


def test_conversions_match_uint8():
    grey = _synthetic(1)
    expected = sift(grey)[0]
    assert_array_equal(sift(grey.astype(np.float64) / 255)[0], expected)
    assert_array_equal(sift(grey.astype(np.uint16) * 257)[0], expected)
    assert_array_equal(sift(np.asfortranarray(grey))[0], expected)
    assert_array_equal(sift(grey[:, :, np.newaxis])[0], expected)
    rgb = np.repeat(grey[:, :, np.newaxis], 3, axis=2)
    assert_array_equal(sift(rgb)[0], expected)
    rgba = np.concatenate([rgb, np.full(grey.shape + (1,), 7, np.uint8)], axis=2)
    assert_array_equal(sift(rgba)[0], expected)
    assert_array_equal(sift(rgb[::-1, ::-1][::-1, ::-1])[0], expected)


def test_no_keypoints_gives_zero_rows():
    for image in (np.zeros((40, 40), np.uint8), np.full((50, 30), 0.5),
                  np.ones((3, 3), np.uint8)):
        descriptors, positions, scales = sift(image)
        assert descriptors.shape == (0, 128) and positions.shape == (0, 2)
        assert scales.shape == (0,)


def test_extractor_matches_function_and_n_jobs(eurosat_images):
    images = [eurosat_images[0], np.zeros((32, 32, 3), np.uint8), _synthetic(),
              eurosat_images[1]]
    extractor = SIFTExtractor(max_keypoints=20, root_sift=True)
    features = extractor.fit_transform(images)
    assert isinstance(features, LocalFeatures) and len(features) == 4
    assert features.counts[1] == 0
    for i, image in enumerate(images):
        descriptors, positions, scales = sift(image, max_keypoints=20,
                                              root_sift=True)
        rows = slice(features.offsets[i], features.offsets[i + 1])
        assert_array_equal(features[i], descriptors)
        assert_array_equal(features.positions[rows], positions)
        assert_array_equal(features.scales[rows], scales)
    threaded = SIFTExtractor(max_keypoints=20, root_sift=True, n_jobs=2)
    twin = threaded.fit(images).transform(images)
    assert_array_equal(twin.descriptors, features.descriptors)
    assert_array_equal(twin.offsets, features.offsets)
    assert extractor.n_dims_ == 128
    assert_array_equal(features.image_shapes, [image.shape[:2] for image in images])


def test_errors():
    with pytest.raises(ValueError, match="The 'max_keypoints' parameter"):
        sift(_synthetic(), max_keypoints=0)
    with pytest.raises(ValueError, match="The 'contrast_threshold' parameter"):
        SIFTExtractor(contrast_threshold=-1.0).fit([_synthetic()])
    with pytest.raises(ValueError, match="The 'root_sift' parameter"):
        SIFTExtractor(root_sift="yes").fit([_synthetic()])
    with pytest.raises(NotFittedError):
        SIFTExtractor().transform([_synthetic()])
    with pytest.raises(ValueError, match="NaN or infinity"):
        sift(np.full((20, 20), np.nan))
    with pytest.raises(ValueError, match=r"must have shape \(H, W\) or \(H, W, C\)"):
        sift(np.zeros((4, 4, 4, 4)))
    with pytest.raises(TypeError, match="must be a numeric array"):
        SIFTExtractor().fit([np.array([["a"]])])
