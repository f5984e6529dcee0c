"""Volumes: which processes are assessed, their expected visits per case, branch shares and annual cases.

Split from :mod:`scoring.assess` because the volume questions (how often does
each step run, how many cases a year) are answered before any step is
scored, and because a wrong answer here must stop, not degrade: a process
whose visits cannot be solved is returned as an
:class:`~scoring.result.ExcludedProcess` — never "every step once per case",
which turned a rare 30-minute rework step into 5,000 hours and rank 1.

Annual cases come from the caller (``bpm score --cases``: what the user
typed for this run wins, and a ``cases-overridden`` gap says what it
replaced), else the survey's flow-level row, else the process property
``annual_count``, else — for a process only ever reached through call
activities — the callers' cases × the call activity's visits, else the
profile default (a ``default-volume`` gap).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from bpm.errors import AnalysisError
from bpm.graph import process_graph
from bpm.limits import MAX_ANNUAL_COUNT
from bpm.model import (
    Definitions,
    ElementId,
    EventKind,
    FlowNode,
    GatewayKind,
    Process,
    ProcessId,
    SequenceFlow,
    TaskKind,
)
from bpm.visits import DEFAULT, PROPERTY, STRUCTURE, SURVEY, BranchProbability, VisitResult, expected_visits
from scoring.context import assessable_steps
from scoring.evidence_text import Said, said, survey_cell
from scoring.lexicon import normalize_name
from scoring.profile import Profile
from scoring.result import Branch, DataGap, EvidenceSource, ExcludedProcess
from scoring.survey import SurveyMatch, SurveyRow, parse_number

S = EvidenceSource

ProcessKey = tuple[str, ProcessId]


@dataclass(frozen=True, slots=True)
class Unit:
    """One process of the run, with what every later stage needs."""

    definitions: Definitions
    """Its file."""
    process: Process
    """The process."""
    steps: tuple[FlowNode, ...]
    """Its assessable steps."""
    pool_name: str
    """Name of the pool showing it."""

    @property
    def key(self) -> ProcessKey:
        """(file, process id)."""
        return (self.definitions.file, self.process.id)

    @property
    def file(self) -> str:
        """BPMN file."""
        return self.definitions.file

    @property
    def name(self) -> str:
        """Process name, else pool name, else id."""
        return self.process.name or self.pool_name or self.process.id


@dataclass(frozen=True, slots=True)
class Cases:
    """Annual cases of a process with where they came from."""

    value: float
    """Cases per year."""
    source: EvidenceSource
    """Where from."""
    detail: str
    """Evidence text (English)."""
    said: Said | None = None
    """The same as a sentence id and its values (see :mod:`scoring.evidence_text`)."""

    @classmethod
    def of(cls, value: float, source: EvidenceSource, words: Said) -> Cases:
        """Cases whose evidence is the sentence ``words`` (``detail`` is its English)."""
        return cls(value, source, words.en, words)


def units_of(definitions_list: Iterable[Definitions]) -> list[Unit]:
    """Every process with at least one assessable step, in input order."""
    units: list[Unit] = []
    for definitions in definitions_list:
        for process in definitions.processes.values():
            steps = assessable_steps(process)
            if not steps:
                continue  # black-box or event-only pools: nothing to assess
            pool = definitions.pool_of(process.id)
            units.append(Unit(definitions, process, steps, pool.name if pool else ""))
    return units


# --------------------------------------------------------------------------- visits


def resolver(units: Sequence[Unit], here: Unit) -> CallResolver:
    """The call resolver for one process of the run."""
    return CallResolver(tuple(units), here)


@dataclass(frozen=True, slots=True)
class CallResolver:
    """calledElement → the loaded process it names: same file first, then a unique match elsewhere."""

    units: tuple[Unit, ...]
    here: Unit

    def find(self, called: str) -> Unit | None:
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


def solve_visits(
    unit: Unit, units: Sequence[Unit], match: SurveyMatch, gaps: list[DataGap]
) -> VisitResult | ExcludedProcess:
    """Expected visits per case (survey 分岐確率 rows override BPMN probabilities), or why they cannot be solved.

    No fallback: a process whose visits cannot be computed (branch shares
    above 1, a loop that never lets the case out …) comes back as an
    :class:`~scoring.result.ExcludedProcess`, to be left out of every total
    and the ranking and reported as an error.  Shares summing above 1 at one
    gateway are caught first, naming the survey rows that gave them.  Work the
    visits cannot count (a call activity with no or an unresolved
    ``calledElement``, an activity no start reaches) is an ``uncounted-*`` gap
    naming the element, never a silent 0.
    """
    rows = match.probabilities.get(unit.key, {})
    problem = survey_share_problem(unit, rows)
    if problem is not None:
        return problem
    overrides = {str(flow_id): row.probability for flow_id, row in rows.items() if row.probability is not None}
    try:
        result = expected_visits(
            unit.definitions, unit.process.id, overrides=overrides, resolve_call=resolver(units, unit)
        )
    except AnalysisError as error:
        return ExcludedProcess(
            unit.file, unit.process.id, unit.name, f"{unit.name}: {error.message}", error.line, error.element_id,
            error.hint or "fix the flow or its branch probabilities so every case reaches an end",
        )
    gaps.extend(DataGap(f"uncounted-{u.kind}", f"{unit.name}: {u.message}", u.file, u.line, u.element_id)
                for u in result.uncounted)
    return result


_EXCLUSIVE_SPLITS = (GatewayKind.EXCLUSIVE, GatewayKind.EVENT_BASED)


def survey_share_problem(unit: Unit, rows: Mapping[ElementId, SurveyRow]) -> ExcludedProcess | None:
    """Survey 分岐確率 at one exclusive (or event-based) gateway summing above 1, named by sheet row.

    A typo such as 1.63 for 0.07 would otherwise make the visits unsolvable
    (or worse, silently re-normalised); the message names every row involved.
    """
    by_gateway: dict[ElementId, list[tuple[ElementId, SurveyRow]]] = {}
    for flow_id, row in rows.items():
        flow = unit.process.flows.get(flow_id)
        if flow is None or row.probability is None:
            continue
        gateway = unit.process.nodes.get(flow.source_id)
        if gateway is not None and gateway.kind in _EXCLUSIVE_SPLITS:
            by_gateway.setdefault(gateway.id, []).append((flow_id, row))
    for gateway_id, given in by_gateway.items():
        total = sum(row.probability or 0.0 for _, row in given)
        if total > 1.0 + 1e-9:
            gateway = unit.process.nodes[gateway_id]
            listed = ", ".join(f"row {row.line} ({flow_id} = {row.probability:g})" for flow_id, row in given)
            lines = sorted(row.line for _, row in given)
            return ExcludedProcess(
                unit.file, unit.process.id, unit.name,
                f"{unit.name}: survey 分岐確率 at gateway 「{gateway.label}」 sum to {total:g} (> 1): {listed}",
                gateway.source.line, gateway_id,
                f"correct the survey rows {', '.join(str(n) for n in lines)}: the branches of one exclusive "
                "gateway share the cases, so their 分岐確率 sum to 1 at most",
            )
    return None


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




def annual_cases(
    units: Sequence[Unit],
    match: SurveyMatch,
    given: Mapping[str, float],
    visits: Mapping[ProcessKey, VisitResult],
    profile: Profile,
    gaps: list[DataGap],
) -> dict[ProcessKey, Cases]:
    """Annual cases of every process (see the module docstring for the precedence); gaps for defaults."""
    explicit: dict[ProcessKey, Cases] = {}
    used_given: set[str] = set()
    for unit in units:
        measured = _measured_cases(unit, match, gaps)
        names = {normalize_name(n) for n in (unit.process.id, unit.process.name, unit.pool_name) if n}
        typed = next((key for key in given if normalize_name(key) in names), None)
        if typed is not None:
            used_given.add(typed)
            value = float(given[typed])
            explicit[unit.key] = Cases.of(value, S.USER, said("given-by-caller", typed=typed, value=f"{value:g}"))
            if measured is not None and measured.value != value:
                gaps.append(DataGap(
                    "cases-overridden",
                    f"{unit.name}: --cases {typed}={value:g} is used instead of {measured.value:g} from the "
                    f"{measured.detail}",
                    unit.file, unit.process.source.line, unit.process.id,
                ))
        elif measured is not None:
            explicit[unit.key] = measured
    for key in sorted(set(given) - used_given):
        gaps.append(DataGap("unmatched-cases", f"annual cases for {key!r} match no process of the run", key))
    result: dict[ProcessKey, Cases] = dict(explicit)
    by_key = {u.key: u for u in units}
    calls = call_sites(units)

    def solve(key: ProcessKey, stack: tuple[ProcessKey, ...]) -> Cases | None:
        if key in result:
            return result[key]
        if key in stack:
            return None
        parts: list[tuple[float, str]] = []
        for caller_key, node_id in calls.get(key, ()):
            caller = solve(caller_key, (*stack, key))
            if caller is None:
                continue
            per_case = visits[caller_key].visits.get(node_id, 0.0)
            parts.append((caller.value * per_case, f"{by_key[caller_key].process.name or caller_key[1]}/{node_id}"))
        if not parts:
            return None
        total = sum(v for v, _ in parts)
        cases = Cases.of(total, S.STRUCTURE, said("called-from", callers=", ".join(label for _, label in parts)))
        result[key] = cases
        return cases

    for unit in units:
        if solve(unit.key, ()) is None:
            default = profile.volume.default_annual_cases
            result[unit.key] = Cases.of(default, S.DEFAULT, said("profile-default", key="volume.default_annual_cases"))
            gaps.append(DataGap(
                "default-volume",
                f"{unit.process.name or unit.process.id}: no annual case count (survey flow row, BPMN property "
                f"annual_count or --cases); profile default {default:,.0f} used",
                unit.file, unit.process.source.line, unit.process.id,
            ))
    return result


def _measured_cases(unit: Unit, match: SurveyMatch, gaps: list[DataGap]) -> Cases | None:
    """The process's annual cases from the survey's flow row, else its ``annual_count`` property."""
    row = match.cases.get(unit.key)
    if row is not None and row.annual_count is not None:
        return Cases.of(row.annual_count, S.SURVEY, survey_cell(row.line, "件数"))
    raw = unit.process.properties.get("annual_count")
    if raw is None:
        return None
    try:
        value = parse_number(raw, units=("件",), maximum=MAX_ANNUAL_COUNT)
    except ValueError as error:
        gaps.append(DataGap("bad-property", f"{unit.name}: property annual_count ignored: {error}",
                            unit.file, unit.process.source.line, unit.process.id))
        return None
    if value is None:
        return None
    return Cases.of(value, S.PROPERTY, said("process-property", name="annual_count", raw=raw))


def call_sites(units: Sequence[Unit]) -> dict[ProcessKey, list[tuple[ProcessKey, ElementId]]]:
    """Called process → (calling process, call activity) pairs."""
    found: dict[ProcessKey, list[tuple[ProcessKey, ElementId]]] = {}
    for unit in units:
        finder = resolver(units, unit)
        for node in unit.process.nodes.values():
            if node.kind is TaskKind.CALL_ACTIVITY and node.called_element:
                target = finder.find(node.called_element)
                if target is not None and target.key != unit.key:
                    found.setdefault(target.key, []).append((unit.key, node.id))
    return found
