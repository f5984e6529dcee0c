"""`bpm compare` of N synthetic cities run by several source trees in the same run: CPU, memory and slope.

Why: issue 14 item 6 asks whether 1,741 cities × 20 procedures fit in 10
minutes on 2 cores.  The answer depends on the per-city assessment (most of
it the money stage, which another branch is making linear) and on the site;
both change between source trees, and the machine is shared, so every tree
is measured on the same generated cities in the same run, and only CPU
seconds (children included) and ratios between trees are read.  Each tree
runs from its own directory (``python -m`` puts the working directory first
on ``sys.path``, so a tree runs its own code), with the same
``SOURCE_DATE_EPOCH``; the sites of the trees are compared byte for byte.

    python -m bench.municipal_scale --tree base=/tmp/base --tree branch=. --cities 4,8 --out results.json
    python -m bench.municipal_scale --tree base=/tmp/base --tree branch=. --cities 32 --cached --out r.json
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.measure import Limits, machine, run_child
from bench.municipal import write_municipalities


def _same_tree(left: Path, right: Path) -> bool:
    """True when the two folders hold the same files with the same bytes."""
    compared = filecmp.dircmp(left, right)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, compared.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(_same_tree(left / d, right / d) for d in compared.common_dirs)


def _change_one_city(folders: list[Path]) -> None:
    """Change the bytes (not the meaning) of one flow of the middle city: an XML comment after its root, so a
    re-run must read and assess that city again and give the same site."""
    flow = sorted(folders[len(folders) // 2].rglob("*.bpmn"))[0]
    flow.write_bytes(flow.read_bytes() + b"<!-- changed -->\n")


def measure(trees: dict[str, Path], cities: int, procedures: int, work: Path, limits: Limits,
            jobs: int, cached: bool = False) -> dict[str, Any]:
    """``bpm compare`` of the same ``cities`` folders by every tree; its run figures and whether the sites agree.

    Every tree runs with the result caches off (``BPM_CACHE_DIR=off``: the cost of the work itself).  With
    ``cached``, the last tree also runs three times on one fresh cache folder: ``NAME+cold`` (storing),
    ``NAME+warm`` (everything unchanged, as when comparing again) and ``NAME+one-changed`` (one flow of one
    city changed in its bytes only, as when one city sent a new file).
    """
    root = work / f"cities-{cities}x{procedures}"
    folders = write_municipalities(root, cities, procedures, seed=0)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "BPM_CACHE_DIR": "off"}
    row: dict[str, Any] = {"cities": cities, "procedures": procedures, "flows": cities * procedures}
    sites = {}
    runs = [(name, tree, env) for name, tree in trees.items()]
    if cached:
        name, tree = list(trees.items())[-1]
        store = {**env, "BPM_CACHE_DIR": str(work / f"cache-{cities}")}
        runs += [(f"{name}+cold", tree, store), (f"{name}+warm", tree, store), (f"{name}+one-changed", tree, store)]
    for name, tree, run_env in runs:
        if name.endswith("+one-changed"):
            _change_one_city(folders)
        site = work / f"site-{name}-{cities}"
        run = run_child([sys.executable, "-m", "bpm.cli", "-q", "compare", "--jobs", str(jobs), "--diagrams",
                         "leaders", *map(str, folders), "--out", str(site)], limits, env=run_env, cwd=tree)
        row[name] = {"outcome": run.outcome, "wall_s": run.wall_s, "cpu_s": run.cpu_s,
                     "peak_rss_mib": run.peak_rss_mib, "peak_tree_mib": run.peak_tree_mib,
                     "peak_tree_pss_mib": run.peak_tree_pss_mib, "peak_tree_uss_mib": run.peak_tree_uss_mib,
                     "peak_machine_mib": run.peak_machine_mib,
                     "stderr_tail": run.stderr_tail[-300:] if run.outcome != "ok" else ""}
        if run.outcome == "ok":
            sites[name] = site
    names = list(sites)
    row["identical_sites"] = all(_same_tree(sites[names[0]], sites[n]) for n in names[1:]) if names else None
    if cached:
        store_folder = work / f"cache-{cities}"
        row["cache_mib"] = sum(f.stat().st_size for f in store_folder.rglob("*") if f.is_file()) / 2**20
        shutil.rmtree(store_folder, ignore_errors=True)
    for site in sites.values():
        shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    return row


def measure_site(trees: dict[str, Path], cities: int, procedures: int, limits: Limits) -> dict[str, Any]:
    """The comparison and site alone (:mod:`bench.municipal_site`, no flow assessed) by every tree."""
    row: dict[str, Any] = {"cities": cities, "procedures": procedures}
    for name, tree in trees.items():
        with tempfile.NamedTemporaryFile(suffix=".json") as printed:
            run = run_child([sys.executable, "-m", "bench.municipal_site", str(cities), str(procedures)], limits,
                            cwd=tree, stdout=Path(printed.name))
            lines = Path(printed.name).read_text(encoding="utf-8").splitlines()
        row[name] = {"outcome": run.outcome, "wall_s": run.wall_s, "cpu_s": run.cpu_s,
                     "peak_rss_mib": run.peak_rss_mib,
                     "stages": json.loads(lines[-1]) if run.outcome == "ok" and lines else None}
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                        help="a source tree to run from (the first is the baseline of the ratios)")
    parser.add_argument("--cities", default="4,8", help="city counts for bpm compare, comma-separated")
    parser.add_argument("--site-cities", default="", help="city counts for the site alone, comma-separated")
    parser.add_argument("--procedures", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cached", action="store_true",
                        help="also run the last tree twice with a fresh result cache (cold, then warm)")
    parser.add_argument("--time-limit", type=float, default=1800.0)
    parser.add_argument("--memory-limit", type=float, default=4096.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    trees = {name: Path(path).resolve() for name, _, path in (t.partition("=") for t in args.tree)}
    limits = Limits(args.time_limit, args.memory_limit)
    results: dict[str, Any] = {"machine": asdict(machine(sys.argv, Path(__file__).resolve().parents[1])),
                               "trees": {k: str(v) for k, v in trees.items()}, "load_start": os.getloadavg(),
                               "compare": [], "site": []}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as work:
        for cities in (int(c) for c in args.cities.split(",") if c):
            results["compare"].append(measure(trees, cities, args.procedures, Path(work), limits, args.jobs,
                                              args.cached))
            print(json.dumps(results["compare"][-1]), file=sys.stderr)
        for cities in (int(c) for c in args.site_cities.split(",") if c):
            results["site"].append(measure_site(trees, cities, args.procedures, limits))
            print(json.dumps(results["site"][-1]), file=sys.stderr)
    results["load_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
