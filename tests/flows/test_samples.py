"""The bundled flows as a modeler user and a BPR analyst would check them: they import, lint clean, are fully
drawn (DI for every node and connector, orthogonal, nothing overlapping, lanes sized to content), and model
the domain the way counter-procedures.md describes it."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from itertools import combinations, pairwise
from pathlib import Path

import pytest
from flowsupport import ALL_DRAWN, FLOWS, NEGATIVE, REPO, SAMPLES, VERSIONS, inside, overlaps

from bpm.lint import Severity, lint, lint_files
from bpm.model import Bounds, Definitions, EventKind, EventTrigger, GatewayKind, Shape, TaskKind
from bpm.reader import read_bpmn
from scoring.legal import template_findings

ids = [f"{p.parent.name}/{p.name}" for p in ALL_DRAWN]


@pytest.fixture(scope="module")
def samples() -> list[Definitions]:
    return [read_bpmn(path) for path in SAMPLES]


def shapes_by_element(definitions: Definitions) -> dict[str, Shape]:
    return {shape.element_id: shape for diagram in definitions.diagrams for shape in diagram.shapes}


def test_the_library_has_the_procedures_of_the_issue() -> None:
    """At least 12 flows, one file per procedure, and only one survey sheet in flows/."""
    assert len(SAMPLES) >= 12
    names = {p.name for path in SAMPLES for p in read_bpmn(path).processes.values()}
    for wanted in ("転入届", "転出届", "転居届・世帯変更届", "住民票の写し等の交付", "コンビニ交付", "郵送請求（"
                                                                                                     "住民票・戸籍証明）",
                   "印鑑登録", "印鑑登録証明書の交付", "戸籍届出（出生・婚姻・死亡）", "戸籍証明書の交付（広域交"
                                                                                       "付を含む）",
                   "マイナンバーカード交付", "電子証明書更新", "国民健康保険 加入・喪失", "児童手当 認定請求",
                   "転入後のワンストップ案内"):
        assert wanted in names
    sheets = sorted(p.name for p in FLOWS.iterdir() if p.suffix in (".csv", ".xlsx") and p.stem.startswith("survey"))
    assert sheets == ["survey.xlsx"], "one survey file, so the report cannot depend on which of two is read"


POSITIVE = [p for p in ALL_DRAWN if not p.is_relative_to(NEGATIVE)]


@pytest.mark.parametrize("path", POSITIVE, ids=[f"{p.parent.name}/{p.name}" for p in POSITIVE])
def test_imports_and_lints_without_errors_or_warnings(path: Path) -> None:
    """Structure and the procedure templates of scoring/legal.py: every decision a procedure requires is drawn."""
    definitions = read_bpmn(path)
    assert definitions.notes == ()
    findings = lint(definitions) + template_findings(definitions)
    assert [str(f) for f in findings if f.severity is not Severity.INFO] == []
    assert {f.rule for f in findings} <= {"multiple-start-events"}  # channels with their shares in the survey


def test_the_library_lints_clean_as_make_scan_reads_it(samples: list[Definitions]) -> None:
    """Checked together, as ``bpm scan flows/`` does: no id is shared between two files (survey rows and per-step
    figures name steps by id), and no call or link crosses files wrongly."""
    findings = lint_files(samples)
    assert [str(f) for f in findings if f.severity is not Severity.INFO] == []


@pytest.mark.parametrize("path", ALL_DRAWN, ids=ids)
def test_every_element_is_drawn_with_orthogonal_connectors(path: Path) -> None:
    definitions = read_bpmn(path)
    drawn = shapes_by_element(definitions)
    edges = {edge.element_id: edge for diagram in definitions.diagrams for edge in diagram.edges}
    for process in definitions.processes.values():
        for node in process.nodes.values():
            assert node.id in drawn, node.id
        for lane in process.lanes:
            assert lane.id in drawn and drawn[lane.id].is_horizontal
        for flow in process.flows.values():
            assert flow.id in edges, flow.id
    for participant in definitions.participants():
        assert participant.id in drawn and drawn[participant.id].is_horizontal
    for message in definitions.message_flows():
        assert message.id in edges, message.id
    for edge in edges.values():
        points = edge.waypoints
        assert len(points) >= 2, edge.element_id
        for a, b in pairwise(points):
            assert (a.x == b.x) != (a.y == b.y), f"{edge.element_id}: {a} → {b} is not a horizontal or vertical step"


def _node_shapes(definitions: Definitions) -> dict[str, tuple[Bounds, str | None]]:
    """Flow-node bounds with the host of boundary events."""
    drawn = shapes_by_element(definitions)
    return {node.id: (drawn[node.id].bounds, node.attached_to) for p in definitions.processes.values()
            for node in p.nodes.values()}


@pytest.mark.parametrize("path", ALL_DRAWN, ids=ids)
def test_nothing_overlaps(path: Path) -> None:
    """No two shapes overlap (a boundary event sits on its own activity), and no label covers a shape or a label."""
    definitions = read_bpmn(path)
    nodes = _node_shapes(definitions)
    for (a, (box_a, host_a)), (b, (box_b, host_b)) in combinations(nodes.items(), 2):
        if host_a == b or host_b == a:
            continue
        assert not overlaps(box_a, box_b), f"{a} overlaps {b}"
    labels = [(s.element_id, s.label) for d in definitions.diagrams for s in d.shapes if s.label is not None]
    labels += [(e.element_id, e.label) for d in definitions.diagrams for e in d.edges if e.label is not None]
    for element, label in labels:
        for other, (box, _) in nodes.items():
            assert not overlaps(label, box), f"the label of {element} covers {other}"
    for (a, label_a), (b, label_b) in combinations(labels, 2):
        assert not overlaps(label_a, label_b), f"the labels of {a} and {b} overlap"
    pools = [s for s in shapes_by_element(definitions).values() if s.element_id in
             {p.id for p in definitions.participants()}]
    for first, second in combinations(pools, 2):
        assert not overlaps(first.bounds, second.bounds)


@pytest.mark.parametrize("path", ALL_DRAWN, ids=ids)
def test_connectors_go_around_shapes(path: Path) -> None:
    """A connector touches shapes only at its own two ends."""
    definitions = read_bpmn(path)
    nodes = _node_shapes(definitions)
    ends = {f.id: (f.source_id, f.target_id) for p in definitions.processes.values() for f in p.flows.values()}
    ends.update({m.id: (m.source_id, m.target_id) for m in definitions.message_flows()})
    for diagram in definitions.diagrams:
        for edge in diagram.edges:
            own = set(ends[edge.element_id])
            own |= {host for node, (_, host) in nodes.items() if node in own and host}
            for a, b in zip(edge.waypoints, edge.waypoints[1:], strict=False):
                for node, (box, _) in nodes.items():
                    if node in own:
                        continue
                    assert not _crosses(a.x, a.y, b.x, b.y, box), f"{edge.element_id} runs through {node}"


def _crosses(x1: float, y1: float, x2: float, y2: float, box: Bounds) -> bool:
    left, right, top, bottom = box.x, box.x + box.width, box.y, box.y + box.height
    if y1 == y2:
        return top < y1 < bottom and min(x1, x2) < right and max(x1, x2) > left
    return left < x1 < right and min(y1, y2) < bottom and max(y1, y2) > top


@pytest.mark.parametrize("path", ALL_DRAWN, ids=ids)
def test_lanes_hold_their_nodes_and_are_sized_to_them(path: Path) -> None:
    definitions = read_bpmn(path)
    drawn = shapes_by_element(definitions)
    for participant in definitions.participants():
        if participant.process_id is None:
            continue
        process = definitions.processes[participant.process_id]
        pool = drawn[participant.id].bounds
        for lane in process.lanes:
            box = drawn[lane.id].bounds
            assert inside(box, pool)
            members = [drawn[n].bounds for n in lane.node_ids]
            assert members, f"empty lane {lane.id}"
            for node_id, member in zip(lane.node_ids, members, strict=True):
                if process.nodes[node_id].attached_to is None:
                    assert inside(member, box), f"{node_id} leaves lane {lane.id}"
            used = max(m.y + m.height for m in members) - min(m.y for m in members)
            assert box.height - used <= 110, f"lane {lane.id} is {box.height - used:.0f} px taller than its content"
        lanes = sorted((drawn[lane.id].bounds for lane in process.lanes), key=lambda b: b.y)
        for upper, lower in pairwise(lanes):
            assert upper.y + upper.height == lower.y, "lanes are stacked without gaps"


def test_every_task_says_what_it_is(samples: list[Definitions]) -> None:
    """A Japanese name, a one-line documentation, and a specific task type (never a plain task)."""
    kinds: Counter[str] = Counter()
    for definitions in samples:
        for process in definitions.processes.values():
            for node in process.nodes.values():
                if not isinstance(node.kind, TaskKind):
                    continue
                kinds[node.kind.value] += 1
                assert node.kind is not TaskKind.TASK, node.id
                assert node.name and any("\u3040" <= ch <= "\u9fff" for ch in node.name), node.id
                assert node.documentation and "\n" not in node.documentation.strip(), node.id
    assert {"userTask", "manualTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask"} <= set(kinds)


def test_rework_loops_exceptions_and_boundary_events_are_modelled(samples: list[Definitions]) -> None:
    triggers: Counter[str] = Counter()
    loops = 0
    for definitions in samples:
        for process in definitions.processes.values():
            for node in process.nodes.values():
                if node.kind is EventKind.BOUNDARY:
                    triggers.update(t.value for t in node.triggers)
            merges = [n for n in process.nodes.values() if n.kind is GatewayKind.EXCLUSIVE
                      and sum(f.target_id == n.id for f in process.flows.values()) > 1]
            loops += sum(1 for n in merges if _on_a_cycle(process, n.id))
    assert triggers[EventTrigger.TIMER.value] >= 3 and triggers[EventTrigger.ERROR.value] >= 2
    assert loops >= 5, "記載不備→補正 and similar rework loops"


def _on_a_cycle(process: object, start: str) -> bool:
    flows = list(process.flows.values())  # type: ignore[attr-defined]
    seen, stack = set(), [f.target_id for f in flows if f.source_id == start]
    nodes = process.nodes  # type: ignore[attr-defined]
    while stack:
        current = stack.pop()
        if current == start:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack += [f.target_id for f in flows if f.source_id == current]
        stack += [b.id for b in nodes.values() if b.attached_to == current]
    return False


def test_portfolio_features_for_lots_and_the_legal_gate(samples: list[Definitions]) -> None:
    """Two flows share a counter, one is already partly outsourced, one is a collaboration of 関係課 pools."""
    counters: dict[str, set[str]] = {}
    contractor_lanes = []
    for path, definitions in zip(SAMPLES, samples, strict=True):
        for process in definitions.processes.values():
            for lane in process.lanes:
                if lane.name.startswith("窓口受付"):
                    counters.setdefault(lane.name, set()).add(path.name)
                if "委託事業者" in lane.name:
                    contractor_lanes.append((path.name, lane.name))
    assert max(len(files) for files in counters.values()) >= 2, counters
    assert ("yuso.bpmn", "委託事業者（郵送処理）") in contractor_lanes
    onestop = next(d for d in samples if "Process_OneStop" in d.processes)
    pools = {p.id: p for p in onestop.participants()}
    expanded = [p for p in pools.values() if p.process_id]
    assert len(expanded) >= 4
    nodes = {n for p in onestop.processes.values() for n in p.nodes}
    between_pools = [m for m in onestop.message_flows() if m.source_id in nodes and m.target_id in nodes]
    assert len(between_pools) >= 3, "hand-offs to 関係課 are message flows between pools"


def test_data_travels_both_ways(samples: list[Definitions]) -> None:
    """At least three flows carry step facts and branch probabilities as camunda properties; the rest do not."""
    carrying = []
    for path, definitions in zip(SAMPLES, samples, strict=True):
        steps = [n for p in definitions.processes.values() for n in p.nodes.values() if isinstance(n.kind, TaskKind)]
        flows = [f for p in definitions.processes.values() for f in p.flows.values()]
        with_minutes = [n for n in steps if "minutes" in n.properties]
        if with_minutes:
            assert len(with_minutes) == len(steps), path.name
            assert any("probability" in f.properties for f in flows), path.name
            assert all("annual_count" in p.properties for p in definitions.processes.values())
            carrying.append(path.name)
        else:
            assert not any(n.properties for n in steps) and not any(f.properties for f in flows), path.name
    assert len(carrying) >= 3 and len(carrying) < len(SAMPLES)


def test_before_and_after_outsourcing_the_desk() -> None:
    """住民票の写し: today's flow, and the same procedure with the desk outsourced and one planned hand-off."""
    before, after = VERSIONS / "juminhyo-before.bpmn", VERSIONS / "juminhyo-after.bpmn"
    assert before.read_bytes() == (FLOWS / "juminhyo.bpmn").read_bytes(), "the pair starts from the bundled flow"
    old, new = read_bpmn(before), read_bpmn(after)
    assert list(old.processes) == list(new.processes) == ["Process_Juminhyo"]
    process = new.processes["Process_Juminhyo"]  # type: ignore[index]
    lane_of = {n: lane.name for lane in process.lanes for n in lane.node_ids}
    contractor = next(lane.name for lane in process.lanes if "委託事業者" in lane.name)
    named = {n.name: n.id for n in process.nodes.values()}
    for step in ("申請書受領", "本人確認", "証明書作成・照合", "手数料収納", "交付"):
        assert lane_of[named[step]] == contractor, step
    assert "職員" in lane_of[named["交付可否判断"]]
    into_staff = [f for f in process.flows.values()
                  if lane_of[f.source_id] == contractor and "職員" in lane_of[f.target_id]]
    assert [process.nodes[f.target_id].name for f in into_staff] == ["交付可否判断"], "one planned hand-off"
    assert "Flow_MsgKofu" in {m.id for m in new.message_flows()}


def test_negative_example_hides_the_decision() -> None:
    """The coarse 婚姻届 has no 受理 decision and no 校合: the legal checks must find it, make scan never reads it.

    Its structure is valid (no structural finding); the procedure-template check flags both missing
    decisions as errors, each on the step that must be hiding it (受付 for 受理, 交付 for 校合).
    """
    path = NEGATIVE / "koseki-konin-coarse.bpmn"
    definitions = read_bpmn(path)
    (process,) = definitions.processes.values()
    names = [n.name for n in process.nodes.values() if isinstance(n.kind, TaskKind)]
    assert names == ["受付・内容確認", "戸籍記載", "受理証明書の交付"]
    assert not any(word in name for name in names for word in ("審査", "決定", "決裁", "校合", "判断"))
    assert not path.is_relative_to(FLOWS)
    assert [f for f in lint(definitions) if f.severity is not Severity.INFO] == []
    missing = [f for f in template_findings(definitions) if f.rule == "procedure-decision-missing"]
    assert all(f.severity is Severity.ERROR for f in missing)
    hiding = {process.nodes[f.element_id].name for f in missing if f.element_id in process.nodes}
    assert len(missing) == 2 and hiding == {"受付・内容確認", "受理証明書の交付"}


def test_generated_files_are_up_to_date() -> None:
    """The committed files are what scripts/flowgen gives (so the descriptions and the product cannot drift)."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "build_flows.py"), "--check"],
                            capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stderr
