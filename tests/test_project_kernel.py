"""The affine row projection kernel against its NumPy twin."""

import numpy as np
import pytest

from classical._kernels.project import project_rows
from tests.naive import project as naive


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0, 3, 2), (1, 1, 1), (7, 3, 2), (500, 6, 4)])
def test_project_rows_matches_twin(dtype, shape):
    rng = np.random.default_rng(1)
    n, d, k = shape
    X = rng.normal(size=(n, d)).astype(dtype)
    weights, offset = rng.normal(size=(d, k)), rng.normal(size=k)
    ours = project_rows(X, weights, offset)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, naive.project_rows(X, weights, offset),
                               rtol=1e-12 if dtype == np.float64 else 1e-6)
