"""The legal gate: legal evidence per step, the third state 要確認, and the last word on every disposition.

Why this module exists: the README promises that a step exercising public
authority (公権力の行使) is never recommended for outsourcing.  A precedence
rule (survey beats name) broke that promise with one wrong survey cell, and a
default of "not authority" broke it for every vague or unnamed step.  So:

* **Monotone evidence.**  Every source makes a *claim* (:class:`LegalClaim`):
  the survey, a BPMN property, the words of the step name (a reviewed
  lexicon, ``catalogue/legal_lexicon.toml``, one source per entry), the lane,
  the decision gateway that follows, the procedure template
  (:mod:`scoring.procedures`).  The class is the *strongest* claim —
  公権力 > 要確認 > 事実上の行為 — never the first one found.
* **Conflicts.**  A person stating 無 (survey, property) against any 有 claim is
  a :class:`LegalConflict`: the step stays with staff and the report shows an
  error with both pieces of evidence.  Only a written, justified override
  (survey 公権力の判断根拠, or a profile ``[legal.overrides]`` entry naming the
  step) decides otherwise, and every override used is listed.
* **要確認.**  Any judgment signal, an unnamed step, a staff / 審査 / 決裁 lane,
  a decision gateway right after (受理できる?), or no evidence at all makes a
  step 要確認: it is never outsourced, and a robot may run it only where the
  doubt is about placement (the lane) rather than about a decision in the step.
* **The gate is last.**  :func:`gate` takes only the disposition the scores
  and costs proposed and the :class:`LegalStatus`, which is built from legal
  evidence alone — no weight, threshold or price reaches it — and may only
  move a step towards staff.  :func:`permitted` states the invariant that the
  assessment checks at the very end and the property tests try to break.
* **Outsourcing needs a basis.**  A factual step is outsourced only when its
  procedure is on the 内閣府 H20.1.17 list (and the step within the listed
  scope, and 公金 only after the 告示); the reason cites the 根拠通知.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bpm.lint import Finding, Severity, register_rule, rule_for
from bpm.model import Definitions, ElementId, FlowNode, Process, SourceRef, TaskKind
from scoring.context import StepFacts, assessable_steps, node_properties
from scoring.lexicon import Hit, Lexicon, Word, compile_words, normalize_name
from scoring.procedures import Catalogue, Procedure, TemplateCheck, check_template, in_scope, procedure_for
from scoring.profile import LegalOverrideEntry, Profile
from scoring.result import (
    Disposition,
    EvidenceSource,
    LegalClaim,
    LegalClass,
    LegalConflict,
    LegalOverride,
    LegalSource,
    LegalStatus,
    Reason,
)
from scoring.survey import SurveyRow, parse_flag

__all__ = [
    "LEGAL_FEATURE_VALUE",
    "LEXICON_FILE",
    "LINT_RULES",
    "REASON_CODES",
    "RULE_TITLES",
    "Entrustability",
    "GateResult",
    "LegalLexicon",
    "conflict_findings",
    "entrustability",
    "evidence_source_of",
    "gate",
    "legal_lexicon",
    "legal_status",
    "missing_decision_findings",
    "override_from_entry",
    "override_from_row",
    "permitted",
    "template_findings",
]

LEXICON_FILE = Path(__file__).resolve().parent / "catalogue" / "legal_lexicon.toml"

A, U, F = LegalClass.AUTHORITY, LegalClass.UNKNOWN, LegalClass.FACTUAL

LEGAL_FEATURE_VALUE: Mapping[LegalClass, float] = {F: 0.0, U: 0.5, A: 1.0}
"""How the ``legal_authority`` feature shows a class (display only: the gate reads the class)."""

_AUTOMATED = (TaskKind.SERVICE, TaskKind.SCRIPT)

_EVIDENCE_SOURCE = {
    LegalSource.SURVEY: EvidenceSource.SURVEY,
    LegalSource.PROPERTY: EvidenceSource.PROPERTY,
    LegalSource.NAME: EvidenceSource.LEXICON,
    LegalSource.LANE: EvidenceSource.STRUCTURE,
    LegalSource.GATEWAY: EvidenceSource.STRUCTURE,
    LegalSource.TEMPLATE: EvidenceSource.STRUCTURE,
    LegalSource.STRUCTURE: EvidenceSource.STRUCTURE,
    LegalSource.OVERRIDE: EvidenceSource.USER,
}


def evidence_source_of(source: LegalSource) -> EvidenceSource:
    """The general evidence source a legal source is reported under.

    >>> evidence_source_of(LegalSource.NAME).value, evidence_source_of(LegalSource.GATEWAY).value
    ('lexicon', 'structure')
    """
    return _EVIDENCE_SOURCE[source]


# --------------------------------------------------------------------------- the reviewed lexicon


_GROUPS = ("authority", "refusal", "judgment", "context", "factual", "neutral", "cash", "staff_lane",
           "decision_gateway", "gateway_neutral")


@dataclass(frozen=True, slots=True)
class LegalLexicon:
    """The reviewed legal word lists, compiled: step names, gateway names and lane names."""

    names: Lexicon
    """Signals authority, refusal, judgment, context, factual, neutral, cash."""
    gateways: Lexicon
    """Signals decision_gateway, gateway_neutral."""
    lanes: Lexicon
    """Signal staff_lane."""
    _claims: dict[tuple[object, ...], tuple[LegalClaim, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False)
    """Claims by what they are made of (a step's name and whether it is automated; its lanes and the gateways
    after it): a portfolio repeats its step names and lanes in every flow, and a claim is immutable, so equal
    inputs share one tuple of claims.  Bounded by :data:`_CLAIMS_LIMIT`."""

    def remembered(
        self, key: tuple[object, ...], make: Callable[[], list[LegalClaim]]
    ) -> tuple[LegalClaim, ...]:
        """The claims made by ``make`` for ``key``, made once per distinct key (the key must hold every input)."""
        known = self._claims.get(key)
        if known is None:
            if len(self._claims) >= _CLAIMS_LIMIT:
                self._claims.clear()
            known = self._claims[key] = tuple(make())
        return known


_CLAIMS_LIMIT = 100_000
"""Distinct keys remembered per legal lexicon."""


def _entries(data: Mapping[str, object]) -> list[Word]:
    words: list[Word] = []
    for group in _GROUPS:
        tables = data.get(group, [])
        if not isinstance(tables, list):
            raise ValueError(f"{group} must be an array of tables")
        for table in tables:
            if not isinstance(table, dict) or not isinstance(table.get("source"), str) or not table["source"].strip():
                raise ValueError(f"every [[{group}]] entry needs a source")
            for lang in ("ja", "en"):
                for word in table.get(lang, []):
                    if not isinstance(word, str) or not word.strip():
                        raise ValueError(f"[[{group}]] {lang} must be a list of non-empty strings")
                    words.append(Word(group, word.strip(), lang, table["source"].strip()))
    return words


@lru_cache(maxsize=1)
def reviewed_words() -> tuple[Word, ...]:
    """Every entry of ``catalogue/legal_lexicon.toml`` with its source.

    >>> words = reviewed_words()
    >>> next(w for w in words if w.word == "許可").signal
    'authority'
    >>> all(w.source for w in words)
    True
    """
    return tuple(_entries(tomllib.loads(LEXICON_FILE.read_text(encoding="utf-8"))))


def legal_lexicon(profile: Profile | None = None) -> LegalLexicon:
    """The reviewed lexicon, plus a profile's ``lexicon.legal_authority`` and ``lexicon.judgment`` words.

    A profile can only *add* words here: replacing its word lists never
    removes a reviewed entry, so no profile makes 審査 a factual act.
    """
    return _compiled(_profile_words(profile))


def _profile_words(profile: Profile | None) -> tuple[Word, ...]:
    if profile is None:
        return ()
    extra: list[Word] = []
    for signal, key in (("authority", "legal_authority"), ("judgment", "judgment")):
        word_list = profile.lexicon.get(key)
        if word_list is not None:
            note = f"profile lexicon.{key}: {word_list.source}"
            extra.extend(Word(signal, w, "ja", note) for w in word_list.ja)
            extra.extend(Word(signal, w, "en", note) for w in word_list.en)
    return tuple(extra)


@lru_cache(maxsize=8)
def _compiled(extra: tuple[Word, ...]) -> LegalLexicon:
    words = (*reviewed_words(), *extra)

    def pick(*signals: str) -> Lexicon:
        return compile_words(w for w in words if w.signal in signals)

    return LegalLexicon(
        names=pick("authority", "refusal", "judgment", "context", "factual", "neutral", "cash"),
        gateways=pick("decision_gateway", "gateway_neutral"),
        lanes=pick("staff_lane"),
    )


# --------------------------------------------------------------------------- claims and status


def _shown(hits: Sequence[Hit]) -> str:
    return "・".join(dict.fromkeys(h.word for h in hits))


def _sources(hits: Sequence[Hit]) -> str:
    return " | ".join(dict.fromkeys(h.source for h in hits if h.source))


def _name_claims(node: FlowNode, lexicon: LegalLexicon) -> tuple[LegalClaim, ...]:
    automated = node.kind in _AUTOMATED
    return lexicon.remembered(("name", node.name, automated), lambda: _claims_of_name(node.name, automated, lexicon))


def _claims_of_name(raw_name: str, automated: bool, lexicon: LegalLexicon) -> list[LegalClaim]:
    name = " ".join(raw_name.split())
    if not name:
        return [LegalClaim(U, LegalSource.STRUCTURE, "名前のない手順（何をするか分からない）",
                           "unnamed step: what it does is unknown", "issue 7: an unnamed step is 要確認")]
    hits = lexicon.names.hits(name)
    by: dict[str, list[Hit]] = {}
    for hit in hits:
        by.setdefault(hit.signal, []).append(hit)
    claims: list[LegalClaim] = []
    if "authority" in by:
        words = _shown(by["authority"])
        claims.append(LegalClaim(A, LegalSource.NAME, f"名前に「{words}」（公権力の行使を表す語）",
                                 f"name contains {words} (a word of public authority)", _sources(by["authority"])))
    if "refusal" in by:
        words = _shown(by["refusal"])
        claims.append(LegalClaim(A, LegalSource.NAME, f"名前に「{words}」（拒否とその理由の説明は拒否した職員が行う）",
                                 f"name contains {words} (a refusal: its reasons belong with whoever refused)",
                                 _sources(by["refusal"])))
    if "judgment" in by and not automated:
        words = _shown(by["judgment"])
        claims.append(LegalClaim(U, LegalSource.NAME, f"名前に「{words}」（判断を要する語）",
                                 f"name contains {words} (a judgment word)", _sources(by["judgment"])))
    if "context" in by:
        words = _shown(by["context"])
        claims.append(LegalClaim(U, LegalSource.NAME, f"名前に「{words}」（交付の要件の判断を伴う請求）",
                                 f"name contains {words} (a request whose handling needs a decision)",
                                 _sources(by["context"])))
    if "factual" in by:
        words = _shown(by["factual"])
        claims.append(LegalClaim(F, LegalSource.NAME, f"名前に「{words}」（事実上の行為を表す語）",
                                 f"name contains {words} (a factual act)", _sources(by["factual"]),
                                 robot_may_prepare=True))
    return claims


def _stated_claims(node: FlowNode, row: SurveyRow | None) -> list[LegalClaim]:
    claims: list[LegalClaim] = []
    if row is not None:
        where = f"調査票 row {row.line}"
        if row.legal_authority is not None:
            claims.append(LegalClaim(
                A if row.legal_authority else F, LegalSource.SURVEY,
                f"{where}: 公権力の行使 = {'有' if row.legal_authority else '無'}",
                f"survey row {row.line}: public authority = {'yes' if row.legal_authority else 'no'}", where,
                robot_may_prepare=not row.legal_authority))
        if row.judgment:
            claims.append(LegalClaim(U, LegalSource.SURVEY, f"{where}: 判断 = 有",
                                     f"survey row {row.line}: needs judgment", where))
    props = node_properties(node)
    for key, judgment in (("legal_authority", False), ("judgment", True)):
        raw = props.get(key)
        if raw is None:
            continue
        try:
            flag = parse_flag(raw)
        except ValueError:
            claims.append(LegalClaim(U, LegalSource.PROPERTY, f"BPMN property {key} = {raw}（読めない値）",
                                     f"BPMN property {key} = {raw!r} cannot be read", f"property {key}"))
            continue
        if flag is None:
            continue
        if judgment:
            if flag:
                claims.append(LegalClaim(U, LegalSource.PROPERTY, f"BPMN property judgment = {raw}",
                                         f"BPMN property judgment = {raw}", "property judgment"))
            continue
        claims.append(LegalClaim(A if flag else F, LegalSource.PROPERTY, f"BPMN property legal_authority = {raw}",
                                 f"BPMN property legal_authority = {raw}", "property legal_authority",
                                 robot_may_prepare=not flag))
    return claims


def _place_claims(facts: StepFacts, lexicon: LegalLexicon) -> tuple[LegalClaim, ...]:
    return lexicon.remembered(("place", facts.lane_chain, facts.gateways_after),
                              lambda: _claims_of_place(facts.lane_chain, facts.gateways_after, lexicon))


def _claims_of_place(
    lane_chain: tuple[str, ...], gateways_after: tuple[str, ...], lexicon: LegalLexicon
) -> list[LegalClaim]:
    claims: list[LegalClaim] = []
    for lane in lane_chain:
        lane_hits = lexicon.lanes.hits(lane) if lane else ()
        if lane_hits:
            claims.append(LegalClaim(U, LegalSource.LANE, f"職員・審査・決裁のレーン「{lane}」",
                                     f"in the staff / examination / sign-off lane 「{lane}」", _sources(lane_hits),
                                     robot_may_prepare=True))
            break
    for gateway in gateways_after:
        hits = [h for h in lexicon.gateways.hits(gateway) if h.signal == "decision_gateway"]
        if hits:
            claims.append(LegalClaim(U, LegalSource.GATEWAY, f"直後に判断の分岐「{gateway}」",
                                     f"a decision gateway 「{gateway}」 follows: the step prepares that decision",
                                     _sources(hits)))
            break
    return claims


def _template_claims(step_id: ElementId, template: TemplateCheck | None) -> list[LegalClaim]:
    if template is None:
        return []
    procedure = template.procedure
    claims = [
        LegalClaim(A, LegalSource.TEMPLATE, f"手続「{procedure.name_ja}」の必須の判断「{d.name_ja}」",
                   f"the required decision 「{d.name_en}」 of {procedure.name_en}", d.source)
        for d in template.decisions_at(step_id)
    ]
    claims.extend(
        LegalClaim(A, LegalSource.TEMPLATE,
                   f"「{d.name_ja}」の手順がフローになく、この手順の中で判断していることになる",
                   f"the flow has no step for 「{d.name_en}」, so this step is taken to contain that decision",
                   d.source)
        for d in template.hidden_at(step_id)
    )
    return claims


def legal_status(
    node: FlowNode,
    facts: StepFacts,
    row: SurveyRow | None = None,
    *,
    lexicon: LegalLexicon | None = None,
    procedure: Procedure | None = None,
    template: TemplateCheck | None = None,
    override: LegalOverride | None = None,
    cash_collection_notice: bool = False,
) -> LegalStatus:
    """The legal verdict on one step from every piece of legal evidence (see the module docstring).

    ``procedure`` is the flow's standard procedure (None: unknown, so nothing
    is outsourced); ``template`` its decision check; ``override`` a justified
    override for this step; ``cash_collection_notice`` whether the city has
    published the 告示 for contracting out fee collection.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> from scoring.context import process_context, step_facts
    >>> from scoring.lexicon import compile_lexicon
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p">
    ...   <task id="t" name="受理要件審査"/></process></definitions>'''.encode()
    >>> d = read_bpmn_bytes(xml, "x.bpmn")
    >>> node = d.processes["p"].nodes["t"]
    >>> facts = step_facts(process_context(d, d.processes["p"], compile_lexicon({})), node)
    >>> row = SurveyRow(line=5, process="p", step="受理要件審査", legal_authority=False)
    >>> status = legal_status(node, facts, row)
    >>> status.legal_class.value, len(status.conflicts), status.outsourceable
    ('authority', 1, False)
    """
    lexicon = lexicon or legal_lexicon()
    claims = [
        *_stated_claims(node, row),
        *_name_claims(node, lexicon),
        *_place_claims(facts, lexicon),
        *_template_claims(node.id, template),
    ]
    if not claims:
        claims.append(LegalClaim(U, LegalSource.STRUCTURE, "事実上の行為を示す語も記入もない",
                                 "nothing states or names a factual act", "fail-safe: no evidence is 要確認"))
    conflicts = tuple(
        LegalConflict(factual, authority)
        for factual in claims
        if factual.legal_class is F and factual.stated
        for authority in claims
        if authority.legal_class is A
    )
    if override is not None:
        claims.append(LegalClaim(override.legal_class, LegalSource.OVERRIDE,
                                 f"判断根拠（{override.origin}）: {override.reason}",
                                 f"justified override ({override.origin}): {override.reason}", override.origin,
                                 robot_may_prepare=override.legal_class is not A))
        legal_class = override.legal_class
    else:
        legal_class = max((c.legal_class for c in claims), key=lambda c: c.strength)
    claims.sort(key=lambda c: -c.legal_class.strength)
    robot = legal_class is F or (
        legal_class is U and all(c.robot_may_prepare for c in claims if c.legal_class is U)
    )
    status = LegalStatus(
        legal_class=legal_class,
        claims=tuple(claims),
        conflicts=conflicts,
        override=override,
        procedure=procedure.key if procedure is not None else "",
        robot_may_prepare=robot,
    )
    return _outsourceability(status, node, lexicon, procedure, cash_collection_notice)


def _outsourceability(
    status: LegalStatus, node: FlowNode, lexicon: LegalLexicon, procedure: Procedure | None, cash_notice: bool
) -> LegalStatus:
    """Set outsourceable / basis / blockers / resolve."""
    if status.legal_class is A:
        resolve = None
        if status.conflicts and status.override is None:
            first = status.conflicts[0]
            resolve = _reason("resolve-conflict", factual=first.factual.ja, authority=first.authority.ja,
                              factual_en=first.factual.en, authority_en=first.authority.en)
        return _replace(status, resolve=resolve)
    if status.legal_class is U:
        doubts = [c for c in status.claims if c.legal_class is U]
        return _replace(status, resolve=_reason(
            "resolve-unknown", evidence="；".join(c.ja for c in doubts), evidence_en="; ".join(c.en for c in doubts)))
    blockers: list[Reason] = []
    resolvable: list[Reason] = []
    if procedure is None:
        resolvable.append(_reason("procedure-unknown"))
    else:
        if not procedure.on_list:
            blockers.append(_reason("not-on-list", procedure=procedure.name_ja, procedure_en=procedure.name_en))
        elif not in_scope(procedure, node.name):
            scope = "・".join(procedure.scope_ja)
            blockers.append(_reason("outside-scope", procedure=procedure.name_ja, procedure_en=procedure.name_en,
                                    scope=scope, scope_en=", ".join(procedure.scope_en)))
    cash = [h for h in lexicon.names.hits(node.name) if h.signal == "cash"]
    if cash and not cash_notice:
        resolvable.append(_reason("cash-notice", words=_shown(cash)))
    if blockers or resolvable:
        resolve = resolvable[0] if resolvable else None
        return _replace(status, blockers=(*blockers, *resolvable), resolve=resolve)
    assert procedure is not None
    basis = _reason("outsourcing-basis", notice=procedure.basis_ja, notice_en=procedure.basis_en,
                    item=procedure.list_item, conditions=procedure.conditions_ja,
                    conditions_en=procedure.conditions_en)
    return _replace(status, outsourceable=True, basis=basis)


def _replace(status: LegalStatus, **changes: object) -> LegalStatus:
    return dataclasses.replace(status, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- overrides


def override_from_row(row: SurveyRow | None, file: str) -> LegalOverride | None:
    """The survey row's justified override: 公権力の行使 together with a written 公権力の判断根拠.

    >>> override_from_row(SurveyRow(line=3, process="p", legal_authority=False, legal_basis="形式的確認のみ"),
    ...                   "survey.csv").legal_class.value
    'factual'
    >>> override_from_row(SurveyRow(line=3, process="p", legal_authority=False), "survey.csv") is None
    True
    """
    if row is None or row.legal_authority is None or not row.legal_basis.strip():
        return None
    return LegalOverride(A if row.legal_authority else F, row.legal_basis.strip(),
                         f"調査票 {Path(file).name} row {row.line}")


def override_from_entry(entry: LegalOverrideEntry) -> LegalOverride:
    """A profile ``[legal.overrides.NAME]`` entry as an override."""
    legal_class = {"factual": F, "authority": A, "unknown": U}[entry.legal_class]
    return LegalOverride(legal_class, entry.reason,
                         f"profile {Path(entry.file).name} legal.overrides.{entry.name}")


def entry_matches(entry: LegalOverrideEntry, flow_names: Iterable[str], node: FlowNode) -> bool:
    """True when a profile override names this flow (id or name) and this step (id or name)."""
    flows = {normalize_name(n) for n in flow_names if n}
    steps = {normalize_name(node.id), normalize_name(node.name)} - {""}
    return normalize_name(entry.flow) in flows and normalize_name(entry.step) in steps


# --------------------------------------------------------------------------- the gate


@dataclass(frozen=True, slots=True)
class GateResult:
    """The disposition after the legal gate, with the reasons it added."""

    disposition: Disposition
    """Final disposition."""
    reasons: tuple[Reason, ...]
    """Legal reasons, most important first."""

    def changed(self, proposed: Disposition) -> bool:
        """True when the gate moved the step."""
        return self.disposition is not proposed


_LABELS = {
    Disposition.RPA: ("RPA", "RPA"),
    Disposition.OUTSOURCE: ("民間委託", "outsourcing"),
    Disposition.RETAIN: ("職員", "staff"),
    Disposition.AUTOMATED: ("自動化済み", "automated"),
    Disposition.REVIEW: ("要確認", "review"),
    Disposition.CONTRACTED: ("委託済み", "already contracted"),
}


def gate(proposed: Disposition, status: LegalStatus) -> GateResult:
    """The last word on a step: what the scores and costs proposed, constrained by the legal verdict alone.

    Only ever moves a step towards staff.  公権力: never outsourced and no
    robot decides it (retained).  要確認: never outsourced; RPA only where the
    robot prepares (:attr:`LegalStatus.robot_may_prepare`); otherwise shown
    as REVIEW with what would resolve it.  事実上の行為: outsourced only when
    :attr:`LegalStatus.outsourceable`, citing the 根拠通知; a condition the
    city can meet gives REVIEW, a missing legal basis RETAIN.

    >>> status = LegalStatus(LegalClass.AUTHORITY)
    >>> gate(Disposition.OUTSOURCE, status).disposition
    <Disposition.RETAIN: 'retain'>
    >>> gate(Disposition.OUTSOURCE, LegalStatus(LegalClass.UNKNOWN, robot_may_prepare=True)).disposition
    <Disposition.REVIEW: 'review'>
    >>> gate(Disposition.RPA, LegalStatus(LegalClass.UNKNOWN, robot_may_prepare=True)).disposition
    <Disposition.RPA: 'rpa'>
    """
    if proposed is Disposition.CONTRACTED:  # what a contractor already does is read as a proposal to outsource it
        found = gate(Disposition.OUTSOURCE, status)
        kept = found.disposition is Disposition.OUTSOURCE
        # no "the scores favoured outsourcing" sentence: nobody proposed it, the contractor does it today
        said = tuple(r for r in found.reasons if r.code not in ("legal-override", "legal-review"))
        return GateResult(Disposition.CONTRACTED if kept else found.disposition, said)
    reasons: list[Reason] = []
    favoured_ja, favoured_en = _LABELS[proposed]
    if proposed is Disposition.AUTOMATED:
        if status.legal_class is A:
            reasons.append(_reason("legal-authority"))
        return GateResult(proposed, tuple(reasons))
    if status.legal_class is A:
        reasons.append(_reason("legal-authority"))
        if status.conflicts and status.override is None:
            reasons.append(_conflict_reason(status.conflicts[0]))
        if status.override is not None:
            reasons.append(_reason("legal-override-used", reason=status.override.reason, origin=status.override.origin))
        if proposed in (Disposition.RPA, Disposition.OUTSOURCE, Disposition.REVIEW):
            if proposed is not Disposition.REVIEW:
                reasons.append(_reason("legal-override", favoured=favoured_ja, favoured_en=favoured_en))
            return GateResult(Disposition.RETAIN, tuple(reasons))
        return GateResult(proposed, tuple(reasons))
    if status.legal_class is U:
        doubts = [c for c in status.claims if c.legal_class is U]
        reasons.append(_reason("legal-unknown", evidence="；".join(c.ja for c in doubts),
                               evidence_en="; ".join(c.en for c in doubts)))
        if proposed is Disposition.RPA and status.robot_may_prepare:
            reasons.append(_reason("rpa-prepares"))
            return GateResult(proposed, tuple(reasons))
        if proposed in (Disposition.RPA, Disposition.OUTSOURCE, Disposition.REVIEW):
            if proposed is not Disposition.REVIEW:
                reasons.append(_reason("legal-review", favoured=favoured_ja, favoured_en=favoured_en))
            if status.resolve is not None:
                reasons.append(status.resolve)
            return GateResult(Disposition.REVIEW, tuple(reasons))
        return GateResult(proposed, tuple(reasons))
    if status.override is not None:
        reasons.append(_reason("legal-override-used", reason=status.override.reason, origin=status.override.origin))
    if proposed is Disposition.OUTSOURCE:
        if status.outsourceable and status.basis is not None:
            return GateResult(proposed, (*reasons, status.basis))
        reasons.extend(status.blockers)
        if status.resolve is not None:
            return GateResult(Disposition.REVIEW, tuple(reasons))
        return GateResult(Disposition.RETAIN, tuple(reasons))
    if proposed is Disposition.REVIEW and status.resolve is None:
        return GateResult(Disposition.RETAIN, tuple(reasons))
    return GateResult(proposed, tuple(reasons))


def permitted(disposition: Disposition, status: LegalStatus) -> bool:
    """The invariant of the gate: may a step with this verdict end up with this disposition?

    >>> permitted(Disposition.OUTSOURCE, LegalStatus(LegalClass.AUTHORITY))
    False
    >>> permitted(Disposition.RPA, LegalStatus(LegalClass.UNKNOWN, robot_may_prepare=False))
    False
    """
    if disposition in (Disposition.OUTSOURCE, Disposition.CONTRACTED):  # the law reads what a contractor does
        return status.legal_class is F and status.outsourceable
    if disposition is Disposition.RPA:
        return status.legal_class is F or (status.legal_class is U and status.robot_may_prepare)
    return True


@dataclass(frozen=True, slots=True)
class Entrustability:
    """委託可否 and 根拠通知 of one step, read from its legal verdict (for lot pages and 仕様書 outlines)."""

    label: Reason
    """委託可 / 委託不可 and why in a few words (code ``entrustable`` or ``not-entrustable``)."""
    basis: Reason
    """The 根拠通知 with its list item and conditions when entrustable; else the evidence that keeps the step with
    staff, or what would resolve the doubt."""

    @property
    def entrustable(self) -> bool:
        """True when a contractor may do the step."""
        return self.label.code == "entrustable"


def entrustability(status: LegalStatus) -> Entrustability:
    """委託可否 and 根拠通知 as the legal gate sees the step: the only place other modules read them from.

    Entrustable only when the verdict is 事実上の行為 and the procedure is on
    the 内閣府 list with every condition met (:attr:`LegalStatus.outsourceable`);
    the basis is then the gate's own 根拠通知 reason.  Anything else names the
    strongest evidence that keeps the step with staff, word for word.

    >>> entrustability(LegalStatus(LegalClass.AUTHORITY)).label.ja
    '委託不可（公権力の行使）'
    >>> doubt = LegalStatus(LegalClass.UNKNOWN, resolve=Reason("resolve-unknown", "解消方法: …", "To resolve: …"))
    >>> found = entrustability(doubt)
    >>> found.entrustable, found.label.ja, found.basis.code
    (False, '委託不可（要確認: 確認が済むまで職員）', 'resolve-unknown')
    """
    strongest = next((c for c in status.claims if c.legal_class is status.legal_class), None)
    evidence = (Reason("legal-evidence", f"根拠: {strongest.ja}", f"Evidence: {strongest.en}")
                if strongest is not None else None)
    if status.legal_class is A:
        return Entrustability(
            Reason("not-entrustable", "委託不可（公権力の行使）", "not entrustable (public authority)"),
            evidence or _reason("legal-authority"))
    if status.legal_class is U:
        return Entrustability(Reason("not-entrustable", "委託不可（要確認: 確認が済むまで職員）",
                                     "not entrustable (to be confirmed: staff until then)"),
                              status.resolve or evidence or _reason("legal-unknown"))
    if status.outsourceable and status.basis is not None:
        return Entrustability(Reason("entrustable", "委託可（事実上の行為）", "entrustable (factual act)"),
                              status.basis)
    blocker = status.blockers[0] if status.blockers else status.resolve or _reason("procedure-unknown")
    return Entrustability(Reason("not-entrustable", "委託不可（委託の根拠を確認できない）",
                                 "not entrustable (no basis for outsourcing confirmed)"), blocker)


def _conflict_reason(conflict: LegalConflict) -> Reason:
    return _reason("legal-conflict", factual=conflict.factual.ja, authority=conflict.authority.ja,
                   factual_en=conflict.factual.en, authority_en=conflict.authority.en)


# --------------------------------------------------------------------------- findings


RULE_TITLES: Mapping[str, tuple[str, str]] = {
    "legal-conflict": ("公権力の行使について根拠が食い違う（判断根拠の記入まで職員が担当）",
                       "Sources disagree on public authority (staff keep the step until a justification is written)"),
    "procedure-decision-missing": (
        "手続に必須の判断の手順がない（受付・交付の手順に隠れている）",
        "A decision the procedure requires has no step (it hides in reception or hand-over)",
    ),
    "procedure-unknown": ("標準手続カタログに当たらない業務（委託の根拠を確認できない）",
                          "Flow matches no standard procedure (no outsourcing basis can be checked)"),
    "legal-override": ("判断根拠付きの上書きを使用", "A justified legal override was used"),
    "legal-override-unused": ("上書きの対象の手順が見つからない", "A legal override names no step of the run"),
    "volume-unsolvable": ("件数を計算できないため集計から除外",
                          "Volumes cannot be computed: flow excluded from totals"),
    "handoff-risk": ("受託者と職員の引継ぎが偽装請負のおそれ（安全な委託範囲を算出）",
                     "Contractor-staff hand-offs risk disguised contracting (safe lot computed)"),
}
"""Rule ids of the assessment's findings with their titles (ja, en), for the report and ``bpm lint``."""

LINT_RULES: Mapping[str, tuple[Severity, str, str]] = {
    rule: (severity, *RULE_TITLES[rule])
    for rule, severity in (("procedure-decision-missing", Severity.ERROR), ("procedure-unknown", Severity.WARNING))
}
"""The rules ``bpm lint`` runs from this module (no survey or profile needed), with severity and titles."""

for _rule_id, (_severity, _ja, _en) in LINT_RULES.items():
    if rule_for(_rule_id) is None:  # registered once, so --list-rules, --disable, JSON and SARIF know them
        register_rule(_rule_id, _severity, _ja, _en,
                      help="Procedure template check (scoring.legal): the decisions a procedure must contain.")


def conflict_findings(node: FlowNode, status: LegalStatus) -> list[Finding]:
    """One error-level finding per step with unresolved conflicts, showing both sides of the disagreement."""
    if not status.conflicts or status.override is not None:
        return []
    factual = list(dict.fromkeys(c.factual for c in status.conflicts))
    authority = list(dict.fromkeys(c.authority for c in status.conflicts))
    message_ja = f"{node.label}: {'・'.join(c.ja for c in factual)} に対し {'・'.join(c.ja for c in authority)}"
    facts_en = f"{'; '.join(c.en for c in factual)}, but {'; '.join(c.en for c in authority)}"
    hint_ja = "調査票の「公権力の判断根拠」に理由を書くか、プロファイルの [legal.overrides] に記載する"
    hint_en = "write the justification in the survey column 公権力の判断根拠 or a profile [legal.overrides] entry"
    return [Finding(
        "legal-conflict", Severity.ERROR, f"{message_ja} / {facts_en}", node.source, node.id,
        f"{hint_ja} / {hint_en}", message_ja, f"{node.label}: {facts_en}", hint_ja, hint_en,
    )]


def missing_decision_findings(process: Process, template: TemplateCheck) -> list[Finding]:
    """Error-level findings for every decision the procedure requires and the flow lacks.

    Each names the step treated as containing it (the 受付 or 交付 step before
    which no decision happens), so the diagram marks that step.
    """
    found: list[Finding] = []
    procedure = template.procedure
    for missing in template.missing:
        decision = missing.decision
        node = process.nodes.get(missing.hidden_in) if missing.hidden_in is not None else None
        where_ja = f"「{node.label}」で判断していることになる" if node is not None else "判断を担う手順がない"
        where_en = f"taken to happen in 「{node.label}」" if node is not None else "no step can hold it"
        message_ja = (f"{process.name or process.id}: {procedure.name_ja} に必須の「{decision.name_ja}」の手順がない"
                      f"（{where_ja}）")
        message_en = f"{procedure.name_en}: no step for the required decision 「{decision.name_en}」 ({where_en})"
        hint_en = f"draw 「{decision.name_ja}」 as its own step in a staff lane (source: {decision.source})"
        found.append(Finding(
            "procedure-decision-missing", Severity.ERROR, f"{message_ja} / {message_en}",
            node.source if node is not None else process.source,
            node.id if node is not None else ElementId(process.id),
            hint_en, message_ja, f"{process.name or process.id}: {message_en}",
            f"「{decision.name_ja}」を職員のレーンにそれ自体の手順として描く（出典: {decision.source}）", hint_en,
        ))
    return found


def template_findings(definitions: Definitions, catalogue: Catalogue | None = None) -> list[Finding]:
    """The procedure-template check of one file, for ``bpm lint``: missing decisions and unknown procedure names.

    Needs no survey or profile: the decisions a procedure requires and the
    words that identify them are catalogue data.
    """
    found: list[Finding] = []
    for process in definitions.processes.values():
        steps = assessable_steps(process)
        if not steps:
            continue
        pool = definitions.pool_of(process.id)
        lookup = procedure_for(process, pool.name if pool is not None else "", catalogue)
        if lookup.problem:
            name = process.name or process.id
            found.append(Finding("procedure-unknown", Severity.WARNING, f"{name}: {lookup.problem}", process.source,
                                 ElementId(process.id), message_ja=f"{name}: {lookup.problem_ja}",
                                 message_en=f"{name}: {lookup.problem}"))
        if lookup.procedure is not None:
            found.extend(missing_decision_findings(process, check_template(process, steps, lookup.procedure,
                                                                            catalogue)))
    return found


def override_finding(override: LegalOverride, node: FlowNode) -> Finding:
    """An info finding listing a justified override where the step is."""
    text = f"{node.label}: {override.legal_class.value} by {override.origin}: {override.reason}"
    return Finding("legal-override", Severity.INFO, text, node.source, node.id,
                   message_ja=f"{node.label}: {override.origin} の上書きで「{override.legal_class.label_ja}」: "
                              f"{override.reason}",
                   message_en=text)


def unused_override_finding(entry: LegalOverrideEntry) -> Finding:
    """A warning for a profile override that names no step: a typo must not go unnoticed."""
    text = f"legal.overrides.{entry.name}: flow {entry.flow!r} / step {entry.step!r} matches no step"
    hint = "write the flow and step as their id or name"
    return Finding("legal-override-unused", Severity.WARNING, text, SourceRef(entry.file, entry.line), None, hint,
                   message_ja=f"legal.overrides.{entry.name}: flow {entry.flow!r} / step {entry.step!r} "
                              "に当てはまる手順がありません",
                   message_en=text, hint_ja="flow と step は、その ID か名前で書いてください", hint_en=hint)


# --------------------------------------------------------------------------- reasons


_REASONS: dict[str, tuple[str, str]] = {
    "legal-authority": ("公権力の行使（審査・受理/交付の決定等）にあたるため委託できず、職員が担当",
                        "Exercise of public authority (examination, acceptance/issuance decision): "
                        "never outsourced, staff keep it"),
    "legal-override": ("評価では{favoured}が最適だが、公権力の行使のため職員が担当",
                       "Scores favour {favoured_en}, but public authority keeps the step with staff"),
    "legal-conflict": ("根拠が食い違う（{factual} に対し {authority}）。判断根拠が書かれるまで職員が担当",
                       "The sources disagree ({factual_en}, but {authority_en}); staff keep the step until "
                       "a justification is written"),
    "legal-override-used": ("判断根拠による上書き（{origin}）: {reason}", "Justified override ({origin}): {reason}"),
    "legal-unknown": ("法的な位置づけが要確認: {evidence}", "Legal status to be confirmed: {evidence_en}"),
    "legal-review": ("評価では{favoured}が最適だが、要確認のため確認が済むまで職員が担当",
                     "Scores favour {favoured_en}, but until the legal status is confirmed staff keep the step"),
    "rpa-prepares": ("要確認の手順だが、ロボットは職員の判断のための準備（入力・照合）だけを行う",
                     "Legal status to be confirmed, but the robot only prepares data for staff to decide"),
    "outsourcing-basis": ("委託の根拠: {notice}（{item}）。条件: {conditions}",
                          "Basis for outsourcing: {notice_en} ({item}). Conditions: {conditions_en}"),
    "not-on-list": ("「{procedure}」は内閣府通知（H20.1.17）の委託できる窓口業務として確認できないため委託しない",
                    "{procedure_en} is not confirmed among the counter tasks the Cabinet Office notice of "
                    "2008-01-17 lets a contractor do: not outsourced"),
    "outside-scope": ("「{procedure}」で委託できるのは {scope} に限られる",
                      "For {procedure_en} only {scope_en} may be contracted out"),
    "procedure-unknown": ("業務が標準手続カタログのどれにも当たらず、委託の根拠通知を確認できない。"
                          "プロセスに procedure プロパティ（例: koseki_todoke）を付けると確認できる",
                          "The flow matches no standard procedure, so no outsourcing basis can be checked; "
                          "give the process a procedure property (e.g. koseki_todoke)"),
    "cash-notice": ("公金（{words}）の収納の委託には告示が必要（地方自治法243条・施行令158条）。告示済みなら "
                    "プロファイルの legal.cash_collection_notice を true にする",
                    "Contracting out the collection of public money ({words}) needs a published notice "
                    "(Local Autonomy Act art. 243, order art. 158); once published set "
                    "legal.cash_collection_notice = true in the profile"),
    "resolve-conflict": ("解消方法: {factual} と {authority} のどちらが正しいか確認し、調査票の「公権力の判断根拠」"
                         "またはプロファイルの legal.overrides に理由を書く",
                         "To resolve: decide whether {factual_en} or {authority_en} is right and write the reason in "
                         "the survey column 公権力の判断根拠 or a profile legal.overrides entry"),
    "resolve-unknown": ("解消方法: この手順が受理・交付等の判断を含むか確認し、"
                        "調査票の「公権力の行使」と「公権力の判断根拠」に記入する（根拠: {evidence}）",
                        "To resolve: confirm whether the step contains a decision (acceptance, issuance …) and fill "
                        "in 公権力の行使 and 公権力の判断根拠 in the survey (because: {evidence_en})"),
}
"""Reason catalogue of the gate: code → (ja, en) templates."""

REASON_CODES = frozenset(_REASONS)
"""Codes of every reason this module gives: later stages keep these first and word for word, never rephrased."""


@lru_cache(maxsize=4096)
def _reason(code: str, **values: str) -> Reason:
    """A reason of the catalogue with its values filled in; made once per distinct code and values (a reason is
    immutable, and every step of a procedure gives the same basis, gate and doubt reasons)."""
    ja, en = _REASONS[code]
    fields = {key: values.get(key, "") for key in (
        "favoured", "favoured_en", "factual", "factual_en", "authority", "authority_en", "reason", "origin",
        "evidence", "evidence_en", "notice", "notice_en", "item", "conditions", "conditions_en", "procedure",
        "procedure_en", "scope", "scope_en", "words")}
    return Reason(code, ja.format(**fields), en.format(**fields))
