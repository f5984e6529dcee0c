"""The typed process model: the single source of truth for everything downstream.

The reader builds it once from BPMN XML; graphs, lint findings, scores and
diagrams are all derived from it and never write back.  Everything is a frozen
dataclass so that analysis code can share instances freely.

Flow nodes are stored *flat* per process (nested sub-process content included),
each knowing its ``parent_id``.  That keeps look-ups trivial and lets the graph
builder decide whether to collapse or expand sub-processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, make_dataclass, replace
from enum import Enum
from typing import Any, NewType, TypeVar, cast, overload

ElementId = NewType("ElementId", str)
ProcessId = NewType("ProcessId", str)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an element was written, so errors and findings can point at it."""

    file: str
    """Path of the BPMN file as given by the user."""
    line: int | None
    """1-based line of the element's start tag, when known."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


# --------------------------------------------------------------------------- kinds


class Category(Enum):
    """The three families of BPMN flow nodes."""

    ACTIVITY = "activity"
    EVENT = "event"
    GATEWAY = "gateway"


class TaskKind(Enum):
    """Activity element types; the value is the BPMN XML local name."""

    TASK = "task"
    USER = "userTask"
    MANUAL = "manualTask"
    SERVICE = "serviceTask"
    SCRIPT = "scriptTask"
    BUSINESS_RULE = "businessRuleTask"
    SEND = "sendTask"
    RECEIVE = "receiveTask"
    SUB_PROCESS = "subProcess"
    TRANSACTION = "transaction"
    AD_HOC_SUB_PROCESS = "adHocSubProcess"
    CALL_ACTIVITY = "callActivity"

    @property
    def is_container(self) -> bool:
        """True for elements that hold their own flow nodes."""
        return self in (TaskKind.SUB_PROCESS, TaskKind.TRANSACTION, TaskKind.AD_HOC_SUB_PROCESS)


class EventKind(Enum):
    """Event element types; the value is the BPMN XML local name."""

    START = "startEvent"
    END = "endEvent"
    INTERMEDIATE_CATCH = "intermediateCatchEvent"
    INTERMEDIATE_THROW = "intermediateThrowEvent"
    BOUNDARY = "boundaryEvent"
    IMPLICIT_THROW = "implicitThrowEvent"


class GatewayKind(Enum):
    """Gateway element types; the value is the BPMN XML local name."""

    EXCLUSIVE = "exclusiveGateway"
    PARALLEL = "parallelGateway"
    INCLUSIVE = "inclusiveGateway"
    EVENT_BASED = "eventBasedGateway"
    COMPLEX = "complexGateway"


NodeKind = TaskKind | EventKind | GatewayKind


def category_of(kind: NodeKind) -> Category:
    """Family of a node kind."""
    if isinstance(kind, TaskKind):
        return Category.ACTIVITY
    if isinstance(kind, EventKind):
        return Category.EVENT
    return Category.GATEWAY


def kind_from_tag(local_name: str) -> NodeKind | None:
    """Node kind for a BPMN XML local name, or None when it is not a flow node."""
    return _KIND_BY_TAG.get(local_name)


_KIND_BY_TAG: dict[str, NodeKind] = {
    **{k.value: k for k in TaskKind},
    **{k.value: k for k in EventKind},
    **{k.value: k for k in GatewayKind},
}


class EventTrigger(Enum):
    """Event definitions (the marker drawn inside an event)."""

    MESSAGE = "messageEventDefinition"
    TIMER = "timerEventDefinition"
    ERROR = "errorEventDefinition"
    ESCALATION = "escalationEventDefinition"
    CANCEL = "cancelEventDefinition"
    COMPENSATION = "compensateEventDefinition"
    CONDITIONAL = "conditionalEventDefinition"
    LINK = "linkEventDefinition"
    SIGNAL = "signalEventDefinition"
    TERMINATE = "terminateEventDefinition"


class GatewayDirection(Enum):
    """The ``gatewayDirection`` attribute."""

    UNSPECIFIED = "Unspecified"
    CONVERGING = "Converging"
    DIVERGING = "Diverging"
    MIXED = "Mixed"


class LoopKind(Enum):
    """Loop characteristics of an activity."""

    NONE = "none"
    STANDARD = "standard"
    MULTI_INSTANCE_PARALLEL = "parallel"
    MULTI_INSTANCE_SEQUENTIAL = "sequential"


class ArtifactKind(Enum):
    """Non-flow elements: annotations, groups and data."""

    TEXT_ANNOTATION = "textAnnotation"
    GROUP = "group"
    DATA_OBJECT = "dataObject"
    DATA_OBJECT_REFERENCE = "dataObjectReference"
    DATA_STORE = "dataStore"
    DATA_STORE_REFERENCE = "dataStoreReference"
    DATA_INPUT = "dataInput"
    DATA_OUTPUT = "dataOutput"


class AssociationKind(Enum):
    """Dotted connectors: plain associations and data associations."""

    ASSOCIATION = "association"
    DATA_INPUT = "dataInputAssociation"
    DATA_OUTPUT = "dataOutputAssociation"


# --------------------------------------------------------------------------- semantic elements


@dataclass(frozen=True, slots=True)
class FlowNode:
    """An activity, event or gateway, wherever it is nested."""

    id: ElementId
    """The element's ``id``."""
    kind: NodeKind
    """Element type (task kind, event kind or gateway kind)."""
    name: str
    """Display name with whitespace as written (may contain line breaks); empty when unnamed."""
    source: SourceRef
    """Where the element starts in the file."""
    process_id: ProcessId
    """The process that owns it (also for nodes nested in sub-processes)."""
    parent_id: ElementId | None = None
    """Enclosing sub-process, or None at the top level of the process."""
    lane_id: ElementId | None = None
    """Innermost lane that lists this node, or None."""
    documentation: str = ""
    """Text of ``documentation`` children, joined by blank lines."""
    properties: Mapping[str, str] = field(default_factory=dict)
    """Vendor name/value properties (camunda:properties, zeebe:properties, …)."""
    incoming: tuple[ElementId, ...] = ()
    """Ids of incoming sequence flows as declared by ``incoming`` children."""
    outgoing: tuple[ElementId, ...] = ()
    """Ids of outgoing sequence flows as declared by ``outgoing`` children."""
    triggers: tuple[EventTrigger, ...] = ()
    """Event definitions; empty for a none event and for non-events."""
    attached_to: ElementId | None = None
    """Host activity of a boundary event."""
    cancel_activity: bool = True
    """Interrupting (True) or not: ``cancelActivity`` of a boundary event, ``isInterrupting`` of a start event."""
    direction: GatewayDirection = GatewayDirection.UNSPECIFIED
    """Gateway direction as declared."""
    default_flow: ElementId | None = None
    """The ``default`` sequence flow of a gateway or activity."""
    called_element: str | None = None
    """``calledElement`` of a call activity."""
    loop: LoopKind = LoopKind.NONE
    """Loop or multi-instance marker."""
    triggered_by_event: bool = False
    """Event sub-process flag."""
    is_for_compensation: bool = False
    """Compensation activity flag."""
    instantiate: bool = False
    """Receive task or event-based gateway that starts the process."""
    link_name: str | None = None
    """For link events: the ``name`` of the link definition, which pairs throw and catch."""

    @property
    def link_key(self) -> str:
        """What pairs a link throw with its catches: the link definition's name, else the event's, spaces folded.

        One definition for lint, visits and hand-offs, so they never disagree on which events are paired.
        """
        return " ".join((self.link_name or self.name).split())

    @property
    def category(self) -> Category:
        """Activity, event or gateway."""
        return category_of(self.kind)

    @property
    def label(self) -> str:
        """Name on one line (whitespace folded), or the id when unnamed."""
        folded = " ".join(self.name.split())
        return folded or self.id


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    """A solid arrow between two flow nodes of the same process level."""

    id: ElementId
    """The element's ``id``."""
    source_id: ElementId
    """``sourceRef`` (may dangle; lint reports it)."""
    target_id: ElementId
    """``targetRef`` (may dangle; lint reports it)."""
    source: SourceRef
    """Where the element starts in the file."""
    process_id: ProcessId
    """Owning process."""
    parent_id: ElementId | None = None
    """Enclosing sub-process, or None at the top level."""
    name: str = ""
    """Label, typically the branch condition in words (例: 不備あり)."""
    condition: str | None = None
    """Text of ``conditionExpression``, when present."""
    is_default: bool = False
    """True when the source's ``default`` attribute names this flow."""
    properties: Mapping[str, str] = field(default_factory=dict)
    """Vendor name/value properties (e.g. ``probability``)."""
    documentation: str = ""
    """Text of ``documentation`` children."""


@dataclass(frozen=True, slots=True)
class Lane:
    """A lane, possibly holding child lanes (``childLaneSet``)."""

    id: ElementId
    """The element's ``id``."""
    name: str
    """Display name."""
    source: SourceRef
    """Where the element starts in the file."""
    node_ids: tuple[ElementId, ...] = ()
    """``flowNodeRef`` entries, in document order."""
    children: tuple[Lane, ...] = ()
    """Nested lanes."""
    parent_id: ElementId | None = None
    """Enclosing lane, or None for a top-level lane."""
    properties: Mapping[str, str] = field(default_factory=dict)
    """Vendor name/value properties."""

    def walk(self) -> Iterator[Lane]:
        """This lane and all nested lanes, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Artifact:
    """Text annotation, group, data object or data store."""

    id: ElementId
    """The element's ``id``."""
    kind: ArtifactKind
    """What sort of artifact."""
    source: SourceRef
    """Where the element starts in the file."""
    name: str = ""
    """Name, or for a text annotation its text."""
    process_id: ProcessId | None = None
    """Owning process, or None when declared on a collaboration/definitions."""
    ref: str | None = None
    """dataObjectRef / dataStoreRef / categoryValueRef, when present."""
    is_collection: bool = False
    """``isCollection`` of a data object, data input or data output (a list of items, drawn with |||)."""


@dataclass(frozen=True, slots=True)
class Association:
    """A dotted connector: association or data input/output association."""

    id: ElementId
    """The element's ``id`` (generated from its position when the file gives none)."""
    kind: AssociationKind
    """Plain or data association."""
    source_id: ElementId
    """Source element."""
    target_id: ElementId
    """Target element."""
    source: SourceRef
    """Where the element starts in the file."""
    direction: str = "None"
    """associationDirection: None, One or Both."""


@dataclass(frozen=True, slots=True)
class Process:
    """One ``process`` element with everything nested inside it."""

    id: ProcessId
    """The element's ``id``."""
    name: str
    """Name of the process (or of its pool when the process has none)."""
    source: SourceRef
    """Where the element starts in the file."""
    nodes: Mapping[ElementId, FlowNode] = field(default_factory=dict)
    """All flow nodes, nested ones included, in document order."""
    flows: Mapping[ElementId, SequenceFlow] = field(default_factory=dict)
    """All sequence flows, nested ones included, in document order."""
    lanes: tuple[Lane, ...] = ()
    """Top-level lanes (from every laneSet)."""
    artifacts: tuple[Artifact, ...] = ()
    """Annotations, groups and data elements."""
    associations: tuple[Association, ...] = ()
    """Associations and data associations."""
    properties: Mapping[str, str] = field(default_factory=dict)
    """Vendor name/value properties (e.g. ``annual_count``)."""
    documentation: str = ""
    """Text of ``documentation`` children."""
    is_executable: bool = False
    """``isExecutable``."""

    def all_lanes(self) -> Iterator[Lane]:
        """Every lane, nested ones included, depth first."""
        for lane in self.lanes:
            yield from lane.walk()


@dataclass(frozen=True, slots=True)
class Participant:
    """A pool: a participant of a collaboration, usually bound to a process."""

    id: ElementId
    """The element's ``id``."""
    name: str
    """Pool name."""
    source: SourceRef
    """Where the element starts in the file."""
    process_id: ProcessId | None = None
    """``processRef``; None for a black-box pool."""
    is_multi_instance: bool = False
    """The pool has a ``participantMultiplicity`` (several instances, drawn with |||)."""


@dataclass(frozen=True, slots=True)
class MessageFlow:
    """A dashed arrow between pools or their nodes."""

    id: ElementId
    """The element's ``id``."""
    source_id: ElementId
    """Source node or participant."""
    target_id: ElementId
    """Target node or participant."""
    source: SourceRef
    """Where the element starts in the file."""
    name: str = ""
    """Label."""
    message_ref: ElementId | None = None
    """``messageRef``: the message it carries, when named."""
    message_name: str = ""
    """Name of that message (shown under its envelope), empty when unnamed or not found."""


@dataclass(frozen=True, slots=True)
class Collaboration:
    """Pools and the message flows between them."""

    id: ElementId
    """The element's ``id``."""
    source: SourceRef
    """Where the element starts in the file."""
    name: str = ""
    """Name, rarely set."""
    participants: tuple[Participant, ...] = ()
    """Pools in document order."""
    message_flows: tuple[MessageFlow, ...] = ()
    """Message flows in document order."""
    artifacts: tuple[Artifact, ...] = ()
    """Annotations and groups declared on the collaboration."""
    associations: tuple[Association, ...] = ()
    """Associations declared on the collaboration."""


@dataclass(frozen=True, slots=True)
class GlobalTask:
    """A root-level ``globalTask`` (or ``globalUserTask``, …): a reusable task a call activity may call."""

    id: ElementId
    """The element's ``id`` (a ``calledElement`` names it)."""
    tag: str
    """XML local name, e.g. ``globalUserTask``."""
    name: str
    """Display name."""
    source: SourceRef
    """Where the element starts in the file."""


# --------------------------------------------------------------------------- diagram interchange


@dataclass(frozen=True, slots=True)
class Point:
    """A waypoint in diagram coordinates."""

    x: float
    """Horizontal position."""
    y: float
    """Vertical position (down is positive)."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """A rectangle in diagram coordinates."""

    x: float
    """Left edge."""
    y: float
    """Top edge."""
    width: float
    """Width."""
    height: float
    """Height."""


@dataclass(frozen=True, slots=True)
class DiColours:
    """Colours the modeler gave a shape or edge, as written (not yet checked to be CSS colours).

    Read from the OMG ``color:`` attributes and bpmn.io's ``bioc:`` ones; the OMG
    attribute wins when both are present, as in bpmn-js.
    """

    fill: str | None = None
    """``color:background-color`` or ``bioc:fill``."""
    stroke: str | None = None
    """``color:border-color`` or ``bioc:stroke``."""
    label: str | None = None
    """``color:color`` of the ``BPMNLabel``: the text colour."""


class MessageVisibleKind(Enum):
    """``messageVisibleKind`` of a message flow's edge: how its message envelope is drawn."""

    INITIATING = "initiating"
    NON_INITIATING = "non_initiating"


@dataclass(frozen=True, slots=True)
class Shape:
    """A ``BPMNShape``: where an element is drawn."""

    id: ElementId
    """The shape's own id (generated when missing)."""
    element_id: ElementId
    """``bpmnElement``."""
    bounds: Bounds
    """Shape rectangle."""
    source: SourceRef
    """Where the shape starts in the file."""
    label: Bounds | None = None
    """Label rectangle, when given."""
    is_horizontal: bool | None = None
    """Pools and lanes: horizontal (True) or vertical (False); None when unstated."""
    is_expanded: bool | None = None
    """Sub-processes: drawn expanded."""
    is_marker_visible: bool | None = None
    """Exclusive gateways: show the × marker."""
    colours: DiColours | None = None
    """Fill, stroke and label colours from the file, when any is given."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A ``BPMNEdge``: the route of a connector."""

    id: ElementId
    """The edge's own id (generated when missing)."""
    element_id: ElementId
    """``bpmnElement``."""
    waypoints: tuple[Point, ...]
    """Route, first to last."""
    source: SourceRef
    """Where the edge starts in the file."""
    label: Bounds | None = None
    """Label rectangle, when given."""
    colours: DiColours | None = None
    """Stroke and label colours from the file, when any is given."""
    message_visible_kind: MessageVisibleKind | None = None
    """For message flows: initiating or not, when the file says."""


@dataclass(frozen=True, slots=True)
class Diagram:
    """One ``BPMNDiagram`` with its plane."""

    id: ElementId
    """The diagram's id."""
    name: str
    """Diagram name (often empty)."""
    plane_element_id: ElementId | None
    """``bpmnElement`` of the plane: a collaboration or process."""
    shapes: tuple[Shape, ...] = ()
    """Shapes in document (= painting) order."""
    edges: tuple[Edge, ...] = ()
    """Edges in document order."""
    source: SourceRef | None = None
    """Where the diagram starts in the file."""


# --------------------------------------------------------------------------- the whole file


class NoteLevel(Enum):
    """Severity of something the reader noticed but could continue past."""

    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class ImportNote:
    """Something the reader skipped or repaired, so nothing is lost silently."""

    code: str
    """Stable short code, e.g. ``unsupported-element``."""
    message: str
    """Human-readable explanation."""
    source: SourceRef
    """Where it happened."""
    element_id: ElementId | None = None
    """Element concerned, when it has an id."""
    level: NoteLevel = NoteLevel.WARNING
    """How serious it is."""
    message_ja: str = ""
    """The explanation in Japanese (``message`` is English); empty when the note has it in one language only."""


_Item = TypeVar("_Item")


class _TupleView(Sequence[_Item]):
    """A sequence that stands for the tuple :meth:`items` makes (once): indexes, iterates, equals, hashes and prints
    as that tuple, so its users never see it is not one (the deferred diagrams and notes below)."""

    __slots__ = ()

    def items(self) -> tuple[_Item, ...]:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> _Item: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[_Item, ...]: ...

    def __getitem__(self, index: int | slice) -> _Item | tuple[_Item, ...]:
        return self.items()[index]

    def __len__(self) -> int:
        return len(self.items())

    def __iter__(self) -> Iterator[_Item]:
        return iter(self.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, self.__class__ | tuple):
            return self.items() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.items())

    def __repr__(self) -> str:
        return repr(self.items())


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class DeferredDiagrams(_TupleView[Diagram]):
    """A file's diagrams, kept as their XML until something reads them: a tuple of :class:`Diagram` to its users.

    Why: the diagram interchange (a shape, its bounds and label for every
    element, an edge and its waypoints for every flow) was half of the model
    the reader built, yet only drawing, layout and ``bpm lint`` look at it;
    ``bpm score`` and ``bpm compare`` never do.  The reader keeps the bytes of
    the diagrams instead (``bpm.reader_di.deferred_diagrams``) and builds them,
    with their file, line numbers and import notes, the first time they or the
    file's notes (:class:`DeferredNotes`) are read.

    It equals, hashes, prints and iterates as the tuple it stands for; pickling
    (the read cache) keeps the bytes, or the diagrams once built.
    """

    namespaces: tuple[tuple[str | None, str], ...]
    """The root's namespace declarations (prefix, URI), declared again on the element that stands in for it."""
    encoding: str
    """The file's encoding, which the body is in."""
    body: bytes
    """The file's bytes from the first diagram's ``<`` to the root's end tag (whole root children only)."""
    first_line: int
    """The line of the file on which ``body`` starts: the wrapper is padded with newlines up to it."""
    file: str
    """The file named in the diagrams' source references."""
    colours: bool
    """Whether the reader looks for colour attributes (see ``bpm.reader._may_have_colours``)."""
    diagram_count: int
    """How many diagrams ``body`` holds at the root (a field named ``count`` would hide ``Sequence.count``)."""
    built: tuple[Diagram, ...] | None = None
    """The diagrams, once built."""
    built_notes: tuple[tuple[ImportNote, ...], ...] | None = None
    """Each diagram's import notes, once built."""

    def diagrams(self) -> tuple[Diagram, ...]:
        """The diagrams, built on first use and kept."""
        return self._build()[0]

    def notes(self) -> tuple[tuple[ImportNote, ...], ...]:
        """Each diagram's import notes (bad shapes, edges, coordinates), built on first use and kept."""
        return self._build()[1]

    def _build(self) -> tuple[tuple[Diagram, ...], tuple[tuple[ImportNote, ...], ...]]:
        built, notes = self.built, self.built_notes
        if built is None or notes is None:
            from bpm.reader_di import build_deferred_diagrams  # the reader imports this module

            built, notes = build_deferred_diagrams(self)
            object.__setattr__(self, "built", built)
            object.__setattr__(self, "built_notes", notes)
        return built, notes

    def items(self) -> tuple[Diagram, ...]:
        return self.diagrams()

    def __len__(self) -> int:
        return self.diagram_count  # known without building them


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class DeferredNotes(_TupleView[ImportNote]):
    """A file's import notes while its diagrams are deferred: a tuple of :class:`ImportNote` to its users.

    The notes of the diagrams (``bad-shape``, ``bad-edge``, ``bad-coordinates``)
    are made when the diagrams are built, and go where the eager reader put
    them: at each diagram's place among the root's children.  So the notes are
    complete, in the same order, whenever anyone reads them (``bpm lint``, the
    site): an error in a diagram is never hidden, only found when first looked at.
    """

    read: tuple[ImportNote, ...]
    """The notes made while reading, without the diagrams'."""
    at: tuple[int, ...]
    """For each deferred diagram, how many of ``read`` come before its notes."""
    diagrams: DeferredDiagrams
    """The deferred diagrams, which make the rest."""

    spliced: tuple[ImportNote, ...] | None = None
    """All the notes, once made (the diagrams are built then)."""

    def items(self) -> tuple[ImportNote, ...]:
        """All the notes, in the order the eager reader made them (spliced once, then kept)."""
        if self.spliced is not None:
            return self.spliced
        spliced: list[ImportNote] = []
        start = 0
        for at, own in zip(self.at, self.diagrams.notes(), strict=True):
            spliced.extend(self.read[start:at])
            spliced.extend(own)
            start = at
        spliced.extend(self.read[start:])
        made = tuple(spliced)
        object.__setattr__(self, "spliced", made)
        return made


@dataclass(frozen=True, slots=True)
class Definitions:
    """Everything read from one BPMN file."""

    id: str
    """The definitions ``id`` (may be empty)."""
    source: SourceRef
    """The file (line of the root element)."""
    name: str = ""
    """``name`` attribute."""
    target_namespace: str = ""
    """``targetNamespace``."""
    exporter: str = ""
    """Modeling tool that wrote the file."""
    exporter_version: str = ""
    """Its version."""
    processes: Mapping[ProcessId, Process] = field(default_factory=dict)
    """Processes in document order."""
    collaborations: tuple[Collaboration, ...] = ()
    """Collaborations in document order."""
    diagrams: tuple[Diagram, ...] | DeferredDiagrams = ()
    """Diagram interchange, in document order (read as a tuple; the reader may defer building it: see
    :class:`DeferredDiagrams`)."""
    notes: tuple[ImportNote, ...] | DeferredNotes = ()
    """What the reader skipped or repaired (read as a tuple; those of deferred diagrams are found when first read)."""
    element_counts: Mapping[str, int] = field(default_factory=dict)
    """Count of BPMN-namespace elements by local name, as found in the XML."""
    data_stores: tuple[Artifact, ...] = ()
    """Root-level ``dataStore`` definitions (referenced by dataStoreReferences)."""
    global_tasks: tuple[GlobalTask, ...] = ()
    """Root-level global tasks, which call activities may call instead of a process."""

    def eager(self) -> Definitions:
        """This model with its diagrams and notes built, as plain tuples (for code that copies models field by
        field: a walk over a :class:`DeferredDiagrams` would see bytes, not names)."""
        if self.diagrams.__class__ is tuple and self.notes.__class__ is tuple:
            return self
        return replace(self, diagrams=tuple(self.diagrams), notes=tuple(self.notes))

    @property
    def file(self) -> str:
        """Path of the file this was read from."""
        return self.source.file

    def participants(self) -> Iterator[Participant]:
        """All pools of all collaborations."""
        for collaboration in self.collaborations:
            yield from collaboration.participants

    def pool_of(self, process_id: ProcessId) -> Participant | None:
        """The pool that shows a process, if any."""
        for participant in self.participants():
            if participant.process_id == process_id:
                return participant
        return None

    def find_node(self, element_id: ElementId) -> FlowNode | None:
        """A flow node by id across all processes."""
        for process in self.processes.values():
            node = process.nodes.get(element_id)
            if node is not None:
                return node
        return None

    def message_flows(self) -> Iterator[MessageFlow]:
        """All message flows of all collaborations."""
        for collaboration in self.collaborations:
            yield from collaboration.message_flows


# --------------------------------------------------------------------------- fast construction, for the reader

_Model = TypeVar("_Model")


def fast_builder(cls: type[_Model]) -> Callable[..., _Model]:
    """A positional constructor for one of the frozen slots classes above, for code that makes thousands of them.

    Why: a frozen dataclass's ``__init__`` sets every field through
    ``object.__setattr__`` (its own ``__setattr__`` refuses), about 0.2 µs a
    field: 4 µs for a 23-field :class:`FlowNode`, a fifth of what the reader
    spends per element.  The builder makes the object as an instance of a
    plain (not frozen) twin class with the very same slots, where each field
    is an ordinary slot store, then relabels it as ``cls`` by assigning
    ``__class__`` — which Python allows only between classes of identical
    layout, and checks.  The result is the object ``cls(*values)`` would be:
    same type, same slots, same equality, hash, repr and pickling
    (``tests/bpm/test_model.py`` compares them).  Every field must be given,
    in declaration order; defaults do not apply (there is no ``__post_init__``
    to skip: the classes here have none, and this refuses one that has).
    """
    if not getattr(cls, "__dataclass_params__", None) or "__slots__" not in vars(cls):
        raise TypeError(f"{cls.__name__} is not a slots dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__ that a fast builder would skip")
    twin = cast(Callable[..., _Model], make_dataclass(
        f"{cls.__name__}Draft", [f.name for f in fields(cast(Any, cls))],
        slots=True, eq=False, repr=False, match_args=False,
    ))

    def build(*values: Any) -> _Model:
        made = twin(*values)
        made.__class__ = cls
        return made

    build.__doc__ = f"{cls.__name__}(*values), made faster (see :func:`fast_builder`)."
    return build
