"""The money parameters of a profile: typed, range-checked, each with low / base / high.

Why a module of its own: these parameters decide the 財政効果 a 課長 signs, so
each must be traceable (dotted key, source, range) and variable one at a time
for the tornado chart.  :class:`MoneyParams` mirrors the TOML tables
(``[staff.regular]`` → ``money.staff.regular``), so :func:`vary` can set any
parameter by its dotted key and the sensitivity analysis needs no list of
names.  Loading and the file format stay in :mod:`scoring.profile`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bpm.errors import ProfileError, Text, say

ErrorFactory = Callable[[Text, str], ProfileError]
"""(message, dotted key) → the error to raise, with file and line filled in by the loader."""


class EntryLike(Protocol):
    """What this module needs of a flattened profile entry."""

    @property
    def value(self) -> object: ...
    @property
    def source(self) -> str: ...
    @property
    def low(self) -> float | None: ...
    @property
    def high(self) -> float | None: ...
    @property
    def words(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class Estimate:
    """One numeric money parameter with its range and source."""

    key: str
    """Dotted key, e.g. ``staff.regular.pay_per_fte``."""
    base: float
    """The value used for the base case."""
    low: float
    """Low end of the plausible range (= base for a sourced point value)."""
    high: float
    """High end of the plausible range (= base for a sourced point value)."""
    source: str
    """Where the figure comes from ([R] read, [D] derived, [I] assumption)."""

    @property
    def is_range(self) -> bool:
        """True when the parameter is uncertain (low < high): it enters the ranges and the tornado."""
        return self.low < self.high

    @property
    def estimated(self) -> bool:
        """True when the source marks it as an assumption or estimate rather than a read figure."""
        return "[I]" in self.source or "[est]" in self.source or "要設定" in self.source


@dataclass(frozen=True, slots=True)
class RegularStaffParams:
    """正規職員: 給与費 and the employer charges on it (facts §1.1)."""

    pay_per_fte: float
    """給与費 per head (給料 + 職員手当 + 期末勤勉), yen a year."""
    kyuryo_share: float
    """給料 as a share of 給与費 (the base of 退職手当負担金)."""
    kyosai_rate: float
    """共済 employer 負担金 as a share of 給与費."""
    taishoku_rate_on_kyuryo: float
    """退職手当負担金 as a share of 給料."""


@dataclass(frozen=True, slots=True)
class KaikeiStaffParams:
    """会計年度任用職員: hourly pay, 期末・勤勉手当 and social insurance (facts §1.3)."""

    hourly_wage: float
    """Yen per hour."""
    bonus_months: float
    """期末・勤勉手当 in months of pay a year."""
    oncost_rate: float
    """Employer social insurance as a share of pay."""
    post_fte: float
    """One post in FTE (part-time posts are < 1)."""


@dataclass(frozen=True, slots=True)
class SaiyoStaffParams:
    """再任用職員 (facts §1.3)."""

    pay_ratio: float
    """Pay as a share of the regular 給与費."""
    post_fte: float
    """One (short-time) post in FTE."""


@dataclass(frozen=True, slots=True)
class StaffParams:
    """Full cost per 職種 and the costs shared by all of them."""

    indirect_overhead: float
    """間接人件費 as a share of the direct cost."""
    nonpay_per_fte: float
    """物件費 per FTE, yen a year."""
    overhead_avoidable_share: float
    """Share of 間接費 + 物件費 really saved when a post goes."""
    overtime_rate: float
    """Yen per overtime hour (prices staff hours spent on preparation)."""
    rate_override: float
    """``cost.staff_yen_per_hour``: 0 = build up per 職種; above 0 = one rate for every staff hour."""
    regular: RegularStaffParams
    """正規."""
    kaikei: KaikeiStaffParams
    """会計年度任用."""
    saiyo: SaiyoStaffParams
    """再任用."""


@dataclass(frozen=True, slots=True)
class StaffingParams:
    """Which posts go and when."""

    pool_level: str
    """``unit`` (係) or ``section`` (課): where whole posts are counted."""
    redeploy_share: float
    """Share of freed 正規/再任用 posts kept and redeployed (not cut)."""
    regular_lag_years: float
    """Extra years before a freed 正規 post leaves the 定数."""
    kaikei_share_counter: float
    """Assumed 会計年度任用 share of counter hours (no 職種 in the survey)."""
    kaikei_share_back: float
    """Assumed 会計年度任用 share of back-office hours."""
    saiyo_share: float
    """Assumed 再任用 share of all hours."""


@dataclass(frozen=True, slots=True)
class OutsourceParams:
    """A 窓口業務委託 lot: seats, 業務責任者, fee, start-up, term."""

    seat_hour_price: float
    """Yen per contractor staff-hour on a seat (direct cost, before fee)."""
    management_fee_rate: float
    """一般管理費等 on the direct cost."""
    manager_fte_per_15_seats: float
    """業務責任者 FTE per 15 seats."""
    manager_min_fte: float
    """Minimum 業務責任者 FTE of a lot."""
    manager_premium: float
    """業務責任者 hour price ÷ seat-hour price."""
    onsite_post_fte: float
    """Staff FTE kept on site per lot (内閣府 通知 condition)."""
    spec_hours: float
    """Staff hours for the 仕様書."""
    manual_hours: float
    """Staff hours for manuals."""
    procurement_hours: float
    """Staff hours per tender."""
    external_support_yen: float
    """Consultant support per lot."""
    prep_months: float
    """Months of preparation before service starts."""
    overlap_months: float
    """Months of 並行稼働 after service starts."""
    contract_years: float
    """Term of one contract."""
    retender_price_factor: float
    """Price at re-tender ÷ price before (before escalation)."""
    backoffice_productivity: float
    """Contractor hours per staff hour of back-office work."""
    existing_yen_per_hour: float
    """Price per contractor hour of the contracts the city already has (委託済み steps); 0 = not set (要設定)."""


@dataclass(frozen=True, slots=True)
class QueueParams:
    """Counter arrivals and the service target (Erlang C)."""

    open_days_per_year: float
    """Opening days a year."""
    peak_month_factor: float
    """Arrivals in March and April ÷ the mean month."""
    busy_day_factor: float
    """Arrivals on a busy day ÷ a normal day of the same month."""
    busy_day_share: float
    """Share of days that are busy days."""
    shrinkage: float
    """Share of paid contractor time not on a seat."""
    service_level: float
    """Share of residents to call within the target wait."""
    target_wait_minutes: float
    """Target wait in normal months."""
    peak_target_wait_minutes: float
    """Target wait in March and April."""
    counter_face_to_face: float
    """face_to_face from which an outsourced step is counter (queue) work."""
    counter_idle_freed_share: float
    """Share of today's counter idle time that staff really get back."""
    hour_share: tuple[tuple[int, float], ...]
    """(opening hour, share of the day's arrivals), normalised to sum 1."""


@dataclass(frozen=True, slots=True)
class RpaParams:
    """RPA as bought (facts §3)."""

    reduction_digital: float
    """Share of the hours a robot frees on digital input."""
    reduction_ocr: float
    """Share freed on paper input read by AI-OCR (before checking time)."""
    ocr_check_minutes: float
    """Staff minutes to check one AI-OCR page."""
    ocr_yen_per_page: float
    """AI-OCR price per page."""
    ocr_licence_per_year: float
    """AI-OCR service per deployment that reads paper."""
    licence_per_robot_year: float
    """Licence per robot a year."""
    build_per_scenario: float
    """Development per scenario."""
    maint_rate: float
    """Maintenance a year as a share of development."""
    rebuild_on_cutover: float
    """Rebuild at the 標準準拠 cutover as a share of development."""
    migration_year: float
    """Horizon year of the 標準準拠システム cutover."""
    robot_minutes_share: float
    """Robot run time ÷ staff minutes."""
    robot_hours_per_year: float
    """Run hours one robot licence gives a year."""
    mynumber_terminal_yen: float
    """Dedicated terminal for a robot on the マイナンバー利用事務系."""
    mynumber_segment_allowed: bool
    """False: RPA on マイナンバー系 screens is not allowed, such RPA is withdrawn."""
    build_months: float
    """Months from order to service."""
    mynumber_words: tuple[str, ...]
    """Words naming マイナンバー利用事務系 systems."""
    standard_words: tuple[str, ...]
    """Words naming systems that move to 標準準拠システム."""


@dataclass(frozen=True, slots=True)
class CashflowParams:
    """The multi-year frame."""

    horizon_years: int
    """Fiscal years evaluated (year 1 = transition year by default)."""
    transition_year: int
    """Year lots are tendered and start and robots are built."""
    discount_rate: float
    """Real discount rate a year."""
    wage_escalation: float
    """Yearly rise of staff cost."""
    contract_escalation: float
    """Yearly rise of contract and licence prices (applied at re-tender/renewal)."""


@dataclass(frozen=True, slots=True)
class LotParams:
    """How outsourced steps are grouped into contract lots."""

    grouping: str
    """``section`` (課), ``lane`` (counter lane) or ``flow``."""


@dataclass(frozen=True, slots=True)
class MoneyParams:
    """All money parameters at one setting (the base, or one parameter varied)."""

    hours_per_fte: float
    """Working hours per FTE (``working.hours_per_fte``), the unit of posts."""
    staff: StaffParams
    """Full cost per 職種."""
    staffing: StaffingParams
    """Posts."""
    outsource: OutsourceParams
    """Lots."""
    queue: QueueParams
    """Seats."""
    rpa: RpaParams
    """Robots."""
    cashflow: CashflowParams
    """Years and discounting."""
    lots: LotParams
    """Grouping."""


_GROUPS: Mapping[str, tuple[str, ...]] = {
    "staff": ("staff",),
    "staff.regular": ("staff", "regular"),
    "staff.kaikei": ("staff", "kaikei"),
    "staff.saiyo": ("staff", "saiyo"),
    "staffing": ("staffing",),
    "outsource": ("outsource",),
    "queue": ("queue",),
    "rpa": ("rpa",),
    "cashflow": ("cashflow",),
    "lots": ("lots",),
}
"""TOML table → attribute path in :class:`MoneyParams`."""

_UNIT_RANGE = {
    "staff.indirect_overhead", "staff.overhead_avoidable_share", "staff.regular.kyuryo_share",
    "staff.regular.kyosai_rate", "staff.regular.taishoku_rate_on_kyuryo", "staff.kaikei.oncost_rate",
    "staff.saiyo.pay_ratio", "staffing.redeploy_share", "staffing.kaikei_share_counter",
    "staffing.kaikei_share_back", "staffing.saiyo_share", "outsource.management_fee_rate", "queue.busy_day_share",
    "queue.counter_face_to_face", "queue.counter_idle_freed_share", "rpa.reduction_digital", "rpa.reduction_ocr",
    "rpa.maint_rate", "rpa.robot_minutes_share", "cashflow.discount_rate", "cashflow.wage_escalation",
    "cashflow.contract_escalation",
}
"""Shares that must lie in 0–1 (low and high too)."""

_POSITIVE = {
    "staff.kaikei.post_fte", "staff.saiyo.post_fte", "queue.open_days_per_year", "queue.peak_month_factor",
    "queue.busy_day_factor", "queue.service_level", "queue.target_wait_minutes", "queue.peak_target_wait_minutes",
    "rpa.robot_hours_per_year", "outsource.contract_years", "outsource.manager_premium",
    "outsource.retender_price_factor", "outsource.backoffice_productivity", "cashflow.horizon_years",
    "cashflow.transition_year",
}
"""Numbers that must be above 0."""

_MAX = {
    "staff.kaikei.post_fte": 1.0, "staff.saiyo.post_fte": 1.0, "queue.shrinkage": 0.9, "queue.service_level": 0.999,
    "rpa.rebuild_on_cutover": 2.0, "outsource.prep_months": 24.0, "outsource.overlap_months": 24.0,
    "outsource.contract_years": 10.0, "cashflow.horizon_years": 30.0, "queue.open_days_per_year": 366.0,
    "rpa.migration_year": 30.0, "staffing.regular_lag_years": 10.0, "queue.peak_month_factor": 6.0,
    "queue.busy_day_factor": 10.0, "cashflow.transition_year": 30.0,
}
"""Upper limits that keep the model meaningful (and the loops bounded)."""


def upper_limit(key: str) -> float | None:
    """The upper limit of a money parameter when it has its own (shares 1, years and factors their cap), else None.

    :func:`scoring.profile.upper_bound` asks this first, so a profile is
    checked against one set of limits.

    >>> upper_limit("staffing.redeploy_share"), upper_limit("cashflow.horizon_years"), upper_limit("staff.x")
    (1.0, 30.0, None)
    """
    if key in _UNIT_RANGE:
        return 1.0
    return _MAX.get(key)

_CHOICES = {
    "staffing.pool_level": ("unit", "section"),
    "lots.grouping": ("section", "lane", "flow"),
}


def money_params(
    flat: Mapping[str, EntryLike], hours_per_fte: float, rate_override: float, error: ErrorFactory
) -> tuple[MoneyParams, dict[str, Estimate]]:
    """Build and check the money parameters from the flattened profile.

    Raises the loader's :class:`~bpm.errors.ProfileError` (via ``error``) for
    a value or range outside its limits, naming the dotted key.
    """
    estimates: dict[str, Estimate] = {}
    for key, entry in sorted(flat.items()):
        table = key.rsplit(".", 1)[0]
        if table not in _GROUPS and not key.startswith("queue.hour_share.") and key != "cost.staff_yen_per_hour":
            continue
        value = entry.value
        if isinstance(value, bool) or not isinstance(value, float):
            continue
        low = entry.low if entry.low is not None else value
        high = entry.high if entry.high is not None else value
        for bound in (low, value, high):
            _check(key, bound, error)
        estimates[key] = Estimate(key, value, low, high, entry.source)
    for key, choices in _CHOICES.items():
        found = flat[key].value if key in flat else None
        if found not in choices:
            listed = ", ".join(repr(c) for c in choices)
            raise error(say("money.choice", key=key, choices=listed, found=repr(found)), key)
    shares = ("staffing.kaikei_share_counter", "staffing.saiyo_share"), ("staffing.kaikei_share_back",
                                                                         "staffing.saiyo_share")
    for pair in shares:
        if sum(estimates[k].high for k in pair) > 1.0:
            raise error(say("money.shares_exceed", keys=" + ".join(pair)), pair[0])
    values = {key: estimate.base for key, estimate in estimates.items()}
    money = _assemble(values, flat, hours_per_fte, rate_override, error)
    transition = money.cashflow.transition_year
    if transition > money.cashflow.horizon_years:
        raise error(say("money.transition_after_horizon", year=transition, horizon=money.cashflow.horizon_years),
                    "cashflow.transition_year")
    return money, estimates


def _check(key: str, value: float, error: ErrorFactory) -> None:
    if value < 0:
        raise error(say("profile.negative", key=key, value=f"{value:g}"), key)
    if key == "cost.staff_yen_per_hour" and 0 < value < 1:
        raise error(say("money.staff_rate_floor", key=key, value=f"{value:g}"), key)
    if key in _UNIT_RANGE and value > 1.0:
        raise error(say("profile.out_of_range", key=key, value=f"{value:g}", upper=1), key)
    if key in _POSITIVE and value <= 0:
        raise error(say("money.positive", key=key), key)
    limit = _MAX.get(key)
    if limit is not None and value > limit:
        raise error(say("money.above_limit", key=key, value=f"{value:g}", limit=f"{limit:g}"), key)


def _words(flat: Mapping[str, EntryLike], key: str, error: ErrorFactory) -> tuple[str, ...]:
    entry = flat.get(key)
    words = entry.words if entry is not None else None
    if words is None:
        raise error(say("profile.missing_key", key=repr(key)), key)
    return tuple(words.ja) + tuple(words.en)


def _assemble(
    values: Mapping[str, float],
    flat: Mapping[str, EntryLike],
    hours_per_fte: float,
    rate_override: float,
    error: ErrorFactory,
) -> MoneyParams:
    def get(key: str) -> float:
        if key not in values:
            raise error(say("profile.missing_key", key=repr(key)), key)
        return values[key]

    def group(cls: type[Any], table: str, **extra: Any) -> Any:
        names = [f.name for f in dataclasses.fields(cls) if f.name not in extra]
        return cls(**{name: get(f"{table}.{name}") for name in names}, **extra)

    hour_share = sorted(
        (int(key.rsplit(".h", 1)[1]), value) for key, value in values.items() if key.startswith("queue.hour_share.h")
    )
    total = sum(share for _, share in hour_share)
    if not hour_share or total <= 0:
        raise error(say("money.hour_share_zero"), "queue.hour_share")
    allowed = flat.get("rpa.mynumber_segment_allowed")
    if allowed is None or not isinstance(allowed.value, bool):
        raise error(say("money.missing_mynumber_flag"), "rpa.mynumber_segment_allowed")
    staff = StaffParams(
        indirect_overhead=get("staff.indirect_overhead"),
        nonpay_per_fte=get("staff.nonpay_per_fte"),
        overhead_avoidable_share=get("staff.overhead_avoidable_share"),
        overtime_rate=get("staff.overtime_rate"),
        rate_override=rate_override,
        regular=group(RegularStaffParams, "staff.regular"),
        kaikei=group(KaikeiStaffParams, "staff.kaikei"),
        saiyo=group(SaiyoStaffParams, "staff.saiyo"),
    )
    return MoneyParams(
        hours_per_fte=hours_per_fte,
        staff=staff,
        staffing=group(StaffingParams, "staffing", pool_level=str(flat["staffing.pool_level"].value)),
        outsource=group(OutsourceParams, "outsource"),
        queue=group(QueueParams, "queue", hour_share=tuple((h, s / total) for h, s in hour_share)),
        rpa=group(
            RpaParams, "rpa",
            mynumber_segment_allowed=bool(allowed.value),
            mynumber_words=_words(flat, "rpa.mynumber_systems", error),
            standard_words=_words(flat, "rpa.standard_systems", error),
        ),
        cashflow=CashflowParams(
            horizon_years=round(get("cashflow.horizon_years")),
            transition_year=round(get("cashflow.transition_year")),
            discount_rate=get("cashflow.discount_rate"),
            wage_escalation=get("cashflow.wage_escalation"),
            contract_escalation=get("cashflow.contract_escalation"),
        ),
        lots=LotParams(grouping=str(flat["lots.grouping"].value)),
    )


def vary(money: MoneyParams, key: str, value: float) -> MoneyParams:
    """The parameters with one numeric parameter (by dotted key) set to ``value``.

    >>> from scoring.profile import load_profile
    >>> money = load_profile().money
    >>> assert money is not None
    >>> vary(money, "staff.regular.pay_per_fte", 7.4e6).staff.regular.pay_per_fte
    7400000.0
    >>> vary(money, "cost.staff_yen_per_hour", 3285).staff.rate_override
    3285.0
    """
    value = float(value)
    if key == "cost.staff_yen_per_hour":
        return dataclasses.replace(money, staff=dataclasses.replace(money.staff, rate_override=value))
    table, name = key.rsplit(".", 1)
    path = _GROUPS.get(table)
    if path is None:
        raise KeyError(f"{key} is not a money parameter that can be varied")
    varied: MoneyParams = _replace_path(money, path, name, value)
    return varied


def _replace_path(obj: Any, path: tuple[str, ...], name: str, value: float) -> Any:
    if not path:
        current = getattr(obj, name)
        cast: float | int = round(value) if isinstance(current, int) and not isinstance(current, bool) else value
        return dataclasses.replace(obj, **{name: cast})
    head, *rest = path
    return dataclasses.replace(obj, **{head: _replace_path(getattr(obj, head), tuple(rest), name, value)})
