"""The picture cache: an unchanged diagram is printed once, a changed one afresh; bounded, safe, optional."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bpm.reader import read_bpmn
from reports import pictures_cache
from reports.pictures import pictures
from reports.pictures_cache import PictureCache, cache_folder, cached_picture_bytes, picture_key

FLOWS = Path(__file__).resolve().parents[2] / "flows"


@pytest.fixture(scope="module")
def picture() -> pictures_cache.Picture:
    return pictures(read_bpmn(FLOWS / "juminhyo.bpmn"))[0]


def test_a_printed_copy_is_reused_and_a_changed_diagram_printed_again(
    tmp_path: Path, picture: pictures_cache.Picture, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PictureCache(tmp_path / "cache", 10 * 1024 * 1024)
    printed: list[str] = []
    real = pictures_cache.picture_bytes

    def counting(p: pictures_cache.Picture, fmt: pictures_cache.PictureFormat, **kw: object) -> bytes:
        printed.append(fmt)
        return real(p, fmt, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pictures_cache, "picture_bytes", counting)
    first = cached_picture_bytes(picture, "png", created=None, cache=cache)
    again = cached_picture_bytes(picture, "png", created=None, cache=cache)
    assert first == again and first.startswith(b"\x89PNG")
    assert printed == ["png"]  # the second came from the cache
    changed = pictures_cache.Picture(picture.name, picture.title, picture.layout,
                                     picture.svg.replace("</svg>", "<rect width='1' height='1'/></svg>"),
                                     picture.process_ids)
    cached_picture_bytes(changed, "png", created=None, cache=cache)
    assert printed == ["png", "png"]
    stored = sorted(p.relative_to(cache.folder).as_posix() for p in cache.folder.rglob("*") if p.is_file())
    assert len(stored) == 2 and all(len(Path(name).stem) == 64 for name in stored)  # hex digests only


def test_a_pdf_key_covers_its_date_and_a_png_key_does_not(picture: pictures_cache.Picture) -> None:
    from datetime import UTC, datetime

    one, two = datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    assert picture_key(picture, "pdf", one) != picture_key(picture, "pdf", two)
    assert picture_key(picture, "png", one) == picture_key(picture, "png", two)
    assert picture_key(picture, "png", one) != picture_key(picture, "pdf", one)


def test_a_damaged_copy_is_printed_again(tmp_path: Path, picture: pictures_cache.Picture) -> None:
    cache = PictureCache(tmp_path, 10 * 1024 * 1024)
    good = cached_picture_bytes(picture, "pdf", created=None, cache=cache)
    (stored,) = [p for p in tmp_path.rglob("*.pdf")]
    stored.write_bytes(good[: len(good) // 2])  # a copy cut short (disk full, a stopped run)
    assert cached_picture_bytes(picture, "pdf", created=None, cache=cache) == good


def test_the_cache_is_pruned_to_its_bound_least_recently_used_first(tmp_path: Path) -> None:
    cache = PictureCache(tmp_path, 250)
    keys = [f"{i:064x}" for i in range(4)]
    for age, key in enumerate(keys):
        cache.put(key, "png", b"\x89PNG\r\n\x1a\n" + b"x" * 92)
        path = tmp_path / key[:2] / f"{key}.png"
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    (tmp_path / "notes.txt").write_text("not ours", encoding="utf-8")
    assert cache.prune() == 200
    left = sorted(p.stem for p in tmp_path.rglob("*.png"))
    assert left == keys[2:]
    assert (tmp_path / "notes.txt").exists()  # only our own files are ever removed


def test_hostile_keys_and_formats_never_leave_the_folder(tmp_path: Path) -> None:
    cache = PictureCache(tmp_path / "cache", 1024)
    cache.put("../../escape", "png", b"x")
    cache.put("a" * 64, "../../x", b"x")
    assert cache.get("../../escape", "png") is None
    assert not (tmp_path / "escape").exists() and not any(tmp_path.rglob("*x*"))


def test_an_unwritable_cache_costs_nothing_but_time(tmp_path: Path, picture: pictures_cache.Picture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    cache = PictureCache(blocker / "cache", 10 * 1024 * 1024)  # a folder inside a file cannot be made
    assert cached_picture_bytes(picture, "png", created=None, cache=cache).startswith(b"\x89PNG")


def test_where_the_cache_is() -> None:
    assert cache_folder({"BPM_CACHE_DIR": "OFF"}) is None
    assert cache_folder({"HOME": "/home/u"}) == Path("/home/u/.cache/bpm-rpa-scanner/pictures")
    assert cache_folder({"HOME": "/home/u", "XDG_CACHE_HOME": "relative"}) == Path(
        "/home/u/.cache/bpm-rpa-scanner/pictures")  # XDG: a relative path is invalid and ignored
