"""The lists of steps (overview top ten, 候補一覧, capacity view) get list rows, made only for the steps they show."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bpm.reader import read_bpmn
from reports import views
from reports.views import Catalogue, StepRow
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.survey import load_survey

CANDIDATES_PAY = Path(__file__).resolve().parents[1] / "data" / "scoring" / "candidates-pay.toml"


@pytest.fixture(scope="module")
def catalogue(flows_dir: Path) -> Catalogue:
    definitions = tuple(read_bpmn(p) for p in sorted(flows_dir.glob("*.bpmn")))
    assessment = assess(definitions, survey=load_survey(flows_dir / "survey.xlsx"),
                        profile=load_profile(CANDIDATES_PAY))
    return Catalogue(definitions, assessment, (), {})


def _without_details(row: StepRow) -> StepRow:
    return replace(row, features=(), data_sources=(), evidence=(), findings=())


def test_list_rows_are_flow_page_rows_without_the_details_panel(catalogue: Catalogue) -> None:
    for ref, step in views._all_steps(catalogue):
        full = views.step_row(step, ref, (), catalogue.review_of(step))
        listed = views.step_row(step, ref, (), catalogue.review_of(step), details=False)
        assert listed == _without_details(full)
        assert not listed.features and not listed.evidence and not listed.data_sources
    assert any(views.step_row(step, ref, ()).evidence for ref, step in views._all_steps(catalogue))


def test_the_overview_shows_the_first_ten_ranked_steps_of_the_candidates(catalogue: Catalogue) -> None:
    candidates = views.candidates_page(catalogue).rows
    ranked = [row for row in candidates if row.rank.sort]
    assert len(ranked) > 1, "the profile ranks candidates"
    top = views.index_page(catalogue, {}).top
    assert top == tuple(ranked[: views.TOP_STEPS])


def test_the_capacity_view_is_the_candidates_with_a_capacity_rank_in_that_order(catalogue: Catalogue) -> None:
    candidates = views.candidates_page(catalogue).rows
    expected = sorted((row for row in candidates if row.capacity_rank.sort),
                      key=lambda row: float(row.capacity_rank.sort))
    assert expected, "the profile gives candidates a capacity rank"
    assert views.capacity_page(catalogue).rows == tuple(expected)
