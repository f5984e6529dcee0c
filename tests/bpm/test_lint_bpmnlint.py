"""Our bpmnlint-mirroring rules against the real bpmnlint (npm, tests/js) on the MIWG files and our fixtures.

For every rule we mirror, both tools must flag the same elements of the same
file.  A disagreement fails the test unless one of the deliberate differences
listed in the rule's docstring explains it; those differences are the
``_EXPLANATIONS`` below, each a predicate on the file that shows the cause is
present (not just a list of known ids).

The deliberate differences:

``declared-refs``
    bpmnlint counts the ``incoming``/``outgoing`` children written into an
    element; we count the sequence flows that really start and end there
    (no-gateway-join-fork, event-based-gateway, superfluous-termination).
    Explained when the element (or, for superfluous-termination, an element
    of its process) declares other flows than it has.
``data-element``
    no-overlapping-elements does not compare data objects, data object
    references and data store references (the model does not record their
    sub-process level).  Explained when bpmnlint's element is one of them, or
    a flow node whose shape touches one.
``event-definition-ref``
    an event definition referenced with ``eventDefinitionRef`` counts for us
    (typed start events, link names), not for bpmnlint.  Explained when the
    event has such a reference.
``blank-name``
    a link definition whose name is only spaces is unnamed for us, named for
    bpmnlint.  Explained when the event's link definition has such a name.
``reports-ends``
    for no-duplicate-sequence-flows bpmnlint also reports the source and the
    target of the duplicate; we name them in the message.  Handled by adding
    the two ends of each flow we report before comparing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from bpm.lint import lint
from bpm.model import ArtifactKind, Definitions, ElementId, Process
from bpm.reader import read_bpmn

HERE = Path(__file__).resolve().parent
LINT_DATA = HERE.parent / "data" / "lint"
JS_DIR = HERE.parent / "js"
MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

MIRRORED: dict[str, str] = {
    "sub-process-blank-start-event": "sub-process-blank-start-event",
    "event-sub-process-typed-start-event": "event-sub-process-typed-start-event",
    "no-gateway-join-fork": "no-gateway-join-fork",
    "no-duplicate-sequence-flows": "no-duplicate-sequence-flows",
    "no-overlapping-elements": "no-overlapping-elements",
    "superfluous-termination": "superfluous-termination",
    "event-based-gateway": "event-based-gateway",
    "unnamed-link": "link-event",
}
"""Our rule id → bpmnlint's.  For link-event only its "missing link name" reports are compared."""

_BPMNLINT = r"""
const fs = require('node:fs');
const { BpmnModdle } = require('bpmn-moddle');
const Linter = require('bpmnlint/lib/linter');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const rules = JSON.parse(process.argv[1]);
const files = JSON.parse(fs.readFileSync(0, 'utf8'));
const config = { rules: Object.fromEntries(rules.map(r => [r, 'error'])) };
(async () => {
  const out = {};
  for (const file of files) {
    let root;
    try {
      ({ rootElement: root } = await new BpmnModdle().fromXML(fs.readFileSync(file, 'utf8')));
    } catch (error) {
      out[file] = { '#import-error': [[null, String(error.message)]] };
      continue;
    }
    // One linter per file: some rules keep state for the lifetime of the linter.
    const results = await new Linter({ config, resolver: new NodeResolver() }).lint(root);
    out[file] = Object.fromEntries(
      Object.entries(results).map(([rule, reports]) => [rule, reports.map(r => [r.id, r.message, r.category])])
    );
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def _start_bpmnlint(files: list[Path]) -> subprocess.Popen[str]:
    """bpmnlint in the background over ``files`` (as bpmn-moddle reads them), while Python lints."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed")
    process = subprocess.Popen(
        [node, "-e", _BPMNLINT, json.dumps(sorted(set(MIRRORED.values())))],
        cwd=JS_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps([str(f) for f in files]))
    process.stdin.close()
    return process


def _bpmnlint_results(process: subprocess.Popen[str]) -> dict[str, dict[str, list[list[str | None]]]]:
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    assert process.wait(timeout=300) == 0, err
    results: dict[str, dict[str, list[list[str | None]]]] = json.loads(out)
    for file, by_rule in results.items():
        rule_errors = [r for reports in by_rule.values() for r in reports if r[2] == "rule-error"]
        assert not rule_errors, (file, rule_errors)
    return results


# --------------------------------------------------------------------------- what each side flags


def _ours(definitions: Definitions) -> dict[str, set[str]]:
    flagged: dict[str, set[str]] = defaultdict(set)
    for finding in lint(definitions):
        if finding.rule in MIRRORED and finding.element_id:
            flagged[finding.rule].add(str(finding.element_id))
    # reports-ends: bpmnlint also flags the source and the target of a duplicate flow.
    for process in definitions.processes.values():
        for flow_id in list(flagged["no-duplicate-sequence-flows"]):
            flow = process.flows.get(ElementId(flow_id))
            if flow is not None:
                flagged["no-duplicate-sequence-flows"] |= {str(flow.source_id), str(flow.target_id)}
    return flagged


def _theirs(reports: dict[str, list[list[str | None]]]) -> dict[str, set[str]]:
    flagged: dict[str, set[str]] = defaultdict(set)
    for ours, theirs in MIRRORED.items():
        for element_id, message, _ in reports.get(theirs, []):
            if element_id is None:
                continue
            if theirs == "link-event" and "missing link name" not in str(message):
                continue
            flagged[ours].add(element_id)
    return flagged


# --------------------------------------------------------------------------- deliberate differences


@dataclass(frozen=True)
class _File:
    """One file as both tools see it: our model, and the raw XML when an explanation needs it."""

    path: Path
    definitions: Definitions

    def element(self, element_id: str) -> etree._Element | None:
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        root = etree.parse(str(self.path), parser).getroot()
        found = root.xpath("//*[@id=$id]", id=element_id)
        return found[0] if found else None

    def process_of(self, element_id: str) -> Process | None:
        for process in self.definitions.processes.values():
            if element_id in process.nodes or element_id in process.flows:
                return process
        return None


def _declares_other_flows(file: _File, element_id: str) -> bool:
    process = file.process_of(element_id)
    if process is None:
        return False
    node = process.nodes.get(ElementId(element_id))
    if node is None:
        return False
    real_in = {f.id for f in process.flows.values() if f.target_id == node.id}
    real_out = {f.id for f in process.flows.values() if f.source_id == node.id}
    return set(node.incoming) != real_in or set(node.outgoing) != real_out


def _declared_refs(file: _File, element_id: str) -> bool:
    if _declares_other_flows(file, element_id):
        return True
    process = file.process_of(element_id)  # superfluous-termination: any end of the level may be miscounted
    return process is not None and any(_declares_other_flows(file, n) for n in process.nodes)


_DATA_KINDS = {ArtifactKind.DATA_OBJECT, ArtifactKind.DATA_OBJECT_REFERENCE, ArtifactKind.DATA_STORE_REFERENCE}


def _data_element(file: _File, element_id: str) -> bool:
    data_ids = {a.id for p in file.definitions.processes.values() for a in p.artifacts if a.kind in _DATA_KINDS}
    if element_id in data_ids:
        return True
    shapes = {s.element_id: s.bounds for d in file.definitions.diagrams for s in d.shapes}
    mine = shapes.get(ElementId(element_id))
    if mine is None:
        return False
    for data_id in data_ids & set(shapes):
        other = shapes[data_id]
        if (mine.x <= other.x + other.width and other.x <= mine.x + mine.width
                and mine.y <= other.y + other.height and other.y <= mine.y + mine.height):
            return True
    return False


def _event_definition_ref(file: _File, element_id: str) -> bool:
    element = file.element(element_id)
    return element is not None and any(
        isinstance(child.tag, str) and etree.QName(child).localname == "eventDefinitionRef" for child in element
    )


def _blank_name(file: _File, element_id: str) -> bool:
    element = file.element(element_id)
    return element is not None and any(
        isinstance(child.tag, str) and etree.QName(child).localname == "linkEventDefinition"
        and child.get("name") is not None and not child.get("name", "").strip()
        for child in element
    )


_EXPLANATIONS: dict[str, dict[str, Callable[[_File, str], bool]]] = {
    "no-gateway-join-fork": {"declared-refs": _declared_refs},
    "event-based-gateway": {"declared-refs": _declared_refs},
    "superfluous-termination": {"declared-refs": _declared_refs},
    "no-overlapping-elements": {"data-element": _data_element},
    "sub-process-blank-start-event": {"event-definition-ref": _event_definition_ref},
    "event-sub-process-typed-start-event": {"event-definition-ref": _event_definition_ref},
    "unnamed-link": {"event-definition-ref": _event_definition_ref, "blank-name": _blank_name},
    "no-duplicate-sequence-flows": {},
}


@dataclass
class _Tally:
    """Agreement on one rule."""

    both: int = 0
    explained: Counter[str] = field(default_factory=Counter)
    unexplained: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Ours:
    """Our side of one file, computed while bpmnlint runs."""

    path: Path
    file: _File
    flagged: dict[str, set[str]]


def _lint_ours(paths: list[Path]) -> list[_Ours]:
    result = []
    for path in paths:
        definitions = read_bpmn(path)
        result.append(_Ours(path, _File(path, definitions), _ours(definitions)))
    return result


def _compare(files: list[_Ours], results: dict[str, dict[str, list[list[str | None]]]]) -> dict[str, _Tally]:
    tallies = {rule: _Tally() for rule in MIRRORED}
    for each in files:
        reports = results[str(each.path)]
        assert "#import-error" not in reports, (each.path, reports)
        theirs = _theirs(reports)
        for rule, tally in tallies.items():
            ours = each.flagged[rule]
            tally.both += len(ours & theirs[rule])
            for side, element_id in _disagreements(ours, theirs[rule]):
                reason = next((n for n, why in _EXPLANATIONS[rule].items() if why(each.file, element_id)), None)
                if reason is None:
                    tally.unexplained.append(f"{each.path}: only {side} flag {element_id}")
                else:
                    tally.explained[reason] += 1
    return tallies


def _disagreements(ours: set[str], theirs: set[str]) -> Iterator[tuple[str, str]]:
    for element_id in sorted(ours - theirs):
        yield "we", element_id
    for element_id in sorted(theirs - ours):
        yield "bpmnlint", element_id


def _report(title: str, tallies: dict[str, _Tally]) -> str:
    lines = [f"bpmnlint agreement on {title} (elements both flag; deliberate differences):"]
    for rule, tally in tallies.items():
        explained = ", ".join(f"{k} {v}" for k, v in sorted(tally.explained.items())) or "none"
        lines.append(f"  {rule:38} both {tally.both:4}  explained: {explained}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the tests


def _with_declared_flows(source: Path, target: Path) -> None:
    """Write ``incoming``/``outgoing`` children into every flow node, as bpmn.io does on export.

    Our fixtures leave them out (BPMN allows it); bpmnlint reads only them.
    """
    tree = etree.parse(str(source))
    root = tree.getroot()
    flows = root.iter(f"{{{MODEL_NS}}}sequenceFlow")
    incoming: dict[str, list[str]] = defaultdict(list)
    outgoing: dict[str, list[str]] = defaultdict(list)
    for flow in flows:
        outgoing[flow.get("sourceRef", "")].append(flow.get("id", ""))
        incoming[flow.get("targetRef", "")].append(flow.get("id", ""))
    for element in root.iter():
        ident = element.get("id")
        if not isinstance(element.tag, str) or ident is None or etree.QName(element).namespace != MODEL_NS:
            continue
        for tag, refs in (("outgoing", outgoing[ident]), ("incoming", incoming[ident])):
            for ref in reversed(refs):
                child = etree.Element(f"{{{MODEL_NS}}}{tag}")
                child.text = ref
                element.insert(0, child)
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")


@pytest.mark.slow  # about 10 s of CPU on two cores: bpmn-moddle parsing 248 files while Python reads them too
def test_mirrored_rules_agree_with_bpmnlint_on_miwg_and_our_fixtures(
    miwg_dir: Path, js_peers: Path, tmp_path: Path
) -> None:
    miwg = sorted(miwg_dir.rglob("*.bpmn"))
    fixtures = []
    for rule in MIRRORED:
        _with_declared_flows(LINT_DATA / f"{rule}.bpmn", tmp_path / f"{rule}.bpmn")
        fixtures.append(tmp_path / f"{rule}.bpmn")
    running = _start_bpmnlint(miwg + fixtures)
    try:
        ours_miwg, ours_fixtures = _lint_ours(miwg), _lint_ours(fixtures)  # while node runs
        results = _bpmnlint_results(running)
    finally:
        running.kill()
    assert set(results) == {str(p) for p in miwg + fixtures}

    on_miwg = _compare(ours_miwg, results)
    on_fixtures = _compare(ours_fixtures, results)
    print(f"\n{_report(f'{len(miwg)} MIWG files', on_miwg)}\n{_report('tests/data/lint fixtures', on_fixtures)}")

    unexplained = [u for t in (*on_miwg.values(), *on_fixtures.values()) for u in t.unexplained]
    assert unexplained == []
    # Each fixture shows its rule firing in both tools, so no rule's agreement is vacuous.
    for rule, tally in on_fixtures.items():
        assert tally.both >= 1, rule
        assert set(tally.explained) <= {"blank-name"}, (rule, tally.explained)  # catch_bare's name is " "
    # The MIWG files exercise the rules that real exports trip over.
    assert on_miwg["no-overlapping-elements"].both > 100
    assert on_miwg["sub-process-blank-start-event"].both > 0
    assert on_miwg["unnamed-link"].both > 0
