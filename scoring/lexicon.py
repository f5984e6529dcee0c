"""Word signals in step, lane and pool names (日本語 and English).

Step names are the richest evidence a BPMN model offers when no survey was
made: 「記載内容審査」 says judgment, 「住基システム入力」 says data entry.  The
word lists live in the profile (each with its source) so a city can add its own
vocabulary; this module only normalises text and finds the words.

Two rules keep the matching honest:

* Japanese words match as substrings of the name after NFKC normalisation,
  case folding and removal of all whitespace, so 「住基システム　入力」 and
  「住基システム入力」 read the same.  English words match at a word start
  (``verif`` matches *verify* and *verification*, ``print`` does not match
  *blueprint*).
* When one found word lies inside a longer found word, only the longer one
  counts: 「交付決定」 is a decision (public authority), not the handing over
  that 「交付」 alone would mean; 「形式的確認」 is routine even though 確認 can
  be a judgment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from scoring.profile import WordList

_SPACE = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """Name key for matching: NFKC (全角/半角), case-folded, all whitespace removed.

    >>> normalize_name("住基システム　入力") == normalize_name("住基システム入力")
    True
    >>> normalize_name("ＡＢＣ１２３ x")
    'abc123x'
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


def normalize_spaced(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed to single spaces (for English words)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@dataclass(frozen=True, slots=True)
class Hit:
    """One word found in a name."""

    signal: str
    """Which list it belongs to (``routine``, ``judgment`` …)."""
    word: str
    """The word as written in the profile."""
    lang: str
    """``ja`` or ``en``."""
    start: int
    """Start offset in the normalised text."""
    end: int
    """End offset in the normalised text."""
    source: str = ""
    """Where the word comes from (its list's or its entry's source)."""


@dataclass(frozen=True, slots=True)
class _Pattern:
    signal: str
    word: str
    lang: str
    regex: re.Pattern[str]
    source: str = ""


_MEMO_LIMIT = 100_000
"""Distinct texts remembered per lexicon (a few tens of MB at most)."""


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled word lists; build with :func:`compile_lexicon`."""

    patterns: tuple[_Pattern, ...]
    """One compiled pattern per word."""
    _memo: dict[str, tuple[Hit, ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Hits by text: a portfolio repeats its step names in every flow (本人確認, 住基システム入力), and each
    look-up runs every word's pattern; bounded by :data:`_MEMO_LIMIT`."""

    def hits(self, text: str) -> tuple[Hit, ...]:
        """Every word found, longer words shadowing words inside them, in text order.

        >>> from scoring.profile import WordList
        >>> lexicon = compile_lexicon({
        ...     "face_to_face": WordList(("交付",), (), ""),
        ...     "legal_authority": WordList(("交付決定",), ("decid",), ""),
        ... })
        >>> [(h.signal, h.word) for h in lexicon.hits("交付決定")]
        [('legal_authority', '交付決定')]
        >>> [(h.signal, h.word) for h in lexicon.hits("Decide and 交付")]
        [('face_to_face', '交付'), ('legal_authority', 'decid')]
        """
        known = self._memo.get(text)
        if known is not None:
            return known
        found: list[Hit] = []
        for lang, normalised in (("ja", normalize_name(text)), ("en", normalize_spaced(text))):
            candidates = [
                Hit(p.signal, p.word, lang, m.start(), m.end(), p.source)
                for p in self.patterns
                if p.lang == lang
                for m in p.regex.finditer(normalised)
            ]
            found.extend(h for h in candidates if not _shadowed(h, candidates))
        # Every field in the key: the same word may come from two sources (the reviewed lexicon and a
        # profile), and a set's order changes from run to run (string hashing), so ties must not be left to it.
        hits = tuple(sorted(set(found), key=lambda h: (h.lang != "ja", h.start, h.signal, h.word, h.end, h.source)))
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[text] = hits
        return hits

    def words(self, text: str, signal: str) -> tuple[str, ...]:
        """Words of one signal found in the text (after shadowing), in order, without repeats."""
        return tuple(dict.fromkeys(h.word for h in self.hits(text) if h.signal == signal))

    def matches(self, text: str, signal: str) -> bool:
        """True when a word of the signal is in the text."""
        return bool(self.words(text, signal))


def _shadowed(hit: Hit, others: Iterable[Hit]) -> bool:
    """True when a longer word covers this one."""
    return any(
        o.start <= hit.start and hit.end <= o.end and (o.end - o.start) > (hit.end - hit.start) for o in others
    )


def compile_lexicon(lists: Mapping[str, WordList]) -> Lexicon:
    """Compile the profile's word lists.

    Japanese words are normalised like names; English words become a
    word-start regex with flexible spacing (``hand over`` ≈ ``hand-over``).
    """
    return compile_words(
        Word(signal, word, lang, word_list.source)
        for signal, word_list in sorted(lists.items())
        for lang, words in (("ja", word_list.ja), ("en", word_list.en))
        for word in words
    )


@dataclass(frozen=True, slots=True)
class Word:
    """One entry of a word list, with its own source (the reviewed legal lexicon keeps one per entry)."""

    signal: str
    """Which list it belongs to."""
    word: str
    """The word as written."""
    lang: str
    """``ja`` or ``en``."""
    source: str = ""
    """Where it comes from."""


def compile_words(words: Iterable[Word]) -> Lexicon:
    """Compile single entries (see :func:`compile_lexicon` for the matching rules).

    >>> lexicon = compile_words([Word("authority", "許可", "ja", "s1"), Word("factual", "許可証", "ja", "s2")])
    >>> [(h.signal, h.word, h.source) for h in lexicon.hits("火葬許可証交付")]
    [('factual', '許可証', 's2')]

    Compiled once per process for each distinct list of words (keyed by the words themselves, so a changed
    word, signal, language or source gives a new lexicon): the procedure catalogue's aliases were compiled
    again for every flow, and each new lexicon started with an empty memo of names.
    """
    return _compiled(tuple(words))


@lru_cache(maxsize=64)
def _compiled(words: tuple[Word, ...]) -> Lexicon:
    patterns: list[_Pattern] = []
    for entry in words:
        if entry.lang == "ja":
            key = normalize_name(entry.word)
            if key:
                # An ASCII token in a Japanese list (CS, J-LIS) must not match inside a word (docs).
                guard = r"(?<![a-z0-9])" if key.isascii() else ""
                patterns.append(_Pattern(entry.signal, entry.word, "ja", re.compile(guard + re.escape(key)),
                                         entry.source))
        else:
            parts = [re.escape(p) for p in normalize_spaced(entry.word).split(" ") if p]
            if parts:
                regex = re.compile(r"(?<![a-z0-9])" + r"[\s\-]*".join(parts))
                patterns.append(_Pattern(entry.signal, entry.word, "en", regex, entry.source))
    return Lexicon(tuple(patterns))
