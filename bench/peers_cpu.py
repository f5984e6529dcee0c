"""Peers file by file in CPU seconds, the tools' runs interleaved: ``python -m bench.peers_cpu [ROUNDS] [TASKS…]``.

``bench_peers`` (``bench/peers_case.py``) runs each tool once over every file,
one tool after the other, and compares totals: on a 2-core machine shared with
other sessions the load moved between the tools' runs and turned the order of
ours and pm4py around between two passes.  Here each round runs every tool
(ours, the lxml + networkx floor, pm4py, SpiffWorkflow; each in its own
process through ``bench/peers/read_files.py``, the peers from
``bench/peers/.venv``) over the same files, the tools in a different order each
round, and keeps each file's least CPU time over the rounds (the load only ever
adds).  Then, for each peer, on the files both it and ours read: how many files
each reads, the total CPU ratio (peer ÷ ours; above 1 means ours is faster), the
median of the per-file ratios and the files where the peer used less CPU.

The file set is the MIWG suite plus the synthetic one-flow files of ``TASKS``
tasks (default 1,000 and 5,000; the executable variant, which SpiffWorkflow can
load).  Prints one JSON line per set and writes the per-file minima to
``bench/work/peers-cpu.json``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.config import HERE, PEERS_PYTHON
from bench.imports import miwg_files
from bench.synthetic import FlowSpec, synthetic_flow

SCRIPT = HERE / "peers" / "read_files.py"
TOOLS = ("ours", "floor", "pm4py", "spiff")
WORK = HERE / "work"
FILE_LIMIT_S = 60
"""A file a tool has not read in this many seconds counts as not read (SpiffWorkflow can spin for minutes)."""


def _run(tool: str, listing: Path, out: Path) -> dict[str, dict[str, Any]]:
    """One tool over every file once (one repeat), in its own process; its per-file results."""
    python = sys.executable if tool in ("ours", "floor") else str(PEERS_PYTHON)
    if not Path(python).exists():
        return {}
    out.unlink(missing_ok=True)
    subprocess.run([python, str(SCRIPT), "--peer", tool, "--files", str(listing), "--out", str(out),
                    "--repeats", "1", "--file-limit", str(FILE_LIMIT_S)], check=False, capture_output=True)
    if not out.is_file():
        return {}
    files: dict[str, dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["files"]
    return files


def _least(runs: list[dict[str, dict[str, Any]]], files: list[str]) -> dict[str, float | None]:
    """Each file's least CPU seconds over the rounds; None when the tool did not read it."""
    least: dict[str, float | None] = {}
    for path in files:
        times = [run[path]["cpu_seconds"] for run in runs if run.get(path, {}).get("ok")]
        least[path] = min(times) if times else None
    return least


def compare(ours: dict[str, float | None], peer: dict[str, float | None], files: list[str]) -> dict[str, Any]:
    """Files each reads and, on the files both read, the peer's CPU against ours (above 1: ours faster)."""
    both = [f for f in files if ours.get(f) is not None and peer.get(f) is not None]
    ratios = [float(peer[f] or 0.0) / float(ours[f] or 1e-9) for f in both]
    our_total = sum(float(ours[f] or 0.0) for f in both)
    their_total = sum(float(peer[f] or 0.0) for f in both)
    return {
        "read": sum(1 for f in files if peer.get(f) is not None), "both_read": len(both),
        "ours_cpu_s": round(our_total, 4), "peer_cpu_s": round(their_total, 4),
        "total_ratio": round(their_total / our_total, 2) if our_total else None,
        "median_ratio": round(statistics.median(ratios), 2) if ratios else None,
        "peer_faster_files": sum(1 for r in ratios if r < 1.0),
    }


def executable_flow(tasks: int, work: Path = WORK) -> Path:
    """The executable variant of the ``tasks``-task flow, seed 0: the file ``bench_peers`` caches, made if missing."""
    path = work / f"flow-{tasks}-s0-exec.bpmn"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        xml = synthetic_flow(FlowSpec(tasks=tasks, seed=0, executable=True)).xml
        path.write_bytes(xml.replace(b"bpmn:businessRuleTask", b"bpmn:userTask"))  # as bench.imports.flow_file
    return path


def main(rounds: int = 3, tasks: tuple[int, ...] = (1000, 5000)) -> list[dict[str, Any]]:
    sets = {"miwg": [str(p) for p in miwg_files()]}
    for size in tasks:
        sets[f"flow-{size}"] = [str(executable_flow(size))]
    everything = [f for files in sets.values() for f in files]
    WORK.mkdir(parents=True, exist_ok=True)
    listing = WORK / "peers-cpu-files.json"
    listing.write_text(json.dumps(everything), encoding="utf-8")
    runs: dict[str, list[dict[str, dict[str, Any]]]] = {tool: [] for tool in TOOLS}
    for index in range(rounds):
        order = TOOLS[index % len(TOOLS):] + TOOLS[:index % len(TOOLS)]
        for tool in order:
            runs[tool].append(_run(tool, listing, WORK / f"peers-cpu-{tool}.json"))
    least = {tool: _least(runs[tool], everything) for tool in TOOLS}
    (WORK / "peers-cpu.json").write_text(json.dumps(least), encoding="utf-8")
    rows = []
    for label, files in sets.items():
        row = {"set": label, "files": len(files), "rounds": rounds,
               "ours_read": sum(1 for f in files if least["ours"][f] is not None),
               **{tool: compare(least["ours"], least[tool], files) for tool in TOOLS if tool != "ours"}}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


if __name__ == "__main__":
    arguments = [int(arg) for arg in sys.argv[1:]]
    main(arguments[0] if arguments else 3, tuple(arguments[1:]) or (1000, 5000))
