"""Helpers shared by the assessment tests: a small survey sheet written from rows, steps looked up by id."""

from __future__ import annotations

from pathlib import Path

from scoring.result import Assessment, StepAssessment

HEADER = "業務,手順ID,手順,件数,処理時間(分),例外率,入力形式,使用システム,判断,公権力の行使,分岐確率,備考"
"""The survey columns without the optional 課/係/職種."""
HEADER_WITH_STAFF_TYPE = HEADER + ",職種"
"""The same with the 職種 column (who does the step today)."""


def steps_by_id(assessment: Assessment) -> dict[str, StepAssessment]:
    """Every assessed step of every process, by its element id."""
    return {s.step_id: s for p in assessment.processes for s in p.steps}


def survey_file(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    """A survey CSV (UTF-8 with BOM, as Excel writes it) of the header and the given rows."""
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    return path
