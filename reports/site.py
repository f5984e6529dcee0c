"""The static report site: render it page by page into a staging folder, then swap it in.

A reform team opens ``index.html`` from a USB stick or a file share, so the
site is self-contained (copied CSS/JS, inline SVG, no network) and works from
``file://``.  Pages and diagrams are written one by one, as they are
rendered, into a fresh temporary directory next to ``out_dir`` that is
exchanged with the old site in one step: first every HTML page with its SVG
diagrams, the stylesheets and the downloads, then the PNG and PDF sheets,
printed in parallel (the slowest part, kept off the pages' way).  A
failure therefore never leaves half a site, a directory that is not a
previous site (no ``.bpm-site`` marker) is never touched, and files the user
added to an earlier site are kept (:mod:`reports.outdir` has the rules).

Output is reproducible: the build time comes from ``SOURCE_DATE_EPOCH`` when
set and every list has a fixed order, so the same input gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import os
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bpm.collector import collector_paused
from bpm.errors import RenderError, say
from bpm.lint import RULES
from bpm.model import Definitions, ProcessId
from bpm.pool import ordered_results
from reports import candidate_rows, csp, dot, flow_rows, markup, paper, sheets, zoom
from reports.format import ja_spacing, jst_time
from reports.i18n import LANGS, Bilingual, t
from reports.lotspec import outline_markdown, outline_xlsx
from reports.money_views import (
    calibration_page,
    lot_download_names,
    lot_file_name,
    lot_page,
    money_page,
    two_effects,
)
from reports.outdir import (
    MARKER,
    FileCopy,
    FolderLock,
    SiteData,
    check_out_dir,
    lock_folder,
    marker_bytes,
    publish_files,
    recover,
)
from reports.pictures import Picture, PictureFormat, pictures, shortened_names
from reports.pictures_cache import PictureCache, cached_picture_bytes
from reports.sources_view import CitedSource, sources_page
from reports.style import DISPOSITION_STYLES, FINDING_CHIPS, FINDING_COLOURS
from reports.views import (
    Catalogue,
    DiagramView,
    FileOverlays,
    FindingLike,
    IndexPage,
    PageView,
    SourcesPageView,
    assumptions_page,
    candidates_page,
    capacity_page,
    diagram_overlays,
    flow_page,
    index_page,
    site_view,
)
from scoring.decisions import Reviews
from scoring.result import Assessment, ProcessAssessment

__all__ = ["MARKER", "FolderLock", "SiteInput", "build_site", "build_time", "lock_folder", "render_site"]

_HERE = Path(__file__).resolve().parent
_STATIC_FILES = ("site.css", "site.js")

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class SiteInput:
    """Everything the site shows, computed by the caller."""

    definitions: tuple[Definitions, ...]
    """One per BPMN file, in input order."""
    findings: tuple[FindingLike, ...]
    """Lint findings of all files."""
    assessment: Assessment
    """Scores, dispositions and costs."""
    downloads: Mapping[str, bytes] = field(default_factory=dict)
    """Export files (relative name → content), written under ``downloads/``."""
    reviews: Reviews | None = None
    """Review decisions read back from a decisions sheet (``--decisions``), if any."""
    download_labels: Mapping[str, str] = field(default_factory=dict)
    """Shown after a download's name on the overview (e.g. the model's own path), by relative name."""
    survey_sources: tuple[CitedSource, ...] = ()
    """The survey workbook's 出典 sheet (:func:`reports.sources_view.read_source_sheet`), listed on the 出典 page."""
    survey_file: str = ""
    """Name of the survey workbook those came from."""
    file_keys: Mapping[str, str] = field(default_factory=dict)
    """Each BPMN file's path relative to the scanned folder (by ``Definitions.file``): page and diagram
    names hash it, so they do not change with the folder the scan is run from."""
    file_dates: Mapping[str, datetime] = field(default_factory=dict)
    """Each BPMN file's version date (its modification time, by ``Definitions.file``), printed in the title
    block of the PNG and PDF sheets; the build time when missing."""


class SiteExtras(Protocol):
    """More pages for the site (a published site's history pages), rendered like the others."""

    @property
    def pages(self) -> tuple[tuple[str, str, object], ...]:
        """(template, file name, view) of each extra page."""


# --------------------------------------------------------------------------- time


def build_time(environ: Mapping[str, str] | None = None) -> datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now; always UTC.

    >>> build_time({"SOURCE_DATE_EPOCH": "0"}).isoformat()
    '1970-01-01T00:00:00+00:00'
    """
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return datetime.fromtimestamp(int(raw), tz=UTC)
        except (ValueError, OverflowError, OSError) as error:
            raise RenderError(
                say("site.bad_epoch", value=repr(raw)),
                hint=say("site.bad_epoch_hint"),
            ) from error
    return datetime.now(tz=UTC).replace(microsecond=0)


# --------------------------------------------------------------------------- rendering


def rule_titles() -> dict[str, Bilingual]:
    """Lint rule summaries by rule id, shown next to the ids."""
    return {rule.id: Bilingual(rule.summary_ja, rule.summary_en) for rule in RULES}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["t"] = t
    env.globals["langs"] = LANGS
    env.filters["ja"] = ja_spacing  # Japanese text: no half-width space around numbers
    env.filters["diagram_scale"] = zoom.diagram_scale
    env.globals["step_rows"] = flow_rows.step_rows
    env.globals["candidate_rows"] = candidate_rows.candidate_rows
    env.globals["capacity_rows"] = candidate_rows.capacity_rows
    return markup.install(env)  # tr, bi, num…: the bilingual pieces every template calls


def _static(name: str) -> bytes:
    return (_HERE / "static" / name).read_bytes()


def _disposition_css() -> bytes:
    """Disposition colours from :mod:`reports.style`, so the site and diagrams always agree."""
    lines = ["/* Generated from reports/style.py: disposition and finding colours. */"]
    for disposition, style in DISPOSITION_STYLES.items():
        lines.append(
            f".{style.css_class} {{ --disp-strong: {style.strong}; --disp-fill: {style.fill}; }}"
            f"  /* {disposition.value} */"
        )
    for severity, colour in FINDING_COLOURS.items():
        chip = FINDING_CHIPS[severity]
        lines.append(f".sev-{severity} {{ --sev: {colour}; --sev-chip: {chip.background}; --sev-ink: {chip.text}; }}")
    return ("\n".join(lines) + "\n").encode("utf-8")


_PICTURE_FORMATS: tuple[tuple[str, PictureFormat], ...] = (("SVG", "svg"), ("PNG", "png"), ("PDF", "pdf"))
_SHEET = sheets.SheetLayout("A4", "landscape", legend=True)
"""The paper of the site's PNG and PDF copies: what a manual page is."""


@dataclass(frozen=True, slots=True)
class _SheetJob:
    """One picture's PNG and PDF sheets, printed after every HTML page (off the report's critical path).

    It carries only what printing needs: the picture's SVG (zlib-compressed, so
    a thousand flows' jobs waiting for their turn stay small) and its title
    block.  ``group`` is the index of the file whose pages link to the sheets.
    """

    group: int
    name: str
    title: str
    layout: Literal["di", "graphviz"]
    svg: bytes
    """``zlib`` of the picture's SVG text."""
    block: paper.TitleBlock
    occupied: tuple[tuple[float, float, float, float], ...] = ()
    """The steps' boxes (:func:`reports.sheets.step_extents`): a cut PDF goes between them, as ``bpm render``
    cuts it and as the flow page's note says (the job's picture has no model to find them in)."""

    def picture(self) -> Picture:
        """The picture as the sheet printer sees it (its SVG is all a sheet uses)."""
        return Picture(self.name, self.title, self.layout, zlib.decompress(self.svg).decode("utf-8"), ())


@dataclass
class _Drawings:
    """The pictures of every file, drawn once, and the SVG copies they give; PNG and PDF are sheet jobs.

    The flow pages link to the PNG and PDF sheets before they are printed
    (:func:`_print_sheets` prints them once every page is done).  A copy that
    cannot be made (cairo refuses, Graphviz fails) costs only that copy: the
    pages that link to it are rendered again from ``unprinted`` saying so, the
    notice goes to ``notice`` (stderr), and the scan goes on.
    """

    overlays: Mapping[str, FileOverlays]
    """Per BPMN file: element ids are unique only inside one file."""
    created: datetime
    report: Progress
    notice: Progress
    file_keys: Mapping[str, str]
    cache: PictureCache | None = None
    """PNG and PDF copies printed before (:mod:`reports.pictures_cache`)."""
    file_dates: Mapping[str, datetime] = field(default_factory=dict)
    """Version dates for the title blocks (:attr:`SiteInput.file_dates`)."""
    unprinted: Mapping[str, RenderError] = field(default_factory=dict)
    """Sheets found not printable by :func:`_print_sheets` (site path → why), for pages rendered again."""
    group: int = 0
    by_file: dict[str, tuple[list[Picture], dict[ProcessId, RenderError]]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    failed: dict[str, RenderError] = field(default_factory=dict)
    sheets: dict[str, _SheetJob] = field(default_factory=dict)
    """Sheets to print after the pages, by picture name."""

    def view(self, definitions: Definitions | None, process_id: ProcessId) -> DiagramView:
        """The picture that shows this process: the modeler's diagram, or a Graphviz layout."""
        if definitions is None:
            return DiagramView(None, "none", Bilingual.of("diagram.no_file"))
        drawn, failed = self._draw(definitions)
        picture = next((p for p in drawn if process_id in p.process_ids), None)
        if picture is None:
            error = failed.get(process_id)
            if error is not None and not dot.dot_available():
                return DiagramView(None, "none", Bilingual.of("diagram.no_dot"))
            return DiagramView(None, "none", Bilingual.of("diagram.failed"), str(error) if error else "")
        printed = [(label, self._print(picture, fmt)) for label, fmt in _PICTURE_FORMATS]
        files = tuple((label, name) for label, name in printed if name is not None)
        notes = self._notes(picture, [label for label, name in printed if name is None])
        if picture.layout == "graphviz":  # Markup: graphviz output of escaped labels
            return DiagramView(Markup(picture.svg), "graphviz", Bilingual.of("diagram.auto_layout"),
                               files=files, notes=notes)
        return DiagramView(Markup(picture.svg), "di", None, files=files, notes=notes)  # Markup: our own SVG

    def _notes(self, picture: Picture, missing: list[str]) -> tuple[Bilingual, ...]:
        notes = []
        shortened = shortened_names(picture)
        if shortened:
            notes.append(Bilingual.of("diagram.shortened", n=shortened))
        if len(missing) < 2:
            notes.extend(_small_print_notes(picture))
        if missing:
            reasons = "; ".join(
                self.failed[f"diagrams/{picture.name}.{label.lower()}"].message for label in missing
            )
            notes.append(Bilingual.of("diagram.print_failed", formats="/".join(missing), reason=reasons))
        return tuple(notes)

    def _draw(self, definitions: Definitions) -> tuple[list[Picture], dict[ProcessId, RenderError]]:
        if definitions.file not in self.by_file:
            failed: dict[ProcessId, RenderError] = {}
            drawn = pictures(
                definitions,
                overlays=self.overlays.get(definitions.file, FileOverlays({}, {})),
                on_layout_error=failed.__setitem__,
                key=self.file_keys.get(definitions.file),
            )
            self.by_file[definitions.file] = (drawn, failed)
        return self.by_file[definitions.file]

    def _print(self, picture: Picture, fmt: PictureFormat) -> str | None:
        """The copy's site path, or None when it could not be made (remembered, said once).

        SVG is made here; PNG and PDF are left to :func:`_print_sheets`, and
        the page links to them unless that already found them unprintable.
        """
        name = f"diagrams/{picture.name}.{fmt}"
        if fmt != "svg":
            if name in self.unprinted:
                self.failed[name] = self.unprinted[name]
                return None
            if picture.name not in self.sheets:
                self.sheets[picture.name] = self._sheet_job(picture)
            return name
        if name not in self.files and name not in self.failed:
            try:
                self.files[name] = cached_picture_bytes(picture, fmt, created=self.created, cache=self.cache)
            except RenderError as error:
                self.failed[name] = error
                self.notice(say("progress.no_copy", title=picture.title, format=fmt.upper(),
                                reason=error.said).render())
        return name if name in self.files else None

    def _sheet_job(self, picture: Picture) -> _SheetJob:
        """PNG and PDF are an A4 landscape sheet with the title block, like ``bpm render``."""
        file = picture.definitions.file if picture.definitions is not None else ""
        # Never later than the site's build time: SOURCE_DATE_EPOCH clamps it as reproducible builds do, and a
        # published site re-rendered from unchanged inputs keeps its earlier build time, so its sheets too.
        version_date = min(self.file_dates.get(file, self.created), self.created)
        block = sheets.sheet_block(picture, version_date=version_date,
                                   source=self.file_keys.get(file, ""), legend=True)
        return _SheetJob(self.group, picture.name, picture.title, picture.layout,
                         zlib.compress(picture.svg.encode("utf-8"), 1), block, tuple(sheets.step_extents(picture)))


def render_site(
    site_input: SiteInput,
    *,
    title: str | None = None,
    progress: Progress | None = None,
    notice: Progress | None = None,
    environ: Mapping[str, str] | None = None,
    jobs: int = 1,
    history: SiteExtras | None = None,
) -> dict[str, bytes]:
    """Every file of the site (relative POSIX path → bytes), computed in memory.

    Nothing is written; :func:`build_site` does that (page by page, never
    holding the whole site).  Useful for tests and for callers that package
    the site differently.  ``notice`` hears about what the site had to leave
    out (e.g. a PNG cairo could not draw); default: ``progress``.  ``jobs``
    processes draw and render the flow pages (:mod:`bpm.pool`); the result
    is the same for any number.  ``history`` (a published site's versions, see
    :mod:`reports.publish`) is given to every template and adds its pages.
    """
    out = dict(site_files(site_input, title=title, progress=progress, notice=notice, environ=environ, jobs=jobs,
                          history=history))
    out[MARKER] = marker_bytes(list(out))
    return dict(sorted(out.items()))


def site_files(
    site_input: SiteInput,
    *,
    title: str | None = None,
    progress: Progress | None = None,
    notice: Progress | None = None,
    environ: Mapping[str, str] | None = None,
    jobs: int = 1,
    history: SiteExtras | None = None,
) -> Iterator[tuple[str, bytes]]:
    """The site's files one by one (relative POSIX path, bytes), all but the marker; see :func:`render_site`.

    A page is handed on as soon as it is rendered, so a portfolio of a
    thousand flows never sits in memory as a whole: only the portfolio's
    tables (the assessment) do.
    """
    for name, data in _site_files(site_input, title=title, progress=progress, notice=notice, environ=environ,
                                  jobs=jobs, history=history, copies=False):
        yield name, data if isinstance(data, bytes) else data.path.read_bytes()


def _site_files(
    site_input: SiteInput,
    *,
    title: str | None,
    progress: Progress | None,
    notice: Progress | None,
    environ: Mapping[str, str] | None,
    jobs: int,
    history: SiteExtras | None,
    copies: bool,
) -> Iterator[tuple[str, SiteData]]:
    """:func:`site_files`; with ``copies``, a download spooled on disk comes as a :class:`FileCopy` of its file."""
    report = progress or (lambda _message: None)
    tell = notice or report
    _check_downloads(site_input.downloads)
    generated = jst_time(build_time(environ))
    catalogue = Catalogue(
        site_input.definitions, site_input.assessment, site_input.findings, rule_titles(), site_input.file_keys,
        site_input.reviews,
    )
    site = site_view(catalogue, title, generated)
    env = _environment()
    env.globals["history"] = history
    given: set[str] = set()

    def page(template: str, name: str, view: Callable[[], Any]) -> tuple[str, bytes]:
        """One portfolio page, its view model built and rendered with the cyclic collector paused: both make
        many objects and few cycles (50,000 rows on 候補一覧 at 1,000 flows), and each burst of them set off
        collections that walked the whole portfolio; what one page leaves for it is collected after."""
        report(say("progress.rendering", name=name).render())
        given.add(name)
        with collector_paused():
            return name, _render_page(env, site, template, view=view())

    yield page("index.html", "index.html", lambda: _with_effects(index_page(catalogue, site_input.downloads,
                                                                             site_input.download_labels),
                                                                 site_input.assessment))
    yield page("candidates.html", "candidates.html", lambda: candidates_page(catalogue))
    yield page("assumptions.html", "assumptions.html", lambda: assumptions_page(catalogue))
    yield page("sources.html", "sources.html", lambda: SourcesPageView(
        PageView("sources", "sources.html", Bilingual.of("page.sources")),
        sources_page(site_input.assessment.profile_sources, site_input.survey_sources, site_input.survey_file)))
    yield from _money_pages(catalogue, site_input.assessment, build_time(environ), page)

    overlays = diagram_overlays(site_input.assessment.processes, catalogue.findings)
    cache = PictureCache.from_environment()
    job = _FlowJob(catalogue, site, env, overlays, build_time(environ), site_input.file_keys, cache,
                   site_input.file_dates)
    groups = _flow_groups(catalogue, site_input.assessment.processes, given)
    sheet_jobs: list[_SheetJob] = []
    items = list(enumerate(groups))
    for done in ordered_results(_flow_pages, items, context=job, jobs=jobs, describe=lambda item: item[1][0].file):
        for is_notice, message in done.messages:
            (tell if is_notice else report)(message)
        yield from done.pages.items()
        yield from done.files.items()
        sheet_jobs.extend(done.sheets)
    for template, name, view in history.pages if history is not None else ():
        yield page(template, name, _ready(view))

    for name in _STATIC_FILES:
        yield f"static/{name}", _static(name)
    yield "static/dispositions.css", _disposition_css()
    for name in sorted(site_input.downloads):
        yield f"downloads/{name}", _download(site_input.downloads, name, copies)

    # The HTML report is complete; now the PNG and PDF sheets its flow pages link to, on every core.
    yield from _sheet_files(job, items, sheet_jobs, jobs=jobs, report=report, tell=tell)
    cache.prune()


def _download(downloads: Mapping[str, bytes], name: str, copies: bool) -> SiteData:
    """A download's content; a spooled one (:class:`reports.downloads.SpooledFiles`) as a copy of its file."""
    path = getattr(downloads, "path", None)
    if copies and callable(path):
        return FileCopy(path(name))
    return bytes(downloads[name])


def _ready(view: Any) -> Callable[[], Any]:
    """A view model already built, as the pages' ``page`` takes it (a callable building it)."""
    return lambda: view


def _render_page(env: Environment, site: Any, template: str, **context: Any) -> bytes:
    html = env.get_template(template).render(site=site, csp=csp.PLACEHOLDER, **context)
    return csp.apply_policy(html).encode("utf-8")


@dataclass(frozen=True, slots=True)
class _FlowJob:
    """What every flow page needs, shared read-only by the workers that render them."""

    catalogue: Catalogue
    site: Any
    env: Environment
    overlays: Mapping[str, FileOverlays]
    created: datetime
    file_keys: Mapping[str, str]
    cache: PictureCache
    file_dates: Mapping[str, datetime]
    unprinted: Mapping[str, RenderError] = field(default_factory=dict)
    """Sheets that could not be printed (site path → why): pages rendered again say so instead of linking."""


@dataclass(frozen=True, slots=True)
class _FlowOutput:
    """One file's flow pages and SVG files, its sheets to print, and what the work had to say (in order)."""

    pages: dict[str, bytes]
    files: dict[str, bytes]
    messages: list[tuple[bool, str]]
    """(is a notice, text): progress and notices, replayed by the caller in input order."""
    sheets: tuple[_SheetJob, ...] = ()


@dataclass(frozen=True, slots=True)
class _SheetOutput:
    """One picture's printed sheets, the copies that could not be made (site path → why) and the messages."""

    files: dict[str, bytes]
    unprinted: dict[str, str]
    messages: list[tuple[bool, str]]


def _flow_groups(
    catalogue: Catalogue, processes: Sequence[ProcessAssessment], taken: Collection[str]
) -> list[tuple[ProcessAssessment, ...]]:
    """The processes with a page, grouped by file (a file's pictures are drawn once, by one worker)."""
    by_file: dict[str, list[ProcessAssessment]] = {}
    seen = set(taken)
    for process in processes:
        name = catalogue.refs[(process.file, process.process_id)].file_name
        if name not in seen:
            seen.add(name)
            by_file.setdefault(process.file, []).append(process)
    return [tuple(group) for group in by_file.values()]


def _flow_pages(job: _FlowJob, item: tuple[int, tuple[ProcessAssessment, ...]]) -> _FlowOutput:
    """The pages of one file's processes and their SVG pictures (in a worker process when jobs > 1)."""
    group, processes = item
    messages: list[tuple[bool, str]] = []
    drawings = _Drawings(job.overlays, job.created, lambda m: messages.append((False, m)),
                         lambda m: messages.append((True, m)), job.file_keys, job.cache, job.file_dates,
                         job.unprinted, group)
    pages: dict[str, bytes] = {}
    for process in processes:
        ref = job.catalogue.refs[(process.file, process.process_id)]
        messages.append((False, say("progress.drawing", name=ref.name).render()))
        # Paused for one process's picture and page (many objects, few cycles); its leftovers are collected after.
        with collector_paused():
            diagram = drawings.view(job.catalogue.definitions.get(process.file), process.process_id)
            messages.append((False, say("progress.rendering", name=ref.file_name).render()))
            pages[ref.file_name] = _render_page(job.env, job.site, "flow.html",
                                                view=flow_page(job.catalogue, process, diagram))
    return _FlowOutput(pages, drawings.files, messages, tuple(drawings.sheets.values()))


def _sheet_files(
    job: _FlowJob,
    items: Sequence[tuple[int, tuple[ProcessAssessment, ...]]],
    sheet_jobs: Sequence[_SheetJob],
    *,
    jobs: int,
    report: Progress,
    tell: Progress,
) -> Iterator[tuple[str, bytes]]:
    """The PNG and PDF sheets, printed in parallel after the pages; then, if some could not be made, the pages
    that linked to them, rendered again to say so (the same bytes as if the failure had been known before)."""
    unprinted: dict[str, RenderError] = {}
    again: set[int] = set()
    for done in ordered_results(_print_sheets, sheet_jobs, context=job, jobs=jobs,
                                describe=lambda sheet: sheet.title):
        for is_notice, message in done.messages:
            (tell if is_notice else report)(message)
        yield from done.files.items()
        for name, reason in done.unprinted.items():
            unprinted[name] = RenderError(reason)
    for sheet in sheet_jobs:
        if any(f"diagrams/{sheet.name}.{fmt}" in unprinted for _label, fmt in _PICTURE_FORMATS):
            again.add(sheet.group)
    if again:
        retry = dataclasses.replace(job, unprinted=unprinted)
        for index in sorted(again):
            yield from _flow_pages(retry, items[index]).pages.items()


def _print_sheets(job: _FlowJob, sheet: _SheetJob) -> _SheetOutput:
    """One picture's PNG and PDF sheets (in a worker process when jobs > 1), from the cache when printed before."""
    messages: list[tuple[bool, str]] = []
    files: dict[str, bytes] = {}
    unprinted: dict[str, str] = {}
    picture = sheet.picture()
    for fmt in ("png", "pdf"):
        name = f"diagrams/{sheet.name}.{fmt}"
        messages.append((False, say("progress.printing", title=sheet.title, format=fmt.upper()).render()))
        try:
            files[name] = sheets.sheet_bytes(picture, fmt, sheet.block, layout=_SHEET, created=job.created,
                                             cache=job.cache, occupied=sheet.occupied)
        except RenderError as error:
            unprinted[name] = error.message
            messages.append((True, say("progress.no_copy", title=sheet.title, format=fmt.upper(),
                                                reason=error.said).render()))
    return _SheetOutput(files, unprinted, messages)


def _with_effects(view: IndexPage, assessment: Assessment) -> IndexPage:
    """The overview with 人工削減 and 財政効果 side by side (the money stage's headline)."""
    if assessment.money is None:
        return view
    effects = two_effects(assessment.money, assessment.money.hours_per_fte)
    return dataclasses.replace(view, headline=effects.sentence, effects=effects)


def _money_pages(
    catalogue: Catalogue, assessment: Assessment, created: datetime, page: Callable[..., tuple[str, bytes]]
) -> Iterator[tuple[str, bytes]]:
    """財政効果, capacity, calibration and one page per lot, each with its lot's 仕様書 outlines as downloads."""
    refs = {(ref.key[0], str(ref.key[1])): ref for ref in catalogue.refs.values()}
    summary = assessment.money
    yield page("money.html", "money.html",
               lambda: money_page(assessment, refs, summary.hours_per_fte if summary else 1920.0))
    yield page("capacity.html", "capacity.html", lambda: capacity_page(catalogue))
    yield page("calibration.html", "calibration.html",
               lambda: calibration_page(summary.calibration if summary else ()))
    if summary is None:
        return
    for lot in summary.lots:
        view = lot_page(lot, assessment, refs, summary.horizon_years)
        yield page("lot.html", lot_file_name(lot.lot_id), _ready(view))
        xlsx, markdown = lot_download_names(lot)
        yield f"downloads/{xlsx}", outline_xlsx(view, created)
        yield f"downloads/{markdown}", outline_markdown(view).encode("utf-8")


def _check_downloads(downloads: Mapping[str, bytes]) -> None:
    """Download names are relative paths inside ``downloads/``: no ``..``, no absolute paths."""
    for name in downloads:
        parts = name.split("/")
        if (
            not name
            or "\\" in name
            or name.startswith("/")
            or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
            or any(ord(c) < 32 for c in name)
        ):
            raise RenderError(
                say("site.bad_download", name=repr(name)),
                hint=say("site.bad_download_hint"),
            )


# --------------------------------------------------------------------------- writing


def build_site(
    site_input: SiteInput,
    out_dir: Path,
    *,
    title: str | None = None,
    progress: Progress | None = None,
    notice: Progress | None = None,
    lock: FolderLock | None = None,
    jobs: int = 1,
) -> list[Path]:
    """Render the site and put it at ``out_dir``, replacing a previous site there.

    Returns the files we wrote (sorted).  Raises :class:`~bpm.errors.RenderError`
    when ``out_dir`` holds something that is not a previous site, when another
    run is writing it, or when it cannot be written; the rules are in
    :mod:`reports.outdir`.  ``lock`` is the folder's lock when the caller took
    it earlier (``bpm scan`` does, to refuse a second run before any work).
    """
    out_dir = check_out_dir(out_dir)
    report = progress or (lambda _message: None)
    with lock_folder(out_dir) if lock is None else nullcontext(lock):
        recover(out_dir, report)  # first: a site is back in place even if this run fails
        files = _site_files(site_input, title=title, progress=progress, notice=notice, environ=None, jobs=jobs,
                            history=None, copies=True)
        names = publish_files(files, out_dir, report)
    return sorted(out_dir.joinpath(*PurePosixPath(name).parts) for name in names)


def _small_print_notes(picture: Picture) -> list[Bilingual]:
    """What the page says when a download prints names below the readable minimum (7 px = 5.25 pt).

    The PDF is cut between steps over as many A4 pages as make names readable
    (:func:`reports.sheets.sheet_plan`); the PNG stays one sheet, so a wide flow's
    PNG can be small while its PDF is not — the note names each copy for what it is.
    """
    png_pt = sheets.png_label_pt(picture, _SHEET)
    if png_pt >= sheets.READABLE_PT:
        return []
    plan = sheets.sheet_plan(picture, _SHEET)
    if plan.pages == 1:
        return [Bilingual.of("diagram.small_on_sheet", paper=_SHEET.paper, pt=f"{png_pt:.1f}")]
    pdf_pt = sheets.sheet_label_pt(picture, _SHEET, plan)
    key = "diagram.small_png_pdf_small" if pdf_pt < sheets.READABLE_PT else "diagram.small_png"
    return [Bilingual.of(key, paper=_SHEET.paper, pt=f"{png_pt:.1f}", pages=plan.pages, pdf_pt=f"{pdf_pt:.1f}")]
