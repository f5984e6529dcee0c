"""``--jobs``: the same site and tables byte for byte for any number of processes, and clean errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"


def run_bpm(*args: str, seed: str = "0", cache: str = "off") -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess; a fixed build time, a chosen string-hash seed (set and dict orders vary with it)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONHASHSEED": seed, "BPM_CACHE_DIR": cache}
    return subprocess.run(
        [sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=900
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def portfolio(tmp_path: Path) -> Path:
    """The sample flows twice over (a second folder of copies: ids shared across files, as versions of one
    procedure share them), with their survey sheet."""
    folder = tmp_path / "in"
    shutil.copytree(FLOWS, folder / "2024")
    shutil.copytree(FLOWS, folder / "2025", ignore=shutil.ignore_patterns("survey.*", "README.md"))
    shutil.copy(FLOWS / "survey.xlsx", folder / "survey.xlsx")
    return folder


@pytest.mark.slow
def test_scan_with_two_jobs_writes_the_same_site_as_one(tmp_path: Path) -> None:
    folder = portfolio(tmp_path)
    one = run_bpm("-q", "scan", str(folder), "--out", str(tmp_path / "one"), "--jobs", "1", seed="1")
    assert one.returncode == 0, one.stderr
    two = run_bpm("-q", "scan", str(folder), "--out", str(tmp_path / "two"), "--jobs", "2", seed="2")
    assert two.returncode == 0, two.stderr
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert sorted(first) == sorted(second)
    assert len([name for name in first if name.startswith("flow-")]) >= 8
    assert any(name.endswith(".png") for name in first) and any(name.endswith(".pdf") for name in first)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


@pytest.mark.slow
def test_a_rescan_prints_only_the_changed_flows_pictures(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(FLOWS, folder)
    cache = tmp_path / "cache"
    first = run_bpm("-q", "scan", str(folder), "--out", str(tmp_path / "site"), "--jobs", "2", cache=str(cache))
    assert first.returncode == 0, first.stderr
    stored = {p.name for p in cache.rglob("*.png")} | {p.name for p in cache.rglob("*.pdf")}
    site = tree(tmp_path / "site")
    printed = [name for name in site if name.endswith((".png", ".pdf"))]
    assert 0 < len({site[name] for name in printed}) <= len(stored) <= len(printed)  # one copy per distinct SVG
    changed = folder / "juminhyo.bpmn"
    text = changed.read_text(encoding="utf-8")
    assert 'name="本人確認"' in text
    changed.write_text(text.replace('name="本人確認"', 'name="本人確認（改）"', 1), encoding="utf-8")
    again = run_bpm("-q", "scan", str(folder), "--out", str(tmp_path / "site"), "--jobs", "2", cache=str(cache))
    assert again.returncode == 0, again.stderr
    now = {p.name for p in cache.rglob("*.png")} | {p.name for p in cache.rglob("*.pdf")}
    rescanned = tree(tmp_path / "site")
    changed_copies = [name for name in rescanned if name.endswith((".png", ".pdf")) and rescanned[name] != site[name]]
    # Only the changed flow's sheets are printed again (PNG and PDF): the portfolio-wide figures in other
    # flows' tooltips (a shared scenario's cash effect) are not on paper, so their sheets come from the cache.
    assert len(now - stored) == 2
    assert len(changed_copies) == 2 and all(name.startswith("diagrams/juminhyo") for name in changed_copies)
    # ... and the result is what a scan from scratch, with no cache at all, writes.
    fresh = run_bpm("-q", "scan", str(folder), "--out", str(tmp_path / "fresh"), "--jobs", "1", cache="off")
    assert fresh.returncode == 0, fresh.stderr
    assert tree(tmp_path / "fresh") == rescanned


def test_score_with_two_jobs_writes_the_same_table_as_one(tmp_path: Path) -> None:
    folder = portfolio(tmp_path)
    for jobs, seed in (("1", "3"), ("2", "4")):
        result = run_bpm("score", str(folder), "--out", str(tmp_path / f"results-{jobs}.json"), "--jobs", jobs,
                         seed=seed)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "results-1.json").read_bytes() == (tmp_path / "results-2.json").read_bytes()


def test_an_unreadable_file_is_named_with_its_line_whatever_the_jobs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.bpmn", "c.bpmn", "d.bpmn"):
        shutil.copy(FLOWS / "juminhyo.bpmn", folder / name)
    (folder / "b.bpmn").write_text(
        '<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n'
        '  <process id="P"><task id="T1"></process>\n</definitions>\n',
        encoding="utf-8",
    )
    messages = []
    for jobs in ("1", "2"):
        result = run_bpm("score", str(folder), "--out", str(tmp_path / "r.csv"), "--jobs", jobs)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        messages.append(result.stderr.strip().splitlines()[-1])
    assert messages[0] == messages[1]
    assert messages[0].startswith(f"{folder / 'b.bpmn'}:3:")


def test_jobs_must_be_a_positive_number(tmp_path: Path) -> None:
    result = run_bpm("score", str(FLOWS), "--out", str(tmp_path / "r.csv"), "--jobs", "0")
    assert result.returncode == 2
    assert "--jobs" in result.stderr and "1 or more" in result.stderr
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.slow
def test_a_published_site_with_two_jobs_is_the_same_as_with_one(tmp_path: Path) -> None:
    """``scan --publish``: the live pages, the stored versions, the diff pages and the ledger alike."""
    folder = tmp_path / "in"
    shutil.copytree(FLOWS, folder)
    sites = {jobs: tmp_path / f"site-{jobs}" for jobs in ("1", "2")}
    for jobs, site in sites.items():
        result = run_bpm("-q", "scan", str(folder), "--publish", str(site), "--jobs", jobs, seed=jobs)
        assert result.returncode == 0, result.stderr
    flow = folder / "juminhyo.bpmn"
    text = flow.read_text(encoding="utf-8")
    changed = text.replace('name="', 'name="確認・', 1)
    assert changed != text
    flow.write_text(changed, encoding="utf-8")
    for jobs, site in sites.items():
        result = run_bpm("-q", "scan", str(folder), "--publish", str(site), "--jobs", jobs, seed=jobs)
        assert result.returncode == 0, result.stderr
    first, second = tree(sites["1"]), tree(sites["2"])
    assert sorted(first) == sorted(second)
    assert len([name for name in first if name.startswith("versions/") and name.endswith(".bpmn")]) >= 5
    assert any(name.endswith("diff.html") or "/diff" in name for name in first), sorted(first)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
