"""The page cache through ``bpm scan``: a cold, a warm and a cache-less scan write the same
site, and after one flow changed only the pages that show it are rendered again — the rest come from the store,
and the site is still byte for byte what a scan without any cache writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"


def _scan(folder: Path, out: Path, cache: str, jobs: str = "2") -> dict[str, bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "BPM_CACHE_DIR": cache}
    done = subprocess.run([sys.executable, "-m", "bpm.cli", "-q", "scan", str(folder), "--out", str(out), "-j", jobs],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=900)
    assert done.returncode == 0, done.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _entries(cache: Path, kind: str) -> set[Path]:
    return set((cache / kind).rglob("*.pickle"))


@pytest.mark.slow
def test_a_warm_rescan_writes_the_site_a_scan_without_cache_writes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("koseki.bpmn", "juminhyo.bpmn", "inkan.bpmn", "survey.xlsx"):
        shutil.copy(FLOWS / name, folder / name)
    cache = tmp_path / "cache"
    off = _scan(folder, tmp_path / "off", "off")
    cold = _scan(folder, tmp_path / "site", str(cache))
    pages = _entries(cache, "pages")
    html = [name for name in cold if name.endswith(".html")]
    flow_pages = [name for name in html if name.startswith("flow-")]
    assert len(flow_pages) <= len(pages) <= len(html)
    warm = _scan(folder, tmp_path / "site", str(cache), jobs="1")
    assert _entries(cache, "pages") == pages  # nothing rendered
    assert cold == off and warm == off

    flow = folder / "juminhyo.bpmn"
    flow.write_text(flow.read_text(encoding="utf-8").replace('name="本人確認"', 'name="本人確認（窓口）"', 1),
                    encoding="utf-8")
    changed = _scan(folder, tmp_path / "site", str(cache))
    changed_off = _scan(folder, tmp_path / "changed-off", "off")
    assert changed == changed_off != off
    rendered = len(_entries(cache, "pages") - pages)
    assert 0 < rendered < len(html)  # some pages came from the store
    assert any(changed[name] != off[name] for name in flow_pages)  # the changed flow's page was made again
