"""read_labels and validate_classes: label rasters on the image's grid, vector
files rasterised by GDAL's rules (checked against the Landsat 7 label raster GDAL
made from its polygons), and class reports that list every problem at once."""

import io
import json
import struct

import numpy as np
import pytest

pyogrio = pytest.importorskip("pyogrio")
rasterio = pytest.importorskip("rasterio")

from affine import Affine  # noqa: E402

from classical.geo import (  # noqa: E402
    ClassValidationError,
    open_raster,
    polygon_groups,
    read_labels,
    validate_classes,
)
from classical.geo._labels import _wkb_geometry  # noqa: E402

NAMES = {1: "forest", 2: "water", 3: "herbaceous", 4: "barren", 5: "urban"}
TRANSFORM = Affine(10.0, 0.0, 1000.0, 0.0, -10.0, 2000.0)


@pytest.fixture
def landsat(landsat7_dir):
    return {"image": landsat7_dir / "LE70220491999322EDC01_stack.gtif",
            "labels": landsat7_dir / "training_data.gtif",
            "vector": landsat7_dir / "training_data.shp"}


def small_image(height=20, width=30, bands=3, crs="EPSG:32615"):
    pixels = np.arange(height * width * bands, dtype=np.float32)
    return open_raster(pixels.reshape(height, width, bands), transform=TRANSFORM,
                       crs=crs)


def write_geojson(path, features, crs="EPSG:32615"):
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties, "geometry": geometry}
        for geometry, properties in features]}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection))
    return path


def square(x0, y0, x1, y1):
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def gdal_geojson(path):
    """GDAL's own GeoJSON of a vector file: the reference for our WKB reader."""
    meta, _, geometries, fields = pyogrio.raw.read(path, force_2d=True)
    buffer = io.BytesIO()
    pyogrio.raw.write(buffer, geometries, fields, meta["fields"], driver="GeoJSON",
                      geometry_type=meta["geometry_type"], crs=meta["crs"],
                      layer="reference", encoding="UTF-8", COORDINATE_PRECISION=17)
    features = json.loads(buffer.getvalue())["features"]
    return geometries, [f["geometry"] for f in features]


def as_lists(value):
    """Coordinates as nested lists (tuples and lists compare equal)."""
    if isinstance(value, dict):
        return {k: as_lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_lists(v) for v in value]
    return value


# -- the Landsat 7 polygons against the label raster GDAL made from them --------
def test_polygons_rasterised_reproduce_the_gdal_label_raster(landsat):
    reference = read_labels(landsat["labels"], landsat["image"])
    from_polygons = read_labels(landsat["vector"], landsat["image"])
    np.testing.assert_array_equal(from_polygons, reference)


def test_all_touched_adds_pixels_and_keeps_every_reference_label(landsat):
    # The README says ALL_TOUCHED=TRUE made the raster; in fact the default
    # (pixel centres) reproduces it exactly, and all_touched only adds pixels.
    reference = read_labels(landsat["labels"], landsat["image"])
    touched = read_labels(landsat["vector"], landsat["image"], all_touched=True)
    labelled = reference > 0
    np.testing.assert_array_equal(touched[labelled], reference[labelled])
    assert (touched[~labelled] > 0).sum() > 0


def test_groups_are_the_features_and_carry_their_ids(landsat):
    labels, groups = read_labels(landsat["vector"], landsat["image"],
                                 return_groups=True)
    _, _, _, (ids,) = pyogrio.raw.read(landsat["vector"], columns=["id"],
                                       read_geometry=False)
    assert set(np.unique(groups)) == set(range(len(ids) + 1))
    np.testing.assert_array_equal(labels, np.concatenate([[0], ids])[groups])


def test_text_attribute_numbered_by_class_names(landsat):
    # Two polygons carry a text class that disagrees with their id: the
    # rasters differ exactly on their pixels.
    by_id, groups = read_labels(landsat["vector"], landsat["image"], return_groups=True)
    by_name = read_labels(landsat["vector"], landsat["image"], attribute="class",
                          class_names=NAMES)
    _, _, _, (ids, texts) = pyogrio.raw.read(landsat["vector"], read_geometry=False)
    disagree = [i + 1 for i, (k, t) in enumerate(zip(ids, texts)) if NAMES[k] != t]
    assert len(disagree) == 2
    np.testing.assert_array_equal(by_name != by_id, np.isin(groups, disagree))


def test_text_attribute_without_names_is_numbered_in_sorted_order(landsat):
    labels = read_labels(landsat["vector"], landsat["image"], attribute="class")
    _, _, _, (texts,) = pyogrio.raw.read(landsat["vector"], columns=["class"],
                                         read_geometry=False)
    numbering = dict(enumerate(sorted(set(texts)), 1))
    by_name = read_labels(landsat["vector"], landsat["image"], attribute="class",
                          class_names=numbering)
    np.testing.assert_array_equal(labels, by_name)


def test_label_raster_groups_are_its_connected_regions(landsat):
    labels, groups = read_labels(landsat["labels"], landsat["image"],
                                 return_groups=True)
    np.testing.assert_array_equal(groups, polygon_groups(labels))


def test_polygons_in_another_crs_are_reprojected(landsat, tmp_path):
    meta, _, geometries, (ids,) = pyogrio.raw.read(landsat["vector"], columns=["id"])
    lonlat = rasterio.warp.transform_geom(
        meta["crs"], "EPSG:4326", [_wkb_geometry(g) for g in geometries], precision=-1)
    path = write_geojson(tmp_path / "lonlat.geojson",
                         [(g, {"class_id": int(k)}) for g, k in zip(lonlat, ids)],
                         crs=None)  # no 'crs' member: GeoJSON's WGS 84 lon/lat
    reference = read_labels(landsat["labels"], landsat["image"])
    reprojected = read_labels(path, landsat["image"], attribute="class_id")
    # Only vertices are reprojected: edges bend by millimetres, so a pixel
    # centre that close to an edge may change side.
    assert (reprojected != reference).mean() < 1e-3


# -- the WKB reader against GDAL's GeoJSON writer -------------------------------
def test_wkb_reader_matches_gdal_on_the_landsat_polygons(landsat):
    geometries, reference = gdal_geojson(landsat["vector"])
    for wkb, expected in zip(geometries, reference):
        assert as_lists(_wkb_geometry(wkb)) == as_lists(expected)


@pytest.mark.parametrize("geometry", [
    {"type": "Point", "coordinates": [1.5, -2.25]},
    {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]]},
    {"type": "MultiPoint", "coordinates": [[0.0, 1.0], [2.0, 3.0]]},
    {"type": "MultiLineString", "coordinates": [[[0.0, 0.0], [1.0, 1.0]],
                                                [[2.0, 2.0], [3.0, 4.0]]]},
    {"type": "MultiPolygon", "coordinates": [
        square(0, 0, 4, 4)["coordinates"],
        [[[5, 5], [9, 5], [9, 9], [5, 9], [5, 5]], [[6, 6], [7, 6], [7, 7], [6, 6]]]]},
    {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [1.0, 1.0]}, square(2, 2, 3, 3)]},
])
def test_wkb_reader_matches_gdal_on_every_geometry_type(tmp_path, geometry):
    path = write_geojson(tmp_path / "one.geojson", [(geometry, {"id": 1})])
    geometries, reference = gdal_geojson(path)
    assert as_lists(_wkb_geometry(geometries[0])) == as_lists(reference[0])


def test_wkb_reader_reads_big_endian():
    ring = [(0.0, 0.0), (2.0, 0.0), (2.0, 3.0), (0.0, 0.0)]
    wkb = struct.pack(">BII I", 0, 3, 1, len(ring)) + b"".join(
        struct.pack(">2d", *p) for p in ring)
    assert as_lists(_wkb_geometry(wkb)) == as_lists(
        {"type": "Polygon", "coordinates": [ring]})


def test_wkb_reader_rejects_curves():
    with pytest.raises(ValueError, match="Unsupported geometry .*CONVERT_TO_LINEAR"):
        _wkb_geometry(struct.pack("<BI", 1, 8))


# -- vector files on a synthetic grid -------------------------------------------
def test_points_and_overlaps_burn_as_gdal_does(tmp_path):
    image = small_image()
    path = write_geojson(tmp_path / "f.geojson", [
        (square(1000, 1800, 1100, 2000), {"id": 1}),
        (square(1050, 1900, 1200, 1950), {"id": 2}),    # drawn over the first
        ({"type": "Point", "coordinates": [1255.0, 1905.0]}, {"id": 3}),
    ])
    labels, groups = read_labels(path, image, return_groups=True)
    expected = np.zeros((20, 30), dtype=int)
    expected[0:20, 0:10] = 1
    expected[5:10, 5:20] = 2
    expected[9, 25] = 3
    np.testing.assert_array_equal(labels, expected)
    np.testing.assert_array_equal(groups, expected)  # feature k has id k here
    assert labels.dtype == np.uint8


def test_vector_errors_name_the_problem(tmp_path):
    image = small_image()
    path = write_geojson(tmp_path / "f.geojson", [(square(1000, 1900, 1050, 2000),
                                                   {"id": 1, "name": "a"})])
    with pytest.raises(ValueError, match="attribute 'klass' is not a field.*'id'"):
        read_labels(path, image, attribute="klass")
    with pytest.raises(ValueError, match="gives no id to the names \\['a'\\]"):
        read_labels(path, image, attribute="name", class_names={1: "b"})
    bad = write_geojson(tmp_path / "bad.geojson", [
        (square(1000, 1900, 1050, 2000), {"id": 1}),
        (square(1000, 1900, 1050, 2000), {"id": 0})])
    with pytest.raises(ValueError, match="positive integer class id.*features \\[1\\]"):
        read_labels(bad, image)
    far = write_geojson(tmp_path / "far.geojson", [(square(0, 0, 50, 50), {"id": 1})])
    with pytest.raises(ValueError, match="None of the 1 features .* covers a pixel"):
        read_labels(far, image)
    with pytest.raises(ValueError, match="image has no transform.*transform="):
        read_labels(path, np.zeros((20, 30, 3)))
    projected_without_crs = write_geojson(tmp_path / "nocrs.geojson", [
        (square(1000, 1900, 1050, 2000), {"id": 1})], crs=None)
    with pytest.raises(ValueError, match="not be reprojected.*without a 'crs' member"):
        read_labels(projected_without_crs, image)


def test_null_text_class_is_an_error(tmp_path):
    path = write_geojson(tmp_path / "f.geojson", [
        (square(1000, 1900, 1050, 2000), {"name": "a"}),
        (square(1000, 1900, 1050, 2000), {"name": None})])
    with pytest.raises(ValueError, match="features \\[1\\] \\(0-based\\) hold "
                                         "\\[None\\]"):
        read_labels(path, small_image(), attribute="name")


# -- label rasters ----------------------------------------------------------------
def test_label_raster_on_another_grid_says_what_differs_and_how_to_fix(tmp_path):
    image = small_image()
    labels = np.ones((20, 30), dtype=np.uint8)
    with pytest.raises(ValueError, match="size is 10 x 30 pixels, the image's 20 x 30"):
        read_labels(labels[:10], image)
    shifted = open_raster(labels, crs="EPSG:32615",
                          transform=Affine(10.0, 0.0, 1001.0, 0.0, -10.0, 2000.0))
    with pytest.raises(ValueError, match="not on the image's grid: its transform.*"
                                         "gdalwarp -t_srs EPSG:32615 -te 1000.0 1800.0 "
                                         "1300.0 2000.0 -ts 30 20"):
        read_labels(shifted, image)
    other_crs = open_raster(labels, transform=TRANSFORM, crs="EPSG:4326")
    with pytest.raises(ValueError, match="CRS is EPSG:4326, the image's EPSG:32615"):
        read_labels(other_crs, image)


def test_label_raster_from_a_file_and_its_nodata(tmp_path):
    image = small_image()
    values = np.zeros((20, 30), dtype=np.int16)
    values[2:5, 3:9] = 4
    values[10:, :] = -1
    path = tmp_path / "labels.tif"
    with rasterio.open(path, "w", driver="GTiff", height=20, width=30, count=1,
                       dtype="int16", crs="EPSG:32615", transform=TRANSFORM,
                       nodata=-1) as dataset:
        dataset.write(values, 1)
    labels = read_labels(path, image)
    np.testing.assert_array_equal(labels, np.where(values < 0, 0, values))
    with pytest.raises(ValueError, match="negative values.*nodata=-1"):
        read_labels(values, image)
    np.testing.assert_array_equal(
        read_labels(open_raster(values, nodata=-1), image), labels)


def test_float_label_rasters():
    image = small_image()
    values = np.zeros((20, 30), dtype=np.float32)
    values[0, :4] = [1, 2, np.nan, 3]
    labels = read_labels(values, image)
    assert np.issubdtype(labels.dtype, np.integer)
    np.testing.assert_array_equal(labels[0, :4], [1, 2, 0, 3])
    values[1, 1] = 2.5
    with pytest.raises(ValueError, match="fractional values \\(e.g. 2.5\\)"):
        read_labels(values, image)


def test_label_raster_type_and_band_errors(tmp_path):
    image = small_image()
    with pytest.raises(ValueError, match="does not exist"):
        read_labels(tmp_path / "missing.shp", image)
    with pytest.raises(ValueError, match="must have one band.*has 2"):
        read_labels(np.zeros((20, 30, 2), dtype=np.uint8), image)
    with pytest.raises(TypeError, match="source must be a label raster"):
        read_labels(12, image)
    with pytest.raises(ValueError, match="must hold integer class ids"):
        read_labels(np.zeros((20, 30), dtype=np.complex64), image)


# -- validate_classes -----------------------------------------------------------
def test_every_problem_is_reported_at_once():
    image = small_image(bands=4)
    labels = np.zeros((20, 30), dtype=np.uint8)
    labels[:10, :10] = 1
    labels[15:17, 0:2] = 2          # 4 pixels < 4 bands + 1
    labels[18:, 20:] = 3            # 20 pixels, unnamed
    names = [(1, "forest"), (1, "woods"), (2, "forest"), (7, "snow")]
    with pytest.raises(ClassValidationError) as caught:
        validate_classes(labels, image, class_names=names)
    message, report = str(caught.value), caught.value.report
    assert message.startswith("5 problems")
    for expected in ["1: ['forest', 'woods']", "'forest': [1, 2]", "7 ('snow')",
                     "without a name: ids [3]",
                     "fewer than 5 pixels: 2 ('forest') has 4"]:
        assert expected in message
    assert report["duplicate_ids"] == {1: ["forest", "woods"]}
    assert report["duplicate_names"] == {"forest": [1, 2]}
    assert report["absent_ids"] == [7]
    assert report["unnamed_ids"] == [3]
    assert report["too_small"] == {2: 4}
    assert report["pixel_counts"] == {1: 100, 2: 4, 3: 20}
    assert not report["valid"]


def test_valid_classes_give_a_clean_report(landsat):
    report = validate_classes(read_labels(landsat["labels"], landsat["image"]),
                              landsat["image"], class_names=NAMES)
    counts = np.bincount(rasterio.open(landsat["labels"]).read(1).ravel())
    assert report["pixel_counts"] == {k: int(counts[k]) for k in NAMES}
    assert report["min_pixels"] == 9 and report["valid"] and not report["problems"]


def test_names_as_a_list_and_the_other_modes():
    labels = np.zeros((4, 4), dtype=np.int32)
    labels[0] = 1
    labels[1] = 2
    report = validate_classes(labels, class_names=["a", "b"])
    assert report["class_names"] == {1: "a", 2: "b"} and report["min_pixels"] is None
    with pytest.warns(UserWarning, match="1 problem with"):
        report = validate_classes(labels, class_names=["a"], on_invalid="warn")
    assert report["unnamed_ids"] == [2]
    report = validate_classes(labels, min_pixels=5, on_invalid="ignore")
    assert report["too_small"] == {1: 4, 2: 4}
    with pytest.raises(ClassValidationError, match="1 class with labelled pixels"):
        validate_classes(np.where(labels == 1, 1, 0))


def test_labelled_pixels_on_nodata_are_not_counted():
    pixels = np.ones((6, 6, 2), dtype=np.float32)
    pixels[0, :3] = np.nan
    labels = np.zeros((6, 6), dtype=np.uint8)
    labels[0] = 1
    labels[1] = 2
    report = validate_classes(labels, open_raster(pixels), min_pixels=None,
                              block_size=4)
    assert report["pixel_counts"] == {1: 3, 2: 6} and report["nodata_pixels"] == 3
    assert report["valid"]


def test_validate_classes_argument_errors():
    labels = np.ones((4, 4), dtype=np.int32)
    with pytest.raises(ValueError, match="labels must be an integer array"):
        validate_classes(labels.astype(float))
    with pytest.raises(ValueError, match="labels must be >= 0"):
        validate_classes(-labels)
    with pytest.raises(ValueError, match="on_invalid must be"):
        validate_classes(labels, on_invalid="loud")
    with pytest.raises(ValueError, match="min_pixels must be"):
        validate_classes(labels, min_pixels=0)
    with pytest.raises(ValueError, match="do not match the image's 5 x 4"):
        validate_classes(labels, np.zeros((5, 4, 2)))
    with pytest.raises(ValueError, match="class ids must be integers >= 1"):
        validate_classes(labels, class_names={0: "none"})
    with pytest.raises(TypeError, match="the string 'ab'"):
        validate_classes(labels, class_names="ab")
    with pytest.raises(TypeError, match="a sequence of names for ids 1..K"):
        validate_classes(labels, class_names=[1, 2])
