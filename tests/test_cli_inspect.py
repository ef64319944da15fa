"""`classical inspect` and its report, on a folder of real EuroSAT images with
planted problems (an exact copy, a copy under another class, a zero-byte file).

The command's JSON is compared with :func:`classical.datasets.inspect` run on
the same folder, its clean list with the rule recomputed here from that JSON,
and the planted problems with where they were planted.
"""

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from classical.datasets import (
    inspect,
    inspect_markdown,
    read_image,
    save_inspect_report,
)
from classical.datasets._inspect_report import (
    _GAP,
    _LINE,
    _TILE,
    MAX_FILES,
    MAX_MEMBERS,
)
from tests.test_cli import CLASSES, run, sample_folder
from tests.test_cli_decisions import PNG, fails


def first(folder, name):
    return sorted((folder / name).glob("*.jpg"))[0]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Three classes of six EuroSAT images, plus: an exact copy in Forest, a
    Highway image copied into SeaLake, and an empty Forest file."""
    folder = tmp_path_factory.mktemp("planted") / "data"
    folder.mkdir()
    sample_folder(folder, slice(0, 6))
    copy = folder / "Forest" / "zz_copy.jpg"
    shutil.copy(first(folder, "Forest"), copy)
    conflict = folder / "SeaLake" / "from_highway.jpg"
    shutil.copy(first(folder, "Highway"), conflict)
    empty = folder / "Forest" / "empty.jpg"
    empty.write_bytes(b"")
    return {"folder": folder, "copy": [first(folder, "Forest"), copy],
            "conflict": [first(folder, "Highway"), conflict], "empty": empty}


def snapshot(*folders):
    """Every file under ``folders`` and a hash of its bytes."""
    return {path: hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in folders for path in folder.rglob("*") if path.is_file()}


def without_time(report):
    return {key: value for key, value in report.items() if key != "seconds"}


def as_json(report):
    return json.loads(json.dumps(report))


@pytest.fixture(scope="module")
def outputs(planted, tmp_path_factory):
    """The command's result and files on the planted folder."""
    out = tmp_path_factory.mktemp("out") / "new"  # folders the command makes
    before = snapshot(planted["folder"])
    result = run("inspect", planted["folder"], "--report", out / "report.md",
                 "--json", out / "json" / "report.json",
                 "--write-clean", out / "lists" / "keep.txt")
    assert snapshot(planted["folder"]) == before  # nothing moved, changed or deleted
    return {"result": result, "out": out,
            "json": json.loads((out / "json" / "report.json").read_text(
                encoding="utf-8"))}


def test_findings_are_a_report_not_a_failure(outputs):
    result = outputs["result"]
    assert result.exit_code == 0, result.stderr
    assert outputs["json"]["duplicates"] and outputs["json"]["unreadable"]


def test_json_is_the_mapping_of_inspect(planted, outputs):
    assert without_time(outputs["json"]) == without_time(as_json(inspect(
        str(planted["folder"]))))


def test_json_finds_the_planted_problems(planted, outputs):
    report = outputs["json"]
    files = [path for path in planted["folder"].rglob("*.jpg")]
    assert report["n_images"] == len(files)
    assert report["class_counts"] == {
        name: len(list((planted["folder"] / name).glob("*.jpg"))) for name in CLASSES}
    assert report["unreadable"] == [str(planted["empty"])]
    assert {"kind": "exact", "paths": [str(p) for p in planted["copy"]],
            "labels": ["Forest", "Forest"]} in report["duplicates"]
    conflicts = [sorted(group["paths"]) for group in report["label_conflicts"]]
    assert sorted(str(p) for p in planted["conflict"]) in conflicts
    duplicated = {path for group in report["duplicates"] for path in group["paths"]}
    assert not duplicated & {str(p) for p in planted["conflict"]}  # listed once
    assert report["leakage"] == []


def test_write_clean_follows_the_rule(outputs):
    report = outputs["json"]
    dropped = set(report["unreadable"])
    dropped |= {path for group in report["duplicates"]
                for path in sorted(group["paths"])[1:]}
    dropped |= {path for group in report["label_conflicts"] for path in group["paths"]}
    kept = (outputs["out"] / "lists" / "keep.txt").read_text(encoding="utf-8")
    kept = kept.splitlines()
    assert kept == [path for path in report["paths"] if path not in dropped]


def test_report_links_its_contact_sheets(outputs):
    out, report = outputs["out"], outputs["json"]
    markdown = (out / "report.md").read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^]]*\]\(([^)]+)\)", markdown)
    expected = [f"report_{key}.png" for key in ("too_small", "blurry", "exposure",
                                                "duplicates", "label_conflicts",
                                                "leakage") if report[key]]
    assert linked == expected
    for name in linked:
        assert (out / name).read_bytes().startswith(PNG)
        Image.open(out / name).verify()
    assert not (out / "report_unreadable.png").exists()  # nothing to draw
    for path in [*report["unreadable"], *report["blurry"]]:
        assert f"`{path}`" in markdown


def untimed(text):
    return re.sub(r"inspected in [0-9.]+ s", "inspected in - s", text)


def test_stdout_is_the_summary_and_progress_goes_to_stderr(planted, outputs):
    result, folder = outputs["result"], planted["folder"]
    expected = untimed(inspect_markdown(inspect(str(folder)), max_listed=10,
                                        title=f"Inspection of {folder}")) + "\n"
    assert untimed(result.stdout).startswith(expected)
    assert "| Unreadable or truncated files | 1 |" in result.stdout
    assert "Report written to" in result.stdout[len(expected):]
    assert "%|" in result.stderr  # a progress bar
    quiet = run("-q", "inspect", folder)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert untimed(quiet.stdout) == expected


def test_against_finds_leakage_with_paths_as_given(planted, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(planted["folder"], "train")
    (tmp_path / "test").mkdir()
    sample_folder(tmp_path / "test", slice(6, 8))  # images the training set lacks
    leaked = sorted(Path("train", "Forest").glob("*.jpg"))[1]
    shutil.copy(leaked, Path("test", "Forest", "leak.jpg"))
    result = run("-q", "inspect", "train", "--against", "test", "--json", "r.json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(Path("r.json").read_text(encoding="utf-8"))
    assert without_time(report) == without_time(as_json(inspect("train",
                                                                against="test")))
    assert sorted(["test/Forest/leak.jpg", str(leaked)]) in [
        sorted(group["paths"]) for group in report["leakage"]]
    assert all(path.startswith("train/") for path in report["paths"])
    assert result.stdout.startswith("# Inspection of train against test\n")


def test_missing_folder_fails(tmp_path):
    fails("inspect", tmp_path / "nowhere", match="nowhere' does not exist")


def test_empty_folder_fails(tmp_path):
    (tmp_path / "empty" / "Forest").mkdir(parents=True)
    fails("inspect", tmp_path / "empty", match="No images found in folder .*empty")


def fake_report(paths, **findings):
    """A mapping of inspect's shape over ``paths``, with the given findings."""
    report = {"n_images": len(paths), "class_counts": {"Forest": len(paths)},
              "unreadable": [], "too_small": [], "blurry": [], "exposure": [],
              "duplicates": [], "label_conflicts": [], "leakage": [],
              "paths": paths, "thresholds": {}, "seconds": 0.0}
    return {**report, **findings}


def tile(sheet, row=0, column=0):
    """The pixels of one thumbnail square of a sheet of files."""
    x = _GAP + column * (_TILE + _GAP)
    y = 2 * _GAP + _LINE + row * (_TILE + 2 * _LINE + _GAP)
    return np.asarray(Image.open(sheet).convert("RGB"))[y:y + _TILE, x:x + _TILE]


def test_sheet_draws_the_image_and_a_placeholder_for_a_missing_file(planted, tmp_path):
    real = str(planted["copy"][0])
    missing = str(planted["folder"] / "Forest" / "gone.jpg")
    save_inspect_report(fake_report([real, missing], blurry=[real, missing]),
                        tmp_path / "r.md")
    sheet = tmp_path / "r_blurry.png"
    image = Image.fromarray(read_image(real))  # 64 x 64, drawn at 2x by repeating
    expected = np.asarray(image.resize((_TILE, _TILE), Image.Resampling.NEAREST))
    np.testing.assert_array_equal(tile(sheet, column=0), expected)
    placeholder = tile(sheet, column=1)
    assert len(np.unique(placeholder.reshape(-1, 3), axis=0)) <= 8  # lines, no image


def test_sheet_and_markdown_are_capped_and_say_how_many_more(planted, tmp_path):
    paths = [str(p) for p in sorted(planted["folder"].rglob("*.jpg"))]
    many = (paths * (MAX_FILES // len(paths) + 2))[:MAX_FILES + 5]
    report = fake_report(paths, blurry=many)
    save_inspect_report(report, tmp_path / "r.md")
    rows = -(-MAX_FILES // MAX_MEMBERS)
    sheet = Image.open(tmp_path / "r_blurry.png")
    assert sheet.height == 2 * _GAP + _LINE + rows * (_TILE + 2 * _LINE + _GAP) + _LINE
    text = inspect_markdown(report, max_listed=3)
    assert text.count("\n- `") == 3 and f"... and {MAX_FILES + 2:,} more." in text
