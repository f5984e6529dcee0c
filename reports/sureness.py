""""How sure are we?" — the top page's answer, as a view model.

A 課長 deciding a contract needs to see, before any yen figure, how much of it
rests on what the city measured and how much on defaults and estimates.  This
module gathers three things the assessment already holds and the top page did
not show:

* the share of the portfolio's staff hours whose minutes and case counts were
  measured (survey, BPMN property, ``--cases``) versus taken from defaults;
* every profile parameter marked 要設定 (a placeholder the city must replace)
  and every estimated money parameter (推計) that moves the 財政効果, each
  linking to where it is listed and set (the 前提条件 page);
* the cash flow lines of the money model, split into gross saving, new cost
  and net, exactly as the money model computed them (only summed by sign).

It computes no new figure: shares are sums of the steps' hours by the source
the scoring recorded, and money lines are summed as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reports.format import Quantity, fte_ja, hours_ja, money, number
from reports.i18n import Bilingual
from scoring.result import Assessment, EvidenceSource, MoneyLine, StepAssessment

__all__ = [
    "CashLine", "HourShare", "ParamFlag", "SurenessView", "hour_basis", "param_anchor", "param_label",
    "parameter_basis", "placeholder_keys", "sureness",
]

MEASURED = frozenset({EvidenceSource.SURVEY, EvidenceSource.PROPERTY, EvidenceSource.USER})
"""Sources that are the city's own figures (the survey, a BPMN property, ``--cases``)."""

PLACEHOLDER_MARK = "要設定"
"""How the profile marks a value the city must replace."""


@dataclass(frozen=True, slots=True)
class HourShare:
    """One slice of the portfolio's hours by how they were measured."""

    key: str
    """``measured``, ``partly`` or ``default`` (CSS class suffix)."""
    label: Bilingual
    """What the slice is."""
    hours: Quantity
    """Hours a year in the slice."""
    percent: int
    """Share of all hours, 0–100 (rounded)."""
    steps: int
    """Steps in the slice."""


@dataclass(frozen=True, slots=True)
class ParamFlag:
    """A parameter the figures rest on that is a placeholder or an estimate."""

    key: str
    """Dotted profile key (where to set it in a profile file)."""
    label: Bilingual
    """What it is, in words."""
    value: str
    """Value used (and range), as the profile states it."""
    placeholder: bool
    """True for 要設定 (must be replaced), False for 推計 (an estimate with a range)."""
    href: str
    """Its row on the 前提条件 page."""
    partly: bool = False
    """True when the value is read in a source but part of it (usually its range) is an estimate."""

    @property
    def flag(self) -> Bilingual:
        """The chip text."""
        if self.placeholder:
            return Bilingual("要設定", "set me")
        return Bilingual("一部推計", "partly estimated") if self.partly else Bilingual("推計", "estimate")


@dataclass(frozen=True, slots=True)
class CashLine:
    """One cash flow line summed over the horizon (undiscounted)."""

    label: Bilingual
    """Line name from the money model."""
    total: Quantity
    """Yen over the horizon (+ saving, − cost)."""


@dataclass(frozen=True, slots=True)
class SurenessView:
    """The "how sure" section of the top page."""

    shares: tuple[HourShare, ...]
    """Measured / partly measured / default hours."""
    summary: Bilingual
    """One sentence: the measured share and what it means."""
    flags: tuple[ParamFlag, ...]
    """要設定 first, then 推計 money parameters by how far they move the figure."""
    gains: tuple[CashLine, ...]
    """Saving lines (positive)."""
    costs: tuple[CashLine, ...]
    """New cost lines (negative)."""
    gross: Quantity
    """Sum of the saving lines."""
    new_cost: Quantity
    """Sum of the cost lines (negative)."""
    net: Quantity
    """gross + new cost."""
    horizon: int
    """Years the lines cover (0 without the money stage)."""


def hour_basis(step: StepAssessment) -> str:
    """``measured`` when both the minutes and the count are the city's figures, ``partly`` for one, else ``default``.

    The count is measured when the survey gives the step's 件数, or when the
    flow's annual cases are measured (visits then follow from the diagram).
    """
    sources = step.data_sources
    minutes = sources.get("minutes_per_case") in MEASURED
    count = sources.get("annual_count") in MEASURED or sources.get("annual_cases") in MEASURED
    if minutes and count:
        return "measured"
    return "partly" if minutes or count else "default"


_SHARE_LABELS = {
    "measured": Bilingual("実測（処理時間も件数も調査票・BPMN）", "Measured (minutes and counts from survey/BPMN)"),
    "partly": Bilingual("一部推計（処理時間か件数が既定値）", "Partly estimated (minutes or counts default)"),
    "default": Bilingual("推計（処理時間も件数も既定値）", "Estimated (minutes and counts from defaults)"),
}


def _shares(steps: Sequence[StepAssessment]) -> tuple[HourShare, ...]:
    total = sum(s.cost.hours_per_year for s in steps)
    shares = []
    for key, label in _SHARE_LABELS.items():
        chosen = [s for s in steps if hour_basis(s) == key]
        hours = sum(s.cost.hours_per_year for s in chosen)
        shares.append(HourShare(key, label, number(hours), round(100 * hours / total) if total > 0 else 0,
                                len(chosen)))
    return tuple(shares)


def param_anchor(key: str) -> str:
    """HTML id of a parameter's row on the 前提条件 page.

    >>> param_anchor("staff.kaikei.hourly_wage")
    'param-staff-kaikei-hourly_wage'
    """
    return "param-" + "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "-" for ch in key)


def param_label(key: str) -> Bilingual:
    """The parameter in words (reports/parameters.toml); the dotted key itself when not described."""
    from reports.parameters import describe

    described = describe(key)
    return described.label if described is not None else Bilingual.same(key)


def placeholder_keys(sources: Mapping[str, str]) -> list[str]:
    """Profile keys whose source note marks them 要設定, in key order."""
    return sorted(key for key, note in sources.items() if PLACEHOLDER_MARK in note)


def parameter_basis(note: str) -> str:
    """How sure a profile value is, from the tags of its source note.

    ``placeholder`` (要設定), ``setting`` (a choice of the report), ``read``
    (read in a source [R] or derived from read figures [D]), ``mixed`` (read,
    but part of it — usually the range — is an assumption [I]/[est]) or
    ``estimate`` (no source).  ``mixed`` and ``estimate`` are what the money
    model counts as estimated.

    >>> parameter_basis("1,000 — [I] 要設定: placeholder"), parameter_basis("0.1 — 貝塚市 (K12) [D]")
    ('placeholder', 'read')
    >>> parameter_basis("5 — [setting] horizon"), parameter_basis("3 — [I] middle of 0.5–10 min [est]")
    ('setting', 'estimate')
    >>> parameter_basis("1,150 (950–1,300) — 951円/h (K17) [R]; 2024–25 level [I]")
    'mixed'
    """
    source = note.split(" — ", 1)[-1]
    if PLACEHOLDER_MARK in source:
        return "placeholder"
    if "[setting]" in source:
        return "setting"
    sourced = "[R]" in source or "[D]" in source
    assumed = "[I]" in source or "[est]" in source
    if sourced and assumed:
        return "mixed"
    return "read" if sourced else "estimate"


def _value(note: str) -> str:
    """The value part of a profile source note (``value (low–high) — source``)."""
    return note.split(" — ", 1)[0].strip()


def _flags(assessment: Assessment) -> tuple[ParamFlag, ...]:
    sources = assessment.profile_sources
    flags = [ParamFlag(key, param_label(key), _value(sources[key]), True, f"assumptions.html#{param_anchor(key)}")
             for key in placeholder_keys(sources)]
    seen = {flag.key for flag in flags}
    if assessment.money is not None:
        for bar in assessment.money.tornado:
            if bar.estimated and bar.key not in seen:
                seen.add(bar.key)
                note = sources.get(bar.key, "")
                value = _value(note) or f"{bar.low_value:g}–{bar.high_value:g}"
                flags.append(ParamFlag(bar.key, param_label(bar.key), value, False,
                                       f"assumptions.html#{param_anchor(bar.key)}", parameter_basis(note) == "mixed"))
    return tuple(flags)


def _line(line: MoneyLine) -> CashLine:
    return CashLine(Bilingual(line.ja, line.en), money(line.total))


def _summary(shares: Sequence[HourShare], total_hours: float, hours_per_fte: float) -> Bilingual:
    measured = next(s for s in shares if s.key == "measured")
    fte = total_hours / hours_per_fte if hours_per_fte > 0 else 0.0
    return Bilingual(
        f"年間業務時間{hours_ja(total_hours)}（{fte_ja(fte)}）のうち、処理時間と件数の両方が実測の手順は"
        f"{measured.percent}%です。残りは既定値・推計を含み、調査票で実測すれば確度が上がります。",
        f"{measured.percent}% of the {total_hours:,.0f} staff hours a year ({fte:,.1f} FTE) rest on measured "
        "minutes and counts; the rest uses defaults or estimates, which a survey would replace.",
    )


def sureness(assessment: Assessment) -> SurenessView:
    """The "how sure" section from the assessment as computed."""
    steps = [s for p in assessment.processes for s in p.steps]
    shares = _shares(steps)
    summary = assessment.money
    lines = summary.lines if summary is not None else ()
    gains = [line for line in lines if line.total > 0]
    costs = [line for line in lines if line.total < 0]
    gross = sum(line.total for line in gains)
    new_cost = sum(line.total for line in costs)
    hours_per_fte = summary.hours_per_fte if summary is not None else 1920.0
    return SurenessView(
        shares=shares,
        summary=_summary(shares, assessment.totals.hours_per_year, hours_per_fte),
        flags=_flags(assessment),
        gains=tuple(_line(line) for line in gains),
        costs=tuple(_line(line) for line in costs),
        gross=money(gross),
        new_cost=money(new_cost),
        net=money(gross + new_cost),
        horizon=summary.horizon_years if summary is not None else 0,
    )
