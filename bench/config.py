"""Benchmark settings: sizes per preset, limits, where the work files go."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import Limits

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MIWG = REPO.parent / "shared" / "miwg"
PEERS_PYTHON = HERE / "peers" / ".venv" / "bin" / "python"


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each benchmark goes."""

    scan_flows: tuple[int, ...] = (1, 10, 100)
    score_flows: tuple[int, ...] = (10, 100, 1000)
    picture_flows: tuple[int, ...] = (1, 10)
    picture_each_format: int = 1
    """1: also PNG alone and PDF alone (not only SVG and PNG+PDF); 0 keeps the smoke test short."""
    picture_plain: int = 0
    """1: ``bpm render --plain`` (no scoring for the colours), so the portfolio-wide money stage, whose cost
    grows faster than the flows, does not hide what the pictures themselves cost at 100 flows and more."""
    rescan_flows: tuple[int, ...] = (10,)
    profile_flows: int = 10
    flow_tasks: tuple[int, ...] = (100, 1000, 10_000, 100_000)
    score_tasks: tuple[int, ...] = (10, 100, 1000, 5000)
    tasks_per_flow: int = 50
    miwg_files: int = 0
    """0 = every MIWG file."""
    peer_tasks: tuple[int, ...] = (1000, 5000)
    cities: int = 5
    procedures: int = 20
    site_cities: tuple[int, ...] = (174, 1741)
    """Cities of the comparison-only measurement (figures made directly, no flow assessed; bench/municipal_site.py)."""


PRESETS: dict[str, Sizes] = {
    # The CI smoke test: the smallest size of everything, small flows.
    "smoke": Sizes(scan_flows=(1,), score_flows=(1,), picture_flows=(1,), picture_each_format=0, rescan_flows=(1,),
                   profile_flows=1,
                   flow_tasks=(100,), score_tasks=(10,), tasks_per_flow=10, miwg_files=5, peer_tasks=(100,),
                   cities=2, procedures=2, site_cities=(3,)),
    "quick": Sizes(scan_flows=(1, 3), score_flows=(3, 10), picture_flows=(1,), rescan_flows=(3,), profile_flows=1,
                   flow_tasks=(100, 1000), score_tasks=(10, 100), miwg_files=40, peer_tasks=(1000,),
                   cities=3, procedures=5, site_cities=(10, 50)),
    "default": Sizes(),
    "full": Sizes(scan_flows=(1, 10, 100, 1000), rescan_flows=(10, 100, 1000), profile_flows=100,
                  picture_flows=(1, 10, 100), score_tasks=(10, 100, 1000, 5000, 10_000, 100_000),
                  peer_tasks=(1000, 5000, 20_000), cities=50),
}


@dataclass(frozen=True, slots=True)
class Config:
    """One run's settings."""

    preset: str
    sizes: Sizes
    limits: Limits
    repeats: int
    repeat_budget_s: float
    """Stop repeating a measurement once its runs have taken this long (big sizes run once)."""
    work: Path
    """Generated portfolios, sites and scratch files (git-ignored)."""
    out: Path
    """Where results.json, the profile summary and the chart go."""
    seed: int = 0
    only: frozenset[str] = field(default_factory=frozenset)
    python: str = sys.executable

    @property
    def bpm(self) -> list[str]:
        """How to run our command (the ``bpm`` script next to this Python)."""
        script = Path(self.python).with_name("bpm")
        return [str(script)] if script.exists() else [self.python, "-m", "bpm.cli"]

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only
