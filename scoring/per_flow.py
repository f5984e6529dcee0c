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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bpm.lint import Finding
from bpm.pool import ordered_map
from scoring.result import DataGap

__all__ = ["FlowOutput", "per_flow"]

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
class _Job(Generic[C, R]):
    work: Callable[[C, int, Notes], R]
    context: C


def _run_one(job: _Job[C, R], index: int) -> FlowOutput[R]:
    notes = Notes()
    value = job.work(job.context, index, notes)
    # sorted: a set's order is not part of the result (the caller only tests membership)
    return FlowOutput(value, tuple(notes.gaps), tuple(notes.findings), tuple(sorted(notes.used_entries)))


def per_flow(
    work: Callable[[C, int, Notes], R],
    count: int,
    *,
    context: C,
    jobs: int,
    describe: Callable[[int], str] = str,
) -> list[FlowOutput[R]]:
    """``work(context, i, notes)`` for ``i`` in ``range(count)`` on up to ``jobs`` processes, in input order.

    ``work`` must be a module-level function (workers are forked; see :mod:`bpm.pool`).
    """
    return ordered_map(_run_one, range(count), context=_Job(work, context), jobs=jobs, describe=describe)


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
