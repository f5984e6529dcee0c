"""Model checks: what in a BPMN file will mislead the scanner or its reader.

A counter-process map is drawn by people, not generated, so it is often
*almost* right: a step nobody can reach, a branch that never comes back, an
exclusive gateway whose branches say nothing about when they are taken.  The
scanner would still compute visits and hours for such a map, and the numbers
would be quietly wrong.  ``bpm lint`` names each of these places with its file,
line and element id so they can be fixed in the modeling tool first.

The rules follow the spirit of bpmnlint (stable kebab-case ids, one severity
per rule) with additions that matter for a scanner: unreachable steps get no
visits, dead ends and loops without an exit make the visit equations singular,
and everything the reader had to skip or repair is reported too.

Flow analysis is *local to one process level*: the top level of a process and
the inside of each sub-process are checked separately, each from its own start
events to its own end events.  A sub-process node stands for its content one
level up, which keeps one modeling slip from cascading into dozens of findings.
This is why the module builds its own small per-level graphs instead of using
:func:`bpm.graph.process_graph`, whose expanded view joins the levels.

Rules are registered with :func:`rule`; :data:`RULES` lists them in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum

import networkx as nx

from bpm.errors import BpmError
from bpm.model import (
    Association,
    AssociationKind,
    Category,
    Definitions,
    ElementId,
    EventKind,
    EventTrigger,
    FlowNode,
    GatewayKind,
    NoteLevel,
    Process,
    SequenceFlow,
    SourceRef,
    TaskKind,
)


class Severity(Enum):
    """How bad a finding is; ``error`` makes ``bpm lint`` exit non-zero."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in one place."""

    rule: str
    """Stable kebab-case rule id, e.g. ``dead-end``."""
    severity: Severity
    """How bad it is."""
    message: str
    """What is wrong, in English."""
    source: SourceRef
    """Where: file and line of the element concerned."""
    element_id: ElementId | None
    """The element concerned, when it has an id."""
    hint: str = ""
    """How to fix it, when there is something useful to say."""

    def __str__(self) -> str:
        text = f"{self.source}: {self.severity.value} {self.rule}: {self.message}"
        if self.element_id:
            text = f"{text} [id={self.element_id}]"
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered check."""

    id: str
    """Stable kebab-case id, used in findings and in ``--disable``."""
    severity: Severity
    """Severity of the findings it reports."""
    summary_ja: str
    """One-line description for the Japanese report."""
    summary_en: str
    """One-line description for the English report."""
    check: Callable[[Definitions], Iterable[Finding]]
    """The check itself: a pure function of the model."""


@dataclass(frozen=True, slots=True)
class _Hit:
    """What a rule body yields; :func:`rule` adds the rule id and severity."""

    source: SourceRef
    element_id: ElementId | None
    message: str
    hint: str = ""


_REGISTRY: list[Rule] = []


def rule(
    rule_id: str, severity: Severity, summary_ja: str, summary_en: str
) -> Callable[[Callable[[Definitions], Iterable[_Hit]]], Callable[[Definitions], Iterable[_Hit]]]:
    """Register a rule body; each ``_Hit`` it yields becomes a :class:`Finding` of this rule."""

    def register(body: Callable[[Definitions], Iterable[_Hit]]) -> Callable[[Definitions], Iterable[_Hit]]:
        def check(definitions: Definitions) -> Iterator[Finding]:
            for hit in body(definitions):
                yield Finding(rule_id, severity, hit.message, hit.source, hit.element_id, hit.hint)

        check.__doc__ = body.__doc__
        if any(r.id == rule_id for r in _REGISTRY):
            raise ValueError(f"rule {rule_id!r} registered twice")
        _REGISTRY.append(Rule(rule_id, severity, summary_ja, summary_en, check))
        return body

    return register


# --------------------------------------------------------------------------- per-level view


@dataclass(frozen=True, slots=True)
class _Level:
    """One process level: the top of a process or the inside of one sub-process."""

    process: Process
    container: FlowNode | None
    """The enclosing sub-process, or None for the top level."""
    nodes: Mapping[ElementId, FlowNode]
    """Nodes directly on this level, in document order."""

    @property
    def source(self) -> SourceRef:
        return self.container.source if self.container else self.process.source

    @property
    def element_id(self) -> ElementId:
        return self.container.id if self.container else ElementId(self.process.id)

    @property
    def title(self) -> str:
        if self.container is not None:
            return f"sub-process {_quote(self.container)}"
        return f"process {self.process.name or self.process.id!r}"

    @property
    def is_ad_hoc(self) -> bool:
        return self.container is not None and self.container.kind is TaskKind.AD_HOC_SUB_PROCESS


def _parent_of(process: Process, node: FlowNode) -> ElementId | None:
    """The level a node is on; a boundary event is on its host's level wherever it is written.

    Visual Paradigm writes boundary events *inside* the sub-process they are
    attached to; they still belong to the level of their host.
    """
    host = process.nodes.get(node.attached_to) if node.attached_to else None
    if node.kind is EventKind.BOUNDARY and host is not None:
        return host.parent_id
    return node.parent_id


def _levels(process: Process) -> Iterator[_Level]:
    children: dict[ElementId | None, dict[ElementId, FlowNode]] = defaultdict(dict)
    for node in process.nodes.values():
        children[_parent_of(process, node)][node.id] = node
    yield _Level(process, None, children[None])
    for node in process.nodes.values():
        if isinstance(node.kind, TaskKind) and node.kind.is_container:
            yield _Level(process, node, children[node.id])


def _all_levels(definitions: Definitions) -> Iterator[_Level]:
    for process in definitions.processes.values():
        yield from _levels(process)


def _quote(node: FlowNode) -> str:
    return repr(" ".join(node.name.split())) if node.name.strip() else "(unnamed)"


def _describe(node: FlowNode) -> str:
    return f"{node.kind.value} {_quote(node)}"


def _is_link(node: FlowNode, kind: EventKind) -> bool:
    return node.kind is kind and EventTrigger.LINK in node.triggers


def _is_compensation(node: FlowNode) -> bool:
    """Compensation handlers and their boundary events live outside the normal flow."""
    return node.is_for_compensation or (
        node.kind is EventKind.BOUNDARY and EventTrigger.COMPENSATION in node.triggers
    )


def _is_event_sub_process(node: FlowNode) -> bool:
    return isinstance(node.kind, TaskKind) and node.kind.is_container and node.triggered_by_event


@dataclass(frozen=True, slots=True)
class _Flow:
    """The control flow of one level with where it may start and where it may stop."""

    graph: nx.DiGraph
    seeds: frozenset[ElementId]
    terminals: frozenset[ElementId]
    unpaired_links: tuple[FlowNode, ...]


def _control_flow(level: _Level) -> _Flow:
    """Sequence flows of one level, plus host → boundary event and link throw → link catch.

    Seeds are the level's start events (or, without any, every node without an
    incoming flow, as BPMN defines), event sub-processes, compensation handlers
    and link catch events that no throw names.  Terminals mirror them: end events
    (or, without any, every node without an outgoing flow), event sub-processes,
    compensation elements and link throws that no catch names.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(level.nodes)
    for flow in level.process.flows.values():
        if flow.source_id in level.nodes and flow.target_id in level.nodes:
            graph.add_edge(flow.source_id, flow.target_id)
    for node in level.nodes.values():
        if node.kind is EventKind.BOUNDARY and node.attached_to in level.nodes:
            graph.add_edge(node.attached_to, node.id)
    catches: dict[str, list[FlowNode]] = defaultdict(list)
    throws: dict[str, list[FlowNode]] = defaultdict(list)
    for node in level.nodes.values():
        if _is_link(node, EventKind.INTERMEDIATE_CATCH):
            catches[node.link_key].append(node)
        elif _is_link(node, EventKind.INTERMEDIATE_THROW):
            throws[node.link_key].append(node)
    unpaired: list[FlowNode] = []
    for name, throw_nodes in throws.items():
        for throw in throw_nodes:
            if not name or name not in catches:
                unpaired.append(throw)
                continue
            for catch in catches[name]:
                graph.add_edge(throw.id, catch.id)
    unpaired.extend(c for name, group in catches.items() for c in group if not name or name not in throws)
    unpaired_ids = {n.id for n in unpaired}

    nodes = level.nodes.values()
    free = {n.id for n in nodes if _is_event_sub_process(n) or _is_compensation(n)} | unpaired_ids
    starts = {n.id for n in nodes if n.kind is EventKind.START}
    if not starts:
        starts = {n.id for n in nodes if graph.in_degree(n.id) == 0 and n.kind is not EventKind.BOUNDARY}
    starts |= {n.id for n in nodes if n.instantiate and graph.in_degree(n.id) == 0}
    ends = {n.id for n in nodes if n.kind is EventKind.END}
    if not ends:
        ends = {n.id for n in nodes if graph.out_degree(n.id) == 0}
    return _Flow(
        graph,
        frozenset(starts | free),
        frozenset(ends | free),
        tuple(n for n in nodes if n.id in unpaired_ids),
    )


def _reachable(graph: nx.DiGraph, seeds: Iterable[ElementId]) -> set[ElementId]:
    seen: set[ElementId] = set()
    stack = [s for s in seeds if s in graph]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.successors(current))
    return seen


def _out_flows(process: Process) -> dict[ElementId, list[SequenceFlow]]:
    result: dict[ElementId, list[SequenceFlow]] = defaultdict(list)
    for flow in process.flows.values():
        if flow.target_id in process.nodes:
            result[flow.source_id].append(flow)
    return result


def _in_flows(process: Process) -> dict[ElementId, list[SequenceFlow]]:
    result: dict[ElementId, list[SequenceFlow]] = defaultdict(list)
    for flow in process.flows.values():
        if flow.source_id in process.nodes:
            result[flow.target_id].append(flow)
    return result


def _has_condition(flow: SequenceFlow) -> bool:
    return bool(flow.condition and flow.condition.strip())


def _ids(items: Iterable[str]) -> str:
    return ", ".join(items)


# --------------------------------------------------------------------------- structure rules


@rule(
    "no-start-event",
    Severity.ERROR,
    "開始イベントのないプロセス・サブプロセス",
    "Process or sub-process without a start event",
)
def _no_start_event(definitions: Definitions) -> Iterator[_Hit]:
    """A level with content but no start event: where does a case begin?"""
    for level in _all_levels(definitions):
        if level.is_ad_hoc or not level.nodes:
            continue
        if not any(n.kind is EventKind.START for n in level.nodes.values()):
            yield _Hit(
                level.source,
                level.element_id,
                f"{level.title} has no start event",
                "add a start event where a case begins (例: 申請書受付)",
            )


@rule(
    "no-end-event",
    Severity.ERROR,
    "終了イベントのないプロセス・サブプロセス",
    "Process or sub-process without an end event",
)
def _no_end_event(definitions: Definitions) -> Iterator[_Hit]:
    """A level with content but no end event: when is a case finished?"""
    for level in _all_levels(definitions):
        if level.is_ad_hoc or not level.nodes:
            continue
        if not any(n.kind is EventKind.END for n in level.nodes.values()):
            yield _Hit(
                level.source,
                level.element_id,
                f"{level.title} has no end event",
                "add an end event where a case is finished (例: 交付完了)",
            )


@rule(
    "multiple-start-events",
    Severity.INFO,
    "開始イベントが複数ある",
    "More than one start event on one level",
)
def _multiple_start_events(definitions: Definitions) -> Iterator[_Hit]:
    """Several starts are legal, but the scanner must then split the annual volume between them."""
    for level in _all_levels(definitions):
        starts = [n for n in level.nodes.values() if n.kind is EventKind.START]
        if len(starts) > 1:
            yield _Hit(
                level.source,
                level.element_id,
                f"{level.title} has {len(starts)} start events ({_ids(s.id for s in starts)})",
                "give each start a share of the annual count, or merge them",
            )


@rule(
    "unreachable",
    Severity.ERROR,
    "開始イベントから到達できない要素",
    "Flow node that no start event leads to",
)
def _unreachable(definitions: Definitions) -> Iterator[_Hit]:
    """A step no case reaches gets no visits, so its workload silently drops out."""
    for level in _all_levels(definitions):
        flow = _control_flow(level)
        reached = _reachable(flow.graph, flow.seeds)
        for node in level.nodes.values():
            if node.id in reached:
                continue
            if node.kind is EventKind.BOUNDARY and node.attached_to in level.nodes:
                continue  # its host is reported instead
            reason = "it has no incoming sequence flow" if flow.graph.in_degree(node.id) == 0 else (
                "its incoming flows come only from unreachable elements"
            )
            yield _Hit(
                node.source,
                node.id,
                f"{_describe(node)} cannot be reached from any start event: {reason}",
                "connect it with a sequence flow from the step before it",
            )


@rule(
    "dead-end",
    Severity.ERROR,
    "終了イベントに到達できない行き止まり",
    "Flow node where a case stops before an end event",
)
def _dead_end(definitions: Definitions) -> Iterator[_Hit]:
    """Report the place where cases get stuck, not every step upstream of it.

    Every element that cannot reach an end event flows into either an element
    without any continuation (reported here) or a loop without an exit
    (``loop-without-exit``); fixing those fixes everything upstream.
    """
    for level in _all_levels(definitions):
        for stuck in _stuck(level):
            if stuck.is_loop:
                continue
            node = level.nodes[stuck.members[0]]
            if any(f.source_id == node.id for f in level.process.flows.values()):
                what = "has only outgoing flows that lead nowhere"
            else:
                what = "has no outgoing sequence flow"
            more = f"; {stuck.upstream} element(s) before it can only end here" if stuck.upstream else ""
            yield _Hit(
                node.source,
                node.id,
                f"{_describe(node)} {what}, so a case stops here without reaching an end event{more}",
                "continue it with a sequence flow, or end it with an end event",
            )


@rule(
    "loop-without-exit",
    Severity.ERROR,
    "出口のないループ",
    "Loop that no case can leave",
)
def _loop_without_exit(definitions: Definitions) -> Iterator[_Hit]:
    """A cycle with no flow leaving it: cases go round forever and the visit count diverges."""
    for level in _all_levels(definitions):
        for stuck in _stuck(level):
            if not stuck.is_loop:
                continue
            first = level.nodes[stuck.members[0]]
            more = f"; {stuck.upstream} element(s) before it lead only into it" if stuck.upstream else ""
            yield _Hit(
                first.source,
                first.id,
                f"loop through {_ids(stuck.members)} has no way out to an end event{more}",
                "add a gateway branch that leaves the loop (例: 補正完了)",
            )


@dataclass(frozen=True, slots=True)
class _Stuck:
    """A place where cases get stuck: one element without continuation, or a closed loop."""

    members: tuple[ElementId, ...]
    """Elements of the component, in document order."""
    is_loop: bool
    """True for a cycle (a self-loop included)."""
    upstream: int
    """How many other stuck elements can only flow into it."""


def _stuck(level: _Level) -> list[_Stuck]:
    """Sink components of the elements that cannot reach a terminal, in document order."""
    flow = _control_flow(level)
    finishing = _reachable(flow.graph.reverse(copy=False), flow.terminals)
    stuck = flow.graph.subgraph([n for n in flow.graph if n not in finishing])
    if not stuck:
        return []
    order = {nid: i for i, nid in enumerate(level.nodes)}
    condensed = nx.condensation(stuck)
    result: list[_Stuck] = []
    for component in condensed:
        if condensed.out_degree(component) != 0:
            continue
        members = tuple(sorted(condensed.nodes[component]["members"], key=order.__getitem__))
        is_loop = len(members) > 1 or stuck.has_edge(members[0], members[0])
        feeding = set(nx.ancestors(condensed, component))
        upstream = sum(len(condensed.nodes[c]["members"]) for c in feeding)
        result.append(_Stuck(members, is_loop, upstream))
    return sorted(result, key=lambda s: order[s.members[0]])


@rule(
    "unpaired-link",
    Severity.WARNING,
    "対応する相手のないリンクイベント",
    "Link event without a partner of the same name",
)
def _unpaired_link(definitions: Definitions) -> Iterator[_Hit]:
    """Link events pair by name; an unpaired one breaks the flow the diagram suggests."""
    for level in _all_levels(definitions):
        for node in _control_flow(level).unpaired_links:
            partner = "catch" if node.kind is EventKind.INTERMEDIATE_THROW else "throw"
            yield _Hit(
                node.source,
                node.id,
                f"link {_describe(node)} has no link {partner} event with the same name on this level",
                "name the throw and catch link events identically",
            )


@rule(
    "invalid-event-flow",
    Severity.ERROR,
    "開始イベントへの流入・終了イベントからの流出",
    "Sequence flow into a start or boundary event, or out of an end event",
)
def _invalid_event_flow(definitions: Definitions) -> Iterator[_Hit]:
    """Start and boundary events only emit, end events only absorb; anything else is a drawing slip."""
    for process in definitions.processes.values():
        incoming, outgoing = _in_flows(process), _out_flows(process)
        for node in process.nodes.values():
            if node.kind in (EventKind.START, EventKind.BOUNDARY) and incoming[node.id]:
                flows = _ids(f.id for f in incoming[node.id])
                yield _Hit(node.source, node.id, f"{_describe(node)} has incoming sequence flow(s) {flows}",
                           "point the flow at the step after the event, or use an intermediate event")
            if node.kind is EventKind.END and outgoing[node.id]:
                flows = _ids(f.id for f in outgoing[node.id])
                yield _Hit(node.source, node.id, f"{_describe(node)} has outgoing sequence flow(s) {flows}",
                           "use an intermediate event, or start the flow from the step before")


@rule(
    "flow-crosses-subprocess",
    Severity.ERROR,
    "サブプロセスの境界をまたぐシーケンスフロー",
    "Sequence flow that crosses a sub-process border",
)
def _flow_crosses_subprocess(definitions: Definitions) -> Iterator[_Hit]:
    """Sequence flows stay on one level; a crossing flow cannot be followed by any engine or by us."""
    for process in definitions.processes.values():
        for flow in process.flows.values():
            source = process.nodes.get(flow.source_id)
            target = process.nodes.get(flow.target_id)
            if source is None or target is None:
                continue
            source_level, target_level = _parent_of(process, source), _parent_of(process, target)
            if source_level == target_level:
                continue
            yield _Hit(
                flow.source,
                flow.id,
                f"sequence flow from {flow.source_id} (in {source_level or 'the top level'}) "
                f"to {flow.target_id} (in {target_level or 'the top level'}) crosses a sub-process border",
                "end the sub-process with an end event and continue from the sub-process itself",
            )


# --------------------------------------------------------------------------- references


def _known_ids(definitions: Definitions) -> set[str]:
    """Every id the model keeps (elements the reader skipped are not in it)."""
    ids: set[str] = set()
    for process in definitions.processes.values():
        ids.add(process.id)
        ids.update(process.nodes)
        ids.update(process.flows)
        ids.update(lane.id for lane in process.all_lanes())
        ids.update(a.id for a in process.artifacts)
        ids.update(a.id for a in process.associations)
    for collaboration in definitions.collaborations:
        ids.add(collaboration.id)
        ids.update(p.id for p in collaboration.participants)
        ids.update(m.id for m in collaboration.message_flows)
        ids.update(a.id for a in collaboration.artifacts)
        ids.update(a.id for a in collaboration.associations)
    return ids


@rule(
    "dangling-reference",
    Severity.ERROR,
    "存在しない要素への参照",
    "Reference to an element that does not exist",
)
def _dangling_reference(definitions: Definitions) -> Iterator[_Hit]:
    """A reference to nothing means an arrow or assignment the tool lost on export."""
    known = _known_ids(definitions)
    hint = "redraw the connection in the modeling tool and export again"
    participant_ids = {p.id for p in definitions.participants()}
    # Some tools (ModelFoundry) list message flows among incoming/outgoing; wrong but harmless.
    message_flow_ids = {m.id for m in definitions.message_flows()}
    for process in definitions.processes.values():
        nodes = process.nodes
        for flow in process.flows.values():
            for end, ref in (("sourceRef", flow.source_id), ("targetRef", flow.target_id)):
                if ref in nodes:
                    continue
                elsewhere = definitions.find_node(ref)
                where = f" (it is in process {elsewhere.process_id})" if elsewhere else ""
                yield _Hit(flow.source, flow.id, f"sequence flow {end} {ref!r} is not a flow node of "
                           f"process {process.id}{where}", hint if not elsewhere else
                           "connect different pools with a message flow, not a sequence flow")
        for lane in process.all_lanes():
            for ref in lane.node_ids:
                # Several tools list data object references in lanes too; only a ref to nothing is broken.
                if ref not in known:
                    yield _Hit(lane.source, lane.id, f"lane {lane.name or lane.id!r} lists flowNodeRef "
                               f"{ref!r}, which names no element", hint)
        for node in nodes.values():
            if node.kind is EventKind.BOUNDARY:
                host = nodes.get(node.attached_to) if node.attached_to else None
                if host is None:
                    yield _Hit(node.source, node.id, f"boundary event attachedToRef {node.attached_to!r} "
                               "is not an activity of this process", "attach the event to a task again")
                elif host.category is not Category.ACTIVITY:
                    yield _Hit(node.source, node.id, f"boundary event is attached to {_describe(host)}, "
                               "which is not an activity", "attach the event to a task again")
            if node.default_flow is not None:
                default = process.flows.get(node.default_flow)
                if default is None or default.source_id != node.id:
                    yield _Hit(node.source, node.id, f"default flow {node.default_flow!r} is not an outgoing "
                               f"sequence flow of {_describe(node)}", "mark one of its outgoing flows as default")
            for direction, refs in (("incoming", node.incoming), ("outgoing", node.outgoing)):
                missing = [r for r in refs if r not in process.flows and r not in message_flow_ids]
                if missing:
                    yield _Hit(node.source, node.id, f"<{direction}> names sequence flow(s) that do not exist: "
                               f"{_ids(missing)}", hint)
        for association in process.associations:
            yield from _dangling_association(association, known)
    for collaboration in definitions.collaborations:
        for participant in collaboration.participants:
            if participant.process_id and participant.process_id not in definitions.processes:
                yield _Hit(participant.source, participant.id, f"pool {participant.name or participant.id!r} "
                           f"names processRef {participant.process_id!r}, which does not exist", hint)
        for message_flow in collaboration.message_flows:
            for end, ref in (("sourceRef", message_flow.source_id), ("targetRef", message_flow.target_id)):
                if ref not in participant_ids and definitions.find_node(ref) is None:
                    yield _Hit(message_flow.source, message_flow.id, f"message flow {end} {ref!r} is neither "
                               "a pool nor a flow node", hint)
        for association in collaboration.associations:
            yield from _dangling_association(association, known)


def _dangling_association(association: Association, known: set[str]) -> Iterator[_Hit]:
    for end, ref in (("sourceRef", association.source_id), ("targetRef", association.target_id)):
        # Data associations may leave an end implicit (empty) or point at elements the model
        # does not keep (process properties); only plain associations are checked strictly.
        if not ref or ref in known:
            continue
        if association.kind is not AssociationKind.ASSOCIATION:
            continue
        yield _Hit(association.source, association.id, f"association {end} {ref!r} names no element",
                   "redraw the association in the modeling tool and export again")


@rule(
    "flow-ref-mismatch",
    Severity.WARNING,
    "incoming/outgoing の記載とシーケンスフローの不一致",
    "incoming/outgoing children disagree with the sequence flows",
)
def _flow_ref_mismatch(definitions: Definitions) -> Iterator[_Hit]:
    """Tools that write ``incoming``/``outgoing`` should agree with the flows; a gap hints at a broken export.

    Only nodes that declare at least one ``incoming`` or ``outgoing`` are checked:
    many tools write none at all, which is allowed.
    """
    for process in definitions.processes.values():
        incoming, outgoing = _in_flows(process), _out_flows(process)
        for node in process.nodes.values():
            if not node.incoming and not node.outgoing:
                continue
            for direction, declared, actual in (
                ("incoming", node.incoming, incoming[node.id]),
                ("outgoing", node.outgoing, outgoing[node.id]),
            ):
                listed = {r for r in declared if r in process.flows}  # dangling ones: dangling-reference
                real = {f.id for f in actual}
                unlisted = sorted(real - listed)
                wrong = sorted(listed - real)
                problems = []
                if unlisted:
                    problems.append(f"does not list {_ids(unlisted)}")
                if wrong:
                    problems.append(f"lists {_ids(wrong)}, which {'end' if direction == 'incoming' else 'start'} "
                                    "elsewhere")
                if problems:
                    yield _Hit(node.source, node.id, f"<{direction}> of {_describe(node)} "
                               f"{' and '.join(problems)}", "export the file again from the modeling tool")


# --------------------------------------------------------------------------- gateways and branches


@rule(
    "superfluous-gateway",
    Severity.WARNING,
    "分岐も合流もしないゲートウェイ",
    "Gateway with exactly one incoming and one outgoing flow",
)
def _superfluous_gateway(definitions: Definitions) -> Iterator[_Hit]:
    """A gateway that neither splits nor joins adds a box to the diagram and nothing to the flow."""
    for process in definitions.processes.values():
        incoming, outgoing = _in_flows(process), _out_flows(process)
        for node in process.nodes.values():
            if node.category is Category.GATEWAY and len(incoming[node.id]) == 1 and len(outgoing[node.id]) == 1:
                yield _Hit(node.source, node.id, f"{_describe(node)} has one incoming and one outgoing flow, "
                           "so it neither splits nor joins", "remove it and connect the flows directly")


@rule(
    "conditionless-split",
    Severity.ERROR,
    "条件の書かれていない分岐",
    "Exclusive or inclusive split with a branch that has no condition",
)
def _conditionless_split(definitions: Definitions) -> Iterator[_Hit]:
    """Each non-default branch of a decision needs a condition (or at least a name saying when it is taken).

    Without one, neither a reader nor the scanner can tell which cases take
    which branch, so branch probabilities cannot be surveyed.
    """
    for process in definitions.processes.values():
        outgoing = _out_flows(process)
        for node in process.nodes.values():
            if node.kind not in (GatewayKind.EXCLUSIVE, GatewayKind.INCLUSIVE) or len(outgoing[node.id]) < 2:
                continue
            bare = [f.id for f in outgoing[node.id]
                    if not f.is_default and not _has_condition(f) and not f.name.strip()]
            if bare:
                yield _Hit(node.source, node.id, f"{_describe(node)} splits into {len(outgoing[node.id])} "
                           f"branches, but {_ids(bare)} {'has' if len(bare) == 1 else 'have'} neither a condition "
                           "nor a name", "name each branch after its condition (例: 不備あり / 不備なし) "
                           "or mark one as the default flow")


@rule(
    "implicit-split",
    Severity.WARNING,
    "ゲートウェイを使わない分岐（暗黙の並行分岐）",
    "Activity or event with several unconditional outgoing flows",
)
def _implicit_split(definitions: Definitions) -> Iterator[_Hit]:
    """Several plain flows out of a step all fire at once: a hidden parallel split, usually meant as a choice."""
    for process in definitions.processes.values():
        outgoing = _out_flows(process)
        for node in process.nodes.values():
            flows = outgoing[node.id]
            if node.category is Category.GATEWAY or len(flows) < 2:
                continue
            plain = [f.id for f in flows if not f.is_default and not _has_condition(f)]
            if plain:
                yield _Hit(node.source, node.id, f"{_describe(node)} has {len(flows)} outgoing flows and "
                           f"{_ids(plain)} {'has' if len(plain) == 1 else 'have'} no condition, so all of them "
                           "are taken at once", "split with an exclusive gateway for a choice, or a parallel "
                           "gateway when all branches are really taken")


@rule(
    "conditional-flow",
    Severity.INFO,
    "ゲートウェイを使わない条件付きフロー",
    "Activity or event that branches with conditional flows instead of a gateway",
)
def _conditional_flow(definitions: Definitions) -> Iterator[_Hit]:
    """Conditional flows from a step are valid BPMN, but a gateway shows the decision to readers."""
    for process in definitions.processes.values():
        outgoing = _out_flows(process)
        for node in process.nodes.values():
            flows = outgoing[node.id]
            if node.category is Category.GATEWAY or len(flows) < 2:
                continue
            if all(f.is_default or _has_condition(f) for f in flows):
                yield _Hit(node.source, node.id, f"{_describe(node)} branches with conditional sequence flows",
                           "an exclusive gateway after it makes the decision visible")


@rule(
    "implicit-join",
    Severity.WARNING,
    "ゲートウェイを使わない合流",
    "Activity or event with several incoming flows",
)
def _implicit_join(definitions: Definitions) -> Iterator[_Hit]:
    """Several flows into a step merge without synchronising: fine for a choice, wrong after a parallel split."""
    for process in definitions.processes.values():
        incoming = _in_flows(process)
        for node in process.nodes.values():
            flows = incoming[node.id]
            if node.category is Category.GATEWAY or len(flows) < 2:
                continue
            yield _Hit(node.source, node.id, f"{_describe(node)} has {len(flows)} incoming flows "
                       f"({_ids(f.id for f in flows)}) and no gateway to join them",
                       "merge them with an exclusive (or, after a parallel split, a parallel) gateway")


# --------------------------------------------------------------------------- names


@rule(
    "unnamed-task",
    Severity.WARNING,
    "名前のない作業（タスク）",
    "Activity without a name",
)
def _unnamed_task(definitions: Definitions) -> Iterator[_Hit]:
    """An unnamed step cannot be matched to the survey sheet or read in the report."""
    for process in definitions.processes.values():
        for node in process.nodes.values():
            if node.category is Category.ACTIVITY and not node.name.strip():
                yield _Hit(node.source, node.id, f"{node.kind.value} has no name",
                           "name it with a verb phrase (例: 本人確認書類を確認する)")


@rule(
    "unnamed-decision",
    Severity.INFO,
    "名前のない判断（分岐ゲートウェイ）",
    "Exclusive or inclusive split without a name",
)
def _unnamed_decision(definitions: Definitions) -> Iterator[_Hit]:
    """A decision named as a question (例: 書類に不備はあるか) tells the scorer that judgement happens there."""
    for process in definitions.processes.values():
        outgoing = _out_flows(process)
        for node in process.nodes.values():
            is_split = node.kind in (GatewayKind.EXCLUSIVE, GatewayKind.INCLUSIVE) and len(outgoing[node.id]) >= 2
            if is_split and not node.name.strip():
                yield _Hit(node.source, node.id, f"{node.kind.value} splits but has no name",
                           "name the decision as a question (例: 書類に不備はあるか)")


# --------------------------------------------------------------------------- lanes and pools


@rule(
    "empty-lane",
    Severity.WARNING,
    "要素のないレーン",
    "Lane without flow nodes or child lanes",
)
def _empty_lane(definitions: Definitions) -> Iterator[_Hit]:
    """An empty lane is a role with no work, or a lane whose flowNodeRefs the tool did not export."""
    for process in definitions.processes.values():
        for lane in process.all_lanes():
            if not lane.node_ids and not lane.children:
                yield _Hit(lane.source, lane.id, f"lane {lane.name or lane.id!r} holds no flow nodes",
                           "remove it, or move the role's steps into it")


@rule(
    "empty-pool",
    Severity.WARNING,
    "要素のないプール",
    "Pool whose process has no flow nodes",
)
def _empty_pool(definitions: Definitions) -> Iterator[_Hit]:
    """A pool bound to an empty process; draw it as a black box (no process) if that is what it is."""
    for participant in definitions.participants():
        process = definitions.processes.get(participant.process_id) if participant.process_id else None
        if process is not None and not process.nodes:
            yield _Hit(participant.source, participant.id, f"pool {participant.name or participant.id!r} "
                       f"shows process {process.id}, which has no flow nodes",
                       "draw its steps, or make it a black-box pool without a process")


@rule(
    "no-lane-assignment",
    Severity.INFO,
    "レーンに属さない要素",
    "Flow node outside every lane of a process that has lanes",
)
def _no_lane_assignment(definitions: Definitions) -> Iterator[_Hit]:
    """The lane says who does a step (職員, 委託先, システム); without one the step has no role."""
    for process in definitions.processes.values():
        if not process.lanes:
            continue
        for node in process.nodes.values():
            if node.parent_id is None and node.lane_id is None and node.kind is not EventKind.BOUNDARY:
                yield _Hit(node.source, node.id, f"{_describe(node)} is in no lane",
                           "move it into the lane of the role that performs it")


# --------------------------------------------------------------------------- message flows


def _pool_key(definitions: Definitions, element_id: ElementId) -> str | None:
    """The process (or black-box pool) an element belongs to, or None when it does not exist."""
    for participant in definitions.participants():
        if participant.id == element_id:
            return participant.process_id or participant.id
    node = definitions.find_node(element_id)
    return node.process_id if node is not None else None


@rule(
    "message-flow-disconnected",
    Severity.ERROR,
    "同じプール内を結ぶメッセージフロー",
    "Message flow whose ends are in the same pool",
)
def _message_flow_disconnected(definitions: Definitions) -> Iterator[_Hit]:
    """Message flows connect different participants; inside one pool the sequence flow is the connection."""
    for message_flow in definitions.message_flows():
        source = _pool_key(definitions, message_flow.source_id)
        target = _pool_key(definitions, message_flow.target_id)
        if source is not None and source == target:
            yield _Hit(message_flow.source, message_flow.id, f"message flow from {message_flow.source_id} to "
                       f"{message_flow.target_id} stays inside one pool ({source})",
                       "use a sequence flow inside a pool; message flows go between pools")


_CANNOT_SEND = frozenset({EventKind.START, EventKind.INTERMEDIATE_CATCH, EventKind.BOUNDARY})
_CANNOT_RECEIVE = frozenset({EventKind.END, EventKind.INTERMEDIATE_THROW, EventKind.IMPLICIT_THROW})


@rule(
    "message-flow-endpoint",
    Severity.WARNING,
    "送受信できない要素に接続されたメッセージフロー",
    "Message flow attached to an element that cannot send or receive it",
)
def _message_flow_endpoint(definitions: Definitions) -> Iterator[_Hit]:
    """Messages are sent by activities, throw events and pools, and received by activities, catch events, pools."""
    for message_flow in definitions.message_flows():
        for role, ref in (("source", message_flow.source_id), ("target", message_flow.target_id)):
            node = definitions.find_node(ref)
            if node is None:
                continue
            problem = ""
            if node.category is Category.GATEWAY:
                problem = "a gateway cannot send or receive messages"
            elif role == "source" and node.kind in _CANNOT_SEND:
                problem = f"{node.kind.value} cannot send a message"
            elif role == "target" and node.kind in _CANNOT_RECEIVE:
                problem = f"{node.kind.value} cannot receive a message"
            elif node.triggers and EventTrigger.MESSAGE not in node.triggers:
                kinds = ", ".join(t.value for t in node.triggers)
                problem = f"the event is a {kinds}, not a message event"
            if problem:
                yield _Hit(message_flow.source, message_flow.id, f"message flow {role} {_describe(node)} "
                           f"({ref}): {problem}", "attach the message flow to a task, a message event or the pool")


# --------------------------------------------------------------------------- diagram


@rule(
    "missing-shape",
    Severity.INFO,
    "図に描かれていない要素",
    "Flow node without a shape in the diagram",
)
def _missing_shape(definitions: Definitions) -> Iterator[_Hit]:
    """The report annotates the diagram; a node without a shape gets its score in the table only."""
    if not definitions.diagrams:
        return
    drawn = {shape.element_id for diagram in definitions.diagrams for shape in diagram.shapes}
    for process in definitions.processes.values():
        for node in process.nodes.values():
            if node.id not in drawn:
                yield _Hit(node.source, node.id, f"{_describe(node)} is not drawn in any diagram",
                           "place it on the diagram in the modeling tool")


# --------------------------------------------------------------------------- what the reader noticed

_NOTE_RULES = {"duplicate-id": "duplicate-id"}
"""Reader note codes reported under their own rule id instead of ``import-<code>``."""


def _note_findings(definitions: Definitions, codes: Collection[str], *, included: bool) -> Iterator[Finding]:
    for note in definitions.notes:
        if (note.code in codes) != included:
            continue
        severity = Severity.ERROR if note.level is NoteLevel.ERROR else Severity.WARNING
        rule_id = _NOTE_RULES.get(note.code, f"import-{note.code}")
        yield Finding(rule_id, severity, note.message, note.source, note.element_id)


def _duplicate_id(definitions: Definitions) -> Iterator[Finding]:
    """The reader keeps the first element of an id and drops the others, so part of the model is missing."""
    for finding in _note_findings(definitions, {"duplicate-id"}, included=True):
        yield Finding(finding.rule, Severity.ERROR, finding.message, finding.source, finding.element_id,
                      "give every element a unique id (export again, or fix the XML)")


def _import_note(definitions: Definitions) -> Iterator[Finding]:
    """Everything else the reader skipped or repaired, so nothing is lost silently."""
    yield from _note_findings(definitions, {"duplicate-id"}, included=False)


_REGISTRY.append(
    Rule("duplicate-id", Severity.ERROR, "重複した ID", "Element id used more than once", _duplicate_id)
)
_REGISTRY.append(
    Rule(
        "import-note",
        Severity.WARNING,
        "読み込み時に読み飛ばし・修復した内容（import-<code>）",
        "What the reader skipped or repaired (reported as import-<code>)",
        _import_note,
    )
)

RULES: tuple[Rule, ...] = tuple(_REGISTRY)
"""Every rule, in registration order."""

_RULE_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


# --------------------------------------------------------------------------- entry points


def lint(definitions: Definitions, *, disabled: Collection[str] = ()) -> list[Finding]:
    """Run every rule that is not disabled over one file's model.

    Parameters
    ----------
    definitions
        The model of one BPMN file, as :func:`bpm.reader.read_bpmn` returns it.
    disabled
        Rule ids to skip.  ``import-note`` skips all reader notes;
        ``import-<code>`` skips one kind of them.

    Returns
    -------
    list of Finding
        Sorted by file, line and rule id, so output is stable.

    Raises
    ------
    BpmError
        When ``disabled`` names a rule that does not exist (a typo would
        otherwise silently disable nothing).

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ... <process id="p">
    ... <startEvent id="s"/>
    ... <task id="t" name="受付"/>
    ... <task id="orphan" name="保管"/>
    ... <endEvent id="e"/>
    ... <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    ... <sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
    ... </process></definitions>'''.encode()
    >>> for finding in lint(read_bpmn_bytes(xml, "x.bpmn"), disabled={"missing-shape"}):
    ...     print(finding.rule, finding.element_id, finding.source.line)
    dead-end orphan 5
    unreachable orphan 5
    """
    unknown = sorted(d for d in disabled if rule_for(d) is None)
    if unknown:
        raise BpmError(
            f"unknown lint rule(s): {', '.join(unknown)}",
            hint=f"known rules: {', '.join(_RULE_BY_ID)}",
        )
    skip = set(disabled)
    findings: list[Finding] = []
    for each in RULES:
        if each.id in skip:
            continue
        findings.extend(f for f in each.check(definitions) if f.rule not in skip)
    return sorted(findings, key=_sort_key)


def rule_for(rule_id: str) -> Rule | None:
    """The registered rule behind a finding's rule id, or None for an unknown id.

    Reader notes are reported as ``import-<code>``; they all belong to ``import-note``.

    >>> rule_for("import-missing-id").id, rule_for("dead-end").severity.value, rule_for("typo")
    ('import-note', 'error', None)
    """
    if rule_id in _RULE_BY_ID:
        return _RULE_BY_ID[rule_id]
    if rule_id.startswith("import-") and len(rule_id) > len("import-"):
        return _RULE_BY_ID["import-note"]
    return None


def _sort_key(finding: Finding) -> tuple[str, int, str, str, str]:
    return (
        finding.source.file,
        finding.source.line if finding.source.line is not None else 0,
        finding.rule,
        finding.element_id or "",
        finding.message,
    )


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error (``bpm lint`` then exits 1)."""
    return any(f.severity is Severity.ERROR for f in findings)
