"""Read BPMN files with one tool and report, per file, whether it read it and how long it took.

Runs in whichever environment has the tool: our ``.venv`` for ``ours`` and
``floor``, ``bench/peers/.venv`` for ``pm4py`` and ``spiff`` (installed by
``bench/peers/setup.sh``; no peer code is kept in this repository).

    python bench/peers/read_files.py --peer pm4py --files FILES.json --out RESULT.json --repeats 3

What "read" means for each tool (the same work: the file parsed into the
tool's process model):

* ``ours``: ``bpm.reader.read_bpmn`` and one NetworkX graph per process;
* ``floor``: lxml parse and a bare ``networkx.DiGraph`` per process;
* ``pm4py``: ``pm4py.read_bpmn`` (its BPMN graph object);
* ``spiff``: SpiffWorkflow's ``BpmnParser``, ``add_bpmn_file`` and ``get_spec``
  of every process in the file, executable or not (``get_process_ids`` alone
  would skip non-executable ones, which is most models drawn for manuals).

A file counts as read when the call returns without an exception and gives at
least one process or node.  Each file is read ``--repeats`` times (the median wall and CPU seconds
are reported); a file taking longer than ``--file-limit`` seconds is stopped and
counted as not read.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout


def reader(peer: str) -> tuple[Callable[[str], int], str]:
    """The read function of ``peer`` (returns how many nodes or processes it built) and the tool's version."""
    from importlib.metadata import version

    if peer == "ours":
        from bpm.graph import process_graph
        from bpm.reader import read_bpmn

        def ours(path: str) -> int:
            definitions = read_bpmn(path, max_bytes=1 << 30)
            return sum(process_graph(definitions, pid).number_of_nodes() for pid in definitions.processes)

        return ours, version("bpm-rpa-scanner")
    if peer == "floor":
        sys.path.insert(0, str(REPO))
        from bench.floors import bare_graph, parse

        def floor(path: str) -> int:
            return sum(g.number_of_nodes() for g in bare_graph(parse(Path(path).read_bytes())))

        return floor, "lxml " + version("lxml") + ", networkx " + version("networkx")
    if peer == "pm4py":
        import pm4py  # type: ignore[import-not-found]

        def pm4py_read(path: str) -> int:
            return len(pm4py.read_bpmn(path).get_nodes())

        return pm4py_read, version("pm4py")
    if peer == "spiff":
        from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser  # type: ignore[import-not-found]

        def spiff(path: str) -> int:
            parser = BpmnParser()
            parser.add_bpmn_file(path)
            specs = [parser.get_spec(pid) for pid in list(parser.process_parsers)]
            return sum(len(spec.task_specs) for spec in specs if spec is not None)

        return spiff, version("SpiffWorkflow")
    raise SystemExit(f"unknown peer {peer!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--peer", required=True, choices=("ours", "floor", "pm4py", "spiff"))
    parser.add_argument("--files", type=Path, required=True, help="JSON list of paths")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--file-limit", type=int, default=120, help="seconds per file and repeat")
    args = parser.parse_args(argv)
    files: list[str] = json.loads(args.files.read_text(encoding="utf-8"))
    read, version = reader(args.peer)
    signal.signal(signal.SIGALRM, _on_alarm)
    results: dict[str, dict[str, Any]] = {}
    if files:  # warm up: first-call imports and caches are not part of reading a file
        signal.alarm(args.file_limit)
        try:
            read(files[0])
        except Exception:
            pass
        finally:
            signal.alarm(0)
    for path in files:
        times: list[float] = []
        cpu_times: list[float] = []
        entry: dict[str, Any] = {"ok": False}
        for _ in range(max(1, args.repeats)):
            signal.alarm(args.file_limit)
            start, cpu_start = time.perf_counter(), time.process_time()
            try:
                count = read(path)
            except _Timeout:
                entry = {"ok": False, "error": f"over {args.file_limit} s"}
                break
            except Exception as error:  # a peer's refusal is a result, whatever its type
                entry = {"ok": False, "error": f"{type(error).__name__}: {str(error)[:160]}"}
                break
            finally:
                signal.alarm(0)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
            entry = {"ok": count > 0, "nodes": count, **({} if count > 0 else {"error": "nothing read"})}
        if times and entry.get("ok"):
            entry["seconds"] = statistics.median(times)
            entry["cpu_seconds"] = statistics.median(cpu_times)
        results[path] = entry
    args.out.write_text(json.dumps({"peer": args.peer, "version": version, "files": results}, ensure_ascii=False),
                        encoding="utf-8")


if __name__ == "__main__":
    main()
