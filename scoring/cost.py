"""Hours, FTE and yen: what a step costs today and what its disposition would save.

Kept apart from scoring because the money is what a budget office checks line
by line: every figure is a plain product of the step's hours and a profile
parameter whose source the report lists, so it can be recomputed by hand.

Model (per step, per year):

* hours = annual_count × minutes ÷ 60; FTE = hours ÷ working hours per FTE;
  staff cost = hours × full staff cost per hour.
* RPA frees ``rpa_reduction`` of the hours.  A robot's development cost
  (one-off), licence and maintenance (a share of development per year) are
  shared by ``rpa_steps_per_robot`` steps.
* Outsourcing frees the hours minus the share staff keep for on-site
  supervision; the contractor bills its hours × price × (1 + overhead), and
  the contract has a start-up cost.
* Retained and already automated steps free nothing and cost nothing new.
* saving = freed hours × staff rate − new running cost; payback = one-off ÷
  monthly saving (None when the saving is not positive); 5-year net =
  5 × saving − one-off.
"""

from __future__ import annotations

from collections.abc import Iterable

from scoring.profile import CostParams, Profile
from scoring.result import Disposition, StepAssessment, StepCost, Totals

YEARS = 5
"""Horizon of ``net_5y_yen``."""


def hours_per_year(annual_count: float, minutes_per_case: float) -> float:
    """Staff hours a year.

    >>> hours_per_year(5200, 8)
    693.3333333333334
    """
    return annual_count * minutes_per_case / 60.0


def hours_freed(disposition: Disposition, hours: float, cost: CostParams) -> float:
    """Staff hours a year the disposition frees."""
    if disposition is Disposition.RPA:
        return hours * cost.rpa_reduction
    if disposition is Disposition.OUTSOURCE:
        return hours * (1.0 - cost.supervision_share)
    return 0.0


def step_cost(disposition: Disposition, annual_count: float, minutes_per_case: float, profile: Profile) -> StepCost:
    """Cost figures of one step under a disposition.

    >>> from scoring.profile import load_profile
    >>> c = step_cost(Disposition.RPA, 5200, 8, load_profile())
    >>> round(c.hours_per_year, 1), round(c.hours_freed_per_year, 1), round(c.one_off_yen)
    (693.3, 554.7, 300000)
    """
    cost = profile.cost
    hours = hours_per_year(annual_count, minutes_per_case)
    freed = hours_freed(disposition, hours, cost)
    if disposition is Disposition.RPA:
        share = 1.0 / cost.rpa_steps_per_robot
        running = share * (cost.rpa_licence_yen_per_robot_year
                           + cost.rpa_maintenance_rate * cost.rpa_development_yen_per_robot)
        one_off = share * cost.rpa_development_yen_per_robot
    elif disposition is Disposition.OUTSOURCE:
        running = hours * cost.contractor_hours_ratio * cost.contractor_yen_per_hour * (1.0 + cost.contractor_overhead)
        one_off = cost.outsource_one_off_yen
    else:
        running = one_off = 0.0
    saving = freed * cost.staff_yen_per_hour - running
    return StepCost(
        hours_per_year=hours,
        fte=hours / profile.hours_per_fte,
        yen_per_year=hours * cost.staff_yen_per_hour,
        hours_freed_per_year=freed,
        new_cost_yen_per_year=running,
        saving_yen_per_year=saving,
        one_off_yen=one_off,
        payback_months=payback_months(one_off, saving) if disposition in (Disposition.RPA, Disposition.OUTSOURCE)
        else None,
        net_5y_yen=YEARS * saving - one_off,
    )


def payback_months(one_off: float, saving_per_year: float) -> float | None:
    """Months until the savings repay the one-off cost; None when they never do.

    >>> payback_months(300000, 1200000), payback_months(0, 10), payback_months(1, -5)
    (3.0, 0.0, None)
    """
    if saving_per_year <= 0:
        return None
    return one_off / (saving_per_year / 12.0)


def totals(steps: Iterable[StepAssessment], hours_per_fte: float) -> Totals:
    """Sums over steps, with counts and hours per disposition (every disposition listed)."""
    steps = list(steps)
    by_disposition = {d: 0 for d in Disposition}
    hours_by = {d: 0.0 for d in Disposition}
    for step in steps:
        by_disposition[step.disposition] += 1
        hours_by[step.disposition] += step.cost.hours_per_year
    hours = sum(s.cost.hours_per_year for s in steps)
    return Totals(
        steps=len(steps),
        hours_per_year=hours,
        fte=hours / hours_per_fte,
        yen_per_year=sum(s.cost.yen_per_year for s in steps),
        hours_freed_per_year=sum(s.cost.hours_freed_per_year for s in steps),
        saving_yen_per_year=sum(s.cost.saving_yen_per_year for s in steps),
        one_off_yen=sum(s.cost.one_off_yen for s in steps),
        net_5y_yen=sum(s.cost.net_5y_yen for s in steps),
        by_disposition=by_disposition,
        hours_by_disposition=hours_by,
    )
