"""Posts and full cost per 職種: the only way freed hours become cash.

A budget office counts posts, not hours: 0.07 FTE freed by a robot saves no
yen, and a freed hour of a 会計年度任用職員 is worth a third of a 正規 hour.
So this module does three things, each a pure function:

* :func:`staff_costs` builds the full cost of an FTE per 職種 from its
  components (給与費, 共済費, 退職手当負担金, 間接費, 物件費; 会計年度任用 from its own
  hourly rate), each line with its arithmetic and profile keys; a single
  rate (``cost.staff_yen_per_hour``) may override the build-up.
* :func:`step_org` says which 課/係 and 職種 do a step: the survey columns
  課・係・職種, else the pool name (``市民課 証明係``), else the profile's assumed
  mix — and says which.
* :func:`plan_posts` turns the FTE that lots and robots free into whole posts
  per pool (係 or 課) and 職種 with the stated rounding rule, the month each
  post goes, what is redeployed, and who earned each post's value.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from scoring.money_params import MoneyParams, StaffParams
from scoring.result import CostComponent, EvidenceSource, PostRow, Reason, StaffCost, StaffingPlan, StaffType, StepOrg

_LABELS: Mapping[StaffType, tuple[str, str]] = {
    StaffType.REGULAR: ("正規職員", "regular staff"),
    StaffType.KAIKEI: ("会計年度任用職員", "fixed-term (会計年度任用) staff"),
    StaffType.SAIYO: ("再任用職員", "re-employed (再任用) staff"),
}


def staff_type_label(staff_type: StaffType) -> tuple[str, str]:
    """(ja, en) name of a 職種."""
    return _LABELS[staff_type]


# --------------------------------------------------------------------------- full cost


def _yen(value: float) -> str:
    return f"{value:,.0f}"


def staff_costs(money: MoneyParams) -> dict[StaffType, StaffCost]:
    """Full cost of one FTE per 職種, with its build-up (a fresh dict; the lines are cached per setting).

    >>> from scoring.profile import load_profile
    >>> costs = staff_costs(load_profile().money)
    >>> round(costs[StaffType.REGULAR].full_yen_per_fte), round(costs[StaffType.REGULAR].yen_per_hour)
    (9846750, 5129)
    """
    return dict(_staff_costs(money.staff, money.hours_per_fte))


@lru_cache(maxsize=1024)
def _staff_costs(staff: StaffParams, hours: float) -> tuple[tuple[StaffType, StaffCost], ...]:
    """The build-up for one setting of the staff parameters (the sensitivity runs ask for it many times)."""
    money = _StaffOnly(staff, hours)
    if staff.rate_override > 0:
        return tuple((t, _override(t, money)) for t in StaffType)
    regular = staff.regular
    pay = regular.pay_per_fte
    kyuryo = pay * regular.kyuryo_share
    regular_lines = [
        CostComponent("pay", "給与費（給料・手当）", "pay (salary and allowances)", pay, _yen(pay),
                      "staff.regular.pay_per_fte", 1.0),
        CostComponent("kyosai", "共済費（事業主負担）", "mutual-aid contri"
            "butions (employer)", pay * regular.kyosai_rate,
                      f"{_yen(pay)} × {regular.kyosai_rate:g}", "staff.regular.kyosai_rate", 1.0),
        CostComponent("taishoku", "退職手当負担金", "retirement allowance contribution",
                      kyuryo * regular.taishoku_rate_on_kyuryo,
                      f"給料 {_yen(kyuryo)} (= {_yen(pay)} × {regular.kyuryo_share:g}"
                      f") × {regular.taishoku_rate_on_kyuryo:g}",
                      "staff.regular.kyuryo_share, staff.regular.taishoku_rate_on_kyuryo", 1.0),
    ]
    kaikei = staff.kaikei
    kaikei_pay = kaikei.hourly_wage * hours * (1 + kaikei.bonus_months / 12)
    kaikei_lines = [
        CostComponent("pay", "報酬・期末勤勉手当", "pay and bonuses", kaikei_pay,
                      f"{_yen(kaikei.hourly_wage)}円/h × {_yen(hours)}h × (1 + {kaikei.bonus_months:g}/12)",
                      "staff.kaikei.hourly_wage, staff.kaikei.bonus_months, working.hours_per_fte", 1.0),
        CostComponent("oncost", "社会保険料（事業主負担）", "social insura"
            "nce (employer)", kaikei_pay * kaikei.oncost_rate,
                      f"{_yen(kaikei_pay)} × {kaikei.oncost_rate:g}", "staff.kaikei.oncost_rate", 1.0),
    ]
    saiyo_pay = pay * staff.saiyo.pay_ratio
    saiyo_lines = [
        CostComponent("pay", "給与費（給料・手当）", "pay (salary and allowances)", saiyo_pay,
                      f"{_yen(pay)} × {staff.saiyo.pay_ratio:g}", "staff.saiyo.pay_ratio", 1.0),
        CostComponent("kyosai", "共済費（事業主負担）", "mutual-aid contributions (employer)",
                      saiyo_pay * regular.kyosai_rate, f"{_yen(saiyo_pay)} × {regular.kyosai_rate:g}",
                      "staff.regular.kyosai_rate", 1.0),
        CostComponent("taishoku", "退職手当負担金（再任用は対象外）", "retirement allowance (no"
            "t for re-employed staff)",
                      0.0, "0", "[I] 再任用職員には退職手当が支給されない", 1.0),
    ]
    posts = {StaffType.REGULAR: 1.0, StaffType.KAIKEI: kaikei.post_fte, StaffType.SAIYO: staff.saiyo.post_fte}
    built = {StaffType.REGULAR: regular_lines, StaffType.KAIKEI: kaikei_lines, StaffType.SAIYO: saiyo_lines}
    return tuple((t, _complete(t, lines, posts[t], money)) for t, lines in built.items())


class _StaffOnly(NamedTuple):
    """The part of :class:`MoneyParams` the build-up reads (hashable, so the build-up can be cached)."""

    staff: StaffParams
    hours_per_fte: float


def _complete(staff_type: StaffType, lines: list[CostComponent], post_fte: float, money: _StaffOnly) -> StaffCost:
    staff = money.staff
    direct = sum(line.yen_per_fte for line in lines)
    avoidable = staff.overhead_avoidable_share
    lines = [
        *lines,
        CostComponent("indirect", "間接費（管理部門の人件費配賦）", "indirect cost (allocated management staff)",
                      direct * staff.indirect_overhead, f"{_yen(direct)} × {staff.indirect_overhead:g}",
                      "staff.indirect_overhead", avoidable),
        CostComponent("nonpay", "物件費（机・端末・執務スペース）", "non-pay cost (desk, terminal, floor space)",
                      staff.nonpay_per_fte, _yen(staff.nonpay_per_fte), "staff.nonpay_per_fte", avoidable),
    ]
    full = sum(line.yen_per_fte for line in lines)
    cash = sum(line.yen_per_fte * line.cash_share for line in lines)
    return StaffCost(staff_type, tuple(lines), full, cash, full / money.hours_per_fte, post_fte)


def _override(staff_type: StaffType, money: _StaffOnly) -> StaffCost:
    rate = money.staff.rate_override
    full = rate * money.hours_per_fte
    line = CostComponent("override", "単一時間単価（上書き）", "single hourly rate (override)", full,
                         f"{_yen(rate)}円/h × {_yen(money.hours_per_fte)}h", "cost.staff_yen_per_hour", 1.0)
    post = {StaffType.REGULAR: 1.0, StaffType.KAIKEI: money.staff.kaikei.post_fte,
            StaffType.SAIYO: money.staff.saiyo.post_fte}[staff_type]
    return StaffCost(staff_type, (line,), full, full, rate, post, override=True)


# --------------------------------------------------------------------------- who does a step

_STAFF_WORDS: Mapping[StaffType, tuple[str, ...]] = {
    StaffType.REGULAR: ("正規", "正職員", "常勤", "正規職員", "regular", "permanent", "fulltime", "full-time"),
    StaffType.KAIKEI: ("会計年度", "会計年度任用", "会計年度任用職員", "非常勤", "パート", "臨時", "嘱託", "kaikei",
                       "parttime", "part-time", "fixed-term", "fixedterm", "temporary"),
    StaffType.SAIYO: ("再任用", "再任用職員", "saiyo", "re-employed", "reemployed"),
}


def parse_staff_type(text: str) -> StaffType | None:
    """A 職種 from survey text; None when empty or not understood.

    >>> parse_staff_type("会計年度任用職員"), parse_staff_type(" 正規 "), parse_staff_type("")
    (<StaffType.KAIKEI: 'kaikei'>, <StaffType.REGULAR: 'regular'>, None)
    """
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
    if not key:
        return None
    for staff_type, words in _STAFF_WORDS.items():
        if key in {w.casefold() for w in words}:
            return staff_type
    return None


_POOL = re.compile(r"^\s*(?P<section>\S*?[課室局])\s*(?P<unit>\S*?[係班担当]\S*)?\s*$")


def split_pool_name(pool_name: str) -> tuple[str, str] | None:
    """(課, 係) from a pool name such as ``市民課 証明係``; None when it does not read that way.

    >>> split_pool_name("市民課 証明係"), split_pool_name("市民課"), split_pool_name("Citizens")
    (('市民課', '証明係'), ('市民課', ''), None)
    """
    found = _POOL.match(unicodedata.normalize("NFKC", pool_name))
    if found is None:
        return None
    return found.group("section"), found.group("unit") or ""


@dataclass(frozen=True, slots=True)
class OrgInputs:
    """What is known about who does a step."""

    section: str = ""
    """課 from the survey or a BPMN property."""
    unit: str = ""
    """係 from the survey or a BPMN property."""
    staff_type: str = ""
    """職種 as written."""
    source: EvidenceSource = EvidenceSource.SURVEY
    """Where section/unit/staff_type came from (survey or property)."""
    pool_name: str = ""
    """Name of the pool showing the process."""
    flow_name: str = ""
    """Process name (the last resort for a 課 name)."""
    counter: bool = False
    """The step is counter work (decides the assumed 職種 mix)."""


def assumed_mix(counter: bool, money: MoneyParams) -> dict[StaffType, float]:
    """The profile's 職種 mix for a step when the survey does not say.

    >>> from scoring.profile import load_profile
    >>> assumed_mix(True, load_profile().money)[StaffType.KAIKEI]
    0.5
    """
    staffing = money.staffing
    kaikei = staffing.kaikei_share_counter if counter else staffing.kaikei_share_back
    return {StaffType.REGULAR: max(0.0, 1.0 - kaikei - staffing.saiyo_share), StaffType.KAIKEI: kaikei,
            StaffType.SAIYO: staffing.saiyo_share}


def step_org(inputs: OrgInputs, money: MoneyParams) -> tuple[StepOrg, str | None]:
    """課, 係 and 職種 mix of a step, and a problem text when the 職種 written is not understood."""
    problem: str | None = None
    details: list[str] = []
    if inputs.section or inputs.unit:
        section, unit, org_source = inputs.section, inputs.unit, inputs.source
        details.append(f"課・係 = {section} {unit}".rstrip() + f" ({org_source.value})")
    else:
        split = split_pool_name(inputs.pool_name) if inputs.pool_name else None
        if split is not None:
            section, unit = split
            org_source = EvidenceSource.STRUCTURE
            details.append(f"課・係 read from the pool name {inputs.pool_name!r}")
        else:
            section, unit = inputs.pool_name or inputs.flow_name, ""
            org_source = EvidenceSource.DEFAULT
            details.append(f"no 課・係: the pool/flow {section!r} is taken as one 課")
    staff_type = parse_staff_type(inputs.staff_type)
    if staff_type is not None:
        mix = {t: 1.0 if t is staff_type else 0.0 for t in StaffType}
        staff_source = inputs.source
        details.append(f"職種 = {inputs.staff_type.strip()} ({inputs.source.value})")
    else:
        if inputs.staff_type.strip():
            problem = (f"職種 {inputs.staff_type.strip()!r} is not 正規, 会計年度任用 or 再任用; "
                       "the profile's assumed mix is used")
        mix = assumed_mix(inputs.counter, money)
        staff_source = EvidenceSource.DEFAULT
        kind = "counter" if inputs.counter else "back-office"
        details.append(f"職種 assumed ({kind} mix: 正規 {mix[StaffType.REGULAR]:.0%}, "
                       f"会計年度任用 {mix[StaffType.KAIKEI]:.0%}, 再任用 {mix[StaffType.SAIYO]:.0%})")
    order = tuple(EvidenceSource)
    source = max(org_source, staff_source, key=order.index)
    return StepOrg(section, unit, mix, source, "; ".join(details)), problem


# --------------------------------------------------------------------------- posts


PoolKey = tuple[str, str]
"""(課, 係); 係 empty when posts are pooled per 課."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """FTE one lot or scenario frees (or keeps, when negative) in one pool and 職種, from a month on."""

    owner: str
    """Lot or scenario id."""
    pool: PoolKey
    """Where whole posts are counted."""
    staff_type: StaffType
    """職種."""
    fte: float
    """FTE freed (negative: kept, e.g. the staff post on site)."""
    release_month: int
    """Month of the horizon (0 = April of year 1) from which the FTE count."""


@dataclass(frozen=True, slots=True)
class PostPlan:
    """Posts over time and who earned their value."""

    plan: StaffingPlan
    """The plan as reported (state at the end of the horizon)."""
    value_by_owner: Mapping[str, np.ndarray]
    """Owner → cash value of posts attributed to it, per month of the horizon."""
    posts_by_month: Mapping[tuple[PoolKey, StaffType], np.ndarray]
    """Posts cut in each month, per pool and 職種."""


def pool_of(section: str, unit: str, money: MoneyParams) -> PoolKey:
    """The rounding pool of a 課/係 under ``staffing.pool_level``."""
    return (section, unit) if money.staffing.pool_level == "unit" else (section, "")


def release_month(staff_type: StaffType, work_stops: int, money: MoneyParams) -> int:
    """Month a freed post of this 職種 goes once the work stops at ``work_stops``.

    A 会計年度任用 appointment runs to the end of the fiscal year it was made in
    (地方公務員法 22条の2 ②), so the post goes when it is not renewed at the next
    April; 正規 and 再任用 posts go at the next April 人事異動 plus
    ``staffing.regular_lag_years``.  Month 0 is the first April of the horizon.

    >>> from scoring.profile import load_profile
    >>> money = load_profile().money
    >>> release_month(StaffType.KAIKEI, 5, money), release_month(StaffType.REGULAR, 5, money)
    (12, 12)
    """
    april = 12 * math.ceil(work_stops / 12)
    if staff_type is StaffType.KAIKEI:
        return april
    return april + 12 * round(money.staffing.regular_lag_years)


def plan_posts(
    contributions: Sequence[Contribution], costs: Mapping[StaffType, StaffCost], money: MoneyParams,
    assumptions: Sequence[Reason] = (), memo: dict[tuple[object, ...], Stretches] | None = None,
) -> PostPlan:
    """Whole posts per pool and 職種, month by month, with the value each owner earned.

    Rounding rule: in each pool (係, or 課) and 職種, the FTE freed by the
    adopted lots and robots are added up; the 正規/再任用 part is reduced by
    ``staffing.redeploy_share``; posts = ⌊FTE ÷ FTE per post⌋.  The rest is
    redeployed.  A post's value is shared by the owners in proportion to the
    FTE they contribute at that time (a lot's on-site post counts negative).

    ``memo`` (kept by the caller across parameter settings) holds each group's whole posts and shares,
    which do not depend on the cost of a post: a setting that moves only the staff costs re-prices them.
    """
    months = 12 * money.cashflow.horizon_years
    wage = (1 + money.cashflow.wage_escalation) ** (np.arange(months) // 12)
    grouped: dict[tuple[PoolKey, StaffType], list[Contribution]] = defaultdict(list)
    for item in contributions:
        grouped[(item.pool, item.staff_type)].append(item)
    value_by_owner: dict[str, np.ndarray] = {}
    posts_by_month: dict[tuple[PoolKey, StaffType], np.ndarray] = {}
    rows: list[PostRow] = []
    for (pool, staff_type), items in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
        cost = costs[staff_type]
        keep = 1.0 if staff_type is StaffType.KAIKEI else 1.0 - money.staffing.redeploy_share
        per_post = cost.post_fte * cost.cash_yen_per_fte / 12.0
        posts, available_end = _group_posts(items, keep, cost.post_fte, per_post, wage, months, value_by_owner,
                                            memo)
        posts_by_month[(pool, staff_type)] = posts
        freed = sum(i.fte for i in items if i.fte > 0)
        onsite = -sum(i.fte for i in items if i.fte < 0)
        rows.append(post_row(pool, staff_type, freed, onsite, posts, available_end, cost, keep))
    return PostPlan(staffing_plan(rows, money, assumptions), value_by_owner, posts_by_month)


def post_row(pool: PoolKey, staff_type: StaffType, freed: float, onsite: float, posts: np.ndarray,
             available_end: float, cost: StaffCost, keep: float) -> PostRow:
    """The reported row of one pool and 職種 from the FTE freed and kept on site and its posts per month.

    Shared by :func:`plan_posts` and the cost gate's robot rounds (:mod:`scoring.gate_rounds`), so a
    withdrawn robot's snapshot reports the very row a full post plan would.  ``freed`` and ``onsite`` are
    the caller's sums (in the contributions' order) so that the rounds can add them without a Python loop.
    """
    months = len(posts)
    cut = int(posts[-1]) if months else 0
    at_year_end = [int(posts[min(months, 12 * year) - 1]) for year in range(1, -(-months // 12) + 1)]
    cuts = tuple((year, now - before) for year, (before, now) in
                 enumerate(itertools.pairwise([0, *at_year_end]), start=1) if now > before)
    final = max(available_end, 0.0)
    return PostRow(
        section=pool[0], unit=pool[1], staff_type=staff_type, fte_freed=freed, onsite_kept_fte=onsite,
        redeploy_kept_fte=final * (1.0 - keep), posts_cut=cut, post_fte=cost.post_fte,
        redeployed_fte=max(0.0, freed - onsite - cut * cost.post_fte),
        cuts_by_year=cuts, cash_yen_per_post_year=cost.cash_yen_per_fte * cost.post_fte,
    )


def staffing_plan(rows: Sequence[PostRow], money: MoneyParams, assumptions: Sequence[Reason] = ()) -> StaffingPlan:
    """The plan as reported from its rows (in pool and 職種 order)."""
    return StaffingPlan(
        rows=tuple(rows),
        posts_cut=sum(r.posts_cut for r in rows),
        fte_freed=sum(r.fte_freed for r in rows),
        redeployed_fte=sum(r.redeployed_fte for r in rows),
        rounding_rule=rounding_rule(money),
        assumptions=tuple(assumptions),
    )


class Stretches(NamedTuple):
    """A group's whole posts and each stretch's shares: what :func:`_group_posts` finds before any yen."""

    items: Sequence[Contribution]
    """The group's contributions (kept alive: their identities are in the memo's key)."""
    posts: np.ndarray
    """Whole posts per month."""
    available_end: float
    """FTE live in the last stretch."""
    stretches: tuple[tuple[int, int, np.ndarray, int, np.ndarray], ...]
    """(begin, end, live owners' rows, whole posts, their FTE shares) of each stretch that cuts a post."""


def _stretches(items: Sequence[Contribution], keep: float, post_fte: float, months: int) -> Stretches:
    starts = sorted({min(max(i.release_month, 0), months) for i in items} | {months})
    posts = np.zeros(months)
    available_end = 0.0
    ftes = np.array([i.fte for i in items], dtype=float)
    released = np.array([i.release_month for i in items])
    found: list[tuple[int, int, np.ndarray, int, np.ndarray]] = []
    for begin, end in itertools.pairwise(starts):
        if begin >= end:
            continue
        live = np.nonzero(released <= begin)[0]
        available = sum(items[int(i)].fte for i in live)
        available_end = available
        count = math.floor(max(available, 0.0) * keep / post_fte + 1e-9)
        posts[begin:end] = count
        if count == 0 or available <= 1e-12:
            continue
        found.append((begin, end, live, count, ftes[live] / available))
    return Stretches(items, posts, available_end, tuple(found))


def _group_posts(
    items: Sequence[Contribution], keep: float, post_fte: float, per_post: float, wage: np.ndarray, months: int,
    value_by_owner: dict[str, np.ndarray], memo: dict[tuple[object, ...], Stretches] | None = None,
) -> tuple[np.ndarray, float]:
    """Posts per month of one pool and 職種, adding each owner's share of their value into ``value_by_owner``.

    The FTE live from a month on are added in the contributions' order (the
    sum decides the whole posts, so its order is kept); each owner's share of
    a stretch of months is its FTE ÷ that sum.  The shares of all owners are
    written as one block (owners × months) rather than one slice per owner
    and stretch: the arithmetic per month is the same (an owner appears once
    per pool and 職種, and stretches do not overlap), only the Python loop is
    gone — the cost gate calls this for every plan it tries.  The posts and
    shares (:func:`_stretches`) come from ``memo`` when the same contributions
    were counted with the same keep share and post size (identities for the
    memoised contributions, values for an on-site post made afresh).
    """
    if memo is None:
        found = _stretches(items, keep, post_fte, months)
    else:
        key = (tuple(i if i.fte < 0 else id(i) for i in items), keep, post_fte, months)
        known = memo.get(key)
        if known is None:
            if len(memo) >= 64:
                memo.clear()
            known = memo[key] = _stretches(items, keep, post_fte, months)
        found = known
    posts, available_end = found.posts.copy(), found.available_end
    block = np.zeros((len(items), months))
    touched = np.zeros(len(items), dtype=bool)
    for begin, end, live, count, shares in found.stretches:
        segment = count * per_post * wage[begin:end]
        block[live, begin:end] += shares[:, None] * segment[None, :]
        touched[live] = True
    for index in np.nonzero(touched)[0]:
        owner = items[int(index)].owner
        target = value_by_owner.get(owner)
        value_by_owner[owner] = block[index].copy() if target is None else target + block[index]
    return posts, available_end


def rounding_rule(money: MoneyParams) -> Reason:
    """The rounding rule in words, with the profile's settings."""
    level_ja, level_en = ("係", "unit (係)") if money.staffing.pool_level == "unit" else ("課", "section (課)")
    share = money.staffing.redeploy_share
    return Reason(
        "rounding-rule",
        f"{level_ja}ごと・職種ごとに解放された人工を合計し、正規・再"
        f"任用はそのうち {share:.0%} を配置転換として残したうえで、"
        "1ポストの人工で割って小数点以下を切り捨てた数だけ定数（任用）を減らします。端数と配置転換分は「配置転換」として"
        "示し、金額には含めません。会計年度任用職員は業務がなくなった年度の末で任期を終えて再度の任用をせず（地方公務員法22条の2）、正規・再任用職員は"
        "翌年度4月の人事異動で減らします。",
        f"Per {level_en} and 職種, the FTE freed are added up; for regular and re-employed staff {share:.0%} of them "
        "are kept and redeployed; whole posts = ⌊FTE ÷ FTE per post⌋ go. Fractions and the redeployed share are "
        "shown as 'redeployed' and earn no cash. Fixed-term (会計年度任用) appointments run to the end of the fiscal "
        "year in which the work stops and are not renewed (Local Public Service Act art. 22-2); regular and "
        "re-employed posts go at the next April personnel change.",
    )
