"""Hand-offs between contractor and staff: how often a case would cross if the dispositions were adopted.

Why: counter work outsourced to a private operator (民間委託) must keep the
contractor's workers and the city's staff apart — staff may not direct
contractor workers (37号告示), and in 2014 the 東京労働局 ruled 足立区's routine
「エスカレーション」 from contractor to ward staff to be 偽装請負.  A sound design
passes the whole case over once, at a case boundary (受託者 → 職員 for
審査/判断), with no question-and-answer loops (scoring-methodology §3.4 and
criterion 15).  The per-step dispositions alone do not show that; this module
counts the crossings the recommendations would create.

Sides
-----
OUTSOURCE steps, and CONTRACTED steps (work a contractor already does
today), are the contractor's workers'; RETAIN and REVIEW steps are the city's
staff.  Only OUTSOURCE steps are ever moved to staff by the check: a
CONTRACTED step is an existing contract, not a proposal, so hand-offs it causes
are reported as a warning on today's design rather than silently re-cut.
RPA and AUTOMATED steps are machines the city runs: they carry the case on
like gateways and events do, because the 偽装請負 question is whether
staff end up directing contractor *workers*, and a robot or system between
them does not change who hands the case to whom.

Method
------
A hand-off is a move of the case from a step A to the next step B, through
gateways and events only, where A and B are on different sides.  Its expected
count per case is computed exactly from the flow-level quantities the
assessment already holds — the expected visits of every node
(:func:`bpm.visits.expected_visits`) and the branch probabilities it was
solved with (:attr:`scoring.result.ProcessAssessment.branches`):

1. Every control-flow edge of the expanded process graph gets its expected
   traversals per case: ``fires(source) × p(flow) × kept(source)``, where
   ``fires`` is the node's visits (for a multi-instance activity, its visits
   ÷ its instances: the case leaves once per activation, not per instance),
   ``p`` the branch probability (1 for a single flow and for every branch of a
   parallel split) and ``kept`` the share an interrupting boundary event does
   not take away.  A boundary event is reached ``fires(host) × p(event)``
   times; a link throw passes to its catches; a sub-process passes into its
   start events (their visits) and out of its end events (its own outflow,
   shared among the end events by their visits).  Message flows are not
   followed: they go to other pools.
2. At a gateway or event the arriving tokens mix: each outgoing edge takes the
   share ``traversals(edge) ÷ arrivals(node)``.  An exclusive split so passes
   on its branch probability, a parallel split 1 on every branch, and a
   synchronising join (which fires once per set of tokens) ``1 ÷ incoming`` —
   exactly the rules the visits were solved with, so for every step B the
   moves into it add up to its visits (less what enters from a start event).
3. With ``R`` the share matrix among non-step nodes, ``S`` the traversals from
   each step into them, ``O`` the shares from them into each step and ``D``
   the direct step-to-step traversals, the expected moves are
   ``T = D + O (I − R)⁻¹ S`` (one linear solve, loops among gateways
   included).  ``T[B, A]`` is how often per case the case moves from A to B;
   the crossings are the pairs on different sides, and the per-case totals
   their sums by direction.

A *ping-pong* is a loop of the step-level move graph (a strongly connected
component) holding steps of both sides: a 補正/照会 rework loop handled partly
by the contractor and partly by staff, so the case goes back and forth.  A
one-way sandwich (contractor → staff → contractor, no loop) is counted in the
totals but is not a ping-pong.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import connected_components

from bpm.errors import AnalysisError, say
from bpm.graph import ENTER, SEQUENCE
from bpm.model import ElementId, EventKind, EventTrigger, FlowNode, LoopKind, SequenceFlow
from bpm.visits import INSTANCES_PROPERTY
from scoring.result import Branch, Crossing, Direction, Disposition, HandoffSummary, Reason, Side

__all__ = [
    "EMPTY",
    "Fragment",
    "SafeLot",
    "fragments",
    "handoff_summary",
    "handoff_warning",
    "safe_lot",
    "side_of",
    "step_moves",
]

EMPTY = HandoffSummary(0.0, 0.0)
"""The summary of a flow with no OUTSOURCE step: nothing to hand off."""

_EPSILON = 1e-12
"""Moves below this many per case are rounding noise of the solve."""
_DIGITS = 12
"""Figures are rounded to this many decimals, so node order never changes them."""


def side_of(disposition: Disposition) -> Side | None:
    """Whose people do a step under a disposition; None for robots and systems, which only carry the case on.

    A 要確認 (REVIEW) step stays with staff until its legal status is resolved.

    >>> side_of(Disposition.OUTSOURCE).value, side_of(Disposition.RETAIN).value, side_of(Disposition.RPA)
    ('contractor', 'staff', None)
    >>> side_of(Disposition.REVIEW).value, side_of(Disposition.CONTRACTED).value
    ('staff', 'contractor')
    """
    if disposition in (Disposition.OUTSOURCE, Disposition.CONTRACTED):
        return Side.CONTRACTOR
    if disposition in (Disposition.RETAIN, Disposition.REVIEW):
        return Side.STAFF
    return None


def handoff_summary(
    graph: nx.MultiDiGraph,
    dispositions: Mapping[ElementId, Disposition],
    visits: Mapping[ElementId, float],
    branches: Iterable[Branch],
) -> HandoffSummary:
    """Expected hand-offs per case between contractor and staff, the crossing pairs and the ping-pong loops.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        The expanded process graph (:func:`bpm.graph.process_graph` with
        ``expand_subprocesses=True``), the graph the visits were solved on.
    dispositions : mapping
        Step id → recommended disposition; nodes not listed are not steps.
    visits : mapping
        Expected visits per case of every node, gateways and events included
        (:attr:`scoring.result.ProcessAssessment.visits`); a missing node
        counts 0.
    branches : iterable of Branch
        The probabilities the visits were solved with
        (:attr:`scoring.result.ProcessAssessment.branches`); a flow without a
        branch row is always taken (a single outgoing flow).

    Returns
    -------
    HandoffSummary
        Per-case totals in each direction, crossings in document order and
        ping-pong loops; :data:`EMPTY` when no step is OUTSOURCE.

    Raises
    ------
    TypeError
        When the graph is not a process graph.
    bpm.errors.AnalysisError
        When the flow's moves cannot be solved (a loop of gateways that
        never lets the case out).

    Examples
    --------
    A rework loop: the contractor receives, staff examine, and one case in
    five goes back to the contractor for correction (補正).

    >>> from bpm.graph import process_graph
    >>> from bpm.reader import read_bpmn_bytes
    >>> from scoring.result import EvidenceSource
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><exclusiveGateway id="m"/><task id="o" name="uketsuke"/>
    ...   <task id="r" name="shinsa"/><exclusiveGateway id="x"/><endEvent id="e"/>
    ...   <sequenceFlow id="f0" sourceRef="s" targetRef="m"/><sequenceFlow id="f1" sourceRef="m" targetRef="o"/>
    ...   <sequenceFlow id="f2" sourceRef="o" targetRef="r"/><sequenceFlow id="f3" sourceRef="r" targetRef="x"/>
    ...   <sequenceFlow id="back" sourceRef="x" targetRef="m"/><sequenceFlow id="done" sourceRef="x" targetRef="e"/>
    ...   </process></definitions>'''
    >>> graph = process_graph(read_bpmn_bytes(xml, "x.bpmn"), "p", expand_subprocesses=True)
    >>> visits = {"s": 1.0, "m": 1.25, "o": 1.25, "r": 1.25, "x": 1.25, "e": 1.0}
    >>> branches = [Branch("x", "back", "m", 0.2, EvidenceSource.SURVEY),
    ...             Branch("x", "done", "e", 0.8, EvidenceSource.DEFAULT)]
    >>> summary = handoff_summary(graph, {"o": Disposition.OUTSOURCE, "r": Disposition.RETAIN}, visits, branches)
    >>> summary.per_case_to_staff, summary.per_case_to_contractor, summary.ping_pong
    (1.25, 0.25, (('o', 'r'),))
    """
    if not isinstance(graph, nx.MultiDiGraph):
        raise TypeError(f"expected a networkx.MultiDiGraph from bpm.graph.process_graph, got {type(graph).__name__}")
    return _summary(graph, dispositions, lambda steps: step_moves(graph, steps, visits, branches))


def _summary(
    graph: nx.MultiDiGraph,
    dispositions: Mapping[ElementId, Disposition],
    moves_of: Callable[[Sequence[ElementId]], Mapping[tuple[ElementId, ElementId], float]],
) -> HandoffSummary:
    """:func:`handoff_summary` with the step moves from ``moves_of`` (called only when a step is the contractor's).

    The moves depend on which steps are done by people, not on whose people: :func:`safe_lot` re-checks a flow
    after moving steps from the contractor to staff and hands the same moves to every check.
    """
    order = {node_id: index for index, node_id in enumerate(graph.nodes)}
    sided = {ElementId(n): side_of(dispositions[ElementId(n)]) for n in order if n in dispositions}
    sides = {step: side for step, side in sided.items() if side is not None}
    steps = list(sides)
    contractor = tuple(step for step in steps if sides[step] is Side.CONTRACTOR)
    if not contractor:
        return EMPTY
    moves = moves_of(steps)
    crossings: list[Crossing] = []
    for (source, target), per_case in sorted(moves.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])):
        if sides[source] is sides[target]:
            continue
        direction = Direction.TO_STAFF if sides[target] is Side.STAFF else Direction.TO_CONTRACTOR
        crossings.append(Crossing(source, target, direction, per_case))
    return HandoffSummary(
        per_case_to_staff=round(
            sum((c.per_case for c in crossings if c.direction is Direction.TO_STAFF), 0.0), _DIGITS
        ),
        per_case_to_contractor=round(
            sum((c.per_case for c in crossings if c.direction is Direction.TO_CONTRACTOR), 0.0), _DIGITS
        ),
        crossings=tuple(crossings),
        ping_pong=_ping_pong(moves, sides, order),
        contractor_steps=contractor,
    )


def step_moves(
    graph: nx.MultiDiGraph,
    steps: Sequence[ElementId],
    visits: Mapping[ElementId, float],
    branches: Iterable[Branch],
) -> dict[tuple[ElementId, ElementId], float]:
    """Expected moves per case from each step to each next step, through gateways and events only.

    ``(A, B) → times per case``; pairs that never happen are left out.  See the
    module docstring for the method; the parameters are those of
    :func:`handoff_summary`, with ``steps`` the step ids.

    Examples
    --------
    A parallel split to two steps and their join: each branch gets the case
    once, and each branch's half of the join passes on.

    >>> from bpm.graph import process_graph
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><task id="a"/><parallelGateway id="split"/><task id="b"/><task id="c"/>
    ...   <parallelGateway id="join"/><task id="d"/>
    ...   <sequenceFlow id="f1" sourceRef="a" targetRef="split"/><sequenceFlow id="f2" sourceRef="split" targetRef="b"/>
    ...   <sequenceFlow id="f3" sourceRef="split" targetRef="c"/><sequenceFlow id="f4" sourceRef="b" targetRef="join"/>
    ...   <sequenceFlow id="f5" sourceRef="c" targetRef="join"/><sequenceFlow id="f6" sourceRef="join" targetRef="d"/>
    ...   </process></definitions>'''
    >>> graph = process_graph(read_bpmn_bytes(xml, "x.bpmn"), "p", expand_subprocesses=True)
    >>> moves = step_moves(graph, ["a", "b", "c", "d"], dict.fromkeys(graph.nodes, 1.0), [])
    >>> sorted(moves.items())
    [(('a', 'b'), 1.0), (('a', 'c'), 1.0), (('b', 'd'), 0.5), (('c', 'd'), 0.5)]
    """
    flows = _Flows.of(graph, visits, branches)
    step_set: set[str] = {str(step) for step in steps} & set(flows.nodes)
    arrivals: dict[str, float] = defaultdict(float)
    for _source, target, count in flows.edges:
        arrivals[target] += count
    carriers = sorted(n for n in flows.nodes if n not in step_set and arrivals[n] > 0)
    position = {n: i for i, n in enumerate(carriers)}
    ordered_steps = sorted(step_set)
    column = {s: i for i, s in enumerate(ordered_steps)}
    shares: list[tuple[int, int, float]] = []
    injected: list[tuple[int, int, float]] = []
    out: list[tuple[int, int, float]] = []
    moves: dict[tuple[int, int], float] = defaultdict(float)
    for source, target, count in flows.edges:
        if count <= 0:
            continue
        if source in step_set:
            if target in step_set:
                moves[column[target], column[source]] += count
            elif target in position:
                injected.append((position[target], column[source], count))
        elif source in position:
            share = count / arrivals[source]
            if target in step_set:
                out.append((column[target], position[source], share))
            elif target in position:
                shares.append((position[target], position[source], share))
    for pair, count in _through_carriers(len(carriers), shares, injected, out, graph).items():
        moves[pair] += count
    if any(not math.isfinite(value) or value < -1e-9 for value in moves.values()):
        raise _unsolvable(graph)
    result: dict[tuple[ElementId, ElementId], float] = {}
    for (row, col), count in sorted(moves.items()):
        value = round(float(count), _DIGITS)
        if value > _EPSILON:
            result[(ElementId(ordered_steps[col]), ElementId(ordered_steps[row]))] = value
    return result


def handoff_warning(
    summary: HandoffSummary,
    max_per_case: float,
    names: Mapping[ElementId, str] | None = None,
    broken: Sequence[Fragment] = (),
) -> Reason | None:
    """The 偽装請負 warning for a flow, or None when its hand-offs are within the plan.

    A flow is flagged when its hand-offs per case in either direction exceed
    ``max_per_case`` (profile ``handoff.max_per_case``) or when it has a
    ping-pong loop.  Per direction, because the lawful pattern — the
    contractor receives, staff examine and decide, the contractor hands over
    (受付 → 審査・決定 → 交付) — crosses once each way.  ``names`` gives step names for the loop (ids otherwise).

    >>> summary = HandoffSummary(1.25, 0.25, ping_pong=(("o", "r"),), contractor_steps=("o",))
    >>> warning = handoff_warning(summary, 1.0, {"o": "受付", "r": "審査"})
    >>> warning.code, "受付・審査" in warning.ja, "1.25 times" in warning.en
    ('handoff-risk', True, True)
    >>> handoff_warning(HandoffSummary(1.0, 1.0, contractor_steps=("o",)), 1.0) is None
    True
    """
    names = names or {}
    over = max(summary.per_case_to_staff, summary.per_case_to_contractor) > max_per_case + _EPSILON
    if not over and not summary.ping_pong and not broken:
        return None
    ja: list[str] = []
    en: list[str] = []
    for fragment in broken:
        labels = [names.get(step, step) for step in fragment.steps]
        ja.append(f"1件あたり{fragment.entries:.2f}回、受託者から職員の短い確認（{'・'.join(labels)}、1回あたり"
                  f"{fragment.minutes_per_entry:.1f}分）に回り、また受託者に戻る（細切れの引継ぎ）。")
        en.append(f"{fragment.entries:.2f} times per case the contractor passes the case to staff for a short check "
                  f"({', '.join(labels)}, {fragment.minutes_per_entry:.1f} min each) and gets it back "
                  "(a fragmented hand-off).")
    if over:
        ja.append(
            f"受託者と職員の間の引継ぎが1件あたり受託者→職員 {summary.per_case_to_staff:.2f}回、"
            f"職員→受託者 {summary.per_case_to_contractor:.2f}回あり、目安（各方向{max_per_case:g}回）を超える。"
        )
        en.append(
            f"The case passes {summary.per_case_to_staff:.2f} times per case from contractor to staff and "
            f"{summary.per_case_to_contractor:.2f} times back, more than the planned {max_per_case:g} each way."
        )
    for loop in summary.ping_pong:
        labels = [names.get(step, step) for step in loop]
        ja.append(f"{'・'.join(labels)}が受託者と職員の間を往復するループになっている（足立区で偽装請負とされた"
                  "「エスカレーション」と同じ型）。")
        en.append(f"{', '.join(labels)} form a loop that goes back and forth between contractor and staff "
                  "(the 'escalation' pattern ruled disguised contracting in Adachi, 2014).")
    ja.append("職員が受託者の作業者に直接指示する形になりやすく、偽装請負のおそれがある。")
    en.append("Staff would end up directing contractor workers: a risk of disguised contracting (偽装請負).")
    return Reason("handoff-risk", "".join(ja), " ".join(en))


# --------------------------------------------------------------------------- the safe lot


@dataclass(frozen=True, slots=True)
class Fragment:
    """A short stretch of staff work the case enters from the contractor and leaves back to the contractor."""

    steps: tuple[ElementId, ...]
    """The staff steps of the stretch, in document order."""
    entries: float
    """Times per case the case enters it from the contractor."""
    minutes_per_entry: float
    """Staff minutes spent in it per entry."""
    exits: tuple[ElementId, ...]
    """Contractor steps the case goes back to."""


def fragments(
    summary: HandoffSummary,
    moves: Mapping[tuple[ElementId, ElementId], float],
    sides: Mapping[ElementId, Side],
    staff_minutes: Mapping[ElementId, float],
    min_staff_minutes: float,
    order: Mapping[str, int],
) -> tuple[Fragment, ...]:
    """Staff stretches between two contractor steps with less than ``min_staff_minutes`` of work per entry.

    The lawful pattern — the contractor receives, staff examine and decide,
    the contractor hands over — also crosses once each way; what makes a
    hand-off *fragmented* is that staff only glance at the case (a half-minute
    check on every case) and hand it straight back, so contractor workers in
    effect wait on staff instructions.  ``staff_minutes`` is each step's
    minutes per case (visits × minutes per execution).
    """
    staff_moves = nx.Graph()
    staff_moves.add_nodes_from(step for step, side in sides.items() if side is Side.STAFF)
    staff_moves.add_edges_from(pair for pair in moves if sides.get(pair[0]) is Side.STAFF
                               and sides.get(pair[1]) is Side.STAFF and pair[0] != pair[1])
    found: dict[frozenset[ElementId], Fragment] = {}
    for crossing in summary.crossings:
        if crossing.direction is not Direction.TO_STAFF or crossing.to_id not in staff_moves:
            continue
        stretch = frozenset(nx.node_connected_component(staff_moves, crossing.to_id))
        if stretch in found:
            continue
        entries = sum(c.per_case for c in summary.crossings if c.direction is Direction.TO_STAFF and c.to_id in stretch)
        exits = tuple(sorted({c.to_id for c in summary.crossings if c.direction is Direction.TO_CONTRACTOR
                              and c.from_id in stretch}, key=order.__getitem__))
        if not exits or entries <= _EPSILON:
            continue
        minutes = sum(staff_minutes.get(step, 0.0) for step in stretch) / entries
        if minutes < min_staff_minutes - _EPSILON:
            found[stretch] = Fragment(tuple(sorted(stretch, key=order.__getitem__)), round(entries, _DIGITS),
                                      round(minutes, _DIGITS), exits)
    return tuple(sorted(found.values(), key=lambda f: order[f.steps[0]]))


@dataclass(frozen=True, slots=True)
class SafeLot:
    """The outcome of the hand-off check: the naive summary, the safe one, and the steps moved to staff."""

    naive: HandoffSummary
    """Hand-offs of the dispositions as given."""
    safe: HandoffSummary
    """Hand-offs after the moves."""
    moved: Mapping[ElementId, Reason]
    """Contractor steps moved to staff, each with why."""
    warning: Reason | None
    """Why the naive lot failed; None when it passed."""
    redesign: Reason | None
    """A redesign that could keep more with the contractor, when there is one to suggest."""


def safe_lot(
    graph: nx.MultiDiGraph,
    dispositions: Mapping[ElementId, Disposition],
    visits: Mapping[ElementId, float],
    branches: Sequence[Branch],
    staff_minutes: Mapping[ElementId, float],
    *,
    max_per_case: float,
    min_staff_minutes: float,
    names: Mapping[ElementId, str] | None = None,
) -> SafeLot:
    """Check the hand-offs and, when the check fails, move contractor steps to staff until it passes.

    Remedies, applied in turn and re-checked each time:

    * a ping-pong loop (補正・追完 rework handled on both sides): its
      contractor steps go to staff;
    * a fragmented hand-off (:func:`fragments`) or more crossings per case
      than ``max_per_case`` in a direction: the contractor steps the case
      reaches after staff go to staff — a case-boundary transfer, the
      contractor receives and staff finish (the 足立区 re-cut of 2014).

    Steps only ever move from the contractor to staff, so the legal gate's
    verdicts are never undone.

    >>> from bpm.graph import process_graph
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><task id="a"/><task id="b"/><task id="c"/><endEvent id="e"/>
    ...   <sequenceFlow id="f0" sourceRef="s" targetRef="a"/><sequenceFlow id="f1" sourceRef="a" targetRef="b"/>
    ...   <sequenceFlow id="f2" sourceRef="b" targetRef="c"/><sequenceFlow id="f3" sourceRef="c" targetRef="e"/>
    ...   </process></definitions>'''
    >>> graph = process_graph(read_bpmn_bytes(xml, "x.bpmn"), "p", expand_subprocesses=True)
    >>> ones = dict.fromkeys(graph.nodes, 1.0)
    >>> C, R = Disposition.OUTSOURCE, Disposition.RETAIN
    >>> lot = safe_lot(graph, {"a": C, "b": R, "c": C}, ones, [], {"b": 0.5}, max_per_case=1.0,
    ...                min_staff_minutes=3.0)
    >>> sorted(lot.moved), lot.safe.per_case_to_contractor
    (['c'], 0.0)
    """
    names = names or {}
    current = dict(dispositions)
    order = {str(node_id): index for index, node_id in enumerate(graph.nodes)}
    # Moving a step from the contractor to staff keeps it a step done by people, so every check of this lot
    # has the same step moves: solved once, on first need.
    solved: list[dict[tuple[ElementId, ElementId], float]] = []

    def moves_of(steps: Sequence[ElementId]) -> dict[tuple[ElementId, ElementId], float]:
        if not solved:
            solved.append(step_moves(graph, steps, visits, branches))
        return solved[0]

    if not isinstance(graph, nx.MultiDiGraph):
        raise TypeError(f"expected a networkx.MultiDiGraph from bpm.graph.process_graph, got {type(graph).__name__}")
    naive = _summary(graph, current, moves_of)
    summary = naive
    moved: dict[ElementId, Reason] = {}
    warning: Reason | None = None
    redesign: Reason | None = None
    for _ in range(len(current) + 1):
        sides = {step: side for step, d in current.items() if (side := side_of(d)) is not None}
        steps = [ElementId(s) for s in order if s in sides]
        moves = moves_of(steps) if summary.contractor_steps else {}
        broken = fragments(summary, moves, sides, staff_minutes, min_staff_minutes, order)
        problem = handoff_warning(summary, max_per_case, names, broken)
        if problem is None:
            break
        if warning is None:
            warning = problem
        proposed = {step: side for step, side in sides.items() if current[step] is not Disposition.CONTRACTED}
        to_move = _loop_moves(summary, proposed, names) or _downstream_moves(summary, moves, proposed, broken, names)
        if broken and redesign is None:
            redesign = _redesign(broken, names, {s for s, d in current.items() if d is Disposition.REVIEW})
        if not to_move:
            break
        for step, reason in to_move.items():
            current[step] = Disposition.RETAIN
            moved[step] = reason
        summary = _summary(graph, current, moves_of)
    return SafeLot(naive, summary, moved, warning, redesign)


def _loop_moves(
    summary: HandoffSummary, sides: Mapping[ElementId, Side], names: Mapping[ElementId, str]
) -> dict[ElementId, Reason]:
    found: dict[ElementId, Reason] = {}
    for loop in summary.ping_pong:
        labels = "・".join(names.get(step, step) for step in loop)
        labels_en = ", ".join(names.get(step, step) for step in loop)
        for step in loop:
            if sides.get(step) is Side.CONTRACTOR:
                found[step] = Reason(
                    "handoff-moved",
                    f"受託者と職員の間を往復するループ（{labels}）の受託者側の手順のため職員が担当（偽装請負の回避）",
                    f"Part of a loop that goes back and forth between contractor and staff ({labels_en}): moved to "
                    "staff to avoid disguised contracting",
                )
    return found


def _downstream_moves(
    summary: HandoffSummary,
    moves: Mapping[tuple[ElementId, ElementId], float],
    sides: Mapping[ElementId, Side],
    broken: Sequence[Fragment],
    names: Mapping[ElementId, str],
) -> dict[ElementId, Reason]:
    graph = nx.DiGraph()
    graph.add_edges_from(pair for pair in moves if pair[0] != pair[1])
    if broken:
        starts = {exit_ for fragment in broken for exit_ in fragment.exits}
    else:
        starts = {c.to_id for c in summary.crossings if c.direction is Direction.TO_CONTRACTOR}
    reached = set(starts)
    for start in starts:
        if start in graph:
            reached |= set(nx.descendants(graph, start))
    found: dict[ElementId, Reason] = {}
    for step in reached:
        if sides.get(step) is Side.CONTRACTOR:
            found[step] = Reason(
                "handoff-moved",
                "職員に渡った案件を受託者に戻さないため職員が担当（案件単位の引継ぎ: 受託者は受付まで、以降は職員）",
                "Moved to staff so a case handed to staff is not handed back: the contractor receives, staff finish "
                "(a case-boundary transfer)",
            )
    return found


def _redesign(broken: Sequence[Fragment], names: Mapping[ElementId, str], review: set[ElementId]) -> Reason:
    steps = list(dict.fromkeys(step for fragment in broken for step in fragment.steps))
    labels = "・".join(names.get(step, step) for step in steps)
    labels_en = ", ".join(names.get(step, step) for step in steps)
    if all(step in review for step in steps):  # staff only hold these until a 要確認 is resolved
        return Reason(
            "handoff-redesign",
            f"別案: 「{labels}」の要確認（確認のしかたは手順ごとに表示）を解消すれば、その手順も受託者が担当でき、"
            "引継ぎは細切れにならない",
            f"Alternative: resolve the open legal question of {labels_en} (each step says how); the contractor can "
            "then do it too and the hand-off is no longer fragmented",
        )
    return Reason(
        "handoff-redesign",
        f"別案: 「{labels}」が要る案件をシステムのフラグ（例: 住民記録システムの支援措置フラグ）で選び、"
        "該当する案件だけを職員に回す分岐にすれば、それ以外の案件は受託者が最後まで担当できる（該当率を調査票の分岐確率に入れて再計算する）。"
        "要確認の手順があれば、それを解消することでも受託者の手順を残せる",
        f"Alternative: select the cases that need {labels_en} by a system flag (e.g. the DV protection flag of the "
        "resident-record system) and branch only those to staff; the other cases can then stay with the contractor "
        "to the end (enter the hit rate as a branch probability and re-run). Resolving any 要確認 step in the "
        "stretch also keeps the contractor's steps",
    )


# --------------------------------------------------------------------------- traversals per edge


@dataclass(frozen=True, slots=True)
class _Flows:
    """Every control-flow edge of the graph with its expected traversals per case."""

    nodes: Mapping[str, FlowNode]
    edges: tuple[tuple[str, str, float], ...]

    @classmethod
    def of(cls, graph: nx.MultiDiGraph, visits: Mapping[ElementId, float], branches: Iterable[Branch]) -> _Flows:
        nodes: dict[str, FlowNode] = {}
        for node_id, data in graph.nodes(data=True):
            node = data.get("node")
            if not isinstance(node, FlowNode):
                raise TypeError(
                    f"node {node_id!r} carries no flow node: hand-offs need one process's graph "
                    "(bpm.graph.process_graph), not a collaboration or hand-made graph"
                )
            nodes[str(node_id)] = node
        flow_chance: dict[str, float] = {}
        event_chance: dict[str, float] = {}
        for branch in branches:
            (event_chance if branch.via_event else flow_chance)[branch.via_id] = branch.probability

        def fires(node_id: str) -> float:
            return _fires(nodes[node_id], float(visits.get(ElementId(node_id), 0.0)))

        kept: dict[str, float] = defaultdict(lambda: 1.0)
        taken: dict[str, float] = defaultdict(float)
        edges: list[tuple[str, str, float]] = []
        for node_id, node in nodes.items():
            if node.kind is EventKind.BOUNDARY and node.attached_to is not None and node.attached_to in nodes:
                chance = event_chance.get(node.id, 0.0)
                edges.append((node.attached_to, node_id, fires(node.attached_to) * chance))
                if node.cancel_activity:
                    taken[node.attached_to] += chance
        for host, share in taken.items():
            kept[host] = max(0.0, 1.0 - share)
        exits: dict[str, list[str]] = defaultdict(list)
        for source, _target, _key, data in graph.edges(keys=True, data=True):
            flow = data.get("flow")
            if data.get("kind") == SEQUENCE and isinstance(flow, SequenceFlow) and flow.source_id != source:
                exits[flow.id].append(str(source))
        for source, target, _key, data in graph.edges(keys=True, data=True):
            u, v = str(source), str(target)
            kind = data.get("kind")
            if kind == ENTER:
                edges.append((u, v, float(visits.get(ElementId(v), 0.0))))
                continue
            flow = data.get("flow")
            if kind != SEQUENCE or not isinstance(flow, SequenceFlow):
                continue  # message flows go to other pools
            chance = flow_chance.get(flow.id, 1.0)
            if flow.source_id == u or flow.source_id not in nodes:
                edges.append((u, v, fires(u) * chance * kept[u]))
                continue
            # A sub-process's outgoing flow, drawn from each of its end events in the expanded graph.
            container = flow.source_id
            ends = exits[flow.id]
            reached = sum(float(visits.get(ElementId(e), 0.0)) for e in ends)
            part = float(visits.get(ElementId(u), 0.0)) / reached if reached > 0 else 1.0 / len(ends)
            edges.append((u, v, fires(container) * chance * kept[container] * part))
        edges.extend(_link_edges(nodes, fires))
        return cls(nodes, tuple(edges))


def _link_edges(nodes: Mapping[str, FlowNode], fires: Callable[[str], float]) -> list[tuple[str, str, float]]:
    """A link throw continues at every catch of the same name on its level."""
    catches: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    for node_id, node in nodes.items():
        if node.kind is EventKind.INTERMEDIATE_CATCH and EventTrigger.LINK in node.triggers:
            catches[(node.parent_id, node.link_key)].append(node_id)
    edges: list[tuple[str, str, float]] = []
    for node_id, node in nodes.items():
        if node.kind is EventKind.INTERMEDIATE_THROW and EventTrigger.LINK in node.triggers:
            targets = catches.get((node.parent_id, node.link_key), [])
            edges.extend((node_id, target, fires(node_id) / len(targets)) for target in targets)
    return edges



def _fires(node: FlowNode, visits: float) -> float:
    """Activations per case: visits, or visits ÷ instances for a multi-instance or loop activity."""
    if node.loop is LoopKind.NONE:
        return visits
    raw = node.properties.get(INSTANCES_PROPERTY)
    try:
        instances = float(unicodedata.normalize("NFKC", raw).strip()) if raw is not None else 1.0
    except ValueError:
        instances = 1.0
    return visits / instances if math.isfinite(instances) and instances > 0 else visits


# --------------------------------------------------------------------------- solving and loops


_MAX_PAIRS = 20_000_000
"""Step pairs one web of gateways may connect (a dense block of that many floats is 160 MB)."""


def _through_carriers(
    size: int,
    shares: Sequence[tuple[int, int, float]],
    injected: Sequence[tuple[int, int, float]],
    out: Sequence[tuple[int, int, float]],
    graph: nx.MultiDiGraph,
) -> dict[tuple[int, int], float]:
    """``O (I − R)⁻¹ S`` as (target step, source step) → moves, solved one web of gateways at a time.

    ``R`` (carrier × carrier), ``S`` (carrier × step) and ``O`` (step ×
    carrier) come as (row, column, value) terms.  Carriers fall apart into
    connected webs (the gateways and events between two rounds of steps);
    mass from a step only crosses the webs it enters, so each web is solved
    with a sparse LU of its own block, and time and memory follow the size of
    the flow instead of its square.
    """
    if not size:
        return {}
    count, labels = connected_components(_matrix(shares, size, size), directed=True, connection="weak")
    web_of = [int(label) for label in labels]
    members: list[list[int]] = [[] for _ in range(int(count))]
    for carrier, web in enumerate(web_of):
        members[web].append(carrier)
    within: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for target, source, value in shares:
        within[web_of[target]].append((target, source, value))
    sources: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    targets: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for carrier, step, value in injected:
        sources[web_of[carrier]].append((carrier, step, value))
    for step, carrier, value in out:
        targets[web_of[carrier]].append((step, carrier, value))
    moves: dict[tuple[int, int], float] = defaultdict(float)
    for web, carriers in enumerate(members):
        block = _web_moves(carriers, within.get(web, []), sources.get(web, []), targets.get(web, []), graph)
        for pair, value in block.items():
            moves[pair] += value
    return moves


_DENSE_UP_TO = 64
"""Webs of at most this many gateways and events are solved with dense numpy (sparse set-up costs more)."""


def _web_moves(
    carriers: Sequence[int],
    shares: Sequence[tuple[int, int, float]],
    sources: Sequence[tuple[int, int, float]],
    targets: Sequence[tuple[int, int, float]],
    graph: nx.MultiDiGraph,
) -> dict[tuple[int, int], float]:
    """``O (I − R)⁻¹ S`` of one web of gateways, densifying only its narrower side."""
    local = {c: i for i, c in enumerate(carriers)}
    from_steps = sorted({step for _, step, _ in sources})
    to_steps = sorted({step for step, _, _ in targets})
    narrow = min(len(from_steps), len(to_steps))
    if max(len(carriers), len(from_steps), len(to_steps)) * narrow > _MAX_PAIRS:
        raise AnalysisError(
            say("handoff.too_wide", process=repr(graph.graph.get("process", "")), sources=f"{len(from_steps):,}",
                targets=f"{len(to_steps):,}"),
            file=str(graph.graph.get("file", "")),
            hint=say("handoff.too_wide_hint"),
        )
    column_of = {step: i for i, step in enumerate(from_steps)}
    row_of = {step: i for i, step in enumerate(to_steps)}
    r_terms = [(local[t], local[s], v) for t, s, v in shares]
    s_terms = [(local[c], column_of[step], v) for c, step, v in sources]
    o_terms = [(row_of[step], local[c], v) for step, c, v in targets]
    try:
        with np.errstate(all="ignore"):
            if len(carriers) <= _DENSE_UP_TO:
                system = np.eye(len(carriers)) - _dense(r_terms, len(carriers), len(carriers))
                solved = np.linalg.solve(system, _dense(s_terms, len(carriers), len(from_steps)))
                block = _dense(o_terms, len(to_steps), len(carriers)) @ solved
            else:
                r_block = _matrix(r_terms, len(carriers), len(carriers))
                s_block = _matrix(s_terms, len(carriers), len(from_steps))
                o_block = _matrix(o_terms, len(to_steps), len(carriers))
                if len(from_steps) <= len(to_steps):
                    system_sparse = (sp.eye_array(len(carriers), format="csc") - r_block).tocsc()
                    block = np.asarray(o_block @ spla.splu(system_sparse).solve(s_block.toarray()))
                else:  # (O (I − R)⁻¹)ᵀ = (I − R)⁻ᵀ Oᵀ
                    system_sparse = (sp.eye_array(len(carriers), format="csc") - r_block.T).tocsc()
                    block = np.asarray(s_block.T @ spla.splu(system_sparse).solve(o_block.T.toarray())).T
    except (RuntimeError, np.linalg.LinAlgError):  # singular: a loop of gateways the case never leaves
        raise _unsolvable(graph) from None
    moves: dict[tuple[int, int], float] = {}
    rows, cols = np.nonzero(block)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        moves[to_steps[i], from_steps[j]] = float(block[i, j])
    return moves


def _dense(terms: Sequence[tuple[int, int, float]], rows: int, cols: int) -> np.ndarray:
    array = np.zeros((rows, cols))
    for i, j, value in terms:
        array[i, j] += value
    return array


def _matrix(terms: Sequence[tuple[int, int, float]], rows: int, cols: int) -> sp.csc_array:
    data = np.fromiter((t[2] for t in terms), dtype=float, count=len(terms))
    i = np.fromiter((t[0] for t in terms), dtype=np.int64, count=len(terms))
    j = np.fromiter((t[1] for t in terms), dtype=np.int64, count=len(terms))
    return sp.coo_array((data, (i, j)), shape=(rows, cols)).tocsc()


def _unsolvable(graph: nx.MultiDiGraph) -> AnalysisError:
    return AnalysisError(
        say("handoff.trapped", process=repr(graph.graph.get("process", ""))),
        file=str(graph.graph.get("file", "")),
        hint=say("handoff.trapped_hint"),
    )


def _ping_pong(
    moves: Mapping[tuple[ElementId, ElementId], float], sides: Mapping[ElementId, Side], order: Mapping[str, int]
) -> tuple[tuple[ElementId, ...], ...]:
    """Loops of the step-level move graph that hold steps of both sides, each in document order."""
    graph = nx.DiGraph()
    graph.add_edges_from(pair for pair in moves if pair[0] != pair[1])
    loops = [
        tuple(sorted(component, key=order.__getitem__))
        for component in nx.strongly_connected_components(graph)
        if len(component) > 1 and len({sides[step] for step in component}) > 1
    ]
    return tuple(sorted(loops, key=lambda loop: order[loop[0]]))
