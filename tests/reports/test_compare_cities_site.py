"""The README's second example end to end: `bpm compare flows/compare/* --out SITE` on the illustrative cities.

The heat map must hold every procedure × city, its columns grouped by the 類似団体区分 each municipality.toml
declares, with real deviations inside the shared group; every page must pass axe-core (no serious or critical
violation, in Japanese and in English) and fit a 390 px phone without scrolling sideways, in real Chromium.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_site_screens import _axe_serious, _tab, browser  # noqa: F401  (the browser fixture is shared)

from scoring.cities import load_city_meta

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CITIES = sorted(p for p in (REPO / "flows" / "compare").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cities") / "compare-site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    result = subprocess.run([sys.executable, "-m", "bpm.cli", "-q", "compare", *map(str, CITIES), "--out", str(out),
                             "--jobs", "2"], capture_output=True, text=True, cwd=REPO, timeout=1200, env=env)
    assert result.returncode == 0, result.stderr
    assert "matches no standard procedure" not in result.stderr  # every library flow has its procedure
    return out


def _readme() -> str:
    """The README with its line breaks folded (the figures it quotes are checked against the site)."""
    return " ".join((REPO / "README.md").read_text(encoding="utf-8").split())


def _heat(index: str) -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str, str]]]]]:
    """(column label, group) and, per procedure row, (css bin, value, deviation) of every cell."""
    table = index.split('<table class="data heat', 1)[1].split("</table>", 1)[0]
    columns = re.findall(r'<th scope="col" class="num"><a href="[^"]+">([^<]+)</a><br><small>([^<]*)</small>', table)
    rows = []
    for body in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.S):
        name = re.sub(r"<[^>]+>", "", body.split("</th>", 1)[0]).strip()
        cells = re.findall(r'<td class="num (heat-\d|heat-na)"[^>]*><a [^>]*>([\d.,]+)</a><br><small>([^<]*)</small>',
                           body)
        rows.append((name, cells))
    return columns, rows


def test_heat_map_has_every_procedure_and_city_grouped_as_declared(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "例示・架空のデータです" in index
    columns, rows = _heat(index)
    declared = {m.name: m.similar_group for m in (load_city_meta(c / "municipality.toml") for c in CITIES)}
    assert dict(columns) == declared  # every city once, under the group its metadata declares
    groups = [g for _, g in columns]
    assert groups == sorted(groups)  # columns run group by group
    assert len(rows) >= 10
    for name, cells in rows:
        assert len(cells) == len(CITIES), name  # no empty cell: every city runs every procedure
    shared = [i for i, (_, g) in enumerate(columns) if groups.count(g) >= 3]
    assert len(shared) >= 3
    jumin = next(cells for name, cells in rows if name.startswith("住民異動届"))
    # one city of the shared group sits on the median, the others above and below it
    assert sorted(jumin[i][2][0] for i in shared) == ["±", "▲", "▼"]
    alone = [i for i, (_, g) in enumerate(columns) if groups.count(g) == 1]
    assert all(jumin[i][0] == "heat-na" and jumin[i][2] == "—" for i in alone)
    quoted = " / ".join(jumin[i][1] for i in shared)  # the README quotes this row of the shared group
    assert f"for 住民異動届 {quoted} staff minutes per case" in _readme()


def test_every_city_and_procedure_has_its_page_and_diagrams(site: Path) -> None:
    city_pages = sorted(site.glob("c-*.html"))
    assert len(city_pages) == len(CITIES)
    _, rows = _heat((site / "index.html").read_text(encoding="utf-8"))
    assert len(list(site.glob("p-*.html"))) == len(rows)
    g = next(p for p in city_pages if "g-shi" in p.name).read_text(encoding="utf-8")
    assert "委託事業者" in g or "outsourc" in g
    c = next(p for p in city_pages if "c-shi" in p.name).read_text(encoding="utf-8")
    hours = re.search(r"年間 ?([\d,]+) ?時間（([\d.]+) ?人工）", c)  # the ja filter drops the spaces
    assert hours is not None
    assert f"(C市: {hours.group(1)} hours a year, {hours.group(2)} 人工" in _readme()
    assert len(list((site / "diagrams").glob("*.svg"))) >= len(CITIES) * len(rows)


@pytest.mark.browser
def test_compare_pages_pass_axe_and_fit_a_phone(browser: Any, site: Path, js_peers: Path) -> None:  # noqa: F811
    pages = sorted(site.glob("*.html"))
    failures: dict[str, Any] = {}
    wide: dict[str, int] = {}
    for page in pages:
        # axe is injected as a script, which the pages' CSP rightly forbids: this context bypasses it.
        context, tab, _problems = _tab(browser, bypass_csp=True)
        tab.goto(page.as_uri())
        found = _axe_serious(tab, js_peers)
        tab.click("[data-lang-toggle]")
        assert tab.evaluate("document.documentElement.lang") == "en"
        found += [(f"en:{rule}", nodes) for rule, nodes in _axe_serious(tab, js_peers)]
        if found:
            failures[page.name] = found
        context.close()
        context, tab, problems = _tab(browser, 390, has_touch=True, is_mobile=True)
        tab.goto(page.as_uri())
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[page.name] = width
        assert problems == [], (page.name, problems)
        context.close()
    assert failures == {}
    assert wide == {}
