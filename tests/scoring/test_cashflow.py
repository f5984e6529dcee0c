"""The multi-year cash flow by hand: discounting, payback, the lot timeline, re-tender, ranges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from money_fixtures import MONEY, PROFILE, money_with, org, random_portfolio, same_evaluation, step

from scoring.cashflow import (
    Cache,
    Parts,
    Plan,
    evaluate,
    lot_cash,
    lot_timeline,
    npv,
    payback_month,
    sensitivity,
    yearly,
)
from scoring.lots import fixed_price_lot
from scoring.money_params import vary
from scoring.result import Disposition, StaffType
from scoring.rpa import scenario_id


def test_discounting_by_hand() -> None:
    # Year 1 undiscounted, year y ÷ 1.05^(y−1): −100 + 60/1.05 + 60/1.1025 = 11.5646.
    assert npv([-100.0, 60.0, 60.0], 0.05) == pytest.approx(-100 + 60 / 1.05 + 60 / 1.1025)
    assert npv([10.0, 10.0], 0.0) == 20.0
    assert yearly(np.arange(24.0)) == (66.0, 210.0)


def test_payback_by_hand() -> None:
    monthly = np.array([-30.0, 10, 10, 10, 10, 10])
    assert payback_month(monthly) == 3.0  # back at 0 after month 3
    assert payback_month(np.array([-30.0, 10, 10])) is None  # not within the horizon
    assert payback_month(np.array([1.0, 1.0])) == 0.0


def test_lot_timeline() -> None:
    # Start-up in April of year 1; preparation 3 months + 並行稼働 2 months → service from the next April
    # (month 12), fees from February (month 10).
    assert lot_timeline(MONEY) == (0, 10, 12)
    assert lot_timeline(money_with(outsource__prep_months=12)) == (0, 22, 24)
    assert lot_timeline(money_with(cashflow__transition_year=2)) == (12, 22, 24)


def test_lot_cash_with_re_tender_by_hand() -> None:
    """A 12M-yen-a-year lot on 3-year terms over 5 years.

    The contractor's 3 months of preparation are priced into each term (× 1 + 3/36); the first term starts
    in year 2 (× 1.03 escalation); the second term starts at month 48 (year 5): × 1.05 re-tender factor and
    × 1.03⁴, plus the procurement again (150 h × 2,000 overtime).
    """
    lot = fixed_price_lot("lot-t", "t", 12_000_000, MONEY)
    unit, service = lot_cash(lot, MONEY)
    assert service == 12
    contract = unit.lines["contract"]
    uplift = 1 + 3 / 36
    assert (contract[:10] == 0).all()
    assert contract[10] == pytest.approx(-1_000_000 * uplift * 1.03)  # 並行稼働, first-term price
    assert contract[47] == pytest.approx(-1_000_000 * uplift * 1.03)
    assert contract[48] == pytest.approx(-1_000_000 * uplift * 1.05 * 1.03**4)
    assert unit.lines["re-tender"][48] == pytest.approx(-300_000)
    assert unit.lines["re-tender"].sum() == pytest.approx(-300_000)
    assert unit.lines["start-up"][0] == pytest.approx(-(400 + 600 + 150) * 2000 - 1_500_000)
    five = fixed_price_lot("lot-t", "t", 12_000_000, money_with(outsource__contract_years=5))
    longer, _ = lot_cash(five, money_with(outsource__contract_years=5))
    assert longer.lines["re-tender"].sum() == 0, "a 5-year term needs no re-tender within 5 years"
    assert longer.lines["contract"][12] == pytest.approx(-1_000_000 * (1 + 3 / 60) * 1.03)


def paying_lot_steps() -> list:  # type: ignore[type-arg]
    """A busy counter staffed by regular staff only: several posts' worth of work (it pays when posts go)."""
    return [
        step("s1", Disposition.OUTSOURCE, annual_count=480_000, minutes=1.2, order=0),
        step("s2", Disposition.OUTSOURCE, annual_count=240_000, minutes=1.0, order=1),
        step("r1", Disposition.RPA, annual_count=5200, minutes=8, face=0.0, lane="審査・入力担当",
             systems=("住基システム",), order=2),
    ]


def test_steps_carry_the_whole_cash_flow() -> None:
    steps = paying_lot_steps()
    money = money_with(staffing__redeploy_share=0)
    evaluation = evaluate(steps, Plan(frozenset(s.key for s in steps)), money)
    portfolio = evaluation.portfolio()
    assert sum(evaluation.step_net.values()).sum() == pytest.approx(portfolio.sum())
    assert evaluation.npv() == pytest.approx(sum(evaluation.step_npv(k) for k in evaluation.step_net))
    assert set(evaluation.step_unit.values()) == set(evaluation.units)
    assert evaluation.posts.plan.posts_cut >= 2
    assert evaluation.hours_freed == pytest.approx(9600 + 4000 + 693.333 * 0.8, rel=1e-4)


def test_ranges_and_tornado() -> None:
    steps = paying_lot_steps()
    money = money_with(staffing__redeploy_share=0)
    plan = Plan(frozenset(s.key for s in steps))
    base = evaluate(steps, plan, money)
    result = sensitivity(steps, plan, base, PROFILE.estimates)
    assert result.portfolio.base == pytest.approx(base.npv())
    assert result.portfolio.low <= result.portfolio.base <= result.portfolio.high
    assert result.portfolio.low < result.portfolio.high
    swings = [bar.swing for bar in result.tornado]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    keys = {bar.key for bar in result.tornado}
    assert "outsource.seat_hour_price" in keys and "staff.regular.pay_per_fte" in keys
    price = next(bar for bar in result.tornado if bar.key == "outsource.seat_hour_price")
    assert price.npv_at_low > price.npv_at_high, "a cheaper seat makes the lot pay more"
    for unit_id, value in result.units.items():
        assert value.low <= base.unit_npv(unit_id) <= value.high
    assert 0 <= result.estimate_share <= 1
    assert result.hours.low <= base.hours_freed <= result.hours.high


def test_kaikei_hours_are_worth_less_cash_than_regular_hours() -> None:
    # 12,000 h = 6.25 FTE at one counter: as 正規 posts (after the on-site post) or as 会計年度 posts.
    regular = [step("s1", Disposition.OUTSOURCE, annual_count=600_000, minutes=1.2)]
    kaikei = [step("s1", Disposition.OUTSOURCE, annual_count=600_000, minutes=1.2,
                   staff_org=org(staff=StaffType.KAIKEI))]
    money = money_with(staffing__redeploy_share=0)
    on_regular = evaluate(regular, Plan(frozenset({regular[0].key})), money).npv()
    on_kaikei = evaluate(kaikei, Plan(frozenset({kaikei[0].key})), money).npv()
    assert on_regular > on_kaikei, "outsourcing saves money only when it replaces 正規 hours (facts §2.2)"


def test_ai_ocr_service_is_shared_by_the_robots_that_read_paper() -> None:
    """One LGWAN deployment of three robots: two read paper (3,000 and 1,000 pages a year), one is all digital.

    The AI-OCR service fee is shared 3:1 by the two readers by their pages and nothing is charged to the
    digital one; together they carry the whole fee (the share is computed once per deployment).
    """
    steps = [
        step("p1", Disposition.RPA, annual_count=3000, minutes=8, face=0.0, digital=0.0, lane="審査・入力担当",
             order=0),
        step("p2", Disposition.RPA, annual_count=1000, minutes=8, face=0.0, digital=0.0, lane="審査・入力担当",
             order=1),
        step("d1", Disposition.RPA, annual_count=5000, minutes=8, face=0.0, digital=1.0, lane="審査・入力担当",
             order=2),
    ]
    evaluation = evaluate(steps, Plan(frozenset(s.key for s in steps)), MONEY)
    by_step = {str(scenario.step.key.step_id): scenario for scenario in evaluation.scenarios}
    assert by_step["p1"].hours.ocr_pages_per_year == pytest.approx(3 * by_step["p2"].hours.ocr_pages_per_year)
    assert by_step["d1"].hours.ocr_pages_per_year == 0
    ocr = {step_id: evaluation.units[s.scenario_id].lines["ocr"] for step_id, s in by_step.items()}
    assert (ocr["d1"] == 0).all()
    assert ocr["p1"].sum() == pytest.approx(3 * ocr["p2"].sum())
    months = 12 * MONEY.cashflow.horizon_years
    first_live = min(12 * (MONEY.cashflow.transition_year - 1) + round(MONEY.rpa.build_months), months)
    fee = -MONEY.rpa.ocr_licence_per_year / 12.0
    assert ocr["p1"][first_live] + ocr["p2"][first_live] == pytest.approx(fee)


# --------------------------------------------------------------------------- reused pieces (Parts)

@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 14), data=st.data())
def test_reused_parts_price_every_plan_as_a_fresh_evaluation(seed: int, size: int, data: st.DataObject) -> None:
    """The cost gate's path: one Parts across a random sequence of withdrawals and wait flags.

    Each plan priced with the pieces kept from earlier plans must equal the plan priced from scratch, bit for
    bit (the gate's choices and the printed figures depend on it).
    """
    steps = random_portfolio(seed, size)
    parts = Parts(steps, MONEY)
    active = {s.key for s in steps if s.is_candidate}
    order = data.draw(st.permutations(sorted(active, key=lambda k: str(k.step_id))))
    robots = [scenario_id(s.key) for s in steps if s.candidate is Disposition.RPA]
    for key in [None, *order]:
        if key is not None:
            active.discard(key)
        wait = frozenset(data.draw(st.lists(st.sampled_from(robots), max_size=4))) if robots else frozenset()
        plan = Plan(frozenset(active), wait)
        same_evaluation(evaluate(steps, plan, MONEY, None, parts), evaluate(steps, plan, MONEY))


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 12), data=st.data())
def test_one_cache_across_settings_prices_each_as_a_fresh_evaluation(seed: int, size: int,
                                                                      data: st.DataObject) -> None:
    """The sensitivity and break-even path: one cache across every parameter's low, base and high.

    The drafts, contributions, robots' own lines and post plans it keeps are keyed by what each reads; each
    setting priced with them must equal the setting priced from scratch, bit for bit, whatever was priced
    before it (a key that forgets a parameter its piece reads fails here: the next setting finds the piece of
    the one before).
    """
    steps = random_portfolio(seed, size)
    robots = [scenario_id(s.key) for s in steps if s.candidate is Disposition.RPA]
    everyone = sorted((s.key for s in steps), key=lambda k: str(k.step_id))
    active = frozenset(data.draw(st.lists(st.sampled_from(everyone), min_size=1, unique=True)))
    wait = frozenset(data.draw(st.lists(st.sampled_from(robots), max_size=3))) if robots else frozenset()
    plan = Plan(active, wait)
    cache: Cache = {}
    for key, estimate in sorted(PROFILE.estimates.items()):
        if not estimate.is_range:
            continue
        for value in (estimate.low, estimate.base, estimate.high):
            money = vary(MONEY, key, value)
            same_evaluation(evaluate(steps, plan, money, cache), evaluate(steps, plan, money))


def test_parts_belong_to_one_portfolio_and_one_setting() -> None:
    steps = random_portfolio(7, 6)
    parts = Parts(steps, MONEY)
    plan = Plan(frozenset(s.key for s in steps))
    with pytest.raises(ValueError, match="another portfolio or parameter setting"):
        evaluate(steps, plan, money_with(rpa__licence_per_robot_year=1.0), None, parts)
    with pytest.raises(ValueError, match="another portfolio or parameter setting"):
        evaluate(list(steps), plan, MONEY, None, parts)
