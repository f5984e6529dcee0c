"""PNG and PDF of DI diagrams through CairoSVG: real cairo, real fonts, reproducible bytes."""

from __future__ import annotations

import io
import re
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from bpm.errors import RenderError
from bpm.reader import read_bpmn
from reports.printable import PNG_SCALE, png_scale, svg_to_pdf, svg_to_png, svg_to_print
from reports.svg import render_svg

FLOWS = Path(__file__).resolve().parents[2] / "flows"


@pytest.fixture(scope="module")
def juminhyo_svg() -> str:
    return render_svg(read_bpmn(FLOWS / "juminhyo.bpmn"))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR comes first
    return width, height


def _svg_size(svg: str) -> tuple[float, float]:
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg)
    height = re.search(r'<svg[^>]*\sheight="([\d.]+)"', svg)
    assert width and height
    return float(width.group(1)), float(height.group(1))


def test_png_has_the_svg_size_times_the_scale(juminhyo_svg: str) -> None:
    width, height = _svg_size(juminhyo_svg)
    scale = png_scale(width, height)  # 2×, or less when that would pass the pixel caps (an A4 page at 300 dpi)
    assert 1.0 <= scale <= PNG_SCALE
    png_width, png_height = _png_size(svg_to_png(juminhyo_svg))
    assert abs(png_width - width * scale) <= 1
    assert abs(png_height - height * scale) <= 1
    assert _png_size(svg_to_png(juminhyo_svg, scale=1.0))[0] == pytest.approx(width, abs=1)


def test_png_draws_ink_on_white(juminhyo_svg: str) -> None:
    """Shapes and Japanese labels come out as dark pixels on a white sheet."""
    image = Image.open(io.BytesIO(svg_to_png(juminhyo_svg, scale=1.0))).convert("L")
    histogram = image.histogram()
    total = image.width * image.height
    assert histogram[255] / total > 0.8, "background is white"
    assert sum(histogram[:100]) / total > 0.005, "lines and text are drawn"


def test_pdf_embeds_a_japanese_font_and_is_reproducible(juminhyo_svg: str) -> None:
    first = svg_to_pdf(juminhyo_svg)
    assert first.startswith(b"%PDF-")
    assert re.search(rb"/FontName /[A-Z]{6}\+NotoSansCJK", first), "Japanese labels need the CJK font"
    assert svg_to_pdf(juminhyo_svg) == first


def test_pdf_creation_date_is_the_given_time(juminhyo_svg: str) -> None:
    pdf = svg_to_pdf(juminhyo_svg, created=datetime(2026, 4, 1, 9, 30, tzinfo=UTC))
    assert b"20260401093000" in pdf
    assert b"20260401093000" not in svg_to_pdf(juminhyo_svg)


def test_print_dispatches_on_format(juminhyo_svg: str) -> None:
    assert svg_to_print(juminhyo_svg, "png").startswith(b"\x89PNG")
    assert svg_to_print(juminhyo_svg, "pdf").startswith(b"%PDF-")
    with pytest.raises(RenderError, match="unknown print format"):
        svg_to_print(juminhyo_svg, "gif")  # type: ignore[arg-type]


def test_unreadable_svg_is_a_render_error_not_a_traceback() -> None:
    with pytest.raises(RenderError, match="cannot convert the diagram to PNG"):
        svg_to_png("<svg xmlns='http://www.w3.org/2000/svg'><g>")
    with pytest.raises(RenderError, match="cannot convert the diagram to PDF"):
        svg_to_pdf("not svg at all")


def test_external_files_are_not_read(tmp_path: Path) -> None:
    """Safe mode: an <image> pointing at a local file is not embedded (nothing is fetched)."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(svg_to_png('<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50">'
                                  '<rect width="50" height="50" fill="red"/></svg>', scale=1))
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="50" height="50"><image width="50" height="50" xlink:href="{secret.as_uri()}"/></svg>')
    blank = '<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50"></svg>'
    try:
        drawn = svg_to_png(svg, scale=1)
    except RenderError:
        return  # refusing outright is as good as ignoring it
    assert drawn == svg_to_png(blank, scale=1)
