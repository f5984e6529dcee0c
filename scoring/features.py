"""Evidence → feature values (0–1) for one step, each with the evidence behind it.

A reform team will only act on a recommendation it can check, so no feature
is a bare number: every value carries :class:`~scoring.result.Evidence` naming
where it came from.  Each *measurement* follows one precedence — survey sheet >
BPMN property > inference (task type, wording, flow structure) > profile
default — and the winning source is recorded.  Inference combines its signals
in the way that suits the measurement: presence signals (judgment, resident
contact, system, physical handling) take the strongest signal, rule-basedness
takes the weakest (one judgment word undoes a routine word: 「照合・決裁」),
and the input medium averages what task type and wording suggest.

Features
--------
routine        rule-based, digital input, few exceptions, runs in every case (weighted mean)
judgment       needs a person's judgment (審査・判断・決定…)
volume         annual hours on a log scale (see :func:`volume_feature` for why)
face_to_face   resident contact at the counter (受付・交付・案内…; message flows; 窓口 lane)
physical       paper, cash or hand-over work (manualTask; 紙 input)
system         work in or by a system (service task; system lane; 使用システム; data store)
digital_input  share of input that arrives as data (電子 1, 混在 0.5, 紙 0)
exception      例外率 (share of cases needing special handling)
legal_authority  the legal verdict shown as a number: 1 公権力の行使, 0.5 要確認, 0 事実上の行為
automated      the step is already performed by a system
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bpm.model import FlowNode, NodeKind, TaskKind
from scoring.context import (
    ProcessContext,
    StepFacts,
    assessable_steps,
    node_properties,
    process_context,
    step_facts,
)
from scoring.evidence_text import Said, shared_said, survey_cell
from scoring.interned import shared_line
from scoring.legal import LEGAL_FEATURE_VALUE, evidence_source_of, legal_status
from scoring.lexicon import Lexicon
from scoring.profile import Profile
from scoring.result import DataGap, Evidence, EvidenceSource, LegalClass, LegalSource, LegalStatus
from scoring.survey import (
    SurveyRow,
    parse_flag,
    parse_input_form,
    parse_number,
    parse_rate,
    parse_systems,
)

FEATURES = (
    "routine",
    "judgment",
    "volume",
    "face_to_face",
    "physical",
    "system",
    "digital_input",
    "exception",
    "legal_authority",
    "automated",
)
"""Feature names in display order."""

__all__ = [
    "FEATURES",
    "FeatureMemo",
    "FeatureSet",
    "Measured",
    "Measures",
    "ProcessContext",
    "StepFacts",
    "assessable_steps",
    "node_properties",
    "process_context",
    "step_count_property",
    "step_facts",
    "step_features",
    "step_minutes",
    "volume_feature",
]

_AUTOMATED_KINDS = (TaskKind.SERVICE, TaskKind.SCRIPT)
_MESSAGING_KINDS = (TaskKind.SEND, TaskKind.RECEIVE)
_PERSON_KINDS = (TaskKind.USER, TaskKind.MANUAL, TaskKind.BUSINESS_RULE)
_EXCEPTION_TRIGGERS = ("errorEventDefinition", "escalationEventDefinition", "timerEventDefinition",
                       "conditionalEventDefinition", "cancelEventDefinition")

S = EvidenceSource


# --------------------------------------------------------------------------- signals


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence for one measurement."""

    value: float
    """What it says (0–1)."""
    source: EvidenceSource
    """Kind of evidence."""
    detail: Said
    """What it rests on, as a sentence id and its values (made into words by the report)."""


def _evidence(feature: str, value: float | str, source: EvidenceSource, words: Said) -> Evidence:
    """An evidence line whose words are ``words`` (English kept as ``detail`` for the JSON export).

    A survey cell's sentence names its row, so it is said once: it goes past the shared sentences, which it
    would only push out.
    """
    # the other lines are said by step after step: one object each (scoring.interned)
    return Evidence(feature, value, source, words.en, words) if source is S.SURVEY else shared_line(
        feature, value, source, words)


_INFERRED = (S.BPMN_TYPE, S.LEXICON, S.STRUCTURE)


def _choose(
    feature: str,
    survey: Signal | None,
    prop: Signal | None,
    inferred: Sequence[Signal],
    default: Signal,
    combine: Callable[[Sequence[float]], float],
) -> tuple[float, EvidenceSource, list[Evidence]]:
    """Apply the precedence survey > property > inference > default."""
    for single in (survey, prop):
        if single is not None:
            return single.value, single.source, [_evidence(feature, single.value, single.source, single.detail)]
    if inferred:
        value = combine([s.value for s in inferred])
        deciding = min(
            inferred,
            key=lambda s: (abs(s.value - value), _INFERRED.index(s.source) if s.source in _INFERRED else 9),
        )
        return value, deciding.source, [_evidence(feature, s.value, s.source, s.detail) for s in inferred]
    return default.value, default.source, [_evidence(feature, default.value, default.source, default.detail)]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


@dataclass(frozen=True, slots=True)
class Measures:
    """The step's volume figures, decided before features."""

    visits: float
    """Expected executions per case."""
    annual_count: float
    """Executions per year."""
    minutes_per_case: float
    """Minutes per execution."""
    hours_per_year: float
    """annual_count × minutes ÷ 60."""
    volume_source: EvidenceSource
    """Weakest source behind the hours."""


@dataclass(frozen=True, slots=True)
class FeatureSet:
    """Feature values of one step with their evidence and sources."""

    values: Mapping[str, float]
    """Feature → 0–1."""
    evidence: tuple[Evidence, ...]
    """Everything used."""
    sources: Mapping[str, EvidenceSource]
    """Feature → source that decided it."""
    legal_authority: bool
    """公権力の行使."""
    gaps: tuple[DataGap, ...] = ()
    """BPMN property values that could not be read."""
    hits: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Lexicon words found in the name, by signal (for reasons)."""
    legal: LegalStatus | None = None
    """The legal verdict the ``legal_authority`` feature shows."""


def volume_feature(hours: float, profile: Profile) -> float:
    """Annual hours → 0–1 on a log scale between two fixed anchors.

    Why log and why fixed anchors: annual hours span four orders of magnitude
    (0.5 h for a rare branch, thousands for certificate counters), so a linear
    hours ÷ max puts every step but the largest near 0.  Anchoring at
    ``volume.hours_at_zero`` (10 h) and ``volume.hours_at_one`` (one FTE)
    instead of the portfolio maximum keeps a step's score independent of which
    other flows are in the run — adding a file must not change the verdict on
    another.

    >>> from scoring.profile import load_profile
    >>> p = load_profile()
    >>> volume_feature(5, p), round(volume_feature(138.6, p), 2), volume_feature(5000, p)
    (0.0, 0.5, 1.0)
    """
    low, high = profile.volume.hours_at_zero, profile.volume.hours_at_one
    if hours <= low:
        return 0.0
    return _clip(math.log(hours / low) / math.log(high / low))


_Choice = tuple[float, EvidenceSource, tuple[Evidence, ...]]
"""A measurement's value, the source that decided it, and its evidence lines."""


@dataclass(frozen=True, slots=True)
class FeatureMemo:
    """What inference says about steps, remembered for one profile and one lexicon (:func:`step_features`).

    A portfolio repeats the same step — its name, task type and place in the diagram — in flow after flow, and
    what the wording, the type and the structure say about it (or the profile default) is then the same: only
    the survey row, the properties and the volumes differ.  Kept by key of everything that inference reads;
    :func:`step_features` uses it only with the profile and lexicon it was made for.
    """

    profile: Profile
    """The profile whose signal values and defaults the remembered choices hold."""
    lexicon: Lexicon
    """The lexicon whose words they hold."""
    limit: int = 100_000
    """Distinct steps remembered (then forgotten all at once)."""
    _known: dict[tuple[object, ...], Mapping[str, _Choice]] = field(default_factory=dict, compare=False, repr=False)

    def serves(self, profile: Profile, lexicon: Lexicon) -> bool:
        """True when the memo was made for this profile and lexicon (the very objects)."""
        return self.profile is profile and self.lexicon is lexicon

    def inferred(self, key: tuple[object, ...], make: Callable[[], Mapping[str, _Choice]]) -> Mapping[str, _Choice]:
        """The choices ``make`` gives for ``key``, made once per distinct key."""
        known = self._known.get(key)
        if known is None:
            if len(self._known) >= self.limit:
                self._known.clear()
            known = self._known[key] = make()
        return known


def step_features(
    node: FlowNode,
    facts: StepFacts,
    row: SurveyRow | None,
    measures: Measures,
    profile: Profile,
    lexicon: Lexicon,
    *,
    file: str,
    legal: LegalStatus | None = None,
    memo: FeatureMemo | None = None,
) -> FeatureSet:
    """All features of one step (see the module docstring).

    ``legal`` is the step's verdict from :func:`scoring.legal.legal_status`
    (the assessment passes the one that knows the procedure template and the
    overrides); without it the verdict is worked out from the step alone.
    The ``legal_authority`` feature only *shows* it (1 authority, 0.5 要確認,
    0 factual): the legal gate reads the verdict, not the feature.
    ``memo`` (made for this ``profile`` and ``lexicon``) shares what inference
    says between steps with the same task type, name and surroundings; the
    result is the same with or without it.
    """
    sig = profile.signal
    kind = node.kind
    props = node_properties(node)
    gaps: list[DataGap] = []
    found: dict[str, list[str]] = defaultdict(list)
    for hit in lexicon.hits(node.name):
        if hit.word not in found[hit.signal]:
            found[hit.signal].append(hit.word)
    hits = {k: tuple(v) for k, v in found.items()}
    status = legal if legal is not None else legal_status(node, facts, row)
    # Decision-like words of the reviewed legal lexicon (許可, eligib, 第三者 …) count as judgment words here too.
    decision = next(((c.ja, c.en) for c in status.claims
                     if c.source is LegalSource.NAME and c.legal_class is not LegalClass.FACTUAL), None)

    def make() -> Mapping[str, _Choice]:
        return _inferred(kind, hits, decision, facts, profile, lexicon)

    inferred = (memo.inferred((kind, node.name, facts, decision), make)
                if memo is not None and memo.serves(profile, lexicon) else make())

    def prop(name: str, parse: Callable[[str], float | None]) -> Signal | None:
        raw = props.get(name)
        if raw is None:
            return None
        try:
            value = parse(raw)
        except ValueError as error:
            gaps.append(DataGap("bad-property", f"{node.label}: property {name}={raw!r} ignored: {error}",
                                file, node.source.line, node.id))
            return None
        if value is None:
            return None
        return Signal(value, S.PROPERTY, shared_said("property", name=name, raw=raw))

    def survey_signal(value: float | None, text: str) -> Signal | None:
        if row is None or value is None:
            return None
        return Signal(value, S.SURVEY, survey_cell(row.line, text))  # one row: not shared

    values: dict[str, float] = {}
    sources: dict[str, EvidenceSource] = {}
    evidence: list[Evidence] = []

    def record(feature: str, result: _Choice) -> float:
        values[feature], sources[feature] = _clip(result[0]), result[1]
        evidence.extend(result[2])
        return values[feature]

    # -- input medium -------------------------------------------------------
    digital = record("digital_input", _stated(
        "digital_input",
        survey_signal(row.digital_share if row else None, f"入力形式 = {row.input_label if row else ''}"),
        prop("input", _input_share),
        inferred["digital_input"],
    ))
    digital_source = sources["digital_input"]

    # -- rule-basedness (part of routine) -------------------------------------
    judgment_row = None if row is None or row.judgment is None else (0.0 if row.judgment else 1.0)
    rule_value, rule_source, rule_evidence = _stated(
        "rule_based",
        survey_signal(judgment_row, f"判断 = {_yes_no(row.judgment if row else None)}"),
        prop("judgment", lambda raw: _flag_value(raw, invert=True)),
        inferred["rule_based"],
    )
    evidence.extend(rule_evidence)

    # -- judgment ---------------------------------------------------------------
    record("judgment", _stated(
        "judgment",
        survey_signal(None if row is None or row.judgment is None else float(row.judgment),
                      f"判断 = {_yes_no(row.judgment if row else None)}"),
        prop("judgment", lambda raw: _flag_value(raw)),
        inferred["judgment"],
    ))

    # -- exceptions ---------------------------------------------------------------
    exception = record("exception", _stated(
        "exception",
        survey_signal(row.exception_rate if row else None, f"例外率 = {row.exception_rate if row else ''}"),
        prop("exception_rate", parse_rate),
        inferred["exception"],
    ))

    # -- resident contact ---------------------------------------------------------
    record("face_to_face", _stated("face_to_face", None, prop("face_to_face", _flag_or_rate),
                                   inferred["face_to_face"]))

    # -- physical handling ---------------------------------------------------------
    work, work_source, work_evidence = _stated("physical", None, prop("physical", _flag_or_rate), inferred["physical"])
    evidence.extend(work_evidence)
    # Only an actual statement about the medium (sheet, property, wording) adds paper handling;
    # the medium guessed from the task type would count the task type twice.
    stated = digital_source in (S.SURVEY, S.PROPERTY, S.LEXICON)
    paper = sig("physical_paper_input") * (1.0 - digital) if stated else 0.0
    if paper > work:
        share = f"{sig('physical_paper_input'):g} × {1 - digital:g} paper"
        evidence.append(_evidence("physical", paper, digital_source, shared_said("paper-handling", share=share)))
        values["physical"], sources["physical"] = _clip(paper), digital_source
    else:
        values["physical"], sources["physical"] = _clip(work), work_source

    # -- system ---------------------------------------------------------------------
    systems_named = sig("system_named")
    record("system", _stated(
        "system",
        survey_signal(systems_named if row and row.systems else None,
                      f"使用システム = {'・'.join(row.systems) if row else ''}"),
        prop("systems", lambda raw: systems_named if parse_systems(raw) else None),
        inferred["system"],
    ))

    # -- already automated ------------------------------------------------------------
    record("automated", _stated("automated", None, prop("automated", _flag_or_rate), inferred["automated"]))

    # -- public authority: the legal module's verdict, never a precedence choice -----------
    legal_value = LEGAL_FEATURE_VALUE[status.legal_class]
    values["legal_authority"] = legal_value
    deciding = next((c for c in status.claims if c.legal_class is status.legal_class), None)
    sources["legal_authority"] = evidence_source_of(deciding.source) if deciding else S.DEFAULT
    evidence.extend(
        shared_line("legal_authority", LEGAL_FEATURE_VALUE[c.legal_class], evidence_source_of(c.source),
                    shared_said("bilingual", ja=c.ja, en=c.en), c.ja)
        for c in status.claims
    )
    if not status.claims:
        evidence.append(_evidence("legal_authority", legal_value, S.DEFAULT, shared_said("no-legal-evidence")))

    # -- composites -------------------------------------------------------------------------
    weights = profile.weights["routine"]
    ceiling = profile.thresholds.exception_ceiling
    parts = {
        "rule_based": rule_value,
        "digital_input": digital,
        "low_exception": _clip(1.0 - exception / ceiling),
        "repetitive": _clip(measures.visits),
    }
    total = sum(weights.values())
    routine = sum(weights.get(k, 0.0) * v for k, v in parts.items()) / total
    values["routine"], sources["routine"] = _clip(routine), rule_source
    evidence.append(_evidence(
        "routine", round(routine, 4), rule_source,
        shared_said("routine-formula",
                    formula=" + ".join(f"{k} {v:.2f}×{weights.get(k, 0.0):g}" for k, v in parts.items()),
                    total=f"{total:g}"),
    ))
    volume = volume_feature(measures.hours_per_year, profile)
    values["volume"], sources["volume"] = volume, measures.volume_source
    evidence.append(_evidence(
        "volume", round(volume, 4), measures.volume_source,
        shared_said("volume-scale", hours=f"{measures.hours_per_year:,.1f}", zero=f"{profile.volume.hours_at_zero:g}",
             one=f"{profile.volume.hours_at_one:g}"),
    ))
    ordered = {name: values[name] for name in FEATURES}
    return FeatureSet(
        values=ordered,
        evidence=tuple(evidence),
        sources={name: sources[name] for name in FEATURES},
        legal_authority=status.legal_class is LegalClass.AUTHORITY,
        gaps=tuple(gaps),
        legal=status,
        hits=hits,
    )



def _stated(feature: str, survey: Signal | None, prop: Signal | None, inferred: _Choice) -> _Choice:
    """The precedence survey > property > (inference > default, already chosen by :func:`_inferred`)."""
    for single in (survey, prop):
        if single is not None:
            return single.value, single.source, (_evidence(feature, single.value, single.source, single.detail),)
    return inferred


def _inferred(
    kind: NodeKind,
    hits: Mapping[str, tuple[str, ...]],
    decision: tuple[str, str] | None,
    facts: StepFacts,
    profile: Profile,
    lexicon: Lexicon,
) -> dict[str, _Choice]:
    """What task type, wording and structure say for each measurement (or the profile default), by measurement.

    ``hits`` are the lexicon words of the step's name by signal; ``decision`` the first decision-like claim of
    the legal lexicon on the name (Japanese, English).  Nothing here reads the survey row or the properties:
    :func:`step_features` puts them first.
    """
    sig = profile.signal
    automated_kind = kind in _AUTOMATED_KINDS
    system_place = _system_place(facts, lexicon)

    def words(signal: str) -> tuple[str, ...]:
        return hits.get(signal, ())

    def lexicon_signal(value: float, signal: str) -> Signal:
        shown = "・".join(words(signal))
        return Signal(value, S.LEXICON, shared_said("lexicon-word", words=shown, signal=signal))

    def type_signal(value: float) -> Signal:
        return Signal(value, S.BPMN_TYPE, shared_said("task-type", kind=kind.value))

    def default(name: str) -> Signal:
        return Signal(profile.defaults[name], S.DEFAULT, shared_said("profile-default", key=f"defaults.{name}"))

    def decision_signal(value: float) -> Signal:
        assert decision is not None
        return Signal(value, S.LEXICON, shared_said("bilingual", ja=decision[0], en=decision[1]))

    def choose(feature: str, inferred: Sequence[Signal], fallback: Signal,
               combine: Callable[[Sequence[float]], float]) -> _Choice:
        value, source, evidence = _choose(feature, None, None, inferred, fallback, combine)
        return value, source, tuple(evidence)

    choices: dict[str, _Choice] = {}
    # -- input medium -------------------------------------------------------
    inferred: list[Signal] = []
    type_digital = {
        TaskKind.SERVICE: "digital_automated_task", TaskKind.SCRIPT: "digital_automated_task",
        TaskKind.SEND: "digital_messaging_task", TaskKind.RECEIVE: "digital_messaging_task",
        TaskKind.USER: "digital_user_task", TaskKind.BUSINESS_RULE: "digital_business_rule_task",
        TaskKind.MANUAL: "digital_manual_task",
    }.get(kind) if isinstance(kind, TaskKind) else None
    if type_digital:
        inferred.append(type_signal(sig(type_digital)))
    if words("digital"):
        inferred.append(lexicon_signal(sig("digital_word"), "digital"))
    if words("paper"):
        inferred.append(lexicon_signal(sig("paper_word"), "paper"))
    choices["digital_input"] = choose("digital_input", inferred, default("digital_input"), _mean)

    # -- rule-basedness (part of routine) -------------------------------------
    inferred = []
    if automated_kind:
        inferred.append(type_signal(sig("rule_based_automated_task")))
    if kind is TaskKind.BUSINESS_RULE:
        inferred.append(type_signal(sig("rule_based_business_rule_task")))
    if words("judgment"):
        inferred.append(lexicon_signal(sig("rule_based_judgment_word"), "judgment"))
    elif decision is not None:
        inferred.append(decision_signal(sig("rule_based_judgment_word")))
    for factual in ("routine", "face_to_face"):  # counter acts (受付・交付…) are routine factual acts (class R)
        if words(factual) and decision is None:  # 'verify', 'issue' are routine only with nothing decision-like
            inferred.append(lexicon_signal(sig("rule_based_routine_word"), factual))
    choices["rule_based"] = choose("rule_based", inferred, default("rule_based"), min)

    # -- judgment ---------------------------------------------------------------
    inferred = []
    if words("judgment"):
        inferred.append(lexicon_signal(sig("judgment_word"), "judgment"))
    elif decision is not None:
        inferred.append(decision_signal(sig("judgment_word")))
    elif words("routine") or words("face_to_face"):
        factual = "routine" if words("routine") else "face_to_face"
        inferred.append(lexicon_signal(sig("judgment_routine_word"), factual))
    if facts.decision_after:
        inferred.append(Signal(sig("judgment_decision_after"), S.STRUCTURE,
                               shared_said("decision-after", name=facts.decision_after)))
    if kind is TaskKind.BUSINESS_RULE:
        inferred.append(type_signal(sig("judgment_business_rule_task")))
    if automated_kind:
        inferred.append(type_signal(sig("judgment_automated_task")))
    choices["judgment"] = choose("judgment", inferred, default("judgment"), max)

    # -- exceptions ---------------------------------------------------------------
    inferred = []
    exceptional = [t for t in facts.boundary_triggers if t in _EXCEPTION_TRIGGERS]
    if exceptional:
        inferred.append(Signal(sig("exception_boundary_event"), S.STRUCTURE,
                               shared_said("boundary-event", kinds=", ".join(exceptional))))
    choices["exception"] = choose("exception", inferred, default("exception_rate"), max)

    # -- resident contact ---------------------------------------------------------
    inferred = []
    if automated_kind:
        inferred.append(type_signal(sig("face_automated_task")))
    else:
        if facts.resident_contact == "in-person":
            inferred.append(Signal(sig("face_resident_message"), S.STRUCTURE,
                                   shared_said("resident-message", pool=facts.resident_pool)))
        elif facts.resident_contact == "mail":
            inferred.append(Signal(sig("face_resident_message_mail"), S.STRUCTURE,
                                   shared_said("resident-mail", kind=kind.value, pool=facts.resident_pool)))
        if facts.after_resident_start:
            inferred.append(Signal(sig("face_after_resident_start"), S.STRUCTURE, shared_said("after-resident-start")))
        if words("face_to_face"):
            inferred.append(lexicon_signal(sig("face_word"), "face_to_face"))
        counter = [name for name in facts.lane_chain if lexicon.matches(name, "counter_lane")]
        if counter and kind not in _MESSAGING_KINDS:
            inferred.append(Signal(sig("face_counter_lane"), S.STRUCTURE, shared_said("counter-lane", lane=counter[0])))
    choices["face_to_face"] = choose("face_to_face", inferred, default("face_to_face"), max)

    # -- physical handling (the paper share is added per step: it reads the survey) ------------------
    inferred = []
    if automated_kind:
        inferred.append(type_signal(sig("physical_automated_task")))
    elif kind is TaskKind.MANUAL:
        inferred.append(type_signal(sig("physical_manual_task")))
    elif kind is TaskKind.USER:
        inferred.append(type_signal(sig("physical_user_task")))
    if words("physical") and not automated_kind:
        inferred.append(lexicon_signal(sig("physical_word"), "physical"))
    choices["physical"] = choose("physical", inferred, default("physical"), max)

    # -- system ---------------------------------------------------------------------
    inferred = []
    if automated_kind:
        inferred.append(type_signal(sig("system_automated_task")))
    if system_place:
        inferred.append(Signal(sig("system_lane"), S.STRUCTURE, shared_said("system-place", place=system_place)))
    if facts.data_stores:
        inferred.append(Signal(sig("system_data_store"), S.STRUCTURE,
                               shared_said("data-store", names="・".join(facts.data_stores))))
    if words("system"):
        inferred.append(lexicon_signal(sig("system_word"), "system"))
    if kind is TaskKind.USER:
        inferred.append(type_signal(sig("system_user_task")))
    elif kind in _MESSAGING_KINDS:
        inferred.append(type_signal(sig("system_messaging_task")))
    elif kind is TaskKind.MANUAL:
        inferred.append(type_signal(sig("system_manual_task")))
    choices["system"] = choose("system", inferred, default("system"), max)

    # -- already automated ------------------------------------------------------------
    inferred = []
    if automated_kind:
        inferred.append(type_signal(sig("automated_task")))
    if system_place and kind is not TaskKind.MANUAL:
        inferred.append(Signal(sig("automated_system_lane"), S.STRUCTURE,
                               shared_said("in-system-place", place=system_place)))
    if kind in _PERSON_KINDS and not system_place:
        inferred.append(type_signal(sig("automated_person_task")))
    choices["automated"] = choose("automated", inferred, default("automated"), max)
    return choices


def _system_place(facts: StepFacts, lexicon: Lexicon) -> str:
    """The lane or pool name that says 'system', or empty."""
    for name in (*facts.lane_chain, facts.pool_name):
        if name and lexicon.matches(name, "system_lane"):
            return name
    return ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("有" if value else "無")


def _flag_value(raw: str, *, invert: bool = False) -> float | None:
    flag = parse_flag(raw)
    if flag is None:
        return None
    return float(flag != invert)


def _flag_or_rate(raw: str) -> float | None:
    try:
        return _flag_value(raw)
    except ValueError:
        return parse_rate(raw)


def _input_share(raw: str) -> float | None:
    form = parse_input_form(raw)
    return form[1] if form else None


# --------------------------------------------------------------------------- minutes


@dataclass(frozen=True, slots=True)
class Measured:
    """A measurement with where it came from."""

    value: float
    """The number."""
    source: EvidenceSource
    """Its source."""
    evidence: Evidence
    """The evidence record."""
    gap: DataGap | None = None
    """A data gap when the value is a default or a property could not be read."""


def step_minutes(node: FlowNode, row: SurveyRow | None, profile: Profile, *, file: str) -> Measured:
    """Minutes per execution: survey > BPMN property ``minutes`` > default by task type."""
    if row is not None and row.minutes is not None:
        return Measured(row.minutes, S.SURVEY,
                        _evidence("minutes_per_case", row.minutes, S.SURVEY,
                                  survey_cell(row.line, "処理時間(分)")))
    raw = node_properties(node).get("minutes")
    bad: DataGap | None = None
    if raw is not None:
        try:
            value = parse_number(raw, units=("分", "min"))
        except ValueError as error:
            value = None
            bad = DataGap("bad-property", f"{node.label}: property minutes={raw!r} ignored: {error}",
                          file, node.source.line, node.id)
        if value is not None:
            words = shared_said("property", name="minutes", raw=raw)
            return Measured(value, S.PROPERTY, _evidence("minutes_per_case", value, S.PROPERTY, words))
    kind = node.kind.value
    value = profile.minutes.get(kind, profile.minutes.get("task", 0.0))
    gap = bad or DataGap("default-minutes", f"{node.label}: no minutes measured; profile default {value:g} min "
                         f"for {kind} used", file, node.source.line, node.id)
    return Measured(value, S.DEFAULT,
                    _evidence("minutes_per_case", value, S.DEFAULT,
                              shared_said("profile-default", key=f"minutes.{kind}")),
                    gap)


def step_count_property(node: FlowNode, *, file: str) -> tuple[float | None, DataGap | None]:
    """The step's own annual count from a BPMN property (``annual_count``/``count``/``件数``)."""
    raw = node_properties(node).get("annual_count")
    if raw is None:
        return None, None
    try:
        return parse_number(raw, units=("件", "回")), None
    except ValueError as error:
        return None, DataGap("bad-property", f"{node.label}: property annual_count={raw!r} ignored: {error}",
                             file, node.source.line, node.id)
