"""The picture cache: an unchanged diagram is printed once, a changed one afresh; bounded, safe, optional."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdf
import pytest

from bpm.reader import read_bpmn
from reports import pictures_cache, printable
from reports.pictures import Layout, pictures
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


def test_no_key_covers_the_date(picture: pictures_cache.Picture) -> None:
    """A PDF's date is given on the way out (it was in the key, so a scan without SOURCE_DATE_EPOCH, whose
    build time is new every run, never found a PDF it had printed before)."""
    assert picture_key(picture, "pdf") == picture_key(picture, "pdf")
    assert picture_key(picture, "png") != picture_key(picture, "pdf")


@pytest.mark.parametrize("layout", ["auto", "dot"])  # CairoSVG (DI) and Graphviz print the PDF
def test_a_pdf_is_printed_once_and_dated_for_each_run_as_a_fresh_print_would_be(
    tmp_path: Path, layout: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    picture = pictures(read_bpmn(FLOWS / "juminhyo.bpmn"), layout=layout)[0]
    assert picture.layout == ("di" if layout == "auto" else "graphviz")
    cache = PictureCache(tmp_path, 10 * 1024 * 1024)
    printed: list[object] = []
    real = pictures_cache.picture_bytes

    def counting(p: pictures_cache.Picture, fmt: pictures_cache.PictureFormat, **kw: object) -> bytes:
        printed.append(kw.get("created"))
        return real(p, fmt, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pictures_cache, "picture_bytes", counting)
    runs = [datetime(2026, 11, 30, 17, 5, 1, tzinfo=UTC), datetime(2027, 4, 1, 0, 0, 59, tzinfo=UTC), None]
    copies = [cached_picture_bytes(picture, "pdf", created=when, cache=cache) for when in runs]
    assert printed == [None]  # printed once, on the epoch; every run after it is dated from the stored copy
    for when, copy in zip(runs, copies, strict=True):
        assert copy == real(picture, "pdf", created=when)  # the bytes a print on that date gives
        reader = pypdf.PdfReader(io.BytesIO(copy), strict=True)
        stamp = (when or datetime.fromtimestamp(0, UTC)).strftime("%Y%m%d%H%M%S")
        assert stamp in str(reader.metadata["/CreationDate"]) and len(reader.pages) == 1
    assert len(list(tmp_path.rglob("*.pdf"))) == 1


def test_a_date_cairo_cannot_write_in_fourteen_digits_is_printed_afresh(
    tmp_path: Path, picture: pictures_cache.Picture
) -> None:
    from datetime import UTC, datetime

    cache = PictureCache(tmp_path, 10 * 1024 * 1024)
    early = datetime(999, 1, 1, tzinfo=UTC)
    assert printable.pdf_date_stamp(early) is None
    assert cached_picture_bytes(picture, "pdf", created=early, cache=cache) == pictures_cache.picture_bytes(
        picture, "pdf", created=early)
    assert not list(tmp_path.rglob("*.pdf"))  # nothing stored: the epoch copy could not be dated so
    assert printable.redate_pdf(b"%PDF-1.5 no date %%EOF", None) is None


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
