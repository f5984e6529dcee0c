"""Which files a scan reads, and what it names its outputs after.

A report folder inside the input is never read back (the second run of
``bpm scan flows --out flows/report`` used to double every figure); hidden
files, macOS ``._x.bpmn`` copies and editor drafts are skipped and named on
stderr; and every file ``lint`` accepts can be scanned, whatever its name.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpm.cli import discover_inputs, expand_inputs, main
from bpm.errors import BpmError
from bpm.reader import read_bpmn
from reports.downloads import ModelSource, annotated_name, site_downloads
from reports.outdir import MARKER
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.table import steps_frame

REPO = Path(__file__).resolve().parents[2]
COUNTER = REPO / "tests" / "data" / "scoring" / "counter.bpmn"


def run_bpm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=cwd or REPO, timeout=300
    )


def assessed_processes(site: Path) -> list[str]:
    document = json.loads((site / "downloads" / "assessment.json").read_text(encoding="utf-8"))
    return sorted(p["file"] for p in document["processes"])


# --------------------------------------------------------------------------- discovery


def test_a_scan_never_reads_its_own_report(tmp_path: Path) -> None:
    """Run twice: the annotated copies in flows/report were read back and every figure doubled."""
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copyfile(COUNTER, flows / "counter.bpmn")
    out = flows / "report"
    first = run_bpm("scan", str(flows), "--out", str(out))
    assert first.returncode == 0, first.stderr
    second = run_bpm("scan", str(flows), "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert assessed_processes(out) == [str(flows / "counter.bpmn")]
    assert f"bpm: skipped {out}: the output folder of this run" in second.stderr
    assert "[1/1] reading" in second.stderr


def test_an_earlier_report_is_recognised_by_its_marker(tmp_path: Path) -> None:
    """A report written elsewhere earlier (another --out) is skipped too: it holds our marker."""
    (tmp_path / "flows" / "old-report" / "downloads" / "annotated").mkdir(parents=True)
    shutil.copyfile(COUNTER, tmp_path / "flows" / "counter.bpmn")
    shutil.copyfile(COUNTER, tmp_path / "flows" / "old-report" / "downloads" / "annotated" / "counter.bpmn")
    (tmp_path / "flows" / "old-report" / MARKER).write_text("{}", encoding="utf-8")
    skipped: list[tuple[Path, str]] = []
    found = expand_inputs([str(tmp_path / "flows")], on_skip=lambda p, r: skipped.append((p, r)))
    assert found == [tmp_path / "flows" / "counter.bpmn"]
    assert skipped == [(tmp_path / "flows" / "old-report", "a report folder written by bpm scan")]


def test_naming_a_report_folder_as_input_is_refused(tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text("{}", encoding="utf-8")
    shutil.copyfile(COUNTER, tmp_path / "counter.bpmn")
    with pytest.raises(BpmError, match="report written by bpm scan"):
        discover_inputs([str(tmp_path)])


def test_hidden_files_resource_forks_and_drafts_are_skipped_and_named(tmp_path: Path) -> None:
    shutil.copyfile(COUNTER, tmp_path / "counter.bpmn")
    (tmp_path / "._counter.bpmn").write_bytes(b"\x00\x05\x16\x07Mac OS X        \x00\x02")  # AppleDouble header
    shutil.copyfile(COUNTER, tmp_path / ".draft.bpmn")
    shutil.copyfile(COUNTER, tmp_path / "~$counter.bpmn")
    (tmp_path / ".git").mkdir()
    shutil.copyfile(COUNTER, tmp_path / ".git" / "x.bpmn")
    (tmp_path / "__MACOSX").mkdir()
    shutil.copyfile(COUNTER, tmp_path / "__MACOSX" / "counter.bpmn")
    skipped: dict[str, str] = {}
    found = discover_inputs([str(tmp_path)], on_skip=lambda p, r: skipped.__setitem__(p.name, r))
    assert [f.path for f in found] == [tmp_path / "counter.bpmn"]
    assert skipped == {
        "._counter.bpmn": "macOS resource fork (AppleDouble), not a model",
        ".draft.bpmn": "hidden file",
        "~$counter.bpmn": "editor draft or lock file",
        ".git": "hidden folder",
        "__MACOSX": "macOS archive metadata",
    }


def test_the_cli_says_what_it_skipped(tmp_path: Path) -> None:
    shutil.copyfile(COUNTER, tmp_path / "counter.bpmn")
    (tmp_path / "._counter.bpmn").write_bytes(b"\x00\x05\x16\x07Mac OS X")
    result = run_bpm("lint", str(tmp_path))
    assert "Traceback" not in result.stderr
    fork = tmp_path / "._counter.bpmn"
    assert f"bpm: skipped {fork}: macOS resource fork (AppleDouble), not a model" in result.stderr
    assert "1 file(s) checked" in result.stderr


def test_a_file_named_directly_is_always_read(tmp_path: Path) -> None:
    shutil.copyfile(COUNTER, tmp_path / ".draft.bpmn")
    assert [f.path for f in discover_inputs([str(tmp_path / ".draft.bpmn")])] == [tmp_path / ".draft.bpmn"]


def test_the_same_file_given_twice_is_read_once(tmp_path: Path) -> None:
    shutil.copyfile(COUNTER, tmp_path / "counter.bpmn")
    found = discover_inputs([str(tmp_path), str(tmp_path / "counter.bpmn"), f"{tmp_path}/../{tmp_path.name}"])
    assert [f.path for f in found] == [tmp_path / "counter.bpmn"]


# --------------------------------------------------------------------------- output names


def test_keys_are_relative_to_the_scanned_folder_and_unique(tmp_path: Path) -> None:
    for folder in ("x", "y"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copyfile(COUNTER, tmp_path / "in" / folder / "flow.bpmn")
    found = discover_inputs([str(tmp_path / "in")])
    assert [f.key for f in found] == ["x/flow.bpmn", "y/flow.bpmn"]
    names = {annotated_name(f.key) for f in found}
    assert len(names) == 2
    # two folders both holding flow.bpmn at the top: the keys fall back to the paths as given
    clash = discover_inputs([str(tmp_path / "in" / "x"), str(tmp_path / "in" / "y")])
    assert len({f.key for f in clash}) == 2


@pytest.mark.parametrize("name", ["住民票.bpmn", "a\\b.bpmn", "tab\tname.bpmn", ".draft.bpmn", "..bpmn", "x y.bpmn"])
def test_download_names_are_plain_whatever_the_file_is_called(name: str) -> None:
    download = annotated_name(name)
    assert download.startswith("annotated/") and download.endswith(".bpmn")
    stem = download.removeprefix("annotated/")
    assert stem.replace("-", "").replace(".", "").isalnum() and stem.isascii() and not stem.startswith(".")


def test_two_models_with_one_file_name_get_two_downloads(tmp_path: Path) -> None:
    """x/flow.bpmn and y/flow.bpmn shared downloads/annotated/flow.bpmn: one model was lost."""
    for folder, name in (("x", "証明書交付テスト"), ("y", "別の業務")):
        (tmp_path / "in" / folder).mkdir(parents=True)
        text = COUNTER.read_text(encoding="utf-8").replace('name="証明書交付テスト"', f'name="{name}"')
        (tmp_path / "in" / folder / "flow.bpmn").write_text(text, encoding="utf-8")
    result = run_bpm("scan", str(tmp_path / "in"), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    annotated = sorted((tmp_path / "site" / "downloads" / "annotated").iterdir())
    assert len(annotated) == 2
    texts = [p.read_text(encoding="utf-8") for p in annotated]
    assert sum("別の業務" in t for t in texts) == 1
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "x/flow.bpmn" in index and "y/flow.bpmn" in index  # the overview says which download is which


@pytest.mark.parametrize("name", [".draft.bpmn", "a\\b.bpmn", "tab\tname.bpmn"])
def test_every_file_lint_accepts_can_be_scanned(tmp_path: Path, name: str) -> None:
    """These files lint and score fine but made scan fail after all the work (download names)."""
    model = tmp_path / name
    shutil.copyfile(COUNTER, model)
    assert CliRunner().invoke(main, ["lint", str(model)]).exit_code in (0, 1)
    result = CliRunner().invoke(main, ["-q", "scan", str(model), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.stderr
    assert len(list((tmp_path / "site" / "downloads" / "annotated").glob("*.bpmn"))) == 1


def test_a_model_that_cannot_be_annotated_is_a_notice_not_a_failure() -> None:
    """A file that no longer holds its scored steps loses only its annotated copy; the other downloads stay.

    (An id with spaces around it used to be the way in; the reader now refuses such ids with a located error.)
    """
    original = COUNTER.read_bytes()
    assessment = assess([read_bpmn(COUNTER)], profile=load_profile(None))
    changed = original.replace(b'id="T_Input"', b'id="T_Renamed"').replace(b'"T_Input"', b'"T_Renamed"')
    heard: list[str] = []
    models = [
        ModelSource("counter.bpmn", str(COUNTER), original),
        ModelSource("changed.bpmn", str(COUNTER), changed),
    ]
    downloads = site_downloads(models, assessment, steps_frame(assessment), notice=heard.append)
    assert heard == [f"{COUNTER}: no annotated copy in the report: 1 assessed step(s) are not in this file: T_Input"]
    assert sorted(downloads.labels.values()) == ["counter.bpmn"]
    assert {"results.csv", "results.xlsx", "results.json", "assessment.json"} <= set(downloads.files)
    assert {"results-en.csv", "results-en.xlsx"} <= set(downloads.files)  # for the English report


def test_page_and_diagram_names_do_not_depend_on_where_the_scan_runs(tmp_path: Path) -> None:
    """Names hash the path relative to the scanned folder: intranet links survive a rebuild from elsewhere."""
    (tmp_path / "flows" / "sub").mkdir(parents=True)
    shutil.copyfile(COUNTER, tmp_path / "flows" / "sub" / "counter.bpmn")
    here = run_bpm("-q", "scan", "flows", "--out", "a", cwd=tmp_path)
    there = run_bpm("-q", "scan", str(tmp_path / "flows"), "--out", str(tmp_path / "b"), cwd=REPO)
    assert here.returncode == 0 and there.returncode == 0, here.stderr + there.stderr

    def names(site: Path) -> list[str]:
        return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())

    assert names(tmp_path / "a") == names(tmp_path / "b")
    assert any(name.startswith("diagrams/counter-") for name in names(tmp_path / "a"))
