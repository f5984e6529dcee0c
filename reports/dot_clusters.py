"""Pools and lanes as Graphviz clusters, stretched into bands like BPMN lanes.

Why apart from :mod:`reports.dot`: which box a node sits in (its pool, then
its chain of nested lanes), how the boxes nest and how they are stretched to
one width is one job, independent of how each node looks
(:mod:`reports.dot_shapes`).  A pool with no content of its own (a resident's
black box) is not a box but a node; a pool with content is a box and message
flows end at its border.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import graphviz
import networkx as nx

from bpm.model import Definitions, ElementId, Lane
from reports.dot_names import DotNames
from reports.dot_shapes import CAPTION_CHARS, INK, LANE_FILL, POOL_FILL, TOOLTIP_CHARS, clip
from reports.svg import dom_id

NodeEmitter = Callable[[graphviz.Digraph, str, Mapping[str, Any]], None]
"""Draws one graph node into a (sub)graph: the builder's own node method."""


@dataclass(slots=True)
class Cluster:
    """A pool or lane box: its own nodes and nested boxes, in first-seen order."""

    element_id: ElementId
    label: str
    kind: Literal["pool", "lane"]
    nodes: list[str] = field(default_factory=list)
    children: dict[tuple[str, str], Cluster] = field(default_factory=dict)
    name: str = ""


def _slug(text: str, salt: str) -> str:
    """ASCII slug plus a short hash: readable when possible, always unique and DOT-safe."""
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:30] or "x"
    digest = hashlib.sha1(salt.encode("utf-8")).hexdigest()[:8]
    return f"{slug}_{digest}"


class Clusters:
    """The box tree of one picture: built node by node (:meth:`place`), then emitted once (:meth:`emit`)."""

    def __init__(self, graph: nx.MultiDiGraph, definitions: Definitions | None, names: DotNames) -> None:
        self.graph = graph
        self.names = names
        self.root = Cluster(ElementId(""), "", "pool")
        self.lanes: dict[ElementId, Lane] = {}
        if definitions is not None:
            for process in definitions.processes.values():
                for lane in process.all_lanes():
                    self.lanes.setdefault(lane.id, lane)
        self.show_pools = "process" not in graph.graph and any(
            data.get("pool") is not None for _, data in graph.nodes(data=True)
        )
        self.pool_clusters: dict[str, str] = {}
        """Pool id → its cluster's name, where message flows are clipped (lhead/ltail)."""
        self.bands: list[tuple[Cluster, str, str]] = []

    def pool_has_content(self, pool: str) -> bool:
        """Whether the pool holds nodes of its own (else it is drawn as a black-box node)."""
        return any(
            d.get("pool") == pool and d.get("category") != "participant" for _, d in self.graph.nodes(data=True)
        )

    def _lane_chain(self, data: Mapping[str, Any]) -> list[tuple[ElementId, str]]:
        lane_id = data.get("lane")
        if not lane_id:
            return []
        chain: list[tuple[ElementId, str]] = []
        current = self.lanes.get(lane_id)
        if current is None:
            return [(ElementId(lane_id), str(data.get("lane_name") or ""))]
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            chain.append((current.id, current.name))
            current = self.lanes.get(current.parent_id) if current.parent_id else None
        return list(reversed(chain))

    def place(self, node_id: str, data: Mapping[str, Any]) -> None:
        """Put a node into its pool's box, then into its lanes' boxes, outermost first."""
        cluster = self.root
        path = ""
        pool = data.get("pool")
        if self.show_pools and pool is not None:
            is_black_box = data.get("category") == "participant" and not self.pool_has_content(pool)
            if not is_black_box:
                path = f"pool:{pool}"
                cluster = _child(cluster, path, ElementId(pool), str(data.get("pool_name") or ""), "pool")
                self.pool_clusters[pool] = cluster.name
        if data.get("category") != "participant":
            for lane_id, lane_name in self._lane_chain(data):
                path = f"{path}/lane:{lane_id}"
                cluster = _child(cluster, path, lane_id, lane_name, "lane")
        cluster.nodes.append(node_id)

    def emit(self, target: graphviz.Digraph, data: Mapping[str, Mapping[str, Any]], draw: NodeEmitter) -> None:
        """Every box and node into ``target``, nested as placed (nodes drawn by ``draw``)."""
        self._emit(target, self.root, data, draw)

    def _emit(self, target: graphviz.Digraph, cluster: Cluster, data: Mapping[str, Mapping[str, Any]],
              draw: NodeEmitter) -> None:
        for node_id in cluster.nodes:
            draw(target, node_id, data[node_id])
        for child in cluster.children.values():
            sub = graphviz.Digraph(name=child.name)
            gv_id = self.names.unique(dom_id(child.element_id))
            label = " ".join(child.label.split())
            self.names.record(gv_id, child.element_id, label or child.element_id)
            sub.attr("graph", **_box_attrs(gv_id, child, clip(label, CAPTION_CHARS)))
            if child.nodes and not child.children:
                self.anchor(sub, child)
            self._emit(sub, child, data, draw)
            target.subgraph(sub)

    def stretch(self, digraph: graphviz.Digraph) -> None:
        """Stretch every lane from the first column to the last, stacked in document order, like BPMN lanes.

        Graphviz sizes a cluster to its own nodes, so lanes came out as boxes of
        different widths scattered over the page.  Each innermost lane (or pool
        without lanes) holds two invisible anchors (:meth:`anchor`): one before
        all of its nodes, one after them.  All first anchors share one rank, all
        last anchors another (``newrank`` lets rank constraints cross clusters),
        so every band spans the whole width; a chain between the first anchors
        keeps the bands in document order from top to bottom.
        """
        if len(self.bands) < 2 and not any(cluster.kind == "lane" for cluster, _h, _t in self.bands):
            return
        for cluster, head, tail in self.bands:
            for node_id in cluster.nodes:
                node = self.names.node(node_id)
                digraph.edge(head, node, style="invis", weight="0")
                digraph.edge(node, tail, style="invis", weight="0")
        for names in ([head for _c, head, _t in self.bands], [tail for _c, _h, tail in self.bands]):
            same = graphviz.Digraph()
            same.attr(rank="same")
            for name in names:
                same.node(name)
            for upper, lower in itertools.pairwise(names):
                same.edge(upper, lower, style="invis")
            digraph.subgraph(same)

    def anchor(self, sub: graphviz.Digraph, cluster: Cluster) -> None:
        """Invisible first and last anchors inside an innermost band (see :meth:`stretch`)."""
        index = len(self.bands)
        head, tail = f"band_head_{index}", f"band_tail_{index}"
        for name in (head, tail):
            sub.node(name, label="", shape="point", style="invis", width="0.01", height="0.01")
        self.bands.append((cluster, head, tail))


def _child(parent: Cluster, path: str, element_id: ElementId, label: str, kind: Literal["pool", "lane"]) -> Cluster:
    key = (kind, path)
    child = parent.children.get(key)
    if child is None:
        child = Cluster(element_id, label, kind, name=f"cluster_{_slug(element_id, path)}")
        parent.children[key] = child
    return child


def _box_attrs(gv_id: str, cluster: Cluster, label: str) -> dict[str, str]:
    """A pool's or lane's box: name top left, pools white with a dark border, lanes light grey."""
    pool = cluster.kind == "pool"
    return {
        "id": gv_id,
        "class": f"bpmn-element bpmn-{'participant' if pool else 'lane'}",
        "label": graphviz.escape(label),
        "tooltip": graphviz.escape(clip(label or cluster.element_id, TOOLTIP_CHARS)),
        "fontsize": "13" if pool else "12",
        "labeljust": "l",
        "labelloc": "t",
        "style": "filled",
        "fillcolor": POOL_FILL if pool else LANE_FILL,
        "color": INK if pool else "#9E9E9E",
        "penwidth": "1.5" if pool else "1",
        "margin": "10",
    }
