"""The Graphviz fallback looks like BPMN: lanes as full-width bands, BPMN shapes and markers, left to right."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from lxml import etree

from bpm.graph import process_graph
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports import dot_clusters
from reports.dot import build_dot, dot_available, render_dot_svg

NODI = Path(__file__).resolve().parents[1] / "data" / "reports_nodi" / "counter_nodi.bpmn"
SVG = "{http://www.w3.org/2000/svg}"
NS = {"s": "http://www.w3.org/2000/svg"}

pytestmark = pytest.mark.skipif(not dot_available(), reason="Graphviz 'dot' is not installed")

GATEWAYS = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="p">
    <laneSet id="ls">
      <lane id="l1" name="窓口"><flowNodeRef>s</flowNodeRef><flowNodeRef>x</flowNodeRef>
        <flowNodeRef>a</flowNodeRef><flowNodeRef>e</flowNodeRef></lane>
      <lane id="l2" name="審査"><flowNodeRef>p1</flowNodeRef><flowNodeRef>b</flowNodeRef>
        <flowNodeRef>p2</flowNodeRef><flowNodeRef>o1</flowNodeRef><flowNodeRef>c</flowNodeRef></lane>
    </laneSet>
    <startEvent id="s" name="来庁"/>
    <exclusiveGateway id="x" name="種別"/>
    <userTask id="a" name="受付"/>
    <parallelGateway id="p1"/>
    <userTask id="b" name="審査"/>
    <parallelGateway id="p2"/>
    <inclusiveGateway id="o1"/>
    <manualTask id="c" name="交付"/>
    <endEvent id="e" name="完了"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="x"/>
    <sequenceFlow id="f2" sourceRef="x" targetRef="a"/>
    <sequenceFlow id="f3" sourceRef="x" targetRef="p1"/>
    <sequenceFlow id="f4" sourceRef="p1" targetRef="b"/>
    <sequenceFlow id="f5" sourceRef="b" targetRef="p2"/>
    <sequenceFlow id="f6" sourceRef="p2" targetRef="o1"/>
    <sequenceFlow id="f7" sourceRef="o1" targetRef="c"/>
    <sequenceFlow id="f8" sourceRef="a" targetRef="e"/>
    <sequenceFlow id="f9" sourceRef="c" targetRef="e"/>
  </process>
</definitions>""".encode()


def _svg(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))


def _group(root: etree._Element, element_id: str) -> etree._Element:
    (found,) = [g for g in root.iter(f"{SVG}g") if g.get("data-element-id") == element_id]
    return found


def _box(group: etree._Element) -> tuple[float, float, float, float]:
    polygon = group.find(".//s:polygon", NS)
    assert polygon is not None
    points = [tuple(map(float, p.split(","))) for p in (polygon.get("points") or "").split()]
    return min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points)


def _centre_x(group: etree._Element) -> float:
    """Horizontal centre: every label in the picture is centred on its shape."""
    text = group.find(".//s:text", NS)
    assert text is not None
    return float(text.get("x") or 0)


def test_lanes_are_bands_of_one_width_stacked_in_document_order() -> None:
    definitions = read_bpmn(NODI)
    root = _svg(render_dot_svg(process_graph(definitions, "proc_tennyu"), definitions=definitions))
    bands = [_box(_group(root, lane)) for lane in ("lane_madoguchi", "lane_shinsa", "lane_system")]
    lefts, rights = [b[0] for b in bands], [b[2] for b in bands]
    assert max(lefts) - min(lefts) < 12 and max(rights) - min(rights) < 12  # one width (nesting margins aside)
    tops = [b[1] for b in bands]
    assert tops == sorted(tops)  # 窓口担当 above 審査担当 above 住民記録システム, as in the file
    for upper, lower in itertools.pairwise(bands):
        assert upper[3] <= lower[1] + 0.5  # bands do not overlap
    outer = _box(_group(root, "lane_shiminka"))
    assert outer[0] <= min(lefts) and max(rights[:2]) <= outer[2]


def test_without_the_band_anchors_lanes_are_ragged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: Graphviz alone sizes each lane to its own nodes."""
    definitions = read_bpmn(NODI)
    source = build_dot(process_graph(definitions, "proc_tennyu"), definitions=definitions).source
    assert source.count("band_head_") >= 3 and "rank=same" in source
    monkeypatch.setattr(dot_clusters.Clusters, "stretch", lambda self, digraph: None)
    monkeypatch.setattr(dot_clusters.Clusters, "anchor", lambda self, sub, cluster: None)
    root = _svg(render_dot_svg(process_graph(definitions, "proc_tennyu"), definitions=definitions))
    widths = [_box(_group(root, lane)) for lane in ("lane_madoguchi", "lane_shinsa", "lane_system")]
    assert max(b[2] - b[0] for b in widths) - min(b[2] - b[0] for b in widths) > 50


def test_bpmn_shapes_and_gateway_markers_left_to_right() -> None:
    definitions = read_bpmn_bytes(GATEWAYS, "gateways.bpmn")
    root = _svg(render_dot_svg(process_graph(definitions, "p"), definitions=definitions))
    start, end = _group(root, "s").find(".//s:ellipse", NS), _group(root, "e").find(".//s:ellipse", NS)
    assert start is not None and end is not None
    assert float(start.get("stroke-width") or 1) < 2 <= float(end.get("stroke-width") or 1)  # thin start, thick end
    assert "×" in [t.text for t in _group(root, "x").iter(f"{SVG}text")]
    assert "+" in [t.text for t in _group(root, "p1").iter(f"{SVG}text")]
    assert "○" in [t.text for t in _group(root, "o1").iter(f"{SVG}text")]
    for gateway in ("x", "p1", "p2", "o1"):
        diamond = _group(root, gateway).find(".//s:polygon", NS)
        assert diamond is not None and len((diamond.get("points") or "").split()) == 5  # four corners, closed
    for task in ("a", "b", "c"):
        outline = _group(root, task).find(".//s:path", NS)
        assert outline is not None and "C" in (outline.get("d") or "")  # rounded corners are curves
    order = [_centre_x(_group(root, n)) for n in ("s", "x", "p1", "b", "p2", "o1", "c", "e")]
    assert order == sorted(order)  # left to right along the flow
    tops = [_box(_group(root, lane))[1] for lane in ("l1", "l2")]
    assert tops[0] < tops[1]


def test_shape_attributes_are_pure_functions_of_the_node_and_its_overlay() -> None:
    """reports.dot_shapes: the ⚠ leads the first line, the badge is the last, colours in DOT's form."""
    from reports.dot_shapes import below, dot_colour, edge_label, event_attrs, gateway_attrs
    from reports.overlay import Overlay

    flagged = Overlay(fill="#abc", badge=" RPA 0.8 ", finding="no end")
    gateway = gateway_attrs("審査結果", "exclusiveGateway", flagged)
    assert gateway["fillcolor"] == "#aabbcc"
    assert gateway["label"].split("\n")[-2:] == ["⚠ 審査結果", "RPA 0.8"]
    assert below("×", []) == "×" and below("×", ["a"]) == "\n\n×\n\na"
    assert dot_colour("rgba(300, 0, 0, 50%)") == "#ff000080" and dot_colour("var(--x)") is None
    terminate = event_attrs("", "endEvent", {"triggers": ("terminateEventDefinition",)}, None)
    assert terminate["label"] == "●" and terminate["penwidth"] == "3.5"
    assert edge_label("x" * 200, None)[-1].endswith("…")


def test_graphviz_ids_are_numbered_when_two_slugs_meet() -> None:
    """reports.dot_names: the same slug twice gets -2; a node keeps its one name."""
    from reports.dot_names import DotNames

    names = DotNames()
    assert [names.unique("a"), names.unique("a"), names.node("n"), names.node("n")] == ["a", "a-2", "bpmn-n", "bpmn-n"]
