"""A sheet's diagram drawn with cairo directly from our own SVG, not walked by CairoSVG letter by letter.

CairoSVG turns every element into a Python ``Node`` (copying its parent's
attributes, matching the style sheet with cssselect2), then draws each
name a letter at a time, measuring every letter twice and building its
outline once only to throw it away.  For a 50-step flow that walk was
≈ 0.2 CPU-s of a sheet's ≈ 0.42 (``bench/README.md``, ``paper6``).  The
diagrams we print are our own (:mod:`reports.svg`): a small, fixed
vocabulary (groups, rectangles, circles, paths, polygons, text in tspans)
styled by one known style sheet.  Here that vocabulary is read once with
lxml into a flat list of :class:`Figure` and :class:`Label` (each with its
resolved paint and its transform), and drawn with a handful of cairo calls
each, a name as one ``show_text`` run.

What it draws is what CairoSVG draws for the same SVG: the same cascade
(attributes, then the style sheet's rules by specificity and order, then
``style``; every property inherited as CairoSVG inherits them), fill then
stroke, miter limit 4, the same rounded-rectangle and quadratic-curve
geometry, and a name placed where CairoSVG places its first letter (its
ink box centred on ``x`` for ``text-anchor: middle``) with the following
letters at the font's unhinted advances, which is where CairoSVG puts
them one by one.  Anything outside the vocabulary (another tag, an
attribute or property this module does not know, a unit, a transform
other than translate, scale and rotate) makes :func:`split_page` leave
that part (the diagram, the title block) in the page, walked by CairoSVG
as before: a Graphviz picture, or a future change to :mod:`reports.svg`,
is never drawn wrong, only drawn slowly.

CairoSVG still walks what is left of the page (the sheet, the diagram's
nested ``<svg>`` with its place, viewBox and clip), and
:mod:`reports.sheet_walk` draws each part at its placeholder on the
context CairoSVG set up there: for the diagram the tee that also records
the PDF's parts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import etree

from reports.paper_geometry import (
    IDENTITY,
    Matrix,
    Segment,
    Unsupported,
    length,
    multiply,
    number,
    shape_path,
    transform,
)

__all__ = ["BLOCK", "DIAGRAM", "MARK", "Figure", "Label", "Program", "SplitPage", "draw", "split_page"]

Rgba = tuple[float, float, float, float]

_SVG = "{http://www.w3.org/2000/svg}"
_MITER_LIMIT = 4.0
"""CairoSVG's default ``stroke-miterlimit`` (SVG's), set on every element it draws (cairo's own is 10)."""


@dataclass(frozen=True, slots=True)
class Paint:
    """How a figure is filled and stroked, resolved from the cascade."""

    fill: Rgba | None
    stroke: Rgba | None
    width: float
    dash: tuple[float, ...]
    cap: str
    join: str
    even_odd: bool


@dataclass(frozen=True, slots=True)
class Figure:
    """One shape: its path in its own units, the transform to the diagram's, and its paint."""

    matrix: Matrix
    path: tuple[Segment, ...]
    paint: Paint


@dataclass(frozen=True, slots=True)
class Label:
    """One ``<text>``: its lines (each a tspan: x, baseline y, text) in one font, size, colour and anchor."""

    matrix: Matrix
    lines: tuple[tuple[float, float, str], ...]
    family: str
    bold: bool
    size: float
    fill: Rgba
    anchor: str


Program = tuple[Figure | Label, ...]
"""What the diagram draws, in document (painting) order."""


# --------------------------------------------------------------------------- the page


MARK = "data-drawn-by"
"""The attribute that names a placeholder left in a split page: :data:`DIAGRAM` or :data:`BLOCK`."""
DIAGRAM = "diagram"
BLOCK = "title-block"


@dataclass(frozen=True, slots=True)
class SplitPage:
    """A page SVG less the parts drawn here, and those parts' drawings by placeholder name."""

    page: str
    """The page for CairoSVG: the diagram's ``<svg>`` frame with one empty ``<g>`` (``MARK="diagram"``) and the
    title block's empty ``<g>`` (``MARK="title-block"``) where they were drawable here, else as they were."""
    drawings: dict[str, Program]
    """What to draw at each placeholder, in its user space (the diagram's viewBox units; the page's mm)."""

    def drawing(self, node: Any) -> Program | None:
        """The drawing for a CairoSVG node that is one of this page's placeholders, else None."""
        name = node.get(MARK)
        return self.drawings.get(name) if name is not None else None


def split_page(page: str) -> SplitPage:
    """``page`` (a :func:`reports.paper.page_svg`) with its diagram and title block taken out as
    :data:`Program` s, each left as an empty placeholder; a part that is not drawable here stays in the page."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(page.encode("utf-8"), parser)
        cascade = _Cascade(_rules("\n".join(element.text or "" for element in root.iter(f"{_SVG}style"))))
        chain = ((_local(root), _classes(root)),)
        top = cascade.computed(root, {}, chain)
    except (etree.XMLSyntaxError, Unsupported, ValueError):
        return SplitPage(page, {})
    drawings: dict[str, Program] = {}
    for part in root:
        if part.tag == f"{_SVG}svg":
            name = DIAGRAM
        elif part.tag == f"{_SVG}g" and part.get("class") == "title-block" and "transform" not in part.attrib:
            name = BLOCK  # drawn in place of the group itself: a transform of its own would be skipped
        else:
            continue
        try:
            drawings[name] = _compile(part, top, chain, cascade)
        except (Unsupported, ValueError, IndexError):
            continue
        for child in list(part):
            part.remove(child)
        part.text = None
        if name == DIAGRAM:  # the frame keeps its place, size and clip; the drawing goes in its one group
            etree.SubElement(part, f"{_SVG}g", {MARK: name})
        else:
            part.set(MARK, name)
    if not drawings:
        return SplitPage(page, {})
    return SplitPage(etree.tostring(root, encoding="unicode") + "\n", drawings)


# --------------------------------------------------------------------------- the cascade

_KNOWN = frozenset({
    "class", "id", "role", "style", "viewBox", "width", "height", "x", "y", "rx", "ry", "cx", "cy", "r", "x1", "y1",
    "x2", "y2", "d", "points", "transform", "preserveAspectRatio", "fill", "fill-opacity", "stroke", "stroke-width",
    "stroke-opacity", "stroke-dasharray", "stroke-linejoin", "stroke-linecap", "fill-rule", "font-family",
    "font-size", "font-weight", "text-anchor",
})
"""Attributes and properties this module draws as CairoSVG does (``data-*`` are ignored by both)."""
_STYLE = frozenset({
    "fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-linejoin",
    "stroke-linecap", "fill-rule", "font-family", "font-size", "font-weight", "text-anchor",
})
"""Of :data:`_KNOWN`, the paint properties: inherited, and the only ones a style sheet or ``style`` may set."""
_GEOMETRY = frozenset({"width", "height", "rx", "ry", "cx", "cy", "r", "x1", "y1", "x2", "y2", "d", "points"})
"""A shape's own geometry: read from the shape itself (CairoSVG would inherit it from a group; none has it)."""
_SHAPES = frozenset({"rect", "circle", "ellipse", "line", "path", "polygon", "polyline"})
_SKIPPED = frozenset({"title", "style", "desc"})


@dataclass(frozen=True, slots=True)
class _Rule:
    selector: tuple[tuple[str | None, frozenset[str]], ...]
    """Compound selectors (tag or None, classes), outermost first, joined by the descendant combinator."""
    specificity: tuple[int, int]
    order: int
    declarations: tuple[tuple[str, str], ...]


def _rules(css: str) -> list[_Rule]:
    """The style sheet's rules, in the order cascading applies them (specificity, then source order)."""
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: list[_Rule] = []
    for order, (selectors, body) in enumerate(re.findall(r"([^{}]+)\{([^{}]*)\}", text)):
        declarations = tuple(_declarations(body))
        if "!important" in body or "@" in selectors:
            raise Unsupported(selectors)
        for selector in selectors.split(","):
            compounds: list[tuple[str | None, frozenset[str]]] = []
            for part in selector.split():
                if ":" in part:  # :hover and the like never match on paper (nor in CairoSVG's cssselect2)
                    compounds = []
                    break
                found = re.fullmatch(r"([A-Za-z][\w-]*)?((?:\.[\w-]+)*)", part)
                if found is None:
                    raise Unsupported(selector)
                compounds.append((found.group(1), frozenset(found.group(2).split(".")[1:])))
            if compounds:
                classes = sum(len(c[1]) for c in compounds)
                tags = sum(1 for c in compounds if c[0])
                rules.append(_Rule(tuple(compounds), (classes, tags), order, declarations))
    if len(re.sub(r"([^{}]+)\{([^{}]*)\}", "", text).strip()):
        raise Unsupported("style sheet")
    return sorted(rules, key=lambda rule: (rule.specificity, rule.order))


def _declarations(body: str) -> Iterator[tuple[str, str]]:
    for item in body.split(";"):
        name, colon, value = item.partition(":")
        if colon:
            yield name.strip().lower(), value.strip()
        elif item.strip():
            raise Unsupported(item)


def _matches(rule: _Rule, chain: Sequence[tuple[str, frozenset[str]]]) -> bool:
    """Whether ``rule`` applies to the last element of ``chain`` (its ancestors first, (tag, classes) each)."""
    *outer, last = rule.selector
    tag, classes = chain[-1]
    if (last[0] is not None and last[0] != tag) or not last[1] <= classes:
        return False
    position = len(chain) - 1
    for compound in reversed(outer):
        position -= 1
        while position >= 0 and not ((compound[0] is None or compound[0] == chain[position][0])
                                     and compound[1] <= chain[position][1]):
            position -= 1
        if position < 0:
            return False
    return True


class _Cascade:
    """Computed properties element by element, as CairoSVG computes them (of them only the ones that paint:
    a shape's geometry is read from the shape itself, see :data:`_GEOMETRY`)."""

    def __init__(self, rules: list[_Rule]) -> None:
        self.rules = rules
        self.matched: dict[tuple[tuple[str, frozenset[str]], ...], tuple[tuple[str, str], ...]] = {}
        self.styles: dict[tuple[object, ...], dict[str, str]] = {}
        """Computed styles by (parent's, chain, own paint attributes, ``style``): a diagram has a few dozen."""
        self.paints: dict[int, Paint] = {}

    def computed(self, element: etree._Element, parent: dict[str, str],
                 chain: tuple[tuple[str, frozenset[str]], ...]) -> dict[str, str]:
        """The element's paint properties; the same object for every element styled alike (do not change it)."""
        attributes: list[tuple[str, str]] = []
        for name, value in element.attrib.items():
            name = str(name)
            if name in _STYLE:
                attributes.append((name, str(value)))
            elif name not in _KNOWN and not name.startswith("data-") and name != "xmlns":
                raise Unsupported(name)
        inline = element.get("style")
        key = (id(parent), chain, tuple(attributes), inline)
        found = self.styles.get(key)
        if found is not None:
            return found
        own = dict(parent)  # every paint property is inherited in CairoSVG
        own.update(attributes)
        declared = self.matched.get(chain)
        if declared is None:
            declared = tuple(item for rule in self.rules if _matches(rule, chain) for item in rule.declarations)
            self.matched[chain] = declared
        for name, value in (*declared, *_declarations(inline or "")):
            if name not in _STYLE:  # CairoSVG would take even a geometry or transform from a style sheet
                raise Unsupported(name)
            own[name] = value
        if any(value in ("inherit", "currentColor") for value in own.values()):
            raise Unsupported("inherit")
        self.styles[key] = own  # kept alive here, so the id of a parent in a key stays its own
        return own

    def paint(self, style: dict[str, str]) -> Paint:
        """The paint of a computed style (one of :meth:`computed`'s, so its id names it)."""
        found = self.paints.get(id(style))
        if found is None:
            found = self.paints[id(style)] = _paint(style)
        return found


# --------------------------------------------------------------------------- compiling


def _compile(part: etree._Element, parent: dict[str, str], chain: tuple[tuple[str, frozenset[str]], ...],
             cascade: _Cascade) -> Program:
    """What ``part`` (a child of the page's root) draws below it, in its own user space."""
    chain = (*chain, (_local(part), _classes(part)))
    style = cascade.computed(part, parent, chain)
    out: list[Figure | Label] = []
    for child in part:
        _walk(child, style, chain, IDENTITY, cascade, out)
    return tuple(out)


def _walk(element: Any, parent: dict[str, str], chain: tuple[tuple[str, frozenset[str]], ...], matrix: Matrix,
          cascade: _Cascade, out: list[Figure | Label]) -> None:
    if not isinstance(element.tag, str):  # a comment or processing instruction: not drawn
        return
    tag = _local(element)
    if tag in _SKIPPED:
        return
    if element.tail is not None and element.tail.strip():
        raise Unsupported("text between elements")
    chain = (*chain, (tag, _classes(element)))
    style = cascade.computed(element, parent, chain)
    if "transform" in element.attrib:
        matrix = multiply(matrix, transform(element.get("transform", "")))
    if tag in ("g", "text") and not _GEOMETRY.isdisjoint(element.attrib):
        raise Unsupported("geometry on a group")  # CairoSVG would hand it down to the shapes inside
    if tag == "g":
        if element.text is not None and element.text.strip():
            raise Unsupported("text in a group")
        for child in element:
            _walk(child, style, chain, matrix, cascade, out)
    elif tag in _SHAPES:
        if len(element):
            raise Unsupported("children of a shape")
        path = shape_path(tag, element)
        if path:
            out.append(Figure(matrix, path, cascade.paint(style)))
    elif tag == "text":
        out.append(_label(element, style, chain, matrix, cascade))
    else:
        raise Unsupported(tag)


def _label(element: Any, style: dict[str, str], chain: tuple[tuple[str, frozenset[str]], ...], matrix: Matrix,
           cascade: _Cascade) -> Label:
    """A ``<text>`` of tspans, each with its own x and y (how :mod:`reports.svg_canvas` writes names), or of
    its own text alone at its x and y (how :mod:`reports.paper` writes the title block)."""
    own_text = _white_space(element.text).strip(" ")
    if own_text:
        if len(element) or any(name in element.attrib for name in ("dx", "dy", "rotate")):
            raise Unsupported("text layout")
        return Label(matrix, ((number(element.get("x")), number(element.get("y")), own_text),), *_font(style))
    lines: list[tuple[float, float, str]] = []
    font: tuple[str, bool, float, Rgba, str] | None = None
    trailing_space = True  # CairoSVG strips a tspan's leading space when the text before it ended with one
    for tspan in element:
        if not isinstance(tspan.tag, str) or _local(tspan) in _SKIPPED:
            continue
        if _local(tspan) != "tspan" or len(tspan) or (tspan.tail or "").strip() or "transform" in tspan.attrib:
            raise Unsupported("text layout")
        own = cascade.computed(tspan, style, (*chain, ("tspan", _classes(tspan))))
        text = _white_space(tspan.text)
        if trailing_space:
            text = text.lstrip(" ")
        if text:
            trailing_space = text.endswith(" ")
        this = _font(own)
        if font is not None and this != font:
            raise Unsupported("mixed fonts in one text")
        font = this
        lines.append((number(tspan.get("x")), number(tspan.get("y")), text))
    if font is None:
        font = _font(style)
    family, bold, size, fill, anchor = font
    return Label(matrix, tuple(lines), family, bold, size, fill, anchor)


def _white_space(text: str | None) -> str:
    """Text as CairoSVG keeps it (``xml:space`` default): line breaks dropped, tabs as spaces, runs of spaces as
    one."""
    return re.sub(" +", " ", (text or "").replace("\n", "").replace("\r", "").replace("\t", " "))


def _font(style: dict[str, str]) -> tuple[str, bool, float, Rgba, str]:
    if _paint_colour(style.get("stroke"), style.get("stroke-opacity", "1"), "stroke") is not None:
        raise Unsupported("stroked text")
    weight = style.get("font-weight", "normal")
    if weight not in ("normal", "bold", "400", "700"):
        raise Unsupported(weight)
    family = (style.get("font-family") or "sans-serif").split(",")[0].strip("\"' ")
    fill = _paint_colour(style.get("fill", "black"), style.get("fill-opacity", "1"), "fill") or (0.0, 0.0, 0.0, 0.0)
    anchor = style.get("text-anchor", "start")
    if anchor not in ("start", "middle", "end"):
        raise Unsupported(anchor)
    return family, weight in ("bold", "700"), length(style.get("font-size", "12pt")), fill, anchor


_PAINT = ("fill", "fill-opacity", "stroke", "stroke-opacity", "stroke-width", "stroke-dasharray", "stroke-linecap",
          "stroke-linejoin", "fill-rule")


def _paint(style: dict[str, str]) -> Paint:
    return _paint_of(tuple(style.get(name) for name in _PAINT))


@cache
def _paint_of(values: tuple[str | None, ...]) -> Paint:
    """The paint of these :data:`_PAINT` values (a diagram has a few dozen different ones: each parsed once)."""
    fill, fill_opacity, stroke, stroke_opacity, width, dasharray, cap, join, rule = values
    dash = tuple(length(part) for part in re.split(r"[\s,]+", (dasharray or "").strip()) if part)
    cap, join, rule = cap or "butt", join or "miter", rule or "nonzero"
    if cap not in ("butt", "round", "square") or join not in ("miter", "round", "bevel"):
        raise Unsupported("line ends")
    if rule not in ("nonzero", "evenodd"):
        raise Unsupported(rule)
    return Paint(
        fill=_paint_colour(fill if fill is not None else "black", fill_opacity or "1", "fill"),
        stroke=_paint_colour(stroke, stroke_opacity or "1", "stroke"),
        width=length(width or "1"),
        dash=dash if sum(dash) else (),
        cap=cap,
        join=join,
        even_odd=rule == "evenodd",
    )


@cache
def _paint_colour(value: str | None, opacity: str, what: str) -> Rgba | None:
    """The colour CairoSVG paints ``value`` in (its own colour parser), None for nothing to paint."""
    if value is None or not value.strip() or value.strip().lower() == "none":
        return None
    if "url(" in value or "var(" in value:
        raise Unsupported(what)
    rgba = _cairosvg_colour()(value, float(opacity))
    return None if rgba[3] == 0 else (float(rgba[0]), float(rgba[1]), float(rgba[2]), float(rgba[3]))


@cache
def _cairosvg_colour() -> Any:
    from cairosvg.colors import color

    return color


def _local(element: Any) -> str:
    tag: str = element.tag
    if tag.startswith(_SVG):
        return tag[len(_SVG):]
    if tag.startswith("{"):
        raise Unsupported(tag)
    return tag


def _classes(element: Any) -> frozenset[str]:
    return frozenset((element.get("class") or "").split())


# --------------------------------------------------------------------------- drawing


def draw(program: Program, context: Any) -> None:
    """Draw ``program`` on a cairocffi ``Context`` whose user space is the diagram's (its viewBox units)."""
    import cairocffi

    options = cairocffi.FontOptions()  # as CairoSVG sets them on every element: the defaults
    options.set_antialias(cairocffi.ANTIALIAS_DEFAULT)
    options.set_hint_style(cairocffi.HINT_STYLE_DEFAULT)
    options.set_hint_metrics(cairocffi.HINT_METRICS_DEFAULT)
    context.set_font_options(options)
    context.set_antialias(cairocffi.ANTIALIAS_DEFAULT)
    caps = {"butt": cairocffi.LINE_CAP_BUTT, "round": cairocffi.LINE_CAP_ROUND, "square": cairocffi.LINE_CAP_SQUARE}
    joins = {"miter": cairocffi.LINE_JOIN_MITER, "round": cairocffi.LINE_JOIN_ROUND,
             "bevel": cairocffi.LINE_JOIN_BEVEL}
    for item in program:
        context.save()
        if item.matrix != IDENTITY:
            context.transform(cairocffi.Matrix(*item.matrix))
        if isinstance(item, Label):
            _show(context, item, cairocffi)
        else:
            paint = item.paint
            _trace(context, item.path)
            if paint.fill is not None:
                context.set_source_rgba(*paint.fill)
                context.set_fill_rule(cairocffi.FILL_RULE_EVEN_ODD if paint.even_odd else cairocffi.FILL_RULE_WINDING)
                context.fill_preserve()
            if paint.stroke is not None and paint.width > 0:
                context.set_source_rgba(*paint.stroke)
                context.set_line_width(paint.width)
                context.set_line_cap(caps[paint.cap])
                context.set_line_join(joins[paint.join])
                context.set_miter_limit(_MITER_LIMIT)
                if paint.dash:
                    context.set_dash(paint.dash, 0)
                context.stroke()
            else:
                context.new_path()
        context.restore()


def _trace(context: Any, path: tuple[Segment, ...]) -> None:
    for step in path:
        kind = step[0]
        if kind == "L":
            context.line_to(step[1], step[2])
        elif kind == "M":
            context.move_to(step[1], step[2])
        elif kind == "C":
            context.curve_to(*step[1:])
        elif kind == "Z":
            context.close_path()
        elif kind == "O":
            context.new_sub_path()
            context.arc(step[1], step[2], step[3], 0, 2 * math.pi)
            context.close_path()
        elif kind == "E":
            _, cx, cy, rx, ry = step
            context.new_sub_path()
            context.save()
            context.scale(1, ry / rx)
            context.arc(cx, cy * rx / ry, rx, 0, 2 * math.pi)
            context.close_path()
            context.restore()
        else:  # "A"
            _, cx, cy, rx, start, end, ratio, phi, sweep = step
            context.save()
            context.translate(cx, cy)
            context.rotate(phi)
            context.scale(1, ratio)
            (context.arc if sweep else context.arc_negative)(0, 0, rx, start, end)
            context.restore()


def _show(context: Any, label: Label, cairocffi: Any) -> None:
    """Each line as one run: where CairoSVG puts its first letter, the others at the font's advances."""
    context.select_font_face(label.family, cairocffi.FONT_SLANT_NORMAL,
                             cairocffi.FONT_WEIGHT_BOLD if label.bold else cairocffi.FONT_WEIGHT_NORMAL)
    context.set_font_size(label.size)
    context.set_source_rgba(*label.fill)
    for x, y, text in label.lines:
        if not text.strip():
            continue
        if label.anchor != "start":
            x_bearing, _, width, _, _, _ = context.text_extents(text)
            x -= width / 2 + x_bearing if label.anchor == "middle" else width + x_bearing
        context.move_to(x, y)
        context.show_text(text)
    context.new_path()
