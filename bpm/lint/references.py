"""Reference rules: arrows and assignments that point at nothing, and lists that disagree with the flows.

A reference to nothing is an arrow or lane assignment the modeling tool lost on
export; the scanner would silently drop what hangs on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bpm.errors import Say, say
from bpm.lint.levels import ids, in_flows, node_phrase, out_flows
from bpm.lint.registry import Hit, Severity, rule
from bpm.model import Association, AssociationKind, Category, Definitions, EventKind


def _known_ids(definitions: Definitions) -> set[str]:
    """Every id the model keeps (elements the reader skipped are not in it)."""
    ids: set[str] = set()
    for process in definitions.processes.values():
        ids.add(process.id)
        ids.update(process.nodes)
        ids.update(process.flows)
        ids.update(lane.id for lane in process.all_lanes())
        ids.update(a.id for a in process.artifacts)
        ids.update(a.id for a in process.associations)
    for collaboration in definitions.collaborations:
        ids.add(collaboration.id)
        ids.update(p.id for p in collaboration.participants)
        ids.update(m.id for m in collaboration.message_flows)
        ids.update(a.id for a in collaboration.artifacts)
        ids.update(a.id for a in collaboration.associations)
    return ids


@rule(
    "dangling-reference",
    Severity.ERROR,
    "存在しない要素への参照",
    "Reference to an element that does not exist",
)
def _dangling_reference(definitions: Definitions) -> Iterator[Hit]:
    """A reference to nothing means an arrow or assignment the tool lost on export."""
    known = _known_ids(definitions)
    hint = say("lint.dangling_hint")
    participant_ids = {p.id for p in definitions.participants()}
    # Some tools (ModelFoundry) list message flows among incoming/outgoing; wrong but harmless.
    message_flow_ids = {m.id for m in definitions.message_flows()}
    for process in definitions.processes.values():
        nodes = process.nodes
        for flow in process.flows.values():
            for end, ref in (("sourceRef", flow.source_id), ("targetRef", flow.target_id)):
                if ref in nodes:
                    continue
                elsewhere = definitions.find_node(ref)
                where = say("lint.dangling_elsewhere", process=elsewhere.process_id) if elsewhere else ""
                yield Hit(flow.source, flow.id, say("lint.dangling_flow_end", end=end, ref=ref, process=process.id,
                                                    where=where),
                          hint if not elsewhere else say("lint.dangling_other_pool_hint"))
        for lane in process.all_lanes():
            for ref in lane.node_ids:
                # Several tools list data object references in lanes too; only a ref to nothing is broken.
                if ref not in known:
                    yield Hit(lane.source, lane.id, say("lint.dangling_lane_ref", name=lane.name or lane.id, ref=ref),
                              hint)
        for node in nodes.values():
            if node.kind is EventKind.BOUNDARY:
                host = nodes.get(node.attached_to) if node.attached_to else None
                if host is None:
                    yield Hit(node.source, node.id, say("lint.dangling_attached", ref=node.attached_to or ""),
                              say("lint.attach_again_hint"))
                elif host.category is not Category.ACTIVITY:
                    yield Hit(node.source, node.id, say("lint.attached_not_activity", host=node_phrase(host)),
                              say("lint.attach_again_hint"))
            if node.default_flow is not None:
                default = process.flows.get(node.default_flow)
                if default is None or default.source_id != node.id:
                    yield Hit(node.source, node.id, say("lint.bad_default", flow=node.default_flow,
                                                        node=node_phrase(node)),
                              say("lint.bad_default_hint"))
            for direction, refs in (("incoming", node.incoming), ("outgoing", node.outgoing)):
                missing = [r for r in refs if r not in process.flows and r not in message_flow_ids]
                if missing:
                    yield Hit(node.source, node.id, say("lint.dangling_direction", direction=direction,
                                                        flows=ids(missing)), hint)
        for association in process.associations:
            yield from _dangling_association(association, known)
    for collaboration in definitions.collaborations:
        for participant in collaboration.participants:
            if participant.process_id and participant.process_id not in definitions.processes:
                yield Hit(participant.source, participant.id,
                          say("lint.dangling_process_ref", name=participant.name or participant.id,
                              ref=participant.process_id), hint)
        for message_flow in collaboration.message_flows:
            for end, ref in (("sourceRef", message_flow.source_id), ("targetRef", message_flow.target_id)):
                if ref not in participant_ids and definitions.find_node(ref) is None:
                    yield Hit(message_flow.source, message_flow.id,
                              say("lint.dangling_message_flow_end", end=end, ref=ref), hint)
        for association in collaboration.associations:
            yield from _dangling_association(association, known)


def _dangling_association(association: Association, known: set[str]) -> Iterator[Hit]:
    for end, ref in (("sourceRef", association.source_id), ("targetRef", association.target_id)):
        # Data associations may leave an end implicit (empty) or point at elements the model
        # does not keep (process properties); only plain associations are checked strictly.
        if not ref or ref in known:
            continue
        if association.kind is not AssociationKind.ASSOCIATION:
            continue
        yield Hit(association.source, association.id, say("lint.dangling_association", end=end, ref=ref),
                  say("lint.dangling_association_hint"))


@rule(
    "flow-ref-mismatch",
    Severity.WARNING,
    "incoming/outgoing の記載とシーケンスフローの不一致",
    "incoming/outgoing children disagree with the sequence flows",
)
def _flow_ref_mismatch(definitions: Definitions) -> Iterator[Hit]:
    """Tools that write ``incoming``/``outgoing`` should agree with the flows; a gap hints at a broken export.

    Only nodes that declare at least one ``incoming`` or ``outgoing`` are checked:
    many tools write none at all, which is allowed.
    """
    for process in definitions.processes.values():
        incoming, outgoing = in_flows(process), out_flows(process)
        for node in process.nodes.values():
            if not node.incoming and not node.outgoing:
                continue
            for direction, declared, actual in (
                ("incoming", node.incoming, incoming[node.id]),
                ("outgoing", node.outgoing, outgoing[node.id]),
            ):
                listed = {r for r in declared if r in process.flows}  # dangling ones: dangling-reference
                real = {f.id for f in actual}
                unlisted = sorted(real - listed)
                wrong = sorted(listed - real)
                problems: list[Say] = []
                if unlisted:
                    problems.append(say("lint.refs_unlisted", flows=ids(unlisted)))
                if wrong:
                    problems.append(say("lint.refs_wrong_incoming" if direction == "incoming"
                                        else "lint.refs_wrong_outgoing", flows=ids(wrong)))
                if problems:
                    problem = problems[0] if len(problems) == 1 else say("lint.refs_both", first=problems[0],
                                                                         second=problems[1])
                    yield Hit(node.source, node.id,
                              say("lint.refs_mismatch", direction=direction, node=node_phrase(node), problem=problem),
                              say("lint.refs_mismatch_hint"))

