"""Shared fixtures: where the real datasets are, and skipping when they are not."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CLASSICAL_SHARED_DATA",
                                  REPO_ROOT.parent / "shared" / "data"))


def shared_dataset(name):
    """Return the folder of a shared dataset, or skip the test when it is absent."""
    folder = SHARED_DATA / name
    if not folder.is_dir():
        pytest.skip(f"shared dataset {name!r} not found at {folder}")
    return folder


def _dataset_fixture(name):
    """A fixture giving the folder of one shared dataset (skipping if absent)."""
    return pytest.fixture(lambda: shared_dataset(name))


eurosat_dir = _dataset_fixture("eurosat_rgb")
statlog_dir = _dataset_fixture("statlog_landsat")
brodatz_dir = _dataset_fixture("textures_brodatz")
ucmerced_dir = _dataset_fixture("ucmerced")
caltech_dir = _dataset_fixture("caltech101_subset10")
salinas_dir = _dataset_fixture("salinas_a")
landsat7_dir = _dataset_fixture("landsat7_training_geotiff")
rgb_geotiff_dir = _dataset_fixture("rgb_byte_geotiff")
