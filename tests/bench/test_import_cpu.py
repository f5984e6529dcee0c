"""Smoke test of ``bench/import_cpu.py``: both contenders import the flow of each size, and the ratio is theirs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# bench/ is not an installed package: the repository root must come first (as in test_synthetic.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.import_cpu import measure
from bench.synthetic import FlowSpec, synthetic_flow


@pytest.mark.parametrize("tasks", [10, 30])
def test_import_cpu_imports_the_flow_of_each_size_with_both(tasks: int, tmp_path: Path) -> None:
    row = measure(tasks, rounds=2, budget_s=60, work=tmp_path)
    assert (tmp_path / f"flow-{tasks}-s0.bpmn").read_bytes() == synthetic_flow(FlowSpec(tasks=tasks, seed=0)).xml
    assert row["tasks"] == tasks and row["rounds"] == 2
    assert int(row["graph_nodes"]) > tasks  # the tasks, and the events and gateways around them
    assert row["ours_cpu_s"] > 0 and row["floor_cpu_s"] > 0
    assert row["ratio_to_floor"] == pytest.approx(float(row["ours_cpu_s"]) / float(row["floor_cpu_s"]), rel=0.02)
