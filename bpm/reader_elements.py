"""Small readers of lxml elements shared by the model builders: local names, texts, id references, booleans.

Why apart: the semantic builder (``bpm.reader``) and the diagram builder
(``bpm.reader_di``) read values the same way; one definition keeps them so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from lxml import etree

from bpm.reader_xml import MODEL_NS

_MODEL = f"{{{MODEL_NS}}}"
_MODEL_ANY = f"{_MODEL}*"
"""lxml's tag filter for elements in the BPMN model namespace (the filtering is done in C)."""
_MODEL_CUT = len(_MODEL)


def _local(element: etree._Element) -> str:
    """The tag's local name (``etree.QName`` per tag cost a quarter of the import)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag[tag.find("}") + 1:]


def _ns(element: etree._Element) -> str | None:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    return tag[1:tag.find("}")]


def _model_children(element: etree._Element) -> Iterator[etree._Element]:
    """Children in the BPMN model namespace (comments and PIs never are)."""
    return element.iterchildren(_MODEL_ANY)


def _model_local(element: etree._Element) -> str:
    """The local name of an element known to be in the model namespace (from :func:`_model_children`)."""
    return str(element.tag)[_MODEL_CUT:]


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    if not len(element):  # a leaf: its text is all there is (itertext costs more than the rest)
        return (element.text or "").strip()
    return "".join(str(t) for t in element.itertext()).strip()


_EXTENSIONS = f"{_MODEL}extensionElements"
_INCOMING, _OUTGOING = f"{_MODEL}incoming", f"{_MODEL}outgoing"
_DOCUMENTATION = f"{_MODEL}documentation"
_CONDITION = f"{_MODEL}conditionExpression"


def _properties(extensions: Iterable[etree._Element]) -> dict[str, str]:
    """Name/value pairs from vendor ``properties`` lists (any namespace) in these ``extensionElements``."""
    result: dict[str, str] = {}
    for ext in extensions:
        for holder in ext.iterdescendants("{*}properties"):
            for prop in holder.iterchildren("{*}property"):
                key = prop.get("name")
                if key is None or not key.strip():
                    continue
                value = prop.get("value")
                if value is None:
                    value = _text(prop)
                result[key.strip()] = value.strip()
    return result


def _documentation(elements: Iterable[etree._Element]) -> str:
    """The texts of these ``documentation`` elements, blank ones left out, a blank line between."""
    texts = [_text(c) for c in elements]
    return "\n\n".join(t for t in texts if t)


def _qualified_ref(element: etree._Element, value: str | None) -> str:
    """An id reference with any declared namespace prefix removed.

    References are QNames in the BPMN schema, and some tools write them that way
    (GenMyModel ``bpmn2:_id``, IBM ``A.3.0-export:bpmnid-…``).  Ids are NCNames and
    cannot contain a colon, so a prefix declared in scope is never part of the id.
    """
    if value is None:
        return ""
    value = value.strip()
    if ":" not in value:  # most references: no prefix to look up
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in element.nsmap:
        return local
    return value


def _attributes(element: etree._Element) -> dict[str, str]:
    """All attributes of an element at once (lxml returns them as str for a parsed file)."""
    return cast(dict[str, str], dict(element.items()))


def _ref_attr(element: etree._Element, name: str) -> str:
    """Attribute ``name`` read as an id reference (see :func:`_qualified_ref`)."""
    return _qualified_ref(element, element.get(name))


def _ref_text(element: etree._Element) -> str:
    """Element text read as an id reference (``flowNodeRef``, ``incoming``, …)."""
    return _qualified_ref(element, _text(element))


def _line(element: etree._Element) -> int | None:
    """1-based source line (lxml's stubs type it loosely)."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"true", "1"}
