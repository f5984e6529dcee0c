"""The comparison site (``bpm compare``): overview heat map, a page per procedure, a page per city, the method.

Built like the scan site: every page and diagram is written into a staging
folder as soon as it is rendered (so a national comparison never holds its
site in memory), then put in place through :mod:`reports.outdir` (atomic
swap, the user's own files kept, one run at a time).  Pages are
Japanese first with complete English, self-contained (copied CSS/JS, diagrams
as SVG files next to the pages, no network), carry the page's own
Content-Security-Policy, and print on A4.

Diagrams are drawn at render time by reading the flow again (one file at a
time), so memory does not grow with the number of cities.  With
``--anonymise`` they are drawn from a scrubbed copy of the model and every
file is searched for every name and note as it passes; a hit stops the run
before the site is put in place (:mod:`reports.compare_anon`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bpm.collector import collector_paused
from bpm.errors import BpmError, Say, say
from bpm.model import ElementId
from bpm.pool import ordered_results
from bpm.reader import read_bpmn
from reports import csp, markup
from reports.compare_anon import LeakCheck, check_published
from reports.compare_chart import heat_css
from reports.compare_pages import (
    SPLIT_CITIES,
    CompareInput,
    Diagrams,
    Figure,
    city_page,
    group_page,
    procedure_page,
    short_hash,
)
from reports.compare_views import CompareIndex, city_page_view, method_view, overview_view, procedure_view
from reports.format import ja_spacing, jst_time
from reports.i18n import LANGS, Bilingual, t
from reports.outdir import MARKER, FolderLock, check_out_dir, lock_folder, marker_bytes, publish_files, recover
from reports.overlay import Overlay
from reports.pictures import picture_bytes, pictures
from reports.site import build_time
from reports.style import DISPOSITION_STYLES
from scoring.compare import QUANTILE_METHOD_JA, FlowFigures
from scoring.result import Disposition

__all__ = [
    "SPLIT_CITIES",
    "CompareInput",
    "Diagrams",
    "build_compare",
    "city_page",
    "compare_files",
    "group_page",
    "procedure_page",
    "render_compare",
]

_HERE = Path(__file__).resolve().parent
Progress = Callable[[str], None]


# --------------------------------------------------------------------------- the renderer


class _Site:
    """Renders every page as (name, bytes) as jobs finish; draws the diagrams the pages show, each once."""

    def __init__(self, data: CompareInput, title: str | None, report: Progress, notice: Progress,
                 environ: Mapping[str, str] | None) -> None:
        self.data = data
        self.c = data.comparison
        self.report = report
        self.notice = notice
        self.written: set[str] = set()
        """Names handed out so far: a diagram two jobs drew is handed out once (the first job's bytes)."""
        self.created = build_time(environ)
        self.generated = jst_time(self.created)  # Japan time, as on the main site
        self.title = Bilingual(title, title) if title else Bilingual.of("compare.title")
        self.env = Environment(loader=FileSystemLoader(_HERE / "templates"), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True)
        self.env.globals["t"] = t
        self.env.globals["langs"] = LANGS
        self.env.filters["ja"] = ja_spacing  # Japanese text: no half-width space around numbers
        markup.install(self.env)  # tr, bi, num…: the bilingual pieces the shared templates call
        self.index = CompareIndex(data)
        self.drawn: dict[_FlowKey, str | None] = {}
        self.failed: dict[_FlowKey, str] = {}
        """Why each diagram that could not be drawn was not (its notice, said once a run)."""
        self.noticed: set[_FlowKey] = set()
        self.task = _Done()

    def page(self, template: str, name: str, **context: Any) -> None:
        self.task.events.append((None, say("progress.rendering", name=name).render()))
        html = self.env.get_template(template).render(
            site={"title": self.title, "generated": self.generated, "illustrative": self.index.illustrative,
                  "anonymised": self.data.anonymised, "method": QUANTILE_METHOD_JA},
            csp=csp.PLACEHOLDER, **context)
        self.task.files.append((name, csp.apply_policy(html).encode("utf-8")))

    def files(self, jobs: int = 1) -> Generator[tuple[str, bytes], None, None]:
        """Every file as its job finishes, on up to ``jobs`` processes (the same files and messages, in the same
        order, as one), the static files last.  Each name comes once; the caller writes each away.

        Two rounds: the overview, the method and the procedures first (they draw every leader's diagram),
        then the cities, whose workers start from the diagrams already drawn, so that a leader's diagram
        shown on hundreds of city pages is drawn once, not once per worker.
        """
        first = [_Job("index"), _Job("method"), *(_Job("procedure", p) for p in self.c.procedures)]
        cities = [_Job("city", city.key) for city in self.index.order]
        for round_ in (first, cities):
            for done in ordered_results(_run_job, round_, context=self, jobs=jobs, describe=_Job.describe):
                yield from self.merge(done)
        yield "static/site.css", (_HERE / "static" / "site.css").read_bytes()
        yield "static/site.js", (_HERE / "static" / "site.js").read_bytes()
        yield "static/compare.css", ((_HERE / "static" / "compare.css").read_text(encoding="utf-8")
                                     + heat_css()).encode("utf-8")
        yield "static/dispositions.css", _disposition_css()

    def run(self, job: _Job) -> _Done:
        """Render one job's pages (in a worker, or here with one job at a time): what it wrote and said.

        The cyclic collector is paused meanwhile, as for the scan site's pages: views, templates and diagrams
        make many objects and few cycles, and each burst of them set off collections that walked every city's
        figures; what the job leaves for the collector is collected after it.
        """
        with collector_paused():
            return self._run(job)

    def _run(self, job: _Job) -> _Done:
        self.task = _Done()
        if job.kind == "index":
            self.page("compare_index.html", "index.html", view=overview_view(self.index))
        elif job.kind == "method":
            self.page("compare_method.html", "method.html", view=method_view())
        elif job.kind == "procedure":
            view = procedure_view(self.index, self.figures, job.key)
            self.page("compare_procedure.html", procedure_page(job.key), view=view)
            for section in view["sections"] if view["split"] else ():
                self.page("compare_procedure.html", section["page"],
                          view=procedure_view(self.index, self.figures, job.key, only_group=section["group"]))
        else:
            city = self.c.cities[job.key]
            self.page("compare_city.html", city_page(city.key), view=city_page_view(self.index, self.figures, city))
        done, self.task = self.task, _Done()
        return done

    def merge(self, done: _Done) -> list[tuple[str, bytes]]:
        """Take one job's diagrams and messages, in job order (a notice about a diagram is said once); its files
        not handed out before."""
        new = []
        for name, data in done.files:
            if name not in self.written:
                self.written.add(name)
                new.append((name, data))
        self.drawn.update(done.drawn)
        for key, message in done.events:
            if key is None:
                self.report(message)
            elif key not in self.noticed:
                self.noticed.add(key)
                self.failed[key] = message
                self.notice(message)
        return new

    def diagram(self, flow: FlowFigures) -> str | None:
        """The site path of a flow's diagram (drawn once a process), or None when it cannot be drawn."""
        key = (flow.city, flow.file_key, flow.process_id)
        if key in self.drawn:
            if key in self.failed:  # said again: the job that first needed it may have run in another worker
                self.task.events.append((key, self.failed[key]))
            return self.drawn[key]
        self.drawn[key] = None
        self.task.drawn[key] = None
        path = self.data.sources.get(flow.city, {}).get(flow.file_key)
        if path is None or self.data.diagrams == "none":
            return None
        try:
            definitions = read_bpmn(path, max_bytes=self.data.max_bytes)
            if self.data.scrubber is not None:
                definitions = self.data.scrubber.definitions(definitions)
            marks: dict[ElementId, Overlay] = {}
            for step_id, value in flow.dispositions:
                style = DISPOSITION_STYLES[Disposition(value)]
                marks[ElementId(self._scrub(step_id))] = Overlay(
                    fill=style.fill, badge=style.ja, title=f"{style.ja} / {style.en}", css_class=style.css_class)
            drawn = pictures(definitions, overlays=marks, key=f"{flow.city}/{self._scrub(flow.file_key)}",
                             on_layout_error=lambda _pid, _error: None)
            process_id = self._scrub(flow.process_id)
            picture = next((p for p in drawn if process_id in p.process_ids), None)
            if picture is None:
                return None
            name = f"diagrams/{short_hash(repr(key))}.svg"
            self.task.files.append((name, picture_bytes(picture, "svg", created=self.created)))
        except BpmError as error:
            self.failed[key] = say("compare_site.no_diagram", city=flow.city, file=flow.file_key,
                                   reason=error.message).render()
            self.task.events.append((key, self.failed[key]))
            return None
        self.drawn[key] = self.task.drawn[key] = name
        return name

    def _scrub(self, text: str) -> str:
        return self.data.scrubber.text(text) if self.data.scrubber is not None else text

    def figures(self, flows: Sequence[FlowFigures], caption: str) -> list[Figure]:
        found = []
        for flow in flows:
            src = self.diagram(flow)
            if src is not None:
                found.append(Figure(src, f"{caption} — {flow.process_name or flow.process_id}"))
        return found


_FlowKey = tuple[str, str, str]
"""A flow's diagram: (city, file key, process id)."""


@dataclass(frozen=True, slots=True)
class _Job:
    """Pages rendered together: the overview, the method, a procedure with its group pages, or a city."""

    kind: str
    key: str = ""

    def describe(self) -> str:
        return f"{self.kind} {self.key}".strip()


@dataclass(slots=True)
class _Done:
    """What one job wrote and said, handed back to the parent (small: its pages and new diagrams)."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    """Pages and newly drawn diagrams, in the order written."""
    drawn: dict[_FlowKey, str | None] = field(default_factory=dict)
    """Diagrams this job tried first in its process: site path, or None when not drawn."""
    events: list[tuple[_FlowKey | None, str]] = field(default_factory=list)
    """Progress lines (no key) and notices about a diagram (its key), in the order said."""


def _run_job(site: _Site, job: _Job) -> _Done:
    """One job of :meth:`_Site.render` (module level: what :func:`bpm.pool.ordered_results` maps)."""
    return site.run(job)


def _disposition_css() -> bytes:
    lines = ["/* Generated from reports/style.py: disposition colours. */"]
    for style in DISPOSITION_STYLES.values():
        lines.append(f".{style.css_class} {{ --disp-strong: {style.strong}; --disp-fill: {style.fill}; }}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def compare_files(data: CompareInput, *, title: str | None = None, progress: Progress | None = None,
                  notice: Progress | None = None, environ: Mapping[str, str] | None = None,
                  jobs: int = 1) -> Generator[tuple[str, bytes], None, None]:
    """Every file of the comparison site but the marker (relative POSIX path, bytes), as each is rendered.

    When anonymised, each file is searched as it passes (:class:`reports.compare_anon.LeakCheck`); once
    one holds a name or a note no further file is handed out, and when all are rendered the refusal names
    the first such file by name, as :func:`reports.compare_anon.check_published` does over the whole site.
    ``jobs``: processes rendering the pages and drawing the diagrams (the same files with any number).
    Close the generator (or consume it): the pages' worker processes live until then.
    """
    report = progress or (lambda _message: None)
    files = _Site(data, title, report, notice or report, environ).files(jobs)
    if data.anonymised:
        files = _checked(files, LeakCheck(data.names, data.notes), report)
    return files


def _checked(files: Iterable[tuple[str, bytes]], leaks: LeakCheck,
             report: Progress) -> Generator[tuple[str, bytes], None, None]:
    """The files that hold no secret, up to the first that does; then the refusal naming the first by name.

    Why render on after a hit: the error names the same file as a check of the finished site would, and the
    check's message comes where it always did, after the pages' messages.
    """
    first: tuple[str, Say] | None = None
    for name, content in files:
        kind = leaks.find(content)
        if kind is not None and (first is None or name < first[0]):
            first = (name, kind)
        if first is None:
            yield name, content
    report(say("compare_site.checking_names").render())
    if first is not None:
        raise leaks.error(*first)


def render_compare(data: CompareInput, *, title: str | None = None, progress: Progress | None = None,
                   notice: Progress | None = None, environ: Mapping[str, str] | None = None,
                   jobs: int = 1) -> dict[str, bytes]:
    """Every file of the comparison site (relative POSIX path → bytes), in memory; checked when anonymised.

    ``jobs``: processes rendering the pages and drawing the diagrams (the same files with any number).
    """
    report = progress or (lambda _message: None)
    out = dict(_Site(data, title, report, notice or report, environ).files(jobs))
    if data.anonymised:
        report(say("compare_site.checking_names").render())
        check_published(out, data.names, data.notes)
    out[MARKER] = marker_bytes(list(out))
    return dict(sorted(out.items()))


def build_compare(data: CompareInput, out_dir: Path, *, title: str | None = None, progress: Progress | None = None,
                  notice: Progress | None = None, lock: FolderLock | None = None, jobs: int = 1) -> list[Path]:
    """Render the comparison site and put it at ``out_dir`` (rules of :mod:`reports.outdir`); the files written.

    Each file goes into the staging folder as it is rendered, so the parent holds one job's pages at a time,
    not the site; the marker (the list of every file) is written last.
    """
    out_dir = check_out_dir(out_dir)
    report = progress or (lambda _message: None)
    with lock_folder(out_dir) if lock is None else nullcontext(lock):
        recover(out_dir, report)
        with closing(compare_files(data, title=title, progress=progress, notice=notice, jobs=jobs)) as files:
            written = publish_files(files, out_dir, report)
    return sorted(out_dir.joinpath(*PurePosixPath(name).parts) for name in written)
