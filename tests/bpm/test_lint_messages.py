"""Lint findings, reader notes and the site writers' notices come from the catalogue (issue 10 item 4).

A Japanese reader sees them on the terminal (``bpm lint``, ``bpm scan``) and on the site's flow pages, so
each is a catalogue id of bpm/messages_library.py with its values, written in Japanese and in English.
These tests walk the source of the modules that make them and fail on a literal user text, as
tests/bpm/test_library_messages.py does for raise sites; and they run ``bpm lint`` in Japanese and in
English on flawed files.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpm.cli import main
from bpm.errors import say
from bpm.lint import lint_files
from bpm.lint.registry import Hit, Severity
from bpm.model import ElementId, SourceRef
from bpm.reader import read_bpmn
from reports.views import FindingView, _each_language

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "lint"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

SPEAKERS = {
    **{path: {"Hit", "Finding", "finding", "note_finding"} for path in sorted((REPO / "bpm" / "lint").glob("*.py"))},
    REPO / "bpm" / "reader.py": {"note"},
    REPO / "bpm" / "reader_di.py": {"note"},
    REPO / "reports" / "publish.py": {"notice", "tell", "report"},
    REPO / "reports" / "downloads.py": {"tell"},
    REPO / "reports" / "compare_site.py": {"notice", "report"},
}
"""Each module that speaks to the user outside an error → the calls that carry its texts."""

_WORDS = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}|[\u3040-\u9fff]")
"""A phrase: two words, or any Japanese (an id, a path or a BPMN tag has neither)."""


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _literal_text(node: ast.AST) -> bool:
    """A string literal with a phrase in it anywhere in ``node``, outside a ``say(...)`` call (ids and values)."""
    if isinstance(node, ast.Call) and _called(node) == "say":
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and _WORDS.search(node.value) is not None
    if isinstance(node, ast.JoinedStr):
        return any(_literal_text(value) for value in node.values if isinstance(value, ast.Constant))
    return any(_literal_text(child) for child in ast.iter_child_nodes(node))


def _texts(call: ast.Call, name: str) -> list[ast.expr]:
    """The arguments of a call that hold user text (ids, rule ids, severities and places are not text)."""
    keywords = [k.value for k in call.keywords if k.arg in {"message", "hint"}]
    if name == "Hit":
        return [*call.args[2:4], *keywords]
    if name == "Finding":  # rule, severity, message, source, element id, hint, then the one-language texts
        return [*call.args[2:3], *call.args[5:], *keywords]
    if name == "finding":  # Rule.finding(message, source, element_id, hint)
        return [*call.args[:1], *call.args[3:4], *keywords]
    if name == "note_finding":
        return call.args[3:4]
    if name == "note":
        return [*call.args[1:2], *keywords]
    return list(call.args)


def test_no_finding_note_or_notice_carries_a_literal_text() -> None:
    offenders, calls = [], 0
    for path, names in SPEAKERS.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (name := _called(node)) in names:
                calls += 1
                offenders += [f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(text)[:90]}"
                              for text in _texts(node, name) if _literal_text(text)]
    assert calls >= 80  # the walk finds the rules' hits, the reader's notes and the notices
    assert not offenders, "\n".join(offenders)


def test_the_walk_would_catch_a_literal_text() -> None:
    """The check above can fail: a literal English message in a Hit is an offender, a catalogue id is not."""
    bad = ast.parse('Hit(node.source, node.id, f"{x} has no name", "name it")').body[0]
    good = ast.parse('Hit(node.source, node.id, say("lint.unnamed_task", kind=k), say("lint.unnamed_task_hint"))')
    assert isinstance(bad, ast.Expr) and isinstance(bad.value, ast.Call)
    assert all(_literal_text(text) for text in _texts(bad.value, "Hit"))
    call = good.body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert not any(_literal_text(text) for text in _texts(call.value, "Hit"))


def test_a_hit_becomes_a_finding_in_both_languages_with_english_as_the_message() -> None:
    hit = Hit(SourceRef("a.bpmn", 4), ElementId("t"), say("lint.no_lane", node=say("lint.node", kind="task",
                                                                                       name="受付する")),
              say("lint.no_lane_hint"))
    finding = hit.finding("no-lane-assignment", Severity.WARNING)
    assert finding.message == finding.message_en == "task '受付する' is in no lane"
    assert finding.message_ja == "task「受付する」がどのレーンにも入っていません"
    assert finding.hint == finding.hint_en == "move it into the lane of the role that performs it"
    assert finding.line("ja") == ("a.bpmn:4: warning no-lane-assignment: "
                                  "task「受付する」がどのレーンにも入っていません [id=t] "
                                  "(その手順を行う役割のレーンに移してください)")
    assert finding.line("en").startswith("a.bpmn:4: warning no-lane-assignment: task '受付する' is in no lane [id=t]")


def test_the_site_shows_each_language_on_its_page() -> None:
    (finding,) = [f for f in lint_files([read_bpmn(DATA / "dead-end.bpmn")]) if f.rule == "dead-end"][:1]
    message, hint = _each_language(finding, "message"), _each_language(finding, "hint")
    assert JAPANESE.search(message.ja) and "シーケンスフロー" in message.ja
    assert message.en == finding.message and not JAPANESE.search(message.en.replace("保留する", ""))
    assert "終了イベント" in hint.ja and hint.en == finding.hint
    assert "message" in FindingView.__dataclass_fields__


@pytest.mark.parametrize("name", ["dead-end.bpmn", "endless-loop.bpmn", "dangling-reference.bpmn",
                                  "duplicate-id.bpmn", "import-note.bpmn", "no-overlapping-elements.bpmn"])
def test_bpm_lint_in_japanese_prints_japanese_with_file_line_and_id(name: str) -> None:
    path = DATA / name
    args = ["lint", str(path), "--disable=procedure-decision-missing", "--disable=procedure-unknown"]
    ja = CliRunner().invoke(main, ["--lang", "ja", *args], catch_exceptions=False)
    en = CliRunner().invoke(main, ["--lang", "en", *args], catch_exceptions=False)
    ja_lines, en_lines = ja.stdout.splitlines(), en.stdout.splitlines()
    assert ja_lines and len(ja_lines) == len(en_lines)
    for ja_line, en_line in zip(ja_lines, en_lines, strict=True):
        place = re.match(r"^(\S+:\d+: \w+ [\w-]+: )", en_line)
        assert place is not None and ja_line.startswith(place.group(1)), (ja_line, en_line)
        ja_text = ja_line[len(place.group(1)):]
        assert JAPANESE.search(ja_text), ja_line  # the message itself is Japanese, not only a quoted name
        assert re.search(r"\b(?:has|is|the|of|and|cannot)\b", ja_text) is None, ja_line
        ids = re.findall(r"\[id=[^\]]+\]", en_line)
        assert ids == re.findall(r"\[id=[^\]]+\]", ja_line)
    assert ja.stderr.strip().startswith("1 個のファイルを確認しました: エラー ")
    assert en.stderr.strip().startswith("1 file(s) checked: ")


def test_json_keeps_english_messages_in_a_japanese_run() -> None:
    path = DATA / "dead-end.bpmn"
    ja = CliRunner().invoke(main, ["--lang", "ja", "lint", "--format", "json", str(path)], catch_exceptions=False)
    en = CliRunner().invoke(main, ["--lang", "en", "lint", "--format", "json", str(path)], catch_exceptions=False)
    ja_findings = [(f["rule"], f["message"], f["hint"]) for f in json.loads(ja.stdout)["findings"]
                   if not f["rule"].startswith("procedure-")]
    en_findings = [(f["rule"], f["message"], f["hint"]) for f in json.loads(en.stdout)["findings"]
                   if not f["rule"].startswith("procedure-")]
    assert ja_findings == en_findings and ja_findings
    assert any("a case stops here" in message for _, message, _ in ja_findings)


@pytest.mark.parametrize("name", ["unreachable.bpmn", "missing-called-element.bpmn"])
def test_uncounted_work_reads_as_a_japanese_data_gap(name: str) -> None:
    """The visits' unreachable-step and call notes reach データの不足 and `bpm score` as Japanese sentences."""
    from reports.gap_text import gap_message
    from scoring.assess import assess
    from scoring.profile import load_profile

    assessment = assess((read_bpmn(DATA / name),), profile=load_profile())
    gaps = [g for g in assessment.gaps if g.kind.startswith("uncounted-")]
    assert gaps
    for gap in gaps:
        text = gap_message(gap)
        assert "作業量を数えていません" in text.ja and "not counted" not in text.ja, text.ja
        assert text.en == gap.message and "not counted" in text.en
