"""bpm.lint.formats: the JSON document and the SARIF 2.1.0 log, checked against the official schema.

The schema is the OASIS file itself (tests/data/lint/sarif/, see its README for
the source), validated with the ``jsonschema`` package, so a log that GitHub
code scanning, the VS Code SARIF viewer or any other SARIF reader would refuse
fails here.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from click.testing import CliRunner

from bpm.cli import main
from bpm.lint import RULES, Finding, Scope, Severity, lint_files
from bpm.lint.formats import SARIF_SCHEMA, artifact_uri, json_report, sarif_report, summary_line
from bpm.model import ElementId, SourceRef
from bpm.reader import read_bpmn

DATA = Path(__file__).resolve().parents[1] / "data" / "lint"
SCHEMA_FILE = DATA / "sarif" / "sarif-schema-2.1.0.json"

_URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
"""The characters RFC 3986 allows in a URI reference (anything else must be percent-encoded)."""


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    assert schema["id"] == SARIF_SCHEMA
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _valid(validator: jsonschema.Draft4Validator, log: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def _all_fixture_findings() -> tuple[list[Finding], list[str]]:
    paths = sorted(DATA.glob("*.bpmn")) + sorted((DATA / "duplicate-id-across-files").glob("*.bpmn"))
    return lint_files([read_bpmn(p) for p in paths]), [str(p) for p in paths]


def test_sarif_of_every_fixture_is_valid_against_the_official_schema(validator: jsonschema.Draft4Validator) -> None:
    findings, files = _all_fixture_findings()
    own = {r.id for r in RULES if r.scope is not Scope.EXTERNAL}  # external rules' findings are made elsewhere
    assert {f.rule for f in findings} >= own - {"import-note", "unreadable-file"}
    log = json.loads(sarif_report(findings, list(RULES), version="1.2.3", files=files))
    _valid(validator, log)
    (run,) = log["runs"]
    assert log["version"] == "2.1.0" and log["$schema"] == SARIF_SCHEMA
    assert run["tool"]["driver"]["name"] == "bpm lint" and run["tool"]["driver"]["version"] == "1.2.3"
    assert len(run["results"]) == len(findings)
    assert len(run["artifacts"]) == len(files)


def test_sarif_rules_describe_every_rule_and_every_result_points_at_its_rule() -> None:
    findings, files = _all_fixture_findings()
    run = json.loads(sarif_report(findings, list(RULES), files=files))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][: len(RULES)] == [r.id for r in RULES]
    for descriptor in rules:
        assert descriptor["shortDescription"]["text"] and descriptor["help"]["text"], descriptor["id"]
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning", "note")
    by_id = {r.id: r for r in RULES}
    assert rules[[r["id"] for r in rules].index("endless-loop")]["defaultConfiguration"]["level"] == "error"
    assert rules[[r["id"] for r in rules].index("superfluous-termination")]["defaultConfiguration"]["level"] == "note"
    for result, finding in zip(run["results"], findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding.severity.value]
        assert result["message"]["text"].startswith(finding.message)
        if finding.rule in by_id:
            assert result["level"] == rules[result["ruleIndex"]]["defaultConfiguration"]["level"]


def test_reader_notes_get_a_rule_entry_per_code(validator: jsonschema.Draft4Validator) -> None:
    findings = lint_files([read_bpmn(DATA / "import-note.bpmn")])
    assert [f.rule for f in findings] == ["import-unsupported-element"]
    log = json.loads(sarif_report(findings, list(RULES)))
    _valid(validator, log)
    run = log["runs"][0]
    entry = run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]
    assert entry["id"] == "import-unsupported-element"
    assert entry["properties"]["summary_ja"].startswith("読み込み時に")


def test_sarif_locations_carry_file_line_and_element(validator: jsonschema.Draft4Validator) -> None:
    findings = lint_files([read_bpmn(DATA / "endless-loop.bpmn")])
    run = json.loads(sarif_report(findings, list(RULES)))["runs"][0]
    first = run["results"][0]
    (location,) = first["locations"]
    assert location["physicalLocation"]["region"] == {"startLine": 6}
    assert location["physicalLocation"]["artifactLocation"]["uri"] == (DATA / "endless-loop.bpmn").as_uri()
    assert location["logicalLocations"] == [{"name": "merge1", "kind": "element"}]


def test_a_finding_without_line_or_element_is_still_valid(validator: jsonschema.Draft4Validator) -> None:
    bare = Finding("unreadable-file", Severity.ERROR, "file not found", SourceRef("gone.bpmn", None), None, "")
    log = json.loads(sarif_report([bare], list(RULES)))
    _valid(validator, log)
    (location,) = log["runs"][0]["results"][0]["locations"]
    assert location == {"physicalLocation": {"artifactLocation": {"uri": "gone.bpmn"}}}


def test_an_empty_check_is_a_valid_log(validator: jsonschema.Draft4Validator) -> None:
    log = json.loads(sarif_report([], list(RULES), files=["clean.bpmn"]))
    _valid(validator, log)
    assert log["runs"][0]["results"] == []


def test_list_rules_as_sarif_is_valid(validator: jsonschema.Draft4Validator) -> None:
    result = CliRunner().invoke(main, ["lint", "--list-rules", "--format", "sarif"])
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    _valid(validator, log)
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)


@pytest.mark.parametrize(
    "path",
    ["flows/転入届.bpmn", "a b/c#d?.bpmn", "a\\b.bpmn", "100%.bpmn", "./x.bpmn", "C:x.bpmn", "/srv/共有/a b.bpmn"],
)
def test_artifact_uris_are_rfc3986_references_that_round_trip(path: str) -> None:
    uri = artifact_uri(path)
    assert _URI_REFERENCE.match(uri), uri
    parts = urlsplit(uri)
    if path.startswith("/"):
        assert parts.scheme == "file" and unquote(parts.path) == path
    else:
        assert parts.scheme == "" and parts.netloc == "" and not parts.query and not parts.fragment
        assert unquote(parts.path) == Path(path).as_posix()


def test_sarif_from_the_cli_names_hostile_file_names_safely(
    tmp_path: Path, validator: jsonschema.Draft4Validator
) -> None:
    odd = tmp_path / "転入届 #1?.bpmn"
    shutil.copy(DATA / "unnamed-link.bpmn", odd)
    result = CliRunner().invoke(main, ["lint", "--format", "sarif", str(odd)])
    log = json.loads(result.stdout)
    _valid(validator, log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {odd.as_uri()}


def test_json_report_and_summary_agree() -> None:
    findings = [
        Finding("dead-end", Severity.ERROR, "stops", SourceRef("a.bpmn", 4), ElementId("t")),
        Finding("unnamed-task", Severity.WARNING, "no name", SourceRef("a.bpmn", 5), ElementId("u")),
    ]
    document = json.loads(json_report(findings, ["a.bpmn", "b.bpmn"]))
    assert document["counts"] == {"error": 1, "warning": 1, "info": 0}
    assert summary_line(findings, 2) == "2 file(s) checked: 1 error(s), 1 warning(s), 0 info(s)"
    assert summary_line([], 2) == "2 file(s) checked: no findings"
