"""No silent fallback in volumes (issue 7): unsolvable visits exclude the flow, named by its survey rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.survey import load_survey

DATA = Path(__file__).resolve().parents[1] / "data"
LEGAL = DATA / "legal"
PROFILE = load_profile()


def test_shares_summing_to_1_63_exclude_the_flow_and_name_the_survey_rows() -> None:
    """The 1.63 case: 0.92 + 0.7 (a typo for 0.07) + 0.01 used to fall back to 'every step once per case'.

    追完依頼 (30 min, 10,000 cases) then became 5,000 h and rank 1.
    """
    assessment = assess(
        [read_bpmn(LEGAL / "koseki_loop.bpmn"), read_bpmn(LEGAL / "konin_coarse.bpmn")],
        survey=load_survey(LEGAL / "shares_163.csv"), profile=PROFILE,
    )
    assert [p.name for p in assessment.processes] == ["婚姻届"], "the other flow is still assessed"
    (excluded,) = assessment.excluded
    assert excluded.name == "戸籍届出" and excluded.element_id == "G_Juri"
    assert "sum to 1.63" in excluded.message and "受理できる?" in excluded.message
    for row in ("row 5 (F_Juri = 0.92)", "row 6 (F_Tsuikan = 0.7)", "row 7 (F_Fujuri = 0.01)"):
        assert row in excluded.message
    assert "rows 5, 6, 7" in excluded.hint
    (error,) = [f for f in assessment.findings if f.rule == "volume-unsolvable"]
    assert error.severity.value == "error" and error.element_id == "G_Juri"
    assert error.source.file.endswith("koseki_loop.bpmn") and error.source.line is not None
    every = [s for p in assessment.processes for s in p.steps]
    assert assessment.totals.steps == len(every) == 3
    assert all(s.process_name != "戸籍届出" for s in assessment.ranked())
    assert assessment.totals.hours_per_year < 1000, "no 5,000-hour phantom"
    assert not [g for g in assessment.gaps if g.kind == "visits-failed"]


def test_a_loop_without_exit_excludes_the_flow() -> None:
    assessment = assess([read_bpmn(DATA / "lint" / "loop-without-exit.bpmn")], profile=PROFILE)
    assert assessment.processes == ()
    (excluded,) = assessment.excluded
    assert excluded.message.startswith(excluded.name)
    assert assessment.totals.steps == 0 and assessment.totals.hours_per_year == 0
    assert [f.rule for f in assessment.findings] == ["volume-unsolvable"]


def test_valid_shares_are_solved_exactly() -> None:
    assessment = assess([read_bpmn(LEGAL / "koseki_loop.bpmn")], survey=load_survey(LEGAL / "legal_survey.csv"),
                        profile=PROFILE)
    assert assessment.excluded == ()
    steps = {s.step_id: s for s in assessment.processes[0].steps}
    assert steps["T_Juryo"].visits == pytest.approx(1 / (1 - 0.07))
    assert steps["T_Tsuikan"].visits == pytest.approx(0.07 / (1 - 0.07))
