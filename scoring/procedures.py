"""The procedure catalogue: standard counter procedures, their required decisions and their place on the 内閣府 list.

Why a catalogue and not step words alone: a coarse flow can leave out the
decision it contains.  A 婚姻届 drawn as 受付・内容確認 → 戸籍記載 → 受理証明書の交付
has no 受理 step, yet someone decides 受理 — in practice whoever receives the
form, which is what the 東京法務局 objected to at 足立区 in 2014.  Matching the
flow to its procedure says which decisions must be somewhere
(:func:`check_template`); a missing one is an error and the 受付 or 交付 step
that must be hiding it is treated as containing it.  The same entry says
whether the procedure is among the 窓口業務 a contractor may do at all (内閣府
H20.1.17 通知) and which 根拠通知 an outsourcing recommendation cites.

The data lives in ``catalogue/procedures.toml`` (each entry with its source);
a profile may add or change entries (``[legal.procedures.KEY]``, ``source``
required) but never remove a required decision.  Other analyses reuse it:
:func:`procedure_for` names a flow's standard procedure.
"""

from __future__ import annotations

import tomllib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

from bpm.errors import ProfileError, say
from bpm.model import ElementId, FlowNode, Process, TaskKind
from scoring.lexicon import Lexicon, Word, compile_words, normalize_name
from scoring.profile import ProcedureOverlay
from scoring.result import ProcedureMatch

CATALOGUE_FILE = Path(__file__).resolve().parent / "catalogue" / "procedures.toml"

Placement = Literal["reception", "handover"]

_AUTOMATED = (TaskKind.SERVICE, TaskKind.SCRIPT)


@dataclass(frozen=True, slots=True)
class Notice:
    """A 根拠通知 (or statute) that lets a contractor do part of a procedure."""

    key: str
    """Catalogue key, e.g. ``moj_h25_317``."""
    ja: str
    """Short citation in Japanese."""
    en: str
    """Short citation in English."""
    title: str
    """Full title."""
    conditions_ja: str
    """Conditions it sets, in Japanese."""
    conditions_en: str
    """The same in English."""
    source: str
    """Where we read it."""


@dataclass(frozen=True, slots=True)
class DecisionStep:
    """A decision a procedure must contain (法務省 民一317号 ②, class P of the domain notes)."""

    key: str
    """Key within the procedure, e.g. ``juri``."""
    name_ja: str
    """Name in Japanese."""
    name_en: str
    """Name in English."""
    words_ja: tuple[str, ...]
    """Words that identify the step in a step name."""
    words_en: tuple[str, ...]
    """The same in English (word-start match)."""
    hidden_in: Placement
    """Where it hides when missing: the 受付 step before which no decision happens, or the 交付 step."""
    source: str
    """Where the requirement comes from."""


@dataclass(frozen=True, slots=True)
class Procedure:
    """One standard procedure."""

    key: str
    """Catalogue key, e.g. ``koseki_todoke``."""
    name_ja: str
    """Name in Japanese."""
    name_en: str
    """Name in English."""
    aliases_ja: tuple[str, ...]
    """Japanese names a flow may carry."""
    aliases_en: tuple[str, ...]
    """English names."""
    weak_aliases_ja: tuple[str, ...]
    """Generic names (証明書交付) that count only when no procedure's own alias is found."""
    weak_aliases_en: tuple[str, ...]
    """The same in English."""
    on_list: bool
    """Among the 窓口業務 the 内閣府 H20.1.17 通知 lets a contractor do."""
    list_item: str
    """Its item on that list."""
    notices: tuple[Notice, ...]
    """The 根拠通知 an outsourcing reason cites."""
    decisions: tuple[DecisionStep, ...]
    """Decisions the flow must contain."""
    scope_ja: tuple[str, ...]
    """When not empty: only steps naming one of these acts may be outsourced (国保: 受付 and 交付)."""
    scope_en: tuple[str, ...]
    """The same in English."""
    source: str
    """Where the entry comes from."""

    @property
    def basis_ja(self) -> str:
        """The 根拠通知 in Japanese, as every outsourcing reason cites it."""
        return "・".join(n.ja for n in self.notices)

    @property
    def basis_en(self) -> str:
        """The same in English."""
        return "; ".join(n.en for n in self.notices)

    @property
    def conditions_ja(self) -> str:
        """Conditions of the notices, in Japanese."""
        return "；".join(dict.fromkeys(n.conditions_ja for n in self.notices if n.conditions_ja))

    @property
    def conditions_en(self) -> str:
        """The same in English."""
        return "; ".join(dict.fromkeys(n.conditions_en for n in self.notices if n.conditions_en))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All procedures, the notices they cite and the placement words."""

    procedures: tuple[Procedure, ...]
    """In file order (profile additions last)."""
    notices: Mapping[str, Notice]
    """By key."""
    reception: tuple[Word, ...]
    """Words of a 受付 step."""
    handover: tuple[Word, ...]
    """Words of a 交付 step."""
    shadow: tuple[Word, ...]
    """Words that never identify a decision step (受理証明書, 許可証 …)."""

    def get(self, key: str) -> Procedure | None:
        """The procedure with this key, or None."""
        return next((p for p in self.procedures if p.key == key), None)


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The shipped catalogue (``catalogue/procedures.toml``).

    >>> catalogue = default_catalogue()
    >>> koseki = catalogue.get("koseki_todoke")
    >>> koseki.on_list, [d.key for d in koseki.decisions]
    (True, ['juri', 'kyogo'])
    >>> catalogue.get("jido_teate").on_list
    False
    """
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    return _catalogue(tomllib.loads(text), str(CATALOGUE_FILE))


def load_catalogue(overlays: Sequence[ProcedureOverlay] = ()) -> Catalogue:
    """The shipped catalogue with a profile's procedure additions and changes applied.

    An overlay of an existing key changes only the fields it gives; its
    decisions are added to the entry's (a required decision is never
    removed).  A new key must give a whole entry.  Every overlay must name its
    ``source``.  Errors are :class:`~bpm.errors.ProfileError` naming the
    profile file, line and key.
    """
    catalogue = default_catalogue()
    if not overlays:
        return catalogue
    procedures = list(catalogue.procedures)
    for overlay in overlays:
        where = f"legal.procedures.{overlay.key}"
        fields = dict(overlay.fields)
        source = fields.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ProfileError(say("procedures.source_required", key=f"{where}.source"), file=overlay.file,
                               line=overlay.line, element_id=where, hint=say("procedures.source_required_hint"))
        fields["source"] = f"{source.strip()} (profile {Path(overlay.file).name})"
        existing = next((i for i, p in enumerate(procedures) if p.key == overlay.key), None)
        try:
            if existing is None:
                procedures.append(_procedure(overlay.key, fields, catalogue.notices))
            else:
                procedures[existing] = _changed(procedures[existing], fields, catalogue.notices)
        except ValueError as error:
            raise ProfileError(say("procedures.bad_overlay", key=where, detail=error), file=overlay.file,
                               line=overlay.line, element_id=where) from None
    return replace(catalogue, procedures=tuple(procedures))


def _catalogue(data: Mapping[str, object], file: str) -> Catalogue:
    try:
        notices = {key: _notice(key, raw) for key, raw in _table(data, "notices").items()}
        procedures = tuple(_procedure(key, raw, notices) for key, raw in _table(data, "procedures").items())
        placement = _table(data, "placement")
        source = _text(placement, "source")
    except ValueError as error:
        raise ProfileError(say("procedures.bad_catalogue", detail=error), file=file) from None

    def words(signal: str, prefix: str) -> tuple[Word, ...]:
        return tuple(Word(signal, w, lang, source) for lang in ("ja", "en")
                     for w in _texts(placement, f"{prefix}_{lang}"))

    return Catalogue(procedures, notices, words("reception", "reception"), words("handover", "handover"),
                     words("shadow", "shadow"))


def _table(data: Mapping[str, object], key: str) -> dict[str, object]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(say("profile.must_be_table", key=key))
    return value


def _text(data: Mapping[str, object], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ValueError(say("profile.must_be_text", key=key))
    return value.strip()


def _texts(data: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(say("profile.string_list", key=key))
    return tuple(v.strip() for v in value)


def _notice(key: str, raw: object) -> Notice:
    if not isinstance(raw, dict):
        raise ValueError(say("profile.must_be_table", key=f"notices.{key}"))
    return Notice(key, _text(raw, "ja"), _text(raw, "en"), _text(raw, "title", ""), _text(raw, "conditions_ja", ""),
                  _text(raw, "conditions_en", ""), _text(raw, "source"))


def _decision(raw: object, where: str) -> DecisionStep:
    if not isinstance(raw, dict):
        raise ValueError(say("profile.must_be_table", key=where))
    hidden = _text(raw, "hidden_in")
    if hidden not in ("reception", "handover"):
        raise ValueError(say("procedures.hidden_in", key=f"{where}.hidden_in", value=repr(hidden)))
    words_ja, words_en = _texts(raw, "words_ja"), _texts(raw, "words_en")
    if not words_ja and not words_en:
        raise ValueError(say("procedures.words", key=where))
    placement: Placement = "reception" if hidden == "reception" else "handover"
    return DecisionStep(_text(raw, "key"), _text(raw, "name_ja"), _text(raw, "name_en"), words_ja, words_en,
                        placement, _text(raw, "source"))


def _procedure(key: str, raw: object, notices: Mapping[str, Notice]) -> Procedure:
    if not isinstance(raw, dict):
        raise ValueError(say("profile.must_be_table", key=f"procedures.{key}"))
    on_list = raw.get("on_list", False)
    if not isinstance(on_list, bool):
        raise ValueError(say("procedures.on_list"))
    decisions_raw = raw.get("decisions", [])
    if not isinstance(decisions_raw, list):
        raise ValueError(say("procedures.decisions"))
    notice_keys = _texts(raw, "notices")
    unknown = [n for n in notice_keys if n not in notices]
    if unknown:
        raise ValueError(say("procedures.unknown_notice", notice=repr(unknown[0]), known=", ".join(sorted(notices))))
    procedure = Procedure(
        key=key,
        name_ja=_text(raw, "name_ja"),
        name_en=_text(raw, "name_en"),
        aliases_ja=_texts(raw, "aliases_ja"),
        aliases_en=_texts(raw, "aliases_en"),
        weak_aliases_ja=_texts(raw, "weak_aliases_ja"),
        weak_aliases_en=_texts(raw, "weak_aliases_en"),
        on_list=on_list,
        list_item=_text(raw, "list_item", ""),
        notices=tuple(notices[n] for n in notice_keys),
        decisions=tuple(_decision(d, f"decisions[{i}]") for i, d in enumerate(decisions_raw)),
        scope_ja=_texts(raw, "scope_ja"),
        scope_en=_texts(raw, "scope_en"),
        source=_text(raw, "source"),
    )
    if procedure.on_list and not procedure.notices:
        raise ValueError("a procedure on the list must name its notices (the 根拠通知 every outsourcing reason cites)")
    if not procedure.aliases_ja and not procedure.aliases_en:
        raise ValueError("a procedure needs at least one alias")
    return procedure


def _changed(procedure: Procedure, fields: Mapping[str, object], notices: Mapping[str, Notice]) -> Procedure:
    """An existing entry with the given fields changed; decisions are added, never removed."""
    merged: dict[str, object] = {
        "name_ja": procedure.name_ja, "name_en": procedure.name_en,
        "aliases_ja": list(procedure.aliases_ja), "aliases_en": list(procedure.aliases_en),
        "weak_aliases_ja": list(procedure.weak_aliases_ja), "weak_aliases_en": list(procedure.weak_aliases_en),
        "on_list": procedure.on_list, "list_item": procedure.list_item,
        "notices": [n.key for n in procedure.notices], "scope_ja": list(procedure.scope_ja),
        "scope_en": list(procedure.scope_en), "source": procedure.source, "decisions": [],
    }
    unknown = sorted(set(fields) - set(merged))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(merged))})")
    merged.update({k: v for k, v in fields.items() if k != "decisions"})
    merged["source"] = f"{procedure.source}; {fields['source']}"
    changed = _procedure(procedure.key, merged, notices)
    added = _procedure(procedure.key, {**merged, "decisions": fields.get("decisions", [])}, notices).decisions
    kept = {d.key for d in procedure.decisions}
    return replace(changed, decisions=(*procedure.decisions, *(d for d in added if d.key not in kept)))


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class ProcedureLookup:
    """The outcome of matching one flow to the catalogue."""

    procedure: Procedure | None
    """The procedure, or None."""
    match: ProcedureMatch | None
    """What the report shows about the match."""
    problem: str = ""
    """Set when the flow names a procedure the catalogue does not know (its ``procedure`` property)."""
    problem_ja: str = ""
    """The same, in Japanese."""


def procedure_for(process: Process, pool_name: str = "", catalogue: Catalogue | None = None) -> ProcedureLookup:
    """The standard procedure of a flow: its ``procedure`` property, else the longest alias in its names.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p" name="婚姻届（窓口）"><task id="t"/></process></definitions>'''.encode()
    >>> found = procedure_for(read_bpmn_bytes(xml, "x.bpmn").processes["p"])
    >>> found.procedure.key, found.match.matched_by, found.match.list_item
    ('koseki_todoke', 'name', '(8) 戸籍の届出')
    """
    catalogue = catalogue or default_catalogue()
    raw = next((v for k, v in process.properties.items() if normalize_name(k) in ("procedure", "手続")), None)
    if raw is not None and raw.strip():
        wanted = normalize_name(raw)
        for procedure in catalogue.procedures:
            names = (procedure.key, procedure.name_ja, procedure.name_en, *procedure.aliases_ja,
                     *procedure.aliases_en)
            if wanted in {normalize_name(n) for n in names}:
                return ProcedureLookup(procedure, _match(procedure, "property", f"procedure property = {raw}"))
        known = ", ".join(p.key for p in catalogue.procedures)
        return ProcedureLookup(None, None, f"procedure property {raw!r} names no procedure of the catalogue "
                               f"({known})", f"procedure プロパティ {raw!r} は標準手続の一覧にありません（{known}）")
    for weak in (False, True):
        lexicon = _alias_lexicon(catalogue, weak)
        for label, text in (("process name", process.name), ("pool name", pool_name)):
            hits = lexicon.hits(text) if text.strip() else ()
            if hits:
                best = max(hits, key=lambda h: (h.end - h.start, -_order(catalogue, h.signal)))
                found = catalogue.get(best.signal)
                assert found is not None
                return ProcedureLookup(found, _match(found, "name", f"{label} 「{text}」 contains {best.word}"))
    return ProcedureLookup(None, None)


def _order(catalogue: Catalogue, key: str) -> int:
    return next(i for i, p in enumerate(catalogue.procedures) if p.key == key)


def _alias_lexicon(catalogue: Catalogue, weak: bool) -> Lexicon:
    return compile_words(
        Word(p.key, alias, lang, p.source)
        for p in catalogue.procedures
        for lang, aliases in (
            ("ja", p.weak_aliases_ja if weak else p.aliases_ja), ("en", p.weak_aliases_en if weak else p.aliases_en)
        )
        for alias in aliases
    )


def _match(procedure: Procedure, how: str, detail: str) -> ProcedureMatch:
    return ProcedureMatch(
        key=procedure.key,
        name_ja=procedure.name_ja,
        name_en=procedure.name_en,
        matched_by=how,
        detail=detail,
        on_list=procedure.on_list,
        list_item=procedure.list_item,
        basis_ja=procedure.basis_ja,
        basis_en=procedure.basis_en,
        source=procedure.source,
    )


def in_scope(procedure: Procedure, name: str) -> bool:
    """True when the procedure sets no scope, or the step name names one of its outsourceable acts.

    >>> kokuho = default_catalogue().get("kokuho")
    >>> in_scope(kokuho, "届出受付"), in_scope(kokuho, "資格入力")
    (True, False)
    """
    if not procedure.scope_ja and not procedure.scope_en:
        return True
    return bool(_scope_lexicon(procedure.scope_ja, procedure.scope_en).hits(name))


@lru_cache(maxsize=64)
def _scope_lexicon(ja: tuple[str, ...], en: tuple[str, ...]) -> Lexicon:
    return compile_words([*(Word("scope", w, "ja") for w in ja), *(Word("scope", w, "en") for w in en)])


# --------------------------------------------------------------------------- the template check


@dataclass(frozen=True, slots=True)
class FoundDecision:
    """A required decision and the step that holds it."""

    decision: DecisionStep
    """The decision."""
    step_id: ElementId
    """The step."""
    how: str
    """``name`` (its words are in the step name) or ``property`` (the step's ``decision`` property)."""


@dataclass(frozen=True, slots=True)
class MissingDecision:
    """A required decision no step holds, and the step that must be hiding it."""

    decision: DecisionStep
    """The decision."""
    hidden_in: ElementId | None
    """The 受付 or 交付 step treated as containing it; None when the flow has no step to hold it."""


@dataclass(frozen=True, slots=True)
class TemplateCheck:
    """A flow checked against its procedure's required decisions."""

    procedure: Procedure
    """The procedure."""
    found: tuple[FoundDecision, ...] = ()
    """Decisions found, in step order."""
    missing: tuple[MissingDecision, ...] = ()
    """Decisions missing, in catalogue order."""

    def decisions_at(self, step_id: ElementId) -> tuple[DecisionStep, ...]:
        """Decisions the step holds (found in it)."""
        return tuple(f.decision for f in self.found if f.step_id == step_id)

    def hidden_at(self, step_id: ElementId) -> tuple[DecisionStep, ...]:
        """Missing decisions the step is treated as containing."""
        return tuple(m.decision for m in self.missing if m.hidden_in == step_id)


def check_template(process: Process, steps: Sequence[FlowNode], procedure: Procedure,
                   catalogue: Catalogue | None = None) -> TemplateCheck:
    """Which required decisions the flow holds, and where each missing one hides.

    A step holds a decision when its name has one of the decision's words
    (words such as 受理証明書 or 許可証 never count) or its ``decision``
    property names the decision's key.  A missing ``reception`` decision
    hides in the last 受付 step that no found decision precedes; a missing
    ``handover`` decision in the first 交付 step that no found decision
    follows.  Without such a step: the first (or last) step a person does.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p" name="婚姻届"><startEvent id="s"/><task id="a" name="受付・内容確認"/>
    ...   <task id="b" name="戸籍記載"/><task id="c" name="受理証明書の交付"/><endEvent id="e"/>
    ...   <sequenceFlow id="f1" sourceRef="s" targetRef="a"/><sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
    ...   <sequenceFlow id="f3" sourceRef="b" targetRef="c"/><sequenceFlow id="f4" sourceRef="c" targetRef="e"/>
    ...   </process></definitions>'''.encode()
    >>> process = read_bpmn_bytes(xml, "x.bpmn").processes["p"]
    >>> steps = [process.nodes[i] for i in ("a", "b", "c")]
    >>> check = check_template(process, steps, default_catalogue().get("koseki_todoke"))
    >>> [(m.decision.key, m.hidden_in) for m in check.missing]
    [('juri', 'a'), ('kyogo', 'c')]
    """
    catalogue = catalogue or default_catalogue()
    found: list[FoundDecision] = []
    for node in steps:
        wanted = normalize_name(next((v for k, v in node.properties.items()
                                      if normalize_name(k) in ("decision", "判断手順")), ""))
        for decision in procedure.decisions:
            if wanted and wanted == normalize_name(decision.key):
                found.append(FoundDecision(decision, node.id, "property"))
            elif _decision_lexicon(decision, catalogue.shadow).words(node.name, "decision"):
                found.append(FoundDecision(decision, node.id, "name"))
    order = _flow_order(process, steps)
    found.sort(key=lambda f: order.position.get(f.step_id, 0))
    deciding = {f.step_id for f in found}
    missing = [
        MissingDecision(decision, _hiding_step(decision.hidden_in, steps, deciding, order, catalogue))
        for decision in procedure.decisions
        if not any(f.decision.key == decision.key for f in found)
    ]
    return TemplateCheck(procedure, tuple(found), tuple(missing))


@lru_cache(maxsize=256)
def _decision_lexicon(decision: DecisionStep, shadow: tuple[Word, ...]) -> Lexicon:
    return compile_words([
        *(Word("decision", w, "ja", decision.source) for w in decision.words_ja),
        *(Word("decision", w, "en", decision.source) for w in decision.words_en),
        *shadow,
    ])


N = TypeVar("N", bound=Hashable)
"""A node of the graph :func:`_steps_around` walks (an element id; the tests use integers)."""


@dataclass(frozen=True, slots=True)
class _Order:
    """Steps in flow order, and which steps come before which (loops cut at their back edges)."""

    position: Mapping[ElementId, int]
    before: Mapping[ElementId, frozenset[ElementId]]
    after: Mapping[ElementId, frozenset[ElementId]]


def _flow_order(process: Process, steps: Sequence[FlowNode]) -> _Order:
    """Steps ranked by their distance from the flow's start, and which steps lie before and after each.

    Plain adjacency dicts rather than a networkx graph: this runs once per flow of the portfolio, and the
    two graphs it needs (the flow, then its forward edges) cost more to build than the walk itself.
    """
    successors: dict[ElementId, dict[ElementId, None]] = {node_id: {} for node_id in process.nodes}
    predecessors: dict[ElementId, dict[ElementId, None]] = {node_id: {} for node_id in process.nodes}

    def link(source: ElementId, target: ElementId) -> None:
        successors.setdefault(source, {})[target] = None
        predecessors.setdefault(source, {})
        successors.setdefault(target, {})
        predecessors.setdefault(target, {})[source] = None

    for flow in process.flows.values():
        link(flow.source_id, flow.target_id)
    for node in process.nodes.values():  # a boundary event continues its host's path
        if node.attached_to is not None:
            link(node.attached_to, node.id)
        if node.parent_id is not None:  # a sub-process leads into its content
            link(node.parent_id, node.id)
    document = {node_id: i for i, node_id in enumerate(process.nodes)}
    roots = [n for n in successors if not predecessors[n]] or list(process.nodes)[:1]
    distance = _distances(successors, roots)  # nearest root: the roots' order does not matter
    far = len(process.nodes) + 1
    forward = {u: [v for v in targets if distance.get(u, far) < distance.get(v, far)]
               for u, targets in successors.items()}
    backward: dict[ElementId, list[ElementId]] = {node_id: [] for node_id in successors}
    for u, targets in forward.items():
        for v in targets:
            backward[v].append(u)
    ids = [s.id for s in steps]
    ranked = sorted(ids, key=lambda i: (distance.get(i, far), document.get(i, 0)))
    before, after = _steps_around(list(successors), forward, backward, ids, distance, far)
    return _Order(position={s: i for i, s in enumerate(ranked)}, before=before, after=after)


def _distances(successors: Mapping[ElementId, Iterable[ElementId]], roots: Sequence[ElementId]) -> dict[ElementId, int]:
    """Edges from the nearest root to each reachable node (one breadth-first walk from all roots at once)."""
    distance = dict.fromkeys(roots, 0)
    frontier = list(distance)
    depth = 0
    while frontier:
        depth += 1
        reached: list[ElementId] = []
        for node_id in frontier:
            for target in successors[node_id]:
                if target not in distance:
                    distance[target] = depth
                    reached.append(target)
        frontier = reached
    return distance


def _steps_around(
    nodes: Sequence[N],
    successors: Mapping[N, Iterable[N]],
    predecessors: Mapping[N, Iterable[N]],
    ids: Sequence[N],
    distance: Mapping[N, int],
    far: int,
) -> tuple[dict[N, frozenset[N]], dict[N, frozenset[N]]]:
    """The steps before and after each step of the forward graph (ancestors/descendants ∩ steps).

    Why not one traversal per step: that is quadratic in the flow.  Every
    forward edge goes to a larger distance, so nodes sorted by distance are
    in topological order, and one pass each way propagates the reachable
    steps as bit sets (one bit per step).
    """
    bit = {step: 1 << i for i, step in enumerate(ids)}
    order = sorted(nodes, key=lambda n: distance.get(n, far))
    down: dict[N, int] = {}
    for node in reversed(order):
        reach = 0
        for succ in successors[node]:
            reach |= bit.get(succ, 0) | down[succ]
        down[node] = reach
    up: dict[N, int] = {}
    for node in order:
        reach = 0
        for pred in predecessors[node]:
            reach |= bit.get(pred, 0) | up[pred]
        up[node] = reach

    def steps_in(bits: int) -> frozenset[N]:
        return frozenset(step for step in ids if bits & bit[step])

    return {s: steps_in(up[s]) for s in ids}, {s: steps_in(down[s]) for s in ids}


def _hiding_step(
    placement: Placement,
    steps: Sequence[FlowNode],
    deciding: set[ElementId],
    order: _Order,
    catalogue: Catalogue,
) -> ElementId | None:
    words = compile_words(catalogue.reception if placement == "reception" else catalogue.handover)
    signal = placement
    people = [s for s in steps if s.kind not in _AUTOMATED]
    chosen: FlowNode | None
    if placement == "reception":
        free = [s for s in people if not (order.before[s.id] & deciding)]
        named = [s for s in free if words.words(s.name, signal)]
        if named:
            chosen = max(named, key=lambda s: order.position[s.id])
        else:
            chosen = min(free, key=lambda s: order.position[s.id]) if free else None
    else:
        free = [s for s in people if not (order.after[s.id] & deciding)]
        named = [s for s in free if words.words(s.name, signal)]
        if named:
            chosen = min(named, key=lambda s: order.position[s.id])
        else:
            chosen = max(free, key=lambda s: order.position[s.id]) if free else None
    return chosen.id if chosen is not None else None

