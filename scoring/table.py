"""Assessment → one pandas row per step, and writers for CSV, XLSX and JSON.

The flat table is what people open in Excel and filter, so its columns are
fixed and ordered (a column that moves breaks somebody's pivot table), CSV is
written as UTF-8 with a BOM (Excel on Japanese Windows otherwise reads it as
Shift_JIS and garbles every name), and a failed write leaves no half-written
file behind.

Names and reasons are user text, and a spreadsheet runs a cell that starts
with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(…)`` leaks data,
``+cmd|…`` starts programs through DDE).  So no text cell ever starts a
formula: in CSV such text gets a leading ``'`` (what Excel itself shows for
"text that looks like a formula"), in XLSX it is written as a string cell with
Excel's quote-prefix flag, never as a formula.  Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
import unicodedata
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from bpm.errors import RenderError
from scoring.decisions import DECISION_COLUMNS, ReviewDecision, Reviews
from scoring.features import FEATURES
from scoring.result import SCORED_DISPOSITIONS, Assessment, Disposition, StepAssessment

LEGAL_COLUMNS = (
    "legal_status",
    "legal_status_ja",
    "legal_evidence",
    "legal_conflict",
    "legal_override",
    "legal_basis",
    "legal_resolve",
    "procedure",
    "proposed",
)
"""The legal gate's columns (see :data:`COLUMNS`)."""

COLUMNS = (
    "rank",
    "flow",
    "process_id",
    "file",
    "step_id",
    "name",
    "lane",
    "kind",
    "visits",
    "annual_count",
    "minutes_per_case",
    "hours_per_year",
    "fte",
    *FEATURES,
    *(f"score_{d.value}" for d in SCORED_DISPOSITIONS),
    "disposition",
    "confidence",
    "reasons_ja",
    "reasons_en",
    "data_sources",
    "yen_per_year",
    "hours_freed_per_year",
    "new_cost_yen_per_year",
    "saving_yen_per_year",
    "one_off_yen",
    "payback_months",
    "net_5y_yen",
    *LEGAL_COLUMNS,
    "fte_freed",
    "cash_npv_yen",
    "cash_npv_low_yen",
    "cash_npv_high_yen",
    "cost_gate",
    "candidate",
    "money_unit",
    "capacity",
    "capacity_rank",
    "section",
    "unit",
    "staff_mix",
    *DECISION_COLUMNS,
)
"""Column order of :func:`steps_frame` (stable across versions; append only).

The ``legal_*`` columns carry the legal gate's verdict: ``legal_status`` is
``authority`` (公権力の行使), ``unknown`` (要確認) or ``factual`` (事実上の行為);
``legal_evidence`` every claim behind it; ``legal_conflict`` the 無 and 有
claims that disagree; ``legal_override`` the written justification used;
``legal_basis`` the 根拠通知 of a step the legal gate let a contractor do; ``legal_resolve`` what would
resolve a 要確認; ``proposed`` what the scores alone recommended when the
gate or the hand-off check changed it.

The money columns keep 人工削減 (``fte_freed``) and 財政効果 (``cash_npv_*``,
NPV over the horizon with its low and high) apart; ``cost_gate`` says why a
candidate was withdrawn (``cost`` or ``feasibility``), ``candidate`` what it
was, ``money_unit`` its lot or robot scenario, ``capacity`` and
``capacity_rank`` the hours × suitability view, ``section`` / ``unit`` /
``staff_mix`` who does the step.

The last three, 判断 / 担当 / コメント, are for the review: empty unless a
decisions sheet was read back (:mod:`scoring.decisions`).
"""


def _row(step: StepAssessment, review: ReviewDecision | None = None) -> dict[str, object]:
    cost = step.cost
    return {
        "rank": step.rank,
        "flow": step.process_name,
        "process_id": step.process_id,
        "file": Path(step.file).name,
        "step_id": step.step_id,
        "name": step.name,
        "lane": step.lane_name,
        "kind": step.kind,
        "visits": step.visits,
        "annual_count": step.annual_count,
        "minutes_per_case": step.minutes_per_case,
        "hours_per_year": cost.hours_per_year,
        "fte": cost.fte,
        **{name: step.features.get(name) for name in FEATURES},
        "legal_authority": step.legal_authority,
        **{f"score_{d.value}": step.scores.get(d) for d in SCORED_DISPOSITIONS},
        "disposition": step.disposition.value,
        "confidence": step.confidence,
        "reasons_ja": " / ".join(r.ja for r in step.reasons),
        "reasons_en": " / ".join(r.en for r in step.reasons),
        "data_sources": "; ".join(f"{k}={v.value}" for k, v in sorted(step.data_sources.items())),
        "yen_per_year": cost.yen_per_year,
        "hours_freed_per_year": cost.hours_freed_per_year,
        "new_cost_yen_per_year": cost.new_cost_yen_per_year,
        "saving_yen_per_year": cost.saving_yen_per_year,
        "one_off_yen": cost.one_off_yen,
        "payback_months": cost.payback_months,
        "net_5y_yen": cost.net_5y_yen,
        **_legal_columns(step),
        **_money_columns(step),
        "判断": review.decision.value if review is not None and review.decision is not None else "",
        "担当": review.owner if review is not None else "",
        "コメント": review.comment if review is not None else "",
    }


def _money_columns(step: StepAssessment) -> dict[str, object]:
    """人工削減 (fte_freed) and 財政効果 (cash_npv_*) side by side, with the cost gate and the capacity view."""
    found = step.money
    org = step.org
    # Adopted steps carry their NPV; withdrawn candidates the NPV they had when the gate withdrew them.
    adopted = found is not None and (bool(found.net_yen_by_year) or found.candidate is not None)
    return {
        "fte_freed": found.fte_freed if found is not None else None,
        "cash_npv_yen": found.npv_yen.base if adopted and found is not None else None,
        "cash_npv_low_yen": found.npv_yen.low if adopted and found is not None else None,
        "cash_npv_high_yen": found.npv_yen.high if adopted and found is not None else None,
        "cost_gate": found.withdrawn if found is not None else "",
        "candidate": found.candidate.value if found is not None and found.candidate is not None else "",
        "money_unit": found.unit_id if found is not None else "",
        "capacity": found.capacity if found is not None else None,
        "capacity_rank": found.capacity_rank if found is not None else None,
        "section": org.section if org is not None else "",
        "unit": org.unit if org is not None else "",
        "staff_mix": "; ".join(f"{t.value}={share:.2f}" for t, share in org.mix.items() if share > 0)
        if org is not None else "",
    }


def _legal_columns(step: StepAssessment) -> dict[str, object]:
    legal = step.legal
    if legal is None:
        return dict.fromkeys(LEGAL_COLUMNS)
    return {
        "legal_status": legal.legal_class.value,
        "legal_status_ja": legal.label_ja,
        "legal_evidence": " / ".join(c.ja for c in legal.claims),
        "legal_conflict": " / ".join(f"{c.factual.ja} ⇔ {c.authority.ja}" for c in legal.conflicts) or None,
        # The origin comes first: the reason is user text and must not start a cell (a leading = is a formula).
        "legal_override": f"{legal.override.origin}: {legal.override.reason}" if legal.override else None,
        # the 根拠通知 of a step the legal gate let the contractor do (also when the cost gate then withdrew it)
        "legal_basis": legal.basis.ja if legal.basis is not None and step.classified is Disposition.OUTSOURCE
        else None,
        "legal_resolve": legal.resolve.ja if legal.resolve is not None else None,
        "procedure": legal.procedure or None,
        "proposed": step.proposed.value if step.proposed is not None else None,
    }


def steps_frame(assessment: Assessment, reviews: Reviews | None = None) -> pd.DataFrame:
    """One row per step, processes in input order and steps in flow order, columns as :data:`COLUMNS`.

    ``rank`` is a nullable integer (empty for retained and automated steps);
    ``payback_months`` is empty when the step never pays back; the
    ``legal_authority`` feature is shown as true/false (公権力の行使); 判断 / 担当 /
    コメント carry the decisions read back with ``reviews`` (empty otherwise).
    """
    rows = [
        _row(step, reviews.of(step) if reviews is not None else None)
        for process in assessment.processes
        for step in process.steps
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["rank"] = frame["rank"].astype("Int64")
    frame["capacity_rank"] = frame["capacity_rank"].astype("Int64")
    frame["legal_authority"] = frame["legal_authority"].astype(bool)
    numeric = [name for name in FEATURES if name != "legal_authority"]
    money = ("fte_freed", "cash_npv_yen", "cash_npv_low_yen", "cash_npv_high_yen", "capacity")
    for column in ("payback_months", *numeric, *money, *(f"score_{d.value}" for d in SCORED_DISPOSITIONS)):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


TableFormat = Literal["csv", "xlsx", "json"]

_FORMULA_STARTS = frozenset("=+-@")
"""First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (or DDE)."""
_CONTROL_STARTS = frozenset("\t\r\n")
"""Cell separators an import may eat, exposing what follows (OWASP CSV injection)."""


def starts_formula(text: str) -> bool:
    r"""Whether a spreadsheet could read ``text`` as a formula.

    Looks past leading spaces and invisible characters (BOM, zero-width
    space), and at full-width forms too (``＝``, ``＋``, ``－``, ``＠``, which
    Japanese input methods produce and Excel accepts as formula starts).

    >>> [starts_formula(t) for t in ("=1+1", "＝SUM(A1)", " @x", "\ufeff-2", "\tA", "申請書受領", "1-2")]
    [True, True, True, True, True, False, False]
    """
    if not text:
        return False
    if text[0] in _CONTROL_STARTS:
        return True
    stripped = "".join(_drop_leading_invisible(text))
    return bool(stripped) and unicodedata.normalize("NFKC", stripped[0])[:1] in _FORMULA_STARTS


def _drop_leading_invisible(text: str) -> str:
    for index, char in enumerate(text):
        if not (char.isspace() or unicodedata.category(char) in ("Cf", "Zs", "Cc")):
            return text[index:]
    return ""


def csv_safe(value: object) -> object:
    r"""A CSV cell value: text that could start a formula gets a leading ``'``; anything else as is.

    >>> csv_safe("=HYPERLINK(\"http://x\")"), csv_safe(-3.5), csv_safe("本人確認")
    ('\'=HYPERLINK("http://x")', -3.5, '本人確認')
    """
    return f"'{value}" if isinstance(value, str) and starts_formula(value) else value


def table_bytes(frame: pd.DataFrame, fmt: TableFormat) -> bytes:
    """The table as a file's content: CSV (UTF-8 with BOM), XLSX or JSON records; formula-safe."""
    if fmt == "csv":
        safe = frame.copy()
        for column in safe.columns:
            if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column])):
                safe[column] = safe[column].astype(object).map(csv_safe)
        # Text quoted, numbers bare: a carriage return inside a name must not start a new row
        # (pandas quotes only fields with "\n"), where its tail would be a fresh cell.
        return safe.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx_bytes(frame)
    if fmt == "json":
        return (_json_records(frame) + "\n").encode("utf-8")
    raise ValueError(f"unknown table format {fmt!r}")


def _xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """One sheet ``results``: header, then one row per step; text cells forced to strings."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    sheet = workbook.create_sheet("results")
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in frame.astype(object).itertuples(index=False, name=None):
        sheet.append([_xlsx_value(v, ILLEGAL_CHARACTERS_RE) for v in record])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl made "=…" a formula; a string it stays
                if starts_formula(cell.value):
                    cell.quotePrefix = True
    stamp = _source_date()
    if stamp is not None:
        workbook.properties.created = workbook.properties.modified = stamp.replace(tzinfo=None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue() if stamp is None else _pin_zip_times(buffer.getvalue(), stamp)


def _source_date() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) as a UTC time, when set to whole seconds."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC) if raw else None
    except (ValueError, OverflowError, OSError):
        return None  # the site refuses a bad value with a clear message; the table just keeps "now"


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _pin_zip_times(data: bytes, stamp: datetime) -> bytes:
    """The XLSX (a zip) with every member dated ``stamp``: zip stamps "now", so two builds of one table
    would differ (and with them a site built with ``SOURCE_DATE_EPOCH``)."""
    when = max(stamp, datetime(1980, 1, 1, tzinfo=UTC)).timetuple()[:6]  # zip's clock starts in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=when)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            content = source.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl dates "modified" while saving
                content = _MODIFIED.sub(rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", content)
            target.writestr(pinned, content)
    return out.getvalue()


def _xlsx_value(value: object, illegal: re.Pattern[str]) -> object:
    """A cell value openpyxl accepts: None for missing, text without XML-illegal characters."""
    if value is None or value is pd.NA:
        return None
    item = getattr(value, "item", None)
    if callable(item):  # numpy scalars
        value = item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    if isinstance(value, str):
        return illegal.sub("\ufffd", value)
    return value


def write_results(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the table by suffix: ``.csv`` (UTF-8 with BOM), ``.xlsx`` or ``.json`` (records, UTF-8).

    Writes to a temporary file next to the target and renames it, so an error
    never leaves a truncated results file.  Raises
    :class:`~bpm.errors.RenderError` for any other suffix.
    """
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix not in (".csv", ".xlsx", ".json"):
        raise RenderError(
            f"unknown results format {path.suffix or '(no suffix)'!r}",
            file=str(path),
            hint="name the output results.csv, results.xlsx or results.json",
        )
    data = table_bytes(frame, suffix[1:])  # type: ignore[arg-type]
    scratch = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(scratch, path)
    except OSError as error:
        raise RenderError(f"cannot write results to {path}: {error.strerror or error}", file=str(path),
                          hint="choose another --out path") from None
    finally:
        if scratch is not None and os.path.exists(scratch):
            os.unlink(scratch)
    return path


def _json_records(frame: pd.DataFrame) -> str:
    """Records as JSON: missing values as null, Japanese unescaped (pandas would escape ``/``)."""

    def plain(value: object) -> object:
        if value is None or value is pd.NA:
            return None
        item = getattr(value, "item", None)
        if callable(item):  # numpy scalars
            value = item()
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    records = [{str(k): plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")]
    return json.dumps(records, ensure_ascii=False, indent=2)
