"""The issue-8 rules beyond their fixtures: the endless-loop semantics, cross-file rules and what they rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpm.errors import AnalysisError
from bpm.lint import lint, lint_files
from bpm.model import Definitions, EventKind
from bpm.reader import read_bpmn, read_bpmn_bytes
from bpm.visits import expected_visits

DATA = Path(__file__).resolve().parents[1] / "data" / "lint"
NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def _model(body: str) -> str:
    return f'<definitions {NS} id="d">{body}</definitions>'


def _read(xml: str, name: str = "x.bpmn") -> Definitions:
    return read_bpmn_bytes(xml.encode(), name)


def _rules(xml: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in lint(_read(xml)):
        found.setdefault(finding.rule, set()).add(str(finding.element_id))
    return found


# --------------------------------------------------------------------------- endless-loop


def test_endless_loops_are_the_loops_the_visit_analysis_cannot_solve() -> None:
    """Lint and the visit equations agree: the flagged loops have no finite visits, the sound ones do."""
    definitions = read_bpmn(DATA / "endless-loop.bpmn")
    for process in ("p_multiply", "p_implicit"):
        with pytest.raises(AnalysisError):
            expected_visits(definitions, process)
    assert expected_visits(definitions, "p_sound").visits["a3"] > 1.0


def _loop(check_gateway: str, body: str) -> str:
    """start → merge → body → check → (back to merge | done → end)."""
    return _model(f"""<process id="p" name="審査">
      <startEvent id="s"/><exclusiveGateway id="merge"/>{body}
      <{check_gateway} id="check" name="完了?"/><task id="done" name="通知する"/><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="merge"/>
      <sequenceFlow id="f2" sourceRef="merge" targetRef="b_in"/>
      <sequenceFlow id="f3" sourceRef="b_out" targetRef="check"/>
      <sequenceFlow id="f4" sourceRef="check" targetRef="merge" name="やり直し"/>
      <sequenceFlow id="f5" sourceRef="check" targetRef="done" name="完了"/>
      <sequenceFlow id="f6" sourceRef="done" targetRef="e"/></process>""")


_BODIES = {
    "one task": '<task id="b_in" name="確認する"/><exclusiveGateway id="b_out"/>'
    '<sequenceFlow id="fb" sourceRef="b_in" targetRef="b_out"/>',
    "parallel block": '<parallelGateway id="b_in"/><task id="x" name="照合する"/><task id="y" name="入力する"/>'
    '<parallelGateway id="b_out"/><sequenceFlow id="fb1" sourceRef="b_in" targetRef="x"/>'
    '<sequenceFlow id="fb2" sourceRef="b_in" targetRef="y"/><sequenceFlow id="fb3" sourceRef="x" targetRef="b_out"/>'
    '<sequenceFlow id="fb4" sourceRef="y" targetRef="b_out"/>',
}


@pytest.mark.parametrize("body", sorted(_BODIES))
def test_a_parallel_loop_back_is_endless_and_a_decision_is_not(body: str) -> None:
    endless = _rules(_loop("parallelGateway", _BODIES[body]))
    assert endless.get("endless-loop") == {"merge"}
    assert "endless-loop" not in _rules(_loop("exclusiveGateway", _BODIES[body]))
    assert "endless-loop" not in _rules(_loop("inclusiveGateway", _BODIES[body]))


def test_a_decision_inside_the_body_does_not_let_a_parallel_loop_back_end() -> None:
    """Both branches of the inner decision lead back to the parallel split, so every round still loops."""
    body = ('<exclusiveGateway id="b_in" name="種類?"/><task id="x" name="A"/><task id="y" name="B"/>'
            '<exclusiveGateway id="b_out"/><sequenceFlow id="fb1" sourceRef="b_in" targetRef="x" name="a"/>'
            '<sequenceFlow id="fb2" sourceRef="b_in" targetRef="y" name="b"/>'
            '<sequenceFlow id="fb3" sourceRef="x" targetRef="b_out"/><sequenceFlow id="fb4" sourceRef="y" '
            'targetRef="b_out"/>')
    assert _rules(_loop("parallelGateway", body)).get("endless-loop") == {"merge"}
    with pytest.raises(AnalysisError):
        expected_visits(_read(_loop("parallelGateway", body)), "p")
    # A decision whose branch leaves the loop is a way out: no finding.
    escape = body.replace('targetRef="y" name="b"/>', 'targetRef="y" name="b"/><endEvent id="e_y"/>')
    escape = escape.replace('sourceRef="y" targetRef="b_out"', 'sourceRef="y" targetRef="e_y"')
    assert "endless-loop" not in _rules(_loop("parallelGateway", escape))


def test_an_interrupting_boundary_event_on_the_loop_is_a_way_out_only_if_it_leaves() -> None:
    body = ('<task id="b_in" name="照会する"/><exclusiveGateway id="b_out"/>'
            '<sequenceFlow id="fb" sourceRef="b_in" targetRef="b_out"/>'
            '<boundaryEvent id="late" attachedToRef="b_in"><timerEventDefinition/></boundaryEvent>'
            '<endEvent id="e_late"/><sequenceFlow id="fl" sourceRef="late" targetRef="{target}"/>')
    assert "endless-loop" not in _rules(_loop("parallelGateway", body.format(target="e_late")))
    assert _rules(_loop("parallelGateway", body.format(target="merge"))).get("endless-loop") == {"merge"}


def test_an_interrupting_event_sub_process_can_end_an_endless_loop() -> None:
    xml = _loop("parallelGateway", _BODIES["one task"]).replace(
        "</process>",
        '<subProcess id="esp" name="取下げ" triggeredByEvent="true"><startEvent id="esp_s" name="取下げ">'
        '<messageEventDefinition/></startEvent><endEvent id="esp_e"/>'
        '<sequenceFlow id="fe" sourceRef="esp_s" targetRef="esp_e"/></subProcess></process>',
    )
    assert "endless-loop" not in _rules(xml)
    non_interrupting = xml.replace('<startEvent id="esp_s" name="取下げ">',
                                   '<startEvent id="esp_s" name="取下げ" isInterrupting="false">')
    assert _rules(non_interrupting).get("endless-loop") == {"merge"}


def test_an_interrupting_boundary_event_on_the_sub_process_can_end_its_endless_loop() -> None:
    inner = _loop("parallelGateway", _BODIES["one task"])
    content = inner[inner.index('<startEvent id="s"/>'):inner.index("</process>")]
    for timer, flagged in (('cancelActivity="true"', False), ('cancelActivity="false"', True)):
        xml = _model(f"""<process id="outer" name="届出"><startEvent id="o_s"/>
          <subProcess id="sub" name="審査">{content}</subProcess>
          <boundaryEvent id="deadline" attachedToRef="sub" {timer}><timerEventDefinition/></boundaryEvent>
          <endEvent id="o_e"/><endEvent id="o_late"/>
          <sequenceFlow id="o1" sourceRef="o_s" targetRef="sub"/><sequenceFlow id="o2" sourceRef="sub" targetRef="o_e"/>
          <sequenceFlow id="o3" sourceRef="deadline" targetRef="o_late"/></process>""")
        assert ("endless-loop" in _rules(xml)) is flagged, timer


# --------------------------------------------------------------------------- generated flows


@st.composite
def _parallel_only_bodies(draw: st.DrawFn) -> str:
    """A loop body of tasks and parallel blocks only: no decision anywhere inside."""
    count = draw(st.integers(min_value=1, max_value=4))
    parts, flows = [], []
    previous = "b_in"
    parts.append('<parallelGateway id="b_in"/>')
    for i in range(count):
        if draw(st.booleans()):
            parts.append(f'<task id="t{i}" name="作業{i}"/>')
            flows.append((previous, f"t{i}"))
            previous = f"t{i}"
        else:
            parts.append(f'<parallelGateway id="s{i}"/><task id="l{i}" name="左{i}"/><task id="r{i}" name="右{i}"/>'
                         f'<parallelGateway id="j{i}"/>')
            flows += [(previous, f"s{i}"), (f"s{i}", f"l{i}"), (f"s{i}", f"r{i}")]
            flows += [(f"l{i}", f"j{i}"), (f"r{i}", f"j{i}")]
            previous = f"j{i}"
    parts.append('<exclusiveGateway id="b_out"/>')
    flows.append((previous, "b_out"))
    parts += [f'<sequenceFlow id="fb{n}" sourceRef="{a}" targetRef="{b}"/>' for n, (a, b) in enumerate(flows)]
    return "".join(parts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_parallel_only_bodies())
def test_generated_loops_without_a_decision_are_endless(body: str) -> None:
    assert _rules(_loop("parallelGateway", body)).get("endless-loop") == {"merge"}
    assert "endless-loop" not in _rules(_loop("exclusiveGateway", body))


# --------------------------------------------------------------------------- calls and ids across files


def test_recursion_through_two_files_is_reported_in_both() -> None:
    def caller(process: str, called: str) -> str:
        return _model(f"""<process id="{process}" name="{process}"><startEvent id="{process}_s"/>
          <callActivity id="{process}_c" name="呼出" calledElement="{called}"/><endEvent id="{process}_e"/>
          <sequenceFlow id="{process}_1" sourceRef="{process}_s" targetRef="{process}_c"/>
          <sequenceFlow id="{process}_2" sourceRef="{process}_c" targetRef="{process}_e"/></process>""")

    a = _read(caller("p_a", "p_b"), "a.bpmn")
    b = _read(caller("p_b", "p_a"), "b.bpmn")
    findings = [f for f in lint_files([a, b]) if f.rule == "recursive-call"]
    assert [(f.source.file, f.element_id) for f in findings] == [("a.bpmn", "p_a_c"), ("b.bpmn", "p_b_c")]
    assert "process p_b 'p_b' in b.bpmn" in findings[0].message and "p_a → p_b → p_a" in findings[0].message
    assert {f.rule for f in lint(a)} == {"unresolved-called-element"}


def test_a_call_by_process_name_resolves_as_the_scoring_side_does() -> None:
    called = _model("""<process id="p_x" name="住基ネット　通知"><startEvent id="s"/><endEvent id="e"/>
      <sequenceFlow id="f" sourceRef="s" targetRef="e"/></process>""")
    caller = _model("""<process id="p" name="転入"><startEvent id="s2"/>
      <callActivity id="c" name="通知" calledElement="住基ネット通知"/><endEvent id="e2"/>
      <sequenceFlow id="f1" sourceRef="s2" targetRef="c"/><sequenceFlow id="f2" sourceRef="c" targetRef="e2"/>
      </process>""")
    assert lint_files([_read(caller, "a.bpmn"), _read(called, "b.bpmn")]) == []


def test_an_id_shared_by_many_files_names_three_and_counts_the_rest() -> None:
    copies = [read_bpmn(DATA / "duplicate-id-across-files" / "juminhyo.bpmn") for _ in range(1)]
    copies += [
        read_bpmn_bytes((DATA / "duplicate-id-across-files" / "juminhyo.bpmn").read_bytes(), f"copy{i}.bpmn")
        for i in range(5)
    ]
    messages = [f.message for f in lint_files(copies) if f.element_id == "Activity_HoninKakunin"]
    assert len(messages) == 6
    assert all(m.endswith("and 2 more; survey rows and per-step figures that name this id can mix the files up")
               for m in messages)
    assert len(re.findall(r"\.bpmn:6 \(manualTask '本人確認'\)", messages[0])) == 3


def test_reader_keeps_global_tasks_and_start_event_interruption() -> None:
    """The two small reader additions the new rules rely on."""
    definitions = read_bpmn(DATA / "global-task-id-clash.bpmn")
    assert [(g.id, g.tag, g.name, g.source.line) for g in definitions.global_tasks] == [
        ("p_identity", "globalTask", "本人確認", 3),
        ("gt_fee", "globalUserTask", "手数料収納", 4),
    ]
    assert "p_identity" in definitions.processes  # the clash did not drop the process
    starts = {
        n.id: n.cancel_activity
        for p in read_bpmn(DATA / "superfluous-termination.bpmn").processes.values()
        for n in p.nodes.values()
        if n.kind is EventKind.START and n.parent_id is not None
    }
    assert starts == {"esp_cancel_start": True, "esp_remind_start": False}
