"""Hand-offs between contractor and staff: hand-computed small flows, the samples, and invariants.

Every small flow goes through the real pipeline — reader, expected visits,
the assessment's branch rows — so the figures are the ones the report would
show; the expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import resource
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from counter_chain import counter_chain_xml, late_hand_off_case
from hypothesis import given, settings
from hypothesis import strategies as st

from bpm.errors import AnalysisError
from bpm.graph import process_graph
from bpm.model import ElementId
from bpm.reader import read_bpmn, read_bpmn_bytes
from bpm.visits import expected_visits
from scoring.assess import assess, process_branches
from scoring.handoff import EMPTY, handoff_summary, handoff_warning, safe_lot, side_of, step_moves
from scoring.profile import load_profile
from scoring.result import (
    Assessment,
    Branch,
    Crossing,
    Direction,
    Disposition,
    EvidenceSource,
    HandoffSummary,
    ProcessAssessment,
    Side,
)
from scoring.survey import load_survey

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
C, R, P, A = Disposition.OUTSOURCE, Disposition.RETAIN, Disposition.RPA, Disposition.AUTOMATED
"""Contractor (outsourced), retained, robot and system steps."""
TO_STAFF, TO_CONTRACTOR = Direction.TO_STAFF, Direction.TO_CONTRACTOR


def flows(*pairs: str) -> str:
    """``"a>b"`` → a sequence flow from a to b with id ``a_b``."""
    out = []
    for pair in pairs:
        source, target = pair.split(">")
        out.append(f'<sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}"/>')
    return "".join(out)


def summarize(
    body: str, dispositions: dict[str, Disposition], overrides: dict[str, float] | None = None
) -> HandoffSummary:
    """Read a one-process file, solve its visits, and count its hand-offs as the assessment does."""
    xml = (f'<definitions xmlns="{MODEL_NS}" xmlns:camunda="{CAMUNDA_NS}" id="d">'
           f'<process id="p">{body}</process></definitions>')
    definitions = read_bpmn_bytes(xml.encode(), "t.bpmn")
    process = definitions.processes["p"]
    result = expected_visits(definitions, "p", overrides=overrides)
    visits = {ElementId(k): v for k, v in result.visits.items() if k in process.nodes}
    graph = process_graph(definitions, "p", expand_subprocesses=True)
    named = {ElementId(k): v for k, v in dispositions.items()}
    return handoff_summary(graph, named, visits, process_branches(process, result))


def pairs(summary: HandoffSummary) -> list[tuple[str, str, Direction, float]]:
    return [(c.from_id, c.to_id, c.direction, round(c.per_case, 9)) for c in summary.crossings]


# --------------------------------------------------------------------------- sides


def test_people_are_on_a_side_and_machines_on_neither() -> None:
    assert side_of(C) is Side.CONTRACTOR
    assert side_of(R) is Side.STAFF
    assert side_of(P) is None and side_of(A) is None  # robots and systems carry the case on


# --------------------------------------------------------------------------- hand-computed flows


def test_straight_line_contractor_to_staff_is_one_hand_off() -> None:
    summary = summarize('<startEvent id="s"/><task id="o"/><task id="r"/><endEvent id="e"/>'
                        + flows("s>o", "o>r", "r>e"), {"o": C, "r": R})
    assert pairs(summary) == [("o", "r", TO_STAFF, 1.0)]
    assert (summary.per_case_to_staff, summary.per_case_to_contractor, summary.per_case) == (1.0, 0.0, 1.0)
    assert summary.ping_pong == ()
    assert summary.contractor_steps == ("o",)
    assert handoff_warning(summary, 1.0) is None  # exactly the one planned hand-off


def test_exclusive_branch_counts_its_probability_through_the_gateway() -> None:
    # o → x: 0.3 to r (staff), 0.7 straight to o2; r then returns the case to o2.
    # o→r 0.3 (to staff), r→o2 0.3 (to contractor), o→o2 0.7 (same side, not a hand-off).
    summary = summarize(
        '<startEvent id="s"/><task id="o"/><exclusiveGateway id="x"/><task id="r"/><task id="o2"/><endEvent id="e"/>'
        + flows("s>o", "o>x", "x>r", "x>o2", "r>o2", "o2>e"),
        {"o": C, "r": R, "o2": C},
        overrides={"x_r": 0.3},
    )
    assert pairs(summary) == [("o", "r", TO_STAFF, 0.3), ("r", "o2", TO_CONTRACTOR, 0.3)]
    assert summary.per_case == pytest.approx(0.6)
    assert summary.ping_pong == ()  # a one-way sandwich, not a loop


def test_rework_loop_is_a_ping_pong_with_counts_scaled_by_the_loop() -> None:
    # o → r → x; 0.2 back to o.  Visits of o and r: 1/(1 − 0.2) = 1.25.
    # o→r: 1.25 (to staff); r→x→m→o: 1.25 × 0.2 = 0.25 (to contractor).
    summary = summarize(
        '<startEvent id="s"/><exclusiveGateway id="m"/><task id="o" name="届書受領"/><task id="r" name="審査"/>'
        '<exclusiveGateway id="x"/><endEvent id="e"/>'
        + flows("s>m", "m>o", "o>r", "r>x", "x>m", "x>e"),
        {"o": C, "r": R},
        overrides={"x_m": 0.2},
    )
    assert pairs(summary) == [("o", "r", TO_STAFF, 1.25), ("r", "o", TO_CONTRACTOR, 0.25)]
    assert summary.per_case_to_staff == pytest.approx(1 / (1 - 0.2))
    assert summary.per_case_to_contractor == pytest.approx(0.2 / (1 - 0.2))
    assert summary.ping_pong == (("o", "r"),)
    warning = handoff_warning(summary, 1.0, {ElementId("o"): "届書受領", ElementId("r"): "審査"})
    assert warning is not None and warning.code == "handoff-risk"
    assert "受託者→職員 1.25回" in warning.ja and "届書受領・審査" in warning.ja and "偽装請負" in warning.ja
    assert "1.25 times per case from contractor to staff" in warning.en
    # Within a generous threshold the loop alone still warns (the 足立区 pattern).
    loop_only = handoff_warning(summary, 5.0)
    assert loop_only is not None and "1.25" not in loop_only.ja and "往復" in loop_only.ja


def test_parallel_split_sends_to_every_branch_and_the_join_passes_each_branchs_share() -> None:
    # o → + → r1, r2 → + → o2: the split gives each branch the case once (2 to staff);
    # the join fires once per pair of tokens, so each branch passes on half (1 to contractor in all).
    summary = summarize(
        '<startEvent id="s"/><task id="o"/><parallelGateway id="split"/><task id="r1"/><task id="r2"/>'
        '<parallelGateway id="join"/><task id="o2"/><endEvent id="e"/>'
        + flows("s>o", "o>split", "split>r1", "split>r2", "r1>join", "r2>join", "join>o2", "o2>e"),
        {"o": C, "r1": R, "r2": R, "o2": C},
    )
    assert pairs(summary) == [
        ("o", "r1", TO_STAFF, 1.0), ("o", "r2", TO_STAFF, 1.0),
        ("r1", "o2", TO_CONTRACTOR, 0.5), ("r2", "o2", TO_CONTRACTOR, 0.5),
    ]
    assert (summary.per_case_to_staff, summary.per_case_to_contractor) == (2.0, 1.0)
    assert summary.ping_pong == ()


def test_no_outsourced_step_gives_the_empty_summary() -> None:
    summary = summarize('<startEvent id="s"/><task id="a"/><task id="b"/><serviceTask id="c"/><endEvent id="e"/>'
                        + flows("s>a", "a>b", "b>c", "c>e"), {"a": R, "b": P, "c": A})
    assert summary == EMPTY
    assert (summary.per_case, summary.crossings, summary.ping_pong, summary.contractor_steps) == (0.0, (), (), ())


def test_robot_and_system_steps_carry_the_case_between_people() -> None:
    # Contractor → robot → system → contractor: no person of the city in between, no hand-off.
    summary = summarize('<startEvent id="s"/><task id="o"/><task id="robot"/><serviceTask id="a"/><task id="o2"/>'
                        '<endEvent id="e"/>' + flows("s>o", "o>robot", "robot>a", "a>o2", "o2>e"),
                        {"o": C, "robot": P, "a": A, "o2": C})
    assert pairs(summary) == []
    # Contractor → robot → staff: the hand-off is from the contractor's step to the staff step.
    summary = summarize('<startEvent id="s"/><task id="o"/><task id="robot"/><task id="r"/><endEvent id="e"/>'
                        + flows("s>o", "o>robot", "robot>r", "r>e"), {"o": C, "robot": P, "r": R})
    assert pairs(summary) == [("o", "r", TO_STAFF, 1.0)]


@pytest.mark.parametrize(("interrupting", "normal"), [("true", 0.9), ("false", 1.0)])
def test_boundary_event_exit_is_followed(interrupting: str, normal: float) -> None:
    # A timer on the contractor's o fires in 10 % of cases and sends the case to staff (r);
    # an interrupting timer takes those cases away from o's normal flow to o2.
    summary = summarize(
        '<startEvent id="s"/><task id="o"/>'
        f'<boundaryEvent id="b" attachedToRef="o" cancelActivity="{interrupting}">'
        '<timerEventDefinition/></boundaryEvent>'
        '<task id="r"/><task id="o2"/><endEvent id="e"/><endEvent id="e2"/>'
        + flows("s>o", "o>o2", "o2>e", "b>r", "r>e2"),
        {"o": C, "r": R, "o2": C},
        overrides={"b": 0.1},
    )
    assert pairs(summary) == [("o", "r", TO_STAFF, 0.1)]
    moves = _moves('<startEvent id="s"/><task id="o"/>'
                   f'<boundaryEvent id="b" attachedToRef="o" cancelActivity="{interrupting}"/>'
                   '<task id="r"/><task id="o2"/>' + flows("s>o", "o>o2", "b>r"), {"b": 0.1})
    assert moves == {("o", "o2"): pytest.approx(normal), ("o", "r"): pytest.approx(0.1)}


def test_sub_process_is_passed_through_into_and_out_of_its_content() -> None:
    # The sub-process is not a step (its task is); the case goes o → (enter) → r → (leave) → o2.
    summary = summarize(
        '<startEvent id="s"/><task id="o"/><subProcess id="sp"><startEvent id="ss"/><task id="r"/>'
        '<endEvent id="se"/>' + flows("ss>r", "r>se") + '</subProcess><task id="o2"/><endEvent id="e"/>'
        + flows("s>o", "o>sp", "sp>o2", "o2>e"),
        {"o": C, "r": R, "o2": C},
    )
    assert pairs(summary) == [("o", "r", TO_STAFF, 1.0), ("r", "o2", TO_CONTRACTOR, 1.0)]


def test_multi_instance_step_hands_over_once_per_activation_not_per_instance() -> None:
    instances = ('<extensionElements><camunda:properties><camunda:property name="instances" value="3"/>'
                 '</camunda:properties></extensionElements><multiInstanceLoopCharacteristics/>')
    summary = summarize(f'<startEvent id="s"/><task id="o">{instances}</task><task id="r"/><endEvent id="e"/>'
                        + flows("s>o", "o>r", "r>e"), {"o": C, "r": R})
    assert pairs(summary) == [("o", "r", TO_STAFF, 1.0)]


def test_link_events_carry_the_case_across_the_page_break() -> None:
    summary = summarize(
        '<startEvent id="s"/><task id="o"/><intermediateThrowEvent id="go"><linkEventDefinition name="A"/>'
        '</intermediateThrowEvent><intermediateCatchEvent id="come"><linkEventDefinition name="A"/>'
        '</intermediateCatchEvent><task id="r"/><endEvent id="e"/>' + flows("s>o", "o>go", "come>r", "r>e"),
        {"o": C, "r": R},
    )
    assert pairs(summary) == [("o", "r", TO_STAFF, 1.0)]


def test_message_flows_to_another_pool_are_not_hand_offs() -> None:
    xml = (
        f'<definitions xmlns="{MODEL_NS}" id="d"><collaboration id="c">'
        '<participant id="pa" processRef="p"/><participant id="pb" processRef="q"/>'
        '<messageFlow id="m" sourceRef="o" targetRef="r"/></collaboration>'
        '<process id="p"><startEvent id="s"/><sendTask id="o"/><endEvent id="e"/>' + flows("s>o", "o>e") + "</process>"
        '<process id="q"><startEvent id="s2"/><receiveTask id="r"/><endEvent id="e2"/>' + flows("s2>r", "r>e2")
        + "</process></definitions>"
    )
    definitions = read_bpmn_bytes(xml.encode(), "t.bpmn")
    result = expected_visits(definitions, "p")
    graph = process_graph(definitions, "p", expand_subprocesses=True)
    summary = handoff_summary(graph, {ElementId("o"): C, ElementId("r"): R},
                              {ElementId(k): v for k, v in result.visits.items()}, ())
    assert summary.crossings == () and summary.per_case == 0.0 and summary.contractor_steps == ("o",)


def test_a_graph_that_is_not_a_process_graph_is_refused() -> None:
    with pytest.raises(TypeError, match="MultiDiGraph"):
        handoff_summary(nx.DiGraph(), {}, {}, ())  # type: ignore[arg-type]
    plain = nx.MultiDiGraph()
    plain.add_edge("a", "b", kind="sequence")
    with pytest.raises(TypeError, match="carries no flow node"):
        handoff_summary(plain, {ElementId("a"): C}, {}, ())


def test_a_gateway_loop_that_never_lets_the_case_out_is_an_analysis_error() -> None:
    # Visits as a caller might pass them for a closed gateway loop (the visits solver itself refuses it).
    xml = (f'<definitions xmlns="{MODEL_NS}" id="d"><process id="p"><task id="a"/><task id="b"/>'
           '<exclusiveGateway id="x1"/><exclusiveGateway id="x2"/>'
           + flows("a>x1", "x1>x2", "x2>x1", "x2>b") + "</process></definitions>")
    definitions = read_bpmn_bytes(xml.encode(), "loop.bpmn")
    graph = process_graph(definitions, "p", expand_subprocesses=True)
    visits = {ElementId("a"): 0.0, ElementId("x1"): 1.0, ElementId("x2"): 1.0, ElementId("b"): 0.0}
    branches = [Branch(ElementId("x2"), ElementId("x2_x1"), ElementId("x1"), 1.0, EvidenceSource.SURVEY),
                Branch(ElementId("x2"), ElementId("x2_b"), ElementId("b"), 0.0, EvidenceSource.SURVEY)]
    with pytest.raises(AnalysisError, match="never lets the case out") as caught:
        handoff_summary(graph, {ElementId("a"): C, ElementId("b"): R}, visits, branches)
    assert caught.value.file == "loop.bpmn" and caught.value.hint


def _moves(body: str, overrides: dict[str, float] | None = None) -> dict[tuple[str, str], float]:
    xml = f'<definitions xmlns="{MODEL_NS}" id="d"><process id="p">{body}</process></definitions>'
    definitions = read_bpmn_bytes(xml.encode(), "t.bpmn")
    process = definitions.processes["p"]
    result = expected_visits(definitions, "p", overrides=overrides)
    graph = process_graph(definitions, "p", expand_subprocesses=True)
    steps = [ElementId(n) for n, node in process.nodes.items() if node.category.value == "activity"]
    visits = {ElementId(k): v for k, v in result.visits.items()}
    return {(a, b): v for (a, b), v in step_moves(graph, steps, visits, process_branches(process, result)).items()}


# --------------------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None)
@given(
    sides=st.lists(st.sampled_from([C, R, P, A]), min_size=1, max_size=6).filter(lambda s: C in s),
    back=st.sampled_from([0.0, 0.1, 0.25, 0.5]),
)
def test_a_line_with_a_rework_loop_matches_the_closed_form(sides: list[Disposition], back: float) -> None:
    """A line of steps, optionally looping back from the end with probability ``back``.

    Each step runs 1/(1 − back) times, so each side change along the line
    counts 1/(1 − back) hand-offs, the loop-back back/(1 − back); a loop with
    steps of both sides is a ping-pong.
    """
    ids = [f"t{i}" for i in range(len(sides))]
    body = '<startEvent id="s"/><exclusiveGateway id="m"/><exclusiveGateway id="x"/><endEvent id="e"/>'
    body += "".join(f'<task id="{i}"/>' for i in ids)
    body += flows("s>m", f"m>{ids[0]}", *(f"{a}>{b}" for a, b in itertools.pairwise(ids)),
                  f"{ids[-1]}>x", "x>e", "x>m")
    summary = summarize(body, dict(zip(ids, sides, strict=True)), overrides={"x_m": back})
    scale = 1 / (1 - back)
    people = [d for d in sides if side_of(d) is not None]  # robots and systems only carry the case on
    staff = [side_of(d) is Side.STAFF for d in people]
    expected = {TO_STAFF: 0.0, TO_CONTRACTOR: 0.0}
    for here, there in itertools.pairwise(staff):
        if here != there:
            expected[TO_STAFF if there else TO_CONTRACTOR] += scale
    if back > 0 and staff[-1] != staff[0]:
        expected[TO_STAFF if staff[0] else TO_CONTRACTOR] += back * scale
    assert summary.per_case_to_staff == pytest.approx(expected[TO_STAFF])
    assert summary.per_case_to_contractor == pytest.approx(expected[TO_CONTRACTOR])
    both_sides = len(set(staff)) == 2
    looped = tuple(i for i, d in zip(ids, sides, strict=True) if side_of(d) is not None)
    assert summary.ping_pong == ((looped,) if back > 0 and both_sides else ())
    assert summary.per_case == pytest.approx(sum(c.per_case for c in summary.crossings))


# --------------------------------------------------------------------------- the sample flows


CANDIDATES_PAY = Path(__file__).resolve().parents[1] / "data" / "scoring" / "candidates-pay.toml"
"""Hand-offs follow the recommended plan; under the default prices the cost gate withdraws the sample's
candidates, so these tests of the classified plan's hand-offs price staff hours so that every candidate pays."""


@pytest.fixture(scope="module")
def bundled(flows_dir: Path) -> Assessment:
    paths = sorted(flows_dir.glob("*.bpmn"))
    survey = flows_dir / "survey.xlsx"
    if not paths or not survey.is_file():
        pytest.skip("bundled flows/ not present")
    return assess([read_bpmn(p) for p in paths], survey=load_survey(survey), profile=load_profile(CANDIDATES_PAY))


def process_named(assessment: Assessment, name: str) -> ProcessAssessment:
    return next(p for p in assessment.processes if p.name == name)


def test_every_sample_crossing_joins_real_steps_of_different_sides(bundled: Assessment) -> None:
    for process in bundled.processes:
        summary = process.handoffs
        assert summary is not None, process.name
        steps = {s.step_id: s for s in process.steps}
        contractor = tuple(s.step_id for s in process.steps if side_of(s.disposition) is Side.CONTRACTOR)
        assert summary.contractor_steps == contractor
        for crossing in summary.crossings:
            source, target = steps[crossing.from_id], steps[crossing.to_id]
            assert side_of(source.disposition) is not side_of(target.disposition), crossing
            expected = TO_STAFF if side_of(target.disposition) is Side.STAFF else TO_CONTRACTOR
            assert crossing.direction is expected
            assert 0 < crossing.per_case <= source.visits + 1e-9  # never more moves than the step runs
        by_direction = {d: sum(c.per_case for c in summary.crossings if c.direction is d) for d in Direction}
        assert summary.per_case_to_staff == pytest.approx(by_direction[TO_STAFF])
        assert summary.per_case_to_contractor == pytest.approx(by_direction[TO_CONTRACTOR])
        for loop in summary.ping_pong:
            assert {side_of(steps[s].disposition) for s in loop} == {Side.CONTRACTOR, Side.STAFF}


def test_sample_moves_add_up_to_the_visits(bundled: Assessment) -> None:
    """Every step's runs come from a move from another step, except the first one a case starts with."""
    for process in bundled.processes:
        definitions = read_bpmn(Path(process.file))
        graph = process_graph(definitions, process.process_id, expand_subprocesses=True)
        moves = step_moves(graph, [s.step_id for s in process.steps], process.visits, process.branches)
        assert sum(moves.values()) == pytest.approx(sum(s.visits for s in process.steps) - 1.0), process.name


def test_tennyu_rework_loop_crosses_the_sides(bundled: Assessment) -> None:
    """転入届 (counter-procedures.md §1) under the scorer's dispositions: the 補正 loop is a ping-pong.

    Issue 7 added the safe lot, so the lot as scored is ``handoff_plan.naive``.  In it the counter
    (届書受領, 本人確認) is the contractor's side and the examination (記載内容審査, and 旅券・戸籍附票の確認
    for moves from abroad) the staff's, so every pass crosses to staff once — through the 住基ネット
    receipt, a machine, for card-based moves — and the share p of incomplete forms comes back to the
    counter for 補正: 1/(1−p) passes per case, with p the branch share the visits were solved with.
    """
    process = process_named(bundled, "転入届")
    plan = process.handoff_plan
    assert plan is not None
    summary = plan.naive
    steps = {s.name: s for s in process.steps}
    names = {s.step_id: s.name for s in process.steps}
    assert steps["記載内容審査"].disposition is steps["旅券・戸籍附票の確認"].disposition is R
    assert {"届書受領", "本人確認"} <= {names[s] for s in summary.contractor_steps}
    rework = next(b.probability for b in process.branches if b.via_id == "Flow_TennyuFubiAri")
    assert steps["記載内容審査"].visits == pytest.approx(1 / (1 - rework))
    to_staff = sum(c.per_case for c in summary.crossings if names[c.from_id] == "本人確認")
    assert to_staff == pytest.approx(steps["本人確認"].visits), "each pass goes from the counter to staff once"
    loops = [{names[s] for s in loop} for loop in summary.ping_pong]
    (loop,) = [lp for lp in loops if {"届書受領", "本人確認", "記載内容審査", "補正依頼"} <= lp]
    back = sum(c.per_case for c in summary.crossings if c.direction is TO_CONTRACTOR and names[c.to_id] in loop)
    assert back == pytest.approx(rework / (1 - rework)), "the share p of the passes goes back for 補正"
    assert plan.warning is not None and "補正依頼" in plan.warning.ja


def test_tennyu_safe_lot_moves_the_contractor_side_of_the_loop_to_staff(bundled: Assessment) -> None:
    """Issue 7: the 補正 loop has consequences — its contractor steps go to staff, the flow is re-scored."""
    process = process_named(bundled, "転入届")
    plan = process.handoff_plan
    assert plan is not None and plan.changed
    names = {s.step_id: s.name for s in process.steps}
    loop_contractor = {names[s] for loop in plan.naive.ping_pong for s in loop if s in plan.naive.contractor_steps}
    moved = [m.step_name for m in plan.moved]
    assert set(moved) == loop_contractor and len(moved) == len(loop_contractor)
    assert {"届書受領", "本人確認"} <= set(moved), "the counter side of the 補正 loop"
    assert all(m.reason.code == "handoff-moved" for m in plan.moved)
    steps = {s.name: s for s in process.steps}
    for name in moved:
        assert steps[name].disposition is R and steps[name].proposed is C
        assert steps[name].cost.hours_freed_per_year == 0 and steps[name].rank is None
    assert process.handoffs is plan.safe or process.handoffs == dataclasses.replace(plan.safe,
                                                                                      warning=process.handoffs.warning)
    assert plan.safe.ping_pong == () and plan.safe.warning is None
    assert plan.safe_outsourced_hours < plan.naive_outsourced_hours
    assert plan.safe_hours_freed == pytest.approx(process.totals.hours_freed_per_year)
    assert plan.naive_hours_freed > plan.safe_hours_freed


def test_juminhyo_fragmented_hand_off_fails_and_the_safe_lot_passes(bundled: Assessment) -> None:
    """住民票の写し等の交付: every case goes to staff for short checks (DV, 交付可否) and back to the contractor.

    Issue 7 changed this test: it used to pass as "the lawful pattern" (once each way); a stop of a minute or
    so at staff on every case is a fragmented hand-off, so the contractor steps after it go to staff.
    """
    process = process_named(bundled, "住民票の写し等の交付")
    plan = process.handoff_plan
    assert plan is not None and plan.warning is not None
    assert "細切れ" in plan.warning.ja and "fragmented" in plan.warning.en
    # every case to staff once; back to the contractor unless refused (不交付の説明 stays with staff)
    share = {b.via_id: b.probability for b in process.branches}
    back = 1 - share["Flow_JuminhyoShinsaYo"] * share["Flow_JuminhyoFukofu"]
    assert (plan.naive.per_case_to_staff, plan.naive.per_case_to_contractor) == (pytest.approx(1.0),
                                                                                 pytest.approx(back))
    returns = {c.to_id for c in plan.naive.crossings if c.direction is TO_CONTRACTOR}
    assert returns and returns <= {m.step_id for m in plan.moved}, "the steps the case came back to go to staff"
    assert plan.safe.per_case_to_contractor == 0 and plan.safe.warning is None
    names = {s.step_id: s.name for s in process.steps}
    assert {"申請書受領", "本人確認"} <= {names[s] for s in plan.safe.contractor_steps}, "the contractor still receives"
    assert plan.redesign is not None and "フラグ" in plan.redesign.ja


def test_threshold_comes_from_the_profile(bundled: Assessment, flows_dir: Path, tmp_path: Path) -> None:
    """住民票の写し等の交付: 受付 → staff checks → 交付, once each way and no loop.

    Every case passes the staff's checks once and comes back to the desk for 交付 unless staff refuse it (the
    refusal is explained by staff).  A lenient profile (no fragment minutes, 2 hand-offs each way) lets the lot
    pass unchanged; a strict one (0.5 each way, no fragment minutes) fails it on the count alone.
    """
    share = {b.via_id: b.probability for b in process_named(bundled, "住民票の写し等の交付").branches}
    back = 1 - share["Flow_JuminhyoShinsaYo"] * share["Flow_JuminhyoFukofu"]
    paths = sorted(flows_dir.glob("*.bpmn"))
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("[handoff]\nmax_per_case = 2.0\nmin_staff_minutes = 0\n", encoding="utf-8")
    relaxed = assess([read_bpmn(p) for p in paths], survey=load_survey(flows_dir / "survey.xlsx"),
                     profile=load_profile(lenient))
    plan = process_named(relaxed, "住民票の写し等の交付").handoff_plan
    assert plan is not None and plan.warning is None and not plan.moved and plan.naive.ping_pong == ()
    assert (plan.naive.per_case_to_staff, plan.naive.per_case_to_contractor) == (pytest.approx(1.0),
                                                                                 pytest.approx(back))
    strict = tmp_path / "strict.toml"
    strict.write_text("[handoff]\nmax_per_case = 0.5\nmin_staff_minutes = 0\n", encoding="utf-8")
    tightened = assess([read_bpmn(p) for p in paths], survey=load_survey(flows_dir / "survey.xlsx"),
                       profile=load_profile(strict))
    again = process_named(tightened, "住民票の写し等の交付").handoff_plan
    assert again is not None and again.naive.per_case == pytest.approx(1.0 + back)
    assert again.warning is not None and "各方向0.5回" in again.warning.ja


def test_per_case_adds_both_directions() -> None:
    summary = HandoffSummary(1.0, 0.5, (Crossing(ElementId("a"), ElementId("b"), TO_STAFF, 1.0),))
    assert summary.per_case == 1.5


def test_a_half_minute_staff_check_between_contractor_steps_is_fragmented_and_fixed(tmp_path: Path) -> None:
    """Issue 7: every case goes contractor → staff (a 0.5-min DV check, a 0.5-min 交付可否) → contractor.

    Once each way, but fragmented.  The safe lot hands the case to staff once and keeps it there (the
    contractor steps after the check move to staff); the redesign suggests a system flag so only hits go to staff.
    """
    names = ("申請書受付", "DV支援措置確認", "交付可否判断", "証明書作成", "交付")
    xml = counter_chain_xml(names, ["manualTask"] * len(names), office="市民課")
    sheet = tmp_path / "survey.csv"
    sheet.write_text("業務,手順,件数,処理時間(分),入力形式,判断,使用システム\n住民票の写し等の交付,,90000,,,,\n"
                     "住民票の写し等の交付,申請書受付,,1,紙,無,\n住民票の写し等の交付,DV支援措置確認,,0.5,電子,,住基\n"
                     "住民票の写し等の交付,交付可否判断,,0.5,電子,,住基\n"
                     "住民票の写し等の交付,証明書作成,,1,電子,無,住基\n住民票の写し等の交付,交付,,0.5,紙,無,\n",
                     encoding="utf-8")
    assessment = assess([read_bpmn_bytes(xml, "fragment.bpmn")], survey=load_survey(sheet),
                        profile=load_profile())
    process = assessment.processes[0]
    steps = {s.name: s for s in process.steps}
    plan = process.handoff_plan
    assert plan is not None and plan.warning is not None and "細切れ" in plan.warning.ja
    assert (plan.naive.per_case_to_staff, plan.naive.per_case_to_contractor) == (pytest.approx(1.0),
                                                                                 pytest.approx(1.0))
    assert plan.naive.ping_pong == (), "no loop: only the minutes give it away"
    assert steps["申請書受付"].classified is C  # the cost gate may withdraw it afterwards, never the reverse
    assert steps["交付"].disposition is R and steps["交付"].proposed is C
    assert [m.step_name for m in plan.moved] == ["証明書作成", "交付"]
    assert plan.safe.per_case_to_contractor == 0 and plan.safe.warning is None
    assert plan.redesign is not None and "フラグ" in plan.redesign.ja
    assert [f.rule for f in assessment.findings if f.rule == "handoff-risk"] == ["handoff-risk"]


def test_a_step_the_cost_gate_withdraws_cannot_leave_a_fragmented_hand_off(tmp_path: Path) -> None:
    """Issue 9 wired to issue 7: the cost gate runs after the hand-off check, so its withdrawals are checked again.

    受付 (contractor) → 交付可否判断 (staff, 3 min) → 証明書の作成 → 証明書の準備 → 交付 (contractor) passes the
    check as scored: one hand-off each way, a real examination.  The 会計年度任用 step 証明書の準備 does not pay
    as contract work (its posts cost less than the seats), so the cost gate gives it back to staff — which leaves a
    one-minute staff stop between two contractor steps.  The second check moves the contractor steps after it to
    staff, lists them in the flow's plan, and the money is priced again without them.
    """
    definitions, survey, profile = late_hand_off_case(tmp_path)
    assessment = assess([definitions], survey=survey, profile=profile)
    process = assessment.processes[0]
    steps = {s.name: s for s in process.steps}
    assert steps["証明書の準備"].money is not None and steps["証明書の準備"].money.withdrawn == "cost"
    plan = process.handoff_plan
    assert plan is not None and plan.warning is not None and plan.warning.code == "handoff-after-cost-gate"
    assert [m.step_name for m in plan.moved] == ["証明書の作成", "交付"]
    for name in ("証明書の作成", "交付"):
        assert steps[name].disposition is R and steps[name].proposed is C
        assert steps[name].reasons[0].code == "handoff-moved"
    assert "handoff-risk" in [f.rule for f in assessment.findings]
    final = process.handoffs
    assert final is not None and final.warning is None and final.per_case_to_contractor == 0
    assert all(s.legal is not None and s.disposition in (s.classified, R) for s in process.steps)


def test_a_long_flow_is_solved_in_bounded_memory(tmp_path: Path) -> None:
    """6,000 steps with a gateway after each, under a 600 MB address-space limit.

    Issue 8: the hand-off solve built dense step × step and gateway × gateway
    matrices (over 1 GB here); it now solves each web of gateways on its own.
    """
    chain = tmp_path / "chain.bpmn"
    steps = "".join(
        f'<task id="t{i}"/><exclusiveGateway id="g{i}"/><sequenceFlow id="f{i}" '
        f'sourceRef="{"s" if i == 0 else f"g{i - 1}"}" targetRef="t{i}"/>'
        f'<sequenceFlow id="h{i}" sourceRef="t{i}" targetRef="g{i}"/>'
        for i in range(6_000)
    )
    chain.write_text(f'<definitions xmlns="{MODEL_NS}" id="d"><process id="p"><startEvent id="s"/>{steps}'
                     "</process></definitions>", encoding="utf-8")
    script = """
import sys
from bpm.graph import process_graph
from bpm.model import ElementId
from bpm.reader import read_bpmn
from scoring.handoff import handoff_summary
from scoring.result import Disposition
graph = process_graph(read_bpmn(sys.argv[1]), "p", expand_subprocesses=True)
sides = {ElementId(f"t{i}"): Disposition.OUTSOURCE if i % 2 else Disposition.RETAIN for i in range(6000)}
summary = handoff_summary(graph, sides, dict.fromkeys(graph.nodes, 1.0), ())
print(len(summary.crossings), summary.per_case_to_staff)
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(chain)], capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (600 << 20, 600 << 20)),
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["5999", "2999.0"]


def test_an_existing_contract_is_checked_for_hand_offs_but_never_re_cut(bundled: Assessment) -> None:
    """郵送請求's 委託事業者 lane is a contract in force: its hand-offs with staff are warned about, not moved.

    The check moves only proposals (OUTSOURCE) to staff; the work a contractor already does stays
    委託済み, and the back-and-forth it causes today (補正 loops through staff) is reported.
    """
    process = process_named(bundled, "郵送請求（住民票・戸籍証明）")
    contracted = tuple(s.step_id for s in process.steps if s.disposition is Disposition.CONTRACTED)
    assert contracted, "the bundled 郵送請求 has a 委託事業者 lane"
    summary = process.handoffs
    assert summary is not None and set(contracted) <= set(summary.contractor_steps)
    assert summary.per_case_to_staff > 1.0 and summary.warning is not None
    assert "偽装請負" in summary.warning.ja
    hours = sum(s.visits * s.minutes_per_case for s in process.steps if s.disposition is Disposition.CONTRACTED)
    assert hours > 0  # nothing of the contract moved to staff


def test_the_check_moves_a_proposal_but_never_a_contracted_step() -> None:
    """a → b → c with b a short staff check: c is re-cut to staff when proposed, kept when contracted."""
    xml = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <process id="p"><startEvent id="s"/><task id="a"/><task id="b"/><task id="c"/><endEvent id="e"/>
      <sequenceFlow id="f0" sourceRef="s" targetRef="a"/><sequenceFlow id="f1" sourceRef="a" targetRef="b"/>
      <sequenceFlow id="f2" sourceRef="b" targetRef="c"/><sequenceFlow id="f3" sourceRef="c" targetRef="e"/>
      </process></definitions>"""
    graph = process_graph(read_bpmn_bytes(xml, "x.bpmn"), "p", expand_subprocesses=True)
    ones = dict.fromkeys(graph.nodes, 1.0)
    K = Disposition.CONTRACTED
    proposed = safe_lot(graph, {"a": C, "b": R, "c": C}, ones, [], {"b": 0.5}, max_per_case=1.0,
                        min_staff_minutes=3.0)
    assert sorted(proposed.moved) == ["c"]
    contracted = safe_lot(graph, {"a": K, "b": R, "c": K}, ones, [], {"b": 0.5}, max_per_case=1.0,
                          min_staff_minutes=3.0)
    assert contracted.moved == {}
    assert contracted.safe.contractor_steps == ("a", "c") and contracted.warning is not None
    mixed = safe_lot(graph, {"a": K, "b": R, "c": C}, ones, [], {"b": 0.5}, max_per_case=1.0,
                     min_staff_minutes=3.0)
    assert sorted(mixed.moved) == ["c"]
