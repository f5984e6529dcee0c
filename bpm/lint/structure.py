"""Structure rules: where a case begins, where it gets stuck, and flows that break the levels.

These rules decide whether the visit equations have a meaningful solution:
unreachable steps get no visits, dead ends and loops without an exit make the
equations singular, and an endless loop makes every figure infinite.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from bpm.lint.levels import (
    ControlFlow,
    Level,
    all_levels,
    control_flow,
    describe,
    has_condition,
    ids,
    in_flows,
    is_event_sub_process,
    is_link,
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
    EventTrigger,
    FlowNode,
    GatewayKind,
    SequenceFlow,
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
                f"{level.title} has no start event",
                "add a start event where a case begins (例: 申請書受付)",
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
                f"{level.title} has no end event",
                "add an end event where a case is finished (例: 交付完了)",
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
                f"{level.title} has {len(starts)} start events ({ids(s.id for s in starts)})",
                "give each start a share of the annual count, or merge them",
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
            reason = "it has no incoming sequence flow" if flow.graph.in_degree(node.id) == 0 else (
                "its incoming flows come only from unreachable elements"
            )
            yield Hit(
                node.source,
                node.id,
                f"{describe(node)} cannot be reached from any start event: {reason}",
                "connect it with a sequence flow from the step before it",
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
                what = "has only outgoing flows that lead nowhere"
            else:
                what = "has no outgoing sequence flow"
            more = f"; {stuck.upstream} element(s) before it can only end here" if stuck.upstream else ""
            yield Hit(
                node.source,
                node.id,
                f"{describe(node)} {what}, so a case stops here without reaching an end event{more}",
                "continue it with a sequence flow, or end it with an end event",
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
            f"{describe(node)} has no outgoing sequence flow; only its boundary event(s) {events} lead on, "
            "so a case that completes it normally stops here without reaching an end event",
            "continue it with a sequence flow (the boundary event covers only the exception), "
            "or end it with an end event",
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
            more = f"; {stuck.upstream} element(s) before it lead only into it" if stuck.upstream else ""
            yield Hit(
                first.source,
                first.id,
                f"loop through {ids(stuck.members)} has no way out to an end event{more}",
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


# --------------------------------------------------------------------------- endless loops

_INTERRUPTING_ENDS = frozenset(
    {EventTrigger.TERMINATE, EventTrigger.ERROR, EventTrigger.CANCEL, EventTrigger.ESCALATION}
)


@rule(
    "endless-loop",
    Severity.ERROR,
    "抜け出せないループ（終わらない・トークンが増え続ける）",
    "Loop that keeps a token whatever its decisions, so a case that enters it never finishes",
)
def _endless_loop(definitions: Definitions) -> Iterator[Hit]:
    """A loop that always keeps a token, whichever way its decisions go: a case that reaches it never finishes.

    When an element completes, some of its outgoing flows are *always taken*:
    every flow of a parallel gateway, the only flow of any element, and every
    unconditional, non-default flow of an activity or event (BPMN takes them
    all at once; a link throw jumps to its catch the same way).  The others are
    *chosen*: the branches of an exclusive, inclusive, complex or event-based
    gateway, an activity's conditional and default flows, and an interrupting
    boundary event, which may take the token instead of the normal flow.

    A set of elements *traps* a token when, from each of them, the token
    cannot get out: an element with an always-taken flow into the set keeps a
    copy in the set whatever else it does, and an element without one keeps
    the token only if every flow it may choose (and every interrupting
    boundary event) leads into the set.  The largest such set is found by
    removing, until nothing changes, every element that can let the token go
    (end events and elements without outgoing flows first).  A token in it is
    never consumed: it either moves on inside the set or waits at a joining
    gateway for ever, so the case never completes.  The rule reports each loop
    inside that set that a case can reach and from which the graph *does*
    reach an end event (loops with no way out at all are ``loop-without-exit``'s):
    this is the case graph reachability cannot see, typically a parallel split
    whose one branch loops back while the other goes on to the end, which
    then sends a new token out every round (reported as work multiplying).
    The visit equations have no finite solution for such a loop either.

    Not reported when the level can be ended from outside the loop: a
    terminate, error, escalation or cancel end event reachable from the loop,
    an interrupting event sub-process on the level, or an interrupting boundary
    event on the sub-process the level belongs to.  The case can then finish,
    if only by that interruption.
    """
    for level in all_levels(definitions):
        cycles = endless_cycles(level)
        if not cycles or _interruptible(level):
            continue
        flow = control_flow(level)
        for members in cycles:
            if _reaches_interrupting_end(level, flow, members):
                continue
            yield _endless_hit(level, members)


def endless_cycles(level: Level) -> list[list[ElementId]]:
    """Loops that trap a token (see ``endless-loop``), reachable and able to reach an end, in document order.

    Members in document order; interruptions that could still end the level
    are not considered here (``endless-loop`` checks them).
    """
    flow = control_flow(level)
    trapped = _trap(level, flow)
    if not trapped:
        return []
    reached = reachable(flow.graph, flow.seeds)
    finishing = reachable(flow.graph.reverse(copy=False), flow.terminals)
    candidates = flow.graph.subgraph(n for n in trapped if n in reached and n in finishing)
    order = {nid: i for i, nid in enumerate(level.nodes)}
    cycles = [
        sorted(c, key=order.__getitem__)
        for c in nx.strongly_connected_components(candidates)
        if len(c) > 1 or any(candidates.has_edge(n, n) for n in c)
    ]
    return sorted(cycles, key=lambda m: order[m[0]])


@dataclass(frozen=True, slots=True)
class _Branches:
    """Where a token may go when an element completes."""

    always: tuple[ElementId, ...]
    """Targets of the flows that are always taken."""
    chosen: tuple[ElementId, ...]
    """Targets the element may choose instead (gateway branches, conditional and default flows)."""
    interrupting: tuple[ElementId, ...]
    """Interrupting boundary events that may take the token instead of any flow."""


def _branches(level: Level, flow: ControlFlow) -> dict[ElementId, _Branches]:
    outgoing: dict[ElementId, list[SequenceFlow]] = {}
    for each in level.flows():
        outgoing.setdefault(each.source_id, []).append(each)
    interrupting: dict[ElementId, list[ElementId]] = {}
    for node in level.nodes.values():
        host = node.attached_to
        if node.kind is EventKind.BOUNDARY and node.cancel_activity and host is not None and host in level.nodes:
            interrupting.setdefault(host, []).append(node.id)
    result: dict[ElementId, _Branches] = {}
    for node in level.nodes.values():
        flows = outgoing.get(node.id, [])
        targets = [f.target_id for f in flows]
        if is_link(node, EventKind.INTERMEDIATE_THROW):
            targets += [t for t in flow.graph.successors(node.id) if t not in targets]
        if node.category is Category.GATEWAY:
            taken = node.kind is GatewayKind.PARALLEL or len(targets) == 1
            always, chosen = (targets, []) if taken else ([], targets)
        elif any(has_condition(f) for f in flows):
            always = [f.target_id for f in flows if not has_condition(f) and not f.is_default]
            chosen = [f.target_id for f in flows if has_condition(f) or f.is_default]
        else:
            always, chosen = targets, []
        result[node.id] = _Branches(tuple(always), tuple(chosen), tuple(interrupting.get(node.id, ())))
    return result


def _keeps_token(branches: _Branches, inside: set[ElementId]) -> bool:
    """Whatever the element chooses, a token stays in ``inside``."""
    if not all(b in inside for b in branches.interrupting):
        return False
    if any(t in inside for t in branches.always):
        return True
    return not branches.always and bool(branches.chosen) and all(t in inside for t in branches.chosen)


def _trap(level: Level, flow: ControlFlow) -> set[ElementId]:
    """The largest set of elements a token cannot leave (see ``endless-loop``), by removal until stable."""
    branches = _branches(level, flow)
    inside = {n for n, b in branches.items() if b.always or b.chosen}
    changed = True
    while changed:
        leaving = {n for n in inside if not _keeps_token(branches[n], inside)}
        inside -= leaving
        changed = bool(leaving)
    return inside


def _endless_hit(level: Level, members: list[ElementId]) -> Hit:
    flow = control_flow(level)
    branches = _branches(level, flow)
    inside = set(members)
    spawning = [level.nodes[n] for n in members if any(t not in inside for t in branches[n].always)]
    first = level.nodes[members[0]]
    message = (
        f"loop through {ids(members)} keeps a token whichever way its decisions go (no branch leaves it "
        "without another staying on it), so a case that reaches it never finishes"
    )
    if spawning:
        where = ", ".join(describe(n) for n in spawning)
        message += f"; {where} sends a further token out every round (work multiplies endlessly)"
    return Hit(
        first.source,
        first.id,
        message,
        "loop back through an exclusive gateway with an exit branch (例: 補正完了?), and join parallel "
        "branches with a parallel gateway before looping back",
    )


def _interruptible(level: Level) -> bool:
    """Something outside any loop may end the whole level (see ``endless-loop``)."""
    for node in level.nodes.values():
        if is_event_sub_process(node) and any(
            n.kind is EventKind.START and n.parent_id == node.id and n.cancel_activity
            for n in level.process.nodes.values()
        ):
            return True
    container = level.container
    return container is not None and any(
        n.kind is EventKind.BOUNDARY and n.attached_to == container.id and n.cancel_activity
        for n in level.process.nodes.values()
    )


def _reaches_interrupting_end(level: Level, flow: ControlFlow, members: list[ElementId]) -> bool:
    for node_id in reachable(flow.graph, members):
        node = level.nodes[node_id]
        if node.kind is EventKind.END and _INTERRUPTING_ENDS & set(node.triggers):
            return True
    return False


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
            partner = "catch" if node.kind is EventKind.INTERMEDIATE_THROW else "throw"
            yield Hit(
                node.source,
                node.id,
                f"link {describe(node)} has no link {partner} event with the same name on this level",
                "name the throw and catch link events identically",
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
                yield Hit(node.source, node.id, f"{describe(node)} has incoming sequence flow(s) {flows}",
                          "point the flow at the step after the event, or use an intermediate event")
            if node.kind is EventKind.END and outgoing[node.id]:
                flows = ids(f.id for f in outgoing[node.id])
                yield Hit(node.source, node.id, f"{describe(node)} has outgoing sequence flow(s) {flows}",
                          "use an intermediate event, or start the flow from the step before")


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
                f"sequence flow from {flow.source_id} (in {source_level or 'the top level'}) "
                f"to {flow.target_id} (in {target_level or 'the top level'}) crosses a sub-process border",
                "end the sub-process with an end event and continue from the sub-process itself",
            )
