"""Hand results to other tools: the user's BPMN annotated with our verdicts, and full JSON.

A reform team keeps working in its modeling tool, so the most useful export is
their own file with each step's result attached where the tool shows it:
Camunda-style ``camunda:property`` entries (visible in Camunda Modeler's
properties panel) and a disposition tint on the step's shape through the
BPMN colour extension that bpmn.io honours.  Nothing else in the file is
rewritten: lxml keeps comments, CDATA, attribute order and the declared
encoding, and the original XML declaration is written back as it was.
Re-running replaces our ``bpm:*`` values instead of adding more.

The JSON export keeps what the flat pandas step table cannot: the evidence
behind every value, reasons in both languages, data gaps and profile sources.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from lxml import etree

from bpm.errors import BpmnParseError, RenderError
from reports.style import style_of
from scoring.result import Assessment, ProcessAssessment, StepAssessment

__all__ = [
    "CAMUNDA_NS",
    "COLOR_NS",
    "JSON_FORMAT",
    "PROPERTY_NAMES",
    "annotate_bpmn",
    "assessment_json",
    "step_properties",
]

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
"""Namespace of ``camunda:properties``, which Camunda Modeler lists as extension properties."""
COLOR_NS = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"
"""BPMN in Color: ``color:background-color`` / ``color:border-color`` on DI shapes."""

PROPERTY_PREFIX = "bpm:"
"""Every property we write starts with this, which is how a re-run finds and replaces them."""
PROPERTY_NAMES = (
    "bpm:disposition",
    "bpm:score",
    "bpm:confidence",
    "bpm:hours_per_year",
    "bpm:annual_count",
    "bpm:reasons_ja",
)
JSON_FORMAT = "bpm-rpa-scanner/assessment"
"""``format`` value of :func:`assessment_json` documents (with ``version``)."""
_JSON_VERSION = 1

_FALLBACK_ENCODINGS = ("cp932", "cp1252")
_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?(\s*<\?xml[^>]*\?>)")
_TRAILING = re.compile(rb"\s*$")

Assessed = Assessment | ProcessAssessment | Iterable[ProcessAssessment | StepAssessment]


# --------------------------------------------------------------------------- annotated BPMN


def step_properties(step: StepAssessment) -> dict[str, str]:
    """The ``bpm:*`` name/value pairs written for one step, in :data:`PROPERTY_NAMES` order."""
    return {
        "bpm:disposition": step.disposition.value,
        "bpm:score": _number(step.scores.get(step.disposition, 0.0), 2),
        "bpm:confidence": _number(step.confidence, 2),
        "bpm:hours_per_year": _number(step.cost.hours_per_year, 1),
        "bpm:annual_count": _number(step.annual_count, 1),
        "bpm:reasons_ja": " / ".join(r.ja.strip() for r in step.reasons if r.ja.strip()),
    }


def annotate_bpmn(source_bytes: bytes, assessment: Assessed, *, file: str) -> bytes:
    """The original BPMN XML with each assessed step's result added.

    Parameters
    ----------
    source_bytes
        The file exactly as read from disk.
    assessment
        An :class:`Assessment`, one :class:`ProcessAssessment`, or any mix of
        process and step assessments; only steps whose ``file`` is ``file`` are
        used.
    file
        Path of the file, to pick its steps and to name it in errors.

    Each step gets ``camunda:property`` entries (see :func:`step_properties`)
    inside its ``extensionElements``, and each of its ``BPMNShape``s a
    ``color:background-color`` (the disposition tint) and
    ``color:border-color``.  Properties from an earlier run are replaced;
    other properties are kept.

    A portfolio :class:`Assessment` may have nothing from ``file`` (a file of
    black-box pools, say); then only stale ``bpm:*`` values are removed, and a
    file with nothing to change comes back byte for byte.

    Raises :class:`~bpm.errors.BpmnParseError` when the XML cannot be read
    safely and :class:`~bpm.errors.RenderError` when process assessments passed
    directly are not about this file or name steps the file does not have.
    """
    steps = _steps_for(assessment, file)
    declaration, tree, encoding = _parse(source_bytes, file)
    root = tree.getroot()
    elements = _elements_by_id(root)
    missing = [s.step_id for s in steps if s.step_id not in elements]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise RenderError(
            f"{len(missing)} assessed step(s) are not in this file: {shown}",
            file=file,
            element_id=missing[0],
            hint="annotate the same BPMN file that was scored",
        )
    pretty = bool(root.text and "\n" in root.text)
    unit = _indent_unit(root) if pretty else ""
    removed = _remove_our_properties(root)
    if not steps and not removed:
        return source_bytes
    for step in steps:
        _set_properties(elements[step.step_id], step_properties(step), pretty, unit)
    shapes = _shapes_by_element(root)
    for step in steps:
        style = style_of(step.disposition)
        for shape in shapes.get(step.step_id, ()):
            shape.set(f"{{{COLOR_NS}}}background-color", style.fill)
            shape.set(f"{{{COLOR_NS}}}border-color", style.strong)
    _declare_on_root(tree)
    return _serialise(tree, source_bytes, declaration, encoding)


def _same_file(a: str, b: str) -> bool:
    return a == b or os.path.normpath(os.path.abspath(a)) == os.path.normpath(os.path.abspath(b))


def _steps_for(assessment: Assessed, file: str) -> list[StepAssessment]:
    """The steps of ``file``; refuses process assessments passed directly that are all about other files."""
    portfolio = isinstance(assessment, Assessment)
    if isinstance(assessment, Assessment):
        items: list[ProcessAssessment | StepAssessment] = list(assessment.processes)
    elif isinstance(assessment, ProcessAssessment):
        items = [assessment]
    else:
        items = list(assessment)
    processes = [p for p in items if isinstance(p, ProcessAssessment)]
    if not portfolio and processes and not any(_same_file(p.file, file) for p in processes):
        known = sorted({p.file for p in processes})
        raise RenderError(
            f"the assessment has no process from {file} (it covers: {', '.join(known)})",
            file=file,
            hint="pass the BPMN file that was scored",
        )
    steps: list[StepAssessment] = []
    for item in items:
        if isinstance(item, ProcessAssessment):
            if _same_file(item.file, file):
                steps.extend(item.steps)
        elif _same_file(item.file, file):
            steps.append(item)
    return steps


def _parser() -> etree.XMLParser:
    # Hardened like bpm.reader, but keeping comments, PIs and CDATA: we write the file back.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        remove_blank_text=False,
        strip_cdata=False,
    )


def _parse(data: bytes, file: str) -> tuple[bytes | None, etree._ElementTree, str]:
    """Tree, the original declaration bytes (None when absent or unusable) and the output encoding."""
    if not data.strip():
        raise BpmnParseError("file is empty", file=file, hint="export the diagram again")
    match = _DECLARATION.match(data)
    declaration = (match.group(1) or b"") + match.group(2) if match else None
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        repaired = _reencoded(data)
        if repaired is None:
            raise BpmnParseError(
                f"malformed XML: {exc.msg or exc}",
                file=file,
                line=exc.position[0] if exc.position else None,
                hint="the file must read with `bpm inspect` before it can be annotated",
            ) from None
        data = repaired
        declaration = b'<?xml version="1.0" encoding="UTF-8"?>'
        tree = etree.fromstring(data, _parser()).getroottree()
    except ValueError as exc:
        raise BpmnParseError(f"cannot decode XML: {exc}", file=file) from None
    docinfo = tree.docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise BpmnParseError(
            "the file declares a DTD (<!DOCTYPE …>); DTDs and entity declarations are refused for safety",
            file=file,
            line=1,
            hint="BPMN exports never need a DOCTYPE; remove it or export the file again",
        )
    if etree.QName(tree.getroot()).namespace != MODEL_NS:
        raise BpmnParseError("not a BPMN 2.0 file", file=file, hint=f"expected <definitions> in {MODEL_NS}")
    encoding = docinfo.encoding or "UTF-8"
    return declaration, tree, encoding


def _reencoded(data: bytes) -> bytes | None:
    """Bytes in a Japanese/Windows code page while declaring UTF-8 (as bpm.reader accepts): UTF-8 copy."""
    for encoding in _FALLBACK_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        utf8 = re.sub(rb"^\s*<\?xml[^>]*\?>", b'<?xml version="1.0" encoding="UTF-8"?>', text.encode("utf-8"), count=1)
        try:
            etree.fromstring(utf8, _parser())
        except etree.XMLSyntaxError:
            continue
        return utf8
    return None


def _elements_by_id(root: etree._Element) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for element in root.iter(f"{{{MODEL_NS}}}*"):
        element_id = element.get("id")
        if element_id is not None:
            found.setdefault(element_id, element)
    return found


def _shapes_by_element(root: etree._Element) -> dict[str, list[etree._Element]]:
    shapes: dict[str, list[etree._Element]] = {}
    for shape in root.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
        target = shape.get("bpmnElement")
        if target is not None:
            shapes.setdefault(target.strip(), []).append(shape)
    return shapes


# --------------------------------------------------------------------------- tree edits


def _line_indent(element: etree._Element) -> str:
    """Whitespace before ``element`` on its line ('' when it shares a line with something)."""
    previous = element.getprevious()
    parent = element.getparent()
    before = previous.tail if previous is not None else (parent.text if parent is not None else None)
    if not before or "\n" not in before:
        return ""
    last = before.rsplit("\n", 1)[1]
    return last if not last.strip() else ""


def _indent_unit(root: etree._Element) -> str:
    """One indentation step as the file uses it (two spaces when it cannot tell)."""
    for element in root.iter():
        child = next((c for c in element if isinstance(c.tag, str)), None)
        if child is None:
            continue
        outer = _line_indent(element) if element is not root else ""
        inner = _line_indent(child)
        if inner.startswith(outer) and len(inner) > len(outer):
            return inner[len(outer) :]
    return "  "


def _insert(parent: etree._Element, index: int, child: etree._Element, pretty: bool, unit: str) -> None:
    """Insert keeping the surrounding indentation: the new child gets its own line."""
    if not pretty:
        parent.insert(index, child)
        return
    indent = _line_indent(parent) if parent.getparent() is not None else ""
    inner = "\n" + indent + unit
    children = list(parent)
    if not children:
        child.tail = "\n" + indent
        parent.text = inner
    elif index == 0:
        child.tail = parent.text if parent.text and not parent.text.strip() else inner
        parent.text = inner
    else:
        previous = children[index - 1]
        child.tail = previous.tail
        previous.tail = inner
    parent.insert(index, child)


def _remove(element: etree._Element) -> None:
    """Remove an element; its tail (indentation before what follows) moves to the previous node."""
    parent = element.getparent()
    if parent is None:
        return
    if element.getnext() is None:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = element.tail
        else:
            parent.text = element.tail
    parent.remove(element)


def _remove_our_properties(root: etree._Element) -> int:
    """Drop every ``bpm:*`` camunda property, and containers that only held ours; returns how many."""
    removed = 0
    for holder in list(root.iter(f"{{{CAMUNDA_NS}}}properties")):
        ours = [p for p in holder if p.tag == f"{{{CAMUNDA_NS}}}property" and _is_ours(p)]
        if not ours:
            continue
        for prop in ours:
            _remove(prop)
        removed += len(ours)
        if len(holder) == 0:
            extension = holder.getparent()
            _remove(holder)
            if extension is not None and len(extension) == 0 and not (extension.text or "").strip():
                _remove(extension)
    return removed


def _is_ours(prop: etree._Element) -> bool:
    return (prop.get("name") or "").startswith(PROPERTY_PREFIX)


def _set_properties(element: etree._Element, values: Mapping[str, str], pretty: bool, unit: str) -> None:
    extension = next((c for c in element if c.tag == f"{{{MODEL_NS}}}extensionElements"), None)
    if extension is None:
        # BPMN orders children: documentation first, then extensionElements.
        index = 0
        for position, child in enumerate(element):
            if child.tag == f"{{{MODEL_NS}}}documentation" or not isinstance(child.tag, str):
                index = position + 1
            else:
                break
        extension = etree.Element(f"{{{MODEL_NS}}}extensionElements")
        _insert(element, index, extension, pretty, unit)
    holder = next((c for c in extension if c.tag == f"{{{CAMUNDA_NS}}}properties"), None)
    if holder is None:
        holder = etree.Element(f"{{{CAMUNDA_NS}}}properties")
        _insert(extension, len(extension), holder, pretty, unit)
    for name, value in values.items():
        prop = etree.Element(f"{{{CAMUNDA_NS}}}property")
        prop.set("name", name)
        prop.set("value", value)
        _insert(holder, len(holder), prop, pretty, unit)


def _declare_on_root(tree: etree._ElementTree) -> None:
    """Declare the Camunda and colour namespaces once on the root instead of on every element.

    Every prefix the file declares is kept, even where lxml sees no use: QName
    values such as ``xsi:type="bpmn:tFormalExpression"`` need theirs.
    """
    root = tree.getroot()
    wanted = {}
    declared_uris = set(root.nsmap.values())
    used_prefixes = set(root.nsmap)
    for uri, prefix in ((CAMUNDA_NS, "camunda"), (COLOR_NS, "color")):
        if uri in declared_uris or not _uses_namespace(root, uri):
            continue
        candidate, number = prefix, 1
        while candidate in used_prefixes:
            number += 1
            candidate = f"{prefix}{number}"
        wanted[candidate] = uri
        used_prefixes.add(candidate)
    if not wanted:
        return
    keep = sorted({p for element in root.iter() if isinstance(element.tag, str) for p in element.nsmap if p})
    etree.cleanup_namespaces(tree, top_nsmap=wanted, keep_ns_prefixes=keep)


def _uses_namespace(root: etree._Element, uri: str) -> bool:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.startswith(f"{{{uri}}}") or any(str(a).startswith(f"{{{uri}}}") for a in element.attrib):
            return True
    return False


def _serialise(tree: etree._ElementTree, original: bytes, declaration: bytes | None, encoding: str) -> bytes:
    """Bytes in the declared encoding with the original declaration and trailing whitespace."""
    if declaration is None and encoding.upper().replace("-", "") not in ("UTF8", "ASCII", "USASCII"):
        return _bytes(etree.tostring(tree, encoding=encoding, xml_declaration=True))
    body = _bytes(etree.tostring(tree, encoding=encoding, xml_declaration=False))
    trailing = _TRAILING.search(original)
    tail = trailing.group(0) if trailing else b""
    if declaration is None:
        return body + tail
    return declaration + b"\n" + body + tail


def _bytes(data: str | bytes) -> bytes:
    # lxml returns bytes whenever an encoding other than "unicode" is given.
    return data if isinstance(data, bytes) else data.encode("utf-8")


# --------------------------------------------------------------------------- JSON


def assessment_json(assessment: Assessment) -> str:
    """The whole assessment as a JSON document for other tools.

    Dataclass fields keep their declared order; mapping keys are sorted; enums
    become their values; non-finite numbers become ``null``.  The document
    starts with ``format`` and ``version`` so readers can check what they got.
    """
    document: dict[str, Any] = {"format": JSON_FORMAT, "version": _JSON_VERSION}
    plain = _plain(assessment)
    assert isinstance(plain, dict)
    document.update(plain)
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        items = {_key(k): _plain(v) for k, v in value.items()}
        return {k: items[k] for k in sorted(items)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _key(key: Any) -> str:
    return str(key.value) if isinstance(key, Enum) else str(key)


def _number(value: float, digits: int) -> str:
    """Short decimal text: integers without a point, others rounded to ``digits``.

    >>> _number(0.8234, 2), _number(12000.0, 1), _number(0.5, 2), _number(float("nan"), 1)
    ('0.82', '12000', '0.5', '')
    """
    if not math.isfinite(value):
        return ""
    rounded = round(value, digits)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{digits}f}".rstrip("0").rstrip(".")

