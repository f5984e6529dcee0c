"""Review decisions: the real export filled in as a reviewer would (Excel via openpyxl, CSV), read back and matched."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from bpm.reader import read_bpmn
from reports.export_table import write_results
from scoring.assess import assess
from scoring.decisions import (
    DECISION_COLUMNS,
    Decision,
    DecisionSheetError,
    load_decisions,
    match_decisions,
    parse_decision,
)
from scoring.profile import load_profile
from scoring.result import Assessment
from scoring.table import COLUMNS, steps_frame

COUNTER = Path(__file__).resolve().parents[1] / "data" / "scoring" / "counter.bpmn"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return assess([read_bpmn(COUNTER)], profile=load_profile(None))


@pytest.fixture
def exported(assessment: Assessment, tmp_path: Path) -> Path:
    return write_results(steps_frame(assessment), tmp_path / "results.xlsx")


def _fill(path: Path, decisions: dict[str, tuple[object, object, object]], *, reverse: bool = False,
          move_columns: bool = False) -> Path:
    """Write 判断 / 担当 / コメント into an exported workbook the way a reviewer would in Excel."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    if reverse:
        body.reverse()  # sorted by another column
    if move_columns:  # 判断 dragged to the front
        order = [header.index("判断"), *(i for i in range(len(header)) if header[i] != "判断")]
        header = [header[i] for i in order]
        body = [[row[i] for i in order] for row in body]
    step = header.index("手順ID")
    for row in body:
        if row[step] in decisions:
            for column, value in zip(DECISION_COLUMNS, decisions[row[step]], strict=True):
                row[header.index(column)] = value
    sheet.delete_rows(1, sheet.max_row)
    for row in [header, *body]:
        sheet.append(row)
    target = path.with_name("decided.xlsx")
    workbook.save(target)
    return target


def test_export_has_empty_review_columns_at_the_end(assessment: Assessment, exported: Path) -> None:
    assert COLUMNS[-3:] == DECISION_COLUMNS == ("判断", "担当", "コメント")
    frame = pd.read_excel(exported, dtype=object)
    assert list(frame.columns[-3:]) == ["判断", "担当", "コメント"]
    assert frame[["判断", "担当", "コメント"]].isna().all().all()
    assert load_decisions(exported) == ()  # an untouched export decides nothing


def test_filled_workbook_reads_back_whatever_the_row_and_column_order(assessment: Assessment,
                                                                      exported: Path) -> None:
    steps = [s.step_id for s in assessment.processes[0].steps]
    filled = _fill(exported, {
        steps[0]: ("採用", "山田（市民課）", "来年度のRPA計画に入れる"),
        steps[1]: ("REJECT", None, None),
        steps[2]: ("保留", "佐藤", None),
        steps[3]: (None, "鈴木", "業者見積り待ち"),
    }, reverse=True, move_columns=True)
    decisions = load_decisions(filled)
    assert {d.step_id: d.decision for d in decisions} == {
        steps[0]: Decision.ACCEPT, steps[1]: Decision.REJECT, steps[2]: Decision.DEFER, steps[3]: None,
    }
    first = next(d for d in decisions if d.step_id == steps[0])
    assert (first.owner, first.comment, first.file) == ("山田（市民課）", "来年度のRPA計画に入れる", "counter.bpmn")
    assert first.row == len(steps) + 1  # reversed: the first step is on the last row
    reviews = match_decisions(assessment, decisions, sheet=str(filled))
    assert reviews.orphans == ()
    assert reviews.of(assessment.processes[0].steps[0]) == first
    assert (reviews.count(Decision.ACCEPT), reviews.count(None)) == (1, 1)
    again = steps_frame(assessment, reviews)  # the next export carries the decisions forward
    row = again[again["step_id"] == steps[0]].iloc[0]
    assert (row["判断"], row["担当"], row["コメント"]) == ("accept", "山田（市民課）", "来年度のRPA計画に入れる")


def test_csv_export_round_trips(assessment: Assessment, tmp_path: Path) -> None:
    path = write_results(steps_frame(assessment), tmp_path / "results.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("判断")] = "defer"
    rows[2][rows[0].index("コメント")] = "窓口の混雑を見てから"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    (decision,) = load_decisions(path)
    assert (decision.decision, decision.comment, decision.row) == (Decision.DEFER, "窓口の混雑を見てから", 3)


def test_a_word_that_is_not_a_decision_names_the_cell(exported: Path) -> None:
    frame = pd.read_excel(exported)
    step = frame["手順ID"][3]
    filled = _fill(exported, {step: ("acept", "山田", None)})
    column = openpyxl.utils.get_column_letter(list(frame.columns).index("判断") + 1)
    with pytest.raises(DecisionSheetError) as info:
        load_decisions(filled)
    error = info.value
    assert error.message == f"cell {column}5 (判断): 'acept' is not a decision"
    assert (error.file, error.line) == (str(filled), 5)
    assert error.hint == "write one of accept / reject / defer（採用 / 不採用 / 保留）, or leave it empty"


def test_decision_words_in_both_languages_and_widths() -> None:
    assert parse_decision("ＡＣＣＥＰＴ") is Decision.ACCEPT
    assert parse_decision("不採用") is Decision.REJECT
    assert parse_decision("継続検討") is Decision.DEFER
    assert parse_decision("  ") is None
    with pytest.raises(ValueError):
        parse_decision("たぶん")


def test_decisions_whose_step_is_gone_are_reported_not_dropped(assessment: Assessment, exported: Path) -> None:
    frame = pd.read_excel(exported, dtype=object)
    frame.loc[0, "判断"] = "accept"
    frame.loc[0, "手順ID"] = "T_Deleted"
    frame.loc[1, "判断"] = "reject"
    path = exported.with_name("edited.xlsx")
    frame.to_excel(path, index=False, sheet_name="results")
    reviews = match_decisions(assessment, load_decisions(path))
    (orphan,) = reviews.orphans
    assert (orphan.step_id, orphan.decision, orphan.row, orphan.name) == (
        "T_Deleted", Decision.ACCEPT, 2, frame.loc[0, "手順"])
    assert len(reviews.by_step) == 1


def test_sheet_without_file_column_matches_by_process_and_step(assessment: Assessment, tmp_path: Path) -> None:
    step = assessment.processes[0].steps[0]
    path = tmp_path / "short.csv"
    path.write_text(f"process_id,step_id,判断,担当\n{step.process_id},{step.step_id},採用,山田\n", encoding="utf-8")
    reviews = match_decisions(assessment, load_decisions(path))
    assert reviews.of(step) is not None and reviews.orphans == ()


def test_two_different_decisions_for_one_step_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("file,process_id,step_id,判断\na.bpmn,p,t,accept\na.bpmn,p,t,reject\n", encoding="utf-8")
    with pytest.raises(DecisionSheetError, match=r"step t has two different decisions \(rows 2 and 3\)"):
        load_decisions(path)
    path.write_text("file,process_id,step_id,判断\na.bpmn,p,t,accept\na.bpmn,p,t,採用\n", encoding="utf-8")
    assert len(load_decisions(path)) == 1  # the same decision twice is one decision


def test_unusable_sheets_are_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(DecisionSheetError, match="decisions sheet not found"):
        load_decisions(tmp_path / "missing.xlsx")
    no_column = tmp_path / "survey.csv"
    no_column.write_text("業務,step_id,process_id,件数\n転入届,t,p,10\n", encoding="utf-8")
    with pytest.raises(DecisionSheetError, match="the sheet has no 判断 column"):
        load_decisions(no_column)
    unrelated = tmp_path / "other.csv"
    unrelated.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DecisionSheetError, match="no header row with step_id and 判断"):
        load_decisions(unrelated)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(DecisionSheetError, match="cannot read the workbook"):
        load_decisions(broken)
    empty_id = tmp_path / "noid.csv"
    empty_id.write_text("file,process_id,step_id,判断\na.bpmn,p,,accept\n", encoding="utf-8")
    with pytest.raises(DecisionSheetError, match=r"cell C2 \(step_id\) is empty"):
        load_decisions(empty_id)
    (tmp_path / "x.ods").write_bytes(b"")
    with pytest.raises(DecisionSheetError, match=r"unknown decisions file type '\.ods'"):
        load_decisions(tmp_path / "x.ods")
