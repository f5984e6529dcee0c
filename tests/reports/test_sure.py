"""The top page answers "how sure are we" (issue 10 item 3), on the sample library with the money model.

Checked against the assessment itself: the measured share is the hours of
steps whose minutes and counts came from the survey or BPMN; every 要設定
parameter of the profile and every estimated money parameter is flagged and
links to its row on the 前提条件 page; gross saving, new cost and net are the
money model's lines summed by sign; the ranking rule stands next to every
ranked list; the chart is a ranked, labelled bar chart starting at zero.
"""

from __future__ import annotations

import re
from pathlib import Path

import html5lib  # type: ignore[import-untyped]
import pytest
from lxml import etree

from bpm.reader import read_bpmn
from reports.format import money
from reports.site import SiteInput, render_site
from reports.sources_view import citation_keys, read_source_sheet
from reports.sureness import hour_basis, param_anchor, placeholder_keys
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Assessment
from scoring.survey import load_survey

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}
Site = tuple[Assessment, dict[str, bytes]]


def tree(page: bytes) -> etree._Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), strict=True, namespaceHTMLElements=False)
    root: etree._Element = parser.parse(page, transport_encoding="utf-8").getroot()
    return root


def words(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.fixture(scope="module")
def sample(flows_dir: Path) -> Site:
    definitions = tuple(read_bpmn(p) for p in sorted(flows_dir.glob("*.bpmn")))
    assessment = assess(definitions, survey=load_survey(flows_dir / "survey.xlsx"), profile=load_profile(None))
    sheet = read_source_sheet(flows_dir / "survey.xlsx")
    site_input = SiteInput(definitions, (), assessment, survey_sources=sheet, survey_file="survey.xlsx")
    return assessment, render_site(site_input, environ=ENV)


def test_measured_share_of_hours_is_shown_from_the_recorded_sources(sample: Site) -> None:
    assessment, files = sample
    root = tree(files["index.html"])
    section = root.find(".//section[@class='sure']")
    assert section is not None, "the top page has a 結果の確度 section"
    steps = [s for p in assessment.processes for s in p.steps]
    total = sum(s.cost.hours_per_year for s in steps)
    measured = sum(s.cost.hours_per_year for s in steps if hour_basis(s) == "measured")
    percent = round(100 * measured / total)
    row = section.find(".//tr[@class='basis-measured']")
    assert row is not None and f"{percent}%" in words(row)
    assert f"{measured:,.0f}" in words(row)
    assert f"処理時間と件数の両方が実測の手順は{percent}%" in words(section)
    assert 0 < percent < 100, "the sample has both measured and defaulted hours"


def test_every_placeholder_and_estimated_money_parameter_is_flagged_with_a_link(sample: Site) -> None:
    assessment, files = sample
    index = tree(files["index.html"])
    assumptions = tree(files["assumptions.html"])
    anchors = {e.get("id") for e in assumptions.iter() if e.get("id")}
    rows = index.findall(".//table[@class='data sure-params']/tbody/tr")
    flagged = {words(r.find(".//code")): r for r in rows}
    placeholders = placeholder_keys(assessment.profile_sources)
    assert placeholders and all(key in flagged for key in placeholders)
    assert all("要設定" in words(flagged[key]) for key in placeholders)
    assert assessment.money is not None
    estimated = [bar.key for bar in assessment.money.tornado if bar.estimated]
    assert estimated and all(key in flagged and "推計" in words(flagged[key]) for key in estimated)
    for key, row in flagged.items():
        link = row.find(".//a")
        assert link is not None and link.get("href") == f"assumptions.html#{param_anchor(key)}"
        assert param_anchor(key) in anchors, f"{key}: the link lands on its row of the 前提条件 page"
    assert not any(re.fullmatch(r"[a-z_.]+", words(r.find(".//a"))) for r in rows), "labels are words, not keys"


def test_gross_saving_new_cost_and_net_are_the_money_lines_apart(sample: Site) -> None:
    assessment, files = sample
    assert assessment.money is not None
    lines = assessment.money.lines
    gross = sum(line.total for line in lines if line.total > 0)
    cost = sum(line.total for line in lines if line.total < 0)
    table = tree(files["index.html"]).find(".//table[@class='data sure-money']")
    assert table is not None
    text = words(table)
    for line in lines:
        assert line.ja in text and money(line.total).text.ja in text
    for css, value in (("gross", gross), ("new-cost", cost), ("net", gross + cost)):
        row = table.find(f".//tr[@class='subtotal {css}']")
        assert row is not None and money(value).text.ja in words(row), css
    assert cost < 0 and "▲" in words(table.find(".//tr[@class='subtotal new-cost']"))


def test_the_ranking_rule_stands_next_to_every_ranked_list(sample: Site) -> None:
    _, files = sample
    for page, phrase in (("index.html", "財政効果（評価期間の正味現在価値）の大きい順"),
                         ("candidates.html", "財政効果（評価期間の正味現在価値）の大きい順"),
                         ("capacity.html", "空く職員時間（時間/年）× 適性スコアの大きい順")):
        rules = [words(p) for p in tree(files[page]).iter("p") if p.get("class") == "rank-rule"]
        assert any(phrase in rule for rule in rules), page
        assert any("Ranking rule" in rule for rule in rules), f"{page}: and in English"


def test_portfolio_chart_is_ranked_labelled_and_starts_at_zero(sample: Site) -> None:
    assessment, files = sample
    root = tree(files["index.html"])
    svg = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("svg")
               and e.get("class") == "hours-chart")
    bars = [e for e in svg.iter() if isinstance(e.tag, str) and "hours-bar" in (e.get("class") or "").split()]
    assert len(bars) == 20
    widths = [float(next(c for c in bar.iter() if c.tag.endswith("rect")).get("width")) for bar in bars]
    assert widths == sorted(widths, reverse=True), "largest first"
    assert widths[-1] > 0.2 * widths[0], "a linear scale from zero, no pile-up at one edge"
    ticks = [words(t) for t in svg.iter() if isinstance(t.tag, str) and t.tag.endswith("text")
             and t.getparent().get("class") == "chart-axes" and t.get("lang") is None]
    assert ticks[0] == "0" and all(re.fullmatch(r"[\d,]+", tick) for tick in ticks)
    busiest = max((s for p in assessment.processes for s in p.steps), key=lambda s: s.cost.hours_per_year)
    first = words(bars[0])
    assert busiest.name in first and f"{busiest.cost.hours_per_year:,.0f}時間" in first
    table = root.find(".//details[@class='chart-table']/table")
    assert table is not None and len(table.findall("./tbody/tr")) == 20, "the chart's text equivalent"


# --------------------------------------------------------------------------- item 4: Japanese first, sources inside


def test_data_gaps_read_in_japanese_and_keep_the_scoring_text_in_english(sample: Site) -> None:
    assessment, files = sample
    rows = tree(files["index.html"]).findall(".//table[@class='data gaps']/tbody/tr")
    assert len(rows) == len(assessment.gaps)
    for row in rows:
        cells = row.findall("td")
        ja = " ".join(words(e) for e in cells[1].iter() if e.get("lang") == "ja")
        en = " ".join(words(e) for e in cells[1].iter() if e.get("lang") == "en")
        assert ja and en, words(row)
        assert not re.search(r"\b(no survey row|matches no step|not found|profile default|ignored)\b", ja), ja
        kind = " ".join(words(e) for e in cells[0].iter() if e.get("lang") == "ja")
        assert kind and not re.fullmatch(r"[a-z-]+", kind), "gap kinds are words, not codes"
    messages = {g.message for g in assessment.gaps}
    shown = {" ".join(words(e) for e in r.findall("td")[1].iter() if e.get("lang") == "en") for r in rows}
    assert {" ".join(m.split()) for m in messages} == shown, "the English site keeps the scoring's message"


def test_assumptions_are_tables_with_meaning_value_basis_and_linked_sources(sample: Site) -> None:
    assessment, files = sample
    page = tree(files["assumptions.html"])
    rows = page.findall(".//table[@class='data parameters']/tbody/tr")
    assert len(rows) == len(assessment.profile_sources)
    by_id = {r.get("id"): r for r in rows}
    wage = by_id[param_anchor("staff.kaikei.hourly_wage")]
    cells = wage.findall("td")
    assert "会計年度任用職員の時給" in words(cells[0]) and "1,150" in words(cells[2])
    assert "一般事務の会計年度任用職員の時給です。" in words(cells[1]) and "円/時間" in words(cells[3])  # meaning, unit
    assert "出典＋推計" in words(cells[4])
    for row in rows:  # every parameter has its meaning and unit in words, not only its key (issue 10 item 4)
        cells = row.findall("td")
        assert words(cells[1]).strip() and words(cells[3]).strip(), row.get("id")
    sources = tree(files["sources.html"])
    anchors = {e.get("id") for e in sources.iter() if e.get("id")}
    for row in rows:
        for link in row.findall(".//td[@class='param-source']//a"):
            href = link.get("href", "")
            assert href.startswith("sources.html#") and href.split("#", 1)[1] in anchors, href
    headings = [words(h) for h in page.iter("h3")]
    assert any("職員のフルコスト" in h for h in headings) and any("RPAの費用と効果" in h for h in headings)


def test_sources_page_lists_every_cited_source_and_the_survey_sheet(sample: Site, flows_dir: Path) -> None:
    assessment, files = sample
    page = tree(files["sources.html"])
    anchors = {e.get("id") for e in page.iter() if e.get("id")}
    cited = {key for note in assessment.profile_sources.values() for key in citation_keys(note)}
    assert "K12" in cited and "counter-procedures" in cited
    sheet = read_source_sheet(flows_dir / "survey.xlsx")
    assert len(sheet) > 10 and all(s.anchor in anchors for s in sheet)
    listed = {key for key in cited if f"src-{key}" in anchors}
    assert listed == cited, f"cited but not on the page: {sorted(cited - listed)}"
    unknown = page.find(".//section[@aria-labelledby='src-unknown']")
    assert unknown is None, words(unknown) if unknown is not None else ""
    assert not [a for a in page.iter("a") if (a.get("href") or "").startswith(("http", "//"))], "addresses are text"


def test_evidence_panel_reads_in_the_language_of_the_site(sample: Site) -> None:
    """根拠と費用の内訳: each evidence line in Japanese on the ja side, English on the en side (issue 10 item 4)."""
    _, files = sample
    ja_lines, en_lines = [], []
    for name, data in files.items():
        if not name.endswith(".html") or b'class="evidence"' not in data:
            continue
        for detail in tree(data).iterfind(".//dl[@class='evidence']//dd"):
            spans = {e.get("lang"): words(e) for e in detail.iter("span") if e.get("lang")}
            if spans:
                ja_lines.append(spans["ja"])
                en_lines.append(spans["en"])
    assert len(ja_lines) > 500
    english_words = re.compile(r"\b(name contains|profile default|BPMN property|task type|expected executions|h/yr)\b")
    assert not [line for line in ja_lines if english_words.search(line)][:5]
    assert any(re.search(r"調査票 ?\d+行目: ?処理時間\(分\)", line) for line in ja_lines)  # ja spacing
    assert any("プロファイルの既定値（" in line for line in ja_lines)
    assert any(re.search(r"調査票 row \d+: 処理時間\(分\)", line) for line in en_lines)
    assert any("expected executions per case from the flow" in line for line in en_lines)
