"""Per-flow CPU of ``bpm score`` by stage, with the money stage apart (issue 13, ``bpm score`` < 10 s).

Runs in process on a synthetic portfolio (:mod:`bench.portfolio`): reads every flow, then calls
:func:`scoring.assess.assess` with the profile's money section removed (the money stage prices the whole
portfolio and is measured on its own, by ``--money N`` on a smaller portfolio).  Stage times come from timers
put around the stage functions **in this process only** (``--jobs 1``); with ``--jobs N`` only the total is
reported (CPU of this process and of its finished children, and wall time).

Run it from the tree whose code is measured (Python puts the working directory first on ``sys.path``):

    .venv/bin/python -m bench.score_parts 100 --jobs 1
    cd /tmp/base && /work/wt-fix/.venv/bin/python -m bench.score_parts 100 --jobs 1   # a `git archive` of main
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import time
from pathlib import Path

from bench.stage_cpu import StageClock

_CLOCK = StageClock()


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _instrument() -> None:
    import scoring.assess as assess_module

    names = {
        "survey matching": "match_survey",
        "visits (solve_visits)": "solve_visits",
        "annual cases": "cases_per_year",
        "procedure lookup + template": ("procedure_for", "check_template"),
        "process context": "process_context",
        "legal verdict": "legal_status",
        "features + lexicon": "step_features",
        "classify": "classify",
        "hand-off plan": "_plan_handoffs",
        "ranking (no money)": "_rank_by_capacity",
    }
    for stage, functions in names.items():
        for name in (functions,) if isinstance(functions, str) else functions:
            if hasattr(assess_module, name):
                setattr(assess_module, name, _CLOCK.timed(stage, getattr(assess_module, name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("flows", type=int)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--work", default="bench/work", help="where portfolios are generated (reused)")
    parser.add_argument("--money", action="store_true", help="keep the money stage (timed apart)")
    args = parser.parse_args()

    from bench.portfolio import PortfolioSpec, write_portfolio
    from bpm.pool import limit_blas_threads

    limit_blas_threads()
    import inspect

    from bpm.reader import read_bpmn
    from scoring.assess import assess
    from scoring.profile import load_profile
    from scoring.survey import load_survey

    folder = write_portfolio(Path(args.work) / f"portfolio-{args.flows}", PortfolioSpec(flows=args.flows))
    start = _cpu()
    definitions = [read_bpmn(path) for path in sorted(folder.glob("*.bpmn"))]
    read_s = _cpu() - start
    profile = load_profile(None)
    if not args.money:
        profile = dataclasses.replace(profile, money=None)
    else:
        import scoring.assess as assess_module

        assess_module.money_stage = _CLOCK.timed("money stage", assess_module.money_stage)  # type: ignore[attr-defined]
    survey = load_survey(folder / "survey.csv")
    if args.jobs == 1:
        _instrument()
    parallel = "jobs" in inspect.signature(assess).parameters
    cpu0, wall0 = _cpu(), time.perf_counter()
    result = assess(definitions, survey=survey, profile=profile, **({"jobs": args.jobs} if parallel else {}))
    cpu, wall = _cpu() - cpu0, time.perf_counter() - wall0
    stages = {k: round(v * 1000 / args.flows, 2) for k, v in sorted(_CLOCK.spent.items(), key=lambda kv: -kv[1])}
    if stages:
        stages["rest of assess"] = round((cpu - sum(_CLOCK.spent.values())) * 1000 / args.flows, 2)
    print(json.dumps({
        "flows": args.flows, "steps": sum(len(p.steps) for p in result.processes), "jobs": args.jobs,
        "parallel_assess": parallel, "money": args.money, "read_cpu_s": round(read_s, 2),
        "assess_cpu_s": round(cpu, 2), "assess_wall_s": round(wall, 2),
        "assess_cpu_ms_per_flow": round(cpu * 1000 / args.flows, 1), "stages_cpu_ms_per_flow": stages,
        "load": os.getloadavg(),
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
