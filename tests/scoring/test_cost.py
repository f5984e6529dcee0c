"""The cost model against figures computed by hand from the default profile."""

from __future__ import annotations

import pytest

from bpm.model import ElementId, ProcessId, SourceRef
from scoring.cost import payback_months, step_cost, totals
from scoring.profile import load_profile
from scoring.result import Disposition, StepAssessment, StepCost

PROFILE = load_profile()


def step_with(disposition: Disposition, cost: StepCost) -> StepAssessment:
    return StepAssessment(
        file="x.bpmn", process_id=ProcessId("p"), process_name="p", step_id=ElementId(disposition.value),
        name="s", kind="userTask", lane_id=None, lane_name="", source=SourceRef("x.bpmn", 1), visits=1.0,
        annual_count=0.0, minutes_per_case=0.0, features={}, evidence=(), scores={}, disposition=disposition,
        confidence=1.0, reasons=(), legal_authority=False, cost=cost,
    )


def test_rpa_step_by_hand() -> None:
    # 住基システム入力: 5,200 cases × 8 min = 693.33 h; RPA frees 80 % = 554.67 h.
    cost = step_cost(Disposition.RPA, 5200, 8, PROFILE)
    assert cost.hours_per_year == pytest.approx(693.3333, rel=1e-6)
    assert cost.fte == pytest.approx(693.3333 / 1920, rel=1e-6)  # 0.3611 人
    assert cost.yen_per_year == pytest.approx(693.3333 * 3285, rel=1e-6)  # 2,277,600 円
    assert cost.hours_freed_per_year == pytest.approx(554.6667, rel=1e-6)
    # one robot (900,000 dev, 600,000/yr licence, 15 % maintenance) shared by 3 steps
    assert cost.one_off_yen == pytest.approx(300_000)
    assert cost.new_cost_yen_per_year == pytest.approx((600_000 + 0.15 * 900_000) / 3)  # 245,000
    assert cost.saving_yen_per_year == pytest.approx(554.6667 * 3285 - 245_000, rel=1e-6)  # 1,577,080
    assert cost.payback_months == pytest.approx(300_000 / (1_577_080 / 12), rel=1e-5)  # ≈ 2.28 months
    assert cost.net_5y_yen == pytest.approx(5 * 1_577_080 - 300_000, rel=1e-6)


def test_outsourced_step_by_hand() -> None:
    # 交付: 90,000 × 0.5 min = 750 h; staff keep 10 % for supervision → 675 h freed.
    cost = step_cost(Disposition.OUTSOURCE, 90_000, 0.5, PROFILE)
    assert cost.hours_per_year == pytest.approx(750)
    assert cost.hours_freed_per_year == pytest.approx(675)
    assert cost.new_cost_yen_per_year == pytest.approx(750 * 2075 * 1.25)  # 1,945,312.5
    assert cost.saving_yen_per_year == pytest.approx(675 * 3285 - 1_945_312.5)  # 272,062.5 (≈11 %)
    assert cost.one_off_yen == 100_000
    assert cost.payback_months == pytest.approx(100_000 / (272_062.5 / 12))
    assert cost.net_5y_yen == pytest.approx(5 * 272_062.5 - 100_000)


@pytest.mark.parametrize("disposition", [Disposition.RETAIN, Disposition.AUTOMATED])
def test_retained_and_automated_steps_free_nothing(disposition: Disposition) -> None:
    cost = step_cost(disposition, 1000, 6, PROFILE)
    assert cost.hours_per_year == 100
    assert cost.yen_per_year == 328_500
    assert (cost.hours_freed_per_year, cost.new_cost_yen_per_year, cost.saving_yen_per_year) == (0, 0, 0)
    assert cost.one_off_yen == 0 and cost.net_5y_yen == 0
    assert cost.payback_months is None


def test_small_rpa_step_never_pays_back() -> None:
    cost = step_cost(Disposition.RPA, 100, 1, PROFILE)  # 1.67 h/yr cannot carry 245,000 円 a year
    assert cost.saving_yen_per_year < 0
    assert cost.payback_months is None
    assert cost.net_5y_yen < 0


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
    assert total.saving_yen_per_year == pytest.approx(sum(s.cost.saving_yen_per_year for s in steps))
    assert total.by_disposition == {Disposition.RPA: 1, Disposition.OUTSOURCE: 1, Disposition.RETAIN: 0,
                                    Disposition.AUTOMATED: 0, Disposition.REVIEW: 0}
    assert total.hours_by_disposition[Disposition.OUTSOURCE] == pytest.approx(750)
