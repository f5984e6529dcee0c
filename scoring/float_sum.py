"""Python's ``sum`` over float arrays, at C speed and bit for bit.

Why: the cost gate's robot rounds (:mod:`scoring.gate_rounds`) must add FTE
and hours exactly as :func:`~scoring.staffing.plan_posts` and
:func:`~scoring.rpa.draft_scenarios` do (built-in ``sum`` over Python floats,
in the contributions' order), or a post count or a robot's share could move
by one rounding.  ``sum(array.tolist())`` did that, but made a Python float
per robot per round: a third of the gate's CPU at 1,000 flows.

What ``sum`` does depends on the interpreter, so it is probed once at import:

* CPython ≤ 3.11 adds left to right from ``0`` (the first float turns it into
  ``0.0``): the same additions as ``numpy.add.accumulate``, whose last element
  is that sum, except that ``0.0 + -0.0`` is ``0.0``; adding ``0.0`` to the
  result settles that one case.  Robots left out of a subset can then be
  added as ``0.0`` (``s + 0.0 == s`` once ``s`` is not ``-0.0``), so many
  subsets of one array are a single 2-D ``accumulate``.
* CPython ≥ 3.12 compensates (Neumaier) when every term is a float; no numpy
  reduction does that, so these functions call ``sum`` itself there.

An exact running sum (``math.fsum``, or integers on a scaled grid) is *not*
what ``sum`` returns on either: ``sum([1e16, 1.0, 1.0])`` is ``1e16`` on 3.11
and ``fsum`` gives ``1.0000000000000002e16``; so nothing here keeps a running
total across removals.  An empty sum stays the integer ``0``, as ``sum([])``.
"""

from __future__ import annotations

import numpy as np


def _probe_sequential() -> bool:
    """True when built-in ``sum`` over floats is plain left-to-right addition (no compensation)."""
    terms = [1.0, 1e100, 1.0, -1e100]
    return sum(terms) == ((((0.0 + 1.0) + 1e100) + 1.0) + -1e100)


SEQUENTIAL = _probe_sequential()
"""Built-in ``sum`` over floats adds left to right (CPython ≤ 3.11); False where it compensates (3.12+)."""


def ordered_sum(values: np.ndarray) -> float | int:
    """``sum(values.tolist())`` of a 1-D float64 array: the same float (or ``0`` when empty)."""
    if len(values) == 0:
        return 0
    if not SEQUENTIAL:
        terms: list[float] = values.tolist()
        return sum(terms)
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN come out as from ``sum``, silently
        return float(np.add.accumulate(values)[-1]) + 0.0


def masked_sums(values: np.ndarray, masks: np.ndarray) -> list[float | int]:
    """``sum(values[mask].tolist())`` for each row ``mask`` of a 2-D boolean array, in one pass over the rows.

    Terms a mask leaves out are added as ``0.0``; see the module's docstring for why that changes no bit.
    """
    if masks.shape[0] == 0:
        return []
    if not SEQUENTIAL:
        return [sum(values[mask].tolist()) for mask in masks]
    counts = masks.sum(axis=1).tolist()
    if masks.shape[1] == 0:
        return [0 for _ in counts]
    with np.errstate(over="ignore", invalid="ignore"):
        last = np.add.accumulate(np.where(masks, values, 0.0), axis=1)[:, -1].tolist()
    return [total + 0.0 if count else 0 for total, count in zip(last, counts, strict=True)]


__all__ = ["SEQUENTIAL", "masked_sums", "ordered_sum"]
