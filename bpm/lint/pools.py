"""Lane, pool and message-flow rules: who does a step, and what crosses between organisations."""

from __future__ import annotations

from collections.abc import Iterator

from bpm.errors import Say, say
from bpm.lint.levels import node_phrase
from bpm.lint.registry import Hit, Severity, rule
from bpm.model import Category, Definitions, ElementId, EventKind, EventTrigger


@rule(
    "empty-lane",
    Severity.WARNING,
    "要素のないレーン",
    "Lane without flow nodes or child lanes",
)
def _empty_lane(definitions: Definitions) -> Iterator[Hit]:
    """An empty lane is a role with no work, or a lane whose flowNodeRefs the tool did not export."""
    for process in definitions.processes.values():
        for lane in process.all_lanes():
            if not lane.node_ids and not lane.children:
                yield Hit(lane.source, lane.id, say("lint.empty_lane", name=lane.name or lane.id),
                          say("lint.empty_lane_hint"))


@rule(
    "empty-pool",
    Severity.WARNING,
    "要素のないプール",
    "Pool whose process has no flow nodes",
)
def _empty_pool(definitions: Definitions) -> Iterator[Hit]:
    """A pool bound to an empty process; draw it as a black box (no process) if that is what it is."""
    for participant in definitions.participants():
        process = definitions.processes.get(participant.process_id) if participant.process_id else None
        if process is not None and not process.nodes:
            yield Hit(participant.source, participant.id,
                      say("lint.empty_pool", name=participant.name or participant.id, process=process.id),
                      say("lint.empty_pool_hint"))


@rule(
    "no-lane-assignment",
    Severity.INFO,
    "レーンに属さない要素",
    "Flow node outside every lane of a process that has lanes",
)
def _no_lane_assignment(definitions: Definitions) -> Iterator[Hit]:
    """The lane says who does a step (職員, 委託先, システム); without one the step has no role."""
    for process in definitions.processes.values():
        if not process.lanes:
            continue
        for node in process.nodes.values():
            if node.parent_id is None and node.lane_id is None and node.kind is not EventKind.BOUNDARY:
                yield Hit(node.source, node.id, say("lint.no_lane", node=node_phrase(node)),
                          say("lint.no_lane_hint"))


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
def _message_flow_disconnected(definitions: Definitions) -> Iterator[Hit]:
    """Message flows connect different participants; inside one pool the sequence flow is the connection."""
    for message_flow in definitions.message_flows():
        source = _pool_key(definitions, message_flow.source_id)
        target = _pool_key(definitions, message_flow.target_id)
        if source is not None and source == target:
            yield Hit(message_flow.source, message_flow.id,
                      say("lint.message_flow_inside", source=message_flow.source_id,
                          target=message_flow.target_id, pool=source),
                      say("lint.message_flow_inside_hint"))


_CANNOT_SEND = frozenset({EventKind.START, EventKind.INTERMEDIATE_CATCH, EventKind.BOUNDARY})
_CANNOT_RECEIVE = frozenset({EventKind.END, EventKind.INTERMEDIATE_THROW, EventKind.IMPLICIT_THROW})


@rule(
    "message-flow-endpoint",
    Severity.WARNING,
    "送受信できない要素に接続されたメッセージフロー",
    "Message flow attached to an element that cannot send or receive it",
)
def _message_flow_endpoint(definitions: Definitions) -> Iterator[Hit]:
    """Messages are sent by activities, throw events and pools, and received by activities, catch events, pools."""
    for message_flow in definitions.message_flows():
        for role, ref in (("source", message_flow.source_id), ("target", message_flow.target_id)):
            node = definitions.find_node(ref)
            if node is None:
                continue
            problem: Say | None = None
            if node.category is Category.GATEWAY:
                problem = say("lint.endpoint_gateway")
            elif role == "source" and node.kind in _CANNOT_SEND:
                problem = say("lint.endpoint_cannot_send", kind=node.kind.value)
            elif role == "target" and node.kind in _CANNOT_RECEIVE:
                problem = say("lint.endpoint_cannot_receive", kind=node.kind.value)
            elif node.triggers and EventTrigger.MESSAGE not in node.triggers:
                kinds = ", ".join(t.value for t in node.triggers)
                problem = say("lint.endpoint_not_message", kinds=kinds)
            if problem is not None:
                end = say("lint.endpoint_source") if role == "source" else say("lint.endpoint_target")
                yield Hit(message_flow.source, message_flow.id,
                          say("lint.endpoint", end=end, node=node_phrase(node), ref=ref, problem=problem),
                          say("lint.endpoint_hint"))

