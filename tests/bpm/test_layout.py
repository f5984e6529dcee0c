"""Layout for files without DI: real Graphviz, read back by the reader, drawn by our renderer, opened in bpmn-js."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bpmn_js import BpmnJs
from lxml import etree

from bpm.errors import RenderError
from bpm.layout import add_layout, needs_layout, plan_layout
from bpm.model import Bounds, Definitions, EventKind
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.pictures import pictures

DATA = Path(__file__).resolve().parents[1] / "data"
COUNTER = DATA / "reports_nodi" / "counter_nodi.bpmn"
WITH_DI = DATA / "reports_nodi" / "counter_di.bpmn"
MIWG_WITHOUT_DI = (
    ("IBM BlueWorks Live April 2014", "A.1.0-export.bpmn"),
    ("IBM BlueWorks Live April 2014", "A.2.0-export.bpmn"),
    ("IBM Process Designer 8.0.1", "A.1.0-export.bpmn"),
    ("IBM Process Designer 8.0.1", "A.3.0-export.bpmn"),
)
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"


def _without_di(path: Path, target: Path) -> Path:
    """A copy of a file with every BPMNDiagram removed: a generated file, as an office tool writes it."""
    tree = etree.parse(str(path))
    for diagram in tree.getroot().findall(f"{{{BPMNDI}}}BPMNDiagram"):
        diagram.getparent().remove(diagram)
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    return target


def _laid_out(path: Path) -> tuple[bytes, Definitions, Definitions]:
    source = path.read_bytes()
    before = read_bpmn(path)
    data = add_layout(source, str(path))
    return data, before, read_bpmn_bytes(data, str(path))


def _boxes(definitions: Definitions) -> dict[str, Bounds]:
    return {s.element_id: s.bounds for d in definitions.diagrams for s in d.shapes}


def _inside(inner: Bounds, outer: Bounds) -> bool:
    return (outer.x <= inner.x and inner.x + inner.width <= outer.x + outer.width
            and outer.y <= inner.y and inner.y + inner.height <= outer.y + outer.height)


def _model(definitions: Definitions) -> tuple[object, ...]:
    return (
        [(n.id, n.kind, n.name, n.lane_id, n.parent_id) for p in definitions.processes.values()
         for n in p.nodes.values()],
        [(f.id, f.source_id, f.target_id, f.condition) for p in definitions.processes.values()
         for f in p.flows.values()],
        [(lane.id, lane.name, lane.node_ids) for p in definitions.processes.values() for lane in p.all_lanes()],
    )


# --------------------------------------------------------------------------- geometry


def test_lanes_are_full_width_bands_in_document_order_holding_their_nodes() -> None:
    _data, before, after = _laid_out(COUNTER)
    assert needs_layout(before) and not needs_layout(after)
    process = next(iter(after.processes.values()))
    boxes = _boxes(after)
    leaves = [lane for lane in process.all_lanes() if not lane.children]
    bands = [boxes[lane.id] for lane in leaves]
    assert [b.y for b in bands] == sorted(b.y for b in bands)  # document order, top to bottom
    for upper, lower in itertools.pairwise(bands):
        assert upper.y + upper.height == lower.y  # stacked without gaps or overlaps
    rights = {round(boxes[lane.id].x + boxes[lane.id].width) for lane in process.all_lanes()}
    assert len(rights) == 1  # every lane, nested or not, ends at the same right edge
    for lane in leaves:
        for node_id in lane.node_ids:
            assert _inside(boxes[node_id], boxes[lane.id]), node_id
    parent = next(lane for lane in process.lanes if lane.children)
    assert _inside(boxes[parent.children[0].id], boxes[parent.id])
    assert boxes[parent.children[0].id].x == boxes[parent.id].x + 30  # the parent's name band


def test_flow_runs_left_to_right() -> None:
    _data, _before, after = _laid_out(DATA / "reports" / "no_di.bpmn")
    process = next(iter(after.processes.values()))
    boxes = _boxes(after)
    for flow in process.flows.values():
        source, target = boxes[flow.source_id], boxes[flow.target_id]
        assert source.x + source.width <= target.x, flow.id
    edges = {e.element_id: e for d in after.diagrams for e in d.edges}
    assert set(edges) == set(process.flows)
    for flow_id, edge in edges.items():
        flow = process.flows[flow_id]
        assert edge.waypoints[0].x == boxes[flow.source_id].x + boxes[flow.source_id].width
        assert edge.waypoints[-1].x == boxes[flow.target_id].x
        for a, b in itertools.pairwise(edge.waypoints):
            assert a.x == b.x or a.y == b.y  # orthogonal segments


def test_pools_are_stacked_with_message_flows_and_black_boxes(flows_dir: Path, tmp_path: Path) -> None:
    path = _without_di(flows_dir / "tennyu.bpmn", tmp_path / "tennyu.bpmn")
    _data, before, after = _laid_out(path)
    assert _model(after) == _model(before)
    (diagram,) = after.diagrams
    boxes = _boxes(after)
    pools = list(after.participants())
    tops = [boxes[p.id].y for p in pools]
    assert tops == sorted(tops)
    assert len({(boxes[p.id].x, boxes[p.id].width) for p in pools}) == 1
    for pool in pools:
        if pool.process_id is None:
            assert boxes[pool.id].height == 60
        else:
            for node in after.processes[pool.process_id].nodes.values():
                if node.parent_id is None:
                    assert _inside(boxes[node.id], boxes[pool.id]), node.id
    drawn = {e.element_id for e in diagram.edges}
    assert {m.id for m in after.message_flows()} <= drawn
    assert all(not s.is_expanded for s in diagram.shapes if s.is_expanded is not None)


def test_boundary_events_sit_on_their_hosts_bottom_edge(miwg_dir: Path) -> None:
    _data, _before, after = _laid_out(miwg_dir / "IBM Process Designer 8.0.1" / "A.3.0-export.bpmn")
    boxes = _boxes(after)
    process = next(iter(after.processes.values()))
    boundary = [n for n in process.nodes.values() if n.kind is EventKind.BOUNDARY]
    assert len(boundary) == 2
    for event in boundary:
        assert event.attached_to is not None
        host, box = boxes[event.attached_to], boxes[event.id]
        assert box.y + box.height / 2 == host.y + host.height
        assert host.x - box.width / 2 <= box.x <= host.x + host.width


def test_sub_processes_are_collapsed_with_a_drill_down_plane(miwg_dir: Path, tmp_path: Path) -> None:
    path = _without_di(miwg_dir / "Reference" / "A.4.0.bpmn", tmp_path / "A.4.0.bpmn")
    _data, before, after = _laid_out(path)
    containers = [n for p in before.processes.values() for n in p.nodes.values()
                  if n.kind.value == "subProcess" and n.parent_id is None]
    assert containers
    planes = {d.plane_element_id: d for d in after.diagrams}
    for sub in containers:
        assert sub.id in planes
        (shape,) = [s for d in after.diagrams for s in d.shapes if s.element_id == sub.id]
        assert shape.is_expanded is False
        children = {n.id for p in after.processes.values() for n in p.nodes.values() if n.parent_id == sub.id}
        assert children <= {s.element_id for s in planes[sub.id].shapes}


# --------------------------------------------------------------------------- the file


def test_existing_bytes_are_kept_and_only_a_diagram_is_added() -> None:
    source = COUNTER.read_bytes()
    data = add_layout(source, str(COUNTER))
    text = data.decode("utf-8")
    diagram = re.search(r"\n  <bpmndi:BPMNDiagram .*</bpmndi:BPMNDiagram>", text, re.DOTALL)
    assert diagram is not None
    rest = text[: diagram.start()] + text[diagram.end():]
    for prefix, uri in (("bpmndi", BPMNDI), ("dc", "http://www.omg.org/spec/DD/20100524/DC"),
                        ("di", "http://www.omg.org/spec/DD/20100524/DI")):
        rest = re.sub(rf'\s+xmlns:{prefix}="{re.escape(uri)}"', "", rest)
    assert rest.encode("utf-8") == source
    assert add_layout(source, str(COUNTER)) == data  # reproducible: same file, same bytes


def test_layout_reads_back_as_the_same_model_and_draws_with_our_renderer(miwg_dir: Path) -> None:
    for tool, name in MIWG_WITHOUT_DI:
        path = miwg_dir / tool / name
        _data, before, after = _laid_out(path)
        assert _model(after) == _model(before), path
        assert [n.code for n in after.notes] == [n.code for n in before.notes]
        drawn = pictures(after, layout="di")
        assert drawn and all(p.layout == "di" for p in drawn)
        for node in (n for p in after.processes.values() for n in p.nodes.values() if n.parent_id is None):
            assert f'data-element-id="{node.id}"' in drawn[0].svg, (path, node.id)


def test_file_with_a_diagram_is_refused() -> None:
    with pytest.raises(RenderError, match=r"already has diagram interchange \(\d+ shapes\)") as info:
        add_layout(WITH_DI.read_bytes(), str(WITH_DI))
    assert info.value.file == str(WITH_DI)


def test_file_with_nothing_to_draw_is_refused() -> None:
    empty = b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p"/></definitions>'
    with pytest.raises(RenderError, match="nothing to lay out"):
        add_layout(empty, "empty.bpmn")


def test_plan_is_empty_for_a_file_of_empty_processes() -> None:
    empty = b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p"/></definitions>'
    assert plan_layout(read_bpmn_bytes(empty, "e.bpmn")) == ()


# --------------------------------------------------------------------------- bpmn-js


@pytest.fixture(scope="module")
def modeler(js_peers: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpmnJs]:
    with BpmnJs.launch(js_peers, tmp_path_factory.mktemp("bpmn-js")) as opened:
        yield opened


@pytest.mark.browser
def test_laid_out_files_open_in_bpmn_js(modeler: BpmnJs, miwg_dir: Path, flows_dir: Path, tmp_path: Path) -> None:
    paths = [miwg_dir / tool / name for tool, name in MIWG_WITHOUT_DI if name != "A.3.0-export.bpmn"]
    paths += [COUNTER, DATA / "reports" / "no_di.bpmn"]
    paths += [_without_di(flows_dir / name, tmp_path / name) for name in ("tennyu.bpmn", "juminhyo.bpmn")]
    paths += [_without_di(miwg_dir / "Reference" / name, tmp_path / name) for name in ("A.4.0.bpmn", "B.2.0.bpmn")]
    for path in paths:
        data = add_layout(path.read_bytes(), str(path))
        opened = modeler.open(data)
        assert opened.error is None, (path, opened.error)
        assert opened.warnings == [], (path, opened.warnings)
        definitions = read_bpmn_bytes(data, str(path))
        nodes = {n.id for p in definitions.processes.values() for n in p.nodes.values()}
        flows = {f.id for p in definitions.processes.values() for f in p.flows.values()
                 if f.source_id in nodes and f.target_id in nodes}
        assert nodes | flows <= set(opened.types), (path, (nodes | flows) - set(opened.types))
    assert modeler.console == []


@pytest.mark.browser
def test_ibm_file_warns_only_about_its_own_unresolvable_reference(modeler: BpmnJs, miwg_dir: Path) -> None:
    # IBM Process Designer writes attachedToRef="A.3.0-export:bpmnid-…": our reader strips the declared
    # prefix, bpmn-moddle cannot; every warning traces back to that one reference.
    path = miwg_dir / "IBM Process Designer 8.0.1" / "A.3.0-export.bpmn"
    source = path.read_bytes()
    reference = "A.3.0-export:bpmnid-6c0bb0bb-e7c4-412a-a7b7-d84807aa35f9"
    assert modeler.open(source).warnings == [f"unresolved reference <{reference}>"] * 2
    opened = modeler.open(add_layout(source, str(path)))
    boundary = ("bpmnid-f045fce0-7ea6-471a-80e1-b6c60ca7baf8", "bpmnid-23a1f4c5-4f22-44fc-b2d9-edb5df0dd032")
    assert opened.error is None
    for warning in opened.warnings:
        assert reference in warning or any(event in warning for event in boundary), warning
    assert "bpmnid-a91e2fcc-68fa-490b-9d83-1eae7bfa6fdc" in opened.types  # Task1 is drawn
    modeler.console.clear()
