"""Library error texts come from the catalogue, in Japanese and English (issue 10 item 4).

Errors raised inside the library carry a catalogue id and its values (:class:`bpm.errors.Say`); the CLI
writes them in the run's language.  These tests walk the library's source for every construction of an
error class, and fail on a literal user text, as tests/cli/test_messages.py does for bpm/cli.py.
"""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest

from bpm.errors import BpmError, BpmnParseError, say
from bpm.messages import placeholders
from bpm.messages_catalogue import MESSAGES
from bpm.messages_library import LIBRARY_MESSAGES

REPO = Path(__file__).resolve().parents[2]
LIBRARY = sorted(p for folder in ("bpm", "scoring", "reports") for p in (REPO / folder).rglob("*.py")
                 if p != REPO / "bpm" / "cli.py")  # cli.py has its own test
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NEUTRAL = {"profile.kind_flag", "procedures.bad_overlay", "lots.in_queue", "cities.bad_value", "visits.note_in_call",
           "lint.node", "lint.list", "lint.with_id", "lint.callee_name", "lint.callee_file"}
"""Ids whose text is the same in both languages (or differs only in quotes and punctuation, 「」 for '')."""


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in LIBRARY}


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """BpmError and every class derived from it in the library (by name, to a fixed point)."""
    names = {"BpmError"}
    grown = True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        (base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")) in names
                        for base in node.bases):
                    names.add(node.name)
                    grown = True
    return names


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _literal_text(node: ast.AST) -> bool:
    """A string literal with words in it anywhere in ``node``, outside the id of a ``say(...)`` call."""
    if isinstance(node, ast.Call) and _called(node) == "say":  # values are names, paths, numbers: no phrases
        return any(isinstance(part, ast.Constant) and isinstance(part.value, str)
                   and re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", part.value) is not None
                   for keyword in node.keywords
                   for part in [keyword.value, *getattr(keyword.value, "values", [])])
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and re.search(r"[A-Za-z]{2,}|[\u3040-\u9fff]", node.value) is not None
    if isinstance(node, ast.JoinedStr):
        return any(_literal_text(value) for value in node.values if isinstance(value, ast.Constant))
    return any(_literal_text(child) for child in ast.iter_child_nodes(node))


def test_no_library_error_carries_a_literal_text() -> None:
    trees = _trees()
    classes = _error_classes(trees)
    assert {"BpmnParseError", "SurveyError", "ProfileError", "MetadataError", "DecisionSheetError"} <= classes
    offenders = []
    constructions = 0
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) in classes:
                constructions += 1
                texts = node.args[:1] + [k.value for k in node.keywords if k.arg in {"message", "hint"}]
                offenders += [f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(text)[:90]}"
                              for text in texts if _literal_text(text)]
    assert constructions > 100  # the walk finds the raise sites
    assert not offenders, "\n".join(offenders)


def _used_ids(trees: dict[Path, ast.Module]) -> set[str]:
    used = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) == "say":
                for arg in node.args[:1]:
                    for value in (arg.body, arg.orelse) if isinstance(arg, ast.IfExp) else (arg,):
                        assert isinstance(value, ast.Constant), ast.unparse(node)  # ids are literal, to be checked
                        used.add(value.value)
    return used


def test_every_library_id_is_used_and_every_used_id_exists() -> None:
    used = _used_ids(_trees())
    assert used - set(LIBRARY_MESSAGES) == set()
    assert set(LIBRARY_MESSAGES) - used == set()
    assert not set(LIBRARY_MESSAGES) & set(MESSAGES)


def test_every_library_message_has_japanese_and_english_with_the_same_placeholders() -> None:
    for key, (ja, en) in LIBRARY_MESSAGES.items():
        assert ja.strip() and en.strip(), key
        assert placeholders(ja) == placeholders(en), key
        if key not in NEUTRAL:
            assert JAPANESE.search(ja), f"{key}: the Japanese text has no Japanese in it: {ja!r}"
            assert ja != en, key


def test_an_error_is_written_in_the_language_asked_with_file_line_and_id_the_same() -> None:
    error = BpmnParseError(say("reader.too_big", size="3.0", limit="2.0"), file="a.bpmn", line=7,
                           element_id="Task_1", hint=say("reader.too_big_hint"))
    assert error.key == "reader.too_big"
    assert error.render("en") == ("a.bpmn:7: file is 3.0 MB, over the 2.0 MB limit [id=Task_1] "
                                  "(raise the limit with --max-size if the file is genuine)")
    assert error.render("ja").startswith("a.bpmn:7: ファイルが 3.0 MB あり、上限の 2.0 MB を超えています [id=Task_1] (")
    assert str(error) == error.render("en")  # the suite runs in English (tests/conftest.py)


@pytest.mark.parametrize("error", [
    BpmnParseError(say("reader.not_bpmn", root="svg", namespace=say("reader.no_namespace")), file="x.bpmn", line=2),
    BpmError("a text written already", file="y.csv", hint="fix it"),
])
def test_errors_cross_a_process_boundary_unchanged(error: BpmError) -> None:
    """Worker processes send their errors back pickled (bpm/pool.py)."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert (back.render("ja"), back.render("en"), back.key) == (error.render("ja"), error.render("en"), error.key)


def test_the_site_builder_says_its_progress_through_the_catalogue() -> None:
    """Progress lines and notices of reports/site.py and reports/outdir.py come between Japanese CLI lines."""
    offenders = []
    for name in ("site.py", "outdir.py"):
        path = REPO / "reports" / name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node) in {"report", "notice", "append"}:
                parts = [a for arg in node.args for a in (arg.elts if isinstance(arg, ast.Tuple) else [arg])]
                offenders += [f"{name}:{node.lineno}: {ast.unparse(part)[:80]}" for part in parts
                              if isinstance(part, ast.Constant | ast.JoinedStr) and _literal_text(part)
                              and re.search(r"[A-Za-z]{3,} [a-z]{2,}", ast.unparse(part))]
    assert not offenders, "\n".join(offenders)


def test_a_progress_line_in_both_languages() -> None:
    assert say("progress.wrote", count=12).render("ja") == "12 個のファイルを書き出しました"
    assert say("progress.wrote", count=12).render("en") == "wrote 12 files"
    assert say("progress.drawing", name="住民票").render("ja") == "住民票 の図を描いています"
