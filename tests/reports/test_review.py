"""Review status in the report: the candidates page's 判断 column, flow-page tags and decisions whose step is gone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import html5lib
import pytest

from bpm.model import ElementId, ProcessId
from reports.site import SiteInput, render_site
from scoring.decisions import Decision, ReviewDecision, match_decisions

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def reviewed(site_input: SiteInput) -> tuple[dict[str, bytes], list[str]]:
    steps = [s for p in site_input.assessment.processes for s in p.steps]
    chosen = steps[:3]
    decisions = [
        ReviewDecision(Path(chosen[0].file).name, chosen[0].process_id, chosen[0].step_id, Decision.ACCEPT,
                       "山田", "来年度に実施", sheet="decided.xlsx", row=2),
        ReviewDecision(Path(chosen[1].file).name, chosen[1].process_id, chosen[1].step_id, Decision.REJECT,
                       comment=HOSTILE, sheet="decided.xlsx", row=3),
        ReviewDecision(Path(chosen[2].file).name, chosen[2].process_id, chosen[2].step_id, None, "佐藤",
                       sheet="decided.xlsx", row=4),
        ReviewDecision("certificate.bpmn", ProcessId("proc_cert"), ElementId("t_gone"), Decision.DEFER, "鈴木",
                       "様式改正待ち", name="旧・手数料収納", flow="証明書交付", sheet="decided.xlsx", row=9),
    ]
    reviews = match_decisions(site_input.assessment, decisions, sheet="/share/decided.xlsx")
    assert len(reviews.orphans) == 1
    files = render_site(dataclasses.replace(site_input, reviews=reviews),
                        environ={"SOURCE_DATE_EPOCH": "1700000000"})
    return files, [s.step_id for s in chosen]


def _text(files: dict[str, bytes], name: str) -> str:
    return files[name].decode("utf-8")


def test_candidates_page_shows_each_review_status(reviewed: tuple[dict[str, bytes], list[str]]) -> None:
    files, _steps = reviewed
    page = _text(files, "candidates.html")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    head = page.split("<tbody>", 1)[0]
    assert '<span lang="ja">判断</span><span lang="en">Review</span>' in head
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count('<td class="review"') == body.count("<tr ")
    assert 'class="tag review-accept"><span lang="ja">採用</span>' in body
    assert 'class="tag review-reject"><span lang="ja">不採用</span>' in body
    assert 'class="tag review-pending"><span lang="ja">検討中</span>' in body
    assert "<small>山田</small>" in body and "来年度に実施" in body
    assert body.count('<span lang="ja">未判断</span>') == body.count("<tr ") - 3
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_decisions_whose_step_is_gone_are_listed(reviewed: tuple[dict[str, bytes], list[str]]) -> None:
    page = _text(reviewed[0], "candidates.html")
    section = page.split('id="review-orphans"', 1)[1]
    assert "手順が見つからない判断" in page
    row = section.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    for text in ("decided.xlsx:9", "旧・手数料収納", "certificate.bpmn", "証明書交付", "保留", "鈴木", "様式改正待ち"):
        assert text in row, text


def test_flow_pages_tag_reviewed_steps(reviewed: tuple[dict[str, bytes], list[str]]) -> None:
    files, steps = reviewed
    assert len(steps) == 3
    flows = "".join(_text(files, name) for name in files if name.startswith("flow-") and name.endswith(".html"))
    assert flows.count("tag review-") == 3
    assert 'class="tag review-accept" title="山田 来年度に実施"' in flows


def test_without_decisions_the_pages_are_as_before(site_input: SiteInput) -> None:
    files = render_site(site_input, environ={"SOURCE_DATE_EPOCH": "1700000000"})
    page = _text(files, "candidates.html")
    # "review" alone is also the 要確認 disposition's key (legal gate), so look for the review UI itself.
    assert 'class="tag review-' not in page and "判断" not in page.split("<tbody>", 1)[0]
