"""d4 and RandomAugment against NumPy / SciPy / scikit-image twins, and
make_pipeline(augment=).

Each random edit is recomputed by an independent twin from the parameters
the augmenter drew (``_draw_edits`` with the same seed): rotation by SciPy's
``map_coordinates`` (bilinear, mirrored border), crop by slicing and
scikit-image's ``resize``, blur by SciPy's ``gaussian_filter``, colour
jitter and noise by their NumPy formulas.
"""

import math

import numpy as np
import pytest
from imblearn.pipeline import Pipeline as ResamplingPipeline
from scipy import ndimage
from skimage.transform import resize as skimage_resize
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import check_random_state

import classical
from classical.preprocess import RandomAugment, Resize, d4
from classical.utils.estimator_checks import check_clone_and_params

LUMA = np.array([0.299, 0.587, 0.114])


def smooth_image(shape=(20, 17, 3), dtype=np.float64):
    """A smooth image in [0.05, 0.95] whose channels and orientations all differ."""
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    channels = [
        0.5
        + 0.25 * np.sin(cols / 3.0 + k)
        + 0.2 * np.cos(rows / 4.0 + cols / (5.0 + k))
        for k in range(shape[2] if len(shape) == 3 else 1)
    ]
    image = np.dstack(channels) if len(shape) == 3 else channels[0]
    if np.issubdtype(dtype, np.integer):
        return np.rint(image * np.iinfo(dtype).max).astype(dtype)
    return image.astype(dtype)


def drawn_edits(augmenter, n_images):
    """The parameters fit_resample draws, recomputed from the same seed."""
    rng = check_random_state(augmenter.random_state)
    return [edit for edits in augmenter._draw_edits(n_images, rng) for edit in edits]


# ------------------------------------------------------------------- d4
def d4_twin(image):
    """The eight symmetries by explicit index maps, in d4's documented order."""
    H, W = image.shape[:2]
    maps = [
        ((H, W), lambda i, j: (i, j)),
        ((W, H), lambda i, j: (j, W - 1 - i)),  # quarter turn counter-clockwise
        ((H, W), lambda i, j: (H - 1 - i, W - 1 - j)),
        ((W, H), lambda i, j: (H - 1 - j, i)),
        ((H, W), lambda i, j: (i, W - 1 - j)),  # left-right mirror
        ((W, H), lambda i, j: (j, i)),  # transpose
        ((H, W), lambda i, j: (H - 1 - i, j)),  # up-down mirror
        ((W, H), lambda i, j: (H - 1 - j, W - 1 - i)),  # anti-transpose
    ]
    out = []
    for shape, source in maps:
        copy = np.empty(shape + image.shape[2:], image.dtype)
        for i in range(shape[0]):
            for j in range(shape[1]):
                copy[i, j] = image[source(i, j)]
        out.append(copy)
    return out


@pytest.mark.parametrize("shape", [(5, 7), (6, 6, 3), (4, 9, 4)])
def test_d4_matches_index_twin_and_numpy(shape):
    image = np.random.default_rng(0).integers(0, 255, shape).astype(np.uint8)
    got = d4(image)
    numpy_twin = [np.rot90(image, k) for k in range(4)] + [
        np.rot90(np.flip(image, 1), k) for k in range(4)
    ]
    for copy, expected, by_numpy in zip(got, d4_twin(image), numpy_twin):
        assert copy.dtype == image.dtype and copy.flags.c_contiguous
        np.testing.assert_array_equal(copy, expected)
        np.testing.assert_array_equal(copy, by_numpy)
    np.testing.assert_array_equal(got[6], np.flip(image, 0))
    np.testing.assert_array_equal(got[5], np.swapaxes(image, 0, 1))


def test_d4_is_the_group_of_the_square():
    image = np.random.default_rng(1).random((5, 5))
    copies = d4(image)
    keys = [copy.tobytes() for copy in copies]
    assert len(set(keys)) == 8  # a generic image has 8 distinct symmetries
    for copy in copies:  # closed under composition, and each has an inverse
        assert {c.tobytes() for c in d4(copy)} == set(keys)
    assert keys[0] == image.tobytes()


def test_d4_errors():
    with pytest.raises(ValueError, match=r"image must have shape \(H, W\)"):
        d4(np.zeros(5))


# ------------------------------------------------------- random edits vs twins
def test_rotation_matches_scipy_twin():
    image = smooth_image()
    augmenter = RandomAugment(rotation=30.0, n_copies=3, random_state=0)
    copies, _ = augmenter.fit_resample([image], [0])
    H, W = image.shape[:2]
    rows, cols = np.mgrid[0:H, 0:W].astype(np.float64)
    dy, dx = rows - (H - 1) / 2, cols - (W - 1) / 2
    for copy, edit in zip(copies[1:], drawn_edits(augmenter, 1)):
        assert edit.angle != 0 and abs(edit.angle) <= 30
        c, s = math.cos(math.radians(edit.angle)), math.sin(math.radians(edit.angle))
        src_rows = (H - 1) / 2 + s * dx + c * dy
        src_cols = (W - 1) / 2 + c * dx - s * dy
        twin = np.dstack(
            [
                ndimage.map_coordinates(
                    image[..., k], [src_rows, src_cols], order=1, mode="mirror"
                )
                for k in range(3)
            ]
        )
        # OpenCV rounds interpolation weights to 1/32 pixel: ~2e-3 here
        np.testing.assert_allclose(copy, np.clip(twin, 0, 1), atol=5e-3)


def test_crop_matches_slicing_and_skimage_resize():
    image = smooth_image()
    augmenter = RandomAugment(crop=0.4, n_copies=4, random_state=3)
    copies, _ = augmenter.fit_resample([image], [0])
    H, W = image.shape[:2]
    for copy, edit in zip(copies[1:], drawn_edits(augmenter, 1)):
        rows, cols = round((1 - edit.crop) * H), round((1 - edit.crop) * W)
        top, left = (
            round(edit.crop_top * (H - rows)),
            round(edit.crop_left * (W - cols)),
        )
        patch = image[top : top + rows, left : left + cols]
        twin = skimage_resize(patch, (H, W), order=1, mode="edge", anti_aliasing=False)
        assert copy.shape == image.shape
        np.testing.assert_allclose(copy, twin, atol=1e-12)


def test_blur_matches_scipy_gaussian_filter():
    image = smooth_image()
    augmenter = RandomAugment(blur=2.0, n_copies=3, random_state=1)
    copies, _ = augmenter.fit_resample([image], [0])
    for copy, edit in zip(copies[1:], drawn_edits(augmenter, 1)):
        radius = math.ceil(3 * edit.blur)
        twin = ndimage.gaussian_filter(
            image, (edit.blur, edit.blur, 0), mode="mirror", radius=(radius, radius, 0)
        )
        np.testing.assert_allclose(copy, twin, atol=1e-12)


def jitter_twin(image, edit):
    """Brightness, contrast then saturation by their formulas, on float64."""
    out = image.astype(np.float64) * edit.brightness
    luma = out @ LUMA
    out = luma.mean() + (out - luma.mean()) * edit.contrast
    luma = (out @ LUMA)[..., None]
    return luma + (out - luma) * edit.saturation


@pytest.mark.parametrize("dtype", [np.float64, np.uint8])
def test_colour_jitter_matches_numpy_twin(dtype):
    image = smooth_image(dtype=dtype)
    augmenter = RandomAugment(
        brightness=0.4, contrast=0.5, saturation=0.6, n_copies=4, random_state=2
    )
    copies, _ = augmenter.fit_resample(image[None], [0])
    top = 1.0 if dtype == np.float64 else 255.0
    for copy, edit in zip(copies[1:], drawn_edits(augmenter, 1)):
        twin = np.clip(jitter_twin(image, edit), 0, top)
        assert copy.dtype == dtype
        if dtype == np.uint8:  # float32 work then rounding: one grey level
            assert np.abs(copy.astype(float) - twin).max() <= 1.0
        else:
            np.testing.assert_allclose(copy, twin, atol=1e-12)


def test_noise_matches_numpy_twin_and_has_its_scale():
    image = np.full((64, 64, 3), 0.5)
    augmenter = RandomAugment(noise=0.05, n_copies=2, random_state=4)
    copies, _ = augmenter.fit_resample([image], [0])
    for copy, edit in zip(copies[1:], drawn_edits(augmenter, 1)):
        field = np.random.default_rng(edit.noise_seed).standard_normal(image.shape)
        np.testing.assert_allclose(
            copy, np.clip(image + 0.05 * field, 0, 1), atol=1e-12
        )
        assert abs(np.std(copy - image) - 0.05) < 0.005


def test_flips_and_d4_copies_are_exact_symmetries_without_repeats():
    images = [smooth_image(), smooth_image((8, 8, 3))]
    copies, y = RandomAugment(d4=True, n_copies=7, random_state=0).fit_resample(
        images, [0, 1]
    )
    assert y.tolist() == [0, 1] + [0] * 7 + [1] * 7
    for index, image in enumerate(images):
        mine = {
            c.tobytes() for c in [copies[index], *copies[2 + 7 * index : 9 + 7 * index]]
        }
        assert mine == {c.tobytes() for c in d4(image)}  # all eight, once each
    copies, _ = RandomAugment(
        hflip=True, vflip=True, n_copies=3, random_state=0
    ).fit_resample(images[:1], [0])
    flips = [
        images[0],
        np.flip(images[0], 1),
        np.flip(images[0], 0),
        np.flip(images[0], (0, 1)),
    ]
    assert {c.tobytes() for c in copies} == {f.tobytes() for f in flips}
    copies, _ = RandomAugment(
        hflip=True, n_copies=3, keep_original=False, random_state=0
    ).fit_resample(images[:1], [0])
    assert {c.tobytes() for c in copies} == {
        images[0].tobytes(),
        np.flip(images[0], 1).tobytes(),
    }


def test_alpha_channel_is_not_edited():
    image = smooth_image((12, 12, 4))
    copies, _ = RandomAugment(
        brightness=0.5, saturation=0.5, noise=0.1, n_copies=2, random_state=0
    ).fit_resample([image], [0])
    for copy in copies:
        np.testing.assert_array_equal(copy[..., 3], image[..., 3])
    assert not np.array_equal(copies[1][..., :3], image[..., :3])


# ------------------------------------------------------- determinism, dtypes
ALL_EDITS = dict(
    d4=True,
    rotation=15,
    crop=0.2,
    brightness=0.3,
    contrast=0.3,
    saturation=0.3,
    noise=0.03,
    blur=1.0,
)


def test_deterministic_and_independent_of_n_jobs():
    images = [smooth_image(), smooth_image((16, 16, 3))] * 40  # several batches
    y = np.arange(len(images))
    one, _ = RandomAugment(**ALL_EDITS, n_copies=2, random_state=7).fit_resample(
        images, y
    )
    two, _ = RandomAugment(
        **ALL_EDITS, n_copies=2, random_state=7, n_jobs=2
    ).fit_resample(images, y)
    other, _ = RandomAugment(**ALL_EDITS, n_copies=2, random_state=8).fit_resample(
        images, y
    )
    assert len(one) == len(two) == 3 * len(images)
    assert all(np.array_equal(a, b) for a, b in zip(one, two))
    assert not all(np.array_equal(a, b) for a, b in zip(one, other))
    augmenter = RandomAugment(**ALL_EDITS)
    np.testing.assert_array_equal(
        augmenter.augment(images[0], 3), augmenter.augment(images[0], 3)
    )


def test_switching_an_edit_on_keeps_the_other_draws():
    rotation_only = drawn_edits(
        RandomAugment(rotation=10, random_state=0, n_copies=3), 4
    )
    with_colour = drawn_edits(
        RandomAugment(rotation=10, brightness=0.2, random_state=0, n_copies=3), 4
    )
    assert [e.angle for e in rotation_only] == [e.angle for e in with_colour]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(16, 16), (16, 16, 3)])
def test_dtype_and_range_kept(dtype, shape):
    image = smooth_image(shape, dtype=dtype)
    copies, _ = RandomAugment(**ALL_EDITS, n_copies=4, random_state=0).fit_resample(
        [image], [0]
    )
    top = np.iinfo(dtype).max if np.issubdtype(dtype, np.integer) else 1.0
    for copy in copies:
        assert copy.dtype == dtype and copy.shape == image.shape
        assert copy.min() >= 0 and copy.max() <= top
    assert not np.array_equal(copies[1], image)


def test_bool_image_stays_bool():
    image = smooth_image((16, 16)) > 0.5
    copy = RandomAugment(rotation=20).augment(image, 0)
    assert copy.dtype == np.bool_ and copy.shape == image.shape


# ----------------------------------------------------------- fit_resample
@pytest.mark.parametrize(
    "n_copies, keep", [(0, True), (1, True), (3, False), (2, True)]
)
def test_fit_resample_counts_and_labels(n_copies, keep):
    images = np.stack([smooth_image((8, 8, 3))] * 5)
    y = np.array(["a", "b", "a", "c", "b"])
    X_res, y_res = RandomAugment(
        brightness=0.1, n_copies=n_copies, keep_original=keep, random_state=0
    ).fit_resample(images, y)
    assert isinstance(X_res, np.ndarray)
    assert X_res.shape == (5 * (n_copies + keep), 8, 8, 3)
    expected = (list(y) if keep else []) + list(np.repeat(y, n_copies))
    assert y_res.tolist() == expected
    if keep:
        np.testing.assert_array_equal(X_res[:5], images)


def test_fit_resample_takes_ragged_lists_and_indicator_labels():
    images = [smooth_image((10, 14, 3)), smooth_image((20, 9, 3))]
    Y = np.array([[1, 0], [0, 1]])
    X_res, Y_res = RandomAugment(d4=True, n_copies=3, random_state=0).fit_resample(
        images, Y
    )
    assert isinstance(X_res, list) and len(X_res) == 8
    assert {c.shape[:2] for c in X_res[2:5]} <= {(10, 14), (14, 10)}
    np.testing.assert_array_equal(Y_res, np.vstack([Y, np.repeat(Y, 3, axis=0)]))
    # a stacked non-square batch turned by quarter turns comes back as a list
    stacked, _ = RandomAugment(d4=True, n_copies=7, random_state=0).fit_resample(
        np.stack([images[0]] * 2), [0, 1]
    )
    assert isinstance(stacked, list) and len(stacked) == 16


def test_runs_in_fit_only_inside_an_imblearn_pipeline():
    rng = np.random.default_rng(0)
    images = [rng.random((8 + i % 3, 8, 3)) for i in range(12)]  # ragged
    y = np.arange(12) % 2
    model = ResamplingPipeline(
        [
            ("augment", RandomAugment(hflip=True, n_copies=2, random_state=0)),
            ("resize", Resize(size=(8, 8))),
            ("flat", FunctionTransformer(lambda X: np.asarray(X).reshape(len(X), -1))),
            ("knn", KNeighborsClassifier(n_neighbors=1)),
        ]
    ).fit(images, y)
    assert model.named_steps["knn"].n_samples_fit_ == 36  # 12 originals + 24 copies
    assert model.predict(images).shape == (12,)
    np.testing.assert_array_equal(model.predict(images), y)  # originals were kept


def test_estimator_contract():
    check_clone_and_params(RandomAugment(**ALL_EDITS, random_state=0), None, None)
    assert not hasattr(RandomAugment(), "transform")  # imblearn: sampler, not both


def test_errors():
    image = smooth_image((8, 8))
    with pytest.raises(ValueError, match="n_copies=0 and keep_original=False"):
        RandomAugment(n_copies=0, keep_original=False).fit_resample([image], [0])
    with pytest.raises(
        ValueError, match=r"one label per image \(2 images\); got shape \(3,\)"
    ):
        RandomAugment().fit_resample([image, image], [0, 1, 2])
    with pytest.raises(ValueError, match="one label per image .* got None"):
        RandomAugment().fit_resample([image], None)
    with pytest.raises(ValueError, match="'rotation' parameter of RandomAugment"):
        RandomAugment(rotation=200).fit_resample([image], [0])
    with pytest.raises(ValueError, match="'crop' parameter of RandomAugment"):
        RandomAugment(crop=1.0).augment(image)
    with pytest.raises(TypeError, match=r"X\[0\] must be a numeric array"):
        RandomAugment().fit_resample([np.array([["a"]])], [0])


# ---------------------------------------------------- make_pipeline(augment=)
@pytest.mark.parametrize("augment, n_copies, group", [("d4", 7, 8), ("flips", 3, 4)])
def test_make_pipeline_named_augmenters(augment, n_copies, group):
    pipe = classical.make_pipeline("color-rf", augment=augment, n_jobs=2, verbose=True)
    assert isinstance(pipe, ResamplingPipeline)
    names = [name for name, _ in pipe.steps]
    assert names == ["augment", "features", "forest"]
    augmenter = pipe.named_steps["augment"]
    assert augmenter.n_copies == n_copies and len(augmenter._group()) == group
    assert augmenter.random_state == 0 and augmenter.n_jobs == 2 and augmenter.verbose


def test_make_pipeline_augment_composes_with_resample_and_params():
    mine = RandomAugment(rotation=10, n_copies=2)
    pipe = classical.make_pipeline(
        "lbp-knn",
        augment=mine,
        resample="under",
        augment__random_state=3,
        knn__n_neighbors=3,
    )
    assert [name for name, _ in pipe.steps] == [
        "augment",
        "lbp",
        "sqrt",
        "resample",
        "knn",
    ]
    assert pipe.named_steps["augment"] is mine and mine.random_state == 3
    images = np.stack([smooth_image((16, 16, 3), np.uint8)] * 6)
    images[3:] //= 2
    pipe.fit(images, [0, 0, 0, 1, 1, 1])
    assert pipe.predict(images).tolist() == [0, 0, 0, 1, 1, 1]


def test_make_pipeline_augment_errors():
    with pytest.raises(
        ValueError, match="Unknown augment 'rot'. Choose one of 'd4', 'flips'"
    ):
        classical.make_pipeline("color-rf", augment="rot")
    with pytest.raises(TypeError, match="augment must be None, .* got RandomAugment"):
        classical.make_pipeline("color-rf", augment=RandomAugment)
    with pytest.raises(TypeError, match="augment must be None, .* got int"):
        classical.make_pipeline("color-rf", augment=3)
    with pytest.raises(
        ValueError, match="the 'pixel-svm' preset classifies pixel rows"
    ):
        classical.make_pipeline("pixel-svm", augment="d4")


@pytest.mark.parametrize(
    "options",
    [
        dict(augment="flips"),
        dict(resample="over"),
        dict(augment="d4", resample="under"),
    ],
)
def test_nested_preset_pipeline_is_spliced_for_imblearn(options):
    # imblearn's Pipeline refuses a pipeline step such as hog-svm's 'features'
    pipe = classical.make_pipeline("hog-svm", hog__orientations=6, **options)
    names = [name for name, _ in pipe.steps]
    assert names[names.index("resize") : names.index("scale")] == [
        "resize",
        "gray",
        "hog",
    ]
    assert pipe.named_steps["hog"].orientations == 6
    images = np.stack([smooth_image((24, 24, 3), np.uint8)] * 10)
    images[5:, :12] //= 3
    pipe.fit(images, [0] * 5 + [1] * 5)
    assert pipe.predict(images).shape == (10,)
