"""Place a flow file the way a modeler user lays one out.

* **Columns by flow order.**  Loops are found by a depth-first walk from the
  start events (a flow back to a node still on the walk is a rework loop); the
  remaining flows form a DAG and every node goes in the column after its
  latest predecessor (longest path).  A message flow between two drawn pools
  puts its receiver in a later column than its sender, so hand-offs run down
  the page through the gap beside the sender.
* **Rows by lane.**  Each lane holds as many rows (tracks) as it needs.  The
  main path — the default flow out of every decision, else the first flow — is
  placed first, so it runs along the top row of each lane; a branch takes the
  next free row of its column.  Cells a long straight flow runs through are
  kept free.
* **Lanes sized to content**: a lane is as tall as its rows, pools as wide as
  the widest row of columns.
* Connectors are routed by :mod:`flowgen.route`; labels by :mod:`flowgen.labels`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import networkx as nx

from flowgen.geometry import BLACK_BOX_HEIGHT, Box, size_of
from flowgen.route import End, Point, Router
from flowgen.spec import GATEWAY_KINDS, FileSpec, Flow, Node, Pool, ProcessSpec, Spacing
from reports.text import measure_text

X0, Y0 = 160.0, 80.0
POOL_HEADER = 30.0
LANE_HEADER = 30.0
PAD_LEFT, PAD_RIGHT = 40.0, 30.0
TRACK_HEIGHT = 100.0
"""Height of one row of a lane: an 80-unit task and a connector's margin above and below it."""
COLUMN_GAP = 40.0
POOL_GAP = 30.0
VIEW_GAP = 200.0
"""Distance between the diagrams of one file (:attr:`FileSpec.views`): each is drawn in its own BPMNDiagram,
below the previous one, so no two share a coordinate."""
LABEL_FONT = 11.0
BOUNDARY_ROOM = 40.0
"""Extra height under a lane whose bottom row holds an activity with a boundary event (room for its flow)."""
HEADER_FONT = 11.0
"""Size a lane or pool name must keep in its header band: the smallest label the diagram draws anyway, so a
long name such as 国保システム（資格・賦課） never becomes the label that sets the printed scale."""
HEADER_ROOM = 16.0
"""Band length a header name needs beyond its own width (the renderer keeps 5 units clear at both ends)."""


@dataclass
class Placement:
    """Everything the writer needs: bounds of shapes and labels, waypoints of connectors."""

    shapes: dict[str, Box] = field(default_factory=dict)
    """Nodes, lanes and pools by element id."""
    edges: dict[str, list[Point]] = field(default_factory=dict)
    """Sequence and message flows by id."""
    labels: dict[str, Box] = field(default_factory=dict)
    """External labels (events, gateways, named flows) by element id."""
    columns: dict[str, int] = field(default_factory=dict)
    tracks: dict[str, int] = field(default_factory=dict)


def layout_views(spec: FileSpec) -> list[tuple[FileSpec, Placement]]:
    """One (part of the file, its coordinates) per diagram: the whole file, or each of ``spec.views``.

    A view holds its pools and the message flows between them; views are laid out one below the other.
    """
    if not spec.views:
        return [(spec, layout(spec))]
    by_id = {pool.id: pool for pool in spec.pools}
    result: list[tuple[FileSpec, Placement]] = []
    top = Y0
    for group in spec.views:
        pools = tuple(by_id[pool_id] for pool_id in group)
        nodes = {pool.id for pool in pools} | {n.id for pool in pools if pool.process for n in pool.process.nodes}
        messages = tuple(m for m in spec.messages if m.source in nodes and m.target in nodes)
        view = replace(spec, pools=pools, messages=messages, views=())
        placement = layout(view, top=top)
        result.append((view, placement))
        top = max(box.bottom for box in placement.shapes.values()) + VIEW_GAP
    drawn = [m.id for view, _ in result for m in view.messages]
    if sorted(drawn) != sorted(m.id for m in spec.messages):
        raise ValueError(f"{spec.file}: every message flow must join two pools of one view")
    return result


def layout(spec: FileSpec, *, top: float = Y0) -> Placement:
    """Coordinates for every shape, connector and label of ``spec`` (its pools from ``top`` down)."""
    from flowgen.labels import place_labels

    back = {f.id for p in spec.processes for f in back_flows(p)}
    columns = _columns(spec, back)
    tracks = _tracks(spec, columns, back)
    placement = Placement(columns=columns, tracks=tracks)
    _geometry(spec, columns, tracks, placement, top)
    _route(spec, back, placement)
    place_labels(spec, placement)
    return placement


# --------------------------------------------------------------------------- columns


def _layout_source(process: ProcessSpec, node_id: str) -> str:
    """A boundary event's flows leave from its host, as far as columns are concerned."""
    node = process.node(node_id)
    return node.attached_to or node_id


def _ordered_out(process: ProcessSpec) -> dict[str, list[Flow]]:
    """Outgoing flows per node, the main one first: a gateway's default, then document order; boundary last."""
    out: dict[str, list[Flow]] = defaultdict(list)
    for flow in process.flows:
        out[flow.source].append(flow)
    ordered: dict[str, list[Flow]] = {}
    for node in process.nodes:
        if node.kind == "boundaryEvent":
            continue
        flows = list(out.get(node.id, []))
        if node.default is not None:
            flows.sort(key=lambda f: f.id != node.default)
        for boundary in process.nodes:
            if boundary.attached_to == node.id:
                flows.extend(out.get(boundary.id, []))
        ordered[node.id] = flows
    return ordered


def _starts(process: ProcessSpec) -> list[str]:
    targets = {f.target for f in process.flows}
    first = [n.id for n in process.nodes if n.kind == "startEvent"]
    rest = [n.id for n in process.nodes if n.id not in targets and n.kind != "boundaryEvent" and n.id not in first]
    return first + rest


def back_flows(process: ProcessSpec) -> list[Flow]:
    """Flows that close a loop: they go back to a node still on the depth-first walk from the starts."""
    out = _ordered_out(process)
    state: dict[str, int] = {}
    back: list[Flow] = []
    for start in [*_starts(process), *(n.id for n in process.nodes if n.kind != "boundaryEvent")]:
        if start in state:
            continue
        stack: list[tuple[str, Iterator[Flow]]] = [(start, iter(out.get(start, [])))]
        state[start] = 1
        while stack:
            node, flows = stack[-1]
            flow = next(flows, None)
            if flow is None:
                state[node] = 2
                stack.pop()
                continue
            target = flow.target
            if state.get(target) == 1:
                back.append(flow)
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(out.get(target, []))))
    return back


def _columns(spec: FileSpec, back: set[str]) -> dict[str, int]:
    graph = nx.DiGraph()
    owner: dict[str, ProcessSpec] = {}
    order: dict[str, tuple[int, int]] = {}
    for p_index, process in enumerate(spec.processes):
        for n_index, node in enumerate(process.nodes):
            owner[node.id] = process
            order[node.id] = (p_index, n_index)
            if node.kind != "boundaryEvent":
                graph.add_node(node.id)
        for flow in process.flows:
            if flow.id in back:
                continue
            graph.add_edge(_layout_source(process, flow.source), flow.target, weight=1)
    for message in spec.messages:
        if message.source in graph and message.target in graph and not graph.has_edge(message.source,
                                                                                     message.target):
            graph.add_edge(message.source, message.target, weight=1)
            if not nx.is_directed_acyclic_graph(graph):
                graph.remove_edge(message.source, message.target)
    columns: dict[str, int] = {}
    for node_id in nx.lexicographical_topological_sort(graph, key=lambda n: order[n]):
        column = max((columns[u] + graph[u][node_id]["weight"] for u in graph.predecessors(node_id)), default=0)
        hint = owner[node_id].node(node_id).min_col
        columns[node_id] = max(column, hint or 0)
    for process in spec.processes:
        for node in process.nodes:
            if node.attached_to:
                columns[node.id] = columns[node.attached_to]
    return columns


# --------------------------------------------------------------------------- tracks


def _lane_key(process: ProcessSpec, node: Node) -> str:
    return node.lane or process.id


class _TrackPlacer:
    """Rows inside lanes, main path first (see the module docstring)."""

    def __init__(self, columns: dict[str, int], back: set[str]) -> None:
        self.columns = columns
        self.back = back
        self.tracks: dict[str, int] = {}
        self.taken: set[tuple[str, int, int]] = set()

    def run(self, process: ProcessSpec) -> None:
        out = _ordered_out(process)
        forward_in: dict[str, list[str]] = defaultdict(list)
        for flow in process.flows:
            if flow.id not in self.back:
                forward_in[flow.target].append(_layout_source(process, flow.source))
        boundary_of = {n.id for n in process.nodes if n.attached_to}
        for start in _starts(process):
            if start in self.tracks:
                continue
            self._place(process, out, forward_in, start, None, False)
            stack: list[tuple[str, Iterator[Flow]]] = [(start, iter(out.get(start, [])))]
            while stack:
                node_id, flows = stack[-1]
                following = next(flows, None)
                if following is None:
                    stack.pop()
                    continue
                if following.id in self.back or following.target in self.tracks:
                    continue
                self._place(process, out, forward_in, following.target, node_id, following.source in boundary_of)
                stack.append((following.target, iter(out.get(following.target, []))))
        for node in process.nodes:
            if node.attached_to:
                self.tracks[node.id] = self.tracks[node.attached_to]
            elif node.id not in self.tracks:
                self._place(process, out, forward_in, node.id, None, False)

    def _place(self, process: ProcessSpec, out: dict[str, list[Flow]], forward_in: dict[str, list[str]],
               node_id: str, via: str | None, via_boundary: bool) -> None:
        node = process.node(node_id)
        lane, column = _lane_key(process, node), self.columns[node_id]
        tracks = self.tracks
        if node.track is not None:
            preferred = node.track
        else:
            preferred = 0
            same_lane = [u for u in forward_in[node_id] if u in tracks and _lane_key(process, process.node(u)) == lane]
            if via is not None and via in tracks and _lane_key(process, process.node(via)) == lane:
                preferred = tracks[via] + (1 if via_boundary else 0)
            elif same_lane:
                preferred = min(tracks[u] for u in same_lane)
        track = preferred
        while (lane, column, track) in self.taken:
            if node.track is not None:
                raise ValueError(f"{node_id}: track {node.track} of column {column} is taken")
            track += 1
        tracks[node_id] = track
        self.taken.add((lane, column, track))
        neighbours = [f.target for f in out.get(node_id, []) if f.id not in self.back] + forward_in[node_id]
        for other in neighbours:
            if other not in tracks or process.node(other).attached_to:
                continue
            if _lane_key(process, process.node(other)) != lane or tracks[other] != track:
                continue
            low, high = sorted((column, self.columns[other]))
            for between in range(low + 1, high):
                self.taken.add((lane, between, track))


def _tracks(spec: FileSpec, columns: dict[str, int], back: set[str]) -> dict[str, int]:
    placer = _TrackPlacer(columns, back)
    for process in spec.processes:
        placer.run(process)
    return placer.tracks


# --------------------------------------------------------------------------- coordinates


def _spacing(spec: FileSpec) -> Spacing:
    """The file's own row height and column gap, else the defaults."""
    own = spec.spacing
    return Spacing(own.track_height or TRACK_HEIGHT, own.column_gap or COLUMN_GAP)


def _column_gaps(spec: FileSpec, columns: dict[str, int], count: int) -> list[float]:
    """Gap after each column: wider after a split whose flows carry names, so the names fit."""
    gaps = [_spacing(spec).column_gap or COLUMN_GAP] * count
    for process in spec.processes:
        for node in process.nodes:
            if node.kind not in GATEWAY_KINDS:
                continue
            names = [f.name for f in process.flows if f.source == node.id and f.name]
            if names:
                need = max(measure_text(n, LABEL_FONT) for n in names) + 30
                column = columns[node.id]
                gaps[column] = max(gaps[column], min(need, 130.0))
    return gaps


def _geometry(spec: FileSpec, columns: dict[str, int], tracks: dict[str, int], placement: Placement,
              top: float) -> None:
    count = max(columns.values(), default=0) + 1
    widths = [0.0] * count
    for process in spec.processes:
        for node in process.nodes:
            if not node.attached_to:
                widths[columns[node.id]] = max(widths[columns[node.id]], size_of(node.kind)[0])
    gaps = _column_gaps(spec, columns, count)
    has_lanes = any(p.lanes for p in spec.processes)
    left = X0 + POOL_HEADER + (LANE_HEADER if has_lanes else 0.0) + PAD_LEFT
    column_x: list[float] = []
    for index in range(count):
        column_x.append(left)
        left += widths[index] + gaps[index]
    pool_width = column_x[-1] + widths[-1] + PAD_RIGHT - X0
    y = top
    track = _spacing(spec).track_height or TRACK_HEIGHT
    for pool in spec.pools:
        if pool.process is None:
            placement.shapes[pool.id] = Box(X0, y, pool_width, BLACK_BOX_HEIGHT)
            y += BLACK_BOX_HEIGHT + POOL_GAP
            continue
        y = _place_pool(pool, pool.process, y, track, pool_width, column_x, widths, columns, tracks, placement)
        y += POOL_GAP


def header_length(name: str) -> float:
    """Length of header band a lane or pool name needs to stay on one line at :data:`HEADER_FONT`.

    Rounded up to whole tens: coordinates stay round numbers, which the router's grid relies on.
    """
    if not name.strip():
        return 0.0
    return math.ceil((measure_text(name.strip(), HEADER_FONT) + HEADER_ROOM) / 10.0) * 10.0


def _place_pool(pool: Pool, process: ProcessSpec, y: float, track: float, pool_width: float, column_x: list[float],
                widths: list[float], columns: dict[str, int], tracks: dict[str, int], placement: Placement) -> float:
    lane_ids = [lane.id for lane in process.lanes] or [process.id]
    rows: dict[str, int] = defaultdict(int)
    for node in process.nodes:
        key = _lane_key(process, node)
        rows[key] = max(rows[key], tracks[node.id] + 1)
    top = y
    lane_top: dict[str, float] = {}
    hosts = {n.attached_to for n in process.nodes if n.attached_to}
    names = {lane.id: lane.name for lane in process.lanes}
    for position, lane_id in enumerate(lane_ids):
        height = max(1, rows[lane_id]) * track
        if any(n.id in hosts and _lane_key(process, n) == lane_id and tracks[n.id] == rows[lane_id] - 1
               for n in process.nodes):
            height += BOUNDARY_ROOM
        height = max(height, header_length(names.get(lane_id, "")))
        if position == len(lane_ids) - 1:  # the pool's own name runs along all its lanes
            height = max(height, header_length(pool.name) - (y - top))
        lane_top[lane_id] = y
        if process.lanes:
            placement.shapes[lane_id] = Box(X0 + POOL_HEADER, y, pool_width - POOL_HEADER, height)
        y += height
    placement.shapes[pool.id] = Box(X0, top, pool_width, y - top)
    for node in process.nodes:
        if node.attached_to:
            continue
        w, h = size_of(node.kind)
        column = columns[node.id]
        cx = column_x[column] + widths[column] / 2
        cy = lane_top[_lane_key(process, node)] + tracks[node.id] * track + track / 2
        placement.shapes[node.id] = Box(cx - w / 2, cy - h / 2, w, h)
    on_host: dict[str, int] = defaultdict(int)
    for node in process.nodes:
        if node.attached_to:
            host = placement.shapes[node.attached_to]
            w, h = size_of(node.kind)
            index = on_host[node.attached_to]
            on_host[node.attached_to] += 1
            cx = host.x + host.w * 0.75 - index * 40
            placement.shapes[node.id] = Box(cx - w / 2, host.bottom - h / 2, w, h)
    return y


# --------------------------------------------------------------------------- connectors


_OUT = {"R": 0.0, "D": 15.0, "U": 15.0, "L": 200.0}
_IN = {"L": 0.0, "U": 15.0, "D": 15.0, "R": 200.0}
_GATEWAY_OUT = {"R": 0.0, "D": 5.0, "U": 5.0, "L": 200.0}
_GATEWAY_IN = {"L": 0.0, "U": 10.0, "D": 10.0, "R": 200.0}
_LOOP_OUT = {"U": 0.0, "D": 0.0, "R": 40.0, "L": 200.0}
_LOOP_IN = {"U": 0.0, "D": 0.0, "L": 40.0, "R": 200.0}


def content_area(placement: Placement, spec: FileSpec, pool: Pool) -> Box:
    """Where a pool's sequence flows may run: inside the pool, right of the headers."""
    box = placement.shapes[pool.id]
    has_lanes = any(p.lanes for p in spec.processes)
    inset = POOL_HEADER + (LANE_HEADER if has_lanes else 0.0) + 8
    return Box(box.x + inset, box.y + 4, box.w - inset - 4, box.h - 8)


def _route(spec: FileSpec, back: set[str], placement: Placement) -> None:
    node_ids = {n.id for p in spec.processes for n in p.nodes}
    obstacles = {k: v for k, v in placement.shapes.items() if k in node_ids}
    obstacles.update({p.id: placement.shapes[p.id] for p in spec.pools if p.process is None})
    obstacles.update(_boundary_labels(spec, placement))
    router = Router(obstacles)
    columns = placement.columns
    for pool in spec.pools:
        process = pool.process
        if process is None:
            continue
        area = content_area(placement, spec, pool)
        hosts = {n.attached_to for n in process.nodes if n.attached_to}
        index = {f.id: i for i, f in enumerate(process.flows)}
        main = {flows[0].id for flows in _ordered_out(process).values() if flows}
        order = sorted(process.flows, key=lambda f: (f.id in back, columns[_layout_source(process, f.source)],
                                                     f.id not in main, index[f.id]))
        for flow in order:
            source, target = process.node(flow.source), process.node(flow.target)
            if source.attached_to:
                out = {"D": 0.0}
            elif flow.id in back:
                out = _LOOP_OUT
            else:
                out = dict(_GATEWAY_OUT if source.kind in GATEWAY_KINDS else _OUT)
                if source.id in hosts:
                    out["D"] += 100.0  # keep clear of the boundary event on the bottom edge
            into = _LOOP_IN if flow.id in back else _GATEWAY_IN if target.kind in GATEWAY_KINDS else _IN
            placement.edges[flow.id] = router.route(
                flow.id, End(source.id, placement.shapes[source.id], dict(out)),
                End(target.id, placement.shapes[target.id], dict(into)), area)
    whole = _whole_area(placement, spec)
    node_pool = {n.id: pool for pool in spec.pools if pool.process for n in pool.process.nodes}
    for message in spec.messages:
        start = _message_end(message.source, message.target, placement, node_pool)
        goal = _message_end(message.target, message.source, placement, node_pool)
        placement.edges[message.id] = router.route(message.id, start, goal, whole)


def _boundary_labels(spec: FileSpec, placement: Placement) -> dict[str, Box]:
    """Room for each boundary event's name, right of it below the activity, kept free of connectors.

    The event's own flow leaves from its bottom, so beside it, under the activity's edge, is where a
    modeler user puts the name; reserving it before routing keeps loops that
    pass under the activity from running through it.
    """
    from flowgen.labels import label_size

    reserved: dict[str, Box] = {}
    for process in spec.processes:
        for node in process.nodes:
            if node.attached_to and node.name:
                b = placement.shapes[node.id]
                w, h = label_size(node.name)
                box = Box(b.right + 5, b.cy + 4, w, h)
                reserved[f"{node.id}__label"] = box
                placement.labels[node.id] = box
    return reserved


def _whole_area(placement: Placement, spec: FileSpec) -> Box:
    pools = [placement.shapes[p.id] for p in spec.pools]
    top = min(b.y for b in pools) - POOL_GAP
    bottom = max(b.bottom for b in pools) + POOL_GAP
    has_lanes = any(p.lanes for p in spec.processes)
    x = X0 + POOL_HEADER + (LANE_HEADER if has_lanes else 0.0) + 8
    right = max(b.right for b in pools) - 4
    return Box(x, top, right - x, bottom - top)


def _message_end(element: str, other: str, placement: Placement, node_pool: dict[str, Pool]) -> End:
    """A message flow end: a node (top or bottom towards the other end, sides allowed) or a pool border."""
    box = placement.shapes[element]
    below = placement.shapes[other].cy > box.cy
    if element in node_pool:
        toward, away = ("D", "U") if below else ("U", "D")
        return End(element, box, {toward: 0.0, "L": 200.0, "R": 200.0, away: 250.0}, offsets=True)
    return End(element, box, {"D" if below else "U": 0.0}, border=True)
