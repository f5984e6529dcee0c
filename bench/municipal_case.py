"""Issue 14's scale: N municipalities × M standard procedures, generated and compared.

Measures the generator, the per-flow work ``compare`` builds on (``bpm score``
of every city's flows in one call, against the floor table), ``bpm compare
--jobs 2 --diagrams leaders CITY_DIR… --out SITE`` on the same files with the
same limits (two workers on the 2-core machine; only the leading cities'
diagrams, as a national comparison would), and, at ``site_cities`` sizes up to
the national 1,741, the comparison's own work without any flow assessed
(:mod:`bench.municipal_site`: grouping, quartiles and every page, against its
floor of plain tables).  All in the same run, so the ratios hold on a loaded
machine.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from bench.commands import FLOORS, _measure, ratio
from bench.config import REPO, Config
from bench.measure import Run, folder_size, run_child
from bench.municipal import write_municipalities


def bench_municipalities(cfg: Config) -> dict[str, Any]:
    """Generate N cities × M procedures; score them all; run ``bpm compare`` when it exists."""
    cities, procedures = cfg.sizes.cities, cfg.sizes.procedures
    root = cfg.work / f"municipalities-{cities}x{procedures}"
    if root.exists():
        shutil.rmtree(root)
    start = time.perf_counter()
    folders = write_municipalities(root, cities, procedures, seed=cfg.seed)
    generate_s = time.perf_counter() - start
    size, files = folder_size(root)
    row: dict[str, Any] = {"cities": cities, "procedures": procedures, "flows": cities * procedures,
                           "generate_s": round(generate_s, 2), "bytes": size, "files": files}
    flows = [str(f / "flows") for f in folders]
    score = _measure(cfg, [*cfg.bpm, "-q", "score", *flows, "--out", str(cfg.work / "municipal-score.csv")])
    floor = _measure(cfg, [cfg.python, FLOORS, "table", *flows, "--out", str(cfg.work / "floor-table.csv")])
    row.update({"score_all": score.as_dict(), "floor": floor.as_dict(), "ratio_wall": ratio(score, floor)})
    probe = run_child([*cfg.bpm, "compare", "--help"], cfg.limits)
    if probe.ok:
        site = cfg.work / "compare-site"
        compare = _measure(cfg, [*cfg.bpm, "-q", "compare", "--jobs", "2", "--diagrams", "leaders",
                                 *map(str, folders), "--out", str(site)])
        row["compare"] = compare.as_dict()
        row["compare_floor_wall"] = ratio(compare, floor)
        row["compare_floor_cpu"] = ratio(compare, floor, "cpu_s")
        row["compare_score_cpu"] = ratio(compare, score, "cpu_s")
        shutil.rmtree(site, ignore_errors=True)
    else:
        row["compare"] = {"note": "bpm compare is not available yet (issue 14)"}
    return {"rows": [row], "site": bench_site(cfg)}


def bench_site(cfg: Config) -> list[dict[str, Any]]:
    """The comparison and its site without assessing flows, at each ``site_cities`` size, against the floor."""
    rows = []
    for cities in cfg.sizes.site_cities:
        argv = [cfg.python, "-m", "bench.municipal_site", str(cities), str(cfg.sizes.procedures)]
        printed = cfg.work / "municipal-site.json", cfg.work / "municipal-site-floor.json"
        ours = run_child(argv, cfg.limits, cwd=REPO, stdout=printed[0])
        floor = run_child([*argv, "--floor"], cfg.limits, cwd=REPO, stdout=printed[1])
        row: dict[str, Any] = {"cities": cities, "procedures": cfg.sizes.procedures,
                               "ours": _summary(ours, printed[0]), "floor": _summary(floor, printed[1])}
        if ours.ok and floor.ok:
            row["ratio_wall"] = round(ours.wall_s / floor.wall_s, 2) if floor.wall_s else None
            row["ratio_cpu"] = round(ours.cpu_s / floor.cpu_s, 2) if floor.cpu_s else None
        rows.append(row)
    return rows


def _summary(run: Run, printed: Path) -> dict[str, Any]:
    """A child's figures and the JSON line it printed (its own stage timings)."""
    found: dict[str, Any] = {"outcome": run.outcome, "wall_s": run.wall_s, "cpu_s": run.cpu_s,
                             "peak_rss_mib": run.peak_rss_mib}
    lines = printed.read_text(encoding="utf-8").splitlines() if run.ok and printed.is_file() else []
    for line in reversed(lines):
        if line.startswith("{"):
            found["stages"] = json.loads(line)
            break
    return found
