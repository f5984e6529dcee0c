"""The procedure catalogue and the template check: every counter procedure, its decisions, the coarse 婚姻届."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpm.errors import BpmError
from bpm.model import Definitions, FlowNode, Process
from bpm.reader import read_bpmn, read_bpmn_bytes
from scoring.assess import assess
from scoring.legal import template_findings
from scoring.procedures import check_template, default_catalogue, load_catalogue, procedure_for
from scoring.profile import ProcedureOverlay, load_profile
from scoring.result import Disposition, LegalClass, LegalSource

DATA = Path(__file__).resolve().parents[1] / "data" / "legal"
CATALOGUE = default_catalogue()

SECTIONS = {
    # counter-procedures.md §1–§14 → catalogue key (the headings, as a flow would be named)
    "転入届": "jumin_ido", "転出届": "jumin_ido", "転居届": "jumin_ido", "世帯変更届": "jumin_ido",
    "住民票の写し等の交付": "juminhyo_kofu", "コンビニ交付": "conbini", "郵送請求": "yuso_seikyu",
    "印鑑登録": "inkan_toroku", "印鑑登録証明書の交付": "inkan_shomei", "戸籍届出（出生・婚姻・死亡）": "koseki_todoke",
    "戸籍証明書の交付": "koseki_shomei", "マイナンバーカード交付・電子証明書更新": "mynumber",
    "国民健康保険 加入・喪失": "kokuho", "国民年金 資格取得": "nenkin", "児童手当 認定請求": "jido_teate",
    "転入等に伴う付随業務（ワンストップ）": "onestop",
    "Marriage registration at the counter": "koseki_todoke", "Issuing a certificate of residence": "juminhyo_kofu",
}


def named_process(name: str, properties: str = "") -> Definitions:
    extension = (f'<extensionElements><camunda:properties>{properties}</camunda:properties></extensionElements>'
                 if properties else "")
    xml = (f'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
           f'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d"><process id="p" name="{name}">{extension}'
           f'<task id="t" name="受付"/></process></definitions>')
    return read_bpmn_bytes(xml.encode(), "x.bpmn")


@pytest.mark.parametrize(("name", "key"), sorted(SECTIONS.items()))
def test_every_counter_procedure_is_matched_by_its_name(name: str, key: str) -> None:
    found = procedure_for(named_process(name).processes["p"])  # type: ignore[index]
    assert found.procedure is not None and found.procedure.key == key, name
    assert found.match is not None and found.match.matched_by == "name"


def test_the_catalogue_entries_carry_sources_notices_and_the_required_decisions() -> None:
    for procedure in CATALOGUE.procedures:
        assert procedure.source and all(d.source for d in procedure.decisions), procedure.key
        if procedure.on_list:
            assert procedure.list_item and procedure.notices, procedure.key
            assert any("内閣府" in n.ja for n in procedure.notices), procedure.key
    decisions = {p.key: [d.key for d in p.decisions] for p in CATALOGUE.procedures}
    assert decisions["koseki_todoke"] == ["juri", "kyogo"]  # 受理／不受理の決定, 校合・決裁
    assert decisions["jumin_ido"] == ["shinsa", "kessai"]  # 審査, 決裁
    for key in ("juminhyo_kofu", "koseki_shomei", "yuso_seikyu"):
        assert decisions[key] == ["kofu_kahi"], key  # 交付可否の判断
    koseki = CATALOGUE.get("koseki_todoke")
    assert koseki is not None and "民一第317号" in koseki.basis_ja
    off_list = {p.key for p in CATALOGUE.procedures if not p.on_list}
    assert {"jido_teate", "nenkin", "mynumber", "conbini", "onestop"} <= off_list


def test_longest_alias_and_strong_aliases_win() -> None:
    assert procedure_for(named_process("印鑑登録証明書の交付").processes["p"]).procedure.key == "inkan_shomei"  # type: ignore[index,union-attr]
    assert procedure_for(named_process("戸籍証明書の交付").processes["p"]).procedure.key == "koseki_shomei"  # type: ignore[index,union-attr]
    assert procedure_for(named_process("証明書交付テスト").processes["p"]).procedure.key == "juminhyo_kofu"  # type: ignore[index,union-attr]


def test_the_procedure_property_wins_and_an_unknown_one_is_reported() -> None:
    by_key = procedure_for(named_process("窓口A", '<camunda:property name="procedure" value="koseki_todoke"/>')
                           .processes["p"])  # type: ignore[index]
    assert by_key.procedure is not None and by_key.procedure.key == "koseki_todoke"
    assert by_key.match is not None and by_key.match.matched_by == "property"
    by_alias = procedure_for(named_process("転入届", '<camunda:property name="procedure" value="婚姻届"/>')
                             .processes["p"])  # type: ignore[index]
    assert by_alias.procedure is not None and by_alias.procedure.key == "koseki_todoke"
    unknown = procedure_for(named_process("転入届", '<camunda:property name="procedure" value="nope"/>')
                            .processes["p"])  # type: ignore[index]
    assert unknown.procedure is None and "'nope' names no procedure" in unknown.problem


def test_the_coarse_marriage_flow_hides_both_decisions_in_reception_and_hand_over() -> None:
    definitions = read_bpmn(DATA / "konin_coarse.bpmn")
    process = definitions.processes["Process_Konin"]  # type: ignore[index]
    koseki = CATALOGUE.get("koseki_todoke")
    assert koseki is not None
    check = check_template(process, tuple(process.nodes[i] for i in ("T_Uketsuke", "T_Kisai", "T_Shomei")),  # type: ignore[index]
                           koseki)
    assert check.found == ()
    assert [(m.decision.key, m.hidden_in) for m in check.missing] == [("juri", "T_Uketsuke"), ("kyogo", "T_Shomei")]
    findings = template_findings(definitions)
    assert [(f.rule, f.severity.value, f.element_id) for f in findings] == [
        ("procedure-decision-missing", "error", "T_Uketsuke"), ("procedure-decision-missing", "error", "T_Shomei")]
    assert "受理・不受理の決定" in findings[0].message and "受付・内容確認" in findings[0].message


def test_the_coarse_marriage_flow_is_not_outsourced_where_the_decision_hides() -> None:
    assessment = assess([read_bpmn(DATA / "konin_coarse.bpmn")], profile=load_profile())
    steps = {s.name: s for s in assessment.processes[0].steps}
    for name in ("受付・内容確認", "受理証明書の交付"):
        legal = steps[name].legal
        assert legal is not None and legal.legal_class is LegalClass.AUTHORITY, name
        assert any(c.source is LegalSource.TEMPLATE for c in legal.claims), name
        assert steps[name].disposition is Disposition.RETAIN, name
    assert steps["戸籍記載"].legal is not None and steps["戸籍記載"].legal.legal_class is not LegalClass.AUTHORITY
    assert [f.rule for f in assessment.findings if f.severity.value == "error"] == ["procedure-decision-missing"] * 2
    match = assessment.processes[0].procedure
    assert match is not None and match.key == "koseki_todoke" and match.list_item == "(8) 戸籍の届出"


def test_a_complete_flow_has_no_missing_decision() -> None:
    definitions = read_bpmn(DATA / "koseki_loop.bpmn")
    assert template_findings(definitions) == []
    process = definitions.processes["Process_Koseki"]  # type: ignore[index]
    koseki = CATALOGUE.get("koseki_todoke")
    assert koseki is not None
    steps = tuple(n for n in process.nodes.values() if n.id.startswith("T_"))
    found = {(f.decision.key, f.step_id) for f in check_template(process, steps, koseki).found}
    assert ("juri", "T_Shinsa") in found and ("kyogo", "T_Kyogo") in found
    assert not any(step == "T_Shomei" for _, step in found), "受理証明書 is a certificate, not the 受理 decision"


def test_a_profile_adds_decisions_but_never_removes_one(tmp_path: Path) -> None:
    overlay = ProcedureOverlay("koseki_todoke", {
        "source": "市の事務処理要領",
        "decisions": [{"key": "shokai", "name_ja": "受理照会", "name_en": "referral", "words_ja": ["受理照会"],
                       "words_en": [], "hidden_in": "reception", "source": "準則23条"}],
    }, str(tmp_path / "city.toml"), 3)
    koseki = load_catalogue([overlay]).get("koseki_todoke")
    assert koseki is not None and [d.key for d in koseki.decisions] == ["juri", "kyogo", "shokai"]
    assert "市の事務処理要領" in koseki.source



@pytest.mark.parametrize("seed", range(20))
def test_steps_before_and_after_match_networkx(seed: int) -> None:
    """The one-pass bit-set closure gives exactly networkx's ancestors/descendants among the steps.

    Random DAGs whose edges go to a larger distance (as the forward graph of a flow does), some nodes
    unreached (distance ``far``), a random half of the nodes being steps.
    """
    import random

    import networkx as nx

    from scoring.procedures import _steps_around

    rng = random.Random(seed)
    size = rng.randint(1, 60)
    far = size + 1
    distance = {n: rng.randint(0, size // 3 + 1) for n in range(size) if rng.random() < 0.9}
    forward = nx.DiGraph()
    forward.add_nodes_from(range(size))
    for u in distance:
        for v in distance:
            if distance[u] < distance[v] and rng.random() < 0.15:
                forward.add_edge(u, v)
    ids = sorted(rng.sample(range(size), k=size // 2 + 1 if size > 1 else 1))
    before, after = _steps_around(list(forward.nodes), forward.succ, forward.pred, ids, distance, far)
    steps = set(ids)
    for step in ids:
        assert before[step] == frozenset(nx.ancestors(forward, step) & steps)
        assert after[step] == frozenset(nx.descendants(forward, step) & steps)


def _networkx_flow_order(process: Process, steps: list[FlowNode]) -> tuple[object, ...]:
    """The template check's flow order as it was computed with two networkx graphs (the reference)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(process.nodes)
    graph.add_edges_from((f.source_id, f.target_id) for f in process.flows.values())
    for node in process.nodes.values():
        if node.attached_to is not None:
            graph.add_edge(node.attached_to, node.id)
        if node.parent_id is not None:
            graph.add_edge(node.parent_id, node.id)
    document = {node_id: i for i, node_id in enumerate(process.nodes)}
    roots = [n for n in graph.nodes if graph.in_degree(n) == 0] or list(process.nodes)[:1]
    distance: dict[str, int] = {}
    for root in roots:  # it sorted them by document.__getitem__: a dangling flow's source was a KeyError
        for node_id, d in nx.single_source_shortest_path_length(graph, root).items():
            distance[node_id] = min(d, distance.get(node_id, d))
    far = len(process.nodes) + 1
    forward = nx.DiGraph()
    forward.add_nodes_from(graph.nodes)
    forward.add_edges_from((u, v) for u, v in graph.edges if distance.get(u, far) < distance.get(v, far))
    ids = [s.id for s in steps]
    ranked = sorted(ids, key=lambda i: (distance.get(i, far), document.get(i, 0)))
    before = {s: frozenset(nx.ancestors(forward, s) & set(ids)) for s in ids}
    after = {s: frozenset(nx.descendants(forward, s) & set(ids)) for s in ids}
    return {s: i for i, s in enumerate(ranked)}, before, after


def test_flow_order_equals_the_networkx_reference_on_real_files() -> None:
    """Plain-dict flow order = the networkx one, on every process of flows/ and of the MIWG reference files.

    The MIWG files bring loops, boundary events, sub-processes and unconnected nodes from many tools.
    """
    from scoring.procedures import _flow_order
    from scoring.volumes import units_of

    here = Path(__file__).resolve()
    miwg = here.parents[3] / "shared" / "miwg"  # where tests/bpm/test_lint.py finds it; absent: flows/ only
    files = sorted((here.parents[2] / "flows").glob("*.bpmn"))
    files += sorted(miwg.rglob("*.bpmn"))[::3] if miwg.is_dir() else []
    compared = 0
    for path in files:
        try:
            definitions = read_bpmn(path)
        except BpmError:  # a file the reader refuses is not this test's subject
            continue
        for unit in units_of([definitions]):
            order = _flow_order(unit.process, list(unit.steps))
            assert (dict(order.position), dict(order.before), dict(order.after)) == _networkx_flow_order(
                unit.process, list(unit.steps)), (path, unit.process.id)
            compared += 1
    assert compared >= 20
