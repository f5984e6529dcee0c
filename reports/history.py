"""View models of a published site's history: the flow page's "last changed" box, the history and changes pages.

Everything here is computed from the ledger (:mod:`reports.versions`) and the
run's site input; the templates (``changes.html``, ``history.html``,
``_flow_history.html``) only print it.  Dates are shown in Japan time (JST,
UTC+9, no daylight saving), which is what a 窓口 manual's readers expect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bpm.diff import StepChangeKind
from reports.diffreport import STEP_LABELS
from reports.i18n import Bilingual
from reports.site import SiteInput
from reports.style import DISPOSITION_STYLES
from reports.versions import FlowRecord, Ledger, ProcessChange, Version, version_folder
from reports.views import Link, PageView, flow_refs
from scoring.result import Disposition

__all__ = ["FlowBadge", "SiteHistory", "jst", "site_history", "summary_lines"]

JST = timezone(timedelta(hours=9), "JST")
_NAV = Bilingual("更新履歴", "Changes")
RECENT = 200
"""Events on the changes page; every version stays listed on its flow's history page."""

_EVENT_LABELS = {
    "added": Bilingual("新規公開", "Published"),
    "changed": Bilingual("変更", "Changed"),
    "removed": Bilingual("廃止", "Removed"),
    "restored": Bilingual("再公開", "Restored"),
}
_PROCESS_LABELS = {
    "added": Bilingual("業務の追加", "Process added"),
    "removed": Bilingual("業務の削除", "Process removed"),
}


def jst(seconds: int) -> str:
    """A time as shown on the pages.

    >>> jst(0)
    '1970-01-01 09:00 JST'
    """
    return datetime.fromtimestamp(seconds, tz=JST).strftime("%Y-%m-%d %H:%M JST")


# --------------------------------------------------------------------------- summaries


def _hours(value: float) -> str:
    return f"{value:,.1f}" if math.isfinite(value) else "—"


def _delta(old: float, new: float, digits: int) -> str:
    change = new - old
    if not math.isfinite(change) or abs(change) < 0.5 * 10 ** (-digits):
        return "±0"
    return f"{change:+,.{digits}f}"


def _disposition(value: str) -> Bilingual:
    try:
        style = DISPOSITION_STYLES[Disposition(value)]
    except (ValueError, KeyError):
        return Bilingual.same(value)
    return Bilingual(style.ja, style.en)


def summary_lines(change: ProcessChange) -> tuple[Bilingual, ...]:
    """The change of one process in a few lines: step counts, hours, FTE, dispositions.

    >>> lines = summary_lines(ProcessChange("p", "p", "受付", "changed", {"added": 1}, 2, 10.0, 12.5, 0.01, 0.02))
    >>> [line.en for line in lines]
    ['Added 1 · flows changed 2', 'Hours per year 10.0 → 12.5 h (+2.5)', 'FTE 0.01 → 0.02 (+0.01)']
    """
    if change.kind in _PROCESS_LABELS:
        label = _PROCESS_LABELS[change.kind]
        return (Bilingual(f"{label.ja}: {change.name}", f"{label.en}: {change.name}"),)
    counts_ja = [f"{STEP_LABELS[k].ja} {n}" for k, n in _step_counts(change)]
    counts_en = [f"{STEP_LABELS[k].en} {n}" for k, n in _step_counts(change)]
    if change.flows:
        counts_ja.append(f"フロー変更 {change.flows}")
        counts_en.append(f"flows changed {change.flows}")
    lines = []
    if counts_ja:
        lines.append(Bilingual(" · ".join(counts_ja), " · ".join(counts_en)))
    elif change.kind == "unchanged":
        lines.append(Bilingual("この業務の手順に変更なし", "No change to this process's steps"))
    hours = f"{_hours(change.hours_old)} → {_hours(change.hours_new)}"
    lines.append(Bilingual(f"年間時間 {hours} 時間（{_delta(change.hours_old, change.hours_new, 1)}）",
                           f"Hours per year {hours} h ({_delta(change.hours_old, change.hours_new, 1)})"))
    fte = f"{change.fte_old:,.2f} → {change.fte_new:,.2f}"
    lines.append(Bilingual(f"人工 {fte}（{_delta(change.fte_old, change.fte_new, 2)}）",
                           f"FTE {fte} ({_delta(change.fte_old, change.fte_new, 2)})"))
    for move in change.dispositions:
        label = _disposition(move.disposition)
        steps = f"{move.steps_old} → {move.steps_new}"
        hours = f"{_hours(move.hours_old)} → {_hours(move.hours_new)}"
        lines.append(Bilingual(f"{label.ja}: {steps} 手順、{hours} 時間", f"{label.en}: {steps} steps, {hours} h"))
    if change.estimated:
        lines.append(Bilingual("※既定値（推定）を含む", "Includes profile defaults (estimates)"))
    return tuple(lines)


def _step_counts(change: ProcessChange) -> list[tuple[StepChangeKind, int]]:
    return [(kind, change.steps[kind.value]) for kind in StepChangeKind if change.steps.get(kind.value)]


# --------------------------------------------------------------------------- views


@dataclass(frozen=True, slots=True)
class FlowBadge:
    """The box at the top of a flow page: when it last changed and what changed."""

    last_changed: str
    """JST date and time of the version that last changed this process."""
    first: bool
    """True when that is the flow's first publication (nothing to compare)."""
    summary: tuple[Bilingual, ...]
    """The change in a few lines."""
    note: str
    """Why the change could not be summarised, if it could not."""
    diff_href: str | None
    """The diff page of that change."""
    history_href: str
    """The flow's history page."""
    version: str
    """Short hash of the version shown."""
    versions: int
    """Number of published versions of the file."""


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version on a flow's history page, newest first."""

    published: str
    """JST."""
    version: str
    """Short hash."""
    label: Bilingual
    """First publication or change."""
    summary: tuple[tuple[str, tuple[Bilingual, ...]], ...]
    """Per process (name, lines)."""
    note: str
    """Why it could not be compared, if so."""
    pages: tuple[Link, ...]
    """Archived process pages of that version."""
    model_href: str
    """The BPMN file of that version."""
    diff_href: str | None
    """Diff from the version before."""
    current: bool
    """The version the live pages show."""


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """``history-<flow>.html``."""

    page: PageView
    key: str
    """The flow's path relative to the scanned folder."""
    removed: str | None
    """JST time it was removed (廃止), if it was."""
    live: tuple[Link, ...]
    """Its live process pages (none when removed)."""
    versions: tuple[VersionRow, ...]


@dataclass(frozen=True, slots=True)
class EventRow:
    """One line of the recent changes."""

    time: str
    """JST."""
    kind: str
    """``added``, ``changed``, ``removed``, ``restored`` (CSS class)."""
    label: Bilingual
    flow: Link
    """The flow's history page, labelled with its key."""
    summary: tuple[tuple[str, tuple[Bilingual, ...]], ...]
    diff_href: str | None


@dataclass(frozen=True, slots=True)
class FlowRow:
    """One flow in the table of every flow ever published."""

    history: Link
    status: Bilingual
    removed: bool
    last: str
    """JST time of its last event."""
    versions: int


@dataclass(frozen=True, slots=True)
class ChangesPage:
    """``changes.html``: recent changes across the site, newest first, and every flow."""

    page: PageView
    events: tuple[EventRow, ...]
    more: int
    """Older events left off (still on the history pages)."""
    flows: tuple[FlowRow, ...]


@dataclass(frozen=True, slots=True)
class SiteHistory:
    """What the site templates get when a site is published with history (``history`` in templates)."""

    badges: Mapping[str, FlowBadge]
    """By live flow page name."""
    pages: tuple[tuple[str, str, object], ...]
    """(template, file name, view) of the extra pages."""
    nav: Bilingual = _NAV

    def flow(self, page: str) -> FlowBadge | None:
        """The badge of a live flow page."""
        return self.badges.get(page)


def history_name(record: FlowRecord) -> str:
    """The history page of a flow."""
    return f"history-{record.flow_id}.html"


def _summary(version: Version) -> tuple[tuple[str, tuple[Bilingual, ...]], ...]:
    if version.changes is None:
        return ()
    return tuple((c.name, summary_lines(c)) for c in version.changes if c.kind != "unchanged")


def _version_row(record: FlowRecord, index: int) -> VersionRow:
    version = record.versions[index]
    folder = version_folder(record.flow_id, version.digest)
    first = index == 0
    return VersionRow(
        jst(version.published), version.digest[:8],
        Bilingual("初版", "First version") if first else Bilingual("変更", "Changed"),
        _summary(version), version.note,
        tuple(Link(f"{folder}/{p.page}", p.name) for p in version.pages),
        f"{folder}/model.bpmn", version.diff,
        index == len(record.versions) - 1 and record.removed is None,
    )


def _badge(record: FlowRecord, process_id: str) -> FlowBadge:
    """Walk back from the current version to the last one that changed this process."""
    pid = process_id
    chosen = len(record.versions) - 1
    change: ProcessChange | None = None
    for index in range(len(record.versions) - 1, -1, -1):
        chosen = index
        version = record.versions[index]
        if index == 0 or version.changes is None:
            break
        change = next((c for c in version.changes if c.process_id == pid and c.kind != "removed"), None)
        if change is None or change.kind in ("added", "changed"):
            break
        pid = change.old_process_id
    version = record.versions[chosen]
    first = chosen == 0
    summary = summary_lines(change) if change is not None and not first else ()
    return FlowBadge(jst(version.published), first, summary, version.note, None if first else version.diff,
                     history_name(record), version.digest[:8], len(record.versions))


def site_history(ledger: Ledger, site_input: SiteInput) -> SiteHistory:
    """Every view of the history, for one run."""
    by_key = {f.key: f for f in ledger.flows}
    refs = flow_refs(site_input.assessment, site_input.file_keys)
    badges: dict[str, FlowBadge] = {}
    live: dict[str, list[Link]] = {}
    for (file, process_id), ref in refs.items():
        record = by_key.get(site_input.file_keys.get(file, file))
        if record is not None:
            badges[ref.file_name] = _badge(record, str(process_id))
            live.setdefault(record.key, []).append(Link(ref.file_name, ref.name))
    pages: list[tuple[str, str, object]] = [("changes.html", "changes.html", _changes_page(ledger))]
    for record in ledger.flows:
        name = history_name(record)
        view = HistoryPage(
            PageView("history", name, Bilingual(f"版の履歴: {record.key}", f"Version history: {record.key}")),
            record.key, None if record.removed is None else jst(record.removed),
            tuple(live.get(record.key, ())) if record.removed is None else (),
            tuple(_version_row(record, i) for i in range(len(record.versions) - 1, -1, -1)),
        )
        pages.append(("history.html", name, view))
    return SiteHistory(badges, tuple(pages))


def _changes_page(ledger: Ledger) -> ChangesPage:
    by_id = {f.flow_id: f for f in ledger.flows}
    rows = []
    ordered = sorted(enumerate(ledger.events), key=lambda item: (-item[1].time, -item[0]))
    for _, event in ordered[:RECENT]:
        record = by_id[event.flow_id]
        same = [v for v in record.versions if v.digest == event.digest]
        version = next((v for v in same if v.published == event.time), same[-1])
        changed = event.kind == "changed"
        rows.append(EventRow(jst(event.time), event.kind, _EVENT_LABELS[event.kind],
                             Link(history_name(record), record.key),
                             _summary(version) if changed else (), version.diff if changed else None))
    flows = []
    for record in ledger.flows:
        times = [e.time for e in ledger.events if e.flow_id == record.flow_id]
        status = _EVENT_LABELS["removed"] if record.removed is not None else Bilingual("公開中", "Published")
        flows.append(FlowRow(Link(history_name(record), record.key), status, record.removed is not None,
                             jst(max(times)) if times else jst(record.versions[-1].published), len(record.versions)))
    return ChangesPage(PageView("changes", "changes.html", Bilingual("更新履歴", "Recent changes")),
                       tuple(rows), max(0, len(ordered) - RECENT), tuple(flows))
