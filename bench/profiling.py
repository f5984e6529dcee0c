"""Where ``bpm scan``'s time goes: cProfile of one scan, summarised by stage and by library.

The scan runs as a child under ``python -m cProfile``; the summary (saved to
``results/profile-scan-N.txt``, the raw ``.pstats`` next to it for snakeviz or
``python -m pstats``) has three parts:

* **stages** — cumulative time of the pipeline's entry points (reading, lint,
  scoring, downloads, site; inside the site: view models, templates, pictures,
  writing).  Stages are found by function name, so a renamed function shows as
  "not found" rather than a wrong figure;
* **by library** — own time (``tottime``) of every function grouped by the
  package its file is in (ours by module), which needs no names at all;
* the 30 functions with the most cumulative time.

cProfile slows Python code down (often 1.5–2×) and not C code, so the shares
lean towards Python; the scan benchmark's wall times are the ones to quote.
"""

from __future__ import annotations

import io
import pstats
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.commands import _fresh, portfolio
from bench.config import Config
from bench.measure import run_child

STAGES: tuple[tuple[str, str, str], ...] = (
    # (stage, file suffix, function name)
    ("read BPMN", "bpm/cli.py", "_gather"),
    ("lint", "bpm/lint/__init__.py", "lint_files"),
    ("score (assess)", "scoring/assess.py", "assess"),
    ("downloads: results table", "reports/export_table.py", "table_bytes"),
    ("downloads: annotated BPMN", "reports/export.py", "annotate_bpmn"),
    ("site (everything below)", "reports/site.py", "build_site"),
    ("  site: pictures (all formats)", "reports/pictures.py", "picture_bytes"),
    ("  site: PNG (CairoSVG)", "reports/printable.py", "svg_to_png"),
    ("  site: PDF (CairoSVG)", "reports/printable.py", "svg_to_pdf"),
    ("  site: page view models", "reports/views.py", "flow_page"),
    ("  site: Jinja rendering", "jinja2/environment.py", "render"),
)


def _bucket(filename: str, function: str) -> str:
    """Which library (or which of our modules) a function belongs to."""
    path = filename.replace("\\", "/")
    for ours in ("bpm/", "scoring/", "reports/", "bench/"):
        marker = f"/{ours}"
        if marker in path and "site-packages" not in path:
            tail = path.split(marker, 1)[1]
            return ours + tail.split("/", 1)[0].removesuffix(".py")
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if filename == "~":
        return "builtin: " + function.strip("<>{}")[:60]
    return "python stdlib"


def summarise_profile(path: Path, wall_s: float | None = None) -> dict[str, Any]:
    """Stages, library buckets and top functions of a ``.pstats`` file."""
    stats = pstats.Stats(str(path))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max((ct for (_, _, _, ct, _) in raw.values()), default=0.0)
    stages = []
    for stage, suffix, function in STAGES:
        matches = [ct for (file, _, name), (_, _, _, ct, _) in raw.items()
                   if name == function and file.replace("\\", "/").endswith(suffix)]
        seconds = max(matches) if matches else None
        stages.append({"stage": stage, "function": f"{suffix}:{function}", "seconds": seconds,
                       "share": round(seconds / total, 3) if seconds is not None and total else None})
    buckets: dict[str, float] = defaultdict(float)
    for (file, _, name), (_, _, tottime, _, _) in raw.items():
        buckets[_bucket(file, name)] += tottime
    by_library = [{"bucket": k, "seconds": round(v, 3), "share": round(v / total, 3) if total else None}
                  for k, v in sorted(buckets.items(), key=lambda kv: -kv[1]) if v >= 0.001 * total]
    text = io.StringIO()
    pstats.Stats(str(path), stream=text).sort_stats("cumulative").print_stats(30)
    return {"profiled_total_s": round(total, 3), "unprofiled_wall_s": wall_s, "stages": stages,
            "by_library": by_library[:25], "top_cumulative": text.getvalue()}


def write_summary(summary: dict[str, Any], target: Path, flows: int) -> None:
    lines = [f"# Profile of `bpm scan` on {flows} synthetic flow(s) (cProfile)", "",
             f"profiled total {summary['profiled_total_s']} s", "", "## Stages (cumulative)", ""]
    for row in summary["stages"]:
        seconds = "not found" if row["seconds"] is None else f"{row['seconds']:.2f} s ({row['share']:.0%})"
        lines.append(f"{row['stage']:34} {seconds:>20}   {row['function']}")
    lines += ["", "## Own time by library / module", ""]
    lines += [f"{row['bucket']:34} {row['seconds']:>9.2f} s {row['share']:>6.1%}" for row in summary["by_library"]]
    lines += ["", "## Top 30 by cumulative time", "", summary["top_cumulative"]]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bench_profile(cfg: Config) -> dict[str, Any]:
    """Per-stage breakdown of ``bpm scan`` (cProfile), saved as a text summary and a .pstats file."""
    flows = cfg.sizes.profile_flows
    folder = portfolio(cfg, flows)
    site = cfg.work / "profile-site"
    stats_file = cfg.out / f"profile-scan-{flows}.pstats"
    run = run_child([cfg.python, "-m", "cProfile", "-o", str(stats_file), "-m", "bpm.cli", "-q", "scan",
                     str(folder), "--out", str(site)], cfg.limits)
    _fresh(site)
    if not run.ok or not stats_file.is_file():
        return {"flows": flows, "note": f"profiled scan {run.outcome}: {run.stderr_tail[-300:]}"}
    summary = summarise_profile(stats_file)
    text_file = cfg.out / f"profile-scan-{flows}.txt"
    write_summary(summary, text_file, flows)
    return {"flows": flows, "profiled_wall_s": round(run.wall_s, 2), "stages": summary["stages"],
            "by_library": summary["by_library"], "summary_file": text_file.name, "pstats_file": stats_file.name}
