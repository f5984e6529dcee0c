"""Break-even: the one parameter value at which all lots (or all robots) have an NPV of zero."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from money_fixtures import MONEY, money_with, org, step

from scoring.breakeven import _bisect, break_evens
from scoring.cashflow import Plan, evaluate
from scoring.cost import MoneyStep
from scoring.money_params import vary
from scoring.result import Disposition, StaffType


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


def _plain_bisection(npv_at: Callable[[float], float], lower: float, upper: float) -> float | None:
    """The reference: every midpoint priced in full (the rule before the straight-line shortcut)."""
    low, high = npv_at(lower), npv_at(upper)
    if (low <= 0) == (high <= 0):
        return None
    for _ in range(40):
        middle = (lower + upper) / 2
        if (npv_at(middle) <= 0) == (low <= 0):
            lower = middle
        else:
            upper = middle
    return (lower + upper) / 2


@pytest.mark.parametrize(("count", "minutes", "redeploy"), [(480_000, 1.2, 0.0), (90_000, 3.0, 0.3),
                                                            (2_000_000, 0.5, 0.5), (30_000, 7.0, 0.0)])
def test_each_break_even_equals_pricing_every_midpoint(count: int, minutes: float, redeploy: float) -> None:
    """The shortcut through the bracket's straight line decides every midpoint as full pricing does."""
    steps = [
        *counter(),
        step("juri", Disposition.OUTSOURCE, annual_count=count, minutes=minutes, order=2, staff_org=org(staff=None)),
        step("nyuryoku", Disposition.RPA, annual_count=count, minutes=minutes, face=0.0, systems=("文書管理",),
             order=3),
        step("shokai", Disposition.RPA, annual_count=count // 3, minutes=minutes * 2, face=0.0, systems=("住基",),
             order=4, staff_org=org(unit="記録係", staff=StaffType.KAIKEI)),
    ]
    money = money_with(staffing__redeploy_share=redeploy)
    candidates = Plan(frozenset(s.key for s in steps))
    found = break_evens(steps, candidates, money)
    assert len(found) == 4
    for answer in found:
        plan = Plan(frozenset(s.key for s in steps if s.candidate is answer.kind))

        def npv_at(value: float, key: str = answer.key, plan: Plan = plan) -> float:
            return evaluate(steps, plan, vary(money, key, value)).npv()

        assert answer.value == _plain_bisection(npv_at, answer.lower, answer.upper), answer.key


def test_a_bent_npv_is_bisected_by_pricing_every_midpoint() -> None:
    """When the straight line misses the first midpoint, no midpoint is read off it."""

    def bent(x: float) -> float:
        return (x - 3.0) ** 3 - 1.0   # crosses zero at 4, far from the chord through (0, −28) and (10, 342)

    assert _bisect(bent, 0.0, 10.0, bent(0.0), bent(10.0), 1.0) == _plain_bisection(bent, 0.0, 10.0)
