"""Hardened BPMN 2.0 XML import: bytes on disk → :class:`bpm.model.Definitions`.

Files come from users' modeling tools and intranet shares, so the XML is
treated as hostile: no DTDs, no entity expansion, no network, a size limit and
libxml2's tree limits.  Namespaces are matched by URI, never by prefix, so
``bpmn:``, ``bpmn2:``, ``semantic:`` and default-namespace exports all read the
same.  Vendor extension elements are skipped except for name/value property
lists (Camunda, Zeebe, …), which carry step data such as ``minutes``.

Nothing is dropped silently: every element the reader does not understand,
every duplicate id and every unparsable coordinate becomes an
:class:`~bpm.model.ImportNote` that ``bpm lint`` reports.
"""

from __future__ import annotations

import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from itertools import compress
from operator import attrgetter
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import quoteattr

import numpy as np
import numpy.typing as npt
from lxml import etree

from bpm.collector import collector_paused
from bpm.errors import BpmnParseError, Say, say
from bpm.limits import DEFAULT_MAX_FILE_MB, MAX_FILE_MB, MODEL_BYTES_PER_ELEMENT, max_bytes_for_elements, max_elements
from bpm.model import (
    Artifact,
    ArtifactKind,
    Association,
    AssociationKind,
    Bounds,
    Collaboration,
    DeferredDiagrams,
    DeferredNotes,
    Definitions,
    Diagram,
    DiColours,
    Edge,
    ElementId,
    EventKind,
    EventTrigger,
    FlowNode,
    GatewayDirection,
    GatewayKind,
    GlobalTask,
    ImportNote,
    Lane,
    LoopKind,
    MessageFlow,
    MessageVisibleKind,
    NodeKind,
    NoteLevel,
    Participant,
    Point,
    Process,
    ProcessId,
    SequenceFlow,
    Shape,
    SourceRef,
    TaskKind,
    fast_builder,
)

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
COLOR_NS = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"
"""OMG's non-normative DI colour extension (``color:background-color`` …)."""
BIOC_NS = "http://bpmn.io/schema/bpmn/biocolor/1.0"
"""bpmn.io's colour extension (``bioc:fill``, ``bioc:stroke``)."""
_MAX_COLOUR_CHARS = 64
"""Longer colour values are not colours; they are ignored rather than carried along."""

DEFAULT_MAX_BYTES = int(DEFAULT_MAX_FILE_MB * 1024 * 1024)
"""Default size limit; large enough for any hand-drawn model, small enough to refuse junk fast."""

# The model objects the reader makes by the thousand, made by fast builders (``bpm.model.fast_builder``: the
# frozen dataclasses' own __init__ was a fifth of the import); each takes every field, in declaration order.
_make_source_ref = fast_builder(SourceRef)
_make_flow_node = fast_builder(FlowNode)
_make_sequence_flow = fast_builder(SequenceFlow)
_make_shape = fast_builder(Shape)
_make_edge = fast_builder(Edge)
_make_bounds = fast_builder(Bounds)
_make_point = fast_builder(Point)
_NODE_FIELDS = [f.name for f in fields(FlowNode)]
_NODE_PARENT, _NODE_LANE = _NODE_FIELDS.index("parent_id"), _NODE_FIELDS.index("lane_id")
_FLOW_FIELDS = [f.name for f in fields(SequenceFlow)]
_FLOW_SOURCE_ID, _FLOW_PARENT, _FLOW_IS_DEFAULT = (
    _FLOW_FIELDS.index("source_id"), _FLOW_FIELDS.index("parent_id"), _FLOW_FIELDS.index("is_default")
)

_KIND_BY_MODEL_TAG: dict[str, NodeKind] = {
    f"{{{MODEL_NS}}}{kind.value}": kind for kind in (*TaskKind, *EventKind, *GatewayKind)
}
"""Flow node kinds by their whole tag: one look-up per element, no local name cut out first."""
_CONTAINER_KINDS = frozenset(kind for kind in TaskKind if kind.is_container)
_TRIGGERS = {t.value: t for t in EventTrigger}
_DIRECTIONS = {d.value: d for d in GatewayDirection}
_VISIBLE_KINDS = frozenset(k.value for k in MessageVisibleKind)

# Semantic BPMN elements that carry nothing the analysis uses.  They are skipped
# without a note; anything else unknown gets an ``unsupported-element`` note.
_QUIET_TAGS = frozenset(
    {
        "extensionElements", "documentation", "incoming", "outgoing", "property",
        "ioSpecification", "ioBinding", "inputSet", "outputSet", "dataInputRefs", "dataOutputRefs",
        "optionalInputRefs", "optionalOutputRefs", "whileExecutingInputRefs",
        "whileExecutingOutputRefs", "outputSetRefs", "inputSetRefs",
        "resourceRole", "performer", "humanPerformer", "potentialOwner",
        "resourceParameterBinding", "resourceAssignmentExpression", "resourceRef",
        "dataState", "supportedInterfaceRef", "auditing", "monitoring", "categoryValueRef",
        "completionCondition", "loopCardinality", "loopDataInputRef", "loopDataOutputRef",
        "inputDataItem", "outputDataItem", "complexBehaviorDefinition", "loopCondition",
        "rendering", "script", "activationCondition", "correlationPropertyRef",
        "correlationKey", "correlationSubscription", "interfaceRef", "participantMultiplicity",
        "eventDefinitionRef", "flowNodeRef", "conditionExpression", "text",
    }
)
# Children that belong to the activity itself; read by ``flow_node`` for sub-processes too.
_ACTIVITY_OWN_TAGS = frozenset(
    {
        "standardLoopCharacteristics", "multiInstanceLoopCharacteristics",
        "dataInputAssociation", "dataOutputAssociation",
    }
)
# Root-level definitions that are referenced by id but need no model of their own.
_QUIET_ROOT_TAGS = frozenset(
    {
        "message", "error", "escalation", "signal", "itemDefinition", "interface", "resource",
        "category", "correlationProperty", "partnerEntity", "partnerRole", "endPoint",
        "import", "extension", "relationship", "extensionElements", "documentation",
        "eventDefinition", "timerEventDefinition", "messageEventDefinition", "dataStore",
        "globalTask", "globalUserTask", "globalManualTask", "globalScriptTask",
        "globalBusinessRuleTask", "globalConversation",
    }
)


def read_bpmn(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Definitions:
    """Read one BPMN 2.0 XML file.

    Raises :class:`BpmnParseError` naming the file (and line, when known) for a
    missing, oversized, malformed, hostile or non-BPMN file.
    """
    return read_bpmn_bytes(read_file_bytes(path, max_bytes=max_bytes), os.fspath(path), max_bytes=max_bytes)


def read_file_bytes(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a BPMN file, refused before reading when it is missing, not a regular file (a pipe or device
    may never end) or over ``max_bytes``, and read in bounded chunks.  Raises :class:`BpmnParseError`."""
    name = os.fspath(path)
    try:
        status = Path(name).stat()
    except FileNotFoundError:
        raise BpmnParseError(say("reader.not_found"), file=name, hint=say("reader.not_found_hint")) from None
    except OSError as exc:
        raise BpmnParseError(say("reader.unreadable", reason=exc.strerror), file=name) from None
    size = status.st_size
    if stat.S_ISDIR(status.st_mode):
        raise BpmnParseError(say("reader.directory"), file=name)
    if not stat.S_ISREG(status.st_mode):
        # Devices and pipes report size 0 and may never end (/dev/zero): refuse before reading.
        raise BpmnParseError(say("reader.not_regular"), file=name)
    if size > max_bytes:
        raise BpmnParseError(
            say("reader.too_big", size=_mb(size), limit=_mb(max_bytes)),
            file=name,
            hint=say("reader.too_big_hint"),
        )
    try:
        return _read_bounded(name, max_bytes + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        raise BpmnParseError(say("reader.unreadable", reason=exc.strerror), file=name) from None


def _read_bounded(name: str, limit: int) -> bytes:
    """At most ``limit`` bytes, read in chunks: ``read(limit)`` would allocate the whole limit up front."""
    chunks: list[bytes] = []
    total = 0
    with open(name, "rb") as handle:
        while total < limit:
            chunk = handle.read(min(1 << 20, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    return b"".join(chunks)


def _mb(size: int) -> str:
    """Megabytes as the CLI's ``--max-size`` counts them (1 MB = 1024 × 1024 bytes)."""
    return f"{size / (1024 * 1024):.1f}"


def read_bpmn_bytes(data: bytes, file: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Definitions:
    """Read BPMN from bytes; ``file`` names it in messages and source references.

    A file within ``--max-size`` may still not fit in this machine's memory (the limit can be raised to
    1 GB): that is the file's problem to report, naming it, not an internal error of the run.
    """
    try:
        with collector_paused():
            return _read(data, file, max_bytes)
    except MemoryError:
        pass  # said below, once the exception's frames (and the half-built model they hold) are gone
    raise BpmnParseError(say("reader.out_of_memory", size=_mb(len(data))), file=file,
                         hint=say("reader.out_of_memory_hint"))


def _read(data: bytes, file: str, max_bytes: int) -> Definitions:
    if len(data) > max_bytes:
        raise BpmnParseError(
            say("reader.too_big", size=_mb(len(data)), limit=_mb(max_bytes)),
            file=file,
            hint=say("reader.too_big_hint"),
        )
    root, repairs, parsed = _parse_xml(data, file)
    lines = _start_tag_lines(root, parsed)
    if etree.QName(root).namespace != MODEL_NS or etree.QName(root).localname != "definitions":
        found = etree.QName(root)
        raise BpmnParseError(
            say("reader.not_bpmn", root=found.localname, namespace=found.namespace or say("reader.no_namespace")),
            file=file,
            line=lines.get(root, _line(root)),
            hint=say("reader.not_bpmn_hint", namespace=MODEL_NS),
        )
    counts = _model_counts(root, file, lines, max_bytes)
    colours = _may_have_colours(parsed, root)
    deferred = deferred_diagrams(root, parsed, lines, file, colours) if _DEFERRING[0] else None
    builder = _Builder(file, lines, colours=colours, deferred=deferred)
    for repair in repairs:
        builder.note("repaired-xml", repair, root)
    return builder.definitions(root, counts)


def parse_xml(data: bytes, file: str) -> tuple[etree._Element, tuple[Say, ...], bytes]:
    """The hardened parse behind :func:`read_bpmn_bytes`, for writers that patch the file they read.

    Returns the root (comments and PIs dropped), the repairs made, and the
    bytes actually parsed: the input itself, or a UTF-8 copy when the bytes
    did not match the declared encoding.  ``reports.annotate`` uses it so
    that it accepts, and repairs, exactly the files the reader does.
    """
    root, repairs, parsed = _parse_xml(data, file)
    return root, tuple(repairs), parsed


_ASCII_COMPATIBLE = frozenset({"utf-8", "utf8", "ascii", "us-ascii"})
_COLOUR_URIS = (COLOR_NS.encode(), BIOC_NS.encode())


def _may_have_colours(data: bytes, root: etree._Element) -> bool:
    """False when no element can carry a DI colour attribute: neither colour namespace is declared.

    An attribute in a namespace needs that namespace's URI declared, and in a
    UTF-8 file without character references (``&#``) the URI is then in the
    bytes as written.  Two byte searches spare four attribute look-ups on each
    of thousands of shapes and edges in the many files that have no colours;
    any other encoding, or a file with a character reference, is read as before.
    """
    encoding = (root.getroottree().docinfo.encoding or "utf-8").lower()
    if encoding not in _ASCII_COMPATIBLE or b"&#" in data:
        return True
    return any(uri in data for uri in _COLOUR_URIS)


def _model_counts(
    root: etree._Element, file: str, lines: dict[etree._Element, int], max_bytes: int
) -> dict[str, int]:
    """How many elements of each BPMN tag the file has (``bpm lint`` reports them).

    Refuses files with more BPMN elements with an id than the size limit
    allows (:func:`bpm.limits.max_elements`: a memory budget that grows with
    ``--max-size``), naming the element where it is passed and the
    ``--max-size`` that would read the file.  The elements are found by lxml's
    tag filter (in C), and their ids are looked at only when there are more of
    them than the limit: a Python test per element cost a tenth of the import.
    (Counting the element list that :func:`_start_tag_lines` makes for long files instead was slower: lxml
    builds each tag's string anew, and that list holds every element, the diagram's too.)
    """
    counts = Counter(map(_tag, root.iter(_MODEL_ANY)))
    limit = max_elements(max_bytes)
    if counts.total() > limit:
        identified = int(cast(float, _COUNT_IDENTIFIED(root)))
        if identified > limit:
            element = cast(list[etree._Element], _IDENTIFIED_AT(root, n=limit + 1))[0]
            raise BpmnParseError(
                say("reader.too_many_elements", limit=f"{limit:,}", tag=_local(element)),
                file=file,
                line=lines.get(element, _line(element)),
                element_id=element.get("id"),
                hint=_element_limit_hint(identified),
            )
    return {str(tag)[_MODEL_CUT:]: count for tag, count in sorted(counts.items())}


_COUNT_IDENTIFIED = etree.XPath("count(descendant-or-self::m:*[@id])", namespaces={"m": MODEL_NS})
_IDENTIFIED_AT = etree.XPath("(descendant-or-self::m:*[@id])[$n]", namespaces={"m": MODEL_NS})
"""BPMN elements with an id, counted and found in C (a Python test per element cost seconds on a hostile file)."""


def _element_limit_hint(elements: int) -> Say:
    """What to do about a file over the element limit: the ``--max-size`` that reads it, when there is one."""
    needed = max_bytes_for_elements(elements)
    if needed > MAX_FILE_MB * 1024 * 1024:
        return say("reader.too_many_elements_hint", elements=f"{elements:,}")
    return say("reader.too_many_elements_hint_size", elements=f"{elements:,}", size=needed // (1024 * 1024),
               memory=_mb(elements * MODEL_BYTES_PER_ELEMENT))


_tag = attrgetter("tag")


def _parser(*, recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_FALLBACK_ENCODINGS = ("cp932", "cp1252")
"""Tried in order when a file's bytes do not match its declared encoding.

Japanese Windows tools write Shift_JIS (cp932) while declaring UTF-8; European
tools (e.g. GenMyModel in the MIWG suite) write Windows-1252 the same way.
"""


def _parse_xml(data: bytes, file: str) -> tuple[etree._Element, list[Say], bytes]:
    """Parse safely; returns the root, what had to be repaired on the way and the bytes parsed."""
    if not data or data.isspace():  # not data.strip(): that copies the whole file
        raise BpmnParseError(say("reader.empty"), file=file, hint=say("reader.empty_hint"))
    repairs: list[Say] = []
    parser = _parser()
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        # The parser's own log, not the exception's: that one is thread-global and
        # can still hold messages from files read earlier.
        retried = _retry(data, list(parser.error_log), repairs)
        if retried is not None:
            tree, data = retried
        else:
            line: int | None = exc.position[0] if exc.position else None
            message = " ".join((str(exc.msg) if exc.msg else str(exc)).split())  # libxml2 may end lines midway
            hint = say("reader.malformed_entity_hint" if "entity" in message.lower() else "reader.malformed_hint")
            raise BpmnParseError(say("reader.malformed", detail=message), file=file, line=line, hint=hint) from None
    except ValueError as exc:  # e.g. unsupported encoding declarations
        raise BpmnParseError(say("reader.undecodable", detail=exc), file=file) from None
    docinfo = tree.docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise BpmnParseError(
            say("reader.dtd"),
            file=file,
            line=1,
            hint=say("reader.dtd_hint"),
        )
    return tree.getroot(), repairs, data


def _retry(
    data: bytes, log: list[etree._LogEntry], repairs: list[Say]
) -> tuple[etree._ElementTree, bytes] | None:
    """Second chance for two known, loss-free export defects: (tree, bytes parsed), or None."""
    errors = [e for e in log if e.level_name in ("ERROR", "FATAL")]
    if errors and all(e.type_name.startswith("WAR_NS_URI") for e in errors):
        # libxml2 rejects namespace URIs with spaces (IBM Process Designer writes
        # them on vendor prefixes); the tree itself is complete.
        tree = etree.fromstring(data, _parser(recover=True)).getroottree()
        repairs.append(say("reader.note_namespace_uri", detail=errors[0].message))
        return tree, data
    if errors and "encoding" in errors[0].message.lower() and "Invalid bytes" in errors[0].message:
        for encoding, text in _fallback_decodings(data):
            utf8 = _DECLARATION.sub(b'<?xml version="1.0" encoding="UTF-8"?>', text.encode("utf-8"), count=1)
            try:
                tree = etree.fromstring(utf8, _parser()).getroottree()
            except etree.XMLSyntaxError:
                continue
            repairs.append(say("reader.note_encoding", encoding=encoding))
            return tree, utf8
    return None


_KANA = re.compile("[\u3040-\u30ff]")


def _fallback_decodings(data: bytes) -> list[tuple[str, str]]:
    """(encoding, text) for each fallback encoding that decodes ``data``, most plausible first.

    cp932 also decodes most Windows-1252 text, wrongly: ``kl\xe4ren`` becomes
    ``kl舐en``, because an accented letter plus the next ASCII letter is a valid
    double-byte kanji.  Windows-1252 text never decodes to kana (their lead bytes
    0x81-0x83 are not letters there), so cp932 goes first only when the result has kana.
    """
    decoded: list[tuple[str, str]] = []
    for encoding in _FALLBACK_ENCODINGS:
        try:
            decoded.append((encoding, data.decode(encoding)))
        except UnicodeDecodeError:
            continue
    def rank(pair: tuple[str, str]) -> int:
        encoding, text = pair
        if encoding == "cp932":
            return 0 if _KANA.search(text) else 2
        return 1

    return sorted(decoded, key=rank)


_SKIPPED_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^>]*>", re.DOTALL)
_LT, _GT, _NL = ord("<"), ord(">"), ord("\n")
_SLASH, _BANG, _QUERY = ord("/"), ord("!"), ord("?")
"""What follows the ``<`` of an end tag, a comment, CDATA, a DOCTYPE or a processing instruction."""
_LIBXML2_LAST_EXACT_LINE = 65_534
"""libxml2 keeps line numbers in 16 bits: past this line it borrows a neighbouring text node's (see below)."""


def _start_tag_lines(root: etree._Element, data: bytes) -> dict[etree._Element, int]:
    """The line of the ``<`` of each element whose start tag spans lines (libxml2's line is right for the others).

    libxml2 numbers an element by the line where its start tag *ends*, which is
    several lines too far for tools that write one attribute per line (ADONIS).
    From line 65,535 on its 16-bit line saturates and it borrows the line where
    a neighbouring text node ends (the text after the tag, or inside it): one
    line too many after a tag followed by one newline, three after three
    newlines, the next element's line when none follows — no fixed offset that
    could be subtracted, so those elements are numbered from the bytes too.  Outside comments,
    CDATA and processing instructions every ``<`` that is not ``</`` or ``<!``
    opens an element (XML allows no raw ``<`` in text or
    attribute values), so the n-th such ``<`` is the n-th element.  The scan is
    done by numpy over the bytes (a loop in Python cost as much as parsing),
    and only elements that need a correction get an entry: holding every
    element of a large file in a dict cost more than the rest of the scan.
    Empty when the lines cannot be worked out (libxml2's lines are used then).
    """
    encoding = (root.getroottree().docinfo.encoding or "utf-8").lower()
    if encoding not in ("utf-8", "utf8", "ascii", "us-ascii"):
        try:  # UTF-16 and friends: the bytes of '<' and newline differ; count in a UTF-8 copy
            data = data.decode(encoding).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            return {}
    if _all_start_tags_on_one_line(data):
        return {}
    view = np.frombuffer(data, dtype=np.uint8)
    opens = np.flatnonzero(view == _LT)
    closes = np.flatnonzero(view == _GT)
    following = view[np.minimum(opens + 1, len(view) - 1)]
    is_start = (following != _SLASH) & (following != _BANG) & (following != _QUERY)
    newlines = np.flatnonzero(view == _NL)
    if b"<!" not in data and len(opens) == len(closes):
        # No comment or CDATA, and no '>' outside markup: the n-th '>' ends the n-th tag, so a start
        # tag spans lines exactly when a newline lies between its '<' and its '>'.
        first = np.searchsorted(newlines, opens[is_start])
        last = np.searchsorted(newlines, closes[is_start])
        wrong = (first != last) | (last >= _LIBXML2_LAST_EXACT_LINE)
        if not wrong.any():
            return {}
        return _lines_of(root, first + 1, wrong)
    starts = opens[is_start]
    if b"<!" in data or data.count(b"<?") > 1:  # comments, CDATA or PIs past the declaration may hold a '<'
        starts = _outside(starts, [match.span() for match in _SKIPPED_MARKUP.finditer(data)])
    return _lines_of(root, np.searchsorted(newlines, starts) + 1, None)


def _all_start_tags_on_one_line(data: bytes) -> bool:
    """True when libxml2's line is right for every element, found without numpy (most files).

    The bytes are reduced to their ``<``, ``>`` and newlines (one C pass); when
    that is ``<>`` pairs with newlines only between them, no tag spans lines, and
    with fewer than 65,534 newlines no line passes libxml2's 16 bits.  Comments,
    CDATA and processing instructions may hold a ``<`` or ``>``: such files, and
    any other shape, take the exact scan.
    """
    if b"<!" in data or data.count(b"<?") > 1 or data.count(b"\n") >= _LIBXML2_LAST_EXACT_LINE:
        return False  # the newline count first: a long file takes the exact scan anyway, so no copy is made for it
    markup = data.translate(None, _NOT_MARKUP)
    if b"<\n" in markup:
        return False
    brackets = markup.translate(None, b"\n")
    return brackets == b"<>" * (len(brackets) // 2)


_NOT_MARKUP = bytes(sorted(set(range(256)) - set(b"<>\n")))
"""Every byte but ``<``, ``>`` and newline: what :func:`_all_start_tags_on_one_line` deletes."""


def _lines_of(
    root: etree._Element, lines: npt.NDArray[np.intp], wanted: npt.NDArray[np.bool_] | None
) -> dict[etree._Element, int]:
    """Element (in document order) → line, for the elements ``wanted`` (all when None); {} if the counts differ.
    ``compress`` picks the wanted ones in C (a comprehension over indices cost 1 s at
    100,000 tasks, where 1.7 million of 2.2 million elements lie past line 65,534)."""
    elements = list(root.iter(etree.Element))
    if len(elements) != len(lines):
        return {}
    if wanted is None:
        return dict(zip(elements, lines.tolist(), strict=True))
    return dict(zip(compress(elements, wanted.tolist()), lines[wanted].tolist(), strict=True))


def _outside(positions: npt.NDArray[np.intp], spans: list[tuple[int, int]]) -> npt.NDArray[np.intp]:
    """The positions that fall in none of the (sorted, disjoint) half-open spans."""
    if not spans:
        return positions
    begins = np.array([begin for begin, _ in spans])
    ends = np.array([end for _, end in spans])
    index = np.searchsorted(begins, positions, side="right") - 1
    inside = (index >= 0) & (positions < ends[np.maximum(index, 0)])
    return positions[~inside]


_MODEL = f"{{{MODEL_NS}}}"
_MODEL_ANY = f"{_MODEL}*"
"""lxml's tag filter for elements in the BPMN model namespace (the filtering is done in C)."""
_MODEL_CUT = len(_MODEL)


def _local(element: etree._Element) -> str:
    """The tag's local name (``etree.QName`` per tag cost a quarter of the import)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag[tag.find("}") + 1:]


def _ns(element: etree._Element) -> str | None:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    return tag[1:tag.find("}")]


def _model_children(element: etree._Element) -> Iterator[etree._Element]:
    """Children in the BPMN model namespace (comments and PIs never are)."""
    return element.iterchildren(_MODEL_ANY)


def _model_local(element: etree._Element) -> str:
    """The local name of an element known to be in the model namespace (from :func:`_model_children`)."""
    return str(element.tag)[_MODEL_CUT:]


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    if not len(element):  # a leaf: its text is all there is (itertext costs more than the rest)
        return (element.text or "").strip()
    return "".join(str(t) for t in element.itertext()).strip()


_EXTENSIONS = f"{_MODEL}extensionElements"
_INCOMING, _OUTGOING = f"{_MODEL}incoming", f"{_MODEL}outgoing"
_DOCUMENTATION = f"{_MODEL}documentation"
_CONDITION = f"{_MODEL}conditionExpression"


def _properties(extensions: Iterable[etree._Element]) -> dict[str, str]:
    """Name/value pairs from vendor ``properties`` lists (any namespace) in these ``extensionElements``."""
    result: dict[str, str] = {}
    for ext in extensions:
        for holder in ext.iterdescendants("{*}properties"):
            for prop in holder.iterchildren("{*}property"):
                key = prop.get("name")
                if key is None or not key.strip():
                    continue
                value = prop.get("value")
                if value is None:
                    value = _text(prop)
                result[key.strip()] = value.strip()
    return result


def _documentation(elements: Iterable[etree._Element]) -> str:
    """The texts of these ``documentation`` elements, blank ones left out, a blank line between."""
    texts = [_text(c) for c in elements]
    return "\n\n".join(t for t in texts if t)


def _qualified_ref(element: etree._Element, value: str | None) -> str:
    """An id reference with any declared namespace prefix removed.

    References are QNames in the BPMN schema, and some tools write them that way
    (GenMyModel ``bpmn2:_id``, IBM ``A.3.0-export:bpmnid-…``).  Ids are NCNames and
    cannot contain a colon, so a prefix declared in scope is never part of the id.
    """
    if value is None:
        return ""
    value = value.strip()
    if ":" not in value:  # most references: no prefix to look up
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in element.nsmap:
        return local
    return value


def _attributes(element: etree._Element) -> dict[str, str]:
    """All attributes of an element at once (lxml returns them as str for a parsed file)."""
    return cast(dict[str, str], dict(element.items()))


def _ref_attr(element: etree._Element, name: str) -> str:
    """Attribute ``name`` read as an id reference (see :func:`_qualified_ref`)."""
    return _qualified_ref(element, element.get(name))


def _ref_text(element: etree._Element) -> str:
    """Element text read as an id reference (``flowNodeRef``, ``incoming``, …)."""
    return _qualified_ref(element, _text(element))


def _line(element: etree._Element) -> int | None:
    """1-based source line (lxml's stubs type it loosely)."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"true", "1"}


@dataclass
class _Builder:
    """Mutable state while one file is read; produces frozen model objects."""

    file: str
    lines: dict[etree._Element, int] = field(default_factory=dict)
    """Start-tag lines from :func:`_start_tag_lines`; libxml2's line is the fallback."""
    notes: list[ImportNote] = field(default_factory=list)
    seen_ids: dict[str, etree._Element] = field(default_factory=dict)
    """Each id read so far and the element that has it: its line is looked up only for a duplicate's note."""
    global_triggers: dict[str, EventTrigger] = field(default_factory=dict)
    """Root-level event definitions (MID Innovator writes them there) by id."""
    message_names: dict[str, str] = field(default_factory=dict)
    """Root-level ``message`` names by id, for the envelope label of message flows."""
    category_values: dict[str, str] = field(default_factory=dict)
    """``categoryValue`` values by id: the label of a group that references one."""
    colours: bool = True
    """False when the file declares neither colour namespace (:func:`_may_have_colours`): no look-ups then."""
    deferred: DeferredDiagrams | None = None
    """The file's diagrams when they are built on demand (:func:`deferred_diagrams`); None: built here."""
    _generated: int = 0

    # ------------------------------------------------------------------ helpers

    def line(self, element: etree._Element) -> int | None:
        line = self.lines.get(element) if self.lines else None  # most files need no correction at all
        return line if line is not None else _line(element)

    def src(self, element: etree._Element) -> SourceRef:
        """Where ``element`` is written; :meth:`line` inlined (made for every element and most children)."""
        if self.lines:
            line = self.lines.get(element)
            if line is not None:
                return _make_source_ref(self.file, line)
        return _make_source_ref(self.file, element.sourceline or None)  # lxml gives an int, or None when unknown

    def note(
        self,
        code: str,
        message: Say,
        element: etree._Element,
        element_id: str | None = None,
        level: NoteLevel = NoteLevel.WARNING,
    ) -> None:
        """Record a note, written in English and in Japanese now (the model holds plain, comparable text)."""
        self.notes.append(
            ImportNote(code, message.render("en"), self.src(element), ElementId(element_id) if element_id else None,
                       level, message.render("ja"))
        )

    def element_id(self, element: etree._Element) -> ElementId | None:
        """The element's id; None (with a note) when it repeats an earlier id.

        An id with spaces around it is refused: references to it are read
        without the spaces (they are id references, never text), so the
        element would be known by one id here and by another in every tool
        that writes the file back, and exports could not find it again.
        """
        raw = element.get("id")
        if raw and raw not in self.seen_ids and not raw[0].isspace() and not raw[-1].isspace():
            self.seen_ids[raw] = element  # the usual case (new, unpadded): no copy by strip(), no line look-up
            return ElementId(raw)
        if raw is None or not raw.strip():
            self._generated += 1
            raw = f"_{_local(element)}_{self.line(element) or 0}_{self._generated}"
            self.note("missing-id", say("reader.note_missing_id", tag=_local(element), id=raw), element, raw)
        if raw != raw.strip():
            raise BpmnParseError(
                say("reader.id_spaces", id=repr(raw), tag=_local(element)),
                file=self.file,
                line=self.line(element),
                element_id=raw.strip(),
                hint=say("reader.id_spaces_hint"),
            )
        if raw in self.seen_ids:
            first = self.line(self.seen_ids[raw])
            self.note(
                "duplicate-id",
                say("reader.note_duplicate_id", id=raw, line=first, tag=_local(element)),
                element,
                raw,
                NoteLevel.ERROR,
            )
            return None
        self.seen_ids[raw] = element
        return ElementId(raw)

    def properties(self, element: etree._Element) -> dict[str, str]:
        """Name/value pairs from vendor ``properties`` lists in ``extensionElements``."""
        return _properties(element.iterchildren(_EXTENSIONS))

    def documentation(self, element: etree._Element) -> str:
        return _documentation(element.iterchildren(_DOCUMENTATION))

    # ------------------------------------------------------------------ definitions

    def definitions(self, root: etree._Element, counts: dict[str, int]) -> Definitions:
        processes: dict[ProcessId, Process] = {}
        collaborations: list[Collaboration] = []
        diagrams: list[Diagram] = []
        root_artifacts: list[Artifact] = []
        global_tasks: list[GlobalTask] = []
        notes_at: list[int] = []
        for child in _model_children(root):
            if _local(child) in _TRIGGERS and child.get("id"):
                self.global_triggers[child.get("id", "")] = _TRIGGERS[_local(child)]
        self.referenced_names(root)
        for child in root:
            if not isinstance(child.tag, str):
                continue
            tag, ns = _local(child), _ns(child)
            if ns == MODEL_NS and tag in _TRIGGERS:
                continue
            if ns == BPMNDI_NS and tag == "BPMNDiagram":
                if self.deferred is None:
                    diagrams.append(self.diagram(child))
                else:
                    notes_at.append(len(self.notes))  # where this diagram's notes go, once it is built
            elif ns != MODEL_NS:
                continue
            elif tag == "process":
                process = self.process(child)
                if process is not None:
                    processes[process.id] = process
            elif tag == "collaboration":
                collaboration = self.collaboration(child)
                if collaboration is not None:
                    collaborations.append(collaboration)
            elif tag in _QUIET_ROOT_TAGS:
                if tag.startswith("global") and tag.endswith("Task") and (child.get("id") or "").strip():
                    # Not through element_id(): a clash with a process id must not drop the process.
                    task_id = ElementId(child.get("id", "").strip())
                    global_tasks.append(GlobalTask(task_id, tag, child.get("name", "").strip(), self.src(child)))
                if tag == "dataStore":
                    store_id = self.element_id(child)
                    if store_id is not None:
                        root_artifacts.append(
                            Artifact(store_id, ArtifactKind.DATA_STORE, self.src(child), child.get("name", "").strip())
                        )
            else:
                self.note(
                    "unsupported-element",
                    say("reader.note_unsupported_root", tag=tag),
                    child,
                    child.get("id"),
                )
        processes = self._name_processes_after_pools(processes, collaborations)
        return Definitions(
            id=root.get("id", ""),
            source=self.src(root),
            name=root.get("name", "").strip(),
            target_namespace=root.get("targetNamespace", ""),
            exporter=root.get("exporter", ""),
            exporter_version=root.get("exporterVersion", ""),
            processes=processes,
            collaborations=tuple(collaborations),
            diagrams=tuple(diagrams) if self.deferred is None else self.deferred,
            notes=tuple(self.notes) if self.deferred is None else DeferredNotes(tuple(self.notes), tuple(notes_at),
                                                                                self.deferred),
            element_counts=counts,
            data_stores=tuple(root_artifacts),
            global_tasks=tuple(global_tasks),
        )

    def referenced_names(self, root: etree._Element) -> None:
        """Names that elements show by reference: messages (envelopes) and category values (groups).

        They are declared at the root, often after the elements that use them,
        so they are gathered before anything else is read.
        """
        for child in _model_children(root):
            tag = _local(child)
            if tag == "message" and child.get("id", "").strip():
                self.message_names[child.get("id", "").strip()] = child.get("name", "").strip()
            elif tag == "category":
                for value in _model_children(child):
                    if _local(value) == "categoryValue" and value.get("id", "").strip():
                        self.category_values[value.get("id", "").strip()] = value.get("value", "").strip()

    @staticmethod
    def _name_processes_after_pools(
        processes: dict[ProcessId, Process], collaborations: list[Collaboration]
    ) -> dict[ProcessId, Process]:
        """Unnamed processes take their pool's name: that is what the modeler typed."""
        pool_names = {
            p.process_id: p.name for c in collaborations for p in c.participants if p.process_id and p.name
        }
        renamed: dict[ProcessId, Process] = {}
        for pid, process in processes.items():
            if not process.name and pid in pool_names:
                process = replace(process, name=pool_names[pid])
            renamed[pid] = process
        return renamed

    # ------------------------------------------------------------------ collaboration

    def collaboration(self, element: etree._Element) -> Collaboration | None:
        ident = self.element_id(element)
        if ident is None:
            return None
        participants: list[Participant] = []
        message_flows: list[MessageFlow] = []
        artifacts: list[Artifact] = []
        associations: list[Association] = []
        for child in _model_children(element):
            tag = _local(child)
            if tag == "participant":
                pid = self.element_id(child)
                if pid is None:
                    continue
                ref = _ref_attr(child, "processRef")
                multiple = any(_local(c) == "participantMultiplicity" for c in _model_children(child))
                participants.append(
                    Participant(
                        pid, child.get("name", "").strip(), self.src(child), ProcessId(ref) if ref else None, multiple
                    )
                )
            elif tag == "messageFlow":
                mid = self.element_id(child)
                if mid is None:
                    continue
                message = _ref_attr(child, "messageRef")
                if message and message not in self.message_names:
                    self.note("dangling-reference", say("reader.note_message_ref", ref=message), child, mid)
                    message = ""
                message_flows.append(
                    MessageFlow(
                        mid,
                        ElementId(_ref_attr(child, "sourceRef")),
                        ElementId(_ref_attr(child, "targetRef")),
                        self.src(child),
                        child.get("name", "").strip(),
                        ElementId(message) if message else None,
                        self.message_names.get(message, ""),
                    )
                )
            elif tag in ("textAnnotation", "group"):
                artifact = self.artifact(child, None)
                if artifact is not None:
                    artifacts.append(artifact)
            elif tag == "association":
                association = self.association(child, AssociationKind.ASSOCIATION)
                if association is not None:
                    associations.append(association)
            elif tag not in _QUIET_TAGS and tag not in ("messageFlowRef", "conversation", "conversationLink"):
                self.note("unsupported-element", say("reader.note_unsupported_collaboration", tag=tag), child,
                          child.get("id"))
        return Collaboration(
            ident,
            self.src(element),
            element.get("name", "").strip(),
            tuple(participants),
            tuple(message_flows),
            tuple(artifacts),
            tuple(associations),
        )

    # ------------------------------------------------------------------ process

    def process(self, element: etree._Element) -> Process | None:
        ident = self.element_id(element)
        if ident is None:
            return None
        pid = ProcessId(ident)
        scope = _Scope(pid)
        self.scope_content(element, scope, parent_id=None)
        # The model objects are made here, once, from the fields gathered while reading: a node's lane and a
        # flow's default flag and level are known only at the end, and copying frozen objects to add them
        # (dataclasses.replace) cost more than making them.
        lane_of = {node_id: lane.id for lane in _walk_lanes(scope.lanes) for node_id in lane.node_ids}
        nodes: dict[ElementId, FlowNode] = {}
        for nid, values in scope.nodes.items():
            values[_NODE_LANE] = lane_of.get(nid)
            nodes[nid] = _make_flow_node(*values)
        defaults, reparented = scope.defaults, scope.reparented
        flows: dict[ElementId, SequenceFlow] = {}
        for fid, values in scope.flows.items():
            source_id = values[_FLOW_SOURCE_ID]
            if source_id in reparented:  # flows leaving a re-parented boundary event move to its level with it
                values[_FLOW_PARENT] = reparented[source_id]
            values[_FLOW_IS_DEFAULT] = fid in defaults
            flows[fid] = _make_sequence_flow(*values)
        return Process(
            id=pid,
            name=element.get("name", "").strip(),
            source=self.src(element),
            nodes=nodes,
            flows=flows,
            lanes=tuple(scope.lanes),
            artifacts=tuple(scope.artifacts),
            associations=tuple(scope.associations),
            properties=self.properties(element),
            documentation=self.documentation(element),
            is_executable=_bool(element.get("isExecutable"), False),
        )

    def scope_content(self, element: etree._Element, scope: _Scope, parent_id: ElementId | None) -> None:
        """Read the flow elements of a process or sub-process into ``scope``."""
        for child in _model_children(element):
            kind = _KIND_BY_MODEL_TAG.get(child.tag)
            if kind is not None:
                self.flow_node(child, kind, scope, parent_id)
                continue
            tag = child.tag[_MODEL_CUT:]
            if tag == "sequenceFlow":
                self.sequence_flow(child, scope, parent_id)
            elif tag == "laneSet":
                scope.lanes.extend(self.lane_set(child, None))
            elif tag in (
                "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation", "group",
            ):
                artifact = self.artifact(child, scope.process_id)
                if artifact is not None:
                    scope.artifacts.append(artifact)
            elif tag == "association":
                association = self.association(child, AssociationKind.ASSOCIATION)
                if association is not None:
                    scope.associations.append(association)
            elif tag == "ioSpecification" and parent_id is None:
                # the process's own inputs and outputs; an activity's are read by flow_node
                self.io_specification(child, scope)
            elif tag in _QUIET_TAGS or tag in _ACTIVITY_OWN_TAGS:
                continue
            else:
                self.note(
                    "unsupported-element",
                    say("reader.note_unsupported_process", tag=tag),
                    child,
                    child.get("id"),
                )

    def flow_node(self, element: etree._Element, kind: NodeKind, scope: _Scope, parent_id: ElementId | None) -> None:
        ident = self.element_id(element)
        if ident is None:
            return
        get = _attributes(element).get  # one call for all attributes: ten look-ups by name cost twice as much
        triggers: list[EventTrigger] = []
        loop = LoopKind.NONE
        link_name: str | None = None
        incoming: list[str] = []
        outgoing: list[str] = []
        documentation: list[etree._Element] = []
        extensions: list[etree._Element] = []
        # Once over the children (they were read in five passes), comparing whole tags first: the four usual
        # children need neither a filtered iterator (costly to set up per node) nor a local name.
        for child in element:
            tag = child.tag
            if tag == _INCOMING:
                incoming.append(_ref_text(child))
                continue
            if tag == _OUTGOING:
                outgoing.append(_ref_text(child))
                continue
            if tag == _DOCUMENTATION:
                documentation.append(child)
                continue
            if tag == _EXTENSIONS:
                extensions.append(child)
                continue
            if tag.__class__ is not str or not tag.startswith(_MODEL):
                continue  # another namespace (vendor elements), or an entity reference
            ctag = tag[_MODEL_CUT:]
            if ctag in _TRIGGERS:
                triggers.append(_TRIGGERS[ctag])
                if ctag == "linkEventDefinition" and child.get("name"):
                    link_name = child.get("name", "").strip()
            elif ctag == "eventDefinitionRef":
                ref = _ref_text(child)
                if ref in self.global_triggers:
                    triggers.append(self.global_triggers[ref])
                else:
                    self.note("dangling-reference", say("reader.note_event_definition_ref", ref=ref), child, ident)
            elif ctag == "standardLoopCharacteristics":
                loop = LoopKind.STANDARD
            elif ctag == "multiInstanceLoopCharacteristics":
                loop = (
                    LoopKind.MULTI_INSTANCE_SEQUENTIAL
                    if _bool(child.get("isSequential"), False)
                    else LoopKind.MULTI_INSTANCE_PARALLEL
                )
            elif ctag in ("dataInputAssociation", "dataOutputAssociation"):
                association = self.data_association(child, ident)
                if association is not None:
                    scope.associations.append(association)
            elif ctag == "ioSpecification":
                self.io_specification(child, scope)
        default = _qualified_ref(element, get("default")) or None
        if default:
            scope.defaults.add(ElementId(default))
        attached = _qualified_ref(element, get("attachedToRef")) or None
        if attached is not None and parent_id == attached and attached in scope.nodes:
            # Visual Paradigm writes boundary events inside the sub-process they sit on; semantically they
            # belong to the host's level.
            parent_id = scope.nodes[ElementId(attached)][_NODE_PARENT]
            scope.reparented[ident] = parent_id
        direction_raw = get("gatewayDirection", "Unspecified")
        direction = _DIRECTIONS.get(direction_raw)  # a dict: calling the Enum cost more than the rest of a task
        if direction is None:
            direction = GatewayDirection.UNSPECIFIED
            self.note("bad-attribute", say("reader.note_gateway_direction", value=direction_raw), element, ident)
        scope.nodes[ident] = [  # FlowNode's fields in their order; the lane is filled in by process()
            ident,
            kind,
            get("name", "").strip(),
            self.src(element),
            scope.process_id,
            parent_id,
            None,  # lane_id
            _documentation(documentation) if documentation else "",
            _properties(extensions) if extensions else {},
            tuple(incoming),
            tuple(outgoing),
            tuple(triggers),
            attached,  # attached_to
            _bool(get("isInterrupting" if kind is EventKind.START else "cancelActivity"), True),
            direction,
            default,  # default_flow
            (_qualified_ref(element, get("calledElement")) or None) if kind is TaskKind.CALL_ACTIVITY else None,
            loop,
            _bool(get("triggeredByEvent"), False),
            _bool(get("isForCompensation"), False),
            _bool(get("instantiate"), False),
            link_name,
        ]
        if kind in _CONTAINER_KINDS:
            self.scope_content(element, scope, parent_id=ident)

    def sequence_flow(self, element: etree._Element, scope: _Scope, parent_id: ElementId | None) -> None:
        ident = self.element_id(element)
        if ident is None:
            return
        get = _attributes(element).get
        condition = None
        documentation: list[etree._Element] = []
        extensions: list[etree._Element] = []
        for child in element:  # once, for the three kinds of child a flow may have
            tag = child.tag
            if tag == _CONDITION:
                condition = _text(child)
            elif tag == _DOCUMENTATION:
                documentation.append(child)
            elif tag == _EXTENSIONS:
                extensions.append(child)
        scope.flows[ident] = [  # SequenceFlow's fields in their order; process() fills in is_default
            ident,
            _qualified_ref(element, get("sourceRef")),
            _qualified_ref(element, get("targetRef")),
            self.src(element),
            scope.process_id,
            parent_id,
            get("name", "").strip(),
            condition,
            False,  # is_default
            _properties(extensions) if extensions else {},
            _documentation(documentation) if documentation else "",
        ]

    def lane_set(self, element: etree._Element, parent_lane: ElementId | None) -> list[Lane]:
        lanes: list[Lane] = []
        for child in _model_children(element):
            if _local(child) != "lane":
                continue
            ident = self.element_id(child)
            if ident is None:
                continue
            children: list[Lane] = []
            refs: list[ElementId] = []
            for sub in _model_children(child):
                if _local(sub) == "flowNodeRef":
                    refs.append(ElementId(_ref_text(sub)))
                elif _local(sub) == "childLaneSet":
                    children.extend(self.lane_set(sub, ident))
            lanes.append(
                Lane(
                    id=ident,
                    name=child.get("name", "").strip(),
                    source=self.src(child),
                    node_ids=tuple(refs),
                    children=tuple(children),
                    parent_id=parent_lane,
                    properties=self.properties(child),
                )
            )
        return lanes

    def io_specification(self, element: etree._Element, scope: _Scope) -> None:
        """Data inputs and outputs of a process or activity, drawn as data objects with an arrow."""
        for io in _model_children(element):
            if _local(io) in ("dataInput", "dataOutput"):
                artifact = self.artifact(io, scope.process_id)
                if artifact is not None:
                    scope.artifacts.append(artifact)

    def artifact(self, element: etree._Element, process_id: ProcessId | None) -> Artifact | None:
        ident = self.element_id(element)
        if ident is None:
            return None
        kind = ArtifactKind(_local(element))
        name = element.get("name", "").strip()
        if kind is ArtifactKind.TEXT_ANNOTATION:
            name = "\n".join(_text(c) for c in _model_children(element) if _local(c) == "text").strip()
        category_value = _ref_attr(element, "categoryValueRef")
        if kind is ArtifactKind.GROUP and category_value in self.category_values:
            name = self.category_values[category_value]  # a group shows its category value, as in bpmn-js
        ref = _ref_attr(element, "dataObjectRef") or _ref_attr(element, "dataStoreRef") or category_value or None
        collection = _bool(element.get("isCollection"), False)
        return Artifact(ident, kind, self.src(element), name, process_id, ref, collection)

    def association(self, element: etree._Element, kind: AssociationKind) -> Association | None:
        ident = self.element_id(element)
        if ident is None:
            return None
        return Association(
            ident,
            kind,
            ElementId(_ref_attr(element, "sourceRef")),
            ElementId(_ref_attr(element, "targetRef")),
            self.src(element),
            element.get("associationDirection", "None"),
        )

    def data_association(self, element: etree._Element, activity_id: ElementId) -> Association | None:
        """Data associations name their ends as child elements; the activity is the implicit end."""
        kind = AssociationKind(_local(element))
        ident = self.element_id(element)
        if ident is None:
            return None
        sources = [_ref_text(c) for c in _model_children(element) if _local(c) == "sourceRef"]
        targets = [_ref_text(c) for c in _model_children(element) if _local(c) == "targetRef"]
        src, tgt = (sources[0] if sources else "", str(activity_id))
        if kind is AssociationKind.DATA_OUTPUT:
            src, tgt = str(activity_id), (targets[0] if targets else "")
        return Association(ident, kind, ElementId(src), ElementId(tgt), self.src(element), "One")

    # ------------------------------------------------------------------ diagram interchange

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
        builder = _Builder(deferred.file, _start_tag_lines(root, document), colours=deferred.colours)
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


@dataclass
class _Scope:
    """Collects one process's content while reading; nested sub-processes share it."""

    process_id: ProcessId
    nodes: dict[ElementId, list[Any]] = field(default_factory=dict)
    """The fields of each flow node in :class:`FlowNode`'s order; the node is made once its lane is known."""
    flows: dict[ElementId, list[Any]] = field(default_factory=dict)
    """The fields of each sequence flow in its order; made once defaults and re-parented sources are known."""
    lanes: list[Lane] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    defaults: set[ElementId] = field(default_factory=set)
    reparented: dict[ElementId, ElementId | None] = field(default_factory=dict)
    """Boundary events moved to their host's level, with that level."""


def _walk_lanes(lanes: Iterable[Lane]) -> Iterator[Lane]:
    """Lanes parents-first, so the innermost lane wins when a node is listed twice."""
    for lane in lanes:
        yield from lane.walk()
