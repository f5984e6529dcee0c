"""A sheet is found in the picture cache by what its pages are made from, before any page is laid out (issue 13:
a re-scan used to build every unchanged sheet's pages only to make its key), and that key is sound: every input
that changes the printed pages changes it, while a tooltip (portfolio-wide figures, never printed) does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from bpm.model import ElementId
from bpm.reader import read_bpmn
from reports import paper, pictures_cache, printable, sheet_walk, sheets
from reports.overlay import Overlay
from reports.pictures import Picture, pictures
from reports.pictures_cache import PictureCache

FLOWS = Path(__file__).resolve().parents[2] / "flows"
VERSION = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)


def _first_task(path: Path) -> ElementId:
    definitions = read_bpmn(path)
    process = next(iter(definitions.processes.values()))
    return next(node_id for node_id, node in process.nodes.items() if "task" in type(node).__name__.lower()
                or "Activity" in str(node_id))


def _variants(tmp_path: Path) -> dict[str, tuple[Picture, paper.TitleBlock, sheets.SheetLayout]]:
    """One base sheet and, for each input a sheet is made from, a sheet that differs in that input only."""
    source = FLOWS / "tennyu.bpmn"  # wide: its PDF is cut between steps, so the steps' boxes matter
    base = pictures(read_bpmn(source))[0]
    block = sheets.sheet_block(base, version_date=VERSION, source="課/tennyu.bpmn", legend=True)
    layout = sheets.SheetLayout()
    task = _first_task(source)
    renamed = tmp_path / "tennyu.bpmn"
    text = source.read_text(encoding="utf-8")
    name = read_bpmn(source).processes[base.process_ids[0]].nodes[task].name
    assert name and text.count(f'name="{name}"') >= 1
    renamed.write_text(text.replace(f'name="{name}"', f'name="{name}（改）"', 1), encoding="utf-8")

    def marked(**overlay: Any) -> Picture:
        return pictures(read_bpmn(source), overlays={task: Overlay(**overlay)})[0]

    return {
        "base": (base, block, layout),
        "flow bytes (a step renamed)": (pictures(read_bpmn(renamed))[0], block, layout),
        "score on the diagram (badge)": (marked(badge="RPA 0.9 · 120h"), block, layout),
        "another score (badge)": (marked(badge="RPA 0.8 · 120h"), block, layout),
        "disposition colour": (marked(fill="#CCE3F0"), block, layout),
        "Graphviz layout": (pictures(read_bpmn(source), layout="dot")[0], block, layout),
        "steps' boxes unknown (cut at equal sizes)": (replace(base, definitions=None), block, layout),
        "title block: title": (base, replace(block, title="別の名前"), layout),
        "title block: version date": (base, sheets.sheet_block(base, version_date=datetime(2026, 4, 1, tzinfo=UTC),
                                                               source="課/tennyu.bpmn", legend=True), layout),
        "title block: source": (base, replace(block, source="係/tennyu.bpmn"), layout),
        "title block: no legend": (base, replace(block, legend=()), layout),
        "paper A3": (base, block, sheets.SheetLayout("A3")),
        "portrait": (base, block, sheets.SheetLayout(orientation="portrait")),
        "tooltip": (marked(title="計画どおり +¥120k"), block, layout),
        "another tooltip": (marked(title="費用面で推奨しない -¥771k"), block, layout),
    }


def _pages_and_keys(variants: dict[str, tuple[Picture, paper.TitleBlock, sheets.SheetLayout]], fmt: str,
                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, bytes]]:
    """(key, the laid-out pages) of each variant's sheet: pages captured where they would be printed."""
    keys: list[str] = []
    real_key = pictures_cache.sheet_key

    def recording_key(inputs: Any, fmt: str) -> str:
        keys.append(real_key(inputs, fmt))
        return keys[-1]

    monkeypatch.setattr(pictures_cache, "sheet_key", recording_key)
    monkeypatch.setattr(printable, "svg_to_print", lambda page, _fmt, **_kw: b"%PDF-" + page.encode() + b"%%EOF")
    monkeypatch.setattr(sheets, "pdf_pages", lambda pages, **_kw: b"%PDF-" + "\f".join(pages).encode() + b"%%EOF")
    # one walk draws the PNG page and records the PDF's parts (reports.sheet_walk): capture what it is given
    monkeypatch.setattr(sheet_walk, "draw_sheet", lambda page, scale, parts: sheet_walk.SheetDrawing(
        b"%PNG-" + page.encode() + repr((scale, list(parts))).encode(), tuple(parts), "captured"))
    monkeypatch.setattr(sheet_walk, "pdf_from_drawing", lambda drawing, pages, common, **_kw: (
        b"%PDF-" + drawing.png + "\f".join([*pages, common]).encode() + b"%%EOF"))
    found = {}
    for label, (picture, block, layout) in variants.items():
        monkeypatch.setattr(sheets, "_LAST", [])  # no walk kept from another variant
        cache = PictureCache(tmp_path / "cache" / str(len(found)), 1 << 30)  # each its own: always laid out
        pages = sheets.sheet_bytes(picture, fmt, block, layout=layout, created=None, cache=cache)  # type: ignore[arg-type]
        found[label] = (keys[-1], pages)
    return found


@pytest.mark.parametrize("fmt", ["pdf", "png"])
def test_every_input_that_changes_the_printed_pages_changes_the_key(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _pages_and_keys(_variants(tmp_path), fmt, tmp_path, monkeypatch)
    base_pages = found["base"][1]
    assert found["tooltip"] == found["another tooltip"]  # never printed, so never a reason to print again
    for label, (_key, pages) in found.items():
        if label in ("base", "another tooltip") or (fmt == "png" and label.startswith("steps' boxes")):
            continue  # the PNG is one sheet, never cut: the steps' boxes do not reach it
        assert pages != base_pages, label  # each variant really changes what is printed ...
    by_pages: dict[bytes, set[str]] = {}
    for key, pages in found.values():
        by_pages.setdefault(pages, set()).add(key)
    by_key: dict[str, set[bytes]] = {}
    for key, pages in found.values():
        by_key.setdefault(key, set()).add(pages)
    assert all(len(pages) == 1 for pages in by_key.values())  # ... and one key never stands for two printings
    if fmt == "pdf":  # and no two keys for one printing (the PNG's key also holds the boxes it never uses)
        assert len(by_key) == len(by_pages)


def test_the_key_covers_the_code_that_lays_the_sheet_out(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = {"svg": "<svg/>"}
    before = pictures_cache.sheet_key(inputs, "pdf")
    assert before != pictures_cache.sheet_key(inputs, "png")
    monkeypatch.setattr(pictures_cache, "sheet_code", lambda: "another paper.py")
    assert pictures_cache.sheet_key(inputs, "pdf") != before


def test_an_unchanged_sheet_is_found_without_laying_out_its_pages(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    picture = pictures(read_bpmn(FLOWS / "tennyu.bpmn"))[0]
    block = sheets.sheet_block(picture, version_date=VERSION, source="tennyu.bpmn", legend=True)
    layout = sheets.SheetLayout()
    cache = PictureCache(tmp_path, 1 << 30)
    when = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
    printed = {fmt: sheets.sheet_bytes(picture, fmt, block, layout=layout, created=when, cache=cache)  # type: ignore[arg-type]
               for fmt in ("png", "pdf")}
    assert sheets.sheet_plan(picture, layout).pages > 1  # a cut sheet: the costliest to lay out

    def refuse(*_args: object, **_kwargs: object) -> Any:
        raise AssertionError("laid out again")

    for name in ("page_svg", "sheet_plan"):
        monkeypatch.setattr(paper, name, refuse)
    for fmt, data in printed.items():
        assert sheets.sheet_bytes(picture, fmt, block, layout=layout, created=when, cache=cache) == data  # type: ignore[arg-type]


def test_without_hover_texts_gives_the_same_page(tmp_path: Path) -> None:
    """The key holds the picture without its tooltips; the page made from that is the page made before (a
    name that looks like a tooltip stays: it is text, not markup)."""
    hostile = tmp_path / "hostile.bpmn"
    source = FLOWS / "tennyu.bpmn"
    name = read_bpmn(source).processes[pictures(read_bpmn(source))[0].process_ids[0]].nodes[_first_task(source)].name
    hostile.write_text(source.read_text(encoding="utf-8").replace(
        f'name="{name}"', 'name="&lt;title&gt;¥1&lt;/title&gt; xlink:title=&quot;x&quot; \'q\'"', 1), encoding="utf-8")
    drawn = [(path, picture) for path in [*sorted(FLOWS.glob("*.bpmn"))[:6], hostile]
             for picture in pictures(read_bpmn(path))]
    assert any('xlink:title="x"' in paper.without_hover_texts(picture.svg) for path, picture in drawn
               if path == hostile)
    drawn += [(path, picture) for path in sorted(FLOWS.glob("*.bpmn"))[:2]  # Graphviz: <title> and xlink:title
              for picture in pictures(read_bpmn(path), layout="dot")]
    assert any("xlink:title" in picture.svg for _path, picture in drawn)
    for path, picture in drawn:
        block = sheets.sheet_block(picture, version_date=VERSION, source=path.name, legend=True)
        stripped = paper.without_hover_texts(picture.svg)
        tree = etree.fromstring(stripped.encode("utf-8"))
        assert not tree.xpath("//*[local-name()='title' or @*[local-name()='title']]"), path.name
        assert paper.page_svg(stripped, block) == paper.page_svg(picture.svg, block), path.name
