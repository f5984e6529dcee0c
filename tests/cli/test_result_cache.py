"""The read and per-flow scoring caches through the CLI: a warm run, a cold run and ``BPM_CACHE_DIR=off``
write the same bytes, and a changed flow is read and scored again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"


def _score(folder: Path, out: Path, cache: str, jobs: str = "2") -> bytes:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "BPM_CACHE_DIR": cache}
    done = subprocess.run([sys.executable, "-m", "bpm.cli", "-q", "score", str(folder), "-o", str(out), "-j", jobs],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=900)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def _entries(folder: Path, kind: str) -> set[Path]:
    return set((folder / kind).rglob("*.pickle"))


@pytest.mark.slow
def test_score_is_the_same_cold_warm_and_off_and_a_changed_flow_is_redone(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("koseki.bpmn", "juminhyo.bpmn", "inkan.bpmn", "survey.xlsx"):
        shutil.copy(FLOWS / name, folder / name)
    cache = tmp_path / "cache"
    off = _score(folder, tmp_path / "off.json", "off")
    cold = _score(folder, tmp_path / "cold.json", str(cache))
    reads, flows = _entries(cache, "reads"), _entries(cache, "flows")
    assert len(reads) == 3 and len(flows) >= 6
    warm = _score(folder, tmp_path / "warm.json", str(cache), jobs="1")
    assert _entries(cache, "reads") == reads and _entries(cache, "flows") == flows  # all from the cache
    assert cold == off and warm == off
    flow = folder / "juminhyo.bpmn"
    flow.write_text(flow.read_text(encoding="utf-8").replace('name="本人確認"', 'name="本人確認（窓口）"', 1),
                    encoding="utf-8")
    changed_off = _score(folder, tmp_path / "changed-off.json", "off")
    changed = _score(folder, tmp_path / "changed.json", str(cache))
    assert changed == changed_off != off
    assert len(_entries(cache, "reads") - reads) == 1
    assert 2 <= len(_entries(cache, "flows") - flows) < len(flows)
