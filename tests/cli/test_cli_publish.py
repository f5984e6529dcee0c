"""`bpm annotate`, `bpm layout`, `bpm diff` and review decisions end to end: real files, exact messages."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bpm.reader import read_bpmn

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"
NODI = REPO / "tests" / "data" / "reports_nodi"


def run_bpm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=cwd or REPO, timeout=300
    )


# --------------------------------------------------------------------------- annotate


def test_annotate_writes_copies_under_out_and_is_idempotent(tmp_path: Path) -> None:
    out = tmp_path / "annotated"
    inputs = (str(FLOWS / "juminhyo.bpmn"), str(NODI / "counter_di.bpmn"))
    first = run_bpm("annotate", *inputs, "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stderr.strip().endswith(f"2 annotated file(s) written to {out}")
    assert sorted(p.name for p in out.rglob("*.bpmn")) == ["counter_di.bpmn", "juminhyo.bpmn"]
    written = {p: p.read_bytes() for p in out.rglob("*.bpmn")}
    node = read_bpmn(out / "juminhyo.bpmn").find_node("Activity_JuminhyoKofuKahi")  # type: ignore[arg-type]
    assert node is not None and node.properties["bpm:disposition"] == "retain"  # 交付可否の判断 stays with staff
    second = run_bpm("annotate", *inputs, "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert {p: p.read_bytes() for p in out.rglob("*.bpmn")} == written
    assert (FLOWS / "juminhyo.bpmn").read_bytes() != written[out / "juminhyo.bpmn"]


def test_annotate_keeps_paths_relative_to_a_named_directory(tmp_path: Path) -> None:
    source = tmp_path / "manuals"
    (source / "shomei").mkdir(parents=True)
    (source / "shomei" / "juminhyo.bpmn").write_bytes((FLOWS / "juminhyo.bpmn").read_bytes())
    (source / "tennyu.bpmn").write_bytes((FLOWS / "tennyu.bpmn").read_bytes())
    result = run_bpm("annotate", str(source), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "shomei" / "juminhyo.bpmn").is_file()
    assert (tmp_path / "out" / "tennyu.bpmn").is_file()


def test_annotate_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    original = (FLOWS / "juminhyo.bpmn").read_bytes()
    (work / "juminhyo.bpmn").write_bytes(original)
    result = run_bpm("annotate", "juminhyo.bpmn", "--out", ".", cwd=work)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "juminhyo.bpmn: the annotated copy would overwrite the input juminhyo.bpmn "
        "(choose an --out directory that holds none of the input files)"
    )
    assert (work / "juminhyo.bpmn").read_bytes() == original


def test_annotate_refuses_two_inputs_with_the_same_name(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "flow.bpmn").write_bytes((NODI / "counter_di.bpmn").read_bytes())
    result = run_bpm("annotate", "a/flow.bpmn", "b/flow.bpmn", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert "a/flow.bpmn and b/flow.bpmn would both be written to out/flow.bpmn" in result.stderr
    assert not (tmp_path / "out").exists()


def test_annotate_names_a_broken_input_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(b"<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'><process")
    result = run_bpm("annotate", str(NODI / "counter_di.bpmn"), str(broken), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"{broken}:1: malformed XML" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [("annotate",), ("annotate", "x.bpmn")])
def test_annotate_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    assert run_bpm(*args).returncode == 2


# --------------------------------------------------------------------------- layout


def test_layout_writes_a_file_that_has_a_diagram(tmp_path: Path) -> None:
    out = tmp_path / "counter_laid_out.bpmn"
    result = run_bpm("layout", str(NODI / "counter_nodi.bpmn"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"wrote {out} (12 shapes in 1 diagram(s))"
    definitions = read_bpmn(out)
    assert {s.element_id for s in definitions.diagrams[0].shapes} >= set(
        next(iter(definitions.processes.values())).nodes
    )


def test_layout_refuses_a_file_with_a_diagram_and_overwriting_its_input(tmp_path: Path) -> None:
    result = run_bpm("layout", str(NODI / "counter_di.bpmn"), "--out", str(tmp_path / "x.bpmn"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"{NODI / 'counter_di.bpmn'}: the file already has diagram interchange (5 shapes); "
        "bpm layout only adds it to files without (open the file in the modeler as it is)"
    )
    assert not (tmp_path / "x.bpmn").exists()
    copy = tmp_path / "nodi.bpmn"
    copy.write_bytes((NODI / "counter_nodi.bpmn").read_bytes())
    same = run_bpm("layout", "nodi.bpmn", "--out", "./nodi.bpmn", cwd=tmp_path)
    assert same.returncode == 1
    assert "nodi.bpmn: the laid-out copy would overwrite the input" in same.stderr
    assert copy.read_bytes() == (NODI / "counter_nodi.bpmn").read_bytes()


# --------------------------------------------------------------------------- diff

DIFF = REPO / "tests" / "data" / "diff"


def test_diff_prints_a_table_of_changes_and_score_movement() -> None:
    result = run_bpm("-q", "diff", str(DIFF / "juminhyo_before.bpmn"), str(DIFF / "juminhyo_after.bpmn"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "住民票の写し等の交付: juminhyo_before.bpmn → juminhyo_after.bpmn" in out
    expected = ("削除 / Removed", "請求資格確認", "担当（レーン）変更", "収納担当", "分岐条件変更",
                "年間時間 / hours per year")
    for text in expected:
        assert text in out, text
    assert "\x1b[" not in out  # no colour codes in a pipe


def test_diff_writes_json_and_html(tmp_path: Path) -> None:
    old, new = str(DIFF / "juminhyo_before.bpmn"), str(DIFF / "juminhyo_after.bpmn")
    result = run_bpm("diff", old, new, "--format", "json", "-o", str(tmp_path / "diff.json"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith(f"wrote {tmp_path / 'diff.json'}")
    document = json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))
    assert document["changed"] is True and len(document["processes"][0]["steps"]) == 5
    page = run_bpm("diff", old, new, "--format", "html", "-o", str(tmp_path / "diff.html"))
    assert page.returncode == 0, page.stderr
    text = (tmp_path / "diff.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 2
    assert re.search(r"Generated</span>: \d{4}-\d\d-\d\d \d\d:\d\d JST", text) and "UTC" not in text  # Japan time


def test_diff_of_a_file_with_itself_and_of_a_broken_file() -> None:
    same = run_bpm("-q", "diff", str(DIFF / "juminhyo_after.bpmn"), str(DIFF / "juminhyo_after.bpmn"), "--format",
                   "json")
    assert same.returncode == 0 and json.loads(same.stdout)["changed"] is False
    missing = run_bpm("diff", str(DIFF / "juminhyo_after.bpmn"), str(DIFF / "nothing.bpmn"))
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"{DIFF / 'nothing.bpmn'}: file not found (check the path)"


# --------------------------------------------------------------------------- review decisions


def test_decisions_round_trip_through_score_and_scan(tmp_path: Path) -> None:
    import openpyxl

    flow = str(FLOWS / "juminhyo.bpmn")
    sheet = tmp_path / "results.xlsx"
    assert run_bpm("-q", "score", flow, "--out", str(sheet)).returncode == 0
    workbook = openpyxl.load_workbook(sheet)
    rows = workbook.worksheets[0]
    header = [c.value for c in rows[1]]
    column = {name: header.index(name) + 1 for name in ("手順ID", "判断", "担当", "コメント", "プロセスID")}
    target = next(r for r in range(2, rows.max_row + 1)
                  if rows.cell(r, column["手順ID"]).value == "Activity_JuminhyoKofu")
    rows.cell(target, column["判断"], "採用")
    rows.cell(target, column["担当"], "市民課 山田")
    rows.cell(3, column["判断"], "保留")
    gone = 4
    rows.cell(gone, column["手順ID"], "Activity_Removed")
    rows.cell(gone, column["判断"], "reject")
    rows.move_range(f"A2:{openpyxl.utils.get_column_letter(len(header))}{rows.max_row}", rows=1)  # rows moved down
    workbook.save(tmp_path / "decided.xlsx")

    again = tmp_path / "again.csv"
    result = run_bpm("score", flow, "--decisions", str(tmp_path / "decided.xlsx"), "--out", str(again))
    assert result.returncode == 0, result.stderr
    assert (f"note: {tmp_path / 'decided.xlsx'}:{gone + 1}: decision (reject) for step Activity_Removed"
            in result.stderr)
    assert "2 decision(s) matched, 1 for steps no longer in the flows" in result.stderr
    rows = list(csv.DictReader(io.StringIO(again.read_text(encoding="utf-8-sig"))))
    assert any(r["判断"] == "採用" and r["担当"] == "市民課 山田" for r in rows)

    site = tmp_path / "site"
    scan = run_bpm("scan", flow, "--decisions", str(tmp_path / "decided.xlsx"), "--out", str(site))
    assert scan.returncode == 0, scan.stderr
    page = (site / "candidates.html").read_text(encoding="utf-8")
    assert "review-accept" in page and "review-defer" in page and 'id="review-orphans"' in page


def test_a_bad_decision_stops_the_run_naming_the_cell(tmp_path: Path) -> None:
    sheet = tmp_path / "decided.csv"
    sheet.write_text("file,process_id,step_id,name,判断\njuminhyo.bpmn,Process_Juminhyo,Activity_JuminhyoKofu,交付,多分\n",
                     encoding="utf-8")
    result = run_bpm("score", str(FLOWS / "juminhyo.bpmn"), "--decisions", str(sheet), "--out",
                     str(tmp_path / "r.csv"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"{sheet}:2: cell E2 (判断): '多分' is not a decision "
        "(write one of accept / reject / defer（採用 / 不採用 / 保留）, or leave it empty)"
    )
    assert not (tmp_path / "r.csv").exists()
