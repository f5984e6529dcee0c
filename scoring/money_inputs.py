"""The facts of an assessed step that the money stage reads: measured inputs only, no yen.

Why a module of its own: the money stage (:mod:`scoring.money`) is a pure
function of these facts and the profile, so it can be tested on hand-made
steps; this is the one place that knows where each fact comes from in an
assessment — the survey row, the BPMN properties, the pool name, the
features and their evidence — and the legal verdict it must carry along.

The candidate a :class:`~scoring.cost.MoneyStep` carries is the disposition
*after* the legal gate and the hand-off check: the money stage can only
withdraw it, never add one, and the step's :class:`~scoring.result.LegalStatus`
travels with it so that lots, 委託可否 and 根拠通知 are read from the legal
verdict and nowhere else.
"""

from __future__ import annotations

import dataclasses

from bpm.model import FlowNode
from scoring.context import node_properties
from scoring.cost import MoneyStep
from scoring.profile import Profile
from scoring.result import EvidenceSource, LegalClass, LegalStatus, StepAssessment, StepKey
from scoring.staffing import OrgInputs, step_org
from scoring.survey import SurveyRow, parse_systems

S = EvidenceSource

_FAIL_SAFE = LegalStatus(LegalClass.UNKNOWN, robot_may_prepare=False)
"""The verdict assumed for a step that carries none (hand-made steps only): nothing may be outsourced or automated."""


def money_step(
    step: StepAssessment,
    node: FlowNode,
    row: SurveyRow | None,
    *,
    order: int,
    annual_cases: float,
    pool_name: str,
    profile: Profile,
) -> tuple[MoneyStep, str | None]:
    """One step's money facts, and a problem text when its 職種 cell cannot be read.

    ``order`` is the step's position in its flow (for "before / after"
    evidence), ``annual_cases`` the flow's cases a year.
    """
    assert profile.money is not None
    props = node_properties(node)
    if row is not None and (row.section or row.unit or row.staff_type):
        org_in = OrgInputs(row.section, row.unit, row.staff_type, S.SURVEY)
    else:
        org_in = OrgInputs(props.get("section", ""), props.get("unit", ""), props.get("staff_type", ""), S.PROPERTY)
    counter = step.features.get("face_to_face", 0.0) >= profile.money.queue.counter_face_to_face
    if step.contracted is not None:  # 職種「委託」 is not a staff type: no staff mix, no staff cost
        org_in = dataclasses.replace(org_in, staff_type="")
    org, problem = step_org(dataclasses.replace(org_in, pool_name=pool_name, flow_name=step.process_name,
                                                counter=counter), profile.money)
    if step.contracted is not None:
        org = dataclasses.replace(org, mix={}, detail=f"受託者（委託済み）: {step.contracted.detail}")
    digital = step.features.get("digital_input", 1.0)
    if row is not None and row.input_form is not None:
        form, detail = row.input_form, f"調査票 行{row.line}: 入力形式 = {row.input_label}"
    elif "input" in props:
        form, detail = input_form_of(digital), f"BPMNプロパティ input = {props['input']}"
    else:
        source = step.data_sources.get("digital_input", S.DEFAULT)
        form, detail = input_form_of(digital), f"推定（digital_input {digital:.2f}、{source.value}）"
    systems = row.systems if row is not None and row.systems else parse_systems(props.get("systems", ""))
    return MoneyStep(
        key=StepKey(step.file, step.process_id, step.step_id), name=step.name, flow_name=step.process_name,
        lane=step.lane_name, order=order, annual_cases=annual_cases, visits=step.visits,
        annual_count=step.annual_count, minutes_per_case=step.minutes_per_case,
        hours_per_year=step.cost.hours_per_year, candidate=step.disposition,
        suitability=step.scores.get(step.disposition, 0.0), face_to_face=step.features.get("face_to_face", 0.0),
        digital_share=digital, input_form=form, input_detail=detail, systems=tuple(systems), org=org,
        legal=step.legal if step.legal is not None else _FAIL_SAFE, reasons=step.reasons,
        note=row.note if row is not None else "", resident_present=counter and step.data_sources.get(
            "face_to_face", S.DEFAULT) in (S.STRUCTURE, S.PROPERTY, S.SURVEY, S.USER),
        count_source=step.data_sources.get("annual_count", S.DEFAULT),
        minutes_source=step.data_sources.get("minutes_per_case", S.DEFAULT),
        features=step.features, evidence=step.evidence, scores=step.scores, contracted=step.contracted is not None,
    ), problem


def input_form_of(digital_share: float) -> str:
    """``digital``, ``paper`` or ``mixed`` from the digital-input share.

    >>> input_form_of(0.9), input_form_of(0.1), input_form_of(0.5)
    ('digital', 'paper', 'mixed')
    """
    if digital_share >= 0.75:
        return "digital"
    if digital_share <= 0.25:
        return "paper"
    return "mixed"
