"""Progress bars: shown on a terminal, never in a log or a pipe, never under --quiet."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from bpm.progress import Reporter

REPO = Path(__file__).resolve().parents[2]
COUNTER = REPO / "tests" / "data" / "scoring" / "counter.bpmn"
BAR = "━"
"""rich draws its bars with this character."""


class Terminal(io.StringIO):
    """A stream that says it is a terminal (what a person's shell gives the command)."""

    def isatty(self) -> bool:
        return True


def work(reporter: Reporter) -> None:
    reporter.line("using survey sheet x.csv")
    with reporter.stage("読み込み / reading", 3) as step:
        for index in range(1, 4):
            step(f"[{index}/3] reading f{index}.bpmn")


def test_a_log_gets_plain_lines_and_no_bar() -> None:
    log = io.StringIO()
    work(Reporter(quiet=False, stream=log))
    assert log.getvalue() == ("using survey sheet x.csv\n[1/3] reading f1.bpmn\n[2/3] reading f2.bpmn\n"
                              "[3/3] reading f3.bpmn\n")


def test_a_terminal_gets_a_bar_and_the_other_messages_above_it() -> None:
    terminal = Terminal()
    work(Reporter(quiet=False, stream=terminal))
    shown = terminal.getvalue()
    assert BAR in shown and "読み込み / reading" in shown and "3/3" in shown
    assert "using survey sheet x.csv" in shown
    assert "[1/3] reading f1.bpmn\n" not in shown  # the steps are the bar's, not lines of their own


def test_quiet_shows_nothing_even_on_a_terminal() -> None:
    terminal = Terminal()
    work(Reporter(quiet=True, stream=terminal))
    assert terminal.getvalue() == ""


def run_on_terminal(*args: str, timeout: float = 240) -> str:
    """Run ``bpm`` with its stderr on a pseudo-terminal; return everything it showed there."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "bpm.cli", *args], cwd=REPO, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=child, env=env)
    os.close(child)
    shown = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1.0)
            if ready:
                try:
                    data = os.read(main, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                shown += data
            elif process.poll() is not None:
                break
    finally:
        os.close(main)
        process.wait(timeout=30)
    assert process.returncode == 0, shown.decode("utf-8", "replace")
    return shown.decode("utf-8", "replace")


def test_score_on_a_terminal_shows_bars_and_in_a_pipe_does_not(tmp_path: Path) -> None:
    shown = run_on_terminal("--lang", "ja", "score", str(COUNTER), "--out", str(tmp_path / "a.csv"))
    assert BAR in shown and "読み込み" in shown and "評価" in shown  # labels in the reader's language (issue 10)
    assert f"{tmp_path / 'a.csv'} を書き出しました（7手順）" in shown and "reading" not in shown

    piped = subprocess.run([sys.executable, "-m", "bpm.cli", "score", str(COUNTER), "--out", str(tmp_path / "b.csv")],
                           cwd=REPO, capture_output=True, text=True, timeout=240)
    assert piped.returncode == 0, piped.stderr
    assert BAR not in piped.stderr and "\x1b[" not in piped.stderr and "\r" not in piped.stderr
    assert f"[1/1] reading {COUNTER}" in piped.stderr  # a log still says what was done

    quiet = run_on_terminal("--quiet", "score", str(COUNTER), "--out", str(tmp_path / "c.csv"))
    assert BAR not in quiet and "\x1b[?25l" not in quiet  # no bar, the cursor never hidden
    assert f"wrote {tmp_path / 'c.csv'}" in quiet
