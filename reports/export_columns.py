"""What each column of the results table is called, how it is shown and what it means, in both languages.

The step table (:func:`scoring.table.steps_frame`) keys its columns in
English snake case for scripts; people open the CSV and XLSX in Excel, so the
exports show these headers instead (Japanese by default, English with
``--lang en``), round each number to what its unit can mean, and give Excel
the number format of the unit (時間 ``#,##0.0``, 件 ``#,##0``, 円 ``#,##0`` with
▲ for negatives, shares ``0.0%``).  The 凡例 sheet is written from the same
specs, so a header and its explanation cannot drift apart.

Coded values a reader filters by (処理方針, 種別, 公権力の行使, データの出所,
職種の内訳) are shown as words of the chosen language; ids, file names and
user text stay as they are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from reports.i18n import t_or
from reports.style import DISPOSITION_STYLES
from scoring.decisions import DECISION_COLUMNS
from scoring.features import FEATURES
from scoring.result import SCORED_DISPOSITIONS, Disposition, StaffType
from scoring.table import COLUMNS

__all__ = [
    "COLUMN_SPECS",
    "FORMATS",
    "ColumnSpec",
    "Lang",
    "UnitFormat",
    "header",
    "localise",
    "localise_all",
]

Lang = Literal["ja", "en"]
"""Languages of the exports (as the report)."""


@dataclass(frozen=True, slots=True)
class UnitFormat:
    """How numbers of one unit are stored and shown."""

    number_format: str
    """Excel number format."""
    digits: int | None
    """Decimals kept in the stored value (None: text, never rounded)."""
    width: float
    """Column width (characters) the numbers need."""
    unit_ja: str
    """Unit named in the 凡例."""
    unit_en: str
    """Unit named in the legend."""


_YEN = '#,##0;"▲"#,##0;0'
"""円: thousands separators, ▲ instead of a minus sign (how a 予算書 writes a loss)."""

FORMATS: Mapping[str, UnitFormat] = {
    "rank": UnitFormat("0", 0, 8, "位", "rank"),
    "count": UnitFormat("#,##0", 1, 11, "件", "cases"),
    "visits": UnitFormat("0.00", 3, 9, "回/件", "per case"),
    "minutes": UnitFormat("#,##0.0", 2, 9, "分", "minutes"),
    "hours": UnitFormat("#,##0.0", 1, 11, "時間", "hours"),
    "fte": UnitFormat("#,##0.00", 2, 9, "人工", "FTE"),
    "yen": UnitFormat(_YEN, 0, 14, "円", "yen"),
    "months": UnitFormat("#,##0.0", 1, 9, "か月", "months"),
    "score": UnitFormat("0.00", 3, 9, "0〜1", "0–1"),
    "share": UnitFormat("0.0%", 4, 9, "割合", "share"),
    "flag": UnitFormat("@", None, 8, "有/無", "yes/no"),
    "text": UnitFormat("@", None, 14, "", ""),
}
"""Unit kind → format; the kinds :class:`ColumnSpec` names."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of the export."""

    key: str
    """Column of the step table."""
    ja: str
    """Japanese header."""
    en: str
    """English header."""
    kind: str
    """Unit kind, a key of :data:`FORMATS`."""
    help_ja: str
    """What the column means (凡例)."""
    help_en: str
    """The same in English."""
    max_width: float = 40
    """Widest the column gets, however long its text (long text stays readable in the cell)."""

    @property
    def format(self) -> UnitFormat:
        """Its unit's format."""
        return FORMATS[self.kind]


def _spec(key: str, ja: str, en: str, kind: str, help_ja: str, help_en: str, max_width: float = 40) -> ColumnSpec:
    return ColumnSpec(key, ja, en, kind, help_ja, help_en, max_width)


_FEATURE_HELP = {
    "routine": ("手順が決まった手順どおりに進む度合い", "how far the step follows fixed rules"),
    "judgment": ("職員の判断を要する度合い", "how much judgment the step needs"),
    "volume": ("年間の業務量の大きさ（時間から換算）", "size of the yearly workload (from the hours)"),
    "face_to_face": ("住民と対面で対応する度合い", "how much of it is face to face with residents"),
    "physical": ("紙・物の取扱いなど物理的な作業の度合い", "share of physical work (paper, objects)"),
    "system": ("システムを操作する作業の度合い", "how much of it is system work"),
    "digital_input": ("入力が電子データで届く度合い", "how far the input arrives as digital data"),
    "exception": ("通常と異なる扱いが必要な案件の割合", "share of cases that need special handling"),
    "legal_authority": ("公権力の行使（審査・決定など）にあたるか", "whether it exercises public authority"),
    "automated": ("すでにシステムが処理している度合い", "how far a system already does it"),
}

_SCORE_HELP = {
    Disposition.RPA: ("RPA化の適合度", "RPA suitability"),
    Disposition.OUTSOURCE: ("民間委託の適合度", "outsourcing suitability"),
    Disposition.RETAIN: ("職員が担当する適合度", "suitability to stay with staff"),
    Disposition.AUTOMATED: ("自動化済みの度合い", "how far it is already automated"),
}


def _feature_spec(name: str) -> ColumnSpec:
    ja, en = t_or(f"feature.{name}", "ja", name), t_or(f"feature.{name}", "en", name)
    help_ja, help_en = _FEATURE_HELP.get(name, (ja, en))
    kind = "flag" if name == "legal_authority" else "share" if name == "exception" else "score"
    return _spec(name, f"特徴: {ja}", f"Feature: {en}", kind, help_ja + "（評価の入力）",
                 help_en + " (an input of the scores)")


def _score_spec(disposition: Disposition) -> ColumnSpec:
    style = DISPOSITION_STYLES[disposition]
    help_ja, help_en = _SCORE_HELP[disposition]
    return _spec(f"score_{disposition.value}", f"適合度: {style.ja}", f"Suitability: {style.en}", "score",
                 help_ja + "。最も高いものが処理方針になる（法的な確認・費用の確認の前）",
                 help_en + "; the highest becomes the recommendation (before the legal and cost gates)")


_SPECS: tuple[ColumnSpec, ...] = (
    _spec("rank", "順位", "Rank", "rank",
          "財政効果の大きい順の順位（費用面で推奨するRPA化・委託のみ）。空欄は順位なし",
          "order by cash effect, for RPA and outsourcing recommended on cost; empty: not ranked"),
    _spec("flow", "業務フロー", "Flow", "text", "手順が属する業務フロー（BPMNのプロセス名）",
          "the flow (BPMN process name) the step belongs to", 30),
    _spec("process_id", "プロセスID", "Process ID", "text", "BPMNのプロセスID（判断の読み戻しに使う。変更しない）",
          "BPMN process id (used to read decisions back: do not edit)", 24),
    _spec("file", "ファイル", "File", "text", "BPMNファイル名（判断の読み戻しに使う。変更しない）",
          "BPMN file name (used to read decisions back: do not edit)", 24),
    _spec("step_id", "手順ID", "Step ID", "text", "BPMNの要素ID（判断の読み戻しに使う。変更しない）",
          "BPMN element id (used to read decisions back: do not edit)", 28),
    _spec("name", "手順", "Step", "text", "手順の名前（BPMNの要素名）", "step name (BPMN element name)", 30),
    _spec("lane", "レーン（担当）", "Lane", "text", "BPMNのレーン（誰が行うか）", "BPMN lane (who does it)", 24),
    _spec("kind", "種別", "Type", "text", "BPMNの要素の種類", "BPMN element type", 16),
    _spec("visits", "1件あたり回数", "Visits per case", "visits",
          "1件の案件でこの手順を通る回数の期待値（分岐・差戻しを含む）",
          "expected times a case passes the step (branches and rework included)"),
    _spec("annual_count", "年間実施回数", "Runs per year", "count", "年間件数 × 1件あたり回数",
          "cases a year × visits per case"),
    _spec("minutes_per_case", "分/回", "Minutes per run", "minutes", "1回あたりの処理時間（分）",
          "handling time per run (minutes)"),
    _spec("hours_per_year", "年間時間", "Hours per year", "hours", "年間実施回数 × 分/回 ÷ 60",
          "runs per year × minutes ÷ 60"),
    _spec("fte", "人工", "FTE", "fte", "年間時間を1人あたりの年間勤務時間で割ったもの",
          "hours per year divided by the working hours of one FTE"),
    *(_feature_spec(name) for name in FEATURES),
    *(_score_spec(d) for d in SCORED_DISPOSITIONS),
    _spec("disposition", "処理方針", "Recommendation", "text",
          "推奨する処理方針（法的な確認と費用の確認の後）。下の「処理方針」の表を参照",
          "recommendation after the legal and cost gates; see the table of recommendations below", 22),
    _spec("confidence", "確度", "Confidence", "score",
          "判定の確かさ（0〜1）。上位2案の差が小さいとき・推定値が多いときに下がる",
          "how sure the recommendation is (0–1); lower when the top two are close or data is estimated"),
    _spec("reasons_ja", "理由", "Reasons (Japanese)", "text", "判定の理由（日本語）", "reasons, in Japanese", 60),
    _spec("reasons_en", "理由（英語）", "Reasons", "text", "判定の理由（英語）", "reasons, in English", 60),
    _spec("data_sources", "データの出所", "Data sources", "text",
          "各値の出所（調査票 > BPMNの属性 > 推定 > 既定値の順に優先）",
          "where each value came from (survey > BPMN property > inference > default)", 50),
    _spec("yen_per_year", "年間人件費", "Staff cost per year", "yen", "この手順の職員の年間フルコスト（円）",
          "full yearly staff cost of the step (yen)"),
    _spec("hours_freed_per_year", "削減時間/年", "Hours freed per year", "hours",
          "推奨を実施したときに職員から外れる時間（人工削減。現金ではない）",
          "staff hours freed if the recommendation is adopted (capacity, not cash)"),
    _spec("new_cost_yen_per_year", "新たな費用/年", "New cost per year", "yen",
          "委託料・ライセンス等の年間費用（円）", "yearly contract, licence and similar costs (yen)"),
    _spec("saving_yen_per_year", "財政効果/年", "Cash effect per year", "yen",
          "最終年度の財政効果（円）。▲はマイナス（費用増）", "cash effect in the final year (yen); ▲ is negative"),
    _spec("one_off_yen", "初期費用", "One-off cost", "yen", "立上げ・構築の費用（円）",
          "start-up and build cost (yen)"),
    _spec("payback_months", "回収期間", "Payback", "months", "初期費用を回収するまでの月数。空欄は回収できない",
          "months until the one-off cost is recovered; empty: never"),
    _spec("net_5y_yen", "財政効果（期間合計）", "Net cash over the horizon", "yen",
          "評価期間の財政効果の合計（円）。▲はマイナス", "cash effect summed over the horizon (yen); ▲ is negative"),
    _spec("legal_status", "法的区分（記号）", "Legal status", "text",
          "authority = 公権力の行使、unknown = 要確認、factual = 事実上の行為",
          "authority (public authority), unknown (to be confirmed) or factual (factual act)", 12),
    _spec("legal_status_ja", "法的区分", "Legal status (Japanese)", "text", "法的な確認の結果（日本語）",
          "the legal gate's verdict, in Japanese", 14),
    _spec("legal_evidence", "法的区分の根拠", "Legal evidence", "text", "法的区分を決めたすべての根拠",
          "every claim behind the legal status", 50),
    _spec("legal_conflict", "根拠の食い違い", "Legal conflict", "text", "「無」と「有」で食い違う根拠",
          "claims of 無 and 有 that disagree", 40),
    _spec("legal_override", "判断根拠による上書き", "Legal override", "text", "食い違いを解消した書面の判断根拠",
          "the written justification that settled a conflict", 40),
    _spec("legal_basis", "委託の根拠通知", "Basis for outsourcing", "text", "委託できる手順の根拠通知と条件",
          "the notice that allows a contractor to do the step, with its conditions", 50),
    _spec("legal_resolve", "要確認の解消方法", "How to resolve", "text", "要確認の手順を確定するために必要なこと",
          "what would settle a step marked to be confirmed", 50),
    _spec("procedure", "手続", "Procedure", "text", "対応する標準手続（手続カタログ）",
          "the standard procedure of the catalogue", 16),
    _spec("proposed", "評価のみの処理方針", "Scored recommendation", "text",
          "法的な確認・引継ぎの確認で変わる前の、評価だけによる処理方針",
          "what the scores alone recommended, when the legal or hand-off check changed it", 22),
    _spec("fte_freed", "人工削減", "FTE freed", "fte", "削減時間を人工に換算したもの（現金ではない）",
          "hours freed in FTE (capacity, not cash)"),
    _spec("cash_npv_yen", "財政効果（正味現在価値）", "Cash effect (NPV)", "yen",
          "評価期間の財政効果の正味現在価値（円、基準値）。▲はマイナス",
          "net present value of the cash effect over the horizon (yen, base case); ▲ is negative"),
    _spec("cash_npv_low_yen", "財政効果（下限）", "Cash effect (low)", "yen", "正味現在価値の下限（円）",
          "low end of the NPV (yen)"),
    _spec("cash_npv_high_yen", "財政効果（上限）", "Cash effect (high)", "yen", "正味現在価値の上限（円）",
          "high end of the NPV (yen)"),
    _spec("cost_gate", "費用面の判定", "Cost gate", "text",
          "候補を取り下げた理由（費用面で推奨しない・実施できない）。空欄は取り下げなし",
          "why a candidate was withdrawn (not on cost, not feasible); empty: not withdrawn", 22),
    _spec("candidate", "候補の種類", "Candidate", "text", "費用の確認の前の候補（RPA化・民間委託）",
          "what the candidate was before the cost gate (RPA, outsourcing)", 14),
    _spec("money_unit", "委託ロット・RPAシナリオ", "Lot or robot scenario", "text",
          "候補が入る委託ロットまたはRPAシナリオのID", "id of the contract lot or robot scenario", 16),
    _spec("capacity", "能力（時間×適性）", "Capacity (hours × suitability)", "hours",
          "年間時間 × 候補の適合度（費用に関係なく、職員の時間をどれだけ空けられるか）",
          "hours per year × suitability: staff time a candidate could free, whatever the cost"),
    _spec("capacity_rank", "能力順位", "Capacity rank", "rank", "能力（時間×適性）の大きい順の順位",
          "order by capacity (hours × suitability)"),
    _spec("section", "課", "Section", "text", "手順を担当する課", "section (課) doing the step", 14),
    _spec("unit", "係", "Unit", "text", "手順を担当する係", "unit (係) doing the step", 14),
    _spec("staff_mix", "職種の内訳", "Staff mix", "text", "年間時間の職種別の割合", "share of the hours by staff type",
          30),
    _spec("判断", "判断", "Decision", "text",
          "レビューの判断を記入: 採用 / 不採用 / 保留（次回 --decisions で読み込む）",
          "write the review decision: accept / reject / defer (read back with --decisions)", 12),
    _spec("担当", "担当", "Owner", "text", "フォローする担当者を記入", "who follows it up", 14),
    _spec("コメント", "コメント", "Comment", "text", "レビューのコメントを記入", "review comment", 30),
)

COLUMN_SPECS: Mapping[str, ColumnSpec] = {spec.key: spec for spec in _SPECS}
"""Step-table column → its spec; one for every column of :data:`scoring.table.COLUMNS`."""

assert tuple(COLUMN_SPECS) == COLUMNS, "every column of the step table needs a spec, in table order"
assert COLUMNS[-3:] == DECISION_COLUMNS


def header(key: str, lang: Lang) -> str:
    """The header shown for a column.

    >>> header("hours_per_year", "ja"), header("hours_per_year", "en"), header("判断", "ja")
    ('年間時間', 'Hours per year', '判断')
    """
    spec = COLUMN_SPECS[key]
    return spec.ja if lang == "ja" else spec.en


# --------------------------------------------------------------------------- values

_CODED_DISPOSITIONS = frozenset({"disposition", "proposed", "candidate"})
_COST_GATE = {
    "cost": ("費用面で推奨しない", "not recommended on cost"),
    "feasibility": ("実施できない（端末・ネットワークの制約）", "not feasible (terminal or network segment)"),
}
_STAFF = {
    StaffType.REGULAR.value: ("正規職員", "regular staff"),
    StaffType.KAIKEI.value: ("会計年度任用職員", "fixed-term staff (kaikei)"),
    StaffType.SAIYO.value: ("再任用職員", "re-employed staff (saiyo)"),
}
_MEASURES = ("annual_cases", "annual_count", "minutes_per_case", "visits")
_DECISIONS = {"accept": ("採用", "accept"), "reject": ("不採用", "reject"), "defer": ("保留", "defer")}
"""判断 as the reviewer wrote it in Japanese; both spellings read back (:func:`scoring.decisions.parse_decision`)."""


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "ja" else pair[1]


def _disposition(value: str, lang: Lang) -> str:
    try:
        style = DISPOSITION_STYLES[Disposition(value)]
    except ValueError:
        return value
    return style.ja if lang == "ja" else style.en


def _data_sources(value: str, lang: Lang) -> str:
    """``routine=property; …`` as ``定型性=BPMNの属性; …`` (unknown parts stay as written)."""
    parts = []
    for part in value.split("; "):
        name, sep, source = part.partition("=")
        if not sep:
            parts.append(part)
            continue
        prefix = "measure" if name in _MEASURES else "feature"
        parts.append(f"{t_or(f'{prefix}.{name}', lang, name)}={t_or(f'source.{source}', lang, source)}")
    return "; ".join(parts)


def _staff_mix(value: str, lang: Lang) -> str:
    """``regular=0.45; kaikei=0.50`` as ``正規職員 45%; 会計年度任用職員 50%``."""
    parts = []
    for part in value.split("; "):
        name, sep, share = part.partition("=")
        try:
            percent = f"{float(share) * 100:.0f}%" if sep else ""
        except ValueError:
            percent = share
        label = _pick(_STAFF[name], lang) if name in _STAFF else name
        parts.append(f"{label} {percent}".strip())
    return "; ".join(parts)


def localise(key: str, value: object, lang: Lang) -> object:
    """A cell value as the reader sees it: coded words translated, numbers rounded to their unit.

    >>> localise("disposition", "retain", "ja"), localise("legal_authority", True, "en")
    ('職員が担当', 'yes')
    >>> localise("hours_per_year", 533.3333333333334, "ja"), localise("yen_per_year", 2735208.3333, "ja")
    (533.3, 2735208)
    >>> localise("staff_mix", "regular=0.45; kaikei=0.50", "ja")
    '正規職員 45%; 会計年度任用職員 50%'
    """
    item = getattr(value, "item", None)
    if callable(item):  # numpy scalars
        value = item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    spec = COLUMN_SPECS[key]
    if spec.kind == "flag":
        yes, no = ("有", "無") if lang == "ja" else ("yes", "no")
        return yes if value else no
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _rounded(float(value), spec.format.digits)
    if not isinstance(value, str) or not value:
        return value
    if key in _CODED_DISPOSITIONS:
        return _disposition(value, lang)
    if key == "kind":
        return t_or(f"kind.{value}", lang, value)
    if key == "判断":
        return _pick(_DECISIONS[value], lang) if value in _DECISIONS else value
    if key == "cost_gate":
        return _pick(_COST_GATE[value], lang) if value in _COST_GATE else value
    if key == "data_sources":
        return _data_sources(value, lang)
    if key == "staff_mix":
        return _staff_mix(value, lang)
    return value


_UNSEEN = object()


def localise_all(key: str, values: list[object], lang: Lang) -> list[object]:
    """:func:`localise` of each value of one column (a table has thousands of rows, a column few distinct words).

    Numbers take the short path (rounded to the unit), each distinct text is
    localised once; anything else goes through :func:`localise` itself.
    """
    spec = COLUMN_SPECS[key]
    numbers = spec.kind != "flag"
    digits = spec.format.digits
    seen: dict[str, object] = {}
    out: list[object] = []
    for value in values:
        kind = value.__class__
        if numbers and kind is float:
            out.append(None if math.isnan(value) else _rounded(value, digits))  # type: ignore[arg-type]
        elif numbers and kind is int:
            out.append(_rounded(float(value), digits))  # type: ignore[arg-type]
        elif kind is str:
            found = seen.get(value, _UNSEEN)  # type: ignore[call-overload]
            if found is _UNSEEN:
                found = seen[value] = localise(key, value, lang)  # type: ignore[index]
            out.append(found)
        else:
            out.append(localise(key, value, lang))
    return out


def _rounded(value: float, digits: int | None) -> float | int | str:
    """A number kept to the decimals its unit means; integers for whole units (ranks, yen)."""
    if math.isinf(value):
        return "∞" if value > 0 else "▲∞"
    if digits is None:
        return value
    if digits == 0:
        return round(value)
    rounded = round(value, digits)
    return 0.0 if rounded == 0 else rounded  # no "-0.0"
