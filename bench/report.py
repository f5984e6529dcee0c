"""Turn result files into Markdown tables and a log-log chart (SVG, our own code: no plotting dependency).

    .venv/bin/python bench/report.py bench/results/results.json [MORE.json…] --readme bench/README.md

Several result files may be given (e.g. the default run and a separate
1,000-flow scan); rows are merged by size, a later file winning.  With
``--readme`` the part of the README between ``<!-- results:start -->`` and
``<!-- results:end -->`` is replaced, and ``chart.svg`` is written next to
the first result file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import fit_slope

START, END = "<!-- results:start -->", "<!-- results:end -->"
_KEYS = {"scan": "flows", "score": "flows", "score_by_size": "tasks", "pictures": "flows", "rescan": "flows",
         "import_by_size": "tasks", "miwg": "files", "peers": "set", "municipalities": "cities"}


def merge(results: Sequence[dict[str, Any]], folders: Sequence[str] = ()) -> dict[str, Any]:
    """One result set from several: benchmarks' rows merged by size (later files win), machines listed.

    ``folders``: where each result file lies (relative to the README), so that files a benchmark wrote next to
    it (the profile summary) are linked correctly.
    """
    merged: dict[str, Any] = {"machines": [r["machine"] | {"preset": r.get("preset")} for r in results],
                              "benchmarks": {}}
    for index, result in enumerate(results):
        for name, bench in result["benchmarks"].items():
            target = merged["benchmarks"].setdefault(name, {})
            if index < len(folders):
                target["folder"] = folders[index]
            key = _KEYS.get(name)
            if key and "rows" in bench:
                def ident(row: dict[str, Any], key: str = key) -> tuple[str, str]:
                    return str(row.get(key)), str(row.get("tasks_per_flow", ""))

                rows = {ident(row): row for row in target.get("rows", [])}
                for row in bench["rows"]:
                    if "note" in row and ident(row) in rows and "note" not in rows[ident(row)]:
                        continue  # a skipped size never hides a measured one
                    rows[ident(row)] = row
                target.update({k: v for k, v in bench.items() if k != "rows"})
                target["rows"] = sorted(rows.values(), key=partial(_order, key))
            else:
                target.update(bench)
    for name in ("scan", "score", "score_by_size"):
        bench = merged["benchmarks"].get(name)
        if bench:  # slopes over the merged rows
            key = _KEYS[name]
            inner = "score" if name.startswith("score") else "scan"
            wall = [(r[key], r[inner]["wall_s"]) for r in bench["rows"] if r.get(inner, {}).get("wall_s")]
            rss = [(r[key], r[inner]["peak_rss_mib"]) for r in bench["rows"] if r.get(inner, {}).get("peak_rss_mib")]
            bench["slope"] = {"wall": _r(fit_slope(wall)), "peak_rss": _r(fit_slope(rss)),
                              "wall, two largest sizes": _r(fit_slope(sorted(wall)[-2:])),
                              "peak_rss, two largest sizes": _r(fit_slope(sorted(rss)[-2:]))}
    sizes = merged["benchmarks"].get("import_by_size")
    if sizes:
        ours = sorted((r["tasks"], r["ours_s"]) for r in sizes["rows"] if r.get("ours_s"))
        sizes["slope"]["wall, two largest sizes"] = _r(fit_slope(ours[-2:]))
    return merged


def _order(key: str, row: dict[str, Any]) -> tuple[str, Any, Any]:
    return str(type(row.get(key))), row.get(key), row.get("tasks_per_flow", 0)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _s(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f}×" if value < 10 else f"{value:,.0f}×"


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value / 2**20:,.1f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _label(row: dict[str, Any], key: str) -> str:
    """The size of a row; flows of another size than the usual 50 tasks say so."""
    value = row[key]
    text = f"{value:,}" if isinstance(value, int) else str(value)
    tasks = row.get("tasks_per_flow")
    return f"{text} (×{tasks} tasks)" if tasks not in (None, 50) else text


def _note_rows(rows: list[dict[str, Any]], key: str, width: int) -> list[Sequence[str]]:
    return [[_label(row, key), row["note"], *[""] * (width - 2)] for row in rows if "note" in row]


def _inner(row: dict[str, Any], name: str) -> dict[str, Any]:
    value: dict[str, Any] = row.get(name) or {}
    return value


def _cpu_ratio(ours: dict[str, Any], floor: dict[str, Any]) -> str:
    a, b = ours.get("cpu_s"), floor.get("cpu_s")
    return _x(a / b) if a and b else "–"


def _run_cell(summary: dict[str, Any], field: str = "wall_s") -> str:
    if summary.get("outcome", "ok") != "ok":
        return f"**{summary.get('outcome')}**"
    return _s(summary.get(field))


def scan_table(bench: dict[str, Any]) -> list[str]:
    header = ["flows", "scan wall s", "CPU s", "peak MiB", "all processes peak MiB", "site MB", "floor wall s",
              "floor CPU s", "floor peak MiB", "scan ÷ floor (wall)", "scan ÷ floor (CPU)", "CPU s per flow", "runs"]
    rows: list[Sequence[str]] = []
    for row in bench["rows"]:
        if "note" in row:
            continue
        scan, floor = _inner(row, "scan"), _inner(row, "floor")
        per_flow = scan["cpu_s"] / row["flows"] if scan.get("cpu_s") else None
        rows.append([_label(row, "flows"), _run_cell(scan), _run_cell(scan, "cpu_s"), _run_cell(scan, "peak_rss_mib"),
                     _run_cell(scan, "peak_tree_mib") if scan.get("peak_tree_mib") else "–",
                     _mb(row.get("site_bytes")), _run_cell(floor), _run_cell(floor, "cpu_s"),
                     _run_cell(floor, "peak_rss_mib"), _x(row.get("ratio_wall")), _cpu_ratio(scan, floor),
                     _s(per_flow), str(scan.get("runs", ""))])
    rows += _note_rows(bench["rows"], "flows", len(header))
    return _table(header, rows) + _slope_line(bench)


def rasteriser_table(bench: dict[str, Any]) -> list[str]:
    header = ["engine", "version", "pictures", "CPU s", "÷ CairoSVG (same format)", "MB"]
    rows: list[Sequence[str]] = []
    for row in bench.get("rows", []):
        if "note" in row:
            rows.append([row["engine"], "–", "–", "–", "–", row["note"]])
            continue
        rows.append([row["engine"], row["version"], str(row["pictures"]), _s(row["cpu_s"]),
                     _x(row.get("ratio_to_cairosvg")), _mb(row.get("bytes"))])
    note = f"{bench.get('flows')} flows; pixel cap {bench.get('max_png_pixels', 0):,} pixels (reports/printable.py)."
    return [*_table(header, rows), "", note]


def _slope_line(bench: dict[str, Any]) -> list[str]:
    slope = bench.get("slope") or {}
    parts = [f"{name.replace('_', ' ')} {value:.2f}" for name, value in slope.items() if value is not None]
    return ["", "Fitted log-log slope over all sizes (1 = linear, 2 = quadratic; start-up flattens it at small "
            "sizes): " + (", ".join(parts) or "–")]


def score_table(bench: dict[str, Any], key: str) -> list[str]:
    header = [key, "score wall s", "CPU s", "peak MiB", "floor wall s", "floor CPU s", "floor peak MiB",
              "score ÷ floor (wall)", "score ÷ floor (CPU)", "runs"]
    rows: list[Sequence[str]] = []
    for row in bench["rows"]:
        if "note" in row:
            continue
        score, floor = _inner(row, "score"), _inner(row, "floor")
        rows.append([_label(row, key), _run_cell(score), _run_cell(score, "cpu_s"), _run_cell(score, "peak_rss_mib"),
                     _run_cell(floor), _run_cell(floor, "cpu_s"), _run_cell(floor, "peak_rss_mib"),
                     _x(row.get("ratio_wall")), _cpu_ratio(score, floor), str(score.get("runs", ""))])
    rows += _note_rows(bench["rows"], key, len(header))
    return _table(header, rows) + _slope_line(bench)


def import_size_table(bench: dict[str, Any]) -> list[str]:
    header = ["tasks", "flow nodes", "file MB", "ours s", "floor s", "ours ÷ floor", "ours peak MiB",
              "floor peak MiB"]
    rows: list[Sequence[str]] = []
    for row in bench["rows"]:
        if "note" in row:
            continue
        rows.append([f"{row['tasks']:,}", f"{row.get('nodes', 0):,}", _s(row.get("megabytes")),
                     _s(row.get("ours_s"), 3), _s(row.get("floor_s"), 3), _x(row.get("ratio_to_floor")),
                     _run_cell(_inner(row, "ours_child"), "peak_rss_mib"),
                     _run_cell(_inner(row, "floor_child"), "peak_rss_mib")])
    rows += _note_rows(bench["rows"], "tasks", len(header))
    slope = bench.get("slope") or {}
    return [*_table(header, rows), "", "Fitted log-log slope of the import time: ours "
            f"{_s(slope.get('wall'))} (between the two largest sizes {_s(slope.get('wall, two largest sizes'))}), "
            f"floor {_s(slope.get('floor_wall'))}; of ours' peak memory {_s(slope.get('peak_rss'))}"]


def miwg_table(bench: dict[str, Any]) -> list[str]:
    if not bench.get("rows"):
        return [bench.get("note", "not run")]
    header = ["files", "read by ours", "MB", "lxml parse s", "lxml + networkx s", "ours s", "ours ÷ lxml+nx",
              "ours ÷ parse", "lint s", "lint ÷ import"]
    row = bench["rows"][0]
    return _table(header, [[str(row["files"]), str(row["read_by_ours"]), _s(row["megabytes"]), _s(row["parse_s"], 3),
                            _s(row["floor_s"], 3), _s(row["ours_s"], 3), _x(row["ratio_to_floor"]),
                            _x(row["ratio_to_parse"]), _s(row["lint_s"], 3), _x(row["lint_to_import"])]])


def peers_table(bench: dict[str, Any]) -> list[str]:
    header = ["files", "tool", "version", "files read (ours)", "files read (tool)", "both read",
              "ours s (both)", "tool s (both)", "tool ÷ ours", "why the tool refused (files)"]
    rows: list[Sequence[str]] = []
    versions = bench.get("versions", {})
    for row in bench.get("rows", []):
        for tool in ("floor", "pm4py", "spiff"):
            cell = row.get(tool) or {}
            label = {"floor": "lxml + networkx", "pm4py": "pm4py", "spiff": "SpiffWorkflow"}[tool]
            if "read" not in cell:
                rows.append([row["set"], label, str(versions.get(tool, "")), str(row["ours_read"]), "–", "–", "–", "–",
                             "–", cell.get("note", "")])
                continue
            errors = ", ".join(f"{k} {v}" for k, v in cell.get("errors", {}).items())
            rows.append([f"{row['set']} ({row['files']})", label, str(cell.get("version", "")), str(row["ours_read"]),
                         str(cell["read"]), str(cell["both_read"]), _s(cell["ours_s_on_both"], 3),
                         _s(cell["peer_s_on_both"], 3), _x(cell["peer_to_ours"]), errors])
    return _table(header, rows)


def pictures_table(bench: dict[str, Any]) -> list[str]:
    header = ["flows", "SVG s", "PNG s", "PDF s", "PNG+PDF s", "PNG+PDF ÷ SVG", "PNG ÷ SVG", "PDF ÷ SVG",
              "PNG+PDF ÷ SVG (CPU)", "SVG MB", "PNG+PDF MB"]
    rows: list[Sequence[str]] = []
    for row in bench["rows"]:
        if "note" in row:
            continue
        rows.append([f"{row['flows']:,}", *(_run_cell(_inner(row, k)) for k in ("svg", "png", "pdf", "png+pdf")),
                     _x(row.get("ratio_png_pdf_to_svg")), _x(row.get("ratio_png_to_svg")),
                     _x(row.get("ratio_pdf_to_svg")), _cpu_ratio(_inner(row, "png+pdf"), _inner(row, "svg")),
                     _mb(row.get("svg_bytes")), _mb(row.get("png_pdf_bytes"))])
    rows += _note_rows(bench["rows"], "flows", len(header))
    return _table(header, rows)


def rescan_table(bench: dict[str, Any]) -> list[str]:
    header = ["flows", "first scan s", "first scan CPU s", "re-scan s (one flow changed)", "re-scan CPU s",
              "re-scan ÷ first scan", "re-scan CPU s, pictures cached only", "re-scan CPU ÷ pictures only",
              "floor for one flow s", "re-scan ÷ floor (one flow)"]
    rows: list[Sequence[str]] = []
    for row in bench["rows"]:
        if "note" in row:
            continue
        first, again = _inner(row, "first_scan"), _inner(row, "rescan")
        rows.append([f"{row['flows']:,}", _run_cell(first), _run_cell(first, "cpu_s"), _run_cell(again),
                     _run_cell(again, "cpu_s"), _x(row.get("ratio_rescan_to_first")),
                     _run_cell(_inner(row, "rescan_pictures_only"), "cpu_s"),
                     _x(row.get("ratio_rescan_cpu_to_pictures_only")),
                     _run_cell(_inner(row, "floor_one_flow")),
                     _x(row.get("ratio_rescan_to_floor_one_flow"))])
    rows += _note_rows(bench["rows"], "flows", len(header))
    return _table(header, rows)


def profile_table(bench: dict[str, Any]) -> list[str]:
    if "stages" not in bench:
        return [bench.get("note", "not run")]
    rows = [[row["stage"].strip(), "–" if row["seconds"] is None else _s(row["seconds"]),
             "–" if row["share"] is None else f"{row['share']:.0%}", f"`{row['function']}`"]
            for row in bench["stages"]]
    top = [[row["bucket"], _s(row["seconds"]), f"{row['share']:.0%}"] for row in bench["by_library"][:12]]
    where = f"{bench.get('folder', 'results')}/{bench['summary_file']}"
    return [f"cProfile of `bpm scan` on {bench['flows']} flow(s); full summary in `{where}`.", "",
            *_table(["stage", "s (cumulative)", "share", "function"], rows),
            "", "Own time by library (top 12):", "", *_table(["library / module", "s", "share"], top)]


def municipal_table(bench: dict[str, Any]) -> list[str]:
    header = ["cities × procedures", "flows", "generate s", "files MB", "score all wall s", "CPU s", "peak MiB",
              "floor wall s", "score ÷ floor (wall)", "score ÷ floor (CPU)", "bpm compare"]
    rows: list[Sequence[str]] = []
    for row in bench.get("rows", []):
        score, floor = _inner(row, "score_all"), _inner(row, "floor")
        compare = _inner(row, "compare")
        rows.append([f"{row['cities']} × {row['procedures']}", f"{row['flows']:,}", _s(row["generate_s"]),
                     _mb(row.get("bytes")), _run_cell(score), _run_cell(score, "cpu_s"),
                     _run_cell(score, "peak_rss_mib"), _run_cell(floor), _x(row.get("ratio_wall")),
                     _cpu_ratio(score, floor), compare.get("note") or _run_cell(compare)])
    return _table(header, rows)


SECTIONS: tuple[tuple[str, str, Callable[[dict[str, Any]], list[str]]], ...] = (
    ("scan", "`bpm scan` of N flows (50 tasks each, lanes, DI, survey sheet) vs the floor site", scan_table),
    ("score", "`bpm score` of N flows vs the floor table", lambda b: score_table(b, "flows")),
    ("score_by_size", "`bpm score` of one flow of growing size vs the floor table", lambda b: score_table(b, "tasks")),
    ("import_by_size", "Import of one flow of growing size: ours vs lxml + networkx (in a child process)",
     import_size_table),
    ("miwg", "Import of the MIWG reference files (in process, bytes in memory)", miwg_table),
    ("peers", "Peers in their own environment, same files, same run", peers_table),
    ("pictures", "`bpm render`: PNG and PDF vs SVG of the same flows", pictures_table),
    ("rescan", "Re-scan after changing one task name in one flow", rescan_table),
    ("rasterisers", "PNG rasterisers on the same diagrams, same run (CPU seconds, in process)", rasteriser_table),
    ("profile", "Where scan's time goes", profile_table),
    ("municipalities", "Issue 14 portfolios: N cities × M procedures", municipal_table),
)


def failures(bench: dict[str, Any], key: str) -> list[str]:
    """One line per run that did not finish: which, why, and what it had used by then."""
    lines = []
    for row in bench.get("rows", []):
        for name, value in row.items():
            if isinstance(value, dict) and value.get("outcome") not in (None, "ok"):
                lines.append(f"- {_label(row, key) if key in row else ''} {name}: **{value['outcome']}** — "
                             f"{value.get('note', '')}".replace("  ", " "))
    return ["", *lines] if lines else []


def markdown(merged: dict[str, Any]) -> str:
    lines = ["Measured on:", ""]
    for m in merged["machines"]:
        load = m.get("load_at_start")
        lines.append(f"- {m['date']} · `{m['command']}` · {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM · "
                     f"load average at start {load[0] if load else '?'} · commit `{m['git_commit']}` · "
                     f"Python {m['python']}")
    for key, title, render in SECTIONS:
        bench = merged["benchmarks"].get(key)
        if not bench:
            continue
        lines += ["", f"### {title}", ""]
        lines += render(bench)
        lines += failures(bench, _KEYS.get(key, ""))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- chart


def _panel(x0: float, title: str, xlabel: str, series: list[tuple[str, str, list[tuple[float, float]]]],
           ylabel: str) -> list[str]:
    """One log-log panel of 420 × 300 px at ``x0``."""
    points = [p for _, _, pts in series for p in pts if p[0] > 0 and p[1] > 0]
    out = [f'<text x="{x0 + 210}" y="20" text-anchor="middle" font-weight="bold">{escape(title)}</text>']
    if not points:
        return [*out, f'<text x="{x0 + 210}" y="160" text-anchor="middle">no data</text>']
    lx = [math.log10(p[0]) for p in points]
    ly = [math.log10(p[1]) for p in points]
    xmin, xmax = math.floor(min(lx)), math.ceil(max(lx)) or 1
    ymin, ymax = math.floor(min(ly)), math.ceil(max(ly))
    xmax, ymax = max(xmax, xmin + 1), max(ymax, ymin + 1)
    left, top, width, height = x0 + 60, 40, 340, 220

    def px(x: float) -> float:
        return left + (math.log10(x) - xmin) / (xmax - xmin) * width

    def py(y: float) -> float:
        return top + height - (math.log10(y) - ymin) / (ymax - ymin) * height

    out.append(f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#888"/>')
    for e in range(xmin, xmax + 1):
        x = px(10**e)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + height}" stroke="#ddd"/>'
                   f'<text x="{x:.1f}" y="{top + height + 16}" text-anchor="middle">{10**e:,}</text>')
    for e in range(ymin, ymax + 1):
        y = py(10**e)
        label = f"{10**e:g}"
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    out.append(f'<text x="{left + width / 2}" y="{top + height + 34}" text-anchor="middle">{escape(xlabel)}</text>')
    out.append(f'<text x="{x0 + 14}" y="{top + height / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 + 14} {top + height / 2})">{escape(ylabel)}</text>')
    for index, (name, colour, pts) in enumerate(series):
        usable = sorted(p for p in pts if p[0] > 0 and p[1] > 0)
        if not usable:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in usable)
        dash = ' stroke-dasharray="5 4"' if "floor" in name else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>' for x, y in usable]
        slope = fit_slope(usable)
        legend = f"{name} (slope {slope:.2f})" if slope is not None else name
        ly0 = top + 14 + index * 16
        out.append(f'<line x1="{left + 8}" y1="{ly0 - 4}" x2="{left + 28}" y2="{ly0 - 4}" stroke="{colour}" '
                   f'stroke-width="2"{dash}/><text x="{left + 32}" y="{ly0}">{escape(legend)}</text>')
    return out


def chart(merged: dict[str, Any]) -> str:
    """Two log-log panels: time and memory against the number of flows, and against the size of one flow."""
    b = merged["benchmarks"]

    def series(name: str, key: str, inner: str, field: str) -> list[tuple[float, float]]:
        return [(row[key], row[inner][field]) for row in b.get(name, {}).get("rows", [])
                if isinstance(row.get(inner), dict) and row[inner].get(field)]

    left = [("scan wall s", "#1f5fa8", series("scan", "flows", "scan", "wall_s")),
            ("scan floor wall s", "#1f5fa8", series("scan", "flows", "floor", "wall_s")),
            ("scan peak MiB", "#b8452a", series("scan", "flows", "scan", "peak_rss_mib")),
            ("score wall s", "#2f8a3b", series("score", "flows", "score", "wall_s"))]
    imports = [(row["tasks"], row["ours_s"]) for row in b.get("import_by_size", {}).get("rows", [])
               if row.get("ours_s")]
    floors = [(row["tasks"], row["floor_s"]) for row in b.get("import_by_size", {}).get("rows", [])
              if row.get("floor_s")]
    right = [("import s (ours)", "#1f5fa8", imports), ("import floor s", "#1f5fa8", floors),
             ("score wall s", "#2f8a3b", series("score_by_size", "tasks", "score", "wall_s")),
             ("score peak MiB", "#b8452a", series("score_by_size", "tasks", "score", "peak_rss_mib"))]
    body = (_panel(0, "Portfolio: N flows of 50 tasks", "flows", left, "seconds / MiB")
            + _panel(440, "One flow of N tasks", "tasks", right, "seconds / MiB"))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="880" height="320" viewBox="0 0 880 320" '
            'font-family="sans-serif" font-size="11" role="img" aria-label="Benchmark growth, log-log">'
            '<rect width="880" height="320" fill="#fff"/>' + "".join(body) + "</svg>\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--readme", type=Path, help="replace the results part of this README")
    parser.add_argument("--chart", type=Path, help="where to write the chart (default: next to the first file)")
    args = parser.parse_args(argv)
    base = (args.readme or Path.cwd() / "x").resolve().parent
    folders = [os.path.relpath(p.resolve().parent, base) for p in args.results]
    merged = merge([json.loads(p.read_text(encoding="utf-8")) for p in args.results], folders)
    text = markdown(merged)
    chart_path = args.chart or args.results[0].with_name("chart.svg")
    chart_path.write_text(chart(merged), encoding="utf-8")
    if args.readme:
        readme = args.readme.read_text(encoding="utf-8")
        if START not in readme or END not in readme:
            raise SystemExit(f"{args.readme}: no {START} … {END} section to replace")
        head, rest = readme.split(START, 1)
        _, tail = rest.split(END, 1)
        args.readme.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
