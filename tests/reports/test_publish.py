"""A published site keeps its history: versions, change summaries, diff pages, removed flows, idempotence.

Real files throughout: the before/after pair of ``tests/data/diff`` (a hand-made monthly update of
``flows/juminhyo.bpmn``), the real reader and scoring, the real site renderer.  The change summary on the
pages is checked against :mod:`bpm.diff` and :mod:`reports.diffreport` run here independently.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from bpm.diff import StepChangeKind, diff_definitions
from bpm.errors import RenderError
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.diffreport import diff_report
from reports.downloads import ModelSource
from reports.format import ja_spacing
from reports.history import jst
from reports.outdir import MARKER
from reports.publish import PublishResult, publish_site
from reports.site import SiteInput
from reports.versions import LEDGER, flow_id_for, parse_ledger, version_folder
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Assessment

REPO = Path(__file__).resolve().parents[2]
PAIR = REPO / "tests" / "data" / "diff"
FLOWS = REPO / "flows"
MAY = 1714521600  # 2024-05-01 00:00 UTC = 09:00 JST
JUNE = 1717200000  # 2024-06-01 00:00 UTC


def score(definitions: object) -> Assessment:
    return assess([definitions], profile=load_profile(None))  # type: ignore[list-item]


def publish(folder: Path, site: Path, when: int, **kwargs: object) -> PublishResult:
    """What ``bpm scan FOLDER --publish SITE`` does, in process (no survey, the default profile)."""
    paths = sorted(p for p in folder.rglob("*.bpmn"))
    definitions = tuple(read_bpmn(p) for p in paths)
    keys = {d.file: p.relative_to(folder).as_posix() for d, p in zip(definitions, paths, strict=True)}
    models = [ModelSource(keys[d.file], d.file, p.read_bytes()) for d, p in zip(definitions, paths, strict=True)]
    site_input = SiteInput(definitions, (), score_all(definitions), file_keys=keys)
    return publish_site(site_input, models, site, score=score, environ={"SOURCE_DATE_EPOCH": str(when)},
                        **kwargs)  # type: ignore[arg-type]


def score_all(definitions: tuple[object, ...]) -> Assessment:
    return assess(definitions, profile=load_profile(None))  # type: ignore[arg-type]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def text_of(page: str) -> str:
    """Visible text, tags removed, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def flow_page(site: Path) -> str:
    pages = sorted(site.glob("flow-*.html"))
    assert len(pages) == 1, pages
    return pages[0].read_text(encoding="utf-8")


def links(page: str) -> list[str]:
    return re.findall(r'\s(?:href|src)="([^"#]+)(?:#[^"]*)?"', page)


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[PublishResult]]:
    """juminhyo.bpmn published in May, then its June update; a user's file added in between."""
    root = tmp_path_factory.mktemp("published")
    flows, site = root / "flows", root / "site"
    (flows / "shomei").mkdir(parents=True)
    target = flows / "shomei" / "juminhyo.bpmn"
    shutil.copyfile(PAIR / "juminhyo_before.bpmn", target)
    results = [publish(flows, site, MAY)]
    (site / "README.txt").write_text("イントラネット掲載用\n", encoding="utf-8")
    shutil.copyfile(PAIR / "juminhyo_after.bpmn", target)
    results.append(publish(flows, site, JUNE))
    return flows, site, results


def test_each_version_is_kept_by_content_hash_under_the_flows_key(
    two_versions: tuple[Path, Path, list[PublishResult]],
) -> None:
    _flows, site, results = two_versions
    assert [r.new_versions for r in results] == [("shomei/juminhyo.bpmn",), ("shomei/juminhyo.bpmn",)]
    flow_id = flow_id_for("shomei/juminhyo.bpmn")
    assert re.fullmatch(r"juminhyo-[0-9a-f]{8}", flow_id)
    for source in ("juminhyo_before.bpmn", "juminhyo_after.bpmn"):
        data = (PAIR / source).read_bytes()
        folder = site / version_folder(flow_id, hashlib.sha256(data).hexdigest())
        assert (folder / "model.bpmn").read_bytes() == data
        archived = list(folder.glob("flow-*.html"))
        assert len(archived) == 1 and list((folder / "diagrams").glob("*.svg"))
    ledger = parse_ledger((site / LEDGER).read_bytes(), LEDGER)
    (record,) = ledger.flows
    assert record.key == "shomei/juminhyo.bpmn" and record.removed is None
    assert [v.published for v in record.versions] == [MAY, JUNE]
    assert [(e.kind, e.time) for e in ledger.events] == [("added", MAY), ("changed", JUNE)]
    assert (site / "README.txt").read_text(encoding="utf-8") == "イントラネット掲載用\n"  # the user's file is kept
    manifest = set(json.loads((site / MARKER).read_text(encoding="utf-8"))["files"])
    assert "README.txt" not in manifest
    assert f"{version_folder(flow_id, record.versions[0].digest)}/model.bpmn" in manifest


def test_the_flow_page_says_when_it_changed_and_what_changed_as_bpm_diff_computes_it(
    two_versions: tuple[Path, Path, list[PublishResult]],
) -> None:
    _flows, site, _results = two_versions
    before = read_bpmn_bytes((PAIR / "juminhyo_before.bpmn").read_bytes(), "juminhyo.bpmn")
    after = read_bpmn_bytes((PAIR / "juminhyo_after.bpmn").read_bytes(), "juminhyo.bpmn")
    comparison = diff_definitions(before, after)
    report = diff_report(comparison, score(before), score(after))
    (process,) = comparison.processes
    movement = report.movements[(process.old_process_id, process.new_process_id)]
    box = re.search(r'<section class="version-box".*?</section>', flow_page(site), re.S)
    assert box is not None
    shown = text_of(box.group(0))
    assert "最終更新 Last changed : 2024-06-01 09:00 JST" in shown
    expected_counts = {"追加": 1, "削除": 1, "名称変更": 1, "種類変更": 1, "担当（レーン）変更": 1}
    for kind in StepChangeKind:  # the figures of bpm.diff, and the README of the test pair
        label = {"added": "追加", "removed": "削除", "renamed": "名称変更", "retyped": "種類変更",
                 "moved": "担当（レーン）変更"}[kind.value]
        assert process.count(kind) == expected_counts[label]
        assert ja_spacing(f"{label} {process.count(kind)}") in shown  # issue 10: no space around numbers
    assert ja_spacing(f"フロー変更 {len(process.flows)}") in shown
    assert ja_spacing(f"年間時間 {movement.hours_old:,.1f} → {movement.hours_new:,.1f} 時間") in shown
    assert ja_spacing(f"人工 {movement.fte_old:,.2f} → {movement.fte_new:,.2f}") in shown
    for move in movement.dispositions:
        if move.steps_old != move.steps_new:
            hours = f"{move.hours_old:,.1f} → {move.hours_new:,.1f} 時間"
            assert ja_spacing(f"{move.steps_old} → {move.steps_new} 手順、{hours}") in shown
    assert movement.hours_old != movement.hours_new  # the pair moves hours: the check above is not vacuous


def test_the_summary_links_to_a_diff_page_under_the_site_csp(
    two_versions: tuple[Path, Path, list[PublishResult]],
) -> None:
    _flows, site, _results = two_versions
    page = flow_page(site)
    diff_links = [href for href in links(page) if "/diff-" in href]
    assert len(diff_links) == 1
    diff = (site / diff_links[0]).read_text(encoding="utf-8")
    assert "フローの変更" in diff and "交付記録の登録" in diff  # the added step
    assert diff.count("Content-Security-Policy") == 1 and "unsafe-inline" not in diff
    assert "default-src 'none'" in diff and "script-src 'self'" in diff
    for href in links(diff):  # the way back to the history works
        assert (site / diff_links[0]).parent.joinpath(href).resolve().is_file(), href


def test_history_and_changes_pages_list_every_version_newest_first(
    two_versions: tuple[Path, Path, list[PublishResult]],
) -> None:
    _flows, site, _results = two_versions
    flow_id = flow_id_for("shomei/juminhyo.bpmn")
    history = (site / f"history-{flow_id}.html").read_text(encoding="utf-8")
    shown = text_of(history)
    assert shown.index(jst(JUNE)) < shown.index(jst(MAY))
    assert "初版" in shown and "（現在の版）" in shown
    changes = text_of((site / "changes.html").read_text(encoding="utf-8"))
    june = changes.index(f"{jst(JUNE)} shomei/juminhyo.bpmn 変更")
    assert june < changes.index(f"{jst(MAY)} shomei/juminhyo.bpmn 新規公開")
    for name in ("index.html", "candidates.html", f"history-{flow_id}.html"):
        assert 'href="changes.html"' in (site / name).read_text(encoding="utf-8"), name


def test_every_link_of_every_page_reaches_a_file(two_versions: tuple[Path, Path, list[PublishResult]]) -> None:
    """Archived pages sit three folders down: their links to the live site are rewritten, their own kept."""
    _flows, site, _results = two_versions
    pages = sorted(site.rglob("*.html"))
    assert any(p.parent.parent.parent.name == "versions" for p in pages)
    for page in pages:
        for href in links(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", href):
                continue
            assert page.parent.joinpath(href).resolve().is_file(), f"{page.relative_to(site)}: {href}"
    archived = next(p for p in pages if p.parent.parent.parent.name == "versions")
    assert "archived-version" in archived.read_text(encoding="utf-8")


def test_publishing_the_same_input_again_changes_nothing(
    two_versions: tuple[Path, Path, list[PublishResult]],
) -> None:
    flows, site, _results = two_versions
    before = snapshot(site)
    again = publish(flows, site, JUNE + 86_400)
    assert again.unchanged and again.new_versions == () and again.removed == ()
    assert snapshot(site) == before  # same bytes and not even rewritten (same modification times)


def test_a_removed_flow_stays_in_the_history_as_removed(tmp_path: Path) -> None:
    flows, site = tmp_path / "flows", tmp_path / "site"
    flows.mkdir()
    shutil.copyfile(FLOWS / "juminhyo.bpmn", flows / "juminhyo.bpmn")
    shutil.copyfile(FLOWS / "tennyu.bpmn", flows / "tennyu.bpmn")
    publish(flows, site, MAY)
    (flows / "tennyu.bpmn").unlink()
    result = publish(flows, site, JUNE)
    assert result.removed == ("tennyu.bpmn",) and result.new_versions == ()
    ledger = parse_ledger((site / LEDGER).read_bytes(), LEDGER)
    tennyu = ledger.flow("tennyu.bpmn")
    assert tennyu is not None and tennyu.removed == JUNE
    digest = hashlib.sha256((FLOWS / "tennyu.bpmn").read_bytes()).hexdigest()
    assert (site / version_folder(tennyu.flow_id, digest) / "model.bpmn").read_bytes() == (
        FLOWS / "tennyu.bpmn").read_bytes()
    history = text_of((site / f"history-{tennyu.flow_id}.html").read_text(encoding="utf-8"))
    assert f"廃止 Removed : {jst(JUNE)} の公開から" in history
    changes = text_of((site / "changes.html").read_text(encoding="utf-8"))
    assert f"{jst(JUNE)} tennyu.bpmn 廃止 Removed" in changes
    assert len(list(site.glob("flow-*.html"))) == 1  # only the live flow has a live page
    shutil.copyfile(FLOWS / "tennyu.bpmn", flows / "tennyu.bpmn")  # back, unchanged: no new version
    back = publish(flows, site, JUNE + 86_400)
    assert back.new_versions == ()
    restored = parse_ledger((site / LEDGER).read_bytes(), LEDGER)
    assert [e.kind for e in restored.events][-1] == "restored"
    assert restored.flow("tennyu.bpmn") is not None and restored.flow("tennyu.bpmn").removed is None  # type: ignore[union-attr]


def test_hostile_flow_names_never_reach_a_path_or_the_markup_raw(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script>"&\''
    flows, site = tmp_path / "flows", tmp_path / "site"
    folder = flows / "..x" / hostile.replace("/", "／")
    folder.mkdir(parents=True)
    source = (FLOWS / "tennyu.bpmn").read_text(encoding="utf-8")
    named = re.sub(r'(<bpmn:process [^>]*name=")[^"]*"', lambda m: m.group(1) + html.escape(hostile, quote=True) + '"',
                   source, count=1)
    assert named != source
    (folder / f"{hostile.replace('/', '／')}.bpmn").write_text(named, encoding="utf-8")
    publish(flows, site, MAY)
    changed = named.replace('name="補正依頼"', f'name="{html.escape(hostile, quote=True)}補正依頼"')
    assert changed != named
    (folder / f"{hostile.replace('/', '／')}.bpmn").write_text(changed, encoding="utf-8")
    publish(flows, site, JUNE)
    for path in site.rglob("*"):
        name = path.relative_to(site).as_posix()
        assert re.fullmatch(r"[A-Za-z0-9._/-]+", name), name
        assert ".." not in PurePosixPath(name).parts
        if path.suffix == ".html":
            page = path.read_text(encoding="utf-8")
            assert "<script>alert" not in page, name
            assert re.findall(r"<script[^>]*>", page) in ([], ['<script src="static/site.js">'],
                                                          ['<script src="../../../static/site.js">']), name
    changes = (site / "changes.html").read_text(encoding="utf-8")
    assert f"..x/{hostile.replace('/', '／')}" in text_of(changes)  # shown, as text
    diff = next(site.glob("versions/*/diff-*.html")).read_text(encoding="utf-8")
    assert f"{hostile}補正依頼" in text_of(diff) and "<script>alert" not in diff


def test_a_damaged_history_stops_the_run_and_leaves_the_site(tmp_path: Path) -> None:
    flows, site = tmp_path / "flows", tmp_path / "site"
    flows.mkdir()
    shutil.copyfile(FLOWS / "juminhyo.bpmn", flows / "juminhyo.bpmn")
    publish(flows, site, MAY)
    ledger = json.loads((site / LEDGER).read_text(encoding="utf-8"))
    ledger["flows"][0]["id"] = "../../etc"
    (site / LEDGER).write_text(json.dumps(ledger), encoding="utf-8")
    before = snapshot(site)
    shutil.copyfile(FLOWS / "tennyu.bpmn", flows / "tennyu.bpmn")
    with pytest.raises(RenderError, match=r"version history of the site is damaged: flows\[0\]\.id is not a name bpm "
                                          r"writes: '\.\./\.\./etc'"):
        publish(flows, site, JUNE)
    assert snapshot(site) == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="x"), "format is not"),
        (lambda d: d["flows"][0]["versions"][0].update(hash="0" * 63), r"versions\[0\]\.hash"),
        (lambda d: d["events"].append({"time": 1, "flow": "nope", "kind": "added", "version": "0" * 64}),
         "names a version that is not in the list"),
        (lambda d: d["flows"][0].update(versions=[]), "has no versions"),
    ],
)
def test_ledger_damage_is_named(edit: Callable[[dict[str, object]], None], message: str) -> None:
    document: dict[str, object] = {
        "format": "bpm-rpa-scanner/history", "version": 1, "generated": 1, "inputs": "",
        "flows": [{"key": "a.bpmn", "id": "a-12345678", "removed": None,
                   "versions": [{"hash": "a" * 64, "published": 1, "pages": [], "diff": None, "changes": None}]}],
        "events": [{"time": 1, "flow": "a-12345678", "kind": "added", "version": "a" * 64}],
    }
    assert parse_ledger(json.dumps(document).encode(), "h.json").flows[0].key == "a.bpmn"
    edit(document)
    with pytest.raises(RenderError, match=message):
        parse_ledger(json.dumps(document).encode(), "h.json")


@pytest.mark.browser
def test_the_history_pages_open_cleanly_in_chromium(two_versions: tuple[Path, Path, list[PublishResult]]) -> None:
    """No CSP violation, script error or failed load on any kind of page a published site adds; English works."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.is_file():
        pytest.skip(f"{chromium} not found: install the Debian chromium package to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run browser tests")
    _flows, site, _results = two_versions
    archived = next(p for p in sorted(site.rglob("flow-*.html")) if p.parent != site)
    pages = [site / "changes.html", next(site.glob("history-*.html")), next(site.glob("flow-*.html")), archived,
             next(site.glob("versions/*/diff-*.html"))]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"],
                                             headless=True)
        tab = browser.new_page()
        problems: list[str] = []
        tab.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        tab.on("requestfailed", lambda r: problems.append(r.url))
        for page in pages:
            tab.goto(page.as_uri())
            assert tab.locator("h1").count() >= 1, page
        tab.goto((site / "changes.html").as_uri())
        assert tab.locator("h1").inner_text() == "更新履歴"
        tab.click("[data-lang-toggle]")
        assert tab.locator("h1").inner_text() == "Recent changes"
        browser.close()
    assert problems == []


def test_a_published_site_is_written_file_by_file_not_held_in_memory(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``--publish`` streams like ``--out`` (issue 13): each rendered file is in the staging folder before the
    next one is rendered, so a thousand flows' pages and pictures never sit in memory together."""
    import reports.publish as publish_module
    from reports.site import site_files as rendered

    flows, site = tmp_path / "flows", tmp_path / "site"
    flows.mkdir()
    shutil.copyfile(FLOWS / "juminhyo.bpmn", flows / "juminhyo.bpmn")
    on_disk: list[str] = []

    def watched(*args: object, **kwargs: object) -> object:
        previous: tuple[str, bytes] | None = None
        for name, data in rendered(*args, **kwargs):  # type: ignore[arg-type]
            if previous is not None:
                staging = list(tmp_path.glob(".site.bpm-*-new"))
                assert len(staging) == 1, staging
                assert staging[0].joinpath(*PurePosixPath(previous[0]).parts).read_bytes() == previous[1]
                on_disk.append(previous[0])
            previous = name, data
            yield name, data

    monkeypatch.setattr(publish_module, "site_files", watched)
    result = publish(flows, site, MAY)
    assert not result.unchanged and result.new_versions == ("juminhyo.bpmn",)
    assert any(name.startswith("flow-") for name in on_disk) and any(n.endswith(".svg") for n in on_disk)
    assert set(on_disk) <= set(result.written)
