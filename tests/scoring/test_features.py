"""Features: task-type and wording inference, flow structure, and the precedence survey > property > inference."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpm.model import Definitions
from bpm.reader import read_bpmn, read_bpmn_bytes
from scoring.features import (
    FEATURES,
    FeatureMemo,
    FeatureSet,
    Measures,
    assessable_steps,
    process_context,
    step_facts,
    step_features,
    step_minutes,
)
from scoring.lexicon import compile_lexicon
from scoring.profile import load_profile
from scoring.result import EvidenceSource as S
from scoring.survey import SurveyRow

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"
PROFILE = load_profile()
LEXICON = compile_lexicon(PROFILE.lexicon)


def features_of(definitions: Definitions, step_id: str, row: SurveyRow | None = None, *,
                visits: float = 1.0, hours: float = 100.0) -> FeatureSet:
    process = next(p for p in definitions.processes.values() if step_id in p.nodes)
    context = process_context(definitions, process, LEXICON)
    node = process.nodes[step_id]  # type: ignore[index]
    measures = Measures(visits, 1000.0, hours * 60 / 1000, hours, S.SURVEY)
    return step_features(node, step_facts(context, node), row, measures, PROFILE, LEXICON, file=definitions.file)


def one_task(tag: str, name: str = "作業", properties: str = "") -> Definitions:
    extension = (f'<extensionElements><camunda:properties>{properties}</camunda:properties></extensionElements>'
                 if properties else "")
    xml = f'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d"><process id="p">
      <startEvent id="s"/><{tag} id="t" name="{name}">{extension}</{tag}><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="t"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
      </process></definitions>'''
    return read_bpmn_bytes(xml.encode(), "one.bpmn")


@pytest.fixture(scope="module")
def counter() -> Definitions:
    return read_bpmn(DATA / "counter.bpmn")


# --------------------------------------------------------------------------- task type


def test_service_and_script_tasks_are_automated() -> None:
    for tag in ("serviceTask", "scriptTask"):
        result = features_of(one_task(tag), "t")
        assert result.values["automated"] == 1.0
        assert result.sources["automated"] is S.BPMN_TYPE
        assert result.values["system"] == 1.0 and result.values["judgment"] == 0.0
        assert result.values["face_to_face"] == 0.0 and result.values["physical"] == 0.0


def test_manual_task_is_physical_work_without_a_system() -> None:
    result = features_of(one_task("manualTask"), "t")
    assert result.values["physical"] == 1.0 and result.sources["physical"] is S.BPMN_TYPE
    assert result.values["system"] == 0.0
    assert result.values["digital_input"] == pytest.approx(0.1)
    assert result.values["automated"] == 0.0


def test_business_rule_task_is_rule_based() -> None:
    rule = features_of(one_task("businessRuleTask"), "t")
    user = features_of(one_task("userTask"), "t")
    assert rule.values["routine"] > user.values["routine"]
    assert rule.sources["routine"] is S.BPMN_TYPE
    assert rule.values["judgment"] == pytest.approx(0.2)


def test_user_task_is_screen_work() -> None:
    result = features_of(one_task("userTask"), "t")
    assert result.values["system"] == pytest.approx(0.5)
    assert result.values["physical"] == pytest.approx(0.1)


def test_plain_task_falls_back_to_profile_defaults() -> None:
    result = features_of(one_task("task"), "t")
    assert result.sources["judgment"] is S.DEFAULT
    assert result.values["judgment"] == PROFILE.defaults["judgment"]
    assert result.sources["digital_input"] is S.DEFAULT


# --------------------------------------------------------------------------- wording


def test_judgment_word_makes_judgment_and_legal_authority() -> None:
    result = features_of(one_task("userTask", "記載内容審査"), "t")
    assert result.values["judgment"] == pytest.approx(0.9) and result.sources["judgment"] is S.LEXICON
    assert result.legal_authority and result.sources["legal_authority"] is S.LEXICON
    assert any(e.feature == "legal_authority" and "審査" in e.detail for e in result.evidence)


def test_routine_word_makes_routine() -> None:
    entry = features_of(one_task("userTask", "住基システム入力"), "t")
    check = features_of(one_task("userTask", "照合・決裁"), "t")
    assert entry.values["judgment"] == pytest.approx(0.1)
    assert not entry.legal_authority
    assert check.values["judgment"] == pytest.approx(0.9), "決裁 outweighs 照合"
    assert entry.values["routine"] > check.values["routine"]


def test_english_names_are_read_too() -> None:
    assert features_of(one_task("userTask", "Examine application"), "t").legal_authority
    entry = features_of(one_task("userTask", "Enter data"), "t")
    assert entry.values["judgment"] == pytest.approx(0.1)
    assert features_of(one_task("manualTask", "Hand over certificate"), "t").values["face_to_face"] >= 0.8


# --------------------------------------------------------------------------- structure


def test_resident_message_flow_and_counter_lane(counter: Definitions) -> None:
    handing = features_of(counter, "T_Kofu")
    assert handing.values["face_to_face"] == 1.0
    assert any(e.feature == "face_to_face" and "申請者" in e.detail for e in handing.evidence)
    reception = features_of(counter, "T_Uketsuke")
    assert reception.values["face_to_face"] == pytest.approx(0.9), "first step after the resident's request"
    back_office = features_of(counter, "T_Input")
    assert back_office.values["face_to_face"] == 0.0


def test_office_pool_containing_juumin_is_not_a_resident(counter: Definitions) -> None:
    context = process_context(counter, counter.processes["Process_Counter"], LEXICON)  # type: ignore[index]
    assert "P_Resident" in context.resident_ends
    assert "P_Office" not in context.resident_ends


def test_system_lane_means_automated(counter: Definitions) -> None:
    result = features_of(counter, "T_Update")
    assert result.values["automated"] == 1.0
    assert any(e.source is S.STRUCTURE and "住基システム" in e.detail for e in result.evidence)


def test_data_store_and_decision_gateway(counter: Definitions) -> None:
    entry = features_of(counter, "T_Input")
    assert any(e.feature == "system" and "住基DB" in e.detail for e in entry.evidence)
    exam = features_of(counter, "T_Shinsa")
    assert any(e.feature == "judgment" and e.source is S.STRUCTURE and "受理できる?" in e.detail
               for e in exam.evidence)


def test_repetition_follows_visits(counter: Definitions) -> None:
    every = features_of(counter, "T_Abc", visits=1.0)
    rare = features_of(counter, "T_Abc", visits=0.05)
    assert every.values["routine"] > rare.values["routine"]


# --------------------------------------------------------------------------- precedence


def row(**values: object) -> SurveyRow:
    return SurveyRow(line=7, process="p", step="作業", **values)  # type: ignore[arg-type]


def test_survey_beats_property_beats_inference() -> None:
    properties = '<camunda:property name="input" value="電子"/><camunda:property name="judgment" value="有"/>'
    definitions = one_task("manualTask", "記載内容審査", properties)
    inferred = features_of(one_task("manualTask", "記載内容審査"), "t")
    assert inferred.sources["digital_input"] is S.BPMN_TYPE and inferred.values["digital_input"] == pytest.approx(0.1)
    assert inferred.sources["judgment"] is S.LEXICON

    from_property = features_of(definitions, "t")
    assert from_property.sources["digital_input"] is S.PROPERTY and from_property.values["digital_input"] == 1.0
    assert from_property.sources["judgment"] is S.PROPERTY and from_property.values["judgment"] == 1.0

    from_survey = features_of(definitions, "t", row(input_form="paper", digital_share=0.0, input_label="紙",
                                                   judgment=False, legal_authority=False))
    assert from_survey.sources["digital_input"] is S.SURVEY and from_survey.values["digital_input"] == 0.0
    assert from_survey.sources["judgment"] is S.SURVEY and from_survey.values["judgment"] == 0.0
    assert from_survey.sources["routine"] is S.SURVEY
    survey_evidence = [e for e in from_survey.evidence if e.source is S.SURVEY
                       and e.feature in ("digital_input", "judgment", "rule_based", "legal_authority")]
    assert survey_evidence and all("row 7" in e.detail for e in survey_evidence)


def test_legal_authority_is_the_strongest_claim_not_the_survey_cell() -> None:
    """Issue 7 changed this: the survey's 公権力 = 無 no longer beats the name 「記載内容審査」.

    Precedence was the bug: the legal class is the strongest claim of any source.

    Both pieces of evidence stay in the trail, and the disagreement is a conflict.
    """
    result = features_of(one_task("manualTask", "記載内容審査"), "t", row(legal_authority=False))
    assert result.legal_authority and result.values["legal_authority"] == 1.0
    assert result.sources["legal_authority"] is S.LEXICON
    details = [e.detail for e in result.evidence if e.feature == "legal_authority"]
    assert any("審査" in d for d in details) and any("row 7" in d and "無" in d for d in details)
    assert result.legal is not None and len(result.legal.conflicts) == 1


def test_minutes_precedence_and_default_gap() -> None:
    with_property = one_task("userTask", properties='<camunda:property name="minutes" value="6"/>')
    node = with_property.processes["p"].nodes["t"]  # type: ignore[index]
    assert step_minutes(node, row(minutes=4.0), PROFILE, file="x").value == 4.0
    measured = step_minutes(node, None, PROFILE, file="x")
    assert (measured.value, measured.source, measured.gap) == (6.0, S.PROPERTY, None)
    bare = one_task("userTask").processes["p"].nodes["t"]  # type: ignore[index]
    default = step_minutes(bare, None, PROFILE, file="x")
    assert (default.value, default.source) == (PROFILE.minutes["userTask"], S.DEFAULT)
    assert default.gap is not None and default.gap.kind == "default-minutes"


def test_bad_property_is_reported_not_fatal() -> None:
    definitions = one_task("userTask", properties='<camunda:property name="input" value="FAX"/>')
    result = features_of(definitions, "t")
    assert [g.kind for g in result.gaps] == ["bad-property"]
    assert result.sources["digital_input"] is S.BPMN_TYPE


def test_every_feature_is_bounded_and_evidenced(counter: Definitions) -> None:
    for node in assessable_steps(counter.processes["Process_Counter"]):  # type: ignore[index]
        result = features_of(counter, node.id)
        assert tuple(result.values) == FEATURES
        assert all(0.0 <= v <= 1.0 for v in result.values.values())
        evidenced = {e.feature for e in result.evidence}
        assert set(FEATURES) <= evidenced, set(FEATURES) - evidenced


def test_verify_and_issue_are_routine_only_when_nothing_decision_like_sits_with_them() -> None:
    """Issue 7: 'verif' and 'issue' are routine words, unless the name also carries a decision."""
    plain = features_of(one_task("userTask", "Verify identity"), "t")
    eligibility = features_of(one_task("userTask", "Verify eligibility requirements"), "t")
    third_party = features_of(one_task("manualTask", "Issue certificate (third-party request)"), "t")
    assert plain.values["judgment"] == pytest.approx(0.1)
    assert eligibility.values["judgment"] == pytest.approx(0.9) and third_party.values["judgment"] == pytest.approx(0.9)
    assert eligibility.values["routine"] < plain.values["routine"]
    assert any(e.feature == "judgment" and "eligib" in e.detail for e in eligibility.evidence)


def test_shared_sentences_are_keyed_by_every_value_and_its_type() -> None:
    from scoring.evidence_text import english as _english
    from scoring.evidence_text import said
    from scoring.evidence_text import shared_said as _said

    for raw in (1, 1.0, True, "1"):
        shared = _said("property", name="minutes", raw=raw)
        assert shared == said("property", name="minutes", raw=raw)
        assert _english(shared) == said("property", name="minutes", raw=raw).en
    assert _said("property", name="minutes", raw=1).text("en") != _said("property", name="minutes", raw=1.0).text("en")
    assert _said("property", name="minutes", raw=1.0) is _said("property", name="minutes", raw=1.0)


def test_memo_gives_the_features_of_a_fresh_run_and_serves_only_its_own_profile(counter: Definitions) -> None:
    """Steps that look alike share what inference says; the survey row, properties and volumes stay per step."""
    process = next(iter(counter.processes.values()))
    context = process_context(counter, process, LEXICON)
    memo = FeatureMemo(PROFILE, LEXICON)
    rows = (None, SurveyRow(line=7, process="p", minutes=3.0, judgment=True, exception_rate=0.2),
            SurveyRow(line=9, process="p", digital_share=0.0, input_label="紙"))
    for node in assessable_steps(process):
        facts = step_facts(context, node)
        for row in rows:
            for visits, hours in ((1.0, 100.0), (0.5, 3000.0)):
                measures = Measures(visits, 1000.0, hours * 60 / 1000, hours, S.SURVEY)
                fresh = step_features(node, facts, row, measures, PROFILE, LEXICON, file=counter.file)
                twice = [step_features(node, facts, row, measures, PROFILE, LEXICON, file=counter.file, memo=memo)
                         for _ in range(2)]
                assert twice[0] == fresh and twice[1] == fresh and repr(twice[1]) == repr(fresh)
    assert memo.serves(PROFILE, LEXICON)
    other = load_profile()
    assert other == PROFILE and not memo.serves(other, LEXICON)  # an equal profile is another object: no sharing
    node = assessable_steps(process)[0]
    known = len(memo._known)
    step_features(node, step_facts(context, node), None, Measures(1.0, 1.0, 1.0, 1.0, S.SURVEY), other, LEXICON,
                  file=counter.file, memo=memo)
    assert len(memo._known) == known
