"""The seed cases, reproduced with the profile's own money model.

A 課長 trusts a cost model that gives, from what a city published, what that
city found.  Three seed cases test three parts of the model:

* **海老名市 ▲24%** — the price level: staff full cost per 職種 against
  contractor seats, 業務責任者 and fee (a saving of about a quarter when
  posts really go).
* **吉川市 WG** — the time structure: start-up, 並行稼働 and the contractor's
  preparation priced into the term make a small city's thin margin pay back
  only on a 5-year contract (inputs: 南足柄市's published staff cost and
  contract price).
* **足立区** — the staffing rule: with every replaced staff member
  redeployed, a contract is pure cost, and its price lies above the pay of
  the staff it replaced.

Each case is computed with the same functions as the flows
(:func:`scoring.staffing.staff_costs`, :func:`scoring.lots.contract_for_staff`,
:func:`scoring.cashflow.lot_cash`, :func:`scoring.cashflow.npv`) from the
documented inputs in ``calibration.toml``, and its range comes from varying
each ranged profile parameter to its low and high.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from bpm.limits import MAX_NUMBER
from scoring.cashflow import lot_cash, npv, yearly
from scoring.lots import contract_for_staff, fixed_price_lot
from scoring.money_params import Estimate, MoneyParams, vary
from scoring.profile import Profile
from scoring.result import CalibrationCase, Range, StaffType
from scoring.staffing import staff_costs

CASES_FILE = Path(__file__).resolve().parent / "calibration.toml"


@cache
def seed_data() -> Mapping[str, Mapping[str, Any]]:
    """The documented inputs of the seed cases."""
    return tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))


def _value(case: Mapping[str, Any], key: str) -> float:
    return float(case[key]["value"])


def _first_term_uplift(money: MoneyParams) -> float:
    """The contractor's own preparation, priced into the first term."""
    return 1.0 + money.outsource.prep_months / (12.0 * money.outsource.contract_years)


def ebina_saving_share(money: MoneyParams, case: Mapping[str, Any]) -> float:
    """First service year's saving as a share of the pre-outsourcing cost (positive = saving).

    Staff FTE = pre-outsourcing cost ÷ full cost of the 職種 mix; the posts of
    the outsourced share go (whole posts, the staff post on site kept; 海老名
    reported a budget cut, so none is redeployed), and the contract is priced
    for as many contractor FTE.
    """
    costs = staff_costs(money)
    regular, kaikei = costs[StaffType.REGULAR], costs[StaffType.KAIKEI]
    share = _value(case, "regular_share")
    pre_cost = _value(case, "pre_cost_yen")
    per_fte = share * regular.full_yen_per_fte + (1 - share) * kaikei.full_yen_per_fte
    # a profile pricing staff at (next to) nothing has no meaningful staff count: bounded, never inf
    staff_fte = min(pre_cost / per_fte, MAX_NUMBER) if per_fte > pre_cost / MAX_NUMBER else 0.0
    outsourced = staff_fte * _value(case, "outsourced_share")
    regular_posts = math.floor(max(0.0, outsourced * share - money.outsource.onsite_post_fte) + 1e-9)
    kaikei_posts = math.floor(outsourced * (1 - share) / kaikei.post_fte + 1e-9)
    saved = regular_posts * regular.cash_yen_per_fte + kaikei_posts * kaikei.post_fte * kaikei.cash_yen_per_fte
    contract = contract_for_staff(outsourced, money) * _first_term_uplift(money)
    return (saved - contract) / pre_cost


def yoshikawa_npv(money: MoneyParams, case: Mapping[str, Any], years: int) -> float:
    """NPV over the transition year and one ``years``-year contract for a small city's counter."""
    money = vary(vary(money, "cashflow.horizon_years", 1 + years), "outsource.contract_years", years)
    money = vary(money, "cashflow.transition_year", 1)
    price_term = _value(case, "price_term_years")
    base_fee = _value(case, "contract_yen") / (1.0 + money.outsource.prep_months / (12.0 * price_term))
    lot = fixed_price_lot("yoshikawa", "small city counter", base_fee, money)
    unit, service = lot_cash(lot, money)
    months = 12 * money.cashflow.horizon_years
    wage = np.array([(1 + money.cashflow.wage_escalation) ** (m // 12) for m in range(months)])
    value = np.zeros(months)
    value[service:] = _value(case, "staff_cost_yen") / 12.0 * wage[service:]
    unit.value = value
    return npv(yearly(unit.net()), money.cashflow.discount_rate)


def _adachi_contract(money: MoneyParams, case: Mapping[str, Any]) -> float:
    staff = _value(case, "regular_staff") + _value(case, "other_staff")
    return contract_for_staff(staff * _value(case, "contractor_fte_ratio"), money) * _first_term_uplift(money)


def adachi_cash_effect(money: MoneyParams, case: Mapping[str, Any]) -> float:
    """Yearly cash effect when every replaced staff member is redeployed (no post goes): minus the contract."""
    return -_adachi_contract(money, case)


def adachi_excess(money: MoneyParams, case: Mapping[str, Any]) -> float:
    """Contract price minus the pay (給与費) of the staff it replaced, yen a year."""
    kaikei = money.staff.kaikei
    kaikei_pay = kaikei.hourly_wage * money.hours_per_fte * (1 + kaikei.bonus_months / 12)
    pay = _value(case, "regular_staff") * money.staff.regular.pay_per_fte + _value(case, "other_staff") * kaikei_pay
    return _adachi_contract(money, case) - pay


def ranged(measure: Callable[[MoneyParams], float], money: MoneyParams, estimates: Mapping[str, Estimate]) -> Range:
    """A measure at the base and its range from one-at-a-time swings of the ranged parameters (root-sum-square)."""
    base = measure(money)
    downs: list[float] = []
    ups: list[float] = []
    for key, estimate in sorted(estimates.items()):
        if not estimate.is_range or key.startswith("cashflow.horizon") or key == "outsource.contract_years":
            continue
        low_delta = measure(vary(money, key, estimate.low)) - base
        high_delta = measure(vary(money, key, estimate.high)) - base
        downs.append(min(0.0, low_delta, high_delta))
        ups.append(max(0.0, low_delta, high_delta))
    return Range(base - math.hypot(*downs), base, base + math.hypot(*ups))  # hypot: no overflow of the squares


def _inputs(case: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    rows: list[tuple[str, str, str]] = []
    for key, entry in case.items():
        if isinstance(entry, Mapping) and "value" in entry:
            value = float(entry["value"])
            shown = f"{value:,.0f}" if value >= 10 else f"{value:g}"
            rows.append((key, shown, str(entry.get("source", ""))))
    return tuple(rows)


def calibrate(profile: Profile) -> tuple[CalibrationCase, ...]:
    """The three seed cases with this profile."""
    money = profile.money
    if money is None:
        return ()
    data = seed_data()
    estimates = profile.estimates
    ebina, yoshikawa, adachi = data["ebina"], data["yoshikawa"], data["adachi"]
    ebina_range = ranged(lambda m: ebina_saving_share(m, ebina), money, estimates)
    seed = _value(ebina, "seed_effect")
    three = ranged(lambda m: yoshikawa_npv(m, yoshikawa, 3), money, estimates)
    five = ranged(lambda m: yoshikawa_npv(m, yoshikawa, 5), money, estimates)
    cash = ranged(lambda m: adachi_cash_effect(m, adachi), money, estimates)
    excess = ranged(lambda m: adachi_excess(m, adachi), money, estimates)
    seed_excess = _value(adachi, "seed_excess_yen")
    return (
        CalibrationCase(
            "ebina", str(ebina["title_ja"]), str(ebina["title_en"]), _inputs(ebina),
            "初年度の削減率（委託前の費用に対する割合）", "first-year saving as a share of the pre-outsourcing cost",
            "▲24%（市民総合窓口 −0.5億円）", "−24% (−¥50M)", ebina_range, "share",
            ebina_range.low <= seed <= ebina_range.high,
            "職員数は委託前の費用から職種別フルコストで逆算し、委託分の定数を削減（現地の職員1名分は残す）、委託料は席・業務責任者・"
            "一般管理費で積算。",
            "Staff FTE from the pre-outsourcing cost and the full cost per 職種; the outsourced posts go (the on-site "
            "post stays); the contract is priced as seats, manager and fee.",
        ),
        CalibrationCase(
            "yoshikawa", str(yoshikawa["title_ja"]), str(yoshikawa["title_en"]), _inputs(yoshikawa),
            "5年契約の正味現在価値（移行年度＋契約期間）", "NPV of a 5-year contract (transition year + term)",
            "5年契約でのみ費用メリット", "cost merit only on a 5-year contract", five, "yen",
            three.base <= 0 < five.base,
            "同じ人件費・委託料で、3年契約（3年ごとの再調達・準備費の回収が短い）と5年契約を比較。",
            "The same staff cost and contract, as a 3-year term (p"
            "reparation recovered over 3 years) and a 5-year term.",
            extra=(("3年契約の正味現在価値", "NPV of a 3-year contract", three),),
        ),
        CalibrationCase(
            "adachi", str(adachi["title_ja"]), str(adachi["title_en"]), _inputs(adachi),
            "職員を全員配置転換したときの年間の財政効果", "yearly cash effect with every r"
                "eplaced staff member redeployed",
            "委託料が置き換えた職員の人件費を 1,188万円/年 上回った", "contract ¥11.9M a year ab"
                "ove the staff it replaced",
            cash, "yen",
            cash.high < 0 and excess.low <= seed_excess <= excess.high,
            "配置転換では定数が減らないため、委託料がそのまま費用にな"
            "る。参考: 委託料 − 置き換えた職員の給与費 の範囲に "
            "+1,188万円 が入るか。",
            "Redeployment cuts no post, so the contract is pure cost. Also: does +¥11.9M lie in the range of the "
            "contract minus the replaced staff's pay?",
            extra=(("委託料 − 置き換えた職員の給与費", "contract minus the replaced staff's pay", excess),),
        ),
    )
