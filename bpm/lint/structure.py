"""Structure rules: where a case begins, where it gets stuck, and flows that break the levels.

These rules decide whether the visit equations have a meaningful solution:
unreachable steps get no visits, dead ends and loops without an exit make the
equations singular (endless loops, which make every figure infinite, are in :mod:`bpm.lint.loops`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from bpm.errors import say
from bpm.lint.levels import (
    Level,
    all_levels,
    control_flow,
    ids,
    in_flows,
    node_phrase,
    out_flows,
    parent_of,
    reachable,
)
from bpm.lint.registry import Hit, Severity, rule
from bpm.model import (
    Category,
    Definitions,
    ElementId,
    EventKind,
    FlowNode,
)


@rule(
    "no-start-event",
    Severity.ERROR,
    "開始イベントのないプロセス・サブプロセス",
    "Process or sub-process without a start event",
)
def _no_start_event(definitions: Definitions) -> Iterator[Hit]:
    """A level with content but no start event: where does a case begin?"""
    for level in all_levels(definitions):
        if level.is_ad_hoc or not level.nodes:
            continue
        if not any(n.kind is EventKind.START for n in level.nodes.values()):
            yield Hit(
                level.source,
                level.element_id,
                say("lint.no_start", level=level.phrase),
                say("lint.no_start_hint"),
            )


@rule(
    "no-end-event",
    Severity.ERROR,
    "終了イベントのないプロセス・サブプロセス",
    "Process or sub-process without an end event",
)
def _no_end_event(definitions: Definitions) -> Iterator[Hit]:
    """A level with content but no end event: when is a case finished?"""
    for level in all_levels(definitions):
        if level.is_ad_hoc or not level.nodes:
            continue
        if not any(n.kind is EventKind.END for n in level.nodes.values()):
            yield Hit(
                level.source,
                level.element_id,
                say("lint.no_end", level=level.phrase),
                say("lint.no_end_hint"),
            )


@rule(
    "multiple-start-events",
    Severity.INFO,
    "開始イベントが複数ある",
    "More than one start event on one level",
)
def _multiple_start_events(definitions: Definitions) -> Iterator[Hit]:
    """Several starts are legal, but the scanner must then split the annual volume between them."""
    for level in all_levels(definitions):
        starts = [n for n in level.nodes.values() if n.kind is EventKind.START]
        if len(starts) > 1:
            yield Hit(
                level.source,
                level.element_id,
                say("lint.many_starts", level=level.phrase, count=len(starts), ids=ids(s.id for s in starts)),
                say("lint.many_starts_hint"),
            )


@rule(
    "unreachable",
    Severity.ERROR,
    "開始イベントから到達できない要素",
    "Flow node that no start event leads to",
)
def _unreachable(definitions: Definitions) -> Iterator[Hit]:
    """A step no case reaches gets no visits, so its workload silently drops out."""
    for level in all_levels(definitions):
        flow = control_flow(level)
        reached = reachable(flow.graph, flow.seeds)
        for node in level.nodes.values():
            if node.id in reached:
                continue
            if node.kind is EventKind.BOUNDARY and node.attached_to in level.nodes:
                continue  # its host is reported instead
            reason = say("lint.unreachable_no_incoming") if flow.graph.in_degree(node.id) == 0 else (
                say("lint.unreachable_from_unreachable")
            )
            yield Hit(
                node.source,
                node.id,
                say("lint.unreachable", node=node_phrase(node), reason=reason),
                say("lint.unreachable_hint"),
            )


@rule(
    "dead-end",
    Severity.ERROR,
    "終了イベントに到達できない行き止まり",
    "Flow node where a case stops before an end event",
)
def _dead_end(definitions: Definitions) -> Iterator[Hit]:
    """Report the place where cases get stuck, not every step upstream of it.

    Every element that cannot reach an end event flows into either an element
    without any continuation (reported here) or a loop without an exit
    (``loop-without-exit``); fixing those fixes everything upstream.

    An activity without an outgoing sequence flow whose boundary event leads on
    is a dead end too: the graph reaches an end through the boundary event, but
    the boundary event covers only the exception (a deadline, an error), so a
    case that completes the activity normally stops there.  It is reported on
    levels that have end events; on a level without any, BPMN reads every
    element without an outgoing flow as an implicit end (and ``no-end-event``
    reports the level).
    """
    for level in all_levels(definitions):
        for stuck in _stuck(level):
            if stuck.is_loop:
                continue
            node = level.nodes[stuck.members[0]]
            if any(f.source_id == node.id for f in level.process.flows.values()):
                what = say("lint.dead_end_nowhere")
            else:
                what = say("lint.dead_end_no_outgoing")
            more = say("lint.dead_end_more", count=stuck.upstream) if stuck.upstream else ""
            yield Hit(
                node.source,
                node.id,
                say("lint.dead_end", node=node_phrase(node), what=what, more=more),
                say("lint.dead_end_hint"),
            )
        yield from _dead_ends_behind_boundary_events(level)


def _dead_ends_behind_boundary_events(level: Level) -> Iterator[Hit]:
    if not any(n.kind is EventKind.END for n in level.nodes.values()):
        return
    flow = control_flow(level)
    boundaries: dict[ElementId, list[FlowNode]] = {}
    for node in level.nodes.values():
        if node.kind is EventKind.BOUNDARY and node.attached_to is not None and node.attached_to in level.nodes:
            boundaries.setdefault(node.attached_to, []).append(node)
    for node in level.nodes.values():
        if node.category is not Category.ACTIVITY or node.id not in boundaries or node.id in flow.terminals:
            continue
        if any(f.source_id == node.id for f in level.process.flows.values()):
            continue
        events = ids(b.id for b in boundaries[node.id])
        yield Hit(
            node.source,
            node.id,
            say("lint.dead_end_boundary", node=node_phrase(node), events=events),
            say("lint.dead_end_boundary_hint"),
        )


@rule(
    "loop-without-exit",
    Severity.ERROR,
    "出口のないループ",
    "Loop that no case can leave",
)
def _loop_without_exit(definitions: Definitions) -> Iterator[Hit]:
    """A cycle with no flow leaving it: cases go round forever and the visit count diverges."""
    for level in all_levels(definitions):
        for stuck in _stuck(level):
            if not stuck.is_loop:
                continue
            first = level.nodes[stuck.members[0]]
            more = say("lint.loop_more", count=stuck.upstream) if stuck.upstream else ""
            yield Hit(
                first.source,
                first.id,
                say("lint.loop_without_exit", ids=ids(stuck.members), more=more),
                say("lint.loop_without_exit_hint"),
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


def _stuck(level: Level) -> list[_Stuck]:
    """Sink components of the elements that cannot reach a terminal, in document order."""
    flow = control_flow(level)
    finishing = reachable(flow.graph.reverse(copy=False), flow.terminals)
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


# --------------------------------------------------------------------------- links and crossings


@rule(
    "unpaired-link",
    Severity.WARNING,
    "対応する相手のないリンクイベント",
    "Link event without a partner of the same name",
)
def _unpaired_link(definitions: Definitions) -> Iterator[Hit]:
    """Link events pair by name; an unpaired one breaks the flow the diagram suggests."""
    for level in all_levels(definitions):
        for node in control_flow(level).unpaired_links:
            partner = say("lint.link_catch") if node.kind is EventKind.INTERMEDIATE_THROW else say("lint.link_throw")
            yield Hit(
                node.source,
                node.id,
                say("lint.unpaired_link", node=node_phrase(node), partner=partner),
                say("lint.unpaired_link_hint"),
            )


@rule(
    "invalid-event-flow",
    Severity.ERROR,
    "開始イベントへの流入・終了イベントからの流出",
    "Sequence flow into a start or boundary event, or out of an end event",
)
def _invalid_event_flow(definitions: Definitions) -> Iterator[Hit]:
    """Start and boundary events only emit, end events only absorb; anything else is a drawing slip."""
    for process in definitions.processes.values():
        incoming, outgoing = in_flows(process), out_flows(process)
        for node in process.nodes.values():
            if node.kind in (EventKind.START, EventKind.BOUNDARY) and incoming[node.id]:
                flows = ids(f.id for f in incoming[node.id])
                yield Hit(node.source, node.id, say("lint.start_incoming", node=node_phrase(node), flows=flows),
                          say("lint.start_incoming_hint"))
            if node.kind is EventKind.END and outgoing[node.id]:
                flows = ids(f.id for f in outgoing[node.id])
                yield Hit(node.source, node.id, say("lint.end_outgoing", node=node_phrase(node), flows=flows),
                          say("lint.end_outgoing_hint"))


@rule(
    "flow-crosses-subprocess",
    Severity.ERROR,
    "サブプロセスの境界をまたぐシーケンスフロー",
    "Sequence flow that crosses a sub-process border",
)
def _flow_crosses_subprocess(definitions: Definitions) -> Iterator[Hit]:
    """Sequence flows stay on one level; a crossing flow cannot be followed by any engine or by us."""
    for process in definitions.processes.values():
        for flow in process.flows.values():
            source = process.nodes.get(flow.source_id)
            target = process.nodes.get(flow.target_id)
            if source is None or target is None:
                continue
            source_level, target_level = parent_of(process, source), parent_of(process, target)
            if source_level == target_level:
                continue
            yield Hit(
                flow.source,
                flow.id,
                say("lint.crosses_subprocess", source=flow.source_id, target=flow.target_id,
                    source_level=source_level or say("lint.top_level"),
                    target_level=target_level or say("lint.top_level")),
                say("lint.crosses_subprocess_hint"),
            )
