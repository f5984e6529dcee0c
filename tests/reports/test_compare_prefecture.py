"""The overview lists cities by 都道府県 when their metadata names one; never in an anonymised comparison.

Built from the bench's synthetic figures (6 cities, 2 procedures): two cities in 東京都, one in 北海道, one in
沖縄県, two naming none.  The city tables come in code order (北海道, 東京都, 沖縄県, then none), each holding
exactly its cities; without any prefecture the overview is the one table it always was; anonymised results carry
no prefecture, so the site shows none.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.municipal_site import figures
from reports.compare_anon import anonymise
from reports.compare_site import CompareInput, city_page, render_compare
from scoring.city_run import CityResult
from scoring.compare import City, FlowFigures, compare

ENV = {"SOURCE_DATE_EPOCH": "0"}
PLACES = ("東京都", "北海道", "", "沖縄県", "東京都", "")
PREFS = {"北海道", "東京都", "沖縄県"}


def cities_with_places() -> tuple[dict[str, City], list[FlowFigures]]:
    cities, flows = figures(6, 2, seed=5)
    placed = {key: dataclasses.replace(city, meta=dataclasses.replace(city.meta, prefecture=place))
              for (key, city), place in zip(cities.items(), PLACES, strict=True)}
    return placed, flows


def city_tables(page: str) -> list[tuple[str, list[str]]]:
    """(heading, city page links) of each city table after the 団体 heading."""
    part = page.split('<h2 id="cities">', 1)[1].split('<h2 id="procedures">', 1)[0]
    found = []
    for block in re.split(r"<h3>", part)[1:]:
        heading = block.split(" <small>", 1)[0]
        found.append((heading, re.findall(r'<td><a href="(c-[^"]+)">', block)))
    return found


def test_the_overview_lists_cities_by_prefecture_in_code_order() -> None:
    cities, flows = cities_with_places()
    page = render_compare(CompareInput(compare(cities, flows), diagrams="none"), environ=ENV)["index.html"]
    text = page.decode("utf-8")
    tables = city_tables(text)
    assert [h for h, _ in tables][:3] == ["北海道", "東京都", "沖縄県"]
    assert "都道府県の記載なし" in tables[3][0] and "No prefecture given" in tables[3][0]
    keys = list(cities)
    expected = {place: sorted(city_page(k) for k, p in zip(keys, PLACES, strict=True) if p == place)
                for place in set(PLACES)}
    assert {h if h in PREFS else "": sorted(links) for h, links in tables} == expected
    assert "都道府県ごと（団体コードの順）に並べています" in text and "Listed by prefecture" in text


def test_without_prefectures_the_overview_has_one_city_table() -> None:
    cities, flows = figures(6, 2, seed=5)
    text = render_compare(CompareInput(compare(cities, flows), diagrams="none"), environ=ENV)["index.html"].decode()
    assert city_tables(text) == [] and "都道府県" not in text
    assert len(re.findall(r'<td><a href="(c-[^"]+)">', text.split('<h2 id="cities">', 1)[1])) == 6


def test_an_anonymised_comparison_shows_no_prefecture() -> None:
    cities, flows = cities_with_places()
    results = [CityResult(city, tuple(f for f in flows if f.city == key), (), ()) for key, city in cities.items()]
    coded, scrubber, names = anonymise(results, "salt")
    assert all(r.city.meta.prefecture == "" for r in coded)
    comparison = compare({r.city.key: r.city for r in coded}, [f for r in coded for f in r.flows])
    site = render_compare(CompareInput(comparison, {}, True, scrubber, names, (), "none"), environ=ENV)
    for name, data in site.items():
        text = data.decode("utf-8", errors="replace")
        assert not any(place in text for place in PREFS), name
        assert "都道府県の記載なし" not in text, name
