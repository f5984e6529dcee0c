"""The hostile-input suite's runner: every case is a real ``bpm`` run in a process with bounded memory and time.

Cases run through :mod:`forkserver` (see there why), each in a fresh folder
holding the case's input files; the :class:`Outcome` gives the exit code,
stdout/stderr, time and peak memory, and the folder to inspect outputs in.

Budgets (generous for a 2-core CI machine, far below what the failures of
issue 8 took): :data:`CASE_SECONDS` wall-clock seconds per case and
:data:`CASE_MEMORY` bytes of address space above what the pre-imported parent
already maps.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

CASE_SECONDS = 60.0
"""Wall-clock limit of one case: every case of the suite takes well under a few seconds."""
CASE_MEMORY = 1 << 30
"""Address space a case may add to the parent's (1 GiB); the issue's runaway cases needed 3–75 GiB."""
PEAK_RSS_KB = 1_000_000
"""Resident memory one case may reach (about 1 GB, parent's pages included)."""


@dataclass(frozen=True)
class Outcome:
    """What one ``bpm`` run did."""

    args: tuple[str, ...]
    code: int | None
    signal: int | None
    seconds: float
    max_rss_kb: int
    timed_out: bool
    stdout: str
    stderr: str
    folder: Path

    def describe(self) -> str:
        return (f"bpm {' '.join(self.args)} → code {self.code} signal {self.signal} in {self.seconds:.1f}s, "
                f"{self.max_rss_kb // 1024} MB\nstderr:\n{self.stderr[-3000:]}")


class Runner:
    """Sends cases to one fork server for the whole session."""

    def __init__(self) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
        self._process = subprocess.Popen(
            [sys.executable, str(HERE / "forkserver.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, env=env, cwd=REPO,
        )
        assert self._process.stdout is not None
        hello = json.loads(self._process.stdout.readline())
        self.memory = int(hello["vm_kb"]) * 1024 + CASE_MEMORY
        self._root = Path(tempfile.mkdtemp(prefix="bpm-hostile-"))
        self._count = 0

    def run(self, args: Sequence[str], files: Mapping[str, bytes], *, keep: bool = False) -> Outcome:
        """Write ``files`` into a fresh folder and run ``bpm args`` there."""
        self._count += 1
        folder = self._root / f"case{self._count}"
        folder.mkdir()
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        assert self._process.stdin is not None and self._process.stdout is not None
        request = {"args": list(args), "cwd": str(folder), "timeout": CASE_SECONDS, "memory": self.memory}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        outcome = Outcome(
            tuple(args), answer["code"], answer["signal"], answer["seconds"], answer["max_rss_kb"],
            answer["timed_out"], _text(folder / "stdout.txt"), _text(folder / "stderr.txt"), folder,
        )
        if not keep:
            _cleanup_later.append(folder)
        return outcome

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)
        shutil.rmtree(self._root, ignore_errors=True)


_cleanup_later: list[Path] = []
"""Case folders to remove when the current test ends."""


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
