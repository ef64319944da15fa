"""ClassSizePCA and the pixel presets, on real pixels where the data is present."""

import numpy as np
import pytest
from scipy import io
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

import classical
from classical.classifiers import GaussianMLClassifier
from classical.geo import ClassSizePCA, NeighbourhoodFeatures, SpectralIndices
from classical.geo._spatial import spatial_parts

try:
    from sklearn_compat.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover - older sklearn-compat
    from sklearn.utils.estimator_checks import parametrize_with_checks

ROW_PRESETS = ("pixel-mlc", "pixel-svm", "pixel-rf")


@pytest.fixture
def salinas_split(salinas_dir):
    """Salinas-A labelled pixels: 5% of each class (rounded) for training, seed 0."""
    cube = io.loadmat(salinas_dir / "SalinasA.mat")["salinasA"].astype(np.float64)
    truth = io.loadmat(salinas_dir / "SalinasA_gt.mat")["salinasA_gt"]
    X, y = cube[truth > 0], truth[truth > 0]
    rng = np.random.default_rng(0)
    train = np.zeros(len(y), bool)
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        train[rng.permutation(members)[:round(0.05 * len(members))]] = True
    return X[train], X[~train], y[train], y[~train]


@pytest.fixture
def statlog(statlog_dir):
    data = np.load(statlog_dir / "statlog_landsat.npz")
    return data["X_train"], data["X_test"], data["y_train"], data["y_test"]


@parametrize_with_checks([ClassSizePCA(), ClassSizePCA(n_components=0.9, whiten=True),
                          ClassSizePCA(standardize=True, whiten=True)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ---- ClassSizePCA ----------------------------------------------------------------

@pytest.mark.parametrize("whiten", [False, True])
def test_standardize_equals_scaler_then_pca(whiten):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 5)) * [1, 10, 100, 1e3, 1e4] + [0, 5, 50, 500, 5e3]
    X[:, 2] = 7.0  # constant: centred, not scaled
    y = np.arange(300) % 3
    # 4 components: the 5th has no variance (the constant column)
    ours = ClassSizePCA(n_components=4, standardize=True, whiten=whiten).fit(X, y)
    peer = make_pipeline(StandardScaler(),
                         PCA(n_components=ours.n_components_, whiten=whiten,
                             svd_solver="full")).fit(X)
    np.testing.assert_allclose(ours.transform(X), peer.transform(X), atol=1e-9)


@pytest.mark.parametrize("per_component, expected",
                         [(1, 19), (2, 9), (4.5, 4), (100, 1)])
def test_components_capped_by_the_smallest_class(per_component, expected):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 50))
    y = np.repeat([0, 1, 2], [20, 50, 50])
    reducer = ClassSizePCA(samples_per_component=per_component).fit(X, y)
    assert reducer.n_components_ == reducer.max_components_ == expected
    peer = PCA(n_components=expected, svd_solver="full").fit(X)
    np.testing.assert_allclose(np.abs(reducer.transform(X)), np.abs(peer.transform(X)),
                               atol=1e-10)


def test_requested_components_below_the_cap_and_variance_fraction():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 30)) * np.linspace(10, 0.1, 30)
    y = np.repeat([0, 1], 100)
    assert ClassSizePCA(n_components=3).fit(X, y).n_components_ == 3
    wanted = PCA(n_components=0.95, svd_solver="full").fit(X).n_components_
    assert ClassSizePCA(n_components=0.95).fit(X, y).n_components_ == wanted
    capped = ClassSizePCA(n_components=0.9999, samples_per_component=20).fit(X, y)
    assert capped.n_components_ == capped.max_components_ == 4
    assert ClassSizePCA().fit(X).max_components_ == min(199 // 2, 30)


@pytest.mark.parametrize("params, match", [
    ({"samples_per_component": 0.5}, "'samples_per_component' parameter"),
    ({"n_components": 0}, "'n_components' parameter"),
])
def test_class_size_pca_parameter_errors(params, match):
    with pytest.raises(ValueError, match=match):
        ClassSizePCA(**params).fit(np.ones((10, 3)), np.arange(10) % 2)


# ---- the presets, any band count -------------------------------------------------

@pytest.mark.parametrize("name", ROW_PRESETS)
@pytest.mark.parametrize("n_bands", [4, 224])
def test_row_presets_take_any_band_count(name, n_bands):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 20)
    X = rng.normal(size=(60, n_bands)) + 3.0 * y[:, None]
    model = classical.make_pipeline(name).fit(X, y)
    assert model.score(X, y) > 0.9
    assert spatial_parts(model)[0] is None


def test_pixel_presets_are_listed_and_texture_rf_is_spatial():
    presets = classical.list_pipelines()
    assert {*ROW_PRESETS, "pixel-texture-rf"} <= set(presets)
    spatial, rest, halo = spatial_parts(classical.make_pipeline("pixel-texture-rf"))
    assert isinstance(spatial, NeighbourhoodFeatures) and halo == 2
    assert isinstance(rest[0], SpectralIndices)


def test_pixel_mlc_exposes_the_reject_option():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (50, 4)), rng.normal(5, 1, (50, 4))])
    y = np.repeat(["soil", "water"], 50)
    model = classical.make_pipeline("pixel-mlc", mlc__reject_threshold=0.001,
                                    mlc__unknown_label="unknown").fit(X, y)
    assert model.predict([[0, 0, 0, 0], [5, 5, 5, 5], [60, -60, 60, -60]]).tolist() == [
        "soil", "water", "unknown"]


def test_pixel_texture_rf_learns_from_an_image():
    """Spatial: two classes with the same pixel values, in wide stripes or at random."""
    rng = np.random.default_rng(0)
    stripes = (np.arange(40) // 4 % 2).astype(float)[None, :].repeat(40, axis=0)
    scattered = (rng.random((40, 40)) > 0.5).astype(float)
    bright = np.concatenate([stripes[:, :20], scattered[:, 20:]], axis=1)
    image = np.stack([0.2 + 0.6 * bright] * 3, axis=2)
    image += rng.normal(0, 0.01, image.shape)
    labels = np.repeat([[1] * 20 + [2] * 20], 40, axis=0)
    keep = np.zeros((40, 40), bool)
    keep[:, :17] = keep[:, 23:] = True  # away from the seam between the classes
    train, test = keep & (np.indices((40, 40)).sum(0) % 2 == 0), keep & (
        np.indices((40, 40)).sum(0) % 2 == 1)
    model = classical.make_pipeline("pixel-texture-rf")
    features = model[0].fit(image).transform(image)
    model[1:].fit(features[train], labels[train])
    bands_only = classical.make_pipeline("pixel-rf").fit(image[train], labels[train])
    assert model[1:].score(features[test], labels[test]) > 0.95
    assert bands_only.score(image[test], labels[test]) < 0.7


# ---- real data -------------------------------------------------------------------

@pytest.mark.shared_data
def test_salinas_raw_ml_is_singular_where_pixel_mlc_is_fine(salinas_split):
    """224 bands, 20 training pixels in the smallest class: plain ML cannot fit."""
    X_train, X_test, y_train, y_test = salinas_split
    assert min(np.unique(y_train, return_counts=True)[1]) == 20
    with pytest.raises(ValueError, match="singular"):
        GaussianMLClassifier(reg_param=0.0).fit(X_train, y_train)
    with pytest.raises(np.linalg.LinAlgError, match="not full rank"):
        QuadraticDiscriminantAnalysis().fit(X_train, y_train)
    model = classical.make_pipeline("pixel-mlc").fit(X_train, y_train)
    assert model.named_steps["pca"].n_components_ <= 19
    assert accuracy_score(y_test, model.predict(X_test)) > 0.95


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ROW_PRESETS)
def test_row_presets_on_salinas(salinas_split, name):
    X_train, X_test, y_train, y_test = salinas_split
    model = classical.make_pipeline(name).fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.9


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ROW_PRESETS)
def test_row_presets_on_statlog(statlog, name):
    X_train, X_test, y_train, y_test = statlog
    X_train, _, y_train, _ = train_test_split(X_train, y_train, train_size=1500,
                                              stratify=y_train, random_state=0)
    model = classical.make_pipeline(name).fit(X_train, y_train)
    # Statlog's QDA ("Quadisc"): 0.845 (Michie et al. 1994)
    assert model.score(X_test, y_test) > 0.82
