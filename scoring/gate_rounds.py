"""The cost gate's rounds once only robots are left, without pricing the whole portfolio each round.

Why: after its first rounds the gate usually holds robots only (the lots
that lose money go first), and then withdraws the worst robot one per
round.  Each round used to be a full :func:`scoring.cashflow.evaluate`:
every robot's deployment share, the whole post plan and every robot's
cash, ≈ 40 ms at 100 flows and growing with the portfolio, for hundreds
of rounds — quadratic.  With robots only, a round is fixed by a handful of
round-wide figures: per deployment its run time, robots, build start and
AI-OCR pages; per pool and 職種 its stretches of whole posts and the FTE
live in each.  :class:`RobotRounds` keeps the robots' fixed pieces (own
lines, FTE per pool and 職種, run time, pages) as arrays and, per round:

1. recomputes those round-wide figures with the very sums
   :func:`~scoring.rpa.draft_scenarios`, :func:`~scoring.cashflow._rpa_cash` and
   :func:`~scoring.staffing.plan_posts` do (same terms, same order);
2. estimates every robot's NPV by linearity (own NPV + share × deployment
   NPVs + FTE × post value per FTE) with a bound on the rounding, a vector
   sum over the robots;
3. prices exactly, with the same array operations a full evaluation does on
   that robot's row, only the robots whose estimate can be the lowest, and
   takes the lowest by the gate's own order (NPV, then unit id).

The robot withdrawn and every figure recorded for it (its NPV, its step's
NPV, its snapshot's lines, value, deployment and post plan) are those of
the full evaluation; ``tests/scoring/test_gate_rounds.py`` checks the whole
gate against the round-by-round full evaluation on generated portfolios.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from scoring.cashflow import (
    Evaluation,
    Parts,
    UnitCash,
    npv,
    npv_rows,
    robot_own_lines,
    step_contributions,
    yearly,
)
from scoring.float_sum import masked_sums, ordered_sum
from scoring.result import Disposition, PostRow, StaffType, StepKey
from scoring.rpa import DeploymentDraft, ScenarioDraft
from scoring.staffing import PoolKey, PostPlan, post_row, staff_costs, staffing_plan

_RELATIVE = 1e-9
"""Bound on an estimate's rounding, relative to the sum of its terms' sizes (float64 errs near 1e-13 here)."""
_ABSOLUTE = 1e-3
"""Yen added to that bound."""
_SEGMENTS = ("mynumber", "lgwan")
_LINES = ("build", "rebuild", "running", "licence", "terminal", "ocr")


def robots_only(active: frozenset[StepKey] | set[StepKey], parts: Parts) -> bool:
    """True when every adopted step is a robot: no lot can be formed, so a round is robots and posts only."""
    return all(parts.by_key[key].candidate is Disposition.RPA for key in active)


@dataclass
class _Group:
    """One pool and 職種: the robots with FTE in it, in the order their contributions are counted."""

    pool: PoolKey
    staff_type: StaffType
    robots: np.ndarray
    """Robot indices (scenario order)."""
    fte: np.ndarray
    released: np.ndarray
    keep: float
    post_fte: float
    per_post: float


@dataclass
class _Stretch:
    """Months [begin, end) of a pool and 職種 in which ``count`` whole posts go, from ``available`` FTE live."""

    begin: int
    end: int
    count: int
    available: float


@dataclass
class _Deployment:
    """One segment's robots this round, as :func:`~scoring.rpa.draft_scenarios` drafts them."""

    segment: str
    members: np.ndarray
    """Mask of the robots in it."""
    run: float
    robots: int
    ocr_any: bool
    pages: float
    lines: tuple[np.ndarray, np.ndarray, np.ndarray]
    """Its licence, terminal and AI-OCR lines (to be shared out)."""


@dataclass
class _Round:
    """The round-wide figures every robot's cash reads this round."""

    deployments: dict[str, _Deployment]
    stretches: dict[int, tuple[np.ndarray, float, list[_Stretch]]]
    """Group index → (posts per month, FTE live at the end, stretches that cut a post)."""


@dataclass
class _Kept:
    """Figures kept from round to round: a withdrawal changes only its robot's segment and pools and 職種.

    Why: with two deployments and a few groups, making every one again each round redid the numpy work over
    every robot for figures no withdrawal had touched.
    """

    deployments: dict[str, _Deployment | None] = field(default_factory=dict)
    """Segment → its deployment (None: no robot left in it)."""
    stretches: dict[int, tuple[np.ndarray, float, list[_Stretch]] | None] = field(default_factory=dict)
    """Group index → posts per month, FTE live at the end, stretches (None: no robot left in it)."""
    terms: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """Segment → what its deployment adds to every robot's estimate and to the estimate's bound."""
    values: dict[int, np.ndarray] = field(default_factory=dict)
    """Group index → each of its rows' post value by linearity (FTE × value per FTE live)."""
    rows: dict[int, PostRow] = field(default_factory=dict)
    """Group index → its row of the post plan."""

    def forget(self, segment: str | None, groups: Iterable[int]) -> None:
        """Drop what a withdrawal from ``segment`` and ``groups`` changes."""
        if segment is not None:
            self.deployments.pop(segment, None)
            self.terms.pop(segment, None)
        for index in groups:
            self.stretches.pop(index, None)
            self.values.pop(index, None)
            self.rows.pop(index, None)


@dataclass(frozen=True, slots=True)
class Pick:
    """The robot a round withdraws, with what the gate records for it."""

    scenario_id: str
    key: StepKey
    step_npv: float
    unit_npv: float
    snapshot: Evaluation


class RobotRounds:
    """The gate's robot-only rounds over one plan's robots (see the module's docstring)."""

    def __init__(self, last: Evaluation, active: set[StepKey], wait: frozenset[str], parts: Parts,
                 tolerance: float) -> None:
        self.tolerance = tolerance  # the gate's: an NPV at or below this (yen) counts as ≤ 0
        money = last.money
        self.money = money
        self.months = months = 12 * money.cashflow.horizon_years
        self.rate = money.cashflow.discount_rate
        self.costs = staff_costs(money)
        # Only the robots still adopted: those withdrawn before the ledger took over never come back, and every
        # round's arrays ran over them too (40 % of the robots at 1,000 flows, the doomed ones of round 0).
        self.scenarios: list[ScenarioDraft] = [s for s in last.scenarios if s.step.key in active]
        count = len(self.scenarios)
        self.alive = np.ones(count, dtype=bool)
        rpa = money.rpa
        first = 12 * (money.cashflow.transition_year - 1)
        cutover = 12 * (round(rpa.migration_year) - 1)
        self.own: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        begins: list[int] = []
        self.go_live = np.array([last.go_live[s.scenario_id] for s in self.scenarios], dtype=np.int64)
        for scenario in self.scenarios:
            waits = scenario.scenario_id in wait and scenario.place.migrates and cutover > first
            build, rebuild, running, begin, _live = robot_own_lines(scenario, waits, money, parts)
            self.own.append((build, rebuild, running))
            begins.append(begin)
        self.begin = np.array(begins, dtype=np.int64)
        self.hours = np.array([s.robot_hours_per_year for s in self.scenarios], dtype=float)
        self.pages = np.array([s.hours.ocr_pages_per_year for s in self.scenarios], dtype=float)
        self.freed = np.array([s.hours.hours_freed_per_year for s in self.scenarios], dtype=float)
        self.segment = np.array([_SEGMENTS.index(s.place.segment) if s.place.segment in _SEGMENTS else -1
                                 for s in self.scenarios])
        own_sum = np.array([b + r + n for b, r, n in self.own], dtype=float).reshape(count, months)
        self.own_npv = np.array(npv_rows(own_sum, self.rate), dtype=float)
        self.index = {s.scenario_id: i for i, s in enumerate(self.scenarios)}
        self.groups, self.member = self._groups(parts)
        self.escalation = (1.0 + money.cashflow.contract_escalation) ** np.maximum(
            np.arange(months) // 12 - first // 12, 0)
        self.wage = (1 + money.cashflow.wage_escalation) ** (np.arange(months) // 12)
        self._kept = _Kept()

    def _groups(self, parts: Parts) -> tuple[list[_Group], list[dict[int, int]]]:
        """Each pool and 職種 with its robots' FTE, and per robot: group index → its row in that group."""
        money = self.money
        found: dict[tuple[PoolKey, StaffType], list[tuple[int, float, int]]] = {}
        for index, scenario in enumerate(self.scenarios):
            for item in step_contributions(scenario.step.key, scenario.step, scenario.hours.hours_freed_per_year,
                                           int(self.go_live[index]), money, parts):
                found.setdefault((item.pool, item.staff_type), []).append((index, item.fte, item.release_month))
        groups: list[_Group] = []
        member: list[dict[int, int]] = [{} for _ in self.scenarios]
        for (pool, staff_type), rows in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
            cost = self.costs[staff_type]
            keep = 1.0 if staff_type is StaffType.KAIKEI else 1.0 - money.staffing.redeploy_share
            for row, (index, _fte, _released) in enumerate(rows):
                member[index][len(groups)] = row
            groups.append(_Group(pool, staff_type, np.array([r[0] for r in rows], dtype=np.int64),
                                 np.array([r[1] for r in rows], dtype=float),
                                 np.array([r[2] for r in rows], dtype=np.int64), keep, cost.post_fte,
                                 cost.post_fte * cost.cash_yen_per_fte / 12.0))
        return groups, member

    # ------------------------------------------------------------------ one round's round-wide figures

    def _deployment(self, segment: int) -> _Deployment | None:
        """What :func:`~scoring.rpa.draft_scenarios` and :func:`~scoring.cashflow._rpa_cash` make of a segment."""
        members = self.alive & (self.segment == segment)
        if not members.any():
            return None
        money, months = self.money, self.months
        rpa = money.rpa
        run = ordered_sum(self.hours[members])
        robots = max(1, math.ceil(run / rpa.robot_hours_per_year - 1e-9))
        name = _SEGMENTS[segment]
        begin = int(self.begin[members].min())
        licence, terminal, ocr = np.zeros(months), np.zeros(months), np.zeros(months)
        escalation = self.escalation
        if begin < months:
            licence[begin:] = -robots * rpa.licence_per_robot_year / 12.0 * escalation[begin:]
            if name == "mynumber":
                terminal[begin] = -robots * rpa.mynumber_terminal_yen
        readers = members & (self.pages > 0)
        pages = ordered_sum(self.pages[readers])
        if readers.any():
            ocr_start = int(self.go_live[readers].min())
            if ocr_start < months:
                ocr[ocr_start:] = -rpa.ocr_licence_per_year / 12.0 * escalation[ocr_start:]
        return _Deployment(name, members, run, robots, bool(readers.any()), pages, (licence, terminal, ocr))

    def _stretches(self, group: _Group) -> tuple[np.ndarray, float, list[_Stretch]] | None:
        """What :func:`~scoring.staffing._stretches` finds for the group's live robots (same sums, same order)."""
        live_rows = self.alive[group.robots]
        if not live_rows.any():
            return None
        months = self.months
        released = group.released[live_rows]
        fte = group.fte[live_rows]
        starts = sorted({min(max(int(r), 0), months) for r in set(released.tolist())} | {months})
        posts = np.zeros(months)
        available_end: float = 0.0
        found: list[_Stretch] = []
        # Each stretch's FTE live: Python's sum over the rows released by its start, all stretches in one pass.
        begins = np.array(starts[:-1], dtype=np.int64)
        availables = masked_sums(fte, released[None, :] <= begins[:, None])
        for (begin, end), available in zip(itertools.pairwise(starts), availables, strict=True):
            if begin >= end:
                continue
            available_end = available
            count = math.floor(max(available, 0.0) * group.keep / group.post_fte + 1e-9)
            posts[begin:end] = count
            if count == 0 or available <= 1e-12:
                continue
            found.append(_Stretch(begin, end, count, available))
        return posts, available_end, found

    def _round(self) -> _Round:
        """This round's figures: those of the segment and groups the last withdrawal touched made again, the
        others as the previous round made them (nothing else changes between rounds)."""
        kept = self._kept
        deployments = {}
        for segment, name in enumerate(_SEGMENTS):
            if name not in kept.deployments:
                kept.deployments[name] = self._deployment(segment)
            made = kept.deployments[name]
            if made is not None:
                deployments[name] = made
        stretches = {}
        for index, group in enumerate(self.groups):
            if index not in kept.stretches:
                kept.stretches[index] = self._stretches(group)
            made_group = kept.stretches[index]
            if made_group is not None:
                stretches[index] = made_group
        return _Round(deployments, stretches)

    # ------------------------------------------------------------------ estimate, then exact prices

    def _estimates(self, now: _Round) -> tuple[np.ndarray, np.ndarray]:
        """Every robot's NPV by linearity, and a bound on how far the exact figure can be from it.

        Each deployment's and each group's part is kept until a withdrawal touches it (:class:`_Kept`); the
        parts are added in the same order as when each round made them all, so every figure is the same.
        """
        count = len(self.scenarios)
        estimate = self.own_npv.copy()
        size = np.abs(self.own_npv)
        for name, deployment in now.deployments.items():
            term, term_size = self._deployment_term(name, deployment)
            estimate += term
            size += term_size
        value = np.zeros(count)
        for index, (_posts, _end, found) in now.stretches.items():
            value[self.groups[index].robots] += self._group_value(index, found)  # once per pool and 職種
        estimate += value
        size += np.abs(value)
        return estimate, _RELATIVE * size + _ABSOLUTE

    def _deployment_term(self, name: str, deployment: _Deployment) -> tuple[np.ndarray, np.ndarray]:
        """What a deployment adds to each robot's estimate (its share of the lines' NPVs) and to the bound."""
        kept = self._kept.terms.get(name)
        if kept is None:
            members = deployment.members
            share = np.where(members, self.hours / deployment.run if deployment.run > 0 else
                             1.0 / int(members.sum()), 0.0)
            ocr_share = np.where(members & (self.pages > 0), self.pages / (deployment.pages or 1.0), 0.0)
            licence, terminal, ocr = (npv(yearly(line), self.rate) for line in deployment.lines)
            kept = self._kept.terms[name] = (share * (licence + terminal) + ocr_share * ocr,
                                             share * (abs(licence) + abs(terminal)) + ocr_share * abs(ocr))
        return kept

    def _group_value(self, index: int, found: list[_Stretch]) -> np.ndarray:
        """Each of a group's rows' post value by linearity: its FTE × the value per FTE live of its stretches."""
        kept = self._kept.values.get(index)
        if kept is None:
            group = self.groups[index]
            per_fte = np.zeros(len(group.robots))
            for stretch in found:
                placed = np.zeros(self.months)
                span = slice(stretch.begin, stretch.end)
                placed[span] = stretch.count * group.per_post * self.wage[span]
                worth = npv(yearly(placed), self.rate) / stretch.available
                per_fte += np.where(group.released <= stretch.begin, worth, 0.0)
            kept = self._kept.values[index] = group.fte * per_fte
        return kept

    def _earned(self, index: int, now: _Round) -> np.ndarray | None:
        """The robot's post value as :func:`~scoring.staffing._group_posts` adds it up (groups in order)."""
        total: np.ndarray | None = None
        for group_index, row in self.member[index].items():
            kept = now.stretches.get(group_index)
            if kept is None:
                continue
            group = self.groups[group_index]
            block = np.zeros(self.months)
            touched = False
            for stretch in kept[2]:
                if group.released[row] > stretch.begin:
                    continue
                segment = stretch.count * group.per_post * self.wage[stretch.begin:stretch.end]
                share = group.fte[row:row + 1] / stretch.available
                block[stretch.begin:stretch.end] += share[0] * segment
                touched = True
            if touched:
                total = block.copy() if total is None else total + block
        return total

    def _unit(self, index: int, now: _Round) -> tuple[UnitCash, np.ndarray]:
        """The robot's unit (lines, value) and its step's monthly net, as :func:`~scoring.cashflow._batch_values`."""
        scenario = self.scenarios[index]
        months = self.months
        deployment = now.deployments[scenario.place.segment]
        share = np.array([[self.hours[index] / deployment.run if deployment.run > 0
                           else 1.0 / int(deployment.members.sum())]])
        ocr_share = np.array([[self.pages[index] / deployment.pages if self.pages[index] > 0 else 0.0]])
        licence, terminal, ocr = deployment.lines
        build, rebuild, running = self.own[index]
        lines = {"build": build, "rebuild": rebuild, "running": running, "licence": (licence * share)[0],
                 "terminal": (terminal * share)[0], "ocr": (ocr * ocr_share)[0]}
        earned_row = self._earned(index, now)
        earned = np.zeros(months) if earned_row is None else earned_row
        weights = np.array([[1.0]])
        zeros = np.zeros((1, months))
        costs_monthly = np.zeros((1, months))
        for key in _LINES:
            costs_monthly = costs_monthly + lines[key][None, :]
        value = (zeros + earned[None, :] + zeros * weights)[0]
        net = (earned[None, :] + (costs_monthly + zeros) * weights)[0]
        return UnitCash(scenario.scenario_id, "rpa", lines, {scenario.step.key: 1.0}, value), net

    def worst(self) -> Pick | None:
        """The robot this round withdraws (lowest NPV ≤ the gate's tolerance, then unit id), or None."""
        if not self.alive.any():
            return None
        now = self._round()
        estimate, bound = self._estimates(now)
        alive = self.alive
        low = np.where(alive, estimate - bound, np.inf)
        if float(low.min()) > self.tolerance:
            return None
        ceiling = float(np.where(alive, estimate + bound, np.inf).min())
        chosen: tuple[float, str, int, UnitCash, np.ndarray] | None = None
        for index in np.nonzero(low <= ceiling)[0].tolist():
            unit, step_net = self._unit(index, now)
            value = npv_rows(unit.net()[None, :], self.rate)[0]
            item = (value, unit.unit_id, index, unit, step_net)
            if value <= self.tolerance and (chosen is None or item[:2] < chosen[:2]):
                chosen = item
        if chosen is None:
            return None
        _value, unit_id, index, unit, step_net = chosen
        scenario = self.scenarios[index]
        return Pick(unit_id, scenario.step.key, npv(yearly(step_net), self.rate),
                    npv(yearly(unit.net()), self.rate), self._snapshot(index, unit, now))

    def withdraw(self, scenario_id: str) -> None:
        """Take the robot out of the following rounds; forget the figures of its segment and its groups."""
        index = self.index[scenario_id]
        self.alive[index] = False
        segment = int(self.segment[index])
        self._kept.forget(_SEGMENTS[segment] if segment >= 0 else None, self.member[index])

    def _snapshot(self, index: int, unit: UnitCash, now: _Round) -> Evaluation:
        """What :func:`scoring.gate._snapshot` keeps of the round in which the robot goes."""
        scenario = self.scenarios[index]
        deployment = now.deployments[scenario.place.segment]
        money = self.money
        rows = [self._post_row(group_index, posts, available_end)
                for group_index, (posts, available_end, _found) in sorted(now.stretches.items())]
        hours: float = 0
        hours += ordered_sum(self.freed[self.alive])
        kept = UnitCash(unit.unit_id, unit.kind, {k: v.copy() for k, v in unit.lines.items()}, unit.weights,
                        unit.value.copy())
        draft = DeploymentDraft(f"rpa-{deployment.segment}", deployment.segment, (scenario,), deployment.robots,
                                ocr=deployment.ocr_any,
                                feasible=deployment.segment != "mynumber" or money.rpa.mynumber_segment_allowed)
        return Evaluation(money, staff_costs(money), [], {}, [scenario], [draft], {unit.unit_id: kept},
                          PostPlan(staffing_plan(rows, money), {}, {}), {}, {}, hours, {}, [])

    def _post_row(self, index: int, posts: np.ndarray, available_end: float) -> PostRow:
        """The group's row of the round's post plan (kept until a withdrawal touches the group)."""
        kept = self._kept.rows.get(index)
        if kept is None:
            group = self.groups[index]
            ftes = group.fte[self.alive[group.robots]]
            # plan_posts' sums over the same FTE in the same order (a robot frees FTE > 0, keeps none on site)
            freed = ordered_sum(ftes[ftes > 0])
            onsite = -ordered_sum(ftes[ftes < 0])
            kept = self._kept.rows[index] = post_row(group.pool, group.staff_type, freed, onsite, posts,
                                                     available_end, self.costs[group.staff_type], group.keep)
        return kept
