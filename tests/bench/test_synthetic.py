"""The benchmark's generators: exact sizes, determinism, and flows that real tools read cleanly."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

# bench/ is not an installed package: the repository root must be importable (no conftest.py here,
# whose module name would clash with tests/conftest.py under --doctest-modules).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.municipal import CATALOGUE, CityLayout, make_cities, similar_group, write_municipalities
from bench.portfolio import PortfolioSpec, revise_flow, write_portfolio
from bench.synthetic import CONTRACTOR_LANE, FlowSpec, synthetic_flow
from bpm.graph import process_graph
from bpm.lint import Severity, lint
from bpm.model import EventKind
from bpm.reader import read_bpmn, read_bpmn_bytes
from scoring.profile import load_profile
from scoring.survey import load_survey

DI = "http://www.omg.org/spec/BPMN/20100524/DI"


@pytest.mark.parametrize("tasks", [1, 7, 50, 333])
def test_flow_has_exactly_the_tasks_asked_for_and_no_lint_finding(tasks: int) -> None:
    flow = synthetic_flow(FlowSpec(tasks=tasks, seed=tasks))
    definitions = read_bpmn_bytes(flow.xml, f"synthetic-{tasks}.bpmn")
    (process,) = definitions.processes.values()
    activities = [n for n in process.nodes.values() if n.kind.value.endswith("Task")]
    assert len(activities) == tasks == flow.task_count
    findings = [f for f in lint(definitions) if f.severity in (Severity.ERROR, Severity.WARNING)]
    assert findings == []


def test_flow_is_realistic_lanes_loops_boundary_timer_message_flows_and_full_di() -> None:
    flow = synthetic_flow(FlowSpec(tasks=200, seed=3))
    definitions = read_bpmn_bytes(flow.xml, "synthetic.bpmn")
    (process,) = definitions.processes.values()
    kinds = {n.kind for n in process.nodes.values()}
    assert EventKind.BOUNDARY in kinds
    assert len(process.lanes) >= 3
    assert len(list(definitions.message_flows())) == 2
    assert not nx.is_directed_acyclic_graph(process_graph(definitions, process.id))  # rework loops
    root = etree.fromstring(flow.xml)
    with_shape = {e.get("bpmnElement") for e in root.iter(f"{{{DI}}}BPMNShape")}
    with_edge = {e.get("bpmnElement") for e in root.iter(f"{{{DI}}}BPMNEdge")}
    assert set(process.nodes) <= with_shape
    assert set(process.flows) <= with_edge
    assert any(n.properties.get("minutes") for n in process.nodes.values())


def test_same_spec_same_bytes_other_seed_other_flow() -> None:
    assert synthetic_flow(FlowSpec(tasks=60, seed=1)).xml == synthetic_flow(FlowSpec(tasks=60, seed=1)).xml
    assert synthetic_flow(FlowSpec(tasks=60, seed=1)).xml != synthetic_flow(FlowSpec(tasks=60, seed=2)).xml


def test_numbered_ids_are_shared_across_files_random_ids_are_not() -> None:
    def ids(spec: FlowSpec) -> set[str]:
        return {e.get("id") for e in etree.fromstring(synthetic_flow(spec).xml).iter() if e.get("id")}

    assert len(ids(FlowSpec(seed=1)) & ids(FlowSpec(seed=2))) == 0
    shared = ids(FlowSpec(seed=1, id_style="numbered")) & ids(FlowSpec(seed=2, id_style="numbered"))
    assert {"Activity_1", "Flow_1", "Process_1"} <= shared


def test_outsourced_share_puts_counter_work_in_a_contractor_lane() -> None:
    definitions = read_bpmn_bytes(synthetic_flow(FlowSpec(tasks=80, outsourced_share=0.9)).xml, "x.bpmn")
    (process,) = definitions.processes.values()
    contractor = [lane for lane in process.lanes if lane.name == CONTRACTOR_LANE]
    assert contractor and contractor[0].node_ids


def test_bpmn_moddle_reads_the_flow_without_warnings(js_peers: Path, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed")
    target = tmp_path / "flow.bpmn"
    target.write_bytes(synthetic_flow(FlowSpec(tasks=120, seed=5, outsourced_share=0.3)).xml)
    script = ("const fs=require('fs');const {BpmnModdle}=require('bpmn-moddle');"
              "new BpmnModdle().fromXML(fs.readFileSync(process.argv[1],'utf8'))"
              ".then(r=>console.log(JSON.stringify(r.warnings.map(w=>w.message))))")
    done = subprocess.run([node, "-e", script, str(target)], cwd=js_peers.parent, capture_output=True, text=True,
                          timeout=120, check=True)
    assert json.loads(done.stdout) == []


def test_portfolio_survey_rows_name_real_elements_and_revision_changes_one_file(tmp_path: Path) -> None:
    folder = write_portfolio(tmp_path / "p", PortfolioSpec(flows=3, tasks=20))
    files = sorted(folder.glob("*.bpmn"))
    assert len(files) == 3
    ids = {str(i) for f in files for i in _ids(read_bpmn(f))}
    names = {p.name for f in files for p in read_bpmn(f).processes.values()}
    with (folder / "survey.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["業務"] for r in rows} == names
    assert {r["手順ID"] for r in rows if r["手順ID"]} <= ids
    before = [f.read_bytes() for f in files]
    revise_flow(folder, PortfolioSpec(flows=3, tasks=20))
    after = [f.read_bytes() for f in files]
    assert [a != b for a, b in zip(before, after, strict=True)] == [True, False, False]


def _ids(definitions: object) -> set[str]:
    processes = definitions.processes.values()  # type: ignore[attr-defined]
    return {i for p in processes for i in (*p.nodes, *p.flows)}


def test_similar_group_bands() -> None:
    assert similar_group("市", 30_000, 2) == "都市Ⅰ-2"
    assert similar_group("市", 120_000, 0) == "都市Ⅲ-0"
    assert similar_group("市", 300_000, 1) == "中核市"
    assert similar_group("町", 12_000, 1) == "町村Ⅲ-1"
    assert similar_group("村", 800, 0) == "町村Ⅰ-0"
    assert similar_group("区", 500_000, 0) == "特別区"


def test_municipalities_have_metadata_profile_survey_and_flows_that_load(tmp_path: Path) -> None:
    folders = write_municipalities(tmp_path, 3, 4, seed=2)
    cities = make_cities(3, seed=2)
    assert len(folders) == 3
    for folder, city in zip(folders, cities, strict=True):
        meta = tomllib.loads((folder / "municipality.toml").read_text(encoding="utf-8"))
        assert meta["団体名"] == city.name and meta["人口"] == city.population and meta["illustrative"] is True
        assert {"類似団体区分", "年度", "団体コード"} <= set(meta)
        assert load_profile(folder / "profile.toml").cost.staff_yen_per_hour == city.staff_yen_per_hour
        load_survey(folder / "survey.csv")
        flows = sorted((folder / "flows").glob("*.bpmn"))
        assert [f.stem for f in flows] == [p.code for p in CATALOGUE[:4]]
        procedures = {p.properties.get("procedure") for f in flows for p in read_bpmn(f).processes.values()}
        assert procedures == {p.catalogue for p in CATALOGUE[:4]}  # catalogue keys, as bpm compare groups them


def test_municipal_layout_is_a_parameter(tmp_path: Path) -> None:
    layout = CityLayout(metadata_file="meta.json", metadata_keys="en", flows_dir="", procedure_tag="mapping")
    (folder,) = write_municipalities(tmp_path, 1, 3, layout=layout)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert {"code", "name", "population", "similar_group", "fiscal_year"} <= set(meta)
    assert len(list(folder.glob("*.bpmn"))) == 3
    with (folder / "procedures.csv").open(encoding="utf-8-sig", newline="") as handle:
        mapping = list(csv.DictReader(handle))
    assert [m["標準手続"] for m in mapping] == [p.catalogue for p in CATALOGUE[:3]]
    names = {p.name for f in folder.glob("*.bpmn") for p in read_bpmn(f).processes.values()}
    assert names == {m["業務"] for m in mapping}
