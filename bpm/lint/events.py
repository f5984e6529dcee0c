"""Event rules: start events that do not fit their sub-process, and end events that say more than they do."""

from __future__ import annotations

from collections.abc import Iterator

from bpm.errors import say
from bpm.lint.levels import all_levels, is_event_sub_process, node_phrase, sub_process_phrase
from bpm.lint.loops import endless_cycles
from bpm.lint.registry import Hit, Severity, rule
from bpm.model import Definitions, EventKind, EventTrigger, FlowNode, Process, TaskKind


def _sub_processes(process: Process, *, event_triggered: bool) -> Iterator[FlowNode]:
    for node in process.nodes.values():
        if isinstance(node.kind, TaskKind) and node.kind.is_container and node.triggered_by_event == event_triggered:
            yield node


def _start_events_in(process: Process, container: FlowNode) -> Iterator[FlowNode]:
    for node in process.nodes.values():
        if node.kind is EventKind.START and node.parent_id == container.id:
            yield node


def _triggers(node: FlowNode) -> str:
    return ", ".join(t.value for t in node.triggers)


@rule(
    "sub-process-blank-start-event",
    Severity.WARNING,
    "通常のサブプロセス内の種類付き開始イベント",
    "Start event with a trigger inside an ordinary sub-process",
)
def _sub_process_blank_start_event(definitions: Definitions) -> Iterator[Hit]:
    """An ordinary sub-process starts when the flow reaches it, so its start event cannot wait for a trigger.

    A message or timer marker on it suggests a wait that never happens (the
    scanner counts no waiting time there); if the event should start the
    content, the sub-process is an event sub-process.  Mirrors bpmnlint's
    ``sub-process-blank-start-event`` (sub-processes, transactions and ad-hoc
    sub-processes that are not triggered by an event).  Deliberate difference:
    an event definition referenced through ``eventDefinitionRef`` counts as a
    trigger here; bpmnlint looks only at definitions written inside the event.
    """
    for process in definitions.processes.values():
        for container in _sub_processes(process, event_triggered=False):
            for start in _start_events_in(process, container):
                if start.triggers:
                    yield Hit(start.source, start.id, say("lint.subprocess_start_trigger", node=node_phrase(start),
                                                          container=sub_process_phrase(container),
                                                          triggers=_triggers(start)),
                              say("lint.subprocess_start_trigger_hint"))


@rule(
    "event-sub-process-typed-start-event",
    Severity.WARNING,
    "イベントサブプロセスの種類のない開始イベント",
    "Event sub-process whose start event has no trigger",
)
def _event_sub_process_typed_start_event(definitions: Definitions) -> Iterator[Hit]:
    """An event sub-process runs when its start event's trigger happens; a blank start event names no trigger.

    Without it nobody can tell when (or whether) the content runs, so its work
    cannot be attributed to a share of cases.  Mirrors bpmnlint's
    ``event-sub-process-typed-start-event``, with the same deliberate
    difference about ``eventDefinitionRef`` as ``sub-process-blank-start-event``.
    """
    for process in definitions.processes.values():
        for container in _sub_processes(process, event_triggered=True):
            for start in _start_events_in(process, container):
                if not start.triggers:
                    yield Hit(start.source, start.id, say("lint.event_subprocess_blank_start", node=node_phrase(start),
                                                          container=sub_process_phrase(container, event=True)),
                              say("lint.event_subprocess_blank_start_hint"))


@rule(
    "superfluous-termination",
    Severity.INFO,
    "不要な終了（停止）イベント",
    "Terminate end event where an ordinary end event would do",
)
def _superfluous_termination(definitions: Definitions) -> Iterator[Hit]:
    """A terminate end event that is the only way the level ends terminates nothing a plain end would not.

    Terminate means "stop all other work of this case now", which readers take
    as a sign of parallel work being cut short; when it is the level's only
    end, that sign is false.  Mirrors bpmnlint's ``superfluous-termination``:
    per process and sub-process, the elements without an outgoing flow are its
    ends; when exactly one of them is a terminate end event and every other is
    an interrupting event sub-process, the terminate end is reported.
    Deliberate differences: ends are the elements no sequence flow leaves, where
    bpmnlint uses the ``outgoing`` children written into each element; and a
    terminate end on a level with an endless loop (see ``endless-loop``) is not
    superfluous, since it is what stops the loop, so it is not reported.
    """
    for level in all_levels(definitions):
        flow_sources = {f.source_id for f in level.flows()}
        ends = [n for n in level.nodes.values() if n.id not in flow_sources]
        terminates = [n for n in ends if _is_terminate_end(n)]
        if len(terminates) != 1:
            continue
        if not all(_is_terminate_end(n) or _is_interrupting_event_sub_process(level.process, n) for n in ends):
            continue
        if not endless_cycles(level):
            end = terminates[0]
            yield Hit(end.source, end.id, say("lint.superfluous_terminate", node=node_phrase(end), level=level.phrase),
                      say("lint.superfluous_terminate_hint"))


def _is_terminate_end(node: FlowNode) -> bool:
    return node.kind is EventKind.END and EventTrigger.TERMINATE in node.triggers


def _is_interrupting_event_sub_process(process: Process, node: FlowNode) -> bool:
    return is_event_sub_process(node) and any(s.cancel_activity for s in _start_events_in(process, node))
