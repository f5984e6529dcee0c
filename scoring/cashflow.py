"""The multi-year cash flow: posts, contracts and robots month by month, NPV, payback, ranges.

Everything here is relative to doing nothing: a cut post is a saving from
the month it goes, a contract or licence is a cost from the month it runs.
Months count from April of year 1 (month 0); fiscal year y holds months
12(y−1) … 12y−1.  Year 1 is not discounted, year y by (1 + r)^(y−1).

* Lots: start-up in the transition year; service after ``outsource.prep_months``
  (the contractor prices its own preparation into the term); terms of
  ``outsource.contract_years``, each re-tendered (procurement again, price ×
  ``retender_price_factor``, escalated by ``cashflow.contract_escalation``);
  staff work stops after ``overlap_months`` of 並行稼働.
* Robots: built in the transition year (or after the 標準準拠 cutover when
  that pays better), rebuilt at the cutover when built before it; licences
  per whole robot, maintenance, AI-OCR.
* Posts: :func:`scoring.staffing.plan_posts` says which whole posts go when;
  their value goes to the steps that freed the FTE.

:func:`evaluate` prices one plan at one parameter setting; :func:`sensitivity`
varies each ranged parameter to its low and high (the tornado) and combines
the swings into low/high ranges by root-sum-square.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

import numpy as np

from scoring.cost import MoneyStep
from scoring.lots import LotYear, group_lots, price_lot
from scoring.money_params import Estimate, MoneyParams, RpaParams, vary
from scoring.result import MoneyLine, Range, StaffCost, StaffType, StepKey, TornadoBar
from scoring.rpa import DeploymentDraft, ScenarioDraft, draft_scenarios
from scoring.staffing import Contribution, PostPlan, Stretches, plan_posts, pool_of, release_month, staff_costs

# --------------------------------------------------------------------------- arithmetic


def yearly(monthly: np.ndarray) -> tuple[float, ...]:
    """Monthly amounts summed per fiscal year.

    >>> yearly(np.ones(24))
    (12.0, 12.0)
    """
    return tuple(float(x) for x in monthly.reshape(-1, 12).sum(axis=1))


def npv(by_year: Sequence[float], rate: float) -> float:
    """Net present value: year 1 undiscounted, year y ÷ (1 + rate)^(y−1).

    >>> round(npv([-100.0, 60.0, 60.0], 0.05), 4)   # −100 + 60/1.05 + 60/1.1025
    11.5646
    """
    return sum(amount / (1.0 + rate) ** index for index, amount in enumerate(by_year))


def npv_rows(monthly: np.ndarray, rate: float) -> list[float]:
    """:func:`npv` of :func:`yearly` of each row of a (rows × months) array, with the same sums in the same order.

    Each year is the same 12-month reduction :func:`yearly` does per row; the
    years are discounted and added one at a time from the first, as the
    built-in ``sum`` in :func:`npv` does, so every figure equals the row-by-row one.

    >>> rows = np.arange(48.0).reshape(2, 24)
    >>> npv_rows(rows, 0.05) == [npv(yearly(r), 0.05) for r in rows]
    True
    """
    if len(monthly) == 0:
        return []
    by_year = monthly.reshape(len(monthly), -1, 12).sum(axis=2)
    total = np.zeros(len(monthly))
    for index in range(by_year.shape[1]):
        total = total + by_year[:, index] / (1.0 + rate) ** index
    return [float(value) for value in total]


def payback_month(monthly: np.ndarray) -> float | None:
    """Months from the start until the cumulative cash is back at or above 0 for good; None if never.

    0 when the cash never goes negative.

    >>> payback_month(np.array([-30.0, 10, 10, 10, 10])), payback_month(np.array([5.0, 5])), \
payback_month(np.array([-10.0, 5.0]))
    (3.0, 0.0, None)
    """
    cumulative = np.cumsum(monthly)
    if not (cumulative < -0.5).any():
        return 0.0
    last_negative = int(np.nonzero(cumulative < -0.5)[0][-1])
    if last_negative == len(cumulative) - 1:
        return None
    return float(last_negative + 1)


def _rss(base: float, deltas: Iterable[tuple[float, float]]) -> Range:
    """low/high by root-sum-square of one-at-a-time swings (independent parameters).

    ``math.hypot`` rather than a sum of squares: the squares of large swings
    would overflow long before the root does.

    >>> _rss(10.0, [(-3.0, 4.0), (-4.0, 0.0)])
    Range(low=5.0, base=10.0, high=14.0)
    """
    downs: list[float] = []
    ups: list[float] = []
    for low, high in deltas:
        downs.append(min(0.0, low, high))
        ups.append(max(0.0, low, high))
    return Range(base - math.hypot(*downs), base, base + math.hypot(*ups))


# --------------------------------------------------------------------------- plan and result


@dataclass(frozen=True, slots=True)
class Plan:
    """The choices that stay fixed while parameters vary."""

    active: frozenset[StepKey]
    """Steps whose RPA/outsourcing is adopted."""
    wait: frozenset[str] = frozenset()
    """Scenario ids built after the 標準準拠 cutover instead of now."""


@dataclass
class UnitCash:
    """One lot or scenario: its monthly cost lines and the steps that carry them."""

    unit_id: str
    """Lot or scenario id."""
    kind: str
    """``lot`` or ``rpa``."""
    lines: dict[str, np.ndarray]
    """Line key → monthly yen (costs negative), post value excluded."""
    weights: Mapping[StepKey, float]
    """Share of the costs each step carries."""
    value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Monthly post value earned by the unit's steps (and its on-site post)."""

    def net(self) -> np.ndarray:
        """Monthly net cash."""
        total = self.value.copy()
        for amounts in self.lines.values():
            total = total + amounts
        return total


@dataclass
class Evaluation:
    """One plan at one parameter setting."""

    money: MoneyParams
    """Parameters used."""
    costs: Mapping[StaffType, StaffCost]
    """Full cost per 職種."""
    lots: list[LotYear]
    """Priced lots."""
    lot_start: dict[str, int]
    """Lot id → service start month."""
    scenarios: list[ScenarioDraft]
    """Robot scenarios."""
    deployments: list[DeploymentDraft]
    """Robots per segment."""
    units: dict[str, UnitCash]
    """Lot/scenario id → cash."""
    posts: PostPlan
    """Posts and their value."""
    step_net: dict[StepKey, np.ndarray]
    """Monthly net attributed to each adopted step."""
    step_unit: dict[StepKey, str]
    """Adopted step → its lot/scenario."""
    hours_freed: float
    """人工削減 of the plan (processing hours a year)."""
    go_live: dict[str, int] = field(default_factory=dict)
    """Scenario id → the month its robot goes live (the step's staff work stops)."""
    contributions: list[Contribution] = field(default_factory=list)
    """Every FTE the plan frees or keeps, per pool and 職種 (what :func:`scoring.staffing.plan_posts` counted)."""
    known_nets: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Unit id → its :meth:`UnitCash.net`, once made (the units do not change after :func:`evaluate`); not
    carried by ``dataclasses.replace``, so a withdrawn unit's snapshot keeps no round's arrays."""

    def portfolio(self) -> np.ndarray:
        """Monthly net of the whole plan: each unit's :meth:`UnitCash.net`, added unit by unit in order."""
        months = 12 * self.money.cashflow.horizon_years
        total = np.zeros(months)
        nets = self._nets()
        for unit_id in self.units:
            total = total + nets[unit_id]
        return total

    def _nets(self) -> dict[str, np.ndarray]:
        """Every unit's :meth:`UnitCash.net`, made as one array per group of units with the same lines.

        The value first, then each line in the unit's order, as ``net`` does, so each row equals the unit's
        ``net()`` bit for bit; without seven small numpy calls per unit (every sensitivity and break-even
        setting asks for the plan's NPV).
        """
        found = self.known_nets
        if len(found) == len(self.units):
            return found
        by_lines: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for unit_id, unit in self.units.items():
            if unit_id not in found:
                by_lines[tuple(unit.lines)].append(unit_id)
        for keys, ids in by_lines.items():
            members = [self.units[unit_id] for unit_id in ids]
            total = np.array([unit.value for unit in members], dtype=float)
            for key in keys:
                total = total + np.array([unit.lines[key] for unit in members], dtype=float)
            found.update(zip(ids, total, strict=True))
        return found

    def unit_npv(self, unit_id: str) -> float:
        """NPV of one unit."""
        return npv(yearly(self.units[unit_id].net()), self.money.cashflow.discount_rate)

    def step_npv(self, key: StepKey) -> float:
        """NPV attributed to one step."""
        return npv(yearly(self.step_net[key]), self.money.cashflow.discount_rate)

    def unit_npvs(self) -> dict[str, float]:
        """NPV of every unit, equal bit for bit to :meth:`unit_npv` one at a time.

        Why: the cost gate looks at every unit after each withdrawal; one
        array per group of units with the same lines does the same additions
        in the same order without a Python loop per unit.
        """
        nets = self._nets()
        if not nets:
            return {}
        ids = list(self.units)
        rows = npv_rows(np.array([nets[unit_id] for unit_id in ids], dtype=float), self.money.cashflow.discount_rate)
        return dict(zip(ids, rows, strict=True))

    def step_npvs(self) -> dict[StepKey, float]:
        """NPV attributed to every adopted step, equal bit for bit to :meth:`step_npv` one at a time."""
        if not self.step_net:
            return {}
        keys = list(self.step_net)
        rows = npv_rows(np.array([self.step_net[k] for k in keys], dtype=float), self.money.cashflow.discount_rate)
        return dict(zip(keys, rows, strict=True))

    def npv(self) -> float:
        """NPV of the plan."""
        return npv(yearly(self.portfolio()), self.money.cashflow.discount_rate)


def _escalated(months: int, start_year_index: int, rate: float) -> np.ndarray:
    """Escalation factor per month: prices rise once a year from ``start_year_index`` (0-based fiscal year)."""
    years = np.arange(months) // 12
    return (1.0 + rate) ** np.maximum(years - start_year_index, 0)


def lot_timeline(money: MoneyParams) -> tuple[int, int, int]:
    """(first month, month the fee starts, service start) of a lot.

    Start-up falls in April of the transition year; the contractor prepares
    for ``prep_months`` at its own cost (priced into the term); the staff it
    replaces leave at the next April 人事異動 after preparation and
    ``overlap_months`` of 並行稼働, which are paid on top.

    >>> from scoring.profile import load_profile
    >>> lot_timeline(load_profile().money)   # prep 3 + overlap 2 months → service from April of year 2
    (0, 10, 12)
    """
    out = money.outsource
    first = 12 * (money.cashflow.transition_year - 1)
    overlap = round(out.overlap_months)
    ready = first + round(out.prep_months) + overlap
    service = 12 * math.ceil(ready / 12)
    return first, max(first, service - overlap), service


def lot_cash(year: LotYear, money: MoneyParams) -> tuple[UnitCash, int]:
    """Monthly cost lines of a lot and its service start (the month the replaced staff leave)."""
    months = 12 * money.cashflow.horizon_years
    out = money.outsource
    first, paid_from, service = lot_timeline(money)
    term = max(1, round(12 * out.contract_years))
    uplift = 1.0 + out.prep_months / (12.0 * out.contract_years)
    startup = np.zeros(months)
    if first < months:
        startup[first] = sum(line.yen_by_year[0] for line in year.startup_lines)
    month = np.arange(months)
    index = np.maximum(0, (month - service) // term)
    term_start = service + index * term
    moy = month % 12
    fee = np.where((moy == 0) | (moy == 11), year.fee_peak_month, year.fee_normal_month)
    escalation = (1.0 + money.cashflow.contract_escalation) ** np.maximum(0, term_start // 12 - first // 12)
    contract = np.where(month >= paid_from,
                        -fee * uplift * out.retender_price_factor ** index * escalation, 0.0)
    retender = np.where((month == term_start) & (index > 0) & (month >= paid_from), -year.procurement_yen, 0.0)
    lines = {"contract": contract, "start-up": startup, "re-tender": retender}
    return UnitCash(year.draft.lot_id, "lot", lines, dict(year.cost_weights)), service


@lru_cache(maxsize=8)
def _zeros(months: int) -> np.ndarray:
    """A read-only month array of zeros, shared where a line or a value is only ever read or added."""
    zeros = np.zeros(months)
    zeros.flags.writeable = False
    return zeros


def _robot_own_lines(
    scenario: ScenarioDraft, waits: bool, money: MoneyParams, escalation: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """(build, rebuild, running, build start, go-live) of one robot: they depend on it and its wait flag only."""
    months = 12 * money.cashflow.horizon_years
    rpa = money.rpa
    first = 12 * (money.cashflow.transition_year - 1)
    cutover = 12 * (round(rpa.migration_year) - 1)
    begin = cutover if waits else first
    go_live = begin + round(rpa.build_months)
    build = np.zeros(months)
    rebuild = np.zeros(months)
    running = np.zeros(months)
    if begin < months:
        build[begin] = -rpa.build_per_scenario
    if scenario.place.migrates and not waits and first <= cutover < months and begin < cutover:
        rebuild[cutover] = -rpa.build_per_scenario * rpa.rebuild_on_cutover
    monthly = rpa.build_per_scenario * rpa.maint_rate / 12.0
    monthly += scenario.hours.ocr_pages_per_year / 12.0 * rpa.ocr_yen_per_page
    if go_live < months:
        running[go_live:] = -monthly * escalation[go_live:]
    return build, rebuild, running, begin, go_live


def _rpa_cash(
    scenarios: Sequence[ScenarioDraft], deployments: Sequence[DeploymentDraft], wait: frozenset[str],
    money: MoneyParams, parts: Parts | None = None, across: _Across | None = None, priced: bool = False,
) -> tuple[dict[str, UnitCash], dict[str, int]]:
    """Monthly cost lines per scenario (deployment costs shared by run time) and when staff work stops.

    Across parameter settings (``across``) the whole result is reused while the drafts, the wait flags and
    every parameter it reads stay the same (a staff, lot or discount setting leaves the robots alone);
    ``priced`` says the memo was already asked.

    A robot's own lines (build, rebuild, running) come from :func:`_robot_own_lines`, reused through
    ``parts`` across plans; the deployment's lines (licences, terminals, AI-OCR) are shared out afresh
    each time because every member's share moves when one robot joins or leaves.  The own-line arrays may
    be shared between evaluations: nothing writes into a unit's line arrays after this function.
    """
    if parts is None and across is not None and not priced:
        memo_key = across.rpa_key(scenarios, deployments, wait, money)
        kept = across.rpa.get(memo_key)
        if kept is None:
            made, made_stops = _rpa_cash(scenarios, deployments, wait, money, None, across, priced=True)
            kept = across.rpa.keep(memo_key, ((scenarios, deployments),
                                              tuple((u.unit_id, u.lines, u.weights) for u in made.values()),
                                              made_stops))
        # Fresh units (each evaluation sets its own post value) around the same line arrays, which nothing
        # writes into after this function.
        return {uid: UnitCash(uid, "rpa", lines, weights) for uid, lines, weights in kept[1]}, dict(kept[2])
    months = 12 * money.cashflow.horizon_years
    rpa = money.rpa
    first = 12 * (money.cashflow.transition_year - 1)
    cutover = 12 * (round(rpa.migration_year) - 1)
    escalation = _escalated(months, first // 12, money.cashflow.contract_escalation)
    units: dict[str, UnitCash] = {}
    stops: dict[str, int] = {}
    robots = across.robots_at(money) if parts is None and across is not None else None
    build_start: dict[str, int] = {}
    live: dict[str, int] = {}
    for scenario in scenarios:
        waits = scenario.scenario_id in wait and scenario.place.migrates and cutover > first
        if robots is not None:
            key = (scenario.scenario_id, waits, scenario.place.migrates, scenario.hours.ocr_pages_per_year)
            known = robots.get(key)
            own = known if known is not None else robots.keep(key, _robot_own_lines(scenario, waits, money,
                                                                                    escalation))
        elif parts is None:
            own = _robot_own_lines(scenario, waits, money, escalation)
        else:
            found = parts.robots.get((scenario.scenario_id, waits))
            if found is None:
                found = parts.robots[(scenario.scenario_id, waits)] = _robot_own_lines(scenario, waits, money,
                                                                                        escalation)
            own = found
        build, rebuild, running, begin, go_live = own
        build_start[scenario.scenario_id], live[scenario.scenario_id] = begin, go_live
        placeholder = _zeros(months)  # every robot is in a deployment, which replaces these three below
        units[scenario.scenario_id] = UnitCash(
            scenario.scenario_id, "rpa",
            {"build": build, "rebuild": rebuild, "running": running,
             "licence": placeholder, "terminal": placeholder, "ocr": placeholder},
            {scenario.step.key: 1.0},
        )
        stops[scenario.scenario_id] = go_live
    for deployment in deployments:
        members = deployment.scenarios
        run = sum(s.robot_hours_per_year for s in members)
        begin = min(build_start[s.scenario_id] for s in members)
        licence = np.zeros(months)
        terminal = np.zeros(months)
        ocr = np.zeros(months)
        if begin < months:
            licence[begin:] = -deployment.robots * rpa.licence_per_robot_year / 12.0 * escalation[begin:]
            if deployment.segment == "mynumber":
                terminal[begin] = -deployment.robots * rpa.mynumber_terminal_yen
        readers = [s for s in members if s.hours.ocr_pages_per_year > 0]
        pages = sum(r.hours.ocr_pages_per_year for r in readers)  # once per deployment, not once per member
        if readers:
            ocr_start = min(live[s.scenario_id] for s in readers)
            if ocr_start < months:
                ocr[ocr_start:] = -rpa.ocr_licence_per_year / 12.0 * escalation[ocr_start:]
        # Every member's share as one (members × months) product: element by element the same multiplication
        # as ``line * share`` one member at a time.  Rows are views of the block; a withdrawn robot's snapshot
        # copies its own (scoring.gate._snapshot), so no round's block outlives its evaluation.
        shares = np.array([[s.robot_hours_per_year / run if run > 0 else 1.0 / len(members)] for s in members])
        ocr_shares = np.array([[s.hours.ocr_pages_per_year / pages if s.hours.ocr_pages_per_year > 0 else 0.0]
                               for s in members])
        licences, terminals, ocrs = licence * shares, terminal * shares, ocr * ocr_shares
        for row, scenario in enumerate(members):
            lines = units[scenario.scenario_id].lines
            lines["licence"], lines["terminal"], lines["ocr"] = licences[row], terminals[row], ocrs[row]
    return units, stops


def _contributions(
    owner: str, step: MoneyStep, hours: float, stops: int, money: MoneyParams
) -> list[Contribution]:
    pool = pool_of(step.org.section, step.org.unit, money)
    return [
        Contribution(owner, pool, staff_type, hours * share / money.hours_per_fte,
                     release_month(staff_type, stops, money))
        for staff_type, share in step.org.mix.items()
        if share > 0 and hours > 0
    ]


def _owner(key: StepKey) -> str:
    return f"step\0{key.file}\0{key.process_id}\0{key.step_id}"


Cache = dict[tuple[object, ...], object]
"""Memo for :func:`evaluate` within one money stage: lot prices and robot drafts keyed by what they depend on."""

_V = TypeVar("_V")
_K = TypeVar("_K")


@dataclass
class Parts:
    """Pieces of :func:`evaluate` that depend on one step, robot or lot and the parameters, not on the plan.

    Why: the cost gate and :func:`scoring.gate.choose_wait` price the same
    portfolio at one parameter setting once per withdrawal or wait flag
    tried, and each price used to rebuild every step's post contributions,
    every robot's draft and own cash lines and every lot's queueing price —
    most of an evaluation, repeated hundreds of times.  Each piece is a pure
    function of its step (robot, lot) and the parameters, so the piece
    reused is the piece a fresh computation would build and the figures do
    not move.  Made for one ``steps`` sequence and one ``money`` setting;
    :func:`evaluate` refuses it for any other.  Its size is bounded by the
    portfolio (a few entries per candidate), not by the number of plans.
    """

    steps: Sequence[MoneyStep]
    """The portfolio these pieces belong to."""
    money: MoneyParams
    """The parameter setting they were built at."""
    by_key: dict[StepKey, MoneyStep] = field(default_factory=dict)
    """Step key → step."""
    eligible: list[MoneyStep] = field(default_factory=list)
    """The steps that are candidates under their legal verdict, in order (:func:`_eligible`)."""
    contributions: dict[tuple[StepKey, float, int], tuple[Contribution, ...]] = field(default_factory=dict)
    """(step, hours freed, month the work stops) → its FTE per pool and 職種."""
    scenarios: dict[StepKey, ScenarioDraft] = field(default_factory=dict)
    """RPA step → its scenario draft."""
    robots: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray, np.ndarray, int, int]] = field(default_factory=dict)
    """(scenario id, waits) → its own lines, build start and go-live."""
    lots: dict[tuple[str, tuple[StepKey, ...]], LotYear] = field(default_factory=dict)
    """(lot id, its steps) → the priced lot."""

    def __post_init__(self) -> None:
        self.by_key = {s.key: s for s in self.steps}
        self.eligible = [s for s in self.steps if s.is_candidate]


def _priced_lots(steps: Sequence[MoneyStep], plan: Plan, money: MoneyParams, cache: Cache | None,
                 parts: Parts | None = None) -> list[LotYear]:
    key = ("lots", plan.active, money.outsource, money.queue, money.lots, money.hours_per_fte,
           money.staff.overtime_rate)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[return-value]
    if parts is None:
        lots = [price_lot(draft, money) for draft in group_lots(_eligible(steps, cache, parts), plan.active, money)]
    else:
        lots = []
        for draft in group_lots(parts.eligible, plan.active, money):
            lot_key = (draft.lot_id, tuple(s.key for s in draft.steps))
            priced = parts.lots.get(lot_key)
            if priced is None:
                priced = parts.lots[lot_key] = price_lot(draft, money)
            lots.append(priced)
    if cache is not None:
        cache[key] = lots
    return lots


def _drafted(
    steps: Sequence[MoneyStep], plan: Plan, money: MoneyParams, cache: Cache | None, parts: Parts | None = None
) -> tuple[list[ScenarioDraft], list[DeploymentDraft]]:
    key = ("rpa", plan.active, _draft_params(money.rpa))
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[return-value]
    drafted = draft_scenarios(_eligible(steps, cache, parts), plan.active, money,
                              None if parts is None else parts.scenarios)
    if cache is not None:
        cache[key] = drafted
    return drafted


def _draft_params(rpa: RpaParams) -> RpaParams:
    """The RPA parameters with every price and date a draft does not read set to 0.

    Why: :func:`scoring.rpa.draft_scenarios` reads the reductions, AI-OCR
    checking, run time, segment words and whether the segment is allowed —
    not the licence, build, maintenance, AI-OCR prices, build months or the
    cutover year.  Keying the drafts by this reduced setting lets the
    sensitivity and break-even runs that vary a price reuse one set of
    drafts (the same drafts a fresh computation would make).
    """
    return dataclasses.replace(rpa, ocr_yen_per_page=0.0, ocr_licence_per_year=0.0, licence_per_robot_year=0.0,
                               build_per_scenario=0.0, maint_rate=0.0, rebuild_on_cutover=0.0, migration_year=0.0,
                               mynumber_terminal_yen=0.0, build_months=0.0)


class _Bounded(dict[tuple[object, ...], _V]):
    """A memo emptied when it holds more than ``limit`` entries: what it keeps is only ever a shortcut."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: tuple[object, ...], value: _V) -> _V:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


_Own = tuple[np.ndarray, np.ndarray, np.ndarray, int, int]
"""A robot's build, rebuild and running lines, build start and go-live (:func:`_robot_own_lines`)."""

_RpaKept = tuple[tuple[object, object], tuple[tuple[str, dict[str, np.ndarray], Mapping[StepKey, float]], ...],
                 dict[str, int]]
"""(the drafts kept alive, each robot's id/lines/weights, go-live per robot) of one :func:`_rpa_cash`."""

_Stacked = tuple[tuple[dict[str, np.ndarray], ...], list[np.ndarray], np.ndarray]
"""(the units' line dicts kept alive, one block per line, their sum from zeros in line order)."""


@dataclass
class _Across:
    """Pieces of :func:`evaluate` reused across parameter settings (the sensitivity and break-even runs).

    Why: those runs price one plan ≈ 500 times with one parameter moved;
    a step's post contributions, a robot's own lines and the post plan
    depend on a few parameters each, and most settings leave those alone.
    Each piece is keyed by exactly what it reads — first the parameters
    (once per evaluation), then the step or robot — so a piece found is the
    piece a fresh computation would make.  Bounded (emptied when full), so
    memory stays linear in the portfolio.
    """

    size: int
    """Entries one setting may keep per kind of piece before it is emptied (a few per candidate)."""
    contributions: _Bounded[_Bounded[tuple[Contribution, ...]]]
    """(FTE hours, pool level, regular lag) → (step, hours freed, month its work stops) → its contributions."""
    robots: _Bounded[_Bounded[_Own]]
    """What a robot's own lines read of the parameters → (scenario, waits, migrates, AI-OCR pages) → lines."""
    posts: _Bounded[tuple[tuple[Contribution, ...], PostPlan]]
    """Post plans with the contributions they were made from (kept alive: their identities are in the keys)."""
    rpa: _Bounded[_RpaKept] = field(default_factory=lambda: _Bounded(3))
    """Every robot's lines and go-live for one set of drafts, wait flags and the parameters they read."""
    stacks: _Bounded[_Stacked] = field(default_factory=lambda: _Bounded(3))
    """The robots' lines stacked as (robots × months) blocks and their sum, keyed by the lines' identities."""
    groups: dict[tuple[object, ...], Stretches] = field(default_factory=dict)
    """Each pool and 職種's whole posts and shares (:func:`scoring.staffing.plan_posts`, bounded there)."""

    @classmethod
    def of(cls, cache: Cache, size: int) -> _Across:
        found = cache.get(("across",))
        if not isinstance(found, _Across):
            found = cache[("across",)] = cls(4 * size + 64, _Bounded(3), _Bounded(3), _Bounded(3))
        return found

    @staticmethod
    def rpa_key(scenarios: Sequence[ScenarioDraft], deployments: Sequence[DeploymentDraft], wait: frozenset[str],
                money: MoneyParams) -> tuple[object, ...]:
        """What :func:`_rpa_cash` reads: the drafts (by identity: the stage's cache hands out the same lists
        for the same drafts, and the memo entry keeps them alive), the wait flags, ``rpa`` and the timeline."""
        flow = money.cashflow
        return (id(scenarios), id(deployments), wait, money.rpa, flow.horizon_years, flow.transition_year,
                flow.contract_escalation)

    def contributions_at(self, money: MoneyParams) -> _Bounded[tuple[Contribution, ...]]:
        """The contributions kept for the parameters :func:`_contributions` reads."""
        key = (money.hours_per_fte, money.staffing.pool_level, money.staffing.regular_lag_years)
        found = self.contributions.get(key)
        return found if found is not None else self.contributions.keep(key, _Bounded(self.size))

    def robots_at(self, money: MoneyParams) -> _Bounded[_Own]:
        """The robots' own lines kept for the parameters :func:`_robot_own_lines` reads."""
        rpa, flow = money.rpa, money.cashflow
        key = (rpa.build_per_scenario, rpa.rebuild_on_cutover, rpa.maint_rate, rpa.ocr_yen_per_page,
               rpa.migration_year, rpa.build_months, flow.horizon_years, flow.transition_year,
               flow.contract_escalation)
        found = self.robots.get(key)
        return found if found is not None else self.robots.keep(key, _Bounded(self.size))


def _posts_key(contributions: Sequence[Contribution], money: MoneyParams) -> tuple[object, ...]:
    """What :func:`scoring.staffing.plan_posts` reads (the full costs come from ``staff`` and the FTE hours).

    A step's contributions come out of the memo as the same objects whenever they are the same, so they are
    keyed by identity (hashing thousands of them by value cost a third of what the memo saved); the entry
    keeps them alive, so an identity in a key is never reused by another object.  A lot's on-site post
    (negative FTE, made afresh each time) is keyed by value.
    """
    return (tuple(c if c.fte < 0 else id(c) for c in contributions), money.staff, money.hours_per_fte,
            money.staffing.redeploy_share, money.staffing.pool_level, money.cashflow.horizon_years,
            money.cashflow.wage_escalation)


def _step_contributions(owner_key: StepKey, step: MoneyStep, hours: float, stops: int, money: MoneyParams,
                        parts: Parts | None, kept: _Bounded[tuple[Contribution, ...]] | None = None,
                        ) -> Sequence[Contribution]:
    if parts is None and kept is not None:
        key = (owner_key, hours, stops)
        known = kept.get(key)
        if known is None:
            known = kept.keep(key, tuple(_contributions(_owner(owner_key), step, hours, stops, money)))
        return known
    if parts is None:
        return _contributions(_owner(owner_key), step, hours, stops, money)
    found = parts.contributions.get((owner_key, hours, stops))
    if found is None:
        found = parts.contributions[(owner_key, hours, stops)] = tuple(
            _contributions(_owner(owner_key), step, hours, stops, money))
    return found


def _post_plan(contributions: Sequence[Contribution], costs: Mapping[StaffType, StaffCost], money: MoneyParams,
               across: _Across | None) -> PostPlan:
    """The posts the contributions free (:func:`~scoring.staffing.plan_posts`), kept across settings by
    ``across`` when given: the same contributions at the same staff parameters give the same plan."""
    if across is None:
        return plan_posts(contributions, costs, money)
    posts_key = _posts_key(contributions, money)
    known = across.posts.get(posts_key)
    if known is None:
        known = across.posts.keep(posts_key, (tuple(contributions),
                                              plan_posts(contributions, costs, money, memo=across.groups)))
    return known[1]


def evaluate(steps: Sequence[MoneyStep], plan: Plan, money: MoneyParams, cache: Cache | None = None,
             parts: Parts | None = None) -> Evaluation:
    """Price one plan at one parameter setting: lots, robots, posts, and each step's share of the cash.

    ``cache`` (a dict kept by the caller for one set of steps) memoises lot
    prices and robot drafts across the many settings a sensitivity run tries;
    ``parts`` (one :class:`Parts` per steps and setting) reuses each step's,
    robot's and lot's pieces across the many plans the cost gate tries.
    """
    if parts is not None and (parts.steps is not steps or parts.money != money):
        raise ValueError("these parts were built for another portfolio or parameter setting")
    months = 12 * money.cashflow.horizon_years
    costs = staff_costs(money)
    across = _Across.of(cache, len(steps)) if cache is not None and parts is None else None
    kept = across.contributions_at(money) if across is not None else None
    lots = _priced_lots(steps, plan, money, cache, parts)
    scenarios, deployments = _drafted(steps, plan, money, cache, parts)
    units: dict[str, UnitCash] = {}
    contributions: list[Contribution] = []
    step_unit: dict[StepKey, str] = {}
    lot_start: dict[str, int] = {}
    by_key = parts.by_key if parts is not None else _by_key(steps, cache)
    for lot in lots:
        cash, stops = lot_cash(lot, money)
        units[lot.draft.lot_id] = cash
        lot_start[lot.draft.lot_id] = stops
        pools: dict[tuple[str, str], float] = defaultdict(float)
        for key, hours in lot.freed_hours.items():
            step_unit[key] = lot.draft.lot_id
            contributions.extend(_step_contributions(key, by_key[key], hours, stops, money, parts, kept))
            pools[pool_of(by_key[key].org.section, by_key[key].org.unit, money)] += hours
        total = sum(pools.values())
        for pool, hours in pools.items():
            if total > 0:
                contributions.append(Contribution(
                    f"onsite\0{lot.draft.lot_id}", pool, StaffType.REGULAR,
                    -money.outsource.onsite_post_fte * hours / total,
                    release_month(StaffType.REGULAR, stops, money),
                ))
    rpa_units, rpa_stops = _rpa_cash(scenarios, deployments, plan.wait, money, parts, across)
    units.update(rpa_units)
    for scenario in scenarios:
        step_unit[scenario.step.key] = scenario.scenario_id
        contributions.extend(_step_contributions(scenario.step.key, scenario.step,
                                                 scenario.hours.hours_freed_per_year,
                                                 rpa_stops[scenario.scenario_id], money, parts, kept))
    posts = _post_plan(contributions, costs, money, across)
    nets: dict[str, np.ndarray] = {}
    step_net = _unit_values(units, posts, months, nets, across)
    hours = sum(s.hours_per_year for lot in lots for s in lot.draft.steps)
    hours += sum(s.hours.hours_freed_per_year for s in scenarios)
    evaluation = Evaluation(money, costs, lots, lot_start, scenarios, deployments, units, posts, step_net,
                            step_unit, hours, rpa_stops, contributions)
    evaluation.known_nets.update(nets)
    return evaluation


def _eligible(steps: Sequence[MoneyStep], cache: Cache | None, parts: Parts | None) -> Sequence[MoneyStep]:
    """The steps that are RPA or outsourcing candidates under their legal verdict, in their order.

    Why: lots and robot drafts keep only such steps of the plan (they test
    ``is_candidate``, which re-reads the legal verdict, for every step of the
    portfolio); handing them this sub-list, made once per money stage, gives
    the same lots and drafts without re-testing thousands of steps per plan.
    """
    if parts is not None:
        return parts.eligible
    if cache is None:
        return steps
    found = cache.get(("eligible",))
    if not isinstance(found, list):
        found = cache[("eligible",)] = [s for s in steps if s.is_candidate]
    return found


def _by_key(steps: Sequence[MoneyStep], cache: Cache | None) -> Mapping[StepKey, MoneyStep]:
    """Step key → step, made once per money stage (``cache`` belongs to one ``steps``), not once per pricing."""
    if cache is None:
        return {s.key: s for s in steps}
    found = cache.get(("by-key",))
    if not isinstance(found, dict):
        found = cache[("by-key",)] = {s.key: s for s in steps}
    return found


def robot_own_lines(scenario: ScenarioDraft, waits: bool, money: MoneyParams,
                    parts: Parts) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """(build, rebuild, running, build start, go-live) of one robot, kept in ``parts`` as :func:`evaluate` does."""
    found = parts.robots.get((scenario.scenario_id, waits))
    if found is None:
        months = 12 * money.cashflow.horizon_years
        first = 12 * (money.cashflow.transition_year - 1)
        escalation = _escalated(months, first // 12, money.cashflow.contract_escalation)
        found = parts.robots[(scenario.scenario_id, waits)] = _robot_own_lines(scenario, waits, money, escalation)
    return found


def step_contributions(owner_key: StepKey, step: MoneyStep, hours: float, stops: int, money: MoneyParams,
                       parts: Parts | None) -> Sequence[Contribution]:
    """A step's FTE per pool and 職種 from the month its work stops (kept in ``parts``)."""
    return _step_contributions(owner_key, step, hours, stops, money, parts)


def robot_ceiling_npv(evaluation: Evaluation, scenario: ScenarioDraft) -> float:
    """The most a robot's NPV can be in any plan with the same build timing: its own lines plus the most its
    freed FTE could ever earn in posts.

    Why this bounds every plan: a robot's build, rebuild and running lines
    depend on it alone; its licence, terminal and AI-OCR shares are costs
    (never positive); and in each pool and 職種 a month's whole posts are
    ⌊FTE × keep ÷ FTE per post⌋ ≤ FTE × keep ÷ FTE per post, shared in
    proportion to FTE, so one FTE earns at most ``keep`` × its 職種's cash
    cost that month.  A robot whose ceiling is ≤ 0 loses money whatever else
    is adopted, and the cost gate withdraws it in the first round.
    """
    money = evaluation.money
    months = 12 * money.cashflow.horizon_years
    wage = (1 + money.cashflow.wage_escalation) ** (np.arange(months) // 12)
    unit = evaluation.units[scenario.scenario_id]
    ceiling = unit.lines["build"] + unit.lines["rebuild"] + unit.lines["running"]
    for item in _contributions(_owner(scenario.step.key), scenario.step, scenario.hours.hours_freed_per_year,
                               evaluation.go_live[scenario.scenario_id], money):
        keep = 1.0 if item.staff_type is StaffType.KAIKEI else 1.0 - money.staffing.redeploy_share
        start = min(max(item.release_month, 0), months)
        per_fte = evaluation.costs[item.staff_type].cash_yen_per_fte / 12.0
        # + 1e-6 of the value: the floor's own 1e-9 guard and rounding can never push a post past this
        ceiling[start:] = ceiling[start:] + item.fte * keep * per_fte * (1 + 1e-6) * wage[start:]
    return npv(yearly(ceiling), money.cashflow.discount_rate)


def _unit_values(units: Mapping[str, UnitCash], posts: PostPlan, months: int,
                 nets: dict[str, np.ndarray] | None = None, across: _Across | None = None,
                 ) -> dict[StepKey, np.ndarray]:
    """Set each unit's post value and return each step's monthly net (the unit's costs × its weight + its posts).

    Units with one step, no on-site post and the same lines (every robot)
    are done as one array per line: the same additions and products in the
    same order per month as the unit-by-unit loop, without ten small numpy
    calls per robot (the cost gate does this for every plan it tries).
    Their :meth:`UnitCash.net` rows go into ``nets`` (made from the same stacked lines).
    """
    step_net: dict[StepKey, np.ndarray] = {}
    nothing = _zeros(months)  # what an owner without posts earns (read-only, shared: only ever added)
    batch: list[UnitCash] = []
    interleaved = False  # a unit done one by one after a batched one: the steps must be put back in order
    for unit in units.values():
        onsite_owner = f"onsite\0{unit.unit_id}"
        if len(unit.weights) == 1 and onsite_owner not in posts.value_by_owner and (
                not batch or tuple(unit.lines) == tuple(batch[0].lines)):
            batch.append(unit)
            continue
        interleaved = interleaved or bool(batch)
        unit.value = np.zeros(months)
        costs_monthly = np.zeros(months)
        for amounts in unit.lines.values():
            costs_monthly = costs_monthly + amounts
        onsite = posts.value_by_owner.get(onsite_owner, nothing)
        for key, weight in unit.weights.items():
            earned = posts.value_by_owner.get(_owner(key), nothing)
            unit.value = unit.value + earned + onsite * weight
            step_net[key] = earned + (costs_monthly + onsite) * weight
    if not batch:
        return step_net
    _batch_values(batch, posts, months, step_net, nets, across)
    if not interleaved:
        return step_net  # already in the units' order
    return {key: step_net[key] for unit in units.values() for key in unit.weights}  # the units' order, as before


def _batch_values(batch: Sequence[UnitCash], posts: PostPlan, months: int,
                  step_net: dict[StepKey, np.ndarray], unit_nets: dict[str, np.ndarray] | None = None,
                  across: _Across | None = None) -> None:
    """:func:`_unit_values` for one-step units without an on-site post, one row per unit.

    With ``unit_nets``, each unit's :meth:`UnitCash.net` (its value, then each line in order) is made
    from the same stacked lines and kept there, rows of one block.  With ``across``, the stacked lines
    and their sum are reused while the units carry the very same line arrays (:func:`_rpa_cash` reuses
    them across settings that leave the robots alone): the blocks are only ever read.
    """
    nothing = _zeros(months)
    keys = [next(iter(unit.weights)) for unit in batch]
    weights = np.array([[unit.weights[key]] for unit, key in zip(batch, keys, strict=True)], dtype=float)
    earned = np.array([posts.value_by_owner.get(_owner(key), nothing) for key in keys], dtype=float)
    zeros = np.zeros((len(batch), months))
    identity = tuple(id(unit.lines) for unit in batch)
    known = across.stacks.get(identity) if across is not None else None
    if known is None:
        costs_monthly = np.zeros((len(batch), months))
        stacked = [np.array([unit.lines[line] for unit in batch], dtype=float) for line in batch[0].lines]
        for block in stacked:
            costs_monthly = costs_monthly + block
        if across is not None:
            across.stacks.keep(identity, (tuple(unit.lines for unit in batch), stacked, costs_monthly))
    else:
        _, stacked, costs_monthly = known
    values = zeros + earned + zeros * weights
    nets = earned + (costs_monthly + zeros) * weights
    # Rows of this evaluation's blocks (nothing writes into them; a withdrawn unit's snapshot copies its own).
    for unit, key, value, net in zip(batch, keys, values, nets, strict=True):
        unit.value = value
        step_net[key] = net
    if unit_nets is not None:
        total = values
        for block in stacked:
            total = total + block
        unit_nets.update(zip((unit.unit_id for unit in batch), total, strict=True))


# --------------------------------------------------------------------------- lines for the report

_LINE_LABELS: Mapping[str, tuple[str, str]] = {
    "posts": ("定数削減（人件費の減）", "posts cut (staff cost saved)"),
    "contract": ("委託料", "contract fees"),
    "start-up": ("委託の立上げ（仕様書・マニュアル・調達・外部支援）", "lot start-up (spec, manua"
        "ls, procurement, support)"),
    "re-tender": ("再入札の調達手続", "re-tender procurement"),
    "build": ("RPAシナリオ開発", "RPA scenario development"),
    "rebuild": ("標準準拠システム移行時の作り直し", "rebuild at the 標準準拠 cutover"),
    "running": ("RPA保守・AI-OCR読取", "RPA maintenance and AI-OCR pages"),
    "licence": ("RPAライセンス", "RPA licences"),
    "terminal": ("マイナンバー利用事務系の専用端末", "dedicated マイナンバー-segment terminals"),
    "ocr": ("AI-OCR利用料", "AI-OCR service"),
}


def money_lines(units: Iterable[UnitCash], months: int) -> tuple[MoneyLine, ...]:
    """Cash-flow lines by year over a set of units (posts first, then costs), zero lines left out."""
    totals: dict[str, np.ndarray] = {"posts": np.zeros(months)}
    for unit in units:
        totals["posts"] = totals["posts"] + unit.value
        for key, amounts in unit.lines.items():
            totals[key] = totals.get(key, np.zeros(months)) + amounts
    lines: list[MoneyLine] = []
    for key, (ja, en) in _LINE_LABELS.items():
        found = totals.get(key)
        if found is not None and (key == "posts" or np.abs(found).sum() > 0.5):
            lines.append(MoneyLine(key, ja, en, yearly(found)))
    return tuple(lines)


# --------------------------------------------------------------------------- sensitivity


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """One-at-a-time swings of a plan and the ranges they give."""

    tornado: tuple[TornadoBar, ...]
    """Parameters by swing of the plan's NPV, largest first (zero swings left out)."""
    portfolio: Range
    """Plan NPV range."""
    units: Mapping[str, Range]
    """NPV range per lot/scenario."""
    steps: Mapping[StepKey, Range]
    """NPV range per step."""
    hours: Range
    """人工削減 range (hours a year)."""
    deltas: Mapping[str, tuple[dict[StepKey, float], dict[StepKey, float]]]
    """Parameter → (step NPV change at low, at high), for ranges of any sum of steps."""
    estimate_share: float
    """Share of the NPV variance from estimated parameters."""


def sensitivity(
    steps: Sequence[MoneyStep], plan: Plan, base: Evaluation, estimates: Mapping[str, Estimate],
    cache: Cache | None = None,
) -> Sensitivity:
    """Vary each ranged parameter to its low and its high with the plan fixed.

    The per-unit and per-step swings are kept as one array per parameter
    (the same subtractions as one figure at a time) and the ranges are
    root-sum-squares of their columns in the parameters' order: the same
    figures without a dictionary look-up per step and parameter.
    """
    base_npv = base.npv()
    base_units = base.unit_npvs()
    base_steps = base.step_npvs()
    unit_ids, step_keys = list(base_units), list(base_steps)
    unit_base = np.array(list(base_units.values()), dtype=float)
    step_base = np.array(list(base_steps.values()), dtype=float)
    bars: list[TornadoBar] = []
    unit_swings: list[tuple[np.ndarray, np.ndarray]] = []
    step_swings: list[tuple[np.ndarray, np.ndarray]] = []
    deltas: dict[str, tuple[dict[StepKey, float], dict[StepKey, float]]] = {}
    hour_deltas: list[tuple[float, float]] = []
    variance_est = variance_all = 0.0
    relevant = _relevant_tables(base)
    for key, estimate in sorted(estimates.items()):
        if not estimate.is_range or not base.units or not key.startswith(relevant):
            continue
        low = base if estimate.low == estimate.base else varied(steps, plan, base, key, estimate.low, cache)
        high = base if estimate.high == estimate.base else varied(steps, plan, base, key, estimate.high, cache)
        at_low, at_high = low.npv(), high.npv()
        bar = TornadoBar(key, estimate.low, estimate.high, at_low, at_high, estimate.estimated)
        if bar.swing > 0.5:
            bars.append(bar)
        square = max(abs(at_low - base_npv), abs(at_high - base_npv)) ** 2
        variance_all += square
        if estimate.estimated:
            variance_est += square
        unit_swings.append((_swing(low.unit_npvs(), unit_ids, unit_base, low is base),
                            _swing(high.unit_npvs(), unit_ids, unit_base, high is base)))
        step_low = _swing(low.step_npvs(), step_keys, step_base, low is base, missing=0.0)
        step_high = _swing(high.step_npvs(), step_keys, step_base, high is base, missing=0.0)
        step_swings.append((step_low, step_high))
        deltas[key] = (dict(zip(step_keys, step_low.tolist(), strict=True)),
                       dict(zip(step_keys, step_high.tolist(), strict=True)))
        hour_deltas.append((low.hours_freed - base.hours_freed, high.hours_freed - base.hours_freed))
    bars.sort(key=lambda b: (-b.swing, b.key))
    return Sensitivity(
        tornado=tuple(bars),
        portfolio=_rss(base_npv, ((b.npv_at_low - base_npv, b.npv_at_high - base_npv) for b in bars)),
        units=dict(zip(unit_ids, _rss_columns(unit_base.tolist(), unit_swings), strict=True)),
        steps=dict(zip(step_keys, _rss_columns(step_base.tolist(), step_swings), strict=True)),
        hours=_rss(base.hours_freed, hour_deltas),
        deltas=deltas,
        estimate_share=variance_est / variance_all if variance_all > 0 else 0.0,
    )


_NOT_READ = frozenset({"cashflow.discount_rate", "staffing.kaikei_share_back", "staffing.kaikei_share_counter",
                       "staffing.saiyo_share"})
"""Parameters :func:`evaluate` never reads: the discount rate (only the NPVs of the cash read it) and the
assumed 職種 mix (read when the steps are made, before the money stage)."""

_POSTS_ONLY = frozenset({"staffing.redeploy_share", "cashflow.wage_escalation", "cost.staff_yen_per_hour"})
"""Parameters :func:`evaluate` reads only through the full staff costs and the post plan (with every
``staff.*`` but the overtime rate, which prices the lots' counters): lots, robots, their lines, go-live
months and the FTE each step frees do not move with them."""


_ROBOT_PRICES = frozenset({"rpa.licence_per_robot_year", "rpa.mynumber_terminal_yen", "rpa.ocr_licence_per_year",
                           "rpa.ocr_yen_per_page", "rpa.build_per_scenario", "rpa.maint_rate",
                           "rpa.rebuild_on_cutover"})
"""Robot prices: read only by the robots' cost lines (:func:`_draft_params` leaves them out of the drafts; the
build months and the cutover year, which move go-live and so the posts, are not among them)."""


def varied(steps: Sequence[MoneyStep], plan: Plan, base: Evaluation, key: str, value: float,
           cache: Cache | None = None) -> Evaluation:
    """``evaluate(steps, plan, vary(base.money, key, value), cache)``, where ``base`` is
    ``evaluate(steps, plan, base.money, cache)``, redoing only what the parameter can move.

    Why: the sensitivity and break-even runs price one plan a hundred times
    with one parameter moved.  A parameter :func:`evaluate` does not read
    leaves every array as it is (``base`` is re-read at the new setting); one
    read only by the staff costs and the post plan leaves the lots, robots
    and the FTE each step frees alone, so only the posts and each step's
    share of them are made again — by the same functions on the same inputs
    in the same order, so every figure is the one a full pricing gives.
    """
    money = vary(base.money, key, value)
    if key in _NOT_READ:
        return dataclasses.replace(base, money=money)
    if key in _POSTS_ONLY or (key.startswith("staff.") and key != "staff.overtime_rate"):
        return _reposted(steps, base, money, cache)
    if key in _ROBOT_PRICES:
        return _relined(steps, plan, base, money, cache)
    return evaluate(steps, plan, money, cache)


def _reposted(steps: Sequence[MoneyStep], base: Evaluation, money: MoneyParams, cache: Cache | None) -> Evaluation:
    """``base`` with the staff costs, the post plan and the units' post value made again at ``money``.

    The same steps as :func:`evaluate` after its lots and robots: the plan's contributions (the very objects
    ``base`` counted), the post plan through the same memo, then :func:`_unit_values` over fresh units
    carrying ``base``'s line arrays in ``base``'s order (lines are only ever read after they are made).
    """
    months = 12 * money.cashflow.horizon_years
    costs = staff_costs(money)
    contributions = base.contributions
    across = _Across.of(cache, len(steps)) if cache is not None else None
    posts = _post_plan(contributions, costs, money, across)
    units = {unit_id: UnitCash(unit_id, unit.kind, unit.lines, unit.weights) for unit_id, unit in base.units.items()}
    nets: dict[str, np.ndarray] = {}
    step_net = _unit_values(units, posts, months, nets, across)
    evaluation = Evaluation(money, costs, base.lots, base.lot_start, base.scenarios, base.deployments, units, posts,
                            step_net, base.step_unit, base.hours_freed, base.go_live, contributions)
    evaluation.known_nets.update(nets)
    return evaluation


def _relined(steps: Sequence[MoneyStep], plan: Plan, base: Evaluation, money: MoneyParams, cache: Cache | None,
             ) -> Evaluation:
    """``base`` with the robots' cost lines made again at ``money`` (a robot price moved).

    The same steps as :func:`evaluate`: the lots' units (``base``'s line arrays, lots first as there), then
    :func:`_rpa_cash` on ``base``'s drafts, then :func:`_unit_values` with ``base``'s post plan, which the
    same contributions give again (the drafts, go-live months and freed FTE do not read robot prices).
    """
    months = 12 * money.cashflow.horizon_years
    across = _Across.of(cache, len(steps)) if cache is not None else None
    units = {unit_id: UnitCash(unit_id, unit.kind, unit.lines, unit.weights)
             for unit_id, unit in base.units.items() if unit.kind == "lot"}
    rpa_units, rpa_stops = _rpa_cash(base.scenarios, base.deployments, plan.wait, money, None, across)
    units.update(rpa_units)
    nets: dict[str, np.ndarray] = {}
    step_net = _unit_values(units, base.posts, months, nets, across)
    evaluation = Evaluation(money, staff_costs(money), base.lots, base.lot_start, base.scenarios, base.deployments,
                            units, base.posts, step_net, base.step_unit, base.hours_freed, rpa_stops,
                            base.contributions)
    evaluation.known_nets.update(nets)
    return evaluation


def _swing(found: Mapping[_K, float], keys: Sequence[_K], base: np.ndarray, same: bool,
           missing: float | None = None) -> np.ndarray:
    """Each key's figure in ``found`` minus its base (``missing`` for a key not found; None: a swing of 0)."""
    swing: np.ndarray
    if same:
        swing = base - base
    elif list(found) == keys:
        swing = np.array(list(found.values()), dtype=float) - base
    elif missing is None:
        swing = np.array([found[k] - v if k in found else 0.0 for k, v in zip(keys, base.tolist(), strict=True)],
                         dtype=float)
    else:
        swing = np.array([found.get(k, missing) for k in keys], dtype=float) - base
    return swing


def _rss_columns(bases: Sequence[float], swings: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[Range]:
    """:func:`_rss` of every column: column j's base and the j-th swing of each parameter, in order.

    ``fmin``/``fmax`` against 0 keep what ``min(0.0, low, high)`` keeps (a NaN is passed over, as ``min``
    passes over it when 0 comes first); ``math.hypot`` then adds each column in the parameters' order.
    """
    if not swings:
        downs: list[list[float]] = [[] for _ in bases]
        ups: list[list[float]] = [[] for _ in bases]
    else:
        lows = np.array([pair[0] for pair in swings], dtype=float).reshape(len(swings), len(bases))
        highs = np.array([pair[1] for pair in swings], dtype=float).reshape(len(swings), len(bases))
        downs = np.fmin(np.fmin(0.0, lows), highs).T.tolist()
        ups = np.fmax(np.fmax(0.0, lows), highs).T.tolist()
    return [Range(value - math.hypot(*down), value, value + math.hypot(*up))
            for value, down, up in zip(bases, downs, ups, strict=True)]


def _relevant_tables(base: Evaluation) -> tuple[str, ...]:
    """Parameter tables that can move this plan: lot and queue prices only with lots, robots only with robots."""
    tables = ["staff.", "staffing.", "cashflow.", "cost."]
    if base.lots:
        tables += ["outsource.", "queue."]
    if base.scenarios:
        tables.append("rpa.")
    return tuple(tables)


def range_of(keys: Iterable[StepKey], base: Mapping[StepKey, float], result: Sensitivity) -> Range:
    """NPV range of a sum of steps (a flow), from the same one-at-a-time runs."""
    chosen = [k for k in keys if k in base]
    total = sum(base[k] for k in chosen)
    return _rss(total, ((sum(lo.get(k, 0.0) for k in chosen), sum(hi.get(k, 0.0) for k in chosen))
                        for lo, hi in result.deltas.values()))


def confidence(value: Range, estimate_share: float) -> str:
    """``low`` when the sign is not settled or the range is wider than the value; ``medium`` when wide or
    mostly estimated; else ``high``.

    >>> confidence(Range(-1, 5, 9), 0.2), confidence(Range(8, 10, 12), 0.8), confidence(Range(9, 10, 11), 0.2)
    ('low', 'medium', 'high')
    """
    if value.crosses_zero or value.base == 0:
        return "low"
    spread = (value.high - value.low) / (2 * abs(value.base))
    if spread > 1.0:
        return "low"
    if spread > 0.3 or estimate_share > 0.5:
        return "medium"
    return "high"
