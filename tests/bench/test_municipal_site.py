"""bench/municipal_site.py: its figures compare like real cities' and give the whole site, deterministically."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.municipal_site import figures, floor_site
from reports.compare_site import CompareInput, render_compare
from scoring.compare import compare


def test_figures_give_every_city_and_procedure_and_the_same_site_twice() -> None:
    cities, flows = figures(6, 4, seed=1)
    assert len(cities) == 6 and len(flows) == 24
    assert figures(6, 4, seed=1) == (cities, flows)
    comparison = compare(cities, flows)
    assert len(comparison.rows) == 24 and not comparison.unmatched
    assert all(comparison.row(f.city, f.procedure) is not None for f in flows)
    environ = {"SOURCE_DATE_EPOCH": "0"}
    site = render_compare(CompareInput(comparison, diagrams="none"), environ=environ)
    assert sum(name.startswith("c-") for name in site) == 6 and sum(name.startswith("p-") for name in site) == 4
    assert render_compare(CompareInput(compare(cities, flows), diagrams="none"), environ=environ) == site
    floor = floor_site(cities, flows)
    assert len(floor) == 1 + 4 + 6
