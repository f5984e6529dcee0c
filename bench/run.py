"""Rerunnable benchmarks of the scanner; every figure is reported next to a floor or peer from the same run.

    .venv/bin/python bench/run.py --quick            # small sizes, a few minutes
    .venv/bin/python bench/run.py                    # default sizes
    .venv/bin/python bench/run.py --full             # adds 1,000-flow scans, bigger flows (hours today)
    .venv/bin/python bench/run.py --only scan --sizes scan_flows=1000 --time-limit 7200

Results go to ``bench/results/results.json`` (machine, command, date, every
measurement) and ``bench/README.md`` shows how to read them; ``bench/report.py``
turns one or more result files into the tables and the chart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import commands, imports, municipal_case, peers_case, profiling, rasterisers
from bench.config import HERE, PRESETS, REPO, Config, Sizes
from bench.measure import Limits, machine

BENCHMARKS = {
    "scan": commands.bench_scan,
    "score": commands.bench_score,
    "score_by_size": commands.bench_score_by_size,
    "pictures": commands.bench_pictures,
    "rasterisers": rasterisers.bench_rasterisers,
    "rescan": commands.bench_rescan,
    "profile": profiling.bench_profile,
    "miwg": imports.bench_miwg,
    "import_by_size": imports.bench_import_by_size,
    "peers": peers_case.bench_peers,
    "municipalities": municipal_case.bench_municipalities,
}


def _sizes(preset: Sizes, overrides: list[str]) -> Sizes:
    known = {f.name: f for f in fields(Sizes)}
    changes: dict[str, Any] = {}
    for item in overrides:
        name, _, raw = item.partition("=")
        if name not in known:
            raise SystemExit(f"--sizes: unknown name {name!r} (known: {', '.join(known)})")
        values = tuple(int(v) for v in raw.split(",") if v.strip())
        changes[name] = values if isinstance(getattr(preset, name), tuple) else values[0]
    return replace(preset, **changes)


def parse_args(argv: list[str]) -> Config:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    for preset in PRESETS:
        if preset != "default":
            group.add_argument(f"--{preset}", dest="preset", action="store_const", const=preset,
                               help=f"the {preset} sizes")
    parser.set_defaults(preset="default")
    parser.add_argument("--only", action="append", default=[], choices=sorted(BENCHMARKS),
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--sizes", action="append", default=[], metavar="NAME=N[,N…]",
                        help="override a size list, e.g. scan_flows=1,10 (names: see bench/config.py)")
    parser.add_argument("--time-limit", type=float, default=900.0, metavar="S",
                        help="longest single run; bigger sizes predicted to pass it are skipped (default 900 s)")
    parser.add_argument("--memory-limit", type=float, default=6144.0, metavar="MIB",
                        help="largest resident memory of a run (default 6144 MiB)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement, median reported")
    parser.add_argument("--repeat-budget", type=float, default=60.0, metavar="S",
                        help="stop repeating a measurement once it has taken this long (default 60 s)")
    parser.add_argument("--work", type=Path, default=HERE / "work", help="generated files (git-ignored)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    return Config(
        preset=args.preset, sizes=_sizes(PRESETS[args.preset], args.sizes),
        limits=Limits(time_s=args.time_limit, rss_mib=args.memory_limit),
        repeats=1 if args.preset == "smoke" else args.repeats, repeat_budget_s=args.repeat_budget,
        work=args.work.resolve(), out=args.out.resolve(), seed=args.seed, only=frozenset(args.only),
    )


def run(cfg: Config, argv: list[str], name: str = "results.json") -> dict[str, Any]:
    """Run the chosen benchmarks, writing the results file after each one (a killed run keeps its figures)."""
    cfg.work.mkdir(parents=True, exist_ok=True)
    cfg.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": asdict(machine(["bench/run.py", *argv], REPO)),
        "preset": cfg.preset,
        "sizes": asdict(cfg.sizes),
        "limits": asdict(cfg.limits),
        "repeats": cfg.repeats,
        "benchmarks": {},
    }
    target = cfg.out / name
    for key, bench in BENCHMARKS.items():
        if not cfg.wanted(key):
            continue
        print(f"[bench] {key} …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        result = bench(cfg)
        result["seconds"] = round(time.perf_counter() - start, 1)
        result["doc"] = (bench.__doc__ or "").strip().splitlines()[0]
        results["benchmarks"][key] = result
        print(f"[bench] {key} done in {result['seconds']} s", file=sys.stderr, flush=True)
        target.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    results["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    target.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return results


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    cfg = parse_args(argv)
    run(cfg, argv)
    print(f"[bench] results in {cfg.out / 'results.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
