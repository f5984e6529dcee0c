"""The cost gate only withdraws, never adds; withdrawn steps keep their hours; reasons cite evidence."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from money_fixtures import AUTHORITY, CANDIDATES_PAY, MONEY, PROFILE, UNKNOWN, money_with, org, step

from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.classify import EXPLAINING_CODES
from scoring.cost import MoneyStep, rpa_hours
from scoring.explain import resident_waits
from scoring.gate import cost_gate
from scoring.legal import entrustability, permitted
from scoring.money import money_stage
from scoring.profile import load_profile
from scoring.result import Assessment, Disposition, LegalClass, LegalStatus, Reason, StaffType, StepKey
from scoring.survey import load_survey

NOT_LISTED = LegalStatus(LegalClass.FACTUAL, procedure="jido_teate",
                         blockers=(Reason("not-on-list", "内閣府通知の対象として確認できない", "not on the list"),))
"""A factual act without a 根拠通知: not outsourceable."""


def small_counter() -> list[MoneyStep]:
    """A quiet counter: the seats, 業務責任者 and the post on site cost more than the hours it frees."""
    return [
        step("kofu", Disposition.OUTSOURCE, annual_count=3000, minutes=1.0, order=0),
        step("shinsa", Disposition.RETAIN, annual_count=3000, minutes=20.0, face=0.2, order=1),
    ]


def busy_counter() -> list[MoneyStep]:
    """A busy counter worked by regular staff: it pays once whole posts go."""
    return [
        step("uketsuke", Disposition.OUTSOURCE, annual_count=480_000, minutes=1.2, order=0),
        step("kofu", Disposition.OUTSOURCE, annual_count=240_000, minutes=1.0, order=2),
        step("shinsa", Disposition.RETAIN, annual_count=480_000, minutes=3.0, face=0.1, order=1),
    ]


def test_a_lot_that_loses_money_is_withdrawn_with_its_hours_visible() -> None:
    steps = small_counter()
    outcome = money_stage(steps, PROFILE)
    kofu = outcome.steps[steps[0].key]
    assert kofu.disposition is Disposition.RETAIN
    assert kofu.money.withdrawn == "cost" and kofu.money.candidate is Disposition.OUTSOURCE
    assert kofu.money.npv_yen.base <= 0
    assert kofu.cost.hours_per_year == pytest.approx(50), "hours stay visible"
    assert kofu.cost.hours_freed_per_year == 0 and kofu.rank is None
    assert kofu.money.capacity > 0 and kofu.money.capacity_rank == 1, "still in the capacity view"
    reason = next(r for r in kofu.reasons if r.code == "cost-withdrawn")
    assert reason.ja.startswith("費用面で推奨しない") and "50 時間" in reason.ja
    lot = outcome.summary.lots[0]
    assert lot.withdrawn and lot.npv_yen.base <= 0 and lot.items[0].name == "kofu"


def test_a_lot_that_pays_is_kept_and_ranked_by_cash() -> None:
    steps = busy_counter()
    profile = dataclasses.replace(PROFILE, money=money_with(staffing__redeploy_share=0))
    outcome = money_stage(steps, profile)
    kept = [outcome.steps[s.key] for s in steps[:2]]
    assert all(o.disposition is Disposition.OUTSOURCE and not o.money.withdrawn for o in kept)
    assert sorted(o.rank for o in kept if o.rank) == [1, 2]
    by_rank = sorted(kept, key=lambda o: o.rank or 0)
    assert by_rank[0].money.npv_yen.base >= by_rank[1].money.npv_yen.base
    assert outcome.summary.npv_yen.base > 0 and outcome.summary.plan.posts_cut > 0
    assert outcome.summary.lots[0].npv_yen.low <= outcome.summary.lots[0].npv_yen.base
    assert any(r.code == "cash-effect" for r in kept[0].reasons)


@settings(max_examples=12, deadline=None)
@given(
    price=st.floats(min_value=500, max_value=6000),
    redeploy=st.floats(min_value=0.0, max_value=1.0),
    pay=st.floats(min_value=3e6, max_value=12e6),
)
def test_the_gate_only_withdraws(price: float, redeploy: float, pay: float) -> None:
    """Whatever the prices, an adopted step was a candidate, and a retained step is never adopted."""
    steps = busy_counter() + small_counter()
    steps = [dataclasses.replace(s, key=dataclasses.replace(s.key, step_id=f"{s.key.step_id}{i}"))
             for i, s in enumerate(steps)]
    money = money_with(outsource__seat_hour_price=price, staffing__redeploy_share=redeploy,
                       staff__regular__pay_per_fte=pay)
    gate = cost_gate(steps, money)
    candidates = {s.key for s in steps if s.is_candidate}
    assert gate.plan.active <= candidates
    assert gate.plan.active | set(gate.withdrawn) == candidates
    for s in steps:
        if s.candidate is Disposition.RETAIN:
            assert s.key not in gate.plan.active and s.key not in gate.withdrawn


# --------------------------------------------------------------------------- the legal gate comes first


KEPT = {"authority": AUTHORITY, "unknown": UNKNOWN, "not-listed": NOT_LISTED}


@settings(max_examples=15, deadline=None)
@given(
    price=st.floats(min_value=0, max_value=6000),
    pay=st.floats(min_value=3e6, max_value=12e6),
    kept=st.sampled_from(sorted(KEPT)),
)
def test_what_the_law_keeps_with_staff_is_never_costed_as_outsourced(price: float, pay: float, kept: str) -> None:
    """However cheap the contractor and dear the staff, a step the legal gate keeps never enters a lot."""
    steps = [*busy_counter()[:2], step("kept", Disposition.OUTSOURCE, annual_count=480_000, minutes=3.0,
                                       order=3, legal=KEPT[kept])]
    money = money_with(outsource__seat_hour_price=price, staffing__redeploy_share=0,
                       staff__regular__pay_per_fte=pay)
    gate = cost_gate(steps, money)
    assert steps[-1].key not in gate.candidates.active and steps[-1].key not in gate.plan.active
    assert steps[-1].key not in gate.withdrawn, "not a candidate, so not even withdrawn"
    with pytest.raises(ValueError, match="legal gate must run before the money stage: kept"):
        money_stage(steps, dataclasses.replace(PROFILE, money=money))


@pytest.mark.parametrize("kept", [Disposition.RETAIN, Disposition.REVIEW])
def test_the_cost_gate_never_promotes(kept: Disposition) -> None:
    """A step with staff (or 要確認) that would pay handsomely as outsourcing stays where the legal gate put it."""
    paying = step("busy", kept, annual_count=480_000, minutes=3.0, order=3)  # factual, on the list: lawful
    steps = [*busy_counter()[:2], paying]
    profile = dataclasses.replace(PROFILE, money=money_with(staffing__redeploy_share=0,
                                                            outsource__seat_hour_price=500.0))
    outcome = money_stage(steps, profile)
    result = outcome.steps[paying.key]
    assert result.disposition is kept and result.money.candidate is None and result.money.unit_id == ""
    assert result.cost.hours_freed_per_year == 0 and result.rank is None
    assert all(paying.key not in {i.step for i in lot.items} for lot in outcome.summary.lots)
    kept_rows = [i for lot in outcome.summary.lots for i in lot.staff_items if i.step == paying.key]
    assert kept_rows and kept_rows[0].assigned_ja.startswith("職員")


def test_robots_on_the_mynumber_segment_need_permission() -> None:
    robot = step("nyuryoku", Disposition.RPA, annual_count=5200, minutes=8, face=0.0, systems=("住基システム",))
    allowed = money_stage([robot], PROFILE)
    assert allowed.steps[robot.key].money.segment == "mynumber"
    forbidden_money = dataclasses.replace(MONEY, rpa=dataclasses.replace(MONEY.rpa, mynumber_segment_allowed=False))
    forbidden = money_stage([robot], dataclasses.replace(PROFILE, money=forbidden_money))
    outcome = forbidden.steps[robot.key]
    assert outcome.disposition is Disposition.RETAIN and outcome.money.withdrawn == "feasibility"
    assert any(r.code == "segment-not-allowed" for r in outcome.reasons)
    assert not forbidden.summary.rpa_deployments[0].feasible


def test_rpa_waits_for_the_standard_system_or_is_rebuilt() -> None:
    robot = step("nyuryoku", Disposition.RPA, annual_count=52_000, minutes=8, face=0.0, systems=("住基システム",))
    outcome = money_stage([robot], dataclasses.replace(PROFILE, money=money_with(staffing__redeploy_share=0)))
    scenario = outcome.summary.rpa_scenarios[0]
    assert scenario.migrates
    lines = {line.key: line for line in scenario.lines}
    if scenario.plan == "now":
        assert lines["rebuild"].yen_by_year[1] == pytest.approx(-600_000 * 0.75), "rebuilt at the cutover (year 2)"
    else:
        assert "rebuild" not in lines and lines["build"].yen_by_year[0] == 0, "built after the cutover"


def test_reasons_cite_the_steps_own_evidence() -> None:
    """Certificate printing while the resident waits is not 「住民との対面がない」 (issue 9 item 8)."""
    uketsuke = step("uketsuke", Disposition.OUTSOURCE, annual_count=90_000, minutes=1.0, order=0, name="申請書受領")
    sakusei = step("sakusei", Disposition.RPA, annual_count=90_000, minutes=1.0, face=0.1, order=1,
                   name="証明書作成・照合", systems=("住基システム", "証明発行端末"), lane="証明書作成・照合",
                   digital=1.0)
    kofu = step("kofu", Disposition.OUTSOURCE, annual_count=90_000, minutes=0.5, order=2, name="交付")
    assert resident_waits(sakusei, [uketsuke, sakusei, kofu], MONEY) == ("申請書受領", "交付")
    outcome = money_stage([uketsuke, sakusei, kofu], PROFILE)
    texts = [r.ja for r in outcome.steps[sakusei.key].reasons]
    assert not any("住民との対面がない" in t for t in texts)
    assert any("住民が窓口で待つ間" in t and "申請書受領" in t for t in texts)
    assert any("90,000 件" in t and "1 分" in t for t in texts), "the number that decided it"
    assert any("住基システム" in t and "マイナンバー利用事務系" in t for t in texts), "the system and its segment"
    assert any("入力は電子" in t for t in texts), "the input form"
    for s in (uketsuke, kofu):
        assert not any("事実上の行為" in r.ja for r in outcome.steps[s.key].reasons), "no legal claim without evidence"


# --------------------------------------------------------------------------- the bundled flows


@pytest.fixture(scope="module")
def sample(flows_dir: Path) -> Assessment:
    paths = sorted(flows_dir.glob("*.bpmn"))
    return assess([read_bpmn(p) for p in paths], survey=load_survey(flows_dir / "survey.xlsx"), profile=PROFILE)


def test_bundled_run_keeps_hours_and_cash_apart(sample: Assessment) -> None:
    money = sample.money
    assert money is not None
    steps = [s for p in sample.processes for s in p.steps]
    for s in steps:
        assert s.disposition in (s.classified, Disposition.RETAIN), "the gate may only withdraw"
        if s.money is not None and s.money.withdrawn:
            assert s.cost.hours_per_year > 0 and s.money.capacity > 0
            assert not {r.code for r in s.reasons} & EXPLAINING_CODES
    # Under the default prices the sample's counters and robots do not pay: the cash headline says so, and the
    # hours every candidate would free stay visible as capacity.
    # the candidates are what the legal gate and the hand-off check left: hours freed by each, nothing else
    expected = sum(
        s.cost.hours_per_year if s.classified is Disposition.OUTSOURCE
        else rpa_hours(s.cost.hours_per_year, s.annual_count, s.features.get("digital_input", 1.0),
                       MONEY.rpa).hours_freed_per_year
        for s in steps if s.classified in (Disposition.RPA, Disposition.OUTSOURCE)
    )
    assert money.candidate_hours_freed_per_year == pytest.approx(expected) and expected > 5000
    assert money.candidate_npv_yen.high < 0
    assert money.tornado and money.tornado[0].swing >= money.tornado[-1].swing
    assert money.candidate_plan is not None and money.candidate_plan.redeployed_fte > 0
    assert {c.key for c in money.calibration} == {"ebina", "yoshikawa", "adachi"}


def test_bundled_run_with_paying_prices(flows_dir: Path) -> None:
    paths = sorted(flows_dir.glob("*.bpmn"))
    paid = assess([read_bpmn(p) for p in paths], survey=load_survey(flows_dir / "survey.xlsx"),
                  profile=load_profile(CANDIDATES_PAY))
    money = paid.money
    assert money is not None
    # Even at these prices a robot that frees under 100 hours a year cannot pay for its scenario: such steps are
    # withdrawn for cost (and only those), their hours kept as capacity.
    withdrawn = [s for p in paid.processes for s in p.steps if s.money is not None and s.money.withdrawn]
    assert money.withdrawn_steps == len(withdrawn) <= 5
    for s in withdrawn:
        assert s.money is not None and s.money.withdrawn == "cost" and s.classified is Disposition.RPA, s.name
        assert s.disposition is Disposition.RETAIN and 0 < s.money.capacity < 100, s.name
    assert money.npv_yen.base > 0 and money.plan.posts_cut > 0
    lines = {line.key: line for line in money.lines}
    assert lines["posts"].yen_by_year[0] == 0, "no post goes in the transition year"
    assert lines["contract"].yen_by_year[0] < 0, "the contractor runs in parallel before the staff leave"
    assert sum(p.money.npv_yen.base for p in paid.processes if p.money) == pytest.approx(money.npv_yen.base)
    # even when everything pays, lots hold only what the legal verdict lets a contractor do
    steps = {StepKey(s.file, s.process_id, s.step_id): s for p in paid.processes for s in p.steps}
    assert money.lots and all(not lot.withdrawn for lot in money.lots)
    for lot in money.lots:
        for item in lot.items:
            legal = steps[item.step].legal
            assert legal is not None and legal.outsourceable and legal.basis is not None
            assert (item.entrustable_ja, item.basis_ja) == ("委託可（事実上の行為）", legal.basis.ja)
        for item in lot.staff_items:
            legal = steps[item.step].legal
            assert legal is not None and item.entrustable_ja == entrustability(legal).label.ja
    for s in steps.values():
        assert s.legal is not None and permitted(s.disposition, s.legal), s.name
        if s.legal.legal_class is not LegalClass.FACTUAL:
            assert s.disposition is not Disposition.OUTSOURCE, s.name
            assert s.money is None or not s.money.unit_id.startswith("lot-"), s.name


def test_survey_columns_for_section_unit_and_staff_type(flows_dir: Path, tmp_path: Path) -> None:
    """課・係・職種 columns replace the pool-name reading and the assumed mix; a bad 職種 is a data gap."""
    book = openpyxl.load_workbook(flows_dir / "survey.xlsx")
    sheet = book["業務量調査"]
    header = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1) if row[0] == "業務")
    column = {str(cell.value): cell.column for cell in sheet[header] if cell.value}
    for (cells,) in zip(sheet.iter_rows(min_row=header + 1), strict=False):
        flow, step = cells[column["業務"] - 1].value, cells[column["手順"] - 1].value
        if flow == "住民票の写し等の交付" and step == "交付":
            cells[column["職種"] - 1].value = "アルバイト"
        if flow == "転入届":  # no 課・係 in the sheet: they come from the pool name 市民課 住民記録係
            cells[column["課"] - 1].value = None
            cells[column["係"] - 1].value = None
    edited = tmp_path / "survey.xlsx"
    book.save(edited)
    paths = sorted(flows_dir.glob("*.bpmn"))
    result = assess([read_bpmn(p) for p in paths], survey=load_survey(edited), profile=PROFILE)
    steps = {(p.name, s.step_id): s for p in result.processes for s in p.steps}
    juryo = steps[("住民票の写し等の交付", "Activity_ShinseiJuryo")].org
    assert juryo is not None and (juryo.section, juryo.unit) == ("市民課", "証明係")
    assert juryo.mix[StaffType.KAIKEI] == 1.0 and juryo.source.value == "survey"
    kofu = steps[("住民票の写し等の交付", "Activity_JuminhyoKofu")].org
    assert kofu is not None and kofu.mix[StaffType.KAIKEI] == 0.5, "not understood → the assumed counter mix"
    assert [g for g in result.gaps if g.kind == "staff-type" and g.element_id == "Activity_JuminhyoKofu"]
    pooled = steps[("転入届", "Activity_TennyuTodokeJuryo")].org
    assert pooled is not None and (pooled.section, pooled.unit) == ("市民課", "住民記録係")


def test_a_losing_step_leaves_a_paying_lot() -> None:
    """Back-office work of 会計年度任用 staff costs the contractor more than the posts it frees (facts §2.2)."""
    steps = [
        *busy_counter(),
        step("nyuryoku", Disposition.OUTSOURCE, annual_count=24_000, minutes=5.0, face=0.0, order=3,
             staff_org=org(staff=StaffType.KAIKEI)),
    ]
    profile = dataclasses.replace(PROFILE, money=money_with(staffing__redeploy_share=0))
    outcome = money_stage(steps, profile)
    back = outcome.steps[steps[-1].key]
    assert back.disposition is Disposition.RETAIN and back.money.withdrawn == "cost"
    assert "この手順の分" in next(r.ja for r in back.reasons if r.code == "cost-withdrawn")
    kept = [outcome.steps[s.key] for s in steps[:2]]
    assert all(o.disposition is Disposition.OUTSOURCE for o in kept)
    lot = next(lot for lot in outcome.summary.lots if not lot.withdrawn)
    assert [i.name for i in lot.items] == ["uketsuke", "kofu"]


def test_a_withdrawn_units_snapshot_keeps_only_its_own_cash() -> None:
    """The round in which a unit went is kept for its page, but only that unit's cash (memory stays linear).

    Two quiet counters in two flows and a robot: each counter's lot loses money and is withdrawn; the
    snapshot of each holds its own unit and the lots and robots of that round (for names), not the cash
    of every other step.
    """
    steps = [
        *small_counter(),
        step("kofu", Disposition.OUTSOURCE, annual_count=2000, minutes=1.0, order=0, flow="g"),
        step("nyuryoku", Disposition.RPA, annual_count=4000, minutes=6.0, face=0.0, lane="審査・入力担当", order=1,
             flow="g", systems=("住基システム",)),
    ]
    gate = cost_gate(steps, MONEY, {})
    assert gate.snapshots, "a quiet counter's lot is withdrawn"
    for unit_id, snapshot in gate.snapshots.items():
        assert set(snapshot.units) == {unit_id}
        assert snapshot.step_net == {} and snapshot.posts.value_by_owner == {}
        assert any(lot.draft.lot_id == unit_id for lot in snapshot.lots) or any(
            s.scenario_id == unit_id for s in snapshot.scenarios)
    outcome = money_stage(steps, PROFILE)
    withdrawn = [lot for lot in outcome.summary.lots if lot.withdrawn]
    assert withdrawn and all(lot.npv_yen.base <= 0 and lot.lines for lot in withdrawn)
