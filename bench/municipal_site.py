"""The comparison's own work at national scale, without assessing any flow: grouping, quartiles and every page.

Why separately: ``bpm compare`` spends its time assessing flows (the per-city
work, measured by :mod:`bench.municipal_case`); what grows with the number
of cities *beyond* that is :func:`scoring.compare.compare` and the site
(:func:`reports.compare_site.render_compare`): a heat map of every procedure ×
city, a page per procedure and per city.  This child builds the small
per-flow figures of N synthetic cities × M procedures directly (the same
cities as :mod:`bench.municipal`), then times the comparison and the site in
memory, so 1,741 × 20 runs in seconds and a page that looked cities up
linearly would show as growth faster than N.

The floor (``--floor``) writes the same pages with the least work: one HTML
table per page from the same figures, ``html.escape`` and ``str.join``, no
statistics, no templates.

    python -m bench.municipal_site 1741 20          # prints one JSON line
    python -m bench.municipal_site 1741 20 --floor
    python -m bench.municipal_site 1741 20 --jobs 2  # pages on 2 processes: the parent's CPU apart from theirs

With ``--jobs``, ``parent_cpu_s`` is the serial part left in the parent (the comparison, taking each page in,
the static files) and ``workers_cpu_s`` what the worker processes spent: on ``jobs`` idle cores the site takes
about ``parent_cpu_s + workers_cpu_s / jobs``.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import resource
import sys
import time
from collections import defaultdict

from bench.municipal import CATALOGUE, make_cities
from reports.compare_site import CompareInput, render_compare
from scoring.cities import CityMeta
from scoring.compare import City, FlowFigures, compare


def figures(cities: int, procedures: int, seed: int = 0) -> tuple[dict[str, City], list[FlowFigures]]:
    """Cities and one flow's figures per (city, procedure), deterministic from ``seed`` (illustrative values)."""
    found: dict[str, City] = {}
    flows: list[FlowFigures] = []
    for plan in make_cities(cities, seed):
        key = f"{plan.code}-{plan.kind}{plan.number:04d}"
        meta = CityMeta(plan.name, plan.population, plan.similar_group, plan.fiscal_year, f"{key}/municipality.toml",
                        illustrative=True)
        found[key] = City(key, plan.name, meta, 1920.0, float(plan.staff_yen_per_hour), "bench")
        rng = random.Random(f"site:{seed}:{plan.number}")
        for index in range(procedures):
            procedure = CATALOGUE[index % len(CATALOGUE)]
            code = procedure.code if index < len(CATALOGUE) else f"{procedure.code}-{index // len(CATALOGUE)}"
            cases = max(1.0, round(procedure.per_1000 * plan.population / 1000 * rng.uniform(0.8, 1.25)))
            staff = cases * procedure.tasks * 0.5 * plan.minutes_scale / 60.0
            contractor = staff * plan.outsourced_share
            shares = {"outsourced": contractor, "automated": staff * 0.1, "retained": staff * 0.8,
                      "review": staff * 0.1}
            flows.append(FlowFigures(
                key, f"flows/{code}.bpmn", f"Process_{code}", procedure.name, code, procedure.name, code, "property",
                "procedure property", cases, "survey", staff, contractor, shares, float(procedure.tasks),
                rng.uniform(1.0, 4.0), staff * plan.staff_yen_per_hour, rng.randint(0, 2),
                {"survey": procedure.tasks}, procedure.tasks,
            ))
    return found, flows


def floor_site(cities: dict[str, City], flows: list[FlowFigures]) -> dict[str, bytes]:
    """The same pages as plain tables: the least work that writes the same amount of HTML."""
    by_procedure: dict[str, list[FlowFigures]] = defaultdict(list)
    by_city: dict[str, list[FlowFigures]] = defaultdict(list)
    for flow in flows:
        by_procedure[flow.procedure].append(flow)
        by_city[flow.city].append(flow)

    def page(title: str, rows: list[FlowFigures]) -> bytes:
        cells = "".join(f"<tr><td>{html.escape(cities[f.city].label)}</td><td>{html.escape(f.procedure_ja)}</td>"
                        f"<td>{f.staff_hours * 60 / f.annual_cases:.1f}</td></tr>" for f in rows)
        return f"<!doctype html><title>{html.escape(title)}</title><table>{cells}</table>".encode()

    out = {"index.html": page("index", flows)}
    out.update({f"p-{k}.html": page(k, v) for k, v in by_procedure.items()})
    out.update({f"c-{k}.html": page(k, v) for k, v in by_city.items()})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cities", type=int)
    parser.add_argument("procedures", type=int)
    parser.add_argument("--floor", action="store_true", help="write the floor pages instead")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="processes rendering the pages")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    cities, flows = figures(args.cities, args.procedures, args.seed)
    built = time.perf_counter()
    if args.floor:
        out = floor_site(cities, flows)
        compared = built
    else:
        comparison = compare(cities, flows)
        compared = time.perf_counter()
        out = render_compare(CompareInput(comparison, diagrams="none"), environ={"SOURCE_DATE_EPOCH": "0"},
                             jobs=args.jobs)
    done = time.perf_counter()
    parent, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(json.dumps({"cities": args.cities, "procedures": args.procedures, "flows": len(flows),
                      "figures_s": round(built - start, 3), "compare_s": round(compared - built, 3),
                      "site_s": round(done - compared, 3), "files": len(out),
                      "bytes": sum(len(v) for v in out.values()), "jobs": args.jobs,
                      "parent_cpu_s": round(parent.ru_utime + parent.ru_stime, 3),
                      "workers_cpu_s": round(workers.ru_utime + workers.ru_stime, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
