"""The money stage: after classification, turn candidates into posts, lots, robots and cash.

It runs once per assessment, after every step is classified and before the
flows are summed, and is a pure function of the steps' facts and the
profile:

1. the cost gate (:mod:`scoring.gate`) withdraws candidates that lose money
   or cannot run, worst first — it never adds one;
2. the adopted plan is priced (:func:`scoring.cashflow.evaluate`) and every
   ranged parameter is varied to its low and high
   (:func:`scoring.cashflow.sensitivity`);
3. the results are written into the report's dataclasses: per step (hours
   and cash kept apart, evidence-citing reasons, rank by net cash effect and
   the separate capacity rank), per flow and for the portfolio.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bpm.collector import collector_paused
from bpm.model import ProcessId
from scoring.breakeven import break_evens
from scoring.calibration import calibrate
from scoring.cashflow import (
    Cache,
    Evaluation,
    Plan,
    Sensitivity,
    UnitCash,
    confidence,
    evaluate,
    money_lines,
    npv,
    payback_month,
    range_of,
    sensitivity,
    yearly,
)
from scoring.cost import MoneyStep
from scoring.explain import cash_reason, compose, decided_reason, outsource_reasons, rpa_reasons, staff_reasons
from scoring.gate import GateResult, cost_gate, withdrawn_reason
from scoring.lots import LotYear, lot_item, lot_items
from scoring.money_params import MoneyParams
from scoring.profile import Profile, Thresholds
from scoring.result import (
    ContractedLine,
    Disposition,
    EvidenceSource,
    FlowMoney,
    Lot,
    LotItem,
    MoneyLine,
    MoneySummary,
    Range,
    Reason,
    RpaDeployment,
    RpaScenario,
    StaffingPlan,
    StaffType,
    StepCost,
    StepKey,
    StepMoney,
    StepOrg,
)
from scoring.rpa import DeploymentDraft, ScenarioDraft, placement, scenario_id

FlowKey = tuple[str, ProcessId]

RULE_TITLES = {
    "money-failed": ("財政効果を計算できない（件数・処理時間を確認）",
                     "The cash effect cannot be computed (check the counts and minutes)"),
}
"""Rule ids of the money stage's findings with their titles (ja, en), for the report."""

_ONE_OFF = ("start-up", "re-tender", "build", "rebuild", "terminal")


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What the money stage decides for one step."""

    disposition: Disposition
    """RETAIN when the gate withdrew the candidate, else unchanged."""
    reasons: tuple[Reason, ...]
    """Reasons with the generic ones replaced by evidence-citing ones."""
    cost: StepCost
    """Hours (fact) and the step's attributed cash."""
    money: StepMoney
    """Both effects, kept apart."""
    rank: int | None
    """Rank by net cash effect (NPV) among adopted steps that pay; None otherwise."""
    org: StepOrg
    """課, 係 and 職種 mix the posts were counted from."""


@dataclass(frozen=True, slots=True)
class MoneyOutcome:
    """The money stage's result."""

    steps: Mapping[StepKey, StepOutcome]
    """Per step."""
    flows: Mapping[FlowKey, FlowMoney]
    """Per flow."""
    summary: MoneySummary
    """The portfolio."""


def money_stage(steps: Sequence[MoneyStep], profile: Profile) -> MoneyOutcome:
    """Gate, price and explain the candidates of a run.

    Every RPA or outsourcing candidate must be one its legal verdict permits
    (the legal gate ran first); anything else is refused with a ValueError,
    never priced.

    The cyclic collector is paused while it runs: the stage makes and drops
    millions of small objects without reference cycles (contributions, drafts,
    units, memo keys), and with the collector on, each full collection walked
    everything the stage had made so far — a fifth of its CPU at 300 flows,
    growing faster than the portfolio.  Reference counts free it all as usual.
    """
    with collector_paused():
        return _money_stage(steps, profile)


def _money_stage(steps: Sequence[MoneyStep], profile: Profile) -> MoneyOutcome:
    """:func:`money_stage` with the collector as the caller left it."""
    money = profile.money
    assert money is not None, "the profile always builds its money parameters"
    _refuse_unpermitted(steps)
    cache: Cache = {}
    gate = cost_gate(steps, money, cache)
    final = evaluate(steps, gate.plan, money, cache)
    headline = sensitivity(steps, gate.plan, final, profile.estimates, cache)
    candidates = evaluate(steps, gate.candidates, money, cache)
    # Withdrawn units and steps get their range from the candidate plan's swings (shifted to their own base).
    spread: Sensitivity | None = None
    if gate.withdrawn or not final.units:
        spread = sensitivity(steps, gate.candidates, candidates, profile.estimates, cache)
        candidate_range = spread.portfolio
    else:
        candidate_range = _point(candidates.npv())
    tornado_source = headline if final.units or spread is None else spread
    names = _unit_names(final, gate)
    outcomes = _step_outcomes(steps, gate, final, headline, names, money, spread, profile.thresholds)
    flows = _flows(steps, outcomes, final, headline)
    months = 12 * money.cashflow.horizon_years
    portfolio = final.portfolio()
    summary = MoneySummary(
        horizon_years=money.cashflow.horizon_years,
        transition_year=money.cashflow.transition_year,
        discount_rate=money.cashflow.discount_rate,
        staff_costs=tuple(final.costs[t] for t in StaffType),
        plan=_plan_with_assumptions(final, steps, money),
        lots=_lots(final, gate, headline, money, spread, steps),
        rpa_scenarios=_scenarios(final, gate, headline, money, spread),
        rpa_deployments=_deployments(final if final.deployments else candidates, gate, money),
        lines=money_lines(final.units.values(), months),
        npv_yen=headline.portfolio,
        payback_months=payback_month(portfolio) if final.units else None,
        hours_freed_per_year=headline.hours,
        fte_freed=final.hours_freed / money.hours_per_fte,
        candidate_npv_yen=candidate_range,
        candidate_hours_freed_per_year=candidates.hours_freed,
        tornado=tornado_source.tornado,
        estimate_share=tornado_source.estimate_share,
        confidence=confidence(headline.portfolio if final.units else candidate_range, tornado_source.estimate_share),
        assumptions=assumptions(steps, money),
        withdrawn_steps=len(gate.withdrawn),
        calibration=calibrate(profile),
        hours_per_fte=money.hours_per_fte,
        candidate_plan=_plan_with_assumptions(candidates, steps, money),
        break_evens=break_evens(steps, gate.candidates, money, cache),
        contracted=contracted_lines(steps, money),
    )
    return MoneyOutcome(outcomes, flows, summary)


def contracted_lines(steps: Sequence[MoneyStep], money: MoneyParams) -> tuple[ContractedLine, ...]:
    """One line per flow for the work a contractor already does: hours and today's contract cost.

    The existing contract runs on under the plan, so it is today's cost and
    the plan's alike and does not enter the NPV; it is shown so that a 課長
    sees the whole cost of the work.  Without a price in the profile the cost
    is None (要設定), never 0 and never a staff cost.
    """
    price = money.outsource.existing_yen_per_hour or None
    grouped: dict[tuple[str, str], list[MoneyStep]] = defaultdict(list)
    for step in steps:
        if step.contracted:
            grouped[(step.key.file, step.flow_name)].append(step)
    return tuple(
        ContractedLine(
            flow_name=flow, file=file, steps=tuple(s.name for s in members),
            hours_per_year=sum(s.hours_per_year for s in members), yen_per_hour=price,
            questioned_steps=tuple(s.name for s in members if s.candidate is not Disposition.CONTRACTED),
        )
        for (file, flow), members in sorted(grouped.items())
    )


# --------------------------------------------------------------------------- steps


def _unit_names(final: Evaluation, gate: GateResult) -> dict[str, str]:
    names = {lot.draft.lot_id: lot.draft.name for lot in final.lots}
    names.update({s.scenario_id: f"RPAシナリオ「{s.step.name}」" for s in final.scenarios})
    for snapshot in gate.snapshots.values():
        names.update({lot.draft.lot_id: lot.draft.name for lot in snapshot.lots if lot.draft.lot_id not in names})
        names.update({s.scenario_id: f"RPAシナリオ「{s.step.name}」" for s in snapshot.scenarios
                      if s.scenario_id not in names})
    return names


def _attributed(unit: UnitCash, key: StepKey, months: int) -> tuple[np.ndarray, np.ndarray]:
    """(running costs, one-off costs) of a unit carried by one step, monthly (negative)."""
    weight = unit.weights.get(key, 0.0)
    running = np.zeros(months)
    one_off = np.zeros(months)
    for line, amounts in unit.lines.items():
        if line in _ONE_OFF:
            one_off = one_off + amounts * weight
        else:
            running = running + amounts * weight
    return running, one_off


def _shifted(value: float, swings: Range | None) -> Range:
    """A withdrawn unit's figure with the candidate plan's swings around it."""
    if swings is None:
        return _point(value)
    return Range(value + swings.low - swings.base, value, value + swings.high - swings.base)


def _step_outcomes(
    steps: Sequence[MoneyStep], gate: GateResult, final: Evaluation, headline: Sensitivity,
    names: Mapping[str, str], money: MoneyParams, spread: Sensitivity | None, thresholds: Thresholds,
) -> dict[StepKey, StepOutcome]:
    months = 12 * money.cashflow.horizon_years
    years = money.cashflow.horizon_years
    by_flow: dict[tuple[str, str], list[MoneyStep]] = defaultdict(list)
    for step in steps:
        by_flow[(step.key.file, str(step.key.process_id))].append(step)
    capacity_of = {s.key: _capacity(s, money) for s in steps}
    capacity_rank = _ranks({k: v for k, v in capacity_of.items() if v > 0})
    npv_of = final.step_npvs()
    cash_rank = _ranks({k: v for k, v in npv_of.items() if v > 0.5})
    out: dict[StepKey, StepOutcome] = {}
    for step in steps:
        key = step.key
        unit_id = final.step_unit.get(key, "")
        adopted = key in final.step_net
        withdrawal = gate.withdrawn.get(key)
        freed = _hours_freed(step, money) if adopted else 0.0
        cost_mix = sum(final.costs[t].yen_per_hour * share for t, share in step.org.mix.items())
        reasons = list(_evidence_reasons(step, by_flow[(key.file, str(key.process_id))], unit_id or
                                         (withdrawal.unit_id if withdrawal else ""), names, money, thresholds))
        if adopted:
            net = final.step_net[key]
            unit = final.units[unit_id]
            running, one_off = _attributed(unit, key, months)
            step_range = headline.steps.get(key, Range(npv_of[key], npv_of[key], npv_of[key]))
            reasons.append(cash_reason(step_range.low, step_range.base, step_range.high, names.get(unit_id, unit_id),
                                       years))
            by_year = yearly(net)
            cost = StepCost(
                hours_per_year=step.hours_per_year, fte=step.hours_per_year / money.hours_per_fte,
                yen_per_year=step.hours_per_year * cost_mix, hours_freed_per_year=freed,
                new_cost_yen_per_year=-yearly(running)[-1], saving_yen_per_year=by_year[-1],
                one_off_yen=-float(one_off.sum()), payback_months=payback_month(unit.net()),
                net_5y_yen=float(net.sum()),
            )
            step_money = StepMoney(freed, freed / money.hours_per_fte, capacity_of[key], capacity_rank.get(key),
                                   unit_id, step_range, by_year, cost.payback_months, step.candidate, "",
                                   *_io(step, money))
            disposition = step.candidate
        else:
            withdrawn_hours = _hours_freed(step, money) if step.is_candidate else 0.0
            value = withdrawal.step_npv if withdrawal else 0.0
            if withdrawal is not None:
                reasons.append(withdrawn_reason(withdrawal, withdrawn_hours, names.get(withdrawal.unit_id,
                                                withdrawal.unit_id), years, step))
            cost = StepCost(step.hours_per_year, step.hours_per_year / money.hours_per_fte,
                            step.hours_per_year * cost_mix, 0.0, 0.0, 0.0, 0.0, None, 0.0)
            swings = spread.steps.get(key) if spread is not None and withdrawal is not None else None
            step_money = StepMoney(0.0, 0.0, capacity_of[key], capacity_rank.get(key),
                                   withdrawal.unit_id if withdrawal else "", _shifted(value, swings), (), None,
                                   step.candidate if step.is_candidate else None,
                                   withdrawal.reason if withdrawal else "", *_io(step, money))
            disposition = Disposition.RETAIN if withdrawal is not None else step.candidate
        out[key] = StepOutcome(disposition, compose(step.reasons, reasons), cost, step_money, cash_rank.get(key),
                               step.org)
    return out


def _io(step: MoneyStep, money: MoneyParams) -> tuple[str, float, tuple[str, ...], str, bool]:
    if step.candidate is not Disposition.RPA:
        return step.input_form, step.digital_share, step.systems, "", False
    place = placement(step, money)
    return step.input_form, step.digital_share, step.systems, place.segment, place.migrates


def _evidence_reasons(
    step: MoneyStep, flow_steps: Sequence[MoneyStep], unit_id: str, names: Mapping[str, str], money: MoneyParams,
    thresholds: Thresholds,
) -> list[Reason]:
    """The step's own evidence: its input, systems, volume, survey note and the number that decided it."""
    if not step.is_candidate:
        return staff_reasons(step)
    if step.candidate is Disposition.RPA:
        found = rpa_reasons(step, flow_steps, money)
    else:
        found = outsource_reasons(step, names.get(unit_id, unit_id or "—"), money)
    decided = decided_reason(step, thresholds.rpa if step.candidate is Disposition.RPA else thresholds.outsource)
    return [*found, decided] if decided is not None else found


def _hours_freed(step: MoneyStep, money: MoneyParams) -> float:
    from scoring.cost import rpa_hours

    if step.candidate is Disposition.OUTSOURCE:
        return step.hours_per_year
    if step.candidate is Disposition.RPA:
        return rpa_hours(step.hours_per_year, step.annual_count, step.digital_share, money.rpa).hours_freed_per_year
    return 0.0


def _capacity(step: MoneyStep, money: MoneyParams) -> float:
    """Capacity view: hours the candidate frees × its suitability (0 for non-candidates)."""
    return _hours_freed(step, money) * step.suitability if step.is_candidate else 0.0


def _ranks(values: Mapping[StepKey, float]) -> dict[StepKey, int]:
    ordered = sorted(values, key=lambda k: (-round(values[k], 6), k.file, str(k.process_id), str(k.step_id)))
    return {key: index for index, key in enumerate(ordered, start=1)}


# --------------------------------------------------------------------------- flows


def _flows(
    steps: Sequence[MoneyStep], outcomes: Mapping[StepKey, StepOutcome], final: Evaluation, headline: Sensitivity
) -> dict[FlowKey, FlowMoney]:
    years = final.money.cashflow.horizon_years
    base = final.step_npvs()
    grouped: dict[FlowKey, list[MoneyStep]] = defaultdict(list)
    for step in steps:
        grouped[(step.key.file, step.key.process_id)].append(step)
    flows: dict[FlowKey, FlowMoney] = {}
    for flow, members in grouped.items():
        keys = [s.key for s in members]
        hours = sum(outcomes[k].money.hours_freed_per_year for k in keys)
        nets = [outcomes[k].money.net_yen_by_year for k in keys if outcomes[k].money.net_yen_by_year]
        by_year = tuple(float(sum(v[i] for v in nets)) for i in range(years)) if nets else (0.0,) * years
        lots = tuple(dict.fromkeys(final.step_unit[k] for k in keys
                                   if k in final.step_unit and final.step_unit[k].startswith("lot-")))
        adopted = [final.step_net[k] for k in keys if k in final.step_net]
        payback = payback_month(sum(adopted[1:], adopted[0])) if adopted else None
        flows[flow] = FlowMoney(hours, hours / final.money.hours_per_fte, range_of(keys, base, headline), by_year,
                                lots, payback)
    return flows


# --------------------------------------------------------------------------- portfolio parts


def _plan_with_assumptions(evaluation: Evaluation, steps: Sequence[MoneyStep], money: MoneyParams) -> StaffingPlan:
    return dataclasses.replace(evaluation.posts.plan, assumptions=assumptions(steps, money))


def assumptions(steps: Sequence[MoneyStep], money: MoneyParams) -> tuple[Reason, ...]:
    """What the money stage assumed, in words (always shown)."""
    out: list[Reason] = []
    candidates = [s for s in steps if s.is_candidate]
    pool = [s for s in candidates if s.org.source is EvidenceSource.STRUCTURE]
    assumed_org = [s for s in candidates if "no 課・係" in s.org.detail]
    assumed_type = [s for s in candidates if "職種 assumed" in s.org.detail]
    if pool or assumed_org:
        out.append(Reason(
            "org-assumed",
            f"調査票に課・係の列がないため、候補 {len(candidates)} 手順のうち {len(pool) + len(assumed_org)} 手順は"
            "プール名（例: 市民課 証明係）から課・係を読み取り、読めない場合はフロー全体を1つの課とみなしました。",
            f"The survey has no 課/係 columns: for {len(pool) + len(assumed_org)} of {len(candidates)} candidate "
            "steps the section and unit were read from the pool name (e.g. 市民課 証明係), else the whole flow was "
            "taken as one section.",
        ))
    if assumed_type:
        staffing = money.staffing
        out.append(Reason(
            "staff-type-assumed",
            f"調査票に職種の列がないため、候補 {len(assumed_type)} 手順の職種構成を仮定しました: 窓口は会計年度任用 "
            f"{staffing.kaikei_share_counter:.0%}、後方は {staffing.kaikei_share_back:.0%}、再任用 "
            f"{staffing.saiyo_share:.0%}、残りは正規職員（staffing.*）。",
            f"The survey has no 職種 column: for {len(assumed_type)} candidate steps the staff mix was assumed: "
            f"counter {staffing.kaikei_share_counter:.0%} fixed-term, back office {staffing.kaikei_share_back:.0%}, "
            f"re-employed {staffing.saiyo_share:.0%}, the rest regular staff (staffing.*).",
        ))
    if money.staff.rate_override > 0:
        out.append(Reason(
            "rate-override",
            f"人件費は職種別の積上げではなく、単一の時間単価 {money.staff.rate_override:,.0f}円/時 を使っています"
            "（cost.staff_yen_per_hour）。",
            f"Staff cost uses one hourly rate, {money.staff.rate_override:,.0f} yen/h (cost.staff_yen_per_hour), "
            "not the build-up per 職種.",
        ))
    out.append(Reason(
        "idle-time",
        "窓口の待機時間（席にいて住民を待つ時間）のうち"
        f" {money.queue.counter_idle_freed_share:.0%} を、委託で職員に戻る"
        "時間とみなしました（queue.counter_idle_freed_share）。人工削減の時間数には含めません。",
        f"{money.queue.counter_idle_freed_share:.0%} of today's counter idle time (waiting for residents at the "
        "seat) is taken as freed by outsourcing (queue.counter_idle_freed_share); it is not part of the hours freed.",
    ))
    out.append(Reason(
        "timeline",
        f"{money.cashflow.transition_year}年目を移行年度とし、委託は準備 {money.outsource.prep_months:g} か月後に開始、"
        f"並行稼働 {money.outsource.overlap_months:g} か月。RPA は {money.rpa.build_months:g} か月で稼働。割引率 "
        f"{money.cashflow.discount_rate:.1%}、人件費上昇 {money.cashflow.wage_escalation:.1%}/年、委託・ライセンス上昇 "
        f"{money.cashflow.contract_escalation:.1%}/年。",
        f"Year {money.cashflow.transition_year} is the transition year: lots start after "
        f"{money.outsource.prep_months:g} months of preparation with {money.outsource.overlap_months:g} months of "
        f"parallel running; robots go live after {money.rpa.build_months:g} months. Discount rate "
        f"{money.cashflow.discount_rate:.1%}, staff cost +{money.cashflow.wage_escalation:.1%}/yr, contracts and "
        f"licences +{money.cashflow.contract_escalation:.1%}/yr.",
    ))
    return tuple(out)


def _lot_record(year: LotYear, evaluation: Evaluation, value: Range, withdrawn: bool, money: MoneyParams,
                steps: Sequence[MoneyStep] = (), adopted: frozenset[StepKey] = frozenset()) -> Lot:
    unit = evaluation.units[year.draft.lot_id]
    months = 12 * money.cashflow.horizon_years
    return Lot(
        lot_id=year.draft.lot_id, name=year.draft.name, grouping=year.draft.grouping, items=lot_items(year, money),
        queues=year.queues, backoffice_hours_per_year=year.backoffice_hours,
        contractor_hours_per_year=year.contractor_hours, manager_fte=year.manager_fte,
        onsite_post_fte=money.outsource.onsite_post_fte, fee_lines=year.fee_lines, startup_lines=year.startup_lines,
        startup_hours=year.startup_hours, idle_freed_hours=year.idle_freed_hours,
        lines=money_lines([unit], months), npv_yen=value, payback_months=payback_month(unit.net()),
        withdrawn=withdrawn, service_start_month=evaluation.lot_start[year.draft.lot_id],
        contract_years=money.outsource.contract_years,
        staff_items=_staff_items(year, steps, adopted, money),
    )


_ASSIGNED = {
    Disposition.RETAIN: ("職員", "staff"), Disposition.REVIEW: ("職員（要確認）", "staff (to be confirmed)"),
    Disposition.RPA: ("RPA（市が運用）", "RPA (run by the city)"), Disposition.AUTOMATED: ("システム", "system"),
    Disposition.OUTSOURCE: ("受託者", "contractor"),
    Disposition.CONTRACTED: ("受託者（委託済み・現行契約）", "contractor (already contracted today)"),
}


def _staff_items(year: LotYear, steps: Sequence[MoneyStep], adopted: frozenset[StepKey],
                 money: MoneyParams) -> tuple[LotItem, ...]:
    """The steps of the lot's flows outside the lot: what the city keeps, with the legal verdict on each."""
    in_lot = {s.key for s in year.draft.steps}
    flows = {(s.key.file, s.key.process_id) for s in year.draft.steps}
    items: list[LotItem] = []
    for step in steps:
        if step.key in in_lot or (step.key.file, step.key.process_id) not in flows:
            continue
        if step.is_candidate and step.key not in adopted:
            assigned = ("職員（費用面で推奨しない）", "staff (not recommended on cost)")
        elif any(r.code == "handoff-moved" for r in step.reasons):
            assigned = ("職員（偽装請負を避ける引継ぎのため）", "staff (to keep the hand-offs lawful)")
        elif step.contracted and step.candidate is not Disposition.CONTRACTED:
            assigned = ("受託者が実施中（要確認: 法的に委託できない）", "contractor today (to be confirmed: the law "
                        "does not permit it)")
        else:
            assigned = _ASSIGNED[step.candidate]
        items.append(lot_item(step, money, assigned))
    return tuple(items)


def _lots(final: Evaluation, gate: GateResult, headline: Sensitivity, money: MoneyParams,
          spread: Sensitivity | None, steps: Sequence[MoneyStep]) -> tuple[Lot, ...]:
    adopted = gate.plan.active
    records = [
        _lot_record(year, final, headline.units.get(year.draft.lot_id, _point(final.unit_npv(year.draft.lot_id))),
                    False, money, steps, adopted)
        for year in final.lots
    ]
    for unit_id, snapshot in gate.snapshots.items():
        for year in snapshot.lots:
            if year.draft.lot_id == unit_id:
                swings = spread.units.get(unit_id) if spread is not None else None
                records.append(_lot_record(year, snapshot, _shifted(snapshot.unit_npv(unit_id), swings), True, money,
                                           steps, adopted))
    return tuple(records)


def _point(value: float) -> Range:
    return Range(value, value, value)


def _scenario_record(evaluation: Evaluation, sid: str, value: Range, withdrawn: str, plan: Plan,
                     money: MoneyParams, found: _Drafts | None = None) -> RpaScenario:
    scenario, deployment = (found or _drafts(evaluation))[sid]
    unit = evaluation.units[sid]
    months = 12 * money.cashflow.horizon_years
    return RpaScenario(
        scenario_id=sid, step=scenario.step.key, name=scenario.step.name, flow_name=scenario.step.flow_name,
        deployment_id=deployment.deployment_id, input_form=scenario.step.input_form,
        reduction_share=scenario.hours.reduction_share, ocr_pages_per_year=scenario.hours.ocr_pages_per_year,
        check_hours_per_year=scenario.hours.check_hours_per_year,
        hours_freed_per_year=scenario.hours.hours_freed_per_year,
        robot_hours_per_year=scenario.robot_hours_per_year,
        plan="wait" if sid in plan.wait and scenario.place.migrates else "now", migrates=scenario.place.migrates,
        lines=money_lines([unit], months), npv_yen=value, payback_months=payback_month(unit.net()),
        withdrawn=withdrawn,
    )


_Drafts = dict[str, tuple[ScenarioDraft, DeploymentDraft]]
"""Scenario id → (its first draft in the evaluation, the first deployment holding a scenario of that id)."""


def _drafts(evaluation: Evaluation) -> _Drafts:
    """Each scenario of an evaluation with its deployment, looked up once for all its records.

    Why: finding them per record scanned the plan's scenarios and then each deployment's members (comparing
    drafts field by field) — quadratic in the robots, 2,000 of them at 300 flows.  Scenario ids are unique in
    an evaluation (one per step), so the first match by id is the draft and deployment the scans found.
    """
    deployment_of: dict[str, DeploymentDraft] = {}
    for deployment in evaluation.deployments:
        for member in deployment.scenarios:
            deployment_of.setdefault(member.scenario_id, deployment)
    found: _Drafts = {}
    for scenario in evaluation.scenarios:
        if scenario.scenario_id not in found:
            found[scenario.scenario_id] = (scenario, deployment_of[scenario.scenario_id])
    return found


def _scenarios(final: Evaluation, gate: GateResult, headline: Sensitivity, money: MoneyParams,
               spread: Sensitivity | None) -> tuple[RpaScenario, ...]:
    drafts = _drafts(final)
    records = [
        _scenario_record(final, s.scenario_id, headline.units.get(s.scenario_id, _point(final.unit_npv(s.scenario_id))),
                         "", gate.plan, money, drafts)
        for s in final.scenarios
    ]
    for unit_id, snapshot in gate.snapshots.items():
        if any(s.scenario_id == unit_id for s in snapshot.scenarios):
            swings = spread.units.get(unit_id) if spread is not None else None
            records.append(_scenario_record(snapshot, unit_id, _shifted(snapshot.unit_npv(unit_id), swings), "cost",
                                            gate.plan, money))
    return tuple(records)


def _deployments(final: Evaluation, gate: GateResult, money: MoneyParams) -> tuple[RpaDeployment, ...]:
    found = [
        RpaDeployment(d.deployment_id, d.segment, d.robots, tuple(s.scenario_id for s in d.scenarios),
                      sum(s.robot_hours_per_year for s in d.scenarios), d.ocr, d.feasible)
        for d in final.deployments
    ]
    infeasible = [k for k, w in gate.withdrawn.items() if w.reason == "feasibility"]
    if infeasible and not any(d.segment == "mynumber" for d in found):
        found.append(RpaDeployment("rpa-mynumber", "mynumber", 0, tuple(scenario_id(k) for k in infeasible), 0.0,
                                   False, False))
    return tuple(found)


def _refuse_unpermitted(steps: Sequence[MoneyStep]) -> None:
    """A candidate its legal verdict does not permit is refused with a ValueError, never priced."""
    refused = [s.name for s in steps if s.candidate in (Disposition.RPA, Disposition.OUTSOURCE) and not s.is_candidate]
    if refused:
        raise ValueError(f"the legal gate must run before the money stage: {', '.join(refused)} "
                         "cannot be outsourced or automated under their legal verdict")


def gated_dispositions(steps: Sequence[MoneyStep], profile: Profile) -> dict[StepKey, Disposition]:
    """Each step's disposition after the cost gate, and nothing else of the money stage.

    Why: a caller that shows only where each step ends up (``bpm compare``,
    whose figures are hours, dispositions and findings) needs the gate's
    decisions, not the adopted plan's cash, its sensitivity ranges, break-evens,
    calibration or reasons — over half of a city's assessment.  The gate is the
    same :func:`~scoring.gate.cost_gate` :func:`money_stage` runs, so each step
    gets the disposition :func:`money_stage` gives it: the candidate, or RETAIN
    when the gate withdrew it (the gate only ever withdraws).
    """
    money = profile.money
    assert money is not None, "the profile always builds its money parameters"
    _refuse_unpermitted(steps)
    with collector_paused():  # as in money_stage: the gate's rounds make many objects and no cycles
        withdrawn = cost_gate(steps, money, {}).withdrawn
    return {s.key: Disposition.RETAIN if s.key in withdrawn else s.candidate for s in steps}


def lines_total(lines: Sequence[MoneyLine]) -> tuple[float, ...]:
    """Year-by-year sum of cash lines."""
    if not lines:
        return ()
    return tuple(float(sum(line.yen_by_year[i] for line in lines)) for i in range(len(lines[0].yen_by_year)))


__all__ = [
    "RULE_TITLES", "MoneyOutcome", "StepOutcome", "assumptions", "contracted_lines", "lines_total", "money_stage",
    "npv",
]
