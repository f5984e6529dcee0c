"""A city's run for `bpm compare` gates without pricing: the same figures and site as a run priced in full.

Why: the comparison shows hours, dispositions, shares and findings, never
cash, ranges or reasons, so :func:`scoring.city_run.assess_city` asks the
assessment for the cost gate's decisions only (``money_in_full=False``).
These tests hold it to the priced run: the same dispositions on hand-made
steps, the same steps, findings and figures on every sample city (each has
steps the gate withdraws), the same late hand-off move, and the same site
byte for byte.
"""

from __future__ import annotations

import dataclasses
import gc
from pathlib import Path

import pytest
from counter_chain import late_hand_off_case
from money_fixtures import AUTHORITY, PROFILE, money_with, step

from bpm.reader import read_bpmn
from reports.compare_site import CompareInput, render_compare
from scoring.assess import assess
from scoring.city_run import CityFiles, CityResult, assess_city
from scoring.compare import compare
from scoring.cost import MoneyStep
from scoring.money import gated_dispositions, money_stage
from scoring.profile import Profile, load_profile
from scoring.result import Assessment, Disposition, Evidence
from scoring.survey import load_survey

CITIES = Path(__file__).resolve().parents[2] / "flows" / "compare"
MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
OUT, R = Disposition.OUTSOURCE, Disposition.RETAIN
SOME_CITIES = ("a-cho", "c-shi", "g-shi")
"""Three sample cities of three sizes (a town, a mid city, a large one; 14–48 steps withdrawn by the gate)."""


def city_files(folder: Path) -> CityFiles:
    bpmn = tuple(sorted((str(p), p.relative_to(folder).as_posix()) for p in folder.rglob("*.bpmn")))
    survey = folder / "survey.csv"
    profile = folder / "profile.toml"
    return CityFiles(folder.name, str(folder), str(folder / "municipality.toml"), bpmn,
                     str(survey) if survey.is_file() else None, str(profile) if profile.is_file() else None)


def portfolios() -> list[list[MoneyStep]]:
    """A lot that loses money, a busy lot that pays, and both in one portfolio (posts are pooled)."""
    quiet = [step("kofu", OUT, annual_count=3000, minutes=1.0, order=0),
             step("shinsa", R, annual_count=3000, minutes=20.0, face=0.2, order=1)]
    busy = [step("uketsuke", OUT, annual_count=480_000, minutes=1.2, order=0),
            step("kofu2", OUT, annual_count=240_000, minutes=1.0, order=2),
            step("shinsa2", R, annual_count=480_000, minutes=3.0, face=0.1, order=1)]
    return [quiet, busy, quiet + busy]


PAYING = dataclasses.replace(PROFILE, money=money_with(staffing__redeploy_share=0))
"""A profile under which the busy lot pays (posts released, not redeployed)."""


@pytest.mark.parametrize("profile", [PROFILE, PAYING], ids=["default", "posts-released"])
@pytest.mark.parametrize("steps", portfolios(), ids=["quiet", "busy", "both"])
def test_the_gate_alone_decides_what_the_money_stage_decides(steps: list[MoneyStep], profile: Profile) -> None:
    priced = money_stage(steps, profile)
    assert gated_dispositions(steps, profile) == {k: o.disposition for k, o in priced.steps.items()}


def test_the_cases_above_both_withdraw_and_keep_candidates() -> None:
    quiet, busy, _ = portfolios()
    assert list(gated_dispositions(quiet, PROFILE).values()) == [R, R], "the quiet lot loses money"
    assert list(gated_dispositions(busy, PAYING).values()) == [OUT, OUT, R], "the busy lot pays"


def test_an_unpermitted_candidate_is_refused_unpriced_as_priced() -> None:
    refused = [step("kettei", OUT, annual_count=3000, minutes=5.0, order=0, legal=AUTHORITY)]
    with pytest.raises(ValueError, match="legal gate must run"):
        money_stage(refused, PROFILE)
    with pytest.raises(ValueError, match="legal gate must run"):
        gated_dispositions(refused, PROFILE)


def assert_same_decisions(priced: Assessment, gated: Assessment) -> None:
    """Every step's final and pre-gate disposition, hours, hand-offs; every finding and gap."""
    assert gated.money is None and priced.money is not None
    assert [(p.file, p.process_id) for p in priced.processes] == [(p.file, p.process_id) for p in gated.processes]
    for a, b in zip(priced.processes, gated.processes, strict=True):
        assert a.handoff_plan == b.handoff_plan and a.handoffs == b.handoffs
        assert a.visits == b.visits and a.branches == b.branches
        for sa, sb in zip(a.steps, b.steps, strict=True):
            assert (sa.disposition, sa.classified, sa.proposed) == (sb.disposition, sb.classified, sb.proposed)
            assert sa.cost.hours_per_year == sb.cost.hours_per_year and sa.visits == sb.visits
    assert priced.findings == gated.findings and priced.gaps == gated.gaps


@pytest.fixture(scope="module")
def both() -> list[tuple[CityResult, CityResult]]:
    found = []
    for folder in (CITIES / name for name in SOME_CITIES):
        files = city_files(folder)
        priced = assess_city(files, max_bytes=10**7, collect_secrets=True, money_in_full=True)
        gated = assess_city(files, max_bytes=10**7, collect_secrets=True)
        assert isinstance(priced, CityResult) and isinstance(gated, CityResult)
        found.append((priced, gated))
    return found


def test_every_sample_city_has_the_same_figures_gated_as_priced(both: list[tuple[CityResult, CityResult]]) -> None:
    assert len(both) == len(SOME_CITIES)
    for priced, gated in both:
        assert priced == gated


def test_the_compare_site_is_byte_identical_gated_and_priced(both: list[tuple[CityResult, CityResult]]) -> None:
    sources = {p.city.key: {k: path for path, k in city_files(CITIES / p.city.key).bpmn} for p, _ in both}
    sites = []
    for results in ([p for p, _ in both], [g for _, g in both]):
        comparison = compare({r.city.key: r.city for r in results}, [f for r in results for f in r.flows],
                             excluded=[e for r in results for e in r.excluded])
        sites.append(render_compare(CompareInput(comparison, sources, diagrams="leaders"),
                                    environ={"SOURCE_DATE_EPOCH": "1700000000"}))
    assert sites[0].keys() == sites[1].keys() and len(sites[0]) > 50
    assert [k for k in sites[0] if sites[0][k] != sites[1][k]] == []


def test_sample_cities_have_withdrawn_steps_so_the_equality_is_not_vacuous() -> None:
    folder = CITIES / "a-cho"
    definitions = [read_bpmn(p) for p in sorted(folder.rglob("*.bpmn"))]
    profile = load_profile(folder / "profile.toml")
    survey = load_survey(folder / "survey.csv")
    priced = assess(definitions, survey=survey, profile=profile)
    gated = assess(definitions, survey=survey, profile=profile, money_in_full=False)
    withdrawn = [s for p in priced.processes for s in p.steps if s.money is not None and s.money.withdrawn]
    assert len(withdrawn) >= 10
    assert_same_decisions(priced, gated)
    gated_steps = {(s.file, s.step_id): s for p in gated.processes for s in p.steps}
    for s in withdrawn:
        kept = gated_steps[(s.file, s.step_id)]
        assert kept.disposition is R and kept.withdrawn_from is s.money.candidate  # type: ignore[union-attr]


def test_a_late_hand_off_move_after_the_gate_is_made_unpriced_as_priced(tmp_path: Path) -> None:
    """The gate gives 証明書の準備 back to staff between contractor steps; the re-check then moves 作成 and 交付.

    (The scenario of test_handoff's cost-gate test: the loop of :func:`scoring.assess._price` must run the same
    rounds when it only gates.)
    """
    definitions, survey, profile = late_hand_off_case(tmp_path)
    runs = [assess([definitions], survey=survey, profile=profile, money_in_full=full) for full in (True, False)]
    plan = runs[1].processes[0].handoff_plan
    assert plan is not None and [m.step_name for m in plan.moved] == ["証明書の作成", "交付"]
    assert "handoff-risk" in [f.rule for f in runs[1].findings]
    assert_same_decisions(*runs)


def test_a_city_read_and_scored_through_the_caches_has_the_same_figures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Off, cold (stored) and warm (loaded) runs of one city give equal results; what is stored is the city's
    whole result, one entry, not each flow's read and stages (``scoring.city_run``'s docstring says why)."""
    files = city_files(CITIES / "c-shi")
    off = assess_city(files, max_bytes=10**7, collect_secrets=True)
    monkeypatch.setenv("BPM_CACHE_DIR", str(tmp_path / "cache"))
    cold = assess_city(files, max_bytes=10**7, collect_secrets=True)
    stored = [p.relative_to(tmp_path / "cache").parts[0] for p in (tmp_path / "cache").rglob("*.pickle")]
    assert "reads" not in stored and stored.count("flows") == 1, stored
    warm = assess_city(files, max_bytes=10**7, collect_secrets=True)
    assert off == cold == warm


def _alive(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if type(o) is kind)


def test_a_city_leaves_no_evidence_behind_in_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``bpm compare`` worker assesses city after city: once a city's result is made, none of its evidence
    lines (the bulk of an assessment) may stay alive in the process, or the worker grows with every city.
    Counted as growth (other tests of the same process may hold evidence of their own)."""
    monkeypatch.setenv("BPM_CACHE_DIR", "off")
    first = assess_city(city_files(CITIES / "a-cho"), max_bytes=10**7)  # modules, caches and tables warmed up
    assert isinstance(first, CityResult)
    gc.collect()  # earlier tests' garbage gone before counting
    before = _alive(Evidence)
    other = assess_city(city_files(CITIES / "g-shi"), max_bytes=10**7)  # another city: other lines
    assert isinstance(other, CityResult) and other.flows
    assert _alive(Evidence) == before
