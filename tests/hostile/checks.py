"""What every hostile run must satisfy, and what its outputs must never contain.

A run ends with exit code 0, or 1 with a last line that names one of its input
files (``file:line: message`` when there is a line, and then the line lies
inside that file); never a traceback, an internal error (exit 3), a signal,
a timeout or more memory than the budget.  Outputs never hold a spreadsheet
formula made from text, a script the site did not ship, an event-handler
attribute or a link that leaves the site.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html
from runner import PEAK_RSS_KB, Outcome
from strategies import FORMULA_TRIGGERS

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
_LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): \S")


def assert_handled(
    outcome: Outcome, inputs: Iterable[str], *, usage_ok: bool = False, sheets: Iterable[str] = ()
) -> None:
    """Exit 0, or a located error (exit 1; exit 2 only where an option value is hostile), within budget.

    ``sheets`` are inputs whose messages count rows of a workbook, not lines of the file.
    """
    described = outcome.describe()
    assert not outcome.timed_out, "timed out: " + described
    assert outcome.signal is None, "killed by a signal: " + described
    assert outcome.max_rss_kb <= PEAK_RSS_KB, "too much memory: " + described
    assert "Traceback (most recent call last)" not in outcome.stderr, described
    assert "internal error" not in outcome.stderr, described
    allowed = {0, 1, 2} if usage_ok else {0, 1}
    assert outcome.code in allowed, described
    if outcome.code == 1:
        assert_names_an_input(outcome, list(inputs), set(sheets))


def assert_names_an_input(outcome: Outcome, inputs: Sequence[str], sheets: set[str]) -> None:
    """The error names an input file, and a line number it gives lies inside that file.

    Errors are the last line on stderr; ``lint`` and ``inspect`` exit 1 for
    error-level findings, which they print on stdout, one ``file:line:`` each.
    """
    errors = [line for line in outcome.stderr.splitlines() if line.strip()][-1:]
    findings = [line.strip() for line in outcome.stdout.splitlines() if line.strip()]
    candidates = [*errors, *findings]
    named = [(line, _input_named(line, inputs)) for line in candidates]
    named = [(line, file) for line, file in named if file is not None]
    assert named, "exit 1 names none of the inputs: " + outcome.describe()
    for line, file in named:
        located = _LOCATED.match(line)
        if located is None or located.group("file") != file or file in sheets:
            continue
        count = (outcome.folder / file).read_bytes().count(b"\n") + 1
        assert 1 <= int(located.group("line")) <= count, f"line {located.group('line')} is outside {file}: {line!r}"


def _input_named(line: str, inputs: Sequence[str]) -> str | None:
    return next((name for name in sorted(inputs, key=len, reverse=True) if line.startswith(f"{name}:")), None)


# --------------------------------------------------------------------------- outputs


def formula_cells_in_csv(path: Path) -> list[str]:
    """Text cells of a CSV that a spreadsheet would run as a formula."""
    text = path.read_text(encoding="utf-8-sig")
    found = []
    for row in csv.reader(io.StringIO(text, newline="")):
        found.extend(cell for cell in row if _formula_like(cell))
    return found


def formula_cells_in_xlsx(path: Path) -> list[str]:
    """Cells of a workbook that are formulas, or text Excel would read as one."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    found = []
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and _formula_like(value)):
                        found.append(f"{getattr(cell, 'coordinate', '?')}: {value!r}")
    finally:
        workbook.close()
    return found


FIGURES = ("visits", "annual_count", "minutes_per_case", "hours_per_year")
"""Results columns every step has a number in (the 人工 facts of the flow)."""


def non_finite_cells_in_csv(path: Path) -> list[str]:
    """Cells written as inf/NaN, and figures left empty (pandas writes NaN as an empty cell)."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    found = []
    for number, row in enumerate(rows, start=2):
        for column, value in row.items():
            text = (value or "").strip().lower()
            if text.lstrip("+-") in ("inf", "infinity", "nan") or (column in FIGURES and not text):
                found.append(f"row {number} {column}={value!r}")
    return found


def _formula_like(text: str) -> bool:
    return bool(text) and text[0] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.fullmatch(text.strip())


def site_problems(site: Path) -> list[str]:
    """Scripts, handlers and links in the site's HTML and SVG that the site itself did not put there."""
    problems: list[str] = []
    for page in sorted(site.rglob("*.html")):
        tree = lxml_html.parse(str(page))
        problems.extend(f"{page.name}: {p}" for p in _markup_problems(tree.getroot(), page, site))
    for picture in sorted(site.rglob("*.svg")):
        try:
            root = etree.parse(str(picture), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        except etree.XMLSyntaxError as error:
            problems.append(f"{picture.name}: not well-formed SVG: {error}")
            continue
        problems.extend(f"{picture.name}: {p}" for p in _markup_problems(root, picture, site))
    return problems


def _markup_problems(root: etree._Element, page: Path, site: Path) -> list[str]:
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname.lower()
        if tag == "script":
            kind = (element.get("type") or "").lower()
            source = element.get("src")
            if kind != "application/json" and (source is None or (element.text or "").strip()):
                problems.append(f"inline <script> {(element.text or '')[:60]!r}")
            if source is not None:
                problems.extend(_link_problems("src", source, page, site))
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower() if name.startswith("{") else name.lower()
            if local.startswith("on"):
                problems.append(f"event handler {local}={value[:60]!r} on <{tag}>")
            elif local in ("href", "src", "action", "formaction", "poster", "data", "srcset", "background"):
                problems.extend(_link_problems(local, value, page, site))
            elif local == "style" and "url(" in value.lower():
                problems.append(f"url() in a style attribute on <{tag}>")
    return problems


def _link_problems(name: str, value: str, page: Path, site: Path) -> list[str]:
    target = value.strip()
    if not target or target.startswith("#"):
        return []
    scheme = _SCHEME.match(target)
    if (scheme is not None and scheme.group(1).lower() != "data") or target.startswith("//"):
        return [f"{name}={target[:80]!r} leaves the site"]
    if scheme is not None:
        return [] if target.lower().startswith("data:image/") else [f"{name}={target[:80]!r} is a data URL"]
    path = target.split("#", 1)[0].split("?", 1)[0]
    resolved = (page.parent / path).resolve()
    if path and not resolved.is_relative_to(site.resolve()):
        return [f"{name}={target[:80]!r} points outside the site"]
    return []
