"""What waiting for the 標準準拠 cutover changes in the plan's NPV, without pricing the whole plan again.

:func:`scoring.gate.choose_wait` tries each robot on a migrating screen in
turn and keeps "wait" when the plan's NPV gains more than 0.5 yen.  Pricing
the whole plan for each try made it quadratic in the portfolio.  The gain of
one robot's timing only touches three things, and this ledger keeps each:

* the robot's own lines (build, rebuild, running) — its own;
* the posts: its freed FTE count from a later month, so in each pool and
  職種 it belongs to the whole posts ⌊FTE × keep ÷ FTE per post⌋ may drop in
  the months between.  The plan's post value is Σ posts × cash per post ×
  wage, whoever earns the shares, so only the FTE live per month is kept;
* the deployment's licence, terminal and AI-OCR lines: their totals move
  only when the earliest build (or AI-OCR read) of the deployment moves.

The ledger's gain and the difference of two full pricings differ only by
rounding (the additions are done in another order), so a gain within
:func:`margin` of the 0.5-yen line, or a post count within 1e-7 of a whole
post, is settled by pricing both plans in full (:mod:`scoring.gate`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from scoring.cashflow import Evaluation, Parts, robot_own_lines, step_contributions
from scoring.money_params import MoneyParams
from scoring.result import StaffType
from scoring.rpa import ScenarioDraft
from scoring.staffing import PoolKey

Freed = tuple[PoolKey, StaffType, float, int]
"""One contribution as the ledger keeps it: pool, 職種, FTE, the month it counts from."""

_NEAR_WHOLE = 1e-7
"""A post count this close to a whole number is left to the full pricing (rounding could tip the floor)."""


@dataclass
class WaitLedger:
    """The current plan's FTE per pool and month, build months per deployment, and each robot's pieces."""

    money: MoneyParams
    parts: Parts
    scenarios: dict[str, ScenarioDraft]
    """Scenario id → draft (robots of the plan)."""
    deployment_of: dict[str, str]
    """Scenario id → deployment id."""
    robots: dict[str, int]
    """Deployment id → whole robots."""
    segment: dict[str, str]
    """Deployment id → segment."""
    waits: set[str] = field(default_factory=set)
    """Scenarios built after the cutover in the current plan."""
    live_fte: dict[tuple[PoolKey, StaffType], np.ndarray] = field(default_factory=dict)
    """(pool, 職種) → FTE live in each month of the horizon."""
    builds: dict[str, Counter[int]] = field(default_factory=dict)
    """Deployment id → how many robots start building in each month."""
    reads: dict[str, Counter[int]] = field(default_factory=dict)
    """Deployment id → how many AI-OCR readers go live in each month."""

    @classmethod
    def of(cls, plan: Evaluation, parts: Parts, contributions: list[Freed]) -> WaitLedger:
        """The ledger of a plan priced in full, with every contribution (pool, 職種, FTE, month) it made."""
        money = plan.money
        ledger = cls(
            money, parts, {s.scenario_id: s for s in plan.scenarios},
            {s.scenario_id: d.deployment_id for d in plan.deployments for s in d.scenarios},
            {d.deployment_id: d.robots for d in plan.deployments},
            {d.deployment_id: d.segment for d in plan.deployments},
        )
        for pool, staff_type, fte, month in contributions:
            ledger._add(pool, staff_type, fte, month)
        for sid, scenario in ledger.scenarios.items():
            deployment = ledger.deployment_of[sid]
            _lines, begin, live = ledger._own(sid, False)
            ledger.builds.setdefault(deployment, Counter())[begin] += 1
            if scenario.hours.ocr_pages_per_year > 0:
                ledger.reads.setdefault(deployment, Counter())[live] += 1
        return ledger

    # ------------------------------------------------------------------ pieces

    def _months(self) -> int:
        return 12 * self.money.cashflow.horizon_years

    def _add(self, pool: PoolKey, staff_type: StaffType, fte: float, month: int) -> None:
        months = self._months()
        live = self.live_fte.setdefault((pool, staff_type), np.zeros(months))
        if month < months:
            live[max(month, 0):] += fte

    def _own(self, sid: str, waits: bool) -> tuple[np.ndarray, int, int]:
        """(build + rebuild + running, build start, go-live) of one robot at one timing."""
        scenario = self.scenarios[sid]
        waits = waits and scenario.place.migrates and self._cutover() > self._first()
        build, rebuild, running, begin, live = robot_own_lines(scenario, waits, self.money, self.parts)
        return build + rebuild + running, begin, live

    def _first(self) -> int:
        return 12 * (self.money.cashflow.transition_year - 1)

    def _cutover(self) -> int:
        return 12 * (round(self.money.rpa.migration_year) - 1)

    def _contributions(self, sid: str, live: int) -> list[Freed]:
        scenario = self.scenarios[sid]
        return [(c.pool, c.staff_type, c.fte, c.release_month) for c in step_contributions(
            scenario.step.key, scenario.step, scenario.hours.hours_freed_per_year, live, self.money, self.parts)]

    def _post_value(self, group: tuple[PoolKey, StaffType], live: np.ndarray) -> tuple[np.ndarray, bool]:
        """Monthly value of the group's whole posts for an FTE curve, and whether a count sits near a whole post."""
        cost = self.parts_cost(group[1])
        keep = 1.0 if group[1] is StaffType.KAIKEI else 1.0 - self.money.staffing.redeploy_share
        exact = np.maximum(live, 0.0) * keep / cost[0] + 1e-9
        count = np.floor(exact)
        whole = np.rint(exact)
        near = bool(np.any((np.abs(exact - whole) < _NEAR_WHOLE) & (whole >= 1)))
        wage = (1 + self.money.cashflow.wage_escalation) ** (np.arange(len(live)) // 12)
        value = np.where((count > 0) & (live > 1e-12), count * cost[1] * wage, 0.0)
        return value, near

    def parts_cost(self, staff_type: StaffType) -> tuple[float, float]:
        """(FTE per post, cash per post per month) of a 職種."""
        from scoring.staffing import staff_costs

        cost = staff_costs(self.money)[staff_type]
        return cost.post_fte, cost.post_fte * cost.cash_yen_per_fte / 12.0

    def _deployment_lines(self, deployment: str, begin: int, read_from: int | None) -> np.ndarray:
        """Licence + terminal + AI-OCR totals of a deployment for its earliest build and first AI-OCR read."""
        months = self._months()
        rpa = self.money.rpa
        escalation = (1.0 + self.money.cashflow.contract_escalation) ** np.maximum(
            np.arange(months) // 12 - self._first() // 12, 0)
        total = np.zeros(months)
        robots = self.robots[deployment]
        if begin < months:
            total[begin:] -= robots * rpa.licence_per_robot_year / 12.0 * escalation[begin:]
            if self.segment[deployment] == "mynumber":
                total[begin] -= robots * rpa.mynumber_terminal_yen
        if read_from is not None and read_from < months:
            total[read_from:] -= rpa.ocr_licence_per_year / 12.0 * escalation[read_from:]
        return total

    # ------------------------------------------------------------------ the gain

    def gain(self, sid: str) -> tuple[np.ndarray, bool]:
        """Monthly change of the plan's net cash if this robot waits, and whether rounding could tip a post."""
        own_now, begin_now, live_now = self._own(sid, False)
        own_wait, begin_wait, live_wait = self._own(sid, True)
        delta = own_wait - own_now
        near = False
        moved: dict[tuple[PoolKey, StaffType], np.ndarray] = defaultdict(lambda: np.zeros(self._months()))
        months = self._months()
        for pool, staff_type, fte, month in self._contributions(sid, live_now):
            if month < months:
                moved[(pool, staff_type)][max(month, 0):] -= fte
        for pool, staff_type, fte, month in self._contributions(sid, live_wait):
            if month < months:
                moved[(pool, staff_type)][max(month, 0):] += fte
        for group, change in moved.items():
            live = self.live_fte.get(group, np.zeros(months))
            before, near_before = self._post_value(group, live)
            after, near_after = self._post_value(group, live + change)
            near = near or near_before or near_after
            delta = delta + (after - before)
        deployment = self.deployment_of[sid]
        builds, reads = self.builds[deployment], self.reads.get(deployment, Counter())
        reads_ocr = self.scenarios[sid].hours.ocr_pages_per_year > 0
        before = self._deployment_lines(deployment, min(builds), min(reads) if reads else None)
        builds_after = builds.copy()
        _move(builds_after, begin_now, begin_wait)
        reads_after = reads.copy()
        if reads_ocr:
            _move(reads_after, live_now, live_wait)
        after = self._deployment_lines(deployment, min(builds_after), min(reads_after) if reads_after else None)
        return delta + (after - before), near

    def accept(self, sid: str) -> None:
        """The robot waits from now on: move its FTE, build month and first read."""
        _own_now, begin_now, live_now = self._own(sid, False)
        _own_wait, begin_wait, live_wait = self._own(sid, True)
        for pool, staff_type, fte, month in self._contributions(sid, live_now):
            self._add(pool, staff_type, -fte, month)
        for pool, staff_type, fte, month in self._contributions(sid, live_wait):
            self._add(pool, staff_type, fte, month)
        deployment = self.deployment_of[sid]
        _move(self.builds[deployment], begin_now, begin_wait)
        if self.scenarios[sid].hours.ocr_pages_per_year > 0:
            _move(self.reads[deployment], live_now, live_wait)
        self.waits.add(sid)


def _move(counter: Counter[int], before: int, after: int) -> None:
    counter[before] -= 1
    if counter[before] == 0:
        del counter[before]
    counter[after] += 1


def margin(plan: Evaluation) -> float:
    """Yen within which the ledger's gain is not trusted against the 0.5-yen line: 1 yen, or 1e-9 of the plan's
    gross monthly amounts when larger (the rounding of sums in another order grows with them)."""
    gross = sum(float(np.abs(u.value).sum()) + sum(float(np.abs(a).sum()) for a in u.lines.values())
                for u in plan.units.values())
    return max(1.0, 1e-9 * gross)


__all__ = ["Freed", "WaitLedger", "margin"]
