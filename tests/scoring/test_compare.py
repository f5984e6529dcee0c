"""The comparison measures on the three-city fixture, against figures computed by hand from its stated inputs.

tests/data/compare/README.md gives every input: 住民票の写しの交付 in 甲市 (10,000 cases; 3 + 5 min),
乙市 (12,000; 4 + 8 min) and 丙市 (14,000; 2 min in a contractor lane + 4 min), all 都市Ⅲ-1, populations
100,000 / 120,000 / 140,000, staff cost 3,000 / 3,600 / 3,000 yen per hour; 丙市's contractor 2,400 yen/h
with 0.25 overhead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.city_run import CityError, CityFiles, CityResult, assess_city
from scoring.compare import Comparison, compare, quantile

DATA = Path(__file__).resolve().parents[1] / "data" / "compare"
CITIES = ("koshi", "otsushi", "heishi")


def city_files(name: str) -> CityFiles:
    folder = DATA / name
    bpmn = tuple((str(p), p.relative_to(folder).as_posix()) for p in sorted(folder.rglob("*.bpmn")))
    return CityFiles(name, str(folder), str(folder / "municipality.toml"), bpmn, str(folder / "survey.csv"),
                     str(folder / "profile.toml"))


@pytest.fixture(scope="module")
def results() -> list[CityResult]:
    found = []
    for name in CITIES:
        result = assess_city(city_files(name), max_bytes=10**7, collect_secrets=True)
        assert not isinstance(result, CityError), result
        found.append(result)
    return found


@pytest.fixture(scope="module")
def comparison(results: list[CityResult]) -> Comparison:
    return compare({r.city.key: r.city for r in results}, [f for r in results for f in r.flows])


def test_minutes_hours_and_cost_per_case_are_the_hand_computed_figures(comparison: Comparison) -> None:
    expected = {
        # city: (staff min/case, staff h per 1,000 residents, yen per case)
        "koshi": (8.0, 10_000 * 8 / 60 / 100, 8 / 60 * 3000),  # 13.33 h, 400 yen
        "otsushi": (12.0, 12_000 * 12 / 60 / 120, 12 / 60 * 3600),  # 20.0 h, 720 yen
        "heishi": (4.0, 14_000 * 4 / 60 / 140, 4 / 60 * 3000 + 2 / 60 * 2400 * 1.25),  # 6.67 h, 200 + 100 yen
    }
    for city, (minutes, per_1000, yen) in expected.items():
        row = comparison.row(city, "juminhyo_kofu")
        assert row is not None
        assert row.value("minutes_per_case") == pytest.approx(minutes)
        assert row.value("hours_per_1000") == pytest.approx(per_1000)
        assert row.value("cost_per_case") == pytest.approx(yen)
        assert row.value("steps_per_case") == pytest.approx(2.0)
        assert row.value("handoffs_per_case") == pytest.approx(1.0)  # 窓口 → 担当係 once per case
    heishi = comparison.row("heishi", "juminhyo_kofu")
    assert heishi is not None
    assert heishi.value("outsourced_share") == pytest.approx(100 * 2 / 6)  # the contractor lane's 2 of 6 minutes


def test_group_median_quartiles_leader_and_potential(comparison: Comparison) -> None:
    stats = comparison.stats["similar_group"][("都市Ⅲ-1", "juminhyo_kofu", "minutes_per_case")]
    # minutes 4, 8, 12: median 8; type 7 quartiles: h = 0.5 → 4 + 0.5 × 4 = 6, h = 1.5 → 8 + 0.5 × 4 = 10
    assert (stats.n, stats.leader) == (3, "heishi")
    assert (stats.median, stats.q1, stats.q3) == pytest.approx((8.0, 6.0, 10.0))
    by_city = {p.city: p for p in comparison.potentials if p.procedure == "juminhyo_kofu"}
    assert by_city["koshi"].hours == pytest.approx((8 - 6) * 10_000 / 60)  # 333.3 h
    assert by_city["otsushi"].hours == pytest.approx((12 - 6) * 12_000 / 60)  # 1,200 h
    assert by_city["otsushi"].fte == pytest.approx(1200 / 1920)  # default profile: 1,920 h per FTE
    assert by_city["otsushi"].staff_cost_yen == pytest.approx(1200 * 3600)
    assert by_city["heishi"].hours == 0.0
    band = comparison.stats["band"][("10万〜30万人", "juminhyo_kofu", "hours_per_1000")]
    # 6.667, 13.333, 20.0 h per 1,000 residents
    assert band.median == pytest.approx(13.3333, rel=1e-4) and band.q1 == pytest.approx(10.0)


def test_flows_are_matched_by_name_and_mapping_and_the_unmatched_one_is_listed(comparison: Comparison) -> None:
    koshi = {f.process_name: f for r in comparison.rows if r.city == "koshi" for f in r.flows}
    assert koshi["住民票の写しの交付（甲市）"].matched_by == "name"
    mapped = koshi["独自手続X"]
    assert (mapped.procedure, mapped.matched_by) == ("inkan_shomei", "mapping")
    assert "procedures.csv row 2" in mapped.match_detail
    assert [(f.city, f.process_name) for f in comparison.unmatched] == [("otsushi", "窓口案内業務")]
    assert comparison.procedures == ("inkan_shomei", "juminhyo_kofu")


def test_secrets_hold_every_note_and_name(results: list[CityResult]) -> None:
    koshi = results[0].secrets
    assert "甲市" in koshi and "koshi" in koshi
    assert "甲市では繁忙期に応援職員を配置" in koshi  # text annotation
    assert "甲市の内部手順書 第3版による" in koshi  # documentation
    assert "待ち時間の苦情あり（甲市）" in koshi  # survey 備考
    assert "甲市の担当者メモ：数値は試験用" in koshi  # metadata 備考


@pytest.mark.parametrize(("values", "p", "expected"), [
    ([3.0, 1.0, 2.0], 0.5, 2.0), ([1.0, 2.0, 3.0, 4.0], 0.75, 3.25), ([7.0], 0.25, 7.0), ([1.0, 9.0], 0.25, 3.0),
])
def test_quantile_is_type_7(values: list[float], p: float, expected: float) -> None:
    assert quantile(values, p) == pytest.approx(expected)
