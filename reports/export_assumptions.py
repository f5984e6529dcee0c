"""The 前提条件 sheet of the results workbook: every parameter with its value, unit, source and 推計/出典.

A 課長 who quotes a figure from the workbook is asked "on what assumptions?";
the answer has to travel with the file, not only live on the report site.
The assessment carries each profile parameter as the note the profile loader
wrote (``value (low–high) — source``); this module splits it back into cells
and classes each source the way the money model does
(:attr:`scoring.money_params.Estimate.estimated`): a figure marked ``[I]``,
``[est]`` or 要設定 is an estimate, ``[D]`` is derived from sources, ``[R]`` is
read from a source, ``[setting]`` is a choice of the report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reports.export_columns import Lang
from reports.i18n import t_or
from reports.parameters import describe
from scoring.money_params import Estimate
from scoring.result import Assessment

__all__ = ["AssumptionRow", "ProfileNote", "assumption_rows", "parameter_unit", "profile_note", "source_class"]

_NUMBER = r"-?[\d,]*\.?\d+(?:e[-+]?\d+)?"
_VALUE = re.compile(rf"^(?P<base>{_NUMBER})(?: \((?P<low>{_NUMBER})–(?P<high>{_NUMBER})\))?$")


@dataclass(frozen=True, slots=True)
class ProfileNote:
    """One profile parameter as its note reads."""

    value: float | str
    """The value used (a number, or the text of a switch or a word list)."""
    low: float | None
    """Low end of its range, when it has one."""
    high: float | None
    """High end of its range, when it has one."""
    source: str
    """Where it comes from, as the profile says."""


def profile_note(note: str) -> ProfileNote:
    """Split a note of :attr:`Assessment.profile_sources` (``value (low–high) — source``).

    >>> profile_note("0.03 (0.01–0.05) — [I] yearly rise")
    ProfileNote(value=0.03, low=0.01, high=0.05, source='[I] yearly rise')
    >>> profile_note("1,920 — 宇城市 [D]").value, profile_note("true — K53 [R]").value
    (1920.0, 'true')
    """
    shown, _, source = note.partition(" — ")
    found = _VALUE.match(shown.strip())
    if found is None:
        return ProfileNote(shown.strip(), None, None, source.strip())

    def number(text: str | None) -> float | None:
        return float(text.replace(",", "")) if text else None

    base = number(found["base"])
    assert base is not None
    return ProfileNote(base, number(found["low"]), number(found["high"]), source.strip())


_CLASSES = {
    "setting": ("設定", "setting"),
    "unset": ("推計（要設定）", "estimate (to be set)"),
    "estimate": ("推計", "estimate"),
    "derived": ("出典から算出", "derived from sources"),
    "sourced": ("出典", "sourced"),
    "none": ("出典の記載なし", "no source given"),
}


def source_class(key: str, source: str, lang: Lang) -> str:
    """推計 / 出典 / 出典から算出 / 設定 of a parameter, from its source note.

    >>> [source_class("k", s, "ja") for s in ("[I] guess", "K9 [D]", "K57 [R]", "[setting] horizon", "[I] 要設定")]
    ['推計', '出典から算出', '出典', '設定', '推計（要設定）']
    """
    if "要設定" in source:
        kind = "unset"
    elif Estimate(key, 0.0, 0.0, 0.0, source).estimated:
        kind = "estimate"
    elif "[setting]" in source:
        kind = "setting"
    elif "[D]" in source:
        kind = "derived"
    elif source:
        kind = "sourced"
    else:
        kind = "none"
    ja, en = _CLASSES[kind]
    return ja if lang == "ja" else en


_UNIT_EXACT = {
    "staff.overtime_rate": ("円/時間", "yen/hour"),
    "staff.kaikei.hourly_wage": ("円/時間", "yen/hour"),
    "outsource.seat_hour_price": ("円/時間", "yen/hour"),
    "cost.staff_yen_per_hour": ("円/時間", "yen/hour"),
    "rpa.ocr_yen_per_page": ("円/枚", "yen/page"),
    "staff.kaikei.bonus_months": ("か月分", "months' pay"),
    "cashflow.transition_year": ("年度目", "year no."),
    "rpa.migration_year": ("年度目", "year no."),
    "queue.open_days_per_year": ("日/年", "days/year"),
    "handoff.max_per_case": ("回/件", "per case"),
    "volume.default_annual_cases": ("件/年", "cases/year"),
    "rpa.rebuild_on_cutover": ("割合", "share"),
    "queue.service_level": ("割合", "share"),
    "queue.shrinkage": ("割合", "share"),
    "staff.indirect_overhead": ("割合", "share"),
    "staff.regular.taishoku_rate_on_kyuryo": ("割合", "share"),
    "volume.count_mismatch_tolerance": ("割合", "share"),
    "rpa.robot_hours_per_year": ("時間/年", "hours/year"),
    "working.hours_per_fte": ("時間/人工", "hours/FTE"),
}
_UNIT_RULES: tuple[tuple[str, tuple[str, str]], ...] = (
    (r"(_yen|_per_fte|_per_robot_year|_per_year|_per_scenario|_terminal_yen)$", ("円", "yen")),
    (r"^minutes\.|_minutes$", ("分", "minutes")),
    (r"_months$", ("か月", "months")),
    (r"_years$", ("年", "years")),
    (r"(_rate|_share|_ratio|_escalation)$|^queue\.hour_share\.|\.reduction_", ("割合", "share")),
    (r"_factor$|_premium$|_productivity$", ("倍", "times")),
    (r"hours", ("時間", "hours")),
    (r"fte", ("人工", "FTE")),
    (r"^(weights|penalties|signals|signal|thresholds|confidence|defaults)\.", ("0〜1", "0–1")),
)


def parameter_unit(key: str, lang: Lang) -> str:
    """The unit of a profile parameter, from its name (empty when it has none: switches, words, counts).

    Described keys take the unit of reports/parameters.toml; a key a user's profile adds falls back
    to the rules on its name.

    >>> [parameter_unit(k, "ja") for k in ("rpa.licence_per_robot_year", "queue.target_wait_minutes",
    ...                                    "cashflow.discount_rate", "weights.rpa.routine", "lots.grouping")]
    ['円/年', '分', '割合（年率）', '重み（0〜1）', '選択肢']
    >>> [parameter_unit(k, "en") for k in ("extra.build_yen", "extra.wait_minutes", "extra.words")]
    ['yen', 'minutes', '']
    """
    described = describe(key)
    if described is not None:
        return described.unit.ja if lang == "ja" else described.unit.en
    pair = _UNIT_EXACT.get(key)
    if pair is None:
        pair = next((unit for pattern, unit in _UNIT_RULES if re.search(pattern, key)), ("", ""))
    return pair[0] if lang == "ja" else pair[1]


@dataclass(frozen=True, slots=True)
class AssumptionRow:
    """One row of the 前提条件 sheet."""

    group: str
    """What the row belongs to (実行条件, the profile table, 財政効果の前提)."""
    parameter: str
    """Dotted profile key, or the name of the run fact."""
    label: str
    """The parameter in words (reports/parameters.toml); empty for run facts and money assumptions."""
    meaning: str
    """What the value does, in one sentence."""
    value: float | str | None
    """The value used."""
    low: float | None
    """Low end of its range."""
    high: float | None
    """High end of its range."""
    unit: str
    """Unit (円, 時間, 割合, …)."""
    kind: str
    """推計 / 出典 / 出典から算出 / 設定."""
    source: str
    """The source note, or the assumption in words."""


_HEAD = {
    "ja": ("区分", "パラメータ", "名称", "意味", "値", "下限", "上限", "単位", "推計/出典", "出典・根拠"),
    "en": ("Group", "Parameter", "Name", "Meaning", "Value", "Low", "High", "Unit", "Estimate/source", "Source"),
}


def assumption_head(lang: Lang) -> Sequence[str]:
    """Headers of the 前提条件 sheet."""
    return _HEAD[lang]


def assumption_rows(assessment: Assessment, lang: Lang) -> tuple[AssumptionRow, ...]:
    """Run facts, every profile parameter (sorted by key) and the money stage's assumptions in words."""
    ja = lang == "ja"
    run = "実行条件" if ja else "Run"
    profile = "評価プロファイル" if ja else "profile"
    rows = [AssumptionRow(run, profile, "", "", assessment.profile_name, None, None, "", "", "")]
    money = assessment.money
    if money is not None:
        rows += [
            AssumptionRow(run, "1人あたり年間勤務時間" if ja else "hours per FTE", "", "", money.hours_per_fte, None,
                          None, "時間" if ja else "hours", "", ""),
            AssumptionRow(run, "評価期間" if ja else "horizon", "", "", money.horizon_years, None, None,
                          "年" if ja else "years", "", ""),
        ]
    for key, note in sorted(assessment.profile_sources.items()):
        parsed = profile_note(note)
        described = describe(key)
        label = meaning = ""
        if described is not None:
            label, meaning = ((described.label.ja, described.meaning.ja) if ja
                              else (described.label.en, described.meaning.en))
        group = key.split(".", 1)[0]
        rows.append(AssumptionRow(t_or(f"param_group.{group}", lang, group), key, label, meaning, parsed.value,
                                  parsed.low, parsed.high, parameter_unit(key, lang),
                                  source_class(key, parsed.source, lang), parsed.source))
    if money is not None:
        words = "財政効果の前提" if ja else "Money assumptions"
        rows += [AssumptionRow(words, "", "", "", None, None, None, "", "", reason.ja if ja else reason.en)
                 for reason in money.assumptions]
    return tuple(rows)
