"""The per-level view of a process that the flow rules share.

Flow analysis is *local to one process level*: the top level of a process and
the inside of each sub-process are checked separately, each from its own start
events to its own end events.  A sub-process node stands for its content one
level up, which keeps one modeling slip from cascading into dozens of findings.
This is why lint builds its own small per-level graphs instead of using
:func:`bpm.graph.process_graph`, whose expanded view joins the levels.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from bpm.errors import Say, Text, say
from bpm.model import (
    Definitions,
    ElementId,
    EventKind,
    EventTrigger,
    FlowNode,
    Process,
    SequenceFlow,
    SourceRef,
    TaskKind,
)


@dataclass(frozen=True, slots=True)
class Level:
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
    def phrase(self) -> Say:
        """The level named for a message, in either language: ``process 'X'`` / ``sub-process 'Y'``."""
        if self.container is not None:
            return sub_process_phrase(self.container)
        return say("lint.process", name=self.process.name or self.process.id)

    @property
    def is_ad_hoc(self) -> bool:
        return self.container is not None and self.container.kind is TaskKind.AD_HOC_SUB_PROCESS

    def flows(self) -> Iterator[SequenceFlow]:
        """Sequence flows whose both ends are on this level."""
        for flow in self.process.flows.values():
            if flow.source_id in self.nodes and flow.target_id in self.nodes:
                yield flow


def parent_of(process: Process, node: FlowNode) -> ElementId | None:
    """The level a node is on; a boundary event is on its host's level wherever it is written.

    Visual Paradigm writes boundary events *inside* the sub-process they are
    attached to; they still belong to the level of their host.
    """
    host = process.nodes.get(node.attached_to) if node.attached_to else None
    if node.kind is EventKind.BOUNDARY and host is not None:
        return host.parent_id
    return node.parent_id


def levels(process: Process) -> Iterator[Level]:
    """The top level of a process, then each sub-process's inside, in document order."""
    children: dict[ElementId | None, dict[ElementId, FlowNode]] = defaultdict(dict)
    for node in process.nodes.values():
        children[parent_of(process, node)][node.id] = node
    yield Level(process, None, children[None])
    for node in process.nodes.values():
        if isinstance(node.kind, TaskKind) and node.kind.is_container:
            yield Level(process, node, children[node.id])


def all_levels(definitions: Definitions) -> Iterator[Level]:
    """Every level of every process of a file."""
    for process in definitions.processes.values():
        yield from levels(process)


def node_phrase(node: FlowNode) -> Say:
    """The node named for a catalogue message (``task '受付する'`` / ``task「受付する」``).

    The BPMN type stays a value (the modeler shows it so); the name is the user's.
    """
    name = " ".join(node.name.split())
    if name:
        return say("lint.node", kind=node.kind.value, name=name)
    return say("lint.node_unnamed", kind=node.kind.value)


def sub_process_phrase(container: FlowNode, *, event: bool = False) -> Say:
    """``sub-process 'Y'`` (or ``event sub-process 'Y'``), ``(unnamed)`` without a name, for a message."""
    name = " ".join(container.name.split())
    if event:
        return say("lint.event_subprocess", name=name) if name else say("lint.event_subprocess_unnamed")
    return say("lint.subprocess", name=name) if name else say("lint.subprocess_unnamed")


def listing(parts: Sequence[Text]) -> Text:
    """Phrases listed in a message, ``A, B, C`` / ``A、B、C`` (the catalogue joins them in each language)."""
    if not parts:
        return ""
    listed: Text = parts[-1]
    for part in reversed(parts[:-1]):
        listed = say("lint.list", first=part, rest=listed)
    return listed


def is_link(node: FlowNode, kind: EventKind) -> bool:
    """A link event of the given kind (throw or catch)."""
    return node.kind is kind and EventTrigger.LINK in node.triggers


def is_compensation(node: FlowNode) -> bool:
    """Compensation handlers and their boundary events live outside the normal flow."""
    return node.is_for_compensation or (
        node.kind is EventKind.BOUNDARY and EventTrigger.COMPENSATION in node.triggers
    )


def is_event_sub_process(node: FlowNode) -> bool:
    """A sub-process started by an event (``triggeredByEvent``), outside the normal flow."""
    return isinstance(node.kind, TaskKind) and node.kind.is_container and node.triggered_by_event


@dataclass(frozen=True, slots=True)
class ControlFlow:
    """The control flow of one level with where it may start and where it may stop."""

    graph: nx.DiGraph
    seeds: frozenset[ElementId]
    terminals: frozenset[ElementId]
    unpaired_links: tuple[FlowNode, ...]


_CACHE_SIZE = 256
_flow_cache: OrderedDict[tuple[int, ElementId | None], tuple[Process, ControlFlow]] = OrderedDict()
"""Recently built control flows, keyed by process identity and level; several rules ask for the same one.

Each entry keeps its process alive, so an ``id()`` in the key cannot be reused
by another process while the entry exists; the identity check makes sure.
"""


def control_flow(level: Level) -> ControlFlow:
    """The :func:`build_control_flow` of a level, built once for all the rules that need it."""
    key = (id(level.process), level.container.id if level.container else None)
    cached = _flow_cache.get(key)
    if cached is not None and cached[0] is level.process:
        _flow_cache.move_to_end(key)
        return cached[1]
    built = build_control_flow(level)
    _flow_cache[key] = (level.process, built)
    while len(_flow_cache) > _CACHE_SIZE:
        _flow_cache.popitem(last=False)
    return built


def build_control_flow(level: Level) -> ControlFlow:
    """Sequence flows of one level, plus host → boundary event and link throw → link catch.

    Seeds are the level's start events (or, without any, every node without an
    incoming flow, as BPMN defines), event sub-processes, compensation handlers
    and link catch events that no throw names.  Terminals mirror them: end events
    (or, without any, every node without an outgoing flow), event sub-processes,
    compensation elements and link throws that no catch names.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(level.nodes)
    for flow in level.flows():
        graph.add_edge(flow.source_id, flow.target_id)
    for node in level.nodes.values():
        if node.kind is EventKind.BOUNDARY and node.attached_to in level.nodes:
            graph.add_edge(node.attached_to, node.id)
    catches: dict[str, list[FlowNode]] = defaultdict(list)
    throws: dict[str, list[FlowNode]] = defaultdict(list)
    for node in level.nodes.values():
        if is_link(node, EventKind.INTERMEDIATE_CATCH):
            catches[node.link_key].append(node)
        elif is_link(node, EventKind.INTERMEDIATE_THROW):
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
    free = {n.id for n in nodes if is_event_sub_process(n) or is_compensation(n)} | unpaired_ids
    starts = {n.id for n in nodes if n.kind is EventKind.START}
    if not starts:
        starts = {n.id for n in nodes if graph.in_degree(n.id) == 0 and n.kind is not EventKind.BOUNDARY}
    starts |= {n.id for n in nodes if n.instantiate and graph.in_degree(n.id) == 0}
    ends = {n.id for n in nodes if n.kind is EventKind.END}
    if not ends:
        ends = {n.id for n in nodes if graph.out_degree(n.id) == 0}
    return ControlFlow(
        graph,
        frozenset(starts | free),
        frozenset(ends | free),
        tuple(n for n in nodes if n.id in unpaired_ids),
    )


def reachable(graph: nx.DiGraph, seeds: Iterable[ElementId]) -> set[ElementId]:
    """Nodes reachable from the seeds (the seeds included)."""
    seen: set[ElementId] = set()
    stack = [s for s in seeds if s in graph]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.successors(current))
    return seen


def out_flows(process: Process) -> dict[ElementId, list[SequenceFlow]]:
    """Outgoing sequence flows per node (flows to a missing target left out)."""
    result: dict[ElementId, list[SequenceFlow]] = defaultdict(list)
    for flow in process.flows.values():
        if flow.target_id in process.nodes:
            result[flow.source_id].append(flow)
    return result


def in_flows(process: Process) -> dict[ElementId, list[SequenceFlow]]:
    """Incoming sequence flows per node (flows from a missing source left out)."""
    result: dict[ElementId, list[SequenceFlow]] = defaultdict(list)
    for flow in process.flows.values():
        if flow.source_id in process.nodes:
            result[flow.target_id].append(flow)
    return result


def has_condition(flow: SequenceFlow) -> bool:
    """A condition expression with some text in it."""
    return bool(flow.condition and flow.condition.strip())


def ids(items: Iterable[str]) -> str:
    """Ids for a message, comma-separated."""
    return ", ".join(items)
