"""Reasons cite the step's own evidence; legal reasons come first, word for word; no legal claim without evidence."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from money_fixtures import BASIS, CANDIDATES_PAY, PROFILE, step

from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.classify import EXPLAINING_CODES
from scoring.explain import SAFETY_CODES, compose, decided_reason, staff_reasons
from scoring.legal import gate
from scoring.profile import load_profile
from scoring.result import Assessment, Disposition, Evidence, EvidenceSource, Reason
from scoring.survey import load_survey

_LEGAL_WORDS = ("事実上の行為", "公権力", "委託可", "委託不可", "根拠通知", "内閣府", "法務省")
"""Words that make a sentence a legal claim: only the legal gate's reasons may say them."""


@pytest.fixture(scope="module", params=["default", "candidates-pay"])
def bundled(request: pytest.FixtureRequest, flows_dir: Path) -> Assessment:
    profile = PROFILE if request.param == "default" else load_profile(CANDIDATES_PAY)
    return assess([read_bpmn(p) for p in sorted(flows_dir.glob("*.bpmn"))],
                  survey=load_survey(flows_dir / "survey.xlsx"), profile=profile)


def test_compose_puts_legal_reasons_first_and_keeps_them_word_for_word() -> None:
    legal = Reason("legal-unknown", "法的な位置づけが要確認: 名前に「確認」", "Legal status to be confirmed")
    basis = BASIS
    generic = Reason("no-contact", "住民との対面がない", "No face-to-face contact with residents")
    other = Reason("inferred-data", "実測データがなく、推定に基づく判定", "Based on inferred values")
    own = Reason("volume-evidence", "年間 100 時間（6,000 件［調査票］× 1 分［調査票］）", "100 h a year")
    composed = compose([generic, other, legal, basis], [own])
    assert composed == (legal, basis, other, own), "legal first as written; the generic sentence replaced"
    assert compose([generic, legal], []) == (legal, generic), "nothing replaces a template without evidence"


def test_decided_reason_cites_the_score_and_threshold() -> None:
    found = dataclasses.replace(step("a", Disposition.RPA, annual_count=1000, minutes=2), scores={
        Disposition.RPA: 0.72, Disposition.RETAIN: 0.41, Disposition.OUTSOURCE: 0.3, Disposition.AUTOMATED: 0.0})
    reason = decided_reason(found, 0.55)
    assert reason is not None and reason.ja == "RPAの適合度 0.72（基準 0.55、次点は職員 0.41）"


def test_staff_reasons_cite_the_judgment_evidence() -> None:
    retained = step("a", Disposition.RETAIN, annual_count=1000, minutes=6)
    evidence = (Evidence("judgment", 0.9, EvidenceSource.SURVEY, "調査票 row 7: 判断 = 有"),
                Evidence("judgment", 0.6, EvidenceSource.LEXICON, "name contains 審査"))
    judged = dataclasses.replace(retained, evidence=evidence, features={"judgment": 0.9},
                                 reasons=(Reason("judgment", "判断を要する", "Needs judgment"),))
    texts = [r.ja for r in staff_reasons(judged)]
    assert texts == ["年間 100 時間（1,000 件［調査票］× 6 分［調査票］）",
                     "判断 0.90（根拠: 調査票 row 7: 判断 = 有）"]


def test_every_legal_reason_is_the_gates_and_comes_first(bundled: Assessment) -> None:
    for process in bundled.processes:
        for found in process.steps:
            assert found.legal is not None
            codes = [r.code for r in found.reasons]
            safety = [i for i, c in enumerate(codes) if c in SAFETY_CODES]
            assert safety == list(range(len(safety))), f"{found.name}: legal and hand-off reasons lead, {codes}"
            proposal = found.proposed or found.classified
            decided = gate(proposal, found.legal)
            for reason in decided.reasons:
                if found.classified is decided.disposition:
                    assert reason in found.reasons, f"{found.name}: {reason.code} rephrased or dropped"


def test_no_legal_claim_without_legal_evidence(bundled: Assessment) -> None:
    for process in bundled.processes:
        for found in process.steps:
            for reason in found.reasons:
                if reason.code in SAFETY_CODES:
                    continue
                if reason.code == "survey-note":  # the sheet's own words, quoted and labelled as such
                    assert reason.ja.startswith("調査票の備考: "), f"{found.name}: {reason.ja}"
                    continue
                assert not any(word in reason.ja for word in _LEGAL_WORDS), f"{found.name}: {reason.ja}"


def test_candidates_and_retained_steps_cite_their_own_evidence(bundled: Assessment) -> None:
    """No generic template is left where the step's own evidence could be cited (issue 9 item 8)."""
    checked = 0
    for process in bundled.processes:
        for found in process.steps:
            codes = {r.code for r in found.reasons}
            if found.classified in (Disposition.RPA, Disposition.OUTSOURCE):
                assert not codes & EXPLAINING_CODES, f"{found.name}: {codes}"
                assert {"volume-evidence", "decided-by"} <= codes, found.name
                if found.classified is Disposition.RPA:
                    assert {"rpa-input", "rpa-segment"} <= codes, found.name
                checked += 1
            if "judgment-evidence" in codes:
                assert "judgment" not in codes, found.name
            if found.disposition is Disposition.AUTOMATED:
                assert "automated-evidence" in codes and "automated" not in codes, found.name
    assert checked >= 10


def test_a_waiting_resident_is_named_only_between_typical_counter_visits(bundled: Assessment) -> None:
    """"The resident waits" names the counter visits around the step on the typical path, in flow order.

    It used to take neighbours by document order and from any step with a counter word in its name, so it
    named exception steps (不交付の説明) and put a waiting resident into mail (郵送請求) and monthly
    back-office work (コンビニ交付 手数料月次精算).
    """
    claims = 0
    for process in bundled.processes:
        by_name = {s.name: s for s in process.steps}
        for found in process.steps:
            for reason in found.reasons:
                if reason.code != "resident-waits":
                    continue
                claims += 1
                assert not process.name.startswith(("郵送請求", "コンビニ交付")), f"{process.name}: {reason.ja}"
                before, after = reason.ja.split("前:「")[1].split("」→ 後:「")
                after = after.split("」")[0]
                for name in (before, after):
                    assert by_name[name].visits >= 0.5, f"{found.name}: {name} is an exception step"
    assert claims >= 5
