"""Multi-label: load_multilabel, evaluate_multilabel, MultiLabelClassifier and
make_pipeline(..., multilabel=True), against scikit-learn and independent parses."""

import csv
import json

import numpy as np
import pytest
from PIL import Image
from sklearn import metrics
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import ClassifierChain

import classical
from classical.classifiers import MultiLabelClassifier
from classical.classifiers._multilabel import best_f1_threshold
from classical.datasets import (
    ImageLoadError,
    ImageLoadWarning,
    MultiLabelDataset,
    load_multilabel,
)
from classical.evaluation import evaluate_multilabel

from .conftest import shared_dataset

try:
    from sklearn_compat.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover - older sklearn-compat
    from sklearn.utils.estimator_checks import parametrize_with_checks


# ------------------------------------------------------------------ loading
def _write_image(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((8, 8, 3), value, dtype=np.uint8)).save(path)


def _write_csv(path, rows, header=("image", "labels")):
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def image_root(tmp_path):
    root = tmp_path / "images"
    _write_image(root / "beach" / "beach01.png", 10)
    _write_image(root / "beach" / "beach02.png", 20)
    _write_image(root / "harbor" / "deep" / "harbor01.tif", 30)
    _write_image(root / "forest01.jpg", 40)
    (root / "notes.txt").write_text("not an image")
    return root


def test_load_multilabel_stems_and_relative_paths(image_root, tmp_path):
    labels = _write_csv(tmp_path / "labels.csv", [
        ("harbor01", "ship;sea;dock"),
        ("beach/beach01.png", "sand;sea"),
        ("beach/beach02", " sand ;;sand"),
        ("forest01", ""),
    ])
    data = load_multilabel(image_root, labels)
    assert isinstance(data, MultiLabelDataset) and len(data) == 4
    assert data.label_names == ["dock", "sand", "sea", "ship"]
    assert data.label_sets == [("dock", "sea", "ship"), ("sand", "sea"), ("sand",), ()]
    assert [p.rsplit("/", 1)[-1] for p in data.paths] == [
        "harbor01.tif", "beach01.png", "beach02.png", "forest01.jpg"]
    expected = np.array([[1, 0, 1, 1], [0, 1, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(data.Y, expected)
    assert [int(image[0, 0, 0]) for image in data.images] == [30, 10, 20, 40]
    part = data.subset([2, 0])
    assert part.label_names == data.label_names
    np.testing.assert_array_equal(part.Y, expected[[2, 0]])


def test_load_multilabel_missing_and_corrupt_images(image_root, tmp_path):
    (image_root / "beach" / "broken.png").write_bytes(b"not a png")
    labels = _write_csv(tmp_path / "labels.csv", [
        ("beach01", "sand"), ("nowhere07", "sea"), ("broken", "ship")])
    missing = r"(?s)2 of 3 image files .*nowhere07: FileNotFoundError"
    with pytest.warns(ImageLoadWarning, match=missing):
        data = load_multilabel(image_root, labels)
    assert data.label_sets == [("sand",)]
    assert data.label_names == ["sand", "sea", "ship"]  # every label of the CSV
    with pytest.raises(ImageLoadError, match=r"broken\.png") as info:
        load_multilabel(image_root, labels, on_error="raise")
    assert len(info.value.failures) == 2


@pytest.mark.parametrize("rows, header, match", [
    ([("beach01", "sand")], ("file", "labels"), r"lacks the column\(s\) \['image'\]"),
    ([("beach01", "sand"), ("beach01", "sea")], ("image", "labels"),
     r"more than once: beach01"),
    ([("beach01", "sand"), ("beach/beach01", "sea")], ("image", "labels"),
     r"names some files in more than one row"),
    ([(" ", "sand")], ("image", "labels"), r"line 2: the 'image' cell is empty"),
    ([], ("image", "labels"), r"lists no images"),
])
def test_load_multilabel_bad_csv(image_root, tmp_path, rows, header, match):
    labels = _write_csv(tmp_path / "labels.csv", rows, header)
    with pytest.raises(ValueError, match=match):
        load_multilabel(image_root, labels)


def test_load_multilabel_ambiguous_stem_and_bad_root(image_root, tmp_path):
    _write_image(image_root / "other" / "beach01.png", 50)
    labels = _write_csv(tmp_path / "labels.csv", [("beach01", "sand")])
    with pytest.raises(ValueError, match=r"'beach01' .* matches 2 files .* relative"):
        load_multilabel(image_root, labels)
    with pytest.raises(ValueError, match=r"image_root .* is not a folder"):
        load_multilabel(tmp_path / "absent", labels)


def test_load_multilabel_ucmerced():
    root = shared_dataset("ucmerced")
    folder = shared_dataset("ucmerced_multilabel")
    data = load_multilabel(root, folder / "labels.csv", size=8)
    # an independent parse of the authors' original table
    lines = (folder / "multilabels" / "LandUse_Multilabeled.txt").read_text().split()
    header_end = lines.index("water") + 1
    names = lines[1:header_end]
    table = np.array(lines[header_end:]).reshape(-1, len(names) + 1)
    assert len(data) == len(table) == 2100
    assert data.label_names == sorted(names)
    order = np.argsort(names)
    np.testing.assert_array_equal(data.Y, table[:, 1:].astype(int)[:, order])
    assert [p.rsplit("/", 1)[-1].split(".")[0] for p in data.paths] == list(table[:, 0])


# --------------------------------------------------------------- evaluation
def _random_pair(seed, n=60, k=6):
    rng = np.random.default_rng(seed)
    Y_true = (rng.random((n, k)) < 0.4).astype(int)
    Y_pred = np.where(rng.random((n, k)) < 0.3, 1 - Y_true, Y_true)
    Y_true[:3] = 0  # samples without labels, predicted with and without
    Y_pred[1:3] = 0
    Y_true[:, -1] = 0  # a label never in the reference
    return Y_true, Y_pred


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_evaluate_multilabel_matches_sklearn(seed):
    Y_true, Y_pred = _random_pair(seed)
    report = evaluate_multilabel(Y_true, Y_pred)
    assert report.subset_accuracy == pytest.approx(
        metrics.accuracy_score(Y_true, Y_pred))
    assert report.hamming_loss == pytest.approx(metrics.hamming_loss(Y_true, Y_pred))
    for average in ("micro", "macro", "samples"):
        expected = metrics.precision_recall_fscore_support(
            Y_true, Y_pred, average=average, zero_division=0)[:3]
        got = [getattr(report, f"{average}_{s}") for s in ("precision", "recall", "f1")]
        np.testing.assert_allclose(got, expected)
    per_label = metrics.precision_recall_fscore_support(Y_true, Y_pred, zero_division=0)
    for got, expected in zip((report.precision, report.recall, report.f1,
                              report.support), per_label, strict=True):
        np.testing.assert_allclose(got, expected)


def test_multilabel_report_json_and_markdown(tmp_path):
    Y_true, Y_pred = _random_pair(3, k=3)
    report = evaluate_multilabel(Y_true.astype(bool), Y_pred,
                                 label_names=["sea", "sand", "a|b"])
    loaded = json.loads(report.to_json())
    assert loaded["samples"]["f1"] == pytest.approx(report.samples_f1)
    assert loaded["per_label"]["sand"]["support"] == int(Y_true[:, 1].sum())
    assert loaded["hamming_loss"] == pytest.approx(report.hamming_loss)
    report.to_json(tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text()) == loaded
    text = report.to_markdown(digits=3)
    assert f"| Samples | {report.samples_precision:.3f} |" in text
    assert "| a\\|b |" in text
    assert f"| Hamming loss | {report.hamming_loss:.3f} |" in text


@pytest.mark.parametrize("args, kwargs, match", [
    ((np.zeros(4), np.zeros(4)), {}, r"Y_true must be an indicator matrix"),
    ((np.zeros((4, 2)), np.full((4, 2), 0.7)), {}, r"Y_pred must hold only 0 and 1"),
    ((np.zeros((4, 2)), np.zeros((5, 2))), {},
     r"same shape; got \(4, 2\) and \(5, 2\)"),
    ((np.zeros((4, 2)), np.zeros((4, 2))), {"label_names": ["a", "a"]},
     r"name each of the 2 columns once"),
])
def test_evaluate_multilabel_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        evaluate_multilabel(*args, **kwargs)


# ------------------------------------------------------------- thresholds
@pytest.mark.parametrize("seed", range(5))
def test_best_f1_threshold_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(40) < 0.3
    scores = np.round(rng.random(40) + 0.5 * y, 1)  # ties on purpose
    threshold = best_f1_threshold(y, scores)
    best = max(metrics.f1_score(y, scores >= t) for t in np.unique(scores))
    assert metrics.f1_score(y, scores >= threshold) == pytest.approx(best)
    assert threshold not in scores  # a midpoint, robust to small shifts


def test_best_f1_threshold_without_positives():
    scores = np.array([0.1, 0.9, 0.4])
    assert not (scores >= best_f1_threshold([0, 0, 0], scores)).any()


# -------------------------------------------------------------- classifier
@pytest.fixture
def multilabel_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 0] > 0.5, X[:, 2] > 1.0,
                         X[:, 3] + 0.5 * rng.normal(size=120) > 0]).astype(int)
    return X, Y


@pytest.mark.parametrize("method, peer", [("one-vs-rest", OneVsRestClassifier),
                                          ("chain", ClassifierChain)])
def test_multilabel_classifier_composes_sklearn(multilabel_data, method, peer):
    X, Y = multilabel_data
    model = MultiLabelClassifier(LogisticRegression(), method=method,
                                 threshold=0.3).fit(X, Y)
    reference = peer(LogisticRegression()).fit(X, Y)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X))
    np.testing.assert_array_equal(model.predict(X), reference.predict_proba(X) >= 0.3)
    np.testing.assert_array_equal(model.classes_, np.arange(4))
    assert model.n_features_in_ == 5


def test_multilabel_classifier_tuned_thresholds(multilabel_data):
    X, Y = multilabel_data
    model = MultiLabelClassifier(LogisticRegression(), threshold="tune", cv=4,
                                 random_state=0).fit(X, Y)
    # the same folds by hand: out-of-fold probabilities, best F1 per label
    scores = np.empty(Y.shape)
    from sklearn.model_selection import KFold
    for train, test in KFold(4, shuffle=True, random_state=0).split(X):
        fold = OneVsRestClassifier(LogisticRegression()).fit(X[train], Y[train])
        scores[test] = fold.predict_proba(X[test])
    for j in range(Y.shape[1]):
        assert model.thresholds_[j] == pytest.approx(best_f1_threshold(Y[:, j],
                                                                       scores[:, j]))


def test_multilabel_classifier_per_label_threshold_and_at_least_one(multilabel_data):
    X, Y = multilabel_data
    model = MultiLabelClassifier(LogisticRegression(), threshold=[1, 1, 1, 0.5],
                                 at_least_one=True).fit(X, Y)
    proba = model.predict_proba(X)
    predicted = model.predict(X)
    assert (predicted.sum(axis=1) >= 1).all()
    alone = proba[:, 3] < 0.5
    np.testing.assert_array_equal(
        predicted[alone].argmax(axis=1), (proba[alone] - [1, 1, 1, 0.5]).argmax(axis=1))


@pytest.mark.parametrize("params, Y, match", [
    ({}, np.array([0, 1] * 5), r"Y must be an indicator matrix .* type 'binary'"),
    ({}, np.column_stack([np.arange(10) % 2, np.zeros(10)]),
     r"the column\(s\) \[1\] of Y hold a single value"),
    ({"threshold": [0.5, 0.5, 0.5]}, None, r"one per label \(2 values in \[0, 1\]\)"),
    ({"threshold": [0.5, 1.5]}, None, r"threshold must be 'tune'"),
    ({"threshold": 1.5}, None, r"'threshold' parameter of MultiLabelClassifier"),
    ({"method": "pairs"}, None, r"'method' parameter of MultiLabelClassifier"),
])
def test_multilabel_classifier_errors(params, Y, match):
    X = np.arange(20.0).reshape(10, 2)
    if Y is None:
        Y = np.column_stack([np.arange(10) % 2, np.arange(10) >= 5]).astype(int)
    with pytest.raises(ValueError, match=match):
        MultiLabelClassifier(LogisticRegression(), **params).fit(X, Y)


_ONE_D_TARGET = ("the check fits a 1-D target; MultiLabelClassifier takes an indicator "
                 "matrix Y only (tested here with matrices)")
_DELEGATED = ("X goes to the wrapped estimator unvalidated (a preset's step may take "
              "images); the wrapped estimator validates it")
EXPECTED_FAILED_CHECKS = {
    **dict.fromkeys([
        "check_classifier_data_not_an_array",
        "check_classifier_not_supporting_multiclass",
        "check_classifiers_classes", "check_classifiers_train", "check_dict_unchanged",
        "check_dont_overwrite_parameters", "check_dtype_object",
        "check_estimators_dtypes", "check_estimators_empty_data_messages",
        "check_estimators_fit_returns_self", "check_estimators_overwrite_params",
        "check_estimators_pickle", "check_f_contiguous_array_estimator",
        "check_fit2d_1feature", "check_fit2d_1sample", "check_fit2d_predict1d",
        "check_fit_check_is_fitted", "check_fit_idempotent", "check_fit_score_takes_y",
        "check_methods_sample_order_invariance", "check_methods_subset_invariance",
        "check_n_features_in", "check_n_features_in_after_fitting",
        "check_pipeline_consistency", "check_positive_only_tag_during_fit",
        "check_readonly_memmap_input"], _ONE_D_TARGET),
    **dict.fromkeys([
        "check_estimator_sparse_array", "check_estimator_sparse_matrix",
        "check_estimator_sparse_tag", "check_estimators_nan_inf"], _DELEGATED),
}


@parametrize_with_checks([MultiLabelClassifier(LogisticRegression())],
                         expected_failed_checks=lambda _: EXPECTED_FAILED_CHECKS)
def test_sklearn_checks(estimator, check):
    check(estimator)


# ------------------------------------------------------------------ preset
def _scenes(n=40, seed=0):
    """Images whose two labels are a red square and a bright background."""
    rng = np.random.default_rng(seed)
    Y = np.column_stack([np.arange(n) % 2, (np.arange(n) // 2) % 2]).astype(int)
    images = []
    for red, bright in Y:
        image = rng.integers(0, 60, size=(32, 32, 3)).astype(np.uint8)
        image += np.uint8(120 * bright)
        if red:
            image[8:24, 8:24] = (250, 20, 20)
        images.append(image)
    return images, Y


def test_make_pipeline_multilabel_fits_and_saves(tmp_path):
    pipeline = classical.make_pipeline("global-svm", multilabel=True,
                                       svm__estimator__estimator__C=1.0)
    step, final = pipeline.steps[-1]
    assert step == "svm" and isinstance(final, MultiLabelClassifier)
    assert isinstance(final.estimator, CalibratedClassifierCV)
    assert final.threshold == "tune"
    images, Y = _scenes()
    pipeline.fit(images, Y)
    assert pipeline[-1].thresholds_.shape == (2,)
    predicted = pipeline.predict(images)
    assert predicted.shape == Y.shape
    assert evaluate_multilabel(Y, predicted).subset_accuracy > 0.9
    classical.save(pipeline, tmp_path / "model.skops")
    loaded = classical.load(tmp_path / "model.skops")
    np.testing.assert_array_equal(loaded.predict_proba(images),
                                  pipeline.predict_proba(images))


def test_make_pipeline_multilabel_default_is_unchanged():
    assert not isinstance(classical.make_pipeline("hog-svm").steps[-1][1],
                          MultiLabelClassifier)
    with pytest.raises(TypeError, match="multilabel must be True or False"):
        classical.make_pipeline("hog-svm", multilabel="yes")
