""""Did you mean …?" for names typed by hand into a survey sheet.

A sheet is typed by people: a header 処理時問(分) for 処理時間(分), a 業務 「転入屆」
for 「転入届」.  The scanner never guesses a match (a wrong guess would move
hours silently), but it names the closest known spelling so that the fix is
one edit.  Closeness is the normalised Levenshtein distance (edits divided by
the longer length, from rapidfuzz) between the two names after NFKC, case
folding and removal of all whitespace, so width and spacing never count as a
difference.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

MAX_DISTANCE = 0.5
"""Largest normalised distance still suggested: half the letters may differ (判定 → 判断 is 0.5)."""

MAX_SUGGESTIONS = 3
"""At most this many names, closest first."""


def comparable(text: str) -> str:
    """The form names are compared in: NFKC, case-folded, without whitespace.

    >>> comparable("Ｓｔｅｐ　ＩＤ "), comparable("処理時間（分）")
    ('stepid', '処理時間(分)')
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def suggestions(typed: str, known: Iterable[str], *, limit: int = MAX_SUGGESTIONS) -> tuple[str, ...]:
    """Known names close to ``typed``, closest first (ties in the order given); none when nothing is close.

    Names equal to ``typed`` after normalisation are left out (they would have
    matched), and so is every name that differs in more than half its letters.

    >>> suggestions("処理時問(分)", ["処理時間(分)", "件数", "例外率"])
    ('処理時間(分)',)
    >>> suggestions("担当者", ["件数", "例外率"])
    ()
    """
    key = comparable(typed)
    if not key:
        return ()
    scored: dict[str, float] = {}
    for name in known:
        other = comparable(name)
        if not other or other == key or name in scored:
            continue
        distance = Levenshtein.normalized_distance(key, other)
        if distance <= MAX_DISTANCE:
            scored[name] = distance
    ranked = sorted(scored.items(), key=lambda item: item[1])  # stable: ties keep the given order
    return tuple(name for name, _ in ranked[:limit])


def did_you_mean(typed: str, known: Iterable[str]) -> str:
    """A message suffix naming the closest spellings, Japanese first; empty when nothing is close.

    >>> did_you_mean("転入屆", ["転入届", "転出届"])
    ' — 「転入届」のことですか？ / did you mean 転入届?'
    >>> did_you_mean("xyz", ["転入届"])
    ''
    """
    found = suggestions(typed, known)
    if not found:
        return ""
    ja = "・".join(f"「{name}」" for name in found)
    en = " or ".join(found)
    return f" — {ja}のことですか？ / did you mean {en}?"
