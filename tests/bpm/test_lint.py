"""Tests for bpm.lint: one hand-written file per rule, a clean file, generated flows and the MIWG suite."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpm.errors import BpmError
from bpm.lint import RULES, Finding, Scope, Severity, has_errors, lint, lint_files, rule_for
from bpm.model import ElementId, EventKind, SourceRef
from bpm.reader import read_bpmn, read_bpmn_bytes
from bpm.visits import expected_visits

DATA = Path(__file__).resolve().parents[1] / "data" / "lint"
MIWG = Path(__file__).resolve().parents[3] / "shared" / "miwg"
FLOWS = Path(__file__).resolve().parents[2] / "flows"


@dataclass(frozen=True)
class Case:
    """What one fixture must produce."""

    rule: str
    """Rule id the fixture is about."""
    hits: tuple[tuple[str, int], ...]
    """Exactly the (element id, line) pairs reported under that rule."""
    also: frozenset[str] = field(default_factory=frozenset)
    """Other rules the same slip inevitably triggers; nothing else may fire."""


CASES: dict[str, Case] = {
    "no-start-event": Case("no-start-event", (("sub", 6), ("p_nostart", 19))),
    "no-end-event": Case("no-end-event", (("p", 3),)),
    "multiple-start-events": Case("multiple-start-events", (("p", 3),)),
    "unreachable": Case("unreachable", (("t2", 9), ("t3", 11), ("e2", 12), ("e3", 13))),
    # t3 has no outgoing flow; its timer boundary event covers only the deadline (issue 8: it used to hide this).
    "dead-end": Case("dead-end", (("t2", 10), ("t3", 11))),
    "loop-without-exit": Case("loop-without-exit", (("merge", 6), ("t5", 9)), frozenset({"implicit-join"})),
    "unpaired-link": Case("unpaired-link", (("throw_b", 11), ("catch_c", 12))),
    "invalid-event-flow": Case("invalid-event-flow", (("e1", 6),)),
    "flow-crosses-subprocess": Case(
        "flow-crosses-subprocess",
        (("f_in", 18), ("f_out", 19)),
        frozenset({"dead-end", "unreachable", "implicit-join"}),
    ),
    "dangling-reference": Case(
        "dangling-reference",
        (("pool_lost", 5), ("mf", 6), ("lane", 10), ("t", 18), ("t", 18), ("f_bad", 22), ("assoc", 24)),
    ),
    "flow-ref-mismatch": Case("flow-ref-mismatch", (("t", 5),)),
    "superfluous-gateway": Case("superfluous-gateway", (("gw", 5),)),
    "conditionless-split": Case("conditionless-split", (("gw", 5),)),
    "implicit-split": Case("implicit-split", (("t", 5),)),
    "conditional-flow": Case("conditional-flow", (("t", 5),)),
    "implicit-join": Case("implicit-join", (("t3", 8),)),
    "unnamed-task": Case("unnamed-task", (("t", 5),)),
    "unnamed-decision": Case("unnamed-decision", (("gw", 5),)),
    "empty-lane": Case("empty-lane", (("lane_vendor", 10),)),
    "empty-pool": Case("empty-pool", (("pool_tax", 5),)),
    "no-lane-assignment": Case("no-lane-assignment", (("e", 12),)),
    "message-flow-disconnected": Case("message-flow-disconnected", (("mf_same", 6),)),
    "message-flow-endpoint": Case("message-flow-endpoint", (("mf_gateway", 6), ("mf_end", 7))),
    "missing-shape": Case("missing-shape", (("t", 5),)),
    "duplicate-id": Case("duplicate-id", (("t", 6),)),
    "import-note": Case("import-unsupported-element", (("ct", 7),)),
    # Added for issue 8.
    "endless-loop": Case("endless-loop", (("merge1", 6), ("merge2", 23)), frozenset({"implicit-split"})),
    "unnamed-link": Case("unnamed-link", (("throw_bare", 6), ("catch_bare", 7))),
    "no-gateway-join-fork": Case("no-gateway-join-fork", (("join_fork", 8),)),
    "event-based-gateway": Case(
        "event-based-gateway", (("ebg_single", 6), ("f_conditional", 25)), frozenset({"superfluous-gateway"})
    ),
    "no-duplicate-sequence-flows": Case(
        "no-duplicate-sequence-flows", (("f2_again", 12),), frozenset({"implicit-split", "implicit-join"})
    ),
    "superfluous-termination": Case("superfluous-termination", (("stop_only", 6), ("stop_esp", 27))),
    "sub-process-blank-start-event": Case("sub-process-blank-start-event", (("sub_typed_start", 6),)),
    "event-sub-process-typed-start-event": Case("event-sub-process-typed-start-event", (("esp_blank_start", 10),)),
    "missing-called-element": Case("missing-called-element", (("p_main_call", 5),)),
    "unresolved-called-element": Case("unresolved-called-element", (("p_lost_call", 6),)),
    "recursive-call": Case("recursive-call", (("p_a_call", 5), ("p_b_call", 12), ("p_self_call", 19))),
    "global-task-id-clash": Case("global-task-id-clash", (("p_identity", 3),)),
    "no-overlapping-elements": Case(
        "no-overlapping-elements", (("t_over", 9), ("t_under", 10), ("t_outside", 13))
    ),
}

NEAR_MISSES: dict[str, frozenset[str]] = {
    "dead-end": frozenset({"t1", "undo", "b_comp"}),
    "endless-loop": frozenset({"merge3", "split3", "decide3", "merge4", "split4"}),
    "unnamed-link": frozenset({"throw_named", "catch_named"}),
    "no-gateway-join-fork": frozenset({"split", "join"}),
    "event-based-gateway": frozenset({"ebg_conditional", "f_plain", "ebg_ok", "f9", "f10"}),
    "no-duplicate-sequence-flows": frozenset({"f2", "f_exempt", "f_paid"}),
    "superfluous-termination": frozenset({"stop_needed", "e3", "stop_parallel"}),
    "sub-process-blank-start-event": frozenset({"sub_blank_start", "esp_start"}),
    "event-sub-process-typed-start-event": frozenset({"esp_timer_start"}),
    "missing-called-element": frozenset({"p_ok_call"}),
    "unresolved-called-element": frozenset({"p_global_call", "p_by_name_call"}),
    "recursive-call": frozenset({"p_top_call"}),
    "global-task-id-clash": frozenset({"gt_fee"}),
    "no-overlapping-elements": frozenset({"t_host", "b_timer", "t_clear", "e_late", "pool_city", "pool_resident"}),
}
"""Elements each fixture holds that look like the defect but are not it (the negative half of the test)."""


@dataclass(frozen=True)
class SetCase:
    """What a fixture folder checked as one set must produce, for rules that compare files."""

    rule: str
    hits: tuple[tuple[str, str, int], ...]
    """Exactly the (file name, element id, line) triples reported under that rule."""
    near_misses: frozenset[str]
    """Ids the files share only in places that are not compared, or that are not shared at all."""


SET_CASES: dict[str, SetCase] = {
    "duplicate-id-across-files": SetCase(
        "duplicate-id-across-files",
        (
            ("juminhyo.bpmn", "StartEvent_1", 5), ("juminhyo.bpmn", "Activity_HoninKakunin", 6),
            ("juminhyo.bpmn", "f1", 9),
            ("tennyu.bpmn", "StartEvent_1", 6), ("tennyu.bpmn", "Activity_HoninKakunin", 7), ("tennyu.bpmn", "f1", 10),
        ),
        frozenset({"Lane_1", "LaneSet_1", "t_issue", "t_enter", "g2", "f2"}),
    ),
}


def _lint_file(name: str) -> list[Finding]:
    return lint(read_bpmn(DATA / f"{name}.bpmn"))


# --------------------------------------------------------------------------- one fixture per rule


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_fixture_triggers_its_rule_at_the_right_element_and_line(fixture: str) -> None:
    case = CASES[fixture]
    findings = _lint_file(fixture)
    hits = sorted((str(f.element_id), f.source.line) for f in findings if f.rule == case.rule)
    assert hits == sorted(case.hits)
    assert {f.rule for f in findings} == {case.rule} | case.also


def test_every_registered_rule_has_a_fixture() -> None:
    """Rules lint computes have fixtures; external ones are made by their callers and tested there.

    (``unreadable-file`` by ``bpm lint``, see tests/bpm/test_lint_cli.py.)
    """
    assert {r.id for r in RULES if r.scope is not Scope.EXTERNAL} == set(CASES) | set(SET_CASES)
    assert "unreadable-file" in {r.id for r in RULES if r.scope is Scope.EXTERNAL}


@pytest.mark.parametrize("fixture", sorted(NEAR_MISSES))
def test_near_misses_in_a_fixture_are_not_reported(fixture: str) -> None:
    definitions = read_bpmn(DATA / f"{fixture}.bpmn")
    present = {str(i) for p in definitions.processes.values() for i in (*p.nodes, *p.flows)}
    present |= {str(p.id) for p in definitions.participants()} | {str(g.id) for g in definitions.global_tasks}
    assert NEAR_MISSES[fixture] <= present, "the fixture lost its near misses"
    flagged = {str(f.element_id) for f in lint(definitions) if f.rule == CASES[fixture].rule}
    assert not flagged & NEAR_MISSES[fixture]


@pytest.mark.parametrize("fixture", sorted(SET_CASES))
def test_files_checked_together_trigger_their_rule(fixture: str) -> None:
    case = SET_CASES[fixture]
    folder = DATA / fixture
    models = [read_bpmn(path) for path in sorted(folder.glob("*.bpmn"))]
    findings = lint_files(models)
    hits = sorted((Path(f.source.file).name, str(f.element_id), f.source.line) for f in findings if f.rule == case.rule)
    assert hits == sorted(case.hits)
    assert {f.rule for f in findings} == {case.rule}
    assert not {str(f.element_id) for f in findings} & case.near_misses
    # Each file alone is clean: the finding is about the set.
    for model in models:
        assert lint(model) == []


def test_rule_registry_is_well_formed() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for each in RULES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", each.id), each.id
        assert each.summary_ja.strip() and each.summary_en.strip()


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_findings_carry_the_rule_severity(fixture: str) -> None:
    severity = {r.id: r.severity for r in RULES}
    for finding in _lint_file(fixture):
        if finding.rule in severity:
            assert finding.severity is severity[finding.rule]


def test_every_finding_names_file_line_element_and_a_hint() -> None:
    paths = sorted(DATA.rglob("*.bpmn"))
    findings = lint_files([read_bpmn(path) for path in paths])
    # External rules (e.g. scoring.legal's procedure templates) are made outside bpm.lint; they register here
    # once their module is imported, so only the rules bpm.lint itself runs are expected.
    own = {r.id for r in RULES if r.scope is not Scope.EXTERNAL}
    assert {f.rule for f in findings} >= own - {"unreadable-file"} - {"import-note"}
    for finding in findings:
        assert finding.source.file.endswith(".bpmn") and finding.source.line, str(finding)
        assert finding.element_id and finding.hint.strip(), str(finding)


def test_clean_file_has_no_findings() -> None:
    assert _lint_file("clean") == []


def test_dead_end_counts_the_steps_stuck_before_it() -> None:
    (finding, _) = [f for f in _lint_file("dead-end") if f.rule == "dead-end"]
    assert finding.element_id == "t2"
    assert "has no outgoing sequence flow" in finding.message
    assert "1 element(s) before it can only end here" in finding.message


def test_loop_without_exit_names_the_loop_members() -> None:
    messages = [f.message for f in _lint_file("loop-without-exit") if f.rule == "loop-without-exit"]
    assert messages == [
        "loop through merge, t2, t3 has no way out to an end event",
        "loop through t5 has no way out to an end event",
    ]


def test_dangling_reference_messages_name_the_missing_target() -> None:
    messages = [f.message for f in _lint_file("dangling-reference") if f.rule == "dangling-reference"]
    for missing in ("p_missing", "nobody", "ghost_node", "f_gone", "f_missing", "ghost", "vanished"):
        assert any(repr(missing) in m or missing in m.split() for m in messages), missing


def test_import_notes_keep_the_reader_level() -> None:
    (finding,) = _lint_file("duplicate-id")
    assert finding.severity is Severity.ERROR
    (note,) = _lint_file("import-note")
    assert note.severity is Severity.WARNING


# --------------------------------------------------------------------------- API behaviour


def test_finding_str_reads_like_a_compiler_message() -> None:
    finding = Finding(
        "dead-end", Severity.ERROR, "task stops here", SourceRef("a.bpmn", 12), ElementId("t1"), "add a flow"
    )
    assert str(finding) == "a.bpmn:12: error dead-end: task stops here [id=t1] (add a flow)"
    bare = Finding("empty-pool", Severity.WARNING, "empty", SourceRef("a.bpmn", None), None)
    assert str(bare) == "a.bpmn: warning empty-pool: empty"


def test_disabled_rules_are_skipped() -> None:
    definitions = read_bpmn(DATA / "flow-crosses-subprocess.bpmn")
    findings = lint(definitions, disabled={"unreachable", "implicit-join"})
    assert {f.rule for f in findings} == {"flow-crosses-subprocess", "dead-end"}


def test_disabling_import_note_skips_every_reader_note() -> None:
    definitions = read_bpmn(DATA / "import-note.bpmn")
    assert lint(definitions, disabled={"import-note"}) == []
    assert lint(definitions, disabled={"import-unsupported-element"}) == []


def test_unknown_disabled_rule_is_a_user_error() -> None:
    definitions = read_bpmn(DATA / "clean.bpmn")
    with pytest.raises(BpmError, match=r"unknown lint rule\(s\): dead-ends") as info:
        lint(definitions, disabled={"dead-ends"})
    assert info.value.hint is not None and "dead-end" in info.value.hint


def test_has_errors() -> None:
    assert has_errors(_lint_file("dead-end"))
    assert not has_errors(_lint_file("implicit-join"))
    assert not has_errors([])


def test_findings_are_sorted_by_file_line_and_rule() -> None:
    findings = _lint_file("flow-crosses-subprocess")
    keys = [(f.source.file, f.source.line or 0, f.rule) for f in findings]
    assert keys == sorted(keys)
    assert findings == _lint_file("flow-crosses-subprocess")


def test_boundary_event_on_a_reachable_host_is_reachable() -> None:
    unreachable = {f.element_id for f in _lint_file("unreachable") if f.rule == "unreachable"}
    assert "b_ok" not in unreachable and "e4" not in unreachable
    # The orphan host is reported, not its boundary event; what follows the boundary event is.
    assert "t2" in unreachable and "b_orphan" not in unreachable and "e3" in unreachable
    # Event sub-process content is started by its own start event.
    assert not unreachable & {"esp", "esp_s", "esp_t", "esp_e"}


# --------------------------------------------------------------------------- generated flows


@dataclass
class _Builder:
    """Writes block-structured processes, which are sound by construction."""

    lines: list[str] = field(default_factory=list)
    flows: list[tuple[str, str, str]] = field(default_factory=list)
    counter: int = 0

    def new(self, tag: str, name: str = "", extra: str = "") -> str:
        self.counter += 1
        ident = f"n{self.counter}"
        label = f' name="{name}"' if name else ""
        self.lines.append(f'<{tag} id="{ident}"{label}{extra}/>')
        return ident

    def flow(self, source: str, target: str, name: str = "") -> None:
        self.flows.append((source, target, name))

    def emit(self, block: object) -> tuple[str, str]:
        """Entry and exit node of a block."""
        if block == "task":
            task = self.new("userTask", f"作業{self.counter + 1}")
            return task, task
        assert isinstance(block, tuple)
        kind, children = block
        if kind == "seq":
            first_in, last_out = self.emit(children[0])
            for child in children[1:]:
                entry, exit_ = self.emit(child)
                self.flow(last_out, entry)
                last_out = exit_
            return first_in, last_out
        if kind in ("xor", "and"):
            tag = "exclusiveGateway" if kind == "xor" else "parallelGateway"
            split = self.new(tag, "判断?" if kind == "xor" else "")
            join = self.new(tag)
            for number, child in enumerate(children):
                entry, exit_ = self.emit(child)
                self.flow(split, entry, f"条件{number}" if kind == "xor" else "")
                self.flow(exit_, join)
            return split, join
        assert kind == "loop"
        merge = self.new("exclusiveGateway")
        entry, exit_ = self.emit(children[0])
        check = self.new("exclusiveGateway", "完了?")
        after = self.new("task", "確認する")
        self.flow(merge, entry)
        self.flow(exit_, check)
        self.flow(check, merge, "やり直し")
        self.flow(check, after, "完了")
        return merge, after

    def document(self, block: object) -> tuple[bytes, list[str]]:
        start = self.new("startEvent")
        entry, exit_ = self.emit(block)
        end = self.new("endEvent")
        self.flow(start, entry)
        self.flow(exit_, end)
        flow_ids = [f"f{i}" for i in range(len(self.flows))]
        flow_lines = [
            f'<sequenceFlow id="{fid}" sourceRef="{s}" targetRef="{t}"' + (f' name="{n}"' if n else "") + "/>"
            for fid, (s, t, n) in zip(flow_ids, self.flows, strict=True)
        ]
        xml = (
            '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n<process id="p">\n'
            + "\n".join(self.lines + flow_lines)
            + "\n</process>\n</definitions>\n"
        )
        return xml.encode(), flow_ids


_blocks = st.recursive(
    st.just("task"),
    lambda inner: st.one_of(
        st.tuples(st.just("seq"), st.lists(inner, min_size=2, max_size=3)),
        st.tuples(st.sampled_from(["xor", "and"]), st.lists(inner, min_size=2, max_size=3)),
        st.tuples(st.just("loop"), st.tuples(inner)),
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_blocks)
def test_block_structured_processes_are_clean(block: object) -> None:
    xml, _ = _Builder().document(block)
    assert lint(read_bpmn_bytes(xml, "generated.bpmn")) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_blocks, st.data())
def test_removing_any_flow_is_noticed(block: object, data: st.DataObject) -> None:
    xml, flow_ids = _Builder().document(block)
    victim = data.draw(st.sampled_from(flow_ids))
    broken = re.sub(rf'<sequenceFlow id="{victim}" [^>]*/>\n?'.encode(), b"", xml)
    assert broken != xml
    assert lint(read_bpmn_bytes(broken, "generated.bpmn")) != []


# --------------------------------------------------------------------------- real files


def _miwg_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        pytest.skip(f"MIWG sample not found at {folder}")
    return sorted(folder.rglob("*.bpmn"))


def test_miwg_reference_files_lint_without_false_structure_errors() -> None:
    """Reference models are correct BPMN; only their unnamed decision branches are real findings."""
    summary: Counter[str] = Counter()
    for path in _miwg_files(MIWG / "Reference"):
        definitions = read_bpmn(path)
        findings = lint(definitions)
        summary.update(f.rule for f in findings)
        errors = {f.rule for f in findings if f.severity is Severity.ERROR}
        assert errors <= {"conditionless-split"}, (path.name, [str(f) for f in findings])
        boundary = {n.id for p in definitions.processes.values() for n in p.nodes.values()
                    if n.kind is EventKind.BOUNDARY}
        assert not {f.element_id for f in findings} & boundary, path.name
    print("\nlint findings on MIWG Reference/:", dict(sorted(summary.items())))
    assert summary["conditionless-split"] > 0  # the A.2.0 split really has bare branches


def test_boundary_events_written_inside_their_host_belong_to_the_host_level() -> None:
    """Visual Paradigm nests boundary events in the sub-process they are attached to."""
    path = MIWG / "Visual Paradigm 11.1" / "A.3.0-roundtrip.bpmn"
    if not path.is_file():
        pytest.skip("MIWG sample not found")
    definitions = read_bpmn(path)
    boundary = {n.id for p in definitions.processes.values() for n in p.nodes.values()
                if n.kind is EventKind.BOUNDARY}
    assert boundary
    flagged = {f.element_id for f in lint(definitions) if f.rule in ("unreachable", "dead-end")}
    assert not flagged & boundary


def test_whole_miwg_folder_lints() -> None:
    """Every reference file lints without an exception; speed is measured in bench/run.py, not here."""
    models = [read_bpmn(path) for path in _miwg_files(MIWG)]
    counts: Counter[str] = Counter()
    for definitions in models:
        counts.update(f.rule for f in lint(definitions))
    assert counts, "real exports have findings (e.g. unnamed tasks in the MIWG test models)"
    known = {rule.id for rule in RULES}
    assert all(rule in known or rule.startswith("import-") for rule in counts), set(counts) - known


def test_sample_flows_have_no_lint_errors() -> None:
    paths = sorted(FLOWS.glob("*.bpmn"))
    if not paths:
        pytest.skip("no sample flows yet")
    for path in paths:
        errors = [str(f) for f in lint(read_bpmn(path)) if f.severity is Severity.ERROR]
        assert errors == [], path.name
    together = lint_files([read_bpmn(path) for path in paths])  # as `bpm scan flows/` checks them
    assert [str(f) for f in together if f.severity is Severity.ERROR] == []


def test_rule_for_maps_finding_ids_to_registered_rules() -> None:
    for fixture in CASES:
        for finding in _lint_file(fixture):
            found = rule_for(finding.rule)
            assert found is not None, finding.rule
    assert rule_for("import-") is None


def test_links_pair_by_the_link_definition_name_as_the_analysis_does() -> None:
    """Event names differ ("審査へ進む" / "審査から"), the link definitions agree ("A"): one pair, no finding.

    bpm.visits pairs them by the same key (FlowNode.link_key); lint used to
    compare the event names and called both ends unpaired.
    """
    xml = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <process id="p" name="転出届"><startEvent id="s"/><task id="t1" name="受付する"/>
      <intermediateThrowEvent id="go" name="審査へ進む"><linkEventDefinition name="A"/></intermediateThrowEvent>
      <intermediateCatchEvent id="come" name="審査から"><linkEventDefinition name="A"/></intermediateCatchEvent>
      <task id="t2" name="審査する"/><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="t1"/><sequenceFlow id="f2" sourceRef="t1" targetRef="go"/>
      <sequenceFlow id="f3" sourceRef="come" targetRef="t2"/><sequenceFlow id="f4" sourceRef="t2" targetRef="e"/>
      </process></definitions>""".encode()
    definitions = read_bpmn_bytes(xml, "links.bpmn")
    assert [f.rule for f in lint(definitions)] == []
    assert expected_visits(definitions, "p").visits["t2"] == 1.0
