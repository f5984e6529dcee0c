"""Where a builder records its import notes and source references while one file is read."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from bpm.errors import Say
from bpm.model import ElementId, ImportNote, NoteLevel, SourceRef, fast_builder
from bpm.reader_elements import _line

_make_source_ref = fast_builder(SourceRef)


@dataclass
class NoteRecorder:
    """The file, its corrected start-tag lines and the notes made so far; shared by the semantic and DI builders,
    which append to one list so that notes keep the document order."""

    file: str
    lines: dict[etree._Element, int] = field(default_factory=dict)
    """Start-tag lines from :func:`bpm.reader_lines._start_tag_lines`; libxml2's line is the fallback."""
    notes: list[ImportNote] = field(default_factory=list)

    def line(self, element: etree._Element) -> int | None:
        line = self.lines.get(element) if self.lines else None  # most files need no correction at all
        return line if line is not None else _line(element)

    def src(self, element: etree._Element) -> SourceRef:
        """Where ``element`` is written; :meth:`line` inlined (made for every element and most children)."""
        if self.lines:
            line = self.lines.get(element)
            if line is not None:
                return _make_source_ref(self.file, line)
        return _make_source_ref(self.file, element.sourceline or None)  # lxml gives an int, or None when unknown

    def note(
        self,
        code: str,
        message: Say,
        element: etree._Element,
        element_id: str | None = None,
        level: NoteLevel = NoteLevel.WARNING,
    ) -> None:
        """Record a note, written in English and in Japanese now (the model holds plain, comparable text)."""
        self.notes.append(
            ImportNote(code, message.render("en"), self.src(element), ElementId(element_id) if element_id else None,
                       level, message.render("ja"))
        )
