"""Steps a contractor already does today (委託済み): how they are recognised and what the legal gate says of them.

Why a state of its own: a step a 委託事業者 already does is not staff work.
Counting it as staff hours inflates the staff totals, FTE and capacity, and
proposing it "for outsourcing" promises a saving the city banked years ago.
It is also not beyond the law: the legal gate checks what the contractor does
exactly as it checks a proposal, and a step of public authority (or one whose
legal status is open) in a contractor's hands is a contradiction the report
must show loudly, never accept silently.

Two sources say a contractor does a step, in the precedence of every
measurement (survey > BPMN): 職種「委託」 (or ``contractor``) in the survey row,
and a lane whose name says so (委託, 受託, 事業者, contractor).  When they
disagree the survey is used and the disagreement is a data-quality notice
naming the sheet row, the BPMN file and the step id.

:mod:`scoring.compare` reads contractor lanes with the same words (it
re-exports :func:`is_contractor_lane` from here).
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.legal import gate
from scoring.lexicon import normalize_name
from scoring.result import Contracted, DataGap, Disposition, EvidenceSource, LegalClass, LegalStatus, Reason
from scoring.staffing import parse_staff_type

__all__ = [
    "CONTRACTOR_LANE_WORDS",
    "CONTRACTOR_STAFF_WORDS",
    "ContractedCheck",
    "contracted_check",
    "contracted_gate",
    "is_contractor_lane",
    "is_contractor_staff_type",
]

CONTRACTOR_LANE_WORDS = ("委託", "受託", "事業者", "contractor", "outsourc")
"""Lane names that mark work a contractor does today (counted as contractor hours, not staff hours)."""

CONTRACTOR_STAFF_WORDS = ("委託", "受託", "contractor", "outsourc")
"""職種 cells that say a contractor does the step today (委託, 受託者, contractor, outsourced)."""


def is_contractor_lane(lane_name: str) -> bool:
    """True when a lane's name says a contractor does its work today.

    >>> is_contractor_lane("委託事業者（窓口業務）"), is_contractor_lane("窓口受付")
    (True, False)
    """
    text = normalize_name(lane_name)
    return any(word in text for word in CONTRACTOR_LANE_WORDS)


def is_contractor_staff_type(text: str) -> bool:
    """True when a survey 職種 cell says a contractor does the step (委託, 受託者, contractor).

    >>> is_contractor_staff_type("委託"), is_contractor_staff_type(" Contractor "), is_contractor_staff_type("正規")
    (True, True, False)
    """
    found = normalize_name(text)
    return bool(found) and any(word in found for word in CONTRACTOR_STAFF_WORDS)


@dataclass(frozen=True, slots=True)
class ContractedCheck:
    """Whether a step is already contracted, and the notice when lane and survey disagree."""

    contracted: Contracted | None
    """The evidence when a contractor does the step today; None for staff work."""
    conflict: DataGap | None
    """``contracted-conflict`` when the lane and the survey's 職種 disagree (the survey is used)."""


def contracted_check(
    *,
    label: str,
    lane_name: str,
    staff_type: str,
    survey_file: str,
    row_line: int | None,
    bpmn_file: str,
    step_id: str,
) -> ContractedCheck:
    """Read the lane and the survey's 職種 cell of one step (``row_line`` None: no survey row).

    >>> c = contracted_check(label="開封", lane_name="委託事業者", staff_type="", survey_file="",
    ...                      row_line=None, bpmn_file="y.bpmn", step_id="A")
    >>> c.contracted.source.value, c.conflict
    ('structure', None)
    >>> c = contracted_check(label="開封", lane_name="委託事業者", staff_type="正規", survey_file="s.xlsx",
    ...                      row_line=7, bpmn_file="y.bpmn", step_id="A")
    >>> c.contracted, c.conflict.kind, c.conflict.line
    (None, 'contracted-conflict', 7)
    """
    lane = is_contractor_lane(lane_name) if lane_name else False
    cell = staff_type.strip() if row_line is not None else ""
    survey_contractor = is_contractor_staff_type(cell)
    survey_staff = not survey_contractor and parse_staff_type(cell) is not None
    if survey_contractor:
        detail = f"調査票 行{row_line}: 職種 = {cell}" + (f"; レーン「{lane_name}」" if lane else "")
        conflict = None
        if not lane:
            where = f"レーン「{lane_name}」" if lane_name else "レーンなし"
            conflict = DataGap(
                "contracted-conflict",
                f"{label}: 調査票 行{row_line} の職種「{cell}」は受託者だが、{bpmn_file} の{where}は職員の担当 — "
                "調査票を採用（委託済み） / the survey says a contractor does it but the lane of the BPMN is staff: "
                f"the survey is used (already contracted) [{bpmn_file} id={step_id}]",
                survey_file, row_line, step_id,
            )
        return ContractedCheck(Contracted(EvidenceSource.SURVEY, detail), conflict)
    if lane and survey_staff:
        return ContractedCheck(None, DataGap(
            "contracted-conflict",
            f"{label}: {bpmn_file} のレーン「{lane_name}」は受託者だが、調査票 行{row_line} の職種は「{cell}」— "
            "調査票を採用（職員の作業） / the lane says a contractor does it but the survey's 職種 is staff: the "
            f"survey is used (staff work) [{bpmn_file} id={step_id}]",
            survey_file, row_line, step_id,
        ))
    if lane:
        return ContractedCheck(Contracted(EvidenceSource.STRUCTURE, f"レーン「{lane_name}」"), None)
    return ContractedCheck(None, None)


_WHY = {
    LegalClass.AUTHORITY: ("公権力の行使に当たる", "it exercises public authority"),
    LegalClass.UNKNOWN: ("公権力の行使に当たるかが確定していない", "whether it exercises public authority is open"),
    LegalClass.FACTUAL: ("事実上の行為だが委託の根拠（根拠通知・条件）が確認できない",
                         "a factual act, but no outsourcing basis (notice and conditions) is established"),
}


def contracted_gate(legal: LegalStatus, contracted: Contracted) -> tuple[Disposition, tuple[Reason, ...]]:
    """The legal gate on what the contractor already does: 委託済み when the law permits it, else 要確認.

    The gate is asked exactly as for an outsourcing proposal (only the legal
    verdict decides).  When it would not outsource the step, the contract
    contradicts the law as far as the evidence goes: the step is REVIEW with
    the reason and what resolves it, never accepted as contracted.

    >>> from scoring.result import Contracted, EvidenceSource
    >>> lane = Contracted(EvidenceSource.STRUCTURE, "レーン「委託事業者」")
    >>> d, reasons = contracted_gate(LegalStatus(LegalClass.AUTHORITY), lane)
    >>> d.value, reasons[0].code
    ('review', 'contracted-questioned')
    """
    decided = gate(Disposition.CONTRACTED, legal)
    if decided.disposition is Disposition.CONTRACTED:
        return Disposition.CONTRACTED, (Reason(
            "contracted",
            f"委託済み: 受託者が現在行っている（{contracted.detail}）。職員の時間は減らず、委託候補にしない。"
            "時間は受託者の時間として数える",
            f"Already contracted: a contractor does this today ({contracted.detail}). It frees no staff hours and "
            "is not proposed again; its hours count as contractor hours",
        ), *decided.reasons)
    why_ja, why_en = _WHY[legal.legal_class]
    return Disposition.REVIEW, (Reason(
        "contracted-questioned",
        f"要確認: 受託者が現在行っている（{contracted.detail}）が、この手順は{why_ja}ため委託できない — 担当と法的な"
        "判断が食い違う。解消方法: 職員が行っているならレーン（または調査票の職種）を職員に直す。受託者が行っているなら"
        "契約の範囲を見直して職員に戻すか、事実上の行為に限られることを判断根拠（調査票の公権力の判断根拠、または"
        "プロファイルの legal.overrides）に書いて再実行する",
        f"To be confirmed: a contractor does this today ({contracted.detail}), yet the legal check does not permit "
        f"outsourcing it ({why_en}) — who does it contradicts the law. To resolve: if staff do it, correct the lane "
        "(or the survey's 職種); if the contractor does it, bring it back to staff under a revised contract, or write "
        "down why it is only a factual act (the survey's 判断根拠 or a legal.overrides entry) and run again",
    ), *decided.reasons)
