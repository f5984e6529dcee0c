"""Re-scan of a site after changing one flow: base tree vs this tree, CPU seconds, byte-identity of the sites.

For each size and each repeat, the two trees take turns (base, new; then new, base …) on the same portfolio
path (so their sites can be compared byte for byte).  Per tree, every phase is a ``bpm scan … --out SITE -j J``
child process with ``SOURCE_DATE_EPOCH`` fixed, measured as the child's CPU (user + sys, its pool workers
included) from ``getrusage(RUSAGE_CHILDREN)``:

- ``first``: an empty cache (the first scan of the portfolio);
- ``warm``: the same files again into the same site (nothing changed);
- ``changed``: flow 1 with one task renamed (:func:`bench.portfolio.revise_flow`), into the same site.

Then ``identical``: the two trees' sites after ``changed`` equal byte for byte (``filecmp``, every file), and
this tree's equals a scan of the changed files with ``BPM_CACHE_DIR=off`` (checked once per size).

    .venv/bin/python -m bench.rescan_site 10 100 --base /tmp/base-rescan3 --work /tmp/r3/bench --repeats 3
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.portfolio import PortfolioSpec, revise_flow, write_portfolio

PHASES = ("first", "warm", "changed")


def scan(tree: Path, folder: Path, site: Path, cache: str, jobs: int) -> float:
    """One ``bpm scan`` of ``folder`` into ``site`` with ``tree``'s code; its CPU seconds."""
    env = {**os.environ, "PYTHONPATH": str(tree), "BPM_CACHE_DIR": cache, "SOURCE_DATE_EPOCH": "1700000000"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "bpm.cli", "scan", str(folder), "--out", str(site), "-j", str(jobs)],
                   cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3)


def same_tree(a: Path, b: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""
    names_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if names_a != names_b:
        return False
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names_a)


def one_tree(tree: Path, source: Path, work: Path, spec: PortfolioSpec, jobs: int) -> tuple[dict[str, float], Path]:
    """The three phases with ``tree``'s code on a fresh copy of the portfolio and an empty cache."""
    folder, cache, site = work / "portfolio", work / "cache", work / f"site-{tree.name}"
    for stale in (folder, cache, site):
        shutil.rmtree(stale, ignore_errors=True)
    shutil.copytree(source, folder)
    cpu = {"first": scan(tree, folder, site, str(cache), jobs)}
    cpu["warm"] = scan(tree, folder, site, str(cache), jobs)
    revise_flow(folder, spec)
    cpu["changed"] = scan(tree, folder, site, str(cache), jobs)
    return cpu, site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("flows", type=int, nargs="+")
    parser.add_argument("--base", required=True, help="a `git archive` of the base commit")
    parser.add_argument("--work", default="bench/work/rescan-site")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    trees = {"base": Path(args.base).resolve(), "new": Path(__file__).resolve().parent.parent}
    work = Path(args.work).resolve()
    for flows in args.flows:
        spec = PortfolioSpec(flows=flows)
        source = write_portfolio(work / f"source-{flows}", spec)
        runs: dict[str, list[dict[str, float]]] = {"base": [], "new": []}
        identical = True
        started = time.time()
        for repeat in range(args.repeats):
            order = ("base", "new") if repeat % 2 == 0 else ("new", "base")
            sites = {}
            for name in order:
                cpu, site = one_tree(trees[name], source, work, spec, args.jobs)
                runs[name].append(cpu)
                sites[name] = work / f"kept-{name}"
                shutil.rmtree(sites[name], ignore_errors=True)
                site.rename(sites[name])
            identical = identical and same_tree(sites["base"], sites["new"])
        off = work / "site-off"
        shutil.rmtree(off, ignore_errors=True)
        scan(trees["new"], work / "portfolio", off, "off", args.jobs)
        identical_off = same_tree(off, work / "kept-new")
        row: dict[str, Any] = {"flows": flows, "jobs": args.jobs, "repeats": args.repeats, "runs": runs,
                               "median": {name: {phase: statistics.median(r[phase] for r in runs[name])
                                                 for phase in PHASES} for name in runs},
                               "identical_base_new": identical, "identical_new_off": identical_off,
                               "load": os.getloadavg(), "minutes": round((time.time() - started) / 60, 1)}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
