"""Assessment → one pandas row per step, and writers for CSV, XLSX and JSON.

The flat table is what people open in Excel and filter, so its columns are
fixed and ordered (a column that moves breaks somebody's pivot table), CSV is
written as UTF-8 with a BOM (Excel on Japanese Windows otherwise reads it as
Shift_JIS and garbles every name), and a failed write leaves no half-written
file behind.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pandas as pd

from bpm.errors import RenderError
from scoring.features import FEATURES
from scoring.result import Assessment, Disposition, StepAssessment

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
    *(f"score_{d.value}" for d in Disposition),
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
)
"""Column order of :func:`steps_frame` (stable across versions; append only)."""


def _row(step: StepAssessment) -> dict[str, object]:
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
        **{f"score_{d.value}": step.scores.get(d) for d in Disposition},
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
        **_money_columns(step),
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


def steps_frame(assessment: Assessment) -> pd.DataFrame:
    """One row per step, processes in input order and steps in flow order, columns as :data:`COLUMNS`.

    ``rank`` is a nullable integer (empty for retained and automated steps);
    ``payback_months`` is empty when the step never pays back; the
    ``legal_authority`` feature is shown as true/false (公権力の行使).
    """
    rows = [_row(step) for process in assessment.processes for step in process.steps]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["rank"] = frame["rank"].astype("Int64")
    frame["capacity_rank"] = frame["capacity_rank"].astype("Int64")
    frame["legal_authority"] = frame["legal_authority"].astype(bool)
    numeric = [name for name in FEATURES if name != "legal_authority"]
    money = ("fte_freed", "cash_npv_yen", "cash_npv_low_yen", "cash_npv_high_yen", "capacity")
    for column in ("payback_months", *numeric, *money, *(f"score_{d.value}" for d in Disposition)):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


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
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=path.parent)
    os.close(handle)
    try:
        if suffix == ".csv":
            frame.to_csv(scratch, index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            with pd.ExcelWriter(scratch, engine="openpyxl") as writer:
                frame.to_excel(writer, index=False, sheet_name="results")
        else:
            Path(scratch).write_text(_json_records(frame) + "\n", encoding="utf-8")
        os.replace(scratch, path)
    except OSError as error:
        raise RenderError(f"cannot write results: {error}", file=str(path)) from None
    finally:
        if os.path.exists(scratch):
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
