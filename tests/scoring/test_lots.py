"""Contract lots: Erlang C seats by hand, lot prices by hand, grouping and 委託可否."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from money_fixtures import AUTHORITY, BASIS, MONEY, UNKNOWN, org, step

from scoring.legal import entrustability
from scoring.lots import (
    LotDraft,
    contract_for_staff,
    erlang_c,
    group_lots,
    lot_items,
    mean_wait_minutes,
    price_lot,
    queue_plan,
    seats_needed,
    service_level,
)
from scoring.result import Disposition, LegalClass, LegalStatus, Reason, StaffType

NOT_LISTED = LegalStatus(LegalClass.FACTUAL, procedure="jido_teate", blockers=(
    Reason("not-on-list", "「児童手当」は内閣府通知（H20.1.17）の対象として確認できないため委託しない", "x"),))
"""A factual act whose procedure is not on the 内閣府 list: no basis, so not outsourceable."""


def textbook_erlang_c(load: float, servers: int) -> float:
    """[A^c/c! · c/(c−A)] / [Σ_{k<c} A^k/k! + A^c/c! · c/(c−A)] (facts §4.1)."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def test_erlang_c_by_hand() -> None:
    # A = 2 Erlangs, 3 seats: top = 8/6 × 3 = 4; bottom = 1 + 2 + 2 + 4 = 9 → P(wait) = 4/9.
    assert erlang_c(2.0, 3) == pytest.approx(4 / 9)
    # Mean wait = C × AHT / (c − A) = 4/9 × 4 min / 1 = 1.78 min; within 2 min: 1 − 4/9 × e^(−1 × 2/4).
    assert mean_wait_minutes(2.0, 3, 4.0) == pytest.approx(16 / 9)
    assert service_level(2.0, 3, 4.0, 2.0) == pytest.approx(1 - 4 / 9 * math.exp(-0.5))
    assert erlang_c(3.0, 3) == 1.0 and service_level(3.0, 3, 4.0, 2.0) == 0.0  # unstable: everyone waits


@given(load=st.floats(min_value=0.05, max_value=40.0), extra=st.integers(min_value=1, max_value=12))
def test_erlang_c_matches_the_textbook_formula(load: float, extra: int) -> None:
    servers = math.floor(load) + extra
    assert erlang_c(load, servers) == pytest.approx(textbook_erlang_c(load, servers), rel=1e-9)


def test_seats_for_one_hour_by_hand() -> None:
    # 30 residents an hour × 4 min = 2 Erlangs. 3 seats serve 73.0 % within 2 min, 4 seats 93.6 % → 4 seats.
    seats, wait, _mean, level = seats_needed(30.0, 4.0, 2.0, 0.8)
    assert seats == 4
    assert level == pytest.approx(1 - erlang_c(2.0, 4) * math.exp(-2 * 2 / 4))
    assert level == pytest.approx(0.936, abs=1e-3) and wait == pytest.approx(0.1739, abs=1e-4)
    assert seats_needed(0.0, 4.0, 2.0, 0.8)[0] == 0
    assert seats_needed(0.01, 4.0, 2.0, 0.8)[0] == 1, "a counter that is open has at least one seat"


def previous_erlang_c(load: float, servers: int) -> float:
    """The hand-written Erlang B recursion this module used before Erlang B came from scipy.stats.poisson."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1.0 - blocking))


def previous_seats(arrivals: float, handling: float, target: float, level: float) -> tuple[int, float, float]:
    load = arrivals * handling / 60.0
    servers = max(1, math.floor(load) + 1)
    while 1.0 - previous_erlang_c(load, servers) * math.exp(-(servers - load) * target / handling) < level:
        servers += 1
    wait = previous_erlang_c(load, servers)
    return servers, wait, wait * handling / (servers - load)


@pytest.mark.parametrize("arrivals", [0.2, 3.0, 30.0, 95.0, 400.0, 2500.0])
@pytest.mark.parametrize("handling", [1.0, 4.0, 12.5])
@pytest.mark.parametrize(("target", "level"), [(2.0, 0.8), (10.0, 0.9), (0.5, 0.95)])
def test_seats_and_waits_equal_the_previous_recursion(arrivals: float, handling: float, target: float,
                                                       level: float) -> None:
    seats, wait, mean, _level = seats_needed(arrivals, handling, target, level)
    before = previous_seats(arrivals, handling, target, level)
    assert seats == before[0]
    assert wait == pytest.approx(before[1], rel=1e-9, abs=1e-300)
    assert mean == pytest.approx(before[2], rel=1e-9, abs=1e-300)


ONE_HOUR = dataclasses.replace(
    MONEY,
    queue=dataclasses.replace(MONEY.queue, hour_share=((9, 1.0),), peak_month_factor=1.0, busy_day_share=0.0,
                              open_days_per_year=240.0, target_wait_minutes=2.0, peak_target_wait_minutes=2.0),
)
"""Every resident in the 9 o'clock hour, no seasons, 20 open days a month: hand-computable."""


def test_queue_plan_by_hand() -> None:
    # 72,000 residents / 240 days = 300 in the one hour; 0.4 min each → A = 2 Erlangs.
    # 3 seats: 1 − 4/9 × e^(−1 × 2/0.4) = 99.7 % ≥ 80 % → 3 seats × 20 days × 12 months = 720 seat-hours.
    counter = step("s1", Disposition.OUTSOURCE, annual_count=72_000, minutes=0.4)
    plan = queue_plan("q", "窓口", [counter], ONE_HOUR)
    assert plan.annual_arrivals == 72_000 and plan.handling_minutes == pytest.approx(0.4)
    assert {b.seats for b in plan.bands} == {3}
    assert plan.bands[0].arrivals_per_hour == pytest.approx(300) and plan.bands[0].erlangs == pytest.approx(2.0)
    assert plan.seat_hours_per_year == pytest.approx(720)
    assert plan.processing_hours_per_year == pytest.approx(480)


def test_lot_price_by_hand() -> None:
    # Seats 720 h × 2,250 = 1,620,000; 業務責任者 at its minimum 0.5 FTE × 1,920 h × 2,250 × 1.3 = 2,808,000;
    # 一般管理費 10 % of both = 442,800 → 4,870,800 a year.
    counter = step("s1", Disposition.OUTSOURCE, annual_count=72_000, minutes=0.4)
    year = price_lot(LotDraft("lot-x", "x", "section", (counter,)), ONE_HOUR)
    fees = {line.key: -line.yen_by_year[0] for line in year.fee_lines}
    assert fees == {"seats": pytest.approx(1_620_000), "back-office": pytest.approx(0), "manager": pytest.approx(
        2_808_000), "fee": pytest.approx(442_800)}
    assert year.annual_fee == pytest.approx(4_870_800)
    assert year.contractor_hours == pytest.approx(720) and year.manager_fte == 0.5
    # Half of the 240 h of counter idle time counts as freed staff time (queue.counter_idle_freed_share).
    assert year.idle_freed_hours == pytest.approx(120)
    assert year.freed_hours[counter.key] == pytest.approx(480 + 120)
    start_up = {line.key: -line.yen_by_year[0] for line in year.startup_lines}
    assert start_up == {"spec": 400 * 2000, "manuals": 600 * 2000, "procurement": 150 * 2000, "support": 1_500_000}


def test_back_office_work_fills_the_seats_idle_time() -> None:
    counter = step("s1", Disposition.OUTSOURCE, annual_count=72_000, minutes=0.4)
    small = step("b1", Disposition.OUTSOURCE, annual_count=1200, minutes=10, face=0.0)  # 200 h < 240 h idle
    large = step("b2", Disposition.OUTSOURCE, annual_count=3600, minutes=10, face=0.0)  # 600 h
    with_small = price_lot(LotDraft("l", "l", "section", (counter, small)), ONE_HOUR)
    assert with_small.contractor_hours == pytest.approx(720), "absorbed by idle seat time"
    with_large = price_lot(LotDraft("l", "l", "section", (counter, large)), ONE_HOUR)
    assert with_large.contractor_hours == pytest.approx(480 + 600)
    assert sum(with_large.cost_weights.values()) == pytest.approx(1.0)


def test_seats_grow_in_the_peak_months_and_busy_hours() -> None:
    counter = step("s1", Disposition.OUTSOURCE, annual_count=150_000, minutes=2.6)
    plan = queue_plan("q", "窓口", [counter], MONEY)
    peak = max(b.seats for b in plan.bands if b.month_kind == "peak")
    normal = max(b.seats for b in plan.bands if b.month_kind == "normal")
    assert peak > normal
    ten = next(b for b in plan.bands if b.month_kind == "normal" and b.day_kind == "normal" and b.hour == 10)
    eight = next(b for b in plan.bands if b.month_kind == "normal" and b.day_kind == "normal" and b.hour == 8)
    assert ten.seats > eight.seats
    assert all(b.service_level >= 0.8 for b in plan.bands if b.seats)


def test_contract_for_head_count() -> None:
    # 30 contractor FTE: 57,600 h × 2,250 + 業務責任者 2 FTE (30/15) × 1,920 × 2,250 × 1.3, + 10 %.
    expected = (57_600 * 2250 + 2 * 1920 * 2250 * 1.3) * 1.1
    assert contract_for_staff(30.0, MONEY) == pytest.approx(expected)


def test_grouping_by_section_lane_or_flow() -> None:
    a = step("a", Disposition.OUTSOURCE, annual_count=100, minutes=1, flow="f1", lane="窓口")
    b = step("b", Disposition.OUTSOURCE, annual_count=100, minutes=1, flow="f2", lane="窓口",
             staff_org=org(unit="住民記録係"))
    c = step("c", Disposition.RPA, annual_count=100, minutes=1, flow="f2")
    active = frozenset(s.key for s in (a, b, c))
    assert [len(d.steps) for d in group_lots([a, b, c], active, MONEY)] == [2], "one lot per 課"
    lane = dataclasses.replace(MONEY, lots=dataclasses.replace(MONEY.lots, grouping="lane"))
    assert [len(d.steps) for d in group_lots([a, b, c], active, lane)] == [1, 1]
    flow = dataclasses.replace(MONEY, lots=dataclasses.replace(MONEY.lots, grouping="flow"))
    assert [d.name for d in group_lots([a, b, c], active, flow)] == ["f1 業務委託", "f2 業務委託"]
    assert group_lots([a, b, c], frozenset({a.key}), MONEY)[0].steps == (a,), "withdrawn steps are not in a lot"


def test_lot_items_take_entrustability_and_basis_from_the_legal_verdict() -> None:
    """委託可否 and 根拠通知 in a lot are the legal gate's (scoring.legal.entrustability), word for word."""
    counter = step("a", Disposition.OUTSOURCE, annual_count=30_000, minutes=2)
    year = price_lot(LotDraft("lot-x", "x", "section", (counter,)), MONEY)
    (item,) = lot_items(year, MONEY)
    assert (item.entrustable_ja, item.entrustable_en) == ("委託可（事実上の行為）", "entrustable (factual act)")
    assert (item.basis_ja, item.basis_en) == (BASIS.ja, BASIS.en)
    assert (item.assigned_ja, item.assigned_en) == ("受託者", "contractor")


@pytest.mark.parametrize("legal", [AUTHORITY, UNKNOWN, NOT_LISTED], ids=["authority", "unknown", "not-listed"])
def test_nothing_the_legal_gate_keeps_with_staff_enters_a_lot(legal: LegalStatus) -> None:
    """Even handed an OUTSOURCE candidate and an active plan naming it, lots re-read the legal verdict."""
    kept = step("kept", Disposition.OUTSOURCE, annual_count=480_000, minutes=3, legal=legal)
    fine = step("fine", Disposition.OUTSOURCE, annual_count=480_000, minutes=1, order=1)
    assert not kept.is_candidate and fine.is_candidate
    drafts = group_lots([kept, fine], frozenset({kept.key, fine.key}), MONEY)
    assert [s.key for d in drafts for s in d.steps] == [fine.key]
    found = entrustability(legal)
    assert not found.entrustable and found.label.ja.startswith("委託不可")
    assert found.basis.code != "outsourcing-basis", "no 根拠通知 is claimed for a step that has none"


def test_kaikei_steps_count_as_kaikei_fte() -> None:
    counter = step("s1", Disposition.OUTSOURCE, annual_count=72_000, minutes=0.4, staff_org=org(staff=StaffType.KAIKEI))
    year = price_lot(LotDraft("lot-x", "x", "section", (counter,)), ONE_HOUR)
    from scoring.lots import lot_staff_fte

    assert lot_staff_fte(year, ONE_HOUR) == {(counter.key, StaffType.KAIKEI): pytest.approx(600 / 1920)}
