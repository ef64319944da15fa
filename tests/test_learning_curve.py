"""learning_curve_per_class and plot_learning_curves against a loop-by-loop twin."""

import matplotlib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score
from sklearn.neighbors import KNeighborsClassifier, NearestCentroid

from classical.evaluation import learning_curve_per_class, plot_learning_curves

matplotlib.use("Agg")


def naive_curve(make_model, X, y, X_test, y_test, sizes, n_draws, seed, metric):
    """The draws written out: {images per class: [score of each draw fitted]}."""
    rng = np.random.RandomState(seed)
    classes = sorted(set(y.tolist()))
    orders = []
    for _ in range(n_draws):
        orders.append({c: rng.permutation([i for i in range(len(y)) if y[i] == c])
                       for c in classes})
    largest = max(int(np.sum(y == c)) for c in classes)
    scores = {}
    for size in sorted({min(s, largest) for s in sizes}):
        draws = 1 if size >= largest else n_draws
        scores[size] = []
        for draw in range(draws):
            rows = sorted(i for c in classes for i in orders[draw][c][:size])
            model = make_model().fit(X[rows], y[rows])
            scores[size].append(metric(y_test, model.predict(X_test)))
    return scores


def blobs(seed, counts=(12, 9, 15), n_test=20, spread=2.5):
    """Three overlapping Gaussian classes with unequal training counts."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [2.0, 1.0], [0.5, 2.5]])
    y = np.repeat(np.array(["a", "b", "c"]), counts)
    X = centres[np.searchsorted(["a", "b", "c"], y)] + spread * rng.normal(size=(
        len(y), 2))
    y_test = np.repeat(np.array(["a", "b", "c"]), n_test)
    X_test = centres[np.searchsorted(["a", "b", "c"], y_test)] + spread * rng.normal(
        size=(len(y_test), 2))
    return X, y, X_test, y_test


class Recorder(ClassifierMixin, BaseEstimator):
    """Remembers the rows (first feature = position) it was fitted on."""

    fits = []

    def fit(self, X, y):
        Recorder.fits.append((np.asarray(X)[:, 0].astype(int).tolist(), list(y)))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class NeedsTwoPerClass(ClassifierMixin, BaseEstimator):
    """Fails like a 5-fold calibration does when a class has too few images."""

    def fit(self, X, y):
        if np.min(np.unique(y, return_counts=True)[1]) < 2:
            raise ValueError("need at least 2 images per class")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


# NearestCentroid divides by n_samples - n_classes, 0 at one image a class.
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")
@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("make_model,scoring,metric", [
    (NearestCentroid, "accuracy", accuracy_score),
    (lambda: KNeighborsClassifier(n_neighbors=1), "kappa", cohen_kappa_score),
    (lambda: LogisticRegression(C=0.5), accuracy_score, accuracy_score),
])
def test_learning_curve_matches_the_twin(seed, make_model, scoring, metric):
    X, y, X_test, y_test = blobs(seed)
    sizes, n_draws = (1, 3, 9, 40), 4
    curve = learning_curve_per_class(make_model(), X, y, X_test, y_test, sizes=sizes,
                                     n_draws=n_draws, scoring=scoring,
                                     random_state=seed)
    expected = naive_curve(make_model, X, y, X_test, y_test, sizes, n_draws, seed,
                           metric)
    assert curve["sizes"].tolist() == list(expected) == [1, 3, 9, 15]
    assert curve["n_train"].tolist() == [3, 9, 9 + 9 + 9, 12 + 9 + 15]
    assert curve["n_draws"].tolist() == [4, 4, 4, 1]
    for i, scores in enumerate(expected.values()):
        np.testing.assert_allclose(curve["scores"][i, :len(scores)], scores)
        assert np.isnan(curve["scores"][i, len(scores):]).all()
        assert curve["mean"][i] == pytest.approx(np.mean(scores))
        spread = np.std(scores, ddof=1) if len(scores) > 1 else 0.0
        assert curve["std"][i] == pytest.approx(spread)
    assert np.isfinite(curve["fit_seconds"][:, 0]).all()


def test_draws_are_nested_per_class_and_sorted():
    X, y, X_test, y_test = blobs(3)
    X = np.column_stack([np.arange(len(y)), X])  # first feature: the row's position
    X_test = np.column_stack([np.zeros(len(y_test)), X_test])
    Recorder.fits = []
    learning_curve_per_class(Recorder(), X, y, X_test, y_test, sizes=(2, 5),
                             n_draws=3, random_state=0)
    # fits in order: size 2 draws 0, 1, 2, then size 5 draws 0, 1, 2
    assert len(Recorder.fits) == 6
    for draw in range(3):
        small, large = Recorder.fits[draw][0], Recorder.fits[3 + draw][0]
        assert small == sorted(small) and set(small) < set(large)
        for label in "abc":
            assert [y[i] for i in small].count(label) == 2
            assert [y[i] for i in large].count(label) == 5
    assert len({tuple(rows) for rows, _ in Recorder.fits[:3]}) == 3  # draws differ


def test_learning_curve_takes_a_list_of_images_of_several_sizes():
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, size=(8 + i % 3, 9, 3), dtype=np.uint8)
              for i in range(12)]
    y = np.array([0, 1] * 6)
    for image, label in zip(images, y):
        image[...] = image // 4 + 150 * label  # class 1 is brighter

    class MeanBrightness(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            means = np.array([np.mean(image) for image in X])
            self.classes_ = np.unique(y)
            self.threshold_ = np.mean([means[y == c].mean() for c in self.classes_])
            return self

        def predict(self, X):
            return (np.array([np.mean(image) for image in X]) > self.threshold_) * 1

    curve = learning_curve_per_class(MeanBrightness(), images, y, images, y,
                                     sizes=(1, 3), n_draws=2, random_state=0)
    assert curve["scores"].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_error_score_records_a_failed_size_and_warns():
    X, y, X_test, y_test = blobs(0)
    with pytest.warns(FitFailedWarning, match=r"1 images per class, draw \d.*need at "
                                              "least 2 images per class"):
        curve = learning_curve_per_class(NeedsTwoPerClass(), X, y, X_test, y_test,
                                         sizes=(1, 2), n_draws=2, error_score=np.nan)
    assert np.isnan(curve["scores"][0]).all() and np.isfinite(curve["scores"][1]).all()
    with pytest.raises(ValueError, match="need at least 2 images per class"):
        learning_curve_per_class(NeedsTwoPerClass(), X, y, X_test, y_test, sizes=(1,))


@pytest.mark.parametrize("sizes", [(0, 5), (1.5, 2), [[1, 2]], (), ("a",)])
def test_bad_sizes_raise(sizes):
    X, y, X_test, y_test = blobs(0)
    with pytest.raises(ValueError, match="sizes must be a non-empty 1-D sequence of "
                                         "ints >= 1"):
        learning_curve_per_class(NearestCentroid(), X, y, X_test, y_test, sizes=sizes)


def test_length_mismatch_and_empty_sets_raise():
    X, y, X_test, y_test = blobs(0)
    with pytest.raises(ValueError, match="X_train and y_train must have the same "
                                         "length; got 36 images and 35 labels"):
        learning_curve_per_class(NearestCentroid(), X, y[:-1], X_test, y_test)
    with pytest.raises(ValueError, match="X_test and y_test must have the same"):
        learning_curve_per_class(NearestCentroid(), X, y, X_test[:3], y_test)
    with pytest.raises(ValueError, match="X_test is empty"):
        learning_curve_per_class(NearestCentroid(), X, y, X_test[:0], y_test[:0])
    with pytest.raises(ValueError, match="y_train must be a 1-D array of labels"):
        learning_curve_per_class(NearestCentroid(), X, y[:, None], X_test, y_test)


@pytest.mark.parametrize("params,match", [
    ({"n_draws": 0}, "'n_draws' parameter of learning_curve_per_class must be"),
    ({"scoring": "f1"}, "'scoring' parameter of learning_curve_per_class must be"),
    ({"error_score": "ignore"}, "'error_score' parameter"),
])
def test_bad_parameters_raise(params, match):
    X, y, X_test, y_test = blobs(0)
    with pytest.raises(ValueError, match=match):
        learning_curve_per_class(NearestCentroid(), X, y, X_test, y_test, **params)


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")
def test_plot_learning_curves_draws_the_means_and_bands():
    X, y, X_test, y_test = blobs(0)
    curves = {name: learning_curve_per_class(model, X, y, X_test, y_test,
                                             sizes=(1, 3, 9), n_draws=3,
                                             random_state=0)
              for name, model in [("centroid", NearestCentroid()),
                                  ("1-NN", KNeighborsClassifier(n_neighbors=1))]}
    ax = plot_learning_curves(curves)
    assert [line.get_label() for line in ax.get_lines()] == ["centroid", "1-NN"]
    for line, curve in zip(ax.get_lines(), curves.values()):
        np.testing.assert_allclose(line.get_ydata(), curve["mean"])
        np.testing.assert_allclose(line.get_xdata(), [1, 3, 9])
    assert len(ax.collections) == 2  # one band per curve
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "3", "9"]
    assert ax.get_ylabel() == "accuracy" and ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["centroid", "1-NN"]
    single = plot_learning_curves(curves["1-NN"], band=False)
    assert len(single.get_lines()) == 1 and not single.collections
    assert single.get_legend() is None


@pytest.mark.parametrize("curves,match", [
    ({}, "curves must be a learning_curve_per_class result or a non-empty dict"),
    ([1, 2], "curves must be a learning_curve_per_class result"),
    ({"x": {"sizes": [1]}}, r"curves\['x'\] is not a learning_curve_per_class"),
])
def test_plot_learning_curves_rejects_other_input(curves, match):
    with pytest.raises(ValueError, match=match):
        plot_learning_curves(curves)
