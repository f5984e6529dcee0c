"""Model → NetworkX: the derived, read-only graph view that flow analysis runs on.

Node keys are element ids; each node carries a reference to its
:class:`~bpm.model.FlowNode` plus the few flat attributes analysis needs, so
NetworkX algorithms and exports (GraphML, JSON) work without knowing the model.
Edges are keyed by the sequence/message flow id, because two flows may join the
same pair of nodes (a ``MultiDiGraph`` keeps both).

Attribute schema
----------------
Node: ``kind`` (BPMN local name, e.g. ``"userTask"``), ``category``
(``activity``/``event``/``gateway``/``participant``), ``name``, ``label``,
``process``, ``parent`` (enclosing sub-process id or None), ``lane``,
``lane_name``, ``pool``, ``pool_name``, ``attached_to``, ``cancel_activity``,
``triggers`` (tuple of event-definition names), ``properties`` (dict),
``node`` (the FlowNode), ``location`` (``"file:line"``).

Edge: ``kind`` (``"sequence"``, ``"message"`` or, in expanded graphs,
``"enter"`` from a sub-process to its start events), ``name``, ``condition``,
``default``, ``properties`` (dict), ``flow`` (the model object), ``location``
(``"file:line"``; not ``source``, which node-link JSON uses for the edge tail).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

import networkx as nx

from bpm.collector import collector_paused
from bpm.errors import ModelError, say
from bpm.model import (
    Collaboration,
    Definitions,
    ElementId,
    EventKind,
    FlowNode,
    GatewayKind,
    Lane,
    Process,
    ProcessId,
    SequenceFlow,
    TaskKind,
    category_of,
)

SEQUENCE = "sequence"
MESSAGE = "message"
ENTER = "enter"


def process_graph(
    definitions: Definitions,
    process_id: ProcessId | str,
    *,
    expand_subprocesses: bool = False,
) -> nx.MultiDiGraph:
    """Graph of one process.

    Collapsed (default): the top level only; a sub-process is one node, the
    way a reviewer reads the diagram.  Expanded: nested content is inlined —
    the sub-process node gets ``enter`` edges to its start events and its
    outgoing flows leave from its end events instead.

    Sequence flows whose ends do not exist in the process are left out of the
    graph (``bpm lint`` reports them as dangling references).

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><task id="t" name="入力"/><endEvent id="e"/>
    ...   <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    ...   <sequenceFlow id="f2" sourceRef="t" targetRef="e"/></process></definitions>'''.encode()
    >>> g = process_graph(read_bpmn_bytes(xml, "x.bpmn"), "p")
    >>> sorted(g.nodes), g.number_of_edges(), g.nodes["t"]["kind"]
    (['e', 's', 't'], 2, 'task')
    """
    process = definitions.processes.get(ProcessId(process_id))
    if process is None:
        known = ", ".join(definitions.processes) or say("graph.none")
        raise ModelError(
            say("graph.no_process", id=repr(process_id), known=known),
            file=definitions.file,
            element_id=str(process_id),
        )
    graph = nx.MultiDiGraph(
        name=process.name or process.id,
        process=process.id,
        file=definitions.file,
        expanded=expand_subprocesses,
    )
    with collector_paused():  # a dict per node and per edge, no cycles (see bpm.collector)
        _add_process(graph, definitions, process, expand_subprocesses)
    return graph


def collaboration_graph(
    definitions: Definitions,
    collaboration: Collaboration | None = None,
    *,
    expand_subprocesses: bool = False,
) -> nx.MultiDiGraph:
    """Graph of every pool of a collaboration, with message flows as ``message`` edges.

    Black-box pools (no process), and pools whose border a message flow
    touches, become nodes of category ``participant`` so those flows have an end.  Without a collaboration in the file,
    this is the union of all processes.
    """
    if collaboration is None and definitions.collaborations:
        collaboration = definitions.collaborations[0]
    graph = nx.MultiDiGraph(
        name=(collaboration.name or collaboration.id) if collaboration else definitions.name,
        file=definitions.file,
        expanded=expand_subprocesses,
    )
    if collaboration is None:
        for each in definitions.processes.values():
            _add_process(graph, definitions, each, expand_subprocesses)
        return graph
    for participant in collaboration.participants:
        process = definitions.processes.get(participant.process_id) if participant.process_id else None
        if process is not None:
            _add_process(graph, definitions, process, expand_subprocesses)
        if process is None or _is_message_end(collaboration, participant.id):
            # Black-box pools, and pools that a message flow touches at the border.
            graph.add_node(
                participant.id,
                kind="participant",
                category="participant",
                name=participant.name,
                label=participant.name or participant.id,
                process=None,
                parent=None,
                lane=None,
                lane_name="",
                pool=participant.id,
                pool_name=participant.name,
                attached_to=None,
                cancel_activity=True,
                triggers=(),
                properties={},
                node=None,
                location=str(participant.source),
            )
    pooled = {p.process_id for p in collaboration.participants if p.process_id}
    for process in definitions.processes.values():
        if process.id not in pooled:
            # A process drawn without a pool still belongs in the picture.
            _add_process(graph, definitions, process, expand_subprocesses)
    pool_by_process = {p.process_id: p.id for p in collaboration.participants if p.process_id}
    for message_flow in collaboration.message_flows:
        source = _message_end(graph, message_flow.source_id, pool_by_process, definitions)
        target = _message_end(graph, message_flow.target_id, pool_by_process, definitions)
        if source is None or target is None:
            continue
        graph.add_edge(
            source,
            target,
            key=message_flow.id,
            kind=MESSAGE,
            name=message_flow.name,
            condition=None,
            default=False,
            properties={},
            flow=message_flow,
            location=str(message_flow.source),
        )
    return graph


def _is_message_end(collaboration: Collaboration, element_id: ElementId) -> bool:
    return any(element_id in (m.source_id, m.target_id) for m in collaboration.message_flows)


def sequence_edges(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """View with only sequence (and ``enter``) edges: the control flow."""
    return nx.subgraph_view(graph, filter_edge=lambda u, v, k: graph.edges[u, v, k]["kind"] != MESSAGE)


def lane_index(process: Process) -> dict[ElementId, Lane]:
    """Every lane of a process by id, nested ones included."""
    return {lane.id: lane for lane in process.all_lanes()}


# --------------------------------------------------------------------------- internals


def _add_process(
    graph: nx.MultiDiGraph, definitions: Definitions, process: Process, expand: bool
) -> None:
    pool = definitions.pool_of(process.id)
    lanes = lane_index(process)
    # Sub-processes and their children matter only when they are expanded (a look at every node, spared otherwise).
    containers = {nid for nid, n in process.nodes.items() if n.kind in _CONTAINER_KINDS} if expand else set()
    children: dict[ElementId, list[FlowNode]] = {}
    for node in process.nodes.values() if expand else ():  # once, not per container: thousands stay linear
        if node.parent_id is not None:
            children.setdefault(node.parent_id, []).append(node)
    included = {
        nid: node
        for nid, node in process.nodes.items()
        if expand or node.parent_id is None
    }
    pool_id, pool_name = (pool.id, pool.name) if pool else (None, "")
    # Prepared lists, stored in one pass each (see _store_nodes): NetworkX's per-call bookkeeping was a third of
    # the build, and its add_nodes_from/add_edges_from copy every attribute dict once more.
    _store_nodes(graph, [
        (nid, _node_attributes(node, process, lanes.get(node.lane_id) if node.lane_id else None, pool_id, pool_name))
        for nid, node in included.items()
    ])
    edges: list[tuple[ElementId, ElementId, str, dict[str, Any]]] = []
    for flow in process.flows.values():
        if flow.source_id not in included or flow.target_id not in included:
            continue
        if expand and flow.source_id in containers and _end_events(children.get(flow.source_id, [])):
            for end in _end_events(children.get(flow.source_id, [])):
                edges.append((end, flow.target_id, f"{flow.id}@{end}", _edge_attributes(flow)))
            continue
        edges.append((flow.source_id, flow.target_id, flow.id, _edge_attributes(flow)))
    _store_edges(graph, edges)
    if expand:
        for container in containers:
            if process.nodes[container].triggered_by_event:
                continue
            for start in _start_events(children.get(container, [])):
                graph.add_edge(
                    container,
                    start,
                    key=f"{container}>{start}",
                    kind=ENTER,
                    name="",
                    condition=None,
                    default=False,
                    properties={},
                    flow=None,
                    location=str(process.nodes[container].source),
                )


def _store_nodes(graph: nx.MultiDiGraph, nodes: list[tuple[ElementId, dict[str, Any]]]) -> None:
    """``graph.add_nodes_from(nodes)`` without its per-node cost: each attribute dict is made for this node alone,
    so it is stored as it is rather than copied twice (NetworkX also tries every ``(id, dict)`` pair as a node
    first, which raises and catches a TypeError per node).  Writes the adjacency dicts NetworkX documents for
    subclasses (``_node``, ``_succ``, ``_pred``: a dict per node, keyed by neighbour); a node already in the graph
    has its attributes updated, as ``add_nodes_from`` does.  ``tests/bpm/test_graph.py`` compares the result
    with NetworkX's own methods."""
    node_data, succ, pred = graph._node, graph._succ, graph._pred
    for node_id, attributes in nodes:
        known = node_data.get(node_id)
        if known is not None:
            known.update(attributes)
            continue
        succ[node_id] = {}
        pred[node_id] = {}
        node_data[node_id] = attributes
    nx._clear_cache(graph)


def _store_edges(graph: nx.MultiDiGraph, edges: list[tuple[ElementId, ElementId, str, dict[str, Any]]]) -> None:
    """``graph.add_edges_from(edges)`` for keyed edges between nodes already in the graph, storing each
    (fresh) attribute dict as it is: NetworkX copies it twice and walks three views per edge.  The key dict is
    shared by ``_succ[u][v]`` and ``_pred[v][u]``, as in ``MultiDiGraph.add_edge``; an existing key has its
    attributes updated."""
    succ, pred = graph._succ, graph._pred
    for source, target, key, attributes in edges:
        keys = succ[source].get(target)
        if keys is None:
            succ[source][target] = pred[target][source] = {key: attributes}
        elif key in keys:
            keys[key].update(attributes)
        else:
            keys[key] = attributes
    nx._clear_cache(graph)


def _node_attributes(
    node: FlowNode, process: Process, lane: Lane | None, pool_id: str | None, pool_name: str
) -> dict[str, Any]:
    return {
        "kind": node.kind._value_,  # the member's own attribute: ``.value`` and hashing a member are Python calls
        "category": _CATEGORY_NAME[node.kind._value_],
        "name": node.name,
        "label": node.label,
        "process": process.id,
        "parent": node.parent_id,
        "lane": node.lane_id,
        "lane_name": lane.name if lane else "",
        "pool": pool_id,
        "pool_name": pool_name,
        "attached_to": node.attached_to,
        "cancel_activity": node.cancel_activity,
        "triggers": tuple([t.value for t in node.triggers]) if node.triggers else (),
        "properties": dict(node.properties),
        "node": node,
        "location": str(node.source),
    }


_CONTAINER_KINDS = tuple(kind for kind in TaskKind if kind.is_container)
_CATEGORY_NAME = {kind.value: category_of(kind).value for kinds in (TaskKind, EventKind, GatewayKind) for kind in kinds}
"""The ``category`` attribute of each node kind by its BPMN name (unique across the three kinds), worked out once."""


def _edge_attributes(flow: SequenceFlow) -> dict[str, Any]:
    return {
        "kind": SEQUENCE,
        "name": flow.name,
        "condition": flow.condition,
        "default": flow.is_default,
        "properties": dict(flow.properties),
        "flow": flow,
        "location": str(flow.source),
    }


def _start_events(children: list[FlowNode]) -> list[ElementId]:
    """Untriggered start events of a container's children, else all its start events."""
    return [
        n.id for n in children if n.kind is EventKind.START and not n.triggers
    ] or [n.id for n in children if n.kind is EventKind.START]


def _end_events(children: list[FlowNode]) -> list[ElementId]:
    return [n.id for n in children if n.kind is EventKind.END]


def _message_end(
    graph: nx.MultiDiGraph,
    element_id: ElementId,
    pool_by_process: Mapping[ProcessId, ElementId],
    definitions: Definitions,
) -> ElementId | None:
    """Graph node for a message-flow end: the node itself, or its pool when collapsed away."""
    if element_id in graph:
        return element_id
    node = definitions.find_node(element_id)
    if node is not None:
        # Nested in a collapsed sub-process: attach to the outermost visible ancestor.
        process = definitions.processes[node.process_id]
        current: FlowNode | None = node
        while current is not None and current.id not in graph:
            current = process.nodes.get(current.parent_id) if current.parent_id else None
        if current is not None:
            return current.id
        pool = pool_by_process.get(node.process_id)
        return pool if pool is not None and pool in graph else None
    return None


def flat_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with only plain attribute values, for GraphML and JSON export.

    Drops the model references (``node``, ``flow``), turns dicts and tuples
    into JSON text and None into "", because GraphML takes scalars only.
    """
    import json

    def flatten(attributes: Mapping[str, Any]) -> dict[str, Any]:
        flat: dict[str, Any] = {}
        for key, value in attributes.items():
            if key in ("node", "flow"):
                continue
            if value is None:
                flat[key] = ""
            elif isinstance(value, dict | tuple | list):
                flat[key] = json.dumps(value, ensure_ascii=False, sort_keys=True)
            elif isinstance(value, bool | int | float | str):
                flat[key] = value
            else:
                flat[key] = str(value)
        return flat

    copy = nx.MultiDiGraph(**flatten(graph.graph))
    for node, attributes in graph.nodes(data=True):
        copy.add_node(node, **flatten(attributes))
    for source, target, key, attributes in graph.edges(keys=True, data=True):
        copy.add_edge(source, target, key=key, **flatten(attributes))
    return copy


def flow_order(process: Process) -> list[ElementId]:
    """Nodes in breadth-first order from the start events, then the unreached ones in document order.

    This is the order a reader follows the flow in; document order is whatever the modelling tool
    wrote, so "the step before / after" must not be taken from it.
    """
    successors: dict[ElementId, list[ElementId]] = {n: [] for n in process.nodes}
    incoming: set[ElementId] = set()
    for flow in process.flows.values():
        if flow.source_id in successors and flow.target_id in successors:
            successors[flow.source_id].append(flow.target_id)
            incoming.add(flow.target_id)
    starts = [n for n in process.nodes if n not in incoming]
    seen: dict[ElementId, None] = {}
    queue = deque(starts)
    while queue:
        node_id = queue.popleft()
        if node_id in seen:
            continue
        seen[node_id] = None
        queue.extend(successors[node_id])
    for node_id in process.nodes:
        seen.setdefault(node_id, None)
    return list(seen)
