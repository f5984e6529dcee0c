"""The sensitivity and break-even shortcuts (``cashflow.varied``, the column ranges) against full pricing.

Every figure of the money stage is written at full precision, so a shortcut
must give the very same floats as pricing the plan afresh at the varied
setting: each test compares bit for bit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from money_fixtures import MONEY, PROFILE, random_portfolio, same_evaluation

import scoring.breakeven as breakeven
from scoring.cashflow import (
    _NOT_READ,
    Cache,
    Evaluation,
    Plan,
    Sensitivity,
    _relevant_tables,
    _rss,
    _rss_columns,
    evaluate,
    sensitivity,
    varied,
)
from scoring.cost import MoneyStep
from scoring.money_params import Estimate, MoneyParams, vary
from scoring.result import Disposition, StepKey, TornadoBar
from scoring.rpa import scenario_id


def _plan(steps: Sequence[MoneyStep], data: st.DataObject) -> Plan:
    robots = [scenario_id(s.key) for s in steps if s.candidate is Disposition.RPA]
    everyone = sorted((s.key for s in steps), key=lambda k: str(k.step_id))
    active = frozenset(data.draw(st.lists(st.sampled_from(everyone), min_size=1, unique=True)))
    wait = frozenset(data.draw(st.lists(st.sampled_from(robots), max_size=3))) if robots else frozenset()
    return Plan(active, wait)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 12), data=st.data())
def test_a_varied_setting_is_the_setting_priced_afresh(seed: int, size: int, data: st.DataObject) -> None:
    """Every ranged parameter (and the break-evens' staff rate) at its low, high and a point between, through
    one cache as the sensitivity run does, equals a fresh pricing of the plan at that setting, bit for bit."""
    steps = random_portfolio(seed, size)
    plan = _plan(steps, data)
    cache: Cache = {}
    base = evaluate(steps, plan, MONEY, cache)
    ranged = {key: e for key, e in PROFILE.estimates.items() if e.is_range}
    settings_tried = [(key, value) for key, e in sorted(ranged.items())
                      for value in (e.low, e.high, e.low + (e.high - e.low) * data.draw(st.floats(0, 1)))]
    settings_tried += [("cost.staff_yen_per_hour", value) for value in (500.0, 3_285.0, 30_000.0)]
    for key, value in settings_tried:
        same_evaluation(varied(steps, plan, base, key, value, cache), evaluate(steps, plan, vary(MONEY, key, value)))


@pytest.mark.parametrize("key", sorted(_NOT_READ))
def test_a_parameter_the_pricing_does_not_read_leaves_the_cash_alone(key: str) -> None:
    """Wild values of a parameter said to be unread change no array of a fresh pricing (only the NPVs may)."""
    steps = random_portfolio(11, 10)
    plan = Plan(frozenset(s.key for s in steps))
    base = evaluate(steps, plan, MONEY)
    for value in (0.0, 0.9, 7.0):
        money = vary(MONEY, key, value)
        fresh = evaluate(steps, plan, money)
        same_evaluation(varied(steps, plan, base, key, value), fresh)
        for unit_id, unit in base.units.items():
            assert unit.net().tobytes() == fresh.units[unit_id].net().tobytes()


def _reference(steps: Sequence[MoneyStep], plan: Plan, base: Evaluation, estimates: Mapping[str, Estimate],
               ) -> Sensitivity:
    """The sensitivity as first written: every setting priced in full, every swing one figure at a time."""
    money: MoneyParams = base.money
    base_npv, base_units, base_steps = base.npv(), base.unit_npvs(), base.step_npvs()
    bars: list[TornadoBar] = []
    unit_deltas: dict[str, list[tuple[float, float]]] = defaultdict(list)
    deltas: dict[str, tuple[dict[StepKey, float], dict[StepKey, float]]] = {}
    hour_deltas: list[tuple[float, float]] = []
    variance_est = variance_all = 0.0
    for key, estimate in sorted(estimates.items()):
        if not estimate.is_range or not base.units or not key.startswith(_relevant_tables(base)):
            continue
        low = base if estimate.low == estimate.base else evaluate(steps, plan, vary(money, key, estimate.low))
        high = base if estimate.high == estimate.base else evaluate(steps, plan, vary(money, key, estimate.high))
        bar = TornadoBar(key, estimate.low, estimate.high, low.npv(), high.npv(), estimate.estimated)
        if bar.swing > 0.5:
            bars.append(bar)
        square = max(abs(low.npv() - base_npv), abs(high.npv() - base_npv)) ** 2
        variance_all += square
        variance_est += square if estimate.estimated else 0.0
        low_units, high_units = low.unit_npvs(), high.unit_npvs()
        for unit_id, value in base_units.items():
            unit_deltas[unit_id].append((low_units[unit_id] - value if unit_id in low_units else 0.0,
                                         high_units[unit_id] - value if unit_id in high_units else 0.0))
        low_steps, high_steps = low.step_npvs(), high.step_npvs()
        deltas[key] = ({k: low_steps.get(k, 0.0) - v for k, v in base_steps.items()},
                       {k: high_steps.get(k, 0.0) - v for k, v in base_steps.items()})
        hour_deltas.append((low.hours_freed - base.hours_freed, high.hours_freed - base.hours_freed))
    bars.sort(key=lambda b: (-b.swing, b.key))
    return Sensitivity(
        tornado=tuple(bars),
        portfolio=_rss(base_npv, ((b.npv_at_low - base_npv, b.npv_at_high - base_npv) for b in bars)),
        units={unit_id: _rss(value, unit_deltas[unit_id]) for unit_id, value in base_units.items()},
        steps={k: _rss(v, ((d[0].get(k, 0.0), d[1].get(k, 0.0)) for d in deltas.values()))
               for k, v in base_steps.items()},
        hours=_rss(base.hours_freed, hour_deltas),
        deltas=deltas,
        estimate_share=variance_est / variance_all if variance_all > 0 else 0.0,
    )


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 12), data=st.data())
def test_the_sensitivity_equals_every_setting_priced_in_full(seed: int, size: int, data: st.DataObject) -> None:
    steps = random_portfolio(seed, size)
    plan = _plan(steps, data)
    cache: Cache = {}
    base = evaluate(steps, plan, MONEY, cache)
    found = sensitivity(steps, plan, base, PROFILE.estimates, cache)
    expected = _reference(steps, plan, base, PROFILE.estimates)
    assert found == expected
    assert list(found.steps) == list(expected.steps) and list(found.units) == list(expected.units)


_SWING = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.sampled_from([0.0, -0.0]))


@given(rows=st.lists(st.lists(st.tuples(_SWING, _SWING), min_size=3, max_size=3), max_size=6),
       bases=st.lists(st.floats(-1e12, 1e12), min_size=3, max_size=3))
def test_column_ranges_are_the_one_at_a_time_ranges(rows: list[list[tuple[float, float]]], bases: list[float]) -> None:
    """NaN, infinities and signed zeros included: each column's range is :func:`_rss` of that column."""
    swings = [(np.array([pair[0] for pair in row]), np.array([pair[1] for pair in row])) for row in rows]
    found = _rss_columns(bases, swings)
    for column, value in enumerate(bases):
        expected = _rss(value, [row[column] for row in rows])
        got = (found[column].low, found[column].base, found[column].high)
        want = (expected.low, expected.base, expected.high)
        assert [math.isnan(x) for x in got] == [math.isnan(x) for x in want]
        assert all(a == b for a, b in zip(got, want, strict=True) if not math.isnan(a))


def test_break_evens_equal_every_midpoint_priced_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """The break-evens through ``varied`` equal the break-evens pricing each setting with ``evaluate``."""
    steps = random_portfolio(5, 12)
    plan = Plan(frozenset(s.key for s in steps))
    found = breakeven.break_evens(steps, plan, MONEY, {})

    def fresh(steps: Sequence[MoneyStep], plan: Plan, base: Evaluation, key: str, value: float,
              cache: Cache | None = None) -> Evaluation:
        return evaluate(steps, plan, vary(base.money, key, value))

    monkeypatch.setattr(breakeven, "varied", fresh)
    assert found == breakeven.break_evens(steps, plan, MONEY, {})
    assert {b.key for b in found} >= {"cost.staff_yen_per_hour"}
