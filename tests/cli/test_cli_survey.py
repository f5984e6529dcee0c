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


def _fill_first_half(generated: Path, filled: Path) -> dict[str, int]:
    """Fill every row of the first half of the 業務 in a sheet from `bpm survey` (with 課 and 職種), as a team
    that has surveyed those; leave the other rows exactly as generated.  Returns the rows by what was done."""
    workbook = openpyxl.load_workbook(generated)
    sheet = workbook[SHEET]
    col = {c.value: c.column for c in sheet[HEADER_ROW]}
    rows = range(HEADER_ROW + 1, sheet.max_row + 1)
    flows = list(dict.fromkeys(sheet.cell(row=r, column=col["業務"]).value for r in rows))
    surveyed = set(flows[: len(flows) // 2])
    shares: dict[tuple[str, str], list[int]] = {}
    done = {"filled": 0, "left": 0}
    for r in rows:
        flow, kind = sheet.cell(row=r, column=col["業務"]).value, sheet.cell(row=r, column=col["種類"]).value or ""
        if flow not in surveyed:
            done["left"] += 1
            continue
        done["filled"] += 1
        if kind.startswith("業務"):
            sheet.cell(row=r, column=col["件数"], value=1200)
        elif "いずれか" in kind or "開始イベント" in kind:  # exclusive split or start shares: must sum to 1
            name = "start" if "開始" in kind else str(sheet.cell(row=r, column=col["手順"]).value).split("→")[0]
            shares.setdefault((flow, name), []).append(r)
        elif "全て" in kind or "境界" in kind:  # inclusive branch, boundary event: a share of its own
            sheet.cell(row=r, column=col["分岐確率"], value=0.5 if "全て" in kind else 0.1)
        else:
            sheet.cell(row=r, column=col["処理時間(分)"], value=5)
            sheet.cell(row=r, column=col["課"], value="市民課")
            sheet.cell(row=r, column=col["職種"], value="正規")
    for group in shares.values():
        share = round(1 / len(group), 2)
        for r in group:
            sheet.cell(row=r, column=col["分岐確率"], value=share)
        sheet.cell(row=group[-1], column=col["分岐確率"], value=round(1 - share * (len(group) - 1), 2))
    workbook.save(filled)
    return done


def test_a_generated_sheet_filled_for_half_the_flows_passes_strict_with_the_rest_counted(tmp_path: Path) -> None:
    # Before: every 業務 and branch row left as generated was an "unused-row" mistake, so --strict failed
    # (71 of them) on a sheet the team had simply not finished.
    folder = tmp_path / "flows"
    folder.mkdir()
    for bpmn in FLOWS.glob("*.bpmn"):
        (folder / bpmn.name).write_bytes(bpmn.read_bytes())
    generated = tmp_path / "generated.xlsx"
    assert run_bpm("survey", str(folder), "--out", str(generated)).returncode == 0
    done = _fill_first_half(generated, folder / "survey.xlsx")
    assert done["filled"] > 100 and done["left"] > 100
    out = tmp_path / "results.csv"
    result = run_bpm("score", str(folder), "--strict", "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "unused-row" not in result.stderr
    last = next(line for line in result.stderr.splitlines() if line.startswith("bpm: data gaps"))
    assert "not-surveyed 71" in last and "mistakes in the sheet: none" in last, last  # counted as missing data
    assert out.exists()

    # A row someone wrote on but left without its figure is still a mistake: a 備考 on a branch row.
    workbook = openpyxl.load_workbook(folder / "survey.xlsx")
    sheet = workbook[SHEET]
    col = {c.value: c.column for c in sheet[HEADER_ROW]}
    left = [r for r in range(sheet.max_row, HEADER_ROW, -1)
            if "分岐" in str(sheet.cell(row=r, column=col["種類"]).value)
            and sheet.cell(row=r, column=col["分岐確率"]).value is None]
    sheet.cell(row=left[0], column=col["備考"], value="窓口で確認中")
    workbook.save(folder / "survey.xlsx")
    noted = run_bpm("score", str(folder), "--strict", "--out", str(tmp_path / "noted.csv"))
    assert noted.returncode == 1
    assert f"survey.xlsx:{left[0]}: " in noted.stderr and "without 分岐確率" in noted.stderr
    assert "unused-row 1" in noted.stderr

    # …and so is a 職種 the money model cannot read on a filled row, or a share that is not a number.
    sheet.cell(row=left[0], column=col["備考"], value=None)
    step = next(r for r in range(HEADER_ROW + 1, sheet.max_row + 1)
                if sheet.cell(row=r, column=col["職種"]).value == "正規")
    sheet.cell(row=step, column=col["職種"], value="アルバイト")  # 委託 is valid now: work already contracted
    workbook.save(folder / "survey.xlsx")
    staff = run_bpm("score", str(folder), "--strict", "--out", str(tmp_path / "staff.csv"))
    assert staff.returncode == 1 and f"survey.xlsx:{step}: " in staff.stderr and "staff-type 1" in staff.stderr
    sheet.cell(row=step, column=col["職種"], value="正規")
    sheet.cell(row=left[0], column=col["分岐確率"], value="半分")
    workbook.save(folder / "survey.xlsx")
    unreadable = run_bpm("score", str(folder), "--strict", "--out", str(tmp_path / "bad.csv"))
    assert unreadable.returncode != 0 and f"row {left[0]}" in unreadable.stderr and "分岐確率" in unreadable.stderr
