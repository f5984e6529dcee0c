"""Naming rules: steps the survey sheet cannot match and decisions the scorer cannot read."""

from __future__ import annotations

from collections.abc import Iterator

from bpm.errors import say
from bpm.lint.levels import node_phrase, out_flows
from bpm.lint.registry import Hit, Severity, rule
from bpm.model import Category, Definitions, EventTrigger, GatewayKind


@rule(
    "unnamed-task",
    Severity.WARNING,
    "名前のない作業（タスク）",
    "Activity without a name",
)
def _unnamed_task(definitions: Definitions) -> Iterator[Hit]:
    """An unnamed step cannot be matched to the survey sheet or read in the report."""
    for process in definitions.processes.values():
        for node in process.nodes.values():
            if node.category is Category.ACTIVITY and not node.name.strip():
                yield Hit(node.source, node.id, say("lint.unnamed_task", kind=node.kind.value),
                          say("lint.unnamed_task_hint"))


@rule(
    "unnamed-decision",
    Severity.INFO,
    "名前のない判断（分岐ゲートウェイ）",
    "Exclusive or inclusive split without a name",
)
def _unnamed_decision(definitions: Definitions) -> Iterator[Hit]:
    """A decision named as a question (例: 書類に不備はあるか) tells the scorer that judgement happens there."""
    for process in definitions.processes.values():
        outgoing = out_flows(process)
        for node in process.nodes.values():
            is_split = node.kind in (GatewayKind.EXCLUSIVE, GatewayKind.INCLUSIVE) and len(outgoing[node.id]) >= 2
            if is_split and not node.name.strip():
                yield Hit(node.source, node.id, say("lint.unnamed_decision", kind=node.kind.value),
                          say("lint.unnamed_decision_hint"))



@rule(
    "unnamed-link",
    Severity.WARNING,
    "名前のないリンク定義",
    "Link event whose link definition has no name",
)
def _unnamed_link(definitions: Definitions) -> Iterator[Hit]:
    """Link events pair by the name of their link definition; without one, other tools cannot pair them.

    The scanner falls back to the event's own name, so the flow may still read
    correctly here, but bpmn.io, Camunda and other engines pair only by the
    link definition's ``name`` and treat the event as unconnected.  Mirrors the
    "missing link name" part of bpmnlint's ``link-event``.  Deliberate
    differences: a name of only spaces counts as no name (bpmnlint accepts
    it); and a link definition referenced through ``eventDefinitionRef`` (MID
    Innovator writes them at the root) is not read for its name and counts as
    unnamed here, where bpmnlint does not see a link event at all.
    """
    for process in definitions.processes.values():
        for node in process.nodes.values():
            if EventTrigger.LINK in node.triggers and not node.link_name:
                fallback = say("lint.unnamed_link_fallback", name=node.label) if node.name.strip() else ""
                yield Hit(node.source, node.id, say("lint.unnamed_link", node=node_phrase(node), fallback=fallback),
                          say("lint.unnamed_link_hint"))
