"""Tests for reports.text: label width estimate and (balanced) line breaking."""

from __future__ import annotations

import dataclasses
import doctest
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import reports.text
from reports.text import ELLIPSIS, LINE_HEIGHT, OVERFLOW, fit_text, measure_text, wrap_text

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


# --------------------------------------------------------------------------- fitting a box


@given(
    st.text(alphabet=st.sampled_from(_ALPHABET), max_size=120),
    st.integers(10, 200),
    st.integers(10, 120),
)
def test_fitted_text_stays_in_its_box_and_loses_nothing_unless_it_says_so(text: str, width: int, height: int) -> None:
    fitted = fit_text(text, width, height, 12, 9)
    assert 9 <= fitted.font_size <= 12
    for line in fitted.lines:  # a lone character wider than the box is the one thing that cannot shrink further
        assert measure_text(line, fitted.font_size) <= width + 0.01 or len(line.rstrip(ELLIPSIS)) <= 1
    if len(fitted.lines) > 1:
        assert fitted.height <= height + 0.01
    if fitted.truncated:
        assert fitted.lines[-1].endswith(ELLIPSIS)
        shown = _squash("".join(fitted.lines))[: -len(ELLIPSIS)]
        assert _squash(text).startswith(shown)
    else:
        assert _squash("".join(fitted.lines)) == _squash(text)


def test_fit_prefers_the_full_size_then_shrinks_then_cuts() -> None:
    assert fit_text("受付", 90, 40, 12, 9).font_size == 12
    name = "転入届の受付と本人確認書類の審査と住民票への記載"  # 24 wide characters
    shrunk = fit_text(name, 90, 40, 12, 9)
    assert not shrunk.truncated and 9 <= shrunk.font_size < 12
    assert len(shrunk.lines) * shrunk.font_size * LINE_HEIGHT <= 40
    cut = fit_text(name * 4, 90, 40, 12, 9)
    assert cut.truncated and cut.font_size == 9 and cut.lines[-1].endswith(ELLIPSIS)


def test_fit_handles_a_very_long_name_quickly_and_in_few_lines() -> None:
    """A 5,400-character name (issue 8's hostile input) becomes a few lines, not thousands."""
    fitted = fit_text("あ" * 5400, 90, 70, 12, 9)
    assert fitted.truncated and len(fitted.lines) <= 6


def test_fit_gives_no_lines_for_empty_text() -> None:
    assert fit_text("  \n ", 90, 40, 12, 9).lines == ()


@given(
    st.text(alphabet=st.sampled_from(_ALPHABET), max_size=120),
    st.integers(10, 200),
    st.integers(10, 120),
    st.sampled_from([(12, 9), (11, 11), (12, 12 * 0.75), (10.5, 8)]),
)
def test_memoised_fit_equals_the_fit_itself(text: str, width: int, height: int, sizes: tuple[float, float]) -> None:
    """The memo may hand back a label laid out for 90 when asked for 90.0 (equal keys): the same either way."""
    expected = fit_text.__wrapped__(text, width, height, *sizes)
    assert fit_text(text, width, height, *sizes) == expected
    assert fit_text(text, float(width), float(height), *sizes) == expected  # now from the memo
    assert fit_text(text, width + 0.25, height - 0.5, *sizes) == fit_text.__wrapped__(
        text, width + 0.25, height - 0.5, *sizes)


@given(
    st.text(alphabet=st.sampled_from(_ALPHABET), max_size=80),
    st.integers(20, 200),
    st.sampled_from([(True, OVERFLOW), (False, OVERFLOW), (True, 1.0)]),
)
def test_memoised_wrap_equals_the_wrap_itself(text: str, width: int, how: tuple[bool, float]) -> None:
    balanced, overflow = how
    expected = list(reports.text._wrapped.__wrapped__(text, width, 11, balanced, overflow))
    assert wrap_text(text, width, 11, balanced=balanced, overflow=overflow) == expected
    assert wrap_text(text, float(width), 11.0, balanced=balanced, overflow=overflow) == expected


def test_a_caller_changing_its_lines_does_not_change_the_next_callers() -> None:
    lines = wrap_text("住民票の写しの交付", 40, 12)
    lines.append("x")
    lines[0] = "y"
    assert wrap_text("住民票の写しの交付", 40, 12) == ["住民票", "の写し", "の交付"]


def _measured_without_memo(text: str, font_size: float) -> float:
    total = 0.0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width = unicodedata.east_asian_width(ch)
        wide = width in ("W", "F") or (width == "A" and ord(ch) >= 0x2000)
        total += font_size if wide else font_size * 0.55
    return total


@given(st.text(max_size=40), st.sampled_from([7, 9.5, 11, 12, 13.2]))
def test_measuring_with_remembered_characters_gives_the_same_floats(text: str, font_size: float) -> None:
    assert measure_text(text, font_size) == _measured_without_memo(text, font_size)  # equal, not approximately
    assert measure_text(text, font_size) == _measured_without_memo(text, font_size)  # every character known now


def test_a_memoised_fit_cannot_be_changed_by_the_caller_who_got_it() -> None:
    fitted = fit_text("住民票の写しの交付", 90, 40, 12, 9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fitted.font_size = 9  # type: ignore[misc]
    assert isinstance(fitted.lines, tuple)
    assert fit_text("住民票の写しの交付", 90, 40, 12, 9) is fitted


# --------------------------------------------------------------------------- docs


def test_docstring_examples() -> None:
    result = doctest.testmod(reports.text)
    assert result.attempted >= 8 and result.failed == 0
