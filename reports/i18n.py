"""UI text in Japanese and English, looked up by key.

Every word the report shows that is not user data lives in
``reports/locales/ja.toml`` and ``en.toml`` so a reform team can reword the
site without touching templates, and so a test can prove both languages are
complete.  Tables in the TOML files nest; keys are their dotted paths
(``[nav] overview = …`` is ``nav.overview``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_LOCALES = Path(__file__).resolve().with_name("locales")

LANGS: tuple[str, ...] = ("ja", "en")
"""Report languages, the default (Japanese) first."""


@dataclass(frozen=True, slots=True)
class Bilingual:
    """One piece of text in both report languages (user data stays monolingual)."""

    ja: str
    """Japanese, shown by default."""
    en: str
    """English, shown after the toggle."""

    @classmethod
    def same(cls, text: str) -> Bilingual:
        """Language-neutral text such as a number."""
        return cls(text, text)

    @classmethod
    def of(cls, key: str, **params: object) -> Bilingual:
        """The catalogue text for ``key`` in both languages."""
        return cls(t(key, "ja", **params), t(key, "en", **params))

    @property
    def neutral(self) -> bool:
        """True when both languages read the same (rendered once, without language spans)."""
        return self.ja == self.en


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Dotted keys for a nested TOML table; every leaf must be a string."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{dotted}."))
        elif isinstance(value, str):
            flat[dotted] = value
        else:
            raise TypeError(f"UI text {dotted!r} must be a string, not {type(value).__name__}")
    return flat


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """All UI texts of one language, by dotted key (read once per process)."""
    if lang not in LANGS:
        raise KeyError(f"unknown report language {lang!r} (known: {', '.join(LANGS)})")
    text = (_LOCALES / f"{lang}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(text))


def t(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` placeholders filled from ``params``.

    A missing key is a bug in the templates, not user input, so it raises
    :class:`KeyError` instead of printing the key.

    >>> t("nav.overview", "en")
    'Overview'
    >>> t("nav.overview", "ja")
    '概要'
    """
    texts = catalog(lang)
    try:
        text = texts[key]
    except KeyError:
        raise KeyError(f"no UI text {key!r} in locales/{lang}.toml") from None
    return text.format(**params) if params else text


def t_or(key: str, lang: str, default: str) -> str:
    """Like :func:`t` but returns ``default`` for keys that are open-ended (feature names, rule codes)."""
    return catalog(lang).get(key, default)


def has(key: str) -> bool:
    """Whether ``key`` exists in every language."""
    return all(key in catalog(lang) for lang in LANGS)


def missing_keys() -> dict[str, list[str]]:
    """Keys present in some language but absent in another, per language (empty when complete)."""
    all_keys = set().union(*(catalog(lang).keys() for lang in LANGS))
    return {lang: sorted(all_keys - catalog(lang).keys()) for lang in LANGS if all_keys - catalog(lang).keys()}
