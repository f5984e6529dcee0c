"""Diagram interchange for files that have none: positions from Graphviz, written into the user's file.

IBM BlueWorks, generated files and flows built from a survey sheet carry no
BPMN DI, so no modeler can open them as a picture.  :func:`plan_layout` lays
each diagram out left to right with the real ``dot`` program — pools stacked
top to bottom, each lane a full-width band in document order, sub-processes
collapsed with their content on a drill-down plane of its own (as bpmn-js and
Camunda Modeler show them) — and :func:`add_layout` writes the result into the
file as ``BPMNDiagram`` elements, leaving every existing byte as it was
(:mod:`bpm.xmlpatch`).

Only ranks and the order within a lane come from Graphviz (``newrank`` keeps
ranks aligned across lanes and pools); bands, pools and connector routes are
computed here, because BPMN lanes are bands across the whole pool, which
Graphviz clusters are not.  Sizes are bpmn-js's defaults, so a diagram
opened in the modeler and then edited looks like one drawn there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import graphviz

from bpm.errors import RenderError, say
from bpm.model import (
    ArtifactKind,
    Association,
    Bounds,
    Category,
    Definitions,
    ElementId,
    EventKind,
    FlowNode,
    Lane,
    Point,
    Process,
    TaskKind,
)
from bpm.reader import read_bpmn_bytes
from bpm.xmlpatch import Edit, XmlText, quote_attribute

__all__ = ["PlannedDiagram", "PlannedEdge", "PlannedShape", "add_layout", "needs_layout", "plan_layout"]

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"

_TASK = (100.0, 80.0)
_EVENT = (36.0, 36.0)
_GATEWAY = (50.0, 50.0)
_ARTIFACT_SIZES = {
    ArtifactKind.TEXT_ANNOTATION: (100.0, 30.0),
    ArtifactKind.DATA_OBJECT_REFERENCE: (36.0, 50.0),
    ArtifactKind.DATA_STORE_REFERENCE: (50.0, 50.0),
}
"""Artifacts that get a shape; groups and plain data objects have no position of their own."""
_HEADER = 30.0
"""Width of the name band at the left of a pool and of each lane level."""
_PAD = 30.0
"""Space between a band's edge and its content."""
_MIN_BAND = 120.0
_BLACK_BOX = 60.0
"""Height of a pool with no process (a black box, e.g. 申請者)."""
_POOL_GAP = 40.0
_ORIGIN = (160.0, 80.0)
_POINTS_PER_INCH = 72.0
_INSTALL_HINT = say("render.install_graphviz")


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class PlannedShape:
    """A ``BPMNShape`` to write."""

    element_id: ElementId
    """``bpmnElement``."""
    bounds: Bounds
    """Rectangle in diagram coordinates."""
    is_horizontal: bool | None = None
    """Pools and lanes: True (bands run left to right)."""
    is_expanded: bool | None = None
    """Sub-processes: False (content on its own plane)."""


@dataclass(frozen=True, slots=True)
class PlannedEdge:
    """A ``BPMNEdge`` to write."""

    element_id: ElementId
    """``bpmnElement``."""
    waypoints: tuple[Point, ...]
    """Route, first to last (at least two points)."""


@dataclass(frozen=True, slots=True)
class PlannedDiagram:
    """One ``BPMNDiagram`` with its plane."""

    plane_element_id: ElementId
    """Collaboration, process, or collapsed sub-process the plane shows."""
    name: str
    """Diagram name (the pool, process or sub-process name)."""
    shapes: tuple[PlannedShape, ...]
    """Shapes in painting order: pools, lanes, then flow nodes and artifacts."""
    edges: tuple[PlannedEdge, ...]
    """Sequence flows, message flows and associations."""


def needs_layout(definitions: Definitions) -> bool:
    """True when no diagram of the file draws anything (a file with only empty diagrams needs one too)."""
    return not any(diagram.shapes for diagram in definitions.diagrams)


def plan_layout(definitions: Definitions) -> tuple[PlannedDiagram, ...]:
    """Diagrams for every pool, process and collapsed sub-process, laid out left to right.

    A file with a collaboration gets one diagram with all its pools stacked;
    a process no pool shows gets a diagram of its own; every sub-process with
    content gets a drill-down plane.  Raises :class:`~bpm.errors.RenderError`
    when Graphviz is missing or fails.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><task id="t" name="入力"/>
    ...   <sequenceFlow id="f" sourceRef="s" targetRef="t"/></process></definitions>'''.encode()
    >>> (diagram,) = plan_layout(read_bpmn_bytes(xml, "x.bpmn"))
    >>> [(s.element_id, s.bounds.width) for s in diagram.shapes], diagram.edges[0].element_id
    ([('s', 36.0), ('t', 100.0)], 'f')
    """
    diagrams: list[PlannedDiagram] = []
    pooled: set[str] = set()
    for collaboration in definitions.collaborations:
        pools = [p for p in collaboration.participants]
        if not pools:
            continue
        canvas = _Canvas(definitions)
        for pool in pools:
            process = definitions.processes.get(pool.process_id) if pool.process_id else None
            if process is not None and process.id not in pooled:
                pooled.add(process.id)
                canvas.add_pool(pool.id, process)
            else:
                canvas.add_black_box(pool.id)
        for flow in collaboration.message_flows:
            canvas.message_flows.append((flow.id, flow.source_id, flow.target_id))
        name = collaboration.name or next((p.name for p in pools if p.name), "")
        diagrams.append(canvas.plan(collaboration.id, name))
    for process in definitions.processes.values():
        if process.id in pooled or not process.nodes:
            continue
        canvas = _Canvas(definitions)
        canvas.add_process(process)
        diagrams.append(canvas.plan(ElementId(process.id), process.name))
    for process in definitions.processes.values():
        for node in process.nodes.values():
            if isinstance(node.kind, TaskKind) and node.kind.is_container and _children(process, node.id):
                canvas = _Canvas(definitions)
                canvas.add_process(process, parent_id=node.id)
                diagrams.append(canvas.plan(node.id, node.name))
    return tuple(diagrams)


# --------------------------------------------------------------------------- building one diagram


@dataclass
class _Band:
    """A horizontal band: one leaf lane, or the content of a pool or plane without lanes."""

    key: str
    """DOT cluster name."""
    pool_id: ElementId | None
    """The pool it belongs to (None on a plane without pools)."""
    lane_chain: tuple[Lane, ...]
    """Lanes from the outermost to this band's own lane (empty when the band is not a lane)."""
    members: list[ElementId] = field(default_factory=list)
    """Nodes and artifacts drawn in it, in document order."""


@dataclass
class _PoolEntry:
    pool_id: ElementId
    bands: list[_Band]
    black_box: bool = False


def _children(process: Process, parent_id: ElementId | None) -> list[FlowNode]:
    return [n for n in process.nodes.values() if n.parent_id == parent_id]


def _size(node: FlowNode) -> tuple[float, float]:
    if node.category is Category.EVENT:
        return _EVENT
    if node.category is Category.GATEWAY:
        return _GATEWAY
    return _TASK


class _Canvas:
    """Collects pools, bands and connectors of one diagram, then lays them out."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self.pools: list[_PoolEntry] = []
        self.bands: list[_Band] = []
        self.sizes: dict[ElementId, tuple[float, float]] = {}
        self.kinds: dict[ElementId, str] = {}
        self.flows: list[tuple[ElementId, ElementId, ElementId]] = []
        self.associations: list[tuple[ElementId, ElementId, ElementId]] = []
        self.message_flows: list[tuple[ElementId, ElementId, ElementId]] = []
        self.boundary: dict[ElementId, list[ElementId]] = {}
        self.collapsed: set[ElementId] = set()

    # ----------------------------------------------------------------- gathering

    def add_pool(self, pool_id: ElementId, process: Process) -> None:
        bands = self._add_content(process, None, pool_id, with_lanes=True)
        self.pools.append(_PoolEntry(pool_id, bands))

    def add_black_box(self, pool_id: ElementId) -> None:
        self.pools.append(_PoolEntry(pool_id, [], black_box=True))

    def add_process(self, process: Process, parent_id: ElementId | None = None) -> None:
        self._add_content(process, parent_id, None, with_lanes=parent_id is None)

    def _add_content(
        self, process: Process, parent_id: ElementId | None, pool_id: ElementId | None, *, with_lanes: bool
    ) -> list[_Band]:
        nodes = _children(process, parent_id)
        chains = _leaf_chains(process.lanes) if with_lanes else []
        bands = [_Band(f"cluster_{len(self.bands) + i}", pool_id, chain) for i, chain in enumerate(chains)]
        by_lane = {chain[-1].id: band for chain, band in zip(chains, bands, strict=True)}
        first_leaf: dict[ElementId, _Band] = {}
        for chain in chains:
            for lane in chain:
                first_leaf.setdefault(lane.id, by_lane[chain[-1].id])
        loose = _Band(f"cluster_{len(self.bands) + len(bands)}", pool_id, ())
        placed: set[ElementId] = set()
        for node in nodes:
            if node.kind is EventKind.BOUNDARY and node.attached_to is not None:
                self.boundary.setdefault(node.attached_to, []).append(node.id)
                self.sizes[node.id] = _EVENT
                continue
            band = first_leaf.get(node.lane_id) if node.lane_id is not None else None
            (band or loose).members.append(node.id)
            self.sizes[node.id] = _size(node)
            placed.add(node.id)
            if isinstance(node.kind, TaskKind) and node.kind.is_container:
                self.collapsed.add(node.id)
        inside = placed | {b for host in placed for b in self.boundary.get(host, [])}
        for flow in process.flows.values():
            if flow.source_id in inside and flow.target_id in inside:
                self.flows.append((flow.id, flow.source_id, flow.target_id))
        self._add_artifacts(process, parent_id, inside, [*bands, loose])
        used = [band for band in bands if band.members or band.lane_chain] + ([loose] if loose.members else [])
        if not used:
            used = [loose]
        self.bands.extend(used)
        return used

    def _add_artifacts(
        self,
        process: Process,
        parent_id: ElementId | None,
        inside: set[ElementId],
        bands: Sequence[_Band],
    ) -> None:
        """Annotations and data references next to the nodes they are connected to (top level only)."""
        if parent_id is not None:
            return
        linked: dict[ElementId, list[Association]] = {}
        for association in process.associations:
            linked.setdefault(association.source_id, []).append(association)
            linked.setdefault(association.target_id, []).append(association)
        band_of = {member: band for band in bands for member in band.members}
        for artifact in process.artifacts:
            size = _ARTIFACT_SIZES.get(artifact.kind)
            if size is None:
                continue
            partners = [a.target_id if a.source_id == artifact.id else a.source_id for a in linked.get(artifact.id, [])]
            if any(p not in inside for p in partners):
                continue  # connected to something inside a sub-process: drawn on no plane
            band = next((band_of[p] for p in partners if p in band_of), bands[-1])
            band.members.append(artifact.id)
            self.sizes[artifact.id] = size
            self.kinds[artifact.id] = artifact.kind.value
            for association in linked.get(artifact.id, []):
                entry = (association.id, association.source_id, association.target_id)
                if entry not in self.associations:
                    self.associations.append(entry)

    # ----------------------------------------------------------------- layout

    def plan(self, plane: ElementId, name: str) -> PlannedDiagram:
        source, names = self._dot()
        found, clusters = _run_dot(source)
        positions = {member: found[name] for member, name in names.items()}
        depth = max((len(b.lane_chain) for b in self.bands), default=0)
        pooled = bool(self.pools)
        content_x = _ORIGIN[0] + (_HEADER if pooled else 0.0) + depth * _HEADER + _PAD
        left = min((x - self.sizes[i][0] / 2 for i, (x, _y) in positions.items()), default=0.0)
        right = max((x + self.sizes[i][0] / 2 for i, (x, _y) in positions.items()), default=left + _TASK[0])
        width = (content_x - _ORIGIN[0]) + (right - left) + _PAD
        bounds: dict[ElementId, Bounds] = {}
        band_boxes: list[tuple[_Band, float, float]] = []
        y = _ORIGIN[1]
        entries = self.pools or [_PoolEntry(ElementId(""), self.bands)]
        pool_boxes: list[tuple[_PoolEntry, float, float]] = []
        for entry in entries:
            top = y
            if entry.black_box:
                y += _BLACK_BOX
            for band in entry.bands:
                y_min, y_max = clusters.get(band.key, (0.0, 0.0))
                height = max(_MIN_BAND, (y_max - y_min) + 2 * _PAD)
                offset = y + (height - (y_max - y_min)) / 2 - y_min
                for member in band.members:
                    x_c, y_c = positions[member]
                    w, h = self.sizes[member]
                    bounds[member] = Bounds(content_x + (x_c - left) - w / 2, offset + y_c - h / 2, w, h)
                band_boxes.append((band, y, height))
                y += height
            pool_boxes.append((entry, top, y - top))
            y += _POOL_GAP
        self._place_boundary_events(bounds)
        shapes: list[PlannedShape] = []
        if pooled:
            for entry, top, height in pool_boxes:
                box = Bounds(_ORIGIN[0], top, width, height)
                bounds[entry.pool_id] = box
                shapes.append(PlannedShape(entry.pool_id, box, is_horizontal=True))
        shapes.extend(_lane_shapes(band_boxes, width, pooled))
        for band in self.bands:
            for member in band.members:
                expanded = False if member in self.collapsed else None
                shapes.append(PlannedShape(member, bounds[member], is_expanded=expanded))
                for event in self.boundary.get(member, []):
                    shapes.append(PlannedShape(event, bounds[event]))
        edges = [
            PlannedEdge(flow_id, _route(bounds[source], bounds[target], source in self._boundary_ids()))
            for flow_id, source, target in self.flows
            if source in bounds and target in bounds
        ]
        edges.extend(
            PlannedEdge(assoc_id, _straight(bounds[source], bounds[target]))
            for assoc_id, source, target in self.associations
            if source in bounds and target in bounds
        )
        pools = {entry.pool_id for entry in self.pools}
        edges.extend(
            PlannedEdge(flow_id, _message_route(bounds[source], bounds[target], source in pools, target in pools))
            for flow_id, source, target in self.message_flows
            if source in bounds and target in bounds
        )
        return PlannedDiagram(plane, name, tuple(shapes), tuple(edges))

    def _boundary_ids(self) -> set[ElementId]:
        return {event for events in self.boundary.values() for event in events}

    def _place_boundary_events(self, bounds: dict[ElementId, Bounds]) -> None:
        """On the bottom edge of the host, right to left, as modelers attach them."""
        for host, events in self.boundary.items():
            box = bounds.get(host)
            if box is None:
                continue
            for index, event in enumerate(events):
                w, h = _EVENT
                x = box.x + box.width - w - 6 - index * (w + 6)
                bounds[event] = Bounds(max(box.x - w / 2, x), box.y + box.height - h / 2, w, h)

    def _dot(self) -> tuple[str, dict[ElementId, str]]:
        """DOT source: a cluster per band (inside a cluster per pool), fixed-size nodes, no labels."""
        names = {member: f"n{i}" for i, member in enumerate(m for b in self.bands for m in b.members)}
        lines = [
            "digraph layout {",
            "  graph [rankdir=LR, newrank=true, nodesep=0.45, ranksep=0.6, splines=false];",
            "  node [shape=box, fixedsize=true, label=\"\"];",
        ]
        by_pool: dict[ElementId | None, list[_Band]] = {}
        for band in self.bands:
            by_pool.setdefault(band.pool_id, []).append(band)
        for index, (pool_id, bands) in enumerate(by_pool.items()):
            if pool_id is not None:
                lines.append(f"  subgraph cluster_pool_{index} {{")
            for band in bands:
                lines.append(f"    subgraph {band.key} {{")
                for member in band.members:
                    w, h = self.sizes[member]
                    lines.append(f"      {names[member]} [width={w / _POINTS_PER_INCH:.4f}, "
                                 f"height={h / _POINTS_PER_INCH:.4f}];")
                lines.append("    }")
            if pool_id is not None:
                lines.append("  }")
        host = {event: h for h, events in self.boundary.items() for event in events}
        for _flow, source, target in self.flows:
            tail, head = names.get(host.get(source, source)), names.get(host.get(target, target))
            if tail is not None and head is not None and tail != head:
                lines.append(f"  {tail} -> {head};")
        for _assoc, source, target in self.associations:
            tail, head = names.get(source), names.get(target)
            if tail is not None and head is not None:
                lines.append(f"  {tail} -> {head} [weight=0];")
        lines.append("}")
        return "\n".join(lines), names


def _leaf_chains(lanes: Sequence[Lane], above: tuple[Lane, ...] = ()) -> list[tuple[Lane, ...]]:
    """Every leaf lane with the lanes enclosing it, in document order."""
    chains: list[tuple[Lane, ...]] = []
    for lane in lanes:
        chain = (*above, lane)
        if lane.children:
            chains.extend(_leaf_chains(lane.children, chain))
        else:
            chains.append(chain)
    return chains


def _lane_shapes(
    band_boxes: Sequence[tuple[_Band, float, float]], width: float, pooled: bool
) -> list[PlannedShape]:
    """One shape per lane; a parent lane spans the bands of its children."""
    extent: dict[ElementId, tuple[int, float, float]] = {}
    order: list[ElementId] = []
    for band, top, height in band_boxes:
        for depth, lane in enumerate(band.lane_chain):
            if lane.id not in extent:
                extent[lane.id] = (depth, top, top + height)
                order.append(lane.id)
            else:
                d, start, _end = extent[lane.id]
                extent[lane.id] = (d, start, top + height)
    shapes = []
    base = _ORIGIN[0] + (_HEADER if pooled else 0.0)
    for lane_id in order:
        depth, top, bottom = extent[lane_id]
        x = base + depth * _HEADER
        shapes.append(PlannedShape(lane_id, Bounds(x, top, width - (x - _ORIGIN[0]), bottom - top),
                                   is_horizontal=True))
    return shapes


def _run_dot(source: str) -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """Node centres and cluster y ranges from ``dot -Tjson0``, y pointing down."""
    try:
        raw = graphviz.Source(source).pipe(format="json0", quiet=True)
    except graphviz.ExecutableNotFound:
        raise RenderError(say("layout.no_dot"), hint=_INSTALL_HINT) from None
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else str(exc.stderr)
        raise RenderError(say("layout.dot_failed", detail=stderr.strip() or exc), hint=_INSTALL_HINT) from None
    document = json.loads(raw)
    height = float(document["bb"].split(",")[3])
    nodes: dict[str, tuple[float, float]] = {}
    clusters: dict[str, tuple[float, float]] = {}
    for item in document.get("objects", []):
        name = item.get("name", "")
        if "pos" in item:
            x, y = (float(v) for v in item["pos"].split(","))
            nodes[name] = (x, height - y)
        elif "bb" in item:
            _x0, y0, _x1, y1 = (float(v) for v in item["bb"].split(","))
            clusters[name] = (height - y1, height - y0)
    return nodes, clusters


# --------------------------------------------------------------------------- routes


def _mid_right(b: Bounds) -> Point:
    return Point(b.x + b.width, b.y + b.height / 2)


def _mid_left(b: Bounds) -> Point:
    return Point(b.x, b.y + b.height / 2)


def _route(source: Bounds, target: Bounds, from_boundary: bool) -> tuple[Point, ...]:
    """Orthogonal route: right side to left side forwards, under both shapes for a loop back."""
    if from_boundary:  # leave downwards, then go round to the target's left side (or its bottom, behind)
        start = Point(source.x + source.width / 2, source.y + source.height)
        if target.x > start.x:
            end = _mid_left(target)
            if end.y >= start.y:
                return _dedupe((start, Point(start.x, end.y), end))
            below = start.y + 20
            middle = (start.x + end.x) / 2
            return _dedupe((start, Point(start.x, below), Point(middle, below), Point(middle, end.y), end))
        end = Point(target.x + target.width / 2, target.y + target.height)
        low = max(source.y + source.height, target.y + target.height) + 20
        return _dedupe((start, Point(start.x, low), Point(end.x, low), end))
    if target.x >= source.x + source.width:
        start, end = _mid_right(source), _mid_left(target)
        if abs(start.y - end.y) < 0.5:
            return (start, end)
        middle = (start.x + end.x) / 2
        return (start, Point(middle, start.y), Point(middle, end.y), end)
    if target.x + target.width <= source.x:
        low = max(source.y + source.height, target.y + target.height) + 20
        start = Point(source.x + source.width / 2, source.y + source.height)
        end = Point(target.x + target.width / 2, target.y + target.height)
        return (start, Point(start.x, low), Point(end.x, low), end)
    return _vertical(source, target)


def _vertical(source: Bounds, target: Bounds) -> tuple[Point, ...]:
    """Bottom to top (or top to bottom) with a horizontal middle leg: message flows and same-rank flows."""
    sx = source.x + source.width / 2
    tx = target.x + target.width / 2
    if target.y >= source.y + source.height:
        start, end = Point(sx, source.y + source.height), Point(tx, target.y)
    else:
        start, end = Point(sx, source.y), Point(tx, target.y + target.height)
    if abs(sx - tx) < 0.5:
        return (start, end)
    middle = (start.y + end.y) / 2
    return (start, Point(sx, middle), Point(tx, middle), end)


def _message_route(source: Bounds, target: Bounds, source_is_pool: bool, target_is_pool: bool) -> tuple[Point, ...]:
    """A message flow: straight down or up where a pool end lets it, else with a horizontal middle leg."""
    if target_is_pool and not source_is_pool:
        x = min(max(source.x + source.width / 2, target.x + 10), target.x + target.width - 10)
        target = Bounds(x - 1, target.y, 2, target.height)
    elif source_is_pool and not target_is_pool:
        x = min(max(target.x + target.width / 2, source.x + 10), source.x + source.width - 10)
        source = Bounds(x - 1, source.y, 2, source.height)
    return _vertical(source, target)


def _straight(source: Bounds, target: Bounds) -> tuple[Point, ...]:
    """Centre to centre, clipped to the two rectangles: associations are drawn dotted and straight."""
    a = Point(source.x + source.width / 2, source.y + source.height / 2)
    b = Point(target.x + target.width / 2, target.y + target.height / 2)
    return (_clip(a, b, source), _clip(b, a, target))


def _clip(inside: Point, towards: Point, box: Bounds) -> Point:
    dx, dy = towards.x - inside.x, towards.y - inside.y
    scales = []
    if dx:
        scales.append((box.width / 2) / abs(dx))
    if dy:
        scales.append((box.height / 2) / abs(dy))
    scale = min([*scales, 1.0])
    return Point(inside.x + dx * scale, inside.y + dy * scale)


def _dedupe(points: Iterable[Point]) -> tuple[Point, ...]:
    kept: list[Point] = []
    for point in points:
        if not kept or (abs(kept[-1].x - point.x) > 0.01 or abs(kept[-1].y - point.y) > 0.01):
            kept.append(point)
    if len(kept) == 1:
        kept.append(kept[0])
    return tuple(kept)


# --------------------------------------------------------------------------- writing


def add_layout(data: bytes, file: str) -> bytes:
    """The file with the planned diagrams added before any existing (empty) ``BPMNDiagram``.

    Raises :class:`~bpm.errors.BpmnParseError` for files the reader refuses,
    :class:`~bpm.errors.RenderError` when the file already has diagram
    interchange with shapes, when nothing can be laid out, or when Graphviz
    fails.
    """
    definitions = read_bpmn_bytes(data, file, max_bytes=max(len(data), 1))
    if not needs_layout(definitions):
        drawn = sum(len(d.shapes) for d in definitions.diagrams)
        raise RenderError(
            say("layout.already_drawn", count=drawn),
            file=file,
            hint=say("layout.already_drawn_hint"),
        )
    diagrams = plan_layout(definitions)
    if not diagrams:
        raise RenderError(say("layout.nothing"), file=file)
    document = XmlText.read(data, file)
    return document.patched(_edits(document, diagrams))


def _edits(document: XmlText, diagrams: Sequence[PlannedDiagram]) -> list[Edit]:
    root = document.root
    ids: set[str | None] = {e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    declared: list[tuple[str, str]] = []
    prefixes: dict[str, str] = {}
    for uri, preferred in ((BPMNDI_NS, "bpmndi"), (DC_NS, "dc"), (DI_NS, "di")):
        prefix, on_root = document.free_prefix(uri, preferred, tuple(prefixes.values()))
        prefixes[uri] = prefix
        if not on_root:
            declared.append((f"xmlns:{prefix}", uri))
    unit = document.unit
    indent = document.child_indent(root)
    in_file = frozenset(ids)
    blocks = [_diagram_xml(document, d, prefixes, ids, in_file, indent, unit) for d in diagrams]
    block = "".join(blocks)
    edits = []
    if declared:
        edits.append(document.add_attributes(root, declared))
    existing = next((c for c in root if c.tag == f"{{{BPMNDI_NS}}}BPMNDiagram"), None)
    if existing is not None:
        position = document.leading_space(existing)
        edits.append(Edit(position, position, block))
    else:
        edits.append(document.append_children(root, block))
    return edits


def _unique(base: str, ids: set[str | None]) -> str:
    candidate, number = base, 1
    while candidate in ids:
        number += 1
        candidate = f"{base}_{number}"
    ids.add(candidate)
    return candidate


def _num(value: float) -> str:
    """Coordinates rounded to whole pixels, as modelers write them."""
    return str(round(value))


def _diagram_xml(
    document: XmlText,
    diagram: PlannedDiagram,
    prefixes: Mapping[str, str],
    ids: set[str | None],
    in_file: frozenset[str | None],
    indent: str,
    unit: str,
) -> str:
    bpmndi, dc, di = prefixes[BPMNDI_NS], prefixes[DC_NS], prefixes[DI_NS]
    close = document.empty_close

    def line(depth: int, text: str) -> str:
        return document.line_break(indent + unit * depth) + text

    diagram_id = _unique(f"BPMNDiagram_{diagram.plane_element_id}", ids)
    plane_id = _unique(f"BPMNPlane_{diagram.plane_element_id}", ids)
    name = f" name={quote_attribute(diagram.name)}" if diagram.name else ""
    parts = [
        line(0, f"<{bpmndi}:BPMNDiagram id={quote_attribute(diagram_id)}{name}>"),
        line(1, f"<{bpmndi}:BPMNPlane id={quote_attribute(plane_id)} "
                f"bpmnElement={quote_attribute(diagram.plane_element_id)}>"),
    ]
    for shape in diagram.shapes:
        if shape.element_id not in in_file:
            continue
        flags = ""
        if shape.is_horizontal is not None:
            flags += f' isHorizontal="{str(shape.is_horizontal).lower()}"'
        if shape.is_expanded is not None:
            flags += f' isExpanded="{str(shape.is_expanded).lower()}"'
        shape_id = _unique(f"{shape.element_id}_di", ids)
        b = shape.bounds
        parts += [
            line(2, f"<{bpmndi}:BPMNShape id={quote_attribute(shape_id)} "
                    f"bpmnElement={quote_attribute(shape.element_id)}{flags}>"),
            line(3, f'<{dc}:Bounds x="{_num(b.x)}" y="{_num(b.y)}" width="{_num(b.width)}" '
                    f'height="{_num(b.height)}"{close}'),
            line(2, f"</{bpmndi}:BPMNShape>"),
        ]
    for edge in diagram.edges:
        if edge.element_id not in in_file:
            continue  # an element without an id in the file (the reader made one up) cannot be referenced
        edge_id = _unique(f"{edge.element_id}_di", ids)
        parts.append(line(2, f"<{bpmndi}:BPMNEdge id={quote_attribute(edge_id)} "
                             f"bpmnElement={quote_attribute(edge.element_id)}>"))
        parts += [line(3, f'<{di}:waypoint x="{_num(p.x)}" y="{_num(p.y)}"{close}') for p in edge.waypoints]
        parts.append(line(2, f"</{bpmndi}:BPMNEdge>"))
    parts += [line(1, f"</{bpmndi}:BPMNPlane>"), line(0, f"</{bpmndi}:BPMNDiagram>")]
    return "".join(parts)
