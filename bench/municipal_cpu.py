"""CPU a flow of `bpm compare`'s per-city work alone, in process, by several source trees taken in turns.

Why: ``bench.municipal_scale`` times the whole command (pool, workers'
start-up, comparison, site); on a machine shared by several helpers its CPU
seconds move with the load, and a whole run per tree takes minutes.  This
times only :func:`scoring.city_run.assess_city` of the same generated cities
in one child per tree (``cwd`` = the tree, so it runs its own code), the trees
in rotating order, several rounds, and keeps each tree's median: the per-flow
figure the projection to 1,741 × 20 rests on.  The first city of a child is
timed apart (lazy imports and first-use compilations land there).

    python -m bench.municipal_cpu --tree base=/tmp/base --tree new=. --cities 8 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CHILD = r"""
import json, os, sys, time
from pathlib import Path
os.environ["BPM_CACHE_DIR"] = "off"
sys.path.insert(0, os.getcwd())
from scoring.city_run import CityFiles, assess_city
import resource
def files_of(folder):
    bpmn = tuple(sorted((str(p), p.relative_to(folder).as_posix()) for p in folder.rglob("*.bpmn")))
    survey, profile = folder / "survey.csv", folder / "profile.toml"
    return CityFiles(folder.name, str(folder), str(folder / "municipality.toml"), bpmn,
                     str(survey) if survey.is_file() else None, str(profile) if profile.is_file() else None)
folders = [Path(p) for p in sys.argv[1:]]
times, flows = [], []
for folder in folders:
    start = time.process_time()
    result = assess_city(files_of(folder), max_bytes=50_000_000)
    times.append(time.process_time() - start)
    flows.append(len(result.flows))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"first_s": times[0], "rest_s": sum(times[1:]), "rest_flows": sum(flows[1:]),
                  "flows": sum(flows), "peak_mib": peak}))
"""


def run_tree(tree: Path, folders: list[Path]) -> dict[str, Any]:
    """One child of ``tree`` assessing ``folders`` in process; its printed figures."""
    done = subprocess.run([sys.executable, "-c", CHILD, *map(str, folders)], cwd=tree, capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONPATH": str(tree)})
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--cities", type=int, default=8)
    parser.add_argument("--procedures", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    from bench.municipal import write_municipalities

    trees = {name: Path(path).resolve() for name, _, path in (t.partition("=") for t in args.tree)}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="bench-cpu-") as work:
        folders = write_municipalities(Path(work), args.cities, args.procedures, seed=0)
        names = list(trees)
        for round_ in range(args.rounds):
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                runs[name].append(run_tree(trees[name], folders))
                print(name, json.dumps(runs[name][-1]), file=sys.stderr)
    summary = {"cities": args.cities, "procedures": args.procedures, "load": os.getloadavg(), "trees": {}}
    for name, found in runs.items():
        per_flow = [r["rest_s"] / r["rest_flows"] for r in found]
        summary["trees"][name] = {"cpu_s_a_flow_median": statistics.median(per_flow), "runs": found,
                                  "first_city_s_median": statistics.median(r["first_s"] for r in found)}
    print(json.dumps(summary, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
