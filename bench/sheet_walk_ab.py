"""Print the PNG and PDF sheets of a synthetic portfolio's flows with the code on ``sys.path`` (this branch,
or the base commit's ``git archive`` put first on ``PYTHONPATH``), for an A/B of one-walk printing.

    python bench/sheet_walk_ab.py OUT_DIR FLOWS [PORTFOLIO_DIR]

Writes ``OUT_DIR/<flow>.png`` and ``.pdf`` (epoch-dated, no cache) and prints the CPU seconds
(``resource.getrusage``, this process) spent in ``reports.sheets.sheet_bytes``, PNG then PDF of each flow, as
``bpm render`` and the site's sheet jobs ask for them.  Compare two outputs with ``bench/sheet_walk_compare.py``.
"""

from __future__ import annotations

import json
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    from bench.portfolio import PortfolioSpec, write_portfolio
    from bpm.reader import read_bpmn
    from reports import sheets
    from reports.pictures import pictures

    out, flows = Path(argv[0]), int(argv[1])
    folder = Path(argv[2]) if len(argv) > 2 else Path(f"/tmp/sheet-walk-portfolio-{flows}")
    write_portfolio(folder, PortfolioSpec(flows=flows))
    out.mkdir(parents=True, exist_ok=True)
    layout = sheets.SheetLayout()
    when = datetime(2026, 4, 1, tzinfo=UTC)
    spent = {"png": 0.0, "pdf": 0.0}
    for path in sorted(folder.glob("*.bpmn")):
        for index, picture in enumerate(pictures(read_bpmn(path))):
            block = sheets.sheet_block(picture, version_date=when, source=path.name, legend=True)
            for fmt in ("png", "pdf"):
                start = _cpu()
                data = sheets.sheet_bytes(picture, fmt, block, layout=layout, created=None, cache=None)
                spent[fmt] += _cpu() - start
                (out / f"{path.stem}-{index}.{fmt}").write_bytes(data)
    print(json.dumps({"flows": flows, "png_cpu_s": round(spent["png"], 2), "pdf_cpu_s": round(spent["pdf"], 2),
                      "total_cpu_s": round(spent["png"] + spent["pdf"], 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
