"""The money pages of the real pipeline: two effects, lots, staffing plan, tornado, calibration, outlines."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import html5lib  # type: ignore[import-untyped]
import pytest
from lxml import etree
from openpyxl import load_workbook

from bpm.reader import read_bpmn
from reports.charts import TornadoLabels, tornado_chart
from reports.i18n import Bilingual
from reports.lotspec import outline_markdown, outline_xlsx
from reports.money_views import lot_page
from reports.site import SiteInput, render_site
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Assessment, TornadoBar
from scoring.survey import load_survey

CANDIDATES_PAY = Path(__file__).resolve().parents[1] / "data" / "scoring" / "candidates-pay.toml"
ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def text(html: bytes) -> str:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), strict=True, namespaceHTMLElements=False)
    root = parser.parse(html, transport_encoding="utf-8").getroot()
    return " ".join("".join(root.itertext()).split())


def run(flows_dir: Path, profile: Path | None) -> tuple[Assessment, dict[str, bytes]]:
    definitions = tuple(read_bpmn(p) for p in sorted(flows_dir.glob("*.bpmn")))
    assessment = assess(definitions, survey=load_survey(flows_dir / "survey.xlsx"), profile=load_profile(profile))
    return assessment, render_site(SiteInput(definitions, (), assessment), environ=ENV)


@pytest.fixture(scope="module")
def default_site(flows_dir: Path) -> tuple[Assessment, dict[str, bytes]]:
    return run(flows_dir, None)


@pytest.fixture(scope="module")
def paying_site(flows_dir: Path) -> tuple[Assessment, dict[str, bytes]]:
    return run(flows_dir, CANDIDATES_PAY)


def test_index_shows_hours_and_cash_apart(default_site: tuple[Assessment, dict[str, bytes]]) -> None:
    assessment, files = default_site
    assert assessment.money is not None
    page = text(files["index.html"])
    assert "人工削減（時間）" in page and "財政効果（現金）" in page
    money = assessment.money
    hours = f"{money.candidate_hours_freed_per_year:,.0f}時間"
    assert "候補をすべて実施した場合" in page and hours in page
    assert money.candidate_npv_yen.high < 0, "adopting every candidate loses money on the default prices"
    adopted = [s for p in assessment.processes for s in p.steps if s.rank is not None]
    if adopted:  # what pays is recommended, with its own range; a range reaching below zero says so
        assert f"{money.plan.posts_cut}ポストを減らして" in page
        assert ("前提次第では損失になります" in page) is (money.npv_yen.low < 0)
    else:
        assert "費用面で推奨できるRPA・委託はありません" in page
        assert "範囲のどの値でもマイナスです" in page, "nothing pays: the headline says so, whatever the estimates"
    assert "損益分岐" in page and "委託が採算に乗る受託者の時間単価" in page, "and says where it would break even"
    assert "判断が必要な業務へ振り向けられる見込みです。年間の削減効果は" not in page, "the old mixed headline"
    assert "財政効果（正味現在価値）の大きい順" in page, "the sort label says what it sorts by"


def test_money_page_lists_withdrawn_lots_the_plan_and_the_tornado(
    default_site: tuple[Assessment, dict[str, bytes]],
) -> None:
    assessment, files = default_site
    page = text(files["money.html"])
    assert "費用面で推奨しない" in page and "市民課 窓口業務委託" in page
    assert "候補をすべて実施した場合" in page and "配置転換" in page
    assert "給与費（給料・手当）" in page and "共済費（事業主負担）" in page and "退職手当負担金" in page
    assert "間接費" in page and "会計年度任用職員" in page and "報酬・期末勤勉手当" in page
    assert "マイナンバー利用事務系" in page
    assert b'class="tornado-chart"' in files["money.html"]
    assert assessment.money is not None
    assert assessment.money.tornado[0].key in page


def test_lot_page_has_scope_seats_price_and_outline(default_site: tuple[Assessment, dict[str, bytes]]) -> None:
    assessment, files = default_site
    assert assessment.money is not None
    lot = assessment.money.lots[0]
    page = text(files[f"{lot.lot_id}.html"])
    for word in ("業務一覧", "委託可否", "根拠通知", "職員との引継ぎ点", "窓口の席数", "3〜4月・繁忙日", "業務責任者",
                 "一般管理費等", "仕様書の作成", "要確認", "職員が行う手順（業務範囲外）", "委託可（事実上の行為）",
                 "委託不可（公権力の行使）", "内閣府 平成20年1月17日通知"):
        assert word in page, word
    xlsx = files[f"downloads/lots/{lot.lot_id}-shiyosho.xlsx"]
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["概要", "業務一覧", "職員が行う手順", "窓口の席数", "積算"]
    kept = {row[0]: row[7] for row in book["職員が行う手順"].iter_rows(min_row=2, values_only=True)}
    assert kept["交付可否判断"] == "委託不可（公権力の行使）", "the legal verdict, not the classification"
    names = [row[0] for row in book["業務一覧"].iter_rows(min_row=2, values_only=True)]
    assert len(names) == len(lot.items) and "申請書受領" in names
    markdown = files[f"downloads/lots/{lot.lot_id}-shiyosho.md"].decode("utf-8")
    assert markdown.startswith("# 仕様書骨子: 市民課 窓口業務委託") and "## 別表 窓口の席数" in markdown


def test_paying_run_shows_the_cash_flow_and_hand_off_points(paying_site: tuple[Assessment, dict[str, bytes]]) -> None:
    assessment, files = paying_site
    assert assessment.money is not None and assessment.money.npv_yen.base > 0
    money_page = text(files["money.html"])
    assert "定数削減（人件費の減）" in money_page and "委託料" in money_page and "削減年度" in money_page
    lot = assessment.money.lots[0]
    assert not lot.withdrawn
    page = text(files[f"{lot.lot_id}.html"])
    assert "受託者→職員" in page, "hand-off points of the lot's steps"
    candidates = text(files["candidates.html"])
    assert "順位（財政効果順）" in candidates and "能力順位（時間×適性）" in candidates


def test_calibration_page_shows_the_three_seeds(default_site: tuple[Assessment, dict[str, bytes]]) -> None:
    _, files = default_site
    page = text(files["calibration.html"])
    for seed in ("海老名市", "吉川市", "足立区", "▲24%", "1,188万円"):
        assert seed in page, seed
    assert page.count("再現せず") == 0 and page.count("再現") >= 3


def test_capacity_view_sorts_by_hours_times_suitability(default_site: tuple[Assessment, dict[str, bytes]]) -> None:
    assessment, files = default_site
    page = text(files["capacity.html"])
    assert "能力ビュー（時間×適性）" in page and "財政効果の順ではありません" in page
    steps = [s for p in assessment.processes for s in p.steps if s.money and s.money.capacity_rank]
    best = min(steps, key=lambda s: s.money.capacity_rank if s.money else 0)
    assert best.name in page


def test_outline_cells_are_text_never_formulas(default_site: tuple[Assessment, dict[str, bytes]]) -> None:
    assessment, _ = default_site
    assert assessment.money is not None
    lot = assessment.money.lots[0]
    hostile = dataclasses.replace(lot, items=(dataclasses.replace(lot.items[0], name="=HYPERLINK(\"x\")|a"),
                                              *lot.items[1:]))
    view = lot_page(hostile, assessment, {}, 5)
    sheet = load_workbook(io.BytesIO(outline_xlsx(view)))["業務一覧"]
    cell = sheet.cell(row=2, column=1)
    assert cell.value == "=HYPERLINK(\"x\")|a" and cell.data_type == "s"
    assert "=HYPERLINK(\"x\")\\|a" in outline_markdown(view)


def test_tornado_chart_bars_and_escaping() -> None:
    labels = TornadoLabels(*[Bilingual("x", "x")] * 6)
    bars = [TornadoBar("outsource.seat_hour_price", 1750, 2900, -1e7, -3e7, True),
            TornadoBar("staff.regular.pay_per_fte", 6.2e6, 7.4e6, -2.5e7, -1.5e7, False)]
    svg = tornado_chart(bars, -2e7, labels)
    root = etree.fromstring(svg.encode())
    rows = root.findall(".//{http://www.w3.org/2000/svg}g[@class='tornado-bar']")
    assert len(rows) == 2
    names = [g.find("{http://www.w3.org/2000/svg}text").text for g in rows]
    assert names == ["* outsource.seat_hour_price", "staff.regular.pay_per_fte"], "estimates are starred"
    assert tornado_chart([], 0.0, labels).count("<rect") == 0


def test_money_pages_are_bilingual_with_labelled_headers(default_site: tuple[Assessment, dict[str, bytes]]) -> None:
    """The same rules as the rest of the site: every Japanese UI text has its English partner, every header
    cell is UI text in both languages."""
    _, files = default_site
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), strict=True, namespaceHTMLElements=False)
    names = [n for n in files if n.endswith(".html") and not n.startswith("flow-")]
    assert {"money.html", "calibration.html", "capacity.html"} <= set(names)
    for name in names:
        root = parser.parse(files[name], transport_encoding="utf-8").getroot()
        for element in root.iter():
            if isinstance(element.tag, str) and element.get("lang") == "ja" and element is not root:
                partner = element.getnext()
                assert partner is not None and partner.get("lang") == "en", f"{name}: {etree.tostring(element)!r}"
        for th in root.iter("th"):
            langs = {e.get("lang") for e in th.iter() if isinstance(e.tag, str)}
            assert {"ja", "en"} <= langs, f"{name}: header without both languages: {etree.tostring(th)!r}"


def test_outline_bytes_are_reproducible(default_site: tuple[Assessment, dict[str, bytes]]) -> None:
    import time
    from datetime import UTC, datetime

    assessment, _ = default_site
    assert assessment.money is not None
    view = lot_page(assessment.money.lots[0], assessment, {}, 5)
    created = datetime(2024, 4, 1, tzinfo=UTC)
    first = outline_xlsx(view, created)
    time.sleep(1.1)  # the zip entries and docProps would otherwise carry the save time
    assert outline_xlsx(view, created) == first
    assert load_workbook(io.BytesIO(first)).properties.modified == datetime(2024, 4, 1)
