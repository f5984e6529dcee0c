"""Features → the disposition the numbers propose (RPA / outsource / retain / automated), with scores and reasons.

The decision procedure follows scoring-methodology.md §2.  The legal rule of
§3 is *not* here: it is a hard constraint applied after scoring and costing by
:func:`scoring.legal.gate`, whose inputs are legal evidence only, so no
weight or threshold of this module can move a step across it.  The report
shows both what the numbers favour (this proposal) and why the law overrides
them:

1. A step a system already performs (service/script task, system lane) is
   ``automated``.
2. Otherwise the best of RPA, outsourcing and retention wins; RPA and
   outsourcing must also clear their profile thresholds, else the step is
   retained.

Scores (each 0–1):

* RPA = weighted mean of routine, system, volume, digital input, times
  (1 − penalty × feature) for judgment, resident contact, physical handling and
  automation: face-to-face work leans to outsourcing, judgment stays.
* outsource = weighted mean of routine and volume, times
  (floor + (1 − floor) × max(face_to_face, physical)) — resident contact and
  paper handling are what make a contractor preferable to a robot — times the
  judgment and automation penalties.
* retain = weighted mean of judgment, legal authority, exceptions and
  non-routine-ness.
* automated = the automated feature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from scoring.profile import Profile
from scoring.result import Disposition, EvidenceSource, Reason

_KEY_FEATURES = ("routine", "judgment", "face_to_face", "digital_input", "legal_authority", "automated")
"""Features whose sources discount the confidence."""

_INFERRED = (EvidenceSource.BPMN_TYPE, EvidenceSource.LEXICON, EvidenceSource.STRUCTURE)


@dataclass(frozen=True, slots=True)
class Classification:
    """The decision for one step."""

    scores: Mapping[Disposition, float]
    """Suitability 0–1 per disposition."""
    disposition: Disposition
    """The recommendation."""
    confidence: float
    """0–1."""
    reasons: tuple[Reason, ...]
    """Why, in Japanese and English."""


def _weighted(weights: Mapping[str, float], features: Mapping[str, float]) -> float:
    used = {k: w for k, w in weights.items() if k != "contact_floor"}
    total = sum(used.values())
    return sum(w * features.get(k, 0.0) for k, w in used.items()) / total if total else 0.0


def _penalised(score: float, penalties: Mapping[str, float], features: Mapping[str, float]) -> float:
    for name, strength in penalties.items():
        score *= 1.0 - strength * features.get(name, 0.0)
    return score


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def score_options(features: Mapping[str, float], profile: Profile) -> dict[Disposition, float]:
    """Suitability of each disposition (see the module docstring).

    >>> from scoring.profile import load_profile
    >>> entry = {"routine": 0.9, "system": 0.8, "volume": 0.8, "digital_input": 1.0}
    >>> scores = score_options(entry, load_profile())
    >>> max(scores, key=scores.__getitem__)
    <Disposition.RPA: 'rpa'>
    """
    rpa = _penalised(_weighted(profile.weights["rpa"], features), profile.penalties["rpa"], features)
    floor = profile.weights["outsource"].get("contact_floor", 0.0)
    contact = max(features.get("face_to_face", 0.0), features.get("physical", 0.0))
    outsource = _weighted(profile.weights["outsource"], features) * (floor + (1.0 - floor) * contact)
    outsource = _penalised(outsource, profile.penalties["outsource"], features)
    retain_inputs = {**features, "non_routine": 1.0 - features.get("routine", 0.0)}
    retain = _weighted(profile.weights["retain"], retain_inputs)
    return {
        Disposition.RPA: _clip(rpa),
        Disposition.OUTSOURCE: _clip(outsource),
        Disposition.RETAIN: _clip(retain),
        Disposition.AUTOMATED: _clip(features.get("automated", 0.0)),
    }


def classify(
    features: Mapping[str, float],
    sources: Mapping[str, EvidenceSource],
    profile: Profile,
) -> Classification:
    """The numbers' proposal for one step: scores, disposition, confidence and reasons (no legal rule)."""
    scores = score_options(features, profile)
    thresholds = profile.thresholds
    reasons: list[Reason] = []
    rpa, outsource, retain = scores[Disposition.RPA], scores[Disposition.OUTSOURCE], scores[Disposition.RETAIN]
    if scores[Disposition.AUTOMATED] >= thresholds.automated:
        disposition = Disposition.AUTOMATED
        margin = scores[Disposition.AUTOMATED] - thresholds.automated + thresholds.confidence_margin / 2
        reasons.append(_reason("automated"))
        return Classification(scores, disposition, _confidence(margin, _non_legal(sources), profile), tuple(reasons))
    # Ties go to the more conservative option: retain, then RPA (staff keep the case), then outsource.
    best = max((Disposition.RETAIN, Disposition.RPA, Disposition.OUTSOURCE), key=lambda d: scores[d])
    others = max(v for d, v in scores.items() if d not in (best, Disposition.AUTOMATED))
    margin = scores[best] - others
    limit = {Disposition.RPA: thresholds.rpa, Disposition.OUTSOURCE: thresholds.outsource}.get(best)
    if limit is not None and scores[best] < limit:
        reasons.append(_reason("below-threshold", rpa=rpa, outsource=outsource))
        margin = limit - scores[best]
        best = Disposition.RETAIN
    reasons.extend(_explain(best, features, scores, retain))
    confidence = _confidence(margin, _non_legal(sources), profile)
    if _inferred_share(sources) >= 0.5:
        reasons.append(_reason("inferred-data"))
    return Classification(scores, best, confidence, tuple(reasons))


def _non_legal(sources: Mapping[str, EvidenceSource]) -> dict[str, EvidenceSource]:
    return {k: v for k, v in sources.items() if k != "legal_authority"}


def gated_confidence(sources: Mapping[str, EvidenceSource], profile: Profile) -> float:
    """Confidence of a step the legal gate decided: full margin, discounted only for how the data were measured.

    The legal verdict is not a close call between scores, so the margin
    counts as full; the discount for inferred data stays.
    """
    return _confidence(profile.thresholds.confidence_margin, sources, profile)


def rpa_assist_reason(scores: Mapping[Disposition, float], profile: Profile) -> Reason | None:
    """The "RPA assistance possible" reason for a step staff keep for legal reasons, when its RPA score is high."""
    return _reason("rpa-assist") if scores.get(Disposition.RPA, 0.0) >= profile.thresholds.rpa_assist else None


def _explain(
    disposition: Disposition, features: Mapping[str, float], scores: Mapping[Disposition, float], retain: float
) -> list[Reason]:
    """The feature-based reasons for a disposition, strongest first."""
    out: list[Reason] = []
    f = features.get
    if disposition is Disposition.RPA:
        out.append(_reason("routine", value=f("routine", 0.0)))
        if f("system", 0.0) >= 0.5:
            out.append(_reason("system-work"))
        if f("face_to_face", 0.0) < 0.3:
            out.append(_reason("no-contact"))
        if f("digital_input", 1.0) < 0.5:
            out.append(_reason("paper-input"))
        if f("volume", 0.0) >= 0.5:
            out.append(_reason("volume"))
    elif disposition is Disposition.OUTSOURCE:
        if f("face_to_face", 0.0) >= 0.5:
            out.append(_reason("resident-contact"))
        if f("physical", 0.0) >= 0.5:
            out.append(_reason("physical"))
        out.append(_reason("contractable", value=f("routine", 0.0)))
    elif disposition is Disposition.RETAIN and f("judgment", 0.0) >= 0.5:
        out.append(_reason("judgment", value=f("judgment", 0.0)))
    elif disposition is Disposition.RETAIN and scores[Disposition.RETAIN] >= max(
        scores[Disposition.RPA], scores[Disposition.OUTSOURCE]
    ):
        out.append(_reason("not-routine", value=f("routine", 0.0)))
    return out


def _source_kind(source: EvidenceSource) -> str:
    if source is EvidenceSource.SURVEY:
        return "survey"
    if source is EvidenceSource.PROPERTY:
        return "property"
    if source is EvidenceSource.DEFAULT:
        return "default"
    return "inferred"


def _inferred_share(sources: Mapping[str, EvidenceSource]) -> float:
    used = [sources[k] for k in _KEY_FEATURES if k in sources]
    return sum(1 for s in used if s in _INFERRED or s is EvidenceSource.DEFAULT) / len(used) if used else 1.0


def _confidence(margin: float, sources: Mapping[str, EvidenceSource], profile: Profile) -> float:
    """quality × (0.5 + 0.5 × margin share): a clear margin on measured data → near 1."""
    used = [sources[k] for k in _KEY_FEATURES if k in sources]
    discount = (
        sum(profile.confidence.get(_source_kind(s), 0.0) for s in used) / len(used)
        if used
        else profile.confidence.get("default", 0.0)
    )
    share = _clip(margin / profile.thresholds.confidence_margin)
    return _clip((1.0 - discount) * (0.5 + 0.5 * share))


_LABELS = {
    Disposition.RPA: ("RPA", "RPA"),
    Disposition.OUTSOURCE: ("民間委託", "outsourcing"),
    Disposition.RETAIN: ("職員", "staff"),
    Disposition.AUTOMATED: ("自動化済み", "automated"),
    Disposition.REVIEW: ("要確認", "review"),
    Disposition.CONTRACTED: ("委託済み", "already contracted"),
}


EXPLAINING_CODES = frozenset({
    "routine", "system-work", "no-contact", "paper-input", "volume", "resident-contact", "physical", "contractable",
})
"""Codes of the reasons :func:`_explain` gives for RPA or outsourcing: generic sentences about the features,
which later stages replace with ones citing the step's own evidence (:mod:`scoring.explain`) or drop when the step
ends up with staff."""


_REASONS: dict[str, tuple[str, str]] = {
    "automated": ("システムが処理している手順（サービスタスク・システムのレーン）",
                  "Already performed by a system (service task or system lane)"),
    "rpa-assist": ("RPAによる補助が可能（職員が判断、入力・照合はRPAで補助）",
                   "RPA assistance possible (職員が判断、入力・照合はRPAで補助: "
                   "staff decide, a robot enters and matches)"),
    "below-threshold": ("RPA・委託の基準に届かない（RPA {rpa:.2f}・委託 {outsource:.2f}）",
                        "Below the RPA and outsourcing thresholds (RPA {rpa:.2f}, outsourcing {outsource:.2f})"),
    "routine": ("定型的でルールに沿って処理できる（定型性 {value:.2f}）",
                "Routine, rule-based work (routine {value:.2f})"),
    "system-work": ("システム端末での作業で、ロボットが画面操作を代行できる",
                    "Terminal work a robot can perform on the same screens"),
    "no-contact": ("住民との対面がない", "No face-to-face contact with residents"),
    "paper-input": ("入力が紙のため AI-OCR の併用を検討", "Paper input: consider AI-OCR with the robot"),
    "volume": ("処理量が多い", "High volume"),
    "resident-contact": ("住民対応・窓口での定型業務", "Routine counter work with residents"),
    "physical": ("紙・現金・証明書の受け渡しなど物理的な取扱い", "Physical handling of paper, cash or certificates"),
    "contractable": ("定型的で仕様書に定められる業務（定型性 {value:.2f}）",
                     "Routine work a contract can specify (routine {value:.2f})"),
    "judgment": ("判断を要する（審査・決定・相談など、判断 {value:.2f}）",
                 "Needs judgment (examination, decision, consultation; judgment {value:.2f})"),
    "not-routine": ("定型性が低く、RPA・委託の候補にならない（定型性 {value:.2f}）",
                    "Not routine enough for RPA or outsourcing (routine {value:.2f})"),
    "inferred-data": ("実測データがなく、推定に基づく判定", "Based on inferred values, not measurements"),
    "no-payback": ("新たな費用が削減額を上回り、回収できない",
                   "The new running cost exceeds the staff cost freed: no payback"),
}
"""The reason catalogue in both report languages: code → (ja, en) templates."""


@lru_cache(maxsize=4096, typed=True)
def _reason(code: str, **values: float | Disposition) -> Reason:
    """A reason from the catalogue, its numbers and disposition filled in; KeyError for an unknown code.

    Made once per distinct code and values: a reason is immutable, and most steps give the same few.
    """
    ja, en = _REASONS[code]
    favoured = values.get("favoured")
    favoured_ja, favoured_en = _LABELS[favoured] if isinstance(favoured, Disposition) else ("", "")
    numbers = {
        key: float(found) if isinstance(found := values.get(key), float | int) else 0.0
        for key in ("value", "rpa", "outsource")
    }
    fields = {**numbers, "favoured_ja": favoured_ja, "favoured_en": favoured_en}
    return Reason(code, ja.format(**fields), en.format(**fields))


def no_payback_reason() -> Reason:
    """Added by the assessment when the cost model finds no saving."""
    return _reason("no-payback")


K = TypeVar("K")


def rank(candidates: Sequence[tuple[K, Disposition, float, float, tuple[str, ...]]]) -> dict[K, int]:
    """Rank steps across the portfolio: 1 = most hours freed, weighted by suitability.

    Each candidate is ``(key, disposition, hours_freed, score, tie_breaker)``.
    Only RPA and outsourcing steps that free hours are ranked (a step the legal
    gate or the hand-off check kept with staff is not a candidate); the tie breaker
    (file, process, step id) keeps the order independent of input order.

    >>> rank([("a", Disposition.RPA, 100.0, 0.5, ("a",)), ("b", Disposition.OUTSOURCE, 100.0, 0.9, ("b",)),
    ...       ("c", Disposition.RETAIN, 500.0, 0.9, ("c",))])
    {'b': 1, 'a': 2}
    """
    eligible = [c for c in candidates if c[1] in (Disposition.RPA, Disposition.OUTSOURCE) and c[2] > 0]
    ordered = sorted(eligible, key=lambda c: (-round(c[2] * c[3], 9), c[4]))
    return {c[0]: index for index, c in enumerate(ordered, start=1)}
