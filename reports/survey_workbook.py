"""The 業務量調査 workbook pre-filled from the BPMN files (``bpm survey``), and its re-generation.

Typing step names by hand is where surveys go wrong: one typo and a row
silently matches nothing.  This workbook lists every row the scanner can use,
in the shape municipalities already use — one row per 業務 for its annual
cases, one per step for minutes and what the step is, one per branch for its
share — with the identifying cells (業務, 手順ID, 手順, レーン, 種類) locked and
only the cells that make sense for the row open for input, each with an Excel
drop-down or number check and an input hint.  The headers are the ones
:mod:`scoring.survey` reads, so the filled sheet reads back row for row.

Re-generating over a workbook that is being filled keeps every value already
typed (matched by 手順ID, else by name); rows whose step is gone from the
flows are listed to the caller and kept, with their values, on a sheet of
their own — never dropped.

Every cell built from a name in a BPMN file is a string cell, quote-prefixed
when Excel could read it as a formula (:func:`scoring.table.starts_formula`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from bpm.limits import MAX_ANNUAL_COUNT, MAX_MINUTES
from bpm.model import Definitions, ElementId, EventKind, FlowNode, GatewayKind, Process, TaskKind
from scoring.suggest import comparable
from scoring.survey import COLUMN_ALIASES, Survey, SurveyRow, probability_target
from scoring.table import starts_formula
from scoring.volumes import Unit, units_of

SHEET = "業務量調査"
"""The sheet :func:`scoring.survey.load_survey` prefers."""
INSTRUCTIONS_SHEET = "記入要領"
ORPHANS_SHEET = "前回の行（対応なし）"
MAX_CELL_CHARS = 32_767
"""Excel's limit on the text of one cell (a longer name would make Excel 'repair' the file)."""
HEADER_ROW = 3
"""Rows 1–2 are the title and a one-line note, as on the paper survey."""


class RowKind(Enum):
    """What a row of the sheet is about."""

    FLOW = "flow"
    STEP = "step"
    BRANCH = "branch"


COLUMNS: tuple[tuple[str, float], ...] = (
    ("process", 22), ("step_id", 24), ("step", 30), ("lane", 18), ("element_type", 16),
    ("annual_count", 10), ("march_count", 9), ("april_count", 9), ("minutes", 11), ("exception_rate", 9),
    ("input", 10), ("systems", 22), ("judgment", 7), ("legal_authority", 11), ("legal_basis", 28),
    ("probability", 10), ("section", 14), ("unit", 14), ("staff_type", 13), ("basis", 11), ("sources", 12),
    ("note", 40),
)
"""Canonical column (:data:`scoring.survey.COLUMN_ALIASES`) and Excel width, in sheet order."""

IDENTITY = ("process", "step_id", "step", "lane", "element_type")
"""Pre-filled from the BPMN and locked."""

_COMMON = ("basis", "sources", "note")
FILL_IN: Mapping[RowKind, tuple[str, ...]] = {
    RowKind.FLOW: ("annual_count", "march_count", "april_count", "section", "unit", *_COMMON),
    RowKind.STEP: ("annual_count", "minutes", "exception_rate", "input", "systems", "judgment", "legal_authority",
                   "legal_basis", "section", "unit", "staff_type", *_COMMON),
    RowKind.BRANCH: ("probability", *_COMMON),
}
"""The cells open for input on each kind of row."""


def header(column: str) -> str:
    """The sheet's header of a canonical column: the first (Japanese) alias the reader accepts."""
    return COLUMN_ALIASES[column][0]


# --------------------------------------------------------------------------- the rows


@dataclass(frozen=True, slots=True)
class TemplateRow:
    """One row of the sheet: what identifies it, and the values carried over from an earlier sheet."""

    kind: RowKind
    """業務, step or branch row."""
    process: str
    """業務 cell: the process name (else pool name, else id), as the matcher knows it."""
    step_id: str
    """手順ID cell: the process id on a 業務 row, the element id on a step row, the flow or event id on a branch."""
    step: str = ""
    """手順 cell: the step name; on a branch row 「ゲートウェイ → 分岐」."""
    lane: str = ""
    """レーン cell."""
    element_type: str = ""
    """種類 cell, in Japanese."""
    values: Mapping[str, object] = field(default_factory=dict)
    """Filled-in cells by canonical column (carried over on re-generation)."""
    names: tuple[str, ...] = ()
    """Every spelling of the 業務 (process name, pool name, id) an earlier sheet may have used."""
    step_names: tuple[str, ...] = ()
    """Other names an earlier sheet may have given the 手順 (an event's own name, a branch's label alone)."""


_TASK_LABELS: Mapping[TaskKind, str] = {
    TaskKind.TASK: "タスク", TaskKind.USER: "端末操作（ユーザータスク）", TaskKind.MANUAL: "手作業",
    TaskKind.SERVICE: "自動処理（サービスタスク）", TaskKind.SCRIPT: "自動処理（スクリプト）",
    TaskKind.BUSINESS_RULE: "ルール判定", TaskKind.SEND: "送付", TaskKind.RECEIVE: "受領",
    TaskKind.SUB_PROCESS: "サブプロセス", TaskKind.TRANSACTION: "トランザクション",
    TaskKind.AD_HOC_SUB_PROCESS: "アドホック", TaskKind.CALL_ACTIVITY: "別の業務の呼出し",
}
FLOW_LABEL = "業務（年間件数）"
_SPLITS: Mapping[GatewayKind, str] = {GatewayKind.EXCLUSIVE: "分岐（いずれか1つ）",
                                      GatewayKind.INCLUSIVE: "分岐（該当するもの全て）"}


def template_rows(definitions_list: Iterable[Definitions]) -> list[TemplateRow]:
    """Every row the scanner can use, process by process in input order, steps in flow order.

    The processes are those :func:`scoring.assess.assess` scores (at least one
    step), so every row of the sheet reads back onto a step, a branch or a 業務.
    """
    rows: list[TemplateRow] = []
    for unit in units_of(definitions_list):
        rows.extend(_unit_rows(unit))
    return rows


def _unit_rows(unit: Unit) -> list[TemplateRow]:
    process = unit.process
    names = tuple(dict.fromkeys(n for n in (process.name, unit.pool_name, process.id) if n))
    lanes = {node_id: lane.name for lane in process.all_lanes() for node_id in lane.node_ids if lane.name}
    steps = {s.id for s in unit.steps}

    def row(kind: RowKind, ident: str, name: str, node: FlowNode, label: str, *others: str) -> TemplateRow:
        lane_of = node.attached_to or node.id
        return TemplateRow(kind, unit.name, ident, name, lanes.get(lane_of, ""), label, {}, names,
                           tuple(o for o in others if o and o != name))

    rows = [TemplateRow(RowKind.FLOW, unit.name, process.id, "", "", FLOW_LABEL, {}, names)]
    for node in flow_order(process):
        if node.id in steps:
            rows.append(row(RowKind.STEP, node.id, node.label, node, _TASK_LABELS.get(node.kind, "タスク")
                            if isinstance(node.kind, TaskKind) else ""))
        elif isinstance(node.kind, GatewayKind) and node.kind in _SPLITS:
            outgoing = [f for f in process.flows.values() if f.source_id == node.id]
            if len(outgoing) > 1:
                for flow in outgoing:
                    target = process.nodes.get(flow.target_id)
                    branch = flow.name.strip() or (target.label if target else flow.target_id)
                    rows.append(row(RowKind.BRANCH, flow.id, f"{node.label} → {' '.join(branch.split())}", node,
                                    _SPLITS[node.kind], flow.name))
        elif isinstance(node.kind, EventKind):
            chance = probability_target(process, node)
            if chance is not None:
                rows.append(row(RowKind.BRANCH, chance[0], _event_label(process, node), node, chance[1], node.name))
    return rows


def _event_label(process: Process, node: FlowNode) -> str:
    """手順 of an event row: where the event sits, so a reader knows what the share is of."""
    host = process.nodes.get(node.attached_to) if node.attached_to is not None else None
    if node.kind is EventKind.BOUNDARY and host is not None:
        return f"{host.label}：{node.label}"
    return node.label


def flow_order(process: Process) -> list[FlowNode]:
    """Nodes in the order a case meets them (breadth first from the entries), the rest in document order.

    A 係 lists its work from 受付 to 交付; document order is the order the
    modeller happened to draw in.  Boundary events follow their activity.
    """
    targets = {f.target_id for f in process.flows.values()}
    successors: dict[ElementId, list[ElementId]] = {}
    for flow in process.flows.values():
        successors.setdefault(flow.source_id, []).append(flow.target_id)
    attached: dict[ElementId, list[ElementId]] = {}
    for node in process.nodes.values():
        if node.attached_to is not None:
            attached.setdefault(node.attached_to, []).append(node.id)
            successors.setdefault(node.attached_to, [])
    queue = [n.id for n in process.nodes.values() if n.id not in targets and n.attached_to is None]
    seen: dict[ElementId, None] = {}
    while queue:
        current = queue.pop(0)
        if current in seen or current not in process.nodes:
            continue
        seen[current] = None
        queue[0:0] = attached.get(current, [])  # boundary events right after their activity
        queue.extend(successors.get(current, []))
    rest = [node_id for node_id in process.nodes if node_id not in seen]
    return [process.nodes[node_id] for node_id in [*seen, *rest]]


# --------------------------------------------------------------------------- carrying values over


@dataclass(frozen=True, slots=True)
class Orphan:
    """A row of the earlier sheet that matches no row of the new one: its step is gone or was renamed."""

    row: SurveyRow
    """The row as read."""
    values: Mapping[str, object]
    """Its filled-in cells."""
    reason: str
    """Why it has no place, for the message."""


@dataclass(frozen=True, slots=True)
class Carried:
    """The new rows with the earlier values in place, and the earlier rows that found no place."""

    rows: tuple[TemplateRow, ...]
    """Rows of the new sheet."""
    orphans: tuple[Orphan, ...]
    """Earlier rows without a counterpart (kept on their own sheet, listed to the user)."""
    kept: int
    """Earlier rows whose filled-in values moved into the new sheet."""
    kept_orphans: tuple[tuple[object, ...], ...] = ()
    """Rows of the earlier workbook's own 前回の行 sheet, kept as they were."""


def row_values(row: SurveyRow) -> dict[str, object]:
    """The filled-in cells of a read row, as cell values that read back to the same :class:`SurveyRow`."""
    values: dict[str, object] = {
        "annual_count": _number(row.annual_count), "march_count": _number(row.march_count),
        "april_count": _number(row.april_count), "minutes": _number(row.minutes),
        "exception_rate": row.exception_rate, "probability": row.probability,
        "input": row.input_label, "systems": "・".join(row.systems), "judgment": _flag(row.judgment),
        "legal_authority": _flag(row.legal_authority), "legal_basis": row.legal_basis, "section": row.section,
        "unit": row.unit, "staff_type": row.staff_type, "basis": row.basis, "sources": row.sources,
        "note": row.note,
    }
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _number(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() and abs(value) < 2**53 else value


def _flag(value: bool | None) -> str:
    return "" if value is None else ("有" if value else "無")


def carry_over(rows: Sequence[TemplateRow], earlier: Survey) -> Carried:
    """Put the values of an earlier sheet into the new rows: by 手順ID, else by 業務 and 手順 name.

    Names are compared after NFKC, case folding and whitespace removal, the
    way the scanner matches them.  A row that finds no place, or a second row
    for the same place, becomes an :class:`Orphan`.
    """
    by_id: dict[str, list[int]] = {}
    by_name: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(rows):
        by_id.setdefault(row.step_id, []).append(index)
        for name in row.names or (row.process,):
            for step in dict.fromkeys(comparable(s) for s in (row.step, *row.step_names)):
                by_name.setdefault((comparable(name), step), []).append(index)
    values: dict[int, dict[str, object]] = {}
    orphans: list[Orphan] = []
    for old in earlier.rows:
        filled = row_values(old)
        place, reason = _place(old, rows, by_id, by_name)
        if place is not None and place in values:
            reason = f"a second row for the same place (row {values[place]['_line']})"
            place = None
        if place is None:
            orphans.append(Orphan(old, filled, reason))
            continue
        values[place] = {"_line": old.line, **filled}
    carried = tuple(
        replace(row, values={k: v for k, v in values[i].items() if k != "_line"}) if i in values else row
        for i, row in enumerate(rows)
    )
    return Carried(carried, tuple(orphans), sum(1 for v in values.values() if len(v) > 1))


def earlier_orphans(path: Path) -> tuple[tuple[object, ...], ...]:
    """The rows of an earlier workbook's 前回の行 sheet, so that a second re-generation keeps them too.

    Called only on a workbook :func:`scoring.survey.load_survey` accepted
    (size and unpacked size within the limits); read streaming, at most as
    many rows as a survey sheet may have and as wide as that sheet's header.
    """
    from openpyxl import load_workbook

    from bpm.limits import MAX_SURVEY_ROWS

    if path.suffix.casefold() not in (".xlsx", ".xlsm"):
        return ()
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        if ORPHANS_SHEET not in workbook.sheetnames:
            return ()
        width = len(_orphan_titles())
        rows = workbook[ORPHANS_SHEET].iter_rows(min_row=2, max_row=MAX_SURVEY_ROWS, max_col=width, values_only=True)
        return tuple(tuple(row) for row in rows if any(cell not in (None, "") for cell in row))
    finally:
        workbook.close()


def _place(
    old: SurveyRow, rows: Sequence[TemplateRow], by_id: Mapping[str, list[int]],
    by_name: Mapping[tuple[str, str], list[int]],
) -> tuple[int | None, str]:
    process_key = comparable(old.process)
    if old.step_id:
        found = by_id.get(old.step_id, [])
        if len(found) > 1:
            found = [i for i in found if process_key in {comparable(n) for n in rows[i].names}]
        if len(found) == 1:
            return found[0], ""
    found = by_name.get((process_key, comparable(old.step)), [])
    if old.is_flow_row:
        found = [i for i in found if rows[i].kind is RowKind.FLOW]
    if len(found) == 1:
        return found[0], ""
    if len(found) > 1:
        return None, f"{len(found)} rows of the flows have this 業務 and 手順"
    what = f"手順ID {old.step_id}" if old.step_id else (f"手順 {old.step}" if old.step else f"業務 {old.process}")
    return None, f"{what} is no longer in the flows"


# --------------------------------------------------------------------------- the workbook


TITLE = "業務量調査票"
NOTE = ("灰色のセル（業務・手順ID・手順・レーン・種類）はフロー図から転記しています。白いセルに記入してください。"
        "件数は年間、処理時間は1回あたりの分。 / Grey cells come from the BPMN files; fill in the white cells.")

_HINTS: Mapping[str, tuple[str, str]] = {
    "annual_count": ("件数", "業務の行: 年間の件数。手順の行: その手順を年に何回行うか（空欄ならフロー図から計算）。"
                     "/ Cases a year (業務 row) or executions a year (step row; blank = computed from the flow)."),
    "march_count": ("3月件数", "繁忙期3月の件数（任意）。/ Cases in March (optional)."),
    "april_count": ("4月件数", "繁忙期4月の件数（任意）。/ Cases in April (optional)."),
    "minutes": ("処理時間(分)", "1回あたりの作業時間（分）。待ち時間は含めません。/ Minutes of work per execution."),
    "exception_rate": ("例外率", "定型どおりに進まない割合。15% のように入力。/ Share of cases that need extra "
                       "handling, e.g. 15%."),
    "input": ("入力形式", "紙・電子・混在から選択。/ Choose paper (紙), digital (電子) or mixed (混在)."),
    "systems": ("使用システム", "使うシステム名。複数は「・」で区切る。/ Systems used, separated by ・."),
    "judgment": ("判断", "担当者の裁量による判断が要るか: 有・無。/ Does the step need judgment? 有 = yes, 無 = no."),
    "legal_authority": ("公権力の行使", "審査・決定・交付決定など公権力の行使か: 有・無。"
                        "迷うときは空欄（要確認になります）。"
                        "/ Exercise of public authority? Leave blank when unsure."),
    "legal_basis": ("公権力の判断根拠", "手順名が公権力の行使に見えても「無」とする理由（任意）。/ Why 無 although "
                    "the name reads like a decision (optional)."),
    "probability": ("分岐確率", "この分岐に進む割合（イベントの行は起きる割合）。10% のように入力。"
                    "/ Share of cases taking this branch, e.g. 10%."),
    "section": ("課", "担当の課（任意）。/ Section (optional)."),
    "unit": ("係", "担当の係（任意）。/ Unit (optional)."),
    "staff_type": ("職種", "今担当している職種: 正規・会計年度任用・再任用（任意）。/ Staff type (optional)."),
    "basis": ("推計/出典", "数値の区分: 実測・推計・出典あり。/ Measured, estimated or quoted."),
    "sources": ("出典", "数値の出典（資料名やキー）。/ Source of the figures."),
    "note": ("備考", "自由記入。/ Free text."),
}
"""Input hint of each fill-in column: (title ≤ 32 characters, text ≤ 255 characters)."""

_LISTS: Mapping[str, tuple[str, Literal["stop", "warning"]]] = {
    "input": ("紙,電子,混在", "stop"),
    "judgment": ("有,無", "stop"),
    "legal_authority": ("有,無", "stop"),
    "staff_type": ("正規,会計年度任用,再任用", "warning"),
    "basis": ("実測,推計,出典あり", "warning"),
}
"""Drop-down lists (comma-separated, as Excel stores them) and whether other text is refused or warned about."""

_RANGES: Mapping[str, tuple[float, str]] = {
    "annual_count": (MAX_ANNUAL_COUNT, "0以上の数値 / a number ≥ 0"),
    "march_count": (MAX_ANNUAL_COUNT, "0以上の数値 / a number ≥ 0"),
    "april_count": (MAX_ANNUAL_COUNT, "0以上の数値 / a number ≥ 0"),
    "minutes": (MAX_MINUTES, "0以上の分数 / minutes ≥ 0"),
    "exception_rate": (1, "0%〜100% / a share between 0 and 1"),
    "probability": (1, "0%〜100% / a share between 0 and 1"),
}
"""Number checks: upper bound (the reader's limits) and the error text."""

_PERCENT = ("exception_rate", "probability")

INSTRUCTIONS: tuple[tuple[str, str], ...] = (
    ("業務量調査票 記入要領", "Workload survey: how to fill it in"),
    ("この調査票は BPMN のフロー図から作成しています（bpm survey）。行は3種類です。",
     "This sheet was made from the BPMN flows (bpm survey). It has three kinds of rows."),
    ("業務の行（種類「業務（年間件数）」）: 年間の件数と、繁忙期（3月・4月）の件数。",
     "業務 rows: cases a year, and cases in March and April."),
    ("手順の行: 1回あたりの処理時間（分）、例外率、入力形式、使用システム、判断・公権力の行使の有無。",
     "Step rows: minutes per execution, exception rate, input form, systems, judgment and public authority."),
    ("分岐の行（種類「分岐…」「境界イベント」など）: その分岐に進む割合（分岐確率）。"
     "同じ分岐点の割合の合計は100%以下。",
     "Branch rows: the share of cases taking each branch; the shares of one split add up to at most 100%."),
    ("灰色のセル（業務・手順ID・手順・レーン・種類）は照合に使うため変更できません（シートの保護。パスワードなし）。",
     "Grey cells identify the row and are locked (sheet protection without a password)."),
    ("白いセルだけに記入します。選択肢のあるセルはドロップダウンから選び、割合は 15% のように入力します。",
     "Fill in the white cells only; pick from the drop-downs, and type shares as 15%."),
    ("わからない値は空欄のままにしてください。空欄の手順は既定値で計算され、レポートの「データの不足」に載ります。",
     "Leave unknown values blank: the report uses defaults for them and lists them under data gaps."),
    ("公権力の行使は、迷うときは空欄にします（レポートで「要確認」となり、委託候補にはなりません）。",
     "When unsure whether a step exercises public authority, leave it blank: it stays with staff as 要確認."),
    ("課・係・職種は任意です。記入すると費用の計算に使われます。",
     "課 (section), 係 (unit) and 職種 (staff type) are optional; the cost model uses them when given."),
    ("フロー図が変わったら、同じファイルを指定して bpm survey を再実行します。記入済みの値は手順IDで引き継がれ、"
     "なくなった手順の行はシート「前回の行（対応なし）」に残ります。",
     "When the flows change, run bpm survey again on the same file: filled values follow their 手順ID, and rows "
     "of removed steps move to the sheet 前回の行（対応なし）."),
    ("記入後は bpm score / bpm scan の --survey にこのファイルを指定します"
     "（フォルダに置く場合は survey.xlsx の名前で1つだけ）。",
     "Then pass the file to bpm score / bpm scan with --survey (or put it in the folder as the only survey.xlsx)."),
)


def survey_workbook(carried: Carried, *, title: str = TITLE) -> bytes:
    """The workbook's bytes: 記入要領, 業務量調査 and, when needed, the earlier rows without a place."""
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    _instructions(first)
    _survey_sheet(workbook.create_sheet(SHEET), carried.rows, title)
    if carried.orphans or carried.kept_orphans:
        _orphans_sheet(workbook.create_sheet(ORPHANS_SHEET), carried.orphans, carried.kept_orphans)
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(sheet: Any) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.title = INSTRUCTIONS_SHEET
    sheet.column_dimensions["A"].width = 100
    for index, (ja, en) in enumerate(INSTRUCTIONS, start=1):
        cell = sheet.cell(row=index, column=1, value=f"{ja}\n{en}")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if index == 1:
            cell.font = Font(bold=True, size=14)
    sheet.protection.sheet = True


def _survey_sheet(sheet: Any, rows: Sequence[TemplateRow], title: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    grey = PatternFill("solid", fgColor="E7E6E6")
    _text_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    _text_cell(sheet, 2, 1, NOTE)
    for index, (column, width) in enumerate(COLUMNS, start=1):
        cell = _text_cell(sheet, HEADER_ROW, index, header(column))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    position = {column: index for index, (column, _) in enumerate(COLUMNS, start=1)}
    open_cells: dict[str, list[str]] = {column: [] for column, _ in COLUMNS}
    for number, row in enumerate(rows, start=HEADER_ROW + 1):
        identity = {"process": row.process, "step_id": row.step_id, "step": row.step, "lane": row.lane,
                    "element_type": row.element_type}
        for column, value in identity.items():
            _text_cell(sheet, number, position[column], value).fill = grey
        fill_in = set(FILL_IN[row.kind]) | set(row.values)
        for column, _ in COLUMNS:
            if column in IDENTITY:
                continue
            cell = sheet.cell(row=number, column=position[column])
            if column in fill_in:
                cell.protection = Protection(locked=False)
                open_cells[column].append(cell.coordinate)
                if column in _PERCENT:
                    cell.number_format = "0.0%"
            else:
                cell.fill = grey
            filled = row.values.get(column)
            if filled is not None:
                _set(cell, filled)
    _validations(sheet, open_cells)
    sheet.freeze_panes = f"F{HEADER_ROW + 1}"
    last = HEADER_ROW + max(len(rows), 1)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{last}"
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False  # filtering stays possible on the protected sheet
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _validations(sheet: Any, open_cells: Mapping[str, Sequence[str]]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    for column, cells in open_cells.items():
        if not cells:
            continue
        title, prompt = _HINTS[column]
        if column in _LISTS:
            items, style = _LISTS[column]
            rule = DataValidation(type="list", formula1=f'"{items}"', allow_blank=True, errorStyle=style,
                                  error=f"{items.replace(',', '・')} から選んでください / choose from the list")
        elif column in _RANGES:
            upper, message = _RANGES[column]
            rule = DataValidation(type="decimal", operator="between", formula1="0", formula2=f"{upper:g}",
                                  allow_blank=True, errorStyle="stop", error=message)
        else:
            rule = DataValidation(allow_blank=True)  # free text: only the input hint
        rule.showInputMessage = True
        rule.promptTitle = title
        rule.prompt = prompt
        rule.showErrorMessage = column in _LISTS or column in _RANGES
        rule.errorTitle = title
        rule.sqref = _ranges(cells)
        sheet.add_data_validation(rule)


def _ranges(cells: Sequence[str]) -> str:
    """Cells of one column as Excel ranges: ``F4 F5 F6 F9`` → ``F4:F6 F9`` (short, however long the sheet).

    >>> _ranges(["F4", "F5", "F6", "F9"])
    'F4:F6 F9'
    """
    from openpyxl.utils.cell import coordinate_from_string

    parts: list[str] = []
    start = end = None
    letter = ""
    for cell in cells:
        column, number = coordinate_from_string(cell)
        if start is not None and end is not None and column == letter and number == end + 1:
            end = number
            continue
        if start is not None:
            parts.append(f"{letter}{start}" if start == end else f"{letter}{start}:{letter}{end}")
        letter, start, end = column, number, number
    if start is not None:
        parts.append(f"{letter}{start}" if start == end else f"{letter}{start}:{letter}{end}")
    return " ".join(parts)


def _orphans_sheet(sheet: Any, orphans: Sequence[Orphan], kept: Sequence[Sequence[object]]) -> None:
    from openpyxl.styles import Font

    columns = _orphan_columns()
    for index, title in enumerate(_orphan_titles(), start=1):
        _text_cell(sheet, 1, index, title).font = Font(bold=True)
    for number, orphan in enumerate(orphans, start=2):
        sheet.cell(row=number, column=1, value=orphan.row.line)
        _text_cell(sheet, number, 2, orphan.reason)
        identity = {"process": orphan.row.process, "step_id": orphan.row.step_id, "step": orphan.row.step}
        for index, column in enumerate(columns, start=3):
            value = identity.get(column, orphan.values.get(column))
            if value is not None and value != "":
                _set(sheet.cell(row=number, column=index), value)
    for number, cells in enumerate(kept, start=len(orphans) + 2):
        for index, value in enumerate(cells, start=1):
            if value is not None and value != "":
                _set(sheet.cell(row=number, column=index), value)


def _orphan_columns() -> list[str]:
    return [column for column, _ in COLUMNS if column not in ("lane", "element_type")]


def _orphan_titles() -> list[str]:
    return ["前回の行 / earlier row", "理由 / reason", *(header(c) for c in _orphan_columns())]


def _text_cell(sheet: Any, row: int, column: int, text: str) -> Any:
    cell = sheet.cell(row=row, column=column)
    _set(cell, text)
    return cell


def _set(cell: Any, value: object) -> None:
    """A value as data, never a formula: text is a string cell, quote-prefixed when it looks like a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:MAX_CELL_CHARS]
        cell.data_type = "s"
        if starts_formula(value):
            cell.quotePrefix = True
    elif isinstance(value, float) and not math.isfinite(value):
        cell.value = None
    else:
        cell.value = value


def write_survey_workbook(carried: Carried, path: Path) -> None:
    """Write next to the target and rename, so an interrupted run never leaves half a workbook."""
    import os

    data = survey_workbook(carried)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        scratch.write_bytes(data)
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
