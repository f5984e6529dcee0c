"""The step table and its CSV (UTF-8 with BOM), XLSX and JSON writers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bpm.errors import RenderError
from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.features import FEATURES
from scoring.profile import load_profile
from scoring.table import COLUMNS, steps_frame, write_results

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


def test_csv_has_a_bom_for_excel(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = write_results(frame, tmp_path / "results.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "証明書交付テスト".encode() in data
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert list(back.columns) == list(COLUMNS)
    assert back["step_id"].tolist() == frame["step_id"].tolist()


def test_xlsx_round_trip(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = write_results(frame, tmp_path / "out" / "results.XLSX")
    back = pd.read_excel(path, sheet_name="results")
    assert list(back.columns) == list(COLUMNS)
    assert back["name"].tolist() == frame["name"].tolist()


def test_json_records(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = write_results(frame, tmp_path / "results.json")
    text = path.read_text(encoding="utf-8")
    assert "証明書交付テスト" in text and "\\u" not in text and "\\/" not in text
    records = json.loads(text)
    assert [r["step_id"] for r in records] == frame["step_id"].tolist()
    retained = next(r for r in records if r["step_id"] == "T_Shinsa")
    assert retained["rank"] is None and retained["payback_months"] is None
    assert retained["legal_authority"] is True


def test_unknown_suffix_is_a_clear_error(frame: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"unknown results format '\.txt'") as caught:
        write_results(frame, tmp_path / "results.txt")
    assert caught.value.hint is not None and "results.csv" in caught.value.hint
    assert not list(tmp_path.iterdir()), "nothing is written"
