"""The cyclic collector kept out of hot paths: frozen blocks nest, leave a paused collector alone, undo on error."""

from __future__ import annotations

import gc

import pytest

from bpm.collector import collector_frozen, collector_paused


def test_collector_frozen_nests_and_leaves_a_paused_collector_alone() -> None:
    with collector_frozen():
        assert gc.get_freeze_count() > 0
        with collector_frozen():  # an enclosing freeze: nothing to do, and nothing undone on the way out
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    gc.disable()
    try:
        with collector_frozen():
            assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_collector_frozen_gives_objects_back_after_an_error() -> None:
    with pytest.raises(ValueError), collector_frozen():
        raise ValueError("stop")
    assert gc.get_freeze_count() == 0


def test_collector_paused_switches_it_back_on_and_leaves_it_off_when_it_was() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller's own setting: theirs to undo
    finally:
        gc.enable()
