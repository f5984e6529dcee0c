"""The words of an evidence line, kept as an id and its values until a page is rendered.

The scoring used to write each evidence line as one English sentence
(``BPMN property minutes = 4``), so the 根拠と費用の内訳 panel of the
Japanese site was English.  A :class:`Said` holds the id of the sentence and
the values that go into it (names, numbers, row numbers — never translated);
:meth:`Said.text` makes the sentence in the reader's language, and
:attr:`Said.en` is the English line the JSON export and older callers keep as
``Evidence.detail``.  Every id has both languages with the same placeholders
(tests/scoring/test_evidence_text.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

TEMPLATES: dict[str, tuple[str, str]] = {
    "lexicon-word": ("名前に「{words}」（{signal}の語）", "name contains {words}: {signal_en} word"),
    "task-type": ("{kind}（タスクの種類）", "{kind} (task type)"),
    "property": ("BPMNのプロパティ {name} = {raw}", "BPMN property {name} = {raw}"),
    "process-property": ("BPMNのプロセスのプロパティ {name} = {raw}", "BPMN process property {name} = {raw}"),
    "survey-cell": ("調査票 {line}行目: {column}", "調査票 row {line}: {column}"),
    "profile-default": ("プロファイルの既定値（{key}）", "profile default ({key})"),
    "bilingual": ("{ja}", "{en}"),
    "decision-after": ("直後に判断の分岐「{name}」", "decision gateway 「{name}」 follows"),
    "boundary-event": ("境界イベント（{kinds}）", "boundary event ({kinds})"),
    "resident-message": ("「{pool}」とのメッセージフロー", "message flow with 「{pool}」"),
    "resident-mail": ("{kind}で「{pool}」とやりとり（郵送・データ）",
                      "{kind} exchanging a message with 「{pool}」 (post/data)"),
    "after-resident-start": ("住民の申請が届いた直後の手順", "first step after the resident's request arrives"),
    "counter-lane": ("レーン「{lane}」", "lane 「{lane}」"),
    "paper-handling": ("紙の入力による取扱い（{share}）", "paper input adds handling ({share})"),
    "system-place": ("レーン/プール「{place}」", "lane/pool 「{place}」"),
    "data-store": ("データストア「{names}」", "data store 「{names}」"),
    "in-system-place": ("システムのレーン/プール「{place}」にある", "in the system lane/pool 「{place}」"),
    "no-legal-evidence": ("法的な根拠がまったくない（要確認）", "no legal evidence at all (要確認)"),
    "routine-formula": ("加重平均 {formula} ÷ {total}", "{formula} ÷ {total}"),
    "volume-scale": ("年{hours}時間を対数目盛で（{zero}時間で0、{one}時間で1）",
                     "{hours} h/yr on a log scale ({zero} h → 0, {one} h → 1)"),
    "visits": ("フローから求めた1件あたりの実行回数", "expected executions per case from the flow"),
    "visits-assumed": ("フローから求めた1件あたりの実行回数（{assumptions}）",
                       "expected executions per case from the flow ({assumptions_en})"),
    "count-mismatch": (
        "調査票の件数 {annual} は 通過回数 × 件数 = {computed} と {gap} 違います"
        "（許容 {tolerance}）。調査票の値を使います",
        "survey 件数 {annual} differs from visits × cases = {computed} by {gap} (> {tolerance}); "
        "the survey figure is used",
    ),
    "visits-times-cases": ("{visits}回 × {cases}件（{cases_detail}）",
                           "{visits} visits × {cases} cases ({cases_detail_en})"),
    "given-by-caller": ("実行時の指定（{typed} = {value}）", "given by the caller ({typed} = {value})"),
    "called-from": ("呼び出し元: {callers}", "called from {callers}"),
}
"""Sentence id → (Japanese, English); ``{name}`` fields are filled from :attr:`Said.args`."""

SIGNAL_WORDS: dict[str, str] = {
    "routine": "定型作業", "judgment": "判断", "face_to_face": "対面", "system": "システム", "paper": "紙",
    "digital": "電子", "physical": "物理的な取扱い", "legal_authority": "公権力の行使",
}
"""Lexicon signal → its Japanese name (the English is the signal with hyphens)."""


@dataclass(frozen=True, slots=True)
class Said:
    """One evidence sentence: its id and the values it quotes, as text (names, numbers, row numbers)."""

    key: str
    """Id in :data:`TEMPLATES`."""
    args: tuple[tuple[str, str], ...] = ()
    """``{name}`` → value; a name ending ``_en`` is the English-only form of the field without it."""

    def text(self, lang: str) -> str:
        """The sentence in ``ja`` or ``en``.

        >>> said("property", name="minutes", raw="4").text("ja")
        'BPMNのプロパティ minutes = 4'
        """
        ja, en = TEMPLATES[self.key]
        return (en if lang == "en" else ja).format_map(dict(self.args))

    @property
    def en(self) -> str:
        """The English sentence (``Evidence.detail``, the JSON export)."""
        return self.text("en")


def said(key: str, /, **args: object) -> Said:
    """A sentence id with its values; English-only variants default to the value itself.

    >>> said("lexicon-word", words="審査", signal="judgment").text("en")
    'name contains 審査: judgment word'
    >>> said("lexicon-word", words="審査", signal="judgment").text("ja")
    '名前に「審査」（判断の語）'
    """
    if key not in TEMPLATES:
        raise KeyError(f"unknown evidence sentence {key!r}")
    values = {name: str(value) for name, value in args.items()}
    if key == "lexicon-word":
        signal = values["signal"]
        values["signal_en"] = signal.replace("_", "-")
        values["signal"] = SIGNAL_WORDS.get(signal, signal)
    for name in list(values):
        values.setdefault(f"{name}_en", values[name])
    return Said(key, tuple(sorted(values.items())))


def survey_cell(line: object, column: object) -> Said:
    """``said("survey-cell", line=line, column=column)``, built directly.

    Every surveyed step quotes five or six cells of its row, each a sentence of its own (the row line makes it
    unique), so this is the sentence said most often in a run; its fields are known, so the general path
    (checking the id, deriving the ``_en`` fields, sorting them) is skipped.  Equal to :func:`said`'s (tested).

    >>> survey_cell(12, "件数") == said("survey-cell", line=12, column="件数")
    True
    """
    column_pair, column_en = _cell_pairs("column", str(column))
    line_pair, line_en = _cell_pairs("line", str(line))
    return Said("survey-cell", (column_pair, column_en, line_pair, line_en))


@lru_cache(maxsize=16_384)
def _cell_pairs(name: str, shown: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """A survey cell's value pairs, one object each for all the cells that quote them (kept and pickled once:
    a row's cells share its line, and the columns' values repeat over the sheet)."""
    return (name, shown), (f"{name}_en", shown)


@lru_cache(maxsize=16_384, typed=True)
def shared_said(key: str, /, **args: object) -> Said:
    """:func:`said`, made once per distinct sentence and values.

    Every step of a portfolio says the same few sentences (the task type, a profile default, a lexicon word,
    its flow's visits), eight features a step; a :class:`Said` is immutable, so equal ones can be shared.
    ``typed``: 1, 1.0 and True are different values to quote.
    """
    return said(key, **args)


@lru_cache(maxsize=16_384)
def english(words: Said) -> str:
    """The English sentence, formatted once per distinct :class:`Said` (keyed by its id and every value)."""
    return words.en
