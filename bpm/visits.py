"""Expected visits per case: how often each step runs, solved exactly from the flow.

Why exact and not simulated: the scanner multiplies visits by annual case counts
and minutes per step, so a simulation's noise would turn into noisy hours and
yen, and a reviewer could not reproduce the figure by hand.  Instead every
process level is treated as an expected-token-count system:

* ``v = e + M v`` where ``v[n]`` is how often node ``n`` fires per activation of
  its level, ``e`` is the entry vector (start events, event sub-processes) and
  ``M[n, u]`` is how many tokens ``u`` passes to ``n`` per firing.  Exclusive and
  event-based gateways pass their branch probability, parallel gateways 1 on
  every branch, inclusive gateways an independent probability per branch (the
  default branch ``Π(1 − pᵢ)``).  Rework loops make ``M`` cyclic; the system is
  the absorbing Markov chain of the flow and ``(I − M) v = e`` is solved with a
  sparse LU factorisation (:func:`scipy.sparse.linalg.splu`; ``M`` here is
  ``Qᵀ`` in textbook notation).  ``M`` has one entry per flow, so time and
  memory grow with the size of the flow, not its square: a chain of 100,000
  tasks solves like a chain of 100.
* Joins stay linear so loops around blocks still solve exactly: a parallel join
  fires once per set of tokens (its inflow divided by its incoming flows), an
  inclusive join once per firing of the inclusive split that immediately
  dominates it, an exclusive join on every token.  A token that comes back to
  an inclusive or complex join round a loop (the join dominates the flow's
  source) fires it again by itself: nothing else can still arrive.  A
  parallel join that such a token must wait for never fires at all, and is
  refused as a flow that cannot finish.
* Boundary events fire with their probability per firing of the host; an
  interrupting one takes that share away from the host's normal outflow.
* Sub-processes, multi-instance activities and resolved call activities
  multiply through: nested visits are the container's visits times the visits
  within one instance.

Branch probabilities follow the project's precedence: the survey sheet
(``overrides``, keyed by flow id) beats the ``probability`` property on the flow
(``0.15`` or ``15%``), which beats an even split of the remaining probability.
Every chosen value is returned with its source so the report can show what was
assumed rather than measured.

Loops that never end are reported as :class:`~bpm.errors.AnalysisError`
before solving, naming their nodes, because a singular or nearly singular
matrix would otherwise give a meaningless (huge or negative) number.  Each
loop (strongly connected component) is checked on its own block ``B`` of
``M``: without an edge of positive weight leaving it, it keeps its tokens
forever; with one, it still ends only when the spectral radius of ``B`` is
below 1, which for a non-negative matrix holds exactly when ``(I − B) x = 1``
has a positive solution (then ``x = Σ Bᵏ 1 ≥ 1``; if ``ρ(B) ≥ 1`` no positive
``x`` with ``Bx < x`` exists, by the Collatz–Wielandt bound).  So the check is
one more sparse solve, never a dense eigenvalue computation.

Work that cannot be counted is never a silent 0: a call activity without a
``calledElement`` or whose process is not loaded, and an activity no start
event reaches, come back in :attr:`VisitResult.uncounted` with file, line and
element id; a recursive call, a flow that cannot finish and visits above
:data:`bpm.limits.MAX_VISITS_PER_CASE` raise :class:`~bpm.errors.AnalysisError`.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import connected_components

from bpm.errors import AnalysisError, Say, say
from bpm.graph import SEQUENCE, process_graph
from bpm.limits import MAX_CALL_DEPTH, MAX_CALLED_NODES, MAX_VISITS_PER_CASE
from bpm.model import (
    Definitions,
    EventKind,
    EventTrigger,
    FlowNode,
    GatewayKind,
    LoopKind,
    ProcessId,
    SequenceFlow,
    TaskKind,
)

__all__ = [
    "INSTANCES_PROPERTY",
    "PROBABILITY_PROPERTY",
    "BranchProbability",
    "CallResolver",
    "UncountedWork",
    "VisitResult",
    "branch_probabilities",
    "call_resolver",
    "expected_visits",
    "visits_for_graph",
]

PROBABILITY_PROPERTY = "probability"
"""Vendor property (Camunda/Zeebe name/value) holding a branch or event probability."""
INSTANCES_PROPERTY = "instances"
"""Vendor property holding the expected instances of a multi-instance or loop activity."""

SURVEY = "survey"
PROPERTY = "property"
DEFAULT = "default"
STRUCTURE = "structure"
"""Source of a probability fixed by the diagram itself (parallel branch, single outgoing flow)."""

_TOLERANCE = 1e-6
_STRENGTH = {SURVEY: 0, PROPERTY: 1, STRUCTURE: 1, DEFAULT: 2}

EdgeKey = tuple[str, str, str]
CallResolver = Callable[[str], nx.MultiDiGraph | None]
"""Looks up the process a call activity's ``calledElement`` names; None when not loaded."""


@dataclass(frozen=True, slots=True)
class BranchProbability:
    """A probability with where it came from, so the report can flag assumptions."""

    value: float
    """Probability (share of firings of the source) in [0, 1]."""
    source: str
    """``survey`` | ``property`` | ``default`` | ``structure`` (fixed by the diagram)."""


@dataclass(frozen=True, slots=True)
class UncountedWork:
    """Work the visits cannot count (it would otherwise silently be 0), with where it is written."""

    kind: str
    """``no-called-element`` | ``called-process-not-loaded`` | ``unreachable``."""
    message: str
    """What is not counted and how to fix it."""
    file: str
    """BPMN file."""
    line: int | None
    """Line of the element."""
    element_id: str
    """The element (``call/node`` inside a called process, like :attr:`VisitResult.visits`)."""


@dataclass(frozen=True, slots=True)
class VisitResult:
    """Expected executions per case of every node, with the probabilities behind them."""

    visits: Mapping[str, float]
    """Node id (``"call/node"`` inside a called process) → expected executions per case."""
    probabilities: Mapping[EdgeKey, BranchProbability]
    """(source id, target id, flow id) → branch probability; ids prefixed like ``visits``."""
    assumptions: tuple[str, ...]
    """Human-readable notes on every value that was assumed rather than given (English)."""
    event_probabilities: Mapping[str, BranchProbability] = field(default_factory=dict)
    """Boundary event / event sub-process / alternative start event id → probability it fires."""
    uncounted: tuple[UncountedWork, ...] = ()
    """Activities whose work is not in ``visits`` (unresolved calls, unreachable steps), for the data gaps."""
    assumptions_ja: tuple[str, ...] = ()
    """The same notes in Japanese, one for one (the evidence lines of the Japanese page)."""


# --------------------------------------------------------------------------- public API


def branch_probabilities(
    graph: nx.MultiDiGraph, overrides: Mapping[str, float] | None = None
) -> dict[EdgeKey, BranchProbability]:
    """Probability that each sequence edge is taken when its source fires.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A process graph from :func:`bpm.graph.process_graph` (collapsed or
        expanded); message edges are ignored.
    overrides : mapping of str to float, optional
        Measured probabilities keyed by sequence-flow id (the survey sheet).
        They beat the flow's ``probability`` property, which beats an even split
        of the remaining probability among the flows without a value.

    Returns
    -------
    dict
        ``(u, v, key) → BranchProbability(value, source)`` for every sequence
        edge of the graph.  Exclusive and event-based splits sum to 1; inclusive
        branches are independent, the default branch getting ``Π(1 − pᵢ)``;
        parallel branches and single flows are 1 with source ``structure``.

    Raises
    ------
    TypeError
        When the graph is not a process graph.
    bpm.errors.AnalysisError
        For a value outside [0, 1], an unreadable property, or exclusive branches
        that cannot sum to 1 (the message names the gateway, file and line).

    Examples
    --------
    >>> from bpm.graph import process_graph
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><exclusiveGateway id="x"/><endEvent id="e"/>
    ...   <sequenceFlow id="f0" sourceRef="s" targetRef="x"/>
    ...   <sequenceFlow id="ok" sourceRef="x" targetRef="e"/>
    ...   <sequenceFlow id="ng" sourceRef="x" targetRef="e"/></process></definitions>'''
    >>> probs = branch_probabilities(process_graph(read_bpmn_bytes(xml, "x.bpmn"), "p"), {"ng": 0.2})
    >>> probs["x", "e", "ng"], probs["x", "e", "ok"]
    (BranchProbability(value=0.2, source='survey'), BranchProbability(value=0.8, source='default'))
    """
    index = _index(graph)
    by_flow = _flow_probabilities(index, dict(overrides or {}), _Notes(None))
    return {key: by_flow[fid] for fid, keys in index.edge_keys.items() for key in keys}


def visits_for_graph(
    graph: nx.MultiDiGraph,
    *,
    overrides: Mapping[str, float] | None = None,
    boundary_default: float = 0.0,
    instances: Mapping[str, float] | None = None,
    resolve_call: CallResolver | None = None,
) -> VisitResult:
    """Expected executions per case of every node of a process graph.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A process graph from :func:`bpm.graph.process_graph`.  Expanded graphs
        (``expand_subprocesses=True``) give visits inside sub-processes too; in
        a collapsed graph a sub-process counts as one step.
    overrides : mapping of str to float, optional
        Survey probabilities keyed by sequence-flow id, boundary event id,
        event sub-process (or its start event) id, or start event id when a
        level has several start events.
    boundary_default : float, default 0.0
        Probability assumed for a boundary event or event sub-process with no
        survey value and no ``probability`` property.  0 (it never fires) is the
        conservative choice: it adds no volume that nobody measured.
    instances : mapping of str to float, optional
        Survey instance counts of multi-instance or loop activities, keyed by
        activity id; they beat the ``instances`` property (default 1).
    resolve_call : callable, optional
        ``calledElement → process graph or None`` (see :func:`call_resolver`).
        A called process's nodes are returned as ``"call_id/node_id"``.

    Returns
    -------
    VisitResult
        Visits, branch probabilities and the assumptions made.

    Raises
    ------
    TypeError
        When the graph is not a single process's graph.
    bpm.errors.AnalysisError
        For bad probabilities, loops that never end, or recursive calls.

    Examples
    --------
    >>> from bpm.graph import process_graph
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><task id="t" name="審査"/>
    ...   <exclusiveGateway id="x"/><endEvent id="e"/>
    ...   <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    ...   <sequenceFlow id="f2" sourceRef="t" targetRef="x"/>
    ...   <sequenceFlow id="back" sourceRef="x" targetRef="t"/>
    ...   <sequenceFlow id="done" sourceRef="x" targetRef="e"/></process></definitions>'''.encode()
    >>> graph = process_graph(read_bpmn_bytes(xml, "x.bpmn"), "p")
    >>> result = visits_for_graph(graph, overrides={"back": 0.2})
    >>> round(result.visits["t"], 6), round(result.visits["e"], 6)
    (1.25, 1.0)
    """
    if not 0.0 <= boundary_default <= 1.0:
        raise ValueError(f"boundary_default must be in [0, 1], got {boundary_default}")
    index = _index(graph)
    options = _Options(dict(overrides or {}), boundary_default, dict(instances or {}), resolve_call)
    out = _Collector()
    _check_called_size(index, options, out)
    _visit_process(index, 1.0, "", ((index.process_id, None),), options, out)
    return VisitResult(
        visits=dict(out.visits),
        probabilities=dict(out.probabilities),
        assumptions=tuple(english for english, _ in _notes_in_both(out.notes)),
        assumptions_ja=tuple(japanese for _, japanese in _notes_in_both(out.notes)),
        event_probabilities=dict(out.events),
        uncounted=tuple(out.uncounted),
    )


def expected_visits(
    definitions: Definitions,
    process_id: str,
    *,
    overrides: Mapping[str, float] | None = None,
    boundary_default: float = 0.0,
    instances: Mapping[str, float] | None = None,
    resolve_call: CallResolver | None = None,
) -> VisitResult:
    """Expected executions per case of every node of one process, sub-processes included.

    The process is solved level by level (its top, then the inside of each
    sub-process, multiplied by the sub-process's own visits).  See
    :func:`visits_for_graph` for the parameters.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><parallelGateway id="a"/>
    ...   <task id="t1"/><task id="t2"/><parallelGateway id="j"/><endEvent id="e"/>
    ...   <sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
    ...   <sequenceFlow id="f2" sourceRef="a" targetRef="t1"/>
    ...   <sequenceFlow id="f3" sourceRef="a" targetRef="t2"/>
    ...   <sequenceFlow id="f4" sourceRef="t1" targetRef="j"/>
    ...   <sequenceFlow id="f5" sourceRef="t2" targetRef="j"/>
    ...   <sequenceFlow id="f6" sourceRef="j" targetRef="e"/></process></definitions>'''
    >>> result = expected_visits(read_bpmn_bytes(xml, "x.bpmn"), "p")
    >>> [round(result.visits[n], 6) for n in ("t1", "t2", "j", "e")]
    [1.0, 1.0, 1.0, 1.0]
    """
    graph = process_graph(definitions, process_id, expand_subprocesses=True)
    return visits_for_graph(
        graph,
        overrides=overrides,
        boundary_default=boundary_default,
        instances=instances,
        resolve_call=resolve_call,
    )


def call_resolver(*loaded: Definitions) -> CallResolver:
    """A ``resolve_call`` that finds called processes by id among loaded files.

    Returns the expanded process graph so the called process's sub-processes
    are analysed too.  The first file that defines the id wins.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="main"><callActivity id="c" calledElement="sub"/></process>
    ...   <process id="sub"><task id="t"/></process></definitions>'''
    >>> resolve = call_resolver(read_bpmn_bytes(xml, "x.bpmn"))
    >>> resolve("sub").graph["process"], resolve("missing")
    ('sub', None)
    """
    cache: dict[str, nx.MultiDiGraph | None] = {}

    def resolve(called_element: str) -> nx.MultiDiGraph | None:
        if called_element not in cache:
            cache[called_element] = None
            for definitions in loaded:
                if ProcessId(called_element) in definitions.processes:
                    cache[called_element] = process_graph(definitions, called_element, expand_subprocesses=True)
                    break
        return cache[called_element]

    return resolve


# --------------------------------------------------------------------------- the graph as flat lists


@dataclass(frozen=True, slots=True)
class _Index:
    """One process's nodes and sequence flows, recovered from its graph."""

    file: str
    process_id: str
    nodes: Mapping[str, FlowNode]
    flows: tuple[SequenceFlow, ...]
    edge_keys: Mapping[str, tuple[EdgeKey, ...]]
    """Flow id → the graph edge keys that carry it (several when an expanded graph re-routes it)."""
    expanded: bool
    levels: Mapping[str | None, tuple[str, ...]]
    """Level (None = the process, else a sub-process id) → the nodes that run on it, in graph order."""
    children: Mapping[str, tuple[str, ...]]
    """Sub-process id → the nodes written inside it (boundary events included)."""
    level_flows: Mapping[str | None, tuple[SequenceFlow, ...]]
    """Level → the flows leaving its nodes (a few may end on another level; those are ignored)."""


def _index(graph: object) -> _Index:
    """Check the graph kind early and read back the model objects it references."""
    if not isinstance(graph, nx.MultiDiGraph):
        raise TypeError(f"expected a networkx.MultiDiGraph from bpm.graph.process_graph, got {type(graph).__name__}")
    nodes: dict[str, FlowNode] = {}
    processes: set[str] = set()
    for nid, data in graph.nodes(data=True):
        node = data.get("node")
        if not isinstance(node, FlowNode):
            raise TypeError(
                f"node {nid!r} carries no flow node: visits need one process's graph "
                "(bpm.graph.process_graph), not a collaboration or hand-made graph"
            )
        nodes[str(nid)] = node
        processes.add(node.process_id)
    if len(processes) > 1:
        raise TypeError(f"the graph mixes processes {sorted(processes)}; pass one process graph at a time")
    flows: dict[str, SequenceFlow] = {}
    keys: dict[str, list[EdgeKey]] = defaultdict(list)
    for u, v, k, data in graph.edges(keys=True, data=True):
        if data.get("kind") != SEQUENCE:
            continue
        flow = data.get("flow")
        if not isinstance(flow, SequenceFlow):
            raise TypeError(f"edge {(u, v, k)!r} carries no sequence flow")
        flows.setdefault(flow.id, flow)
        keys[flow.id].append((str(u), str(v), str(k)))
    process = graph.graph.get("process") or (next(iter(processes)) if processes else "")
    levels: dict[str | None, list[str]] = defaultdict(list)
    level_of: dict[str, str | None] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for nid, node in nodes.items():
        host = nodes.get(node.attached_to) if node.attached_to else None
        level_of[nid] = host.parent_id if node.kind is EventKind.BOUNDARY and host is not None else node.parent_id
        levels[level_of[nid]].append(nid)
        if node.parent_id is not None:
            children[node.parent_id].append(nid)
    level_flows: dict[str | None, list[SequenceFlow]] = defaultdict(list)
    for flow in flows.values():
        if flow.source_id in level_of:
            level_flows[level_of[flow.source_id]].append(flow)
    return _Index(
        file=str(graph.graph.get("file", "")),
        process_id=str(process),
        nodes=nodes,
        flows=tuple(flows.values()),
        edge_keys={fid: tuple(each) for fid, each in keys.items()},
        expanded=bool(graph.graph.get("expanded", False)),
        levels={level: tuple(members) for level, members in levels.items()},
        children={parent: tuple(members) for parent, members in children.items()},
        level_flows={level: tuple(each) for level, each in level_flows.items()},
    )


@dataclass(frozen=True, slots=True)
class _Options:
    overrides: Mapping[str, float]
    boundary_default: float
    instances: Mapping[str, float]
    resolve_call: CallResolver | None


@dataclass
class _Collector:
    """Results gathered while the levels are solved (private, mutable while running)."""

    visits: dict[str, float] = field(default_factory=dict)
    probabilities: dict[EdgeKey, BranchProbability] = field(default_factory=dict)
    events: dict[str, BranchProbability] = field(default_factory=dict)
    notes: list[Say] = field(default_factory=list)
    uncounted: list[UncountedWork] = field(default_factory=list)
    callees: dict[str, _Index | None] = field(default_factory=dict)
    """calledElement → the called process's index (None: not loaded), looked up once per run."""


@dataclass(frozen=True, slots=True)
class _Notes:
    """Appends assumption notes, naming the called process they were made in."""

    context: Say | None
    sink: list[Say] = field(default_factory=list)

    def add(self, note: Say) -> None:
        self.sink.append(note if self.context is None else say("visits.note_in_call", context=self.context, note=note))


def _notes_in_both(notes: Iterable[Say]) -> list[tuple[str, str]]:
    """(English, Japanese) of every note, once each, in order."""
    return list(dict.fromkeys((note.render("en"), note.render("ja")) for note in notes))


# --------------------------------------------------------------------------- recursion over levels and calls


def _visit_process(
    index: _Index,
    scale: float,
    prefix: str,
    stack: tuple[tuple[str, FlowNode | None], ...],
    options: _Options,
    out: _Collector,
) -> None:
    context = say("visits.note_context", process=repr(index.process_id), via=prefix.rstrip("/")) if prefix else None
    notes = _Notes(context, out.notes)
    for nid in index.nodes:
        out.visits[prefix + nid] = 0.0
    probabilities = _flow_probabilities(index, options.overrides, notes)
    for flow in index.flows:
        key = (prefix + flow.source_id, prefix + flow.target_id, flow.id)
        out.probabilities[key] = probabilities[flow.id]
    if not index.expanded and any(_is_container(n) for n in index.nodes.values()):
        notes.add(say("visits.note_collapsed"))
    _visit_level(index, None, scale, prefix, stack, options, out, probabilities, notes)


def _visit_level(
    index: _Index,
    level: str | None,
    scale: float,
    prefix: str,
    stack: tuple[tuple[str, FlowNode | None], ...],
    options: _Options,
    out: _Collector,
    probabilities: Mapping[str, BranchProbability],
    notes: _Notes,
) -> None:
    throughput = _solve_level(index, level, probabilities, options, out, prefix, notes)
    for nid, fired in throughput.items():
        node = index.nodes[nid]
        count = scale * fired * _instances(node, options, notes)
        if count > MAX_VISITS_PER_CASE:
            raise AnalysisError(
                say("visits.too_many", node=_describe(node), count=f"{count:.3g}",
                    limit=f"{MAX_VISITS_PER_CASE:,.0f}"),
                file=node.source.file,
                line=node.source.line,
                element_id=node.id,
                hint=say("visits.too_many_hint"),
            )
        out.visits[prefix + nid] = count
        if _is_container(node) and nid in index.levels:
            _visit_level(index, nid, count, prefix, stack, options, out, probabilities, notes)
        elif node.kind is TaskKind.CALL_ACTIVITY:
            _visit_call(node, count, prefix, stack, options, out, notes)


def _visit_call(
    node: FlowNode,
    scale: float,
    prefix: str,
    stack: tuple[tuple[str, FlowNode | None], ...],
    options: _Options,
    out: _Collector,
    notes: _Notes,
) -> None:
    called = (node.called_element or "").strip()
    if not called:
        notes.add(say("visits.note_no_called_element", node=_describe(node)))
        out.uncounted.append(UncountedWork(
            "no-called-element",
            f"call activity {_describe(node)} names no called element (calledElement), so the work of the "
            "process it calls is not counted",
            node.source.file, node.source.line, prefix + node.id,
        ))
        return
    callee = _callee(called, options, out)
    if callee is None:
        notes.add(say("visits.note_not_loaded", node=_describe(node), process=repr(called)))
        out.uncounted.append(UncountedWork(
            "called-process-not-loaded",
            f"call activity {_describe(node)} calls process {called!r}, which is not among the files read, "
            "so its work is not counted",
            node.source.file, node.source.line, prefix + node.id,
        ))
        return
    if any(pid == callee.process_id for pid, _ in stack):
        chain = [pid for pid, _ in stack] + [callee.process_id]
        calls = [c.id for _, c in stack if c is not None] + [node.id]
        raise AnalysisError(
            say("visits.call_cycle", chain=" → ".join(chain), calls=", ".join(calls)),
            file=node.source.file,
            line=node.source.line,
            element_id=node.id,
            hint=say("visits.call_cycle_hint"),
        )
    if len(stack) > MAX_CALL_DEPTH:
        raise AnalysisError(
            say("visits.call_depth", limit=MAX_CALL_DEPTH,
                chain=f"{' → '.join(pid for pid, _ in stack)} → {callee.process_id}"),
            file=node.source.file,
            line=node.source.line,
            element_id=node.id,
            hint=say("visits.call_depth_hint", limit=MAX_CALL_DEPTH),
        )
    _visit_process(callee, scale, f"{prefix}{node.id}/", (*stack, (callee.process_id, node)), options, out)


def _callee(called: str, options: _Options, out: _Collector) -> _Index | None:
    """The called process's index, looked up and indexed once per run."""
    if called not in out.callees:
        graph = options.resolve_call(called) if options.resolve_call is not None else None
        out.callees[called] = _index(graph) if graph is not None else None
    return out.callees[called]


def _check_called_size(index: _Index, options: _Options, out: _Collector) -> None:
    """Refuse, before solving anything, call trees that would inline more than the limit of elements.

    Every call is solved inside its caller, so a process that calls the same
    process four times on each of twenty levels would inline 4²⁰ copies; the
    size is counted on the call graph (each process once) instead of found
    out by solving.
    """
    sizes: dict[str, int] = {}

    def size(callee: _Index, path: tuple[str, ...]) -> int:
        if callee.process_id in sizes:
            return sizes[callee.process_id]
        total = 0
        for node in callee.nodes.values():
            called = (node.called_element or "").strip()
            if node.kind is not TaskKind.CALL_ACTIVITY or not called or len(path) > MAX_CALL_DEPTH:
                continue
            inner = _callee(called, options, out)
            if inner is not None and inner.process_id not in path:  # cycles are refused while solving
                total += len(inner.nodes) + size(inner, (*path, inner.process_id))
                if total > MAX_CALLED_NODES:
                    raise AnalysisError(
                        say("visits.called_nodes", node=_describe(node), limit=f"{MAX_CALLED_NODES:,}"),
                        file=node.source.file,
                        line=node.source.line,
                        element_id=node.id,
                        hint=say("visits.called_nodes_hint"),
                    )
        sizes[callee.process_id] = total
        return total

    if options.resolve_call is not None:
        size(index, (index.process_id,))


_LOOP_WORDS = {
    LoopKind.STANDARD: say("visits.word_loop"),
    LoopKind.MULTI_INSTANCE_PARALLEL: say("visits.word_parallel_instances"),
    LoopKind.MULTI_INSTANCE_SEQUENTIAL: say("visits.word_sequential_instances"),
}


def _instances(node: FlowNode, options: _Options, notes: _Notes) -> float:
    """Executions per activation: the instance count of a multi-instance or loop activity, else 1."""
    if node.loop is LoopKind.NONE:
        return 1.0
    if node.id in options.instances:
        value, origin = float(options.instances[node.id]), "the survey sheet"
    elif INSTANCES_PROPERTY in node.properties:
        raw = node.properties[INSTANCES_PROPERTY]
        parsed = _parse_number(raw)
        if parsed is None:
            raise AnalysisError(
                say("visits.instances_not_number", node=_describe(node), property=INSTANCES_PROPERTY,
                    value=repr(raw)),
                file=node.source.file,
                line=node.source.line,
                element_id=node.id,
                hint=say("visits.instances_hint"),
            )
        value, origin = parsed, f"its {INSTANCES_PROPERTY} property"
    else:
        notes.add(say("visits.note_one_instance", what=_LOOP_WORDS[node.loop], node=_describe(node)))
        return 1.0
    if not math.isfinite(value) or value < 0:
        raise AnalysisError(
            say("visits.instances_negative", node=_describe(node), value=value, origin=origin),
            file=node.source.file,
            line=node.source.line,
            element_id=node.id,
            hint=say("visits.instances_hint"),
        )
    return value


# --------------------------------------------------------------------------- branch probabilities


def _flow_probabilities(
    index: _Index, overrides: Mapping[str, float], notes: _Notes
) -> dict[str, BranchProbability]:
    """Probability of every flow given its source fires (before boundary events take their share)."""
    outgoing: dict[str, list[SequenceFlow]] = defaultdict(list)
    for flow in index.flows:
        outgoing[flow.source_id].append(flow)
    result: dict[str, BranchProbability] = {}
    for source_id, flows in outgoing.items():
        node = index.nodes.get(source_id)
        if node is None:
            result.update({f.id: BranchProbability(1.0, STRUCTURE) for f in flows})
            continue
        result.update(_split(node, flows, overrides, notes))
    return result


def _split(
    node: FlowNode, flows: list[SequenceFlow], overrides: Mapping[str, float], notes: _Notes
) -> dict[str, BranchProbability]:
    given: dict[str, BranchProbability] = {
        f.id: g for f in flows if (g := _given(node, f, overrides)) is not None
    }
    if len(flows) == 1:
        only = flows[0]
        if only.id in given and abs(given[only.id].value - 1.0) > _TOLERANCE:
            notes.add(say("visits.note_single_flow", value=f"{given[only.id].value:g}", flow=only.id,
                          node=_describe(node)))
        return {only.id: BranchProbability(1.0, STRUCTURE)}
    if node.kind is GatewayKind.PARALLEL:
        return {f.id: BranchProbability(1.0, STRUCTURE) for f in flows}
    if node.kind in (GatewayKind.EXCLUSIVE, GatewayKind.EVENT_BASED):
        return _exclusive(node, flows, given, notes)
    if node.kind in (GatewayKind.INCLUSIVE, GatewayKind.COMPLEX):
        return _inclusive(node, flows, given, notes)
    # An activity or event with several outgoing flows: plain flows all fire (an
    # implicit parallel split); conditional ones behave like an inclusive split.
    conditional = [f for f in flows if f.condition is not None or f.is_default or f.id in given]
    result: dict[str, BranchProbability] = {
        f.id: BranchProbability(1.0, STRUCTURE) for f in flows if f not in conditional
    }
    if conditional:
        result.update(_inclusive(node, conditional, given, notes))
    return {f.id: result[f.id] for f in flows}


def _given(node: FlowNode, flow: SequenceFlow, overrides: Mapping[str, float]) -> BranchProbability | None:
    """The survey or property value of a flow, validated; None when neither gives one."""
    if flow.id in overrides:
        value = float(overrides[flow.id])
        _check_share(value, f"flow {flow.id} out of {_describe(node)} (survey sheet)", flow.source.file,
                     flow.source.line, flow.id)
        return BranchProbability(value, SURVEY)
    raw = flow.properties.get(PROBABILITY_PROPERTY)
    if raw is None:
        return None
    where = f"flow {flow.id} out of {_describe(node)}"
    value = _parse_property(raw, where, flow.source.file, flow.source.line, flow.id)
    return BranchProbability(value, PROPERTY)


def _exclusive(
    node: FlowNode, flows: list[SequenceFlow], given: Mapping[str, BranchProbability], notes: _Notes
) -> dict[str, BranchProbability]:
    """Exactly one branch is taken: given values plus an even share of what is left sum to 1."""
    total = sum(given[f.id].value for f in flows if f.id in given)
    missing = [f for f in flows if f.id not in given]
    if total > 1.0 + _TOLERANCE or (not missing and abs(total - 1.0) > _TOLERANCE):
        listed = ", ".join(f"{f.id}={given[f.id].value:g}" for f in flows if f.id in given)
        raise AnalysisError(
            say("visits.branch_sum", node=_describe(node), total=f"{total:g}", listed=listed),
            file=node.source.file,
            line=node.source.line,
            element_id=node.id,
            hint=say("visits.branch_sum_hint"),
        )
    result = dict(given)
    if missing:
        share = max(0.0, 1.0 - total) / len(missing)
        for f in missing:
            result[f.id] = BranchProbability(share, DEFAULT)
        rest = f"{max(0.0, 1.0 - total):.4g}"
        notes.add(say("visits.note_rest_assumed", node=_describe(node), flows=_ids(f.id for f in missing), rest=rest)
                  if len(missing) == 1 else
                  say("visits.note_rest_split", node=_describe(node), flows=_ids(f.id for f in missing), rest=rest,
                      share=f"{share:.4g}"))
    return {f.id: result[f.id] for f in flows}


def _inclusive(
    node: FlowNode, flows: list[SequenceFlow], given: Mapping[str, BranchProbability], notes: _Notes
) -> dict[str, BranchProbability]:
    """Each branch fires independently; the default branch fires only when no other does."""
    default = [f for f in flows if f.is_default or f.id == node.default_flow]
    branches = [f for f in flows if f not in default]
    result = {f.id: given[f.id] for f in branches if f.id in given}
    missing = [f for f in branches if f.id not in given]
    if missing:
        total = sum(p.value for p in result.values())
        sharers = len(missing) + (1 if default else 0)
        share = max(0.0, 1.0 - total) / sharers
        for f in missing:
            result[f.id] = BranchProbability(share, DEFAULT)
        notes.add(say("visits.note_even_share", node=_describe(node), flows=_ids(f.id for f in missing),
                      share=f"{share:.4g}", rest=f"{max(0.0, 1.0 - total):.4g}"))
    for f in default:
        none_fires = float(math.prod(1.0 - result[b.id].value for b in branches))
        weakest = max((result[b.id].source for b in branches), key=_STRENGTH.__getitem__, default=STRUCTURE)
        if f.id in given and abs(given[f.id].value - none_fires) > _TOLERANCE:
            notes.add(say("visits.note_default_flow", node=_describe(node), value=f"{given[f.id].value:g}", flow=f.id,
                          share=f"{none_fires:.4g}"))
        result[f.id] = BranchProbability(none_fires, weakest)
    return {f.id: result[f.id] for f in flows}


def _event_probability(
    node: FlowNode,
    keys: Iterable[FlowNode],
    options: _Options,
    notes: _Notes,
    what: Say,
) -> BranchProbability:
    """Probability that an event fires: survey by id, else its ``probability`` property, else the default."""
    candidates = list(keys)
    for each in candidates:
        if each.id in options.overrides:
            value = float(options.overrides[each.id])
            _check_share(value, f"{_describe(each)} (survey sheet)", each.source.file, each.source.line, each.id)
            return BranchProbability(value, SURVEY)
    for each in candidates:
        raw = each.properties.get(PROBABILITY_PROPERTY)
        if raw is not None:
            value = _parse_property(raw, _describe(each), each.source.file, each.source.line, each.id)
            return BranchProbability(value, PROPERTY)
    notes.add(say("visits.note_event_default", what=what, node=_describe(node),
                  value=f"{options.boundary_default:g}"))
    return BranchProbability(options.boundary_default, DEFAULT)


def _parse_property(raw: str, where: str, file: str, line: int | None, element_id: str) -> float:
    value = _parse_share(raw)
    if value is None:
        raise AnalysisError(
            say("visits.not_probability", where=where, property=PROBABILITY_PROPERTY, value=repr(raw)),
            file=file,
            line=line,
            element_id=element_id,
            hint=say("visits.share_hint"),
        )
    _check_share(value, where, file, line, element_id)
    return value


def _check_share(value: float, where: str, file: str, line: int | None, element_id: str) -> None:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise AnalysisError(
            say("visits.probability_range", where=where, value=f"{value:g}"),
            file=file,
            line=line,
            element_id=element_id,
            hint=say("visits.share_hint"),
        )


def _parse_share(text: str) -> float | None:
    """``0.15``, ``15%`` or full-width ``１５％`` → 0.15; None when it is not a number."""
    folded = unicodedata.normalize("NFKC", text).strip()
    percent = folded.endswith("%")
    number = _parse_number(folded[:-1] if percent else folded)
    if number is None:
        return None
    return number / 100.0 if percent else number


def _parse_number(text: str) -> float | None:
    try:
        value = float(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- one level


def _solve_level(
    index: _Index,
    level: str | None,
    probabilities: Mapping[str, BranchProbability],
    options: _Options,
    out: _Collector,
    prefix: str,
    notes: _Notes,
) -> dict[str, float]:
    """Firings of every node of one level per activation of the level."""
    members = list(index.levels.get(level, ()))
    member_set = set(members)
    flows: list[SequenceFlow] = []
    for f in index.level_flows.get(level, ()):
        if f.target_id in member_set:
            flows.append(f)
        else:
            notes.add(say("visits.note_flow_leaves", flow=f.id))
    outgoing: dict[str, list[SequenceFlow]] = defaultdict(list)
    incoming: dict[str, int] = defaultdict(int)
    for f in flows:
        outgoing[f.source_id].append(f)
        incoming[f.target_id] += 1

    coefficients: dict[tuple[str, str], float] = defaultdict(float)
    structure = nx.DiGraph()
    structure.add_nodes_from(members)

    # Boundary events: fire per firing of the host; interrupting ones take their share from its outflow.
    kept: dict[str, float] = defaultdict(lambda: 1.0)
    interrupting: dict[str, float] = defaultdict(float)
    for nid in members:
        node = index.nodes[nid]
        if node.kind is not EventKind.BOUNDARY or node.attached_to not in member_set:
            continue
        host: str = node.attached_to
        chance = _event_probability(node, (node,), options, notes, say("visits.word_boundary_event"))
        out.events[prefix + nid] = chance
        coefficients[nid, host] += chance.value
        structure.add_edge(host, nid)
        if node.cancel_activity:
            interrupting[host] += chance.value
    for hid, share in interrupting.items():
        if share > 1.0 + _TOLERANCE:
            hnode = index.nodes[hid]
            raise AnalysisError(
                say("visits.boundary_sum", node=_describe(hnode), share=f"{share:g}"),
                file=hnode.source.file,
                line=hnode.source.line,
                element_id=hid,
                hint=say("visits.boundary_sum_hint"),
            )
        kept[hid] = max(0.0, 1.0 - share)

    # Links: a throw continues at every catch of the same name.
    catches: dict[str, list[str]] = defaultdict(list)
    for nid in members:
        node = index.nodes[nid]
        if node.kind is EventKind.INTERMEDIATE_CATCH and EventTrigger.LINK in node.triggers:
            catches[node.link_key].append(nid)
    for nid in members:
        node = index.nodes[nid]
        if node.kind is EventKind.INTERMEDIATE_THROW and EventTrigger.LINK in node.triggers:
            targets = catches.get(node.link_key, [])
            for target in targets:
                coefficients[target, nid] += 1.0 / len(targets)
                structure.add_edge(nid, target)

    for f in flows:
        structure.add_edge(f.source_id, f.target_id)
    entries = _entries(index, level, members, incoming, options, out, prefix, notes)
    _check_started(index, level, members, entries)
    joins = _joins(index, members, incoming, outgoing, flows, structure, entries, notes)

    absorbed: list[tuple[str, str]] = []
    for f in flows:
        weight = probabilities[f.id].value * kept[f.source_id]
        if f.id in joins.returning:
            coefficients[f.target_id, f.source_id] += weight  # round a loop: fires the join by itself
            continue
        if f.target_id in joins.matched:
            if weight > 0:
                absorbed.append((f.source_id, f.target_id))  # the token leaves into the join
            continue
        if index.nodes[f.target_id].kind in _SYNCHRONISING and incoming[f.target_id] > 1:
            weight /= max(1, joins.forward[f.target_id])  # fires once per set of tokens
        coefficients[f.target_id, f.source_id] += weight
    for join, split in joins.matched.items():
        coefficients[join, split] += 1.0

    _note_unreachable(index, level, members, structure, entries, out, prefix)
    return _solve(index, members, coefficients, entries, absorbed)


_SYNCHRONISING = (GatewayKind.PARALLEL, GatewayKind.INCLUSIVE, GatewayKind.COMPLEX)
"""Gateways that, with several incoming flows, wait for a set of tokens before they fire."""


def _where(index: _Index, level: str | None) -> str:
    container = index.nodes.get(level) if level is not None else None
    return f"sub-process {_describe(container)}" if container is not None else f"process {index.process_id!r}"


def _where_said(index: _Index, level: str | None) -> Say:
    """:func:`_where` for an error message, in the run's language."""
    container = index.nodes.get(level) if level is not None else None
    return (say("visits.where_subprocess", node=_describe(container)) if container is not None
            else say("visits.where_process", id=repr(index.process_id)))


def _entries(
    index: _Index,
    level: str | None,
    members: list[str],
    incoming: Mapping[str, int],
    options: _Options,
    out: _Collector,
    prefix: str,
    notes: _Notes,
) -> dict[str, float]:
    """Where tokens enter one activation of a level, and how many."""
    container = index.nodes.get(level) if level is not None else None
    nodes = [index.nodes[m] for m in members]
    starts = [n for n in nodes if n.kind is EventKind.START and not incoming.get(n.id)]
    if container is not None and not container.triggered_by_event:
        starts = [n for n in starts if not n.triggers] or starts
    starts += [
        n for n in nodes
        if n.instantiate and n.kind is not EventKind.START and not incoming.get(n.id)
    ]  # fmt: skip
    where = _where_said(index, level)
    entries: dict[str, float] = defaultdict(float)
    if len(starts) == 1:
        entries[starts[0].id] = 1.0
    elif starts:
        # Alternative ways to start a case: shares like an exclusive split.
        given: dict[str, BranchProbability] = {}
        for s in starts:
            if s.id in options.overrides or PROBABILITY_PROPERTY in s.properties:
                given[s.id] = _event_probability(s, (s,), options, notes, say("visits.word_start_event"))
        total = sum(p.value for p in given.values())
        missing = [s for s in starts if s.id not in given]
        if total > 1.0 + _TOLERANCE or (not missing and abs(total - 1.0) > _TOLERANCE):
            first = starts[0]
            raise AnalysisError(
                say("visits.start_sum", where=where, total=f"{total:g}"),
                file=first.source.file,
                line=first.source.line,
                element_id=first.id,
                hint=say("visits.start_sum_hint"),
            )
        for s in missing:
            given[s.id] = BranchProbability(max(0.0, 1.0 - total) / len(missing), DEFAULT)
        if missing:
            notes.add(say("visits.note_starts", where=where, count=len(starts),
                          shares=", ".join(f"{s.id} ({given[s.id].value:.4g})" for s in starts)))
        for s in starts:
            entries[s.id] = given[s.id].value
            out.events[prefix + s.id] = given[s.id]
    else:
        implicit = [
            n for n in nodes
            if not incoming.get(n.id) and n.kind is not EventKind.BOUNDARY
            and not n.is_for_compensation and not n.triggered_by_event
        ]  # fmt: skip
        for n in implicit:
            entries[n.id] = 1.0
        if implicit:
            notes.add(say("visits.note_no_start_event", where=where, count=len(implicit)))
    for n in nodes:
        if _is_container(n) and n.triggered_by_event:
            inner = [index.nodes[c] for c in index.children.get(n.id, ()) if index.nodes[c].kind is EventKind.START]
            chance = _event_probability(n, (*inner, n), options, notes, say("visits.word_event_subprocess"))
            out.events[prefix + n.id] = chance
            entries[n.id] += chance.value
    return dict(entries)


def _check_started(index: _Index, level: str | None, members: Sequence[str], entries: Mapping[str, float]) -> None:
    """Refuse a level whose every element waits for an incoming flow: no case would ever start there."""
    if entries:
        return
    ordinary = [
        index.nodes[m] for m in members
        if index.nodes[m].kind is not EventKind.BOUNDARY and not index.nodes[m].is_for_compensation
        and not index.nodes[m].triggered_by_event
    ]  # fmt: skip
    if not ordinary:
        return
    first = ordinary[0]
    raise AnalysisError(
        say("visits.no_start", where=_where_said(index, level), first=_describe(first)),
        file=first.source.file,
        line=first.source.line,
        element_id=first.id,
        hint=say("visits.no_start_hint"),
    )


def _note_unreachable(
    index: _Index,
    level: str | None,
    members: Sequence[str],
    structure: nx.DiGraph,
    entries: Mapping[str, float],
    out: _Collector,
    prefix: str,
) -> None:
    """Activities no flow leads to from where the level starts: their work is not counted, so say so."""
    reached = _reachable(structure.succ, entries)
    for nid in members:
        node = index.nodes[nid]
        if nid in reached or not isinstance(node.kind, TaskKind) or node.is_for_compensation:
            continue
        if node.triggered_by_event:
            continue
        out.uncounted.append(UncountedWork(
            "unreachable",
            f"{_describe(node)} cannot be reached from where {_where(index, level)} starts, "
            "so its work is not counted",
            node.source.file, node.source.line, prefix + nid,
        ))


@dataclass(frozen=True, slots=True)
class _JoinRules:
    """How the synchronising joins of one level count their tokens."""

    matched: Mapping[str, str]
    """Inclusive/complex join → the split that immediately dominates it (fires once per its firing)."""
    returning: frozenset[str]
    """Flows into an inclusive/complex join from a node the join dominates: a token back round a loop."""
    forward: Mapping[str, int]
    """Synchronising join → its incoming flows that are not returning (the set of tokens it waits for)."""


def _joins(
    index: _Index,
    members: list[str],
    incoming: Mapping[str, int],
    outgoing: Mapping[str, list[SequenceFlow]],
    flows: Sequence[SequenceFlow],
    structure: nx.DiGraph,
    entries: Mapping[str, float],
    notes: _Notes,
) -> _JoinRules:
    """Match inclusive joins to their splits and find the flows that return to a join round a loop.

    A flow ``u → j`` returns when ``j`` dominates ``u``: every way to ``u``
    passes through ``j``, so its token was sent after ``j`` fired and nothing
    else can still arrive with it.  An inclusive or complex join fires on it
    alone; a parallel join would wait for it forever, which is refused.
    """
    joins = [m for m in members if index.nodes[m].kind in _SYNCHRONISING and incoming.get(m, 0) > 1]
    if not joins:
        return _JoinRules({}, frozenset(), {})
    # One virtual root before every entry, added to the level's graph for the dominator search and taken out
    # again (a copy of the graph cost more than the search itself).
    root = object()
    structure.add_edges_from((root, e) for e in entries)
    try:
        dominators = nx.immediate_dominators(structure, root)
    finally:
        structure.remove_node(root)
    dominates = _dominance(dominators, root)
    join_set = set(joins)
    returning: set[str] = set()
    forward: dict[str, int] = dict.fromkeys(joins, 0)
    for f in flows:
        if f.target_id not in join_set:
            continue
        if f.source_id in dominators and dominates(f.target_id, f.source_id):
            returning.add(f.id)
        else:
            forward[f.target_id] += 1
    for join in joins:
        node = index.nodes[join]
        back = sorted(f.id for f in flows if f.target_id == join and f.id in returning)
        if node.kind is GatewayKind.PARALLEL and back and forward[join]:
            raise AnalysisError(
                say("visits.parallel_loop", node=_describe(node), flows=", ".join(back)),
                file=node.source.file,
                line=node.source.line,
                element_id=node.id,
                hint=say("visits.parallel_loop_hint"),
            )
    matched: dict[str, str] = {}
    for join in joins:
        if index.nodes[join].kind is GatewayKind.PARALLEL or forward[join] < 2:
            continue
        split = dominators.get(join)
        candidate = index.nodes.get(split) if isinstance(split, str) else None
        if candidate is not None and candidate.kind in (GatewayKind.INCLUSIVE, GatewayKind.COMPLEX) and (
            len(outgoing.get(candidate.id, ())) > 1
        ):
            matched[join] = candidate.id
        elif join in dominators:
            notes.add(say("visits.note_inclusive_join", node=_describe(index.nodes[join])))
    return _JoinRules(matched, frozenset(returning), forward)


def _dominance(dominators: Mapping[object, object], root: object) -> Callable[[object, object], bool]:
    """``dominates(a, b)`` in constant time, from pre/post-order numbers of the dominator tree."""
    children: dict[object, list[object]] = defaultdict(list)
    for node, parent in dominators.items():
        if node is not root:
            children[parent].append(node)
    enter: dict[object, int] = {}
    leave: dict[object, int] = {}
    clock = 0
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        clock += 1
        if done:
            leave[node] = clock
            continue
        enter[node] = clock
        stack.append((node, True))
        stack.extend((child, False) for child in children.get(node, ()))

    def dominates(a: object, b: object) -> bool:
        return a in enter and b in enter and enter[a] <= enter[b] and leave[b] <= leave[a]

    return dominates


def _reachable(successors: Mapping[str, Iterable[str]], starts: Iterable[str]) -> set[str]:
    """Nodes reachable from ``starts`` (one breadth-first pass for all of them)."""
    seen = set(starts)
    frontier = list(seen)
    while frontier:
        node = frontier.pop()
        for nxt in successors.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def _solve(
    index: _Index,
    members: list[str],
    coefficients: Mapping[tuple[str, str], float],
    entries: Mapping[str, float],
    absorbed: Sequence[tuple[str, str]],
) -> dict[str, float]:
    """Solve ``(I − M) v = e`` over the nodes reachable from the entries; the rest fire 0 times.

    ``absorbed`` lists flows into inclusive joins: they carry no coefficient (the
    join counts its split's firings) but still take tokens out of a loop.
    """
    successors: dict[str, list[str]] = defaultdict(list)
    for (target, source), weight in coefficients.items():
        if weight > 0:
            successors[source].append(target)
    reach = _reachable(successors, (start for start, amount in entries.items() if amount > 0))
    # Sorted ids, not document order: the same flow drawn in another order gives bit-identical visits.
    order = sorted(m for m in members if m in reach)
    position = {m: i for i, m in enumerate(order)}
    terms = [
        (position[target], position[source], weight)
        for (target, source), weight in coefficients.items()
        if weight != 0 and target in position and source in position
    ]
    entry: np.ndarray = np.zeros(len(order))
    for nid, amount in entries.items():
        if nid in position:
            entry[position[nid]] += amount
    _check_loops(index, order, successors, terms, position, absorbed)
    visits = _solve_system(terms, entry)
    if visits is None or not np.all(np.isfinite(visits)) or (visits.size and visits.min() < -1e-9):
        first = index.nodes[order[0]]
        raise AnalysisError(
            say("visits.unsolvable"),
            file=first.source.file,
            line=first.source.line,
            element_id=first.id,
            hint=say("visits.unsolvable_hint"),
        )
    result = dict.fromkeys(members, 0.0)
    for nid, i in position.items():
        result[nid] = max(0.0, float(visits[i]))
    return result


_DENSE_UP_TO = 64
"""Systems of at most this many unknowns are solved with dense numpy: sparse set-up costs more there."""


def _solve_system(terms: Sequence[tuple[int, int, float]], rhs: np.ndarray) -> np.ndarray | None:
    """``(I − M)⁻¹ rhs`` from the (row, column, weight) terms of ``M``; None when ``I − M`` is singular.

    Sparse LU (SuperLU) keeps time and memory proportional to the terms; small
    systems (a rework loop, a sub-process of a few steps) go through dense
    numpy, which is faster there.
    """
    size = len(rhs)
    try:
        with np.errstate(all="ignore"):
            if size <= _DENSE_UP_TO:
                system = np.eye(size)
                for row, col, weight in terms:
                    system[row, col] -= weight
                dense: np.ndarray = np.linalg.solve(system, rhs) if size else np.zeros(0)
                return dense
            rows = np.fromiter((t[0] for t in terms), dtype=np.int64, count=len(terms))
            cols = np.fromiter((t[1] for t in terms), dtype=np.int64, count=len(terms))
            data = np.fromiter((t[2] for t in terms), dtype=float, count=len(terms))
            matrix = sp.coo_array((data, (rows, cols)), shape=(size, size))
            sparse: np.ndarray = spla.splu((sp.eye_array(size, format="csc") - matrix).tocsc()).solve(rhs)
            return sparse
    except (RuntimeError, np.linalg.LinAlgError):  # singular ("Factor is exactly singular")
        return None


_ENDLESS = 1e12
"""Expected firings within one loop per token entering it, above which the loop is taken never to end.

``x = (I − B)⁻¹ 1`` grows like ``1 / (1 − ρ(B))``; anything this large is a
spectral radius of 1 up to rounding.  Finite loops far below it still stop at
:data:`bpm.limits.MAX_VISITS_PER_CASE` with their own message.
"""


def _check_loops(
    index: _Index,
    order: Sequence[str],
    successors: Mapping[str, Sequence[str]],
    terms: Sequence[tuple[int, int, float]],
    position: Mapping[str, int],
    absorbed: Sequence[tuple[str, str]],
) -> None:
    """Refuse loops that never end before solving, naming their nodes.

    A loop (strongly connected component) without an edge of positive weight
    leaving it keeps its tokens forever.  A loop that has such an edge can still
    grow without bound when a parallel split inside it re-enters the loop: its
    block ``B`` then has spectral radius ≥ 1, and ``(I − B) x = 1`` has no
    positive solution (see the module docstring).
    """
    edges = [(position[s], position[t]) for s in order for t in successors.get(s, ()) if t in position]
    loop_of = _loops(len(order), edges)
    if not loop_of:
        return
    into_joins = [(position[s], position[t]) for s, t in absorbed if s in position and t in position]
    leaving = {loop_of[t] for t, h in (*edges, *into_joins) if t in loop_of and loop_of.get(h) != loop_of[t]}
    blocks: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    members: dict[int, list[int]] = defaultdict(list)
    for node, k in loop_of.items():
        members[k].append(node)
    for row, col, weight in terms:
        loop = loop_of.get(row)
        if loop is not None and loop_of.get(col) == loop:
            blocks[loop].append((row, col, weight))
    for k in sorted(members):
        exits = k in leaving
        if exits and _loop_ends(members[k], blocks[k]):
            continue
        component = {order[i] for i in members[k]}
        ordered = [n for n in index.nodes if n in component]
        first = index.nodes[ordered[0]]
        why, hint = (
            (say("visits.loop_no_exit"), say("visits.loop_no_exit_hint"))
            if not exits
            else (say("visits.loop_round"), say("visits.loop_round_hint"))
        )
        raise AnalysisError(
            say("visits.infinite_loop", nodes=", ".join(_describe(index.nodes[n]) for n in ordered), why=why),
            file=first.source.file,
            line=first.source.line,
            element_id=first.id,
            hint=hint,
        )


def _loops(size: int, edges: Sequence[tuple[int, int]]) -> dict[int, int]:
    """Node → loop number for every node on a loop (a strongly connected component with a cycle)."""
    if not edges or _acyclic(size, edges):
        return {}
    tails = np.fromiter((e[0] for e in edges), dtype=np.int64, count=len(edges))
    heads = np.fromiter((e[1] for e in edges), dtype=np.int64, count=len(edges))
    adjacency = sp.coo_array((np.ones(len(edges)), (tails, heads)), shape=(size, size)).tocsr()
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    label = [int(x) for x in labels]
    sizes: dict[int, int] = defaultdict(int)
    for x in label:
        sizes[x] += 1
    cyclic = {x for x, n in sizes.items() if n > 1} | {label[t] for t, h in edges if t == h}
    return {node: label[node] for node in range(size) if label[node] in cyclic}


def _acyclic(size: int, edges: Sequence[tuple[int, int]]) -> bool:
    """Whether the graph has no cycle (Kahn's algorithm): most levels have none, and then no SCCs are needed."""
    indegree = [0] * size
    successors: dict[int, list[int]] = defaultdict(list)
    for tail, head in edges:
        successors[tail].append(head)
        indegree[head] += 1
    ready = [n for n in range(size) if indegree[n] == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for head in successors.get(node, ()):
            indegree[head] -= 1
            if indegree[head] == 0:
                ready.append(head)
    return removed == size


def _loop_ends(members: Sequence[int], block: Sequence[tuple[int, int, float]]) -> bool:
    """Whether the loop's block ``B`` has spectral radius below 1: ``(I − B) x = 1`` has a positive solution."""
    local = {n: i for i, n in enumerate(members)}
    rounds = _solve_system([(local[r], local[c], w) for r, c, w in block], np.ones(len(members)))
    return bool(
        rounds is not None and np.all(np.isfinite(rounds)) and rounds.min() >= 1.0 - 1e-9 and rounds.max() < _ENDLESS
    )


# --------------------------------------------------------------------------- small helpers


def _is_container(node: FlowNode) -> bool:
    return isinstance(node.kind, TaskKind) and node.kind.is_container



def _describe(node: FlowNode) -> str:
    name = " ".join(node.name.split())
    return f"{node.kind.value} {name} ({node.id})" if name else f"{node.kind.value} {node.id}"


def _ids(items: Iterable[str]) -> str:
    return ", ".join(items)

