"""``bpm lint`` as a user and a CI system run it: formats, files checked together, unreadable files, rule lists.

The command runs in-process through click's runner (the real ``bpm.cli.main``);
tests/cli covers the subprocess entry point.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bpm.cli import main
from bpm.lint import RULES, Severity, lint_files, register_rule, unregister_rule
from bpm.reader import read_bpmn

DATA = Path(__file__).resolve().parents[1] / "data" / "lint"
ACROSS = DATA / "duplicate-id-across-files"


TEMPLATE_RULES = ("procedure-decision-missing", "procedure-unknown")
"""The legal gate's procedure-template rules (scoring.legal): these fixtures are about structure, and several are
named after real procedures without drawing their decisions, so those findings are tested in tests/scoring."""


def bpm(*args: str) -> Result:
    if args and args[0] == "lint" and "--list-rules" not in args:
        args = (*args, *(f"--disable={rule}" for rule in TEMPLATE_RULES))
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_text_output_is_one_line_per_finding_and_a_summary_on_stderr() -> None:
    result = bpm("lint", str(DATA / "endless-loop.bpmn"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{DATA / 'endless-loop.bpmn'}:6: error endless-loop: loop through merge1, a1, split1")
    assert result.stderr.strip() == "1 file(s) checked: 2 error(s), 1 warning(s), 0 info(s)"


def test_files_given_together_are_checked_against_each_other() -> None:
    result = bpm("lint", str(ACROSS))
    assert result.exit_code == 0  # warnings only
    step = [line for line in result.stdout.splitlines() if "[id=Activity_HoninKakunin]" in line]
    assert len(step) == 2
    first, second = step
    assert first.startswith(f"{ACROSS / 'juminhyo.bpmn'}:6: warning duplicate-id-across-files:")
    assert f"also used in {ACROSS / 'tennyu.bpmn'}:7" in first
    assert second.startswith(f"{ACROSS / 'tennyu.bpmn'}:7: warning duplicate-id-across-files:")
    assert f"also used in {ACROSS / 'juminhyo.bpmn'}:6" in second


def test_a_call_into_another_file_resolves_when_both_are_checked(tmp_path: Path) -> None:
    caller = tmp_path / "caller.bpmn"
    callee = tmp_path / "callee.bpmn"
    caller.write_text(_calling("p_main", "p_notify"), encoding="utf-8")
    callee.write_text(_calling("p_notify", "p_other"), encoding="utf-8")
    alone = bpm("lint", str(caller))
    assert "unresolved-called-element" in alone.stdout and "'p_notify'" in alone.stdout
    together = bpm("lint", "--format", "json", str(caller), str(callee))
    flagged = {(Path(f["file"]).name, f["rule"]) for f in json.loads(together.stdout)["findings"]}
    assert flagged == {("callee.bpmn", "unresolved-called-element")}


def _calling(process: str, called: str) -> str:
    return f"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="{process}" name="{process}"><startEvent id="{process}_s"/>
    <callActivity id="{process}_call" name="呼び出す" calledElement="{called}"/><endEvent id="{process}_e"/>
    <sequenceFlow id="{process}_f1" sourceRef="{process}_s" targetRef="{process}_call"/>
    <sequenceFlow id="{process}_f2" sourceRef="{process}_call" targetRef="{process}_e"/>
  </process></definitions>"""


def test_json_output_lists_files_counts_and_findings() -> None:
    result = bpm("lint", "--format", "json", str(DATA / "no-duplicate-sequence-flows.bpmn"))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["tool"] == "bpm lint" and document["version"]
    assert document["files"] == [str(DATA / "no-duplicate-sequence-flows.bpmn")]
    assert document["counts"] == {"error": 1, "warning": 3, "info": 0}
    (duplicate,) = [f for f in document["findings"] if f["rule"] == "no-duplicate-sequence-flows"]
    assert duplicate == {
        "rule": "no-duplicate-sequence-flows",
        "severity": "error",
        "file": str(DATA / "no-duplicate-sequence-flows.bpmn"),
        "line": 12,
        "element_id": "f2_again",
        "message": "sequence flow f2_again from t1 to t2 duplicates f2 (same source, target and condition), "
        "so its target runs twice",
        "hint": "delete the duplicate flow in the modeling tool",
    }


def test_json_findings_are_the_library_findings() -> None:
    paths = [DATA / "recursive-call.bpmn", DATA / "unresolved-called-element.bpmn"]
    document = json.loads(bpm("lint", "--format", "json", *map(str, paths)).stdout)
    expected = lint_files([read_bpmn(p) for p in paths])
    assert [(f["rule"], f["line"], f["element_id"], f["message"]) for f in document["findings"]] == [
        (f.rule, f.source.line, f.element_id, f.message) for f in expected
    ]


def test_report_goes_to_the_file_named_by_out(tmp_path: Path) -> None:
    out = tmp_path / "lint.sarif"
    result = bpm("lint", "--format", "sarif", "-o", str(out), str(DATA / "clean.bpmn"))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"] == []


def test_unwritable_out_is_a_one_line_error(tmp_path: Path) -> None:
    result = bpm("lint", "-o", str(tmp_path / "missing" / "x.txt"), str(DATA / "clean.bpmn"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path / 'missing' / 'x.txt'}: cannot write the report:")


def test_an_unreadable_file_is_reported_and_the_others_are_still_checked(tmp_path: Path) -> None:
    shutil.copy(DATA / "unnamed-link.bpmn", tmp_path / "a.bpmn")
    (tmp_path / "b.bpmn").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    result = bpm("lint", "--format", "json", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.bpmn'}:2: not a BPMN 2.0 file" in result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert {(Path(f["file"]).name, f["rule"]) for f in findings} == {
        ("a.bpmn", "unnamed-link"),
        ("b.bpmn", "unreadable-file"),
    }
    (refused,) = [f for f in findings if f["rule"] == "unreadable-file"]
    assert refused["line"] == 2 and refused["severity"] == "error"
    assert refused["message"].startswith("not a BPMN 2.0 file: root element is <svg>")


def test_list_rules_shows_every_rule_with_its_severity() -> None:
    result = bpm("lint", "--list-rules")
    assert result.exit_code == 0
    listed = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()}
    assert listed == {r.id: r.severity.value for r in RULES}
    assert len(listed) >= 41  # 26 before issue 8; rules registered by other packages may follow


def test_list_rules_as_json_carries_summaries_scope_and_help() -> None:
    rules = json.loads(bpm("lint", "--list-rules", "--format", "json").stdout)
    assert [r["id"] for r in rules] == [r.id for r in RULES]
    by_id = {r["id"]: r for r in rules}
    assert by_id["endless-loop"]["scope"] == "file"
    assert by_id["duplicate-id-across-files"]["scope"] == "files"
    assert by_id["unreadable-file"]["scope"] == "external"
    for rule in rules:
        assert rule["summary_ja"] and rule["summary_en"] and rule["help"], rule["id"]


def test_unknown_rule_to_disable_is_a_usage_error() -> None:
    result = bpm("lint", "--disable", "dead-ends", str(DATA / "clean.bpmn"))
    assert result.exit_code == 2
    assert "unknown rule(s): dead-ends" in result.stderr


def test_disabling_a_cross_file_rule() -> None:
    result = bpm("lint", "--disable", "duplicate-id-across-files", str(ACROSS))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no findings" in result.stderr


def test_a_rule_registered_outside_lint_is_listed_and_can_be_disabled() -> None:
    """The scoring side registers rules whose findings it computes (e.g. procedure templates)."""
    external = register_rule("procedure-template-test", Severity.WARNING, "テスト", "Test rule", help="For a test.")
    try:
        assert "procedure-template-test" in bpm("lint", "--list-rules").stdout
        assert bpm("lint", "--disable", "procedure-template-test", str(DATA / "clean.bpmn")).exit_code == 0
        finding = external.finding("step looks like 転入届 審査", read_bpmn(DATA / "clean.bpmn").source, "t")
        assert str(finding).endswith("warning procedure-template-test: step looks like 転入届 審査 [id=t]")
    finally:
        unregister_rule("procedure-template-test")
    assert "procedure-template-test" not in {r.id for r in RULES}


def test_score_notes_what_only_shows_across_files(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = bpm("score", str(ACROSS), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "warning duplicate-id-across-files:" in line]
    assert len(notes) == 6
    assert all(line.startswith("note: ") for line in notes)


def test_inspect_resolves_calls_between_the_files_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "caller.bpmn").write_text(_calling("p_main", "p_notify"), encoding="utf-8")
    (tmp_path / "callee.bpmn").write_text(_calling("p_notify", "p_main"), encoding="utf-8")
    result = bpm("inspect", str(tmp_path))
    assert "recursive-call" in result.stdout
    assert "unresolved-called-element" not in result.stdout
    assert result.exit_code == 1


@pytest.mark.parametrize("fixture", ["clean", "import-note"])
def test_exit_code_follows_error_findings(fixture: str) -> None:
    result = bpm("lint", str(DATA / f"{fixture}.bpmn"))
    errors = [f for f in lint_files([read_bpmn(DATA / f"{fixture}.bpmn")]) if f.severity is Severity.ERROR]
    assert result.exit_code == (1 if errors else 0)
