"""Start-tag line numbers that libxml2 gets wrong, worked out from the bytes.

Errors and findings name the line of an element; libxml2 gives the line where
a start tag ends and saturates at 65,535.  This module finds the elements
whose line needs correcting (few or none in most files) by a numpy scan of the bytes.
"""

from __future__ import annotations

import re
from itertools import compress

import numpy as np
import numpy.typing as npt
from lxml import etree

_SKIPPED_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^>]*>", re.DOTALL)
_LT, _GT, _NL = ord("<"), ord(">"), ord("\n")
_SLASH, _BANG, _QUERY = ord("/"), ord("!"), ord("?")
"""What follows the ``<`` of an end tag, a comment, CDATA, a DOCTYPE or a processing instruction."""
_LIBXML2_LAST_EXACT_LINE = 65_534
"""libxml2 keeps line numbers in 16 bits: past this line it borrows a neighbouring text node's (see below)."""


def _start_tag_lines(root: etree._Element, data: bytes) -> dict[etree._Element, int]:
    """The line of the ``<`` of each element whose start tag spans lines (libxml2's line is right for the others).

    libxml2 numbers an element by the line where its start tag *ends*, which is
    several lines too far for tools that write one attribute per line (ADONIS).
    From line 65,535 on its 16-bit line saturates and it borrows the line where
    a neighbouring text node ends (the text after the tag, or inside it): one
    line too many after a tag followed by one newline, three after three
    newlines, the next element's line when none follows — no fixed offset that
    could be subtracted, so those elements are numbered from the bytes too.  Outside comments,
    CDATA and processing instructions every ``<`` that is not ``</`` or ``<!``
    opens an element (XML allows no raw ``<`` in text or
    attribute values), so the n-th such ``<`` is the n-th element.  The scan is
    done by numpy over the bytes (a loop in Python cost as much as parsing),
    and only elements that need a correction get an entry: holding every
    element of a large file in a dict cost more than the rest of the scan.
    Empty when the lines cannot be worked out (libxml2's lines are used then).
    """
    encoding = (root.getroottree().docinfo.encoding or "utf-8").lower()
    if encoding not in ("utf-8", "utf8", "ascii", "us-ascii"):
        try:  # UTF-16 and friends: the bytes of '<' and newline differ; count in a UTF-8 copy
            data = data.decode(encoding).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            return {}
    if _all_start_tags_on_one_line(data):
        return {}
    view = np.frombuffer(data, dtype=np.uint8)
    opens = np.flatnonzero(view == _LT)
    closes = np.flatnonzero(view == _GT)
    following = view[np.minimum(opens + 1, len(view) - 1)]
    is_start = (following != _SLASH) & (following != _BANG) & (following != _QUERY)
    newlines = np.flatnonzero(view == _NL)
    if b"<!" not in data and len(opens) == len(closes):
        # No comment or CDATA, and no '>' outside markup: the n-th '>' ends the n-th tag, so a start
        # tag spans lines exactly when a newline lies between its '<' and its '>'.
        first = np.searchsorted(newlines, opens[is_start])
        last = np.searchsorted(newlines, closes[is_start])
        wrong = (first != last) | (last >= _LIBXML2_LAST_EXACT_LINE)
        if not wrong.any():
            return {}
        return _lines_of(root, first + 1, wrong)
    starts = opens[is_start]
    if b"<!" in data or data.count(b"<?") > 1:  # comments, CDATA or PIs past the declaration may hold a '<'
        starts = _outside(starts, [match.span() for match in _SKIPPED_MARKUP.finditer(data)])
    return _lines_of(root, np.searchsorted(newlines, starts) + 1, None)


def _all_start_tags_on_one_line(data: bytes) -> bool:
    """True when libxml2's line is right for every element, found without numpy (most files).

    The bytes are reduced to their ``<``, ``>`` and newlines (one C pass); when
    that is ``<>`` pairs with newlines only between them, no tag spans lines, and
    with fewer than 65,534 newlines no line passes libxml2's 16 bits.  Comments,
    CDATA and processing instructions may hold a ``<`` or ``>``: such files, and
    any other shape, take the exact scan.
    """
    if b"<!" in data or data.count(b"<?") > 1 or data.count(b"\n") >= _LIBXML2_LAST_EXACT_LINE:
        return False  # the newline count first: a long file takes the exact scan anyway, so no copy is made for it
    markup = data.translate(None, _NOT_MARKUP)
    if b"<\n" in markup:
        return False
    brackets = markup.translate(None, b"\n")
    return brackets == b"<>" * (len(brackets) // 2)


_NOT_MARKUP = bytes(sorted(set(range(256)) - set(b"<>\n")))
"""Every byte but ``<``, ``>`` and newline: what :func:`_all_start_tags_on_one_line` deletes."""


def _lines_of(
    root: etree._Element, lines: npt.NDArray[np.intp], wanted: npt.NDArray[np.bool_] | None
) -> dict[etree._Element, int]:
    """Element (in document order) → line, for the elements ``wanted`` (all when None); {} if the counts differ.
    ``compress`` picks the wanted ones in C (a comprehension over indices cost 1 s at
    100,000 tasks, where 1.7 million of 2.2 million elements lie past line 65,534)."""
    elements = list(root.iter(etree.Element))
    if len(elements) != len(lines):
        return {}
    if wanted is None:
        return dict(zip(elements, lines.tolist(), strict=True))
    return dict(zip(compress(elements, wanted.tolist()), lines[wanted].tolist(), strict=True))


def _outside(positions: npt.NDArray[np.intp], spans: list[tuple[int, int]]) -> npt.NDArray[np.intp]:
    """The positions that fall in none of the (sorted, disjoint) half-open spans."""
    if not spans:
        return positions
    begins = np.array([begin for begin, _ in spans])
    ends = np.array([end for _, end in spans])
    index = np.searchsorted(begins, positions, side="right") - 1
    inside = (index >= 0) & (positions < ends[np.maximum(index, 0)])
    return positions[~inside]
