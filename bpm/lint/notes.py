"""What the reader noticed: everything it skipped or repaired (``import-<code>``), and files it refused."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bpm.errors import BpmError
from bpm.lint.registry import Finding, Scope, Severity, register_rule
from bpm.model import Definitions, NoteLevel, SourceRef

_OWN_RULES = frozenset({"duplicate-id"})
"""Reader note codes reported under a rule of their own (see :mod:`bpm.lint.identity`)."""


def _import_note(files: Sequence[Definitions]) -> Iterator[Finding]:
    """Everything else the reader skipped or repaired, so nothing is lost silently."""
    for definitions in files:
        for note in definitions.notes:
            if note.code in _OWN_RULES:
                continue
            severity = Severity.ERROR if note.level is NoteLevel.ERROR else Severity.WARNING
            yield Finding(f"import-{note.code}", severity, note.message, note.source, note.element_id, _NOTE_HINT)


_NOTE_HINT = "the scanner read the file without it; if it matters, fix it in the modeling tool and export again"


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
    return UNREADABLE_FILE.finding(
        error.message, SourceRef(error.file or "", error.line), error.element_id, error.hint or ""
    )
