"""The site's PNG and PDF downloads are A4 landscape sheets with a title block, like ``bpm render``'s (issue 10
item 6), read back as a reader would: the PDF's page size and text with pypdf, the PNG's pixels with Pillow."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from reports import paper
from reports.pictures import pictures
from reports.pictures_cache import PictureCache
from reports.site import SiteInput, render_site, site_files
from reports.style import DISPOSITION_STYLES

A4_LANDSCAPE_PT = (297 / 25.4 * 72, 210 / 25.4 * 72)
VERSION = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)  # 2025-04-01 in Japan


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


def test_every_pdf_download_is_one_a4_landscape_page_with_its_title_block(
    dated_site: dict[str, bytes], site_input: SiteInput
) -> None:
    pdfs = copies(dated_site, ".pdf")
    assert pdfs
    keys = dated(site_input).file_keys
    titles = {picture.name: picture.title for d in site_input.definitions for picture in pictures(d, key=keys[d.file])}
    for name, data in pdfs.items():
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert len(reader.pages) == 1, name
        box = reader.pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE_PT, abs=0.5), name
        text = "".join(reader.pages[0].extract_text().split())
        stem = Path(name).stem
        assert "".join(titles[stem].split()) in text, name  # the flow's name, in the block
        assert "版2025-04-01（ファイル日付・日本時間）" in text, name  # the file's date, in Japan
        assert "課/" in text and "凡例/Legend" in text, name
        for style in DISPOSITION_STYLES.values():
            assert style.ja in text, (name, style.ja)


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
