"""`bpm scan --publish SITE_DIR` end to end: real subprocesses, killed runs, the lock, exact messages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from reports.outdir import MARKER, lock_folder

REPO = Path(__file__).resolve().parents[2]
PAIR = REPO / "tests" / "data" / "diff"


def run_bpm(*args: str, epoch: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    return subprocess.run([sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=600, env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def versions(site: Path) -> list[int]:
    ledger = json.loads((site / "versions" / "history.json").read_text(encoding="utf-8"))
    return [len(flow["versions"]) for flow in ledger["flows"]]


def test_publish_keeps_versions_and_a_killed_run_leaves_the_previous_site(tmp_path: Path) -> None:
    flows, site = tmp_path / "flows", tmp_path / "site"
    flows.mkdir()
    shutil.copyfile(PAIR / "juminhyo_before.bpmn", flows / "juminhyo.bpmn")
    started = time.monotonic()
    first = run_bpm("scan", str(flows), "--publish", str(site), epoch=1714521600)
    duration = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    assert "bpm: 1 new version(s), 0 flow(s) removed (廃止)" in first.stderr
    assert first.stderr.strip().splitlines()[-1].startswith(f"report written to {site} (")
    published = snapshot(site)
    assert versions(site) == [1]

    shutil.copyfile(PAIR / "juminhyo_after.bpmn", flows / "juminhyo.bpmn")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1717200000"}
    for fraction in (0.5, 0.9):
        run = subprocess.Popen([sys.executable, "-m", "bpm.cli", "-q", "scan", str(flows), "--publish", str(site)],
                               cwd=REPO, stderr=subprocess.DEVNULL, env=env)
        time.sleep(duration * fraction)
        run.kill()
        run.wait()
        now = snapshot(site)
        assert (site / MARKER).is_file()
        if versions(site) == [1]:
            assert now == published, fraction  # the old site, whole and unchanged
        else:
            assert versions(site) == [2], fraction  # the swap happened just before the kill: the new site, whole
            assert "</html>" in (site / "changes.html").read_text(encoding="utf-8")

    second = run_bpm("scan", str(flows), "--publish", str(site), epoch=1717200000)
    assert second.returncode == 0, second.stderr
    assert versions(site) == [2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flows", "site"]  # no staging folder or lock left
    again = run_bpm("scan", str(flows), "--publish", str(site), epoch=1717300000)
    assert again.returncode == 0, again.stderr
    assert f"bpm: {site} is already up to date: no new version, nothing written" in again.stderr
    kept = snapshot(site)
    plain = run_bpm("scan", str(flows), "--out", str(site), epoch=1717300000)
    assert plain.returncode == 1
    assert f"{site} is a published site with a version history; --out would replace it without the history" in (
        plain.stderr)
    assert snapshot(site) == kept


def test_out_and_publish_together_are_a_usage_error(tmp_path: Path) -> None:
    result = run_bpm("scan", str(PAIR), "--out", str(tmp_path / "a"), "--publish", str(tmp_path / "b"), epoch=0)
    assert result.returncode == 2
    assert "give either --out or --publish, not both" in result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_second_publish_to_the_same_site_is_refused_at_once(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with lock_folder(site):
        result = run_bpm("scan", str(PAIR), "--publish", str(site), epoch=0)
    assert result.returncode == 1
    assert f"another bpm scan is writing {site} right now" in result.stderr
    assert not site.exists()
