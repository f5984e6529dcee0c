"""CPU of ``bpm scan``'s site stage alone, by kind of file (issue 13: the collector and the candidates list).

Runs in process on a pickled site input (made by :mod:`bench.page_cpu` from a synthetic portfolio, so two code
trees measure the same input) and consumes :func:`reports.site.site_files` with ``--jobs`` workers, charging the
CPU (``time.process_time``, plus the reaped workers' ``RUSAGE_CHILDREN``) spent before each file to that file's
kind: the portfolio pages (index, 候補一覧, money…), the flow pages with their SVG, the PNG/PDF sheets, the rest.
Without ``--sheets`` it stops at the first sheet (the pages are all done then).

    PYTHONPATH=. .venv/bin/python -m bench.site_stage 30 --input /tmp/sitegc/in-30.pickle
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import time
from pathlib import Path

from bench.page_cpu import _site_input


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _kind(name: str) -> str:
    if name.startswith("diagrams/") and name.endswith((".png", ".pdf")):
        return "sheets"
    if name.startswith(("flow-", "diagrams/")):
        return "flow pages"
    if name.endswith(".html"):
        return "portfolio pages"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("flows", type=int)
    parser.add_argument("--input", type=Path, required=True, help="pickle of the site input (made if missing)")
    parser.add_argument("--folder", type=Path, help="the portfolio folder (default: bench.page_cpu's)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--sheets", action="store_true", help="print the PNG/PDF sheets too")
    args = parser.parse_args()
    # The downloads were spooled in a folder of the run that made the pickle, gone since: the pages without them.
    site_input = dataclasses.replace(_site_input(args.flows, args.input, args.folder), downloads={},
                                     download_labels={})

    from reports.site import site_files

    spent: dict[str, float] = {}
    start = last = _cpu()
    for name, _data in site_files(site_input, environ={"SOURCE_DATE_EPOCH": "1700000000"}, jobs=args.jobs):
        kind = _kind(name)
        if kind == "sheets" and not args.sheets:
            break
        now = _cpu()
        spent[kind] = spent.get(kind, 0.0) + now - last
        last = now
    spent["total"] = last - start
    spent["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({k: round(v, 2) for k, v in spent.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
