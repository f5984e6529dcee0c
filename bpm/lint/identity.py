"""Id rules: one id for two elements, inside one file or across the files of one scan.

Survey rows (手順ID), ``--cases`` and the report's per-step look-ups name
steps, branches and processes by id.  Inside one file the reader keeps the
first element of a repeated id and drops the rest; across files nothing is
dropped, but a "save as" copy that kept its ids makes every look-up by id
ambiguous between the two files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bpm.errors import Say, Text, say
from bpm.lint.levels import listing, node_phrase
from bpm.lint.notes import note_finding
from bpm.lint.registry import Finding, Hit, Scope, Severity, files_rule, register_rule
from bpm.model import Definitions, ElementId, SourceRef


def _duplicate_id(files: Sequence[Definitions]) -> Iterator[Finding]:
    """The reader keeps the first element of an id and drops the others, so part of the model is missing."""
    for definitions in files:
        for note in definitions.notes:
            if note.code == "duplicate-id":
                yield note_finding("duplicate-id", Severity.ERROR, note, say("lint.duplicate_id_hint"))


register_rule(
    "duplicate-id",
    Severity.ERROR,
    "重複した ID",
    "Element id used more than once",
    help="The reader keeps the first element of an id and drops the others, so part of the model is missing.",
    run=_duplicate_id,
    scope=Scope.FILE,
)


@dataclass(frozen=True, slots=True)
class _Use:
    """One element that carries an id."""

    source: SourceRef
    what: Say


def _uses(definitions: Definitions) -> Iterator[tuple[ElementId, _Use]]:
    """The ids something looks up across files: processes, flow nodes and sequence flows."""
    for process in definitions.processes.values():
        yield ElementId(process.id), _Use(process.source, say("lint.process", name=process.name or process.id))
        for node in process.nodes.values():
            yield node.id, _Use(node.source, node_phrase(node))
        for flow in process.flows.values():
            yield flow.id, _Use(flow.source, say("lint.sequence_flow"))


_LISTED = 3
"""How many other places a message names before it says "and N more"."""


@files_rule(
    "duplicate-id-across-files",
    Severity.WARNING,
    "複数ファイルで重複した ID",
    "Same id in two files checked together",
)
def _duplicate_id_across_files(files: Sequence[Definitions]) -> Iterator[Hit]:
    """Two files of one scan use the same id, so every look-up by id can hit the wrong file's element.

    Survey rows, ``--cases`` and per-step figures name processes, steps and
    branches by id; a copy saved under a new name keeps all of them.  Each
    place is reported, naming the other file(s) and line(s).  Only the ids of
    processes, flow nodes and sequence flows are compared: lanes, pools,
    annotations and diagram shapes are not looked up across files, and
    generated ids such as ``BPMNShape_1`` would only add noise.
    """
    places: dict[ElementId, dict[str, _Use]] = {}
    for definitions in files:
        for element_id, use in _uses(definitions):
            places.setdefault(element_id, {}).setdefault(definitions.file, use)
    for element_id, by_file in places.items():
        if len(by_file) < 2:
            continue
        for file, use in by_file.items():
            others: list[Text] = [say("lint.with_id", node=str(u.source), id=u.what)
                                  for f, u in by_file.items() if f != file]
            listed = listing(others[:_LISTED])
            if len(others) > _LISTED:
                listed = say("lint.and_more", items=listed, count=len(others) - _LISTED)
            yield Hit(use.source, element_id, say("lint.duplicate_across_files", what=use.what, id=element_id,
                                                  listed=listed),
                      say("lint.duplicate_across_files_hint"))
