"""Smoke test of ``bench/miwg_cpu.py``: it reads every MIWG file and reports CPU seconds and ratios (no timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MIWG = REPO.parent / "shared" / "miwg"


@pytest.mark.skipif(not MIWG.is_dir(), reason=f"MIWG sample not found at {MIWG}")
def test_miwg_cpu_reports_every_file_and_the_ratios() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.miwg_cpu", "1"], cwd=REPO, capture_output=True, text=True,
                          check=True, timeout=600)
    row = json.loads(done.stdout)
    assert row["files"] == len(list(MIWG.rglob("*.bpmn"))) and row["rounds"] == 1
    assert row["ours_cpu_s"] > 0 and row["floor_cpu_s"] > 0 and row["parse_cpu_s"] > 0
    assert row["ratio_to_floor"] == pytest.approx(row["ours_cpu_s"] / row["floor_cpu_s"], rel=0.02)
