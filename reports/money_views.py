"""View models of the money pages: two effects side by side, lots, staffing plan, ranges, calibration.

Kept apart from :mod:`reports.views` because these pages are new and their
figures all come from :class:`~scoring.result.MoneySummary`: 人工削減 (hours,
FTE) and 財政効果 (yen, with low–high ranges) are formatted here and never
added together.  Templates only lay these dataclasses out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from reports.charts import TornadoLabels, tornado_chart
from reports.format import Quantity, money, number, yen_en, yen_ja
from reports.i18n import Bilingual
from reports.views import FlowRef, Link, PageView, step_anchor
from scoring.result import (
    Assessment,
    BreakEven,
    CalibrationCase,
    ContractedLine,
    Disposition,
    Lot,
    LotItem,
    MoneyLine,
    MoneySummary,
    ProcessAssessment,
    QueuePlan,
    Range,
    RpaScenario,
    StaffCost,
    StepKey,
)
from scoring.staffing import staff_type_label

# --------------------------------------------------------------------------- small formatting


def range_text(value: Range) -> Bilingual:
    """``−2.05億円（−2.85〜−1.19億円）`` / ``−¥205.4M (−¥285.0M to −¥119.4M)``; a point when low = high."""
    if abs(value.high - value.low) < 0.5:
        return Bilingual(yen_ja(value.base), yen_en(value.base))
    return Bilingual(
        f"{yen_ja(value.base)}（{yen_ja(value.low)}〜{yen_ja(value.high)}）",
        f"{yen_en(value.base)} ({yen_en(value.low)} to {yen_en(value.high)})",
    )


def hours_range_text(value: Range, hours_per_fte: float) -> Bilingual:
    """Hours a year with FTE and range."""
    base = f"{value.base:,.0f}"
    fte = value.base / hours_per_fte if hours_per_fte > 0 else 0.0
    if abs(value.high - value.low) < 0.5:
        return Bilingual(f"{base} 時間/年（約 {fte:,.1f} 人工）", f"{base} h/yr (about {fte:,.1f} FTE)")
    return Bilingual(
        f"{base} 時間/年（約 {fte:,.1f} 人工、{value.low:,.0f}〜{value.high:,.0f} 時間）",
        f"{base} h/yr (about {fte:,.1f} FTE; {value.low:,.0f} to {value.high:,.0f} h)",
    )


def months_text(value: float | None, horizon: int) -> Bilingual:
    """Payback in months, or 'not within the horizon'."""
    if value is None:
        return Bilingual(f"{horizon}年以内に回収できない", f"not within {horizon} years")
    return Bilingual(f"{value:,.0f} か月", f"{value:,.0f} months")


_CONFIDENCE = {
    "high": ("高い", "high"),
    "medium": ("中程度", "medium"),
    "low": ("低い（符号が定まらないか、幅が大きい）", "low (sign not settled or range wide)"),
}


def confidence_text(label: str, estimate_share: float) -> Bilingual:
    """Confidence with the share of the variance that rests on estimates."""
    ja, en = _CONFIDENCE.get(label, (label, label))
    return Bilingual(f"確度: {ja}。幅の {estimate_share:.0%} は推定値（[I]）のパラメータによる",
                     f"Confidence: {en}. {estimate_share:.0%} of the spread comes from estimated ([I]) parameters")


def _cell(value: float) -> Quantity:
    return money(value)


def lot_file_name(lot_id: str) -> str:
    """Page of a lot (ids are our own hashes: safe as file names)."""
    return f"{lot_id}.html"


def lot_download_names(lot: Lot) -> tuple[str, str]:
    """(XLSX, Markdown) 仕様書 outline download names of a lot."""
    stem = f"lots/{lot.lot_id}-shiyosho"
    return f"{stem}.xlsx", f"{stem}.md"


# --------------------------------------------------------------------------- shared pieces


@dataclass(frozen=True, slots=True)
class LineRow:
    """One cash-flow line."""

    label: Bilingual
    """What it is."""
    years: tuple[Quantity, ...]
    """Yen per year."""
    total: Quantity
    """Sum over the horizon."""


@dataclass(frozen=True, slots=True)
class CashTable:
    """Cash flow by year."""

    years: tuple[Bilingual, ...]
    """Column heads (年度1 … n)."""
    rows: tuple[LineRow, ...]
    """Lines (posts first)."""
    net: LineRow
    """Net per year."""


def cash_table(lines: Sequence[MoneyLine], horizon: int) -> CashTable:
    """Lines and their net, by year."""
    rows = tuple(
        LineRow(Bilingual(line.ja, line.en), tuple(_cell(v) for v in line.yen_by_year), _cell(line.total))
        for line in lines
    )
    net = [sum(line.yen_by_year[i] for line in lines) for i in range(horizon)]
    return CashTable(
        years=tuple(Bilingual(f"{i}年目", f"Year {i}") for i in range(1, horizon + 1)),
        rows=rows,
        net=LineRow(Bilingual("正味（年度計）", "net per year"), tuple(_cell(v) for v in net), _cell(sum(net))),
    )


@dataclass(frozen=True, slots=True)
class TwoEffects:
    """The headline: 人工削減 and 財政効果, side by side and never added."""

    sentence: Bilingual
    """One sentence for the lead."""
    hours: Bilingual
    """人工削減 with FTE and range."""
    hours_note: Bilingual
    """What the hours are (and are not)."""
    cash: Bilingual
    """財政効果 (NPV) with range."""
    cash_note: Bilingual
    """Horizon, discounting, payback."""
    posts: Bilingual
    """Posts that go and FTE redeployed."""
    candidates: Bilingual
    """What every candidate would give in cash if adopted regardless of cost."""
    confidence: Bilingual
    """How far the figure rests on estimates."""
    withdrawn: int
    """Candidates withdrawn by the cost gate."""
    break_evens: tuple[Bilingual, ...] = ()
    """Where the lots and the robots would break even (shown with the headline when nothing pays)."""


_KINDS = {Disposition.OUTSOURCE: ("委託", "outsourcing"), Disposition.RPA: ("RPA", "RPA")}


def _amount(value: float, unit: str) -> tuple[str, str]:
    english = {"円/時": "/h", "円/年": "/yr"}.get(unit, unit)
    return f"{value:,.0f}{unit}", f"¥{value:,.0f}{english}"


def break_even_text(found: BreakEven) -> Bilingual:
    """One break-even in words: the value and today's, or why there is none in the bracket."""
    kind_ja, kind_en = _KINDS.get(found.kind, (found.kind.value, found.kind.value))
    now_ja, now_en = _amount(found.current, found.unit)
    posts_ja = f"。空く {found.fte_freed:,.1f} 人工のうち丸ごと減るポストは {found.posts_cut}"
    posts_en = f"; of the {found.fte_freed:,.1f} FTE freed, {found.posts_cut} whole posts go"
    if found.value is not None:
        value_ja, value_en = _amount(found.value, found.unit)
        return Bilingual(f"{found.label_ja}: {value_ja}（現在 {now_ja}{posts_ja}）",
                         f"{found.label_en[:1].upper()}{found.label_en[1:]}: {value_en} (today {now_en}{posts_en})")
    low_ja, low_en = _amount(found.lower, found.unit)
    high_ja, high_en = _amount(found.upper, found.unit)
    best = max(found.npv_at_lower, found.npv_at_upper)
    if abs(found.npv_at_upper - found.npv_at_lower) < 1.0:
        return Bilingual(
            f"{found.label_ja}: なし。{kind_ja}で空く時間はどの係・職種でも丸ごとのポストにならず、定数が減らないため、"
            f"この値を {low_ja}〜{high_ja} のどこにしても財政効果は {yen_ja(found.npv_base)} のまま",
            f"{found.label_en[:1].upper()}{found.label_en[1:]}: none. The hours {kind_en} frees never add up to a "
            f"whole post in any unit and staff type, so no post goes and the cash effect stays "
            f"{yen_en(found.npv_base)} anywhere from {low_en} to {high_en}",
        )
    return Bilingual(
        f"{found.label_ja}: {low_ja}〜{high_ja} の範囲にはない（最も良くても {yen_ja(best)}、現在 {now_ja}）",
        f"{found.label_en[:1].upper()}{found.label_en[1:]}: not between {low_en} and {high_en} (at best "
        f"{yen_en(best)}; today {now_en})",
    )


def two_effects(summary: MoneySummary, hours_per_fte: float) -> TwoEffects:
    """The headline figures of the portfolio."""
    horizon = summary.horizon_years
    plan = summary.plan
    cash = range_text(summary.npv_yen)
    if summary.lots or summary.rpa_scenarios:
        adopted = [lot for lot in summary.lots if not lot.withdrawn]
        robots = [s for s in summary.rpa_scenarios if not s.withdrawn]
    else:
        adopted, robots = [], []
    if adopted or robots:
        sentence = Bilingual(
            "人工削減（時間）と財政効果（現金）は別に示します。推奨する"
            f" {len(adopted)} ロットと {len(robots)} 件のRPAで、"
            f"職員の時間が年 {summary.hours_freed_per_year.base:,.0f} 時間空き、定数 {plan.posts_cut} ポストを減らして"
            f"{horizon}年間の財政効果は {cash.ja} です。" + (
                "ただし範囲の下限はマイナスで、前提次第では損失になります（感度分析を参照）。"
                if summary.npv_yen.low < 0 else ""),
            f"Hours and cash are shown apart. The {len(adopted)} recommended lots and {len(robots)} robots free "
            f"{summary.hours_freed_per_year.base:,.0f} staff hours a year; with {plan.posts_cut} posts cut the "
            f"{horizon}-year cash effect is {cash.en}." + (
                " Its range reaches below zero: on other assumptions it is a loss (see the sensitivity chart)."
                if summary.npv_yen.low < 0 else ""),
        )
    else:
        candidate = range_text(summary.candidate_npv_yen)
        sign_ja = "範囲のどの値でもマイナスです" if summary.candidate_npv_yen.high < 0 else "範囲はプラスにも及びます"
        sign_en = ("negative across its whole range" if summary.candidate_npv_yen.high < 0
                   else "its range reaches above zero")
        sentence = Bilingual(
            f"人工削減（時間）と財政効果（現金）は別に示します。現在の前提では、費用面で推奨できるRPA・委託はありません。"
            f"候補をすべて実施すると職員の時間は年 {summary.candidate_hours_freed_per_year:,.0f} 時間"
            f"（{summary.candidate_hours_freed_per_year / hours_per_fte:,.1f} 人工）空きますが、"
            f"{horizon}年間の財政効果は {candidate.ja} で、{sign_ja}。空く時間は配置転換による能力として扱います。",
            f"Hours and cash are shown apart. On the current assumptions no RPA or outsourcing pays. Adopting every "
            f"candidate would free {summary.candidate_hours_freed_per_year:,.0f} staff hours a year "
            f"({summary.candidate_hours_freed_per_year / hours_per_fte:,.1f} FTE), but its {horizon}-year cash effect "
            f"is {candidate.en}, {sign_en}; the hours count as capacity for redeployment.",
        )
    return TwoEffects(
        sentence=sentence,
        hours=hours_range_text(summary.hours_freed_per_year, hours_per_fte),
        hours_note=Bilingual("人工削減: 推奨するRPA・委託で空く職員の処理時間（現金ではない）",
                             "Hours freed by the recommended RPA and outsourcing (not cash)"),
        cash=cash,
        cash_note=Bilingual(
            f"財政効果: {horizon}年間の正味現在価値（割引率 {summary.discount_rate:.1%}）、回収 "
            f"{months_text(summary.payback_months, horizon).ja}",
            f"Cash effect: {horizon}-year net present value (discount rate {summary.discount_rate:.1%}), payback "
            f"{months_text(summary.payback_months, horizon).en}",
        ),
        posts=Bilingual(f"定数削減 {plan.posts_cut} ポスト・配置転換 {plan.redeployed_fte:,.1f} 人工",
                        f"{plan.posts_cut} posts cut, {plan.redeployed_fte:,.1f} FTE redeployed"),
        candidates=Bilingual(
            f"候補をすべて実施した場合: {range_text(summary.candidate_npv_yen).ja}（年 "
            f"{summary.candidate_hours_freed_per_year:,.0f} 時間）",
            f"If every candidate were adopted: {range_text(summary.candidate_npv_yen).en} "
            f"({summary.candidate_hours_freed_per_year:,.0f} h a year)",
        ),
        confidence=confidence_text(summary.confidence, summary.estimate_share),
        withdrawn=summary.withdrawn_steps,
        break_evens=tuple(break_even_text(b) for b in summary.break_evens),
    )


# --------------------------------------------------------------------------- money page


@dataclass(frozen=True, slots=True)
class ComponentRow:
    """One line of a full-cost build-up."""

    label: Bilingual
    """Component."""
    amount: Quantity
    """Yen per FTE a year."""
    basis: str
    """Arithmetic."""
    source: str
    """Profile keys."""
    cash_share: str
    """Share saved in cash when a post goes."""


@dataclass(frozen=True, slots=True)
class StaffCostView:
    """Full cost of one 職種."""

    label: Bilingual
    """職種."""
    rows: tuple[ComponentRow, ...]
    """Build-up."""
    full: Quantity
    """Full cost per FTE."""
    cash: Quantity
    """Cash saved per FTE of posts cut."""
    per_hour: Quantity
    """Full cost per hour."""
    post_fte: str
    """FTE per post."""
    override: bool
    """Single-rate override in force."""


@dataclass(frozen=True, slots=True)
class PostRowView:
    """A row of the staffing plan."""

    section: str
    """課."""
    unit: str
    """係."""
    staff_type: Bilingual
    """職種."""
    fte_freed: Quantity
    """FTE freed."""
    onsite: Quantity
    """Kept on site."""
    redeploy_kept: Quantity
    """Kept by the redeployment policy."""
    posts: Quantity
    """Posts cut."""
    years: str
    """Year each post goes."""
    redeployed: Quantity
    """Redeployed FTE."""
    cash_per_post: Quantity
    """Cash a year per post."""


@dataclass(frozen=True, slots=True)
class LotSummaryView:
    """A lot in the list."""

    link: Link
    """Its page."""
    withdrawn: bool
    """「費用面で推奨しない」."""
    items: int
    """Steps."""
    peak_seats: Quantity
    """Most seats in any band."""
    fee: Quantity
    """A full year's price."""
    npv: Bilingual
    """NPV with range."""


@dataclass(frozen=True, slots=True)
class ScenarioView:
    """An RPA scenario."""

    name: str
    """Step name."""
    href: str
    """Step on its flow page."""
    flow: str
    """Flow."""
    deployment: str
    """Segment."""
    input_form: Bilingual
    """Input type."""
    reduction: str
    """Reduction share."""
    check_hours: Quantity
    """AI-OCR checking hours kept by staff."""
    hours_freed: Quantity
    """人工削減."""
    plan: Bilingual
    """Now, or after the cutover."""
    npv: Bilingual
    """NPV with range."""
    withdrawn: bool
    """Withdrawn."""


@dataclass(frozen=True, slots=True)
class DeploymentView:
    """Robots of one segment."""

    segment: Bilingual
    """Network segment."""
    robots: int
    """Robots (= licences)."""
    scenarios: int
    """Scenarios."""
    run_hours: Quantity
    """Run hours a year."""
    ocr: bool
    """AI-OCR service needed."""
    feasible: bool
    """Allowed by the profile."""


@dataclass(frozen=True, slots=True)
class MoneyPage:
    """財政効果: everything behind the cash figure."""

    page: PageView
    """Basics."""
    effects: TwoEffects
    """Headline."""
    staff_costs: tuple[StaffCostView, ...]
    """Full cost per 職種."""
    plan_rows: tuple[PostRowView, ...]
    """Staffing plan."""
    plan_title: Bilingual
    """Which plan is shown (recommended, or every candidate when nothing is recommended)."""
    plan_totals: Bilingual
    """Totals line of the plan."""
    rounding_rule: Bilingual
    """The rounding rule."""
    assumptions: tuple[Bilingual, ...]
    """What was assumed."""
    cash: CashTable
    """Portfolio cash flow."""
    tornado: Markup
    """Tornado chart (our own SVG)."""
    tornado_note: Bilingual
    """What the tornado varies."""
    lots: tuple[LotSummaryView, ...]
    """Lots."""
    scenarios: tuple[ScenarioView, ...]
    """RPA scenarios."""
    deployments: tuple[DeploymentView, ...]
    """Robots per segment."""
    has_money: bool
    """False when the scoring ran without the money stage."""
    contracted: tuple[ContractedRowView, ...] = ()
    """Work a contractor already does, one row per flow (委託済み): today's cost, unchanged by the plan."""


@dataclass(frozen=True, slots=True)
class ContractedRowView:
    """One flow's existing contract on the money page."""

    flow: str
    """Process name."""
    steps: str
    """The contracted steps, joined."""
    hours: Quantity
    """Contractor hours a year."""
    price: Bilingual
    """Price per contractor hour, or 要設定."""
    cost: Bilingual
    """Today's contract cost a year, or 要設定 (never 0, never a staff cost)."""
    questioned: str
    """Steps the legal gate questions (要確認), joined; empty when none."""


_UNSET = Bilingual("要設定（outsource.existing_yen_per_hour）", "not set (outsource.existing_yen_per_hour)")


def contracted_row(line: ContractedLine) -> ContractedRowView:
    """A flow's existing contract: hours, price and cost, 要設定 where the profile gives no price.

    >>> from scoring.result import ContractedLine
    >>> row = contracted_row(ContractedLine("郵送請求", "yuso.bpmn", ("開封",), 600.0, None))
    >>> row.cost.ja, row.hours.text.ja
    ('要設定（outsource.existing_yen_per_hour）', '600')
    """
    cost = line.yen_per_year
    return ContractedRowView(
        flow=line.flow_name, steps="、".join(line.steps), hours=number(line.hours_per_year),
        price=_UNSET if line.yen_per_hour is None else Bilingual(f"{line.yen_per_hour:,.0f}円/時",
                                                                   f"¥{line.yen_per_hour:,.0f}/h"),
        cost=_UNSET if cost is None else money(cost).text,
        questioned="、".join(line.questioned_steps),
    )


_FORMS = {"paper": ("紙", "paper"), "digital": ("電子", "digital"), "mixed": ("混在", "mixed")}
_SEGMENTS = {"mynumber": ("マイナンバー利用事務系", "マイナンバー segment"), "lgwan": ("LGWAN接続系", "LGWAN segment")}


def _staff_cost_view(cost: StaffCost) -> StaffCostView:
    ja, en = staff_type_label(cost.staff_type)
    return StaffCostView(
        label=Bilingual(ja, en),
        rows=tuple(ComponentRow(Bilingual(c.ja, c.en), _cell(c.yen_per_fte), c.basis, c.source, f"{c.cash_share:.0%}")
                   for c in cost.components),
        full=_cell(cost.full_yen_per_fte), cash=_cell(cost.cash_yen_per_fte),
        per_hour=Quantity(Bilingual(f"{cost.yen_per_hour:,.0f}円/時", f"¥{cost.yen_per_hour:,.0f}/h"),
                          f"{cost.yen_per_hour:.2f}"),
        post_fte=f"{cost.post_fte:g}", override=cost.override,
    )


def _step_href(refs: Mapping[tuple[str, str], FlowRef], key: StepKey) -> str:
    ref = refs.get((key.file, str(key.process_id)))
    return f"{ref.file_name}#{step_anchor(key.step_id)}" if ref else "#"


def tornado_svg(summary: MoneySummary, limit: int = 12) -> Markup:
    """The tornado chart of the parameters that move the headline NPV most."""
    bars = summary.tornado[:limit]
    base = summary.npv_yen.base if (any(not lot.withdrawn for lot in summary.lots)
                                    or any(not s.withdrawn for s in summary.rpa_scenarios)) \
        else summary.candidate_npv_yen.base
    labels = TornadoLabels(
        title=Bilingual("財政効果を最も動かすパラメータ", "Parameters that move the cash effect most"),
        axis=Bilingual(f"{summary.horizon_years}年間の正味現在価値", f"{summary.horizon_years}-year NPV"),
        low=Bilingual("低い値", "low value"), high=Bilingual("高い値", "high value"),
        estimated=Bilingual("* = 推定値（[I]）", "* = estim"
            "ate ([I])"), empty=Bilingual("幅のあるパラメータはありません", "No ranged "
            "parameters"),
    )
    return Markup(tornado_chart(bars, base, labels))  # Markup: our own SVG, built with ElementTree


def money_page(assessment: Assessment, refs: Mapping[tuple[str, str], FlowRef], hours_per_fte: float) -> MoneyPage:
    """The 財政効果 page."""
    page = PageView("money", "money.html", Bilingual("財政効果と人工削減", "Cash effect and hours freed"))
    summary = assessment.money
    if summary is None:
        empty = Bilingual("—", "—")
        no_cash = CashTable((), (), LineRow(empty, (), Quantity(empty, "")))
        return MoneyPage(page, TwoEffects(empty, empty, empty, empty, empty, empty, empty, empty, 0), (), (), empty,
                         empty, empty, (), no_cash, Markup(""), empty, (), (), (), False)
    horizon = summary.horizon_years
    on_cost = any(not lot.withdrawn for lot in summary.lots) or any(not s.withdrawn for s in summary.rpa_scenarios)
    plan = summary.plan if on_cost or summary.candidate_plan is None else summary.candidate_plan
    rows = tuple(
        PostRowView(
            r.section, r.unit or "—", Bilingual(*staff_type_label(r.staff_type)), number(r.fte_freed, 2),
            number(r.onsite_kept_fte, 2), number(r.redeploy_kept_fte, 2), number(r.posts_cut),
            "、".join(f"{y}年目 {n}人" for y, n in r.cuts_by_year) or "—", number(r.redeployed_fte, 2),
            _cell(r.cash_yen_per_post_year),
        )
        for r in plan.rows
    )
    note = Bilingual(
        "各パラメータを低い値・高い値に1つずつ動かしたときの正味現在価値。"
        + ("推奨するRPA・委託の計画について。" if on_cost else "推奨できる施策がないため、候補"
            "をすべて実施した場合について。"),
        "NPV with each parameter at its low and its high, one at a time, "
        + ("for the recommended plan." if on_cost else "for every candidate (nothing is recommended on cost)."),
    )
    return MoneyPage(
        page=page,
        effects=two_effects(summary, hours_per_fte),
        staff_costs=tuple(_staff_cost_view(c) for c in summary.staff_costs),
        plan_rows=rows,
        plan_title=Bilingual("定数の計画（課・係・職種別）", "Staffing plan (by secti"
            "on, unit and staff type)") if on_cost
        else Bilingual("定数の計画: 候補をすべて実施した場合（推奨する計画には含まれません）",
                       "Staffing plan if every candidate were adopted (not part of the recommended plan)"),
        plan_totals=Bilingual(
            f"合計: 解放 {plan.fte_freed:,.2f} 人工 → 定数削減 {plan.posts_cut}"
            f" ポスト、配置転換 {plan.redeployed_fte:,.2f} 人工",
            f"Total: {plan.fte_freed:,.2f} FTE freed → {plan.posts_cut}"
            f" posts cut, {plan.redeployed_fte:,.2f} FTE redeployed",
        ),
        rounding_rule=Bilingual(plan.rounding_rule.ja, plan.rounding_rule.en),
        assumptions=tuple(Bilingual(a.ja, a.en) for a in summary.assumptions),
        cash=cash_table(summary.lines, horizon),
        tornado=tornado_svg(summary),
        tornado_note=note,
        lots=tuple(_lot_summary(lot) for lot in summary.lots),
        contracted=tuple(contracted_row(line) for line in summary.contracted),
        scenarios=tuple(_scenario_view(s, refs) for s in summary.rpa_scenarios),
        deployments=tuple(
            DeploymentView(Bilingual(*_SEGMENTS.get(d.segment, (d.segment, d.segment))), d.robots, len(d.scenarios),
                           number(d.robot_hours_per_year), d.ocr, d.feasible)
            for d in summary.rpa_deployments
        ),
        has_money=True,
    )


def _lot_summary(lot: Lot) -> LotSummaryView:
    fee = -sum(line.yen_by_year[0] for line in lot.fee_lines)
    return LotSummaryView(Link(lot_file_name(lot.lot_id), lot.name), lot.withdrawn, len(lot.items),
                          number(max((q.peak_seats for q in lot.queues), default=0)), _cell(fee),
                          range_text(lot.npv_yen))


def _scenario_view(scenario: RpaScenario, refs: Mapping[tuple[str, str], FlowRef]) -> ScenarioView:
    segment = scenario.deployment_id.removeprefix("rpa-")
    return ScenarioView(
        name=scenario.name, href=_step_href(refs, scenario.step), flow=scenario.flow_name,
        deployment=_SEGMENTS.get(segment, (segment, segment))[0],
        input_form=Bilingual(*_FORMS.get(scenario.input_form, (scenario.input_form, scenario.input_form))),
        reduction=f"{scenario.reduction_share:.0%}", check_hours=number(scenario.check_hours_per_year),
        hours_freed=number(scenario.hours_freed_per_year),
        plan=Bilingual("標準準拠システム移行後に着手", "build after the cutover") if scenario.plan == "wait"
        else Bilingual("今年度に着手" + ("（移行時に作り直し）" if scenario.migrates else ""),
                       "build now" + (" (rebuild at the cutover)" if scenario.migrates else "")),
        npv=range_text(scenario.npv_yen), withdrawn=bool(scenario.withdrawn),
    )


# --------------------------------------------------------------------------- lot page


@dataclass(frozen=True, slots=True)
class LotItemView:
    """A row of the lot's 業務一覧."""

    name: str
    """Step."""
    href: str
    """Step on its flow page."""
    flow: str
    """Flow."""
    lane: str
    """Lane."""
    kind: Bilingual
    """Counter or back office."""
    annual_count: Quantity
    """Executions a year."""
    minutes: Quantity
    """Minutes each."""
    hours: Quantity
    """Hours a year."""
    entrustable: Bilingual
    """委託可否 (from the legal verdict)."""
    basis: Bilingual
    """根拠通知 with list item and conditions, or the legal evidence that keeps the step with staff."""
    assigned: Bilingual
    """Who does it under the plan (受託者, 職員, 職員（要確認）, RPA …)."""
    handoffs: str
    """Hand-off points with staff."""


@dataclass(frozen=True, slots=True)
class SeatRow:
    """Seats of one opening hour."""

    hour: str
    """``9:00–10:00``."""
    seats: tuple[int, ...]
    """Normal month normal day, normal month busy day, peak month normal day, peak month busy day."""
    arrivals: tuple[str, ...]
    """Arrivals per hour in the same columns."""


@dataclass(frozen=True, slots=True)
class QueueView:
    """One counter of the lot."""

    name: str
    """Counter."""
    flows: str
    """Flows queueing here."""
    arrivals: Quantity
    """Residents a year."""
    handling: Quantity
    """Minutes per resident."""
    target: Bilingual
    """Service target."""
    rows: tuple[SeatRow, ...]
    """Seats by hour."""
    seat_hours: Quantity
    """Seat-hours a year."""
    processing: Quantity
    """Handling hours a year."""
    peak_seats: int
    """Most seats."""


@dataclass(frozen=True, slots=True)
class LotPage:
    """One contract lot."""

    page: PageView
    """Basics."""
    name: str
    """Lot name."""
    withdrawn: bool
    """「費用面で推奨しない」."""
    npv: Bilingual
    """NPV with range."""
    payback: Bilingual
    """Payback."""
    facts: tuple[tuple[Bilingual, Bilingual], ...]
    """Key figures (label, value)."""
    items: tuple[LotItemView, ...]
    """業務一覧."""
    staff_items: tuple[LotItemView, ...]
    """The other steps of the lot's flows: what staff (or the city's robots and systems) keep, and why."""
    bases: tuple[Bilingual, ...]
    """The distinct 根拠通知 (with their conditions) the lot's items rest on."""
    queues: tuple[QueueView, ...]
    """Counters and seats."""
    fee: CashTable
    """A full year's price build-up."""
    startup: CashTable
    """Start-up."""
    cash: CashTable
    """Cash flow by year."""
    downloads: tuple[tuple[str, str], ...]
    """(label, href) of the 仕様書 outline."""


def _handoff_text(process: ProcessAssessment | None, key: StepKey) -> str:
    if process is None or process.handoffs is None:
        return "—"
    names = {s.step_id: s.name for s in process.steps}
    found = [
        f"{names.get(c.from_id, c.from_id)} → {names.get(c.to_id, c.to_id)}"
        f"（{'受託者→職員' if c.direction.value == 'to-staff' else '職員→受託者'}、{c.per_case:.2f} 回/件）"
        for c in process.handoffs.crossings
        if key.step_id in (c.from_id, c.to_id)
    ]
    return "; ".join(found) or "—"


def _item_view(item: LotItem, refs: Mapping[tuple[str, str], FlowRef], handoffs: str) -> LotItemView:
    return LotItemView(
        name=item.name, href=_step_href(refs, item.step), flow=item.flow_name, lane=item.lane or "—",
        kind=Bilingual("窓口", "counter") if item.counter else Bilingual("後方", "back office"),
        annual_count=number(item.annual_count), minutes=number(item.minutes_per_case, 1),
        hours=number(item.hours_per_year), entrustable=Bilingual(item.entrustable_ja, item.entrustable_en),
        basis=Bilingual(item.basis_ja, item.basis_en), assigned=Bilingual(item.assigned_ja, item.assigned_en),
        handoffs=handoffs,
    )


def lot_page(lot: Lot, assessment: Assessment, refs: Mapping[tuple[str, str], FlowRef], horizon: int) -> LotPage:
    """The page of one lot: 委託可否 and 根拠通知 of every row come from the legal verdict (scoring.legal)."""
    processes = {(p.file, str(p.process_id)): p for p in assessment.processes}

    def handoffs(item: LotItem) -> str:
        if lot.withdrawn:
            return "—"
        return _handoff_text(processes.get((item.step.file, str(item.step.process_id))), item.step)

    items = tuple(_item_view(item, refs, handoffs(item)) for item in lot.items)
    staff_items = tuple(_item_view(item, refs, handoffs(item)) for item in lot.staff_items)
    bases = tuple(dict.fromkeys(Bilingual(item.basis_ja, item.basis_en) for item in lot.items))
    start = lot.service_start_month
    facts = (
        (Bilingual("契約期間", "term"), Bilingual(f"{lot.contract_years:g}年", f"{lot.contract_years:g} years")),
        (Bilingual("業務開始", "service starts"),
         Bilingual(f"{start // 12 + 1}年目の{(start % 12 + 3) % 12 + 1}月", f"year {start // 12 + 1}, month "
                   f"{(start % 12 + 3) % 12 + 1}")),
        (Bilingual("受託者の勤務時間（年）", "contractor staff-hours a year"),
         Bilingual(f"{lot.contractor_hours_per_year:,.0f} 時間", f"{lot.contractor_hours_per_year:,.0f} h")),
        (Bilingual("業務責任者", "contractor's manager"), Bilingual(f"{lot.manager_fte:,.2f}"
            " 人", f"{lot.manager_fte:,.2f}"
            " FTE")),
        (Bilingual("現場に残す職員", "staff kept on site"),
         Bilingual(f"{lot.onsite_post_fte:g} 人（根拠通知の条件による）",
                   f"{lot.onsite_post_fte:g} FTE (as the notices' conditions require)")),
        (Bilingual("後方業務（年）", "back-office work a year"),
         Bilingual(f"{lot.backoffice_hours_per_year:,.0f} 時間", f"{lot.backoffice_hours_per_year:,.0f} h")),
        (Bilingual("職員に戻るとみなす窓口の待機時間（年）", "counter idle time taken as freed a year"),
         Bilingual(f"{lot.idle_freed_hours:,.0f} 時間", f"{lot.idle_freed_hours:,.0f} h")),
        (Bilingual("立上げの職員作業（時間外）", "start-up staff hours (overtime)"),
         Bilingual(f"{lot.startup_hours:,.0f} 時間", f"{lot.startup_hours:,.0f} h")),
    )
    xlsx, markdown = lot_download_names(lot)
    return LotPage(
        page=PageView("lot", lot_file_name(lot.lot_id), Bilingual(lot.name, lot.name)),
        name=lot.name, withdrawn=lot.withdrawn, npv=range_text(lot.npv_yen),
        payback=months_text(lot.payback_months, horizon), facts=facts, items=items, staff_items=staff_items,
        bases=bases,
        queues=tuple(_queue_view(q) for q in lot.queues),
        fee=cash_table(lot.fee_lines, 1), startup=cash_table(lot.startup_lines, 1), cash=cash_table(lot.lines, horizon),
        downloads=(("仕様書骨子 XLSX / spec outline XLSX", f"downloads/{xlsx}"),
                   ("仕様書骨子 Markdown / spec outline Markdown", f"downloads/{markdown}")),
    )


_COLUMNS = (("normal", "normal"), ("normal", "busy"), ("peak", "normal"), ("peak", "busy"))


def _queue_view(queue: QueuePlan) -> QueueView:
    by = {(b.month_kind, b.day_kind, b.hour): b for b in queue.bands}
    hours = sorted({b.hour for b in queue.bands})
    rows = tuple(
        SeatRow(
            f"{hour}:00–{hour + 1}:00",
            tuple(by[(m, d, hour)].seats if (m, d, hour) in by else 0 for m, d in _COLUMNS),
            tuple(f"{by[(m, d, hour)].arrivals_per_hour:,.1f}" if (m, d, hour) in by else "—" for m, d in _COLUMNS),
        )
        for hour in hours
    )
    return QueueView(
        name=queue.name, flows="、".join(queue.flows), arrivals=number(queue.annual_arrivals),
        handling=number(queue.handling_minutes, 2),
        target=Bilingual(
            f"{queue.service_level:.0%} を {queue.target_wait_minutes:g}"
            f" 分以内（3〜4月は {queue.peak_target_wait_minutes:g} 分）",
            f"{queue.service_level:.0%} within {queue.target_wait_minutes:g}"
            f" min ({queue.peak_target_wait_minutes:g} min "
            "in March–April)",
        ),
        rows=rows, seat_hours=number(queue.seat_hours_per_year), processing=number(queue.processing_hours_per_year),
        peak_seats=queue.peak_seats,
    )


# --------------------------------------------------------------------------- calibration


@dataclass(frozen=True, slots=True)
class CalibrationView:
    """One seed case."""

    title: Bilingual
    """Case."""
    inputs: tuple[tuple[str, str, str], ...]
    """(input, value, source)."""
    measure: Bilingual
    """What is compared."""
    seed: Bilingual
    """The seed's finding."""
    model: Bilingual
    """The model's figure with range."""
    extra: tuple[tuple[Bilingual, Bilingual], ...]
    """Further figures."""
    reproduced: bool
    """Whether the seed is reproduced."""
    note: Bilingual
    """How to read it."""


@dataclass(frozen=True, slots=True)
class CalibrationPage:
    """The calibration page."""

    page: PageView
    """Basics."""
    cases: tuple[CalibrationView, ...]
    """Seed cases."""


def _measure_text(value: Range, unit: str) -> Bilingual:
    if unit == "share":
        return Bilingual(f"{value.base:.1%}（{value.low:.1%}〜{value.high:.1%}）",
                         f"{value.base:.1%} ({value.low:.1%} to {value.high:.1%})")
    return range_text(value)


def calibration_page(cases: Sequence[CalibrationCase]) -> CalibrationPage:
    """The seed cases reproduced with the profile."""
    return CalibrationPage(
        page=PageView("calibration", "calibration.html", Bilingual("較正（先行事例の再現）", "Calibration aga"
            "inst seed cases")),
        cases=tuple(
            CalibrationView(
                title=Bilingual(c.ja, c.en), inputs=c.inputs, measure=Bilingual(c.measure_ja, c.measure_en),
                seed=Bilingual(c.seed_ja, c.seed_en), model=_measure_text(c.model, c.unit),
                extra=tuple((Bilingual(ja, en), _measure_text(value, c.unit)) for ja, en, value in c.extra),
                reproduced=c.reproduced, note=Bilingual(c.note_ja, c.note_en),
            )
            for c in cases
        ),
    )


__all__ = [
    "CalibrationPage", "LotPage", "MoneyPage", "TwoEffects", "calibration_page", "lot_download_names",
    "lot_file_name", "lot_page", "money_page", "range_text", "staff_type_label", "two_effects",
]
