"""Tests for what bpm.reader keeps so diagrams can be drawn as the modeler drew them (issue 8).

Process-level data inputs and outputs, collections, group labels (category
values), message references and their names, pool multiplicity, and the
colours a modeler gave shapes, edges and labels.  Each is checked on a small
file built here, on ``tests/data/reports/fidelity.bpmn`` and against an
independent lxml count over the MIWG files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpm.model import ArtifactKind, Definitions, DiColours, ElementId, MessageVisibleKind, ProcessId
from bpm.reader import MODEL_NS, read_bpmn, read_bpmn_bytes

HERE = Path(__file__).resolve().parent
FIDELITY = HERE.parent / "data" / "reports" / "fidelity.bpmn"
MIWG = HERE.parents[1].parent / "shared" / "miwg"

HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:bioc="http://bpmn.io/schema/bpmn/biocolor/1.0" '
    'xmlns:color="http://www.omg.org/spec/BPMN/non-normative/color/1.0" id="d">'
)


def _read(body: str) -> Definitions:
    return read_bpmn_bytes(f"{HEAD}{body}</definitions>".encode(), "inline.bpmn")


def test_process_io_specification_becomes_data_input_and_output_artifacts() -> None:
    definitions = read_bpmn(FIDELITY)
    artifacts = {a.id: a for a in definitions.processes[ProcessId("Process_1")].artifacts}
    assert artifacts[ElementId("Input_form")].kind is ArtifactKind.DATA_INPUT
    assert artifacts[ElementId("Input_form")].name == "申請書"
    assert artifacts[ElementId("Input_form")].is_collection
    assert artifacts[ElementId("Output_copy")].kind is ArtifactKind.DATA_OUTPUT
    assert not artifacts[ElementId("Output_copy")].is_collection
    assert artifacts[ElementId("DataObject_list")].is_collection
    assert artifacts[ElementId("DataRef_list")].ref == "DataObject_list"
    assert not [n for n in definitions.notes if n.element_id in artifacts]


def test_an_activity_io_specification_is_still_read_once() -> None:
    definitions = _read(
        '<process id="p"><task id="t"><ioSpecification id="io">'
        '<dataInput id="in" name="申請"/><inputSet id="s"/><outputSet id="o"/>'
        "</ioSpecification></task></process>"
    )
    kinds = [a.kind for p in definitions.processes.values() for a in p.artifacts]
    assert kinds == [ArtifactKind.DATA_INPUT]
    assert not definitions.notes


def test_group_takes_its_category_value_as_name_wherever_the_category_is_declared() -> None:
    definitions = _read(
        '<process id="p"><group id="g1" categoryValueRef="cv"/><group id="g2" categoryValueRef="nowhere"/></process>'
        '<category id="c"><categoryValue id="cv" value="本人確認"/></category>'
    )
    groups = {a.id: a for p in definitions.processes.values() for a in p.artifacts}
    assert groups[ElementId("g1")].name == "本人確認"
    assert groups[ElementId("g2")].name == ""


def test_message_flow_keeps_its_message_and_a_dangling_reference_is_a_note() -> None:
    definitions = _read(
        '<message id="m" name="転入届"/>'
        '<collaboration id="c"><participant id="a"/><participant id="b"/>'
        '<messageFlow id="f1" sourceRef="a" targetRef="b" messageRef="m"/>'
        '<messageFlow id="f2" sourceRef="a" targetRef="b" messageRef="gone"/></collaboration>'
    )
    flows = {f.id: f for f in definitions.message_flows()}
    assert (flows[ElementId("f1")].message_ref, flows[ElementId("f1")].message_name) == ("m", "転入届")
    assert flows[ElementId("f2")].message_ref is None
    (note,) = definitions.notes
    assert note.code == "dangling-reference" and note.element_id == "f2" and "gone" in note.message


def test_participant_multiplicity_marks_the_pool() -> None:
    definitions = read_bpmn(FIDELITY)
    pools = {p.id: p for p in definitions.participants()}
    assert pools[ElementId("Pool_residents")].is_multi_instance
    assert not pools[ElementId("Pool_city")].is_multi_instance


def test_colours_and_message_visible_kind_are_read_from_the_di() -> None:
    definitions = read_bpmn(FIDELITY)
    diagram = definitions.diagrams[0]
    shapes = {s.element_id: s for s in diagram.shapes}
    edges = {e.element_id: e for e in diagram.edges}
    assert shapes[ElementId("Task_long")].colours == DiColours(fill="#ffe0b2", stroke="#6b3c00")
    assert shapes[ElementId("Start")].colours == DiColours(fill="#c8e6c9", stroke="#205022", label="#b71c1c")
    assert shapes[ElementId("Task_receive")].colours is None
    assert edges[ElementId("SF_1")].colours == DiColours(stroke="#205022")
    assert edges[ElementId("Flow_order")].message_visible_kind is MessageVisibleKind.NON_INITIATING
    assert edges[ElementId("Flow_reply")].message_visible_kind is MessageVisibleKind.INITIATING
    assert edges[ElementId("Flow_plain")].message_visible_kind is None


def test_omg_colour_wins_over_bpmn_io_and_overlong_values_are_dropped() -> None:
    long_value = "#" + "f" * 200
    definitions = _read(
        '<process id="p"><task id="t"/></process>'
        '<bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="p">'
        '<bpmndi:BPMNShape id="s" bpmnElement="t" bioc:fill="#111111" color:background-color="#222222" '
        f'bioc:stroke="{long_value}"><dc:Bounds x="0" y="0" width="100" height="80"/></bpmndi:BPMNShape>'
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    (shape,) = definitions.diagrams[0].shapes
    assert shape.colours == DiColours(fill="#222222")


@pytest.mark.skipif(not MIWG.is_dir(), reason="MIWG sample not found")
def test_every_process_level_data_input_and_output_in_the_miwg_files_is_read() -> None:
    """Counted independently with lxml: each dataInput/dataOutput of a process's ioSpecification."""
    expected = found = 0
    for path in sorted(MIWG.rglob("*.bpmn")):
        root = etree.parse(str(path), etree.XMLParser(recover=True, resolve_entities=False)).getroot()
        ids = {
            e.get("id", "").strip()
            for e in root.xpath(
                "/m:definitions/m:process/m:ioSpecification/*[local-name()='dataInput' or local-name()='dataOutput']",
                namespaces={"m": MODEL_NS},
            )
        }
        if not ids:
            continue
        expected += len(ids)
        definitions = read_bpmn(path)
        read = {
            a.id
            for p in definitions.processes.values()
            for a in p.artifacts
            if a.kind in (ArtifactKind.DATA_INPUT, ArtifactKind.DATA_OUTPUT)
        }
        found += len(ids & read)
    assert expected >= 29 and found == expected
