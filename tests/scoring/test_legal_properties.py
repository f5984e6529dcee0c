"""No setting can be tuned around the legal gate (issue 7): property tests over weights, thresholds and prices.

Hypothesis draws whole scoring profiles — every weight, penalty, threshold,
hand-off parameter and price — and runs the real assessment on the probe
flows, the 戸籍届出 with its 追完 loop and the coarse 婚姻届.  Whatever it draws:

* no 公権力 or 要確認 step is outsourced, no 公権力 step runs as RPA, and a
  要確認 step runs as RPA only where the robot prepares;
* every outsourced step is a factual act of a listed procedure and cites its
  根拠通知;
* the legal verdict of every step is exactly the one under the default
  profile: no weight, threshold or price reaches it.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpm.model import Definitions
from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.legal import permitted
from scoring.money_params import vary
from scoring.profile import CostParams, HandoffParams, Profile, Thresholds, load_profile
from scoring.result import Assessment, Disposition, LegalClass, LegalStatus
from scoring.survey import Survey, load_survey

DATA = Path(__file__).resolve().parents[1] / "data" / "legal"
PROFILE = load_profile()

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
positive = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)


@cache
def runs() -> tuple[tuple[tuple[Definitions, ...], Survey | None], ...]:
    return (
        ((read_bpmn(DATA / "probes.bpmn"),), load_survey(DATA / "probes_survey.csv")),
        ((read_bpmn(DATA / "koseki_loop.bpmn"), read_bpmn(DATA / "konin_coarse.bpmn")),
         load_survey(DATA / "legal_survey.csv")),
    )


def assess_all(profile: Profile) -> list[Assessment]:
    return [assess(definitions, survey=survey, profile=profile) for definitions, survey in runs()]


def _verdicts(assessments: list[Assessment]) -> dict[tuple[str, str], LegalStatus]:
    return {(s.file, s.step_id): s.legal for a in assessments for p in a.processes for s in p.steps
            if s.legal is not None}


@cache
def baseline() -> dict[tuple[str, str], LegalStatus]:
    return _verdicts(assess_all(PROFILE))


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """Any profile the loader would accept: weights and penalties 0–1, thresholds 0–1, prices ≥ 0."""

    def table(template: dict[str, float], values: st.SearchStrategy[float]) -> dict[str, float]:
        return {key: draw(values) for key in template}

    weights = {score: table(dict(w), positive) for score, w in PROFILE.weights.items()}
    if "contact_floor" in weights["outsource"]:
        weights["outsource"]["contact_floor"] = draw(unit)
    penalties = {score: table(dict(p), unit) for score, p in PROFILE.penalties.items()}
    thresholds = Thresholds(
        rpa=draw(unit), outsource=draw(unit), automated=draw(unit), rpa_assist=draw(unit),
        exception_ceiling=draw(positive), confidence_margin=draw(positive),
    )
    cost = CostParams(staff_yen_per_hour=draw(st.one_of(st.just(0.0), st.floats(min_value=1.0, max_value=1e5))))
    # the money model's prices and policies too: the cost gate runs after the legal gate and may only withdraw
    assert PROFILE.money is not None
    money = PROFILE.money
    for key, values in (
        ("outsource.seat_hour_price", st.floats(min_value=0.0, max_value=10_000.0)),
        ("staffing.redeploy_share", unit),
        ("staff.regular.pay_per_fte", st.floats(min_value=1e6, max_value=3e7)),
        ("rpa.licence_per_robot_year", st.floats(min_value=0.0, max_value=5e6)),
    ):
        money = vary(money, key, draw(values))
    money = vary(money, "cost.staff_yen_per_hour", cost.staff_yen_per_hour)
    handoff = HandoffParams(max_per_case=draw(st.floats(min_value=0.0, max_value=5.0)),
                            min_staff_minutes=draw(st.floats(min_value=0.0, max_value=60.0)))
    signals = {name: draw(unit) for name in PROFILE.signals}
    return dataclasses.replace(PROFILE, weights=weights, penalties=penalties, thresholds=thresholds, cost=cost,
                               handoff=handoff, signals=signals, money=money)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_no_setting_outsources_public_authority_or_an_unknown_step(profile: Profile) -> None:
    assessments = assess_all(profile)
    for assessment in assessments:
        for process in assessment.processes:
            for step in process.steps:
                legal = step.legal
                assert legal is not None
                assert permitted(step.disposition, legal), (step.name, step.disposition, legal.legal_class)
                if legal.legal_class is not LegalClass.FACTUAL:
                    assert step.disposition is not Disposition.OUTSOURCE, step.name
                if legal.legal_class is LegalClass.AUTHORITY:
                    assert step.disposition is not Disposition.RPA, step.name
                if step.disposition is Disposition.OUTSOURCE:
                    basis = [r for r in step.reasons if r.code == "outsourcing-basis"]
                    assert basis and "内閣府" in basis[0].ja, step.name
                # the cost gate only withdraws: the final disposition is the legal gate's or staff
                assert step.disposition in (step.classified, Disposition.RETAIN), step.name
        if assessment.money is not None:
            lot_steps = {(i.step.file, i.step.process_id, i.step.step_id)
                         for lot in assessment.money.lots for i in lot.items}
            for process in assessment.processes:
                for step in process.steps:
                    if (step.file, step.process_id, step.step_id) in lot_steps:
                        assert step.legal is not None and step.legal.outsourceable, step.name
    assert _verdicts(assessments) == baseline(), "a weight, threshold or price changed a legal verdict"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(Disposition)), st.sampled_from(list(LegalClass)), st.booleans(), st.booleans())
def test_the_gate_is_idempotent_and_monotone(proposed: Disposition, legal_class: LegalClass, outsourceable: bool,
                                            robot: bool) -> None:
    from scoring.legal import gate

    status = LegalStatus(legal_class, outsourceable=outsourceable and legal_class is LegalClass.FACTUAL,
                         robot_may_prepare=robot or legal_class is LegalClass.FACTUAL)
    once = gate(proposed, status).disposition
    assert gate(once, status).disposition is once
    assert permitted(once, status)
