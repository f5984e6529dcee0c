"""The assumptions behind a step's visits read in Japanese on the Japanese page (issue 10 item 4).

bpm/visits.py records each assumption (a branch without a probability, an event that fires with the default
probability…) as a catalogue message; VisitResult carries it in English (``assumptions``, as before) and in
Japanese (``assumptions_ja``), and the evidence line "expected executions per case" uses the one of the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from bpm.reader import read_bpmn
from bpm.visits import expected_visits
from scoring.evidence_text import said

FLOWS = Path(__file__).resolve().parents[2] / "flows"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"\b(assumed|probability|split evenly|each|remaining|ignored)\b")


def test_every_assumption_has_a_japanese_twin() -> None:
    seen = 0
    for path in sorted(FLOWS.glob("*.bpmn")):
        definitions = read_bpmn(path)
        for process_id in definitions.processes:
            result = expected_visits(definitions, process_id, boundary_default=0.05)
            assert len(result.assumptions) == len(result.assumptions_ja), path
            for english, japanese in zip(result.assumptions, result.assumptions_ja, strict=True):
                seen += 1
                assert ENGLISH_WORDS.search(english), english
                assert JAPANESE.search(japanese) and not ENGLISH_WORDS.search(japanese), japanese
                # ids and numbers are the same in both
                assert re.findall(r"\b(?:Flow|Gateway|Event|Activity)_\w+", english) == re.findall(
                    r"\b(?:Flow|Gateway|Event|Activity)_\w+", japanese)
    assert seen > 10


def test_the_evidence_line_of_the_visits_is_in_the_page_language() -> None:
    definitions = read_bpmn(FLOWS / "inkan.bpmn")
    result = expected_visits(definitions, next(iter(definitions.processes)))
    english = "; ".join(result.assumptions)
    words = said("visits-assumed", assumptions="；".join(result.assumptions_ja), assumptions_en=english)
    assert words.text("en") == f"expected executions per case from the flow ({english})"
    assert words.text("ja").startswith("フローから求めた1件あたりの実行回数（") and "assumed" not in words.text("ja")
