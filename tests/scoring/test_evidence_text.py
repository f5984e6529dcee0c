"""Evidence lines carry a sentence id and values; the words are made in the reader's language (issue 10 item 4)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.evidence_text import TEMPLATES, said
from scoring.profile import load_profile
from scoring.result import Evidence
from scoring.survey import load_survey

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_sentence_has_both_languages_with_the_same_values() -> None:
    for key, (ja, en) in TEMPLATES.items():
        if key == "bilingual":  # a sentence the legal lexicon already wrote in both languages
            continue
        assert {f.removesuffix("_en") for f in _fields(ja)} == {f.removesuffix("_en") for f in _fields(en)}, key
        assert JAPANESE.search(ja), key


def test_an_unknown_sentence_is_a_bug() -> None:
    with pytest.raises(KeyError):
        said("no-such-sentence")


@pytest.fixture(scope="module")
def sample_evidence(flows_dir: Path) -> list[Evidence]:
    paths = sorted(flows_dir.glob("*.bpmn"))
    result = assess([read_bpmn(p) for p in paths], survey=load_survey(flows_dir / "survey.xlsx"),
                    profile=load_profile(None))
    return [e for p in result.processes for s in p.steps for e in s.evidence]


def test_every_evidence_line_of_the_sample_reads_in_japanese_and_english(sample_evidence: list[Evidence]) -> None:
    assert len(sample_evidence) > 1000
    kinds = set()
    for evidence in sample_evidence:
        words = evidence.said
        assert words is not None, evidence
        kinds.add(words.key)
        ja, en = words.text("ja"), words.text("en")
        if words.key != "bilingual":  # legal-lexicon claims keep their Japanese as detail, as before
            assert en == evidence.detail  # the JSON export keeps the English
            assert JAPANESE.search(ja), ja
            assert not re.search(r"\b(name contains|profile default|BPMN property|task type|lane|visits)\b", ja), ja
    assert {"survey-cell", "routine-formula", "volume-scale", "visits"} <= kinds


def test_values_stay_the_same_in_both_languages() -> None:
    words = said("survey-cell", line=12, column="処理時間(分)")
    assert words.text("ja") == "調査票 12行目: 処理時間(分)" and words.text("en") == "調査票 row 12: 処理時間(分)"
    lane = said("counter-lane", lane="窓口<b>")
    assert "窓口<b>" in lane.text("ja") and "窓口<b>" in lane.text("en")  # user names as written (escaped on the page)


@pytest.mark.parametrize("line", [1, 76, 65_537, "12", 3.0, True])
@pytest.mark.parametrize("column", ["件数", "入力形式 = 電子", "", "{line}", "=cmd|' /C calc'!A0", "a_en"])
def test_survey_cell_sentence_is_said_s(line: object, column: str) -> None:
    """The direct survey-cell sentence equals the general one: same fields, values, text in both languages."""
    from scoring.evidence_text import survey_cell

    built = survey_cell(line, column)
    general = said("survey-cell", line=line, column=column)
    assert built == general and hash(built) == hash(general) and repr(built) == repr(general)
    assert (built.text("ja"), built.en) == (general.text("ja"), general.en)
