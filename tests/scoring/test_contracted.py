"""Steps a contractor already does today (委託済み): recognised from the lane and the survey, never a candidate,
their hours contractor hours, the existing contract a cost line, and the legal gate still reading what the
contractor does.

``contracted.bpmn`` is ``counter.bpmn`` with its counter lane renamed 「窓口（委託事業者）」: the same steps, so the
two flows show the difference the contractor lane makes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from assess_fixtures import HEADER_WITH_STAFF_TYPE, steps_by_id
from assess_fixtures import survey_file as plain_survey_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpm.lint import Severity
from bpm.model import Category, Definitions
from bpm.reader import read_bpmn
from reports.legal_view import legal_summary
from reports.money_views import money_page
from scoring.assess import assess
from scoring.compare import is_contractor_lane as compare_is_contractor_lane
from scoring.contracted import contracted_check, is_contractor_lane, is_contractor_staff_type
from scoring.legal import permitted
from scoring.profile import load_profile
from scoring.result import Assessment, Disposition, EvidenceSource, LegalClass, StepKey
from scoring.survey import load_survey
from scoring.table import steps_frame

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"
PROFILE = load_profile()


def survey_file(tmp_path: Path, *rows: str) -> Path:
    return plain_survey_file(tmp_path, *rows, header=HEADER_WITH_STAFF_TYPE)


@pytest.fixture(scope="module")
def counter() -> Definitions:
    return read_bpmn(DATA / "counter.bpmn")


@pytest.fixture(scope="module")
def contracted() -> Definitions:
    return read_bpmn(DATA / "contracted.bpmn")


@pytest.fixture(scope="module")
def lane_run(contracted: Definitions) -> Assessment:
    return assess([contracted], profile=PROFILE)


# --------------------------------------------------------------------------- recognising it


def test_lane_and_staff_type_words() -> None:
    assert is_contractor_lane("委託事業者（郵送処理）") and is_contractor_lane("Contractor desk")
    assert not is_contractor_lane("審査担当（職員）")
    assert compare_is_contractor_lane is is_contractor_lane, "compare re-exports the shared test"
    assert is_contractor_staff_type("委託") and is_contractor_staff_type("contractor")
    assert is_contractor_staff_type("受託者") and not is_contractor_staff_type("正規")
    assert not is_contractor_staff_type("") and not is_contractor_staff_type("会計年度任用")


def test_a_blank_staff_type_leaves_the_lane_to_decide() -> None:
    found = contracted_check(label="x", lane_name="窓口", staff_type="", survey_file="s.csv", row_line=4,
                             bpmn_file="a.bpmn", step_id="T")
    assert found.contracted is None and found.conflict is None


# --------------------------------------------------------------------------- a contractor lane


def test_contractor_lane_steps_are_already_contracted_and_free_nothing(
    counter: Definitions, lane_run: Assessment
) -> None:
    staff_run = assess([counter], profile=PROFILE)
    before, after = steps_by_id(staff_run), steps_by_id(lane_run)
    # in a staff lane the two factual counter steps are outsourcing candidates ...
    assert before["T_Uketsuke"].classified is Disposition.OUTSOURCE
    assert before["T_Kofu"].classified is Disposition.OUTSOURCE
    for step_id in ("T_Uketsuke", "T_Kofu"):
        step = after[step_id]
        # ... in a contractor lane they are already contracted: not proposed again, nothing freed, no staff cost
        assert step.disposition is Disposition.CONTRACTED and step.classified is Disposition.CONTRACTED
        assert step.contracted is not None and step.contracted.source is EvidenceSource.STRUCTURE
        assert step.reasons[0].code == "contracted" and "窓口（委託事業者）" in step.reasons[0].ja
        assert "outsourcing-basis" in {r.code for r in step.reasons}, "the legal basis the contract rests on"
        assert step.cost.hours_per_year == before[step_id].cost.hours_per_year > 0
        assert step.cost.hours_freed_per_year == 0 and step.cost.yen_per_year == 0
        assert step.rank is None and step.proposed is None
        assert step.money is not None and step.money.capacity == 0 and step.money.candidate is None
        assert permitted(step.disposition, step.legal) if step.legal is not None else False
    contractor_hours = sum(after[s].cost.hours_per_year for s in ("T_Uketsuke", "T_Kofu", "T_Kahi"))
    assert lane_run.totals.contracted_hours_per_year == pytest.approx(contractor_hours)
    assert lane_run.totals.hours_per_year == pytest.approx(staff_run.totals.hours_per_year - contractor_hours)
    assert lane_run.totals.fte == pytest.approx(lane_run.totals.hours_per_year / PROFILE.hours_per_fte)
    assert staff_run.totals.contracted_hours_per_year == 0
    assert lane_run.totals.by_disposition[Disposition.CONTRACTED] == 2
    assert lane_run.money is not None
    in_lots = {item.step for lot in lane_run.money.lots for item in lot.items}
    assert not in_lots & {StepKey(s.file, s.process_id, s.step_id) for s in after.values() if s.contracted is not None}


def test_the_existing_contract_is_a_cost_line_unset_without_a_price(lane_run: Assessment) -> None:
    assert lane_run.money is not None
    (line,) = lane_run.money.contracted
    assert line.flow_name == "証明書交付テスト" and line.steps == ("申請書受付", "交付可否判断", "交付")
    assert line.hours_per_year == pytest.approx(lane_run.totals.contracted_hours_per_year)
    assert line.yen_per_hour is None and line.yen_per_year is None, "要設定, never 0 and never a staff cost"
    page = money_page(lane_run, {}, PROFILE.hours_per_fte)
    (row,) = page.contracted
    assert row.cost.ja.startswith("要設定") and row.price.en.startswith("not set")
    assert row.questioned == "交付可否判断"


def test_the_existing_contract_is_priced_from_the_profile(contracted: Definitions, tmp_path: Path) -> None:
    profile_path = tmp_path / "city.toml"
    profile_path.write_text("[outsource]\nexisting_yen_per_hour = 2700\n", encoding="utf-8")
    run = assess([contracted], profile=load_profile(profile_path))
    assert run.money is not None
    (line,) = run.money.contracted
    assert line.yen_per_year == pytest.approx(line.hours_per_year * 2700)
    row = money_page(run, {}, PROFILE.hours_per_fte).contracted[0]
    assert row.price.ja == "2,700円/時"
    assert run.totals.yen_per_year == pytest.approx(sum(
        s.cost.yen_per_year for p in run.processes for s in p.steps if s.contracted is None)), "no staff cost"


# --------------------------------------------------------------------------- the legal gate on the contractor


def test_a_public_authority_step_in_a_contractor_lane_is_flagged(lane_run: Assessment) -> None:
    step = steps_by_id(lane_run)["T_Kahi"]  # 交付可否判断 in 「窓口（委託事業者）」
    assert step.contracted is not None
    assert step.disposition is Disposition.REVIEW, "never silently accepted as contracted"
    first = step.reasons[0]
    assert first.code == "contracted-questioned"
    assert "公権力の行使に当たる" in first.ja and "解消方法" in first.ja and "To resolve" in first.en
    assert "legal-authority" in {r.code for r in step.reasons}
    assert step.cost.hours_freed_per_year == 0 and step.rank is None
    (finding,) = [f for f in lane_run.findings if f.rule == "contracted-questioned"]
    assert finding.severity is Severity.WARNING and finding.element_id == "T_Kahi"
    assert finding.source.file.endswith("contracted.bpmn") and finding.source.line > 0
    row = steps_frame(lane_run).set_index("step_id").loc["T_Kahi"]
    assert row["disposition"] == "review" and "レーン" in row["legal_resolve"]
    summary = legal_summary(lane_run, lambda s: "#", lambda p: "#")
    (review,) = [r for r in summary.review if r.step.name == "交付可否判断"]
    assert review.proposed.ja.startswith("委託済み") and "解消方法" in review.resolve.ja


# --------------------------------------------------------------------------- the survey


def test_survey_staff_type_contractor_makes_a_step_contracted(counter: Definitions, tmp_path: Path) -> None:
    sheet = load_survey(survey_file(
        tmp_path,
        "証明書交付テスト,T_Kofu,交付,,1,,紙,,無,,,,委託",
        "証明書交付テスト,T_Uketsuke,申請書受付,,2,,紙,,無,,,,contractor",
    ))
    run = assess([counter], survey=sheet, profile=PROFILE)
    steps = steps_by_id(run)
    for step_id, line, cell in (("T_Kofu", 2, "委託"), ("T_Uketsuke", 3, "contractor")):
        step = steps[step_id]
        assert step.disposition is Disposition.CONTRACTED
        assert step.contracted is not None and step.contracted.source is EvidenceSource.SURVEY
        assert step.contracted.detail == f"調査票 行{line}: 職種 = {cell}"
        assert step.org is not None and not step.org.mix, "no staff mix is assumed for a contractor"
    kinds = [g.kind for g in run.gaps]
    assert "staff-type" not in kinds, "委託 is not reported as an unknown 職種"
    conflicts = [g for g in run.gaps if g.kind == "contracted-conflict"]
    assert {(g.element_id, g.line) for g in conflicts} == {("T_Kofu", 2), ("T_Uketsuke", 3)}
    assert all(g.file.endswith("survey.csv") and "counter.bpmn" in g.message for g in conflicts)


def test_lane_and_survey_disagree_the_survey_is_used_and_named(contracted: Definitions, tmp_path: Path) -> None:
    sheet = load_survey(survey_file(tmp_path, "証明書交付テスト,T_Uketsuke,申請書受付,,2,,紙,,無,,,,正規"))
    run = assess([contracted], survey=sheet, profile=PROFILE)
    step = steps_by_id(run)["T_Uketsuke"]
    assert step.contracted is None and step.disposition is not Disposition.CONTRACTED
    (gap,) = [g for g in run.gaps if g.kind == "contracted-conflict"]
    assert gap.element_id == "T_Uketsuke" and gap.line == 2 and gap.file.endswith("survey.csv")
    assert "contracted.bpmn" in gap.message and "窓口（委託事業者）" in gap.message and "正規" in gap.message
    assert steps_by_id(run)["T_Kofu"].disposition is Disposition.CONTRACTED, "the other lane steps stay contracted"


_STAFF_CELLS = st.sampled_from(
    ["委託", "受託者", "contractor", " Contractor ", "正規", "会計年度任用", "", "アルバイト"]
)
_YES_NO = st.sampled_from(["有", "無", ""])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_survey_cell_or_lane_puts_a_step_the_law_keeps_with_staff_in_a_contractors_hands(
    counter: Definitions, contracted: Definitions, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Whatever the 職種, 判断 and 公権力 cells and whichever lane: 委託済み only where the law permits outsourcing."""
    definitions = data.draw(st.sampled_from([counter, contracted]))
    (process,) = definitions.processes.values()
    rows = [
        f"{process.name},{node.id},{node.name},,2,,紙,,{data.draw(_YES_NO)},{data.draw(_YES_NO)},,,"
        + data.draw(_STAFF_CELLS)
        for node in process.nodes.values() if node.category is Category.ACTIVITY
    ]
    sheet = load_survey(survey_file(tmp_path_factory.mktemp("cells"), *rows))
    run = assess([definitions], survey=sheet, profile=PROFILE)
    for step in (s for p in run.processes for s in p.steps):
        assert step.legal is not None
        assert permitted(step.disposition, step.legal), (step.name, step.disposition, step.legal.legal_class)
        if step.disposition is Disposition.CONTRACTED:
            assert step.legal.outsourceable and step.legal.legal_class is LegalClass.FACTUAL, step.name
        if step.contracted is not None and step.legal.legal_class is not LegalClass.FACTUAL:
            assert step.disposition is Disposition.REVIEW, step.name


# --------------------------------------------------------------------------- the bundled library


@pytest.fixture(scope="module")
def bundled(flows_dir: Path) -> Assessment:
    survey = flows_dir / "survey.xlsx"
    paths = sorted(flows_dir.glob("*.bpmn"))
    if not survey.is_file() or not paths:
        pytest.skip("bundled flows/ not present")
    return assess([read_bpmn(p) for p in paths], survey=load_survey(survey), profile=PROFILE)


def test_bundled_contracted_steps(bundled: Assessment) -> None:
    """郵送請求 and マイナンバーカード交付準備: the contractor's steps leave the staff figures and the candidates."""
    steps = [s for p in bundled.processes for s in p.steps]
    contracted = [s for s in steps if s.contracted is not None]
    by_name = {(s.file.rsplit("/", 1)[-1], s.name): s for s in contracted}
    kaifu = by_name[("yuso.bpmn", "開封・受付登録")]
    # it used to be proposed for outsourcing with 587 h of capacity
    assert kaifu.disposition is Disposition.CONTRACTED and kaifu.classified is Disposition.CONTRACTED
    assert kaifu.money is not None and kaifu.money.capacity == 0 and kaifu.money.candidate is None
    assert kaifu.cost.hours_per_year == pytest.approx(750.0) and kaifu.cost.hours_freed_per_year == 0
    assert {s.file.rsplit("/", 1)[-1] for s in contracted} == {"yuso.bpmn", "mynumber.bpmn"}
    assert sum(1 for s in contracted if s.contracted and s.contracted.source is EvidenceSource.SURVEY) == 13
    assert not [g for g in bundled.gaps if g.kind == "staff-type" and "委託" in g.message]
    assert all(s.cost.hours_freed_per_year == 0 and s.rank is None and s.cost.yen_per_year == 0
               for s in contracted)
    assert all(s.disposition in (Disposition.CONTRACTED, Disposition.REVIEW) for s in contracted)
    questioned = {s.name for s in contracted if s.disposition is Disposition.REVIEW}
    assert {"住民記録・戸籍の照会", "定額小為替の換金・収納"} <= questioned
    flagged = {f.element_id for f in bundled.findings if f.rule == "contracted-questioned"}
    assert flagged == {s.step_id for s in contracted if s.disposition is Disposition.REVIEW}
    all_hours = sum(s.cost.hours_per_year for s in steps)
    contractor = sum(s.cost.hours_per_year for s in contracted)
    # bpm score flows/ before: staff hours 48,928 (25.5 FTE), of which 5,440 h are the contractor's
    assert contractor == pytest.approx(5440, abs=1) and all_hours == pytest.approx(48928, abs=1)
    assert bundled.totals.contracted_hours_per_year == pytest.approx(contractor)
    assert bundled.totals.hours_per_year == pytest.approx(all_hours - contractor)
    assert bundled.money is not None
    assert sum(line.hours_per_year for line in bundled.money.contracted) == pytest.approx(contractor)
    in_lots = {item.step for lot in bundled.money.lots for item in lot.items}
    assert not in_lots & {StepKey(s.file, s.process_id, s.step_id) for s in contracted}
    capacity = sum(s.money.capacity for s in steps if s.money is not None)
    assert capacity == pytest.approx(sum(s.money.capacity for s in steps
                                         if s.money is not None and s.contracted is None))
