"""The legal gate in the report (issue 7): 要確認 as its own disposition, conflicts, overrides, missing decisions,
the lot as scored next to the safe lot — on the overview, the candidates page and the flow pages."""

from __future__ import annotations

from pathlib import Path

import html5lib  # type: ignore[import-untyped]
import openpyxl
import pytest
from lxml import etree

from bpm.lint import lint
from bpm.reader import read_bpmn
from reports.export_columns import header as export_header
from reports.export_table import write_results
from reports.site import SiteInput, build_site
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Assessment, Disposition
from scoring.survey import load_survey
from scoring.table import LEGAL_COLUMNS, steps_frame

LEGAL = Path(__file__).resolve().parents[1] / "data" / "legal"


def parse(path: Path) -> etree._Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), strict=True, namespaceHTMLElements=False)
    root: etree._Element = parser.parse(path.read_bytes(), transport_encoding="utf-8").getroot()
    return root


def text_of(element: etree._Element | None) -> str:
    assert element is not None
    return "".join(str(part) for part in element.itertext())


@pytest.fixture(scope="module")
def legal_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Assessment]:
    folder = tmp_path_factory.mktemp("legal")
    probes = (LEGAL / "probes_survey.csv").read_text(encoding="utf-8").splitlines()
    koseki = (LEGAL / "legal_survey.csv").read_text(encoding="utf-8").splitlines()
    sheet = folder / "survey.csv"
    sheet.write_text("\n".join([*probes, *koseki[1:]]) + "\n", encoding="utf-8")
    definitions = tuple(read_bpmn(LEGAL / n) for n in ("probes.bpmn", "koseki_loop.bpmn", "konin_coarse.bpmn"))
    assessment = assess(definitions, survey=load_survey(sheet), profile=load_profile())
    out = folder / "site"
    build_site(SiteInput(definitions, tuple(f for d in definitions for f in lint(d)), assessment), out)
    return out, assessment


def page(site: Path, prefix: str) -> etree._Element:
    (path,) = [p for p in site.glob("*.html") if p.name.startswith(prefix)]
    return parse(path)


def flow_page(site: Path, name: str) -> etree._Element:
    pages = [root for p in site.glob("flow-*.html") for root in [parse(p)]
             if [text_of(h) for h in root.iter("h1")] == [name]]
    assert len(pages) == 1, name
    return pages[0]


def test_review_is_its_own_disposition_with_a_legend_entry_and_colour(legal_site: tuple[Path, Assessment]) -> None:
    site, assessment = legal_site
    assert any(s.disposition is Disposition.REVIEW for p in assessment.processes for s in p.steps)
    index = page(site, "index")
    legend_rows = [text_of(tr.find("td")) for tr in index.findall(".//table[@class='data dispositions']/tbody/tr")]
    assert any("要確認" in row and "To be confirmed" in row for row in legend_rows)
    css = (site / "static" / "dispositions.css").read_text(encoding="utf-8")
    assert ".disp-review" in css and "#D55E00" in css
    flow = flow_page(site, "住民票の写し等の交付")
    legend = [text_of(li) for li in flow.findall(".//ul[@class='legend']/li")]
    assert any("要確認" in item for item in legend)
    review_rows = flow.findall(".//tr[@class='disp-review']")
    assert review_rows, "要確認 steps are tinted as such"


def test_overview_lists_conflicts_review_missing_decisions_and_lots(legal_site: tuple[Path, Assessment]) -> None:
    site, _ = legal_site
    index = page(site, "index")
    section = index.find(".//section[@aria-labelledby='legal-review']")
    assert section is not None
    conflicts = section.findall(".//table[@class='data legal-conflicts']/tbody/tr")
    assert len(conflicts) == 1
    cells = [text_of(td) for td in conflicts[0].findall("td")]
    assert "受理要件審査" in cells[0] and "公権力の行使 = 無" in cells[1] and "受理・審査" in cells[2]
    review = text_of(section.find(".//table[@class='data legal-review']"))
    assert "住民票の写しの交付（第三者請求）" in review and "受理できる?" in review and "解消方法" in review
    lots = section.findall(".//div[@class='lot']")
    assert lots and "偽装請負" in text_of(lots[0]) and "追完依頼" in text_of(lots[0])
    counts = {e.get("data-legal-count"): text_of(e) for e in section.iter() if e.get("data-legal-count")}
    assert set(counts) == {"authority", "unknown", "factual"} and int(counts["authority"]) >= 10
    rules = text_of(index.find(".//table[@class='data rules']"))
    assert "procedure-decision-missing" in rules and "legal-conflict" in rules and "handoff-risk" in rules


def test_candidates_page_shows_the_warnings_and_tags(legal_site: tuple[Path, Assessment]) -> None:
    site, _ = legal_site
    candidates = page(site, "candidates")
    section = candidates.find(".//section[@aria-labelledby='legal-review']")
    assert section is not None and "偽装請負" in text_of(section)
    tags = [text_of(span) for span in candidates.iter("span") if "tag legal" in (span.get("class") or "")]
    assert any("根拠の食い違い" in tag for tag in tags) and any("要確認" in tag for tag in tags)
    rows = candidates.findall(".//table[@id='candidates-table']/tbody/tr")
    dispositions = {tr.get("data-disposition") for tr in rows}
    assert "review" in dispositions


def test_flow_page_shows_procedure_missing_decisions_and_evidence(legal_site: tuple[Path, Assessment]) -> None:
    site, _ = legal_site
    konin = flow_page(site, "婚姻届")
    legal = konin.find(".//section[@aria-labelledby='legal-flow']")
    assert legal is not None
    assert "戸籍届出" in text_of(legal) and "(8) 戸籍の届出" in text_of(legal)
    findings = text_of(konin.find(".//section[@id='findings-section']"))
    assert findings.count("procedure-decision-missing") >= 2
    uketsuke = konin.find(".//tr[@id='step-T_Uketsuke']")
    assert uketsuke is not None
    evidence = text_of(uketsuke.find(".//ul[@class='legal-claims']"))
    assert "標準手続" in evidence and "受理・不受理の決定" in evidence
    koseki = flow_page(site, "戸籍届出")
    lot = koseki.find(".//section[@aria-labelledby='legal-flow']//div[@class='lot']")
    assert lot is not None and lot.get("data-lot-changed") == "true"
    moved = [text_of(li.find("a")) for li in lot.findall(".//ul[@class='moved']/li")]
    assert moved == ["届書受領・本人確認", "追完依頼"]


def test_exports_carry_the_legal_columns(legal_site: tuple[Path, Assessment], tmp_path: Path) -> None:
    _, assessment = legal_site
    target = write_results(steps_frame(assessment), tmp_path / "results.xlsx")
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    shinsa = next(r for r in rows if r["手順ID"] == "T_Shinsa")
    assert shinsa["法的区分（記号）"] == "authority" and "⇔" in str(shinsa["根拠の食い違い"])
    review = next(r for r in rows if r["手順"] == "内容確認")
    assert review["処理方針"] == "要確認（職員が担当）" and review["法的区分"] == "要確認"
    assert str(review["要確認の解消方法"]).startswith("解消方法")
    # outsourced by the legal gate (the cost gate may still have withdrawn it: candidate = outsource)
    outsourced = [r for r in rows if "民間委託" in (r["処理方針"], r["候補の種類"])]
    assert outsourced and all("内閣府" in str(r["委託の根拠通知"]) for r in outsourced)
    start = header.index("法的区分（記号）")  # the money columns follow, then the three review columns
    assert header[start:start + 9] == [export_header(k, "ja") for k in LEGAL_COLUMNS]
