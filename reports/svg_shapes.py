"""Shapes of a BPMN diagram at the modeler's coordinates: pools, lanes, activities, events, gateways, artifacts.

The look is bpmn-js's (markers, label placement); each shape is one group
of :class:`~reports.svg_canvas.Canvas` with the modeler's colours applied as
bpmn-js applies them.  Connectors are :mod:`reports.svg_edges`' job.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bpm.model import (
    Artifact,
    ArtifactKind,
    Bounds,
    EventKind,
    FlowNode,
    GatewayKind,
    Lane,
    LoopKind,
    Participant,
    Shape,
    TaskKind,
)
from reports.glyphs import (
    Attr,
    bottom_marker,
    data_object,
    data_store,
    event_marker,
    gateway_marker,
    num,
    placed,
    pts,
    sub,
    task_marker,
)
from reports.svg_canvas import MIN_FONT, TASK_FONT, Canvas, Drawable
from reports.text import LINE_HEIGHT, fit_text

_HEADER = 30.0
_HEADER_MIN = 20.0
"""A pool header band narrower than this cannot hold a line of text; the name then uses :data:`_HEADER`."""
_MARKER_BAND = 28.0
"""Depth of the task-type icon band: icons reach 26 units down, plus a gap so glyphs stay clear."""
_BOTTOM_BAND = 20.0
"""Depth of the loop / multi-instance / ⊞ marker row at the bottom of an activity."""
_THROW_KINDS = (EventKind.END, EventKind.INTERMEDIATE_THROW, EventKind.IMPLICIT_THROW)


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



class ShapePainter(Canvas):
    """Draws the shapes of a diagram (see the module docstring)."""

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

    def _shape(self, shape: Shape, element: Drawable) -> None:
        start = len(self.body)
        self._draw_shape(shape, element)
        self._colour(start, shape.colours)

    def _draw_shape(self, shape: Shape, element: Drawable) -> None:
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
        depth = max(band - 4, TASK_FONT * LINE_HEIGHT)
        if horizontal:  # text runs bottom-to-top in the left band: lay it out upright, then turn it
            cx, cy = b.x + band / 2, b.y + b.height / 2
            length = max(b.height - 10, 20)
            box = Bounds(cx - length / 2, cy - depth / 2, length, depth)
            self._fitted_text(group, name, box, TASK_FONT, transform=f"rotate(-90 {num(cx)} {num(cy)})")
        else:
            box = Bounds(b.x + 5, b.y + (band - depth) / 2, max(b.width - 10, 20), depth)
            self._fitted_text(group, name, box, TASK_FONT)

    def _pool(self, shape: Shape, pool: Participant) -> None:
        group, overlay = self._group(pool, ["bpmn-pool", "bpmn-participant"])
        b = shape.bounds
        horizontal = self._horizontal(shape)
        process = self.index.processes.get(pool.process_id) if pool.process_id is not None else None
        name = pool.name or (process.name if process else "")
        sub(
            group,
            "rect",
            self._fill({"class": "b-pool", "x": b.x, "y": b.y, "width": b.width, "height": b.height}, overlay),
        )
        black_box = process is None
        if black_box:
            self._centred_text(group, name, b, TASK_FONT, 5)
        else:
            band = self._band(shape, horizontal)
            if horizontal and band < b.width:
                sub(
                    group, "path", {"class": "b-line b-thin", "d": f"M{num(b.x + band)},{num(b.y)}v{num(b.height)}"}
                )
            elif not horizontal and band < b.height:
                sub(group, "path", {"class": "b-line b-thin", "d": f"M{num(b.x)},{num(b.y + band)}h{num(b.width)}"})
            self._header_label(group, name, b, horizontal, band)
        if pool.is_multi_instance:
            g = placed(group, b.x + b.width / 2 - 6, b.y + b.height - 15, marker="participant-multiplicity")
            sub(g, "path", {"class": "b-line b-heavy", "d": "M3,2 V12 M6,2 V12 M9,2 V12"})
        self._decorate(group, overlay, b)

    def _lane(self, shape: Shape, lane: Lane) -> None:
        group, overlay = self._group(lane, ["bpmn-lane"])
        b = shape.bounds
        pool = next((p for p in self.pool_shapes if _contains(p.bounds, b)), None)
        horizontal = self._horizontal(shape, pool)
        sub(
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
        rect: dict[str, Attr] = {
            "class": body_class,
            "x": b.x,
            "y": b.y,
            "width": b.width,
            "height": b.height,
            "rx": 10,
        }
        sub(group, "rect", self._fill(rect, overlay))
        if kind is TaskKind.TRANSACTION:
            inset = 3.0
            sub(
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
            depth = min(max(b.height - 12, TASK_FONT * LINE_HEIGHT), 3 * TASK_FONT * LINE_HEIGHT)
            box = Bounds(b.x + 7, b.y + 6, max(b.width - 14, 20), depth)
            self._fitted_text(group, node.name, box, TASK_FONT, valign="top")
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
        width = max(b.width - 10, TASK_FONT)
        smallest = TASK_FONT * MIN_FONT
        low, high = b.y + top_inset, b.y + b.height - bottom_inset
        natural = fit_text(name, width, b.height - 2 * pad, TASK_FONT, TASK_FONT)
        centred = b.y + (b.height - natural.height) / 2
        if not natural.truncated and low <= centred and centred + natural.height <= high:
            fitted, top = natural, centred
        else:
            fitted = fit_text(name, width, max(high - low - pad, 1.0), TASK_FONT, smallest)
            top = low + (high - low - fitted.height) / 2
            if fitted.truncated:
                whole = fit_text(name, width, max(b.height - 2 * pad, 1.0), TASK_FONT, smallest)
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
            sub(group, "circle", self._fill({"class": "b-body" + dash, "cx": cx, "cy": cy, "r": r}, overlay))
        elif kind is EventKind.END:
            sub(group, "circle", self._fill({"class": "b-body b-thick", "cx": cx, "cy": cy, "r": r}, overlay))
        else:
            sub(group, "circle", self._fill({"class": "b-body b-thin" + dash, "cx": cx, "cy": cy, "r": r}, overlay))
            sub(group, "circle", {"class": "b-line b-thin" + dash, "cx": cx, "cy": cy, "r": max(r - 3, 1)})
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
        sub(group, "polygon", self._fill({"class": "b-body", "points": pts(diamond)}, overlay))
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
            sub(group, "rect", {"class": "b-none", "x": b.x, "y": b.y, "width": b.width, "height": b.height})
            arm = min(10.0, b.width / 2)
            d = f"M{num(b.x + arm)},{num(b.y)}H{num(b.x)}V{num(b.y + b.height)}H{num(b.x + arm)}"
            sub(group, "path", {"class": "b-line b-thin", "d": d})
            # from the top-left corner, as bpmn-js lays annotations out, but inside the bracket
            pad = min(7.0, b.height / 4)
            box = Bounds(b.x + 5, b.y + pad, max(b.width - 10, 20), max(b.height - 2 * pad, 1))
            self._fitted_text(group, artifact.name, box, TASK_FONT, anchor="start", valign="top")
        elif kind is ArtifactKind.GROUP:
            sub(
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
