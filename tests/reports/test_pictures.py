"""Which pictures a file gives (DI diagram or Graphviz layout) and their SVG/PNG/PDF bytes."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from bpm.errors import RenderError
from bpm.model import ElementId
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.dot import dot_available
from reports.overlay import Overlay
from reports.pictures import picture_bytes, pictures

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
NODI = ROOT / "tests" / "data" / "reports_nodi"

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz dot is not installed")

CALLER_WITH_DI = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  id="d" targetNamespace="x">
  <process id="main" name="main">
    <startEvent id="s"/><callActivity id="c" name="Check" calledElement="sub"/><endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="c"/><sequenceFlow id="f2" sourceRef="c" targetRef="e"/>
  </process>
  <process id="sub" name="Sub check">
    <startEvent id="s2"/><task id="t2" name="Look"/><endEvent id="e2"/>
    <sequenceFlow id="g1" sourceRef="s2" targetRef="t2"/><sequenceFlow id="g2" sourceRef="t2" targetRef="e2"/>
  </process>
  <bpmndi:BPMNDiagram id="D1"><bpmndi:BPMNPlane id="P1" bpmnElement="main">
    <bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="c_di" bpmnElement="c"><dc:Bounds x="200" y="78" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="e_di" bpmnElement="e"><dc:Bounds x="360" y="100" width="36" height="36"/></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>
"""


def test_one_modeler_diagram_shows_both_pools() -> None:
    drawn = pictures(read_bpmn(FLOWS / "inkan.bpmn"))
    assert [(p.layout, p.process_ids) for p in drawn] == [("di", ("Process_InkanShomei", "Process_InkanToroku"))]
    assert drawn[0].svg.startswith("<svg")


@needs_dot
def test_file_without_coordinates_is_laid_out_by_graphviz() -> None:
    drawn = pictures(read_bpmn(NODI / "counter_nodi.bpmn"))
    assert [p.layout for p in drawn] == ["graphviz"]
    assert "<svg" in drawn[0].svg and "<?xml" not in drawn[0].svg


@needs_dot
def test_dot_layout_gives_one_picture_per_process() -> None:
    definitions = read_bpmn(FLOWS / "inkan.bpmn")
    drawn = pictures(definitions, layout="dot")
    assert [p.process_ids for p in drawn] == [("Process_InkanShomei",), ("Process_InkanToroku",)]
    assert {p.layout for p in drawn} == {"graphviz"}


def test_di_layout_refuses_a_file_without_coordinates() -> None:
    with pytest.raises(RenderError, match="no diagram interchange") as caught:
        pictures(read_bpmn(NODI / "counter_nodi.bpmn"), layout="di")
    assert caught.value.hint is not None and "layout auto or dot" in caught.value.hint


@needs_dot
def test_called_process_without_shapes_gets_its_own_layout_unless_di_only() -> None:
    definitions = read_bpmn_bytes(CALLER_WITH_DI, "caller.bpmn")
    auto = pictures(definitions)
    assert [(p.layout, p.process_ids) for p in auto] == [("di", ("main",)), ("graphviz", ("sub",))]
    assert [p.process_ids for p in pictures(definitions, layout="di")] == [("main",)]


def test_layout_errors_can_be_collected_instead_of_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Graphviz the DI pictures still come; the process needing a layout is reported."""
    monkeypatch.setenv("PATH", "/nonexistent")  # the real dot cannot be found: a real failure, not a mock
    definitions = read_bpmn_bytes(CALLER_WITH_DI, "caller.bpmn")
    failed: dict[str, RenderError] = {}
    drawn = pictures(definitions, on_layout_error=failed.__setitem__)
    assert [p.process_ids for p in drawn] == [("main",)]
    assert list(failed) == ["sub"] and "not installed" in failed["sub"].message
    with pytest.raises(RenderError, match="not installed"):
        pictures(definitions)


def test_names_are_ascii_unique_and_stable() -> None:
    names = [p.name for f in sorted(FLOWS.glob("*.bpmn")) for p in pictures(read_bpmn(f))]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9-]+", n) for n in names)
    assert names == [p.name for f in sorted(FLOWS.glob("*.bpmn")) for p in pictures(read_bpmn(f))]


def test_unknown_layout_and_format_are_render_errors() -> None:
    definitions = read_bpmn(FLOWS / "juminhyo.bpmn")
    with pytest.raises(RenderError, match="unknown layout"):
        pictures(definitions, layout="neato")  # type: ignore[arg-type]
    with pytest.raises(RenderError, match="unknown picture format"):
        picture_bytes(pictures(definitions)[0], "gif")  # type: ignore[arg-type]


def test_di_picture_prints_with_its_annotations() -> None:
    """The disposition tint reaches the PNG: CairoSVG draws the overlay's inline fill."""
    definitions = read_bpmn(FLOWS / "juminhyo.bpmn")
    tint = (0xCC, 0xE3, 0xF0)
    overlays = {ElementId("Activity_ShinseiJuryo"): Overlay(fill="#CCE3F0", badge="RPA 0.9 · 120h")}
    plain = Image.open(io.BytesIO(picture_bytes(pictures(definitions)[0], "png"))).convert("RGB")
    marked = Image.open(io.BytesIO(picture_bytes(pictures(definitions, overlays=overlays)[0], "png"))).convert("RGB")
    assert tint not in {c for _, c in plain.getcolors(1 << 24) or []}
    assert tint in {c for _, c in marked.getcolors(1 << 24) or []}


@needs_dot
def test_graphviz_picture_prints_through_graphviz() -> None:
    picture = pictures(read_bpmn(NODI / "counter_nodi.bpmn"))[0]
    png = picture_bytes(picture, "png")
    pdf = picture_bytes(picture, "pdf")
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF-")
    assert pdf == picture_bytes(picture, "pdf"), "dot stamps the time; the date is pinned"
    dated = picture_bytes(picture, "pdf", created=datetime(2026, 4, 1, tzinfo=UTC))
    assert b"/CreationDate (D:20260401000000Z)" in dated and len(dated) == len(pdf)
    assert picture_bytes(picture, "svg").startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg')


def test_every_miwg_reference_file_gives_pictures(miwg_dir: Path) -> None:
    """Real exports from many tools: each file with flow nodes gets at least one picture, none crash."""
    files = sorted(p for p in miwg_dir.rglob("*.bpmn") if p.is_file())
    assert files
    pictured = 0
    for path in files:
        try:
            definitions = read_bpmn(path)
        except Exception:  # unreadable reference files are the reader tests' business
            continue
        if not any(p.nodes for p in definitions.processes.values()):
            continue
        failed: dict[str, RenderError] = {}
        drawn = pictures(definitions, on_layout_error=failed.__setitem__)
        if not dot_available():
            continue
        assert drawn or failed, path
        assert not failed, (path, failed)
        pictured += 1
    assert pictured > 0
