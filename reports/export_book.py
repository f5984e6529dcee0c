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
        return data.translate(_NOT_XML)

    def _escape_data(self, data: str) -> str:
        return data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


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
        for row, values in enumerate(rows, start=1):
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
