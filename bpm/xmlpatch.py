"""Patch an XML file in place: the original text with a few insertions and replacements.

Writers that hand a user's own file back (``bpm layout`` adding a diagram,
``bpm annotate`` adding scores and colours) must change nothing they do not
mean to change.  lxml's serialiser rewrites every start tag on one line and
changes quotes, character references and empty elements, so a re-serialised
file differs everywhere and a reviewer's ``diff`` is useless.  Here lxml only
*reads* the file (with :func:`bpm.reader.parse_xml`, so exactly the files the
reader accepts are accepted, repairs included); a small scanner finds the
span of every element's tags in the text, and callers describe :class:`Edit`
s against those spans.  Everything else — vendor extensions, ids, comments,
namespace prefixes, attribute order, line ends, a byte-order mark — comes back
byte for byte.  A file whose bytes did not match its declared encoding (which
the reader repairs) comes back as real UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from bpm.errors import BpmnParseError, RenderError, say
from bpm.reader import parse_xml

__all__ = ["Attribute", "Edit", "Markup", "XmlText", "apply_edits", "quote_attribute"]


@dataclass(slots=True)
class Markup:
    """Where one element's tags are in the text."""

    qname: str
    """The tag name as written, e.g. ``bpmn:task``."""
    open_start: int
    """Index of the ``<`` of the start tag."""
    open_end: int
    """Index just after the start tag's ``>``."""
    self_closing: bool
    """``<x/>``: no content and no end tag."""
    close_start: int = -1
    """Index of the ``<`` of the end tag (``open_end`` when self-closing)."""
    close_end: int = -1
    """Index just after the end tag (``open_end`` when self-closing)."""

    @property
    def prefix(self) -> str | None:
        """The tag's namespace prefix as written, None for the default namespace."""
        prefix, sep, _ = self.qname.partition(":")
        return prefix if sep else None


@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute as written in a start tag."""

    name: str
    """Qualified name as written (``bioc:fill``)."""
    value: str
    """Raw value between the quotes (entities not expanded)."""
    start: int
    """Start of the whitespace before the name."""
    name_start: int
    """Index of the name."""
    value_start: int
    """Index of the opening quote."""
    end: int
    """Index just after the closing quote."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``text`` (an insertion when ``start == end``)."""

    start: int
    end: int
    text: str


_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^>]*>"
    r"|</(?P<end>[^\s>]+)\s*>"
    r"|<(?P<start>[^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(?P<empty>/?)>",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"(\s+)([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_OPEN_TAIL = re.compile(r"\s*/?>$")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def scan(text: str, elements: Sequence[etree._Element]) -> dict[etree._Element, Markup] | None:
    """The tags of every element, matched to lxml's elements in document order; None when they do not line up.

    Outside comments, CDATA and processing instructions every ``<`` opens a
    tag, so walking the tags in order pairs them with ``root.iter()``; the
    local names must agree at every step.

    >>> text = "<a><!-- <b> --><b x='>'/></a>"
    >>> found = scan(text, list(etree.fromstring(text).iter(tag=etree.Element)))
    >>> [(m.qname, m.open_start, m.self_closing) for m in found.values()]
    [('a', 0, False), ('b', 15, True)]
    """
    markup: dict[etree._Element, Markup] = {}
    stack: list[Markup] = []
    index = 0
    for match in _TOKEN.finditer(text):
        start, end = match.group("start"), match.group("end")
        if start is not None:
            if index >= len(elements) or start.rpartition(":")[2] != etree.QName(elements[index]).localname:
                return None
            entry = Markup(start, match.start(), match.end(), bool(match.group("empty")))
            markup[elements[index]] = entry
            index += 1
            if entry.self_closing:
                entry.close_start = entry.close_end = entry.open_end
            else:
                stack.append(entry)
        elif end is not None:
            if not stack or stack[-1].qname != end:
                return None
            entry = stack.pop()
            entry.close_start, entry.close_end = match.start(), match.end()
    return markup if index == len(elements) and not stack else None


def quote_attribute(value: str) -> str:
    """An attribute value in double quotes, escaped so that it reads back exactly (line breaks and tabs too).

    >>> quote_attribute('a"<&\\n')
    '"a&quot;&lt;&amp;&#10;"'
    """
    value = _INVALID_XML.sub("", value)
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
                         ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;")):
        value = value.replace(raw, escaped)
    return f'"{value}"'


def quote_text(value: str) -> str:
    """Element text, escaped."""
    value = _INVALID_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """The text with every edit made; edits must not overlap (that would be a bug of the caller)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    pieces: list[str] = []
    position = 0
    for edit in ordered:
        if edit.start < position:
            raise AssertionError(f"overlapping edits at {edit.start}")
        pieces.append(text[position : edit.start])
        pieces.append(edit.text)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


@dataclass
class XmlText:
    """One XML file: its text, lxml's tree of it, and where each element is written."""

    file: str
    """Path, for messages."""
    root: etree._Element
    """The parsed tree (comments and PIs dropped)."""
    text: str
    """The file decoded in its declared encoding (repaired to UTF-8 when that was wrong)."""
    encoding: str
    """Encoding to write back with."""
    markup: dict[etree._Element, Markup]
    """Every element's tags."""
    newline: str
    """``\\r\\n`` when the file uses it, else ``\\n``."""
    unit: str
    """One indentation step as the file uses it."""
    pretty: bool
    """False for a file written on one line: additions then stay on one line too."""
    empty_close: str
    """How the file closes empty elements: ``/>`` or `` />``."""

    @classmethod
    def read(cls, data: bytes, file: str) -> XmlText:
        """Parse like the reader does and locate every element's tags.

        Raises :class:`~bpm.errors.BpmnParseError` for files the reader
        refuses and :class:`~bpm.errors.RenderError` when the tags cannot be
        located (never seen in practice; the file is then left alone).
        """
        root, _repairs, parsed = parse_xml(data, file)
        encoding = root.getroottree().docinfo.encoding or "UTF-8"
        text = _decode(parsed, encoding, file)
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        markup = scan(text, elements)
        if markup is None:
            raise RenderError(
                say("xmlpatch.unlocatable"),
                file=file,
                hint=say("xmlpatch.unlocatable_hint"),
            )
        newline = "\r\n" if "\r\n" in text else "\n"
        first = next((c for c in root if isinstance(c.tag, str)), None)
        pretty = first is not None and "\n" in text[markup[root].open_end : markup[first].open_start]
        spaced = text.count('" />') + text.count("' />")
        tight = text.count('"/>') + text.count("'/>")
        document = cls(file, root, text, encoding, markup, newline, "  ", pretty, " />" if spaced > tight else "/>")
        document.unit = document._indent_unit()
        return document

    def encode(self, text: str) -> bytes:
        """Text in the file's encoding; characters it cannot hold become character references."""
        return text.encode(self.encoding, errors="xmlcharrefreplace")

    def patched(self, edits: Sequence[Edit]) -> bytes:
        """The file with ``edits`` made, in its own encoding."""
        return self.encode(apply_edits(self.text, edits))

    # ----------------------------------------------------------------- layout of the text

    def indent_of(self, element: etree._Element) -> str | None:
        """Whitespace before the element on its line; None when something else precedes it there."""
        start = self.markup[element].open_start
        line_start = self.text.rfind("\n", 0, start) + 1
        before = self.text[line_start:start]
        return before if not before.strip() else None

    def child_indent(self, element: etree._Element) -> str:
        """Indentation for a new child: that of the first child on its own line, else one unit deeper."""
        for child in element:
            if isinstance(child.tag, str):
                indent = self.indent_of(child)
                if indent is not None:
                    return indent
                break
        return (self.indent_of(element) or "") + self.unit

    def line_break(self, indent: str) -> str:
        """A new line at ``indent`` (nothing in a file written on one line)."""
        return self.newline + indent if self.pretty else ""

    def _indent_unit(self) -> str:
        for element in self.root.iter():
            child = next((c for c in element if isinstance(c.tag, str)), None)
            if child is None:
                continue
            outer = self.indent_of(element) or ""
            inner = self.indent_of(child)
            if inner is not None and inner.startswith(outer) and len(inner) > len(outer):
                return inner[len(outer) :]
        return "  "

    def content(self, element: etree._Element) -> str:
        """The text between an element's start and end tags ('' when self-closing)."""
        entry = self.markup[element]
        return self.text[entry.open_end : entry.close_start]

    def leading_space(self, element: etree._Element) -> int:
        """Start of the whitespace run just before the element's start tag."""
        position = self.markup[element].open_start
        while position > 0 and self.text[position - 1] in " \t\r\n":
            position -= 1
        return position

    # ----------------------------------------------------------------- attributes

    def attributes(self, element: etree._Element) -> list[Attribute]:
        """The attributes of an element's start tag, as written."""
        entry = self.markup[element]
        offset = entry.open_start + 1 + len(entry.qname)
        tag = self.text[offset : entry.open_end]
        found: list[Attribute] = []
        for match in _ATTRIBUTE.finditer(tag):
            double = match.group(3) is not None
            value = match.group(3) if double else match.group(4)
            quote = (match.start(3) if double else match.start(4)) - 1
            found.append(Attribute(match.group(2), value or "", offset + match.start(), offset + match.start(2),
                                   offset + quote, offset + match.end()))
        return found

    def add_attributes(self, element: etree._Element, pairs: Sequence[tuple[str, str]]) -> Edit:
        """Append attributes after the last one, on new lines when the tag has one attribute per line."""
        attributes = self.attributes(element)
        if attributes:
            gap = self.text[attributes[-1].start : attributes[-1].name_start]
            separator = gap if "\n" in gap else " "
            position = attributes[-1].end
        else:
            separator = " "
            position = self.markup[element].open_start + 1 + len(self.markup[element].qname)
        text = "".join(f"{separator}{name}={quote_attribute(value)}" for name, value in pairs)
        return Edit(position, position, text)

    def append_children(self, parent: etree._Element, block: str) -> Edit:
        """Put ``block`` (children, each starting with :meth:`line_break`) at the end of ``parent``'s content."""
        entry = self.markup[parent]
        closing = self.line_break(self.indent_of(parent) or "")
        if entry.self_closing:
            tail = _OPEN_TAIL.search(self.text, entry.open_start, entry.open_end)
            assert tail is not None
            return Edit(tail.start(), entry.open_end, f">{block}{closing}</{entry.qname}>")
        content = self.content(parent)
        if not content.strip():
            return Edit(entry.open_end, entry.close_start, f"{block}{closing}")
        position = entry.close_start - (len(content) - len(content.rstrip()))
        return Edit(position, position, block)

    def free_prefix(self, uri: str, preferred: str, also_taken: Sequence[str] = ()) -> tuple[str, bool]:
        """(prefix, already declared on the root) to write ``uri`` with.

        The root's own prefix for the URI when it has one; otherwise
        ``preferred`` (numbered when taken anywhere in the file for another URI).
        """
        own = sorted(p for p, u in self.root.nsmap.items() if u == uri and p)
        if own:
            return own[0], True
        taken = {p for e in self.root.iter() if isinstance(e.tag, str) for p, u in e.nsmap.items() if u != uri}
        taken.update(also_taken)
        candidate, number = preferred, 1
        while candidate in taken:
            number += 1
            candidate = f"{preferred}{number}"
        return candidate, False


def resolve_attribute(element: etree._Element, name: str) -> tuple[str | None, str]:
    """(namespace, local name) of an attribute name as written; unprefixed attributes have no namespace."""
    prefix, sep, local = name.partition(":")
    if not sep:
        return None, name
    if prefix == "xmlns":
        return "xmlns", local
    return element.nsmap.get(prefix), local


def _decode(data: bytes, encoding: str, file: str) -> str:
    """The file as text, refusing encodings that would not give the same bytes back."""
    candidates = [encoding]
    if encoding.casefold().replace("-", "_") in ("shift_jis", "sjis", "x_sjis", "windows_31j", "ms_kanji"):
        candidates.append("cp932")  # Windows writes cp932 under the Shift_JIS label
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
        if text.encode(candidate) == data:
            return text
    raise BpmnParseError(
        say("xmlpatch.encoding", encoding=encoding),
        file=file,
        hint=say("xmlpatch.encoding_hint"),
    )
