"""Benchmarks of the ``bpm`` commands as a user runs them: scan, score, render, re-scan.

Each size runs ``bpm`` as a child process (start-up included) and a floor on
the same files in the same run (``bench/floors.py``); the ratio is the figure
to compare across machines and days.  Sizes are time-boxed: a size whose time
or memory, extrapolated from the smaller sizes (at least linearly), would pass
the limits is skipped with a note, and a run that passes them is killed and
reported.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bench.config import HERE, Config
from bench.measure import Run, Summary, fit_slope, folder_size, predicted_over, repeat, run_child, summarise
from bench.portfolio import PortfolioSpec, revise_flow, write_portfolio

FLOORS = str(HERE / "floors.py")

Row = dict[str, Any]


def portfolio(cfg: Config, flows: int, tasks: int | None = None) -> Path:
    """The (cached) portfolio of ``flows`` synthetic flows."""
    spec = PortfolioSpec(flows=flows, tasks=tasks or cfg.sizes.tasks_per_flow, seed=cfg.seed)
    return write_portfolio(cfg.work / f"portfolio-{flows}x{spec.tasks}-s{cfg.seed}", spec)


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    return folder


def _measure(cfg: Config, argv: Sequence[str], before: Callable[[], object] | None = None,
             *, cold_cache: bool = False) -> Summary:
    def once() -> Run:
        if before is not None:
            before()
        return run_child(argv, cfg.limits, env=_cache_env(cfg, fresh=True) if cold_cache else None)

    return repeat(once, cfg.repeats, cfg.repeat_budget_s)


def _cache_env(cfg: Config, *, fresh: bool) -> dict[str, str]:
    """The environment of a ``bpm`` run with its own picture cache (``reports/pictures_cache.py``): empty for
    a first scan (every PNG/PDF printed, as on a new PC), kept for a re-scan."""
    cache = cfg.work / "picture-cache"
    if fresh:
        _fresh(cache)
    return {**os.environ, "BPM_CACHE_DIR": str(cache)}


def ratio(ours: Summary, floor: Summary, key: str = "wall_s") -> float | None:
    """ours ÷ floor for one field, when both ran."""
    a, b = getattr(ours, key), getattr(floor, key)
    return round(a / b, 2) if a is not None and b else None


class Growth:
    """Measured points of one series, to skip sizes that would pass the limits."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.time: list[tuple[float, float]] = []
        self.memory: list[tuple[float, float]] = []
        self.failed = ""

    def skip_reason(self, size: float) -> str | None:
        if self.failed:
            return f"skipped: a smaller size already {self.failed}"
        seconds = predicted_over(self.time, size, self.cfg.limits.time_s)
        if seconds is not None:
            return f"skipped: predicted {seconds:,.0f} s > time limit {self.cfg.limits.time_s:,.0f} s"
        mib = predicted_over(self.memory, size, self.cfg.limits.rss_mib)
        if mib is not None:
            return f"skipped: predicted {mib:,.0f} MiB > memory limit {self.cfg.limits.rss_mib:,.0f} MiB"
        return None

    def add(self, size: float, summary: Summary) -> None:
        if summary.outcome != "ok":
            self.failed = {"timeout": "passed the time limit", "memory": "passed the memory limit"}.get(
                summary.outcome, "failed")
            return
        assert summary.wall_s is not None and summary.peak_rss_mib is not None
        self.time.append((size, summary.wall_s))
        self.memory.append((size, summary.peak_rss_mib))

    def slopes(self) -> dict[str, float | None]:
        return {"wall": _round(fit_slope(self.time)), "peak_rss": _round(fit_slope(self.memory))}


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def bench_scan(cfg: Config) -> dict[str, Any]:
    """``bpm scan`` of N flows vs the floor site (lxml + one HTML page with an SVG per flow)."""
    rows: list[Row] = []
    growth = Growth(cfg)
    for flows in cfg.sizes.scan_flows:
        reason = growth.skip_reason(flows)
        if reason:
            rows.append({"flows": flows, "note": reason})
            continue
        folder = portfolio(cfg, flows)
        site, floor_out = cfg.work / f"site-{flows}", cfg.work / f"floor-site-{flows}"
        scan = _measure(cfg, [*cfg.bpm, "scan", str(folder), "--out", str(site)], partial(_fresh, site),
                        cold_cache=True)
        site_bytes, site_files = folder_size(site) if scan.outcome == "ok" else (None, None)
        floor = _measure(cfg, [cfg.python, FLOORS, "site", str(folder), "--out", str(floor_out)],
                         partial(_fresh, floor_out))
        floor_bytes, _ = folder_size(floor_out) if floor.outcome == "ok" else (None, None)
        for leftover in (site, floor_out):
            _fresh(leftover)  # a 1,000-flow site is gigabytes
        growth.add(flows, scan)
        rows.append({
            "flows": flows, "tasks_per_flow": cfg.sizes.tasks_per_flow, "scan": scan.as_dict(),
            "floor": floor.as_dict(), "ratio_wall": ratio(scan, floor), "ratio_cpu": ratio(scan, floor, "cpu_s"),
            "ratio_peak_rss": ratio(scan, floor, "peak_rss_mib"), "site_bytes": site_bytes,
            "site_files": site_files, "floor_site_bytes": floor_bytes,
            "wall_per_flow_s": _round(scan.wall_s / flows, 3) if scan.wall_s else None,
        })
    return {"rows": rows, "slope": growth.slopes()}


def bench_score(cfg: Config) -> dict[str, Any]:
    """``bpm score`` of N flows to CSV vs the floor table (lxml + networkx + one CSV row per node)."""
    rows: list[Row] = []
    growth = Growth(cfg)
    for flows in cfg.sizes.score_flows:
        reason = growth.skip_reason(flows)
        if reason:
            rows.append({"flows": flows, "note": reason})
            continue
        folder = portfolio(cfg, flows)
        out = cfg.work / f"score-{flows}.csv"
        score = _measure(cfg, [*cfg.bpm, "score", str(folder), "--out", str(out)])
        floor = _measure(cfg, [cfg.python, FLOORS, "table", str(folder), "--out", str(cfg.work / "floor-table.csv")])
        growth.add(flows, score)
        rows.append({"flows": flows, "tasks_per_flow": cfg.sizes.tasks_per_flow, "score": score.as_dict(),
                     "floor": floor.as_dict(), "ratio_wall": ratio(score, floor),
                     "ratio_peak_rss": ratio(score, floor, "peak_rss_mib")})
    return {"rows": rows, "slope": growth.slopes()}


def bench_score_by_size(cfg: Config) -> dict[str, Any]:
    """``bpm score`` of one flow of 10 … 100,000 tasks vs the floor table of the same file."""
    rows: list[Row] = []
    growth = Growth(cfg)
    for tasks in cfg.sizes.score_tasks:
        reason = growth.skip_reason(tasks)
        if reason:
            rows.append({"tasks": tasks, "note": reason})
            continue
        folder = portfolio(cfg, 1, tasks)
        score = _measure(cfg, [*cfg.bpm, "--max-size", "1000", "score", str(folder), "--out",
                               str(cfg.work / "score-size.csv")])
        floor = _measure(cfg, [cfg.python, FLOORS, "table", str(folder), "--out", str(cfg.work / "floor-table.csv")])
        growth.add(tasks, score)
        rows.append({"tasks": tasks, "score": score.as_dict(), "floor": floor.as_dict(),
                     "ratio_wall": ratio(score, floor), "ratio_peak_rss": ratio(score, floor, "peak_rss_mib")})
    return {"rows": rows, "slope": growth.slopes()}


def bench_pictures(cfg: Config) -> dict[str, Any]:
    """``bpm render`` of N flows: PNG+PDF (and each alone) vs SVG only, same files, same run."""
    rows: list[Row] = []
    growth = Growth(cfg)
    for flows in cfg.sizes.picture_flows:
        reason = growth.skip_reason(flows * 3)
        if reason:
            rows.append({"flows": flows, "note": reason})
            continue
        folder = portfolio(cfg, flows)
        out = cfg.work / "pictures"
        measured: dict[str, Summary] = {}
        svg_bytes: int | None = None
        png_pdf_bytes: int | None = None
        kinds = [("svg", ["svg"]), ("png+pdf", ["png", "pdf"])]
        if cfg.sizes.picture_each_format:
            kinds[1:1] = [("png", ["png"]), ("pdf", ["pdf"])]
        for label, formats in kinds:
            argv = [*cfg.bpm, "-q", "render", str(folder), "-o", str(out)]
            argv += ["--plain"] if cfg.sizes.picture_plain else []
            for fmt in formats:
                argv += ["-f", fmt]
            measured[label] = _measure(cfg, argv, partial(_fresh, out), cold_cache=True)
            if label == "png+pdf" and measured[label].outcome == "ok":
                png_pdf_bytes = folder_size(out)[0]
            if label == "svg" and measured[label].outcome == "ok":
                svg_bytes = folder_size(out)[0]
        _fresh(out)
        growth.add(flows * 3, measured["png+pdf"])
        svg = measured["svg"]
        rows.append({
            "flows": flows, **{label: s.as_dict() for label, s in measured.items()},
            "ratio_png_pdf_to_svg": ratio(measured["png+pdf"], svg),
            **{f"ratio_{k}_to_svg": ratio(measured[k], svg) for k in ("png", "pdf") if k in measured},
            "svg_bytes": svg_bytes, "png_pdf_bytes": png_pdf_bytes,
        })
    return {"rows": rows}


def bench_rescan(cfg: Config) -> dict[str, Any]:
    """Scan N flows, change one task name in one flow, scan again into the same site: with every cache kept
    (pictures, models read, per-flow scoring: ``bpm/read_cache.py``, ``scoring/flow_cache.py``) and, as the
    baseline in the same run, with only the picture cache kept (the result caches removed before it)."""
    rows: list[Row] = []
    growth = Growth(cfg)
    for flows in cfg.sizes.rescan_flows:
        reason = growth.skip_reason(flows * 3)
        if reason:
            rows.append({"flows": flows, "note": reason})
            continue
        source = portfolio(cfg, flows)
        folder = _fresh(cfg.work / f"rescan-{flows}")
        shutil.copytree(source, folder)
        site = cfg.work / f"rescan-site-{flows}"
        _fresh(site)
        first = run_child([*cfg.bpm, "scan", str(folder), "--out", str(site)], cfg.limits,
                          env=_cache_env(cfg, fresh=True))
        second = pictures_only = None
        if first.ok:
            revise_flow(folder, PortfolioSpec(flows=flows, tasks=cfg.sizes.tasks_per_flow, seed=cfg.seed))
            second = run_child([*cfg.bpm, "scan", str(folder), "--out", str(site)], cfg.limits,
                               env=_cache_env(cfg, fresh=False))
            revise_flow(folder, PortfolioSpec(flows=flows, tasks=cfg.sizes.tasks_per_flow, seed=cfg.seed),
                        revision=2)
            env = _cache_env(cfg, fresh=False)
            for kind in ("reads", "flows"):
                shutil.rmtree(Path(env["BPM_CACHE_DIR"]) / kind, ignore_errors=True)
            pictures_only = run_child([*cfg.bpm, "scan", str(folder), "--out", str(site)], cfg.limits, env=env)
        one = cfg.work / "rescan-floor"
        floor = _measure(cfg, [cfg.python, FLOORS, "site", str(folder / "flow-00001.bpmn"), "--out", str(one)],
                         partial(_fresh, one))
        for leftover in (site, folder, one):
            _fresh(leftover)
        first_s, second_s, baseline_s = _summ(first), _summ(second), _summ(pictures_only)
        growth.add(flows * 3, second_s if second is not None else first_s)
        rows.append({"flows": flows, "first_scan": first_s.as_dict(), "rescan": second_s.as_dict(),
                     "rescan_pictures_only": baseline_s.as_dict(),
                     "floor_one_flow": floor.as_dict(), "ratio_rescan_to_first": ratio(second_s, first_s),
                     "ratio_rescan_cpu_to_pictures_only": ratio(second_s, baseline_s, "cpu_s"),
                     "ratio_rescan_to_floor_one_flow": ratio(second_s, floor)})
    return {"rows": rows}


def _summ(run: Run | None) -> Summary:
    return summarise([run] if run is not None else [])
