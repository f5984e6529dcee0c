"""Shared fixtures: where the repository, the MIWG sample and the sample flows live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MIWG_DIR = REPO_ROOT.parent / "shared" / "miwg"
FLOWS_DIR = REPO_ROOT / "flows"


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
