"""Tests for reports.text: label width estimate and (balanced) line breaking."""

from __future__ import annotations

import doctest
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import reports.text
from reports.text import OVERFLOW, measure_text, wrap_text

# Names from the sample flows that greedy filling left with one character on the last line,
# with the width and font size the SVG renderer wraps them at (task box 100 − padding, external label 90).
ORPHANED = [
    pytest.param("住基システム入力", 90, 12, id="task-住基システム入力"),
    pytest.param("証明書作成・照合", 90, 12, id="task-証明書作成・照合"),
    pytest.param("登録証の提示あり?", 90, 11, id="label-登録証の提示あり?"),
    pytest.param("登録不可（期限切れ)", 90, 11, id="label-登録不可（期限切れ)"),
]


def _letters(line: str) -> int:
    return sum(1 for ch in line if not ch.isspace() and unicodedata.category(ch)[0] not in "PS")


def _squash(text: str) -> str:
    return "".join(text.split())


# --------------------------------------------------------------------------- measuring


def test_measure_text_counts_wide_characters_as_one_em() -> None:
    assert measure_text("受付", 12) == 24
    assert measure_text("ab", 10) == pytest.approx(11)
    assert measure_text("※→", 10) == 20  # ambiguous-width symbols are drawn wide by CJK fonts
    assert measure_text("e\u0301", 10) == pytest.approx(5.5)  # a combining accent takes no room


# --------------------------------------------------------------------------- greedy behaviour kept


def test_wrap_latin_per_word_and_japanese_per_character() -> None:
    for balanced in (True, False):
        assert wrap_text("Check the application form", 80, 12, balanced=balanced) == [
            "Check the",
            "application",
            "form",
        ]
        assert wrap_text("住民票の写しの交付", 40, 12, balanced=balanced) == ["住民票", "の写し", "の交付"]
        assert wrap_text("受付\n本人確認", 500, 12, balanced=balanced) == ["受付", "本人確認"]
        # kinsoku: a line never starts with 、 or 。
        lines = wrap_text("届出書、本人確認書類、委任状。", 36, 12, balanced=balanced)
        assert all(not line.startswith(("、", "。")) for line in lines)


def test_greedy_is_what_it_was() -> None:
    """balanced=False keeps the old first-fit result that the balancing improves on."""
    assert wrap_text("住基システム入力", 90, 12, balanced=False) == ["住基システム入", "力"]
    assert wrap_text("登録証の提示あり?", 90, 11, balanced=False) == ["登録証の提示あ", "り?"]


def test_overlong_word_is_cut_or_kept_as_before() -> None:
    """A word wider than the line is handled by the greedy rules in both modes."""
    for text, width in (("Non-Interrupting", 90), ("Supercalifragilisticexpialidocious form", 60)):
        assert wrap_text(text, width, 12) == wrap_text(text, width, 12, balanced=False)
    assert wrap_text("Non-Interrupting", 90, 12) == ["Non-Interrupting"]  # only a little too wide: whole


# --------------------------------------------------------------------------- balancing


@pytest.mark.parametrize(("text", "width", "font_size"), ORPHANED)
def test_balanced_leaves_no_orphan_and_keeps_the_line_count(text: str, width: float, font_size: float) -> None:
    greedy = wrap_text(text, width, font_size, balanced=False)
    assert _letters(greedy[-1]) == 1, "the example should show the defect being fixed"
    lines = wrap_text(text, width, font_size)
    assert len(lines) == len(greedy)
    assert all(_letters(line) >= 2 for line in lines)
    assert _squash("".join(lines)) == _squash(text)
    assert all(measure_text(line, font_size) <= width for line in lines)


def test_balanced_prefers_natural_break_points() -> None:
    assert wrap_text("住基システム入力", 90, 12) == ["住基システム", "入力"]  # kanji | katakana run
    assert wrap_text("証明書作成・照合", 90, 12) == ["証明書作成・", "照合"]  # after ・
    assert wrap_text("登録証の提示あり?", 90, 11) == ["登録証の", "提示あり?"]  # hiragana stays with its word
    assert wrap_text("登録不可（期限切れ)", 90, 11) == ["登録不可", "（期限切れ)"]  # before （
    assert wrap_text("カード継続利用処理", 90, 12) == ["カード", "継続利用処理"]  # not 「カード継続利用 / 処理」
    assert wrap_text("マイナンバーカードあり?", 90, 11) == ["マイナンバー", "カードあり?"]
    assert wrap_text("Receive Credit Card", 80, 12) == ["Receive", "Credit Card"]


def test_punctuation_breaks_win_over_script_changes() -> None:
    text = "異動連絡票は紙で各課へ回付（各課で再入力）"
    assert wrap_text(text, 180, 12) == ["異動連絡票は紙で各課へ回付", "（各課で再入力）"]


def test_natural_break_that_would_orphan_falls_back_to_even_characters() -> None:
    # the only natural break leaves 「印」 alone; even halves are better
    assert wrap_text("審査済み印", 48, 12, balanced=False) == ["審査済み", "印"]
    assert wrap_text("審査済み印", 48, 12) == ["審査済", "み印"]


def test_paragraphs_are_balanced_separately() -> None:
    assert wrap_text("住基システム入力\n受付", 90, 12) == ["住基システム", "入力", "受付"]


_ALPHABET = list("abc XYZ 住民票写交付シテムカード、。・（）の?\n")


@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=60), st.integers(20, 200))
def test_wrap_keeps_every_character_and_respects_width(text: str, width: int) -> None:
    lines = wrap_text(text, width, 12)
    assert _squash("".join(lines)) == _squash(text)
    for line in lines:
        assert measure_text(line, 12) <= width * OVERFLOW or len(line) == 1


@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=60), st.integers(20, 200))
def test_balanced_needs_exactly_as_many_lines_as_greedy(text: str, width: int) -> None:
    assert len(wrap_text(text, width, 12)) == len(wrap_text(text, width, 12, balanced=False))


@given(st.lists(st.sampled_from(["form", "check", "the", "application", "ID", "e-mail"]), min_size=1, max_size=8))
def test_balanced_never_breaks_a_latin_word_that_fits(words: list[str]) -> None:
    text = " ".join(words)
    lines = wrap_text(text, 90, 12)
    assert [word for line in lines for word in line.split(" ")] == words


# --------------------------------------------------------------------------- docs


def test_docstring_examples() -> None:
    result = doctest.testmod(reports.text)
    assert result.attempted >= 6 and result.failed == 0
