"""Tests for bpm.graph: attribute schema, parallel flows, sub-processes, collaborations, export.

Graphs are built from real files (a hand-made Japanese counter process and the
MIWG reference models) and, in the property test, from generated BPMN text that
goes through the real reader first.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpm.errors import BpmError, ModelError
from bpm.graph import (
    ENTER,
    MESSAGE,
    SEQUENCE,
    collaboration_graph,
    flat_copy,
    lane_index,
    process_graph,
    sequence_edges,
)
from bpm.model import Definitions, ProcessId
from bpm.reader import MODEL_NS, read_bpmn, read_bpmn_bytes

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "reader"
MIWG = HERE.parents[1].parent / "shared" / "miwg"
REFERENCE_FILES = sorted((MIWG / "Reference").glob("*.bpmn")) if MIWG.is_dir() else []

NODE_KEYS = {
    "kind", "category", "name", "label", "process", "parent", "lane", "lane_name", "pool", "pool_name",
    "attached_to", "cancel_activity", "triggers", "properties", "node", "location",
}  # fmt: skip
EDGE_KEYS = {"kind", "name", "condition", "default", "properties", "flow", "location"}


@pytest.fixture(scope="module")
def details() -> Definitions:
    return read_bpmn(DATA / "details.bpmn")


@pytest.fixture(scope="module")
def collapsed(details: Definitions) -> nx.MultiDiGraph:
    return process_graph(details, "proc_counter")


@pytest.fixture(scope="module")
def expanded(details: Definitions) -> nx.MultiDiGraph:
    return process_graph(details, "proc_counter", expand_subprocesses=True)


def _keys(graph: nx.MultiDiGraph) -> set[str]:
    return {key for _, _, key in graph.edges(keys=True)}


# --------------------------------------------------------------------------- schema


def test_graph_attributes(collapsed: nx.MultiDiGraph, details: Definitions) -> None:
    assert collapsed.graph == {
        "name": "市民課窓口",
        "process": "proc_counter",
        "file": details.file,
        "expanded": False,
    }


def test_every_node_has_the_schema(collapsed: nx.MultiDiGraph, expanded: nx.MultiDiGraph) -> None:
    for graph in (collapsed, expanded):
        for node, data in graph.nodes(data=True):
            assert set(data) == NODE_KEYS, node
            assert data["node"].id == node
            assert data["kind"] == data["node"].kind.value
            assert data["category"] == data["node"].category.value


def test_node_attributes(collapsed: nx.MultiDiGraph, details: Definitions) -> None:
    receive = collapsed.nodes["task_receive"]
    model = details.processes[ProcessId("proc_counter")].nodes[receive["node"].id]
    assert {k: v for k, v in receive.items() if k != "node"} == {
        "kind": "userTask",
        "category": "activity",
        "name": "申請書の\n受付",
        "label": "申請書の 受付",
        "process": "proc_counter",
        "parent": None,
        "lane": "lane_front",
        "lane_name": "窓口担当",
        "pool": "pool_counter",
        "pool_name": "市民課窓口",
        "attached_to": None,
        "cancel_activity": True,
        "triggers": (),
        "properties": {},
        "location": f"{details.file}:40",
    }
    assert receive["node"] is model
    timer = collapsed.nodes["boundary_timer"]
    assert (timer["kind"], timer["category"], timer["attached_to"], timer["cancel_activity"]) == (
        "boundaryEvent",
        "event",
        "sub_check",
        False,
    )
    assert timer["triggers"] == ("timerEventDefinition",)
    assert collapsed.nodes["gw_split"]["category"] == "gateway"
    assert collapsed.nodes["throw_all"]["label"] == "throw_all"  # unnamed: the id
    assert collapsed.nodes["end_done"]["lane"] is None
    assert collapsed.nodes["end_done"]["lane_name"] == ""


def test_edge_attributes(collapsed: nx.MultiDiGraph, details: Definitions) -> None:
    for u, v, key, data in collapsed.edges(keys=True, data=True):
        assert set(data) == EDGE_KEYS
        assert data["kind"] == SEQUENCE
        assert (data["flow"].id, data["flow"].source_id, data["flow"].target_id) == (key, u, v)
    ng = collapsed.edges["gw_split", "end_return", "f_ng"]
    assert {k: v for k, v in ng.items() if k != "flow"} == {
        "kind": "sequence",
        "name": "不備あり",
        "condition": "${不備}",
        "default": False,
        "properties": {},
        "location": f"{details.file}:95",
    }
    assert collapsed.edges["gw_split", "sub_check", "f_ok"]["default"] is True
    assert collapsed.edges["task_receive", "end_return", "f_receive_default"]["default"] is True


def test_parallel_flows_are_both_kept(collapsed: nx.MultiDiGraph) -> None:
    assert collapsed.number_of_edges("task_hand_over", "end_done") == 2
    assert set(collapsed["task_hand_over"]["end_done"]) == {"f_hand_over", "f_hand_over_twice"}


def test_dangling_flow_is_left_out(collapsed: nx.MultiDiGraph, details: Definitions) -> None:
    assert "f_dangling" in details.processes[ProcessId("proc_counter")].flows
    assert "f_dangling" not in _keys(collapsed)
    assert "nowhere" not in collapsed


def test_graph_does_not_write_back(details: Definitions) -> None:
    before = details.processes[ProcessId("proc_counter")]
    graph = process_graph(details, "proc_counter")
    graph.nodes["task_receive"]["name"] = "changed"
    assert before.nodes[graph.nodes["task_receive"]["node"].id].name == "申請書の\n受付"
    assert process_graph(details, "proc_counter").nodes["task_receive"]["name"] == "申請書の\n受付"


# --------------------------------------------------------------------------- sub-processes


def test_collapsed_sub_process_is_one_node(collapsed: nx.MultiDiGraph) -> None:
    assert "sub_check" in collapsed
    assert not {"sub_start", "sub_check_task", "sub_end"} & set(collapsed)
    assert {"sf_1", "sf_2"}.isdisjoint(_keys(collapsed))
    assert set(collapsed.successors("sub_check")) == {"call_print"}
    assert all(data["kind"] == SEQUENCE for _, _, data in collapsed.edges(data=True))
    assert all(collapsed.nodes[n]["parent"] is None for n in collapsed)


def test_expanded_sub_process(expanded: nx.MultiDiGraph, collapsed: nx.MultiDiGraph) -> None:
    assert set(expanded) == set(collapsed) | {"sub_start", "sub_check_task", "sub_end"}
    assert expanded.nodes["sub_check_task"]["parent"] == "sub_check"
    enter = expanded.edges["sub_check", "sub_start", "sub_check>sub_start"]
    assert enter["kind"] == ENTER
    assert enter["flow"] is None
    assert set(expanded.successors("sub_check")) == {"sub_start"}
    out = expanded.edges["sub_end", "call_print", "f_check@sub_end"]
    assert out["kind"] == SEQUENCE
    assert out["flow"].id == "f_check"
    assert {"sf_1", "sf_2"} <= _keys(expanded)
    assert expanded.graph["expanded"] is True
    # Boundary events stay on the sub-process node.
    assert expanded.nodes["boundary_timer"]["attached_to"] == "sub_check"
    path = nx.shortest_path(expanded, "start", "end_done")
    assert path == ["start", "task_receive", "gw_split", "sub_check", "sub_start", "sub_check_task", "sub_end",
                    "call_print", "task_hand_over", "end_done"]  # fmt: skip


def _doc(body: str) -> bytes:
    return f'<?xml version="1.0"?>\n<definitions xmlns="{MODEL_NS}" id="d">{body}</definitions>'.encode()


def test_event_sub_process_gets_no_enter_edge() -> None:
    d = read_bpmn_bytes(
        _doc(
            "<process id='p'><startEvent id='s'/><endEvent id='e'/>"
            "<sequenceFlow id='f' sourceRef='s' targetRef='e'/>"
            "<subProcess id='esp' triggeredByEvent='true'><startEvent id='es'><errorEventDefinition/></startEvent>"
            "<endEvent id='ee'/><sequenceFlow id='ef' sourceRef='es' targetRef='ee'/></subProcess></process>"
        ),
        "esp.bpmn",
    )
    graph = process_graph(d, "p", expand_subprocesses=True)
    assert not [k for _, _, k, kind in graph.edges(keys=True, data="kind") if kind == ENTER]
    assert _keys(graph) == {"f", "ef"}


def test_sub_process_without_end_event_keeps_its_outgoing_flow() -> None:
    d = read_bpmn_bytes(
        _doc(
            "<process id='p'><subProcess id='sp'><startEvent id='is'/><task id='it'/>"
            "<startEvent id='timer_start'><timerEventDefinition/></startEvent>"
            "<sequenceFlow id='i1' sourceRef='is' targetRef='it'/></subProcess>"
            "<task id='after'/><sequenceFlow id='out' sourceRef='sp' targetRef='after'/></process>"
        ),
        "sp.bpmn",
    )
    graph = process_graph(d, "p", expand_subprocesses=True)
    assert graph.has_edge("sp", "after", "out")
    # Only the none start event is entered; the timer start is triggered, not entered.
    assert [v for _, v, kind in graph.out_edges("sp", data="kind") if kind == ENTER] == ["is"]


def test_nested_sub_processes_expand_recursively() -> None:
    d = read_bpmn_bytes(
        _doc(
            "<process id='p'><startEvent id='s'/><subProcess id='outer'>"
            "<startEvent id='os'/><subProcess id='inner'><startEvent id='is'/><endEvent id='ie'/>"
            "<sequenceFlow id='if' sourceRef='is' targetRef='ie'/></subProcess><endEvent id='oe'/>"
            "<sequenceFlow id='o1' sourceRef='os' targetRef='inner'/>"
            "<sequenceFlow id='o2' sourceRef='inner' targetRef='oe'/></subProcess><endEvent id='e'/>"
            "<sequenceFlow id='f1' sourceRef='s' targetRef='outer'/>"
            "<sequenceFlow id='f2' sourceRef='outer' targetRef='e'/></process>"
        ),
        "nested.bpmn",
    )
    graph = process_graph(d, "p", expand_subprocesses=True)
    assert graph.nodes["is"]["parent"] == "inner"
    assert graph.nodes["inner"]["parent"] == "outer"
    assert nx.shortest_path(graph, "s", "e") == ["s", "outer", "os", "inner", "is", "ie", "oe", "e"]
    assert set(process_graph(d, "p")) == {"s", "outer", "e"}


# --------------------------------------------------------------------------- collaborations


def test_collaboration_graph_collapsed(details: Definitions) -> None:
    graph = collaboration_graph(details)
    assert graph.graph == {"name": "collab", "file": details.file, "expanded": False}
    messages = {(u, v, k) for u, v, k, kind in graph.edges(keys=True, data="kind") if kind == MESSAGE}
    assert messages == {
        ("pool_citizen", "start", "mf_apply"),
        ("task_hand_over", "pool_citizen", "mf_hand_over"),
        ("pool_citizen", "sub_check", "mf_inner"),  # nested end: the visible sub-process
    }
    citizen = graph.nodes["pool_citizen"]
    assert set(citizen) == NODE_KEYS
    assert (citizen["kind"], citizen["category"], citizen["name"], citizen["node"]) == (
        "participant",
        "participant",
        "住民",
        None,
    )
    assert citizen["location"] == f"{details.file}:12"
    assert "pool_counter" not in graph  # no message flow touches its border
    apply = graph.edges["pool_citizen", "start", "mf_apply"]
    assert set(apply) == EDGE_KEYS
    assert (apply["name"], apply["flow"].id, apply["default"]) == ("申請書", "mf_apply", False)
    assert graph.nodes["start"]["pool"] == "pool_counter"
    control = sequence_edges(graph)
    assert MESSAGE not in {kind for _, _, kind in control.edges(data="kind")}
    assert control.number_of_edges() == graph.number_of_edges() - 3
    assert set(control) == set(graph)


def test_collaboration_graph_expanded(details: Definitions) -> None:
    graph = collaboration_graph(details, expand_subprocesses=True)
    assert graph.has_edge("pool_citizen", "sub_check_task", "mf_inner")
    assert graph.graph["expanded"] is True


def test_collaboration_graph_without_collaboration() -> None:
    d = read_bpmn_bytes(
        _doc(
            "<process id='a'><task id='a1'/><task id='a2'/><sequenceFlow id='fa' sourceRef='a1' targetRef='a2'/>"
            "</process><process id='b'><task id='b1'/></process>"
        ),
        "two.bpmn",
    )
    graph = collaboration_graph(d)
    assert set(graph) == {"a1", "a2", "b1"}
    assert _keys(graph) == {"fa"}
    assert {graph.nodes[n]["process"] for n in graph} == {"a", "b"}


def test_black_box_pool_and_border_message_flow() -> None:
    d = read_bpmn_bytes(
        _doc(
            "<collaboration id='c' name='協働'><participant id='pa' name='市' processRef='a'/>"
            "<participant id='pb' name='国'/>"
            "<messageFlow id='m1' sourceRef='pa' targetRef='pb'/>"
            "<messageFlow id='m2' sourceRef='pb' targetRef='a1'/>"
            "<messageFlow id='m3' sourceRef='pb' targetRef='ghost'/></collaboration>"
            "<process id='a'><task id='a1'/></process>"
        ),
        "pools.bpmn",
    )
    graph = collaboration_graph(d)
    assert graph.graph["name"] == "協働"
    categories = {n: graph.nodes[n]["category"] for n in graph}
    assert categories == {"a1": "activity", "pa": "participant", "pb": "participant"}
    assert _keys(graph) == {"m1", "m2"}  # m3 has no end to attach to
    assert graph.nodes["pa"]["pool_name"] == "市"


def test_unknown_process_id(details: Definitions) -> None:
    with pytest.raises(ModelError) as caught:
        process_graph(details, "no_such_process")
    error = caught.value
    assert isinstance(error, BpmError)
    assert error.message == "no process with id 'no_such_process' (processes: proc_counter)"
    assert error.file == details.file
    assert error.element_id == "no_such_process"


def test_unknown_process_id_in_an_empty_file() -> None:
    d = read_bpmn_bytes(_doc(""), "empty.bpmn")
    with pytest.raises(ModelError, match=r"\(processes: none\)"):
        process_graph(d, "p")


def test_lane_index(details: Definitions) -> None:
    lanes = lane_index(details.processes[ProcessId("proc_counter")])
    assert list(lanes) == ["lane_office", "lane_front", "lane_back"]
    assert lanes[next(iter(lanes))].name == "市民課"


def test_vendor_properties_reach_the_graph() -> None:
    d = read_bpmn_bytes(
        _doc(
            "<process id='p'><task id='t'><extensionElements>"
            "<camunda:properties xmlns:camunda='http://camunda.org/schema/1.0/bpmn'>"
            "<camunda:property name='minutes' value='7'/></camunda:properties></extensionElements></task>"
            "<task id='u'/><sequenceFlow id='f' sourceRef='t' targetRef='u'><extensionElements>"
            "<zeebe:properties xmlns:zeebe='http://camunda.org/schema/zeebe/1.0'>"
            "<zeebe:property name='probability' value='0.25'/></zeebe:properties></extensionElements>"
            "</sequenceFlow></process>"
        ),
        "props.bpmn",
    )
    graph = process_graph(d, "p")
    assert graph.nodes["t"]["properties"] == {"minutes": "7"}
    assert graph.edges["t", "u", "f"]["properties"] == {"probability": "0.25"}


# --------------------------------------------------------------------------- export


def _is_plain(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _check_export(graph: nx.MultiDiGraph) -> None:
    flat = flat_copy(graph)
    assert set(flat) == set(graph)
    assert set(flat.edges(keys=True)) == set(graph.edges(keys=True))
    for _, data in flat.nodes(data=True):
        assert "node" not in data
        assert all(_is_plain(v) for v in data.values()), data
    for _, _, data in flat.edges(data=True):
        assert "flow" not in data
        assert all(_is_plain(v) for v in data.values()), data
    assert all(_is_plain(v) for v in flat.graph.values())
    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer)
    back = nx.read_graphml(io.BytesIO(buffer.getvalue()), force_multigraph=True)
    assert set(back) == set(graph)
    assert back.number_of_edges() == graph.number_of_edges()
    text = json.dumps(nx.node_link_data(flat, edges="edges"), ensure_ascii=False)
    data = json.loads(text)
    assert len(data["nodes"]) == graph.number_of_nodes()
    assert len(data["edges"]) == graph.number_of_edges()


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_export_every_miwg_reference_graph(path: Path, miwg_dir: Path) -> None:
    d = read_bpmn(path)
    graphs = [process_graph(d, pid, expand_subprocesses=e) for pid in d.processes for e in (False, True)]
    graphs += [collaboration_graph(d, c, expand_subprocesses=True) for c in d.collaborations]
    assert graphs
    for graph in graphs:
        _check_export(graph)


def test_reference_sample_size(miwg_dir: Path) -> None:
    assert len(REFERENCE_FILES) == 21


def test_flat_copy_values(collapsed: nx.MultiDiGraph, details: Definitions) -> None:
    flat = flat_copy(collapsed)
    timer = flat.nodes["boundary_timer"]
    assert timer["triggers"] == '["timerEventDefinition"]'
    assert timer["parent"] == ""
    assert timer["cancel_activity"] is False
    assert timer["properties"] == "{}"
    assert flat.nodes["task_receive"]["name"] == "申請書の\n受付"
    assert flat.edges["gw_split", "end_return", "f_ng"]["condition"] == "${不備}"
    assert flat.edges["gw_split", "sub_check", "f_ok"]["condition"] == ""
    # The original keeps its model objects.
    assert collapsed.nodes["boundary_timer"]["node"] is not None
    assert collapsed.nodes["boundary_timer"]["triggers"] == ("timerEventDefinition",)


def test_graphml_keeps_japanese() -> None:
    d = read_bpmn(DATA / "details.bpmn")
    buffer = io.BytesIO()
    nx.write_graphml(flat_copy(collaboration_graph(d, expand_subprocesses=True)), buffer)
    back = nx.read_graphml(io.BytesIO(buffer.getvalue()), force_multigraph=True)
    assert back.nodes["task_receive"]["name"] == "申請書の\n受付"
    assert back.nodes["pool_citizen"]["name"] == "住民"
    assert json.loads(back.nodes["boundary_timer"]["triggers"]) == ["timerEventDefinition"]


# --------------------------------------------------------------------------- property-based round trip

TASK_TAGS = ["task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
             "receiveTask", "callActivity", "subProcess"]  # fmt: skip
GATEWAY_TAGS = ["exclusiveGateway", "parallelGateway", "inclusiveGateway", "complexGateway"]
NAME_CHARS = st.sampled_from(
    list("abcXYZ019 -_/") + list("申請受付住民票の写し交付窓口審査確認アイウエオーｶﾅ") + list("<>&\"'\n")
)
names = st.text(NAME_CHARS, max_size=12).map(str.strip)


@st.composite
def flows(draw: st.DrawFn) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]], list[str]]:
    """(nodes as (id, tag, name), flows as (id, source, target, name), lane names)."""
    nodes: list[tuple[str, str, str]] = [("start", "startEvent", draw(names))]
    edges: list[tuple[str, str, str, str]] = []

    def node(tag: str) -> str:
        ident = f"n{len(nodes)}"
        nodes.append((ident, tag, draw(names)))
        return ident

    def flow(source: str, target: str) -> None:
        edges.append((f"f{len(edges)}", source, target, draw(names)))

    last = "start"
    for step in draw(st.lists(st.sampled_from(["task", "split"]), min_size=1, max_size=6)):
        if step == "task":
            current = node(draw(st.sampled_from(TASK_TAGS)))
            flow(last, current)
            last = current
            continue
        tag = draw(st.sampled_from(GATEWAY_TAGS))
        split, join = node(tag), None
        flow(last, split)
        ends = []
        for _branch in range(draw(st.integers(1, 3))):
            tail = split
            for _ in range(draw(st.integers(0, 2))):  # an empty branch: a parallel flow
                inner = node(draw(st.sampled_from(TASK_TAGS)))
                flow(tail, inner)
                tail = inner
            ends.append(tail)
        join = node(tag)
        for tail in ends:
            flow(tail, join)
        last = join
    end = node("endEvent")
    flow(last, end)
    lanes = draw(st.lists(names, max_size=3))
    return nodes, edges, lanes


def _write(
    nodes: list[tuple[str, str, str]],
    edges: list[tuple[str, str, str, str]],
    lanes: list[str],
    lane_of: dict[str, int],
    prefix: str,
) -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}definitions {xmlns}="{MODEL_NS}" id="defs">',
           f'<{p}process id="proc">']  # fmt: skip
    if lanes:
        out.append(f'<{p}laneSet id="ls">')
        for index, lane in enumerate(lanes):
            refs = "".join(
                f"<{p}flowNodeRef>{ident}</{p}flowNodeRef>" for ident, _, _ in nodes if lane_of.get(ident) == index
            )
            out.append(f'<{p}lane id="lane{index}" name={quoteattr(lane)}>{refs}</{p}lane>')
        out.append(f"</{p}laneSet>")
    for ident, tag, name in nodes:
        out.append(f"<{p}{tag} id={quoteattr(ident)} name={quoteattr(name)}/>")
    for ident, source, target, name in edges:
        out.append(f'<{p}sequenceFlow id="{ident}" name={quoteattr(name)} sourceRef="{source}" targetRef="{target}"/>')
    out.append(f"</{p}process></{p}definitions>")
    return "\n".join(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    generated=flows(),
    prefix=st.sampled_from(["", "bpmn", "bpmn2", "semantic"]),
    data=st.data(),
)
def test_generated_processes_round_trip(
    generated: tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]], list[str]],
    prefix: str,
    data: st.DataObject,
) -> None:
    nodes, edges, lanes = generated
    lane_of: dict[str, int] = {}
    for ident, _, _ in nodes:
        in_lane: bool = data.draw(st.booleans())
        if lanes and in_lane:
            lane_of[ident] = data.draw(st.integers(0, len(lanes) - 1))
    text = _write(nodes, edges, lanes, lane_of, prefix)
    d = read_bpmn_bytes(text.encode("utf-8"), "generated.bpmn")
    assert d.notes == ()
    graph = process_graph(d, "proc")
    assert graph.number_of_nodes() == len(nodes)
    assert graph.number_of_edges() == len(edges)
    for ident, tag, name in nodes:
        attributes = graph.nodes[ident]
        assert (attributes["kind"], attributes["name"]) == (tag, name)
        expected_lane = lane_of.get(ident)
        assert attributes["lane"] == (None if expected_lane is None else f"lane{expected_lane}")
        assert attributes["lane_name"] == ("" if expected_lane is None else lanes[expected_lane])
    assert {(u, v, k) for u, v, k in graph.edges(keys=True)} == {(s, t, i) for i, s, t, _ in edges}
    for ident, source, target, name in edges:
        assert graph.edges[source, target, ident]["name"] == name
    assert nx.has_path(graph, "start", nodes[-1][0])
    assert nx.is_directed_acyclic_graph(graph)
    _check_export(graph)
