"""What an assessment produces: the contract between ``scoring`` and ``reports``.

Every number a reform team sees is here with its unit in the field name and
the evidence it came from, so reports can show *why* a step is an RPA or
outsourcing candidate, not just a score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from bpm.lint import Finding
from bpm.model import ElementId, ProcessId, SourceRef


class Disposition(Enum):
    """Where a step should go (REVIEW is last so the order of existing export columns never moves)."""

    RPA = "rpa"
    """Automate with a software robot; staff keep the case."""
    OUTSOURCE = "outsource"
    """Contract out to a private operator (民間委託): factual, routine acts only."""
    RETAIN = "retain"
    """Keep with civil servants: judgment or exercise of public authority."""
    AUTOMATED = "automated"
    """Already done by a system (service/script task, system lane)."""
    REVIEW = "review"
    """要確認: the step's legal status is unknown, so staff keep it until the doubt is resolved."""


SCORED_DISPOSITIONS = (Disposition.RPA, Disposition.OUTSOURCE, Disposition.RETAIN, Disposition.AUTOMATED)
"""Dispositions the scoring gives a suitability score; REVIEW is only ever set by the legal gate."""


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


class LegalClass(Enum):
    """Legal character of a step for outsourcing (法務省 H25 民一317号 ① / ②, plus the fail-safe third state)."""

    FACTUAL = "factual"
    """事実上の行為又は補助的行為: a contractor may do it, when its procedure is on the 内閣府 list."""
    UNKNOWN = "unknown"
    """要確認: something suggests a decision and nothing written clears it; staff keep the step."""
    AUTHORITY = "authority"
    """公権力の行使 (市町村長の判断が必要となる業務): never outsourced, and no robot decides it."""

    @property
    def strength(self) -> int:
        """Order of the monotone combination: the strongest claim of any source wins."""
        return _LEGAL_STRENGTH[self]


_LEGAL_STRENGTH = {LegalClass.FACTUAL: 0, LegalClass.UNKNOWN: 1, LegalClass.AUTHORITY: 2}


class LegalSource(Enum):
    """Where a legal claim about a step comes from."""

    SURVEY = "survey"
    """The 業務量調査 sheet (公権力の行使, 判断)."""
    PROPERTY = "property"
    """A BPMN property written by the modeller (legal_authority, judgment)."""
    NAME = "name"
    """A word of the reviewed legal lexicon in the step name."""
    LANE = "lane"
    """The lane holding the step (職員・審査・決裁)."""
    GATEWAY = "gateway"
    """A decision gateway right after the step (受理できる? …)."""
    TEMPLATE = "template"
    """The procedure template: a required decision step, found or hidden in this step."""
    STRUCTURE = "structure"
    """The shape of the model itself (an unnamed step)."""
    OVERRIDE = "override"
    """A written, justified override (survey 公権力の判断根拠 or a profile entry)."""


@dataclass(frozen=True, slots=True)
class LegalClaim:
    """One piece of legal evidence about a step, kept whatever the outcome so the report can show it."""

    legal_class: LegalClass
    """What it says."""
    source: LegalSource
    """Where it comes from."""
    ja: str
    """The evidence in Japanese, e.g. 名前に「審査」."""
    en: str
    """The evidence in English."""
    reference: str = ""
    """Where the rule behind it comes from (lexicon entry source, template source, survey row)."""
    robot_may_prepare: bool = False
    """For a 要確認 claim: the doubt is about who is on the counter, not about a decision in the step itself,
    so a robot that only prepares data for staff may still run it."""

    @property
    def stated(self) -> bool:
        """True for an explicit statement by a person (survey cell, BPMN property, override)."""
        return self.source in (LegalSource.SURVEY, LegalSource.PROPERTY, LegalSource.OVERRIDE)


@dataclass(frozen=True, slots=True)
class LegalConflict:
    """A source saying 無 (factual) against another source's 有 (authority): an error until a justified override."""

    factual: LegalClaim
    """The claim that the step is a factual act."""
    authority: LegalClaim
    """The claim that it exercises public authority."""


@dataclass(frozen=True, slots=True)
class LegalOverride:
    """A written, justified decision on a step's legal class, listed in every report that used it."""

    legal_class: LegalClass
    """The class it sets."""
    reason: str
    """The written justification (公権力の判断根拠)."""
    origin: str
    """Where it is written: ``調査票 survey.csv row 12`` or ``profile city.toml legal.overrides.x``."""
    file: str = ""
    """BPMN file of the step (filled when the override is used)."""
    process_id: str = ""
    """Process of the step."""
    step_id: str = ""
    """The step."""
    step_name: str = ""
    """Its name."""


@dataclass(frozen=True, slots=True)
class ProcedureMatch:
    """The standard procedure a flow was matched to (scoring/procedures.toml, extendable from the profile)."""

    key: str
    """Catalogue key, e.g. ``koseki_todoke``."""
    name_ja: str
    """Procedure name in Japanese."""
    name_en: str
    """Procedure name in English."""
    matched_by: str
    """``property`` (the process's ``procedure`` property) or ``name`` (an alias in the process or pool name)."""
    detail: str
    """What matched, e.g. ``process name 「婚姻届」 contains 婚姻届``."""
    on_list: bool
    """True when the procedure is among the 窓口業務 the 内閣府 H20.1.17 通知 lets a contractor do."""
    list_item: str
    """Its item on that list, e.g. ``(8) 戸籍の届出``; empty when not on it."""
    basis_ja: str
    """The 根拠通知 every outsourcing reason in this flow cites."""
    basis_en: str
    """The same in English."""
    source: str
    """Where the template comes from."""


@dataclass(frozen=True, slots=True)
class LegalStatus:
    """The legal verdict on one step: the class, every claim behind it, conflicts, override, and outsourceability."""

    legal_class: LegalClass
    """The strongest claim (or the override)."""
    claims: tuple[LegalClaim, ...] = ()
    """Every claim, strongest first."""
    conflicts: tuple[LegalConflict, ...] = ()
    """無 against 有; each is an error-level finding unless ``override`` clears it."""
    override: LegalOverride | None = None
    """The justified override used, if any."""
    procedure: str = ""
    """Catalogue key of the flow's procedure; empty when none matched."""
    outsourceable: bool = False
    """May a contractor do it: factual, its procedure on the list, and every condition met."""
    basis: Reason | None = None
    """The 根拠通知 that lets a contractor do it (set when outsourceable)."""
    blockers: tuple[Reason, ...] = ()
    """Why a factual step still cannot be outsourced (procedure not on the list, 公金 without 告示 …)."""
    resolve: Reason | None = None
    """What would resolve the doubt (要確認, unknown procedure, unmet condition)."""
    robot_may_prepare: bool = True
    """False when a robot running the step would in effect decide (authority, or a 要確認 that is about the step's
    own content)."""

    @property
    def label_ja(self) -> str:
        """公権力の行使 / 要確認 / 事実上の行為."""
        return {LegalClass.AUTHORITY: "公権力の行使", LegalClass.UNKNOWN: "要確認",
                LegalClass.FACTUAL: "事実上の行為"}[self.legal_class]

    @property
    def label_en(self) -> str:
        """public authority / to be confirmed / factual act."""
        return {LegalClass.AUTHORITY: "public authority", LegalClass.UNKNOWN: "to be confirmed",
                LegalClass.FACTUAL: "factual act"}[self.legal_class]


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
    legal: LegalStatus | None = None
    """The legal verdict (class, evidence, conflicts, override, 根拠通知); None only for hand-made test steps."""
    proposed: Disposition | None = None
    """What the scores alone recommended, before the legal gate and the hand-off check (None when the same)."""


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
class MovedStep:
    """A step the hand-off check took from the contractor and gave to staff."""

    step_id: ElementId
    """The step."""
    step_name: str
    """Its name."""
    from_disposition: Disposition
    """What it was in the naive lot (OUTSOURCE)."""
    to_disposition: Disposition
    """What it is in the safe lot (RETAIN)."""
    reason: Reason
    """Why (the loop or the fragmented hand-off it was part of)."""


@dataclass(frozen=True, slots=True)
class HandoffPlan:
    """The naive contract lot next to the safe one (scoring-methodology §3.4; 37号告示; 足立区 2014).

    The naive lot is what the scores and the legal gate give step by step; the
    safe lot is the same flow after the hand-off check moved contractor steps
    to staff, re-scored (hours and money recomputed for the moved steps).
    """

    naive: HandoffSummary
    """Hand-offs of the naive lot."""
    safe: HandoffSummary
    """Hand-offs of the safe lot (equal to ``naive`` when the check passed)."""
    moved: tuple[MovedStep, ...] = ()
    """Steps moved to staff, in document order."""
    naive_outsourced_hours: float = 0.0
    """Staff hours a year of the naive lot's outsourced steps."""
    safe_outsourced_hours: float = 0.0
    """The same for the safe lot."""
    naive_hours_freed: float = 0.0
    """Hours the whole flow frees under the naive lot."""
    safe_hours_freed: float = 0.0
    """Hours it frees under the safe lot."""
    naive_saving_yen: float = 0.0
    """Annual saving under the naive lot."""
    safe_saving_yen: float = 0.0
    """Annual saving under the safe lot."""
    warning: Reason | None = None
    """Why the naive lot failed the check; None when it passed."""
    redesign: Reason | None = None
    """A redesign that could keep more with the contractor (e.g. a system flag so only hits go to staff)."""

    @property
    def changed(self) -> bool:
        """True when the safe lot differs from the naive one."""
        return bool(self.moved)


@dataclass(frozen=True, slots=True)
class ExcludedProcess:
    """A process left out of every total and the ranking because its volumes cannot be computed."""

    file: str
    """BPMN file."""
    process_id: ProcessId
    """Process id."""
    name: str
    """Process name."""
    message: str
    """Why (the analysis error, naming gateway and survey rows)."""
    line: int | None = None
    """Line of the element concerned (BPMN or survey)."""
    element_id: str | None = None
    """Element concerned."""
    hint: str = ""
    """How to fix the input."""


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
    procedure: ProcedureMatch | None = None
    """The standard procedure the flow was matched to; None when none matched (then nothing is outsourced)."""
    handoff_plan: HandoffPlan | None = None
    """Naive and safe contract lots; None when hand-offs were not computed."""


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
    findings: tuple[Finding, ...] = ()
    """Error- and warning-level findings of the assessment: legal conflicts, missing decision steps,
    unsolvable volumes, failed hand-off checks (shown with the lint findings)."""
    overrides: tuple[LegalOverride, ...] = ()
    """Every justified legal override used, in flow order."""
    excluded: tuple[ExcludedProcess, ...] = ()
    """Processes left out of totals and ranking (their volumes cannot be computed)."""

    def ranked(self) -> list[StepAssessment]:
        """All steps, best candidates first (unranked steps last, stable)."""
        steps = [s for p in self.processes for s in p.steps]
        return sorted(steps, key=lambda s: (s.rank is None, s.rank or 0))
