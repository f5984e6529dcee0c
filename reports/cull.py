"""Leave out of one page of a cut sheet the diagram's elements that page cannot show.

A diagram too large for one readable sheet is printed across two to four
PDF pages (:func:`reports.paper.sheet_plan`), each page nesting the whole
diagram with a viewBox on its part.  cairo drops from the PDF whatever falls
outside a page's clip, but only after CairoSVG has walked, measured and
drawn every step, label and arrow of the flow in Python on every page: the
PDF of a 50-step flow cut over four pages cost four whole drawings (2.4×
the drawing of its parts alone, ``bench/rasterisers.py``).

Here a page keeps only the BPMN elements (``<g class="bpmn-element …">``,
as :mod:`reports.svg` writes them) whose box, widened by
:data:`MARGIN` for strokes and arrow heads, meets the page's part.  The box
is an upper bound computed from the element's own coordinates: a text is
taken as wide as one em per character on either side of its anchor, an arc
as its two ends widened by its radii, a rotated piece as the circle it turns
in.  Whatever cannot be bounded (another transform, a path command not
known here, an element that is not ours such as a Graphviz picture's) is
kept, so leaving out can only remove what is wholly outside the page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from copy import deepcopy

from lxml import etree

__all__ = ["MARGIN", "drop_outside", "element_box", "element_boxes"]

Box = tuple[float, float, float, float]
"""left, top, right, bottom in the diagram's own units."""

MARGIN = 16.0
"""Added on every side of an element's box: half the thickest stroke (4), arrow heads, rounding."""
_DEFAULT_FONT = 24.0
"""A text without its own font-size (set by the style sheet: 10–12 px) is bounded as if it were this large."""
_SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_COMMAND = re.compile(r"([MmLlHhVvCcSsQqTtAaZz])([^MmLlHhVvCcSsQqTtAaZz]*)")
_TRANSLATE = re.compile(r"^\s*translate\(\s*([^,\s)]+)(?:[\s,]+([^,\s)]+))?\s*\)\s*$")
_ROTATE = re.compile(r"^\s*rotate\(\s*([^,\s)]+)[\s,]+([^,\s)]+)[\s,]+([^,\s)]+)\s*\)\s*$")
_PAIRS = {"M": 2, "L": 2, "T": 2, "C": 6, "S": 4, "Q": 4}


class _Unbounded(Exception):
    """Raised inside the walk: this element is kept whole."""


def drop_outside(diagram: etree._Element, part: Box, known: Mapping[str, Box | None] | None = None) -> int:
    """Remove from ``diagram`` (the nested ``<svg>``) every BPMN element wholly outside ``part``; how many.

    ``known``: :func:`element_boxes` of the same diagram, by element id (the pages of one sheet share them).
    """
    left, top, right, bottom = part
    removed = 0
    for group in list(_outermost_elements(diagram)):
        key = group.get("id")
        box = known[key] if known is not None and key is not None and key in known else element_box(group)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        if x1 + MARGIN < left or x0 - MARGIN > right or y1 + MARGIN < top or y0 - MARGIN > bottom:
            parent = group.getparent()
            if parent is not None:
                _keep_tail(group)
                parent.remove(group)
                removed += 1
    return removed


def element_boxes(diagram: etree._Element) -> dict[str, Box | None]:
    """:func:`element_box` of every outermost BPMN element with an id (None: kept on every page)."""
    boxes: dict[str, Box | None] = {}
    seen: set[str] = set()
    for group in _outermost_elements(diagram):
        key = group.get("id")
        if key is not None:
            boxes[key] = None if key in seen else element_box(group)  # an id twice: which box is whose? keep both
            seen.add(key)
    return boxes


def _outermost_elements(diagram: etree._Element) -> Iterator[etree._Element]:
    """The BPMN element groups not inside another, and under no transform (their coordinates are the
    diagram's own)."""

    def walk(node: etree._Element) -> Iterator[etree._Element]:
        for child in node:
            if not isinstance(child.tag, str) or (child.get("transform") is not None and not _is_element(child)):
                continue
            if _is_element(child):
                yield child
            elif child.tag == f"{_SVG}g":
                yield from walk(child)

    yield from walk(diagram)


def _is_element(node: etree._Element) -> bool:
    return node.tag == f"{_SVG}g" and "bpmn-element" in (node.get("class") or "").split()


def element_box(group: etree._Element) -> Box | None:
    """An upper bound of what ``group`` draws, or None when it cannot be bounded (then it is kept)."""
    try:
        boxes = list(_boxes(group, 0.0, 0.0, _DEFAULT_FONT))
    except (_Unbounded, ValueError):
        return None
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _boxes(node: etree._Element, dx: float, dy: float, font: float) -> Iterator[Box]:
    if not isinstance(node.tag, str):
        return
    transform = node.get("transform")
    if transform is not None:
        yield from _transformed(node, transform, dx, dy, font)
        return
    font = _font(node, font)
    tag = node.tag.removeprefix(_SVG)
    if tag in ("g", "a"):
        for child in node:
            yield from _boxes(child, dx, dy, font)
    elif tag in ("title", "desc", "style"):
        return
    elif tag in ("text", "tspan"):
        yield from _text_boxes(node, dx, dy, font)
    else:
        box = _shape_box(node, tag)
        yield (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def _transformed(node: etree._Element, transform: str, dx: float, dy: float, font: float) -> Iterator[Box]:
    moved = _TRANSLATE.match(transform)
    if moved:
        tx, ty = float(moved.group(1)), float(moved.group(2) or 0)
        _finite(tx, ty)
        copy = _without_transform(node)
        yield from _boxes(copy, dx + tx, dy + ty, font)
        return
    turned = _ROTATE.match(transform)
    if not turned:
        raise _Unbounded
    cx, cy = float(turned.group(2)) + dx, float(turned.group(3)) + dy
    _finite(cx, cy)
    inner = list(_boxes(_without_transform(node), dx, dy, font))
    if not inner:
        return
    radius = max(math.hypot(x - cx, y - cy) for b in inner for x in (b[0], b[2]) for y in (b[1], b[3]))
    yield (cx - radius, cy - radius, cx + radius, cy + radius)


def _without_transform(node: etree._Element) -> etree._Element:
    copy = deepcopy(node)
    del copy.attrib["transform"]
    return copy


def _font(node: etree._Element, inherited: float) -> float:
    size = node.get("font-size")
    if size is None:
        return inherited
    found = _NUMBER.match(size.strip())
    if found is None:
        raise _Unbounded
    return max(float(found.group(0)), 1.0)


def _text_boxes(node: etree._Element, dx: float, dy: float, font: float) -> Iterator[Box]:
    """A text run: one em per character on either side of its anchor (CJK is one em wide, Latin less)."""
    if node.get("dx") is not None or node.get("dy") is not None:
        raise _Unbounded
    chars = sum(len(str(piece)) for piece in node.itertext())
    xs, ys = _numbers(node.get("x")), _numbers(node.get("y"))
    if chars and (xs or ys):
        if not (xs and ys):
            raise _Unbounded  # a run placed relative to the one before it: not bounded here
        width = chars * font
        for x in xs:
            for y in ys:
                yield (x + dx - width, y + dy - 1.5 * font, x + dx + width, y + dy + font)
    for child in node:
        if isinstance(child.tag, str):
            yield from _boxes(child, dx, dy, font)


def _shape_box(node: etree._Element, tag: str) -> Box:
    get = node.get
    if tag == "rect":
        x, y, w, h = (_one(get(name), 0.0) for name in ("x", "y", "width", "height"))
        return (x, y, x + w, y + h)
    if tag == "circle":
        cx, cy, r = (_one(get(name), 0.0) for name in ("cx", "cy", "r"))
        return (cx - r, cy - r, cx + r, cy + r)
    if tag == "ellipse":
        cx, cy, rx, ry = (_one(get(name), 0.0) for name in ("cx", "cy", "rx", "ry"))
        return (cx - rx, cy - ry, cx + rx, cy + ry)
    if tag == "line":
        x1, y1, x2, y2 = (_one(get(name), 0.0) for name in ("x1", "y1", "x2", "y2"))
        return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    if tag in ("polygon", "polyline"):
        values = _numbers(get("points"))
        if len(values) < 2 or len(values) % 2:
            raise _Unbounded
        return (min(values[0::2]), min(values[1::2]), max(values[0::2]), max(values[1::2]))
    if tag == "path":
        return _path_box(get("d") or "")
    raise _Unbounded  # use, image, foreignObject…: not something this module knows


def _path_box(d: str) -> Box:
    """The points a path passes through or is pulled towards (control points bound Bézier curves; an arc is
    bounded by its ends widened by its radii)."""
    xs: list[float] = []
    ys: list[float] = []
    x = y = start_x = start_y = 0.0
    for letter, rest in _COMMAND.findall(d):
        values = _numbers(rest)
        upper, relative = letter.upper(), letter.islower()
        if upper == "Z":
            x, y = start_x, start_y
            continue
        if upper in ("H", "V"):
            for value in values:
                if upper == "H":
                    x = x + value if relative else value
                else:
                    y = y + value if relative else value
                xs.append(x)
                ys.append(y)
            continue
        if upper == "A":
            if not values or len(values) % 7:
                raise _Unbounded
            for i in range(0, len(values), 7):
                rx, ry = abs(values[i]), abs(values[i + 1])
                end_x, end_y = values[i + 5], values[i + 6]
                if relative:
                    end_x, end_y = x + end_x, y + end_y
                reach = max(rx, ry)
                xs.extend((x - reach, x + reach, end_x - reach, end_x + reach))
                ys.extend((y - reach, y + reach, end_y - reach, end_y + reach))
                x, y = end_x, end_y
            continue
        size = _PAIRS.get(upper)
        if size is None or not values or len(values) % size:
            raise _Unbounded
        for i in range(0, len(values), size):
            group = values[i:i + size]
            base_x, base_y = (x, y) if relative else (0.0, 0.0)
            points = [(base_x + group[j], base_y + group[j + 1]) for j in range(0, size, 2)]
            xs.extend(p[0] for p in points)
            ys.extend(p[1] for p in points)
            x, y = points[-1]
            if upper == "M" and i == 0:
                start_x, start_y = x, y
    if not xs:
        raise _Unbounded
    return (min(xs), min(ys), max(xs), max(ys))


def _numbers(text: str | None) -> list[float]:
    if not text:
        return []
    values = [float(v) for v in _NUMBER.findall(text)]
    _finite(*values)
    return values


def _one(text: str | None, default: float) -> float:
    """A plain length (user units, optionally ``px``); a percentage or another unit cannot be bounded here."""
    if text is None:
        return default
    found = _NUMBER.fullmatch(text.strip().removesuffix("px").strip())
    if found is None:
        raise _Unbounded
    value = float(found.group(0))
    _finite(value)
    return value


def _finite(*values: float) -> None:
    if not all(math.isfinite(v) for v in values):
        raise _Unbounded


def _keep_tail(element: etree._Element) -> None:
    """Give a removed element's trailing text to what came before it (whitespace between tags)."""
    if not element.tail:
        return
    previous = element.getprevious()
    parent = element.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + element.tail
    elif parent is not None:
        parent.text = (parent.text or "") + element.tail
