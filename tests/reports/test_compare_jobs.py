"""The comparison site rendered on several processes is the site one process renders, with the same messages.

Why: at national size the pages and the leaders' diagrams were a serial minute after the cities' pool;
:func:`reports.compare_site.render_compare` now renders them on ``jobs`` processes.  These tests hold every
file (pages, diagrams, the marker) and every progress line and notice — in order, a diagram that cannot be
drawn said once however many pages and workers need it — to the one-process run, for every diagrams setting,
for anonymised sites and for procedures split into group pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.municipal_site import figures
from reports import compare_views
from reports.compare_anon import anonymise
from reports.compare_site import CompareInput, Diagrams, group_page, render_compare
from scoring.city_run import CityFiles, CityResult, assess_city
from scoring.compare import compare

CITIES = Path(__file__).resolve().parents[2] / "flows" / "compare"
ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def _files(folder: Path) -> CityFiles:
    bpmn = tuple(sorted((str(p), p.relative_to(folder).as_posix()) for p in folder.rglob("*.bpmn")))
    survey, profile = folder / "survey.csv", folder / "profile.toml"
    return CityFiles(folder.name, str(folder), str(folder / "municipality.toml"), bpmn,
                     str(survey) if survey.is_file() else None, str(profile) if profile.is_file() else None)


@pytest.fixture(scope="module")
def results() -> list[CityResult]:
    found = []
    for folder in sorted(p for p in CITIES.iterdir() if (p / "municipality.toml").is_file()):
        result = assess_city(_files(folder), max_bytes=10**7, collect_secrets=True)
        assert isinstance(result, CityResult)
        found.append(result)
    return found


def _data(results: list[CityResult], diagrams: Diagrams, *, broken: bool = False,
          anonymised: bool = False) -> CompareInput:
    """The sample cities' comparison; ``broken``: one leader's file is missing, so its diagram cannot be drawn."""
    sources = {r.city.key: {k: p for p, k in _files(CITIES / r.city.key).bpmn} for r in results}
    comparison = compare({r.city.key: r.city for r in results}, [f for r in results for f in r.flows])
    if broken:
        leader = next(s.leader for s in comparison.stats["similar_group"].values())
        flow = next(f for r in results for f in r.flows if f.city == leader and f.procedure)
        sources[leader] = {**sources[leader], flow.file_key: str(CITIES / "no-such-file.bpmn")}
    if not anonymised:
        return CompareInput(comparison, sources, diagrams=diagrams)
    scrubbed, scrubber, names = anonymise(results, "s1")
    notes = tuple(sorted({s for r in results for s in r.secrets} - set(names)))
    sources = {new.city.key: {scrubber.text(k): p for k, p in sources[old.city.key].items()}
               for new, old in zip(scrubbed, results, strict=True)}
    comparison = compare({r.city.key: r.city for r in scrubbed}, [f for r in scrubbed for f in r.flows])
    return CompareInput(comparison, sources, True, scrubber, names, notes, diagrams)


def _render(data: CompareInput, jobs: int) -> tuple[dict[str, bytes], list[str]]:
    said: list[str] = []
    site = render_compare(data, progress=lambda m: said.append(f"progress: {m}"),
                          notice=lambda m: said.append(f"notice: {m}"), environ=ENV, jobs=jobs)
    return site, said


@pytest.mark.parametrize("diagrams", ["all", "leaders", "none"])
def test_two_processes_write_the_same_site_and_say_the_same(results: list[CityResult], diagrams: Diagrams) -> None:
    data = _data(results, diagrams, broken=True)
    one, said_one = _render(data, 1)
    two, said_two = _render(data, 2)
    assert list(one) == list(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert said_one == said_two
    notices = [m for m in said_one if m.startswith("notice: ")]
    if diagrams == "none":
        assert notices == []
    else:  # said once a process of the missing file (not once a page that shows it)
        processes = {(f.city, f.process_id) for r in results for f in r.flows
                     if f"{f.city}/{f.file_key}:" in notices[0]}
        assert 1 <= len(notices) <= len(processes) and len(set(notices)) == 1
    if diagrams != "none":
        assert sum(name.startswith("diagrams/") for name in one) > 10


def test_an_anonymised_site_is_the_same_on_two_processes(results: list[CityResult]) -> None:
    data = _data(results, "all", anonymised=True)
    one, said_one = _render(data, 1)
    two, said_two = _render(data, 2)
    assert one == two and said_one == said_two


def test_split_procedures_are_the_same_on_two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare_views, "SPLIT_CITIES", 10)  # read by the views, in the workers too (forked)
    cities, flows = figures(30, 3, seed=3)
    data = CompareInput(compare(cities, flows), diagrams="none")
    one, said_one = _render(data, 1)
    two, said_two = _render(data, 3)
    named = {city.meta.similar_group for city in cities.values()}
    groups = {group_page(p, g) for p in data.comparison.procedures for g in named}
    assert len(groups & set(one)) > 3, "the procedures are split into group pages"
    assert one == two and said_one == said_two
