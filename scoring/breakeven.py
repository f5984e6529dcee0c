"""Break-even: the value of one parameter at which a plan's cash effect (NPV) is zero.

Why: when the honest answer is that outsourcing or a robot does not pay, a
財政課 asks next "at what price would it?".  The tornado chart says which
parameters move the figure most; the break-even says how far one of them
would have to move — the staff full cost per hour at which the lots pay
(the issue's ¥2,882/h against ¥3,285/h), the contractor's price at which
they pay, the licence price at which the robots pay.

Each break-even is found by bisection on the plan's NPV with every other
parameter at its base: the NPV rises with the staff rate and falls with a
price, so there is at most one crossing in the bracket (prices from 0 to
four times today's, the staff rate from ¥500 to ¥30,000 an hour).  When the sign does
not change inside the bracket the answer is "none in the bracket", said as
such — never extrapolated.  Outsourcing and RPA are evaluated apart (each
plan holds only that kind's candidates), since one may pay while the other
does not.

Each parameter asked about moves the plan's cash linearly (the staff rate
scales every post's value, the contractor's price every fee line, the
licence price every licence line; nothing else reads them), so the NPV is
an affine function of it up to rounding.  The bisection therefore asks the
straight line through the two ends of the bracket first and prices the plan
in full only when the line puts the NPV within a margin of zero — far above
rounding (1e-9 of the plan's gross amounts, at least one yen) — so every
step of the bisection decides as full pricing would and the break-even is
the same number; the line is checked against a full pricing at the first
midpoint and dropped if it misses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from scoring.cashflow import Cache, Evaluation, Plan, evaluate, varied
from scoring.cost import MoneyStep
from scoring.money_params import MoneyParams
from scoring.result import BreakEven, Disposition
from scoring.staffing import staff_costs

_ITERATIONS = 40
"""Bisection steps: the bracket shrinks 2^40-fold, far below one yen."""


@dataclass(frozen=True, slots=True)
class _Question:
    kind: Disposition
    """Which candidates the plan holds."""
    key: str
    """Parameter varied (dotted key; ``cost.staff_yen_per_hour`` = one staff rate for every 職種)."""
    lower: float
    """Bracket."""
    upper: float
    """Bracket."""
    label_ja: str
    label_en: str
    unit: str


def _questions(money: MoneyParams) -> tuple[_Question, ...]:
    price = money.outsource.seat_hour_price
    licence = money.rpa.licence_per_robot_year
    return (
        _Question(Disposition.OUTSOURCE, "cost.staff_yen_per_hour", 500.0, 30_000.0,
                  "委託が採算に乗る職員の人件費（全職種同一の時間単価）", "staff cost per hour (one rate for every "
                  "staff type) at which the lots pay", "円/時"),
        _Question(Disposition.OUTSOURCE, "outsource.seat_hour_price", 0.0, 4 * max(price, 1.0),
                  "委託が採算に乗る受託者の時間単価（業務責任者・一般管理費は別）",
                  "contractor price per staff-hour (before manager and fee) at which the lots pay", "円/時"),
        _Question(Disposition.RPA, "cost.staff_yen_per_hour", 500.0, 30_000.0,
                  "RPAが採算に乗る職員の人件費（全職種同一の時間単価）", "staff cost per hour (one rate for every "
                  "staff type) at which the robots pay", "円/時"),
        _Question(Disposition.RPA, "rpa.licence_per_robot_year", 0.0, 4 * max(licence, 1.0),
                  "RPAが採算に乗るロボット1台のライセンス（年）", "licence per robot a year at which the robots pay",
                  "円/年"),
    )


def _current(money: MoneyParams, key: str, steps: Sequence[MoneyStep]) -> float:
    """Today's value: for the staff rate, the cash a freed hour of these steps' staff saves (hours-weighted)."""
    if key == "cost.staff_yen_per_hour":
        if money.staff.rate_override > 0:
            return money.staff.rate_override
        costs = staff_costs(money)
        hours = sum(s.hours_per_year for s in steps)
        cash = sum(s.hours_per_year * share * costs[t].cash_yen_per_fte / money.hours_per_fte
                   for s in steps for t, share in s.org.mix.items())
        return cash / hours if hours > 0 else 0.0
    if key == "outsource.seat_hour_price":
        return money.outsource.seat_hour_price
    return money.rpa.licence_per_robot_year


def break_evens(
    steps: Sequence[MoneyStep], candidates: Plan, money: MoneyParams, cache: Cache | None = None
) -> tuple[BreakEven, ...]:
    """Break-evens of the outsourcing plan and of the RPA plan (every feasible candidate of the kind).

    Kinds without candidates are left out.
    """
    found: list[BreakEven] = []
    priced: dict[Plan, Evaluation] = {}  # each kind's plan at today's setting, asked by both its questions
    by_key = {s.key: s for s in steps}
    for question in _questions(money):
        active = frozenset(k for k in candidates.active if by_key[k].candidate is question.kind)
        if not active:
            continue
        plan = Plan(active, candidates.wait)

        at_base = priced.get(plan)
        if at_base is None:
            at_base = priced[plan] = evaluate(steps, plan, money, cache)

        def priced_at(value: float, key: str = question.key, plan: Plan = plan, at_base: Evaluation = at_base,
                      ) -> Evaluation:
            return varied(steps, plan, at_base, key, value, cache)

        def npv_at(value: float, priced_at: Callable[[float], Evaluation] = priced_at) -> float:
            return priced_at(value).npv()

        base = at_base.npv()
        at_lower, at_upper = priced_at(question.lower), priced_at(question.upper)
        low, high = at_lower.npv(), at_upper.npv()
        value: float | None = None
        if (low <= 0) != (high <= 0):
            margin = max(1.0, 1e-9 * max(_gross(at_lower), _gross(at_upper)))
            value = _bisect(npv_at, question.lower, question.upper, low, high, margin)
        found.append(BreakEven(
            kind=question.kind, key=question.key, label_ja=question.label_ja, label_en=question.label_en,
            unit=question.unit, current=_current(money, question.key, [s for s in steps if s.key in active]),
            value=value, lower=question.lower,
            upper=question.upper, npv_base=base, npv_at_lower=low, npv_at_upper=high,
            fte_freed=at_base.posts.plan.fte_freed, posts_cut=at_base.posts.plan.posts_cut,
        ))
    return tuple(found)


def _gross(evaluation: Evaluation) -> float:
    """Every amount of a plan's cash flow added up without sign (undiscounted): the scale of its rounding."""
    return float(sum(np.abs(unit.value).sum() + sum(np.abs(line).sum() for line in unit.lines.values())
                     for unit in evaluation.units.values()))


def _bisect(npv_at: Callable[[float], float], lower: float, upper: float, low: float, high: float,
            margin: float) -> float:
    """The bisection of the NPV's sign between ``lower`` (NPV ``low``) and ``upper`` (NPV ``high``).

    Each midpoint's sign is read off the straight line through the bracket's
    ends when the line is more than ``margin`` from zero there, else from a
    full pricing; the first midpoint is always priced and the line is used
    only while it agrees with that price to well within the margin.  The
    decisions, and so the result, are those of pricing every midpoint.
    """
    start, slope = lower, (high - low) / (upper - lower)
    trusted: bool | None = None
    for _ in range(_ITERATIONS):
        middle = (lower + upper) / 2
        line = low + slope * (middle - start)
        if trusted and abs(line) > margin:
            below = line <= 0
        else:
            priced = npv_at(middle)
            if trusted is None:
                trusted = abs(priced - line) <= margin / 16
            below = priced <= 0
        if below == (low <= 0):
            lower = middle
        else:
            upper = middle
    return (lower + upper) / 2
