"""Connectors of a BPMN diagram along their waypoints: sequence flows, message flows, associations.

Arrowheads, the default-flow slash and the conditional diamond, the
message envelope and name halfway along, and flow labels where bpmn-js
puts them; each connector is one group of :class:`~reports.svg_canvas.Canvas`.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from bpm.model import (
    Association,
    AssociationKind,
    Bounds,
    Category,
    Edge,
    FlowNode,
    MessageFlow,
    MessageVisibleKind,
    Point,
    SequenceFlow,
)
from reports.glyphs import arrowhead, num, open_arrow, placed, pts, sub
from reports.overlay import Overlay
from reports.svg_canvas import EXTERNAL_LABEL_WIDTH, LABEL_FONT, Canvas, Drawable, capped
from reports.text import wrap_text

_MESSAGE_FONT = 12.0
"""Message names under a message flow's envelope (bpmn-js draws them in its default 12 px)."""
_MESSAGE_WIDTH = 150.0
"""…wrapped at bpmn-js's default text box width."""


def _unit(a: Point, b: Point) -> tuple[float, float]:
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy)
    if length == 0:
        return (1.0, 0.0)
    return (dx / length, dy / length)


def _end_segment(points: Sequence[Point], at_start: bool) -> tuple[Point, tuple[float, float]]:
    """Endpoint and the unit vector pointing *into* it along the last non-empty segment."""
    seq = list(points) if not at_start else list(reversed(points))
    tip = seq[-1]
    for previous in reversed(seq[:-1]):
        if (previous.x, previous.y) != (tip.x, tip.y):
            return tip, _unit(previous, tip)
    return tip, (1.0, 0.0)


def _midpoint(points: Sequence[Point]) -> Point:
    """The point halfway along a polyline."""
    lengths = [math.hypot(b.x - a.x, b.y - a.y) for a, b in itertools.pairwise(points)]
    half = sum(lengths) / 2
    for (a, b), length in zip(itertools.pairwise(points), lengths, strict=True):
        if half <= length and length > 0:
            t = half / length
            return Point(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
        half -= length
    return points[len(points) // 2]


def _flow_label_position(points: Sequence[Point]) -> tuple[float, float]:
    """Where bpmn-js centres a flow's label when the file gives no label bounds.

    The middle of the middle segment, moved 15 right of a vertical segment
    and 15 up from any other.
    """
    middle = len(points) / 2 - 1
    first, second = points[math.floor(middle)], points[math.ceil(middle + 0.01)]
    x, y = (first.x + second.x) / 2, (first.y + second.y) / 2
    return (x + 15, y) if first.x == second.x else (x, y - 15)



class EdgePainter(Canvas):
    """Draws the connectors of a diagram (see the module docstring)."""

    def _edge(self, edge: Edge, element: Drawable) -> None:
        start = len(self.body)
        self._draw_edge(edge, element)
        self._colour(start, edge.colours)

    def _draw_edge(self, edge: Edge, element: Drawable) -> None:
        points = edge.waypoints
        for p in points:
            self.extent.add(p.x, p.y)
        if isinstance(element, SequenceFlow):
            self._sequence_flow(edge, element)
        elif isinstance(element, MessageFlow):
            self._message_flow(edge, element)
        elif isinstance(element, Association):
            self._association(edge, element)
        else:  # an edge that names a node or pool: not drawable
            self.skipped.append(edge.element_id)

    def _polyline(self, group: ET.Element, points: Sequence[Point], css: str) -> None:
        d = "M" + " L".join(f"{num(p.x)},{num(p.y)}" for p in points)
        sub(group, "path", {"class": css, "d": d})

    def _sequence_flow(self, edge: Edge, flow: SequenceFlow) -> None:
        source = self.index.lookup(flow.source_id)
        is_default = flow.is_default or (isinstance(source, FlowNode) and source.default_flow == flow.id)
        conditional = (
            not is_default
            and flow.condition is not None
            and isinstance(source, FlowNode)
            and source.category is Category.ACTIVITY
        )
        classes = ["bpmn-connector", "bpmn-sequenceFlow"]
        if is_default:
            classes.append("bpmn-default")
        if conditional:
            classes.append("bpmn-conditional")
        group, overlay = self._group(flow, classes)
        points = edge.waypoints
        self._polyline(group, points, "b-flow")
        tip, (ux, uy) = _end_segment(points, at_start=False)
        arrowhead(group, tip, (ux, uy), "b-fill")
        start, (sx, sy) = _end_segment(points, at_start=True)
        ox, oy = -sx, -sy  # unit vector pointing away from the source along the first segment
        if is_default:
            mx, my = start.x + ox * 10, start.y + oy * 10
            nx, ny = -oy, ox
            a = (mx - nx * 5 - ox * 3, my - ny * 5 - oy * 3)
            c = (mx + nx * 5 + ox * 3, my + ny * 5 + oy * 3)
            sub(group, "path", {"class": "b-line", "d": f"M{pts([a])} L{pts([c])}"})
        if conditional:
            nx, ny = -oy, ox
            diamond = [
                (start.x, start.y),
                (start.x + ox * 8 + nx * 5, start.y + oy * 8 + ny * 5),
                (start.x + ox * 16, start.y + oy * 16),
                (start.x + ox * 8 - nx * 5, start.y + oy * 8 - ny * 5),
            ]
            sub(group, "polygon", {"class": "b-hollow", "points": pts(diamond)})
        self._edge_label(group, flow.name, edge)
        self._decorate_edge(group, overlay, edge)

    def _message_flow(self, edge: Edge, flow: MessageFlow) -> None:
        group, overlay = self._group(flow, ["bpmn-connector", "bpmn-messageFlow"])
        points = edge.waypoints
        self._polyline(group, points, "b-flow b-message")
        start, (sx, sy) = _end_segment(points, at_start=True)
        sub(group, "circle", {"class": "b-hollow", "cx": start.x - sx * 4, "cy": start.y - sy * 4, "r": 4})
        tip, direction = _end_segment(points, at_start=False)
        arrowhead(group, tip, direction, "b-hollow")
        self._edge_label(group, flow.name, edge)
        if flow.message_ref is not None:
            self._message_envelope(group, flow, edge)
        self._decorate_edge(group, overlay, edge)

    def _message_envelope(self, group: ET.Element, flow: MessageFlow, edge: Edge) -> None:
        """The message a flow carries, as bpmn-js draws it: an envelope halfway along, its name below.

        bpmn-js draws it for every flow whose ``messageRef`` names a message:
        dark when the edge says ``non_initiating``, otherwise white (the DI
        schema's default is ``initiating``).
        """
        mid = _midpoint(edge.waypoints)
        initiating = edge.message_visible_kind is not MessageVisibleKind.NON_INITIATING  # the schema's default
        g = placed(group, mid.x, mid.y, marker="message-initiating" if initiating else "message-non-initiating")
        body, flap = ("b-hollow b-thin", "b-line b-thin") if initiating else ("b-fill", "b-knock")
        sub(g, "rect", {"class": body, "x": -10.5, "y": -7, "width": 21, "height": 14})
        sub(g, "path", {"class": flap, "d": "M-10.5,-7 L0,-1 L10.5,-7"})
        self.extent.add(mid.x - 10.5, mid.y - 7, 21, 14)
        name = flow.message_name
        if name.strip():
            lines, full = capped(name, wrap_text(name, _MESSAGE_WIDTH, _MESSAGE_FONT), _MESSAGE_WIDTH, _MESSAGE_FONT)
            self._text(group, lines, mid.x, mid.y + 12, _MESSAGE_FONT, full_text=full, css="b-label b-message-name")

    def _association(self, edge: Edge, association: Association) -> None:
        classes = ["bpmn-connector", f"bpmn-{association.kind.value}"]
        group, overlay = self._group(association, classes)
        points = edge.waypoints
        self._polyline(group, points, "b-flow b-assoc")
        data = association.kind is not AssociationKind.ASSOCIATION
        if data or association.direction in ("One", "Both"):
            tip, direction = _end_segment(points, at_start=False)
            open_arrow(group, tip, direction)
        if not data and association.direction == "Both":
            tip, direction = _end_segment(points, at_start=True)
            open_arrow(group, tip, direction)
        self._decorate_edge(group, overlay, edge)

    def _edge_label(self, group: ET.Element, text: str, edge: Edge) -> None:
        if not text.strip():
            return
        if edge.label is not None:
            self._di_label(group, text, edge.label)
            return
        x, y = _flow_label_position(edge.waypoints)
        self._free_label(group, text, x, y - 10, EXTERNAL_LABEL_WIDTH, LABEL_FONT)

    def _decorate_edge(self, group: ET.Element, overlay: Overlay | None, edge: Edge) -> None:
        if overlay is None or not (overlay.badge or overlay.finding):
            return
        mid = _midpoint(edge.waypoints)
        self._decorate(group, overlay, Bounds(mid.x - 10, mid.y, 20, 0))
