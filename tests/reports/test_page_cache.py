"""Pages and annotated models kept by what they are made of (reports/page_cache.py): every input moves the key,
a stored page is the page rendered, the build time is put back, and anything odd is rendered, not stored."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bpm import messages
from bpm.cache_store import ObjectStore
from reports import page_cache
from reports.i18n import Bilingual
from reports.page_cache import GENERATED, PageCache, annotated_key
from reports.views import Link, PageView, SiteView


def _site(**changes: Any) -> SiteView:
    site = SiteView(Bilingual("題", "Title"), "2025-04-01 09:00 JST", "default",
                    (Link("a.html", "住民票"), Link("b.html", "印鑑")))
    return dataclasses.replace(site, **changes)


def _store(tmp_path: Path) -> ObjectStore:
    return ObjectStore(tmp_path / "pages", 1 << 30)


def _render(site: SiteView, *, view: PageView) -> bytes:
    """A stand-in template: what the real ones do with the site view and the page view, as bytes."""
    return f"<p>{view.title.ja}|{view.file_name}|{site.title.en}|{site.profile_name}|{site.flows}</p>" \
           f"<footer>{site.generated}</footer>".encode()


def _key(site: SiteView, view: PageView, template: str = "flow.html", tmp_path: Path = Path("/nonexistent")) -> str:
    cache = PageCache.for_site(site, ObjectStore(tmp_path, 1))
    assert cache is not None
    key = cache.key(template, {"view": view})
    assert key is not None
    return key


@contextmanager
def _speaking(lang: str) -> Iterator[None]:
    before = messages.language()
    messages.use_language(lang)
    try:
        yield
    finally:
        messages.use_language(before)


VIEW = PageView("flow", "a.html", Bilingual("住民票", "住民票"))


@pytest.mark.parametrize("change", [
    {"title": Bilingual("別", "Other")},
    {"profile_name": "other"},
    {"flows": (Link("a.html", "住民票"),)},
    {"flows": (Link("a.html", "住民票（改）"), Link("b.html", "印鑑"))},
])
def test_the_key_moves_with_every_part_of_the_site_view(change: dict[str, Any]) -> None:
    assert _key(_site(**change), VIEW) != _key(_site(), VIEW)


@pytest.mark.parametrize("view", [
    PageView("flow", "b.html", VIEW.title),
    PageView("index", "a.html", VIEW.title),
    PageView("flow", "a.html", Bilingual("住民票", "Resident")),
    PageView("flow", "a.html", Bilingual("住民票 ", "住民票")),
])
def test_the_key_moves_with_the_view(view: PageView) -> None:
    assert _key(_site(), view) != _key(_site(), VIEW)


def test_the_key_moves_with_the_template_the_code_and_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _key(_site(), VIEW)
    assert _key(_site(), VIEW, template="index.html") != before
    with monkeypatch.context() as patch:
        patch.setattr(page_cache, "page_code", lambda: "other code")
        assert _key(_site(), VIEW) != before
    other = "en" if messages.language() == "ja" else "ja"
    with _speaking(other):
        assert _key(_site(), VIEW) != before
    assert _key(_site(), VIEW) == before


def test_the_build_time_is_not_in_the_key_and_is_put_back(tmp_path: Path) -> None:
    assert _key(_site(generated="2030-01-01 00:00 JST"), VIEW) == _key(_site(), VIEW)
    store = _store(tmp_path)
    first = PageCache.for_site(_site(), store)
    later = PageCache.for_site(_site(generated="2030-01-01 00:00 JST"), store)
    assert first is not None and later is not None
    assert first.page("flow.html", _render, view=VIEW) == _render(_site(), view=VIEW)
    stored = list(store.folder.rglob("*.pickle")) if store.folder else []
    assert len(stored) == 1
    calls: list[SiteView] = []

    def counting(site: SiteView, *, view: PageView) -> bytes:
        calls.append(site)
        return _render(site, view=view)

    again = later.page("flow.html", counting, view=VIEW)
    assert calls == []  # from the store
    assert again == _render(_site(generated="2030-01-01 00:00 JST"), view=VIEW)


def test_a_page_is_rendered_not_stored_when_the_mark_is_not_there_once(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = PageCache.for_site(_site(), store)
    assert cache is not None

    def twice(site: SiteView, *, view: PageView) -> bytes:
        return _render(site, view=view) + site.generated.encode()

    assert cache.page("flow.html", twice, view=VIEW) == twice(_site(), view=VIEW)
    assert not store.folder or not list(store.folder.rglob("*.pickle"))


@pytest.mark.parametrize("generated", ["<b>1</b>", "a & b", GENERATED])
def test_no_cache_for_a_build_time_that_would_not_survive_substitution(tmp_path: Path, generated: str) -> None:
    assert PageCache.for_site(_site(generated=generated), _store(tmp_path)) is None


def test_no_cache_when_the_store_is_off() -> None:
    assert PageCache.for_site(_site(), ObjectStore(None, 1 << 30)) is None


def test_a_damaged_entry_is_rendered_and_stored_again(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = PageCache.for_site(_site(), store)
    assert cache is not None and store.folder is not None
    cache.page("flow.html", _render, view=VIEW)
    (entry,) = store.folder.rglob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:-5] + b"xxxxx")
    assert cache.page("flow.html", _render, view=VIEW) == _render(_site(), view=VIEW)
    key = cache.key("flow.html", {"view": VIEW})
    assert key is not None and store.get(key, bytes) is not None  # rewritten whole


def test_a_view_that_cannot_be_digested_is_rendered(tmp_path: Path) -> None:
    cache = PageCache.for_site(_site(), _store(tmp_path))
    assert cache is not None
    odd = lambda site, *, view: b"x" + site.generated.encode()  # noqa: E731
    assert cache.page("flow.html", odd, view=lambda: None) == b"x" + _site().generated.encode()


def test_the_annotated_key_moves_with_every_input() -> None:
    base = annotated_key(b"<bpmn/>", "a.bpmn", ("p", 1))
    assert annotated_key(b"<bpmn />", "a.bpmn", ("p", 1)) != base
    assert annotated_key(b"<bpmn/>", "b.bpmn", ("p", 1)) != base
    assert annotated_key(b"<bpmn/>", "a.bpmn", ("p", 2)) != base
    other = "en" if messages.language() == "ja" else "ja"
    with _speaking(other):
        assert annotated_key(b"<bpmn/>", "a.bpmn", ("p", 1)) != base
    assert annotated_key(b"<bpmn/>", "a.bpmn", ("p", 1)) == base
