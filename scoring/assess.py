"""Compose the scoring pipeline: volumes → legal evidence → features → proposal → legal gate → hand-offs → money.

This is the only module that knows the order of the stages; each one it
calls does one job and is tested on its own.  Everything that could not be
measured is reported as a :class:`~scoring.result.DataGap` rather than guessed
silently, and everything that is wrong is a finding.

The order is the safety argument:

1. Volumes first (:mod:`scoring.volumes`).  A process whose visits cannot be
   solved is excluded from every total and the ranking and reported as an
   error — never counted "once per case".
2. Each step's legal verdict (:func:`scoring.legal.legal_status`) from legal
   evidence only: survey, properties, the reviewed lexicon, lane, the gateway
   after, the procedure template, justified overrides.
3. The numbers propose a disposition (:func:`scoring.classify.classify`) and
   it is costed.
4. The legal gate (:func:`scoring.legal.gate`) has the last word on each step,
   reading only the proposal and the verdict; the step is re-costed when it
   moves.
5. The hand-off check (:func:`scoring.handoff.safe_lot`) may move further
   contractor steps to staff (never the other way), keeping the naive lot for
   the report.
6. The money stage (:func:`scoring.money.money_stage`) prices what is left:
   posts, contract lots, robots, a multi-year cash flow.  Its cost gate only
   ever *withdraws* a candidate (「費用面で推奨しない」), and it reads each
   step's legal verdict, so a step the legal gate kept with staff or marked
   要確認 never enters a lot or a robot and is never costed as outsourced.
   Withdrawing a step can leave a short staff stretch between contractor
   steps, so the hand-off check runs again on the final dispositions; any
   step it moves goes to staff and the money is priced again (steps only move
   towards staff, so this ends).  Steps are ranked by their net cash effect;
   hours × suitability stays as the separate capacity view.
7. :func:`scoring.legal.permitted` is checked on every final disposition; a
   violation is a bug and stops the run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bpm.collector import collector_frozen
from bpm.errors import AnalysisError
from bpm.graph import flow_order, process_graph
from bpm.lint import Finding, Severity
from bpm.model import Definitions, ElementId, FlowNode, SourceRef
from bpm.visits import VisitResult
from scoring.classify import EXPLAINING_CODES, classify, gated_confidence, rank, rpa_assist_reason
from scoring.context import ProcessContext, process_context, step_facts
from scoring.contracted import contracted_check, contracted_gate
from scoring.cost import MoneyStep, hours_per_year, step_cost, totals
from scoring.evidence_text import Said, said, shared_said, survey_cell
from scoring.features import FeatureMemo, Measures, step_count_property, step_features, step_minutes
from scoring.flow_cache import FlowCache
from scoring.handoff import handoff_warning, safe_lot
from scoring.interned import shared_line, shared_sources
from scoring.legal import (
    LegalLexicon,
    conflict_findings,
    entry_matches,
    gate,
    legal_lexicon,
    legal_status,
    missing_decision_findings,
    override_finding,
    override_from_entry,
    override_from_row,
    permitted,
    unused_override_finding,
)
from scoring.lexicon import Lexicon, compile_lexicon
from scoring.money import MoneyOutcome, gated_dispositions, money_stage
from scoring.money_inputs import money_step
from scoring.per_flow import Notes, merge, per_flow
from scoring.procedures import Catalogue, ProcedureLookup, TemplateCheck, check_template, load_catalogue, procedure_for
from scoring.profile import LegalOverrideEntry, Profile
from scoring.result import (
    Assessment,
    Branch,
    DataGap,
    Disposition,
    Evidence,
    EvidenceSource,
    ExcludedProcess,
    HandoffPlan,
    LegalClass,
    LegalOverride,
    MoneySummary,
    MovedStep,
    ProcessAssessment,
    Reason,
    StepAssessment,
    StepKey,
)
from scoring.survey import ProcessSteps, Survey, SurveyMatch, SurveyRow, match_survey
from scoring.volumes import Cases, ProcessKey, Unit, process_branches, solve_visits, units_of
from scoring.volumes import annual_cases as cases_per_year

__all__ = ["assess", "process_branches"]

S = EvidenceSource
_ORDER = tuple(EvidenceSource)
_EXPLAINING = (*EXPLAINING_CODES, "outsourcing-basis")
"""Reasons that explain why the numbers (and the law) allow RPA or outsourcing: dropped when the step ends up with
staff because of the legal gate or the hand-off check."""


@dataclass(frozen=True, slots=True)
class _Run:
    """What every process of the run shares."""

    profile: Profile
    lexicon: Lexicon
    legal_words: LegalLexicon
    catalogue: Catalogue
    match: SurveyMatch
    survey: Survey | None
    features: FeatureMemo
    """What inference says about a step, shared by the steps of the run that look alike (per process)."""


def assess(
    definitions_list: Iterable[Definitions],
    *,
    survey: Survey | None = None,
    profile: Profile,
    annual_cases: Mapping[str, float] | None = None,
    jobs: int = 1,
    cache: FlowCache | None = None,
    money_in_full: bool = True,
) -> Assessment:
    """Assess every step of every process in the run.

    Parameters
    ----------
    definitions_list
        The BPMN files, in input order (the report keeps it).
    survey
        The 業務量調査 sheet, when there is one.
    profile
        Weights, thresholds, words, prices and the legal section (:func:`scoring.profile.load_profile`).
    annual_cases
        Cases per year by process id or name, from the caller (CLI ``--cases``).
    jobs
        Processes for the per-flow stages (visits, each process's steps; :mod:`scoring.per_flow`); the result
        is the same for every value.
    cache
        Where the per-flow stages' outputs are kept by content (:mod:`scoring.flow_cache`); the result is the
        same with and without it.
    money_in_full
        False: of the money stage, only the cost gate's decisions (:func:`scoring.money.gated_dispositions`)
        and the hand-off re-check they lead to — every step's final disposition, hours and findings are those
        of a priced run, but steps keep their pre-pricing costs and reasons and ``money`` is None.  For a
        caller that shows no cash, sensitivity or explanation (``bpm compare``); never for a report.

    Processes whose volumes cannot be computed are in
    :attr:`~scoring.result.Assessment.excluded` (and an error finding), not in
    ``processes``: the caller decides whether to publish without them.
    """
    units = units_of(definitions_list)
    match = (
        match_survey(survey, [ProcessSteps(u.file, u.process, u.steps, u.pool_name) for u in units])
        if survey is not None
        else SurveyMatch()
    )
    lexicon = compile_lexicon(profile.lexicon)
    run = _Run(profile, lexicon, legal_lexicon(profile), load_catalogue(profile.legal.procedures), match, survey,
               FeatureMemo(profile, lexicon))
    gaps: list[DataGap] = list(match.gaps)
    findings: list[Finding] = []
    solved = dict(zip((u.key for u in units), merge(
        per_flow(_solve_at, len(units), context=(units, match), jobs=jobs, describe=lambda i: units[i].file,
                 cached=cache.visits(units, match) if cache is not None else None),
        gaps, findings), strict=True))
    excluded = tuple(r for r in solved.values() if isinstance(r, ExcludedProcess))
    findings.extend(_excluded_finding(e) for e in excluded)
    live = [u for u in units if isinstance(solved[u.key], VisitResult)]
    visits = {k: v for k, v in solved.items() if isinstance(v, VisitResult)}
    cases = cases_per_year(live, match, dict(annual_cases or {}), visits, profile, gaps)
    used_entries: set[str] = set()
    steps_cached = cache.steps(live, cases, profile=profile, catalogue=run.catalogue, survey=survey,
                               match=match) if cache is not None else None
    drafts = merge(per_flow(_assess_at, len(live), context=(live, visits, cases, run), jobs=jobs,
                            describe=lambda i: live[i].file, cached=steps_cached), gaps, findings, used_entries)
    units_by_key = {u.key: u for u in live}
    priced: list[ProcessAssessment] | None = None
    money = None
    if profile.money is not None:
        try:
            # the portfolio's models and drafts out of the collector's walks: the money stage's rounds make
            # and drop many objects, and each full collection walked every step of every flow again
            with collector_frozen():
                priced, money = _price(drafts, units_by_key, cases, run, gaps, findings, cache,
                                       in_full=money_in_full)
        except AnalysisError as error:  # e.g. a counter needing thousands of seats: the survey's counts are off
            findings.append(Finding(
                "money-failed", Severity.ERROR,
                f"財政効果を計算できない / the cash effect cannot be computed: {error.message}",
                SourceRef(error.file or "", error.line), ElementId(error.element_id) if error.element_id else None,
                error.hint or "",
                message_ja=f"財政効果を計算できません: {error.message_in('ja')}",
                message_en=f"the cash effect cannot be computed: {error.message_in('en')}",
            ))
    if priced is None:  # no money section, or it failed: the capacity view (made only then: a pass over every step)
        priced = _rank_by_capacity(drafts)
    processes = tuple(
        dataclasses.replace(draft, totals=totals(draft.steps, profile.hours_per_fte)) for draft in priced
    )
    for entry in profile.legal.overrides:
        if entry.name not in used_entries and entry.file != "":
            findings.append(unused_override_finding(entry))
    _check_gate(processes)
    overrides = tuple(s.legal.override for p in processes for s in p.steps
                      if s.legal is not None and s.legal.override is not None)
    return Assessment(
        processes=processes,
        totals=totals((s for p in processes for s in p.steps), profile.hours_per_fte),
        profile_name=profile.name,
        profile_sources=dict(profile.sources),
        gaps=tuple(gaps),
        findings=tuple(findings),
        overrides=overrides,
        excluded=excluded,
        money=money,
    )


def _solve_at(context: tuple[Sequence[Unit], SurveyMatch], index: int, notes: Notes) -> VisitResult | ExcludedProcess:
    """One process's visits (:func:`per_flow` work)."""
    units, match = context
    return solve_visits(units[index], units, match, notes.gaps)


def _assess_at(
    context: tuple[Sequence[Unit], Mapping[ProcessKey, VisitResult], Mapping[ProcessKey, Cases], _Run],
    index: int,
    notes: Notes,
) -> ProcessAssessment:
    """One process's steps before the money stage (:func:`per_flow` work)."""
    live, visits, cases, run = context
    unit = live[index]
    return _assess_process(unit, visits[unit.key], cases[unit.key], run, notes.gaps, notes.findings,
                           notes.used_entries)


def _check_gate(processes: Sequence[ProcessAssessment]) -> None:
    """The gate's invariant on the final dispositions; a violation is a bug of ours, never a data problem."""
    for process in processes:
        for step in process.steps:
            if step.legal is not None and not permitted(step.disposition, step.legal):
                raise AssertionError(
                    f"legal gate violated: {process.name}/{step.name} is {step.disposition.value} with legal class "
                    f"{step.legal.legal_class.value}"
                )


def _excluded_finding(excluded: ExcludedProcess) -> Finding:
    return Finding(
        "volume-unsolvable", Severity.ERROR,
        f"{excluded.message} — 件数を計算できないため、この業務を集計と順位から除外 / volumes cannot be computed: "
        "the flow is left out of totals and ranking",
        SourceRef(excluded.file, excluded.line), ElementId(excluded.element_id) if excluded.element_id else None,
        excluded.hint,
        message_ja=f"{excluded.message} — 件数を計算できないため、この業務を集計と順位から除外します",
        message_en=f"{excluded.message} — volumes cannot be computed: the flow is left out of totals and ranking",
    )


# --------------------------------------------------------------------------- one process


def _assess_process(
    unit: Unit,
    visits: VisitResult,
    cases: Cases,
    run: _Run,
    gaps: list[DataGap],
    findings: list[Finding],
    used_entries: set[str],
) -> ProcessAssessment:
    lookup = procedure_for(unit.process, unit.pool_name, run.catalogue)
    template = (check_template(unit.process, unit.steps, lookup.procedure, run.catalogue)
                if lookup.procedure is not None else None)
    findings.extend(_procedure_findings(unit, lookup, template))
    context = process_context(unit.definitions, unit.process, run.lexicon)
    visits_words = _visits_words(visits)
    steps: list[StepAssessment] = []
    for node in unit.steps:
        row = run.match.steps.get((unit.file, unit.process.id, node.id))
        override = _override(unit, node, row, run, gaps, used_entries)
        step = _assess_step(unit, node, row, context, visits, cases, run, lookup, template, override, gaps,
                            visits_words)
        assert step.legal is not None
        findings.extend(conflict_findings(node, step.legal))
        if step.contracted is not None and step.disposition is not Disposition.CONTRACTED:
            findings.append(_contracted_finding(unit, node, step))
        if override is not None:
            findings.append(override_finding(override, node))
        steps.append(step)
    process_visits = {ElementId(k): v for k, v in visits.visits.items() if k in unit.process.nodes}
    branches = process_branches(unit.process, visits)
    steps, plan = _plan_handoffs(unit, steps, process_visits, branches, run.profile, gaps)
    if plan is not None and plan.warning is not None:
        findings.append(_handoff_finding(unit, plan))
    safe = plan.safe if plan is not None else None
    if safe is not None:
        warning = handoff_warning(safe, run.profile.handoff.max_per_case, {s.step_id: s.name for s in steps})
        safe = dataclasses.replace(safe, warning=warning)
    return ProcessAssessment(
        file=unit.file,
        process_id=unit.process.id,
        name=unit.name,
        annual_cases=cases.value,
        annual_cases_source=cases.source,
        steps=tuple(steps),
        totals=totals(steps, run.profile.hours_per_fte),
        visits=process_visits,
        branches=branches,
        handoffs=safe,
        procedure=lookup.match,
        handoff_plan=plan,
    )


def _visits_words(visits: VisitResult) -> Said:
    """The sentence of every step's ``visits`` line: the flow's assumptions (made once a flow, not once a step)."""
    assumptions = "; ".join(visits.assumptions)
    return (shared_said("visits-assumed", assumptions="；".join(visits.assumptions_ja) or assumptions,
                        assumptions_en=assumptions) if assumptions else shared_said("visits"))


def _procedure_findings(unit: Unit, lookup: ProcedureLookup, template: TemplateCheck | None) -> list[Finding]:
    if lookup.procedure is None:
        detail = lookup.problem or "its name matches no procedure of the catalogue"
        return [Finding(
            "procedure-unknown", Severity.WARNING,
            f"{unit.name}: 標準手続に当たらないため、委託の根拠通知を確認できず委託候補にしない / {detail}: "
            "no outsourcing basis can be checked, so nothing in it is outsourced",
            unit.process.source, ElementId(unit.process.id),
            "give the process a procedure property naming a catalogue key (e.g. koseki_todoke, juminhyo_kofu)",
            message_ja=f"{unit.name}: 標準手続に当たらないため、委託の根拠通知を確認できず委託候補にしない"
                       + (f"（{lookup.problem_ja}）" if lookup.problem_ja else ""),
            message_en=f"{unit.name}: {detail}: no outsourcing basis can be checked, so nothing in it is outsourced",
            hint_ja="プロセスに標準手続のキーを procedure プロパティで付けてください"
                    "（例: koseki_todoke、juminhyo_kofu）",
        )]
    return missing_decision_findings(unit.process, template) if template is not None else []


def _contracted_finding(unit: Unit, node: FlowNode, step: StepAssessment) -> Finding:
    """A contractor does a step the legal gate would not outsource: the lane (or survey) contradicts the law."""
    reason = next(r for r in step.reasons if r.code == "contracted-questioned")
    return Finding(
        "contracted-questioned", Severity.WARNING, f"{node.label}: {reason.ja} / {reason.en}", node.source,
        node.id, "correct the lane or the survey's 職種 if staff do it; otherwise review the contract or record a "
        "justified legal override",
        message_ja=f"{node.label}: {reason.ja}", message_en=f"{node.label}: {reason.en}",
        hint_ja="職員が行う作業ならレーンか調査票の職種を直し、そうでなければ委託契約を見直すか、理由を付けた法的判断の上書きを記録してください",
    )


def _handoff_finding(unit: Unit, plan: HandoffPlan) -> Finding:
    assert plan.warning is not None
    moved = "、".join(m.step_name for m in plan.moved) or "なし"
    moved_en = ", ".join(m.step_name for m in plan.moved) or "none"
    return Finding(
        "handoff-risk", Severity.WARNING,
        f"{unit.name}: {plan.warning.ja} 安全な委託範囲では職員へ移す手順: {moved} / {plan.warning.en} "
        f"Moved to staff in the safe lot: {moved_en}",
        unit.process.source, ElementId(unit.process.id),
        plan.redesign.en if plan.redesign is not None else "",
        message_ja=f"{unit.name}: {plan.warning.ja} 安全な委託範囲では職員へ移す手順: {moved}",
        message_en=f"{unit.name}: {plan.warning.en} Moved to staff in the safe lot: {moved_en}",
        hint_ja=plan.redesign.ja if plan.redesign is not None else "",
    )


def _override(
    unit: Unit,
    node: FlowNode,
    row: SurveyRow | None,
    run: _Run,
    gaps: list[DataGap],
    used_entries: set[str],
) -> LegalOverride | None:
    """A justified override for the step: a profile entry naming it, else the survey's 判断根拠."""
    names = (unit.process.id, unit.process.name, unit.pool_name)
    entry: LegalOverrideEntry | None = next(
        (e for e in run.profile.legal.overrides if entry_matches(e, names, node)), None)
    if entry is not None:
        used_entries.add(entry.name)
        found = override_from_entry(entry)
    else:
        survey_file = run.survey.file if run.survey is not None else ""
        if row is not None and row.legal_basis.strip() and row.legal_authority is None:
            gaps.append(DataGap("legal-basis-without-class",
                                f"{node.label}: 公権力の判断根拠 is written but 公権力の行使 is empty; not used",
                                survey_file, row.line, node.id))
        maybe = override_from_row(row, survey_file)
        if maybe is None:
            return None
        found = maybe
    return dataclasses.replace(found, file=unit.file, process_id=unit.process.id, step_id=node.id,
                               step_name=node.label)


# --------------------------------------------------------------------------- hand-offs


def _plan_handoffs(
    unit: Unit,
    steps: list[StepAssessment],
    visits: Mapping[ElementId, float],
    branches: Sequence[Branch],
    profile: Profile,
    gaps: list[DataGap],
) -> tuple[list[StepAssessment], HandoffPlan | None]:
    """The naive lot, the safe lot after the hand-off check, and the steps re-scored for it."""
    graph = process_graph(unit.definitions, unit.process.id, expand_subprocesses=True)
    names = {s.step_id: s.name for s in steps}
    try:
        lot = safe_lot(
            graph, {s.step_id: s.disposition for s in steps}, visits, branches,
            {s.step_id: s.visits * s.minutes_per_case for s in steps},
            max_per_case=profile.handoff.max_per_case, min_staff_minutes=profile.handoff.min_staff_minutes,
            names=names,
        )
    except AnalysisError as error:
        gaps.append(DataGap("handoffs-failed", f"{unit.name}: {error.message}", unit.file, error.line,
                            error.element_id))
        return steps, None
    safe_steps: list[StepAssessment] = []
    moved: list[MovedStep] = []
    for step in steps:
        reason = lot.moved.get(step.step_id)
        if reason is None:
            safe_steps.append(step)
            continue
        moved.append(MovedStep(step.step_id, step.name, step.disposition, Disposition.RETAIN, reason))
        safe_steps.append(dataclasses.replace(
            step,
            disposition=Disposition.RETAIN,
            reasons=(reason, *(r for r in step.reasons if r.code not in _EXPLAINING)),
            cost=step_cost(Disposition.RETAIN, step.annual_count, step.minutes_per_case, profile),
            proposed=step.proposed or step.disposition,
        ))

    def outsourced_hours(lot_steps: Sequence[StepAssessment]) -> float:
        return sum(s.cost.hours_per_year for s in lot_steps if s.disposition is Disposition.OUTSOURCE)

    plan = HandoffPlan(
        naive=lot.naive,
        safe=lot.safe,
        moved=tuple(moved),
        naive_outsourced_hours=outsourced_hours(steps),
        safe_outsourced_hours=outsourced_hours(safe_steps),
        naive_hours_freed=sum(s.cost.hours_freed_per_year for s in steps),
        safe_hours_freed=sum(s.cost.hours_freed_per_year for s in safe_steps),
        warning=lot.warning,
        redesign=lot.redesign,
    )
    return safe_steps, plan


# --------------------------------------------------------------------------- one step


def _weaker(*sources: EvidenceSource) -> EvidenceSource:
    return max(sources, key=_ORDER.index)


def _assess_step(
    unit: Unit,
    node: FlowNode,
    row: SurveyRow | None,
    context: ProcessContext,
    visit_result: VisitResult,
    cases: Cases,
    run: _Run,
    lookup: ProcedureLookup,
    template: TemplateCheck | None,
    override: LegalOverride | None,
    gaps: list[DataGap],
    visits_words: Said,
) -> StepAssessment:
    file = unit.file
    profile = run.profile
    evidence: list[Evidence] = []
    visits = visit_result.visits.get(node.id)
    if visits is None:
        gaps.append(DataGap("no-visits", f"{node.label}: not reached by the flow analysis; counted 0 times per case",
                            file, node.source.line, node.id))
        visits = 0.0
    # Round away the last-bit noise of the linear solve, whose rounding depends on node order:
    # the same flow must give the same figures whatever order the file lists its elements in.
    visits = round(visits, 12)
    # the flow's sentence, the same for each of its steps: made once a flow, one line per distinct value
    evidence.append(shared_line("visits", round(visits, 6), S.STRUCTURE, visits_words))
    minutes = step_minutes(node, row, profile, file=file)
    if minutes.gap is not None:
        gaps.append(minutes.gap)
    computed = visits * cases.value
    count_property, bad = step_count_property(node, file=file)
    if bad is not None:
        gaps.append(bad)
    if row is not None and row.annual_count is not None:
        annual, count_source = row.annual_count, S.SURVEY
        words = survey_cell(row.line, "件数")
        evidence.append(Evidence("annual_count", annual, S.SURVEY, words.en, words))
        tolerance = profile.volume.count_mismatch_tolerance
        if computed > 0 and abs(annual - computed) / computed > tolerance:
            words = said("count-mismatch", annual=f"{annual:,.0f}", computed=f"{computed:,.0f}",
                         gap=f"{abs(annual - computed) / computed:.0%}", tolerance=f"{tolerance:.0%}")
            evidence.append(Evidence("annual_count", round(computed, 2), S.STRUCTURE, words.en, words))
    elif count_property is not None:
        annual, count_source = count_property, S.PROPERTY
        words = said("property", name="annual_count", raw=f"{annual:g}")
        evidence.append(Evidence("annual_count", annual, S.PROPERTY, words.en, words))
    else:
        annual, count_source = computed, cases.source
        words = shared_said("visits-times-cases", visits=f"{visits:.4g}", cases=f"{cases.value:,.0f}",
                            cases_detail=cases.said.text("ja") if cases.said else cases.detail,
                            cases_detail_en=cases.detail)
        evidence.append(shared_line("annual_count", round(annual, 4), cases.source, words))
    evidence.append(minutes.evidence)
    hours = hours_per_year(annual, minutes.value)
    facts = step_facts(context, node)
    legal = legal_status(
        node, facts, row, lexicon=run.legal_words, procedure=lookup.procedure, template=template,
        override=override, cash_collection_notice=profile.legal.cash_collection_notice,
    )
    features = step_features(
        node, facts, row,
        Measures(visits, annual, minutes.value, hours, _weaker(count_source, minutes.source)),
        profile, run.lexicon, file=file, legal=legal, memo=run.features,
    )
    gaps.extend(features.gaps)
    if run.survey is not None and row is None:
        used = "BPMN properties" if node.properties else "task type and wording"
        gaps.append(DataGap("no-data", f"{node.label}: no survey row; {used} and profile defaults used",
                            file, node.source.line, node.id))
    # 3. the numbers propose
    proposal = classify(features.values, features.sources, profile)
    # 4. the legal gate has the last word; it reads only the proposal and the legal verdict
    decided = gate(proposal.disposition, legal)
    disposition = decided.disposition
    reasons = [*decided.reasons, *proposal.reasons] if disposition is not proposal.disposition else [
        *proposal.reasons, *decided.reasons]
    confidence = proposal.confidence
    if disposition is not proposal.disposition:
        confidence = gated_confidence(features.sources, profile)
        reasons = [r for r in reasons if r.code not in _EXPLAINING]
    # a contractor already doing the step: never a candidate, and the gate still reads what the contractor does
    check = contracted_check(
        label=node.label, lane_name=facts.lane_name, staff_type=row.staff_type if row is not None else "",
        survey_file=run.survey.file if run.survey is not None else "", row_line=row.line if row is not None else None,
        bpmn_file=file, step_id=node.id,
    )
    if check.conflict is not None:
        gaps.append(check.conflict)
    contracted = check.contracted
    if contracted is not None:
        disposition, contract_reasons = contracted_gate(legal, contracted)
        reasons = [*contract_reasons, *(r for r in proposal.reasons if r.code not in _EXPLAINING)]
        confidence = gated_confidence(features.sources, profile)
    # hours only: cash exists only through the money stage, which runs on the whole portfolio afterwards;
    # a contracted step's hours are the contractor's, so they carry no staff cost
    cost = step_cost(disposition, annual, minutes.value, profile,
                     digital_share=features.values.get("digital_input", 1.0),
                     yen_per_hour=0.0 if contracted is not None else None)
    if disposition in (Disposition.RETAIN, Disposition.REVIEW) and legal.legal_class is not LegalClass.FACTUAL:
        assist = rpa_assist_reason(proposal.scores, profile)
        if assist is not None:
            reasons.append(assist)
    return StepAssessment(
        file=file,
        process_id=unit.process.id,
        process_name=unit.name,
        step_id=node.id,
        name=node.label,
        kind=node.kind.value,
        lane_id=node.lane_id,
        lane_name=facts.lane_name,
        source=node.source,
        visits=visits,
        annual_count=annual,
        minutes_per_case=minutes.value,
        features=features.values,
        evidence=(*evidence, *features.evidence),
        scores=proposal.scores,
        disposition=disposition,
        confidence=confidence,
        reasons=tuple(dict.fromkeys(reasons)),
        legal_authority=features.legal_authority,
        cost=cost,
        data_sources=shared_sources({
            "annual_cases": cases.source,
            "visits": S.STRUCTURE,
            "annual_count": count_source,
            "minutes_per_case": minutes.source,
            **features.sources,
        }),
        legal=legal,
        proposed=proposal.disposition if disposition is not proposal.disposition and contracted is None else None,
        contracted=contracted,
    )



# --------------------------------------------------------------------------- money


def _rank_by_capacity(drafts: Sequence[ProcessAssessment]) -> list[ProcessAssessment]:
    """Without money parameters: rank by hours freed × suitability (the capacity view)."""
    ranks = rank([
        ((s.file, s.process_id, s.step_id), s.disposition, s.cost.hours_freed_per_year,
         s.scores.get(s.disposition, 0.0), (s.file, str(s.process_id), str(s.step_id)))
        for draft in drafts
        for s in draft.steps
    ])
    return [
        dataclasses.replace(draft, steps=tuple(dataclasses.replace(s, rank=ranks.get((s.file, s.process_id, s.step_id)))
                                               for s in draft.steps))
        for draft in drafts
    ]


def _price(
    drafts: Sequence[ProcessAssessment],
    units: Mapping[ProcessKey, Unit],
    cases: Mapping[ProcessKey, Cases],
    run: _Run,
    gaps: list[DataGap],
    findings: list[Finding],
    cache: FlowCache | None = None,
    *,
    in_full: bool = True,
) -> tuple[list[ProcessAssessment], MoneySummary | None]:
    """The money stage over the portfolio, then the hand-off check on the final dispositions, until both hold.

    The cost gate may withdraw one step from a lot that still pays and so leave
    a short staff stretch between contractor steps (a fragmented hand-off); the
    check then moves the contractor steps after it to staff and the money is
    priced again.  Steps only ever move towards staff, so the loop ends.
    Not ``in_full``: each round runs the cost gate only and writes its dispositions (no summary).
    """
    profile = run.profile
    base = list(drafts)
    inputs = _money_inputs(base, units, cases, run, gaps)
    for _ in range(len(inputs) + 1):
        steps = list(inputs.values())
        summary: MoneySummary | None = None
        if in_full:
            outcome = cache.money_stage(steps, profile) if cache is not None else money_stage(steps, profile)
            priced = [_with_outcome(draft, outcome) for draft in base]
            summary = outcome.summary
        else:
            decided = gated_dispositions(steps, profile)
            priced = [_with_dispositions(draft, decided) for draft in base]
        checked: list[ProcessAssessment] = []
        moves: dict[ProcessKey, Mapping[ElementId, Reason]] = {}
        for draft in priced:
            unit = units[(draft.file, draft.process_id)]
            final, moved = _final_handoffs(unit, draft, profile, gaps)
            checked.append(final)
            if moved:
                moves[(draft.file, draft.process_id)] = moved
        if not moves:
            return checked, summary
        for index, draft in enumerate(base):
            late = moves.get((draft.file, draft.process_id))
            if late is None:
                continue
            base[index] = _moved_after_pricing(draft, late, profile)
            findings.append(_late_handoff_finding(units[(draft.file, draft.process_id)], late, base[index]))
            for step in base[index].steps:
                if step.step_id in late:
                    key = StepKey(step.file, step.process_id, step.step_id)
                    inputs[key] = dataclasses.replace(inputs[key], candidate=step.disposition, reasons=step.reasons)
    raise AssertionError("the hand-off re-check after pricing did not settle")  # pragma: no cover


def _money_inputs(
    drafts: Sequence[ProcessAssessment],
    units: Mapping[ProcessKey, Unit],
    cases: Mapping[ProcessKey, Cases],
    run: _Run,
    gaps: list[DataGap],
) -> dict[StepKey, MoneyStep]:
    """Every step's money facts with its place in the flow order; a 職種 cell that cannot be read is a data gap."""
    inputs: dict[StepKey, MoneyStep] = {}
    survey_file = run.survey.file if run.survey is not None else ""
    for draft in drafts:
        unit = units[(draft.file, draft.process_id)]
        position = {node_id: index for index, node_id in enumerate(flow_order(unit.process))}
        for step in draft.steps:
            row = run.match.steps.get((unit.file, unit.process.id, step.step_id))
            found, problem = money_step(step, unit.process.nodes[step.step_id], row, order=position[step.step_id],
                                        annual_cases=cases[unit.key].value, pool_name=unit.pool_name,
                                        profile=run.profile)
            if problem is not None:
                gaps.append(DataGap("staff-type", f"{step.name}: {problem}", survey_file if row else unit.file,
                                    row.line if row is not None else step.source.line, step.step_id))
            inputs[found.key] = found
    return inputs


def _with_outcome(draft: ProcessAssessment, outcome: MoneyOutcome) -> ProcessAssessment:
    """The money stage's decisions written into one process: dispositions (withdrawals only), cash, rank."""
    steps: list[StepAssessment] = []
    for step in draft.steps:
        result = outcome.steps[StepKey(step.file, step.process_id, step.step_id)]
        assert result.disposition is step.disposition or result.disposition is Disposition.RETAIN, (
            "the cost gate only withdraws")
        steps.append(dataclasses.replace(
            step, disposition=result.disposition, reasons=result.reasons, cost=result.cost, money=result.money,
            rank=result.rank, org=result.org,
        ))
    return dataclasses.replace(draft, steps=tuple(steps), money=outcome.flows.get((draft.file, draft.process_id)))


def _with_dispositions(draft: ProcessAssessment, decided: Mapping[StepKey, Disposition]) -> ProcessAssessment:
    """The cost gate's dispositions written into one process, each withdrawn candidate kept (an unpriced run)."""
    steps: list[StepAssessment] = []
    for step in draft.steps:
        final = decided[StepKey(step.file, step.process_id, step.step_id)]
        steps.append(step if final is step.disposition else
                     dataclasses.replace(step, disposition=final, withdrawn_from=step.disposition))
    return dataclasses.replace(draft, steps=tuple(steps))


def _final_handoffs(
    unit: Unit, draft: ProcessAssessment, profile: Profile, gaps: list[DataGap]
) -> tuple[ProcessAssessment, Mapping[ElementId, Reason]]:
    """The hand-offs of the final dispositions, and the steps the check would still move to staff."""
    if draft.handoff_plan is None:
        return draft, {}
    graph = process_graph(unit.definitions, unit.process.id, expand_subprocesses=True)
    names = {s.step_id: s.name for s in draft.steps}
    try:
        lot = safe_lot(
            graph, {s.step_id: s.disposition for s in draft.steps}, draft.visits, draft.branches,
            {s.step_id: s.visits * s.minutes_per_case for s in draft.steps},
            max_per_case=profile.handoff.max_per_case, min_staff_minutes=profile.handoff.min_staff_minutes,
            names=names,
        )
    except AnalysisError as error:  # pragma: no cover - the same graph was solved before pricing
        gaps.append(DataGap("handoffs-failed", f"{unit.name}: {error.message}", unit.file, error.line,
                            error.element_id))
        return draft, {}
    if lot.moved:
        return draft, lot.moved
    warning = handoff_warning(lot.safe, profile.handoff.max_per_case, names)
    return dataclasses.replace(draft, handoffs=dataclasses.replace(lot.safe, warning=warning)), {}


def _moved_after_pricing(
    draft: ProcessAssessment, moved: Mapping[ElementId, Reason], profile: Profile
) -> ProcessAssessment:
    """A pre-pricing draft with the steps the late hand-off check moved given to staff (and listed in its plan)."""
    plan = draft.handoff_plan
    assert plan is not None
    steps: list[StepAssessment] = []
    extra: list[MovedStep] = []
    for step in draft.steps:
        reason = moved.get(step.step_id)
        if reason is None:
            steps.append(step)
            continue
        extra.append(MovedStep(step.step_id, step.name, step.disposition, Disposition.RETAIN, reason))
        steps.append(dataclasses.replace(
            step,
            disposition=Disposition.RETAIN,
            reasons=(reason, *(r for r in step.reasons if r.code not in _EXPLAINING)),
            cost=step_cost(Disposition.RETAIN, step.annual_count, step.minutes_per_case, profile),
            proposed=step.proposed or step.disposition,
        ))
    warning = plan.warning or Reason(
        "handoff-after-cost-gate",
        "費用面で推奨しない手順を職員に戻した結果、受託者と職員の引継ぎが細切れになる",
        "Keeping the steps that do not pay with staff would fragment the hand-offs between contractor and staff",
    )
    plan = dataclasses.replace(
        plan,
        moved=(*plan.moved, *extra),
        safe_outsourced_hours=sum(s.cost.hours_per_year for s in steps if s.disposition is Disposition.OUTSOURCE),
        safe_hours_freed=sum(s.cost.hours_freed_per_year for s in steps),
        warning=warning,
    )
    return dataclasses.replace(draft, steps=tuple(steps), handoff_plan=plan)


def _late_handoff_finding(unit: Unit, moved: Mapping[ElementId, Reason], draft: ProcessAssessment) -> Finding:
    names = {s.step_id: s.name for s in draft.steps}
    shown = "、".join(names.get(step_id, step_id) for step_id in moved)
    return Finding(
        "handoff-risk", Severity.WARNING,
        f"{unit.name}: 費用面で推奨しない手順を職員に戻すと引継ぎが細切れになるため、{shown} も職員へ移す / "
        f"keeping the steps that do not pay with staff would fragment the hand-offs, so {shown} also go to staff",
        unit.process.source, ElementId(unit.process.id),
        "the cost gate withdrew a step inside a contract lot; see the lot page",
        message_ja=f"{unit.name}: 費用面で推奨しない手順を職員に戻すと引継ぎが細切れになるため、{shown} も職員へ移す",
        message_en=f"{unit.name}: keeping the steps that do not pay with staff would fragment the hand-offs, so "
                   f"{shown} also go to staff",
        hint_ja="費用面の判定が委託範囲の中の手順を取り下げました。委託範囲のページをご覧ください",
    )
