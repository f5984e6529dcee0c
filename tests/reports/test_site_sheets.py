"""The site's PNG and PDF downloads are A4 landscape sheets with a title block, like ``bpm render``'s (issue 10
item 6), read back as a reader would: the PDF's page size and text with pypdf, the PNG's pixels with Pillow."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from pdf_text import text_sizes
from PIL import Image

from bpm.reader import read_bpmn
from reports import paper
from reports.pictures import pictures
from reports.pictures_cache import PictureCache
from reports.site import SiteInput, render_site, site_files
from reports.style import DISPOSITION_STYLES

A4_LANDSCAPE_PT = (297 / 25.4 * 72, 210 / 25.4 * 72)
VERSION = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)  # 2025-04-01 in Japan
FLOWS = Path(__file__).resolve().parents[2] / "flows"


def dated(site_input: SiteInput) -> SiteInput:
    return replace(site_input, file_dates={d.file: VERSION for d in site_input.definitions},
                   file_keys={d.file: f"課/{Path(d.file).name}" for d in site_input.definitions})


def render_with_cache(site_input: SiteInput, cache: str) -> dict[str, bytes]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BPM_CACHE_DIR", cache)
        return render_site(dated(site_input), environ={"SOURCE_DATE_EPOCH": "1767225600"})  # after the file date


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def dated_site(site_input: SiteInput, cache_dir: Path) -> dict[str, bytes]:
    """Printed afresh (empty cache), every copy stored."""
    return render_with_cache(site_input, str(cache_dir))


def copies(site: dict[str, bytes], suffix: str) -> dict[str, bytes]:
    return {name: data for name, data in site.items() if name.startswith("diagrams/") and name.endswith(suffix)}


def test_every_pdf_download_is_a4_landscape_pages_each_with_its_title_block(
    dated_site: dict[str, bytes], site_input: SiteInput
) -> None:
    from reports import sheets

    pdfs = copies(dated_site, ".pdf")
    assert pdfs
    keys = dated(site_input).file_keys
    found = {picture.name: picture for d in site_input.definitions for picture in pictures(d, key=keys[d.file])}
    for name, data in pdfs.items():
        reader = pypdf.PdfReader(io.BytesIO(data))
        picture = found[Path(name).stem]
        pages = sheets.sheet_plan(picture, sheets.SheetLayout()).pages
        assert len(reader.pages) == pages, name
        for number, page in enumerate(reader.pages, start=1):
            box = page.mediabox
            assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE_PT, abs=0.5), name
            text = "".join(page.extract_text().split())
            assert "".join(picture.title.split()) in text, name  # the flow's name, in the block
            assert (f"{number}/{pages}" in text) == (pages > 1), name  # a page of a cut diagram says which
            assert "版2025-04-01（ファイル日付・日本時間）" in text, name  # the file's date, in Japan
            assert "課/" in text and "凡例/Legend" in text, name
            for style in DISPOSITION_STYLES.values():
                assert style.ja in text, (name, style.ja)


def _smallest_text_pt(page: pypdf.PageObject) -> float:
    """The smallest size any text is drawn at on a PDF page, in points (font size × text and user matrices,
    through the form XObjects a sheet's page paints: :func:`pdf_text.text_sizes`)."""
    return min(size for _, size in text_sizes(page))


@pytest.mark.parametrize(("flow", "pages", "smallest_pt"), [
    ("tennyu.bpmn", 2, 5.39),  # 30 steps in a row: one A4 sheet printed its names at 2.7 pt
    ("onestop.bpmn", 2, 6.03),  # four pools one above the other: cut top and bottom
])
def test_a_flow_too_wide_for_one_readable_sheet_prints_across_pages_at_a_readable_size(
    flow: str, pages: int, smallest_pt: float
) -> None:
    from reports import sheets

    picture = pictures(read_bpmn(FLOWS / flow))[0]
    layout = sheets.SheetLayout()
    one_sheet = sheets._label_px(picture) * paper.diagram_scale_on_paper(picture.svg, "A4", "landscape") * 0.75
    assert one_sheet < 5.25  # the rule applies: one sheet is not readable
    block = sheets.sheet_block(picture, version_date=VERSION, source=flow, legend=True)
    data = sheets.sheet_bytes(picture, "pdf", block, layout=layout, created=VERSION, cache=None)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages
    for number, page in enumerate(reader.pages, start=1):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_LANDSCAPE_PT, abs=0.5)
        text = "".join(page.extract_text().split())
        assert f"{picture.title}{number}/{pages}" in text
        rule = f"A4横1枚では最小の文字が{one_sheet:.1f}ptになるため、工程の間で{pages}枚に分けて印刷"
        assert rule in text  # the rule that cut it, on every page
        # read back from the PDF: no text below the readable minimum (7 px = 5.25 pt), and the plan's own figure
        assert _smallest_text_pt(page) >= 5.25
        assert _smallest_text_pt(page) == pytest.approx(smallest_pt, abs=0.01)
    assert sheets.sheet_label_pt(picture, layout) == pytest.approx(smallest_pt, abs=0.01)
    assert not sheets.sheet_is_small(picture, layout)
    # the PNG stays one sheet of the whole flow (pasted into documents, resized there)
    png = sheets.sheet_bytes(picture, "png", block, layout=layout, created=VERSION, cache=None)
    image = Image.open(io.BytesIO(png))
    assert image.width / image.height == pytest.approx(297 / 210, rel=0.01)


def test_cuts_fall_between_steps() -> None:
    from reports import sheets

    picture = pictures(read_bpmn(FLOWS / "tennyu.bpmn"))[0]
    plan = sheets.sheet_plan(picture, sheets.SheetLayout())
    steps = sheets.step_extents(picture)
    assert len(steps) > 30 and plan.pages == 2
    for left, _, right, _ in plan.parts[:-1]:
        assert left < right and not any(a < right < b for a, _, b, _ in steps)


def test_every_png_download_is_the_same_sheet_with_the_legend_swatches(dated_site: dict[str, bytes]) -> None:
    pngs = copies(dated_site, ".png")
    assert pngs and len(pngs) == len(copies(dated_site, ".pdf"))
    sheet_w, sheet_h = paper.paper_mm("A4", "landscape")
    for name, data in pngs.items():
        image = Image.open(io.BytesIO(data)).convert("RGB")
        assert image.width / image.height == pytest.approx(sheet_w / sheet_h, rel=0.01), name
        block = image.crop((int(image.width * 0.4), int(image.height * 0.85), image.width, image.height))
        colours = {colour for _count, colour in block.getcolors(1 << 22) or []}
        for style in DISPOSITION_STYLES.values():
            fill = tuple(int(style.fill[i:i + 2], 16) for i in (1, 3, 5))
            assert any(sum(abs(a - b) for a, b in zip(c, fill, strict=True)) <= 6 for c in colours), (name, style)


def test_a_sheet_prints_no_hover_text_so_portfolio_figures_cannot_reprint_it(site_input: SiteInput,
                                                                               tmp_path: Path) -> None:
    """Tooltips carry portfolio-wide figures (a shared scenario's cash effect); paper shows none, so a sheet's
    bytes, and its cache key, do not change when only a tooltip does."""
    from reports import sheets

    definitions = next(d for d in site_input.definitions if d.diagrams)
    picture = pictures(definitions)[0]
    assert "<title>" in picture.svg
    changed = replace(picture, svg=picture.svg.replace("<title>", "<title>費用面で推奨しない -¥771k / ", 1))
    block = sheets.sheet_block(picture, version_date=VERSION, source="a.bpmn", legend=True)
    cache = PictureCache(tmp_path, 1 << 30)
    layout = sheets.SheetLayout()
    first = sheets.sheet_bytes(picture, "pdf", block, layout=layout, created=VERSION, cache=cache)
    second = sheets.sheet_bytes(changed, "pdf", block, layout=layout, created=VERSION, cache=cache)
    assert first == second
    assert len(list(tmp_path.rglob("*.pdf"))) == 1  # one key: the second came from the cache
    page = paper.page_svg(changed.svg, block)
    assert "¥771k" not in page and "費用面" not in page
    assert f"<title>{picture.title}</title>" in page  # the sheet's own title stays


def test_sheets_are_the_same_bytes_from_the_cache_and_printed_without_one(
    dated_site: dict[str, bytes], site_input: SiteInput, cache_dir: Path
) -> None:
    assert render_with_cache(site_input, str(cache_dir)) == dated_site
    assert render_with_cache(site_input, "off") == dated_site


def test_the_html_report_is_complete_before_any_sheet_is_printed(site_input: SiteInput,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """PNG and PDF are off the report's critical path (issue 13): every page, SVG, stylesheet and download comes
    out of :func:`site_files` before the first sheet is printed, and the pages already link to the sheets."""
    monkeypatch.setenv("BPM_CACHE_DIR", "off")
    heard: list[str] = []
    site = list(site_files(dated(site_input), progress=heard.append, environ={"SOURCE_DATE_EPOCH": "1767225600"}))
    names = [name for name, _data in site]
    sheets_at = [i for i, name in enumerate(names) if name.endswith((".png", ".pdf"))]
    rest_at = [i for i, name in enumerate(names) if not name.endswith((".png", ".pdf"))]
    assert sheets_at and max(rest_at) < min(sheets_at)
    assert any(name.startswith("flow-") for name in names) and any(name.endswith(".svg") for name in names)
    printing = [i for i, message in enumerate(heard) if message.startswith("printing ")]
    pages = [i for i, message in enumerate(heard) if message.startswith(("rendering ", "drawing "))]
    assert printing and max(pages) < min(printing)
    linked = "".join(data.decode("utf-8") for name, data in site if name.startswith("flow-"))
    assert all(f'href="{name}"' in linked for name in names if name.endswith((".png", ".pdf")))


def test_a_diagram_no_cut_makes_readable_takes_the_plan_that_prints_largest_and_is_still_called_small() -> None:
    from reports import sheets
    from reports.pictures import Picture

    huge = Picture("huge", "巨大なフロー", "di", '<svg viewBox="0 0 9000 4000" width="9000" height="4000"></svg>', ())
    plan = sheets.sheet_plan(huge, sheets.SheetLayout())
    assert plan.pages == 2  # its height sets the scale from two pages on: more pages would print no larger
    assert sheets.sheet_is_small(huge, sheets.SheetLayout())
    assert sheets.sheet_label_pt(huge, sheets.SheetLayout()) < 5.25
    small = Picture("small", "小さなフロー", "di", '<svg viewBox="0 0 800 500" width="800" height="500"></svg>', ())
    assert sheets.sheet_plan(small, sheets.SheetLayout()).pages == 1


def test_the_page_names_each_download_for_what_it_prints_when_names_come_out_small() -> None:
    """The PDF is cut over pages, the PNG stays one sheet: the note says which copy is small (layout × scan2 merge)."""
    from reports import sheets
    from reports.pictures import Picture
    from reports.site import _small_print_notes

    def picture(width: int, height: int) -> Picture:
        return Picture("p", "フロー", "di", f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
                       "</svg>", ())

    layout = sheets.SheetLayout()
    assert _small_print_notes(picture(800, 500)) == []
    wide = picture(3600, 500)
    assert sheets.png_label_pt(wide, layout) < 5.25 <= sheets.sheet_label_pt(wide, layout)
    (note,) = _small_print_notes(wide)
    pages = sheets.sheet_plan(wide, layout).pages
    assert note.en.startswith("The PNG copy") and f"cut between steps onto {pages} pages" in note.en, note
    assert f"{pages}枚に分けて" in note.ja, note
    (note,) = _small_print_notes(picture(9000, 4000))
    assert "still prints them" in note.en and "PDF 版も" in note.ja, note


def test_a_scan_at_another_time_prints_no_sheet_again_and_dates_each_pdf_as_a_fresh_print(
    site_input: SiteInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without SOURCE_DATE_EPOCH every scan has a new build time: the PDFs it prints carry it, yet an unchanged
    sheet is printed once (the date used to be in the cache key, so every re-scan printed every PDF again)."""
    from reports import sheet_walk, site

    printed: list[str] = []
    real_draw, real_pdf = sheet_walk.draw_sheet, sheet_walk.pdf_from_drawing

    def counting_draw(*args: Any, **kw: Any) -> sheet_walk.SheetDrawing:  # the one walk, drawing the PNG
        printed.append("png")
        return real_draw(*args, **kw)

    def counting_pdf(*args: Any, **kw: Any) -> bytes:
        printed.append("pdf")
        return real_pdf(*args, **kw)

    def scan_at(when: datetime, cache: str) -> dict[str, bytes]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("BPM_CACHE_DIR", cache)
            patch.setattr(site, "build_time", lambda environ=None: when)  # the clock, as a scan without the epoch
            return render_site(dated(site_input), environ={})

    monkeypatch.setattr(sheet_walk, "draw_sheet", counting_draw)
    monkeypatch.setattr(sheet_walk, "pdf_from_drawing", counting_pdf)
    first_time = datetime(2026, 11, 30, 17, 5, 1, tzinfo=UTC)
    second_time = datetime(2026, 11, 30, 18, 0, 0, tzinfo=UTC)
    first = scan_at(first_time, str(tmp_path))
    count = len(printed)
    assert count == len(copies(first, ".png")) + len(copies(first, ".pdf")) > 0  # each sheet printed once
    second = scan_at(second_time, str(tmp_path))
    assert len(printed) == count  # none printed again
    fresh = scan_at(second_time, "off")
    assert second == fresh  # every file, PDFs included, as a scan at that time without a cache
    for name, data in copies(second, ".pdf").items():
        assert b"20261130180000" in data and b"20261130170501" not in data, name
        assert first[name] != data and first[name].replace(b"20261130170501", b"20261130180000") == data, name


@pytest.mark.parametrize("flow", ["tennyu.bpmn", "juminhyo.bpmn"])
def test_the_site_cuts_a_wide_pdf_between_steps_as_its_page_says(
    flow: str, site_input_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site prints its sheets from jobs that no longer hold the model; they carry the steps' boxes, so a
    cut PDF is cut between steps (as ``bpm render`` cuts it) and its names print at the size the flow page
    states — cut at equal parts instead, 13 cut PDFs of flows/ were cut elsewhere and juminhyo's names printed
    at 6.52 pt where its page says 6.3."""
    import re

    monkeypatch.setenv("BPM_CACHE_DIR", "off")
    definitions = read_bpmn(FLOWS / flow)
    site = render_site(site_input_for((definitions,)), environ={"SOURCE_DATE_EPOCH": "1767225600"})
    pdfs = {name: pypdf.PdfReader(io.BytesIO(data)) for name, data in copies(site, ".pdf").items()}
    cut = {name: reader for name, reader in pdfs.items() if len(reader.pages) > 1}
    assert len(cut) == 1
    reader = next(iter(cut.values()))
    page_text = next(data.decode("utf-8") for name, data in site.items()
                     if name.endswith(".html") and "PDF 版は工程の間で" in data.decode("utf-8"))
    stated = re.search(r"PDF 版は工程の間で(\d+)枚に分けて約([\d.]+) pt", page_text)
    assert stated is not None
    assert len(reader.pages) == int(stated.group(1))
    names = [node.name for process in definitions.processes.values() for node in process.nodes.values() if node.name]
    for page in reader.pages:
        sizes = [size for text, size in text_sizes(page)
                 if any(text.strip() in name for name in names)]  # a step's name (or a line of it)
        assert sizes and min(sizes) == pytest.approx(float(stated.group(2)), abs=0.051)
