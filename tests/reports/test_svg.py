"""Tests for reports.svg: DI → SVG on real MIWG files and small hand-built models."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from bpm.errors import RenderError
from bpm.model import (
    Bounds,
    Collaboration,
    Definitions,
    Diagram,
    Edge,
    ElementId,
    EventKind,
    FlowNode,
    GatewayKind,
    Lane,
    Participant,
    Point,
    Process,
    ProcessId,
    SequenceFlow,
    Shape,
    SourceRef,
    TaskKind,
)
from bpm.reader import read_bpmn
from reports.overlay import Overlay
from reports.svg import (
    dom_id,
    render_all,
    render_diagram,
    render_svg,
)

REPO = Path(__file__).resolve().parents[2]
MIWG = REPO.parent / "shared" / "miwg" / "Reference"
GOLD = REPO / "tests" / "gold"
ACTUAL = REPO / "tests" / "actual"
FLOWS = REPO / "flows"
SVG = "{http://www.w3.org/2000/svg}"

needs_miwg = pytest.mark.skipif(not MIWG.is_dir(), reason="MIWG reference files not present")
REFERENCE_FILES = sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else []
SAMPLE_FILES = sorted(FLOWS.glob("*.bpmn"))


# --------------------------------------------------------------------------- hand-built model

HOSTILE = '<script>alert(1)</script> & "quotes"'


def _src(line: int) -> SourceRef:
    return SourceRef("/data/hand made.bpmn", line)


def _model(
    *,
    task_name: str = "受付",
    task_kind: TaskKind = TaskKind.USER,
    marker_visible: bool | None = None,
    extra_shapes: tuple[Shape, ...] = (),
    with_di: bool = True,
) -> Definitions:
    """Pool with two lanes: start → task → gateway → end, all drawn."""
    pid = ProcessId("P1")

    def node(nid: str, kind: TaskKind | EventKind | GatewayKind, name: str, line: int) -> FlowNode:
        return FlowNode(ElementId(nid), kind, name, _src(line), pid)

    nodes = {
        n.id: n
        for n in (
            node("start", EventKind.START, "来庁", 3),
            node("task", task_kind, task_name, 4),
            node("gw", GatewayKind.EXCLUSIVE, "不備？", 5),
            node("end", EventKind.END, "完了", 6),
        )
    }
    flows = {
        f.id: f
        for f in (
            SequenceFlow(ElementId("f1"), ElementId("start"), ElementId("task"), _src(7), pid),
            SequenceFlow(ElementId("f2"), ElementId("task"), ElementId("gw"), _src(8), pid),
            SequenceFlow(ElementId("f3"), ElementId("gw"), ElementId("end"), _src(9), pid, name="なし"),
        )
    }
    lanes = (
        Lane(ElementId("lane1"), "窓口", _src(10), (ElementId("start"), ElementId("task"))),
        Lane(ElementId("lane2"), "職員", _src(11), (ElementId("gw"), ElementId("end"))),
    )
    process = Process(pid, "交付", _src(2), nodes=nodes, flows=flows, lanes=lanes)
    collaboration = Collaboration(
        ElementId("c1"), _src(1), participants=(Participant(ElementId("pool"), "住民票", _src(1), pid),)
    )

    def shape(
        eid: str,
        x: float,
        y: float,
        w: float,
        h: float,
        is_horizontal: bool | None = None,
        is_marker_visible: bool | None = None,
    ) -> Shape:
        return Shape(
            ElementId(f"{eid}_di"),
            ElementId(eid),
            Bounds(x, y, w, h),
            _src(20),
            is_horizontal=is_horizontal,
            is_marker_visible=is_marker_visible,
        )

    def edge(eid: str, *points: tuple[float, float]) -> Edge:
        return Edge(ElementId(f"{eid}_di"), ElementId(eid), tuple(Point(x, y) for x, y in points), _src(30))

    diagram = Diagram(
        ElementId("D1"),
        "",
        ElementId("c1"),
        shapes=(
            shape("pool", 0, 0, 600, 260, is_horizontal=True),
            shape("lane1", 30, 0, 570, 130, is_horizontal=True),
            shape("lane2", 30, 130, 570, 130, is_horizontal=True),
            shape("start", 60, 47, 36, 36),
            shape("task", 140, 25, 100, 80),
            shape("gw", 300, 170, 50, 50, is_marker_visible=marker_visible),
            shape("end", 450, 177, 36, 36),
            *extra_shapes,
        ),
        edges=(
            edge("f1", (96, 65), (140, 65)),
            edge("f2", (240, 65), (325, 65), (325, 170)),
            edge("f3", (350, 195), (450, 195)),
        ),
    )
    return Definitions(
        "defs",
        SourceRef("/data/hand made.bpmn", 1),
        processes={pid: process},
        collaborations=(collaboration,),
        diagrams=(diagram,) if with_di else (),
    )


def _groups(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.attrib["data-element-id"]: g for g in root.iter(f"{SVG}g") if "data-element-id" in g.attrib}


def _text(element: ET.Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{SVG}tspan"))


# --------------------------------------------------------------------------- golden files


def _golden_cases() -> list[object]:
    cases: list[object] = [
        pytest.param(MIWG / "A.1.0.bpmn", "miwg-A.1.0", marks=needs_miwg, id="miwg-A.1.0"),
    ]
    preferred = FLOWS / "juminhyo.bpmn"
    japanese = [preferred] if preferred.exists() else sorted(FLOWS.glob("*.bpmn"))
    if japanese:
        sample = japanese[0]
        cases.append(pytest.param(sample, f"flows-{sample.stem}", id=f"flows-{sample.stem}"))
    return cases


@pytest.mark.parametrize(("bpmn", "name"), _golden_cases())
def test_golden(bpmn: Path, name: str) -> None:
    svg = render_svg(read_bpmn(bpmn))
    golden = GOLD / f"{name}.svg"
    if os.environ.get("BPM_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(svg, encoding="utf-8")
    if not golden.exists():
        pytest.fail(f"golden file {golden} missing; run with BPM_UPDATE_GOLDEN=1 to create it")
    if svg != golden.read_text(encoding="utf-8"):
        ACTUAL.mkdir(parents=True, exist_ok=True)
        actual = ACTUAL / f"{name}.svg"
        actual.write_text(svg, encoding="utf-8")
        pytest.fail(f"SVG differs from {golden}; actual output written to {actual}")


# --------------------------------------------------------------------------- real files


@pytest.mark.parametrize(
    "bpmn", REFERENCE_FILES + SAMPLE_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in REFERENCE_FILES + SAMPLE_FILES]
)
def test_every_reference_file_renders_every_shaped_node(bpmn: Path) -> None:
    definitions = read_bpmn(bpmn)
    rendered = render_all(definitions)
    assert len(rendered) == len(definitions.diagrams)
    for diagram, svg in rendered:
        groups = _groups(svg)
        shaped = {s.element_id for s in diagram.shapes if definitions.find_node(s.element_id)}
        assert shaped, f"{bpmn.name}: no flow node shapes"
        assert shaped <= groups.keys(), shaped - groups.keys()
        ids = [g.attrib["id"] for g in groups.values()]
        assert len(ids) == len(set(ids))


@needs_miwg
def test_multiple_diagrams_give_one_svg_each() -> None:
    definitions = read_bpmn(MIWG / "C.4.0.bpmn")
    rendered = render_all(definitions)
    assert [d.id for d, _ in rendered] == [d.id for d in definitions.diagrams]
    assert len(rendered) == 4
    assert len({svg for _, svg in rendered}) == 4


@needs_miwg
def test_view_box_encloses_every_shape_and_waypoint() -> None:
    definitions = read_bpmn(MIWG / "B.2.0.bpmn")
    diagram = definitions.diagrams[0]
    root = ET.fromstring(render_svg(definitions))
    x, y, w, h = (float(v) for v in root.attrib["viewBox"].split())
    for shape in diagram.shapes:
        b = shape.bounds
        assert x <= b.x and b.x + b.width <= x + w and y <= b.y and b.y + b.height <= y + h
    for edge in diagram.edges:
        assert all(x <= p.x <= x + w and y <= p.y <= y + h for p in edge.waypoints)


@needs_miwg
def test_vertical_lanes_have_upright_headers() -> None:
    """A.4.1 has isHorizontal=false pools and lanes: header text is not rotated."""
    groups = _groups(render_svg(read_bpmn(MIWG / "A.4.1.bpmn")))
    lanes = [g for g in groups.values() if "bpmn-lane" in g.attrib["class"].split()]
    assert len(lanes) == 3
    for lane in lanes:
        label = lane.find(f"{SVG}text")
        assert label is not None and "transform" not in label.attrib
    horizontal = _groups(render_svg(_model()))
    label = horizontal["lane1"].find(f"{SVG}text")
    assert label is not None and label.attrib["transform"].startswith("rotate(-90")


def test_rendering_is_deterministic() -> None:
    assert render_svg(_model()) == render_svg(_model())


# --------------------------------------------------------------------------- escaping and structure


def test_hostile_name_is_escaped() -> None:
    svg = render_svg(_model(task_name=HOSTILE))
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.split("}")[-1].lower() == "script"]
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "".join(_text(_groups(svg)["task"]).split()) == "".join(HOSTILE.split())


def test_groups_carry_ids_and_kind_classes() -> None:
    groups = _groups(render_svg(_model()))
    assert set(groups) == {"pool", "lane1", "lane2", "start", "task", "gw", "end", "f1", "f2", "f3"}
    task = groups["task"]
    assert task.attrib["class"].split() == ["bpmn-element", "bpmn-activity", "bpmn-task", "bpmn-userTask"]
    assert task.attrib["id"] == "bpmn-task"
    assert "bpmn-exclusiveGateway" in groups["gw"].attrib["class"].split()
    assert "bpmn-sequenceFlow" in groups["f3"].attrib["class"].split()
    assert _text(groups["f3"]) == "なし"


def test_svg_stands_alone() -> None:
    root = ET.fromstring(render_svg(_model(), title="住民票 <交付>"))
    assert root.tag == f"{SVG}svg"
    children = list(root)
    assert children[0].tag == f"{SVG}title" and children[0].text == "住民票 <交付>"
    assert children[1].tag == f"{SVG}style" and "Noto Sans CJK JP" in (children[1].text or "")


def test_exclusive_marker_hidden_only_when_di_says_so() -> None:
    shown = _groups(render_svg(_model(marker_visible=None)))["gw"]
    hidden = _groups(render_svg(_model(marker_visible=False)))["gw"]
    assert shown.find(f"{SVG}g[@class='b-marker']") is not None
    assert hidden.find(f"{SVG}g[@class='b-marker']") is None


def test_dom_id_is_safe_for_any_element_id() -> None:
    assert dom_id("Task_1") == "bpmn-Task_1"
    weird = ['a"b', "a b", "受付", "a<b>&c", "1abc", ""]
    ids = [dom_id(w) for w in weird]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"bpmn-[A-Za-z0-9_.-]+", i) for i in ids)


@given(st.lists(st.text(min_size=0, max_size=20), min_size=2, max_size=6, unique=True))
def test_dom_ids_stay_distinct(element_ids: list[str]) -> None:
    ids = [dom_id(e) for e in element_ids]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"bpmn-[A-Za-z0-9_.-]+", i) for i in ids)


# --------------------------------------------------------------------------- overlays


def test_overlay_lands_on_its_element() -> None:
    overlays = {
        ElementId("task"): Overlay(
            fill="#ffe0b2", badge="RPA 0.82 · 410h", title="定型・大量", css_class="disp-rpa", finding="名前が重複"
        ),
        ElementId("not-drawn"): Overlay(fill="red"),
    }
    groups = _groups(render_svg(_model(), overlays=overlays))
    task = groups["task"]
    assert "disp-rpa" in task.attrib["class"].split()
    title = task.find(f"{SVG}title")
    assert title is not None and "定型・大量" in (title.text or "") and "名前が重複" in (title.text or "")
    body = task.find(f"{SVG}rect")
    assert body is not None and body.attrib["style"] == "fill:#ffe0b2"
    badge_text = task.find(f"{SVG}g[@class='b-badge']/{SVG}text")
    assert badge_text is not None and badge_text.text == "RPA 0.82 · 410h"
    assert task.find(f"{SVG}g[@class='b-finding']") is not None
    # the type marker and the label are painted after the filled body, so they stay visible
    marker, label = task.find(f"{SVG}g[@class='b-marker']"), task.find(f"{SVG}text")
    assert marker is not None and label is not None
    children = list(task)
    assert children.index(body) < children.index(marker) < children.index(label)
    for other in ("start", "gw", "end", "lane1"):
        assert groups[other].find(f"{SVG}title") is None
        assert "style" not in ET.tostring(groups[other], "unicode")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fill": "red; stroke: blue"}, "not a CSS colour"),
        ({"fill": "url(javascript:x)"}, "not a CSS colour"),
        ({"css_class": 'ok bad"class'}, "not a CSS class"),
    ],
)
def test_overlay_rejects_values_that_could_break_out(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Overlay(**kwargs)


TASK_BOUNDS = Bounds(140, 25, 100, 80)  # where _model draws "task"
MARKED_KINDS = [
    TaskKind.USER,
    TaskKind.MANUAL,
    TaskKind.SERVICE,
    TaskKind.SCRIPT,
    TaskKind.BUSINESS_RULE,
    TaskKind.SEND,
    TaskKind.RECEIVE,
]
NS = {"s": "http://www.w3.org/2000/svg"}


def _lxml_group(svg: str, element_id: str) -> etree._Element:
    root = etree.fromstring(svg.encode("utf-8"))
    (group,) = root.xpath("//s:g[@data-element-id=$id]", namespaces=NS, id=element_id)
    assert isinstance(group, etree._Element)
    return group


def _marker_bottom(group: etree._Element) -> float:
    """Lowest y the task-type icon reaches: its translate plus the largest local y of its geometry."""
    (marker,) = group.xpath("s:g[@class='b-marker']", namespaces=NS)
    match = re.fullmatch(r"translate\(([-\d.]+) ([-\d.]+)\)", marker.get("transform"))
    assert match is not None
    ys: list[float] = []
    for part in marker:
        a = part.attrib
        if "cy" in a:
            ys.append(float(a["cy"]) + float(a["r"]))
        if "height" in a:
            ys.append(float(a["y"]) + float(a["height"]))
        coordinates = a.get("d", "") + " " + a.get("points", "")
        ys.extend(float(y) for _x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", coordinates))
        ys.extend(float(y) for y in re.findall(r"V(-?[\d.]+)", coordinates))
    assert ys
    return float(match.group(2)) + max(ys)


def _label_lines(group: etree._Element) -> list[tuple[str, float]]:
    (label,) = group.xpath("s:text[@class='b-label']", namespaces=NS)
    return [(t.text or "", float(t.get("y"))) for t in label.xpath("s:tspan", namespaces=NS)]


@pytest.mark.parametrize("kind", MARKED_KINDS, ids=[k.value for k in MARKED_KINDS])
@pytest.mark.parametrize(
    "name", ["証明書作成・照合", "カード継続利用処理", "住基システム入力", "転入届の受付と本人確認書類の審査"]
)
def test_task_label_starts_below_the_type_marker(kind: TaskKind, name: str) -> None:
    """Two- and three-line names would run into the icon if centred in the whole box."""
    group = _lxml_group(render_svg(_model(task_name=name, task_kind=kind)), "task")
    lines = _label_lines(group)
    assert 2 <= len(lines) <= 3
    glyph_top = lines[0][1] - 12 * 0.88  # CJK glyphs reach 0.88 em above the baseline
    stroke = 0.6  # half the icon's stroke width
    assert glyph_top >= _marker_bottom(group) + stroke + 2
    assert lines[-1][1] <= TASK_BOUNDS.y + TASK_BOUNDS.height - 4  # and still inside the box


def test_one_line_task_label_stays_centred_in_the_box() -> None:
    """A label already clear of the icon is not moved, so it lines up with tasks without one."""
    marked = _label_lines(_lxml_group(render_svg(_model(task_name="受付")), "task"))
    plain = _label_lines(_lxml_group(render_svg(_model(task_name="受付", task_kind=TaskKind.TASK)), "task"))
    assert marked == plain
    assert abs(marked[0][1] - 12 * 0.95 + 12 * 1.2 / 2 - (TASK_BOUNDS.y + TASK_BOUNDS.height / 2)) < 0.01


def test_task_label_too_tall_for_the_room_below_the_marker_is_centred_in_the_box() -> None:
    name = "転入届の受付と本人確認書類の審査と住民票への記載と関係課への連絡"
    lines = _label_lines(_lxml_group(render_svg(_model(task_name=name)), "task"))
    assert len(lines) >= 4
    line_height = 12 * 1.2
    top = lines[0][1] - 12 * 0.95
    middle = top + len(lines) * line_height / 2
    assert abs(middle - (TASK_BOUNDS.y + TASK_BOUNDS.height / 2)) < 0.01


def _box(element: etree._Element) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a badge rect or finding circle."""
    a = element.attrib
    if element.tag.endswith("circle"):
        cx, cy, r = float(a["cx"]), float(a["cy"]), float(a["r"])
        return (cx - r, cy - r, cx + r, cy + r)
    x, y = float(a["x"]), float(a["y"])
    return (x, y, x + float(a["width"]), y + float(a["height"]))


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("element_id", ["task", "start", "gw", "end", "f1", "f3", "lane1"])
@pytest.mark.parametrize("badge", ["RPA 0.82 · 410h", "委託 0.82 · 1,234h", "5%"])
def test_badge_does_not_cover_the_finding_marker(element_id: str, badge: str) -> None:
    overlays = {ElementId(element_id): Overlay(badge=badge, finding="名前が重複")}
    group = _lxml_group(render_svg(_model(), overlays=overlays), element_id)
    (rect,) = group.xpath("s:g[@class='b-badge']/s:rect", namespaces=NS)
    (circle,) = group.xpath("s:g[@class='b-finding']/s:circle", namespaces=NS)
    assert not _overlap(_box(rect), _box(circle))
    if element_id == "task":  # finding on the top-left corner, badge reaching the top-right corner
        assert (float(circle.get("cx")), float(circle.get("cy"))) == (TASK_BOUNDS.x, TASK_BOUNDS.y)
        assert _box(rect)[2] >= TASK_BOUNDS.x + TASK_BOUNDS.width
        assert _box(rect)[3] <= TASK_BOUNDS.y + 6  # above the task-type icon, which starts 7 down


def test_badge_without_finding_keeps_its_top_right_place() -> None:
    overlays = {ElementId("task"): Overlay(badge="委託 0.82 · 1,234h")}
    group = _lxml_group(render_svg(_model(), overlays=overlays), "task")
    (rect,) = group.xpath("s:g[@class='b-badge']/s:rect", namespaces=NS)
    assert _box(rect)[2] == pytest.approx(TASK_BOUNDS.x + TASK_BOUNDS.width + 8)


# --------------------------------------------------------------------------- missing DI


def test_file_without_di_raises_with_file_name() -> None:
    with pytest.raises(RenderError, match=r"hand made\.bpmn has no diagram interchange") as caught:
        render_svg(_model(with_di=False))
    assert caught.value.file == "/data/hand made.bpmn"
    assert caught.value.hint


def test_process_without_shapes_raises() -> None:
    definitions = _model()
    diagram = definitions.diagrams[0]
    bare = replace(definitions, diagrams=(replace(diagram, shapes=diagram.shapes[:1], edges=()),))
    render_svg(bare)  # the pool itself is drawn: a collapsed pool is legitimate
    lonely = replace(definitions, diagrams=(replace(diagram, shapes=(), edges=()),), collaborations=())
    with pytest.raises(RenderError, match="process '交付' has 4 flow nodes but no shapes"):
        render_all(lonely)


def test_unresolved_shapes_are_skipped_and_reported() -> None:
    ghost = Shape(ElementId("ghost_di"), ElementId("ghost"), Bounds(700, 0, 50, 50), _src(40))
    result = render_diagram(_model(extra_shapes=(ghost,)))
    assert result.skipped == ("ghost",)
    assert "ghost" not in _groups(result.svg)


def test_docstring_examples() -> None:
    import doctest

    import reports.svg

    result = doctest.testmod(reports.svg)
    assert result.attempted >= 2 and result.failed == 0
