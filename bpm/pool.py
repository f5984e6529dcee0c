"""Per-flow work on several cores: an ordered map over a standard process pool.

A city's portfolio is hundreds of independent flows; reading, drawing and
page rendering of one flow never needs another's.  :func:`ordered_map` runs
such work in a :class:`concurrent.futures.ProcessPoolExecutor` and gives the
results back **in input order**, so everything written from them (pages,
downloads, the order of notices) is byte for byte what ``--jobs 1`` writes.

Why ``fork``: the work of a page needs the whole scored portfolio (links to
other flows, the survey's gaps); forked workers see the parent's objects as
they were when the pool started, without pickling the portfolio once per
task.  Only each task's item and result cross the process boundary.  Where
``fork`` is unavailable (Windows) or unsafe by default (macOS), the work runs
in this process: the same results, one core.

Errors raised by the work (:class:`~bpm.errors.BpmError` with its file, line
and element id) come back unchanged; the first in input order is raised, as
a one-core run would.  A worker that dies (killed for memory, a crash in a C
library) becomes a clean :class:`~bpm.errors.BpmError` naming the item it was
working on when that is known, never a hang.

Workers never outlive the run: a worker asks the kernel to kill it when its
parent dies (``PR_SET_PDEATHSIG``).  Without that, a run killed by the user
(or for memory) left its workers waiting forever on a queue nobody writes,
holding copies of everything the run had open.

One BLAS thread per worker: numpy's OpenBLAS/MKL start a thread per core in
every process, and the analysis solves many small systems, for which those
threads only compete (``bpm score`` is faster with one).  :func:`limit_blas_threads`
sets the usual variables before numpy is imported, unless the user set them.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from bpm.collector import collector_frozen
from bpm.errors import BpmError, say

__all__ = ["BLAS_VARIABLES", "WorkerDied", "default_jobs", "limit_blas_threads", "ordered_map", "ordered_results",
           "parallel_available"]

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

BLAS_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OMP_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
"""Thread counts of the BLAS libraries numpy and scipy may be built with."""


class WorkerDied(BpmError):
    """A worker process stopped without a result (killed, out of memory, a crash in a C library)."""


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity where known, e.g. in a container)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def limit_blas_threads(environ: dict[str, str] | None = None) -> None:
    """One BLAS thread per process, unless the user chose a number (call before numpy is imported)."""
    env = os.environ if environ is None else environ
    for name in BLAS_VARIABLES:
        env.setdefault(name, "1")


def parallel_available() -> bool:
    """Whether worker processes can be forked here (Linux; elsewhere the work runs in one process)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class _Task(Generic[C, T, R]):
    """What a forked worker runs: the function, with the shared context it inherited."""

    def __init__(self, func: Callable[[C, T], R], context: C) -> None:
        self.func = func
        self.context = context


_TASK: _Task[Any, Any, Any] | None = None
"""The running map's task, set before the pool forks (workers inherit it; nothing is pickled)."""
_IN_WORKER = False


def _worker_start(parent: int) -> None:
    global _IN_WORKER
    _IN_WORKER = True
    _die_with_parent(parent)


_PR_SET_PDEATHSIG = 1
"""``prctl`` option (linux/prctl.h): the signal this process gets when its parent dies."""


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the run that forked it dies; exit now if it already has.

    The signal is SIGKILL because a worker holds no state worth saving: its
    results only matter to the parent, which is gone.  The parent check after
    the call closes the window where the parent died before it was made.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl (not Linux): the pool is not used there
        return
    if os.getppid() != parent:
        os._exit(1)


def _run(item: Any) -> Any:
    assert _TASK is not None, "ordered_map's task is set before its workers start"
    return _TASK.func(_TASK.context, item)


def ordered_map(
    func: Callable[[C, T], R],
    items: Sequence[T],
    *,
    context: C,
    jobs: int,
    describe: Callable[[T], str] = str,
) -> list[R]:
    """``[func(context, item) for item in items]``, on up to ``jobs`` processes, results in input order."""
    return list(ordered_results(func, items, context=context, jobs=jobs, describe=describe))


def ordered_results(
    func: Callable[[C, T], R],
    items: Sequence[T],
    *,
    context: C,
    jobs: int,
    describe: Callable[[T], str] = str,
) -> Iterator[R]:
    """``func(context, item)`` for each item, on up to ``jobs`` processes, yielded in input order.

    ``func`` must be a module-level function; ``context`` is shared read-only
    by every call (workers get a copy as it is when the pool starts).  At most
    a few tasks per worker are in flight, so results that the caller writes
    away as they come never pile up in memory.  ``describe`` names an item in
    the message when a worker dies.  Consume or close the iterator: the pool
    lives until then.
    """
    global _TASK
    workers = min(jobs, len(items))
    if workers <= 1 or _IN_WORKER or _TASK is not None or not parallel_available():
        for item in items:
            yield func(context, item)
        return
    _TASK = _Task(func, context)
    try:
        with collector_frozen(), ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start,
            initargs=(os.getpid(),),
        ) as pool:
            window: deque[tuple[T, Future[R]]] = deque()
            upcoming = iter(items)
            try:
                for item in upcoming:
                    window.append((item, pool.submit(_run, item)))
                    if len(window) >= _IN_FLIGHT_PER_WORKER * workers:
                        yield _result(*window.popleft(), describe)
                while window:
                    yield _result(*window.popleft(), describe)
            finally:
                for _item, pending in window:
                    pending.cancel()
    finally:
        _TASK = None


_IN_FLIGHT_PER_WORKER = 4
"""Tasks queued per worker: enough to keep it busy, few enough to bound the results held in memory."""


def _result(item: T, future: Future[R], describe: Callable[[T], str]) -> R:
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerDied(
            say("pool.worker_died"),
            file=describe(item),
            hint=say("pool.worker_died_hint"),
        ) from None
