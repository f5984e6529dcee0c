"""The portfolio bubble chart as plain SVG, without a plotting library.

One picture answers the mayor's question "where is the routine bulk of our
work?": x is how routine a step is, y how much judgment it needs, the bubble's
area is the staff hours it takes per year and its colour the recommendation.
Routine, low-judgment, large bubbles (bottom right) are the candidates.

The SVG is built with :mod:`xml.etree.ElementTree`, so step names are escaped
by the writer.  Numbers are rounded to two decimals and bubbles drawn in a
fixed order, so the same input always gives the same bytes.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from reports.i18n import Bilingual
from reports.style import DISPOSITION_STYLES
from scoring.result import Disposition

__all__ = ["Bubble", "ChartLabels", "bubble_chart", "bubble_radius"]

FONT_FAMILY = '"Noto Sans CJK JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", sans-serif'

_WIDTH = 780.0
_HEIGHT = 500.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 64.0, 200.0, 18.0, 58.0
_R_MAX = 34.0
_R_MIN = 3.0
_INK = "#1f1f1f"
_GRID = "#d9d9d9"
_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
_SPREAD = 7.0


@dataclass(frozen=True, slots=True)
class Bubble:
    """One step on the chart."""

    key: str
    """Stable unique key (file, process and element id): the tie-breaker for drawing order."""
    x: float
    """Routine-ness 0–1."""
    y: float
    """Judgment need 0–1."""
    hours_per_year: float
    """Staff hours per year: the bubble's area is proportional to it."""
    disposition: Disposition
    """Colour."""
    tooltip: str
    """Hover text: step name and values (plain text; escaped on output)."""
    label: str = ""
    """Short text drawn inside the bubble, e.g. the candidate rank."""
    href: str | None = None
    """Link target (the step on its flow page)."""


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Every word on the chart, in both languages."""

    x_axis: Bilingual
    """Label under the x axis."""
    y_axis: Bilingual
    """Label beside the y axis."""
    candidates: Bilingual
    """Caption of the routine / low-judgment corner."""
    size: Bilingual
    """Title of the bubble-size key (hours per year)."""
    hours_unit: Bilingual
    """Unit after the size-key numbers."""
    empty: Bilingual
    """Shown when there is nothing to plot."""
    title: Bilingual
    """Accessible name of the chart."""


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "", "-") else text


def _sub(
    parent: ET.Element, tag: str, attrs: dict[str, str | float] | None = None, text: str | None = None
) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v if isinstance(v, str) else _num(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = text
    return element


def _bilingual_text(parent: ET.Element, text: Bilingual, attrs: dict[str, str | float]) -> None:
    """Two ``<text>`` elements; the page's CSS hides the inactive language."""
    for lang in ("ja", "en"):
        _sub(parent, "text", {**attrs, "lang": lang}, getattr(text, lang))


def bubble_radius(hours: float, max_hours: float) -> float:
    """Radius so that area ∝ hours; tiny steps keep a visible minimum.

    >>> bubble_radius(100, 100)
    34.0
    >>> round(bubble_radius(25, 100), 2)
    17.0
    >>> bubble_radius(0, 100)
    3.0
    """
    if max_hours <= 0 or hours <= 0:
        return _R_MIN
    return max(_R_MIN, _R_MAX * math.sqrt(min(hours, max_hours) / max_hours))


def _clamp(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def _nice_hours(value: float) -> float:
    """A round number ≤ value for the size key (1, 2 or 5 × 10^n)."""
    if value <= 0:
        return 0.0
    exponent = math.floor(math.log10(value))
    for factor in (5, 2, 1):
        candidate = factor * 10.0**exponent
        if candidate <= value:
            return candidate
    return 10.0**exponent


def _spread(bubbles: Sequence[Bubble]) -> dict[str, tuple[float, float]]:
    """Pixel offsets that fan out bubbles sitting on the same point (many steps share default features).

    The first bubble (by key) stays put; the others follow a sunflower spiral,
    so the layout depends only on the data, never on input order.
    """
    groups: dict[tuple[float, float], list[str]] = {}
    for bubble in bubbles:
        point = (round(_clamp(bubble.x), 2), round(_clamp(bubble.y), 2))
        groups.setdefault(point, []).append(bubble.key)
    offsets: dict[str, tuple[float, float]] = {}
    for keys in groups.values():
        for k, key in enumerate(sorted(keys)):
            angle = math.radians(137.5 * k)
            distance = _SPREAD * math.sqrt(k)
            offsets[key] = (distance * math.cos(angle), distance * math.sin(angle))
    return offsets


def bubble_chart(bubbles: Sequence[Bubble], labels: ChartLabels) -> str:
    """SVG text (no XML declaration, ready to inline in HTML) of the portfolio chart.

    >>> from scoring.result import Disposition
    >>> text = Bilingual("x", "x")
    >>> svg = bubble_chart(
    ...     [Bubble("a", 0.9, 0.1, 400, Disposition.RPA, "入力 <1>", "1")],
    ...     ChartLabels(text, text, text, text, text, text, text),
    ... )
    >>> "入力 &lt;1&gt;" in svg, svg.count("<circle")
    (True, 8)
    """
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM

    def px(x: float) -> float:
        return _LEFT + _clamp(x) * plot_w

    def py(y: float) -> float:
        return _TOP + (1 - _clamp(y)) * plot_h

    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "bubble-chart",
            "role": "group",  # not "img": the bubbles are links, and an image may hold nothing focusable
            "aria-label": f"{labels.title.ja} / {labels.title.en}",
            "viewBox": f"0 0 {_num(_WIDTH)} {_num(_HEIGHT)}",
            "width": _num(_WIDTH),
            "height": _num(_HEIGHT),
            "font-family": FONT_FAMILY,
            "font-size": "12",
        },
    )
    _sub(root, "title", text=f"{labels.title.ja} / {labels.title.en}")

    # Candidate corner: routine ≥ 0.5 and judgment ≤ 0.5.
    corner = _sub(root, "g", {"class": "chart-corner"})
    _sub(corner, "rect", {"x": px(0.5), "y": py(0.5), "width": plot_w / 2, "height": plot_h / 2, "fill": "#f2f7fb"})
    _bilingual_text(
        corner, labels.candidates, {"x": px(1) - 8, "y": py(0.5) + 18, "text-anchor": "end", "fill": "#4a6b82"}
    )

    axes = _sub(root, "g", {"class": "chart-axes", "fill": _INK})
    for tick in _TICKS:
        _sub(axes, "line", {"x1": px(tick), "y1": py(0), "x2": px(tick), "y2": py(1), "stroke": _GRID})
        _sub(axes, "line", {"x1": px(0), "y1": py(tick), "x2": px(1), "y2": py(tick), "stroke": _GRID})
        _sub(axes, "text", {"x": px(tick), "y": py(0) + 16, "text-anchor": "middle"}, _num(tick))
        _sub(axes, "text", {"x": px(0) - 8, "y": py(tick) + 4, "text-anchor": "end"}, _num(tick))
    _sub(axes, "rect", {"x": px(0), "y": py(1), "width": plot_w, "height": plot_h, "fill": "none", "stroke": "#888"})
    _bilingual_text(axes, labels.x_axis, {"x": px(0.5), "y": _HEIGHT - 14, "text-anchor": "middle", "font-size": "13"})
    y_mid = py(0.5)
    _bilingual_text(
        axes,
        labels.y_axis,
        {"x": 16, "y": y_mid, "text-anchor": "middle", "font-size": "13", "transform": f"rotate(-90 16 {_num(y_mid)})"},
    )

    max_hours = max((b.hours_per_year for b in bubbles), default=0.0)
    plotted = _sub(root, "g", {"class": "chart-bubbles"})
    if not bubbles:
        _bilingual_text(plotted, labels.empty, {"x": px(0.5), "y": py(0.5), "text-anchor": "middle"})
    # Big bubbles first so small ones stay on top and clickable.
    offsets = _spread(bubbles)
    for bubble in sorted(bubbles, key=lambda b: (-b.hours_per_year, b.key)):
        style = DISPOSITION_STYLES[bubble.disposition]
        holder = _sub(plotted, "a", {"href": bubble.href}) if bubble.href else plotted
        group = _sub(holder, "g", {"class": f"bubble {style.css_class}", "data-key": bubble.key})
        _sub(group, "title", text=bubble.tooltip)
        radius = bubble_radius(bubble.hours_per_year, max_hours)
        dx, dy = offsets.get(bubble.key, (0.0, 0.0))
        cx = min(px(1), max(px(0), px(bubble.x) + dx))
        cy = min(py(0), max(py(1), py(bubble.y) + dy))
        _sub(
            group,
            "circle",
            {"cx": cx, "cy": cy, "r": radius, "fill": style.strong, "fill-opacity": "0.55", "stroke": style.strong},
        )
        if bubble.label and radius >= 7:
            _sub(
                group,
                "text",
                {"x": cx, "y": cy + 4, "text-anchor": "middle", "font-size": "11", "font-weight": "bold", "fill": _INK},
                bubble.label,
            )

    legend = _sub(root, "g", {"class": "chart-legend", "fill": _INK})
    lx = _WIDTH - _RIGHT + 24
    y = _TOP + 10
    for disposition, style in DISPOSITION_STYLES.items():
        item = _sub(legend, "g", {"class": f"legend-item {style.css_class}", "data-disposition": disposition.value})
        swatch: dict[str, str | float] = {"cx": lx + 7, "cy": y, "r": 7, "fill": style.strong}
        swatch.update({"fill-opacity": "0.55", "stroke": style.strong})
        _sub(item, "circle", swatch)
        _bilingual_text(item, Bilingual(style.ja, style.en), {"x": lx + 22, "y": y + 4})
        y += 24
    y += 12
    _bilingual_text(legend, labels.size, {"x": lx, "y": y})
    reference = _nice_hours(max_hours)
    if reference > 0:
        for value in (reference, reference / 4):
            radius = bubble_radius(value, max_hours)
            y += radius + 10
            _sub(legend, "circle", {"cx": lx + _R_MAX, "cy": y, "r": radius, "fill": "none", "stroke": "#666"})
            hours_text = f"{value:,.0f}"
            _bilingual_text(
                legend,
                Bilingual(f"{hours_text} {labels.hours_unit.ja}", f"{hours_text} {labels.hours_unit.en}"),
                {"x": lx + 2 * _R_MAX + 8, "y": y + 4},
            )
            y += radius

    _indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _indent(element: ET.Element, level: int = 0) -> None:
    """Line breaks between elements for readable diffs, never inside ``<text>``/``<title>``."""
    children = list(element)
    if not children or element.tag in ("text", "title"):
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in children:
        _indent(child, level + 1)
        child.tail = pad
    children[-1].tail = "\n" + "  " * level
