"""Shared evidence lines and source maps: one object per distinct line, never a line for a different one."""

from __future__ import annotations

import json

from scoring import interned
from scoring.evidence_text import said, shared_said
from scoring.interned import shared_line, shared_sources
from scoring.result import Evidence, EvidenceSource

S = EvidenceSource


def test_the_same_line_is_one_object_and_equal_to_the_plain_one() -> None:
    words = shared_said("task-type", kind="userTask")
    first = shared_line("physical", 0.2, S.BPMN_TYPE, words)
    again = shared_line("physical", 0.2, S.BPMN_TYPE, words)
    assert again is first
    assert first == Evidence("physical", 0.2, S.BPMN_TYPE, words.en, words)


def test_lines_that_differ_in_any_part_are_different_objects() -> None:
    words = shared_said("task-type", kind="userTask")
    other_words = shared_said("task-type", kind="manualTask")
    base = shared_line("physical", 0.2, S.BPMN_TYPE, words)
    assert shared_line("system", 0.2, S.BPMN_TYPE, words) is not base
    assert shared_line("physical", 0.3, S.BPMN_TYPE, words) is not base
    assert shared_line("physical", 0.2, S.LEXICON, words) is not base
    assert shared_line("physical", 0.2, S.BPMN_TYPE, other_words).detail == other_words.en
    assert shared_line("physical", 0.2, S.BPMN_TYPE, words, "説明").detail == "説明"


def test_values_equal_by_eq_but_written_differently_are_kept_apart() -> None:
    """1 == 1.0 == True and 0.0 == -0.0, but the JSON export writes each differently."""
    words = shared_said("visits")
    lines = [shared_line("visits", value, S.STRUCTURE, words) for value in (1, 1.0, True, 0.0, -0.0)]
    assert [json.dumps(line.value) for line in lines] == ["1", "1.0", "true", "0.0", "-0.0"]
    assert len({id(line) for line in lines}) == 5


def test_an_equal_sentence_that_is_another_object_is_a_new_line_with_the_same_value() -> None:
    one, two = said("visits"), said("visits")
    assert one == two and one is not two
    assert shared_line("visits", 1.0, S.STRUCTURE, one) == shared_line("visits", 1.0, S.STRUCTURE, two)


def test_a_full_table_forgets_and_still_gives_the_right_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(interned, "LIMIT", 2)
    monkeypatch.setattr(interned, "_LINES", {})
    monkeypatch.setattr(interned, "_SHARED", set())  # the two are emptied together: restore both, not one
    words = shared_said("visits")
    lines = [shared_line("visits", float(n), S.STRUCTURE, words) for n in range(5)]
    assert [line.value for line in lines] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert len(interned._LINES) <= 2


def test_source_maps_are_shared_only_when_keys_order_and_sources_match() -> None:
    first = shared_sources({"visits": S.STRUCTURE, "annual_count": S.SURVEY})
    assert shared_sources({"visits": S.STRUCTURE, "annual_count": S.SURVEY}) is first
    swapped = shared_sources({"annual_count": S.SURVEY, "visits": S.STRUCTURE})
    assert swapped is not first and list(swapped) == ["annual_count", "visits"]
    other = shared_sources({"visits": S.STRUCTURE, "annual_count": S.DEFAULT})
    assert other is not first and other["annual_count"] is S.DEFAULT
