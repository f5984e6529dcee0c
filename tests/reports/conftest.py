"""Shared inputs for the report tests: real BPMN read by the real reader, and an Assessment.

The Assessment is built here by hand with deterministic, plausible numbers so
that the site tests do not depend on the scoring modules' exact output; the
shapes (dispositions, ranks, legal steps, gaps) cover every branch of the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bpm.lint import Finding, Severity, lint
from bpm.model import Definitions, ElementId, FlowNode, TaskKind
from bpm.reader import read_bpmn
from reports.site import SiteInput
from scoring.result import (
    Assessment,
    DataGap,
    Disposition,
    Evidence,
    EvidenceSource,
    ProcessAssessment,
    Reason,
    StepAssessment,
    StepCost,
    Totals,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "reports"
HOSTILE = "<script>alert(1)</script>"
QUOTES = "\"'&"


HOURS_PER_FTE = 1920.0
YEN_PER_HOUR = 3285.0
ANNUAL_CASES = {"proc_cert": 60_000.0, "proc_move": 5_000.0}
VISITS = {"t_identity": 1.11, "t_fix": 0.11}


def _features(node: FlowNode) -> dict[str, float]:
    if node.kind is TaskKind.SERVICE:
        return {"routine": 1.0, "judgment": 0.0, "system": 1.0}
    if "判断" in node.name or "審査" in node.name:
        return {"routine": 0.3, "judgment": 0.9, "legal_authority": 1.0}
    if node.kind is TaskKind.BUSINESS_RULE or "入力" in node.name:
        return {"routine": 0.9, "judgment": 0.2, "system": 0.6}
    if node.kind is TaskKind.MANUAL:
        return {"routine": 0.75, "judgment": 0.15, "face_to_face": 0.9, "physical": 0.6}
    return {"routine": 0.5, "judgment": 0.5}


def _disposition(node: FlowNode, features: dict[str, float]) -> Disposition:
    if node.kind is TaskKind.SERVICE:
        return Disposition.AUTOMATED
    if features.get("legal_authority"):
        return Disposition.RETAIN
    if features["routine"] >= 0.85:
        return Disposition.RPA
    if node.kind is TaskKind.MANUAL:
        return Disposition.OUTSOURCE
    return Disposition.RETAIN


def _step(definitions: Definitions, node: FlowNode, process_name: str, annual_cases: float) -> StepAssessment:
    process = definitions.processes[node.process_id]
    lane = next((lane for lane in process.all_lanes() if lane.id == node.lane_id), None)
    features = _features(node)
    disposition = _disposition(node, features)
    visits = VISITS.get(node.id, 1.0)
    minutes_by_kind: dict[object, float] = {TaskKind.MANUAL: 3.0, TaskKind.BUSINESS_RULE: 2.0, TaskKind.USER: 6.0}
    minutes = minutes_by_kind.get(node.kind, 0.5)
    hours = annual_cases * visits * minutes / 60
    share = {Disposition.RPA: 0.8, Disposition.OUTSOURCE: 0.9}.get(disposition, 0.0)
    freed = hours * share
    new_cost = {Disposition.RPA: 400_000.0, Disposition.OUTSOURCE: freed * YEN_PER_HOUR * 0.6}.get(disposition, 0.0)
    saving = freed * YEN_PER_HOUR - new_cost
    one_off = {Disposition.RPA: 1_500_000.0, Disposition.OUTSOURCE: 500_000.0}.get(disposition, 0.0)
    payback = one_off / saving * 12 if saving > 0 and one_off > 0 else None
    reasons = [Reason("by-type", f"{node.kind.value} の手順", f"a {node.kind.value} step")]
    if features.get("legal_authority"):
        reasons.append(Reason("legal-authority", "公権力の行使にあたるため職員が担当", "exercises public authority"))
    if node.id == "t_evil":
        reasons.append(Reason("hostile", f"理由 {HOSTILE}", f"reason {QUOTES}"))
    evidence = (
        *(
            Evidence(
                name,
                value,
                EvidenceSource.BPMN_TYPE if name != "judgment" else EvidenceSource.LEXICON,
                f"{node.label} から推定" if node.id != "t_evil" else f"detail {HOSTILE}",
            )
            for name, value in features.items()
        ),
        Evidence("minutes_per_case", minutes, EvidenceSource.DEFAULT, "profile default"),
    )
    return StepAssessment(
        file=definitions.file,
        process_id=node.process_id,
        process_name=process_name,
        step_id=node.id,
        name=node.label,
        kind=node.kind.value,
        lane_id=node.lane_id,
        lane_name=lane.name if lane else "",
        source=node.source,
        visits=visits,
        annual_count=annual_cases * visits,
        minutes_per_case=minutes,
        features=features,
        evidence=evidence,
        scores={d: (0.9 if d is disposition else 0.3) for d in Disposition},
        disposition=disposition,
        confidence=0.6 if disposition is Disposition.RPA else 0.75,
        reasons=tuple(reasons),
        legal_authority=bool(features.get("legal_authority")),
        cost=StepCost(
            hours_per_year=hours,
            fte=hours / HOURS_PER_FTE,
            yen_per_year=hours * YEN_PER_HOUR,
            hours_freed_per_year=freed,
            new_cost_yen_per_year=new_cost,
            saving_yen_per_year=saving,
            one_off_yen=one_off,
            payback_months=payback,
            net_5y_yen=5 * saving - one_off,
        ),
        data_sources={"minutes_per_case": EvidenceSource.DEFAULT, "annual_count": EvidenceSource.PROPERTY},
    )


def _totals(steps: list[StepAssessment]) -> Totals:
    by: dict[Disposition, int] = {}
    hours_by: dict[Disposition, float] = {}
    for s in steps:
        by[s.disposition] = by.get(s.disposition, 0) + 1
        hours_by[s.disposition] = hours_by.get(s.disposition, 0.0) + s.cost.hours_per_year
    return Totals(
        steps=len(steps),
        hours_per_year=sum(s.cost.hours_per_year for s in steps),
        fte=sum(s.cost.fte for s in steps),
        yen_per_year=sum(s.cost.yen_per_year for s in steps),
        hours_freed_per_year=sum(s.cost.hours_freed_per_year for s in steps),
        saving_yen_per_year=sum(s.cost.saving_yen_per_year for s in steps),
        one_off_yen=sum(s.cost.one_off_yen for s in steps),
        net_5y_yen=sum(s.cost.net_5y_yen for s in steps),
        by_disposition=by,
        hours_by_disposition=hours_by,
    )


def hand_assessment(definitions: tuple[Definitions, ...]) -> Assessment:
    """An Assessment with ranks by saving, like the scoring produces."""
    processes: list[ProcessAssessment] = []
    for d in definitions:
        for process in d.processes.values():
            cases = ANNUAL_CASES.get(process.id, 1000.0)
            steps = [
                _step(d, node, process.name, cases)
                for node in process.nodes.values()
                if isinstance(node.kind, TaskKind)
            ]
            visits = {ElementId(n): VISITS.get(n, 1.0) for n in process.nodes}
            processes.append(
                ProcessAssessment(
                    d.file,
                    process.id,
                    process.name,
                    cases,
                    EvidenceSource.PROPERTY,
                    tuple(steps),
                    _totals(steps),
                    visits,
                )
            )
    ranked = sorted(
        (s for p in processes for s in p.steps if s.cost.hours_freed_per_year > 0),
        key=lambda s: (-s.cost.saving_yen_per_year, s.file, s.step_id),
    )
    rank_of = {(s.file, s.step_id): i for i, s in enumerate(ranked, start=1)}
    processes = [
        replace(p, steps=tuple(replace(s, rank=rank_of.get((s.file, s.step_id))) for s in p.steps)) for p in processes
    ]
    all_steps = [s for p in processes for s in p.steps]
    return Assessment(
        processes=tuple(processes),
        totals=_totals(all_steps),
        profile_name="default",
        profile_sources={
            "yen_per_hour": "3,285円/h: 宇城市 3,632 h ↔ 1,193万円 [D]",
            "hours_per_fte": "1,920 h/人: 宇城市 22,654 h = 11.8人 [D]",
            "note": f"user text {HOSTILE} {QUOTES}",
        },
        gaps=(
            DataGap("unmatched-row", f"row names no step: {HOSTILE}", "survey.csv", 7),
            DataGap("no-data", "no measured minutes; default used", definitions[0].file, None, "t_decide"),
        ),
    )


def all_findings(definitions: tuple[Definitions, ...]) -> tuple[Finding, ...]:
    """Real lint findings plus hostile ones with user-controlled text (on an element and on a file)."""
    first = definitions[0]
    node = first.find_node(ElementId("t_evil"))
    assert node is not None
    hostile = (
        Finding(
            "name-suspicious",
            Severity.WARNING,
            f"name contains markup {HOSTILE}",
            node.source,
            ElementId("t_evil"),
            f"rename it {QUOTES}",
        ),
        Finding(
            "missing-di-label", Severity.INFO, "gateway has a question as name", first.source, ElementId("g_complete")
        ),
        Finding("no-di", Severity.ERROR, "file has no diagram", definitions[1].source, None, "draw it"),
    )
    return (*(f for d in definitions for f in lint(d)), *hostile)


def make_site_input(definitions: tuple[Definitions, ...]) -> SiteInput:
    """Site input for any BPMN files: real lint findings, hand-built assessment, two downloads."""
    return SiteInput(
        definitions=definitions,
        findings=tuple(f for d in definitions for f in lint(d)),
        assessment=hand_assessment(definitions),
    )


@pytest.fixture(scope="session")
def site_definitions() -> tuple[Definitions, ...]:
    """The two hand-made test files: one with DI and hostile names, one without DI."""
    return tuple(read_bpmn(DATA / name) for name in ("certificate.bpmn", "no_di.bpmn"))


@pytest.fixture(scope="session")
def site_input(site_definitions: tuple[Definitions, ...]) -> SiteInput:
    """Everything the site shows for the test files, hostile text included."""
    return SiteInput(
        definitions=site_definitions,
        findings=all_findings(site_definitions),
        assessment=hand_assessment(site_definitions),
        downloads={
            "results.csv": "step,hours\n申請書受領,3000\n".encode(),
            "annotated/住民票 copy.bpmn": b"<definitions/>",
        },
    )


@pytest.fixture(scope="session")
def site_input_for() -> Callable[[tuple[Definitions, ...]], SiteInput]:
    """Build a site input for other BPMN files (e.g. the shipped samples)."""
    return make_site_input
