"""Call-activity rules: what a call activity calls, whether it can be found, and whether it calls itself.

The work of a called process is counted where it is called.  A call activity
that names nothing, or a process that is not among the files checked, adds
none of that work; one that (directly or through others) calls its own
process has no finite amount of work at all.

Resolution follows the scoring side, so lint and the figures agree on what a
``calledElement`` means: a process of the same file with that id, else the one
process with that id in the other files, else the one process whose name
matches (NFKC, case and spaces ignored), else a global task with that id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import networkx as nx

from bpm.errors import Say, say
from bpm.lint.levels import node_phrase
from bpm.lint.registry import Hit, Severity, files_rule, rule
from bpm.model import Definitions, FlowNode, GlobalTask, Process, ProcessId, TaskKind


@dataclass(frozen=True, slots=True)
class _Unit:
    """One process of one file."""

    definitions: Definitions
    process: Process

    @property
    def key(self) -> tuple[str, str]:
        return (self.definitions.file, self.process.id)

    def title(self, seen_from: Definitions) -> Say:
        """``process p_b '再審査'``, with the file when it is not the caller's."""
        name = say("lint.callee_name", name=self.process.name) if self.process.name else ""
        where = say("lint.callee_file", file=self.definitions.file) if self.definitions is not seen_from else ""
        return say("lint.callee", id=self.process.id, name=name, where=where)


_SPACE = re.compile(r"\s+")


def _name_key(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True, slots=True)
class _Callees:
    """Everything a calledElement may name, across the files checked together."""

    units: tuple[_Unit, ...]
    global_tasks: tuple[tuple[Definitions, GlobalTask], ...]

    @classmethod
    def of(cls, files: Sequence[Definitions]) -> _Callees:
        return cls(
            tuple(_Unit(d, p) for d in files for p in d.processes.values()),
            tuple((d, g) for d in files for g in d.global_tasks),
        )

    def process(self, called: str, here: Definitions) -> _Unit | None:
        same = [u for u in self.units if u.definitions is here and u.process.id == called]
        if same:
            return same[0]
        elsewhere = [u for u in self.units if u.process.id == called]
        if len(elsewhere) == 1:
            return elsewhere[0]
        by_name = [u for u in self.units if u.process.name and _name_key(u.process.name) == _name_key(called)]
        return by_name[0] if len(by_name) == 1 else None

    def global_task(self, called: str) -> GlobalTask | None:
        return next((g for _, g in self.global_tasks if g.id == called), None)


def _call_activities(definitions: Definitions) -> Iterator[tuple[Process, FlowNode]]:
    for process in definitions.processes.values():
        for node in process.nodes.values():
            if node.kind is TaskKind.CALL_ACTIVITY:
                yield process, node


@rule(
    "missing-called-element",
    Severity.ERROR,
    "呼び出し先（calledElement）のない呼び出しアクティビティ",
    "Call activity that names no process to call",
)
def _missing_called_element(definitions: Definitions) -> Iterator[Hit]:
    """A call activity without a ``calledElement`` calls nothing, so the work it stands for is not counted.

    The report would show it as one step with no content, while the real work
    (a whole sub-procedure) silently drops out of the hours.
    """
    for _, node in _call_activities(definitions):
        if not (node.called_element or "").strip():
            yield Hit(node.source, node.id, say("lint.call_without_target", node=node_phrase(node)),
                      say("lint.call_without_target_hint"))


@files_rule(
    "unresolved-called-element",
    Severity.WARNING,
    "呼び出し先のプロセスが見つからない呼び出しアクティビティ",
    "Call activity whose called process is not among the files checked",
)
def _unresolved_called_element(files: Sequence[Definitions]) -> Iterator[Hit]:
    """The called process is in none of the files checked together, so its work is not counted here.

    The file itself may be fine (the process is often kept in a file of its
    own, or deployed elsewhere), which is why this is a warning and not an
    error: check and scan the files together, and the call resolves.
    """
    callees = _Callees.of(files)
    for definitions in files:
        for _, node in _call_activities(definitions):
            called = (node.called_element or "").strip()
            if not called or callees.process(called, definitions) or callees.global_task(called):
                continue
            yield Hit(node.source, node.id, say("lint.call_unresolved", node=node_phrase(node), called=called),
                      say("lint.call_unresolved_hint"))


@files_rule(
    "recursive-call",
    Severity.ERROR,
    "自分自身を（間接的に）呼び出す呼び出しアクティビティ",
    "Call activity that calls its own process, directly or through others",
)
def _recursive_call(files: Sequence[Definitions]) -> Iterator[Hit]:
    """A process that calls itself (directly, or through the processes it calls) has no bounded amount of work.

    If the call is always reached, a case never finishes; if a branch avoids
    it, the expected work is a recursion the scanner does not solve, and the
    analysis stops at it.  Repetition is modeled as a loop with an exit.  Each
    call activity on the cycle is reported, with the chain of processes.
    """
    callees = _Callees.of(files)
    graph = nx.DiGraph()
    calls: dict[tuple[tuple[str, str], tuple[str, str]], list[FlowNode]] = {}
    units = {u.key: u for u in callees.units}
    for unit in callees.units:
        graph.add_node(unit.key)
        for node in unit.process.nodes.values():
            called = (node.called_element or "").strip()
            if node.kind is not TaskKind.CALL_ACTIVITY or not called:
                continue
            target = callees.process(called, unit.definitions)
            if target is None:
                continue
            graph.add_edge(unit.key, target.key)
            calls.setdefault((unit.key, target.key), []).append(node)
    for (caller, callee), nodes in calls.items():
        here = units[caller].definitions
        if caller != callee and not nx.has_path(graph, callee, caller):
            continue
        chain = [caller, *nx.shortest_path(graph, callee, caller)] if caller != callee else [caller, caller]
        names = " → ".join(units[k].process.id for k in chain)
        for node in nodes:
            yield Hit(node.source, node.id,
                      say("lint.recursive_call", node=node_phrase(node), callee=units[callee].title(here), chain=names),
                      say("lint.recursive_call_hint"))


@rule(
    "global-task-id-clash",
    Severity.ERROR,
    "プロセスと同じIDのグローバルタスク",
    "Global task and process sharing one id",
)
def _global_task_id_clash(definitions: Definitions) -> Iterator[Hit]:
    """A ``globalTask`` and a ``process`` with the same id: a call activity naming it is ambiguous.

    Ids must be unique in a file; here a ``calledElement`` could mean either,
    and tools disagree on which (the scanner takes the process, so the call
    counts a whole process's work where the modeler may have meant one task).
    """
    for task in definitions.global_tasks:
        process = definitions.processes.get(ProcessId(task.id))
        if process is None:
            continue
        yield Hit(task.source, task.id,
                  say("lint.global_task_clash", tag=task.tag, name=task.name or task.id, id=task.id,
                      process=process.name or process.id, line=process.source.line),
                  say("lint.global_task_clash_hint"))
