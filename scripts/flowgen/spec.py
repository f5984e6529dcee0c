"""The declarative description of a flow file: pools, lanes, steps, flows, message flows and step facts.

A procedure module builds one :class:`FileSpec` with :class:`ProcessBuilder`;
everything else (coordinates, XML, survey rows, glossary) is derived from it.
Every name carries its English translation so the glossary cannot miss one.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

NodeKind = Literal[
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
]
Trigger = Literal["message", "timer", "error", "signal", "conditional"]
Carry = Literal["bpmn", "survey"]
"""Where a process's step facts and branch probabilities live: BPMN properties or the workbook."""
Basis = Literal["推計", "出典あり"]
"""推計 = estimate (with the basis in the note); 出典あり = the figure is quoted from the source."""

TASK_KINDS = frozenset(
    {"task", "userTask", "manualTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask"}
)
EVENT_KINDS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAY_KINDS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a figure comes from: its mark, the source keys of ``counter-procedures.md`` and a note."""

    basis: Basis = "推計"
    """推計 or 出典あり."""
    sources: tuple[str, ...] = ()
    """Source keys (S1…S69) of the domain catalog."""
    note: str = ""
    """How the figure was obtained (the arithmetic, the assumption)."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What a 業務量調査 measures about one step."""

    minutes: float | None = None
    """Minutes per execution."""
    input: str = ""
    """紙 / 電子 / 混在."""
    systems: str = ""
    """Systems used, separated by ・."""
    judgment: bool | None = None
    """Needs judgment."""
    legal: bool | None = None
    """公権力の行使."""
    exception_rate: float | None = None
    """Share of executions that need extra handling."""
    staff_type: str = ""
    """職種 of who does it today: 正規 / 会計年度任用 / 再任用 / 委託."""
    evidence: Evidence = field(default_factory=Evidence)
    """Mark, sources and note."""
    legal_basis: str = ""
    """公権力の判断根拠: why ``legal`` holds although the step's name reads otherwise (an override the report lists)."""


@dataclass(frozen=True, slots=True)
class Node:
    """A flow node."""

    id: str
    kind: NodeKind
    name: str
    en: str
    lane: str | None
    doc: str = ""
    facts: Facts | None = None
    trigger: Trigger | None = None
    timer: tuple[str, str] | None = None
    """(timeDuration|timeCycle|timeDate, value)."""
    error_code: str = ""
    attached_to: str | None = None
    interrupting: bool = True
    default: str | None = None
    """Default outgoing flow of a gateway."""
    track: int | None = None
    """Layout hint: row inside the lane."""
    min_col: int | None = None
    """Layout hint: earliest column."""


@dataclass(frozen=True, slots=True)
class Flow:
    """A sequence flow."""

    id: str
    source: str
    target: str
    name: str = ""
    en: str = ""
    condition: str = ""
    probability: float | None = None
    evidence: Evidence = field(default_factory=Evidence)


@dataclass(frozen=True, slots=True)
class Lane:
    """A lane (one row band of a pool)."""

    id: str
    name: str
    en: str
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Volume:
    """Annual cases of a process and the peak months, as the 業務量調査 records them."""

    annual: int
    march: int
    april: int
    section: str
    """課."""
    unit: str
    """係."""
    evidence: Evidence
    bpmn_annual: int | None = None
    """Annual cases written into the BPMN (``annual_count``) when it differs from the sheet's newer figure."""


@dataclass(frozen=True, slots=True)
class Boundary:
    """Share of its host's executions on which a boundary event fires (or of the starts of a start event)."""

    probability: float
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class SheetPlan:
    """How a process appears in the workbook beyond what its facts give.

    ``carry == "survey"`` processes get a row per step and branch from their
    facts; ``carry == "bpmn"`` processes get only the rows listed in ``rows``
    (values measured later than the BPMN annotations, to show that the sheet
    wins).  ``overrides`` changes single cells of a generated row — the
    deliberate, realistic mismatches (a renamed step, full-width digits, a
    stale id) that name matching must cope with or report.
    """

    ids: bool = True
    """Fill 手順ID (a sheet pre-filled from the BPMN) or leave it empty (a sheet typed by hand)."""
    rows: tuple[str, ...] = ()
    """For BPMN-carried processes: element ids that also get a row."""
    overrides: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()
    """(element id, ((column, value), …)) — cells replaced in that element's row."""
    values: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()
    """(element id, ((column, value), …)) — survey values that differ from the BPMN properties."""


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    """One process (an expanded pool)."""

    id: str
    name: str
    en: str
    doc: str
    lanes: tuple[Lane, ...]
    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]
    volume: Volume
    carry: Carry
    shares: tuple[tuple[str, Boundary], ...] = ()
    """Probabilities of boundary and alternative start events, by event id."""
    sheet: SheetPlan = field(default_factory=lambda: SheetPlan())
    """How the process appears in the 業務量調査 workbook."""
    procedure: str = ""
    """Key of the standard procedure (scoring/catalogue/procedures.toml), written as the process's ``procedure``
    property when the process name alone would match the wrong entry (empty: matched by name)."""

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)


@dataclass(frozen=True, slots=True)
class Pool:
    """A participant: expanded (with a process) or a black box."""

    id: str
    name: str
    en: str
    process: ProcessSpec | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """A message flow between pools (or their nodes)."""

    id: str
    source: str
    target: str
    name: str = ""
    en: str = ""


@dataclass(frozen=True, slots=True)
class Spacing:
    """A file's own layout density, where the defaults of :mod:`flowgen.layout` would print it too small.

    A flow must print on two A4 landscape pages with every label at 7 px or more (issue 10 item 7): a long
    chain of steps (転入届, 30 columns) needs a tighter column pitch, a file with many rows of branches (戸籍届出)
    lower rows.  ``None`` keeps the default.
    """

    track_height: float | None = None
    column_gap: float | None = None


@dataclass(frozen=True, slots=True)
class FileSpec:
    """One BPMN file: pools top to bottom and the message flows between them."""

    file: str
    """Path relative to the repository."""
    definitions_id: str
    collaboration_id: str
    pools: tuple[Pool, ...]
    messages: tuple[Message, ...] = ()
    comment: str = ""
    """XML comment written before the root element (what the file shows)."""
    spacing: Spacing = field(default_factory=Spacing)
    views: tuple[tuple[str, ...], ...] = ()
    """Pools drawn together, one BPMNDiagram per group (empty: one diagram of every pool).  Two processes that
    share only a black-box partner print readably each on its own (マイナンバーカードの交付と更新), and each flow page
    shows the picture of its own process."""

    @property
    def processes(self) -> tuple[ProcessSpec, ...]:
        return tuple(p.process for p in self.pools if p.process is not None)


def short_id(*parts: str) -> str:
    """A stable 7-character id suffix in the modeler's style (``Flow_1ysllo8``)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).digest()
    number = int.from_bytes(digest[:5], "big")
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    for _ in range(7):
        number, rest = divmod(number, 36)
        text += alphabet[rest]
    return text


class ProcessBuilder:
    """Collects the nodes and flows of one process in a compact, readable form."""

    def __init__(self, process_id: str, name: str, en: str, *, doc: str, carry: Carry, procedure: str = "") -> None:
        self.id = process_id
        self.name = name
        self.en = en
        self.doc = doc
        self.carry: Carry = carry
        self.procedure = procedure
        self.lanes: list[Lane] = []
        self.nodes: list[Node] = []
        self.flows: list[Flow] = []
        self.shares: list[tuple[str, Boundary]] = []

    # -- structure ---------------------------------------------------------------------

    def lane(self, lane_id: str, name: str, en: str, doc: str = "") -> str:
        self.lanes.append(Lane(lane_id, name, en, doc))
        return lane_id

    def _add(self, node: Node) -> str:
        if any(n.id == node.id for n in self.nodes):
            raise ValueError(f"duplicate node id {node.id}")
        self.nodes.append(node)
        return node.id

    def start(
        self, node_id: str, name: str, en: str, lane: str | None, *, trigger: Trigger | None = "message",
        timer: tuple[str, str] | None = None, track: int | None = None,
    ) -> str:
        return self._add(Node(node_id, "startEvent", name, en, lane, trigger=trigger, timer=timer, track=track))

    def end(self, node_id: str, name: str, en: str, lane: str | None, *, trigger: Trigger | None = None,
            track: int | None = None) -> str:
        return self._add(Node(node_id, "endEvent", name, en, lane, trigger=trigger, track=track))

    def catch(self, node_id: str, name: str, en: str, lane: str | None, *, trigger: Trigger,
              timer: tuple[str, str] | None = None, track: int | None = None) -> str:
        return self._add(Node(node_id, "intermediateCatchEvent", name, en, lane, trigger=trigger, timer=timer,
                              track=track))

    def boundary(
        self, node_id: str, name: str, en: str, host: str, *, trigger: Trigger,
        timer: tuple[str, str] | None = None, error_code: str = "", interrupting: bool = True,
        probability: float | None = None, evidence: Evidence | None = None,
    ) -> str:
        lane = self.node(host).lane
        self._add(Node(node_id, "boundaryEvent", name, en, lane, trigger=trigger, timer=timer,
                       error_code=error_code, attached_to=host, interrupting=interrupting))
        if probability is not None:
            self.shares.append((node_id, Boundary(probability, evidence or Evidence())))
        return node_id

    def share(self, event_id: str, probability: float, evidence: Evidence) -> None:
        """Share of the cases starting at one of several start events."""
        self.shares.append((event_id, Boundary(probability, evidence)))

    def task(
        self, node_id: str, kind: NodeKind, name: str, en: str, lane: str, doc: str, *,
        minutes: float | None = None, input: str = "", systems: str = "", judgment: bool | None = None,
        legal: bool | None = None, exception_rate: float | None = None, staff: str = "",
        basis: Basis = "推計", src: Sequence[str] = (), note: str = "", track: int | None = None,
        min_col: int | None = None, legal_basis: str = "",
    ) -> str:
        if kind not in TASK_KINDS:
            raise ValueError(f"{node_id}: {kind} is not a task")
        if not doc:
            raise ValueError(f"{node_id}: every task needs a one-line documentation")
        facts = Facts(minutes, input, systems, judgment, legal, exception_rate, staff,
                      Evidence(basis, tuple(src), note), legal_basis)
        return self._add(Node(node_id, kind, name, en, lane, doc=doc, facts=facts, track=track, min_col=min_col))

    def gateway(
        self, node_id: str, lane: str, name: str = "", en: str = "", *, kind: NodeKind = "exclusiveGateway",
        default: str | None = None, track: int | None = None,
    ) -> str:
        if kind not in GATEWAY_KINDS:
            raise ValueError(f"{node_id}: {kind} is not a gateway")
        return self._add(Node(node_id, kind, name, en, lane, default=default, track=track))

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    # -- flows -------------------------------------------------------------------------

    def seq(self, *chain: str) -> None:
        """Unnamed flows along a chain of node ids."""
        for source, target in itertools.pairwise(chain):
            self.flows.append(Flow(f"Flow_{short_id(self.id, source, target)}", source, target))

    def branch(
        self, flow_id: str, source: str, target: str, name: str, en: str, *, condition: str = "",
        probability: float | None = None, basis: Basis = "推計", src: Sequence[str] = (), note: str = "",
    ) -> str:
        """A named flow out of a split (condition unless it is the gateway's default)."""
        self.flows.append(Flow(flow_id, source, target, name, en, condition, probability,
                               Evidence(basis, tuple(src), note)))
        return flow_id

    def build(self, volume: Volume, sheet: SheetPlan | None = None) -> ProcessSpec:
        ids = {n.id for n in self.nodes}
        for flow in self.flows:
            if flow.source not in ids or flow.target not in ids:
                raise ValueError(f"{self.id}: flow {flow.id} joins unknown nodes")
        lanes = {lane.id for lane in self.lanes}
        for node in self.nodes:
            if self.lanes and node.lane not in lanes:
                raise ValueError(f"{self.id}: {node.id} is in no lane")
            if node.default is not None and not any(f.id == node.default for f in self.flows):
                raise ValueError(f"{self.id}: default flow {node.default} of {node.id} does not exist")
            if node.facts is not None and node.facts.legal_basis and self.carry == "bpmn" and (
                    sheet is None or node.id not in sheet.rows):
                raise ValueError(f"{self.id}: {node.id} has a 公権力の判断根拠, which only a survey row carries")
        return ProcessSpec(self.id, self.name, self.en, self.doc, tuple(self.lanes), tuple(self.nodes),
                           tuple(self.flows), volume, self.carry, tuple(self.shares), sheet or SheetPlan(),
                           self.procedure)
