"""Progress on stderr for the CLI: a rich bar on a terminal, plain lines in logs, nothing under ``--quiet``.

A scan of a hundred flows takes minutes; on a terminal a bar says how far it
is without scrolling the notes that matter out of sight.  Where stderr is not
a terminal (a log file, CI, a pipe) a bar would be escape codes and carriage
returns in the log, so each step is one plain line instead, as before.  Under
``--quiet`` neither is shown.  Messages that are not steps (notes, the
survey sheet used) are printed in every mode except ``--quiet``, above the bar
while it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

Step = Callable[[str], None]
"""Told about each unit of work done (its message names it)."""


class Reporter:
    """Where progress goes for one run of the command."""

    def __init__(self, *, quiet: bool, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self._progress: Any = None

    @property
    def bars(self) -> bool:
        """Bars only for a person watching a terminal (never in a log, a pipe or under --quiet)."""
        if self.quiet:
            return False
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError, OSError):
            return False

    def line(self, message: str) -> None:
        """A progress message that is not a step (shown unless --quiet; above the bar while one runs)."""
        if self.quiet:
            return
        if self._progress is not None:
            from rich.text import Text

            self._progress.console.print(Text(message), highlight=False, soft_wrap=True)
        else:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def stage(self, label: str, total: int | None = None) -> Iterator[Step]:
        """A stretch of work of ``total`` steps (unknown when None); yields the function told about each step."""
        if not self.bars or self._progress is not None:
            yield self.line
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=self.stream, force_terminal=True, highlight=False)
        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn() if total is not None else TextColumn("{task.completed}"),
                   TimeElapsedColumn(), TextColumn("{task.fields[item]}", markup=False)]
        with Progress(*columns, console=console, transient=True, redirect_stdout=False,
                      redirect_stderr=True) as progress:
            task = progress.add_task(label, total=total, item="")
            self._progress = progress

            def step(message: str) -> None:
                progress.update(task, advance=1, item=_short(message))

            try:
                yield step
            finally:
                self._progress = None


def _short(message: str, width: int = 48) -> str:
    """The step's message cut to fit beside the bar.

    >>> _short("reading " + "x" * 60)
    'reading xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'
    """
    text = " ".join(message.split())
    return text if len(text) <= width else text[: width - 1] + "…"
