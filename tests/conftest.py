"""Shared fixtures: where the repository, the MIWG sample and the sample flows live."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MIWG_DIR = REPO_ROOT.parent / "shared" / "miwg"
FLOWS_DIR = REPO_ROOT / "flows"
JS_PEERS_DIR = REPO_ROOT / "tests" / "js" / "node_modules"


def pytest_configure(config: pytest.Config) -> None:
    """No picture cache in tests unless a test asks for one: every test prints its own PNG/PDF copies
    (a cached copy would hide a printing failure a test provokes), and nothing lands in the user's ~/.cache."""
    os.environ["BPM_CACHE_DIR"] = "off"
    # Messages in English for the suite, whatever the machine's locale (the tool speaks Japanese by default,
    # also under C.UTF-8 as in CI): most assertions were written against the English texts.  The Japanese
    # texts have tests of their own (tests/cli/test_messages.py), which set BPM_LANG or --lang themselves.
    os.environ["BPM_LANG"] = "en"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout (the folder holding pyproject.toml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def miwg_dir() -> Path:
    """The BPMN MIWG test-suite sample; tests using it skip when it is not there."""
    if not MIWG_DIR.is_dir():
        pytest.skip(f"MIWG sample not found at {MIWG_DIR}")
    return MIWG_DIR


@pytest.fixture(scope="session")
def flows_dir() -> Path:
    """Sample BPMN flows and survey sheets shipped with the project."""
    return FLOWS_DIR


@pytest.fixture(scope="session")
def js_peers() -> Path:
    """npm packages the tests compare against (bpmn-js, bpmnlint, bpmn-moddle, axe-core).

    ``scripts/setup.sh --test`` installs them from ``tests/js/package-lock.json``; tests using them skip
    (with the reason) only on a machine without npm.
    """
    if not (JS_PEERS_DIR / "bpmn-js").is_dir():
        pytest.skip(f"npm test peers not installed at {JS_PEERS_DIR} (run scripts/setup.sh --test)")
    return JS_PEERS_DIR


def _process_alive(pid: int) -> bool:
    """Running: not gone, and not a zombie waiting for a parent that never reaps it (PID 1 in a container may not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


@pytest.fixture(scope="session")
def process_alive() -> Callable[[int], bool]:
    """Whether a process still runs, for tests that kill a run and check what it leaves behind."""
    return _process_alive
