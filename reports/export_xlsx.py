"""Writing Excel sheets people filter and print: header, widths, formats, formula-safe text, stable bytes.

Used by the lot 仕様書 outline; the results workbook is written by XlsxWriter
(:mod:`reports.export_book`) from the same column widths and text rules, and its
tests compare it with what :func:`write_table` writes.  Sheets are written
in openpyxl's write-only mode (rows streamed to the file, so a table of
100,000 steps does not hold 100,000 × 60 cell objects); the header row is
frozen and carries the autofilter; each column gets a width that fits its
Japanese text (a full-width character is two columns wide) and the number
format of its unit.  Text is user data: it is always a string cell, and text
a spreadsheet would read as a formula gets Excel's quote-prefix flag.
"""

from __future__ import annotations

import errno
import io
import os
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from scoring.table import starts_formula

__all__ = ["HEADER_FILL", "SheetColumn", "column_widths", "display_width", "safe_text", "stable_xlsx_bytes",
           "write_table"]

HEADER_FILL = "DDE4EE"
"""Background of header cells (RGB), here and in :mod:`reports.export_book`."""
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor=HEADER_FILL)
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
_FILTER_BUTTON = 3
"""Columns the autofilter's drop-down button covers at the right of a header."""
_HEADER_WIDTH = 18
"""Widest a header alone makes its column: a longer header wraps onto two lines (numbers stay narrow)."""
_SAMPLE_ROWS = 2_000
"""Rows measured for a column's width (a width needs no more, and a huge table is not read twice)."""


@dataclass(frozen=True, slots=True)
class SheetColumn:
    """How one column of a sheet is written."""

    header: str
    """Header text."""
    number_format: str = "General"
    """Excel number format of its numbers ("@" for text)."""
    min_width: float = 6
    """Narrowest it gets (what its numbers need)."""
    max_width: float = 40
    """Widest it gets (long text stays in the cell, readable in the formula bar)."""


def display_width(text: str) -> int:
    """Columns the text takes in Excel: full-width (and ambiguous) characters count two.

    >>> display_width("年間時間"), display_width("Hours"), display_width("ＡＢ1")
    (8, 5, 5)
    """
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def _cell_width(value: object, number_format: str, limit: float) -> float:
    if value is None:
        return 0
    if isinstance(value, str):
        if len(value) >= limit:  # every character takes at least one column: no need to measure
            return limit
        return max((display_width(line) for line in value.splitlines()), default=0)
    if isinstance(value, float | int) and not isinstance(value, bool):
        decimals = number_format.split(".", 1)[1].count("0") if "." in number_format else 0
        text = f"{value:,.{decimals}f}"
        return len(text) + (1 if "%" in number_format else 0)
    return len(str(value))


def safe_text(value: str) -> str:
    """``value`` with the characters XML 1.0 cannot hold (control characters but tab and newlines) as U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def column_widths(columns: Sequence[SheetColumn], sample: Sequence[Sequence[object]]) -> list[float]:
    """Each column's width: what its header (up to two lines) and its first rows of ``sample`` need, within bounds."""
    widths = []
    rows = sample[:_SAMPLE_ROWS]
    for index, column in enumerate(columns):
        texts: dict[str, float] = {}  # a column's texts repeat (lanes, flows, recommendations): measured once
        measured: float = 0
        for row in rows:
            value = row[index]
            if type(value) is str:
                width = texts.get(value)
                if width is None:
                    width = texts[value] = _cell_width(value, column.number_format, column.max_width)
            else:
                width = _cell_width(value, column.number_format, column.max_width)
            measured = max(measured, width)
        heading = min(display_width(column.header) + _FILTER_BUTTON, _HEADER_WIDTH)
        widths.append(min(column.max_width, max(column.min_width, heading, measured + 1)))
    return widths


class _Cells:
    """Cells of one sheet, styled by copying one template per look (setting styles cell by cell is slow)."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.looks: dict[str, Cell] = {}

    def _look(self, number_format: str) -> Cell:
        template = self.looks.get(number_format)
        if template is None:
            template = WriteOnlyCell(self.sheet, None)
            if number_format == "quote":
                template.quotePrefix = True
            else:
                template.number_format = number_format
            self.looks[number_format] = template
        return template

    def make(self, value: object, number_format: str) -> object:
        """A cell for ``value``: text always a string cell (quote-prefixed when it could start a formula)."""
        if value is None:
            return None
        if isinstance(value, str):
            cell = WriteOnlyCell(self.sheet, safe_text(value))
            cell.data_type = "s"  # openpyxl would make "=…" a formula; a string it stays
            if starts_formula(value):
                cell._style = copy(self._look("quote")._style)  # type: ignore[attr-defined]
            return cell
        if number_format in ("@", "General") or isinstance(value, bool):
            return value
        cell = WriteOnlyCell(self.sheet, cast(float | datetime | None, value))
        cell._style = copy(self._look(number_format)._style)  # type: ignore[attr-defined]
        return cell


def write_table(
    book: Workbook,
    title: str,
    columns: Sequence[SheetColumn],
    rows: Iterable[Sequence[object]],
    *,
    sample: Sequence[Sequence[object]] = (),
    row_count: int | None = None,
) -> WriteOnlyWorksheet:
    """Add a sheet: bold frozen header with an autofilter over the whole table, then ``rows``.

    ``rows`` is streamed once; widths are measured on ``sample`` (the first
    rows, or all of them) and the header.  ``row_count`` is the number of
    data rows (for the filter range); defaults to ``len(sample)``.
    """
    created = book.create_sheet(title)
    assert isinstance(created, WriteOnlyWorksheet), "write_table needs a write-only workbook"
    # A write-only sheet has the layout attributes of a worksheet (openpyxl borrows them); the stubs lack them.
    sheet = cast(Worksheet, created)
    for index, width in enumerate(column_widths(columns, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    count = len(sample) if row_count is None else row_count
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{count + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    head = []
    for column in columns:
        cell = WriteOnlyCell(created, safe_text(column.header))
        cell.data_type = "s"
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        head.append(cell)
    sheet.append(head)
    cells = _Cells(created)
    formats = [c.number_format for c in columns]
    for values in rows:
        sheet.append([cells.make(v, f) for v, f in zip(values, formats, strict=True)])
    return created


def stable_xlsx_bytes(book: Workbook, created: datetime | None) -> bytes:
    """The workbook's bytes; with ``created``, the same bytes for the same content (no save-time stamps).

    ``Workbook.save`` stamps the current time into docProps and every zip
    entry, so the writer is driven directly, the document properties take
    ``created`` and the zip entries are re-stamped with it.
    """
    if created is not None:
        stamp = created.replace(tzinfo=None)
        book.properties.created = stamp
        book.properties.modified = stamp
    raw = io.BytesIO()
    try:
        with ZipFile(raw, "w", ZIP_DEFLATED) as archive:
            ExcelWriter(book, archive).save()
    except etree.SerialisationError as error:
        raise spool_error(error) from None
    if created is None:
        return raw.getvalue()
    when = (max(created.year, 1980), created.month, created.day, created.hour, created.minute, created.second)
    out = io.BytesIO()
    with ZipFile(io.BytesIO(raw.getvalue())) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = ZipInfo(info.filename, date_time=when)
            entry.compress_type = ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def spool_error(error: etree.SerialisationError) -> OSError:
    """The OS error behind a failed write of a write-only sheet's temporary file.

    openpyxl's write-only sheets spool their rows through lxml into a
    temporary file; when the disk is full or a file-size limit is hit lxml
    reports ``IO_ENOSPC`` / ``IO_EFBIG`` as a serialisation error.  As an
    OSError it reaches the same "cannot write the site … File too large"
    message as any other failed write, instead of an internal error.

    >>> spool_error(etree.SerialisationError("IO_EFBIG")).strerror
    'File too large'
    """
    text = str(error)
    code = next((number for name, number in (("ENOSPC", errno.ENOSPC), ("EFBIG", errno.EFBIG),
                                              ("EDQUOT", errno.EDQUOT)) if name in text), errno.EIO)
    return OSError(code, os.strerror(code))
