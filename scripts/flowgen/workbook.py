"""The 業務量調査 workbook (flows/survey.xlsx), its CSV twin for the tests, and the ja→en glossary.

The sheet is what a 市民課 would fill in: one row per 業務 for the annual
cases and the peak months, one row per step for minutes and what the step
is, one row per branch for its share; 課・係・職種 on every row; each row
marked 推計 or 出典あり with the source keys of the 出典 sheet.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from flowgen.sources import SOURCES
from flowgen.spec import TASK_KINDS, Evidence, FileSpec, Flow, Node, ProcessSpec

COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("process", "業務", 26),
    ("section", "課", 14),
    ("unit", "係", 14),
    ("staff_type", "職種", 12),
    ("step_id", "手順ID", 24),
    ("step", "手順", 30),
    ("annual_count", "件数", 9),
    ("march_count", "3月件数", 9),
    ("april_count", "4月件数", 9),
    ("minutes", "処理時間(分)", 11),
    ("exception_rate", "例外率", 8),
    ("input", "入力形式", 9),
    ("systems", "使用システム", 22),
    ("judgment", "判断", 6),
    ("legal_authority", "公権力の行使", 11),
    ("legal_basis", "公権力の判断根拠", 40),
    ("probability", "分岐確率", 9),
    ("basis", "推計/出典", 10),
    ("sources", "出典", 12),
    ("note", "備考", 60),
)
"""(field, Japanese header, Excel column width)."""
TITLE = "業務量調査票（令和7年度）　市民課・保険年金課・こども家庭課ほか"
SUBTITLE = ("人口約20万人の市を想定した例示の数値です（実在の自治体の実績ではありません）。件数は年間、処理時間"
            "は1回あたりの分。"
            "「推計/出典」は 推計＝推計値（考え方は備考）、出典あり＝出典の数値をそのまま使用。「出典」は出典シ"
            "ートのキー。")
ASSUMPTION = "仮定"


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row of the 業務量調査 sheet, as cell values."""

    process: str
    section: str = ""
    unit: str = ""
    staff_type: str = ""
    step_id: str = ""
    step: str = ""
    annual_count: object = None
    march_count: object = None
    april_count: object = None
    minutes: object = None
    exception_rate: object = None
    input: str = ""
    systems: str = ""
    judgment: str = ""
    legal_authority: str = ""
    legal_basis: str = ""
    probability: object = None
    basis: str = ""
    sources: str = ""
    note: str = ""

    def cells(self) -> list[object]:
        return [getattr(self, name) for name, _, _ in COLUMNS]


def _flag(value: bool | None) -> str:
    return "" if value is None else ("有" if value else "無")


def _keys(evidence: Evidence) -> str:
    return "・".join(evidence.sources) if evidence.sources else ASSUMPTION


def _step_row(process: ProcessSpec, node: Node, with_id: bool) -> SheetRow:
    facts = node.facts
    assert facts is not None
    minutes: object = facts.minutes
    note = facts.evidence.note
    if minutes is None and node.kind in ("serviceTask", "sendTask", "receiveTask", "businessRuleTask") and \
            not facts.staff_type:
        minutes, note = 0, (note + " " if note else "") + "システムが自動で処理（職員の作業時間なし）。"
    return SheetRow(
        process.name, process.volume.section, process.volume.unit, facts.staff_type,
        node.id if with_id else "", node.name, minutes=minutes, exception_rate=facts.exception_rate,
        input=facts.input, systems=facts.systems, judgment=_flag(facts.judgment),
        legal_authority=_flag(facts.legal), legal_basis=facts.legal_basis, basis=facts.evidence.basis,
        sources=_keys(facts.evidence), note=note,
    )


def _branch_row(process: ProcessSpec, flow: Flow) -> SheetRow:
    gateway = process.node(flow.source)
    label = f"{gateway.name} → {flow.name}" if gateway.name else flow.name
    return SheetRow(process.name, process.volume.section, process.volume.unit, "", flow.id, label,
                    probability=flow.probability, basis=flow.evidence.basis, sources=_keys(flow.evidence),
                    note=flow.evidence.note)


def _share_row(process: ProcessSpec, event_id: str, with_id: bool) -> SheetRow:
    event = process.node(event_id)
    share = dict(process.shares)[event_id]
    return SheetRow(process.name, process.volume.section, process.volume.unit, "", event_id if with_id else "",
                    event.name, probability=share.probability, basis=share.evidence.basis,
                    sources=_keys(share.evidence), note=share.evidence.note)


def process_rows(process: ProcessSpec) -> list[SheetRow]:
    """The rows of one process, in the order a 係 would list them (flow row first)."""
    volume = process.volume
    by_id: dict[str, SheetRow] = {
        process.id: SheetRow(process.name, volume.section, volume.unit, "", "", "", volume.annual, volume.march,
                             volume.april, basis=volume.evidence.basis, sources=_keys(volume.evidence),
                             note=volume.evidence.note)
    }
    plan = process.sheet
    wanted = None if process.carry == "survey" else set(plan.rows)
    for node in process.nodes:
        if node.kind in TASK_KINDS and (wanted is None or node.id in wanted):
            by_id[node.id] = _step_row(process, node, plan.ids)
    for flow in process.flows:
        if flow.probability is not None and (wanted is None or flow.id in wanted):
            by_id[flow.id] = _branch_row(process, flow)
    shares = dict(process.shares)
    for node in process.nodes:
        if node.id in shares and (wanted is None or node.id in wanted):
            by_id[node.id] = _share_row(process, node.id, plan.ids)
        elif wanted is not None and node.id in wanted and node.id not in by_id:
            by_id[node.id] = SheetRow(process.name, volume.section, volume.unit, "", "", node.name)
    for element, cells in (*plan.values, *plan.overrides):
        by_id[element] = replace(by_id[element], **dict(cells))  # type: ignore[arg-type]
    return list(by_id.values())


def sheet_rows(specs: Iterable[FileSpec]) -> list[SheetRow]:
    return [row for spec in specs for process in spec.processes for row in process_rows(process)]


# --------------------------------------------------------------------------- writing


def _deterministic(data: bytes) -> bytes:
    """The same workbook gives the same bytes: fixed timestamps in the zip."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 4, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-04-01T09:00:00Z", content)
            target.writestr(fixed, content)
    return out.getvalue()


def workbook_bytes(rows: Sequence[SheetRow]) -> bytes:
    """flows/survey.xlsx: the survey sheet, the sources and the notes on how to read it."""
    import datetime

    book = Workbook()
    fixed = datetime.datetime(2025, 4, 1, 9, 0, 0)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.properties.creator = "scripts/build_flows.py"
    book.properties.title = "業務量調査票（例示）"
    sheet = book.active
    assert sheet is not None
    sheet.title = "業務量調査"
    sheet.append([TITLE])
    sheet.append([SUBTITLE])
    sheet.append([header for _, header, _ in COLUMNS])
    for row in rows:
        sheet.append(row.cells())
    bold = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[3]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, (name, _, width) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        if name in ("annual_count", "march_count", "april_count"):
            for cell in sheet[letter][3:]:
                cell.number_format = "#,##0"
        if name in ("probability", "exception_rate"):
            for cell in sheet[letter][3:]:
                cell.number_format = "0.000"
    sheet.freeze_panes = "G4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(COLUMNS))}{sheet.max_row}"
    _sources_sheet(book, rows)
    _notes_sheet(book)
    out = io.BytesIO()
    book.save(out)
    return _deterministic(out.getvalue())


def _sources_sheet(book: Workbook, rows: Sequence[SheetRow]) -> None:
    used: list[str] = []
    for row in rows:
        for key in row.sources.split("・"):
            if key and key not in used:
                used.append(key)
    ordered = sorted(used, key=lambda k: (k == ASSUMPTION, int(k[1:]) if k[1:].isdigit() else 0))
    sheet = book.create_sheet("出典")
    sheet.append(["キー", "資料", "所在（URL）", "使った行数"])
    for key in ordered:
        title, url = SOURCES[key]
        count = sum(key in row.sources.split("・") for row in rows)
        sheet.append([key, title, url, count])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 80
    sheet.column_dimensions["D"].width = 10


NOTES = (
    ("この票について", "人口約20万人の市を想定した例示の業務量調査票です。数値は shared/domain/counter-procedure"
                       "s.md の推計・出典に基づき、"
     "実在の自治体の実績値ではありません。"),
    ("行の種類", "手順が空の行＝業務全体（年間件数と3月・4月の件数）。手順ID がシーケンスフローの行＝分岐確率。"
     "境界イベント（例: 1か月経過）や開始イベントの行＝そのイベントが起きる割合。それ以外＝手順の行。"),
    ("推計/出典", "推計＝出典の数値から按分・仮定して求めた値（考え方は備考）。出典あり＝出典に書かれた数値や割"
                  "合をそのまま使用。"),
    ("出典", "出典シートのキー（S1〜S69 は counter-procedures.md の資料番号、「仮定」は根拠資料のない仮定）。"),
    ("課・係・職種", "職種は現在その手順を担当している職員の任用（正規・会計年度任用・再任用）または委託。"),
    ("公権力の行使・判断根拠", "公権力の行使＝審査・受理／交付の決定など、その手順が公権力の行使にあたるか（有／無）。"
     "手順名が判断を表すように読めても公権力の行使にあたらないときは「無」とし、理由を「公権力の判断根拠」に書く"
     "（判断根拠のない「無」は名前などの根拠と食い違うとエラー。判断根拠つきの上書きはレポートに一覧されます）。"),
    ("BPMN との関係", "転入届・住民票の写し等の交付・印鑑登録の3業務は、手順の数値を BPMN の camunda:properties "
                      "に持ち、"
     "この票には後から測り直した数行だけを載せています（票の値が優先）。それ以外の業務は数値をこの票だけに持ちます。"),
    ("表記ゆれ", "照合の動作を確かめるため、手入力の表記ゆれ（全角・半角、空白、中点）、全角数字、古いID、"
     "名前の変わった手順を意図的に含めています。照合できない行はレポートの「データの不足」に載ります。"),
)


def _notes_sheet(book: Workbook) -> None:
    sheet = book.create_sheet("記入要領")
    sheet.append(["項目", "説明"])
    for item in NOTES:
        sheet.append(list(item))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 120


def csv_bytes(rows: Sequence[SheetRow]) -> bytes:
    """The survey sheet as Excel saves it with 「CSV UTF-8」 (BOM, CRLF), title rows included."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow([SUBTITLE])
    writer.writerow([header for _, header, _ in COLUMNS])
    for row in rows:
        writer.writerow(["" if value is None else value for value in row.cells()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --------------------------------------------------------------------------- glossary


def glossary(specs: Iterable[FileSpec]) -> list[tuple[str, str, str]]:
    """(ja, en, kind) for every procedure, pool, lane, step, event, gateway and named flow, first use first."""
    found: dict[str, tuple[str, str]] = {}

    def add(ja: str, en: str, kind: str) -> None:
        if not ja:
            return
        if not en:
            raise ValueError(f"{ja!r} ({kind}) has no English name")
        if ja in found and found[ja][0] != en:
            raise ValueError(f"{ja!r} is translated two ways: {found[ja][0]!r} and {en!r}")
        found.setdefault(ja, (en, kind))

    for spec in specs:
        for pool in spec.pools:
            add(pool.name, pool.en, "pool")
            process = pool.process
            if process is None:
                continue
            add(process.name, process.en, "procedure")
            for lane in process.lanes:
                add(lane.name, lane.en, "lane")
            for node in process.nodes:
                kind = "step" if node.kind in TASK_KINDS else ("gateway" if "Gateway" in node.kind else "event")
                add(node.name, node.en, kind)
            for flow in process.flows:
                add(flow.name, flow.en, "flow")
        for message in spec.messages:
            add(message.name, message.en, "message")
    return [(ja, en, kind) for ja, (en, kind) in found.items()]


def glossary_bytes(entries: Sequence[tuple[str, str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ja", "en", "kind"])
    writer.writerows(entries)
    return out.getvalue().encode("utf-8")
