"""The ``bpm`` command: orchestration and I/O only; every decision lives in the libraries.

Errors users can cause (bad files, bad sheets, bad profiles) are printed as
``file:line: message (hint)`` with exit code 1; usage errors exit 2; nothing
prints a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import click

from bpm.errors import BpmError
from bpm.limits import MAX_ANNUAL_COUNT, MAX_FILE_MB
from bpm.messages import h, m
from bpm.model import Definitions, Lane, Process
from bpm.pool import default_jobs, limit_blas_threads, ordered_results
from bpm.progress import Reporter
from bpm.reader import DEFAULT_MAX_BYTES, read_bpmn, read_bpmn_bytes

if TYPE_CHECKING:
    from bpm.lint import Finding

BPMN_SUFFIXES = (".bpmn", ".bpmn2", ".bpmn20.xml")
SURVEY_NAMES = ("survey.xlsx", "survey.csv", "業務量調査.xlsx", "業務量調査.csv")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Settings:
    """Global options shared by every sub-command."""

    debug: bool = False
    quiet: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    reporter: Reporter | None = None
    """Progress output of this run (bars on a terminal), made on first use."""


def _fail(error: BpmError) -> NoReturn:
    click.echo(one_line(m("cli.error", message=error) if not error.location else str(error)), err=True)
    sys.exit(1)


def one_line(text: str) -> str:
    r"""The message on one line without control characters.

    Names from a file must not break the ``file:line: message`` format or send
    escape sequences to the terminal.

    >>> one_line("a.bpmn:3: task 受付\n審査 \x1b[31m(t)")
    'a.bpmn:3: task 受付 審査  [31m(t)'
    """
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text.rstrip())


def _guarded(func: F) -> F:
    """Turn library errors into one-line messages; keep tracebacks for --debug."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        settings = click.get_current_context().find_object(Settings) or Settings()
        try:
            return func(*args, **kwargs)
        except BpmError as error:
            if settings.debug:
                raise
            _fail(error)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(m("cli.interrupted"), err=True)
            sys.exit(130)
        except Exception as error:  # a bug of ours: say so, briefly
            if settings.debug:
                raise
            click.echo(m("cli.internal", kind=type(error).__name__, detail=error), err=True)
            sys.exit(3)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def _file_size(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """--max-size: a finite number of MB up to the hard limit (NaN slips through FloatRange's comparisons)."""
    if not math.isfinite(value) or not 0.001 <= value <= MAX_FILE_MB:
        raise click.BadParameter(m("err.max_size", value=f"{value:g}", limit=f"{MAX_FILE_MB:g}"))
    return value


def _jobs(ctx: click.Context, param: click.Parameter, value: int | None) -> int:
    """--jobs: a positive number of processes; default the cores this process may use."""
    if value is None:
        return default_jobs()
    if value < 1:
        raise click.BadParameter(m("err.jobs", value=value))
    return value


_jobs_option = click.option(
    "-j", "--jobs", type=int, default=None, callback=_jobs, metavar="N",
    help=h("help.jobs"),
)


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--lang: the language of every message from here on (and of --help, which is parsed after it)."""
    from bpm.messages import language_from_environment, relocalise, use_language

    lang = value or language_from_environment()
    use_language(lang)
    relocalise(ctx.command, lang)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, help=h("cmd.main"))
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None, is_eager=True, expose_value=False,
              callback=_language, help=h("help.lang"))
@click.option("--debug", is_flag=True, help=h("help.debug"))
@click.option("-q", "--quiet", is_flag=True, help=h("help.quiet"))
@click.option(
    "--max-size",
    type=float,
    callback=_file_size,
    default=DEFAULT_MAX_BYTES / 1024 / 1024,
    show_default=True,
    help=h("help.max_size", limit=f"{MAX_FILE_MB:g}"),
)
@click.version_option(package_name="bpm-rpa-scanner")
@click.pass_context
def main(ctx: click.Context, debug: bool, quiet: bool, max_size: float) -> None:
    """BPM RPA candidate scanner: map counter processes, find RPA and outsourcing candidates.

    窓口業務のBPMNを読み込み、RPA化・民間委託・職員保持の候補を評価します。
    """
    limit_blas_threads()  # before numpy is imported: many small solves, one thread each (see bpm.pool)
    ctx.obj = Settings(debug=debug, quiet=quiet, max_bytes=int(max_size * 1024 * 1024))


# --------------------------------------------------------------------------- file discovery


@dataclass(frozen=True, slots=True)
class InputFile:
    """A BPMN file to read, and the name it goes by in what we write."""

    path: Path
    """The file, as given or found (joined to the directory argument)."""
    key: str
    """Its path relative to the directory it was found in (POSIX), or its name when named directly;
    the full path when two inputs would share a key.  Output names hash this, so ``x/flow.bpmn``
    and ``y/flow.bpmn`` never share a download, and a run from another folder gives the same names."""


Skip = Callable[[Path, str], None]
"""Told about every file or folder a directory scan leaves out, with the reason."""

_DRAFT_PREFIXES = ("~$", "~", ".~lock.", "#")
"""Office owner files (``~$x``), editor temporaries (``~x``, LibreOffice ``.~lock.x#``, Emacs ``#x#``)."""


def _skipped_file_reason(name: str) -> str | None:
    """Why a file found in a directory is not read, or None to read it."""
    if name.startswith("._"):
        return m("skip.resource_fork")
    if name.startswith("."):
        return m("skip.hidden_file")
    if name.startswith(_DRAFT_PREFIXES) or name.endswith(("~", "#")):
        return m("skip.draft")
    return None


def _is_report_folder(folder: Path) -> bool:
    """A site we wrote: it holds the marker file (imported late: only the scan needs the reports package)."""
    from reports.outdir import MARKER

    return (folder / MARKER).is_file()


def _skipped_folder_reason(folder: Path, excluded: set[str]) -> str | None:
    """Why a folder inside a scanned directory is not entered, or None to enter it."""
    if os.path.realpath(folder) in excluded:
        return m("skip.own_output")
    if _is_report_folder(folder):
        return m("skip.report_folder")
    if folder.name.startswith("."):
        return m("skip.hidden_folder")
    if folder.name == "__MACOSX":
        return m("skip.macosx")
    if (folder / "municipality.toml").is_file():  # scoring.cities.METADATA_FILE
        return m("skip.other_city")
    if folder.is_symlink():
        return m("skip.symlink")
    return None


def _walk(top: Path, excluded: set[str], on_skip: Skip) -> Iterator[Path]:
    """BPMN files under ``top`` in sorted order, leaving out our own reports, hidden files and drafts."""
    for folder, subfolders, files in os.walk(top, onerror=None, followlinks=False):
        here = Path(folder)
        kept = []
        for name in sorted(subfolders):
            reason = _skipped_folder_reason(here / name, excluded)
            if reason is None:
                kept.append(name)
            else:
                on_skip(here / name, reason)
        subfolders[:] = kept
        for name in sorted(files):
            if not name.lower().endswith(BPMN_SUFFIXES):
                continue
            reason = _skipped_file_reason(name)
            if reason is not None:
                on_skip(here / name, reason)
            elif (here / name).is_file():
                yield here / name


def discover_inputs(
    paths: Iterable[str], *, exclude: Iterable[Path] = (), on_skip: Skip | None = None
) -> list[InputFile]:
    """BPMN files named directly, plus those found (recursively, sorted) in named directories.

    A directory scan never reads a report folder we wrote (it holds the site
    marker) nor the folders in ``exclude`` (the run's own output), so
    ``bpm scan flows --out flows/report`` can run any number of times; it also
    leaves out hidden files, macOS ``._x.bpmn`` copies and editor drafts,
    telling ``on_skip`` about each.  A file named directly is always read.
    """
    excluded = {os.path.realpath(p) for p in exclude}
    report = on_skip or (lambda _path, _reason: None)
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            if os.path.realpath(path) in excluded or _is_report_folder(path):
                raise BpmError(m("err.report_as_input"), file=str(path), hint=m("err.report_as_input_hint"))
            matches = sorted(_walk(path, excluded, report))
            if not matches:
                raise BpmError(m("err.no_bpmn", suffixes=", ".join(BPMN_SUFFIXES)), file=str(path))
            found.extend((match, match.relative_to(path).as_posix()) for match in matches)
        else:
            found.append((path, path.name))
    unique: dict[str, tuple[Path, str]] = {}
    for path, key in found:
        unique.setdefault(os.path.realpath(path), (path, key))
    keys = Counter(key for _, key in unique.values())
    return [
        InputFile(path, key if keys[key] == 1 else os.path.normpath(path).replace(os.sep, "/"))
        for path, key in unique.values()
    ]


def expand_inputs(paths: Iterable[str], *, on_skip: Skip | None = None) -> list[Path]:
    """The paths of :func:`discover_inputs` (for commands that need no output names)."""
    return [found.path for found in discover_inputs(paths, on_skip=on_skip)]


def conventional_files(paths: Iterable[str], names: Iterable[str]) -> list[Path]:
    """Every file with one of ``names`` directly inside a named directory (each file once, however named)."""
    found: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for name in names:
                candidate = path / name
                if candidate.is_file():
                    found.setdefault(os.path.realpath(candidate), candidate)
    return list(found.values())


def survey_candidates(paths: Iterable[str]) -> list[Path]:
    """Every sheet with a conventional survey name directly inside a named directory (each file once)."""
    return conventional_files(paths, SURVEY_NAMES)


def discover_survey(paths: Iterable[str]) -> Path | None:
    """The survey sheet with a conventional name inside a scanned directory, if there is one.

    Two of them (``survey.xlsx`` beside ``survey.csv``, or one in each folder)
    are an error naming both: which one was read would change the report
    without a word.
    """
    from bpm.errors import SurveyError

    found = survey_candidates(paths)
    if len(found) > 1:
        raise SurveyError(
            m("err.two_surveys", count=len(found), files=m("err.two_surveys_and").join(str(p) for p in found)),
            file=str(found[1]),
            hint=m("err.two_surveys_hint"),
        )
    return found[0] if found else None


def discover_profile(paths: Iterable[str]) -> Path | None:
    """The scoring profile (``profile.toml``) directly inside a scanned directory, if there is one.

    A municipality's folder carries its own profile beside its survey sheet (README, "Comparing
    municipalities"); scanning that folder alone must price it with that profile, as ``bpm compare`` does,
    not quietly with the default one.  Two folders with two different profiles are an error naming both.
    """
    from bpm.errors import ProfileError
    from scoring.cities import PROFILE_FILE

    files = conventional_files(paths, (PROFILE_FILE,))
    if len(files) > 1:
        raise ProfileError(
            m("err.two_profiles", count=len(files), files=m("err.two_surveys_and").join(str(f) for f in files)),
            file=str(files[1]),
            hint=m("err.two_profiles_hint"),
        )
    return files[0] if files else None


def _draws_every_diagram() -> None:
    """Commands that draw or lint every file read its diagrams with the file, not on demand (see
    :func:`bpm.reader.defer_diagrams`: on demand they would be parsed twice); on again when the command ends."""
    from bpm.reader import defer_diagrams

    defer_diagrams(False)
    click.get_current_context().call_on_close(lambda: defer_diagrams(True))


def read_all(paths: Sequence[Path], settings: Settings) -> Iterator[Definitions]:
    """Read each file, failing on the first unreadable one (its message names it)."""
    for path in paths:
        yield read_bpmn(path, max_bytes=settings.max_bytes)


def _settings() -> Settings:
    return click.get_current_context().find_object(Settings) or Settings()


def _reporter() -> Reporter:
    settings = _settings()
    if settings.reporter is None:
        settings.reporter = Reporter(quiet=settings.quiet)
    return settings.reporter


def _progress(message: str) -> None:
    """A progress message (not under --quiet; above the bar while one runs)."""
    _reporter().line(message)


def _notice(message: str) -> None:
    """Something the user should know although the run goes on (shown even with --quiet)."""
    click.echo(m("cli.note", message=message), err=True)


def _skipped(path: Path, reason: str) -> None:
    """A file or folder a directory scan left out; always said, so nothing goes missing unnoticed."""
    click.echo(m("cli.skipped", path=path, reason=reason), err=True)


# --------------------------------------------------------------------------- inspect


@main.command(help=h("cmd.inspect"))
@click.argument("files", nargs=-1, required=True)
@_guarded
def inspect(files: tuple[str, ...]) -> None:
    """Summarise BPMN files: pools, lanes, element counts and lint findings.

    BPMNファイルの概要（プール・レーン・要素数・検査結果）を表示します。
    """
    from bpm.lint import Severity, lint_files

    models = list(read_all(expand_inputs(files, on_skip=_skipped), _settings()))
    by_file: dict[str, list[Finding]] = {}
    for finding in lint_files(models):  # together, so calls into another file given here resolve
        by_file.setdefault(finding.source.file, []).append(finding)
    any_errors = False
    for definitions in models:
        findings = by_file.get(definitions.file, [])
        click.echo(summary_text(definitions))
        if findings:
            click.echo(m("inspect.findings", count=len(findings)))
            for finding in findings:
                click.echo(f"    {finding}")
        else:
            click.echo(m("inspect.no_findings"))
        click.echo("")
        any_errors = any_errors or any(f.severity is Severity.ERROR for f in findings)
    if any_errors:
        sys.exit(1)


def summary_text(definitions: Definitions) -> str:
    """Readable multi-line summary of one file (used by ``bpm inspect``)."""
    lines = [definitions.file]
    if definitions.exporter:
        lines.append(m("inspect.exporter", exporter=f"{definitions.exporter} {definitions.exporter_version}".rstrip()))
    pools = list(definitions.participants())
    if pools:
        lines.append(m("inspect.pools", count=len(pools)))
        for pool in pools:
            process = definitions.processes.get(pool.process_id) if pool.process_id else None
            suffix = m("inspect.to_process", id=pool.process_id) if process else m("inspect.black_box")
            lines.append(f"    {pool.name or pool.id}{suffix}")
    lines.append(m("inspect.processes", count=len(definitions.processes)))
    for process in definitions.processes.values():
        lines.extend(_process_lines(process))
    message_flows = list(definitions.message_flows())
    if message_flows:
        lines.append(m("inspect.message_flows", count=len(message_flows)))
    lines.append(m("inspect.diagrams", count=len(definitions.diagrams)))
    return "\n".join(lines)


def _process_lines(process: Process) -> list[str]:
    lines = [f"    {process.name or process.id} [{process.id}]"]
    kinds = Counter(node.kind.value for node in process.nodes.values())
    counts = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    lines.append(m("inspect.elements", counts=counts or m("inspect.none"), flows=len(process.flows)))
    if process.lanes:
        lines.append(m("inspect.lanes"))
        for lane in process.lanes:
            lines.extend(_lane_lines(lane, depth=4))
    return lines


def _lane_lines(lane: Lane, depth: int) -> list[str]:
    lines = ["  " * depth + m("inspect.lane", name=lane.name or lane.id, count=len(lane.node_ids))]
    for child in lane.children:
        lines.extend(_lane_lines(child, depth + 1))
    return lines


# --------------------------------------------------------------------------- lint


@main.command(name="lint", help=h("cmd.lint"))
@click.argument("files", nargs=-1)
@click.option("--disable", "disabled", multiple=True, metavar="RULE", help=h("help.disable"))
@click.option("--list-rules", is_flag=True, help=h("help.list_rules"))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
    help=h("help.lint_format"),
)
@click.option("-o", "--out", type=click.Path(dir_okay=False), help=h("help.lint_out"))
@_guarded
def lint_command(
    files: tuple[str, ...], disabled: tuple[str, ...], list_rules: bool, fmt: str, out: str | None
) -> None:
    """Check BPMN files together; exit 1 when any error-level finding is reported.

    Files given together are also checked against each other (the same id in
    two files, a call activity whose process is in another file).  A file that
    cannot be read is reported as an unreadable-file error and the others
    are still checked.

    BPMNの構造を検査します。エラーがあれば終了コード1。
    """
    _draws_every_diagram()
    from bpm.lint import lint_files, rule_for, sort_findings
    from bpm.lint.formats import summary_line
    from bpm.lint.notes import unreadable
    from scoring.legal import template_findings  # registers the procedure-template rules (bpm must not import scoring)

    if list_rules:
        _write_report(_rules_report(fmt), out)
        return
    if not files:
        raise click.UsageError(m("err.lint_no_files"))
    unknown = [d for d in disabled if rule_for(d) is None]
    if unknown:
        raise click.BadParameter(m("err.unknown_rules", rules=", ".join(unknown)), param_hint="--disable")
    paths = expand_inputs(files, on_skip=_skipped)
    readable: list[Definitions] = []
    refused = []
    for path in paths:
        try:
            readable.append(read_bpmn(path, max_bytes=_settings().max_bytes))
        except BpmError as error:  # reported, and the other files are still checked
            click.echo(str(error), err=True)
            refused.append(unreadable(error))
    legal = [f for d in readable for f in template_findings(d)]
    findings = sort_findings(
        lint_files(readable, disabled=disabled) + [f for f in [*refused, *legal] if f.rule not in disabled]
    )
    _write_report(_findings_report(findings, [str(p) for p in paths], fmt), out)
    click.echo(summary_line(findings, len(paths)), err=True)
    if any(f.severity.value == "error" for f in findings):
        sys.exit(1)


def _rules_report(fmt: str) -> str:
    from importlib.metadata import version

    from bpm.lint import RULES
    from bpm.lint.formats import rules_json, sarif_report

    if fmt == "json":
        return rules_json(RULES) + "\n"
    if fmt == "sarif":
        return sarif_report([], list(RULES), version=version("bpm-rpa-scanner")) + "\n"
    from bpm.messages import language

    japanese = language() == "ja"
    return "".join(f"{r.id:36} {r.severity.value:8} {r.summary_ja if japanese else r.summary_en}\n" for r in RULES)


def _findings_report(findings: Sequence[Finding], files: Sequence[str], fmt: str) -> str:
    from importlib.metadata import version

    from bpm.lint import RULES
    from bpm.lint.formats import json_report, sarif_report, text_report

    if fmt == "json":
        return json_report(findings, files, version=version("bpm-rpa-scanner")) + "\n"
    if fmt == "sarif":
        return sarif_report(findings, list(RULES), version=version("bpm-rpa-scanner"), files=files) + "\n"
    return text_report(findings)


def _write_report(text: str, out: str | None) -> None:
    """The report to stdout, or to ``out`` (refused with a clear message when it cannot be written)."""
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise BpmError(m("err.write_report", reason=error.strerror or error), file=out) from None
    _progress(m("cli.wrote", path=out))


# --------------------------------------------------------------------------- graph


@main.command(help=h("cmd.graph"))
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["graphml", "json"]), default="graphml", show_default=True)
@click.option("--process", "process_id", help=h("help.graph_process"))
@click.option("--expand", is_flag=True, help=h("help.expand"))
@click.option("-o", "--out", type=click.Path(dir_okay=False), help=h("help.out_stdout"))
@_guarded
def graph(file: str, fmt: str, process_id: str | None, expand: bool, out: str | None) -> None:
    """Write the NetworkX graph of a BPMN file as GraphML or node-link JSON.

    グラフ（GraphML / JSON）を出力します。
    """
    import networkx as nx

    from bpm.graph import collaboration_graph, flat_copy, process_graph

    definitions = read_bpmn(file, max_bytes=_settings().max_bytes)
    if process_id is not None:
        g = process_graph(definitions, process_id, expand_subprocesses=expand)
    elif len(definitions.processes) == 1 and not definitions.collaborations:
        g = process_graph(definitions, next(iter(definitions.processes)), expand_subprocesses=expand)
    else:
        g = collaboration_graph(definitions, expand_subprocesses=expand)
    flat = flat_copy(g)
    if fmt == "json":
        text = json.dumps(nx.node_link_data(flat, edges="edges"), ensure_ascii=False, indent=2, sort_keys=True)
    else:
        text = "\n".join(nx.generate_graphml(flat, prettyprint=True))
    if out is None:
        click.echo(text)
    else:
        Path(out).write_text(text + "\n", encoding="utf-8")
        _progress(m("cli.wrote", path=out))


# --------------------------------------------------------------------------- render


@main.command(help=h("cmd.render"))
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-f", "--format", "formats", multiple=True, type=click.Choice(["svg", "png", "pdf"]),
    help=h("help.render_format"),
)
@click.option(
    "--layout", type=click.Choice(["auto", "di", "dot"]), default="auto", show_default=True,
    help=h("help.render_layout"),
)
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True,
              help=h("help.paper"))
@click.option("--orientation", type=click.Choice(["landscape", "portrait"]), default="landscape",
              show_default=True, help=h("help.orientation"))
@click.option("--plain", is_flag=True, help=h("help.plain"))
@click.option("--survey", type=click.Path(dir_okay=False), help=h("help.render_survey"))
@click.option("--profile", type=click.Path(dir_okay=False), help=h("help.render_profile"))
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False), help=h("help.render_out"))
@_jobs_option
@_guarded
def render(
    inputs: tuple[str, ...], formats: tuple[str, ...], layout: str, paper: str, orientation: str, plain: bool,
    survey: str | None, profile: str | None, out: str, jobs: int,
) -> None:
    """Draw every diagram as SVG, PNG or PDF for manuals and slides.

    業務フロー図をSVG・PNG・PDFで出力します（マニュアル掲載用）。PNG・PDFは用紙（A4/A3）に
    表題欄（フロー名・版の日付・凡例）を付けて配置します。ファイル名は入力フォルダからの
    相対パスで決まり、どこから実行しても同じです。
    """
    _draws_every_diagram()
    from bpm.errors import RenderError
    from reports.pictures import PictureFormat
    from reports.pictures_cache import PictureCache
    from reports.site import build_time

    chosen = tuple(cast(PictureFormat, f) for f in dict.fromkeys(formats)) or ("svg", "png", "pdf")
    scanned = _gather(inputs, survey, jobs=jobs)
    overlays = {} if plain else _render_overlays(scanned, profile)
    cache = PictureCache.from_environment()
    job = _RenderJob(scanned, overlays, chosen, layout, paper.upper(), orientation, plain, build_time(), cache)
    rendered: dict[Path, bytes] = {}
    indexes = list(range(len(scanned.inputs)))
    drawn = ordered_results(_render_file, indexes, context=job, jobs=jobs,
                            describe=lambda i: str(scanned.inputs[i].path))
    with _reporter().stage(m("stage.drawing"), len(indexes)) as step:
        for index, (files, notices) in zip(indexes, drawn, strict=True):
            step(m("cli.drawing", index=index + 1, total=len(indexes), path=scanned.inputs[index].path))
            for message in notices:
                _notice(message)
            for name, data in files:
                rendered[Path(out) / name] = data
    try:  # everything was drawn first: a bad file leaves no half set of pictures
        Path(out).mkdir(parents=True, exist_ok=True)
        for target, data in rendered.items():
            target.write_bytes(data)
            _progress(m("cli.wrote", path=target))
    except OSError as error:
        raise RenderError(m("err.write_pictures", out=out, reason=error.strerror or error), file=out) from None
    cache.prune()
    click.echo(m("cli.pictures_written", count=len(rendered), out=out), err=True)


def _render_overlays(scanned: _Scanned, profile: str | None) -> dict[str, Any]:
    """Disposition colours per file, as the report site paints them; none (with a note) when scoring fails."""
    from reports.views import diagram_overlays

    try:
        assessment = _assess(scanned, profile, (), exclude_unsolvable=True)
    except BpmError as error:
        _notice(m("cli.no_colours", message=error.message))
        return {}
    return dict(diagram_overlays(assessment.processes, ()))


@dataclass(frozen=True, slots=True)
class _RenderJob:
    """What ``bpm render`` draws, shared by its workers (forked: nothing here is pickled)."""

    scanned: _Scanned
    overlays: dict[str, Any]
    formats: tuple[str, ...]
    layout: str
    paper: str
    orientation: str
    plain: bool
    created: Any
    cache: Any


def _render_file(job: _RenderJob, index: int) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Every picture of one file in every chosen format, and the notes for the user (in a worker process when
    --jobs > 1: the notes are said by the caller, in input order)."""
    from reports.pictures import Layout, PictureFormat, pictures
    from reports.pictures_cache import cached_picture_bytes

    found, definitions = job.scanned.inputs[index], job.scanned.definitions[index]
    notices: list[str] = []
    files: list[tuple[str, bytes]] = []
    for picture in pictures(definitions, layout=cast(Layout, job.layout), overlays=job.overlays.get(definitions.file),
                            key=found.key):
        for fmt in job.formats:
            if fmt == "svg":
                data = cached_picture_bytes(picture, cast(PictureFormat, fmt), created=job.created, cache=job.cache)
            else:
                data = _on_paper(picture, found, fmt, job, tell=notices.append)
            files.append((f"{picture.name}.{fmt}", data))
    return files, notices


def _on_paper(picture: Any, found: InputFile, fmt: str, job: _RenderJob, *, tell: Callable[[str], None]) -> bytes:
    """PNG or PDF of one picture on a sheet with its title block (flow, version date in JST, legend), cached."""
    from datetime import datetime

    from reports import paper, sheets

    try:
        stamp = datetime.fromtimestamp(found.path.stat().st_mtime, tz=paper.JST)
    except OSError:
        stamp = job.created
    layout = sheets.SheetLayout(job.paper, job.orientation, legend=not job.plain)
    block = sheets.sheet_block(picture, version_date=stamp, source=found.key, legend=layout.legend)
    if fmt == "pdf" and sheets.sheet_is_small(picture, layout):
        bigger = m("cli.bigger_paper") if job.paper == "A4" else m("cli.bigger_other")
        points = f"{sheets.sheet_label_pt(picture, layout):.1f}"
        tell(m("cli.small_print", key=found.key, title=picture.title, points=points, paper=job.paper,
               orientation=job.orientation, bigger=bigger))
    return sheets.sheet_bytes(picture, cast(sheets.SheetFormat, fmt), block, layout=layout, created=job.created,
                              cache=job.cache)


# --------------------------------------------------------------------------- score and scan


def _parse_cases(values: Sequence[str]) -> dict[str, float]:
    """``PROCESS=N`` pairs for --cases (process id or name → annual cases).

    N is read like a survey 件数 (``5,200``, ``５２００件``), so ``nan``, ``inf``,
    ``3,5`` and counts above the limit are usage errors, not figures.
    """
    from scoring.survey import parse_number

    cases: dict[str, float] = {}
    for value in values:
        key, sep, number = value.rpartition("=")
        if not sep or not key.strip():
            raise click.BadParameter(m("err.cases_form", value=value), param_hint="--cases")
        try:
            count = parse_number(number, units=("件",), maximum=MAX_ANNUAL_COUNT)
        except ValueError as error:
            raise click.BadParameter(m("err.cases_number", name=key.strip(), error=error),
                                     param_hint="--cases") from None
        if count is None:
            raise click.BadParameter(m("err.cases_form", value=value), param_hint="--cases")
        cases[key.strip()] = count
    return cases


@dataclass
class _Scanned:
    """Everything gathered before anything is written."""

    inputs: list[InputFile]
    definitions: list[Definitions]
    survey_path: Path | None
    profile_path: Path | None = None
    """A ``profile.toml`` found inside a scanned folder (used unless ``--profile`` names another)."""
    read_keys: list[str | None] = field(default_factory=list)
    """Each file's content key in the read cache (:mod:`bpm.read_cache`), None where it was not used."""


def _gather(
    inputs: Sequence[str], survey: str | None, *, exclude: Sequence[Path] = (), jobs: int = 1
) -> _Scanned:
    found = discover_inputs(inputs, exclude=exclude, on_skip=_skipped)
    survey_path = Path(survey) if survey else discover_survey(inputs)
    if survey_path is not None and survey is None:
        _progress(m("cli.using_survey", path=survey_path))
    elif survey is not None:
        for other in survey_candidates(inputs):
            if os.path.realpath(other) != os.path.realpath(survey):
                _notice(m("cli.survey_not_read", other=other, survey=survey))
    from bpm.cache_store import prune_results
    from bpm.read_cache import ReadCache

    paths, cache, max_bytes = [item.path for item in found], ReadCache.from_environment(), _settings().max_bytes
    stored = [cache.stored(path, max_bytes=max_bytes) for path in paths]  # unchanged files: no worker needed
    fresh = ordered_results(_read_one, [p for p, s in zip(paths, stored, strict=True) if s is None],
                            context=(cache, max_bytes), jobs=jobs)
    reads = []
    with _reporter().stage(m("stage.reading"), len(found)) as step:
        for index, (path, hit) in enumerate(zip(paths, stored, strict=True), start=1):
            step(m("cli.reading", index=index, total=len(found), path=path))
            reads.append(hit if hit is not None else next(fresh))
    prune_results()
    return _Scanned(found, [r.definitions for r in reads], survey_path, profile_path=discover_profile(inputs),
                    read_keys=[r.key for r in reads])


def _read_one(context: tuple[Any, int], path: Path) -> Any:
    """One file read through the read cache (in a worker process when --jobs > 1)."""
    cache, max_bytes = context
    return cache.read(path, max_bytes=max_bytes)


def _assess(
    scanned: _Scanned, profile: str | None, cases: Sequence[str], exclude_unsolvable: bool = False, jobs: int = 1
) -> Any:
    from scoring.assess import assess
    from scoring.flow_cache import FlowCache
    from scoring.profile import load_profile
    from scoring.survey_cache import SurveyCache

    loaded_profile = load_profile(_profile_to_use(scanned, profile))
    loaded_survey = SurveyCache.from_environment().load(scanned.survey_path) if scanned.survey_path else None
    _progress(m("cli.scoring"))
    with _reporter().stage(m("stage.scoring")):
        assessment = assess(
            scanned.definitions,
            survey=loaded_survey,
            profile=loaded_profile,
            annual_cases=_parse_cases(cases) or None,
            jobs=jobs,
            cache=FlowCache.from_environment(zip(scanned.definitions, scanned.read_keys, strict=False)),
        )
    _report_excluded(assessment, exclude_unsolvable)
    return assessment


def _profile_to_use(scanned: _Scanned, given: str | None) -> Path | None:
    """``--profile`` when given (saying which folder profile it overrides), else the scanned folder's own."""
    found = scanned.profile_path
    if given is None:
        if found is not None:
            _progress(m("cli.using_profile", path=found))
        return found
    if found is not None and os.path.realpath(found) != os.path.realpath(given):
        _notice(m("cli.profile_not_read", other=found, profile=given))
    return Path(given)


def _report_excluded(assessment: Any, allowed: bool) -> None:
    """Flows whose volumes cannot be computed: an error (exit 1, nothing written) unless the user opts in."""
    if not assessment.excluded:
        return
    for excluded in assessment.excluded:
        where = f"{excluded.file}:{excluded.line}" if excluded.line is not None else excluded.file
        ident = f" [id={excluded.element_id}]" if excluded.element_id else ""
        hint = f" ({excluded.hint})" if excluded.hint else ""
        click.echo(f"{where}: {excluded.message}{ident}{hint}", err=True)
    if not allowed:
        first = assessment.excluded[0]
        raise BpmError(
            m("err.unsolvable", count=len(assessment.excluded)),
            file=str(first.file),
            line=first.line,
            element_id=first.element_id or None,
            hint=m("err.unsolvable_hint"),
        )
    click.echo(m("cli.excluded", count=len(assessment.excluded)), err=True)


_survey_option = click.option(
    "--survey",
    type=click.Path(dir_okay=False),
    help=h("help.survey"),
)
_profile_option = click.option(
    "--profile", type=click.Path(dir_okay=False), help=h("help.profile")
)
_cases_option = click.option(
    "--cases", multiple=True, metavar="PROCESS=N", help=h("help.cases")
)
_decisions_option = click.option(
    "--decisions",
    type=click.Path(dir_okay=False),
    help=h("help.decisions"),
)


def _reviews(decisions: str | None, assessment: Any) -> Any:
    """Review decisions matched to the steps; decisions whose step is gone are reported on stderr."""
    if decisions is None:
        return None
    from scoring.decisions import load_decisions, match_decisions

    reviews = match_decisions(assessment, load_decisions(decisions), sheet=decisions)
    for orphan in reviews.orphans:
        what = orphan.decision.value if orphan.decision else m("cli.no_decision_yet")
        _progress(m("cli.orphan_decision", sheet=decisions, row=orphan.row, what=what, step=orphan.step_id,
                    name=" " + repr(orphan.name) if orphan.name else "", process=orphan.process_id))
    _progress(m("cli.decisions_matched", matched=len(reviews.by_step), orphans=len(reviews.orphans)))
    return reviews


def report_data_quality(gaps: Sequence[Any], *, strict: bool) -> None:
    """The data-quality summary of ``score`` and ``scan`` (one function, so both say the same).

    Every mistake in the survey sheet (a column or row not used as written,
    with its "did you mean") is listed and the other gaps are counted, even
    under --quiet: they change the figures.  With ``strict`` every gap is
    listed and the run stops with exit 1 before anything is written, unless
    every gap is plain missing data (``COUNTED_ONLY``: rows of a generated
    sheet not filled in yet, steps on default minutes): a sheet surveyed
    for some 業務 only is incomplete, not wrong.
    """
    from bpm.messages import language
    from reports.gap_text import gap_message
    from reports.i18n import t_or
    from scoring.data_quality import SummaryWords, data_quality, summary_lines

    lang = language()
    words = SummaryWords(lang, (lambda g: g.message) if lang == "en" else (lambda g: gap_message(g).ja),
                         (lambda k: k) if lang == "en" else (lambda k: t_or(f"gap.{k}", "ja", k)))
    quality = data_quality(gaps)
    lines = summary_lines(quality, every_gap=gaps if strict else (), words=words)
    for line in lines[:-1]:
        click.echo(one_line(m("cli.note_plain", message=line)), err=True)
    click.echo(one_line(m("cli.summary", text=lines[-1])), err=True)
    if strict and quality.listed:
        raise BpmError(m("err.strict", count=len(quality.listed)), hint=m("err.strict_hint"))


_strict_option = click.option(
    "--strict", is_flag=True,
    help=h("help.strict"),
)


_exclude_option = click.option(
    "--exclude-unsolvable", is_flag=True,
    help=h("help.exclude_unsolvable"),
)


@main.command(help=h("cmd.score"))
@click.argument("inputs", nargs=-1, required=True)
@_survey_option
@_profile_option
@_cases_option
@_decisions_option
@_exclude_option
@_strict_option
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help=h("help.score_out"))
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help=h("help.score_lang"))
@_jobs_option
@_guarded
def score(
    inputs: tuple[str, ...],
    survey: str | None,
    profile: str | None,
    cases: tuple[str, ...],
    decisions: str | None,
    exclude_unsolvable: bool,
    strict: bool,
    out: str,
    lang: str,
    jobs: int,
) -> None:
    """Score every step and write the ranked table (CSV, XLSX or JSON).

    Several city folders (each holding a municipality.toml) are scored one by one, each as its own portfolio,
    into one table per city.

    手順ごとに評価し、結果の表を出力します。
    """
    cities = _score_city_folders(inputs)
    if cities:
        for option, given in (("--survey", survey), ("--profile", profile), ("--cases", cases),
                              ("--decisions", decisions)):
            if given:
                from scoring.cities import PROFILE_FILE

                raise BpmError(m("err.cities_option", option=option), hint=m("err.cities_option_hint",
                                                                             profile=PROFILE_FILE))
        _score_cities(cities, out, exclude_unsolvable=exclude_unsolvable, strict=strict, lang=lang, jobs=jobs)
        return
    scanned = _gather(inputs, survey, jobs=jobs)
    _score_one(scanned, profile, cases, decisions, exclude_unsolvable=exclude_unsolvable, strict=strict, out=out,
               lang=lang, jobs=jobs)


def _score_one(scanned: _Scanned, profile: str | None, cases: Sequence[str], decisions: str | None, *,
               exclude_unsolvable: bool, strict: bool, out: str, lang: str, jobs: int,
               city: str | None = None) -> None:
    """Lint, assess and write one portfolio's table (``city``: the name said when it is one city of several)."""
    from bpm.lint import Scope, lint_files
    from reports.export_table import write_results
    from scoring.table import steps_frame

    for finding in lint_files(scanned.definitions, scopes=(Scope.FILES,)):  # what only shows across files
        _progress(m("cli.note_plain", message=finding))
    assessment = _assess(scanned, profile, cases, exclude_unsolvable, jobs=jobs)
    report_data_quality(assessment.gaps, strict=strict)
    for finding in assessment.findings:
        if finding.severity.value == "error":
            click.echo(str(finding), err=True)
        else:
            _progress(str(finding))
    frame = steps_frame(assessment, _reviews(decisions, assessment))
    write_results(frame, Path(out), lang="en" if lang == "en" else "ja", assessment=assessment)
    steps = sum(len(p.steps) for p in assessment.processes)
    if city is None:
        click.echo(m("cli.score_written", path=out, steps=steps), err=True)
    else:
        click.echo(m("cli.city_score_written", name=city, path=out, steps=steps), err=True)


def _score_city_folders(inputs: Sequence[str]) -> list[str]:
    """The inputs when they are several city folders (each holding a municipality.toml), else nothing.

    Several cities named together are never pooled into one portfolio: each has its own profile (staff cost),
    survey sheet and posts, and pooling would let two cities' 市民課 share staff.  Mixing city folders with other
    inputs is refused rather than guessed at.  One city folder alone keeps the plain behaviour (its flows, the
    survey sheet found in it, --profile as given).
    """
    from scoring.cities import METADATA_FILE

    if len(inputs) < 2:
        return []
    is_city = [Path(i).is_dir() and (Path(i) / METADATA_FILE).is_file() for i in inputs]
    if not any(is_city):
        return []
    for path, city in zip(inputs, is_city, strict=True):
        if not city:
            raise BpmError(m("err.cities_mixed", path=path, metadata=METADATA_FILE), file=path,
                           hint=m("err.cities_mixed_hint"))
    return list(inputs)


def _city_out(out: str, key: str) -> Path:
    """One city's table: the --out name with the city's key before the suffix (``results-c-shi.xlsx``)."""
    path = Path(out)
    safe = re.sub(r"[^\w-]+", "_", key)  # a key with a path in it becomes one file name, never a folder
    return path.with_name(f"{path.stem}-{safe}{path.suffix}")


def _score_cities(folders: Sequence[str], out: str, *, exclude_unsolvable: bool, strict: bool, lang: str,
                  jobs: int) -> None:
    """``bpm score CITY_DIR…``: each city read, assessed and written alone, exactly as scoring it alone would
    with ``--profile CITY_DIR/profile.toml`` (the same code path, one city at a time: memory stays one city's)."""
    from scoring.cities import METADATA_FILE, PROFILE_FILE, load_city_meta

    keys = _city_keys(folders)
    outs: dict[Path, str] = {}
    for key in keys:
        target = _city_out(out, key)
        if target in outs:
            raise BpmError(m("err.cities_out_twice", first=outs[target], second=key, path=target), file=str(target))
        outs[target] = key
    click.echo(m("cli.cities_separately", count=len(folders)), err=True)
    for index, (folder, key, target) in enumerate(zip(folders, keys, outs, strict=True), start=1):
        meta = load_city_meta(Path(folder) / METADATA_FILE)
        profile = Path(folder) / PROFILE_FILE
        profile_path = str(profile) if profile.is_file() else None
        _progress(m("cli.city_scoring", index=index, total=len(folders), folder=key, name=meta.name,
                    profile=profile_path or m("cli.default_profile")))
        scanned = _gather([folder], None, jobs=jobs)
        _score_one(scanned, profile_path, (), None, exclude_unsolvable=exclude_unsolvable, strict=strict,
                   out=str(target), lang=lang, jobs=jobs, city=meta.name)


@main.command(help=h("cmd.scan"))
@click.argument("inputs", nargs=-1, required=True)
@_survey_option
@_profile_option
@_cases_option
@_decisions_option
@_exclude_option
@_strict_option
@click.option("-o", "--out", default="site", show_default=True, type=click.Path(file_okay=False))
@click.option(
    "--publish", "publish_dir", type=click.Path(file_okay=False), metavar="SITE_DIR",
    help=h("help.publish"),
)
@click.option("--title", help=h("help.title"))
@_jobs_option
@click.pass_context
@_guarded
def scan(
    ctx: click.Context,
    inputs: tuple[str, ...],
    survey: str | None,
    profile: str | None,
    cases: tuple[str, ...],
    decisions: str | None,
    exclude_unsolvable: bool,
    strict: bool,
    out: str,
    publish_dir: str | None,
    title: str | None,
    jobs: int,
) -> None:
    """Import, check, score and write the HTML report site (the main job).

    読み込み・検査・評価を行い、HTMLレポートを作成します。
    """
    _draws_every_diagram()
    from reports.outdir import check_out_dir, lock_folder
    from reports.site import build_site

    if publish_dir is not None and ctx.get_parameter_source("out") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError(m("err.out_and_publish"))
    target = Path(publish_dir if publish_dir is not None else out)
    out_dir = check_out_dir(target)  # refuse a folder we may not replace before any work
    with lock_folder(out_dir) as lock:  # and a second run into it
        if publish_dir is None:
            from reports.publish import refuse_history_overwrite

            refuse_history_overwrite(out_dir)
        site_input, models, survey_path = _site_input(
            inputs, survey, profile, cases, exclude=out_dir, decisions=decisions, exclude_unsolvable=exclude_unsolvable,
            strict=strict,
            jobs=jobs,
        )
        if publish_dir is None:
            models = ()  # each model's bytes are kept for a published site's history only: free them now
        with _reporter().stage(m("stage.pages")) as step:
            if publish_dir is None:
                count = len(build_site(site_input, out_dir, title=title, progress=step, notice=_notice, lock=lock,
                                       jobs=jobs))
            else:
                count = _publish(site_input, models, out_dir, lock, title=title, progress=step, jobs=jobs,
                                 score=lambda d: _assess(_Scanned([], [d], survey_path), profile, cases, True))
    index = out_dir / "index.html"
    click.echo(m("cli.site_written", target=target, count=count, url=index.as_uri()), err=True)


def _publish(site_input: Any, models: Any, out_dir: Path, lock: Any, *, title: str | None, score: Any, jobs: int,
             progress: Callable[[str], None] = _progress) -> int:
    """``scan --publish``: the site with its version history (see reports/publish.py); the number of files."""
    from reports.publish import publish_site

    result = publish_site(site_input, models, out_dir, score=score, title=title, progress=progress, notice=_notice,
                          lock=lock, jobs=jobs)
    if result.unchanged:
        click.echo(m("cli.publish_unchanged", out=out_dir), err=True)
    else:
        click.echo(m("cli.publish_done", new=len(result.new_versions), removed=len(result.removed),
                     versions=out_dir / "versions"), err=True)
    return len(result.written)


def _site_input(
    inputs: Sequence[str],
    survey: str | None,
    profile: str | None,
    cases: Sequence[str],
    *,
    exclude: Path,
    decisions: str | None,
    exclude_unsolvable: bool,
    strict: bool = False,
    jobs: int = 1,
) -> Any:
    """Read, check and score everything, and prepare the downloads: all the work before writing.

    Returns the site input, the bytes of each model (a published site stores them) and the survey sheet used.
    ``exclude`` is the output folder (left out of the scan, and named when the downloads cannot be written).
    """
    from lxml import etree

    from bpm.lint import lint_files
    from reports.downloads import ModelSource, site_downloads
    from reports.export_xlsx import spool_error
    from reports.outdir import write_error
    from reports.site import SiteInput
    from reports.sources_view import read_source_sheet
    from scoring.table import steps_frame

    scanned = _gather(inputs, survey, exclude=(exclude,), jobs=jobs)
    findings = lint_files(scanned.definitions)  # together: ids shared between files, calls across files
    assessment = _assess(scanned, profile, cases, exclude_unsolvable, jobs=jobs)
    report_data_quality(assessment.gaps, strict=strict)
    reviews = _reviews(decisions, assessment)
    _progress(m("cli.preparing_downloads"))
    models = []
    for found, definitions in zip(scanned.inputs, scanned.definitions, strict=True):
        try:
            models.append(ModelSource(found.key, definitions.file, found.path.read_bytes()))
        except OSError as error:
            _notice(m("cli.no_annotated_copy", path=found.path, reason=error.strerror or error))
    try:
        prepared = site_downloads(models, assessment, steps_frame(assessment, reviews), notice=_notice, jobs=jobs)
    except OSError as error:  # spreadsheets spool through temporary files: a full disk fails here first
        raise write_error(exclude, error) from None
    except etree.SerialisationError as error:  # the same, reported by lxml for openpyxl's write-only sheets
        raise write_error(exclude, spool_error(error)) from None
    return SiteInput(
        definitions=tuple(scanned.definitions),
        findings=tuple(findings),
        assessment=assessment,
        downloads=prepared.files,
        download_labels=prepared.labels,
        file_keys={d.file: found.key for found, d in zip(scanned.inputs, scanned.definitions, strict=True)},
        file_dates=_file_dates(scanned),
        reviews=reviews,
        survey_sources=read_source_sheet(scanned.survey_path) if scanned.survey_path else (),
        survey_file=scanned.survey_path.name if scanned.survey_path else "",
    ), models, scanned.survey_path


def _file_dates(scanned: _Scanned) -> dict[str, Any]:
    """Each file's modification time, the version date of its printed title blocks.

    Not clamped here: the site clamps it to the build time it renders with (``SOURCE_DATE_EPOCH``, or the
    earlier build time a publish of unchanged inputs reuses); an unreadable time falls back to that build time."""
    from datetime import UTC, datetime

    dates: dict[str, Any] = {}
    for found, definitions in zip(scanned.inputs, scanned.definitions, strict=True):
        try:
            dates[definitions.file] = datetime.fromtimestamp(found.path.stat().st_mtime, tz=UTC)
        except (OSError, OverflowError, ValueError):
            continue
    return dates


# --------------------------------------------------------------------------- compare


@main.command(name="compare", help=h("cmd.compare"))
@click.argument("cities", nargs=-1, required=True)
@click.option("-o", "--out", default="compare-site", show_default=True, type=click.Path(file_okay=False))
@click.option("--title", help=h("help.compare_title"))
@click.option("--anonymise", "--anonymize", "anonymise", is_flag=True, help=h("help.anonymise"))
@click.option("--salt", envvar="BPM_COMPARE_SALT", help=h("help.salt"))
@_jobs_option
@click.option("--diagrams", type=click.Choice(["all", "leaders", "none"]), default="all", show_default=True,
              help=h("help.diagrams"))
@_guarded
def compare_command(cities: tuple[str, ...], out: str, title: str | None, anonymise: bool, salt: str | None,
                    jobs: int, diagrams: str) -> None:
    """Compare the same standard procedures across municipalities and write the comparison site.

    Each CITY_DIR holds one municipality: municipality.toml (団体名, 人口, 類似団体区分, 年度),
    its BPMN flows, and optionally survey.csv/xlsx, profile.toml and procedures.csv (業務 → 標準手続).

    自治体ごとのフォルダを比較し、ヒートマップ・手続別・団体別のページを出力します。
    """
    from reports.compare_site import build_compare
    from reports.outdir import check_out_dir, lock_folder

    out_dir = check_out_dir(Path(out))
    with lock_folder(out_dir) as lock:
        data = _compare_input(cities, out_dir, anonymise=anonymise, salt=salt, jobs=jobs, diagrams=diagrams)
        written = build_compare(data, out_dir, title=title, progress=_progress, notice=_notice, lock=lock, jobs=jobs)
    index = out_dir / "index.html"
    click.echo(m("cli.compare_written", target=Path(out), count=len(written), url=index.as_uri()), err=True)


def _city_keys(folders: Sequence[str]) -> list[str]:
    """Each city's key in this run: its folder name, or its path where two folders share a name."""
    names = Counter(Path(os.path.abspath(f)).name for f in folders)
    keys = []
    for folder in folders:
        name = Path(os.path.abspath(folder)).name
        keys.append(name if names[name] == 1 else os.path.normpath(folder).replace(os.sep, "/"))
    return keys


def _city_files(folders: Sequence[str], out_dir: Path) -> list[Any]:
    """Each city folder's files (discovery stays here, in the CLI); folder names made unique as keys."""
    from scoring.cities import METADATA_FILE, PROFILE_FILE
    from scoring.city_run import CityFiles

    found = []
    for folder, key in zip(folders, _city_keys(folders), strict=True):
        path = Path(folder)
        if not path.is_dir():
            raise BpmError(m("err.not_a_folder"), file=folder, hint=m("err.not_a_folder_hint", metadata=METADATA_FILE))
        if not (path / METADATA_FILE).is_file():
            raise BpmError(m("err.no_metadata", metadata=METADATA_FILE), file=folder, hint=m("err.no_metadata_hint"))
        inputs = discover_inputs([folder], exclude=(out_dir,), on_skip=_skipped)
        survey = discover_survey([folder])
        profile = path / PROFILE_FILE
        found.append(CityFiles(key, folder, str(path / METADATA_FILE),
                               tuple((str(i.path), i.key) for i in inputs),
                               str(survey) if survey else None, str(profile) if profile.is_file() else None))
    keys = Counter(c.key for c in found)
    twice = [k for k, n in keys.items() if n > 1]
    if twice:
        raise BpmError(m("err.city_twice", folder=twice[0]), file=twice[0])
    return found


def _compare_input(folders: Sequence[str], out_dir: Path, *, anonymise: bool, salt: str | None, jobs: int,
                   diagrams: str) -> Any:
    """Assess every city (in parallel with --jobs), anonymise if asked, and compute the comparison."""
    import secrets

    from reports.compare_anon import anonymise as anonymised_results
    from reports.compare_site import CompareInput
    from scoring.city_run import CityError, CityResult
    from scoring.compare import compare
    from scoring.procedures import default_catalogue

    files = _city_files(folders, out_dir)
    job = _CityJob(_settings().max_bytes, keep_dispositions=diagrams != "none", collect_secrets=anonymise)
    results: list[CityResult] = []
    for index, result in enumerate(
        ordered_results(_assess_one_city, files, context=job, jobs=jobs, describe=lambda f: f.folder), start=1
    ):
        if isinstance(result, CityError):
            result.raise_it()
        assert isinstance(result, CityResult)
        _progress(m("cli.city_assessed", index=index, total=len(files), folder=files[index - 1].folder,
                    flows=len(result.flows)))
        for row in result.unused_mapping:
            _notice(m("cli.mapping_unused", file=row.file, line=row.line, flow=row.flow, procedure=row.procedure))
        results.append(result)
    from bpm.cache_store import prune_results

    prune_results()  # the workers stored each city's reads and flow stages; the stores stay within BPM_CACHE_MB
    sources = {r.city.key: {k: p for p, k in f.bpmn} for r, f in zip(results, files, strict=True)}
    scrubber = None
    names: tuple[str, ...] = ()
    notes = tuple(sorted({s for r in results for s in r.secrets}))
    if anonymise:
        if not salt:
            salt = secrets.token_hex(16)
            _notice(m("cli.no_salt"))
        results, scrubber, names = anonymised_results(results, salt)
        sources = {r.city.key: {scrubber.text(k): p for k, p in sources[old].items()}
                   for r, old in zip(results, [f.key for f in files], strict=True)}
        notes = tuple(n for n in notes if n not in names)
    cities = {r.city.key: r.city for r in results}
    flows = [f for r in results for f in r.flows]
    excluded = [e for r in results for e in r.excluded]
    comparison = compare(cities, flows, procedure_order=[p.key for p in default_catalogue().procedures],
                         excluded=excluded)
    for flow in comparison.unmatched:
        _notice(m("cli.unmatched_flow", city=flow.city, file=flow.file_key, flow=flow.process_name or flow.process_id))
    return CompareInput(comparison, sources, anonymise, scrubber, names, notes,
                        cast(Any, diagrams), _settings().max_bytes)


@dataclass(frozen=True, slots=True)
class _CityJob:
    """How every city is assessed, shared by the workers of :mod:`bpm.pool`."""

    max_bytes: int
    keep_dispositions: bool
    collect_secrets: bool


def _assess_one_city(job: _CityJob, files: Any) -> Any:
    """One city's assessment (in a worker process when --jobs > 1); errors come back as a ``CityError``."""
    from scoring.city_run import assess_city

    return assess_city(files, max_bytes=job.max_bytes, keep_dispositions=job.keep_dispositions,
                       collect_secrets=job.collect_secrets)


# --------------------------------------------------------------------------- annotate


def annotated_targets(inputs: Sequence[str], paths: Sequence[Path], out: Path) -> dict[Path, Path]:
    """Where ``bpm annotate`` writes each file: under ``out``, by its path inside the named directory.

    A file named directly keeps its name; a file found in a named directory
    keeps its path relative to that directory.  Refuses a target that is one
    of the inputs or that two inputs would share.
    """
    directories = [Path(raw) for raw in inputs if Path(raw).is_dir()]
    targets: dict[Path, Path] = {}
    for path in paths:
        base = next((d for d in directories if path.is_relative_to(d)), None)
        targets[path] = out / (path.relative_to(base) if base is not None else Path(path.name))
    resolved_inputs = {p.resolve(): p for p in paths}
    claimed: dict[Path, Path] = {}
    for path, target in targets.items():
        resolved = target.resolve()
        if resolved in resolved_inputs:
            raise BpmError(m("err.annotate_overwrite", input=resolved_inputs[resolved]), file=str(path),
                           hint=m("err.annotate_overwrite_hint"))
        if resolved in claimed:
            raise BpmError(m("err.annotate_clash", first=claimed[resolved], second=path, target=target),
                           file=str(path), hint=m("err.annotate_clash_hint"))
        claimed[resolved] = path
    return targets


def _write_atomically(target: Path, data: bytes) -> None:
    """Write next to the target and rename, so a reader never sees half a file (permissions follow umask)."""
    import os

    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        scratch.write_bytes(data)
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)


@main.command(help=h("cmd.annotate"))
@click.argument("inputs", nargs=-1, required=True)
@_survey_option
@_profile_option
@_cases_option
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False), help=h("help.annotate_out"))
@_guarded
def annotate(
    inputs: tuple[str, ...], survey: str | None, profile: str | None, cases: tuple[str, ...], out: str
) -> None:
    """Write each BPMN file back with its scores and disposition colours, to reopen in the modeler.

    評価結果（色・スコア・理由）を書き込んだBPMNを出力します（Camunda Modeler / bpmn.io で開けます）。
    """
    from bpm.errors import RenderError
    from reports.annotate import annotate_bpmn

    scanned = _gather(inputs, survey)
    paths = [found.path for found in scanned.inputs]
    targets = annotated_targets(inputs, paths, Path(out))
    assessment = _assess(scanned, profile, cases)
    written: dict[Path, bytes] = {}
    with _reporter().stage(m("stage.annotating"), len(paths)) as step:
        for path, definitions in zip(paths, scanned.definitions, strict=True):
            step(m("cli.annotating", path=path))
            written[targets[path]] = annotate_bpmn(_read_bounded(path), assessment, file=definitions.file)
    try:  # everything was annotated first: a bad file leaves nothing half-written
        for target, data in written.items():
            _write_atomically(target, data)
            _progress(m("cli.wrote", path=target))
    except OSError as error:
        raise RenderError(m("err.write_to", out=out, reason=error.strerror or error), file=out) from None
    click.echo(m("cli.annotated_written", count=len(written), out=out), err=True)


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, within the --max-size limit (it was read once already; it may have grown)."""
    from bpm.errors import BpmnParseError

    limit = _settings().max_bytes
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise BpmnParseError(m("err.read_file", reason=error.strerror), file=str(path)) from None
    if len(data) > limit:
        raise BpmnParseError(m("err.file_grew"), file=str(path))
    return data


# --------------------------------------------------------------------------- layout


@main.command(help=h("cmd.layout"))
@click.argument("file")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help=h("help.layout_out"))
@_guarded
def layout(file: str, out: str) -> None:
    """Add a diagram laid out by Graphviz to a BPMN file without one, so that a modeler can open it.

    図の座標（BPMN DI）がないファイルに、Graphviz で配置した図を追加します（レーンは横帯、左から右へ）。
    """
    from bpm.layout import add_layout

    source, target = Path(file), Path(out)
    if target.exists() and target.resolve() == source.resolve():
        raise BpmError(m("err.layout_overwrite"), file=file, hint=m("err.layout_overwrite_hint"))
    read_bpmn(source, max_bytes=_settings().max_bytes)  # the reader's checks and messages first
    result = add_layout(_read_bounded(source), file)
    written = read_bpmn_bytes(result, out)
    _write_atomically(target, result)
    shapes = sum(len(d.shapes) for d in written.diagrams)
    click.echo(m("cli.layout_written", out=out, shapes=shapes, diagrams=len(written.diagrams)), err=True)


# --------------------------------------------------------------------------- survey


@main.command(name="survey", help=h("cmd.survey"))
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help=h("help.survey_out"))
@click.option("--from", "earlier", type=click.Path(dir_okay=False, exists=True), help=h("help.survey_from"))
@_guarded
def survey_command(inputs: tuple[str, ...], out: str, earlier: str | None) -> None:
    """Write a 業務量調査 workbook pre-filled from the BPMN files, ready to fill in Excel.

    BPMNファイルから業務量調査票（記入要領・業務・手順・分岐の行、入力規則つき）を作成します。
    既存の調査票を指定すると、記入済みの値を手順IDで引き継ぎます。
    """
    import dataclasses

    from bpm.errors import SurveyError
    from reports.survey_workbook import RowKind, carry_over, earlier_orphans, template_rows, write_survey_workbook
    from scoring.survey import Survey, load_survey

    target = Path(out)
    if target.suffix.casefold() != ".xlsx":
        raise click.BadParameter(m("err.survey_xlsx"), param_hint="--out")
    if earlier is not None and target.exists() and os.path.realpath(earlier) != os.path.realpath(target):
        raise BpmError(m("err.survey_from_clash", out=out, earlier=earlier), file=out,
                       hint=m("err.survey_from_clash_hint"))
    found = discover_inputs(inputs, on_skip=_skipped)
    models = []
    with _reporter().stage(m("stage.reading"), len(found)) as step:
        for index, item in enumerate(found, start=1):
            step(m("cli.reading", index=index, total=len(found), path=item.path))
            models.append(read_bpmn(item.path, max_bytes=_settings().max_bytes))
    rows = template_rows(models)
    source = Path(earlier) if earlier else (target if target.exists() else None)
    previous = Survey(str(target), (), ())
    if source is not None:
        try:
            previous = load_survey(source)
        except SurveyError as error:
            if earlier is None:
                raise SurveyError(m("err.survey_unreadable", out=out, message=error.message), file=error.file,
                                  line=error.line, hint=m("err.survey_unreadable_hint")) from None
            raise
        _progress(m("cli.carrying_over", source=source))
    carried = carry_over(rows, previous)
    if source is not None:
        carried = dataclasses.replace(carried, kept_orphans=earlier_orphans(source))
    for orphan in carried.orphans:
        row = orphan.row
        _notice(m("cli.survey_orphan", file=previous.file, line=row.line, process=row.process,
                  step=row.step or row.step_id or "(業務)", reason=orphan.reason))
    write_survey_workbook(carried, target)
    counts = Counter(row.kind for row in carried.rows)
    kept_orphans = m("cli.survey_kept_orphans", count=len(carried.kept_orphans)) if carried.kept_orphans else ""
    click.echo(m("cli.survey_written", out=out, flows=counts[RowKind.FLOW], steps=counts[RowKind.STEP],
                 branches=counts[RowKind.BRANCH], kept=carried.kept, orphans=len(carried.orphans),
                 kept_orphans=kept_orphans), err=True)


# --------------------------------------------------------------------------- diff


@main.command(help=h("cmd.diff"))
@click.argument("old")
@click.argument("new")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True,
    help=h("help.diff_format"),
)
@click.option("-o", "--out", type=click.Path(dir_okay=False), help=h("help.diff_out"))
@_survey_option
@_profile_option
@_cases_option
@_guarded
def diff(
    old: str, new: str, fmt: str, out: str | None, survey: str | None, profile: str | None, cases: tuple[str, ...]
) -> None:
    """Show what changed between two versions of a flow, and how hours, FTE and dispositions moved.

    2つの版のフローを比較し、変更点（追加・削除・名称・種類・担当・フロー・分岐条件）と評価の変化を示します。
    """
    from bpm.diff import diff_definitions
    from reports.diffreport import diff_html, diff_json, diff_report, diff_table
    from reports.format import jst_time
    from reports.site import build_time

    before = read_bpmn(old, max_bytes=_settings().max_bytes)
    after = read_bpmn(new, max_bytes=_settings().max_bytes)
    comparison = diff_definitions(before, after)
    sheet = Path(survey) if survey else None
    scores_old = _assess(_Scanned([InputFile(Path(old), Path(old).name)], [before], sheet), profile, cases)
    scores_new = _assess(_Scanned([InputFile(Path(new), Path(new).name)], [after], sheet), profile, cases)
    report = diff_report(comparison, scores_old, scores_new)
    if fmt == "json":
        text = diff_json(report)
    elif fmt == "html":
        text = diff_html(report, before, after, generated=jst_time(build_time()))
    else:
        text = _render_tables(diff_table(report), plain=out is not None)
    if out is None:
        click.echo(text, nl=False)
    else:
        _write_atomically(Path(out), text.encode("utf-8"))
        click.echo(m("cli.wrote", path=out), err=True)


def _render_tables(tables: Sequence[tuple[str, list[str], list[list[str]]]], *, plain: bool) -> str:
    """The diff tables as terminal text (rich box drawing; no colour codes when written to a file or pipe)."""
    import io

    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=160, no_color=plain, force_terminal=False, highlight=False, soft_wrap=False)
    for title, header, rows in tables:
        if not header:
            console.print(title)
            continue
        table = Table(title=title, title_justify="left", show_lines=False)
        for column in header:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    return buffer.getvalue()


if __name__ == "__main__":  # pragma: no cover
    main()
