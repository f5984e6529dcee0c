"""The report of ``bpm diff``: what changed in a flow and how its hours, FTE and dispositions moved.

:mod:`bpm.diff` finds the structural differences; here they meet the scores of
both versions (the same scoring, profile and survey run on each) and become a
terminal table, a JSON document and a self-contained HTML page that shows the
two diagrams side by side with added, removed and changed elements marked.

The page is one file with inline CSS and no script (CSP ``default-src
'none'``), so it can be mailed, put on the intranet or opened from a file share;
every user text is escaped by Jinja; Japanese comes first and English follows.
Changes are marked by a badge as well as a colour, so they survive printing
in black and white.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bpm.diff import (
    DefinitionsDiff,
    FlowChange,
    FlowChangeKind,
    MatchKind,
    ProcessDiff,
    StepChange,
    StepChangeKind,
    changed_ids,
)
from bpm.errors import RenderError
from bpm.model import Definitions, ElementId, ProcessId
from reports.format import ja_spacing
from reports.i18n import Bilingual
from reports.overlay import Overlay
from reports.pictures import pictures
from reports.style import DISPOSITION_STYLES
from scoring.result import Assessment, Disposition, EvidenceSource, ProcessAssessment, StepAssessment

__all__ = [
    "DIFF_FORMAT",
    "DiffReport",
    "ProcessMovement",
    "diff_html",
    "diff_json",
    "diff_report",
    "diff_table",
]

DIFF_FORMAT = "bpm-rpa-scanner/diff"
"""``format`` of :func:`diff_json` documents (with ``version``)."""
_VERSION = 1
_HERE = Path(__file__).resolve().parent

STEP_LABELS: Mapping[StepChangeKind, Bilingual] = {
    StepChangeKind.ADDED: Bilingual("追加", "Added"),
    StepChangeKind.REMOVED: Bilingual("削除", "Removed"),
    StepChangeKind.RENAMED: Bilingual("名称変更", "Renamed"),
    StepChangeKind.RETYPED: Bilingual("種類変更", "Type changed"),
    StepChangeKind.MOVED: Bilingual("担当（レーン）変更", "Moved to another lane"),
}
FLOW_LABELS: Mapping[FlowChangeKind, Bilingual] = {
    FlowChangeKind.ADDED: Bilingual("フロー追加", "Flow added"),
    FlowChangeKind.REMOVED: Bilingual("フロー削除", "Flow removed"),
    FlowChangeKind.REROUTED: Bilingual("接続先変更", "Flow rerouted"),
    FlowChangeKind.CONDITION: Bilingual("分岐条件変更", "Branch condition changed"),
}
MATCH_LABELS: Mapping[MatchKind, Bilingual] = {
    MatchKind.ID: Bilingual("ID", "id"),
    MatchKind.NAME: Bilingual("名称（作り直し）", "name (re-created)"),
    MatchKind.STRUCTURE: Bilingual("前後の接続", "neighbours"),
}

_MARKS = {
    "added": ("#D4F4DD", "＋ 追加 / added"),
    "removed": ("#F9D0C4", "− 削除 / removed"),
    "changed": ("#FFF0A8", "～ 変更 / changed"),
}
"""Diagram fill and badge per kind of change (badges keep the meaning without colour)."""


# --------------------------------------------------------------------------- scores of both versions


@dataclass(frozen=True, slots=True)
class StepScore:
    """A step's result in one version."""

    disposition: Disposition
    """Recommended disposition."""
    hours_per_year: float
    """Staff hours per year today."""
    fte: float
    """hours ÷ working hours per FTE."""
    estimated: bool
    """True when the minutes or annual count came from a profile default."""


@dataclass(frozen=True, slots=True)
class StepMovement:
    """One step whose result differs between the versions (or that exists in only one)."""

    name: str
    """Step name (new version when it exists)."""
    old_id: ElementId | None
    """Id in the old version."""
    new_id: ElementId | None
    """Id in the new version."""
    old: StepScore | None
    """Result in the old version (None when added)."""
    new: StepScore | None
    """Result in the new version (None when removed)."""


@dataclass(frozen=True, slots=True)
class DispositionMovement:
    """Steps and hours of one disposition in both versions."""

    disposition: Disposition
    """The disposition."""
    steps_old: int
    """Steps in the old version."""
    steps_new: int
    """Steps in the new version."""
    hours_old: float
    """Hours per year in the old version."""
    hours_new: float
    """Hours per year in the new version."""


@dataclass(frozen=True, slots=True)
class ProcessMovement:
    """How the totals of one process moved."""

    hours_old: float
    """Staff hours per year, old version."""
    hours_new: float
    """Staff hours per year, new version."""
    fte_old: float
    """FTE, old version."""
    fte_new: float
    """FTE, new version."""
    freed_old: float
    """Hours the recommendations free, old version."""
    freed_new: float
    """Hours the recommendations free, new version."""
    dispositions: tuple[DispositionMovement, ...]
    """Every disposition present in either version, in the enum's order."""
    steps: tuple[StepMovement, ...]
    """Steps whose disposition or hours changed, added and removed steps (new order, removed last)."""
    estimated: bool
    """True when any figure of either version rests on a profile default."""


@dataclass(frozen=True, slots=True)
class DiffReport:
    """Everything the three formats show."""

    diff: DefinitionsDiff
    """The structural comparison."""
    movements: Mapping[tuple[ProcessId, ProcessId], ProcessMovement]
    """Score movement per (old, new) process pair."""
    old_title: str
    """How the old version is named in the report (file name)."""
    new_title: str
    """How the new version is named."""


def _score(step: StepAssessment) -> StepScore:
    estimated = any(
        step.data_sources.get(key) is EvidenceSource.DEFAULT for key in ("minutes_per_case", "annual_count")
    )
    return StepScore(step.disposition, step.cost.hours_per_year, step.cost.fte, estimated)


def process_movement(
    diff: ProcessDiff, old: ProcessAssessment | None, new: ProcessAssessment | None
) -> ProcessMovement:
    """Compare the assessments of the two versions of one process, step by matched step."""
    old_steps = {s.step_id: s for s in (old.steps if old else ())}
    new_steps = {s.step_id: s for s in (new.steps if new else ())}
    new_to_old = {m.new_id: m.old_id for m in diff.matches}
    rows: list[StepMovement] = []
    seen_old: set[ElementId] = set()
    for step in new_steps.values():
        old_id = new_to_old.get(step.step_id)
        before = old_steps.get(old_id) if old_id is not None else None
        if before is not None:
            seen_old.add(before.step_id)
        now = _score(step)
        was = _score(before) if before is not None else None
        if was is None or was.disposition is not now.disposition or not math.isclose(
            was.hours_per_year, now.hours_per_year, rel_tol=1e-9, abs_tol=1e-6
        ):
            rows.append(StepMovement(step.name, old_id if before else None, step.step_id, was, now))
    for step in old_steps.values():
        if step.step_id not in seen_old:
            rows.append(StepMovement(step.name, step.step_id, None, _score(step), None))
    dispositions = []
    for disposition in Disposition:
        olds = [s for s in old_steps.values() if s.disposition is disposition]
        news = [s for s in new_steps.values() if s.disposition is disposition]
        if olds or news:
            dispositions.append(DispositionMovement(
                disposition, len(olds), len(news),
                sum(s.cost.hours_per_year for s in olds), sum(s.cost.hours_per_year for s in news),
            ))
    estimated = any(_score(s).estimated for s in (*old_steps.values(), *new_steps.values()))
    return ProcessMovement(
        hours_old=old.totals.hours_per_year if old else 0.0,
        hours_new=new.totals.hours_per_year if new else 0.0,
        fte_old=old.totals.fte if old else 0.0,
        fte_new=new.totals.fte if new else 0.0,
        freed_old=old.totals.hours_freed_per_year if old else 0.0,
        freed_new=new.totals.hours_freed_per_year if new else 0.0,
        dispositions=tuple(dispositions),
        steps=tuple(rows),
        estimated=estimated,
    )


def diff_report(
    diff: DefinitionsDiff, old: Assessment, new: Assessment, *, old_title: str = "", new_title: str = ""
) -> DiffReport:
    """The structural diff together with the score movement of every matched process."""
    old_by_id = {p.process_id: p for p in old.processes}
    new_by_id = {p.process_id: p for p in new.processes}
    movements = {
        (p.old_process_id, p.new_process_id): process_movement(
            p, old_by_id.get(p.old_process_id), new_by_id.get(p.new_process_id)
        )
        for p in diff.processes
    }
    return DiffReport(diff, movements, old_title or Path(diff.old_file).name, new_title or Path(diff.new_file).name)


# --------------------------------------------------------------------------- JSON


def _step_change(change: StepChange) -> dict[str, Any]:
    return {
        "change": change.kind.value,
        "old_id": change.old_id,
        "new_id": change.new_id,
        "name": change.name,
        "category": change.category.value,
        "before": change.before,
        "after": change.after,
        "matched_by": change.how.value if change.how else None,
    }


def _flow_change(change: FlowChange) -> dict[str, Any]:
    return {
        "change": change.kind.value,
        "old_id": change.old_id,
        "new_id": change.new_id,
        "route": change.route,
        "before": change.before,
        "after": change.after,
    }


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def _score_json(score: StepScore | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {
        "disposition": score.disposition.value,
        "hours_per_year": _finite(score.hours_per_year),
        "fte": _finite(score.fte),
        "estimated": score.estimated,
    }


def diff_json(report: DiffReport) -> str:
    """The report as a JSON document (``format``/``version`` first; Japanese unescaped)."""
    processes = []
    for process in report.diff.processes:
        movement = report.movements[(process.old_process_id, process.new_process_id)]
        processes.append({
            "old_process_id": process.old_process_id,
            "new_process_id": process.new_process_id,
            "name": process.name,
            "matched": len(process.matches),
            "matched_by": {k.value: sum(1 for m in process.matches if m.how is k) for k in MatchKind},
            "steps": [_step_change(c) for c in process.steps],
            "flows": [_flow_change(c) for c in process.flows],
            "scores": {
                "hours_per_year": {"old": _finite(movement.hours_old), "new": _finite(movement.hours_new)},
                "fte": {"old": _finite(movement.fte_old), "new": _finite(movement.fte_new)},
                "hours_freed_per_year": {"old": _finite(movement.freed_old), "new": _finite(movement.freed_new)},
                "estimated": movement.estimated,
                "dispositions": [
                    {"disposition": d.disposition.value, "steps_old": d.steps_old, "steps_new": d.steps_new,
                     "hours_old": _finite(d.hours_old), "hours_new": _finite(d.hours_new)}
                    for d in movement.dispositions
                ],
                "steps": [
                    {"name": s.name, "old_id": s.old_id, "new_id": s.new_id,
                     "old": _score_json(s.old), "new": _score_json(s.new)}
                    for s in movement.steps
                ],
            },
        })
    document = {
        "format": DIFF_FORMAT,
        "version": _VERSION,
        "old_file": report.diff.old_file,
        "new_file": report.diff.new_file,
        "changed": report.diff.changed,
        "added_processes": list(report.diff.added_processes),
        "removed_processes": list(report.diff.removed_processes),
        "processes": processes,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# --------------------------------------------------------------------------- terminal


def _hours(value: float) -> str:
    return f"{value:,.1f}" if math.isfinite(value) else "—"


def _delta(old: float, new: float, digits: int = 1) -> str:
    change = new - old
    if not math.isfinite(change) or abs(change) < 0.5 * 10 ** (-digits):
        return "±0"
    return f"{change:+,.{digits}f}"


def diff_table(report: DiffReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """Tables for the terminal: (title, header, rows), Japanese with English in the header.

    The CLI prints them with rich; tests read the rows directly.
    """
    tables: list[tuple[str, list[str], list[list[str]]]] = []
    diff = report.diff
    for process_id in diff.added_processes:
        tables.append((f"追加された業務 / added process: {process_id}", [], []))
    for process_id in diff.removed_processes:
        tables.append((f"削除された業務 / removed process: {process_id}", [], []))
    for process in diff.processes:
        rows: list[list[str]] = []
        for change in process.steps:
            label = STEP_LABELS[change.kind]
            how = MATCH_LABELS[change.how].ja if change.how else ""
            rows.append([f"{label.ja} / {label.en}", change.name, change.before, change.after, how])
        for flow in process.flows:
            label = FLOW_LABELS[flow.kind]
            rows.append([f"{label.ja} / {label.en}", flow.route, flow.before, flow.after, ""])
        title = f"{process.name}: {report.old_title} → {report.new_title}"
        if not rows:
            title += "  変更なし / no changes"
        tables.append((title, ["変更 / change", "要素 / element", "変更前 / before", "変更後 / after",
                               "照合 / matched by"], rows))
        movement = report.movements[(process.old_process_id, process.new_process_id)]
        score_rows = [
            ["年間時間 / hours per year", _hours(movement.hours_old), _hours(movement.hours_new),
             _delta(movement.hours_old, movement.hours_new)],
            ["人工 / FTE", f"{movement.fte_old:.2f}", f"{movement.fte_new:.2f}",
             _delta(movement.fte_old, movement.fte_new, 2)],
            ["削減可能時間 / hours freed", _hours(movement.freed_old), _hours(movement.freed_new),
             _delta(movement.freed_old, movement.freed_new)],
        ]
        for item in movement.dispositions:
            label = _disposition_label(item.disposition)
            score_rows.append([f"{label.ja} / {label.en}", f"{item.steps_old} ({_hours(item.hours_old)} h)",
                               f"{item.steps_new} ({_hours(item.hours_new)} h)",
                               _delta(item.steps_old, item.steps_new, 0)])
        note = "  ※既定値（推定）を含む / includes profile defaults (estimates)" if movement.estimated else ""
        tables.append((f"評価の変化 / how the scores moved{note}", ["", "変更前 / before", "変更後 / after", "差 / Δ"],
                       score_rows))
    return tables


def _disposition_label(disposition: Disposition) -> Bilingual:
    style = DISPOSITION_STYLES.get(disposition)
    return Bilingual(style.ja, style.en) if style is not None else Bilingual.same(disposition.value)


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True, slots=True)
class _Picture:
    title: str
    svg: Markup | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class _ProcessView:
    name: str
    counts: tuple[tuple[Bilingual, int], ...]
    changes: tuple[tuple[Bilingual, str, str, str, Bilingual | None, str], ...]
    old_pictures: tuple[_Picture, ...]
    new_pictures: tuple[_Picture, ...]
    totals: tuple[tuple[Bilingual, str, str, str], ...]
    dispositions: tuple[tuple[Bilingual, str, str, str, str], ...]
    steps: tuple[tuple[str, str, str, str, str], ...]
    estimated: bool


def _overlays(ids: tuple[set[ElementId], set[ElementId], set[ElementId]], titles: Mapping[ElementId, str]
              ) -> dict[ElementId, Overlay]:
    marked: dict[ElementId, Overlay] = {}
    for kind, members in zip(("removed", "added", "changed"), ids, strict=True):
        fill, badge = _MARKS[kind]
        for element_id in members:
            marked.setdefault(element_id, Overlay(fill=fill, badge=badge, title=titles.get(element_id, badge),
                                                  css_class=f"diff-{kind}"))
    return marked


def _pictures(definitions: Definitions, process_id: ProcessId, overlays: Mapping[ElementId, Overlay]
              ) -> tuple[_Picture, ...]:
    try:
        drawn = pictures(definitions, overlays=overlays)
    except RenderError as error:
        return (_Picture("", None, str(error)),)
    chosen = [p for p in drawn if process_id in p.process_ids][:1]
    if not chosen:
        return (_Picture("", None, "図を描けません / no diagram"),)
    return tuple(_Picture(p.title, Markup(p.svg)) for p in chosen)  # Markup: our own renderer's SVG


def _titles(process: ProcessDiff) -> tuple[dict[ElementId, str], dict[ElementId, str]]:
    old: dict[ElementId, list[str]] = {}
    new: dict[ElementId, list[str]] = {}
    for change in process.steps:
        label = STEP_LABELS[change.kind]
        text = f"{label.ja} / {label.en}" + (f": {change.before} → {change.after}" if change.old_id and change.new_id
                                              else "")
        if change.old_id:
            old.setdefault(change.old_id, []).append(text)
        if change.new_id:
            new.setdefault(change.new_id, []).append(text)
    for flow in process.flows:
        label = FLOW_LABELS[flow.kind]
        text = f"{label.ja} / {label.en}" + (f": {flow.before} → {flow.after}" if flow.before or flow.after else "")
        if flow.old_id:
            old.setdefault(flow.old_id, []).append(text)
        if flow.new_id:
            new.setdefault(flow.new_id, []).append(text)
    return {k: "\n".join(v) for k, v in old.items()}, {k: "\n".join(v) for k, v in new.items()}


def _process_view(report: DiffReport, process: ProcessDiff, old_def: Definitions, new_def: Definitions
                  ) -> _ProcessView:
    counts = tuple(
        (label, process.count(kind))
        for mapping in (STEP_LABELS, FLOW_LABELS)
        for kind, label in mapping.items()
    )
    changes = tuple(
        (STEP_LABELS[c.kind], c.kind.value, c.name, c.before or "", MATCH_LABELS[c.how] if c.how else None,
         c.after or "")
        for c in process.steps
    ) + tuple(
        (FLOW_LABELS[f.kind], f.kind.value, f.route, f.before, None, f.after) for f in process.flows
    )
    removed, added, changed_old, changed_new = changed_ids(process)
    old_titles, new_titles = _titles(process)
    old_marks = _overlays((removed, set(), changed_old), old_titles)
    new_marks = _overlays((set(), added, changed_new), new_titles)
    movement = report.movements[(process.old_process_id, process.new_process_id)]
    totals = (
        (Bilingual("年間時間", "Hours per year"), _hours(movement.hours_old), _hours(movement.hours_new),
         _delta(movement.hours_old, movement.hours_new)),
        (Bilingual("人工（FTE）", "FTE"), f"{movement.fte_old:.2f}", f"{movement.fte_new:.2f}",
         _delta(movement.fte_old, movement.fte_new, 2)),
        (Bilingual("削減可能時間", "Hours freed"), _hours(movement.freed_old), _hours(movement.freed_new),
         _delta(movement.freed_old, movement.freed_new)),
    )
    dispositions = tuple(
        (_disposition_label(d.disposition), f"{d.steps_old}", f"{d.steps_new}", _hours(d.hours_old),
         _hours(d.hours_new))
        for d in movement.dispositions
    )

    def describe(score: StepScore | None) -> tuple[str, str]:
        if score is None:
            return "—", "—"
        label = _disposition_label(score.disposition)
        return f"{label.ja} / {label.en}", _hours(score.hours_per_year) + (" *" if score.estimated else "")

    steps = tuple((s.name, *describe(s.old), *describe(s.new)) for s in movement.steps)
    return _ProcessView(
        process.name, counts, changes,
        _pictures(old_def, process.old_process_id, old_marks),
        _pictures(new_def, process.new_process_id, new_marks),
        totals, dispositions, steps, movement.estimated,
    )


def diff_html(report: DiffReport, old: Definitions, new: Definitions, *, generated: str) -> str:
    """The self-contained HTML page (one file, inline CSS, no script, no network)."""
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["ja"] = ja_spacing  # the shared macros tighten Japanese text
    views = [_process_view(report, p, old, new) for p in report.diff.processes]
    marks = [(kind, fill, badge) for kind, (fill, badge) in _MARKS.items()]
    return env.get_template("diff.html").render(
        report=report,
        processes=views,
        marks=marks,
        generated=generated,
        added=[_process_label(new, p) for p in report.diff.added_processes],
        removed=[_process_label(old, p) for p in report.diff.removed_processes],
    )


def _process_label(definitions: Definitions, process_id: ProcessId) -> str:
    process = definitions.processes.get(process_id)
    return (process.name or process_id) if process is not None else process_id
