"""The graph build stores nodes and edges in NetworkX's dicts itself: the graphs must be the ones NetworkX's own
``add_nodes_from``/``add_edges_from`` make — same nodes, edges, keys, attributes, orders and shared key dicts.

Each graph is built twice, once as shipped and once with the two store functions swapped for NetworkX's methods,
over every sample flow and every hand-made test file, collapsed and expanded, per process and per collaboration.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from bpm import graph
from bpm.errors import BpmError
from bpm.model import Definitions, ElementId
from bpm.reader import read_bpmn

DATA = Path(__file__).resolve().parent.parent / "data"


def _models(flows_dir: Path) -> Iterator[Definitions]:
    for path in sorted([*flows_dir.rglob("*.bpmn"), *DATA.rglob("*.bpmn")]):
        try:
            yield read_bpmn(path)
        except BpmError:
            continue


def _shape(built: nx.MultiDiGraph) -> tuple[Any, ...]:
    """Everything a reader of the graph can see, in the order it sees it."""
    return (
        dict(built.graph),
        list(built.nodes(data=True)),
        list(built.edges(keys=True, data=True)),
        list(built.in_edges(keys=True, data=True)),
        [(node, list(built.pred[node]), list(built.succ[node])) for node in built],
    )


def _all_graphs(models: list[Definitions]) -> list[tuple[Any, ...]]:
    shapes = []
    for model in models:
        for expand in (False, True):
            for pid in model.processes:
                shapes.append(_shape(graph.process_graph(model, pid, expand_subprocesses=expand)))
            for collaboration in model.collaborations or (None,):
                shapes.append(_shape(graph.collaboration_graph(model, collaboration, expand_subprocesses=expand)))
    return shapes


def test_stored_graphs_are_networkx_own(flows_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = list(_models(flows_dir))
    stored = _all_graphs(models)
    monkeypatch.setattr(graph, "_store_nodes", lambda built, nodes: built.add_nodes_from(nodes))
    monkeypatch.setattr(graph, "_store_edges", lambda built, edges: built.add_edges_from(edges))
    assert len(stored) > 100
    assert stored == _all_graphs(models)


def test_in_and_out_edges_share_one_key_dict(flows_dir: Path) -> None:
    model = next(_models(flows_dir))
    built = graph.process_graph(model, next(iter(model.processes)))
    assert built.number_of_edges()
    for source, target in built.edges():
        assert built._succ[source][target] is built._pred[target][source]


def test_a_node_stored_again_has_its_attributes_updated() -> None:
    a, b = ElementId("a"), ElementId("b")
    built = nx.MultiDiGraph()
    graph._store_nodes(built, [(a, {"x": 1, "y": 2})])
    graph._store_nodes(built, [(a, {"y": 3}), (b, {})])
    graph._store_edges(built, [(a, b, "k", {"n": 1})])
    graph._store_edges(built, [(a, b, "k", {"m": 2}), (a, b, "j", {})])
    expected = nx.MultiDiGraph()
    expected.add_nodes_from([(a, {"x": 1, "y": 2})])
    expected.add_nodes_from([(a, {"y": 3}), (b, {})])
    expected.add_edges_from([(a, b, "k", {"n": 1})])
    expected.add_edges_from([(a, b, "k", {"m": 2}), (a, b, "j", {})])
    assert _shape(built) == _shape(expected)
    assert built.nodes[a] == {"x": 1, "y": 3} and built.edges[a, b, "k"] == {"n": 1, "m": 2}
