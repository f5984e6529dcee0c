"""The legal gate (issue 7): the probes, conflicts, overrides, 要確認, the lexicon, the basis for outsourcing.

Each probe is a step the numbers want to outsource (tests/data/legal/probes_survey.csv measures every one
as routine paper work without judgment); only the legal gate keeps it with staff, at any threshold.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from bpm.errors import ProfileError
from bpm.model import Definitions
from bpm.reader import read_bpmn, read_bpmn_bytes
from scoring.assess import assess
from scoring.context import process_context, step_facts
from scoring.legal import gate, legal_lexicon, legal_status, permitted, reviewed_words
from scoring.lexicon import compile_lexicon
from scoring.profile import Profile, load_profile
from scoring.result import Assessment, Disposition, LegalClass, LegalSource, LegalStatus, StepAssessment
from scoring.survey import SurveyRow, load_survey

DATA = Path(__file__).resolve().parents[1] / "data" / "legal"
PROFILE = load_profile()
A, U, F = LegalClass.AUTHORITY, LegalClass.UNKNOWN, LegalClass.FACTUAL
OUT, R, V, P = Disposition.OUTSOURCE, Disposition.RETAIN, Disposition.REVIEW, Disposition.RPA

PROBES: dict[str, LegalClass] = {
    # issue 7, second bullet: outsourced before, must stay with staff
    "火葬許可": A,
    "住民票の写しの交付（第三者請求）": U,
    "DV支援措置対象者の確認": A,
    "Verify eligibility requirements": A,
    "Sign off the register entry": A,
    "Grant permit": A,
    "Issue certificate (third-party request)": U,
    "P_Unnamed": U,
    # third bullet: kept with staff only by a threshold before
    "内容確認": U,  # followed by the gateway 受理できる?
    "要件の判定": A,
    "承認": A,
    "Determine eligibility": A,
    "支給の適否": A,
    "国保資格の認否": A,
}


def with_thresholds(value: float) -> Profile:
    return dataclasses.replace(PROFILE, thresholds=dataclasses.replace(PROFILE.thresholds, outsource=value,
                                                                       rpa=value))


def assess_probes(profile: Profile = PROFILE) -> Assessment:
    return assess([read_bpmn(DATA / "probes.bpmn")], survey=load_survey(DATA / "probes_survey.csv"),
                  profile=profile)


def by_name(assessment: Assessment) -> dict[str, StepAssessment]:
    return {s.name: s for p in assessment.processes for s in p.steps}


# --------------------------------------------------------------------------- the probes


@pytest.mark.parametrize("threshold", [0.45, 0.35, 0.0])
def test_no_probe_is_outsourced_whatever_the_threshold(threshold: float) -> None:
    steps = by_name(assess_probes(with_thresholds(threshold)))
    for name, legal_class in PROBES.items():
        step = steps[name]
        assert step.legal is not None and step.legal.legal_class is legal_class, name
        assert (step.proposed or step.disposition) is OUT, f"{name}: the numbers alone would outsource it"
        assert step.disposition in (R, V), name
        assert step.rank is None and step.cost.hours_freed_per_year == 0, name
    # the factual acts around them are still outsourced by the legal gate, citing the notice that allows it
    # (the cost gate, which runs after it, may still withdraw them: 「費用面で推奨しない」, never the reverse)
    for name in ("申請書受付", "交付"):
        assert steps[name].classified is OUT, name
        assert steps[name].disposition in (OUT, R), name
        basis = next(r for r in steps[name].reasons if r.code == "outsourcing-basis")
        assert "内閣府 平成20年1月17日通知" in basis.ja and "(2) 住民票の写し等の交付" in basis.ja


def test_authority_probes_say_why_and_what_the_numbers_wanted() -> None:
    steps = by_name(assess_probes())
    for name, legal_class in PROBES.items():
        codes = [r.code for r in steps[name].reasons]
        if legal_class is A:
            assert codes[:2] == ["legal-authority", "legal-override"], name
            assert steps[name].disposition is R
        else:
            assert codes[:2] == ["legal-unknown", "legal-review"], name
            assert "resolve-unknown" in codes and steps[name].disposition is V
            assert steps[name].legal is not None and steps[name].legal.resolve is not None


def test_the_decision_gateway_and_the_unnamed_step_are_the_evidence_shown() -> None:
    steps = by_name(assess_probes())
    naiyo = steps["内容確認"].legal
    assert naiyo is not None
    assert [c.source for c in naiyo.claims if c.legal_class is U] == [LegalSource.GATEWAY]
    assert "受理できる?" in naiyo.claims[0].ja and not naiyo.robot_may_prepare
    unnamed = steps["P_Unnamed"].legal
    assert unnamed is not None and unnamed.claims[0].source is LegalSource.STRUCTURE
    assert "名前のない手順" in unnamed.claims[0].ja


# --------------------------------------------------------------------------- conflicts and overrides


def koseki(survey: str = "legal_survey.csv", profile: Profile = PROFILE, xml: bytes | None = None) -> Assessment:
    definitions = (read_bpmn_bytes(xml, str(DATA / "koseki_loop.bpmn")) if xml is not None
                   else read_bpmn(DATA / "koseki_loop.bpmn"))
    return assess([definitions], survey=load_survey(DATA / survey) if survey else None, profile=profile)


def test_a_wrong_survey_cell_is_a_conflict_not_rank_one() -> None:
    """受理要件審査 with 公権力 有 → 無: before issue 7 it became RPA, rank 1; now staff keep it and it is an error."""
    assessment = koseki()
    shinsa = by_name(assessment)["受理要件審査"]
    assert shinsa.proposed is P, "the numbers favour a robot"
    assert shinsa.disposition is R and shinsa.rank is None
    assert shinsa.legal is not None and shinsa.legal.legal_class is A and shinsa.legal.conflicts
    conflict = shinsa.legal.conflicts[0]
    assert conflict.factual.source is LegalSource.SURVEY and "無" in conflict.factual.ja
    assert conflict.authority.legal_class is A
    assert "legal-conflict" in [r.code for r in shinsa.reasons]
    errors = [f for f in assessment.findings if f.rule == "legal-conflict"]
    assert len(errors) == 1 and errors[0].severity.value == "error" and errors[0].element_id == "T_Shinsa"
    assert "公権力の行使 = 無" in errors[0].message and "受理・審査" in errors[0].message  # both pieces of evidence


def test_a_bpmn_property_saying_no_is_a_conflict_too() -> None:
    xml = (DATA / "koseki_loop.bpmn").read_bytes().replace(
        b'<userTask id="T_Shinsa" name="\xe5\x8f\x97\xe7\x90\x86\xe8\xa6\x81\xe4\xbb\xb6\xe5\xaf\xa9\xe6\x9f\xbb"/>',
        '<userTask id="T_Shinsa" name="受理要件審査"><extensionElements><camunda:properties>'
        '<camunda:property name="legal_authority" value="無"/></camunda:properties></extensionElements>'
        '</userTask>'.encode())
    assert b"legal_authority" in xml
    shinsa = by_name(koseki(survey="", xml=xml))["受理要件審査"]
    assert shinsa.legal is not None and shinsa.legal.legal_class is A
    assert [c.factual.source for c in shinsa.legal.conflicts] == [LegalSource.PROPERTY] * len(shinsa.legal.conflicts)
    assert shinsa.disposition is R


def test_a_written_justification_clears_the_conflict_and_is_listed(tmp_path: Path) -> None:
    reason = "法務局との協議で審査は形式確認のみと整理（2024年 協議記録 第12号）"
    lines = (DATA / "legal_survey.csv").read_text(encoding="utf-8").splitlines()
    sheet = [lines[0] + ",公権力の判断根拠",
             *(line + ("," + reason if ",T_Shinsa," in line else ",") for line in lines[1:])]
    (tmp_path / "survey.csv").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    assessment = assess([read_bpmn(DATA / "koseki_loop.bpmn")], survey=load_survey(tmp_path / "survey.csv"),
                        profile=PROFILE)
    shinsa = by_name(assessment)["受理要件審査"]
    assert shinsa.legal is not None and shinsa.legal.legal_class is F and shinsa.legal.override is not None
    assert shinsa.legal.conflicts, "the disagreement stays visible in the evidence"
    assert not [f for f in assessment.findings if f.rule == "legal-conflict"]
    assert [o.step_id for o in assessment.overrides] == ["T_Shinsa"]
    assert "協議記録" in assessment.overrides[0].reason and "row 4" in assessment.overrides[0].origin
    assert [f.rule for f in assessment.findings if f.element_id == "T_Shinsa"] == ["legal-override"]
    assert "legal-override-used" in [r.code for r in shinsa.reasons]


def test_a_profile_override_names_the_step_and_needs_a_reason(tmp_path: Path) -> None:
    good = tmp_path / "city.toml"
    good.write_text('[legal.overrides.shinsa]\nflow = "戸籍届出"\nstep = "受理要件審査"\nclass = "factual"\n'
                    'reason = "審査は端末の自動判定のみ（要綱第3条）"\n\n'
                    '[legal.overrides.typo]\nflow = "戸籍届出"\nstep = "受理要件審杳"\nclass = "factual"\n'
                    'reason = "x"\n', encoding="utf-8")
    assessment = koseki(profile=load_profile(good))
    assert [(o.step_id, o.origin) for o in assessment.overrides] == [
        ("T_Shinsa", "profile city.toml legal.overrides.shinsa")]
    unused = [f for f in assessment.findings if f.rule == "legal-override-unused"]
    assert len(unused) == 1 and "typo" in unused[0].message and unused[0].source.line == 7
    bad = tmp_path / "bad.toml"
    bad.write_text('[legal.overrides.x]\nflow = "戸籍届出"\nstep = "受理要件審査"\nclass = "factual"\nreason = ""\n',
                   encoding="utf-8")
    with pytest.raises(ProfileError, match="reason must be non-empty") as error:
        load_profile(bad)
    assert error.value.line == 1 and error.value.file == str(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[legal.overrides.x]\nflow = "a"\nstep = "b"\nclass = "maybe"\nreason = "c"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="class must be one of factual, authority, unknown"):
        load_profile(wrong)


def test_refusal_explanations_stay_with_whoever_refused() -> None:
    for name in ("不交付の説明", "交付不可の説明", "登録不可の説明", "Explain the refusal"):
        status = status_of(name, row=SurveyRow(line=2, process="p", legal_authority=False))
        assert status.legal_class is A, name
        assert status.conflicts, name
        assert gate(OUT, status).disposition is R


# --------------------------------------------------------------------------- the lexicon


def one_step(name: str, *, lane: str = "", after: str = "", tag: str = "manualTask", properties: str = "",
             process: str = "住民票の写し等の交付") -> Definitions:
    lanes = (f'<laneSet id="ls"><lane id="l" name="{lane}"><flowNodeRef>t</flowNodeRef></lane></laneSet>'
             if lane else "")
    gateway = (f'<exclusiveGateway id="g" name="{after}"/><endEvent id="e1"/><endEvent id="e2"/>'
               '<sequenceFlow id="f2" sourceRef="t" targetRef="g"/><sequenceFlow id="f3" sourceRef="g" targetRef="e1"/>'
               '<sequenceFlow id="f4" sourceRef="g" targetRef="e2"/>' if after else "")
    extension = (f'<extensionElements><camunda:properties>{properties}</camunda:properties></extensionElements>'
                 if properties else "")
    xml = (f'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
           f'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d"><process id="p" name="{process}">{lanes}'
           f'<startEvent id="s"/><{tag} id="t" name="{name}">{extension}</{tag}>{gateway}'
           f'<sequenceFlow id="f1" sourceRef="s" targetRef="t"/></process></definitions>')
    return read_bpmn_bytes(xml.encode(), "one.bpmn")


def status_of(name: str, row: SurveyRow | None = None, **kwargs: str) -> LegalStatus:
    definitions = one_step(name, **kwargs)
    process = definitions.processes["p"]  # type: ignore[index]
    node = process.nodes["t"]  # type: ignore[index]
    facts = step_facts(process_context(definitions, process, compile_lexicon(PROFILE.lexicon)), node)
    return legal_status(node, facts, row)


@pytest.mark.parametrize(
    ("name", "legal_class"),
    [
        ("Verify identity", F), ("Issue certificate", F), ("本人確認", F), ("証明書の交付", F),
        ("Verify eligibility", A), ("Issue certificate (third-party request)", U),
        ("Issue permit", A), ("火葬許可証交付", F), ("受理証明書の交付", F), ("照会書送付", F),
        ("賦課決定", A), ("減免の審査", A), ("督促状の発送", A), ("差押", A), ("取消処分", A), ("点検", U),
        ("精査", U), ("Vet the application", U), ("Screen applicants", U), ("Update entry screen", F),
        ("Adjudicate the claim", A), ("Authorise payment", A), ("DV支援措置確認", A), ("処理", U),
    ],
)
def test_reviewed_lexicon_reads_names_monotonically(name: str, legal_class: LegalClass) -> None:
    assert status_of(name).legal_class is legal_class, name


def test_every_reviewed_word_keeps_its_source_and_the_issue_words_are_there() -> None:
    words = reviewed_words()
    assert words and all(w.source.strip() for w in words)
    decision_like = {w.word for w in words if w.signal in ("authority", "refusal", "judgment")}
    required = {"許可", "不許可", "承認", "判定", "適否", "認否", "要否", "処分", "取消", "点検", "精査", "賦課",
                "減免", "督促", "差押", "determin", "eligib", "grant", "permit", "authori", "sign off", "adjudicat",
                "evaluat", "vet", "screen"}
    assert required <= decision_like, required - decision_like


def test_a_profile_can_add_legal_words_but_never_remove_reviewed_ones(tmp_path: Path) -> None:
    path = tmp_path / "words.toml"
    path.write_text('[lexicon.legal_authority]\nja = ["確定"]\nen = []\n\n[lexicon.judgment]\nja = []\nen = []\n',
                    encoding="utf-8")
    profile = load_profile(path)
    lexicon = legal_lexicon(profile)
    assert [h.signal for h in lexicon.names.hits("記載内容審査") if h.signal == "authority"] == ["authority"]
    assert [h.word for h in lexicon.names.hits("税額確定") if h.signal == "authority"] == ["確定"]


def test_lane_and_gateway_make_unknown_but_only_the_lane_lets_a_robot_prepare() -> None:
    entry_in_exam_lane = status_of("住基システム入力", lane="審査・入力担当", tag="userTask")
    assert entry_in_exam_lane.legal_class is U and entry_in_exam_lane.robot_may_prepare
    assert gate(P, entry_in_exam_lane).disposition is P
    assert gate(OUT, entry_in_exam_lane).disposition is V
    before_decision = status_of("内容確認", after="受理できる?")
    assert before_decision.legal_class is U and not before_decision.robot_may_prepare
    assert gate(P, before_decision).disposition is V
    shown = status_of("登録証確認", after="登録証の提示あり?")  # asks whether a card was shown: no decision
    assert shown.legal_class is F
    nothing = status_of("処理")  # no word and no statement: 要確認, and a robot would be deciding blind
    assert nothing.legal_class is U and not nothing.robot_may_prepare and gate(P, nothing).disposition is V


def test_judgment_signals_from_survey_or_property_are_unknown() -> None:
    assert status_of("受付", row=SurveyRow(line=3, process="p", judgment=True)).legal_class is U
    assert status_of("受付", properties='<camunda:property name="judgment" value="有"/>').legal_class is U
    unreadable = status_of("受付", properties='<camunda:property name="legal_authority" value="たぶん"/>')
    assert unreadable.legal_class is U and "読めない" in unreadable.claims[0].ja


# --------------------------------------------------------------------------- the basis for outsourcing


def counter_flow(process: str, *names: str) -> Definitions:
    tasks = "".join(f'<manualTask id="t{i}" name="{n}"/>' for i, n in enumerate(names))
    chain = ["s", *(f"t{i}" for i in range(len(names))), "e"]
    flows = "".join(f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(itertools.pairwise(chain)))
    xml = (f'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
           f'<collaboration id="c"><participant id="pc" name="市役所" processRef="p"/>'
           f'<participant id="pr" name="申請者"/><messageFlow id="m" sourceRef="pr" targetRef="s"/></collaboration>'
           f'<process id="p" name="{process}"><laneSet id="ls"><lane id="l" name="窓口">'
           + "".join(f"<flowNodeRef>{n}</flowNodeRef>" for n in chain)
           + f'</lane></laneSet><startEvent id="s"/>{tasks}<endEvent id="e"/>{flows}</process></definitions>')
    return read_bpmn_bytes(xml.encode(), f"{process}.bpmn")


def test_a_procedure_off_the_list_is_never_outsourced(tmp_path: Path) -> None:
    flow = counter_flow("児童手当 認定請求", "請求書受付", "認定", "認定通知書の発送")
    steps = by_name(assess([flow], profile=PROFILE))
    receipt = steps["請求書受付"]
    assert receipt.proposed is OUT and receipt.disposition is R
    assert "not-on-list" in [r.code for r in receipt.reasons]
    listed = tmp_path / "listed.toml"
    listed.write_text('[legal.procedures.jido_teate]\non_list = true\nnotices = ["naikakufu_h20"]\n'
                      'list_item = "市の整理"\nsource = "法規担当の確認 2025-04"\n', encoding="utf-8")
    steps = by_name(assess([counter_flow("児童手当 認定請求", "請求書受付", "認定", "認定通知書の発送")],
                           profile=load_profile(listed)))
    assert steps["請求書受付"].classified is OUT and steps["認定"].disposition is R
    nosource = tmp_path / "nosource.toml"
    nosource.write_text('[legal.procedures.jido_teate]\non_list = true\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="source is required"):
        assess([counter_flow("児童手当 認定請求", "請求書受付")], profile=load_profile(nosource))


def test_an_unknown_procedure_is_to_be_confirmed_and_a_warning() -> None:
    assessment = assess([counter_flow("謎の業務", "書類受付", "書類の交付")], profile=PROFILE)
    receipt = by_name(assessment)["書類受付"]
    assert receipt.proposed is OUT and receipt.disposition is V
    assert receipt.legal is not None and receipt.legal.resolve is not None
    assert receipt.legal.resolve.code == "procedure-unknown"
    assert [f.rule for f in assessment.findings] == ["procedure-unknown"]
    assert assessment.processes[0].procedure is None


def test_scope_of_a_listed_procedure_limits_what_is_outsourced() -> None:
    steps = by_name(assess([counter_flow("国民健康保険 加入", "届出受付", "国保システムへの入力", "資格確認書の交付",
                                         "資格要件の判断")], profile=PROFILE))
    assert steps["届出受付"].classified is OUT
    entry = steps["国保システムへの入力"]  # a factual act, but the list names only 受付 and 交付 for 国保
    assert entry.legal is not None and entry.legal.legal_class is F
    assert entry.proposed is OUT and entry.disposition is R
    assert "outside-scope" in [r.code for r in entry.reasons]


def test_fee_collection_needs_the_notice(tmp_path: Path) -> None:
    flow = counter_flow("住民票の写し等の交付", "申請書受付", "交付可否判断", "手数料収納", "交付")
    fee = by_name(assess([flow], profile=PROFILE))["手数料収納"]
    assert fee.proposed is OUT and fee.disposition is V
    assert "地方自治法243条" in next(r.ja for r in fee.reasons if r.code == "cash-notice")
    notified = tmp_path / "notice.toml"
    notified.write_text("[legal]\ncash_collection_notice = true\n", encoding="utf-8")
    assert by_name(assess([flow], profile=load_profile(notified)))["手数料収納"].classified is OUT


# --------------------------------------------------------------------------- the gate itself


@pytest.mark.parametrize("proposed", list(Disposition))
@pytest.mark.parametrize("legal_class", list(LegalClass))
@pytest.mark.parametrize("outsourceable", [False, True])
@pytest.mark.parametrize("robot", [False, True])
def test_the_gate_only_moves_towards_staff_and_always_ends_permitted(
    proposed: Disposition, legal_class: LegalClass, outsourceable: bool, robot: bool
) -> None:
    status = LegalStatus(legal_class, outsourceable=outsourceable and legal_class is F, robot_may_prepare=robot)
    decided = gate(proposed, status).disposition
    assert permitted(decided, status) or proposed is Disposition.REVIEW
    assert decided in (proposed, R, V)
    if legal_class is not F:
        assert decided is not OUT
    if legal_class is A:
        assert decided is not P


def test_override_findings_print_one_language_on_the_terminal() -> None:
    """Issue 10 item 4: a finding's terminal line says the run's language only (the site keeps both)."""
    from scoring.legal import unused_override_finding
    from scoring.profile import LegalOverrideEntry

    entry = LegalOverrideEntry("x", "転入届", "受付ﾀｲﾎﾟ", "factual", "理由", "city.toml", 7)
    finding = unused_override_finding(entry)
    japanese, english = finding.line("ja"), finding.line("en")
    assert japanese.startswith("city.toml:7: ") and "当てはまる手順がありません" in japanese, japanese
    assert "matches no step" not in japanese and "ID か名前" in japanese, japanese
    assert "matches no step" in english and "手順がありません" not in english, english
    assert finding.message == finding.message_en  # JSON and SARIF stay English


def test_claims_of_a_name_and_a_place_are_made_once_and_keyed_by_all_they_read() -> None:
    """The lexicon remembers claims by name, automation, lanes and gateways: a repeated step shares them, and a
    step differing in any of these gets its own (a service task's 審査 is no judgment claim)."""
    xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <collaboration id="co"><participant id="pp" processRef="p"/></collaboration>
      <process id="p"><laneSet><lane id="l1" name="審査担当"><flowNodeRef>a</flowNodeRef><flowNodeRef>b</flowNodeRef>
      </lane><lane id="l2" name="窓口"><flowNodeRef>c</flowNodeRef><flowNodeRef>d</flowNodeRef></lane></laneSet>
      <userTask id="a" name="内容点検"/><userTask id="b" name="内容点検"/>
      <userTask id="c" name="内容点検"/><serviceTask id="d" name="内容点検"/></process></definitions>'''
    definitions = read_bpmn_bytes(xml.encode(), "x.bpmn")
    process = definitions.processes["p"]  # type: ignore[index]
    lexicon = legal_lexicon()
    context = process_context(definitions, process, compile_lexicon({}))

    def claims(step: str) -> tuple[tuple[str, str], ...]:
        node = process.nodes[step]  # type: ignore[index]
        status = legal_status(node, step_facts(context, node), lexicon=lexicon)
        return tuple((c.source.value, c.ja) for c in status.claims)

    assert claims("a") == claims("b")
    assert any(source == "lane" for source, _ in claims("a"))
    assert not any(source == "lane" for source, _ in claims("c"))  # another lane: no staff-lane claim
    assert any("判断を要する語" in ja for _, ja in claims("c"))
    assert not any("判断を要する語" in ja for _, ja in claims("d"))  # automated: no judgment claim from the name
