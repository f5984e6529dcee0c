"""Word signals: normalisation, longest-match shadowing, English word starts."""

from __future__ import annotations

import pytest

from scoring.lexicon import Lexicon, compile_lexicon, normalize_name
from scoring.profile import WordList, load_profile


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return compile_lexicon(load_profile().lexicon)


def test_normalize_folds_width_case_and_every_space() -> None:
    assert normalize_name("ＡＢＣ１２３") == normalize_name("abc123") == "abc123"
    assert normalize_name("住基システム　入力") == normalize_name("住基システム 入力") == "住基システム入力"
    assert normalize_name("照合･決裁") == normalize_name("照合・決裁")
    assert normalize_name(" Enter\tData\n") == "enterdata"


@pytest.mark.parametrize(
    ("name", "signal", "expected"),
    [
        ("記載内容審査", "judgment", ("審査",)),
        ("記載内容審査", "legal_authority", ("審査",)),
        ("住基システム入力", "routine", ("入力",)),
        ("交付可否判断", "legal_authority", ("交付可否", "可否判断")),
        ("交付可否判断", "judgment", ("交付可否", "可否判断")),
        ("要件確認", "judgment", ("要件確認",)),
        ("受理照会", "legal_authority", ("受理",)),
        ("関係課案内・完了説明", "face_to_face", ("案内", "説明")),
    ],
)
def test_japanese_words(lexicon: Lexicon, name: str, signal: str, expected: tuple[str, ...]) -> None:
    assert lexicon.words(name, signal) == expected


def test_handing_over_alone_is_not_public_authority(lexicon: Lexicon) -> None:
    """交付 (handing over) is a factual act; 交付決定 / 交付可否 is a decision (domain §3)."""
    assert not lexicon.matches("交付", "legal_authority")
    assert lexicon.matches("交付", "face_to_face")
    assert lexicon.matches("火葬許可証交付", "face_to_face")
    assert not lexicon.matches("火葬許可証交付", "legal_authority")
    assert lexicon.words("交付決定", "legal_authority") == ("交付決定",)
    assert not lexicon.matches("交付決定", "face_to_face"), "the longer word shadows 交付"


def test_formal_check_is_routine_requirement_check_is_judgment(lexicon: Lexicon) -> None:
    assert lexicon.matches("形式的確認", "routine")
    assert not lexicon.matches("形式的確認", "judgment")
    assert lexicon.matches("要件確認", "judgment")
    assert not lexicon.matches("要件確認", "routine")


def test_document_words_shadow_inquiry(lexicon: Lexicon) -> None:
    """照会書送付 is mailing a letter, not a formal inquiry decision."""
    assert lexicon.words("照会書送付", "routine") == ("照会書", "送付")
    assert not lexicon.matches("照会書送付", "judgment")


@pytest.mark.parametrize(
    ("name", "signal"),
    [
        ("Enter application data", "routine"),
        ("Transcribe the form", "routine"),
        ("Verify entries", "routine"),
        ("Reconcile fees", "routine"),
        ("Print certificate", "routine"),
        ("Enclose and dispatch", "routine"),
        ("Examine the notification", "judgment"),
        ("Review eligibility", "judgment"),
        ("Decide whether to issue", "judgment"),
        ("Approve", "judgment"),
        ("Consult with resident", "judgment"),
        ("Investigate ex officio", "legal_authority"),
        ("Reception", "face_to_face"),
        ("Hand over certificate", "face_to_face"),
        ("Hand-over certificate", "face_to_face"),
        ("Guide to other desks", "face_to_face"),
        ("Identity check", "face_to_face"),
    ],
)
def test_english_equivalents(lexicon: Lexicon, name: str, signal: str) -> None:
    assert lexicon.matches(name, signal), (name, signal)


def test_english_words_match_at_word_start_only() -> None:
    lexicon = compile_lexicon({"routine": WordList((), ("print", "issue"), ""), "system": WordList(("CS",), (), "")})
    assert lexicon.matches("Printing", "routine")
    assert not lexicon.matches("Blueprint review", "routine")
    assert not lexicon.matches("tissue sample", "routine")
    assert lexicon.matches("CS更新", "system")
    assert lexicon.matches("住基ＣＳ", "system"), "full-width letters fold to ASCII"
    assert not lexicon.matches("docs", "system"), "ASCII tokens in the Japanese list do not match inside words"


def test_compiled_words_are_shared_only_when_every_field_is_the_same() -> None:
    from scoring.lexicon import Word, compile_words

    first = compile_words([Word("routine", "入力", "ja", "list A")])
    assert compile_words([Word("routine", "入力", "ja", "list A")]) is first
    for changed in (Word("judgment", "入力", "ja", "list A"), Word("routine", "入力", "ja", "list B"),
                    Word("routine", "審査", "ja", "list A"), Word("routine", "入力", "en", "list A")):
        other = compile_words([changed])
        assert other is not first
        assert [(h.signal, h.word, h.lang, h.source) for h in other.hits("入力審査")] == [
            (changed.signal, changed.word, changed.lang, changed.source)]
    assert [(h.signal, h.source) for h in first.hits("入力")] == [("routine", "list A")]
