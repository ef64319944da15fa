"""The decision modes of the `classical` command: --reject (and a RejectOption's
own confidence), the risk-coverage curve, multi-label and hierarchical models.

Every expected answer is recomputed from the saved model's own predict_proba,
confidence or predict, and every report from the library's evaluate functions
on those answers."""

import json
import re

import numpy as np
import pytest
from sklearn.linear_model import RidgeClassifier

import classical
from classical import make_pipeline, save
from classical.classifiers import RejectOption
from classical.cli import main
from classical.datasets import load_folder, load_multilabel
from classical.evaluation import evaluate, evaluate_hierarchy, evaluate_multilabel
from tests.test_cli import CLASSES, read_csv, run, sample_folder

TREE = {"Natural": ["Forest", "SeaLake"], "Built": ["Highway"]}
PNG = b"\x89PNG\r\n\x1a\n"


def fit_and_save(model, folder, path, relabel=None):
    """Fit ``model`` on ``folder`` (classes renamed by ``relabel``) and save it."""
    data = load_folder(folder)
    labels = [(relabel or {}).get(label, label) for label in data.labels]
    return save(model.fit(data.images, labels), path)


def fails(*args, match, error=ValueError):
    """The command ends on one `classical: error:` line with status 1, and with
    --debug raises the library's or the command's own exception."""
    result = run("-q", *args)
    assert result.exit_code == 1, result.stdout
    assert re.match(r"classical: error: .*" + match, result.stderr, re.S), result.stderr
    with pytest.raises(error, match=match):
        main(["--debug", *map(str, args)])


@pytest.fixture(scope="module")
def few_trees():
    """The command's presets with 20 trees per forest, so that training and
    loading their models stay quick."""
    real = classical.make_pipeline

    def make(name, **kwargs):
        pipeline = real(name, **kwargs)
        return pipeline.set_params(**{key: 20 for key in pipeline.get_params()
                                      if key.endswith("n_estimators")})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classical, "make_pipeline", make)
        yield


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """The first eight EuroSAT images of each class: the training images."""
    return sample_folder(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def held_out(tmp_path_factory):
    """Eight other EuroSAT images of each class, never trained on."""
    return sample_folder(tmp_path_factory.mktemp("held_out"), slice(8, 16))


@pytest.fixture(scope="module")
def forest_model(tiny_folder, tmp_path_factory):
    """color-rf with 25 trees: probabilities in steps of 1/25."""
    return fit_and_save(make_pipeline("color-rf", forest__n_estimators=25),
                        tiny_folder, tmp_path_factory.mktemp("m") / "forest.skops")


def class_folders(root):
    """The class sub-folders, as predict takes them (it does not recurse)."""
    return [root / name for name in CLASSES]


def split_threshold(confidence):
    """A threshold halfway between two middle distinct confidences."""
    values = np.unique(confidence)
    middle = len(values) // 2
    return float((values[middle - 1] + values[middle]) / 2)


# --- --reject on a model with probabilities --------------------------------------

def test_reject_answers_unknown_exactly_below_the_top_probability(
        forest_model, held_out, tmp_path):
    data = load_folder(held_out)
    model = classical.load(forest_model)
    proba = model.predict_proba(data.images)
    top = proba.max(axis=1)
    threshold = split_threshold(top)
    report = tmp_path / "report.json"
    result = run("-q", "evaluate", forest_model, held_out, "--reject", repr(threshold),
                 "--report", report)
    assert result.exit_code == 0, result.stderr
    answers = np.where(top < threshold, "unknown",
                       model.classes_.take(proba.argmax(axis=1)))
    expected = evaluate(data.labels, answers, labels=[*model.classes_, "unknown"],
                        unknown_label="unknown")
    saved = json.loads(report.read_text())
    assert saved == json.loads(expected.to_json())
    assert saved["rejection"]["coverage"] == pytest.approx(np.mean(top >= threshold))
    assert 0 < saved["rejection"]["coverage"] < 1
    assert "Rejection" in result.stdout


def test_predict_reject_labels_and_confidence_column(forest_model, held_out):
    data = load_folder(held_out)
    model = classical.load(forest_model)
    proba = model.predict_proba(data.images)
    threshold = split_threshold(proba.max(axis=1))
    result = run("-q", "predict", forest_model, *class_folders(held_out),
                 "--reject", repr(threshold))
    assert result.exit_code == 0, result.stderr
    header, *rows = read_csv(result.stdout)
    assert header == ["path", "label", *[f"p_{c}" for c in CLASSES], "confidence",
                      "error"]
    assert [row[0] for row in rows] == data.paths
    confidence = np.array([float(row[-2]) for row in rows])
    np.testing.assert_allclose(confidence, proba.max(axis=1), atol=5e-5)
    np.testing.assert_allclose([[float(p) for p in row[2:5]] for row in rows], proba,
                               atol=5e-5)
    expected = np.where(proba.max(axis=1) < threshold, "unknown",
                        model.classes_.take(proba.argmax(axis=1)))
    assert [row[1] for row in rows] == expected.tolist()
    assert "unknown" in expected and set(expected) != {"unknown"}


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_reject_computes_probabilities_once_per_batch(forest_model, held_out,
                                                      monkeypatch, command):
    model = classical.load(forest_model)
    forest, calls = model[-1], []
    real = forest.predict_proba  # forest.predict goes through it too
    monkeypatch.setattr(forest, "predict_proba",
                        lambda X: calls.append(len(X)) or real(X))
    monkeypatch.setattr(classical, "load", lambda path: model)
    inputs = [held_out] if command == "evaluate" else class_folders(held_out)
    result = run("-q", command, forest_model, *inputs, "--reject", "0.5")
    assert result.exit_code == 0, result.stderr
    assert calls == [24]


def test_without_reject_predict_keeps_its_columns(forest_model, held_out):
    result = run("-q", "predict", forest_model, *class_folders(held_out))
    header = read_csv(result.stdout)[0]
    assert header == ["path", "label", *[f"p_{c}" for c in CLASSES], "error"]


def test_a_class_named_unknown_gets_another_reject_label(tiny_folder, held_out,
                                                        tmp_path):
    model = fit_and_save(make_pipeline("color-rf", forest__n_estimators=25),
                         tiny_folder, tmp_path / "m.skops",
                         relabel={"SeaLake": "unknown"})
    top = classical.load(model).predict_proba(load_folder(held_out).images).max(axis=1)
    result = run("-q", "predict", model, *class_folders(held_out), "--reject", "1")
    assert result.exit_code == 0, result.stderr
    assert ("classical: warning: 'unknown' is a class of the model, so images below "
            "the threshold are answered 'unknown-2'.") in result.stderr
    labels = np.array([row[1] for row in read_csv(result.stdout)[1:]])
    assert set(labels[top < 1]) == {"unknown-2"}
    assert "unknown-2" not in labels[top == 1]


def test_risk_coverage_png_with_and_without_reject(forest_model, held_out, tmp_path):
    for extra in ([], ["--reject", "0.5"]):
        png = tmp_path / f"risk{len(extra)}.png"
        result = run("-q", "evaluate", forest_model, held_out, "--risk-coverage", png,
                     *extra)
        assert result.exit_code == 0, result.stderr
        assert png.read_bytes()[:8] == PNG


# --- a RejectOption model: its own confidence, THRESHOLD in place of its threshold --

@pytest.fixture(scope="module")
def reject_model(tiny_folder, tmp_path_factory):
    return fit_and_save(
        RejectOption(make_pipeline("color-rf", forest__n_estimators=25),
                     method="distance", threshold=0.5),
        tiny_folder, tmp_path_factory.mktemp("m") / "reject.skops")


def test_reject_option_uses_its_own_confidence(reject_model, held_out):
    data = load_folder(held_out)
    model = classical.load(reject_model)
    confidence = model.confidence(data.images)
    threshold = split_threshold(confidence)
    result = run("-q", "predict", reject_model, *class_folders(held_out),
                 "--reject", repr(threshold))
    assert result.exit_code == 0, result.stderr
    rows = read_csv(result.stdout)[1:]
    np.testing.assert_allclose([float(row[-2]) for row in rows], confidence,
                               atol=5e-5)
    expected = model.set_params(threshold=threshold).predict(data.images)
    assert [row[1] for row in rows] == expected.tolist()


def test_reject_option_is_assessed_at_its_own_threshold(reject_model, held_out,
                                                        tmp_path):
    data = load_folder(held_out)
    model = classical.load(reject_model)
    report = tmp_path / "report.json"
    assert run("-q", "evaluate", reject_model, held_out,
               "--report", report).exit_code == 0
    rejection = json.loads(report.read_text())["rejection"]
    assert rejection["coverage"] == pytest.approx(
        np.mean(model.confidence(data.images) >= model.threshold))
    assert rejection["unknown_label"] == model.unknown_label


# --- errors of --reject ----------------------------------------------------------

@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_reject_outside_zero_one_is_a_usage_error(forest_model, held_out, value):
    for command in ("evaluate", "predict"):
        result = run(command, forest_model, held_out, "--reject", value)
        assert result.exit_code == 2
        assert re.search(rf"--reject.*{re.escape(value)} is not in the range "
                         r"0(\.0)?<=x<=1(\.0)?", result.stderr, re.S), result.stderr


def test_reject_needs_probabilities(tiny_folder, held_out, tmp_path):
    pipeline = make_pipeline("color-rf")
    pipeline.steps[-1] = ("ridge", RidgeClassifier())
    model = fit_and_save(pipeline, tiny_folder, tmp_path / "svm.skops")
    match = (r"RidgeClassifier gives no class probabilities \(predict_proba\)\. "
             r"Wrap the classifier in classical\.classifiers\.RejectOption")
    fails("evaluate", model, held_out, "--reject", "0.5", match=match)
    fails("evaluate", model, held_out, "--risk-coverage", tmp_path / "r.png",
          match=match)
    fails("predict", model, *class_folders(held_out), "--reject", "0.5",
          match=match)


# --- multi-label -----------------------------------------------------------------

def write_labels(folder, path, skip=()):
    """Label sets from the class folders: trees, road, water, overlapping."""
    sets = {"Forest": ["trees"], "Highway": ["road", "trees"], "SeaLake": ["water"]}
    lines = ["image,labels"]
    for name in CLASSES:
        for k, image in enumerate(sorted((folder / name).glob("*.jpg"))):
            labels = sets[name][:1 + k % len(sets[name])]
            if name == "Forest" and k < 3:
                labels = ["trees", "water"]
            lines.append(f"{image.stem},{';'.join(sorted(set(labels) - set(skip)))}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def multilabel(tiny_folder, tmp_path_factory, few_trees):
    """A multi-label color-rf trained through the command, and its labels CSV."""
    folder = tmp_path_factory.mktemp("ml")
    labels = write_labels(tiny_folder, folder / "labels.csv")
    model = folder / "ml.skops"
    result = run("train", tiny_folder, "--pipeline", "color-rf", "--labels", labels,
                 "--model", model, "--test-size", "0.25", "--seed", "1")
    assert result.exit_code == 0, result.stderr
    return model, labels, result.stdout


def test_multilabel_train_reports_on_a_random_held_out_split(multilabel, tiny_folder):
    model_path, labels, stdout = multilabel
    assert "Training on 18 images with 3 labels" in stdout
    assert "Hamming loss" in stdout
    model = classical.load(model_path)
    assert model.class_names_ == ["road", "trees", "water"]
    assert model[-1].thresholds_.shape == (3,)


def test_multilabel_evaluate_and_predict(multilabel, tiny_folder, tmp_path):
    model_path, labels, _ = multilabel
    data = load_multilabel(tiny_folder, labels)
    model = classical.load(model_path)
    Y_pred = model.predict(data.images)
    report = tmp_path / "report.json"
    result = run("-q", "evaluate", model_path, tiny_folder, "--labels", labels,
                 "--report", report)
    assert result.exit_code == 0, result.stderr
    expected = evaluate_multilabel(data.Y, Y_pred, label_names=data.label_names)
    assert json.loads(report.read_text()) == json.loads(expected.to_json())
    assert result.stdout.strip() == expected.to_markdown().strip()
    markdown = tmp_path / "report.md"
    run("-q", "evaluate", model_path, tiny_folder, "--labels", labels,
        "--report", markdown)
    assert markdown.read_text() == expected.to_markdown()

    printed = run("-q", "predict", model_path, *data.paths)
    assert printed.exit_code == 0, printed.stderr
    header, *rows = read_csv(printed.stdout)
    assert header == ["path", "label", "p_road", "p_trees", "p_water", "error"]
    names = np.array(model.class_names_)
    assert [row[1] for row in rows] == [";".join(names[y == 1]) for y in Y_pred]
    np.testing.assert_allclose([[float(p) for p in row[2:5]] for row in rows],
                               model.predict_proba(data.images), atol=5e-5)


def test_multilabel_evaluate_aligns_a_csv_with_fewer_labels(multilabel, tiny_folder,
                                                           tmp_path):
    model_path, _, _ = multilabel
    labels = write_labels(tiny_folder, tmp_path / "no_road.csv", skip=["road"])
    report = tmp_path / "report.json"
    assert run("-q", "evaluate", model_path, tiny_folder, "--labels", labels,
               "--report", report).exit_code == 0
    data = load_multilabel(tiny_folder, labels)
    assert data.label_names == ["trees", "water"]
    Y_true = np.column_stack([np.zeros(len(data), dtype=int), data.Y])
    expected = evaluate_multilabel(Y_true, classical.load(model_path).predict(
        data.images), label_names=["road", "trees", "water"])
    assert json.loads(report.read_text()) == json.loads(expected.to_json())


def test_multilabel_errors(multilabel, forest_model, tiny_folder, tmp_path):
    model, labels, _ = multilabel
    fails("evaluate", model, tiny_folder, match="MODEL is multi-label: give the "
          "images' label sets with --labels LABELS_CSV")
    fails("evaluate", forest_model, tiny_folder, "--labels", labels,
          match="--labels is for multi-label models")
    fails("evaluate", model, tiny_folder, "--labels", labels, "--reject", "0.5",
          match="need a single-label model; this one is multi-label")
    fails("predict", model, *class_folders(tiny_folder), "--reject", "0.5",
          match="need a single-label model; this one is multi-label")
    fails("evaluate", model, tiny_folder, "--labels", labels, "--confusion",
          tmp_path / "c.png", match="--confusion needs a single-label model")
    other = tmp_path / "other.csv"
    other.write_text("image,labels\n" + "\n".join(
        f"{p.stem},sand" for p in sorted((tiny_folder / "Forest").glob("*.jpg"))))
    fails("evaluate", model, tiny_folder, "--labels", other,
          match=r"label\(s\) \['sand'\] that the model was not trained on")


# --- hierarchy -------------------------------------------------------------------

@pytest.fixture(scope="module")
def hierarchical(tiny_folder, tmp_path_factory, few_trees):
    folder = tmp_path_factory.mktemp("tree")
    tree = folder / "tree.json"
    tree.write_text(json.dumps(TREE))
    model = folder / "tree.skops"
    result = run("train", tiny_folder, "--pipeline", "color-rf", "--hierarchy", tree,
                 "--threshold", "0.8", "--model", model, "--test-size", "0.25")
    assert result.exit_code == 0, result.stderr
    return model, tree, result.stdout


def test_hierarchy_train_and_evaluate(hierarchical, held_out, tmp_path):
    model_path, _, stdout = hierarchical
    assert "Hierarchical answers (fallback below 0.8)" in stdout
    model = classical.load(model_path)
    assert model[-1].threshold == 0.8
    assert model[-1].hierarchy == TREE
    data = load_folder(held_out)
    report = tmp_path / "report.json"
    png = tmp_path / "risk.png"
    result = run("-q", "evaluate", model_path, held_out, "--report", report,
                 "--risk-coverage", png)
    assert result.exit_code == 0, result.stderr
    assert png.read_bytes()[:8] == PNG
    saved = json.loads(report.read_text())
    leaves = model.classes_.take(model.predict_proba(data.images).argmax(axis=1))
    assert saved["accuracy"] == pytest.approx(np.mean(leaves == data.labels))
    expected = evaluate_hierarchy(data.labels, model.predict(data.images), TREE)
    assert json.dumps(saved["hierarchy"], sort_keys=True) == json.dumps(
        expected.as_dict(), sort_keys=True)
    assert expected.to_markdown() in result.stdout
    assert "Answered at" in result.stdout

    printed = run("-q", "predict", model_path, *class_folders(held_out))
    rows = read_csv(printed.stdout)[1:]
    assert [row[1] for row in rows] == model.predict(data.images).tolist()


def test_hierarchy_errors(hierarchical, tiny_folder, held_out, tmp_path):
    model, tree, _ = hierarchical
    train = ("train", tiny_folder, "--pipeline", "color-rf", "--model",
             tmp_path / "m.skops", "--hierarchy")
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"Natural": ["Forest", "SeaLake"]}))
    fails(*train, missing, match=r"DATA_DIR .* has label\(s\) \['Highway'\] that are "
          "not in the hierarchy")
    broken = tmp_path / "broken.json"
    broken.write_text("{'Natural': ")
    fails(*train, broken, match="not a readable JSON file")
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps(["Forest", "SeaLake"]))
    fails(*train, listed, match="hierarchy must be a dict", error=TypeError)
    fails("evaluate", model, held_out, "--reject", "0.5",
          match="--reject does not apply to a hierarchical model")


@pytest.mark.parametrize("args, message", [
    (["--hierarchy", "TREE", "--labels", "TREE"], "cannot be combined"),
    (["--threshold", "0.5"], "--threshold is the fallback threshold of --hierarchy"),
])
def test_train_option_conflicts_are_usage_errors(hierarchical, tiny_folder, tmp_path,
                                                 args, message):
    tree = hierarchical[1]
    args = [tree if arg == "TREE" else arg for arg in args]
    result = run("train", tiny_folder, "--pipeline", "color-rf", "--model",
                 tmp_path / "m.skops", *args)
    assert result.exit_code == 2
    assert message in result.stderr
