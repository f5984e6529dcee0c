"""Every page carries a Content-Security-Policy that lets the page work and nothing else run.

Checked twice: statically (the meta tag, no ``'unsafe-inline'``, every inline
style covered by a hash computed independently with a browser-grade parser),
and in the real headless Chromium (pages work under the policy, and injected
script, handlers, foreign images and styles are refused and reported).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import html5lib  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from reports import csp
from reports.site import SiteInput, build_site

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(site_input: SiteInput, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("csp") / "site"
    build_site(site_input, out)
    return out


def policy_of(root: etree._Element) -> str:
    metas = [m for m in root.iter("meta") if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1
    head = root.find("head")
    assert head is not None
    first = [e for e in head if isinstance(e.tag, str)][:2]
    assert metas[0] in first, "the policy comes before anything it governs"
    return metas[0].get("content") or ""


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def test_every_page_has_a_strict_policy(site: Path) -> None:
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= 4
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), namespaceHTMLElements=False)
    for page in pages:
        root = parser.parse(page.read_bytes(), transport_encoding="utf-8").getroot()
        policy = policy_of(root)
        rules = directives(policy)
        assert rules["default-src"] == ["'none'"], page.name
        assert rules["script-src"] == ["'self'"], page.name
        assert rules["img-src"] == ["'self'", "data:"], page.name
        assert rules["base-uri"] == ["'none'"] and rules["form-action"] == ["'none'"], page.name
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy and "*" not in policy
        styles = set(rules["style-src"])
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            local = etree.QName(element.tag).localname
            if element.get("style") is not None:
                assert sha(element.get("style") or "") in styles, (page.name, element.get("style"))
            if local == "style":
                assert sha(element.text or "") in styles, page.name
            if local == "script":
                assert element.get("src") == "static/site.js" and not (element.text or "").strip(), page.name


def test_the_placeholder_never_leaks(site: Path) -> None:
    for page in site.glob("*.html"):
        assert "bpm-csp" not in page.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- in the browser



@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install the Debian chromium package to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run browser tests")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    console: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: requests.append(f"failed {r.url} {r.failure}"))
    yield page, console, requests
    context.close()


@pytest.mark.browser
def test_pages_work_under_the_policy(site: Path, tab: tuple[Any, list[str], list[str]]) -> None:
    """Script, stylesheets, the diagram's own style, step tints and bars all still apply."""
    page, console, requests = tab
    for html in sorted(site.glob("*.html")):
        page.goto(html.as_uri())
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") != "inline", html
        page.click("[data-lang-toggle]")  # site.js ran
        assert page.evaluate("document.documentElement.dataset.lang") == "en", html
        page.click("[data-lang-toggle]")
        if html.name.startswith("flow-") and page.locator("figure.diagram svg style").count():
            fill = page.evaluate("getComputedStyle(document.querySelector('figure.diagram svg .b-body')).fill")
            assert fill in ("rgb(255, 255, 255)", "#fff"), (html.name, fill)  # from the diagram's <style>
        for bar in page.locator(".bar[style], .mini-bar span[style]").all()[:20]:
            wanted = re.search(r"width:\s*(\d+)%", bar.get_attribute("style") or "")
            assert wanted is not None
            if int(wanted.group(1)) > 0:
                box = bar.bounding_box()
                assert box is not None and box["width"] > 0, html.name  # the style attribute was allowed
    assert console == [], console
    assert all(entry.startswith("file://") for entry in requests), requests


@pytest.mark.browser
def test_injected_content_is_refused_and_reported(site: Path, tab: tuple[Any, list[str], list[str]]) -> None:
    """What a name could smuggle in if escaping ever failed: refused by the policy, each refusal reported."""
    page, console, requests = tab
    flow = next(site.glob("flow-*.html"))
    page.goto(flow.as_uri())
    page.evaluate("""() => {
        window.violations = [];
        document.addEventListener('securitypolicyviolation', e => window.violations.push(e.effectiveDirective));
        const box = document.createElement('div');
        box.innerHTML = '<img src="https://example.invalid/leak.png">'
            + '<img src="x.png" onerror="window.pwned = 1">'
            + '<p style="color: rgb(255, 0, 0)" id="restyled">x</p>';
        document.body.appendChild(box);
        const script = document.createElement('script');
        script.textContent = 'window.pwned = 2';
        document.body.appendChild(script);
    }""")
    page.wait_for_function("window.violations.length >= 3")
    page.wait_for_timeout(200)
    violations = set(page.evaluate("window.violations"))
    assert {"img-src", "script-src-elem"} <= violations
    assert violations & {"style-src-attr", "style-src"}
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("getComputedStyle(document.getElementById('restyled')).color") != "rgb(255, 0, 0)"
    foreign = [entry for entry in requests if "example.invalid" in entry]
    assert foreign == ["https://example.invalid/leak.png", "failed https://example.invalid/leak.png csp"]
    assert any("Content Security Policy" in message for message in console)


@pytest.mark.browser
def test_markup_in_a_page_file_cannot_run(site: Path, tab: tuple[Any, list[str], list[str]], tmp_path: Path) -> None:
    """A page edited (or broken) to carry inline script and a handler: neither runs under its own policy."""
    page, console, _ = tab
    original = (site / "index.html").read_text(encoding="utf-8")
    tampered = original.replace(
        "</main>", '<script>window.pwned = 1</script><img src="missing.png" onerror="window.pwned = 2"></main>'
    )
    copy = site / "tampered-test.html"
    copy.write_text(tampered, encoding="utf-8")
    try:
        page.goto(copy.as_uri())
        page.wait_for_timeout(300)
        assert page.evaluate("window.pwned") is None
    finally:
        copy.unlink()
    assert sum("Content Security Policy" in message for message in console) >= 2


def test_the_quick_scan_finds_what_the_full_parser_finds(site: Path) -> None:
    """Every page we write takes the quick path, with the same styles as html.parser would collect."""
    from reports import csp

    pages = sorted(site.glob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = csp._InlineStyles()
        parser.feed(text)
        parser.close()
        assert csp._inline_styles_fast(text) == (parser.elements, parser.attributes), page.name


def test_the_spot_scan_finds_what_the_full_parser_finds(site: Path) -> None:
    """Every page we write takes the spot scan (only the tags around the word ``style``), with the same
    styles, in the same order, as html.parser collects tag by tag."""
    from reports import csp

    for page in sorted(site.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        parser = csp._InlineStyles()
        parser.feed(text)
        parser.close()
        assert csp._inline_styles_at_spots(text) == (parser.elements, parser.attributes), page.name


@pytest.mark.parametrize(
    "markup",
    [
        '<p style="a">x</p><!-- <p style="b"> -->',  # a comment anywhere
        '<svg><![CDATA[ <p style="b"> ]]></svg><p style="a">x</p>',  # a CDATA section anywhere
        '<p title="1 <b" style="a">x</p>',  # a "<" inside the tag that holds the style
        "<style/>",
        "<style>a{}<b></style>",  # the text of <style> does not end at the next tag
    ],
)
def test_markup_the_spot_scan_does_not_know_goes_to_the_other_scans(markup: str) -> None:
    from reports import csp

    assert csp._inline_styles_at_spots(markup) is None
    assert csp.policy_for(markup)  # still a policy, from the tag scan or the full parser


@pytest.mark.parametrize(
    "markup",
    [
        '<p data-style="x" STYLE="width:&#49;0%" title=\'style="y" a>b\'>style = taste</p>',
        '<svg><style>a{fill:&#35;fff}</style></svg><svg/><style>b{}</style><svg><svg></svg><STYLE>c</STYLE></svg>',
        '<p\tStyle\n=a>x</p><p style\x0c="b">y</p><span style="a">z</span>',
        "<p>no style here</p>",
    ],
)
def test_the_spot_scan_agrees_with_the_full_parser(markup: str) -> None:
    """Attributes decoded, SVG ``<style>`` text also decoded (as a browser does there), words in text and
    other attribute values ignored, depth of nested and self-closed SVG counted like the parser."""
    from reports import csp

    parser = csp._InlineStyles()
    parser.feed(markup)
    parser.close()
    assert csp._inline_styles_at_spots(markup) == (parser.elements, parser.attributes)


@pytest.mark.parametrize(
    "markup",
    [
        '<p style="a">x</p><!-- <p style="b"> -->',  # a comment: the full parser decides
        "<p>1 < 2</p>",  # a bare "<"
        "<script>var s = '<p style=\"c\">';</script>",  # inline script text
        "<style/>",
    ],
)
def test_markup_the_quick_scan_does_not_know_goes_to_the_full_parser(markup: str) -> None:
    from reports import csp

    assert csp._inline_styles_fast(markup) is None
    assert csp.policy_for(markup)  # still a policy, from the full parser


def test_the_quick_scan_decodes_attributes_and_svg_style_text_like_a_browser() -> None:
    from reports import csp

    page = ('<!DOCTYPE html><p STYLE="width:&#49;0%" title=\'a>b\'>x</p><svg><style>a{fill:&#35;fff}</style>'
            '</svg><style>b{}</style>')
    parser = csp._InlineStyles()
    parser.feed(page)
    parser.close()
    assert csp._inline_styles_fast(page) == (parser.elements, parser.attributes)
    assert parser.attributes == ["width:10%"]
    assert parser.elements == ["a{fill:&#35;fff}", "a{fill:#fff}", "b{}"]


def _html5lib_styles(markup: str) -> list[str]:
    """Inline styles as a browser-grade parser sees them: ``style`` attribute values and ``<style>`` texts."""
    root = html5lib.parse(markup, treebuilder="lxml", namespaceHTMLElements=False)
    found: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if "style" in element.attrib:
            found.append(element.attrib["style"])
        if etree.QName(element).localname == "style":
            found.append(element.text or "")
    return found


@pytest.mark.parametrize(
    ("markup", "styled", "shortcut"),
    [
        ('<link rel="stylesheet" href="a.css"><p>a STYLE of its own, &lt;/style&gt;</p>', False, True),
        ('<p data-style-kind="x">style = taste</p>', False, False),  # doubtful words: the scan decides
        ('<p style="a">x</p>', True, False),
        ('<P STYLE = "a">x</P>', True, False),
        ('<p\tStyle\n=a>x</p>', True, False),
        ('<p/style="a">x</p>', True, False),
        ('<p style\x0c="a">x</p>', True, False),
        ("<svg><STYLE>a{}</STYLE></svg>", True, False),
        ("<style>b{}</style>", True, False),
    ],
)
def test_the_style_free_shortcut_only_skips_pages_a_browser_sees_no_style_in(markup: str, styled: bool,
                                                                             shortcut: bool) -> None:
    """A page the shortcut calls style-free has no inline style for html5lib (browser-grade), and gets the
    same policy as the scan would give it; a page with any inline style never takes the shortcut."""
    from reports import csp

    assert bool(_html5lib_styles(markup)) is styled
    assert csp._surely_style_free(markup) is shortcut
    if shortcut:
        found = csp._inline_styles_fast(markup)
        assert found == ([], [])
        assert csp.policy_for(markup).endswith("style-src 'self'")


def test_every_page_the_shortcut_passes_has_no_style_for_the_full_parser(site: Path) -> None:
    from reports import csp

    for page in sorted(site.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        if csp._surely_style_free(text):
            assert not _html5lib_styles(text), page.name


def _svg_depth_by_walking(page: str, position: int) -> int:
    """The depth as the first version counted it: every <svg> event before ``position``, from the start."""
    open_count = 0
    for found in csp._SVG.finditer(page):
        tag = csp._TAG.match(page, found.start())
        if tag is None or tag.group(2).lower() != "svg" or (tag.group(4) and not tag.group(1)):
            continue
        if found.start() >= position:
            break
        open_count = open_count + 1 if not tag.group(1) else max(open_count - 1, 0)
    return open_count


@given(st.lists(st.sampled_from(["<svg>", "</svg>", "<SVG a='1'>", "<svg/>", "<p>", "x", "</svg", "<style>"]),
                max_size=30))
def test_svg_depth_at_any_position_is_the_walk_from_the_start(parts: list[str]) -> None:
    page = "".join(parts)
    depth = csp._svg_depth_at(page)
    for position in range(len(page) + 1):
        assert depth(position) == _svg_depth_by_walking(page, position), (page, position)
