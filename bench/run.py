"""Rerunnable benchmarks: every figure is a ratio against a baseline measured in the same run.

    .venv/bin/python bench/run.py            # default sizes
    .venv/bin/python bench/run.py --quick    # small sizes, for a smoke run

What is measured, and against what:

* **reader**: ``bpm.reader.read_bpmn_bytes`` (hardened parse + model) on
  synthetic flows against a bare ``lxml.etree.fromstring`` of the same bytes,
  so the ratio is the price of hardening and modelling per byte of XML.
* **MIWG import**: reading every MIWG reference file (``../shared/miwg``, when
  present) against bare lxml parsing of the same files, and linting them all
  against reading them.
* **visits**: ``bpm.visits.expected_visits`` against building the process
  graph it works on (``bpm.graph.process_graph``); the growth of that ratio
  with size shows the cost of the exact (dense) linear solve.

Times are the minimum of several repeats (``time.perf_counter``), the usual
way to filter scheduling noise out of short measurements.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from synthetic import synthetic_flow  # noqa: E402

from bpm.graph import process_graph  # noqa: E402
from bpm.lint import lint  # noqa: E402
from bpm.reader import read_bpmn_bytes  # noqa: E402
from bpm.visits import expected_visits  # noqa: E402

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """Minimum wall time of ``repeats`` runs of ``action``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def bench_reader(sizes: list[int], repeats: int) -> list[str]:
    rows = ["| blocks | nodes | KB | bare lxml ms | read_bpmn ms | ratio |", "|---:|---:|---:|---:|---:|---:|"]
    for blocks in sizes:
        data = synthetic_flow(blocks)
        nodes = len(read_bpmn_bytes(data, "bench.bpmn").processes["Bench"].nodes)
        bare = best_of(repeats, partial(etree.fromstring, data, _PARSER))
        ours = best_of(repeats, partial(read_bpmn_bytes, data, "bench.bpmn"))
        rows.append(f"| {blocks} | {nodes} | {len(data) / 1024:.0f} | {bare * 1e3:.2f} | {ours * 1e3:.2f} "
                    f"| {ours / bare:.1f}× |")
    return rows


def bench_miwg(repeats: int) -> list[str]:
    folder = HERE.parent.parent / "shared" / "miwg"
    files = sorted(p for p in folder.rglob("*.bpmn") if p.is_file()) if folder.is_dir() else []
    if not files:
        return [f"(no MIWG files under {folder}; skipped)"]
    blobs = [p.read_bytes() for p in files]

    def bare() -> None:
        for blob in blobs:
            with suppress(etree.XMLSyntaxError):
                etree.fromstring(blob, _PARSER)

    def ours() -> None:
        for path, blob in zip(files, blobs, strict=True):
            with suppress(Exception):  # refused files cost their refusal; the reader tests check the messages
                read_bpmn_bytes(blob, str(path))

    bare_time, our_time = best_of(repeats, bare), best_of(repeats, ours)
    models = []
    for path, blob in zip(files, blobs, strict=True):
        with suppress(Exception):
            models.append(read_bpmn_bytes(blob, str(path)))
    lint_time = best_of(repeats, lambda: [lint(m) for m in models])
    return [
        "| files | MB | bare lxml s | read_bpmn s | ratio | lint s | lint ÷ read |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {len(files)} | {sum(map(len, blobs)) / 2**20:.1f} | {bare_time:.3f} | {our_time:.3f} "
        f"| {our_time / bare_time:.1f}× | {lint_time:.3f} | {lint_time / our_time:.1f}× |",
    ]


def bench_visits(sizes: list[int], repeats: int) -> list[str]:
    rows = ["| blocks | nodes | graph ms | visits ms | visits ÷ graph |", "|---:|---:|---:|---:|---:|"]
    for blocks in sizes:
        definitions = read_bpmn_bytes(synthetic_flow(blocks), "bench.bpmn")
        nodes = len(definitions.processes["Bench"].nodes)
        graph_time = best_of(repeats, partial(process_graph, definitions, "Bench"))
        visit_time = best_of(repeats, partial(expected_visits, definitions, "Bench"))
        rows.append(f"| {blocks} | {nodes} | {graph_time * 1e3:.2f} | {visit_time * 1e3:.2f} "
                    f"| {visit_time / graph_time:.1f}× |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and fewer repeats")
    args = parser.parse_args()
    sizes = [10, 40] if args.quick else [25, 50, 100, 200, 400]
    repeats = 2 if args.quick else 5
    print("## reader: read_bpmn vs bare lxml parse (same bytes)\n")
    print("\n".join(bench_reader(sizes, repeats)))
    print("\n## MIWG reference files: read_bpmn vs bare lxml parse\n")
    print("\n".join(bench_miwg(max(1, repeats // 2))))
    print("\n## visits: exact expected visits vs building the graph\n")
    print("\n".join(bench_visits(sizes, repeats)))


if __name__ == "__main__":
    main()
