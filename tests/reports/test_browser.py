"""The site in a real headless Chromium, opened from file:// like a reform team would.

Needs the Debian ``chromium`` package (``/usr/bin/chromium``) and the
``playwright`` Python package (its wheel ships the driver; browsers are never
downloaded).  Skipped, with the reason, when either is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reports.site import SiteInput, build_site

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FONTS = ("Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo")


@dataclass
class Problems:
    """What the browser complained about while a page was open."""

    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install the Debian chromium package to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run browser tests")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(site_input: SiteInput, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    build_site(site_input, out)
    return out


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Problems]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    tab = context.new_page()
    problems = Problems()
    tab.on("console", lambda m: problems.console.append(m.text) if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: problems.console.append(str(e)))
    tab.on("requestfailed", lambda r: problems.failed.append(r.url))
    tab.on("request", lambda r: problems.failed.append(r.url) if not r.url.startswith("file://") else None)
    yield tab, problems
    context.close()


def flow_page(site: Path, prefix: str) -> Path:
    return next(p for p in sorted(site.glob("flow-*.html")) if p.name.startswith(prefix))


def column_values(tab: Any, index: int) -> list[str]:
    values: list[str] = tab.eval_on_selector_all(
        "#candidates-table tbody tr:not([hidden])",
        "(rows, i) => rows.map(r => r.cells[i].getAttribute('data-sort'))",
        index,
    )
    return values


def header_index(tab: Any, text: str) -> int:
    index: int = tab.eval_on_selector_all(
        "#candidates-table thead th",
        "(ths, text) => ths.findIndex(th => th.querySelector('[lang=ja]').textContent === text)",
        text,
    )
    assert index >= 0, text
    return index


def test_overview_opens_cleanly_and_switches_language(page: tuple[Any, Problems], site: Path, tmp_path: Path) -> None:
    tab, problems = page
    tab.goto((site / "index.html").as_uri())
    heading = tab.locator("h1")
    assert heading.inner_text() == "業務プロセス RPA候補レポート"
    assert tab.locator("h2#top-candidates").inner_text() == "効果の大きい候補（上位10件）"
    assert tab.evaluate("document.fonts.check('16px \"Noto Sans CJK JP\"')") or any(
        tab.evaluate(f"document.fonts.check('16px \"{font}\"')") for font in FONTS
    ), "no Japanese font of the stack is installed: text would be tofu"
    chart = tab.locator("svg.bubble-chart")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    assert tab.locator("svg.bubble-chart g.bubble").count() >= 5
    tab.screenshot(path=str(tmp_path / "index-ja.png"), full_page=True)

    tab.click("[data-lang-toggle]")
    assert tab.evaluate("document.documentElement.dataset.lang") == "en"
    assert heading.inner_text() == "Business process RPA candidate report"
    assert tab.locator("h2#top-candidates").inner_text() == "Top 10 candidates"
    assert tab.title().startswith("Overview")
    tab.screenshot(path=str(tmp_path / "index-en.png"), full_page=True)

    tab.goto((site / "candidates.html").as_uri())  # the choice is remembered across pages
    assert tab.locator("h1").inner_text() == "All candidates"
    tab.click("[data-lang-toggle]")
    assert tab.locator("h1").inner_text() == "候補一覧"
    assert problems.console == [] and problems.failed == []


def test_flow_page_shows_the_annotated_diagram(page: tuple[Any, Problems], site: Path, tmp_path: Path) -> None:
    tab, problems = page
    tab.goto(flow_page(site, "flow-proc-cert").as_uri())
    diagram = tab.locator("figure.diagram svg")
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 200
    shapes = tab.locator("figure.diagram svg [data-element-id]")
    assert shapes.count() > 10
    assert tab.locator("figure.diagram svg .disp-rpa").count() >= 1
    tab.screenshot(path=str(tmp_path / "flow.png"), full_page=True)

    tab.click("[data-zoom=actual]")  # issue 10: one toggle became fit / actual size / zoom in / zoom out
    zoomed = diagram.bounding_box()
    assert zoomed is not None and zoomed["width"] >= box["width"]
    assert tab.get_attribute("[data-zoom=actual]", "aria-pressed") == "true"
    assert tab.get_attribute("[data-zoom=fit]", "aria-pressed") == "false"

    tab.locator('figure.diagram svg [data-element-id="t_identity"]').first.click()
    assert tab.evaluate("location.hash") == "#step-t_identity"
    assert problems.console == [] and problems.failed == []


def test_flow_without_di_renders(page: tuple[Any, Problems], site: Path, tmp_path: Path) -> None:
    tab, problems = page
    tab.goto(flow_page(site, "flow-script").as_uri())
    assert tab.evaluate("document.querySelectorAll('script').length") == 1
    svg = tab.locator("figure.diagram svg")
    if svg.count():
        box = svg.bounding_box()
        assert box is not None and box["width"] > 100
    else:
        assert tab.locator("p.notice").is_visible()
    tab.screenshot(path=str(tmp_path / "flow-no-di.png"), full_page=True)
    assert problems.console == [] and problems.failed == []


def test_candidates_sort_both_ways_and_filter(page: tuple[Any, Problems], site: Path, tmp_path: Path) -> None:
    tab, problems = page
    tab.goto((site / "candidates.html").as_uri())
    hours = header_index(tab, "年間時間")
    header = tab.locator("#candidates-table thead th").nth(hours)

    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [float(v) for v in column_values(tab, hours) if v]
    assert values == sorted(values) and len(set(values)) > 2

    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = [float(v) for v in column_values(tab, hours) if v]
    assert values == sorted(values, reverse=True)

    rank = header_index(tab, "順位")
    tab.locator("#candidates-table thead th").nth(rank).locator("button").click()
    ranks = column_values(tab, rank)
    numbered = [int(v) for v in ranks if v]
    assert numbered == sorted(numbered) and ranks[len(numbered) :] == [""] * (len(ranks) - len(numbered))
    assert header.get_attribute("aria-sort") == "none"

    total = tab.locator("#candidates-table tbody tr").count()
    tab.select_option("select[data-filter=disposition]", "rpa")
    visible = tab.locator("#candidates-table tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.disposition)")) == {"rpa"}
    assert tab.locator("[data-filter-count]").inner_text() == str(visible.count())

    tab.select_option("select[data-filter=disposition]", "")
    tab.fill("input[data-filter=text]", "本人確認")
    assert visible.count() == 1
    tab.fill("input[data-filter=text]", "存在しない手順")
    assert visible.count() == 0 and tab.locator("[data-filter-empty]").is_visible()
    tab.fill("input[data-filter=text]", "")
    assert visible.count() == total
    tab.screenshot(path=str(tmp_path / "candidates.png"), full_page=True)
    assert problems.console == [] and problems.failed == []


def test_print_layout_hides_navigation_and_the_other_language(page: tuple[Any, Problems], site: Path) -> None:
    tab, problems = page
    tab.goto(flow_page(site, "flow-proc-cert").as_uri())
    tab.emulate_media(media="print")
    assert not tab.locator("nav.site-nav").is_visible()
    assert not tab.locator("[data-lang-toggle]").is_visible()
    assert not tab.locator("[data-print]").is_visible()
    assert not tab.locator("h2#steps [lang=en]").is_visible()
    box = tab.locator(".print-slices svg").first.bounding_box()  # the print copy (issue 10)
    assert box is not None and box["width"] > 0
    pdf = tab.pdf(format="A4", landscape=True)
    assert pdf.startswith(b"%PDF")
    assert problems.console == [] and problems.failed == []
