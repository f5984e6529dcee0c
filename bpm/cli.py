"""The ``bpm`` command: orchestration and I/O only; every decision lives in the libraries.

Errors users can cause (bad files, bad sheets, bad profiles) are printed as
``file:line: message (hint)`` with exit code 1; usage errors exit 2; nothing
prints a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from bpm.errors import BpmError
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
    click.echo(f"bpm: error: {error}" if not error.location else str(error), err=True)
    sys.exit(1)


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output on stderr.")
@click.option(
    "--max-size",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_MAX_BYTES / 1024 / 1024,
    show_default=True,
    help="Largest BPMN file to read, in MB.",
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
    from bpm.lint import RULES, Severity, lint

    if list_rules:
        for rule in RULES:
            click.echo(f"{rule.id:28} {rule.severity.value:8} {rule.summary_ja} / {rule.summary_en}")
        return
    if not files:
        raise click.UsageError("give at least one BPMN file or directory")
    known = {rule.id for rule in RULES}
    unknown = [d for d in disabled if d not in known]
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


if __name__ == "__main__":  # pragma: no cover
    main()
