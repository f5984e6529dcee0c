"""Robots that lose money in every plan leave the cost gate in its first round, and nothing else changes.

The reference below is the gate as it was before (worst first, one unit per round, every round
priced in full); the fast gate must reach the same plan and withdraw the same steps.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st
from money_fixtures import MONEY, money_with, org, step

from scoring.cashflow import Parts, Plan, evaluate, robot_ceiling_npv
from scoring.cost import MoneyStep
from scoring.gate import _worst, choose_wait, cost_gate, doomed
from scoring.money_params import MoneyParams
from scoring.result import Disposition, StaffType, StepKey
from scoring.rpa import placement, scenario_id


def _robots(volumes: Sequence[tuple[int, float]]) -> list[MoneyStep]:
    """One back-office robot per (yearly count, minutes), all in one 係 so their posts are pooled."""
    return [step(f"r{index}", Disposition.RPA, annual_count=count, minutes=minutes, face=0.0, lane="後方",
                 order=index, flow=f"f{index % 3}")
            for index, (count, minutes) in enumerate(volumes)]


def _reference_gate(steps: Sequence[MoneyStep]) -> tuple[frozenset[StepKey], dict[StepKey, str]]:
    """Worst first, one unit per round, each round priced in full (the rule before the first-round batch)."""
    active = {s.key for s in steps if s.is_candidate}
    parts = Parts(steps, MONEY)
    wait = choose_wait(steps, frozenset(active), MONEY, None, parts)
    withdrawn: dict[StepKey, str] = {}
    while True:
        worst = _worst(evaluate(steps, Plan(frozenset(active), wait), MONEY, None, parts))
        if worst is None:
            return frozenset(active), withdrawn
        for key in worst[2]:
            withdrawn[key] = worst[1]
            active.discard(key)


VOLUMES = st.lists(st.tuples(st.integers(200, 60_000), st.floats(0.5, 12.0)), min_size=1, max_size=9)


@settings(max_examples=25, deadline=None)
@given(VOLUMES, st.data())
def test_a_robots_ceiling_bounds_its_npv_in_every_plan(volumes: list[tuple[int, float]], data: st.DataObject) -> None:
    steps = _robots(volumes)
    everything = evaluate(steps, Plan(frozenset(s.key for s in steps)), MONEY)
    ceilings = {s.scenario_id: robot_ceiling_npv(everything, s) for s in everything.scenarios}
    chosen = data.draw(st.sets(st.sampled_from([s.key for s in steps]), min_size=1))
    plan = evaluate(steps, Plan(frozenset(chosen)), MONEY)
    for unit_id, value in plan.unit_npvs().items():
        assert value <= ceilings[unit_id] + 1e-6 * max(1.0, abs(ceilings[unit_id]))


@settings(max_examples=25, deadline=None)
@given(VOLUMES)
def test_the_first_round_batch_reaches_the_worst_first_plan(volumes: list[tuple[int, float]]) -> None:
    steps = _robots(volumes)
    adopted, withdrawn = _reference_gate(steps)
    gate = cost_gate(steps, MONEY, {})
    assert gate.plan.active == adopted
    assert {k: w.unit_id for k, w in gate.withdrawn.items()} == withdrawn
    assert all(w.unit_npv <= 0.5 and w.reason == "cost" for w in gate.withdrawn.values())


def test_small_robots_are_doomed_and_busy_ones_are_not() -> None:
    """A robot freeing a few hours a year cannot earn its build and maintenance back; a busy one can."""
    steps = _robots([(300, 1.0), (500, 2.0), (120_000, 8.0)])
    everything = evaluate(steps, Plan(frozenset(s.key for s in steps)), MONEY)
    found = {key for _sid, key in doomed(everything)}
    assert found == {steps[0].key, steps[1].key}
    gate = cost_gate(steps, MONEY, {})
    assert set(gate.withdrawn) >= found and steps[2].key in gate.plan.active


def _reference_wait(steps: Sequence[MoneyStep], money: MoneyParams) -> frozenset[str]:
    """Greedy in step order, the whole plan priced for every robot tried (the rule as written)."""
    active = frozenset(s.key for s in steps if s.is_candidate)
    wait: set[str] = set()
    best = evaluate(steps, Plan(active), money).npv()
    for robot in steps:
        if robot.candidate is Disposition.RPA and placement(robot, money).migrates:
            later = evaluate(steps, Plan(active, frozenset(wait | {scenario_id(robot.key)})), money).npv()
            if later > best + 0.5:
                wait.add(scenario_id(robot.key))
                best = later
    return frozenset(wait)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(200, 200_000), st.floats(0.5, 12.0), st.booleans(), st.booleans(),
                          st.sampled_from(list(StaffType))), min_size=1, max_size=10),
       st.sampled_from([0.0, 0.5]), st.sampled_from([0.0, 0.75]))
def test_the_wait_ledger_chooses_as_pricing_every_plan_does(
    robots: list[tuple[int, float, bool, bool, StaffType]], redeploy: float, rebuild: float,
) -> None:
    """Robots on 住基 screens (they migrate) or not, paper or digital input, one 職種 each, posts pooled."""
    money = money_with(staffing__redeploy_share=redeploy, rpa__rebuild_on_cutover=rebuild)
    steps = [step(f"r{index}", Disposition.RPA, annual_count=count, minutes=minutes, face=0.0, lane="後方",
                  order=index, digital=0.0 if paper else 1.0, systems=("住基システム",) if migrates else ("文書管理",),
                  staff_org=org(staff=staff))
             for index, (count, minutes, migrates, paper, staff) in enumerate(robots)]
    active = frozenset(s.key for s in steps)
    assert choose_wait(steps, active, money, None, Parts(steps, money)) == _reference_wait(steps, money)
