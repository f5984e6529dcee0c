"""PNG and PDF copies of a diagram on a sheet of paper, for ``bpm render`` and the report site alike.

Staff paste these copies into the printed manual, so both places give the
same thing: the diagram fitted onto an A4 (or A3) sheet above a title block
naming the flow, its version date (the file's date, in JST) and the colour
key (:func:`reports.paper.page_svg`).

A sheet is printed from the picture *without its hover texts*: a tooltip
never shows on paper, and the report's tooltips carry portfolio-wide figures
(a shared RPA scenario's five-year cash effect changes when any flow that
uses it changes).  Leaving them out of what is printed means a sheet's bytes,
and so its key in the picture cache (:mod:`reports.pictures_cache`), depend
only on the flow's own drawing: a re-scan after one flow changed prints that
flow's sheets and copies every other from the cache.

A flow too large for one readable sheet (its names below 5.25 pt) is printed
in the PDF across two to four pages, side by side (a wide flow) or one above
the other (a tall one), cut in gaps between steps,
each page with the title block, its "1/2" mark and the rule that cut it
(:func:`reports.paper.sheet_plan`).  The PNG stays one picture of the whole
flow on one sheet: it is pasted into documents, where it is resized anyway.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Literal

from lxml import etree

from bpm.errors import RenderError, say
from reports import paper, printable, sheet_walk, zoom
from reports.pictures import Picture
from reports.pictures_cache import PictureCache, cached_sheet_bytes

__all__ = ["READABLE_PT", "SheetFormat", "SheetLayout", "png_label_pt", "sheet_block", "sheet_bytes", "sheet_is_small",
           "sheet_label_pt", "sheet_plan", "step_extents"]

SheetFormat = Literal["png", "pdf"]


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """Paper, orientation and whether the colour key is shown."""

    paper: str = "A4"
    orientation: str = "landscape"
    legend: bool = True


def sheet_block(picture: Picture, *, version_date: datetime, source: str, legend: bool) -> paper.TitleBlock:
    """The title block: the picture's title, the version date in JST, where it comes from, the colour key."""
    stamp = paper.jst_date(version_date)
    definitions = picture.definitions
    exporter = " ".join(part for part in (definitions.exporter, definitions.exporter_version) if part) \
        if definitions is not None else ""
    return paper.TitleBlock(
        title=picture.title,
        version=f"版 {stamp}（ファイル日付・日本時間） / version of {stamp} (file date, JST)",
        source=" · ".join(part for part in (source, exporter) if part),
        legend=paper.disposition_legend() if legend else (),
    )


READABLE_PT = zoom.MIN_PRINT_LABEL_PX * 0.75
"""The smallest name size, in points, that reads on paper (7 CSS px)."""


def sheet_plan(picture: Picture, layout: SheetLayout) -> paper.SheetPlan:
    """Pages of the PDF sheet: one, or the diagram cut between steps across several (:class:`paper.SheetPlan`)."""
    return _plan(picture, layout, step_extents(picture))


def _plan(picture: Picture, layout: SheetLayout, occupied: list[tuple[float, float, float, float]]) -> paper.SheetPlan:
    return paper.sheet_plan(picture.svg, layout.paper, layout.orientation, label_px=_label_px(picture),
                            occupied=occupied)


def sheet_label_pt(picture: Picture, layout: SheetLayout, plan: paper.SheetPlan | None = None) -> float:
    """The size, in points, at which the diagram's smallest names print on the PDF sheet(s).

    ``plan``: the picture's :func:`sheet_plan` when the caller has it already (cutting is not free).
    """
    return _label_px(picture) * (plan or sheet_plan(picture, layout)).scale * 0.75


def _label_px(picture: Picture) -> float:
    """The smallest label the picture really draws, in CSS pixels at its natural size."""
    unit = zoom.label_px(picture.layout) / zoom.smallest_label_units("", picture.layout)
    return zoom.smallest_label_units(picture.svg, picture.layout) * unit


_DIAGRAM_ID = re.compile(r'<svg\b[^>]*\sdata-diagram-id="([^"]*)"')


def step_extents(picture: Picture) -> list[tuple[float, float, float, float]]:
    """Box (left, top, right, bottom) of every step, event and gateway of a DI picture (its lanes and pools
    aside): a cut between pages goes between them.  None for a Graphviz picture (cut at equal sizes)."""
    definitions = picture.definitions
    found = _DIAGRAM_ID.search(picture.svg)
    if picture.layout != "di" or definitions is None or found is None:
        return []
    nodes = {node_id for process in definitions.processes.values() for node_id in process.nodes}
    for diagram in definitions.diagrams:
        if diagram.id == found.group(1):
            return [(s.bounds.x, s.bounds.y, s.bounds.x + s.bounds.width, s.bounds.y + s.bounds.height)
                    for s in diagram.shapes if s.element_id in nodes]
    return []


def png_label_pt(picture: Picture, layout: SheetLayout) -> float:
    """The size, in points, at which the smallest names print on the PNG copy (always one sheet: an image
    split over pages would not serve the manual's pages it is pasted into)."""
    return _label_px(picture) * paper.diagram_scale_on_paper(picture.svg, layout.paper, layout.orientation) * 0.75


def sheet_is_small(picture: Picture, layout: SheetLayout) -> bool:
    """Whether names print below the readable minimum on this sheet (the SVG copy is then the one to use)."""
    return sheet_label_pt(picture, layout) < READABLE_PT


def sheet_bytes(
    picture: Picture,
    fmt: SheetFormat,
    block: paper.TitleBlock,
    *,
    layout: SheetLayout,
    created: datetime | None,
    cache: PictureCache | None,
    occupied: Sequence[tuple[float, float, float, float]] | None = None,
) -> bytes:
    """The PNG or PDF of one sheet, from the cache when this exact sheet was printed before.

    A PDF of a diagram too wide for one readable page has a page per part (:func:`sheet_plan`), cut between
    the steps' boxes: ``occupied`` (:func:`step_extents`), given by a caller whose picture no longer carries
    its model (the site's sheet jobs), else taken from ``picture``.

    The cache is asked *before* any page is laid out: the key is everything the pages are made from
    (:func:`_sheet_inputs`), and the pages are made from nothing else (the picture without its hover
    texts, the title block, the paper, the steps' boxes; the code and library versions are in the key
    too).  Building the pages costs a parse, a cut plan and a serialisation per page, which a re-scan of
    unchanged flows used to pay only to find their sheets in the cache.
    """
    printed = replace(picture, svg=paper.without_hover_texts(picture.svg))
    occupied = list(occupied) if occupied is not None else step_extents(picture)
    return cached_sheet_bytes(_sheet_inputs(printed, block, layout, occupied), fmt, created=created, cache=cache,
                              print_sheet=lambda when: _print_sheet(printed, fmt, block, layout, occupied, when))


def _sheet_inputs(printed: Picture, block: paper.TitleBlock, layout: SheetLayout,
                  occupied: list[tuple[float, float, float, float]]) -> dict[str, object]:
    """Every input of :func:`_print_sheet`, for the cache key (the format and versions are added there)."""
    return {"svg": printed.svg, "origin": printed.layout, "block": asdict(block), "layout": asdict(layout),
            "occupied": [list(box) for box in occupied], "lxml": list(etree.LXML_VERSION)}


def _print_sheet(printed: Picture, fmt: SheetFormat, block: paper.TitleBlock, layout: SheetLayout,
                 occupied: list[tuple[float, float, float, float]], created: datetime | None) -> bytes:
    """Lay out and print the sheet from exactly what :func:`_sheet_inputs` holds (its cache key).

    The PNG and the PDF come from one CairoSVG walk of the diagram (:mod:`reports.sheet_walk`), kept for the
    last sheet: a scan and ``bpm render`` print a picture's PNG and PDF one after the other.  Without cairo's
    tee surface (a libcairo built without it) each copy is printed by its own walk, as before."""
    if not sheet_walk.available():
        if fmt == "png":
            return printable.svg_to_png(paper.page_svg(printed.svg, block, paper=layout.paper,
                                                       orientation=layout.orientation))
        return _walked_pdf(printed, fmt, block, layout, _plan(printed, layout, occupied), created)
    drawn = _drawn(printed, block, layout, occupied)
    if fmt == "png":
        return drawn.drawing.png
    if drawn.drawing.to_png is not None:
        pages = _pdf_pages(printed, block, layout, drawn.plan, content=False)
        common = paper.title_block_svg(_page_block(printed, block, layout, drawn.plan, 1), paper=layout.paper,
                                       orientation=layout.orientation)
        return sheet_walk.pdf_from_drawing(drawn.drawing, pages, common, created=created)
    return _walked_pdf(printed, fmt, block, layout, drawn.plan, created)


def _walked_pdf(printed: Picture, fmt: SheetFormat, block: paper.TitleBlock, layout: SheetLayout,
                plan: paper.SheetPlan, created: datetime | None) -> bytes:
    """The PDF printed the old way: CairoSVG walks each page with its part of the diagram."""
    pages = _pdf_pages(printed, block, layout, plan, content=True)
    if len(pages) == 1:
        return printable.svg_to_print(pages[0], fmt, created=created)
    return pdf_pages(pages, created=created)


def _pdf_pages(printed: Picture, block: paper.TitleBlock, layout: SheetLayout, plan: paper.SheetPlan, *,
               content: bool) -> list[str]:
    """The PDF's page SVGs: one sheet, or a page per part of a cut diagram with its "1/2" mark and the rule.
    ``content=False``: each with the diagram's frame and the title line only, filled from the walk's
    recordings and the block's common part (:func:`paper.title_block_svg`)."""
    part: paper.BlockPart = "all" if content else "title"
    if plan.pages == 1:
        return [paper.page_svg(printed.svg, block, paper=layout.paper, orientation=layout.orientation,
                               content=content, block_part=part)]
    return [
        paper.page_svg(printed.svg, _page_block(printed, block, layout, plan, number), paper=layout.paper,
                       orientation=layout.orientation, part=box, scale=plan.scale, content=content, block_part=part)
        for number, box in enumerate(plan.parts, start=1)
    ]


def _page_block(printed: Picture, block: paper.TitleBlock, layout: SheetLayout, plan: paper.SheetPlan,
                number: int) -> paper.TitleBlock:
    """The title block of page ``number`` of the PDF: with its "1/2" mark and the rule when the sheet is cut."""
    if plan.pages == 1:
        return block
    return replace(block, page=f"{number}/{plan.pages}", note=_cut_note(printed, layout, plan))


@dataclass(frozen=True, slots=True)
class _Drawn:
    """One sheet walked once: its PDF's cut plan and what the walk drew (the PNG, each page's recording)."""

    key: tuple[object, ...]
    plan: paper.SheetPlan
    drawing: sheet_walk.SheetDrawing


_LAST: list[_Drawn] = []
"""The last sheet walked in this process (its PNG and PDF are asked for one after the other)."""


def _drawn(printed: Picture, block: paper.TitleBlock, layout: SheetLayout,
           occupied: list[tuple[float, float, float, float]]) -> _Drawn:
    key = (printed.svg, printed.layout, block, layout, tuple(occupied))
    if _LAST and _LAST[0].key == key:
        return _LAST[0]
    plan = _plan(printed, layout, occupied)
    page = paper.page_svg(printed.svg, block, paper=layout.paper, orientation=layout.orientation)
    scale = printable.PNG_SCALE
    with contextlib.suppress(RenderError):  # no size to cap: as printable.svg_to_png
        scale = printable.png_scale(*printable.svg_size(page))
    drawn = _Drawn(key, plan, sheet_walk.draw_sheet(page, scale, plan.parts))
    _LAST[:] = [drawn]
    return drawn


def _cut_note(picture: Picture, layout: SheetLayout, plan: paper.SheetPlan) -> str:
    """The rule that cut this diagram, said on every page (Japanese, then English)."""
    one = png_label_pt(picture, layout)
    cut = sheet_label_pt(picture, layout, plan)
    side = "横" if layout.orientation == "landscape" else "縦"
    return (f"{layout.paper}{side}1枚では最小の文字が{one:.1f}ptになるため、工程の間で{plan.pages}枚に分けて印刷"
            f"（{cut:.1f}pt、読みやすい最小は5.25pt） / one {layout.paper} {layout.orientation} sheet: "
            f"names at {one:.1f} pt; cut between steps onto {plan.pages} pages ({cut:.1f} pt)")


def pdf_pages(pages: list[str], *, created: datetime | None = None) -> bytes:
    """One PDF with a page per SVG sheet (all the same paper size), vector, dated ``created`` (default: the
    epoch, so the same sheets give the same bytes).  CairoSVG writes one page per document; here its PDF
    surface draws each sheet onto one shared cairo PDF surface, a page at a time."""
    try:
        from cairosvg.parser import Tree
        from cairosvg.surface import PDFSurface
    except (ImportError, OSError) as error:
        raise RenderError(say("printable.unavailable", detail=error), hint=say("printable.install_hint")) from error
    stamp = printable.pdf_stamp(created)
    output = io.BytesIO()
    shared: list[Any] = []

    class _PageSurface(PDFSurface):  # type: ignore[misc]  # CairoSVG ships no type hints
        def _create_surface(self, width: float, height: float) -> tuple[Any, float, float]:
            return printable.shared_pdf_surface(output, stamp, shared, width, height)

        def finish(self) -> None:
            self.cairo.show_page()

    try:
        for page in pages:
            _PageSurface(Tree(bytestring=page.encode("utf-8"), unsafe=False), None, 96).finish()
        if shared:
            shared[0].finish()
    except Exception as error:  # CairoSVG raises bare ValueError/KeyError on SVG it cannot draw
        raise RenderError(say("printable.cannot_convert", format="PDF", detail=error),
                          hint=say("printable.convert_hint")) from error
    return output.getvalue()
