"""Run a command as a child process and measure it: wall time, CPU time, peak memory; enforce limits.

Why a child process: peak memory is only meaningful per process (a Python
process never gives memory back to the OS), and the user runs ``bpm`` as a
command, start-up included.  ``os.wait4`` returns the resource usage of that
one child (CPU of the child and of the grandchildren it waited for, such as
Graphviz, and the largest resident set among them), which is exactly
``resource.getrusage(RUSAGE_CHILDREN)`` restricted to this run.

Limits: a run longer than ``time_limit`` seconds or whose resident memory
(child and descendants, sampled from ``/proc``) passes ``rss_limit_mib`` is
killed with its whole process group and reported as such, never silently
dropped.  The machine is shared, so every figure is the median of repeated
runs and is reported next to a floor measured in the same run.
"""

from __future__ import annotations

import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True, slots=True)
class Run:
    """One measured run of a command."""

    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    returncode: int
    outcome: str
    """``ok``, ``failed`` (non-zero exit), ``timeout`` or ``memory`` (killed at a limit)."""
    stderr_tail: str = ""
    peak_tree_mib: float = 0.0
    """Largest resident memory of the command and all its processes together (sampled from /proc while it
    ran): with ``--jobs N`` the workers' memory adds up, which ``peak_rss_mib`` (one process) does not show."""
    peak_tree_pss_mib: float = 0.0
    """Largest proportional set size of the tree (sampled): each shared page counted once across the tree,
    split between its sharers.  Forked pool workers share the parent's pages, which the resident sum counts
    once per process; this is what the tree takes from the machine (0 where ``smaps_rollup`` is missing)."""
    peak_tree_uss_mib: float = 0.0
    """Largest sum of the processes' private (unshared) memory (sampled): what ending the run would free
    at least."""
    peak_machine_mib: float = 0.0
    """Largest rise of the machine's memory in use (``MemTotal − MemAvailable``) over its value at the start
    (sampled): a cross-check of the tree's PSS read from the whole machine, meaningful on an idle one only."""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-run limits set on the command line."""

    time_s: float = 600.0
    rss_mib: float = 4096.0


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc (empty where /proc is missing)."""
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return found


@dataclass(frozen=True, slots=True)
class TreeMemory:
    """Memory of a process tree at one moment, three ways (MiB)."""

    rss: float
    """Sum of resident sets: a page shared by two processes counts twice."""
    pss: float
    """Sum of proportional sets: a page shared by *n* processes counts 1/*n* in each, so once in all."""
    uss: float
    """Sum of private (unshared) pages."""


def tree_memory(root: int) -> TreeMemory:
    """Resident, proportional and private memory of ``root`` and its descendants now.

    Why not only the resident sum: pool workers are forked, so the modules and data the parent had loaded
    are shared, copy-on-write, with every worker; summing resident sets counts those pages once a process
    and overstates what the run takes from the machine.  ``/proc/PID/smaps_rollup`` (Linux 4.14+) gives the
    proportional size; where it is missing, only the resident size (``statm``) is read and the others stay 0.
    """
    rss = pss = uss = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                fields = dict(_kib_field(line) for line in handle if line.endswith("kB\n"))
            rss += fields.get("Rss", 0)
            pss += fields.get("Pss", 0)
            uss += fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
        except FileNotFoundError:
            try:
                with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                    rss += int(handle.read().split()[1]) * PAGE // 1024
            except (OSError, ValueError, IndexError):
                continue
        except (OSError, ValueError):
            continue
    return TreeMemory(rss / 1024, pss / 1024, uss / 1024)


def machine_in_use_mib() -> float:
    """The machine's memory in use now (``MemTotal − MemAvailable`` of ``/proc/meminfo``; 0 where missing)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            fields = dict(_kib_field(line) for line in handle if line.endswith("kB\n"))
    except (OSError, ValueError):
        return 0.0
    return (fields.get("MemTotal", 0) - fields.get("MemAvailable", 0)) / 1024


def _kib_field(line: str) -> tuple[str, int]:
    """``("Pss", 485)`` from ``"Pss:   485 kB\\n"``."""
    name, _, rest = line.partition(":")
    return name, int(rest.split()[0])


def _tree_so_far(root: int) -> tuple[float, float]:
    """CPU seconds and the largest high-water resident memory (MiB) of the tree so far, before it is killed."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu, peak = 0.0, 0.0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            with open(f"/proc/{pid}/status", encoding="ascii") as handle:
                hwm = next((line.split()[1] for line in handle if line.startswith("VmHWM")), "0")
            peak = max(peak, int(hwm) / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return cpu, peak


LAUNCHER = str(Path(__file__).resolve().with_name("launch.py"))


def run_child(argv: Sequence[str], limits: Limits, *, env: Mapping[str, str] | None = None,
              cwd: Path | None = None, stdout: Path | None = None) -> Run:
    """Run ``argv`` (through ``bench/launch.py``) to completion or to a limit; never raises for its failure."""
    with tempfile.TemporaryFile() as err, open(stdout or os.devnull, "wb") as out, \
            tempfile.NamedTemporaryFile(suffix=".json") as report:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-S", LAUNCHER, report.name, "--", *argv], stdout=out,
                                   stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                                   env=dict(env) if env is not None else None, start_new_session=True)
        outcome, cpu_so_far, peak_so_far, tree_peak, pss_peak, uss_peak = "", 0.0, 0.0, 0.0, 0.0, 0.0
        in_use_before, machine_peak = machine_in_use_mib(), 0.0
        while process.poll() is None:
            machine_peak = max(machine_peak, machine_in_use_mib() - in_use_before)
            elapsed = time.perf_counter() - start
            memory = tree_memory(process.pid)
            tree_now = memory.rss
            tree_peak, pss_peak, uss_peak = max(tree_peak, tree_now), max(pss_peak, memory.pss), max(uss_peak,
                                                                                                  memory.uss)
            if elapsed > limits.time_s:
                outcome = "timeout"
            elif tree_now > limits.rss_mib:
                outcome = "memory"
            if outcome:
                cpu_so_far, peak_so_far = _tree_so_far(process.pid)
                with _suppress():
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                break
            time.sleep(0.05 if elapsed < 2 else 0.2)
        wall = time.perf_counter() - start
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
        measured = json.loads(Path(report.name).read_text(encoding="utf-8") or "{}") if not outcome else {}
    if outcome:  # killed at a limit: what it had used by then (CPU, high-water memory), and where it was
        return Run(wall, cpu_so_far, peak_so_far, process.returncode or -9, outcome, tail, tree_peak, pss_peak,
                   uss_peak, machine_peak)
    if not measured:
        return Run(wall, 0.0, 0.0, process.returncode or -9, "failed", tail)
    code = int(measured["returncode"])
    return Run(measured["wall_s"], measured["cpu_s"], measured["maxrss_kib"] / 1024, code,
               "ok" if code == 0 else "failed", tail, max(tree_peak, measured["maxrss_kib"] / 1024), pss_peak, uss_peak,
               machine_peak)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Summary:
    """Median of repeated runs (or the reason there is none)."""

    runs: int
    wall_s: float | None
    cpu_s: float | None
    peak_rss_mib: float | None
    outcome: str
    note: str = ""
    walls: tuple[float, ...] = ()
    peak_tree_mib: float | None = None
    """Median of the runs' :attr:`Run.peak_tree_mib` (all the command's processes together)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(runs: Sequence[Run]) -> Summary:
    """Medians over the successful runs; when none succeeded, the first failure with what it used until then."""
    good = [r for r in runs if r.ok]
    if not good:
        if not runs:
            return Summary(0, None, None, None, "not run")
        bad = runs[0]
        used = (f"stopped after {bad.wall_s:,.0f} s wall, {bad.cpu_s:,.0f} s CPU, {bad.peak_rss_mib:,.0f} MiB peak; "
                if bad.outcome in ("timeout", "memory") else "")
        last = bad.stderr_tail.strip().splitlines()[-1:] or [""]
        return Summary(len(runs), None, None, None, bad.outcome, f"{used}last output: {last[0][:200]}",
                       tuple(r.wall_s for r in runs))
    return Summary(
        len(good),
        statistics.median(r.wall_s for r in good),
        statistics.median(r.cpu_s for r in good),
        statistics.median(r.peak_rss_mib for r in good),
        "ok",
        walls=tuple(round(r.wall_s, 3) for r in good),
        peak_tree_mib=statistics.median(r.peak_tree_mib for r in good),
    )


def repeat(action: Callable[[], Run], repeats: int, budget_s: float) -> Summary:
    """Run ``action`` up to ``repeats`` times, stopping early once ``budget_s`` is spent or a run fails."""
    runs: list[Run] = []
    spent = 0.0
    for _ in range(max(1, repeats)):
        run = action()
        runs.append(run)
        spent += run.wall_s
        if not run.ok or spent > budget_s:
            break
    return summarise(runs)


def time_in_process(action: Callable[[], object], repeats: int, budget_s: float = 60.0) -> list[float]:
    """Wall times of ``action`` run in this process (for sub-second work where start-up would dominate)."""
    times: list[float] = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
        if sum(times) > budget_s:
            break
    return times


def predicted_over(points: Sequence[tuple[float, float]], size: float, limit: float) -> float | None:
    """Predicted value at ``size`` from the last two measured points (at least linear); None if under ``limit``."""
    if not points:
        return None
    if len(points) == 1:
        x0, y0 = points[0]
        guess = y0 * size / x0
    else:
        (x0, y0), (x1, y1) = points[-2], points[-1]
        slope = max(1.0, _log_slope(x0, y0, x1, y1))
        guess = y1 * (size / x1) ** slope
    return guess if guess > limit else None


def _log_slope(x0: float, y0: float, x1: float, y1: float) -> float:
    if min(x0, y0, x1, y1) <= 0 or x0 == x1:
        return 1.0
    return (math.log(y1) - math.log(y0)) / (math.log(x1) - math.log(x0))


def fit_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of log y against log x: 1 is linear, 2 quadratic (None with fewer than 2 points)."""
    usable = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(usable) < 2:
        return None
    mean_x = sum(x for x, _ in usable) / len(usable)
    mean_y = sum(y for _, y in usable) / len(usable)
    spread = sum((x - mean_x) ** 2 for x, _ in usable)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in usable) / spread


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of files under ``folder``."""
    total, count = 0, 0
    for path in folder.rglob("*"):
        if path.is_file():
            total += path.stat().st_size
            count += 1
    return total, count


@dataclass(frozen=True, slots=True)
class Machine:
    """What the figures were measured on."""

    date: str
    command: str
    nproc: int
    cpu: str
    ram_gib: float
    load_at_start: tuple[float, float, float]
    python: str
    platform: str
    git_commit: str
    packages: dict[str, str] = field(default_factory=dict)


def machine(argv: Sequence[str], repo: Path) -> Machine:
    """The machine, the command line, the date and the versions that matter."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = ""
    with _suppress(), open("/proc/cpuinfo", encoding="utf-8") as handle:
        cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    ram = 0.0
    with _suppress(), open("/proc/meminfo", encoding="utf-8") as handle:
        ram = int(next(line for line in handle if line.startswith("MemTotal")).split()[1]) / 2**20
    commit = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty"], capture_output=True,
                            text=True, check=False).stdout.strip()
    packages = {}
    for name in ("lxml", "networkx", "numpy", "scipy", "pandas", "jinja2", "cairosvg", "openpyxl"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            continue
    return Machine(
        date=datetime.now(tz=UTC).replace(microsecond=0).isoformat(),
        command=" ".join([Path(sys.executable).name, *argv]),
        nproc=os.cpu_count() or 0,
        cpu=cpu,
        ram_gib=round(ram, 1),
        load_at_start=tuple(round(x, 2) for x in os.getloadavg()),  # type: ignore[arg-type]
        python=platform.python_version(),
        platform=platform.platform(),
        git_commit=commit,
        packages=packages,
    )
