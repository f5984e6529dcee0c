"""How large a flow diagram is drawn on screen and on paper: never below a readable label size.

A municipal flow is 2,000–3,000 SVG units wide with 11-unit labels, so
"shrink to the page width" gave 5 px text on a 1,200 px screen and 4 pt on
paper.  The rule here: fit the width, but not below :data:`MIN_SCREEN_LABEL_PX`
on screen (the page scrolls and pans instead) and not below
:data:`MIN_PRINT_LABEL_PX` on paper, where a wide flow is cut into two A4
landscape pages (left and right halves, or top and bottom) rather than shrunk.

The numbers go into the page as a CSS custom property and data attributes,
so the page is readable without its script (the diagram keeps its minimum
width inside a scrolling box) and ``static/site.js`` only adds zooming and
the print slices.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from bpm.errors import RenderError
from reports.printable import svg_size

__all__ = [
    "A3_AREA_FACTOR",
    "MIN_PRINT_LABEL_PX",
    "MIN_SCREEN_LABEL_PX",
    "PRINT_AREA_PX",
    "PRINT_OVERLAP_UNITS",
    "DiagramScale",
    "diagram_scale",
    "label_px",
    "smallest_label_units",
]

MIN_SCREEN_LABEL_PX = 10.0
"""Smallest label on screen, in CSS pixels (a Japanese name is still legible at 10 px)."""
MIN_PRINT_LABEL_PX = 7.0
"""Smallest label on paper, in CSS pixels (7 px = 5.25 pt, the fine print of a form, sharp on an office laser
printer).  A flow too large for two landscape pages at this size is printed on two at a smaller scale rather
than on four, and says so on the printed page (:attr:`DiagramScale.print_fits` is false; the page names the A3
size that would be readable): the bundled 転入届 (4,089 × 1,230 units, three lanes of counter and examination
work, two system lanes) prints its 11-unit names at about 5.6 px on A4 and 7.9 px on two A3 pages."""
A3_AREA_FACTOR = math.sqrt(2.0)
"""A3 is A4 with both sides √2 longer: the same margins leave (almost exactly) √2 × the drawing area."""
PRINT_AREA_PX = (1040.0, 690.0)
"""Drawing area of one A4 landscape page in CSS pixels: 297 × 210 mm less the 10 mm margins of the print
style sheet (277 × 190 mm, 1,047 × 718 px at 96 px/in), less a caption line."""
PRINT_OVERLAP_UNITS = 12.0
"""Picture units each printed part repeats of its neighbour, so nothing is lost at the cut: a part of a cut
diagram is half of it plus this, and must still fit the page (``static/site.js`` reads it from the page)."""
_LABEL_UNITS = {"di": 11.0, "graphviz": 9.0}
"""Smallest label font in the picture's own units: reports.svg draws names at 11; Graphviz edge labels are
9 pt (node names 11 pt)."""
_UNIT_PX = {"di": 1.0, "graphviz": 4.0 / 3.0}
"""CSS pixels per unit of the picture's width/height: Graphviz writes points."""


@dataclass(frozen=True, slots=True)
class DiagramScale:
    """Screen and print sizing of one diagram."""

    width_px: float
    """Natural width in CSS pixels (the labels at their drawn size)."""
    height_px: float
    """Natural height in CSS pixels."""
    min_width_px: float
    """Narrowest the diagram may be drawn on screen: labels stay at or above the screen minimum."""
    print_columns: int
    """Pages side by side the printed diagram is cut into (1 or 2)."""
    print_rows: int
    """Pages one above the other (1 or 2; never 2 × 2)."""
    print_scale: float
    """Printed size relative to the natural size (at most 1)."""
    print_label_px: float
    """Smallest label on paper, in CSS pixels at that scale."""
    print_overlap_units: float = 0.0
    """Picture units each part repeats of its neighbour (:data:`PRINT_OVERLAP_UNITS` when cut, else 0)."""
    a3_label_px: float = 0.0
    """Smallest label if the same one- or two-page plan were printed on A3 landscape (for the notice of a
    diagram that does not fit A4 readably)."""

    @property
    def print_fits(self) -> bool:
        """Every label prints at or above :data:`MIN_PRINT_LABEL_PX` on at most two A4 landscape pages."""
        return self.print_label_px >= MIN_PRINT_LABEL_PX - 1e-6

    @property
    def a3_fits(self) -> bool:
        """The same plan on A3 landscape would print every label at or above the minimum."""
        return self.a3_label_px >= MIN_PRINT_LABEL_PX - 1e-6


_FONT_SIZE = re.compile(r"""\bfont-size\s*=\s*["']\s*([0-9]*\.?[0-9]+)\s*(?:px|pt)?\s*["']""")


@lru_cache(maxsize=16)
def smallest_label_units(svg: str, layout: str) -> float:
    """Smallest ``font-size`` attribute of the picture's text, in its own units (the nominal label size when
    the picture states none).  reports.svg shrinks a long name to fit its shape, down to 9 units; the plan
    must hold for that name, not for the nominal 11.

    Remembered for the last few pictures: a sheet's plan, its label size and its small-print note each ask
    for the same picture (six regex passes over a whole SVG a flow before).

    >>> smallest_label_units('<svg><text font-size="12">a</text><text font-size="10.5">b</text></svg>', "di")
    10.5
    >>> smallest_label_units("<svg/>", "graphviz")
    9.0
    """
    sizes = [float(m.group(1)) for m in _FONT_SIZE.finditer(svg)]
    sizes = [size for size in sizes if math.isfinite(size) and size > 0]
    return min(sizes) if sizes else _LABEL_UNITS.get(layout, 11.0)


def label_px(layout: str) -> float:
    """Smallest label of a picture at its natural size, in CSS pixels.

    >>> label_px("di"), label_px("graphviz")
    (11.0, 12.0)
    """
    return _LABEL_UNITS.get(layout, 11.0) * _UNIT_PX.get(layout, 1.0)


def diagram_scale(svg: str, layout: str) -> DiagramScale:
    """Screen minimum and print plan of a diagram (``layout``: ``di`` or ``graphviz``).

    The print plan is the cut (1 × 1, 2 × 1 or 1 × 2 pages) that prints the
    labels largest, never enlarging beyond the natural size.

    >>> plan = diagram_scale('<svg width="2630" height="940"></svg>', "di")
    >>> round(plan.min_width_px), plan.print_columns, plan.print_rows, round(plan.print_label_px, 1)
    (2391, 2, 1, 8.1)
    >>> diagram_scale('<svg width="600" height="300"></svg>', "di").print_scale
    1.0
    """
    try:
        width, height = svg_size(svg)
    except RenderError:
        width, height = 0.0, 0.0
    unit = _UNIT_PX.get(layout, 1.0)
    width_px, height_px = width * unit, height * unit
    label = smallest_label_units(svg, layout) * unit
    if not (math.isfinite(width_px) and math.isfinite(height_px)) or width_px <= 0 or height_px <= 0:
        return DiagramScale(0.0, 0.0, 0.0, 1, 1, 1.0, label)
    min_width = width_px * min(1.0, MIN_SCREEN_LABEL_PX / label)
    columns, rows, scale = _print_plan(width_px, height_px, label, unit, PRINT_AREA_PX)
    a3_area = (PRINT_AREA_PX[0] * A3_AREA_FACTOR, PRINT_AREA_PX[1] * A3_AREA_FACTOR)
    a3_scale = _print_plan(width_px, height_px, label, unit, a3_area)[2]
    overlap = PRINT_OVERLAP_UNITS if columns * rows > 1 else 0.0
    return DiagramScale(width_px, height_px, min_width, columns, rows, scale, scale * label, overlap,
                        a3_scale * label)


def _print_plan(width_px: float, height_px: float, label: float, unit: float,
                area: tuple[float, float]) -> tuple[int, int, float]:
    """Columns, rows and scale of the cut that prints the labels largest on pages of ``area``."""
    area_w, area_h = area
    overlap_px = PRINT_OVERLAP_UNITS * unit
    best = (1, 1, 0.0)
    for columns, rows in ((1, 1), (2, 1), (1, 2)):
        part_w = width_px / columns + (overlap_px if columns > 1 else 0.0)
        part_h = height_px / rows + (overlap_px if rows > 1 else 0.0)
        scale = min(1.0, area_w / part_w, area_h / part_h)
        if scale > best[2] + 1e-9:
            best = (columns, rows, scale)
    columns, rows, scale = best
    if scale >= 1.0 or scale * label >= MIN_PRINT_LABEL_PX:  # a second page only when one is not readable
        one = min(1.0, area_w / width_px, area_h / height_px)
        if one * label >= MIN_PRINT_LABEL_PX:
            columns, rows, scale = 1, 1, one
    return columns, rows, scale
