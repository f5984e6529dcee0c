"""CPU and memory of the site's downloads (issue 13): results tables, assessment JSON, annotated BPMN.

The downloads are made from the assessment after scoring, so the benchmark scores a synthetic portfolio
(:mod:`bench.portfolio`) once, keeps what the downloads need (the models' bytes, the assessment, the step
table) in a pickle under ``--work``, and then makes the downloads in child processes, alternating the trees
being compared (``--base`` is a ``git archive`` of the code to compare against; each child runs with its tree
as working directory, so Python imports that tree's code).  Each child reports the CPU time of each part
(process time with the pool workers it waited for; the machine is shared, wall clock is noisy) and its peak
memory: ``site_downloads`` as a whole runs first, so the peak it adds over the loaded inputs is its own.

    .venv/bin/python -m bench.downloads 20 100 --base /tmp/base --repeats 3

The last repeat of each tree writes its files to ``--work``/downloads-N-<tree>/ and the parent says which
files are byte-identical between the trees and, for the workbooks, whether every cell (value, type, number
format) is equal when read back with openpyxl.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

_CHILD = r"""
import inspect, json, os, pickle, resource, sys, time
sys.path.insert(0, os.getcwd())


def cpu_s():
    # this process and the pool workers it has waited for (annotated copies are made on the pool)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


from reports.annotate import annotate_bpmn
from reports.downloads import site_downloads
from reports.export import assessment_json
from reports.export_table import table_bytes

source, out, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(source, "rb") as handle:
    models, assessment, frame = pickle.load(handle)
loaded_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
parts = {
    "results.csv": lambda: table_bytes(frame, "csv", assessment=assessment),
    "results.xlsx": lambda: table_bytes(frame, "xlsx", assessment=assessment),
    "results.json": lambda: table_bytes(frame, "json", assessment=assessment),
    "results-en.csv": lambda: table_bytes(frame, "csv", lang="en", assessment=assessment),
    "results-en.xlsx": lambda: table_bytes(frame, "xlsx", lang="en", assessment=assessment),
    "assessment.json": lambda: assessment_json(assessment).encode("utf-8"),
    "annotated BPMN": lambda: [annotate_bpmn(m.data, assessment, file=m.file) for m in models],
}
cpu = {}
before_all_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # site_downloads first: its peak is its own
start = cpu_s()
options = {"jobs": jobs} if "jobs" in inspect.signature(site_downloads).parameters else {}
made = site_downloads(models, assessment, frame, **options)
cpu["site_downloads (all)"] = cpu_s() - start
held_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for name, make in parts.items():
    start = cpu_s()
    make()
    cpu[name] = cpu_s() - start
if out:
    os.makedirs(out, exist_ok=True)
    for name, data in made.files.items():
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)
print(json.dumps({"cpu": cpu, "loaded_kib": loaded_kib, "before_all_kib": before_all_kib, "after_all_kib": held_kib,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def prepare(flows: int, work: Path, jobs: int) -> Path:
    """Score a portfolio of ``flows`` and pickle (models, assessment, step table); reused when present."""
    target = work / f"downloads-{flows}.pickle"
    if target.is_file():
        return target
    from bench.portfolio import PortfolioSpec, write_portfolio
    from bpm.pool import limit_blas_threads
    from bpm.reader import read_bpmn
    from reports.downloads import ModelSource
    from scoring.assess import assess
    from scoring.profile import load_profile
    from scoring.survey import load_survey
    from scoring.table import steps_frame

    limit_blas_threads()
    folder = write_portfolio(work / f"portfolio-{flows}", PortfolioSpec(flows=flows))
    paths = sorted(folder.glob("*.bpmn"))
    definitions = [read_bpmn(path) for path in paths]
    assessment = assess(definitions, survey=load_survey(folder / "survey.csv"), profile=load_profile(None),
                        jobs=jobs)
    models = [ModelSource(path.name, d.file, path.read_bytes()) for path, d in zip(paths, definitions, strict=True)]
    with open(target, "wb") as handle:
        pickle.dump((models, assessment, steps_frame(assessment)), handle, protocol=pickle.HIGHEST_PROTOCOL)
    return target


def run_child(tree: Path, source: Path, out: Path | None, jobs: int = 1) -> dict[str, Any]:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", OPENBLAS_NUM_THREADS="1", BPM_CACHE_DIR="off")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(source), str(out or ""), str(jobs)], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _cells(path: Path) -> list[tuple[str, list[list[tuple[object, str, str]]]]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [(sheet.title, [[(c.value, c.data_type if c.value is not None else "", c.number_format)
                            for c in row] for row in sheet.iter_rows()])
            for sheet in book.worksheets]


def compare(base: Path, ours: Path) -> dict[str, str]:
    """Each file: ``same bytes``, ``same cells`` (workbooks read back equal) or ``DIFFERENT``."""
    verdict = {}
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        name = str(path.relative_to(base))
        other = ours / name
        if not other.is_file():
            verdict[name] = "MISSING"
        elif path.read_bytes() == other.read_bytes():
            verdict[name] = "same bytes"
        elif name.endswith(".xlsx") and _cells(path) == _cells(other):
            verdict[name] = "same cells"
        else:
            verdict[name] = "DIFFERENT"
    return verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("flows", type=int, nargs="+")
    parser.add_argument("--base", type=Path, required=True, help="the tree to compare against (git archive)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2,
                        help="jobs for scoring the portfolio once, and for site_downloads where it takes them")
    parser.add_argument("--work", type=Path, default=Path("bench/work"))
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "ours": Path.cwd().resolve()}
    report: dict[str, Any] = {"load_start": os.getloadavg()}
    for flows in args.flows:
        source = prepare(flows, args.work, args.jobs).resolve()
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
        for repeat in range(args.repeats):
            for name, tree in trees.items():
                last = repeat == args.repeats - 1
                out = (args.work / f"downloads-{flows}-{name}").resolve() if last else None
                runs[name].append(run_child(tree, source, out, args.jobs))
        medians = {name: {part: statistics.median(r["cpu"][part] for r in results) for part in results[0]["cpu"]}
                   for name, results in runs.items()}
        whole = "site_downloads (all)"
        report[str(flows)] = {
            "cpu_s_median": {name: {k: round(v, 3) for k, v in m.items()} for name, m in medians.items()},
            "ratio_base_over_ours": {part: round(medians["base"][part] / max(medians["ours"][part], 1e-9), 2)
                                     for part in medians["base"]},
            "peak_mib_over_loaded": {name: round(statistics.median((r["peak_kib"] - r["loaded_kib"]) / 1024
                                                                   for r in results), 1)
                                     for name, results in runs.items()},
            "site_downloads_peak_mib_over_before": {
                name: round(statistics.median((r["after_all_kib"] - r["before_all_kib"]) / 1024 for r in results), 1)
                for name, results in runs.items()},
            "whole_runs_cpu_s": {name: [round(r["cpu"][whole], 2) for r in results] for name, results in runs.items()},
            "files": compare(args.work / f"downloads-{flows}-base", args.work / f"downloads-{flows}-ours"),
            "pickle_sha256": hashlib.sha256(source.read_bytes()).hexdigest()[:12],
        }
    report["load_end"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
