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

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bpm.errors import RenderError, say
from bpm.model import (
    Artifact,
    ArtifactKind,
    Definitions,
    Diagram,
    Edge,
    ElementId,
    EventKind,
    FlowNode,
    Lane,
    Participant,
    Shape,
)
from reports.glyphs import num, sub
from reports.overlay import Overlay
from reports.svg_canvas import Drawable, ElementIndex, dom_id
from reports.svg_edges import EdgePainter
from reports.svg_shapes import ShapePainter

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
    index = ElementIndex.build(definitions)
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


# --------------------------------------------------------------------------- painter


# Layers paint back to front; the number is the first sort key.
_POOL, _LANE, _CONTAINER, _EDGE, _NODE, _BOUNDARY, _GROUP = range(7)




class _Painter(ShapePainter, EdgePainter):
    """Walks one diagram back to front and builds the SVG tree; collects skipped DI entries.

    The shapes and the connectors are drawn by the two painters it is made of
    (:mod:`reports.svg_shapes`, :mod:`reports.svg_edges`) on one
    :class:`~reports.svg_canvas.Canvas`; here is only the order and the document.
    """

    def paint(self) -> None:
        items: list[tuple[tuple[float, ...], Shape | Edge, Drawable]] = []
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

    def _layer(self, shape: Shape, element: Drawable) -> int:
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
                "viewBox": f"{num(x)} {num(y)} {num(width)} {num(height)}",
                "width": num(width),
                "height": num(height),
                "data-diagram-id": self.diagram.id,
            },
        )
        sub(root, "title", text=title)
        sub(root, "style", text=_CSS)
        root.append(self.body)
        _indent(root)
        return ET.tostring(root, encoding="unicode") + "\n"

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
