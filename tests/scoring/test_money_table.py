"""The flat export carries hours and cash side by side, with the cost gate and the capacity view."""

from __future__ import annotations

from pathlib import Path

from money_fixtures import CANDIDATES_PAY

from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.survey import load_survey
from scoring.table import COLUMNS, steps_frame


def test_money_columns(flows_dir: Path) -> None:
    paths = sorted(flows_dir.glob("*.bpmn"))
    assessment = assess([read_bpmn(p) for p in paths], survey=load_survey(flows_dir / "survey.xlsx"),
                        profile=load_profile(CANDIDATES_PAY))
    frame = steps_frame(assessment)
    assert list(frame.columns) == list(COLUMNS)
    # the money columns come just before the three review columns (判断 / 担当 / コメント stay last)
    assert COLUMNS[-15:-3] == ("fte_freed", "cash_npv_yen", "cash_npv_low_yen", "cash_npv_high_yen", "cost_gate",
                               "candidate", "money_unit", "capacity", "capacity_rank", "section", "unit", "staff_mix")
    adopted = frame[frame["disposition"].isin(["rpa", "outsource"])]
    candidates = [s for p in assessment.processes for s in p.steps if s.classified.value in ("rpa", "outsource")]
    paying = [s for s in candidates if s.money is not None and not s.money.withdrawn]
    assert len(adopted) == len(paying) >= len(candidates) - 5 >= 15, "all but the smallest robots pay here"
    withdrawn = frame[frame["cost_gate"] != ""]
    assert len(withdrawn) == len(candidates) - len(paying) and (withdrawn["disposition"] == "retain").all()
    assert (adopted["cash_npv_low_yen"] <= adopted["cash_npv_yen"]).all()
    assert (adopted["cash_npv_yen"] <= adopted["cash_npv_high_yen"]).all()
    assert (adopted["fte_freed"] * 1920 - adopted["hours_freed_per_year"]).abs().max() < 1e-6
    assert adopted["money_unit"].str.startswith(("lot-", "rpa-")).all()
    retained = frame[(frame["disposition"] == "retain") & (frame["cost_gate"] == "")]
    assert retained["cash_npv_yen"].isna().all() and (retained["cost_gate"] == "").all()
    assert {"市民課", "保険年金課"} <= set(frame["section"]) and (frame["section"] != "").all()
