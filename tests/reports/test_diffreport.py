"""The `bpm diff` report: score movement from the real scoring, JSON, terminal rows and the HTML page in Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import html5lib
import pytest

from bpm.diff import diff_definitions
from bpm.model import Definitions
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.diffreport import DIFF_FORMAT, DiffReport, diff_html, diff_json, diff_report, diff_table
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Disposition

DATA = Path(__file__).resolve().parents[1] / "data" / "diff"
BEFORE = DATA / "juminhyo_before.bpmn"
AFTER = DATA / "juminhyo_after.bpmn"
CHROMIUM = Path("/usr/bin/chromium")


def _report(old: Definitions, new: Definitions) -> DiffReport:
    profile = load_profile(None)
    return diff_report(diff_definitions(old, new), assess([old], profile=profile), assess([new], profile=profile))


@pytest.fixture(scope="module")
def versions() -> tuple[Definitions, Definitions]:
    return read_bpmn(BEFORE), read_bpmn(AFTER)


@pytest.fixture(scope="module")
def report(versions: tuple[Definitions, Definitions]) -> DiffReport:
    return _report(*versions)


@pytest.fixture(scope="module")
def page(report: DiffReport, versions: tuple[Definitions, Definitions]) -> str:
    return diff_html(report, *versions, generated="2025-04-01 09:00 UTC")


# --------------------------------------------------------------------------- score movement


def test_movement_totals_are_the_two_assessments_totals(
    report: DiffReport, versions: tuple[Definitions, Definitions]
) -> None:
    profile = load_profile(None)
    old, new = (assess([v], profile=profile).processes[0] for v in versions)
    movement = report.movements[("Process_Juminhyo", "Process_Juminhyo")]
    assert movement.hours_old == pytest.approx(old.totals.hours_per_year)
    assert movement.hours_new == pytest.approx(new.totals.hours_per_year)
    assert movement.fte_new == pytest.approx(new.totals.fte)
    assert sum(d.steps_old for d in movement.dispositions) == len(old.steps)
    assert sum(d.steps_new for d in movement.dispositions) == len(new.steps)
    assert sum(d.hours_new for d in movement.dispositions) == pytest.approx(new.totals.hours_per_year)
    assert movement.hours_new < movement.hours_old  # a step went, and certificate making is now a system task
    rows = {(s.name, s.old is None, s.new is None) for s in movement.steps}
    assert ("請求資格確認", False, True) in rows  # removed: its hours leave
    assert ("交付記録の登録", True, False) in rows  # added
    made = next(s for s in movement.steps if s.name == "証明書作成・照合")
    assert made.old is not None and made.new is not None
    assert made.new.disposition is Disposition.AUTOMATED and made.old.disposition is not Disposition.AUTOMATED
    retained = {s.name for s in movement.steps}
    assert "交付可否判断" not in retained  # unchanged steps are not listed


def test_json_document(report: DiffReport) -> None:
    document = json.loads(diff_json(report))
    assert list(document)[:2] == ["format", "version"]
    assert document["format"] == DIFF_FORMAT and document["changed"] is True
    (process,) = document["processes"]
    assert process["matched"] == 18 and process["matched_by"] == {"id": 17, "name": 1, "structure": 0}
    assert [(s["change"], s["name"]) for s in process["steps"]] == [
        ("removed", "請求資格確認"), ("added", "交付記録の登録"), ("renamed", "交付申請書の受領"),
        ("retyped", "証明書作成・照合"), ("moved", "手数料収納"),
    ]
    assert [f["change"] for f in process["flows"]] == ["removed", "removed", "added", "condition", "rerouted", "added"]
    movement = report.movements[("Process_Juminhyo", "Process_Juminhyo")]
    assert process["scores"]["hours_per_year"] == {"old": round(movement.hours_old, 6),
                                                   "new": round(movement.hours_new, 6)}
    assert process["scores"]["estimated"] is True  # no survey sheet: the minutes are partly defaults
    assert "請求資格確認" in diff_json(report)  # Japanese unescaped


def test_terminal_rows_name_each_change_in_both_languages(report: DiffReport) -> None:
    tables = diff_table(report)
    title, header, rows = tables[0]
    assert title == "住民票の写し等の交付: juminhyo_before.bpmn → juminhyo_after.bpmn"
    assert header[0] == "変更 / change"
    assert rows[0] == ["削除 / Removed", "請求資格確認", "窓口（受付・交付）", "", ""]
    assert rows[4] == ["担当（レーン）変更 / Moved to another lane", "手数料収納", "窓口（受付・交付）", "収納担当",
                       "ID"]
    score_title, _header, score_rows = tables[1]
    assert score_title.startswith("評価の変化 / how the scores moved")
    assert score_rows[0][0] == "年間時間 / hours per year"
    assert score_rows[0][3].startswith("-")


def test_identical_versions_say_so(versions: tuple[Definitions, Definitions]) -> None:
    same = _report(versions[1], versions[1])
    assert not same.diff.changed
    title, _header, rows = diff_table(same)[0]
    assert rows == [] and title.endswith("変更なし / no changes")
    assert "変更はありません。" in diff_html(same, versions[1], versions[1], generated="x")


# --------------------------------------------------------------------------- HTML


def test_page_is_valid_self_contained_html(page: str) -> None:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in page
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"ja\">")
    assert page.index("変更点") < page.index("Changes")  # Japanese first


def test_both_diagrams_mark_added_removed_and_changed(page: str) -> None:
    before, after = page.split("<figcaption>変更後", 1)
    assert re.search(r'class="[^"]*diff-removed[^"]*" data-element-id="Activity_ShikakuKakunin"', before)
    assert re.search(r'class="[^"]*diff-changed[^"]*" data-element-id="Activity_Tesuryo"', before)
    assert re.search(r'class="[^"]*diff-added[^"]*" data-element-id="Activity_KofuKiroku"', after)
    assert re.search(r'class="[^"]*diff-changed[^"]*" data-element-id="Flow_ShinsaYo"', after)
    assert "diff-added" not in before and "diff-removed" not in after
    assert after.count("＋ 追加 / added") >= 3  # badge text: the mark survives black-and-white printing


def test_hostile_names_are_escaped(versions: tuple[Definitions, Definitions]) -> None:
    hostile = AFTER.read_text(encoding="utf-8").replace(
        'name="交付記録の登録"', 'name="&lt;script&gt;alert(1)&lt;/script&gt; &quot;&apos;&amp;"'
    )
    new = read_bpmn_bytes(hostile.encode("utf-8"), "after.bpmn")
    text = diff_html(_report(versions[0], new), versions[0], new, generated="x")
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def test_miwg_pair_page_shows_diagrams_of_both_tools(miwg_dir: Path) -> None:
    old = read_bpmn(miwg_dir / "ADONIS 17.0" / "B.2.0-export.bpmn")
    new = read_bpmn(miwg_dir / "Enterprise Architect 12.0.1207" / "B.2.0-roundtrip.bpmn")
    report = _report(old, new)
    text = diff_html(report, old, new, generated="x")
    assert text.count("<svg") >= 2 * len(report.diff.processes)
    assert text.count("diff-changed") >= 5
    document = json.loads(diff_json(report))
    assert sum(p["matched_by"]["structure"] for p in document["processes"]) == 5


# --------------------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install the Debian chromium package to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run browser tests")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.mark.browser
def test_page_opens_offline_and_fits_a_phone(browser: Any, page: str, tmp_path: Path, js_peers: Path) -> None:
    target = tmp_path / "diff.html"
    target.write_text(page, encoding="utf-8")
    for width in (1400, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
        tab = context.new_page()
        problems: list[str] = []
        tab.on("console", lambda m, p=problems: p.append(m.text) if m.type in ("error", "warning") else None)
        tab.on("request", lambda r, p=problems: p.append(r.url) if not r.url.startswith("file://") else None)
        tab.goto(target.as_uri())
        assert problems == []
        assert tab.evaluate("document.documentElement.scrollWidth") <= width + 1
        added = tab.locator('.diff-added[data-element-id="Activity_KofuKiroku"] rect').first
        assert added.evaluate("e => getComputedStyle(e).fill") == "rgb(212, 244, 221)"
        figures = tab.locator(".diagrams figure")
        boxes = [figures.nth(i).bounding_box() for i in range(2)]
        assert boxes[0] is not None and boxes[1] is not None
        side_by_side = abs(boxes[0]["y"] - boxes[1]["y"]) < 1
        assert side_by_side == (width == 1400)
        tab.screenshot(path=str(tmp_path / f"diff-{width}.png"), full_page=True)
        context.close()
    # accessibility: axe-core from npm (the page's CSP forbids scripts, so this one context bypasses it)
    context = browser.new_context(bypass_csp=True)
    tab = context.new_page()
    tab.goto(target.as_uri())
    tab.add_script_tag(path=str(js_peers / "axe-core" / "axe.min.js"))
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]]
    context.close()
