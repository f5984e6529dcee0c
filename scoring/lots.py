"""Contract lots: outsourced steps of one counter or 課, bought as staffed seats.

Real 窓口業務委託 is not priced per processing hour: the contractor staffs
seats through the opening hours (more in March–April), names a 業務責任者
and adds its 一般管理費, while the city keeps a staff post on site (内閣府
H20.1.17 通知).  So a lot's price follows from its counters' arrivals and
handling times through a queueing model:

* seats per hour band, normal/busy day and normal/peak month from Erlang C
  (M/M/c): the fewest seats that serve ``queue.service_level`` of residents
  within the target wait (facts §4.1).  Erlang B, the hard part, is the
  truncated Poisson distribution B = P(N = c) / P(N ≤ c), N ~ Poisson(A),
  from SciPy's special functions (``pdtr`` for the CDF, the mass in logs;
  SciPy is already a dependency, and ``scipy.special`` imports and evaluates
  far faster than ``scipy.stats``); Erlang C and the service level are the
  textbook one-liners on top of it.  The Erlang C packages on
  PyPI were looked at and not taken (2026-11): pyworkforce (MIT; 0.5.1 is
  the newest release the package index serves) implements the same Erlang B
  recursion we had, but pulls in OR-Tools, pandas and joblib for it, refuses
  zero arrivals and has no guard for an unstable queue; ErlangCCmath sends
  every input to the vendor's web service (a network call with the city's
  volumes).  The tests check the figures against a hand-computed case, the
  textbook factorial formula and the previous recursion;
* paid hours = seat-hours ÷ (1 − shrinkage); back-office work of the lot
  first fills the seats' idle time;
* 業務責任者 per 15 seats (at least ``outsource.manager_min_fte``), a
  management fee, and per-lot start-up (仕様書, manuals, procurement,
  consultant support).

The years (transition, term, re-tender, escalation) are
:mod:`scoring.cashflow`'s job; this module prices one full year.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from scipy.special import gammaln, pdtr, xlogy

from bpm.errors import AnalysisError, say
from scoring.cost import MoneyStep
from scoring.legal import entrustability
from scoring.money_params import MoneyParams, QueueParams
from scoring.result import Disposition, LotItem, MoneyLine, QueuePlan, SeatBand, StaffType, StepKey

# --------------------------------------------------------------------------- Erlang C


def erlang_b(load: float, servers: int) -> float:
    """Blocking probability of an M/M/c/c system (Erlang B): the truncated Poisson P(N = c) / P(N ≤ c).

    >>> round(erlang_b(2.0, 3), 6)   # (8/6) / (1 + 2 + 2 + 8/6) = 4/19
    0.210526
    """
    if load <= 0:
        return 0.0
    below = float(pdtr(servers, load))  # P(N ≤ c)
    if below <= 0.0:  # far more load than seats: every arrival is blocked
        return 1.0
    return math.exp(float(xlogy(servers, load)) - load - float(gammaln(servers + 1))) / below


def erlang_c(load: float, servers: int) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C); 1 when the queue is unstable.

    C = c·B / (c − A·(1 − B)) from Erlang B (:func:`erlang_b`), which equals
    the textbook [A^c/c! · c/(c−A)] / [Σ_{k<c} A^k/k! + A^c/c! · c/(c−A)]
    without its factorials.

    >>> round(erlang_c(2.0, 3), 6)   # 4/9: A = 2 Erlangs, 3 seats
    0.444444
    >>> erlang_c(3.0, 3)
    1.0
    """
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    blocking = erlang_b(load, servers)
    return servers * blocking / (servers - load * (1.0 - blocking))


def service_level(load: float, servers: int, handling_minutes: float, target_minutes: float) -> float:
    """Share of arrivals that wait no longer than the target: 1 − C·exp(−(c − A)·t / AHT).

    >>> round(service_level(2.0, 3, 4.0, 2.0), 6)   # 1 − 4/9 · e^(−0.5)
    0.730431
    """
    if load <= 0:
        return 1.0
    if servers <= load:
        return 0.0
    return 1.0 - erlang_c(load, servers) * math.exp(-(servers - load) * target_minutes / handling_minutes)


def mean_wait_minutes(load: float, servers: int, handling_minutes: float) -> float:
    """Mean wait W = C · AHT / (c − A); infinite when unstable.

    >>> round(mean_wait_minutes(2.0, 3, 4.0), 4)   # 4/9 × 4 / 1
    1.7778
    """
    if load <= 0:
        return 0.0
    if servers <= load:
        return math.inf
    return erlang_c(load, servers) * handling_minutes / (servers - load)


_MAX_SEATS = 1000
"""Guard: a counter needing more seats than this is a data error (minutes or counts far too high)."""


@lru_cache(maxsize=65536)
def seats_needed(
    arrivals_per_hour: float, handling_minutes: float, target_minutes: float, level: float
) -> tuple[int, float, float, float]:
    """(seats, wait probability, mean wait, service level) for one hour band.

    No arrivals → no seat; otherwise at least one seat and the fewest that
    meet ``level`` within ``target_minutes``.

    >>> seats_needed(30.0, 4.0, 2.0, 0.8)[0]   # A = 2 Erlangs: 3 seats give 73%, 4 seats 94%
    4
    """
    load = arrivals_per_hour * handling_minutes / 60.0
    if load <= 0:
        return 0, 0.0, 0.0, 1.0
    servers = max(1, math.floor(load) + 1)
    while servers > _MAX_SEATS or service_level(load, servers, handling_minutes, target_minutes) < level:
        if servers > _MAX_SEATS:  # checked before Erlang C, whose recursion is linear in the seats
            raise AnalysisError(
                say("lots.seats", limit=f"{_MAX_SEATS:,}", arrivals=f"{arrivals_per_hour:,.0f}",
                    minutes=f"{handling_minutes:g}"),
                hint=say("lots.seats_hint"),
            )
        servers += 1
    return (servers, erlang_c(load, servers), mean_wait_minutes(load, servers, handling_minutes),
            service_level(load, servers, handling_minutes, target_minutes))


# --------------------------------------------------------------------------- grouping


@dataclass(frozen=True, slots=True)
class LotDraft:
    """Outsourced steps grouped into one lot, before pricing."""

    lot_id: str
    """Stable id."""
    name: str
    """Lot name."""
    grouping: str
    """``section``, ``lane`` or ``flow``."""
    steps: tuple[MoneyStep, ...]
    """Its steps, in portfolio order."""


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:8]


def lot_key(step: MoneyStep, grouping: str) -> tuple[str, ...]:
    """What lots are keyed on: the 課, the counter lane (課, 係, lane) or the flow."""
    if grouping == "flow":
        return (step.key.file, str(step.key.process_id))
    if grouping == "lane":
        return (step.org.section, step.org.unit, _norm(step.lane))
    return (step.org.section,)


def group_lots(steps: Sequence[MoneyStep], active: frozenset[StepKey], money: MoneyParams) -> list[LotDraft]:
    """Outsourced, active steps grouped into lots (order: first appearance)."""
    grouping = money.lots.grouping
    grouped: dict[tuple[str, ...], list[MoneyStep]] = defaultdict(list)
    for step in steps:
        # is_candidate re-reads the legal verdict: nothing the legal gate keeps with staff enters a lot
        if step.candidate is Disposition.OUTSOURCE and step.is_candidate and step.key in active:
            grouped[lot_key(step, grouping)].append(step)
    drafts: list[LotDraft] = []
    for key, members in grouped.items():
        first = members[0]
        if grouping == "flow":
            name = f"{first.flow_name} 業務委託"
        elif grouping == "lane":
            name = f"{first.org.section} {first.org.unit} {first.lane} 業務委託".replace("  ", " ")
        else:
            name = f"{first.org.section} 窓口業務委託"
        drafts.append(LotDraft(f"lot-{_short_hash(grouping, *key)}", name, grouping, tuple(members)))
    return drafts


# --------------------------------------------------------------------------- one full year


@dataclass(frozen=True, slots=True)
class LotYear:
    """One lot priced for a full year (first-term prices), with what the cash flow needs."""

    draft: LotDraft
    """The steps."""
    queues: tuple[QueuePlan, ...]
    """Counters and seats."""
    backoffice_hours: float
    """Back-office staff hours of the lot."""
    paid_hours_normal_month: float
    """Paid contractor hours in a normal month."""
    paid_hours_peak_month: float
    """Paid contractor hours in March or April."""
    manager_fte: float
    """業務責任者 FTE."""
    fee_normal_month: float
    """Contract price of a normal month."""
    fee_peak_month: float
    """Contract price of a peak month."""
    fee_lines: tuple[MoneyLine, ...]
    """A full year's price build-up (one-element lines, negative = cost)."""
    startup_lines: tuple[MoneyLine, ...]
    """One-off start-up, one-element lines (negative)."""
    startup_hours: float
    """Staff hours of the start-up."""
    procurement_yen: float
    """Cash of one tender (again at each re-tender)."""
    idle_freed_hours: float
    """Counter idle time counted as freed staff time a year."""
    freed_hours: Mapping[StepKey, float]
    """Staff hours each step frees a year (its hours + its share of idle time counted as freed)."""
    cost_weights: Mapping[StepKey, float]
    """Share of the lot's costs each step carries (sums to 1)."""

    @property
    def annual_fee(self) -> float:
        """Contract price of a full year."""
        return 10 * self.fee_normal_month + 2 * self.fee_peak_month

    @property
    def contractor_hours(self) -> float:
        """Paid contractor hours of a full year."""
        return 10 * self.paid_hours_normal_month + 2 * self.paid_hours_peak_month


def _month_factors(queue: QueueParams) -> dict[str, tuple[float, float]]:
    """Month kind → (months a year, arrivals ÷ mean month)."""
    peak = queue.peak_month_factor
    normal = max(0.0, (12.0 - 2.0 * peak) / 10.0)
    return {"normal": (10.0, normal), "peak": (2.0, peak)}


def _day_factors(queue: QueueParams) -> dict[str, tuple[float, float]]:
    """Day kind → (share of days, arrivals ÷ mean day of the month)."""
    share, busy = queue.busy_day_share, queue.busy_day_factor
    normal = max(0.0, (1.0 - share * busy) / (1.0 - share)) if share < 1 else 0.0
    return {"normal": (1.0 - share, normal), "busy": (share, busy)}


def queue_plan(queue_id: str, name: str, members: Sequence[MoneyStep], money: MoneyParams) -> QueuePlan:
    """Seats of one counter from the arrivals and handling times of its steps.

    Arrivals: per flow, the flow's cases × the most visits any of its steps
    at this counter gets (a resident who comes back after a correction
    queues again); handling time: all its steps' minutes over those arrivals.
    """
    queue = money.queue
    flows: dict[tuple[str, str], list[MoneyStep]] = defaultdict(list)
    for step in members:
        flows[(step.key.file, str(step.key.process_id))].append(step)
    arrivals = sum(max(s.visits for s in group) * group[0].annual_cases for group in flows.values())
    processing = sum(s.hours_per_year for s in members)
    handling = processing * 60.0 / arrivals if arrivals > 0 else 0.0
    try:
        bands, seat_hours = _bands(arrivals, handling, queue)
    except AnalysisError as error:
        first = members[0]
        raise AnalysisError(say("lots.in_queue", name=name, detail=error.said), file=first.key.file,
                            element_id=first.key.step_id, hint=error.said_hint) from None
    return QueuePlan(
        queue_id=queue_id,
        name=name,
        flows=tuple(dict.fromkeys(s.flow_name for s in members)),
        annual_arrivals=arrivals,
        handling_minutes=handling,
        target_wait_minutes=queue.target_wait_minutes,
        peak_target_wait_minutes=queue.peak_target_wait_minutes,
        service_level=queue.service_level,
        bands=bands,
        seat_hours_per_year=seat_hours,
        processing_hours_per_year=processing,
        peak_seats=max((b.seats for b in bands), default=0),
    )


@lru_cache(maxsize=4096)
def _bands(arrivals: float, handling: float, queue: QueueParams) -> tuple[tuple[SeatBand, ...], float]:
    """Seat bands and seat-hours a year (cached: most parameter variations leave the queue unchanged)."""
    days_per_month = queue.open_days_per_year / 12.0
    bands: list[SeatBand] = []
    seat_hours = 0.0
    for month_kind, (months, month_factor) in _month_factors(queue).items():
        target = queue.target_wait_minutes if month_kind == "normal" else queue.peak_target_wait_minutes
        for day_kind, (day_share, day_factor) in _day_factors(queue).items():
            for hour, hour_share in queue.hour_share:
                rate = arrivals * month_factor / 12.0 / days_per_month * day_factor * hour_share
                seats, wait, mean_wait, level = (
                    seats_needed(rate, handling, target, queue.service_level) if handling > 0 else (0, 0.0, 0.0, 1.0)
                )
                bands.append(SeatBand(month_kind, day_kind, hour, rate, rate * handling / 60.0, seats, wait,
                                      mean_wait, level))
                seat_hours += months * days_per_month * day_share * seats
    return tuple(bands), seat_hours


def month_seat_hours(plan: QueuePlan, month_kind: str, money: MoneyParams) -> float:
    """Seat-hours of one month of a kind."""
    days = money.queue.open_days_per_year / 12.0
    shares = _day_factors(money.queue)
    return sum(days * shares[b.day_kind][0] * b.seats for b in plan.bands if b.month_kind == month_kind)


def is_counter(step: MoneyStep, money: MoneyParams) -> bool:
    """Counter (queue) work: the resident is served face to face."""
    return step.face_to_face >= money.queue.counter_face_to_face


def price_lot(draft: LotDraft, money: MoneyParams) -> LotYear:
    """A full year of the lot at first-term prices."""
    out = money.outsource
    queue = money.queue
    counters: dict[tuple[str, str, str], list[MoneyStep]] = defaultdict(list)
    back: list[MoneyStep] = []
    for step in draft.steps:
        if is_counter(step, money):
            counters[(step.org.section, step.org.unit, _norm(step.lane))].append(step)
        else:
            back.append(step)
    plans = [
        queue_plan(f"{draft.lot_id}-q{_short_hash(*key)}", " ".join(x for x in (members[0].org.section,
                   members[0].org.unit, members[0].lane) if x), members, money)
        for key, members in counters.items()
    ]
    backoffice = sum(s.hours_per_year for s in back)
    months = _month_factors(queue)
    paid: dict[str, float] = {}
    seat_paid: dict[str, float] = {}
    for kind, (_, factor) in months.items():
        seats = sum(month_seat_hours(p, kind, money) for p in plans)
        work = sum(p.processing_hours_per_year for p in plans) * factor / 12.0
        work += backoffice * out.backoffice_productivity / 12.0
        paid[kind] = max(seats, work)
        seat_paid[kind] = seats
    contractor_hours = 10 * paid["normal"] + 2 * paid["peak"]
    manager_fte = manager_fte_for(contractor_hours / money.hours_per_fte, money)
    manager_month = manager_fte * money.hours_per_fte / 12.0 * out.seat_hour_price * out.manager_premium

    def fee(kind: str) -> float:
        return (paid[kind] * out.seat_hour_price + manager_month) * (1.0 + out.management_fee_rate)

    seats_year = (10 * seat_paid["normal"] + 2 * seat_paid["peak"]) * out.seat_hour_price
    extra_year = (contractor_hours - 10 * seat_paid["normal"] - 2 * seat_paid["peak"]) * out.seat_hour_price
    manager_year = 12 * manager_month
    fee_year = (seats_year + extra_year + manager_year) * out.management_fee_rate
    fee_lines = (
        MoneyLine("seats", "窓口の席（待ち行列モデル）", "counter seats (queueing model)", (-seats_year,)),
        MoneyLine("back-office", "後方業務（席の空き時間を超える分）", "back-office work beyond the seats' idle time",
                  (-extra_year,)),
        MoneyLine("manager", "業務責任者", "contractor's manager (業務責任者)", (-manager_year,)),
        MoneyLine("fee", "一般管理費等", "management fee (一般管理費等)", (-fee_year,)),
    )
    rate = money.staff.overtime_rate
    startup_lines = (
        MoneyLine("spec", "仕様書の作成（職員の時間外）", "writing the specification (staff overtime)",
                  (-out.spec_hours * rate,)),
        MoneyLine("manuals", "業務手順書・マニュアル（職員の時間外）", "procedure manuals (staff overtime)",
                  (-out.manual_hours * rate,)),
        MoneyLine("procurement", "調達手続（職員の時間外）", "procurement (staff overtime)",
                  (-out.procurement_hours * rate,)),
        MoneyLine("support", "外部支援（業務分析・仕様書）", "consultant support", (-out.external_support_yen,)),
    )
    freed, weights, idle_freed = _shares(plans, counters, back, paid, money)
    return LotYear(
        draft=draft, queues=tuple(plans), backoffice_hours=backoffice, paid_hours_normal_month=paid["normal"],
        paid_hours_peak_month=paid["peak"], manager_fte=manager_fte, fee_normal_month=fee("normal"),
        fee_peak_month=fee("peak"), fee_lines=fee_lines, startup_lines=startup_lines,
        startup_hours=out.spec_hours + out.manual_hours + out.procurement_hours,
        procurement_yen=out.procurement_hours * rate, idle_freed_hours=idle_freed, freed_hours=freed,
        cost_weights=weights,
    )


def manager_fte_for(contractor_fte: float, money: MoneyParams) -> float:
    """業務責任者 FTE of a lot with this many contractor FTE on seats.

    >>> from scoring.profile import load_profile
    >>> manager_fte_for(30.0, load_profile().money), manager_fte_for(3.0, load_profile().money)
    (2.0, 0.5)
    """
    out = money.outsource
    return max(out.manager_min_fte, contractor_fte / 15.0 * out.manager_fte_per_15_seats)


def contractor_yen_per_hour(money: MoneyParams) -> float:
    """The all-in price of one contractor staff-hour: the seat price, its share of a 業務責任者, and the fee.

    For comparisons by hours (work a contractor already does today), where no
    lot is priced: linear in the hours, unlike :func:`contract_for_staff`.

    >>> from scoring.profile import load_profile
    >>> round(contractor_yen_per_hour(load_profile().money))   # (2,250 + 1/15 × 2,250 × 1.3) × 1.1
    2690
    """
    out = money.outsource
    manager_share = out.manager_fte_per_15_seats / 15.0 * out.manager_premium
    return out.seat_hour_price * (1.0 + manager_share) * (1.0 + out.management_fee_rate)


def contract_for_staff(contractor_fte: float, money: MoneyParams) -> float:
    """A full year's price of a contract staffed with ``contractor_fte`` (seats, 業務責任者, fee; first term).

    The aggregate form of :func:`price_lot`, for cases known by head count
    rather than by flow (the calibration seeds).

    >>> from scoring.profile import load_profile
    >>> round(contract_for_staff(10.0, load_profile().money))   # (19,200h × 2,250 + ⅔ × 1,920h × 2,925) × 1.1
    51638400
    """
    out = money.outsource
    hours = contractor_fte * money.hours_per_fte
    manager = manager_fte_for(contractor_fte, money) * money.hours_per_fte * out.seat_hour_price * out.manager_premium
    return (hours * out.seat_hour_price + manager) * (1.0 + out.management_fee_rate)


def fixed_price_lot(lot_id: str, name: str, annual_fee: float, money: MoneyParams) -> LotYear:
    """A lot known only by its yearly price (the calibration seeds): same start-up and tendering as any lot."""
    year = price_lot(LotDraft(lot_id, name, "section", ()), money)
    monthly = annual_fee / 12.0
    return LotYear(year.draft, (), 0.0, 0.0, 0.0, manager_fte_for(0.0, money), monthly, monthly,
                   (MoneyLine("contract", "契約額", "contract price", (-annual_fee,)),), year.startup_lines,
                   year.startup_hours, year.procurement_yen, 0.0, {}, {})


def _shares(
    plans: Sequence[QueuePlan],
    counters: Mapping[tuple[str, str, str], Sequence[MoneyStep]],
    back: Sequence[MoneyStep],
    paid: Mapping[str, float],
    money: MoneyParams,
) -> tuple[dict[StepKey, float], dict[StepKey, float], float]:
    """Freed hours per step (with counter idle time counted as freed) and each step's share of the lot's cost."""
    freed: dict[StepKey, float] = {}
    demand: dict[StepKey, float] = {}
    idle_total = 0.0
    for plan, members in zip(plans, counters.values(), strict=True):
        idle = max(0.0, plan.seat_hours_per_year - plan.processing_hours_per_year)
        counted = idle * money.queue.counter_idle_freed_share
        idle_total += counted
        total = plan.processing_hours_per_year
        for step in members:
            share = step.hours_per_year / total if total > 0 else 1.0 / len(members)
            freed[step.key] = step.hours_per_year + counted * share
            demand[step.key] = plan.seat_hours_per_year * share
    for step in back:
        freed[step.key] = step.hours_per_year
        demand[step.key] = step.hours_per_year * money.outsource.backoffice_productivity
    total_demand = sum(demand.values())
    count = len(demand)
    weights = {k: (v / total_demand if total_demand > 0 else 1.0 / count) for k, v in demand.items()}
    return freed, weights, idle_total


# --------------------------------------------------------------------------- 委託可否 / 根拠通知


def lot_item(step: MoneyStep, money: MoneyParams, assigned: tuple[str, str] = ("受託者", "contractor")) -> LotItem:
    """One row of a 業務一覧: 委託可否 and 根拠通知 come from the step's legal verdict and nowhere else."""
    found = entrustability(step.legal)
    return LotItem(step.key, step.name, step.flow_name, step.lane, is_counter(step, money), step.annual_count,
                   step.minutes_per_case, step.hours_per_year, found.label.ja, found.label.en, found.basis.ja,
                   found.basis.en, *assigned)


def lot_items(year: LotYear, money: MoneyParams) -> tuple[LotItem, ...]:
    """The lot's 業務一覧 (every item entrustable: only legally outsourceable steps enter a lot)."""
    items = tuple(lot_item(step, money) for step in year.draft.steps)
    assert all(item.entrustable_ja.startswith("委託可") for item in items), "a lot holds entrustable steps only"
    return items


def lot_staff_fte(year: LotYear, money: MoneyParams) -> dict[tuple[StepKey, StaffType], float]:
    """FTE freed per step and 職種 (the step's mix applied to its freed hours)."""
    by_step = {s.key: s for s in year.draft.steps}
    return {
        (key, staff_type): hours * by_step[key].org.mix.get(staff_type, 0.0) / money.hours_per_fte
        for key, hours in year.freed_hours.items()
        for staff_type in StaffType
        if by_step[key].org.mix.get(staff_type, 0.0) > 0
    }
