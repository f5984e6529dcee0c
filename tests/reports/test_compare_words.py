"""The trie pattern finds what the plain alternation of the same words (longest first) finds, at the same place.

Why: :func:`reports.compare_anon.check_published` switched from the alternation to the trie to stay linear in
the pages at national size; which file and which kind of secret it reports must not change.
"""

from __future__ import annotations

import random
import re

import pytest

from bpm.errors import BpmError
from reports import compare_anon
from reports.compare_anon import check_published
from reports.compare_words import trie_pattern

ALPHABET = "ab甲市c&<"


def _flat(words: list[bytes]) -> re.Pattern[bytes]:
    return re.compile(b"|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@pytest.mark.parametrize("seed", range(5))
def test_the_trie_finds_the_leftmost_longest_word_like_the_alternation(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        words = sorted({"".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6))).encode()
                        for _ in range(rng.randint(1, 12))})
        text = "".join(rng.choice(ALPHABET + "xyz>") for _ in range(rng.randint(0, 40))).encode()
        flat, trie = _flat(words).search(text), trie_pattern(words).search(text)
        assert (flat is None) == (trie is None), (words, text)
        if flat is not None and trie is not None:
            assert (flat.span(), flat.group(0)) == (trie.span(), trie.group(0)), (words, text)


def test_words_that_prefix_each_other_and_regex_characters() -> None:
    words = [b"a.b", b"a.bc", b"a", b"(x)", b"\\"]
    pattern = trie_pattern(words)
    assert pattern.search(b"zza.bcd").group(0) == b"a.bc"
    assert pattern.search(b"zza.d").group(0) == b"a"
    assert pattern.search(b"q(x)").group(0) == b"(x)" and pattern.search(b"axb").group(0) == b"a"
    assert pattern.search(b"\\").group(0) == b"\\" and pattern.search(b"xyz") is None


def test_no_words_or_an_empty_word_are_refused() -> None:
    with pytest.raises(ValueError):
        trie_pattern([])
    with pytest.raises(ValueError):
        trie_pattern([b"a", b""])


def _refusal(files: dict[str, bytes], names: list[str], notes: list[str]) -> str:
    with pytest.raises(BpmError) as raised:
        check_published(files, names, notes)
    return f"{raised.value.file}: {raised.value}"


FILES = {"b.html": "<p>窓口の混雑が激しい</p>".encode(), "a.html": "<p>乙町 &amp; 甲市</p>".encode(),
         "c.html": b"<p>C-1</p>"}


@pytest.mark.parametrize("left_out", ["", "a.html"])
def test_the_check_refuses_with_the_message_the_alternation_gave(left_out: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    files = {k: v for k, v in FILES.items() if k != left_out}
    names, notes = ["甲市", "乙町", "甲"], ["窓口の混雑が激しい"]
    found = _refusal(files, names, notes)
    monkeypatch.setattr(compare_anon, "trie_pattern", _flat)
    assert found == _refusal(files, names, notes)
    assert found.startswith("b.html" if left_out else "a.html")


def test_the_check_passes_a_clean_site() -> None:
    check_published({"c.html": FILES["c.html"]}, ["甲市"], ["窓口の混雑が激しい"])
