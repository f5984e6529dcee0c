"""Each flow's per-flow scoring results, kept by what they depend on: an unchanged flow is not scored twice.

:mod:`scoring.per_flow` runs two stages per process — its visits, then its
steps (legal verdicts, features, proposal, gate, hand-off plan).  Each
stage's :class:`~scoring.per_flow.FlowOutput` is a function of a few inputs
only, and its key is the SHA-256 of exactly those:

- *visits*: the file's content (:meth:`FlowCache.content_key`: the read
  cache's key, else a digest of the model), the process id, the survey's
  分岐確率 rows matched to the process and, when the file has a call
  activity, the names and contents of every file of the run (a call is
  resolved among them);
- *steps*: the same content and process, the key of its visits, its annual
  cases (value, source, evidence), the survey rows matched to each of its
  steps (with their sheet lines) and whether a survey was read (its file
  name), and the run's context: the whole profile (weights, words, prices,
  legal section and overrides — what the lexicons are compiled from) and
  the procedure catalogue with the profile's additions;
- both: the version of the code and data of ``bpm`` and ``scoring``
  (:func:`bpm.cache_store.code_version`) and the run's language (a few texts
  — an unsolvable flow's message, a failed hand-off check — are written in it).

A changed flow, profile, survey row or catalogue entry is a miss and is
scored afresh.  Everything portfolio-wide (annual cases across call
sites, ranking) is recomputed every run from these results.

The money stage (:func:`scoring.money.money_stage`) is a pure function of
every priced step's facts (:class:`~scoring.cost.MoneyStep`) and the
profile, and prices the whole portfolio at once: :meth:`FlowCache.money_stage`
keeps its :class:`~scoring.money.MoneyOutcome` under one key — the digest of
all those steps, the whole profile, the code version and the language — so a
re-scan where nothing priced changed does not price again; any changed step
(one flow in a thousand) prices the portfolio afresh.
The library's :func:`scoring.assess.assess` caches nothing unless given a
:class:`FlowCache` (the CLI passes one; ``BPM_CACHE_DIR=off`` turns it off).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING

from bpm.cache_store import ObjectStore, code_version, digest, dumps
from bpm.messages import language
from bpm.model import Definitions, TaskKind
from scoring.per_flow import Cached

if TYPE_CHECKING:
    from scoring.cost import MoneyStep
    from scoring.money import MoneyOutcome
    from scoring.procedures import Catalogue
    from scoring.profile import Profile
    from scoring.survey import Survey, SurveyMatch
    from scoring.volumes import Cases, ProcessKey, Unit

__all__ = ["FlowCache"]

_FORMAT = "flow 1"
"""Bumped when what a key covers changes."""


class FlowCache:
    """The per-flow stages' store and the keys of one run (make one per :func:`~scoring.assess.assess` call)."""

    def __init__(self, store: ObjectStore, read_keys: Iterable[tuple[Definitions, str | None]] = ()) -> None:
        self.store = store
        self._content: dict[int, tuple[Definitions, str]] = {
            id(definitions): (definitions, f"read {key}") for definitions, key in read_keys if key is not None}
        self._visit_keys: dict[ProcessKey, str] = {}

    @classmethod
    def from_environment(cls, read_keys: Iterable[tuple[Definitions, str | None]] = (),
                         environ: Mapping[str, str] | None = None) -> FlowCache:
        """The store ``flows`` of the user's cache folder (off with ``BPM_CACHE_DIR=off``)."""
        return cls(ObjectStore.from_environment("flows", environ), read_keys)

    def content_key(self, definitions: Definitions) -> str:
        """The file's content key: the one it was read under, else the SHA-256 of the model itself."""
        known = self._content.get(id(definitions))
        if known is not None and known[0] is definitions:
            return known[1]
        key = "model " + hashlib.sha256(dumps(definitions)).hexdigest()
        self._content[id(definitions)] = (definitions, key)
        return key

    def visits(self, units: Sequence[Unit], match: SurveyMatch) -> Cached | None:
        """The visits stage's keys for ``units`` (None when the cache is off)."""
        if not self.store.on:
            return None
        from bpm.visits import VisitResult
        from scoring.result import ExcludedProcess

        code = code_version("bpm", "scoring"), language()
        # every file's key, made only if a file with a call activity needs it (its visits read other files)
        calls = cache(lambda: digest([(u.file, u.process.id, self.content_key(u.definitions)) for u in units]))
        keys: list[str | None] = []
        for unit in units:
            key = digest(_FORMAT, "visits", code, self.content_key(unit.definitions), unit.process.id,
                         match.probabilities.get(unit.key, {}),
                         calls() if _has_calls(unit.definitions) else None)
            self._visit_keys[unit.key] = key
            keys.append(key)
        return Cached(self.store, keys, (VisitResult, ExcludedProcess))

    def steps(self, live: Sequence[Unit], cases: Mapping[ProcessKey, Cases], *, profile: Profile,
              catalogue: Catalogue, survey: Survey | None, match: SurveyMatch) -> Cached | None:
        """The steps stage's keys for ``live`` (after :meth:`visits`; None when the cache is off)."""
        if not self.store.on:
            return None
        from scoring.result import ProcessAssessment

        code = code_version("bpm", "scoring"), language()
        run = digest(_FORMAT, "run", code, profile, catalogue, survey.file if survey is not None else None)
        keys: list[str | None] = []
        for unit in live:
            rows = [(node.id, match.steps.get((unit.file, unit.process.id, node.id))) for node in unit.steps]
            visits = self._visit_keys.get(unit.key)
            keys.append(None if visits is None else digest(
                _FORMAT, "steps", run, self.content_key(unit.definitions), unit.process.id, visits,
                cases[unit.key], rows))
        return Cached(self.store, keys, ProcessAssessment)

    def money_stage(self, steps: Sequence[MoneyStep], profile: Profile) -> MoneyOutcome:
        """:func:`scoring.money.money_stage` of ``steps`` under ``profile``, from the store when the same steps
        were priced under the same profile before (its errors are its own and never stored)."""
        from scoring.money import MoneyOutcome, money_stage

        if not self.store.on:
            return money_stage(steps, profile)
        key = digest(_FORMAT, "money", code_version("bpm", "scoring"), language(), tuple(steps), profile)
        found = self.store.get(key, MoneyOutcome)
        if found is not None:
            return found
        outcome = money_stage(steps, profile)
        self.store.put(key, outcome)
        return outcome


def _has_calls(definitions: Definitions) -> bool:
    """Whether any process of the file has a call activity (its visits then read other files)."""
    return any(node.kind is TaskKind.CALL_ACTIVITY or node.called_element
               for process in definitions.processes.values() for node in process.nodes.values())
