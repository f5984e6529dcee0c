"""Classification: score bounds, the decision procedure, the legal rule as a hard constraint after it, ranking.

The legal rule moved out of :func:`classify` into :func:`scoring.legal.gate`
(issue 7: the gate reads only legal evidence); the legal tests below run the
proposal through the gate, as the assessment does, and keep their assertions.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scoring.classify import Classification, classify, rank, rpa_assist_reason, score_options
from scoring.features import FEATURES
from scoring.legal import gate
from scoring.profile import load_profile
from scoring.result import Disposition, LegalClass, LegalStatus, Reason
from scoring.result import EvidenceSource as S

PROFILE = load_profile()
SURVEYED = {name: S.SURVEY for name in FEATURES}

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
feature_values = st.fixed_dictionaries({name: unit for name in FEATURES})
sources = st.fixed_dictionaries({name: st.sampled_from(list(S)) for name in FEATURES})


AUTHORITY = LegalStatus(LegalClass.AUTHORITY, robot_may_prepare=False)


def decide(values: dict[str, float], kinds: dict[str, S], legal: bool) -> tuple[Classification, Disposition,
                                                                               tuple[Reason, ...]]:
    """The proposal, then the gate as the assessment applies it (legal: a 公権力 verdict)."""
    proposal = classify(values, kinds, PROFILE)
    if not legal:
        return proposal, proposal.disposition, proposal.reasons
    decided = gate(proposal.disposition, AUTHORITY)
    assist = rpa_assist_reason(proposal.scores, PROFILE)
    reasons = (*decided.reasons, *proposal.reasons, *((assist,) if assist else ()))
    return proposal, decided.disposition, reasons


@given(feature_values, sources, st.booleans())
def test_scores_and_confidence_are_bounded(values: dict[str, float], kinds: dict[str, S], legal: bool) -> None:
    result, disposition, reasons = decide(values, kinds, legal)
    assert set(result.scores) == {Disposition.RPA, Disposition.OUTSOURCE, Disposition.RETAIN, Disposition.AUTOMATED}
    assert all(0.0 <= s <= 1.0 for s in result.scores.values())
    assert 0.0 <= result.confidence <= 1.0
    assert reasons, "every decision is explained"
    if legal:
        assert disposition not in (Disposition.OUTSOURCE, Disposition.RPA)
        assert any(r.code == "legal-authority" for r in reasons)


def counter_step(**overrides: float) -> dict[str, float]:
    """A routine, face-to-face counter step (receipt/handing over)."""
    values = {name: 0.0 for name in FEATURES}
    values.update(routine=0.95, volume=0.8, face_to_face=1.0, physical=1.0, digital_input=1.0)
    values.update(overrides)
    return values


def test_face_to_face_routine_work_is_outsourced() -> None:
    result = classify(counter_step(), SURVEYED, PROFILE)
    assert result.disposition is Disposition.OUTSOURCE
    assert {"resident-contact", "physical"} <= {r.code for r in result.reasons}


def test_legal_authority_overrides_outsourcing_whatever_the_scores() -> None:
    values = counter_step(legal_authority=1.0)
    scores = score_options(values, PROFILE)
    assert max(scores, key=scores.__getitem__) is Disposition.OUTSOURCE, "the numbers alone would outsource"
    _, disposition, reasons = decide(values, SURVEYED, True)
    assert disposition is Disposition.RETAIN
    codes = [r.code for r in reasons]
    assert codes[:2] == ["legal-authority", "legal-override"]
    assert "民間委託" in reasons[1].ja and "outsourcing" in reasons[1].en


def test_legal_step_with_high_rpa_score_gets_the_assistance_reason() -> None:
    values = {name: 0.0 for name in FEATURES}
    values.update(routine=0.95, system=1.0, volume=0.9, digital_input=1.0, legal_authority=1.0)
    assert score_options(values, PROFILE)[Disposition.RPA] >= PROFILE.thresholds.rpa_assist
    _, disposition, reasons = decide(values, SURVEYED, True)
    assert disposition is Disposition.RETAIN
    assist = next(r for r in reasons if r.code == "rpa-assist")
    assert "職員が判断、入力・照合はRPAで補助" in assist.ja
    assert assist.en.startswith("RPA assistance possible")


def test_digital_rule_based_back_office_work_is_rpa() -> None:
    values = {name: 0.0 for name in FEATURES}
    values.update(routine=0.9, system=0.8, volume=0.8, digital_input=1.0, physical=0.1)
    result = classify(values, SURVEYED, PROFILE)
    assert result.disposition is Disposition.RPA
    assert {"routine", "system-work", "no-contact"} <= {r.code for r in result.reasons}


def test_judgment_stays_with_staff() -> None:
    values = counter_step(judgment=1.0, routine=0.3)
    result = classify(values, SURVEYED, PROFILE)
    assert result.disposition is Disposition.RETAIN
    assert any(r.code == "judgment" for r in result.reasons)


def test_already_automated() -> None:
    values = counter_step(automated=1.0, face_to_face=0.0, physical=0.0)
    assert classify(values, SURVEYED, PROFILE).disposition is Disposition.AUTOMATED


def test_weak_candidates_are_retained_with_a_reason() -> None:
    values = {name: 0.0 for name in FEATURES}
    values.update(routine=0.4, system=0.3)
    result = classify(values, SURVEYED, PROFILE)
    assert result.disposition is Disposition.RETAIN
    assert result.reasons[0].code == "below-threshold"


def test_inferred_data_lowers_confidence() -> None:
    measured = classify(counter_step(), SURVEYED, PROFILE)
    guessed = classify(counter_step(), {name: S.DEFAULT for name in FEATURES}, PROFILE)
    assert guessed.disposition is measured.disposition
    assert guessed.confidence < measured.confidence
    assert any(r.code == "inferred-data" for r in guessed.reasons)


def test_rank_by_hours_freed_times_score() -> None:
    candidates = [
        ("small", Disposition.RPA, 100.0, 0.9, ("a",)),
        ("big", Disposition.OUTSOURCE, 1000.0, 0.5, ("b",)),
        ("kept", Disposition.RETAIN, 5000.0, 0.9, ("c",)),
        ("machine", Disposition.AUTOMATED, 5000.0, 1.0, ("d",)),
        ("nothing", Disposition.RPA, 0.0, 0.9, ("e",)),
        ("tie", Disposition.RPA, 100.0, 0.9, ("0",)),
    ]
    assert rank(candidates) == {"big": 1, "tie": 2, "small": 3}
    assert rank(list(reversed(candidates))) == rank(candidates)
