"""The 業務量調査 sheet: encodings, XLSX, header aliases, strict values, and row ↔ step matching."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bpm.errors import SurveyError
from bpm.reader import read_bpmn, read_bpmn_bytes
from scoring.features import assessable_steps
from scoring.lexicon import normalize_name
from scoring.survey import ProcessSteps, Survey, load_survey, match_survey

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"

HEADER = "業務,手順ID,手順,件数,処理時間(分),例外率,入力形式,使用システム,判断,公権力の行使,分岐確率,備考"


def sheet(tmp_path: Path, lines: list[str], encoding: str = "utf-8", name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture(scope="module")
def counter() -> list[ProcessSteps]:
    definitions = read_bpmn(DATA / "counter.bpmn")
    process = definitions.processes["Process_Counter"]
    return [ProcessSteps(definitions.file, process, assessable_steps(process), "市民課 住民記録係")]


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    cells = "転入届,,住基システム　入力,,8,15%,紙,住基システム・CS,無,無,,全角スペース"
    path = sheet(tmp_path, [HEADER, cells], encoding)
    survey = load_survey(path)
    assert survey.columns[:3] == ("process", "step_id", "step")
    (row,) = survey.rows
    assert row.line == 2
    assert row.process == "転入届"
    assert row.step == "住基システム　入力"
    assert row.minutes == 8
    assert row.exception_rate == pytest.approx(0.15)
    assert (row.input_form, row.digital_share, row.input_label) == ("paper", 0.0, "紙")
    assert row.systems == ("住基システム", "CS")
    assert row.judgment is False and row.legal_authority is False
    assert row.note == "全角スペース"


def test_english_and_full_width_headers(tmp_path: Path) -> None:
    header = ("Flow,Step_ID,STEP,annual count,Ｍｉｎｕｔｅｓ,exception_rate,Input,Systems,Judgment,"
              "legal_authority,probability,Note")
    path = sheet(tmp_path, [header, "p,,Enter data,,3,0.1,digital,,yes,no,,", "p,,,1200,,,,,,,,"])
    survey = load_survey(path)
    first, flow = survey.rows
    assert (first.step, first.minutes, first.digital_share, first.judgment, first.legal_authority) == (
        "Enter data", 3, 1.0, True, False)
    assert flow.is_flow_row and flow.annual_count == 1200


def test_flag_spellings(tmp_path: Path) -> None:
    spellings = ["有", "無", "○", "×", "1", "0", "Yes", "なし"]
    lines = [HEADER] + [f"p,,s{i},,,,,,{flag},,," for i, flag in enumerate(spellings)]
    flags = [row.judgment for row in load_survey(sheet(tmp_path, lines)).rows]
    assert flags == [True, False, True, False, True, False, True, False]


def test_unknown_column_is_kept_out_and_reported(tmp_path: Path, counter: list[ProcessSteps]) -> None:
    survey = load_survey(sheet(tmp_path, ["業務,手順,処理時間(分),担当者", "証明書交付テスト,交付,1,山田"]))
    assert survey.ignored_columns == ("担当者",)
    gaps = match_survey(survey, counter).gaps
    assert [(g.kind, g.line) for g in gaps] == [("unknown-column", 1)]


def test_blank_rows_are_skipped_and_row_numbers_stay_excel_rows(tmp_path: Path) -> None:
    survey = load_survey(sheet(tmp_path, [HEADER, ",,,,,,,,,,,", "p,,交付,,1,,,,,,,"]))
    assert [row.line for row in survey.rows] == [3]


def test_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "説明"
    first.append(["この表は業務量調査です"])
    data = workbook.create_sheet("業務量調査")
    data.append(["調査票 2024年度"])  # a title row above the header
    data.append(HEADER.split(","))
    data.append(["転入届", None, None, 5200, None, None, None, None, None, None, None, None])
    data.append(["転入届", "Activity_X", "届書受領", None, 3, 0.12, "紙", None, "無", "無", None, None])
    data.append(["転入届", "Flow_A", "あり", None, None, None, None, None, None, None, "10%", None])
    path = tmp_path / "survey.xlsx"
    workbook.save(path)
    survey = load_survey(path)
    assert survey.sheet == "業務量調査"
    flow, step, branch = survey.rows
    assert (flow.line, flow.annual_count, flow.is_flow_row) == (3, 5200, True)
    assert (step.line, step.step_id, step.minutes, step.exception_rate) == (4, "Activity_X", 3, 0.12)
    assert (branch.line, branch.probability) == (5, pytest.approx(0.1))


def test_bundled_csv_and_xlsx_agree(flows_dir: Path) -> None:
    """The bundled workbook and its CSV twin (as Excel saves it, title rows included) read to the same rows."""
    csv_path, xlsx_path = DATA.parent / "flows" / "survey.csv", flows_dir / "survey.xlsx"
    if not (csv_path.is_file() and xlsx_path.is_file()):
        pytest.skip("bundled survey sheets not present")
    from_csv, from_xlsx = load_survey(csv_path), load_survey(xlsx_path)
    assert from_csv.rows == from_xlsx.rows
    assert from_csv.columns == from_xlsx.columns and from_xlsx.ignored_columns == ()


def test_optional_columns_are_recognised(tmp_path: Path) -> None:
    """課・係・職種, the peak months and the 推計/出典 marks are survey columns, read as written."""
    header = HEADER + ",課,係,職種,3月件数,4月件数,推計/出典,出典"
    path = sheet(tmp_path, [header, "転入届,,,５，２００,,,,,,,,,市民課,住民記録係,,９００件,700,推計,S12・S13",
                            "転入届,,届書受領,,3,,紙,,無,無,,,市民課,住民記録係,会計年度任用,,,出典あり,S4"])
    survey = load_survey(path)
    assert survey.ignored_columns == ()
    flow, step = survey.rows
    assert (flow.annual_count, flow.march_count, flow.april_count) == (5200, 900, 700)
    assert (flow.section, flow.unit, flow.staff_type, flow.basis, flow.sources) == (
        "市民課", "住民記録係", "", "推計", "S12・S13")
    assert (step.staff_type, step.basis, step.march_count) == ("会計年度任用", "出典あり", None)
    bad = sheet(tmp_path, [header, "転入届,,,,,,,,,,,,,,,-9,,,"], name="bad.csv")
    with pytest.raises(SurveyError, match="3月件数"):
        load_survey(bad)
    huge = sheet(tmp_path, [header, "転入届,,,,,,,,,,,,,,,,1e9,,"], name="huge.csv")  # the limit of 件数 holds
    with pytest.raises(SurveyError, match=r"4月件数.*above the limit of 100,000,000"):
        load_survey(huge)


# --------------------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ("p,,s,,-3,,,,,,,", "処理時間(分)", "negative"),
        ("p,,s,,,1.5,,,,,,", "例外率", "above 1"),
        ("p,,s,,,150%,,,,,,", "例外率", "above 100%"),
        ("p,,s,たくさん,,,,,,,,", "件数", "not a number"),
        ("p,,s,,abc,,,,,,,", "処理時間(分)", "not a number"),
        ("p,,s,,,,FAX,,,,,", "入力形式", "not an input form"),
        ("p,,s,,,,,,たぶん,,,", "判断", "not yes/no"),
        ("p,,s,,,,,,,,2,", "分岐確率", "above 1"),
    ],
)
def test_bad_values_name_file_row_and_column(tmp_path: Path, cells: str, column: str, fragment: str) -> None:
    path = sheet(tmp_path, [HEADER, "p,,ok,,1,,,,,,,", cells])
    with pytest.raises(SurveyError) as caught:
        load_survey(path)
    error = caught.value
    assert error.file == str(path)
    assert error.line == 3
    assert f"row 3, column {column}" in error.message
    assert fragment in error.message
    assert str(error).startswith(f"{path}:3: ")


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ("p,,s,,\"3,5\",,,,,,,", "処理時間(分)", "'3,5' is ambiguous"),  # issue 8: was read as 35
        ("p,,s,\"12,50\",,,,,,,,", "件数", "write 12.50 or 1250"),
        ("p,,s,nan,,,,,,,,", "件数", "'nan' is not a number"),  # issue 8: "cannot convert float NaN"
        ("p,,s,inf,,,,,,,,", "件数", "'inf' is not a number"),
        ("p,,s,1e308,,,,,,,,", "件数", "above the limit of 100,000,000"),
        ("p,,s,,600000,,,,,,,", "処理時間(分)", "above the limit of 525,600"),
        ("p,,s,1_000,,,,,,,,", "件数", "not a number"),
        ("p,,s,,,\"0,15\",,,,,,", "例外率", "ambiguous"),
    ],
)
def test_hostile_numbers_are_refused_naming_row_and_column(
    tmp_path: Path, cells: str, column: str, fragment: str
) -> None:
    path = sheet(tmp_path, [HEADER, cells])
    with pytest.raises(SurveyError) as caught:
        load_survey(path)
    assert caught.value.line == 2
    assert f"row 2, column {column}" in caught.value.message and fragment in caught.value.message


def test_thousands_separators_are_read_only_in_groups_of_three(tmp_path: Path) -> None:
    survey = load_survey(sheet(tmp_path, [HEADER, 'p,,s,"5,200",,,,,,,,', 'p,,t,"１，２３４，５６７件",,,,,,,,']))
    assert [row.annual_count for row in survey.rows] == [5200, 1234567]


def test_an_unterminated_quote_is_an_error_naming_its_row(tmp_path: Path) -> None:
    # Issue 8: every following row silently ended up in one 備考 cell.
    path = sheet(tmp_path, [HEADER, 'p,,受付,,1,,,,,,,"備考が', "p,,審査,,2,,,,,,,", "p,,交付,,3,,,,,,,"])
    with pytest.raises(SurveyError, match=r"row 2: a quote \(\"\) opens a cell that is never closed") as caught:
        load_survey(path)
    assert caught.value.line == 2 and caught.value.file == str(path)


def test_a_quote_closed_rows_too_late_is_an_error(tmp_path: Path) -> None:
    path = sheet(tmp_path, [HEADER, 'p,,受付,,1,,,,,,,"備考が', "p,,審査,,2,,,,,,,", 'p,,交付,,3,,,,,,,閉じる"'])
    with pytest.raises(SurveyError, match="looks like a whole row") as caught:
        load_survey(path)
    assert caught.value.line == 2


def test_multi_line_notes_and_quoted_quotes_are_fine(tmp_path: Path) -> None:
    path = sheet(tmp_path, [HEADER, 'p,,受付,,1,,,,,,,"一行目\n二行目、""引用""あり"', "p,,審査,,2,,,,,,,"])
    first, second = load_survey(path).rows
    assert first.note == '一行目\n二行目、"引用"あり' and (second.line, second.step) == (3, "審査")


def test_a_stray_quote_after_a_quoted_cell_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match=r"row 2: malformed CSV") as caught:
        load_survey(sheet(tmp_path, [HEADER, 'p,,"受付"x,,1,,,,,,,']))
    assert caught.value.line == 2


def test_xlsx_formula_without_a_saved_result_is_a_gap_naming_the_cell(
    tmp_path: Path, counter: list[ProcessSteps]
) -> None:
    workbook = openpyxl.Workbook()
    data = workbook.active
    assert data is not None
    data.append(["業務", "手順", "件数", "処理時間(分)"])
    data.append(["証明書交付テスト", "交付", 100, "=1+1"])  # openpyxl stores no cached result, like a script would
    path = tmp_path / "survey.xlsx"
    workbook.save(path)
    survey = load_survey(path)
    assert survey.rows[0].minutes is None
    (gap,) = survey.gaps
    assert (gap.kind, gap.line) == ("formula-without-value", 2)
    assert "cell D2 (処理時間(分))" in gap.message
    assert gap in match_survey(survey, counter).gaps


def _stray_cells_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    data = workbook.active
    assert data is not None
    data.append(["業務", "手順", "処理時間(分)"])
    data.append(["p", "受付", 2])
    for row in range(3, 3000, 3):
        data.cell(row=row, column=16384, value="x")  # column XFD
    workbook.save(path)


def test_xlsx_is_read_only_as_wide_as_its_header(tmp_path: Path) -> None:
    """Issue 8: a small workbook with stray cells in column XFD took 35 s and 934 MB through pandas."""
    path = tmp_path / "stray.xlsx"
    _stray_cells_workbook(path)
    script = ("import sys; from scoring.survey import load_survey; s = load_survey(sys.argv[1]); "
              "print(len(s.rows), s.rows[0].minutes)")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (600 << 20, 600 << 20)),
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "2.0"]


def test_xlsx_header_wider_than_the_limit_names_the_cell(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    data = workbook.active
    assert data is not None
    data.append(["業務", "手順"])
    data.cell(row=1, column=300, value="メモ")
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    with pytest.raises(SurveyError, match="cell KN1, beyond the limit of 256 columns") as caught:
        load_survey(path)
    assert caught.value.line == 1


def test_csv_header_wider_than_the_limit(tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match="beyond the limit of 256 columns"):
        load_survey(sheet(tmp_path, ["業務,手順" + "," * 300 + "メモ", "p,受付"]))


def test_rows_beyond_the_limit_are_refused_naming_the_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    data = workbook.active
    assert data is not None
    data.append(["業務", "手順"])
    data.append(["p", "受付"])
    data.cell(row=100_001, column=1, value="p")
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    with pytest.raises(SurveyError, match="row 100,001 is not empty: a survey sheet may have at most 100,000 rows"):
        load_survey(path)
    data.cell(row=100_001, column=5, value="outside the table")  # beyond the header's columns: not read
    data.cell(row=100_001, column=1).value = None
    workbook.save(path)
    assert len(load_survey(path).rows) == 1
    csv_path = sheet(tmp_path, ["業務,手順", *(["p,受付"] * 100_000)])
    with pytest.raises(SurveyError, match="row 100,001 is not empty") as caught:
        load_survey(csv_path)
    assert caught.value.line == 100_001


def test_survey_files_over_the_size_limits_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "survey.csv"
    with big.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: the size is what is checked, before reading
    with pytest.raises(SurveyError, match="over the 20 MB limit"):
        load_survey(big)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive, archive.open(
        "xl/worksheets/sheet1.xml", "w", force_zip64=True
    ) as member:
        chunk = b" " * (1 << 20)
        for _ in range(101):
            member.write(chunk)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(SurveyError, match="unpacks to 101 MB, over the 100 MB limit"):
        load_survey(bomb)


def test_missing_key_columns(tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match=r"needs the columns 業務 \(flow\) and 手順") as caught:
        load_survey(sheet(tmp_path, ["手順,件数", "交付,3"]))
    assert caught.value.line == 1


def test_duplicate_column_meaning(tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match="two columns mean 処理時間"):
        load_survey(sheet(tmp_path, ["業務,手順,処理時間(分),minutes", "p,s,1,2"]))


def test_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(b"\x81\xff\xfe\x80garbage")
    with pytest.raises(SurveyError, match="cannot decode"):
        load_survey(path)


def test_unsupported_file_types(tmp_path: Path) -> None:
    old = tmp_path / "survey.xls"
    old.write_bytes(b"x")
    with pytest.raises(SurveyError, match=r"\.xls workbooks are not supported"):
        load_survey(old)
    broken = tmp_path / "survey.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(SurveyError, match="cannot read the workbook"):
        load_survey(broken)
    with pytest.raises(SurveyError, match="not found"):
        load_survey(tmp_path / "nothing.csv")


# --------------------------------------------------------------------------- matching


def test_matching_by_id_and_by_normalised_name(tmp_path: Path, counter: list[ProcessSteps]) -> None:
    survey = load_survey(sheet(tmp_path, [
        HEADER,
        "証明書交付テスト,,,1500,,,,,,,,",
        "証明書交付テスト,,ABC123,,2,,,,,,,",          # half-width vs the BPMN's ＡＢＣ１２３
        "証明書交付テスト,,住基システム　入力,,7,,,,,,,",  # ideographic space
        "証明書交付テスト,T_Kofu,どんな名前でも,,1,,,,,,,",  # id wins over the name
        "証明書交付テスト,F_No,不可,,,,,,,,0.3,",
        "counter,,申請書 受付,,2,,,,,,,",             # 業務 by file stem
    ]))
    match = match_survey(survey, counter)
    file = counter[0].file
    assert match.gaps == ()
    assert match.cases[(file, "Process_Counter")].annual_count == 1500
    assert {key[2]: row.line for key, row in match.steps.items()} == {
        "T_Abc": 3, "T_Input": 4, "T_Kofu": 5, "T_Uketsuke": 7}
    assert match.probabilities[(file, "Process_Counter")]["F_No"].probability == 0.3


def test_unmatched_rows_are_reported_never_dropped(tmp_path: Path, counter: list[ProcessSteps]) -> None:
    survey = load_survey(sheet(tmp_path, [
        HEADER,
        "転出届,,受付,,2,,,,,,,",                       # unknown 業務
        "証明書交付テスト,,存在しない手順,,2,,,,,,,",     # unknown step
        "証明書交付テスト,T_Nope,,,2,,,,,,,",            # unknown id, no name
        "証明書交付テスト,T_Nope,交付,,2,,,,,,,",         # stale id, name still matches
        "証明書交付テスト,G_Ok,,,1,,,,,,,",              # a gateway is not a step
        ",,交付,,1,,,,,,,",                             # no 業務
        "証明書交付テスト,,交付,,3,,,,,,,",               # second row for the same step
        "証明書交付テスト,F_Ok,可,,,,,,,,,",              # branch row left blank: not yet surveyed
        "証明書交付テスト,F_Ok,可,,,,,,,,,要確認",        # branch row written on, without 分岐確率
    ]))
    match = match_survey(survey, counter)
    kinds = [(g.kind, g.line) for g in match.gaps]
    assert kinds == [
        ("unmatched-row", 2),
        ("unmatched-row", 3),
        ("unmatched-row", 4),
        ("unmatched-id", 5),
        ("unmatched-row", 6),
        ("unmatched-row", 7),
        ("duplicate-row", 8),
        ("not-surveyed", 9),  # was unused-row: a row with nothing entered is missing data, not a mistake
        ("unused-row", 10),
    ]
    assert all(g.file == survey.file for g in match.gaps)
    assert "転出届" in match.gaps[0].message
    assert match.steps[(counter[0].file, "Process_Counter", "T_Kofu")].line == 5


def test_a_name_matching_two_steps_is_ambiguous(tmp_path: Path) -> None:
    definitions = read_bpmn(DATA / "counter.bpmn")
    process = definitions.processes["Process_Counter"]
    steps = assessable_steps(process)
    twin = next(s for s in steps if s.id == "T_Abc")
    import dataclasses

    doubled = dataclasses.replace(process, nodes={**process.nodes, "T_Twin": dataclasses.replace(twin, id="T_Twin")})
    units = [ProcessSteps(definitions.file, doubled, assessable_steps(doubled))]
    survey = load_survey(sheet(tmp_path, [HEADER, "証明書交付テスト,,ＡＢＣ１２３,,2,,,,,,,"]))
    match = match_survey(survey, units)
    (gap,) = match.gaps
    assert gap.kind == "ambiguous-row" and gap.line == 2
    assert "T_Abc" in gap.message and "T_Twin" in gap.message
    assert match.steps == {}


def test_bundled_sheet_matches_every_row_or_reports_it(flows_dir: Path) -> None:
    """Each row of the bundled sheet lands on a flow, step or branch, or comes back as a gap with its line.

    The sheet holds deliberate, realistic mismatches: a step renamed since the
    sheet was typed (reported, never guessed), a stale 手順ID (reported, then
    matched by name), and spelling variants that NFKC matching absorbs.
    """
    paths = sorted(flows_dir.glob("*.bpmn"))
    survey_path = flows_dir / "survey.xlsx"
    if not paths or not survey_path.is_file():
        pytest.skip("bundled flows not present")
    units = []
    for path in paths:
        definitions = read_bpmn(path)
        for process in definitions.processes.values():
            steps = assessable_steps(process)
            if steps:
                pool = definitions.pool_of(process.id)
                units.append(ProcessSteps(definitions.file, process, steps, pool.name if pool else ""))
    survey: Survey = load_survey(survey_path)
    match = match_survey(survey, units)
    matched = {row.line for row in match.cases.values()} | {row.line for row in match.steps.values()}
    matched |= {row.line for rows in match.probabilities.values() for row in rows.values()}
    reported = {gap.line for gap in match.gaps}
    assert {row.line for row in survey.rows} == matched | reported
    step_names = {(u.process.name, normalize_name(n.name)) for u in units for n in u.steps}
    renamed = {row.line for row in survey.rows if row.step and not row.step_id
               and (row.process, normalize_name(row.step)) not in step_names and not row.probability}
    assert renamed, "the sheet keeps at least one step under an old name"
    assert {g.line for g in match.gaps if g.kind == "unmatched-row"} == renamed
    assert {g.kind for g in match.gaps} == {"unmatched-row", "unmatched-id"}
    assert not matched & {g.line for g in match.gaps if g.kind == "unmatched-row"}
    matched_by_name = {key[2] for key, row in match.steps.items() if not row.step_id}
    assert {"Activity_TennyuJukiNyuryoku", "Activity_TennyuShogoKessai", "Activity_DVKakunin",
            "Activity_TorokuNyuryoku"} <= matched_by_name
    variants = [row.step for row in survey.rows if row.step and row.step != unicodedata.normalize("NFKC", row.step)]
    assert variants, "full-width letters and half-width punctuation in step names"


# --------------------------------------------------------------------------- probabilities of events

EVENTS_BPMN = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="P_Wait" name="回答待ちテスト">
    <startEvent id="s"/><task id="t_send" name="照会書送付"/><receiveTask id="t_wait" name="回答書受領"/>
    <boundaryEvent id="b_timer" name="1か月経過" attachedToRef="t_wait"><timerEventDefinition/></boundaryEvent>
    <userTask id="t_withdraw" name="申請取下げ処理"/><endEvent id="e_late" name="期限切れ"/>
    <task id="t_check" name="回答書確認"/><endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="t_send"/>
    <sequenceFlow id="f2" sourceRef="t_send" targetRef="t_wait"/>
    <sequenceFlow id="f3" sourceRef="t_wait" targetRef="t_check"/>
    <sequenceFlow id="f4" sourceRef="t_check" targetRef="e"/>
    <sequenceFlow id="f_late" sourceRef="b_timer" targetRef="t_withdraw"/>
    <sequenceFlow id="f5" sourceRef="t_withdraw" targetRef="e_late"/>
  </process>
  <process id="P_Events" name="イベントテスト">
    <startEvent id="s_counter" name="窓口申請"/><startEvent id="s_post" name="郵送申請"/>
    <task id="t1" name="受付"/><eventBasedGateway id="g"/>
    <intermediateCatchEvent id="c_answer" name="回答受信"><messageEventDefinition/></intermediateCatchEvent>
    <intermediateCatchEvent id="c_due" name="期限到来"><timerEventDefinition/></intermediateCatchEvent>
    <endEvent id="e1"/><endEvent id="e2"/>
    <subProcess id="sp_cancel" name="取下げ" triggeredByEvent="true">
      <startEvent id="sp_start" name="取下げ連絡" isInterrupting="false"><messageEventDefinition/></startEvent>
      <task id="t_cancel" name="取下げ処理"/><endEvent id="sp_end"/>
      <sequenceFlow id="fs1" sourceRef="sp_start" targetRef="t_cancel"/>
      <sequenceFlow id="fs2" sourceRef="t_cancel" targetRef="sp_end"/>
    </subProcess>
    <sequenceFlow id="fa" sourceRef="s_counter" targetRef="t1"/>
    <sequenceFlow id="fb" sourceRef="s_post" targetRef="t1"/>
    <sequenceFlow id="fc" sourceRef="t1" targetRef="g"/>
    <sequenceFlow id="f_answer" sourceRef="g" targetRef="c_answer"/>
    <sequenceFlow id="f_due" sourceRef="g" targetRef="c_due"/>
    <sequenceFlow id="fd" sourceRef="c_answer" targetRef="e1"/><sequenceFlow id="fe" sourceRef="c_due" targetRef="e2"/>
  </process>
</definitions>""".encode()


@pytest.fixture(scope="module")
def waiting() -> list[ProcessSteps]:
    definitions = read_bpmn_bytes(EVENTS_BPMN, "events.bpmn")
    return [ProcessSteps(definitions.file, p, assessable_steps(p)) for p in definitions.processes.values()]


@pytest.mark.parametrize(
    "cells",
    [
        "回答待ちテスト,b_timer,,,,,,,,,0.3,",            # by 手順ID
        "回答待ちテスト,,1か月経過,,,,,,,,0.3,",           # by name (no step is called that)
        "回答待ちテスト,,１か月 経過,,,,,,,,30%,",         # full-width digit and a space, as a share
    ],
)
def test_a_boundary_event_row_gives_its_probability(
    tmp_path: Path, waiting: list[ProcessSteps], cells: str
) -> None:
    match = match_survey(load_survey(sheet(tmp_path, [HEADER, cells])), waiting)
    assert match.gaps == ()
    assert match.steps == {}
    (row,) = match.probabilities[("events.bpmn", "P_Wait")].values()
    assert list(match.probabilities[("events.bpmn", "P_Wait")]) == ["b_timer"]
    assert row.probability == pytest.approx(0.3) and row.line == 2


def test_other_events_that_fire_instead_take_probabilities_under_the_id_visits_reads(
    tmp_path: Path, waiting: list[ProcessSteps]
) -> None:
    survey = load_survey(sheet(tmp_path, [
        HEADER,
        "イベントテスト,,郵送申請,,,,,,,,0.3,",      # one of two start events: the share of cases starting there
        "イベントテスト,c_due,,,,,,,,,0.1,",         # after an event-based gateway: the gateway's flow into it
        "イベントテスト,,取下げ連絡,,,,,,,,0.05,",    # start event of an event sub-process
    ]))
    match = match_survey(survey, waiting)
    assert match.gaps == ()
    rows = match.probabilities[("events.bpmn", "P_Events")]
    assert {key: row.line for key, row in rows.items()} == {"s_post": 2, "f_due": 3, "sp_start": 4}


def test_event_rows_that_cannot_be_used_are_gaps(tmp_path: Path, waiting: list[ProcessSteps]) -> None:
    survey = load_survey(sheet(tmp_path, [
        HEADER,
        "回答待ちテスト,b_timer,1か月経過,,,,,,,,,未集計",  # boundary event written on, without 分岐確率
        "回答待ちテスト,b_timer,,,,,,,,,0.1,",
        "回答待ちテスト,,1か月経過,,,,,,,,0.2,",          # the same event again, by name
        "回答待ちテスト,s,,,,,,,,,0.5,",                  # the only start event: nothing to share
        "回答待ちテスト,e_late,,,,,,,,,0.1,",             # an end event never fires instead of anything
        "イベントテスト,f_due,,,,,,,,,0.1,",
        "イベントテスト,,期限到来,,,,,,,,0.2,",           # the event after the gateway: the same flow
    ]))
    match = match_survey(survey, waiting)
    assert [(g.kind, g.line, g.element_id) for g in match.gaps] == [
        ("unused-row", 2, "b_timer"),
        ("duplicate-row", 4, "b_timer"),
        ("unmatched-row", 5, "s"),
        ("unmatched-row", 6, "e_late"),
        ("duplicate-row", 8, "f_due"),
    ]
    unused, duplicate, *_, after_gateway = match.gaps
    assert "boundaryEvent b_timer without 分岐確率" in unused.message
    assert "share of firings of its activity" in unused.message
    assert "already given in row 3" in duplicate.message
    assert "after event-based gateway g" in after_gateway.message and "row 7" in after_gateway.message
    assert match.probabilities[("events.bpmn", "P_Wait")]["b_timer"].line == 3


# --------------------------------------------------------------------------- "did you mean"


def test_a_mistyped_header_is_reported_with_the_column_it_resembles(
    tmp_path: Path, counter: list[ProcessSteps]
) -> None:
    """処理時問(分) for 処理時間(分): the column is not read (every step falls back to default minutes),
    so the gap must say which header was meant — not only that one was ignored."""
    survey = load_survey(sheet(tmp_path, ["業務,手順,処理時問(分),件数", "証明書交付テスト,申請書受付,5,"]))
    assert survey.ignored_columns == ("処理時問(分)",) and survey.rows[0].minutes is None
    (gap,) = match_survey(survey, counter).gaps
    assert gap.kind == "unknown-column" and gap.line == 1
    assert "「処理時間(分)」のことですか？ / did you mean 処理時間(分)?" in gap.message


def test_a_header_close_to_a_column_already_present_is_not_suggested_again(tmp_path: Path) -> None:
    survey = load_survey(sheet(tmp_path, ["業務,手順,件数,件数2", "p,s,1,2"]))
    (gap,) = [g for g in match_survey(survey, []).gaps if g.kind == "unknown-column"]
    assert "did you mean" not in gap.message  # 件数 is read already; 件数2 is someone's own column


def test_the_header_row_is_named_where_it_is(tmp_path: Path) -> None:
    survey = load_survey(sheet(tmp_path, ["業務量調査票", "", "業務,手順,処理時問(分)", "p,s,1"]))
    assert survey.header_line == 3
    assert [g.line for g in match_survey(survey, []).gaps if g.kind == "unknown-column"] == [3]


def test_a_mistyped_process_name_suggests_the_process_and_is_not_guessed(
    tmp_path: Path, counter: list[ProcessSteps]
) -> None:
    rows = [f"証明書交付テスド,,申請書受付,,{minutes},,,,,,," for minutes in range(1, 17)]
    match = match_survey(load_survey(sheet(tmp_path, [HEADER, *rows])), counter)
    assert match.steps == {}  # a suggestion, never a match
    assert [g.line for g in match.gaps] == list(range(2, 18))
    assert all(g.kind == "unmatched-row" and "did you mean 証明書交付テスト?" in g.message for g in match.gaps)


def test_a_mistyped_step_name_or_id_suggests_the_step(tmp_path: Path, counter: list[ProcessSteps]) -> None:
    match = match_survey(load_survey(sheet(tmp_path, [
        HEADER,
        "証明書交付テスト,,申請書受附,,2,,,,,,,",
        "証明書交付テスト,T_Uketuske,,,2,,,,,,,",
        "証明書交付テスト,,まったく別の作業,,2,,,,,,,",
    ])), counter)
    first, second, third = match.gaps
    assert "「申請書受付」のことですか？" in first.message
    assert "did you mean T_Uketsuke?" in second.message
    assert "did you mean" not in third.message
