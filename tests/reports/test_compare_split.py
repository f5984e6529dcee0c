"""A procedure compared across many cities is split into one page per 類似団体 group (issue 14 item 6).

Built from the bench's synthetic figures (30 cities, 2 procedures) with the split threshold lowered to 10: the
procedure page keeps the dot plot, every group's statistics and leader and a link to the group's page; every
city's row is on exactly one group page, every link resolves, and below the threshold nothing changes.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.municipal_site import figures
from reports import compare_views
from reports.compare_site import CompareInput, city_page, group_page, procedure_page, render_compare
from scoring.compare import compare

ENV = {"SOURCE_DATE_EPOCH": "0"}


@pytest.fixture(scope="module")
def data() -> CompareInput:
    cities, flows = figures(30, 2, seed=3)
    return CompareInput(compare(cities, flows), diagrams="none")


def test_many_cities_split_by_group_with_every_city_on_one_group_page(data: CompareInput,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare_views, "SPLIT_CITIES", 10)  # where the views read it
    site = render_compare(data, environ=ENV)
    comparison = data.comparison
    for procedure in comparison.procedures:
        page = site[procedure_page(procedure)].decode("utf-8")
        assert "30団体を比較しています" in page and "compared across 30 municipalities" in page
        groups = sorted({city.meta.similar_group for city in comparison.cities.values()})
        links = re.findall(r'<p><a href="([^"]+)">', page)
        assert links == [group_page(procedure, g) for g in groups]
        assert not re.search(r'<th scope="row"><a href="c-', page)  # no city rows on the procedure page
        rows: Counter[str] = Counter()
        for group, link in zip(groups, links, strict=True):
            sub = site[link].decode("utf-8")
            assert f'<a href="{procedure_page(procedure)}">' in sub  # breadcrumb back to the procedure
            found = re.findall(r'<th scope="row"><a href="(c-[^"]+)">', sub)
            assert {city_page(k) for k, c in comparison.cities.items() if c.meta.similar_group == group} == set(found)
            rows.update(found)
        assert rows == Counter({city_page(k): 1 for k in comparison.cities})


def test_below_the_threshold_there_are_no_group_pages(data: CompareInput) -> None:
    site = render_compare(data, environ=ENV)
    assert len([n for n in site if n.startswith("p-")]) == len(data.comparison.procedures)
    page = site[procedure_page(data.comparison.procedures[0])].decode("utf-8")
    assert len(re.findall(r'<th scope="row"><a href="c-', page)) == 30


def test_the_overview_of_many_cities_has_a_column_per_group_opening_its_page(data: CompareInput,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from reports.compare_chart import heat_bin
    from scoring.compare import HEAT_MEASURE, quantile

    monkeypatch.setattr(compare_views, "SPLIT_CITIES", 10)  # where the views read it
    site = render_compare(data, environ=ENV)
    index = site["index.html"].decode("utf-8")
    comparison = data.comparison
    groups = sorted({city.meta.similar_group for city in comparison.cities.values()})
    heat = index.split('<table class="data heat">', 1)[1].split("</table>", 1)[0]
    assert "30団体を比較しているため、列は類似団体区分です" in index
    assert "c-" not in heat  # no city columns and no city links in the map
    procedure = comparison.procedures[0]
    first_row = heat.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="num (heat-\d|heat-na)" title="[^"]*"><a href="([^"]+)">([\d.,]+)</a>', first_row)
    assert [href for _, href, _ in cells] == [group_page(procedure, g) for g in groups]
    assert all(href in site for _, href, _ in cells)
    values = [r.value(HEAT_MEASURE) for r in comparison.rows if r.procedure == procedure]
    overall = quantile(values, 0.5)
    for (css, _, text), group in zip(cells, groups, strict=True):
        stats = comparison.stats["similar_group"][(group, procedure, HEAT_MEASURE)]
        assert text == f"{stats.median:,.1f}"
        deviation = 100.0 * (stats.median - overall) / overall
        assert css == f"heat-{heat_bin(deviation)}"  # coloured by the deviation from the median of all cities
