"""View models for the legal gate: step verdicts, conflicts, 要確認, overrides, excluded flows, naive vs safe lots.

Kept out of :mod:`reports.views` so the legal part of every page is built in
one place: the overview and the candidates page show the same summary
(:func:`legal_summary`), the flow page its own part (:func:`flow_legal`), and
each step row its verdict (:func:`step_legal`).  Like the other view models
these are plain frozen dataclasses; user text (step names, justifications)
stays ``str`` and is escaped by Jinja.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reports.i18n import Bilingual
from scoring.result import (
    Assessment,
    Disposition,
    HandoffPlan,
    LegalClass,
    LegalStatus,
    ProcessAssessment,
    StepAssessment,
)

Href = Callable[[StepAssessment], str]
"""Link of a step's row on its flow page."""


@dataclass(frozen=True, slots=True)
class ClaimView:
    """One piece of legal evidence."""

    key: str
    """``authority``, ``unknown`` or ``factual`` (CSS class suffix)."""
    label: Bilingual
    """What it says."""
    source: Bilingual
    """Where it comes from."""
    text: Bilingual
    """The evidence."""
    reference: str
    """The rule's source (lexicon entry, template, survey row)."""


@dataclass(frozen=True, slots=True)
class StepLegalView:
    """A step's legal verdict as its row shows it."""

    key: str
    """``authority``, ``unknown`` or ``factual``."""
    label: Bilingual
    """公権力の行使 / 要確認 / 事実上の行為."""
    tag: Bilingual | None
    """Short tag for the step name (None for a plain factual act)."""
    conflict: bool
    """True when sources disagree and no override settles it (an error)."""
    override: str
    """The justification used, with where it is written; empty when none."""
    claims: tuple[ClaimView, ...]
    """Every claim, strongest first."""
    basis: Bilingual | None
    """The 根拠通知 when the step is outsourced."""
    resolve: Bilingual | None
    """What would resolve a doubt."""


@dataclass(frozen=True, slots=True)
class StepRef:
    """A step with its link."""

    name: str
    """Step name (user data)."""
    flow: str
    """Flow name (user data)."""
    href: str
    """Its row."""


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """A step whose sources disagree."""

    step: StepRef
    """The step."""
    factual: Bilingual
    """The 無 claim."""
    authority: Bilingual
    """The 有 claim."""


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A 要確認 step and how to resolve it."""

    step: StepRef
    """The step."""
    proposed: Bilingual
    """What the scores proposed."""
    resolve: Bilingual
    """How to resolve the doubt."""


@dataclass(frozen=True, slots=True)
class OverrideRow:
    """A justified override that was used."""

    step: StepRef
    """The step."""
    label: Bilingual
    """The class it sets."""
    reason: str
    """The justification (user text)."""
    origin: str
    """Where it is written."""


@dataclass(frozen=True, slots=True)
class ExcludedRow:
    """A flow left out of the totals."""

    name: str
    """Flow name."""
    message: str
    """Why."""
    hint: str
    """How to fix it."""


@dataclass(frozen=True, slots=True)
class MovedRow:
    """A step the hand-off check moved to staff."""

    step: StepRef
    """The step."""
    reason: Bilingual
    """Why."""


@dataclass(frozen=True, slots=True)
class LotView:
    """A flow's lot as scored next to its safe lot."""

    flow: str
    """Flow name."""
    href: str
    """Flow page (hand-off section)."""
    changed: bool
    """True when the safe lot differs."""
    warning: Bilingual | None
    """Why the lot as scored failed the hand-off check."""
    redesign: Bilingual | None
    """A design that could keep more with the contractor."""
    moved: tuple[MovedRow, ...]
    """Steps moved to staff."""
    rows: tuple[tuple[str, str, str], ...]
    """(label key, as scored, safe): outsourced hours, hours freed, saving, hand-offs per case."""


@dataclass(frozen=True, slots=True)
class LegalSummaryView:
    """The legal part of the overview and the candidates page."""

    counts: tuple[tuple[str, Bilingual, int], ...]
    """(key, label, steps) per legal class."""
    conflicts: tuple[ConflictRow, ...]
    """Conflicts without an override."""
    review: tuple[ReviewRow, ...]
    """Steps shown as 要確認."""
    overrides: tuple[OverrideRow, ...]
    """Overrides used."""
    excluded: tuple[ExcludedRow, ...]
    """Flows left out of the totals."""
    lots: tuple[LotView, ...]
    """Flows whose hand-off check failed."""

    @property
    def empty(self) -> bool:
        """Nothing to review."""
        return not (self.conflicts or self.review or self.overrides or self.excluded or self.lots)


@dataclass(frozen=True, slots=True)
class FlowLegalView:
    """The legal part of a flow page."""

    procedure: Bilingual | None
    """Procedure name, or None when the flow matches none."""
    matched: str
    """How it matched."""
    on_list: bool
    """On the 内閣府 list."""
    list_item: str
    """Its item."""
    basis: Bilingual | None
    """The 根拠通知 outsourcing in this flow cites."""
    summary: LegalSummaryView
    """Conflicts, 要確認, overrides of this flow."""
    lot: LotView | None
    """As scored next to safe, when computed."""


_CLASS_KEYS = {LegalClass.AUTHORITY: "authority", LegalClass.UNKNOWN: "unknown", LegalClass.FACTUAL: "factual"}
_DISPOSITION_LABELS = {
    Disposition.RPA: Bilingual("RPA化", "RPA"),
    Disposition.OUTSOURCE: Bilingual("民間委託", "outsourcing"),
    Disposition.RETAIN: Bilingual("職員が担当", "staff"),
    Disposition.AUTOMATED: Bilingual("自動化済み", "automated"),
    Disposition.REVIEW: Bilingual("要確認", "to be confirmed"),
    Disposition.CONTRACTED: Bilingual("委託済み（受託者が実施中）", "already contracted (a contractor does it today)"),
}


def _class_label(legal_class: LegalClass) -> Bilingual:
    return Bilingual.of(f"legal.class_{_CLASS_KEYS[legal_class]}")


def step_legal(step: StepAssessment) -> StepLegalView | None:
    """The verdict of one step; None for hand-made steps without one."""
    legal = step.legal
    if legal is None:
        return None
    key = _CLASS_KEYS[legal.legal_class]
    conflict = bool(legal.conflicts) and legal.override is None
    tag: Bilingual | None = None
    if conflict:
        tag = Bilingual.of("legal.tag_conflict")
    elif legal.legal_class is not LegalClass.FACTUAL:
        tag = Bilingual.of(f"legal.tag_{key}")
    elif legal.override is not None:
        tag = Bilingual.of("legal.tag_override")
    return StepLegalView(
        key=key,
        label=_class_label(legal.legal_class),
        tag=tag,
        conflict=conflict,
        override=f"{legal.override.origin}: {legal.override.reason}" if legal.override is not None else "",
        claims=tuple(
            ClaimView(_CLASS_KEYS[c.legal_class], _class_label(c.legal_class),
                      Bilingual.of(f"legal.source.{c.source.value}"), Bilingual(c.ja, c.en), c.reference)
            for c in legal.claims
        ),
        basis=Bilingual(legal.basis.ja, legal.basis.en)
        if legal.basis is not None and step.disposition in (Disposition.OUTSOURCE, Disposition.CONTRACTED) else None,
        resolve=Bilingual(legal.resolve.ja, legal.resolve.en) if legal.resolve is not None else None,
    )


def _ref(step: StepAssessment, href: Href) -> StepRef:
    return StepRef(step.name, step.process_name, href(step))


def _rows(steps: Iterable[StepAssessment], href: Href) -> tuple[
        tuple[ConflictRow, ...], tuple[ReviewRow, ...], tuple[OverrideRow, ...]]:
    conflicts: list[ConflictRow] = []
    review: list[ReviewRow] = []
    overrides: list[OverrideRow] = []
    for step in steps:
        legal: LegalStatus | None = step.legal
        if legal is None:
            continue
        if legal.conflicts and legal.override is None:
            first = legal.conflicts[0]
            conflicts.append(ConflictRow(_ref(step, href), Bilingual(first.factual.ja, first.factual.en),
                                         Bilingual(first.authority.ja, first.authority.en)))
        if step.disposition is Disposition.REVIEW:
            resolve = legal.resolve
            # a contractor doing a step the law does not let it do: what resolves it is in its own reason
            questioned = next((r for r in step.reasons if r.code == "contracted-questioned"), None)
            resolve = resolve or questioned
            current = Disposition.CONTRACTED if questioned is not None else step.proposed or step.disposition
            review.append(ReviewRow(
                _ref(step, href), _DISPOSITION_LABELS[current],
                Bilingual(resolve.ja, resolve.en) if resolve is not None else Bilingual.of("legal.review_explain"),
            ))
        if legal.override is not None:
            overrides.append(OverrideRow(_ref(step, href), _class_label(legal.override.legal_class),
                                         legal.override.reason, legal.override.origin))
    return tuple(conflicts), tuple(review), tuple(overrides)


_NOT_PRICED = "—"
"""The naive lot's cash: never priced (it risks 偽装請負, and outsourcing it is not on offer)."""


def _flow_cash(process: ProcessAssessment) -> str:
    """The flow's cash effect (NPV) after the cost gate, as the money stage priced the safe lot."""
    if process.money is None:
        return _NOT_PRICED
    value = process.money.npv_yen.base
    return f"¥{value:,.0f}"


def lot_view(process: ProcessAssessment, flow_href: str, href: Href) -> LotView | None:
    """The lot as scored next to the safe one, when the hand-offs were computed."""
    plan: HandoffPlan | None = process.handoff_plan
    if plan is None:
        return None
    steps = {s.step_id: s for s in process.steps}
    moved = tuple(
        MovedRow(_ref(steps[m.step_id], href) if m.step_id in steps else StepRef(m.step_name, process.name, ""),
                 Bilingual(m.reason.ja, m.reason.en))
        for m in plan.moved
    )
    rows = (
        ("lot.outsourced_hours", f"{plan.naive_outsourced_hours:,.0f}", f"{plan.safe_outsourced_hours:,.0f}"),
        ("lot.hours_freed", f"{plan.naive_hours_freed:,.0f}", f"{plan.safe_hours_freed:,.0f}"),
        ("lot.cash", _NOT_PRICED, _flow_cash(process)),
        ("lot.crossings", f"{plan.naive.per_case:.2f}", f"{plan.safe.per_case:.2f}"),
    )
    return LotView(
        flow=process.name,
        href=f"{flow_href}#handoffs",
        changed=plan.changed,
        warning=Bilingual(plan.warning.ja, plan.warning.en) if plan.warning is not None else None,
        redesign=Bilingual(plan.redesign.ja, plan.redesign.en) if plan.redesign is not None else None,
        moved=moved,
        rows=rows,
    )


def legal_summary(
    assessment: Assessment, href: Href, flow_href: Callable[[ProcessAssessment], str],
    processes: Sequence[ProcessAssessment] | None = None,
) -> LegalSummaryView:
    """Conflicts, 要確認, overrides, excluded flows and failed hand-off checks.

    Of the whole portfolio, or of ``processes`` only (a flow page; excluded flows then stay on the overview).
    """
    chosen = assessment.processes if processes is None else processes
    steps = [s for p in chosen for s in p.steps]
    conflicts, review, overrides = _rows(steps, href)
    counts = tuple(
        (key, _class_label(legal_class), sum(1 for s in steps if s.legal is not None
                                             and s.legal.legal_class is legal_class))
        for legal_class, key in _CLASS_KEYS.items()
    )
    lots = tuple(
        lot for p in chosen
        if p.handoff_plan is not None and p.handoff_plan.warning is not None
        and (lot := lot_view(p, flow_href(p), href)) is not None
    )
    excluded = tuple(ExcludedRow(e.name, e.message, e.hint) for e in assessment.excluded) if processes is None else ()
    return LegalSummaryView(counts, conflicts, review, overrides, excluded, lots)


def flow_legal(
    assessment: Assessment, process: ProcessAssessment, href: Href, flow_href: str
) -> FlowLegalView:
    """The legal part of one flow page."""
    match = process.procedure
    summary = legal_summary(assessment, href, lambda _: flow_href, [process])
    return FlowLegalView(
        procedure=Bilingual(match.name_ja, match.name_en) if match is not None else None,
        matched=match.detail if match is not None else "",
        on_list=match.on_list if match is not None else False,
        list_item=match.list_item if match is not None else "",
        basis=Bilingual(match.basis_ja, match.basis_en) if match is not None and match.on_list else None,
        summary=summary,
        lot=lot_view(process, flow_href, href),
    )
