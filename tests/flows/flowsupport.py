"""Where the generated flows live, and the geometry helpers their tests share."""

from __future__ import annotations

from pathlib import Path

from bpm.model import Bounds

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"
VERSIONS = REPO / "tests" / "data" / "versions"
NEGATIVE = REPO / "tests" / "data" / "flows"
SAMPLES = sorted(FLOWS.glob("*.bpmn"))
"""What ``make scan`` reads."""
ALL_DRAWN = SAMPLES + sorted(VERSIONS.glob("*.bpmn")) + sorted(NEGATIVE.glob("*.bpmn"))
"""Every BPMN file the generator writes."""


def overlaps(a: Bounds, b: Bounds) -> bool:
    """Interiors intersect (shapes that only touch do not overlap)."""
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


def inside(inner: Bounds, outer: Bounds) -> bool:
    return (outer.x <= inner.x and outer.y <= inner.y and inner.x + inner.width <= outer.x + outer.width
            and inner.y + inner.height <= outer.y + outer.height)
