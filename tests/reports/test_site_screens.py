"""Diagrams, phones, paper and accessibility, checked in a real headless Chromium (issue 10, items 6 and 7).

Two sites are opened from ``file://``: the one ``bpm scan flows/`` writes
(real scoring: legal sections, hand-offs, contract lots, large DI diagrams)
and the hand-made test site with review decisions and a Graphviz-laid-out
flow, plus the ``bpm diff`` page.  Every page of both is checked with
axe-core (from npm, ``tests/js``) in Japanese and in English, and at 390 px.
Screenshots (phone, desktop, print) are written to ``tmp_path``; their pixel
widths are part of the checks.
"""

from __future__ import annotations

import dataclasses
import math
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bpm.cli import main
from bpm.diff import diff_definitions
from bpm.model import ElementId, ProcessId
from bpm.reader import read_bpmn
from reports.diffreport import diff_html, diff_report
from reports.site import SiteInput, build_site
from reports.zoom import MIN_PRINT_LABEL_PX, MIN_SCREEN_LABEL_PX, PRINT_AREA_PX
from scoring.assess import assess
from scoring.decisions import Decision, ReviewDecision, match_decisions
from scoring.profile import load_profile

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DIFF_DATA = Path(__file__).resolve().parents[1] / "data" / "diff"
A4_LANDSCAPE_PX = (1122.5, 793.7)
"""297 × 210 mm at 96 px/in."""


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
def scanned(flows_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site `bpm scan flows/` writes, as a reform team would open it."""
    out = tmp_path_factory.mktemp("scan") / "site"
    result = CliRunner().invoke(main, ["--quiet", "scan", str(flows_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def reviewed(site_input: SiteInput, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made site with review decisions (判断 column, decisions whose step is gone) and a diff page."""
    steps = [s for p in site_input.assessment.processes for s in p.steps]
    decisions = [
        ReviewDecision(Path(steps[0].file).name, steps[0].process_id, steps[0].step_id, Decision.ACCEPT, "山田",
                       "来年度に実施", sheet="decided.xlsx", row=2),
        ReviewDecision("certificate.bpmn", ProcessId("proc_cert"), ElementId("t_gone"), Decision.DEFER, "鈴木",
                       "様式改正待ち", name="旧・手数料収納", flow="証明書交付", sheet="decided.xlsx", row=9),
    ]
    reviews = match_decisions(site_input.assessment, decisions, sheet="decided.xlsx")
    out = tmp_path_factory.mktemp("reviewed") / "site"
    build_site(dataclasses.replace(site_input, reviews=reviews), out)
    old, new = read_bpmn(DIFF_DATA / "juminhyo_before.bpmn"), read_bpmn(DIFF_DATA / "juminhyo_after.bpmn")
    profile = load_profile(None)
    report = diff_report(diff_definitions(old, new), assess([old], profile=profile), assess([new], profile=profile))
    (out / "diff.html").write_text(diff_html(report, old, new, generated="2025-04-01 09:00 UTC"), encoding="utf-8")
    return out


def _tab(browser: Any, width: int = 1280, **options: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP", **options)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on("request", lambda r: problems.append(r.url) if not r.url.startswith("file://") else None)
    return context, tab, problems


def _flow(site: Path, name: str) -> Path:
    return next(p for p in sorted(site.glob("flow-*.html")) if name in p.name)


def _png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width: int = struct.unpack(">I", data[16:20])[0]
    return width


def _smallest_font(tab: Any) -> float:
    """Smallest label font of the page's diagram in picture units (reports.svg shrinks long names to fit)."""
    size: float = tab.evaluate(
        "() => Math.min(...Array.from(document.querySelectorAll('figure.diagram svg text[font-size]'))"
        ".map(t => parseFloat(t.getAttribute('font-size'))))"
    )
    return size


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def _label_px(tab: Any, selector: str) -> float:
    """Rendered size of an 11-unit label: the picture's on-screen scale times its label font."""
    scale: float = tab.eval_on_selector(selector, "svg => svg.getScreenCTM().a")
    return scale * 11.0


# --------------------------------------------------------------------------- accessibility, every page


def _axe_serious(tab: Any, js_peers: Path) -> list[tuple[str, list[Any]]]:
    tab.add_script_tag(path=str(js_peers / "axe-core" / "axe.min.js"))
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:4])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_violation_on_any_page_in_either_language(
    browser: Any, scanned: Path, reviewed: Path, js_peers: Path
) -> None:
    pages = sorted(scanned.glob("*.html")) + sorted(reviewed.glob("*.html"))
    kinds = {re.sub(r"-.*", "", p.stem) for p in pages}
    assert {"index", "candidates", "assumptions", "flow", "diff"} <= kinds
    assert any("判断" in p.read_text(encoding="utf-8") for p in reviewed.glob("candidates.html"))
    assert any('class="legal' in p.read_text(encoding="utf-8") for p in scanned.glob("*.html"))
    failures: dict[str, Any] = {}
    for page in pages:
        # axe is injected as a script, which the pages' CSP rightly forbids: this context bypasses it.
        context, tab, _problems = _tab(browser, bypass_csp=True)
        tab.goto(page.as_uri())
        found = _axe_serious(tab, js_peers)
        if tab.locator("[data-lang-toggle]").count():
            tab.click("[data-lang-toggle]")
            assert tab.evaluate("document.documentElement.lang") == "en"
            found += [(f"en:{rule}", nodes) for rule, nodes in _axe_serious(tab, js_peers)]
        if found:
            failures[f"{page.parent.parent.name}/{page.name}"] = found
        context.close()
    assert failures == {}


# --------------------------------------------------------------------------- phones


def test_no_page_scrolls_sideways_on_a_390px_phone(
    browser: Any, scanned: Path, reviewed: Path, tmp_path: Path
) -> None:
    wide: dict[str, int] = {}
    for page in sorted(scanned.glob("*.html")) + sorted(reviewed.glob("*.html")):
        context, tab, problems = _tab(browser, 390, has_touch=True, is_mobile=True)
        tab.goto(page.as_uri())
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[page.name] = width
        assert problems == [], (page.name, problems)
        context.close()
    assert wide == {}
    context, tab, _problems = _tab(browser, 390, has_touch=True, is_mobile=True)
    for name in ("index.html", "candidates.html", _flow(scanned, "tennyu").name):
        tab.goto((scanned / name).as_uri())
        shot = tmp_path / f"phone-{name}.png"
        tab.screenshot(path=str(shot), full_page=True)
        assert _png_width(shot) == 390  # the full page is no wider than the screen
    context.close()


def test_diagram_on_a_phone_zooms_with_taps_and_a_pinch(browser: Any, scanned: Path) -> None:
    context, tab, problems = _tab(browser, 390, has_touch=True, is_mobile=True)
    tab.goto(_flow(scanned, "tennyu").as_uri())
    svg = "figure.diagram [data-diagram-viewport] > svg"
    assert _label_px(tab, svg) >= MIN_SCREEN_LABEL_PX - 0.01  # scrolls rather than shrinking the names
    before = tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width")
    tab.tap("[data-zoom=in]")
    after_tap = tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width")
    assert after_tap == pytest.approx(before * 1.25, rel=0.01)
    # A two-finger pinch, as the touch screen reports it (pointer events), spreading the fingers 2×.
    tab.eval_on_selector("[data-diagram-viewport]", """v => {
        const r = v.getBoundingClientRect(), y = r.top + 100;
        const fire = (type, id, x) => v.dispatchEvent(new PointerEvent(type, {pointerId: id, pointerType: 'touch',
            clientX: x, clientY: y, bubbles: true, isPrimary: id === 1}));
        fire('pointerdown', 1, r.left + 150); fire('pointerdown', 2, r.left + 200);
        fire('pointermove', 2, r.left + 250);
        fire('pointerup', 1, r.left + 150); fire('pointerup', 2, r.left + 250);
    }""")
    pinched = tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width")
    assert pinched == pytest.approx(after_tap * 2, rel=0.02)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []
    context.close()


# --------------------------------------------------------------------------- diagrams on screen


def test_diagram_fits_the_width_but_keeps_labels_readable(browser: Any, scanned: Path, tmp_path: Path) -> None:
    context, tab, problems = _tab(browser, 1280)
    page = _flow(scanned, "tennyu")
    tab.goto(page.as_uri())
    svg = "figure.diagram [data-diagram-viewport] > svg"
    natural = float(tab.get_attribute("figure.diagram", "data-natural-width") or 0)
    width = tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width")
    viewport = tab.eval_on_selector("[data-diagram-viewport]", "e => e.clientWidth")
    assert natural > viewport  # a real municipal flow is wider than the page
    assert _label_px(tab, svg) >= MIN_SCREEN_LABEL_PX - 0.01
    assert width < natural  # fitted as far as the labels allow, not shown at full size
    assert tab.get_attribute("[data-zoom=fit]", "aria-pressed") == "true"
    tab.screenshot(path=str(tmp_path / "flow-desktop.png"))
    assert _png_width(tmp_path / "flow-desktop.png") == 1280

    tab.focus("[data-diagram-viewport]")
    tab.keyboard.press("+")
    assert tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width") == pytest.approx(width * 1.25, rel=0.01)
    tab.keyboard.press("1")
    assert tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width") == pytest.approx(natural, rel=0.01)
    assert tab.inner_text("[data-zoom-level]") == "100%"
    tab.keyboard.press("-")
    tab.keyboard.press("-")
    zoomed_out = tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width")
    assert zoomed_out == pytest.approx(natural / 1.25 / 1.25, rel=0.01)
    tab.keyboard.press("0")
    assert tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width") == pytest.approx(width, rel=0.01)
    left = tab.eval_on_selector("[data-diagram-viewport]", "e => e.scrollLeft")
    tab.keyboard.press("ArrowRight")  # the focused box scrolls with the arrow keys
    tab.wait_for_function("left => document.querySelector('[data-diagram-viewport]').scrollLeft > left", arg=left)

    # Mouse: Ctrl+wheel zooms at the pointer; a drag pans and is not a click on the step under it.
    box = tab.locator("[data-diagram-viewport]").bounding_box()
    assert box is not None
    tab.mouse.move(box["x"] + 300, box["y"] + 200)
    tab.keyboard.down("Control")
    tab.mouse.wheel(0, -100)
    tab.keyboard.up("Control")
    assert tab.eval_on_selector(svg, "e => e.getBoundingClientRect().width") == pytest.approx(width * 1.25, rel=0.01)
    tab.eval_on_selector("[data-diagram-viewport]", "e => { e.scrollLeft = 0; e.scrollTop = 0; }")
    shape = tab.locator(f"{svg} [data-element-id].has-row").first
    start = shape.bounding_box()
    assert start is not None
    tab.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    tab.mouse.down()
    tab.mouse.move(start["x"] - 120, start["y"] - 40, steps=5)
    tab.mouse.up()
    moved = tab.eval_on_selector("[data-diagram-viewport]", "e => [e.scrollLeft, e.scrollTop]")
    assert moved[0] > 100 and moved[1] > 0, moved
    assert tab.evaluate("location.hash") == ""
    assert problems == []
    context.close()


def test_steps_take_keyboard_focus_and_open_their_row(browser: Any, scanned: Path) -> None:
    context, tab, problems = _tab(browser, 1280)
    tab.goto(_flow(scanned, "tennyu").as_uri())
    tab.focus("[data-diagram-viewport]")
    tab.keyboard.press("Tab")
    focused = tab.evaluate("document.activeElement.getAttribute('data-element-id')")
    assert focused, "Tab from the diagram lands on its first step"
    assert tab.evaluate("document.activeElement.getAttribute('role')") == "link"
    tab.keyboard.press("Enter")
    row_id = tab.evaluate(f"document.querySelector('tr[data-element-id=\"{focused}\"]').id")
    assert tab.evaluate("location.hash") == f"#{row_id}"
    assert tab.evaluate(f"document.getElementById('{row_id}').querySelector('details').open")
    count = tab.locator("figure.diagram [data-diagram-viewport] [data-element-id][tabindex='0']").count()
    rows = tab.locator("tr[data-element-id]").count()
    assert count == rows  # every step with a row is reachable, each once
    assert problems == []
    context.close()


def test_a_deep_link_marks_and_shows_the_step(browser: Any, scanned: Path) -> None:
    page = _flow(scanned, "tennyu")
    text = page.read_text(encoding="utf-8")
    anchor, element = re.findall(r'<tr id="(step-[^"]+)" class="[^"]*" data-element-id="([^"]+)"', text)[-1]
    context, tab, problems = _tab(browser, 1280)
    tab.goto(page.as_uri() + "#" + anchor)
    marked = tab.locator(f'[data-diagram-viewport] .is-target[data-element-id="{element}"]')
    assert marked.count() >= 1
    frame = tab.locator("[data-diagram-viewport]").bounding_box()
    shape = marked.first.bounding_box()
    assert frame is not None and shape is not None
    assert frame["x"] <= shape["x"] and shape["x"] + shape["width"] <= frame["x"] + frame["width"] + 1
    assert tab.evaluate("document.querySelector(':target').id") == anchor
    assert problems == []
    context.close()


def test_without_javascript_the_diagram_is_still_readable(browser: Any, scanned: Path) -> None:
    context, tab, _problems = _tab(browser, 1280, java_script_enabled=False)
    tab.goto(_flow(scanned, "tennyu").as_uri())
    svg = "figure.diagram [data-diagram-viewport] > svg"
    assert _label_px(tab, svg) >= MIN_SCREEN_LABEL_PX - 0.01
    assert tab.evaluate("document.documentElement.scrollWidth") == 1280  # the box scrolls, not the page
    assert tab.eval_on_selector("[data-diagram-viewport]", "e => getComputedStyle(e).overflowX") == "auto"
    assert not tab.locator("[data-diagram-tools]").is_visible()  # no buttons that would do nothing
    context.close()


# --------------------------------------------------------------------------- filters in the URL


def test_candidate_filters_are_kept_in_the_url_and_restored(browser: Any, scanned: Path) -> None:
    context, tab, problems = _tab(browser, 1280)
    tab.goto((scanned / "candidates.html").as_uri())
    rows = "#candidates-table tbody tr:not([hidden])"
    total = tab.locator(rows).count()
    # retained steps: under the default prices the cost gate recommends no robot on the samples (issue 9)
    tab.select_option("select[data-filter=disposition]", "retain")
    tab.fill("input[data-filter=text]", "入力")
    hash_ = tab.evaluate("location.hash")
    assert "disposition=retain" in hash_ and "text=" in hash_
    shown = tab.locator(rows).count()
    assert 0 < shown < total

    tab.goto((scanned / "candidates.html").as_uri() + hash_)  # a bookmark or a link sent round
    tab.reload()
    assert tab.input_value("select[data-filter=disposition]") == "retain"
    assert tab.input_value("input[data-filter=text]") == "入力"
    assert tab.locator(rows).count() == shown
    assert tab.inner_text("[data-filter-count]") == str(shown)
    tab.select_option("select[data-filter=disposition]", "")
    tab.fill("input[data-filter=text]", "")
    assert tab.evaluate("location.hash") == ""
    assert tab.locator(rows).count() == total
    tab.goto((scanned / "candidates.html").as_uri() + "#disposition=%3Cscript%3E&flow=nonexistent")
    assert tab.input_value("select[data-filter=disposition]") == ""  # unknown values fall back to 全て
    assert problems == []
    context.close()


# --------------------------------------------------------------------------- paper


def test_a_flow_diagram_prints_on_at_most_two_a4_pages_at_a_readable_size(
    browser: Any, scanned: Path, reviewed: Path, tmp_path: Path
) -> None:
    width_px, height_px = PRINT_AREA_PX
    for page in sorted(scanned.glob("flow-*.html")) + sorted(reviewed.glob("flow-*.html")):
        context, tab, problems = _tab(browser, 1280)
        tab.goto(page.as_uri())
        tab.emulate_media(media="print")
        parts = tab.locator(".print-slices .print-slice svg")
        if not tab.locator("figure.diagram").count():
            context.close()
            continue
        assert 1 <= parts.count() <= 2, page.name
        label_units = _smallest_font(tab)
        warning = tab.locator(".print-slice-label .print-fit-warning")
        for index in range(parts.count()):
            part = parts.nth(index)
            box = part.bounding_box()
            assert box is not None
            assert box["width"] <= width_px + 1 and box["height"] <= height_px + 1, (page.name, box)
            scale = part.evaluate("svg => svg.getScreenCTM().a")
            points = "diagram-graphviz" in (tab.get_attribute("figure.diagram", "class") or "")  # 1 pt = 4/3 px
            planned = float(tab.get_attribute("figure.diagram", "data-print-scale") or 0) * (4 / 3 if points else 1)
            assert scale == pytest.approx(planned, rel=0.01), page.name
            # Never below the floor without a word: a diagram printed smaller says how small, on its first page.
            if scale * label_units < MIN_PRINT_LABEL_PX - 0.01:
                assert warning.count() == 1 and warning.is_visible(), page.name
                said = re.search(r"([0-9.]+)px", warning.inner_text())
                assert said and float(said.group(1)) == pytest.approx(scale * label_units, abs=0.06), page.name
            assert part.evaluate("svg => getComputedStyle(svg.parentElement).breakBefore") == "page"
        assert not tab.locator("figure.diagram [data-diagram-viewport]").is_visible()
        last = parts.nth(parts.count() - 1).locator("xpath=..")
        assert last.locator(".print-slice-label ul.legend").is_visible()  # the colour key on the diagram's page
        slice_box = last.bounding_box()
        assert slice_box is not None and slice_box["height"] <= A4_LANDSCAPE_PX[1] - 2 * 10 * 96 / 25.4
        pdf = tab.pdf(format="A4", landscape=True)
        assert _pdf_pages(pdf) >= parts.count()
        assert problems == [], (page.name, problems)
        context.close()
    context, tab, _problems = _tab(browser, 1280)
    tab.goto(_flow(scanned, "tennyu").as_uri())
    tab.emulate_media(media="print")
    tab.screenshot(path=str(tmp_path / "flow-print.png"), full_page=True)
    assert _png_width(tmp_path / "flow-print.png") == 1280
    context.close()


PRINTED_FLOW_PAGES = {
    # flow page: (A4 landscape pages of the whole page, smallest diagram label on paper in px), measured in
    # this Chromium.  Before the print style sheet for flow pages (issue 10 item 7) the whole pages took
    # 5–15 sheets (転入届, 転出届, 戸籍届出 15; 住民票・印鑑登録・戸籍証明 12); none said it printed small.
    # マイナンバーカード (cardkofu, denshikoshin) and 郵送請求 gained a page or two with the 委託済み steps and the
    # 要確認 reasons of work a contractor does today (issue 9).
    # Before the denser flowgen layouts seven diagrams printed below 7 px: cardkofu/denshikoshin 4.7 (one picture
    # of both processes), inkan ×2 5.8, konbini ×2 6.9, kosekitodoke 5.2, tennyu 5.6, tenshutsu 5.7.
    # The scoring findings (contracted-questioned on the マイナンバーカード pages) print one language per page since the
    # lintja merge: one page fewer each.
    "cardkofu": (5, 10.1), "denshikoshin": (4, 11.0), "inkanshomei": (5, 7.4), "inkantoroku": (4, 7.4),
    "jidoteate": (4, 10.0), "juminhyo": (5, 9.5), "kokuho": (5, 10.9), "konbinikofu": (3, 7.7),
    "konbiniseisan": (3, 7.7), "kosekishomei": (5, 10.1), "kosekitodoke": (6, 7.1), "onestop": (4, 8.0),
    "onestopgakko": (3, 8.0), "onestopkodomo": (4, 8.0), "onestopkokuho": (4, 8.0), "tenkyo": (5, 9.7),
    "tennyu": (6, 7.1), "tenshutsu": (5, 7.3), "yuso": (6, 11.0),
}
"""Every bundled diagram prints at 7 px or more on at most two A4 landscape pages (the generator's layouts, with
the マイナンバーカード file drawn as one diagram per process); none shows the A3 notice."""


def test_every_bundled_flow_page_prints_compactly_and_says_when_its_diagram_is_small(
    browser: Any, scanned: Path
) -> None:
    seen: dict[str, tuple[int, float]] = {}
    for page in sorted(scanned.glob("flow-*.html")):
        context, tab, problems = _tab(browser, 1280)
        tab.goto(page.as_uri())
        tab.emulate_media(media="print")
        key = page.stem.split("-")[2]
        parts = tab.locator(".print-slices .print-slice svg")
        scale = min(parts.nth(i).evaluate("svg => svg.getScreenCTM().a") for i in range(parts.count()))
        seen[key] = (_pdf_pages(tab.pdf(format="A4", landscape=True)), round(scale * _smallest_font(tab), 1))
        # The diagram comes first on paper, and the tables carry no screen-only parts or evidence panels.
        assert tab.evaluate("() => document.querySelector('main').firstElementChild.className") == "print-slices"
        for hidden in ("td.features", "td.reasons details", ".print-button", ".diagram-tools", "table.gaps"):
            assert all(not e.is_visible() for e in tab.locator(hidden).all()), (key, hidden)
        assert tab.locator("section[aria-labelledby=steps] .print-note").is_visible()
        fits = seen[key][1] >= MIN_PRINT_LABEL_PX
        assert tab.locator(".print-slice-label .print-fit-warning").count() == (0 if fits else 1), key
        assert problems == [], (key, problems)
        context.close()
    assert {k: v[0] for k, v in seen.items()} == {k: v[0] for k, v in PRINTED_FLOW_PAGES.items()}
    assert {k: v[1] for k, v in seen.items()} == pytest.approx({k: v[1] for k, v in PRINTED_FLOW_PAGES.items()},
                                                               abs=0.06)
    assert max(pages for pages, _ in seen.values()) <= 6
    assert min(px for _, px in seen.values()) >= MIN_PRINT_LABEL_PX  # issue 10 item 7: every diagram readable


def test_repeated_table_headers_are_printed_as_text(browser: Any, scanned: Path) -> None:
    context, tab, problems = _tab(browser, 1280)
    tab.goto((scanned / "candidates.html").as_uri())
    tab.emulate_media(media="print")
    assert tab.eval_on_selector("#candidates-table thead", "e => getComputedStyle(e).display") == "table-header-group"
    # Chromium paints no form control in a header repeated on pages 2, 3…: print shows a text copy instead.
    assert not tab.locator("#candidates-table thead .sort-button").first.is_visible()
    labels = tab.locator("#candidates-table thead .sort-print [lang=ja]")
    assert labels.count() == tab.locator("#candidates-table thead th").count()
    assert all(text.strip() for text in labels.all_inner_texts())
    pdf = tab.pdf(format="A4", landscape=True)
    assert _pdf_pages(pdf) >= 2  # the header has pages to repeat on
    tab.emulate_media(media="screen")
    assert tab.locator("#candidates-table thead .sort-button").first.is_visible()
    assert not tab.locator("#candidates-table thead .sort-print").first.is_visible()
    assert problems == []
    context.close()


def test_print_geometry_constants_match_a4_landscape() -> None:
    # 10 mm margins in site.css: the drawing area must fit inside what is left of the page.
    css = (Path(__file__).resolve().parents[2] / "reports" / "static" / "site.css").read_text(encoding="utf-8")
    margin = float(re.search(r"@page \{ size: A4 landscape; margin: (\d+)mm; \}", css).group(1))  # type: ignore[union-attr]
    usable = [side - 2 * margin * 96 / 25.4 for side in A4_LANDSCAPE_PX]
    assert PRINT_AREA_PX[0] <= usable[0] and PRINT_AREA_PX[1] <= usable[1]
    assert math.isclose(MIN_PRINT_LABEL_PX * 0.75, 5.25)  # 7 px is 5.25 pt on paper
