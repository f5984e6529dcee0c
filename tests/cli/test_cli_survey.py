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


def test_survey_from_another_sheet_never_replaces_a_filled_workbook(tmp_path: Path) -> None:
    out = tmp_path / "survey.xlsx"
    out.write_bytes((FLOWS / "survey.xlsx").read_bytes())
    before = out.read_bytes()
    result = run_bpm("survey", str(FLOWS), "--out", str(out), "--from", str(DATA.parent / "flows" / "survey.csv"))
    assert result.returncode == 1
    assert f"{out} exists: its filled-in values would be replaced by those of" in result.stderr
    assert out.read_bytes() == before


def test_survey_wants_an_xlsx(tmp_path: Path) -> None:
    result = run_bpm("survey", str(FLOWS / "tennyu.bpmn"), "--out", str(tmp_path / "survey.csv"))
    assert result.returncode == 2
    assert "the survey workbook must be an .xlsx file" in result.stderr


# --------------------------------------------------------------------------- survey mistakes on score and scan

COUNTER = DATA / "counter.bpmn"
SHEET_HEADER = "業務,手順ID,手順,件数,処理時問(分),例外率"
"""処理時間(分) mistyped: the column is ignored and every step falls back to default minutes."""


def mistyped(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "counter.bpmn").write_bytes(COUNTER.read_bytes())
    rows = [SHEET_HEADER, "証明書交付テスト,,,1500,,", "証明書交付テスト,,申請書受付,,3,0.1"]
    rows += [f"証明書交付テスド,,住基システム入力,,{n},0.1" for n in range(1, 17)]  # the 業務 mistyped 16 times
    (folder / "survey.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def summary(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("note: ", "bpm: data gaps"))]


def test_score_and_scan_print_the_same_data_quality_summary_with_suggestions(tmp_path: Path) -> None:
    folder = mistyped(tmp_path / "flows")
    scored = run_bpm("score", str(folder), "--out", str(tmp_path / "results.csv"))
    assert scored.returncode == 0, scored.stderr
    lines = summary(scored.stderr)
    assert (f"note: {folder / 'survey.csv'}:1: column '処理時問(分)' is not a survey column; ignored — "
            "「処理時間(分)」のことですか？ / did you mean 処理時間(分)?") in lines
    typos = [line for line in lines if "did you mean 証明書交付テスト?" in line]
    assert len(typos) == 16 and typos[0].startswith(f"note: {folder / 'survey.csv'}:4: row 4 ")
    assert lines[-1].startswith("bpm: data gaps: ")  # one language now (the suite runs in English)
    assert lines[-1].endswith("mistakes in the sheet: 17")

    scanned = run_bpm("scan", str(folder), "--out", str(tmp_path / "site"))
    assert scanned.returncode == 0, scanned.stderr
    assert summary(scanned.stderr) == lines  # one function for both commands
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "「処理時間(分)」のことですか？" in page and "did you mean 証明書交付テスト?" in page  # the data-gap table

    quiet = run_bpm("--quiet", "score", str(folder), "--out", str(tmp_path / "quiet.csv"))
    assert summary(quiet.stderr) == lines  # mistakes change the figures: said even under --quiet


def test_strict_turns_every_data_gap_into_exit_1_and_writes_nothing(tmp_path: Path) -> None:
    folder = mistyped(tmp_path / "flows")
    out = tmp_path / "results.csv"
    result = run_bpm("score", str(folder), "--strict", "--out", str(out))
    assert result.returncode == 1
    assert "--strict: " in result.stderr and "data gap(s), listed above; nothing written" in result.stderr
    assert "no survey row" in result.stderr  # with --strict every gap is listed, not only the sheet's mistakes
    assert not out.exists()
    site = tmp_path / "site"
    scan = run_bpm("scan", str(folder), "--strict", "--out", str(site))
    assert scan.returncode == 1 and "--strict: " in scan.stderr
    assert not (site / "index.html").exists()


def test_strict_passes_when_nothing_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    sheet = tmp_path / "measured.csv"
    steps = ("T_Uketsuke", "T_Input", "T_Shinsa", "T_Abc", "T_Update", "T_Kahi", "T_Kofu")
    sheet.write_text("\n".join(["業務,手順ID,処理時間(分)", *(f"証明書交付テスト,{s},2" for s in steps)]) + "\n",
                     encoding="utf-8")
    result = run_bpm("score", str(COUNTER), "--survey", str(sheet), "--strict", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "bpm: data gaps: none" in result.stderr
    assert out.exists()


def test_two_survey_sheets_in_one_folder_are_an_error_naming_both(tmp_path: Path) -> None:
    folder = mistyped(tmp_path / "flows")
    (folder / "survey.xlsx").write_bytes((FLOWS / "survey.xlsx").read_bytes())
    out = tmp_path / "results.csv"
    result = run_bpm("score", str(folder), "--out", str(out))
    assert result.returncode == 1
    assert (f"2 survey sheets found: {folder / 'survey.xlsx'} and {folder / 'survey.csv'}; which one to read is "
            "not guessed") in result.stderr
    assert "--survey" in result.stderr and not out.exists()
    chosen = run_bpm("score", str(folder), "--survey", str(folder / "survey.csv"), "--out", str(out))
    assert chosen.returncode == 0, chosen.stderr
    assert f"bpm: note: {folder / 'survey.xlsx'} is not read: --survey names {folder / 'survey.csv'}" in (
        chosen.stderr)
