"""The `classical` command, run in-process through its `main` entry point."""

import csv
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from classical.cli import main
from classical.datasets import sample_path


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """Three classes of eight real EuroSAT images each."""
    root = tmp_path_factory.mktemp("tiny")
    source = sample_path("eurosat")
    for name in ("Forest", "Highway", "SeaLake"):
        (root / name).mkdir()
        for path in sorted((source / name).glob("*.jpg"))[:8]:
            shutil.copy(path, root / name / path.name)
    return root


@pytest.fixture(scope="module")
def trained_model(tiny_folder, tmp_path_factory):
    model = tmp_path_factory.mktemp("model") / "model.skops"
    status = main(["--quiet", "train", str(tiny_folder), "--pipeline", "color-rf",
                   "--model", str(model), "--test-size", "0.25"])
    assert status == 0
    return model


def test_pipelines_lists_presets(capsys):
    assert main(["pipelines"]) == 0
    assert "global-svm" in capsys.readouterr().out


def test_train_prints_report_and_writes_model(tiny_folder, tmp_path, capsys):
    model = tmp_path / "m.skops"
    status = main(["train", str(tiny_folder), "--pipeline", "hog-svm",
                   "--model", str(model), "--seed", "1"])
    assert status == 0
    assert model.stat().st_size > 0
    assert "accuracy" in capsys.readouterr().out.lower()


def test_evaluate_writes_reports(trained_model, tiny_folder, tmp_path, capsys):
    report = tmp_path / "report.json"
    confusion = tmp_path / "confusion.png"
    status = main(["--quiet", "evaluate", str(trained_model), str(tiny_folder),
                   "--report", str(report), "--confusion", str(confusion)])
    assert status == 0
    result = json.loads(report.read_text())
    assert 0.0 <= result["accuracy"] <= 1.0
    assert result["n_samples"] == 24
    assert confusion.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_predict_expands_folders_and_skips_bad_files(trained_model, tiny_folder,
                                                     tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    good = tmp_path / "good.png"
    Image.fromarray(np.full((64, 64, 3), 90, np.uint8)).save(good)
    output = tmp_path / "predictions.csv"
    with pytest.warns(UserWarning, match="broken.jpg"):
        status = main(["--quiet", "predict", str(trained_model),
                       str(tiny_folder / "Forest"), str(tmp_path / "broken.jpg"),
                       str(good), "--output", str(output)])
    assert status == 0
    rows = list(csv.DictReader(output.open()))
    assert len(rows) == 9
    assert {"path", "label", "p_Forest", "p_Highway", "p_SeaLake"} <= set(rows[0])
    for row in rows:
        probabilities = [float(row[f"p_{c}"]) for c in ("Forest", "Highway", "SeaLake")]
        assert abs(sum(probabilities) - 1) < 1e-3


def test_failure_is_one_line_and_status_1(tmp_path, capsys):
    bogus = tmp_path / "bogus.skops"
    bogus.write_bytes(b"garbage")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["evaluate", str(bogus), str(empty)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1
    assert "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path):
    bogus = tmp_path / "bogus.skops"
    bogus.write_bytes(b"garbage")
    with pytest.raises(ValueError):
        main(["--debug", "predict", str(bogus), str(bogus)])


def test_usage_error_is_status_2(capsys):
    assert main(["train"]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["train", "/definitely/not/here", "--pipeline", "hog-svm",
                 "--model", "m"]) == 2


def test_unknown_pipeline_is_a_one_line_error(tiny_folder, tmp_path, capsys):
    assert main(["train", str(tiny_folder), "--pipeline", "nope",
                 "--model", str(tmp_path / "m")]) == 1
    assert "Unknown pipeline 'nope'" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_writes_all_outputs(tmp_path):
    assert main(["--quiet", "demo", "--output", str(tmp_path)]) == 0
    for name in ("model.skops", "report.md", "report.json", "confusion.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert json.loads((tmp_path / "report.json").read_text())["accuracy"] > 0.7
