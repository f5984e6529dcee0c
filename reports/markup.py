"""The small bilingual pieces every page repeats, as Python functions the templates call.

A flow page of fifty steps calls these a hundred thousand times (every label,
number and reason is written in both languages).  As Jinja macros each call
built a frame, a caller and a fresh escape of catalogue text that never
changes; here the catalogue pieces are made once per process and the rest is
plain string joining, which made the flow page's template pass several times
cheaper.  The markup is the same as the macros wrote, character for character
(the templates of ``_macros.html`` said what it is; the tests of the pages and
the byte-for-byte site comparison against the macros hold it to that).

Registered as globals of every template environment by :func:`install`.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from reports.format import ja_spacing
from reports.i18n import Bilingual, t

__all__ = ["bi", "disp", "install", "num", "plain_th", "sev", "th", "tr", "trp"]


def _field(thing: Any, name: str) -> Any:
    """``thing.name`` the way Jinja reads it: the attribute, else the item (a mapping passed to a template)."""
    try:
        return getattr(thing, name)
    except AttributeError:
        try:
            return thing[name]
        except (TypeError, LookupError):
            raise AttributeError(f"{type(thing).__name__} has no {name!r} for a bilingual template piece") from None


@lru_cache(maxsize=8192)
def _ja_text(text: str) -> Markup:
    return escape(ja_spacing(text))


def _ja(text: Any) -> Markup:
    """Japanese text escaped after :func:`ja_spacing` (what ``{{ text | ja }}`` wrote); plain strings cached."""
    if type(text) is str:
        return _ja_text(text)
    return escape(ja_spacing(text))


def _pair(ja: Markup, en: Markup) -> Markup:
    return Markup(f'<span lang="ja">{ja}</span><span lang="en">{en}</span>')


@cache
def tr(key: str) -> Markup:
    """A catalogue text in both languages (the catalogue is read once per process, so this is too)."""
    return _pair(_ja(t(key, "ja")), escape(t(key, "en")))


def trp(key: str, **params: object) -> Markup:
    """A catalogue text with ``{name}`` placeholders filled, in both languages."""
    return _pair(_ja(t(key, "ja", **params)), escape(t(key, "en", **params)))


def bi(text: Any) -> Markup:
    """A :class:`~reports.i18n.Bilingual`: once when both languages read the same, else one span each."""
    if type(text) is Bilingual:
        ja, en = text.ja, text.en
        if type(ja) is str and type(en) is str:
            return _plain_pair(ja, en)
    else:
        ja, en = _field(text, "ja"), _field(text, "en")
    if _field(text, "neutral"):
        return escape(ja)
    return _pair(_ja(ja), escape(en))


@lru_cache(maxsize=16384)
def _plain_pair(ja: str, en: str) -> Markup:
    """:func:`bi` of two plain strings, cached: a flow page writes ≈ 130 of these a step, most of them the same
    labels, sources and evidence sentences on every step (only plain ``str``: a :class:`Markup` of the same
    characters is equal and hashes alike but must not be escaped, so it never reaches this cache)."""
    if ja == en:
        return escape(ja)
    return _pair(escape(ja_spacing(ja)), escape(en))


def num(quantity: Any) -> Markup:
    """A numeric table cell: the sort key and the text in both languages."""
    sort, text = escape(_field(quantity, "sort")), bi(_field(quantity, "text"))
    return Markup(f'<td class="num" data-sort="{sort}">{text}</td>')


def disp(disposition: Any) -> Markup:
    """A disposition chip (RPA, outsource, retain…) in its colour class."""
    css, label = escape(_field(disposition, "css_class")), bi(_field(disposition, "label"))
    return Markup(f'<span class="disp {css}">{label}</span>')


@cache
def th(key: str, numeric: bool = False) -> Markup:
    """A sortable column header.

    The label twice: Chromium paints no form control in a header repeated on
    printed pages, so print shows the span.
    """
    kind = ' class="num" data-type="number"' if numeric else ""
    label = tr(key)
    return Markup(f'<th scope="col"{kind} aria-sort="none"><button type="button" class="sort-button">{label}</button>'
                  f'<span class="sort-print" aria-hidden="true">{label}</span></th>')


@cache
def plain_th(key: str, numeric: bool = False) -> Markup:
    """A column header that does not sort."""
    kind = ' class="num"' if numeric else ""
    return Markup(f'<th scope="col"{kind}>{tr(key)}</th>')


def sev(finding: Any) -> Markup:
    """A finding's severity chip."""
    severity, label = escape(_field(finding, "severity")), bi(_field(finding, "severity_label"))
    return Markup(f'<span class="sev sev-{severity}">{label}</span>')


def install(env: Environment) -> Environment:
    """Make the pieces globals of ``env`` (every template may call them without importing)."""
    env.globals.update(tr=tr, trp=trp, bi=bi, num=num, disp=disp, th=th, plain_th=plain_th, sev=sev)
    return env
