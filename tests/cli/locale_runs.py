"""Running the real command under a chosen locale, for the tests of what a Japanese or English run prints.

Shared by the click-text and library-error tests: both must see the command as a user with that locale would,
without the suite's own BPM_LANG=en (tests/conftest.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LEGAL = REPO / "tests" / "data" / "legal"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
"""Any hiragana, katakana or kanji: the text is (at least partly) Japanese."""


def run_bpm(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own, with the locale variables given (none of the suite's)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"BPM_LANG", "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"}}
    return subprocess.run([sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300, env={**clean, **env})
