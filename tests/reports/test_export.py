"""The JSON export: a hand-built assessment of a real file, written and read back."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from bpm.model import Definitions, ElementId, ProcessId
from bpm.reader import read_bpmn
from reports.export import JSON_FORMAT, assessment_json, assessment_json_bytes
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import (
    Assessment,
    Branch,
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
from scoring.survey import load_survey

DATA = Path(__file__).resolve().parents[1] / "data" / "reports_nodi"
WITH_DI = DATA / "counter_di.bpmn"
NO_DI = DATA / "counter_nodi.bpmn"

PLAN = {
    "task_shinsei": (Disposition.RETAIN, 0.71, 0.4),
    "task_hakko": (Disposition.AUTOMATED, 0.9, 0.8),
    "task_kofu": (Disposition.OUTSOURCE, 0.64, 0.55),
}


def _cost(hours: float) -> StepCost:
    return StepCost(
        hours_per_year=hours,
        fte=hours / 1800,
        yen_per_year=hours * 4000,
        hours_freed_per_year=hours / 2,
        new_cost_yen_per_year=100_000.0,
        saving_yen_per_year=hours * 2000 - 100_000,
        one_off_yen=500_000.0,
        payback_months=14.5,
        net_5y_yen=1_234_567.0,
    )


def _step(definitions: Definitions, step_id: str, disposition: Disposition, score: float, confidence: float,
          file: str | None = None) -> StepAssessment:
    node = definitions.find_node(ElementId(step_id))
    assert node is not None
    return StepAssessment(
        file=file or definitions.file,
        process_id=node.process_id,
        process_name=definitions.processes[node.process_id].name,
        step_id=node.id,
        name=node.label,
        kind=node.kind.value,
        lane_id=node.lane_id,
        lane_name="",
        source=node.source,
        visits=1.0,
        annual_count=12000.0,
        minutes_per_case=4.5,
        features={"routine": 0.8, "judgment": 0.3},
        evidence=(
            Evidence("routine", 0.8, EvidenceSource.LEXICON, "名前に「発行」(issue) を含む"),
            Evidence("minutes_per_case", 4.5, EvidenceSource.PROPERTY, "camunda:property minutes"),
        ),
        scores={d: (score if d is disposition else 0.1) for d in Disposition},
        disposition=disposition,
        confidence=confidence,
        reasons=(
            Reason("routine", "定型的な入力作業です。", "Routine data entry."),
            Reason("volume", "年間件数が多い。", "High annual volume."),
        ),
        legal_authority=disposition is Disposition.RETAIN,
        cost=_cost(410.25),
        data_sources={"annual_count": EvidenceSource.SURVEY},
        rank=1,
    )


def _assessment(definitions: Definitions, plan: dict[str, tuple[Disposition, float, float]] = PLAN,
                file: str | None = None) -> Assessment:
    steps = tuple(_step(definitions, sid, *values, file=file) for sid, values in plan.items())
    totals = Totals(
        steps=len(steps), hours_per_year=1230.75, fte=0.68, yen_per_year=4.9e6,
        hours_freed_per_year=600.0, saving_yen_per_year=1.1e6, one_off_yen=1.5e6, net_5y_yen=4.0e6,
        by_disposition={Disposition.RPA: 0, Disposition.RETAIN: 1},
        hours_by_disposition={Disposition.RETAIN: 410.25},
    )
    process_id = next(iter(definitions.processes))
    process = ProcessAssessment(
        file=file or definitions.file,
        process_id=ProcessId(process_id),
        name=definitions.processes[process_id].name,
        annual_cases=12000.0,
        annual_cases_source=EvidenceSource.SURVEY,
        steps=steps,
        totals=totals,
        visits={s.step_id: 1.0 for s in steps},
        branches=(
            Branch(ElementId("gw"), ElementId("flow_yes"), ElementId("task_shinsei"), 0.25, EvidenceSource.SURVEY),
            Branch(ElementId("task_shinsei"), ElementId("timer"), ElementId("end"), 0.1, EvidenceSource.DEFAULT,
                   via_event=True),
        ),
    )
    return Assessment(
        processes=(process,),
        totals=totals,
        profile_name="default",
        profile_sources={"hourly_yen": "総務省 地方公務員給与実態調査 (2023)", "fte_hours": "1800 h"},
        gaps=(DataGap("unmatched-row", "調査票の行「転出届」がどの手順とも一致しません", "survey.xlsx", 7),),
    )


# --------------------------------------------------------------------------- JSON


def test_assessment_json_round_trips_with_everything() -> None:
    definitions = read_bpmn(WITH_DI)
    assessment = _assessment(definitions)
    text = assessment_json(assessment)
    document = json.loads(text)
    assert list(document)[:2] == ["format", "version"]
    assert document["format"] == JSON_FORMAT
    assert list(document)[2:] == ["processes", "totals", "profile_name", "profile_sources", "gaps", "findings",
                                  "overrides", "excluded", "money"]
    step = document["processes"][0]["steps"][0]
    assert step["step_id"] == "task_shinsei"
    assert step["disposition"] == "retain"
    assert step["scores"]["retain"] == 0.71
    assert list(step["scores"]) == sorted(step["scores"])
    assert step["evidence"][0] == {
        "feature": "routine", "value": 0.8, "source": "lexicon", "detail": "名前に「発行」(issue) を含む",
    }
    assert step["reasons"][0] == {"code": "routine", "ja": "定型的な入力作業です。", "en": "Routine data entry."}
    assert step["cost"]["payback_months"] == 14.5
    node = definitions.find_node(ElementId("task_shinsei"))
    assert node is not None
    assert step["source"] == {"file": str(WITH_DI), "line": node.source.line}
    assert step["data_sources"] == {"annual_count": "survey"}
    assert document["gaps"][0]["message"].startswith("調査票の行")
    assert document["profile_sources"]["hourly_yen"].startswith("総務省")
    assert document["totals"]["by_disposition"] == {"retain": 1, "rpa": 0}
    assert document["processes"][0]["branches"] == [
        {"from_id": "gw", "via_id": "flow_yes", "target_id": "task_shinsei", "probability": 0.25,
         "source": "survey", "via_event": False},
        {"from_id": "task_shinsei", "via_id": "timer", "target_id": "end", "probability": 0.1,
         "source": "default", "via_event": True},
    ]
    assert "定型的" in text  # ensure_ascii=False: readable Japanese
    assert assessment_json(assessment) == text


def test_assessment_json_turns_non_finite_numbers_into_null() -> None:
    definitions = read_bpmn(WITH_DI)
    assessment = _assessment(definitions)
    step = assessment.processes[0].steps[0]
    bad = dataclasses.replace(step, cost=dataclasses.replace(step.cost, payback_months=float("inf")))
    process = dataclasses.replace(assessment.processes[0], steps=(bad,))
    document = json.loads(assessment_json(dataclasses.replace(assessment, processes=(process,))))
    assert document["processes"][0]["steps"][0]["cost"]["payback_months"] is None


def _reference_plain(value: Any) -> Any:
    """The document as the first JSON export built it (a plain recursive walk), for comparison."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _reference_plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.metadata.get("json", True)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        items = {str(k.value) if isinstance(k, Enum) else str(k): _reference_plain(v) for k, v in value.items()}
        return {k: items[k] for k in sorted(items)}
    if isinstance(value, list | tuple):
        return [_reference_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def test_assessment_json_is_the_standard_library_document_byte_for_byte(flows_dir: Path) -> None:
    """orjson writes the whole sample library's assessment exactly as json.dumps(indent=2) did (issue 13)."""
    paths = sorted(flows_dir.glob("*.bpmn"))
    assessment = assess([read_bpmn(p) for p in paths], survey=load_survey(flows_dir / "survey.xlsx"),
                        profile=load_profile())
    reference = {"format": JSON_FORMAT, "version": 1, **_reference_plain(assessment)}
    expected = json.dumps(reference, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    assert assessment_json_bytes(assessment) == expected.encode("utf-8")
    assert assessment_json(assessment) == expected
