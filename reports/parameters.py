"""Every scoring-profile parameter in words: a label, what it does, and its unit, in Japanese and English.

The 前提条件 page and the 前提条件 sheet of the exports list about 190 profile
keys; a 課長 asked "on what assumptions?" cannot answer with
``queue.counter_idle_freed_share``.  The words live in
``reports/parameters.toml`` (one table per key) so they can be reworded
without code, and a test fails when a key of the default profile has none,
so a new parameter cannot slip in undescribed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reports.i18n import LANGS, Bilingual

_FILE = Path(__file__).resolve().with_name("parameters.toml")


@dataclass(frozen=True, slots=True)
class ParameterText:
    """One parameter in words."""

    label: Bilingual
    """Short name (the row heading)."""
    meaning: Bilingual
    """What the value does, in one sentence."""
    unit: Bilingual
    """Unit of the value (円, 分, 割合（0〜1）, はい/いいえ…)."""


def _pair(table: Mapping[str, object], field: str, key: str) -> Bilingual:
    pair = table.get(field)
    if not isinstance(pair, Mapping) or not all(isinstance(pair.get(lang), str) and pair[lang] for lang in LANGS):
        raise ValueError(f"{_FILE.name}: [{key!r}] needs {field} = {{ ja = …, en = … }}, both non-empty")
    return Bilingual(str(pair["ja"]), str(pair["en"]))


@cache
def parameter_texts() -> Mapping[str, ParameterText]:
    """All described parameters by dotted profile key (read once per process)."""
    data = tomllib.loads(_FILE.read_text(encoding="utf-8"))
    return {key: ParameterText(_pair(table, "label", key), _pair(table, "meaning", key), _pair(table, "unit", key))
            for key, table in data.items()}


def describe(key: str) -> ParameterText | None:
    """The words for ``key``, or None for a key not described (a user's profile may carry extra keys).

    >>> describe("queue.target_wait_minutes").unit.ja
    '分'
    """
    return parameter_texts().get(key)
