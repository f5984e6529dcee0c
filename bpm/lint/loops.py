"""Endless loops: loops that keep a token whichever way their decisions go, so a case never finishes.

Graph reachability (``dead-end``, ``loop-without-exit``) asks whether a case
*can* reach an end event; a loop whose exit is a parallel branch can, and yet
the token that stays on the loop never leaves.  This module follows tokens
instead: see ``endless-loop``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from bpm.errors import Text, say
from bpm.lint.levels import (
    ControlFlow,
    Level,
    all_levels,
    control_flow,
    has_condition,
    ids,
    is_event_sub_process,
    is_link,
    listing,
    node_phrase,
    reachable,
)
from bpm.lint.registry import Hit, Severity, rule
from bpm.model import Category, Definitions, ElementId, EventKind, EventTrigger, GatewayKind, SequenceFlow

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
    more: Text = say("lint.endless_loop_spawns", where=listing([node_phrase(n) for n in spawning])) if spawning else ""
    return Hit(
        first.source,
        first.id,
        say("lint.endless_loop", ids=ids(members), more=more),
        say("lint.endless_loop_hint"),
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
