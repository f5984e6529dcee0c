"""The per-flow pass of ``bpm score`` alone: CPU of the parent and its workers, what crosses the pool, parent memory.

``scoring.assess.assess`` of a synthetic portfolio (:mod:`bench.portfolio`) in this process with ``--jobs N``,
the profile's money section removed (the money stage is another helper's and has its own benches).  Prints, as
JSON: CPU seconds of this process (the parent: survey matching, annual cases, unpickling and merging the workers'
outputs) and of its reaped workers, the total per flow, the parent's peak resident memory, and — with
``--pickle`` — what one flow's output costs to cross the pool, measured in this process on the result: the
worker's ``dumps`` and the parent's unpickling, CPU-ms a flow, and the bytes.

Run it from the tree whose code is measured, alternating trees (the base is a ``git archive`` without this file:
copy it there; it reads nothing of this branch)::

    cd /tmp/base-perflow6 && PYTHONPATH=$PWD /work/wt-perflow6/.venv/bin/python -m bench.perflow6 100 --jobs 2
    cd /work/wt-perflow6 && PYTHONPATH=$PWD .venv/bin/python -m bench.perflow6 100 --jobs 2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import time
from pathlib import Path


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("flows", type=int)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--work", default="/tmp/perflow6-work", help="where portfolios are generated (reused)")
    parser.add_argument("--pickle", action="store_true", help="also time one pool crossing of each flow's output")
    args = parser.parse_args()

    from bench.portfolio import PortfolioSpec, write_portfolio
    from bpm.pool import limit_blas_threads

    limit_blas_threads()
    from bpm.reader import read_bpmn
    from scoring.assess import assess
    from scoring.profile import load_profile
    from scoring.survey import load_survey

    folder = Path(args.work) / f"portfolio-{args.flows}"
    if not (folder / "survey.csv").exists():
        write_portfolio(folder, PortfolioSpec(flows=args.flows))
    definitions = [read_bpmn(path) for path in sorted(folder.glob("*.bpmn"))]
    profile = dataclasses.replace(load_profile(None), money=None)
    survey = load_survey(folder / "survey.csv")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    own0, children0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    result = assess(definitions, survey=survey, profile=profile, jobs=args.jobs)
    own, children = _cpu(resource.RUSAGE_SELF) - own0, _cpu(resource.RUSAGE_CHILDREN) - children0
    report: dict[str, object] = {
        "flows": args.flows, "jobs": args.jobs,
        "steps": sum(len(p.steps) for p in result.processes),
        "parent_cpu_s": round(own, 3), "workers_cpu_s": round(children, 3),
        "cpu_ms_per_flow": round((own + children) * 1000 / args.flows, 1),
        "parent_peak_mib_before": round(rss0 / 1024, 1),
        "parent_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.pickle:
        report.update(_crossing(result.processes))
    report["load"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(report))


def _crossing(processes: tuple[object, ...]) -> dict[str, object]:
    """One pool crossing of each process's output, as :mod:`scoring.per_flow` makes it, timed in this process."""
    import pickle

    from scoring import per_flow

    outputs = [per_flow.FlowOutput(p, (), (), ()) for p in processes]
    forget = getattr(per_flow, "_forget_lines", None)  # a pass starts with nothing sent (absent in the base)
    if forget is not None:
        forget()
    started = time.process_time()
    payloads = [pickle.dumps(per_flow._Shipped(o), protocol=5) for o in outputs]
    dumped = time.process_time() - started
    started = time.process_time()
    back = [pickle.loads(p) for p in payloads]
    loaded = time.process_time() - started
    assert [b.value for b in back] == [o.value for o in outputs]
    flows = max(1, len(processes))
    return {"dumps_ms_per_flow": round(dumped * 1000 / flows, 2), "loads_ms_per_flow": round(loaded * 1000 / flows, 2),
            "kib_per_flow": round(sum(map(len, payloads)) / 1024 / flows, 1)}


if __name__ == "__main__":
    main()
