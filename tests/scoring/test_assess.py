"""The whole assessment: bundled flows end to end, volumes and their precedence, gaps, order independence."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpm.model import Definitions
from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Assessment, Disposition, EvidenceSource, StepAssessment
from scoring.survey import load_survey

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"
PROFILE = load_profile()
HEADER = "業務,手順ID,手順,件数,処理時間(分),例外率,入力形式,使用システム,判断,公権力の行使,分岐確率,備考"


def steps_by_id(assessment: Assessment) -> dict[str, StepAssessment]:
    return {s.step_id: s for p in assessment.processes for s in p.steps}


def survey_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


@pytest.fixture(scope="module")
def counter() -> Definitions:
    return read_bpmn(DATA / "counter.bpmn")


# --------------------------------------------------------------------------- the bundled sample


@pytest.fixture(scope="module")
def bundled(flows_dir: Path) -> Assessment:
    paths = sorted(flows_dir.glob("*.bpmn"))
    survey = flows_dir / "survey.csv"
    if not paths or not survey.is_file():
        pytest.skip("bundled flows/ not present")
    return assess([read_bpmn(p) for p in paths], survey=load_survey(survey), profile=PROFILE)


def named(assessment: Assessment, flow: str, name: str) -> StepAssessment:
    return next(s for p in assessment.processes if p.name == flow for s in p.steps if s.name == name)


@pytest.mark.parametrize(
    ("flow", "step", "expected", "why"),
    [
        # counter-procedures.md §1: 住基システム入力 is R data entry at a terminal, no resident contact → robot
        ("転入届", "住基システム入力", Disposition.RPA, "routine terminal entry"),
        # §1 step 4 and §4 step 6: examination and the decision to issue are P (公権力の行使)
        ("転入届", "記載内容審査", Disposition.RETAIN, "P: examination"),
        ("住民票の写し等の交付", "交付可否判断", Disposition.RETAIN, "P: decision to issue"),
        ("転入届", "照合・決裁", Disposition.RETAIN, "P: sign-off"),
        ("戸籍届出（出生・婚姻・死亡）", "受理要件審査", Disposition.RETAIN, "P: 受理/不受理 (民一317号)"),
        ("戸籍届出（出生・婚姻・死亡）", "校合・決裁", Disposition.RETAIN, "P: 校合"),
        # §0 class R and §3.2: 受領, 本人確認, 引渡し, 収納 are factual acts at the counter → contractor
        ("転入届", "届書受領", Disposition.OUTSOURCE, "R: receipt"),
        ("住民票の写し等の交付", "交付", Disposition.OUTSOURCE, "R: handing over"),
        ("住民票の写し等の交付", "手数料収納", Disposition.OUTSOURCE, "R: fee collection"),
        ("住民票の写し等の交付", "申請書受領", Disposition.OUTSOURCE, "R: receipt"),
        ("印鑑登録証明書の交付", "証明書交付", Disposition.OUTSOURCE, "R: handing over"),
        # §1 step 7 / §0 class S: record update by the system
        ("転入届", "住民票記載・CS更新", Disposition.AUTOMATED, "S: serviceTask"),
        ("住民票の写し等の交付", "住民記録照会", Disposition.AUTOMATED, "S: serviceTask"),
    ],
)
def test_bundled_dispositions_follow_the_domain_notes(
    bundled: Assessment, flow: str, step: str, expected: Disposition, why: str
) -> None:
    assert named(bundled, flow, step).disposition is expected, why


def test_bundled_legal_steps_carry_the_legal_reason(bundled: Assessment) -> None:
    for flow, step in [("転入届", "記載内容審査"), ("住民票の写し等の交付", "交付可否判断"),
                       ("印鑑登録", "印影審査")]:
        found = named(bundled, flow, step)
        assert found.legal_authority
        assert "legal-authority" in {r.code for r in found.reasons}
    assert not any(s.legal_authority and s.disposition is Disposition.OUTSOURCE
                   for p in bundled.processes for s in p.steps)


def test_bundled_volumes_use_the_survey(bundled: Assessment) -> None:
    tennyu = next(p for p in bundled.processes if p.name == "転入届")
    assert tennyu.annual_cases == 5200, "the sheet's 5,200 beats the BPMN's 5,000"
    assert tennyu.annual_cases_source is EvidenceSource.SURVEY
    entry = named(bundled, "転入届", "住基システム入力")
    assert entry.minutes_per_case == 8 and entry.data_sources["minutes_per_case"] is EvidenceSource.SURVEY
    assert entry.annual_count == pytest.approx(5200 * entry.visits)
    assert entry.cost.hours_per_year == pytest.approx(entry.annual_count * 8 / 60)
    receipt = named(bundled, "転入届", "届書受領")
    assert receipt.visits == pytest.approx(1 / (1 - 0.10)), "rework loop with the sheet's 10 %, not the BPMN's 12 %"


def test_bundled_gaps_and_ranks(bundled: Assessment) -> None:
    no_data = {g.element_id for g in bundled.gaps if g.kind == "no-data"}
    assert {"Activity_KofuKahi", "Activity_InkanSakusei", "Activity_TennyuTsuchi", "Activity_TodokeSofu"} <= no_data
    assert not [g for g in bundled.gaps if g.kind in ("unmatched-row", "ambiguous-row")]
    ranked = [s for s in bundled.ranked() if s.rank is not None]
    assert [s.rank for s in ranked] == list(range(1, len(ranked) + 1))
    assert all(s.disposition in (Disposition.RPA, Disposition.OUTSOURCE) for s in ranked)
    values = [s.cost.hours_freed_per_year * s.scores[s.disposition] for s in ranked]
    assert values == sorted(values, reverse=True)
    assert len(bundled.profile_sources) == len(PROFILE.sources)


# --------------------------------------------------------------------------- the legal rule end to end


def test_kofu_kahi_with_a_high_routine_score_is_never_outsourced(counter: Definitions, tmp_path: Path) -> None:
    # Measured as perfectly routine, digital, no judgment, at the counter: the scores favour outsourcing.
    sheet = survey_file(tmp_path, "証明書交付テスト,T_Kahi,交付可否判断,,2,0,電子,,無,,,")
    step = steps_by_id(assess([counter], survey=load_survey(sheet), profile=PROFILE))["T_Kahi"]
    assert step.features["routine"] > 0.9
    assert max((Disposition.RPA, Disposition.OUTSOURCE, Disposition.RETAIN), key=step.scores.__getitem__) \
        is Disposition.OUTSOURCE
    assert step.legal_authority and step.data_sources["legal_authority"] is EvidenceSource.LEXICON
    assert step.disposition is Disposition.RETAIN
    assert [r.code for r in step.reasons][:2] == ["legal-authority", "legal-override"]
    assert step.rank is None and step.cost.hours_freed_per_year == 0


def test_survey_legal_authority_forces_retain(counter: Definitions, tmp_path: Path) -> None:
    plain = steps_by_id(assess([counter], profile=PROFILE))["T_Kofu"]
    assert plain.disposition is Disposition.OUTSOURCE
    sheet = survey_file(tmp_path, "証明書交付テスト,T_Kofu,交付,,1,,紙,,無,有,,")
    flagged = steps_by_id(assess([counter], survey=load_survey(sheet), profile=PROFILE))["T_Kofu"]
    assert flagged.disposition is Disposition.RETAIN
    assert flagged.data_sources["legal_authority"] is EvidenceSource.SURVEY
    assert "legal-authority" in {r.code for r in flagged.reasons}


# --------------------------------------------------------------------------- volumes


def test_annual_cases_precedence(counter: Definitions, tmp_path: Path) -> None:
    bare = dataclasses.replace(counter, processes={
        pid: dataclasses.replace(p, properties={}) for pid, p in counter.processes.items()})
    from_property = assess([counter], profile=PROFILE, annual_cases={"証明書交付テスト": 999})
    assert (from_property.processes[0].annual_cases, from_property.processes[0].annual_cases_source) == (
        1200, EvidenceSource.PROPERTY)
    from_caller = assess([bare], profile=PROFILE, annual_cases={"process_counter": 999})
    assert (from_caller.processes[0].annual_cases, from_caller.processes[0].annual_cases_source) == (
        999, EvidenceSource.USER)
    defaulted = assess([bare], profile=PROFILE, annual_cases={"転出届": 5})
    assert defaulted.processes[0].annual_cases == PROFILE.volume.default_annual_cases
    assert defaulted.processes[0].annual_cases_source is EvidenceSource.DEFAULT
    assert {g.kind for g in defaulted.gaps} >= {"default-volume", "unmatched-cases"}
    sheet = survey_file(tmp_path, "証明書交付テスト,,,1500,,,,,,,,")
    surveyed = assess([counter], survey=load_survey(sheet), profile=PROFILE)
    assert (surveyed.processes[0].annual_cases, surveyed.processes[0].annual_cases_source) == (
        1500, EvidenceSource.SURVEY)


def test_step_count_from_visits_and_survey_override(counter: Definitions, tmp_path: Path) -> None:
    computed = steps_by_id(assess([counter], profile=PROFILE))
    assert computed["T_Abc"].visits == pytest.approx(0.8)  # F_No has probability 0.2
    assert computed["T_Abc"].annual_count == pytest.approx(1200 * 0.8)
    sheet = survey_file(tmp_path, "証明書交付テスト,F_No,不可,,,,,,,,0.5,",
                        "証明書交付テスト,T_Kofu,交付,2000,1,,,,,,,")
    surveyed = steps_by_id(assess([counter], survey=load_survey(sheet), profile=PROFILE))
    assert surveyed["T_Abc"].visits == pytest.approx(0.5), "the sheet's 分岐確率 overrides the BPMN"
    kofu = surveyed["T_Kofu"]
    assert kofu.annual_count == 2000 and kofu.data_sources["annual_count"] is EvidenceSource.SURVEY
    notes = [e for e in kofu.evidence if e.feature == "annual_count" and "differs" in e.detail]
    assert notes and "600" in notes[0].detail, "1,200 × 0.5 = 600 computed vs 2,000 surveyed"


def test_called_process_takes_its_volume_from_the_caller() -> None:
    caller, called = read_bpmn(DATA / "caller.bpmn"), read_bpmn(DATA / "called.bpmn")
    result = assess([called, caller], profile=PROFILE)
    sub = next(p for p in result.processes if p.process_id == "Process_Sub")
    assert sub.annual_cases_source is EvidenceSource.STRUCTURE
    assert sub.annual_cases == pytest.approx(800 * 1.25), "800 cases × 1.25 calls per case (20 % rework)"
    assert not [g for g in result.gaps if g.kind == "default-volume"]
    alone = assess([called], profile=PROFILE)
    assert alone.processes[0].annual_cases_source is EvidenceSource.DEFAULT


def test_gaps_for_unmatched_rows_and_steps_without_data(counter: Definitions, tmp_path: Path) -> None:
    sheet = survey_file(tmp_path, "証明書交付テスト,,ABC123,,2,,,,,,,", "証明書交付テスト,,存在しない,,2,,,,,,,")
    result = assess([counter], survey=load_survey(sheet), profile=PROFILE)
    unmatched = [g for g in result.gaps if g.kind == "unmatched-row"]
    assert [(g.line, g.file) for g in unmatched] == [(3, str(sheet))]
    no_data = {g.element_id for g in result.gaps if g.kind == "no-data"}
    steps = {s.step_id for p in result.processes for s in p.steps}
    assert no_data == steps - {"T_Abc"}, "every step without a row is listed"
    assert steps_by_id(result)["T_Abc"].minutes_per_case == 2


# --------------------------------------------------------------------------- invariants


def fingerprint(assessment: Assessment) -> dict[tuple[str, str, str], tuple[object, ...]]:
    """Everything decided about each step, rounded to 9 places (the visits solve is exact only to ~1e-15)."""
    return {
        (s.file, s.process_id, s.step_id): (
            s.disposition,
            s.rank,
            tuple((k, round(v, 9)) for k, v in sorted(s.features.items())),
            tuple(sorted((d.value, round(v, 9)) for d, v in s.scores.items())),
            round(s.confidence, 9),
            round(s.cost.hours_per_year, 6),
        )
        for p in assessment.processes
        for s in p.steps
    }


@pytest.fixture(scope="module")
def portfolio(flows_dir: Path) -> list[Definitions]:
    paths = [DATA / "counter.bpmn", DATA / "caller.bpmn", DATA / "called.bpmn", *sorted(flows_dir.glob("*.bpmn"))]
    return [read_bpmn(p) for p in paths]


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_results_do_not_depend_on_file_or_step_order(portfolio: list[Definitions], data: st.DataObject) -> None:
    reference = fingerprint(assess(portfolio, profile=PROFILE))
    files = data.draw(st.permutations(portfolio))
    shuffled = []
    for definitions in files:
        processes = {}
        for pid, process in definitions.processes.items():
            order = data.draw(st.permutations(list(process.nodes)))
            processes[pid] = dataclasses.replace(process, nodes={k: process.nodes[k] for k in order})
        shuffled.append(dataclasses.replace(definitions, processes=processes))
    result = assess(shuffled, profile=PROFILE)
    assert fingerprint(result) == reference
    for process in result.processes:
        for step in process.steps:
            assert all(0.0 <= v <= 1.0 for v in step.features.values())
            assert all(0.0 <= v <= 1.0 for v in step.scores.values())
            assert 0.0 <= step.confidence <= 1.0
