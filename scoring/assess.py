"""Compose the scoring pipeline: volumes → features → classification → hours → money (gate, cash, rank).

This is the only module that knows the order of the steps; each one it calls
does one job and is tested on its own.  Everything that could not be measured
is reported as a :class:`~scoring.result.DataGap` rather than guessed silently.

Volumes
-------
A process's annual cases come from the survey's flow-level row, else the
process property ``annual_count``, else the caller (``bpm score --cases``),
else — for a process only ever reached through call activities — the callers'
cases × the call activity's visits, else the profile default (a
``default-volume`` gap).  A step's annual count is its expected visits per
case (:func:`bpm.visits.expected_visits`, with the survey's 分岐確率 as
overrides) × the annual cases, unless the survey or a BPMN property gives the
step's own 件数; a survey count more than the profile tolerance away from the
computed one is noted as evidence.

The branch and boundary-event probabilities the visits were solved with are
kept on each :class:`~scoring.result.ProcessAssessment` (``branches``), with
their source, so the report shows the values that drove the hours instead of
deriving its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from bpm.errors import AnalysisError
from bpm.graph import process_graph
from bpm.model import Definitions, ElementId, EventKind, FlowNode, Process, ProcessId, SequenceFlow, TaskKind
from bpm.visits import DEFAULT, PROPERTY, STRUCTURE, SURVEY, BranchProbability, VisitResult, expected_visits
from scoring.classify import classify
from scoring.cost import MoneyStep, hours_per_year, step_cost, totals
from scoring.features import (
    Measures,
    ProcessContext,
    assessable_steps,
    node_properties,
    process_context,
    step_count_property,
    step_facts,
    step_features,
    step_minutes,
)
from scoring.handoff import handoff_summary, handoff_warning
from scoring.lexicon import Lexicon, compile_lexicon, normalize_name
from scoring.money import MoneyOutcome, money_stage
from scoring.profile import Profile
from scoring.result import (
    Assessment,
    Branch,
    DataGap,
    Evidence,
    EvidenceSource,
    HandoffSummary,
    ProcessAssessment,
    StepAssessment,
    StepKey,
    StepOrg,
)
from scoring.staffing import OrgInputs, step_org
from scoring.survey import ProcessSteps, Survey, SurveyMatch, SurveyRow, match_survey, parse_systems

S = EvidenceSource
_ORDER = tuple(EvidenceSource)

ProcessKey = tuple[str, ProcessId]


@dataclass(frozen=True, slots=True)
class _Unit:
    """One process of the run, with what every later stage needs."""

    definitions: Definitions
    process: Process
    steps: tuple[FlowNode, ...]
    pool_name: str

    @property
    def key(self) -> ProcessKey:
        return (self.definitions.file, self.process.id)

    @property
    def file(self) -> str:
        return self.definitions.file


@dataclass(frozen=True, slots=True)
class _Cases:
    value: float
    source: EvidenceSource
    detail: str


def assess(
    definitions_list: Iterable[Definitions],
    *,
    survey: Survey | None = None,
    profile: Profile,
    annual_cases: Mapping[str, float] | None = None,
) -> Assessment:
    """Assess every step of every process in the run.

    Parameters
    ----------
    definitions_list
        The BPMN files, in input order (the report keeps it).
    survey
        The 業務量調査 sheet, when there is one.
    profile
        Weights, thresholds, words and prices (:func:`scoring.profile.load_profile`).
    annual_cases
        Cases per year by process id or name, from the caller (CLI ``--cases``).
    """
    lexicon = compile_lexicon(profile.lexicon)
    units = _units(definitions_list)
    gaps: list[DataGap] = []
    match = (
        match_survey(survey, [ProcessSteps(u.file, u.process, u.steps, u.pool_name) for u in units])
        if survey is not None
        else SurveyMatch()
    )
    gaps.extend(match.gaps)
    visits = {u.key: _visits(u, units, match, gaps) for u in units}
    cases = _annual_cases(units, match, annual_cases or {}, visits, profile, gaps)
    assessed: list[tuple[_Unit, list[StepAssessment]]] = []
    for unit in units:
        context = process_context(unit.definitions, unit.process, lexicon)
        steps = [
            _assess_step(unit, node, context, match, visits[unit.key], cases[unit.key], profile, lexicon,
                         survey, gaps)
            for node in unit.steps
        ]
        assessed.append((unit, steps))
    assessed, money = _apply_money(assessed, match, cases, profile, gaps, survey.file if survey else "")
    processes: list[ProcessAssessment] = []
    for unit, steps in assessed:
        ranked = tuple(steps)
        case = cases[unit.key]
        process_visits = {ElementId(k): v for k, v in visits[unit.key].visits.items() if k in unit.process.nodes}
        branches = process_branches(unit.process, visits[unit.key])
        processes.append(ProcessAssessment(
            file=unit.file,
            process_id=unit.process.id,
            name=unit.process.name or unit.pool_name or unit.process.id,
            annual_cases=case.value,
            annual_cases_source=case.source,
            steps=ranked,
            totals=totals(ranked, profile.hours_per_fte),
            visits=process_visits,
            branches=branches,
            handoffs=_handoffs(unit, ranked, process_visits, branches, profile, gaps),
            money=money.flows.get(unit.key) if money is not None else None,
        ))
    return Assessment(
        processes=tuple(processes),
        totals=totals((s for p in processes for s in p.steps), profile.hours_per_fte),
        profile_name=profile.name,
        profile_sources=dict(profile.sources),
        gaps=tuple(gaps),
        money=money.summary if money is not None else None,
    )


def _units(definitions_list: Iterable[Definitions]) -> list[_Unit]:
    units: list[_Unit] = []
    for definitions in definitions_list:
        for process in definitions.processes.values():
            steps = assessable_steps(process)
            if not steps:
                continue  # black-box or event-only pools: nothing to assess
            pool = definitions.pool_of(process.id)
            units.append(_Unit(definitions, process, steps, pool.name if pool else ""))
    return units


# --------------------------------------------------------------------------- visits


def _resolver(units: Sequence[_Unit], here: _Unit) -> _CallResolver:
    return _CallResolver(tuple(units), here)


@dataclass(frozen=True, slots=True)
class _CallResolver:
    """calledElement → the loaded process it names: same file first, then a unique match elsewhere."""

    units: tuple[_Unit, ...]
    here: _Unit

    def find(self, called: str) -> _Unit | None:
        same = [u for u in self.units if u.file == self.here.file and u.process.id == called]
        if same:
            return same[0]
        elsewhere = [u for u in self.units if u.process.id == called]
        if len(elsewhere) == 1:
            return elsewhere[0]
        by_name = [u for u in self.units if normalize_name(u.process.name) == normalize_name(called)]
        return by_name[0] if len(by_name) == 1 else None

    def __call__(self, called: str) -> nx.MultiDiGraph | None:
        """The ``resolve_call`` of :func:`bpm.visits.expected_visits`: the called process's expanded graph."""
        found = self.find(called)
        return process_graph(found.definitions, found.process.id, expand_subprocesses=True) if found else None


def _visits(unit: _Unit, units: Sequence[_Unit], match: SurveyMatch, gaps: list[DataGap]) -> VisitResult:
    """Expected visits per case; survey 分岐確率 rows override BPMN probabilities."""
    overrides = {
        str(flow_id): row.probability
        for flow_id, row in match.probabilities.get(unit.key, {}).items()
        if row.probability is not None
    }
    try:
        return expected_visits(
            unit.definitions, unit.process.id, overrides=overrides, resolve_call=_resolver(units, unit)
        )
    except AnalysisError as error:
        gaps.append(DataGap("visits-failed", f"{unit.process.name or unit.process.id}: {error.message}; "
                            "every step counted once per case", unit.file, error.line, error.element_id))
        return VisitResult(visits={n.id: 1.0 for n in unit.steps}, probabilities={},
                           assumptions=(f"visits could not be computed: {error.message}",))


_SOURCES: Mapping[str, EvidenceSource] = {
    SURVEY: S.SURVEY, PROPERTY: S.PROPERTY, STRUCTURE: S.STRUCTURE, DEFAULT: S.DEFAULT,
}
"""bpm.visits' probability sources → the evidence sources the report knows."""


def process_branches(process: Process, result: VisitResult) -> tuple[Branch, ...]:
    """The splits of one process with the probabilities ``result`` was computed with.

    Only real splits are listed: every element with two or more outgoing
    sequence flows (one row per flow) and every boundary event (one row, from
    its host).  Elements of called processes (ids ``call/node``) belong to
    those processes and are left out.  Order: the process's document order.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><task id="t"/><boundaryEvent id="b" attachedToRef="t"/>
    ...   <exclusiveGateway id="x"/><endEvent id="e"/><endEvent id="late"/>
    ...   <sequenceFlow id="f0" sourceRef="s" targetRef="t"/><sequenceFlow id="f1" sourceRef="t" targetRef="x"/>
    ...   <sequenceFlow id="ok" sourceRef="x" targetRef="e"/><sequenceFlow id="ng" sourceRef="x" targetRef="e"/>
    ...   <sequenceFlow id="fb" sourceRef="b" targetRef="late"/></process></definitions>'''
    >>> process = read_bpmn_bytes(xml, "x.bpmn").processes["p"]
    >>> result = expected_visits(read_bpmn_bytes(xml, "x.bpmn"), "p", overrides={"ng": 0.3, "b": 0.1})
    >>> [(b.from_id, b.via_id, b.target_id, round(b.probability, 6), b.source.value)
    ...  for b in process_branches(process, result)]
    [('t', 'b', 'late', 0.1, 'survey'), ('x', 'ok', 'e', 0.7, 'default'), ('x', 'ng', 'e', 0.3, 'survey')]
    """
    by_flow: dict[str, BranchProbability] = {
        flow_id: chance for (source, _, flow_id), chance in result.probabilities.items() if "/" not in source
    }
    outgoing: dict[ElementId, list[SequenceFlow]] = {}
    for flow in process.flows.values():
        outgoing.setdefault(flow.source_id, []).append(flow)
    branches: list[Branch] = []
    for node in process.nodes.values():
        flows = outgoing.get(node.id, [])
        if node.kind is EventKind.BOUNDARY and node.attached_to is not None:
            chance = result.event_probabilities.get(node.id)
            if chance is not None:
                target = flows[0].target_id if len(flows) == 1 else node.id
                branches.append(Branch(node.attached_to, node.id, target, chance.value,
                                       _SOURCES.get(chance.source, S.DEFAULT), via_event=True))
        if len(flows) < 2:
            continue
        for flow in flows:
            chance = by_flow.get(flow.id)
            if chance is not None:
                branches.append(Branch(node.id, flow.id, flow.target_id, chance.value,
                                       _SOURCES.get(chance.source, S.DEFAULT)))
    return tuple(branches)


# --------------------------------------------------------------------------- hand-offs


def _handoffs(
    unit: _Unit,
    steps: Sequence[StepAssessment],
    visits: Mapping[ElementId, float],
    branches: Sequence[Branch],
    profile: Profile,
    gaps: list[DataGap],
) -> HandoffSummary | None:
    """Contractor ↔ staff hand-offs under the recommendations, with the 偽装請負 warning when due.

    None when the visits could not be solved: the hand-offs are built on the
    flow-level visits, and the fallback (every step once) has none.
    """
    if any(node_id not in visits for node_id in unit.process.nodes):
        return None
    graph = process_graph(unit.definitions, unit.process.id, expand_subprocesses=True)
    try:
        summary = handoff_summary(graph, {s.step_id: s.disposition for s in steps}, visits, branches)
    except AnalysisError as error:
        gaps.append(DataGap("handoffs-failed", f"{unit.process.name or unit.process.id}: {error.message}",
                            unit.file, error.line, error.element_id))
        return None
    warning = handoff_warning(summary, profile.handoff.max_per_case, {s.step_id: s.name for s in steps})
    return dataclasses.replace(summary, warning=warning) if warning is not None else summary


# --------------------------------------------------------------------------- cases


def _annual_cases(
    units: Sequence[_Unit],
    match: SurveyMatch,
    given: Mapping[str, float],
    visits: Mapping[ProcessKey, VisitResult],
    profile: Profile,
    gaps: list[DataGap],
) -> dict[ProcessKey, _Cases]:
    explicit: dict[ProcessKey, _Cases] = {}
    used_given: set[str] = set()
    for unit in units:
        row = match.cases.get(unit.key)
        if row is not None and row.annual_count is not None:
            explicit[unit.key] = _Cases(row.annual_count, S.SURVEY, f"調査票 row {row.line}: 件数")
            continue
        raw = unit.process.properties.get("annual_count")
        if raw is not None:
            try:
                value = float(raw.replace(",", ""))
                if value < 0 or value != value:
                    raise ValueError(raw)
                explicit[unit.key] = _Cases(value, S.PROPERTY, f"BPMN process property annual_count = {raw}")
                continue
            except ValueError:
                gaps.append(DataGap("bad-property", f"{unit.process.name}: annual_count={raw!r} is not a number",
                                    unit.file, unit.process.source.line, unit.process.id))
        names = {normalize_name(n) for n in (unit.process.id, unit.process.name, unit.pool_name) if n}
        for key, value in given.items():
            if normalize_name(key) in names:
                explicit[unit.key] = _Cases(float(value), S.USER, f"given by the caller ({key} = {value:g})")
                used_given.add(key)
                break
    for key in sorted(set(given) - used_given):
        gaps.append(DataGap("unmatched-cases", f"annual cases for {key!r} match no process of the run", key))
    result: dict[ProcessKey, _Cases] = dict(explicit)
    by_key = {u.key: u for u in units}
    callers = _callers(units)

    def solve(key: ProcessKey, stack: tuple[ProcessKey, ...]) -> _Cases | None:
        if key in result:
            return result[key]
        if key in stack:
            return None
        parts: list[tuple[float, str]] = []
        for caller_key, node_id in callers.get(key, ()):
            caller = solve(caller_key, (*stack, key))
            if caller is None:
                continue
            per_case = visits[caller_key].visits.get(node_id, 0.0)
            parts.append((caller.value * per_case, f"{by_key[caller_key].process.name or caller_key[1]}/{node_id}"))
        if not parts:
            return None
        total = sum(v for v, _ in parts)
        cases = _Cases(total, S.STRUCTURE, "called from " + ", ".join(label for _, label in parts))
        result[key] = cases
        return cases

    for unit in units:
        if solve(unit.key, ()) is None:
            default = profile.volume.default_annual_cases
            result[unit.key] = _Cases(default, S.DEFAULT, "profile default (volume.default_annual_cases)")
            gaps.append(DataGap(
                "default-volume",
                f"{unit.process.name or unit.process.id}: no annual case count (survey flow row, BPMN property "
                f"annual_count or --cases); profile default {default:,.0f} used",
                unit.file, unit.process.source.line, unit.process.id,
            ))
    return result


def _callers(units: Sequence[_Unit]) -> dict[ProcessKey, list[tuple[ProcessKey, ElementId]]]:
    """Called process → (calling process, call activity) pairs."""
    found: dict[ProcessKey, list[tuple[ProcessKey, ElementId]]] = {}
    for unit in units:
        resolver = _resolver(units, unit)
        for node in unit.process.nodes.values():
            if node.kind is TaskKind.CALL_ACTIVITY and node.called_element:
                target = resolver.find(node.called_element)
                if target is not None and target.key != unit.key:
                    found.setdefault(target.key, []).append((unit.key, node.id))
    return found


# --------------------------------------------------------------------------- one step


def _weaker(*sources: EvidenceSource) -> EvidenceSource:
    return max(sources, key=_ORDER.index)


def _assess_step(
    unit: _Unit,
    node: FlowNode,
    context: ProcessContext,
    match: SurveyMatch,
    visit_result: VisitResult,
    cases: _Cases,
    profile: Profile,
    lexicon: Lexicon,
    survey: Survey | None,
    gaps: list[DataGap],
) -> StepAssessment:
    file = unit.file
    row = match.steps.get((file, unit.process.id, node.id))
    evidence: list[Evidence] = []
    visits = visit_result.visits.get(node.id)
    if visits is None:
        gaps.append(DataGap("no-visits", f"{node.label}: not reached by the flow analysis; counted 0 times per case",
                            file, node.source.line, node.id))
        visits = 0.0
    # Round away the last-bit noise of the linear solve, whose rounding depends on node order:
    # the same flow must give the same figures whatever order the file lists its elements in.
    visits = round(visits, 12)
    assumptions = "; ".join(visit_result.assumptions)
    detail = "expected executions per case from the flow" + (f" ({assumptions})" if assumptions else "")
    evidence.append(Evidence("visits", round(visits, 6), S.STRUCTURE, detail))
    minutes = step_minutes(node, row, profile, file=file)
    if minutes.gap is not None:
        gaps.append(minutes.gap)
    computed = visits * cases.value
    count_property, bad = step_count_property(node, file=file)
    if bad is not None:
        gaps.append(bad)
    if row is not None and row.annual_count is not None:
        annual, count_source = row.annual_count, S.SURVEY
        evidence.append(Evidence("annual_count", annual, S.SURVEY, f"調査票 row {row.line}: 件数"))
        tolerance = profile.volume.count_mismatch_tolerance
        if computed > 0 and abs(annual - computed) / computed > tolerance:
            evidence.append(Evidence(
                "annual_count", round(computed, 2), S.STRUCTURE,
                f"survey 件数 {annual:,.0f} differs from visits × cases = {computed:,.0f} by "
                f"{abs(annual - computed) / computed:.0%} (> {tolerance:.0%}); the survey figure is used",
            ))
    elif count_property is not None:
        annual, count_source = count_property, S.PROPERTY
        evidence.append(Evidence("annual_count", annual, S.PROPERTY, "BPMN property annual_count"))
    else:
        annual, count_source = computed, cases.source
        evidence.append(Evidence("annual_count", round(annual, 4), cases.source,
                                 f"{visits:.4g} visits × {cases.value:,.0f} cases ({cases.detail})"))
    evidence.append(minutes.evidence)
    hours = hours_per_year(annual, minutes.value)
    facts = step_facts(context, node)
    features = step_features(
        node, facts, row,
        Measures(visits, annual, minutes.value, hours, _weaker(count_source, minutes.source)),
        profile, lexicon, file=file,
    )
    gaps.extend(features.gaps)
    if survey is not None and row is None:
        used = "BPMN properties" if node.properties else "task type and wording"
        gaps.append(DataGap("no-data", f"{node.label}: no survey row; {used} and profile defaults used",
                            file, node.source.line, node.id))
    decision = classify(features.values, features.sources, features.legal_authority, profile)
    cost = step_cost(decision.disposition, annual, minutes.value, profile,
                     digital_share=features.values.get("digital_input", 1.0))
    reasons = decision.reasons
    return StepAssessment(
        file=file,
        process_id=unit.process.id,
        process_name=unit.process.name or unit.pool_name or unit.process.id,
        step_id=node.id,
        name=node.label,
        kind=node.kind.value,
        lane_id=node.lane_id,
        lane_name=facts.lane_name,
        source=node.source,
        visits=visits,
        annual_count=annual,
        minutes_per_case=minutes.value,
        features=features.values,
        evidence=(*evidence, *features.evidence),
        scores=decision.scores,
        disposition=decision.disposition,
        confidence=decision.confidence,
        reasons=reasons,
        legal_authority=features.legal_authority,
        cost=cost,
        data_sources={
            "annual_cases": cases.source,
            "visits": S.STRUCTURE,
            "annual_count": count_source,
            "minutes_per_case": minutes.source,
            **features.sources,
        },
    )


# --------------------------------------------------------------------------- money
# Kept in these functions so the legal gate's changes to the steps above merge
# cleanly: the money stage reads the classified steps and may only withdraw a
# candidate (RPA/outsource → retained on cost), never add one.


def _apply_money(
    assessed: list[tuple[_Unit, list[StepAssessment]]],
    match: SurveyMatch,
    cases: Mapping[ProcessKey, _Cases],
    profile: Profile,
    gaps: list[DataGap],
    survey_file: str,
) -> tuple[list[tuple[_Unit, list[StepAssessment]]], MoneyOutcome | None]:
    """Run the money stage (:func:`scoring.money.money_stage`) and write its results into the steps."""
    if profile.money is None:
        return assessed, None
    inputs: list[MoneyStep] = []
    orgs: dict[StepKey, StepOrg] = {}
    for unit, steps in assessed:
        for order, step in enumerate(steps):
            row = match.steps.get((unit.file, unit.process.id, step.step_id))
            node = unit.process.nodes[step.step_id]
            money_step, problem = _money_step(unit, node, row, step, order, cases[unit.key].value, profile)
            if problem is not None:
                gaps.append(DataGap("staff-type", f"{step.name}: {problem}", survey_file if row else unit.file,
                                    row.line if row is not None else None, step.step_id))
            inputs.append(money_step)
            orgs[money_step.key] = money_step.org
    outcome = money_stage(inputs, profile)
    updated: list[tuple[_Unit, list[StepAssessment]]] = []
    for unit, steps in assessed:
        changed: list[StepAssessment] = []
        for step in steps:
            key = StepKey(step.file, step.process_id, step.step_id)
            result = outcome.steps[key]
            changed.append(dataclasses.replace(
                step, disposition=result.disposition, reasons=result.reasons, cost=result.cost,
                money=result.money, rank=result.rank, org=orgs[key],
            ))
        updated.append((unit, changed))
    return updated, outcome


def _money_step(
    unit: _Unit, node: FlowNode, row: SurveyRow | None, step: StepAssessment, order: int, annual_cases: float,
    profile: Profile,
) -> tuple[MoneyStep, str | None]:
    """The measured facts of one step that the money stage needs (no yen)."""
    assert profile.money is not None
    props = node_properties(node)
    if row is not None and (row.section or row.unit or row.staff_type):
        org_in = OrgInputs(row.section, row.unit, row.staff_type, S.SURVEY)
    else:
        org_in = OrgInputs(props.get("section", ""), props.get("unit", ""), props.get("staff_type", ""), S.PROPERTY)
    counter = step.features.get("face_to_face", 0.0) >= profile.money.queue.counter_face_to_face
    org, problem = step_org(dataclasses.replace(org_in, pool_name=unit.pool_name, flow_name=step.process_name,
                                                counter=counter), profile.money)
    digital = step.features.get("digital_input", 1.0)
    if row is not None and row.input_form is not None:
        form, detail = row.input_form, f"調査票 行{row.line}: 入力形式 = {row.input_label}"
    elif "input" in props:
        form, detail = _form_of(digital), f"BPMNプロパティ input = {props['input']}"
    else:
        source = step.data_sources.get("digital_input", S.DEFAULT)
        form, detail = _form_of(digital), f"推定（digital_input {digital:.2f}、{source.value}）"
    systems = row.systems if row is not None and row.systems else parse_systems(props.get("systems", ""))
    return MoneyStep(
        key=StepKey(step.file, step.process_id, step.step_id), name=step.name, flow_name=step.process_name,
        lane=step.lane_name, order=order, annual_cases=annual_cases, visits=step.visits,
        annual_count=step.annual_count, minutes_per_case=step.minutes_per_case,
        hours_per_year=step.cost.hours_per_year, candidate=step.disposition,
        suitability=step.scores.get(step.disposition, 0.0), face_to_face=step.features.get("face_to_face", 0.0),
        digital_share=digital, input_form=form, input_detail=detail, systems=tuple(systems), org=org,
        legal_authority=step.legal_authority, reasons=step.reasons, note=row.note if row is not None else "",
        count_source=step.data_sources.get("annual_count", S.DEFAULT),
        minutes_source=step.data_sources.get("minutes_per_case", S.DEFAULT),
        features=step.features, evidence=step.evidence,
    ), problem


def _form_of(digital_share: float) -> str:
    if digital_share >= 0.75:
        return "digital"
    if digital_share <= 0.25:
        return "paper"
    return "mixed"
