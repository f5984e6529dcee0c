"""The diagram interchange (DI) of a BPMN file → :class:`bpm.model.Diagram`, at once or on demand.

Shapes, edges, bounds and waypoints are half of a file's elements, yet only
drawing, layout and ``bpm lint`` look at them.  So the reader may keep a
file's diagrams as their bytes (:func:`deferred_diagrams`) and build them when
first read (:func:`build_deferred_diagrams`), with the same lines and notes as
when built with the file (:class:`DiagramBuilder`, used both ways).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from bpm.collector import collector_paused
from bpm.errors import BpmnParseError, say
from bpm.model import (
    Bounds,
    DeferredDiagrams,
    Diagram,
    DiColours,
    Edge,
    ElementId,
    ImportNote,
    MessageVisibleKind,
    Point,
    Shape,
    fast_builder,
)
from bpm.reader_elements import _bool, _line, _qualified_ref, _ref_attr
from bpm.reader_lines import _start_tag_lines
from bpm.reader_notes import NoteRecorder
from bpm.reader_xml import _ASCII_COMPATIBLE, BIOC_NS, BPMNDI_NS, COLOR_NS, DC_NS, DI_NS, _parser, _retry

_MAX_COLOUR_CHARS = 64
"""Longer colour values are not colours; they are ignored rather than carried along."""

_make_shape = fast_builder(Shape)
_make_edge = fast_builder(Edge)
_make_bounds = fast_builder(Bounds)
_make_point = fast_builder(Point)
_VISIBLE_KINDS = frozenset(k.value for k in MessageVisibleKind)


@dataclass
class DiagramBuilder(NoteRecorder):
    """Builds the diagrams of one file; its notes go to the list it is given (the reader's, when read with the file)."""

    colours: bool = True
    """False when the file declares neither colour namespace (``bpm.reader._may_have_colours``): no look-ups then."""

    def diagram(self, element: etree._Element) -> Diagram:
        ident = element.get("id") or f"_diagram_{self.line(element)}"
        shapes: list[Shape] = []
        edges: list[Edge] = []
        plane_ref: str | None = None
        for plane in element.iterchildren(_ANY_PLANE):
            plane_ref = _ref_attr(plane, "bpmnElement") or None
            for item in plane:
                tag = item.tag
                local = _DI_LOCAL_NAMES.get(tag) or _any_local(tag)
                if local == "BPMNShape":
                    shape = self.shape(item)
                    if shape is not None:
                        shapes.append(shape)
                elif local == "BPMNEdge":
                    edge = self.edge(item)
                    if edge is not None:
                        edges.append(edge)
        return Diagram(
            ElementId(ident),
            element.get("name", "").strip(),
            ElementId(plane_ref) if plane_ref else None,
            tuple(shapes),
            tuple(edges),
            self.src(element),
        )

    def _label(self, label: etree._Element) -> Bounds | None:
        """The first ``Bounds`` child (any namespace, as every tool writes it) of a BPMNLabel, or None."""
        for child in label:
            tag = child.tag
            if (_DI_LOCAL_NAMES.get(tag) or _any_local(tag)) == "Bounds":
                return self._bounds_of(child)
        return None

    def _bounds_of(self, bounds: etree._Element) -> Bounds | None:
        """A ``Bounds`` element's rectangle; None (with a note) when a coordinate is not a number."""
        get = bounds.get
        try:
            return _make_bounds(float(get("x", "0")), float(get("y", "0")), float(get("width", "0")),
                                float(get("height", "0")))
        except ValueError:
            self.note("bad-coordinates", say("reader.note_bad_bounds"), bounds)
            return None

    @staticmethod
    def _colours(element: etree._Element, label: etree._Element | None) -> DiColours | None:
        """The modeler's colours on a BPMNShape/BPMNEdge and its BPMNLabel (OMG attributes win over bpmn.io's)."""
        get = element.get
        fill = _colour(get(_OMG_FILL)) or _colour(get(_BIOC_FILL))
        stroke = _colour(get(_OMG_STROKE)) or _colour(get(_BIOC_STROKE))
        text = _colour(label.get(_OMG_LABEL)) if label is not None else None
        if fill is None and stroke is None and text is None:
            return None
        return DiColours(fill=fill, stroke=stroke, label=text)

    def shape(self, element: etree._Element) -> Shape | None:
        # One pass over the children (filtered iterators cost more than the rest of a shape).
        bounds_element = label = None
        for child in element:
            tag = child.tag
            local = _DI_LOCAL_NAMES.get(tag) or _any_local(tag)
            if local == "Bounds":
                if bounds_element is None:
                    bounds_element = child
            elif local == "BPMNLabel" and label is None:
                label = child
        get = element.get
        ref = _qualified_ref(element, get("bpmnElement"))
        bounds = self._bounds_of(bounds_element) if bounds_element is not None else None
        if not ref or bounds is None:
            self.note("bad-shape", say("reader.note_bad_shape"), element, get("id"))
            return None
        horizontal = get("isHorizontal")
        expanded = get("isExpanded")
        marker = get("isMarkerVisible")
        return _make_shape(
            get("id") or f"_shape_{ref}",
            ref,
            bounds,
            self.src(element),
            None if label is None else self._label(label),
            None if horizontal is None else _bool(horizontal, True),
            None if expanded is None else _bool(expanded, False),
            None if marker is None else _bool(marker, True),
            self._colours(element, label) if self.colours else None,
        )

    def edge(self, element: etree._Element) -> Edge | None:
        get = element.get
        ref = _qualified_ref(element, get("bpmnElement"))
        points: list[Point] = []
        label = None
        for child in element:
            tag = child.tag
            local = _DI_LOCAL_NAMES.get(tag) or _any_local(tag)
            if local == "waypoint":
                try:
                    get_xy = child.get
                    points.append(_make_point(float(get_xy("x", "")), float(get_xy("y", ""))))
                except ValueError:
                    self.note("bad-coordinates", say("reader.note_bad_waypoint"), child)
            elif local == "BPMNLabel" and label is None:
                label = child
        if not ref or len(points) < 2:
            self.note("bad-edge", say("reader.note_bad_edge"), element, get("id"))
            return None
        visible_kind = get("messageVisibleKind")
        if visible_kind is not None:
            visible_kind = visible_kind.strip()
        return _make_edge(
            get("id") or f"_edge_{ref}",
            ref,
            tuple(points),
            self.src(element),
            None if label is None else self._label(label),
            self._colours(element, label) if self.colours else None,
            MessageVisibleKind(visible_kind) if visible_kind in _VISIBLE_KINDS else None,
        )


# --------------------------------------------------------------------------- diagrams on demand

_DIAGRAM_TAG = f"{{{BPMNDI_NS}}}BPMNDiagram"
_WRAPPER = "_bpm_diagrams"
"""The element that stands in for the root when deferred diagrams are parsed again."""
_DIAGRAM_START = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?BPMNDiagram[\s/>]")
_ROOT_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?definitions\s*>(?:\s|<!--.*?-->|<\?.*?\?>)*\Z", re.DOTALL)
"""The root's end tag: the last ``</`` of the file, followed by nothing but white space, comments and PIs."""


_DEFERRING = [True]
"""Whether :func:`read_bpmn` defers diagrams (:func:`defer_diagrams`)."""


def defer_diagrams(enabled: bool) -> None:
    """Whether files read from now on keep their diagrams as bytes until asked (the default) or build them at once.

    Commands that draw or lint every file they read (``bpm scan``, ``render``,
    ``lint``) switch it off: for them a deferred diagram is parsed twice, once
    with the file and once when drawn (≈ +27 % of the read on MIWG).  Set
    before a pool forks, its workers inherit it.  The model is the same either way.
    """
    _DEFERRING[0] = enabled


def deferred_diagrams(
    root: etree._Element, data: bytes, lines: dict[etree._Element, int], file: str, colours: bool
) -> DeferredDiagrams | None:
    """The file's diagrams kept as bytes to build on demand; None when they are to be built now.

    Deferred only when the bytes from the first diagram's ``<`` to the root's
    end tag parse alone and give every element its line again: the file is
    UTF-8, ASCII or Latin-1 (a DOCTYPE, and so any entity, is refused earlier), every
    ``<…BPMNDiagram`` in the bytes is one of the root's diagrams and the first
    is in no comment, CDATA or PI (so it starts the slice), the root's end tag
    ends it, and libxml2's line of the first diagram is the newline count
    before it (so padding the slice to that line numbers it as the file did).
    The checks are byte searches and a look at the root's children: no
    diagram element is visited, which is the point.
    """
    diagrams = [child for child in root if child.tag == _DIAGRAM_TAG]
    if not diagrams:
        return None
    docinfo = root.getroottree().docinfo
    encoding = (docinfo.encoding or "utf-8").lower()
    if encoding not in _DEFERRABLE_ENCODINGS:
        return None
    starts = _diagram_start_tags(data)
    if len(starts) != len(diagrams) or _in_skipped_markup(data, starts[0].start()):
        return None
    first = starts[0]
    if (first.group(1) or b"").decode("ascii") != (diagrams[0].prefix or ""):
        return None  # not the first diagram's own tag
    end = _ROOT_END.match(data, max(data.rfind(b"</"), 0))
    line = lines.get(diagrams[0]) or _line(diagrams[0])
    if end is None or not line or data.count(b"\n", 0, first.start()) != line - 1:
        return None
    namespaces = tuple(root.nsmap.items())
    if encoding not in _ASCII_COMPATIBLE:
        try:
            _wrapper_head(namespaces, encoding)
        except UnicodeEncodeError:  # a namespace the file's own encoding cannot write (it was a character reference)
            return None
    return DeferredDiagrams(namespaces, encoding, data[first.start():end.start()], line, file, colours, len(diagrams))


def _wrapper_head(namespaces: tuple[tuple[str | None, str], ...], encoding: str) -> bytes:
    """The start tag that stands in for the root, declaring its namespaces, on one line (made when the diagrams
    are built: ``quoteattr`` for every namespace was a tenth of reading a small file)."""
    declarations = "".join(
        f" xmlns={quoteattr(uri)}" if prefix is None else f" xmlns:{prefix}={quoteattr(uri)}"
        for prefix, uri in namespaces
    )
    declared = "" if encoding in _ASCII_COMPATIBLE else f'<?xml version="1.0" encoding="{encoding}"?>'
    return f"{declared}<{_WRAPPER}{declarations}>".encode(encoding if declared else "utf-8")  # undeclared: UTF-8


_DEFERRABLE_ENCODINGS = _ASCII_COMPATIBLE | {"iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252"}
"""Encodings whose bytes for ``<``, ``>``, newline and the tag names are ASCII's, one byte a character: the
diagrams' bytes can be cut out of the file and parsed alone (under a declaration naming the encoding)."""


def _diagram_start_tags(data: bytes) -> list[re.Match[bytes]]:
    """Every ``<…BPMNDiagram`` start tag in the bytes: found by the name (a fast byte search; it is rare), then
    matched from the ``<`` before it (a regular expression run over the whole file cost a tenth of the import)."""
    found: list[re.Match[bytes]] = []
    position = data.find(b"BPMNDiagram")
    while position != -1:
        opening = data.rfind(b"<", 0, position)
        match = _DIAGRAM_START.match(data, opening) if opening != -1 else None
        if match is not None and match.end() == position + len(b"BPMNDiagram") + 1:
            found.append(match)
        position = data.find(b"BPMNDiagram", position + 1)
    return found


def _in_skipped_markup(data: bytes, position: int) -> bool:
    """True when ``position`` may lie inside a comment, CDATA section or processing instruction."""
    for opening, closing in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>")):
        begin = data.rfind(opening, 0, position)
        if begin != -1 and data.find(closing, begin + len(opening)) > position - len(closing):
            return True
    return False


def build_deferred_diagrams(
    deferred: DeferredDiagrams,
) -> tuple[tuple[Diagram, ...], tuple[tuple[ImportNote, ...], ...]]:
    """The diagrams :func:`deferred_diagrams` kept, and each one's import notes, as the reader would have made them.

    The bytes are the file's own from the first diagram on, under a wrapper
    declaring the root's namespaces and padded with newlines to the line they
    started on, so every element, line, source reference and note is the one
    the whole file gave.  Raises :class:`BpmnParseError` naming the file should
    they not parse or hold another number of diagrams (not expected: the
    reader checked both).
    """
    head = _wrapper_head(deferred.namespaces, deferred.encoding)
    document = b"".join((head, b"\n" * (deferred.first_line - 1), deferred.body, f"</{_WRAPPER}>".encode()))
    with collector_paused():
        parser = _parser()
        try:
            root = etree.fromstring(document, parser)
        except etree.XMLSyntaxError as exc:  # repaired as the whole file was (a namespace URI with spaces)
            retried = _retry(document, list(parser.error_log), [])
            if retried is None:
                raise BpmnParseError(say("reader.malformed", detail=str(exc)), file=deferred.file) from None
            root = retried[0].getroot()
        builder = DiagramBuilder(deferred.file, _start_tag_lines(root, document), colours=deferred.colours)
        diagrams: list[Diagram] = []
        notes: list[tuple[ImportNote, ...]] = []
        for child in root:
            if child.tag == _DIAGRAM_TAG:
                diagrams.append(builder.diagram(child))
                notes.append(tuple(builder.notes))
                builder.notes.clear()
    if len(diagrams) != deferred.diagram_count:
        raise BpmnParseError(say("reader.malformed", detail=f"{len(diagrams)} diagrams, not {deferred.diagram_count}"),
                             file=deferred.file)
    return tuple(diagrams), tuple(notes)


def _any_local(tag: object) -> str:
    """The local name of a tag in any namespace or none (what lxml's ``{*}name`` matches); "" for non-elements."""
    if tag.__class__ is not str:
        return ""
    text = str(tag)
    return text[text.find("}") + 1:]


_DI_LOCAL_NAMES: dict[object, str] = {
    f"{{{namespace}}}{name}": name
    for namespace, names in ((BPMNDI_NS, ("BPMNShape", "BPMNEdge", "BPMNLabel")), (DC_NS, ("Bounds",)),
                             (DI_NS, ("waypoint",)))
    for name in names
}
"""Local names of the diagram tags as the standard namespaces spell them: one dict look-up per element instead of
a call to :func:`_any_local` (which every other spelling still takes)."""

# Diagram elements are matched by local name in any namespace (``{*}`` for lxml, :func:`_any_local` in the
# one-pass loops): tools disagree on the DI namespaces' spelling, and every one of them means the same element.
_ANY_PLANE = "{*}BPMNPlane"
_OMG_FILL, _OMG_STROKE, _OMG_LABEL = (f"{{{COLOR_NS}}}{name}" for name in ("background-color", "border-color", "color"))
_BIOC_FILL, _BIOC_STROKE = f"{{{BIOC_NS}}}fill", f"{{{BIOC_NS}}}stroke"


def _colour(value: str | None) -> str | None:
    """A colour attribute's value; None when absent, blank or too long to be a colour."""
    if value is None:
        return None
    value = value.strip()
    return value if 0 < len(value) <= _MAX_COLOUR_CHARS else None
