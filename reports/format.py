"""How numbers, money, hours and times read on the pages: the one formatting module of the site.

Why one module: a 課長 quotes these figures, and the same figure must read the
same on every page (the top page, 候補一覧, 財政効果, the flow pages).  The
Japanese conventions follow what a municipal report prints: 時間 rather than
"h", 人工 for staff-years, ▲ for a negative amount of yen, 円 / 万円 / 億円 with
thousands separators, no half-width space between a number and the Japanese
word around it, and times in Japan Standard Time.  English keeps its own
style (¥12.3M, 12 h, FTE, UTC offsets named).

View models (:mod:`reports.views`, :mod:`reports.money_views`) call these;
templates never format numbers.  ``ja_spacing`` is also a Jinja filter, so
catalogue sentences with a placeholder next to Japanese read tight even when
a number comes from elsewhere.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from markupsafe import Markup

from reports.i18n import Bilingual

__all__ = [
    "DASH",
    "JST",
    "MINUS_JA",
    "Quantity",
    "file_size",
    "finite",
    "fte_ja",
    "hours_ja",
    "ja_spacing",
    "jst_time",
    "missing",
    "money",
    "months",
    "number",
    "sort_key",
    "with_unit",
    "yen_en",
    "yen_ja",
]

JST = timezone(timedelta(hours=9), "JST")
"""Japan Standard Time (no daylight saving)."""

MINUS_JA = "▲"
"""The sign Japanese budget documents put before a negative amount (▲1,235万円)."""

DASH = Bilingual.same("—")
"""Shown where there is no value."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as shown in each language, plus the raw value tables sort by."""

    text: Bilingual
    """Formatted text (usually the same in both languages)."""
    sort: str
    """Raw value for ``data-sort``; empty when there is no value (sorted last)."""


def missing() -> Quantity:
    """No value: a dash, sorted last."""
    return Quantity(DASH, "")


def finite(value: float | None) -> bool:
    """True for a real number (not None, NaN or infinite)."""
    return value is not None and not math.isnan(value) and not math.isinf(value)


def sort_key(value: float) -> str:
    """The raw value for ``data-sort``: up to six decimals, no trailing zeros.

    >>> sort_key(1.5), sort_key(-0.0000001), sort_key(2.0)
    ('1.5', '0', '2')
    """
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _grouped(value: float, decimals: int) -> str:
    """``12,346``; a value that rounds to zero never shows a sign."""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and set(text[1:]) <= {"0", ".", ","}:
        text = text[1:]
    return text


def number(value: float | None, decimals: int = 0) -> Quantity:
    """A plain number with thousands separators.

    >>> number(12345.678).text.ja, number(0.5, 2).sort
    ('12,346', '0.5')
    """
    if value is None or not finite(value):
        return missing()
    return Quantity(Bilingual.same(_grouped(value, decimals)), sort_key(value))


def yen_ja(value: float) -> str:
    """Japanese money style: 円 / 万円 / 億円 with separators, ▲ before a negative amount.

    >>> yen_ja(12_345_678), yen_ja(250_000_000), yen_ja(3_000), yen_ja(-13_290_000)
    ('1,235万円', '2.50億円', '3,000円', '▲1,329万円')
    """
    amount = abs(value)
    if amount >= 1e8:
        text = f"{amount / 1e8:,.2f}億円"
    elif amount >= 1e4:
        text = f"{amount / 1e4:,.0f}万円"
    else:
        text = f"{amount:,.0f}円"
    return f"{MINUS_JA}{text}" if value < 0 and text not in ("0円", "0万円") else text


def yen_en(value: float) -> str:
    """English money style with k/M/B.

    >>> yen_en(12_345_678), yen_en(250_000_000_0), yen_en(3_000), yen_en(-13_290_000)
    ('¥12.3M', '¥2.50B', '¥3k', '-¥13.3M')
    """
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if amount >= 1e9:
        return f"{sign}¥{amount / 1e9:,.2f}B"
    if amount >= 1e6:
        return f"{sign}¥{amount / 1e6:,.1f}M"
    if amount >= 1e3:
        return f"{sign}¥{amount / 1e3:,.0f}k"
    return f"{sign}¥{amount:,.0f}" if amount >= 0.5 else "¥0"


def money(value: float | None) -> Quantity:
    """Yen in both languages' conventions."""
    if value is None or not finite(value):
        return missing()
    if abs(value) < 0.5:
        value = 0.0
    return Quantity(Bilingual(yen_ja(value), yen_en(value)), sort_key(value))


def hours_ja(value: float, decimals: int = 0) -> str:
    """Hours in Japanese: ``2,315時間`` (never "h", no space).

    >>> hours_ja(2315.4), hours_ja(-12.5, 1)
    ('2,315時間', '▲12.5時間')
    """
    text = _grouped(abs(value), decimals)
    return f"{MINUS_JA if value < 0 and text.strip('0.,') else ''}{text}時間"


def fte_ja(value: float, decimals: int = 1) -> str:
    """Staff-years in Japanese: ``1.2人工`` (the unit municipal 業務量調査 use, not 人分).

    >>> fte_ja(1.234), fte_ja(25.5, 2)
    ('1.2人工', '25.50人工')
    """
    return f"{_grouped(value, decimals)}人工"


def months(value: float | None) -> Quantity:
    """Payback period; None means it never pays back."""
    if value is None or not finite(value):
        return Quantity(Bilingual.of("unit.never"), "")
    return Quantity(Bilingual.of("unit.months", n=f"{value:,.0f}"), sort_key(value))


def with_unit(value: float | None, unit_key: str, decimals: int = 0) -> Bilingual:
    """``12,345時間`` / ``12,345 h`` for headline figures."""
    if value is None or not finite(value):
        return DASH
    return Bilingual.of(unit_key, n=_grouped(value, decimals))


def file_size(size: int) -> str:
    """Bytes in human units.

    >>> file_size(999), file_size(2048), file_size(3 * 1024 * 1024)
    ('999 B', '2.0 KB', '3.0 MB')
    """
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def jst_time(moment: datetime) -> str:
    """A build or version time as the pages show it: Japan time, named (a naive moment is UTC).

    >>> jst_time(datetime(2025, 3, 31, 15, 30, tzinfo=UTC))
    '2025-04-01 00:30 JST'
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(JST).strftime("%Y-%m-%d %H:%M JST")


_WIDE = r"\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60"
"""Japanese punctuation, kana, kanji and full-width forms: what a number sits next to in Japanese text."""
_BEFORE_NUMBER = re.compile(rf"(?<=[{_WIDE}]) +(?=[{MINUS_JA}¥+\-]?\d)")
_AFTER_NUMBER = re.compile(rf"(?<=[\d%]) +(?=[{_WIDE}])")
_AROUND_WIDE_MINUS = re.compile(rf"(?<=[{_WIDE}]) +(?={MINUS_JA})")
_MINUS_YEN = re.compile(r"(?<![\w.,])-(?=\d[\d,.]*[万億]?円)")


def ja_spacing(text: str) -> str:
    """Japanese text without the half-width spaces English puts around numbers, and ▲ for negative yen.

    Only a run of spaces between a number and a Japanese character goes; spaces
    between Latin words (``legal.overrides の``) and inside names stay.  A yen
    amount written with a hyphen minus by a lower layer (the scoring's reasons)
    gets the ▲ a Japanese budget table uses.

    >>> ja_spacing("年間 2,315 時間（約 1.2 人工）")
    '年間2,315時間（約1.2人工）'
    >>> ja_spacing("定数削減 1 ポスト・回収 46 か月、範囲 ▲1,329万円〜678万円")
    '定数削減1ポスト・回収46か月、範囲▲1,329万円〜678万円'
    >>> ja_spacing("最も良くても -1,863万円、範囲 -2.38億円〜-500円")
    '最も良くても▲1,863万円、範囲▲2.38億円〜▲500円'
    >>> ja_spacing("H25 民一317号 と legal.overrides の上書き")
    'H25民一317号 と legal.overrides の上書き'
    """
    tight = _MINUS_YEN.sub(MINUS_JA, str(text))
    tight = _AFTER_NUMBER.sub("", _AROUND_WIDE_MINUS.sub("", _BEFORE_NUMBER.sub("", tight)))
    return Markup(tight) if isinstance(text, Markup) else tight  # markup stays markup: spaces are not tags
