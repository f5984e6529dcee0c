"""Draw a BPMN diagram as SVG at the coordinates the modeler chose.

Staff recognise *their* diagram, so we never re-layout when the file carries
diagram interchange (DI): every shape is painted where its ``BPMNShape`` says,
every connector along its ``BPMNEdge`` waypoints.  Files without DI are the
graphviz renderer's job; here they raise :class:`~bpm.errors.RenderError`.

The SVG is built with :mod:`xml.etree.ElementTree`, so every name from a file is
escaped by the writer, never by us.  Output is deterministic (document order,
numbers with at most two decimals) so golden files stay stable.  Each drawn
element is a ``<g data-element-id=…>`` with kind classes, which is where the
annotation overlay (:class:`~reports.overlay.Overlay`) hooks in.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bpm.errors import RenderError
from bpm.model import (
    Artifact,
    ArtifactKind,
    Association,
    AssociationKind,
    Bounds,
    Category,
    Definitions,
    Diagram,
    Edge,
    ElementId,
    EventKind,
    EventTrigger,
    FlowNode,
    GatewayKind,
    Lane,
    LoopKind,
    MessageFlow,
    Participant,
    Point,
    Process,
    ProcessId,
    SequenceFlow,
    Shape,
    TaskKind,
)
from reports.overlay import Overlay
from reports.text import measure_text, wrap_text

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
_LINE_HEIGHT = 1.2
_EXTERNAL_LABEL_WIDTH = 90.0
_HEADER = 30.0
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
.bpmn-diagram .b-thin {{ stroke-width: 1; }}
.bpmn-diagram .b-thick {{ stroke-width: 4; }}
.bpmn-diagram .b-dotted {{ stroke-dasharray: 2 2; }}
.bpmn-diagram .b-dashed {{ stroke-dasharray: 5 3; }}
.bpmn-diagram .b-line {{ fill: none; stroke: {_INK}; stroke-width: 1.5; }}
.bpmn-diagram .b-flow {{ fill: none; stroke: {_INK}; stroke-width: 1.5; stroke-linejoin: round; }}
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
            f"{name} has no diagram interchange (BPMNDiagram), so there are no coordinates to draw",
            file=definitions.file,
            hint="the diagram will be laid out automatically with graphviz instead",
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
            f"{name}: process {process.name or process.id!r} has {len(process.nodes)} flow nodes "
            "but no shapes in any BPMNDiagram",
            file=definitions.file,
            line=process.source.line,
            element_id=process.id,
            hint="the diagram will be laid out automatically with graphviz instead",
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
            f"{Path(definitions.file).name}: diagram {diagram.name or diagram.id!r} has no shapes "
            "for elements of this file",
            file=definitions.file,
            line=diagram.source.line if diagram.source else None,
            element_id=diagram.id,
            hint="the diagram will be laid out automatically with graphviz instead",
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


def _fit_label(text: str, label: Bounds) -> list[str]:
    """Wrap an external label into about as many lines as the modeler's label box holds.

    The modeler measured with its own font; ours is a little wider, so a label
    box one line high must not turn into two lines just because of that.
    """
    wanted = max(1, round(label.height / 14))
    width = max(label.width, _EXTERNAL_LABEL_WIDTH)
    full = max(measure_text(line, _LABEL_FONT) for line in text.splitlines() or [text])
    lines = wrap_text(text, width, _LABEL_FONT)
    while len(lines) > wanted and width < full:
        width *= 1.1
        lines = wrap_text(text, width, _LABEL_FONT)
    return lines


# --------------------------------------------------------------------------- geometry helpers


def _num(value: float) -> str:
    """Fixed, short number formatting so golden files are stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "", "-") else text


def _pts(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


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


def _contains(outer: Bounds, inner: Bounds) -> bool:
    cx, cy = inner.x + inner.width / 2, inner.y + inner.height / 2
    return outer.x <= cx <= outer.x + outer.width and outer.y <= cy <= outer.y + outer.height


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


_Attr = str | float


def _sub(parent: ET.Element, tag: str, attrs: Mapping[str, _Attr] | None = None, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v if isinstance(v, str) else _num(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = text
    return element


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
        if not isinstance(node.kind, TaskKind):
            return False
        if shape.is_expanded is not None:
            return shape.is_expanded and (node.kind.is_container or node.kind is TaskKind.CALL_ACTIVITY)
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
    ) -> None:
        """A block of lines whose first line box starts at ``top``."""
        if not lines:
            return
        line_height = font_size * _LINE_HEIGHT
        attrs: dict[str, _Attr] = {"class": "b-label", "font-size": font_size, "text-anchor": anchor}
        if transform:
            attrs["transform"] = transform
        text = _sub(parent, "text", attrs)
        for i, line in enumerate(lines):
            baseline = top + i * line_height + font_size * 0.95
            _sub(text, "tspan", {"x": x, "y": baseline}, line)
        if track and transform is None:
            width = max(measure_text(line, font_size) for line in lines)
            left = x - width / 2 if anchor == "middle" else (x - width if anchor == "end" else x)
            self.extent.add(left, top, width, line_height * len(lines))

    def _centred_text(self, parent: ET.Element, text: str, bounds: Bounds, font_size: float, pad: float) -> None:
        lines = wrap_text(text, max(bounds.width - 2 * pad, font_size), font_size)
        block = len(lines) * font_size * _LINE_HEIGHT
        top = bounds.y + (bounds.height - block) / 2
        self._text(parent, lines, bounds.x + bounds.width / 2, top, font_size)

    def _external_label(self, parent: ET.Element, text: str, shape: Shape) -> None:
        """Events, gateways and data: in the DI label bounds, else centred below the shape."""
        if not text.strip():
            return
        label = shape.label
        if label is not None and label.width > 1:
            lines = _fit_label(text, label)
            self._text(parent, lines, label.x + label.width / 2, label.y, _LABEL_FONT)
            return
        b = shape.bounds
        lines = wrap_text(text, _EXTERNAL_LABEL_WIDTH, _LABEL_FONT)
        self._text(parent, lines, b.x + b.width / 2, b.y + b.height + 5, _LABEL_FONT)

    # ------------------------------------------------------------------ shapes

    def _shape(self, shape: Shape, element: _Element) -> None:
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
        if not name.strip():
            return
        if horizontal:  # text runs bottom-to-top in the left band
            lines = wrap_text(name, max(b.height - 10, 20), _TASK_FONT)
            cx, cy = b.x + band / 2, b.y + b.height / 2
            block = len(lines) * _TASK_FONT * _LINE_HEIGHT
            self._text(group, lines, cx, cy - block / 2, _TASK_FONT, transform=f"rotate(-90 {_num(cx)} {_num(cy)})")
        else:
            lines = wrap_text(name, max(b.width - 10, 20), _TASK_FONT)
            block = len(lines) * _TASK_FONT * _LINE_HEIGHT
            self._text(group, lines, b.x + b.width / 2, b.y + (band - block) / 2, _TASK_FONT)

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
            if horizontal:
                _sub(
                    group, "path", {"class": "b-line b-thin", "d": f"M{_num(b.x + band)},{_num(b.y)}v{_num(b.height)}"}
                )
            else:
                _sub(group, "path", {"class": "b-line b-thin", "d": f"M{_num(b.x)},{_num(b.y + band)}h{_num(b.width)}"})
            self._header_label(group, name, b, horizontal, band)
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
        has_icon = not expanded and _task_marker(group, kind, b.x, b.y)
        has_markers = self._bottom_markers(group, node, b, expanded)
        if expanded:
            lines = wrap_text(node.name, max(b.width - 20, 20), _TASK_FONT)
            self._text(group, lines, b.x + 10, b.y + 6, _TASK_FONT, anchor="start")
        else:
            self._task_label(
                group, node.name, b, _MARKER_BAND if has_icon else 0.0, _BOTTOM_BAND if has_markers else 0.0
            )
        self._decorate(group, overlay, b)

    def _task_label(self, group: ET.Element, name: str, b: Bounds, top_inset: float, bottom_inset: float) -> None:
        """Name centred in the task, moved clear of the type icon and bottom markers when it fits.

        A label already clear of both bands stays centred in the whole box, so
        one-line names line up with their unmarked neighbours.  One that would
        touch the icon (two or three lines) is centred in the room between the
        bands instead; one too tall even for that stays centred in the box,
        where overlapping the icon is the lesser evil than leaving the shape.
        """
        lines = wrap_text(name, max(b.width - 10, _TASK_FONT), _TASK_FONT)
        block = len(lines) * _TASK_FONT * _LINE_HEIGHT
        top = b.y + (b.height - block) / 2
        low, high = b.y + top_inset, b.y + b.height - bottom_inset
        if (top < low or top + block > high) and block <= high - low:
            top = low + (high - low - block) / 2
        self._text(group, lines, b.x + b.width / 2, top, _TASK_FONT)

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
        if not expanded and (
            (isinstance(kind, TaskKind) and kind.is_container)
            or (kind is TaskKind.CALL_ACTIVITY and ProcessId(node.called_element or "") in self.index.processes)
        ):
            markers.append("collapsed")
        if kind is TaskKind.AD_HOC_SUB_PROCESS:
            markers.append("adhoc")
        if node.is_for_compensation:
            markers.append("compensation")
        size, gap = 14.0, 4.0
        total = len(markers) * size + (len(markers) - 1) * gap
        x = b.x + (b.width - total) / 2
        y = b.y + b.height - size - 4
        for marker in markers:
            _bottom_marker(group, marker, x, y, size)
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
            _event_marker(group, node.triggers, kind in _THROW_KINDS, cx, cy, r / 18)
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
            _gateway_marker(group, kind, node.instantiate, cx, cy, min(b.width, b.height) / 50)
        self._external_label(group, node.name, shape)
        self._decorate(group, overlay, b)

    # artifacts ------------------------------------------------------------------

    def _artifact(self, shape: Shape, artifact: Artifact) -> None:
        group, overlay = self._group(artifact, ["bpmn-artifact", f"bpmn-{artifact.kind.value}"])
        b = shape.bounds
        kind = artifact.kind
        if kind is ArtifactKind.TEXT_ANNOTATION:
            _sub(group, "rect", {"class": "b-none", "x": b.x, "y": b.y, "width": b.width, "height": b.height})
            arm = min(15.0, b.width / 2)
            d = f"M{_num(b.x + arm)},{_num(b.y)}H{_num(b.x)}V{_num(b.y + b.height)}H{_num(b.x + arm)}"
            _sub(group, "path", {"class": "b-line b-thin", "d": d})
            lines = wrap_text(artifact.name, max(b.width - 10, 20), _TASK_FONT)
            block = len(lines) * _TASK_FONT * _LINE_HEIGHT
            top = b.y + max((b.height - block) / 2, 3)
            self._text(group, lines, b.x + 5, top, _TASK_FONT, anchor="start")
        elif kind is ArtifactKind.GROUP:
            _sub(
                group, "rect", {"class": "b-group", "x": b.x, "y": b.y, "width": b.width, "height": b.height, "rx": 10}
            )
            if artifact.name.strip():
                label = shape.label
                if label is not None and label.width > 1:
                    lines = wrap_text(artifact.name, max(label.width, _EXTERNAL_LABEL_WIDTH), _LABEL_FONT)
                    self._text(group, lines, label.x + label.width / 2, label.y, _LABEL_FONT)
                else:
                    lines = wrap_text(artifact.name, max(b.width - 20, 20), _LABEL_FONT)
                    self._text(group, lines, b.x + b.width / 2, b.y + 5, _LABEL_FONT)
        elif kind in (ArtifactKind.DATA_STORE, ArtifactKind.DATA_STORE_REFERENCE):
            _data_store(group, b, self._fill({"class": "b-body"}, overlay))
            self._external_label(group, artifact.name, shape)
        else:
            _data_object(group, b, kind, self._fill({"class": "b-body"}, overlay))
            self._external_label(group, artifact.name, shape)
        self._decorate(group, overlay, b)

    # ------------------------------------------------------------------ edges

    def _edge(self, edge: Edge, element: _Element) -> None:
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
        _arrowhead(group, tip, (ux, uy), "b-fill")
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
        _arrowhead(group, tip, direction, "b-hollow")
        self._edge_label(group, flow.name, edge)
        self._decorate_edge(group, overlay, edge)

    def _association(self, edge: Edge, association: Association) -> None:
        classes = ["bpmn-connector", f"bpmn-{association.kind.value}"]
        group, overlay = self._group(association, classes)
        points = edge.waypoints
        self._polyline(group, points, "b-flow b-assoc")
        data = association.kind is not AssociationKind.ASSOCIATION
        if data or association.direction in ("One", "Both"):
            tip, direction = _end_segment(points, at_start=False)
            _open_arrow(group, tip, direction)
        if not data and association.direction == "Both":
            tip, direction = _end_segment(points, at_start=True)
            _open_arrow(group, tip, direction)
        self._decorate_edge(group, overlay, edge)

    def _edge_label(self, group: ET.Element, text: str, edge: Edge) -> None:
        if not text.strip():
            return
        label = edge.label
        if label is not None and label.width > 1:
            lines = _fit_label(text, label)
            self._text(group, lines, label.x + label.width / 2, label.y, _LABEL_FONT)
            return
        mid = _midpoint(edge.waypoints)
        lines = wrap_text(text, _EXTERNAL_LABEL_WIDTH, _LABEL_FONT)
        block = len(lines) * _LABEL_FONT * _LINE_HEIGHT
        self._text(group, lines, mid.x, mid.y - block - 3, _LABEL_FONT)

    def _decorate_edge(self, group: ET.Element, overlay: Overlay | None, edge: Edge) -> None:
        if overlay is None or not (overlay.badge or overlay.finding):
            return
        mid = _midpoint(edge.waypoints)
        self._decorate(group, overlay, Bounds(mid.x - 10, mid.y, 20, 0))


# --------------------------------------------------------------------------- connector ends


def _arrowhead(group: ET.Element, tip: Point, direction: tuple[float, float], css: str) -> None:
    ux, uy = direction
    nx, ny = -uy, ux
    length, half = 11.0, 4.0
    base = (tip.x - ux * length, tip.y - uy * length)
    points = [
        (tip.x, tip.y),
        (base[0] + nx * half, base[1] + ny * half),
        (base[0] - nx * half, base[1] - ny * half),
    ]
    _sub(group, "polygon", {"class": css, "points": _pts(points)})


def _open_arrow(group: ET.Element, tip: Point, direction: tuple[float, float]) -> None:
    ux, uy = direction
    nx, ny = -uy, ux
    length, half = 10.0, 5.0
    base = (tip.x - ux * length, tip.y - uy * length)
    a = (base[0] + nx * half, base[1] + ny * half)
    b = (base[0] - nx * half, base[1] - ny * half)
    _sub(group, "path", {"class": "b-line b-thin", "d": f"M{_pts([a])} L{_pts([(tip.x, tip.y)])} L{_pts([b])}"})


# --------------------------------------------------------------------------- markers


def _placed(parent: ET.Element, x: float, y: float, scale: float = 1.0) -> ET.Element:
    """A group whose local origin is (x, y); marker paths are written in local units."""
    transform = f"translate({_num(x)} {_num(y)})"
    if abs(scale - 1) > 0.005:
        transform += f" scale({_num(scale)})"
    return _sub(parent, "g", {"class": "b-marker", "transform": transform})


def _polygon(radius: float, corners: int, rotation: float = -90.0) -> list[tuple[float, float]]:
    return [
        (
            radius * math.cos(math.radians(rotation + i * 360 / corners)),
            radius * math.sin(math.radians(rotation + i * 360 / corners)),
        )
        for i in range(corners)
    ]


def _gear(cx: float, cy: float, outer: float, inner: float, teeth: int) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    step = 360 / (teeth * 4)
    for i in range(teeth * 4):
        radius = outer if i % 4 in (0, 1) else inner
        angle = math.radians(i * step - step / 2)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _envelope(parent: ET.Element, x: float, y: float, w: float, h: float, filled: bool) -> None:
    body = "b-fill" if filled else "b-hollow"
    flap = "b-knock" if filled else "b-line b-thin"
    _sub(parent, "rect", {"class": body, "x": x, "y": y, "width": w, "height": h})
    _sub(
        parent,
        "path",
        {"class": flap, "d": f"M{_pts([(x, y)])} L{_pts([(x + w / 2, y + h * 0.55)])} L{_pts([(x + w, y)])}"},
    )


def _task_marker(group: ET.Element, kind: TaskKind, x: float, y: float) -> bool:
    """Type icon in the top-left corner (local box about 20×20 starting at x+5, y+5); True if drawn."""
    if kind in (TaskKind.TASK, TaskKind.CALL_ACTIVITY) or kind.is_container:
        return False
    g = _placed(group, x, y)
    if kind is TaskKind.USER:
        _sub(g, "path", {"class": "b-hollow", "d": "M7,25 C7,18 23,18 23,25 Z"})
        _sub(g, "circle", {"class": "b-hollow", "cx": 15, "cy": 13, "r": 4.5})
        _sub(g, "path", {"class": "b-fill", "d": "M10.5,12 C11,8 19,8 19.5,12 C17,10 13,10 10.5,12 Z"})
    elif kind is TaskKind.MANUAL:
        d = (
            "M6,15 L13,11 L15,12 L12,15 L22,15 Q23.5,16 22,17 L16,17 L21,17 Q22.5,18 21,19 L16,19 "
            "L20,19 Q21.5,20 20,21 L16,21 L18.5,21 Q20,22 18.5,23 L8,23 Q6,23 6,21 Z"
        )
        _sub(g, "path", {"class": "b-hollow", "d": d})
    elif kind is TaskKind.SERVICE:
        _sub(g, "polygon", {"class": "b-hollow", "points": _pts(_gear(13, 13, 7, 5, 8))})
        _sub(g, "circle", {"class": "b-hollow", "cx": 13, "cy": 13, "r": 2.5})
        _sub(g, "polygon", {"class": "b-hollow", "points": _pts(_gear(19, 19, 7, 5, 8))})
        _sub(g, "circle", {"class": "b-hollow", "cx": 19, "cy": 19, "r": 2.5})
    elif kind is TaskKind.SCRIPT:
        d = "M10,7 H22 Q17,11 20,15 Q23,19 18,23 H6 Q11,19 8,15 Q5,11 10,7 Z"
        _sub(g, "path", {"class": "b-hollow", "d": d})
        _sub(g, "path", {"class": "b-line b-thin", "d": "M10.5,11 H18 M11,15 H19 M10.5,19 H18"})
    elif kind is TaskKind.BUSINESS_RULE:
        _sub(g, "rect", {"class": "b-hollow", "x": 7, "y": 8, "width": 18, "height": 13})
        _sub(g, "rect", {"class": "b-fill", "x": 7, "y": 8, "width": 18, "height": 4})
        _sub(g, "path", {"class": "b-line b-thin", "d": "M7,16.5 H25 M12,12 V21"})
    elif kind is TaskKind.SEND:
        _envelope(g, 7, 8, 18, 12, filled=True)
    elif kind is TaskKind.RECEIVE:
        _envelope(g, 7, 8, 18, 12, filled=False)
    return True


def _bottom_marker(group: ET.Element, marker: str, x: float, y: float, size: float) -> None:
    g = _placed(group, x, y)
    if marker == "collapsed":
        _sub(g, "rect", {"class": "b-hollow", "x": 0, "y": 0, "width": size, "height": size})
        _sub(g, "path", {"class": "b-line", "d": "M7,3 V11 M3,7 H11"})
    elif marker == "loop":
        _sub(g, "path", {"class": "b-line", "d": "M3.5,10.5 A5,5 0 1 1 10.5,10.5"})
        _sub(g, "polygon", {"class": "b-fill", "points": "2,7.5 6,11 1.5,12.5"})
    elif marker == "parallel":
        _sub(g, "path", {"class": "b-line", "d": "M3,1 V13 M7,1 V13 M11,1 V13"})
    elif marker == "sequential":
        _sub(g, "path", {"class": "b-line", "d": "M1,3 H13 M1,7 H13 M1,11 H13"})
    elif marker == "adhoc":
        _sub(g, "path", {"class": "b-line", "d": "M1,8 C4,3 7,4 7,7 S10,11 13,6"})
    elif marker == "compensation":
        _sub(g, "polygon", {"class": "b-hollow", "points": "0,7 7,2 7,12"})
        _sub(g, "polygon", {"class": "b-hollow", "points": "7,7 14,2 14,12"})


def _event_marker(
    group: ET.Element, triggers: Sequence[EventTrigger], throw: bool, cx: float, cy: float, scale: float
) -> None:
    """Trigger symbol in event-radius-18 units: black for throwing, outlined for catching."""
    g = _placed(group, cx, cy, scale)
    fill = "b-fill" if throw else "b-hollow"
    if len(triggers) > 1:
        _sub(g, "polygon", {"class": fill, "points": _pts(_polygon(9, 5))})
        return
    trigger = triggers[0]
    if trigger is EventTrigger.MESSAGE:
        _envelope(g, -8.5, -6, 17, 12, filled=throw)
    elif trigger is EventTrigger.TIMER:
        _sub(g, "circle", {"class": "b-hollow", "cx": 0, "cy": 0, "r": 11})
        ticks = " ".join(
            f"M{_num(9 * math.cos(a))},{_num(9 * math.sin(a))} L{_num(11 * math.cos(a))},{_num(11 * math.sin(a))}"
            for a in (math.radians(i * 30) for i in range(12))
        )
        _sub(g, "path", {"class": "b-line b-thin", "d": ticks})
        _sub(g, "path", {"class": "b-line b-thin", "d": "M0,0 L1.5,-8 M0,0 L6,2"})
    elif trigger is EventTrigger.ERROR:
        _sub(g, "polygon", {"class": fill, "points": "-9,9 -4,-8 1.5,1.5 8,-9 4,9 -1,-1"})
    elif trigger is EventTrigger.ESCALATION:
        _sub(g, "polygon", {"class": fill, "points": "0,-10 7,9 0,2 -7,9"})
    elif trigger is EventTrigger.SIGNAL:
        _sub(g, "polygon", {"class": fill, "points": "0,-10 9,6 -9,6"})
    elif trigger is EventTrigger.CONDITIONAL:
        _sub(g, "rect", {"class": "b-hollow", "x": -7, "y": -9, "width": 14, "height": 18})
        _sub(g, "path", {"class": "b-line b-thin", "d": "M-4.5,-5 H4.5 M-4.5,-1.5 H4.5 M-4.5,2 H4.5 M-4.5,5.5 H4.5"})
    elif trigger is EventTrigger.LINK:
        _sub(g, "polygon", {"class": fill, "points": "-8,-3.5 1,-3.5 1,-8 9,0 1,8 1,3.5 -8,3.5"})
    elif trigger is EventTrigger.COMPENSATION:
        _sub(g, "polygon", {"class": fill, "points": "-10,0 -1,-7 -1,7"})
        _sub(g, "polygon", {"class": fill, "points": "-1,0 8,-7 8,7"})
    elif trigger is EventTrigger.CANCEL:
        _sub(g, "path", {"class": "b-bold", "d": "M-6.5,-6.5 L6.5,6.5 M6.5,-6.5 L-6.5,6.5"})
    elif trigger is EventTrigger.TERMINATE:
        _sub(g, "circle", {"class": "b-fill", "cx": 0, "cy": 0, "r": 10})


def _gateway_marker(
    group: ET.Element, kind: GatewayKind, instantiate: bool, cx: float, cy: float, scale: float
) -> None:
    """Gateway symbol in units of a 50×50 diamond."""
    g = _placed(group, cx, cy, scale)
    if kind is GatewayKind.EXCLUSIVE:
        _sub(g, "path", {"class": "b-bold", "d": "M-8,-8 L8,8 M8,-8 L-8,8"})
    elif kind is GatewayKind.PARALLEL:
        _sub(g, "path", {"class": "b-bold", "d": "M0,-12 V12 M-12,0 H12"})
    elif kind is GatewayKind.INCLUSIVE:
        _sub(g, "circle", {"class": "b-line", "cx": 0, "cy": 0, "r": 10, "stroke-width": 2.5})
    elif kind is GatewayKind.COMPLEX:
        _sub(g, "path", {"class": "b-bold", "d": "M0,-12 V12 M-12,0 H12 M-8,-8 L8,8 M8,-8 L-8,8", "stroke-width": 3})
    elif kind is GatewayKind.EVENT_BASED:
        _sub(g, "circle", {"class": "b-line b-thin", "cx": 0, "cy": 0, "r": 12})
        if not instantiate:
            _sub(g, "circle", {"class": "b-line b-thin", "cx": 0, "cy": 0, "r": 9.5})
        _sub(g, "polygon", {"class": "b-line b-thin", "points": _pts(_polygon(6.5, 5))})


def _data_object(group: ET.Element, b: Bounds, kind: ArtifactKind, body: Mapping[str, _Attr]) -> None:
    fold = min(12.0, b.width / 3, b.height / 3)
    right, bottom = b.x + b.width, b.y + b.height
    d = f"M{_pts([(b.x, b.y)])} H{_num(right - fold)} L{_pts([(right, b.y + fold)])} V{_num(bottom)} H{_num(b.x)} Z"
    _sub(group, "path", {**body, "d": d})
    _sub(
        group,
        "path",
        {"class": "b-line b-thin", "d": f"M{_pts([(right - fold, b.y)])} V{_num(b.y + fold)} H{_num(right)}"},
    )
    if kind in (ArtifactKind.DATA_INPUT, ArtifactKind.DATA_OUTPUT):
        css = "b-hollow" if kind is ArtifactKind.DATA_INPUT else "b-fill"
        g = _placed(group, b.x + 4, b.y + 4)
        _sub(g, "polygon", {"class": css, "points": "0,3 6,3 6,0 11,5 6,10 6,7 0,7"})


def _data_store(group: ET.Element, b: Bounds, body: Mapping[str, _Attr]) -> None:
    rx, ry = b.width / 2, min(b.height * 0.12, 8.0)
    left, right, top, bottom = b.x, b.x + b.width, b.y + ry, b.y + b.height - ry
    arc = f"A{_num(rx)},{_num(ry)} 0 0 0"
    d = f"M{_pts([(left, top)])} V{_num(bottom)} {arc} {_pts([(right, bottom)])} V{_num(top)}"
    _sub(group, "path", {**body, "d": d})
    _sub(group, "ellipse", {**body, "cx": b.x + rx, "cy": top, "rx": rx, "ry": ry})
    for offset in (ry * 0.6, ry * 1.2):
        _sub(
            group,
            "path",
            {"class": "b-line b-thin", "d": f"M{_pts([(left, top + offset)])} {arc} {_pts([(right, top + offset)])}"},
        )


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
