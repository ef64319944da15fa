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


@pytest.fixture
def eurosat_dir():
    return shared_dataset("eurosat_rgb")


@pytest.fixture
def statlog_dir():
    return shared_dataset("statlog_landsat")


@pytest.fixture
def brodatz_dir():
    return shared_dataset("textures_brodatz")
