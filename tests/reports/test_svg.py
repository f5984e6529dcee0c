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
    ArtifactKind,
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


def _label_font(group: etree._Element) -> float:
    (label,) = group.xpath("s:text[@class='b-label']", namespaces=NS)
    return float(label.get("font-size"))


def test_task_label_a_little_too_tall_for_the_room_below_the_marker_shrinks_to_fit_there() -> None:
    """Four lines at 12 px would reach the icon; a slightly smaller size keeps the name below it (issue 8)."""
    name = "転入届の受付と本人確認書類の審査と住民票への記載と関係課への連絡"
    group = _lxml_group(render_svg(_model(task_name=name)), "task")
    lines, size = _label_lines(group), _label_font(group)
    assert 12 * 0.75 <= size < 12
    assert "".join(text for text, _ in lines) == name  # nothing cut
    assert lines[0][1] - size * 0.88 >= _marker_bottom(group)
    assert lines[-1][1] <= TASK_BOUNDS.y + TASK_BOUNDS.height - 3


def test_task_label_too_tall_for_the_room_below_the_marker_is_centred_in_the_box() -> None:
    """Even at the smallest size it does not fit below the icon: centred in the whole box, all of it."""
    name = "転入届の受付と本人確認書類の審査と住民票への記載と関係課への連絡と国民健康保険の資格取得と児童手当の案内"
    group = _lxml_group(render_svg(_model(task_name=name)), "task")
    lines, size = _label_lines(group), _label_font(group)
    assert len(lines) >= 5 and 12 * 0.75 <= size < 12
    assert "".join(text for text, _ in lines) == name
    top = lines[0][1] - size * 0.95
    middle = top + len(lines) * size * 1.2 / 2
    assert abs(middle - (TASK_BOUNDS.y + TASK_BOUNDS.height / 2)) < 0.01


def test_task_label_too_long_for_the_box_is_cut_with_an_ellipsis_and_kept_whole_in_a_tooltip() -> None:
    name = "転入届の受付と本人確認書類の審査" * 8
    group = _lxml_group(render_svg(_model(task_name=name)), "task")
    lines = _label_lines(group)
    assert lines[-1][0].endswith("…")
    assert lines[-1][1] + 0.2 * _label_font(group) <= TASK_BOUNDS.y + TASK_BOUNDS.height
    (title,) = group.xpath("s:text[@class='b-label']/s:title", namespaces=NS)
    assert title.text == name


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

    import reports.svg_canvas

    result = doctest.testmod(reports.svg_canvas)  # dom_id, re-exported by reports.svg
    assert result.attempted >= 2 and result.failed == 0


# --------------------------------------------------------------------------- drawn as bpmn-js draws them (issue 8)

FIDELITY = REPO / "tests" / "data" / "reports" / "fidelity.bpmn"


@pytest.fixture(scope="module")
def fidelity_svg() -> str:
    return render_svg(read_bpmn(FIDELITY))


def _markers(group: etree._Element) -> set[str]:
    return {str(m.get("data-marker")) for m in group.xpath(".//*[@data-marker]")}


def _style(element: etree._Element) -> dict[str, str]:
    pairs = (part.partition(":") for part in (element.get("style") or "").split(";") if part)
    return {name: value for name, _, value in pairs}


def test_process_data_inputs_and_outputs_are_drawn_with_their_arrows(fidelity_svg: str) -> None:
    data_in, data_out = _lxml_group(fidelity_svg, "Input_form"), _lxml_group(fidelity_svg, "Output_copy")
    assert _markers(data_in) == {"data-input", "collection"}
    assert _markers(data_out) == {"data-output"}
    assert "".join(data_in.xpath("s:text//text()", namespaces=NS)) == "申請書"
    # their associations end at a drawn shape now
    for association in ("DIA_form", "DOA_copy"):
        _lxml_group(fidelity_svg, association)


def test_a_reference_to_a_collection_data_object_shows_the_collection_marker(fidelity_svg: str) -> None:
    assert _markers(_lxml_group(fidelity_svg, "DataRef_list")) == {"collection"}


def test_group_label_is_its_category_value_in_the_label_bounds_or_on_the_top_edge(fidelity_svg: str) -> None:
    with_bounds, without = _lxml_group(fidelity_svg, "Group_check"), _lxml_group(fidelity_svg, "Group_out")
    (label,) = with_bounds.xpath("s:text", namespaces=NS)
    assert "".join(label.xpath(".//text()")) == "本人確認グループ"
    (tspan,) = label.xpath("s:tspan", namespaces=NS)
    assert float(tspan.get("x")) == 488 + 94 / 2 and float(tspan.get("y")) < 247 + 14  # DI label box
    (label,) = without.xpath("s:text", namespaces=NS)
    (tspan,) = label.xpath("s:tspan", namespaces=NS)
    assert tspan.text == "Outputs"
    assert float(tspan.get("x")) == 920 + 120 / 2 and 400 < float(tspan.get("y")) < 400 + 14  # top edge


def test_file_colours_are_painted_on_body_markers_and_text(fidelity_svg: str) -> None:
    task = _lxml_group(fidelity_svg, "Task_long")  # bioc:fill / bioc:stroke
    (body,) = task.xpath("s:rect", namespaces=NS)
    assert _style(body) == {"fill": "#ffe0b2", "stroke": "#6b3c00"}
    assert _style(task.xpath("s:text", namespaces=NS)[0]) == {"fill": "#6b3c00"}  # text takes the stroke colour
    icon = task.xpath("s:g[@data-marker='user']/*", namespaces=NS)
    assert {_style(part).get("stroke") for part in icon} == {"#6b3c00"}
    start = _lxml_group(fidelity_svg, "Start")  # OMG color:*, label colour on the BPMNLabel
    assert _style(start.xpath("s:circle", namespaces=NS)[0]) == {"fill": "#c8e6c9", "stroke": "#205022"}
    assert _style(start.xpath("s:text", namespaces=NS)[0]) == {"fill": "#b71c1c"}
    flow = _lxml_group(fidelity_svg, "SF_1")
    assert {_style(part).get("stroke") for part in flow.xpath("s:path", namespaces=NS)} == {"#205022"}


def test_colour_values_that_are_not_colours_are_ignored(fidelity_svg: str) -> None:
    """Task_send has ``url(javascript:…)`` and ``red;fill:url(#x)``: neither reaches the SVG."""
    assert "javascript" not in fidelity_svg and "url(" not in fidelity_svg
    task = _lxml_group(fidelity_svg, "Task_send")
    assert all(element.get("style") is None for element in task.iter())


def test_an_annotated_diagram_keeps_the_file_strokes_but_fills_only_by_disposition() -> None:
    """Fill is the disposition's channel: file fills give way, so a green task never reads as 自動化済み."""
    definitions = read_bpmn(FIDELITY)
    overlays = {ElementId("Task_long"): Overlay(fill="#CCE3F0", css_class="disp-rpa")}
    svg = render_svg(definitions, overlays=overlays)
    (body,) = _lxml_group(svg, "Task_long").xpath("s:rect", namespaces=NS)
    assert _style(body) == {"fill": "#CCE3F0", "stroke": "#6b3c00"}
    (circle,) = _lxml_group(svg, "Start").xpath("s:circle", namespaces=NS)
    assert _style(circle) == {"stroke": "#205022"}  # no overlay here, and the file's green fill is left out
    plain = _lxml_group(render_svg(definitions), "Start").xpath("s:circle", namespaces=NS)[0]
    assert _style(plain)["fill"] == "#c8e6c9"


def test_message_flows_carry_the_envelope_bpmnjs_draws(fidelity_svg: str) -> None:
    order, reply, plain = (_lxml_group(fidelity_svg, f) for f in ("Flow_order", "Flow_reply", "Flow_plain"))
    assert _markers(order) == {"message-non-initiating"}  # messageVisibleKind="non_initiating": dark envelope
    assert _markers(reply) == {"message-initiating"}
    assert _markers(plain) == set()  # no messageRef, no envelope
    (name,) = order.xpath("s:text[contains(@class, 'b-message-name')]", namespaces=NS)
    assert "".join(name.xpath(".//text()")) == "転入届"
    envelope = order.xpath("s:g[@data-marker='message-non-initiating']/s:rect", namespaces=NS)[0]
    assert "b-fill" in envelope.get("class")


def test_a_call_activity_is_drawn_collapsed_with_the_subprocess_marker_whatever_it_calls(fidelity_svg: str) -> None:
    """bpmn-js 18 draws ⊞ (and no task-type icon) on a call activity calling a global user task."""
    call = _lxml_group(fidelity_svg, "Call_check")
    assert _markers(call) == {"sub-process"}
    assert "bpmn-expanded" not in call.get("class")


def test_a_pool_with_participant_multiplicity_shows_the_marker(fidelity_svg: str) -> None:
    assert _markers(_lxml_group(fidelity_svg, "Pool_residents")) == {"participant-multiplicity"}
    assert _markers(_lxml_group(fidelity_svg, "Pool_city")) == set()


def test_a_name_too_long_for_its_task_is_cut_and_kept_in_a_tooltip(fidelity_svg: str) -> None:
    task = _lxml_group(fidelity_svg, "Task_long")
    (label,) = task.xpath("s:text", namespaces=NS)
    (title,) = label.xpath("s:title", namespaces=NS)
    assert title.text == read_bpmn(FIDELITY).find_node(ElementId("Task_long")).name  # type: ignore[union-attr]
    tspans = label.xpath("s:tspan", namespaces=NS)
    assert tspans[-1].text.endswith("…")
    size = float(label.get("font-size"))
    assert float(tspans[-1].get("y")) + 0.2 * size <= 270 + 80  # the last line stays in the box


@needs_miwg
def test_every_process_data_input_and_output_of_the_miwg_files_is_drawn() -> None:
    """29 shapes in 7 MIWG files name a process's ioSpecification; none may be skipped."""
    drawn = 0
    for path in sorted(MIWG.parent.rglob("*.bpmn")):
        if b"ioSpecification" not in path.read_bytes():
            continue
        definitions = read_bpmn(path)
        io = {
            a.id
            for p in definitions.processes.values()
            for a in p.artifacts
            if a.kind in (ArtifactKind.DATA_INPUT, ArtifactKind.DATA_OUTPUT)
        }
        for diagram in definitions.diagrams:
            wanted = [s.element_id for s in diagram.shapes if s.element_id in io]
            if not wanted:
                continue
            result = render_diagram(definitions, diagram)
            assert not set(wanted) & set(result.skipped)
            groups = _groups(result.svg)
            assert all(w in groups for w in wanted)
            drawn += len(wanted)
    assert drawn >= 29
