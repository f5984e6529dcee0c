"""flows/survey.xlsx as a 業務量調査 and flows/glossary.csv as the English report needs them."""

from __future__ import annotations

import csv
import re
import unicodedata

import openpyxl
import pytest
from flowsupport import FLOWS, SAMPLES

from bpm.reader import read_bpmn
from scoring.survey import Survey, load_survey

WORKBOOK = FLOWS / "survey.xlsx"
STAFF_TYPES = {"正規", "会計年度任用", "再任用", "委託"}


@pytest.fixture(scope="module")
def survey() -> Survey:
    return load_survey(WORKBOOK)


def test_every_row_carries_section_mark_and_source(survey: Survey) -> None:
    book = openpyxl.load_workbook(WORKBOOK, read_only=True)
    assert book.sheetnames == ["業務量調査", "出典", "記入要領"]
    listed = {row[0] for row in book["出典"].iter_rows(min_row=2, values_only=True)}
    assert survey.ignored_columns == ()
    for row in survey.rows:
        assert row.section and row.unit, row.line
        assert row.basis in ("推計", "出典あり"), row.line
        keys = row.sources.split("・")
        assert keys and set(keys) <= listed, row.line
        if row.step and not row.probability:
            assert row.staff_type in STAFF_TYPES | {""}, row.line
        if row.is_flow_row:
            assert row.annual_count and row.march_count is not None and row.april_count is not None, row.line
    assert any(row.basis == "出典あり" for row in survey.rows)
    assert {row.staff_type for row in survey.rows} >= {"正規", "会計年度任用", "委託"}


def test_peak_months_are_above_the_monthly_average_for_moves(survey: Survey) -> None:
    """Moves peak in March–April (counter-procedures.md §1); the sheet's 3月・4月 say so."""
    moves = [r for r in survey.rows if r.is_flow_row and r.process in ("転入届", "転出届", "転居届・世帯変更届")]
    assert len(moves) == 3
    for row in moves:
        assert row.annual_count and row.march_count and row.april_count
        assert row.march_count > row.annual_count / 12 and row.april_count > row.annual_count / 12


def test_the_sheet_was_typed_by_people(survey: Survey) -> None:
    """Full-width digits and spelling variants, as in a sheet filled in by hand, are in the bundled workbook."""
    book = openpyxl.load_workbook(WORKBOOK, read_only=True)
    cells = [c for row in book["業務量調査"].iter_rows(min_row=4, values_only=True) for c in row if isinstance(c, str)]
    assert any(re.search(r"[０-９]", c) for c in cells), "full-width digits"
    assert any(unicodedata.normalize("NFKC", r.step) != r.step for r in survey.rows), "全角/半角 variants"


def test_glossary_covers_every_name() -> None:
    """ja → en for every procedure, pool, lane, step, event, gateway, branch and message flow of the samples."""
    with (FLOWS / "glossary.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and list(rows[0]) == ["ja", "en", "kind"]
    glossary = {row["ja"]: row["en"] for row in rows}
    assert len(glossary) == len(rows), "one English name per Japanese name"
    assert all(en.strip() and en.isascii() for en in glossary.values())
    for path in SAMPLES:
        definitions = read_bpmn(path)
        names = {p.name for p in definitions.participants()}
        for process in definitions.processes.values():
            names |= {process.name} | {lane.name for lane in process.lanes}
            names |= {n.name for n in process.nodes.values()} | {f.name for f in process.flows.values()}
        names |= {m.name for m in definitions.message_flows()}
        missing = sorted(n for n in names if n and n not in glossary)
        assert missing == [], f"{path.name}: {missing}"
