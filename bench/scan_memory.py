"""Peak memory of ``bpm scan``'s own process against the number of flows, apart from its pool workers (issue 13).

``bench/run.py --only scan`` reports the largest process (``wait4``'s high-water mark, which counts the forked
workers too) and the sum over the process tree.  Whether the scan *process* grows with the portfolio is a
different question: this driver samples ``VmHWM`` (the kernel's high-water mark of resident memory) of the
``bpm`` process itself and, separately, of each of its child processes, while the scan runs, and reads the CPU
time of the whole tree from ``wait4`` at the end.

    .venv/bin/python -m bench.scan_memory 10 50 100 --base /tmp/base --work /tmp/scan-memory

``--base`` is a ``git archive`` of the code to compare against: each scan runs with its tree as working
directory (Python puts the working directory first on ``sys.path``), so both trees run with this
interpreter; the two trees alternate per size.  The picture cache (``BPM_CACHE_DIR`` under ``--work``) is
warmed by one scan of each portfolio first, so neither tree prints PNG/PDF sheets in the measured runs and
the figures are those of the scan's own work (the flow cache is warm as well: read and per-flow scoring come
from it, as on a re-scan).  ``--cold`` turns the cache off instead (``BPM_CACHE_DIR=off``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.portfolio import PortfolioSpec, write_portfolio

_REPO = Path(__file__).resolve().parent.parent


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except (OSError, ValueError):
        return []


def scan_once(tree: Path, folder: Path, site: Path, env: dict[str, str], jobs: int) -> dict[str, Any]:
    """One ``bpm scan`` run from ``tree``: wall, peak MiB of the scan process and of its largest
    child, sampled every 50 ms (the high-water marks are kept by the kernel, so a sample misses nothing but
    the last 50 ms)."""
    argv = [sys.executable, "-m", "bpm.cli", "scan", str(folder), "--out", str(site), "-j", str(jobs)]
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    tail = _Tail(process.stderr)
    parent_kib = worker_kib = 0
    while process.poll() is None:
        parent_kib = max(parent_kib, _hwm_kib(process.pid))
        for child in _children(process.pid):
            worker_kib = max(worker_kib, _hwm_kib(child))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    err = tail.text()
    return {"wall_s": round(wall, 1),
            "parent_peak_mib": round(parent_kib / 1024, 1), "worker_peak_mib": round(worker_kib / 1024, 1),
            "returncode": process.returncode, "tail": err if process.returncode else ""}


class _Tail:
    """The last bytes of the child's stderr, read on a thread (a full pipe would stop the scan)."""

    def __init__(self, stream: Any) -> None:
        import threading

        self.data = b""
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: Any) -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            self.data = (self.data + chunk)[-2000:]

    def text(self) -> str:
        self.thread.join(timeout=5)
        return self.data.decode("utf-8", "replace")


def _cpu_of_children_since(before: Any) -> float:
    after = os.times()
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--base", type=Path, required=True, help="git archive of the code to compare against")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="no cache at all (BPM_CACHE_DIR=off)")
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "OMP_NUM_THREADS": "1",
           "BPM_CACHE_DIR": "off" if args.cold else str(args.work / "cache")}
    rows = []
    for flows in args.sizes:
        folder = write_portfolio(args.work / f"portfolio-{flows}", PortfolioSpec(flows=flows))
        if not args.cold:
            scan_once(_REPO, folder, args.work / "warm-site", env, args.jobs)
        for name, tree in (("base", args.base.resolve()), ("new", _REPO)):
            before = os.times()
            result = scan_once(tree, folder, args.work / f"site-{name}-{flows}", env, args.jobs)
            result["cpu_s"] = round(_cpu_of_children_since(before), 1)
            row = {"flows": flows, "tree": name, **result}
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.out:
        args.out.write_text(json.dumps({"load_at_end": os.getloadavg(), "rows": rows}, indent=1) + "\n",
                            encoding="utf-8")


if __name__ == "__main__":
    main()
