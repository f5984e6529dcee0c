"""Our own diagram and title block drawn with cairo directly (``reports.paper_cairo``, its geometry in
``reports.paper_geometry``): what CairoSVG would draw, a name as one run, and anything outside the vocabulary left
to CairoSVG."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import cairocffi
import pytest

from bpm.reader import read_bpmn
from reports import paper, paper_cairo, paper_geometry, printable, sheet_walk, sheets
from reports.paper_cairo import BLOCK, DIAGRAM, Figure, Label, split_page
from reports.pictures import pictures

FLOWS = Path(__file__).resolve().parents[2] / "flows"
VERSION = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def _page(diagram: str) -> str:
    return paper.page_svg(diagram, paper.TitleBlock("転入届", "版 2025-04-01", legend=paper.disposition_legend()))


def _tennyu_page() -> tuple[str, tuple[tuple[float, float, float, float], ...]]:
    picture = pictures(read_bpmn(FLOWS / "tennyu.bpmn"))[0]
    block = sheets.sheet_block(picture, version_date=VERSION, source="tennyu.bpmn", legend=True)
    page = paper.page_svg(paper.without_hover_texts(picture.svg), block)
    return page, sheets.sheet_plan(picture, sheets.SheetLayout()).parts


def _diagram(body: str, style: str = "") -> str:
    return (f'<svg {SVG_NS} class="bpmn-diagram" viewBox="0 0 200 100" width="200" height="100">'
            f"<style>{style}</style>{body}</svg>")


def test_a_sheet_is_split_into_cairosvgs_frame_and_our_two_drawings() -> None:
    page, _ = _tennyu_page()
    split = split_page(page)
    assert set(split.drawings) == {DIAGRAM, BLOCK}
    assert 'data-element-id' not in split.page and "<tspan" not in split.page  # the diagram left the page
    assert split.page.count(f'{paper_cairo.MARK}="') == 2
    labels = [item for item in split.drawings[DIAGRAM] if isinstance(item, Label)]
    assert any(text == "特例転入" for label in labels for _, _, text in label.lines)
    assert any(isinstance(item, Figure) for item in split.drawings[DIAGRAM])
    block = [text for item in split.drawings[BLOCK] if isinstance(item, Label) for _, _, text in item.lines]
    assert "凡例 / Legend" in block and any(text.startswith("版 2025-04-01") for text in block)


@pytest.mark.parametrize("stranger", [
    '<image href="x.png" width="5" height="5"/>',  # a tag we do not draw
    '<rect width="5" height="5" opacity="0.5"/>',  # a property we do not draw
    '<rect width="5" height="5" style="clip-path:url(#c)"/>',
    '<path d="M0,0 L5,5" transform="skewX(10)"/>',
    '<rect width="5mm" height="5"/>',  # a unit
    '<rect width="5" height="5" fill="url(#gradient)"/>',
    '<text x="1" y="2">a<tspan>b</tspan></text>',
    '<g rx="4"><rect width="5" height="5"/></g>',  # CairoSVG would round the rectangle's corners
])
def test_a_diagram_outside_the_vocabulary_is_left_to_cairosvg(stranger: str) -> None:
    page = _page(_diagram(f'<g class="bpmn-layers">{stranger}</g>'))
    split = split_page(page)
    assert DIAGRAM not in split.drawings and BLOCK in split.drawings
    assert "bpmn-layers" in split.page  # still drawn by CairoSVG, from the page


def test_a_style_sheet_outside_the_vocabulary_leaves_the_whole_page_to_cairosvg() -> None:
    page = _page(_diagram('<rect width="5" height="5"/>', style="@media print { rect { fill: red } }"))
    assert split_page(page).drawings == {}


def test_the_cascade_is_cairosvgs() -> None:
    css = (".bpmn-diagram text { fill: #1f1f1f; } .bpmn-diagram .b-line { fill: none; stroke: #1f1f1f; "
           "stroke-width: 1.5; } .bpmn-diagram .b-thin { stroke-width: 1; } "
           ".bpmn-diagram .b-badge text { fill: #fff; font-size: 10px; } "
           ".bpmn-diagram .bpmn-element:hover .b-line { stroke: #1565c0; }")
    body = ('<g class="bpmn-element"><circle class="b-line" cx="5" cy="5" r="3" stroke-width="2.5"/>'
            '<path class="b-line b-thin" d="M0,0 H9"/>'
            '<path class="b-line" d="M0,0 H9" style="stroke:#ff0000"/>'
            '<g class="b-badge"><text x="1" y="2" font-size="12">7</text></g>'
            '<text class="b-label" font-size="12" text-anchor="middle"><tspan x="5" y="9">a  b</tspan></text></g>')
    circle, thin, red, badge, label = split_page(_page(_diagram(body, css))).drawings[DIAGRAM]
    assert isinstance(circle, Figure) and isinstance(thin, Figure) and isinstance(red, Figure)
    assert isinstance(badge, Label) and isinstance(label, Label)
    assert circle.paint.width == 1.5  # the style sheet beats a presentation attribute
    assert circle.paint.stroke == pytest.approx((0x1f / 255,) * 3 + (1,)) and circle.paint.fill is None
    assert thin.paint.width == 1  # same specificity: the later rule
    assert red.paint.stroke == (1, 0, 0, 1)  # style="" beats the sheet
    assert (badge.fill, badge.size) == ((1, 1, 1, 1), 10)  # more specific than ".bpmn-diagram text"
    assert (label.anchor, label.size, label.lines) == ("middle", 12, ((5, 9, "a b"),))  # spaces as CairoSVG
    assert label.family == "Noto Sans CJK JP"  # the first family of the page's font-family
    assert circle.paint.stroke != (0x15 / 255, 0x65 / 255, 0xc0 / 255, 1)  # :hover never matches on paper


def test_path_data_relative_smooth_and_quadratic() -> None:
    assert paper_geometry.path_data("M10,20 h5 v-5 l1,1 Z m1,1 H0") == (
        ("M", 10, 20), ("L", 15, 20), ("L", 15, 15), ("L", 16, 16), ("Z",), ("M", 11, 21), ("L", 0, 21))
    (_, curve, smooth) = paper_geometry.path_data("M0,0 C1,2 3,4 5,5 S9,9 10,10")
    assert curve == ("C", 1, 2, 3, 4, 5, 5)
    assert smooth[:3] == ("C", 7, 6)  # the last control point reflected through the current point
    (_, quad) = paper_geometry.path_data("M0,0 Q3,3 6,0")
    assert quad == pytest.approx(("C", 2, 2, 4, 2, 6, 0))


def test_an_arc_ends_where_the_path_says() -> None:
    image = cairocffi.ImageSurface(cairocffi.FORMAT_ARGB32, 10, 10)
    for d, end in (("M3.5,10.5 A5,5 0 1 1 10.5,10.5", (10.5, 10.5)), ("M0,5 A20,8 0 0 0 40,5", (40, 5)),
                   ("M0,0 a3,3 0 0 1 6,0", (6, 0))):
        context = cairocffi.Context(image)
        paper_cairo._trace(context, paper_geometry.path_data(d))
        assert context.get_current_point() == pytest.approx(end, abs=1e-6)


def test_a_rounded_rectangle_has_cairosvgs_corners() -> None:
    path = paper_geometry.rounded_rect(0, 0, 100, 80, "10", None)
    c = 4 * (2 ** 0.5 - 1) / 3 * 10
    assert path[0] == ("M", 10, 0) and path[2] == pytest.approx(("C", 90 + c, 0, 100, c, 100, 10))
    assert paper_geometry.rounded_rect(0, 0, 0, 5, "2", None) == ()  # nothing of no width


def _pixels(png: bytes) -> bytes:
    return bytes(cairocffi.ImageSurface.create_from_png(io.BytesIO(png)).get_data())


def test_the_sheet_drawn_directly_is_cairosvgs_but_for_letters_a_pixel_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawn here or walked by CairoSVG (the tee and recordings alike), the same PNG: shapes, colours, lines
    identical; a name is one run instead of letter by letter, so a few antialiased edges differ (under 0.5 %)."""
    page, parts = _tennyu_page()
    scale = printable.png_scale(*printable.svg_size(page))
    ours = _pixels(sheet_walk.draw_sheet(page, scale, parts).png)
    monkeypatch.setattr(paper_cairo, "split_page", lambda svg: paper_cairo.SplitPage(svg, {}))
    theirs = _pixels(sheet_walk.draw_sheet(page, scale, parts).png)
    assert len(ours) == len(theirs)
    differing = sum(1 for index in range(0, len(ours), 4) if ours[index:index + 4] != theirs[index:index + 4])
    assert 0 < differing < 0.005 * len(ours) / 4
