"""Per-flow assessment CPU split between the parent and the pool's workers, and the collector's share.

``scoring.assess.assess`` of a synthetic portfolio (:mod:`bench.portfolio`), in this process with
``--jobs N``; the money section is removed (the money stage has its own benches) unless ``--money``.
Prints, as JSON: CPU seconds of this process (the parent: survey matching, annual cases, merging,
unpickling the workers' outputs) and of its reaped workers, the total per flow, the CPU spent in the
cyclic collector in the parent (``gc.callbacks``), and the peak resident memory of the parent.

Run it from the tree whose code is measured, with the worktree's interpreter, alternating trees::

    cd /tmp/base-assess5 && PYTHONPATH=$PWD /work/wt-assess5/.venv/bin/python -m bench.assess5 100 --jobs 2
    cd /work/wt-assess5 && PYTHONPATH=$PWD .venv/bin/python -m bench.assess5 100 --jobs 2

(the base tree is a ``git archive`` without this file: copy it there, it reads nothing of this branch.)
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import resource
import time
from pathlib import Path
from typing import Any


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class _CollectorClock:
    """CPU seconds the cyclic collector spends in this process, by generation."""

    def __init__(self) -> None:
        self.spent = {0: 0.0, 1: 0.0, 2: 0.0}
        self.runs = {0: 0, 1: 0, 2: 0}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.process_time()
            return
        generation = int(info["generation"])
        self.spent[generation] += time.process_time() - self._started
        self.runs[generation] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("flows", type=int)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--work", default="bench/work", help="where portfolios are generated (reused)")
    parser.add_argument("--money", action="store_true", help="keep the profile's money section (the money stage runs)")
    args = parser.parse_args()

    from bench.portfolio import PortfolioSpec, write_portfolio
    from bpm.pool import limit_blas_threads

    limit_blas_threads()
    from bpm.reader import read_bpmn
    from scoring.assess import assess
    from scoring.profile import load_profile
    from scoring.survey import load_survey

    folder = write_portfolio(Path(args.work) / f"portfolio-{args.flows}", PortfolioSpec(flows=args.flows))
    definitions = [read_bpmn(path) for path in sorted(folder.glob("*.bpmn"))]
    profile = load_profile(None)
    if not args.money:
        profile = dataclasses.replace(profile, money=None)
    survey = load_survey(folder / "survey.csv")
    clock = _CollectorClock()
    gc.callbacks.append(clock)
    own0, children0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    result = assess(definitions, survey=survey, profile=profile, jobs=args.jobs)
    own, children = _cpu(resource.RUSAGE_SELF) - own0, _cpu(resource.RUSAGE_CHILDREN) - children0
    gc.callbacks.remove(clock)
    print(json.dumps({
        "flows": args.flows, "jobs": args.jobs, "money": args.money,
        "steps": sum(len(p.steps) for p in result.processes),
        "parent_cpu_s": round(own, 3), "workers_cpu_s": round(children, 3),
        "cpu_ms_per_flow": round((own + children) * 1000 / args.flows, 1),
        "parent_gc_cpu_s": round(sum(clock.spent.values()), 3),
        "parent_gc_runs": clock.runs,
        "parent_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load": [round(x, 1) for x in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()
