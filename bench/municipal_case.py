"""Issue 14's scale: N municipalities × M standard procedures, generated and (once it exists) compared.

Measures the generator, the per-flow work ``compare`` builds on (``bpm score``
of every city's flows in one call, against the floor table) and, when ``bpm
compare --help`` succeeds, ``bpm compare --jobs 2 --diagrams leaders
CITY_DIR… --out SITE`` with the same limits (two workers on the 2-core
machine; only the leading cities' diagrams, as a national comparison would).
"""

from __future__ import annotations

import shutil
import time
from typing import Any

from bench.commands import FLOORS, _measure, ratio
from bench.config import Config
from bench.measure import folder_size, run_child
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
        shutil.rmtree(site, ignore_errors=True)
    else:
        row["compare"] = {"note": "bpm compare is not available yet (issue 14)"}
    return {"rows": [row]}
