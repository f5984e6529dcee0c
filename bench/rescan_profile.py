"""Where a ``bpm scan``'s CPU goes, stage by stage: run the real command in this process with timers around its
stages (``time.process_time``, this process only: ``-j 1``, so every stage is in it).

The stages are wrapped where they are looked up (a module's global), so the command runs unchanged; a stage's
time includes the stages it calls (``flow pages`` includes ``drawing``, ``flow views`` and their share of
``Jinja + CSP``).  A generator's time cannot be taken this way: the money pages are not listed.
Prints one JSON object: seconds per stage, calls per stage, the whole process's CPU and the imports' share.

    BPM_CACHE_DIR=/tmp/c SOURCE_DATE_EPOCH=1700000000 .venv/bin/python -m bench.rescan_profile FOLDER --out SITE
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

SPENT: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` adding its CPU time to ``label`` (nested calls of the same label counted once)."""
    depth = [0]

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                SPENT[label] += time.process_time() - start
                CALLS[label] += 1

    return wrapper


STAGES: tuple[tuple[str, str, str], ...] = (
    ("bpm.cli", "_gather", "read (read cache)"),
    ("bpm.lint", "lint_files", "lint"),
    ("bpm.cli", "_assess", "assess (flow cache, money stage)"),
    ("scoring.table", "steps_frame", "steps table"),
    ("reports.downloads", "site_downloads", "downloads"),
    ("reports.downloads", "people_tables", "downloads: results CSV+XLSX (ja, en)"),
    ("reports.downloads", "write_assessment_json", "downloads: assessment.json"),
    ("reports.downloads", "annotate_bpmn", "downloads: annotated BPMN"),
    ("reports.site", "_flow_pages", "flow pages (draw + view + render)"),
    ("reports.site", "pictures", "flow pages: drawing"),
    ("reports.site", "flow_page", "flow pages: views"),
    ("reports.site", "_render_page", "every page: Jinja + CSP"),
    ("reports.site", "candidates_page", "candidates view"),
    ("reports.site", "index_page", "index view"),
    ("reports.site", "assumptions_page", "assumptions view"),
    ("reports.site", "_print_sheets", "PNG/PDF sheets (picture cache)"),
    ("reports.page_cache", "quick_digest", "page keys (branch rescan3 only)"),
)


def install() -> None:
    """Wrap every stage of :data:`STAGES` in the module that calls it."""
    import importlib

    for module_name, name, label in STAGES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a stage of another tree
            continue
        setattr(module, name, timed(label, getattr(module, name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    start = time.process_time()
    install()
    imported = time.process_time() - start
    from bpm.cli import main as bpm

    sys.argv = ["bpm", "-q", "scan", args.folder, "--out", args.out, "-j", "1"]  # every stage in this process
    try:
        bpm(standalone_mode=False)
    finally:
        own = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"process_cpu_s": round(own.ru_utime + own.ru_stime, 3), "imports_s": round(imported, 3),
                          "stages_s": {k: round(v, 3) for k, v in SPENT.items()}, "calls": dict(CALLS)},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()
