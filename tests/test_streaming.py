"""LocalFeatureEncoder: batch-by-batch extraction and encoding."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from classical.descriptors import DenseSIFTExtractor, LocalFeatures
from classical.encoders import (
    BagOfVisualWords,
    LocalFeatureEncoder,
    SpatialPyramid,
    VLADEncoder,
)
from classical.encoders._streaming import _subsample
from classical.utils.estimator_checks import image_estimator_checks, make_check_images


def _images(n=7, seed=0):
    rng = np.random.default_rng(seed)
    return list(rng.integers(0, 256, (n, 40, 40), dtype=np.uint8))


class _NoDescriptors(DenseSIFTExtractor):
    """Dense SIFT that keeps no descriptor at all."""

    def transform(self, X):
        return LocalFeatures(
            np.zeros((0, 128)), np.zeros(len(X) + 1, np.int64))


class _CountingExtractor(DenseSIFTExtractor):
    """Dense SIFT that records how many images each call receives."""

    calls = []

    def transform(self, X):
        type(self).calls.append(len(X))
        return super().transform(X)


@pytest.mark.parametrize("encoder", [
    VLADEncoder(n_words=4, random_state=0),
    SpatialPyramid(encoder=BagOfVisualWords(n_words=5, random_state=0),
                   levels=(1, 2)),
])
def test_equals_whole_batch_chain_when_nothing_is_subsampled(encoder):
    images = _images()
    extractor = DenseSIFTExtractor(step=6)
    features = extractor.fit_transform(images)
    expected = encoder.fit(features).transform(features)
    streamed = LocalFeatureEncoder(extractor=extractor, encoder=encoder,
                                   batch_size=3, sample_size=10**6)
    encoded = streamed.fit_transform(images)
    assert encoded.dtype == np.float32  # stored in float32 whatever the encoder's
    assert_allclose(encoded, expected, rtol=1e-6, atol=1e-7)
    assert streamed.n_descriptors_fit_ == features.n_descriptors


def test_batches_bound_what_the_extractor_sees():
    _CountingExtractor.calls = []
    images = _images(10)
    LocalFeatureEncoder(extractor=_CountingExtractor(step=6),
                        encoder=BagOfVisualWords(n_words=3, random_state=0),
                        batch_size=4, random_state=0).fit(images).transform(images)
    assert max(_CountingExtractor.calls) == 4
    assert sum(_CountingExtractor.calls) == 20  # fit once, transform once


def test_fit_describes_at_most_max_fit_images():
    _CountingExtractor.calls = []
    images = _images(10)
    encoder = LocalFeatureEncoder(extractor=_CountingExtractor(step=6),
                                  encoder=BagOfVisualWords(n_words=3, random_state=0),
                                  batch_size=4, max_fit_images=6, sample_size=60,
                                  random_state=0).fit(images)
    assert _CountingExtractor.calls == [4, 2]
    assert encoder.n_images_fit_ == 6 and encoder.n_descriptors_fit_ == 60
    stacked = LocalFeatureEncoder(extractor=DenseSIFTExtractor(step=6),
                                  encoder=BagOfVisualWords(n_words=3, random_state=0),
                                  max_fit_images=6, random_state=0)
    assert_allclose(stacked.fit(np.stack(images)).transform(images),
                    stacked.fit(images).transform(images))


def test_sample_keeps_at_most_the_cap_per_image():
    images = _images(5)
    features = DenseSIFTExtractor(step=6).fit_transform(images)
    sample = _subsample(features, 4, np.random.default_rng(0))
    assert_array_equal(sample.counts, np.minimum(features.counts, 4))
    assert_array_equal(sample.image_shapes, features.image_shapes)
    for i in range(len(images)):
        rows = {row.tobytes() for row in features[i]}
        assert all(row.tobytes() in rows for row in sample[i])
    encoder = LocalFeatureEncoder(extractor=DenseSIFTExtractor(step=6),
                                  encoder=VLADEncoder(n_words=2, random_state=0),
                                  sample_size=20, random_state=0).fit(images)
    assert encoder.n_descriptors_fit_ == 20


def test_reducer_is_fitted_before_the_encoder():
    class FirstColumns:
        def fit(self, X, y=None):
            self.fitted_ = True
            return self

        def transform(self, X):
            return X.with_descriptors(X.descriptors[:, :8])

        def get_params(self, deep=True):
            return {}

        def set_params(self, **params):
            return self

    images = _images(4)
    encoder = LocalFeatureEncoder(extractor=DenseSIFTExtractor(step=6),
                                  reducer=FirstColumns(),
                                  encoder=VLADEncoder(n_words=2, random_state=0),
                                  random_state=0)
    assert encoder.fit_transform(images).shape == (4, 16)
    assert encoder.reducer_.fitted_ and encoder.encoder_.n_features_in_ == 8


def test_errors():
    encoder = LocalFeatureEncoder(extractor=DenseSIFTExtractor(),
                                  encoder=VLADEncoder(n_words=2))
    with pytest.raises(ValueError, match="X holds no images"):
        encoder.fit([])
    with pytest.raises(TypeError, match="X must be a sequence of images"):
        encoder.fit(5)
    flat = [np.full((32, 32), 7, np.uint8)] * 3
    with pytest.raises(ValueError, match="batch_size"):
        LocalFeatureEncoder(extractor=DenseSIFTExtractor(), encoder=VLADEncoder(),
                            batch_size=0).fit(flat)
    no_descriptors = LocalFeatureEncoder(extractor=_NoDescriptors(),
                                         encoder=VLADEncoder(n_words=2))
    with pytest.raises(ValueError, match="found no descriptors in any training"):
        no_descriptors.fit(flat)


@pytest.mark.parametrize("estimator, check, images, y", list(image_estimator_checks(
    LocalFeatureEncoder(extractor=DenseSIFTExtractor(step=8),
                        encoder=BagOfVisualWords(n_words=3, random_state=0),
                        batch_size=4, random_state=0),
    images=make_check_images(shape=(32, 32)))))
def test_image_estimator_contract(estimator, check, images, y):
    check(estimator, images, y)
