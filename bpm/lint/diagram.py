"""Diagram rules: what the report's annotated diagram would show wrongly or not at all."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from bpm.errors import Say, say
from bpm.lint.levels import listing, node_phrase
from bpm.lint.registry import Hit, Severity, rule
from bpm.model import Bounds, Definitions, ElementId, FlowNode, Shape, SourceRef, TaskKind


@rule(
    "missing-shape",
    Severity.INFO,
    "図に描かれていない要素",
    "Flow node without a shape in the diagram",
)
def _missing_shape(definitions: Definitions) -> Iterator[Hit]:
    """The report annotates the diagram; a node without a shape gets its score in the table only."""
    if not definitions.diagrams:
        return
    drawn = {shape.element_id for diagram in definitions.diagrams for shape in diagram.shapes}
    for process in definitions.processes.values():
        for node in process.nodes.values():
            if node.id not in drawn:
                yield Hit(node.source, node.id, say("lint.missing_shape", node=node_phrase(node)),
                          say("lint.missing_shape_hint"))


# --------------------------------------------------------------------------- overlapping shapes


@dataclass(frozen=True, slots=True)
class _Box:
    """One drawn element of a container, with what it may overlap without harm."""

    element_id: ElementId
    label: Say
    source: SourceRef
    bounds: Bounds
    attached_to: ElementId | None = None

    @property
    def right(self) -> float:
        return self.bounds.x + self.bounds.width

    @property
    def bottom(self) -> float:
        return self.bounds.y + self.bounds.height

    def collides(self, other: _Box) -> bool:
        """Rectangles that overlap or touch (closed intervals on both axes)."""
        return (
            self.right >= other.bounds.x and other.right >= self.bounds.x
            and self.bottom >= other.bounds.y and other.bottom >= self.bounds.y
        )

    def inside(self, parent: Bounds) -> bool:
        return (
            self.bounds.x >= parent.x and self.bounds.y >= parent.y
            and self.right <= parent.x + parent.width and self.bottom <= parent.y + parent.height
        )


@rule(
    "no-overlapping-elements",
    Severity.WARNING,
    "重なって描かれた要素・枠からはみ出した要素",
    "Shapes drawn on top of each other, or outside their pool or sub-process",
)
def _no_overlapping_elements(definitions: Definitions) -> Iterator[Hit]:
    """A shape drawn over another hides it, and the report paints its badge over the wrong step.

    Mirrors bpmnlint's ``no-overlapping-elements`` on the diagram's bounds:
    pools are compared with each other, and the flow nodes of each process and
    of each sub-process with the other flow nodes of the same container;
    rectangles that overlap or merely touch collide, except a boundary event
    and its host.  A flow node not wholly inside its pool (or its expanded
    sub-process) is reported as outside its parent.  Deliberate difference:
    data object and data store references are not compared, because the model
    does not record which sub-process level they are drawn on; the flow nodes
    they overlap are therefore not reported either.
    """
    shapes = _shapes_by_element(definitions)
    for collaboration in definitions.collaborations:
        pools = [
            _Box(p.id, say("lint.pool", name=p.name or p.id), p.source, shapes[p.id].bounds)
            for p in collaboration.participants
            if p.id in shapes and _finite(shapes[p.id].bounds)
        ]
        yield from _overlaps(pools)
    pool_bounds = {
        p.process_id: shapes[p.id].bounds for p in definitions.participants() if p.process_id and p.id in shapes
    }
    for process in definitions.processes.values():
        containers: dict[ElementId | None, list[FlowNode]] = {}
        for node in process.nodes.values():
            containers.setdefault(node.parent_id, []).append(node)
        for parent_id, members in containers.items():
            boxes = [
                _Box(n.id, node_phrase(n), n.source, shapes[n.id].bounds, n.attached_to)
                for n in members
                if n.id in shapes and _finite(shapes[n.id].bounds)
            ]
            yield from _overlaps(boxes)
            parent = _parent_bounds(process.nodes.get(parent_id) if parent_id else None, shapes)
            if parent_id is None:
                parent = pool_bounds.get(process.id)
            if parent is not None and _finite(parent):
                for box in boxes:
                    if not box.inside(parent):
                        where = say("lint.its_pool") if parent_id is None else say("lint.subprocess_id",
                                                                                                  id=parent_id)
                        yield Hit(box.source, box.element_id, say("lint.outside", node=box.label, where=where),
                                  say("lint.outside_hint"))


def _shapes_by_element(definitions: Definitions) -> Mapping[ElementId, Shape]:
    """The shape of each element; when several diagrams draw one element, the last shape counts (as bpmnlint)."""
    return {shape.element_id: shape for diagram in definitions.diagrams for shape in diagram.shapes}


def _parent_bounds(container: FlowNode | None, shapes: Mapping[ElementId, Shape]) -> Bounds | None:
    """An expanded sub-process frames its content; a collapsed one draws it elsewhere."""
    if container is None or not isinstance(container.kind, TaskKind):
        return None
    shape = shapes.get(container.id)
    return shape.bounds if shape is not None and shape.is_expanded is True else None


def _finite(bounds: Bounds) -> bool:
    return all(math.isfinite(v) for v in (bounds.x, bounds.y, bounds.width, bounds.height))


def _overlaps(boxes: Iterable[_Box]) -> Iterator[Hit]:
    """Sweep the boxes left to right; each box is compared only with those that start before it ends."""
    ordered = sorted(boxes, key=lambda b: b.bounds.x)
    partners: dict[ElementId, list[_Box]] = {}
    for i, box in enumerate(ordered):
        for other in ordered[i + 1:]:
            if other.bounds.x > box.right:
                break
            if not box.collides(other) or box.attached_to == other.element_id or other.attached_to == box.element_id:
                continue
            partners.setdefault(box.element_id, []).append(other)
            partners.setdefault(other.element_id, []).append(box)
    for box in sorted(ordered, key=lambda b: (b.source.line or 0, b.element_id)):
        if box.element_id in partners:
            others = listing([say("lint.with_id", node=o.label, id=o.element_id)
                              for o in partners[box.element_id][:3]])
            more = len(partners[box.element_id]) - 3
            if more > 0:
                others = say("lint.and_more", items=others, count=more)
            yield Hit(box.source, box.element_id, say("lint.overlap", node=box.label, others=others),
                      say("lint.overlap_hint"))

