"""What the diagram says around a step: its lanes, pool, resident contact, the gateways after it, its properties.

Kept apart from :mod:`scoring.features` because two analyses read it: the
feature inference (routine-ness, contact, systems) and the legal evidence
(:mod:`scoring.legal`: the lane, the decision gateway that follows).  Built
once per process (:func:`process_context`), then read per step
(:func:`step_facts`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bpm.model import (
    ArtifactKind,
    AssociationKind,
    Definitions,
    ElementId,
    EventKind,
    FlowNode,
    GatewayKind,
    Lane,
    Process,
    TaskKind,
)
from scoring.lexicon import Lexicon, normalize_name
from scoring.survey import COLUMN_ALIASES

_MESSAGING_KINDS = (TaskKind.SEND, TaskKind.RECEIVE)
_DECISION_GATEWAYS = (GatewayKind.EXCLUSIVE, GatewayKind.INCLUSIVE, GatewayKind.COMPLEX)

# --------------------------------------------------------------------------- which elements are steps


def assessable_steps(process: Process) -> tuple[FlowNode, ...]:
    """Activities that hold work: tasks, call activities, and sub-processes drawn without content.

    A sub-process with content is not a step itself — its tasks are — so the
    same minutes are never counted twice.

    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><subProcess id="sp"><task id="t"/></subProcess><task id="u"/>
    ...   <startEvent id="s"/></process></definitions>'''
    >>> [n.id for n in assessable_steps(read_bpmn_bytes(xml, "x.bpmn").processes["p"])]
    ['t', 'u']
    """
    parents = {n.parent_id for n in process.nodes.values() if n.parent_id is not None}
    return tuple(
        node
        for node in process.nodes.values()
        if isinstance(node.kind, TaskKind) and not (node.kind.is_container and node.id in parents)
    )


# --------------------------------------------------------------------------- flow context


@dataclass(frozen=True, slots=True)
class ProcessContext:
    """Indexes over one process and its file, built once for all its steps."""

    definitions: Definitions
    """The file."""
    process: Process
    """The process."""
    lexicon: Lexicon
    """Compiled word lists."""
    lane_names: Mapping[ElementId, tuple[str, ...]]
    """Lane id → its name and the names of the lanes around it (innermost first)."""
    pool_name: str
    """Name of the pool showing the process."""
    resident_ends: frozenset[str]
    """Ids of resident pools and of nodes inside them."""
    resident_names: Mapping[str, str]
    """Resident pool or node id → pool name (for evidence texts)."""
    incoming: Mapping[ElementId, tuple[ElementId, ...]]
    """Node → sources of its incoming sequence flows."""
    outgoing: Mapping[ElementId, tuple[ElementId, ...]]
    """Node → targets of its outgoing sequence flows."""
    messages: Mapping[str, tuple[str, ...]]
    """Element id → ids at the other end of its message flows."""
    data_stores: Mapping[ElementId, tuple[str, ...]]
    """Activity → names of data stores it reads or writes."""
    boundary: Mapping[ElementId, tuple[str, ...]]
    """Activity → triggers of the boundary events attached to it."""


def process_context(definitions: Definitions, process: Process, lexicon: Lexicon) -> ProcessContext:
    """Index a process for :func:`step_facts`."""
    lane_names: dict[ElementId, tuple[str, ...]] = {}

    def walk(lanes: Iterable[Lane], outer: tuple[str, ...]) -> None:
        for lane in lanes:
            names = (lane.name, *outer)
            lane_names[lane.id] = names
            walk(lane.children, names)

    walk(process.lanes, ())
    pool = definitions.pool_of(process.id)
    resident_ends: set[str] = set()
    resident_names: dict[str, str] = {}
    for participant in definitions.participants():
        if participant.process_id == process.id or not _is_resident_pool(participant.name, lexicon):
            continue
        resident_ends.add(participant.id)
        resident_names[participant.id] = participant.name
        if participant.process_id is not None and participant.process_id in definitions.processes:
            for node_id in definitions.processes[participant.process_id].nodes:
                resident_ends.add(node_id)
                resident_names[node_id] = participant.name
    incoming: dict[ElementId, list[ElementId]] = defaultdict(list)
    outgoing: dict[ElementId, list[ElementId]] = defaultdict(list)
    for flow in process.flows.values():
        incoming[flow.target_id].append(flow.source_id)
        outgoing[flow.source_id].append(flow.target_id)
    messages: dict[str, list[str]] = defaultdict(list)
    for message in definitions.message_flows():
        messages[message.source_id].append(message.target_id)
        messages[message.target_id].append(message.source_id)
    stores = {
        a.id: a.name or a.id
        for a in process.artifacts
        if a.kind in (ArtifactKind.DATA_STORE, ArtifactKind.DATA_STORE_REFERENCE)
    }
    data_stores: dict[ElementId, list[str]] = defaultdict(list)
    for association in process.associations:
        if association.kind is AssociationKind.ASSOCIATION:
            continue
        for here, there in ((association.source_id, association.target_id),
                            (association.target_id, association.source_id)):
            if there in stores and here in process.nodes:
                data_stores[here].append(stores[there])
    boundary: dict[ElementId, list[str]] = defaultdict(list)
    for node in process.nodes.values():
        if node.kind is EventKind.BOUNDARY and node.attached_to is not None:
            boundary[node.attached_to].extend(t.value for t in node.triggers)
    return ProcessContext(
        definitions=definitions,
        process=process,
        lexicon=lexicon,
        lane_names=lane_names,
        pool_name=pool.name if pool else "",
        resident_ends=frozenset(resident_ends),
        resident_names=resident_names,
        incoming={k: tuple(v) for k, v in incoming.items()},
        outgoing={k: tuple(v) for k, v in outgoing.items()},
        messages={k: tuple(v) for k, v in messages.items()},
        data_stores={k: tuple(dict.fromkeys(v)) for k, v in data_stores.items()},
        boundary={k: tuple(v) for k, v in boundary.items()},
    )


def _is_resident_pool(name: str, lexicon: Lexicon) -> bool:
    """A pool of residents (届出人, 申請者 …), not an office whose name contains 住民 (市民課 住民記録係)."""
    return lexicon.matches(name, "resident_pool") and not lexicon.matches(name, "office_pool")


@dataclass(frozen=True, slots=True)
class StepFacts:
    """What the diagram says around one step."""

    lane_name: str
    """Innermost lane name, empty when none."""
    lane_chain: tuple[str, ...]
    """Lane names from the innermost outwards."""
    pool_name: str
    """Pool name."""
    resident_contact: str | None
    """``in-person`` or ``mail`` when a message flow joins the step to a resident pool."""
    resident_pool: str
    """Name of that pool."""
    after_resident_start: bool
    """The step comes right after (through gateways) a start event a resident's message triggers."""
    decision_after: str | None
    """Name (or id) of the decision gateway right after the step."""
    data_stores: tuple[str, ...]
    """Data stores the step reads or writes."""
    boundary_triggers: tuple[str, ...]
    """Triggers of boundary events on the step."""
    gateways_after: tuple[str, ...] = ()
    """Names of the splitting gateways the case passes right after the step, before the next activity or
    event (through merges too): the decision the step prepares, e.g. 受理できる?."""


def step_facts(context: ProcessContext, node: FlowNode) -> StepFacts:
    """Structural facts about one step."""
    process = context.process
    chain = context.lane_names.get(node.lane_id, ()) if node.lane_id else ()
    contact: str | None = None
    resident_pool = ""
    for other in context.messages.get(node.id, ()):
        if other in context.resident_ends:
            resident_pool = context.resident_names.get(other, "")
            contact = "mail" if node.kind in _MESSAGING_KINDS else "in-person"
            break
    decision: str | None = None
    for target in context.outgoing.get(node.id, ()):
        gateway = process.nodes.get(target)
        if gateway is not None and gateway.kind in _DECISION_GATEWAYS and len(context.outgoing.get(target, ())) >= 2:
            decision = gateway.label
            break
    return StepFacts(
        lane_name=chain[0] if chain else "",
        lane_chain=chain,
        pool_name=context.pool_name,
        resident_contact=contact,
        resident_pool=resident_pool,
        after_resident_start=_after_resident_start(context, node),
        decision_after=decision,
        data_stores=context.data_stores.get(node.id, ()),
        boundary_triggers=context.boundary.get(node.id, ()),
        gateways_after=_gateways_after(context, node),
    )


def _gateways_after(context: ProcessContext, node: FlowNode) -> tuple[str, ...]:
    """Names of the splitting decision gateways reached from the step through gateways only, nearest first.

    >>> from bpm.reader import read_bpmn_bytes
    >>> from scoring.lexicon import compile_lexicon
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p">
    ...   <task id="t" name="内容確認"/><exclusiveGateway id="m"/><exclusiveGateway id="x" name="受理できる?"/>
    ...   <task id="a"/><task id="b"/><sequenceFlow id="f1" sourceRef="t" targetRef="m"/>
    ...   <sequenceFlow id="f2" sourceRef="m" targetRef="x"/><sequenceFlow id="f3" sourceRef="x" targetRef="a"/>
    ...   <sequenceFlow id="f4" sourceRef="x" targetRef="b"/></process></definitions>'''.encode()
    >>> d = read_bpmn_bytes(xml, "x.bpmn")
    >>> context = process_context(d, d.processes["p"], compile_lexicon({}))
    >>> step_facts(context, d.processes["p"].nodes["t"]).gateways_after
    ('受理できる?',)
    """
    process = context.process
    found: list[str] = []
    seen: set[ElementId] = set()
    frontier = list(context.outgoing.get(node.id, ()))
    while frontier:
        current = frontier.pop(0)
        if current in seen:
            continue
        seen.add(current)
        gateway = process.nodes.get(current)
        if gateway is None or not isinstance(gateway.kind, GatewayKind):
            continue
        if gateway.kind in _DECISION_GATEWAYS and len(context.outgoing.get(current, ())) >= 2 and gateway.name.strip():
            found.append(" ".join(gateway.name.split()))
        frontier.extend(context.outgoing.get(current, ()))
    return tuple(dict.fromkeys(found))


def _after_resident_start(context: ProcessContext, node: FlowNode) -> bool:
    """Walk back through gateways to a start event that a resident's message flow triggers."""
    seen: set[ElementId] = set()
    frontier = list(context.incoming.get(node.id, ()))
    while frontier:
        current = frontier.pop()
        if current in seen:
            continue
        seen.add(current)
        previous = context.process.nodes.get(current)
        if previous is None:
            continue
        if previous.kind is EventKind.START:
            if any(other in context.resident_ends for other in context.messages.get(previous.id, ())):
                return True
        elif isinstance(previous.kind, GatewayKind):
            frontier.extend(context.incoming.get(previous.id, ()))
    return False


# --------------------------------------------------------------------------- properties


_PROPERTY_COLUMNS = {
    **{normalize_name(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases},
    "face_to_face": "face_to_face",
    "facetoface": "face_to_face",
    "対面": "face_to_face",
    "physical": "physical",
    "automated": "automated",
    "自動化": "automated",
}


def node_properties(node: FlowNode) -> dict[str, str]:
    """BPMN properties under their survey column names (``minutes``, ``input`` …); first one wins."""
    found: dict[str, str] = {}
    for key, value in node.properties.items():
        name = _PROPERTY_COLUMNS.get(normalize_name(key))
        if name is not None and name not in found and value.strip():
            found[name] = value
    return found


