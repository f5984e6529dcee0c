"""A diagram laid out on a sheet of paper with a title block, for PNG and PDF copies.

``bpm render`` used to print the diagram at its own size (a 76 × 29 cm PDF
page for 転入届) with nothing on it saying which flow, which version, or what
the colours mean.  Here the diagram is fitted into the drawing area of an A4
or A3 sheet, portrait or landscape, above a title block that names the flow,
gives its version date (the file's date, in JST) and explains the
disposition colours, like the 表題欄 of a drawing in a municipal manual.

The page is one SVG document (millimetre units) that nests the diagram's own
SVG; :mod:`reports.printable` turns it into PDF (vector, the exact paper
size) or PNG.  Everything from the user's file (names, the path) is set as
element text through ElementTree, so it is escaped, never markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Literal

from lxml import etree

from bpm.errors import RenderError, say
from reports import cull
from reports.printable import svg_size
from reports.style import DISPOSITION_STYLES
from reports.svg import FONT_FAMILY

__all__ = [
    "JST",
    "MARGIN_MM",
    "MAX_SHEET_PAGES",
    "PAPERS",
    "BlockPart",
    "LegendEntry",
    "Orientation",
    "Paper",
    "SheetPlan",
    "TitleBlock",
    "diagram_scale_on_paper",
    "disposition_legend",
    "drawing_area_mm",
    "jst_date",
    "page_svg",
    "paper_mm",
    "sheet_plan",
    "title_block_svg",
    "without_hover_texts",
]

Paper = Literal["A4", "A3"]
Orientation = Literal["portrait", "landscape"]
BlockPart = Literal["all", "title", "rest"]
"""Which of the title block a page draws (:func:`page_svg`)."""

PAPERS: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
"""ISO 216 sizes in millimetres, portrait (width, height)."""
MARGIN_MM = 10.0
"""White border on every side: inside what office printers can reach."""
_BLOCK_MM = 16.0
"""Height of the title block."""
_GAP_MM = 3.0
_INK = "#1f1f1f"
_MUTED = "#4a525c"
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
_WITH_XLINK_TITLE = etree.XPath("descendant-or-self::*[@xlink:title]",
                                namespaces={"xlink": "http://www.w3.org/1999/xlink"})
JST = timezone(timedelta(hours=9), "JST")
"""Japan Standard Time (no daylight saving), for the dates a Japanese office reads."""


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One colour the diagram uses and what it means."""

    label: str
    """Shown next to the swatch (``RPA化 / RPA``)."""
    fill: str
    """Swatch fill, as in the diagram."""
    stroke: str
    """Swatch border."""


MAX_SHEET_PAGES = 4
"""Most pages one diagram is cut into on its sheets (a 60-step flow; the bundled ones need at most two)."""
READABLE_LABEL_PX = 7.0
"""Smallest readable label on paper in CSS pixels (5.25 pt), as :data:`reports.zoom.MIN_PRINT_LABEL_PX`."""


@dataclass(frozen=True, slots=True)
class SheetPlan:
    """How one diagram goes onto sheets: the parts (one per page) and the common scale.

    The rule (:func:`sheet_plan`): one sheet when its smallest names print at 7 px (5.25 pt) or more;
    else the fewest pages, up to :data:`MAX_SHEET_PAGES`, side by side (a wide flow) or one above the
    other (a tall one), that print them that large, each cut in a gap between steps; when no number of
    pages does, the plan that prints them largest.  Every page has the title block and its "1/2" mark,
    and says why.
    """

    parts: tuple[tuple[float, float, float, float], ...]
    """Left, top, right and bottom edge of each page's part, in the diagram's own units (its viewBox)."""
    scale: float
    """CSS pixels on paper per CSS pixel of the drawing (at most 1), the same on every page."""

    @property
    def pages(self) -> int:
        return len(self.parts)


@dataclass(frozen=True, slots=True)
class TitleBlock:
    """What the title block says."""

    title: str
    """The flow (diagram, pool or process name)."""
    version: str
    """Version line, e.g. ``版: 2025-04-01（ファイル日付・JST）``."""
    source: str = ""
    """Where it comes from: the file's path relative to the rendered folder."""
    legend: tuple[LegendEntry, ...] = ()
    """Colour key; empty for a diagram drawn without dispositions."""
    page: str = ""
    """Page mark of a diagram cut across pages (``1/2``); empty on a single sheet."""
    note: str = ""
    """Why the diagram is cut (the rule of :class:`SheetPlan`), printed above the block; empty on a single sheet."""


def disposition_legend() -> tuple[LegendEntry, ...]:
    """The disposition colours, in the legend order the report site uses.

    >>> [entry.label for entry in disposition_legend()][:2]
    ['RPA化 / RPA', '民間委託 / Outsource']
    """
    return tuple(LegendEntry(f"{s.ja} / {s.en}", s.fill, s.strong) for s in DISPOSITION_STYLES.values())


def jst_date(moment: datetime) -> str:
    """``YYYY-MM-DD`` of a moment in Japan (a naive moment is taken as UTC).

    >>> jst_date(datetime(2025, 3, 31, 16, 0, tzinfo=UTC))
    '2025-04-01'
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(JST).strftime("%Y-%m-%d")


def paper_mm(paper: str, orientation: str) -> tuple[float, float]:
    """Width and height of the sheet in millimetres.

    >>> paper_mm("A4", "landscape"), paper_mm("A3", "portrait")
    ((297.0, 210.0), (297.0, 420.0))
    """
    if paper not in PAPERS:
        raise RenderError(say("paper.unknown_size", paper=repr(paper)), hint=say("paper.unknown_size_hint"))
    if orientation not in ("portrait", "landscape"):
        raise RenderError(say("paper.unknown_orientation", orientation=repr(orientation)),
                          hint=say("paper.unknown_orientation_hint"))
    width, height = PAPERS[paper]
    return (height, width) if orientation == "landscape" else (width, height)


def drawing_area_mm(paper: str, orientation: str) -> tuple[float, float]:
    """Room for the diagram: the sheet less margins, title block and the gap above it.

    >>> drawing_area_mm("A4", "landscape")
    (277.0, 171.0)
    """
    width, height = paper_mm(paper, orientation)
    return width - 2 * MARGIN_MM, height - 2 * MARGIN_MM - _BLOCK_MM - _GAP_MM


def diagram_scale_on_paper(svg: str, paper: str, orientation: str) -> float:
    """How much the diagram is shrunk (CSS pixels on paper per CSS pixel of the drawing, at most 1).

    A diagram is never enlarged: a small flow keeps its drawn size.
    """
    width, height = _size_px(svg)
    area_w, area_h = (side * 96 / 25.4 for side in drawing_area_mm(paper, orientation))
    return min(1.0, area_w / width, area_h / height)


def sheet_plan(svg: str, paper: str, orientation: str, *, label_px: float,
               occupied: Sequence[tuple[float, float, float, float]] = ()) -> SheetPlan:
    """The pages a diagram is printed on (see :class:`SheetPlan` for the rule).

    ``label_px`` is the diagram's smallest label at its natural size; ``occupied`` the boxes (left, top,
    right, bottom in viewBox units) of its steps, so cuts fall in the gaps between them (none known: cut
    at equal sizes).
    """
    left, top, width, height = _view_box(svg)
    width_px, _ = _size_px(svg)
    unit = width_px / width  # CSS pixels per viewBox unit
    area_w, area_h = (side * 96 / 25.4 for side in drawing_area_mm(paper, orientation))
    best: SheetPlan | None = None
    for pages in range(1, MAX_SHEET_PAGES + 1):
        for across in (True, False) if pages > 1 else (True,):
            if across:
                cuts = _cuts(left, width, pages, [(box[0], box[2]) for box in occupied])
                parts = tuple((a, top, b, top + height) for a, b in zip((left, *cuts), (*cuts, left + width),
                                                                         strict=True))
            else:
                cuts = _cuts(top, height, pages, [(box[1], box[3]) for box in occupied])
                parts = tuple((left, a, left + width, b) for a, b in zip((top, *cuts), (*cuts, top + height),
                                                                          strict=True))
            widest = max(p[2] - p[0] for p in parts) * unit
            tallest = max(p[3] - p[1] for p in parts) * unit
            plan = SheetPlan(parts, min(1.0, area_w / widest, area_h / tallest))
            if plan.scale * label_px >= READABLE_LABEL_PX - 1e-6:
                return plan
            if best is None or plan.scale > best.scale * 1.02:  # another page only for a real gain
                best = plan
    assert best is not None
    return best


def _cuts(left: float, width: float, pages: int, occupied: Sequence[tuple[float, float]]) -> list[float]:
    """Where to cut a diagram into ``pages`` parts: in the free gap nearest each equal division.

    >>> _cuts(0, 300, 2, [(0, 90), (110, 170), (210, 300)])
    [190.0]
    >>> _cuts(0, 300, 2, [])
    [150.0]
    """
    spans = sorted(occupied)
    gaps: list[float] = []
    reach = -math.inf
    for start, end in spans:
        if start > reach and reach > left:
            gaps.append((reach + start) / 2)
        reach = max(reach, end)
    cuts: list[float] = []
    for index in range(1, pages):
        ideal = left + width * index / pages
        free = [g for g in gaps if (not cuts or g > cuts[-1]) and left < g < left + width]
        cuts.append(min(free, key=lambda g: abs(g - ideal)) if free else ideal)
    return cuts


def _view_box(svg: str) -> tuple[float, float, float, float]:
    """The diagram's viewBox (its own size from the origin when it states none)."""
    tag = re.search(r"<svg\b[^>]*>", svg)
    box = re.search(r'\sviewBox="([^"]*)"', tag.group(0)) if tag is not None else None
    if box is not None:
        values = [float(v) for v in re.split(r"[\s,]+", box.group(1).strip()) if v]
        if len(values) == 4 and values[2] > 0 and values[3] > 0:
            return values[0], values[1], values[2], values[3]
    width, height = svg_size(svg)
    return 0.0, 0.0, width, height


def page_svg(svg: str, block: TitleBlock, *, paper: str = "A4", orientation: str = "landscape",
             part: tuple[float, float, float, float] | None = None, scale: float | None = None,
             content: bool = True, block_part: BlockPart = "all") -> str:
    """One sheet: the diagram (or the ``part`` of it, a box of its viewBox: left, top, right, bottom, at
    ``scale``) fitted (never enlarged) into the drawing area, the title block below it.

    ``content=False``: the diagram's frame only (its ``<svg>`` with the same place, size and clip, its style
    sheets, and one empty ``<g>`` where the drawing goes), for a page whose drawing is painted from a recording
    (:mod:`reports.sheet_walk`).  ``block_part="title"``: of the title block only the title line (with the page
    mark), the rest (:func:`title_block_svg`) being painted from one recording on every page."""
    sheet_w, sheet_h = paper_mm(paper, orientation)
    area_w, area_h = drawing_area_mm(paper, orientation)
    diagram = _diagram_element(svg) if content else _diagram_frame(svg)
    width_px, height_px = _size_px(svg)
    if scale is None:
        scale = diagram_scale_on_paper(svg, paper, orientation)
    if part is not None:
        _, _, width, height = _view_box(svg)
        width_px = width_px * (part[2] - part[0]) / width
        height_px = height_px * (part[3] - part[1]) / height
        diagram.set("viewBox", f"{_mm(part[0])} {_mm(part[1])} {_mm(part[2] - part[0])} {_mm(part[3] - part[1])}")
        if content:
            cull.drop_outside(diagram, part, _element_boxes(svg))  # the rest of the diagram is not on this page
    shown_w, shown_h = width_px * scale * 25.4 / 96, height_px * scale * 25.4 / 96
    diagram.set("x", _mm(MARGIN_MM + (area_w - shown_w) / 2))
    diagram.set("y", _mm(MARGIN_MM + (area_h - shown_h) / 2))
    diagram.set("width", _mm(shown_w))
    diagram.set("height", _mm(shown_h))
    diagram.set("preserveAspectRatio", "xMidYMin meet")

    root = _sheet_root(sheet_w, sheet_h)
    etree.SubElement(root, f"{{{_SVG_NS}}}title").text = block.title
    etree.SubElement(root, f"{{{_SVG_NS}}}rect", width=_mm(sheet_w), height=_mm(sheet_h), fill="#ffffff")
    root.append(diagram)
    root.append(_title_block(block, sheet_w, sheet_h, block_part))
    return etree.tostring(root, encoding="unicode") + "\n"


def title_block_svg(block: TitleBlock, *, paper: str = "A4", orientation: str = "landscape") -> str:
    """A sheet with nothing on it but the title block less its title line (box, note, version, source, colour
    key): what every page of a cut sheet has in common, walked once and painted on each page."""
    sheet_w, sheet_h = paper_mm(paper, orientation)
    root = _sheet_root(sheet_w, sheet_h)
    root.append(_title_block(block, sheet_w, sheet_h, "rest"))
    return etree.tostring(root, encoding="unicode") + "\n"


def _sheet_root(sheet_w: float, sheet_h: float) -> etree._Element:
    return etree.Element(
        f"{{{_SVG_NS}}}svg",
        nsmap={None: _SVG_NS},  # type: ignore[dict-item]  # lxml's stubs miss the default namespace key
        attrib={
            "width": f"{_mm(sheet_w)}mm",
            "height": f"{_mm(sheet_h)}mm",
            "viewBox": f"0 0 {_mm(sheet_w)} {_mm(sheet_h)}",
            "font-family": FONT_FAMILY,
        },
    )


@lru_cache(maxsize=4)
def _element_boxes(svg: str) -> dict[str, cull.Box | None]:
    """The diagram's element boxes, computed once for the pages of one cut sheet."""
    return cull.element_boxes(_diagram_element(svg))


@lru_cache(maxsize=4)
def without_hover_texts(svg: str) -> str:
    """The diagram's SVG as a sheet prints it: without its tooltips (see :func:`_drop_hover_texts`), the rest
    as it was (no XML declaration).  :func:`page_svg` makes the same page from this as from ``svg``; the
    sheets' cache key holds this text, so a tooltip that changed does not make a sheet be printed again.
    Remembered for the last few pictures: a picture's PNG and PDF sheets are looked up one after the other."""
    element = _parsed(svg)
    _drop_hover_texts(element)
    return etree.tostring(element, encoding="unicode")


def _size_px(svg: str) -> tuple[float, float]:
    """The drawing's size in CSS pixels (Graphviz writes points)."""
    width, height = svg_size(svg)
    tag = re.search(r"<svg\b[^>]*>", svg)
    if tag is not None and re.search(r'\swidth="[^"]*pt"', tag.group(0)):
        width, height = width * 4 / 3, height * 4 / 3
    if not (width > 0 and height > 0):
        raise RenderError(say("paper.no_size"))
    return width, height


def _parsed(svg: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", svg).encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise RenderError(say("paper.bad_svg", detail=error)) from None


def _diagram_element(svg: str) -> etree._Element:
    return _as_printed(_parsed(svg), svg)


def _as_printed(element: etree._Element, svg: str) -> etree._Element:
    """The diagram's root as a sheet nests it: a viewBox, no ``role``, no tooltips."""
    if not element.get("viewBox"):
        width, height = svg_size(svg)
        element.set("viewBox", f"0 0 {_mm(width)} {_mm(height)}")
    if "role" in element.attrib:  # keep the class: the diagram's own style sheet hangs on it
        del element.attrib["role"]
    _drop_hover_texts(element)
    return element


def _diagram_frame(svg: str) -> etree._Element:
    """The diagram's ``<svg>`` element without its drawing: its attributes (place, size, viewBox: the clip)
    and one empty ``<g>``.  Its style sheet goes too: every rule of it is scoped to the diagram's own elements
    (``.bpmn-diagram …``, :mod:`reports.svg`), and CairoSVG would parse it again on every page."""
    element = _frame_element(svg)
    for child in list(element):
        element.remove(child)
    element.text = None
    etree.SubElement(element, f"{{{_SVG_NS}}}g")
    return element


_START_TAG = re.compile(r"<svg\b[^>]*>")
_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>", re.S)


def _frame_element(svg: str) -> etree._Element:
    """The diagram's root element alone, parsed from its start tag: a cut sheet's every PDF page needs only
    its frame, and parsing the whole diagram again for each page cost more than the page (``paper6``).  The
    whole SVG is parsed when the start tag alone is not a document (a ``>`` in an attribute, a prefix it does
    not declare)."""
    found = _START_TAG.search(svg)
    if found is not None and not _PROLOGUE.sub("", svg[: found.start()]).strip():  # it is the root's start tag
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            alone = etree.fromstring((found.group(0)[:-1].rstrip().rstrip("/") + "/>").encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            alone = None
        if alone is not None and alone.tag == f"{{{_SVG_NS}}}svg":
            return _as_printed(alone, svg)
    return _diagram_element(svg)


def _drop_hover_texts(diagram: etree._Element) -> None:
    """Remove the tooltips: paper shows no hover, and the report's tooltips carry portfolio-wide figures
    that would make an unchanged flow's sheet differ (and be printed again) after another flow changed."""
    for title in list(diagram.iter(f"{{{_SVG_NS}}}title")):
        parent = title.getparent()
        if parent is not None:
            _keep_tail(title)
            parent.remove(title)
    found = _WITH_XLINK_TITLE(diagram)  # found by libxml2, not by a Python loop over every element
    for element in found if isinstance(found, list) else ():
        if isinstance(element, etree._Element):
            del element.attrib[_XLINK_TITLE]


def _keep_tail(element: etree._Element) -> None:
    """Give a removed element's trailing text to what came before it (whitespace between tags)."""
    if not element.tail:
        return
    previous, parent = element.getprevious(), element.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + element.tail
    elif parent is not None:
        parent.text = (parent.text or "") + element.tail


def _title_block(block: TitleBlock, sheet_w: float, sheet_h: float, part: BlockPart = "all") -> etree._Element:
    """The box along the bottom: flow name and version on the left, the colour key on the right (``part``:
    all of it, only the title line, or all but the title line)."""
    top = sheet_h - MARGIN_MM - _BLOCK_MM
    width = sheet_w - 2 * MARGIN_MM
    group = etree.Element(f"{{{_SVG_NS}}}g", {"class": "title-block"})
    left = MARGIN_MM + 3
    if part != "title":
        _el(group, "rect", x=MARGIN_MM, y=top, width=width, height=_BLOCK_MM, fill="#ffffff", stroke=_INK,
            **{"stroke-width": 0.3})
    if part != "rest":
        _text(group, f"{block.title}　{block.page}" if block.page else block.title, left, top + 6.2, 4.2,
              bold=True, limit=60)
    if part == "title":
        return group
    if block.note:
        _text(group, block.note, MARGIN_MM, top - 0.9, 2.3, colour=_MUTED, limit=160)
    _text(group, block.version, left, top + 10.6, 2.8, colour=_MUTED, limit=90)
    if block.source:
        _text(group, block.source, left, top + 14.2, 2.5, colour=_MUTED, limit=90)
    if block.legend:
        _legend(group, block.legend, MARGIN_MM + width * 0.48, top, MARGIN_MM + width - 3)
    return group


def _legend(group: etree._Element, entries: tuple[LegendEntry, ...], start: float, top: float, end: float) -> None:
    """Swatches in two columns of up to three rows, filling the right half of the block."""
    _el(group, "line", x1=start - 2, y1=top, x2=start - 2, y2=top + _BLOCK_MM, stroke=_INK,
        **{"stroke-width": 0.2})
    _text(group, "凡例 / Legend", start, top + 3.6, 2.4, bold=True)
    rows = 3
    column = (end - start) / 2
    for index, entry in enumerate(entries[: 2 * rows]):
        col, row = divmod(index, rows)
        x, y = start + col * column, top + 4.8 + row * 3.6
        _el(group, "rect", x=x, y=y, width=4.4, height=2.8, rx=0.5, fill=entry.fill, stroke=entry.stroke,
            **{"stroke-width": 0.45, "class": "legend-swatch"})
        _text(group, entry.label, x + 5.6, y + 2.3, 2.3, limit=max(8, int((column - 6.5) / 1.6)))


def _el(parent: etree._Element, tag: str, **attrs: Any) -> etree._Element:
    values = {name: _mm(value) if isinstance(value, float | int) else value for name, value in attrs.items()}
    return etree.SubElement(parent, f"{{{_SVG_NS}}}{tag}", values)


def _text(parent: etree._Element, text: str, x: float, y: float, size: float, *, bold: bool = False,
          colour: str = _INK, limit: int = 200) -> None:
    plain = " ".join(text.split())
    if len(plain) > limit:
        plain = plain[: limit - 1] + "…"
    element = _el(parent, "text", x=x, y=y, fill=colour, **{"font-size": size})
    if bold:
        element.set("font-weight", "bold")
    element.text = plain


def _mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
