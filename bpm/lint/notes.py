"""What the reader noticed: everything it skipped or repaired (``import-<code>``), and files it refused."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bpm.errors import BpmError, Say, Text, say
from bpm.lint.registry import Finding, Scope, Severity, register_rule
from bpm.model import Definitions, ElementId, ImportNote, NoteLevel, SourceRef

_OWN_RULES = frozenset({"duplicate-id"})
"""Reader note codes reported under a rule of their own (see :mod:`bpm.lint.identity`)."""


def _import_note(files: Sequence[Definitions]) -> Iterator[Finding]:
    """Everything else the reader skipped or repaired, so nothing is lost silently."""
    for definitions in files:
        for note in definitions.notes:
            if note.code in _OWN_RULES:
                continue
            severity = Severity.ERROR if note.level is NoteLevel.ERROR else Severity.WARNING
            yield note_finding(f"import-{note.code}", severity, note, say("lint.import_note_hint"))


def note_finding(rule_id: str, severity: Severity, note: ImportNote, hint: Say) -> Finding:
    """A reader note as a finding: ``message`` in English as noted, plus each language alone for the reader."""
    hint_en, hint_ja = hint.render("en"), hint.render("ja")
    return Finding(rule_id, severity, note.message, note.source, note.element_id, hint_en,
                   note.message_ja or note.message, note.message, hint_ja, hint_en)


register_rule(
    "import-note",
    Severity.WARNING,
    "読み込み時に読み飛ばし・修復した内容（import-<code>）",
    "What the reader skipped or repaired (reported as import-<code>)",
    help="Everything the reader skipped or repaired, so nothing is lost silently; each kind is reported as "
    "import-<code> and can be disabled on its own.",
    run=_import_note,
    scope=Scope.FILE,
)


UNREADABLE_FILE = register_rule(
    "unreadable-file",
    Severity.ERROR,
    "BPMNとして読み込めないファイル",
    "File that could not be read as BPMN",
    help="A file that is not well-formed, hostile, too large or not BPMN is reported instead of aborting the "
    "check, so the other files are still checked and a JSON or SARIF report says which file was skipped.",
)
"""Findings of this rule are made by the caller that reads the files (``bpm lint``), see :func:`unreadable`."""


def unreadable(error: BpmError) -> Finding:
    """The finding for a file the reader refused, with the reader's message, line and hint."""
    message_ja, message_en = _in("ja", error.said), _in("en", error.said)
    hint_ja, hint_en = _in("ja", error.said_hint), _in("en", error.said_hint)
    return Finding(UNREADABLE_FILE.id, UNREADABLE_FILE.severity, message_en, SourceRef(error.file or "", error.line),
                   ElementId(error.element_id) if error.element_id else None, hint_en,
                   message_ja, message_en, hint_ja, hint_en)


def _in(lang: str, text: Text | None) -> str:
    """An error's message or hint in ``lang`` (English for JSON and SARIF, each language for the terminal)."""
    return text.render(lang) if isinstance(text, Say) else (text or "")
