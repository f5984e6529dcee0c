"""A diagram on A4/A3 paper with a title block: sizes, fitting, escaping, legend in the PNG."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from bpm.errors import RenderError
from bpm.reader import read_bpmn
from reports.paper import (
    TitleBlock,
    diagram_scale_on_paper,
    disposition_legend,
    drawing_area_mm,
    jst_date,
    page_svg,
    paper_mm,
)
from reports.printable import svg_to_pdf, svg_to_png
from reports.style import DISPOSITION_STYLES
from reports.svg import render_svg

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "x"'


@pytest.fixture(scope="module")
def juminhyo(flows_dir: Path) -> str:
    return render_svg(read_bpmn(flows_dir / "juminhyo.bpmn"))


def _block(title: str = "住民票の写し等の交付", legend: bool = True) -> TitleBlock:
    return TitleBlock(title, "版 2025-04-01（ファイル日付・日本時間）", "juminhyo.bpmn",
                      disposition_legend() if legend else ())


def _tree(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))


@pytest.mark.parametrize(("paper", "orientation", "size"), [
    ("A4", "landscape", ("297mm", "210mm")), ("A4", "portrait", ("210mm", "297mm")),
    ("A3", "landscape", ("420mm", "297mm")), ("A3", "portrait", ("297mm", "420mm")),
])
def test_the_sheet_has_the_paper_size(juminhyo: str, paper: str, orientation: str, size: tuple[str, str]) -> None:
    root = _tree(page_svg(juminhyo, _block(), paper=paper, orientation=orientation))
    assert (root.get("width"), root.get("height")) == size


def test_the_diagram_fits_the_drawing_area_and_keeps_its_proportions(juminhyo: str) -> None:
    root = _tree(page_svg(juminhyo, _block()))
    (nested,) = root.findall(f"{SVG}svg")
    area_w, area_h = drawing_area_mm("A4", "landscape")
    width, height = float(nested.get("width") or 0), float(nested.get("height") or 0)
    assert width <= area_w + 0.01 and height <= area_h + 0.01
    assert width == pytest.approx(area_w, abs=0.05) or height == pytest.approx(area_h, abs=0.05)
    source = _tree(juminhyo)  # the diagram as drawn: its proportions are kept on paper
    assert width / height == pytest.approx(float(source.get("width") or 0) / float(source.get("height") or 1), rel=0.01)
    assert "bpmn-diagram" in (nested.get("class") or "")  # its style sheet still applies


def test_a_small_diagram_is_not_enlarged() -> None:
    small = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"/>'
    assert diagram_scale_on_paper(small, "A3", "landscape") == 1.0
    (nested,) = _tree(page_svg(small, _block())).findall(f"{SVG}svg")
    assert float(nested.get("width") or 0) == pytest.approx(200 * 25.4 / 96, abs=0.01)


def test_the_title_block_names_flow_version_source_and_colours(juminhyo: str) -> None:
    texts = [t.text for t in _tree(page_svg(juminhyo, _block())).iter(f"{SVG}text")]
    assert "住民票の写し等の交付" in texts and "版 2025-04-01（ファイル日付・日本時間）" in texts
    assert "juminhyo.bpmn" in texts and "凡例 / Legend" in texts
    for style in DISPOSITION_STYLES.values():
        assert any(text and text.startswith(style.ja) for text in texts), style.ja


def test_user_text_stays_text(juminhyo: str) -> None:
    page = page_svg(juminhyo, _block(HOSTILE))
    root = _tree(page)
    assert HOSTILE in [t.text for t in root.iter(f"{SVG}text")]
    assert not list(root.iter(f"{SVG}script")) and "<script>" not in page


def test_paper_and_orientation_are_checked() -> None:
    with pytest.raises(RenderError, match="unknown paper size 'B5'"):
        paper_mm("B5", "landscape")
    with pytest.raises(RenderError, match="unknown orientation 'sideways'"):
        paper_mm("A4", "sideways")


def test_jst_dates_cross_midnight_correctly() -> None:
    assert jst_date(datetime(2025, 3, 31, 15, 0, tzinfo=UTC)) == "2025-04-01"
    assert jst_date(datetime(2025, 3, 31, 14, 59, tzinfo=UTC)) == "2025-03-31"


def test_pdf_page_is_the_paper(juminhyo: str) -> None:
    pdf = svg_to_pdf(page_svg(juminhyo, _block(), paper="A3", orientation="portrait"))
    box = re.search(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", pdf)
    assert box is not None
    assert float(box.group(1)) == pytest.approx(297 / 25.4 * 72, abs=0.5)
    assert float(box.group(2)) == pytest.approx(420 / 25.4 * 72, abs=0.5)


def _legend_pixels(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    bottom = image.crop((0, int(image.height * 0.85), image.width, image.height))
    wanted = {tuple(int(style.fill[i : i + 2], 16) for i in (1, 3, 5)) for style in DISPOSITION_STYLES.values()}
    return sum(count for count, colour in bottom.getcolors(1 << 20) or [] if colour in wanted)


def test_png_carries_the_legend_and_plain_does_not(juminhyo: str) -> None:
    with_legend = svg_to_png(page_svg(juminhyo, _block()), scale=1.0)
    assert Image.open(io.BytesIO(with_legend)).size == (1123, 794)  # A4 landscape at 96 dpi
    assert _legend_pixels(with_legend) > 5 * 50  # five swatches of ~15 × 10 px
    assert _legend_pixels(svg_to_png(page_svg(juminhyo, _block(legend=False)), scale=1.0)) == 0


_GRAPHVIZ_LIKE = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
                  '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
                  '<!-- Generated by graphviz -->\n'
                  '<svg width="62pt" height="116pt" viewBox="0.00 0.00 62.00 116.00" '
                  'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n<g id="graph0"/>'
                  "</svg>\n")


@pytest.mark.parametrize("svg", [
    _GRAPHVIZ_LIKE,
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="20" '
    'xlink:title="a tooltip" role="img" class="bpmn-diagram"><style>x{}</style><rect width="1" height="1"/></svg>',
    '<!-- <svg width="1" height="1"> --><svg xmlns="http://www.w3.org/2000/svg" width="10" height="20"><rect/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20" data-x="a>b"><rect/></svg>',
])
def test_a_pdf_pages_frame_is_the_diagrams_root_without_its_drawing(svg: str, juminhyo: str) -> None:
    """The frame is parsed from the root's start tag alone (not the whole diagram once per page): the same
    element as the whole diagram parsed and emptied, whatever comes before the root or sits in its attributes."""
    from reports import paper

    for case in (svg, juminhyo):
        whole = paper._diagram_element(case)
        for child in list(whole):
            whole.remove(child)
        whole.text = None
        etree.SubElement(whole, f"{SVG}g")
        assert etree.tostring(paper._diagram_frame(case)) == etree.tostring(whole)
        frame = page_svg(case, TitleBlock("t", "v"), content=False)
        assert frame.count("<svg") == 2 and "tooltip" not in frame
