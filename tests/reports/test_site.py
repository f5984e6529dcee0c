"""The static site: valid pages, working links, escaping, safety of out_dir, reproducibility."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urldefrag

import html5lib  # type: ignore[import-untyped]
import pytest
from lxml import etree

from bpm.errors import RenderError
from bpm.lint import lint
from bpm.model import Definitions, ElementId, ProcessId
from bpm.reader import read_bpmn
from reports import dot
from reports.i18n import LANGS, catalog, missing_keys, t
from reports.site import MARKER, SiteInput, build_site, build_time, render_site
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Assessment, Branch, Crossing, Direction, EvidenceSource, HandoffSummary, Reason
from scoring.survey import load_survey

EPOCH = "1700000000"
HOSTILE = "<script>alert(1)</script>"
QUOTES = "\"'&"
SVG_NS = "http://www.w3.org/2000/svg"


# --------------------------------------------------------------------------- helpers


def parse(path: Path) -> etree._Element:
    """Parse like a browser (html5lib), failing on any parse error."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), strict=True, namespaceHTMLElements=False)
    document = parser.parse(path.read_bytes(), transport_encoding="utf-8")
    root: etree._Element = document.getroot()
    return root


def text_of(element: etree._Element | None) -> str:
    """All text inside an element."""
    assert element is not None
    return "".join(str(part) for part in element.itertext())


def local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def elements(root: etree._Element) -> Iterator[etree._Element]:
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element


def html_pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


def references(root: etree._Element) -> Iterator[tuple[str, str]]:
    """(attribute, value) of every URL-carrying attribute, HTML and SVG alike."""
    for element in elements(root):
        for name, value in element.attrib.items():
            if etree.QName(name).localname in ("href", "src", "action", "formaction", "poster", "data"):
                yield str(name), str(value)


def branch_table(root: etree._Element) -> list[tuple[str, str, str, str, str, str]]:
    """Rows of a flow page's branch table: (branch point, branch, probability, source ja, source en, visits)."""
    rows = []
    for tr in root.findall(".//table[@class='data branches']/tbody/tr"):
        cells = tr.findall("td")
        source = cells[3]
        rows.append((
            text_of(cells[0]), text_of(cells[1]), text_of(cells[2]),
            text_of(source.find("span[@lang='ja']")), text_of(source.find("span[@lang='en']")), text_of(cells[4]),
        ))
    return rows


def flow_page_named(site: Path, name: str) -> etree._Element:
    """The flow page whose heading is exactly ``name`` (names can contain each other: 印鑑登録 / 印鑑登録証明書)."""
    pages = [root for p in html_pages(site) if p.name.startswith("flow-")
             for root in [parse(p)] if [text_of(h) for h in root.iter("h1")] == [name]]
    assert len(pages) == 1, name
    return pages[0]


@pytest.fixture(scope="module")
def site_input(site_input: SiteInput) -> SiteInput:
    """The hand-built assessment plus the branches the scoring would record for certificate.bpmn.

    The flow page shows ``ProcessAssessment.branches`` as given (it no longer
    derives probabilities itself); the hand-built visits (t_fix 0.11,
    t_identity 1.11) are those of the file's 10 % rework loop, so its split is
    given here by hand too: 0.1 from the flow's property, the 0.9 rest assumed.
    """
    processes = tuple(
        replace(p, branches=(
            Branch(ElementId("g_complete"), ElementId("f_fix"), ElementId("t_fix"), 0.1, EvidenceSource.PROPERTY),
            Branch(ElementId("g_complete"), ElementId("f_ok"), ElementId("t_decide"), 0.9, EvidenceSource.DEFAULT),
        )) if p.process_id == "proc_cert" else p
        for p in site_input.assessment.processes
    )
    assert any(p.branches for p in processes)
    return replace(site_input, assessment=replace(site_input.assessment, processes=processes))


@pytest.fixture(scope="module")
def site(site_input: SiteInput, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "report"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build_site(site_input, out)
    return out


# --------------------------------------------------------------------------- structure


def test_pages_exist_and_parse_as_html(site: Path, site_input: SiteInput) -> None:
    pages = {p.name for p in html_pages(site)}
    assert {"index.html", "candidates.html", "assumptions.html"} <= pages
    flow_pages = [name for name in pages if name.startswith("flow-")]
    assert len(flow_pages) == len(site_input.assessment.processes)
    for page in html_pages(site):
        root = parse(page)
        assert root.get("lang") == "ja"
        assert root.find("head/meta[@charset='utf-8']") is not None
        assert root.findtext("head/title")


def test_flow_file_names_are_slugged_never_raw_user_names(site: Path) -> None:
    for page in html_pages(site):
        assert re.fullmatch(r"(index|candidates|assumptions|sources|money|capacity|calibration"
                            r"|flow-[a-z0-9-]+-[0-9a-f]{8}|lot-[0-9a-f]{8})\.html", page.name), page.name


def test_every_link_resolves_to_a_file_and_anchor(site: Path) -> None:
    ids_by_page = {page.name: {e.get("id") for e in elements(parse(page)) if e.get("id")} for page in html_pages(site)}
    checked = 0
    for page in html_pages(site):
        for _attribute, value in references(parse(page)):
            url, fragment = urldefrag(value)
            target = site / unquote(url) if url else page
            assert target.is_file(), f"{page.name}: broken link {value!r}"
            if fragment and target.suffix == ".html":
                assert fragment in ids_by_page[target.name], f"{page.name}: no #{fragment} in {target.name}"
            checked += 1
    assert checked > 50


def test_no_network_references(site: Path) -> None:
    for page in html_pages(site):
        for attribute, value in references(parse(page)):
            assert not re.match(r"^\s*(https?:)?//", value, re.IGNORECASE), f"{page.name}: {attribute}={value}"
    css = (site / "static" / "site.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css
    js = (site / "static" / "site.js").read_text(encoding="utf-8")
    assert "http" not in js and "fetch(" not in js and "XMLHttpRequest" not in js


def test_static_assets_and_marker_are_written(site: Path) -> None:
    assert (site / MARKER).is_file()
    for name in ("site.css", "site.js", "dispositions.css"):
        assert (site / "static" / name).stat().st_size > 0
    colours = (site / "static" / "dispositions.css").read_text(encoding="utf-8")
    assert ".disp-rpa" in colours and "#0072B2" in colours


def test_downloads_are_written_and_linked(site: Path, site_input: SiteInput) -> None:
    index = parse(site / "index.html")
    hrefs = {unquote(a.get("href", "")) for a in index.iter("a")}
    for name, content in site_input.downloads.items():
        assert (site / "downloads" / name).read_bytes() == content
        assert f"downloads/{name}" in hrefs


# --------------------------------------------------------------------------- escaping


def test_user_text_is_escaped_everywhere(site: Path) -> None:
    seen_hostile = 0
    for page in html_pages(site):
        root = parse(page)
        for element in elements(root):
            name = local(element)
            if name == "script":
                assert element.get("src") == "static/site.js", f"{page.name}: injected script element"
                assert not (element.text or "").strip()
            assert name not in ("img", "iframe", "object", "embed"), f"{page.name}: injected <{name}>"
            for attribute in element.attrib:
                assert not etree.QName(attribute).localname.lower().startswith("on"), f"{page.name}: {attribute!r}"
        text = text_of(root)
        seen_hostile += text.count(HOSTILE)
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert" not in raw
        assert "onerror=alert" not in raw or "&lt;img" in raw
    assert seen_hostile >= 5  # the hostile names show up as text on the pages


def test_hostile_names_survive_inside_svg_as_text(site: Path) -> None:
    flow = next(p for p in html_pages(site) if p.name.startswith("flow-proc-cert"))
    root = parse(flow)
    svg = next(e for e in elements(root) if local(e) == "svg" and "bpmn-diagram" in e.get("class", ""))
    svg_text = text_of(svg)
    assert "<script>alert(1)" in svg_text
    assert not [e for e in elements(svg) if local(e) in ("script", "foreignObject")]


def test_quotes_and_ampersands_round_trip(site: Path) -> None:
    text = text_of(parse(site / "candidates.html"))
    assert QUOTES in text


# --------------------------------------------------------------------------- languages


def test_locales_have_the_same_keys_and_no_empty_text() -> None:
    assert missing_keys() == {}
    for lang in LANGS:
        assert all(value.strip() for value in catalog(lang).values())


def test_missing_key_is_an_error() -> None:
    with pytest.raises(KeyError, match=r"nav\.nope"):
        t("nav.nope", "ja")
    assert t("unit.hours", "en", n="12") == "12 h"


def test_every_ui_string_comes_in_both_languages(site: Path) -> None:
    pairs = 0
    for page in html_pages(site):
        root = parse(page)
        for element in elements(root):
            if element.get("lang") != "ja" or element is root:
                continue
            partner = element.getnext()
            while partner is not None and not isinstance(partner.tag, str):
                partner = partner.getnext()
            assert partner is not None and partner.get("lang") == "en", f"{page.name}: {etree.tostring(element)!r}"
            assert local(partner) == local(element)
            assert text_of(element).strip() and text_of(partner).strip()
            pairs += 1
        for element in elements(root):
            if element.get("lang") == "en":
                previous = element.getprevious()
                assert previous is not None and previous.get("lang") == "ja", f"{page.name}: lone English"
    assert pairs > 200


def test_table_headers_are_never_bare_text(site: Path) -> None:
    """Every header cell is UI text, so it must be a language pair (or a disposition chip)."""
    for page in html_pages(site):
        for th in parse(page).iter("th"):
            langs = {e.get("lang") for e in th.iter() if isinstance(e.tag, str)}
            assert {"ja", "en"} <= langs, f"{page.name}: header without both languages: {etree.tostring(th)!r}"


# --------------------------------------------------------------------------- content


def test_index_shows_totals_top_candidates_chart_and_gaps(site: Path, site_input: SiteInput) -> None:
    root = parse(site / "index.html")
    text = text_of(root)
    totals = site_input.assessment.totals
    assert f"{totals.hours_per_year:,.0f}時間" in text, "Japanese: no half-width space between a number and 時間"
    top_rows = root.findall(".//table[@class='data top']/tbody/tr")
    ranked = [s for s in site_input.assessment.ranked() if s.rank is not None]
    assert len(top_rows) == min(10, len(ranked))
    assert ranked[0].name in text_of(top_rows[0])
    chart = next(e for e in elements(root) if local(e) == "svg" and e.get("class") == "hours-chart")
    bars = [e for e in elements(chart) if "hours-bar" in e.get("class", "").split()]
    busy = sorted((s.cost.hours_per_year for p in site_input.assessment.processes for s in p.steps if
                   s.cost.hours_per_year > 0), reverse=True)
    assert len(bars) == min(20, len(busy)), "one labelled row per step, the busiest first"
    assert "survey.csv:7" in text  # the unmatched survey row is listed
    assert "implicit-join" in text  # a real lint finding is summarised


def test_candidates_table_has_every_step_with_sortable_numbers(site: Path, site_input: SiteInput) -> None:
    root = parse(site / "candidates.html")
    rows = root.findall(".//table[@id='candidates-table']/tbody/tr")
    assert len(rows) == sum(len(p.steps) for p in site_input.assessment.processes)
    headers = root.findall(".//table[@id='candidates-table']/thead/tr/th")
    assert all(h.get("aria-sort") == "none" and h.find("button") is not None for h in headers)
    numeric = [i for i, h in enumerate(headers) if h.get("data-type") == "number"]
    assert len(numeric) >= 8
    for row in rows:
        cells = row.findall("td")
        assert len(cells) == len(headers)
        assert row.get("data-disposition") in {"rpa", "outsource", "retain", "automated"}
        for i in numeric:
            value = cells[i].get("data-sort", "")
            assert value == "" or float(value) == float(value)


def test_flow_page_has_annotated_diagram_steps_and_branches(site: Path) -> None:
    root = parse(next(p for p in html_pages(site) if p.name.startswith("flow-proc-cert")))
    svg = next(e for e in elements(root) if local(e) == "svg")
    groups = {e.get("data-element-id"): e for e in elements(svg) if e.get("data-element-id")}
    assert "disp-outsource" in groups["t_receive"].get("class", "")
    badges = [e for e in elements(groups["t_receive"]) if "b-badge" in e.get("class", "")]
    assert badges and "民間委託" in text_of(badges[0])
    assert "implicit-join" in text_of(groups["t_identity"])  # lint finding in the tooltip
    assert "合流するゲートウェイがありません / " in text_of(groups["t_identity"])  # Japanese first, then English
    step_rows = root.findall(".//table[@class='data steps sortable wide']/tbody/tr")
    assert [r.get("data-element-id") for r in step_rows][:3] == ["t_receive", "t_identity", "t_fix"]
    assert branch_table(root) == [
        ("記載に不備?", "不備あり", "0.10", "BPMNの属性で指定", "BPMN property", "0.11"),
        ("記載に不備?", "不備なし", "0.90", "仮定（均等配分・既定値）", "assumed (even split or default)", "1.00"),
    ]
    assert root.find(".//*[@data-print]") is not None


def test_flow_without_di_is_laid_out_or_explained(site: Path) -> None:
    root = parse(next(p for p in html_pages(site) if p.name.startswith("flow-script")))
    svgs = [e for e in elements(root) if local(e) == "svg"]
    notice = text_of(root.find(".//p[@class]")) if root.find(".//p[@class]") is not None else ""
    if dot.dot_available():
        assert svgs and svgs[0].get("data-layout") == "graphviz"
        assert any(e.get("data-element-id") == "b" for e in elements(svgs[0]))
    else:
        assert not svgs
        assert "Graphviz" in notice


def test_lint_findings_read_in_the_language_of_the_page(site: Path) -> None:
    """A lint finding says its message and hint in Japanese on the Japanese page and in English on the English one."""
    cells = [cell for page in html_pages(site) if page.name.startswith("flow-")
             for cell in parse(page).findall(".//table[@class='data findings']/tbody/tr/td")
             if "no gateway to join them" in text_of(cell)]
    assert cells, "the implicit-join finding of the fixture is listed on a flow page"
    for cell in cells:
        japanese = " ".join(text_of(span) for span in cell.iter("span") if span.get("lang") == "ja")
        english = " ".join(text_of(span) for span in cell.iter("span") if span.get("lang") == "en")
        assert "合流するゲートウェイがありません" in japanese and "no gateway to join them" not in japanese
        assert "排他ゲートウェイ" in japanese  # the hint too
        assert "no gateway to join them" in english and "merge them with an exclusive" in english


def test_whole_file_finding_is_labelled(site: Path) -> None:
    root = parse(next(p for p in html_pages(site) if p.name.startswith("flow-script")))
    text = text_of(root.find(".//table[@class='data findings']"))
    assert t("finding.whole_file", "ja") in text and "draw it" in text


# --------------------------------------------------------------------------- reproducibility and progress


def test_same_input_gives_identical_bytes(
    site_input: SiteInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first = build_site(site_input, tmp_path / "a")
    second = build_site(site_input, tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert "2023-11-15 07:13 JST" in (tmp_path / "a" / "index.html").read_text(encoding="utf-8")


def test_build_time_rejects_a_bad_epoch() -> None:
    with pytest.raises(RenderError, match="SOURCE_DATE_EPOCH"):
        build_time({"SOURCE_DATE_EPOCH": "yesterday"})
    assert build_time({}).tzinfo is not None


def test_progress_reports_every_page_and_diagram(site_input: SiteInput) -> None:
    messages: list[str] = []
    files = render_site(site_input, progress=messages.append, environ={"SOURCE_DATE_EPOCH": EPOCH})
    pages = [name for name in files if name.endswith(".html")]
    assert len([m for m in messages if m.startswith("rendering ")]) == len(pages)
    assert len([m for m in messages if m.startswith("drawing diagram")]) == len(site_input.assessment.processes)


# --------------------------------------------------------------------------- out_dir safety


def test_refuses_a_non_empty_directory_that_is_not_a_site(site_input: SiteInput, tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(RenderError, match=r"\.bpm-site") as caught:
        build_site(site_input, out)
    assert caught.value.hint and "empty" in caught.value.hint
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"]  # no staging directory left behind


def test_refuses_a_file(site_input: SiteInput, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.write_text("not a directory")
    with pytest.raises(RenderError, match="not a directory"):
        build_site(site_input, out)


def test_replaces_a_previous_site_and_uses_an_empty_directory(site_input: SiteInput, tmp_path: Path) -> None:
    """Our own pages of an earlier run go (a flow that is no longer scanned); the user's files stay."""
    out = tmp_path / "site"
    out.mkdir()
    build_site(site_input, out)  # empty directory is fine
    pages_before = {p.name for p in out.glob("flow-*.html")}
    (out / "stale.html").write_text("the user's own page")
    fewer = replace(
        site_input,
        definitions=site_input.definitions[:1],
        assessment=replace(site_input.assessment, processes=tuple(
            p for p in site_input.assessment.processes if p.file == site_input.definitions[0].file)),
    )
    written = build_site(fewer, out)
    pages_after = {p.name for p in out.glob("flow-*.html")}
    assert pages_after < pages_before  # the dropped flow's page is gone
    assert (out / "stale.html").read_text() == "the user's own page"
    assert all(p.is_file() for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failed_build_leaves_the_previous_site_untouched(site_input: SiteInput, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(site_input, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = replace(site_input, downloads={"../escape.csv": b"x"})
    with pytest.raises(RenderError, match="download name"):
        build_site(broken, out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert not (tmp_path / "escape.csv").exists()


@pytest.mark.parametrize("name", ["../x.csv", "/etc/passwd", ".hidden", "a/../b.csv", "a\\b.csv", "", "a//b"])
def test_download_names_must_stay_inside_downloads(site_input: SiteInput, name: str) -> None:
    with pytest.raises(RenderError, match="download name"):
        render_site(replace(site_input, downloads={name: b"x"}))


# --------------------------------------------------------------------------- the sample flows


def test_sample_flows_render_with_their_diagrams(
    flows_dir: Path, tmp_path: Path, site_input_for: Callable[[tuple[Definitions, ...]], SiteInput]
) -> None:
    """The shipped samples (real DI from the project's flows/) all get an annotated diagram."""
    paths = sorted(flows_dir.glob("*.bpmn"))
    if not paths:
        pytest.skip("no sample flows in flows/")
    build_site(site_input_for(tuple(read_bpmn(p) for p in paths)), tmp_path / "site")
    pages = sorted((tmp_path / "site").glob("flow-*.html"))
    assert pages
    for page in pages:
        root = parse(page)
        diagrams = [e for e in elements(root) if local(e) == "svg" and "bpmn-diagram" in e.get("class", "")]
        assert diagrams, page.name
        painted = [e for e in elements(diagrams[0]) if "disp-" in e.get("class", "")]
        assert painted, f"{page.name}: no step painted with its disposition"


@pytest.fixture(scope="module")
def sample_site(flows_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Assessment]:
    """The shipped flows and survey sheet through the real scoring, as ``bpm scan`` does it."""
    paths = sorted(flows_dir.glob("*.bpmn"))
    survey = flows_dir / "survey.xlsx"
    if not paths or not survey.is_file():
        pytest.skip("bundled flows/ not present")
    definitions = tuple(read_bpmn(p) for p in paths)
    # Under the default prices the cost gate withdraws the sample's candidates (issue 9); these page tests
    # need the classified plan (colours, hand-offs), so staff hours are priced so that every candidate pays.
    pays = Path(__file__).resolve().parents[1] / "data" / "scoring" / "candidates-pay.toml"
    assessment = assess(definitions, survey=load_survey(survey), profile=load_profile(pays))
    findings = tuple(f for d in definitions for f in lint(d))
    out = tmp_path_factory.mktemp("sample") / "site"
    build_site(SiteInput(definitions, findings, assessment), out)
    return out, assessment


def test_real_pipeline(sample_site: tuple[Path, Assessment]) -> None:
    """The site takes the scoring's Assessment as is."""
    site, assessment = sample_site
    pages = html_pages(site)
    assert len([p for p in pages if p.name.startswith("flow-")]) == len(assessment.processes)
    for page in pages:
        parse(page)


def test_branch_table_shows_the_survey_value_not_the_bpmn_property(
    sample_site: tuple[Path, Assessment], flows_dir: Path
) -> None:
    """転入届: Flow_TennyuFubiAri has one share in the BPMN and another in the sheet; the visits use the sheet's, so
    does the page."""
    site, assessment = sample_site
    in_bpmn = read_bpmn(flows_dir / "tennyu.bpmn").processes[ProcessId("Process_Tennyu")].flows[
        ElementId("Flow_TennyuFubiAri")].properties["probability"]
    tennyu = next(p for p in assessment.processes if p.name == "転入届")
    (branch,) = [b for b in tennyu.branches if b.via_id == "Flow_TennyuFubiAri"]
    assert branch.source is EvidenceSource.SURVEY and branch.probability != float(in_bpmn)
    rows = branch_table(flow_page_named(site, "転入届"))
    fubi = [r for r in rows if r[:2] == ("記載不備あり?", "あり")]
    assert fubi == [("記載不備あり?", "あり", f"{branch.probability:.2f}", "業務量調査票", "survey sheet",
                     f"{tennyu.visits[branch.target_id]:.2f}")]
    assert not [r for r in rows if r[2] == f"{float(in_bpmn):.2f}" and r[:2] == ("記載不備あり?", "あり")]
    # 1/(1−p) reviews per case, a share p of them to 補正依頼; the other (1−p)/(1−p) = 1 go on.
    assert ("記載不備あり?", "なし", f"{1 - branch.probability:.2f}", "仮定（均等配分・既定値）",
            "assumed (even split or default)", "1.00") in rows
    koseki = branch_table(flow_page_named(site, "戸籍届出（出生・婚姻・死亡）"))
    parallel = [r for r in koseki if r[3] == "全分岐を実行（並行）"]
    fan_out = [f for f in read_bpmn(flows_dir / "koseki.bpmn").processes[ProcessId("Process_KosekiTodoke")]
               .flows.values() if f.source_id == "Gateway_SofuSplit"]
    assert len(parallel) == len(fan_out) and {r[2] for r in parallel} == {"1.00"}


def test_branch_table_lists_boundary_events(sample_site: tuple[Path, Assessment]) -> None:
    """印鑑登録: the 「1か月経過」 timer on 回答書受領 fires on the sheet's share of the waits."""
    site, assessment = sample_site
    rows = branch_table(flow_page_named(site, "印鑑登録"))
    inkan = next(p for p in assessment.processes if p.name == "印鑑登録")
    (timer_branch,) = [b for b in inkan.branches if b.via_id == "Event_KaitoKigen"]
    timer = [r for r in rows if r[0] == "回答書受領 — 1か月経過"]
    assert timer == [("回答書受領 — 1か月経過", "→ 申請取下げ処理", f"{timer_branch.probability:.2f}", "業務量調査票",
                      "survey sheet", f"{inkan.visits['Activity_InkanTorisage']:.2f}")]
    waits = inkan.visits["Activity_Kaitosho"]
    assert inkan.visits["Activity_InkanTorisage"] == pytest.approx(timer_branch.probability * waits)
    gateways = [r[0] for r in rows]
    assert gateways.index("本人確認の方法?") < gateways.index("回答書受領 — 1か月経過") < \
        gateways.index("登録できる印影?"), "document order"


# --------------------------------------------------------------------------- hand-offs between contractor and staff


def handoff_section(root: etree._Element) -> etree._Element | None:
    return root.find(".//section[@aria-labelledby='handoffs']")


def handoff_stats(section: etree._Element) -> dict[str, str]:
    return {str(e.get("data-handoff")): text_of(e) for e in elements(section) if e.get("data-handoff")}


def test_flow_page_warns_when_hand_offs_exceed_the_plan(sample_site: tuple[Path, Assessment]) -> None:
    """転入届 through the real scoring: the lot as scored has a 補正 loop across the sides.

    Issue 7 gave the warning consequences: the contractor steps of the loop go to staff and the flow is
    re-scored.  The hand-off section shows the recommended (safe) lot; the legal section shows the lot as
    scored next to it, with the warning, the steps moved and why.  Every figure is the assessment's own.
    """
    site, assessment = sample_site
    process = next(p for p in assessment.processes if p.name == "転入届")
    plan = process.handoff_plan
    assert plan is not None and plan.warning is not None and process.handoffs is not None
    assert plan.naive.ping_pong and plan.moved
    safe = process.handoffs
    assert safe.warning is None  # the safe lot passes
    root = flow_page_named(site, "転入届")
    section = handoff_section(root)
    assert section is not None
    heading = text_of(section.find("h2"))
    assert "受託者と職員の引継ぎ" in heading and "Hand-offs between contractor and staff" in heading
    assert handoff_stats(section) == {"to-staff": f"{safe.per_case_to_staff:.2f}",
                                      "to-contractor": f"{safe.per_case_to_contractor:.2f}",
                                      "total": f"{safe.per_case:.2f}"}
    rows = section.findall(".//table[@class='data handoffs']/tbody/tr")
    assert len(rows) == len(safe.crossings) >= 1
    names = {s.step_id: s.name for s in process.steps}
    first = safe.crossings[0]
    cells = rows[0].findall("td")
    assert [text_of(c) for c in cells[:2]] == [names[first.from_id], names[first.to_id]]
    direction = ("受託者 → 職員", "contractor → staff") if first.direction is Direction.TO_STAFF else (
        "職員 → 受託者", "staff → contractor")
    assert text_of(cells[2].find("span[@lang='ja']")) == direction[0]
    assert text_of(cells[2].find("span[@lang='en']")) == direction[1]
    assert text_of(cells[3]) == f"{first.per_case:.2f}"
    anchors = {e.get("id") for e in elements(root)}
    for link in section.iter("a"):
        assert link.get("href", "").lstrip("#") in anchors
    legal = root.find(".//section[@aria-labelledby='legal-flow']")
    assert legal is not None
    warnings = legal.findall(".//div[@class='notice warning']")
    assert len(warnings) == 1
    warning = text_of(warnings[0])
    naive = plan.naive
    assert "偽装請負" in warning and f"受託者→職員{naive.per_case_to_staff:.2f}回" in warning
    assert "補正依頼" in warning  # the reason names the loop
    assert "disguised contracting" in warning
    lots = {text_of(r.find("th")): (text_of(r.find("td[@data-lot='naive']")), text_of(r.find("td[@data-lot='safe']")))
            for r in legal.findall(".//table[@class='data lots']/tbody/tr")}
    assert lots["引継ぎ（回/件）Hand-offs (per case)"] == (f"{naive.per_case:.2f}", f"{safe.per_case:.2f}")
    moved = [text_of(li.find("a")) for li in legal.findall(".//ul[@class='moved']/li")]
    assert moved == [m.step_name for m in plan.moved] and {"届書受領", "本人確認"} <= set(moved)
    # 印鑑登録: 受付 → staff (照会 or 印影審査) → 登録証交付, no loop across the sides: no warning, nothing moved.
    toroku = next(p for p in assessment.processes if p.name == "印鑑登録")
    assert toroku.handoff_plan is not None and toroku.handoff_plan.warning is None and not toroku.handoff_plan.moved
    lot = toroku.handoffs
    assert lot is not None and lot.warning is None and lot.ping_pong == ()
    section = handoff_section(flow_page_named(site, "印鑑登録"))
    assert section is not None and handoff_stats(section) == {
        "to-staff": f"{lot.per_case_to_staff:.2f}", "to-contractor": f"{lot.per_case_to_contractor:.2f}",
        "total": f"{lot.per_case:.2f}"}
    assert section.find(".//div[@class='notice warning']") is None


def test_flow_page_hand_offs_within_the_plan_show_no_warning(site_input: SiteInput, tmp_path: Path) -> None:
    """Hand-built summaries: within the plan (no warning), a hostile warning text (escaped), none computed."""
    cert = HandoffSummary(
        1.0, 0.25,
        (Crossing(ElementId("t_receive"), ElementId("t_decide"), Direction.TO_STAFF, 1.0),
         Crossing(ElementId("t_evil"), ElementId("t_handover"), Direction.TO_CONTRACTOR, 0.25)),
        contractor_steps=(ElementId("t_receive"), ElementId("t_handover")),
    )
    hostile = Reason("handoff-risk", f"警告 {HOSTILE}", f"warning {QUOTES}")

    def build(summary: HandoffSummary | None, name: str) -> etree._Element:
        processes = tuple(replace(p, handoffs=summary) if p.process_id == "proc_cert" else p
                          for p in site_input.assessment.processes)
        out = tmp_path / name
        build_site(replace(site_input, assessment=replace(site_input.assessment, processes=processes)), out)
        return parse(next(p for p in html_pages(out) if p.name.startswith("flow-proc-cert")))

    calm = handoff_section(build(cert, "calm"))
    assert calm is not None
    assert handoff_stats(calm) == {"to-staff": "1.00", "to-contractor": "0.25", "total": "1.25"}
    assert calm.find(".//div[@class='notice warning']") is None
    rows = calm.findall(".//table[@class='data handoffs']/tbody/tr")
    assert [text_of(r.findall("td")[1]) for r in rows] == ["交付可否判断", "交付・手数料収納"]
    assert text_of(rows[1].findall("td")[0]) == f"{HOSTILE} {QUOTES}"  # the hostile step name, as text
    assert [r.get("class") for r in rows] == ["handoff-to-staff", "handoff-to-contractor"]

    loud = handoff_section(build(replace(cert, warning=hostile), "loud"))
    assert loud is not None
    warning = loud.find(".//div[@class='notice warning']")
    assert warning is not None and f"警告 {HOSTILE}" in text_of(warning) and f"warning {QUOTES}" in text_of(warning)
    assert not [e for e in elements(loud) if local(e) == "script"]

    empty = handoff_section(build(HandoffSummary(0.0, 0.0), "empty"))
    assert empty is not None and empty.find(".//table") is None
    assert "民間委託の手順がない" in text_of(empty)
    assert handoff_section(build(None, "none")) is None  # not computed: no section at all
