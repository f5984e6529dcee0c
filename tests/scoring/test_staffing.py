"""Full cost per 職種 and the staffing plan, against figures computed by hand from the default profile."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from money_fixtures import MONEY, money_with, with_pool_level

from scoring.result import EvidenceSource, StaffType
from scoring.staffing import (
    Contribution,
    OrgInputs,
    Stretches,
    parse_staff_type,
    plan_posts,
    release_month,
    split_pool_name,
    staff_costs,
    step_org,
)

COSTS = staff_costs(MONEY)


def test_regular_full_cost_is_built_from_its_components() -> None:
    regular = COSTS[StaffType.REGULAR]
    lines = {c.key: c.yen_per_fte for c in regular.components}
    assert lines["pay"] == 6_700_000  # 給与費 (加古川市 K9)
    assert lines["kyosai"] == pytest.approx(6_700_000 * 0.153)  # 1,025,100 共済費
    assert lines["taishoku"] == pytest.approx(6_700_000 * 0.61 * 0.20)  # 817,400 退職手当負担金 on 給料
    assert lines["indirect"] == pytest.approx(8_542_500 * 0.10)  # 854,250 間接費
    assert lines["nonpay"] == 450_000
    assert regular.full_yen_per_fte == pytest.approx(9_846_750)
    assert regular.yen_per_hour == pytest.approx(9_846_750 / 1920)  # 5,128.5 yen/h (facts: ≈5,200 fully loaded)
    # A post that goes saves the direct cost and half of the overheads (staff.overhead_avoidable_share).
    assert regular.cash_yen_per_fte == pytest.approx(8_542_500 + 0.5 * (854_250 + 450_000))
    assert all(c.source for c in regular.components), "every line names its profile keys"


def test_kaikei_has_its_own_rates() -> None:
    kaikei = COSTS[StaffType.KAIKEI]
    pay = 1150 * 1920 * (1 + 2.5 / 12)  # 2,668,000: hourly wage × hours × (1 + 期末勤勉 2.5 months / 12)
    direct = pay * 1.16  # + 16 % employer social insurance
    assert kaikei.full_yen_per_fte == pytest.approx(direct * 1.10 + 450_000)
    assert kaikei.post_fte == 0.75
    assert kaikei.yen_per_hour < COSTS[StaffType.REGULAR].yen_per_hour / 2


def test_saiyo_pays_no_retirement_allowance() -> None:
    saiyo = COSTS[StaffType.SAIYO]
    lines = {c.key: c.yen_per_fte for c in saiyo.components}
    assert lines["pay"] == pytest.approx(6_700_000 * 0.7)
    assert lines["taishoku"] == 0
    assert saiyo.full_yen_per_fte == pytest.approx(4_690_000 * 1.153 * 1.10 + 450_000)


def test_single_rate_stays_possible_as_an_override() -> None:
    costs = staff_costs(money_with(cost__staff_yen_per_hour=3285))
    for cost in costs.values():
        assert cost.override
        assert cost.full_yen_per_fte == pytest.approx(3285 * 1920)
        assert [c.key for c in cost.components] == ["override"]


@pytest.mark.parametrize(("text", "expected"), [
    ("正規", StaffType.REGULAR), ("会計年度任用職員", StaffType.KAIKEI), ("再任用", StaffType.SAIYO),
    ("ｐａｒｔ－ｔｉｍｅ", StaffType.KAIKEI), ("", None), ("アルバイト", None),
])
def test_staff_type_words(text: str, expected: StaffType | None) -> None:
    assert parse_staff_type(text) is expected


def test_org_from_the_survey_pool_name_or_assumption() -> None:
    surveyed, problem = step_org(OrgInputs("市民課", "証明係", "会計年度", EvidenceSource.SURVEY), MONEY)
    assert (surveyed.section, surveyed.unit, surveyed.source, problem) == ("市民課", "証明係", EvidenceSource.SURVEY,
                                                                           None)
    assert surveyed.mix[StaffType.KAIKEI] == 1.0
    pooled, _ = step_org(OrgInputs(pool_name="市民課 住民記録係", counter=True), MONEY)
    assert (pooled.section, pooled.unit) == ("市民課", "住民記録係")
    assert pooled.source is EvidenceSource.DEFAULT, "the 職種 is assumed, so the whole org is flagged as assumed"
    assert pooled.mix == {StaffType.REGULAR: pytest.approx(0.45), StaffType.KAIKEI: 0.5, StaffType.SAIYO: 0.05}
    assert "assumed" in pooled.detail and "pool name" in pooled.detail
    unknown, problem = step_org(OrgInputs("市民課", "", "アルバイト", EvidenceSource.SURVEY), MONEY)
    assert problem is not None and "アルバイト" in problem
    assert unknown.mix[StaffType.KAIKEI] == 0.2, "back-office assumed mix"
    assert split_pool_name("市民課 証明係") == ("市民課", "証明係")


def test_release_months() -> None:
    # A 会計年度任用 appointment runs to the fiscal year's end and is not renewed; 正規 posts go at the next April
    # (month 12, 24 …), later with a lag.
    assert release_month(StaffType.KAIKEI, 10, MONEY) == 12
    assert release_month(StaffType.KAIKEI, 12, MONEY) == 12
    assert release_month(StaffType.KAIKEI, 10, money_with(staffing__regular_lag_years=1)) == 12
    assert release_month(StaffType.REGULAR, 10, MONEY) == 12
    assert release_month(StaffType.REGULAR, 12, MONEY) == 12
    assert release_month(StaffType.SAIYO, 13, MONEY) == 24
    assert release_month(StaffType.REGULAR, 10, money_with(staffing__regular_lag_years=1)) == 24


def test_staffing_plan_by_hand() -> None:
    """証明係: a lot frees 1.8 正規 + 1.2 会計年度, a robot 0.6 正規; the lot keeps 0.5 正規 on site.

    正規 from April of year 2: 1.8 + 0.6 − 0.5 = 1.9 FTE; a quarter is redeployed (redeploy_share 0.25)
    → 1.425 → 1 post; redeployed 2.4 − 0.5 − 1 = 0.9. 会計年度 from month 10: 1.2 ÷ 0.75 = 1.6 → 1 post,
    redeployed 0.45. Values: a 正規 post saves 9,194,625 a year, a 会計年度 post 0.75 × 3,474,624, each
    rising 2 % a year.
    """
    money = money_with(staffing__redeploy_share=0.25)
    costs = staff_costs(money)
    pool = ("市民課", "証明係")
    contributions = [
        Contribution("lot", pool, StaffType.REGULAR, 1.8, 12),
        Contribution("lot", pool, StaffType.KAIKEI, 1.2, 10),
        Contribution("robot", pool, StaffType.REGULAR, 0.6, 12),
        Contribution("onsite", pool, StaffType.REGULAR, -0.5, 12),
    ]
    result = plan_posts(contributions, costs, money)
    rows = {r.staff_type: r for r in result.plan.rows}
    regular, kaikei = rows[StaffType.REGULAR], rows[StaffType.KAIKEI]
    assert (regular.posts_cut, regular.cuts_by_year) == (1, ((2, 1),))
    assert regular.fte_freed == pytest.approx(2.4) and regular.onsite_kept_fte == pytest.approx(0.5)
    assert regular.redeploy_kept_fte == pytest.approx(1.9 * 0.25)
    assert regular.redeployed_fte == pytest.approx(0.9)
    assert (kaikei.posts_cut, kaikei.cuts_by_year, kaikei.redeployed_fte) == (1, ((1, 1),), pytest.approx(0.45))
    assert result.plan.posts_cut == 2 and result.plan.redeployed_fte == pytest.approx(1.35)
    wage = [1.0, 1.02, 1.0404, 1.061208, 1.08243216]
    regular_value = 9_194_625 * sum(wage[1:])  # whole years 2–5
    kaikei_value = 0.75 * costs[StaffType.KAIKEI].cash_yen_per_fte * (2 / 12 + sum(wage[1:]))  # Feb–Mar of year 1
    total = sum(float(v.sum()) for v in result.value_by_owner.values())
    assert total == pytest.approx(regular_value + kaikei_value)
    # Shares: 正規 value by FTE contributed at the time (the on-site post counts negative).
    assert float(result.value_by_owner["robot"].sum()) == pytest.approx(regular_value * 0.6 / 1.9)
    assert float(result.value_by_owner["onsite"].sum()) == pytest.approx(-regular_value * 0.5 / 1.9)
    assert float(result.value_by_owner["lot"].sum()) == pytest.approx(regular_value * 1.8 / 1.9 + kaikei_value)
    assert np.all(result.posts_by_month[(pool, StaffType.REGULAR)][:12] == 0)


def test_whole_posts_per_unit_or_per_section() -> None:
    # Two 係 each free 0.6 正規 (no redeployment): per 係 no post goes; per 課 one post goes.
    money = money_with(staffing__redeploy_share=0)
    contributions = [
        Contribution("a", ("市民課", "証明係"), StaffType.REGULAR, 0.6, 12),
        Contribution("b", ("市民課", "住民記録係"), StaffType.REGULAR, 0.6, 12),
    ]
    per_unit = plan_posts(contributions, staff_costs(money), money)
    assert per_unit.plan.posts_cut == 0 and per_unit.plan.redeployed_fte == pytest.approx(1.2)
    section = with_pool_level(money, "section")
    merged = [Contribution(c.owner, ("市民課", ""), c.staff_type, c.fte, c.release_month) for c in contributions]
    per_section = plan_posts(merged, staff_costs(section), section)
    assert per_section.plan.posts_cut == 1 and per_section.plan.redeployed_fte == pytest.approx(0.2)
    assert "課" in per_section.plan.rounding_rule.ja and "係" in per_unit.plan.rounding_rule.ja


def test_redeploying_everything_saves_nothing() -> None:
    money = money_with(staffing__redeploy_share=1.0)
    contributions = [Contribution("a", ("市民課", "証明係"), StaffType.REGULAR, 5.0, 12)]
    result = plan_posts(contributions, staff_costs(money), money)
    assert result.plan.posts_cut == 0 and result.plan.redeployed_fte == pytest.approx(5.0)
    assert sum(float(v.sum()) for v in result.value_by_owner.values()) == 0


def _value_by_owner_one_slice_at_a_time(contributions: list[Contribution]) -> dict[str, np.ndarray]:
    """The owners' post value the plain way: one slice per owner and stretch of months (the rule as written)."""
    months = 12 * MONEY.cashflow.horizon_years
    wage = (1 + MONEY.cashflow.wage_escalation) ** (np.arange(months) // 12)
    grouped: dict[tuple[tuple[str, str], StaffType], list[Contribution]] = {}
    for item in contributions:
        grouped.setdefault((item.pool, item.staff_type), []).append(item)
    out: dict[str, np.ndarray] = {}
    for (_pool, staff_type), items in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
        cost = COSTS[staff_type]
        keep = 1.0 if staff_type is StaffType.KAIKEI else 1.0 - MONEY.staffing.redeploy_share
        starts = sorted({min(max(i.release_month, 0), months) for i in items} | {months})
        for begin, end in itertools.pairwise(starts):
            live = [i for i in items if i.release_month <= begin]
            available = sum(i.fte for i in live)
            count = int(max(available, 0.0) * keep / cost.post_fte + 1e-9)
            if begin >= end or count == 0 or available <= 1e-12:
                continue
            per_post = cost.post_fte * cost.cash_yen_per_fte / 12.0  # main's rule: one post's month, then × count
            segment = count * per_post * wage[begin:end]
            for item in live:
                out.setdefault(item.owner, np.zeros(months))[begin:end] += item.fte / available * segment
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from([("市民課", "証明係"), ("市民課", ""), ("税務課", "")]),
                          st.sampled_from(list(StaffType)), st.floats(-0.6, 3.0),
                          st.sampled_from([0, 12, 24, 36, 999])),
                max_size=30))
def test_post_value_per_owner_equals_the_slice_by_slice_rule(
    drawn: list[tuple[int, tuple[str, str], StaffType, float, int]],
) -> None:
    """The block-wise share-out gives every owner the same yen, bit for bit, as one slice at a time."""
    contributions = [Contribution(f"owner-{owner}", pool, staff_type, fte, month)
                     for owner, pool, staff_type, fte, month in drawn]
    found = plan_posts(contributions, COSTS, MONEY).value_by_owner
    expected = _value_by_owner_one_slice_at_a_time(contributions)
    assert set(found) == set(expected)
    assert all(found[owner].tobytes() == expected[owner].tobytes() for owner in expected)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from([("市民課", "証明係"), ("市民課", ""), ("税務課", "")]),
                          st.sampled_from(list(StaffType)), st.floats(-0.6, 3.0),
                          st.sampled_from([0, 12, 24, 36, 999])),
                max_size=30),
       st.lists(st.tuples(st.sampled_from(["staff.regular.pay_per_fte", "staff.kaikei.post_fte",
                                           "staffing.redeploy_share", "cost.staff_yen_per_hour"]),
                          st.floats(0.1, 1.0)), min_size=1, max_size=6))
def test_one_memo_across_settings_plans_each_as_a_fresh_plan(
    drawn: list[tuple[int, tuple[str, str], StaffType, float, int]], settings_drawn: list[tuple[str, float]],
) -> None:
    """Posts and shares kept in a memo across staff settings price each setting as plan_posts without it."""
    contributions = [Contribution(f"owner-{owner}", pool, staff_type, fte, month)
                     for owner, pool, staff_type, fte, month in drawn]
    memo: dict[tuple[object, ...], Stretches] = {}
    scale = {"staff.regular.pay_per_fte": 9e6, "staff.kaikei.post_fte": 1.0, "staffing.redeploy_share": 1.0,
             "cost.staff_yen_per_hour": 6000.0}
    for key, share in [("staffing.redeploy_share", MONEY.staffing.redeploy_share), *settings_drawn]:
        money = money_with(**{key.replace(".", "__"): share * scale[key]})
        costs = staff_costs(money)
        fresh = plan_posts(contributions, costs, money)
        kept = plan_posts(contributions, costs, money, memo=memo)
        assert kept.plan == fresh.plan
        assert set(kept.value_by_owner) == set(fresh.value_by_owner)
        assert all(kept.value_by_owner[o].tobytes() == fresh.value_by_owner[o].tobytes() for o in fresh.value_by_owner)
        assert all(kept.posts_by_month[g].tobytes() == fresh.posts_by_month[g].tobytes() for g in fresh.posts_by_month)
