"""The results workbook's rows written as XML directly are the bytes XlsxWriter's own cell writers write."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from openpyxl import load_workbook

from reports import export_book
from reports.export_book import ResultsBook
from reports.export_xlsx import SheetColumn

_WHEN = datetime(2023, 11, 14, 22, 13, 20)

_COLUMNS = [SheetColumn("名前", "@", 8, 40), SheetColumn("時間", "#,##0.0", 6, 12), SheetColumn("件", "#,##0", 6, 12),
            SheetColumn("率", "0%", 6, 12), SheetColumn("メモ", "General", 6, 60)]

_AWKWARD: list[Sequence[object]] = [
    ["受付", 1.25, 3, 0.5, "普通の文"],
    ["=SUM(A1)", -0.0, 10**17, True, " 前に空白"],
    ["＝全角", float("inf"), float("nan"), False, "後に空白 "],
    ["a\rb\nc", np.float64(2.5), np.int64(7), Fraction(1, 3), "a&<>\"'b"],
    ["ctrl\x01\x1f", None, "", Decimal("1.5"), "\ufffe\uffff"],
    [None, None, None, None, None],
    ["", "", "", "", ""],
    ["<r><t>rich</t></r>", 1, 2, 3, "x" * 20_000],
    ["y" * 40_000, 4, 5, 6, "😀" * 17_000],
    ["_x0041_ literal", datetime(2024, 1, 2), 1.0, 2, "@at"],
    ["same", 1, 1, 1, "same"],
    ["same", 2, 2, 2, "same"],
]


def _book(rows: Sequence[Sequence[object]], later: Sequence[Sequence[object]] = ()) -> bytes:
    book = ResultsBook(_WHEN)
    book.add_table("表", _COLUMNS, rows, sample=rows)
    book.add_table("次", [SheetColumn("数", "#,##0.###", 6, 12), SheetColumn("文", "@", 6, 12)], later, sample=later)
    return book.bytes()


def _by_xlsxwriter(monkeypatch: pytest.MonkeyPatch, rows: Sequence[Sequence[object]],
                   later: Sequence[Sequence[object]] = ()) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(export_book._RowsInXml, "write", lambda self, row, values: False)
        return _book(rows, later)


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("count", [0, 1, 2, len(_AWKWARD)])
def test_rows_in_xml_are_xlsxwriters_bytes(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    rows = _AWKWARD[:count]
    ours = _book(rows, [[1.5, "=x"]])
    theirs = _by_xlsxwriter(monkeypatch, rows, [[1.5, "=x"]])
    assert _entries(ours) == _entries(theirs)
    assert ours == theirs


def test_rows_in_xml_keep_the_order_formats_are_first_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A format first used in a sheet's last row is numbered after the next sheet's (XlsxWriter writes that row
    at the end): the quoted text only in the last row, a number format first used by the next sheet."""
    rows: list[Sequence[object]] = [["a", None, None, None, None], ["b", None, None, None, None],
                                    ["=last", 1.0, None, None, None]]
    later: list[Sequence[object]] = [[2.5, "+also quoted"], [3.0, "plain"]]
    assert _book(rows, later) == _by_xlsxwriter(monkeypatch, rows, later)


def test_rows_in_xml_are_actually_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """All but the last row of a plain table go through the XML writer (else the tests above compare nothing)."""
    written: list[int] = []
    original = export_book._RowsInXml.write

    def spy(self: export_book._RowsInXml, row: int, values: Sequence[object]) -> bool:
        done = original(self, row, values)
        if done:
            written.append(row)
        return done

    monkeypatch.setattr(export_book._RowsInXml, "write", spy)
    _book([["a", 1.0, 2, 0.5, "x"], ["b", 2.0, 3, 0.25, "y"], ["c", 3.0, 4, 0.75, "z"]])
    assert written == [1, 2]


def test_text_is_never_a_formula_when_read_back() -> None:
    sheet = load_workbook(io.BytesIO(_book([*_AWKWARD[:4], ["last", 1, 1, 1, "x"]])))["表"]
    cells = {cell.coordinate: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert cells["A3"].value == "=SUM(A1)" and cells["A3"].data_type == "s" and cells["A3"].quotePrefix
    assert cells["A4"].value == "＝全角" and cells["A4"].quotePrefix
    assert cells["A5"].value == "a\rb\nc"
    assert cells["E5"].value == "a&<>\"'b"
    assert cells["D3"].value is True and cells["B2"].number_format == "#,##0.0"


@pytest.mark.parametrize("text", ["<r>broken<x</r>", "<r><t>hidden</t></r>", "<r></r>", " <r>a</r>"])
def test_text_shaped_like_rich_text_markup_is_kept_as_text(text: str) -> None:
    """XlsxWriter writes a text that starts with ``<r>`` and ends with ``</r>`` raw, as rich-text markup: a step
    so named made the workbook unreadable (or hid part of its name); here it reads back as written, in a row
    written as XML and in the last row (XlsxWriter's own writer)."""
    rows: list[Sequence[object]] = [[text, 1, 1, 1, text], [text, 2, 2, 2, text]]
    book = load_workbook(io.BytesIO(_book(rows)), read_only=True)
    values = [list(row) for row in book["表"].iter_rows(min_row=2, values_only=True)]
    assert [[row[0], row[4]] for row in values] == [[text, text], [text, text]]
