"""Gateway and branching rules: splits and joins the reader of a diagram (or the scanner) may misread.

Branch conditions tell the survey which share of cases takes which branch;
hidden parallel splits, duplicate flows and gateways that both join and fork
change how many times a step is counted.
"""

from __future__ import annotations

from collections.abc import Iterator

from bpm.errors import say
from bpm.lint.levels import has_condition, ids, in_flows, node_phrase, out_flows
from bpm.lint.registry import Hit, Severity, rule
from bpm.model import Category, Definitions, GatewayKind


@rule(
    "superfluous-gateway",
    Severity.WARNING,
    "分岐も合流もしないゲートウェイ",
    "Gateway with exactly one incoming and one outgoing flow",
)
def _superfluous_gateway(definitions: Definitions) -> Iterator[Hit]:
    """A gateway that neither splits nor joins adds a box to the diagram and nothing to the flow."""
    for process in definitions.processes.values():
        incoming, outgoing = in_flows(process), out_flows(process)
        for node in process.nodes.values():
            if node.category is Category.GATEWAY and len(incoming[node.id]) == 1 and len(outgoing[node.id]) == 1:
                yield Hit(node.source, node.id, say("lint.gateway_pass_through", node=node_phrase(node)),
                          say("lint.gateway_pass_through_hint"))


@rule(
    "conditionless-split",
    Severity.ERROR,
    "条件の書かれていない分岐",
    "Exclusive or inclusive split with a branch that has no condition",
)
def _conditionless_split(definitions: Definitions) -> Iterator[Hit]:
    """Each non-default branch of a decision needs a condition (or at least a name saying when it is taken).

    Without one, neither a reader nor the scanner can tell which cases take
    which branch, so branch probabilities cannot be surveyed.
    """
    for process in definitions.processes.values():
        outgoing = out_flows(process)
        for node in process.nodes.values():
            if node.kind not in (GatewayKind.EXCLUSIVE, GatewayKind.INCLUSIVE) or len(outgoing[node.id]) < 2:
                continue
            bare = [f.id for f in outgoing[node.id]
                    if not f.is_default and not has_condition(f) and not f.name.strip()]
            if bare:
                yield Hit(node.source, node.id,
                          say("lint.bare_branch_one" if len(bare) == 1 else "lint.bare_branch_many",
                              node=node_phrase(node), count=len(outgoing[node.id]), flows=ids(bare)),
                          say("lint.bare_branch_hint"))


@rule(
    "implicit-split",
    Severity.WARNING,
    "ゲートウェイを使わない分岐（暗黙の並行分岐）",
    "Activity or event with several unconditional outgoing flows",
)
def _implicit_split(definitions: Definitions) -> Iterator[Hit]:
    """Several plain flows out of a step all fire at once: a hidden parallel split, usually meant as a choice."""
    for process in definitions.processes.values():
        outgoing = out_flows(process)
        for node in process.nodes.values():
            flows = outgoing[node.id]
            if node.category is Category.GATEWAY or len(flows) < 2:
                continue
            plain = [f.id for f in flows if not f.is_default and not has_condition(f)]
            if plain:
                yield Hit(node.source, node.id,
                          say("lint.implicit_fork_one" if len(plain) == 1 else "lint.implicit_fork_many",
                              node=node_phrase(node), count=len(flows), flows=ids(plain)),
                          say("lint.implicit_fork_hint"))


@rule(
    "conditional-flow",
    Severity.INFO,
    "ゲートウェイを使わない条件付きフロー",
    "Activity or event that branches with conditional flows instead of a gateway",
)
def _conditional_flow(definitions: Definitions) -> Iterator[Hit]:
    """Conditional flows from a step are valid BPMN, but a gateway shows the decision to readers."""
    for process in definitions.processes.values():
        outgoing = out_flows(process)
        for node in process.nodes.values():
            flows = outgoing[node.id]
            if node.category is Category.GATEWAY or len(flows) < 2:
                continue
            if all(f.is_default or has_condition(f) for f in flows):
                yield Hit(node.source, node.id, say("lint.conditional_flows", node=node_phrase(node)),
                          say("lint.conditional_flows_hint"))


@rule(
    "implicit-join",
    Severity.WARNING,
    "ゲートウェイを使わない合流",
    "Activity or event with several incoming flows",
)
def _implicit_join(definitions: Definitions) -> Iterator[Hit]:
    """Several flows into a step merge without synchronising: fine for a choice, wrong after a parallel split."""
    for process in definitions.processes.values():
        incoming = in_flows(process)
        for node in process.nodes.values():
            flows = incoming[node.id]
            if node.category is Category.GATEWAY or len(flows) < 2:
                continue
            yield Hit(node.source, node.id, say("lint.implicit_join", node=node_phrase(node), count=len(flows),
                                                    flows=ids(f.id for f in flows)),
                      say("lint.implicit_join_hint"))



@rule(
    "no-gateway-join-fork",
    Severity.WARNING,
    "合流と分岐を兼ねるゲートウェイ",
    "Gateway that both joins and forks",
)
def _no_gateway_join_fork(definitions: Definitions) -> Iterator[Hit]:
    """A gateway with several incoming and several outgoing flows hides which of its two jobs it does first.

    Readers (and the survey) cannot tell whether the branches are joined before
    the decision or each branch decides on its own; two gateways, a join and
    then a split, say it plainly.  Mirrors bpmnlint's ``no-gateway-join-fork``,
    with one deliberate difference: we count the sequence flows that really
    start and end at the gateway, where bpmnlint counts the ``incoming`` and
    ``outgoing`` children written into the gateway, which some exporters omit
    or get wrong (``flow-ref-mismatch`` reports those).
    """
    for process in definitions.processes.values():
        incoming, outgoing = in_flows(process), out_flows(process)
        for node in process.nodes.values():
            if node.category is not Category.GATEWAY:
                continue
            ins, outs = incoming[node.id], outgoing[node.id]
            if len(ins) > 1 and len(outs) > 1:
                yield Hit(node.source, node.id,
                          say("lint.join_and_fork", node=node_phrase(node), ins=len(ins),
                              in_flows=ids(f.id for f in ins), outs=len(outs), out_flows=ids(f.id for f in outs)),
                          say("lint.join_and_fork_hint"))


@rule(
    "event-based-gateway",
    Severity.WARNING,
    "イベントベースゲートウェイの誤用（分岐が1つ以下・条件付きフロー）",
    "Event-based gateway with fewer than two branches, or with a conditional branch",
)
def _event_based_gateway(definitions: Definitions) -> Iterator[Hit]:
    """An event-based gateway waits for the first of several events; one branch or a condition makes no sense.

    The branch taken is decided by which event happens first (a reply arrives,
    a deadline passes), never by a condition, and a choice needs at least two
    branches.  Mirrors bpmnlint's ``event-based-gateway``: the gateway is
    reported when it has fewer than two outgoing flows, and every outgoing flow
    that carries a ``conditionExpression`` (even an empty one) is reported
    itself.  Deliberate difference: we count the sequence flows that really
    leave the gateway, where bpmnlint counts the gateway's ``outgoing``
    children.
    """
    for process in definitions.processes.values():
        outgoing = out_flows(process)
        for node in process.nodes.values():
            if node.kind is not GatewayKind.EVENT_BASED:
                continue
            flows = outgoing[node.id]
            if len(flows) < 2:
                yield Hit(node.source, node.id, say("lint.event_gateway_few", node=node_phrase(node), count=len(flows)),
                          say("lint.event_gateway_few_hint"))
            for flow in flows:
                if flow.condition is not None:
                    yield Hit(flow.source, flow.id,
                              say("lint.event_gateway_condition", flow=flow.id, node=node_phrase(node)),
                              say("lint.event_gateway_condition_hint"))


@rule(
    "no-duplicate-sequence-flows",
    Severity.ERROR,
    "重複したシーケンスフロー",
    "Two sequence flows with the same source, target and condition",
)
def _no_duplicate_sequence_flows(definitions: Definitions) -> Iterator[Hit]:
    """Two identical flows between the same two elements: drawn on top of each other, counted twice.

    BPMN takes every unconditional flow out of a step, so the target runs twice
    per case and the scanner counts its hours twice, while the diagram shows a
    single arrow.  Mirrors bpmnlint's ``no-duplicate-sequence-flows``: flows
    are the same when source, target and condition text agree; the second and
    later ones are reported.  Deliberate difference: bpmnlint also reports the
    source and the target element; we report the flow once and name both ends
    in the message.
    """
    first: dict[tuple[str, str, str], str] = {}
    for process in definitions.processes.values():
        for flow in process.flows.values():
            if definitions.find_node(flow.source_id) is None or definitions.find_node(flow.target_id) is None:
                continue  # dangling-reference reports it
            key = (flow.source_id, flow.target_id, flow.condition or "")
            if key not in first:
                first[key] = flow.id
                continue
            yield Hit(flow.source, flow.id,
                      say("lint.duplicate_flow", flow=flow.id, source=flow.source_id, target=flow.target_id,
                          first=first[key]),
                      say("lint.duplicate_flow_hint"))
