"""The 業務量調査 sheet: read it, check every value, and match rows to BPMN steps.

Measured figures beat everything a BPMN model can suggest, so this module is
strict where a silent mistake would be costly: a bad value (negative minutes,
an exception rate of 1.5, text in a number column) stops the run with the
sheet file, the row number as Excel shows it (header = row 1) and the column.
Rows that match nothing are not dropped: they come back as
:class:`~scoring.result.DataGap` records for the report.

Sheets arrive from Excel on Japanese Windows, so CSV may be UTF-8, UTF-8 with
BOM or cp932 (Shift_JIS); headers may be Japanese or English, in full-width or
half-width letters.

Sheets are hostile input too: reading is bounded by the limits in
:mod:`bpm.limits` (file size, unpacked workbook size, rows, header columns),
an XLSX is streamed (openpyxl read-only mode) and read only as wide as its
header, a CSV quote that never closes is an error naming the row rather than
a cell that swallows the rest of the sheet, and a formula cell Excel never
saved a result for is a data gap naming the cell rather than a silent blank.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpm.errors import Say, SurveyError, say
from bpm.limits import (
    MAX_ANNUAL_COUNT,
    MAX_MINUTES,
    MAX_NUMBER,
    MAX_SURVEY_BYTES,
    MAX_SURVEY_COLUMNS,
    MAX_SURVEY_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
)
from bpm.model import ElementId, EventKind, FlowNode, GatewayKind, Process, ProcessId, TaskKind
from scoring.lexicon import normalize_name
from scoring.result import DataGap
from scoring.suggest import did_you_mean

# --------------------------------------------------------------------------- columns


def _header_key(text: str) -> str:
    """Header key: NFKC, case-folded, without whitespace, ``_`` or ``-``."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text).casefold())


COLUMN_ALIASES: Mapping[str, tuple[str, ...]] = {
    "process": ("業務", "業務名", "flow", "process", "プロセス"),
    "step_id": ("手順ID", "step_id", "id", "要素ID", "element_id"),
    "step": ("手順", "手順名", "step", "name", "step_name"),
    "annual_count": ("件数", "年間件数", "annual_count", "count"),
    "minutes": ("処理時間(分)", "処理時間", "minutes", "minutes_per_case"),
    "exception_rate": ("例外率", "exception_rate"),
    "input": ("入力形式", "input", "input_form"),
    "systems": ("使用システム", "systems", "system"),
    "judgment": ("判断", "judgment", "judgement"),
    "legal_authority": ("公権力の行使", "公権力", "legal_authority"),
    "legal_basis": ("公権力の判断根拠", "判断根拠", "legal_basis", "legal_authority_basis"),
    "probability": ("分岐確率", "確率", "probability"),
    "note": ("備考", "note", "notes", "memo"),
    "section": ("課", "課名", "所属課", "section", "department"),
    "unit": ("係", "係名", "所属係", "unit", "team"),
    "staff_type": ("職種", "任用形態", "職員区分", "staff_type", "employment"),
    "march_count": ("3月件数", "3月", "march_count", "march"),
    "april_count": ("4月件数", "4月", "april_count", "april"),
    "basis": ("推計/出典", "推計・出典", "根拠区分", "basis"),
    "sources": ("出典", "出典キー", "sources", "source"),
    "lane": ("レーン", "担当レーン", "lane"),
    "element_type": ("種類", "要素の種類", "element_type", "type"),
}
"""Canonical column → accepted headers (compared after NFKC, case folding, no spaces/_/-)."""

COLUMN_LABELS: Mapping[str, str] = {name: aliases[0] for name, aliases in COLUMN_ALIASES.items()}
"""Japanese header of each column, for messages."""

_BY_KEY: Mapping[str, str] = {_header_key(a): name for name, aliases in COLUMN_ALIASES.items() for a in aliases}


# --------------------------------------------------------------------------- values


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
"""Decimal digits with an optional point and exponent: no ``nan``, ``inf`` or ``1_000`` (Python spellings)."""
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][+-]?\d+)?")
"""Commas as thousands separators only: ``1,234`` and ``12,345.5``, never ``3,5``."""


def parse_number(value: object, *, units: tuple[str, ...] = (), maximum: float = MAX_NUMBER) -> float | None:
    """A non-negative number from a cell; None when empty.

    Accepts full-width digits, thousands separators and a trailing unit.  A
    comma is read only as a thousands separator between groups of three
    digits: ``3,5`` (a decimal comma, or a typo for 35?) is refused rather
    than guessed, and so are ``nan``, ``inf`` and numbers above ``maximum``
    (see :mod:`bpm.limits`), which would otherwise turn into meaningless hours.

    >>> parse_number("５,２００件", units=("件",))
    5200.0
    >>> parse_number("")
    >>> parse_number("3,5")
    Traceback (most recent call last):
    ...
    ValueError: '3,5' is ambiguous: a comma is read only between groups of three digits (1,234); write 3.5 or 35
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        raise ValueError(say("survey.bool_not_number"))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        for unit in units:
            if text.endswith(unit):
                text = text[: -len(unit)].strip()
        if not text:
            return None
        if "," in text:
            if not _THOUSANDS.fullmatch(text):
                spelled = (say("survey.comma_either", point=text.replace(",", "."), joined=text.replace(",", ""))
                           if text.count(",") == 1 else say("survey.comma_drop", joined=text.replace(",", "")))
                raise ValueError(say("survey.comma_ambiguous", value=repr(value), spelled=spelled))
            text = text.replace(",", "")
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValueError(say("survey.not_number", value=repr(value)))
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(say("survey.not_finite", value=repr(value)))
    if number < 0:
        raise ValueError(say("survey.negative", value=repr(value)))
    if number > maximum:
        raise ValueError(say("survey.over_limit", value=repr(value), limit=f"{maximum:,.0f}"))
    return number


def parse_rate(value: object) -> float | None:
    """A share 0–1 from a cell: ``0.15`` or ``15%``; None when empty.

    >>> parse_rate("15%"), parse_rate(0.2), parse_rate("１２％")
    (0.15, 0.2, 0.12)
    """
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if text.endswith("%"):
            number = parse_number(text[:-1])
            if number is None:
                raise ValueError(say("survey.not_percentage", value=repr(value)))
            number /= 100
            if number > 1:
                raise ValueError(say("survey.over_100", value=repr(value)))
            return round(number, 12)
    number = parse_number(value)
    if number is not None and number > 1:
        raise ValueError(say("survey.over_1", value=repr(value)))
    return number


_TRUE = {"有", "あり", "有り", "はい", "yes", "y", "true", "1", "○", "◯", "〇", "●", "該当"}
_FALSE = {"無", "なし", "無し", "いいえ", "no", "n", "false", "0", "×", "✕", "x", "-", "ー", "非該当"}


def parse_flag(value: object) -> bool | None:
    """Yes/no from a cell (有/無, yes/no, 1/0, ○/×); None when empty.

    >>> parse_flag("有"), parse_flag("No"), parse_flag(1), parse_flag("×"), parse_flag(None)
    (True, False, True, False, None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(say("survey.not_flag", value=repr(value)))


_INPUT_FORMS: Mapping[str, tuple[str, float]] = {
    "紙": ("paper", 0.0),
    "paper": ("paper", 0.0),
    "書面": ("paper", 0.0),
    "電子": ("digital", 1.0),
    "digital": ("digital", 1.0),
    "electronic": ("digital", 1.0),
    "デジタル": ("digital", 1.0),
    "データ": ("digital", 1.0),
    "混在": ("mixed", 0.5),
    "mixed": ("mixed", 0.5),
    "両方": ("mixed", 0.5),
    "both": ("mixed", 0.5),
}


def parse_input_form(value: object) -> tuple[str, float] | None:
    """Input form and its digital share: ``("paper", 0.0)``, ``("mixed", 0.5)``, ``("digital", 1.0)``.

    >>> parse_input_form("電子"), parse_input_form("Mixed")
    (('digital', 1.0), ('mixed', 0.5))
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = normalize_name(str(value))
    if not text:
        return None
    if text in _INPUT_FORMS:
        return _INPUT_FORMS[text]
    raise ValueError(say("survey.not_input_form", value=repr(value)))


def parse_systems(value: object) -> tuple[str, ...]:
    """System names from a cell separated by ・ ; 、 , / or line breaks.

    >>> parse_systems("住基システム・J-LIS端末; CS")
    ('住基システム', 'J-LIS端末', 'CS')
    """
    text = _text(value)
    return tuple(part.strip() for part in re.split(r"[・;；、,，/／\n]", text) if part.strip())


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------- the sheet


@dataclass(frozen=True, slots=True)
class SurveyRow:
    """One checked row of the sheet."""

    line: int
    """Row number as Excel shows it (header = 1)."""
    process: str
    """業務 as written."""
    step_id: str = ""
    """手順ID as written (a step, a sequence flow or empty)."""
    step: str = ""
    """手順 as written; empty on a flow-level row."""
    annual_count: float | None = None
    """件数 per year (cases on a flow-level row, executions on a step row)."""
    minutes: float | None = None
    """処理時間 in minutes per execution."""
    exception_rate: float | None = None
    """例外率 0–1."""
    input_form: str | None = None
    """``paper``, ``digital`` or ``mixed``."""
    digital_share: float | None = None
    """0 (paper), 0.5 (mixed) or 1 (digital)."""
    input_label: str = ""
    """入力形式 as written, for evidence texts."""
    systems: tuple[str, ...] = ()
    """使用システム."""
    judgment: bool | None = None
    """判断 (True = needs judgment)."""
    legal_authority: bool | None = None
    """公権力の行使."""
    legal_basis: str = ""
    """公権力の判断根拠: the written justification that turns the 公権力の行使 cell into an override."""
    probability: float | None = None
    """分岐確率: of the sequence flow named, or the probability that the event named fires."""
    note: str = ""
    """備考."""
    section: str = ""
    """課 (optional column): the section whose staff do the step, as written."""
    unit: str = ""
    """係 (optional column): the unit within the section, as written."""
    staff_type: str = ""
    """職種 (optional column) as written: 正規, 会計年度任用 or 再任用 (the money model reads these)."""
    march_count: float | None = None
    """件数 in March (peak month), when given."""
    april_count: float | None = None
    """件数 in April (peak month), when given."""
    basis: str = ""
    """推計/出典 as written: 推計 (an estimate) or 出典あり (quoted from a source)."""
    sources: str = ""
    """出典: keys of the sources behind the row's figures, as written."""
    lane: str = ""
    """レーン as written (a pre-filled sheet shows where the step is drawn; not used for matching)."""
    element_type: str = ""
    """種類 as written (a pre-filled sheet says whether the row is a 業務, a step or a branch; not used)."""

    @property
    def is_flow_row(self) -> bool:
        """A row about the whole 業務 (no 手順, no 手順ID)."""
        return not self.step and not self.step_id


@dataclass(frozen=True, slots=True)
class Survey:
    """A loaded sheet."""

    file: str
    """Path as given."""
    rows: tuple[SurveyRow, ...]
    """Non-empty rows in sheet order."""
    columns: tuple[str, ...]
    """Canonical columns present."""
    ignored_columns: tuple[str, ...] = ()
    """Headers that are not survey columns (kept out of the analysis, listed as gaps)."""
    sheet: str = ""
    """Worksheet name for XLSX."""
    gaps: tuple[DataGap, ...] = ()
    """What reading noticed without stopping (formula cells Excel saved no result for), for the report."""
    header_line: int = 1
    """Row number of the header as Excel shows it (title rows may sit above it)."""


def load_survey(path: str | Path) -> Survey:
    """Read and check a survey sheet (CSV or XLSX).

    Examples
    --------
    >>> sheet = Path(__file__).resolve().parents[1] / "flows" / "survey.xlsx"
    >>> row = load_survey(sheet).rows[0]
    >>> row.line, row.process, row.annual_count, row.section, row.basis
    (4, '転入届', 5200.0, '市民課', '推計')
    """
    path = Path(path)
    file = str(path)
    suffix = path.suffix.casefold()
    if not path.is_file():
        raise SurveyError(say("survey.not_found"), file=file, hint=say("survey.not_found_hint"))
    if suffix == ".xls":
        raise SurveyError(say("survey.xls"), file=file, hint=say("survey.xls_hint"))
    if suffix not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        raise SurveyError(say("survey.unknown_type", suffix=repr(path.suffix)), file=file,
                          hint=say("survey.unknown_type_hint"))
    size = path.stat().st_size
    if size > MAX_SURVEY_BYTES:
        raise SurveyError(
            say("survey.too_big", size=f"{size / 2**20:.1f}", limit=f"{MAX_SURVEY_BYTES / 2**20:.0f}"),
            file=file,
            hint=say("survey.too_big_hint"),
        )
    table = _read_csv(path) if suffix in (".csv", ".txt", ".tsv") else _read_xlsx(path)
    return _survey_from_table(table, file)


@dataclass(frozen=True, slots=True)
class _Table:
    """Cells of one sheet as read, before any value is checked."""

    rows: list[list[object]]
    """Row ``i`` is the sheet's row ``i + 1`` (as Excel numbers it)."""
    sheet: str = ""
    """Worksheet name (XLSX)."""
    gaps: tuple[DataGap, ...] = ()
    """Cells that could not be read as written (formulas without a saved result)."""
    width: int | None = None
    """Columns read (the header's width, XLSX); None when every cell of a row was read (CSV)."""


def _decode(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or cp932 (Excel on Japanese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp932"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SurveyError(
        say("survey.undecodable"), file=file, hint=say("survey.undecodable_hint")
    )


_QUOTE_HINT = say("survey.quote_hint")


def _read_csv(path: Path) -> _Table:
    """Every record of a CSV, strictly: a malformed quote stops the run naming its row and line."""
    file = str(path)
    text = _decode(path.read_bytes(), file)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    starts: list[int] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise _csv_error(error, file, len(rows) + 1, start, reader.line_num) from None
        if len(rows) >= MAX_SURVEY_ROWS and any(cell.strip() for cell in record):
            raise _too_many_rows(file, len(rows) + 1)
        rows.append(list(record))
        starts.append(start)
    _check_swallowed_rows(rows, starts, delimiter, file)
    return _Table(rows)


def _csv_error(error: csv.Error, file: str, row: int, start: int, end: int) -> SurveyError:
    where = say("survey.row_line", row=row, line=start) if row != start else say("survey.row", row=row)
    if "unexpected end of data" in str(error):
        return SurveyError(
            say("survey.quote_open", where=where, start=start, end=end),
            file=file,
            line=row,
            hint=_QUOTE_HINT,
        )
    if "field larger than field limit" in str(error):
        return SurveyError(say("survey.cell_too_long", where=where, limit=f"{csv.field_size_limit():,}"),
                           file=file, line=row, hint=_QUOTE_HINT)
    return SurveyError(say("survey.malformed_csv", where=where, detail=error), file=file, line=row, hint=_QUOTE_HINT)


def _check_swallowed_rows(rows: Sequence[Sequence[object]], starts: Sequence[int], delimiter: str, file: str) -> None:
    """Refuse a cell that spans lines holding what look like whole rows: a quote closed rows too late.

    A quote left open in one row and closed by a quote in a later row reads as
    valid CSV with every row in between inside one cell; multi-line 備考 are
    fine, lines with as many separators as the header are not.
    """
    width = max((sum(1 for cell in row if str(cell).strip()) for row in rows[:10]), default=0)
    if width < 3:
        return
    for index, row in enumerate(rows):
        for cell in row:
            text = str(cell)
            if "\n" not in text:
                continue
            lines = text.split("\n")
            for offset, line in enumerate(lines[1:], start=1):
                if line.count(delimiter) >= width - 1:
                    raise SurveyError(
                        say("survey.swallowed_rows", where=say("survey.row_line", row=index + 1, line=starts[index]),
                            lines=len(lines), line=starts[index] + offset),
                        file=file,
                        line=index + 1,
                        hint=_QUOTE_HINT,
                    )


def _too_many_rows(file: str, row: int) -> SurveyError:
    return SurveyError(
        say("survey.too_many_rows", row=f"{row:,}", limit=f"{MAX_SURVEY_ROWS:,}"),
        file=file,
        line=row,
        hint=say("survey.too_many_rows_hint"),
    )


def _read_xlsx(path: Path) -> _Table:
    """The survey worksheet, streamed and only as wide as its header row."""
    import openpyxl

    file = str(path)
    _check_unpacked_size(path)
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged or hostile file
        raise SurveyError(say("survey.bad_workbook", reason=_reason(error)), file=file,
                          hint=say("survey.bad_workbook_hint")) from None
    try:
        return _read_worksheets(values, formulas, file)
    except SurveyError:
        raise
    except Exception as error:
        raise SurveyError(say("survey.bad_workbook", reason=_reason(error)), file=file,
                          hint=say("survey.bad_workbook_hint")) from None
    finally:
        values.close()
        formulas.close()


_NO_CELLS: list[object] = []
"""An empty row (shared: never modified)."""


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _cell_name(column: int, row: int) -> str:
    """Excel's name of a cell: 0-based column, 1-based row → ``C3``."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column + 1)}{row}"


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than the limit (a small file can unpack to gigabytes)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SurveyError(say("survey.bad_workbook", reason=_reason(error)), file=str(path),
                          hint=say("survey.bad_workbook_hint")) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise SurveyError(
            say("survey.unpacks_too_big", size=f"{unpacked / 2**20:,.0f}",
                limit=f"{MAX_XLSX_UNPACKED_BYTES / 2**20:.0f}"),
            file=str(path),
            hint=say("survey.unpacks_too_big_hint"),
        )


def _read_worksheets(values: Any, formulas: Any, file: str) -> _Table:
    sheets = list(values.worksheets)
    if not sheets:
        raise SurveyError(say("survey.no_sheets"), file=file)
    preferred = [ws for ws in sheets if normalize_name(str(ws.title)) in ("業務量調査", "survey")]
    chosen = preferred[0] if preferred else sheets[0]
    name = str(chosen.title)
    head = [list(row) for row in chosen.iter_rows(min_row=1, max_row=10, values_only=True)]
    header_index = _find_header(head, file)
    header = head[header_index] if head else []
    width = max((i + 1 for i, cell in enumerate(header) if _text(cell)), default=0)
    if width > MAX_SURVEY_COLUMNS:
        raise SurveyError(
            say("survey.wide_cell", cell=_cell_name(width - 1, header_index + 1), limit=MAX_SURVEY_COLUMNS),
            file=file,
            line=header_index + 1,
            hint=say("survey.wide_hint"),
        )
    width = max(width, 1)
    rows: list[list[object]] = [list(row[:width]) for row in head[: header_index + 1]]
    first = header_index + 2
    for number, values_row in enumerate(chosen.iter_rows(min_row=first, max_col=width, values_only=True), first):
        if values_row.count(None) == len(values_row):
            if number <= MAX_SURVEY_ROWS:
                rows.append(_NO_CELLS)  # gaps between rows cost nothing
            continue
        if number > MAX_SURVEY_ROWS:
            if any(_text(value) for value in values_row):
                raise _too_many_rows(file, number)
            continue
        rows.append(list(values_row))
    gaps: list[DataGap] = []
    written = formulas[name].iter_rows(min_row=first, max_row=len(rows), max_col=width, values_only=True)
    for number, formula_row in enumerate(written, first):
        if formula_row.count(None) == len(formula_row):
            continue
        for index, formula in enumerate(formula_row):
            if isinstance(formula, str) and formula.startswith("=") and rows[number - 1][index] is None:
                gaps.append(DataGap(
                    "formula-without-value",
                    f"cell {_cell_name(index, number)} ({_text(header[index])}) holds a formula Excel saved no "
                    "result for; read as empty (open the sheet in Excel and save it again)",
                    file, number,
                ))
    return _Table(rows, name, tuple(gaps), width)


_PARSERS: Mapping[str, Callable[[object], object]] = {
    "annual_count": lambda v: parse_number(v, units=("件", "回", "/年"), maximum=MAX_ANNUAL_COUNT),
    "march_count": lambda v: parse_number(v, units=("件", "回"), maximum=MAX_ANNUAL_COUNT),
    "april_count": lambda v: parse_number(v, units=("件", "回"), maximum=MAX_ANNUAL_COUNT),
    "minutes": lambda v: parse_number(v, units=("分", "min"), maximum=MAX_MINUTES),
    "exception_rate": parse_rate,
    "probability": parse_rate,
    "judgment": parse_flag,
    "legal_authority": parse_flag,
    "input": parse_input_form,
    "systems": parse_systems,
}


def _survey_from_table(read: _Table, file: str) -> Survey:
    table = read.rows
    header_index = _find_header(table, file)
    columns, ignored = _columns(table[header_index], file, header_index + 1)
    rows: list[SurveyRow] = []
    for offset, cells in enumerate(table[header_index + 1 :], start=header_index + 2):
        if cells.count(None) + cells.count("") == len(cells):
            continue
        row = _row(cells, columns, file, offset)
        if row is not None:
            rows.append(row)
    return Survey(file, tuple(rows), tuple(dict.fromkeys(columns.values())), tuple(ignored), read.sheet, read.gaps,
                  header_index + 1)


def _columns(header: Sequence[object], file: str, line: int) -> tuple[dict[int, str], list[str]]:
    """Which column holds which field (by header text or alias), and the headers that name none.

    Refused: a header past :data:`MAX_SURVEY_COLUMNS`, a field named twice,
    and a sheet without 業務 and 手順 or 手順ID — each with the header's line.
    """
    if len(header) > MAX_SURVEY_COLUMNS and any(_text(cell) for cell in header[MAX_SURVEY_COLUMNS:]):
        raise SurveyError(
            say("survey.wide_column", column=MAX_SURVEY_COLUMNS + 1, limit=MAX_SURVEY_COLUMNS),
            file=file,
            line=line,
            hint=say("survey.wide_hint"),
        )
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        label = _text(cell)
        if not label:
            continue
        name = _BY_KEY.get(_header_key(label))
        if name is None:
            ignored.append(label)
            continue
        if name in columns.values():
            raise SurveyError(
                say("survey.column_twice", label=COLUMN_LABELS[name], name=name, header=repr(label)),
                file=file,
                line=line,
                hint=say("survey.column_twice_hint"),
            )
        columns[index] = name
    if "process" not in columns.values() or not {"step", "step_id"} & set(columns.values()):
        raise SurveyError(
            say("survey.needs_columns"),
            file=file,
            line=line,
            hint=say("survey.needs_columns_hint",
                     headers="; ".join(f"{k}: {'|'.join(v)}" for k, v in COLUMN_ALIASES.items())),
        )
    return columns, ignored


def _row(cells: Sequence[object], columns: Mapping[int, str], file: str, line: int) -> SurveyRow | None:
    """One data row, every cell parsed by its column (a bad cell is refused with its line); None when blank."""
    values: dict[str, object] = {}
    for index, name in columns.items():
        raw = cells[index] if index < len(cells) else None
        values[name] = _parse_cell(name, raw, file, line)
    text_values = {k: _text(cells[i]) if i < len(cells) else "" for i, k in columns.items()}
    if not any(text_values.values()):
        return None
    form = values.get("input")
    assert form is None or isinstance(form, tuple)
    return SurveyRow(
        line=line,
        process=text_values.get("process", ""),
        step_id=text_values.get("step_id", ""),
        step=text_values.get("step", ""),
        annual_count=_float(values.get("annual_count")),
        minutes=_float(values.get("minutes")),
        exception_rate=_float(values.get("exception_rate")),
        input_form=str(form[0]) if form else None,
        digital_share=float(form[1]) if form else None,
        input_label=text_values.get("input", ""),
        systems=tuple(values.get("systems") or ()),  # type: ignore[arg-type]
        judgment=_bool(values.get("judgment")),
        legal_authority=_bool(values.get("legal_authority")),
        legal_basis=text_values.get("legal_basis", ""),
        probability=_float(values.get("probability")),
        note=text_values.get("note", ""),
        section=text_values.get("section", ""),
        unit=text_values.get("unit", ""),
        staff_type=text_values.get("staff_type", ""),
        march_count=_float(values.get("march_count")),
        april_count=_float(values.get("april_count")),
        basis=text_values.get("basis", ""),
        sources=text_values.get("sources", ""),
        lane=text_values.get("lane", ""),
        element_type=text_values.get("element_type", ""),
    )


def _find_header(table: Sequence[Sequence[object]], file: str) -> int:
    """Index of the header row: the first of the first 10 rows naming the 業務 column."""
    for index, row in enumerate(table[:10]):
        if any(_BY_KEY.get(_header_key(_text(cell))) == "process" for cell in row):
            return index
    if not table:
        raise SurveyError(say("survey.empty"), file=file)
    return 0


def _parse_cell(name: str, raw: object, file: str, line: int) -> object:
    parser = _PARSERS.get(name)
    if parser is None:
        return None
    try:
        return parser(raw)
    except ValueError as error:
        raise SurveyError(
            say("survey.bad_cell", line=line, label=COLUMN_LABELS[name], name=name, detail=error),
            file=file,
            line=line,
            hint=_HINTS.get(name),
        ) from None


_HINTS: Mapping[str, Say] = {
    "annual_count": say("survey.hint_annual_count"),
    "march_count": say("survey.hint_march_count"),
    "april_count": say("survey.hint_april_count"),
    "minutes": say("survey.hint_minutes"),
    "exception_rate": say("survey.hint_exception_rate"),
    "probability": say("survey.hint_probability"),
    "judgment": say("survey.hint_flag"),
    "legal_authority": say("survey.hint_flag"),
    "input": say("survey.hint_input"),
}


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class ProcessSteps:
    """A process of the run with the steps that can take survey data."""

    file: str
    """BPMN file."""
    process: Process
    """The process."""
    steps: tuple[FlowNode, ...]
    """Assessable steps."""
    pool_name: str = ""
    """Name of the pool showing the process, when any."""

    @property
    def key(self) -> tuple[str, ProcessId]:
        """(file, process id): process ids are only unique within a file."""
        return (self.file, self.process.id)

    def names(self) -> tuple[set[str], set[str]]:
        """Normalised (strong names: id, name, pool) and (weak names: file stem)."""
        strong = {normalize_name(n) for n in (self.process.id, self.process.name, self.pool_name) if n}
        return strong, {normalize_name(Path(self.file).stem)}


StepKey = tuple[str, ProcessId, ElementId]


@dataclass(frozen=True, slots=True)
class SurveyMatch:
    """Rows matched to processes, steps and branches, plus every row that did not fit."""

    cases: Mapping[tuple[str, ProcessId], SurveyRow] = field(default_factory=dict)
    """Flow-level rows (annual cases) by (file, process id)."""
    steps: Mapping[StepKey, SurveyRow] = field(default_factory=dict)
    """Step rows by (file, process id, element id)."""
    probabilities: Mapping[tuple[str, ProcessId], Mapping[ElementId, SurveyRow]] = field(default_factory=dict)
    """Branch rows (分岐確率) by process, then the id :mod:`bpm.visits` reads them by: a sequence flow,
    a boundary event, an event sub-process or its start event, or an alternative start event."""
    gaps: tuple[DataGap, ...] = ()
    """Unmatched, ambiguous, duplicate and unused rows."""


def match_survey(survey: Survey, processes: Sequence[ProcessSteps]) -> SurveyMatch:
    """Match every row to a process and then a step (by 手順ID, else by normalised name).

    Name matching ignores 全角/半角, case and all whitespace, so
    「住基システム　入力」 finds the step 「住基システム入力」.  A row is matched
    only within its 業務 (process id, process or pool name, or file stem) — the
    same step name occurs in many flows (本人確認).

    A row with 分岐確率 may name, besides a sequence flow (by 手順ID), an
    event that fires instead of the normal path — a boundary event such as a
    「1か月経過」 timer, an event sub-process or its start event, one of several
    start events, an event after an event-based gateway — by 手順ID or, when no
    step has that name, by name.  Its probability lands in ``probabilities``
    under the id :mod:`bpm.visits` reads it by, exactly like a flow's.
    """
    return _Matcher(survey, processes).run()


_Target = tuple[ProcessSteps, FlowNode | str]
"""A matched row's process and element (a flow node, or a sequence flow's id)."""


class _Matcher:
    """One pass over a survey's rows: each row lands in one table or becomes one gap, in row order.

    Why a class: the four kinds of row (a flow's 件数, a branch probability,
    a step's figures, or a row that matches nothing) share the tables and the
    gap list; one method per kind keeps each decision readable.
    """

    def __init__(self, survey: Survey, processes: Sequence[ProcessSteps]) -> None:
        self.survey = survey
        self.processes = processes
        self.index = _NameIndex(processes)
        self.cases: dict[tuple[str, ProcessId], SurveyRow] = {}
        self.steps: dict[StepKey, SurveyRow] = {}
        self.probabilities: dict[tuple[str, ProcessId], dict[ElementId, SurveyRow]] = {}
        self.gaps: list[DataGap] = []

    def gap(self, kind: str, row: SurveyRow, message: str, element_id: str | None = None) -> None:
        self.gaps.append(DataGap(kind, message, self.survey.file, row.line, element_id))

    def run(self) -> SurveyMatch:
        survey = self.survey
        for column in survey.ignored_columns:
            self.gaps.append(DataGap("unknown-column", f"column {column!r} is not a survey column; ignored"
                                     f"{suggest_column(column, survey.columns)}", survey.file, survey.header_line))
        self.gaps.extend(survey.gaps)
        for row in survey.rows:
            self._row(row)
        return SurveyMatch(self.cases, self.steps, self.probabilities, tuple(self.gaps))

    def _row(self, row: SurveyRow) -> None:
        label = _row_label(row)
        candidates = self.index.candidates(row)
        if not row.process:
            self.gap("unmatched-row", row, f"{label}: 業務 (flow) is empty", row.step_id or None)
            return
        if not candidates:
            known = self.index.known()
            self.gap("unmatched-row", row, f"{label}: 業務 {row.process!r} matches no process (processes: {known})"
                     f"{did_you_mean(row.process, _process_names(self.processes))}", row.step_id or None)
            return
        if row.is_flow_row or (row.step_id and not row.step and _is_process_id(row.step_id, candidates)):
            self._flow_row(row, label, candidates)
            return
        target = self._target(row, label, candidates)
        if target is None:
            return
        owner, element = target
        chance = _Chance(ElementId(element), f"sequence flow {element}") if isinstance(element, str) else (
            _chance_of(owner.process, element))
        if chance is not None:  # a branch probability, of a flow or of an event that fires instead
            self._branch_row(row, label, owner, chance)
            return
        assert not isinstance(element, str)  # a flow always takes a probability (above)
        self._step_row(row, label, owner, element)

    def _flow_row(self, row: SurveyRow, label: str, candidates: Sequence[ProcessSteps]) -> None:
        """A flow's row: its 件数 (annual cases), once per process."""
        chosen = [c for c in candidates if not row.step_id or c.process.id == row.step_id]
        if len(chosen) != 1:
            self.gap("ambiguous-row", row, f"{label}: 業務 {row.process!r} names {len(chosen)} processes",
                     row.step_id or None)
        elif row.annual_count is None:
            if not_yet_surveyed(row):
                self.gap("not-surveyed", row, f"{label}: 件数 (annual cases) not filled in yet; the flow's "
                         "BPMN value or the profile default is used")
            else:
                self.gap("unused-row", row, f"{label}: flow-level row without 件数 (annual cases)")
        elif chosen[0].key in self.cases:
            self.gap("duplicate-row", row,
                     f"{label}: annual cases already given in row {self.cases[chosen[0].key].line}")
        else:
            self.cases[chosen[0].key] = row

    def _target(self, row: SurveyRow, label: str, candidates: Sequence[ProcessSteps]) -> _Target | None:
        """The element a step row names: by 手順ID, else by name; None (and a gap) when none or several."""
        by_id = _find_by_id(row, candidates) if row.step_id else []
        if len(by_id) > 1:
            files = ", ".join(sorted({Path(owner.file).name for owner, _ in by_id}))
            self.gap("ambiguous-row", row, f"{label}: 手順ID {row.step_id!r} exists in several processes ({files})",
                     row.step_id)
            return None
        if by_id:
            return by_id[0]
        if row.step_id:
            if not row.step:
                self.gap("unmatched-row", row, f"{label}: 手順ID {row.step_id!r} is not an element of "
                         f"{row.process!r}{did_you_mean(row.step_id, _element_ids(candidates))}", row.step_id)
                return None
            self.gap("unmatched-id", row, f"{label}: 手順ID {row.step_id!r} not found; matching by name instead",
                     row.step_id)
        found = self.index.steps_named(row, candidates) or _find_event_by_name(row, candidates)
        if len(found) > 1:
            ids = ", ".join(f"{n.id}" for _, n in found)
            self.gap("ambiguous-row", row, f"{label}: 手順 {row.step!r} matches {len(found)} steps ({ids})",
                     str(found[0][1].id))
            return None
        if not found:
            self.gap("unmatched-row", row, f"{label}: 手順 {row.step!r} matches no step of {row.process!r}"
                     f"{did_you_mean(row.step, _step_names(candidates))}", row.step_id or None)
            return None
        return found[0]

    def _branch_row(self, row: SurveyRow, label: str, owner: ProcessSteps, chance: _Chance) -> None:
        """A branch probability (分岐確率) of a flow or of an event that fires instead, once per branch."""
        if row.probability is None:
            if not_yet_surveyed(row):
                self.gap("not-surveyed", row, f"{label}: 分岐確率 of {chance.what} not filled in yet; the BPMN's "
                         "shares or the default split are used", chance.via)
            else:
                self.gap("unused-row", row, f"{label}: {chance.what} without 分岐確率{chance.hint}", chance.via)
            return
        branch = self.probabilities.setdefault(owner.key, {})
        if chance.via in branch:
            self.gap("duplicate-row", row, f"{label}: 分岐確率 of {chance.what} already given in row "
                     f"{branch[chance.via].line}", chance.via)
            return
        branch[chance.via] = row

    def _step_row(self, row: SurveyRow, label: str, owner: ProcessSteps, element: FlowNode) -> None:
        """A step's figures (minutes, shares…), once per assessed step."""
        key: StepKey = (owner.file, owner.process.id, element.id)
        if element.id not in {s.id for s in owner.steps}:
            self.gap("unmatched-row", row, f"{label}: {element.id} is a {element.kind.value}, not an assessed step",
                     element.id)
        elif key in self.steps:
            self.gap("duplicate-row", row, f"{label}: step {element.id} already has row {self.steps[key].line}",
                     element.id)
        else:
            self.steps[key] = row


def suggest_column(header: str, present: Sequence[str] = ()) -> str:
    """ "Did you mean" for a header that names no column: the closest headers of columns not yet in the sheet.

    >>> suggest_column("処理時問(分)")
    ' — 「処理時間(分)」のことですか？ / did you mean 処理時間(分)?'
    """
    return did_you_mean(header, [a for name, aliases in COLUMN_ALIASES.items() if name not in present
                                 for a in aliases])


def _process_names(processes: Sequence[ProcessSteps]) -> list[str]:
    """Every name a 業務 cell may use: process names, pool names, ids and file names."""
    names = [n for p in processes for n in (p.process.name, p.pool_name, p.process.id) if n]
    return names + [Path(p.file).stem for p in processes]


def _element_ids(candidates: Sequence[ProcessSteps]) -> list[str]:
    """Ids a 手順ID cell of these processes may use: elements and sequence flows."""
    return [str(i) for c in candidates for i in (*c.process.nodes, *c.process.flows)]


def _step_names(candidates: Sequence[ProcessSteps]) -> list[str]:
    """Names a 手順 cell of these processes may use: steps, then events that take a 分岐確率."""
    steps = [" ".join(n.name.split()) for c in candidates for n in c.steps if n.name]
    events = [" ".join(n.name.split()) for c in candidates for n in c.process.nodes.values()
              if n.name and _chance_of(c.process, n) is not None]
    return steps + events


def not_yet_surveyed(row: SurveyRow) -> bool:
    """Nothing was entered on the row: only what ``bpm survey`` prefills (業務, 手順ID, 手順, レーン, 種類) and,
    at most, who does the work (課, 係, 職種).

    ``bpm survey`` writes a row for every 業務, step and branch, and a team
    surveys a few 業務 at a time: a row left as generated is data not yet
    collected (counted with the other missing data), not a mistake in the
    sheet.  A row with anything else written on it (a 備考, a 判断, a 件数 on
    a branch row) but without the figure its kind needs is still a mistake:
    someone meant that row to say something.  A cell that cannot be read
    (``abc`` in 分岐確率) never gets here: reading the sheet stops with an error.

    >>> not_yet_surveyed(SurveyRow(4, "転入届", "Flow_A", "要否? → 要", lane="窓口", section="市民課"))
    True
    >>> not_yet_surveyed(SurveyRow(5, "転入届", "Flow_A", "要否? → 要", note="後で確認"))
    False
    """
    figures = (row.annual_count, row.minutes, row.exception_rate, row.input_form, row.digital_share,
               row.judgment, row.legal_authority, row.probability, row.march_count, row.april_count)
    texts = (row.input_label, row.legal_basis, row.note, row.basis, row.sources, *row.systems)
    return all(value is None for value in figures) and not any(text.strip() for text in texts)


def _row_label(row: SurveyRow) -> str:
    name = row.step or row.step_id or "(flow)"
    return f"row {row.line} {row.process}/{name}"


class _NameIndex:
    """The run's processes and steps by normalised name, built once.

    A city's 業務量調査 sheet has a row per step of every flow, so matching
    each row by scanning every process (and normalising every step's name
    again) grew with rows × flows: most of ``bpm score``'s time at 1,000 flows.
    Lists keep the processes' and steps' input order, so a match (and an
    ambiguity message) is the same as a scan would find.
    """

    def __init__(self, processes: Sequence[ProcessSteps]) -> None:
        self.processes = processes
        self.strong: dict[str, list[ProcessSteps]] = {}
        self.weak: dict[str, list[ProcessSteps]] = {}
        for process in processes:
            strong, weak = process.names()
            for name in strong:
                self.strong.setdefault(name, []).append(process)
            for name in weak:
                self.weak.setdefault(name, []).append(process)
        self._steps: dict[int, dict[str, list[FlowNode]]] = {}
        self._known: str | None = None

    def candidates(self, row: SurveyRow) -> list[ProcessSteps]:
        """The processes a row's 業務 names: by id, name or pool; else by file stem."""
        key = normalize_name(row.process)
        if not key:
            return []
        return list(self.strong.get(key) or self.weak.get(key) or ())

    def steps_named(self, row: SurveyRow, candidates: Sequence[ProcessSteps]) -> list[tuple[ProcessSteps, FlowNode]]:
        """The candidates' steps whose normalised name is the row's 手順."""
        key = normalize_name(row.step)
        if not key:
            return []
        return [(c, node) for c in candidates for node in self._names_of(c).get(key, ())]

    def _names_of(self, candidate: ProcessSteps) -> dict[str, list[FlowNode]]:
        found = self._steps.get(id(candidate))
        if found is None:
            found = {}
            for node in candidate.steps:
                found.setdefault(normalize_name(node.name), []).append(node)
            self._steps[id(candidate)] = found
        return found

    def known(self) -> str:
        """Every process name, for the message of a row that names none."""
        if self._known is None:
            self._known = "、".join(sorted({p.process.name or p.process.id for p in self.processes})) or "none"
        return self._known


def _is_process_id(step_id: str, candidates: Sequence[ProcessSteps]) -> bool:
    return any(c.process.id == step_id for c in candidates)


def _find_by_id(row: SurveyRow, candidates: Sequence[ProcessSteps]) -> list[tuple[ProcessSteps, FlowNode | str]]:
    found: list[tuple[ProcessSteps, FlowNode | str]] = []
    for candidate in candidates:
        element_id = ElementId(row.step_id)
        node = candidate.process.nodes.get(element_id)
        if node is not None:
            found.append((candidate, node))
        elif element_id in candidate.process.flows:
            found.append((candidate, row.step_id))
    return found


def _find_event_by_name(row: SurveyRow, candidates: Sequence[ProcessSteps]) -> list[tuple[ProcessSteps, FlowNode]]:
    """Events that fire instead of the normal path, by name; tried only when no step has the name.

    Steps first, so that an event named like a step (a start event 「転入届」)
    never makes a step row ambiguous.
    """
    key = normalize_name(row.step)
    return [
        (c, n) for c in candidates for n in c.process.nodes.values()
        if key and normalize_name(n.name) == key and _chance_of(c.process, n) is not None
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Chance:
    """Where a row's 分岐確率 goes: the id :func:`bpm.visits.expected_visits` reads it by."""

    via: ElementId
    """Override key: a sequence flow, or the event (or event sub-process) itself."""
    what: str
    """The element, for messages."""
    hint: str = ""
    """What the probability means, appended to the unused-row message."""


def _chance_of(process: Process, node: FlowNode) -> _Chance | None:
    """The probability a row about ``node`` can give, or None when ``node`` takes no probability.

    These are the elements :mod:`bpm.visits` asks a probability of besides
    sequence flows: a boundary event (per firing of its host), an event
    sub-process or its start event (per activation of the enclosing level),
    one of several start events of a level (the share of cases starting
    there), and an event after an event-based gateway, whose probability is
    that of the gateway's flow into it.
    """
    what = f"{node.kind.value} {node.id}"
    if node.kind is EventKind.BOUNDARY:
        return _Chance(node.id, what, " (the share of firings of its activity on which it fires)")
    parent = process.nodes.get(node.parent_id) if node.parent_id else None
    if isinstance(node.kind, TaskKind) and node.kind.is_container and node.triggered_by_event:
        return _Chance(node.id, f"event sub-process {node.id}", " (the share of activations on which it runs)")
    if node.kind is EventKind.START and parent is not None and parent.triggered_by_event:
        return _Chance(node.id, what, " (the share of activations on which its event sub-process runs)")
    if node.kind is EventKind.START and node.id in _alternative_starts(process, node.parent_id):
        return _Chance(node.id, what, " (the share of cases that start here)")
    if isinstance(node.kind, EventKind):
        gateway_flows = [
            f for f in process.flows.values()
            if f.target_id == node.id and (g := process.nodes.get(f.source_id)) is not None
            and g.kind is GatewayKind.EVENT_BASED
        ]  # fmt: skip
        if len(gateway_flows) == 1:
            flow = gateway_flows[0]
            return _Chance(flow.id, f"{what} (flow {flow.id} after event-based gateway {flow.source_id})",
                           " (the share of firings of the gateway that continue here)")
    return None


def probability_target(process: Process, node: FlowNode) -> tuple[ElementId, str] | None:
    """For an event that fires instead of the normal path: the 手順ID its 分岐確率 row names, and what it is.

    The id is the one :func:`match_survey` files the row under (for an event
    after an event-based gateway, the gateway's flow into it), so a sheet that
    names it reads back exactly; the label is Japanese, for the sheet's 種類.

    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p">
    ...   <task id="t"/><boundaryEvent id="b" attachedToRef="t"><timerEventDefinition/></boundaryEvent>
    ... </process></definitions>'''
    >>> process = read_bpmn_bytes(xml, "x.bpmn").processes["p"]
    >>> probability_target(process, process.nodes["b"]), probability_target(process, process.nodes["t"])
    (('b', '境界イベント（起きる割合）'), None)
    """
    chance = _chance_of(process, node)
    if chance is None or not isinstance(node.kind, EventKind):
        return None
    if node.kind is EventKind.BOUNDARY:
        label = "境界イベント（起きる割合）"
    elif node.kind is EventKind.START:
        alternative = chance.hint.startswith(" (the share of cases")
        label = "開始イベント（割合）" if alternative else "イベントサブプロセス（起きる割合）"
    else:
        label = "イベント（進む割合）"
    return chance.via, label


def _alternative_starts(process: Process, level: ElementId | None) -> set[ElementId]:
    """Start events of one level when there are several (each takes a share of the starts), else none.

    Mirrors how :mod:`bpm.visits` finds a level's entries: start events without
    incoming flows (in a plain sub-process only the untriggered ones when any)
    and instantiating receive tasks.
    """
    targets = {f.target_id for f in process.flows.values()}
    starts = [
        n for n in process.nodes.values()
        if n.kind is EventKind.START and n.parent_id == level and n.id not in targets
    ]  # fmt: skip
    container = process.nodes.get(level) if level is not None else None
    if container is not None and not container.triggered_by_event:
        starts = [n for n in starts if not n.triggers] or starts
    instantiating = [
        n for n in process.nodes.values()
        if n.instantiate and n.kind is not EventKind.START and n.parent_id == level and n.id not in targets
    ]  # fmt: skip
    return {n.id for n in starts} if len(starts) + len(instantiating) > 1 else set()
