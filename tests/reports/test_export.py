"""Annotated BPMN and JSON exports: real files in, read back with the real reader."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from lxml import etree

from bpm.errors import BpmnParseError, RenderError
from bpm.model import Definitions, ElementId, ProcessId
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.export import (
    CAMUNDA_NS,
    COLOR_NS,
    JSON_FORMAT,
    PROPERTY_NAMES,
    annotate_bpmn,
    assessment_json,
    step_properties,
)
from reports.style import style_of
from scoring.result import (
    Assessment,
    Branch,
    DataGap,
    Disposition,
    Evidence,
    EvidenceSource,
    ProcessAssessment,
    Reason,
    StepAssessment,
    StepCost,
    Totals,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "reports_nodi"
WITH_DI = DATA / "counter_di.bpmn"
NO_DI = DATA / "counter_nodi.bpmn"

PLAN = {
    "task_shinsei": (Disposition.RETAIN, 0.71, 0.4),
    "task_hakko": (Disposition.AUTOMATED, 0.9, 0.8),
    "task_kofu": (Disposition.OUTSOURCE, 0.64, 0.55),
}


def _cost(hours: float) -> StepCost:
    return StepCost(
        hours_per_year=hours,
        fte=hours / 1800,
        yen_per_year=hours * 4000,
        hours_freed_per_year=hours / 2,
        new_cost_yen_per_year=100_000.0,
        saving_yen_per_year=hours * 2000 - 100_000,
        one_off_yen=500_000.0,
        payback_months=14.5,
        net_5y_yen=1_234_567.0,
    )


def _step(definitions: Definitions, step_id: str, disposition: Disposition, score: float, confidence: float,
          file: str | None = None) -> StepAssessment:
    node = definitions.find_node(ElementId(step_id))
    assert node is not None
    return StepAssessment(
        file=file or definitions.file,
        process_id=node.process_id,
        process_name=definitions.processes[node.process_id].name,
        step_id=node.id,
        name=node.label,
        kind=node.kind.value,
        lane_id=node.lane_id,
        lane_name="",
        source=node.source,
        visits=1.0,
        annual_count=12000.0,
        minutes_per_case=4.5,
        features={"routine": 0.8, "judgment": 0.3},
        evidence=(
            Evidence("routine", 0.8, EvidenceSource.LEXICON, "名前に「発行」(issue) を含む"),
            Evidence("minutes_per_case", 4.5, EvidenceSource.PROPERTY, "camunda:property minutes"),
        ),
        scores={d: (score if d is disposition else 0.1) for d in Disposition},
        disposition=disposition,
        confidence=confidence,
        reasons=(
            Reason("routine", "定型的な入力作業です。", "Routine data entry."),
            Reason("volume", "年間件数が多い。", "High annual volume."),
        ),
        legal_authority=disposition is Disposition.RETAIN,
        cost=_cost(410.25),
        data_sources={"annual_count": EvidenceSource.SURVEY},
        rank=1,
    )


def _assessment(definitions: Definitions, plan: dict[str, tuple[Disposition, float, float]] = PLAN,
                file: str | None = None) -> Assessment:
    steps = tuple(_step(definitions, sid, *values, file=file) for sid, values in plan.items())
    totals = Totals(
        steps=len(steps), hours_per_year=1230.75, fte=0.68, yen_per_year=4.9e6,
        hours_freed_per_year=600.0, saving_yen_per_year=1.1e6, one_off_yen=1.5e6, net_5y_yen=4.0e6,
        by_disposition={Disposition.RPA: 0, Disposition.RETAIN: 1},
        hours_by_disposition={Disposition.RETAIN: 410.25},
    )
    process_id = next(iter(definitions.processes))
    process = ProcessAssessment(
        file=file or definitions.file,
        process_id=ProcessId(process_id),
        name=definitions.processes[process_id].name,
        annual_cases=12000.0,
        annual_cases_source=EvidenceSource.SURVEY,
        steps=steps,
        totals=totals,
        visits={s.step_id: 1.0 for s in steps},
        branches=(
            Branch(ElementId("gw"), ElementId("flow_yes"), ElementId("task_shinsei"), 0.25, EvidenceSource.SURVEY),
            Branch(ElementId("task_shinsei"), ElementId("timer"), ElementId("end"), 0.1, EvidenceSource.DEFAULT,
                   via_event=True),
        ),
    )
    return Assessment(
        processes=(process,),
        totals=totals,
        profile_name="default",
        profile_sources={"hourly_yen": "総務省 地方公務員給与実態調査 (2023)", "fte_hours": "1800 h"},
        gaps=(DataGap("unmatched-row", "調査票の行「転出届」がどの手順とも一致しません", "survey.xlsx", 7),),
    )


def _props(root: etree._Element, element_id: str) -> dict[str, str]:
    element = root.xpath("//*[@id=$i]", i=element_id)[0]
    return {
        p.get("name"): p.get("value")
        for p in element.iter(f"{{{CAMUNDA_NS}}}property")
    }


# --------------------------------------------------------------------------- annotate


def test_annotated_file_reads_back_with_the_same_model() -> None:
    original = read_bpmn(WITH_DI)
    data = annotate_bpmn(WITH_DI.read_bytes(), _assessment(original), file=str(WITH_DI))
    again = read_bpmn_bytes(data, str(WITH_DI))
    before, after = next(iter(original.processes.values())), next(iter(again.processes.values()))
    assert list(after.nodes) == list(before.nodes)
    assert list(after.flows) == list(before.flows)
    assert len(again.diagrams[0].shapes) == len(original.diagrams[0].shapes)
    assert again.notes == ()
    counts = {k: v for k, v in again.element_counts.items() if k != "extensionElements"}
    assert counts == {k: v for k, v in original.element_counts.items() if k != "extensionElements"}
    shinsei = after.nodes[ElementId("task_shinsei")].properties
    assert shinsei["minutes"] == "4"  # the user's own property survives
    assert shinsei["bpm:disposition"] == "retain"
    assert shinsei["bpm:score"] == "0.71"
    assert shinsei["bpm:confidence"] == "0.4"
    assert shinsei["bpm:hours_per_year"] == "410.2"
    assert shinsei["bpm:annual_count"] == "12000"
    assert shinsei["bpm:reasons_ja"] == "定型的な入力作業です。 / 年間件数が多い。"
    assert after.nodes[ElementId("task_kofu")].properties["bpm:disposition"] == "outsource"
    assert "bpm:disposition" not in after.nodes[ElementId("start")].properties


def test_properties_are_in_camunda_properties_after_documentation() -> None:
    original = read_bpmn(WITH_DI)
    root = etree.fromstring(annotate_bpmn(WITH_DI.read_bytes(), _assessment(original), file=str(WITH_DI)))
    task = root.xpath("//*[@id='task_hakko']")[0]
    extension = task[0]
    assert etree.QName(extension).localname == "extensionElements"
    holder = extension[0]
    assert holder.tag == f"{{{CAMUNDA_NS}}}properties"
    assert [p.get("name") for p in holder] == list(PROPERTY_NAMES)
    shinsei = root.xpath("//*[@id='task_shinsei']")[0]
    assert [etree.QName(c).localname for c in shinsei] == ["documentation", "extensionElements"]
    # the existing container is reused, not duplicated
    assert len(shinsei.findall(f".//{{{CAMUNDA_NS}}}properties")) == 1



def test_namespaces_are_declared_once() -> None:
    definitions = read_bpmn(WITH_DI)
    text = annotate_bpmn(WITH_DI.read_bytes(), _assessment(definitions), file=str(WITH_DI)).decode("utf-8")
    assert text.count("xmlns:camunda=") == 1  # the file's own declaration, reused
    assert text.count(f'xmlns:color="{COLOR_NS}"') == 1
    assert text.count("<camunda:property ") == len(PLAN) * len(PROPERTY_NAMES) + 1  # + the user's "minutes"


def test_rerun_replaces_instead_of_duplicating() -> None:
    definitions = read_bpmn(WITH_DI)
    once = annotate_bpmn(WITH_DI.read_bytes(), _assessment(definitions), file=str(WITH_DI))
    twice = annotate_bpmn(once, _assessment(definitions), file=str(WITH_DI))
    assert twice == once
    changed = dict(PLAN)
    changed["task_shinsei"] = (Disposition.RPA, 0.88, 0.9)
    third = annotate_bpmn(once, _assessment(definitions, changed), file=str(WITH_DI))
    root = etree.fromstring(third)
    props = root.xpath("//*[@id='task_shinsei']")[0].findall(f".//{{{CAMUNDA_NS}}}property")
    names = [p.get("name") for p in props]
    assert names == ["minutes", *PROPERTY_NAMES]
    assert _props(root, "task_shinsei")["bpm:disposition"] == "rpa"


def test_rerun_without_a_step_removes_its_old_values() -> None:
    definitions = read_bpmn(WITH_DI)
    once = annotate_bpmn(WITH_DI.read_bytes(), _assessment(definitions), file=str(WITH_DI))
    fewer = {"task_kofu": PLAN["task_kofu"]}
    again = read_bpmn_bytes(annotate_bpmn(once, _assessment(definitions, fewer), file=str(WITH_DI)), "x.bpmn")
    process = next(iter(again.processes.values()))
    assert process.nodes[ElementId("task_hakko")].properties == {}
    assert process.nodes[ElementId("task_shinsei")].properties == {"minutes": "4"}
    assert process.nodes[ElementId("task_kofu")].properties["bpm:disposition"] == "outsource"


def test_shapes_get_disposition_colours() -> None:
    definitions = read_bpmn(WITH_DI)
    root = etree.fromstring(annotate_bpmn(WITH_DI.read_bytes(), _assessment(definitions), file=str(WITH_DI)))
    for step_id, (disposition, _, _) in PLAN.items():
        shape = root.xpath("//*[local-name()='BPMNShape'][@bpmnElement=$s]", s=step_id)[0]
        assert shape.get(f"{{{COLOR_NS}}}background-color") == style_of(disposition).fill
        assert shape.get(f"{{{COLOR_NS}}}border-color") == style_of(disposition).strong
    start = root.xpath("//*[local-name()='BPMNShape'][@bpmnElement='start']")[0]
    assert start.get(f"{{{COLOR_NS}}}background-color") is None
    assert root.nsmap.get("color") == COLOR_NS


def test_rest_of_the_file_is_kept() -> None:
    source = WITH_DI.read_bytes()
    definitions = read_bpmn(WITH_DI)
    data = annotate_bpmn(source, _assessment(definitions), file=str(WITH_DI))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<definitions ')
    assert data.endswith(b"</definitions>\n")
    out_lines = set(data.decode("utf-8").splitlines())
    # lxml writes a start tag on one line, so the multi-line root tag is the one reflowed part.
    after_root = source.decode("utf-8").split('exporterVersion="1">', 1)[1]
    untouched = [
        line for line in after_root.splitlines()
        if line and "BPMNShape" not in line and not any(f'id="{s}"' in line for s in PLAN)
    ]
    assert len(untouched) > 40
    assert [line for line in untouched if line not in out_lines] == []


def test_file_without_camunda_namespace_gets_it_once_on_the_root() -> None:
    definitions = read_bpmn(NO_DI)
    plan = {"task_uketsuke": (Disposition.RETAIN, 0.7, 0.5), "task_kisai": (Disposition.AUTOMATED, 0.95, 0.9)}
    source = NO_DI.read_bytes()
    data = annotate_bpmn(source, _assessment(definitions, plan), file=str(NO_DI))
    text = data.decode("utf-8")
    assert text.count(f'xmlns:camunda="{CAMUNDA_NS}"') == 1
    assert "xmlns:color" not in text  # no DI, no colours, no unused declaration
    assert "<!-- 転入届の窓口フロー" in text  # comment before the root survives
    assert 'xsi:type="bpmn:tFormalExpression">${fubi}' in text
    again = read_bpmn_bytes(data, str(NO_DI))
    process = again.processes[ProcessId("proc_tennyu")]
    assert process.nodes[ElementId("task_kisai")].properties["bpm:disposition"] == "automated"
    assert [lane.name for lane in process.all_lanes()] == ["市民課", "窓口担当", "審査担当", "住民記録システム"]
    assert process.flows[ElementId("f4")].condition == "${fubi}"


def test_shift_jis_file_keeps_its_encoding(tmp_path: Path) -> None:
    text = WITH_DI.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="Shift_JIS"', 1)
    path = tmp_path / "交付.bpmn"
    path.write_bytes(text.encode("shift_jis"))
    definitions = read_bpmn(path)
    data = annotate_bpmn(path.read_bytes(), _assessment(definitions), file=str(path))
    assert data.startswith(b'<?xml version="1.0" encoding="Shift_JIS"?>')
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    decoded = data.decode("shift_jis")
    assert "住民票の写しを発行する" in decoded
    assert "定型的な入力作業です。" in decoded
    again = read_bpmn_bytes(data, str(path))
    assert again.notes == ()
    node = next(iter(again.processes.values())).nodes[ElementId("task_hakko")]
    assert node.name == "住民票の写しを発行する"
    assert node.properties["bpm:reasons_ja"] == "定型的な入力作業です。 / 年間件数が多い。"


def test_cp932_bytes_declared_utf8_are_written_as_real_utf8(tmp_path: Path) -> None:
    path = tmp_path / "mislabelled.bpmn"
    path.write_bytes(WITH_DI.read_text(encoding="utf-8").encode("cp932"))
    definitions = read_bpmn(path)
    data = annotate_bpmn(path.read_bytes(), _assessment(definitions), file=str(path))
    assert "住民票の写しを発行する" in data.decode("utf-8")
    assert read_bpmn_bytes(data, "x.bpmn").notes == ()


def test_minified_file_stays_on_one_line() -> None:
    source = (
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p">'
        '<task id="t" name="入力"/></process></definitions>'
    ).encode()
    definitions = read_bpmn_bytes(source, "min.bpmn")
    step = _step(definitions, "t", Disposition.RPA, 0.8, 0.6)
    data = annotate_bpmn(source, [step], file="min.bpmn")
    assert b"\n" not in data
    node = read_bpmn_bytes(data, "min.bpmn").find_node(ElementId("t"))
    assert node is not None
    assert node.properties["bpm:disposition"] == "rpa"


def test_step_missing_from_the_file_is_an_error() -> None:
    definitions = read_bpmn(WITH_DI)
    step = _step(definitions, "task_hakko", Disposition.RPA, 0.8, 0.6)
    ghost = dataclasses.replace(step, step_id=ElementId("task_gone"))
    with pytest.raises(RenderError, match=r"1 assessed step\(s\) are not in this file: task_gone") as info:
        annotate_bpmn(WITH_DI.read_bytes(), [step, ghost], file=str(WITH_DI))
    assert info.value.hint == "annotate the same BPMN file that was scored"


def test_assessment_of_another_file_is_refused() -> None:
    definitions = read_bpmn(WITH_DI)
    process = _assessment(definitions).processes[0]
    with pytest.raises(RenderError, match=r"the assessment has no process from .*counter_nodi\.bpmn"):
        annotate_bpmn(NO_DI.read_bytes(), process, file=str(NO_DI))


def test_portfolio_without_this_file_leaves_it_untouched() -> None:
    # `bpm scan` annotates every input from one portfolio; a file it assessed nothing in is fine.
    definitions = read_bpmn(WITH_DI)
    source = NO_DI.read_bytes()
    assert annotate_bpmn(source, _assessment(definitions), file=str(NO_DI)) == source
    empty = Assessment(processes=(), totals=_assessment(definitions).totals, profile_name="default")
    annotated = annotate_bpmn(WITH_DI.read_bytes(), _assessment(definitions), file=str(WITH_DI))
    cleaned = read_bpmn_bytes(annotate_bpmn(annotated, empty, file=str(WITH_DI)), "x.bpmn")
    assert all(
        not any(k.startswith("bpm:") for k in node.properties)
        for node in next(iter(cleaned.processes.values())).nodes.values()
    )


def test_hostile_xml_is_refused() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "boom">]>' \
           b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="&x;"/>'
    with pytest.raises(BpmnParseError, match="DTD"):
        annotate_bpmn(evil, [], file="evil.bpmn")
    with pytest.raises(BpmnParseError, match="malformed XML"):
        annotate_bpmn(b"<definitions", [], file="cut.bpmn")
    with pytest.raises(BpmnParseError, match=r"not a BPMN 2\.0 file"):
        annotate_bpmn(b"<svg/>", [], file="x.svg")


def test_step_properties_format() -> None:
    definitions = read_bpmn(WITH_DI)
    props = step_properties(_step(definitions, "task_kofu", Disposition.OUTSOURCE, 0.6449, 0.5))
    assert list(props) == list(PROPERTY_NAMES)
    assert props["bpm:score"] == "0.64"
    assert props["bpm:confidence"] == "0.5"


# --------------------------------------------------------------------------- JSON


def test_assessment_json_round_trips_with_everything() -> None:
    definitions = read_bpmn(WITH_DI)
    assessment = _assessment(definitions)
    text = assessment_json(assessment)
    document = json.loads(text)
    assert list(document)[:2] == ["format", "version"]
    assert document["format"] == JSON_FORMAT
    assert list(document)[2:] == ["processes", "totals", "profile_name", "profile_sources", "gaps", "money"]
    step = document["processes"][0]["steps"][0]
    assert step["step_id"] == "task_shinsei"
    assert step["disposition"] == "retain"
    assert step["scores"]["retain"] == 0.71
    assert list(step["scores"]) == sorted(step["scores"])
    assert step["evidence"][0] == {
        "feature": "routine", "value": 0.8, "source": "lexicon", "detail": "名前に「発行」(issue) を含む",
    }
    assert step["reasons"][0] == {"code": "routine", "ja": "定型的な入力作業です。", "en": "Routine data entry."}
    assert step["cost"]["payback_months"] == 14.5
    node = definitions.find_node(ElementId("task_shinsei"))
    assert node is not None
    assert step["source"] == {"file": str(WITH_DI), "line": node.source.line}
    assert step["data_sources"] == {"annual_count": "survey"}
    assert document["gaps"][0]["message"].startswith("調査票の行")
    assert document["profile_sources"]["hourly_yen"].startswith("総務省")
    assert document["totals"]["by_disposition"] == {"retain": 1, "rpa": 0}
    assert document["processes"][0]["branches"] == [
        {"from_id": "gw", "via_id": "flow_yes", "target_id": "task_shinsei", "probability": 0.25,
         "source": "survey", "via_event": False},
        {"from_id": "task_shinsei", "via_id": "timer", "target_id": "end", "probability": 0.1,
         "source": "default", "via_event": True},
    ]
    assert "定型的" in text  # ensure_ascii=False: readable Japanese
    assert assessment_json(assessment) == text


def test_assessment_json_turns_non_finite_numbers_into_null() -> None:
    definitions = read_bpmn(WITH_DI)
    assessment = _assessment(definitions)
    step = assessment.processes[0].steps[0]
    bad = dataclasses.replace(step, cost=dataclasses.replace(step.cost, payback_months=float("inf")))
    process = dataclasses.replace(assessment.processes[0], steps=(bad,))
    document = json.loads(assessment_json(dataclasses.replace(assessment, processes=(process,))))
    assert document["processes"][0]["steps"][0]["cost"]["payback_months"] is None
