"""A page of a cut sheet leaves out the elements it cannot show, and prints exactly as if it drew them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpm.reader import read_bpmn
from reports import cull, paper, sheets
from reports.pictures import Picture, pictures

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def _cut(picture: Picture) -> tuple[paper.SheetPlan, paper.TitleBlock]:
    plan = sheets.sheet_plan(picture, sheets.SheetLayout())
    assert plan.pages > 1
    block = paper.TitleBlock(title=picture.title, version="版", source="test", legend=())
    return plan, block


def _pages(picture: Picture, monkeypatch: pytest.MonkeyPatch, *, culled: bool) -> list[str]:
    plan, block = _cut(picture)
    with monkeypatch.context() as patch:
        if not culled:
            patch.setattr(cull, "drop_outside", lambda *_args, **_kw: 0)
        return [paper.page_svg(picture.svg, block, part=part, scale=plan.scale) for part in plan.parts]


@pytest.mark.parametrize("flow", ["tennyu.bpmn", "onestop.bpmn"])  # cut left and right; top and bottom
def test_a_cut_sheet_prints_the_same_pdf_with_less_to_draw(flow: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """cairo already drops what falls outside a page's clip from the PDF, so leaving it out before CairoSVG
    draws it saves only the drawing: the PDF is the same, byte for byte, and each page has fewer elements."""
    picture = pictures(read_bpmn(FLOWS / flow))[0]
    whole = _pages(picture, monkeypatch, culled=False)
    culled = _pages(picture, monkeypatch, culled=True)
    total = picture.svg.count('class="bpmn-element')
    for before, after in zip(whole, culled, strict=True):
        assert after.count('class="bpmn-element') < before.count('class="bpmn-element') == total
    assert sheets.pdf_pages(culled) == sheets.pdf_pages(whole)


def _element(markup: str) -> etree._Element:
    return etree.fromstring(f'<g xmlns="http://www.w3.org/2000/svg" class="bpmn-element">{markup}</g>')


@pytest.mark.parametrize(("markup", "box"), [
    ('<rect x="10" y="20" width="100" height="80"/>', (10, 20, 110, 100)),
    ('<path d="M308,225 L365,225 L365,465 L390,465"/>', (308, 225, 390, 465)),
    ('<path d="M10 10 h50 v20 Z"/>', (10, 10, 60, 30)),
    ('<path d="M100 100 A 20 20 0 0 1 140 100"/>', (80, 80, 160, 120)),
    ('<polygon points="390,465 379,469 379,461"/>', (379, 461, 390, 469)),
    ('<circle cx="50" cy="50" r="18"/>', (32, 32, 68, 68)),
    ('<text font-size="10"><tspan x="100" y="50">申請書</tspan></text>', (70, 35, 130, 60)),
    ('<g transform="translate(5 7)"><rect x="0" y="0" width="10" height="10"/></g>', (5, 7, 15, 17)),
])
def test_an_element_box_bounds_what_it_draws(markup: str, box: tuple[float, ...]) -> None:
    assert cull.element_box(_element(markup)) == pytest.approx(box)


@pytest.mark.parametrize("markup", [
    '<rect x="10%" y="0" width="5" height="5"/>',  # a percentage: not bounded here
    '<path d="M0 0 l10 10 X 5"/>',  # a command not known here
    '<g transform="scale(3)"><rect width="5" height="5"/></g>',
    '<image href="x.png" width="5" height="5"/>',
    '<text x="5" y="5" dx="900">x</text>',
    '<rect x="nan" y="0" width="1" height="1"/>',
])
def test_what_cannot_be_bounded_is_kept_on_every_page(markup: str) -> None:
    assert cull.element_box(_element(markup)) is None
    diagram = etree.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg"><g class="bpmn-element">{markup}</g>'
                               '</svg>')
    assert cull.drop_outside(diagram, (10_000, 10_000, 20_000, 20_000)) == 0 and len(diagram) == 1


def test_elements_sharing_an_id_are_kept() -> None:
    diagram = etree.fromstring('<svg xmlns="http://www.w3.org/2000/svg">'
                               '<g id="a" class="bpmn-element"><rect x="0" y="0" width="5" height="5"/></g>'
                               '<g id="a" class="bpmn-element"><rect x="900" y="0" width="5" height="5"/></g></svg>')
    known = cull.element_boxes(diagram)
    assert known == {"a": None}
    assert cull.drop_outside(diagram, (800, 0, 1000, 10), known) == 0
