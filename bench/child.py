"""Work measured inside a child process: import one file with ours or with the floor, repeatedly.

    python bench/child.py ours FILE --repeats 3     # prints {"times": [...], "nodes": N} as JSON

Run as a child so its peak memory is its own (``bench/measure.py``); the
times printed are the import alone, without interpreter start-up.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def import_ours(data: bytes, name: str) -> int:
    """Our reader and one NetworkX graph per process (what every command starts with); returns the node count."""
    from bpm.graph import process_graph
    from bpm.reader import read_bpmn_bytes

    definitions = read_bpmn_bytes(data, name, max_bytes=len(data) + 1)
    return sum(process_graph(definitions, pid).number_of_nodes() for pid in definitions.processes)


def import_floor(data: bytes, name: str) -> int:
    """lxml parse and a bare DiGraph per process (bench/floors.py)."""
    from bench.floors import bare_graph, parse

    return sum(g.number_of_nodes() for g in bare_graph(parse(data)))


def parse_only(data: bytes, name: str) -> int:
    from bench.floors import parse

    return len(parse(data))


WORK = {"ours": import_ours, "floor": import_floor, "parse": parse_only}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=sorted(WORK))
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0, help="stop repeating after this many seconds")
    args = parser.parse_args(argv)
    data = args.file.read_bytes()
    work = WORK[args.what]
    import networkx  # noqa: F401  (imported before timing: start-up is not import)
    from lxml import etree  # noqa: F401

    if args.what == "ours":
        import bpm.graph
        import bpm.reader  # noqa: F401
    times: list[float] = []
    nodes = 0
    for _ in range(max(1, args.repeats)):
        start = time.perf_counter()
        nodes = work(data, str(args.file))
        times.append(time.perf_counter() - start)
        if sum(times) > args.budget:
            break
    print(json.dumps({"times": times, "nodes": nodes}))


if __name__ == "__main__":
    main()
