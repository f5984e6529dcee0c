"""The data-quality summary ``bpm score`` and ``bpm scan`` print: survey mistakes first, then what rests on defaults.

A typo in a header or a 業務 name does not stop a run (the rest of the sheet is
good), but it silently moves the headline — a header 処理時問(分) puts every
step on default minutes.  So the summary lists every *mistake in the sheet*
(a row or column that was not used as written) one per line with its
"did you mean", lists every other notice that changes a figure (a --cases
value typed for this run replacing the BPMN's, a flow whose visits could
not be solved, hand-offs that failed the check), and only counts the gaps
that are a plain consequence of missing data (a step without a survey row,
default minutes).  One function for
both commands, so the terminal says the same whichever is run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from scoring.result import DataGap

SHEET_MISTAKES = frozenset({
    "unknown-column", "unmatched-row", "unmatched-id", "ambiguous-row", "duplicate-row", "unused-row",
    "formula-without-value", "legal-basis-without-class", "staff-type", "unmatched-cases", "bad-property",
})
"""Gap kinds that mean something written was not used as written: each is listed, never only counted."""

COUNTED_ONLY = frozenset({"no-data", "default-minutes", "default-volume", "not-surveyed"})
"""Gap kinds that are the plain consequence of data not given: counted, not listed one by one, and not a
reason for ``--strict`` to stop — a sheet from ``bpm survey`` filled for some 業務 and left as generated for
the rest (``not-surveyed`` rows, the defaults they leave in place) is incomplete, not wrong."""


@dataclass(frozen=True, slots=True)
class DataQuality:
    """What the summary says."""

    mistakes: tuple[DataGap, ...]
    """Gaps of :data:`SHEET_MISTAKES` kinds, in the order found."""
    listed: tuple[DataGap, ...]
    """Every gap not of a :data:`COUNTED_ONLY` kind (the mistakes and the other notices), in the order found."""
    counts: tuple[tuple[str, int], ...]
    """Every gap kind with its number, most frequent first (ties by name)."""
    total: int
    """Number of gaps."""


def data_quality(gaps: Iterable[DataGap]) -> DataQuality:
    """Sort the gaps into listed mistakes and counted consequences.

    >>> q = data_quality([DataGap("no-data", "a", "f.bpmn"), DataGap("unknown-column", "b", "s.csv", 1),
    ...                   DataGap("no-data", "c", "f.bpmn")])
    >>> [g.message for g in q.mistakes], q.counts, q.total
    (['b'], (('no-data', 2), ('unknown-column', 1)), 3)
    """
    every = list(gaps)
    counts = Counter(g.kind for g in every)
    ordered = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return DataQuality(tuple(g for g in every if g.kind in SHEET_MISTAKES),
                       tuple(g for g in every if g.kind not in COUNTED_ONLY), ordered, len(every))


def gap_line(gap: DataGap, message: str | None = None) -> str:
    """``file:line: message [id=…]``, the format of every other message (``message``: the gap in other words).

    >>> gap_line(DataGap("unmatched-row", "row 4 …", "survey.csv", 4, "T1"))
    'survey.csv:4: row 4 … [id=T1]'
    """
    text = gap.message if message is None else message
    where = f"{gap.file}:{gap.line}" if gap.line is not None else gap.file
    ident = f" [id={gap.element_id}]" if gap.element_id and f"{gap.element_id}" not in text else ""
    return f"{where}: {text}{ident}"


@dataclass(frozen=True, slots=True)
class SummaryWords:
    """How the summary is worded: one language, with the gap sentences and kind names the caller has.

    (The report layer holds the Japanese sentences of every gap kind; scoring does not import it.)
    """

    lang: str
    """``ja`` or ``en``."""
    gap: Callable[[DataGap], str]
    """One gap as a sentence."""
    kind: Callable[[str], str]
    """A gap kind in words."""


_TOTALS = {
    "ja": ("データの不足: {total}（{counts}）; 調査票の記入の誤り: {mistakes}", "データの不足: なし", "なし", "、"),
    "en": ("data gaps: {total} ({counts}); mistakes in the sheet: {mistakes}", "data gaps: none", "none", ", "),
}


def summary_lines(quality: DataQuality, *, every_gap: Sequence[DataGap] = (),
                  words: SummaryWords | None = None) -> list[str]:
    """The summary as lines: one per listed gap (or per gap, when ``every_gap`` is given), then the counts.

    Without ``words`` both languages side by side; with them, one language (the CLI's).

    >>> q = data_quality([DataGap("no-data", "T: no survey row", "f.bpmn", 3)])
    >>> summary_lines(q)
    ['データの不足 / data gaps: 1 (no-data 1); 調査票の記入の誤り / mistakes in the sheet: none']
    >>> summary_lines(q, words=SummaryWords("ja", lambda g: g.message, lambda k: "実測データのない手順"))
    ['データの不足: 1（実測データのない手順 1）; 調査票の記入の誤り: なし']
    """
    if words is not None:
        return _worded(quality, every_gap, words)
    if quality.total == 0:
        return ["データの不足 / data gaps: none"]
    listed = every_gap or quality.listed
    lines = [gap_line(g) for g in listed]
    counts = ", ".join(f"{kind} {number}" for kind, number in quality.counts)
    mistakes = str(len(quality.mistakes)) if quality.mistakes else "none"
    lines.append(f"データの不足 / data gaps: {quality.total} ({counts}); "
                 f"調査票の記入の誤り / mistakes in the sheet: {mistakes}")
    return lines


def _worded(quality: DataQuality, every_gap: Sequence[DataGap], words: SummaryWords) -> list[str]:
    total, nothing, none, comma = _TOTALS["en" if words.lang == "en" else "ja"]
    if quality.total == 0:
        return [nothing]
    lines = [gap_line(g, words.gap(g)) for g in (every_gap or quality.listed)]
    counts = comma.join(f"{words.kind(kind)} {number}" for kind, number in quality.counts)
    mistakes = str(len(quality.mistakes)) if quality.mistakes else none
    lines.append(total.format(total=quality.total, counts=counts, mistakes=mistakes))
    return lines
