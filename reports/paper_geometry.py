"""SVG geometry as cairo takes it: shapes, path data, arcs and transforms, for :mod:`reports.paper_cairo`.

Pure functions from attribute text to path steps (:data:`Segment`) and affine matrices (:data:`Matrix`), with
CairoSVG's geometry where it has its own (a rounded rectangle's control points, quadratic curves as cubics), so a
sheet drawn from them is the one CairoSVG drew.  What is not plain SVG 1.1 path data, a number with a unit other
than px or pt, or a transform other than translate, scale and rotate raises :class:`Unsupported`: the caller
leaves that drawing to CairoSVG.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["IDENTITY", "Matrix", "Segment", "Unsupported", "length", "multiply", "number", "path_data",
           "rounded_rect", "shape_path", "transform"]

Matrix = tuple[float, float, float, float, float, float]
"""An affine transform (xx, yx, xy, yy, x0, y0), as cairo's ``Matrix`` takes it."""
Segment = tuple[Any, ...]
"""One path step: ``("M", x, y)``, ``("L", x, y)``, ``("C", x1, y1, x2, y2, x3, y3)``, ``("Z",)``,
``("O", cx, cy, r)`` (a circle), ``("E", cx, cy, rx, ry)`` (an ellipse), ``("A", …)`` (an arc as cairo takes it:
centre, radius, start and end angle, the scale of y to x, the rotation, the sweep)."""
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_KAPPA = 4 * (math.sqrt(2) - 1) / 3
"""Control-point distance of a quarter circle drawn as one cubic Bézier, per unit of radius."""


class Unsupported(Exception):
    """The SVG uses something drawn here differently from CairoSVG, or not at all: CairoSVG draws it instead."""


def shape_path(tag: str, element: Any) -> tuple[Segment, ...]:
    get = element.get
    if tag == "rect":
        return rounded_rect(number(get("x")), number(get("y")), number(get("width")), number(get("height")),
                     get("rx"), get("ry"))
    if tag == "circle":
        r = number(get("r"))
        return (("O", number(get("cx")), number(get("cy")), r),) if r else ()
    if tag == "ellipse":
        rx, ry = number(get("rx")), number(get("ry"))
        return (("E", number(get("cx")), number(get("cy")), rx, ry),) if rx and ry else ()
    if tag == "line":
        return (("M", number(get("x1")), number(get("y1"))), ("L", number(get("x2")), number(get("y2"))))
    if tag in ("polygon", "polyline"):
        values = [float(v) for v in re.split(r"[\s,]+", (get("points") or "").strip()) if v]
        if len(values) % 2:
            raise Unsupported("odd points")
        if not values:
            return ()
        steps: list[Segment] = [("M", values[0], values[1])]
        steps.extend(("L", values[i], values[i + 1]) for i in range(2, len(values), 2))
        if tag == "polygon":
            steps.append(("Z",))
        return tuple(steps)
    return path_data(get("d") or "")


def rounded_rect(x: float, y: float, width: float, height: float, rx_text: str | None,
          ry_text: str | None) -> tuple[Segment, ...]:
    """A rectangle, its corners rounded by one cubic curve each, with the control points CairoSVG gives them."""
    if not width or not height:
        return ()  # CairoSVG draws nothing of zero width or height
    rx_text, ry_text = rx_text if rx_text is not None else ry_text, ry_text if ry_text is not None else rx_text
    rx, ry = number(rx_text), number(ry_text)
    if rx == 0 or ry == 0:
        return (("M", x, y), ("L", x + width, y), ("L", x + width, y + height), ("L", x, y + height), ("Z",))
    rx, ry = min(rx, width / 2), min(ry, height / 2)
    c1, c2 = _KAPPA * rx, _KAPPA * ry
    right, bottom = x + width, y + height
    # each corner's second control point sits c1 (c2) from the corner's far side, as CairoSVG places it
    return (
        ("M", x + rx, y),
        ("L", right - rx, y),
        ("C", right - rx + c1, y, right, y + c2, right, y + ry),
        ("L", right, bottom - ry),
        ("C", right, bottom - ry + c2, right - rx + c1, bottom, right - rx, bottom),
        ("L", x + rx, bottom),
        ("C", x + rx - c1, bottom, x, bottom - c2, x, bottom - ry),
        ("L", x, y + ry),
        ("C", x, y + ry - c2, x + rx - c1, y, x + rx, y),
        ("Z",),
    )


_COMMAND = re.compile(r"([MmLlHhVvCcSsQqTtAaZz])([^MmLlHhVvCcSsQqTtAaZz]*)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


def path_data(d: str) -> tuple[Segment, ...]:
    """SVG path data as absolute moves, lines, cubic curves, arcs and closes."""
    steps: list[Segment] = []
    x = y = 0.0
    start = (0.0, 0.0)
    control: tuple[float, float] | None = None  # the last cubic's second control point, for S
    quad: tuple[float, float] | None = None  # the last quadratic's control point, for T
    leftover = _COMMAND.sub("", d).strip()
    if leftover:
        raise Unsupported("path data")
    for letter, args in _COMMAND.findall(d):
        values = [float(v) for v in _NUMBER.findall(args)]
        arity = _ARITY[letter.lower()]
        if arity == 0:
            if values:
                raise Unsupported("path data")
            steps.append(("Z",))
            x, y = start
            control = quad = None
            continue
        if not values or len(values) % arity:
            raise Unsupported("path data")
        relative = letter.islower()
        command = letter.lower()
        for index in range(0, len(values), arity):
            v = values[index:index + arity]
            ox, oy = (x, y) if relative else (0.0, 0.0)
            next_control: tuple[float, float] | None = None
            next_quad: tuple[float, float] | None = None
            if command == "m":
                x, y = v[0] + ox, v[1] + oy
                if index == 0:
                    steps.append(("M", x, y))
                    start = (x, y)
                else:  # further pairs of a move are lines
                    steps.append(("L", x, y))
            elif command == "l":
                x, y = v[0] + ox, v[1] + oy
                steps.append(("L", x, y))
            elif command == "h":
                x = v[0] + ox
                steps.append(("L", x, y))
            elif command == "v":
                y = v[0] + oy
                steps.append(("L", x, y))
            elif command == "c":
                x1, y1, x2, y2, x3, y3 = v[0] + ox, v[1] + oy, v[2] + ox, v[3] + oy, v[4] + ox, v[5] + oy
                steps.append(("C", x1, y1, x2, y2, x3, y3))
                next_control, (x, y) = (x2, y2), (x3, y3)
            elif command == "s":
                x1, y1 = (2 * x - control[0], 2 * y - control[1]) if control else (x, y)
                x2, y2, x3, y3 = v[0] + ox, v[1] + oy, v[2] + ox, v[3] + oy
                steps.append(("C", x1, y1, x2, y2, x3, y3))
                next_control, (x, y) = (x2, y2), (x3, y3)
            elif command in ("q", "t"):
                if command == "q":
                    qx, qy, x3, y3 = v[0] + ox, v[1] + oy, v[2] + ox, v[3] + oy
                else:
                    qx, qy = (2 * x - quad[0], 2 * y - quad[1]) if quad else (x, y)
                    x3, y3 = v[0] + ox, v[1] + oy
                steps.append(("C", x + 2 * (qx - x) / 3, y + 2 * (qy - y) / 3,
                              x3 + 2 * (qx - x3) / 3, y3 + 2 * (qy - y3) / 3, x3, y3))
                next_quad, (x, y) = (qx, qy), (x3, y3)
            else:  # "a"
                x3, y3 = v[5] + ox, v[6] + oy
                steps.extend(_arc(x, y, v[0], v[1], v[2], v[3], v[4], x3, y3))
                x, y = x3, y3
            control, quad = next_control, next_quad
    return tuple(steps)


def _arc(x1: float, y1: float, rx: float, ry: float, rotation: float, large: float, sweep: float, x2: float,
         y2: float) -> list[Segment]:
    """An elliptical arc from (x1, y1) to (x2, y2) (SVG's endpoint form) as cairo's centre form."""
    if large not in (0.0, 1.0) or sweep not in (0.0, 1.0):
        raise Unsupported("arc flags")
    rx, ry = abs(rx), abs(ry)
    if not rx or not ry:
        return [("L", x2, y2)]
    if (x1, y1) == (x2, y2):
        return []
    phi = math.radians(rotation)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    px, py = cos * dx + sin * dy, -sin * dx + cos * dy
    grow = (px / rx) ** 2 + (py / ry) ** 2
    if grow > 1:
        rx, ry = rx * math.sqrt(grow), ry * math.sqrt(grow)
    numerator = max(rx * rx * ry * ry - rx * rx * py * py - ry * ry * px * px, 0.0)
    root = math.sqrt(numerator / (rx * rx * py * py + ry * ry * px * px))
    if large == sweep:
        root = -root
    cxp, cyp = root * rx * py / ry, -root * ry * px / rx
    cx, cy = cos * cxp - sin * cyp + (x1 + x2) / 2, sin * cxp + cos * cyp + (y1 + y2) / 2
    start = math.atan2((py - cyp) / ry, (px - cxp) / rx)
    end = math.atan2((-py - cyp) / ry, (-px - cxp) / rx)
    return [("A", cx, cy, rx, start, end, ry / rx, phi, bool(sweep))]


def transform(text: str) -> Matrix:
    matrix = IDENTITY
    leftover = re.sub(r"(translate|scale|rotate)\s*\(([^)]*)\)", "", text).replace(",", " ").strip()
    if leftover:
        raise Unsupported("transform")
    for kind, args in re.findall(r"(translate|scale|rotate)\s*\(([^)]*)\)", text):
        v = [float(part) for part in re.split(r"[\s,]+", args.strip()) if part]
        if kind == "translate" and len(v) in (1, 2):
            matrix = multiply(matrix, (1.0, 0.0, 0.0, 1.0, v[0], v[1] if len(v) == 2 else 0.0))
        elif kind == "scale" and len(v) in (1, 2):
            matrix = multiply(matrix, (v[0], 0.0, 0.0, v[1] if len(v) == 2 else v[0], 0.0, 0.0))
        elif kind == "rotate" and len(v) in (1, 3):
            cx, cy = (v[1], v[2]) if len(v) == 3 else (0.0, 0.0)
            angle = math.radians(v[0])
            c, s = math.cos(angle), math.sin(angle)
            matrix = multiply(matrix, (1.0, 0.0, 0.0, 1.0, cx, cy))
            matrix = multiply(matrix, (c, s, -s, c, 0.0, 0.0))
            matrix = multiply(matrix, (1.0, 0.0, 0.0, 1.0, -cx, -cy))
        else:
            raise Unsupported("transform")
    return matrix


def multiply(outer: Matrix, inner: Matrix) -> Matrix:
    """``inner`` applied first, then ``outer`` (cairo's ``transform`` of ``inner`` on a context at ``outer``)."""
    a, b, c, d, e, f = outer
    p, q, r, s, t, u = inner
    return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s, a * t + c * u + e, b * t + d * u + f)


def number(value: str | None) -> float:
    return length(value) if value else 0.0


def length(value: str) -> float:
    text = value.strip()
    if text.endswith("px"):
        text = text[:-2]
    elif text.endswith("pt"):
        return float(text[:-2]) * 4 / 3  # CairoSVG's 96 dpi
    try:
        return float(text)
    except ValueError:
        raise Unsupported(value) from None
