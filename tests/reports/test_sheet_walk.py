"""One CairoSVG walk of a sheet's diagram gives its PNG and every page of its PDF (``reports.sheet_walk``), and the
PNG file is written by numpy + zlib with cairo's pixels (``reports.png_write``)."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cairocffi
import pypdf
import pytest
from pdf_text import text_sizes

from bpm.reader import read_bpmn
from reports import paper, png_write, printable, sheet_walk, sheets
from reports.pictures import pictures

FLOWS = Path(__file__).resolve().parents[2] / "flows"
VERSION = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)


def _pixels(png: bytes) -> tuple[int, int, bytes]:
    image = cairocffi.ImageSurface.create_from_png(io.BytesIO(png))
    return image.get_width(), image.get_height(), bytes(image.get_data())


def _image(width: int, height: int, seed: int, *, opaque: bool) -> Any:
    """A drawing of random rectangles, lines and text on white (or on nothing, when not ``opaque``)."""
    rng = random.Random(seed)
    image = cairocffi.ImageSurface(cairocffi.FORMAT_ARGB32, width, height)
    context = cairocffi.Context(image)
    if opaque:
        context.set_source_rgb(1, 1, 1)
        context.paint()
    for _ in range(20):
        context.set_source_rgba(rng.random(), rng.random(), rng.random(), 1 if opaque else rng.random())
        context.rectangle(rng.uniform(-5, width), rng.uniform(-5, height), rng.uniform(1, width), rng.uniform(1, 9))
        context.fill()
        context.move_to(rng.uniform(0, width), rng.uniform(0, height))
        context.line_to(rng.uniform(0, width), rng.uniform(0, height))
        context.stroke()
    context.move_to(3, height / 2)
    context.show_text("届出 RPA")
    image.flush()
    return image


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("opaque", [True, False])
def test_the_png_writer_gives_cairos_pixels(seed: int, opaque: bool) -> None:
    rng = random.Random(seed)
    image = _image(rng.randint(1, 90), rng.randint(1, 70), seed, opaque=opaque)
    ours = png_write.png_bytes(image)
    theirs = io.BytesIO()
    image.write_to_png(theirs)
    assert ours.startswith(b"\x89PNG\r\n\x1a\n")
    assert _pixels(ours) == _pixels(theirs.getvalue())
    if not opaque:  # a pixel not opaque: cairo writes it, as before
        assert ours == theirs.getvalue()


def _tennyu() -> tuple[Any, paper.TitleBlock, sheets.SheetLayout]:
    picture = pictures(read_bpmn(FLOWS / "tennyu.bpmn"))[0]
    block = sheets.sheet_block(picture, version_date=VERSION, source="tennyu.bpmn", legend=True)
    return picture, block, sheets.SheetLayout()


def test_a_sheets_png_and_pdf_come_from_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    picture, block, layout = _tennyu()
    walks: list[str] = []
    real = sheet_walk.draw_sheet

    def counting(*args: Any, **kwargs: Any) -> sheet_walk.SheetDrawing:
        walks.append("walk")
        return real(*args, **kwargs)

    monkeypatch.setattr(sheet_walk, "draw_sheet", counting)
    monkeypatch.setattr(sheets, "_LAST", [])
    png = sheets.sheet_bytes(picture, "png", block, layout=layout, created=None, cache=None)
    pdf = sheets.sheet_bytes(picture, "pdf", block, layout=layout, created=None, cache=None)
    assert walks == ["walk"]
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF-")


def test_the_png_differs_from_cairosvgs_own_only_where_names_sit() -> None:
    """The diagram's names are laid out at their true widths (unhinted), not at widths rounded to whole pixels:
    the same picture, a few letters placed up to a pixel or so apart (bound: under 1 % of the pixels)."""
    picture, block, layout = _tennyu()
    printed = paper.without_hover_texts(picture.svg)
    page = paper.page_svg(printed, block)
    theirs = printable.svg_to_png(page)
    plan = sheets.sheet_plan(picture, layout)
    ours = sheet_walk.draw_sheet(page, printable.png_scale(*printable.svg_size(page)), plan.parts).png
    (width, height, a), (width_b, height_b, b) = _pixels(theirs), _pixels(ours)
    assert (width, height) == (width_b, height_b)
    differing = sum(1 for index in range(0, len(a), 4) if a[index:index + 4] != b[index:index + 4])
    assert differing < 0.01 * width * height


def test_each_pdf_page_holds_only_its_parts_names_at_the_cut_size() -> None:
    picture, block, layout = _tennyu()
    plan = sheets.sheet_plan(picture, layout)
    pdf = sheets.sheet_bytes(picture, "pdf", block, layout=layout, created=None, cache=None)
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == plan.pages == 2
    first, second = ({text.strip() for text, _ in text_sizes(page)} for page in reader.pages)
    assert "特例転入" in first and "特例転入" not in second  # a name on the left part only
    assert first != second
    smallest = sheets.sheet_label_pt(picture, layout, plan)
    for page in reader.pages:
        assert min(size for _, size in text_sizes(page)) == pytest.approx(smallest, abs=0.01)


def test_without_a_tee_surface_each_copy_is_printed_by_its_own_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    picture, block, layout = _tennyu()
    monkeypatch.setattr(sheet_walk, "available", lambda: False)
    monkeypatch.setattr(sheets, "_LAST", [])
    png = sheets.sheet_bytes(picture, "png", block, layout=layout, created=None, cache=None)
    pdf = sheets.sheet_bytes(picture, "pdf", block, layout=layout, created=None, cache=None)
    assert png == printable.svg_to_png(paper.page_svg(paper.without_hover_texts(picture.svg), block))
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == sheets.sheet_plan(picture, layout).pages
    assert sheets._LAST == []  # no walk kept
