"""RPA as bought: scenarios, integer robots and licences per network segment, AI-OCR, stability.

A robot is bought as licences (whole robots), scenarios built one by one and
maintained every year, plus an AI-OCR service when the input is paper.  Two
facts of a 窓口 decide where and whether it can run (facts §3.4–3.5):

* **Segment.** A robot that keys into 住記/戸籍/印鑑 screens runs on the
  マイナンバー利用事務系 (三層の対策): its own terminal and licence there, and
  only where the security policy allows it (``rpa.mynumber_segment_allowed``).
* **Stability.** Screens of systems that move to 標準準拠システム must be
  rebuilt at the cutover (``rpa.rebuild_on_cutover``), or the build waits
  until after it; :mod:`scoring.cashflow` prices both and keeps the better.

The segment and the migration are read from the step's own systems (survey
使用システム or BPMN property), lane and name, never assumed silently.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from scoring.cost import MoneyStep, RpaHours, rpa_hours
from scoring.money_params import MoneyParams
from scoring.result import Disposition, StepKey


@lru_cache(maxsize=4096)
def _matches(words: tuple[str, ...], texts: tuple[str, ...]) -> tuple[str, ...]:
    normal = [unicodedata.normalize("NFKC", t).casefold() for t in texts if t]
    return tuple(w for w in words if any(unicodedata.normalize("NFKC", w).casefold() in t for t in normal))


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a scenario runs and whether its screens will change."""

    segment: str
    """``mynumber`` or ``lgwan``."""
    segment_words: tuple[str, ...]
    """The words that put it on the マイナンバー系 (empty for LGWAN)."""
    migrates: bool
    """A system it works on moves to 標準準拠システム."""
    migration_words: tuple[str, ...]
    """The words that say so."""
    evidence: str
    """What was read: systems, lane, name."""


def placement(step: MoneyStep, money: MoneyParams) -> Placement:
    """Segment and stability of a step's robot, from its systems, lane and name."""
    # The segment errs toward the マイナンバー系 (the name counts too: a 住基入力 step keys into 住基 screens);
    # migration is read from the systems and lane only (a step named 就学連絡 is a notice, not the 就学 system).
    mynumber = _matches(money.rpa.mynumber_words, (*step.systems, step.lane, step.name))
    standard = _matches(money.rpa.standard_words, (*step.systems, step.lane))
    evidence = (f"使用システム: {'・'.join(step.systems)}" if step.systems else "使用システムの記載なし") + \
        f"; レーン: {step.lane or '—'}"
    return Placement("mynumber" if mynumber else "lgwan", mynumber, bool(standard), standard, evidence)


@dataclass(frozen=True, slots=True)
class ScenarioDraft:
    """One RPA step as a scenario, before the years."""

    scenario_id: str
    """Stable id."""
    step: MoneyStep
    """The step."""
    hours: RpaHours
    """What the robot takes over."""
    robot_hours_per_year: float
    """Robot run time a year."""
    place: Placement
    """Segment and stability."""


@dataclass(frozen=True, slots=True)
class DeploymentDraft:
    """Robots of one segment."""

    deployment_id: str
    """``rpa-mynumber`` or ``rpa-lgwan``."""
    segment: str
    """The segment."""
    scenarios: tuple[ScenarioDraft, ...]
    """Its scenarios."""
    robots: int
    """Whole robots (= licences) for the run time, at least one."""
    ocr: bool
    """An AI-OCR service is needed (some paper input)."""
    feasible: bool
    """False when the profile does not allow robots on this segment."""


def scenario_id(key: StepKey) -> str:
    """Stable scenario id of a step."""
    digest = hashlib.sha256(f"{key.file}\0{key.process_id}\0{key.step_id}".encode()).hexdigest()[:8]
    return f"rpa-{digest}"


def draft_scenario(step: MoneyStep, money: MoneyParams) -> ScenarioDraft:
    """One RPA step as a scenario: what the robot takes over, its run time and where it runs."""
    return ScenarioDraft(
        scenario_id(step.key), step,
        rpa_hours(step.hours_per_year, step.annual_count, step.digital_share, money.rpa),
        step.hours_per_year * money.rpa.robot_minutes_share, placement(step, money),
    )


def draft_scenarios(
    steps: Sequence[MoneyStep], active: frozenset[StepKey], money: MoneyParams,
    memo: dict[StepKey, ScenarioDraft] | None = None,
) -> tuple[list[ScenarioDraft], list[DeploymentDraft]]:
    """Scenarios of the active RPA steps and the deployments (robots per segment) that run them.

    ``memo`` (step key → draft, for one ``money`` setting) keeps each step's
    draft across the plans the cost gate tries: a draft depends on its step
    alone, while the deployments depend on every member and are built afresh.
    """
    scenarios: list[ScenarioDraft] = []
    for step in steps:
        if step.candidate is Disposition.RPA and step.is_candidate and step.key in active:
            found = memo.get(step.key) if memo is not None else None
            if found is None:
                found = draft_scenario(step, money)
                if memo is not None:
                    memo[step.key] = found
            scenarios.append(found)
    deployments: list[DeploymentDraft] = []
    for segment in ("mynumber", "lgwan"):
        members = tuple(s for s in scenarios if s.place.segment == segment)
        if not members:
            continue
        run = sum(s.robot_hours_per_year for s in members)
        robots = max(1, math.ceil(run / money.rpa.robot_hours_per_year - 1e-9))
        deployments.append(DeploymentDraft(
            f"rpa-{segment}", segment, members, robots,
            ocr=any(s.hours.ocr_pages_per_year > 0 for s in members),
            feasible=segment != "mynumber" or money.rpa.mynumber_segment_allowed,
        ))
    return scenarios, deployments
