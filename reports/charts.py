"""The portfolio charts as plain SVG, without a plotting library: bubbles, ranked hours, tornado.

The top page shows the ranked hours chart (:func:`hours_chart`); the bubble
plot below stays for pages that place steps by their features.

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
from typing import Protocol

from reports.i18n import Bilingual
from reports.style import DISPOSITION_STYLES
from reports.text import ELLIPSIS, measure_text
from scoring.result import Disposition

__all__ = [
    "Bubble", "ChartLabels", "HoursBar", "HoursLabels", "TornadoLabels", "bubble_chart", "bubble_radius",
    "hours_chart", "nice_step", "tornado_chart",
]

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
    (True, 9)
    """
    plot = _Plot()
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
    _candidate_corner(root, plot, labels)
    _axes(root, plot, labels)
    max_hours = max((b.hours_per_year for b in bubbles), default=0.0)
    _bubbles(root, plot, bubbles, labels, max_hours)
    _legend(root, labels, max_hours)
    _indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


@dataclass(frozen=True, slots=True)
class _Plot:
    """The plot area: scores 0–1 on both axes mapped to pixels (y grows downwards)."""

    width: float = _WIDTH - _LEFT - _RIGHT
    height: float = _HEIGHT - _TOP - _BOTTOM

    def px(self, x: float) -> float:
        return _LEFT + _clamp(x) * self.width

    def py(self, y: float) -> float:
        return _TOP + (1 - _clamp(y)) * self.height


def _candidate_corner(root: ET.Element, plot: _Plot, labels: ChartLabels) -> None:
    """The candidate corner, shaded: routine ≥ 0.5 and judgment ≤ 0.5."""
    px, py = plot.px, plot.py
    corner = _sub(root, "g", {"class": "chart-corner"})
    _sub(corner, "rect", {"x": px(0.5), "y": py(0.5), "width": plot.width / 2, "height": plot.height / 2,
                          "fill": "#f2f7fb"})
    _bilingual_text(
        corner, labels.candidates, {"x": px(1) - 8, "y": py(0.5) + 18, "text-anchor": "end", "fill": "#4a6b82"}
    )


def _axes(root: ET.Element, plot: _Plot, labels: ChartLabels) -> None:
    """Grid lines, ticks, the frame and both axis titles."""
    px, py = plot.px, plot.py
    axes = _sub(root, "g", {"class": "chart-axes", "fill": _INK})
    for tick in _TICKS:
        _sub(axes, "line", {"x1": px(tick), "y1": py(0), "x2": px(tick), "y2": py(1), "stroke": _GRID})
        _sub(axes, "line", {"x1": px(0), "y1": py(tick), "x2": px(1), "y2": py(tick), "stroke": _GRID})
        _sub(axes, "text", {"x": px(tick), "y": py(0) + 16, "text-anchor": "middle"}, _num(tick))
        _sub(axes, "text", {"x": px(0) - 8, "y": py(tick) + 4, "text-anchor": "end"}, _num(tick))
    _sub(axes, "rect", {"x": px(0), "y": py(1), "width": plot.width, "height": plot.height, "fill": "none",
                        "stroke": "#888"})
    _bilingual_text(axes, labels.x_axis, {"x": px(0.5), "y": _HEIGHT - 14, "text-anchor": "middle", "font-size": "13"})
    y_mid = py(0.5)
    _bilingual_text(
        axes,
        labels.y_axis,
        {"x": 16, "y": y_mid, "text-anchor": "middle", "font-size": "13", "transform": f"rotate(-90 16 {_num(y_mid)})"},
    )


def _bubbles(root: ET.Element, plot: _Plot, bubbles: Sequence[Bubble], labels: ChartLabels, max_hours: float) -> None:
    """One circle per step, area by hours, big ones first so small ones stay on top and clickable."""
    px, py = plot.px, plot.py
    plotted = _sub(root, "g", {"class": "chart-bubbles"})
    if not bubbles:
        _bilingual_text(plotted, labels.empty, {"x": px(0.5), "y": py(0.5), "text-anchor": "middle"})
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


def _legend(root: ET.Element, labels: ChartLabels, max_hours: float) -> None:
    """The dispositions' colours, then two reference circles for the bubble size (hours a year)."""
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


# --------------------------------------------------------------------------- tornado


@dataclass(frozen=True, slots=True)
class TornadoLabels:
    """Every word on the tornado chart, in both languages."""

    title: Bilingual
    """Accessible name."""
    axis: Bilingual
    """What the horizontal axis measures (the headline NPV)."""
    low: Bilingual
    """Legend: bar end at the parameter's low value."""
    high: Bilingual
    """Legend: bar end at the parameter's high value."""
    estimated: Bilingual
    """Marker for parameters that are estimates."""
    empty: Bilingual
    """Shown when no parameter moves the figure."""


class TornadoBarLike(Protocol):
    """What the chart needs of :class:`scoring.result.TornadoBar`."""

    @property
    def key(self) -> str: ...
    @property
    def low_value(self) -> float: ...
    @property
    def high_value(self) -> float: ...
    @property
    def npv_at_low(self) -> float: ...
    @property
    def npv_at_high(self) -> float: ...
    @property
    def estimated(self) -> bool: ...


_T_WIDTH = 780.0
_T_LABEL = 250.0
_T_RIGHT = 30.0
_T_ROW = 26.0
_T_TOP = 40.0
_T_BOTTOM = 46.0
_LOW_FILL = "#4a7ab5"
_HIGH_FILL = "#d08a2e"


def _man_yen(value: float) -> str:
    """Axis label in 万円 (both languages read it).

    >>> _man_yen(-12_345_678), _man_yen(0)
    ('-1,235万', '0')
    """
    if abs(value) < 5_000:
        return "0"
    return f"{value / 1e4:,.0f}万"


def _short_number(value: float) -> str:
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:g}"


def tornado_chart(bars: Sequence[TornadoBarLike], base: float, labels: TornadoLabels) -> str:
    """SVG text of a tornado chart: one bar per parameter from its NPV at low to its NPV at high.

    Bars are drawn in the order given (largest swing first), centred on the
    base NPV; the blue end is the parameter's low value, the orange end its
    high value.  Names are dotted profile keys (escaped by the writer).

    >>> from scoring.result import TornadoBar
    >>> text = Bilingual("x", "x")
    >>> svg = tornado_chart([TornadoBar("a.<b>", 1, 2, -10.0, 30.0, True)], 5.0, TornadoLabels(*[text] * 6))
    >>> "a.&lt;b&gt;" in svg, svg.count('class="tornado-bar"')
    (True, 1)
    """
    height = _T_TOP + max(1, len(bars)) * _T_ROW + _T_BOTTOM
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "tornado-chart",
            "role": "img",
            "viewBox": f"0 0 {_num(_T_WIDTH)} {_num(height)}",
            "width": _num(_T_WIDTH),
            "height": _num(height),
            "font-family": FONT_FAMILY,
            "font-size": "12",
        },
    )
    _sub(root, "title", text=f"{labels.title.ja} / {labels.title.en}")
    if not bars:
        _bilingual_text(root, labels.empty, {"x": _T_WIDTH / 2, "y": _T_TOP + _T_ROW / 2, "text-anchor": "middle",
                                             "fill": _INK})
        return ET.tostring(root, encoding="unicode")
    values = [base, *(b.npv_at_low for b in bars), *(b.npv_at_high for b in bars)]
    lo, hi = min(values), max(values)
    if hi - lo < 1:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    plot_w = _T_WIDTH - _T_LABEL - _T_RIGHT

    def px(value: float) -> float:
        return _T_LABEL + (value - lo) / (hi - lo) * plot_w

    legend = _sub(root, "g", {"class": "tornado-legend", "fill": _INK})
    _sub(legend, "rect", {"x": _T_LABEL, "y": 10, "width": 12, "height": 12, "fill": _LOW_FILL})
    _bilingual_text(legend, labels.low, {"x": _T_LABEL + 16, "y": 20})
    _sub(legend, "rect", {"x": _T_LABEL + 130, "y": 10, "width": 12, "height": 12, "fill": _HIGH_FILL})
    _bilingual_text(legend, labels.high, {"x": _T_LABEL + 146, "y": 20})
    _bilingual_text(legend, labels.estimated, {"x": _T_LABEL + 260, "y": 20})
    rows = _sub(root, "g", {"class": "tornado-rows"})
    for index, bar in enumerate(bars):
        y = _T_TOP + index * _T_ROW
        group = _sub(rows, "g", {"class": "tornado-bar"})
        _sub(group, "title", text=(f"{bar.key}: {_short_number(bar.low_value)} → {_man_yen(bar.npv_at_low)}円, "
                                   f"{_short_number(bar.high_value)} → {_man_yen(bar.npv_at_high)}円"))
        name = f"{'* ' if bar.estimated else ''}{bar.key}"
        _sub(group, "text", {"x": _T_LABEL - 8, "y": y + _T_ROW / 2 + 4, "text-anchor": "end", "fill": _INK}, name)
        for value, fill in ((bar.npv_at_low, _LOW_FILL), (bar.npv_at_high, _HIGH_FILL)):
            left, right = sorted((px(base), px(value)))
            _sub(group, "rect", {"x": left, "y": y + 4, "width": max(right - left, 0.5), "height": _T_ROW - 8,
                                 "fill": fill})
    axis_y = _T_TOP + len(bars) * _T_ROW
    axes = _sub(root, "g", {"class": "tornado-axis", "fill": _INK})
    _sub(axes, "line", {"x1": px(base), "y1": _T_TOP - 4, "x2": px(base), "y2": axis_y, "stroke": _INK})
    _sub(axes, "line", {"x1": _T_LABEL, "y1": axis_y, "x2": _T_LABEL + plot_w, "y2": axis_y, "stroke": _GRID})
    for value in (lo + pad, base, hi - pad):
        _sub(axes, "text", {"x": px(value), "y": axis_y + 16, "text-anchor": "middle"}, f"{_man_yen(value)}円")
    _bilingual_text(axes, labels.axis, {"x": _T_LABEL + plot_w / 2, "y": axis_y + 36, "text-anchor": "middle"})
    return ET.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------- ranked hours


@dataclass(frozen=True, slots=True)
class HoursBar:
    """One step on the ranked hours chart."""

    key: str
    """Stable unique key (file, process and element id): the tie-breaker for equal hours."""
    name: str
    """Step name (user data; escaped on output, shortened with … when too wide, in full in the tooltip)."""
    flow: str
    """Its 業務 (process) name, drawn small under the step name."""
    hours_per_year: float
    """Staff hours per year: the bar's length."""
    disposition: Disposition
    """Colour and the word after the value."""
    tooltip: str
    """Hover text (plain text)."""
    href: str | None = None
    """Link target (the step on its flow page)."""


@dataclass(frozen=True, slots=True)
class HoursLabels:
    """Every word on the ranked hours chart, in both languages."""

    title: Bilingual
    """Accessible name."""
    axis: Bilingual
    """What the bars measure (staff hours a year)."""
    hours_unit: Bilingual
    """Unit after a bar's value (時間 / h)."""
    empty: Bilingual
    """Shown when no step takes any time."""


_H_WIDTH = 780.0
_H_LABEL = 270.0
_H_VALUE = 150.0
_H_ROW = 34.0
_H_TOP = 46.0
_H_BOTTOM = 12.0
_H_NAME_SIZE = 13.0
_H_FLOW_SIZE = 11.0


def nice_step(value: float, ticks: int = 5) -> float:
    """A round tick spacing (1, 2, 2.5 or 5 × 10^n) so that about ``ticks`` steps reach ``value``.

    >>> nice_step(2893), nice_step(40), nice_step(0)
    (1000.0, 10.0, 1.0)
    """
    if value <= 0:
        return 1.0
    rough = value / ticks
    exponent = math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        candidate = factor * 10.0**exponent
        if candidate >= rough:
            return float(candidate)
    return 10.0 ** (exponent + 1)


def _shortened(text: str, width: float, font_size: float) -> str:
    """``text`` cut with … to fit ``width`` (one line: the bar chart keeps rows even)."""
    text = " ".join(text.split())
    if measure_text(text, font_size) <= width:
        return text
    while text and measure_text(text + ELLIPSIS, font_size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def hours_chart(bars: Sequence[HoursBar], labels: HoursLabels) -> str:
    """SVG text of the ranked hours chart: where the staff hours go, largest first.

    Replaces the routine × judgment bubble plot on the top page, whose
    bubbles piled up on one edge: here every step has its own row, a label
    and a value, on a linear scale from zero that starts at a round number.
    Bars are drawn in the order given (the caller ranks them); each is a
    link to the step, with a tooltip.  The page lists the same figures in a
    table for screen readers and print.

    >>> from scoring.result import Disposition
    >>> text = Bilingual("x", "x")
    >>> svg = hours_chart([HoursBar("a", "入力 <1>", "転入届", 2893, Disposition.RPA, "t")],
    ...                   HoursLabels(text, text, text, text))
    >>> "入力 &lt;1&gt;" in svg, svg.count("<rect"), "2,893" in svg
    (True, 1, True)
    """
    height = _H_TOP + max(1, len(bars)) * _H_ROW + _H_BOTTOM
    plot_left = _H_LABEL + 10
    plot_w = _H_WIDTH - plot_left - _H_VALUE
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "hours-chart",
            "role": "group",  # the bars are links: a group may hold focusable content, an image may not
            "aria-label": f"{labels.title.ja} / {labels.title.en}",
            "viewBox": f"0 0 {_num(_H_WIDTH)} {_num(height)}",
            "width": _num(_H_WIDTH),
            "height": _num(height),
            "font-family": FONT_FAMILY,
            "font-size": "12",
        },
    )
    _sub(root, "title", text=f"{labels.title.ja} / {labels.title.en}")
    top = max((b.hours_per_year for b in bars), default=0.0)
    step = nice_step(top)
    count = max(1, math.ceil(top / step - 1e-9))
    end = step * count
    axes = _sub(root, "g", {"class": "chart-axes", "fill": _INK})
    _bilingual_text(axes, labels.axis, {"x": plot_left, "y": 13, "font-size": "12"})
    for k in range(count + 1):
        value = step * k
        x = plot_left + plot_w * k / count
        _sub(axes, "line", {"x1": x, "y1": _H_TOP - 8, "x2": x, "y2": height - _H_BOTTOM, "stroke": _GRID})
        _sub(axes, "text", {"x": x, "y": _H_TOP - 12, "text-anchor": "middle", "font-size": "11"},
             f"{value:,.0f}")
    rows = _sub(root, "g", {"class": "chart-bars"})
    if not bars or top <= 0:
        _bilingual_text(rows, labels.empty, {"x": plot_left, "y": _H_TOP + _H_ROW / 2})
    for index, bar in enumerate(bars):
        style = DISPOSITION_STYLES[bar.disposition]
        y = _H_TOP + index * _H_ROW
        holder = _sub(rows, "a", {"href": bar.href}) if bar.href else rows
        group = _sub(holder, "g", {"class": f"hours-bar {style.css_class}", "data-key": bar.key})
        _sub(group, "title", text=bar.tooltip)
        _sub(group, "text", {"x": _H_LABEL, "y": y + 14, "text-anchor": "end", "font-size": _num(_H_NAME_SIZE)},
             _shortened(bar.name, _H_LABEL - 4, _H_NAME_SIZE))
        _sub(group, "text", {"x": _H_LABEL, "y": y + 28, "text-anchor": "end", "font-size": _num(_H_FLOW_SIZE),
                             "fill": "#555"}, _shortened(bar.flow, _H_LABEL - 4, _H_FLOW_SIZE))
        length = plot_w * max(0.0, bar.hours_per_year) / end
        _sub(group, "rect", {"x": plot_left, "y": y + 6, "width": max(length, 1.0), "height": _H_ROW - 14,
                             "fill": style.strong, "fill-opacity": "0.8", "stroke": style.strong})
        shown = f"{bar.hours_per_year:,.0f}"
        _bilingual_text(group, Bilingual(f"{shown}{labels.hours_unit.ja} {style.ja}",
                                         f"{shown} {labels.hours_unit.en} {style.en}"),
                        {"x": plot_left + length + 6, "y": y + 20, "font-size": "12"})
    _indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"
