"""Break-even: the one parameter value at which all lots (or all robots) have an NPV of zero."""

from __future__ import annotations

import pytest
from money_fixtures import MONEY, money_with, step

from scoring.breakeven import break_evens
from scoring.cashflow import Plan, evaluate
from scoring.cost import MoneyStep
from scoring.money_params import vary
from scoring.result import Disposition


def counter() -> list[MoneyStep]:
    return [
        step("uketsuke", Disposition.OUTSOURCE, annual_count=480_000, minutes=1.2, order=0),
        step("kofu", Disposition.OUTSOURCE, annual_count=240_000, minutes=1.0, order=1),
    ]


def test_the_contractor_price_break_even_is_where_the_lots_npv_crosses_zero() -> None:
    steps = counter()
    money = money_with(staffing__redeploy_share=0)
    plan = Plan(frozenset(s.key for s in steps))
    found = {(b.kind, b.key): b for b in break_evens(steps, plan, money)}
    price = found[(Disposition.OUTSOURCE, "outsource.seat_hour_price")]
    assert price.current == MONEY.outsource.seat_hour_price and price.value is not None
    at = evaluate(steps, plan, vary(money, "outsource.seat_hour_price", price.value)).npv()
    assert abs(at) < 1.0, "the NPV is zero at the break-even (to the yen)"
    below = evaluate(steps, plan, vary(money, "outsource.seat_hour_price", price.value - 10)).npv()
    assert below > 0, "cheaper than the break-even pays"
    assert price.posts_cut > 0 and price.fte_freed > price.posts_cut * 0.5
    rate = found[(Disposition.OUTSOURCE, "cost.staff_yen_per_hour")]
    assert rate.value is not None and rate.lower < rate.value < rate.upper
    at_rate = evaluate(steps, plan, vary(money, "cost.staff_yen_per_hour", rate.value)).npv()
    assert abs(at_rate) < 1.0
    assert not [b for b in found.values() if b.kind is Disposition.RPA], "no robots, no robot break-even"


def test_robots_that_free_no_whole_post_have_no_staff_rate_break_even() -> None:
    """0.1 FTE freed never makes a post: no staff rate changes the cash, and the report must say why."""
    robot = step("nyuryoku", Disposition.RPA, annual_count=2_000, minutes=6, face=0.0, systems=("文書管理",))
    found = {b.key: b for b in break_evens([robot], Plan(frozenset({robot.key})), MONEY)}
    rate = found["cost.staff_yen_per_hour"]
    assert rate.value is None and rate.posts_cut == 0
    assert rate.npv_at_lower == pytest.approx(rate.npv_at_upper) == pytest.approx(rate.npv_base)
    licence = found["rpa.licence_per_robot_year"]
    assert licence.value is None and licence.npv_at_lower < 0, "even a free licence leaves the build cost"
