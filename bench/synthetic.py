"""Synthetic municipal counter flows of any size, deterministic from a seed, for benchmarks.

Why synthetic: the benchmark must scale a portfolio from 1 to thousands of
flows and one flow from 10 to 100,000 tasks, and real exports of that size do
not exist.  The flows are built from the shapes real 窓口 flows are made of
(``flows/*.bpmn``, ``shared/domain/counter-procedures.md``), so per-flow costs
measured here carry over to real portfolios:

* a resident's black-box pool sending the application (message start event)
  and receiving the result (message flow back);
* a pool with lanes (窓口受付 / 審査・入力担当 / 係長（決裁）/ 住基システム, and
  a 委託事業者 lane when part of the counter work is outsourced);
* blocks drawn at random: a plain task; a check with a 補正 rework loop
  (exclusive gateway, probability property); an optional branch that merges
  again (代理人?); a parallel fan-out of 連絡 send tasks; an inquiry whose
  receive task has an interrupting 1か月経過 timer boundary event leading to a
  withdrawal end; an examination with a 不受理 end;
* full DI: every shape, every edge with waypoints, pools and lanes, so the
  site draws the modeller's layout exactly as for a real Camunda export;
* camunda properties on about a third of the tasks (minutes, input, systems),
  the process's annual case count and, for the municipality portfolios, the
  standard ``procedure`` it implements.

The task count is exact: blocks are drawn until the budget is spent, the last
one shrunk to plain tasks.  The same :class:`FlowSpec` always gives the same
bytes.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

IdStyle = Literal["random", "numbered"]
"""``random``: Camunda-style ids (``Activity_0x3k9qz``), unique across files.
``numbered``: ``Activity_1``, ``Activity_2``… as some tools write them, so
files share element ids (the case issue 13 found quadratic in the site)."""

COUNTER, EXAM, CHIEF, SYSTEM, CONTRACTOR = "counter", "exam", "chief", "system", "contractor"
DEFAULT_LANES = ("窓口受付", "審査・入力担当", "係長（決裁）", "住基システム")
CONTRACTOR_LANE = "委託事業者（窓口業務）"

_NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}

# Geometry (px), as bpmn.io draws: tasks 100×80, gateways 50×50, events 36×36.
_SIZE = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
_COLUMN = 150
_ROW = 110
_LANE_HEADER = 30
_POOL_X = 150
_FIRST_COLUMN_X = _POOL_X + _LANE_HEADER + 60
_RESIDENT_HEIGHT = 100
_POOL_Y = _RESIDENT_HEIGHT + 60

# Step names by lane role (counter-procedures.md §1, §4, §8, §16), with the task type a modeller would use.
_PLAIN: dict[str, tuple[tuple[str, str], ...]] = {
    COUNTER: (("manualTask", "届書受領"), ("manualTask", "本人確認"), ("manualTask", "受付番号発行"),
              ("manualTask", "手数料収納"), ("manualTask", "交付"), ("manualTask", "関係課案内"),
              ("userTask", "受付登録"), ("manualTask", "添付書類確認")),
    EXAM: (("userTask", "住基システム入力"), ("userTask", "記載事項照合"), ("userTask", "異動処理"),
           ("businessRuleTask", "届出期間確認"), ("userTask", "証明書作成"), ("manualTask", "書類整理")),
    CHIEF: (("userTask", "照合・決裁"), ("userTask", "校合"), ("userTask", "内容確認・決裁")),
    SYSTEM: (("serviceTask", "住民票記載・CS更新"), ("serviceTask", "帳票出力"), ("serviceTask", "異動データ連携"),
             ("serviceTask", "宛名システム更新")),
    CONTRACTOR: (("manualTask", "届書受領"), ("manualTask", "本人確認"), ("userTask", "受付登録"),
                 ("manualTask", "交付"), ("userTask", "証明書作成"), ("manualTask", "手数料収納")),
}
_BASE_MINUTES = {"manualTask": 2.0, "userTask": 5.0, "businessRuleTask": 1.0, "serviceTask": 0.0,
                 "sendTask": 2.0, "receiveTask": 1.0}
_DEPARTMENTS = ("国保年金課", "こども課", "学務課", "介護保険課", "税務課")
_SYSTEMS = {COUNTER: "", EXAM: "住基システム", CHIEF: "住基システム", SYSTEM: "住基システム・CS端末",
            CONTRACTOR: "証明発行端末"}

BlockKind = Literal["plain", "check", "choice", "parallel", "inquiry", "decision"]
_BLOCK_TASKS: dict[str, int] = {"plain": 1, "check": 2, "choice": 1, "parallel": 3, "inquiry": 3, "decision": 2}
_BLOCK_WEIGHTS: dict[str, float] = {"plain": 0.5, "check": 0.14, "choice": 0.12, "parallel": 0.08,
                                    "inquiry": 0.06, "decision": 0.10}


@dataclass(frozen=True, slots=True)
class FlowSpec:
    """What one synthetic flow looks like; equal specs give equal bytes."""

    tasks: int = 50
    """Exact number of tasks (activities) in the process."""
    seed: int = 0
    """Seed of the random draws (block kinds, names, ids, minutes)."""
    name: str = "転入届（合成）"
    """Process name (the survey sheet's 業務)."""
    lanes: tuple[str, ...] = DEFAULT_LANES
    """Lane names; their role (counter, exam, chief, system) is read from the words in them."""
    outsourced_share: float = 0.0
    """Share of counter tasks drawn in a 委託事業者 lane (0 = none outsourced)."""
    minutes_scale: float = 1.0
    """Multiplies the minutes written as properties (a slower or faster city)."""
    annual_count: int = 5000
    """Cases a year, written as the process property ``annual_count``."""
    id_style: IdStyle = "random"
    """How element ids are made (see :data:`IdStyle`)."""
    executable: bool = False
    """``isExecutable`` of the process (engines such as SpiffWorkflow only load executable ones)."""
    procedure: str | None = None
    """Standard procedure written as the process property ``procedure`` (issue 14)."""
    revision: int = 0
    """Above 0, one task is renamed: the 're-scan after changing one flow' benchmark."""
    process_id: str | None = None
    """Id of the process; by default drawn like the other ids (``Process_1`` when they are numbered)."""


@dataclass(slots=True)
class _Node:
    id: str
    tag: str
    name: str
    lane: int
    col: int
    row: int
    props: dict[str, str] = field(default_factory=dict)
    inner: str = ""
    attached_to: str | None = None

    @property
    def shape(self) -> str:
        if self.tag.endswith("Gateway"):
            return "gateway"
        return "event" if self.tag.endswith("Event") else "task"


@dataclass(slots=True)
class _Edge:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""
    probability: str = ""
    route: str = "auto"
    """auto (straight or an elbow in the gap between columns), down (leave a split from its bottom),
    up (enter a join from its bottom), back (a rework loop, under the shapes to the left)."""


@dataclass(frozen=True, slots=True)
class SurveyRow:
    """One row of the 業務量調査 sheet the generator can write next to the flows."""

    flow: str
    step_id: str = ""
    step: str = ""
    annual_count: str = ""
    minutes: str = ""
    exception_rate: str = ""
    input_form: str = ""
    judgment: str = ""
    legal_authority: str = ""
    probability: str = ""


@dataclass(frozen=True, slots=True)
class SyntheticFlow:
    """The BPMN bytes of a flow and the survey rows describing it."""

    xml: bytes
    survey: tuple[SurveyRow, ...]
    task_count: int
    node_count: int


class _Builder:
    """Draws blocks left to right; each block owns its columns, so shapes never overlap."""

    def __init__(self, spec: FlowSpec) -> None:
        self.spec = spec
        self.rng = random.Random(f"flow:{spec.seed}")
        lanes = list(spec.lanes)
        if spec.outsourced_share > 0 and CONTRACTOR_LANE not in lanes:
            lanes.insert(0, CONTRACTOR_LANE)
        self.lanes = tuple(lanes)
        self.roles = tuple(_role(name) for name in self.lanes)
        self.nodes: list[_Node] = []
        self.edges: list[_Edge] = []
        self.col = 0
        self.prev = ""
        self.pending: tuple[str, str] = ("", "")  # name and condition of the next main-path flow
        self.ids: set[str] = set()
        self.numbers: Counter[str] = Counter()
        self.names: Counter[str] = Counter()
        self.tasks = 0
        self.survey: list[SurveyRow] = []

    # ------------------------------------------------------------------ ids and names

    def new_id(self, prefix: str) -> str:
        if self.spec.id_style == "numbered":
            self.numbers[prefix] += 1
            return f"{prefix}_{self.numbers[prefix]}"
        while True:
            candidate = prefix + "_" + "".join(self.rng.choices(string.digits + string.ascii_lowercase, k=7))
            if candidate not in self.ids:
                self.ids.add(candidate)
                return candidate

    def unique_name(self, name: str) -> str:
        self.names[name] += 1
        return name if self.names[name] == 1 else f"{name}（{self.names[name]}）"

    def lane_for(self, *roles: str) -> int:
        """A lane with one of ``roles`` (contractor counts as counter when outsourcing is drawn)."""
        wanted = set(roles)
        if COUNTER in wanted and CONTRACTOR in self.roles and self.rng.random() < self.spec.outsourced_share:
            wanted = {CONTRACTOR}
        matching = [i for i, role in enumerate(self.roles) if role in wanted]
        if not matching:
            matching = [i for i, role in enumerate(self.roles) if role != CONTRACTOR] or [0]
        return self.rng.choice(matching)

    # ------------------------------------------------------------------ elements

    def node(self, tag: str, name: str, lane: int, col: int, row: int = 0, **extra: str) -> _Node:
        prefix = "Gateway" if tag.endswith("Gateway") else "Event" if tag.endswith("Event") else "Activity"
        node = _Node(self.new_id(prefix), tag, name, lane, col, row, inner=extra.get("inner", ""),
                     attached_to=extra.get("attached_to"))
        self.nodes.append(node)
        return node

    def task(self, tag: str, name: str, lane: int, col: int, row: int = 0, *, judgment: bool = False) -> _Node:
        node = self.node(tag, self.unique_name(name), lane, col, row)
        self.tasks += 1
        minutes = _BASE_MINUTES.get(tag, 3.0) * self.spec.minutes_scale * self.rng.uniform(0.6, 1.6)
        role = self.roles[lane]
        if self.rng.random() < 0.3:
            node.props["minutes"] = f"{minutes:.1f}"
            node.props["input"] = "電子" if role == SYSTEM or tag == "serviceTask" else self.rng.choice(("紙", "電子"))
            if _SYSTEMS[role]:
                node.props["systems"] = _SYSTEMS[role]
        if self.rng.random() < 0.5 or judgment:
            self.survey.append(SurveyRow(
                flow=self.spec.name, step_id=node.id, step=node.name, minutes=f"{minutes * 1.1:.1f}",
                exception_rate=f"{self.rng.uniform(0.0, 0.12):.2f}",
                input_form="電子" if tag == "serviceTask" else self.rng.choice(("紙", "電子", "混在")),
                judgment="有" if judgment else "無", legal_authority="有" if judgment else "無",
            ))
        return node

    def edge(self, source: _Node | str, target: _Node, name: str = "", condition: str = "",
             probability: str = "", route: str = "auto") -> _Edge:
        flow = _Edge(self.new_id("Flow"), source if isinstance(source, str) else source.id, target.id,
                     name, condition, probability, route)
        self.edges.append(flow)
        return flow

    def follow(self, target: _Node) -> None:
        """The main path goes on into ``target``."""
        name, condition = self.pending
        self.edge(self.prev, target, name, condition)
        self.pending = ("", "")
        self.prev = target.id

    # ------------------------------------------------------------------ blocks

    def build(self) -> None:
        start_lane = self.lane_for(COUNTER)
        start = self.node("startEvent", "届出", start_lane, self.col, inner="<bpmn:messageEventDefinition id="
                          f'"{self.new_id("MessageEventDefinition")}"/>')
        self.prev = start.id
        self.col += 1
        kinds = list(_BLOCK_WEIGHTS)
        weights = list(_BLOCK_WEIGHTS.values())
        while self.tasks < self.spec.tasks:
            kind = self.rng.choices(kinds, weights)[0]
            if _BLOCK_TASKS[kind] > self.spec.tasks - self.tasks:
                kind = "plain"
            getattr(self, f"_{kind}")()
        end = self.node("endEvent", "完了", start_lane, self.col)
        self.follow(end)
        used = sorted({n.lane for n in self.nodes})  # a lane no block landed in is not drawn
        index = {old: new for new, old in enumerate(used)}
        for n in self.nodes:
            n.lane = index[n.lane]
        self.lanes = tuple(self.lanes[i] for i in used)
        self.roles = tuple(self.roles[i] for i in used)
        if self.spec.revision:
            renamed = next(n for n in self.nodes if n.shape == "task")
            renamed.name += f"（改訂{self.spec.revision}）"

    def _plain(self) -> None:
        lane = self.lane_for(self.rng.choices((COUNTER, EXAM, SYSTEM, CHIEF), (0.35, 0.35, 0.2, 0.1))[0])
        tag, name = self.rng.choice(_PLAIN[self.roles[lane]])
        self.follow(self.task(tag, name, lane, self.col, judgment=self.roles[lane] == CHIEF))
        self.col += 1

    def _check(self) -> None:
        lane = self.lane_for(COUNTER, EXAM)
        merge = self.node("exclusiveGateway", "", lane, self.col)
        self.follow(merge)
        first = self.task("userTask" if self.roles[lane] == EXAM else "manualTask", "記載内容確認", lane, self.col + 1)
        self.follow(first)
        gateway = self.node("exclusiveGateway", "記載不備あり?", lane, self.col + 2)
        self.follow(gateway)
        fix = self.task("manualTask", "補正依頼", lane, self.col + 2, 1)
        rate = f"{self.rng.uniform(0.05, 0.15):.2f}"
        rework = self.edge(gateway, fix, "あり", "${記載不備あり}", rate, "down")
        self.survey.append(SurveyRow(flow=self.spec.name, step_id=rework.id, step="あり", probability=rate))
        self.edge(fix, merge, route="back")
        self.pending = ("なし", "${!記載不備あり}")
        self.col += 3

    def _choice(self) -> None:
        lane = self.lane_for(COUNTER)
        split = self.node("exclusiveGateway", "代理人による届出?", lane, self.col)
        self.follow(split)
        branch = self.task("manualTask", "委任状確認", lane, self.col + 1, 1)
        self.edge(split, branch, "代理人", "${代理人}", f"{self.rng.uniform(0.1, 0.3):.2f}", "down")
        merge = self.node("exclusiveGateway", "", lane, self.col + 2)
        self.pending = ("本人", "${!代理人}")
        self.follow(merge)
        self.edge(branch, merge, route="up")
        self.col += 3

    def _parallel(self) -> None:
        lane = self.lane_for(EXAM)
        split = self.node("parallelGateway", "", lane, self.col)
        self.follow(split)
        join = self.node("parallelGateway", "", lane, self.col + 2)
        for row, department in enumerate(self.rng.sample(_DEPARTMENTS, 3)):
            send = self.task("sendTask", f"{department}へ異動連絡", lane, self.col + 1, row)
            self.edge(split, send, route="down" if row else "auto")
            self.edge(send, join, route="up" if row else "auto")
        self.prev = join.id
        self.col += 3

    def _inquiry(self) -> None:
        lane = self.lane_for(EXAM)
        send = self.task("sendTask", "照会書送付", lane, self.col)
        self.follow(send)
        receive = self.task("receiveTask", "回答書受領", lane, self.col + 1)
        self.follow(receive)
        timer = self.node(
            "boundaryEvent", "1か月経過", lane, self.col + 1, attached_to=receive.id,
            inner=f'<bpmn:timerEventDefinition id="{self.new_id("TimerEventDefinition")}">'
            '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P1M</bpmn:timeDuration>'
            "</bpmn:timerEventDefinition>",
        )
        timer.props["probability"] = f"{self.rng.uniform(0.02, 0.1):.2f}"
        withdraw = self.task("userTask", "申請取下げ処理", lane, self.col + 1, 1)
        self.edge(timer, withdraw, route="down")
        self.edge(withdraw, self.node("endEvent", "取下げ", lane, self.col + 2, 1))
        self.col += 3

    def _decision(self) -> None:
        lane = self.lane_for(EXAM)
        review = self.task("userTask", "受理要件審査", lane, self.col, judgment=True)
        self.follow(review)
        gateway = self.node("exclusiveGateway", "受理できる?", lane, self.col + 1)
        self.follow(gateway)
        refuse = self.task("userTask", "不受理通知", lane, self.col + 1, 1)
        self.edge(gateway, refuse, "不受理", "${不受理}", f"{self.rng.uniform(0.005, 0.03):.3f}", "down")
        self.edge(refuse, self.node("endEvent", "不受理", lane, self.col + 2, 1))
        self.pending = ("受理", "${!不受理}")
        self.col += 3


def _role(lane: str) -> str:
    if "委託" in lane:
        return CONTRACTOR
    if "システム" in lane or "CS" in lane:
        return SYSTEM
    if "決裁" in lane or "係長" in lane:
        return CHIEF
    if "審査" in lane or "入力" in lane or "担当" in lane:
        return EXAM
    return COUNTER


def synthetic_flow(spec: FlowSpec) -> SyntheticFlow:
    """The BPMN 2.0 XML (with DI) of one flow, and the survey rows that describe it."""
    if spec.tasks < 1:
        raise ValueError("a flow needs at least one task")
    builder = _Builder(spec)
    builder.build()
    survey = (SurveyRow(flow=spec.name, annual_count=str(spec.annual_count)), *builder.survey)
    return SyntheticFlow(_xml(builder), survey, builder.tasks, len(builder.nodes))


def flow_bytes(tasks: int, seed: int = 0, **options: object) -> bytes:
    """Shorthand: the XML of a flow with ``tasks`` tasks."""
    return synthetic_flow(replace(FlowSpec(tasks=tasks, seed=seed), **options)).xml  # type: ignore[arg-type]


# --------------------------------------------------------------------------- XML


@dataclass(frozen=True, slots=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def _lane_geometry(builder: _Builder) -> list[tuple[float, float]]:
    """Top and height of every lane: tall enough for the rows its blocks use."""
    rows = [0] * len(builder.lanes)
    for node in builder.nodes:
        rows[node.lane] = max(rows[node.lane], node.row)
    geometry, top = [], float(_POOL_Y)
    for used in rows:
        height = 130.0 + used * _ROW
        geometry.append((top, height))
        top += height
    return geometry


def _boxes(builder: _Builder, lanes: list[tuple[float, float]]) -> dict[str, _Box]:
    boxes: dict[str, _Box] = {}
    for node in builder.nodes:
        w, h = _SIZE[node.shape]
        if node.attached_to:
            host = boxes[node.attached_to]
            boxes[node.id] = _Box(host.x + host.w - 30 - w / 2, host.y + host.h - h / 2, w, h)
            continue
        cx = _FIRST_COLUMN_X + node.col * _COLUMN + 50
        cy = lanes[node.lane][0] + 65 + node.row * _ROW
        boxes[node.id] = _Box(cx - w / 2, cy - h / 2, w, h)
    return boxes


def _waypoints(source: _Box, target: _Box, route: str) -> list[tuple[float, float]]:
    """Orthogonal routing that never crosses a shape (each block owns its columns)."""
    bottom = source.y + source.h
    if route == "down":
        if target.x <= source.cx <= target.x + target.w:
            return [(source.cx, bottom), (source.cx, target.y)]
        return [(source.cx, bottom), (source.cx, target.cy), (target.x, target.cy)]
    if route == "up":
        return [(source.x + source.w, source.cy), (target.cx, source.cy), (target.cx, target.y + target.h)]
    if route == "back":
        return [(source.x, source.cy), (target.cx, source.cy), (target.cx, target.y + target.h)]
    if abs(source.cy - target.cy) < 1:
        return [(source.x + source.w, source.cy), (target.x, target.cy)]
    gap = target.x - 25  # between the previous column's shapes and the target
    return [(source.x + source.w, source.cy), (gap, source.cy), (gap, target.cy), (target.x, target.cy)]


def _props(props: dict[str, str]) -> str:
    if not props:
        return ""
    inner = "".join(f"<camunda:property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in props.items())
    return f"<bpmn:extensionElements><camunda:properties>{inner}</camunda:properties></bpmn:extensionElements>"


def _xml(builder: _Builder) -> bytes:
    spec = builder.spec
    lanes = _lane_geometry(builder)
    boxes = _boxes(builder, lanes)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in builder.edges:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    defaults = {flow.source: flow.id for flow in builder.edges if flow.condition.startswith("${!")}
    width = _FIRST_COLUMN_X - _POOL_X + (builder.col + 1) * _COLUMN
    bottom = lanes[-1][0] + lanes[-1][1]
    first_id = builder.nodes[0].id
    last_task = next(n for n in reversed(builder.nodes) if n.shape == "task")
    names = {"collab": builder.new_id("Collaboration"), "resident": builder.new_id("Participant"),
             "pool": builder.new_id("Participant"), "in": builder.new_id("Flow"), "out": builder.new_id("Flow"),
             "laneset": builder.new_id("LaneSet"), "diagram": builder.new_id("BPMNDiagram")}
    lane_ids = [builder.new_id("Lane") for _ in builder.lanes]
    process_id = spec.process_id or builder.new_id("Process")
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        + " ".join(f'xmlns:{k}="{v}"' for k, v in _NS.items())
        + f' id="Definitions_{spec.seed}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="bench/synthetic.py"'
        ' exporterVersion="1">\n',
        f'<bpmn:collaboration id="{names["collab"]}">'
        f'<bpmn:participant id="{names["resident"]}" name="届出人（住民）"/>'
        f'<bpmn:participant id="{names["pool"]}" name="市民課 住民記録係" processRef="{process_id}"/>'
        f'<bpmn:messageFlow id="{names["in"]}" name="届書" sourceRef="{names["resident"]}" targetRef="{first_id}"/>'
        f'<bpmn:messageFlow id="{names["out"]}" name="完了の案内" sourceRef="{last_task.id}"'
        f' targetRef="{names["resident"]}"/></bpmn:collaboration>\n',
        f'<bpmn:process id="{process_id}" name={quoteattr(spec.name)}'
        f' isExecutable="{str(spec.executable).lower()}">',
        _props({"annual_count": str(spec.annual_count)} | ({"procedure": spec.procedure} if spec.procedure else {})),
        f'<bpmn:laneSet id="{names["laneset"]}">',
    ]
    for index, (lane_id, lane_name) in enumerate(zip(lane_ids, builder.lanes, strict=True)):
        refs = "".join(f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in builder.nodes if n.lane == index)
        out.append(f"<bpmn:lane id={quoteattr(lane_id)} name={quoteattr(lane_name)}>{refs}</bpmn:lane>")
    out.append("</bpmn:laneSet>\n")
    for node in builder.nodes:
        attrs = f"id={quoteattr(node.id)}" + (f" name={quoteattr(node.name)}" if node.name else "")
        if node.attached_to:
            attrs += f' attachedToRef="{node.attached_to}" cancelActivity="true"'
        if node.id in defaults:
            attrs += f' default="{defaults[node.id]}"'
        body = _props(node.props)
        body += "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(node.id, []))
        body += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(node.id, []))
        out.append(f"<bpmn:{node.tag} {attrs}>{body}{node.inner}</bpmn:{node.tag}>\n")
    for flow in builder.edges:
        attrs = f'id="{flow.id}" sourceRef="{flow.source}" targetRef="{flow.target}"'
        attrs += f" name={quoteattr(flow.name)}" if flow.name else ""
        body = _props({"probability": flow.probability} if flow.probability else {})
        if flow.condition and not flow.condition.startswith("${!"):
            body += f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(flow.condition)}' \
                    "</bpmn:conditionExpression>"
        out.append(f"<bpmn:sequenceFlow {attrs}>{body}</bpmn:sequenceFlow>\n" if body
                   else f"<bpmn:sequenceFlow {attrs}/>\n")
    out.append("</bpmn:process>\n")
    out.append(f'<bpmndi:BPMNDiagram id="{names["diagram"]}"><bpmndi:BPMNPlane id="{names["diagram"]}_plane"'
               f' bpmnElement="{names["collab"]}">\n')
    pool_x, resident = float(_POOL_X), _Box(_POOL_X, 0, width, _RESIDENT_HEIGHT)
    out.append(_shape(names["resident"], resident, horizontal=True))
    out.append(_shape(names["pool"], _Box(pool_x, _POOL_Y, width, bottom - _POOL_Y), horizontal=True))
    for lane_id, (top, height) in zip(lane_ids, lanes, strict=True):
        out.append(_shape(lane_id, _Box(pool_x + _LANE_HEADER, top, width - _LANE_HEADER, height), horizontal=True))
    for node in builder.nodes:
        out.append(_shape(node.id, boxes[node.id], marker=node.shape == "gateway" and node.tag == "exclusiveGateway"))
    for flow in builder.edges:
        points = _waypoints(boxes[flow.source], boxes[flow.target], flow.route)
        out.append(_edge(flow.id, points))
    first, last = boxes[first_id], boxes[last_task.id]
    out.append(_edge(names["in"], [(first.cx, _RESIDENT_HEIGHT), (first.cx, first.y)]))
    out.append(_edge(names["out"], [(last.cx, last.y), (last.cx, _RESIDENT_HEIGHT)]))
    out.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(out).encode("utf-8")


def _num(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _shape(element: str, box: _Box, *, horizontal: bool = False, marker: bool = False) -> str:
    extra = ' isHorizontal="true"' if horizontal else ' isMarkerVisible="true"' if marker else ""
    return (f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{extra}>'
            f'<dc:Bounds x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.w)}" height="{_num(box.h)}"/>'
            "</bpmndi:BPMNShape>\n")


def _edge(element: str, points: list[tuple[float, float]]) -> str:
    waypoints = "".join(f'<di:waypoint x="{_num(x)}" y="{_num(y)}"/>' for x, y in points)
    return f'<bpmndi:BPMNEdge id="{element}_di" bpmnElement="{element}">{waypoints}</bpmndi:BPMNEdge>\n'
