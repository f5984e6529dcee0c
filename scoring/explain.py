"""Reasons that cite the step's own evidence, composed with the legal gate's reasons.

Why: a 課長 reading 「住民との対面がない」 next to certificate printing that
happens while the resident waits stops trusting the whole report.  The
classification's sentences are templates about feature values; the reasons
here name the step's own facts — its input form and where that came from,
the systems it touches, the survey note, the evidence behind a feature, and
the number that decided it (a score against its threshold, an NPV).

Two rules keep these reasons honest:

* **No legal claim without legal evidence.**  Nothing here says whether a
  step is a factual act, may be contracted out or needs a notice: those
  sentences come only from :mod:`scoring.legal` (the gate's reasons, the
  step's :class:`~scoring.result.LegalStatus`) and the hand-off check.
* **Legal reasons win.**  :func:`compose` puts the legal and hand-off reasons
  first, word for word, and never drops or rephrases one; only the
  classification's generic feature sentences (:data:`REPLACED_CODES`) are
  replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scoring.classify import EXPLAINING_CODES
from scoring.cost import MoneyStep, rpa_hours
from scoring.legal import REASON_CODES as LEGAL_CODES
from scoring.lots import is_counter
from scoring.money_params import MoneyParams
from scoring.result import Disposition, Evidence, EvidenceSource, Reason
from scoring.rpa import placement

SAFETY_CODES = frozenset({"contracted", "contracted-questioned", *LEGAL_CODES, "handoff-moved", "handoff-risk",
                          "handoff-redesign", "handoff-after-cost-gate"})
"""Reasons of the legal gate and the hand-off check: kept first and word for word."""

REPLACED_CODES = frozenset({*EXPLAINING_CODES, "judgment", "not-routine", "automated"})
"""The classification's generic sentences that evidence-citing reasons replace (when they have evidence to cite)."""

_FORMS = {"paper": ("紙", "paper"), "digital": ("電子", "digital"),
          "mixed": ("紙と電子の混在", "mixed paper and digital")}
_SOURCES_JA = {
    EvidenceSource.SURVEY: "調査票", EvidenceSource.PROPERTY: "BPMNプロパティ", EvidenceSource.USER: "指定値",
    EvidenceSource.BPMN_TYPE: "タスク種別からの推定", EvidenceSource.LEXICON: "名称からの推定",
    EvidenceSource.STRUCTURE: "フロー構造", EvidenceSource.DEFAULT: "既定値",
}
_OPTIONS = {
    Disposition.RPA: ("RPA", "RPA"), Disposition.OUTSOURCE: ("委託", "outsourcing"),
    Disposition.RETAIN: ("職員", "staff"), Disposition.AUTOMATED: ("自動化済み", "automated"),
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


# --------------------------------------------------------------------------- composing


def compose(step_reasons: Sequence[Reason], evidence: Sequence[Reason]) -> tuple[Reason, ...]:
    """Legal and hand-off reasons first and unchanged, then the rest without the replaced templates, then evidence.

    A generic sentence is dropped only when ``evidence`` has something to put
    in its place; a legal one never is.

    >>> legal = Reason("outsourcing-basis", "委託の根拠: 内閣府通知", "Basis: Cabinet Office notice")
    >>> generic = Reason("resident-contact", "住民対応", "Counter work")
    >>> own = Reason("counter-work", "窓口で住民に対応（根拠: 調査票 行3）", "Counter work (survey row 3)")
    >>> [r.code for r in compose([generic, legal], [own])]
    ['outsourcing-basis', 'counter-work']
    """
    safety = sorted((r for r in step_reasons if r.code in SAFETY_CODES),
                    key=lambda r: not r.code.startswith("contracted"))  # who does it today comes first
    rest = [r for r in step_reasons if r.code not in SAFETY_CODES and not (evidence and r.code in REPLACED_CODES)]
    return tuple(dict.fromkeys((*safety, *rest, *evidence)))


# --------------------------------------------------------------------------- evidence


def _strongest(evidence: Iterable[Evidence], feature: str) -> Evidence | None:
    found = [e for e in evidence if e.feature == feature and isinstance(e.value, int | float)]
    return max(found, key=lambda e: float(e.value)) if found else None


def _weakest(evidence: Iterable[Evidence], feature: str) -> Evidence | None:
    found = [e for e in evidence if e.feature == feature and isinstance(e.value, int | float)]
    return min(found, key=lambda e: float(e.value)) if found else None


def volume_reason(step: MoneyStep) -> Reason:
    """Hours a year with the count and minutes and where each came from."""
    count_src = _SOURCES_JA.get(step.count_source, step.count_source.value)
    minute_src = _SOURCES_JA.get(step.minutes_source, step.minutes_source.value)
    return Reason(
        "volume-evidence",
        f"年間 {step.hours_per_year:,.0f} 時間（{step.annual_count:,.0f} 件［{count_src}］× "
        f"{step.minutes_per_case:g} 分［{minute_src}］）",
        f"{step.hours_per_year:,.0f} h a year ({step.annual_count:,.0f} executions [{step.count_source.value}] × "
        f"{step.minutes_per_case:g} min [{step.minutes_source.value}])",
    )


def decided_reason(step: MoneyStep, threshold: float) -> Reason | None:
    """The number that decided the candidate: its score against the threshold and the runner-up."""
    if step.candidate not in (Disposition.RPA, Disposition.OUTSOURCE) or not step.scores:
        return None
    score = step.scores.get(step.candidate, 0.0)
    others = [(d, v) for d, v in step.scores.items() if d in _OPTIONS and d is not step.candidate
              and d is not Disposition.AUTOMATED]
    if not others:
        return None
    runner, value = max(others, key=lambda item: item[1])
    own_ja, own_en = _OPTIONS[step.candidate]
    runner_ja, runner_en = _OPTIONS[runner]
    return Reason(
        "decided-by",
        f"{own_ja}の適合度 {score:.2f}（基準 {threshold:.2f}、次点は{runner_ja} {value:.2f}）",
        f"{own_en} suitability {score:.2f} (threshold {threshold:.2f}; next best {runner_en} {value:.2f})",
    )


_TYPICAL_VISITS = 0.5
"""Visits per case from which a step counts as part of the typical path."""


def resident_waits(step: MoneyStep, flow_steps: Sequence[MoneyStep], money: MoneyParams) -> tuple[str, str] | None:
    """(counter step before, counter step after) when the step happens while the resident waits at the counter.

    Both neighbours must be steps the resident is present for by the flow's own evidence and lie on the
    typical path (at least one visit in two cases): an exception step such as 不交付の説明 or a name that
    merely contains 交付 would put a waiting resident into mail or back-office work.  ``order`` is the
    flow order (breadth-first from the start), not document order.
    """
    if is_counter(step, money):
        return None
    typical = [s for s in flow_steps if s.resident_present and s.visits >= _TYPICAL_VISITS]
    before = [s for s in typical if s.order < step.order]
    after = [s for s in typical if s.order > step.order]
    if not before or not after:
        return None
    return max(before, key=lambda s: s.order).name, min(after, key=lambda s: s.order).name


def _note(step: MoneyStep) -> list[Reason]:
    return [Reason("survey-note", f"調査票の備考: {step.note}", f"Survey note: {step.note}")] if step.note else []


def rpa_reasons(step: MoneyStep, flow_steps: Sequence[MoneyStep], money: MoneyParams) -> list[Reason]:
    """Why a robot fits (or what it will cost), from the step's own input, systems and volume."""
    hours = rpa_hours(step.hours_per_year, step.annual_count, step.digital_share, money.rpa)
    form_ja, form_en = _FORMS.get(step.input_form, (step.input_form, step.input_form))
    reasons = [volume_reason(step)]
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
    return reasons + _note(step)


def outsource_reasons(step: MoneyStep, lot_name: str, money: MoneyParams) -> list[Reason]:
    """Why the step is in a lot, citing its contact evidence, routine evidence and volume (no legal claim)."""
    reasons = [volume_reason(step)]
    face = _strongest(step.evidence, "face_to_face")
    if is_counter(step, money) and face is not None:
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
    routine = _weakest(step.evidence, "rule_based") or _strongest(step.evidence, "routine")
    if routine is not None:
        reasons.append(Reason(
            "routine-evidence",
            f"定型性 {step.features.get('routine', 0.0):.2f}（根拠: {routine.detail}）",
            f"Routine {step.features.get('routine', 0.0):.2f} (evidence: {routine.detail})",
        ))
    return reasons + _note(step)


def staff_reasons(step: MoneyStep) -> list[Reason]:
    """Evidence for a step that stays with staff or a system (judgment, routine-ness, the system doing it).

    Legal reasons are not made here: a step the legal gate kept with staff
    already carries them, word for word.
    """
    reasons: list[Reason] = []
    codes = {r.code for r in step.reasons}
    if "judgment" in codes:
        judgment = _strongest(step.evidence, "judgment")
        if judgment is not None:
            reasons.append(Reason(
                "judgment-evidence",
                f"判断 {step.features.get('judgment', 0.0):.2f}（根拠: {judgment.detail}）",
                f"Judgment {step.features.get('judgment', 0.0):.2f} (evidence: {judgment.detail})",
            ))
    if "not-routine" in codes:
        routine = _weakest(step.evidence, "rule_based") or _strongest(step.evidence, "routine")
        if routine is not None:
            reasons.append(Reason(
                "routine-evidence",
                f"定型性 {step.features.get('routine', 0.0):.2f} で RPA・委託の候補にならない"
                f"（根拠: {routine.detail}）",
                f"Routine {step.features.get('routine', 0.0):.2f}, too low for RPA or outsourcing (evidence: "
                f"{routine.detail})",
            ))
    if "automated" in codes:
        automated = _strongest(step.evidence, "automated")
        if automated is not None:
            reasons.append(Reason(
                "automated-evidence",
                f"システムが処理している手順（根拠: {automated.detail}）。人工削減の対象にならない",
                f"Already performed by a system (evidence: {automated.detail}); no hours to free",
            ))
    if reasons or step.note:
        reasons = [volume_reason(step), *reasons]
    return reasons + _note(step)


def cash_reason(npv_low: float, npv_base: float, npv_high: float, unit_name: str, years: int) -> Reason:
    """The adopted step's cash effect with its range."""
    return Reason(
        "cash-effect",
        f"財政効果（{years}年間の正味現在価値）{yen_ja(npv_base)}（範囲 {yen_ja(npv_low)}〜{yen_ja(npv_high)}）、"
        f"{unit_name}の一部として",
        f"Cash effect ({years}-year NPV) {yen_en(npv_base)} (range {yen_en(npv_low)} to {yen_en(npv_high)}), "
        f"as part of {unit_name}",
    )
