"""The README's limit table says what bpm.limits enforces, and every limit has a test that hits it.

The behaviour tests live with the module that enforces each limit; this file
keeps the documentation and the code from drifting apart and fails when a
limit loses its test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpm import limits

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"

DOCUMENTED: dict[str, tuple[str, str]] = {
    # constant: (README row label, README value as written)
    "DEFAULT_MAX_FILE_MB": ("BPMN file size", "50 MB"),
    "MAX_FILE_MB": ("BPMN file size", "at most 1024 MB"),
    "MAX_ELEMENTS": ("BPMN elements with an id, per file", "256,000"),
    "MAX_VISITS_PER_CASE": ("Expected executions of one element per case", "1,000,000"),
    "MAX_CALL_DEPTH": ("Nested call activities", "32 levels"),
    "MAX_CALLED_NODES": ("Elements of called processes inlined into one process", "1,000,000"),
    "MAX_ANNUAL_COUNT": ("Annual cases or executions", "100,000,000"),
    "MAX_MINUTES": ("Minutes per execution", "525,600"),
    "MAX_NUMBER": ("Any other number in a survey cell", "1,000,000,000,000"),
    "MAX_YEN_PER_HOUR": ("Hourly price or cost in a profile", "1,000,000"),
    "MAX_YEN": ("Other yen amount in a profile", "1,000,000,000,000"),
    "MAX_SURVEY_BYTES": ("Survey sheet file", "20 MB"),
    "MAX_XLSX_UNPACKED_BYTES": ("Survey workbook, unpacked", "100 MB"),
    "MAX_SURVEY_ROWS": ("Survey rows", "100,000"),
    "MAX_SURVEY_COLUMNS": ("Survey header columns", "256"),
    "MAX_PROFILE_BYTES": ("Profile file", "1,024 KB"),
    "MAX_PROFILE_NESTING": ("Nested arrays or tables in a profile", "32"),
}

ENFORCED_BY: dict[str, tuple[str, ...]] = {
    # constant: tests that feed an input just over it and check the message
    "DEFAULT_MAX_FILE_MB": ("bpm/test_reader.py::test_oversized_file_is_refused_before_parsing",),
    "MAX_FILE_MB": ("cli/test_cli_numbers.py::test_max_size_outside_its_range_is_a_usage_error",),
    "MAX_ELEMENTS": (
        "bpm/test_reader.py::test_more_elements_than_the_limit_are_refused_naming_where",
        "bpm/test_reader.py::test_the_element_limit_grows_with_the_size_limit_to_what_the_hint_says",
        "bpm/test_reader.py::test_a_dense_hostile_file_is_refused_before_its_model_is_built",
    ),
    "MAX_VISITS_PER_CASE": ("bpm/test_visits.py::test_visits_above_the_limit_are_refused_naming_the_step",),
    "MAX_CALL_DEPTH": ("bpm/test_visits.py::test_called_processes_are_bounded_in_depth_and_in_size",),
    "MAX_CALLED_NODES": ("bpm/test_visits.py::test_called_processes_are_bounded_in_depth_and_in_size",),
    "MAX_ANNUAL_COUNT": (
        "scoring/test_survey.py::test_hostile_numbers_are_refused_naming_row_and_column",
        "cli/test_cli_numbers.py::test_hostile_cases_are_usage_errors",
        "scoring/test_profile.py::test_numbers_outside_their_range_are_refused",
    ),
    "MAX_MINUTES": (
        "scoring/test_survey.py::test_hostile_numbers_are_refused_naming_row_and_column",
        "scoring/test_profile.py::test_numbers_outside_their_range_are_refused",
    ),
    "MAX_NUMBER": ("scoring/test_profile.py::test_numbers_outside_their_range_are_refused",),
    "MAX_YEN_PER_HOUR": ("scoring/test_profile.py::test_numbers_outside_their_range_are_refused",),
    "MAX_YEN": ("scoring/test_profile.py::test_numbers_outside_their_range_are_refused",),
    "MAX_SURVEY_BYTES": ("scoring/test_survey.py::test_survey_files_over_the_size_limits_are_refused",),
    "MAX_XLSX_UNPACKED_BYTES": ("scoring/test_survey.py::test_survey_files_over_the_size_limits_are_refused",),
    "MAX_SURVEY_ROWS": ("scoring/test_survey.py::test_rows_beyond_the_limit_are_refused_naming_the_row",),
    "MAX_SURVEY_COLUMNS": (
        "scoring/test_survey.py::test_xlsx_header_wider_than_the_limit_names_the_cell",
        "scoring/test_survey.py::test_csv_header_wider_than_the_limit",
    ),
    "MAX_PROFILE_BYTES": ("scoring/test_profile.py::test_a_profile_larger_than_the_limit_is_refused",),
    "MAX_PROFILE_NESTING": ("scoring/test_profile.py::test_deep_nesting_is_refused_before_the_parser_recurses",),
}


def _readme_rows() -> dict[str, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Input limits", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and not set(cells[1]) <= {"-", ":"} and cells[0] != "Input / 入力":
            rows[cells[0]] = cells[1]
    return rows


def test_every_limit_is_documented_and_tested() -> None:
    assert set(DOCUMENTED) == set(ENFORCED_BY) == set(limits.__all__)


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_the_readme_states_each_limit_as_enforced(name: str) -> None:
    label, written = DOCUMENTED[name]
    row = next((value for key, value in _readme_rows().items() if key.startswith(label)), None)
    assert row is not None, f"no README row for {label!r}"
    assert written in row, (name, row)
    number = float(re.sub(r"[^0-9.]", "", written.split()[-2] if written.startswith("at most") else written.split()[0]))
    value = float(getattr(limits, name))
    unit = written.split()[-1]
    scale = {"MB": 1024 * 1024, "KB": 1024}.get(unit, 1) if name.endswith("_BYTES") else 1
    assert value == number * scale, (name, value, written)


@pytest.mark.parametrize("name", sorted(ENFORCED_BY))
def test_each_limit_has_a_test_that_hits_it(name: str) -> None:
    for reference in ENFORCED_BY[name]:
        path, _, function = reference.partition("::")
        tree = ast.parse((TESTS / path).read_text(encoding="utf-8"))
        defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert function in defined, f"{reference} (the test of {name}) is missing"


def test_the_png_row_states_the_report_writers_caps() -> None:
    """The picture caps live with the report writer (reports/printable.py); the README row quotes them."""
    from reports import printable

    value = _readme_rows()["PNG picture for the manual"]
    assert f"{printable.MAX_PNG_SIDE:,} px" in value
    assert f"{printable.MAX_PNG_PIXELS / 1_000_000:g} megapixels" in value


@given(st.integers(min_value=1, max_value=limits.max_elements(int(limits.MAX_FILE_MB * 1024 * 1024))))
def test_the_size_limit_the_hint_names_reads_the_file_and_a_megabyte_less_does_not(elements: int) -> None:
    """The element limit follows the size limit's memory budget; the hint's --max-size is the smallest that reads."""
    mib = 1024 * 1024
    needed = limits.max_bytes_for_elements(elements)
    assert needed % mib == 0
    assert limits.max_elements(needed) >= elements
    if elements > limits.MAX_ELEMENTS and needed > mib:
        assert limits.max_elements(needed - mib) < elements
    assert limits.max_elements(needed) * limits.MODEL_BYTES_PER_ELEMENT <= (
        max(needed, int(limits.DEFAULT_MAX_FILE_MB * mib)) * limits.MODEL_MEMORY_PER_FILE_BYTE
    )


def test_the_readme_states_how_the_element_limit_grows() -> None:
    row = next(value for key, value in _readme_rows().items() if key.startswith("BPMN elements with an id"))
    per_mb = 1024 * 1024 * limits.MODEL_MEMORY_PER_FILE_BYTE // limits.MODEL_BYTES_PER_ELEMENT
    assert f"{per_mb:,} more per MB above {limits.DEFAULT_MAX_FILE_MB:g} MB" in row
    assert f"{limits.MODEL_MEMORY_PER_FILE_BYTE} MB per MB of file" in row
