"""The 根拠と費用の内訳 panel and the top page's new sections in a real headless Chromium (issue 10 items 3, 4).

The panel sits in a narrow table cell; at a phone's width its labels used to
wrap one character a line and show raw keys.  The top page's chart, 確度
section and the 出典 page must not widen the page at 390 px.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_browser import browser  # noqa: F401  (the Chromium fixture is shared)

from reports.site import SiteInput, build_site

pytestmark = pytest.mark.browser

LINES = """e => {
  const style = getComputedStyle(e);
  const line = parseFloat(style.lineHeight) || 1.5 * parseFloat(style.fontSize);
  return Math.round(e.getBoundingClientRect().height / line);
}"""


@pytest.fixture(scope="module")
def site(site_input: SiteInput, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sure") / "site"
    build_site(site_input, out)
    return out


def test_evidence_panel_reads_in_words_at_phone_width(browser: Any, site: Path, tmp_path: Path) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="ja-JP")
    tab = context.new_page()
    flow = next(p for p in sorted(site.glob("flow-*.html")) if 'class="evidence"' in p.read_text(encoding="utf-8"))
    tab.goto(flow.as_uri())
    panel = tab.locator("td.reasons details").first
    panel.evaluate("e => e.open = true")
    tab.screenshot(path=str(tmp_path / "panel-390.png"), full_page=True)
    labels = panel.locator("dl.evidence dt")
    assert labels.count() > 0
    for index in range(labels.count()):
        label = labels.nth(index)
        lines = label.evaluate(LINES)
        assert lines <= 3, f"{label.inner_text()!r} wraps over {lines} lines"
    sources = panel.locator("ul.sources li")
    for index in range(sources.count()):
        text = sources.nth(index).inner_text()
        assert not re.match(r"^[a-z_]+:", text), f"raw key in the panel: {text}"
    context.close()


def test_top_and_sources_pages_fit_a_phone(browser: Any, site: Path, tmp_path: Path) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="ja-JP")
    tab = context.new_page()
    for name in ("index.html", "sources.html", "assumptions.html"):
        tab.goto((site / name).as_uri())
        width = tab.evaluate("document.documentElement.scrollWidth")
        tab.screenshot(path=str(tmp_path / f"{name}-390.png"), full_page=True)
        assert width <= 390, f"{name} is {width} px wide at 390 px"
    context.close()
