"""Time and peak memory of expected visits on large flows, each run in a fresh subprocess.

    .venv/bin/python bench/visits_memory.py            # chains of 1,000 / 10,000 / 100,000 tasks
    .venv/bin/python bench/visits_memory.py --quick    # 1,000 / 10,000

Why subprocesses: peak resident memory (``ru_maxrss``) only ever grows within
a process, so each measurement needs its own.  Why a baseline: absolute
figures depend on the machine; what the solver costs is the ratio against
reading the same file and building the graph it works on (``baseline``),
measured in the same run.  The dense solver this replaced needed n² × 8 bytes
twice over (74.5 GiB at 100,000 tasks); the sparse one should stay within a
small factor of the baseline at every size.

Shapes: a straight chain of tasks (the issue's case), and a chain of
sub-processes (one level each), which also exercises the per-level set-up.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"

_MEASURE = """
import json, resource, sys, time
from bpm.graph import process_graph
from bpm.reader import read_bpmn
from bpm.visits import expected_visits
path, what = sys.argv[1], sys.argv[2]
started = time.perf_counter()
definitions = read_bpmn(path, max_bytes=1 << 30)
if what == "baseline":
    process_graph(definitions, "p", expand_subprocesses=True)
else:
    result = expected_visits(definitions, "p")
    assert abs(result.visits["e"] - 1.0) < 1e-9
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def chain(tasks: int) -> str:
    body = ['<startEvent id="s"/>']
    previous = "s"
    for i in range(tasks):
        body.append(f'<task id="t{i}" name="手順{i}"/>'
                    f'<sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="t{i}"/>')
        previous = f"t{i}"
    body.append(f'<endEvent id="e"/><sequenceFlow id="fe" sourceRef="{previous}" targetRef="e"/>')
    return f'<definitions xmlns="{MODEL}" id="d"><process id="p">{"".join(body)}</process></definitions>'


def subprocesses(count: int) -> str:
    body = ['<startEvent id="s"/>']
    previous = "s"
    for i in range(count):
        body.append(
            f'<subProcess id="sp{i}"><startEvent id="sp{i}s"/><task id="sp{i}t"/><endEvent id="sp{i}e"/>'
            f'<sequenceFlow id="a{i}" sourceRef="sp{i}s" targetRef="sp{i}t"/>'
            f'<sequenceFlow id="b{i}" sourceRef="sp{i}t" targetRef="sp{i}e"/></subProcess>'
            f'<sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="sp{i}"/>'
        )
        previous = f"sp{i}"
    body.append(f'<endEvent id="e"/><sequenceFlow id="fe" sourceRef="{previous}" targetRef="e"/>')
    return f'<definitions xmlns="{MODEL}" id="d"><process id="p">{"".join(body)}</process></definitions>'


def measure(path: Path, what: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path), what], capture_output=True, text=True,
                          check=True, env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
                          cwd=HERE.parent)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes up to 10,000 only")
    args = parser.parse_args()
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    print("| shape | size | file MB | baseline s | baseline MB | visits s | visits MB | time ÷ baseline "
          "| memory ÷ baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        for shape, make, scale in (("chain of tasks", chain, 1), ("chain of sub-processes", subprocesses, 4)):
            for size in sizes:
                count = size // scale
                path = Path(scratch) / f"{shape.split()[-1]}-{count}.bpmn"
                path.write_text(make(count), encoding="utf-8")
                base, visits = measure(path, "baseline"), measure(path, "visits")
                print(f"| {shape} | {count:,} | {path.stat().st_size / 2**20:.1f} | {base['seconds']:.2f} "
                      f"| {base['peak_mb']:.0f} | {visits['seconds']:.2f} | {visits['peak_mb']:.0f} "
                      f"| {visits['seconds'] / base['seconds']:.1f}× | {visits['peak_mb'] / base['peak_mb']:.2f}× |",
                      flush=True)


if __name__ == "__main__":
    main()
