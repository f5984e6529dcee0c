"""Anonymising a comparison for publication across organisations (``bpm compare --anonymise``).

What it promises: no city's name (団体名, folder name, profile name) and no
free-text note (survey 備考, BPMN documentation, text annotations, the
metadata 備考) in any file written.  Three layers make it hold:

1. names become stable codes (:func:`city_code`: an HMAC-SHA-256 of the
   団体名 keyed with a salt), and every text taken from the input passes
   :class:`Scrubber`, which replaces each name by its city's code;
2. diagrams are drawn from a scrubbed copy of the model
   (:meth:`Scrubber.definitions`) without documentation and annotation texts;
3. before anything is written, every byte of every output file is searched
   for every name and note (:func:`check_published`); a hit stops the run.

Exact population is public and would identify a city, so anonymised pages
show the population band only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bpm.errors import BpmError, RenderError, Say, say
from bpm.model import ArtifactKind, Definitions
from reports.compare_words import trie_pattern
from scoring.city_run import CityResult

MIN_NOTE_CHARS = 4
"""Notes shorter than this are removed but not searched for (「済」 or 「なし」 occur in ordinary words)."""


def city_code(name: str, salt: str) -> str:
    """A stable code for a city: the same name and salt always give the same code.

    Without a secret salt anyone could hash the 1,741 municipality names and
    re-identify every code, so publish with a salt only the secretariat holds
    (``--salt`` or ``BPM_COMPARE_SALT``), and reuse it to keep codes stable
    from year to year.

    >>> city_code("甲市", "s3cret") == city_code("甲市", "s3cret"), city_code("甲市", "a") == city_code("甲市", "b")
    (True, False)
    >>> len(city_code("甲市", "x"))
    10
    """
    digest = hmac.new(salt.encode("utf-8"), name.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"C-{digest[:8].upper()}"


class Scrubber:
    """Replaces every city name in a text by its code, and removes notes from models."""

    def __init__(self, names: Mapping[str, str]) -> None:
        """``names``: name → code (団体名, folder name, profile name of each city)."""
        usable = {n: c for n, c in names.items() if n.strip()}
        self._codes = usable
        self._pattern = (re.compile("|".join(re.escape(n) for n in sorted(usable, key=len, reverse=True)))
                         if usable else None)

    def text(self, value: str) -> str:
        """The text with every name replaced by its city's code.

        >>> Scrubber({"甲市": "C-1", "甲市役所": "C-1"}).text("甲市役所 市民課（甲市）")
        'C-1 市民課（C-1）'
        """
        if self._pattern is None or not value:
            return value
        return self._pattern.sub(lambda m: self._codes[m.group(0)], value)

    def definitions(self, definitions: Definitions) -> Definitions:
        """A copy of the model with names replaced, documentation emptied and annotation texts removed."""
        memo: dict[int, Any] = {}
        result = self._walk(definitions.eager(), memo)  # deferred diagrams are bytes to a walk: built first
        assert isinstance(result, Definitions)
        return result

    def _walk(self, value: Any, memo: dict[int, Any]) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (tuple, list)):
            return type(value)(self._walk(v, memo) for v in value)
        if isinstance(value, Mapping):
            return {self._walk(k, memo): self._walk(v, memo) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            known = memo.get(id(value))
            if known is not None:
                return known
            changes: dict[str, Any] = {}
            for f in dataclasses.fields(value):
                if not f.init:
                    continue
                current = getattr(value, f.name)
                annotation = f.name == "name" and getattr(value, "kind", None) is ArtifactKind.TEXT_ANNOTATION
                if annotation or (f.name == "documentation" and isinstance(current, str)):
                    changes[f.name] = ""
                else:
                    new = self._walk(current, memo)
                    if new is not current:
                        changes[f.name] = new
            copy = dataclasses.replace(value, **changes) if changes else value
            memo[id(value)] = copy
            return copy
        return value


class LeakCheck:
    """Searches output files, one at a time, for every city name and note (raw or HTML-escaped).

    Why one file at a time: ``bpm compare`` writes its pages as they are
    rendered instead of holding the whole site, so each file is searched as it
    passes.  The words are compiled once (one trie for all of them).
    """

    def __init__(self, names: Iterable[str], notes: Iterable[str]) -> None:
        secrets = [(say("anon.city_name"), n.strip()) for n in names if n.strip()]
        secrets += [(say("anon.note"), n.strip()) for n in notes if len(n.strip()) >= MIN_NOTE_CHARS]
        self._kinds: dict[bytes, Say] = {}
        for kind, secret in secrets:
            for form in {secret, html.escape(secret, quote=True), html.escape(secret, quote=False)}:
                self._kinds.setdefault(form.encode("utf-8"), kind)
        self._pattern = _words_pattern(self._kinds) if self._kinds else None

    def find(self, content: bytes) -> Say | None:
        """What kind of secret the content holds (the first found), or None when it holds none."""
        if self._pattern is None:
            return None
        found = self._pattern.search(content)
        return None if found is None else self._kinds[found.group(0)]

    def error(self, name: str, kind: Say) -> RenderError:
        """The refusal for a file ``name`` that holds a secret of ``kind``."""
        return RenderError(say("anon.leak", kind=kind), file=name, hint=say("anon.leak_hint"))

    def check(self, name: str, content: bytes) -> None:
        """Raise :class:`RenderError` when the file holds a name or a note."""
        kind = self.find(content)
        if kind is not None:
            raise self.error(name, kind)


def _words_pattern(kinds: Mapping[bytes, Say]) -> re.Pattern[bytes]:
    """One trie of every form: linear in the pages (an alternation was names × bytes)."""
    try:
        return trie_pattern(kinds)
    except RecursionError:  # words nested too deep for a trie (prefixes of prefixes): the plain alternation
        return re.compile(b"|".join(re.escape(k) for k in sorted(kinds, key=len, reverse=True)))


def check_published(files: Mapping[str, bytes], names: Iterable[str], notes: Iterable[str]) -> None:
    """Refuse to publish when any output file holds a city name or a note (raw or HTML-escaped).

    Files are searched in name order; the first that holds one is named.

    >>> check_published({"a.html": "<p>C-1</p>".encode()}, ["甲市"], ["窓口の混雑が激しい"])
    >>> check_published({"a.html": "<p>甲市</p>".encode()}, ["甲市"], [])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bpm.errors.RenderError: a.html: the anonymised site would contain a city name (nothing written) (report ...
    """
    leaks = LeakCheck(names, notes)
    for name, content in sorted(files.items()):
        leaks.check(name, content)


def anonymise(results: Sequence[CityResult], salt: str) -> tuple[list[CityResult], Scrubber, tuple[str, ...]]:
    """The results with every city named by its code: (results, the scrubber for models, every name replaced).

    Raises :class:`~bpm.errors.BpmError` when two cities would get the same code (the same 団体名 twice).
    """
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for result in results:
        meta = result.city.meta
        code = city_code(meta.name, salt)
        if code in seen:
            raise BpmError(say("anon.same_name", name=repr(meta.name), first=seen[code], second=meta.file),
                           file=meta.file, hint=say("anon.same_name_hint"))
        seen[code] = meta.file
        folder = Path(meta.file).parent.name
        for name in (meta.name, folder, result.city.profile_name):
            if name and name != "default":
                names.setdefault(name, code)
    scrub = Scrubber(names)
    changed = []
    for result in results:
        code = names[result.city.meta.name]
        meta = dataclasses.replace(result.city.meta, name=code, note="", file=f"{code}/municipality.toml",
                                   mapping="", prefecture="")
        city = dataclasses.replace(result.city, key=code, label=code, meta=meta, profile_name=code)
        flows = tuple(dataclasses.replace(
            f, city=code, file_key=scrub.text(f.file_key), process_id=scrub.text(f.process_id),
            process_name=scrub.text(f.process_name), match_detail=scrub.text(f.match_detail),
            dispositions=tuple((scrub.text(s), d) for s, d in f.dispositions),
        ) for f in result.flows)
        excluded = tuple((code, scrub.text(file), scrub.text(message)) for _, file, message in result.excluded)
        changed.append(dataclasses.replace(result, city=city, flows=flows, excluded=excluded, unused_mapping=()))
    return changed, scrub, tuple(sorted(names))
