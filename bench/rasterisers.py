"""The PNG and PDF sheets of the same flows, printed by CairoSVG (what ``bpm`` uses) and by the alternatives.

Issue 13 asks to keep the faster well-kept rasteriser.  What is timed is
what a scan prints: each flow's A4 sheet (``reports.paper.page_svg``, the
diagram and its title block) as PNG at the scale ``reports.printable``
chooses, and its PDF, cut across pages when one page would print names too
small (``reports.sheets.sheet_plan``).  Engines, all on the same sheet SVGs
in this run, after one warm-up sheet, CPU seconds of this process and its
children (``os.times``: ``rsvg-convert`` runs as a child):

* CairoSVG, PNG and PDF, as ``reports.sheets`` prints them today, and the PNG at
  1.5× and 1× instead of 2× (what bounding the pixel size more tightly would save);
* CairoSVG PDF with the whole diagram on every page of a cut sheet (how
  sheets were printed before ``reports.cull``);
* resvg (``resvg-py`` wheel, Rust), PNG only;
* librsvg's ``rsvg-convert`` (Debian ``librsvg2-bin``), PNG and vector PDF (a
  cut sheet's pages given as several inputs make one PDF).

A row says "not installed" when its engine is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.commands import portfolio
from bench.config import Config


@dataclass(frozen=True)
class _Sheet:
    png_page: str
    """The whole diagram on one sheet (what the PNG prints)."""
    pdf_pages: list[str]
    """The PDF's pages, each leaving out what it cannot show."""
    whole_pages: list[str]
    """The same pages each holding the whole diagram (before)."""


def _sheets(cfg: Config, flows: int) -> list[_Sheet]:
    from datetime import UTC, datetime
    from unittest import mock

    from bpm.reader import read_bpmn
    from reports import cull, paper, sheets
    from reports.pictures import pictures

    folder = portfolio(cfg, flows)
    layout = sheets.SheetLayout()
    when = datetime(2026, 4, 1, tzinfo=UTC)
    found: list[_Sheet] = []
    for path in sorted(folder.glob("*.bpmn")):
        for picture in pictures(read_bpmn(path)):
            block = sheets.sheet_block(picture, version_date=when, source=path.name, legend=True)
            plan = sheets.sheet_plan(picture, layout)
            one = paper.page_svg(picture.svg, block)
            if plan.pages == 1:
                found.append(_Sheet(one, [one], [one]))
                continue

            def cut() -> list[str]:
                return [paper.page_svg(picture.svg, block, part=part, scale=plan.scale)  # noqa: B023
                        for part in plan.parts]  # noqa: B023

            with mock.patch.object(cull, "drop_outside", lambda *_a, **_k: 0):
                whole = cut()
            found.append(_Sheet(one, cut(), whole))
    return found


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _timed(draw: Callable[[_Sheet], bytes], items: list[_Sheet]) -> tuple[float, int]:
    draw(items[0])  # warm-up: fonts and libraries loaded
    start = _cpu()
    size = sum(len(draw(item)) for item in items)
    return _cpu() - start, size


def _engines() -> list[tuple[str, str, str, Callable[[_Sheet], bytes] | None]]:
    """(format, engine, version, draw or None when not installed)."""
    from reports import printable, sheets

    def cairo_png(sheet: _Sheet) -> bytes:
        return printable.svg_to_png(sheet.png_page)

    def cairo_png_at(scale: float) -> Callable[[_Sheet], bytes]:
        return lambda sheet: printable.svg_to_png(sheet.png_page, scale=scale)

    def cairo_pdf(sheet: _Sheet) -> bytes:
        return sheets.pdf_pages(sheet.pdf_pages)

    def cairo_pdf_whole(sheet: _Sheet) -> bytes:
        return sheets.pdf_pages(sheet.whole_pages)

    engines: list[tuple[str, str, str, Callable[[_Sheet], bytes] | None]] = [
        ("png", "CairoSVG", _version("cairosvg"), cairo_png),
        ("png", "CairoSVG at 1.5x (a smaller pixel bound)", _version("cairosvg"), cairo_png_at(1.5)),
        ("png", "CairoSVG at 1x", _version("cairosvg"), cairo_png_at(1.0)),
        ("pdf", "CairoSVG", _version("cairosvg"), cairo_pdf),
        ("pdf", "CairoSVG, whole diagram on every page (before)", _version("cairosvg"), cairo_pdf_whole),
    ]
    try:
        import resvg_py

        def resvg_png(sheet: _Sheet) -> bytes:
            scale = printable.png_scale(*printable.svg_size(sheet.png_page))
            return bytes(resvg_py.svg_to_bytes(svg_string=_px_sized(sheet.png_page), zoom=scale, background="white"))

        engines.append(("png", "resvg (resvg-py)", _version("resvg-py"), resvg_png))
    except ImportError:
        engines.append(("png", "resvg (resvg-py)", "-", None))
    rsvg = shutil.which("rsvg-convert")
    version = _rsvg_version(rsvg)
    engines.append(("png", "rsvg-convert (librsvg)", version, (lambda s: _rsvg(rsvg, "png", [s.png_page]))
                    if rsvg else None))
    engines.append(("pdf", "rsvg-convert (librsvg)", version, (lambda s: _rsvg(rsvg, "pdf", s.pdf_pages))
                    if rsvg else None))
    return engines


def _px_sized(page: str) -> str:
    """The sheet with its size in CSS pixels: resvg-py 0.5 refuses a root ``width="297mm"`` ("invalid size")."""
    import re

    def px(found: re.Match[str]) -> str:
        return f'{found.group(1)}="{float(found.group(2)) * 96 / 25.4:.3f}"'

    head, rest = page.split(">", 1)
    return re.sub(r'\b(width|height)="([0-9.]+)mm"', px, head) + ">" + rest


def _rsvg(program: str | None, fmt: str, pages: list[str]) -> bytes:
    from reports import printable

    assert program is not None
    with tempfile.TemporaryDirectory(prefix="bench-rsvg-") as folder:
        paths = []
        for number, page in enumerate(pages):
            path = Path(folder) / f"{number}.svg"
            path.write_text(page, encoding="utf-8")
            paths.append(str(path))
        argv = [program, "-f", fmt]
        if fmt == "png":
            argv += ["-z", str(printable.png_scale(*printable.svg_size(pages[0]))), "-b", "white"]
        env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
        return subprocess.run([*argv, *paths], capture_output=True, check=True, env=env).stdout


def bench_rasterisers(cfg: Config) -> dict[str, Any]:
    """PNG and PDF sheets of the same flows by each engine, CPU seconds and ratio to CairoSVG's."""
    from reports import printable

    flows = cfg.sizes.picture_flows[-1]
    items = _sheets(cfg, flows)
    rows: list[dict[str, Any]] = []
    for fmt, name, version, draw in _engines():
        engine = f"{name} {fmt.upper()} sheet"
        if draw is None:
            rows.append({"engine": engine, "version": version, "pictures": len(items), "note": "not installed"})
            continue
        seconds, size = _timed(draw, items)
        rows.append({"engine": engine, "format": fmt, "version": version, "pictures": len(items),
                     "pages": sum(len(item.pdf_pages) for item in items) if fmt == "pdf" else len(items),
                     "cpu_s": round(seconds, 3), "bytes": size})
    for row in rows:
        base = next((r["cpu_s"] for r in rows if r["engine"] == f"CairoSVG {row.get('format', '').upper()} sheet"),
                    None)
        if "cpu_s" in row and base:
            row["ratio_to_cairosvg"] = round(row["cpu_s"] / base, 2)
    return {"flows": flows, "max_png_pixels": printable.MAX_PNG_PIXELS, "rows": rows}


def _rsvg_version(program: str | None) -> str:
    if program is None:
        return "-"
    try:
        said = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "-"
    return said.split()[-1] if said.split() else "-"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "-"
