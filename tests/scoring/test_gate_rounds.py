"""The gate's robot-only rounds (scoring.gate_rounds) withdraw what full pricing withdraws, with the same figures.

The reference is the gate pricing every round in full (``cost_gate(..., fast=False)``, the rule as written);
the two must agree on the plan, the withdrawals in their order, every recorded NPV bit for bit, and every
withdrawn unit's snapshot (lines, post value, deployment, post plan).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from money_fixtures import MONEY, money_with, org, step, with_pool_level

import scoring.gate as gate_module
from scoring.cashflow import Evaluation, Parts, Plan, evaluate
from scoring.cost import MoneyStep
from scoring.gate import GateResult, cost_gate
from scoring.gate_rounds import RobotRounds, robots_only
from scoring.money_params import MoneyParams
from scoring.result import Disposition, StaffType

_SYSTEMS = ((), ("住基",), ("財務会計",))
_POOLS = (("市民課", "証明係"), ("市民課", "記録係"), ("税務課", ""))
_STAFF = (None, StaffType.REGULAR, StaffType.KAIKEI, StaffType.SAIYO)

STEP = st.tuples(
    st.sampled_from([Disposition.RPA, Disposition.RPA, Disposition.RPA, Disposition.OUTSOURCE]),
    st.integers(100, 80_000), st.floats(0.5, 15.0), st.sampled_from([0.0, 0.5, 1.0]),
    st.integers(0, len(_SYSTEMS) - 1), st.integers(0, len(_POOLS) - 1), st.integers(0, len(_STAFF) - 1),
)
SETTINGS = st.sampled_from(["default", "section", "migrate", "cheap", "redeploy"])


def _portfolio(rows: Sequence[tuple[Disposition, int, float, float, int, int, int]]) -> list[MoneyStep]:
    """Robots and lot steps over a few pools, 職種, segments and flows."""
    made = []
    for index, (kind, count, minutes, digital, system, pool, staff) in enumerate(rows):
        section, unit = _POOLS[pool]
        made.append(step(f"s{index}", kind, annual_count=count, minutes=minutes, digital=digital,
                         face=0.0 if kind is Disposition.RPA else 0.9, lane="後方" if index % 2 else "窓口",
                         systems=_SYSTEMS[system], staff_org=org(section, unit, _STAFF[staff]), order=index,
                         flow=f"f{index % 4}"))
    return made


def _money(name: str) -> MoneyParams:
    if name == "section":
        return with_pool_level(MONEY, "section")
    if name == "migrate":
        return money_with(rpa__migration_year=3.0)
    if name == "cheap":
        return money_with(rpa__licence_per_robot_year=200_000.0, rpa__build_per_scenario=300_000.0)
    if name == "redeploy":
        return money_with(staffing__redeploy_share=0.0)
    return MONEY


def _snapshot_figures(snapshot: Evaluation) -> tuple[object, ...]:
    """Everything a snapshot holds, arrays as bytes (so equal means bit for bit)."""
    units = {uid: (u.kind, {k: v.tobytes() for k, v in u.lines.items()}, dict(u.weights), u.value.tobytes())
             for uid, u in snapshot.units.items()}
    rest = {f.name: getattr(snapshot, f.name) for f in dataclasses.fields(snapshot)
            if f.name not in {"units", "known_nets", "posts"}}
    return units, rest, snapshot.posts.plan, dict(snapshot.posts.value_by_owner), dict(snapshot.posts.posts_by_month)


def _same(fast: GateResult, full: GateResult) -> None:
    assert fast.plan == full.plan
    assert fast.candidates == full.candidates
    assert list(fast.withdrawn.items()) == list(full.withdrawn.items())
    assert list(fast.snapshots) == list(full.snapshots)
    for unit_id, snapshot in full.snapshots.items():
        assert _snapshot_figures(fast.snapshots[unit_id]) == _snapshot_figures(snapshot)


@settings(max_examples=60, deadline=None)
@given(st.lists(STEP, min_size=1, max_size=24), SETTINGS)
def test_robot_rounds_withdraw_what_full_pricing_withdraws(
        rows: list[tuple[Disposition, int, float, float, int, int, int]], setting: str) -> None:
    steps = _portfolio(rows)
    money = _money(setting)
    _same(cost_gate(steps, money, {}), cost_gate(steps, money, {}, fast=False))


def _losing_robots(count: int) -> list[MoneyStep]:
    """Robots of every size over two pools and two 職種 mixes, on both segments: many rounds of withdrawals."""
    return _portfolio([(Disposition.RPA, 400 + 1_700 * i, 1.0 + (i % 7), (0.0, 1.0)[i % 2], i % 3, i % 2,
                        (0, 1)[i % 2]) for i in range(count)])


@pytest.mark.parametrize("setting", ["default", "migrate", "section"])
def test_robot_rounds_take_over_after_the_first_round(setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A robots-only portfolio is priced in full once (plus the wait choice), then round by round from the ledger."""
    steps = _losing_robots(40)
    money = _money(setting)
    full = cost_gate(steps, money, {}, fast=False)
    calls = [0]
    original = evaluate

    def counted(*args: object, **kwargs: object) -> Evaluation:
        calls[0] += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gate_module, "evaluate", counted)
    fast = cost_gate(steps, money, {})
    _same(fast, full)
    rounds = len({w.unit_id for w in full.withdrawn.values()})
    assert rounds > 3
    assert calls[0] <= 3


def test_the_ledger_is_not_used_while_a_lot_is_adopted() -> None:
    steps = _portfolio([(Disposition.OUTSOURCE, 50_000, 10.0, 1.0, 0, 0, 0), (Disposition.RPA, 900, 2.0, 1.0, 0, 0, 1)])
    parts = Parts(steps, MONEY)
    assert not robots_only({s.key for s in steps}, parts)
    assert robots_only({steps[1].key}, parts)


def test_a_round_with_every_robot_paying_withdraws_nothing() -> None:
    steps = _portfolio([(Disposition.RPA, 200_000, 12.0, 1.0, 0, 0, 1)])
    active = {s.key for s in steps}
    parts = Parts(steps, MONEY)
    rounds = RobotRounds(evaluate(steps, Plan(frozenset(active)), MONEY, None, parts), active, frozenset(), parts,
                         0.5)
    assert rounds.worst() is None
    assert np.all(rounds.alive)
