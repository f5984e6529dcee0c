"""Measure and wrap label text for the diagram renderers, without a font engine.

Both renderers (:mod:`reports.svg` at the modeler's coordinates, :mod:`reports.dot`
through graphviz) must decide line breaks themselves: SVG has no automatic
wrapping and graphviz only breaks where we put newlines.  Widths are an
estimate (wide characters one em, the rest a little over half), which is close
enough for the sans-serif CJK fonts the pages ask for.

Breaking is done in two passes.  A greedy pass decides *how many* lines a name
needs at the available width; a balancing pass then looks for the narrowest
width that still gives that many lines, so 「住基システム入力」 comes out as
「住基システム / 入力」 rather than 「住基システム入 / 力」.  Where the name has
natural break points (spaces, after 、・）, before （, where kanji meets katakana)
the balancing pass first tries to break only there.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ELLIPSIS", "LINE_HEIGHT", "OVERFLOW", "FittedText", "fit_text", "measure_text", "wrap_text"]

OVERFLOW = 1.3
"""A word up to this factor wider than the line is kept whole rather than cut."""
LINE_HEIGHT = 1.2
"""Line height as a multiple of the font size (bpmn-js uses the same ratio)."""
ELLIPSIS = "…"
"""Marks a label cut short to fit its shape; the full text goes into the tooltip."""
_FITTED_MEMO = 16384
"""Labels :func:`fit_text` remembers.  A comparison draws the same few hundred leader diagrams with the same task
names in the same boxes again and again; fitting is pure, so each (text, box, sizes) is laid out once a process.
At well under a kilobyte a label the memo stays below a few MiB."""

_NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》”’ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜…,.:;!?)]}")
_NO_LINE_END = set("（「『【〔〈《“‘([{")
_BREAK_AFTER = set("、。，・）」』】〕〉》")
_BREAK_BEFORE = set("（「『【〔〈《")

_Token = tuple[str, bool]
"""A piece that is never split (unless far too wide) and whether whitespace preceded it."""


def _is_wide(ch: str) -> bool:
    """Whether a character takes a full em: East-Asian wide, or ambiguous symbols (○ ※ →)."""
    width = unicodedata.east_asian_width(ch)
    return width in ("W", "F") or (width == "A" and ord(ch) >= 0x2000)


_COMBINING, _WIDE, _NARROW = 0, 1, 2
_CHAR_CLASS: dict[str, int] = {}
"""Each character met so far: combining (no room), wide (1 em) or narrow (0.55 em).  Labels use a few thousand
characters at most, and asking :mod:`unicodedata` twice per character was most of what measuring cost."""


def _char_class(ch: str) -> int:
    """Whether a character takes no room, a full em or a narrow one (looked up once, then remembered)."""
    found = _COMBINING if unicodedata.combining(ch) else _WIDE if _is_wide(ch) else _NARROW
    _CHAR_CLASS[ch] = found
    return found


def measure_text(text: str, font_size: float) -> float:
    """Approximate rendered width: wide characters 1 em, others 0.55 em.

    >>> measure_text("ab", 10)
    11.0
    >>> measure_text("受付", 10)
    20.0
    """
    total = 0.0
    known = _CHAR_CLASS
    for ch in text:
        kind = known.get(ch)
        if kind is None:
            kind = _char_class(ch)
        if kind == _COMBINING:
            continue
        total += font_size if kind == _WIDE else font_size * 0.55
    return total


def _tokens(paragraph: str) -> list[_Token]:
    """Break points of one paragraph: Latin words, single CJK characters.

    Each token carries whether whitespace preceded it.  Closing punctuation is
    glued to the token before it and opening brackets to the token after, so
    that lines never start with 、 or end with 「 (kinsoku).
    """
    tokens: list[_Token] = []
    word = ""
    word_space = False
    pending_space = False

    def push(text: str, space: bool) -> None:
        if tokens and not space and (text[0] in _NO_LINE_START or tokens[-1][0][-1] in _NO_LINE_END):
            previous, previous_space = tokens[-1]
            tokens[-1] = (previous + text, previous_space)
        else:
            tokens.append((text, space))

    for ch in paragraph:
        if ch.isspace():
            if word:
                push(word, word_space)
                word = ""
            pending_space = True
        elif _is_wide(ch):
            if word:
                push(word, word_space)
                word = ""
            push(ch, pending_space)
            pending_space = False
        else:
            if not word:
                word_space = pending_space
                pending_space = False
            word += ch
    if word:
        push(word, word_space)
    return tokens


def _split_long(token: str, width: float, font_size: float, overflow: float = OVERFLOW) -> list[str]:
    """Cut a token that is much wider than a line into pieces that fit (at least one char each).

    A word only a little too wide stays whole: a slight overflow reads better
    than "Non-Interruptin / g".
    """
    if measure_text(token, font_size) <= width * overflow:
        return [token]
    pieces: list[str] = []
    current = ""
    for ch in token:
        if current and measure_text(current + ch, font_size) > width:
            pieces.append(current)
            current = ""
        current += ch
    if current:
        pieces.append(current)
    return pieces


def _greedy(tokens: Sequence[_Token], width: float, font_size: float, overflow: float = OVERFLOW) -> list[str]:
    """Fill each line with as many tokens as fit, cutting only tokens far wider than a line."""
    lines: list[str] = []
    current = ""
    for token, space in tokens:
        joined = f"{current} {token}" if current and space else current + token
        if current and measure_text(joined, font_size) <= width:
            current = joined
            continue
        if current:
            lines.append(current)
        if measure_text(token, font_size) > width:
            *full, current = _split_long(token, width, font_size, overflow)
            lines.extend(full)
        else:
            current = token
    if current:
        lines.append(current)
    return lines


# --------------------------------------------------------------------------- balancing


def _script(ch: str) -> str:
    """Coarse script class for finding word-like runs: kanji, hiragana, katakana, narrow or other."""
    if not _is_wide(ch):
        return "narrow"
    name = unicodedata.name(ch, "")
    if name.startswith("CJK UNIFIED") or ch in "々〆":
        return "kanji"
    if name.startswith("HIRAGANA"):
        return "hiragana"
    if name.startswith("KATAKANA"):  # includes ー, the prolonged sound mark
        return "katakana"
    return "other"


def _natural_break(previous: str, token: _Token, *, strong_only: bool = False) -> bool:
    """Whether a line may break before ``token`` without splitting a word-like run.

    Strong breaks are spaces, after 、・） and before （.  Weak ones fall between
    kanji and katakana (or Latin), never before hiragana, which belongs to the
    run in front of it (「登録証の / 提示あり?」, not 「登録証 / の提示あり?」).
    """
    text, space = token
    last, first = previous[-1], text[0]
    if space or last in _BREAK_AFTER or first in _BREAK_BEFORE:
        return True
    if strong_only or unicodedata.category(last)[0] in "PS" or unicodedata.category(first)[0] in "PS":
        return False
    before, after = _script(last), _script(first)
    return before != after and after != "hiragana"


def _chunks(tokens: Sequence[_Token], *, strong_only: bool = False) -> list[_Token]:
    """Tokens joined between natural break points: the pieces a careful typesetter keeps whole."""
    chunks: list[_Token] = []
    for token in tokens:
        if chunks and not _natural_break(chunks[-1][0], token, strong_only=strong_only):
            chunks[-1] = (chunks[-1][0] + token[0], chunks[-1][1])
        else:
            chunks.append(token)
    return chunks


def _narrowest(tokens: Sequence[_Token], count: int, low: float, high: float, font_size: float) -> float:
    """Smallest width in [low, high] at which greedy filling still gives ``count`` lines.

    ``high`` must give ``count`` lines and no token may be wider than ``low``;
    then the line count only grows as the width shrinks, so bisection works.
    """
    if len(_greedy(tokens, low, font_size)) <= count:
        return low
    while high - low > 0.01:
        middle = (low + high) / 2
        if len(_greedy(tokens, middle, font_size)) <= count:
            high = middle
        else:
            low = middle
    return high


def _orphan(line: str) -> bool:
    """A line holding a single letter, punctuation aside (「合」, 「り?」)."""
    letters = [ch for ch in line if not ch.isspace() and unicodedata.category(ch)[0] not in "PS"]
    return len(letters) <= 1


def _balanced(tokens: Sequence[_Token], width: float, font_size: float) -> list[str]:
    """As many lines as greedy filling needs, but with the breaks placed for even lines.

    Breaks are tried at strong natural points first (spaces, punctuation),
    then also where the script changes, then between any two characters; the
    first that needs no extra line and leaves no single letter alone wins.
    Paragraphs with a token wider than the line keep the greedy result, so a
    long Latin word is handled exactly as before (kept whole or cut).
    """
    greedy = _greedy(tokens, width, font_size)
    count = len(greedy)
    if count < 2:
        return greedy
    widest = max(measure_text(text, font_size) for text, _ in tokens)
    if widest > width:
        return greedy
    for chunks in (_chunks(tokens, strong_only=True), _chunks(tokens)):
        widest_chunk = max(measure_text(text, font_size) for text, _ in chunks)
        if widest_chunk > width or len(_greedy(chunks, width, font_size)) != count:
            continue
        natural = _greedy(chunks, _narrowest(chunks, count, widest_chunk, width, font_size), font_size)
        if not any(_orphan(line) for line in natural):
            return natural
    return _greedy(tokens, _narrowest(tokens, count, widest, width, font_size), font_size)


def wrap_text(
    text: str, width: float, font_size: float, *, balanced: bool = True, overflow: float = OVERFLOW
) -> list[str]:
    """Lines of ``text`` that fit ``width``: per word for Latin, per character for Japanese.

    Explicit line breaks in the name are kept.  The number of lines is what
    greedy filling needs; with ``balanced`` (the default) the breaks are then
    moved so that lines come out about equally long, preferring natural break
    points, instead of leaving one character alone on the last line.  Latin
    words are never cut unless they are far wider than a line
    (``overflow``, by default :data:`OVERFLOW`), in which case the paragraph is
    filled greedily; ``overflow=1`` cuts every word wider than the line.

    >>> wrap_text("Check the application form", 80, 12)
    ['Check the', 'application', 'form']
    >>> wrap_text("住民票の写しの交付", 40, 12)
    ['住民票', 'の写し', 'の交付']
    >>> wrap_text("住基システム入力", 90, 12, balanced=False)
    ['住基システム入', '力']
    >>> wrap_text("住基システム入力", 90, 12)
    ['住基システム', '入力']
    """
    return list(_wrapped(text, width, font_size, balanced, overflow))


@functools.lru_cache(maxsize=_FITTED_MEMO)
def _wrapped(text: str, width: float, font_size: float, balanced: bool, overflow: float) -> tuple[str, ...]:
    """:func:`wrap_text`'s lines, memoised: a diagram's edge labels (はい / いいえ, 受付済) repeat in every
    flow at the same width; a tuple, so that no caller can change what the next one gets."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not paragraph.strip():
            if paragraph and lines:
                lines.append("")
            continue
        tokens = _tokens(paragraph)
        if balanced and overflow == OVERFLOW:
            lines.extend(_balanced(tokens, width, font_size))
        else:
            lines.extend(_greedy(tokens, width, font_size, overflow))
    while lines and not lines[-1]:
        lines.pop()
    return tuple(lines)


# --------------------------------------------------------------------------- fitting a box


@dataclass(frozen=True, slots=True)
class FittedText:
    """A label laid out to fit a box: its lines, the font size used and whether text was cut."""

    lines: tuple[str, ...]
    """Lines to draw, the last one ending in :data:`ELLIPSIS` when ``truncated``."""
    font_size: float
    """Font size the lines were measured at (at most the size asked for)."""
    truncated: bool
    """True when the text did not fit even at the smallest size and was cut short."""

    @property
    def height(self) -> float:
        """Height of the block of lines."""
        return len(self.lines) * self.font_size * LINE_HEIGHT


def _fits(lines: Sequence[str], width: float, height: float, font_size: float) -> bool:
    if len(lines) * font_size * LINE_HEIGHT > height + 0.01:
        return False
    return all(measure_text(line, font_size) <= width + 0.01 for line in lines)


def _ellipsized(line: str, width: float, font_size: float) -> str:
    """``line`` shortened until it fits ``width`` with an ellipsis after it."""
    text = line.rstrip()
    while text and measure_text(text + ELLIPSIS, font_size) > width:
        text = text[:-1].rstrip()
    return text + ELLIPSIS


@functools.lru_cache(maxsize=_FITTED_MEMO)
def fit_text(text: str, width: float, height: float, font_size: float, min_font_size: float) -> FittedText:
    """Lines of ``text`` that fit a ``width`` × ``height`` box: wrap, then shrink, then cut.

    The text is wrapped at ``font_size``; when the lines are too many (or a
    word too wide) the size goes down in half-point steps to ``min_font_size``;
    when even that does not fit, words are cut to the width and the lines that
    do not fit are dropped, the last kept one ending in :data:`ELLIPSIS`.
    A box too small for one line still gets one line, so a label is never
    silently empty.  bpmn-js wraps but lets the text run out of the shape;
    here it stays inside, and the caller keeps the full text in a tooltip.
    The result is memoised (:data:`_FITTED_MEMO` labels) and immutable, so callers may share it.

    >>> fit_text("住民票の写しの交付", 90, 40, 12, 9).lines
    ('住民票の', '写しの交付')
    >>> fitted = fit_text("転入届の受付と本人確認書類の審査と住民票への記載と関係課への連絡", 60, 30, 12, 9)
    >>> fitted.truncated, fitted.font_size, fitted.lines[-1].endswith("…")
    (True, 9.0, True)
    """
    if not text.strip():
        return FittedText((), float(font_size), False)
    width, height = max(width, 1.0), max(height, 1.0)
    ink = measure_text("".join(text.split()), 1.0)  # width of the text at 1 px, spaces and breaks aside
    size = float(font_size)
    while size >= min_font_size:
        # cheap necessary condition first: all the ink must fit into the lines the box holds
        if ink * size <= width * math.floor((height + 0.01) / (size * LINE_HEIGHT)):
            lines = wrap_text(text, width, size)
            if _fits(lines, width, height, size):
                return FittedText(tuple(lines), size, False)
        size -= 0.5
    size = float(min(font_size, min_font_size))
    room = max(1, math.floor((height + 0.01) / (size * LINE_HEIGHT)))
    # only the first lines are shown: wrap a prefix long enough to fill them, not a whole novel
    prefix = text[: int(room * width / (size * 0.5)) + 2]
    lines = wrap_text(prefix, width, size, overflow=1.0)
    if len(prefix) == len(text) and len(lines) <= room:
        return FittedText(tuple(lines), size, False)
    kept = lines[:room]
    kept[-1] = _ellipsized(kept[-1], width, size)
    return FittedText(tuple(kept), size, True)
