"""CI smoke test of the benchmark: the smallest size of every benchmark, end to end, without timing assertions.

A benchmark that silently stopped measuring (a renamed option, a changed
output) would only be noticed at the next baseline; this runs
``bench/run.py --smoke`` and checks that every benchmark produced well-formed
figures, that the report renders and that the chart is valid SVG.  No
figure's size is asserted: a timed unit test is not a benchmark.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

# bench/ is not an installed package: the repository root must be importable (no conftest.py here,
# whose module name would clash with tests/conftest.py under --doctest-modules).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.report import SECTIONS, chart, markdown, merge
from bench.run import BENCHMARKS

REPO = Path(__file__).resolve().parents[2]


def _positive(summary: dict[str, Any], what: str) -> None:
    assert summary["outcome"] == "ok", (what, summary)
    for key in ("wall_s", "cpu_s", "peak_rss_mib"):
        assert isinstance(summary[key], float) and summary[key] > 0, (what, key, summary)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("bench")
    command = [sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--work", str(root / "work"),
               "--out", str(root / "out"), "--time-limit", "600", "--memory-limit", "4096"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded: dict[str, Any] = json.loads((root / "out" / "results.json").read_text(encoding="utf-8"))
    loaded["_out"] = root / "out"
    return loaded


@pytest.mark.slow
def test_every_benchmark_ran_and_recorded_the_machine(results: dict[str, Any]) -> None:
    assert set(results["benchmarks"]) == set(BENCHMARKS)
    machine = results["machine"]
    assert machine["nproc"] >= 1 and machine["ram_gib"] > 0 and machine["date"] and "--smoke" in machine["command"]


@pytest.mark.slow
def test_command_benchmarks_measured_ours_and_the_floor(results: dict[str, Any]) -> None:
    b = results["benchmarks"]
    (scan,) = b["scan"]["rows"]
    _positive(scan["scan"], "scan")
    _positive(scan["floor"], "scan floor")
    assert scan["ratio_wall"] > 0 and scan["site_files"] > 1 and scan["site_bytes"] > scan["floor_site_bytes"] > 0
    for name in ("score", "score_by_size"):
        (row,) = b[name]["rows"]
        _positive(row["score"], name)
        _positive(row["floor"], f"{name} floor")
    (pictures,) = b["pictures"]["rows"]
    _positive(pictures["svg"], "svg")
    _positive(pictures["png+pdf"], "png+pdf")
    assert pictures["png_pdf_bytes"] > pictures["svg_bytes"] > 0
    (rescan,) = b["rescan"]["rows"]
    _positive(rescan["first_scan"], "first scan")
    _positive(rescan["rescan"], "re-scan")
    _positive(rescan["rescan_pictures_only"], "re-scan with only the picture cache")


@pytest.mark.slow
def test_import_benchmarks_read_every_file(results: dict[str, Any]) -> None:
    b = results["benchmarks"]
    (size,) = b["import_by_size"]["rows"]
    assert size["nodes"] > size["tasks"] and size["ours_s"] > 0 and size["floor_s"] > 0
    _positive(size["ours_child"], "import child")
    miwg = b["miwg"]
    if miwg["rows"]:
        (row,) = miwg["rows"]
        assert row["read_by_ours"] == row["files"] == 5
        assert row["ours_s"] > 0 and row["floor_s"] > 0 and row["parse_s"] > 0
    sets = {row["set"]: row for row in b["peers"]["rows"]}
    flow = next(row for name, row in sets.items() if name.startswith("flow-"))
    assert flow["ours_read"] == 1 and flow["floor"]["read"] == 1
    for tool in ("pm4py", "spiff"):  # installed by bench/peers/setup.sh; reported either way
        assert "read" in flow[tool] or "not installed" in flow[tool]["note"]


@pytest.mark.slow
def test_profile_found_the_stages_and_municipalities_were_generated(results: dict[str, Any]) -> None:
    profile = results["benchmarks"]["profile"]
    assert (results["_out"] / profile["summary_file"]).is_file()
    found = {row["stage"].strip(): row["seconds"] for row in profile["stages"]}
    assert found["site (everything below)"] and found["score (assess)"]
    (row,) = results["benchmarks"]["municipalities"]["rows"]
    assert row["flows"] == row["cities"] * row["procedures"] and row["files"] > row["flows"]
    _positive(row["score_all"], "municipal score")
    assert "not available" in row["compare"].get("note", "") or row["compare"]["outcome"] == "ok"


@pytest.mark.slow
def test_report_renders_every_section_and_a_valid_chart(results: dict[str, Any]) -> None:
    merged = merge([results])
    text = markdown(merged)
    for key, title, _ in SECTIONS:
        assert title in text, key
    assert "| 1 |" in text
    svg = etree.fromstring(chart(merged).encode("utf-8"))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(svg.findall(".//{http://www.w3.org/2000/svg}polyline")) >= 3


@pytest.mark.slow
def test_the_rasterisers_were_compared_on_the_same_pictures(results: dict[str, Any]) -> None:
    rows = {row["engine"]: row for row in results["benchmarks"]["rasterisers"]["rows"]}
    for fmt in ("PNG", "PDF"):
        cairo = rows[f"CairoSVG {fmt} sheet"]
        assert cairo["pictures"] >= 1 and cairo["cpu_s"] > 0 and cairo["bytes"] > 0
        assert cairo["ratio_to_cairosvg"] == 1.0
    others = ("resvg (resvg-py) PNG sheet", "rsvg-convert (librsvg) PNG sheet", "rsvg-convert (librsvg) PDF sheet")
    for engine in others:
        assert rows[engine].get("cpu_s", 0) > 0 or "not installed" in rows[engine]["note"]
