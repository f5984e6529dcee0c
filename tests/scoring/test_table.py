"""The step table (its files are tested in tests/reports/test_export_table.py) and the formula rule."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.features import FEATURES
from scoring.profile import load_profile
from scoring.table import COLUMNS, csv_safe, starts_formula, steps_frame

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return steps_frame(assess([read_bpmn(DATA / "counter.bpmn")], profile=load_profile()))


def test_columns_are_stable_and_complete(frame: pd.DataFrame) -> None:
    assert tuple(frame.columns) == COLUMNS
    for required in ("flow", "file", "step_id", "name", "lane", "kind", "visits", "annual_count",
                     "minutes_per_case", "hours_per_year", "fte", "disposition", "confidence", "reasons_ja",
                     "reasons_en", "data_sources", "saving_yen_per_year", "payback_months", "net_5y_yen", "rank",
                     "score_rpa", "score_outsource", "score_retain", "score_automated", *FEATURES):
        assert required in frame.columns, required
    assert len(frame) == 7  # the seven tasks of counter.bpmn
    row = frame.set_index("step_id").loc["T_Input"]
    assert row["flow"] == "証明書交付テスト" and row["file"] == "counter.bpmn" and row["lane"] == "審査・入力担当"
    assert row["minutes_per_case"] == 6
    assert "minutes_per_case=property" in row["data_sources"]
    assert frame["rank"].dtype == "Int64"
    assert frame["legal_authority"].dtype == bool
    assert frame.set_index("step_id").loc["T_Shinsa", "legal_authority"]


def test_formula_rule_sees_through_blanks_and_full_width_forms() -> None:
    for text in ("=1", "＝SUM(A1)", "\u3000=1", "\u200b@x", "\r=1", "－1"):
        assert starts_formula(text) and csv_safe(text) == f"'{text}", text
    for text in ("申請書受領", "1-2", "", "e-mail"):
        assert not starts_formula(text) and csv_safe(text) == text, text
    assert csv_safe(-3.5) == -3.5
