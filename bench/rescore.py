"""Re-score after changing one task name in one flow: the read and per-flow scoring caches, cold vs warm.

Each phase runs in its own child process (so no in-process memo of an earlier phase helps a later one) on a
copy of a synthetic portfolio (:mod:`bench.portfolio`), the way ``bpm score`` reads and scores it — through
:class:`bpm.read_cache.ReadCache` and :func:`scoring.assess.assess` with a :class:`scoring.flow_cache.FlowCache`
— with the money stage off unless ``--money`` (it prices the whole portfolio every run and is owned
elsewhere).  Phases, in order, each measured as CPU (the child and its pool workers) and wall:

- ``off``: ``BPM_CACHE_DIR=off`` (the baseline: what every run costs without the caches);
- ``cold``: an empty cache (a first run: everything computed and stored);
- ``warm``: the same files again (everything from the cache);
- ``one changed``: flow 1 with one task renamed (:func:`bench.portfolio.revise_flow`), the rest from the cache;
- ``one changed, off``: the same files without the cache (the identity check of the changed run).

``identical`` says whether the assessments' digests agree (off = cold = warm; one changed = one changed, off).

    .venv/bin/python -m bench.rescore 100 1000 --jobs 2 --work /tmp/rescore
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def phase(folder: Path, jobs: int, money: bool) -> dict[str, Any]:
    """One run in this process: read every flow through the read cache, then assess (in the child)."""
    import dataclasses

    from bpm.pool import limit_blas_threads

    limit_blas_threads()
    from bpm.cache_store import prune_results
    from bpm.read_cache import ReadCache
    from bpm.reader import DEFAULT_MAX_BYTES
    from scoring.assess import assess
    from scoring.flow_cache import FlowCache
    from scoring.profile import load_profile
    from scoring.survey_cache import SurveyCache

    cpu0, wall0 = _cpu(), time.perf_counter()
    cache = ReadCache.from_environment()
    reads = [cache.read(path, max_bytes=DEFAULT_MAX_BYTES) for path in sorted(folder.glob("*.bpmn"))]
    prune_results()
    cpu1, wall1 = _cpu(), time.perf_counter()
    profile = load_profile(None)
    if not money:
        profile = dataclasses.replace(profile, money=None)
    survey = SurveyCache.from_environment().load(folder / "survey.csv")
    result = assess([r.definitions for r in reads], survey=survey, profile=profile, jobs=jobs,
                    cache=FlowCache.from_environment([(r.definitions, r.key) for r in reads]))
    cpu2, wall2 = _cpu(), time.perf_counter()
    return {"read_cpu_s": round(cpu1 - cpu0, 3), "read_wall_s": round(wall1 - wall0, 3),
            "assess_cpu_s": round(cpu2 - cpu1, 3), "assess_wall_s": round(wall2 - wall1, 3),
            "steps": sum(len(p.steps) for p in result.processes), "fingerprint": _fingerprint(result)}


def _fingerprint(result: Any) -> str:
    """A digest of the whole assessment by value: every field in order, sets sorted, and without pickle's memo
    (``fast``), so a result loaded from the cache — equal values in distinct objects where a fresh run shares
    one object between flows — digests like a computed one."""
    import hashlib
    import io

    from bpm.cache_store import _DigestPickler

    buffer = io.BytesIO()
    pickler = _DigestPickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(result)
    return hashlib.sha256(buffer.getvalue()).hexdigest()[:16]


def _child(folder: Path, cache: str, jobs: int, money: bool) -> dict[str, Any]:
    env = {**os.environ, "BPM_CACHE_DIR": cache}
    argv = [sys.executable, "-m", "bench.rescore", "--phase", str(folder), "--jobs", str(jobs)]
    before, wall0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([*argv, *(["--money"] if money else [])], env=env, capture_output=True, text=True,
                          check=True)
    after, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter() - wall0
    measured: dict[str, Any] = json.loads(done.stdout)
    measured["process_cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3)
    measured["process_wall_s"] = round(wall, 3)
    measured["peak_mib"] = round(after.ru_maxrss / 1024, 1)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("flows", type=int, nargs="*")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--money", action="store_true", help="keep the money stage")
    parser.add_argument("--no-changed-baseline", action="store_true",
                        help="skip the cache-off run of the changed portfolio (its identity check) at large sizes")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(Path(args.phase), args.jobs, args.money)))
        return
    from bench.portfolio import PortfolioSpec, revise_flow, write_portfolio

    rows = []
    for flows in args.flows:
        work = Path(args.work)
        spec = PortfolioSpec(flows=flows)
        source = write_portfolio(work / f"portfolio-{flows}", spec)
        folder, cache = work / f"rescore-{flows}", work / f"rescore-cache-{flows}"
        for stale in (folder, cache):
            shutil.rmtree(stale, ignore_errors=True)
        shutil.copytree(source, folder)
        row: dict[str, Any] = {"flows": flows, "jobs": args.jobs, "money": args.money}
        row["off"] = _child(folder, "off", args.jobs, args.money)
        row["cold"] = _child(folder, str(cache), args.jobs, args.money)
        row["warm"] = _child(folder, str(cache), args.jobs, args.money)
        revise_flow(folder, spec)
        row["one_changed"] = _child(folder, str(cache), args.jobs, args.money)
        same = row["off"]["fingerprint"] == row["cold"]["fingerprint"] == row["warm"]["fingerprint"]
        if not args.no_changed_baseline:
            row["one_changed_off"] = _child(folder, "off", args.jobs, args.money)
            same = same and row["one_changed"]["fingerprint"] == row["one_changed_off"]["fingerprint"]
        row["identical"] = same
        row["cache_mib"] = round(sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) / 2**20, 1)
        row["load"] = os.getloadavg()
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
