"""CPU of the step tables of ``bpm scan`` (issue 13): the rows of the flow pages and of the lists of steps.

Every step of the portfolio is a row on its flow page and on 候補一覧 (and, when ranked, on the capacity view);
at 1,000 flows that is 50,000 rows per list.  This times, in process and by ``time.process_time``, the view
models of those pages as ``reports/site.py`` builds them (``views.flow_page`` without the diagram, the overview,
候補一覧, the capacity view) and the HTML of the flow pages' step rows (``flow_rows.step_rows``), on the site
input :mod:`bench.page_cpu` pickles.  Run it from the tree whose code is measured (the working directory is
first on ``sys.path``), alternating trees::

    .venv/bin/python -m bench.step_tables --input /tmp/pages-30.pickle
    cd /tmp/base && /work/wt-x/.venv/bin/python -m bench.step_tables --input /tmp/pages-30.pickle

Prints one JSON line: CPU seconds per part and ms per step.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any


def _timed(spent: dict[str, float], name: str, make: Any) -> Any:
    start = time.process_time()
    made = make()
    spent[name] = spent.get(name, 0.0) + time.process_time() - start
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, required=True, help="site input pickled by bench.page_cpu")
    arguments = parser.parse_args()
    sys.path.insert(0, os.getcwd())
    from reports import site, views
    from reports.flow_rows import step_rows

    site_input = pickle.loads(arguments.input.read_bytes())
    catalogue = views.Catalogue(site_input.definitions, site_input.assessment, site_input.findings,
                               site.rule_titles(), site_input.file_keys, site_input.reviews)
    diagram = views.DiagramView(None, "none", None)
    spent: dict[str, float] = {}
    steps = 0
    for process in site_input.assessment.processes:
        page = _timed(spent, "flow page view models", lambda p=process: views.flow_page(catalogue, p, diagram))
        _timed(spent, "flow page step rows (HTML)", lambda page=page: step_rows(page.steps))
        steps += len(page.steps)
    _timed(spent, "overview view model", lambda: views.index_page(catalogue, {}))
    _timed(spent, "candidates view model", lambda: views.candidates_page(catalogue))
    _timed(spent, "capacity view model", lambda: views.capacity_page(catalogue))
    print(json.dumps({"steps": steps, "cpu_s": {k: round(v, 3) for k, v in spent.items()},
                      "cpu_s_all": round(sum(spent.values()), 3),
                      "ms_per_step_all": round(1000 * sum(spent.values()) / max(steps, 1), 3)}))


if __name__ == "__main__":
    main()
