"""What changed between two versions of a flow: matched elements and the differences between them.

A manual editor publishes a new version of a diagram every month, and the
reader of the intranet wants to know what moved: which steps were added,
removed, renamed, retyped or handed to another lane (担当の変更), which arrows
changed and which gateway conditions now read differently.

Matching happens in three passes, each only over what the earlier ones left:

1. **id** — the same element saved again keeps its id;
2. **name** — an element deleted and drawn again gets a new id but usually
   the same name; names are compared after NFKC (全角/半角), case folding and
   removing whitespace, and among equal names the closest position wins (the
   DI centre when both versions have a diagram, else the place in the flow);
3. **structure** — an unnamed gateway or event, or a step re-created under a
   new name, is matched when its already matched predecessors and successors
   are the same on both sides (and it is of the same family).

The result is a frozen :class:`DefinitionsDiff`; nothing here reads files or
knows about scores (the report adds those).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from bpm.graph import flow_order
from bpm.model import (
    Category,
    Definitions,
    ElementId,
    EventKind,
    FlowNode,
    GatewayKind,
    Process,
    ProcessId,
    SequenceFlow,
)

__all__ = [
    "DefinitionsDiff",
    "FlowChange",
    "FlowChangeKind",
    "MatchKind",
    "NodeMatch",
    "ProcessDiff",
    "StepChange",
    "StepChangeKind",
    "changed_ids",
    "diff_definitions",
    "normalise_name",
]


class MatchKind(Enum):
    """How an element of the new version was recognised as one of the old version."""

    ID = "id"
    """Same element id."""
    NAME = "name"
    """Same normalised name (re-created element), nearest position among equal names."""
    STRUCTURE = "structure"
    """Same matched neighbours before and after it (unnamed or renamed re-created element)."""


class StepChangeKind(Enum):
    """What happened to one flow node."""

    ADDED = "added"
    REMOVED = "removed"
    RENAMED = "renamed"
    """The name reads differently (not just line breaks, spaces, 全角/半角 or letter case)."""
    RETYPED = "retyped"
    MOVED = "moved"
    """Now in another lane (a different 担当)."""


class FlowChangeKind(Enum):
    """What happened to one sequence flow."""

    ADDED = "added"
    REMOVED = "removed"
    REROUTED = "rerouted"
    """Same flow, but it now starts or ends at another element."""
    CONDITION = "condition"
    """A branch's condition, label or default flag changed."""


@dataclass(frozen=True, slots=True)
class NodeMatch:
    """One element present in both versions."""

    old_id: ElementId
    """Id in the old version."""
    new_id: ElementId
    """Id in the new version."""
    how: MatchKind
    """Which pass matched them."""


@dataclass(frozen=True, slots=True)
class StepChange:
    """One difference about a flow node, with what it was and what it is."""

    kind: StepChangeKind
    """Added, removed, renamed, retyped or moved to another lane."""
    old_id: ElementId | None
    """Id in the old version (None when added)."""
    new_id: ElementId | None
    """Id in the new version (None when removed)."""
    name: str
    """The name shown for the change: the new name, or the old one when removed."""
    category: Category
    """Activity, event or gateway."""
    before: str = ""
    """The old value: name, element type or lane name (empty for added)."""
    after: str = ""
    """The new value (empty for removed)."""
    how: MatchKind | None = None
    """How the two versions were matched (None for added and removed)."""


@dataclass(frozen=True, slots=True)
class FlowChange:
    """One difference about a sequence flow."""

    kind: FlowChangeKind
    """Added, removed, rerouted, or a changed branch condition."""
    old_id: ElementId | None
    """Id in the old version (None when added)."""
    new_id: ElementId | None
    """Id in the new version (None when removed)."""
    route: str
    """``source → target`` by name, in the new version when the flow exists there."""
    before: str = ""
    """The old route or condition (empty for added)."""
    after: str = ""
    """The new route or condition (empty for removed)."""


@dataclass(frozen=True, slots=True)
class ProcessDiff:
    """The comparison of one process (業務) in both versions."""

    old_process_id: ProcessId
    """Process id in the old version."""
    new_process_id: ProcessId
    """Process id in the new version."""
    name: str
    """Process name (the new one)."""
    matches: tuple[NodeMatch, ...]
    """Every matched flow node, in the new version's document order."""
    steps: tuple[StepChange, ...]
    """Node differences: removed (old order), then added, renamed, retyped, moved (new order)."""
    flows: tuple[FlowChange, ...]
    """Flow differences in the same order."""

    @property
    def changed(self) -> bool:
        """Whether anything differs."""
        return bool(self.steps or self.flows)

    def count(self, kind: StepChangeKind | FlowChangeKind) -> int:
        """Number of changes of one kind."""
        changes: Sequence[StepChange | FlowChange] = self.steps if isinstance(kind, StepChangeKind) else self.flows
        return sum(1 for change in changes if change.kind is kind)


@dataclass(frozen=True, slots=True)
class DefinitionsDiff:
    """Two versions of a file compared process by process."""

    old_file: str
    """Path of the old version."""
    new_file: str
    """Path of the new version."""
    processes: tuple[ProcessDiff, ...]
    """Processes found in both versions, in the new version's order."""
    added_processes: tuple[ProcessId, ...] = ()
    """Processes (with flow nodes) only in the new version."""
    removed_processes: tuple[ProcessId, ...] = ()
    """Processes (with flow nodes) only in the old version."""

    @property
    def changed(self) -> bool:
        """Whether anything differs."""
        return bool(self.added_processes or self.removed_processes or any(p.changed for p in self.processes))


# --------------------------------------------------------------------------- entry point


def normalise_name(text: str) -> str:
    """Key for comparing names: NFKC (全角/半角), case-folded, all whitespace removed.

    >>> normalise_name("住民票の写し　交付") == normalise_name("住民票の写し交付")
    True
    >>> normalise_name("Task\\n１")
    'task1'
    """
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def diff_definitions(old: Definitions, new: Definitions) -> DefinitionsDiff:
    """Compare two versions of a BPMN file.

    Processes are matched by id, then by normalised name, and finally, when
    exactly one process with flow nodes is left on each side, with each other
    (two tools exporting the same model rarely agree on process ids).

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> head = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p">'
    >>> old = read_bpmn_bytes((head + '<startEvent id="s"/><task id="t" name="受付"/>'
    ...     '<sequenceFlow id="f" sourceRef="s" targetRef="t"/></process></definitions>').encode(), "old.bpmn")
    >>> new = read_bpmn_bytes((head + '<startEvent id="s"/><userTask id="t2" name="受付"/>'
    ...     '<sequenceFlow id="f" sourceRef="s" targetRef="t2"/></process></definitions>').encode(), "new.bpmn")
    >>> [(c.kind.value, c.before, c.after) for c in diff_definitions(old, new).processes[0].steps]
    [('retyped', 'task', 'userTask')]
    """
    pairs, added, removed = _match_processes(old, new)
    processes = tuple(
        _diff_process(old, old.processes[old_id], new, new.processes[new_id]) for old_id, new_id in pairs
    )
    return DefinitionsDiff(old.file, new.file, processes, tuple(added), tuple(removed))


def _match_processes(
    old: Definitions, new: Definitions
) -> tuple[list[tuple[ProcessId, ProcessId]], list[ProcessId], list[ProcessId]]:
    """Pairs (old, new) in the new version's order, then processes only new and only old."""
    old_left = [pid for pid, p in old.processes.items() if p.nodes]
    new_left = [pid for pid, p in new.processes.items() if p.nodes]
    pairs: dict[ProcessId, ProcessId] = {pid: pid for pid in new_left if pid in old_left}

    def free_old() -> list[ProcessId]:
        return [pid for pid in old_left if pid not in pairs.values()]

    # Most similar first: shared step names, with a bonus when the process or pool name agrees
    # (tools rename processes freely and several pools may share a name such as "Pool").
    scored = []
    for n in new_left:
        for o in free_old():
            if n in pairs:
                continue
            overlap = _overlap(old.processes[o], new.processes[n])
            named = bool(_name_keys(new, n) & _name_keys(old, o))
            if overlap >= 0.3 or (named and overlap > 0.0):
                scored.append((-(overlap + (0.25 if named else 0.0)), new_left.index(n), old_left.index(o), o, n))
    for _score, _n_index, _o_index, o, n in sorted(scored):
        if n not in pairs and o not in pairs.values():
            pairs[n] = o
    unmatched_old, unmatched_new = free_old(), [pid for pid in new_left if pid not in pairs]
    if len(unmatched_old) == 1 and len(unmatched_new) == 1:
        pairs[unmatched_new[0]] = unmatched_old[0]
        unmatched_old, unmatched_new = [], []
    ordered = [(pairs[pid], pid) for pid in new_left if pid in pairs]
    return ordered, unmatched_new, unmatched_old


def _name_keys(definitions: Definitions, process_id: ProcessId) -> set[str]:
    pool = definitions.pool_of(process_id)
    names = {definitions.processes[process_id].name, pool.name if pool else ""}
    return {normalise_name(name) for name in names} - {""}


def _overlap(old: Process, new: Process) -> float:
    """Jaccard similarity of the processes' normalised step names."""
    a = {normalise_name(n.name) for n in old.nodes.values()} - {""}
    b = {normalise_name(n.name) for n in new.nodes.values()} - {""}
    return len(a & b) / len(a | b) if a | b else 0.0


def _process_name(definitions: Definitions, process_id: ProcessId) -> str:
    process = definitions.processes[process_id]
    pool = definitions.pool_of(process_id)
    return process.name or (pool.name if pool else "")


# --------------------------------------------------------------------------- one process


def _diff_process(old_def: Definitions, old: Process, new_def: Definitions, new: Process) -> ProcessDiff:
    matches = _match_nodes(old_def, old, new_def, new)
    new_to_old = {m.new_id: m.old_id for m in matches}
    old_to_new = {m.old_id: m.new_id for m in matches}
    steps: list[StepChange] = []
    for node in old.nodes.values():
        if node.id not in old_to_new:
            steps.append(StepChange(StepChangeKind.REMOVED, node.id, None, node.label, node.category,
                                    before=_lane_name(old, node)))
    for node in new.nodes.values():
        if node.id not in new_to_old:
            steps.append(StepChange(StepChangeKind.ADDED, None, node.id, node.label, node.category,
                                    after=_lane_name(new, node)))
    by_new = {m.new_id: m for m in matches}
    for node in new.nodes.values():
        match = by_new.get(node.id)
        if match is not None:
            steps.extend(_node_changes(old, old.nodes[match.old_id], new, node, match.how))
    flows = _diff_flows(old, new, old_to_new)
    name = _process_name(new_def, new.id) or _process_name(old_def, old.id) or new.id
    return ProcessDiff(old.id, new.id, name, tuple(matches), tuple(steps), tuple(flows))


def _node_changes(old: Process, before: FlowNode, new: Process, node: FlowNode, how: MatchKind) -> list[StepChange]:
    """Renamed, retyped and moved-lane changes of one matched node."""
    changes: list[tuple[StepChangeKind, str, str]] = []
    if normalise_name(before.name) != normalise_name(node.name):
        changes.append((StepChangeKind.RENAMED, _folded(before.name), _folded(node.name)))
    if before.kind != node.kind:
        changes.append((StepChangeKind.RETYPED, before.kind.value, node.kind.value))
    old_lane, new_lane = _lane_name(old, before), _lane_name(new, node)
    if normalise_name(old_lane) != normalise_name(new_lane) and node.kind is not EventKind.BOUNDARY:
        changes.append((StepChangeKind.MOVED, old_lane, new_lane))
    return [StepChange(kind, before.id, node.id, node.label, node.category, was, now, how)
            for kind, was, now in changes]


def _folded(text: str) -> str:
    """A name as shown in a report: NFKC, whitespace folded to single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _lane_name(process: Process, node: FlowNode) -> str:
    """The node's lane by name ('' for none or an unnamed lane: tools add those silently; a boundary event's is
    its host's)."""
    if node.lane_id is None:
        return ""
    lane = next((lane for lane in process.all_lanes() if lane.id == node.lane_id), None)
    return " ".join(lane.name.split()) if lane is not None else ""


# --------------------------------------------------------------------------- matching nodes


def _match_nodes(old_def: Definitions, old: Process, new_def: Definitions, new: Process) -> list[NodeMatch]:
    matched: dict[ElementId, tuple[ElementId, MatchKind]] = {}  # new id → (old id, how)
    for node_id in new.nodes:
        if node_id in old.nodes:
            matched[node_id] = (node_id, MatchKind.ID)
    old_positions = _positions(old_def, old)
    new_positions = _positions(new_def, new)
    _match_by_name(old, new, matched, old_positions, new_positions)
    _match_by_structure(old, new, matched)
    return [NodeMatch(matched[n][0], n, matched[n][1]) for n in new.nodes if n in matched]


def _match_by_name(
    old: Process,
    new: Process,
    matched: dict[ElementId, tuple[ElementId, MatchKind]],
    old_positions: Mapping[ElementId, tuple[float, float]],
    new_positions: Mapping[ElementId, tuple[float, float]],
) -> None:
    taken = {old_id for old_id, _ in matched.values()}
    old_by_name: dict[str, list[FlowNode]] = {}
    for node in old.nodes.values():
        if node.id not in taken and normalise_name(node.name):
            old_by_name.setdefault(normalise_name(node.name), []).append(node)
    candidates: list[tuple[int, float, int, FlowNode, FlowNode]] = []
    order = 0
    for node in new.nodes.values():
        if node.id in matched:
            continue
        for other in old_by_name.get(normalise_name(node.name), []):
            family = 0 if other.category is node.category else 1
            distance = math.dist(old_positions.get(other.id, (0.0, 0.0)), new_positions.get(node.id, (0.0, 0.0)))
            candidates.append((family, distance, order, other, node))
            order += 1
    for _family, _distance, _order, other, node in sorted(candidates, key=lambda c: c[:3]):
        if node.id in matched or other.id in taken:
            continue
        matched[node.id] = (other.id, MatchKind.NAME)
        taken.add(other.id)


def _match_by_structure(old: Process, new: Process, matched: dict[ElementId, tuple[ElementId, MatchKind]]) -> None:
    """Unique (family, matched predecessors, matched successors) on both sides; repeated until stable."""
    old_links = _links(old)
    new_links = _links(new)
    while True:
        old_to_new = {o: n for n, (o, _how) in matched.items()}
        old_signatures: dict[_Signature, list[ElementId]] = {}
        for node in old.nodes.values():
            if node.id in old_to_new:
                continue
            before, after = old_links.get(node.id, (set(), set()))
            key: _Signature = (node.category, node.parent_id is None,
                   frozenset(old_to_new[p] for p in before if p in old_to_new),
                   frozenset(old_to_new[s] for s in after if s in old_to_new))
            if key[2] or key[3]:
                old_signatures.setdefault(key, []).append(node.id)
        new_signatures: dict[_Signature, list[ElementId]] = {}
        for node in new.nodes.values():
            if node.id in matched:
                continue
            before, after = new_links.get(node.id, (set(), set()))
            key = (node.category, node.parent_id is None,
                   frozenset(p for p in before if p in matched), frozenset(s for s in after if s in matched))
            if key[2] or key[3]:
                new_signatures.setdefault(key, []).append(node.id)
        progress = False
        for key, new_ids in new_signatures.items():
            old_ids = old_signatures.get(key, [])
            if len(new_ids) == 1 and len(old_ids) == 1:
                matched[new_ids[0]] = (old_ids[0], MatchKind.STRUCTURE)
                progress = True
        if not progress:
            return


_Signature = tuple[Category, bool, frozenset[ElementId], frozenset[ElementId]]


def _links(process: Process) -> dict[ElementId, tuple[set[ElementId], set[ElementId]]]:
    """Predecessors and successors of every node by sequence flow; a boundary event links to its host."""
    links: dict[ElementId, tuple[set[ElementId], set[ElementId]]] = {n: (set(), set()) for n in process.nodes}
    for flow in process.flows.values():
        if flow.source_id in links and flow.target_id in links:
            links[flow.source_id][1].add(flow.target_id)
            links[flow.target_id][0].add(flow.source_id)
    for node in process.nodes.values():
        if node.attached_to is not None and node.attached_to in links:
            links[node.id][0].add(node.attached_to)
    return links


def _positions(definitions: Definitions, process: Process) -> dict[ElementId, tuple[float, float]]:
    """Where each node is, scaled to 0–1: the DI centre when drawn, else (place in the flow, lane index)."""
    shapes = {s.element_id: s.bounds for d in definitions.diagrams for s in d.shapes if s.element_id in process.nodes}
    if len(shapes) == len(process.nodes) and shapes:
        xs = [b.x + b.width / 2 for b in shapes.values()]
        ys = [b.y + b.height / 2 for b in shapes.values()]
        span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        return {
            node_id: ((b.x + b.width / 2 - min(xs)) / span_x, (b.y + b.height / 2 - min(ys)) / span_y)
            for node_id, b in shapes.items()
        }
    order = flow_order(process)
    lanes = [lane.id for lane in process.all_lanes()]
    count = max(len(order) - 1, 1)
    lane_count = max(len(lanes) - 1, 1)
    return {
        node_id: (index / count, (lanes.index(node.lane_id) / lane_count) if node.lane_id in lanes else 0.0)
        for index, node_id in enumerate(order)
        for node in (process.nodes[node_id],)
    }


# --------------------------------------------------------------------------- flows


def _diff_flows(old: Process, new: Process, old_to_new: Mapping[ElementId, ElementId]) -> list[FlowChange]:
    new_to_old = {v: k for k, v in old_to_new.items()}
    pairs: dict[ElementId, ElementId] = {}  # new flow → old flow
    for flow_id in new.flows:
        if flow_id in old.flows:
            pairs[flow_id] = flow_id
    taken = set(pairs.values())
    by_ends: dict[tuple[ElementId | None, ElementId | None], list[SequenceFlow]] = {}
    for flow in old.flows.values():
        if flow.id not in taken:
            by_ends.setdefault((old_to_new.get(flow.source_id), old_to_new.get(flow.target_id)), []).append(flow)
    for flow in new.flows.values():
        if flow.id in pairs:
            continue
        candidates = by_ends.get((flow.source_id, flow.target_id), [])
        if flow.source_id not in new_to_old or flow.target_id not in new_to_old or not candidates:
            continue
        best = next((c for c in candidates if _condition(c) == _condition(flow)), candidates[0])
        candidates.remove(best)
        pairs[flow.id] = best.id
    changes: list[FlowChange] = []
    old_paired = set(pairs.values())
    for flow in old.flows.values():
        if flow.id not in old_paired:
            changes.append(FlowChange(FlowChangeKind.REMOVED, flow.id, None, _route(old, flow),
                                      before=_condition(flow)))
    for flow in new.flows.values():
        if flow.id not in pairs:
            changes.append(FlowChange(FlowChangeKind.ADDED, None, flow.id, _route(new, flow), after=_condition(flow)))
            continue
        before = old.flows[pairs[flow.id]]
        if (old_to_new.get(before.source_id), old_to_new.get(before.target_id)) != (flow.source_id, flow.target_id):
            changes.append(FlowChange(FlowChangeKind.REROUTED, before.id, flow.id, _route(new, flow),
                                      before=_route(old, before), after=_route(new, flow)))
        if _condition(before) != _condition(flow) and (_is_branch(old, before) or _is_branch(new, flow)):
            changes.append(FlowChange(FlowChangeKind.CONDITION, before.id, flow.id, _route(new, flow),
                                      before=_condition(before), after=_condition(flow)))
    return changes


def _condition(flow: SequenceFlow) -> str:
    """What a reader sees of a branch: its label, its condition expression and the default marker."""
    parts = [" ".join(flow.name.split())]
    if flow.condition and flow.condition.strip():
        parts.append(f"[{' '.join(flow.condition.split())}]")
    if flow.is_default:
        parts.append("(default)")
    return " ".join(p for p in parts if p)


def _is_branch(process: Process, flow: SequenceFlow) -> bool:
    """A flow whose label or condition decides where a case goes: out of a gateway, or conditional."""
    source = process.nodes.get(flow.source_id)
    if source is not None and isinstance(source.kind, GatewayKind):
        return True
    return bool(flow.condition) or flow.is_default or bool(flow.name.strip())


def _route(process: Process, flow: SequenceFlow) -> str:
    def label(node_id: ElementId) -> str:
        node = process.nodes.get(node_id)
        return node.label if node is not None else node_id

    return f"{label(flow.source_id)} → {label(flow.target_id)}"


def changed_ids(diff: ProcessDiff) -> tuple[set[ElementId], set[ElementId], set[ElementId], set[ElementId]]:
    """(removed old ids, added new ids, changed old ids, changed new ids) for marking diagrams."""
    removed = {c.old_id for c in diff.steps if c.kind is StepChangeKind.REMOVED and c.old_id}
    added = {c.new_id for c in diff.steps if c.kind is StepChangeKind.ADDED and c.new_id}
    changed_old = {c.old_id for c in diff.steps if c.old_id and c.new_id}
    changed_new = {c.new_id for c in diff.steps if c.old_id and c.new_id}
    for flow in diff.flows:
        if flow.kind is FlowChangeKind.REMOVED and flow.old_id:
            removed.add(flow.old_id)
        elif flow.kind is FlowChangeKind.ADDED and flow.new_id:
            added.add(flow.new_id)
        else:
            if flow.old_id:
                changed_old.add(flow.old_id)
            if flow.new_id:
                changed_new.add(flow.new_id)
    return removed, added, changed_old, changed_new
