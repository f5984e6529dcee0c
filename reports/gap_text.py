"""データの不足 in Japanese: a sentence per gap kind, built from what the gap names.

The scoring writes each :class:`~scoring.result.DataGap` message in English
(it is also the terminal text of ``bpm score``).  A 市民課 reader of the
Japanese site needs the same content in Japanese: what is missing, for which
step or survey row, what was used instead and how to fix it.  The gap's kind
says which of these sentences applies; the subject (the step, 業務 or survey
row the message starts with), a quoted value and any "did you mean"
suggestion are taken from the message, whose shape the scoring keeps as
``<subject>: <details>``.  The English site shows the message as written.
A kind without a Japanese sentence shows its kind in Japanese with the
English message, never nothing.
"""

from __future__ import annotations

import re

from reports.i18n import Bilingual, t_or
from scoring.result import DataGap

__all__ = ["gap_message", "gap_subject"]

_ROW = re.compile(r"^row \d+\s+")
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_SUGGESTION = re.compile(r"did you mean\s+(.+?)(?:\?(?=[\s;)]|$)|\s*;|$)", re.IGNORECASE)
"""The suggestion of a "did you mean X?": up to its question mark, so a name with brackets stays whole."""


def gap_subject(message: str, name: str = "") -> str:
    """What the gap is about: the known step name, else the message's lead before ``: `` (without ``row N``).

    >>> gap_subject("row 86 郵送請求/封入発送: 手順 '封入発送' matches no step")
    '郵送請求/封入発送'
    >>> gap_subject("申請書受領: no survey row; BPMN properties and profile defaults used")
    '申請書受領'
    >>> gap_subject("column 'x' is not a survey column; ignored")
    ''
    """
    if name:
        return name
    lead, colon, _ = message.partition(": ")
    return _ROW.sub("", lead).strip() if colon else ""


def _quoted(message: str) -> str:
    """The first value quoted in the message (a column header, an id, a property value)."""
    found = _QUOTED.search(message.partition(": ")[2] or message)
    return next((group for group in found.groups() if group is not None), "") if found else ""


def gap_message(gap: DataGap, name: str = "") -> Bilingual:
    """The gap in Japanese (from ``gap_text.<kind>`` in the locale) and as the scoring wrote it in English.

    >>> gap = DataGap("no-data", "受付: no survey row; BPMN properties and profile defaults used", "a.bpmn", 3, "t1")
    >>> gap_message(gap).ja.split("。")[0]
    '受付: 調査票に行がないため、BPMNの属性とプロファイルの既定値を使いました'
    >>> gap_message(DataGap("unknown-column", "column '処理時間(分' is not a survey column; ignored", "s.xlsx", 1)).ja
    '調査票の列「処理時間(分」は調査票の列名として読み取れないため、無視しました。列名を記入要領の表記に直してください。'
    >>> gap_message(DataGap("unknown-column", "column 'x' is not a survey column; ignored — did you mean 処理時間(分)?",
    ...                     "s.xlsx", 1)).ja.endswith("（もしかして: 処理時間(分)）")
    True
    """
    template = t_or(f"gap_text.{gap.kind}", "ja", "")
    subject = gap_subject(gap.message, name) or gap.file
    if template:
        text = template.format(subject=subject, quoted=_quoted(gap.message))
    else:
        kind = t_or(f"gap.{gap.kind}", "ja", gap.kind)
        text = f"{subject}: {kind}（{gap.message}）"
    suggestion = _SUGGESTION.search(gap.message)
    if suggestion:
        text += f"（もしかして: {suggestion.group(1).strip()}）"
    english = gap.message or t_or(f"gap_text.{gap.kind}", "en", gap.kind).format(subject=subject, quoted="")
    return Bilingual(text, english)
