"""Comparable measures of the same standard procedure across municipalities (自治体間比較), as pure functions.

Why these measures: a 研究会 secretariat comparing its members' 窓口 work
needs figures that do not depend on a city's size or on how finely it drew
its flows.  Per standard procedure and city:

* staff minutes per case — today's staff hours × 60 ÷ annual cases (the
  efficiency of the work itself);
* staff hours per 1,000 residents — the burden on the city;
* steps and hand-offs (lane changes) per case — the shape of the process;
* the share of hours that would be outsourced, automated or retained once the
  scan's recommendations (after the legal gate and the hand-off check, before
  the cost gate, which depends on each city's prices) are adopted, 要確認
  counted as retained and also shown on its own;
* full cost per case, from each city's own profile (:func:`cost_per_year`,
  the one place the money model is called);
* legal findings (conflicts, missing decision steps, hand-off risks).

Cities are grouped by 類似団体区分 and by population band; per group the
median, the quartiles (:func:`quantile`, Hyndman–Fan type 7) and the leading
city (fewest staff minutes per case) are computed, and each city's potential:
the hours freed if its minutes per case matched its group's top quartile,
stated as hours and 人工 (FTE); cash only as staff cost through the cost model,
labelled as such — not a 財政効果, which needs a staffing plan.

Every value carries its evidence (what it was computed from) and its
normalisation (how), so a 課長 can recompute it by hand.

The per-flow reduction (:func:`flow_figures`) is a pure function of one
assessed flow and its model, so a process pool can map it over flows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bpm.model import Definitions, Process
from scoring.cities import CityMeta, population_band
from scoring.contracted import CONTRACTOR_LANE_WORDS as CONTRACTOR_LANE_WORDS  # re-export: moved to scoring.contracted
from scoring.contracted import is_contractor_lane
from scoring.lots import contractor_yen_per_hour
from scoring.profile import Profile
from scoring.result import Assessment, Disposition, EvidenceSource, ProcessAssessment, StaffType, StepAssessment
from scoring.staffing import staff_costs

QUANTILE_METHOD_JA = "四分位はハインドマン＝ファン第7法（順位間の線形補間、Excel の QUARTILE.INC と同じ）"
QUANTILE_METHOD_EN = ("quartiles by Hyndman–Fan method 7 (linear interpolation between order statistics, "
                      "as Excel's QUARTILE.INC and numpy's default)")


# --------------------------------------------------------------------------- measures


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """One comparable measure: what it is, its unit and how it is normalised."""

    key: str
    """Stable id, e.g. ``minutes_per_case``."""
    ja: str
    """Name in Japanese."""
    en: str
    """Name in English."""
    unit_ja: str
    """Unit in Japanese."""
    unit_en: str
    """Unit in English."""
    normalisation_ja: str
    """How the value is computed, in Japanese."""
    normalisation_en: str
    """The same in English."""
    lower_is_better: bool | None
    """True when less is leaner (minutes, cost); None when neither direction is better (shares)."""


MEASURES: tuple[MeasureSpec, ...] = (
    MeasureSpec("minutes_per_case", "職員の作業時間", "staff minutes", "分/件", "min per case",
                "職員が担当する手順の年間時間×60÷年間件数（委託事業者レーンと自動化済みの手順を除く）",
                "annual hours of the steps staff do × 60 ÷ annual cases (contractor lanes and automated steps "
                "left out)", True),
    MeasureSpec("hours_per_1000", "住民千人あたり職員時間", "staff hours per 1,000 residents", "時間/年・千人",
                "h/year per 1,000 residents", "職員の年間時間÷人口×1,000", "annual staff hours ÷ population × 1,000",
                True),
    MeasureSpec("steps_per_case", "手順数", "steps", "手順/件", "steps per case",
                "各手順の1件あたり期待実行回数の合計（差戻しループを含む）", "sum of the expected executions per case "
                "of every step (rework loops included)", True),
    MeasureSpec("handoffs_per_case", "引継ぎ回数", "hand-offs", "回/件", "per case",
                "担当レーンが変わるシーケンスフローの1件あたり期待通過回数", "expected passes per case along sequence "
                "flows that change lane", True),
    MeasureSpec("outsourced_share", "委託の割合", "share outsourced", "%", "% of hours",
                "推奨（法的ゲート後）で委託となる手順と現在委託事業者レーンにある手順の時間÷全手順の時間",
                "hours of steps recommended for outsourcing (after the legal gate) or in a contractor lane today "
                "÷ hours of all steps", None),
    MeasureSpec("automated_share", "自動化の割合", "share automated", "%", "% of hours",
                "RPA 推奨と自動化済みの手順の時間÷全手順の時間", "hours of RPA and already automated steps ÷ hours of "
                "all steps", None),
    MeasureSpec("retained_share", "職員保持の割合", "share retained", "%", "% of hours",
                "職員が担当する手順（要確認を含む）の時間÷全手順の時間",
                "hours of steps staff keep (要確認 included) ÷ hours of all steps", None),
    MeasureSpec("review_share", "うち要確認", "of which to be confirmed", "%", "% of hours",
                "要確認の手順の時間÷全手順の時間（職員保持に含めて数える）",
                "hours of 要確認 steps ÷ hours of all steps (counted as retained)", None),
    MeasureSpec("cost_per_case", "1件あたりフルコスト", "full cost per case", "円/件", "yen per case",
                "（職員時間×その団体のプロファイルの職員フルコスト単価＋委託事業者レーンの時間×委託単価×(1+管理費率)）÷年間件数",
                "(staff hours × the city profile's full staff cost per hour + contractor-lane hours × contractor "
                "price × (1 + overhead)) ÷ annual cases", True),
    MeasureSpec("legal_findings", "法的指摘", "legal findings", "件", "findings",
                "法的な区分の衝突・必要な決定手順の欠落・偽装請負のおそれ等の指摘数", "count of legal conflicts, "
                "missing decision steps, hand-off risks and similar findings", True),
)
MEASURE_BY_KEY: Mapping[str, MeasureSpec] = {m.key: m for m in MEASURES}
HEAT_MEASURE = "minutes_per_case"
"""The measure of the overview heat map and of the leading city."""


@dataclass(frozen=True, slots=True)
class Value:
    """A measured value with where it came from."""

    value: float
    """The number, in the measure's unit (shares 0–100)."""
    evidence_ja: str
    """What it was computed from, in Japanese."""
    evidence_en: str
    """The same in English."""


# --------------------------------------------------------------------------- per flow


@dataclass(frozen=True, slots=True)
class FlowFigures:
    """What the comparison keeps of one assessed flow (small, so 35,000 of them fit in memory)."""

    city: str
    """City id (its folder key)."""
    file_key: str
    """The BPMN file's path inside the city folder."""
    process_id: str
    """Process id."""
    process_name: str
    """Process (業務) name."""
    procedure: str
    """Catalogue key of the standard procedure; empty when unmatched."""
    procedure_ja: str
    """Its name in Japanese (empty when unmatched)."""
    procedure_en: str
    """Its name in English."""
    matched_by: str
    """``property``, ``name``, ``mapping`` or empty."""
    match_detail: str
    """What matched (or why nothing did)."""
    annual_cases: float
    """Cases per year."""
    cases_source: str
    """Where the case count came from (survey, property, user, default)."""
    staff_hours: float
    """Staff hours a year today (contractor lanes and automated steps left out)."""
    contractor_hours: float
    """Hours a year done in a contractor lane today."""
    hours_by_share: Mapping[str, float]
    """All step hours by ``outsourced``, ``automated``, ``retained`` and ``review`` (part of retained)."""
    steps_per_case: float
    """Expected step executions per case."""
    handoffs_per_case: float
    """Expected lane changes per case."""
    cost_yen_per_year: float
    """Full cost a year through :func:`cost_per_year`."""
    legal_findings: int
    """Legal findings about this flow."""
    minutes_sources: Mapping[str, int]
    """How many steps took their minutes from each source (survey, property, default …)."""
    steps: int
    """Steps in the flow."""
    dispositions: tuple[tuple[str, str], ...] = ()
    """(step id, disposition value) for drawing the flow; empty when not kept."""


def cost_per_year(staff_hours: float, contractor_hours: float, profile: Profile) -> float:
    """Full cost a year of the work: the one place the comparison calls the money model.

    Staff hours at the full cost per hour of a regular post (人件費フルコスト,
    built per 職種 from the profile's ``[staff.*]``, or the single rate
    ``cost.staff_yen_per_hour`` when the profile sets one); hours a contractor
    does today at the all-in contractor price per staff-hour
    (:func:`scoring.lots.contractor_yen_per_hour`).  A cost, never a 財政効果:
    cash needs a staffing plan.

    >>> from scoring.profile import load_profile
    >>> p = load_profile()
    >>> round(cost_per_year(10.0, 0.0, p)) == round(10 * staff_yen_per_hour(p))
    True
    """
    money = profile.money
    if money is None:
        return staff_hours * profile.cost.staff_yen_per_hour
    return staff_hours * staff_yen_per_hour(profile) + contractor_hours * contractor_yen_per_hour(money)


def staff_yen_per_hour(profile: Profile) -> float:
    """The profile's full staff cost per hour (a regular post's build-up, or the single-rate override).

    >>> from scoring.profile import load_profile
    >>> round(staff_yen_per_hour(load_profile()))   # 9,846,750 yen ÷ 1,920 h
    5129
    """
    if profile.money is None:
        return profile.cost.staff_yen_per_hour
    return staff_costs(profile.money)[StaffType.REGULAR].yen_per_hour


def staff_cash(hours: float, profile: Profile) -> float:
    """Staff cost of hours (人件費換算), through the same money model: never a 財政効果 by itself."""
    return cost_per_year(hours, 0.0, profile)


_LEGAL_RULE_PREFIXES = ("legal-", "procedure-decision", "handoff-")


def _share_of(step: StepAssessment) -> str:
    """The step's share after the legal gate and the hand-off check, before the cost gate.

    The cost gate depends on each city's prices and posts; the shares compare
    the shape of the work, so they count what the law and the flow allow
    (:attr:`~scoring.result.StepAssessment.classified`).
    """
    disposition = step.classified
    if is_contractor_lane(step.lane_name) or step.contracted is not None or disposition is Disposition.OUTSOURCE:
        return "outsourced"
    if disposition in (Disposition.RPA, Disposition.AUTOMATED):
        return "automated"
    return "review" if disposition is Disposition.REVIEW else "retained"


def handoffs_per_case(process: Process, assessed: ProcessAssessment) -> float:
    """Expected passes per case along sequence flows whose ends lie in different lanes.

    A flow's expected passes are its source's visits times the flow's branch
    probability (1 when the source does not split); flows touching a node
    without a lane are not counted.
    """
    lane_of: dict[str, str] = {}
    for top in process.lanes:
        for lane in top.walk():
            if not lane.children:
                for node_id in lane.node_ids:
                    lane_of[node_id] = lane.id
    share = {b.via_id: b.probability for b in assessed.branches if not b.via_event}
    total = 0.0
    for flow in process.flows.values():
        a, b = lane_of.get(flow.source_id), lane_of.get(flow.target_id)
        if a is None or b is None or a == b:
            continue
        total += assessed.visits.get(flow.source_id, 0.0) * share.get(flow.id, 1.0)
    return total


def flow_figures(
    city: str,
    file_key: str,
    definitions: Definitions,
    assessed: ProcessAssessment,
    assessment: Assessment,
    profile: Profile,
    *,
    mapped: tuple[str, str, str, str] | None = None,
    keep_dispositions: bool = True,
) -> FlowFigures:
    """Reduce one assessed flow to what the comparison needs (pure; one flow at a time).

    ``mapped`` is (catalogue key, detail, name ja, name en) from the city's mapping table, used
    only when neither the ``procedure`` property nor the name matched.
    """
    procedure, how, detail = "", "", "no procedure property, its name matches no catalogue alias, no mapping row"
    ja = en = ""
    if assessed.procedure is not None:
        match = assessed.procedure
        procedure, how, detail, ja, en = match.key, match.matched_by, match.detail, match.name_ja, match.name_en
    elif mapped is not None:
        procedure, detail, ja, en = mapped
        how = "mapping"
    staff = contractor = 0.0
    by_share = {"outsourced": 0.0, "automated": 0.0, "retained": 0.0, "review": 0.0}
    sources: dict[str, int] = defaultdict(int)
    for step in assessed.steps:
        hours = step.cost.hours_per_year
        by_share[_share_of(step)] += hours
        if is_contractor_lane(step.lane_name) or step.contracted is not None:
            contractor += hours
        elif step.disposition is not Disposition.AUTOMATED:
            staff += hours
        source = step.data_sources.get("minutes_per_case", EvidenceSource.DEFAULT)
        sources[source.value] += 1
    process = definitions.processes.get(assessed.process_id)
    handoffs = handoffs_per_case(process, assessed) if process is not None else 0.0
    own = {str(assessed.process_id), *(process.nodes if process is not None else ())}
    legal = len([f for f in assessment.findings
                 if f.source.file == assessed.file and f.rule.startswith(_LEGAL_RULE_PREFIXES)
                 and f.element_id in own])
    return FlowFigures(
        city=city,
        file_key=file_key,
        process_id=assessed.process_id,
        process_name=assessed.name,
        procedure=procedure,
        procedure_ja=ja,
        procedure_en=en,
        matched_by=how,
        match_detail=detail,
        annual_cases=assessed.annual_cases,
        cases_source=assessed.annual_cases_source.value,
        staff_hours=staff,
        contractor_hours=contractor,
        hours_by_share=by_share,
        steps_per_case=sum(s.visits for s in assessed.steps),
        handoffs_per_case=handoffs,
        cost_yen_per_year=cost_per_year(staff, contractor, profile),
        legal_findings=legal,
        minutes_sources=dict(sorted(sources.items())),
        steps=len(assessed.steps),
        dispositions=tuple((s.step_id, s.disposition.value) for s in assessed.steps) if keep_dispositions else (),
    )


# --------------------------------------------------------------------------- per procedure and city


@dataclass(frozen=True, slots=True)
class City:
    """One municipality of the comparison."""

    key: str
    """Stable id within the run (the folder name, or the anonymised code)."""
    label: str
    """What pages show: 団体名, or the anonymised code."""
    meta: CityMeta
    """Its metadata (the name inside is never shown when anonymised)."""
    hours_per_fte: float
    """Working hours of one FTE in its profile (for 人工)."""
    staff_yen_per_hour: float
    """Full staff cost per hour in its profile (shown with the cash figures)."""
    profile_name: str = ""
    """Profile used (``default`` or the file)."""


@dataclass(frozen=True, slots=True)
class CityProcedure:
    """One standard procedure in one city: its flows summed, and every measure with evidence."""

    city: str
    """City key."""
    procedure: str
    """Catalogue key."""
    flows: tuple[FlowFigures, ...]
    """The city's flows matched to the procedure."""
    annual_cases: float
    """Cases a year over those flows."""
    staff_hours: float
    """Staff hours a year today."""
    values: Mapping[str, Value]
    """By measure key."""

    def value(self, measure: str) -> float:
        """The number of one measure."""
        return self.values[measure].value


def _flows_text(flows: Sequence[FlowFigures]) -> tuple[str, str]:
    names = "、".join(f"{f.process_name or f.process_id}（{f.file_key}）" for f in flows)
    names_en = "; ".join(f"{f.process_name or f.process_id} ({f.file_key})" for f in flows)
    return names, names_en


def city_procedure(city: City, procedure: str, flows: Sequence[FlowFigures]) -> CityProcedure:
    """Every measure of one procedure in one city, from its flows (cases add up; per-case figures are case-weighted).

    >>> from scoring.cities import CityMeta
    >>> meta = CityMeta("甲市", 50_000, "都市Ⅱ-1", 2025, "m.toml")
    >>> c = City("a", "甲市", meta, 1920.0, 3000.0)
    >>> f = FlowFigures("a", "x.bpmn", "p", "転入届", "jumin_ido", "住民異動届", "moving", "name", "", 1000.0,
    ...                 "survey", 500.0, 0.0,
    ...                 {"outsourced": 0.0, "automated": 100.0, "retained": 400.0, "review": 0.0}, 6.0, 2.0,
    ...                 1_500_000.0, 0, {"survey": 6}, 6)
    >>> cp = city_procedure(c, "jumin_ido", [f])
    >>> cp.value("minutes_per_case"), cp.value("hours_per_1000"), cp.value("automated_share")
    (30.0, 10.0, 20.0)
    """
    cases = sum(f.annual_cases for f in flows)
    staff = sum(f.staff_hours for f in flows)
    total_hours = sum(sum(f.hours_by_share[k] for k in ("outsourced", "automated", "retained", "review"))
                      for f in flows)
    names_ja, names_en = _flows_text(flows)
    sources: dict[str, int] = defaultdict(int)
    for f in flows:
        for source, n in f.minutes_sources.items():
            sources[source] += n
    sources_text = ", ".join(f"{k} {v}" for k, v in sorted(sources.items()))
    cases_from = ", ".join(sorted({f.cases_source for f in flows}))
    base_ja = f"フロー: {names_ja}。年間件数 {cases:,.0f}（出典: {cases_from}）。手順の処理時間の出典: {sources_text}"
    base_en = f"flows: {names_en}. {cases:,.0f} cases a year (from: {cases_from}). Step minutes from: {sources_text}"

    def per_case(total: float) -> float:
        return total / cases if cases > 0 else 0.0

    def share(key: str) -> float:
        return 100.0 * sum(f.hours_by_share[key] for f in flows) / total_hours if total_hours > 0 else 0.0

    cost = sum(f.cost_yen_per_year for f in flows)
    contractor = sum(f.contractor_hours for f in flows)
    values = {
        "minutes_per_case": Value(per_case(staff * 60.0), f"職員時間 {staff:,.1f}時間/年。{base_ja}",
                                  f"{staff:,.1f} staff hours a year. {base_en}"),
        "hours_per_1000": Value(staff / city.meta.population * 1000.0,
                                f"職員時間 {staff:,.1f}時間/年、人口 {city.meta.population:,}人",
                                f"{staff:,.1f} staff hours a year, population {city.meta.population:,}"),
        "steps_per_case": Value(per_case(sum(f.steps_per_case * f.annual_cases for f in flows)),
                                f"手順 {sum(f.steps for f in flows)}件（フロー図と分岐確率から）",
                                f"{sum(f.steps for f in flows)} steps (from the flow and its branch shares)"),
        "handoffs_per_case": Value(per_case(sum(f.handoffs_per_case * f.annual_cases for f in flows)),
                                   "レーンと分岐確率から", "from the lanes and branch shares"),
        "outsourced_share": Value(share("outsourced"), f"全手順 {total_hours:,.1f}時間/年のうち",
                                  f"of {total_hours:,.1f} hours a year of all steps"),
        "automated_share": Value(share("automated"), f"全手順 {total_hours:,.1f}時間/年のうち",
                                 f"of {total_hours:,.1f} hours a year of all steps"),
        "retained_share": Value(share("retained") + share("review"), "要確認を含む",
                                "要確認 (to be confirmed) included"),
        "review_share": Value(share("review"), "職員保持に含めて数える", "counted as retained"),
        "cost_per_case": Value(per_case(cost),
                               f"年間 {cost:,.0f}円（職員単価 {city.staff_yen_per_hour:,.0f}円/時、委託事業者レーン "
                               f"{contractor:,.1f}時間; プロファイル {city.profile_name}）",
                               f"{cost:,.0f} yen a year (staff {city.staff_yen_per_hour:,.0f} yen/h, contractor lanes "
                               f"{contractor:,.1f} h; profile {city.profile_name})"),
        "legal_findings": Value(float(sum(f.legal_findings for f in flows)),
                                "評価の指摘（法的ゲート・手続テンプレート・引継ぎ）",
                                "assessment findings (legal gate, procedure template, hand-offs)"),
    }
    return CityProcedure(city.key, procedure, tuple(flows), cases, staff, values)


# --------------------------------------------------------------------------- statistics


def quantile(values: Sequence[float], p: float) -> float:
    """The p-quantile by Hyndman–Fan method 7: linear interpolation between order statistics.

    The same as Excel's ``QUARTILE.INC``/``PERCENTILE.INC`` and numpy's
    default, so a secretariat can check every figure in a spreadsheet.

    >>> quantile([1.0, 2.0, 3.0, 4.0], 0.25), quantile([1.0, 2.0, 3.0, 4.0], 0.5), quantile([5.0], 0.75)
    (1.75, 2.5, 5.0)
    """
    if not values:
        raise ValueError("quantile of no values")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be within 0–1, not {p}")
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True, slots=True)
class GroupStats:
    """One measure of one procedure over one group of similar cities."""

    grouping: str
    """``similar_group`` (類似団体区分) or ``band`` (population band)."""
    group: str
    """The group's label (e.g. ``都市Ⅱ-1`` or ``5万〜10万人``)."""
    procedure: str
    """Catalogue key."""
    measure: str
    """Measure key."""
    cities: tuple[str, ...]
    """City keys in the group that run the procedure, sorted."""
    median: float
    """Median."""
    q1: float
    """Lower quartile."""
    q3: float
    """Upper quartile."""
    leader: str
    """City key with the best value (lowest when lower is better); empty when no direction is better."""

    @property
    def n(self) -> int:
        """Cities in the group."""
        return len(self.cities)

    @property
    def top_quartile(self) -> float:
        """The value a city must reach to be in the best quarter (q1 when lower is better, else q3)."""
        return self.q1 if MEASURE_BY_KEY[self.measure].lower_is_better is not False else self.q3


def group_of(city: City, grouping: str) -> str:
    """The group a city falls in under a grouping (``similar_group`` or ``band``)."""
    if grouping == "similar_group":
        return city.meta.similar_group
    if grouping == "band":
        return population_band(city.meta.population)[0]
    raise ValueError(f"unknown grouping {grouping!r}")


GROUPINGS = ("similar_group", "band")
"""類似団体区分 first (the 総務省 grouping), then our population bands."""


def group_stats(
    cities: Mapping[str, City], rows: Iterable[CityProcedure], grouping: str
) -> dict[tuple[str, str, str], GroupStats]:
    """Median, quartiles and leader per (group, procedure, measure)."""
    members: dict[tuple[str, str], list[CityProcedure]] = defaultdict(list)
    for row in rows:
        members[(group_of(cities[row.city], grouping), row.procedure)].append(row)
    result: dict[tuple[str, str, str], GroupStats] = {}
    for (group, procedure), found in sorted(members.items()):
        found.sort(key=lambda r: r.city)
        for spec in MEASURES:
            values = [r.value(spec.key) for r in found]
            leader = ""
            if spec.lower_is_better is not None:
                best = min if spec.lower_is_better else max
                target = best(values)
                leader = next(r.city for r in found if r.value(spec.key) == target)
            result[(group, procedure, spec.key)] = GroupStats(
                grouping, group, procedure, spec.key, tuple(r.city for r in found), quantile(values, 0.5),
                quantile(values, 0.25), quantile(values, 0.75), leader,
            )
    return result


def deviation(value: float, median: float) -> float | None:
    """Relative deviation from the group median in % (None when the median is 0).

    >>> deviation(12.0, 10.0), deviation(1.0, 0.0)
    (20.0, None)
    """
    if median == 0:
        return None
    return 100.0 * (value - median) / median


@dataclass(frozen=True, slots=True)
class Potential:
    """Hours freed if a city's staff minutes per case matched its group's top quartile."""

    city: str
    """City key."""
    procedure: str
    """Catalogue key."""
    group: str
    """The 類似団体区分 (or band) compared with."""
    n: int
    """Cities in that group running the procedure."""
    minutes_now: float
    """The city's staff minutes per case."""
    minutes_target: float
    """The group's top quartile (lower quartile of minutes)."""
    annual_cases: float
    """The city's cases a year."""
    hours: float
    """Hours a year freed: max(0, now − target) × cases ÷ 60."""
    fte: float
    """The same as 人工: hours ÷ the city profile's hours per FTE."""
    staff_cost_yen: float
    """The hours at the city's full staff cost per hour (人件費換算, not a 財政効果)."""


def potential(city: City, row: CityProcedure, stats: GroupStats, profile_cash: float) -> Potential:
    """The potential of one procedure in one city against its group (``stats`` of minutes_per_case).

    ``profile_cash`` is :func:`staff_cash` of one hour in the city's profile.

    >>> from scoring.cities import CityMeta
    >>> c = City("a", "甲市", CityMeta("甲市", 50_000, "都市Ⅱ-1", 2025, "m.toml"), 1920.0, 3000.0)
    >>> row = CityProcedure("a", "p", (), 960.0, 480.0, {"minutes_per_case": Value(30.0, "", "")})
    >>> s = GroupStats("similar_group", "都市Ⅱ-1", "p", "minutes_per_case", ("a", "b"), 25.0, 20.0, 30.0, "b")
    >>> p = potential(c, row, s, 3000.0)
    >>> p.hours, p.fte, p.staff_cost_yen
    (160.0, 0.08333333333333333, 480000.0)
    """
    now = row.value("minutes_per_case")
    hours = max(0.0, now - stats.q1) * row.annual_cases / 60.0
    return Potential(city.key, row.procedure, stats.group, stats.n, now, stats.q1, row.annual_cases, hours,
                     hours / city.hours_per_fte, hours * profile_cash)


# --------------------------------------------------------------------------- the whole comparison


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything the comparison site shows, computed before anything is written."""

    cities: Mapping[str, City]
    """By key, sorted by key."""
    rows: tuple[CityProcedure, ...]
    """Every (procedure, city), sorted by procedure then city."""
    stats: Mapping[str, Mapping[tuple[str, str, str], GroupStats]]
    """By grouping, then (group, procedure, measure)."""
    potentials: tuple[Potential, ...]
    """Per (city, procedure) against the city's 類似団体区分 group."""
    unmatched: tuple[FlowFigures, ...]
    """Flows matched to no standard procedure: listed, never dropped."""
    procedures: tuple[str, ...] = ()
    """Catalogue keys compared, in catalogue order."""
    excluded: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)
    """(city, file, message) of flows left out because their volumes cannot be computed."""
    by_key: Mapping[tuple[str, str], CityProcedure] = field(default_factory=dict, repr=False, compare=False)
    """(city, procedure) → row: an index built once, so a lookup does not scan 35,000 rows."""

    def __post_init__(self) -> None:
        if not self.by_key and self.rows:
            object.__setattr__(self, "by_key", {(r.city, r.procedure): r for r in self.rows})

    def row(self, city: str, procedure: str) -> CityProcedure | None:
        """The row of one city and procedure, if the city runs it."""
        return self.by_key.get((city, procedure))


def compare(
    cities: Mapping[str, City],
    flows: Iterable[FlowFigures],
    *,
    procedure_order: Sequence[str] = (),
    excluded: Sequence[tuple[str, str, str]] = (),
) -> Comparison:
    """Group flows by (procedure, city), compute every measure, the group statistics and the potentials."""
    by_key: dict[tuple[str, str], list[FlowFigures]] = defaultdict(list)
    unmatched: list[FlowFigures] = []
    for flow in flows:
        if flow.procedure:
            by_key[(flow.procedure, flow.city)].append(flow)
        else:
            unmatched.append(flow)
    rows = tuple(city_procedure(cities[c], p, sorted(fs, key=lambda f: (f.file_key, f.process_id)))
                 for (p, c), fs in sorted(by_key.items()))
    order = {key: i for i, key in enumerate(procedure_order)}
    procedures = tuple(sorted({r.procedure for r in rows}, key=lambda k: (order.get(k, len(order)), k)))
    stats = {grouping: group_stats(cities, rows, grouping) for grouping in GROUPINGS}
    potentials = []
    for row in rows:
        city = cities[row.city]
        s = stats["similar_group"][(group_of(city, "similar_group"), row.procedure, HEAT_MEASURE)]
        potentials.append(potential(city, row, s, city.staff_yen_per_hour))
    unmatched.sort(key=lambda f: (f.city, f.file_key, f.process_id))
    return Comparison(dict(sorted(cities.items())), rows, stats, tuple(potentials), tuple(unmatched), procedures,
                      tuple(excluded))
