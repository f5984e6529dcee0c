"""Small hand-made steps for the money tests (no BPMN needed: the money stage reads facts only)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from bpm.model import ElementId, ProcessId
from scoring.cashflow import Evaluation
from scoring.cost import MoneyStep
from scoring.money_params import MoneyParams, vary
from scoring.profile import Profile, load_profile
from scoring.result import Disposition, EvidenceSource, LegalClass, LegalStatus, Reason, StaffType, StepKey, StepOrg

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"
CANDIDATES_PAY = DATA / "candidates-pay.toml"

PROFILE: Profile = load_profile()
assert PROFILE.money is not None
MONEY: MoneyParams = PROFILE.money


BASIS = Reason("outsourcing-basis", "委託の根拠: 内閣府 平成20年1月17日通知（(1) 住民異動届）。条件: 事実上の行為",
               "Basis for outsourcing: Cabinet Office notice of 17 Jan 2008 ((1)). Conditions: factual acts only")
"""The 根拠通知 of a factual step on the 内閣府 list, as :func:`scoring.legal.legal_status` writes it."""

FACTUAL = LegalStatus(LegalClass.FACTUAL, procedure="jumin_ido", outsourceable=True, basis=BASIS)
"""A step a contractor may do (事実上の行為, procedure on the list)."""
AUTHORITY = LegalStatus(LegalClass.AUTHORITY, procedure="jumin_ido", robot_may_prepare=False)
"""公権力の行使."""
UNKNOWN = LegalStatus(LegalClass.UNKNOWN, procedure="jumin_ido", robot_may_prepare=False,
                      resolve=Reason("resolve-unknown", "解消方法: 判断を含むか確認する", "To resolve: confirm"))
"""要確認 about the step's own content (no robot either)."""


def org(section: str = "市民課", unit: str = "証明係", staff: StaffType | None = StaffType.REGULAR) -> StepOrg:
    """A step done by one 職種 (or the default counter mix when ``staff`` is None)."""
    if staff is None:
        mix = {StaffType.REGULAR: 0.45, StaffType.KAIKEI: 0.5, StaffType.SAIYO: 0.05}
    else:
        mix = {t: 1.0 if t is staff else 0.0 for t in StaffType}
    return StepOrg(section, unit, mix, EvidenceSource.SURVEY, "test")


def step(
    step_id: str,
    candidate: Disposition,
    *,
    annual_count: float,
    minutes: float,
    annual_cases: float | None = None,
    face: float = 0.9,
    digital: float = 1.0,
    lane: str = "窓口",
    systems: tuple[str, ...] = (),
    staff_org: StepOrg | None = None,
    flow: str = "f",
    order: int = 0,
    name: str | None = None,
    legal: LegalStatus = FACTUAL,
) -> MoneyStep:
    """A step with the facts the money stage reads (a counter step here is one the resident is present for)."""
    hours = annual_count * minutes / 60.0
    return MoneyStep(
        key=StepKey(f"{flow}.bpmn", ProcessId(flow), ElementId(step_id)), name=name or step_id, flow_name=flow,
        lane=lane, order=order, annual_cases=annual_cases if annual_cases is not None else annual_count,
        visits=1.0, annual_count=annual_count, minutes_per_case=minutes, hours_per_year=hours, candidate=candidate,
        suitability=0.8, face_to_face=face, digital_share=digital,
        input_form="digital" if digital >= 0.75 else "paper" if digital <= 0.25 else "mixed",
        input_detail="test", systems=systems, org=staff_org or org(), legal=legal, reasons=(),
        count_source=EvidenceSource.SURVEY, minutes_source=EvidenceSource.SURVEY,
        resident_present=face >= MONEY.queue.counter_face_to_face,
    )


def money_with(**values: float) -> MoneyParams:
    """The default money parameters with some set by dotted key (``staffing__redeploy_share`` style not needed)."""
    money = MONEY
    for key, value in values.items():
        money = vary(money, key.replace("__", "."), value)
    return money


def with_pool_level(money: MoneyParams, level: str) -> MoneyParams:
    """Change the rounding pool (a text setting, not a ranged number)."""
    return dataclasses.replace(money, staffing=dataclasses.replace(money.staffing, pool_level=level))


_SYSTEMS = ((), ("住基システム",), ("選挙システム",), ("文書管理",), ("戸籍システム", "就学"))
_ORGS = (org(), org("市民課", "住民記録係", StaffType.KAIKEI), org("保険年金課", "", None), org("税務課", "諸証明係"))


def random_portfolio(seed: int, size: int) -> list[MoneyStep]:
    """Random RPA and outsourcing candidates over a few pools, lanes, systems and flows."""
    rng = np.random.default_rng(seed)
    steps: list[MoneyStep] = []
    for index in range(size):
        rpa = bool(rng.random() < 0.6)
        steps.append(step(
            f"s{index}", Disposition.RPA if rpa else Disposition.OUTSOURCE,
            annual_count=float(rng.choice([300, 2_000, 12_000, 40_000])), minutes=float(rng.choice([1.0, 4.0, 9.0])),
            face=0.0 if rpa else float(rng.choice([0.0, 0.9])), digital=float(rng.choice([0.0, 0.5, 1.0])),
            lane=str(rng.choice(["窓口", "審査・入力担当"])), systems=_SYSTEMS[int(rng.integers(len(_SYSTEMS)))],
            staff_org=_ORGS[int(rng.integers(len(_ORGS)))], flow=f"f{int(rng.integers(3))}", order=index,
        ))
    return steps


def same_evaluation(a: Evaluation, b: Evaluation) -> None:
    """Two evaluations equal bit for bit in everything the gate, the sensitivity, the break-evens and the report
    read: every unit's lines and value, every step's net, the posts, lots, robots and contributions; and the
    batched NPVs the gate and the sensitivity read equal the one-at-a-time ones."""
    assert a.money == b.money and a.costs == b.costs
    assert list(a.units) == list(b.units)
    for unit_id, unit in a.units.items():
        other = b.units[unit_id]
        assert list(unit.lines) == list(other.lines) and dict(unit.weights) == dict(other.weights)
        assert all(unit.lines[k].tobytes() == other.lines[k].tobytes() for k in unit.lines)
        assert unit.value.tobytes() == other.value.tobytes()
        assert a.unit_npv(unit_id) == b.unit_npv(unit_id)
    assert list(a.step_net) == list(b.step_net)
    assert all(a.step_net[k].tobytes() == b.step_net[k].tobytes() for k in a.step_net)
    assert a.posts.plan == b.posts.plan and a.lots == b.lots and a.scenarios == b.scenarios
    assert a.deployments == b.deployments and a.lot_start == b.lot_start and a.step_unit == b.step_unit
    assert a.go_live == b.go_live and a.contributions == b.contributions
    assert a.npv() == b.npv() and a.hours_freed == b.hours_freed
    assert a.unit_npvs() == {unit_id: b.unit_npv(unit_id) for unit_id in b.units}
    assert a.step_npvs() == {key: b.step_npv(key) for key in b.step_net}
