"""The data-quality summary lists what changed a figure and only counts what is plainly missing."""

from __future__ import annotations

from scoring.data_quality import COUNTED_ONLY, SHEET_MISTAKES, data_quality, summary_lines
from scoring.result import DataGap


def test_a_typed_value_replacing_the_bpmns_is_listed_not_only_counted() -> None:
    """``--cases`` replacing a BPMN property moves every figure of the flow: the terminal names it (it did not)."""
    gaps = [
        DataGap("no-data", "T1: no survey row", "f.bpmn", 3, "T1"),
        DataGap("cases-overridden", "--cases 転入届=7000 is used instead of 5000", "f.bpmn", 2, "P"),
        DataGap("unknown-column", "column '処理時問(分)' is not a survey column", "s.csv", 1),
    ]
    lines = summary_lines(data_quality(gaps))
    assert lines[:2] == ["f.bpmn:2: --cases 転入届=7000 is used instead of 5000 [id=P]",
                         "s.csv:1: column '処理時問(分)' is not a survey column"]
    assert not any("no survey row" in line for line in lines), "a missing row is counted, not listed"
    assert lines[-1].endswith("mistakes in the sheet: 1"), "the override is a notice, not a mistake in the sheet"


def test_every_kind_is_either_counted_or_listed_never_both() -> None:
    assert not COUNTED_ONLY & SHEET_MISTAKES
