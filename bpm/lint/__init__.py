"""Model checks: what in a BPMN file will mislead the scanner or its reader.

A counter-process map is drawn by people, not generated, so it is often
*almost* right: a step nobody can reach, a branch that never comes back, an
exclusive gateway whose branches say nothing about when they are taken.  The
scanner would still compute visits and hours for such a map, and the numbers
would be quietly wrong.  ``bpm lint`` names each of these places with its file,
line and element id so they can be fixed in the modeling tool first.

The rules follow the spirit of bpmnlint (stable kebab-case ids, one severity
per rule; the rules that mirror one of bpmnlint's carry its id and say in their
docstring where they deliberately differ) with additions that matter for a
scanner: unreachable steps get no visits, dead ends and loops without an exit
make the visit equations singular, and everything the reader had to skip or
repair is reported too.

One module per rule family: :mod:`~bpm.lint.structure`, :mod:`~bpm.lint.loops`,
:mod:`~bpm.lint.references`, :mod:`~bpm.lint.gateways`, :mod:`~bpm.lint.names`,
:mod:`~bpm.lint.pools`, :mod:`~bpm.lint.events`, :mod:`~bpm.lint.calls`,
:mod:`~bpm.lint.diagram`, :mod:`~bpm.lint.identity` and :mod:`~bpm.lint.notes`;
:mod:`~bpm.lint.registry` holds the rule registry (rules computed outside
``bpm.lint`` register there too) and :mod:`~bpm.lint.formats` writes findings
as text, JSON or SARIF.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from bpm.errors import BpmError, say
from bpm.lint.registry import RULES, Finding, Rule, Scope, Severity, register_rule, rule_for, unregister_rule
from bpm.model import Definitions

# The rule families register themselves on import, in this order (the order of --list-rules).
# isort: off
from bpm.lint import structure  # noqa: F401
from bpm.lint import loops  # noqa: F401
from bpm.lint import references  # noqa: F401
from bpm.lint import gateways  # noqa: F401
from bpm.lint import names  # noqa: F401
from bpm.lint import pools  # noqa: F401
from bpm.lint import events  # noqa: F401
from bpm.lint import calls  # noqa: F401
from bpm.lint import diagram  # noqa: F401
from bpm.lint import identity  # noqa: F401
from bpm.lint import notes  # noqa: F401

# isort: on

__all__ = [
    "RULES",
    "Finding",
    "Rule",
    "Scope",
    "Severity",
    "check_disabled",
    "has_errors",
    "lint",
    "lint_files",
    "register_rule",
    "rule_for",
    "sort_findings",
    "unregister_rule",
]


def lint(definitions: Definitions, *, disabled: Collection[str] = ()) -> list[Finding]:
    """Run every rule that is not disabled over one file's model, as if it were checked alone.

    Parameters
    ----------
    definitions
        The model of one BPMN file, as :func:`bpm.reader.read_bpmn` returns it.
    disabled
        Rule ids to skip.  ``import-note`` skips all reader notes;
        ``import-<code>`` skips one kind of them.

    Returns
    -------
    list of Finding
        Sorted by file, line and rule id, so output is stable.

    Raises
    ------
    BpmError
        When ``disabled`` names a rule that does not exist (a typo would
        otherwise silently disable nothing).

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ... <process id="p">
    ... <startEvent id="s"/>
    ... <task id="t" name="受付"/>
    ... <task id="orphan" name="保管"/>
    ... <endEvent id="e"/>
    ... <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    ... <sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
    ... </process></definitions>'''.encode()
    >>> for finding in lint(read_bpmn_bytes(xml, "x.bpmn"), disabled={"missing-shape"}):
    ...     print(finding.rule, finding.element_id, finding.source.line)
    dead-end orphan 5
    unreachable orphan 5
    """
    return lint_files([definitions], disabled=disabled)


def lint_files(
    files: Sequence[Definitions],
    *,
    disabled: Collection[str] = (),
    scopes: Collection[Scope] = (Scope.FILE, Scope.FILES),
) -> list[Finding]:
    """Run the rules over the files of one check or scan together.

    Rules of scope ``file`` run on each file; rules of scope ``files`` see all
    of them at once (the same id in two files, a call into another file, a
    recursion through several files).  ``scopes`` picks which of the two kinds
    run, e.g. only ``files`` where per-file findings are not wanted.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> def model(name, called):
    ...     xml = f'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...     <process id="{name}"><startEvent id="{name}_s"/>
    ...     <callActivity id="{name}_call" name="呼出" calledElement="{called}"/><endEvent id="{name}_e"/>
    ...     <sequenceFlow id="{name}_f1" sourceRef="{name}_s" targetRef="{name}_call"/>
    ...     <sequenceFlow id="{name}_f2" sourceRef="{name}_call" targetRef="{name}_e"/>
    ...     </process></definitions>'''
    ...     return read_bpmn_bytes(xml.encode(), f"{name}.bpmn")
    >>> [f.rule for f in lint(model("a", "b"))]
    ['unresolved-called-element']
    >>> for finding in lint_files([model("a", "b"), model("b", "a")]):
    ...     print(finding.source, finding.rule)
    a.bpmn:3 recursive-call
    b.bpmn:3 recursive-call
    """
    check_disabled(disabled)
    skip = set(disabled)
    findings: list[Finding] = []
    for each in RULES:
        if each.id in skip or each.scope not in scopes or each.run is None:
            continue
        findings.extend(f for f in each.run(files) if f.rule not in skip)
    return sort_findings(findings)


def check_disabled(disabled: Collection[str]) -> None:
    """Refuse rule ids that do not exist: a typo would otherwise silently disable nothing."""
    unknown = sorted(d for d in disabled if rule_for(d) is None)
    if unknown:
        raise BpmError(
            say("lint.unknown_rules", rules=", ".join(unknown)),
            hint=say("lint.known_rules", rules=", ".join(r.id for r in RULES)),
        )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings by file, line, rule id, element id and message: the one stable order of every output."""
    return sorted(findings, key=_sort_key)


def _sort_key(finding: Finding) -> tuple[str, int, str, str, str]:
    return (
        finding.source.file,
        finding.source.line if finding.source.line is not None else 0,
        finding.rule,
        finding.element_id or "",
        finding.message,
    )


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error (``bpm lint`` then exits 1)."""
    return any(f.severity is Severity.ERROR for f in findings)
