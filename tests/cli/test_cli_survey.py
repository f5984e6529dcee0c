"""`bpm survey`: the workbook from the flows, re-generation in place, refusals; survey mistakes on score/scan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

from reports.survey_workbook import HEADER_ROW, ORPHANS_SHEET, SHEET
from scoring.survey import load_survey

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"
DATA = REPO / "tests" / "data" / "scoring"


def run_bpm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=cwd or REPO, timeout=300
    )


def test_survey_writes_a_workbook_and_keeps_values_when_run_again(tmp_path: Path) -> None:
    out = tmp_path / "survey.xlsx"
    first = run_bpm("survey", str(FLOWS), "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert f"wrote {out}: 19 業務, 187 手順, 110 分岐の行; 0 earlier row(s) carried over, 0 without a place" in (
        first.stderr)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook[SHEET]
    step_id = [c.value for c in sheet[HEADER_ROW]].index("手順ID") + 1
    minutes = [c.value for c in sheet[HEADER_ROW]].index("処理時間(分)") + 1
    row = next(r for r in range(HEADER_ROW + 1, sheet.max_row + 1)
               if sheet.cell(row=r, column=step_id).value == "Activity_TennyuHoninKakunin")
    sheet.cell(row=row, column=minutes, value=6)
    workbook.save(out)

    again = run_bpm("survey", str(FLOWS), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "1 earlier row(s) carried over, 0 without a place" in again.stderr
    (kept,) = [r for r in load_survey(out).rows if r.step_id == "Activity_TennyuHoninKakunin"]
    assert kept.minutes == 6


def test_survey_from_a_hand_typed_sheet_lists_the_rows_it_cannot_place(tmp_path: Path) -> None:
    out = tmp_path / "new.xlsx"
    result = run_bpm("survey", str(FLOWS), "--out", str(out), "--from", str(FLOWS / "survey.xlsx"))
    assert result.returncode == 0, result.stderr
    assert (f"bpm: note: {FLOWS / 'survey.xlsx'}:86: 郵送請求（住民票・戸籍証明）/封入発送: 手順 封入発送 is no "
            "longer in the flows; kept on the sheet 前回の行（対応なし）") in result.stderr
    assert "2 without a place" in result.stderr
    assert ORPHANS_SHEET in openpyxl.load_workbook(out, read_only=True).sheetnames


def test_survey_refuses_to_overwrite_what_is_not_a_survey(tmp_path: Path) -> None:
    out = tmp_path / "budget.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["予算", "金額"])
    sheet.append(["人件費", 100])
    workbook.save(out)
    before = out.read_bytes()
    result = run_bpm("survey", str(FLOWS / "tennyu.bpmn"), "--out", str(out))
    assert result.returncode == 1
    assert "exists and cannot be read as a survey sheet, so it is not overwritten" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == before


def test_survey_wants_an_xlsx(tmp_path: Path) -> None:
    result = run_bpm("survey", str(FLOWS / "tennyu.bpmn"), "--out", str(tmp_path / "survey.csv"))
    assert result.returncode == 2
    assert "the survey workbook must be an .xlsx file" in result.stderr
