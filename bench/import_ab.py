"""Two readers and the floor on the same files, file by file, in one process: ``python -m bench.import_ab BASE [N]``.

``BASE`` is another tree of this project (``git archive <commit> | tar -x -C BASE``); its ``bpm/reader.py`` is
loaded beside this tree's under another module name (it imports this tree's ``bpm.model``, which only ever gains
classes). Each round reads every MIWG file with the floor (lxml + a bare networkx graph, ``bench/floors.py``), the
base reader and this tree's, in an order rotated each round; ours and the base each add one NetworkX graph per
process, as ``bench/miwg_cpu.py`` does, each with its own tree's ``bpm/graph.py`` (loaded the same way). The least
CPU of each file over the rounds is kept (the load of a shared machine only ever adds) and summed. Per-process
medians moved as much as a change under load: interleaving by file is what makes a 10 % difference visible. Prints
one JSON line; ``--files=OUT.jsonl`` writes the per-file minima; ``--built`` also reads every model's diagrams and
notes (what drawing and ``bpm lint`` pay).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.floors import bare_graph, parse
from bench.imports import miwg_files
from bpm.graph import process_graph
from bpm.reader import read_bpmn_bytes


def load_reader(tree: Path) -> ModuleType:
    """``tree``'s ``bpm/reader.py`` as module ``base_reader``."""
    return _load(tree, "reader")


def load_graph(tree: Path) -> ModuleType:
    """``tree``'s ``bpm/graph.py`` as module ``base_graph``: the graph build is part of what is timed."""
    return _load(tree, "graph")


def _load(tree: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"base_{name}", tree / "bpm" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no bpm/{name}.py under {tree}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"base_{name}"] = module
    spec.loader.exec_module(module)
    return module


def _with_graphs(
    read: Callable[..., Any], built: bool, graph: Callable[..., Any] = process_graph
) -> Callable[[bytes, str], None]:
    def run(data: bytes, name: str) -> None:
        definitions = read(data, name, max_bytes=len(data) + 1)
        for process_id in definitions.processes:
            graph(definitions, process_id)
        if built:  # what a drawing or ``bpm lint`` reads: deferred diagrams are built here
            tuple(definitions.diagrams)
            tuple(definitions.notes)
    return run


def _floor(data: bytes, _name: str) -> None:
    bare_graph(parse(data))


def _cpu(action: Callable[[bytes, str], None], data: bytes, name: str) -> float | None:
    start = time.process_time()
    try:
        action(data, name)
    except Exception:  # a file a contender refuses counts as not read
        return None
    return time.process_time() - start


def main(base: Path, rounds: int = 5, files_out: Path | None = None, built: bool = False) -> dict[str, Any]:
    contenders: dict[str, Callable[[bytes, str], None]] = {
        "floor": _floor,
        "base": _with_graphs(load_reader(base).read_bpmn_bytes, built, load_graph(base).process_graph),
        "new": _with_graphs(read_bpmn_bytes, built),
    }
    blobs = [(str(path), path.read_bytes()) for path in miwg_files()]
    least: dict[str, dict[str, float]] = {name: {} for name in contenders}
    order = list(contenders)
    for round_ in range(rounds + 1):  # round 0 warms imports and caches and is not counted
        order = order[1:] + order[:1]
        for name, blob in blobs:
            for contender in order:
                took = _cpu(contenders[contender], blob, name)
                if round_ and took is not None:
                    least[contender][name] = min(took, least[contender].get(name, took))
    shared = sorted(set.intersection(*(set(times) for times in least.values())))
    total = {contender: sum(times[name] for name in shared) for contender, times in least.items()}
    if files_out is not None:
        with files_out.open("w", encoding="utf-8") as handle:
            for name in shared:
                handle.write(json.dumps({"file": name, **{c: least[c][name] for c in contenders}}) + "\n")
    return {
        "files": len(shared), "rounds": rounds, "diagrams_built": built,
        **{f"{c}_cpu_s": round(t, 3) for c, t in total.items()},
        "base_to_floor": round(total["base"] / total["floor"], 2),
        "new_to_floor": round(total["new"] / total["floor"], 2),
        "new_to_base": round(total["new"] / total["base"], 3),
        "new_ahead_of_base_files": sum(least["new"][n] < least["base"][n] for n in shared),
    }


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = next((Path(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--files=")), None)
    if not arguments:
        raise SystemExit(__doc__)
    print(json.dumps(main(Path(arguments[0]), int(arguments[1]) if len(arguments) > 1 else 5, out,
                          "--built" in sys.argv)))
