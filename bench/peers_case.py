"""Peers in their own environment: pm4py and SpiffWorkflow read the same files as ours, in the same run.

Every tool runs ``bench/peers/read_files.py`` as a child process over the same
list (the MIWG files, then single synthetic flows of growing size).  The table
says how many files each tool reads and, on the files both it and ours read,
how their total times compare (``peer ÷ ours``: above 1 means ours is faster).
The peers are installed by ``bench/peers/setup.sh`` into ``bench/peers/.venv``;
without it the peers are reported as not installed and ours and the floor
still run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.config import HERE, PEERS_PYTHON, Config
from bench.imports import flow_file, miwg_files
from bench.measure import run_child

SCRIPT = str(HERE / "peers" / "read_files.py")
TOOLS = ("ours", "floor", "pm4py", "spiff")


def _read_all(cfg: Config, tool: str, files: list[str]) -> dict[str, Any]:
    python = cfg.python if tool in ("ours", "floor") else str(PEERS_PYTHON)
    if not Path(python).exists():
        return {"note": "not installed (run bench/peers/setup.sh)"}
    listing, out = cfg.work / "peer-files.json", cfg.work / f"peer-{tool}.json"
    listing.write_text(json.dumps(files), encoding="utf-8")
    out.unlink(missing_ok=True)
    run = run_child([python, SCRIPT, "--peer", tool, "--files", str(listing), "--out", str(out),
                     "--repeats", str(cfg.repeats), "--file-limit", str(int(min(cfg.limits.time_s, 300)))],
                    cfg.limits)
    if not run.ok or not out.is_file():
        return {"note": f"{run.outcome}: {run.stderr_tail[-300:]}"}
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["child_wall_s"] = round(run.wall_s, 2)
    result["child_peak_rss_mib"] = round(run.peak_rss_mib, 1)
    return result


def _compare(ours: dict[str, Any], peer: dict[str, Any], files: list[str]) -> dict[str, Any]:
    if "files" not in peer:
        return {"note": peer.get("note", "")}
    mine, theirs = ours.get("files", {}), peer["files"]
    read = [f for f in files if theirs.get(f, {}).get("ok")]
    both = [f for f in read if mine.get(f, {}).get("ok")]
    our_s = sum(mine[f]["seconds"] for f in both)
    their_s = sum(theirs[f]["seconds"] for f in both)
    # CPU seconds as well: the tools run one after the other, and on a shared machine the load between
    # their runs moved wall-time ratios by 2x; each process's own CPU time is what the reading cost.
    our_cpu = sum(mine[f].get("cpu_seconds", 0.0) for f in both)
    their_cpu = sum(theirs[f].get("cpu_seconds", 0.0) for f in both)
    errors: dict[str, int] = {}
    for f in files:
        if not theirs.get(f, {}).get("ok"):
            kind = str(theirs.get(f, {}).get("error", "not run")).split(":", 1)[0]
            errors[kind] = errors.get(kind, 0) + 1
    return {"version": peer.get("version"), "files": len(files), "read": len(read), "both_read": len(both),
            "ours_s_on_both": round(our_s, 4), "peer_s_on_both": round(their_s, 4),
            "peer_to_ours": round(their_s / our_s, 2) if our_s else None,
            "ours_cpu_s_on_both": round(our_cpu, 4), "peer_cpu_s_on_both": round(their_cpu, 4),
            "peer_to_ours_cpu": round(their_cpu / our_cpu, 2) if our_cpu else None,
            "errors": dict(sorted(errors.items(), key=lambda kv: -kv[1])[:6])}


def bench_peers(cfg: Config) -> dict[str, Any]:
    """The MIWG files and large single flows read by ours, the floor, pm4py and SpiffWorkflow."""
    sets = {"miwg": [str(p) for p in miwg_files(cfg.sizes.miwg_files)]}
    for tasks in cfg.sizes.peer_tasks:
        sets[f"flow-{tasks}"] = [str(flow_file(cfg, tasks, executable=True))]
    everything = [f for files in sets.values() for f in files]
    raw = {tool: _read_all(cfg, tool, everything) for tool in TOOLS}
    rows = []
    for label, files in sets.items():
        if not files:
            continue
        ours = raw["ours"]
        read = sum(1 for f in files if ours.get("files", {}).get(f, {}).get("ok"))
        rows.append({"set": label, "files": len(files), "ours_read": read,
                     **{tool: _compare(ours, raw[tool], files) for tool in TOOLS if tool != "ours"}})
    versions = {tool: raw[tool].get("version") or raw[tool].get("note") for tool in TOOLS}
    return {"rows": rows, "versions": versions}
