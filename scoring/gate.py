"""The cost gate and reasons that cite the step's own evidence.

The gate runs after classification and may only **withdraw**: an RPA or
outsourcing candidate whose unit (lot, robot scenario) or whose own share
loses money over the horizon becomes 「費用面で推奨しない」 and stays with
staff, its hours still shown.  It never moves a step toward outsourcing or
RPA, so no price can carry a step across the legal line.

Withdrawal is worst first, one at a time, because posts are pooled: taking
one lot out changes what the others earn.  The loop ends when every adopted
lot, scenario and lot step has a positive NPV; it withdraws at least one
step per round, so it ends after at most as many rounds as there are
candidates.

Reasons: the classification's generic sentences (「住民との対面がない」,
「定型的」…) are replaced by ones that cite the step's input form, system,
survey note and the number that decided it; legal sentences are kept as
they are and none is added here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scoring.cashflow import Cache, Evaluation, Plan, evaluate
from scoring.cost import MoneyStep
from scoring.lots import entrustability, is_counter
from scoring.money_params import MoneyParams
from scoring.result import Disposition, Evidence, EvidenceSource, Reason, StepKey
from scoring.rpa import placement, scenario_id

_TOLERANCE = 0.5
"""Yen: an NPV at or below this counts as ≤ 0."""


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Why and at what figure a candidate was withdrawn."""

    reason: str
    """``cost`` or ``feasibility``."""
    unit_id: str
    """Its lot or scenario."""
    step_npv: float
    """The step's attributed NPV when withdrawn (0 for feasibility)."""
    unit_npv: float
    """Its unit's NPV when withdrawn."""
    whole_unit: bool
    """True when the whole lot/scenario went; False when one step left a paying lot."""


@dataclass(frozen=True, slots=True)
class GateResult:
    """The adopted plan and what was withdrawn."""

    plan: Plan
    """Adopted steps and build timing."""
    candidates: Plan
    """Every feasible candidate (before the cost gate)."""
    withdrawn: Mapping[StepKey, Withdrawal]
    """Withdrawn steps."""
    snapshots: Mapping[str, Evaluation]
    """Withdrawn unit id → the evaluation in which it was withdrawn (for its page)."""


def choose_wait(
    steps: Sequence[MoneyStep], active: frozenset[StepKey], money: MoneyParams, cache: Cache | None = None
) -> frozenset[str]:
    """Scenarios on screens that move to 標準準拠システム are built after the cutover when that pays better."""
    wait: set[str] = set()
    migrating = [s for s in steps if s.candidate is Disposition.RPA and s.key in active
                 and placement(s, money).migrates]
    if not migrating or money.rpa.migration_year <= money.cashflow.transition_year:
        return frozenset()
    best = evaluate(steps, Plan(active, frozenset()), money, cache).npv()
    for step in migrating:
        sid = scenario_id(step.key)
        later = evaluate(steps, Plan(active, frozenset(wait | {sid})), money, cache).npv()
        if later > best + _TOLERANCE:
            wait.add(sid)
            best = later
    return frozenset(wait)


def cost_gate(steps: Sequence[MoneyStep], money: MoneyParams, cache: Cache | None = None) -> GateResult:
    """Withdraw, worst first, every candidate unit or lot step whose NPV over the horizon is ≤ 0."""
    withdrawn: dict[StepKey, Withdrawal] = {}
    candidates = {s.key for s in steps if s.is_candidate}
    for step in steps:
        if (step.candidate is Disposition.RPA and step.key in candidates
                and placement(step, money).segment == "mynumber" and not money.rpa.mynumber_segment_allowed):
            withdrawn[step.key] = Withdrawal("feasibility", scenario_id(step.key), 0.0, 0.0, True)
    feasible = frozenset(candidates - set(withdrawn))
    wait = choose_wait(steps, feasible, money, cache)
    active = set(feasible)
    snapshots: dict[str, Evaluation] = {}
    for _ in range(len(feasible) + 1):
        evaluation = evaluate(steps, Plan(frozenset(active), wait), money, cache)
        worst = _worst(evaluation)
        if worst is None:
            break
        _value, unit_id, keys, whole = worst
        unit_value = evaluation.unit_npv(unit_id)
        for key in keys:
            withdrawn[key] = Withdrawal("cost", unit_id, evaluation.step_npv(key), unit_value, whole)
            active.discard(key)
        if whole:
            snapshots[unit_id] = evaluation
    return GateResult(Plan(frozenset(active), wait), Plan(feasible, wait), withdrawn, snapshots)


def _worst(evaluation: Evaluation) -> tuple[float, str, tuple[StepKey, ...], bool] | None:
    """The lowest non-positive NPV among units and lot steps, with the steps to withdraw."""
    found: list[tuple[float, str, tuple[StepKey, ...], bool]] = []
    for unit_id, unit in evaluation.units.items():
        value = evaluation.unit_npv(unit_id)
        keys = tuple(sorted(unit.weights, key=_order))
        if value <= _TOLERANCE:
            found.append((value, unit_id, keys, True))
        elif unit.kind == "lot" and len(keys) > 1:
            for key in keys:
                step_value = evaluation.step_npv(key)
                if step_value <= _TOLERANCE:
                    found.append((step_value, unit_id, (key,), False))
    if not found:
        return None
    return min(found, key=lambda item: (item[0], item[1], [_order(k) for k in item[2]]))


def _order(key: StepKey) -> tuple[str, str, str]:
    return (key.file, str(key.process_id), str(key.step_id))


# --------------------------------------------------------------------------- reasons

GENERIC_CODES = frozenset({
    "routine", "system-work", "no-contact", "paper-input", "volume", "resident-contact", "physical",
    "contractable", "no-payback",
})
"""Classification reasons replaced by evidence-citing ones for RPA/outsourcing candidates."""

_FORMS = {"paper": ("紙", "paper"), "digital": ("電子", "digital"), "mixed": ("紙と電子の混在", "mixed paper"
    " and digital")}
_SOURCES_JA = {
    EvidenceSource.SURVEY: "調査票", EvidenceSource.PROPERTY: "BPMNプロパティ", EvidenceSource.USER: "指定値",
    EvidenceSource.BPMN_TYPE: "タスク種別からの推定", EvidenceSource.LEXICON: "名称からの推定",
    EvidenceSource.STRUCTURE: "フロー構造", EvidenceSource.DEFAULT: "既定値",
}


def yen_ja(value: float) -> str:
    """Japanese money style for reason texts.

    >>> yen_ja(-12_345_678), yen_ja(3_000)
    ('-1,235万円', '3,000円')
    """
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if amount >= 1e8:
        return f"{sign}{amount / 1e8:,.2f}億円"
    if amount >= 1e4:
        return f"{sign}{amount / 1e4:,.0f}万円"
    return f"{sign}{amount:,.0f}円"


def yen_en(value: float) -> str:
    """English money style for reason texts.

    >>> yen_en(-12_345_678)
    '-¥12.3M'
    """
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if amount >= 1e6:
        return f"{sign}¥{amount / 1e6:,.1f}M"
    if amount >= 1e3:
        return f"{sign}¥{amount / 1e3:,.0f}k"
    return f"{sign}¥{amount:,.0f}"


def _strongest(evidence: Sequence[Evidence], feature: str) -> Evidence | None:
    found = [e for e in evidence if e.feature == feature and isinstance(e.value, int | float)]
    return max(found, key=lambda e: float(e.value)) if found else None


def _volume(step: MoneyStep) -> Reason:
    count_src = _SOURCES_JA.get(step.count_source, step.count_source.value)
    minute_src = _SOURCES_JA.get(step.minutes_source, step.minutes_source.value)
    return Reason(
        "volume-evidence",
        f"年間 {step.hours_per_year:,.0f} 時間（{step.annual_count:,.0f}"
        f" 件［{count_src}］× {step.minutes_per_case:g} 分"
        f"［{minute_src}］）",
        f"{step.hours_per_year:,.0f} h a year ({step.annual_count:,.0f} executions [{step.count_source.value}] × "
        f"{step.minutes_per_case:g} min [{step.minutes_source.value}])",
    )


def resident_waits(step: MoneyStep, flow_steps: Sequence[MoneyStep], money: MoneyParams) -> tuple[str, str] | None:
    """(counter step before, counter step after) when the step happens while the resident waits at the counter."""
    before = [s for s in flow_steps if s.order < step.order and is_counter(s, money)]
    after = [s for s in flow_steps if s.order > step.order and is_counter(s, money)]
    if is_counter(step, money) or not before or not after:
        return None
    return before[-1].name, after[0].name


def rpa_reasons(step: MoneyStep, flow_steps: Sequence[MoneyStep], money: MoneyParams) -> list[Reason]:
    """Why a robot fits (or what it will cost), from the step's own input, systems and volume."""
    from scoring.cost import rpa_hours

    hours = rpa_hours(step.hours_per_year, step.annual_count, step.digital_share, money.rpa)
    form_ja, form_en = _FORMS.get(step.input_form, (step.input_form, step.input_form))
    reasons = [_volume(step)]
    text_ja = f"入力は{form_ja}（{step.input_detail}）: ロボットが削減できるのは {hours.reduction_share:.0%}"
    text_en = f"Input is {form_en} ({step.input_detail}): a robot takes over {hours.reduction_share:.0%}"
    if hours.ocr_pages_per_year > 0:
        text_ja += (f"。紙は AI-OCR で読み取り、年 {hours.ocr_pages_per_year:,.0f} 枚の確認 "
                    f"{hours.check_hours_per_year:,.0f} 時間は職員に残る")
        text_en += (f"; paper is read by AI-OCR and checking {hours.ocr_pages_per_year:,.0f} pages "
                    f"({hours.check_hours_per_year:,.0f} h) stays with staff")
    reasons.append(Reason("rpa-input", text_ja, text_en))
    place = placement(step, money)
    if place.segment == "mynumber":
        seg_ja = (f"{place.evidence} → マイナンバー利用事務系の専用端末・専用ライセンスで実行"
                  f"（該当語: {'、'.join(place.segment_words)}）")
        seg_en = (f"{place.evidence} → runs on a dedicated terminal and licence in the マイナンバー segment "
                  f"(matched: {', '.join(place.segment_words)})")
    else:
        seg_ja = f"{place.evidence} → LGWAN接続系で実行できる見込み"
        seg_en = f"{place.evidence} → expected to run on the LGWAN segment"
    reasons.append(Reason("rpa-segment", seg_ja, seg_en))
    if place.migrates:
        year = round(money.rpa.migration_year)
        reasons.append(Reason(
            "rpa-stability",
            f"標準準拠システムへ移行する系統（{'、'.join(place.migration_words)}）の画面を操作するため、{year}年目の"
            "移行時に作り直すか、移行後に着手する",
            f"Works on screens of a system moving to 標準準拠システム ({', '.join(place.migration_words)}): rebuilt at "
            f"the cutover in year {year}, or built after it",
        ))
    waits = resident_waits(step, flow_steps, money)
    if waits is not None:
        reasons.append(Reason(
            "resident-waits",
            f"住民が窓口で待つ間の作業（前:「{waits[0]}」→ 後:「{waits[1]}」）: ロボットの処理時間が待ち時間に加わる",
            f"Done while the resident waits at the counter (after '{waits[0]}', before '{waits[1]}'): the robot's "
            "run time adds to the wait",
        ))
    if step.note:
        reasons.append(Reason("survey-note", f"調査票の備考: {step.note}", f"Survey note: {step.note}"))
    return reasons


def outsource_reasons(step: MoneyStep, lot_name: str, money: MoneyParams) -> list[Reason]:
    """Why the step is in a lot, citing its contact evidence, routine evidence and volume."""
    reasons = [_volume(step)]
    counter = is_counter(step, money)
    face = _strongest(step.evidence, "face_to_face")
    if counter and face is not None:
        reasons.append(Reason(
            "counter-work",
            f"窓口で住民に対応する作業（根拠: {face.detail}）→ 委託ロット「{lot_name}」で席として調達",
            f"Counter work with residents (evidence: {face.detail}) → bought as seats in the lot '{lot_name}'",
        ))
    else:
        reasons.append(Reason(
            "backoffice-work",
            f"窓口に住民が並ばない後方の作業 → 委託ロット「{lot_name}」の後方業務（席の空き時間で処理）",
            f"Back-office work without a queue → back-office part of the lot '{lot_name}' (done in idle seat time)",
        ))
    routine = _strongest(step.evidence, "rule_based") or _strongest(step.evidence, "routine")
    if routine is not None:
        reasons.append(Reason(
            "routine-evidence",
            f"定型性 {step.features.get('routine', 0.0):.2f}（根拠: {routine.detail}）",
            f"Routine {step.features.get('routine', 0.0):.2f} (evidence: {routine.detail})",
        ))
    ja, en, authority = entrustability(step)
    reasons.append(Reason("entrustability", f"委託可否: {ja}。{authority}", f"Entrustable: {en}. {authority}"))
    if step.note:
        reasons.append(Reason("survey-note", f"調査票の備考: {step.note}", f"Survey note: {step.note}"))
    return reasons


def cash_reason(npv_low: float, npv_base: float, npv_high: float, unit_name: str, years: int) -> Reason:
    """The adopted step's cash effect with its range."""
    return Reason(
        "cash-effect",
        f"財政効果（{years}年間の正味現在価値）{yen_ja(npv_base)}（範囲 {yen_ja(npv_low)}〜{yen_ja(npv_high)}）、"
        f"{unit_name}の一部として",
        f"Cash effect ({years}-year NPV) {yen_en(npv_base)} (range {yen_en(npv_low)} to {yen_en(npv_high)}), "
        f"as part of {unit_name}",
    )


def withdrawn_reason(withdrawal: Withdrawal, hours_freed: float, unit_name: str, years: int,
                     step: MoneyStep) -> Reason:
    """「費用面で推奨しない」, or the segment not being allowed, with the numbers."""
    if withdrawal.reason == "feasibility":
        return Reason(
            "segment-not-allowed",
            "マイナンバー利用事務系でのRPA実行が認められていない（rpa.mynum"
            "ber_segment_allowed = false）ため推奨しない: "
            f"{'・'.join(step.systems) or step.lane}",
            f"Not recommended: robots on the マイナンバー segment are not allowed (rpa.mynumber_segment_allowed = "
            f"false): {', '.join(step.systems) or step.lane}",
        )
    if withdrawal.whole_unit:
        figure_ja = f"{unit_name}の{years}年間の財政効果が {yen_ja(withdrawal.unit_npv)}（0以下）"
        figure_en = f"the {years}-year cash effect of {unit_name} is {yen_en(withdrawal.unit_npv)} (≤ 0)"
    else:
        figure_ja = f"{unit_name}の中でこの手順の分の財政効果が {yen_ja(withdrawal.step_npv)}（0以下）"
        figure_en = f"this step's share of {unit_name} is {yen_en(withdrawal.step_npv)} (≤ 0)"
    return Reason(
        "cost-withdrawn",
        f"費用面で推奨しない: {figure_ja}。解放できる {hours_freed:,.0f} 時間/年は人工削減（能力）として残る",
        f"Not recommended on cost: {figure_en}. The {hours_freed:,.0f} h a year it could free remain as capacity",
    )


def merge_reasons(classified: Sequence[Reason], money_reasons: Sequence[Reason]) -> tuple[Reason, ...]:
    """The classification's reasons without the generic ones, then the evidence-citing ones."""
    return (*[r for r in classified if r.code not in GENERIC_CODES], *money_reasons)
