"""Hand the scored model back to the modeler: the user's own BPMN file with each step's result attached.

An analyst keeps working in Camunda Modeler, bpmn.io or another tool, so the
useful export is *their* file, changed only where we add something:

* each scored step's ``BPMNShape`` gets its disposition colour twice, as
  ``bioc:fill``/``bioc:stroke`` (bpmn.io's colour extension) and as the OMG
  ``color:background-color``/``color:border-color`` (BPMN in Color), because
  tools read one or the other;
* each scored step gets its scores, hours and reasons as ``bpm:*`` name/value
  pairs in ``camunda:properties`` (Camunda Modeler's properties panel), or in
  ``zeebe:properties`` when the file is a Camunda 8 model.

The file is patched in place (:mod:`bpm.xmlpatch`): everything we do not add
— vendor extensions, ids, DI, comments, namespace prefixes, attribute order
and line ends — stays byte for byte.

Re-running is idempotent: our properties are found by their ``bpm:`` prefix
and replaced in place, colours are set in place, and a step that is no longer
scored loses our values (and containers that held only ours).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from bpm.errors import BpmnParseError, RenderError, say
from bpm.xmlpatch import Edit, XmlText, quote_attribute, resolve_attribute
from reports.style import DISPOSITION_STYLES
from scoring.result import Assessment, Disposition, ProcessAssessment, StepAssessment

__all__ = [
    "BIOC_NS",
    "CAMUNDA_NS",
    "COLOR_NS",
    "PROPERTY_NAMES",
    "PROPERTY_PREFIX",
    "ZEEBE_NS",
    "ShapeColours",
    "annotate_bpmn",
    "disposition_colours",
    "is_camunda8",
    "step_properties",
]

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
"""Camunda 7 extensions: ``camunda:properties``, listed by Camunda Modeler as extension properties."""
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
"""Camunda 8 extensions: ``zeebe:properties``."""
MODELER_NS = "http://camunda.org/schema/modeler/1.0"
"""``modeler:executionPlatform`` says which Camunda a file was drawn for."""
BIOC_NS = "http://bpmn.io/schema/bpmn/biocolor/1.0"
"""bpmn.io colours: ``bioc:fill`` / ``bioc:stroke`` on DI shapes."""
COLOR_NS = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"
"""BPMN in Color: ``color:background-color`` / ``color:border-color`` on DI shapes."""

PROPERTY_PREFIX = "bpm:"
"""Every property we write starts with this, which is how a re-run finds and replaces them."""
PROPERTY_NAMES: tuple[str, ...] = (
    "bpm:disposition",
    "bpm:disposition_ja",
    "bpm:score",
    *(f"bpm:score_{d.value}" for d in Disposition),
    "bpm:confidence",
    "bpm:legal_authority",
    "bpm:annual_count",
    "bpm:minutes_per_case",
    "bpm:hours_per_year",
    "bpm:fte",
    "bpm:hours_freed_per_year",
    "bpm:reasons_ja",
    "bpm:reasons_en",
)
"""Names written per step, in this order (one ``bpm:score_*`` per disposition)."""

Assessed = Assessment | ProcessAssessment | Iterable[ProcessAssessment | StepAssessment]


# --------------------------------------------------------------------------- what is written


@dataclass(frozen=True, slots=True)
class ShapeColours:
    """The two colours a modeler paints a shape with."""

    fill: str
    """Body colour (``bioc:fill``, ``color:background-color``)."""
    stroke: str
    """Border colour (``bioc:stroke``, ``color:border-color``)."""


_UNSTYLED = ShapeColours("#EEEEEE", "#616161")
"""Neutral grey for a disposition :mod:`reports.style` has no colours for yet."""


def disposition_colours(disposition: Disposition) -> ShapeColours:
    """Fill and border for a disposition: the report's palette, neutral grey for any it lacks.

    >>> disposition_colours(Disposition.RPA)
    ShapeColours(fill='#CCE3F0', stroke='#0072B2')
    """
    style = DISPOSITION_STYLES.get(disposition)
    return ShapeColours(style.fill, style.strong) if style is not None else _UNSTYLED


def _palette() -> set[tuple[str, str]]:
    pairs = {disposition_colours(d) for d in Disposition} | {_UNSTYLED}
    return {(c.fill.casefold(), c.stroke.casefold()) for c in pairs}


def step_properties(step: StepAssessment) -> dict[str, str]:
    """The ``bpm:*`` name/value pairs written for one step, in :data:`PROPERTY_NAMES` order."""
    style = DISPOSITION_STYLES.get(step.disposition)
    cost = step.cost
    return {
        "bpm:disposition": step.disposition.value,
        "bpm:disposition_ja": style.ja if style is not None else step.disposition.value,
        "bpm:score": _number(step.scores.get(step.disposition, 0.0), 2),
        **{f"bpm:score_{d.value}": _number(step.scores.get(d, math.nan), 2) for d in Disposition},
        "bpm:confidence": _number(step.confidence, 2),
        "bpm:legal_authority": "true" if step.legal_authority else "false",
        "bpm:annual_count": _number(step.annual_count, 1),
        "bpm:minutes_per_case": _number(step.minutes_per_case, 2),
        "bpm:hours_per_year": _number(cost.hours_per_year, 1),
        "bpm:fte": _number(cost.fte, 3),
        "bpm:hours_freed_per_year": _number(cost.hours_freed_per_year, 1),
        "bpm:reasons_ja": " / ".join(r.ja.strip() for r in step.reasons if r.ja.strip()),
        "bpm:reasons_en": " / ".join(r.en.strip() for r in step.reasons if r.en.strip()),
    }


def _number(value: float, digits: int) -> str:
    """Short decimal text: integers without a point, others rounded to ``digits``; '' when not finite.

    >>> _number(0.8234, 2), _number(12000.0, 1), _number(0.5, 2), _number(float("nan"), 1)
    ('0.82', '12000', '0.5', '')
    """
    if not math.isfinite(value):
        return ""
    rounded = round(value, digits)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{digits}f}".rstrip("0").rstrip(".")


def is_camunda8(root: etree._Element) -> bool:
    """True for a Camunda 8 (Zeebe) model: the zeebe namespace, or ``executionPlatform="Camunda Cloud"``."""
    if ZEEBE_NS in root.nsmap.values():
        return True
    return (root.get(f"{{{MODELER_NS}}}executionPlatform") or "").strip().casefold() == "camunda cloud"


# --------------------------------------------------------------------------- entry point


def annotate_bpmn(source_bytes: bytes, assessment: Assessed, *, file: str) -> bytes:
    """The original BPMN file with each assessed step's result added.

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

    A portfolio :class:`Assessment` may have nothing from ``file`` (a file of
    black-box pools, say); then only stale ``bpm:*`` values and our colours
    are removed, and a file with nothing to change comes back byte for byte.
    A file whose bytes did not match its declared encoding (which the reader
    repairs) is written as real UTF-8.

    Raises :class:`~bpm.errors.BpmnParseError` when the XML cannot be read
    safely and :class:`~bpm.errors.RenderError` when process assessments passed
    directly are not about this file or name steps the file does not have.
    """
    steps = _steps_for(assessment, file)
    document = XmlText.read(source_bytes, file)
    if etree.QName(document.root).namespace != MODEL_NS:
        raise BpmnParseError(say("annotate.not_bpmn"), file=file, hint=say("reader.not_bpmn_hint", namespace=MODEL_NS))
    owners = _elements_by_id(document.root)
    missing = [s.step_id for s in steps if s.step_id not in owners]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise RenderError(
            say("annotate.missing_steps", count=len(missing), ids=shown),
            file=file,
            element_id=missing[0],
            hint=say("annotate.same_file_hint"),
        )
    scored: dict[str, StepAssessment] = {step.step_id: step for step in steps}
    writer = _Writer(document, camunda8=is_camunda8(document.root))
    for element_id, element in owners.items():
        step = scored.get(element_id)
        writer.properties(element, step_properties(step) if step is not None else None)
    palette = _palette()
    for shape in document.root.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
        step = scored.get(_reference(shape, shape.get("bpmnElement")))
        if step is not None:
            writer.colour(shape, disposition_colours(step.disposition))
        else:
            writer.uncolour(shape, palette)
    if not writer.edits:
        return source_bytes
    writer.declare_namespaces()
    return document.patched(writer.edits)


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
            say("annotate.no_process", file=file, known=", ".join(known)),
            file=file,
            hint=say("annotate.scored_file_hint"),
        )
    steps: list[StepAssessment] = []
    for item in items:
        if isinstance(item, ProcessAssessment):
            if _same_file(item.file, file):
                steps.extend(item.steps)
        elif _same_file(item.file, file):
            steps.append(item)
    return steps


def _reference(element: etree._Element, value: str | None) -> str:
    """An id reference with a declared namespace prefix removed (GenMyModel writes ``bpmn2:_id``)."""
    if value is None:
        return ""
    value = value.strip()
    prefix, sep, local = value.partition(":")
    return local if sep and prefix in element.nsmap else value


@dataclass
class _Writer:
    """Plans the edits for one file."""

    document: XmlText
    camunda8: bool
    edits: list[Edit] = field(default_factory=list)
    wanted: dict[str, str] = field(default_factory=dict)
    """Namespace URI → prefix for the namespaces our additions use."""

    # ----------------------------------------------------------------- namespaces

    def prefix(self, uri: str, preferred: str) -> str:
        """The prefix to write for ``uri``: the root's own, else a free one (declared on the root at the end)."""
        if uri not in self.wanted:
            self.wanted[uri], _declared = self.document.free_prefix(uri, preferred, tuple(self.wanted.values()))
        return self.wanted[uri]

    def declare_namespaces(self) -> None:
        root = self.document.root
        missing = [(p, u) for u, p in self.wanted.items() if root.nsmap.get(p) != u]
        if missing:
            self.edits.append(self.document.add_attributes(root, [(f"xmlns:{p}", u) for p, u in sorted(missing)]))

    # ----------------------------------------------------------------- attributes

    def colour(self, shape: etree._Element, colours: ShapeColours) -> None:
        """Set the four colour attributes on a shape, in place where they exist."""
        wanted = [
            (BIOC_NS, "bioc", "stroke", colours.stroke),
            (BIOC_NS, "bioc", "fill", colours.fill),
            (COLOR_NS, "color", "background-color", colours.fill),
            (COLOR_NS, "color", "border-color", colours.stroke),
        ]
        existing = {resolve_attribute(shape, a.name): a for a in self.document.attributes(shape)}
        added: list[tuple[str, str]] = []
        for uri, preferred, local, value in wanted:
            attribute = existing.get((uri, local))
            if attribute is None:
                added.append((f"{self.prefix(uri, preferred)}:{local}", value))
            elif attribute.value != value:
                self.edits.append(Edit(attribute.value_start, attribute.end, quote_attribute(value)))
        if added:
            self.edits.append(self.document.add_attributes(shape, added))

    def uncolour(self, shape: etree._Element, palette: set[tuple[str, str]]) -> None:
        """Remove colours an earlier run wrote on a shape whose step is no longer scored."""
        attributes = {resolve_attribute(shape, a.name): a for a in self.document.attributes(shape)}
        for (uri, fill, stroke) in ((BIOC_NS, "fill", "stroke"), (COLOR_NS, "background-color", "border-color")):
            pair = attributes.get((uri, fill)), attributes.get((uri, stroke))
            if pair[0] is None or pair[1] is None:
                continue
            if (pair[0].value.casefold(), pair[1].value.casefold()) in palette:
                for attribute in pair:
                    assert attribute is not None
                    self.edits.append(Edit(attribute.start, attribute.end, ""))

    # ----------------------------------------------------------------- properties

    def _holder_tag(self) -> str:
        return f"{{{ZEEBE_NS if self.camunda8 else CAMUNDA_NS}}}properties"

    def properties(self, owner: etree._Element, values: dict[str, str] | None) -> None:
        """Write ``values`` as our properties of ``owner`` (replacing earlier ones), or remove ours when None."""
        extension = _child(owner, f"{{{MODEL_NS}}}extensionElements")
        holders = [] if extension is None else [
            c for c in extension if c.tag in (f"{{{CAMUNDA_NS}}}properties", f"{{{ZEEBE_NS}}}properties")
        ]
        target = next((h for h in holders if h.tag == self._holder_tag()), None) if values is not None else None
        emptied = [h for h in holders if h is not target and self._strip_ours(h)]
        if emptied and extension is not None:
            if target is None and values is None and self._drop_if_only(extension, emptied):
                return
            self._remove_children(extension, emptied)
        if values is None:
            return
        if target is not None:
            self._replace_ours(target, values)
        elif extension is not None:
            self._append(extension, self._holder_block(extension, values))
        else:
            self._add_extension(owner, values)

    def _strip_ours(self, holder: etree._Element) -> bool:
        """Plan removing our properties from a holder; True when it would then be empty (nothing planned)."""
        ours = _ours(holder)
        if not ours:
            return False
        if self._only(holder, ours):
            return True
        self._remove_children(holder, ours)
        return False

    def _only(self, parent: etree._Element, children: Sequence[etree._Element]) -> bool:
        """Whether ``children`` are all the parent holds (apart from whitespace)."""
        document = self.document
        if any(isinstance(c.tag, str) and c not in children for c in parent):
            return False
        content = document.content(parent)
        start = document.markup[parent].open_end
        for child in sorted(children, key=lambda c: document.markup[c].open_start, reverse=True):
            entry = document.markup[child]
            content = content[: entry.open_start - start] + content[entry.close_end - start :]
        return not content.strip()

    def _drop_if_only(self, extension: etree._Element, children: Sequence[etree._Element]) -> bool:
        """Remove an ``extensionElements`` that holds only ``children``; collapse its owner if that empties it."""
        if not self._only(extension, children):
            return False
        owner = extension.getparent()
        assert owner is not None
        if self._only(owner, [extension]):  # we expanded <task/> once: make it empty again
            entry = self.document.markup[owner]
            spaced = self.document.text[entry.open_end - 2].isspace()
            close = "/>" if spaced else self.document.empty_close
            self.edits.append(Edit(entry.open_end - 1, entry.close_end, close))
        else:
            self._remove_children(owner, [extension])
        return True

    def _remove_children(self, parent: etree._Element, children: Sequence[etree._Element]) -> None:
        del parent  # the children know their place
        for child in children:
            self.edits.append(Edit(self.document.leading_space(child), self.document.markup[child].close_end, ""))

    def _replace_ours(self, holder: etree._Element, values: dict[str, str]) -> None:
        """Our old properties go; the new block takes the place of the last of them (or the end)."""
        ours = _ours(holder)
        if not ours:
            self._append(holder, self._property_lines(holder, values))
            return
        document = self.document
        for prop in ours[:-1]:
            self.edits.append(Edit(document.leading_space(prop), document.markup[prop].close_end, ""))
        last = ours[-1]
        self.edits.append(Edit(document.leading_space(last), document.markup[last].close_end,
                                self._property_lines(holder, values)))

    # ----------------------------------------------------------------- generated text

    def _lines(self, prefix: str, indent: str, values: dict[str, str]) -> str:
        """One ``<prefix:property name= value=/>`` per value, each on a new line at ``indent``."""
        close = self.document.empty_close
        return "".join(
            f"{self.document.line_break(indent)}<{prefix}:property"
            f" name={quote_attribute(name)} value={quote_attribute(value)}{close}"
            for name, value in values.items()
        )

    def _property_lines(self, holder: etree._Element, values: dict[str, str]) -> str:
        prefix = self.document.markup[holder].prefix or self.prefix(_holder_uri(holder), "camunda")
        return self._lines(prefix, self.document.child_indent(holder), values)

    def _holder_block(self, parent: etree._Element, values: dict[str, str]) -> str:
        """A new ``…:properties`` element with our values, as the last child of ``parent``."""
        return self._holder_block_at(self.document.child_indent(parent), values)

    def _add_extension(self, owner: etree._Element, values: dict[str, str]) -> None:
        """A new ``extensionElements`` after any ``documentation`` (BPMN's child order)."""
        document = self.document
        model = document.markup[owner].prefix
        tag = f"{model}:extensionElements" if model else "extensionElements"
        indent = document.child_indent(owner)
        holder = self._holder_block_at(indent + document.unit, values)
        block = f"{document.line_break(indent)}<{tag}>{holder}{document.line_break(indent)}</{tag}>"
        children = [c for c in owner if isinstance(c.tag, str)]
        documentation = [c for c in children if c.tag == f"{{{MODEL_NS}}}documentation"]
        if not children:
            self._append(owner, block)
            return
        position = document.markup[documentation[-1]].close_end if documentation else document.markup[owner].open_end
        self.edits.append(Edit(position, position, block))

    def _holder_block_at(self, indent: str, values: dict[str, str]) -> str:
        """A ``…:properties`` element starting on a new line at ``indent``."""
        uri = ZEEBE_NS if self.camunda8 else CAMUNDA_NS
        prefix = self.prefix(uri, "zeebe" if self.camunda8 else "camunda")
        lines = self._lines(prefix, indent + self.document.unit, values)
        newline = self.document.line_break(indent)
        return f"{newline}<{prefix}:properties>{lines}{newline}</{prefix}:properties>"

    def _append(self, parent: etree._Element, block: str) -> None:
        self.edits.append(self.document.append_children(parent, block))


def _holder_uri(holder: etree._Element) -> str:
    """Namespace of a properties container."""
    return etree.QName(holder).namespace or CAMUNDA_NS


def _elements_by_id(root: etree._Element) -> dict[str, etree._Element]:
    """BPMN model elements by id (the first one when a file repeats an id)."""
    found: dict[str, etree._Element] = {}
    for element in root.iter(f"{{{MODEL_NS}}}*"):
        element_id = element.get("id")
        if element_id is not None:
            found.setdefault(element_id.strip(), element)
    return found


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    return next((c for c in element if c.tag == tag), None)


def _ours(holder: etree._Element) -> list[etree._Element]:
    uri = _holder_uri(holder)
    return [
        p for p in holder
        if p.tag == f"{{{uri}}}property" and (p.get("name") or "").startswith(PROPERTY_PREFIX)
    ]
