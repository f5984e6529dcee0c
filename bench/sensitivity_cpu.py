"""Money-stage CPU, base tree against this one, split by sensitivity and break-evens (branch sens5, issue 13).

Runs :mod:`bench.money_stage` ``run`` on one capture for each size, alternating the two trees, and prints the
median CPU-s of the stage and of its parts and whether the outcome digests agree (equal digests: identical
results)::

    .venv/bin/python -m bench.money_stage capture bench/work/p300 300 /tmp/steps300.pkl
    git archive 29cfc8c | tar -x -C /tmp/base-sens5
    .venv/bin/python -m bench.sensitivity_cpu /tmp/steps300.pkl /tmp/base-sens5 --sizes 20 100 --repeats 3
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

_PART = re.compile(r"(money_stage|choose_wait|cost_gate|sensitivity|break_evens) ([0-9.]+)")
_DIGEST = re.compile(r"digest ([0-9a-f]+)")
_PEAK = re.compile(r"peak ([0-9]+) MiB")


def _run(script: Path, tree: Path, capture: Path, flows: int) -> tuple[dict[str, float], str, int]:
    """One ``money_stage run`` in a child with ``tree`` first on the path, from a folder holding no tree."""
    done = subprocess.run([sys.executable, str(script), "run", str(capture), str(flows)], check=True,
                          capture_output=True, text=True, cwd="/", env={"PYTHONPATH": str(tree), "PATH": "/usr/bin"})
    line = done.stdout.strip().splitlines()[-1]
    parts = {name: float(value) for name, value in _PART.findall(line)}
    digest = _DIGEST.search(line)
    peak = _PEAK.search(line)
    return parts, digest.group(1) if digest else "?", int(peak.group(1)) if peak else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture", type=Path)
    parser.add_argument("base", type=Path, help="the base commit's tree (git archive)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    script = here / "bench" / "money_stage.py"
    trees = {"base": args.base.resolve(), "new": here}
    for flows in args.sizes:
        spent: dict[tuple[str, str], list[float]] = defaultdict(list)
        digests: dict[str, set[str]] = defaultdict(set)
        peaks: dict[str, list[int]] = defaultdict(list)
        for _ in range(args.repeats):
            for name, tree in trees.items():
                parts, digest, peak = _run(script, tree, args.capture, flows)
                for part, seconds in parts.items():
                    spent[(name, part)].append(seconds)
                digests[name].add(digest)
                peaks[name].append(peak)
        for name in trees:
            row = ", ".join(f"{part} {statistics.median(spent[(name, part)]):.2f}"
                            for part in ("money_stage", "cost_gate", "sensitivity", "break_evens"))
            print(f"flows {flows} {name}: median of {args.repeats} CPU-s {row}; peak {max(peaks[name])} MiB; "
                  f"digest {','.join(sorted(digests[name]))}")
        print(f"flows {flows} identical outcome: {digests['base'] == digests['new'] and len(digests['new']) == 1}")


if __name__ == "__main__":
    main()
