"""The small drawings inside BPMN shapes, in bpmn-js's vocabulary: markers, arrowheads, data shapes.

Pure functions that add SVG elements to an :mod:`xml.etree.ElementTree` group,
in the units and positions bpmn-js uses, so :mod:`reports.svg` draws what the
modeler shows.  Every marker group carries ``data-marker`` with bpmn-js's name
for it (``sub-process``, ``collection``, ``data-input`` …), which is how the
drawing is compared with bpmn-js's in the tests.  Classes (``b-fill``,
``b-hollow``, ``b-line`` …) give the colour roles that :mod:`reports.palette`
and the stylesheet fill in.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence

from bpm.model import ArtifactKind, Bounds, EventTrigger, GatewayKind, Point, TaskKind

__all__ = [
    "Attr",
    "arrowhead",
    "bottom_marker",
    "data_object",
    "data_store",
    "event_marker",
    "gateway_marker",
    "num",
    "open_arrow",
    "placed",
    "pts",
    "sub",
    "task_marker",
]

Attr = str | float
"""An SVG attribute value: text as is, numbers through :func:`num`."""


def num(value: float) -> str:
    """Fixed, short number formatting so golden files are stable.

    >>> num(1.0), num(2.345), num(-0.001)
    ('1', '2.35', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "", "-") else text


def pts(points: Iterable[tuple[float, float]]) -> str:
    """A ``points`` list: ``x,y x,y …``."""
    return " ".join(f"{num(x)},{num(y)}" for x, y in points)


def sub(parent: ET.Element, tag: str, attrs: Mapping[str, Attr] | None = None, text: str | None = None) -> ET.Element:
    """Append an element; numbers are formatted with :func:`num`, text is escaped by the writer."""
    element = ET.SubElement(parent, tag, {k: v if isinstance(v, str) else num(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = text
    return element


# --------------------------------------------------------------------------- connector ends


def arrowhead(group: ET.Element, tip: Point, direction: tuple[float, float], css: str) -> None:
    """A closed triangle ending at ``tip`` (sequence flows filled, message flows hollow)."""
    ux, uy = direction
    nx, ny = -uy, ux
    length, half = 11.0, 4.0
    base = (tip.x - ux * length, tip.y - uy * length)
    points = [
        (tip.x, tip.y),
        (base[0] + nx * half, base[1] + ny * half),
        (base[0] - nx * half, base[1] - ny * half),
    ]
    sub(group, "polygon", {"class": css, "points": pts(points)})


def open_arrow(group: ET.Element, tip: Point, direction: tuple[float, float]) -> None:
    """An open ``>`` ending at ``tip``: the end of an association."""
    ux, uy = direction
    nx, ny = -uy, ux
    length, half = 10.0, 5.0
    base = (tip.x - ux * length, tip.y - uy * length)
    a = (base[0] + nx * half, base[1] + ny * half)
    b = (base[0] - nx * half, base[1] - ny * half)
    sub(group, "path", {"class": "b-line b-thin", "d": f"M{pts([a])} L{pts([(tip.x, tip.y)])} L{pts([b])}"})


# --------------------------------------------------------------------------- markers


def placed(parent: ET.Element, x: float, y: float, scale: float = 1.0, *, marker: str) -> ET.Element:
    """A group whose local origin is (x, y); marker paths are written in local units.

    ``marker`` names what is drawn (``data-marker``), in bpmn-js's vocabulary
    where it has one, so the drawing can be compared with the modeler's.
    """
    transform = f"translate({num(x)} {num(y)})"
    if abs(scale - 1) > 0.005:
        transform += f" scale({num(scale)})"
    return sub(parent, "g", {"class": "b-marker", "transform": transform, "data-marker": marker})


_TASK_ICON = {
    TaskKind.USER: "user",
    TaskKind.MANUAL: "manual",
    TaskKind.SERVICE: "service",
    TaskKind.SCRIPT: "script",
    TaskKind.BUSINESS_RULE: "business-rule",
    TaskKind.SEND: "send",
    TaskKind.RECEIVE: "receive",
}
_BOTTOM_MARKER = {
    "collapsed": "sub-process",
    "loop": "loop",
    "parallel": "parallel",
    "sequential": "sequential",
    "adhoc": "adhoc",
    "compensation": "compensation",
}
_EVENT_ICON = {
    EventTrigger.MESSAGE: "message",
    EventTrigger.TIMER: "timer",
    EventTrigger.ERROR: "error",
    EventTrigger.ESCALATION: "escalation",
    EventTrigger.CANCEL: "cancel",
    EventTrigger.COMPENSATION: "compensation",
    EventTrigger.CONDITIONAL: "conditional",
    EventTrigger.LINK: "link",
    EventTrigger.SIGNAL: "signal",
    EventTrigger.TERMINATE: "terminate",
}
_GATEWAY_MARKER = {
    GatewayKind.EXCLUSIVE: "exclusive",
    GatewayKind.PARALLEL: "parallel-gateway",
    GatewayKind.INCLUSIVE: "inclusive",
    GatewayKind.COMPLEX: "complex",
    GatewayKind.EVENT_BASED: "event-based",
}


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
    sub(parent, "rect", {"class": body, "x": x, "y": y, "width": w, "height": h})
    sub(
        parent,
        "path",
        {"class": flap, "d": f"M{pts([(x, y)])} L{pts([(x + w / 2, y + h * 0.55)])} L{pts([(x + w, y)])}"},
    )


def task_marker(group: ET.Element, kind: TaskKind, x: float, y: float) -> bool:
    """Type icon in the top-left corner (local box about 20×20 starting at x+5, y+5); True if drawn."""
    if kind in (TaskKind.TASK, TaskKind.CALL_ACTIVITY) or kind.is_container:
        return False
    g = placed(group, x, y, marker=_TASK_ICON[kind])
    if kind is TaskKind.USER:
        sub(g, "path", {"class": "b-hollow", "d": "M7,25 C7,18 23,18 23,25 Z"})
        sub(g, "circle", {"class": "b-hollow", "cx": 15, "cy": 13, "r": 4.5})
        sub(g, "path", {"class": "b-fill", "d": "M10.5,12 C11,8 19,8 19.5,12 C17,10 13,10 10.5,12 Z"})
    elif kind is TaskKind.MANUAL:
        d = (
            "M6,15 L13,11 L15,12 L12,15 L22,15 Q23.5,16 22,17 L16,17 L21,17 Q22.5,18 21,19 L16,19 "
            "L20,19 Q21.5,20 20,21 L16,21 L18.5,21 Q20,22 18.5,23 L8,23 Q6,23 6,21 Z"
        )
        sub(g, "path", {"class": "b-hollow", "d": d})
    elif kind is TaskKind.SERVICE:
        sub(g, "polygon", {"class": "b-hollow", "points": pts(_gear(13, 13, 7, 5, 8))})
        sub(g, "circle", {"class": "b-hollow", "cx": 13, "cy": 13, "r": 2.5})
        sub(g, "polygon", {"class": "b-hollow", "points": pts(_gear(19, 19, 7, 5, 8))})
        sub(g, "circle", {"class": "b-hollow", "cx": 19, "cy": 19, "r": 2.5})
    elif kind is TaskKind.SCRIPT:
        d = "M10,7 H22 Q17,11 20,15 Q23,19 18,23 H6 Q11,19 8,15 Q5,11 10,7 Z"
        sub(g, "path", {"class": "b-hollow", "d": d})
        sub(g, "path", {"class": "b-line b-thin", "d": "M10.5,11 H18 M11,15 H19 M10.5,19 H18"})
    elif kind is TaskKind.BUSINESS_RULE:
        sub(g, "rect", {"class": "b-hollow", "x": 7, "y": 8, "width": 18, "height": 13})
        sub(g, "rect", {"class": "b-fill", "x": 7, "y": 8, "width": 18, "height": 4})
        sub(g, "path", {"class": "b-line b-thin", "d": "M7,16.5 H25 M12,12 V21"})
    elif kind is TaskKind.SEND:
        _envelope(g, 7, 8, 18, 12, filled=True)
    elif kind is TaskKind.RECEIVE:
        _envelope(g, 7, 8, 18, 12, filled=False)
    return True


def bottom_marker(group: ET.Element, marker: str, x: float, y: float, size: float) -> None:
    g = placed(group, x, y, marker=_BOTTOM_MARKER[marker])
    if marker == "collapsed":
        sub(g, "rect", {"class": "b-hollow", "x": 0, "y": 0, "width": size, "height": size})
        sub(g, "path", {"class": "b-line", "d": "M7,3 V11 M3,7 H11"})
    elif marker == "loop":
        sub(g, "path", {"class": "b-line", "d": "M3.5,10.5 A5,5 0 1 1 10.5,10.5"})
        sub(g, "polygon", {"class": "b-fill", "points": "2,7.5 6,11 1.5,12.5"})
    elif marker == "parallel":
        sub(g, "path", {"class": "b-line", "d": "M3,1 V13 M7,1 V13 M11,1 V13"})
    elif marker == "sequential":
        sub(g, "path", {"class": "b-line", "d": "M1,3 H13 M1,7 H13 M1,11 H13"})
    elif marker == "adhoc":
        sub(g, "path", {"class": "b-line", "d": "M1,8 C4,3 7,4 7,7 S10,11 13,6"})
    elif marker == "compensation":
        sub(g, "polygon", {"class": "b-hollow", "points": "0,7 7,2 7,12"})
        sub(g, "polygon", {"class": "b-hollow", "points": "7,7 14,2 14,12"})


def event_marker(
    group: ET.Element, triggers: Sequence[EventTrigger], throw: bool, cx: float, cy: float, scale: float
) -> None:
    """Trigger symbol in event-radius-18 units: black for throwing, outlined for catching."""
    g = placed(group, cx, cy, scale, marker="multiple" if len(triggers) > 1 else _EVENT_ICON[triggers[0]])
    fill = "b-fill" if throw else "b-hollow"
    if len(triggers) > 1:
        sub(g, "polygon", {"class": fill, "points": pts(_polygon(9, 5))})
        return
    trigger = triggers[0]
    if trigger is EventTrigger.MESSAGE:
        _envelope(g, -8.5, -6, 17, 12, filled=throw)
    elif trigger is EventTrigger.TIMER:
        sub(g, "circle", {"class": "b-hollow", "cx": 0, "cy": 0, "r": 11})
        ticks = " ".join(
            f"M{num(9 * math.cos(a))},{num(9 * math.sin(a))} L{num(11 * math.cos(a))},{num(11 * math.sin(a))}"
            for a in (math.radians(i * 30) for i in range(12))
        )
        sub(g, "path", {"class": "b-line b-thin", "d": ticks})
        sub(g, "path", {"class": "b-line b-thin", "d": "M0,0 L1.5,-8 M0,0 L6,2"})
    elif trigger is EventTrigger.ERROR:
        sub(g, "polygon", {"class": fill, "points": "-9,9 -4,-8 1.5,1.5 8,-9 4,9 -1,-1"})
    elif trigger is EventTrigger.ESCALATION:
        sub(g, "polygon", {"class": fill, "points": "0,-10 7,9 0,2 -7,9"})
    elif trigger is EventTrigger.SIGNAL:
        sub(g, "polygon", {"class": fill, "points": "0,-10 9,6 -9,6"})
    elif trigger is EventTrigger.CONDITIONAL:
        sub(g, "rect", {"class": "b-hollow", "x": -7, "y": -9, "width": 14, "height": 18})
        sub(g, "path", {"class": "b-line b-thin", "d": "M-4.5,-5 H4.5 M-4.5,-1.5 H4.5 M-4.5,2 H4.5 M-4.5,5.5 H4.5"})
    elif trigger is EventTrigger.LINK:
        sub(g, "polygon", {"class": fill, "points": "-8,-3.5 1,-3.5 1,-8 9,0 1,8 1,3.5 -8,3.5"})
    elif trigger is EventTrigger.COMPENSATION:
        sub(g, "polygon", {"class": fill, "points": "-10,0 -1,-7 -1,7"})
        sub(g, "polygon", {"class": fill, "points": "-1,0 8,-7 8,7"})
    elif trigger is EventTrigger.CANCEL:
        sub(g, "path", {"class": "b-bold", "d": "M-6.5,-6.5 L6.5,6.5 M6.5,-6.5 L-6.5,6.5"})
    elif trigger is EventTrigger.TERMINATE:
        sub(g, "circle", {"class": "b-fill", "cx": 0, "cy": 0, "r": 10})


def gateway_marker(
    group: ET.Element, kind: GatewayKind, instantiate: bool, cx: float, cy: float, scale: float
) -> None:
    """Gateway symbol in units of a 50×50 diamond."""
    g = placed(group, cx, cy, scale, marker=_GATEWAY_MARKER[kind])
    if kind is GatewayKind.EXCLUSIVE:
        sub(g, "path", {"class": "b-bold", "d": "M-8,-8 L8,8 M8,-8 L-8,8"})
    elif kind is GatewayKind.PARALLEL:
        sub(g, "path", {"class": "b-bold", "d": "M0,-12 V12 M-12,0 H12"})
    elif kind is GatewayKind.INCLUSIVE:
        sub(g, "circle", {"class": "b-line", "cx": 0, "cy": 0, "r": 10, "stroke-width": 2.5})
    elif kind is GatewayKind.COMPLEX:
        sub(g, "path", {"class": "b-bold", "d": "M0,-12 V12 M-12,0 H12 M-8,-8 L8,8 M8,-8 L-8,8", "stroke-width": 3})
    elif kind is GatewayKind.EVENT_BASED:
        sub(g, "circle", {"class": "b-line b-thin", "cx": 0, "cy": 0, "r": 12})
        if not instantiate:
            sub(g, "circle", {"class": "b-line b-thin", "cx": 0, "cy": 0, "r": 9.5})
        sub(g, "polygon", {"class": "b-line b-thin", "points": pts(_polygon(6.5, 5))})


def data_object(
    group: ET.Element, b: Bounds, kind: ArtifactKind, body: Mapping[str, Attr], collection: bool
) -> None:
    """Page with a folded corner (bpmn-js's proportions), ||| for a collection, an arrow for an input/output."""
    fold_x, fold_y = b.width * 10 / 51, b.height * 10 / 61
    right, bottom = b.x + b.width, b.y + b.height
    d = f"M{pts([(b.x, b.y)])} H{num(right - fold_x)} L{pts([(right, b.y + fold_y)])} V{num(bottom)} H{num(b.x)} Z"
    sub(group, "path", {**body, "d": d})
    sub(
        group,
        "path",
        {"class": "b-line b-thin", "d": f"M{pts([(right - fold_x, b.y)])} V{num(b.y + fold_y)} H{num(right)}"},
    )
    if collection:
        g = placed(group, b.x + b.width * 0.33, b.y + b.height - 18, marker="collection")
        sub(g, "path", {"class": "b-line b-heavy", "d": "M3,2 V12 M6,2 V12 M9,2 V12"})
    if kind in (ArtifactKind.DATA_INPUT, ArtifactKind.DATA_OUTPUT):
        data_input = kind is ArtifactKind.DATA_INPUT  # an outlined arrow in, a filled arrow out
        g = placed(group, b.x, b.y, marker="data-input" if data_input else "data-output")
        sub(g, "polygon", {"class": "b-line b-thin" if data_input else "b-fill", "points": _DATA_ARROW})


_DATA_ARROW = "5,9 14,9 14,6 19,11 14,16 14,13 5,13"
"""bpmn-js's arrow in the top-left corner of a data input or output, in shape units."""


def data_store(group: ET.Element, b: Bounds, body: Mapping[str, Attr]) -> None:
    rx, ry = b.width / 2, min(b.height * 0.12, 8.0)
    left, right, top, bottom = b.x, b.x + b.width, b.y + ry, b.y + b.height - ry
    arc = f"A{num(rx)},{num(ry)} 0 0 0"
    d = f"M{pts([(left, top)])} V{num(bottom)} {arc} {pts([(right, bottom)])} V{num(top)}"
    sub(group, "path", {**body, "d": d})
    sub(group, "ellipse", {**body, "cx": b.x + rx, "cy": top, "rx": rx, "ry": ry})
    for offset in (ry * 0.6, ry * 1.2):
        sub(
            group,
            "path",
            {"class": "b-line b-thin", "d": f"M{pts([(left, top + offset)])} {arc} {pts([(right, top + offset)])}"},
        )
