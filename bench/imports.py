"""Import benchmarks: the MIWG reference suite, and one flow growing from 100 to 100,000 tasks.

*MIWG*: every reference file (``../shared/miwg``) read in this process from
bytes already in memory, so only parsing and modelling are timed: ours
(``read_bpmn_bytes`` + one NetworkX graph per process) against bare lxml
parsing and against lxml + a bare ``networkx.DiGraph`` (``bench/floors.py``).

*By size*: one synthetic flow per size, imported in a child process (so peak
memory is per size) by ours and by the floor; the log-log slope says whether
the import stays linear as the file grows.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

from bench.child import import_ours
from bench.commands import Growth, Row, ratio
from bench.config import HERE, MIWG, Config
from bench.floors import bare_graph, parse
from bench.measure import Summary, fit_slope, run_child, time_in_process
from bench.synthetic import FlowSpec, synthetic_flow

CHILD = str(HERE / "child.py")


def miwg_files(limit: int = 0) -> list[Path]:
    """The MIWG reference files, sorted (the first ``limit`` when it is above 0)."""
    files = sorted(p for p in MIWG.rglob("*.bpmn") if p.is_file()) if MIWG.is_dir() else []
    return files[:limit] if limit else files


def bench_miwg(cfg: Config) -> dict[str, Any]:
    """Import of the MIWG reference files: ours vs bare lxml + networkx vs bare lxml parse."""
    files = miwg_files(cfg.sizes.miwg_files)
    if not files:
        return {"rows": [], "note": f"no MIWG files under {MIWG}; skipped"}
    blobs = [(str(p), p.read_bytes()) for p in files]
    readable = []
    for name, blob in blobs:
        with suppress(Exception):  # a refused file costs its refusal; the reader tests check the messages
            import_ours(blob, name)
            readable.append((name, blob))

    def ours() -> None:
        for name, blob in blobs:
            with suppress(Exception):
                import_ours(blob, name)

    def floor() -> None:
        for _, blob in blobs:
            with suppress(Exception):
                bare_graph(parse(blob))

    def lxml_only() -> None:
        for _, blob in blobs:
            with suppress(Exception):
                parse(blob)

    repeats, budget = max(cfg.repeats, 3), cfg.repeat_budget_s
    ours()  # warm imports and caches once, as in a long-running scan
    timings = {name: time_in_process(action, repeats, budget)
               for name, action in (("parse", lxml_only), ("floor", floor), ("ours", ours))}
    median = {name: statistics.median(times) for name, times in timings.items()}
    from bpm.lint import lint
    from bpm.reader import read_bpmn_bytes

    models = [read_bpmn_bytes(blob, name) for name, blob in readable]
    lint_s = statistics.median(time_in_process(lambda: [lint(m) for m in models], repeats, budget))
    return {"rows": [{
        "files": len(files), "read_by_ours": len(readable),
        "megabytes": round(sum(len(b) for _, b in blobs) / 2**20, 2),
        "parse_s": round(median["parse"], 4), "floor_s": round(median["floor"], 4), "ours_s": round(median["ours"], 4),
        "runs": len(timings["ours"]), "ratio_to_floor": round(median["ours"] / median["floor"], 2),
        "ratio_to_parse": round(median["ours"] / median["parse"], 2), "lint_s": round(lint_s, 4),
        "lint_to_import": round(lint_s / median["ours"], 2),
    }]}


def flow_file(cfg: Config, tasks: int, *, executable: bool = False) -> Path:
    """The (cached) one-flow file of ``tasks`` tasks.

    ``executable``: a variant an engine such as SpiffWorkflow will load: ``isExecutable="true"`` and
    business-rule tasks drawn as user tasks (an engine wants a DMN decision behind each of them).
    """
    path = cfg.work / f"flow-{tasks}-s{cfg.seed}{'-exec' if executable else ''}.bpmn"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        xml = synthetic_flow(FlowSpec(tasks=tasks, seed=cfg.seed, executable=executable)).xml
        if executable:
            xml = xml.replace(b"bpmn:businessRuleTask", b"bpmn:userTask")
        path.write_bytes(xml)
    return path


def _child_import(cfg: Config, what: str, path: Path) -> tuple[Summary, float | None, int]:
    """Peak memory of the child, and the median of the import times it printed."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        run = run_child([cfg.python, CHILD, what, str(path), "--repeats", str(cfg.repeats),
                         "--budget", str(cfg.repeat_budget_s)], cfg.limits, stdout=Path(out.name))
        report = json.loads(Path(out.name).read_text() or "{}") if run.ok else {}
    summary = Summary(1, run.wall_s, run.cpu_s, run.peak_rss_mib, run.outcome, run.stderr_tail[-300:] if not run.ok
                      else "")
    times = report.get("times") or []
    return summary, (statistics.median(times) if times else None), int(report.get("nodes", 0))


def bench_import_by_size(cfg: Config) -> dict[str, Any]:
    """Import of one flow of 100 … 100,000 tasks: ours vs lxml + networkx, time and peak memory."""
    rows: list[Row] = []
    growth = Growth(cfg)
    floor_points: list[tuple[float, float]] = []
    for tasks in cfg.sizes.flow_tasks:
        reason = growth.skip_reason(tasks)
        if reason:
            rows.append({"tasks": tasks, "note": reason})
            continue
        path = flow_file(cfg, tasks)
        ours, ours_s, nodes = _child_import(cfg, "ours", path)
        floor, floor_s, _ = _child_import(cfg, "floor", path)
        growth.add(tasks, ours)
        if ours_s is not None:
            growth.time[-1] = (tasks, ours_s)  # the slope of the import itself, not of start-up
        if floor_s:
            floor_points.append((tasks, floor_s))
        rows.append({
            "tasks": tasks, "nodes": nodes, "megabytes": round(path.stat().st_size / 2**20, 2),
            "ours_s": ours_s, "floor_s": floor_s,
            "ratio_to_floor": round(ours_s / floor_s, 2) if ours_s and floor_s else None,
            "ours_child": ours.as_dict(), "floor_child": floor.as_dict(),
            "ratio_peak_rss": ratio(ours, floor, "peak_rss_mib"),
        })
    slopes = growth.slopes()
    slopes["floor_wall"] = None if len(floor_points) < 2 else round(fit_slope(floor_points) or 0, 2)
    return {"rows": rows, "slope": slopes}
