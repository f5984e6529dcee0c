"""The hardened XML parse behind the reader: bytes → lxml tree, with the two loss-free repairs it makes.

Files come from users' modeling tools and intranet shares, so the XML is
treated as hostile: no DTDs, no entity expansion, no network, libxml2's tree
limits.  Kept apart from the model builders (``bpm.reader``, ``bpm.reader_di``)
because both parse with it: the file, and a file's deferred diagrams again.
"""

from __future__ import annotations

import re

from lxml import etree

from bpm.errors import BpmnParseError, Say, say

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
COLOR_NS = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"
"""OMG's non-normative DI colour extension (``color:background-color`` …)."""
BIOC_NS = "http://bpmn.io/schema/bpmn/biocolor/1.0"
"""bpmn.io's colour extension (``bioc:fill``, ``bioc:stroke``)."""

_ASCII_COMPATIBLE = frozenset({"utf-8", "utf8", "ascii", "us-ascii"})
"""Encodings in which every ASCII character (``<``, ``>``, newline, the tag names) is its one ASCII byte."""


def _parser(*, recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_FALLBACK_ENCODINGS = ("cp932", "cp1252")
"""Tried in order when a file's bytes do not match its declared encoding.

Japanese Windows tools write Shift_JIS (cp932) while declaring UTF-8; European
tools (e.g. GenMyModel in the MIWG suite) write Windows-1252 the same way.
"""


def _parse_xml(data: bytes, file: str) -> tuple[etree._Element, list[Say], bytes]:
    """Parse safely; returns the root, what had to be repaired on the way and the bytes parsed."""
    if not data or data.isspace():  # not data.strip(): that copies the whole file
        raise BpmnParseError(say("reader.empty"), file=file, hint=say("reader.empty_hint"))
    repairs: list[Say] = []
    parser = _parser()
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        # The parser's own log, not the exception's: that one is thread-global and
        # can still hold messages from files read earlier.
        retried = _retry(data, list(parser.error_log), repairs)
        if retried is not None:
            tree, data = retried
        else:
            line: int | None = exc.position[0] if exc.position else None
            message = " ".join((str(exc.msg) if exc.msg else str(exc)).split())  # libxml2 may end lines midway
            hint = say("reader.malformed_entity_hint" if "entity" in message.lower() else "reader.malformed_hint")
            raise BpmnParseError(say("reader.malformed", detail=message), file=file, line=line, hint=hint) from None
    except ValueError as exc:  # e.g. unsupported encoding declarations
        raise BpmnParseError(say("reader.undecodable", detail=exc), file=file) from None
    docinfo = tree.docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise BpmnParseError(
            say("reader.dtd"),
            file=file,
            line=1,
            hint=say("reader.dtd_hint"),
        )
    return tree.getroot(), repairs, data


def _retry(
    data: bytes, log: list[etree._LogEntry], repairs: list[Say]
) -> tuple[etree._ElementTree, bytes] | None:
    """Second chance for two known, loss-free export defects: (tree, bytes parsed), or None."""
    errors = [e for e in log if e.level_name in ("ERROR", "FATAL")]
    if errors and all(e.type_name.startswith("WAR_NS_URI") for e in errors):
        # libxml2 rejects namespace URIs with spaces (IBM Process Designer writes
        # them on vendor prefixes); the tree itself is complete.
        tree = etree.fromstring(data, _parser(recover=True)).getroottree()
        repairs.append(say("reader.note_namespace_uri", detail=errors[0].message))
        return tree, data
    if errors and "encoding" in errors[0].message.lower() and "Invalid bytes" in errors[0].message:
        for encoding, text in _fallback_decodings(data):
            utf8 = _DECLARATION.sub(b'<?xml version="1.0" encoding="UTF-8"?>', text.encode("utf-8"), count=1)
            try:
                tree = etree.fromstring(utf8, _parser()).getroottree()
            except etree.XMLSyntaxError:
                continue
            repairs.append(say("reader.note_encoding", encoding=encoding))
            return tree, utf8
    return None


_KANA = re.compile("[\u3040-\u30ff]")


def _fallback_decodings(data: bytes) -> list[tuple[str, str]]:
    """(encoding, text) for each fallback encoding that decodes ``data``, most plausible first.

    cp932 also decodes most Windows-1252 text, wrongly: ``kl\xe4ren`` becomes
    ``kl舐en``, because an accented letter plus the next ASCII letter is a valid
    double-byte kanji.  Windows-1252 text never decodes to kana (their lead bytes
    0x81-0x83 are not letters there), so cp932 goes first only when the result has kana.
    """
    decoded: list[tuple[str, str]] = []
    for encoding in _FALLBACK_ENCODINGS:
        try:
            decoded.append((encoding, data.decode(encoding)))
        except UnicodeDecodeError:
            continue
    def rank(pair: tuple[str, str]) -> int:
        encoding, text = pair
        if encoding == "cp932":
            return 0 if _KANA.search(text) else 2
        return 1

    return sorted(decoded, key=rank)
