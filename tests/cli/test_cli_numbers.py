"""Numbers typed on the command line (--max-size, --cases): hostile values are usage errors, never tracebacks.

Usage errors are checked in-process with click's test runner (the real command
object, without a process start per value); runs that need a memory limit or
the whole pipeline use a subprocess, as a user would.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpm.cli import main

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"


def run_bpm(*args: str, limit_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=REPO, timeout=300,
        preexec_fn=limit, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )


@pytest.mark.parametrize("value", ["nan", "inf", "1e20", "-1", "0", "4096"])
def test_max_size_outside_its_range_is_a_usage_error(value: str) -> None:
    # Issue 8: nan/inf/1e20 gave "cannot convert float NaN to integer" with a traceback.
    result = CliRunner().invoke(main, ["--max-size", value, "lint", str(FLOWS / "tennyu.bpmn")])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--max-size'" in result.output and "between 0.001 and 1024 MB" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_largest_max_size_does_not_allocate_it(tmp_path: Path) -> None:
    """--max-size 1024 under a 600 MB address-space limit: the reader used to allocate the whole limit per file."""
    result = run_bpm("--max-size", "1024", "lint", str(FLOWS / "tennyu.bpmn"), limit_bytes=600 << 20)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("nan", "'nan' is not a number"),
        ("inf", "'inf' is not a number"),
        ("1e308", "above the limit of 100,000,000"),
        ("-5", "negative"),
        ("3,5", "ambiguous"),
        ("", "expected PROCESS=N"),
    ],
)
def test_hostile_cases_are_usage_errors(tmp_path: Path, value: str, fragment: str) -> None:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["-q", "score", str(FLOWS / "tennyu.bpmn"), "--cases", f"転入届={value}",
                                       "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "--cases" in result.output and fragment in result.output
    assert isinstance(result.exception, SystemExit) and not out.exists()


def test_cases_typed_by_the_user_beat_the_bpmn_property_and_match(tmp_path: Path) -> None:
    # Issue 8: tennyu.bpmn has annual_count=5000; --cases was ignored and "matched no process".
    out = tmp_path / "r.json"
    result = run_bpm("score", str(FLOWS / "tennyu.bpmn"), "--cases", "転入届=7,000", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "match no process" not in result.stderr
    assert "--cases 転入届=7000 is used instead of 5000 from the BPMN process property annual_count" in result.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert {row["flow"] for row in rows} == {"転入届"}
    reception = next(row for row in rows if row["step_id"] == "Activity_TodokeJuryo")
    assert reception["annual_count"] == pytest.approx(7000 * reception["visits"])
