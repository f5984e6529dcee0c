"""The results workbook written by XlsxWriter: the same sheets and cells as openpyxl wrote, ≈2–2.5× less CPU.

Why XlsxWriter: the results workbook has a cell per step and column (63
columns; 50,000 steps for a city's 1,000 flows, twice: Japanese and
English), and openpyxl builds an lxml element and a cell object per cell
(~50 µs a cell, 2/3 of the downloads' CPU).  XlsxWriter's constant-memory
mode writes each row to a temporary file as soon as the next begins, so
memory stays flat however long the table.

What a reader sees is what :func:`reports.export_xlsx.write_table` wrote
(compared cell by cell in the tests): the header row bold on a blue-grey
fill, wrapped and centred, frozen, with the autofilter over the whole table
and repeated on every printed page; landscape pages; each column's width
(:func:`reports.export_xlsx.column_widths`, written as the same number in
the file); numbers in their unit's format; text always a string cell, never
a formula (``write_string`` only), with Excel's quote-prefix flag where it
could read as one, and characters XML cannot hold replaced by U+FFFD.
Strings are inline strings (constant-memory mode has no shared-string
table); Excel and openpyxl read them as text like any other.  The document's
time stamp is ``created`` and the zip entries carry XlsxWriter's fixed
1980-01-01, so the same table gives the same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from numbers import Real

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from reports.export_xlsx import HEADER_FILL, SheetColumn, column_widths, safe_text
from scoring.table import starts_formula

__all__ = ["ResultsBook"]

_DIGIT_PIXELS = 7
"""Pixels of one character of column width (Calibri 11's widest digit, XlsxWriter's and Excel's default).

Widths are given in pixels (``set_column_pixels``) so that the file holds the
width itself (``set_column`` would add Excel's 5-pixel cell padding on top)."""
_APART = 1e-6
"""Pixels added to every other column's width so that XlsxWriter writes one ``<col>`` per column.

XlsxWriter joins neighbours of equal width into one ``<col min max>`` range;
readers that look a column up by its letter (openpyxl's ``column_dimensions``,
and scripts built on it) then see the default width for all but the first.
The file's width is rounded down to 1/256 of a character, so this changes
no width written."""
_PLAIN_FORMATS = ("@", "General")
"""Column formats under which numbers are written without a format (as openpyxl's write_table did)."""
_NOT_XML = str.maketrans({"\ufffe": "\ufffd", "\uffff": "\ufffd"})


class _TextAsWritten(Worksheet):  # type: ignore[misc]
    """A worksheet whose text cells hold the text itself, as openpyxl (and lxml) write it.

    XlsxWriter writes text as Excel does: a carriage return as ``_x000D_`` and
    a user's literal ``_x0041_`` as ``_x005F_x0041_``.  Excel decodes both, but
    openpyxl and pandas (and so ``bpm``'s own read-back of a decisions sheet)
    do not, and would read ``a_x000D_b`` where the step is named ``a\rb``.
    Here the characters XML cannot hold are already U+FFFD (:func:`safe_text`),
    the rest is written as it is, and a carriage return as ``&#13;`` so that
    XML parsers keep it.  (Hooked in through ``add_worksheet``'s
    ``worksheet_class``; the tests compare every cell with openpyxl's.)
    """

    @staticmethod
    def _escape_control_characters(data: str) -> str:
        # ``translate`` looks every character up in a dict: 0.5 ms for a long Japanese reason; both are rare
        if isinstance(data, str) and ("\ufffe" in data or "\uffff" in data):  # a boolean's 0 or 1 is no text
            return data.translate(_NOT_XML)
        return data

    def _escape_data(self, data: str) -> str:
        if not isinstance(data, str):  # a boolean cell's 0 or 1 (this failed on it before, as no table had one)
            return data
        return data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")

    def _xml_rich_inline_string(self, string: str, attributes: list[tuple[str, str]] | None = None) -> None:
        # XlsxWriter writes any text that starts with ``<r>`` and ends with ``</r>`` raw, as rich-text markup:
        # a step named ``<r>a<b</r>`` would make the workbook unreadable and ``<r><t>x</t></r>`` would show
        # as ``x``.  No table writes rich text, so such a text is text like any other, escaped.
        self._xml_inline_string(string, _preserve_whitespace(string), attributes or [])


_NUMBER, _TEXT, _BOOLEAN, _OTHER = range(4)


def _kind(value: object) -> int:
    """How :meth:`ResultsBook._cell` writes a value of this type (numbers are checked for being finite apart)."""
    if isinstance(value, str):
        return _TEXT
    if isinstance(value, bool):
        return _BOOLEAN
    if isinstance(value, Real):
        return _NUMBER
    return _OTHER


class _RowsInXml:
    """A sheet's data rows written as XML directly: the bytes XlsxWriter's cell writers write, ≈ 3× less CPU.

    XlsxWriter spends ≈ 20 µs a cell in checks, a tuple per cell, attribute
    escaping and a file write per cell; a results table has 63 columns and
    a row per step (50,000 steps at 1,000 flows, twice).  Here a row is one
    string: each cell's XML is what :meth:`Worksheet._write_cell` writes for
    the value :meth:`ResultsBook._cell` would have given it (same text
    rules: a string cell only, the quote-prefix where it could read as a
    formula, U+FFFD for what XML cannot hold), and a text's XML is made once
    per distinct text.  Anything else — a text XlsxWriter would shorten, a
    value that is no text, number or boolean, a row
    with row formatting — leaves the row to XlsxWriter (:meth:`write` says
    so).  The tests compare the bytes with XlsxWriter's own for such values.
    """

    def __init__(self, sheet: Worksheet, looks: Sequence[Format | None], quoted: Format) -> None:
        self._sheet = sheet
        self._looks = looks
        self._quoted = quoted
        self._texts: dict[str, str | None] = {}
        self._kinds: dict[type, int] = {}
        self._columns: list[str] = []
        self._long = sheet.xls_strmax // 2
        # A column format would style every cell without its own (the results sheets set none); XlsxWriter's
        # column records without a ``column_format`` (other versions) leave every row to XlsxWriter.
        self._usable = all(getattr(c, "column_format", True) is None for c in sheet.col_info.values())

    def write(self, row: int, values: Sequence[object]) -> bool:
        """Write ``row`` (False, having written nothing of it, when XlsxWriter must write it)."""
        sheet = self._sheet
        if not self._usable or row >= sheet.xls_rowmax or len(values) > sheet.xls_colmax or row in sheet.row_info:
            return False
        if row > sheet.previous_row:
            sheet._write_single_row(row)  # the row before, if XlsxWriter holds one, as its next cell would
        cells = []
        first = last = -1
        number = str(row + 1)
        columns = self._columns
        while len(columns) < len(values):
            columns.append(xl_col_to_name(len(columns)))
        kinds = self._kinds
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            kind = kinds.get(type(value))
            if kind is None:
                kind = kinds[type(value)] = _kind(value)
            if kind == _TEXT:
                tail = self._texts.get(value, "")  # type: ignore[call-overload]
                if tail == "":
                    tail = self._texts[value] = self._text(value)  # type: ignore[index, arg-type]
                if tail is None:
                    return False
                cells.append(f'<c r="{columns[index]}{number}"{tail}')
            elif kind == _NUMBER and math.isfinite(value):  # type: ignore[arg-type]
                look = self._looks[index]
                style = f' s="{look._get_xf_index()}"' if look else ""
                amount = value if isinstance(value, int | float) else float(value)  # type: ignore[arg-type]
                cells.append(f'<c r="{columns[index]}{number}"{style}><v>{amount:.16G}</v></c>')
            elif kind == _BOOLEAN:
                cells.append(f'<c r="{columns[index]}{number}" t="b"><v>{1 if value else 0}</v></c>')
            else:
                return False
            if first < 0:
                first = index
            last = index
        if first < 0:
            return True  # no cell: XlsxWriter writes no row either
        sheet._check_dimensions(row, first)
        sheet._check_dimensions(row, last)
        sheet._write_row(row, None)
        sheet.fh.write("".join(cells))
        sheet._xml_end_tag("row")
        return True

    def _text(self, value: str) -> str | None:
        """A text cell's XML after its reference (None: XlsxWriter must write it)."""
        text = safe_text(value)
        if len(text) > self._long:
            return None  # shortened by XlsxWriter
        sheet = self._sheet
        text = sheet._escape_control_characters(text)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        style = f' s="{self._quoted._get_xf_index()}"' if starts_formula(value) else ""
        return f'{style} t="inlineStr"><is><t{preserve}>{sheet._escape_data(text)}</t></is></c>'


class ResultsBook:
    """A workbook built sheet by sheet (:meth:`add_table`), then turned into bytes once (:meth:`bytes`)."""

    def __init__(self, created: datetime | None) -> None:
        self._out = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._out, {"constant_memory": True})
        if created is not None:
            self._book.set_properties({"created": created.replace(tzinfo=None)})
        self._header = self._book.add_format({"bold": True, "pattern": 1, "bg_color": f"#{HEADER_FILL}",
                                              "text_wrap": True, "valign": "vcenter"})
        self._quoted = self._book.add_format({"quote_prefix": True})
        self._formats: dict[str, Format] = {}

    def _format(self, number_format: str) -> Format:
        found = self._formats.get(number_format)
        if found is None:
            found = self._formats[number_format] = self._book.add_format({"num_format": number_format})
        return found

    def add_table(
        self,
        title: str,
        columns: Sequence[SheetColumn],
        rows: Iterable[Sequence[object]],
        *,
        sample: Sequence[Sequence[object]] = (),
        row_count: int | None = None,
    ) -> None:
        """A sheet: frozen header with an autofilter over the whole table, then ``rows`` (streamed once).

        Widths are measured on ``sample`` and the headers; ``row_count`` (the
        data rows, for the filter range) defaults to ``len(sample)``.
        """
        sheet = self._book.add_worksheet(title, worksheet_class=_TextAsWritten)
        for index, width in enumerate(column_widths(columns, sample)):
            sheet.set_column_pixels(index, index, width * _DIGIT_PIXELS + _APART * (index % 2))
        count = len(sample) if row_count is None else row_count
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, count, max(len(columns), 1) - 1)
        sheet.repeat_rows(0)
        sheet.set_landscape()
        for index, column in enumerate(columns):
            sheet.write_string(0, index, safe_text(column.header), self._header)
        looks = [None if c.number_format in _PLAIN_FORMATS else self._format(c.number_format) for c in columns]
        rows_in_xml = _RowsInXml(sheet, looks, self._quoted)
        pending: tuple[int, Sequence[object]] | None = None
        for row, values in enumerate(rows, start=1):
            # A row is written when the next one begins, as XlsxWriter writes it (the first use of a format
            # numbers it, so the order of first uses must stay XlsxWriter's); the last row is left to XlsxWriter.
            if pending is not None and not rows_in_xml.write(*pending):
                self._cells(sheet, *pending, looks)
            pending = (row, values)
        if pending is not None:
            self._cells(sheet, *pending, looks)

    def _cells(self, sheet: Worksheet, row: int, values: Sequence[object], looks: Sequence[Format | None]) -> None:
        """A row through XlsxWriter's own cell writers."""
        for index, value in enumerate(values):
            if value is not None and value != "":  # an empty text is an empty cell, as openpyxl wrote it
                self._cell(sheet, row, index, value, looks[index])

    def _cell(self, sheet: Worksheet, row: int, col: int, value: object, look: Format | None) -> None:
        """One cell: text is always a string (never a formula); numbers carry their column's format."""
        if isinstance(value, str):
            sheet.write_string(row, col, safe_text(value), self._quoted if starts_formula(value) else None)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, Real) and math.isfinite(value):
            sheet.write_number(row, col, float(value) if not isinstance(value, int | float) else value, look)
        else:  # a value no results table holds (an infinity, a date): its text, never anything Excel runs
            sheet.write_string(row, col, safe_text(str(value)))

    def bytes(self) -> bytes:
        """The workbook's bytes (call once, after the last sheet).

        A failed write of the temporary sheet files (full disk, file-size
        limit) is raised as the :class:`OSError` behind it, like any other
        failed write of the site.
        """
        try:
            self._book.close()
        except FileCreateError as error:
            cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else error.__context__
            if isinstance(cause, OSError):
                raise cause from None
            raise
        return self._out.getvalue()
