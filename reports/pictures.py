"""Which pictures a BPMN file gives, and each picture as SVG, PNG or PDF.

One decision shared by the report site and ``bpm render``: a process that the
modeler drew is shown in the modeler's diagram (one picture per
``BPMNDiagram``, which may hold several pools); a process with no shapes is
laid out by Graphviz, one picture per process.  ``layout="dot"`` asks for
Graphviz everywhere (useful for a clean left-to-right print of a messy
drawing); ``layout="di"`` refuses files without coordinates.

Printing follows the picture's origin: a Graphviz picture is printed by
Graphviz itself (cairo backend), a DI picture through :mod:`reports.printable`
so that the paper copy keeps the analyst's coordinates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import networkx as nx

from bpm.errors import RenderError, say
from bpm.graph import process_graph
from bpm.model import Definitions, ElementId, ProcessId
from reports import dot, printable, svg
from reports.overlay import Overlay
from reports.views import FileOverlays, slug

__all__ = ["FORMATS", "Layout", "Picture", "PictureFormat", "picture_bytes", "pictures", "shortened_names"]

Layout = Literal["auto", "di", "dot"]
PictureFormat = Literal["svg", "png", "pdf"]
FORMATS: tuple[PictureFormat, ...] = ("svg", "png", "pdf")

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True, slots=True)
class Picture:
    """One drawable picture of a file: a DI diagram or a Graphviz layout of one process."""

    name: str
    """File-name stem: ASCII slug plus a short hash of file and diagram/process id (names are user data)."""
    title: str
    """Human title (diagram, pool or process name)."""
    layout: Literal["di", "graphviz"]
    """Where the coordinates came from."""
    svg: str
    """The SVG document, ready to inline (no XML declaration)."""
    process_ids: tuple[ProcessId, ...]
    """Processes with at least one node (or their pool) in the picture, in document order."""
    graph: nx.MultiDiGraph | None = field(default=None, compare=False, repr=False)
    """The laid-out graph (Graphviz pictures only): printed by Graphviz again."""
    overlays: Mapping[ElementId, Overlay] = field(default_factory=dict, compare=False, repr=False)
    """Annotations drawn on the picture (kept so PNG/PDF match the SVG)."""
    definitions: Definitions | None = field(default=None, compare=False, repr=False)
    """The model the picture shows (Graphviz uses it for nested lanes)."""


def pictures(
    definitions: Definitions,
    *,
    layout: Layout = "auto",
    overlays: FileOverlays | Mapping[ElementId, Overlay] | None = None,
    on_layout_error: Callable[[ProcessId, RenderError], None] | None = None,
    key: str | None = None,
) -> list[Picture]:
    """Every picture of one file, DI diagrams first (document order), then Graphviz layouts.

    Raises :class:`~bpm.errors.RenderError` when ``layout="di"`` and a process
    with nodes is not drawn, or when Graphviz is needed but not installed or
    fails.  With ``on_layout_error``, a process Graphviz cannot lay out is
    passed to it and skipped instead, so one missing program does not cost
    the pictures that need no layout (the report site shows a notice).

    ``key`` names the file in picture names (default: its path as given; the
    report site passes the path relative to the scanned folder).
    ``overlays`` are this file's own (:class:`~reports.views.FileOverlays`,
    per process), or one mapping by element id used for every picture.
    """
    if layout not in ("auto", "di", "dot"):
        raise RenderError(say("pictures.unknown_layout", layout=repr(layout)), hint=say("pictures.unknown_layout_hint"))
    marks_for = _overlay_lookup(overlays)
    result: list[Picture] = []
    covered: set[ProcessId] = set()
    if layout in ("auto", "di"):
        if layout == "di":
            try:
                svg.check_di(definitions)
            except RenderError as error:
                raise RenderError(error.said, file=error.file, line=error.line, element_id=error.element_id,
                                  hint=say("pictures.use_dot_hint")) from None
        for diagram in definitions.diagrams:
            shown = {shape.element_id for shape in diagram.shapes}
            drawn = tuple(pid for pid in definitions.processes if _shows(definitions, pid, shown))
            if not drawn:
                continue
            marks = marks_for(drawn)
            try:
                rendered = svg.render_diagram(definitions, diagram, overlays=marks)
            except RenderError:
                if layout == "di":
                    raise
                continue
            covered.update(drawn)
            title = diagram.name or _title_of(definitions, drawn[0])
            result.append(
                Picture(_name(key or definitions.file, diagram.id, slug(title, 24)), title, "di", rendered.svg, drawn,
                        overlays=marks, definitions=definitions)
            )
    for process_id, process in definitions.processes.items():
        if process_id in covered or not process.nodes or layout == "di":
            continue  # di: check_di let through only processes shown collapsed as a call activity
        graph = process_graph(definitions, process_id)
        title = _title_of(definitions, process_id)
        marks = marks_for((process_id,))
        try:
            text = dot.render_dot_svg(graph, overlays=marks, definitions=definitions)
        except RenderError as error:
            if on_layout_error is None:
                raise
            on_layout_error(process_id, error)
            continue
        name = _name(key or definitions.file, process_id, slug(title, 24) or slug(process_id, 24))
        result.append(
            Picture(name, title, "graphviz", text, (process_id,), graph=graph, overlays=marks, definitions=definitions)
        )
    return result


def picture_bytes(picture: Picture, fmt: PictureFormat, *, created: datetime | None = None) -> bytes:
    """The picture as a standalone file: SVG (with XML declaration), PNG or PDF."""
    if fmt == "svg":
        return (_XML_DECLARATION + picture.svg).encode("utf-8")
    if fmt not in ("png", "pdf"):
        raise RenderError(say("pictures.unknown_format", format=repr(fmt)), hint=say("render.unknown_format_hint"))
    if picture.layout == "graphviz" and picture.graph is not None:
        dpi = None
        if fmt == "png":  # Graphviz sizes are points (1/72 in): 144 dpi is 2×, lowered to the pixel caps
            width, height = printable.svg_size(picture.svg)
            dpi = 72 * printable.png_scale(width, height)
        data = dot.render(picture.graph, fmt, overlays=picture.overlays, definitions=picture.definitions, dpi=dpi)
        return printable.pin_pdf_date(data, created) if fmt == "pdf" else data
    return printable.svg_to_print(picture.svg, fmt, created=created)


def shortened_names(picture: Picture) -> int:
    """How many names a Graphviz picture shows shortened (see :data:`reports.dot.LABEL_CHARS`)."""
    if picture.graph is None:
        return 0
    names = [str(data.get("name") or "") for _, data in picture.graph.nodes(data=True)]
    names += [str(data.get("name") or data.get("condition") or "") for _, _, data in picture.graph.edges(data=True)]
    return sum(dot.is_clipped(name) for name in names)


def _overlay_lookup(
    overlays: FileOverlays | Mapping[ElementId, Overlay] | None,
) -> Callable[[tuple[ProcessId, ...]], dict[ElementId, Overlay]]:
    """Overlays for a picture of some processes: per process when known, else the one mapping."""
    if isinstance(overlays, FileOverlays):
        return overlays.for_processes
    plain = dict(overlays or {})
    return lambda _process_ids: plain


def _shows(definitions: Definitions, process_id: ProcessId, shown: set[ElementId]) -> bool:
    process = definitions.processes[process_id]
    pool = definitions.pool_of(process_id)
    return bool(shown & set(process.nodes)) or (pool is not None and pool.id in shown and bool(process.nodes))


def _title_of(definitions: Definitions, process_id: ProcessId) -> str:
    process = definitions.processes[process_id]
    pool = definitions.pool_of(process_id)
    return process.name or (pool.name if pool else "") or str(process_id)


def _name(file: str, key: str, detail: str) -> str:
    """``<file stem>[-<detail>]-<hash>``: readable where names are Latin, unique always."""
    digest = hashlib.sha256(f"{file}\0{key}".encode()).hexdigest()[:8]
    stem = slug(Path(file).stem, 24) or "diagram"
    return f"{stem}-{detail}-{digest}" if detail else f"{stem}-{digest}"
