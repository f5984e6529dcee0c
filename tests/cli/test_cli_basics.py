"""The `bpm` command as users run it: real entry point, real files, exact messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"
MIWG = REPO.parent / "shared" / "miwg"


def run_bpm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI module in a subprocess, exactly as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "bpm.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        timeout=120,
    )


def test_missing_file_is_one_line_error_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.bpmn"
    result = run_bpm("inspect", str(missing))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{missing}: file not found (check the path)"
    assert "Traceback" not in result.stderr


def test_non_bpmn_xml_names_file_line_and_root(tmp_path: Path) -> None:
    svg = tmp_path / "picture.bpmn"
    svg.write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n', encoding="utf-8")
    result = run_bpm("lint", str(svg))
    assert result.returncode == 1
    assert f"{svg}:2: not a BPMN 2.0 file: root element is <svg>" in result.stderr
    assert "Traceback" not in result.stderr


def test_hostile_entity_file_is_refused_with_its_name(tmp_path: Path) -> None:
    hostile = tmp_path / "laughs.bpmn"
    hostile.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&b;</definitions>\n',
        encoding="utf-8",
    )
    result = run_bpm("graph", str(hostile))
    assert result.returncode == 1
    assert str(hostile) in result.stderr
    assert "DTD" in result.stderr
    assert "Traceback" not in result.stderr


def test_truncated_file_reports_line(tmp_path: Path) -> None:
    cut = tmp_path / "cut.bpmn"
    cut.write_text(
        '<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n'
        '  <process id="p">\n    <task id="t" name="入力"',
        encoding="utf-8",
    )
    result = run_bpm("inspect", str(cut))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{cut}:4: malformed XML")


def test_size_limit_option_applies(tmp_path: Path) -> None:
    big = tmp_path / "big.bpmn"
    big.write_bytes(b'<?xml version="1.0"?>\n<!--' + b"x" * 300_000 + b"-->\n")
    result = run_bpm("--max-size", "0.1", "inspect", str(big))
    assert result.returncode == 1
    assert "over the 0.1 MB limit" in result.stderr


def test_usage_error_exits_2() -> None:
    result = run_bpm("graph")
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


def test_directory_without_bpmn_is_an_error(tmp_path: Path) -> None:
    result = run_bpm("lint", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path}: no BPMN files" in result.stderr


@pytest.mark.skipif(not MIWG.is_dir(), reason="MIWG reference files not present next to the repo")
def test_graph_json_keeps_endpoints_and_locations(tmp_path: Path) -> None:
    out = tmp_path / "a41.json"
    result = run_bpm("graph", str(MIWG / "Reference" / "A.4.1.bpmn"), "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    node_ids = {node["id"] for node in data["nodes"]}
    assert data["edges"], "expected sequence and message flows"
    for edge in data["edges"]:
        assert edge["source"] in node_ids and edge["target"] in node_ids
        assert edge["location"].startswith(str(MIWG / "Reference" / "A.4.1.bpmn") + ":")
    kinds = {edge["kind"] for edge in data["edges"]}
    assert kinds == {"sequence", "message"}


@pytest.mark.skipif(not MIWG.is_dir(), reason="MIWG reference files not present next to the repo")
def test_graph_graphml_is_readable_by_networkx(tmp_path: Path) -> None:
    import networkx as nx

    out = tmp_path / "b20.graphml"
    result = run_bpm("graph", str(MIWG / "Reference" / "B.2.0.bpmn"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    graph = nx.read_graphml(out)
    assert graph.number_of_nodes() > 20
    kinds = {data["kind"] for _, data in graph.nodes(data=True)}
    assert {"userTask", "exclusiveGateway", "boundaryEvent"} <= kinds


def test_inspect_summarises_samples() -> None:
    samples = sorted(FLOWS.glob("*.bpmn"))
    if not samples:
        pytest.skip("no sample flows yet")
    result = run_bpm("inspect", str(FLOWS))
    assert result.returncode == 0, result.stdout + result.stderr
    for sample in samples:
        assert str(sample) in result.stdout
    assert "lanes:" in result.stdout
    assert "findings: none" in result.stdout or "warning" in result.stdout
