"""What an assessment produces: the contract between ``scoring`` and ``reports``.

Every number a reform team sees is here with its unit in the field name and
the evidence it came from, so reports can show *why* a step is an RPA or
outsourcing candidate, not just a score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from bpm.model import ElementId, ProcessId, SourceRef


class Disposition(Enum):
    """Where a step should go."""

    RPA = "rpa"
    """Automate with a software robot; staff keep the case."""
    OUTSOURCE = "outsource"
    """Contract out to a private operator (民間委託): factual, routine acts only."""
    RETAIN = "retain"
    """Keep with civil servants: judgment or exercise of public authority."""
    AUTOMATED = "automated"
    """Already done by a system (service/script task, system lane)."""


class EvidenceSource(Enum):
    """Where a value came from, in precedence order (survey wins)."""

    SURVEY = "survey"
    PROPERTY = "property"
    USER = "user"
    """Given by the caller, e.g. ``bpm score --cases PROCESS=N`` (annual cases only)."""
    BPMN_TYPE = "bpmn-type"
    LEXICON = "lexicon"
    STRUCTURE = "structure"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a feature or measurement has its value."""

    feature: str
    """Feature or measurement name, e.g. ``routine`` or ``minutes_per_case``."""
    value: float | str
    """The value contributed (feature values are 0–1)."""
    source: EvidenceSource
    """Which kind of input it came from."""
    detail: str
    """Short human text, e.g. ``name contains 入力 (data entry)``."""


@dataclass(frozen=True, slots=True)
class Reason:
    """A sentence explaining the disposition, in both report languages."""

    code: str
    """Stable id, e.g. ``legal-authority``."""
    ja: str
    """Japanese text (shown first)."""
    en: str
    """English text."""


@dataclass(frozen=True, slots=True)
class StepCost:
    """Money and time for one step, per year unless named otherwise."""

    hours_per_year: float
    """Staff hours the step takes today."""
    fte: float
    """hours_per_year ÷ working hours per FTE."""
    yen_per_year: float
    """Full staff cost today (人件費フルコスト)."""
    hours_freed_per_year: float
    """Staff hours the recommended disposition frees."""
    new_cost_yen_per_year: float
    """Running cost of the disposition (contract fee, RPA licence share + maintenance)."""
    saving_yen_per_year: float
    """Staff cost freed minus new running cost."""
    one_off_yen: float
    """Set-up cost (RPA development, contract start-up)."""
    payback_months: float | None
    """Months until savings repay the set-up cost; None when it never pays back."""
    net_5y_yen: float
    """Five-year net saving: 5 × saving − one-off cost."""


@dataclass(frozen=True, slots=True)
class StepAssessment:
    """Everything known and decided about one step (a task or sub-process)."""

    file: str
    """BPMN file the step came from."""
    process_id: ProcessId
    """Owning process."""
    process_name: str
    """Process (業務) name."""
    step_id: ElementId
    """BPMN element id."""
    name: str
    """Step name on one line."""
    kind: str
    """BPMN element type, e.g. ``userTask``."""
    lane_id: ElementId | None
    """Lane id, if any."""
    lane_name: str
    """Lane name (担当), empty when none."""
    source: SourceRef
    """Where the step is in the file."""
    visits: float
    """Expected executions per case (exact, from the flow structure)."""
    annual_count: float
    """Executions per year."""
    minutes_per_case: float
    """Staff minutes per execution of the step."""
    features: Mapping[str, float]
    """Feature values 0–1: routine, judgment, volume, face_to_face, physical, system, legal_authority, …"""
    evidence: tuple[Evidence, ...]
    """Everything that produced the features and measurements."""
    scores: Mapping[Disposition, float]
    """Suitability 0–1 for each disposition."""
    disposition: Disposition
    """The recommendation."""
    confidence: float
    """0–1: margin between the best and second-best option, discounted for inferred data."""
    reasons: tuple[Reason, ...]
    """Why, in words."""
    legal_authority: bool
    """True when the step exercises public authority (公権力の行使): never outsourced."""
    cost: StepCost
    """Hours, FTE and yen."""
    data_sources: Mapping[str, EvidenceSource] = field(default_factory=dict)
    """Which source supplied annual_count, minutes_per_case, visits, …"""
    rank: int | None = None
    """1 = best candidate across the portfolio; None for steps that free nothing."""


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over a set of steps."""

    steps: int
    """Number of steps."""
    hours_per_year: float
    """Staff hours today."""
    fte: float
    """FTE today."""
    yen_per_year: float
    """Staff cost today."""
    hours_freed_per_year: float
    """Hours the recommendations free."""
    saving_yen_per_year: float
    """Annual saving."""
    one_off_yen: float
    """Set-up costs."""
    net_5y_yen: float
    """Five-year net saving."""
    by_disposition: Mapping[Disposition, int] = field(default_factory=dict)
    """Step count per disposition."""
    hours_by_disposition: Mapping[Disposition, float] = field(default_factory=dict)
    """Hours today per disposition."""


@dataclass(frozen=True, slots=True)
class DataGap:
    """A survey row that matched nothing, or a step without measured data."""

    kind: str
    """``unmatched-row``, ``no-data``, ``ambiguous-row``, ``default-volume``, …"""
    message: str
    """Human text."""
    file: str
    """Survey sheet or BPMN file concerned."""
    line: int | None = None
    """Sheet row (1-based, header = 1) or BPMN line."""
    element_id: str | None = None
    """Step id concerned, when any."""


@dataclass(frozen=True, slots=True)
class Branch:
    """One way a case can go at a split, with the probability the visits were computed with.

    The report shows these instead of re-deriving them from the BPMN, so the
    page names the value and source that really drove the hours (a survey
    分岐確率 beats the flow's property, which beats an even split).
    """

    from_id: ElementId
    """The splitting element (gateway, or activity with several outgoing flows); for a boundary event its host."""
    via_id: ElementId
    """The sequence flow taken, or the boundary event that fires."""
    target_id: ElementId
    """Where the case goes: the flow's target, or the boundary event's next element (the event when none)."""
    probability: float
    """Share of firings of ``from_id`` that take this way, 0–1 (parallel and inclusive branches need not sum to 1)."""
    source: EvidenceSource
    """``survey``, ``property``, ``structure`` (fixed by the diagram, e.g. parallel) or ``default`` (assumed)."""
    via_event: bool = False
    """True when ``via_id`` is a boundary event rather than a sequence flow."""


class Side(Enum):
    """Who does a step once the recommendations are adopted (scoring-methodology §3.4)."""

    CONTRACTOR = "contractor"
    """The contractor's workers (受託者): OUTSOURCE steps."""
    STAFF = "staff"
    """The municipality's staff (職員): RETAIN steps.  RPA and AUTOMATED steps are machines, on neither side."""


class Direction(Enum):
    """Which way a case crosses between contractor and staff."""

    TO_STAFF = "to-staff"
    """受託者 → 職員: the planned hand-over for 審査/判断."""
    TO_CONTRACTOR = "to-contractor"
    """職員 → 受託者: the case goes back to the contractor."""


@dataclass(frozen=True, slots=True)
class Crossing:
    """A step-to-step move of the case between the two sides, and how often it happens."""

    from_id: ElementId
    """The step the case leaves."""
    to_id: ElementId
    """The next step, on the other side (only gateways and events lie between them)."""
    direction: Direction
    """Which way the case crosses."""
    per_case: float
    """Expected times per case the case moves from ``from_id`` to ``to_id``."""


@dataclass(frozen=True, slots=True)
class HandoffSummary:
    """How often a case would pass between contractor and staff if the dispositions were adopted.

    Why it matters: staff may not direct contractor workers (37号告示), and the
    東京労働局 ruled 足立区's routine 「エスカレーション」 to be 偽装請負 (2014), so a
    case should cross at case boundaries, ideally once, with no Q&A loops.
    Empty (zeros, no crossings) for a flow without an OUTSOURCE step.
    """

    per_case_to_staff: float
    """Expected 受託者 → 職員 hand-offs per case."""
    per_case_to_contractor: float
    """Expected 職員 → 受託者 hand-offs per case."""
    crossings: tuple[Crossing, ...] = ()
    """Every crossing step pair, in document order (from step, then to step)."""
    ping_pong: tuple[tuple[ElementId, ...], ...] = ()
    """Loops whose steps lie on both sides (the 足立区 pattern); each loop's steps in document order."""
    contractor_steps: tuple[ElementId, ...] = ()
    """The OUTSOURCE steps, in document order (empty: nothing is outsourced, nothing to hand off)."""
    warning: Reason | None = None
    """Set by the assessment when the hand-offs exceed the profile's ``handoff.max_per_case`` or a loop exists."""

    @property
    def per_case(self) -> float:
        """Hand-offs per case in both directions."""
        return self.per_case_to_staff + self.per_case_to_contractor


@dataclass(frozen=True, slots=True)
class ProcessAssessment:
    """One process (業務) and its steps."""

    file: str
    """BPMN file."""
    process_id: ProcessId
    """Process id."""
    name: str
    """Process (業務) name."""
    annual_cases: float
    """Cases per year."""
    annual_cases_source: EvidenceSource
    """Where annual_cases came from."""
    steps: tuple[StepAssessment, ...]
    """Assessed steps in flow order."""
    totals: Totals
    """Sums over the steps."""
    visits: Mapping[ElementId, float] = field(default_factory=dict)
    """Expected visits per case for every node (events and gateways too)."""
    branches: tuple[Branch, ...] = ()
    """Every real split of this process (≥ 2 outgoing flows) and boundary event, in document order."""
    handoffs: HandoffSummary | None = None
    """Hand-offs between contractor and staff under the recommended dispositions; None when not computed."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """The whole portfolio: what ``bpm score`` and ``bpm scan`` report."""

    processes: tuple[ProcessAssessment, ...]
    """Assessed processes, in input order."""
    totals: Totals
    """Portfolio sums."""
    profile_name: str
    """Profile used (``default`` or the file name)."""
    profile_sources: Mapping[str, str] = field(default_factory=dict)
    """Cost and threshold parameters with the source note of each (for the assumptions page)."""
    gaps: tuple[DataGap, ...] = ()
    """Unmatched survey rows and steps without data: never dropped silently."""

    def ranked(self) -> list[StepAssessment]:
        """All steps, best candidates first (unranked steps last, stable)."""
        steps = [s for p in self.processes for s in p.steps]
        return sorted(steps, key=lambda s: (s.rank is None, s.rank or 0))
