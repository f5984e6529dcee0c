"""Hours freed (人工削減) by hand: a fact of the flow, never yen by itself.

Issue 9 changed what this module does: it no longer books freed hours as
cash (that mixed the two effects), so the old hand-computed "saving" cases
were replaced by hours cases; cash is tested in test_staffing, test_lots,
test_cashflow and test_gate.
"""

from __future__ import annotations

import pytest

from bpm.model import ElementId, ProcessId, SourceRef
from scoring.cost import hours_freed, payback_months, rpa_hours, step_cost, totals
from scoring.profile import load_profile
from scoring.result import Disposition, StepAssessment, StepCost

PROFILE = load_profile()
assert PROFILE.money is not None
RPA = PROFILE.money.rpa


def step_with(disposition: Disposition, cost: StepCost) -> StepAssessment:
    return StepAssessment(
        file="x.bpmn", process_id=ProcessId("p"), process_name="p", step_id=ElementId(disposition.value),
        name="s", kind="userTask", lane_id=None, lane_name="", source=SourceRef("x.bpmn", 1), visits=1.0,
        annual_count=0.0, minutes_per_case=0.0, features={}, evidence=(), scores={}, disposition=disposition,
        confidence=1.0, reasons=(), legal_authority=False, cost=cost,
    )


def test_rpa_on_digital_input_by_hand() -> None:
    # 住基システム入力 from digital data: 5,200 × 8 min = 693.33 h; a robot frees 80 % = 554.67 h; no AI-OCR.
    cost = step_cost(Disposition.RPA, 5200, 8, PROFILE, digital_share=1.0)
    assert cost.hours_per_year == pytest.approx(693.3333, rel=1e-6)
    assert cost.fte == pytest.approx(693.3333 / 1920, rel=1e-6)
    assert cost.hours_freed_per_year == pytest.approx(554.6667, rel=1e-6)
    assert (cost.saving_yen_per_year, cost.net_5y_yen, cost.one_off_yen) == (0, 0, 0), "hours are not cash"


def test_rpa_on_paper_input_keeps_the_checking_time() -> None:
    # Paper forms read by AI-OCR: 60 % of 693.33 h = 416 h, minus checking 5,200 pages × 0.5 min = 43.33 h.
    hours = rpa_hours(693.3333333, 5200, 0.0, RPA)
    assert hours.reduction_share == 0.6
    assert hours.ocr_pages_per_year == 5200
    assert hours.check_hours_per_year == pytest.approx(43.3333, rel=1e-6)
    assert hours.hours_freed_per_year == pytest.approx(416.0 - 43.3333, rel=1e-6)


def test_rpa_reduction_depends_on_the_input_type() -> None:
    # Mixed input (survey 混在 = 0.5 digital): 0.5 × 80 % + 0.5 × 60 % = 70 %, checking half the executions.
    mixed = rpa_hours(100.0, 600, 0.5, RPA)
    assert mixed.reduction_share == pytest.approx(0.7)
    assert mixed.hours_freed_per_year == pytest.approx(70.0 - 300 * 0.5 / 60)
    shares = {d: rpa_hours(100.0, 600, d, RPA).reduction_share for d in (0.0, 0.5, 1.0)}
    assert shares[0.0] < shares[0.5] < shares[1.0], "not one 80 % for every step"


def test_checking_can_eat_all_the_hours_but_never_more() -> None:
    # 1,000 paper pages of 0.3 min each: 5 h of work, 8.3 h of checking → nothing freed, never negative.
    assert rpa_hours(5.0, 1000, 0.0, RPA).hours_freed_per_year == 0.0


def test_outsourcing_frees_all_hours_of_the_step() -> None:
    # 交付: 90,000 × 0.5 min = 750 h, all done by the contractor (the on-site post is a lot-level figure).
    cost = step_cost(Disposition.OUTSOURCE, 90_000, 0.5, PROFILE)
    assert cost.hours_per_year == pytest.approx(750)
    assert cost.hours_freed_per_year == pytest.approx(750)


@pytest.mark.parametrize("disposition", [Disposition.RETAIN, Disposition.AUTOMATED])
def test_retained_and_automated_steps_free_nothing(disposition: Disposition) -> None:
    cost = step_cost(disposition, 1000, 6, PROFILE, yen_per_hour=2000)
    assert cost.hours_per_year == 100
    assert cost.yen_per_year == 200_000
    assert hours_freed(disposition, 100, 1000, 1.0, PROFILE) == 0
    assert (cost.hours_freed_per_year, cost.new_cost_yen_per_year, cost.saving_yen_per_year) == (0, 0, 0)
    assert cost.payback_months is None


def test_today_priced_at_the_regular_full_cost_by_default() -> None:
    # 9,846,750 yen ÷ 1,920 h = 5,128.5 yen/h (the build-up of test_staffing).
    cost = step_cost(Disposition.RETAIN, 1920, 60, PROFILE)
    assert cost.yen_per_year == pytest.approx(9_846_750)


def test_payback_edges() -> None:
    assert payback_months(0, 1) == 0.0
    assert payback_months(120, 0) is None
    assert payback_months(1_200_000, 600_000) == 24.0


def test_totals_sum_and_list_every_disposition() -> None:
    steps = [
        step_with(Disposition.RPA, step_cost(Disposition.RPA, 5200, 8, PROFILE)),
        step_with(Disposition.OUTSOURCE, step_cost(Disposition.OUTSOURCE, 90_000, 0.5, PROFILE)),
    ]
    total = totals(steps, PROFILE.hours_per_fte)
    assert total.steps == 2
    assert total.hours_per_year == pytest.approx(693.3333 + 750, rel=1e-6)
    assert total.fte == pytest.approx((693.3333 + 750) / 1920, rel=1e-6)
    assert total.hours_freed_per_year == pytest.approx(554.6667 + 750, rel=1e-6)
    assert total.by_disposition == {Disposition.RPA: 1, Disposition.OUTSOURCE: 1, Disposition.RETAIN: 0,
                                    Disposition.AUTOMATED: 0, Disposition.REVIEW: 0, Disposition.CONTRACTED: 0}
    assert total.hours_by_disposition[Disposition.OUTSOURCE] == pytest.approx(750)
