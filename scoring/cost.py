"""Hours and FTE: the 人工削減 of a step, a fact of the flow and never yen by itself.

Kept apart from the money because a budget office checks the two separately:
the hours a recommendation frees follow from the flow and the survey alone
(executions × minutes × the share a robot or a contractor takes over), while
cash exists only through posts that go, contracts and licences
(:mod:`scoring.staffing`, :mod:`scoring.lots`, :mod:`scoring.rpa`,
:mod:`scoring.cashflow`).

Model (per step, per year):

* hours = annual_count × minutes ÷ 60; FTE = hours ÷ working hours per FTE.
* Outsourcing frees all of the step's hours (the contractor does them; the
  staff post kept on site is a lot-level figure).
* RPA frees a share that depends on the input: ``rpa.reduction_digital`` of
  the digital part, ``rpa.reduction_ocr`` of the paper part read by AI-OCR,
  minus the staff minutes spent checking each AI-OCR page.
* Retained and already automated steps free nothing: a step a system already
  does has no freeable hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from scoring.legal import permitted
from scoring.money_params import RpaParams
from scoring.profile import Profile
from scoring.result import (
    Disposition,
    Evidence,
    EvidenceSource,
    LegalStatus,
    Reason,
    StaffType,
    StepAssessment,
    StepCost,
    StepKey,
    StepOrg,
    Totals,
)
from scoring.staffing import staff_costs

YEARS = 5
"""Default horizon of ``net_5y_yen`` (the profile's ``cashflow.horizon_years`` decides the real one)."""


def hours_per_year(annual_count: float, minutes_per_case: float) -> float:
    """Staff hours a year.

    >>> hours_per_year(5200, 8)
    693.3333333333334
    """
    return annual_count * minutes_per_case / 60.0


@dataclass(frozen=True, slots=True)
class RpaHours:
    """What a robot takes over of one step, by input type."""

    reduction_share: float
    """Share of the hours freed before checking time (weighted by digital share)."""
    ocr_pages_per_year: float
    """Paper pages AI-OCR reads a year."""
    check_hours_per_year: float
    """Staff hours a year checking what AI-OCR read (they stay with staff)."""
    hours_freed_per_year: float
    """Hours freed net of the checking time (never below 0)."""


def rpa_hours(hours: float, annual_count: float, digital_share: float, rpa: RpaParams) -> RpaHours:
    """Hours a robot frees on a step whose input is ``digital_share`` digital.

    >>> from scoring.profile import load_profile
    >>> rpa = load_profile().money.rpa
    >>> r = rpa_hours(600.0, 6000, 0.0, rpa)   # paper: 0.6 × 600 − 6,000 pages × 0.5 min
    >>> r.reduction_share, r.ocr_pages_per_year, r.check_hours_per_year, r.hours_freed_per_year
    (0.6, 6000.0, 50.0, 310.0)
    """
    digital = min(1.0, max(0.0, digital_share))
    share = digital * rpa.reduction_digital + (1.0 - digital) * rpa.reduction_ocr
    pages = (1.0 - digital) * annual_count
    check = pages * rpa.ocr_check_minutes / 60.0
    return RpaHours(share, pages, check, max(0.0, hours * share - check))


def hours_freed(
    disposition: Disposition, hours: float, annual_count: float, digital_share: float, profile: Profile
) -> float:
    """Staff hours a year the disposition frees (人工削減)."""
    if disposition is Disposition.OUTSOURCE:
        return hours
    if disposition is Disposition.RPA and profile.money is not None:
        return rpa_hours(hours, annual_count, digital_share, profile.money.rpa).hours_freed_per_year
    return 0.0


def step_cost(
    disposition: Disposition,
    annual_count: float,
    minutes_per_case: float,
    profile: Profile,
    *,
    digital_share: float = 1.0,
    yen_per_hour: float | None = None,
) -> StepCost:
    """Hours and FTE of one step under a disposition; the cash fields stay 0 until the money stage.

    ``yen_per_hour`` prices today's hours (the step's 職種 mix); by default the
    regular staff full cost per hour.

    >>> from scoring.profile import load_profile
    >>> c = step_cost(Disposition.RPA, 5200, 8, load_profile())
    >>> round(c.hours_per_year, 1), round(c.hours_freed_per_year, 1), c.saving_yen_per_year
    (693.3, 554.7, 0.0)
    """
    hours = hours_per_year(annual_count, minutes_per_case)
    if yen_per_hour is None:
        yen_per_hour = staff_costs(profile.money)[StaffType.REGULAR].yen_per_hour if profile.money else 0.0
    return StepCost(
        hours_per_year=hours,
        fte=hours / profile.hours_per_fte,
        yen_per_year=hours * yen_per_hour,
        hours_freed_per_year=hours_freed(disposition, hours, annual_count, digital_share, profile),
        new_cost_yen_per_year=0.0,
        saving_yen_per_year=0.0,
        one_off_yen=0.0,
        payback_months=None,
        net_5y_yen=0.0,
    )


def payback_months(one_off: float, saving_per_year: float) -> float | None:
    """Months until the savings repay the one-off cost; None when they never do.

    >>> payback_months(300000, 1200000), payback_months(0, 10), payback_months(1, -5)
    (3.0, 0.0, None)
    """
    if saving_per_year <= 0:
        return None
    return one_off / (saving_per_year / 12.0)


def totals(steps: Iterable[StepAssessment], hours_per_fte: float) -> Totals:
    """Sums over steps, with counts and hours per disposition (every disposition listed).

    Hours, FTE and yen today are staff figures: the hours of steps a
    contractor already does (:attr:`StepAssessment.contracted`) are summed
    apart as ``contracted_hours_per_year``.
    """
    steps = list(steps)
    by_disposition = {d: 0 for d in Disposition}
    hours_by = {d: 0.0 for d in Disposition}
    for step in steps:
        by_disposition[step.disposition] += 1
        hours_by[step.disposition] += step.cost.hours_per_year
    staff = [s for s in steps if s.contracted is None]
    hours = sum(s.cost.hours_per_year for s in staff)
    return Totals(
        steps=len(steps),
        hours_per_year=hours,
        fte=hours / hours_per_fte,
        yen_per_year=sum(s.cost.yen_per_year for s in staff),
        hours_freed_per_year=sum(s.cost.hours_freed_per_year for s in steps),
        saving_yen_per_year=sum(s.cost.saving_yen_per_year for s in steps),
        one_off_yen=sum(s.cost.one_off_yen for s in steps),
        net_5y_yen=sum(s.cost.net_5y_yen for s in steps),
        by_disposition=by_disposition,
        hours_by_disposition=hours_by,
        contracted_hours_per_year=sum(s.cost.hours_per_year for s in steps if s.contracted is not None),
    )


@dataclass(frozen=True, slots=True)
class MoneyStep:
    """What the money stage needs to know about one step: measured facts only, no yen."""

    key: StepKey
    """File, process and element id."""
    name: str
    """Step name."""
    flow_name: str
    """Process (業務) name."""
    lane: str
    """Lane name."""
    order: int
    """Position in its flow (flow order), for 'before/after' evidence."""
    annual_cases: float
    """The flow's cases a year."""
    visits: float
    """Executions per case."""
    annual_count: float
    """Executions a year."""
    minutes_per_case: float
    """Staff minutes per execution."""
    hours_per_year: float
    """Staff hours a year."""
    candidate: Disposition
    """The classification's disposition (RPA/OUTSOURCE are candidates)."""
    suitability: float
    """The candidate's score 0–1."""
    face_to_face: float
    """Resident contact 0–1."""
    digital_share: float
    """Digital input share 0–1."""
    input_form: str
    """``paper``, ``digital`` or ``mixed``."""
    input_detail: str
    """Where the input form came from, e.g. ``調査票 row 12: 入力形式 = 紙``."""
    systems: tuple[str, ...]
    """Systems named for the step."""
    org: StepOrg
    """課, 係 and 職種 mix."""
    legal: LegalStatus
    """The legal gate's verdict (:func:`scoring.legal.legal_status`): the only source of 委託可否 and 根拠通知."""
    reasons: tuple[Reason, ...]
    """The step's reasons after the legal gate and the hand-off check (legal ones are kept word for word)."""
    note: str = ""
    """The survey's 備考 for the step."""
    resident_present: bool = False
    """The resident is at the counter for this step by the flow's own evidence (a message flow with the
    resident, a 窓口 lane, a BPMN property or the survey), not merely a counter word such as 交付 in its name
    (交付件数の突合 is back-office work): only such steps may be called the counter visit a robot makes wait."""
    features: Mapping[str, float] = field(default_factory=dict)
    """Feature values 0–1 (routine, face_to_face, physical …)."""
    evidence: tuple[Evidence, ...] = ()
    """The evidence behind them (reasons cite it)."""
    count_source: EvidenceSource = EvidenceSource.DEFAULT
    """Where annual_count came from."""
    minutes_source: EvidenceSource = EvidenceSource.DEFAULT
    """Where minutes_per_case came from."""
    scores: Mapping[Disposition, float] = field(default_factory=dict)
    """The classification's suitability per disposition (the deciding numbers a reason cites)."""
    contracted: bool = False
    """A contractor already does the step today (委託済み, or 要確認 when the law questions it): its hours are
    contractor hours, priced by the existing contract, never staff cost and never a candidate."""

    @property
    def is_candidate(self) -> bool:
        """RPA or outsourcing survived the legal gate and the hand-off check, and the law permits it.

        The second condition repeats the gate on purpose: whatever reaches the
        money stage, a step the legal verdict keeps with staff (公権力の行使,
        要確認, no 根拠通知) never enters a lot or a robot and is never costed
        as outsourced.
        """
        return self.candidate in (Disposition.RPA, Disposition.OUTSOURCE) and permitted(self.candidate, self.legal)
