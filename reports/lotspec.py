"""The 仕様書 outline of a contract lot, as XLSX and Markdown downloads.

A lot page answers "what would we buy?"; the outline turns it into the
skeleton a 仕様書 is written from: scope (業務一覧 with 委託可否 and 根拠),
counter staffing by hour and season, the 業務責任者 and the staff post on
site, hand-off points with staff (no direct instructions: 37号告示), the
preparation and 並行稼働, and the price build-up.  Step names are user data:
every XLSX cell is written as text (never a formula) and Markdown table
cells are escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from reports.export_xlsx import stable_xlsx_bytes
from reports.money_views import LotItemView, LotPage

_BOLD = Font(bold=True)


def _sections(view: LotPage) -> list[tuple[str, list[str]]]:
    """The outline's numbered sections as (heading, paragraphs)."""
    facts = {label.ja: value.ja for label, value in view.facts}
    return [
        ("1. 業務の名称・目的", [
            f"{view.name}。窓口業務のうち事実上の行為・定型的な補助業務を受託者が行い、審査・決定等は職員が行う。",
        ]),
        ("2. 履行期間・準備", [
            f"契約期間: {facts.get('契約期間', '')}（長期継続契約の"
            f"可否を確認）。業務開始: {facts.get('業務開始', '')}。",
            "準備期間中の研修・引継ぎは受託者の負担とし、並行稼働の期間と体制を定める。",
        ]),
        ("3. 業務の範囲（業務一覧）", [
            "別表「業務一覧」のとおり。委託可否・根拠通知は各行に記載（法的な確認の結果。公権力の行使・要確認の手順は"
            "含まない）。",
            "職員が行う手順（業務範囲外）は別表「職員が行う手順」のとおり。",
            *(f"根拠通知と条件: {basis.ja}" for basis in view.bases),
        ]),
        ("4. 窓口の体制", [
            "別表「窓口の席数」の席数を時間帯・月（3〜4月の繁忙期を含む）ごとに配置する。",
            f"業務責任者: {facts.get('業務責任者', '')}。受託者の従事者への指示は業務責任者が行う。",
        ]),
        ("5. 職員との役割分担・引継ぎ", [
            f"現場に職員を配置する: {facts.get('現場に残す職員', '')}。",
            "職員は受託者の従事者に直接指示しない（昭和61年労働省告示37号）。案件の引継ぎは別表の引継ぎ点で案件単位に行い、"
            "協議事項は業務責任者を通じて行う。",
        ]),
        ("6. 個人情報・端末の取扱い", ["住民記録等の端末操作は証明書等の作成に必要な"
            "範囲に限る。個人情報保護・守秘義務を定める。"]),
        ("7. 報告・履行確認", ["月次で処理件数・待ち時間・例外案件を報告し、職員が履行を確認する。"]),
        ("8. 予定価格の積算", ["別表「積算」のとおり（席・後方業務・業務責任者・一般管理費等）。"]),
    ]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _md_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


_SEAT_HEAD = ("時間帯", "通常月・通常日", "通常月・繁忙日", "3〜4月・通常日", "3〜4月・繁忙日")
_ITEM_HEAD = ("手順", "業務フロー", "区分", "年間件数", "分/件", "時間/年", "担当", "委託可否", "根拠通知・根拠",
              "引継ぎ点")


def _item_rows(items: Sequence[LotItemView]) -> list[list[str]]:
    return [[i.name, i.flow, i.kind.ja, i.annual_count.text.ja, i.minutes.text.ja, i.hours.text.ja,
             i.assigned.ja, i.entrustable.ja, i.basis.ja, i.handoffs] for i in items]


def outline_markdown(view: LotPage) -> str:
    """The outline as Markdown (UTF-8 text)."""
    lines = [f"# 仕様書骨子: {_md_cell(view.name)}", ""]
    if view.withdrawn:
        lines += ["> 費用面で推奨しない: このロットは現在の前提では財政効果が0以下です。", ""]
    lines += [f"財政効果（正味現在価値）: {view.npv.ja} / 回収: {view.payback.ja}", ""]
    for heading, paragraphs in _sections(view):
        lines += [f"## {heading}", "", *[_md_cell(p) for p in paragraphs], ""]
    lines += ["## 別表 業務一覧", "", *_md_table(_ITEM_HEAD, _item_rows(view.items)), ""]
    if view.staff_items:
        lines += ["## 別表 職員が行う手順（業務範囲外）", "", *_md_table(_ITEM_HEAD, _item_rows(view.staff_items)), ""]
    for queue in view.queues:
        lines += [f"## 別表 窓口の席数: {_md_cell(queue.name)}", "",
                  f"来庁 {queue.arrivals.text.ja} 人/年、対応"
                  f" {queue.handling.text.ja} 分/人、目標 {queue.target.ja}", ""]
        lines += _md_table(_SEAT_HEAD, ([row.hour, *map(str, row.seats)] for row in queue.rows))
        lines.append("")
    lines += ["## 別表 積算（初年度価格）", ""]
    lines += _md_table(("項目", "金額/年"), ([r.label.ja, r.total.text.ja] for r in view.fee.rows))
    lines += ["", "## 別表 立上げ費用", ""]
    lines += _md_table(("項目", "金額"), ([r.label.ja, r.total.text.ja] for r in view.startup.rows))
    return "\n".join(lines) + "\n"


def _write(sheet: Worksheet, row: int, values: Sequence[str | float | int], bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # user text is never a formula
        if bold:
            cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def outline_xlsx(view: LotPage, created: datetime | None = None) -> bytes:
    """The outline as an XLSX workbook: 概要, 業務一覧, 窓口の席数, 積算.

    ``created`` fixes the workbook's creation and modification time (the
    site's build time) so an unchanged lot gives the same bytes.
    """
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "概要"
    _write(summary, 1, [f"仕様書骨子: {view.name}"], bold=True)
    row = 2
    if view.withdrawn:
        _write(summary, row, ["費用面で推奨しない（現在の前提では財政効果が0以下）"], bold=True)
        row += 1
    _write(summary, row, ["財政効果（正味現在価値）", view.npv.ja])
    _write(summary, row + 1, ["回収", view.payback.ja])
    row += 3
    for label, value in view.facts:
        _write(summary, row, [label.ja, value.ja])
        row += 1
    row += 1
    for heading, paragraphs in _sections(view):
        _write(summary, row, [heading], bold=True)
        row += 1
        for paragraph in paragraphs:
            _write(summary, row, [paragraph])
            row += 1
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 40
    items = book.create_sheet("業務一覧")
    _write(items, 1, list(_ITEM_HEAD), bold=True)
    for index, values in enumerate(_item_rows(view.items), start=2):
        _write(items, index, values)
    if view.staff_items:
        kept = book.create_sheet("職員が行う手順")
        _write(kept, 1, list(_ITEM_HEAD), bold=True)
        for index, values in enumerate(_item_rows(view.staff_items), start=2):
            _write(kept, index, values)
    seats = book.create_sheet("窓口の席数")
    row = 1
    for queue in view.queues:
        _write(seats, row, [queue.name, f"来庁 {queue.arrivals.text.ja} 人/年", f"対応 {queue.handling.text.ja} 分/人",
                            queue.target.ja], bold=True)
        _write(seats, row + 1, list(_SEAT_HEAD), bold=True)
        row += 2
        for seat_row in queue.rows:
            _write(seats, row, [seat_row.hour, *seat_row.seats])
            row += 1
        row += 1
    cost = book.create_sheet("積算")
    _write(cost, 1, ["項目", "金額（円/年、初年度価格）"], bold=True)
    row = 2
    for line in view.fee.rows:
        _write(cost, row, [line.label.ja, float(line.total.sort or 0)])
        row += 1
    _write(cost, row + 1, ["立上げ費用", "金額（円）"], bold=True)
    row += 2
    for line in view.startup.rows:
        _write(cost, row, [line.label.ja, float(line.total.sort or 0)])
        row += 1
    return stable_xlsx_bytes(book, created)
