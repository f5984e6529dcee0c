"""Findings, rules and the registry every rule family adds itself to.

A rule has one of three scopes:

* ``file``: a pure function of one file's model (most rules);
* ``files``: a pure function of *all* files checked together, for what only
  shows across files (the same id in two files, a call activity whose process
  lives in another file, a recursion through several files);
* ``external``: computed outside ``bpm.lint`` (the scoring side, through the
  CLI) and merged with lint's findings by the caller.  Registering it here
  gives those findings an id, a severity, a summary and help text, so
  ``--list-rules``, ``--disable``, the JSON and SARIF outputs and the report
  treat them like any other finding; :meth:`Rule.finding` builds them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import overload

from bpm.errors import Say, Text
from bpm.model import Definitions, ElementId, SourceRef


class Severity(Enum):
    """How bad a finding is; ``error`` makes ``bpm lint`` exit non-zero."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Scope(Enum):
    """What a rule looks at (see the module docstring)."""

    FILE = "file"
    FILES = "files"
    EXTERNAL = "external"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in one place."""

    rule: str
    """Stable kebab-case rule id, e.g. ``dead-end``."""
    severity: Severity
    """How bad it is."""
    message: str
    """What is wrong, in English."""
    source: SourceRef
    """Where: file and line of the element concerned."""
    element_id: ElementId | None
    """The element concerned, when it has an id."""
    hint: str = ""
    """How to fix it, when there is something useful to say."""
    message_ja: str = ""
    """The message in Japanese alone, when ``message`` holds both languages (``ja / en``, as the site shows it)."""
    message_en: str = ""
    """The message in English alone, likewise."""
    hint_ja: str = ""
    """The hint in Japanese alone, when the rule writes one."""
    hint_en: str = ""
    """The hint in English alone, likewise."""

    def line(self, lang: str | None = None) -> str:
        """``file:line: severity rule: message [id=…] (hint)`` in ``lang`` (default: the run's language).

        A terminal line says one language: the one-language texts when the
        finding has them, else ``message`` and ``hint`` as written.
        """
        from bpm.messages import language

        japanese = (lang or language()) == "ja"
        message = (self.message_ja if japanese else self.message_en) or self.message
        hint = (self.hint_ja if japanese else self.hint_en) or self.hint
        text = f"{self.source}: {self.severity.value} {self.rule}: {message}"
        if self.element_id:
            text = f"{text} [id={self.element_id}]"
        if hint:
            text = f"{text} ({hint})"
        return text

    def __str__(self) -> str:
        return self.line()


Check = Callable[[Sequence[Definitions]], Iterable[Finding]]
"""What a rule runs: the files checked together in, findings out."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered check."""

    id: str
    """Stable kebab-case id, used in findings and in ``--disable``."""
    severity: Severity
    """Severity of the findings it reports."""
    summary_ja: str
    """One-line description for the Japanese report."""
    summary_en: str
    """One-line description for the English report."""
    run: Check | None
    """The check over the files checked together; None for an external rule."""
    scope: Scope = Scope.FILE
    """What the rule looks at."""
    help: str = ""
    """Why the rule exists, in a few sentences (``--list-rules --format json``, SARIF help)."""

    def check(self, definitions: Definitions) -> list[Finding]:
        """Findings of this rule on one file checked alone."""
        return list(self.run([definitions])) if self.run is not None else []

    def finding(
        self, message: str, source: SourceRef, element_id: str | None = None, hint: str = ""
    ) -> Finding:
        """A finding of this rule, for findings computed outside ``bpm.lint``."""
        return Finding(self.id, self.severity, message, source, ElementId(element_id) if element_id else None, hint)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule body yields; the registry adds the rule id and severity."""

    source: SourceRef
    element_id: ElementId | None
    message: Text
    """A catalogue message (:func:`bpm.errors.say`), written in both languages on the finding."""
    hint: Text = ""

    def finding(self, rule_id: str, severity: Severity) -> Finding:
        """The finding of rule ``rule_id``: ``message``/``hint`` in English (JSON, SARIF) plus each language alone."""
        message_ja, message_en = _both(self.message)
        hint_ja, hint_en = _both(self.hint)
        return Finding(rule_id, severity, message_en, self.source, self.element_id, hint_en,
                       message_ja, message_en, hint_ja, hint_en)


def _both(text: Text) -> tuple[str, str]:
    """A catalogue text written in Japanese and in English; a text written already stays as it is."""
    if isinstance(text, Say):
        return text.render("ja"), text.render("en")
    return text, text


class _RuleList(Sequence[Rule]):
    """A live, read-only view of the registry: rules registered later show up too."""

    def __init__(self, rules: list[Rule]) -> None:
        self._rules = rules

    @overload
    def __getitem__(self, index: int) -> Rule: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Rule]: ...
    def __getitem__(self, index: int | slice) -> Rule | Sequence[Rule]:
        return self._rules[index]

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"RULES({', '.join(r.id for r in self._rules)})"


_REGISTRY: list[Rule] = []

RULES: Sequence[Rule] = _RuleList(_REGISTRY)
"""Every rule, in registration order (a live view)."""


def _help_of(body: Callable[..., object]) -> str:
    """The first paragraph of a rule body's docstring: why the rule exists."""
    doc = inspect.getdoc(body) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def _add(new: Rule) -> Rule:
    if any(r.id == new.id for r in _REGISTRY):
        raise ValueError(f"rule {new.id!r} registered twice")
    _REGISTRY.append(new)
    return new


FileBody = Callable[[Definitions], Iterable[Hit]]
FilesBody = Callable[[Sequence[Definitions]], Iterable[Hit]]


def rule(rule_id: str, severity: Severity, summary_ja: str, summary_en: str) -> Callable[[FileBody], FileBody]:
    """Register a rule body over one file; each :class:`Hit` it yields becomes a :class:`Finding` of this rule."""

    def register(body: FileBody) -> FileBody:
        def run(files: Sequence[Definitions]) -> Iterator[Finding]:
            for definitions in files:
                for hit in body(definitions):
                    yield hit.finding(rule_id, severity)

        _add(Rule(rule_id, severity, summary_ja, summary_en, run, Scope.FILE, _help_of(body)))
        return body

    return register


def files_rule(
    rule_id: str, severity: Severity, summary_ja: str, summary_en: str
) -> Callable[[FilesBody], FilesBody]:
    """Register a rule body over all files checked together (scope ``files``)."""

    def register(body: FilesBody) -> FilesBody:
        def run(files: Sequence[Definitions]) -> Iterator[Finding]:
            for hit in body(files):
                yield hit.finding(rule_id, severity)

        _add(Rule(rule_id, severity, summary_ja, summary_en, run, Scope.FILES, _help_of(body)))
        return body

    return register


def register_rule(
    rule_id: str,
    severity: Severity,
    summary_ja: str,
    summary_en: str,
    *,
    help: str = "",
    run: Check | None = None,
    scope: Scope = Scope.EXTERNAL,
) -> Rule:
    """Register a rule whose findings are made elsewhere (or, with ``run``, a hand-written check).

    >>> gate = register_rule("example-external", Severity.WARNING, "例", "Example", help="Shows the API.")
    >>> print(gate.finding("step is a public-authority step", SourceRef("a.bpmn", 3), "t1", "keep it"))
    a.bpmn:3: warning example-external: step is a public-authority step [id=t1] (keep it)
    >>> unregister_rule("example-external")
    """
    if run is None and scope is not Scope.EXTERNAL:
        raise ValueError(f"rule {rule_id!r}: only an external rule may come without a check")
    return _add(Rule(rule_id, severity, summary_ja, summary_en, run, scope, help))


def unregister_rule(rule_id: str) -> None:
    """Remove a rule (for tests and plug-ins that registered one for a while)."""
    _REGISTRY[:] = [r for r in _REGISTRY if r.id != rule_id]


def rule_for(rule_id: str) -> Rule | None:
    """The registered rule behind a finding's rule id, or None for an unknown id.

    Reader notes are reported as ``import-<code>``; they all belong to ``import-note``.

    >>> import bpm.lint
    >>> rule_for("import-missing-id").id, rule_for("dead-end").severity.value, rule_for("typo")
    ('import-note', 'error', None)
    """
    for each in _REGISTRY:
        if each.id == rule_id:
            return each
    if rule_id.startswith("import-") and len(rule_id) > len("import-"):
        return rule_for("import-note")
    return None
