"""Fixtures of the hostile-input suite (the runner itself is in :mod:`runner`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from runner import Runner, _cleanup_later


@pytest.fixture(scope="session")
def bpm_runner() -> Iterator[Runner]:
    if not hasattr(os, "fork") or not Path("/proc/self/status").is_file():
        pytest.skip("the hostile suite needs fork and /proc (Linux)")
    runner = Runner()
    yield runner
    runner.close()


@pytest.fixture(autouse=True)
def _tidy() -> Iterator[None]:
    """Remove each test's case folders when it ends (a failing example's folder goes with its test)."""
    yield
    while _cleanup_later:
        shutil.rmtree(_cleanup_later.pop(), ignore_errors=True)
