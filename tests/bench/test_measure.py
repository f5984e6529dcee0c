"""bench/measure.py: the memory of a process tree, counted so that pages shared by forked workers count once."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.measure import Limits, machine_in_use_mib, run_child, tree_memory

_SHARING = """
import os, sys, time
block = bytearray(os.urandom(1 << 20) * {mib})  # private to this process until it forks
child = os.fork()
if child == 0:
    time.sleep({sleep})
    os._exit(0)
print("ready", flush=True)
time.sleep({sleep})
os.waitpid(child, 0)
"""

pytestmark = pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs /proc smaps_rollup")


def _start(mib: int, sleep: float) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", _SHARING.format(mib=mib, sleep=sleep)], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    time.sleep(0.3)  # the child has been forked before "ready"; let it settle
    return process


def test_pages_shared_by_a_forked_child_count_once_in_pss_and_twice_in_rss() -> None:
    process = _start(200, 5)
    try:
        memory = tree_memory(process.pid)
    finally:
        process.kill()
        process.wait()
    assert memory.rss > 400  # both processes hold the 200 MiB block resident
    assert 200 <= memory.pss < 260  # ... but it is on the machine once (plus two interpreters)
    assert memory.uss < 60  # and neither owns it alone


def test_run_child_reports_the_tree_peaks() -> None:
    run = run_child([sys.executable, "-c", _SHARING.format(mib=150, sleep=1.5)], Limits(60, 4096))
    assert run.ok, run.stderr_tail
    assert run.peak_tree_mib > 300
    assert 150 <= run.peak_tree_pss_mib < run.peak_tree_mib
    assert run.peak_tree_uss_mib <= run.peak_tree_pss_mib
    assert run.peak_machine_mib >= 0  # the machine's view: other work may free memory meanwhile (a test suite)


def test_the_machine_s_memory_in_use_is_read() -> None:
    with open("/proc/meminfo", encoding="ascii") as handle:
        total_mib = int(next(line for line in handle if line.startswith("MemTotal")).split()[1]) / 1024
    assert 0 < machine_in_use_mib() < total_mib
