"""The Landsat 7 sample shipped in the package equals the shared originals."""

import hashlib

import numpy as np
import pytest

from classical.geo import Raster, load_sample

rasterio = pytest.importorskip("rasterio")

SHIPPED = ("LE70220491999322EDC01_stack.gtif", "training_data.gtif",
           "training_data.shp", "training_data.shx", "training_data.dbf",
           "training_data.prj", "training_data.cpg")


def test_files_are_the_originals_byte_for_byte(landsat7_dir):
    sample = load_sample("landsat7")
    folder = sample.vector_path.parent
    manifest = dict(reversed(line.split()) for line in
                    (landsat7_dir / "MANIFEST.sha256").read_text().splitlines() if line)
    for name in SHIPPED:
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert digest == manifest[name]
    readme = (folder / "README.md").read_text()
    assert "CC BY-SA" in readme and "open-geo-tutorial" in readme


def test_landsat7_sample_contents():
    """Runs without the shared data: the twin is rasterio on the package copy."""
    sample = load_sample("landsat7")
    assert isinstance(sample.image, Raster) and isinstance(sample.labels, Raster)
    with rasterio.open(sample.vector_path.with_suffix(".gtif")) as dataset:
        labels = dataset.read(1)
        grid = (dataset.crs, dataset.transform, dataset.shape)
    assert (sample.image.crs, sample.image.transform,
            (sample.image.height, sample.image.width)) == grid
    np.testing.assert_array_equal(sample.labels.read()[:, :, 0], labels)
    assert sorted(sample.class_names) == np.unique(labels[labels > 0]).tolist()
    assert sample.class_names[2] == "water" and sample.sensor == "landsat7"
    assert sample.vector_path.suffix == ".shp" and sample.vector_path.is_file()
    # roles point at the layer whose description names that ETM+ band
    etm_band = {"blue": 1, "green": 2, "red": 3, "nir": 4, "swir1": 5,
                "swir2": 7, "thermal": 6}
    for role, layer in sample.band_roles.items():
        assert sample.image.band_names[layer - 1].startswith(f"band {etm_band[role]} ")
    sample.image.close()
    sample.labels.close()


def test_sample_is_independent_of_each_call():
    first = load_sample("landsat7")
    first.band_roles["red"] = 99
    first.class_names[1] = "changed"
    second = load_sample("landsat7")
    assert second.band_roles["red"] == 3 and second.class_names[1] == "forest"


def test_unknown_sample():
    with pytest.raises(ValueError, match="Unknown raster sample 'sentinel'.*landsat7"):
        load_sample("sentinel")
