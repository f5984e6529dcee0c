"""PNG and PDF of a diagram for printed manuals and slides.

The modeler's layout lives in our own SVG (:mod:`reports.svg`); Graphviz can
only print what it laid out itself.  CairoSVG draws that SVG with the same
cairo library Graphviz prints with, so a DI diagram keeps the analyst's
coordinates on paper, and Japanese text comes out through fontconfig (Noto
Sans CJK JP, package ``fonts-noto-cjk``).

Two things a publishing workflow needs beyond a plain conversion:

* **Reproducible PDFs.** cairo stamps the current time into every PDF, so the
  same diagram would differ on each run and every rebuild of the intranet
  manual would look like a change.  The creation date is pinned to the
  caller's time (the site passes ``SOURCE_DATE_EPOCH`` or the build time).
* **No outside access.** The SVG is ours, but CairoSVG is still run in its
  safe mode (no external files, no entities) so a label can never make it
  fetch anything.
* **Bounded size.** A PNG is drawn at 2× unless that would exceed
  :data:`MAX_PNG_SIDE` pixels on its longest side or :data:`MAX_PNG_PIXELS`
  in all (an A4 page at 300 dpi); then the scale is lowered to fit.  One shape at (16000, 16000) in a
  1 KB file used to ask cairo for a 32,000² image (4 GB); a 150-task
  left-to-right flow exceeded cairo's own limit and failed.  The PDF is
  vector and needs no cap.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from datetime import UTC, datetime
from typing import Any, Literal

from bpm.errors import RenderError, say

__all__ = [
    "MAX_PNG_PIXELS",
    "MAX_PNG_SIDE",
    "PNG_SCALE",
    "PrintFormat",
    "pdf_date_stamp",
    "pin_pdf_date",
    "png_scale",
    "redate_pdf",
    "svg_size",
    "svg_to_pdf",
    "svg_to_png",
    "svg_to_print",
]

PrintFormat = Literal["png", "pdf"]

PNG_SCALE = 2.0
"""Pixels per SVG unit in PNGs: 2× keeps 12 px labels sharp in a printed A4 manual."""
MAX_PNG_SIDE = 16_384
"""Longest side of a PNG in pixels (cairo itself stops at 32,767; browsers and Office open 16,384)."""
MAX_PNG_PIXELS = 8_000_000
"""Pixels of a PNG in all: 8 megapixels is a full A4 page at 300 dpi (3,508 × 2,480 = 8.7 MP), more than a
printed manual can show; bigger prints use the vector PDF.  Rasterising costs with the area (25 MP took a
50-step flow 2.4 s, 8 MP 1.25 s, bench/README.md) and the surface is 32 MB while cairo paints it."""

_CREATION_DATE = re.compile(rb"(/CreationDate \((?:D:)?)(\d{14})(Z?\))")
"""cairo's date in a PDF's document information: ``(D:20261130170501Z)`` when Graphviz prints through cairo,
``(20261130170501Z)`` when the date is given to cairo 1.16 (no ``D:``); 14 digits, always."""
_HINT = say("printable.install_hint")
_CONVERT_HINT = say("printable.convert_hint")
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt)?\s*$")


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height of an SVG document in its own units (``width``/``height``, else the viewBox).

    >>> svg_size('<svg xmlns="http://www.w3.org/2000/svg" width="284pt" height="35" viewBox="0 0 1 1"/>')
    (284.0, 35.0)
    >>> svg_size('<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 -10 300 200"/>')
    (300.0, 200.0)
    """
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        raise RenderError(say("printable.not_svg"))
    tag = match.group(0)

    def attribute(name: str) -> str | None:
        found = re.search(rf'\s{name}="([^"]*)"', tag)
        return found.group(1) if found else None

    width, height = attribute("width"), attribute("height")
    if width is not None and height is not None:
        w, h = _LENGTH.match(width), _LENGTH.match(height)
        if w and h:
            return float(w.group(1)), float(h.group(1))
    box = (attribute("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        return float(box[2]), float(box[3])
    raise RenderError(say("printable.no_size"))


def png_scale(width: float, height: float, preferred: float = PNG_SCALE) -> float:
    """The largest scale up to ``preferred`` at which a ``width`` × ``height`` picture stays within the caps.

    >>> png_scale(800, 600)
    2.0
    >>> round(png_scale(22_500, 300), 3)  # a 150-task flow, left to right
    0.728
    >>> round(png_scale(16_160, 16_130), 3)  # one shape far from the other
    0.175
    """
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        return preferred
    by_side = MAX_PNG_SIDE / max(width, height)
    by_area = math.sqrt(MAX_PNG_PIXELS / (width * height))
    return min(preferred, by_side, by_area)


def svg_to_png(svg: str, *, scale: float = PNG_SCALE) -> bytes:
    """Rasterise an SVG document to PNG on a white background, at ``scale`` or less (see the caps)."""
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    with contextlib.suppress(RenderError):  # no size to cap: cairo uses its default size, or says why it cannot
        scale = png_scale(*svg_size(svg), preferred=scale)
    cairosvg = _cairosvg()
    try:
        data: bytes = cairosvg.svg2png(
            bytestring=svg.encode("utf-8"), scale=scale, background_color="white", unsafe=False
        )
    except Exception as error:  # CairoSVG raises bare ValueError/KeyError on SVG it cannot draw
        raise RenderError(say("printable.cannot_convert", format="PNG", detail=error), hint=_CONVERT_HINT) from error
    return data


def svg_to_pdf(svg: str, *, created: datetime | None = None) -> bytes:
    """Vector PDF of an SVG document, with ``created`` as its creation date.

    Without ``created`` the date is the Unix epoch, not "now", so that two
    runs over the same diagram give byte-identical files.
    """
    cairosvg = _cairosvg()
    surface_class = _dated_pdf_surface(cairosvg, pdf_stamp(created))
    try:
        data: bytes = surface_class.convert(bytestring=svg.encode("utf-8"), unsafe=False)
    except Exception as error:  # see svg_to_png
        raise RenderError(say("printable.cannot_convert", format="PDF", detail=error), hint=_CONVERT_HINT) from error
    return data


def svg_to_print(svg: str, fmt: PrintFormat, *, created: datetime | None = None) -> bytes:
    """PNG or PDF of an SVG document (one entry point for callers that take a format)."""
    if fmt == "png":
        return svg_to_png(svg)
    if fmt == "pdf":
        return svg_to_pdf(svg, created=created)
    raise RenderError(say("printable.unknown_format", format=repr(fmt)), hint=say("printable.unknown_format_hint"))


def pin_pdf_date(pdf: bytes, created: datetime | None = None) -> bytes:
    """Replace cairo's ``/CreationDate (D:…Z)`` with ``created`` (default: the epoch), in place.

    For PDFs cairo wrote for someone else (Graphviz prints through cairo and
    stamps "now").  The new date has exactly the old length, so the byte
    offsets in the cross-reference table stay valid.
    """
    stamp = (created or datetime.fromtimestamp(0, UTC)).astimezone(UTC).strftime("%Y%m%d%H%M%S").encode()
    return _CREATION_DATE.sub(lambda m: m.group(1) + stamp + m.group(3), pdf, count=1)


def pdf_date_stamp(created: datetime | None) -> bytes | None:
    """The 14 digits cairo writes for ``created`` (default: the epoch), or None for a year it would not write
    in four digits (before 1000): such a date cannot be written over another of fixed width.

    >>> pdf_date_stamp(datetime(2026, 11, 30, 17, 5, 1, tzinfo=UTC))
    b'20261130170501'
    >>> pdf_date_stamp(None)
    b'19700101000000'
    """
    stamp = (created or datetime.fromtimestamp(0, UTC)).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return stamp.encode("ascii") if len(stamp) == 14 and stamp.isdigit() else None


def redate_pdf(pdf: bytes, created: datetime | None) -> bytes | None:
    """The PDF cairo printed on another date, now dated ``created``: the bytes a print on that date gives.

    cairo writes its creation date once, in the document information, as 14
    digits (and no XMP packet): the PDFs :func:`svg_to_pdf`, Graphviz and
    :func:`reports.sheets.pdf_pages` write differ by nothing else from one
    date to another (tested).  The new date has the old one's width, so every
    byte offset in the cross-reference table stays valid.  None when the PDF
    does not hold exactly one such date, or ``created`` has no 14-digit form:
    the caller prints it afresh.
    """
    stamp = pdf_date_stamp(created)
    found = list(_CREATION_DATE.finditer(pdf))
    if stamp is None or len(found) != 1:
        return None
    start, end = found[0].span(2)
    return pdf[:start] + stamp + pdf[end:]


def _cairosvg() -> Any:
    """Import CairoSVG late: it loads the cairo C library, which a bare machine may lack."""
    try:
        import cairosvg
    except (ImportError, OSError) as error:
        raise RenderError(say("printable.unavailable", detail=error), hint=_HINT) from error
    return cairosvg


def _dated_pdf_surface(cairosvg: Any, stamp: str) -> Any:
    """A CairoSVG PDF surface whose cairo surface carries a fixed creation date."""
    base = cairosvg.surface.PDFSurface

    def _create_surface(self: Any, width: float, height: float) -> tuple[Any, float, float]:
        surface, width, height = base._create_surface(self, width, height)
        date_pdf_surface(surface, stamp)
        return surface, width, height

    return type("DatedPDFSurface", (base,), {"_create_surface": _create_surface})


def pdf_stamp(created: datetime | None) -> str:
    """The creation date written into a PDF: ``created``, else the Unix epoch (not "now"), so that the same
    sheet always gives the same bytes."""
    return (created or datetime.fromtimestamp(0, UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_pdf_surface(surface: Any, stamp: str) -> None:
    """Our creation date (:func:`pdf_stamp`) and creator on a cairo PDF surface: the same in every PDF we print."""
    import cairocffi

    surface.set_metadata(cairocffi.PDF_METADATA_CREATE_DATE, stamp)
    surface.set_metadata(cairocffi.PDF_METADATA_CREATOR, "bpm-rpa-scanner")


def shared_pdf_surface(output: io.BytesIO, stamp: str, shared: list[Any], width: float,
                       height: float) -> tuple[Any, float, float]:
    """The one cairo PDF surface every page of a sheet is drawn on, made by the first page (dated ``stamp``).

    CairoSVG makes a surface per document it converts; a sheet's pages are
    converted one by one, so the first makes the file and the others add a
    page to it (what ``_create_surface`` returns in CairoSVG's surfaces).
    """
    if not shared:
        import cairocffi

        surface = cairocffi.PDFSurface(output, width, height)
        date_pdf_surface(surface, stamp)
        shared.append(surface)
    return shared[0], width, height
