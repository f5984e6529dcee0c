"""Assessment → one pandas row per step, and the rule that keeps user text from becoming a formula.

The flat table is what people open in Excel and filter, so its columns are
fixed and ordered (a column that moves breaks somebody's pivot table).  The
files themselves (headers in the reader's language, number formats, rank
order, the 前提条件 and 凡例 sheets) are written by :mod:`reports.export_table`.

Names and reasons are user text, and a spreadsheet runs a cell that starts
with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(…)`` leaks data,
``+cmd|…`` starts programs through DDE).  So no text cell ever starts a
formula: in CSV such text gets a leading ``'`` (:func:`csv_safe`, what Excel
itself shows for "text that looks like a formula"), in XLSX it is written as a
string cell with Excel's quote-prefix flag (:func:`starts_formula`), never as a
formula.  Numbers stay numbers.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

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
        "legal_basis": legal.basis.ja if legal.basis is not None
        and step.classified in (Disposition.OUTSOURCE, Disposition.CONTRACTED) else None,
        "legal_resolve": legal.resolve.ja if legal.resolve is not None else _contract_question(step),
        "procedure": legal.procedure or None,
        "proposed": step.proposed.value if step.proposed is not None else None,
    }


def _contract_question(step: StepAssessment) -> str | None:
    """What resolves a contractor doing a step the legal gate would not outsource (when nothing else is open)."""
    found = next((r for r in step.reasons if r.code == "contracted-questioned"), None)
    return found.ja.split("解消方法: ", 1)[-1] if found is not None else None


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
