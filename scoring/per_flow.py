"""The per-flow stages of scoring on several cores: visits, then each process's steps.

Scoring a portfolio has two kinds of work.  Each flow's visits and each
flow's steps (legal verdicts, features, proposal, hand-offs) need only that
flow, the run's shared inputs (profile, compiled words, catalogue, survey
match) and, for visits, the other processes a call activity may name.  The
money stage and the annual cases need the whole portfolio and stay in the
caller's process.

:func:`per_flow` runs the per-flow kind through :func:`bpm.pool.ordered_map`:
forked workers inherit the run's inputs (nothing big is pickled on the way
in: each task is one index), and each result comes back with the data gaps,
findings and used override entries the flow produced, which the caller adds
**in input order** — exactly the order a one-process loop appends them, so
``--jobs 1`` and ``--jobs N`` give the same assessment byte for byte.

Given a :class:`Cached` (keys from :mod:`scoring.flow_cache`), a flow whose
output is in the store is not run: its stored output takes its place, and
only the others go to the workers, which store what they compute.  The
caller merges the outputs in the same input order, so a warm run gives what
a cold one gives.

A worker's output crosses back to the caller pickled by the flow cache's
reducers (:mod:`bpm.cache_store`: slotted data classes as their field
values), not the standard ones, which call ``dataclasses.fields`` for each of
the thousands of evidence lines, reasons and steps of a process assessment
(measured on 100 synthetic flows: ≈ 2.8× less CPU to pickle, the same bytes
back).  An evidence line many steps say (:mod:`scoring.interned`) crosses
once per worker and pass: the worker numbers the shared lines it has sent,
and a later flow names the number instead; the caller keeps the lines each
worker sent in the order sent (one worker's results reach it in the order it
sent them), so the caller's steps share them across flows as in one process,
and the caller builds and keeps each one once instead of once a flow.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from bpm.cache_store import ObjectStore, _Reducers
from bpm.collector import collector_frozen, collector_paused
from bpm.lint import Finding
from bpm.pool import ordered_map
from scoring.interned import is_shared
from scoring.result import DataGap, Evidence

__all__ = ["Cached", "FlowOutput", "per_flow"]

C = TypeVar("C")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class FlowOutput(Generic[R]):
    """One flow's result and what it reported, in the order it reported it."""

    value: R
    gaps: tuple[DataGap, ...]
    findings: tuple[Finding, ...]
    used_entries: tuple[str, ...]


class Notes:
    """What one flow's stage writes while it runs (the lists the one-process pipeline shares)."""

    __slots__ = ("findings", "gaps", "used_entries")

    def __init__(self) -> None:
        self.gaps: list[DataGap] = []
        self.findings: list[Finding] = []
        self.used_entries: set[str] = set()


@dataclass(frozen=True, slots=True)
class Cached:
    """Where a stage's outputs are kept and each flow's key (None: that flow is not cached)."""

    store: ObjectStore
    keys: Sequence[str | None]
    value_type: type | tuple[type, ...]
    """What a stored output's value must be (anything else is a miss)."""

    def get(self, index: int) -> FlowOutput[object] | None:
        key = self.keys[index]
        found = self.store.get(key, FlowOutput) if key is not None else None
        return found if found is not None and isinstance(found.value, self.value_type) else None


@dataclass(frozen=True, slots=True)
class _Job(Generic[C, R]):
    work: Callable[[C, int, Notes], R]
    context: C
    cached: Cached | None = None


class _Shipped(Generic[R]):
    """A flow's output as :func:`_run_one` returns it: pickled (only if it leaves the process) by the fast pickler.

    In one process nothing is pickled and :func:`_received` unwraps it; from a worker, unpickling it gives the
    :class:`FlowOutput` itself.
    """

    __slots__ = ("output",)

    def __init__(self, output: FlowOutput[R]) -> None:
        self.output = output

    def __reduce__(self) -> tuple[Callable[[int, bytes], FlowOutput[Any]], tuple[int, bytes]]:
        buffer = io.BytesIO()
        _CrossingPickler(buffer, protocol=5).dump(self.output)
        return _unpickled, (os.getpid(), buffer.getvalue())


class _CrossingReducers(dict[type, Callable[[Any], Any]]):
    """The flow cache's reducers, and shared evidence lines by number once sent (:func:`_reduce_line`)."""

    def __missing__(self, cls: type) -> Callable[[Any], Any]:
        reduce = _reduce_line if cls is Evidence else _PLAIN[cls]  # KeyError: pickled the standard way
        self[cls] = reduce
        return reduce


class _CrossingPickler(pickle.Pickler):
    dispatch_table = _CrossingReducers()


_PLAIN = _Reducers()
_SENT: dict[int, int] = {}
"""In a worker: the number of each shared line it has sent in this pass, by identity (the line is held by
``_KEPT``, so its identity is not reused)."""
_KEPT: list[Evidence] = []
_RECEIVED: dict[int, list[Evidence]] = {}
"""In the caller: the shared lines each worker (by process id) has sent in this pass, by number."""
_from_worker: list[Evidence] = []
"""The list of ``_RECEIVED`` of the worker whose output is being unpickled."""


def _reduce_line(line: Evidence) -> tuple[Callable[..., Evidence], tuple[Any, ...]]:
    if not is_shared(line):
        return cast("tuple[Callable[..., Evidence], tuple[Any, ...]]", _PLAIN[Evidence](line))
    number = _SENT.get(id(line))
    if number is not None:
        return _line_again, (number,)
    number = _SENT[id(line)] = len(_KEPT)
    _KEPT.append(line)
    return _line_first, (number, line.feature, line.value, line.source, line.detail, line.said)


def _line_first(number: int, *fields: Any) -> Evidence:
    """A shared line the worker sends for the first time in this pass: built, and kept under its number."""
    line = Evidence(*fields)
    if number != len(_from_worker):  # pragma: no cover - results of one worker always arrive in its order
        raise pickle.UnpicklingError(f"shared evidence line {number} arrived after {len(_from_worker)} lines")
    _from_worker.append(line)
    return line


def _line_again(number: int) -> Evidence:
    """A shared line the worker sent before in this pass."""
    return _from_worker[number]


def _forget_lines() -> None:
    """A new pass: no worker has sent anything yet (workers fork with these empty)."""
    _SENT.clear()
    _KEPT.clear()
    _RECEIVED.clear()


def _unpickled(worker: int, payload: bytes) -> FlowOutput[Any]:
    """A worker's output (our own forked process wrote it, as the standard pool result would be).

    Built with the cyclic collector paused: a process assessment is thousands of new objects without a cycle,
    and the collections their allocation set off walked them (and everything younger than the last full
    collection) over and over — half the CPU of unpickling, measured on 100 synthetic flows.  Unpickled by
    the pool's one result thread, in the order ``worker`` sent its results.
    """
    global _from_worker
    _from_worker = _RECEIVED.setdefault(worker, [])
    with collector_paused():
        output = pickle.loads(payload)  # bytes from our own worker, as any ProcessPoolExecutor result
    assert isinstance(output, FlowOutput)
    return output


def _received(result: _Shipped[R] | FlowOutput[R]) -> FlowOutput[R]:
    return result.output if isinstance(result, _Shipped) else result


def _run_one(job: _Job[C, R], index: int) -> _Shipped[R]:
    notes = Notes()
    value = job.work(job.context, index, notes)
    # sorted: a set's order is not part of the result (the caller only tests membership)
    output = FlowOutput(value, tuple(notes.gaps), tuple(notes.findings), tuple(sorted(notes.used_entries)))
    if job.cached is not None and (key := job.cached.keys[index]) is not None:
        job.cached.store.put(key, output)
    return _Shipped(output)


def per_flow(
    work: Callable[[C, int, Notes], R],
    count: int,
    *,
    context: C,
    jobs: int,
    describe: Callable[[int], str] = str,
    cached: Cached | None = None,
) -> list[FlowOutput[R]]:
    """``work(context, i, notes)`` for ``i`` in ``range(count)`` on up to ``jobs`` processes, in input order.

    ``work`` must be a module-level function (workers are forked; see :mod:`bpm.pool`).  With ``cached``,
    stored outputs stand in for the flows that have one; the rest are run and stored.
    """
    _forget_lines()
    try:
        with collector_frozen():
            return _per_flow(work, count, context=context, jobs=jobs, describe=describe, cached=cached)
    finally:
        _forget_lines()


def _per_flow(
    work: Callable[[C, int, Notes], R],
    count: int,
    *,
    context: C,
    jobs: int,
    describe: Callable[[int], str],
    cached: Cached | None,
) -> list[FlowOutput[R]]:
    if cached is None:
        return [_received(result) for result in ordered_map(
            _run_one, range(count), context=_Job(work, context), jobs=jobs, describe=describe)]
    outputs: list[FlowOutput[R] | None] = [cast("FlowOutput[R] | None", cached.get(i)) for i in range(count)]
    missing = [i for i, output in enumerate(outputs) if output is None]
    computed = ordered_map(_run_one, missing, context=_Job(work, context, cached), jobs=jobs, describe=describe)
    for index, result in zip(missing, computed, strict=True):
        outputs[index] = _received(result)
    return [output for output in outputs if output is not None]


def merge(outputs: Sequence[FlowOutput[R]], gaps: list[DataGap], findings: list[Finding],
          used_entries: set[str] | None = None) -> list[R]:
    """The values, with every flow's gaps, findings and used entries added in input order."""
    values: list[R] = []
    for output in outputs:
        gaps.extend(output.gaps)
        findings.extend(output.findings)
        if used_entries is not None:
            used_entries.update(output.used_entries)
        values.append(output.value)
    return values
