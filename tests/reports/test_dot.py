"""Graphviz layout: the real ``dot`` on real files, checked through its SVG output."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bpm.errors import RenderError
from bpm.graph import collaboration_graph, process_graph
from bpm.model import Definitions, ElementId
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.dot import FONT, build_dot, dot_available, render, render_dot_svg
from reports.overlay import Overlay
from reports.style import FINDING_COLOURS, style_of
from scoring.result import Disposition

HERE = Path(__file__).resolve()
NODI = HERE.parents[1] / "data" / "reports_nodi" / "counter_nodi.bpmn"
MIWG = HERE.parents[3] / "shared" / "miwg" / "Reference"
SVG = "{http://www.w3.org/2000/svg}"
NS = {"s": "http://www.w3.org/2000/svg"}

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz 'dot' is not installed (apt-get install graphviz)")


def _svg(text: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(text.encode("utf-8"), parser)


def _groups(root: etree._Element, css: str) -> list[etree._Element]:
    return [g for g in root.iter(f"{SVG}g") if css in (g.get("class") or "").split()]


def _group_of(root: etree._Element, element_id: str) -> etree._Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get("data-element-id") == element_id]
    assert len(found) == 1, element_id
    return found[0]


def _texts(group: etree._Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def _bbox(group: etree._Element) -> tuple[float, float, float, float]:
    polygon = group.find(".//s:polygon", NS)
    assert polygon is not None
    points = [tuple(map(float, p.split(","))) for p in polygon.get("points", "").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _inside(inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]) -> bool:
    return outer[0] < inner[0] and outer[1] < inner[1] and inner[2] < outer[2] and inner[3] < outer[3]


def _counter() -> tuple[Definitions, nx.MultiDiGraph]:
    definitions = read_bpmn(NODI)
    return definitions, process_graph(definitions, "proc_tennyu")


def _doc(name: str, node_id: str = "t1") -> bytes:
    """A two-step flow whose task has the given name (escaped into XML by lxml)."""
    root = etree.fromstring(
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        b'<process id="p"><laneSet id="ls"><lane id="l1"><flowNodeRef>s</flowNodeRef></lane></laneSet>'
        b'<startEvent id="s"/><userTask/><sequenceFlow id="f" sourceRef="s"/></process></definitions>'
    )
    task = root[0][2]
    task.set("id", node_id)
    task.set("name", name)
    root[0][3].set("targetRef", node_id)
    root[0][0][0].set("name", name)
    return etree.tostring(root, encoding="utf-8")


# --------------------------------------------------------------------------- availability


def test_dot_available_when_installed() -> None:
    if shutil.which("dot") is None and not Path("/usr/bin/dot").exists():
        pytest.skip("Graphviz 'dot' is not installed (apt-get install graphviz)")
    assert dot_available() is True


def test_missing_dot_is_a_render_error_with_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, graph = _counter()
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without Graphviz, as on a bare machine
    assert dot_available() is False
    with pytest.raises(RenderError, match="Graphviz 'dot' is not installed") as info:
        render(graph, "png")
    assert info.value.hint is not None and "apt-get install graphviz" in info.value.hint
    assert build_dot(graph).source  # building the description needs no executable


def test_unknown_format_is_refused() -> None:
    _, graph = _counter()
    with pytest.raises(RenderError, match="unknown diagram format 'gif'"):
        render(graph, "gif")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- layout without DI


@needs_dot
def test_counter_flow_without_di_lays_out_with_lanes_as_clusters() -> None:
    definitions, graph = _counter()
    assert definitions.diagrams == ()
    root = _svg(render_dot_svg(graph, definitions=definitions))
    lanes = _groups(root, "cluster")
    assert sorted(g.get("data-element-id") for g in lanes) == [
        "lane_madoguchi", "lane_shiminka", "lane_shinsa", "lane_system",
    ]
    assert {g.find("s:title", NS).text for g in lanes} == {"市民課", "窓口担当", "審査担当", "住民記録システム"}
    nodes = Counter(g.get("data-element-id") for g in _groups(root, "node"))
    assert nodes == Counter({node_id: 1 for node_id in graph.nodes})
    edges = Counter(g.get("data-element-id") for g in _groups(root, "edge"))
    assert edges == Counter({key: 1 for _, _, key in graph.edges(keys=True)})
    # the XOR loop: 補正を依頼する → 転入届を受け付ける goes back against the flow
    assert "不備あり" in _texts(_group_of(root, "f4"))
    assert _texts(_group_of(root, "task_kisai")) == ["住民票を記載する", "«service»"]
    assert _texts(_group_of(root, "gw_fubi"))[0] == "×"
    assert "不備はあるか" in _texts(_group_of(root, "gw_fubi"))


@needs_dot
def test_nested_lanes_become_nested_clusters() -> None:
    definitions, graph = _counter()
    root = _svg(render_dot_svg(graph, definitions=definitions))
    box = {g.get("data-element-id"): _bbox(g) for g in _groups(root, "cluster")}
    assert _inside(box["lane_madoguchi"], box["lane_shiminka"])
    assert _inside(box["lane_shinsa"], box["lane_shiminka"])
    assert not _inside(box["lane_system"], box["lane_shiminka"])
    assert not _inside(box["lane_shinsa"], box["lane_madoguchi"])
    # without the model only the innermost lanes are known: three flat clusters
    flat = _svg(render_dot_svg(graph))
    assert sorted(g.get("data-element-id") for g in _groups(flat, "cluster")) == [
        "lane_madoguchi", "lane_shinsa", "lane_system",
    ]


@needs_dot
def test_svg_is_inline_ready_and_deterministic() -> None:
    definitions, graph = _counter()
    text = render_dot_svg(graph, definitions=definitions, title="転入届 <窓口>")
    assert text.startswith("<svg ")
    assert "<?xml" not in text and "<!DOCTYPE" not in text and "<!--" not in text
    root = _svg(text)
    assert root.find("s:g/s:title", NS).text == "転入届 <窓口>"
    assert "bpmn-diagram" in root.get("class", "")
    assert FONT in {t.get("font-family", "").split(",")[0].strip("'") for t in root.iter(f"{SVG}text")}
    again_definitions, again_graph = _counter()
    assert render_dot_svg(again_graph, definitions=again_definitions, title="転入届 <窓口>") == text
    assert render(graph, "svg", definitions=definitions, title="転入届 <窓口>") == text.encode("utf-8")


@needs_dot
def test_png_and_pdf() -> None:
    definitions, graph = _counter()
    png = render(graph, "png", definitions=definitions)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 10_000
    digraph = build_dot(graph, definitions=definitions)
    pdf = render(digraph, "pdf")
    assert pdf.startswith(b"%PDF")
    # the Japanese font is embedded, so 住民票 prints instead of tofu boxes
    assert re.search(rb"/FontName\s*/[A-Z]{6}\+NotoSansCJK", pdf)


# --------------------------------------------------------------------------- escaping


HOSTILE = '<script>alert(1)</script> "a|b{c}" \\N \\l & end\\'


@needs_dot
def test_hostile_names_render_as_text() -> None:
    definitions = read_bpmn_bytes(_doc(HOSTILE, node_id='t:1 "x"'), "hostile.bpmn")
    graph = process_graph(definitions, "p")
    text = render_dot_svg(graph, definitions=definitions, title=HOSTILE)
    root = _svg(text)
    assert not list(root.iter(f"{SVG}script")) and "<script" not in text
    task = _group_of(root, 't:1 "x"')
    joined = "".join(_texts(task))
    assert "<script>alert(1)</script>" in joined
    assert '"a|b{c}"' in joined and "\\N" in joined and "\\l" in joined and "end\\" in joined
    lane = _group_of(root, "l1")
    assert "".join(_texts(lane)).replace(" ", "") == HOSTILE.replace(" ", "")
    assert root.find("s:g/s:title", NS).text == HOSTILE


@needs_dot
@settings(max_examples=25, deadline=None)
@given(name=st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")), max_size=40))
def test_any_name_survives_layout(name: str) -> None:
    graph = nx.MultiDiGraph(name="p", process="p")
    graph.add_node("t", kind="task", category="activity", name=name, label=name or "t", lane=None)
    graph.add_node("e", kind="endEvent", category="event", name="", label="e", lane=None)
    graph.add_edge("t", "e", key="f", kind="sequence", name=name, condition=None, default=False)
    root = _svg(render_dot_svg(graph))
    printed = "".join(_texts(_group_of(root, "t")))
    assert re.sub(r"\s", "", printed) == re.sub(r"\s", "", name)


# --------------------------------------------------------------------------- overlays


@needs_dot
def test_overlays_colour_badge_tooltip_and_finding() -> None:
    definitions, graph = _counter()
    rpa, outsource = style_of(Disposition.RPA), style_of(Disposition.OUTSOURCE)
    overlays = {
        ElementId("task_tsuchi"): Overlay(
            fill=rpa.fill, badge="RPA 0.82 · 410h", title="定型的な送付作業", css_class=rpa.css_class
        ),
        ElementId("task_hosei"): Overlay(fill=outsource.fill, finding="名前が重複しています"),
        ElementId("f4"): Overlay(badge="30%"),
    }
    root = _svg(render_dot_svg(graph, overlays=overlays, definitions=definitions))
    tsuchi = _group_of(root, "task_tsuchi")
    assert rpa.css_class in tsuchi.get("class", "").split()
    fills = {p.get("fill", "").lower() for p in tsuchi.iter(f"{SVG}path", f"{SVG}polygon")}
    assert rpa.fill.lower() in fills
    assert _texts(tsuchi) == ["転入通知を送付する", "«send»", "RPA 0.82 · 410h"]
    assert tsuchi.find("s:title", NS).text == "定型的な送付作業"
    hosei = _group_of(root, "task_hosei")
    assert _texts(hosei)[0] == "⚠ 補正を依頼する"
    strokes = {p.get("stroke", "").lower() for p in hosei.iter(f"{SVG}path", f"{SVG}polygon")}
    assert FINDING_COLOURS["error"].lower() in strokes
    assert "名前が重複しています" in hosei.find("s:title", NS).text
    assert "30%" in _texts(_group_of(root, "f4"))
    plain = _group_of(root, "task_shinsa")
    assert rpa.fill.lower() not in {p.get("fill", "").lower() for p in plain.iter(f"{SVG}path")}


# --------------------------------------------------------------------------- collaborations


COLLABORATION = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <collaboration id="c">
    <participant id="pool_jumin" name="住民"/>
    <participant id="pool_shiyakusho" name="市役所 市民課" processRef="p"/>
    <messageFlow id="m1" name="届出書" sourceRef="pool_jumin" targetRef="s"/>
    <messageFlow id="m2" name="受理通知" sourceRef="t" targetRef="pool_jumin"/>
    <messageFlow id="m3" sourceRef="pool_jumin" targetRef="pool_shiyakusho"/>
  </collaboration>
  <process id="p"><startEvent id="s" name="届出を受ける"><messageEventDefinition/></startEvent>
    <userTask id="t" name="受理する"/><endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="t"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
  </process>
</definitions>"""


@needs_dot
def test_collaboration_pools_and_message_flows() -> None:
    definitions = read_bpmn_bytes(COLLABORATION.encode(), "collab.bpmn")
    graph = collaboration_graph(definitions)
    digraph = build_dot(graph, definitions=definitions)
    assert "compound=true" in digraph.source
    root = _svg(render_dot_svg(digraph))
    pools = _groups(root, "bpmn-participant")
    clusters = [g for g in pools if "cluster" in g.get("class", "").split()]
    assert [g.get("data-element-id") for g in clusters] == ["pool_shiyakusho"]
    black_box = _group_of(root, "pool_jumin")
    assert "node" in black_box.get("class", "").split() and _texts(black_box) == ["住民"]
    for flow in ("m1", "m2", "m3"):
        group = _group_of(root, flow)
        assert "bpmn-messageFlow" in group.get("class", "").split()
        assert any(p.get("stroke-dasharray") for p in group.iter(f"{SVG}path"))
    assert "«message»" in _texts(_group_of(root, "s"))
    assert "lhead=cluster_" in digraph.source  # m3 ends at the pool border


MIWG_FILES = sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else []


@needs_dot
@pytest.mark.skipif(not MIWG_FILES, reason=f"MIWG reference files not found at {MIWG}")
@pytest.mark.parametrize("path", MIWG_FILES, ids=[p.name for p in MIWG_FILES])
def test_miwg_reference_files_lay_out(path: Path) -> None:
    definitions = read_bpmn(path)
    graph = collaboration_graph(definitions)
    root = _svg(render_dot_svg(graph, definitions=definitions))
    drawn = Counter(g.get("data-element-id") for g in _groups(root, "node"))
    assert drawn == Counter({node_id: 1 for node_id in graph.nodes})
