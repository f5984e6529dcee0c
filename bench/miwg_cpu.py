"""The MIWG import benchmark in CPU seconds, the three contenders interleaved: ``python -m bench.miwg_cpu``.

``bench_miwg`` (``bench/imports.py``) times each contender's repeats one
after another in wall time; on a 2-core machine shared with other sessions
the load changes between them and the ratio moves by 2×.  Here each round
runs bare lxml, lxml + networkx (the floor) and ours (reader + one NetworkX
graph per process) back to back and counts the process's CPU time, so the
ratio is taken from the same moments.  Prints one JSON line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import suppress

from bench.child import import_ours
from bench.floors import bare_graph, parse
from bench.imports import miwg_files


def _cpu(action: Callable[[], None]) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def main(rounds: int = 5) -> dict[str, float | int]:
    """Median CPU seconds of each contender over ``rounds`` interleaved rounds, and the ratios."""
    blobs = [(str(p), p.read_bytes()) for p in miwg_files()]

    def ours() -> None:
        for name, blob in blobs:
            with suppress(Exception):
                import_ours(blob, name)

    def floor() -> None:
        for _, blob in blobs:
            with suppress(Exception):
                bare_graph(parse(blob))

    def lxml_only() -> None:
        for _, blob in blobs:
            with suppress(Exception):
                parse(blob)

    ours()  # warm imports and caches once, as in a long-running scan
    times: dict[str, list[float]] = {"parse": [], "floor": [], "ours": []}
    for _ in range(rounds):
        for name, action in (("parse", lxml_only), ("floor", floor), ("ours", ours)):
            times[name].append(_cpu(action))
    median = {name: statistics.median(values) for name, values in times.items()}
    return {
        "files": len(blobs), "rounds": rounds,
        **{f"{name}_cpu_s": round(value, 3) for name, value in median.items()},
        "ratio_to_floor": round(median["ours"] / median["floor"], 2),
        "ratio_to_parse": round(median["ours"] / median["parse"], 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
