"""One regular expression that finds any of many byte strings in time linear in the text: a trie of them.

Why: an anonymised national comparison searches ≈ 500 MB of pages for ≈ 5,000 city names and notes
(:func:`reports.compare_anon.check_published`).  An alternation of the words (``a|b|c…``) makes the regex engine
try every word at every position: 300 cities took 21 CPU-s, and 1,741 would take ≈ 12 minutes (words × bytes).
Sharing prefixes in nested groups leaves, at each position, one branch per distinct next byte, and the engine's
first-byte check skips most positions at once.

The match is the one the flat alternation of the words sorted longest first gives: the leftmost, and there the
longest word (each branch is chosen by the next byte, and a word that ends at a node is tried after every longer
word through it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = -1
"""The trie key marking a word that ends at a node."""

_Trie = dict[int, "_Trie"]


def trie_pattern(words: Iterable[bytes]) -> re.Pattern[bytes]:
    """A compiled pattern matching any of ``words`` (at least one, none empty), longest first at a position.

    >>> trie_pattern([b"ab", b"abcd", b"b"]).search(b"xabcde").group(0)
    b'abcd'
    >>> trie_pattern([b"ab", b"abcd", b"b"]).search(b"xabce").group(0)
    b'ab'
    """
    root: _Trie = {}
    for word in words:
        if not word:
            raise ValueError("an empty word matches everywhere")
        node = root
        for byte in word:
            node = node.setdefault(byte, {})
        node[_END] = {}
    if not root:
        raise ValueError("no words")
    return re.compile(_regex(root))


def _regex(node: _Trie) -> bytes:
    """The node's words as a regex: runs of single-child nodes as one literal, longer continuations first."""
    branches = []
    for byte in sorted(b for b in node if b != _END):
        run = bytearray([byte])
        child = node[byte]
        while len(child) == 1 and _END not in child:  # a chain: no word ends here and only one way on
            (next_byte, child), = child.items()
            run.append(next_byte)
        branches.append(re.escape(bytes(run)) + (_regex(child) if child.keys() - {_END} else b""))
    if _END in node and branches:
        branches.append(b"")  # the shorter word, only when no longer one matches
    if len(branches) == 1:
        return branches[0]
    return b"(?:" + b"|".join(branches) + b")"
