"""CPU and bytes of the flow pages of ``bpm scan`` (issue 13: view models and templates per flow).

Runs in process on a synthetic portfolio (:mod:`bench.portfolio`): reads and scores it once (the site input
is kept in a pickle so a second code tree measures the same input), then renders every flow page the way
``reports/site.py`` does with ``--jobs 1`` and no picture cache, timing by stage with ``time.process_time``:
the view model (``views.flow_page``), the template (Jinja), the Content-Security-Policy pass, and the
diagram (SVG drawing).  Reports CPU-ms a flow page and bytes a flow page (HTML only; SVG files apart).

Run it from the tree whose code is measured (Python puts the working directory first on ``sys.path``):

    .venv/bin/python -m bench.page_cpu 20 --input /tmp/pages3-in-20.pickle
    cd /tmp/base && /work/wt-sure/.venv/bin/python -m bench.page_cpu 20 --input /tmp/pages3-in-20.pickle
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import time
from pathlib import Path
from typing import Any

from bench.stage_cpu import StageClock

_CLOCK = StageClock()


def _site_input(flows: int, pickled: Path, folder: Path | None = None) -> Any:
    if pickled.is_file():
        return pickle.loads(pickled.read_bytes())
    import click

    from bench.portfolio import PortfolioSpec, write_portfolio
    from bpm.cli import _site_input as prepare
    from bpm.cli import main as cli

    folder = folder or write_portfolio(Path(f"/tmp/page-cpu-portfolio-{flows}"), PortfolioSpec(flows=flows))
    with click.Context(cli):  # the CLI's progress lines look for their settings in a click context
        site_input = prepare([str(folder)], None, None, (), exclude=Path("/nonexistent-out"), decisions=None,
                             exclude_unsolvable=True, jobs=2)[0]
    pickled.write_bytes(pickle.dumps(site_input))
    return site_input


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("flows", type=int)
    parser.add_argument("--input", type=Path, required=True, help="pickle of the site input (made if missing)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--folder", type=Path, help="these flows instead of a synthetic portfolio (e.g. flows/)")
    parser.add_argument("--dump", type=Path, help="write the pages into this folder (to compare two code trees)")
    arguments = parser.parse_args()
    os.environ["BPM_CACHE_DIR"] = "off"
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    site_input = _site_input(arguments.flows, arguments.input, arguments.folder)

    from reports import csp, site, views
    from reports.i18n import Bilingual  # noqa: F401  (imported so a pickle's classes resolve the same way)
    from reports.pictures_cache import PictureCache

    site.flow_page = _CLOCK.timed("view model", site.flow_page)  # type: ignore[attr-defined]
    site._render_page = _CLOCK.timed("template (Jinja)", site._render_page)  # type: ignore[attr-defined]
    csp.apply_policy = _CLOCK.timed("CSP", csp.apply_policy)  # type: ignore[assignment]
    site._Drawings.view = _CLOCK.timed("diagram (SVG)", site._Drawings.view)  # type: ignore[attr-defined]
    _ = views

    environ = dict(os.environ)
    catalogue = site.Catalogue(site_input.definitions, site_input.assessment, site_input.findings,
                               site.rule_titles(), site_input.file_keys, site_input.reviews)
    generated = site.jst_time(site.build_time(environ))
    site_view = site.site_view(catalogue, None, generated)
    env = site._environment()
    env.globals["history"] = None
    overlays = site.diagram_overlays(site_input.assessment.processes, catalogue.findings)
    job = site._FlowJob(catalogue, site_view, env, overlays, site.build_time(environ), site_input.file_keys,
                        PictureCache.from_environment(environ), site_input.file_dates)
    groups = site._flow_groups(catalogue, site_input.assessment.processes, set())
    start = time.process_time()
    page_bytes = svg_bytes = pages = 0
    for item in enumerate(groups):
        done = site._flow_pages(job, item)
        pages += len(done.pages)
        if arguments.dump:
            arguments.dump.mkdir(parents=True, exist_ok=True)
            for name, content in done.pages.items():
                (arguments.dump / name).write_bytes(content)
        page_bytes += sum(len(b) for b in done.pages.values())
        svg_bytes += sum(len(b) for b in done.files.values())
    total = time.process_time() - start
    figures = {
        "flows": arguments.flows,
        "pages": pages,
        "cpu_ms_per_page_all": 1000 * total / pages,
        "cpu_ms_per_page_without_svg": 1000 * (total - _CLOCK.spent["diagram (SVG)"]) / pages,
        **{f"cpu_ms_per_page[{k}]": 1000 * v / pages for k, v in sorted(_CLOCK.spent.items())},
        "html_bytes_per_page": page_bytes / pages,
        "svg_bytes_per_page": svg_bytes / pages,
    }
    for key, value in figures.items():
        print(f"{key:40} {value:,.1f}" if isinstance(value, float) else f"{key:40} {value}")
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
