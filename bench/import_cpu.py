"""Import of one flow by size in CPU seconds, ours and the floor interleaved: ``python -m bench.import_cpu 100 1000 …``.

``bench_import_by_size`` (``bench/imports.py``) runs each contender in its
own child and reports wall time, which on a 2-core machine shared with other
sessions says more about the load than about the reader (a 100,000-task import
took 37 CPU seconds and 169 wall seconds there).  Here, for each size, the
floor (lxml parse + a bare ``networkx.DiGraph``) and ours (reader + one NetworkX
graph per process) run back to back in this process from bytes in memory, and
the process's CPU time is counted; the best of the rounds is kept (the load
only ever adds time).  Peak memory stays with ``bench_import_by_size``.
Prints one JSON line per size, then the log-log slopes.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.child import import_floor, import_ours
from bench.config import HERE
from bench.measure import fit_slope
from bench.synthetic import FlowSpec, synthetic_flow

WORK = HERE / "work"


def _cpu(action: Callable[[], object]) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def flow_bytes(tasks: int, work: Path = WORK) -> bytes:
    """The synthetic flow of ``tasks`` tasks, seed 0: the file ``bench_import_by_size`` caches, made if missing."""
    path = work / f"flow-{tasks}-s0.bpmn"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(synthetic_flow(FlowSpec(tasks=tasks, seed=0)).xml)
    return path.read_bytes()


def measure(tasks: int, rounds: int, budget_s: float, work: Path = WORK) -> dict[str, float | int]:
    """Best CPU seconds of ours and of the floor on the ``tasks``-task flow, over at most ``rounds`` rounds."""
    data = flow_bytes(tasks, work)
    name = f"flow-{tasks}.bpmn"
    ours: list[float] = []
    floor: list[float] = []
    spent = 0.0
    nodes = 0
    while len(ours) < rounds and (not ours or spent < budget_s):
        floor.append(_cpu(lambda: import_floor(data, name)))
        start = time.process_time()
        nodes = import_ours(data, name)
        ours.append(time.process_time() - start)
        spent += floor[-1] + ours[-1]
    return {
        "tasks": tasks, "megabytes": round(len(data) / 2**20, 2), "rounds": len(ours),
        "ours_cpu_s": round(min(ours), 6), "floor_cpu_s": round(min(floor), 6),
        "ratio_to_floor": round(min(ours) / min(floor), 2), "graph_nodes": nodes,
    }


def main(sizes: list[int], rounds: int = 3, budget_s: float = 30.0) -> list[dict[str, float | int]]:
    rows = []
    for tasks in sizes:
        row = measure(tasks, rounds, budget_s)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if len(rows) >= 2:
        slopes = {
            who: round(fit_slope([(float(r["tasks"]), float(r[f"{who}_cpu_s"])) for r in rows]) or 0.0, 2)
            for who in ("ours", "floor")
        }
        print(json.dumps({"slope_cpu": slopes}), flush=True)
    return rows


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 10_000])
