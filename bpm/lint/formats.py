"""Findings as text (for people), JSON (for scripts) and SARIF 2.1.0 (for editors and CI systems).

SARIF is the OASIS format that code-scanning services and editor extensions
read: one run whose ``tool.driver.rules`` describe every rule (id, summary,
help, default level) and whose ``results`` point at a file, a line and (as a
logical location) the BPMN element id.  Paths are written as relative URI
references when the user gave relative paths (so a CI system can map them onto
its checkout) and as ``file:`` URIs otherwise; non-ASCII names (転入届.bpmn) are
percent-encoded as RFC 3986 requires.

All three are pure functions of the findings and the rules; nothing here reads
files or the clock, so the same check gives byte-identical output.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import PurePath, PurePosixPath
from typing import Any, Literal
from urllib.parse import quote

from bpm.errors import say
from bpm.lint.registry import Finding, Rule, Severity, rule_for

Format = Literal["text", "json", "sarif"]
FORMATS: tuple[Format, ...] = ("text", "json", "sarif")

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
"""The ``$schema`` of the SARIF 2.1.0 (errata 01) log we write."""

TOOL_NAME = "bpm lint"

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def text_report(findings: Iterable[Finding]) -> str:
    """One ``file:line: severity rule: message [id=…] (hint)`` line per finding."""
    return "".join(f"{finding}\n" for finding in findings)


def summary_line(findings: Sequence[Finding], files_checked: int, lang: str | None = None) -> str:
    """``3 file(s) checked: 1 error(s), 2 warning(s), 0 info(s)`` (or ``no findings``) in ``lang`` (default: the run's).

    >>> summary_line([], 2, "ja")
    '2 個のファイルを確認しました: 指摘はありません'
    """
    counts = Counter(f.severity for f in findings)
    summary = say("lint.summary_counts", error=counts[Severity.ERROR], warning=counts[Severity.WARNING],
                  info=counts[Severity.INFO]) if findings else say("lint.no_findings")
    return say("lint.summary", files=files_checked, summary=summary).render(lang)


def json_report(findings: Sequence[Finding], files: Sequence[str], *, version: str = "") -> str:
    """A JSON document: the files checked, the counts by severity and every finding with its fields.

    >>> from bpm.model import ElementId, SourceRef
    >>> finding = Finding("dead-end", Severity.ERROR, "stops", SourceRef("a.bpmn", 4), ElementId("t"), "add a flow")
    >>> print(json_report([finding], ["a.bpmn"]))  # doctest: +NORMALIZE_WHITESPACE
    {"tool": "bpm lint", "version": "", "files": ["a.bpmn"],
     "counts": {"error": 1, "warning": 0, "info": 0},
     "findings": [{"rule": "dead-end", "severity": "error", "file": "a.bpmn", "line": 4, "element_id": "t",
                   "message": "stops", "hint": "add a flow"}]}
    """
    counts = Counter(f.severity for f in findings)
    document = {
        "tool": TOOL_NAME,
        "version": version,
        "files": list(files),
        "counts": {s.value: counts[s] for s in Severity},
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "file": f.source.file,
                "line": f.source.line,
                "element_id": f.element_id,
                "message": f.message,
                "hint": f.hint,
            }
            for f in findings
        ],
    }
    return json.dumps(document, ensure_ascii=False)


def rules_json(rules: Iterable[Rule]) -> str:
    """The rule list (``bpm lint --list-rules --format json``)."""
    return json.dumps([_rule_entry(r) for r in rules], ensure_ascii=False, indent=2)


def _rule_entry(rule: Rule) -> dict[str, str]:
    return {
        "id": rule.id,
        "severity": rule.severity.value,
        "scope": rule.scope.value,
        "summary_ja": rule.summary_ja,
        "summary_en": rule.summary_en,
        "help": rule.help,
    }


def artifact_uri(path: str) -> str:
    """A URI reference for a path as the user gave it: relative stays relative, absolute becomes ``file:``.

    >>> artifact_uri("flows/転入届.bpmn")
    'flows/%E8%BB%A2%E5%85%A5%E5%B1%8A.bpmn'
    >>> artifact_uri("/srv/share/a b.bpmn")
    'file:///srv/share/a%20b.bpmn'
    >>> artifact_uri("x#1?.bpmn")
    'x%231%3F.bpmn'
    """
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(PurePosixPath(*pure.parts).as_posix() if pure.parts else path, safe="/")


def sarif_report(
    findings: Sequence[Finding], rules: Sequence[Rule], *, version: str = "", files: Sequence[str] = ()
) -> str:
    """A SARIF 2.1.0 log with one run: every rule in ``tool.driver.rules``, every finding as a result.

    Reader notes are reported as ``import-<code>``; each code that occurs gets
    a rule entry of its own (described by ``import-note``), so every result's
    ``ruleId`` names an entry of ``tool.driver.rules``, as code-scanning
    services expect.  ``files`` (the files checked) are listed as the run's
    artifacts, so a consumer can tell "checked, nothing found" from "not
    checked".
    """
    entries = [_sarif_rule(r.id, r) for r in rules]
    known = {r.id for r in rules}
    for finding in findings:
        if finding.rule not in known:
            known.add(finding.rule)
            entries.append(_sarif_rule(finding.rule, rule_for(finding.rule)))
    index = {entry["id"]: i for i, entry in enumerate(entries)}
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL_NAME, "version": version or "0", "rules": entries}},
        "artifacts": [{"location": {"uri": artifact_uri(f)}} for f in files],
        "results": [_sarif_result(f, index[f.rule]) for f in findings],
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2)


def _sarif_rule(rule_id: str, rule: Rule | None) -> dict[str, Any]:
    """A reportingDescriptor; ``rule`` describes it (the family rule for ``import-<code>``), None if unknown."""
    entry: dict[str, Any] = {"id": rule_id, "name": "".join(part.capitalize() for part in rule_id.split("-"))}
    if rule is None:
        return entry
    entry.update(
        shortDescription={"text": rule.summary_en},
        fullDescription={"text": rule.help or rule.summary_en},
        help={"text": f"{rule.summary_en} / {rule.summary_ja}. {rule.help}".strip()},
        defaultConfiguration={"level": _SARIF_LEVEL[rule.severity]},
        properties={"summary_ja": rule.summary_ja, "scope": rule.scope.value},
    )
    return entry


def _sarif_result(finding: Finding, rule_index: int) -> dict[str, Any]:
    text = f"{finding.message} ({finding.hint})" if finding.hint else finding.message
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(finding.source.file)}}
    if finding.source.line is not None and finding.source.line >= 1:
        physical["region"] = {"startLine": finding.source.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.element_id:
        location["logicalLocations"] = [{"name": finding.element_id, "kind": "element"}]
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [location],
    }
