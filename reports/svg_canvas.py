"""The SVG being built: one group per element, the running extent, and text placed in or beside shapes.

Why apart from :mod:`reports.svg`: every painter of a diagram (shapes,
connectors) writes through the same few steps — a ``<g>`` per element with
its DOM id, classes, overlay tooltip, badge and finding marker; text lines
fitted to a box or wrapped beside a shape, with the whole text kept as a
tooltip when cut; the bounding box grown for the viewBox.  They live here
once; :mod:`reports.svg_shapes` and :mod:`reports.svg_edges` draw on top.
"""

from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bpm.model import (
    Artifact,
    Association,
    Bounds,
    Definitions,
    Diagram,
    DiColours,
    ElementId,
    FlowNode,
    Lane,
    MessageFlow,
    Participant,
    Process,
    ProcessId,
    SequenceFlow,
    Shape,
)
from reports.glyphs import Attr, sub
from reports.overlay import Overlay
from reports.palette import Palette, apply_palette
from reports.text import LINE_HEIGHT, FittedText, fit_text, measure_text, wrap_text

TASK_FONT = 12.0
LABEL_FONT = 11.0
MIN_FONT = 0.75
"""Labels shrink to this share of their font size before they are cut short with an ellipsis."""
_MAX_EXTERNAL_LINES = 6
"""External labels (events, gateways, data, flows) have no shape to fit; this many lines at most."""
EXTERNAL_LABEL_WIDTH = 90.0
_FINDING_RADIUS = 8.0
_BADGE_GAP = 2.0


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


def capped(text: str, lines: list[str], width: float, font_size: float) -> tuple[list[str], str | None]:
    """At most :data:`_MAX_EXTERNAL_LINES` of a free-standing label, and the full text when cut."""
    if len(lines) <= _MAX_EXTERNAL_LINES:
        return lines, None
    fitted = fit_text(text, width, _MAX_EXTERNAL_LINES * font_size * LINE_HEIGHT, font_size, font_size)
    return list(fitted.lines), text


_LABEL_STRETCH = 1.35
"""How much wider than the modeler's label box a label may grow to keep the box's number of lines."""


def fit_label(text: str, label: Bounds) -> list[str]:
    """Wrap an external label at the width of the modeler's label box, as bpmn-js does.

    The modeler measured with its own font; ours is a little wider, so a label
    box one line high must not turn into two lines just because of that: the
    width may grow a little (up to :data:`_LABEL_STRETCH`) to keep the line
    count, but not so much that a long name becomes one line across its
    neighbours.  A box of no size (Bizagi writes them) marks the label's
    top-centre point; bpmn-js then wraps at its default 90.
    """
    if label.width <= 1:
        return wrap_text(text, EXTERNAL_LABEL_WIDTH, LABEL_FONT)
    wanted = max(1, round(label.height / 14))
    width = max(label.width, 20.0)
    widest = width * _LABEL_STRETCH
    lines = wrap_text(text, width, LABEL_FONT)
    while len(lines) > wanted and width < widest:
        width = min(width * 1.1, widest)
        lines = wrap_text(text, width, LABEL_FONT)
    return lines


def label_centre(label: Bounds) -> float:
    """Horizontal centre of a DI label box (its point when it has no size)."""
    return label.x + label.width / 2 if label.width > 1 else label.x


Drawable = FlowNode | SequenceFlow | Lane | Participant | MessageFlow | Artifact | Association


@dataclass(slots=True)
class ElementIndex:
    """Every drawable semantic element by id, plus the few relations drawing needs."""

    elements: dict[str, Drawable] = field(default_factory=dict)
    processes: Mapping[ProcessId, Process] = field(default_factory=dict)
    children: dict[str, list[FlowNode]] = field(default_factory=dict)

    @classmethod
    def build(cls, definitions: Definitions) -> ElementIndex:
        index = cls(processes=definitions.processes)
        found: list[Drawable] = []
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

    def lookup(self, element_id: str) -> Drawable | None:
        return self.elements.get(element_id)


@dataclass(slots=True)
class Extent:
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



class Canvas:
    """The groups drawn so far for one diagram, and how text and decorations are added to them."""

    def __init__(self, index: ElementIndex, diagram: Diagram, overlays: Mapping[ElementId, Overlay]) -> None:
        self.index = index
        self.diagram = diagram
        self.overlays = overlays
        self.skipped: list[ElementId] = []
        self.extent = Extent()
        self.body = ET.Element("g", {"class": "bpmn-layers"})
        self.used_ids: dict[str, int] = {}
        self.shown = {s.element_id for s in diagram.shapes}
        self.pool_shapes = [s for s in diagram.shapes if isinstance(index.lookup(s.element_id), Participant)]
        self.lane_shapes = [s for s in diagram.shapes if isinstance(index.lookup(s.element_id), Lane)]
        self.node_shapes = [s for s in diagram.shapes if isinstance(index.lookup(s.element_id), FlowNode)]
        self.file_fills = not overlays
        """File fill colours are drawn only without overlays: in an annotated diagram fill means disposition."""

    def _group(self, element: Drawable, kind_classes: Sequence[str]) -> tuple[ET.Element, Overlay | None]:
        overlay = self.overlays.get(element.id)
        base = dom_id(element.id)
        count = self.used_ids.get(base, 0) + 1
        self.used_ids[base] = count
        classes = ["bpmn-element", *kind_classes, *(overlay.classes if overlay else ())]
        group = sub(
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
            sub(group, "title", text=tooltip)
        return group, overlay

    @staticmethod
    def _fill(attrs: dict[str, Attr], overlay: Overlay | None) -> dict[str, Attr]:
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
            badge = sub(group, "g", {"class": "b-badge"})
            sub(badge, "rect", {"x": x, "y": y, "width": width, "height": height, "rx": 7.5})
            sub(badge, "text", {"x": x + width / 2, "y": y + 11, "text-anchor": "middle"}, text)
            self.extent.add(x, y, width, height)
        if overlay.finding:
            cx, cy, r = bounds.x, bounds.y, _FINDING_RADIUS
            finding = sub(group, "g", {"class": "b-finding"})
            sub(finding, "circle", {"cx": cx, "cy": cy, "r": r})
            sub(finding, "text", {"x": cx, "y": cy + 4, "text-anchor": "middle"}, "!")
            self.extent.add(cx - r, cy - r, 2 * r, 2 * r)

    def _colour(self, start: int, colours: DiColours | None) -> None:
        """Give the groups drawn since ``start`` the modeler's colours, as bpmn-js paints them."""
        palette = Palette.of(colours, fills=self.file_fills)
        if palette is not None:
            for group in self.body[start:]:
                apply_palette(group, palette)

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
        line_height = font_size * LINE_HEIGHT
        attrs: dict[str, Attr] = {"class": css, "font-size": font_size, "text-anchor": anchor}
        if transform:
            attrs["transform"] = transform
        text = sub(parent, "text", attrs)
        if full_text:
            sub(text, "title", text=full_text)
        for i, line in enumerate(lines):
            baseline = top + i * line_height + font_size * 0.95
            sub(text, "tspan", {"x": x, "y": baseline}, line)
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
        fitted = fit_text(text, box.width, box.height, font_size, font_size * MIN_FONT)
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
        lines, full = capped(text, wrap_text(text, width, font_size), width, font_size)
        self._text(parent, lines, x, top, font_size, full_text=full)

    def _external_label(self, parent: ET.Element, text: str, shape: Shape, *, above: bool = False) -> None:
        """Events, gateways and data: in the DI label bounds, else centred below the shape.

        ``above`` puts a label without DI bounds at the top edge of the shape
        instead, where bpmn-js puts a group's.
        """
        if not text.strip():
            return
        if shape.label is not None:
            self._di_label(parent, text, shape.label)
            return
        b = shape.bounds
        top = b.y if above else b.y + b.height + 5
        self._free_label(parent, text, b.x + b.width / 2, top, EXTERNAL_LABEL_WIDTH, LABEL_FONT)

    def _di_label(self, parent: ET.Element, text: str, label: Bounds) -> None:
        """A label in the modeler's label box (DI ``BPMNLabel`` bounds), wrapped as bpmn-js wraps it."""
        lines, full = capped(text, fit_label(text, label), max(label.width, EXTERNAL_LABEL_WIDTH), LABEL_FONT)
        self._text(parent, lines, label_centre(label), label.y, LABEL_FONT, full_text=full)
