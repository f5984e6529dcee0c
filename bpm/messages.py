"""What the ``bpm`` command says, in Japanese and English, by message id.

The tool is Japanese first: a municipal PC runs a Japanese (or no explicit)
locale, and a 市民課 staff member should not meet English on the terminal.
English is chosen by ``bpm --lang en`` or by an English locale.  The
language rule (see :func:`language_from_environment`):

1. ``--lang ja|en`` on the command line;
2. else ``BPM_LANG`` (``ja`` or ``en``), for scripts and the test suite;
3. else the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set (the
   POSIX order): English when it starts with ``en``, Japanese otherwise —
   including ``C``/``POSIX``/``C.UTF-8``, which say nothing about the reader
   (CI containers and Windows shells without a locale); the product's
   default language is Japanese.

Every message keeps its machine-checkable parts identical in both languages:
``file:line:`` prefixes, element ids (``[id=…]``), option names, paths and
numbers are placeholders, never translated.  Help texts are catalogue
entries too; :func:`relocalise` swaps them when ``--lang`` differs from the
language the command was imported in.

The catalogue itself lives in :mod:`bpm.messages_catalogue` (one text per
language per id); a test checks every id has both, with the same placeholders.
"""

from __future__ import annotations

import gettext
import os
import string
from collections.abc import Mapping
from pathlib import Path

import click

from bpm.messages_catalogue import MESSAGES
from bpm.messages_library import LIBRARY_MESSAGES

LANGS: tuple[str, ...] = ("ja", "en")
"""Message languages, the default (Japanese) first."""

CATALOGUE: dict[str, tuple[str, str]] = {**MESSAGES, **LIBRARY_MESSAGES}
"""Every message: the command's own (:mod:`bpm.messages_catalogue`), the library's (:mod:`bpm.messages_library`)."""

_ENVIRONMENT_LOCALES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Locale variables in POSIX precedence: the first one set decides."""


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``en`` for ``BPM_LANG=en`` or an English locale, else ``ja`` (C/POSIX included; see the module doc).

    >>> language_from_environment({"LANG": "en_US.UTF-8"})
    'en'
    >>> language_from_environment({"LANG": "en_US.UTF-8", "LC_ALL": "ja_JP.UTF-8"})
    'ja'
    >>> language_from_environment({"LC_ALL": "C.UTF-8"})
    'ja'
    >>> language_from_environment({"BPM_LANG": "en", "LANG": "ja_JP.UTF-8"})
    'en'
    """
    env = os.environ if environ is None else environ
    explicit = env.get("BPM_LANG", "").strip().lower()
    if explicit in LANGS:
        return explicit
    for name in _ENVIRONMENT_LOCALES:
        value = env.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else "ja"
    return "ja"


CLICK_DOMAIN = "bpm-click"
"""The gettext domain of click's own texts in Japanese (bpm/locale/ja/LC_MESSAGES/bpm-click.po, compiled to .mo)."""

LOCALE_DIR = Path(__file__).resolve().with_name("locale")


def _speak_click(lang: str) -> None:
    """Click's own texts ("Usage:", "Error: No such option", "Missing argument", the --help headings) in ``lang``.

    Click marks them for gettext and looks them up in gettext's default
    domain, which is the hook it offers for translations: bind that domain
    to our catalogue and name the language in ``LANGUAGE`` (the GNU gettext
    variable, read before the locale ones), so our language rule — not the
    locale alone — decides.  English has no catalogue: click's own texts.
    """
    gettext.bindtextdomain(CLICK_DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = lang


_current: list[str] = [language_from_environment()]
"""The language of this process's messages (a one-item list: set by ``--lang``, read everywhere)."""
_speak_click(_current[0])  # before any parsing: errors in the options of `bpm` itself come before --lang is read


def language() -> str:
    """The language messages are written in now."""
    return _current[0]


def use_language(lang: str) -> None:
    """Write every further message in ``lang`` (``ja`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"unknown message language {lang!r} (known: {', '.join(LANGS)})")
    _current[0] = lang
    _speak_click(lang)


def text(key: str, lang: str | None = None, /, **params: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language), its ``{name}`` placeholders filled.

    A missing id is a bug of ours, not user input, so it raises :class:`KeyError`.

    >>> text("cli.wrote", "ja", path="a.csv")
    'a.csv を書き出しました'
    >>> text("cli.wrote", "en", path="a.csv")
    'wrote a.csv'
    """
    ja, en = CATALOGUE[key]
    template = en if (lang or language()) == "en" else ja
    return template.format(**params) if params else template


m = text
"""Short name used at the call sites in :mod:`bpm.cli`."""


def placeholders(template: str) -> frozenset[str]:
    """The ``{name}`` fields of a template (for the completeness test)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


_HELP_IDS: dict[str, tuple[str, dict[str, object]]] = {}
"""Every help text handed out by :func:`h`, in either language → its id and parameters (for :func:`relocalise`)."""


def h(key: str, **params: object) -> str:
    """A help text (option or command) in the current language, swappable later by :func:`relocalise`."""
    if not key.startswith(("help.", "cmd.")):
        raise KeyError(f"help text ids start with help. or cmd.: {key!r}")
    for lang in LANGS:
        _HELP_IDS[text(key, lang, **params)] = (key, params)
    return text(key, **params)


def relocalise(command: click.Command, lang: str) -> None:
    """Put every catalogue help text of ``command`` (and its sub-commands) in ``lang``.

    Click reads help texts when the decorators run, at import; ``bpm --lang en``
    is parsed later, so its callback calls this before ``--help`` prints.
    """
    if command.help in _HELP_IDS:
        key, params = _HELP_IDS[command.help]
        command.help = text(key, lang, **params)
    for param in command.params:
        if isinstance(param, click.Option) and param.help in _HELP_IDS:
            key, params = _HELP_IDS[param.help]
            param.help = text(key, lang, **params)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            relocalise(sub, lang)
