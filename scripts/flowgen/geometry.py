"""Rectangles and the sizes the modelers use (bpmn-js defaults)."""

from __future__ import annotations

from dataclasses import dataclass

from flowgen.spec import EVENT_KINDS, GATEWAY_KINDS, NodeKind

TASK_SIZE = (90.0, 80.0)
"""A little narrower than bpmn-js's 100 × 80, so a long chain of steps still prints on two A4 pages at 7 px; every
name of the library still fits its box at 11 units or more (tests/reports/test_site_screens.py measures it)."""
GATEWAY_SIZE = (50.0, 50.0)
EVENT_SIZE = (36.0, 36.0)
BLACK_BOX_HEIGHT = 40.0
"""Height of a collapsed (black-box) pool, as bpmn-js draws one."""


def size_of(kind: NodeKind) -> tuple[float, float]:
    if kind in GATEWAY_KINDS:
        return GATEWAY_SIZE
    if kind in EVENT_KINDS:
        return EVENT_SIZE
    return TASK_SIZE


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle (x, y = top left)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def inflate(self, by: float) -> Box:
        return Box(self.x - by, self.y - by, self.w + 2 * by, self.h + 2 * by)

    def overlaps(self, other: Box) -> bool:
        """Interiors intersect (touching edges do not count)."""
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom

    def contains_point(self, x: float, y: float) -> bool:
        """Strictly inside."""
        return self.x < x < self.right and self.y < y < self.bottom

    def hit_by_segment(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """An axis-parallel segment passes through the interior."""
        (x1, y1), (x2, y2) = a, b
        if y1 == y2:
            lo, hi = min(x1, x2), max(x1, x2)
            return self.y < y1 < self.bottom and lo < self.right and hi > self.x
        if x1 == x2:
            lo, hi = min(y1, y2), max(y1, y2)
            return self.x < x1 < self.right and lo < self.bottom and hi > self.y
        raise ValueError("segment is not axis-parallel")
