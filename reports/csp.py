"""A Content-Security-Policy for every page, computed from the page itself.

The pages run one script, ``static/site.js``, and load two stylesheets from
``static/``; nothing else may run or load.  The few inline styles a page needs
(the diagram's ``<style>`` element, the tint of a step, the width of a bar)
are allowed one by one through their SHA-256 hashes, computed here at build
time from the finished page, so ``'unsafe-inline'`` is never needed: markup a
name might smuggle in (it cannot, it is escaped) could still neither run a
script, set a handler, load an image from elsewhere nor restyle the page.

The policy travels in a ``<meta http-equiv>`` tag because the site is opened
from ``file://`` and from plain intranet folders where no server sets
headers.  A meta policy cannot carry ``frame-ancestors`` or reporting
endpoints; violations are reported to the browser console (and as
``securitypolicyviolation`` events).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import re
from collections.abc import Callable, Iterator, Sequence
from html.parser import HTMLParser

from markupsafe import Markup

__all__ = ["PLACEHOLDER", "apply_policy", "policy_for"]

PLACEHOLDER = Markup("<bpm-csp>")
"""Put in the template's meta tag and replaced by the page's policy; escaped user text never contains it."""

_FIXED = (
    "default-src 'none'",
    "script-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
)


class _InlineStyles(HTMLParser):
    """Collects the text of ``<style>`` elements and the values of ``style`` attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[str] = []
        self.attributes: list[str] = []
        self._in_style = False
        self._svg_depth = 0
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "style" and value is not None:
                self.attributes.append(value)
        if tag == "svg":
            self._svg_depth += 1
        if tag == "style":
            self._in_style = True
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._in_style:
            raw = "".join(self._buffer)
            self.elements.append(raw)
            if self._svg_depth:  # inside SVG, a browser decodes character references in <style> text
                self.elements.append(html.unescape(raw))
            self._in_style = False
        if tag == "svg" and self._svg_depth:
            self._svg_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._buffer.append(data)


_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(/?)>"""
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_DOCTYPE = re.compile(r"<!doctype[^>]*>", re.IGNORECASE)
_RAW_TEXT = HTMLParser.CDATA_CONTENT_ELEMENTS
"""Elements whose content the full parser takes as raw text (``script``, ``style``)."""


def _inline_styles_fast(page: str) -> tuple[list[str], list[str]] | None:
    """What :class:`_InlineStyles` collects, for pages of plain well-formed markup, or None to parse fully.

    The pages we write are plain markup: every tag quoted and escaped, no
    comments, no inline script.  Scanning them with two regular expressions
    is about a hundred times faster than :mod:`html.parser` (which was a
    quarter of a scan's time for 1 MB flow pages).  Anything else on the
    page — a comment, a character that does not start a tag, text inside a
    raw-text element — returns None, and the full parser decides.
    """
    elements: list[str] = []
    attributes: list[str] = []
    svg_depth = 0
    position = 0
    while True:
        start = page.find("<", position)
        if start < 0:
            return elements, attributes
        doctype = _DOCTYPE.match(page, start)
        if doctype is not None:
            position = doctype.end()
            continue
        tag = _TAG.match(page, start)
        if tag is None:
            return None
        closing, name, attribute_text, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3), tag.group(4)
        position = tag.end()
        if closing:
            if name == "svg" and svg_depth:
                svg_depth -= 1
            continue
        for attribute in _ATTRIBUTE.finditer(attribute_text):
            if attribute.group(1).lower() == "style":
                value = next((v for v in attribute.group(2, 3, 4) if v is not None), None)
                if value is not None:
                    attributes.append(html.unescape(value))
        if name == "svg" and not self_closing:
            svg_depth += 1
        if name in _RAW_TEXT:
            if self_closing:
                return None
            end = page.find("<", position)
            closing_tag = _TAG.match(page, end) if end >= 0 else None
            if closing_tag is None or closing_tag.group(1) != "/" or closing_tag.group(2).lower() != name:
                return None
            if name == "style":
                raw = page[position:end]
                elements.append(raw)
                if svg_depth:
                    elements.append(html.unescape(raw))
            elif page[position:end]:
                return None
            position = closing_tag.end()


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


_EQUALS = re.compile(r"[ \t\n\r\f]*=")
"""What follows an attribute name that has a value (HTML whitespace, then ``=``)."""
_SVG = re.compile(r"</?svg", re.IGNORECASE | re.ASCII)
_UNUSUAL = ("<!--", "<![")
"""Comments and CDATA sections: markup the spot scan leaves to the tag-by-tag scan."""


def _surely_style_free(page: str) -> bool:
    """True when the page cannot hold an inline style: no ``<style`` tag and no ``style`` attribute with a value.

    Every inline style needs the ASCII letters ``style`` (HTML lowercases tag
    and attribute names in ASCII only) either right after ``<`` or followed by
    optional whitespace and ``=``.  Looking for those few spots is a C-speed
    search, ≈ 30× faster than the tag scan, and most pages we write have no
    inline style at all (the comparison site has none: its charts are files,
    its bars CSS classes; a 17 MB procedure page spent most of its CSP time
    proving that).  Any doubtful spot — even the word in text — leaves the
    decision to the scans.
    """
    return next(_spots(page), None) is None


def _spots(page: str) -> Iterator[int]:
    """Where an inline style can start: the letters ``style`` right after ``<`` or before optional whitespace
    and ``=``, in any ASCII case (HTML lowercases tag and attribute names in ASCII only)."""
    lowered = page.encode("utf-8").lower().decode("utf-8")  # ASCII letters only, so positions stay the page's
    at = lowered.find("style")
    while at >= 0:
        if (at and lowered[at - 1] == "<") or _EQUALS.match(lowered, at + 5):
            yield at
        at = lowered.find("style", at + 5)


def _svg_depth_at(page: str) -> Callable[[int], int]:
    """How many ``<svg>`` elements are open at a position of the page (as the tag scan counts them)."""
    events: list[tuple[int, bool]] = []
    for found in _SVG.finditer(page):
        tag = _TAG.match(page, found.start())
        if tag is not None and tag.group(2).lower() == "svg" and not (tag.group(4) and not tag.group(1)):
            events.append((found.start(), not tag.group(1)))

    positions: list[int] = []
    depths: list[int] = []  # open <svg> elements just after each event
    open_count = 0
    for at, opens in events:
        open_count = open_count + 1 if opens else max(open_count - 1, 0)
        positions.append(at)
        depths.append(open_count)

    def depth(position: int) -> int:
        before = bisect.bisect_left(positions, position)  # the events strictly before ``position``
        return depths[before - 1] if before else 0

    return depth


def _inline_styles_at_spots(page: str, spots: Sequence[int] | None = None) -> tuple[list[str], list[str]] | None:
    """What :func:`_inline_styles_fast` finds, looking only at the tags that hold a spot of :func:`_spots`.

    A flow page is a megabyte of markup with a few hundred inline styles (a
    bar width per feature, the diagram's ``<style>``); scanning every tag of
    it, in Python, was a third of the page's rendering time.  The pages we
    write escape every ``<`` in text and attribute values, so the tag holding
    a spot starts at the last ``<`` before it: only those tags are parsed.
    A ``<`` there that does not start a well-formed tag, a ``<style>`` whose
    text does not end at the next tag, a comment or a CDATA section anywhere
    returns None, and the tag-by-tag scan (or the full parser) decides.
    """
    if any(marker in page for marker in _UNUSUAL):
        return None
    elements: list[str] = []
    attributes: list[str] = []
    seen: set[int] = set()
    svg_depth: Callable[[int], int] | None = None
    for spot in _spots(page) if spots is None else spots:  # :func:`policy_for` has them already
        start = page.rfind("<", 0, spot)
        if start < 0 or start in seen:
            continue
        tag = _TAG.match(page, start)
        if tag is None:
            return None
        if tag.end() <= spot:
            continue  # the word in text (or in the text of a raw-text element, whose own tag is looked at)
        seen.add(start)
        if tag.group(1):
            continue
        for attribute in _ATTRIBUTE.finditer(tag.group(3)):
            if attribute.group(1).lower() == "style":
                value = next((v for v in attribute.group(2, 3, 4) if v is not None), None)
                if value is not None:
                    attributes.append(html.unescape(value))
        if tag.group(2).lower() != "style":
            continue
        if tag.group(4):
            return None
        end = page.find("<", tag.end())
        closing = _TAG.match(page, end) if end >= 0 else None
        if closing is None or closing.group(1) != "/" or closing.group(2).lower() != "style":
            return None
        raw = page[tag.end():end]
        elements.append(raw)
        svg_depth = svg_depth or _svg_depth_at(page)
        if svg_depth(start):
            elements.append(html.unescape(raw))
    return elements, attributes


def policy_for(page: str) -> str:
    """The policy for one finished page: fixed rules plus a hash per distinct inline style.

    >>> policy_for('<p style="width: 5%">x</p>').split("; ")[-1]
    "style-src 'self' 'unsafe-hashes' 'sha256-rtNK1Dl66yWtANxpIt825KMaU1NgBwNJBOZedcQkjuQ='"
    >>> policy_for('<link rel="stylesheet" href="a.css"><p>style = taste</p>').split("; ")[-1]
    "style-src 'self'"
    """
    spots = list(_spots(page))  # none: the page surely holds no inline style (:func:`_surely_style_free`)
    if not spots:
        return "; ".join([*_FIXED, "style-src 'self'"])
    found = _inline_styles_at_spots(page, spots)
    if found is None:
        found = _inline_styles_fast(page)
    if found is None:
        parser = _InlineStyles()
        parser.feed(page)
        parser.close()
        found = parser.elements, parser.attributes
    elements, attributes = found
    hashes = sorted({_hash(text) for text in elements} | {_hash(text) for text in attributes})
    style = ["style-src 'self'"]
    if attributes:
        style.append("'unsafe-hashes'")  # lets the hashes below cover style="…" attributes, nothing more
    return "; ".join([*_FIXED, " ".join([*style, *hashes])])


def apply_policy(page: str) -> str:
    """The page with its policy in place of :data:`PLACEHOLDER` (which must occur exactly once)."""
    if page.count(PLACEHOLDER) != 1:
        raise ValueError("the page template must hold the CSP placeholder exactly once")
    return page.replace(PLACEHOLDER, policy_for(page.replace(PLACEHOLDER, "")), 1)
