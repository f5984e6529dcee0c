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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reports import paper, printable, zoom
from reports.pictures import Picture
from reports.pictures_cache import PictureCache, cached_sheet_bytes

__all__ = ["SheetFormat", "SheetLayout", "sheet_block", "sheet_bytes", "sheet_is_small", "sheet_label_pt"]

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


def sheet_label_pt(picture: Picture, layout: SheetLayout) -> float:
    """The size, in points, at which the diagram's smallest names print on the sheet."""
    scale = paper.diagram_scale_on_paper(picture.svg, layout.paper, layout.orientation)
    return zoom.label_px(picture.layout) * scale * 0.75


def sheet_is_small(picture: Picture, layout: SheetLayout) -> bool:
    """Whether names print below the readable minimum on this sheet (the SVG copy is then the one to use)."""
    return sheet_label_pt(picture, layout) < zoom.MIN_PRINT_LABEL_PX * 0.75


def sheet_bytes(
    picture: Picture,
    fmt: SheetFormat,
    block: paper.TitleBlock,
    *,
    layout: SheetLayout,
    created: datetime | None,
    cache: PictureCache | None,
) -> bytes:
    """The PNG or PDF of one sheet, from the cache when this exact sheet was printed before."""
    page = paper.page_svg(picture.svg, block, paper=layout.paper, orientation=layout.orientation)
    return cached_sheet_bytes(page, fmt, created=created, cache=cache,
                              print_sheet=lambda: printable.svg_to_print(page, fmt, created=created))
