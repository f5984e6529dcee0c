"""One CairoSVG walk of a sheet's diagram for both its PNG and every page of its PDF.

CairoSVG turns SVG into cairo calls in Python, element by element: for a
50-step flow (≈ 1,000 elements) that walk is most of a sheet's cost, and
the old printing paid it once for the PNG and once more over the PDF's cut
pages (``bench/README.md``, ``sheets4``).  Here the diagram is walked once,
while the PNG is drawn, through a cairo *tee* surface: the PNG's image
surface gets every call exactly as before, and one bounded cairo recording
surface per PDF page keeps, in C, the calls that reach that page's part.
Each PDF page is then its small page SVG (the title block and the diagram's
frame, walked by CairoSVG) with its part's recording painted into the
frame: cairo writes the recorded paths and glyphs into the PDF as vector
drawing and text, so the text stays selectable and searchable, and a page
holds only what its part shows (a recording surface drops calls wholly
outside its bounds).

The PNG is drawn by the same calls on the same image surface as
:func:`reports.printable.svg_to_png`, the diagram's through the tee, with
one difference: text is measured with unhinted metrics
(:func:`_unhinted_context_class`), so names sit at their true widths, not at
widths rounded to whole pixels (at most 0.75 % of a ``flows/`` sheet's
pixels differ from CairoSVG's own PNG, all in names; shapes, colours, size
unchanged).  The PDF is drawn from the same calls at its own scale: its text
is laid out as CairoSVG laid out the PDF before, its bytes differ in
structure (the parts and the block's common part are form XObjects).

Since ``paper6`` the diagram and the title block are not walked by
CairoSVG when they are our own SVG: :func:`reports.paper_cairo.split_page`
takes them out of the page, CairoSVG walks what is left (the sheet, the
diagram's frame), and at each placeholder the walkers here draw the part
with cairo directly on the context CairoSVG set up there (for the diagram,
the tee's), a name as one run instead of letter by letter.

cairocffi does not declare cairo's tee surface (``cairo_tee_surface_create``,
part of cairo's API since 1.10 and built by Debian); :func:`_tee` declares
it on cairocffi's own FFI so the pointer is an ordinary cairocffi surface.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from bpm.errors import RenderError, say
from reports import paper_cairo, png_write, printable

__all__ = ["SheetDrawing", "available", "draw_sheet", "pdf_from_drawing"]

Box = tuple[float, float, float, float]
"""left, top, right, bottom in the diagram's own units (its viewBox)."""

_PAD_PX = 4.0
"""Added around each part's recording bounds, in PNG pixels: the page's own clip cuts exactly, the recording
only has to hold everything that may show (a stroke or a glyph crossing the cut)."""


@dataclass(frozen=True, slots=True)
class SheetDrawing:
    """What one walk of a sheet leaves: the PNG, and for each PDF part its recorded drawing."""

    png: bytes
    parts: tuple[Any, ...]
    """One cairo recording surface per part, in the PNG's pixels."""
    to_png: Any
    """The cairo matrix from the diagram's units to the PNG's pixels (what the recordings are drawn in); None
    when the diagram drew nothing to record (no element in it): the PDF is then printed without the walk."""


def draw_sheet(png_page: str, scale: float, parts: Sequence[Box]) -> SheetDrawing:
    """Walk ``png_page`` (a :func:`reports.paper.page_svg` of the whole diagram) once at ``scale`` pixels a CSS
    pixel: the PNG, and a recording of each of ``parts`` of the diagram for the PDF's pages."""
    cairocffi, tree_class, png_surface = _cairo()
    walker = _walker_class(cairocffi, png_surface)
    split = paper_cairo.split_page(png_page)  # our diagram and title block: drawn by cairo directly
    try:
        surface = walker(tree_class(bytestring=split.page.encode("utf-8"), unsafe=False), io.BytesIO(), 96,
                         scale=scale, background_color="white", parts=tuple(parts), split=split)
        png = png_write.png_bytes(surface.cairo)
    except RenderError:
        raise
    except Exception as error:  # CairoSVG raises bare ValueError/KeyError on SVG it cannot draw
        raise RenderError(say("printable.cannot_convert", format="PNG", detail=error),
                          hint=say("printable.convert_hint")) from error
    return SheetDrawing(png, tuple(surface.recordings), surface.to_png)


def pdf_from_drawing(drawing: SheetDrawing, pages: Sequence[str], common: str, *,
                     created: datetime | None = None) -> bytes:
    """One PDF with a page per SVG of ``pages`` (:func:`reports.paper.page_svg` with ``content=False`` and
    ``block_part="title"``: the title line and the diagram's empty frame), each frame filled with its part's
    recording from ``drawing``, and on each page, under its title line, ``common``
    (:func:`reports.paper.title_block_svg`: the rest of the title block, the same on every page) walked once.
    Dated ``created`` (default: the epoch, so the same sheet gives the same bytes)."""
    if drawing.to_png is None or len(pages) != len(drawing.parts):
        raise ValueError(f"{len(pages)} pages for {len(drawing.parts)} recorded parts")
    cairocffi, tree_class, _ = _cairo()
    from cairosvg.surface import PDFSurface

    stamp = printable.pdf_stamp(created)
    output = io.BytesIO()
    shared: list[Any] = []

    pending: list[Any] = []  # the recording the page being walked paints into its frame
    block = _recorded_page(cairocffi, tree_class, PDFSurface, common)
    blocks: list[Any] = []  # the common block, until the page being walked has painted it
    splits: list[paper_cairo.SplitPage] = []  # the page being walked: its title line drawn by cairo directly

    class _Page(PDFSurface):  # type: ignore[misc]  # CairoSVG ships no type hints
        def _create_surface(self, width: float, height: float) -> tuple[Any, float, float]:
            return printable.shared_pdf_surface(output, stamp, shared, width, height)

        def draw(self, node: Any) -> None:
            if blocks and node.get("class") == "title-block":  # the common part first, as on the old page
                blocks.pop()  # once: CairoSVG hands a group's class down to its children
                self.context.save()
                self.context.identity_matrix()  # the recording is in the page's own device units (points)
                self.context.set_source_surface(block, 0, 0)
                self.context.paint()
                self.context.restore()
            if _in_diagram(node):  # the frame's placeholder: the part as recorded, in the frame's clip
                if pending:
                    source = cairocffi.SurfacePattern(pending.pop())
                    source.set_matrix(drawing.to_png)  # the diagram's units (the frame's user space) → PNG pixels
                    self.context.set_source(source)
                    self.context.paint()
                return
            program = splits[0].drawing(node)
            if program is not None:
                paper_cairo.draw(program, self.context)
                return
            super().draw(node)

        def finish(self) -> None:
            self.cairo.show_page()

    try:
        for page, recording in zip(pages, drawing.parts, strict=True):
            pending[:], blocks[:] = [recording], [block]
            split = paper_cairo.split_page(page)
            splits[:] = [split]
            _Page(tree_class(bytestring=split.page.encode("utf-8"), unsafe=False), None, 96).finish()
        if shared:
            shared[0].finish()
    except Exception as error:  # see draw_sheet
        raise RenderError(say("printable.cannot_convert", format="PDF", detail=error),
                          hint=say("printable.convert_hint")) from error
    return output.getvalue()


def _recorded_page(cairocffi: Any, tree_class: Any, pdf_surface: Any, svg: str) -> Any:
    """A page SVG walked by CairoSVG as for a PDF page, into a cairo recording surface in the page's points."""

    class _Recorder(pdf_surface):  # type: ignore[misc]  # CairoSVG ships no type hints
        def _create_surface(self, width: float, height: float) -> tuple[Any, float, float]:
            return cairocffi.RecordingSurface(cairocffi.CONTENT_COLOR_ALPHA, (0, 0, width, height)), width, height

        context: Any  # set by CairoSVG's constructor

        def draw(self, node: Any) -> None:
            if getattr(node, "parent", None) is None:  # the root: text laid out as on a PDF surface
                unhinted = _unhinted_context_class(cairocffi)(self.cairo)
                unhinted.set_matrix(self.context.get_matrix())
                self.context = unhinted
            program = split.drawing(node)
            if program is not None:
                paper_cairo.draw(program, self.context)
                return
            super().draw(node)

    split = paper_cairo.split_page(svg)
    return _Recorder(tree_class(bytestring=split.page.encode("utf-8"), unsafe=False), None, 96).cairo


@cache
def _unhinted_context_class(cairocffi: Any) -> Any:
    """A cairo context whose text is measured without hinted metrics, whatever CairoSVG asks for.

    CairoSVG lays text out itself, a letter at a time, from the advances cairo measures; it asks for the
    surface's default metrics, which an image (and a recording) surface rounds to whole device units and a
    PDF surface does not.  The diagram is recorded while the PNG is drawn, at the PNG's scale, where a
    50-step flow's names are ≈ 2 pixels high: rounded advances there squeeze the PDF's letters together.
    Unhinted, the names are laid out at their true widths, as the PDF laid them out before and as a browser
    shows the SVG; in the PNG a letter moves by less than a pixel from its rounded place (see the module's
    doc), glyph shapes are rasterised as before."""

    class _Unhinted(cairocffi.Context):  # type: ignore[misc]  # cairocffi ships no type hints
        def set_font_options(self, options: Any) -> None:
            options.set_hint_metrics(cairocffi.HINT_METRICS_OFF)
            super().set_font_options(options)

    return _Unhinted


def _is_diagram(node: Any) -> bool:
    """The diagram's nested ``<svg>``: the one ``<svg>`` right under the page's root."""
    parent = getattr(node, "parent", None)
    return node.tag == "svg" and parent is not None and getattr(parent, "parent", None) is None


def _in_diagram(node: Any) -> bool:
    parent = getattr(node, "parent", None)
    return parent is not None and _is_diagram(parent)


@cache
def _walker_class(cairocffi: Any, png_surface: Any) -> Any:
    """CairoSVG's PNG surface, drawing the diagram through a tee that also records each PDF part."""

    class _Walker(png_surface):  # type: ignore[misc]  # CairoSVG ships no type hints
        def __init__(self, *args: Any, parts: tuple[Box, ...], split: paper_cairo.SplitPage, **kwargs: Any) -> None:
            self.parts = parts
            self.split = split
            self.recordings: list[Any] = []
            self.to_png: Any = None
            self.tee: Any = None
            self.context: Any = None  # set by CairoSVG's constructor
            super().__init__(*args, **kwargs)

        def draw(self, node: Any) -> None:
            if self.tee is None and _is_diagram(node):
                self.tee = _tee(cairocffi, self.cairo)
                teed = _unhinted_context_class(cairocffi)(self.tee)
                teed.set_matrix(self.context.get_matrix())
                own, self.context = self.context, teed
                try:
                    super().draw(node)
                finally:
                    self.context = own
                return
            if self.to_png is None and self.tee is not None and _in_diagram(node):
                self.to_png = self.context.get_matrix()
                for part in self.parts:
                    recording = cairocffi.RecordingSurface(cairocffi.CONTENT_COLOR_ALPHA,
                                                           _device_box(self.to_png, part))
                    _tee_add(cairocffi, self.tee, recording)
                    self.recordings.append(recording)
            program = self.split.drawing(node)
            if program is not None:  # a placeholder: the diagram (through the tee) or the title block
                paper_cairo.draw(program, self.context)
                return
            super().draw(node)

    return _Walker


def _device_box(matrix: Any, part: Box) -> tuple[float, float, float, float]:
    """``part`` in the PNG's pixels (x, y, width, height), widened by :data:`_PAD_PX` and to whole pixels."""
    xs, ys = zip(*(matrix.transform_point(x, y) for x in (part[0], part[2]) for y in (part[1], part[3])),
                 strict=True)
    left, top = math.floor(min(xs) - _PAD_PX), math.floor(min(ys) - _PAD_PX)
    right, bottom = math.ceil(max(xs) + _PAD_PX), math.ceil(max(ys) + _PAD_PX)
    return float(left), float(top), float(right - left), float(bottom - top)


@cache
def available() -> bool:
    """Whether this libcairo has the tee surface (cairo 1.10+ built with it, as Debian's) and CairoSVG loads."""
    try:
        cairocffi, _, _ = _cairo()
        lib = _tee_functions(cairocffi)
        return bool(lib.cairo_tee_surface_create) and bool(lib.cairo_tee_surface_add)
    except (RenderError, AttributeError, OSError, NotImplementedError):
        return False


@cache
def _tee_functions(cairocffi: Any) -> Any:
    """cairo's tee surface functions, declared on cairocffi's FFI (cairocffi leaves them out)."""
    cairocffi.ffi.cdef("""
        cairo_surface_t * cairo_tee_surface_create (cairo_surface_t *primary);
        void cairo_tee_surface_add (cairo_surface_t *abstract_surface, cairo_surface_t *target);
    """)
    return cairocffi.cairo


def _tee(cairocffi: Any, primary: Any) -> Any:
    lib = _tee_functions(cairocffi)
    surface = cairocffi.Surface._from_pointer(lib.cairo_tee_surface_create(primary._pointer), incref=False)
    surface._check_status()
    return surface


def _tee_add(cairocffi: Any, tee: Any, target: Any) -> None:
    _tee_functions(cairocffi).cairo_tee_surface_add(tee._pointer, target._pointer)
    tee._check_status()
    # the tee holds its own reference to the target; keep the Python object too, for the recordings' lifetime


def _cairo() -> tuple[Any, Any, Any]:
    """cairocffi, CairoSVG's tree and PNG surface, imported late: they load the cairo C library."""
    try:
        import cairocffi
        from cairosvg.parser import Tree
        from cairosvg.surface import PNGSurface
    except (ImportError, OSError) as error:
        raise RenderError(say("printable.unavailable", detail=error), hint=say("printable.install_hint")) from error
    return cairocffi, Tree, PNGSurface
