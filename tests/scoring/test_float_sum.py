"""scoring.float_sum gives what built-in ``sum`` gives over the same floats: same bits, same type (0 when empty)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import float_sum
from scoring.float_sum import SEQUENTIAL, masked_sums, ordered_sum

# Magnitudes far apart (absorbed terms), signed zeros, infinities and NaN: every case where summation order shows.
TERM = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e16, -1e16, 1e-300, 0.1, 0.2, 0.3]),
    st.floats(-1e6, 1e6),
)


def _same(made: object, expected: object) -> bool:
    """Equal bit for bit (repr tells -0.0 from 0.0 and shows NaN) and of the same type (int 0 for nothing)."""
    return type(made) is type(expected) and repr(made) == repr(expected)


@settings(max_examples=400, deadline=None)
@given(st.lists(TERM, max_size=40))
def test_ordered_sum_is_the_builtin_sum(terms: list[float]) -> None:
    values = np.array(terms, dtype=float)
    assert _same(ordered_sum(values), sum(values.tolist()))


@settings(max_examples=300, deadline=None)
@given(st.lists(TERM, max_size=30), st.data())
def test_masked_sums_are_the_builtin_sums_of_each_subset(terms: list[float], data: st.DataObject) -> None:
    values = np.array(terms, dtype=float)
    rows = data.draw(st.lists(st.lists(st.booleans(), min_size=len(terms), max_size=len(terms)), max_size=5))
    masks = np.array(rows, dtype=bool).reshape(len(rows), len(terms))
    made = masked_sums(values, masks)
    expected = [sum(values[mask].tolist()) for mask in masks]
    assert len(made) == len(expected)
    assert all(_same(m, e) for m, e in zip(made, expected, strict=True))


def test_the_cases_that_tell_the_orders_apart() -> None:
    """Absorbed terms and an all -0.0 subset: where an exact or a reordered sum would differ from ``sum``."""
    values = np.array([1e16, 1.0, 1.0, -0.0, -0.0])
    assert _same(ordered_sum(values), sum(values.tolist()))
    assert _same(ordered_sum(values[3:]), 0.0)
    assert _same(ordered_sum(values[:0]), 0)
    masks = np.array([[True, True, True, False, False], [False, False, False, True, True], [False] * 5])
    assert [repr(x) for x in masked_sums(values, masks)] == [repr(sum(values.tolist())), "0.0", "0"]


def test_the_probe_reads_this_interpreter() -> None:
    """The mode found at import is the one this interpreter's ``sum`` has."""
    plain = sum([1.0, 1e100, 1.0, -1e100]) == 0.0
    assert SEQUENTIAL is plain
    assert float_sum._probe_sequential() is plain


def test_the_compensated_path_calls_sum(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where ``sum`` compensates (3.12+), the functions call it: same figures whatever the mode."""
    monkeypatch.setattr(float_sum, "SEQUENTIAL", False)
    values = np.array([0.1, 0.2, 0.3, 1e16, 1.0])
    assert _same(float_sum.ordered_sum(values), sum(values.tolist()))
    masks = np.array([[True, False, True, True, True], [False] * 5])
    assert [repr(x) for x in float_sum.masked_sums(values, masks)] == [
        repr(sum(values[masks[0]].tolist())), "0"]
