"""Annotated BPMN write-back: real files scored by the real scoring, patched, read back and opened in bpmn-js.

Byte preservation is checked the strict way: annotating and then annotating
again with nothing scored removes exactly what was added, so the second result
must be the original file byte for byte (apart from the namespace declarations
we added to the root).  Any change to an untouched byte would survive that.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from bpmn_js import BpmnJs, rgb
from lxml import etree

from bpm.errors import BpmnParseError, RenderError
from bpm.model import Definitions, ElementId
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.annotate import (
    BIOC_NS,
    CAMUNDA_NS,
    COLOR_NS,
    PROPERTY_NAMES,
    ZEEBE_NS,
    ShapeColours,
    annotate_bpmn,
    disposition_colours,
    step_properties,
)
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Assessment, Disposition, Reason

DATA = Path(__file__).resolve().parents[1] / "data"
WITH_DI = DATA / "reports_nodi" / "counter_di.bpmn"
NO_DI = DATA / "reports_nodi" / "counter_nodi.bpmn"
ZEEBE = DATA / "annotate" / "zeebe.bpmn"

PLAN = {
    "task_shinsei": Disposition.RETAIN,
    "task_hakko": Disposition.AUTOMATED,
    "task_kofu": Disposition.OUTSOURCE,
}

BYTE_PRESERVED = (
    # tool folder, file: what makes it a good test
    ("Bizagi Modeler 2.8.0.8", "A.4.0-roundtrip.bpmn"),  # no encoding declared, default namespace per element
    ("Enterprise Architect 12.0.1207", "A.4.0-roundtrip.bpmn"),  # windows-1252
    ("Enterprise Explorer 1.0.0", "B.1.0-export.bpmn"),  # UTF-8 BOM, CRLF, prefixes re-bound locally
    ("SAP Signavio Process Manager 19.9.0", "A.4.0-export.bpmn"),  # signavio: metadata extensions
    ("Visual Paradigm 11.1", "A.3.0-roundtrip.bpmn"),  # vp: extensions, duplicate ids
    ("Modelio 3.5", "A.4.0-export.bpmn"),  # ns5: prefix for BPMN
    ("Open-BPMN 1.2.8_2", "A.4.0-roundtrip.bpmn"),  # iso-8859-1, semantic: prefix
    ("IBM Process Designer 8.0.1", "A.3.0-export.bpmn"),  # no DI, namespace URI with a space
    ("Yaoqiang BPMN Editor 4.0", "B.1.0-export.bpmn"),  # yaoqiang: extensions
)


def _assessed(definitions: Definitions, plan: Mapping[str, Disposition] | None = None) -> Assessment:
    """The real assessment of one file; ``plan`` overrides dispositions where a test needs specific ones."""
    assessment = assess([definitions], profile=load_profile(None))
    if plan is None:
        return assessment
    processes = []
    for process in assessment.processes:
        steps = tuple(
            dataclasses.replace(step, disposition=plan[step.step_id]) for step in process.steps if step.step_id in plan
        )
        processes.append(dataclasses.replace(process, steps=steps))
    return dataclasses.replace(assessment, processes=tuple(processes))


def _nothing(assessment: Assessment) -> Assessment:
    return dataclasses.replace(assessment, processes=())


def _props(root: etree._Element, element_id: str, uri: str = CAMUNDA_NS) -> dict[str, str]:
    element = root.xpath("//*[@id=$i]", i=element_id)[0]
    return {p.get("name"): p.get("value") for p in element.iter(f"{{{uri}}}property")}


def _shape(root: etree._Element, element_id: str) -> etree._Element:
    shape: etree._Element = root.xpath("//*[local-name()='BPMNShape'][@bpmnElement=$s]", s=element_id)[0]
    return shape


def _without_added_declarations(data: bytes, original: bytes) -> bytes:
    for uri in (BIOC_NS, COLOR_NS, CAMUNDA_NS, ZEEBE_NS):
        if uri.encode() not in original:
            data = re.sub(rb'\s+xmlns:\w+="' + re.escape(uri.encode()) + rb'"', b"", data)
    return data


def _model(definitions: Definitions, coloured: frozenset[str] = frozenset()) -> list[Any]:
    """Everything the reader builds, minus source lines (which move), our properties and the file colours of
    the shapes of ``coloured`` (the scored steps, which the annotation tints on purpose)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            tinted = getattr(value, "element_id", None) in coloured
            return {
                f.name: plain(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in ("source", "file") and not (tinted and f.name == "colours")
            }
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items() if not str(k).startswith("bpm:")}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        return value

    definitions = definitions.eager()  # diagrams as built, not the bytes they are kept as until read
    return [plain(definitions.processes), plain(definitions.collaborations), plain(definitions.diagrams),
            [(n.code, n.element_id) for n in definitions.notes]]


# --------------------------------------------------------------------------- what is written


def test_annotated_file_reads_back_as_the_same_model_plus_properties() -> None:
    original = read_bpmn(WITH_DI)
    assessment = _assessed(original, PLAN)
    again = read_bpmn_bytes(annotate_bpmn(WITH_DI.read_bytes(), assessment, file=str(WITH_DI)), str(WITH_DI))
    scored = frozenset(s.step_id for p in assessment.processes for s in p.steps)
    assert _model(again, scored) == _model(original, scored)
    tinted = [shape for d in again.diagrams for shape in d.shapes if shape.element_id in scored]
    assert tinted and all(shape.colours is not None for shape in tinted)  # the reader sees our tint
    process = next(iter(again.processes.values()))
    shinsei = process.nodes[ElementId("task_shinsei")].properties
    assert shinsei["minutes"] == "4"  # the user's own property survives, first
    assert list(shinsei) == ["minutes", *PROPERTY_NAMES]
    step = next(s for s in assessment.processes[0].steps if s.step_id == "task_shinsei")
    assert {k: v for k, v in shinsei.items() if k != "minutes"} == step_properties(step)
    assert shinsei["bpm:disposition"] == "retain"
    assert shinsei["bpm:disposition_ja"] == "職員が担当"
    assert process.nodes[ElementId("task_kofu")].properties["bpm:disposition"] == "outsource"
    assert "bpm:disposition" not in process.nodes[ElementId("start")].properties


def test_step_properties_carry_scores_hours_and_reasons_in_both_languages() -> None:
    definitions = read_bpmn(WITH_DI)
    step = _assessed(definitions).processes[0].steps[0]
    step = dataclasses.replace(
        step,
        scores={Disposition.RPA: 0.6449, Disposition.RETAIN: 0.2},
        disposition=Disposition.RPA,
        confidence=0.5,
        reasons=(Reason("a", "定型的な入力作業です。", "Routine data entry."), Reason("b", " ", "")),
        cost=dataclasses.replace(step.cost, hours_per_year=410.25, fte=0.21367, hours_freed_per_year=328.2),
    )
    props = step_properties(step)
    assert list(props) == list(PROPERTY_NAMES)
    assert props["bpm:score"] == props["bpm:score_rpa"] == "0.64"
    assert props["bpm:score_outsource"] == ""  # not scored: empty, not a made-up zero
    assert props["bpm:confidence"] == "0.5"
    assert props["bpm:hours_per_year"] == "410.2"
    assert props["bpm:fte"] == "0.214"
    assert props["bpm:hours_freed_per_year"] == "328.2"
    assert props["bpm:reasons_ja"] == "定型的な入力作業です。"
    assert props["bpm:reasons_en"] == "Routine data entry."


def test_properties_go_after_documentation_and_reuse_the_users_container() -> None:
    definitions = read_bpmn(WITH_DI)
    root = etree.fromstring(annotate_bpmn(WITH_DI.read_bytes(), _assessed(definitions, PLAN), file=str(WITH_DI)))
    hakko = root.xpath("//*[@id='task_hakko']")[0]
    assert [etree.QName(c).localname for c in hakko] == ["extensionElements"]
    assert [p.get("name") for p in hakko[0][0]] == list(PROPERTY_NAMES)
    shinsei = root.xpath("//*[@id='task_shinsei']")[0]
    assert [etree.QName(c).localname for c in shinsei] == ["documentation", "extensionElements"]
    assert len(shinsei.findall(f".//{{{CAMUNDA_NS}}}properties")) == 1


def test_shapes_get_both_colour_dialects_for_each_disposition() -> None:
    definitions = read_bpmn(WITH_DI)
    root = etree.fromstring(annotate_bpmn(WITH_DI.read_bytes(), _assessed(definitions, PLAN), file=str(WITH_DI)))
    for step_id, disposition in PLAN.items():
        colours = disposition_colours(disposition)
        shape = _shape(root, step_id)
        assert shape.get(f"{{{BIOC_NS}}}fill") == shape.get(f"{{{COLOR_NS}}}background-color") == colours.fill
        assert shape.get(f"{{{BIOC_NS}}}stroke") == shape.get(f"{{{COLOR_NS}}}border-color") == colours.stroke
    assert _shape(root, "start").get(f"{{{BIOC_NS}}}fill") is None
    assert root.nsmap["bioc"] == BIOC_NS and root.nsmap["color"] == COLOR_NS


def test_every_disposition_has_distinct_colours_and_unknown_ones_fall_back_to_grey() -> None:
    pairs = {disposition_colours(d) for d in Disposition}
    assert len(pairs) == len(Disposition)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c.fill) and re.fullmatch(r"#[0-9A-F]{6}", c.stroke) for c in pairs)
    unknown = Enum("Later", {"REVIEW": "review"}).REVIEW  # e.g. a disposition added after the palette
    assert disposition_colours(unknown) == ShapeColours("#EEEEEE", "#616161")  # type: ignore[arg-type]


def test_namespaces_are_declared_once_on_the_root() -> None:
    definitions = read_bpmn(WITH_DI)
    text = annotate_bpmn(WITH_DI.read_bytes(), _assessed(definitions, PLAN), file=str(WITH_DI)).decode("utf-8")
    assert text.count("xmlns:camunda=") == 1  # the file's own declaration, reused
    assert text.count(f'xmlns:bioc="{BIOC_NS}"') == 1
    assert text.count(f'xmlns:color="{COLOR_NS}"') == 1
    assert text.count("<camunda:property ") == len(PLAN) * len(PROPERTY_NAMES) + 1  # + the user's "minutes"


def test_file_without_di_gets_properties_and_no_colour_namespaces() -> None:
    definitions = read_bpmn(NO_DI)
    source = NO_DI.read_bytes()
    data = annotate_bpmn(source, _assessed(definitions), file=str(NO_DI))
    text = data.decode("utf-8")
    assert text.count(f'xmlns:camunda="{CAMUNDA_NS}"') == 1
    assert "xmlns:color" not in text and "xmlns:bioc" not in text
    assert text.startswith(source.decode("utf-8").split("<bpmn:definitions", 1)[0])  # the comment before the root
    again = read_bpmn_bytes(data, str(NO_DI))
    assert _model(again) == _model(definitions)
    process = next(iter(again.processes.values()))
    assert process.nodes[ElementId("task_kisai")].properties["bpm:disposition"] == "automated"
    assert process.flows[ElementId("f4")].condition == "${fubi}"


def test_camunda8_model_gets_zeebe_properties() -> None:
    definitions = read_bpmn(ZEEBE)
    data = annotate_bpmn(ZEEBE.read_bytes(), _assessed(definitions), file=str(ZEEBE))
    root = etree.fromstring(data)
    assert "xmlns:camunda" not in data.decode("utf-8")
    card = _props(root, "Activity_CardKakunin", ZEEBE_NS)
    assert list(card) == ["minutes", *PROPERTY_NAMES]
    assert _props(root, "Activity_Hakko", ZEEBE_NS)["bpm:disposition"] == "automated"
    hakko = root.xpath("//*[@id='Activity_Hakko']")[0]
    extension = hakko[0]
    assert [etree.QName(c).localname for c in extension] == ["taskDefinition", "properties"]
    again = read_bpmn_bytes(data, str(ZEEBE))
    assert again.find_node(ElementId("Activity_Kofu")).properties["bpm:disposition"]  # type: ignore[union-attr]


def test_hostile_text_in_reasons_is_escaped_and_reads_back_exactly() -> None:
    definitions = read_bpmn(WITH_DI)
    assessment = _assessed(definitions, PLAN)
    hostile = 'a"b<c>&d\n\tline2 \x07bell ]]> <!-- x -->'
    process = assessment.processes[0]
    steps = tuple(dataclasses.replace(s, reasons=(Reason("x", hostile, hostile),)) for s in process.steps)
    assessment = dataclasses.replace(assessment, processes=(dataclasses.replace(process, steps=steps),))
    data = annotate_bpmn(WITH_DI.read_bytes(), assessment, file=str(WITH_DI))
    node = read_bpmn_bytes(data, "x.bpmn").find_node(ElementId("task_kofu"))
    assert node is not None
    assert node.properties["bpm:reasons_ja"] == hostile.replace("\x07", "")
    assert b"<!-- x -->" not in data  # never markup, only attribute text


# --------------------------------------------------------------------------- re-running


def test_rerun_is_byte_identical_and_a_changed_result_is_replaced_in_place() -> None:
    definitions = read_bpmn(WITH_DI)
    once = annotate_bpmn(WITH_DI.read_bytes(), _assessed(definitions, PLAN), file=str(WITH_DI))
    assert annotate_bpmn(once, _assessed(definitions, PLAN), file=str(WITH_DI)) == once
    changed = {**PLAN, "task_shinsei": Disposition.RPA}
    third = annotate_bpmn(once, _assessed(definitions, changed), file=str(WITH_DI))
    root = etree.fromstring(third)
    names = [p.get("name") for p in root.xpath("//*[@id='task_shinsei']")[0].iter(f"{{{CAMUNDA_NS}}}property")]
    assert names == ["minutes", *PROPERTY_NAMES]
    assert _props(root, "task_shinsei")["bpm:disposition"] == "rpa"
    assert _shape(root, "task_shinsei").get(f"{{{BIOC_NS}}}fill") == disposition_colours(Disposition.RPA).fill
    assert len(third.splitlines()) == len(once.splitlines())


def test_rerun_without_a_step_removes_its_values_colours_and_our_containers() -> None:
    definitions = read_bpmn(WITH_DI)
    source = WITH_DI.read_bytes()
    once = annotate_bpmn(source, _assessed(definitions, PLAN), file=str(WITH_DI))
    fewer = annotate_bpmn(once, _assessed(definitions, {"task_kofu": Disposition.OUTSOURCE}), file=str(WITH_DI))
    again = read_bpmn_bytes(fewer, "x.bpmn")
    process = next(iter(again.processes.values()))
    assert process.nodes[ElementId("task_hakko")].properties == {}
    assert process.nodes[ElementId("task_shinsei")].properties == {"minutes": "4"}
    assert process.nodes[ElementId("task_kofu")].properties["bpm:disposition"] == "outsource"
    assert _shape(etree.fromstring(fewer), "task_hakko").get(f"{{{BIOC_NS}}}fill") is None
    # <serviceTask …/> was expanded to hold our properties; it is an empty element again
    assert b'<serviceTask id="task_hakko" name="\xe4\xbd\x8f\xe6\xb0\x91\xe7\xa5\xa8\xe3\x81\xae' in fewer
    assert _without_added_declarations(annotate_bpmn(fewer, _nothing(_assessed(definitions)), file=str(WITH_DI)),
                                       source) == source


def test_portfolio_without_this_file_leaves_it_untouched() -> None:
    # `bpm scan` annotates every input from one portfolio; a file it assessed nothing in is fine.
    definitions = read_bpmn(WITH_DI)
    source = NO_DI.read_bytes()
    assert annotate_bpmn(source, _assessed(definitions), file=str(NO_DI)) == source


def test_users_own_colours_on_unscored_shapes_are_kept(miwg_dir: Path) -> None:
    # Trisotech paints every shape white with a black border; only the scored steps change colour.
    path = miwg_dir / "Trisotech Workflow Modeler 12.6.3" / "A.1.0-export.bpmn"
    definitions = read_bpmn(path)
    assessment = _assessed(definitions)
    source = path.read_bytes()
    data = annotate_bpmn(source, assessment, file=str(path))
    root = etree.fromstring(data)
    scored = {s.step_id for p in assessment.processes for s in p.steps}
    assert scored
    for shape in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape"):
        fill = shape.get(f"{{{COLOR_NS}}}background-color")
        if shape.get("bpmnElement") in scored:
            step = next(s for p in assessment.processes for s in p.steps if s.step_id == shape.get("bpmnElement"))
            assert fill == disposition_colours(step.disposition).fill
        else:
            assert fill == "#ffffff"
    # the colour attributes were replaced where they stood: same number of attributes named color:*
    assert data.count(b"color:background-color=") == source.count(b"color:background-color=")
    assert annotate_bpmn(data, assessment, file=str(path)) == data


# --------------------------------------------------------------------------- byte preservation on real exports


@pytest.mark.parametrize(("tool", "name"), BYTE_PRESERVED, ids=[t for t, _ in BYTE_PRESERVED])
def test_untouched_bytes_survive_in_exports_of_many_tools(miwg_dir: Path, tool: str, name: str) -> None:
    path = miwg_dir / tool / name
    source = path.read_bytes()
    definitions = read_bpmn(path)
    assessment = _assessed(definitions)
    steps = [s for p in assessment.processes for s in p.steps]
    assert steps, "the sample must have scored steps to be a test"
    once = annotate_bpmn(source, assessment, file=str(path))
    assert len(once) > len(source)
    assert annotate_bpmn(once, assessment, file=str(path)) == once, "not idempotent"
    removed = annotate_bpmn(once, _nothing(assessment), file=str(path))
    assert _without_added_declarations(removed, source) == source
    again = read_bpmn_bytes(once, str(path))
    scored = frozenset(s.step_id for s in steps)
    assert _model(again, scored) == _model(definitions, scored)
    for step in steps:
        node = again.find_node(step.step_id)
        assert node is not None
        assert {k: v for k, v in node.properties.items() if k.startswith("bpm:")} == step_properties(step)
    declared = (etree.fromstring(source, etree.XMLParser(recover=True)).getroottree().docinfo.encoding or "").lower()
    if declared in ("windows-1252", "iso-8859-1"):
        once.decode(declared)  # still in the file's own encoding; Japanese reasons as character references
        assert b"&#" in once


def test_rescoring_the_annotated_file_gives_the_same_result(flows_dir: Path, tmp_path: Path) -> None:
    path = flows_dir / "juminhyo.bpmn"
    definitions = read_bpmn(path)
    assessment = _assessed(definitions)
    target = tmp_path / "juminhyo.bpmn"
    target.write_bytes(annotate_bpmn(path.read_bytes(), assessment, file=str(path)))
    rescored = _assessed(read_bpmn(target))
    before = [(s.step_id, s.disposition, round(s.cost.hours_per_year, 6)) for s in assessment.processes[0].steps]
    after = [(s.step_id, s.disposition, round(s.cost.hours_per_year, 6)) for s in rescored.processes[0].steps]
    assert after == before


# --------------------------------------------------------------------------- issue 8: repaired inputs


def test_windows1252_file_declaring_utf8_is_written_as_real_utf8(miwg_dir: Path) -> None:
    path = miwg_dir / "GenMyModel 0.47" / "C.1.0-export.bpmn"
    definitions = read_bpmn(path)
    assert [n.code for n in definitions.notes].count("repaired-xml") == 1
    data = annotate_bpmn(path.read_bytes(), _assessed(definitions), file=str(path))
    text = data.decode("utf-8")
    assert "Rechnung klären" in text
    assert "舐" not in text
    again = read_bpmn_bytes(data, str(path))
    assert "repaired-xml" not in [n.code for n in again.notes]
    names = sorted(n.name for p in again.processes.values() for n in p.nodes.values())
    assert names == sorted(n.name for p in definitions.processes.values() for n in p.nodes.values())


def test_cp932_bytes_declared_utf8_are_written_as_real_utf8(tmp_path: Path) -> None:
    path = tmp_path / "mislabelled.bpmn"
    path.write_bytes(WITH_DI.read_text(encoding="utf-8").encode("cp932"))
    definitions = read_bpmn(path)
    data = annotate_bpmn(path.read_bytes(), _assessed(definitions), file=str(path))
    assert "住民票の写しを発行する" in data.decode("utf-8")
    assert read_bpmn_bytes(data, "x.bpmn").notes == ()


def test_namespace_uri_with_a_space_is_kept_as_written(miwg_dir: Path) -> None:
    path = miwg_dir / "IBM Process Designer 8.0.1" / "A.3.0-export.bpmn"
    source = path.read_bytes()
    declaration = re.search(rb'xmlns:Process="[^"]* [^"]*"', source)
    assert declaration is not None
    definitions = read_bpmn(path)
    data = annotate_bpmn(source, _assessed(definitions), file=str(path))
    assert declaration.group(0) in data
    assert b"\r\n" in data and data.count(b"\r\n") > source.count(b"\r\n")  # new lines use the file's CRLF
    again = read_bpmn_bytes(data, str(path))
    assert any(n.properties.get("bpm:disposition") for p in again.processes.values() for n in p.nodes.values())


def test_shift_jis_file_keeps_its_encoding(tmp_path: Path) -> None:
    text = WITH_DI.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="Shift_JIS"', 1)
    path = tmp_path / "交付.bpmn"
    source = text.encode("shift_jis")
    path.write_bytes(source)
    definitions = read_bpmn(path)
    data = annotate_bpmn(source, _assessed(definitions, PLAN), file=str(path))
    assert data.startswith(b'<?xml version="1.0" encoding="Shift_JIS"?>')
    assert "職員が担当" in data.decode("shift_jis")
    again = read_bpmn_bytes(data, str(path))
    assert again.notes == ()
    assert _without_added_declarations(annotate_bpmn(data, _nothing(_assessed(definitions)), file=str(path)),
                                       source) == source


def test_minified_file_stays_on_one_line() -> None:
    source = (
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p">'
        '<task id="t" name="入力"/></process></definitions>'
    ).encode()
    definitions = read_bpmn_bytes(source, "min.bpmn")
    data = annotate_bpmn(source, _assessed(definitions), file="min.bpmn")
    assert b"\n" not in data
    node = read_bpmn_bytes(data, "min.bpmn").find_node(ElementId("t"))
    assert node is not None and node.properties["bpm:disposition"]


# --------------------------------------------------------------------------- refusals


def test_step_missing_from_the_file_is_an_error() -> None:
    definitions = read_bpmn(WITH_DI)
    step = _assessed(definitions).processes[0].steps[0]
    ghost = dataclasses.replace(step, step_id=ElementId("task_gone"))
    with pytest.raises(RenderError, match=r"1 assessed step\(s\) are not in this file: task_gone") as info:
        annotate_bpmn(WITH_DI.read_bytes(), [step, ghost], file=str(WITH_DI))
    assert info.value.hint == "annotate the same BPMN file that was scored"


def test_assessment_of_another_file_is_refused() -> None:
    process = _assessed(read_bpmn(WITH_DI)).processes[0]
    with pytest.raises(RenderError, match=r"the assessment has no process from .*counter_nodi\.bpmn"):
        annotate_bpmn(NO_DI.read_bytes(), process, file=str(NO_DI))


def test_hostile_xml_is_refused() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "boom">]>' \
           b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="&x;"/>'
    with pytest.raises(BpmnParseError, match=r"DTD|entity"):
        annotate_bpmn(evil, [], file="evil.bpmn")
    with pytest.raises(BpmnParseError, match="malformed XML"):
        annotate_bpmn(b"<definitions", [], file="cut.bpmn")
    with pytest.raises(BpmnParseError, match=r"not a BPMN 2\.0 file"):
        annotate_bpmn(b"<svg/>", [], file="x.svg")


# --------------------------------------------------------------------------- bpmn-js


@pytest.fixture(scope="module")
def modeler(js_peers: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpmnJs]:
    with BpmnJs.launch(js_peers, tmp_path_factory.mktemp("bpmn-js")) as opened:
        yield opened


def _check_in_bpmn_js(modeler: BpmnJs, source: bytes, data: bytes, assessment: Assessment) -> None:
    before = modeler.open(source)
    after = modeler.open(data)
    assert after.error is None
    assert after.warnings == [] or after.warnings == before.warnings, after.warnings
    assert set(after.types) == set(before.types)
    coloured = 0
    for process in assessment.processes:
        for step in process.steps:
            if step.step_id not in after.shapes:
                continue  # e.g. a step drawn only inside a collapsed sub-process
            colours = disposition_colours(step.disposition)
            assert after.shapes[step.step_id] == (rgb(colours.fill), rgb(colours.stroke)), step.step_id
            coloured += 1
    assert coloured > 0
    assert "bpm:disposition" in after.saved and "bioc:fill" in after.saved  # kept when the modeler saves


@pytest.mark.browser
def test_annotated_samples_open_in_bpmn_js_with_their_colours(modeler: BpmnJs, flows_dir: Path) -> None:
    for path in (flows_dir / "juminhyo.bpmn", WITH_DI, ZEEBE):
        definitions = read_bpmn(path)
        assessment = _assessed(definitions)
        source = path.read_bytes()
        before = modeler.open(source)
        assert before.warnings == [], (path, before.warnings)
        _check_in_bpmn_js(modeler, source, annotate_bpmn(source, assessment, file=str(path)), assessment)
    assert modeler.console == []


@pytest.mark.browser
@pytest.mark.parametrize(
    ("tool", "name"),
    [
        ("Bizagi Modeler 2.8.0.8", "A.4.0-roundtrip.bpmn"),
        ("SAP Signavio Process Manager 19.9.0", "A.4.0-export.bpmn"),
        ("Enterprise Architect 12.0.1207", "A.4.0-roundtrip.bpmn"),
        ("Trisotech Workflow Modeler 12.6.3", "A.1.0-export.bpmn"),
        ("bpmn.io (Camunda Modeler) 18.6.1", "C.1.0-export.bpmn"),
    ],
    ids=["bizagi", "signavio", "enterprise-architect", "trisotech", "bpmn.io"],
)
def test_annotated_exports_open_in_bpmn_js_with_their_colours(
    modeler: BpmnJs, miwg_dir: Path, tool: str, name: str
) -> None:
    path = miwg_dir / tool / name
    definitions = read_bpmn(path)
    assessment = _assessed(definitions)
    source = path.read_bytes()
    _check_in_bpmn_js(modeler, source, annotate_bpmn(source, assessment, file=str(path)), assessment)
