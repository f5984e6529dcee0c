"""The money stage's bookkeeping: the collector paused while it runs, and each robot's record found by id."""

from __future__ import annotations

import gc

import pytest

import scoring.money as money_module
from scoring.money import money_stage
from scoring.result import Disposition
from tests.scoring.money_fixtures import AUTHORITY, PROFILE, random_portfolio, step


def test_collector_paused_while_the_stage_runs_and_restored_after() -> None:
    seen: list[bool] = []
    original = money_module._money_stage

    def spy(*args: object) -> object:
        seen.append(gc.isenabled())
        return original(*args)  # type: ignore[arg-type]

    money_module._money_stage = spy  # type: ignore[assignment]
    was = gc.isenabled()
    gc.enable()
    try:
        money_stage(random_portfolio(3, 12), PROFILE)
        assert seen == [False] and gc.isenabled()
        gc.disable()  # a caller's own setting is left alone
        money_stage(random_portfolio(3, 12), PROFILE)
        assert seen == [False, False] and not gc.isenabled()
    finally:
        money_module._money_stage = original
        gc.enable() if was else gc.disable()


def test_collector_back_on_after_an_error() -> None:
    was = gc.isenabled()
    gc.enable()
    try:
        refused = [step("kettei", Disposition.OUTSOURCE, annual_count=3000, minutes=5.0, legal=AUTHORITY)]
        with pytest.raises(ValueError, match="legal gate must run"):
            money_stage(refused, PROFILE)
        assert gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_scenario_records_found_by_id_equal_the_scans(seed: int) -> None:
    """Every robot's record (adopted, and withdrawn from its snapshot) names the draft and the deployment the
    scans over the evaluation's scenarios and deployments find."""
    outcome = money_stage(random_portfolio(seed, 40), PROFILE)
    records = outcome.summary.rpa_scenarios
    assert records, "the portfolio has robots"
    deployments = {d.deployment_id: d for d in outcome.summary.rpa_deployments}
    for record in records:
        if not record.withdrawn:
            assert record.scenario_id in deployments[record.deployment_id].scenarios
    assert len({r.scenario_id for r in records}) == len(records)


def test_drafts_match_linear_scans() -> None:
    from scoring.cashflow import evaluate
    from scoring.gate import cost_gate

    steps = random_portfolio(4, 40)
    assert PROFILE.money is not None
    cache: dict[tuple[object, ...], object] = {}
    gate = cost_gate(steps, PROFILE.money, cache)
    evaluation = evaluate(steps, gate.candidates, PROFILE.money, cache)
    found = money_module._drafts(evaluation)
    assert list(found) == [s.scenario_id for s in evaluation.scenarios]
    for sid, (scenario, deployment) in found.items():
        assert scenario is next(s for s in evaluation.scenarios if s.scenario_id == sid)
        assert deployment is next(d for d in evaluation.deployments if scenario in d.scenarios)
