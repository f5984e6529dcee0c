"""The process pool of per-flow work: input order, errors as raised, a dead worker as a clean error."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bpm.errors import BpmnParseError
from bpm.pool import (
    WorkerDied,
    default_jobs,
    limit_blas_threads,
    ordered_map,
    ordered_results,
    parallel_available,
)

needs_fork = pytest.mark.skipif(not parallel_available(), reason="worker processes are forked on Linux only")


def square_with_pid(offset: int, item: int) -> tuple[int, int]:
    return item * item + offset, os.getpid()


def fail_on_three(_context: None, item: int) -> int:
    if item == 3:
        raise BpmnParseError("not well-formed", file=f"flow-{item}.bpmn", line=7, element_id="Task_1", hint="fix it")
    return item


def die_on_two(_context: None, item: int) -> int:
    if item == 2:
        os._exit(9)  # as the kernel's out-of-memory killer would leave it: no exception, no result
    return item


@needs_fork
def test_results_come_in_input_order_from_several_processes() -> None:
    results = ordered_map(square_with_pid, list(range(40)), context=1, jobs=2)
    assert [value for value, _ in results] == [i * i + 1 for i in range(40)]
    assert os.getpid() not in {pid for _, pid in results}  # the work ran in workers


def test_one_job_runs_in_this_process() -> None:
    results = ordered_map(square_with_pid, [1, 2, 3], context=0, jobs=1)
    assert results == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]


@needs_fork
def test_an_error_in_a_worker_keeps_its_file_line_and_element() -> None:
    with pytest.raises(BpmnParseError) as raised:
        ordered_map(fail_on_three, [1, 2, 3, 4, 5], context=None, jobs=2)
    error = raised.value
    assert (error.file, error.line, error.element_id, error.hint) == ("flow-3.bpmn", 7, "Task_1", "fix it")
    assert str(error) == "flow-3.bpmn:7: not well-formed [id=Task_1] (fix it)"


@needs_fork
def test_a_worker_that_dies_is_a_clean_error_naming_the_item() -> None:
    with pytest.raises(WorkerDied) as raised:
        ordered_map(die_on_two, [0, 1, 2, 3], context=None, jobs=2, describe=lambda item: f"flow-{item}.bpmn")
    assert raised.value.file in {"flow-0.bpmn", "flow-1.bpmn", "flow-2.bpmn"}  # the pool breaks for all in flight
    assert "--jobs 1" in (raised.value.hint or "")


@needs_fork
def test_results_stream_and_the_pool_closes_when_the_caller_stops_early() -> None:
    results = ordered_results(square_with_pid, list(range(100)), context=0, jobs=2)
    assert next(results)[0] == 0
    results.close()  # the pool shuts down; a new map starts afresh
    assert [v for v, _ in ordered_map(square_with_pid, [2, 3], context=0, jobs=2)] == [4, 9]


def test_blas_threads_default_to_one_but_a_users_choice_stays() -> None:
    env = {"MKL_NUM_THREADS": "4"}
    limit_blas_threads(env)
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["OMP_NUM_THREADS"] == "1"
    assert env["MKL_NUM_THREADS"] == "4"


def test_default_jobs_is_the_usable_cores() -> None:
    assert 1 <= default_jobs() <= (os.cpu_count() or 1)


def frozen_in_worker(_context: None, item: int) -> tuple[int, bool]:
    return item, gc.get_freeze_count() > 0


@needs_fork
def test_workers_inherit_the_parents_objects_frozen_and_the_parent_gets_them_back() -> None:
    assert gc.get_freeze_count() == 0
    results = ordered_map(frozen_in_worker, [1, 2, 3], context=None, jobs=2)
    assert results == [(1, True), (2, True), (3, True)]  # the collector never walks (nor copies) inherited pages
    assert gc.get_freeze_count() == 0 and gc.isenabled()


@needs_fork
def test_workers_do_not_outlive_a_killed_run(tmp_path: Path, process_alive: Callable[[int], bool]) -> None:
    """A killed scan's workers waited forever on the task queue, holding what the run had open (its site lock)."""
    code = (
        "import os, sys, time\n"
        "from bpm.pool import ordered_map\n"
        "def work(folder, item):\n"
        "    open(os.path.join(folder, str(os.getpid())), 'w').close(); time.sleep(120); return item\n"
        "ordered_map(work, list(range(8)), context=sys.argv[1], jobs=2)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=Path(__file__).resolve().parents[2])
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(path.name) for path in tmp_path.iterdir()]
    assert len(workers) == 2 and all(process_alive(pid) for pid in workers)
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while any(process_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [pid for pid in workers if process_alive(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == []
