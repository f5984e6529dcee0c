"""Draw a BPMN diagram as SVG at the coordinates the modeler chose.

Staff recognise *their* diagram, so we never re-layout when the file carries
diagram interchange (DI): every shape is painted where its ``BPMNShape`` says,
every connector along its ``BPMNEdge`` waypoints.  Files without DI are the
graphviz renderer's job; here they raise :class:`~bpm.errors.RenderError`.

The SVG is built with :mod:`xml.etree.ElementTree`, so every name from a file is
escaped by the writer, never by us.  Output is deterministic (document order,
numbers with at most two decimals) so golden files stay stable.  Each drawn
element is a ``<g data-element-id=…>`` with kind classes, which is where the
annotation overlay (:class:`~reports.overlay.Overlay`) hooks in; each marker
group names what it shows in ``data-marker`` (bpmn-js's names), so the
drawing can be checked against bpmn-js (``tests/reports/test_svg_vs_bpmnjs.py``).

The reference for *how* things look is bpmn-js, what bpmn.io and Camunda
Modeler draw with: its markers (collection |||, data input/output arrows,
message envelopes, ⊞ on call activities), label placement and colours.  The
modeler's colours (``bioc:*``, ``color:*``) are painted as bpmn-js paints them,
with one exception: in an annotated diagram (``overlays`` given) fill is the
disposition's channel, so file *fills* are left out there and only strokes and
text colours are kept; an overlay's own fill always wins on its element.
Labels stay inside their shapes: wrapped, then shrunk to 75 %, then cut with an
ellipsis, the full text kept as the label's tooltip.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bpm.errors import RenderError, say
from bpm.model import (
    Artifact,
    ArtifactKind,
    Association,
    AssociationKind,
    Bounds,
    Category,
    Definitions,
    Diagram,
    DiColours,
    Edge,
    ElementId,
    EventKind,
    FlowNode,
    GatewayKind,
    Lane,
    LoopKind,
    MessageFlow,
    MessageVisibleKind,
    Participant,
    Point,
    Process,
    ProcessId,
    SequenceFlow,
    Shape,
    TaskKind,
)
from reports.glyphs import Attr as _Attr
from reports.glyphs import (
    arrowhead,
    bottom_marker,
    data_object,
    data_store,
    event_marker,
    gateway_marker,
    open_arrow,
    placed,
    task_marker,
)
from reports.glyphs import num as _num
from reports.glyphs import pts as _pts
from reports.glyphs import sub as _sub
from reports.overlay import Overlay
from reports.palette import Palette, apply_palette
from reports.text import LINE_HEIGHT, FittedText, fit_text, measure_text, wrap_text

__all__ = [
    "FONT_FAMILY",
    "Overlay",
    "RenderResult",
    "check_di",
    "dom_id",
    "render_all",
    "render_diagram",
    "render_svg",
]

FONT_FAMILY = '"Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif'
"""Font stack that has Japanese glyphs on Linux, macOS and Windows."""

_MARGIN = 20.0
_TASK_FONT = 12.0
_LABEL_FONT = 11.0
_LINE_HEIGHT = LINE_HEIGHT
_MIN_FONT = 0.75
"""Labels shrink to this share of their font size before they are cut short with an ellipsis."""
_MAX_EXTERNAL_LINES = 6
"""External labels (events, gateways, data, flows) have no shape to fit; this many lines at most."""
_MESSAGE_FONT = 12.0
"""Message names under a message flow's envelope (bpmn-js draws them in its default 12 px)."""
_MESSAGE_WIDTH = 150.0
"""…wrapped at bpmn-js's default text box width."""
_EXTERNAL_LABEL_WIDTH = 90.0
_HEADER = 30.0
_HEADER_MIN = 20.0
"""A pool header band narrower than this cannot hold a line of text; the name then uses :data:`_HEADER`."""
_MARKER_BAND = 28.0
"""Depth of the task-type icon band: icons reach 26 units down, plus a gap so glyphs stay clear."""
_BOTTOM_BAND = 20.0
"""Depth of the loop / multi-instance / ⊞ marker row at the bottom of an activity."""
_FINDING_RADIUS = 8.0
_BADGE_GAP = 2.0
_INK = "#1f1f1f"

_CSS = f"""
.bpmn-diagram {{ font-family: {FONT_FAMILY}; }}
.bpmn-diagram text {{ fill: {_INK}; }}
.bpmn-diagram .b-body {{ fill: #fff; stroke: {_INK}; stroke-width: 1.5; }}
.bpmn-diagram .b-lane {{ fill: none; stroke: {_INK}; stroke-width: 1; }}
.bpmn-diagram .b-pool {{ fill: #fff; stroke: {_INK}; stroke-width: 1.5; }}
.bpmn-diagram .b-none {{ fill: none; }}
.bpmn-diagram .b-line {{ fill: none; stroke: {_INK}; stroke-width: 1.5; }}
.bpmn-diagram .b-flow {{ fill: none; stroke: {_INK}; stroke-width: 1.5; stroke-linejoin: round; }}
.bpmn-diagram .b-thin {{ stroke-width: 1; }}
.bpmn-diagram .b-heavy {{ stroke-width: 2; }}
.bpmn-diagram .b-thick {{ stroke-width: 4; }}
.bpmn-diagram .b-dotted {{ stroke-dasharray: 2 2; }}
.bpmn-diagram .b-dashed {{ stroke-dasharray: 5 3; }}
.bpmn-diagram .b-message {{ stroke-dasharray: 6 4; stroke-width: 1.2; }}
.bpmn-diagram .b-assoc {{ stroke-dasharray: 2 3; stroke-width: 1.2; }}
.bpmn-diagram .b-group {{ fill: none; stroke: {_INK}; stroke-width: 1.2; stroke-dasharray: 8 3 1 3; }}
.bpmn-diagram .b-fill {{ fill: {_INK}; stroke: {_INK}; stroke-width: 1; }}
.bpmn-diagram .b-hollow {{ fill: #fff; stroke: {_INK}; stroke-width: 1.2; }}
.bpmn-diagram .b-knock {{ fill: none; stroke: #fff; stroke-width: 1.2; }}
.bpmn-diagram .b-bold {{ fill: none; stroke: {_INK}; stroke-width: 3.5; stroke-linecap: round; }}
.bpmn-diagram .b-badge rect {{ fill: #263238; stroke: #fff; stroke-width: 1; }}
.bpmn-diagram .b-badge text {{ fill: #fff; font-size: 10px; }}
.bpmn-diagram .b-finding circle {{ fill: #d32f2f; stroke: #fff; stroke-width: 1.5; }}
.bpmn-diagram .b-finding text {{ fill: #fff; font-size: 11px; font-weight: bold; }}
.bpmn-diagram .bpmn-element:hover .b-body {{ stroke: #1565c0; }}
"""


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True, slots=True)
class RenderResult:
    """One rendered diagram plus what could not be drawn."""

    diagram: Diagram
    """The diagram that was drawn."""
    svg: str
    """The SVG document (no XML declaration, so it can be inlined in HTML)."""
    skipped: tuple[ElementId, ...]
    """``bpmnElement`` values of shapes/edges that name no known element, in document order."""


def render_svg(
    definitions: Definitions,
    diagram: Diagram | None = None,
    *,
    overlays: Mapping[ElementId, Overlay] | None = None,
    title: str | None = None,
) -> str:
    """SVG text of one diagram (the first one when ``diagram`` is None).

    Raises :class:`~bpm.errors.RenderError` when the file has no usable DI.
    """
    return render_diagram(definitions, diagram, overlays=overlays, title=title).svg


def render_all(
    definitions: Definitions, *, overlays: Mapping[ElementId, Overlay] | None = None
) -> list[tuple[Diagram, str]]:
    """One SVG per ``BPMNDiagram`` in the file, in document order."""
    check_di(definitions)
    return [(diagram, render_diagram(definitions, diagram, overlays=overlays).svg) for diagram in definitions.diagrams]


def check_di(definitions: Definitions) -> None:
    """Raise :class:`RenderError` unless every process with flow nodes is drawn somewhere.

    A process whose nodes have no shapes and whose pool has no shape either
    would silently vanish from the picture; the caller should lay the file out
    with graphviz instead.  Processes reached only through a call activity are
    exempt: the modeler shows them as the collapsed call activity.
    """
    name = Path(definitions.file).name
    if not definitions.diagrams:
        raise RenderError(
            say("svg.no_di", name=name),
            file=definitions.file,
            hint=say("svg.layout_hint"),
        )
    drawn = {s.element_id for d in definitions.diagrams for s in d.shapes}
    called = {
        node.called_element
        for process in definitions.processes.values()
        for node in process.nodes.values()
        if node.called_element
    }
    for process in definitions.processes.values():
        if not process.nodes or process.id in called or any(node_id in drawn for node_id in process.nodes):
            continue  # a called process is legitimately shown only as its collapsed call activity
        pool = definitions.pool_of(process.id)
        if pool is not None and pool.id in drawn:
            continue
        raise RenderError(
            say("svg.no_shapes", name=name, process=repr(process.name or process.id), count=len(process.nodes)),
            file=definitions.file,
            line=process.source.line,
            element_id=process.id,
            hint=say("svg.layout_hint"),
        )


def render_diagram(
    definitions: Definitions,
    diagram: Diagram | None = None,
    *,
    overlays: Mapping[ElementId, Overlay] | None = None,
    title: str | None = None,
) -> RenderResult:
    """Render one diagram and report the DI entries that could not be resolved."""
    if diagram is None:
        check_di(definitions)
        diagram = definitions.diagrams[0]
    index = _Index.build(definitions)
    resolved = [s for s in diagram.shapes if index.lookup(s.element_id) is not None]
    if not resolved:
        raise RenderError(
            say("svg.foreign_diagram", name=Path(definitions.file).name, diagram=repr(diagram.name or diagram.id)),
            file=definitions.file,
            line=diagram.source.line if diagram.source else None,
            element_id=diagram.id,
            hint=say("svg.layout_hint"),
        )
    painter = _Painter(index, diagram, overlays or {})
    painter.paint()
    doc_title = title or diagram.name or definitions.name or _first_pool_name(definitions)
    doc_title = doc_title or Path(definitions.file).stem
    return RenderResult(diagram=diagram, svg=painter.serialise(doc_title), skipped=tuple(painter.skipped))


def _first_pool_name(definitions: Definitions) -> str:
    for participant in definitions.participants():
        if participant.name.strip():
            return participant.name.strip()
    for process in definitions.processes.values():
        if process.name.strip():
            return process.name.strip()
    return ""


# --------------------------------------------------------------------------- ids


_SAFE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,80}$")


def dom_id(element_id: str) -> str:
    """An SVG/HTML ``id`` for a BPMN element id, which may contain any character.

    Safe ids are kept readable (``bpmn-Task_1``); anything else is slugged and
    suffixed with a short hash so that distinct ids stay distinct.

    >>> dom_id("Task_1")
    'bpmn-Task_1'
    >>> dom_id("受付 <1>").startswith("bpmn-1-")
    True
    """
    if _SAFE_ID.fullmatch(element_id):
        return f"bpmn-{element_id}"
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", element_id).strip("-")[:40] or "x"
    digest = hashlib.sha1(element_id.encode("utf-8")).hexdigest()[:8]
    return f"bpmn-{slug}-{digest}"


# --------------------------------------------------------------------------- text


def _capped(text: str, lines: list[str], width: float, font_size: float) -> tuple[list[str], str | None]:
    """At most :data:`_MAX_EXTERNAL_LINES` of a free-standing label, and the full text when cut."""
    if len(lines) <= _MAX_EXTERNAL_LINES:
        return lines, None
    fitted = fit_text(text, width, _MAX_EXTERNAL_LINES * font_size * _LINE_HEIGHT, font_size, font_size)
    return list(fitted.lines), text


_LABEL_STRETCH = 1.35
"""How much wider than the modeler's label box a label may grow to keep the box's number of lines."""


def _fit_label(text: str, label: Bounds) -> list[str]:
    """Wrap an external label at the width of the modeler's label box, as bpmn-js does.

    The modeler measured with its own font; ours is a little wider, so a label
    box one line high must not turn into two lines just because of that: the
    width may grow a little (up to :data:`_LABEL_STRETCH`) to keep the line
    count, but not so much that a long name becomes one line across its
    neighbours.  A box of no size (Bizagi writes them) marks the label's
    top-centre point; bpmn-js then wraps at its default 90.
    """
    if label.width <= 1:
        return wrap_text(text, _EXTERNAL_LABEL_WIDTH, _LABEL_FONT)
    wanted = max(1, round(label.height / 14))
    width = max(label.width, 20.0)
    widest = width * _LABEL_STRETCH
    lines = wrap_text(text, width, _LABEL_FONT)
    while len(lines) > wanted and width < widest:
        width = min(width * 1.1, widest)
        lines = wrap_text(text, width, _LABEL_FONT)
    return lines


def _label_centre(label: Bounds) -> float:
    """Horizontal centre of a DI label box (its point when it has no size)."""
    return label.x + label.width / 2 if label.width > 1 else label.x


# --------------------------------------------------------------------------- geometry helpers


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


def _contains(outer: Bounds, inner: Bounds) -> bool:
    cx, cy = inner.x + inner.width / 2, inner.y + inner.height / 2
    return outer.x <= cx <= outer.x + outer.width and outer.y <= cy <= outer.y + outer.height


def _inside(outer: Bounds, inner: Bounds) -> bool:
    """``inner`` lies wholly within ``outer`` (and is smaller)."""
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.x + inner.width <= outer.x + outer.width
        and inner.y + inner.height <= outer.y + outer.height
        and inner.width * inner.height < outer.width * outer.height
    )


# --------------------------------------------------------------------------- element index


_Element = FlowNode | SequenceFlow | Lane | Participant | MessageFlow | Artifact | Association


@dataclass(slots=True)
class _Index:
    """Every drawable semantic element by id, plus the few relations drawing needs."""

    elements: dict[str, _Element] = field(default_factory=dict)
    processes: Mapping[ProcessId, Process] = field(default_factory=dict)
    children: dict[str, list[FlowNode]] = field(default_factory=dict)

    @classmethod
    def build(cls, definitions: Definitions) -> _Index:
        index = cls(processes=definitions.processes)
        found: list[_Element] = []
        for collaboration in definitions.collaborations:
            found.extend(collaboration.participants)
            found.extend(collaboration.message_flows)
            found.extend(collaboration.artifacts)
            found.extend(collaboration.associations)
        for process in definitions.processes.values():
            found.extend(process.nodes.values())
            found.extend(process.flows.values())
            found.extend(process.all_lanes())
            found.extend(process.artifacts)
            found.extend(process.associations)
            for node in process.nodes.values():
                if node.parent_id is not None:
                    index.children.setdefault(node.parent_id, []).append(node)
        for element in found:
            index.elements.setdefault(element.id, element)
        return index

    def lookup(self, element_id: str) -> _Element | None:
        return self.elements.get(element_id)


# --------------------------------------------------------------------------- painter


@dataclass(slots=True)
class _Extent:
    """Running bounding box of everything drawn, for the viewBox."""

    min_x: float = math.inf
    min_y: float = math.inf
    max_x: float = -math.inf
    max_y: float = -math.inf

    def add(self, x: float, y: float, width: float = 0.0, height: float = 0.0) -> None:
        self.min_x = min(self.min_x, x)
        self.min_y = min(self.min_y, y)
        self.max_x = max(self.max_x, x + width)
        self.max_y = max(self.max_y, y + height)


_THROW_KINDS = (EventKind.END, EventKind.INTERMEDIATE_THROW, EventKind.IMPLICIT_THROW)

# Layers paint back to front; the number is the first sort key.
_POOL, _LANE, _CONTAINER, _EDGE, _NODE, _BOUNDARY, _GROUP = range(7)


class _Painter:
    """Walks one diagram and builds the SVG tree; collects skipped DI entries."""

    def __init__(self, index: _Index, diagram: Diagram, overlays: Mapping[ElementId, Overlay]) -> None:
        self.index = index
        self.diagram = diagram
        self.overlays = overlays
        self.skipped: list[ElementId] = []
        self.extent = _Extent()
        self.body = ET.Element("g", {"class": "bpmn-layers"})
        self.used_ids: dict[str, int] = {}
        self.shown = {s.element_id for s in diagram.shapes}
        self.pool_shapes = [s for s in diagram.shapes if isinstance(index.lookup(s.element_id), Participant)]
        self.lane_shapes = [s for s in diagram.shapes if isinstance(index.lookup(s.element_id), Lane)]
        self.node_shapes = [s for s in diagram.shapes if isinstance(index.lookup(s.element_id), FlowNode)]
        self.file_fills = not overlays
        """File fill colours are drawn only without overlays: in an annotated diagram fill means disposition."""

    # ------------------------------------------------------------------ orchestration

    def paint(self) -> None:
        items: list[tuple[tuple[float, ...], Shape | Edge, _Element]] = []
        for position, shape in enumerate(self.diagram.shapes):
            element = self.index.lookup(shape.element_id)
            if element is None:
                self.skipped.append(shape.element_id)
                continue
            area = shape.bounds.width * shape.bounds.height
            layer = self._layer(shape, element)
            key = (layer, -area, position) if layer in (_POOL, _LANE, _CONTAINER) else (layer, position)
            items.append((key, shape, element))
        for position, edge in enumerate(self.diagram.edges):
            element = self.index.lookup(edge.element_id)
            if element is None or len(edge.waypoints) < 2:
                self.skipped.append(edge.element_id)
                continue
            items.append(((_EDGE, position), edge, element))
        items.sort(key=lambda item: item[0])
        for _key, di, element in items:
            if isinstance(di, Shape):
                self._shape(di, element)
            else:
                self._edge(di, element)

    def _layer(self, shape: Shape, element: _Element) -> int:
        if isinstance(element, Participant):
            return _POOL
        if isinstance(element, Lane):
            return _LANE
        if isinstance(element, FlowNode):
            if element.kind is EventKind.BOUNDARY or element.attached_to is not None:
                return _BOUNDARY
            if self._expanded(shape, element):
                return _CONTAINER
            return _NODE
        if isinstance(element, Artifact) and element.kind is ArtifactKind.GROUP:
            return _GROUP
        return _NODE

    def _expanded(self, shape: Shape, node: FlowNode) -> bool:
        """Whether an activity is drawn as an open container rather than a box with ⊞.

        A call activity is drawn collapsed, as bpmn-js draws every call
        activity, unless the file marks it expanded *and* draws the called
        process inside it (the MIWG B.1.0 reference): then hiding that content
        behind a ⊞ would lose what the modeler drew.
        """
        if not isinstance(node.kind, TaskKind):
            return False
        if node.kind is TaskKind.CALL_ACTIVITY:
            return bool(shape.is_expanded) and any(
                other is not shape and _inside(shape.bounds, other.bounds) for other in self.node_shapes
            )
        if shape.is_expanded is not None:
            return shape.is_expanded and node.kind.is_container
        if not node.kind.is_container:
            return False
        return any(child.id in self.shown for child in self.index.children.get(node.id, ()))

    def serialise(self, title: str) -> str:
        extent = self.extent
        if math.isinf(extent.min_x):
            extent.add(0, 0, 100, 100)
        x, y = extent.min_x - _MARGIN, extent.min_y - _MARGIN
        width, height = extent.max_x - extent.min_x + 2 * _MARGIN, extent.max_y - extent.min_y + 2 * _MARGIN
        root = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "class": "bpmn-diagram",
                "role": "img",
                "viewBox": f"{_num(x)} {_num(y)} {_num(width)} {_num(height)}",
                "width": _num(width),
                "height": _num(height),
                "data-diagram-id": self.diagram.id,
            },
        )
        _sub(root, "title", text=title)
        _sub(root, "style", text=_CSS)
        root.append(self.body)
        _indent(root)
        return ET.tostring(root, encoding="unicode") + "\n"

    # ------------------------------------------------------------------ element groups

    def _group(self, element: _Element, kind_classes: Sequence[str]) -> tuple[ET.Element, Overlay | None]:
        overlay = self.overlays.get(element.id)
        base = dom_id(element.id)
        count = self.used_ids.get(base, 0) + 1
        self.used_ids[base] = count
        classes = ["bpmn-element", *kind_classes, *(overlay.classes if overlay else ())]
        group = _sub(
            self.body,
            "g",
            {
                "id": base if count == 1 else f"{base}-{count}",
                "class": " ".join(classes),
                "data-element-id": element.id,
            },
        )
        tooltip = overlay.tooltip if overlay else None
        if tooltip:
            _sub(group, "title", text=tooltip)
        return group, overlay

    @staticmethod
    def _fill(attrs: dict[str, _Attr], overlay: Overlay | None) -> dict[str, _Attr]:
        if overlay is not None and overlay.fill:
            attrs["style"] = f"fill:{overlay.fill.strip()}"
        return attrs

    def _decorate(self, group: ET.Element, overlay: Overlay | None, bounds: Bounds) -> None:
        """Badge at the top-right and finding marker at the top-left, drawn last so they stay on top.

        The finding marker sits on the top-left corner, outside the task-type
        icon.  A badge wider than the shape would reach over that corner, so
        when there is a finding the badge starts right of the marker and sticks
        out to the right instead: neither hides the other.
        """
        if overlay is None:
            return
        if overlay.badge:
            text = overlay.badge.strip()
            width = measure_text(text, 10) + 10
            height = 15.0
            x = bounds.x + bounds.width - width + 8
            if overlay.finding:
                x = max(x, bounds.x + _FINDING_RADIUS + _BADGE_GAP)
            y = bounds.y - height / 2 - 2
            badge = _sub(group, "g", {"class": "b-badge"})
            _sub(badge, "rect", {"x": x, "y": y, "width": width, "height": height, "rx": 7.5})
            _sub(badge, "text", {"x": x + width / 2, "y": y + 11, "text-anchor": "middle"}, text)
            self.extent.add(x, y, width, height)
        if overlay.finding:
            cx, cy, r = bounds.x, bounds.y, _FINDING_RADIUS
            finding = _sub(group, "g", {"class": "b-finding"})
            _sub(finding, "circle", {"cx": cx, "cy": cy, "r": r})
            _sub(finding, "text", {"x": cx, "y": cy + 4, "text-anchor": "middle"}, "!")
            self.extent.add(cx - r, cy - r, 2 * r, 2 * r)

    # ------------------------------------------------------------------ text

    def _text(
        self,
        parent: ET.Element,
        lines: Sequence[str],
        x: float,
        top: float,
        font_size: float,
        anchor: str = "middle",
        transform: str | None = None,
        track: bool = True,
        full_text: str | None = None,
        css: str = "b-label",
    ) -> None:
        """A block of lines whose first line box starts at ``top``.

        ``full_text`` is the whole label when the lines were cut short; it
        becomes the text's tooltip, so nothing the modeler wrote is lost.
        """
        if not lines:
            return
        line_height = font_size * _LINE_HEIGHT
        attrs: dict[str, _Attr] = {"class": css, "font-size": font_size, "text-anchor": anchor}
        if transform:
            attrs["transform"] = transform
        text = _sub(parent, "text", attrs)
        if full_text:
            _sub(text, "title", text=full_text)
        for i, line in enumerate(lines):
            baseline = top + i * line_height + font_size * 0.95
            _sub(text, "tspan", {"x": x, "y": baseline}, line)
        if track and transform is None:
            width = max(measure_text(line, font_size) for line in lines)
            left = x - width / 2 if anchor == "middle" else (x - width if anchor == "end" else x)
            self.extent.add(left, top, width, line_height * len(lines))

    def _fitted_text(
        self,
        parent: ET.Element,
        text: str,
        box: Bounds,
        font_size: float,
        *,
        anchor: str = "middle",
        valign: str = "middle",
        transform: str | None = None,
    ) -> FittedText:
        """``text`` wrapped, shrunk or cut to fit ``box``, drawn centred (or from the top) in it."""
        fitted = fit_text(text, box.width, box.height, font_size, font_size * _MIN_FONT)
        top = box.y + (box.height - fitted.height) / 2 if valign == "middle" else box.y
        x = box.x + box.width / 2 if anchor == "middle" else box.x
        full = text if fitted.truncated else None
        self._text(parent, fitted.lines, x, top, fitted.font_size, anchor, transform, full_text=full)
        return fitted

    def _centred_text(self, parent: ET.Element, text: str, bounds: Bounds, font_size: float, pad: float) -> None:
        box = Bounds(bounds.x + pad, bounds.y + pad, bounds.width - 2 * pad, bounds.height - 2 * pad)
        self._fitted_text(parent, text, box, font_size)

    def _free_label(self, parent: ET.Element, text: str, x: float, top: float, width: float, font_size: float) -> None:
        """A label outside any shape, centred on ``x``: wrapped at ``width``, at most a few lines."""
        lines, full = _capped(text, wrap_text(text, width, font_size), width, font_size)
        self._text(parent, lines, x, top, font_size, full_text=full)

    def _external_label(self, parent: ET.Element, text: str, shape: Shape, *, above: bool = False) -> None:
        """Events, gateways and data: in the DI label bounds, else centred below the shape.

        ``above`` puts a label without DI bounds at the top edge of the shape
        instead, where bpmn-js puts a group's.
        """
        if not text.strip():
            return
        label = shape.label
        if label is not None:
            lines, full = _capped(text, _fit_label(text, label), max(label.width, _EXTERNAL_LABEL_WIDTH), _LABEL_FONT)
            self._text(parent, lines, _label_centre(label), label.y, _LABEL_FONT, full_text=full)
            return
        b = shape.bounds
        top = b.y if above else b.y + b.height + 5
        self._free_label(parent, text, b.x + b.width / 2, top, _EXTERNAL_LABEL_WIDTH, _LABEL_FONT)

    # ------------------------------------------------------------------ shapes

    def _shape(self, shape: Shape, element: _Element) -> None:
        start = len(self.body)
        self._draw_shape(shape, element)
        self._colour(start, shape.colours)

    def _colour(self, start: int, colours: DiColours | None) -> None:
        """Give the groups drawn since ``start`` the modeler's colours, as bpmn-js paints them."""
        palette = Palette.of(colours, fills=self.file_fills)
        if palette is not None:
            for group in self.body[start:]:
                apply_palette(group, palette)

    def _draw_shape(self, shape: Shape, element: _Element) -> None:
        b = shape.bounds
        self.extent.add(b.x, b.y, b.width, b.height)
        if isinstance(element, Participant):
            self._pool(shape, element)
        elif isinstance(element, Lane):
            self._lane(shape, element)
        elif isinstance(element, FlowNode):
            if isinstance(element.kind, TaskKind):
                self._activity(shape, element)
            elif isinstance(element.kind, EventKind):
                self._event(shape, element)
            else:
                self._gateway(shape, element)
        elif isinstance(element, Artifact):
            self._artifact(shape, element)
        else:  # a connector referenced by a shape: nothing sensible to draw
            self.skipped.append(shape.element_id)

    def _horizontal(self, shape: Shape, container: Shape | None = None) -> bool:
        if shape.is_horizontal is not None:
            return shape.is_horizontal
        if container is not None and container.is_horizontal is not None:
            return container.is_horizontal
        reference = container or shape
        return reference.bounds.width >= reference.bounds.height

    def _band(self, shape: Shape, horizontal: bool) -> float:
        """Header depth of a pool: where its lanes start, else the customary 30."""
        b = shape.bounds
        offsets = [
            (lane.bounds.x - b.x) if horizontal else (lane.bounds.y - b.y)
            for lane in self.lane_shapes
            if _contains(b, lane.bounds)
        ]
        positive = [o for o in offsets if 5 <= o <= 80]
        return min(positive) if positive else _HEADER

    def _header_label(self, group: ET.Element, name: str, b: Bounds, horizontal: bool, band: float) -> None:
        """Pool or lane name in its header band, fitted to the band (shrunk or cut, never spilling out)."""
        if not name.strip():
            return
        if band < _HEADER_MIN:  # lanes start almost at the edge: use bpmn-js's header depth
            band = _HEADER
        depth = max(band - 4, _TASK_FONT * _LINE_HEIGHT)
        if horizontal:  # text runs bottom-to-top in the left band: lay it out upright, then turn it
            cx, cy = b.x + band / 2, b.y + b.height / 2
            length = max(b.height - 10, 20)
            box = Bounds(cx - length / 2, cy - depth / 2, length, depth)
            self._fitted_text(group, name, box, _TASK_FONT, transform=f"rotate(-90 {_num(cx)} {_num(cy)})")
        else:
            box = Bounds(b.x + 5, b.y + (band - depth) / 2, max(b.width - 10, 20), depth)
            self._fitted_text(group, name, box, _TASK_FONT)

    def _pool(self, shape: Shape, pool: Participant) -> None:
        group, overlay = self._group(pool, ["bpmn-pool", "bpmn-participant"])
        b = shape.bounds
        horizontal = self._horizontal(shape)
        process = self.index.processes.get(pool.process_id) if pool.process_id is not None else None
        name = pool.name or (process.name if process else "")
        _sub(
            group,
            "rect",
            self._fill({"class": "b-pool", "x": b.x, "y": b.y, "width": b.width, "height": b.height}, overlay),
        )
        black_box = process is None
        if black_box:
            self._centred_text(group, name, b, _TASK_FONT, 5)
        else:
            band = self._band(shape, horizontal)
            if horizontal and band < b.width:
                _sub(
                    group, "path", {"class": "b-line b-thin", "d": f"M{_num(b.x + band)},{_num(b.y)}v{_num(b.height)}"}
                )
            elif not horizontal and band < b.height:
                _sub(group, "path", {"class": "b-line b-thin", "d": f"M{_num(b.x)},{_num(b.y + band)}h{_num(b.width)}"})
            self._header_label(group, name, b, horizontal, band)
        if pool.is_multi_instance:
            g = placed(group, b.x + b.width / 2 - 6, b.y + b.height - 15, marker="participant-multiplicity")
            _sub(g, "path", {"class": "b-line b-heavy", "d": "M3,2 V12 M6,2 V12 M9,2 V12"})
        self._decorate(group, overlay, b)

    def _lane(self, shape: Shape, lane: Lane) -> None:
        group, overlay = self._group(lane, ["bpmn-lane"])
        b = shape.bounds
        pool = next((p for p in self.pool_shapes if _contains(p.bounds, b)), None)
        horizontal = self._horizontal(shape, pool)
        _sub(
            group,
            "rect",
            self._fill({"class": "b-lane", "x": b.x, "y": b.y, "width": b.width, "height": b.height}, overlay),
        )
        self._header_label(group, lane.name, b, horizontal, _HEADER)
        self._decorate(group, overlay, b)

    # activities ---------------------------------------------------------------

    def _activity(self, shape: Shape, node: FlowNode) -> None:
        kind = node.kind
        assert isinstance(kind, TaskKind)
        expanded = self._expanded(shape, node)
        classes = ["bpmn-activity"]
        if not kind.is_container and kind is not TaskKind.CALL_ACTIVITY:
            classes.append("bpmn-task")
        classes.append(f"bpmn-{kind.value}")
        if expanded:
            classes.append("bpmn-expanded")
        if node.triggered_by_event:
            classes.append("bpmn-eventSubProcess")
        group, overlay = self._group(node, classes)
        b = shape.bounds
        body_class = "b-body"
        if kind is TaskKind.CALL_ACTIVITY:
            body_class += " b-thick"
        if node.triggered_by_event:
            body_class += " b-dotted"
        rect: dict[str, _Attr] = {
            "class": body_class,
            "x": b.x,
            "y": b.y,
            "width": b.width,
            "height": b.height,
            "rx": 10,
        }
        _sub(group, "rect", self._fill(rect, overlay))
        if kind is TaskKind.TRANSACTION:
            inset = 3.0
            _sub(
                group,
                "rect",
                {
                    "class": "b-line b-thin",
                    "x": b.x + inset,
                    "y": b.y + inset,
                    "width": b.width - 2 * inset,
                    "height": b.height - 2 * inset,
                    "rx": 8,
                },
            )
        has_icon = not expanded and task_marker(group, kind, b.x, b.y)
        has_markers = self._bottom_markers(group, node, b, expanded)
        if expanded:  # name centred at the top, at most three lines so the content stays clear
            depth = min(max(b.height - 12, _TASK_FONT * _LINE_HEIGHT), 3 * _TASK_FONT * _LINE_HEIGHT)
            box = Bounds(b.x + 7, b.y + 6, max(b.width - 14, 20), depth)
            self._fitted_text(group, node.name, box, _TASK_FONT, valign="top")
        else:
            self._task_label(
                group, node.name, b, _MARKER_BAND if has_icon else 0.0, _BOTTOM_BAND if has_markers else 0.0
            )
        self._decorate(group, overlay, b)

    def _task_label(self, group: ET.Element, name: str, b: Bounds, top_inset: float, bottom_inset: float) -> None:
        """Name centred in the task, kept inside it and clear of the type icon and bottom markers.

        A label already clear of both bands stays centred in the whole box, so
        one-line names line up with their unmarked neighbours.  One that would
        touch the icon is centred in the room between the bands instead, shrunk
        a little if that is what it takes.  Only a name too long even for that
        uses the whole box, where overlapping the icon is the lesser evil than
        leaving the shape or losing words; one too long even for the whole box
        is cut with an ellipsis in the room below the icon (the full name stays
        in the tooltip).
        """
        pad = 3.0
        width = max(b.width - 10, _TASK_FONT)
        smallest = _TASK_FONT * _MIN_FONT
        low, high = b.y + top_inset, b.y + b.height - bottom_inset
        natural = fit_text(name, width, b.height - 2 * pad, _TASK_FONT, _TASK_FONT)
        centred = b.y + (b.height - natural.height) / 2
        if not natural.truncated and low <= centred and centred + natural.height <= high:
            fitted, top = natural, centred
        else:
            fitted = fit_text(name, width, max(high - low - pad, 1.0), _TASK_FONT, smallest)
            top = low + (high - low - fitted.height) / 2
            if fitted.truncated:
                whole = fit_text(name, width, max(b.height - 2 * pad, 1.0), _TASK_FONT, smallest)
                if not whole.truncated:  # all of the name, over the icon, beats part of it
                    fitted, top = whole, b.y + (b.height - whole.height) / 2
        full = name if fitted.truncated else None
        self._text(group, fitted.lines, b.x + b.width / 2, top, fitted.font_size, full_text=full)

    def _bottom_markers(self, group: ET.Element, node: FlowNode, b: Bounds, expanded: bool) -> bool:
        """Loop, multi-instance, ⊞, ad-hoc and compensation markers; True when any was drawn."""
        kind = node.kind
        markers: list[str] = []
        if node.loop is LoopKind.STANDARD:
            markers.append("loop")
        elif node.loop is LoopKind.MULTI_INSTANCE_PARALLEL:
            markers.append("parallel")
        elif node.loop is LoopKind.MULTI_INSTANCE_SEQUENTIAL:
            markers.append("sequential")
        if not expanded and isinstance(kind, TaskKind) and (kind.is_container or kind is TaskKind.CALL_ACTIVITY):
            markers.append("collapsed")  # bpmn-js puts ⊞ on every collapsed call activity, whatever it calls
        if kind is TaskKind.AD_HOC_SUB_PROCESS:
            markers.append("adhoc")
        if node.is_for_compensation:
            markers.append("compensation")
        size, gap = 14.0, 4.0
        total = len(markers) * size + (len(markers) - 1) * gap
        x = b.x + (b.width - total) / 2
        y = b.y + b.height - size - 4
        for marker in markers:
            bottom_marker(group, marker, x, y, size)
            x += size + gap
        return bool(markers)

    # events -------------------------------------------------------------------

    def _event(self, shape: Shape, node: FlowNode) -> None:
        kind = node.kind
        assert isinstance(kind, EventKind)
        classes = ["bpmn-event", f"bpmn-{kind.value}"]
        classes.extend(f"bpmn-{t.value}" for t in node.triggers)
        non_interrupting = not node.cancel_activity and kind in (EventKind.BOUNDARY, EventKind.START)
        if non_interrupting:
            classes.append("bpmn-nonInterrupting")
        group, overlay = self._group(node, classes)
        b = shape.bounds
        cx, cy, r = b.x + b.width / 2, b.y + b.height / 2, min(b.width, b.height) / 2
        dash = " b-dashed" if non_interrupting else ""
        if kind is EventKind.START:
            _sub(group, "circle", self._fill({"class": "b-body" + dash, "cx": cx, "cy": cy, "r": r}, overlay))
        elif kind is EventKind.END:
            _sub(group, "circle", self._fill({"class": "b-body b-thick", "cx": cx, "cy": cy, "r": r}, overlay))
        else:
            _sub(group, "circle", self._fill({"class": "b-body b-thin" + dash, "cx": cx, "cy": cy, "r": r}, overlay))
            _sub(group, "circle", {"class": "b-line b-thin" + dash, "cx": cx, "cy": cy, "r": max(r - 3, 1)})
        if node.triggers:
            event_marker(group, node.triggers, kind in _THROW_KINDS, cx, cy, r / 18)
        self._external_label(group, node.name, shape)
        self._decorate(group, overlay, b)

    # gateways -----------------------------------------------------------------

    def _gateway(self, shape: Shape, node: FlowNode) -> None:
        kind = node.kind
        assert isinstance(kind, GatewayKind)
        group, overlay = self._group(node, ["bpmn-gateway", f"bpmn-{kind.value}"])
        b = shape.bounds
        cx, cy = b.x + b.width / 2, b.y + b.height / 2
        diamond = [(cx, b.y), (b.x + b.width, cy), (cx, b.y + b.height), (b.x, cy)]
        _sub(group, "polygon", self._fill({"class": "b-body", "points": _pts(diamond)}, overlay))
        show = kind is not GatewayKind.EXCLUSIVE or shape.is_marker_visible is not False
        if show:
            gateway_marker(group, kind, node.instantiate, cx, cy, min(b.width, b.height) / 50)
        self._external_label(group, node.name, shape)
        self._decorate(group, overlay, b)

    # artifacts ------------------------------------------------------------------

    def _artifact(self, shape: Shape, artifact: Artifact) -> None:
        group, overlay = self._group(artifact, ["bpmn-artifact", f"bpmn-{artifact.kind.value}"])
        b = shape.bounds
        kind = artifact.kind
        if kind is ArtifactKind.TEXT_ANNOTATION:
            _sub(group, "rect", {"class": "b-none", "x": b.x, "y": b.y, "width": b.width, "height": b.height})
            arm = min(10.0, b.width / 2)
            d = f"M{_num(b.x + arm)},{_num(b.y)}H{_num(b.x)}V{_num(b.y + b.height)}H{_num(b.x + arm)}"
            _sub(group, "path", {"class": "b-line b-thin", "d": d})
            # from the top-left corner, as bpmn-js lays annotations out, but inside the bracket
            pad = min(7.0, b.height / 4)
            box = Bounds(b.x + 5, b.y + pad, max(b.width - 10, 20), max(b.height - 2 * pad, 1))
            self._fitted_text(group, artifact.name, box, _TASK_FONT, anchor="start", valign="top")
        elif kind is ArtifactKind.GROUP:
            _sub(
                group, "rect", {"class": "b-group", "x": b.x, "y": b.y, "width": b.width, "height": b.height, "rx": 10}
            )
            # the category value's text, in the DI label bounds or centred on the top edge (bpmn-js)
            self._external_label(group, artifact.name, shape, above=True)
        elif kind in (ArtifactKind.DATA_STORE, ArtifactKind.DATA_STORE_REFERENCE):
            data_store(group, b, self._fill({"class": "b-body"}, overlay))
            self._external_label(group, artifact.name, shape)
        else:
            data_object(group, b, kind, self._fill({"class": "b-body"}, overlay), self._is_collection(artifact))
            self._external_label(group, artifact.name, shape)
        self._decorate(group, overlay, b)

    def _is_collection(self, artifact: Artifact) -> bool:
        """A collection itself, or a reference to a data object that is one (as bpmn-js decides)."""
        if artifact.is_collection:
            return True
        referenced = self.index.lookup(artifact.ref) if artifact.ref else None
        return isinstance(referenced, Artifact) and referenced.is_collection

    # ------------------------------------------------------------------ edges

    def _edge(self, edge: Edge, element: _Element) -> None:
        start = len(self.body)
        self._draw_edge(edge, element)
        self._colour(start, edge.colours)

    def _draw_edge(self, edge: Edge, element: _Element) -> None:
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
        d = "M" + " L".join(f"{_num(p.x)},{_num(p.y)}" for p in points)
        _sub(group, "path", {"class": css, "d": d})

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
            _sub(group, "path", {"class": "b-line", "d": f"M{_pts([a])} L{_pts([c])}"})
        if conditional:
            nx, ny = -oy, ox
            diamond = [
                (start.x, start.y),
                (start.x + ox * 8 + nx * 5, start.y + oy * 8 + ny * 5),
                (start.x + ox * 16, start.y + oy * 16),
                (start.x + ox * 8 - nx * 5, start.y + oy * 8 - ny * 5),
            ]
            _sub(group, "polygon", {"class": "b-hollow", "points": _pts(diamond)})
        self._edge_label(group, flow.name, edge)
        self._decorate_edge(group, overlay, edge)

    def _message_flow(self, edge: Edge, flow: MessageFlow) -> None:
        group, overlay = self._group(flow, ["bpmn-connector", "bpmn-messageFlow"])
        points = edge.waypoints
        self._polyline(group, points, "b-flow b-message")
        start, (sx, sy) = _end_segment(points, at_start=True)
        _sub(group, "circle", {"class": "b-hollow", "cx": start.x - sx * 4, "cy": start.y - sy * 4, "r": 4})
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
        _sub(g, "rect", {"class": body, "x": -10.5, "y": -7, "width": 21, "height": 14})
        _sub(g, "path", {"class": flap, "d": "M-10.5,-7 L0,-1 L10.5,-7"})
        self.extent.add(mid.x - 10.5, mid.y - 7, 21, 14)
        name = flow.message_name
        if name.strip():
            lines, full = _capped(name, wrap_text(name, _MESSAGE_WIDTH, _MESSAGE_FONT), _MESSAGE_WIDTH, _MESSAGE_FONT)
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
        label = edge.label
        if label is not None:
            lines, full = _capped(text, _fit_label(text, label), max(label.width, _EXTERNAL_LABEL_WIDTH), _LABEL_FONT)
            self._text(group, lines, _label_centre(label), label.y, _LABEL_FONT, full_text=full)
            return
        x, y = _flow_label_position(edge.waypoints)
        self._free_label(group, text, x, y - 10, _EXTERNAL_LABEL_WIDTH, _LABEL_FONT)

    def _decorate_edge(self, group: ET.Element, overlay: Overlay | None, edge: Edge) -> None:
        if overlay is None or not (overlay.badge or overlay.finding):
            return
        mid = _midpoint(edge.waypoints)
        self._decorate(group, overlay, Bounds(mid.x - 10, mid.y, 20, 0))


# --------------------------------------------------------------------------- serialisation


def _indent(element: ET.Element, level: int = 0) -> None:
    """Pretty-print for readable golden files, leaving ``<text>`` content untouched.

    Whitespace between ``<tspan>`` elements would be rendered, so text
    elements are never re-indented inside.
    """
    children = list(element)
    if not children or element.tag in ("text", "style", "title"):
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in children:
        _indent(child, level + 1)
        child.tail = pad
    children[-1].tail = "\n" + "  " * level
