"""`bpm survey`'s workbook: pre-filled rows, Excel checks and protection, read-back row for row, re-generation."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.survey_workbook import (
    COLUMNS,
    FILL_IN,
    HEADER_ROW,
    IDENTITY,
    ORPHANS_SHEET,
    SHEET,
    Carried,
    RowKind,
    TemplateRow,
    carry_over,
    earlier_orphans,
    header,
    survey_workbook,
    template_rows,
    write_survey_workbook,
)
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.survey import COLUMN_ALIASES, ProcessSteps, Survey, load_survey, match_survey
from scoring.volumes import units_of

FLOWS = Path(__file__).resolve().parents[2] / "flows"
MODELS = [read_bpmn(path) for path in sorted(FLOWS.glob("*.bpmn"))]


def fresh(rows: list[TemplateRow]) -> Carried:
    return carry_over(rows, Survey("none", (), ()))


def load_survey_bytes(data: bytes) -> Survey:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.xlsx"
        path.write_bytes(data)
        return load_survey(path)


def units() -> list[ProcessSteps]:
    return [ProcessSteps(u.file, u.process, u.steps, u.pool_name) for u in units_of(MODELS)]


# one value per fill-in column, as a person would type it (and what the reader makes of it)
TYPED: dict[str, object] = {
    "annual_count": 1234, "march_count": 150, "april_count": 160, "minutes": 7.5, "exception_rate": 0.15,
    "input": "混在", "systems": "住基システム・CS", "judgment": "有", "legal_authority": "無",
    "legal_basis": "定型の入力のみ", "probability": 0.25, "section": "市民課", "unit": "住民記録係",
    "staff_type": "会計年度任用", "basis": "実測", "sources": "R6実績", "note": "＝見直し予定（全角の等号）",
}


def fill(path: Path) -> dict[int, tuple[RowKind, dict[str, object]]]:
    """Fill every open cell of every row with a value that varies by row; return what was typed per row."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[SHEET]
    position = {sheet.cell(row=HEADER_ROW, column=i).value: i for i in range(1, sheet.max_column + 1)}
    rows = template_rows(MODELS)
    typed: dict[int, tuple[RowKind, dict[str, object]]] = {}
    for number, row in enumerate(rows, start=HEADER_ROW + 1):
        assert sheet.cell(row=number, column=position[header("step_id")]).value == row.step_id
        values: dict[str, object] = {}
        for column in FILL_IN[row.kind]:
            value = TYPED[column]
            if column == "probability":
                value = round(0.01 * (number % 50), 2)
            elif isinstance(value, int | float) and column != "exception_rate":
                value = value + number  # a different figure on every row
            values[column] = value
            sheet.cell(row=number, column=position[header(column)], value=value)
        typed[number] = (row.kind, values)
    workbook.save(path)
    return typed


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("survey") / "survey.xlsx"
    write_survey_workbook(fresh(template_rows(MODELS)), path)
    return path


def test_the_headers_are_exactly_what_the_reader_reads(generated: Path) -> None:
    survey = load_survey(generated)
    assert survey.sheet == SHEET and survey.header_line == HEADER_ROW
    assert survey.ignored_columns == ()
    assert survey.columns == tuple(column for column, _ in COLUMNS)
    assert all(header(column) == COLUMN_ALIASES[column][0] for column, _ in COLUMNS)


def test_one_row_per_process_step_and_branch(generated: Path) -> None:
    rows = template_rows(MODELS)
    every_unit = units_of(MODELS)
    assert [r.step_id for r in rows if r.kind is RowKind.FLOW] == [u.process.id for u in every_unit]
    assert sorted(r.step_id for r in rows if r.kind is RowKind.STEP) == sorted(s.id for u in every_unit
                                                                                for s in u.steps)
    splits = [f.id for u in every_unit for f in u.process.flows.values()
              if (g := u.process.nodes.get(f.source_id)) is not None
              and g.kind.value in ("exclusiveGateway", "inclusiveGateway")
              and sum(1 for o in u.process.flows.values() if o.source_id == g.id) > 1]
    branch_ids = {r.step_id for r in rows if r.kind is RowKind.BRANCH}
    assert set(splits) <= branch_ids
    assert "Event_KaitoKigen" in branch_ids  # the 1か月経過 boundary timer of 印鑑登録 takes a share too
    tennyu = [r for r in rows if r.process == "転入届"]
    assert tennyu[0].kind is RowKind.FLOW
    uketsuke = next(r for r in tennyu if r.kind is RowKind.STEP)
    assert uketsuke.lane and uketsuke.element_type  # レーン and 種類 pre-filled


def test_a_filled_sheet_reads_back_row_for_row(generated: Path, tmp_path: Path) -> None:
    path = tmp_path / "filled.xlsx"
    path.write_bytes(generated.read_bytes())
    typed = fill(path)
    survey = load_survey(path)
    rows = template_rows(MODELS)
    assert [r.line for r in survey.rows] == list(typed)
    for read, made in zip(survey.rows, rows, strict=True):
        kind, values = typed[read.line]
        assert kind is made.kind
        assert (read.process, read.step_id, read.step, read.lane, read.element_type) == (
            made.process, made.step_id, made.step, made.lane, made.element_type)
        assert read.annual_count == values.get("annual_count")
        assert read.march_count == values.get("march_count") and read.april_count == values.get("april_count")
        assert read.minutes == values.get("minutes")
        assert read.exception_rate == values.get("exception_rate")
        assert read.probability == values.get("probability")
        assert read.input_label == values.get("input", "")
        assert read.input_form == ("mixed" if "input" in values else None)
        assert read.systems == (("住基システム", "CS") if "systems" in values else ())
        assert read.judgment is (True if "judgment" in values else None)
        assert read.legal_authority is (False if "legal_authority" in values else None)
        for text in ("legal_basis", "section", "unit", "staff_type", "basis", "sources", "note"):
            assert getattr(read, text) == values.get(text, ""), (read.line, text)
    match = match_survey(survey, units())
    assert [g for g in match.gaps if g.kind != "legal-basis-without-class"] == []
    placed = len(match.cases) + len(match.steps) + sum(len(p) for p in match.probabilities.values())
    assert placed == len(survey.rows)


def test_excel_checks_hints_and_protection(generated: Path) -> None:
    workbook = openpyxl.load_workbook(generated)
    assert workbook.sheetnames[0] == "記入要領" and SHEET in workbook.sheetnames
    instructions = workbook["記入要領"]
    assert "記入要領" in str(instructions["A1"].value)
    sheet = workbook[SHEET]
    assert sheet.protection.sheet is True and not sheet.protection.password
    position = {column: index for index, (column, _) in enumerate(COLUMNS, start=1)}
    rules = sheet.data_validations.dataValidation
    by_cell = {}
    for rule in rules:
        assert rule.showInputMessage and rule.prompt and rule.promptTitle
        assert len(rule.prompt) <= 255 and len(rule.promptTitle) <= 32  # Excel's limits
        for cells in rule.sqref.ranges:
            for (row, col) in cells.cells:
                by_cell[(row, col)] = rule
    kinds = {row.step_id: row.kind for row in template_rows(MODELS)}
    formulas = 0
    for number in range(HEADER_ROW + 1, sheet.max_row + 1):
        kind = kinds[str(sheet.cell(row=number, column=position["step_id"]).value)]
        for column, index in position.items():
            cell = sheet.cell(row=number, column=index)
            formulas += cell.data_type == "f"
            if column in IDENTITY:
                assert cell.protection.locked, (number, column)
            elif column in FILL_IN[kind]:
                assert not cell.protection.locked, (number, column)
                assert (number, index) in by_cell, (number, column)
            else:
                assert cell.protection.locked, (number, column)
    assert formulas == 0
    judgment = by_cell[next(k for k in by_cell if k[1] == position["judgment"])]
    assert judgment.type == "list" and judgment.formula1 == '"有,無"' and judgment.errorStyle == "stop"
    form = by_cell[next(k for k in by_cell if k[1] == position["input"])]
    assert form.formula1 == '"紙,電子,混在"'
    minutes = by_cell[next(k for k in by_cell if k[1] == position["minutes"])]
    assert (minutes.type, minutes.operator, minutes.formula1) == ("decimal", "between", "0")


def test_names_that_look_like_formulas_stay_text() -> None:
    xml = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <process id="P" name="=HYPERLINK(&quot;http://x&quot;)"><startEvent id="s"/>
      <task id="T" name="＋1 確認"/><task id="U" name="@SUM(A1)"/><task id="V" name="&#9;=1+1"/>
      <task id="W" name="-2+3+cmd|' /C calc'!A0"/><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="T"/><sequenceFlow id="f2" sourceRef="T" targetRef="U"/>
      <sequenceFlow id="f3" sourceRef="U" targetRef="V"/><sequenceFlow id="f4" sourceRef="V" targetRef="W"/>
      <sequenceFlow id="f5" sourceRef="W" targetRef="e"/></process></definitions>""".encode()
    model = read_bpmn_bytes(xml, "hostile.bpmn")
    data = survey_workbook(fresh(template_rows([model])))
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    texts = [c for row in sheet.iter_rows(min_row=HEADER_ROW + 1) for c in row if isinstance(c.value, str)]
    risky = [c for c in texts if c.value.lstrip(" \t").startswith(("=", "＋", "@", "-"))]
    assert len(risky) == 9  # the 業務 on its five rows, and four step names
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    names = {r.step for r in load_survey_bytes(data).rows}
    assert {"＋1 確認", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0"} <= names  # read back as written (a tab is folded)


def test_regenerating_keeps_every_value_and_lists_gone_steps(generated: Path, tmp_path: Path) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_bytes(generated.read_bytes())
    fill(path)
    before = load_survey(path)
    again = carry_over(template_rows(MODELS), before)
    assert again.orphans == () and again.kept == len(before.rows)
    write_survey_workbook(again, path)
    assert load_survey(path).rows == before.rows

    # 転入届 loses a step (another with a new id and name takes its place): its row and values are
    # listed and kept on a sheet of their own
    tennyu = next(m for m in MODELS if m.file.endswith("tennyu.bpmn"))
    xml = (FLOWS / "tennyu.bpmn").read_bytes()
    gone = next(r for r in before.rows if r.process == "転入届" and r.minutes is not None
                and f'name="{r.step}"'.encode() in xml)
    cut = xml.replace(gone.step_id.encode(), b"Activity_Renamed").replace(
        f'name="{gone.step}"'.encode(), 'name="新しい手順"'.encode())
    changed = [read_bpmn_bytes(cut, tennyu.file) if m is tennyu else m for m in MODELS]
    shorter = carry_over(template_rows(changed), before)
    (orphan,) = shorter.orphans
    assert orphan.row.line == gone.line and orphan.values["minutes"] == gone.minutes
    assert orphan.reason == f"手順ID {gone.step_id} is no longer in the flows"
    write_survey_workbook(shorter, path)
    assert ORPHANS_SHEET in openpyxl.load_workbook(path).sheetnames
    kept = earlier_orphans(path)
    assert len(kept) == 1 and kept[0][0] == gone.line and gone.step in kept[0]

    # a third generation still has it (nothing is dropped on the way)
    third = carry_over(template_rows(changed), load_survey(path))
    assert third.orphans == ()
    from dataclasses import replace

    write_survey_workbook(replace(third, kept_orphans=earlier_orphans(path)), path)
    assert earlier_orphans(path) == kept


def test_carrying_the_bundled_hand_typed_sheet_gives_the_same_assessment(tmp_path: Path) -> None:
    """The sample's sheet (some rows without 手順ID, spelling variants) moved into a generated workbook scores alike."""
    bundled = load_survey(FLOWS / "survey.xlsx")
    carried = carry_over(template_rows(MODELS), bundled)
    renamed = {o.row.step for o in carried.orphans}
    assert renamed == {"封入発送", "資格取得入力"}  # the two steps the sample sheet knows under an old name
    path = tmp_path / "survey.xlsx"
    write_survey_workbook(carried, path)
    profile = load_profile(None)
    old = assess(MODELS, survey=bundled, profile=profile)
    new = assess(MODELS, survey=load_survey(path), profile=profile)
    assert new.totals.hours_per_year == pytest.approx(old.totals.hours_per_year, rel=1e-12)
    assert [(s.step_id, s.disposition) for p in new.processes for s in p.steps] == [
        (s.step_id, s.disposition) for p in old.processes for s in p.steps]
