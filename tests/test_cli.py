"""The `classical` command, run in-process (click's CliRunner, and `main` for the
exit statuses the installed script returns), on the bundled EuroSAT sample."""

import csv
import io
import json
import shutil
import warnings
import weakref

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline

import classical
import classical.datasets
from classical import make_pipeline, save
from classical.cli import _configure, _Context, cli, main
from classical.datasets import list_image_files, load_folder, read_image, sample_path
from classical.descriptors import HOGExtractor
from classical.preprocess import Grayscale

CLASSES = ["Forest", "Highway", "SeaLake"]


def run(*args):
    """Invoke the command as a user would; stdout and stderr kept apart."""
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, [str(a) for a in args])


def read_csv(text):
    return list(csv.reader(io.StringIO(text)))


def sample_folder(root, images=slice(0, 8)):
    """Copy the EuroSAT sample's ``images`` (a slice of the sorted files) of
    each of CLASSES into a folder per class under ``root``."""
    source = sample_path("eurosat")
    for name in CLASSES:
        (root / name).mkdir()
        for path in sorted((source / name).glob("*.jpg"))[images]:
            shutil.copy(path, root / name / path.name)
    return root


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """Three classes of eight real EuroSAT images each."""
    return sample_folder(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def trained_model(tiny_folder, tmp_path_factory):
    model = tmp_path_factory.mktemp("model") / "model.skops"
    status = main(["--quiet", "train", str(tiny_folder), "--pipeline", "color-rf",
                   "--model", str(model), "--test-size", "0.25"])
    assert status == 0
    return model


@pytest.fixture
def empty_and_good(tiny_folder, tmp_path):
    """An empty .jpg and a real one, in that order."""
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    good = tmp_path / "good.jpg"
    shutil.copy(sorted((tiny_folder / "Forest").glob("*.jpg"))[0], good)
    return empty, good


def test_pipelines_lists_presets():
    result = run("pipelines")
    assert result.exit_code == 0
    assert "global-svm" in result.stdout


def test_train_prints_report_and_writes_model(tiny_folder, tmp_path):
    model = tmp_path / "m.skops"
    result = run("train", tiny_folder, "--pipeline", "hog-svm", "--model", model,
                 "--seed", "1")
    assert result.exit_code == 0, result.stderr
    assert model.stat().st_size > 0
    assert "accuracy" in result.stdout.lower()


def test_evaluate_writes_reports(trained_model, tiny_folder, tmp_path):
    report = tmp_path / "report.json"
    confusion = tmp_path / "confusion.png"
    result = run("--quiet", "evaluate", trained_model, tiny_folder,
                 "--report", report, "--confusion", confusion)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # --quiet: no bars
    saved = json.loads(report.read_text())
    assert 0.0 <= saved["accuracy"] <= 1.0
    assert saved["n_samples"] == 24
    assert confusion.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_matches_the_models_own_predictions(trained_model, tiny_folder,
                                                     tmp_path):
    report = tmp_path / "report.json"
    assert run("-q", "evaluate", trained_model, tiny_folder,
               "--report", report).exit_code == 0
    data = load_folder(tiny_folder)
    expected = np.mean(classical.load(trained_model).predict(data.images)
                       == data.labels)
    assert json.loads(report.read_text())["accuracy"] == pytest.approx(expected)


# --- predict: one row per input -------------------------------------------------

def test_predict_gives_every_input_a_row(trained_model, empty_and_good, tmp_path):
    empty, good = empty_and_good
    output = tmp_path / "p.csv"
    result = run("-q", "predict", trained_model, empty, good, "--output", output)
    assert result.exit_code == 0, result.stderr
    header, *rows = read_csv(output.read_text())
    assert header == ["path", "label", *[f"p_{c}" for c in CLASSES], "error"]
    assert [row[0] for row in rows] == [str(empty), str(good)]
    assert rows[0][1:-1] == ["", "", "", ""]
    assert "empty file" in rows[0][-1]
    assert rows[1][-1] == ""
    model = classical.load(trained_model)
    image = read_image(good)
    assert rows[1][1] == model.predict([image])[0]
    np.testing.assert_allclose([float(p) for p in rows[1][2:5]],
                               model.predict_proba([image])[0], atol=5e-5)
    assert "classical: warning: 1 of 2 files could not be classified" in result.stderr
    assert str(output) in result.stderr


def test_predict_without_output_prints_the_same_csv(trained_model, empty_and_good,
                                                    tmp_path):
    empty, good = empty_and_good
    output = tmp_path / "p.csv"
    printed = run("-q", "predict", trained_model, empty, good)
    assert printed.exit_code == 0
    run("-q", "predict", trained_model, empty, good, "--output", output)
    assert read_csv(printed.stdout) == read_csv(output.read_text())


def test_predict_fails_only_when_no_input_is_read(trained_model, tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("not an image")
    output = tmp_path / "p.csv"
    result = run("predict", trained_model, tmp_path / "empty.jpg",
                 tmp_path / "text.jpg", "--output", output)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        f"classical: error: none of the 2 files could be classified; the error "
        f"column of {output} gives the reason for each.")
    rows = read_csv(output.read_text())[1:]
    assert [row[1] for row in rows] == ["", ""]
    assert all(row[-1] for row in rows)
    assert main(["-q", "predict", str(trained_model), str(tmp_path / "text.jpg")]) == 1


def test_predict_rows_follow_the_inputs_with_folders_sorted(trained_model,
                                                            tiny_folder):
    good = sorted((tiny_folder / "SeaLake").glob("*.jpg"))[-1]
    inputs = [good, tiny_folder / "Highway", tiny_folder / "Forest"]
    result = run("-q", "predict", trained_model, *inputs, "--batch-size", "5")
    assert result.exit_code == 0
    rows = read_csv(result.stdout)[1:]
    assert [row[0] for row in rows] == list_image_files(inputs)
    assert [row[0] for row in rows][1:9] == sorted(str(p) for p in
                                                  (tiny_folder / "Highway").iterdir())


def test_an_image_the_model_rejects_gets_an_error_not_the_batch(tiny_folder,
                                                                tmp_path):
    """HOG without a resize step fits 64x64 images; a 32x32 one gives other
    features, so only its row carries the error."""
    data = load_folder(tiny_folder)
    model = Pipeline([("gray", Grayscale()),
                      ("hog", HOGExtractor(pixels_per_cell=(16, 16))),
                      ("forest", RandomForestClassifier(n_estimators=10,
                                                        random_state=0))])
    path = save(model.fit(data.images, data.labels), tmp_path / "hog.skops")
    small = tmp_path / "small.png"
    Image.fromarray(data.images[0][:32, :32]).save(small)
    result = run("-q", "predict", path, data.paths[0], small, data.paths[-1])
    assert result.exit_code == 0, result.stderr
    rows = read_csv(result.stdout)[1:]
    assert [row[1] for row in rows] == [
        model.predict([data.images[0]])[0], "", model.predict([data.images[-1]])[0]]
    assert "HOGExtractor was fitted on images" in rows[1][-1]
    assert rows[0][-1] == rows[2][-1] == ""


def test_a_pipeline_that_resamples_in_fit_predicts_through_the_command(tiny_folder,
                                                                      tmp_path):
    """The resample step of an imbalanced-learn pipeline has no transform."""
    data = load_folder(tiny_folder)
    model = make_pipeline("color-rf", resample="over", forest__n_estimators=10)
    path = save(model.fit(data.images, data.labels), tmp_path / "over.skops")
    result = run("-q", "predict", path, *[tiny_folder / name for name in CLASSES])
    assert result.exit_code == 0, result.stderr
    rows = read_csv(result.stdout)[1:]
    assert [row[1] for row in rows] == model.predict(data.images).tolist()
    np.testing.assert_allclose([[float(p) for p in row[2:5]] for row in rows],
                               model.predict_proba(data.images), atol=5e-5)


@pytest.mark.parametrize("option", [["--class-weight", "balanced"],
                                    ["--resample", "under"]])
def test_train_passes_the_imbalance_options_to_the_preset(tiny_folder, tmp_path,
                                                          option):
    path = tmp_path / "m.skops"
    result = run("-q", "train", tiny_folder, "--pipeline", "color-rf", "--model", path,
                 "--test-size", "0", *option)
    assert result.exit_code == 0, result.stderr
    model = classical.load(path)
    if option[0] == "--class-weight":
        assert model[-1].class_weight == "balanced"
    else:
        assert type(model.named_steps["resample"]).__name__ == "RandomUnderSampler"


def test_train_with_augmentation_and_tta_predicts_the_averaged_copies(tiny_folder,
                                                                     tmp_path):
    path = tmp_path / "m.skops"
    result = run("-q", "train", tiny_folder, "--pipeline", "color-rf", "--model", path,
                 "--test-size", "0", "--augment", "flips", "--tta", "flips")
    assert result.exit_code == 0, result.stderr
    model = classical.load(path)
    assert type(model).__name__ == "TestTimeAugmentation"
    assert model.estimator_.named_steps["augment"].d4 is False
    data = load_folder(tiny_folder)
    result = run("-q", "predict", path, *[tiny_folder / name for name in CLASSES])
    assert result.exit_code == 0, result.stderr
    rows = read_csv(result.stdout)[1:]
    np.testing.assert_allclose([[float(p) for p in row[2:5]] for row in rows],
                               model.predict_proba(data.images), atol=5e-5)


def test_train_tta_with_a_hierarchy_is_a_usage_error(tiny_folder, tmp_path):
    tree = tmp_path / "tree.json"
    tree.write_text(json.dumps({"Land": ["Forest", "Highway"], "Water": ["SeaLake"]}))
    result = run("-q", "train", tiny_folder, "--pipeline", "color-rf", "--model",
                 tmp_path / "m.skops", "--tta", "d4", "--hierarchy", tree)
    assert result.exit_code == 2
    assert "--tta and --hierarchy cannot be combined" in result.stderr


def test_train_class_weight_on_a_knn_preset_names_the_fix(tiny_folder, tmp_path):
    result = run("-q", "train", tiny_folder, "--pipeline", "lbp-knn", "--model",
                 tmp_path / "m.skops", "--class-weight", "balanced")
    assert result.exit_code == 1
    assert "resample" in result.stderr and "classical: error:" in result.stderr


# --- predict: streaming ------------------------------------------------------------

def test_predict_streams_its_inputs_in_batches(trained_model, tiny_folder, tmp_path,
                                               monkeypatch):
    """At most one batch of images is alive at once, and each batch's rows are
    in the file before the next batch is read."""
    alive, peak, lines_seen = [0], [0], []
    output = tmp_path / "p.csv"

    def released():
        alive[0] -= 1

    def counting_reader(path, **kwargs):
        image = read_image(path, **kwargs)
        alive[0] += 1
        peak[0] = max(peak[0], alive[0])
        weakref.finalize(image, released)
        lines_seen.append(len(output.read_text().splitlines()))
        return image

    monkeypatch.setattr(classical.datasets, "read_image", counting_reader)
    result = run("-q", "-j", "2", "predict", trained_model, tiny_folder / "Forest",
                 tiny_folder / "Highway", tiny_folder / "SeaLake",
                 "--batch-size", "5", "--output", output)
    assert result.exit_code == 0, result.stderr
    assert len(lines_seen) == 24
    assert 1 < peak[0] <= 5
    # while batch k (files 5k..5k+4) was read, the file held the header and 5k rows
    assert sorted(set(lines_seen)) == [1, 6, 11, 16, 21]
    assert lines_seen == sorted(lines_seen)


def test_batch_size_must_be_positive(trained_model, tiny_folder):
    result = run("predict", trained_model, tiny_folder, "--batch-size", "0")
    assert result.exit_code == 2
    assert "--batch-size" in result.stderr


# --- warnings and errors as the command's own messages ------------------------------

def _assert_clean(stderr):
    for python_only in ("warnings.warn", "Warning:", ".py:", "on_error=", "Traceback"):
        assert python_only not in stderr


@pytest.fixture
def folder_with_empty_file(tiny_folder, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(tiny_folder, root)
    (root / "Forest" / "empty.jpg").write_bytes(b"")
    return root


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_unreadable_files_are_a_clean_warning(command, folder_with_empty_file,
                                              trained_model, tmp_path):
    args = (["train", folder_with_empty_file, "--pipeline", "color-rf", "--model",
             tmp_path / "m.skops"] if command == "train"
            else ["evaluate", trained_model, folder_with_empty_file])
    result = run("-q", *args)
    assert result.exit_code == 0, result.stderr
    empty = folder_with_empty_file / "Forest" / "empty.jpg"
    assert result.stderr == (
        "classical: warning: 1 image file could not be read and was skipped:\n"
        f"  {empty}: ValueError: empty file (0 bytes)\n"
        "Use --on-error ignore to skip such files silently, or --on-error raise "
        "to stop on them.\n")
    _assert_clean(result.stderr)
    assert run("-q", *args, "--on-error", "ignore").stderr == ""


def test_on_error_raise_is_a_clean_error(folder_with_empty_file, trained_model):
    result = run("-q", "evaluate", trained_model, folder_with_empty_file,
                 "--on-error", "raise")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "classical: error: 1 image file could not be read:\n")
    assert result.stderr.endswith(
        "Fix or remove it, or use --on-error warn to skip it.\n")
    _assert_clean(result.stderr)


def test_other_warnings_are_printed_once_without_source_line(trained_model, tmp_path,
                                                             monkeypatch,
                                                             empty_and_good):
    real_load = classical.load

    def load_with_warnings(path):
        for _ in range(3):
            warnings.warn("this model was saved by an older version", UserWarning,
                          stacklevel=2)
        warnings.warn("lbfgs failed to converge", ConvergenceWarning, stacklevel=2)
        return real_load(path)

    monkeypatch.setattr(classical, "load", load_with_warnings)
    result = run("-q", "predict", trained_model, empty_and_good[1])
    assert result.exit_code == 0
    assert result.stderr == (
        "classical: warning: this model was saved by an older version\n"
        "classical: warning: ConvergenceWarning: lbfgs failed to converge\n")


def test_failure_is_one_line_and_status_1(tmp_path):
    bogus = tmp_path / "bogus.skops"
    bogus.write_bytes(b"garbage")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("evaluate", bogus, empty)
    assert result.exit_code == 1
    assert result.stderr.startswith("classical: error:")
    assert result.stderr.count("\n") == 1
    _assert_clean(result.stderr)
    assert main(["evaluate", str(bogus), str(empty)]) == 1


def test_debug_shows_the_traceback(tmp_path):
    bogus = tmp_path / "bogus.skops"
    bogus.write_bytes(b"garbage")
    with pytest.raises(ValueError):
        main(["--debug", "predict", str(bogus), str(bogus)])


def test_usage_error_is_status_2():
    assert main(["train"]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["train", "/definitely/not/here", "--pipeline", "hog-svm",
                 "--model", "m"]) == 2


def test_unknown_pipeline_is_a_one_line_error(tiny_folder, tmp_path):
    result = run("train", tiny_folder, "--pipeline", "nope", "--model",
                 tmp_path / "m")
    assert result.exit_code == 1
    assert "Unknown pipeline 'nope'" in result.stderr


# --- progress bars -------------------------------------------------------------------

def test_predict_draws_one_bar_and_quiet_hides_it(trained_model, tiny_folder):
    result = run("predict", trained_model, tiny_folder / "Forest", "--batch-size", "3")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Predicting: 100%") >= 1
    assert "8/8" in result.stderr
    assert "Extractor" not in result.stderr  # no bar per descriptor and batch
    assert run("-q", "predict", trained_model, tiny_folder / "Forest").stderr == ""


def test_only_outermost_library_steps_draw_bars():
    """The extractor inside phow-svm's encoder would redraw a bar per batch."""
    model = _configure(_Context(quiet=False, debug=False, n_jobs=1),
                       make_pipeline("phow-svm", verbose=True), progress=True)
    params = model.get_params()
    assert params["pyramid__verbose"] is True
    assert params["pyramid__extractor__verbose"] is False
    quiet = _configure(_Context(quiet=True, debug=False, n_jobs=1),
                       make_pipeline("phow-svm", verbose=True), progress=True)
    assert quiet.get_params()["pyramid__verbose"] is False


@pytest.mark.slow
def test_demo_writes_all_outputs(tmp_path):
    result = run("--quiet", "demo", "--output", tmp_path)
    assert result.exit_code == 0, result.stderr
    _assert_clean(result.stderr)
    for name in ("model.skops", "report.md", "report.json", "confusion.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert json.loads((tmp_path / "report.json").read_text())["accuracy"] > 0.7
