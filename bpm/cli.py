"""The ``bpm`` command: orchestration and I/O only; every decision lives in the libraries.

Errors users can cause (bad files, bad sheets, bad profiles) are printed as
``file:line: message (hint)`` with exit code 1; usage errors exit 2; nothing
prints a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import json
import math
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import click

from bpm.errors import BpmError
from bpm.limits import MAX_ANNUAL_COUNT, MAX_FILE_MB
from bpm.model import Definitions, Lane, Process
from bpm.reader import DEFAULT_MAX_BYTES, read_bpmn

BPMN_SUFFIXES = (".bpmn", ".bpmn2", ".bpmn20.xml")
SURVEY_NAMES = ("survey.xlsx", "survey.csv", "業務量調査.xlsx", "業務量調査.csv")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Settings:
    """Global options shared by every sub-command."""

    debug: bool = False
    quiet: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES


def _fail(error: BpmError) -> NoReturn:
    click.echo(one_line(f"bpm: error: {error}" if not error.location else str(error)), err=True)
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
            click.echo("bpm: interrupted", err=True)
            sys.exit(130)
        except Exception as error:  # a bug of ours: say so, briefly
            if settings.debug:
                raise
            click.echo(
                f"bpm: internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)",
                err=True,
            )
            sys.exit(3)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def _file_size(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """--max-size: a finite number of MB up to the hard limit (NaN slips through FloatRange's comparisons)."""
    if not math.isfinite(value) or not 0.001 <= value <= MAX_FILE_MB:
        raise click.BadParameter(f"{value:g} is not a size between 0.001 and {MAX_FILE_MB:g} MB")
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output on stderr.")
@click.option(
    "--max-size",
    type=float,
    callback=_file_size,
    default=DEFAULT_MAX_BYTES / 1024 / 1024,
    show_default=True,
    help=f"Largest BPMN file to read, in MB (at most {MAX_FILE_MB:g}).",
)
@click.version_option(package_name="bpm-rpa-scanner")
@click.pass_context
def main(ctx: click.Context, debug: bool, quiet: bool, max_size: float) -> None:
    """BPM RPA candidate scanner: map counter processes, find RPA and outsourcing candidates.

    窓口業務のBPMNを読み込み、RPA化・民間委託・職員保持の候補を評価します。
    """
    ctx.obj = Settings(debug=debug, quiet=quiet, max_bytes=int(max_size * 1024 * 1024))


# --------------------------------------------------------------------------- file discovery


def expand_inputs(paths: Iterable[str]) -> list[Path]:
    """BPMN files named directly, plus those found (recursively, sorted) in named directories."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            matches = sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(BPMN_SUFFIXES)
            )
            if not matches:
                raise BpmError(f"no BPMN files ({', '.join(BPMN_SUFFIXES)}) in directory", file=str(path))
            found.extend(matches)
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path, None)
    return list(unique)


def discover_survey(paths: Iterable[str]) -> Path | None:
    """A survey sheet with a conventional name inside a scanned directory, if there is one."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for name in SURVEY_NAMES:
                candidate = path / name
                if candidate.is_file():
                    return candidate
    return None


def read_all(paths: Sequence[Path], settings: Settings) -> Iterator[Definitions]:
    """Read each file, failing on the first unreadable one (its message names it)."""
    for path in paths:
        yield read_bpmn(path, max_bytes=settings.max_bytes)


def _settings() -> Settings:
    return click.get_current_context().find_object(Settings) or Settings()


def _progress(message: str) -> None:
    if not _settings().quiet:
        click.echo(message, err=True)


# --------------------------------------------------------------------------- inspect


@main.command()
@click.argument("files", nargs=-1, required=True)
@_guarded
def inspect(files: tuple[str, ...]) -> None:
    """Summarise BPMN files: pools, lanes, element counts and lint findings.

    BPMNファイルの概要（プール・レーン・要素数・検査結果）を表示します。
    """
    from bpm.lint import Severity, lint

    any_errors = False
    for definitions in read_all(expand_inputs(files), _settings()):
        findings = lint(definitions)
        click.echo(summary_text(definitions))
        if findings:
            click.echo(f"  findings ({len(findings)}):")
            for finding in findings:
                click.echo(f"    {finding}")
        else:
            click.echo("  findings: none")
        click.echo("")
        any_errors = any_errors or any(f.severity is Severity.ERROR for f in findings)
    if any_errors:
        sys.exit(1)


def summary_text(definitions: Definitions) -> str:
    """Readable multi-line summary of one file (used by ``bpm inspect``)."""
    lines = [definitions.file]
    if definitions.exporter:
        lines.append(f"  exporter: {definitions.exporter} {definitions.exporter_version}".rstrip())
    pools = list(definitions.participants())
    if pools:
        lines.append(f"  pools ({len(pools)}):")
        for pool in pools:
            process = definitions.processes.get(pool.process_id) if pool.process_id else None
            suffix = f" → process {pool.process_id}" if process else " (black box)"
            lines.append(f"    {pool.name or pool.id}{suffix}")
    lines.append(f"  processes ({len(definitions.processes)}):")
    for process in definitions.processes.values():
        lines.extend(_process_lines(process))
    message_flows = list(definitions.message_flows())
    if message_flows:
        lines.append(f"  message flows: {len(message_flows)}")
    lines.append(f"  diagrams: {len(definitions.diagrams)}")
    return "\n".join(lines)


def _process_lines(process: Process) -> list[str]:
    lines = [f"    {process.name or process.id} [{process.id}]"]
    kinds = Counter(node.kind.value for node in process.nodes.values())
    counts = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    lines.append(f"      elements: {counts or 'none'}; sequenceFlow {len(process.flows)}")
    if process.lanes:
        lines.append("      lanes:")
        for lane in process.lanes:
            lines.extend(_lane_lines(lane, depth=4))
    return lines


def _lane_lines(lane: Lane, depth: int) -> list[str]:
    lines = [f"{'  ' * depth}{lane.name or lane.id} ({len(lane.node_ids)} nodes)"]
    for child in lane.children:
        lines.extend(_lane_lines(child, depth + 1))
    return lines


# --------------------------------------------------------------------------- lint


@main.command(name="lint")
@click.argument("files", nargs=-1)
@click.option("--disable", "disabled", multiple=True, metavar="RULE", help="Skip a rule (repeatable).")
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@_guarded
def lint_command(files: tuple[str, ...], disabled: tuple[str, ...], list_rules: bool) -> None:
    """Check BPMN files; exit 1 when any error-level finding is reported.

    BPMNの構造を検査します。エラーがあれば終了コード1。
    """
    from bpm.lint import RULES, Severity, lint, rule_for

    if list_rules:
        for rule in RULES:
            click.echo(f"{rule.id:28} {rule.severity.value:8} {rule.summary_ja} / {rule.summary_en}")
        return
    if not files:
        raise click.UsageError("give at least one BPMN file or directory")
    unknown = [d for d in disabled if rule_for(d) is None]
    if unknown:
        raise click.BadParameter(f"unknown rule(s): {', '.join(unknown)}", param_hint="--disable")
    totals: Counter[str] = Counter()
    paths = expand_inputs(files)
    for definitions in read_all(paths, _settings()):
        for finding in lint(definitions, disabled=disabled):
            click.echo(str(finding))
            totals[finding.severity.value] += 1
    summary = ", ".join(f"{totals[s.value]} {s.value}(s)" for s in Severity) if totals else "no findings"
    click.echo(f"{len(paths)} file(s) checked: {summary}", err=True)
    if totals[Severity.ERROR.value]:
        sys.exit(1)


# --------------------------------------------------------------------------- graph


@main.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["graphml", "json"]), default="graphml", show_default=True)
@click.option("--process", "process_id", help="Process id (default: the collaboration, or the only process).")
@click.option("--expand", is_flag=True, help="Inline sub-process content.")
@click.option("-o", "--out", type=click.Path(dir_okay=False), help="Output file (default: stdout).")
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
        _progress(f"wrote {out}")


# --------------------------------------------------------------------------- render


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-f", "--format", "formats", multiple=True, type=click.Choice(["svg", "png", "pdf"]),
    help="Output format (repeatable; default: svg, png and pdf).",
)
@click.option(
    "--layout", type=click.Choice(["auto", "di", "dot"]), default="auto", show_default=True,
    help="auto: the modeler's coordinates, Graphviz where a file has none; di: coordinates only; dot: Graphviz.",
)
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False), help="Directory for the pictures.")
@_guarded
def render(inputs: tuple[str, ...], formats: tuple[str, ...], layout: str, out: str) -> None:
    """Draw every diagram as SVG, PNG or PDF for manuals and slides.

    業務フロー図をSVG・PNG・PDFで出力します（マニュアル掲載用）。
    """
    from bpm.errors import RenderError
    from reports.pictures import Layout, PictureFormat, picture_bytes, pictures
    from reports.site import build_time

    chosen = [cast(PictureFormat, f) for f in dict.fromkeys(formats)] or ["svg", "png", "pdf"]
    created = build_time()
    rendered: dict[Path, bytes] = {}
    paths = expand_inputs(inputs)
    for index, path in enumerate(paths, start=1):
        _progress(f"[{index}/{len(paths)}] drawing {path}")
        definitions = read_bpmn(path, max_bytes=_settings().max_bytes)
        for picture in pictures(definitions, layout=cast(Layout, layout)):
            for fmt in chosen:
                target = Path(out) / f"{picture.name}.{fmt}"
                rendered[target] = picture_bytes(picture, fmt, created=created)
    try:  # everything was drawn first: a bad file leaves no half set of pictures
        Path(out).mkdir(parents=True, exist_ok=True)
        for target, data in rendered.items():
            target.write_bytes(data)
            _progress(f"wrote {target}")
    except OSError as error:
        raise RenderError(f"cannot write pictures to {out}: {error.strerror or error}", file=out) from None
    click.echo(f"{len(rendered)} file(s) written to {out}", err=True)


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
            raise click.BadParameter(f"expected PROCESS=N, got {value!r}", param_hint="--cases")
        try:
            count = parse_number(number, units=("件",), maximum=MAX_ANNUAL_COUNT)
        except ValueError as error:
            raise click.BadParameter(f"annual cases of {key.strip()!r}: {error}", param_hint="--cases") from None
        if count is None:
            raise click.BadParameter(f"expected PROCESS=N, got {value!r}", param_hint="--cases")
        cases[key.strip()] = count
    return cases


@dataclass
class _Scanned:
    """Everything gathered before anything is written."""

    paths: list[Path]
    definitions: list[Definitions]
    survey_path: Path | None


def _gather(inputs: Sequence[str], survey: str | None) -> _Scanned:
    paths = expand_inputs(inputs)
    survey_path = Path(survey) if survey else discover_survey(inputs)
    if survey_path is not None and survey is None:
        _progress(f"using survey sheet {survey_path}")
    definitions: list[Definitions] = []
    for index, path in enumerate(paths, start=1):
        _progress(f"[{index}/{len(paths)}] reading {path}")
        definitions.append(read_bpmn(path, max_bytes=_settings().max_bytes))
    return _Scanned(paths, definitions, survey_path)


def _assess(scanned: _Scanned, profile: str | None, cases: Sequence[str]) -> Any:
    from scoring.assess import assess
    from scoring.profile import load_profile
    from scoring.survey import load_survey

    loaded_profile = load_profile(Path(profile) if profile else None)
    loaded_survey = load_survey(scanned.survey_path) if scanned.survey_path else None
    _progress("scoring steps")
    return assess(
        scanned.definitions,
        survey=loaded_survey,
        profile=loaded_profile,
        annual_cases=_parse_cases(cases) or None,
    )


_survey_option = click.option(
    "--survey",
    type=click.Path(dir_okay=False),
    help="業務量調査 sheet (CSV or XLSX). Default: survey.xlsx/survey.csv in a scanned directory.",
)
_profile_option = click.option(
    "--profile", type=click.Path(dir_okay=False), help="Scoring profile TOML (overrides the default profile)."
)
_cases_option = click.option(
    "--cases", multiple=True, metavar="PROCESS=N", help="Annual case count of a process (id or name); repeatable."
)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@_survey_option
@_profile_option
@_cases_option
@click.option(
    "-o", "--out", required=True, type=click.Path(dir_okay=False), help="results.csv, results.xlsx or results.json"
)
@_guarded
def score(inputs: tuple[str, ...], survey: str | None, profile: str | None, cases: tuple[str, ...], out: str) -> None:
    """Score every step and write the ranked table (CSV, XLSX or JSON).

    手順ごとに評価し、結果の表を出力します。
    """
    from scoring.table import steps_frame, write_results

    scanned = _gather(inputs, survey)
    assessment = _assess(scanned, profile, cases)
    for gap in assessment.gaps:
        _progress(f"note: {gap.file}{':' + str(gap.line) if gap.line else ''}: {gap.message}")
    write_results(steps_frame(assessment), Path(out))
    click.echo(f"wrote {out} ({sum(len(p.steps) for p in assessment.processes)} steps)", err=True)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@_survey_option
@_profile_option
@_cases_option
@click.option("-o", "--out", default="site", show_default=True, type=click.Path(file_okay=False))
@click.option("--title", help="Report title (default: 業務プロセス RPA候補レポート).")
@_guarded
def scan(
    inputs: tuple[str, ...],
    survey: str | None,
    profile: str | None,
    cases: tuple[str, ...],
    out: str,
    title: str | None,
) -> None:
    """Import, check, score and write the HTML report site (the main job).

    読み込み・検査・評価を行い、HTMLレポートを作成します。
    """
    import tempfile

    from bpm.lint import lint
    from reports.export import annotate_bpmn, assessment_json
    from reports.site import SiteInput, build_site
    from scoring.table import steps_frame, write_results

    scanned = _gather(inputs, survey)
    findings = []
    for definitions in scanned.definitions:
        findings.extend(lint(definitions))
    assessment = _assess(scanned, profile, cases)
    _progress("preparing downloads")
    downloads: dict[str, bytes] = {}
    frame = steps_frame(assessment)
    with tempfile.TemporaryDirectory() as scratch:
        for name in ("results.csv", "results.xlsx", "results.json"):
            target = Path(scratch) / name
            write_results(frame, target)
            downloads[name] = target.read_bytes()
    downloads["assessment.json"] = assessment_json(assessment).encode("utf-8")
    for path, definitions in zip(scanned.paths, scanned.definitions, strict=True):
        annotated = annotate_bpmn(path.read_bytes(), assessment, file=definitions.file)
        downloads[f"annotated/{path.stem}.bpmn"] = annotated
    site_input = SiteInput(
        definitions=tuple(scanned.definitions),
        findings=tuple(findings),
        assessment=assessment,
        downloads=downloads,
    )
    written = build_site(site_input, Path(out), title=title, progress=_progress)
    index = (Path(out) / "index.html").resolve()
    click.echo(f"report written to {Path(out)} ({len(written)} files); open {index.as_uri()} in a browser", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
