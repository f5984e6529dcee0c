"""One object for each distinct shared evidence line and source map, so equal values are not kept (or sent) twice.

Why: a step's evidence is most of what a process assessment holds — ≈ 16 lines a step, each an
:class:`~scoring.result.Evidence` with its sentence (:class:`~scoring.evidence_text.Said`, its values, their
strings): two thirds of the memory of a scored portfolio and of the objects a pool worker pickles and the parent
unpickles (:mod:`scoring.per_flow`).  Yet half the lines of a flow say what other steps' lines say (the task
type, the lane, a lexicon word, a profile default, the flow's visits), and the map of which source decided each
measurement takes a few dozen forms over a whole portfolio.  Equal frozen values are interchangeable; a shared
object is built once, pickled once per flow (pickle's memo is by identity) and unpickled once.

"Equal" here is stricter than ``==``: ``1 == 1.0`` and ``0.0 == -0.0``, but the JSON export writes ``1``,
``1.0`` and ``-0.0`` differently, so a line's value is compared with its type and, for a zero, its sign.
Lines are keyed by the identity of their source (enum members are singletons) and sentence (shared sentences
are one object, :func:`scoring.evidence_text.shared_said`): hashing those by value runs Python code for each,
which would cost as much as sharing saves.  An identity in a key stays valid while the table holds the line
that refers to the object.  The tables live in the process (a forked worker starts with a copy) and forget
everything at once when full: only sharing is lost then, never a value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scoring.evidence_text import Said, english
from scoring.result import Evidence, EvidenceSource

__all__ = ["LIMIT", "forget", "is_shared", "shared_line", "shared_sources"]

LIMIT = 200_000
"""Distinct lines (and source maps) remembered before the table is emptied."""

_LINES: dict[tuple[object, ...], Evidence] = {}
_SHARED: set[int] = set()
"""Identities of the lines in ``_LINES`` (emptied with it, so an identity here is always a line held there)."""
_SOURCES: dict[tuple[tuple[str, ...], tuple[int, ...]], Mapping[str, EvidenceSource]] = {}


def shared_line(feature: str, value: float | str, source: EvidenceSource, words: Said, detail: str | None = None
                ) -> Evidence:
    """``Evidence(feature, value, source, detail, words)``, the same object for the same line.

    ``detail`` defaults to the English of ``words`` (made only for a new line).  For sentences said once (a
    survey cell names its row) build the :class:`~scoring.result.Evidence` directly: they would only fill the
    table.
    """
    cls = value.__class__
    key = (feature, cls, value, id(source), id(words), detail,
           cls is float and value == 0.0 and math.copysign(1.0, value) < 0)
    line = _LINES.get(key)
    if line is None:
        if len(_LINES) >= LIMIT:
            _LINES.clear()
            _SHARED.clear()
        line = _LINES[key] = Evidence(feature, value, source, english(words) if detail is None else detail, words)
        _SHARED.add(id(line))
    return line


def is_shared(line: Evidence) -> bool:
    """True for a line :func:`shared_line` gave (and still holds): one that other steps and flows may say too."""
    return id(line) in _SHARED


def shared_sources(sources: dict[str, EvidenceSource]) -> Mapping[str, EvidenceSource]:
    """The first map equal to ``sources``, key order included (a step's ``data_sources``: never mutated)."""
    if len(_SOURCES) >= LIMIT:
        _SOURCES.clear()
    return _SOURCES.setdefault((tuple(sources), tuple(map(id, sources.values()))), sources)


def forget() -> None:
    """Empty the tables: a run that is done with its results lets their lines go (only sharing with later runs
    is lost, never a value).

    Why: a ``bpm compare`` worker assesses city after city; the tables held up to :data:`LIMIT` lines of
    cities long finished (their evidence, sentences and values), so each worker grew by tens of MiB before the
    first emptying.  Emptied between cities, a worker holds one city's lines at a time.
    """
    _LINES.clear()
    _SHARED.clear()
    _SOURCES.clear()
