"""The money pages in real headless Chromium: they open cleanly from file://, switch language, show the tornado."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_browser import Problems, browser, page  # noqa: F401  (fixtures shared with the site's browser tests)

from bpm.reader import read_bpmn
from reports.site import SiteInput, build_site
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.survey import load_survey

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real_site(flows_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    definitions = tuple(read_bpmn(p) for p in sorted(flows_dir.glob("*.bpmn")))
    assessment = assess(definitions, survey=load_survey(flows_dir / "survey.xlsx"), profile=load_profile())
    out = tmp_path_factory.mktemp("money-browser") / "site"
    build_site(SiteInput(definitions, (), assessment), out)
    return out


def test_money_page_opens_and_switches_language(
    page: tuple[Any, Problems], real_site: Path, tmp_path: Path  # noqa: F811  (the shared fixture)
) -> None:
    tab, problems = page
    tab.goto((real_site / "money.html").as_uri())
    assert tab.locator("h1").inner_text() == "財政効果と人工削減"
    box = tab.locator("svg.tornado-chart").bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 100
    assert tab.locator("svg.tornado-chart g.tornado-bar").count() >= 5
    tab.screenshot(path=str(tmp_path / "money-ja.png"), full_page=True)
    tab.locator("[data-lang-toggle]").click()
    assert tab.locator("h1").inner_text() == "Cash effect and hours freed"
    assert "Hours freed (staff time)" in tab.locator(".two-effects").inner_text()
    lot = next(real_site.glob("lot-*.html"))
    tab.goto(lot.as_uri())
    assert tab.locator("table.seats").count() >= 1
    assert tab.locator("a[download]").count() == 2
    tab.goto((real_site / "calibration.html").as_uri())
    assert tab.locator("section.calibration-case").count() == 3
    assert problems.console == [] and problems.failed == []
