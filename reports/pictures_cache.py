"""PNG and PDF copies of diagrams, kept by content: an unchanged flow is never printed twice.

Printing is most of a scan's time (a 50-step flow's PNG is millions of
pixels, its PDF a full cairo document), yet from one year's scan of a city's
portfolio to the next most flows have not changed.  Each copy is stored under
the SHA-256 of everything that decides its bytes — the picture's SVG text,
its origin (DI or Graphviz), the format, the pixel caps, the printing
libraries' versions and this program's version — so a changed flow, a new
overlay colour or an upgrade prints afresh, and an unchanged one is copied
from the cache.

A *sheet* (:mod:`reports.sheets`: the picture on paper with its title block)
is stored under what its pages are made from instead — the picture's SVG
without its tooltips, the title block, the paper, the steps' boxes — plus
the code that lays sheets out (:func:`sheet_code`), so an unchanged sheet is
found without laying out its pages (a parse, a cut plan and a serialisation
per page, which a re-scan used to pay for every sheet only to make its key).

A PDF's creation date is *not* in its key: every scan without
``SOURCE_DATE_EPOCH`` has a new build time, and a key holding it never hit
(a 20-flow re-scan spent half its time printing the same PDFs again).  A PDF
is stored as printed on the epoch and given the run's date on the way out
(:func:`reports.printable.redate_pdf`: cairo's one fixed-width date, so the
bytes are those a print on that date gives).

Where: ``$BPM_CACHE_DIR`` when set (``off`` turns the cache off), else
``$XDG_CACHE_HOME/bpm-rpa-scanner/pictures``, else
``~/.cache/bpm-rpa-scanner/pictures``.  File names are the hex digest only
(two-character sub-folders), never a name from a model, so a hostile flow
name cannot reach outside the folder.  Bounded: after a run, the least
recently used copies are removed until the folder holds at most
``$BPM_CACHE_MB`` megabytes (default 1,024).  Written atomically (a
temporary file renamed into place), so a stopped run or two scans at once
leave whole files only.

The cache is an optimisation only: a folder that cannot be created, read or
written, or a copy that fails its check, means the copy is printed as if
there were no cache; nothing a scan writes depends on it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from bpm.cache_store import (
    CACHE_ENV,
    LIMIT_ENV,
    cache_folder,
    cache_limit,
    code_version,
    entries_in,
    json_key,
    remove_oldest,
    write_atomically,
)
from reports import printable
from reports.pictures import Picture, PictureFormat, picture_bytes

__all__ = ["CACHE_ENV", "LIMIT_ENV", "PictureCache", "cache_folder", "cached_picture_bytes", "cached_sheet_bytes",
           "picture_key", "sheet_code", "sheet_key"]

_FORMAT_VERSION = "1"
"""Bumped when what a key covers changes."""
_KEY = re.compile(r"^[0-9a-f]{64}$")
_SUFFIXES = (".png", ".pdf")


@lru_cache(maxsize=1)
def _versions() -> tuple[str, ...]:
    """The versions of everything that prints: a new one may print other bytes."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("bpm-rpa-scanner", "cairosvg", "cairocffi"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} -")
    try:
        import cairocffi

        found.append(f"cairo {cairocffi.cairo_version_string()}")
    except (ImportError, OSError):
        found.append("cairo -")
    import graphviz

    try:
        found.append("graphviz " + ".".join(str(n) for n in graphviz.version()))
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, RuntimeError, OSError):
        found.append("graphviz -")
    return tuple(found)


def picture_key(picture: Picture, fmt: PictureFormat) -> str:
    """The SHA-256 (hex) of everything that decides the copy's bytes but a PDF's date (given on the way out)."""
    return _key(picture.svg, picture.layout, fmt)


def _key(svg: str, origin: str, fmt: str, *, code: str = "") -> str:
    parts: dict[str, object] = {
        "v": _FORMAT_VERSION,
        "format": fmt,
        "layout": origin,
        "created": "",  # was the PDF's date; kept empty, so PDFs printed on the epoch before stay valid copies
        "caps": [printable.PNG_SCALE, printable.MAX_PNG_SIDE, printable.MAX_PNG_PIXELS],
        "versions": list(_versions()),
        "svg": svg,
    }
    if code:  # sheets only: a picture's key holds the very SVG it prints; a sheet's, only what its pages are made of
        parts["code"] = code
    return json_key(parts)


class PictureCache:
    """Copies by key in one folder (see the module docstring for the rules)."""

    def __init__(self, folder: Path | None, limit_bytes: int) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> PictureCache:
        return cls(cache_folder(environ), cache_limit(environ))

    def _path(self, key: str, fmt: str) -> Path | None:
        if self.folder is None or not _KEY.match(key) or f".{fmt}" not in _SUFFIXES:
            return None
        return self.folder / key[:2] / f"{key}.{fmt}"

    def get(self, key: str, fmt: str) -> bytes | None:
        """The stored copy, or None (also when it cannot be read or is not a whole copy)."""
        path = self._path(key, fmt)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not _whole(data, fmt):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest when the cache is pruned
        return data

    def put(self, key: str, fmt: str, data: bytes) -> None:
        """Store a copy atomically (silently skipped when the folder cannot be written)."""
        path = self._path(key, fmt)
        if path is None or len(data) > self.limit_bytes:
            return
        with contextlib.suppress(OSError):
            write_atomically(path, data)

    def prune(self) -> int:
        """Remove the least recently used copies until the folder is within its bound; the bytes removed."""
        return remove_oldest(entries_in(self.folder, _SUFFIXES), self.limit_bytes)


def _whole(data: bytes, fmt: str) -> bool:
    """A cheap check that a stored copy is complete (the file ends as the format ends)."""
    if fmt == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]


def cached_picture_bytes(
    picture: Picture, fmt: PictureFormat, *, created: datetime | None, cache: PictureCache | None
) -> bytes:
    """:func:`reports.pictures.picture_bytes`, from the cache when this exact copy was printed before."""
    if fmt == "svg" or cache is None or cache.folder is None:
        return picture_bytes(picture, fmt, created=created)
    return _through(cache, picture_key(picture, fmt), fmt, created,
                    lambda when: picture_bytes(picture, fmt, created=when))


def cached_sheet_bytes(
    inputs: Mapping[str, object], fmt: str, *, created: datetime | None, cache: PictureCache | None,
    print_sheet: Callable[[datetime | None], bytes],
) -> bytes:
    """A sheet's copy (:mod:`reports.sheets`): from the cache when a sheet was printed before from these exact
    ``inputs``, else ``print_sheet(date)``, stored.

    ``inputs`` (JSON values) must be everything ``print_sheet`` makes the sheet from: the picture's SVG as
    printed, its title block, paper and cut hints.  The key adds the format, the printing libraries'
    versions and :func:`sheet_code`, so the sheet is found without laying out its pages first."""
    if cache is None or cache.folder is None:
        return print_sheet(created)
    return _through(cache, sheet_key(inputs, fmt), fmt, created, print_sheet)


def sheet_key(inputs: Mapping[str, object], fmt: str) -> str:
    """The SHA-256 (hex) of a sheet's inputs, its format, the versions that print it and the code that lays it
    out (see :func:`cached_sheet_bytes`)."""
    return _key(json.dumps(inputs, ensure_ascii=False, sort_keys=True), "sheet-inputs", fmt, code=sheet_code())


@lru_cache(maxsize=1)
def sheet_code() -> str:
    """The code that lays a sheet out (every file of the ``reports`` package: paper, sheets, cull, the SVG
    writer's font list): a sheet's key no longer holds its laid-out pages, so a change there must change it."""
    return code_version("reports")


def _through(cache: PictureCache, key: str, fmt: str, created: datetime | None,
             print_on: Callable[[datetime | None], bytes]) -> bytes:
    """The copy under ``key``, printed by ``print_on(date)`` and stored when missing.

    A PNG has no date.  A PDF is stored as printed on the epoch and dated
    ``created`` on the way out, so a scan at another time finds it; when it
    cannot be re-dated (a year cairo writes in other than four digits, a copy
    without cairo's one date) it is printed afresh for ``created``, as
    without a cache.
    """
    if fmt == "pdf" and printable.pdf_date_stamp(created) is None:
        return print_on(created)
    found = cache.get(key, fmt)
    if found is None:
        found = print_on(None if fmt == "pdf" else created)
        cache.put(key, fmt, found)
    if fmt != "pdf":
        return found
    dated = printable.redate_pdf(found, created)
    return dated if dated is not None else print_on(created)
