"""External labels (events, gateways, named flows) placed where nothing else is.

A label is tried at the places a modeler user would put it — under an event,
above or beside a gateway, just after the split along a flow, beside the
middle of a message flow — and takes the first that overlaps no shape, no
other label and no connector.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator

from flowgen.geometry import Box
from flowgen.layout import LABEL_FONT, Placement, content_area
from flowgen.route import Point
from flowgen.spec import EVENT_KINDS, GATEWAY_KINDS, FileSpec
from reports.text import measure_text, wrap_text

LINE_HEIGHT = 14.0
LABEL_WIDTH = 90.0
"""bpmn-js wraps external labels at 90 px."""


def label_size(text: str, width: float = LABEL_WIDTH) -> tuple[float, float]:
    """The label box as written to DI: its lines at ``width``, with room to spare for the viewer's own font.

    bpmn-js keeps a persisted label width and lays the text out again in it
    with the browser's font (Latin letters run wider than our estimate), so a
    box cut to our estimate can gain a line and grow into the shape below.
    Multi-line labels at the modeler's wrap width therefore keep its 90 px;
    others get 10 px of slack.
    """
    lines = wrap_text(text, width, LABEL_FONT)
    widest = max(measure_text(line, LABEL_FONT) for line in lines)
    if width == LABEL_WIDTH and len(lines) > 1:
        return (LABEL_WIDTH, LINE_HEIGHT * len(lines))
    return (min(LABEL_WIDTH, math.ceil(widest + 10)), LINE_HEIGHT * len(lines))


def label_sizes(text: str) -> list[tuple[float, float]]:
    """The label box at the modeler's wrap width, then narrower wraps (more lines) to fit tight spots."""
    sizes: list[tuple[float, float]] = []
    for width in (LABEL_WIDTH, 60.0, 40.0):
        size = label_size(text, width)
        if size not in sizes and size[0] <= LABEL_WIDTH + 2:
            sizes.append(size)
    return sizes


class _Space:
    """What is already on the page: shapes, labels, connector segments."""

    def __init__(self, shapes: Iterable[Box], segments: Iterable[tuple[Point, Point]]) -> None:
        self.shapes = [s.inflate(3) for s in shapes]
        self.labels: list[Box] = []
        self.segments = list(segments)

    def free(self, box: Box, area: Box) -> bool:
        if box.x < area.x or box.y < area.y or box.right > area.right or box.bottom > area.bottom:
            return False
        if any(box.overlaps(s) for s in self.shapes):
            return False
        if any(box.overlaps(other.inflate(2)) for other in self.labels):
            return False
        grown = box.inflate(2)
        return not any(grown.hit_by_segment(a, b) for a, b in self.segments)


def _segments(placement: Placement) -> list[tuple[Point, Point]]:
    found: list[tuple[Point, Point]] = []
    for points in placement.edges.values():
        found.extend(itertools.pairwise(points))
    return found


def _node_spots(b: Box, w: float, h: float) -> Iterator[Box]:
    yield Box(b.cx - w / 2, b.bottom + 5, w, h)
    yield Box(b.cx - w / 2, b.y - 5 - h, w, h)
    yield Box(b.right + 4, b.y - h - 4, w, h)
    yield Box(b.right + 4, b.bottom + 4, w, h)
    yield Box(b.x - w - 4, b.y - h - 4, w, h)
    yield Box(b.x - w - 4, b.bottom + 4, w, h)
    yield Box(b.right + 6, b.cy - h / 2, w, h)
    yield Box(b.x - w - 6, b.cy - h / 2, w, h)
    yield Box(b.cx - w / 2, b.bottom + 22, w, h)
    yield Box(b.cx - w / 2, b.y - 22 - h, w, h)


def _flow_spots(points: list[Point], w: float, h: float, *, middle_first: bool, lead: float = 0.0) -> Iterator[Box]:
    segments = list(itertools.pairwise(points))
    if middle_first:
        segments.sort(key=lambda s: -(abs(s[0][0] - s[1][0]) + abs(s[0][1] - s[1][1])))
    for (x1, y1), (x2, y2) in segments:
        if y1 == y2:
            start = x1 + 6 + lead if x2 > x1 else x1 - 6 - lead - w
            middle = (x1 + x2) / 2 - w / 2
            spots = [middle, start] if middle_first else [start, middle]
            for x in spots:
                yield Box(x, y1 - 3 - h, w, h)
                yield Box(x, y1 + 3, w, h)
        else:
            start = y1 + 4 + lead if y2 > y1 else y1 - 4 - lead - h
            middle = (y1 + y2) / 2 - h / 2
            spots = [middle, start] if middle_first else [start, middle]
            for y in spots:
                yield Box(x1 + 5, y, w, h)
                yield Box(x1 - 5 - w, y, w, h)


def _on(point: Point, path: list[Point]) -> bool:
    x, y = point
    for (x1, y1), (x2, y2) in itertools.pairwise(path):
        if x1 == x2 == x and min(y1, y2) <= y <= max(y1, y2):
            return True
        if y1 == y2 == y and min(x1, x2) <= x <= max(x1, x2):
            return True
    return False


def _after_trunk(path: list[Point], siblings: list[list[Point]]) -> list[Point]:
    """The part of a flow after the trunk it shares with flows from the same split, so its name is unambiguous."""
    if not siblings:
        return path
    for index, ((x1, y1), (x2, y2)) in enumerate(itertools.pairwise(path)):
        length = int(abs(x2 - x1) + abs(y2 - y1))
        for step in range(0, length + 1, 2):
            t = step / length if length else 0.0
            point = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t)
            if not any(_on(point, other) for other in siblings):
                start = (x1 + (x2 - x1) * max(0.0, t - 2 / max(length, 1)), y1 + (y2 - y1) * max(0.0, t - 2 / max(
                    length, 1)))
                return [start, *path[index + 1:]] if step else path[index:]
    return path


def _message_spots(path: list[Point], w: float, h: float, near_pool: bool) -> Iterator[Box]:
    """Beside the message flow just outside the black-box pool it meets, else along its longest segment."""
    if near_pool:
        (x1, y1), (x2, y2) = path[0], path[1]
        if x1 == x2:
            y = y1 + 6 if y2 > y1 else y1 - 6 - h
            yield Box(x1 + 5, y, w, h)
            yield Box(x1 - 5 - w, y, w, h)
    yield from _flow_spots(path, w, h, middle_first=True)


def _nearby(space: _Space, first: Box, area: Box) -> Box | None:
    """The free box closest to the preferred spot, searched on a 4 px grid up to 100 px away."""
    offsets = sorted(((dx, dy) for dx in range(-100, 101, 4) for dy in range(-100, 101, 4)),
                     key=lambda d: (abs(d[0]) + abs(d[1]), d))
    for dx, dy in offsets:
        box = Box(first.x + dx, first.y + dy, first.w, first.h)
        if space.free(box, area):
            return box
    return None


def place_labels(spec: FileSpec, placement: Placement) -> None:
    """Fill ``placement.labels`` for every named event, gateway, sequence flow and message flow."""
    node_ids = {n.id for p in spec.processes for n in p.nodes}
    shapes = [b for k, b in placement.shapes.items() if k in node_ids]
    shapes += [placement.shapes[p.id] for p in spec.pools if p.process is None]
    space = _Space(shapes, _segments(placement))
    whole = _page(spec, placement)
    for pool in spec.pools:
        process = pool.process
        if process is None:
            continue
        area = content_area(placement, spec, pool)
        for node in process.nodes:
            if not node.name or (node.kind not in EVENT_KINDS and node.kind not in GATEWAY_KINDS):
                continue
            reserved = placement.labels.get(node.id)
            if reserved is not None and space.free(reserved, area):
                space.labels.append(reserved)
                continue
            box = placement.shapes[node.id]
            _put(space, placement, node.id, (s for w, h in label_sizes(node.name) for s in _node_spots(box, w, h)),
                 area)
        for flow in process.flows:
            if flow.name:
                siblings = [placement.edges[f.id] for f in process.flows if f.source == flow.source and f is not flow]
                path = _after_trunk(placement.edges[flow.id], siblings)
                trimmed = path != placement.edges[flow.id]
                lead = 8.0 if trimmed else 0.0
                if trimmed and len(path) >= 3 and path[0][0] == path[1][0]:
                    path = path[1:]  # after a shared trunk, name the branch where it turns off toward its target
                _put(space, placement, flow.id, (s for w, h in label_sizes(flow.name)
                                                 for s in _flow_spots(path, w, h, middle_first=False, lead=lead)),
                     area)
    black_boxes = {p.id for p in spec.pools if p.process is None}
    for message in spec.messages:
        if message.name:
            path = placement.edges[message.id]
            if message.target in black_boxes:
                path = list(reversed(path))  # start the spots at the pool end
            near_pool = message.source in black_boxes or message.target in black_boxes
            _put(space, placement, message.id,
                 [s for w, h in label_sizes(message.name) for s in _message_spots(path, w, h, near_pool)], whole)


def _page(spec: FileSpec, placement: Placement) -> Box:
    pools = [placement.shapes[p.id] for p in spec.pools]
    left = min(b.x for b in pools) + 70
    return Box(left, min(b.y for b in pools) - 60, max(b.right for b in pools) - left,
               max(b.bottom for b in pools) - min(b.y for b in pools) + 120)


def _put(space: _Space, placement: Placement, element: str, spots: Iterable[Box], area: Box) -> None:
    candidates = list(spots)
    chosen = next((box for box in candidates if space.free(box, area)), None)
    if chosen is None:
        chosen = _nearby(space, candidates[0], area)
    if chosen is None:
        raise RuntimeError(f"no free place for the label of {element}: move a step or shorten the name")
    rounded = Box(round(chosen.x), round(chosen.y), chosen.w, chosen.h)
    placement.labels[element] = rounded
    space.labels.append(rounded)
