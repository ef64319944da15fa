"""Tests for classical.datasets: reading files, folders, the sample, splitting."""

import logging
import os
import struct
import warnings
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps
from sklearn.model_selection import train_test_split

from classical.datasets import (
    ImageDataset,
    ImageLoadError,
    ImageLoadWarning,
    _read,
    load_folder,
    load_images,
    load_sample,
    read_image,
    sample_path,
)

EUROSAT_CLASSES = [
    "AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial",
    "Pasture", "PermanentCrop", "Residential", "River", "SeaLake",
]
RNG = np.random.default_rng(0)


def random_image(shape, dtype=np.uint8):
    return RNG.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)


def smooth_image(h, w):
    """A colour image without sharp edges, so JPEG barely changes it."""
    return cv2.resize(random_image((4, 4, 3)), (w, h), interpolation=cv2.INTER_CUBIC)


def write(path, rgb):
    """Write an RGB(A) or gray array with OpenCV (which wants BGR order)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    bgr = rgb[..., [2, 1, 0, 3][: rgb.shape[2]]] if rgb.ndim == 3 else rgb
    assert cv2.imwrite(str(path), bgr)
    return path


def png_with_orientation(rgb, orientation):
    """PNG bytes of ``rgb`` (any depth) carrying an EXIF orientation chunk."""
    data = cv2.imencode(".png", rgb[..., ::-1])[1].tobytes()
    exif = Image.Exif()
    exif[0x0112] = orientation
    payload = exif.tobytes()[6:]  # a PNG eXIf chunk holds the TIFF data only
    chunk = (struct.pack(">I", len(payload)) + b"eXIf" + payload
             + struct.pack(">I", zlib.crc32(b"eXIf" + payload)))
    at = data.index(b"IDAT") - 4
    return data[:at] + chunk + data[at:]


def expected_rgb(array):
    """What color='rgb' should give for a lossless file holding ``array``."""
    if array.ndim == 2:
        return np.dstack([array] * 3)
    if array.shape[2] == 2:
        return np.dstack([array[..., 0]] * 3)
    return array[..., :3]


# --- formats -----------------------------------------------------------------

@pytest.mark.parametrize("ext", ["png", "tif"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_lossless_formats_keep_depth_and_values(tmp_path, ext, dtype, channels):
    array = random_image((5, 7, channels) if channels > 1 else (5, 7), dtype)
    path = write(tmp_path / f"im.{ext}", array)
    image = read_image(path)
    assert image.dtype == dtype
    np.testing.assert_array_equal(image, expected_rgb(array))
    assert image.flags.c_contiguous


@pytest.mark.parametrize("ext", ["png", "tif"])
def test_gray_alpha_files_drop_alpha(tmp_path, ext):
    array = random_image((5, 7, 2))
    path = tmp_path / f"im.{ext}"
    Image.fromarray(array, "LA").save(path)
    np.testing.assert_array_equal(read_image(path), expected_rgb(array))
    np.testing.assert_array_equal(read_image(path, color="gray"), array[..., 0])


def test_bmp(tmp_path):
    array = random_image((6, 5, 3))
    np.testing.assert_array_equal(read_image(write(tmp_path / "im.bmp", array)), array)


def test_jpeg_matches_opencv_decoder(tmp_path):
    array = smooth_image(24, 32)
    path = write(tmp_path / "im.jpg", array)
    reference = cv2.imread(str(path))[..., ::-1]
    assert np.abs(read_image(path).astype(int) - reference).max() <= 1


@pytest.mark.parametrize("ext", ["png", "jpg", "bmp", "tif"])
def test_pure_red_is_red_channel_first(tmp_path, ext):
    red = np.zeros((8, 8, 3), np.uint8)
    red[..., 0] = 255
    path = tmp_path / f"red.{ext}"
    Image.fromarray(red).save(path)
    image = read_image(path)
    assert image[..., 0].min() >= 250
    assert image[..., 1:].max() <= 5


def test_16_bit_rgb_to_gray(tmp_path):
    array = random_image((5, 7, 3), np.uint16)
    path = write(tmp_path / "im.png", array)
    gray = read_image(path, color="gray")
    luma = np.rint(array @ np.array([0.2125, 0.7154, 0.0721]))  # BT.709, as skimage
    assert gray.dtype == np.uint16 and gray.shape == (5, 7)
    np.testing.assert_array_equal(gray, luma)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow(tmp_path, orientation):
    array = random_image((4, 6, 3))  # not square, so rotations show in the shape
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "im.png"
    Image.fromarray(array).save(path, exif=exif)
    with Image.open(path) as im:
        reference = np.asarray(ImageOps.exif_transpose(im))
    np.testing.assert_array_equal(read_image(path), reference)


def test_exif_orientation_in_jpeg(tmp_path):
    array = smooth_image(16, 24)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, shown rotated 90 degrees clockwise
    path = tmp_path / "im.jpg"
    Image.fromarray(array).save(path, exif=exif, quality=95)
    image = read_image(path)
    assert image.shape == (24, 16, 3)
    with Image.open(path) as im:
        stored = np.asarray(im.convert("RGB"))
    np.testing.assert_array_equal(image, np.rot90(stored, -1))


def test_exif_orientation_in_16_bit_colour_png(tmp_path):
    array = random_image((4, 6, 3), np.uint16)
    path = tmp_path / "im.png"
    path.write_bytes(png_with_orientation(array, 8))
    image = read_image(path)
    assert image.dtype == np.uint16
    np.testing.assert_array_equal(image, np.rot90(array, 1))


# --- options -----------------------------------------------------------------

@pytest.fixture
def mixed_folder(tmp_path):
    write(tmp_path / "b" / "2.png", random_image((12, 10, 3)))
    write(tmp_path / "b" / "1.png", random_image((30, 40)))
    write(tmp_path / "a" / "x.tif", random_image((20, 16, 3)))
    return tmp_path


def test_mixed_sizes_and_order(mixed_folder):
    ds = load_folder(mixed_folder)
    assert isinstance(ds, ImageDataset) and len(ds) == 3
    assert ds.class_names == ["a", "b"]
    assert ds.labels.tolist() == ["a", "b", "b"]
    assert [os.path.basename(p) for p in ds.paths] == ["x.tif", "1.png", "2.png"]
    assert [im.shape for im in ds.images] == [(20, 16, 3), (30, 40, 3), (12, 10, 3)]
    assert "3 images, 2 classes" in repr(ds)


@pytest.mark.parametrize("size, shape", [(8, (8, 8)), ((9, 14), (9, 14))])
@pytest.mark.parametrize("color", ["rgb", "gray"])
def test_size_and_color(mixed_folder, size, shape, color):
    ds = load_folder(mixed_folder, size=size, color=color)
    expected = shape + (3,) if color == "rgb" else shape
    assert all(im.shape == expected for im in ds.images)


@pytest.mark.parametrize("size, interpolation", [((8, 6), cv2.INTER_AREA),
                                                 ((40, 30), cv2.INTER_LINEAR)])
def test_resize_interpolation(tmp_path, size, interpolation):
    array = random_image((20, 15, 3))
    path = write(tmp_path / "im.png", array)
    reference = cv2.resize(array, size[::-1], interpolation=interpolation)
    np.testing.assert_array_equal(read_image(path, size=size), reference)


def test_gray_file_replicated_to_rgb(tmp_path):
    array = random_image((6, 5))
    image = read_image(write(tmp_path / "im.png", array))
    assert image.shape == (6, 5, 3)
    assert all(np.array_equal(image[..., c], array) for c in range(3))


def test_threads_and_progress_bar_give_the_same_result(mixed_folder, capsys):
    serial = load_folder(mixed_folder)
    threaded = load_folder(mixed_folder, n_jobs=2, verbose=True)
    assert "Loading images" in capsys.readouterr().err
    assert threaded.paths == serial.paths
    pairs = zip(threaded.images, serial.images, strict=True)
    assert all(np.array_equal(a, b) for a, b in pairs)


# --- bad input ---------------------------------------------------------------

@pytest.fixture
def folder_with_bad_files(tmp_path, monkeypatch):
    """Two good images per class and four bad files; returns (root, bad paths)."""
    for cls in ("cat", "dog"):
        for i in range(2):
            write(tmp_path / cls / f"good{i}.png", random_image((6, 6, 3)))
    jpeg = write(tmp_path / "cat" / "full.jpg", smooth_image(32, 32)).read_bytes()
    (tmp_path / "cat" / "full.jpg").unlink()
    bad = {
        "truncated": tmp_path / "cat" / "truncated.jpg",
        "empty": tmp_path / "dog" / "empty.png",
        "text": tmp_path / "dog" / "text.png",
        "locked": tmp_path / "dog" / "locked.bmp",
    }
    bad["truncated"].write_bytes(jpeg[: len(jpeg) // 2])
    bad["empty"].write_bytes(b"")
    bad["text"].write_text("this is not an image\n")
    write(bad["locked"], random_image((6, 6, 3)))
    # Root reads everything, so chmod 000 cannot be tested; deny the read instead.
    real_read = _read._read_bytes

    def read_bytes(path):
        if path == str(bad["locked"]):
            raise PermissionError(13, "Permission denied", path)
        return real_read(path)

    monkeypatch.setattr(_read, "_read_bytes", read_bytes)
    return tmp_path, {k: str(v) for k, v in bad.items()}


def test_bad_files_are_reported_in_one_warning(folder_with_bad_files):
    root, bad = folder_with_bad_files
    with pytest.warns(ImageLoadWarning, match="4 of 8 image files") as record:
        ds = load_folder(root)
    assert len([w for w in record if w.category is ImageLoadWarning]) == 1
    message = str(record[0].message)
    for path in bad.values():
        assert path in message
    assert "truncated" in message and "empty file" in message
    assert "not a JPEG, PNG, TIFF or BMP image" in message
    assert "Permission denied" in message
    assert sorted(p for p, _ in record[0].message.failures) == sorted(bad.values())
    assert len(ds) == 4
    assert ds.labels.tolist() == ["cat", "cat", "dog", "dog"]


def test_bad_files_raise_one_error_after_trying_all(folder_with_bad_files):
    root, bad = folder_with_bad_files
    with pytest.raises(ImageLoadError, match="4 of 8 image files") as info:
        load_folder(root, on_error="raise")
    assert isinstance(info.value, ValueError)
    for path in bad.values():
        assert path in str(info.value)
    assert len(info.value.failures) == 4


def test_bad_files_ignored_silently(folder_with_bad_files):
    root, _ = folder_with_bad_files
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = load_folder(root, on_error="ignore")
    assert len(ds) == 4


def test_read_image_names_the_bad_file(folder_with_bad_files):
    _, bad = folder_with_bad_files
    with pytest.raises(ImageLoadError, match="text.png.*not a JPEG"):
        read_image(bad["text"])


def test_non_images_and_empty_classes_are_ignored_with_a_note(tmp_path, caplog):
    write(tmp_path / "a" / "1.png", random_image((4, 4, 3)))
    write(tmp_path / "a" / ".hidden.png", random_image((4, 4, 3)))
    write(tmp_path / "a" / "nested" / "2.png", random_image((4, 4, 3)))
    (tmp_path / "a" / "notes.txt").write_text("x")
    (tmp_path / "a" / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "README.md").write_text("x")
    (tmp_path / "empty_class").mkdir()
    (tmp_path / "only_text").mkdir()
    (tmp_path / "only_text" / "README").write_text("x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.INFO, logger="classical.datasets"):
            ds = load_folder(tmp_path)
    assert ds.paths == [str(tmp_path / "a" / "1.png")]
    assert ds.class_names == ["a"]
    assert len(caplog.records) == 1
    note = caplog.records[0].getMessage()
    for name in (".hidden.png", "nested", "notes.txt", ".DS_Store", "README.md",
                 "empty_class", "only_text"):
        assert name in note


@pytest.mark.parametrize("make, match", [
    (lambda root: root / "missing", "does not exist.*path/<class>/<image>"),
    (lambda root: write(root / "im.png", random_image((4, 4))), "is not a folder"),
    (lambda root: root, "No images found in .*path/<class>/<image>"),
])
def test_unusable_paths(tmp_path, make, match):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match=match):
        load_folder(make(tmp_path))


def test_folder_of_only_bad_images(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "bad.png").write_text("no")
    with pytest.warns(ImageLoadWarning, match="bad.png"):
        with pytest.raises(ValueError, match="None of the 1 image files"):
            load_folder(tmp_path)


@pytest.mark.parametrize("kwargs, match", [
    ({"color": "hsv"}, "'color' parameter of load_folder must be a str among"),
    ({"on_error": "skip"}, "'on_error' parameter of load_folder must be a str among"),
    ({"size": (0, 3)}, "size must be a positive int or 2 positive ints"),
    ({"size": (1, 2, 3)}, "size must be a positive int or 2 positive ints"),
])
def test_invalid_options(mixed_folder, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_folder(mixed_folder, **kwargs)


# --- unlabelled files -------------------------------------------------------

def test_load_images_expands_folders_in_the_order_given(mixed_folder, tmp_path):
    (mixed_folder / "b" / "notes.txt").write_text("x")
    single = write(tmp_path / "single.png", random_image((5, 5, 3)))
    ds = load_images([single, mixed_folder / "b"], size=4)
    assert ds.paths == [str(single), str(mixed_folder / "b" / "1.png"),
                        str(mixed_folder / "b" / "2.png")]
    assert ds.labels is None and ds.class_names == []
    assert all(im.shape == (4, 4, 3) for im in ds.images)
    train, test = ds.split(test_size=1, random_state=0)
    assert (len(train), len(test)) == (2, 1) and test.labels is None


def test_load_images_reports_bad_and_missing_files(tmp_path):
    good = write(tmp_path / "good.png", random_image((5, 5, 3)))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image")
    missing = tmp_path / "missing.png"
    with pytest.warns(ImageLoadWarning, match="2 of 3 image files given") as record:
        ds = load_images([broken, good, missing])
    assert str(broken) in str(record[0].message)
    assert str(missing) in str(record[0].message)
    assert ds.paths == [str(good)]
    with pytest.raises(ImageLoadError, match="broken.jpg"):
        load_images([broken, good], on_error="raise")


def test_load_images_without_images(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="No image files found in"):
        load_images([tmp_path])


# --- splitting ---------------------------------------------------------------

def test_split_is_stratified_and_matches_train_test_split():
    ds = load_sample("eurosat")
    train, test = ds.split(test_size=0.2, random_state=0)
    assert (len(train), len(test)) == (800, 200)
    assert train.class_names == test.class_names == ds.class_names
    for cls in ds.class_names:
        assert np.sum(test.labels == cls) == 20
    assert not set(train.paths) & set(test.paths)
    _, _, _, y_test = train_test_split(ds.images, ds.labels, test_size=0.2,
                                       random_state=0, stratify=ds.labels)
    np.testing.assert_array_equal(test.labels, y_test)
    again = ds.split(test_size=0.2, random_state=0)[1]
    assert again.paths == test.paths
    assert test.images[0] is ds.images[ds.paths.index(test.paths[0])]


# --- bundled sample and the shared dataset -----------------------------------

def test_eurosat_sample():
    ds = load_sample("eurosat")
    assert len(ds) == 1000
    assert ds.class_names == EUROSAT_CLASSES
    names, counts = np.unique(ds.labels, return_counts=True)
    assert names.tolist() == EUROSAT_CLASSES and set(counts) == {100}
    assert all(im.shape == (64, 64, 3) and im.dtype == np.uint8 for im in ds.images)
    assert os.path.isfile(os.path.join(sample_path("eurosat"), "README.md"))


def test_eurosat_sample_options():
    ds = load_sample("eurosat", size=32, color="gray")
    assert ds.images[0].shape == (32, 32)


def test_unknown_sample():
    with pytest.raises(ValueError, match="Unknown sample 'mnist'.*'eurosat'"):
        sample_path("mnist")
    with pytest.raises(ValueError, match="available samples are: 'eurosat'"):
        load_sample("mnist")


@pytest.mark.shared_data
def test_shared_eurosat(eurosat_dir):
    ds = load_folder(eurosat_dir, on_error="raise")
    assert len(ds) == 5000
    assert ds.class_names == EUROSAT_CLASSES
    assert set(np.unique(ds.labels, return_counts=True)[1]) == {500}


def test_subset_by_mask_and_by_index():
    from classical.datasets import load_sample

    data = load_sample("eurosat")
    water = data.subset(np.isin(data.labels, ["River", "SeaLake"]))
    assert len(water) == 200 and set(water.labels) == {"River", "SeaLake"}
    assert water.class_names == data.class_names
    picked = data.subset([5, 0])
    assert picked.paths == [data.paths[5], data.paths[0]]
    with pytest.raises(ValueError, match="one entry per image"):
        data.subset(np.ones(3, dtype=bool))


def test_raster_sample_points_to_geo():
    with pytest.raises(ValueError, match=r"raster sample.*classical\.geo\.load_sample"):
        load_sample("landsat7")
