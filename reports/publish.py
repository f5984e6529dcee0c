"""``bpm scan --publish SITE``: a report site that keeps every earlier version of each flow.

A manual editor publishes the counter flows every month.  Each run compares
every flow (one BPMN file, named by its path relative to the scanned folder)
with the version published last:

* a file whose bytes are new becomes a new version: its BPMN file, its process
  pages and their diagrams are stored under ``versions/<flow>/<hash>/``, and a
  diff page (:mod:`bpm.diff` + :mod:`reports.diffreport`, both versions scored
  with this run's survey and profile) goes next to them;
* a file that left the input stays in the history as 廃止 (removed);
* the same bytes again are no new version.

The ledger (:mod:`reports.versions`) records all of it; the site gains a
"recent changes" page, a history page per flow, and on each flow page when it
last changed with a summary linked to the diff.  Writing goes through
:mod:`reports.outdir` (lock, staging folder, atomic swap, user files kept);
earlier versions are carried into the new site as hard links, never read into
memory or rewritten.  A run whose inputs are the same as the last run's
reuses that run's build time, so it produces the same bytes and leaves the
folder untouched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from bpm.diff import ProcessDiff, StepChangeKind, diff_definitions
from bpm.errors import BpmError, RenderError, say
from bpm.model import Definitions
from bpm.reader import read_bpmn_bytes
from reports import csp
from reports.diffreport import DiffReport, diff_html, diff_report
from reports.downloads import ModelSource
from reports.history import SiteHistory, jst, site_history
from reports.outdir import MARKER, FolderLock, check_out_dir, lock_folder, publish_files, recover
from reports.site import SiteInput, build_time, site_files
from reports.versions import (
    LEDGER,
    DispositionMove,
    Event,
    FlowRecord,
    Ledger,
    PageRecord,
    ProcessChange,
    Version,
    diff_path,
    flow_id_for,
    ledger_bytes,
    parse_ledger,
    version_folder,
)
from reports.views import flow_refs
from scoring.result import Assessment

__all__ = ["PublishResult", "Scorer", "plan_versions", "publish_site", "refuse_history_overwrite"]

Progress = Callable[[str], None]
Scorer = Callable[[Definitions], Assessment]
"""Scores one version of a file alone, with the run's survey, profile and case counts."""


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What a publish run did."""

    written: tuple[str, ...]
    """Every file of the site that is bpm's (relative POSIX names), including earlier versions."""
    new_versions: tuple[str, ...]
    """Keys of the flows that got a new version (first publication included)."""
    removed: tuple[str, ...]
    """Keys of the flows this run marked 廃止."""
    unchanged: bool
    """True when the folder already held exactly this site (nothing was written)."""


@dataclass
class _Plan:
    """The new ledger and the files this run adds to the history (diff pages)."""

    ledger: Ledger
    files: dict[str, bytes] = field(default_factory=dict)
    new_versions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- planning


def plan_versions(
    old: Ledger,
    models: Sequence[ModelSource],
    read_old: Callable[[str], bytes | None],
    score: Scorer,
    now: int,
    notice: Progress,
) -> _Plan:
    """The ledger after this run, with the diff pages of every changed flow.

    ``read_old`` gives the bytes of an earlier site file (``None`` when it is
    gone); ``now`` is this run's time (Unix seconds).
    """
    plan = _Plan(old)
    flows = {f.key: f for f in old.flows}
    events = list(old.events)
    current = {m.key for m in models}
    for model in sorted(models, key=lambda m: m.key):
        digest = hashlib.sha256(model.data).hexdigest()
        record = flows.get(model.key)
        if record is None:
            flow_id = flow_id_for(model.key, [f.flow_id for f in flows.values()])
            flows[model.key] = FlowRecord(model.key, flow_id, (Version(digest, now),))
            events.append(Event(now, flow_id, "added", digest))
            plan.new_versions.append(model.key)
        elif record.versions[-1].digest == digest:
            if record.removed is not None:
                flows[model.key] = replace(record, removed=None)
                events.append(Event(now, record.flow_id, "restored", digest))
        else:
            previous = record.versions[-1]
            version = _compare(record, previous, model, digest, now, read_old, score, plan.files, notice)
            flows[model.key] = replace(record, versions=(*record.versions, version), removed=None)
            events.append(Event(now, record.flow_id, "changed", digest))
            plan.new_versions.append(model.key)
    for key, record in sorted(flows.items()):
        if key not in current and record.removed is None:
            flows[key] = replace(record, removed=now)
            events.append(Event(now, record.flow_id, "removed", record.versions[-1].digest))
            plan.removed.append(key)
    plan.ledger = replace(old, flows=tuple(flows[k] for k in sorted(flows)), events=tuple(events))
    return plan


def _compare(
    record: FlowRecord,
    previous: Version,
    model: ModelSource,
    digest: str,
    now: int,
    read_old: Callable[[str], bytes | None],
    score: Scorer,
    files: dict[str, bytes],
    notice: Progress,
) -> Version:
    """The new version of a flow, compared with the previous one (a note instead when that cannot be done)."""
    old_bytes = read_old(f"{version_folder(record.flow_id, previous.digest)}/model.bpmn")
    if old_bytes is None or hashlib.sha256(old_bytes).hexdigest() != previous.digest:
        notice(say("publish.no_comparison", key=model.key, reason=say("publish.previous_missing")).render())
        # The ledger keeps the note as data, in English (it outlives the run and its language).
        return Version(digest, now, note=say("publish.previous_missing").render("en"))
    try:
        before = read_bpmn_bytes(old_bytes, model.key)
        after = read_bpmn_bytes(model.data, model.key)
        comparison = diff_definitions(before, after)
        report = diff_report(comparison, score(before), score(after),
                             old_title=f"{model.key} ({jst(previous.published)}, {previous.digest[:8]})",
                             new_title=f"{model.key} ({jst(now)}, {digest[:8]})")
        page = diff_html(report, before, after, generated=jst(now))
    except BpmError as error:
        notice(say("publish.no_comparison", key=model.key, reason=error.message).render())
        return Version(digest, now, note=error.message)
    path = diff_path(record.flow_id, previous.digest, digest)
    files[path] = _site_page(page, back=f"../../history-{record.flow_id}.html")
    changes = tuple(_process_change(report, p) for p in comparison.processes)
    changes += tuple(ProcessChange(str(pid), "", _name(after, str(pid)), "added")
                     for pid in comparison.added_processes)
    changes += tuple(ProcessChange(str(pid), str(pid), _name(before, str(pid)), "removed")
                     for pid in comparison.removed_processes)
    return Version(digest, now, diff=path, changes=changes)


def _name(definitions: Definitions, process_id: str) -> str:
    process = next((p for pid, p in definitions.processes.items() if pid == process_id), None)
    return (process.name or process_id) if process is not None else process_id


def _process_change(report: DiffReport, process: ProcessDiff) -> ProcessChange:
    """One process's summary: step counts from :mod:`bpm.diff`, figures from :mod:`reports.diffreport`."""
    movement = report.movements[(process.old_process_id, process.new_process_id)]
    steps = {kind.value: process.count(kind) for kind in StepChangeKind if process.count(kind)}
    moves = tuple(
        DispositionMove(d.disposition.value, d.steps_old, d.steps_new, d.hours_old, d.hours_new)
        for d in movement.dispositions
        if d.steps_old != d.steps_new or abs(d.hours_old - d.hours_new) > 1e-6
    )
    return ProcessChange(
        str(process.new_process_id), str(process.old_process_id), process.name,
        "changed" if process.changed or moves else "unchanged",
        steps, len(process.flows), movement.hours_old, movement.hours_new, movement.fte_old, movement.fte_new,
        moves, movement.estimated,
    )


# --------------------------------------------------------------------------- pages


_FOREIGN_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')


def _site_page(page: str, *, back: str) -> bytes:
    """A standalone page (the diff) under the site's CSP, with a link back to the flow's history."""
    page, count = _FOREIGN_CSP.subn(f'<meta http-equiv="Content-Security-Policy" content="{csp.PLACEHOLDER}">',
                                    page, count=1)
    if count != 1:
        raise RenderError(say("publish.no_csp"))
    link = (f'<p class="files"><a href="{back}">← 版の履歴 <span class="en">version history</span></a> · '
            '<a href="../../changes.html">更新履歴 <span class="en">recent changes</span></a></p>\n')
    page = page.replace("<header>\n", "<header>\n" + link, 1)
    return csp.apply_policy(page).encode("utf-8")


_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|xlink:href)=")([^"]*)(")')
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


def _archived_page(page: bytes, own: str, archived: set[str], banner: str) -> bytes:
    """A flow page as stored in its version folder (three levels down): links reach the live site.

    Links to the page itself and to the diagrams stored with it stay inside
    the version folder; every other relative link gets ``../../../``.  Only
    attributes inside tags are touched: user text is escaped (``<`` and
    ``"`` never appear raw), so it can neither open a tag nor end a value.
    """
    text = page.decode("utf-8")

    def relink(match: re.Match[str]) -> str:
        url = match.group(2)
        if _ABSOLUTE.match(url) or url.split("#", 1)[0] in archived or url.startswith(f"{own}#") or url == own:
            return match.group(0)
        return f"{match.group(1)}../../../{url}{match.group(3)}"

    text = _TAG.sub(lambda tag: _URL_ATTRIBUTE.sub(relink, tag.group(0)), text)
    text = text.replace('<main id="main">', f'<main id="main">\n{banner}', 1)
    return text.encode("utf-8")


def _banner(record: FlowRecord, version: Version) -> str:
    """The notice on an archived page (no inline style: the page's CSP stays valid)."""
    return (
        f'<p class="notice archived-version"><span lang="ja">{jst(version.published)} に公開した版の控えです'
        f'（版 {version.digest[:8]}）。</span><span lang="en">Copy of the version published {jst(version.published)} '
        f'(version {version.digest[:8]}).</span> <a href="../../../history-{record.flow_id}.html">'
        '<span lang="ja">最新の版と履歴</span><span lang="en">Latest version and history</span></a></p>'
    )


def _with_pages(plan: _Plan, site_input: SiteInput) -> None:
    """Record in each new version which process pages it has (the live pages' names)."""
    refs = flow_refs(site_input.assessment, site_input.file_keys)
    pages_by_key: dict[str, list[PageRecord]] = {}
    for (file, process_id), ref in refs.items():
        key = site_input.file_keys.get(file, file)
        pages_by_key.setdefault(key, []).append(PageRecord(str(process_id), ref.name, ref.file_name))
    flows = []
    for record in plan.ledger.flows:
        if record.key in plan.new_versions:
            version = replace(record.versions[-1], pages=tuple(pages_by_key.get(record.key, ())))
            record = replace(record, versions=(*record.versions[:-1], version))
        flows.append(record)
    plan.ledger = replace(plan.ledger, flows=tuple(flows))


class _Archive:
    """The files of every new version, made as the live site streams past: its BPMN bytes, its process pages
    and their diagrams (a page's diagrams follow it in the stream, so nothing but the ids waits in memory)."""

    def __init__(self, plan: _Plan, models: Sequence[ModelSource], existing: Callable[[str], bool]) -> None:
        data = {m.key: m.data for m in models}
        self.models: dict[str, bytes] = {}
        """``<folder>/model.bpmn`` → the file's bytes, for each version stored now."""
        self.pages: dict[str, list[tuple[str, str]]] = {}
        """Live page name → (version folder, banner) of each version storing a copy of it."""
        self.wanted: dict[str, list[str]] = {}
        """Live diagram name → the version folders whose stored pages link to it."""
        for record in plan.ledger.flows:
            if record.key not in plan.new_versions:
                continue
            version = record.versions[-1]
            folder = version_folder(record.flow_id, version.digest)
            if existing(f"{folder}/model.bpmn"):
                continue  # back to an earlier state: those bytes (and pages) are stored already
            self.models[f"{folder}/model.bpmn"] = data[record.key]
            for page in version.pages:
                self.pages.setdefault(page.page, []).append((folder, _banner(record, version)))

    @property
    def folders(self) -> set[str]:
        """The version folders this run writes (whole)."""
        return {name.rsplit("/", 1)[0] for name in self.models}

    def copies(self, name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
        """The stored copies of one live file, if a new version holds it.

        A page links only to the diagram files the site writes (a sheet that
        could not be printed makes the page be rendered again without its
        link, and that later copy wins), so every diagram a page links to is
        stored with it."""
        for folder, banner in self.pages.get(name, ()):
            pictures = set(re.findall(r'href="(diagrams/[^"#]+)"', data.decode("utf-8")))
            for picture in pictures:
                folders = self.wanted.setdefault(picture, [])
                if folder not in folders:
                    folders.append(folder)
            yield f"{folder}/{name}", _archived_page(data, name, pictures, banner)
        for folder in self.wanted.get(name, ()):
            yield f"{folder}/{name}", data


class _SameAsOnDisk:
    """Whether every file written so far has the bytes the current site has: a run that changes nothing then
    leaves the folder untouched (the staging copy is dropped instead of swapped in)."""

    def __init__(self, read_old: Callable[[str], bytes | None], old_manifest: set[str]) -> None:
        self.read_old = read_old
        self.old_manifest = old_manifest
        self.same = bool(old_manifest)
        self.untouched = False
        """Set by :meth:`unchanged`: the current site was this one, so nothing was swapped in."""

    def check(self, name: str, data: bytes) -> None:
        if self.same and self.read_old(name) != data:
            self.same = False

    def unchanged(self, names: Collection[str], marker: bytes) -> bool:
        """Called by :func:`reports.outdir.publish_files` with every name of the new site and its marker."""
        self.untouched = self.same and {*names, MARKER} == self.old_manifest and self.read_old(MARKER) == marker
        return self.untouched


# --------------------------------------------------------------------------- the run


_TIMESTAMPED = ("downloads/results.xlsx", "downloads/results-en.xlsx")
"""Files that record when they were saved (openpyxl stamps the workbook and its zip entries)."""


def _tool_version() -> str:
    try:
        return version("bpm-rpa-scanner")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "unknown"


def fingerprint(site_input: SiteInput, models: Sequence[ModelSource], title: str | None) -> str:
    """What decides the site's bytes besides the time: the same value twice means the same site."""
    digest = hashlib.sha256()
    for part in (
        _tool_version(), title or "",
        *(f"{m.key}\0{hashlib.sha256(m.data).hexdigest()}" for m in sorted(models, key=lambda m: m.key)),
        *(f"{name}\0{hashlib.sha256(data).hexdigest()}" for name, data in sorted(site_input.downloads.items())
          if not name.endswith(".xlsx")),  # the workbook carries its own timestamps; the CSV holds the same cells
        *(str(f) for f in site_input.findings),
    ):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def _reader(out_dir: Path, manifest: set[str]) -> Callable[[str], bytes | None]:
    def read(name: str) -> bytes | None:
        if name not in manifest:
            return None
        try:
            return out_dir.joinpath(*PurePosixPath(name).parts).read_bytes()
        except OSError:
            return None
    return read


def _old_manifest(out_dir: Path) -> set[str]:
    """The files an earlier site lists as bpm's (empty when there is none)."""
    import json

    try:
        files = json.loads((out_dir / MARKER).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {name for name in files if isinstance(name, str)} if isinstance(files, list) else set()


def refuse_history_overwrite(out_dir: Path) -> None:
    """``scan --out`` into a published site would drop its history with the rest: refuse, naming the way."""
    if LEDGER in _old_manifest(out_dir):
        raise RenderError(
            say("publish.has_history", out=out_dir),
            file=str(out_dir),
            hint=say("publish.has_history_hint", out=out_dir),
        )


def _read_ledger(out_dir: Path, manifest: set[str]) -> Ledger:
    if LEDGER not in manifest:
        return Ledger()
    path = out_dir / LEDGER
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RenderError(say("publish.unreadable_history", reason=error.strerror or error), file=str(path),
                          hint=say("publish.restore_hint")) from None
    return parse_ledger(data, str(path))


def _history_files(ledger: Ledger) -> set[str]:
    """Every file the ledger says the site holds for earlier versions."""
    names: set[str] = {LEDGER}
    for flow in ledger.flows:
        for v in flow.versions:
            folder = version_folder(flow.flow_id, v.digest)
            names.add(f"{folder}/model.bpmn")
            if v.diff:
                names.add(v.diff)
    return names


def _version_files(old_manifest: set[str], ledger: Ledger) -> set[str]:
    """Files of the earlier site to carry over: everything under a flow's version folder."""
    folders = tuple(f"versions/{f.flow_id}/" for f in ledger.flows)
    return {name for name in old_manifest if name.startswith(folders) and name != LEDGER}


def publish_site(
    site_input: SiteInput,
    models: Sequence[ModelSource],
    out_dir: Path,
    *,
    score: Scorer,
    title: str | None = None,
    progress: Progress | None = None,
    notice: Progress | None = None,
    lock: FolderLock | None = None,
    environ: Mapping[str, str] | None = None,
    jobs: int = 1,
) -> PublishResult:
    """Publish the site at ``out_dir`` and keep its history; the rules are in the module docstring.

    ``jobs`` processes draw and render the flow pages (:mod:`bpm.pool`); the
    site is the same bytes for any number."""
    out_dir = check_out_dir(out_dir)
    report = progress or (lambda _message: None)
    tell = notice or report
    missing = sorted(set(site_input.file_keys.values()) - {m.key for m in models})
    if missing:
        raise RenderError(say("publish.unread", name=missing[0]), file=missing[0], hint=say("publish.unread_hint"))
    with lock_folder(out_dir) if lock is None else nullcontext(lock):
        recover(out_dir, report)
        old_manifest = _old_manifest(out_dir)
        old = _read_ledger(out_dir, old_manifest)
        read_old = _reader(out_dir, old_manifest)
        now = int(build_time(environ).timestamp())
        plan = plan_versions(old, models, read_old, score, now, tell)
        inputs = fingerprint(site_input, models, title)
        changed = bool(plan.new_versions or plan.removed or plan.ledger.events != old.events)
        generated = old.generated if (inputs == old.inputs and not changed and old.generated is not None) else now
        plan.ledger = replace(plan.ledger, generated=generated, inputs=inputs)
        _with_pages(plan, site_input)
        history = site_history(plan.ledger, site_input)
        report(say("publish.versions", new=len(plan.new_versions), removed=len(plan.removed)).render())
        archive = _Archive(plan, models, lambda n: n in old_manifest)
        written = archive.folders
        keep = {name for name in _version_files(old_manifest, plan.ledger) - set(plan.files)
                if name.rsplit("/", 1)[0] not in written}
        if inputs == old.inputs:  # same inputs, same cells: keep the copy whose only difference is its save time
            for name in _TIMESTAMPED:
                if (name.removeprefix("downloads/") in site_input.downloads and name in old_manifest
                        and read_old(name) is not None):
                    keep.add(name)
        same = _SameAsOnDisk(read_old, old_manifest)
        files = _stream(_render(site_input, history, generated, title, report, tell, jobs), archive, plan, keep, same)
        names = publish_files(files, out_dir, report, keep=keep, unchanged=same.unchanged)
        for name in sorted(_history_files(plan.ledger) - set(names)):
            tell(say("publish.missing_history_file", name=name).render())
        if same.untouched:
            report(say("publish.unchanged").render())
            return PublishResult(tuple(sorted(old_manifest)), (), (), True)
    return PublishResult(tuple(names), tuple(plan.new_versions), tuple(plan.removed), False)


def _stream(
    site: Iterator[tuple[str, bytes]], archive: _Archive, plan: _Plan, keep: Collection[str], same: _SameAsOnDisk,
) -> Iterator[tuple[str, bytes]]:
    """The live site as it is rendered, each new version's copies right after the live file they copy, then the
    diff pages, the stored models and the ledger; files that are kept are not written again."""
    def checked(name: str, data: bytes) -> tuple[str, bytes]:
        same.check(name, data)
        return name, data

    for name, data in site:
        if name in keep:
            continue
        yield checked(name, data)
        for copy in archive.copies(name, data):
            yield checked(*copy)
    for name, data in [*plan.files.items(), *archive.models.items(), (LEDGER, ledger_bytes(plan.ledger))]:
        yield checked(name, data)


def _render(
    site_input: SiteInput, history: SiteHistory, generated: int, title: str | None, report: Progress, tell: Progress,
    jobs: int,
) -> Iterator[tuple[str, bytes]]:
    """The live site with its history pages, file by file, built at the run's (or the unchanged last run's)
    time."""
    environ = {"SOURCE_DATE_EPOCH": str(generated)}
    return site_files(site_input, title=title, progress=report, notice=tell, environ=environ, history=history,
                      jobs=jobs)
