"""The cost gate and reasons that cite the step's own evidence.

The gate runs after classification and may only **withdraw**: an RPA or
outsourcing candidate whose unit (lot, robot scenario) or whose own share
loses money over the horizon becomes 「費用面で推奨しない」 and stays with
staff, its hours still shown.  It never moves a step toward outsourcing or
RPA, so no price can carry a step across the legal line.

Withdrawal is worst first, one at a time, because posts are pooled: taking
one lot out changes what the others earn.  The one exception are robots
that lose money in every plan (their own costs exceed the most their freed
FTE could ever earn in posts, :func:`doomed`): they go together in the first
round, since no withdrawal of others could make them pay.  The loop ends when every adopted
lot, scenario and lot step has a positive NPV; it withdraws at least one
step per round, so it ends after at most as many rounds as there are
candidates.

The gate reads each step's legal verdict through
:attr:`~scoring.cost.MoneyStep.is_candidate`: a step the legal gate keeps
with staff (公権力の行使, 要確認, no 根拠通知) is never a candidate here, so
no price can put it into a lot or a robot.  Its only sentence is
:func:`withdrawn_reason`; the evidence-citing reasons live in
:mod:`scoring.explain`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scoring.cashflow import (
    Cache,
    Evaluation,
    Parts,
    Plan,
    UnitCash,
    evaluate,
    npv,
    robot_ceiling_npv,
    yearly,
)
from scoring.cost import MoneyStep
from scoring.explain import yen_en, yen_ja
from scoring.gate_rounds import RobotRounds, robots_only
from scoring.lots import LotYear
from scoring.money_params import MoneyParams
from scoring.money_wait import WaitLedger, margin
from scoring.result import Disposition, Reason, StepKey
from scoring.rpa import DeploymentDraft, ScenarioDraft, placement, scenario_id
from scoring.staffing import PostPlan

_TOLERANCE = 0.5
"""Yen: an NPV at or below this counts as ≤ 0."""


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Why and at what figure a candidate was withdrawn."""

    reason: str
    """``cost`` or ``feasibility``."""
    unit_id: str
    """Its lot or scenario."""
    step_npv: float
    """The step's attributed NPV when withdrawn (0 for feasibility)."""
    unit_npv: float
    """Its unit's NPV when withdrawn."""
    whole_unit: bool
    """True when the whole lot/scenario went; False when one step left a paying lot."""


@dataclass(frozen=True, slots=True)
class GateResult:
    """The adopted plan and what was withdrawn."""

    plan: Plan
    """Adopted steps and build timing."""
    candidates: Plan
    """Every feasible candidate (before the cost gate)."""
    withdrawn: Mapping[StepKey, Withdrawal]
    """Withdrawn steps."""
    snapshots: Mapping[str, Evaluation]
    """Withdrawn unit id → the evaluation in which it was withdrawn (for its page)."""


def choose_wait(
    steps: Sequence[MoneyStep], active: frozenset[StepKey], money: MoneyParams, cache: Cache | None = None,
    parts: Parts | None = None,
) -> frozenset[str]:
    """Scenarios on screens that move to 標準準拠システム are built after the cutover when that pays better.

    Greedy in step order: a robot waits when the plan's NPV gains more than
    0.5 yen.  The gain comes from :class:`~scoring.money_wait.WaitLedger`
    (its own lines, the posts of its pools, its deployment's lines) instead
    of pricing the whole plan once per robot; a gain too close to the line
    to trust is settled by pricing both plans in full.
    """
    wait: set[str] = set()
    migrating = [s for s in steps if s.candidate is Disposition.RPA and s.key in active
                 and placement(s, money).migrates]
    if not migrating or money.rpa.migration_year <= money.cashflow.transition_year:
        return frozenset()
    parts = parts if parts is not None else Parts(steps, money)
    now = evaluate(steps, Plan(active, frozenset()), money, cache, parts)
    ledger = WaitLedger.of(now, parts, [(c.pool, c.staff_type, c.fte, c.release_month) for c in now.contributions])
    trust = margin(now)
    rate = money.cashflow.discount_rate
    for step in migrating:
        sid = scenario_id(step.key)
        change, near_whole_post = ledger.gain(sid)
        gain = npv(yearly(change), rate)
        if near_whole_post or abs(gain - _TOLERANCE) <= trust:
            # Too close to call from the ledger: price both plans in full, as the rule is written.
            best = evaluate(steps, Plan(active, frozenset(wait)), money, None, parts).npv()
            later = evaluate(steps, Plan(active, frozenset(wait | {sid})), money, None, parts).npv()
            waits = later > best + _TOLERANCE
        else:
            waits = gain > _TOLERANCE
        if waits:
            wait.add(sid)
            ledger.accept(sid)
    return frozenset(wait)



def cost_gate(steps: Sequence[MoneyStep], money: MoneyParams, cache: Cache | None = None,
              fast: bool = True) -> GateResult:
    """Withdraw, worst first, every candidate unit or lot step whose NPV over the horizon is ≤ 0.

    Once only robots are adopted, the rounds come from :class:`~scoring.gate_rounds.RobotRounds` (same
    withdrawals, same figures, without pricing the whole portfolio each round); ``fast=False`` prices every
    round in full, the rule as written (the tests compare the two).
    """
    withdrawn: dict[StepKey, Withdrawal] = {}
    candidates = {s.key for s in steps if s.is_candidate}
    for step in steps:
        if (step.candidate is Disposition.RPA and step.key in candidates
                and placement(step, money).segment == "mynumber" and not money.rpa.mynumber_segment_allowed):
            withdrawn[step.key] = Withdrawal("feasibility", scenario_id(step.key), 0.0, 0.0, True)
    feasible = frozenset(candidates - set(withdrawn))
    # One set of per-step, per-robot and per-lot pieces for every plan tried below (same steps, same setting).
    parts = Parts(steps, money)
    wait = choose_wait(steps, feasible, money, cache, parts)
    active = set(feasible)
    snapshots: dict[str, Evaluation] = {}
    robots: RobotRounds | None = None
    last: Evaluation | None = None
    for round_ in range(len(feasible) + 1):
        if robots is None and fast and last is not None and robots_only(active, parts):
            # Robots only from here on: each round from the ledger, not a full evaluation (scoring.gate_rounds).
            robots = RobotRounds(last, active, wait, parts, _TOLERANCE)
        if robots is not None:
            pick = robots.worst()
            if pick is None:
                break
            withdrawn[pick.key] = Withdrawal("cost", pick.scenario_id, pick.step_npv, pick.unit_npv, True)
            active.discard(pick.key)
            snapshots[pick.scenario_id] = pick.snapshot
            robots.withdraw(pick.scenario_id)
            continue
        # Each round prices a smaller plan that no later call asks for again: only the first (every feasible
        # candidate, priced again by the caller) goes into the shared memo, so it does not grow with the rounds.
        memo = cache if round_ == 0 else None
        evaluation = last = evaluate(steps, Plan(frozenset(active), wait), money, memo, parts)
        worst = _worst(evaluation)
        if worst is None:
            break
        going = [(worst[1], worst[2], worst[3])]
        if round_ == 0:
            # Robots that lose money in every plan go at once: worst first would take them one round each.
            going += [(sid, (key,), True) for sid, key in doomed(evaluation) if sid != worst[1]]
        unit_values = evaluation.unit_npvs() if len(going) > 1 else {worst[1]: evaluation.unit_npv(worst[1])}
        own = _own_pieces(evaluation, {unit_id for unit_id, _keys, whole in going if whole})
        for unit_id, keys, whole in going:
            for key in keys:
                withdrawn[key] = Withdrawal("cost", unit_id, evaluation.step_npv(key), unit_values[unit_id], whole)
                active.discard(key)
            if whole:
                snapshots[unit_id] = _snapshot(evaluation, unit_id, own)
    return GateResult(Plan(frozenset(active), wait), Plan(feasible, wait), withdrawn, snapshots)


def doomed(evaluation: Evaluation) -> list[tuple[str, StepKey]]:
    """(scenario id, step) of every robot of the plan whose NPV is ≤ 0 in any plan with the same build timing.

    The test is :func:`~scoring.cashflow.robot_ceiling_npv`: its own lines
    plus the most its FTE could ever earn in posts.  Such a robot is
    withdrawn whatever the others do, so the gate withdraws all of them in
    its first round (their recorded figure is that round's NPV) instead of
    one per round, which priced the whole portfolio again for each.
    """
    return [(s.scenario_id, s.step.key) for s in evaluation.scenarios
            if robot_ceiling_npv(evaluation, s) <= _TOLERANCE]


_Own = tuple[dict[str, list[LotYear]], dict[str, list[ScenarioDraft]], dict[str, list[DeploymentDraft]]]


def _own_pieces(evaluation: Evaluation, unit_ids: set[str]) -> _Own:
    """Each withdrawn unit's own lot, or its scenario and its deployment reduced to that scenario.

    Why: a snapshot that kept the round's whole lists of lots and robots made
    the report's look-ups (names, deployment of a scenario) scan the
    portfolio once per withdrawn unit — quadratic in the portfolio.
    """
    lots = {lot.draft.lot_id: [lot] for lot in evaluation.lots if lot.draft.lot_id in unit_ids}
    scenarios: dict[str, list[ScenarioDraft]] = {}
    deployments: dict[str, list[DeploymentDraft]] = {}
    for deployment in evaluation.deployments:
        for scenario in deployment.scenarios:
            if scenario.scenario_id in unit_ids:
                scenarios[scenario.scenario_id] = [scenario]
                deployments[scenario.scenario_id] = [dataclasses.replace(deployment, scenarios=(scenario,))]
    return lots, scenarios, deployments


def _snapshot(evaluation: Evaluation, unit_id: str, own: _Own) -> Evaluation:
    """What the report reads of a withdrawn unit's round: its own cash, lot or robot and deployment.

    Why not the whole evaluation: every step's cash and every owner's post value of the portfolio, kept
    once per withdrawn unit, made memory grow with the square of the portfolio.
    """
    lots, scenarios, deployments = own
    unit = evaluation.units[unit_id]
    # Own copies of its arrays: a robot's deployment lines are rows of one block per round (cashflow._rpa_cash).
    kept = UnitCash(unit.unit_id, unit.kind, {k: v.copy() for k, v in unit.lines.items()}, unit.weights,
                    unit.value.copy())
    return dataclasses.replace(
        evaluation,
        lots=lots.get(unit_id, []),
        scenarios=scenarios.get(unit_id, []),
        deployments=deployments.get(unit_id, []),
        units={unit_id: kept},
        posts=PostPlan(evaluation.posts.plan, {}, {}),
        step_net={},
        step_unit={},
        go_live={},
        contributions=[],
    )


def _worst(evaluation: Evaluation) -> tuple[float, str, tuple[StepKey, ...], bool] | None:
    """The lowest non-positive NPV among units and lot steps, with the steps to withdraw."""
    found: list[tuple[float, str, tuple[StepKey, ...], bool]] = []
    values = evaluation.unit_npvs()
    for unit_id, unit in evaluation.units.items():
        value = values[unit_id]
        keys = tuple(sorted(unit.weights, key=_order))
        if value <= _TOLERANCE:
            found.append((value, unit_id, keys, True))
        elif unit.kind == "lot" and len(keys) > 1:
            for key in keys:
                step_value = evaluation.step_npv(key)
                if step_value <= _TOLERANCE:
                    found.append((step_value, unit_id, (key,), False))
    if not found:
        return None
    return min(found, key=lambda item: (item[0], item[1], [_order(k) for k in item[2]]))


def _order(key: StepKey) -> tuple[str, str, str]:
    return (key.file, str(key.process_id), str(key.step_id))


# --------------------------------------------------------------------------- the gate's own reason


def withdrawn_reason(withdrawal: Withdrawal, hours_freed: float, unit_name: str, years: int,
                     step: MoneyStep) -> Reason:
    """「費用面で推奨しない」, or the segment not being allowed, with the numbers."""
    if withdrawal.reason == "feasibility":
        return Reason(
            "segment-not-allowed",
            "マイナンバー利用事務系でのRPA実行が認められていない（rpa.mynum"
            "ber_segment_allowed = false）ため推奨しない: "
            f"{'・'.join(step.systems) or step.lane}",
            f"Not recommended: robots on the マイナンバー segment are not allowed (rpa.mynumber_segment_allowed = "
            f"false): {', '.join(step.systems) or step.lane}",
        )
    if withdrawal.whole_unit:
        figure_ja = f"{unit_name}の{years}年間の財政効果が {yen_ja(withdrawal.unit_npv)}（0以下）"
        figure_en = f"the {years}-year cash effect of {unit_name} is {yen_en(withdrawal.unit_npv)} (≤ 0)"
    else:
        figure_ja = f"{unit_name}の中でこの手順の分の財政効果が {yen_ja(withdrawal.step_npv)}（0以下）"
        figure_en = f"this step's share of {unit_name} is {yen_en(withdrawal.step_npv)} (≤ 0)"
    return Reason(
        "cost-withdrawn",
        f"費用面で推奨しない: {figure_ja}。解放できる {hours_freed:,.0f} 時間/年は人工削減（能力）として残る",
        f"Not recommended on cost: {figure_en}. The {hours_freed:,.0f} h a year it could free remain as capacity",
    )
