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
from scoring.evidence_text import Said


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
    CONTRACTED = "contracted"
    """委託済み: a contractor already does the step today (a 委託事業者 lane or 職種「委託」 in the survey) and the
    legal gate permits it; it frees no staff hours and is never a candidate (listed last for the same reason as
    REVIEW)."""


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
    """Short human text in English, e.g. ``name contains 入力: routine word`` (the JSON export keeps it)."""
    said: Said | None = field(default=None, metadata={"json": False})
    """The same sentence as an id and its values, made into Japanese or English when a page is rendered
    (None for lines written before sentences had ids: the page shows ``detail``).  Left out of the JSON
    export, whose ``detail`` already says it."""


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
class Contracted:
    """Evidence that a contractor already does a step today (:mod:`scoring.contracted`)."""

    source: EvidenceSource
    """``survey`` (職種「委託」) or ``structure`` (a 委託事業者 lane)."""
    detail: str
    """What said so, e.g. ``レーン「委託事業者（郵送処理）」`` or ``調査票 行76: 職種 = 委託``."""


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

    @property
    def label_ja(self) -> str:
        """公権力の行使 / 要確認 / 事実上の行為."""
        return _LEGAL_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """public authority / to be confirmed / factual act."""
        return _LEGAL_LABELS[self][1]


_LEGAL_STRENGTH = {LegalClass.FACTUAL: 0, LegalClass.UNKNOWN: 1, LegalClass.AUTHORITY: 2}
_LEGAL_LABELS = {LegalClass.AUTHORITY: ("公権力の行使", "public authority"),
                 LegalClass.UNKNOWN: ("要確認", "to be confirmed"), LegalClass.FACTUAL: ("事実上の行為", "factual act")}


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
        return self.legal_class.label_ja

    @property
    def label_en(self) -> str:
        """public authority / to be confirmed / factual act."""
        return self.legal_class.label_en


@dataclass(frozen=True, slots=True)
class StepCost:
    """Hours (a fact of the flow) and the step's attributed cash, per year unless named otherwise.

    The hours fields never become yen by themselves: the cash fields are the
    step's share of its lot's or robot's cash flow (:class:`StepMoney` has the
    full picture, with ranges), 0 for steps that are not adopted.
    """

    hours_per_year: float
    """Staff hours the step takes today."""
    fte: float
    """hours_per_year ÷ working hours per FTE."""
    yen_per_year: float
    """Full staff cost of today's hours at the step's 職種 mix (人件費フルコスト), for scale only."""
    hours_freed_per_year: float
    """人工削減: staff hours the adopted recommendation frees (0 when retained or withdrawn on cost)."""
    new_cost_yen_per_year: float
    """Attributed contract/licence/maintenance cost in the last year of the horizon."""
    saving_yen_per_year: float
    """Attributed net cash in the last year of the horizon (posts cut minus running costs)."""
    one_off_yen: float
    """Attributed one-off costs over the horizon (start-up, re-tender, development, rebuild, terminals)."""
    payback_months: float | None
    """Months until its lot's or robot's cumulative cash turns positive; None when not within the horizon."""
    net_5y_yen: float
    """Attributed net cash over the horizon (default 5 years), undiscounted."""


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
    """1 = best candidate across the portfolio by net cash effect (NPV); None for steps not recommended on it."""
    legal: LegalStatus | None = None
    """The legal verdict (class, evidence, conflicts, override, 根拠通知); None only for hand-made test steps."""
    proposed: Disposition | None = None
    """What the scores alone recommended, before the legal gate and the hand-off check (None when the same)."""
    org: StepOrg | None = None
    """課, 係 and 職種 mix of the staff doing the step (survey, pool name or the profile's assumption)."""
    money: StepMoney | None = None
    """人工削減 and 財政効果 of the step, kept apart; None when the money stage did not run."""
    contracted: Contracted | None = None
    """Set when a contractor already does the step today (lane or survey): its hours are contractor hours."""
    withdrawn_from: Disposition | None = field(default=None, metadata={"json": False})
    """The candidate the cost gate withdrew, in a run that gated without pricing
    (:func:`scoring.assess.assess` ``money_in_full=False``); a priced run keeps it in ``money``."""

    @property
    def classified(self) -> Disposition:
        """The classification's disposition before the cost gate (differs only when the gate withdrew it)."""
        if self.money is not None and self.money.withdrawn and self.money.candidate is not None:
            return self.money.candidate
        if self.withdrawn_from is not None:
            return self.withdrawn_from
        return self.disposition


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
    contracted_hours_per_year: float = 0.0
    """Hours a contractor already works today (委託済み, and contracted steps the legal gate questions): not in
    ``hours_per_year``, ``fte`` or ``yen_per_year``, which are staff figures."""


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
    to staff, re-scored (hours recomputed for the moved steps).  Only the safe
    lot is ever priced: cash comes from the money stage
    (:attr:`ProcessAssessment.money`), and a lot that risks 偽装請負 is not
    costed at all.
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
    money: FlowMoney | None = None
    """The flow's 人工削減 and 財政効果 (sums of its steps'); None when the money stage did not run."""


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
    money: MoneySummary | None = None
    """Staffing plan, contract lots, RPA deployments, cash flow, ranges and sensitivity."""

    def ranked(self) -> list[StepAssessment]:
        """All steps, best candidates first (unranked steps last, stable)."""
        steps = [s for p in self.processes for s in p.steps]
        return sorted(steps, key=lambda s: (s.rank is None, s.rank or 0))


# --------------------------------------------------------------------------- money
#
# 人工削減 (hours, FTE) is a fact of the flow; 財政効果 (yen) exists only through
# a staffing plan (posts that really go), contract lots and RPA deployments on
# a multi-year cash flow.  Yen are per fiscal year of the horizon (year 1 = the
# transition year) unless a field says otherwise.


class StaffType(Enum):
    """職種: who does the work, which decides what a freed hour is worth in cash."""

    REGULAR = "regular"
    """正規職員."""
    KAIKEI = "kaikei"
    """会計年度任用職員 (one-year appointments, mostly part-time)."""
    SAIYO = "saiyo"
    """再任用職員."""


@dataclass(frozen=True, slots=True)
class Range:
    """A figure as low / base / high."""

    low: float
    """Low end."""
    base: float
    """Base case."""
    high: float
    """High end."""

    @property
    def crosses_zero(self) -> bool:
        """True when the sign of the figure is not settled by the inputs."""
        return self.low <= 0 < self.high or self.low < 0 <= self.high


@dataclass(frozen=True, slots=True)
class StepOrg:
    """Where the staff doing a step sit and of which 職種 they are."""

    section: str
    """課."""
    unit: str
    """係."""
    mix: Mapping[StaffType, float]
    """Share of the step's hours by 職種 (sums to 1)."""
    source: EvidenceSource
    """``survey``/``property`` (columns 課・係・職種), ``structure`` (pool name) or ``default`` (assumed)."""
    detail: str
    """How it was found or what was assumed."""


@dataclass(frozen=True, slots=True)
class CostComponent:
    """One line of the full cost of an FTE of one 職種."""

    key: str
    """Stable id: ``pay``, ``kyosai``, ``taishoku``, ``oncost``, ``indirect``, ``nonpay``, ``override``."""
    ja: str
    """Name in Japanese."""
    en: str
    """Name in English."""
    yen_per_fte: float
    """Yen a year per FTE."""
    basis: str
    """The arithmetic, e.g. ``6,700,000 × 0.153``."""
    source: str
    """Profile keys it rests on."""
    cash_share: float
    """Share of this line saved in cash when a post goes (1 direct cost, overhead_avoidable_share for overheads)."""


@dataclass(frozen=True, slots=True)
class StaffCost:
    """人件費フルコスト of one FTE of one 職種, built from its components."""

    staff_type: StaffType
    """The 職種."""
    components: tuple[CostComponent, ...]
    """The build-up, in order."""
    full_yen_per_fte: float
    """Sum of the components (フルコスト)."""
    cash_yen_per_fte: float
    """What a year of one FTE of posts saves in cash when the posts go."""
    yen_per_hour: float
    """Full cost per working hour."""
    post_fte: float
    """One post in FTE (part-time posts are < 1)."""
    override: bool = False
    """True when ``cost.staff_yen_per_hour`` replaced the build-up."""


@dataclass(frozen=True, slots=True)
class MoneyLine:
    """One line of a cash flow: yen per fiscal year of the horizon (+ saving, − cost)."""

    key: str
    """Stable id, e.g. ``posts``, ``contract``, ``start-up``, ``licence``."""
    ja: str
    """Label in Japanese."""
    en: str
    """Label in English."""
    yen_by_year: tuple[float, ...]
    """Year 1 … horizon; savings positive, costs negative."""

    @property
    def total(self) -> float:
        """Sum over the horizon (undiscounted)."""
        return sum(self.yen_by_year)


@dataclass(frozen=True, slots=True)
class StepKey:
    """A step across the portfolio."""

    file: str
    """BPMN file."""
    process_id: ProcessId
    """Process."""
    step_id: ElementId
    """Element."""


@dataclass(frozen=True, slots=True)
class StepMoney:
    """What one step contributes: hours (a fact) and cash (only through posts, lots and robots)."""

    hours_freed_per_year: float
    """人工削減: staff hours a year the recommendation frees (0 when withdrawn or not RPA/outsource)."""
    fte_freed: float
    """hours_freed_per_year ÷ working hours per FTE."""
    capacity: float
    """Capacity view: hours the candidate option would free × its suitability score (0 for retain/automated)."""
    capacity_rank: int | None
    """Rank in the capacity view (1 = most); None when the step is no RPA/outsourcing candidate."""
    unit_id: str
    """Lot or RPA scenario the step belongs to; empty when none."""
    npv_yen: Range
    """財政効果 attributed to the step: net present value over the horizon (low / base / high)."""
    net_yen_by_year: tuple[float, ...] = ()
    """Attributed cash by fiscal year, undiscounted."""
    payback_months: float | None = None
    """Months from the start of the horizon until its unit's cumulative cash turns positive; None if never."""
    candidate: Disposition | None = None
    """The RPA/outsourcing candidate the classification found (kept when the cost gate withdraws it)."""
    withdrawn: str = ""
    """``cost`` (「費用面で推奨しない」), ``feasibility`` (segment not allowed) or empty."""
    input_form: str = ""
    """``paper``, ``digital`` or ``mixed``: what decides the RPA reduction share and AI-OCR."""
    digital_share: float = 1.0
    """Share of digital input 0–1."""
    systems: tuple[str, ...] = ()
    """Systems named for the step."""
    segment: str = ""
    """RPA network segment: ``mynumber`` (マイナンバー利用事務系), ``lgwan`` or empty."""
    migrates: bool = False
    """A named system moves to 標準準拠システム within the horizon (RPA stability gate)."""


@dataclass(frozen=True, slots=True)
class SeatBand:
    """Seats one counter needs in one hour band on one kind of day."""

    month_kind: str
    """``normal`` (10 months) or ``peak`` (March–April)."""
    day_kind: str
    """``normal`` or ``busy`` (Mondays, month start/end)."""
    hour: int
    """Opening hour (9 = 9:00–10:00)."""
    arrivals_per_hour: float
    """Residents arriving in the hour."""
    erlangs: float
    """Offered load = arrivals × handling time."""
    seats: int
    """Staffed seats that meet the target (Erlang C)."""
    wait_probability: float
    """Probability a resident waits at all."""
    mean_wait_minutes: float
    """Mean wait."""
    service_level: float
    """Share served within the target wait."""


@dataclass(frozen=True, slots=True)
class QueuePlan:
    """One counter (番号札 queue) of a lot and its seats."""

    queue_id: str
    """Stable id."""
    name: str
    """Counter name: 課 係 lane."""
    flows: tuple[str, ...]
    """Flows whose residents queue here."""
    annual_arrivals: float
    """Residents a year."""
    handling_minutes: float
    """Mean outsourced handling time per resident."""
    target_wait_minutes: float
    """Target in normal months."""
    peak_target_wait_minutes: float
    """Target in March–April."""
    service_level: float
    """Share to serve within the target."""
    bands: tuple[SeatBand, ...]
    """Seats by month kind, day kind and hour."""
    seat_hours_per_year: float
    """Seat-hours a year (before shrinkage)."""
    processing_hours_per_year: float
    """Handling hours a year (the steps' hours)."""
    peak_seats: int
    """Most seats in any band."""


@dataclass(frozen=True, slots=True)
class LotItem:
    """One step in a lot's 業務一覧."""

    step: StepKey
    """The step."""
    name: str
    """Step name."""
    flow_name: str
    """Flow name."""
    lane: str
    """Lane."""
    counter: bool
    """Counter (queue) work; else back-office work of the lot."""
    annual_count: float
    """Executions a year."""
    minutes_per_case: float
    """Minutes per execution."""
    hours_per_year: float
    """Staff hours today."""
    entrustable_ja: str
    """委託可否 from the legal verdict (:func:`scoring.legal.entrustability`)."""
    entrustable_en: str
    """The same in English."""
    basis_ja: str
    """The 根拠通知 (list item, conditions) of an entrustable step; else the legal evidence keeping it with staff."""
    basis_en: str
    """The same in English."""
    assigned_ja: str = "受託者"
    """Who does it under the plan: 受託者 for lot items; 職員, 職員（費用面で推奨しない）, RPA（市） … for the rest."""
    assigned_en: str = "contractor"
    """The same in English."""


@dataclass(frozen=True, slots=True)
class Lot:
    """A contract lot: outsourced steps of the same counter/課, bought as seats."""

    lot_id: str
    """Stable id (used for the page name)."""
    name: str
    """Lot name, e.g. ``市民課 窓口業務委託``."""
    grouping: str
    """``section``, ``lane`` or ``flow``."""
    items: tuple[LotItem, ...]
    """業務一覧."""
    queues: tuple[QueuePlan, ...]
    """Counters and their seats."""
    backoffice_hours_per_year: float
    """Hours of non-counter work in the lot."""
    contractor_hours_per_year: float
    """Paid contractor staff-hours in a full year (seats ÷ (1 − shrinkage), back office absorbed in idle time)."""
    manager_fte: float
    """業務責任者 FTE."""
    onsite_post_fte: float
    """Staff FTE kept on site (not cut)."""
    fee_lines: tuple[MoneyLine, ...]
    """A full year's contract price build-up (one-element yen_by_year each, year of the first term)."""
    startup_lines: tuple[MoneyLine, ...]
    """One-off start-up (仕様書, manuals, procurement, support), one-element yen_by_year each."""
    startup_hours: float
    """Staff hours of the start-up (a 人工 of the project, paid as overtime)."""
    idle_freed_hours: float
    """Counter idle time counted as freed staff time (queue.counter_idle_freed_share)."""
    lines: tuple[MoneyLine, ...]
    """Cash flow by year: posts, contract, start-up and re-tender."""
    npv_yen: Range
    """NPV over the horizon."""
    payback_months: float | None
    """Months until cumulative cash turns positive; None when not within the horizon."""
    withdrawn: bool
    """True when the cost gate withdrew the lot (「費用面で推奨しない」)."""
    service_start_month: int
    """Month of the horizon (0 = April of year 1) the service starts."""
    contract_years: float
    """Term of one contract."""
    staff_items: tuple[LotItem, ...] = ()
    """The other steps of the lot's flows, which the city keeps, each with its 委託可否 and why (仕様書: 業務範囲外)."""


@dataclass(frozen=True, slots=True)
class RpaScenario:
    """One robot scenario (one step), as bought."""

    scenario_id: str
    """Stable id."""
    step: StepKey
    """The step."""
    name: str
    """Step name."""
    flow_name: str
    """Flow name."""
    deployment_id: str
    """Deployment (network segment) it runs in."""
    input_form: str
    """``paper``, ``digital`` or ``mixed``."""
    reduction_share: float
    """Share of the hours freed (by input type), before checking time."""
    ocr_pages_per_year: float
    """Pages read by AI-OCR a year."""
    check_hours_per_year: float
    """Staff hours a year checking AI-OCR output (stay with staff)."""
    hours_freed_per_year: float
    """人工削減."""
    robot_hours_per_year: float
    """Robot run time a year."""
    plan: str
    """``now`` (rebuild at cutover when due) or ``wait`` (build after the 標準準拠 cutover)."""
    migrates: bool
    """A named system moves to 標準準拠システム."""
    lines: tuple[MoneyLine, ...]
    """Cash flow by year (posts value, build, maintenance, share of licence, OCR, rebuild)."""
    npv_yen: Range
    """NPV over the horizon."""
    payback_months: float | None
    """Months until cumulative cash turns positive; None when not within the horizon."""
    withdrawn: str
    """``cost``, ``feasibility`` or empty."""


@dataclass(frozen=True, slots=True)
class RpaDeployment:
    """Robots bought for one network segment: integer robots and licences."""

    deployment_id: str
    """Stable id."""
    segment: str
    """``mynumber`` or ``lgwan``."""
    robots: int
    """Robots (= licences) needed for the run time."""
    scenarios: tuple[str, ...]
    """Scenario ids."""
    robot_hours_per_year: float
    """Total run time a year."""
    ocr: bool
    """Needs an AI-OCR service (paper input)."""
    feasible: bool
    """False when the profile does not allow RPA on this segment."""


@dataclass(frozen=True, slots=True)
class PostRow:
    """Posts of one 課/係 and 職種 in the staffing plan."""

    section: str
    """課."""
    unit: str
    """係 (empty when posts are pooled per 課)."""
    staff_type: StaffType
    """職種."""
    fte_freed: float
    """FTE freed by the adopted recommendations (incl. counter idle time counted as freed)."""
    onsite_kept_fte: float
    """FTE kept as the staff post on site of lots."""
    redeploy_kept_fte: float
    """FTE kept by the redeployment policy (staffing.redeploy_share)."""
    posts_cut: int
    """Whole posts that go."""
    post_fte: float
    """FTE of one post."""
    redeployed_fte: float
    """FTE freed but not cut: redeployed to other work (no cash)."""
    cuts_by_year: tuple[tuple[int, int], ...]
    """(fiscal year, posts that go that year), in year order: bounded by the horizon, not by the posts."""
    cash_yen_per_post_year: float
    """Cash a year one post saves (year-1 prices)."""


@dataclass(frozen=True, slots=True)
class StaffingPlan:
    """Which posts go, when, and what is redeployed."""

    rows: tuple[PostRow, ...]
    """By 課/係 and 職種."""
    posts_cut: int
    """Total posts cut."""
    fte_freed: float
    """Total FTE freed."""
    redeployed_fte: float
    """Total FTE redeployed (always shown)."""
    rounding_rule: Reason
    """The stated rounding rule."""
    assumptions: tuple[Reason, ...]
    """What was assumed (課/係/職種 when the survey does not say)."""


@dataclass(frozen=True, slots=True)
class TornadoBar:
    """How far one parameter, at its low and high, moves the headline NPV."""

    key: str
    """Dotted profile key."""
    low_value: float
    """Parameter at its low end."""
    high_value: float
    """Parameter at its high end."""
    npv_at_low: float
    """Portfolio NPV with the parameter at its low end."""
    npv_at_high: float
    """Portfolio NPV with the parameter at its high end."""
    estimated: bool
    """True when the parameter is an assumption/estimate, not a read figure."""

    @property
    def swing(self) -> float:
        """Width of the bar."""
        return abs(self.npv_at_high - self.npv_at_low)


@dataclass(frozen=True, slots=True)
class BreakEven:
    """The value of one parameter at which a plan of one kind (all lots, or all robots) has an NPV of zero."""

    kind: Disposition
    """OUTSOURCE (every lot) or RPA (every robot scenario), each plan with all of its feasible candidates."""
    key: str
    """Parameter varied, with every other one at its base (``cost.staff_yen_per_hour``: one rate for every 職種)."""
    label_ja: str
    """What the value is, in Japanese."""
    label_en: str
    """The same in English."""
    unit: str
    """Unit of the value (円/時, 円/年)."""
    current: float
    """Today's value to compare with (for the staff rate: the hours-weighted cash cost per hour of the plan's steps)."""
    value: float | None
    """The break-even; None when the NPV keeps its sign over the whole bracket."""
    lower: float
    """Bracket searched."""
    upper: float
    """Bracket searched."""
    npv_base: float
    """The plan's NPV at the base values."""
    npv_at_lower: float
    """NPV at the lower end of the bracket."""
    npv_at_upper: float
    """NPV at the upper end of the bracket."""
    fte_freed: float = 0.0
    """FTE the plan frees at the base values."""
    posts_cut: int = 0
    """Whole posts that go at the base values (the rest is redeployed: no cash)."""


@dataclass(frozen=True, slots=True)
class CalibrationCase:
    """A seed case reproduced from documented inputs."""

    key: str
    """``ebina``, ``yoshikawa`` or ``adachi``."""
    ja: str
    """Title in Japanese."""
    en: str
    """Title in English."""
    inputs: tuple[tuple[str, str, str], ...]
    """(input, value, source) rows."""
    measure_ja: str
    """What is compared, in Japanese."""
    measure_en: str
    """What is compared, in English."""
    seed_ja: str
    """The seed's finding, in Japanese."""
    seed_en: str
    """The seed's finding, in English."""
    model: Range
    """The model's figure for the measure."""
    unit: str
    """``share`` (0–1) or ``yen``."""
    reproduced: bool
    """True when the seed's finding lies within the model's range (or its sign pattern holds)."""
    note_ja: str
    """How to read it, in Japanese."""
    note_en: str
    """How to read it, in English."""
    extra: tuple[tuple[str, str, Range], ...] = ()
    """Further model figures of the case: (label ja, label en, range), same unit."""


@dataclass(frozen=True, slots=True)
class FlowMoney:
    """One flow's two effects."""

    hours_freed_per_year: float
    """人工削減 (recommended steps)."""
    fte_freed: float
    """The same in FTE."""
    npv_yen: Range
    """財政効果: NPV attributed to the flow's steps."""
    net_yen_by_year: tuple[float, ...]
    """Attributed cash by year."""
    lots: tuple[str, ...]
    """Lots with steps of this flow."""
    payback_months: float | None = None
    """Months until the flow's attributed cash turns positive for good; None when not within the horizon."""


@dataclass(frozen=True, slots=True)
class ContractedLine:
    """Work a contractor already does in one flow, and what the existing contract costs (委託済み)."""

    flow_name: str
    """Process (業務) name."""
    file: str
    """BPMN file."""
    steps: tuple[str, ...]
    """Names of the contracted steps."""
    hours_per_year: float
    """Contractor hours a year (the steps' executions × minutes)."""
    yen_per_hour: float | None
    """Price per contractor hour from the profile (``outsource.existing_yen_per_hour``); None = 要設定 (not set)."""
    questioned_steps: tuple[str, ...] = ()
    """Contracted steps the legal gate questions (公権力・要確認 in a contractor's hands): shown as 要確認."""

    @property
    def yen_per_year(self) -> float | None:
        """Today's contract cost a year; None when the price is not set (never silently 0 or a staff cost)."""
        return None if self.yen_per_hour is None else self.hours_per_year * self.yen_per_hour


@dataclass(frozen=True, slots=True)
class MoneySummary:
    """The portfolio's money: two effects, never mixed."""

    horizon_years: int
    """Years evaluated."""
    transition_year: int
    """Year of tendering and building."""
    discount_rate: float
    """Base discount rate."""
    staff_costs: tuple[StaffCost, ...]
    """Full cost build-up per 職種."""
    plan: StaffingPlan
    """Posts that go."""
    lots: tuple[Lot, ...]
    """Contract lots (withdrawn ones included, flagged)."""
    rpa_scenarios: tuple[RpaScenario, ...]
    """Robot scenarios (withdrawn ones included, flagged)."""
    rpa_deployments: tuple[RpaDeployment, ...]
    """Robots and licences per segment."""
    lines: tuple[MoneyLine, ...]
    """Portfolio cash flow by year for the recommended plan."""
    npv_yen: Range
    """財政効果 of the recommended plan: NPV over the horizon."""
    payback_months: float | None
    """Months until the plan's cumulative cash turns positive; None when not within the horizon."""
    hours_freed_per_year: Range
    """人工削減 of the recommended plan (hours a year)."""
    fte_freed: float
    """The same in FTE (base)."""
    candidate_npv_yen: Range
    """NPV if every RPA/outsourcing candidate were adopted (before the cost gate)."""
    candidate_hours_freed_per_year: float
    """Hours every candidate would free."""
    tornado: tuple[TornadoBar, ...]
    """Parameters by how far they move the candidate NPV, largest first."""
    estimate_share: float
    """Share (0–1) of the NPV variance that comes from estimated parameters."""
    confidence: str
    """``high``, ``medium`` or ``low``: how far the figure rests on estimates and whether its sign is settled."""
    assumptions: tuple[Reason, ...]
    """Everything the money stage assumed, in words."""
    withdrawn_steps: int
    """Candidates withdrawn by the cost gate or feasibility."""
    calibration: tuple[CalibrationCase, ...] = ()
    """The seed cases reproduced with this profile."""
    hours_per_fte: float = 1920.0
    """Working hours per FTE the figures were converted with."""
    candidate_plan: StaffingPlan | None = None
    """The staffing plan if every feasible candidate were adopted (shown when nothing is recommended on cost)."""
    break_evens: tuple[BreakEven, ...] = ()
    """Where all lots, and all robots, would break even (staff rate, contractor price, licence)."""
    contracted: tuple[ContractedLine, ...] = ()
    """Contracts the city already has (委託済み steps), one line per flow: today's cost, unchanged by the plan."""
