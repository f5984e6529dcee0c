"""Version comparison: a hand-edited before/after pair, small made-up cases, and MIWG exports from two tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpm.diff import (
    DefinitionsDiff,
    FlowChangeKind,
    MatchKind,
    ProcessDiff,
    StepChangeKind,
    diff_definitions,
    normalise_name,
)
from bpm.model import Definitions
from bpm.reader import read_bpmn, read_bpmn_bytes

DATA = Path(__file__).resolve().parents[1] / "data" / "diff"
BEFORE = DATA / "juminhyo_before.bpmn"
AFTER = DATA / "juminhyo_after.bpmn"

HEAD = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'


def _read(xml: str, name: str = "x.bpmn") -> Definitions:
    return read_bpmn_bytes(xml.encode("utf-8"), name)


def _only(diff: DefinitionsDiff) -> ProcessDiff:
    (process,) = diff.processes
    return process


def _steps(process: ProcessDiff) -> list[tuple[str, str, str, str, str | None]]:
    return [(c.kind.value, c.name, c.before, c.after, c.how.value if c.how else None) for c in process.steps]


def _flows(process: ProcessDiff) -> list[tuple[str, str, str, str]]:
    return [(c.kind.value, c.route, c.before, c.after) for c in process.flows]


# --------------------------------------------------------------------------- the before/after pair


def test_before_after_pair_reports_every_kind_of_change() -> None:
    diff = diff_definitions(read_bpmn(BEFORE), read_bpmn(AFTER))
    assert diff.changed
    assert diff.added_processes == diff.removed_processes == ()
    process = _only(diff)
    assert process.name == "住民票の写し等の交付"
    assert _steps(process) == [
        ("removed", "請求資格確認", "窓口（受付・交付）", "", None),
        ("added", "交付記録の登録", "", "住基システム", None),
        ("renamed", "交付申請書の受領", "申請書受領", "交付申請書の受領", "id"),
        ("retyped", "証明書作成・照合", "userTask", "serviceTask", "id"),
        ("moved", "手数料収納", "窓口（受付・交付）", "収納担当", "id"),
    ]
    assert _flows(process) == [
        ("removed", "申請書受領 → 請求資格確認", "", ""),
        ("removed", "請求資格確認 → 本人確認", "", ""),
        ("added", "交付申請書の受領 → 本人確認", "", ""),
        ("condition", "職員審査が必要? → 交付可否判断",
         "必要 [${支援措置対象 || 第三者請求}]",
         "必要（支援措置・第三者・本籍） [${支援措置対象 || 第三者請求 || 本籍記載あり}]"),
        ("rerouted", "交付 → 交付記録の登録", "交付 → 交付完了", "交付 → 交付記録の登録"),
        ("added", "交付記録の登録 → 交付完了", "", ""),
    ]
    assert process.count(StepChangeKind.ADDED) == 1
    assert process.count(FlowChangeKind.ADDED) == 2


def test_recreated_step_is_matched_by_name_and_its_new_flows_by_their_ends() -> None:
    process = _only(diff_definitions(read_bpmn(BEFORE), read_bpmn(AFTER)))
    recreated = next(m for m in process.matches if m.old_id == "Activity_FukofuSetsumei")
    assert (recreated.new_id, recreated.how) == ("Activity_1n7fuko", MatchKind.NAME)
    assert not any("不交付の説明" in c.route for c in process.flows)  # Flow_Fukofu → Flow_0r4f1ko: same branch
    assert all(c.old_id != "Activity_FukofuSetsumei" for c in process.steps)


def test_a_file_compared_with_itself_has_no_changes() -> None:
    definitions = read_bpmn(AFTER)
    process = _only(diff_definitions(definitions, definitions))
    assert not process.changed
    assert {m.how for m in process.matches} == {MatchKind.ID}
    assert len(process.matches) == len(next(iter(definitions.processes.values())).nodes)


# --------------------------------------------------------------------------- matching passes


FLOW = HEAD + """<process id="p" name="転入届">
<laneSet id="ls"><lane id="l1" name="窓口"><flowNodeRef>s</flowNodeRef><flowNodeRef>{a}</flowNodeRef>
<flowNodeRef>{g}</flowNodeRef><flowNodeRef>e</flowNodeRef></lane>
<lane id="l2" name="{lane}"><flowNodeRef>{b}</flowNodeRef><flowNodeRef>{c}</flowNodeRef></lane></laneSet>
<startEvent id="s" name="来庁"/>
<manualTask id="{a}" name="{a_name}"/>
<exclusiveGateway id="{g}"{g_default}/>
<userTask id="{b}" name="確認"/>
<userTask id="{c}" name="確認"/>
<endEvent id="e" name="完了"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="{a}"/>
<sequenceFlow id="f2" sourceRef="{a}" targetRef="{g}"/>
<sequenceFlow id="{yes}" name="{yes_name}" sourceRef="{g}" targetRef="{b}">
<conditionExpression>{cond}</conditionExpression></sequenceFlow>
<sequenceFlow id="f4" name="いいえ" sourceRef="{g}" targetRef="{c}"/>
<sequenceFlow id="f5" sourceRef="{b}" targetRef="e"/>
<sequenceFlow id="f6" sourceRef="{c}" targetRef="e"/>
</process></definitions>"""

BASE = {"a": "a", "a_name": "届書受領", "g": "g", "g_default": "", "b": "b", "c": "c", "lane": "審査",
        "yes": "f3", "yes_name": "はい", "cond": "${ok}"}


def _flow(**changes: str) -> Definitions:
    return _read(FLOW.format(**{**BASE, **changes}))


def test_recreated_and_renamed_step_is_matched_by_its_neighbours() -> None:
    process = _only(diff_definitions(_flow(), _flow(a="a_new", a_name="届書の受領と確認")))
    assert _steps(process) == [("renamed", "届書の受領と確認", "届書受領", "届書の受領と確認", "structure")]
    assert process.flows == ()


def test_unnamed_gateway_recreated_is_matched_without_a_change() -> None:
    process = _only(diff_definitions(_flow(), _flow(g="g_new", yes="f3_new")))
    match = next(m for m in process.matches if m.old_id == "g")
    assert (match.new_id, match.how) == ("g_new", MatchKind.STRUCTURE)
    assert not process.changed


def test_equal_names_are_told_apart_by_position() -> None:
    # Both 確認 steps re-created with new ids and written in the other order: the one behind the
    # yes-branch is still the one behind it (document order alone would swap them).
    xml = FLOW.format(**{**BASE, "b": "b2", "c": "c2"})
    first, second = '<userTask id="b2" name="確認"/>', '<userTask id="c2" name="確認"/>'
    swapped = _read(xml.replace(first, "@").replace(second, first).replace("@", second))
    process = _only(diff_definitions(_flow(), swapped))
    pairs = {m.old_id: (m.new_id, m.how) for m in process.matches}
    assert pairs["b"] == ("b2", MatchKind.NAME) and pairs["c"] == ("c2", MatchKind.NAME)
    assert not process.changed


def test_whitespace_width_and_case_are_not_a_rename() -> None:
    process = _only(diff_definitions(_flow(), _flow(a_name="届書\n受領")))
    assert not process.changed
    assert normalise_name("ＡＢＣ　１２３") == normalise_name("abc123")


def test_lane_move_condition_and_default_changes() -> None:
    after = _flow(lane="審査担当（係長）", yes_name="はい（確認済み）", cond="${ok and checked}",
                  g_default=' default="f4"')
    process = _only(diff_definitions(_flow(), after))
    assert [(c.kind.value, c.name, c.before, c.after) for c in process.steps] == [
        ("moved", "確認", "審査", "審査担当（係長）"),
        ("moved", "確認", "審査", "審査担当（係長）"),
    ]
    assert _flows(process) == [
        ("condition", "g → 確認", "はい [${ok}]", "はい（確認済み） [${ok and checked}]"),
        ("condition", "g → 確認", "いいえ", "いいえ (default)"),
    ]


def test_processes_are_matched_by_id_name_or_content_and_the_rest_reported() -> None:
    one = HEAD + '<process id="{pid}" name="{name}"><task id="t{pid}" name="{task}"/></process></definitions>'
    two = HEAD + ('<process id="p1" name="A"><task id="a" name="受付"/></process>'
                  '<process id="p2" name="B"><task id="b" name="交付"/></process></definitions>')
    renamed = _read(one.format(pid="x", name="別名", task="受付"))
    assert [(p.old_process_id, p.new_process_id) for p in diff_definitions(_read(two), renamed).processes] == [
        ("p1", "x")  # same steps, other id and name
    ]
    diff = diff_definitions(_read(two), renamed)
    assert diff.removed_processes == ("p2",) and diff.added_processes == ()
    unrelated = _read(one.format(pid="q", name="C", task="審査"))
    diff = diff_definitions(_read(two), unrelated)
    assert diff.processes == () and diff.added_processes == ("q",) and diff.removed_processes == ("p1", "p2")
    assert diff.changed


# --------------------------------------------------------------------------- MIWG: one model, two tools


MIWG_PAIRS = (
    # (old tool, old file, new tool, new file, matched nodes per process)
    ("SAP Signavio Process Manager 19.9.0", "A.1.0-export.bpmn", "bpmn.io (Camunda Modeler) 18.6.1",
     "A.1.0-export.bpmn", [5]),
    ("IBM BlueWorks Live April 2014", "A.2.0-export.bpmn", "MID bpanda 2019.05.0.8393", "A.2.0-export.bpmn", [8]),
    ("Trisotech Workflow Modeler 12.6.3", "A.4.0-export.bpmn", "bpmn.io (Camunda Modeler) 18.6.1",
     "A.4.0-export.bpmn", [4, 13]),
    ("Trisotech Workflow Modeler 12.6.3", "B.1.0-export.bpmn", "ARIS 10.2025.07", "B.1.0-export.bpmn", [5, 18, 3]),
)


@pytest.mark.parametrize(("old_tool", "old_name", "new_tool", "new_name", "sizes"), MIWG_PAIRS,
                         ids=[f"{p[1][:5]}-{p[0].split()[0]}-{p[2].split()[0]}" for p in MIWG_PAIRS])
def test_same_model_from_two_tools_has_no_changes(
    miwg_dir: Path, old_tool: str, old_name: str, new_tool: str, new_name: str, sizes: list[int]
) -> None:
    old = read_bpmn(miwg_dir / old_tool / old_name)
    new = read_bpmn(miwg_dir / new_tool / new_name)
    old_ids = {n for p in old.processes.values() for n in p.nodes}
    new_ids = {n for p in new.processes.values() for n in p.nodes}
    assert not old_ids & new_ids, "the pair must have different ids to test matching"
    diff = diff_definitions(old, new)
    assert not diff.changed, [(c.kind, c.name, c.before, c.after) for p in diff.processes for c in p.steps]
    assert [len(p.matches) for p in diff.processes] == sizes
    assert all(m.how is not MatchKind.ID for p in diff.processes for m in p.matches)


def test_unnamed_elements_across_tools_are_matched_by_structure(miwg_dir: Path) -> None:
    old = read_bpmn(miwg_dir / "ADONIS 17.0" / "B.2.0-export.bpmn")
    new = read_bpmn(miwg_dir / "Enterprise Architect 12.0.1207" / "B.2.0-roundtrip.bpmn")
    diff = diff_definitions(old, new)
    assert diff.added_processes == diff.removed_processes == ()
    structural = [m for p in diff.processes for m in p.matches if m.how is MatchKind.STRUCTURE]
    assert len(structural) == 5
    changes = [(c.kind, c.before, c.after, c.how) for p in diff.processes for c in p.steps]
    assert all(kind is StepChangeKind.RENAMED and how is MatchKind.STRUCTURE for kind, _b, _a, how in changes)
    assert sorted((b, a) for _k, b, a, _h in changes) == [
        ("Inclusive Gateway", "Inclusive Gateway 1"),
        ("Intermediate Event (boundary)", ""),
        ("Intermediate Event (boundary)", ""),
        ("Intermediate Event (sequence flow)", ""),
        ("Start Event", "Start Event 7"),
    ]
    assert not any(p.flows for p in diff.processes)
