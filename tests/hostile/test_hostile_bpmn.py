"""Hostile BPMN files: every command ends cleanly, within time and memory, whatever the file holds.

Generated models mix every element kind, dangling and looping flows, odd
gateways, call activities calling nothing or themselves, hostile names and
numeric properties, lying encodings, DTDs, XInclude and truncation.  The
cases from issue 8 are pinned as explicit examples.
"""

from __future__ import annotations

from pathlib import Path

from checks import (
    assert_handled,
    formula_cells_in_csv,
    formula_cells_in_xlsx,
    non_finite_cells_in_csv,
    site_problems,
)
from hypothesis import example, given
from hypothesis import strategies as st
from runner import Runner
from strategies import bpmn_files, encode_document, hostile, model_xml, models

REPO = Path(__file__).resolve().parents[2]

COMMANDS = {
    "score": ["-q", "score", "flow.bpmn", "-o", "out.csv"],
    "score-xlsx": ["-q", "score", "flow.bpmn", "-o", "out.xlsx"],
    "lint": ["-q", "lint", "flow.bpmn"],
    "inspect": ["-q", "inspect", "flow.bpmn"],
    "graph": ["-q", "graph", "flow.bpmn", "--format", "json", "--expand", "-o", "graph.json"],
}

_SPACED_ID = encode_document(
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n<process id="p">\n'
    '<startEvent id="s"/>\n<task id=" Activity_Hosei " name="補正"/>\n'
    '<sequenceFlow id="f" sourceRef="s" targetRef="Activity_Hosei"/>\n</process>\n</definitions>\n', "utf-8")
_NAN_PROPERTY = encode_document(
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:c="http://camunda.org/schema/1.0/bpmn" '
    'id="d">\n<process id="p"><extensionElements><c:properties><c:property name="annual_count" value="nan"/>'
    '</c:properties></extensionElements>\n<startEvent id="s"/>\n<task id="t"><extensionElements><c:properties>'
    '<c:property name="minutes" value="1e308"/><c:property name="instances" value="inf"/></c:properties>'
    '</extensionElements><multiInstanceLoopCharacteristics/></task>\n'
    '<sequenceFlow id="f" sourceRef="s" targetRef="t"/>\n</process>\n</definitions>\n', "utf-8")
_MULTIPLYING = encode_document(
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n<process id="p">\n'
    '<startEvent id="s"/><exclusiveGateway id="m"/><parallelGateway id="fork"/><task id="a"/><task id="b"/>\n'
    '<sequenceFlow id="f0" sourceRef="s" targetRef="m"/><sequenceFlow id="f1" sourceRef="m" targetRef="fork"/>\n'
    '<sequenceFlow id="f2" sourceRef="fork" targetRef="a"/><sequenceFlow id="f3" sourceRef="fork" targetRef="b"/>\n'
    '<sequenceFlow id="f4" sourceRef="b" targetRef="m"/>\n</process>\n</definitions>\n', "utf-8")


@hostile(examples=60)
@given(data=bpmn_files(), command=st.sampled_from(sorted(COMMANDS)))
@example(data=_SPACED_ID, command="score")
@example(data=_NAN_PROPERTY, command="score")
@example(data=_MULTIPLYING, command="score-xlsx")
@example(data=(REPO / "flows" / "tennyu.bpmn").read_bytes(), command="score-xlsx")
def test_any_bpmn_file_ends_cleanly(bpm_runner: Runner, data: bytes, command: str) -> None:
    outcome = bpm_runner.run(COMMANDS[command], {"flow.bpmn": data})
    assert_handled(outcome, ["flow.bpmn"])
    if outcome.code == 0 and command == "score":
        assert formula_cells_in_csv(outcome.folder / "out.csv") == []
        assert non_finite_cells_in_csv(outcome.folder / "out.csv") == []
    if outcome.code == 0 and command == "score-xlsx":
        assert formula_cells_in_xlsx(outcome.folder / "out.xlsx") == []


@st.composite
def _scannable(draw: st.DrawFn) -> bytes:
    """Models whose diagram (if any) has ordinary coordinates: picture sizes are the report suite's subject."""
    model = draw(models(max_nodes=8))
    model.coordinates = ["10", "10", "100", "80"]
    return encode_document(model_xml(model), draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932-as-utf-8"])))


@hostile(examples=6)
@given(data=_scannable())
@example(data=_MULTIPLYING)
def test_scan_of_a_hostile_model_writes_a_site_without_foreign_scripts_or_links(
    bpm_runner: Runner, data: bytes
) -> None:
    outcome = bpm_runner.run(["-q", "scan", "flow.bpmn", "--out", "site"], {"flow.bpmn": data})
    assert_handled(outcome, ["flow.bpmn"])
    if outcome.code == 0:
        site = outcome.folder / "site"
        assert site_problems(site) == []
        assert formula_cells_in_csv(site / "downloads" / "results.csv") == []
        assert formula_cells_in_xlsx(site / "downloads" / "results.xlsx") == []
