"""Site pages and annotated models kept by what they are made of, so a re-scan re-makes only what changed.

A re-scan of a thousand flows where one changed rendered every flow page
again (≈ 0.3 CPU-s a page: drawing, view, Jinja, CSP) and annotated every
model again.  A page's bytes are a pure function of

- the view handed to its template (:mod:`reports.views`: every figure, text,
  link and the diagram's SVG the page shows — built each run, so a changed
  flow, a changed portfolio figure shown on the page or a renamed flow in the
  navigation changes it),
- the site view every page shows (title, profile, the list of flows),
- the template and everything it calls (:func:`bpm.cache_store.code_version`
  of ``reports``: templates, static files, the bilingual catalogue, the
  filters; Jinja's and MarkupSafe's versions) and the run's language,

so the key is the SHA-256 of exactly those, by value (:func:`bpm.cache_store.digest`).
Keying the *view* rather than the assessment behind it is what makes the key
complete by construction: whatever a view function reads from the portfolio,
the page can only show what reached the view.

The build time is the one input every page has that changes on every run
without ``SOURCE_DATE_EPOCH``: a page is rendered and stored with
:data:`GENERATED` in its place and the run's time is put in when the page is
handed out.  That is the same bytes as rendering with the time because the
time goes into the footer's text once, escaped to itself (checked: a build
time with a character HTML escapes, or a page where the mark is not found
exactly once, is rendered directly and not stored).

An annotated model (:func:`reports.annotate.annotate_bpmn`) depends on the
model file's bytes, the name it is known by, the assessments of its processes
and the code: :func:`annotated_key`.

Storage, its safety, ``BPM_CACHE_DIR=off`` and ``BPM_CACHE_MB``:
:mod:`bpm.cache_store` (stores ``pages`` and ``annotated``; entries are
``bytes``, nothing of this program is unpickled from them).
"""

from __future__ import annotations

import dataclasses
import hashlib
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from markupsafe import escape

from bpm.cache_store import ObjectStore, code_version, digest, json_key, quick_digest
from bpm.messages import language

__all__ = ["GENERATED", "PageCache", "annotated_key", "page_code"]

_FORMAT = "pages 1"
"""Bumped when what a key covers changes."""
GENERATED = "bpm-build-time-6b1f0c2e"
"""Stands for the build time in a stored page (plain ASCII: HTML escaping leaves it as it is)."""


@cache
def page_code() -> str:
    """The code a page's bytes depend on besides its view: ``reports`` (templates included), Jinja, MarkupSafe."""
    return " ".join([code_version("reports"), *(f"{name} {_version(name)}" for name in ("jinja2", "markupsafe"))])


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def annotated_key(data: bytes, file: str, processes: object) -> str:
    """The key of a model's annotated copy: its bytes, the name it is known by, its processes' assessments
    (by value), the code of ``reports``/``bpm``/``scoring`` and the language."""
    return json_key({"v": _FORMAT, "kind": "annotated", "file": file, "bytes": hashlib.sha256(data).hexdigest(),
                     "processes": digest(processes), "code": page_code(),
                     "scoring": code_version("bpm", "scoring"), "lang": language()})


def _unpacked(stored: bytes | None) -> bytes | None:
    """A stored page (zlib: a flow page is ≈ 1.3 MB of HTML, ≈ 10× less packed), None when missing or damaged."""
    if stored is None:
        return None
    try:
        return zlib.decompress(stored)
    except zlib.error:
        return None


@dataclass(frozen=True)
class PageCache:
    """Rendered pages of one site run by the digest of their views (a store without a folder renders each)."""

    store: ObjectStore
    site: Any
    """The run's site view (:class:`reports.views.SiteView`) with :data:`GENERATED` as its build time."""
    generated: str
    """The run's build time as the footer shows it."""
    site_key: str
    """Digest of ``site``, the code and the language: made once a run (the site view lists every flow)."""

    @classmethod
    def for_site(cls, site: Any, store: ObjectStore) -> PageCache | None:
        """The cache for pages showing ``site``; None when the store is off or the build time would not survive
        being put in afterwards (a character HTML escapes, or the mark itself)."""
        generated = str(site.generated)
        if not store.on or str(escape(generated)) != generated or GENERATED in generated:
            return None
        marked = dataclasses.replace(site, generated=GENERATED)
        try:
            key = quick_digest(_FORMAT, page_code(), language(), marked)
        except Exception:  # a view that cannot be pickled: no cache (never a failed scan)
            return None
        return cls(store, marked, generated, key)

    def key(self, template: str, context: Mapping[str, Any]) -> str | None:
        """The page's key, or None when its view cannot be digested (then it is rendered and not stored)."""
        try:
            return quick_digest(self.site_key, template, sorted(context.items()))
        except Exception:
            return None

    def page(self, template: str, render: Callable[..., bytes], **context: Any) -> bytes:
        """The page ``render(site, **context)`` makes, from the store when these views were rendered before."""
        key = self.key(template, context)
        if key is None:
            return render(self.site_with_time(), **context)
        found = _unpacked(self.store.get(key, bytes))
        if found is None:
            marked = render(self.site, **context)
            if marked.count(GENERATED.encode()) != 1:
                return render(self.site_with_time(), **context)
            self.store.put(key, zlib.compress(marked, 1))
            found = marked
        return self.put_time(found)

    def put_time(self, page: bytes) -> bytes:
        """A stored page with the run's build time in place of the mark."""
        return page.replace(GENERATED.encode(), self.generated.encode("utf-8"), 1)

    def site_with_time(self) -> Any:
        """The run's own site view."""
        return dataclasses.replace(self.site, generated=self.generated)
