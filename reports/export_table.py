"""The results table as the files people open in Excel (XLSX, CSV) and scripts read (JSON).

A reform team sorts, filters and prints this table and quotes it to a 課長,
so the XLSX has headers in the reader's language (Japanese by default,
English with ``--lang en``), numbers rounded to what their unit means and
shown in its format (時間 ``#,##0.0``, 件 ``#,##0``, 円 with ▲, shares ``%``),
a frozen header with an autofilter, widths that fit Japanese text, the rows
in rank order, and two more sheets: 前提条件 (every parameter with value,
unit, source and 推計/出典) and 凡例 (each column and each recommendation
explained).  The CSV has the same columns, headers, order and rounding,
UTF-8 with a BOM (Excel on Japanese Windows otherwise reads Shift_JIS).  The
JSON stays the raw step table for scripts (English keys, full precision),
in the same row order.

Row order (stated in the 凡例): steps with a rank (recommended on cost, by
rank), then candidates without one by capacity rank (hours × suitability),
then the rest by recommendation (要確認, 職員が担当, 自動化済み, other) and, within
one, by hours a year, largest first; ties keep flow order.

Names and reasons are user text: no cell ever starts a formula (see
:func:`scoring.table.starts_formula`).  A failed write leaves no
half-written file behind.  The workbook's time stamps come from
``SOURCE_DATE_EPOCH`` when set, so the same table gives the same bytes.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from bpm.errors import RenderError, say
from reports.export_assumptions import assumption_head, assumption_rows, source_class
from reports.export_book import ResultsBook
from reports.export_columns import COLUMN_SPECS, FORMATS, ColumnSpec, Lang, header, localise_all
from reports.export_xlsx import SheetColumn
from reports.i18n import t_or
from reports.json_text import exact_float, exact_int, indented_json
from reports.style import DISPOSITION_STYLES
from scoring.result import Assessment, Disposition
from scoring.table import csv_safe

__all__ = [
    "SHEET_NAMES",
    "TableFormat",
    "export_frame",
    "in_rank_order",
    "legend_rows",
    "people_tables",
    "table_bytes",
    "workbook_sheets",
    "write_results",
]

TableFormat = Literal["csv", "xlsx", "json"]

SHEET_NAMES: dict[Lang, tuple[str, str, str]] = {
    "ja": ("手順一覧", "前提条件", "凡例"),
    "en": ("Steps", "Assumptions", "Legend"),
}
"""The workbook's sheets: the table first (what a decisions sheet is read from), then assumptions and legend."""

_REST_ORDER = (Disposition.REVIEW, Disposition.RETAIN, Disposition.AUTOMATED, Disposition.CONTRACTED, Disposition.RPA,
               Disposition.OUTSOURCE)
"""Unranked, non-candidate steps: 要確認 first (it needs someone to act), then staff work, then automated."""

_ORDER_TEXT = {
    "ja": "順位のある手順（費用面で推奨するRPA化・委託）を順位順 → 順位のない候補を能力順位（時間×適性）順 → "
          "残りを処理方針（要確認、職員が担当、自動化済み、委託済み）ごとに年間時間の多い順。同順はフローの順。",
    "en": "Steps with a rank (RPA and outsourcing recommended on cost) by rank, then candidates without a rank by "
          "capacity rank (hours × suitability), then the rest by recommendation (to be confirmed, staff, already "
          "automated, already contracted) with the most hours a year first; ties keep flow order.",
}


def in_rank_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in the order the exports show them (see the module docstring); index reset."""
    if frame.empty:
        return frame.reset_index(drop=True)
    rank = pd.to_numeric(frame["rank"], errors="coerce").astype("float64")
    capacity = pd.to_numeric(frame["capacity_rank"], errors="coerce").astype("float64")
    hours = pd.to_numeric(frame["hours_per_year"], errors="coerce").astype("float64").fillna(0.0)
    rest = {d.value: index for index, d in enumerate(_REST_ORDER)}
    group = frame["disposition"].map(lambda d: 2 + rest.get(str(d), len(rest))).astype("int64")
    group = group.where(capacity.isna(), 1).where(rank.isna(), 0)
    within = (-hours).where(capacity.isna(), capacity).where(rank.isna(), rank)
    keys = pd.DataFrame({"group": group, "within": within, "position": range(len(frame))}, index=frame.index)
    order = keys.sort_values(["group", "within", "position"], kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _spec(key: str) -> ColumnSpec:
    return COLUMN_SPECS.get(key) or ColumnSpec(key, key, key, "text", "", "")


def export_frame(frame: pd.DataFrame, lang: Lang = "ja") -> pd.DataFrame:
    """What the CSV and XLSX hold: rank order, localised headers and coded words, numbers rounded to their unit."""
    return _localised(in_rank_order(frame), lang)


def _localised(ordered: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """:func:`export_frame` of a table already in rank order."""
    columns = {}
    for key in ordered.columns:
        values = ordered[key].astype(object).tolist()
        columns[header(key, lang) if key in COLUMN_SPECS else str(key)] = (localise_all(key, values, lang)
                                                                           if key in COLUMN_SPECS else values)
    return pd.DataFrame(columns, columns=list(columns), dtype=object)


# --------------------------------------------------------------------------- legend


_SOURCE_CLASSES = {
    "[I]": ("仮定・推計した値。実際の値がわかれば評価プロファイルで置き換える",
            "an assumption or estimate; replace it in the profile when the real figure is known"),
    "[I] 要設定": ("仮置きの値。自団体の値を評価プロファイルに設定するまで、結果はこの値に左右される",
                  "a placeholder: the results rest on it until your own figure is set in the profile"),
    "[R]": ("公表資料から読み取った値（出典・根拠の列に資料名）",
            "read from a published source (named in the Source column)"),
    "[D]": ("公表資料の数値から計算した値", "computed from published figures"),
    "[setting]": ("報告の設定（推計ではない）", "a setting of the report, not an estimate"),
}
"""The 推計/出典 classes of the 前提条件 sheet, explained in the 凡例 (keyed by a source tag that yields each)."""


def legend_rows(lang: Lang, keys: Sequence[str]) -> list[list[object]]:
    """The 凡例: row order, each column (header, other-language header, unit, meaning), each recommendation."""
    ja = lang == "ja"
    other: Lang = "en" if ja else "ja"
    rows: list[list[object]] = [["並び順" if ja else "Row order", "", "", _ORDER_TEXT[lang]]]
    for key in keys:
        spec = _spec(key)
        unit = FORMATS[spec.kind].unit_ja if ja else FORMATS[spec.kind].unit_en
        meaning = f"{spec.help_ja}（{header(key, other)}）" if ja else f"{spec.help_en} ({header(key, other)})"
        rows.append(["列" if ja else "Column", header(key, lang) if key in COLUMN_SPECS else key, unit,
                     meaning if key in COLUMN_SPECS else ""])
    for disposition, style in DISPOSITION_STYLES.items():
        rows.append(["処理方針" if ja else "Recommendation", style.ja if ja else style.en, "",
                     t_or(f"disposition_help.{disposition.value}", lang, "")])
    rows.append(["表記" if ja else "Notation", "▲", "円" if ja else "yen",
                 "マイナス（費用が削減額を上回る）。セルの値は負の数" if ja
                 else "negative (costs exceed savings); the cell holds a negative number"])
    sheet = SHEET_NAMES[lang][1]
    for source, (text_ja, text_en) in _SOURCE_CLASSES.items():
        rows.append([sheet, source_class("", source, lang), "", text_ja if ja else text_en])
    return rows


def _legend_columns(lang: Lang) -> list[SheetColumn]:
    heads = ("区分", "項目", "単位", "説明") if lang == "ja" else ("Kind", "Item", "Unit", "Meaning")
    return [SheetColumn(heads[0], "@", 8, 16), SheetColumn(heads[1], "@", 10, 34), SheetColumn(heads[2], "@", 6, 10),
            SheetColumn(heads[3], "@", 20, 100)]


# --------------------------------------------------------------------------- writers


def _created(created: datetime | None) -> datetime:
    if created is not None:
        return created
    from reports.site import build_time  # SOURCE_DATE_EPOCH, checked as the site checks it

    return build_time(os.environ)


Sheet = tuple[str, list[SheetColumn], list[Sequence[object]]]
"""One sheet of the results workbook: title, columns, rows."""


def workbook_sheets(table: pd.DataFrame, keys: Sequence[str], lang: Lang, assessment: Assessment | None) -> list[Sheet]:
    """The sheets of the workbook of a localised ``table`` (:func:`export_frame`) whose step-table columns are ``keys``.

    The table, then 前提条件 (with ``assessment``), then 凡例.
    """
    columns = [
        SheetColumn(name, _spec(key).format.number_format, _spec(key).format.width, _spec(key).max_width)
        for name, key in zip(table.columns, keys, strict=True)
    ]
    steps, assumptions, legend = SHEET_NAMES[lang]
    sheets: list[Sheet] = [(steps, columns, list(table.itertuples(index=False, name=None)))]
    if assessment is not None:
        found = assumption_rows(assessment, lang)
        values: list[Sequence[object]] = [
            [r.group, r.parameter, r.label, r.meaning, r.value, r.low, r.high, r.unit, r.kind, r.source] for r in found
        ]
        head = assumption_head(lang)
        widths = ((8, 24), (18, 40), (12, 36), (20, 70), (8, 30), (8, 14), (8, 14), (6, 16), (8, 16), (20, 90))
        sheets.append((assumptions, [SheetColumn(h, "#,##0.###" if 4 <= i <= 6 else "@", lo, hi)
                                     for i, (h, (lo, hi)) in enumerate(zip(head, widths, strict=True))], values))
    sheets.append((legend, _legend_columns(lang), list(legend_rows(lang, keys))))
    return sheets


def _xlsx_bytes(table: pd.DataFrame, keys: Sequence[str], lang: Lang, assessment: Assessment | None,
                when: datetime) -> bytes:
    book = ResultsBook(when)
    for title, columns, rows in workbook_sheets(table, keys, lang, assessment):
        book.add_table(title, columns, rows, sample=rows)
    return book.bytes()


def _csv_bytes(table: pd.DataFrame) -> bytes:
    """The CSV of a localised ``table`` (:func:`export_frame`)."""
    seen: dict[str, object] = {}

    def safe_cell(value: object) -> object:  # a column's texts repeat: each checked for a formula start once
        if type(value) is not str:
            return csv_safe(value)
        found = seen.get(value)
        if found is None:
            found = seen[value] = csv_safe(value)
        return found

    safe = table.apply(lambda column: column.map(safe_cell))
    # Text quoted, numbers bare: a carriage return inside a name must not start a new row
    # (pandas quotes only fields with "\n"), where its tail would be a fresh cell.
    text: str = safe.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC)
    return text.encode("utf-8-sig")


def people_tables(
    frame: pd.DataFrame,
    *,
    lang: Lang = "ja",
    assessment: Assessment | None = None,
    created: datetime | None = None,
) -> tuple[bytes, bytes]:
    """The CSV and the XLSX of one language, from one localised table (what :func:`table_bytes` makes twice)."""
    when = _created(created)  # checked before any sheet is written
    table = export_frame(frame, lang)
    return _csv_bytes(table), _xlsx_bytes(table, [str(k) for k in frame.columns], lang, assessment, when)


def table_bytes(
    frame: pd.DataFrame,
    fmt: TableFormat,
    *,
    lang: Lang = "ja",
    assessment: Assessment | None = None,
    created: datetime | None = None,
) -> bytes:
    """The table as a file's content: XLSX or CSV for people (``lang``), JSON records for scripts.

    ``assessment`` fills the XLSX's 前提条件 sheet (left out without it);
    ``created`` stamps the workbook (default: ``SOURCE_DATE_EPOCH``, else now).
    """
    if fmt == "csv":
        return _csv_bytes(export_frame(frame, lang))
    if fmt == "xlsx":
        when = _created(created)  # checked before any sheet is written
        return _xlsx_bytes(export_frame(frame, lang), [str(k) for k in frame.columns], lang, assessment, when)
    if fmt == "json":
        return _json_records(in_rank_order(frame)) + b"\n"
    raise ValueError(f"unknown table format {fmt!r}")


def write_results(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    lang: Lang = "ja",
    assessment: Assessment | None = None,
    created: datetime | None = None,
) -> Path:
    """Write the table by suffix: ``.csv`` (UTF-8 with BOM), ``.xlsx`` or ``.json`` (records, UTF-8).

    Writes to a temporary file next to the target and renames it, so an error
    never leaves a truncated results file.  Raises
    :class:`~bpm.errors.RenderError` for any other suffix.
    """
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix not in (".csv", ".xlsx", ".json"):
        raise RenderError(
            say("export.unknown_format", suffix=repr(path.suffix) if path.suffix else say("export.no_suffix")),
            file=str(path),
            hint=say("export.unknown_format_hint"),
        )
    data = table_bytes(frame, suffix[1:], lang=lang, assessment=assessment, created=created)  # type: ignore[arg-type]
    scratch = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(scratch, path)
    except OSError as error:
        raise RenderError(say("export.cannot_write", path=path, reason=error.strerror or error), file=str(path),
                          hint=say("export.cannot_write_hint")) from None
    finally:
        if scratch is not None and os.path.exists(scratch):
            os.unlink(scratch)
    return path


def _json_records(frame: pd.DataFrame) -> bytes:
    """Records as JSON: missing values as null, Japanese unescaped (pandas would escape ``/``)."""
    records = frame.astype(object).to_dict("records")

    def build(fast: bool) -> list[dict[str, object]]:
        number, integer = (exact_float, exact_int) if fast else (float, int)

        def plain(value: object) -> object:
            if value is None or value is pd.NA:
                return None
            item = getattr(value, "item", None)
            if callable(item):  # numpy scalars
                value = item()
            if isinstance(value, float):
                return number(value) if math.isfinite(value) else None
            if isinstance(value, int) and not isinstance(value, bool):
                return integer(value)
            return value

        return [{str(k): plain(v) for k, v in row.items()} for row in records]

    return indented_json(build)
