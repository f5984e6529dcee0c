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

This module reads the semantic model (processes, collaborations, root
definitions); the rest of the work lives beside it, one job a module:
``reader_xml`` (the hardened parse and its repairs), ``reader_lines``
(start-tag lines libxml2 gets wrong), ``reader_elements`` (names, texts and id
references out of lxml elements), ``reader_notes`` (notes and source
references) and ``reader_di`` (the diagram interchange, at once or on demand).
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from pathlib import Path
from typing import Any, cast

from lxml import etree

from bpm.collector import collector_paused
from bpm.errors import BpmnParseError, Say, say
from bpm.limits import DEFAULT_MAX_FILE_MB, MAX_FILE_MB, MODEL_BYTES_PER_ELEMENT, max_bytes_for_elements, max_elements
from bpm.model import (
    Artifact,
    ArtifactKind,
    Association,
    AssociationKind,
    Collaboration,
    DeferredDiagrams,
    DeferredNotes,
    Definitions,
    Diagram,
    ElementId,
    EventKind,
    EventTrigger,
    FlowNode,
    GatewayDirection,
    GatewayKind,
    GlobalTask,
    Lane,
    LoopKind,
    MessageFlow,
    NodeKind,
    NoteLevel,
    Participant,
    Process,
    ProcessId,
    SequenceFlow,
    TaskKind,
    fast_builder,
)
from bpm.reader_di import _DEFERRING, DiagramBuilder, deferred_diagrams
from bpm.reader_di import build_deferred_diagrams as build_deferred_diagrams
from bpm.reader_di import defer_diagrams as defer_diagrams
from bpm.reader_elements import (
    _CONDITION,
    _DOCUMENTATION,
    _EXTENSIONS,
    _INCOMING,
    _MODEL,
    _MODEL_ANY,
    _MODEL_CUT,
    _OUTGOING,
    _attributes,
    _bool,
    _documentation,
    _line,
    _local,
    _model_children,
    _ns,
    _properties,
    _qualified_ref,
    _ref_attr,
    _ref_text,
    _text,
)
from bpm.reader_lines import _start_tag_lines
from bpm.reader_notes import NoteRecorder
from bpm.reader_xml import _ASCII_COMPATIBLE, BIOC_NS, COLOR_NS, _parse_xml
from bpm.reader_xml import BPMNDI_NS as BPMNDI_NS
from bpm.reader_xml import DC_NS as DC_NS
from bpm.reader_xml import DI_NS as DI_NS
from bpm.reader_xml import MODEL_NS as MODEL_NS

DEFAULT_MAX_BYTES = int(DEFAULT_MAX_FILE_MB * 1024 * 1024)
"""Default size limit; large enough for any hand-drawn model, small enough to refuse junk fast."""

# The model objects the reader makes by the thousand, made by fast builders (``bpm.model.fast_builder``: the
# frozen dataclasses' own __init__ was a fifth of the import); each takes every field, in declaration order.
_make_flow_node = fast_builder(FlowNode)
_make_sequence_flow = fast_builder(SequenceFlow)
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
_CONTAINER_KINDS = tuple(kind for kind in TaskKind if kind.is_container)
"""A tuple, not a set: ``in`` compares three members by identity, where a set would call the Enum's Python
``__hash__`` for every flow node."""
_TRIGGERS = {t.value: t for t in EventTrigger}
_DIRECTIONS = {d.value: d for d in GatewayDirection}

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


@dataclass
class _Builder(NoteRecorder):
    """Mutable state while one file is read; produces frozen model objects."""

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
    drawings: DiagramBuilder = field(init=False)
    """Builds the diagrams read with the file, its notes going to :attr:`notes` (so they keep the document order)."""

    def __post_init__(self) -> None:
        self.drawings = DiagramBuilder(self.file, self.lines, self.notes, colours=self.colours)

    # ------------------------------------------------------------------ helpers

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
                    diagrams.append(self.drawings.diagram(child))
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
