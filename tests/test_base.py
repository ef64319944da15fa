"""The image-extractor template: stacks, lists, chunking and validation errors."""

import numpy as np
import pytest

from classical.descriptors._base import BaseImageExtractor
from classical.utils._validation import check_image_batch, check_positive_pair


class ChannelMeans(BaseImageExtractor):
    """Mean of each channel (gray images count as one channel)."""

    _chunk_size = 3

    def __init__(self, *, n_jobs=None, verbose=False):
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _extract_batch(self, stack):
        assert stack.flags.c_contiguous
        return stack.reshape(len(stack), -1, 1 if stack.ndim == 3 else stack.shape[3]
                             ).mean(axis=1)


def test_a_stack_and_a_list_give_the_same_rows_in_order():
    rng = np.random.default_rng(0)
    stack = rng.integers(0, 256, size=(8, 5, 6, 3), dtype=np.uint8)
    extractor = ChannelMeans().fit(stack)
    expected = stack.reshape(8, -1, 3).mean(axis=1)
    np.testing.assert_allclose(extractor.transform(stack), expected)
    np.testing.assert_allclose(extractor.transform(list(stack)), expected)


def test_mixed_shapes_are_grouped_and_reassembled_in_input_order():
    images = [np.full((4, 4), 1.0), np.full((6, 3), 2.0), np.full((4, 4), 3.0),
              np.full((6, 3), 4.0), np.full((4, 4), 5.0)]
    features = ChannelMeans().fit(images).transform(images)
    np.testing.assert_allclose(features.ravel(), [1, 2, 3, 4, 5])


def test_a_feature_count_that_changes_with_size_is_a_clear_error():
    extractor = ChannelMeans().fit([np.zeros((4, 4, 3))])
    with pytest.raises(ValueError, match=r"X\[1\] of shape \(4, 4\) gives 1 features"):
        extractor.transform([np.zeros((4, 4, 3)), np.zeros((4, 4))])


def test_nan_in_a_stack_names_the_image():
    stack = np.zeros((4, 3, 3))
    stack[2, 1, 1] = np.nan
    with pytest.raises(ValueError, match=r"X\[2\] contains NaN"):
        check_image_batch(stack)


def test_one_image_instead_of_a_batch_says_how_to_wrap_it():
    with pytest.raises(ValueError, match=r"wrap it in a list"):
        ChannelMeans().fit(np.zeros((4, 4)))


@pytest.mark.parametrize("bad", [0, (1, "x"), (2.5, 2), (1, 2, 3), "88"])
def test_positive_pair_refuses_what_int_would_truncate(bad):
    with pytest.raises(ValueError, match="cells must be a positive int"):
        check_positive_pair(bad, "cells")
