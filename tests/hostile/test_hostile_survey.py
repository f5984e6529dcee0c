"""Hostile survey sheets: any CSV or XLSX ends in a result or an error naming the sheet and row.

The BPMN is the bundled 転入届 flow, so rows can match real steps; the sheets
carry hostile numbers, names, quoting hazards, encodings, formulas without
saved results and stray cells far to the right and below.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from checks import assert_handled, formula_cells_in_xlsx
from hypothesis import example, given
from runner import Runner
from strategies import csv_sheets, hostile, xlsx_sheets

FLOW = (Path(__file__).resolve().parents[2] / "flows" / "tennyu.bpmn").read_bytes()


def _workbook_with_stray_cells() -> bytes:
    """Issue 8: a small workbook with stray cells in column XFD took 35 s and 934 MB."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["業務", "手順", "件数", "処理時間(分)"])
    sheet.append(["転入届", "届書受領", 5200, "=C2*2"])
    for row in range(3, 3000, 7):
        sheet.cell(row=row, column=16384, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@hostile(examples=40)
@given(sheet=csv_sheets())
@example(sheet='業務,手順,処理時間(分),備考\n転入届,届書受領,"3,5",x\n'.encode())
@example(sheet='業務,手順,件数,備考\n転入届,届書受領,nan,"unclosed\n転入届,本人確認,1e308,y\n'.encode())
@example(sheet="業務,手順,件数\n転入届,,inf\n".encode("utf-8-sig"))
def test_any_csv_survey_ends_cleanly(bpm_runner: Runner, sheet: bytes) -> None:
    outcome = bpm_runner.run(["-q", "score", "tennyu.bpmn", "--survey", "survey.csv", "-o", "out.xlsx"],
                             {"tennyu.bpmn": FLOW, "survey.csv": sheet})
    assert_handled(outcome, ["survey.csv", "tennyu.bpmn"])
    if outcome.code == 0:
        assert formula_cells_in_xlsx(outcome.folder / "out.xlsx") == []


@hostile(examples=20)
@given(sheet=xlsx_sheets())
@example(sheet=_workbook_with_stray_cells())
def test_any_xlsx_survey_ends_cleanly(bpm_runner: Runner, sheet: bytes) -> None:
    outcome = bpm_runner.run(["-q", "score", "tennyu.bpmn", "--survey", "survey.xlsx", "-o", "out.xlsx"],
                             {"tennyu.bpmn": FLOW, "survey.xlsx": sheet})
    assert_handled(outcome, ["survey.xlsx", "tennyu.bpmn"], sheets=["survey.xlsx"])
    if outcome.code == 0:
        assert formula_cells_in_xlsx(outcome.folder / "out.xlsx") == []


@hostile(examples=10)
@given(sheet=xlsx_sheets())
def test_damaged_workbooks_end_cleanly(bpm_runner: Runner, sheet: bytes) -> None:
    """Truncated or bit-flipped zips: an error naming the sheet, never a traceback from openpyxl or zipfile."""
    damaged = sheet[: len(sheet) // 2] if len(sheet) % 2 else sheet[:200] + bytes([sheet[200] ^ 0xFF]) + sheet[201:]
    outcome = bpm_runner.run(["-q", "score", "tennyu.bpmn", "--survey", "survey.xlsx", "-o", "out.json"],
                             {"tennyu.bpmn": FLOW, "survey.xlsx": damaged})
    assert_handled(outcome, ["survey.xlsx", "tennyu.bpmn"], sheets=["survey.xlsx"])
